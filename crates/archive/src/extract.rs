//! Text from a file: the file's own text where it has one (plain text, office documents, a
//! PDF's text layer), otherwise what Tesseract reads on its pages.
//!
//! Tesseract and Poppler run as separate processes, one page stream per process and
//! single-threaded (`OMP_THREAD_LIMIT=1`), with one process per core at the level above: a
//! corrupt scan can crash or hang the engine but never the server, no C library is linked into
//! the binary, and the engine's own command-line defaults (page segmentation mode 3) are the
//! ones that give its best accuracy.

use std::io::Read;
use std::path::Path;

use crate::limits;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The largest original accepted (a few hundred scanned pages).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Pages whose mean word confidence is under this are flagged for a person to check.
pub const REVIEW_BELOW: f32 = 60.0;
/// No engine run may take longer than this on one file.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    PlainText,
    Docx,
    Odt,
    Pdf,
    Png,
    Jpeg,
    Tiff,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            Self::PlainText => "text/plain; charset=utf-8",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Tiff => "image/tiff",
        }
    }

    /// The file-name extensions this kind of content may carry.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::PlainText => &["txt", "text", "md", "csv"],
            Self::Docx => &["docx"],
            Self::Odt => &["odt"],
            Self::Pdf => &["pdf"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Tiff => &["tif", "tiff"],
        }
    }
}

/// Why a file could not be imported; the code is stable (and translated in the UI), the
/// detail says what the engine said.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct ExtractError {
    pub code: &'static str,
    pub detail: String,
}

/// Every code an import can fail with, from reading the file (here and in [`limits`]) or from
/// recording it; each has a message in every catalogue (a test of the web crate checks).
pub const FAILURE_CODES: &[&str] = &[
    "empty_file",
    "unsupported_file_type",
    "extension_mismatch",
    "corrupt_file",
    "encrypted_file",
    "encrypted_pdf",
    "corrupt_pdf",
    "corrupt_image",
    "ocr_language_missing",
    "ocr_unavailable",
    "engine_timeout",
    "engine_crashed",
    "io_error",
    "unreadable_file",
    "file_too_large",
    "container_too_large",
    "expansion_ratio",
    "too_many_pages",
    "image_too_large",
    "text_too_long",
    "engine_output_too_large",
    "reference_code_taken",
    "database_error",
    "document_store_error",
];

pub(crate) fn fail(code: &'static str, detail: impl Into<String>) -> ExtractError {
    ExtractError { code, detail: detail.into() }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub no: u32,
    pub text: String,
    /// Mean word confidence (0–100) for recognised pages; `None` for text the file carried.
    pub confidence: Option<f32>,
}

impl Page {
    pub fn needs_review(&self) -> bool {
        self.confidence.is_some_and(|c| c < REVIEW_BELOW)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    FileText,
    PdfTextLayer,
    Ocr,
}

#[derive(Debug, Clone)]
pub struct Extracted {
    pub kind: FileKind,
    pub method: Method,
    pub pages: Vec<Page>,
}

impl Extracted {
    pub fn text(&self) -> String {
        self.pages.iter().map(|p| p.text.trim_end()).collect::<Vec<_>>().join("\n\n")
    }

    /// Mean confidence over the recognised pages, if any were recognised.
    pub fn confidence(&self) -> Option<f32> {
        let c: Vec<f32> = self.pages.iter().filter_map(|p| p.confidence).collect();
        (!c.is_empty()).then(|| c.iter().sum::<f32>() / c.len() as f32)
    }
}

/// Recognises the content from its first bytes, and checks that the file name agrees.
pub fn sniff(name: &str, bytes: &[u8]) -> Result<FileKind, ExtractError> {
    if bytes.is_empty() {
        return Err(fail("empty_file", "the file has no content"));
    }
    let kind = if bytes.starts_with(b"%PDF-") {
        FileKind::Pdf
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileKind::Png
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        FileKind::Jpeg
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        FileKind::Tiff
    } else if bytes.starts_with(b"PK\x03\x04") {
        office_kind(bytes)?
    } else if !bytes[..bytes.len().min(8192)].contains(&0) && looks_like_text(bytes) {
        FileKind::PlainText
    } else {
        return Err(fail("unsupported_file_type", "not a scan, PDF, office document or text"));
    };
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext {
        Some(ext) if !kind.extensions().contains(&ext.as_str()) => {
            Err(fail("extension_mismatch", format!("the content is {} but the name ends in .{ext}", kind.mime())))
        }
        _ => Ok(kind),
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    sample.iter().all(|b| *b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
}

fn office_kind(bytes: &[u8]) -> Result<FileKind, ExtractError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| fail("corrupt_file", format!("not a readable ZIP container: {e}")))?;
    if zip.by_name("word/document.xml").is_ok() {
        return Ok(FileKind::Docx);
    }
    let mut mimetype = String::new();
    if let Ok(mut f) = zip.by_name("mimetype") {
        let _ = f.by_ref().take(100).read_to_string(&mut mimetype);
    }
    if mimetype.trim() == "application/vnd.oasis.opendocument.text" || zip.by_name("content.xml").is_ok() {
        return Ok(FileKind::Odt);
    }
    Err(fail("unsupported_file_type", "a ZIP container that is neither DOCX nor ODT"))
}

/// Options for recognition: Tesseract language codes (`fra`, `eng`, ...).
#[derive(Debug, Clone)]
pub struct OcrOptions {
    pub languages: Vec<String>,
}

impl Default for OcrOptions {
    fn default() -> Self {
        Self { languages: vec!["eng".into(), "fra".into(), "spa".into()] }
    }
}

impl OcrOptions {
    fn lang_arg(&self) -> String {
        if self.languages.is_empty() {
            "eng".into()
        } else {
            self.languages.join("+")
        }
    }
}

/// The languages Tesseract has installed.
pub fn installed_languages() -> Result<Vec<String>, ExtractError> {
    let out = Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .map_err(|e| fail("ocr_unavailable", format!("tesseract could not start ({e}); install tesseract-ocr")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().skip(1).map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect())
}

/// Extracts the text of one file. `scratch` is a folder the call may use for page images.
/// The container is checked against [`limits`] first, and the text kept is bounded.
pub fn extract(name: &str, bytes: &[u8], ocr: &OcrOptions, scratch: &Path) -> Result<Extracted, ExtractError> {
    let (kind, read) = read_without_engines(name, bytes)?;
    let extracted = match read {
        Some(extracted) => extracted,
        None => read_with_engines(kind, bytes, ocr, scratch)?,
    };
    let chars: usize = extracted.pages.iter().map(|p| p.text.chars().count()).sum();
    if chars > limits::MAX_TEXT_CHARS {
        return Err(fail("text_too_long", format!("{chars} characters")));
    }
    Ok(extracted)
}

/// What can be learnt of an untrusted file without running an engine: its kind, its
/// container checked against [`limits`], and the text of a text or office file (`None` for a
/// scan or PDF, which the engines read). Pure, and what `fuzz/` feeds arbitrary bytes.
pub fn read_without_engines(name: &str, bytes: &[u8]) -> Result<(FileKind, Option<Extracted>), ExtractError> {
    let kind = sniff(name, bytes)?;
    limits::check(kind, bytes)?;
    let page = |text: String| Extracted {
        kind,
        method: Method::FileText,
        pages: vec![Page { no: 1, text, confidence: None }],
    };
    let read = match kind {
        FileKind::PlainText => Some(page(decode_text(bytes))),
        FileKind::Docx => Some(page(office_text(bytes, "word/document.xml", &["w:p", "w:br", "w:tab"])?)),
        FileKind::Odt => {
            Some(page(office_text(bytes, "content.xml", &["text:p", "text:h", "text:line-break", "text:tab"])?))
        }
        FileKind::Pdf | FileKind::Png | FileKind::Jpeg | FileKind::Tiff => None,
    };
    Ok((kind, read))
}

/// The property the container fuzzer (`fuzz/`) and its corpus test check: any bytes, under
/// the name of every kind the import accepts, are read without an engine to an answer (text
/// within [`limits::MAX_TEXT_CHARS`], or a refusal with its reason), never a panic.
pub fn check_untrusted(bytes: &[u8]) {
    for name in ["file.txt", "file.docx", "file.odt", "file.pdf", "file.png", "file.jpg", "file.tif"] {
        if let Ok((_, Some(read))) = read_without_engines(name, bytes) {
            let chars: usize = read.pages.iter().map(|p| p.text.len()).sum();
            assert!(chars as u64 <= limits::MAX_PART_BYTES.max(bytes.len() as u64), "{name}: {chars} bytes of text");
        }
    }
}

/// The text of a scan or a PDF, by Tesseract and Poppler.
fn read_with_engines(
    kind: FileKind,
    bytes: &[u8],
    ocr: &OcrOptions,
    scratch: &Path,
) -> Result<Extracted, ExtractError> {
    match kind {
        FileKind::PlainText | FileKind::Docx | FileKind::Odt => {
            Err(fail("unsupported_file_type", "a text or office file is read without an engine"))
        }
        FileKind::Pdf => pdf(bytes, ocr, scratch),
        FileKind::Png | FileKind::Jpeg | FileKind::Tiff => {
            let path = scratch.join(format!("scan.{}", kind.extensions()[0]));
            std::fs::write(&path, bytes).map_err(|e| fail("io_error", e.to_string()))?;
            let pages = tesseract(&path, ocr)?;
            Ok(Extracted { kind, method: Method::Ocr, pages })
        }
    }
}

/// UTF-8, or else a legacy single-byte encoding (Windows-1252 as the common superset of
/// Latin-1 for old typed records).
fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// The text of an office document's XML body: paragraphs and breaks become new lines, tags
/// go, entities are decoded.
fn office_text(bytes: &[u8], part: &str, breaks: &[&str]) -> Result<String, ExtractError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| fail("corrupt_file", format!("not a readable ZIP container: {e}")))?;
    let file = zip.by_name(part).map_err(|e| fail("corrupt_file", format!("{part}: {e}")))?;
    if file.encrypted() {
        return Err(fail("encrypted_file", "the document is protected by a password"));
    }
    let xml = limits::read_part(file, part)?;
    Ok(xml_text(&xml, breaks))
}

fn xml_text(xml: &str, breaks: &[&str]) -> String {
    let mut out = String::with_capacity(xml.len() / 4);
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else { break };
        let tag = &rest[lt + 1..lt + gt];
        let name = tag.trim_start_matches('/').split([' ', '/', '\t', '\n']).next().unwrap_or("");
        if breaks.contains(&name) {
            let closing = tag.starts_with('/');
            let empty = tag.ends_with('/');
            let tab = name.ends_with(":tab");
            if tab && !closing {
                out.push('\t');
            } else if closing || empty {
                out.push('\n');
            }
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_string()
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Runs a command with a time limit, returning its output.
fn run(mut cmd: Command, what: &str) -> Result<std::process::Output, ExtractError> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("OMP_THREAD_LIMIT", "1");
    let mut child = cmd.spawn().map_err(|e| {
        fail("ocr_unavailable", format!("{what} could not start ({e}); install tesseract-ocr and poppler-utils"))
    })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // Bounded: an engine asked to read a crafted file may write without end. What is past the
    // bound is drained and dropped, so that the engine is never blocked on a full pipe.
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout {
            let mut s = s.take(limits::MAX_ENGINE_OUTPUT + 1);
            let _ = s.read_to_end(&mut buf);
            let _ = std::io::copy(&mut s.into_inner(), &mut std::io::sink());
        }
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut s) = stderr {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > ENGINE_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail("engine_timeout", format!("{what} took longer than {} s", ENGINE_TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(fail("io_error", e.to_string())),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    if stdout.len() as u64 > limits::MAX_ENGINE_OUTPUT {
        return Err(fail(
            "engine_output_too_large",
            format!("{what} wrote more than {} bytes", limits::MAX_ENGINE_OUTPUT),
        ));
    }
    Ok(std::process::Output { status, stdout, stderr: err_reader.join().unwrap_or_default() })
}

/// Recognises an image file (every page of a multi-page TIFF): text per page with line breaks
/// as Tesseract found them, and the mean confidence of the words.
pub fn tesseract(path: &Path, ocr: &OcrOptions) -> Result<Vec<Page>, ExtractError> {
    let mut cmd = Command::new("tesseract");
    cmd.arg(path).arg("stdout").arg("-l").arg(ocr.lang_arg()).arg("--psm").arg("3").arg("tsv");
    let out = run(cmd, "tesseract")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let reason = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
        let code = if err.contains("Failed loading language") { "ocr_language_missing" } else { "corrupt_image" };
        return Err(fail(code, reason));
    }
    let pages = parse_tsv(&String::from_utf8_lossy(&out.stdout));
    if pages.is_empty() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("Error") || err.contains("rror in pix") {
            return Err(fail("corrupt_image", err.lines().next().unwrap_or("").to_string()));
        }
        return Ok(vec![Page { no: 1, text: String::new(), confidence: Some(0.0) }]);
    }
    Ok(pages)
}

/// Tesseract's TSV: one row per word with its page, block, paragraph and line numbers and
/// its confidence.
fn parse_tsv(tsv: &str) -> Vec<Page> {
    let mut pages: Vec<(u32, String, f32, u32)> = Vec::new();
    let mut last_line: Option<(u32, u32, u32, u32)> = None;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 {
            continue;
        }
        let num = |i: usize| cols[i].parse::<u32>().unwrap_or(0);
        let (level, page) = (num(0), num(1));
        if level == 1 && pages.last().is_none_or(|p| p.0 != page) {
            pages.push((page, String::new(), 0.0, 0));
            last_line = None;
        }
        if level != 5 {
            continue;
        }
        let word = cols[11].trim();
        let conf: f32 = cols[10].parse().unwrap_or(-1.0);
        if word.is_empty() {
            continue;
        }
        if pages.last().is_none_or(|p| p.0 != page) {
            pages.push((page, String::new(), 0.0, 0));
        }
        let line = (num(2), num(3), num(4), page);
        let Some(current) = pages.last_mut() else { continue };
        match last_line {
            Some(l) if l == line => current.1.push(' '),
            Some(l) if l.0 != line.0 || l.1 != line.1 => current.1.push_str("\n\n"),
            Some(_) => current.1.push('\n'),
            None => {}
        }
        current.1.push_str(word);
        if conf >= 0.0 {
            current.2 += conf;
            current.3 += 1;
        }
        last_line = Some(line);
    }
    pages
        .into_iter()
        .enumerate()
        .map(|(i, (_, text, sum, n))| Page {
            no: i as u32 + 1,
            text,
            confidence: Some(if n == 0 { 0.0 } else { sum / n as f32 }),
        })
        .collect()
}

/// A PDF: its text layer page by page where it has one; pages without text are rendered and
/// recognised.
fn pdf(bytes: &[u8], ocr: &OcrOptions, scratch: &Path) -> Result<Extracted, ExtractError> {
    let path = scratch.join("document.pdf");
    std::fs::write(&path, bytes).map_err(|e| fail("io_error", e.to_string()))?;
    let mut cmd = Command::new("pdfinfo");
    cmd.arg(&path);
    let info = run(cmd, "pdfinfo")?;
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: Option<usize> = info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok());
    if pages.is_some_and(|n| n > limits::MAX_PAGES) {
        return Err(fail("too_many_pages", format!("{} pages", pages.unwrap_or_default())));
    }
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-raw").arg("-enc").arg("UTF-8").arg("-l").arg(limits::MAX_PAGES.to_string()).arg(&path).arg("-");
    let out = run(cmd, "pdftotext")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        let code =
            if err.contains("ncorrect password") || err.contains("ncrypt") { "encrypted_pdf" } else { "corrupt_pdf" };
        return Err(fail(code, err.lines().next().unwrap_or("").trim().to_string()));
    }
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut layer: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if layer.last().is_some_and(|l| l.trim().is_empty()) {
        layer.pop();
    }
    if layer.is_empty() {
        return Err(fail("corrupt_pdf", "no pages"));
    }
    let mut pages = Vec::with_capacity(layer.len());
    let mut ocr_used = false;
    for (i, page_text) in layer.into_iter().enumerate() {
        let no = i as u32 + 1;
        if page_text.split_whitespace().count() >= 3 {
            pages.push(Page { no, text: page_text.trim().to_string(), confidence: None });
            continue;
        }
        // A scanned page: render it at 300 dpi and read it.
        ocr_used = true;
        let prefix = scratch.join(format!("page-{no}"));
        let mut cmd = Command::new("pdftoppm");
        cmd.arg("-r").arg("300").arg("-gray").arg("-png").arg("-singlefile");
        cmd.arg("-f").arg(no.to_string()).arg("-l").arg(no.to_string()).arg(&path).arg(&prefix);
        let out = run(cmd, "pdftoppm")?;
        if !out.status.success() {
            return Err(fail(
                "corrupt_pdf",
                String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("").to_string(),
            ));
        }
        let image = prefix.with_extension("png");
        let recognised = tesseract(&image, ocr)?;
        let _ = std::fs::remove_file(&image);
        let text = recognised.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n");
        let confidence = recognised.first().and_then(|p| p.confidence);
        pages.push(Page { no, text, confidence });
    }
    Ok(Extracted { kind: FileKind::Pdf, method: if ocr_used { Method::Ocr } else { Method::PdfTextLayer }, pages })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_content_and_names_must_agree() {
        assert_eq!(sniff("a.txt", b"Lettre du 3 mai").unwrap(), FileKind::PlainText);
        assert_eq!(sniff("a.PNG", b"\x89PNG\r\n\x1a\n....").unwrap(), FileKind::Png);
        assert_eq!(sniff("a.pdf", b"\x89PNG\r\n\x1a\n").unwrap_err().code, "extension_mismatch");
        assert_eq!(sniff("a.txt", b"").unwrap_err().code, "empty_file");
        assert_eq!(sniff("a.bin", &[0, 1, 2, 3, 0, 9]).unwrap_err().code, "unsupported_file_type");
        assert_eq!(sniff("a.docx", b"PK\x03\x04garbage").unwrap_err().code, "corrupt_file");
    }

    #[test]
    fn every_failure_code_in_the_source_is_listed() {
        for source in [
            include_str!("extract.rs"),
            include_str!("limits.rs"),
            include_str!("../../casework/src/archive_import.rs"),
        ] {
            for marker in ["fail(\"", "code: \""] {
                for piece in source.split(marker).skip(1) {
                    let code = piece.split('"').next().unwrap_or("");
                    if code.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !code.is_empty() {
                        assert!(FAILURE_CODES.contains(&code), "{code} is not in FAILURE_CODES");
                    }
                }
            }
        }
    }

    #[test]
    fn office_xml_becomes_lines() {
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>Rapport social</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">Enfant : L&#233;a &amp; fr&#xE8;re</w:t></w:r><w:br/><w:r><w:t>Gen&#232;ve</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(xml_text(xml, &["w:p", "w:br", "w:tab"]), "Rapport social\nEnfant : Léa & frère\nGenève");
    }

    #[test]
    fn legacy_text_is_read_as_windows_1252() {
        assert_eq!(decode_text(b"Fran\xe7ois \x96 \x80"), "François – €");
        assert_eq!(decode_text("Zoë".as_bytes()), "Zoë");
    }

    #[test]
    fn tesseract_tsv_to_pages() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tBonjour\n\
                   5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t80\tmadame\n\
                   5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t70\tGenève\n\
                   1\t2\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t2\t1\t1\t1\t1\t0\t0\t1\t1\t40\tFin\n";
        let pages = parse_tsv(tsv);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].text, "Bonjour madame\nGenève");
        assert_eq!(pages[0].confidence, Some(80.0));
        assert!(pages[1].needs_review());
    }
}
