//! The tantivy index: schema, writing with a checkpoint of the change feed, and searching
//! within the reader's rights.

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use chrono::NaiveDate;
use kinbridge_domain::{Actor, Role};
use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
    STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use crate::analysis::{self, FOLDED, LANGUAGES};
use crate::docs::{self, IndexDoc};
use crate::{Result, SearchError};

/// The dimensions results are counted by.
pub const FACETS: [&str; 7] = ["kind", "member", "country", "service", "year", "level", "language"];

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    target: Field,
    title: Field,
    reference: Field,
    text: Field,
    stemmed: [Field; 7],
    names: Field,
    readers: Field,
    open_from: Field,
    date: Field,
    facets: Field,
    member: Field,
    year: Field,
    language: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let folded = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(FOLDED)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let key = b.add_text_field("key", STRING);
    let kind = b.add_text_field("kind", STRING | STORED);
    let id = b.add_text_field("id", STRING | STORED);
    let target = b.add_text_field("target", STORED);
    let title = b.add_text_field("title", folded(true));
    let reference = b.add_text_field("reference", folded(true));
    let text = b.add_text_field("text", folded(true));
    // Stemmed words without positions: they widen single words ("visits" finds "visit"), while
    // a phrase is matched word for word on the folded text (the query parser leaves fields
    // without positions out of phrases). Phrases over the stemmed copy too doubled their cost.
    let stemmed = LANGUAGES.map(|(code, _)| {
        b.add_text_field(
            &format!("text_{code}"),
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(&analysis::stemmed_name(code))
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        )
    });
    let names = b.add_text_field("names", folded(false));
    let readers = b.add_text_field("readers", STRING);
    let open_from = b.add_i64_field("open_from", NumericOptions::default().set_indexed().set_fast());
    let date = b.add_i64_field("date", NumericOptions::default().set_indexed().set_fast());
    let facets = b.add_facet_field("facets", FacetOptions::default());
    let member = b.add_text_field("member", STORED);
    let year = b.add_i64_field("year", STORED);
    let language = b.add_text_field("language", STORED);
    (
        b.build(),
        Fields {
            key,
            kind,
            id,
            target,
            title,
            reference,
            text,
            stemmed,
            names,
            readers,
            open_from,
            date,
            facets,
            member,
            year,
            language,
        },
    )
}

/// Days since 1970-01-01, the index's date scale.
fn days(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()
}

/// What to look for, and within what.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// (dimension, value) pairs; values of one dimension are alternatives.
    pub filters: Vec<(String, String)>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Hit {
    pub kind: String,
    pub id: String,
    /// The case or unit the hit opens.
    pub target: String,
    pub title: String,
    pub reference: String,
    pub score: f32,
    /// The snippet as text, and the highlighted parts as (start, end) byte ranges within it.
    pub snippet: String,
    pub highlights: Vec<(usize, usize)>,
    pub member: String,
    pub year: Option<i64>,
    pub language: String,
}

impl Hit {
    /// The snippet cut into (text, highlighted) parts, for a template to escape and mark.
    pub fn parts(&self) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let mut at = 0;
        for &(s, e) in &self.highlights {
            if s > at {
                out.push((self.snippet[at..s].to_string(), false));
            }
            out.push((self.snippet[s..e].to_string(), true));
            at = e;
        }
        if at < self.snippet.len() {
            out.push((self.snippet[at..].to_string(), false));
        }
        out
    }
}

pub type Facets = Vec<(String, Vec<(String, u64)>)>;

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// The index, its reader and (for the process that keeps it current) its writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    /// Names matched within one letter (words of four letters or more).
    parser: QueryParser,
    /// Names matched as written (shorter words).
    exact: QueryParser,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if there is none. With `write`, takes the
    /// writer (one process at a time).
    pub fn open(dir: &Path, write: bool) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let (schema, _) = schema();
        let index = if dir.join("meta.json").exists() {
            let index = Index::open_in_dir(dir)?;
            if index.schema() != schema {
                // An index from an older version: start again (reindex fills it).
                drop(index);
                for entry in std::fs::read_dir(dir)? {
                    let p = entry?.path();
                    if p.is_file() {
                        std::fs::remove_file(p)?;
                    }
                }
                Index::create_in_dir(dir, schema)?
            } else {
                index
            }
        } else {
            Index::create_in_dir(dir, schema)?
        };
        Self::over(index, write)
    }

    /// An index in memory, with the writer: for checks of the query parser (`fuzz/`).
    pub fn in_memory() -> Result<Self> {
        Self::over(Index::create_in_ram(schema().0), true)
    }

    fn over(mut index: Index, write: bool) -> Result<Self> {
        let (_, fields) = schema();
        analysis::register(&index);
        // A query reads its segments in parallel, one thread per core: a phrase over a sixth
        // of a million items takes half the time (searches run outside the async runtime).
        index.set_default_multithread_executor()?;
        let writer = if write { Some(Self::writer(&index)?) } else { None };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let mut defaults = vec![fields.title, fields.reference, fields.text, fields.names];
        defaults.extend(fields.stemmed);
        let mut exact = QueryParser::for_index(&index, defaults);
        exact.set_conjunction_by_default();
        exact.set_field_boost(fields.title, 2.0);
        exact.set_field_boost(fields.reference, 2.0);
        exact.set_field_boost(fields.names, 1.5);
        let mut parser = exact.clone();
        parser.set_field_fuzzy(fields.names, false, 1, true);
        Ok(Self { index, reader, writer: Mutex::new(writer), fields, parser, exact })
    }

    pub fn can_write(&self) -> bool {
        self.writer.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// The last change of the feed this index has taken in (0: none).
    pub fn checkpoint(&self) -> Result<i64> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn with_writer<T>(&self, f: impl FnOnce(&mut IndexWriter) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let w = guard.as_mut().ok_or(SearchError::Locked)?;
        f(w)
    }

    /// Replaces (or adds) a document.
    pub fn put(&self, doc: IndexDoc) -> Result<()> {
        let f = self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.key, IndexDoc::key(doc.kind, &doc.id));
        d.add_text(f.kind, doc.kind);
        d.add_text(f.id, &doc.id);
        d.add_text(f.target, &doc.target);
        d.add_text(f.title, &doc.title);
        d.add_text(f.reference, &doc.reference);
        d.add_text(f.text, &doc.text);
        if let Some(i) = LANGUAGES.iter().position(|(c, _)| *c == doc.language) {
            d.add_text(f.stemmed[i], format!("{}\n{}", doc.title, doc.text));
        }
        for n in &doc.names {
            d.add_text(f.names, n);
        }
        for r in &doc.readers {
            d.add_text(f.readers, r);
        }
        d.add_i64(f.open_from, doc.open_from.map(days).unwrap_or(i64::MAX));
        if let Some(date) = doc.date {
            d.add_i64(f.date, days(date));
            d.add_i64(f.year, i64::from(doc.year().unwrap_or_default()));
            d.add_facet(f.facets, Facet::from_path(["year".to_string(), doc.year().unwrap_or_default().to_string()]));
        }
        d.add_text(f.member, &doc.member);
        d.add_text(f.language, &doc.language);
        let mut facet = |dim: &str, v: &str| {
            if !v.is_empty() {
                d.add_facet(f.facets, Facet::from_path([dim, v]));
            }
        };
        facet("kind", doc.kind);
        facet("member", &doc.member);
        facet("country", &doc.country);
        facet("language", &doc.language);
        if let Some(s) = &doc.service {
            facet("service", s);
        }
        if let Some(l) = &doc.level {
            facet("level", l);
        }
        let key = Term::from_field_text(f.key, &IndexDoc::key(doc.kind, &doc.id));
        self.with_writer(|w| {
            w.delete_term(key);
            w.add_document(d)?;
            Ok(())
        })
    }

    pub fn delete(&self, kind: &str, id: &str) -> Result<()> {
        let key = Term::from_field_text(self.fields.key, &IndexDoc::key(kind, id));
        self.with_writer(|w| {
            w.delete_term(key);
            Ok(())
        })
    }

    pub fn delete_all(&self) -> Result<()> {
        self.with_writer(|w| {
            w.delete_all_documents()?;
            Ok(())
        })
    }

    /// Commits what was written, recording how far in the change feed it goes, and makes it
    /// visible to searches.
    pub fn commit(&self, checkpoint: i64) -> Result<()> {
        self.with_writer(|w| {
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&checkpoint.to_string());
            prepared.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Waits until the background merges of what was committed are done, so searches run over
    /// a few large segments (after a rebuild: many small segments make every query slower).
    pub fn finish_merges(&self) -> Result<()> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(w) = guard.take() {
            w.wait_merging_threads()?;
            *guard = Some(Self::writer(&self.index)?);
        }
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// How many segments the index is made of.
    pub fn segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    fn writer(index: &Index) -> Result<IndexWriter> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
        match index.writer_with_num_threads(threads, 48_000_000 * threads) {
            Ok(w) => Ok(w),
            Err(tantivy::TantivyError::LockFailure(..)) => Err(SearchError::Locked),
            Err(e) => Err(e.into()),
        }
    }

    /// Sees commits made by another process (the CLI reading a server's index).
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// The reader's words as a query: every word must occur; a name of four letters or more
    /// is also found within one letter of it. A shorter word is not: within one letter,
    /// "Lê" is "la", "li", "lo", ... and a one-character Chinese name any character at all.
    /// Lenient: a stray quote or bracket searches what it can rather than failing.
    fn parse(&self, text: &str) -> Box<dyn Query> {
        let fuzzy_enough = |w: &str| w.chars().filter(|c| c.is_alphanumeric()).count() >= 4;
        let syntax = text.contains(|c: char| "\"()[]{}:+-^*~!".contains(c))
            || text.split_whitespace().any(|w| matches!(w, "AND" | "OR" | "NOT" | "IN"));
        if syntax {
            // The query language: fuzzy names only if no word is short.
            let words = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty());
            let parser = if words.clone().all(fuzzy_enough) { &self.parser } else { &self.exact };
            return parser.parse_query_lenient(text).0;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .map(|w| {
                let parser = if fuzzy_enough(w) { &self.parser } else { &self.exact };
                (Occur::Must, parser.parse_query_lenient(w).0)
            })
            .collect();
        match clauses.len() {
            0 => self.exact.parse_query_lenient(text).0,
            1 => clauses.remove(0).1,
            _ => Box::new(BooleanQuery::new(clauses)),
        }
    }

    /// What the actor may find: `None` if nothing at all.
    fn rights(&self, actor: &Actor, today: NaiveDate) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let term = |t: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(f.readers, t), IndexRecordOption::Basic))
        };
        let open = || -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term(docs::OPEN)),
                (
                    Occur::Must,
                    Box::new(RangeQuery::new(
                        Bound::Unbounded,
                        Bound::Included(Term::from_field_i64(f.open_from, days(today))),
                    )),
                ),
            ]))
        };
        let member = actor.member_id.as_str();
        match actor.role {
            Role::SystemAdmin => Some(term(docs::ADMIN)),
            // Held from case files until their training is renewed: open archives only.
            Role::Caseworker | Role::Supervisor if actor.training_hold => Some(open()),
            Role::Caseworker | Role::Supervisor => Some(Box::new(BooleanQuery::new(vec![
                (Occur::Should, term(&docs::casework(member))),
                (Occur::Should, open()),
            ]))),
            Role::Archivist => Some(Box::new(BooleanQuery::new(vec![
                (Occur::Should, term(&docs::archivist(member))),
                (Occur::Should, open()),
            ]))),
            _ => None,
        }
    }

    /// Searches within the actor's rights: hits, their total and the facet counts are all of
    /// documents the actor may open.
    pub fn search(&self, actor: &Actor, q: &SearchQuery, today: NaiveDate) -> Result<Results> {
        let f = self.fields;
        let Some(rights) = self.rights(actor, today) else {
            return Ok(Results { total: 0, hits: Vec::new(), facets: Vec::new() });
        };
        let text = q.text.trim();
        let user_query: Box<dyn Query> = if text.is_empty() { Box::new(AllQuery) } else { self.parse(text) };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, user_query.box_clone()), (Occur::Must, rights)];
        for dim in FACETS {
            let values: Vec<&str> = q.filters.iter().filter(|(d, _)| d == dim).map(|(_, v)| v.as_str()).collect();
            if values.is_empty() {
                continue;
            }
            let alternatives: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    let facet = Facet::from_path([dim, v]);
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(Term::from_facet(f.facets, &facet), IndexRecordOption::Basic))
                            as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
        }
        if q.from.is_some() || q.to.is_some() {
            let lo = q.from.map(|d| Bound::Included(Term::from_field_i64(f.date, days(d)))).unwrap_or(Bound::Unbounded);
            let hi = q.to.map(|d| Bound::Included(Term::from_field_i64(f.date, days(d)))).unwrap_or(Bound::Unbounded);
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let mut facets = FacetCollector::for_field("facets");
        for dim in FACETS {
            facets.add_facet(Facet::from_path([dim]));
        }
        let limit = q.limit.clamp(1, 200);
        let top = TopDocs::with_limit(limit).and_offset(q.offset.min(10_000)).order_by_score();
        let (top, total, facet_counts) = searcher.search(&query, &(top, Count, facets)).map_err(|e| match e {
            TantivyError::SchemaError(m) | TantivyError::InvalidArgument(m) => SearchError::Query(m),
            TantivyError::FieldNotFound(m) => SearchError::Query(m),
            other => SearchError::Index(other),
        })?;
        let snippets = if text.is_empty() {
            None
        } else {
            let mut g = SnippetGenerator::create(&searcher, &*user_query, f.text)?;
            g.set_max_num_chars(220);
            Some(g)
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let s = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let (snippet, highlights) = match &snippets {
                Some(g) => {
                    let sn = g.snippet_from_doc(&doc);
                    let hl = sn.highlighted().iter().map(|r| (r.start, r.end)).collect();
                    (sn.fragment().to_string(), hl)
                }
                None => (s(f.text).chars().take(220).collect(), Vec::new()),
            };
            let (snippet, highlights) = if snippet.is_empty() {
                (s(f.text).chars().take(220).collect(), Vec::new())
            } else {
                (snippet, highlights)
            };
            hits.push(Hit {
                kind: s(f.kind),
                id: s(f.id),
                target: s(f.target),
                title: s(f.title),
                reference: s(f.reference),
                score,
                snippet,
                highlights,
                member: s(f.member),
                year: doc.get_first(f.year).and_then(|v| v.as_i64()),
                language: s(f.language),
            });
        }
        let facets = FACETS
            .iter()
            .map(|dim| {
                let root = format!("/{dim}");
                let mut values: Vec<(String, u64)> = facet_counts
                    .get(&root)
                    .map(|(facet, n)| (facet.to_path().last().map(|s| s.to_string()).unwrap_or_default(), n))
                    .collect();
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                values.truncate(if *dim == "year" { 50 } else { 20 });
                (dim.to_string(), values)
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Ok(Results { total: total as u64, hits, facets })
    }
}
