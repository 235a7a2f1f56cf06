//! `kinbridge research rebuild`: the de-identified copies of every closed case and archive
//! item, built again
//! (after a change of rules or of the pseudonymisation key). Copies are otherwise kept current
//! by the server's background jobs as cases close and reopen, and from the change feed as
//! archive items are imported, changed or deleted.

use std::process::ExitCode;

use super::DataOptions;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Rebuild the research corpus from the closed cases and the archive items.
    Rebuild,
}

pub async fn run(data: &DataOptions, c: Command) -> anyhow::Result<ExitCode> {
    let Command::Rebuild = c;
    let store = data.open().await?;
    let started = std::time::Instant::now();
    let built = store.rebuild_research_corpus().await;
    store.close().await;
    let (cases, items) = built?;
    println!(
        "Research corpus rebuilt: {cases} closed cases and {items} archive items de-identified in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
