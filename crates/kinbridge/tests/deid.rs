//! `kinbridge deid` through the real binary: text, JSON with character offsets, JSON lines,
//! and bad input refused with nothing written.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn deid(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kinbridge"))
        .arg("deid")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kinbridge runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn text_json_and_json_lines() {
    let note = "Mme Léa Dupont (née le 4 mars 1985) a écrit à lea.dupont@exemple.fr depuis le +33 6 12 34 56 78.";
    let out = deid(&["--lang", "fr"], note);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "Mme [PERSON] (née le [DATE]) a écrit à [EMAIL] depuis le [PHONE].");

    let out = deid(&["--format", "json"], note);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let chars: Vec<char> = note.chars().collect();
    let spans = v["spans"].as_array().unwrap();
    let found: Vec<(String, String)> = spans
        .iter()
        .map(|s| {
            let (a, b) = (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize);
            (s["type"].as_str().unwrap().to_string(), chars[a..b].iter().collect())
        })
        .collect();
    assert!(found.contains(&("person".into(), "Léa Dupont".into())), "offsets in characters: {found:?}");
    assert!(found.contains(&("email".into(), "lea.dupont@exemple.fr".into())), "{found:?}");
    assert!(spans.iter().all(|s| s["confidence"].as_f64().unwrap() > 0.0));

    let batch =
        "{\"text\": \"Call Amanuel Tesfay on +41 22 555 01 23.\"}\n\n{\"text\": \"Nothing here.\", \"id\": 7}\n";
    let out = deid(&["--format", "jsonl", "--lang", "en"], batch);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["text"], "Call [PERSON] on [PHONE].");
    assert_eq!(lines[1]["spans"], serde_json::json!([]));
}

#[test]
fn bad_input_is_refused_with_nothing_written() {
    let out = deid(&["--format", "jsonl"], "{\"text\": \"Amanuel Tesfay\"}\nnot json\n");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no partial output");
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
    let out = deid(&["--format", "jsonl"], "{\"body\": \"x\"}\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"text\""));
    let out = deid(&["--lang", "xx"], "text");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown language"));
    let out = deid(&["--format", "yaml"], "text");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format"));
}
