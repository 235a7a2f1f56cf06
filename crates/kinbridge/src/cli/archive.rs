//! `kinbridge archive import DIR --fonds CODE`: digitises a folder into a fonds (created if
//! it does not exist yet), as resumable jobs with a progress bar. Running the same command again
//! after a crash or kill resumes the batch; nothing is imported twice.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use kinbridge_casework::archive_import::{self as import, Outcome};
use kinbridge_casework::archives::ImportFile;
use kinbridge_domain::archive::{NewUnit, Restriction};

use super::DataOptions;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Import a folder of scans, PDFs, office documents and text files into a fonds.
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The folder to import (searched recursively; hidden files are left out).
    pub dir: PathBuf,
    /// Reference code of the fonds; created if it does not exist yet (then --member is needed).
    #[arg(long)]
    pub fonds: String,
    /// Code of the member that holds the fonds (when it is created).
    #[arg(long)]
    pub member: Option<String>,
    /// Title of the fonds (when it is created).
    #[arg(long)]
    pub title: Option<String>,
    /// Access restriction of a new fonds: open, personal (closed 100 years after the latest date) or adoption.
    #[arg(long, default_value = "personal")]
    pub restriction: String,
    /// CSV describing the items: path,reference_code,title,date_from,date_to,restriction,parent
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Tesseract languages to recognise, e.g. fra,eng,spa.
    #[arg(long, value_delimiter = ',', default_value = "eng,fra,spa")]
    pub languages: Vec<String>,
    /// Files processed at once (default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
}

pub async fn run(data: &DataOptions, c: Command) -> anyhow::Result<ExitCode> {
    let Command::Import(a) = c;
    import_folder(data, a).await
}

fn check_languages(wanted: &[String]) -> anyhow::Result<()> {
    let installed = kinbridge_archive::extract::installed_languages().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    let missing: Vec<&String> = wanted.iter().filter(|l| !installed.contains(l)).collect();
    if !missing.is_empty() {
        let packages: Vec<String> = missing.iter().map(|l| format!("tesseract-ocr-{l}")).collect();
        bail!(
            "OCR languages not installed: {} (Debian: apt-get install {})",
            missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            packages.join(" ")
        );
    }
    Ok(())
}

#[derive(Debug, serde::Deserialize)]
struct ManifestRow {
    path: String,
    #[serde(default)]
    reference_code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    date_from: String,
    #[serde(default)]
    date_to: String,
    #[serde(default)]
    restriction: String,
    #[serde(default)]
    parent: String,
}

fn manifest_date(s: &str, end: bool, line: usize) -> anyhow::Result<Option<NaiveDate>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(y) = s.parse::<i32>() {
        return Ok(if end { NaiveDate::from_ymd_opt(y, 12, 31) } else { NaiveDate::from_ymd_opt(y, 1, 1) });
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).with_context(|| format!("manifest line {line}: bad date {s:?}"))
}

async fn import_folder(data: &DataOptions, a: ImportArgs) -> anyhow::Result<ExitCode> {
    if !a.dir.is_dir() {
        bail!("{} is not a folder", a.dir.display());
    }
    check_languages(&a.languages)?;
    let dir = a.dir.canonicalize()?;
    let store = data.open().await?;
    let mut found = store.fonds_by_code(&a.fonds, a.member.as_deref()).await?;
    if found.len() > 1 {
        let holders: Vec<&str> = found.iter().map(|f| f.member_code.as_str()).collect();
        bail!("members {} each hold a fonds {}; say which with --member CODE", holders.join(", "), a.fonds);
    }
    let fonds = match found.pop() {
        Some(f) => f,
        None => {
            let Some(member) = &a.member else {
                bail!("there is no fonds {}; to create it, say which member holds it with --member CODE", a.fonds);
            };
            let title = a.title.clone().unwrap_or_else(|| a.fonds.clone());
            let new =
                NewUnit::parse("fonds", &a.fonds, &title, "", "", "", "", "", "", &a.restriction).map_err(|e| {
                    anyhow::anyhow!(
                        "invalid fonds — {}",
                        e.iter().map(|f| format!("{}: {}", f.field, f.code)).collect::<Vec<_>>().join("; ")
                    )
                })?;
            let f = store.create_fonds_as_system(member, &new).await.map_err(super::explain)?;
            println!("Created fonds {} for member {member}.", f.reference_code);
            f
        }
    };
    // Every file of the folder; the manifest, if given, describes some of them.
    let mut described = std::collections::HashMap::new();
    if let Some(m) = &a.manifest {
        let mut r = csv::Reader::from_path(m).with_context(|| format!("cannot read {}", m.display()))?;
        for (i, row) in r.deserialize::<ManifestRow>().enumerate() {
            let line = i + 2;
            let row = row.with_context(|| format!("manifest line {line}"))?;
            let restriction = match row.restriction.trim() {
                "" => None,
                r => Some(
                    Restriction::parse(r)
                        .with_context(|| format!("manifest line {line}: unknown restriction {r:?}"))?,
                ),
            };
            let parent = match row.parent.trim() {
                "" => None,
                code => Some(store.unit_id_by_code(&fonds.fonds_id, code).await?.with_context(|| {
                    format!("manifest line {line}: no unit {code:?} in fonds {}", fonds.reference_code)
                })?),
            };
            let path = dir.join(row.path.trim());
            described.insert(
                path,
                ImportFile {
                    reference_code: Some(row.reference_code.trim().to_string()).filter(|s| !s.is_empty()),
                    title: Some(row.title.trim().to_string()).filter(|s| !s.is_empty()),
                    date_from: manifest_date(&row.date_from, false, line)?,
                    date_to: manifest_date(&row.date_to, true, line)?,
                    restriction,
                    parent_id: parent.map(|p| p.to_string()),
                    ..ImportFile::default()
                },
            );
        }
    }
    let files = import::files_in(&dir)?;
    let batch: Vec<ImportFile> = files
        .iter()
        .map(|p| {
            let mut f = described.remove(p).unwrap_or_default();
            f.source = format!("file:{}", p.display());
            f.display_path = relative(&dir, p);
            f
        })
        .collect();
    for missing in described.keys() {
        eprintln!("warning: the manifest names {} but the folder has no such file", missing.display());
    }
    let (queued, known) = store.queue_import(&fonds.fonds_id, &batch, &a.languages).await?;
    // Files reserved by an import that was killed are free again (an import is idempotent).
    store.release_import_jobs().await?;
    let before = store.import_progress(&fonds.fonds_id).await?;
    println!(
        "{} files in {}: {queued} queued now, {known} already in this batch ({} still to do).",
        batch.len(),
        dir.display(),
        before.pending
    );
    let workers = a.workers.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let bar = indicatif::ProgressBar::new(before.pending as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files  {per_sec}  ETA {eta}  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let failed = Arc::new(AtomicU64::new(0));
    let started = std::time::Instant::now();
    {
        let bar = bar.clone();
        let failed = failed.clone();
        import::run_until_done(&store, workers, move |o| {
            if matches!(o, Outcome::Failed { .. }) {
                failed.fetch_add(1, Ordering::Relaxed);
                bar.set_message(format!("{} failed", failed.load(Ordering::Relaxed)));
            }
            bar.inc(1);
        })
        .await?;
    }
    bar.finish_and_clear();
    let p = store.import_progress(&fonds.fonds_id).await?;
    let failures = store.import_failures(&fonds.fonds_id, 1000).await?;
    store.close().await;
    println!(
        "Fonds {}: {} imported, {} duplicates, {} failed, {} pending ({:.1} s).",
        fonds.reference_code,
        p.done,
        p.duplicate,
        p.failed,
        p.pending,
        started.elapsed().as_secs_f64()
    );
    for f in &failures {
        println!("  not imported: {} — {}", f.path, f.reason);
    }
    // Scripts can tell a clean import from one that needs a look.
    Ok(if p.pending > 0 {
        println!("Some files are still pending: run the same import again to resume it.");
        ExitCode::from(EXIT_PENDING)
    } else if p.failed > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// The exit code of an import after which some files failed (each reported with its reason).
const EXIT_FAILED: u8 = 3;
/// The exit code of an import that left files pending.
const EXIT_PENDING: u8 = 4;

fn relative(dir: &Path, p: &Path) -> String {
    p.strip_prefix(dir).unwrap_or(p).to_string_lossy().to_string()
}
