//! Full-text search over cases, request messages and archive units: one tantivy index in
//! the data folder. An engine: it knows no database; the application keeps it current from
//! the change feed and rebuilds it (`casework::search_feed`).
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
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// The property the query fuzzer (`fuzz/`) and its corpus test check: any text, as a query of
/// a reader with every right, on a small index, answers with hits or with [`SearchError::Query`]
/// (a query the index cannot answer), never a panic or another error.
pub fn check_untrusted_query(text: &str) {
    use std::sync::OnceLock;
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let index = SearchIndex::in_memory().expect("an index in memory opens");
        for (i, (title, text, names)) in [
            (
                "Tracing of Amanuel's mother",
                "Separated in Libya in 2019; the mother lives in Hamburg.",
                "Amanuel Tesfay",
            ),
            ("Recherche des origines", "Adoptée en 1999 à Lagos, elle cherche sa mère biologique.", "Aminah Okafor"),
            ("Mediación familiar", "El padre vive en Valencia y la madre en Lyon.", "José García"),
        ]
        .into_iter()
        .enumerate()
        {
            index
                .put(docs::IndexDoc {
                    kind: "case",
                    id: format!("case-{i}"),
                    title: title.into(),
                    reference: format!("CH-2026-{i:04}"),
                    text: text.into(),
                    language: String::new(),
                    names: vec![names.into()],
                    readers: vec![docs::casework("m")],
                    open_from: None,
                    member: "CH".into(),
                    country: "CH".into(),
                    service: Some("family_tracing".into()),
                    level: None,
                    date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1 + i as u32),
                    target: format!("case-{i}"),
                })
                .expect("a document is indexed");
        }
        index.commit(0).expect("the index commits");
        index
    });
    let actor = kinbridge_domain::Actor {
        user_id: kinbridge_domain::ids::UserId::from_trusted("u".into()),
        member_id: kinbridge_domain::ids::MemberId::from_trusted("m".into()),
        role: kinbridge_domain::Role::Caseworker,
        training_hold: false,
    };
    let query = SearchQuery { text: text.to_string(), limit: 10, ..SearchQuery::default() };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("a date");
    match index.search(&actor, &query, today) {
        Ok(_) | Err(SearchError::Query(_)) => {}
        Err(e) => panic!("query {text:?} failed the index: {e}"),
    }
}
