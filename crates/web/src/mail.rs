//! E-mail: the reminders of tasks falling due, in each owner's language, through an SMTP relay
//! when one is configured. The in-app notification is the record; the e-mail is a courtesy
//! sent once (a relay that refuses it is logged, and the task is not reminded again).

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::i18n::Tr;
use crate::AppState;

/// Where reminders go out: `kinbridge serve --smtp host:port --mail-from ... --public-url ...`.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub smtp_host: String,
    pub smtp_port: u16,
    /// The sender's address, e.g. `Kinbridge <noreply@kinbridge.example>`.
    pub from: String,
    /// The address users reach the server at, for links in messages.
    pub public_url: String,
}

impl MailConfig {
    /// Reads `host:port`.
    pub fn parse(smtp: &str, from: &str, public_url: &str) -> Result<Self, String> {
        let (host, port) = smtp.rsplit_once(':').ok_or_else(|| format!("--smtp {smtp}: expected host:port"))?;
        let port = port.parse().map_err(|_| format!("--smtp {smtp}: the port is not a number"))?;
        from.parse::<lettre::message::Mailbox>().map_err(|e| format!("--mail-from {from}: {e}"))?;
        Ok(Self {
            smtp_host: host.to_string(),
            smtp_port: port,
            from: from.to_string(),
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }
}

/// Sends the reminders of the tasks falling due, every `every`, until the task is stopped.
pub fn start_reminders(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = remind(&state).await {
                tracing::warn!(error = %e, "task reminders failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// One round: claims the due tasks (their notifications are written with the claim) and
/// mails each owner. Returns how many were claimed.
pub async fn remind(state: &AppState) -> Result<usize, kinbridge_casework::Error> {
    let due = state.casework.claim_task_reminders(100).await?;
    let Some(mail) = &state.mail else { return Ok(due.len()) };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&mail.smtp_host)
        .port(mail.smtp_port)
        .timeout(Some(Duration::from_secs(20)))
        .build();
    for d in &due {
        let tr = Tr::new(state.i18n.clone(), crate::i18n::Catalogues::negotiate(&d.owner_locale));
        let t = &d.task;
        let link = format!("{}/cases/{}#plan", mail.public_url, t.case_id);
        let due_on = tr.date(&t.due_on.to_string());
        let subject = tr.arg("mail-task-due-subject", "title", &t.title);
        let body = tr.args(
            "mail-task-due-body",
            &[("title", &t.title), ("reference", &t.case_reference), ("due", &due_on), ("link", &link)],
        );
        let message = match (mail.from.parse(), d.owner_email.parse()) {
            (Ok(from), Ok(to)) => {
                Message::builder().from(from).to(to).subject(subject).header(ContentType::TEXT_PLAIN).body(body)
            }
            _ => {
                tracing::warn!(task = %t.id, "a reminder's address does not parse");
                continue;
            }
        };
        match message {
            Ok(m) => {
                if let Err(e) = transport.send(m).await {
                    tracing::warn!(error = %e, task = %t.id, "the SMTP relay refused a reminder");
                }
            }
            Err(e) => tracing::warn!(error = %e, task = %t.id, "a reminder could not be written"),
        }
    }
    Ok(due.len())
}
