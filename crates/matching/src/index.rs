//! An incremental person index: records are added one at a time and each new or changed record
//! is matched against those already indexed, with a model trained beforehand (by [`link`] on
//! the data at hand). This is what the casework side uses when a case or a tracing request is
//! saved: candidates come from the same blocking keys, scores from the same model, with the
//! same per-field explanation.
//!
//! [`link`]: crate::link::link

use rustc_hash::FxHashMap;

use crate::blocking::Rule;
use crate::field::{Role, Value};
use crate::link::{compare_records, name_swap_fields, FieldSpec};
use crate::model::{self, Model, Pattern};

/// A candidate for one query record.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The caller's key of the indexed record.
    pub key: String,
    pub probability: f64,
    pub weight: f64,
    pub pattern: Pattern,
    pub swapped_names: bool,
}

pub struct PersonIndex {
    roles: Vec<Role>,
    swap: Option<(usize, usize)>,
    rules: Vec<Rule>,
    model: Model,
    keys: Vec<String>,
    records: Vec<Option<Box<[Value]>>>,
    position: FxHashMap<String, u32>,
    postings: FxHashMap<u64, Vec<u32>>,
    /// Postings longer than this are not followed (a key shared by too many people says little).
    max_postings: usize,
}

impl PersonIndex {
    /// An empty index for records with these fields, scored by `model` (whose fields must be
    /// the same, in the same order).
    pub fn new(specs: &[FieldSpec], model: Model) -> Result<PersonIndex, String> {
        if specs.len() != model.fields.len() || specs.iter().zip(&model.fields).any(|(s, f)| s.role != f.role) {
            return Err("the model was trained on other fields".into());
        }
        let roles: Vec<Role> = specs.iter().map(|s| s.role).collect();
        Ok(PersonIndex {
            rules: Rule::for_fields(&roles),
            swap: name_swap_fields(&roles),
            roles,
            model,
            keys: Vec::new(),
            records: Vec::new(),
            position: FxHashMap::default(),
            postings: FxHashMap::default(),
            max_postings: 2_000,
        })
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn len(&self) -> usize {
        self.position.len()
    }

    pub fn is_empty(&self) -> bool {
        self.position.is_empty()
    }

    fn record_keys(&self, values: &[Value]) -> Vec<u64> {
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            rule.keys(i, values, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Adds or replaces the record known by `key`.
    pub fn upsert(&mut self, key: &str, values: Box<[Value]>) {
        self.remove(key);
        let slot = self.records.len() as u32;
        for k in self.record_keys(&values) {
            self.postings.entry(k).or_default().push(slot);
        }
        self.records.push(Some(values));
        self.keys.push(key.to_string());
        self.position.insert(key.to_string(), slot);
    }

    /// Removes a record (its postings are skipped from then on and dropped lazily).
    pub fn remove(&mut self, key: &str) {
        if let Some(slot) = self.position.remove(key) {
            self.records[slot as usize] = None;
        }
    }

    /// Indexed records that may be the same person as `values`, best first, at or above
    /// `threshold`, leaving out `exclude` (the record itself, when it is indexed).
    pub fn candidates(&self, values: &[Value], threshold: f64, exclude: Option<&str>) -> Vec<Candidate> {
        let mut slots: Vec<u32> = Vec::new();
        for k in self.record_keys(values) {
            if let Some(list) = self.postings.get(&k) {
                if list.len() <= self.max_postings {
                    slots.extend_from_slice(list);
                }
            }
        }
        slots.sort_unstable();
        slots.dedup();
        let prior = self.model.prior_weight();
        let threshold_weight = (threshold / (1.0 - threshold).max(1e-12)).log2();
        let mut out: Vec<Candidate> = slots
            .into_iter()
            .filter_map(|slot| {
                let rec = self.records[slot as usize].as_ref()?;
                let key = &self.keys[slot as usize];
                if exclude == Some(key.as_str()) {
                    return None;
                }
                let (pattern, swapped_names) = compare_records(&self.roles, self.swap, values, rec);
                let weight = prior
                    + self
                        .model
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(f, fm)| fm.log2_bf(model::level(pattern, f), &values[f]))
                        .sum::<f64>();
                (weight >= threshold_weight).then(|| Candidate {
                    key: key.clone(),
                    probability: model::probability(weight),
                    weight,
                    pattern,
                    swapped_names,
                })
            })
            .collect();
        out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        out
    }

    /// Per field of a candidate: its name, the agreement and the weight it added.
    pub fn explain(&self, candidate: &Candidate, query: &[Value]) -> Vec<(String, &'static str, f64)> {
        self.model
            .fields
            .iter()
            .enumerate()
            .map(|(f, fm)| {
                let l = model::level(candidate.pattern, f);
                let label = if l == 0 { "null" } else { fm.role.levels()[l - 1] };
                (fm.name.clone(), label, fm.log2_bf(l, &query[f]))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{link, Dataset, LinkOptions};
    use crate::synth::{generate, SynthOptions, FIELDS};

    #[test]
    fn finds_the_same_person_one_record_at_a_time() {
        let data =
            generate(&SynthOptions { left: 3000, right: 600, overlap: 0.5, native_script: 0.3, ..Default::default() });
        let specs: Vec<FieldSpec> =
            FIELDS.iter().map(|f| FieldSpec { name: f.to_string(), role: Role::guess(f).unwrap() }).collect();
        let rows = |people: &[crate::synth::Person]| -> Vec<Vec<String>> {
            people.iter().map(|p| p.row().iter().map(|s| s.to_string()).collect()).collect()
        };
        let ids = |people: &[crate::synth::Person]| people.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        let left = Dataset::prepare(&specs, ids(&data.left), &rows(&data.left), 2026);
        let right = Dataset::prepare(&specs, ids(&data.right), &rows(&data.right), 2026);
        let model = link(&specs, &left, Some(&right), &LinkOptions::default(), &|_, _, _| {}).unwrap().model;

        let mut index = PersonIndex::new(&specs, model).unwrap();
        for (id, rec) in left.ids.iter().zip(left.records.iter()) {
            index.upsert(id, rec.clone());
        }
        assert_eq!(index.len(), 3000);
        let (mut right_first, mut wrong_first) = (0, 0);
        for &(l, r) in &data.truth {
            let found = index.candidates(&right.records[r as usize], 0.5, None);
            match found.first() {
                Some(c) if c.key == left.ids[l as usize] => right_first += 1,
                Some(_) => wrong_first += 1,
                None => {}
            }
        }
        let share = right_first as f64 / data.truth.len() as f64;
        assert!(share > 0.9, "true match ranked first for {share:.3} of queries");
        assert!(wrong_first * 20 < data.truth.len(), "{wrong_first} wrong first candidates");

        // Replacing and removing records changes what is found.
        let (l, r) = data.truth[0];
        let key = left.ids[l as usize].clone();
        index.remove(&key);
        assert!(index.candidates(&right.records[r as usize], 0.5, None).iter().all(|c| c.key != key));
        index.upsert(&key, left.records[l as usize].clone());
        let found = index.candidates(&right.records[r as usize], 0.0, Some(&key));
        assert!(found.iter().all(|c| c.key != key), "excluded record not proposed");
        let explanation =
            index.explain(&index.candidates(&right.records[r as usize], 0.0, None)[0], &right.records[r as usize]);
        assert_eq!(explanation.len(), FIELDS.len());
    }

    #[test]
    fn refuses_a_model_for_other_fields() {
        let specs = vec![FieldSpec { name: "surname".into(), role: Role::FamilyName }];
        let model = Model { lambda: 0.01, fields: vec![crate::model::FieldModel::new("dob", Role::BirthDate)] };
        assert!(PersonIndex::new(&specs, model).is_err());
    }
}
