//! Questions of a bank and how an answer to each is graded, following Moodle's rules so that
//! imported material scores as it did there: a choice carries a fraction of the mark (negative
//! for a wrong choice of a multiple-answer question), several choices add up and the sum is
//! kept between 0 and 1, a short answer takes the fraction of the first accepted answer it
//! matches (`*` matches anything), and each pair of a matching question is worth an equal part.

use serde::{Deserialize, Serialize};

/// The most options, pairs or accepted answers one question may have.
pub const MAX_OPTIONS: usize = 50;
/// The longest text of a question, an option or a feedback, in characters.
pub const MAX_TEXT: usize = 10_000;

/// One question of a course's bank, in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Question {
    /// Stable within the course: answers and attempts refer to it.
    pub id: String,
    /// A short name for the bank's list (GIFT's `::title::`).
    pub name: String,
    /// Where it sits in the bank (GIFT's `$CATEGORY`), if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The language it is written in (`en`, `fr`, `es`, `ar`).
    pub language: String,
    /// What the learner is asked.
    pub text: String,
    pub kind: Kind,
    /// Shown after grading, whatever the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// The kinds of question the quiz engine grades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    /// One option is chosen.
    SingleChoice { options: Vec<Choice> },
    /// Any number of options are chosen; their fractions add up.
    MultipleChoice { options: Vec<Choice> },
    TrueFalse {
        answer: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_true: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_false: Option<String>,
    },
    /// A typed answer compared with the accepted ones, in order.
    ShortAnswer {
        answers: Vec<Choice>,
        #[serde(default)]
        case_sensitive: bool,
    },
    /// Each item on the left is matched with one on the right; a right item with no left one
    /// is a distractor.
    Matching { pairs: Vec<Pair> },
}

/// An option of a choice question, or an accepted answer of a short-answer one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Choice {
    pub text: String,
    /// The part of the mark it earns, from -1 to 1.
    pub fraction: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pair {
    /// Empty for a distractor.
    pub left: String,
    pub right: String,
}

/// What a learner answered to one question, in the question's own terms (option indexes are
/// the bank's, after the attempt's shuffled order has been undone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Response {
    Choice(usize),
    Choices(Vec<usize>),
    Bool(bool),
    Text(String),
    /// For each pair with a left item, in the bank's order, the index of the right item chosen.
    Matches(Vec<Option<usize>>),
}

/// Why a question cannot be kept in a bank.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    #[error("the question has no text")]
    NoText,
    #[error("a text is longer than {MAX_TEXT} characters")]
    TooLong,
    #[error("a question may have at most {MAX_OPTIONS} options")]
    TooManyOptions,
    #[error("a choice question needs at least two options")]
    TooFewOptions,
    #[error("no answer earns the full mark")]
    NoFullMark,
    #[error("a fraction must be between -100% and 100%")]
    BadFraction,
    #[error("a matching question needs at least two pairs")]
    TooFewPairs,
    #[error("a short-answer question needs an accepted answer")]
    NoAnswer,
}

impl Question {
    /// Checks the question can be graded: texts present and bounded, fractions in range, a
    /// full mark reachable.
    pub fn check(&self) -> Result<(), QuestionError> {
        if self.text.trim().is_empty() {
            return Err(QuestionError::NoText);
        }
        let long = |s: &str| s.chars().count() > MAX_TEXT;
        if long(&self.text) || long(&self.name) || self.feedback.as_deref().is_some_and(long) {
            return Err(QuestionError::TooLong);
        }
        let choices = |options: &[Choice]| -> Result<(), QuestionError> {
            if options.len() > MAX_OPTIONS {
                return Err(QuestionError::TooManyOptions);
            }
            for o in options {
                if !(-1.0..=1.0).contains(&o.fraction) || !o.fraction.is_finite() {
                    return Err(QuestionError::BadFraction);
                }
                if long(&o.text) || o.feedback.as_deref().is_some_and(long) {
                    return Err(QuestionError::TooLong);
                }
            }
            Ok(())
        };
        match &self.kind {
            Kind::SingleChoice { options } => {
                choices(options)?;
                if options.len() < 2 {
                    return Err(QuestionError::TooFewOptions);
                }
                if !options.iter().any(|o| o.fraction >= 0.999) {
                    return Err(QuestionError::NoFullMark);
                }
            }
            Kind::MultipleChoice { options } => {
                choices(options)?;
                if options.len() < 2 {
                    return Err(QuestionError::TooFewOptions);
                }
                let best: f64 = options.iter().map(|o| o.fraction.max(0.0)).sum();
                if best < 0.999 {
                    return Err(QuestionError::NoFullMark);
                }
            }
            Kind::TrueFalse { feedback_true, feedback_false, .. } => {
                if feedback_true.as_deref().is_some_and(long) || feedback_false.as_deref().is_some_and(long) {
                    return Err(QuestionError::TooLong);
                }
            }
            Kind::ShortAnswer { answers, .. } => {
                choices(answers)?;
                if answers.is_empty() {
                    return Err(QuestionError::NoAnswer);
                }
                if !answers.iter().any(|o| o.fraction >= 0.999) {
                    return Err(QuestionError::NoFullMark);
                }
            }
            Kind::Matching { pairs } => {
                if pairs.len() > MAX_OPTIONS {
                    return Err(QuestionError::TooManyOptions);
                }
                if pairs.iter().filter(|p| !p.left.trim().is_empty()).count() < 2 {
                    return Err(QuestionError::TooFewPairs);
                }
                if pairs.iter().any(|p| long(&p.left) || long(&p.right)) {
                    return Err(QuestionError::TooLong);
                }
            }
        }
        Ok(())
    }

    /// How many options the learner sees (the right-hand items of a matching question),
    /// which the attempt shuffles.
    pub fn option_count(&self) -> usize {
        match &self.kind {
            Kind::SingleChoice { options } | Kind::MultipleChoice { options } => options.len(),
            Kind::Matching { pairs } => pairs.len(),
            Kind::TrueFalse { .. } | Kind::ShortAnswer { .. } => 0,
        }
    }

    /// The part of the mark a response earns, from 0 to 1, and the feedback it gets. A
    /// response of the wrong shape for the question earns nothing.
    pub fn grade(&self, response: Option<&Response>) -> Graded {
        let Some(response) = response else { return Graded::nothing() };
        match (&self.kind, response) {
            (Kind::SingleChoice { options }, Response::Choice(i)) => match options.get(*i) {
                Some(o) => Graded { fraction: clamp(o.fraction), feedback: o.feedback.clone().into_iter().collect() },
                None => Graded::nothing(),
            },
            (Kind::MultipleChoice { options }, Response::Choices(chosen)) => {
                let mut seen = vec![false; options.len()];
                let mut sum = 0.0;
                let mut feedback = Vec::new();
                for &i in chosen {
                    let Some(o) = options.get(i) else { return Graded::nothing() };
                    if std::mem::replace(&mut seen[i], true) {
                        continue;
                    }
                    sum += o.fraction;
                    feedback.extend(o.feedback.clone());
                }
                Graded { fraction: clamp(sum), feedback }
            }
            (Kind::TrueFalse { answer, feedback_true, feedback_false }, Response::Bool(b)) => Graded {
                fraction: if b == answer { 1.0 } else { 0.0 },
                feedback: if *b { feedback_true.clone() } else { feedback_false.clone() }.into_iter().collect(),
            },
            (Kind::ShortAnswer { answers, case_sensitive }, Response::Text(t)) => {
                let given = normalise_answer(t);
                match answers.iter().find(|a| wildcard_match(&normalise_answer(&a.text), &given, *case_sensitive)) {
                    Some(a) if !given.is_empty() => {
                        Graded { fraction: clamp(a.fraction), feedback: a.feedback.clone().into_iter().collect() }
                    }
                    _ => Graded::nothing(),
                }
            }
            (Kind::Matching { pairs }, Response::Matches(chosen)) => {
                let stems: Vec<usize> = (0..pairs.len()).filter(|&i| !pairs[i].left.trim().is_empty()).collect();
                if chosen.len() != stems.len() {
                    return Graded::nothing();
                }
                let right = stems
                    .iter()
                    .zip(chosen)
                    .filter(|(&stem, c)| {
                        c.and_then(|c| pairs.get(c)).is_some_and(|p| same_text(&p.right, &pairs[stem].right))
                    })
                    .count();
                Graded { fraction: right as f64 / stems.len() as f64, feedback: Vec::new() }
            }
            _ => Graded::nothing(),
        }
    }

    /// Whether a response has the shape this question takes (indexes in range, one per stem).
    pub fn accepts(&self, response: &Response) -> bool {
        match (&self.kind, response) {
            (Kind::SingleChoice { options }, Response::Choice(i)) => *i < options.len(),
            (Kind::MultipleChoice { options }, Response::Choices(c)) => c.iter().all(|&i| i < options.len()),
            (Kind::TrueFalse { .. }, Response::Bool(_)) => true,
            (Kind::ShortAnswer { .. }, Response::Text(t)) => t.chars().count() <= 1_000,
            (Kind::Matching { pairs }, Response::Matches(m)) => {
                m.len() == pairs.iter().filter(|p| !p.left.trim().is_empty()).count()
                    && m.iter().flatten().all(|&i| i < pairs.len())
            }
            _ => false,
        }
    }

    /// The answer that earns the full mark, as a learner would read it after grading.
    pub fn right_answer(&self) -> String {
        match &self.kind {
            Kind::SingleChoice { options } | Kind::ShortAnswer { answers: options, .. } => {
                options.iter().find(|o| o.fraction >= 0.999).map(|o| o.text.clone()).unwrap_or_default()
            }
            Kind::MultipleChoice { options } => {
                options.iter().filter(|o| o.fraction > 0.0).map(|o| o.text.as_str()).collect::<Vec<_>>().join("; ")
            }
            Kind::TrueFalse { answer, .. } => answer.to_string(),
            Kind::Matching { pairs } => pairs
                .iter()
                .filter(|p| !p.left.trim().is_empty())
                .map(|p| format!("{} → {}", p.left, p.right))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// The grade of one response.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    /// From 0 to 1.
    pub fraction: f64,
    /// The feedback of the options chosen.
    pub feedback: Vec<String>,
}

impl Graded {
    fn nothing() -> Self {
        Self { fraction: 0.0, feedback: Vec::new() }
    }
}

fn clamp(f: f64) -> f64 {
    if f.is_finite() {
        f.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Two right-hand items are the same answer when their texts are (a matching question may
/// repeat one right item for two stems).
fn same_text(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

/// Spaces collapsed and trimmed, as Moodle compares short answers.
fn normalise_answer(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `*` in the accepted answer matches any run of characters; everything else literally.
fn wildcard_match(pattern: &str, text: &str, case_sensitive: bool) -> bool {
    let fold = |s: &str| if case_sensitive { s.to_string() } else { s.to_lowercase() };
    let (p, t) = (fold(pattern), fold(text));
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let mut rest = t.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: Kind) -> Question {
        Question {
            id: "q1".into(),
            name: "q".into(),
            category: None,
            language: "en".into(),
            text: "?".into(),
            kind,
            feedback: None,
        }
    }

    fn c(text: &str, fraction: f64) -> Choice {
        Choice { text: text.into(), fraction, feedback: None }
    }

    #[test]
    fn single_choice_takes_the_chosen_fraction() {
        let q = q(Kind::SingleChoice { options: vec![c("a", 1.0), c("b", 0.0), c("c", 0.5), c("d", -0.5)] });
        assert_eq!(q.grade(Some(&Response::Choice(0))).fraction, 1.0);
        assert_eq!(q.grade(Some(&Response::Choice(1))).fraction, 0.0);
        assert_eq!(q.grade(Some(&Response::Choice(2))).fraction, 0.5);
        // A negative fraction never takes the question below nothing.
        assert_eq!(q.grade(Some(&Response::Choice(3))).fraction, 0.0);
        assert_eq!(q.grade(Some(&Response::Choice(9))).fraction, 0.0);
        assert_eq!(q.grade(None).fraction, 0.0);
        assert_eq!(q.grade(Some(&Response::Bool(true))).fraction, 0.0);
    }

    #[test]
    fn multiple_answers_add_up_as_in_moodle() {
        // Two right answers worth half each, two wrong ones worth minus half each.
        let q = q(Kind::MultipleChoice { options: vec![c("a", 0.5), c("b", 0.5), c("c", -0.5), c("d", -0.5)] });
        let g = |v: Vec<usize>| q.grade(Some(&Response::Choices(v))).fraction;
        assert_eq!(g(vec![0, 1]), 1.0);
        assert_eq!(g(vec![0]), 0.5);
        assert_eq!(g(vec![0, 2]), 0.0);
        // Ticking everything earns nothing.
        assert_eq!(g(vec![0, 1, 2, 3]), 0.0);
        assert_eq!(g(vec![0, 1, 2]), 0.5);
        assert_eq!(g(vec![2, 3]), 0.0);
        // A choice sent twice counts once.
        assert_eq!(g(vec![0, 0]), 0.5);
        assert_eq!(g(vec![]), 0.0);
        // Three right answers of a third each.
        let q3 = self::q(Kind::MultipleChoice {
            options: vec![c("a", 1.0 / 3.0), c("b", 1.0 / 3.0), c("c", 1.0 / 3.0), c("d", -1.0)],
        });
        let f = q3.grade(Some(&Response::Choices(vec![0, 1]))).fraction;
        assert!((f - 2.0 / 3.0).abs() < 1e-9);
        assert!(q3.check().is_ok());
    }

    #[test]
    fn true_false_and_its_feedback() {
        let q = q(Kind::TrueFalse {
            answer: false,
            feedback_true: Some("No: consent is needed.".into()),
            feedback_false: Some("Right.".into()),
        });
        let g = q.grade(Some(&Response::Bool(true)));
        assert_eq!(g.fraction, 0.0);
        assert_eq!(g.feedback, vec!["No: consent is needed.".to_string()]);
        assert_eq!(q.grade(Some(&Response::Bool(false))).fraction, 1.0);
    }

    #[test]
    fn short_answers_first_match_wins_with_wildcards() {
        let q = q(Kind::ShortAnswer {
            answers: vec![c("Hague Convention", 1.0), c("Hague*", 0.5), c("*1993*", 0.5)],
            case_sensitive: false,
        });
        let g = |t: &str| q.grade(Some(&Response::Text(t.into()))).fraction;
        assert_eq!(g("hague   convention "), 1.0);
        assert_eq!(g("Hague conv. of 1993"), 0.5);
        assert_eq!(g("the 1993 convention"), 0.5);
        assert_eq!(g("Geneva"), 0.0);
        assert_eq!(g(""), 0.0);
        let strict = self::q(Kind::ShortAnswer { answers: vec![c("UNCRC", 1.0)], case_sensitive: true });
        assert_eq!(strict.grade(Some(&Response::Text("uncrc".into()))).fraction, 0.0);
        assert_eq!(strict.grade(Some(&Response::Text("UNCRC".into()))).fraction, 1.0);
    }

    #[test]
    fn matching_gives_an_equal_part_per_stem() {
        let q = q(Kind::Matching {
            pairs: vec![
                Pair { left: "Kafala".into(), right: "Islamic law".into() },
                Pair { left: "Adoption".into(), right: "Hague 1993".into() },
                Pair { left: "Abduction".into(), right: "Hague 1980".into() },
                Pair { left: "".into(), right: "Geneva 1951".into() },
            ],
        });
        let g = |v: Vec<Option<usize>>| q.grade(Some(&Response::Matches(v))).fraction;
        assert_eq!(g(vec![Some(0), Some(1), Some(2)]), 1.0);
        assert!((g(vec![Some(0), Some(2), Some(1)]) - 1.0 / 3.0).abs() < 1e-9);
        assert!((g(vec![Some(0), Some(1), None]) - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(g(vec![Some(3), Some(3), Some(3)]), 0.0);
        // The wrong number of answers is not a response to this question.
        assert_eq!(g(vec![Some(0), Some(1)]), 0.0);
        assert!(!q.accepts(&Response::Matches(vec![Some(0), Some(9), None])));
    }

    #[test]
    fn checks_refuse_what_cannot_be_graded() {
        assert_eq!(
            q(Kind::SingleChoice { options: vec![c("a", 0.5), c("b", 0.0)] }).check(),
            Err(QuestionError::NoFullMark)
        );
        assert_eq!(q(Kind::SingleChoice { options: vec![c("a", 1.0)] }).check(), Err(QuestionError::TooFewOptions));
        assert_eq!(
            q(Kind::MultipleChoice { options: vec![c("a", 0.5), c("b", -0.5)] }).check(),
            Err(QuestionError::NoFullMark)
        );
        assert_eq!(
            q(Kind::ShortAnswer { answers: vec![], case_sensitive: false }).check(),
            Err(QuestionError::NoAnswer)
        );
        assert_eq!(
            q(Kind::SingleChoice { options: vec![c("a", 2.0), c("b", 0.0)] }).check(),
            Err(QuestionError::BadFraction)
        );
    }
}
