//! Social return on investment, by the Cabinet Office "Guide to SROI" method: each outcome's
//! impact is quantity × financial proxy × (1 − deadweight) × (1 − displacement) ×
//! (1 − attribution) in its first year, and the year before's × (1 − drop-off) in each later
//! year of its duration; the yearly totals are discounted (year n divided by (1 + rate)^n),
//! summed into the present value, and set against the inputs. A sensitivity table moves each
//! assumption, then all of them at once, so a range is published rather than one number.

use kinbridge_domain::{DomainError, ErrorCode, FieldError};
use serde::{Deserialize, Serialize};

/// The Green Book's discount rate, the guide's default.
pub const DEFAULT_DISCOUNT_PERCENT: f64 = 3.5;
/// Longer than any outcome of casework can honestly be claimed to last.
pub const MAX_DURATION_YEARS: u32 = 30;
pub const MAX_LINES: usize = 200;
const MAX_AMOUNT: f64 = 1e13;

/// What went in: money spent, or volunteers' time valued at an hourly rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "SroiInput")]
pub enum Input {
    Cost { label: String, amount: f64 },
    Volunteering { label: String, hours: f64, hourly_value: f64 },
}

impl Input {
    pub fn label(&self) -> &str {
        match self {
            Self::Cost { label, .. } | Self::Volunteering { label, .. } => label,
        }
    }

    pub fn value(&self) -> f64 {
        match *self {
            Self::Cost { amount, .. } => amount,
            Self::Volunteering { hours, hourly_value, .. } => hours * hourly_value,
        }
    }
}

/// One outcome: how many had it, what it is worth to each, and how much of it the work can
/// claim. Rates are percentages, as people write them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SroiOutcome")]
pub struct Outcome {
    pub label: String,
    /// The indicator whose approved figure gave the quantity, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// Where the quantity comes from when it was entered by hand.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quantity_source: String,
    pub quantity: f64,
    /// Value of the outcome to one beneficiary for one year.
    pub proxy: f64,
    pub proxy_source: String,
    pub deadweight_percent: f64,
    pub displacement_percent: f64,
    pub attribution_percent: f64,
    pub drop_off_percent: f64,
    pub duration_years: u32,
}

/// The whole analysis as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SroiAnalysis")]
pub struct Analysis {
    pub inputs: Vec<Input>,
    pub outcomes: Vec<Outcome>,
    pub discount_percent: f64,
}

/// What an analysis is worth, in the currency its inputs and proxies were given in.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Valuation {
    /// Undiscounted value of all outcomes, year 1 first.
    pub yearly: Vec<f64>,
    pub present_value: f64,
    pub total_inputs: f64,
    pub net_present_value: f64,
    /// Present value per unit of input; none when nothing went in.
    pub ratio: Option<f64>,
}

/// An assumption the sensitivity table moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assumption {
    Quantity,
    Proxy,
    Deadweight,
    Displacement,
    Attribution,
    DropOff,
    Duration,
    DiscountRate,
    /// Every assumption moved the unfavourable (or favourable) way at once.
    All,
}

impl Assumption {
    pub const EACH: [Self; 9] = [
        Self::Quantity,
        Self::Proxy,
        Self::Deadweight,
        Self::Displacement,
        Self::Attribution,
        Self::DropOff,
        Self::Duration,
        Self::DiscountRate,
        Self::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Quantity => "quantity",
            Self::Proxy => "proxy",
            Self::Deadweight => "deadweight",
            Self::Displacement => "displacement",
            Self::Attribution => "attribution",
            Self::DropOff => "drop_off",
            Self::Duration => "duration",
            Self::DiscountRate => "discount_rate",
            Self::All => "all",
        }
    }
}

/// One line of the sensitivity table: the ratio with the assumption moved against the work,
/// and in its favour.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Sensitivity {
    pub assumption: Assumption,
    pub pessimistic: Option<f64>,
    pub optimistic: Option<f64>,
}

/// How far each assumption moves: quantities and proxies by a fifth, the four rates by ten
/// points, the duration by a year and the discount rate by one and a half points.
const SHARE_MOVE: f64 = 0.2;
const RATE_MOVE: f64 = 10.0;
const DISCOUNT_MOVE: f64 = 1.5;

impl Analysis {
    /// Every bad figure is named; nothing is computed from an analysis that has one.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut bad = Vec::new();
        let mut push = |field: &'static str, code: ErrorCode| {
            if !bad.iter().any(|e: &FieldError| e.field == field && e.code == code) {
                bad.push(FieldError::new(field, code));
            }
        };
        let amount = |v: f64| v.is_finite() && (0.0..=MAX_AMOUNT).contains(&v);
        let percent = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if self.inputs.len() > MAX_LINES {
            push("inputs", ErrorCode::TooLong);
        }
        if self.outcomes.len() > MAX_LINES {
            push("outcomes", ErrorCode::TooLong);
        }
        if self.outcomes.is_empty() {
            push("outcomes", ErrorCode::Required);
        }
        for input in &self.inputs {
            if input.label().trim().is_empty() {
                push("input_label", ErrorCode::Required);
            }
            match *input {
                Input::Cost { amount: a, .. } if !amount(a) => push("input_amount", ErrorCode::NegativeAmount),
                Input::Volunteering { hours, hourly_value, .. } => {
                    if !amount(hours) {
                        push("input_hours", ErrorCode::NegativeAmount);
                    }
                    if !amount(hourly_value) {
                        push("input_hourly_value", ErrorCode::NegativeAmount);
                    }
                }
                Input::Cost { .. } => {}
            }
        }
        for o in &self.outcomes {
            if o.label.trim().is_empty() {
                push("outcome_label", ErrorCode::Required);
            }
            if o.indicator.is_none() && o.quantity_source.trim().is_empty() {
                push("outcome_quantity_source", ErrorCode::Required);
            }
            if o.proxy_source.trim().is_empty() {
                push("outcome_proxy_source", ErrorCode::Required);
            }
            if !amount(o.quantity) {
                push("outcome_quantity", ErrorCode::NegativeAmount);
            }
            if !amount(o.proxy) {
                push("outcome_proxy", ErrorCode::NegativeAmount);
            }
            for (field, v) in [
                ("outcome_deadweight_percent", o.deadweight_percent),
                ("outcome_displacement_percent", o.displacement_percent),
                ("outcome_attribution_percent", o.attribution_percent),
                ("outcome_drop_off_percent", o.drop_off_percent),
            ] {
                if !percent(v) {
                    push(field, ErrorCode::PercentOutOfRange);
                }
            }
            if !(1..=MAX_DURATION_YEARS).contains(&o.duration_years) {
                push("outcome_duration_years", ErrorCode::InvalidValue);
            }
        }
        if !percent(self.discount_percent) {
            push("discount_percent", ErrorCode::PercentOutOfRange);
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(bad))
        }
    }

    /// Present value, net present value and ratio. Call on a validated analysis.
    pub fn value(&self) -> Valuation {
        let years = self.outcomes.iter().map(|o| o.duration_years).max().unwrap_or(0) as usize;
        let mut yearly = vec![0.0; years];
        for o in &self.outcomes {
            let keep = |p: f64| 1.0 - p / 100.0;
            let mut v = o.quantity
                * o.proxy
                * keep(o.deadweight_percent)
                * keep(o.displacement_percent)
                * keep(o.attribution_percent);
            for slot in yearly.iter_mut().take(o.duration_years as usize) {
                *slot += v;
                v *= keep(o.drop_off_percent);
            }
        }
        let rate = 1.0 + self.discount_percent / 100.0;
        let present_value: f64 = yearly.iter().enumerate().map(|(i, v)| v / rate.powi(i as i32 + 1)).sum();
        let total_inputs: f64 = self.inputs.iter().map(Input::value).sum();
        Valuation {
            yearly,
            present_value,
            total_inputs,
            net_present_value: present_value - total_inputs,
            ratio: (total_inputs > 0.0).then(|| present_value / total_inputs),
        }
    }

    /// The ratio with each assumption moved against the work and in its favour, then all at
    /// once: the published range is the last line's.
    pub fn sensitivity(&self) -> Vec<Sensitivity> {
        Assumption::EACH
            .into_iter()
            .map(|assumption| Sensitivity {
                assumption,
                pessimistic: self.moved(assumption, -1.0).value().ratio,
                optimistic: self.moved(assumption, 1.0).value().ratio,
            })
            .collect()
    }

    /// A copy with one assumption (or all) moved; `way` is +1 in the work's favour, −1 against.
    fn moved(&self, assumption: Assumption, way: f64) -> Self {
        let mut a = self.clone();
        let on = |x: Assumption| assumption == x || assumption == Assumption::All;
        let rate = |p: f64| (p - way * RATE_MOVE).clamp(0.0, 100.0);
        for o in &mut a.outcomes {
            if on(Assumption::Quantity) {
                o.quantity *= 1.0 + way * SHARE_MOVE;
            }
            if on(Assumption::Proxy) {
                o.proxy *= 1.0 + way * SHARE_MOVE;
            }
            if on(Assumption::Deadweight) {
                o.deadweight_percent = rate(o.deadweight_percent);
            }
            if on(Assumption::Displacement) {
                o.displacement_percent = rate(o.displacement_percent);
            }
            if on(Assumption::Attribution) {
                o.attribution_percent = rate(o.attribution_percent);
            }
            if on(Assumption::DropOff) {
                o.drop_off_percent = rate(o.drop_off_percent);
            }
            if on(Assumption::Duration) {
                o.duration_years = if way > 0.0 {
                    (o.duration_years + 1).min(MAX_DURATION_YEARS)
                } else {
                    o.duration_years.saturating_sub(1).max(1)
                };
            }
        }
        if on(Assumption::DiscountRate) {
            a.discount_percent = (a.discount_percent - way * DISCOUNT_MOVE).max(0.0);
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(label: &str, quantity: f64, proxy: f64, rates: [f64; 4], duration_years: u32) -> Outcome {
        Outcome {
            label: label.into(),
            indicator: None,
            quantity_source: "case records".into(),
            quantity,
            proxy,
            proxy_source: "unit cost database".into(),
            deadweight_percent: rates[0],
            displacement_percent: rates[1],
            attribution_percent: rates[2],
            drop_off_percent: rates[3],
            duration_years,
        }
    }

    fn worked_example() -> Analysis {
        Analysis {
            inputs: vec![
                Input::Cost { label: "staff".into(), amount: 18_000.0 },
                Input::Volunteering { label: "volunteers".into(), hours: 200.0, hourly_value: 10.0 },
            ],
            outcomes: vec![
                outcome("reunified", 10.0, 1_000.0, [20.0, 0.0, 25.0, 10.0], 3),
                outcome("contact restored", 4.0, 2_500.0, [10.0, 5.0, 0.0, 0.0], 1),
            ],
            discount_percent: DEFAULT_DISCOUNT_PERCENT,
        }
    }

    /// Worked by hand, as the guide lays out its impact map:
    /// reunified: 10 × 1,000 × 0.80 × 1.00 × 0.75 = 6,000 in year 1; × 0.90 = 5,400 in year 2;
    /// × 0.90 = 4,860 in year 3. Contact restored: 4 × 2,500 × 0.90 × 0.95 × 1.00 = 8,550 in
    /// year 1 only. Years: 14,550; 5,400; 4,860. Discounted at 3.5%: 14,550 / 1.035 =
    /// 14,057.971; 5,400 / 1.071225 = 5,040.958; 4,860 / 1.108717875 = 4,383.441; present
    /// value 23,482.370. Inputs 18,000 + 200 × 10 = 20,000; net present value 3,482.370;
    /// ratio 1.174 : 1.
    #[test]
    fn the_hand_worked_example_comes_out_exactly() {
        let a = worked_example();
        a.validate().unwrap();
        let v = a.value();
        let close = |x: f64, y: f64| (x - y).abs() < 1e-6;
        assert_eq!(v.yearly.len(), 3);
        assert!(
            close(v.yearly[0], 14_550.0) && close(v.yearly[1], 5_400.0) && close(v.yearly[2], 4_860.0),
            "{:?}",
            v.yearly
        );
        assert!(close(v.total_inputs, 20_000.0));
        // 285,710,000 / 12,167 exactly.
        assert!(close(v.present_value, 285_710_000.0 / 12_167.0), "{}", v.present_value);
        assert!((v.present_value - 23_482.370_346).abs() < 1e-5);
        assert!((v.net_present_value - 3_482.370_346).abs() < 1e-5);
        assert!((v.ratio.unwrap() - 1.174_118_517).abs() < 1e-8);
    }

    #[test]
    fn sensitivity_brackets_the_ratio_and_all_at_once_is_widest() {
        let a = worked_example();
        let base = a.value().ratio.unwrap();
        let table = a.sensitivity();
        assert_eq!(table.len(), Assumption::EACH.len());
        for row in &table {
            let (lo, hi) = (row.pessimistic.unwrap(), row.optimistic.unwrap());
            assert!(lo <= base + 1e-12 && base <= hi + 1e-12, "{row:?} around {base}");
        }
        let all = table.last().unwrap();
        assert_eq!(all.assumption, Assumption::All);
        for row in &table[..table.len() - 1] {
            assert!(all.pessimistic.unwrap() <= row.pessimistic.unwrap());
            assert!(all.optimistic.unwrap() >= row.optimistic.unwrap());
        }
        // Deadweight up ten points: reunified keeps 0.70 instead of 0.80 every year, contact
        // restored 0.80 instead of 0.90.
        let dw = table.iter().find(|r| r.assumption == Assumption::Deadweight).unwrap();
        let years = [10.0 * 1_000.0 * 0.70 * 0.75 + 4.0 * 2_500.0 * 0.80 * 0.95, 5_250.0 * 0.9, 5_250.0 * 0.81];
        let pv: f64 = years.iter().enumerate().map(|(i, v)| v / 1.035f64.powi(i as i32 + 1)).sum();
        assert!((dw.pessimistic.unwrap() - pv / 20_000.0).abs() < 1e-9);
    }

    #[test]
    fn bad_figures_are_named_and_nothing_is_valued() {
        let mut a = worked_example();
        a.outcomes[0].quantity = -3.0;
        a.outcomes[1].attribution_percent = 120.0;
        a.outcomes[1].drop_off_percent = f64::NAN;
        a.inputs[0] = Input::Cost { label: " ".into(), amount: -1.0 };
        a.discount_percent = -1.0;
        a.outcomes[0].duration_years = 0;
        let Err(DomainError::Invalid(errors)) = a.validate() else { panic!("accepted") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in [
            "outcome_quantity",
            "outcome_attribution_percent",
            "outcome_drop_off_percent",
            "input_label",
            "input_amount",
            "discount_percent",
            "outcome_duration_years",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert!(errors.iter().any(|e| e.code == ErrorCode::PercentOutOfRange));
        assert!(errors.iter().any(|e| e.code == ErrorCode::NegativeAmount));
    }

    #[test]
    fn no_inputs_means_no_ratio_rather_than_infinity() {
        let mut a = worked_example();
        a.inputs.clear();
        let v = a.value();
        assert_eq!(v.ratio, None);
        assert!(v.present_value > 0.0);
    }
}
