//! Import: each file of a batch is one job in the database's queue. A worker claims a job,
//! reads the file, extracts its text (recognising scans), finds what the text names, and
//! records the item, its pages and the original in one step. A file that cannot be read is
//! recorded as failed with its reason, and the batch goes on. Killing the process loses
//! nothing: unfinished jobs are claimed again, and an original already in the fonds (by its
//! content hash) is never imported twice.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use kinbridge_archive::extract::{self, ExtractError, OcrOptions, MAX_FILE_BYTES};
use kinbridge_privacy::{Detector, Kind};
use kinbridge_store::jobs::Job;

use crate::archives::{ImportRow, ImportedItem};
use crate::jobs::ARCHIVE_IMPORT;
use crate::{Casework, Error};

/// How long a worker reserves a file (a long multi-page scan fits).
const LEASE: Duration = Duration::from_secs(900);

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported { item_id: kinbridge_domain::ids::UnitId, pages: usize },
    Duplicate,
    Failed { code: &'static str, detail: String },
    Skipped,
}

/// Runs one claimed import job to its end. A file that cannot be recorded however often it is
/// tried (its reference code is taken, ...) fails with its reason at once; one that met a
/// passing trouble (the database was away) is tried again, and fails with the reason on the
/// last attempt, so that no file is left pending for ever.
pub async fn run_job(casework: &Casework, job: &Job) -> Result<Outcome, Error> {
    let outcome = match casework.import_row(&job.key).await? {
        Some(row) if row.status == "pending" => match import_row(casework, &row).await {
            Ok(outcome) => outcome,
            Err(e) if !e.is_transient() || job.is_last_attempt() => {
                failed(casework, &row, ExtractError { code: e.code(), detail: e.to_string() }).await?
            }
            Err(e) => return Err(e),
        },
        _ => Outcome::Skipped,
    };
    casework.store().finish_job(job).await?;
    Ok(outcome)
}

async fn read_source(casework: &Casework, source: &str) -> Result<(String, Bytes), ExtractError> {
    let io = |e: std::io::Error| ExtractError { code: "unreadable_file", detail: e.to_string() };
    if let Some(path) = source.strip_prefix("file:") {
        let meta = tokio::fs::metadata(path).await.map_err(io)?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(ExtractError { code: "file_too_large", detail: format!("{} bytes", meta.len()) });
        }
        let bytes = tokio::fs::read(path).await.map_err(io)?;
        let name = Path::new(path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        Ok((name, Bytes::from(bytes)))
    } else if let Some(rest) = source.strip_prefix("blob:") {
        let (key, name) = rest.split_once('#').unwrap_or((rest, ""));
        let bytes = casework
            .import_blob(key)
            .await
            .map_err(|e| ExtractError { code: "unreadable_file", detail: e.to_string() })?;
        Ok((name.to_string(), bytes))
    } else {
        Err(ExtractError { code: "unreadable_file", detail: "unknown source".into() })
    }
}

async fn import_row(casework: &Casework, row: &ImportRow) -> Result<Outcome, Error> {
    let (name, bytes) = match read_source(casework, &row.file.source).await {
        Ok(x) => x,
        Err(e) => return failed(casework, row, e).await,
    };
    let scratch = casework.data_dir().join("tmp").join(row.id.as_str());
    let ocr = OcrOptions {
        languages: if row.languages.is_empty() { OcrOptions::default().languages } else { row.languages.clone() },
    };
    let work = {
        let (name, bytes, scratch) = (name.clone(), bytes.clone(), scratch.clone());
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&scratch).map_err(|e| ExtractError { code: "io_error", detail: e.to_string() })?;
            let extracted = extract::extract(&name, &bytes, &ocr, &scratch);
            let _ = std::fs::remove_dir_all(&scratch);
            let extracted = extracted?;
            let text = extracted.text();
            let language = kinbridge_privacy::language_code(&text).to_string();
            let entities = entities(&text);
            Ok::<_, ExtractError>((extracted, language, entities))
        })
    };
    let (extracted, language, entities) = match work.await {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return failed(casework, row, e).await,
        Err(e) => return failed(casework, row, ExtractError { code: "engine_crashed", detail: e.to_string() }).await,
    };
    let pages: Vec<(i64, String, Option<f64>, bool)> = extracted
        .pages
        .iter()
        .map(|p| (p.no as i64, p.text.clone(), p.confidence.map(f64::from), p.needs_review()))
        .collect();
    let n = pages.len();
    let item = ImportedItem {
        filename: name,
        content_type: extracted.kind.mime().to_string(),
        bytes,
        language,
        pages,
        entities,
    };
    let id = casework.record_import(row, item).await?;
    match casework.import_row(&row.id).await? {
        Some(r) if r.status == "duplicate" => Ok(Outcome::Duplicate),
        _ => Ok(Outcome::Imported { item_id: id, pages: n }),
    }
}

async fn failed(casework: &Casework, row: &ImportRow, e: ExtractError) -> Result<Outcome, Error> {
    let reason = format!("{}: {}", e.code, e.detail);
    tracing::debug!(path = %row.file.display_path, %reason, "file not imported");
    casework.finish_import(&row.id, "failed", Some(&reason), None, None).await?;
    Ok(Outcome::Failed { code: e.code, detail: e.detail })
}

/// The people, dates, places and reference numbers a text names, for the restricted index.
pub fn entities(text: &str) -> Vec<(String, String)> {
    let detector = Detector::new(None);
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for span in detector.detect(text) {
        let kind = match span.kind {
            Kind::Person => "person",
            Kind::Date => "date",
            Kind::Place | Kind::Address => "place",
            Kind::IdNumber => "reference",
            _ => continue,
        };
        let value: String = chars[span.start..span.end.min(chars.len())].iter().collect();
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() || value.chars().count() > 200 {
            continue;
        }
        let pair = (kind.to_string(), value);
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

/// Runs import jobs until none is free, with `workers` files in flight at once; `progress` is
/// told of each file as it finishes. For the command line.
pub async fn run_until_done<F>(casework: &Casework, workers: usize, progress: F) -> Result<(), Error>
where
    F: Fn(&Outcome) + Send + Sync + 'static,
{
    let progress = std::sync::Arc::new(progress);
    let mut tasks = Vec::new();
    for _ in 0..workers.max(1) {
        let casework = casework.clone();
        let progress = progress.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(job) = casework.store().claim_job(&[ARCHIVE_IMPORT], LEASE).await? else {
                    // Nothing free: done only when no file is in another worker's hands or
                    // waiting for a retry.
                    if casework.store().outstanding_jobs(ARCHIVE_IMPORT).await? == 0 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    continue;
                };
                match run_job(&casework, &job).await {
                    Ok(outcome) => progress(&outcome),
                    Err(e) => {
                        tracing::warn!(error = %e, job = %job.key, "import job failed; it will be tried again");
                        casework.store().fail_job(&job, &e.to_string()).await?;
                    }
                }
            }
            Ok::<_, Error>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|_| Error::Unsupported("an import worker stopped"))??;
    }
    Ok(())
}

/// The server's import workers (uploads from the archive pages): run as jobs come.
pub fn start_workers(casework: &Casework, workers: usize) -> Vec<tokio::task::JoinHandle<()>> {
    (0..workers.max(1))
        .map(|_| {
            let casework = casework.clone();
            tokio::spawn(async move {
                loop {
                    match casework.store().claim_job(&[ARCHIVE_IMPORT], LEASE).await {
                        Ok(Some(job)) => {
                            if let Err(e) = run_job(&casework, &job).await {
                                tracing::warn!(error = %e, "import job failed; it will be tried again");
                                if let Err(e) = casework.store().fail_job(&job, &e.to_string()).await {
                                    tracing::error!(error = %e, "import job could not be marked for a retry");
                                }
                            }
                        }
                        Ok(None) => tokio::time::sleep(Duration::from_secs(2)).await,
                        Err(e) => {
                            tracing::warn!(error = %e, "job queue unavailable");
                            tokio::time::sleep(Duration::from_secs(5)).await;
                        }
                    }
                }
            })
        })
        .collect()
}

/// The files of a folder to import, recursively, in a stable order; hidden files are left out.
pub fn files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}
