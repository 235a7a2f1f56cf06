//! Blocking: which pairs of records are compared at all. Several rules each give a record a
//! few keys; two records become a candidate pair when they share a key under any rule. Keys are
//! phonetic and cross-script, so a name written in two scripts still meets itself; a key shared
//! by too many records (a block larger than the cap) is skipped, which keeps the number of pairs
//! near-linear in the number of records.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::FxHasher;

use crate::field::{Role, Value};

/// A blocking rule over the fields of a link.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    /// Fields whose agreement the rule implies, left out of the EM session trained on its pairs.
    pub fields: Vec<usize>,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Phonetic keys of given and family name, in either order.
    NamePair { given: usize, family: usize },
    /// Every pair of words of a full name, in either order.
    FullNameWords { name: usize },
    /// The full date of birth and the initial of any name.
    DateInitial { date: usize, names: Vec<usize> },
    /// The year of birth, the phonetic key of a name and the initial of the other name (when
    /// recorded): catches a misspelt or changed name without pairing every namesake of a year.
    YearName { date: usize, name: usize, other: Option<usize> },
    /// Equal blocking strings of every listed field.
    Fields(Vec<usize>),
}

impl Rule {
    /// The rules that suit the fields present (`roles[i]` is the role of field `i`).
    pub fn for_fields(roles: &[Role]) -> Vec<Rule> {
        let find = |r: Role| roles.iter().position(|x| *x == r);
        let names: Vec<usize> = (0..roles.len())
            .filter(|&i| matches!(roles[i], Role::GivenName | Role::FamilyName | Role::FullName))
            .collect();
        let mut rules = Vec::new();
        let mut add = |name: &str, fields: Vec<usize>, kind: Kind| rules.push(Rule { name: name.into(), fields, kind });
        let (given, family, full) = (find(Role::GivenName), find(Role::FamilyName), find(Role::FullName));
        let date = find(Role::BirthDate);
        if let (Some(g), Some(f)) = (given, family) {
            add("given and family name, either order", vec![g, f], Kind::NamePair { given: g, family: f });
        }
        if let Some(n) = full {
            add("two words of the full name", vec![n], Kind::FullNameWords { name: n });
        }
        if let Some(d) = date {
            if !names.is_empty() {
                add("date of birth and an initial", vec![d], Kind::DateInitial { date: d, names: names.clone() });
            }
            if let Some(g) = given.or(full) {
                add("year of birth and given name", vec![d, g], Kind::YearName { date: d, name: g, other: family });
            }
            if let Some(f) = family {
                add("year of birth and family name", vec![d, f], Kind::YearName { date: d, name: f, other: given });
            }
        }
        for role in [Role::IdNumber, Role::Phone] {
            if let Some(i) = find(role) {
                add(role.as_str(), vec![i], Kind::Fields(vec![i]));
            }
        }
        let postcode = find(Role::Postcode);
        let street_number = find(Role::StreetNumber);
        let address = find(Role::Address);
        if let (Some(p), Some(s)) = (postcode, street_number) {
            add("postcode and street number", vec![p, s], Kind::Fields(vec![p, s]));
        }
        if let (Some(p), Some(f)) = (postcode, family.or(full)) {
            add("postcode and family name", vec![p, f], Kind::Fields(vec![p, f]));
        }
        if let (Some(a), Some(s)) = (address, street_number) {
            add("street and number", vec![a, s], Kind::Fields(vec![a, s]));
        }
        if let (Some(a), Some(r)) = (address, find(Role::Region)) {
            add("street and region", vec![a, r], Kind::Fields(vec![a, r]));
        }
        if let (Some(p), Some(f)) = (find(Role::Place), family.or(full)) {
            add("place and family name", vec![p, f], Kind::Fields(vec![p, f]));
        }
        if let (Some(p), Some(d)) = (find(Role::ParentName), date) {
            add("parent's name and date of birth", vec![p, d], Kind::Fields(vec![p, d]));
        }
        rules
    }

    /// Appends the keys of one record under this rule.
    pub fn keys(&self, rule_index: usize, rec: &[Value], out: &mut Vec<u64>) {
        let hash = |parts: &[&str]| {
            let mut h = FxHasher::default();
            rule_index.hash(&mut h);
            parts.hash(&mut h);
            h.finish()
        };
        match &self.kind {
            Kind::NamePair { given, family } => {
                if let (Some(g), Some(f)) = (rec[*given].name(), rec[*family].name()) {
                    let (a, b) = if g.key <= f.key { (&g.key, &f.key) } else { (&f.key, &g.key) };
                    out.push(hash(&[a, b]));
                }
            }
            Kind::FullNameWords { name } => {
                if let Some(n) = rec[*name].name() {
                    if n.words.is_empty() {
                        out.push(hash(&[&n.key]));
                    }
                    let words = &n.words[..n.words.len().min(5)];
                    for (i, (_, a)) in words.iter().enumerate() {
                        for (_, b) in &words[i + 1..] {
                            let (x, y) = if a <= b { (a, b) } else { (b, a) };
                            out.push(hash(&[x, y]));
                        }
                    }
                }
            }
            Kind::DateInitial { date, names } => {
                if let Value::Date(d) = &rec[*date] {
                    if d.month == 0 || d.day == 0 {
                        return;
                    }
                    let ymd = format!("{}-{}-{}", d.year, d.month, d.day);
                    let mut initials: Vec<&str> = Vec::with_capacity(4);
                    for &n in names {
                        if let Some(name) = rec[n].name() {
                            initials.push(&name.key[..name.key.len().min(1)]);
                            for (_, k) in name.words.iter() {
                                initials.push(&k[..k.len().min(1)]);
                            }
                        }
                    }
                    initials.sort_unstable();
                    initials.dedup();
                    for i in initials {
                        out.push(hash(&[&ymd, i]));
                    }
                }
            }
            Kind::YearName { date, name, other } => {
                if let (Value::Date(d), Some(n)) = (&rec[*date], rec[*name].name()) {
                    let year = d.year.to_string();
                    match other.and_then(|o| rec[o].name()) {
                        Some(o) => out.push(hash(&[&year, &n.key, &o.key[..o.key.len().min(1)]])),
                        None => out.push(hash(&[&year, &n.key])),
                    }
                }
            }
            Kind::Fields(fields) => {
                let mut parts: Vec<&str> = Vec::with_capacity(fields.len());
                for &f in fields {
                    match block_string(&rec[f]) {
                        Some(s) => parts.push(s),
                        None => return,
                    }
                }
                out.push(hash(&parts));
            }
        }
    }
}

fn block_string(v: &Value) -> Option<&str> {
    match v {
        Value::Name(n) => Some(&n.key),
        Value::Code(c) => Some(c),
        Value::Text(t) => Some(&t.main_word),
        _ => None,
    }
}

/// Candidate pairs, sorted by (left, right), with the rules that proposed each.
pub struct Candidates {
    pub pairs: Vec<(u32, u32)>,
    /// Bit `i` set when rule `i` proposed the pair.
    pub rules: Vec<u32>,
    /// Blocks skipped because they exceeded the cap, per rule.
    pub skipped_blocks: Vec<u64>,
}

/// Finds candidate pairs between `left` and `right` (or within `left` when `right` is None),
/// skipping blocks with more than `max_block_pairs` pairs.
pub fn candidates(
    rules: &[Rule],
    left: &[Box<[Value]>],
    right: Option<&[Box<[Value]>]>,
    max_block_pairs: u64,
) -> Candidates {
    let dedupe = right.is_none();
    let right = right.unwrap_or(left);
    let mut all: Vec<(u64, u32)> = Vec::new();
    let mut skipped_blocks = vec![0u64; rules.len()];
    for (ri, rule) in rules.iter().enumerate().take(32) {
        let keys_of = |records: &[Box<[Value]>]| -> Vec<(u64, u32)> {
            let mut keyed: Vec<(u64, u32)> = records
                .par_iter()
                .enumerate()
                .fold(Vec::new, |mut acc, (i, rec)| {
                    let mut buf = Vec::new();
                    rule.keys(ri, rec, &mut buf);
                    buf.sort_unstable();
                    buf.dedup();
                    acc.extend(buf.into_iter().map(|k| (k, i as u32)));
                    acc
                })
                .flatten()
                .collect();
            keyed.par_sort_unstable();
            keyed
        };
        let lk = keys_of(left);
        let rk = if dedupe { Vec::new() } else { keys_of(right) };
        let rk = if dedupe { &lk } else { &rk };
        // Walk both sorted key lists together, block by block.
        let blocks = sorted_blocks(&lk, rk);
        let (pairs, skipped): (Vec<Vec<(u64, u32)>>, Vec<u64>) = blocks
            .par_iter()
            .map(|&(l0, l1, r0, r1)| {
                let (nl, nr) = ((l1 - l0) as u64, (r1 - r0) as u64);
                let size = if dedupe { nl * nl.saturating_sub(1) / 2 } else { nl * nr };
                if size > max_block_pairs {
                    return (Vec::new(), 1);
                }
                let mut out = Vec::with_capacity(size as usize);
                for &(_, l) in &lk[l0..l1] {
                    for &(_, r) in &rk[r0..r1] {
                        if dedupe && l >= r {
                            continue;
                        }
                        out.push(((l as u64) << 32 | r as u64, 1u32 << ri));
                    }
                }
                (out, 0)
            })
            .unzip();
        skipped_blocks[ri] = skipped.iter().sum();
        all.extend(pairs.into_iter().flatten());
    }
    all.par_sort_unstable_by_key(|p| p.0);
    let mut pairs = Vec::with_capacity(all.len());
    let mut masks: Vec<u32> = Vec::with_capacity(all.len());
    let mut last = u64::MAX;
    for (p, m) in all {
        if p == last {
            if let Some(x) = masks.last_mut() {
                *x |= m;
            }
        } else {
            pairs.push(((p >> 32) as u32, p as u32));
            masks.push(m);
            last = p;
        }
    }
    Candidates { pairs, rules: masks, skipped_blocks }
}

/// Ranges `[l0, l1)` × `[r0, r1)` of equal keys in two sorted lists.
fn sorted_blocks(lk: &[(u64, u32)], rk: &[(u64, u32)]) -> Vec<(usize, usize, usize, usize)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < lk.len() && j < rk.len() {
        let (a, b) = (lk[i].0, rk[j].0);
        if a < b {
            i += 1;
        } else if a > b {
            j += 1;
        } else {
            let i1 = i + lk[i..].iter().take_while(|x| x.0 == a).count();
            let j1 = j + rk[j..].iter().take_while(|x| x.0 == a).count();
            out.push((i, i1, j, j1));
            i = i1;
            j = j1;
        }
    }
    out
}
