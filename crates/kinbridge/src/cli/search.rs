//! `kinbridge reindex` rebuilds the search index from the database; `kinbridge search`
//! queries it as a given account (the system administrator by default).

use std::process::ExitCode;

use anyhow::{bail, Context};
use kinbridge_casework::{Caller, Casework};
use kinbridge_domain::Role;
use kinbridge_search::{SearchError, SearchIndex, SearchQuery};

use super::DataOptions;

#[derive(clap::Args)]
pub struct SearchArgs {
    /// What to look for: words, "a phrase", names (matched within one letter).
    pub query: String,
    /// Print a JSON array of hits instead of one hit per line.
    #[arg(long)]
    pub json: bool,
    /// Search with the rights of this account (default: the system administrator).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_user: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Only hits of this kind: case, request or unit.
    #[arg(long)]
    pub kind: Option<String>,
}

/// The index folder inside the data folder.
pub fn index_dir(data: &DataOptions) -> std::path::PathBuf {
    data.data_dir.join("search")
}

/// Opens the index, taking the writer if no server holds it (then brings it up to date).
pub async fn open_current(store: &Casework, data: &DataOptions) -> anyhow::Result<SearchIndex> {
    match SearchIndex::open(&index_dir(data), true) {
        Ok(index) => {
            store.prepare_index(&index).await?;
            Ok(index)
        }
        // A running server holds the writer and keeps the index current.
        Err(SearchError::Locked) => Ok(SearchIndex::open(&index_dir(data), false)?),
        Err(e) => Err(e.into()),
    }
}

pub async fn reindex(data: &DataOptions) -> anyhow::Result<ExitCode> {
    let store = data.open().await?;
    let index = match SearchIndex::open(&index_dir(data), true) {
        Ok(i) => i,
        Err(SearchError::Locked) => bail!("the search index is in use by a running server; stop it first"),
        Err(e) => return Err(e.into()),
    };
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} documents  {per_sec}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let n = store.reindex(&index, |n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    store.close().await;
    println!("Search index rebuilt: {n} documents in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

pub async fn search(data: &DataOptions, a: SearchArgs) -> anyhow::Result<ExitCode> {
    let store = data.open().await?;
    let user = match &a.as_user {
        Some(email) => store.user_by_email(email).await?.with_context(|| format!("no active account {email}"))?,
        None => store.first_user_with_role(Role::SystemAdmin).await?.context(
            "there is no system administrator account; create one with `kinbridge user add --role system_admin` or pass --as EMAIL",
        )?,
    };
    let index = open_current(&store, data).await?;
    let caller = Caller { actor: user.actor(), ip: None };
    let mut q = SearchQuery { text: a.query.clone(), limit: a.limit, ..SearchQuery::default() };
    if let Some(k) = &a.kind {
        q.filters.push(("kind".into(), k.clone()));
    }
    let results = index.search(&caller.actor, &q, kinbridge_casework::today())?;
    store.audit_search(&caller, &a.query, results.total).await?;
    store.close().await;
    if a.json {
        let hits: Vec<serde_json::Value> = results
            .hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "kind": h.kind, "id": h.id, "title": h.title, "score": h.score, "snippet": h.snippet,
                    "reference": h.reference, "target": h.target,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else {
        for h in &results.hits {
            let snippet: String = h.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
            println!("{}\t{}\t{:.3}\t{}\t{}", h.kind, h.id, h.score, h.title, snippet);
        }
        eprintln!("{} hits", results.total);
    }
    Ok(ExitCode::SUCCESS)
}
