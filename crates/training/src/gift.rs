//! Moodle's GIFT question format, read and written, so that a member's existing question banks
//! move over. Read: multiple choice (one right answer, or weighted `~%50%` answers), true/false,
//! short answer, matching, titles, categories, per-answer and general feedback, comments and
//! escapes. Essay, numerical and description questions cannot be graded here and are refused
//! by line; a file with any error imports nothing.

use crate::question::{Choice, Kind, Pair, Question, QuestionError};

/// The most questions one file may bring.
pub const MAX_QUESTIONS: usize = 5_000;
/// The largest file read, in bytes.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// The first problem found in a file, with the line it is on (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ImportError {
    pub line: usize,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the file is larger than {MAX_BYTES} bytes")]
    TooLarge,
    #[error("the file has more than {MAX_QUESTIONS} questions")]
    TooManyQuestions,
    #[error("the file has no question")]
    Empty,
    #[error("the question has no answer block {{...}}")]
    NoAnswers,
    #[error("the answer block is not closed with }}")]
    Unclosed,
    #[error("the title is not closed with ::")]
    UnclosedTitle,
    #[error("{0} questions are not supported (they cannot be graded automatically)")]
    Unsupported(&'static str),
    #[error("an answer must start with = or ~")]
    BadAnswer,
    #[error("the weight {0} is not a percentage between -100 and 100")]
    BadWeight(String),
    #[error("a matching answer needs `=left -> right` on every line")]
    BadMatch,
    #[error("a choice question marks more than one answer right with `=`; give weights with ~%50%")]
    SeveralRight,
    #[error("the file contains a NUL character")]
    Nul,
    #[error("the XML does not read: {0}")]
    Xml(String),
    #[error("{0}")]
    Invalid(QuestionError),
}

impl Problem {
    /// A stable key for the problem, which the catalogues translate.
    pub fn key(&self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::TooManyQuestions => "too_many_questions",
            Self::Empty => "empty",
            Self::NoAnswers => "no_answers",
            Self::Unclosed => "unclosed",
            Self::UnclosedTitle => "unclosed_title",
            Self::Unsupported(_) => "unsupported",
            Self::BadAnswer => "bad_answer",
            Self::BadWeight(_) => "bad_weight",
            Self::BadMatch => "bad_match",
            Self::SeveralRight => "several_right",
            Self::Nul => "nul",
            Self::Xml(_) => "xml",
            Self::Invalid(_) => "invalid_question",
        }
    }
}

/// Reads a GIFT file into questions in `language`, numbered `{prefix}{n}` in file order.
pub fn parse(text: &str, language: &str, prefix: &str) -> Result<Vec<Question>, ImportError> {
    if text.len() > MAX_BYTES {
        return Err(ImportError { line: 1, problem: Problem::TooLarge });
    }
    if let Some(at) = text.find('\0') {
        return Err(ImportError { line: line_of(text, at), problem: Problem::Nul });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut questions = Vec::new();
    let mut category: Option<String> = None;
    for chunk in chunks(text) {
        let err = |problem| ImportError { line: chunk.line, problem };
        let body = chunk.text.trim();
        if let Some(path) = body.strip_prefix("$CATEGORY:") {
            let path = path.trim().trim_start_matches("$course$/").trim_start_matches("top/").trim();
            category = (!path.is_empty() && path != "top").then(|| path.to_string());
            continue;
        }
        if questions.len() == MAX_QUESTIONS {
            return Err(err(Problem::TooManyQuestions));
        }
        let n = questions.len() + 1;
        let mut q = question(body).map_err(err)?;
        q.id = format!("{prefix}{n}");
        q.language = language.to_string();
        q.category = category.clone();
        if q.name.is_empty() {
            q.name = short_name(&q.text);
        }
        q.check().map_err(|e| err(Problem::Invalid(e)))?;
        questions.push(q);
    }
    if questions.is_empty() {
        return Err(ImportError { line: 1, problem: Problem::Empty });
    }
    Ok(questions)
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

struct Chunk {
    line: usize,
    text: String,
}

/// Splits the file into questions: runs of lines between blank lines, comment lines dropped,
/// a blank line inside an open answer block kept in it.
fn chunks(text: &str) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut current: Option<Chunk> = None;
    let mut depth = 0i32;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.is_empty() && depth <= 0 {
            out.extend(current.take());
            depth = 0;
            continue;
        }
        // A category line stands alone even without a blank line after it.
        if trimmed.starts_with("$CATEGORY:") && depth <= 0 {
            out.extend(current.take());
            out.push(Chunk { line: i + 1, text: trimmed.to_string() });
            continue;
        }
        let chunk = current.get_or_insert_with(|| Chunk { line: i + 1, text: String::new() });
        if !chunk.text.is_empty() {
            chunk.text.push('\n');
        }
        chunk.text.push_str(line);
        let mut escaped = false;
        for ch in line.chars() {
            match ch {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
        }
    }
    out.extend(current);
    out
}

/// Byte offsets of `needle` in `s` where it is not escaped with a backslash.
fn find_unescaped(s: &str, needle: &str, from: usize) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip_while(|(i, _)| *i < from) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if s[i..].starts_with(needle) {
            return Some(i);
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            // `\-` keeps an arrow in a choice from reading as a matching pair (written by [`write`]).
            Some(e @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\' | '-')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out.split('\n').map(str::trim).collect::<Vec<_>>().join("\n").trim().to_string()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'>') => out.push_str("\\-"),
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// The first words of a question, for a question without a title.
fn short_name(text: &str) -> String {
    let mut name: String = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(60).collect();
    if text.chars().count() > 60 {
        name.push('…');
    }
    name
}

/// A text with its format tag (`[markdown]`, `[html]`...) removed; HTML tags are dropped so
/// the text shows as written.
fn plain(s: &str) -> String {
    let t = s.trim_start();
    for tag in ["[markdown]", "[plain]", "[moodle]"] {
        if let Some(rest) = t.strip_prefix(tag) {
            return unescape(rest);
        }
    }
    if let Some(rest) = t.strip_prefix("[html]") {
        return crate::moodle_xml::strip_html(&unescape(rest));
    }
    unescape(t)
}

fn question(body: &str) -> Result<Question, Problem> {
    let mut rest = body;
    let mut name = String::new();
    if let Some(after) = rest.strip_prefix("::") {
        let end = find_unescaped(after, "::", 0).ok_or(Problem::UnclosedTitle)?;
        name = unescape(&after[..end]);
        rest = &after[end + 2..];
    }
    let open = find_unescaped(rest, "{", 0).ok_or(Problem::NoAnswers)?;
    let close = find_unescaped(rest, "}", open + 1).ok_or(Problem::Unclosed)?;
    let before = plain(&rest[..open]);
    let after = plain(&rest[close + 1..]);
    let text = if after.is_empty() { before } else { format!("{before} _____ {after}") };
    let block = rest[open + 1..close].trim();
    let (block, general) = match find_unescaped(block, "####", 0) {
        Some(at) => (block[..at].trim(), Some(plain(&block[at + 4..])).filter(|f| !f.is_empty())),
        None => (block, None),
    };
    let kind = answers(block)?;
    Ok(Question { id: String::new(), name, category: None, language: String::new(), text, kind, feedback: general })
}

fn answers(block: &str) -> Result<Kind, Problem> {
    if block.is_empty() {
        return Err(Problem::Unsupported("essay"));
    }
    if block.starts_with('#') {
        return Err(Problem::Unsupported("numerical"));
    }
    let head = &block[..find_unescaped(block, "#", 0).unwrap_or(block.len())];
    if let Some(answer) = match head.trim() {
        "T" | "TRUE" => Some(true),
        "F" | "FALSE" => Some(false),
        _ => None,
    } {
        // `{T#shown when wrong#shown when right}`
        let mut feedback = block[head.len()..].split('#').skip(1).map(plain).map(|f| Some(f).filter(|f| !f.is_empty()));
        let wrong = feedback.next().flatten();
        let right = feedback.next().flatten();
        let (feedback_true, feedback_false) = if answer { (right, wrong) } else { (wrong, right) };
        return Ok(Kind::TrueFalse { answer, feedback_true, feedback_false });
    }
    let items = split_items(block)?;
    if items.iter().any(|i| i.right && find_unescaped(&i.text, "->", 0).is_some()) {
        let mut pairs = Vec::new();
        for i in &items {
            let at = find_unescaped(&i.text, "->", 0).filter(|_| i.right).ok_or(Problem::BadMatch)?;
            pairs.push(Pair { left: plain(&i.text[..at]), right: plain(&i.text[at + 2..]) });
        }
        return Ok(Kind::Matching { pairs });
    }
    let mut choices = Vec::new();
    for i in &items {
        let (text, feedback) = match find_unescaped(&i.text, "#", 0) {
            Some(at) => (plain(&i.text[..at]), Some(plain(&i.text[at + 1..])).filter(|f| !f.is_empty())),
            None => (plain(&i.text), None),
        };
        let fraction = match &i.weight {
            Some(w) => {
                w.parse::<f64>()
                    .ok()
                    .filter(|w| (-100.0..=100.0).contains(w))
                    .ok_or_else(|| Problem::BadWeight(w.clone()))?
                    / 100.0
            }
            None if i.right => 1.0,
            None => 0.0,
        };
        choices.push(Choice { text, fraction, feedback });
    }
    if items.iter().all(|i| i.right) {
        return Ok(Kind::ShortAnswer { answers: choices, case_sensitive: false });
    }
    let marked = items.iter().filter(|i| i.right).count();
    if marked > 1 {
        return Err(Problem::SeveralRight);
    }
    if marked == 0 && choices.iter().filter(|c| c.fraction > 0.0).count() > 1 {
        Ok(Kind::MultipleChoice { options: choices })
    } else {
        Ok(Kind::SingleChoice { options: choices })
    }
}

struct Item {
    right: bool,
    weight: Option<String>,
    text: String,
}

/// The answers of a block: each starts at an unescaped `=` or `~`.
fn split_items(block: &str) -> Result<Vec<Item>, Problem> {
    let bytes = block.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i < block.len() {
        match bytes[i] {
            // An escape is followed by an ASCII character or a whole UTF-8 one: both are
            // passed over byte by byte without landing on a marker.
            b'\\' => i += 2,
            // `->` of a matching pair is not the start of an answer.
            b'=' | b'~' => {
                starts.push(i);
                i += 1;
            }
            _ => i += 1,
        }
    }
    if starts.first() != Some(&0) {
        return Err(Problem::BadAnswer);
    }
    let mut items = Vec::new();
    for (n, &s) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(block.len());
        let mut text = &block[s + 1..end];
        let mut weight = None;
        // A weight is `%number%` at the start, as Moodle reads it; another `%` is text.
        if let Some(w) = text.strip_prefix('%') {
            if let Some(close) = w
                .find('%')
                .filter(|&c| !w[..c].is_empty() && w[..c].chars().all(|c| c.is_ascii_digit() || ".-+ ".contains(c)))
            {
                weight = Some(w[..close].trim().to_string());
                text = &w[close + 1..];
            }
        }
        items.push(Item { right: bytes[s] == b'=', weight, text: text.trim().to_string() });
    }
    Ok(items)
}

/// Writes questions as GIFT, which [`parse`] reads back to the same questions.
pub fn write(questions: &[Question]) -> String {
    let mut out = String::new();
    let mut category: Option<&str> = None;
    for q in questions {
        if q.category.as_deref() != category {
            category = q.category.as_deref();
            out.push_str(&format!("$CATEGORY: {}\n\n", category.unwrap_or("top")));
        }
        out.push_str(&format!("::{}::{} {{", escape(&q.name), escape(&q.text)));
        let pct = |f: f64| {
            let p = (f * 100.0 * 100_000.0).round() / 100_000.0;
            format!("%{p}%")
        };
        let fb = |f: &Option<String>| f.as_deref().map(|f| format!("#{}", escape(f))).unwrap_or_default();
        match &q.kind {
            Kind::TrueFalse { answer, feedback_true, feedback_false } => {
                let (wrong, right) =
                    if *answer { (feedback_false, feedback_true) } else { (feedback_true, feedback_false) };
                out.push_str(if *answer { "TRUE" } else { "FALSE" });
                if wrong.is_some() || right.is_some() {
                    out.push_str(&format!("#{}", escape(wrong.as_deref().unwrap_or(""))));
                }
                if let Some(r) = right {
                    out.push_str(&format!("#{}", escape(r)));
                }
            }
            Kind::SingleChoice { options } => {
                for o in options {
                    let mark = if o.fraction >= 0.999 {
                        if o.text.starts_with('%') { "=%100%" } else { "=" }.to_string()
                    } else if o.fraction == 0.0 && !o.text.starts_with('%') {
                        "~".to_string()
                    } else {
                        format!("~{}", pct(o.fraction))
                    };
                    out.push_str(&format!("\n\t{mark}{}{}", escape(&o.text), fb(&o.feedback)));
                }
            }
            Kind::MultipleChoice { options } => {
                for o in options {
                    let mark =
                        if o.fraction == 0.0 && !o.text.starts_with('%') { String::new() } else { pct(o.fraction) };
                    out.push_str(&format!("\n\t~{mark}{}{}", escape(&o.text), fb(&o.feedback)));
                }
            }
            Kind::ShortAnswer { answers, .. } => {
                for o in answers {
                    let mark =
                        if o.fraction >= 0.999 && !o.text.starts_with('%') { String::new() } else { pct(o.fraction) };
                    out.push_str(&format!("\n\t={mark}{}{}", escape(&o.text), fb(&o.feedback)));
                }
            }
            Kind::Matching { pairs } => {
                for p in pairs {
                    out.push_str(&format!("\n\t={} -> {}", escape(&p.left), escape(&p.right)));
                }
            }
        }
        if let Some(f) = &q.feedback {
            out.push_str(&format!("\n\t####{}", escape(f)));
        }
        out.push_str("\n}\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"// Data protection refresher, written for the tests as a trainer would.
$CATEGORY: $course$/top/Confidentiality

::Consent::A child's file may be shared with a partner member without the family's consent. {FALSE#No: sharing needs a legal basis or consent.#Right: consent or a legal basis first.}

::Retention::How long are closed case files kept before review? {
	=Ten years#The network's retention rule.
	~One year#Too short for a search of origins.
	~%50%Until the child is 18#Partly: the rule is ten years or 18, whichever is later.
	####Retention rules are set by each member's law.
}

::Lawful bases::Which are lawful bases for processing a child's data? {
	~%50%Consent
	~%50%A legal obligation
	~%-100%Curiosity
	~%-100%A donor's request
}

::Convention::Name the convention on intercountry adoption (year). {
	=Hague 1993
	=%50%Hague*
}

::Instruments::Match each situation with its instrument. {
	=Intercountry adoption -> Hague 1993
	=Child abduction -> Hague 1980
	=Parental responsibility -> Hague 1996
	= -> Geneva 1951
}

Personal data of a child may be sent by e-mail \{encrypted\} only with the supervisor\'s consent \: {TRUE}
$CATEGORY: Other
The best interests of the child is article {=3} of the UNCRC.
"#;

    #[test]
    fn reads_every_kind() {
        let qs = parse(SAMPLE, "en", "q").unwrap();
        assert_eq!(qs.len(), 7);
        assert_eq!(qs[0].name, "Consent");
        assert_eq!(qs[0].category.as_deref(), Some("Confidentiality"));
        assert_eq!(
            qs[0].kind,
            Kind::TrueFalse {
                answer: false,
                feedback_true: Some("No: sharing needs a legal basis or consent.".into()),
                feedback_false: Some("Right: consent or a legal basis first.".into()),
            }
        );
        let Kind::SingleChoice { options } = &qs[1].kind else { panic!("{:?}", qs[1].kind) };
        assert_eq!(options.len(), 3);
        assert_eq!(options[2].fraction, 0.5);
        assert_eq!(options[0].feedback.as_deref(), Some("The network's retention rule."));
        assert_eq!(qs[1].feedback.as_deref(), Some("Retention rules are set by each member's law."));
        let Kind::MultipleChoice { options } = &qs[2].kind else { panic!("{:?}", qs[2].kind) };
        assert_eq!(options.iter().map(|o| o.fraction).collect::<Vec<_>>(), vec![0.5, 0.5, -1.0, -1.0]);
        assert!(
            matches!(&qs[3].kind, Kind::ShortAnswer { answers, .. } if answers[1].fraction == 0.5 && answers[1].text == "Hague*")
        );
        let Kind::Matching { pairs } = &qs[4].kind else { panic!() };
        assert_eq!(pairs[3], Pair { left: "".into(), right: "Geneva 1951".into() });
        assert_eq!(
            qs[5].text,
            "Personal data of a child may be sent by e-mail {encrypted} only with the supervisor\\'s consent :"
        );
        assert_eq!(qs[6].text, "The best interests of the child is article _____ of the UNCRC.");
        assert_eq!(qs[6].category.as_deref(), Some("Other"));
        assert_eq!(qs[6].id, "q7");
    }

    #[test]
    fn writes_what_it_reads() {
        let qs = parse(SAMPLE, "en", "q").unwrap();
        let again = parse(&write(&qs), "en", "q").unwrap();
        assert_eq!(qs, again);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("::A::Fine {T}\n\n// note\n::B::Describe your day. {}\n", "en", "q").unwrap_err();
        assert_eq!(e, ImportError { line: 4, problem: Problem::Unsupported("essay") });
        let e = parse("::A::Fine {T}\n\nWhat is 2+2? {#4}\n", "en", "q").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.problem, Problem::Unsupported("numerical"));
        let e = parse("\n\nNo block here\n", "en", "q").unwrap_err();
        assert_eq!(e, ImportError { line: 3, problem: Problem::NoAnswers });
        let e = parse("::A:: fine {T}\n\nQ {=a ~b\n", "en", "q").unwrap_err();
        assert_eq!(e, ImportError { line: 3, problem: Problem::Unclosed });
        let e = parse("Q {=a =b ~c}", "en", "q").unwrap_err();
        assert_eq!(e.problem, Problem::SeveralRight);
        let e = parse("Q {~%150%a ~b}", "en", "q").unwrap_err();
        assert_eq!(e.problem, Problem::BadWeight("150".into()));
        let e = parse("Q {~a ~b}", "en", "q").unwrap_err();
        assert_eq!(e.problem, Problem::Invalid(QuestionError::NoFullMark));
        assert_eq!(parse("// only a comment\n", "en", "q").unwrap_err().problem, Problem::Empty);
        assert_eq!(parse("Q {T}\0", "en", "q").unwrap_err().problem, Problem::Nul);
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_questions_or_an_error(text in "[ -~\\n{}=~#:%→é]{0,200}") {
            let _ = parse(&text, "en", "q");
        }

        #[test]
        fn written_choices_read_back(texts in proptest::collection::vec("[ -~é]{1,30}", 2..6), right in 0usize..6) {
            let texts: Vec<String> = texts.into_iter().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
            proptest::prop_assume!(texts.iter().all(|t| !t.is_empty()));
            let right = right % texts.len();
            let q = Question {
                id: "q1".into(),
                name: "n".into(),
                category: None,
                language: "en".into(),
                text: "Which?".into(),
                kind: Kind::SingleChoice {
                    options: texts.iter().enumerate().map(|(i, t)| Choice { text: t.clone(), fraction: if i == right { 1.0 } else { 0.0 }, feedback: None }).collect(),
                },
                feedback: None,
            };
            proptest::prop_assert_eq!(parse(&write(std::slice::from_ref(&q)), "en", "q").unwrap(), vec![q]);
        }
    }
}
