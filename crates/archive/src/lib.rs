//! Digitisation: text extraction and OCR (`extract`) within the bounds of what a file may
//! expand to (`limits`). An engine: it reads bytes and files and knows no database (the
//! import jobs that feed it are the casework crate's `archive_import`).

pub mod extract;
pub mod limits;
