//! Writes synthetic person records with known truth as CSV, for the matching benchmarks:
//! `synth OUT_DIR LEFT RIGHT [--native-script SHARE] [--overlap SHARE] [--seed N]`
//! writes OUT_DIR/left.csv, right.csv and truth.csv (left_id,right_id).

use std::io::{BufWriter, Write};

use kinbridge_matching::synth::{generate, SynthOptions, FIELDS};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: synth OUT_DIR LEFT RIGHT [--native-script SHARE] [--overlap SHARE] [--seed N]");
        std::process::exit(2);
    }
    let dir = std::path::PathBuf::from(&args[0]);
    let number = |s: &str| s.parse::<f64>().unwrap_or_else(|_| panic!("not a number: {s}"));
    let mut options =
        SynthOptions { left: number(&args[1]) as usize, right: number(&args[2]) as usize, ..SynthOptions::default() };
    let mut rest = args[3..].iter();
    while let Some(flag) = rest.next() {
        let value = number(rest.next().map(String::as_str).unwrap_or(""));
        match flag.as_str() {
            "--native-script" => options.native_script = value,
            "--overlap" => options.overlap = value,
            "--seed" => options.seed = value as u64,
            other => panic!("unknown option {other}"),
        }
    }
    std::fs::create_dir_all(&dir)?;
    let data = generate(&options);
    for (name, people) in [("left.csv", &data.left), ("right.csv", &data.right)] {
        let mut out = BufWriter::new(std::fs::File::create(dir.join(name))?);
        writeln!(out, "id,{}", FIELDS.join(","))?;
        for p in people.iter() {
            write!(out, "{}", p.id)?;
            for v in p.row() {
                write!(out, ",{}", quote(v))?;
            }
            writeln!(out)?;
        }
    }
    let mut out = BufWriter::new(std::fs::File::create(dir.join("truth.csv"))?);
    writeln!(out, "left_id,right_id")?;
    for (l, r) in &data.truth {
        writeln!(out, "{},{}", data.left[*l as usize].id, data.right[*r as usize].id)?;
    }
    eprintln!(
        "{} + {} records, {} true pairs in {}",
        data.left.len(),
        data.right.len(),
        data.truth.len(),
        dir.display()
    );
    Ok(())
}

fn quote(v: &str) -> String {
    if v.contains([',', '"', '\n']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}
