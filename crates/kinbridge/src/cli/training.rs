//! `kinbridge training`: bring question banks over from Moodle (GIFT or Moodle XML; the course
//! is created if it does not exist, a file with any error imports nothing and names its line),
//! and print a member's compliance with its curricula. Run by the operator, audited as the system.

use std::process::ExitCode;

use kinbridge_casework::training::QuestionFormat;

use super::DataOptions;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Import the questions of a GIFT file into a course's bank.
    ImportGift(ImportArgs),
    /// Import the questions of a Moodle XML file into a course's bank.
    ImportMoodleXml(ImportArgs),
    /// Who of a member is current, due or lapsed on each compulsory course.
    Compliance(ComplianceArgs),
    /// Switch a member's rule that case files need current compulsory training.
    Gate(GateArgs),
}

#[derive(clap::Args)]
pub struct GateArgs {
    #[arg(long)]
    member: String,
    #[arg(value_enum)]
    state: Switch,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Switch {
    On,
    Off,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    file: std::path::PathBuf,
    /// The course's code (lower-case letters, digits and dashes).
    #[arg(long)]
    course: String,
    /// The language the questions are written in: en, fr, es or ar.
    #[arg(long, default_value = "en")]
    language: String,
}

#[derive(clap::Args)]
pub struct ComplianceArgs {
    /// The member's code (KE, CH, ...).
    #[arg(long)]
    member: String,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// The day to judge on (YYYY-MM-DD); today by default.
    #[arg(long)]
    on: Option<chrono::NaiveDate>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
}

pub async fn run(data: &DataOptions, c: Command) -> anyhow::Result<ExitCode> {
    match c {
        Command::ImportGift(a) => import(data, a, QuestionFormat::Gift).await,
        Command::ImportMoodleXml(a) => import(data, a, QuestionFormat::MoodleXml).await,
        Command::Compliance(a) => compliance(data, a).await,
        Command::Gate(a) => {
            let casework = data.open().await?;
            let done = casework.set_training_gate(None, &a.member, a.state == Switch::On).await;
            casework.close().await;
            done.map_err(super::explain)?;
            let state = if a.state == Switch::On { "need" } else { "no longer need" };
            println!("{}'s case files {state} current compulsory training.", a.member);
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn import(data: &DataOptions, a: ImportArgs, format: QuestionFormat) -> anyhow::Result<ExitCode> {
    let size = std::fs::metadata(&a.file)?.len();
    if size > kinbridge_training::gift::MAX_BYTES as u64 {
        anyhow::bail!("{} is larger than {} bytes", a.file.display(), kinbridge_training::gift::MAX_BYTES);
    }
    let bytes = std::fs::read(&a.file)?;
    let Ok(text) = String::from_utf8(bytes) else { anyhow::bail!("{} is not UTF-8 text", a.file.display()) };
    let casework = data.open().await?;
    let done = casework.import_questions(None, &a.course, format, &text, &a.language).await;
    casework.close().await;
    match done {
        Ok(d) => {
            let made = if d.created { " (course created)" } else { "" };
            println!("Imported {} questions into {}, version {}{made}.", d.questions, d.course, d.version);
            Ok(ExitCode::SUCCESS)
        }
        Err(kinbridge_casework::Error::Import { line, detail, .. }) => {
            eprintln!("{}:{line}: {detail}. Nothing was imported.", a.file.display());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(super::explain(e)),
    }
}

async fn compliance(data: &DataOptions, a: ComplianceArgs) -> anyhow::Result<ExitCode> {
    let casework = data.open().await?;
    let on = a.on.unwrap_or_else(kinbridge_casework::today);
    let c = casework.compliance_as_operator(&a.member, on, "en").await;
    casework.close().await;
    let c = c.map_err(super::explain)?;
    match a.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(["member", "person", "role", "course", "standing", "deadline"])?;
            for p in &c.people {
                for d in &p.courses {
                    w.write_record([
                        c.member.as_str(),
                        &p.name,
                        &p.role,
                        &d.course,
                        d.standing.key(),
                        &d.standing.deadline().to_string(),
                    ])?;
                }
            }
            w.flush()?;
        }
        Format::Table => {
            println!("{} on {}", c.member, c.on);
            println!("{:40}  {:>8}  {:>8}  {:>8}", "course", "current", "due", "lapsed");
            for t in &c.totals {
                let title =
                    c.courses.iter().find(|x| x.code == t.course).map_or(t.course.as_str(), |x| x.title.as_str());
                println!("{:40}  {:>8}  {:>8}  {:>8}", title, t.current, t.due, t.lapsed);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
