//! Containers that expand far beyond their size are refused with a reason before anything is
//! kept: a DOCX whose text part unpacks to hundreds of megabytes, one that unpacks a
//! thousand-fold, and an ODT likewise.

use std::io::Write;

use kinbridge_archive::extract::{extract, OcrOptions};

/// An office document whose text part is `size` bytes of one repeated paragraph.
fn office_bomb(text_part: &str, size: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(size > u32::MAX as usize);
    if text_part == "content.xml" {
        zip.start_file("mimetype", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.text").unwrap();
    }
    zip.start_file(text_part, options).unwrap();
    zip.write_all(b"<w:document><w:body><w:p><w:r><w:t>").unwrap();
    let chunk = vec![b'A'; 1 << 20];
    let mut written = 0;
    while written < size {
        let n = chunk.len().min(size - written);
        zip.write_all(&chunk[..n]).unwrap();
        written += n;
    }
    zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>").unwrap();
    zip.finish().unwrap().into_inner()
}

fn refused(name: &str, bytes: &[u8]) -> &'static str {
    let scratch = std::env::temp_dir().join(format!("kb-limits-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let result = extract(name, bytes, &OcrOptions::default(), &scratch);
    std::fs::remove_dir_all(&scratch).ok();
    match result {
        Ok(e) => panic!("a bomb was accepted: {} pages", e.pages.len()),
        Err(e) => e.code,
    }
}

#[test]
fn a_docx_that_expands_beyond_the_part_limit_is_refused() {
    let bomb = office_bomb("word/document.xml", 80 << 20);
    assert!(bomb.len() < 1 << 20, "a small file: {} bytes", bomb.len());
    assert_eq!(refused("bomb.docx", &bomb), "container_too_large");
}

#[test]
fn a_docx_that_expands_a_thousandfold_is_refused() {
    let bomb = office_bomb("word/document.xml", 8 << 20);
    assert_eq!(refused("bomb.docx", &bomb), "expansion_ratio");
}

#[test]
fn an_odt_bomb_is_refused_too() {
    let bomb = office_bomb("content.xml", 8 << 20);
    assert_eq!(refused("bomb.odt", &bomb), "expansion_ratio");
}

#[test]
fn a_part_that_expands_beyond_what_it_declared_is_cut_off_and_refused() {
    // What a lying entry header would hand the reader: more bytes than the limit.
    let endless = std::io::Read::take(std::io::repeat(b'a'), kinbridge_archive::limits::MAX_PART_BYTES + 10);
    let err = kinbridge_archive::limits::read_part(endless, "word/document.xml").unwrap_err();
    assert_eq!(err.code, "container_too_large");
}
