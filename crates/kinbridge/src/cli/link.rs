//! `kinbridge link LEFT.csv [RIGHT.csv]`: person matching on files, for members cleaning old
//! registries kept in spreadsheets. Two files are linked; one file is deduplicated.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use kinbridge_matching::{link, Dataset, FieldSpec, LinkOptions, Role};

#[derive(clap::Args)]
pub struct Args {
    /// CSV file of person records (with a header row).
    left: PathBuf,
    /// Second CSV file to link to the first; without it, the first file is deduplicated.
    right: Option<PathBuf>,
    /// Column holding each record's identifier.
    #[arg(long)]
    id_column: Option<String>,
    /// COLUMN=ROLE, repeatable. Roles: given_name, family_name, full_name, birth_date, sex,
    /// place, address, street_number, postcode, region, id_number, phone, parent_name.
    /// Columns not named here are recognised by common names (surname, dob, ...).
    #[arg(long = "field", value_name = "COLUMN=ROLE")]
    fields: Vec<String>,
    /// File of `COLUMN = ROLE` lines (and optionally `id_column = COL`, `threshold = P`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where to write the pairs (CSV).
    #[arg(long, default_value = "pairs.csv")]
    out: PathBuf,
    /// Lowest match probability written (the model is calibrated: 0.5 means as likely a match
    /// as not).
    #[arg(long)]
    threshold: Option<f64>,
    /// Only use the columns given with --field or --config; do not recognise others by name.
    #[arg(long)]
    no_guess: bool,
    /// Random record pairs drawn to learn how often non-matches agree by chance.
    #[arg(long, default_value_t = LinkOptions::default().u_samples)]
    u_samples: usize,
    /// Print the trained model (m and u of every agreement level of every field).
    #[arg(long)]
    show_model: bool,
    /// Year that estimated ages ("~12") count back from. Default: this year.
    #[arg(long)]
    reference_year: Option<i32>,
}

struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_csv(path: &Path) -> anyhow::Result<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}: no header row", path.display()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut rows = Vec::new();
    for (n, rec) in reader.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: row {} is not valid CSV", path.display(), n + 2))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(Table { headers, rows })
}

/// What a config file says.
#[derive(Default)]
struct Config {
    fields: Vec<(String, Role)>,
    id_column: Option<String>,
    threshold: Option<f64>,
}

/// Reads a config file: `COLUMN = ROLE` lines, `id_column = COL`, `threshold = P`, `#` comments.
fn read_config(path: &Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (mut fields, mut id, mut threshold) = (Vec::new(), None, None);
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('[') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            bail!("{}:{}: expected COLUMN = ROLE", path.display(), n + 1);
        };
        let (k, v) = (k.trim().trim_matches('"'), v.trim().trim_matches('"'));
        match k {
            "id_column" | "id-column" => id = Some(v.to_string()),
            "threshold" => {
                threshold = Some(
                    v.parse().with_context(|| format!("{}:{}: threshold must be a number", path.display(), n + 1))?,
                )
            }
            column => fields.push((column.to_string(), parse_role(v)?)),
        }
    }
    Ok(Config { fields, id_column: id, threshold })
}

fn parse_role(s: &str) -> anyhow::Result<Role> {
    Role::parse(s).with_context(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role {s:?}; roles are {}", all.join(", "))
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let Config { fields: mut mapping, mut id_column, mut threshold } = match &args.config {
        Some(path) => read_config(path)?,
        None => Config::default(),
    };
    for f in &args.fields {
        let Some((col, role)) = f.split_once('=') else { bail!("--field takes COLUMN=ROLE, not {f:?}") };
        mapping.retain(|(c, _)| c != col.trim());
        mapping.push((col.trim().to_string(), parse_role(role.trim())?));
    }
    id_column = args.id_column.clone().or(id_column);
    threshold = args.threshold.or(threshold);
    let threshold = threshold.unwrap_or(0.5);
    if !(0.0..1.0).contains(&threshold) {
        bail!("--threshold must be at least 0 and below 1");
    }

    let left = read_csv(&args.left)?;
    let right = args.right.as_deref().map(read_csv).transpose()?;
    let Some(id_column) = id_column else { bail!("say which column holds record identifiers with --id-column") };
    for (path, table) in std::iter::once((&args.left, &left)).chain(args.right.as_ref().zip(right.as_ref())) {
        if !table.headers.contains(&id_column) {
            bail!("{}: no column {id_column:?} (columns: {})", path.display(), table.headers.join(", "));
        }
    }
    if !args.no_guess {
        for h in &left.headers {
            if *h != id_column && !mapping.iter().any(|(c, _)| c == h) {
                if let Some(role) = Role::guess(h) {
                    mapping.push((h.clone(), role));
                }
            }
        }
    }
    if mapping.is_empty() {
        bail!("no columns to compare: name them with --field COLUMN=ROLE");
    }
    let ignored: Vec<&String> =
        left.headers.iter().filter(|h| **h != id_column && !mapping.iter().any(|(c, _)| c == *h)).collect();
    let specs: Vec<FieldSpec> = mapping.iter().map(|(c, r)| FieldSpec { name: c.clone(), role: *r }).collect();
    eprintln!(
        "Comparing {}{}",
        specs.iter().map(|s| format!("{} as {}", s.name, s.role.as_str())).collect::<Vec<_>>().join(", "),
        if ignored.is_empty() {
            String::new()
        } else {
            format!("; ignoring {}", ignored.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
        }
    );

    let year = args.reference_year.unwrap_or_else(this_year);
    let prepare = |path: &Path, table: Table| -> anyhow::Result<Dataset> {
        let index: HashMap<&str, usize> = table.headers.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
        let mut columns = Vec::with_capacity(specs.len());
        for s in &specs {
            match index.get(s.name.as_str()) {
                Some(&i) => columns.push(i),
                None => bail!("{}: no column {:?}", path.display(), s.name),
            }
        }
        let id = index[id_column.as_str()];
        let ids: Vec<String> = table.rows.iter().map(|r| r[id].clone()).collect();
        let rows: Vec<Vec<String>> =
            table.rows.into_iter().map(|r| columns.iter().map(|&c| r[c].clone()).collect()).collect();
        Ok(Dataset::prepare(&specs, ids, &rows, year))
    };
    let left_data = prepare(&args.left, left)?;
    let right_data = match (args.right.as_deref(), right) {
        (Some(p), Some(t)) => Some(prepare(p, t)?),
        _ => None,
    };

    let total = left_data.len() + right_data.as_ref().map_or(0, Dataset::len);
    let bar = if total >= 20_000 { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |stage: &str, done: u64, all: u64| {
        if bar.message() != stage {
            bar.set_message(stage.to_string());
        }
        bar.set_length(all);
        bar.set_position(done);
    };
    let options = LinkOptions { threshold, u_samples: args.u_samples, ..LinkOptions::default() };
    let report = link(&specs, &left_data, right_data.as_ref(), &options, &progress).map_err(anyhow::Error::msg)?;
    bar.finish_and_clear();

    let other = right_data.as_ref().unwrap_or(&left_data);
    let mut out = csv::Writer::from_path(&args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut header = vec!["left_id".to_string(), "right_id".into(), "probability".into(), "match_weight".into()];
    for s in &specs {
        header.push(format!("{}_agreement", s.name));
        header.push(format!("{}_weight", s.name));
    }
    header.push("names_swapped".into());
    out.write_record(&header)?;
    let mut pairs = report.pairs;
    pairs.sort_by(|a, b| b.probability.total_cmp(&a.probability).then(a.left.cmp(&b.left)).then(a.right.cmp(&b.right)));
    for p in &pairs {
        let mut row = vec![
            left_data.ids[p.left as usize].clone(),
            other.ids[p.right as usize].clone(),
            format!("{:.6}", p.probability),
            format!("{:.3}", p.weight),
        ];
        for (label, weight) in p.explain(&report.model, &left_data.records[p.left as usize]) {
            row.push(label.to_string());
            row.push(format!("{weight:.3}"));
        }
        row.push(p.swapped_names.to_string());
        out.write_record(&row)?;
    }
    out.flush()?;

    let timings: Vec<String> = report.timings.iter().map(|(n, s)| format!("{n} {s:.2}s")).collect();
    eprintln!(
        "{} pairs at probability >= {threshold} written to {} ({} records, {} candidate pairs, prior {:.2e}; {}; total {:.2}s)",
        pairs.len(),
        args.out.display(),
        total,
        report.candidate_pairs,
        report.model.lambda,
        timings.join(", "),
        started.elapsed().as_secs_f64()
    );
    if args.show_model {
        eprintln!("prior probability of a match: {:.3e}", report.model.lambda);
        for fm in &report.model.fields {
            eprintln!("{} ({}), m from {} EM sessions:", fm.name, fm.role.as_str(), fm.m_sessions);
            for (i, label) in fm.role.levels().iter().enumerate() {
                eprintln!(
                    "  {label:<28} m {:.4}  u {:.6}  weight {:+.2}",
                    fm.m[i],
                    fm.u[i],
                    (fm.m[i] / fm.u[i]).log2()
                );
            }
        }
    }
    for (rule, skipped) in report.rules.iter().zip(&report.skipped_blocks).filter(|(_, s)| **s > 0) {
        eprintln!("note: {skipped} oversized blocks skipped under \"{rule}\"");
    }
    Ok(ExitCode::SUCCESS)
}

fn this_year() -> i32 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    1970 + (secs / 31_556_952) as i32
}
