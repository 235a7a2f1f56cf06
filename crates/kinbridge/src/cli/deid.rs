//! `kinbridge deid`: personal data found in text and replaced by placeholders, from a file or
//! standard input; one text, or a batch of JSON lines in one process.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use kinbridge_privacy::{Detector, Lang, Span};
use rayon::prelude::*;
use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    /// Language of the text: en, fr, es, de, it, or auto (told from each text).
    #[arg(long, default_value = "auto")]
    lang: String,
    /// `text`: the de-identified text; `json`: {"text", "spans"}; `jsonl`: one JSON object
    /// with a `text` field per input line, one result object per output line.
    #[arg(long, default_value = "text")]
    format: String,
    /// The text to read (standard input when absent).
    file: Option<PathBuf>,
}

#[derive(Serialize)]
struct Output<'a> {
    /// The de-identified text.
    text: &'a str,
    /// Where personal data was found in the input: offsets in Unicode characters, end exclusive.
    spans: &'a [Span],
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let lang = match a.lang.as_str() {
        "auto" => None,
        code => Some(
            Lang::parse(code).with_context(|| format!("unknown language {code:?}: use en, fr, es, de, it or auto"))?,
        ),
    };
    if !matches!(a.format.as_str(), "text" | "json" | "jsonl") {
        bail!("unknown format {:?}: use text, json or jsonl", a.format);
    }
    let mut input: Box<dyn BufRead> = match &a.file {
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    };
    let detector = Detector::new(lang);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if a.format == "jsonl" {
        // Every line is read and checked before anything is written: a bad line stops the
        // batch with its number, and leaves no partial output.
        let mut texts = Vec::new();
        for (n, line) in input.lines().enumerate() {
            let line = line.context("cannot read the input")?;
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value =
                serde_json::from_str(&line).with_context(|| format!("line {}: not a JSON object", n + 1))?;
            let Some(text) = value.get("text").and_then(|t| t.as_str()) else {
                bail!("line {}: no \"text\" field with a string", n + 1);
            };
            texts.push(text.to_string());
        }
        let results: Vec<String> = texts
            .par_iter()
            .map(|t| {
                let (text, spans) = detector.redact(t);
                serde_json::to_string(&Output { text: &text, spans: &spans }).unwrap_or_default()
            })
            .collect();
        for r in results {
            writeln!(out, "{r}")?;
        }
    } else {
        let mut text = String::new();
        input.read_to_string(&mut text).context("the input is not UTF-8 text")?;
        let (redacted, spans) = detector.redact(&text);
        if a.format == "json" {
            writeln!(out, "{}", serde_json::to_string(&Output { text: &redacted, spans: &spans })?)?;
        } else {
            write!(out, "{redacted}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
