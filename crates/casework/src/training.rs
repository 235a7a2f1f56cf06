//! The academy's use cases: courses published in versions and question banks imported from
//! GIFT or Moodle XML (the training manager, or the operator at the command line); a learner's
//! attempts, drawn, timed and graded by [`kinbridge_training`], a pass completing the course and
//! issuing a certificate; the public check of a certificate's code; and each member's
//! compliance with its curricula. Every attempt, completion and certificate is audited.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use kinbridge_domain::access::TrainingReach;
use kinbridge_domain::audit::{AuditAction, AuditEntry};
use kinbridge_domain::{DomainError, ErrorCode, FieldError, Role};
use kinbridge_store::training::{self as rows, AttemptRow, CertificateRow, RequirementRow};
use kinbridge_training::course::{pick, Content};
use kinbridge_training::quiz::{self, Clock, Drawn, Shown};
use kinbridge_training::standing::{Renewal, Standing};
use kinbridge_training::{certificate, Question, Response};
use serde::Serialize;

use crate::{system_entry, Caller, Casework, Error, Result};

/// A question file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionFormat {
    Gift,
    MoodleXml,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Imported {
    pub course: String,
    pub version: i64,
    pub questions: usize,
    pub created: bool,
}

/// A course in a list, in the reader's language.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CourseSummary {
    pub code: String,
    pub title: String,
    pub version: i64,
}

/// One question of an attempt as the learner sees it: options in the attempt's order.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AttemptQuestion {
    pub id: String,
    pub text: String,
    /// `single_choice`, `multiple_choice`, `true_false`, `short_answer`, `matching`.
    pub kind: &'static str,
    /// The options (the right-hand items of a matching question), as shown.
    pub options: Vec<String>,
    /// The items to match, in order.
    pub stems: Vec<String>,
    /// The answer saved or submitted, in shown positions.
    pub answer: Option<Shown>,
    /// Once graded: the part of the mark earned, the feedback, the right answer.
    pub fraction: Option<f64>,
    pub feedback: Vec<String>,
    pub right_answer: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AttemptView {
    pub id: String,
    pub course: String,
    pub course_title: String,
    pub version: i64,
    pub number: i64,
    pub started_at: String,
    pub deadline: Option<String>,
    pub finished_at: Option<String>,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub pass_mark: u32,
    pub questions: Vec<AttemptQuestion>,
    /// The certificate a pass issued.
    pub certificate: Option<String>,
}

/// What the public check of a certificate's code says: nothing but this.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Verification {
    /// `valid`, `expired`, `revoked` or `unknown`.
    pub status: &'static str,
    pub code: Option<String>,
    /// The holder's initials.
    pub holder: Option<String>,
    pub member: Option<String>,
    pub course: Option<String>,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
}

/// A certificate as its holder downloads it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CertificateView {
    pub code: String,
    pub holder: String,
    pub member: String,
    pub course: String,
    pub course_code: String,
    pub percent: f64,
    pub issued_on: String,
    pub expires_on: Option<String>,
    pub revoked: bool,
    pub language: String,
}

/// A certificate in its holder's list.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CertificateLine {
    pub code: String,
    pub course: String,
    pub title: String,
    pub issued_on: String,
    pub expires_on: Option<String>,
    pub revoked: bool,
}

/// One person's standing on one compulsory course.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Due {
    pub course: String,
    pub title: String,
    #[schemars(with = "serde_json::Value")]
    pub standing: Standing,
    /// Whether the member's case-file gate looks at this course.
    pub gates: bool,
}

/// A member's people and their standing on each compulsory course.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Compliance {
    pub member: String,
    pub on: String,
    /// The courses some person of the member must hold, by code, with their titles.
    pub courses: Vec<CourseSummary>,
    pub people: Vec<PersonStanding>,
    /// Per course: how many are current, due and lapsed.
    pub totals: Vec<Totals>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PersonStanding {
    pub name: String,
    pub role: String,
    pub courses: Vec<Due>,
}

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Totals {
    pub course: String,
    pub current: u64,
    pub due: u64,
    pub lapsed: u64,
}

/// A requirement of a curriculum, as entered.
#[derive(Debug, Clone)]
pub struct NewRequirement {
    pub curriculum: String,
    pub course: String,
    pub role: Option<Role>,
    /// A member's code: the requirement binds that member's people only.
    pub member: Option<String>,
    pub validity_months: u32,
    pub window_days: u32,
    pub gates: bool,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| Error::corrupt(format!("time {s}: {e}")))
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn day_of(s: &str) -> Result<NaiveDate> {
    s.get(..10).and_then(|d| d.parse().ok()).ok_or_else(|| Error::corrupt(format!("date {s}")))
}

fn content_of(json: &str) -> Result<Content> {
    serde_json::from_str(json).map_err(|e| Error::corrupt(format!("course content: {e}")))
}

fn kind_key(q: &Question) -> &'static str {
    use kinbridge_training::question::Kind;
    match q.kind {
        Kind::SingleChoice { .. } => "single_choice",
        Kind::MultipleChoice { .. } => "multiple_choice",
        Kind::TrueFalse { .. } => "true_false",
        Kind::ShortAnswer { .. } => "short_answer",
        Kind::Matching { .. } => "matching",
    }
}

/// A seed no learner can foresee: from the operating system's random source.
fn secure_seed() -> u64 {
    let b = uuid::Uuid::new_v4().into_bytes();
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[8], b[9]]) ^ u64::from(b[10]) << 56
}

/// The code of a course: lower-case letters, digits and dashes.
fn course_code(code: &str) -> Result<String> {
    let code = code.trim().to_ascii_lowercase();
    if code.is_empty() || code.len() > 64 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(DomainError::field("course", ErrorCode::InvalidValue).into());
    }
    Ok(code)
}

impl Casework {
    /// Publishes a course's content as its next version (the first creates the course).
    pub async fn publish_course(&self, caller: &Caller, code: &str, content: Content) -> Result<i64> {
        caller.actor.require(caller.actor.can_manage_training())?;
        let entry = caller.entry(AuditAction::Update, "course", Some(code), "publish");
        self.publish(code, content, Some(caller.actor.user_id.as_str()), entry).await
    }

    /// The same for the operator at the command line (the demo's courses), audited as the system.
    pub async fn publish_course_as_operator(&self, code: &str, content: Content) -> Result<i64> {
        self.publish(code, content, None, system_entry(AuditAction::Admin, "course", Some(code), None, "publish")).await
    }

    async fn publish(&self, code: &str, content: Content, by: Option<&str>, entry: AuditEntry) -> Result<i64> {
        let code = course_code(code)?;
        content.check().map_err(|e| {
            tracing::info!(course = %code, problem = %e, "course refused");
            Error::Domain(DomainError::field("content", ErrorCode::CourseInvalid))
        })?;
        let titles = serde_json::to_string(&content.titles).map_err(|e| Error::corrupt(e.to_string()))?;
        let json = serde_json::to_string(&content).map_err(|e| Error::corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let (_, version) = rows::publish(&mut tx, &code, &titles, &json, by).await?;
        kinbridge_store::audit::append(
            &mut tx,
            &[AuditEntry { detail: format!("publish version {version}"), ..entry }],
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// A course's current content, if the course exists.
    pub async fn course_content(&self, code: &str) -> Result<Option<(String, i64, Content)>> {
        let Some(course) = rows::course_by_code(self.pool(), code).await? else { return Ok(None) };
        let json = rows::version(self.pool(), &course.id, course.current_version)
            .await?
            .ok_or_else(|| Error::corrupt(format!("course {code} lost version {}", course.current_version)))?;
        Ok(Some((course.id, course.current_version, content_of(&json)?)))
    }

    /// Adds the questions of a GIFT or Moodle XML file to a course's bank, as a new version;
    /// creates the course (titled by its code) when it does not exist. A file with any error
    /// adds nothing: [`Error::Import`] names the line and the problem.
    pub async fn import_questions(
        &self,
        caller: Option<&Caller>,
        course: &str,
        format: QuestionFormat,
        text: &str,
        language: &str,
    ) -> Result<Imported> {
        if let Some(c) = caller {
            c.actor.require(c.actor.can_manage_training())?;
        }
        let code = course_code(course)?;
        if !kinbridge_training::course::LANGUAGES.contains(&language) {
            return Err(DomainError::field("language", ErrorCode::InvalidChoice).into());
        }
        let existing = self.course_content(&code).await?;
        let created = existing.is_none();
        let mut content = match existing {
            Some((_, _, content)) => content,
            None => Content {
                languages: vec![language.to_string()],
                titles: BTreeMap::from([(language.to_string(), code.clone())]),
                summaries: BTreeMap::new(),
                modules: Vec::new(),
                questions: Vec::new(),
                quiz: Default::default(),
            },
        };
        let prefix = content.next_question_prefix();
        let parsed = match format {
            QuestionFormat::Gift => kinbridge_training::gift::parse(text, language, &prefix),
            QuestionFormat::MoodleXml => kinbridge_training::moodle_xml::parse(text, language, &prefix),
        }
        .map_err(|e| Error::Import {
            line: e.line,
            problem: e.problem.key(),
            detail: e.problem.to_string(),
        })?;
        let n = parsed.len();
        content.questions.extend(parsed);
        if !content.languages.iter().any(|l| l == language) {
            content.languages.push(language.to_string());
        }
        let detail = format!("import {n} questions");
        let version = match caller {
            Some(c) => {
                let entry = c.entry(AuditAction::Update, "course", Some(&code), &detail);
                self.publish(&code, content, Some(c.actor.user_id.as_str()), entry).await?
            }
            None => {
                self.publish(
                    &code,
                    content,
                    None,
                    system_entry(AuditAction::Admin, "course", Some(&code), None, &detail),
                )
                .await?
            }
        };
        Ok(Imported { course: code, version, questions: n, created })
    }

    /// Every course, in the reader's language.
    pub async fn courses(&self, language: &str) -> Result<Vec<CourseSummary>> {
        rows::courses(self.pool())
            .await?
            .into_iter()
            .map(|c| {
                let titles: BTreeMap<String, String> =
                    serde_json::from_str(&c.titles).map_err(|e| Error::corrupt(format!("course titles: {e}")))?;
                Ok(CourseSummary {
                    title: pick(&titles, language, &[]).to_string(),
                    code: c.code,
                    version: c.current_version,
                })
            })
            .collect()
    }

    /// Starts an attempt at a course's quiz, or returns the open one. A learner who started a
    /// version and has not passed it keeps that version; after a pass, a renewal takes the
    /// current one. Attempts since the last pass count against the limit.
    pub async fn start_attempt(&self, caller: &Caller, course: &str, language: &str) -> Result<String> {
        let Some(row) = rows::course_by_code(self.pool(), course).await? else {
            return Err(self.denied(caller, "course", course).await);
        };
        let user = caller.actor.user_id.as_str();
        let past = rows::attempts_of(self.pool(), user, &row.id).await?;
        if let Some(open) = past.iter().find(|a| a.finished_at.is_none()) {
            let a = self.close_if_over(open.clone()).await?;
            if a.finished_at.is_none() {
                return Ok(a.id);
            }
        }
        let past = rows::attempts_of(self.pool(), user, &row.id).await?;
        let last_pass = past.iter().rposition(|a| a.passed == Some(true));
        let since_pass = &past[last_pass.map_or(0, |i| i + 1)..];
        let version = match since_pass.last() {
            Some(a) => a.version,
            None => row.current_version,
        };
        let json = rows::version(self.pool(), &row.id, version)
            .await?
            .ok_or_else(|| Error::corrupt(format!("course {course} lost version {version}")))?;
        let content = content_of(&json)?;
        if !content.has_quiz() {
            return Err(Error::Conflict(ErrorCode::NoQuiz));
        }
        let tries = since_pass.iter().filter(|a| a.version == version).count();
        if content.quiz.attempts.is_some_and(|limit| tries >= limit as usize) {
            return Err(Error::Conflict(ErrorCode::AttemptsExhausted));
        }
        let fallback = content.languages.first().cloned().unwrap_or_else(|| "en".into());
        let bank = quiz::bank_for(&content.questions, language, &fallback, &content.quiz);
        let drawn = quiz::draw(&bank, &content.quiz, secure_seed());
        let lang = bank.first().map_or(fallback.clone(), |q| q.language.clone());
        let now = Utc::now();
        let deadline = quiz::deadline(now, content.quiz.time_limit_minutes).map(stamp);
        let number = past.iter().filter(|a| a.version == version).count() as i64 + 1;
        let drawn_json = serde_json::to_string(&drawn).map_err(|e| Error::corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let id = rows::insert_attempt(
            &mut tx,
            &rows::NewAttempt {
                user_id: user,
                course_id: &row.id,
                version,
                number,
                language: &lang,
                drawn: &drawn_json,
                started_at: &stamp(now),
                deadline: deadline.as_deref(),
            },
        )
        .await
        .map_err(|e| crate::taken(e, ErrorCode::AttemptFinished))?;
        let detail = format!("start version {version} attempt {number}");
        kinbridge_store::audit::append(
            &mut tx,
            &[caller.entry(AuditAction::Create, "training_attempt", Some(&id), &detail)],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The caller's own attempt; anyone else's is not found (and audited).
    async fn own_attempt(&self, caller: &Caller, id: &str) -> Result<AttemptRow> {
        match rows::attempt(self.pool(), id).await? {
            Some(a) if a.user_id == caller.actor.user_id.as_str() => Ok(a),
            _ => Err(self.denied(caller, "training_attempt", id).await),
        }
    }

    async fn attempt_content(&self, a: &AttemptRow) -> Result<(String, Content)> {
        let code = rows::courses(self.pool())
            .await?
            .into_iter()
            .find(|c| c.id == a.course_id)
            .map(|c| c.code)
            .ok_or_else(|| Error::corrupt(format!("attempt {} of no course", a.id)))?;
        let json = rows::version(self.pool(), &a.course_id, a.version)
            .await?
            .ok_or_else(|| Error::corrupt(format!("attempt {} of no version", a.id)))?;
        Ok((code, content_of(&json)?))
    }

    /// An open attempt past its deadline is graded as it stood at the deadline.
    async fn close_if_over(&self, a: AttemptRow) -> Result<AttemptRow> {
        if a.finished_at.is_some() {
            return Ok(a);
        }
        let deadline = a.deadline.as_deref().map(parse_time).transpose()?;
        let Clock::Over { deadline } = quiz::clock(deadline, Utc::now()) else { return Ok(a) };
        let responses = a.responses.clone();
        self.finish(
            &a,
            &responses,
            deadline,
            system_entry(AuditAction::Update, "training_attempt", Some(&a.id), None, "time over"),
        )
        .await?;
        rows::attempt(self.pool(), &a.id).await?.ok_or_else(Error::not_found)
    }

    /// Closes every open attempt whose time is over; returns how many. Run by the scheduler.
    pub async fn close_overdue_attempts(&self) -> Result<usize> {
        let before = stamp(Utc::now() - chrono::Duration::seconds(quiz::GRACE_SECONDS));
        let overdue = rows::overdue_attempts(self.pool(), &before, 500).await?;
        let n = overdue.len();
        for a in overdue {
            self.close_if_over(a).await?;
        }
        Ok(n)
    }

    /// Grades an attempt with `responses` (JSON by question id) as finished at `at`; a pass
    /// completes the course and issues its certificate. False when it was finished already.
    async fn finish(&self, a: &AttemptRow, responses: &str, at: DateTime<Utc>, entry: AuditEntry) -> Result<bool> {
        let (_, content) = self.attempt_content(a).await?;
        let drawn: Vec<Drawn> = serde_json::from_str(&a.drawn).map_err(|e| Error::corrupt(format!("drawn: {e}")))?;
        let answers: BTreeMap<String, Response> =
            serde_json::from_str(responses).map_err(|e| Error::corrupt(format!("responses: {e}")))?;
        let bank: HashMap<&str, &Question> = content.questions.iter().map(|q| (q.id.as_str(), q)).collect();
        let graded: Vec<(&Question, Option<&Response>)> = drawn
            .iter()
            .filter_map(|d| bank.get(d.question.as_str()).map(|q| (*q, answers.get(&d.question))))
            .collect();
        let score = quiz::score(&graded, content.quiz.pass_mark);
        let at = stamp(at);
        let mut tx = self.begin_write().await?;
        if !rows::finish_attempt(&mut tx, &a.id, responses, &at, score.percent, score.passed).await? {
            return Ok(false);
        }
        let mut entries = vec![AuditEntry {
            detail: format!("{} {}% {}", entry.detail, score.percent, if score.passed { "passed" } else { "failed" }),
            ..entry
        }];
        if score.passed {
            let completion = rows::insert_completion(&mut tx, a, score.percent, &at).await?;
            let expires =
                self.validity_for(&a.user_id, &a.course_id).await?.map(|r| r.expiry(day_of(&at).unwrap_or_default()));
            let code = certificate::code(secure_seed());
            rows::insert_certificate(
                &mut tx,
                &CertificateRow {
                    code: code.clone(),
                    completion_id: completion.clone(),
                    user_id: a.user_id.clone(),
                    course_id: a.course_id.clone(),
                    issued_at: at.clone(),
                    expires_on: expires.map(|d| d.to_string()),
                    revoked_at: None,
                    revoked_reason: None,
                },
            )
            .await?;
            let mut done = entries[0].clone();
            done.action = AuditAction::Create;
            done.entity = "training_completion".into();
            done.entity_id = Some(completion);
            done.detail = format!("certificate {code}");
            entries.push(done);
        }
        kinbridge_store::audit::append(&mut tx, &entries).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The renewal that binds a person on a course (the shortest validity of the requirements
    /// that apply to them), if any does.
    async fn validity_for(&self, user_id: &str, course_id: &str) -> Result<Option<Renewal>> {
        let Some(account) = kinbridge_store::accounts::account(
            self.pool(),
            &kinbridge_domain::ids::UserId::from_trusted(user_id.to_string()),
        )
        .await?
        else {
            return Ok(None);
        };
        let enrolled: Vec<String> = rows::enrolments(self.pool(), Some(account.user.member_id.as_str()))
            .await?
            .into_iter()
            .filter(|(u, _, _)| u == user_id)
            .map(|(_, c, _)| c)
            .collect();
        let reqs = rows::requirements(self.pool()).await?;
        Ok(applying(&reqs, account.user.role, account.user.member_id.as_str(), &enrolled)
            .filter(|r| r.course_id == course_id)
            .map(renewal)
            .min_by_key(|r| r.validity_months))
    }

    /// An attempt as its learner sees it: open, the questions to answer; finished, the grades.
    pub async fn attempt(&self, caller: &Caller, id: &str) -> Result<AttemptView> {
        let a = self.own_attempt(caller, id).await?;
        let a = self.close_if_over(a).await?;
        let (code, content) = self.attempt_content(&a).await?;
        let drawn: Vec<Drawn> = serde_json::from_str(&a.drawn).map_err(|e| Error::corrupt(format!("drawn: {e}")))?;
        let answers: BTreeMap<String, Response> =
            serde_json::from_str(&a.responses).map_err(|e| Error::corrupt(format!("responses: {e}")))?;
        let finished = a.finished_at.is_some();
        let questions = drawn
            .iter()
            .filter_map(|d| content.questions.iter().find(|q| q.id == d.question).map(|q| (d, q)))
            .map(|(d, q)| {
                use kinbridge_training::question::Kind;
                let options = match &q.kind {
                    Kind::SingleChoice { options } | Kind::MultipleChoice { options } => {
                        d.order.iter().filter_map(|&i| options.get(i)).map(|o| o.text.clone()).collect()
                    }
                    Kind::Matching { pairs } => {
                        d.order.iter().filter_map(|&i| pairs.get(i)).map(|p| p.right.clone()).collect()
                    }
                    _ => Vec::new(),
                };
                let response = answers.get(&q.id);
                let graded = finished.then(|| q.grade(response));
                AttemptQuestion {
                    id: q.id.clone(),
                    text: q.text.clone(),
                    kind: kind_key(q),
                    options,
                    stems: quiz::stems(q).into_iter().map(str::to_string).collect(),
                    answer: response.map(|r| d.reshuffle(r)),
                    fraction: graded.as_ref().map(|g| g.fraction),
                    feedback: graded
                        .map(|g| g.feedback.into_iter().chain(q.feedback.clone()).collect())
                        .unwrap_or_default(),
                    right_answer: finished.then(|| q.right_answer()),
                }
            })
            .collect();
        let certificate = if a.passed == Some(true) {
            rows::certificates_of(self.pool(), &a.user_id)
                .await?
                .into_iter()
                .find(|c| c.issued_at == a.finished_at.clone().unwrap_or_default() && c.course_id == a.course_id)
                .map(|c| c.code)
        } else {
            None
        };
        self.audit(vec![caller.entry(AuditAction::Read, "training_attempt", Some(id), "")]).await?;
        Ok(AttemptView {
            id: a.id,
            course_title: pick(&content.titles, &a.language, &content.languages).to_string(),
            course: code,
            version: a.version,
            number: a.number,
            started_at: a.started_at,
            deadline: a.deadline,
            finished_at: a.finished_at,
            percent: a.percent,
            passed: a.passed,
            pass_mark: content.quiz.pass_mark,
            questions,
            certificate,
        })
    }

    /// Saves the learner's answers (positions as shown, by question id), and with `submit`
    /// grades the attempt. An answer to a question not in the attempt, or one that does not
    /// fit it, is refused and nothing is saved; a finished attempt takes nothing more; after
    /// the time limit the attempt is graded as it stood at the limit and this call's answers
    /// are refused.
    pub async fn answer(&self, caller: &Caller, id: &str, given: BTreeMap<String, Shown>, submit: bool) -> Result<()> {
        let a = self.own_attempt(caller, id).await?;
        if a.finished_at.is_some() {
            return Err(Error::Conflict(ErrorCode::AttemptFinished));
        }
        let a = self.close_if_over(a).await?;
        if a.finished_at.is_some() {
            return Err(Error::Conflict(ErrorCode::AttemptTimeOver));
        }
        let (_, content) = self.attempt_content(&a).await?;
        let drawn: Vec<Drawn> = serde_json::from_str(&a.drawn).map_err(|e| Error::corrupt(format!("drawn: {e}")))?;
        let mut answers: BTreeMap<String, Response> =
            serde_json::from_str(&a.responses).map_err(|e| Error::corrupt(format!("responses: {e}")))?;
        let mut bad = Vec::new();
        for (qid, shown) in given {
            let Some(d) = drawn.iter().find(|d| d.question == qid) else {
                bad.push(FieldError::new("answers", ErrorCode::NotInAttempt));
                continue;
            };
            let q = content
                .questions
                .iter()
                .find(|q| q.id == qid)
                .ok_or_else(|| Error::corrupt(format!("question {qid} left the bank")))?;
            match d.unshuffle(q, &shown) {
                Some(r) => {
                    answers.insert(qid, r);
                }
                None => bad.push(FieldError::new("answers", ErrorCode::InvalidValue)),
            }
        }
        if !bad.is_empty() {
            bad.dedup();
            return Err(DomainError::Invalid(bad).into());
        }
        let json = serde_json::to_string(&answers).map_err(|e| Error::corrupt(e.to_string()))?;
        if submit {
            let entry = caller.entry(AuditAction::Update, "training_attempt", Some(id), "submit");
            if !self.finish(&a, &json, Utc::now(), entry).await? {
                return Err(Error::Conflict(ErrorCode::AttemptFinished));
            }
        } else {
            let mut tx = self.begin_write().await?;
            if !rows::save_responses(&mut tx, id, &json).await? {
                return Err(Error::Conflict(ErrorCode::AttemptFinished));
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// The public check of a certificate code: its status, the holder's initials, member and
    /// course. A code that does not exist (or mistyped) says only that. Audited as the system.
    pub async fn verify_certificate(&self, typed: &str, ip: Option<&str>, today: NaiveDate) -> Result<Verification> {
        let unknown = Verification {
            status: "unknown",
            code: None,
            holder: None,
            member: None,
            course: None,
            issued_on: None,
            expires_on: None,
        };
        let Some(code) = certificate::normalise(typed) else { return Ok(unknown) };
        let Some(c) = rows::certificate(self.pool(), &code).await? else {
            self.audit(vec![system_entry(AuditAction::Read, "certificate", Some(&code), ip, "unknown")]).await?;
            return Ok(unknown);
        };
        let account = kinbridge_store::accounts::account(
            self.pool(),
            &kinbridge_domain::ids::UserId::from_trusted(c.user_id.clone()),
        )
        .await?
        .ok_or_else(|| Error::corrupt(format!("certificate {code} of no account")))?;
        let course = self.course_title(&c.course_id, &account.user.locale).await?;
        let expires = c.expires_on.as_deref().map(day_of).transpose()?;
        let status = if c.revoked_at.is_some() {
            "revoked"
        } else if expires.is_some_and(|e| today >= e) {
            "expired"
        } else {
            "valid"
        };
        self.audit(vec![system_entry(AuditAction::Read, "certificate", Some(&code), ip, status)]).await?;
        Ok(Verification {
            status,
            holder: Some(certificate::initials(&account.user.display_name)),
            member: Some(account.user.member_name),
            course: Some(course),
            issued_on: Some(c.issued_at.chars().take(10).collect()),
            expires_on: c.expires_on,
            code: Some(code),
        })
    }

    async fn course_title(&self, course_id: &str, language: &str) -> Result<String> {
        let course = rows::courses(self.pool()).await?.into_iter().find(|c| c.id == course_id);
        let Some(course) = course else { return Err(Error::corrupt(format!("no course {course_id}"))) };
        let titles: BTreeMap<String, String> =
            serde_json::from_str(&course.titles).map_err(|e| Error::corrupt(format!("course titles: {e}")))?;
        Ok(pick(&titles, language, &[]).to_string())
    }

    /// A certificate of the caller's, to download.
    pub async fn certificate(&self, caller: &Caller, code: &str) -> Result<CertificateView> {
        let c = match certificate::normalise(code) {
            Some(code) => rows::certificate(self.pool(), &code).await?,
            None => None,
        };
        let Some(c) = c.filter(|c| c.user_id == caller.actor.user_id.as_str()) else {
            return Err(self.denied(caller, "certificate", code).await);
        };
        let account = kinbridge_store::accounts::account(self.pool(), &caller.actor.user_id)
            .await?
            .ok_or_else(Error::not_found)?;
        let language = account.user.locale.clone();
        let course =
            rows::courses(self.pool()).await?.into_iter().find(|x| x.id == c.course_id).ok_or_else(Error::not_found)?;
        let percent = rows::attempts_of(self.pool(), &c.user_id, &c.course_id)
            .await?
            .into_iter()
            .find(|a| a.finished_at.as_deref() == Some(c.issued_at.as_str()))
            .and_then(|a| a.percent)
            .unwrap_or(0.0);
        self.audit(vec![caller.entry(AuditAction::Download, "certificate", Some(&c.code), "")]).await?;
        Ok(CertificateView {
            course: self.course_title(&c.course_id, &language).await?,
            course_code: course.code,
            holder: account.user.display_name,
            member: account.user.member_name,
            percent,
            issued_on: c.issued_at.chars().take(10).collect(),
            expires_on: c.expires_on,
            revoked: c.revoked_at.is_some(),
            code: c.code,
            language,
        })
    }

    /// Adds a requirement to a curriculum (the training manager, or the operator: `None`).
    pub async fn add_requirement(&self, caller: Option<&Caller>, r: NewRequirement) -> Result<String> {
        if let Some(c) = caller {
            c.actor.require(c.actor.can_manage_training())?;
        }
        let mut bad = Vec::new();
        let curriculum = r.curriculum.trim().to_string();
        if curriculum.is_empty() || curriculum.chars().count() > 200 {
            bad.push(FieldError::new("curriculum", ErrorCode::Required));
        }
        if !(1..=120).contains(&r.validity_months) {
            bad.push(FieldError::new("validity_months", ErrorCode::InvalidValue));
        }
        if r.window_days > 366 {
            bad.push(FieldError::new("window_days", ErrorCode::InvalidValue));
        }
        let course = rows::course_by_code(self.pool(), r.course.trim()).await?;
        if course.is_none() {
            bad.push(FieldError::new("course", ErrorCode::InvalidChoice));
        }
        let member = match r.member.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            Some(code) => match self.member_by_code(code).await? {
                Some(m) => Some(m.id.to_string()),
                None => {
                    bad.push(FieldError::new("member", ErrorCode::InvalidChoice));
                    None
                }
            },
            None => None,
        };
        if !bad.is_empty() {
            return Err(DomainError::Invalid(bad).into());
        }
        let course = course.ok_or_else(Error::not_found)?;
        let row = RequirementRow {
            id: String::new(),
            curriculum: curriculum.clone(),
            course_id: course.id,
            role: r.role.map(|r| r.as_str().to_string()),
            member_id: member,
            validity_months: i64::from(r.validity_months),
            window_days: i64::from(r.window_days),
            gates: r.gates,
            created_at: String::new(),
        };
        let mut tx = self.begin_write().await?;
        let id = rows::insert_requirement(&mut tx, &row).await?;
        let entry = match caller {
            Some(c) => c.entry(AuditAction::Create, "training_requirement", Some(&id), &curriculum),
            None => system_entry(AuditAction::Admin, "training_requirement", Some(&id), None, &curriculum),
        };
        kinbridge_store::audit::append(&mut tx, &[entry]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The caller's own compulsory courses and where they stand on each.
    pub async fn my_training(&self, caller: &Caller, today: NaiveDate) -> Result<Vec<Due>> {
        let account = kinbridge_store::accounts::account(self.pool(), &caller.actor.user_id)
            .await?
            .ok_or_else(Error::not_found)?;
        let member = caller.actor.member_id.as_str();
        let people = vec![(
            caller.actor.user_id.to_string(),
            account.user.role,
            day_of(&rows::created_at(self.pool(), caller.actor.user_id.as_str()).await?)?,
        )];
        let standings = self.standings(Some(member), &people, today, &account.user.locale).await?;
        Ok(standings.into_iter().next().map(|(_, d)| d).unwrap_or_default())
    }

    /// Each person's standing on each course that binds them.
    async fn standings(
        &self,
        member: Option<&str>,
        people: &[(String, Role, NaiveDate)],
        today: NaiveDate,
        language: &str,
    ) -> Result<Vec<(String, Vec<Due>)>> {
        let reqs = rows::requirements(self.pool()).await?;
        let courses = rows::courses(self.pool()).await?;
        let mut enrolled: HashMap<String, Vec<(String, NaiveDate)>> = HashMap::new();
        for (u, c, at) in rows::enrolments(self.pool(), member).await? {
            enrolled.entry(u).or_default().push((c, day_of(&at)?));
        }
        let mut last: HashMap<(String, String), NaiveDate> = HashMap::new();
        for (u, c, at) in rows::last_completions(self.pool(), member).await? {
            last.insert((u, c), day_of(&at)?);
        }
        let member_of: HashMap<String, String> =
            rows::member_of_people(self.pool(), member).await?.into_iter().collect();
        let mut out = Vec::with_capacity(people.len());
        for (user, role, joined) in people {
            let curricula: Vec<String> =
                enrolled.get(user).map(|e| e.iter().map(|(c, _)| c.clone()).collect()).unwrap_or_default();
            let member_id = member_of.get(user).map(String::as_str).unwrap_or("");
            let mut by_course: BTreeMap<&str, (Renewal, bool, NaiveDate)> = BTreeMap::new();
            for r in applying(&reqs, *role, member_id, &curricula) {
                let since = day_of(&r.created_at)?.max(*joined).max(
                    enrolled
                        .get(user)
                        .and_then(|e| e.iter().find(|(c, _)| *c == r.curriculum).map(|(_, d)| *d))
                        .unwrap_or(*joined),
                );
                let entry = by_course.entry(r.course_id.as_str()).or_insert((renewal(r), r.gates, since));
                if r.validity_months < i64::from(entry.0.validity_months) {
                    entry.0 = renewal(r);
                }
                entry.1 |= r.gates;
                entry.2 = entry.2.min(since);
            }
            let dues = by_course
                .into_iter()
                .filter_map(|(course_id, (renewal, gates, since))| {
                    let course = courses.iter().find(|c| c.id == course_id)?;
                    let titles: BTreeMap<String, String> = serde_json::from_str(&course.titles).ok()?;
                    let done = last.get(&(user.clone(), course_id.to_string())).copied();
                    Some(Due {
                        course: course.code.clone(),
                        title: pick(&titles, language, &[]).to_string(),
                        standing: renewal.standing(done, since, today),
                        gates,
                    })
                })
                .collect();
            out.push((user.clone(), dues));
        }
        Ok(out)
    }

    /// A member's compliance: its people by name and their standing on each compulsory course,
    /// for the member's supervisors and administrator.
    pub async fn compliance(
        &self,
        caller: &Caller,
        member: &str,
        today: NaiveDate,
        language: &str,
    ) -> Result<Compliance> {
        let Some(m) = self.member_by_code(member).await? else {
            return Err(self.denied(caller, "compliance", member).await);
        };
        if caller.actor.training_reach() != TrainingReach::OwnPeople || caller.actor.member_id != m.id {
            return Err(self.denied(caller, "compliance", member).await);
        }
        self.audit(vec![caller.entry(AuditAction::Read, "compliance", Some(m.code.as_str()), "")]).await?;
        self.member_compliance(&m, today, language).await
    }

    /// The same for the operator at the command line, audited as the system.
    pub async fn compliance_as_operator(&self, member: &str, today: NaiveDate, language: &str) -> Result<Compliance> {
        let Some(m) = self.member_by_code(member).await? else {
            return Err(DomainError::field("member", ErrorCode::InvalidChoice).into());
        };
        self.audit(vec![system_entry(AuditAction::Read, "compliance", Some(m.code.as_str()), None, "")]).await?;
        self.member_compliance(&m, today, language).await
    }

    async fn member_compliance(
        &self,
        m: &kinbridge_domain::member::Member,
        today: NaiveDate,
        language: &str,
    ) -> Result<Compliance> {
        let people = rows::people(self.pool(), Some(m.id.as_str())).await?;
        let list: Vec<(String, Role, NaiveDate)> =
            people.iter().map(|p| Ok((p.id.clone(), p.role, day_of(&p.created_at)?))).collect::<Result<_>>()?;
        let standings = self.standings(Some(m.id.as_str()), &list, today, language).await?;
        let mut totals: BTreeMap<String, Totals> = BTreeMap::new();
        let mut courses: BTreeMap<String, String> = BTreeMap::new();
        let mut out = Vec::new();
        for (p, (_, dues)) in people.iter().zip(standings) {
            if dues.is_empty() {
                continue;
            }
            for d in &dues {
                courses.insert(d.course.clone(), d.title.clone());
                let t = totals
                    .entry(d.course.clone())
                    .or_insert_with(|| Totals { course: d.course.clone(), ..Totals::default() });
                match d.standing {
                    Standing::Current { .. } => t.current += 1,
                    Standing::Due { .. } => t.due += 1,
                    Standing::Lapsed { .. } => t.lapsed += 1,
                }
            }
            out.push(PersonStanding { name: p.name.clone(), role: p.role.as_str().to_string(), courses: dues });
        }
        Ok(Compliance {
            member: m.code.as_str().to_string(),
            on: today.to_string(),
            courses: courses.into_iter().map(|(code, title)| CourseSummary { code, title, version: 0 }).collect(),
            people: out,
            totals: totals.into_values().collect(),
        })
    }

    /// Whether a user is held from case files: their member requires current compulsory
    /// training and a course that gates has lapsed for them. Only caseworkers and supervisors
    /// open case files; the rule costs one query for a member without the gate.
    pub async fn training_hold(&self, user: &kinbridge_store::accounts::User) -> Result<bool> {
        if !matches!(user.role, Role::Caseworker | Role::Supervisor)
            || !rows::gate(self.pool(), user.member_id.as_str()).await?
        {
            return Ok(false);
        }
        let joined = day_of(&rows::created_at(self.pool(), user.id.as_str()).await?)?;
        let people = vec![(user.id.to_string(), user.role, joined)];
        let standings = self.standings(Some(user.member_id.as_str()), &people, crate::today(), "en").await?;
        Ok(standings.iter().flat_map(|(_, d)| d).any(|d| d.gates && d.standing.is_lapsed()))
    }

    /// Switches a member's rule that case files need current compulsory training: the member's
    /// administrator (or the operator: `None`).
    pub async fn set_training_gate(&self, caller: Option<&Caller>, member: &str, on: bool) -> Result<()> {
        let Some(m) = self.member_by_code(member).await? else {
            return Err(DomainError::field("member", ErrorCode::InvalidChoice).into());
        };
        if let Some(c) = caller {
            if !(c.actor.role == Role::MemberAdmin && c.actor.member_id == m.id) {
                return Err(self.denied(c, "member", member).await);
            }
        }
        let detail = if on { "training gate on" } else { "training gate off" };
        let entry = match caller {
            Some(c) => c.entry(AuditAction::Update, "member", Some(m.code.as_str()), detail),
            None => system_entry(AuditAction::Admin, "member", Some(m.code.as_str()), None, detail),
        };
        let mut tx = self.begin_write().await?;
        rows::set_gate(&mut tx, m.id.as_str(), on).await?;
        kinbridge_store::audit::append(&mut tx, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller's certificates, newest first, with their courses' titles.
    pub async fn my_certificates(&self, caller: &Caller, language: &str) -> Result<Vec<CertificateLine>> {
        let courses = rows::courses(self.pool()).await?;
        let mut out = Vec::new();
        for c in rows::certificates_of(self.pool(), caller.actor.user_id.as_str()).await? {
            let Some(course) = courses.iter().find(|x| x.id == c.course_id) else { continue };
            let titles: BTreeMap<String, String> =
                serde_json::from_str(&course.titles).map_err(|e| Error::corrupt(format!("course titles: {e}")))?;
            out.push(CertificateLine {
                code: c.code,
                course: course.code.clone(),
                title: pick(&titles, language, &[]).to_string(),
                issued_on: c.issued_at.chars().take(10).collect(),
                expires_on: c.expires_on,
                revoked: c.revoked_at.is_some(),
            });
        }
        Ok(out)
    }

    /// The caller's attempts at a course, oldest first.
    pub async fn my_attempts(&self, caller: &Caller, course: &str) -> Result<Vec<AttemptRow>> {
        let Some(row) = rows::course_by_code(self.pool(), course).await? else { return Ok(Vec::new()) };
        Ok(rows::attempts_of(self.pool(), caller.actor.user_id.as_str(), &row.id).await?)
    }

    /// Enrols a person in a curriculum (an external programme), as the operator.
    pub async fn enrol_as_operator(&self, user: &kinbridge_domain::ids::UserId, curriculum: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        rows::enrol(&mut tx, user.as_str(), curriculum).await?;
        kinbridge_store::audit::append(
            &mut tx,
            &[system_entry(AuditAction::Admin, "training_enrolment", Some(user.as_str()), None, curriculum)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves an attempt, its completion and certificate `days` into the past: the demo's
    /// history of people who trained long ago.
    pub async fn backdate_attempt_as_operator(&self, attempt: &str, days: i64) -> Result<()> {
        let a = rows::attempt(self.pool(), attempt).await?.ok_or_else(Error::not_found)?;
        let shift = |s: &str| parse_time(s).map(|t| stamp(t - chrono::Duration::days(days)));
        let started = shift(&a.started_at)?;
        let deadline = a.deadline.as_deref().map(shift).transpose()?;
        let finished = a.finished_at.as_deref().map(shift).transpose()?;
        let expires = match &finished {
            Some(f) => {
                self.validity_for(&a.user_id, &a.course_id).await?.map(|r| r.expiry(day_of(f).unwrap_or_default()))
            }
            None => None,
        };
        let mut tx = self.begin_write().await?;
        rows::backdate(
            &mut tx,
            attempt,
            &started,
            deadline.as_deref(),
            finished.as_deref(),
            expires.map(|d| d.to_string()).as_deref(),
        )
        .await?;
        kinbridge_store::audit::append(
            &mut tx,
            &[system_entry(
                AuditAction::Admin,
                "training_attempt",
                Some(attempt),
                None,
                &format!("backdated {days} days"),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The requirements that bind a person of `role` at `member`, enrolled in `curricula`.
fn applying<'a>(
    reqs: &'a [RequirementRow],
    role: Role,
    member: &'a str,
    curricula: &'a [String],
) -> impl Iterator<Item = &'a RequirementRow> {
    reqs.iter().filter(move |r| {
        let here = r.member_id.as_deref().is_none_or(|m| m == member);
        let who = match r.role.as_deref() {
            Some(rl) => rl == role.as_str(),
            None => curricula.contains(&r.curriculum),
        };
        here && who
    })
}

fn renewal(r: &RequirementRow) -> Renewal {
    Renewal {
        validity_months: u32::try_from(r.validity_months).unwrap_or(u32::MAX),
        window_days: u32::try_from(r.window_days).unwrap_or(u32::MAX),
    }
}
