//! The demo's academy: three real courses (data protection, best interests of the child,
//! kafala), each in English, French and Spanish with its quiz, from the data files beside this
//! crate; the network's curricula; and a history that shows every standing: a Swiss caseworker
//! current on both core courses, a German one whose data protection lapsed (Germany's case
//! files need current training, so they are held to titles), the rest due.

use std::collections::BTreeMap;

use kinbridge_casework::training::NewRequirement;
use kinbridge_casework::{Caller, Casework};
use kinbridge_domain::Role;
use kinbridge_training::course::Content;
use kinbridge_training::question::Kind;
use kinbridge_training::quiz::Shown;

use crate::DemoError;

/// (code, content, GIFT banks in English, French, Spanish)
const COURSES: &[(&str, &str, [&str; 3])] = &[
    (
        "data-protection",
        include_str!("../data/courses/data-protection.json"),
        [
            include_str!("../data/courses/data-protection.en.gift"),
            include_str!("../data/courses/data-protection.fr.gift"),
            include_str!("../data/courses/data-protection.es.gift"),
        ],
    ),
    (
        "best-interests",
        include_str!("../data/courses/best-interests.json"),
        [
            include_str!("../data/courses/best-interests.en.gift"),
            include_str!("../data/courses/best-interests.fr.gift"),
            include_str!("../data/courses/best-interests.es.gift"),
        ],
    ),
    (
        "kafala",
        include_str!("../data/courses/kafala.json"),
        [
            include_str!("../data/courses/kafala.en.gift"),
            include_str!("../data/courses/kafala.fr.gift"),
            include_str!("../data/courses/kafala.es.gift"),
        ],
    ),
];

/// The courses with their banks, as the demo publishes them.
pub fn courses() -> Result<Vec<(&'static str, Content)>, DemoError> {
    COURSES
        .iter()
        .map(|(code, json, banks)| {
            let mut content: Content =
                serde_json::from_str(json).map_err(|e| DemoError::Course(format!("{code}: {e}")))?;
            for (language, bank) in ["en", "fr", "es"].iter().zip(banks) {
                let questions = kinbridge_training::gift::parse(bank, language, &format!("{language}-"))
                    .map_err(|e| DemoError::Course(format!("{code}.{language}.gift: {e}")))?;
                content.questions.extend(questions);
            }
            Ok((*code, content))
        })
        .collect()
}

/// Publishes the courses, sets the curricula, and plays the history.
pub async fn load(store: &Casework) -> Result<(), DemoError> {
    for (code, content) in courses()? {
        store.publish_course_as_operator(code, content).await?;
    }
    let rule = |course: &str, role: Option<Role>, member: Option<&str>, months: u32, gates: bool, curriculum: &str| {
        NewRequirement {
            curriculum: curriculum.into(),
            course: course.into(),
            role,
            member: member.map(str::to_string),
            validity_months: months,
            window_days: 60,
            gates,
        }
    };
    for r in [
        rule("data-protection", Some(Role::Caseworker), None, 12, true, "Casework core"),
        rule("data-protection", Some(Role::Supervisor), None, 12, true, "Casework core"),
        rule("best-interests", Some(Role::Caseworker), None, 24, false, "Casework core"),
        rule("kafala", Some(Role::Caseworker), Some("MA"), 24, false, "Kafala countries"),
        rule("best-interests", None, None, 24, false, "Residential care programme"),
    ] {
        store.add_requirement(None, r).await?;
    }
    let as_caller = |u: kinbridge_casework::accounts::User| Caller { actor: u.actor(), ip: None };
    if let Some(judge) = store.user_by_email("judge@ch.kinbridge.example").await? {
        store.enrol_as_operator(&judge.id, "Residential care programme").await?;
    }
    if let Some(swiss) = store.user_by_email("caseworker@ch.kinbridge.example").await? {
        let swiss = as_caller(swiss);
        pass(store, &swiss, "data-protection", "fr").await?;
        pass(store, &swiss, "best-interests", "fr").await?;
    }
    if let Some(german) = store.user_by_email("caseworker2@de.kinbridge.example").await? {
        let german = as_caller(german);
        let attempt = pass(store, &german, "data-protection", "en").await?;
        // Passed thirteen months ago: lapsed a month since, and Germany's case files need
        // current training, so this caseworker sees titles only until they renew.
        store.backdate_attempt_as_operator(&attempt, 396).await?;
        store.set_training_gate(None, "DE", true).await?;
    }
    Ok(())
}

/// Takes a course's quiz and answers every question right.
async fn pass(store: &Casework, who: &Caller, course: &str, language: &str) -> Result<String, DemoError> {
    let id = store.start_attempt(who, course, language).await?;
    let Some((_, _, content)) = store.course_content(course).await? else { return Ok(id) };
    let view = store.attempt(who, &id).await?;
    let mut answers = BTreeMap::new();
    for q in &view.questions {
        let Some(bank) = content.questions.iter().find(|b| b.id == q.id) else { continue };
        let at = |text: &str| q.options.iter().position(|o| o == text);
        let shown = match &bank.kind {
            Kind::SingleChoice { options } => {
                options.iter().find(|o| o.fraction >= 0.999).and_then(|o| at(&o.text)).map(Shown::Choice)
            }
            Kind::MultipleChoice { options } => {
                Some(Shown::Choices(options.iter().filter(|o| o.fraction > 0.0).filter_map(|o| at(&o.text)).collect()))
            }
            Kind::TrueFalse { answer, .. } => Some(Shown::Bool(*answer)),
            Kind::ShortAnswer { answers, .. } => answers.first().map(|a| Shown::Text(a.text.clone())),
            Kind::Matching { pairs } => {
                Some(Shown::Matches(pairs.iter().filter(|p| !p.left.trim().is_empty()).map(|p| at(&p.right)).collect()))
            }
        };
        if let Some(s) = shown {
            answers.insert(q.id.clone(), s);
        }
    }
    store.answer(who, &id, answers, true).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_courses_read_and_check() {
        let courses = super::courses().unwrap();
        assert_eq!(courses.len(), 3);
        for (code, content) in courses {
            content.check().unwrap_or_else(|e| panic!("{code}: {e}"));
            for language in ["en", "fr", "es"] {
                assert!(content.questions.iter().any(|q| q.language == language), "{code} has no {language} questions");
                assert!(content.titles.contains_key(language));
            }
        }
    }
}
