//! Every input of the query fuzzer's corpus (`fuzz/corpus/search_query`), the ones that once
//! found a bug included, searched as the fuzzer searches them.

#[test]
fn the_query_corpus_answers() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/search_query");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            kinbridge_search::check_untrusted_query(text);
            n += 1;
        }
    }
    assert!(n >= 20, "the corpus is in {}", dir.display());
}
