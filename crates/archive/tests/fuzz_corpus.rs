//! Every input of the container fuzzer's corpus (`fuzz/corpus/containers`), the ones that
//! once found a bug included, read as the fuzzer reads them.

#[test]
fn the_container_corpus_reads_to_an_answer() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/containers");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        kinbridge_archive::extract::check_untrusted(&bytes);
        n += 1;
    }
    assert!(n >= 10, "the corpus is in {}", dir.display());
}
