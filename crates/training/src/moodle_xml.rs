//! Moodle XML question files, read and written: `multichoice` (one or several answers),
//! `truefalse`, `shortanswer` and `matching` questions, with their categories, names, per-answer
//! and general feedback. Other types (essay, numerical, cloze...) cannot be graded here and are
//! refused by line; a file with any error imports nothing. Question text written as HTML is
//! kept as plain text. A document type declaration is refused, so no entity can expand.

use crate::gift::{ImportError, Problem, MAX_BYTES, MAX_QUESTIONS};
use crate::question::{Choice, Kind, Pair, Question};

/// Reads a Moodle XML file into questions in `language`, numbered `{prefix}{n}`.
pub fn parse(text: &str, language: &str, prefix: &str) -> Result<Vec<Question>, ImportError> {
    if text.len() > MAX_BYTES {
        return Err(ImportError { line: 1, problem: Problem::TooLarge });
    }
    if text.contains('\0') {
        return Err(ImportError { line: 1, problem: Problem::Nul });
    }
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| ImportError { line: e.pos().row as usize, problem: Problem::Xml(e.to_string()) })?;
    let root = doc.root_element();
    if root.tag_name().name() != "quiz" {
        return Err(ImportError { line: 1, problem: Problem::Xml("the root element is not <quiz>".into()) });
    }
    let mut questions = Vec::new();
    let mut category = None;
    for node in root.children().filter(|n| n.has_tag_name("question")) {
        let line = doc.text_pos_at(node.range().start).row as usize;
        let err = |problem| ImportError { line, problem };
        let kind = node.attribute("type").unwrap_or("");
        if kind == "category" {
            let path = child_text(node, "category").unwrap_or_default();
            let path = path.trim().trim_start_matches("$course$/").trim_start_matches("top/").trim().to_string();
            category = (!path.is_empty() && path != "top").then_some(path);
            continue;
        }
        if questions.len() == MAX_QUESTIONS {
            return Err(err(Problem::TooManyQuestions));
        }
        let text = child_text(node, "questiontext").map(|t| strip_html(&t)).unwrap_or_default();
        let name = child_text(node, "name").map(|t| t.trim().to_string()).unwrap_or_default();
        let feedback = child_text(node, "generalfeedback").map(|t| strip_html(&t)).filter(|t| !t.is_empty());
        let answers = || -> Result<Vec<Choice>, Problem> {
            node.children()
                .filter(|n| n.has_tag_name("answer"))
                .map(|a| {
                    let raw = a.attribute("fraction").unwrap_or("0");
                    let fraction = raw
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|f| (-100.0..=100.0).contains(f))
                        .ok_or_else(|| Problem::BadWeight(raw.chars().take(10).collect()))?;
                    Ok(Choice {
                        text: element_text(a).map(|t| strip_html(&t)).unwrap_or_default(),
                        fraction: fraction / 100.0,
                        feedback: child_text(a, "feedback").map(|t| strip_html(&t)).filter(|t| !t.is_empty()),
                    })
                })
                .collect()
        };
        let kind = match kind {
            "multichoice" => {
                let options = answers().map_err(err)?;
                if child_text(node, "single").is_some_and(|s| s.trim() == "false" || s.trim() == "0") {
                    Kind::MultipleChoice { options }
                } else {
                    Kind::SingleChoice { options }
                }
            }
            "truefalse" => {
                let options = answers().map_err(err)?;
                let find = |word: &str| options.iter().find(|o| o.text.eq_ignore_ascii_case(word));
                let (Some(t), Some(f)) = (find("true"), find("false")) else {
                    return Err(err(Problem::Xml("a true/false question needs a true and a false answer".into())));
                };
                Kind::TrueFalse {
                    answer: t.fraction >= f.fraction,
                    feedback_true: t.feedback.clone(),
                    feedback_false: f.feedback.clone(),
                }
            }
            "shortanswer" => Kind::ShortAnswer {
                answers: answers().map_err(err)?,
                case_sensitive: child_text(node, "usecase").is_some_and(|s| s.trim() == "1"),
            },
            "matching" => Kind::Matching {
                pairs: node
                    .children()
                    .filter(|n| n.has_tag_name("subquestion"))
                    .map(|s| Pair {
                        left: element_text(s).map(|t| strip_html(&t)).unwrap_or_default(),
                        right: child_text(s, "answer").map(|t| t.trim().to_string()).unwrap_or_default(),
                    })
                    .collect(),
            },
            "essay" => return Err(err(Problem::Unsupported("essay"))),
            "numerical" => return Err(err(Problem::Unsupported("numerical"))),
            "description" => return Err(err(Problem::Unsupported("description"))),
            "" => return Err(err(Problem::Xml("a question has no type".into()))),
            _ => return Err(err(Problem::Unsupported("this type of"))),
        };
        let mut q = Question {
            id: format!("{prefix}{}", questions.len() + 1),
            name,
            category: category.clone(),
            language: language.to_string(),
            text,
            kind,
            feedback,
        };
        if q.name.is_empty() {
            q.name = q.text.chars().take(60).collect();
        }
        q.check().map_err(|e| err(Problem::Invalid(e)))?;
        questions.push(q);
    }
    if questions.is_empty() {
        return Err(ImportError { line: 1, problem: Problem::Empty });
    }
    Ok(questions)
}

/// The `<text>` of an element's child `<name>`.
fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    node.children().find(|n| n.has_tag_name(name)).and_then(element_text)
}

/// The `<text>` inside an element (Moodle wraps every text in one), or the element's own text.
fn element_text(node: roxmltree::Node) -> Option<String> {
    match node.children().find(|n| n.has_tag_name("text")) {
        Some(t) => Some(t.text().unwrap_or("").to_string()),
        None => node.text().map(str::to_string),
    }
}

/// HTML as the plain text it shows: tags dropped, paragraphs and breaks as line breaks, the
/// common entities read.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if matches!(name.as_str(), "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4") {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes questions as Moodle XML (plain-text format), which [`parse`] reads back.
pub fn write(questions: &[Question]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let mut category: Option<&str> = None;
    let text = |tag: &str, s: &str| format!("<{tag} format=\"plain_text\"><text>{}</text></{tag}>", xml_escape(s));
    let fraction = |f: f64| (f * 100.0 * 100_000.0).round() / 100_000.0;
    let answer = |o: &Choice| {
        let fb = o.feedback.as_deref().map(|f| format!("<feedback><text>{}</text></feedback>", xml_escape(f)));
        format!(
            "    <answer fraction=\"{}\" format=\"plain_text\"><text>{}</text>{}</answer>\n",
            fraction(o.fraction),
            xml_escape(&o.text),
            fb.unwrap_or_default()
        )
    };
    for q in questions {
        if q.category.as_deref() != category {
            category = q.category.as_deref();
            out.push_str(&format!(
                "  <question type=\"category\"><category><text>$course$/top/{}</text></category></question>\n",
                xml_escape(category.unwrap_or(""))
            ));
        }
        let kind = match q.kind {
            Kind::SingleChoice { .. } | Kind::MultipleChoice { .. } => "multichoice",
            Kind::TrueFalse { .. } => "truefalse",
            Kind::ShortAnswer { .. } => "shortanswer",
            Kind::Matching { .. } => "matching",
        };
        out.push_str(&format!("  <question type=\"{kind}\">\n    <name><text>{}</text></name>\n", xml_escape(&q.name)));
        out.push_str(&format!("    {}\n", text("questiontext", &q.text)));
        if let Some(f) = &q.feedback {
            out.push_str(&format!("    {}\n", text("generalfeedback", f)));
        }
        match &q.kind {
            Kind::SingleChoice { options } | Kind::MultipleChoice { options } => {
                let single = matches!(q.kind, Kind::SingleChoice { .. });
                out.push_str(&format!("    <single>{single}</single>\n"));
                options.iter().for_each(|o| out.push_str(&answer(o)));
            }
            Kind::TrueFalse { answer: a, feedback_true, feedback_false } => {
                let side = |word: &str, right: bool, fb: &Option<String>| Choice {
                    text: word.into(),
                    fraction: if right { 1.0 } else { 0.0 },
                    feedback: fb.clone(),
                };
                out.push_str(&answer(&side("true", *a, feedback_true)));
                out.push_str(&answer(&side("false", !*a, feedback_false)));
            }
            Kind::ShortAnswer { answers, case_sensitive } => {
                out.push_str(&format!("    <usecase>{}</usecase>\n", u8::from(*case_sensitive)));
                answers.iter().for_each(|o| out.push_str(&answer(o)));
            }
            Kind::Matching { pairs } => {
                for p in pairs {
                    out.push_str(&format!(
                        "    <subquestion format=\"plain_text\"><text>{}</text><answer><text>{}</text></answer></subquestion>\n",
                        xml_escape(&p.left),
                        xml_escape(&p.right)
                    ));
                }
            }
        }
        out.push_str("  </question>\n");
    }
    out.push_str("</quiz>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written as Moodle 4 exports a bank: HTML question text in CDATA, a category first.
    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Best interests</text></category>
  </question>
  <question type="multichoice">
    <name><text>Article 3</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which article of the UNCRC states the <b>best interests</b> principle?</p>]]></text></questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>Article 3(1).</p>]]></text></generalfeedback>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answer fraction="100" format="html"><text>Article 3</text><feedback format="html"><text>Yes.</text></feedback></answer>
    <answer fraction="0" format="html"><text>Article 12</text><feedback format="html"><text>That is the child's views.</text></feedback></answer>
    <answer fraction="0" format="html"><text>Article 9</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Views</text></name>
    <questiontext format="html"><text>Whose views are heard in a best-interests assessment?</text></questiontext>
    <single>false</single>
    <answer fraction="33.33333" format="html"><text>The child&apos;s</text></answer>
    <answer fraction="33.33333" format="html"><text>The parents'</text></answer>
    <answer fraction="33.33334" format="html"><text>The carers'</text></answer>
    <answer fraction="-100" format="html"><text>The donor's</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Separation</text></name>
    <questiontext format="html"><text>A child may be separated from parents against their will only when necessary for the child's best interests.</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>true</text><feedback><text>Article 9.</text></feedback></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>Acronym</text></name>
    <questiontext format="html"><text>The UN committee that examines states&apos; reports is the Committee on the Rights of the ...</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100" format="moodle_auto_format"><text>Child</text></answer>
    <answer fraction="50" format="moodle_auto_format"><text>Children</text></answer>
  </question>
  <question type="matching">
    <name><text>Articles</text></name>
    <questiontext format="html"><text>Match the article and its subject.</text></questiontext>
    <shuffleanswers>true</shuffleanswers>
    <subquestion format="html"><text><![CDATA[<p>Article 12</p>]]></text><answer><text>Views of the child</text></answer></subquestion>
    <subquestion format="html"><text>Article 20</text><answer><text>Alternative care</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Freedom of religion</text></answer></subquestion>
  </question>
</quiz>
"#;

    #[test]
    fn reads_a_moodle_export() {
        let qs = parse(SAMPLE, "en", "x").unwrap();
        assert_eq!(qs.len(), 5);
        assert_eq!(qs[0].text, "Which article of the UNCRC states the best interests principle?");
        assert_eq!(qs[0].category.as_deref(), Some("Best interests"));
        assert_eq!(qs[0].feedback.as_deref(), Some("Article 3(1)."));
        assert!(
            matches!(&qs[0].kind, Kind::SingleChoice { options } if options[1].feedback.as_deref() == Some("That is the child's views."))
        );
        let Kind::MultipleChoice { options } = &qs[1].kind else { panic!() };
        assert_eq!(options[0].text, "The child's");
        assert_eq!(options[3].fraction, -1.0);
        assert_eq!(
            qs[2].kind,
            Kind::TrueFalse { answer: true, feedback_true: Some("Article 9.".into()), feedback_false: None }
        );
        assert!(matches!(&qs[3].kind, Kind::ShortAnswer { answers, case_sensitive: false } if answers.len() == 2));
        let Kind::Matching { pairs } = &qs[4].kind else { panic!() };
        assert_eq!(pairs[0], Pair { left: "Article 12".into(), right: "Views of the child".into() });
        assert_eq!(pairs[2].left, "");
    }

    #[test]
    fn round_trips_through_both_formats() {
        let qs = parse(SAMPLE, "en", "x").unwrap();
        assert_eq!(parse(&write(&qs), "en", "x").unwrap(), qs);
        // GIFT and XML carry the same questions.
        let via_gift = crate::gift::parse(&crate::gift::write(&qs), "en", "x").unwrap();
        assert_eq!(via_gift, qs);
    }

    #[test]
    fn errors_name_the_line_and_nothing_expands() {
        let essay = SAMPLE.replace(r#"<question type="truefalse">"#, r#"<question type="essay">"#);
        let e = parse(&essay, "en", "x").unwrap_err();
        assert_eq!(e.problem, Problem::Unsupported("essay"));
        assert_eq!(e.line, 26);
        let broken = SAMPLE.replace(
            "</name>\n    <questiontext format=\"html\"><text>Whose",
            "\n    <questiontext format=\"html\"><text>Whose",
        );
        assert!(matches!(parse(&broken, "en", "x").unwrap_err().problem, Problem::Xml(_)));
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>"#;
        assert!(matches!(parse(bomb, "en", "x").unwrap_err().problem, Problem::Xml(_)));
        let weight = SAMPLE.replace("fraction=\"50\"", "fraction=\"half\"");
        assert_eq!(parse(&weight, "en", "x").unwrap_err().problem, Problem::BadWeight("half".into()));
        assert_eq!(parse("<quiz></quiz>", "en", "x").unwrap_err().problem, Problem::Empty);
    }
}
