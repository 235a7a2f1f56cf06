//! Learning records as xAPI 1.0.3 statements, for a member's Learning Record Store: a
//! finished attempt is `passed` or `failed` with its scaled score and duration; each statement
//! has the attempt's id, so a store that takes the stream twice keeps one copy.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// One finished attempt, as the statement tells it.
#[derive(Debug, Clone)]
pub struct Finished<'a> {
    /// A UUID: the statement's id.
    pub attempt_id: &'a str,
    /// The learner's account id on this server (never their e-mail or name).
    pub learner: &'a str,
    pub course_code: &'a str,
    pub course_title: &'a str,
    pub language: &'a str,
    pub version: i64,
    pub percent: f64,
    pub passed: bool,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
}

/// The statement of a finished attempt; `home` is the server's public address.
pub fn statement(home: &str, a: &Finished) -> Value {
    let (verb, word) = if a.passed {
        ("http://adlnet.gov/expapi/verbs/passed", "passed")
    } else {
        ("http://adlnet.gov/expapi/verbs/failed", "failed")
    };
    let seconds = (a.finished - a.started).num_seconds().max(0);
    json!({
        "id": a.attempt_id,
        "actor": {
            "objectType": "Agent",
            "account": { "homePage": home, "name": a.learner },
        },
        "verb": { "id": verb, "display": { "en-US": word } },
        "object": {
            "objectType": "Activity",
            "id": format!("{home}/training/courses/{}", a.course_code),
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/course",
                "name": { a.language: a.course_title },
            },
        },
        "result": {
            "score": { "scaled": (a.percent / 100.0 * 10_000.0).round() / 10_000.0, "raw": a.percent, "min": 0, "max": 100 },
            "success": a.passed,
            "completion": true,
            "duration": format!("PT{seconds}S"),
        },
        "context": {
            "extensions": { format!("{home}/training/xapi/course-version"): a.version },
        },
        "timestamp": a.finished.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "version": "1.0.3",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_as_xapi() {
        let started = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z").unwrap().with_timezone(&Utc);
        let s = statement(
            "https://kb.example",
            &Finished {
                attempt_id: "0190f7c2-0000-7000-8000-000000000001",
                learner: "u1",
                course_code: "data-protection",
                course_title: "Data protection",
                language: "en",
                version: 2,
                percent: 87.5,
                passed: true,
                started,
                finished: started + chrono::Duration::seconds(754),
            },
        );
        assert_eq!(s["verb"]["id"], "http://adlnet.gov/expapi/verbs/passed");
        assert_eq!(s["result"]["score"]["scaled"], 0.875);
        assert_eq!(s["result"]["duration"], "PT754S");
        assert_eq!(s["object"]["id"], "https://kb.example/training/courses/data-protection");
        assert_eq!(s["timestamp"], "2026-03-01T10:12:34.000Z");
        assert_eq!(s["actor"]["account"]["name"], "u1");
    }
}
