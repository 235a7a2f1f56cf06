//! Full-text search over cases, request messages and archive units: one tantivy index in
//! the data folder, kept current from the database's change feed and rebuilt from it at any
//! time.
//!
//! - **Analysis**: every text is indexed folded (lower case, diacritics removed) for phrases,
//!   snippets and exact words, and once more stemmed in its own language (English, French,
//!   Spanish, German, Italian, Portuguese, Arabic), so "enfants" finds "enfant".
//! - **Names** have their own field, searched with an edit distance of one, so "Hamid" finds
//!   "Hamed".
//! - **Rights**: each document carries reader tokens (the owning member's casework, both sides
//!   of a request, the holding member's archivists, "open" for archive units past their
//!   opening day). Every query is intersected with the reader's tokens before anything is
//!   counted, so totals, facets and hits never include what the reader may not open.

mod analysis;
pub mod docs;
mod index;
pub mod sync;

pub use index::{Facets, Hit, Results, SearchIndex, SearchQuery};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The reader's query asks for something the index cannot answer (`title:*` on a field
    /// that is not a fast field, ...): a bad query, not a broken index.
    #[error("the query cannot be answered: {0}")]
    Query(String),
    #[error("the search index is in use by another process (a running server keeps it current)")]
    Locked,
    #[error(transparent)]
    Store(#[from] kinbridge_store::StoreError),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
