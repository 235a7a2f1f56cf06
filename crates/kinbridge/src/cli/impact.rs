//! `kinbridge impact compute`: a member's indicators for a period, with the network's beside
//! them, as a table, CSV or JSON on stdout. Run by the operator, audited as the system.

use std::process::ExitCode;

use kinbridge_impact::Period;

use super::DataOptions;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Compute every indicator of one member for one period.
    Compute(ComputeArgs),
    /// Export one member's figures for a period: `--format dhis2` writes the dataValueSets
    /// JSON a national DHIS2 imports, by the member's mapping (`--mapping FILE`); `csv` the
    /// indicator table.
    Export(ExportArgs),
    /// Write the network's annual report for a year the General Secretariat approved, as PDF.
    Report(ReportArgs),
}

#[derive(clap::Args)]
pub struct ReportArgs {
    #[arg(long)]
    year: i32,
    #[arg(long)]
    out: std::path::PathBuf,
    /// en, fr, es or ar.
    #[arg(long, default_value = "en")]
    language: String,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[arg(long)]
    member: String,
    #[arg(long)]
    period: String,
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// The member's mapping of indicators to DHIS2 data elements (JSON), for `--format dhis2`.
    #[arg(long)]
    mapping: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Dhis2,
    Csv,
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
    let a = match c {
        Command::Compute(a) => a,
        Command::Report(r) => return report(data, r).await,
        Command::Export(e) => match e.format {
            ExportFormat::Csv => ComputeArgs { member: e.member, period: e.period, format: Format::Csv },
            ExportFormat::Dhis2 => return dhis2(data, e).await,
        },
    };
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

async fn dhis2(data: &DataOptions, e: ExportArgs) -> anyhow::Result<ExitCode> {
    let period = Period::parse(&e.period)?;
    let Some(path) = e.mapping else {
        anyhow::bail!("--format dhis2 needs --mapping FILE: the member's indicator → data element mapping")
    };
    let meta = std::fs::metadata(&path)?;
    if meta.len() > kinbridge_impact::dhis2::MAX_MAPPING_BYTES as u64 {
        anyhow::bail!("the mapping file is larger than {} bytes", kinbridge_impact::dhis2::MAX_MAPPING_BYTES);
    }
    let text = std::fs::read_to_string(&path)?;
    // Said in words before anything is opened: which entry is wrong and why.
    let registry = kinbridge_impact::Registry::shipped()?;
    kinbridge_impact::dhis2::Mapping::parse(&text, &registry)
        .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    let casework = data.open().await?;
    let set = casework.impact_dhis2_as_operator(&e.member, period, &text).await;
    casework.close().await;
    println!("{}", serde_json::to_string_pretty(&set.map_err(super::explain)?)?);
    Ok(ExitCode::SUCCESS)
}

async fn report(data: &DataOptions, r: ReportArgs) -> anyhow::Result<ExitCode> {
    let year = Period::parse(&r.year.to_string())?;
    let language = kinbridge_web::i18n::Catalogues::negotiate(&r.language);
    let tr = kinbridge_web::i18n::Tr::new(kinbridge_web::i18n::Catalogues::load(), language);
    let casework = data.open().await?;
    let pdf = kinbridge_web::impact::report::report_pdf(&casework, &tr, year).await;
    casework.close().await;
    let Some(bytes) = pdf.map_err(|p| anyhow::anyhow!("the report could not be made: {p:?}"))? else {
        anyhow::bail!("the General Secretariat has not approved the network's figures for {year}: there is no report");
    };
    std::fs::write(&r.out, &bytes)?;
    println!("Annual report {year} written to {} ({} bytes).", r.out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}
