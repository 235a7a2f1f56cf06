//! Digitisation: text extraction and OCR (`extract`), and the import of a folder or an upload
//! into a member's archive as resumable background jobs (`import`).

pub mod extract;
pub mod import;
