//! `kinbridge serve`: the web server and API on one address.

use std::process::ExitCode;

use kinbridge_casework::research::DisclosureFloor;

use super::DataOptions;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "KINBRIDGE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Load the demo network first if the database is empty.
    #[arg(long)]
    demo: bool,
    /// How many demo cases to generate with --demo.
    #[arg(long, default_value_t = 3000)]
    demo_cases: usize,
    /// Mark cookies Secure (serve behind HTTPS).
    #[arg(long, env = "KINBRIDGE_SECURE_COOKIES")]
    secure_cookies: bool,
    /// A reverse proxy in front of the server, whose `X-Forwarded-For` names the client (repeat
    /// or separate with commas for several). From any other address the header is ignored.
    #[arg(long, env = "KINBRIDGE_TRUSTED_PROXY", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// The smallest count research exports publish (the data protection officer's floor; a
    /// request may ask for more, never less).
    #[arg(long, env = "KINBRIDGE_DISCLOSURE_THRESHOLD", default_value_t = 5)]
    disclosure_threshold: u64,
    /// The smallest group of alike records in research record exports (k-anonymity), likewise.
    #[arg(long, env = "KINBRIDGE_DISCLOSURE_K", default_value_t = 5)]
    disclosure_k: usize,
    /// An SMTP relay (`host:port`, plain SMTP: a relay on this host or a trusted network) for
    /// e-mail reminders of tasks falling due. Without it, reminders are notifications only.
    #[arg(long, env = "KINBRIDGE_SMTP")]
    smtp: Option<String>,
    /// The sender of e-mails.
    #[arg(long, env = "KINBRIDGE_MAIL_FROM", default_value = "Kinbridge <noreply@kinbridge.invalid>")]
    mail_from: String,
    /// The address users reach this server at, for links in e-mails.
    #[arg(long, env = "KINBRIDGE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    public_url: String,
}

pub async fn run(data: &DataOptions, args: Args) -> anyhow::Result<ExitCode> {
    let floor = DisclosureFloor::new(args.disclosure_threshold, args.disclosure_k)
        .ok_or_else(|| anyhow::anyhow!("--disclosure-threshold and --disclosure-k must be at least 2"))?;
    let store = data.open().await?.with_disclosure_floor(floor);
    if args.demo {
        super::demo::load_if_empty(&store, args.demo_cases).await?;
    }
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    let addr = listener.local_addr()?;
    println!("Kinbridge is running on http://{addr}/  (database: {})", super::redact(&data.url()));
    let mail = match &args.smtp {
        Some(smtp) => Some(
            kinbridge_web::mail::MailConfig::parse(smtp, &args.mail_from, &args.public_url)
                .map_err(|e| anyhow::anyhow!(e))?,
        ),
        None => None,
    };
    let config = kinbridge_web::WebConfig {
        secure_cookies: args.secure_cookies,
        trusted_proxies: args.trusted_proxy,
        mail,
        reminder_every: None,
    };
    let state = kinbridge_web::AppState::new(store.clone(), config);
    kinbridge_web::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
