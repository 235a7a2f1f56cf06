//! A course as one published version holds it: its titles and summary in the languages it is
//! written in, its modules (Markdown text, a video link), its question bank and how the quiz
//! is taken. A version never changes once published; a learner keeps the one they started.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::question::Question;
use crate::quiz::QuizSettings;

/// The most modules one course may have.
pub const MAX_MODULES: usize = 100;
/// The most questions in one course's bank.
pub const MAX_BANK: usize = 5_000;
/// The languages a course may be written in.
pub const LANGUAGES: [&str; 4] = ["en", "fr", "es", "ar"];

/// A text in several languages, by language code.
pub type Localized = BTreeMap<String, String>;

/// The text in `language`, else in the first of `fallbacks` that has it, else any.
pub fn pick<'a>(text: &'a Localized, language: &str, fallbacks: &[String]) -> &'a str {
    text.get(language)
        .or_else(|| fallbacks.iter().find_map(|l| text.get(l)))
        .or_else(|| text.values().next())
        .map_or("", String::as_str)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Content {
    /// The languages it is written in, the first the one it falls back to.
    pub languages: Vec<String>,
    pub titles: Localized,
    #[serde(default)]
    pub summaries: Localized,
    #[serde(default)]
    pub modules: Vec<Module>,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub quiz: QuizSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Module {
    pub titles: Localized,
    #[serde(flatten)]
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// Markdown, by language.
    Text { markdown: Localized },
    /// A link to a video on a web address, with what it shows.
    Video { url: String, description: Localized },
}

/// Why a course's content cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("the course has no title")]
    NoTitle,
    #[error("unknown language {0}")]
    Language(String),
    #[error("too many modules or questions")]
    TooMany,
    #[error("a text is too long")]
    TooLong,
    #[error("a video must be an https address")]
    VideoUrl,
    #[error("question {0}: {1}")]
    Question(String, crate::question::QuestionError),
    #[error("two questions have the id {0}")]
    DuplicateQuestion(String),
    #[error("the quiz settings are not valid")]
    Quiz,
    #[error("the quiz draws more questions than the bank has in {0}")]
    DrawTooLarge(String),
}

impl Content {
    pub fn check(&self) -> Result<(), ContentError> {
        let Some(first) = self.languages.first() else { return Err(ContentError::NoTitle) };
        for l in self.languages.iter().chain(self.titles.keys()) {
            if !LANGUAGES.contains(&l.as_str()) {
                return Err(ContentError::Language(l.clone()));
            }
        }
        if self.titles.get(first).is_none_or(|t| t.trim().is_empty()) {
            return Err(ContentError::NoTitle);
        }
        if self.modules.len() > MAX_MODULES || self.questions.len() > MAX_BANK {
            return Err(ContentError::TooMany);
        }
        let long = |t: &Localized, max: usize| t.values().any(|v| v.len() > max);
        if long(&self.titles, 300) || long(&self.summaries, 5_000) {
            return Err(ContentError::TooLong);
        }
        for m in &self.modules {
            if long(&m.titles, 300) {
                return Err(ContentError::TooLong);
            }
            match &m.body {
                Body::Text { markdown } if long(markdown, crate::text::MAX_MARKDOWN) => {
                    return Err(ContentError::TooLong)
                }
                Body::Video { url, description } => {
                    if !url.starts_with("https://") || url.len() > 2_000 || url.chars().any(char::is_whitespace) {
                        return Err(ContentError::VideoUrl);
                    }
                    if long(description, 5_000) {
                        return Err(ContentError::TooLong);
                    }
                }
                Body::Text { .. } => {}
            }
        }
        let mut ids = std::collections::HashSet::new();
        for q in &self.questions {
            q.check().map_err(|e| ContentError::Question(q.id.clone(), e))?;
            if !ids.insert(q.id.as_str()) {
                return Err(ContentError::DuplicateQuestion(q.id.clone()));
            }
        }
        if !self.quiz.is_valid() {
            return Err(ContentError::Quiz);
        }
        if let Some(n) = self.quiz.draw {
            let in_first = self.questions.iter().filter(|q| &q.language == first).count();
            if !self.questions.is_empty() && in_first < n as usize {
                return Err(ContentError::DrawTooLarge(first.clone()));
            }
        }
        Ok(())
    }

    /// Whether the course ends with a quiz (a course without one is completed by reading it).
    pub fn has_quiz(&self) -> bool {
        !self.questions.is_empty()
    }

    /// The next free question id, after imports have numbered theirs.
    pub fn next_question_prefix(&self) -> String {
        format!("q{}-", self.questions.len() + 1)
    }
}
