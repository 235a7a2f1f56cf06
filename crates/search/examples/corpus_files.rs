//! Writes the benchmark corpus as plain-text files (a title line, then the text), a thousand per
//! folder, for the end-to-end ingest benchmark (`bench/ingest/run.sh`).
//!
//! Usage: corpus_files ITEMS OUT_DIR

#[path = "corpus/mod.rs"]
mod corpus;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let out = std::path::PathBuf::from(args.get(2).cloned().unwrap_or_else(|| "bench/out/ingest/files".into()));
    let (items, _) = corpus::corpus(n, 2027);
    for (i, it) in items.iter().enumerate() {
        let dir = out.join(format!("box{:04}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&dir)?;
        }
        std::fs::write(dir.join(format!("{i:08}_{}.txt", it.lang)), format!("{}\n\n{}\n", it.title, it.text))?;
    }
    Ok(())
}
