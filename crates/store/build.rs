//! Embeds the migrations: `migrations/NNNN_name.sql` serve both databases, and
//! `NNNN_name.sqlite.sql` / `NNNN_name.postgres.sql` one each, where their SQL must differ.
//! Writes the list to `$OUT_DIR/migrations.rs` (see `src/migrations.rs`).

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let dir = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the migrations folder")
        .map(|e| e.expect("a migrations folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 file name");
        let stem = name.trim_end_matches(".sql");
        let (stem, backend) = match stem.rsplit_once('.') {
            Some((s, "sqlite")) => (s, "Some(Backend::Sqlite)"),
            Some((s, "postgres")) => (s, "Some(Backend::Postgres)"),
            Some((_, other)) => panic!("{name}: unknown backend {other}"),
            None => (stem, "None"),
        };
        let (version, description) = stem.split_once('_').expect("NNNN_name.sql");
        let version: i64 = version.parse().expect("a numeric migration version");
        writeln!(
            out,
            "    Embedded {{ version: {version}, description: {:?}, backend: {backend}, sql: include_str!({:?}) }},",
            description.replace('_', " "),
            path.display().to_string()
        )
        .expect("writing to a string");
    }
    out.push(']');
    let target = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets it")).join("migrations.rs");
    std::fs::write(target, out).expect("write the migration list");
}
