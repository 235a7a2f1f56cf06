//! From counted rows to published figures: a count, a share of a denominator (times the
//! indicator's factor), or a median of days; for one member or summed along the organisation
//! tree, in total and per breakdown. A share over nothing is "no data", never a division error.

use kinbridge_domain::indicator::{Indicator, Measure, Tally};
use serde::Serialize;
use std::collections::BTreeMap;

/// One figure: the total when `key` is empty, else one breakdown's values in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Figure {
    pub key: Vec<String>,
    /// None when there is nothing to compute it from (a share of zero rows, a median of none).
    pub value: Option<f64>,
    /// Rows counted (for a median, rows measured).
    pub numerator: u64,
    pub denominator: Option<u64>,
}

/// The figures of `indicator` over the rows of the members `within` accepts: the total first,
/// then one per breakdown key in key order.
pub fn figures(indicator: &Indicator, tally: &Tally, within: impl Fn(&str) -> bool) -> Vec<Figure> {
    match tally {
        Tally::Counts { numerator, denominator } => {
            let mut groups: BTreeMap<Vec<String>, (u64, u64)> = BTreeMap::new();
            let (mut num_total, mut den_total) = (0u64, 0u64);
            for c in numerator.iter().filter(|c| within(&c.member)) {
                groups.entry(c.key.clone()).or_default().0 += c.count;
                num_total += c.count;
            }
            if let Some(den) = denominator {
                for c in den.iter().filter(|c| within(&c.member)) {
                    groups.entry(c.key.clone()).or_default().1 += c.count;
                    den_total += c.count;
                }
            }
            let has_denominator = denominator.is_some();
            let figure = |key: Vec<String>, n: u64, d: u64| Figure {
                key,
                value: if has_denominator {
                    (d > 0).then(|| n as f64 / d as f64 * indicator.factor)
                } else {
                    Some(n as f64 * indicator.factor)
                },
                numerator: n,
                denominator: has_denominator.then_some(d),
            };
            let mut out = vec![figure(Vec::new(), num_total, den_total)];
            if !indicator.by.is_empty() || groups.keys().any(|k| !k.is_empty()) {
                out.extend(groups.into_iter().filter(|(k, _)| !k.is_empty()).map(|(k, (n, d))| figure(k, n, d)));
            }
            out
        }
        Tally::Days(samples) => {
            debug_assert!(matches!(indicator.measure, Measure::MedianDays(..)));
            let mut groups: BTreeMap<Vec<String>, Vec<i64>> = BTreeMap::new();
            let mut all = Vec::new();
            for s in samples.iter().filter(|s| within(&s.member)) {
                groups.entry(s.key.clone()).or_default().push(s.days);
                all.push(s.days);
            }
            let figure = |key: Vec<String>, mut days: Vec<i64>| Figure {
                key,
                numerator: days.len() as u64,
                value: median(&mut days),
                denominator: None,
            };
            let mut out = vec![figure(Vec::new(), all)];
            out.extend(groups.into_iter().filter(|(k, _)| !k.is_empty()).map(|(k, d)| figure(k, d)));
            out
        }
    }
}

/// Whether a figure may be published under a disclosure threshold: no count from 1 to
/// `threshold - 1` may show or be worked out, so a share is withheld when its numerator, its
/// denominator or their difference is such a count, and a median when it was measured over
/// fewer rows than the threshold. Zeros are published: a zero says nothing about a person.
pub fn publishable(numerator: u64, denominator: Option<u64>, is_median: bool, threshold: u64) -> bool {
    let small = |n: u64| n > 0 && n < threshold;
    if is_median {
        return numerator >= threshold;
    }
    match denominator {
        None => !small(numerator),
        Some(d) => !small(numerator) && !small(d) && !small(d.saturating_sub(numerator)),
    }
}

/// The middle value, or the mean of the two middle values of an even count.
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] as f64 } else { (values[mid - 1] + values[mid]) as f64 / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinbridge_domain::indicator::{Cell, RawIndicator, Sample};

    fn indicator(json: serde_json::Value) -> Indicator {
        serde_json::from_value::<RawIndicator>(json).unwrap().parse().unwrap()
    }

    fn cell(member: &str, key: &[&str], count: u64) -> Cell {
        Cell { member: member.into(), key: key.iter().map(|s| s.to_string()).collect(), count }
    }

    #[test]
    fn a_share_sums_members_then_divides_and_zero_is_no_data() {
        let i = indicator(serde_json::json!({"id": "s", "names": {"en": "S"}, "unit": "requests", "date": "sent_at",
            "numerator": [{"field": "direction", "in": ["incoming"]}], "denominator": [], "factor": 100, "by": ["service"]}));
        let tally = Tally::Counts {
            numerator: vec![cell("KE", &["family_tracing"], 3), cell("UG", &["family_tracing"], 1)],
            denominator: Some(vec![
                cell("KE", &["family_tracing"], 4),
                cell("UG", &["family_tracing"], 4),
                cell("KE", &["search_of_origins"], 0),
            ]),
        };
        let both = figures(&i, &tally, |_| true);
        assert_eq!(both[0], Figure { key: vec![], value: Some(50.0), numerator: 4, denominator: Some(8) });
        let kenya = figures(&i, &tally, |m| m == "KE");
        assert_eq!(kenya[0].value, Some(75.0));
        let origins = kenya.iter().find(|f| f.key == ["search_of_origins"]).unwrap();
        assert_eq!(origins.value, None, "a share of nothing is no data");
        let none = figures(&i, &tally, |m| m == "FR");
        assert_eq!(none[0].value, None);
    }

    #[test]
    fn small_counts_and_what_reveals_them_are_withheld() {
        assert!(!publishable(3, None, false, 5), "a count of 3");
        assert!(publishable(0, None, false, 5) && publishable(5, None, false, 5));
        assert!(!publishable(7, Some(10), false, 5), "10 - 7 = 3 would be worked out");
        assert!(publishable(10, Some(10), false, 5) && publishable(5, Some(10), false, 5));
        assert!(!publishable(6, Some(6), true, 10), "a median of six rows under a threshold of ten");
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        let i = indicator(
            serde_json::json!({"id": "m", "names": {"en": "M"}, "unit": "cases", "date": "closed_on", "median_days": ["opened_on", "closed_on"]}),
        );
        let s = |member: &str, days| Sample { member: member.into(), key: vec![], days };
        let tally = Tally::Days(vec![s("KE", 10), s("KE", 40), s("KE", 20), s("UG", 100)]);
        assert_eq!(figures(&i, &tally, |m| m == "KE")[0].value, Some(20.0));
        assert_eq!(figures(&i, &tally, |_| true)[0].value, Some(30.0));
        assert_eq!(figures(&i, &tally, |m| m == "FR")[0].value, None);
    }
}
