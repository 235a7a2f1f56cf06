//! `kinbridge link` on CSV files, through the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn link(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kinbridge"))
        .current_dir(dir)
        .args(["link"])
        .args(args)
        .output()
        .expect("kinbridge runs")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kb-link-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A registry of 200 people and a second registry holding 60 of them again, written by other
/// hands: other spellings, other scripts, names swapped, dates with day and month exchanged.
fn write_registries(dir: &Path) -> Vec<(String, String)> {
    let data = kinbridge_matching::synth::generate(&kinbridge_matching::synth::SynthOptions {
        left: 400,
        right: 200,
        overlap: 0.5,
        native_script: 0.5,
        ..Default::default()
    });
    let write = |name: &str, people: &[kinbridge_matching::synth::Person], id_col: &str| {
        let mut w = csv::Writer::from_path(dir.join(name)).unwrap();
        // Column names as a member's spreadsheet has them: recognised without --field.
        w.write_record([
            id_col,
            "Prénom",
            "Surname",
            "Sex",
            "Date of birth",
            "Place",
            "Father name",
            "Phone",
            "Passport",
        ])
        .unwrap();
        for p in people {
            let mut row = vec![p.id.as_str()];
            row.extend(p.row());
            w.write_record(row).unwrap();
        }
        w.flush().unwrap();
    };
    write("left.csv", &data.left, "ref");
    write("right.csv", &data.right, "ref");
    data.truth.iter().map(|(l, r)| (data.left[*l as usize].id.clone(), data.right[*r as usize].id.clone())).collect()
}

#[test]
fn links_two_registries_across_scripts_with_explanations() {
    let dir = temp_dir("two");
    let truth = write_registries(&dir);
    let out = link(&dir, &["left.csv", "right.csv", "--id-column", "ref", "--out", "pairs.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Surname as family_name") && stderr.contains("Date of birth as birth_date"), "{stderr}");
    let mut reader = csv::Reader::from_path(dir.join("pairs.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..3], ["left_id", "right_id", "probability"]);
    assert!(header.contains(&"Surname_agreement".to_string()) && header.contains(&"Surname_weight".to_string()));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let found: std::collections::HashSet<(String, String)> = rows.iter().map(|r| (r[0].into(), r[1].into())).collect();
    let hits = truth.iter().filter(|t| found.contains(t)).count();
    let recall = hits as f64 / truth.len() as f64;
    let precision = hits as f64 / found.len() as f64;
    assert!(recall > 0.85 && precision > 0.9, "recall {recall}, precision {precision}");
    for r in &rows {
        let p: f64 = r[2].parse().unwrap();
        assert!((0.5..=1.0).contains(&p), "threshold respected: {p}");
    }
    // A pair across scripts is explained field by field.
    let cross = rows.iter().find(|r| r.iter().any(|f| f == "variant or phonetic")).expect("a phonetic agreement");
    assert!(cross.iter().any(|f| f.parse::<f64>().is_ok_and(|w| w > 1.0)));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn deduplicates_one_file_with_a_config() {
    let dir = temp_dir("dedupe");
    std::fs::write(
        dir.join("registry.csv"),
        "no,nom,prenom,naissance,lieu\n\
         1,Haddad,Mohammed,1987-03-25,Aleppo\n\
         2,حداد,محمد,25/03/1987,Aleppo\n\
         3,Shevchenko,Olena,1990-01-02,Kharkiv\n\
         4,Шевченко,Олена,1990-02-01,Kharkiv\n\
         5,Tesfay,Yohannes,2009-05-05,Asmara\n\
         6,Wang,Xiaoming,1979-11-30,Wenzhou\n\
         7,Nguyen,Lan,1984-07-14,Hai Phong\n\
         8,Diallo,Mamadou,1999-09-09,Conakry\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("link.conf"),
        "# column = role\nid_column = no\nnom = family_name\nprenom = given_name\nnaissance = birth_date\nlieu = place\n",
    )
    .unwrap();
    let out =
        link(&dir, &["registry.csv", "--config", "link.conf", "--no-guess", "--threshold", "0.3", "--out", "d.csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pairs: Vec<(String, String)> = csv::Reader::from_path(dir.join("d.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    assert!(pairs.contains(&("1".into(), "2".into())), "Arabic script duplicate found: {pairs:?}");
    assert!(pairs.contains(&("3".into(), "4".into())), "Cyrillic duplicate with day/month swap found: {pairs:?}");
    assert_eq!(pairs.len(), 2, "nothing else proposed: {pairs:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_is_explained() {
    let dir = temp_dir("bad");
    std::fs::write(dir.join("a.csv"), "id,surname\n1,Haddad\n").unwrap();
    std::fs::write(dir.join("ragged.csv"), "id,surname\n1,Haddad,extra\n").unwrap();
    for (args, expected) in [
        (&["a.csv", "--id-column", "nope"][..], "no column \"nope\""),
        (&["a.csv"][..], "--id-column"),
        (&["a.csv", "--id-column", "id", "--field", "surname=nickname"][..], "unknown role \"nickname\""),
        (&["a.csv", "--id-column", "id", "--field", "surname"][..], "COLUMN=ROLE"),
        (&["missing.csv", "--id-column", "id"][..], "cannot read missing.csv"),
        (&["ragged.csv", "--id-column", "id"][..], "row 2"),
        (&["a.csv", "--id-column", "id", "--threshold", "1.5"][..], "--threshold"),
    ] {
        let out = link(&dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!dir.join("pairs.csv").exists(), "nothing written on error");
    }
    std::fs::remove_dir_all(&dir).ok();
}
