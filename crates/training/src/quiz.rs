//! A quiz as one attempt sees it: the questions drawn for it (a random N of the bank, in the
//! learner's language), each with its options in a shuffled order the learner's answers are
//! read through, the server's clock that closes it, and its score against the pass mark.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::question::{Kind, Question, Response};

/// How long after its time limit a submission is still taken as in time: the page was sent
/// at the limit and spent a moment on the wire.
pub const GRACE_SECONDS: i64 = 20;
/// The most questions one attempt draws.
pub const MAX_DRAW: u32 = 200;

/// How a course's quiz is taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QuizSettings {
    /// How many questions each attempt draws from the bank; none for all of them.
    #[serde(default)]
    pub draw: Option<u32>,
    /// The score needed to pass, in percent.
    pub pass_mark: u32,
    /// How many attempts a learner has per course version; none for no limit.
    #[serde(default)]
    pub attempts: Option<u32>,
    /// Minutes from the start to the end of an attempt; none for no limit.
    #[serde(default)]
    pub time_limit_minutes: Option<u32>,
    /// Whether options are shown in a different order in each attempt.
    #[serde(default = "yes")]
    pub shuffle: bool,
}

fn yes() -> bool {
    true
}

impl Default for QuizSettings {
    fn default() -> Self {
        Self { draw: None, pass_mark: 80, attempts: None, time_limit_minutes: None, shuffle: true }
    }
}

impl QuizSettings {
    /// Whether the settings make sense: a pass mark of at most 100, a limit of minutes and
    /// attempts that is not zero, a draw of at most [`MAX_DRAW`].
    pub fn is_valid(&self) -> bool {
        self.pass_mark <= 100
            && self.draw.is_none_or(|d| (1..=MAX_DRAW).contains(&d))
            && self.attempts.is_none_or(|a| a >= 1)
            && self.time_limit_minutes.is_none_or(|m| (1..=24 * 60).contains(&m))
    }
}

/// One question as an attempt holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Drawn {
    /// The question's id in the bank.
    pub question: String,
    /// For each position shown, the option's index in the bank (the right-hand items of a
    /// matching question).
    pub order: Vec<usize>,
}

/// The questions of the bank an attempt draws from: those in the learner's language when
/// there are enough, else those in the course's first language.
pub fn bank_for<'a>(
    bank: &'a [Question],
    language: &str,
    fallback: &str,
    settings: &QuizSettings,
) -> Vec<&'a Question> {
    let of = |lang: &str| bank.iter().filter(|q| q.language == lang).collect::<Vec<_>>();
    let wanted = of(language);
    let needed = settings.draw.map_or(1, |d| d as usize);
    if wanted.len() >= needed.max(1) {
        wanted
    } else {
        of(fallback)
    }
}

/// Draws an attempt's questions with a seed (from a secure source, so the next attempt cannot
/// be foreseen): N at random in the bank's order, options shuffled when the quiz says so.
pub fn draw(bank: &[&Question], settings: &QuizSettings, seed: u64) -> Vec<Drawn> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut picked: Vec<usize> = (0..bank.len()).collect();
    if let Some(n) = settings.draw {
        rng.shuffle(&mut picked);
        picked.truncate(n as usize);
        picked.sort_unstable();
    }
    picked
        .into_iter()
        .map(|i| {
            let q = bank[i];
            let mut order: Vec<usize> = (0..q.option_count()).collect();
            if settings.shuffle {
                rng.shuffle(&mut order);
            }
            Drawn { question: q.id.clone(), order }
        })
        .collect()
}

/// An answer as the form sends it: positions as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Shown {
    Choice(usize),
    Choices(Vec<usize>),
    Bool(bool),
    Text(String),
    /// For each stem in order, the position of the right-hand item chosen.
    Matches(Vec<Option<usize>>),
}

impl Drawn {
    /// The learner's answer in the bank's terms, or none if it does not fit the question as
    /// drawn (a position that was not shown).
    pub fn unshuffle(&self, question: &Question, shown: &Shown) -> Option<Response> {
        let bank = |p: usize| self.order.get(p).copied();
        let response = match shown {
            Shown::Choice(p) => Response::Choice(bank(*p)?),
            Shown::Choices(ps) => Response::Choices(ps.iter().map(|&p| bank(p)).collect::<Option<Vec<_>>>()?),
            Shown::Bool(b) => Response::Bool(*b),
            Shown::Text(t) => Response::Text(t.clone()),
            Shown::Matches(ms) => Response::Matches(
                ms.iter()
                    .map(|m| m.map(|p| bank(p).ok_or(())))
                    .map(|m| m.transpose())
                    .collect::<Result<Vec<_>, _>>()
                    .ok()?,
            ),
        };
        question.accepts(&response).then_some(response)
    }

    /// The answer as shown again, to fill the form back in.
    pub fn reshuffle(&self, response: &Response) -> Shown {
        let shown = |i: usize| self.order.iter().position(|&o| o == i).unwrap_or(i);
        match response {
            Response::Choice(i) => Shown::Choice(shown(*i)),
            Response::Choices(is) => Shown::Choices(is.iter().map(|&i| shown(i)).collect()),
            Response::Bool(b) => Shown::Bool(*b),
            Response::Text(t) => Shown::Text(t.clone()),
            Response::Matches(ms) => Shown::Matches(ms.iter().map(|m| m.map(shown)).collect()),
        }
    }
}

/// Whether a question is a matching one with its stems (left items) in the bank's order.
pub fn stems(question: &Question) -> Vec<&str> {
    match &question.kind {
        Kind::Matching { pairs } => pairs.iter().map(|p| p.left.as_str()).filter(|l| !l.trim().is_empty()).collect(),
        _ => Vec::new(),
    }
}

/// An attempt's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Score {
    /// Marks earned, one per question.
    pub marks: f64,
    pub out_of: u32,
    /// Rounded to two decimals.
    pub percent: f64,
    pub passed: bool,
}

/// Grades every question of an attempt, an unanswered one earning nothing.
pub fn score(graded: &[(&Question, Option<&Response>)], pass_mark: u32) -> Score {
    let marks: f64 = graded.iter().map(|(q, r)| q.grade(*r).fraction).sum();
    let out_of = graded.len() as u32;
    let percent = if out_of == 0 { 0.0 } else { (marks / out_of as f64 * 10_000.0).round() / 100.0 };
    Score { marks, out_of, percent, passed: out_of > 0 && percent + 1e-9 >= pass_mark as f64 }
}

/// Where an attempt stands on the server's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Answers are taken.
    Open,
    /// The limit has passed: the attempt is graded as it stood at `deadline`.
    Over { deadline: DateTime<Utc> },
}

/// The moment an attempt started with a limit of `minutes` must be in.
pub fn deadline(started: DateTime<Utc>, minutes: Option<u32>) -> Option<DateTime<Utc>> {
    minutes.map(|m| started + Duration::minutes(i64::from(m)))
}

pub fn clock(deadline: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Clock {
    match deadline {
        Some(d) if now > d + Duration::seconds(GRACE_SECONDS) => Clock::Over { deadline: d },
        _ => Clock::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::{Choice, Pair};

    fn bank() -> Vec<Question> {
        (0..10)
            .map(|i| Question {
                id: format!("q{i}"),
                name: format!("Q{i}"),
                category: None,
                language: if i < 6 { "en".into() } else { "fr".into() },
                text: "?".into(),
                kind: Kind::SingleChoice {
                    options: (0..4)
                        .map(|o| Choice {
                            text: format!("{o}"),
                            fraction: if o == 0 { 1.0 } else { 0.0 },
                            feedback: None,
                        })
                        .collect(),
                },
                feedback: None,
            })
            .collect()
    }

    #[test]
    fn draws_n_in_the_learners_language_and_shuffles_options() {
        let bank = bank();
        let settings = QuizSettings { draw: Some(3), ..QuizSettings::default() };
        let en = bank_for(&bank, "en", "en", &settings);
        assert_eq!(en.len(), 6);
        // Four French questions are enough for a draw of three.
        assert!(bank_for(&bank, "fr", "en", &settings).iter().all(|q| q.language == "fr"));
        // Arabic has none: the course's first language.
        assert!(bank_for(&bank, "ar", "en", &settings).iter().all(|q| q.language == "en"));
        let a = draw(&en, &settings, 1);
        let b = draw(&en, &settings, 2);
        assert_eq!(a.len(), 3);
        assert!(a.iter().all(|d| {
            let mut o = d.order.clone();
            o.sort();
            o == vec![0, 1, 2, 3]
        }));
        // Two seeds draw differently (in questions or in option order), one seed the same.
        assert_ne!(a, b);
        assert_eq!(a, draw(&en, &settings, 1));
        let all = draw(&en, &QuizSettings { shuffle: false, ..QuizSettings::default() }, 3);
        assert_eq!(all.len(), 6);
        assert!(all.iter().all(|d| d.order == vec![0, 1, 2, 3]));
    }

    #[test]
    fn answers_are_read_through_the_shown_order() {
        let bank = bank();
        let d = Drawn { question: "q0".into(), order: vec![2, 0, 3, 1] };
        // The right answer (bank option 0) was shown second.
        assert_eq!(d.unshuffle(&bank[0], &Shown::Choice(1)), Some(Response::Choice(0)));
        assert_eq!(d.unshuffle(&bank[0], &Shown::Choice(4)), None);
        assert_eq!(d.unshuffle(&bank[0], &Shown::Bool(true)), None);
        assert_eq!(d.reshuffle(&Response::Choice(0)), Shown::Choice(1));
        let m = Question {
            kind: Kind::Matching {
                pairs: vec![
                    Pair { left: "a".into(), right: "1".into() },
                    Pair { left: "b".into(), right: "2".into() },
                    Pair { left: "".into(), right: "3".into() },
                ],
            },
            ..bank[0].clone()
        };
        let d = Drawn { question: "q0".into(), order: vec![2, 1, 0] };
        let r = d.unshuffle(&m, &Shown::Matches(vec![Some(2), Some(1)])).unwrap();
        assert_eq!(m.grade(Some(&r)).fraction, 1.0);
        assert_eq!(d.unshuffle(&m, &Shown::Matches(vec![Some(2)])), None);
    }

    #[test]
    fn scores_against_the_pass_mark() {
        let bank = bank();
        let right = Response::Choice(0);
        let wrong = Response::Choice(1);
        let s = score(
            &[(&bank[0], Some(&right)), (&bank[1], Some(&right)), (&bank[2], Some(&wrong)), (&bank[3], None)],
            50,
        );
        assert_eq!((s.marks, s.out_of, s.percent, s.passed), (2.0, 4, 50.0, true));
        let s = score(&[(&bank[0], Some(&right)), (&bank[1], Some(&wrong)), (&bank[2], Some(&wrong))], 34);
        assert_eq!((s.percent, s.passed), (33.33, false));
        assert!(!score(&[], 0).passed);
    }

    #[test]
    fn the_clock_closes_after_the_limit_and_its_grace() {
        let start = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z").unwrap().with_timezone(&Utc);
        let d = deadline(start, Some(20));
        assert_eq!(clock(d, start + Duration::minutes(19)), Clock::Open);
        assert_eq!(clock(d, start + Duration::minutes(20) + Duration::seconds(GRACE_SECONDS)), Clock::Open);
        assert_eq!(clock(d, start + Duration::minutes(21)), Clock::Over { deadline: start + Duration::minutes(20) });
        assert_eq!(clock(None, start + Duration::days(9)), Clock::Open);
        assert!(!QuizSettings { pass_mark: 101, ..QuizSettings::default() }.is_valid());
        assert!(!QuizSettings { draw: Some(0), ..QuizSettings::default() }.is_valid());
    }
}
