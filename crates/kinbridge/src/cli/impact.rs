//! `kinbridge impact compute`: a member's indicators for a period, with the network's beside
//! them, as a table, CSV or JSON on stdout. Run by the operator, audited as the system.

use std::process::ExitCode;

use kinbridge_impact::Period;

use super::DataOptions;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Compute every indicator of one member for one period.
    Compute(ComputeArgs),
}

#[derive(clap::Args)]
pub struct ComputeArgs {
    /// The member's code (KE, CH, ...).
    #[arg(long)]
    member: String,
    /// 2025, 2025Q3, 202507, or a financial year: 2025April, 2025July, 2025Oct.
    #[arg(long)]
    period: String,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

pub async fn run(data: &DataOptions, c: Command) -> anyhow::Result<ExitCode> {
    let Command::Compute(a) = c;
    let period = Period::parse(&a.period)?;
    let casework = data.open().await?;
    let started = std::time::Instant::now();
    let dashboard = casework.impact_dashboard_as_operator(&a.member, period).await;
    casework.close().await;
    let d = dashboard.map_err(super::explain)?;
    let number = |v: Option<f64>| {
        v.map_or_else(String::new, |v| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") })
    };
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&d)?),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "indicator",
                "kind",
                "member",
                "period",
                "value",
                "numerator",
                "denominator",
                "network_value",
            ])?;
            for l in &d.lines {
                w.write_record([
                    l.indicator.as_str(),
                    l.kind,
                    d.member_code.as_str(),
                    d.period.as_str(),
                    &number(l.member.value),
                    &l.member.numerator.to_string(),
                    &l.member.denominator.map(|n| n.to_string()).unwrap_or_default(),
                    &number(l.network.value),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            println!("{} ({}), {} ({} to {})", d.member_name, d.member_code, d.period, d.start, d.end);
            let width = d.lines.iter().map(|l| l.name.chars().count()).max().unwrap_or(10);
            println!("{:width$}  {:>12}  {:>12}", "indicator", d.member_code, "network");
            for l in &d.lines {
                let shown = |v: Option<f64>| if v.is_none() { "no data".to_string() } else { number(v) };
                println!("{:width$}  {:>12}  {:>12}", l.name, shown(l.member.value), shown(l.network.value));
            }
            eprintln!("Computed in {:.0} ms.", started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(ExitCode::SUCCESS)
}
