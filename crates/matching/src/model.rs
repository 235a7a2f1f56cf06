//! The Fellegi-Sunter model: for each field, the probability of each agreement level among true
//! matches (m) and among non-matches (u), and the prior probability that two records match
//! (lambda). u comes from random pairs and value frequencies, m and lambda from expectation
//! maximisation over the candidate pairs, as Splink does.

use rustc_hash::FxHashMap;

use crate::field::{Role, Value};

/// Agreement levels of one pair, four bits per field (up to [`MAX_FIELDS`] fields); level 0
/// means a value is missing on either side.
pub type Pattern = u64;
pub const MAX_FIELDS: usize = 16;

pub fn level(p: Pattern, field: usize) -> usize {
    ((p >> (4 * field)) & 0xF) as usize
}

pub fn pack(levels: &[u8]) -> Pattern {
    levels.iter().enumerate().fold(0, |p, (i, &l)| p | ((l as u64 & 0xF) << (4 * i)))
}

/// How frequent each value of a field is, for term-frequency adjustment.
#[derive(Debug, Clone, Default)]
pub struct TermFrequencies {
    share: FxHashMap<Box<str>, f64>,
    /// The share of a value seen once: the floor for unseen values.
    pub min_share: f64,
}

impl TermFrequencies {
    pub fn count<'a>(values: impl Iterator<Item = &'a Value>) -> TermFrequencies {
        let mut counts: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut total = 0u64;
        for v in values {
            if let Some(k) = v.tf_key() {
                *counts.entry(k.into()).or_default() += 1;
                total += 1;
            }
        }
        let total = total.max(1) as f64;
        TermFrequencies {
            share: counts.into_iter().map(|(k, c)| (k, c as f64 / total)).collect(),
            min_share: 1.0 / total,
        }
    }

    pub fn share(&self, v: &Value) -> f64 {
        v.tf_key().and_then(|k| self.share.get(k).copied()).unwrap_or(self.min_share).max(self.min_share)
    }

    /// The chance that two random values are equal: the u of exact agreement.
    pub fn collision(&self) -> f64 {
        self.share.values().map(|s| s * s).sum()
    }
}

/// Parameters of one field.
#[derive(Debug, Clone)]
pub struct FieldModel {
    pub name: String,
    pub role: Role,
    /// m and u per level, level 1 at index 0.
    pub m: Vec<f64>,
    pub u: Vec<f64>,
    /// How many EM sessions estimated m (0: m is the prior).
    pub m_sessions: u32,
    pub tf: Option<TermFrequencies>,
}

impl FieldModel {
    pub fn new(name: &str, role: Role) -> FieldModel {
        let n = role.levels().len();
        // A prior that says agreement is likely among matches; EM replaces it.
        let mut m: Vec<f64> = (0..n).map(|i| if i + 1 == n { 0.05 } else { 0.6f64.powi(i as i32 + 1) }).collect();
        normalise(&mut m);
        let u = vec![1.0 / n as f64; n];
        FieldModel { name: name.into(), role, m, u, m_sessions: 0, tf: None }
    }

    /// log2 of the Bayes factor of `level` (0 = missing, factor 1), with the term-frequency
    /// adjustment of an exact agreement on `value`.
    pub fn log2_bf(&self, level: usize, value: &Value) -> f64 {
        if level == 0 {
            return 0.0;
        }
        let m = self.m[level - 1];
        let u = match (&self.tf, level) {
            (Some(tf), 1) => tf.share(value),
            _ => self.u[level - 1],
        };
        (m / u).log2()
    }
}

/// The whole model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Prior probability that two records drawn at random match.
    pub lambda: f64,
    pub fields: Vec<FieldModel>,
}

impl Model {
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }
}

pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

pub(crate) fn normalise(p: &mut [f64]) {
    for x in p.iter_mut() {
        *x = x.max(1e-6);
    }
    let s: f64 = p.iter().sum();
    for x in p.iter_mut() {
        *x /= s;
    }
}

/// Expectation maximisation over aggregated patterns (`(pattern, count)`).
///
/// Only fields with `active[f]` take part. Their m is re-estimated; u too when `estimate_u`
/// (otherwise it stays as given, as with u from random sampling). `lambda` is the share of
/// matches among these pairs. Returns the number of iterations run.
pub fn em(
    patterns: &[(Pattern, f64)],
    m: &mut [Vec<f64>],
    u: &mut [Vec<f64>],
    lambda: &mut f64,
    active: &[bool],
    estimate_u: bool,
    max_iterations: usize,
) -> usize {
    let nf = m.len();
    for it in 1..=max_iterations {
        let mut m_acc: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut u_acc: Vec<Vec<f64>> = u.iter().map(|l| vec![0.0; l.len()]).collect();
        let (mut matches, mut total) = (0.0, 0.0);
        for &(p, c) in patterns {
            let mut lr = 0.0f64;
            for f in 0..nf {
                let l = level(p, f);
                if active[f] && l > 0 {
                    lr += (m[f][l - 1] / u[f][l - 1]).ln();
                }
            }
            let odds = (*lambda / (1.0 - *lambda)).ln() + lr;
            let post = 1.0 / (1.0 + (-odds).exp());
            matches += c * post;
            total += c;
            for f in 0..nf {
                let l = level(p, f);
                if active[f] && l > 0 {
                    m_acc[f][l - 1] += c * post;
                    u_acc[f][l - 1] += c * (1.0 - post);
                }
            }
        }
        let new_lambda = (matches / total.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
        let mut delta = (new_lambda - *lambda).abs();
        *lambda = new_lambda;
        for f in (0..nf).filter(|&f| active[f]) {
            if m_acc[f].iter().sum::<f64>() > 0.0 {
                normalise(&mut m_acc[f]);
                delta = delta.max(m[f].iter().zip(&m_acc[f]).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max));
                m[f].clone_from(&m_acc[f]);
            }
            if estimate_u && u_acc[f].iter().sum::<f64>() > 0.0 {
                normalise(&mut u_acc[f]);
                u[f].clone_from(&u_acc[f]);
            }
        }
        if delta < 1e-5 {
            return it;
        }
    }
    max_iterations
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws patterns from a known model and checks EM finds its parameters again.
    #[test]
    fn em_recovers_known_parameters() {
        let true_m = [vec![0.85, 0.1, 0.05], vec![0.7, 0.2, 0.1], vec![0.9, 0.1], vec![0.6, 0.3, 0.1]];
        let true_u = [vec![0.02, 0.08, 0.9], vec![0.05, 0.15, 0.8], vec![0.3, 0.7], vec![0.01, 0.09, 0.9]];
        let true_lambda = 0.2;
        let mut state = 7u64;
        let mut rnd = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut counts: FxHashMap<Pattern, f64> = FxHashMap::default();
        for _ in 0..200_000 {
            let is_match = rnd() < true_lambda;
            let levels: Vec<u8> = (0..4)
                .map(|f| {
                    let probs = if is_match { &true_m[f] } else { &true_u[f] };
                    let x = rnd();
                    let mut acc = 0.0;
                    for (i, p) in probs.iter().enumerate() {
                        acc += p;
                        if x < acc {
                            return i as u8 + 1;
                        }
                    }
                    probs.len() as u8
                })
                .collect();
            *counts.entry(pack(&levels)).or_default() += 1.0;
        }
        let patterns: Vec<(Pattern, f64)> = counts.into_iter().collect();
        let mut m: Vec<Vec<f64>> = true_m.iter().map(|l| vec![1.0 / l.len() as f64; l.len()]).collect();
        for l in &mut m {
            l[0] += 0.3;
            normalise(l);
        }
        let mut u: Vec<Vec<f64>> = true_u.iter().map(|l| vec![1.0 / l.len() as f64; l.len()]).collect();
        let mut lambda = 0.5;
        let iterations = em(&patterns, &mut m, &mut u, &mut lambda, &[true; 4], true, 500);
        assert!(iterations < 500, "EM did not converge");
        assert!((lambda - true_lambda).abs() < 0.01, "lambda {lambda}");
        for f in 0..4 {
            for l in 0..true_m[f].len() {
                assert!((m[f][l] - true_m[f][l]).abs() < 0.03, "m[{f}][{l}] = {} vs {}", m[f][l], true_m[f][l]);
                assert!((u[f][l] - true_u[f][l]).abs() < 0.03, "u[{f}][{l}] = {} vs {}", u[f][l], true_u[f][l]);
            }
        }
    }

    #[test]
    fn patterns_pack_and_unpack() {
        let p = pack(&[1, 0, 5, 15]);
        assert_eq!((level(p, 0), level(p, 1), level(p, 2), level(p, 3), level(p, 4)), (1, 0, 5, 15, 0));
    }
}
