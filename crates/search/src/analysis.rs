//! Tokenizers: folded words for every field, and one stemmed analyser per language.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::Index;

pub const FOLDED: &str = "kb_folded";

/// The languages with their own stemmed field: (ISO 639-1 code, stemmer).
pub const LANGUAGES: [(&str, Language); 7] = [
    ("en", Language::English),
    ("fr", Language::French),
    ("es", Language::Spanish),
    ("de", Language::German),
    ("it", Language::Italian),
    ("pt", Language::Portuguese),
    ("ar", Language::Arabic),
];

pub fn stemmed_name(code: &str) -> String {
    format!("kb_{code}")
}

fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub fn register(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(FOLDED, folded());
    for (code, lang) in LANGUAGES {
        tokenizers.register(
            &stemmed_name(code),
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(48))
                .filter(LowerCaser)
                .filter(Stemmer::new(lang))
                .filter(AsciiFoldingFilter)
                .build(),
        );
    }
}
