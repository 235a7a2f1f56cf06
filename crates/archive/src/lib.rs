//! Digitisation: text extraction and OCR (`extract`) within the bounds of what a file may
//! expand to (`limits`), and the import of a folder or an upload into a member's archive as
//! resumable background jobs (`import`).

pub mod extract;
pub mod import;
pub mod limits;
