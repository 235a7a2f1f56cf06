//! Compiles the naming cultures of `data/cultures/*.txt` into static tables, so that a
//! malformed file fails the build rather than a server at run time. Writes
//! `$OUT_DIR/cultures.rs` (see `src/lib.rs`).
//!
//! A culture file is `key: value` lines; a line that starts with spaces continues the value
//! before it; `#` starts a comment line. Lists are comma-separated; `~` is the empty string.

use std::collections::BTreeMap;
use std::fmt::Write;

const LISTS: &[&str] = &[
    "countries",
    "languages",
    "female",
    "male",
    "family",
    "suffixes",
    "parts_start",
    "parts_middle",
    "parts_end",
    "places",
];
const SINGLE: &[&str] = &["name", "patronymic", "script", "weight", "phone_prefix"];
const GENERATOR: &[&str] =
    &["script", "weight", "phone_prefix", "suffixes", "parts_start", "parts_middle", "parts_end", "places"];

fn main() {
    println!("cargo:rerun-if-changed=data/cultures");
    let dir = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("data/cultures");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the cultures folder")
        .map(|e| e.expect("a cultures folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for path in files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("a UTF-8 culture file");
        let fields = parse(&name, &text);
        let list = |key: &str| -> String {
            let values: Vec<String> = fields
                .get(key)
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim())
                        .map(|s| if s == "~" { String::new() } else { s.to_string() })
                        .collect()
                })
                .unwrap_or_default();
            let values: Vec<String> = values.into_iter().filter(|v| !v.is_empty() || key == "suffixes").collect();
            format!("&{values:?}")
        };
        let one = |key: &str| fields.get(key).unwrap_or_else(|| panic!("{name}: no {key}")).trim().to_string();
        let patronymic = match one("patronymic").as_str() {
            "yes" => true,
            "no" => false,
            other => panic!("{name}: patronymic is yes or no, not {other}"),
        };
        let generator = if fields.contains_key("script") {
            let script = match one("script").as_str() {
                "latin" => "Latin",
                "arabic" => "Arabic",
                "cyrillic" => "Cyrillic",
                "greek" => "Greek",
                "ethiopic" => "Ethiopic",
                "chinese" => "Chinese",
                other => panic!("{name}: unknown script {other}"),
            };
            let weight: u32 = one("weight").parse().unwrap_or_else(|_| panic!("{name}: weight is a number"));
            format!(
                "Some(Generator {{ script: Script::{script}, weight: {weight}, phone_prefix: {:?}, suffixes: {}, parts: [{}, {}, {}], places: {} }})",
                one("phone_prefix"),
                list("suffixes"),
                list("parts_start"),
                list("parts_middle"),
                list("parts_end"),
                list("places"),
            )
        } else {
            for key in GENERATOR {
                assert!(!fields.contains_key(*key), "{name}: {key} without a script");
            }
            "None".to_string()
        };
        writeln!(
            out,
            "    Culture {{ name: {:?}, countries: {}, languages: {}, patronymic: {patronymic}, female: {}, male: {}, family: {}, generator: {generator} }},",
            one("name"),
            list("countries"),
            list("languages"),
            list("female"),
            list("male"),
            list("family"),
        )
        .expect("writing to a string");
    }
    out.push(']');
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets it")).join("cultures.rs");
    std::fs::write(dest, out).expect("writing the cultures table");
}

fn parse(name: &str, text: &str) -> BTreeMap<String, String> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut last: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with(' ') {
            let key = last.as_ref().unwrap_or_else(|| panic!("{name}:{}: continuation of nothing", n + 1));
            let value = fields.get_mut(key).expect("the key just read");
            value.push(' ');
            value.push_str(line.trim());
            continue;
        }
        let (key, value) = line.split_once(':').unwrap_or_else(|| panic!("{name}:{}: not key: value", n + 1));
        let key = key.trim().to_string();
        assert!(LISTS.contains(&key.as_str()) || SINGLE.contains(&key.as_str()), "{name}:{}: unknown key {key}", n + 1);
        assert!(fields.insert(key.clone(), value.trim().to_string()).is_none(), "{name}:{}: {key} twice", n + 1);
        last = Some(key);
    }
    fields
}
