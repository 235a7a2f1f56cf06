//! What a file may expand to. A small file can unpack into gigabytes (a zip bomb), declare a
//! scan of a billion pixels, or chain pages for ever; each container is checked from its own
//! structure before any engine reads it, and what the engines give back is bounded too. Pure:
//! these checks read bytes only, so they can be fuzzed (`fuzz/`).

use std::io::Read;

use crate::extract::{fail, ExtractError, FileKind};

/// The most an office document's text part (or any part of its container) may expand to.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// The most a container's parts may expand to together.
pub const MAX_CONTAINER_BYTES: u64 = 256 * 1024 * 1024;
/// The most a part may expand per compressed byte (checked once it passes a mebibyte): real
/// documents stay well under 50, bombs go past 1,000.
pub const MAX_RATIO: u64 = 200;
/// The most entries a container may have.
pub const MAX_ENTRIES: usize = 10_000;
/// The most pages of a PDF or a multi-page scan.
pub const MAX_PAGES: usize = 2_000;
/// The most pixels of one scanned page (an A3 page at 600 dpi is 70 million).
pub const MAX_PIXELS: u64 = 150_000_000;
/// The most text kept of one item (a 2,000-page book is about 5 million characters).
pub const MAX_TEXT_CHARS: usize = 8_000_000;
/// The most output read from an engine (Tesseract's word table, pdftotext's text).
pub const MAX_ENGINE_OUTPUT: u64 = 256 * 1024 * 1024;

/// Checks a file's container before it is read: a zip's entries, a scan's pages and pixels.
pub fn check(kind: FileKind, bytes: &[u8]) -> Result<(), ExtractError> {
    match kind {
        FileKind::Docx | FileKind::Odt => check_zip(bytes),
        FileKind::Tiff => tiff_pages(bytes).and_then(|pages| pages.into_iter().try_for_each(check_pixels)),
        FileKind::Png => png_size(bytes).and_then(check_pixels),
        FileKind::Jpeg => jpeg_size(bytes).and_then(check_pixels),
        FileKind::PlainText | FileKind::Pdf => Ok(()),
    }
}

/// The declared sizes of a zip's entries, without expanding any.
fn check_zip(bytes: &[u8]) -> Result<(), ExtractError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| fail("corrupt_file", format!("not a readable ZIP container: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(fail("container_too_large", format!("{} entries", zip.len())));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| fail("corrupt_file", e.to_string()))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        total = total.saturating_add(size);
        if size > MAX_PART_BYTES || total > MAX_CONTAINER_BYTES {
            return Err(fail("container_too_large", format!("{name} expands to {size} bytes")));
        }
        if size > 1024 * 1024 && size / packed.max(1) > MAX_RATIO {
            return Err(fail("expansion_ratio", format!("{name} expands {}-fold", size / packed.max(1))));
        }
    }
    Ok(())
}

/// Reads one part of a zip, refusing it if it expands beyond [`MAX_PART_BYTES`] whatever its
/// entry declared.
pub fn read_part(part: impl Read, name: &str) -> Result<String, ExtractError> {
    let mut text = String::new();
    part.take(MAX_PART_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail("corrupt_file", format!("{name}: {e}")))?;
    if text.len() as u64 > MAX_PART_BYTES {
        return Err(fail("container_too_large", format!("{name} expands beyond {MAX_PART_BYTES} bytes")));
    }
    Ok(text)
}

fn check_pixels((width, height): (u32, u32)) -> Result<(), ExtractError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(fail("image_too_large", format!("a page of {width} × {height} pixels")));
    }
    Ok(())
}

/// The width and height of every page of a TIFF, from its chain of image directories.
pub fn tiff_pages(bytes: &[u8]) -> Result<Vec<(u32, u32)>, ExtractError> {
    let corrupt = |what: &str| fail("corrupt_image", format!("TIFF: {what}"));
    let little = match bytes.get(..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return Err(corrupt("no header")),
    };
    let u16_at = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 2)?;
        Some(u32::from(if little { u16::from_le_bytes([b[0], b[1]]) } else { u16::from_be_bytes([b[0], b[1]]) }))
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    };
    let mut pages = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut offset = u32_at(4).ok_or_else(|| corrupt("no first directory"))? as usize;
    while offset != 0 {
        if !seen.insert(offset) {
            return Err(corrupt("its pages loop"));
        }
        if pages.len() >= MAX_PAGES {
            return Err(fail("too_many_pages", format!("more than {MAX_PAGES} pages")));
        }
        let count = u16_at(offset).ok_or_else(|| corrupt("a directory past the end"))? as usize;
        let (mut width, mut height) = (None, None);
        for i in 0..count {
            let entry = offset + 2 + i * 12;
            let tag = u16_at(entry).ok_or_else(|| corrupt("a directory past the end"))?;
            let kind = u16_at(entry + 2).ok_or_else(|| corrupt("a directory past the end"))?;
            // A SHORT value sits in the first two bytes of the value field, a LONG in all four.
            let value = match kind {
                3 => u16_at(entry + 8),
                4 => u32_at(entry + 8),
                _ => None,
            };
            match tag {
                256 => width = value,
                257 => height = value,
                _ => {}
            }
        }
        pages.push((
            width.ok_or_else(|| corrupt("a page without width"))?,
            height.ok_or_else(|| corrupt("a page without height"))?,
        ));
        offset = u32_at(offset + 2 + count * 12).ok_or_else(|| corrupt("a directory past the end"))? as usize;
    }
    if pages.is_empty() {
        return Err(corrupt("no page"));
    }
    Ok(pages)
}

/// A PNG's width and height, from its header chunk.
pub fn png_size(bytes: &[u8]) -> Result<(u32, u32), ExtractError> {
    let field = |at: usize| bytes.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes);
    match (bytes.get(12..16), field(16), field(20)) {
        (Some(b"IHDR"), Some(w), Some(h)) => Ok((w, h)),
        _ => Err(fail("corrupt_image", "PNG: no header chunk")),
    }
}

/// A JPEG's width and height, from its start-of-frame segment.
pub fn jpeg_size(bytes: &[u8]) -> Result<(u32, u32), ExtractError> {
    let corrupt = || fail("corrupt_image", "JPEG: no frame header");
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return Err(corrupt());
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        // Start of frame: every SOFn but the table and colour markers that share the range.
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let b = bytes.get(at + 5..at + 9).ok_or_else(corrupt)?;
            let height = u32::from(u16::from_be_bytes([b[0], b[1]]));
            let width = u32::from(u16::from_be_bytes([b[2], b[3]]));
            return Ok((width, height));
        }
        if len < 2 {
            return Err(corrupt());
        }
        at += 2 + len;
    }
    Err(corrupt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
    }

    #[test]
    fn real_scans_pass_and_report_their_pages() {
        assert_eq!(tiff_pages(&fixture("report_1958.tif")).unwrap().len(), 2);
        let (w, h) = png_size(&fixture("lettre_1962.png")).unwrap();
        assert!(w > 500 && h > 500);
        let (w, h) = jpeg_size(&fixture("carta_1971.jpg")).unwrap();
        assert!(w > 500 && h > 500);
        for (name, kind) in [("rapporto_1985.docx", FileKind::Docx), ("relatorio_1990.odt", FileKind::Odt)] {
            check(kind, &fixture(name)).unwrap();
        }
    }

    #[test]
    fn a_page_of_a_billion_pixels_is_refused() {
        let mut png = fixture("lettre_1962.png");
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert_eq!(check(FileKind::Png, &png).unwrap_err().code, "image_too_large");
    }

    #[test]
    fn a_tiff_whose_pages_loop_is_refused() {
        // Little-endian header, one directory at 8 with width and height, pointing back at 8.
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&2u16.to_le_bytes());
        for (tag, value) in [(256u16, 100u32), (257, 100)] {
            tiff.extend_from_slice(&tag.to_le_bytes());
            tiff.extend_from_slice(&4u16.to_le_bytes());
            tiff.extend_from_slice(&1u32.to_le_bytes());
            tiff.extend_from_slice(&value.to_le_bytes());
        }
        tiff.extend_from_slice(&8u32.to_le_bytes());
        assert_eq!(tiff_pages(&tiff).unwrap_err().code, "corrupt_image");
    }
}
