//! Documents: what may be uploaded, recognised by content rather than by name.

use crate::error::FieldError;
use crate::ErrorCode;

/// The largest document accepted; scans of a few pages fit, a video does not.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// The kinds of document Kinbridge accepts, told from the bytes themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    /// DOCX or ODT: a ZIP container.
    OfficeDocument,
    PlainText,
}

impl ContentKind {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Tiff => "image/tiff",
            Self::OfficeDocument => "application/zip",
            Self::PlainText => "text/plain; charset=utf-8",
        }
    }

    /// Recognises the content; text must be valid UTF-8 so that it can be shown and indexed.
    pub fn sniff(bytes: &[u8]) -> Result<Self, FieldError> {
        let e = |code| FieldError::new("file", code);
        if bytes.is_empty() {
            return Err(e(ErrorCode::EmptyFile));
        }
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(e(ErrorCode::FileTooLarge));
        }
        let kind = if bytes.starts_with(b"%PDF-") {
            Self::Pdf
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Self::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Self::Jpeg
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            Self::Tiff
        } else if bytes.starts_with(b"PK\x03\x04") {
            Self::OfficeDocument
        } else if std::str::from_utf8(bytes).is_ok() {
            if bytes.contains(&0) {
                return Err(e(ErrorCode::UnsupportedFileType));
            }
            Self::PlainText
        } else if looks_like_text(bytes) {
            return Err(e(ErrorCode::InvalidUtf8));
        } else {
            return Err(e(ErrorCode::UnsupportedFileType));
        };
        Ok(kind)
    }
}

/// No control bytes but whitespace: a text file in a legacy encoding (Latin-1, Windows-1252)
/// rather than a binary, which almost always holds NULs or other control bytes.
fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(4096)];
    sample.iter().all(|b| *b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
}

/// A file name safe to show and to send back in a download header.
pub fn clean_filename(raw: &str) -> Result<String, FieldError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| {
            !c.is_control() && !crate::text::reorders(*c) && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*')
        })
        .take(200)
        .collect();
    let name = name.trim().trim_start_matches('.').to_string();
    if name.chars().all(crate::text::invisible) {
        Err(FieldError::new("file", ErrorCode::InvalidFilename))
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(ContentKind::sniff(b"%PDF-1.7 ...").unwrap(), ContentKind::Pdf);
        assert_eq!(ContentKind::sniff("Rapport social — Genève".as_bytes()).unwrap(), ContentKind::PlainText);
        assert_eq!(ContentKind::sniff(b"").unwrap_err().code, "empty_file");
        assert_eq!(ContentKind::sniff(b"caf\xe9 au lait").unwrap_err().code, "invalid_utf8");
        assert_eq!(ContentKind::sniff(b"r\xe9sum\xe9").unwrap_err().code, "invalid_utf8");
        assert_eq!(
            ContentKind::sniff(b"MZ\x90\x00\x03\x00\x00\x00\xff\xff").unwrap_err().code,
            "unsupported_file_type"
        );
    }

    #[test]
    fn filenames() {
        assert_eq!(clean_filename("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_filename("C:\\scans\\report \"1\".pdf").unwrap(), "report 1.pdf");
        assert!(clean_filename("..").is_err());
        assert_eq!(clean_filename("évil\u{202E}txt.exe").unwrap(), "éviltxt.exe", "no override to hide .exe");
        assert!(clean_filename("\u{202E}\u{200B}").is_err());
    }
}
