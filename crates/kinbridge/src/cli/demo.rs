//! `kinbridge demo`: the demo network, for trying Kinbridge and for benchmarks.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use kinbridge_casework::Casework;
use kinbridge_demo::{DemoError, DEMO_PASSWORD};

use super::DataOptions;

#[derive(clap::Args)]
pub struct Args {
    /// How many cases to generate.
    #[arg(long, default_value_t = 3000)]
    cases: usize,
    /// Seed of the generator; the same seed gives the same network.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

pub async fn run(data: &DataOptions, args: Args) -> anyhow::Result<ExitCode> {
    let store = data.open().await?;
    load(&store, args.cases, args.seed).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// For `serve --demo`: loads the demo only into an empty database.
pub async fn load_if_empty(store: &Casework, cases: usize) -> anyhow::Result<()> {
    match load(store, cases, 2026).await {
        Err(e) if matches!(e.downcast_ref::<DemoError>(), Some(DemoError::NotEmpty)) => {
            println!("The database has data already; the demo was not loaded again. Demo accounts use the password '{DEMO_PASSWORD}'.");
            Ok(())
        }
        other => other,
    }
}

async fn load(store: &Casework, cases: usize, seed: u64) -> anyhow::Result<()> {
    let bar = ProgressBar::new(cases as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} cases, {per_sec}, ETA {eta}")?.progress_chars("=> "),
    );
    bar.set_message("Loading the demo network");
    let summary = kinbridge_demo::load(store, cases, seed, &|done| bar.set_position(done as u64)).await?;
    bar.finish_and_clear();
    println!(
        "Demo network loaded: {} members, {} accounts, {} cases, {} requests.",
        summary.members, summary.users, summary.cases, summary.requests
    );
    println!("Sign in with any of these (password: {DEMO_PASSWORD}):");
    for l in &summary.highlights {
        println!("  {:<40} {:<24} {}", l.email, l.role, l.member);
    }
    println!("Every member CODE has caseworker@, caseworker2@, supervisor@ and admin@CODE.kinbridge.example (lower-case code).");
    Ok(())
}
