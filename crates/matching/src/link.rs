//! Linking two sets of person records, or deduplicating one: prepare, block, train, score.

use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::blocking::{self, Rule};
use crate::field::{self, Role, Value};
use crate::model::{self, FieldModel, Model, Pattern, TermFrequencies, MAX_FIELDS};

/// One field of the records: its name (for the explanation) and its role.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub name: String,
    pub role: Role,
}

/// Prepared records: ids and one value per field, in the order of the field specs.
pub struct Dataset {
    pub ids: Vec<String>,
    pub records: Vec<Box<[Value]>>,
}

impl Dataset {
    /// Prepares raw rows (`rows[i][f]` is the text of field `f` of record `i`) in parallel.
    /// `reference_year` turns estimated ages ("~12") into years of birth.
    pub fn prepare(specs: &[FieldSpec], ids: Vec<String>, rows: &[Vec<String>], reference_year: i32) -> Dataset {
        let parent = specs.iter().position(|s| s.role == Role::ParentName);
        let family = specs.iter().position(|s| s.role == Role::FamilyName);
        let records = rows
            .par_iter()
            .map(|row| {
                let mut values: Vec<Value> = specs
                    .iter()
                    .enumerate()
                    .map(|(f, s)| row.get(f).map_or(Value::Missing, |raw| Value::prepare(s.role, raw, reference_year)))
                    .collect();
                if let (Some(p), Some(f)) = (parent, family) {
                    without_family_name(&mut values, p, f, &row[p], reference_year);
                }
                values.into_boxed_slice()
            })
            .collect();
        Dataset { ids, records }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// A parent usually carries the child's family name (or, where the family name is the
/// father's name, is that name): counting it again in the parent's name would count one piece
/// of evidence twice. The parent's name is compared without it.
fn without_family_name(values: &mut [Value], parent: usize, family: usize, raw: &str, year: i32) {
    let Some(family_key) = values[family].name().map(|n| n.key.clone()) else { return };
    if values[parent].name().is_none() {
        return;
    }
    let folded = crate::normalize::fold(raw);
    let words: Vec<&str> = folded.split(' ').collect();
    let kept: Vec<&str> = words.iter().copied().filter(|w| crate::phonetic::key(w) != *family_key).collect();
    if !kept.is_empty() && kept.len() < words.len() {
        values[parent] = Value::prepare(Role::ParentName, &kept.join(" "), year);
    }
}

#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Pairs below this match probability are not returned.
    pub threshold: f64,
    /// Blocks with more candidate pairs than this are skipped.
    pub max_block_pairs: u64,
    /// Random pairs drawn to estimate u.
    pub u_samples: usize,
    pub em_iterations: usize,
    pub seed: u64,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions { threshold: 0.5, max_block_pairs: 5_000, u_samples: 300_000, em_iterations: 50, seed: 42 }
    }
}

/// A scored pair of records.
#[derive(Debug, Clone)]
pub struct Pair {
    pub left: u32,
    pub right: u32,
    pub probability: f64,
    /// Total match weight (log2 odds).
    pub weight: f64,
    pub pattern: Pattern,
    /// Whether given and family name were compared crosswise.
    pub swapped_names: bool,
}

impl Pair {
    /// Per field: the agreement label and the weight it contributed (log2 Bayes factor).
    pub fn explain(&self, model: &Model, left: &[Value]) -> Vec<(&'static str, f64)> {
        model
            .fields
            .iter()
            .enumerate()
            .map(|(f, fm)| {
                let l = model::level(self.pattern, f);
                let label = if l == 0 { "null" } else { fm.role.levels()[l - 1] };
                (label, fm.log2_bf(l, &left[f]))
            })
            .collect()
    }
}

/// What a link produced and how.
pub struct LinkReport {
    pub model: Model,
    pub rules: Vec<String>,
    pub skipped_blocks: Vec<u64>,
    pub candidate_pairs: usize,
    pub pairs: Vec<Pair>,
    /// Seconds per stage.
    pub timings: Vec<(&'static str, f64)>,
}

/// Progress: a stage name, work done and work in all.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Links `left` to `right`, or finds duplicates within `left` when `right` is None.
pub fn link(
    specs: &[FieldSpec],
    left: &Dataset,
    right: Option<&Dataset>,
    options: &LinkOptions,
    progress: Progress<'_>,
) -> Result<LinkReport, String> {
    if specs.is_empty() || specs.len() > MAX_FIELDS {
        return Err(format!("between 1 and {MAX_FIELDS} fields can be compared, not {}", specs.len()));
    }
    let roles: Vec<Role> = specs.iter().map(|s| s.role).collect();
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, f64)>| {
        timings.push((name, clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };
    let right_records = right.map(|r| r.records.as_slice());
    let other = right_records.unwrap_or(&left.records);

    // Blocking.
    progress("blocking", 0, 1);
    let rules = Rule::for_fields(&roles);
    let cands = blocking::candidates(&rules, &left.records, right_records, options.max_block_pairs);
    lap("blocking", &mut timings);

    // Comparison vectors of all candidates.
    let swap = name_swap_fields(&roles);
    let n = cands.pairs.len() as u64;
    let chunk = 1 << 16;
    let patterns: Vec<(Pattern, bool)> = cands
        .pairs
        .par_chunks(chunk)
        .enumerate()
        .flat_map_iter(|(ci, pairs)| {
            progress("comparing", (ci * chunk) as u64, n);
            pairs.iter().map(|&(l, r)| compare_records(&roles, swap, &left.records[l as usize], &other[r as usize]))
        })
        .collect();
    progress("comparing", n, n);
    lap("comparing", &mut timings);

    // u: exact agreement from value frequencies, other levels from random pairs.
    let mut fields: Vec<FieldModel> = specs.iter().map(|s| FieldModel::new(&s.name, s.role)).collect();
    estimate_u(&mut fields, &roles, left, right, options);
    lap("estimating u", &mut timings);

    // m: one EM session per blocking rule, leaving out the fields the rule makes agree.
    progress("training", 0, rules.len() as u64);
    let mut m_sum: Vec<Vec<f64>> = fields.iter().map(|f| vec![0.0; f.m.len()]).collect();
    for (ri, rule) in rules.iter().enumerate() {
        let mut counts: FxHashMap<Pattern, f64> = FxHashMap::default();
        for (i, mask) in cands.rules.iter().enumerate() {
            if mask & (1 << ri) != 0 {
                *counts.entry(patterns[i].0).or_default() += 1.0;
            }
        }
        let agg: Vec<(Pattern, f64)> = counts.into_iter().collect();
        let total: f64 = agg.iter().map(|p| p.1).sum();
        if total < 50.0 {
            continue;
        }
        let active: Vec<bool> = (0..fields.len()).map(|f| !rule.fields.contains(&f)).collect();
        let mut m: Vec<Vec<f64>> = fields.iter().map(|f| f.m.clone()).collect();
        let mut u: Vec<Vec<f64>> = fields.iter().map(|f| f.u.clone()).collect();
        // Both classes are free within a session: its non-matches are not random pairs (they
        // share the blocking key, and often a culture, a town, a family), so the u of random
        // pairs would push look-alikes into the match class.
        let mut lambda = 0.3;
        model::em(&agg, &mut m, &mut u, &mut lambda, &active, true, options.em_iterations);
        for f in (0..fields.len()).filter(|&f| active[f]) {
            for (acc, v) in m_sum[f].iter_mut().zip(&m[f]) {
                *acc += v;
            }
            fields[f].m_sessions += 1;
        }
        progress("training", ri as u64 + 1, rules.len() as u64);
    }
    for (f, fm) in fields.iter_mut().enumerate() {
        if fm.m_sessions > 0 {
            fm.m = m_sum[f].iter().map(|s| s / fm.m_sessions as f64).collect();
            model::normalise(&mut fm.m);
        }
    }
    // lambda: the expected number of matches among all candidates, over all possible pairs.
    let mut counts: FxHashMap<Pattern, f64> = FxHashMap::default();
    for p in &patterns {
        *counts.entry(p.0).or_default() += 1.0;
    }
    let agg: Vec<(Pattern, f64)> = counts.into_iter().collect();
    let mut m: Vec<Vec<f64>> = fields.iter().map(|f| f.m.clone()).collect();
    let mut u: Vec<Vec<f64>> = fields.iter().map(|f| f.u.clone()).collect();
    let mut lambda_candidates = 0.1;
    let frozen: Vec<bool> = vec![true; fields.len()];
    lambda_only_em(&agg, &mut m, &mut u, &mut lambda_candidates, &frozen, options.em_iterations);
    let all_pairs = match right {
        Some(r) => left.len() as f64 * r.len() as f64,
        None => left.len() as f64 * (left.len() as f64 - 1.0) / 2.0,
    };
    let expected_matches = (lambda_candidates * patterns.len() as f64).max(1.0);
    let lambda = (expected_matches / all_pairs.max(1.0)).clamp(1e-12, 0.5);
    let model = Model { lambda, fields };
    lap("training", &mut timings);

    // Scoring.
    let prior = model.prior_weight();
    let threshold_weight = (options.threshold / (1.0 - options.threshold).max(1e-12)).log2();
    let pairs: Vec<Pair> = cands
        .pairs
        .par_iter()
        .zip(patterns.par_iter())
        .filter_map(|(&(l, r), &(pattern, swapped_names))| {
            let rec = &left.records[l as usize];
            let weight = prior
                + model
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(f, fm)| fm.log2_bf(model::level(pattern, f), &rec[f]))
                    .sum::<f64>();
            (weight >= threshold_weight).then(|| Pair {
                left: l,
                right: r,
                probability: model::probability(weight),
                weight,
                pattern,
                swapped_names,
            })
        })
        .collect();
    lap("scoring", &mut timings);
    Ok(LinkReport {
        model,
        rules: rules.iter().map(|r| r.name.clone()).collect(),
        skipped_blocks: cands.skipped_blocks,
        candidate_pairs: cands.pairs.len(),
        pairs,
        timings,
    })
}

/// A model for finding duplicates in `data` when there are too few known duplicates to train
/// m by EM (a member's caseload, the network's person index): m from the agreement rates
/// learnt on the generated benchmark population, u from `data` itself (random pairs and value
/// frequencies, which need no matches), and a prior that about one record in fifty has a
/// duplicate somewhere.
pub fn prior_model(specs: &[FieldSpec], data: &Dataset, options: &LinkOptions) -> Model {
    let roles: Vec<Role> = specs.iter().map(|s| s.role).collect();
    let mut fields: Vec<FieldModel> = specs
        .iter()
        .map(|s| {
            let mut f = FieldModel::new(&s.name, s.role);
            f.m = match s.role {
                Role::GivenName | Role::FamilyName | Role::FullName | Role::ParentName => {
                    vec![0.74, 0.20, 0.03, 0.02, 0.01]
                }
                Role::BirthDate => vec![0.80, 0.11, 0.007, 0.08, 0.002, 0.001],
                Role::Sex => vec![0.99, 0.01],
                Role::StreetNumber => vec![0.95, 0.05],
                Role::Place | Role::Address | Role::Region => vec![0.82, 0.14, 0.01, 0.03],
                Role::Postcode | Role::IdNumber | Role::Phone => vec![0.95, 0.03, 0.01, 0.01],
            };
            f
        })
        .collect();
    estimate_u(&mut fields, &roles, data, None, options);
    // A small population says little about chance agreement: its u leans on typical values
    // until there are thousands of records, and term frequencies are used only then.
    let n = data.len().max(2) as f64;
    let trust = n / (n + 2_000.0);
    for fm in fields.iter_mut() {
        let typical: &[f64] = match fm.role {
            Role::GivenName | Role::FamilyName | Role::FullName | Role::ParentName => {
                &[0.002, 0.006, 0.0005, 0.008, 0.9835]
            }
            Role::BirthDate => &[0.00005, 0.001, 0.0015, 0.026, 0.21, 0.76145],
            Role::Sex => &[0.5, 0.5],
            Role::StreetNumber => &[0.01, 0.99],
            Role::Place | Role::Address | Role::Region => &[0.005, 0.001, 0.01, 0.984],
            Role::Postcode | Role::IdNumber | Role::Phone => &[0.000005, 0.00001, 0.0001, 0.999885],
        };
        for (u, t) in fm.u.iter_mut().zip(typical) {
            *u = trust * *u + (1.0 - trust) * t;
        }
        model::normalise(&mut fm.u);
        if data.len() < 2_000 {
            fm.tf = None;
        }
    }
    Model { lambda: (0.02 / n).clamp(1e-12, 0.5), fields }
}

/// EM on lambda alone (m and u fixed): the share of matches among the candidates.
fn lambda_only_em(
    patterns: &[(Pattern, f64)],
    m: &mut [Vec<f64>],
    u: &mut [Vec<f64>],
    lambda: &mut f64,
    active: &[bool],
    iterations: usize,
) {
    let m_fixed = m.to_vec();
    for _ in 0..iterations {
        let before = *lambda;
        model::em(patterns, m, u, lambda, active, false, 1);
        m.clone_from_slice(&m_fixed);
        if (before - *lambda).abs() < 1e-7 {
            break;
        }
    }
}

pub(crate) fn name_swap_fields(roles: &[Role]) -> Option<(usize, usize)> {
    let g = roles.iter().position(|r| *r == Role::GivenName)?;
    let f = roles.iter().position(|r| *r == Role::FamilyName)?;
    Some((g, f))
}

/// The agreement pattern of two records, comparing given and family name crosswise when
/// that agrees better (names recorded in the other order).
pub fn compare_records(roles: &[Role], swap: Option<(usize, usize)>, a: &[Value], b: &[Value]) -> (Pattern, bool) {
    let mut levels = [0u8; MAX_FIELDS];
    for (f, role) in roles.iter().enumerate() {
        levels[f] = field::compare(*role, &a[f], &b[f]);
    }
    let mut swapped = false;
    if let Some((g, f)) = swap {
        if levels[g] > 2 || levels[f] > 2 {
            let sg = field::compare(Role::GivenName, &a[g], &b[f]);
            let sf = field::compare(Role::FamilyName, &a[f], &b[g]);
            if sg > 0 && sf > 0 && sg + sf < levels[g] + levels[f] {
                levels[g] = sg;
                levels[f] = sf;
                swapped = true;
            }
        }
    }
    (model::pack(&levels[..roles.len()]), swapped)
}

fn estimate_u(
    fields: &mut [FieldModel],
    roles: &[Role],
    left: &Dataset,
    right: Option<&Dataset>,
    options: &LinkOptions,
) {
    let other = right.unwrap_or(left);
    let (nl, nr) = (left.len() as u64, other.len() as u64);
    if nl == 0 || nr == 0 || (right.is_none() && nl < 2) {
        return;
    }
    let swap = name_swap_fields(roles);
    let samples = options.u_samples.min((nl * nr) as usize).max(1);
    let threads = rayon::current_num_threads().max(1);
    let per = samples.div_ceil(threads);
    let counts: Vec<Vec<f64>> = (0..threads)
        .into_par_iter()
        .map(|t| {
            let mut rng = SplitMix(options.seed ^ (t as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut acc = vec![0.0; MAX_FIELDS * 16];
            for _ in 0..per {
                let l = rng.below(nl);
                let mut r = rng.below(nr);
                if right.is_none() && r == l {
                    r = (r + 1) % nr;
                }
                let (p, _) = compare_records(roles, swap, &left.records[l as usize], &other.records[r as usize]);
                for f in 0..roles.len() {
                    acc[f * 16 + model::level(p, f)] += 1.0;
                }
            }
            acc
        })
        .collect();
    for (f, fm) in fields.iter_mut().enumerate() {
        let n = fm.u.len();
        let mut u: Vec<f64> = (1..=n).map(|l| counts.iter().map(|c| c[f * 16 + l]).sum::<f64>() + 0.1).collect();
        model::normalise(&mut u);
        // Exact agreement of two random records: the sum of squared value shares, exact for
        // rare values that random sampling would miss. The same counts serve the
        // term-frequency adjustment.
        let values = left.records.iter().map(|r| &r[f]);
        let tf = match right {
            Some(r) => TermFrequencies::count(values.chain(r.records.iter().map(|rec| &rec[f]))),
            None => TermFrequencies::count(values),
        };
        let exact = if matches!(fm.role, Role::BirthDate) { None } else { Some(tf.collision()) };
        if fm.role.term_frequency() {
            fm.tf = Some(tf);
        }
        if let Some(exact) = exact.filter(|e| *e > 0.0) {
            let rest: f64 = u[1..].iter().sum();
            let scale = (1.0 - exact) / rest.max(1e-12);
            u[0] = exact;
            for x in &mut u[1..] {
                *x *= scale;
            }
        }
        fm.u = u;
    }
}

/// A small, fast, seedable generator for sampling pairs.
pub(crate) struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    #[cfg(any(test, feature = "synth"))]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
