//! Personal data in free text, for de-identification: what a case already knows about its own
//! people (certain hits, in any spelling the matching engine's variants allow), patterns with
//! checksums (IBAN, card numbers), formats (e-mail, URL, IP address, phone numbers in
//! international and national forms, dates, ages, addresses, identity and case numbers), and
//! names found by gazetteers and context (titles, "named", capitalised words that are not
//! ordinary words of the language, as wordfreq's word frequencies tell). The gazetteers and
//! frequencies are data files made from PyPI packages (`data/make_*.py`) and built in.
//! Output: typed spans with a confidence, offsets in Unicode characters, end exclusive. No I/O
//! of its own.
//!
//! ```
//! use kinbridge_privacy::{Detector, Kind, Lang};
//! let d = Detector::new(Some(Lang::En));
//! let text = "Amanuel Tesfay was born on 4 March 2012; call +41 22 555 01 23.";
//! let spans = d.detect(text);
//! assert!(spans.iter().any(|s| s.kind == Kind::Person));
//! assert!(spans.iter().any(|s| s.kind == Kind::Date));
//! assert!(spans.iter().any(|s| s.kind == Kind::Phone));
//! ```

pub mod disclosure;
mod lang;
mod names;
mod patterns;
pub mod places;
pub mod pseudo;

pub use lang::{language_code, Lang};
pub use names::{is_country, KnownPerson};

use serde::Serialize;

/// What a span of personal data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Person,
    Date,
    Age,
    Address,
    Place,
    Phone,
    Email,
    IdNumber,
    Iban,
    CardNumber,
    Url,
    IpAddress,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Person,
        Kind::Date,
        Kind::Age,
        Kind::Address,
        Kind::Place,
        Kind::Phone,
        Kind::Email,
        Kind::IdNumber,
        Kind::Iban,
        Kind::CardNumber,
        Kind::Url,
        Kind::IpAddress,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Date => "date",
            Kind::Age => "age",
            Kind::Address => "address",
            Kind::Place => "place",
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::IdNumber => "id_number",
            Kind::Iban => "iban",
            Kind::CardNumber => "card_number",
            Kind::Url => "url",
            Kind::IpAddress => "ip_address",
        }
    }

    /// The placeholder that replaces a span in redacted text.
    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::Person => "[PERSON]",
            Kind::Date => "[DATE]",
            Kind::Age => "[AGE]",
            Kind::Address => "[ADDRESS]",
            Kind::Place => "[PLACE]",
            Kind::Phone => "[PHONE]",
            Kind::Email => "[EMAIL]",
            Kind::IdNumber => "[ID]",
            Kind::Iban => "[IBAN]",
            Kind::CardNumber => "[CARD]",
            Kind::Url => "[URL]",
            Kind::IpAddress => "[IP]",
        }
    }

    /// Which of two overlapping findings wins when their confidences tie: structured
    /// identifiers before free-text guesses.
    fn rank(self) -> u8 {
        match self {
            Kind::Email | Kind::Url | Kind::Iban | Kind::CardNumber | Kind::IpAddress => 5,
            Kind::Phone | Kind::IdNumber => 4,
            Kind::Address => 3,
            Kind::Date | Kind::Age => 2,
            Kind::Person => 1,
            Kind::Place => 0,
        }
    }
}

/// A span of personal data: `start..end` in Unicode characters of the text it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub confidence: f32,
}

/// A finding in byte offsets, before spans are resolved and converted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub confidence: f32,
}

/// Finds personal data in text. Build one per language (or `None` to tell the language from
/// each text) and per case (its known people); it can be used from many threads at once.
#[derive(Debug, Clone, Default)]
pub struct Detector {
    lang: Option<Lang>,
    known: Vec<KnownPerson>,
}

impl Detector {
    pub fn new(lang: Option<Lang>) -> Self {
        Detector { lang, known: Vec::new() }
    }

    /// Adds what a case knows about its people: their names are certain hits in any spelling
    /// the name variants allow, and so are their dates of birth in any common format.
    pub fn with_known(mut self, known: Vec<KnownPerson>) -> Self {
        self.known = known;
        self
    }

    /// The spans of personal data in `text`, in order, not overlapping.
    pub fn detect(&self, text: &str) -> Vec<Span> {
        let lang = self.lang.unwrap_or_else(|| Lang::guess(text));
        let mut hits = Vec::new();
        patterns::find(text, lang, &mut hits);
        patterns::extend_address_blocks(text, &mut hits);
        for k in &self.known {
            k.find(text, &mut hits);
        }
        let mut named = Vec::new();
        names::find(text, lang, &hits, &mut named);
        hits.append(&mut named);
        to_spans(text, resolve(text, hits))
    }

    /// `text` with every span replaced by its placeholder (`[PERSON]`, `[DATE]`, ...).
    pub fn redact(&self, text: &str) -> (String, Vec<Span>) {
        let spans = self.detect(text);
        (redact(text, &spans), spans)
    }
}

/// Byte ranges sorted by start, answering "does anything overlap `s..e`" in logarithmic time
/// (a long text has thousands of findings and runs).
pub(crate) struct Ranges {
    ranges: Vec<(usize, usize)>,
    /// The largest end among `ranges[..=i]`.
    max_end: Vec<usize>,
}

impl Ranges {
    pub(crate) fn new(mut ranges: Vec<(usize, usize)>) -> Self {
        ranges.sort_unstable();
        let max_end = ranges
            .iter()
            .scan(0, |m, &(_, e)| {
                *m = (*m).max(e);
                Some(*m)
            })
            .collect();
        Ranges { ranges, max_end }
    }

    pub(crate) fn overlaps(&self, s: usize, e: usize) -> bool {
        // Of the ranges starting before `e`, whether any ends after `s`.
        let n = self.ranges.partition_point(|&(a, _)| a < e);
        n > 0 && self.max_end[n - 1] > s
    }
}

/// Replaces each span of `text` (character offsets) with its kind's placeholder.
pub fn redact(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut next = spans.iter().peekable();
    let mut skip_until = 0;
    for (i, c) in text.chars().enumerate() {
        if let Some(s) = next.peek() {
            if s.start == i {
                out.push_str(s.kind.placeholder());
                skip_until = s.end;
                next.next();
            }
        }
        if i >= skip_until {
            out.push(c);
        }
    }
    out
}

/// Keeps, among overlapping hits, the most confident (then the higher ranked kind, then the
/// longer); adjacent hits of one kind are merged.
fn resolve(text: &str, mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.retain(|h| h.end > h.start);
    // Overlapping hits of one kind are one finding: their union, at the best confidence.
    hits.sort_by_key(|h| (h.kind, h.start));
    let mut merged: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        match merged.last_mut() {
            Some(last) if last.kind == h.kind && h.start < last.end => {
                last.end = last.end.max(h.end);
                last.confidence = last.confidence.max(h.confidence);
            }
            _ => merged.push(h),
        }
    }
    let mut hits = merged;
    hits.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(b.kind.rank().cmp(&a.kind.rank()))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    // The hits kept so far, by start: they do not overlap, so the one starting last before a
    // hit's end is the only one that can overlap it from the left.
    let mut kept: std::collections::BTreeMap<usize, Hit> = std::collections::BTreeMap::new();
    let overlapping = |kept: &std::collections::BTreeMap<usize, Hit>, h: &Hit| -> Vec<(usize, usize)> {
        let mut cuts: Vec<(usize, usize)> =
            kept.range(..h.end).rev().take_while(|(_, k)| k.end > h.start).map(|(_, k)| (k.start, k.end)).collect();
        cuts.reverse();
        cuts
    };
    for h in hits {
        let cuts = overlapping(&kept, &h);
        if cuts.is_empty() {
            kept.insert(h.start, h);
        } else if h.kind == Kind::Address {
            // An address block that runs into a surer finding (a phone number on the line after
            // it) keeps its parts around that finding.
            let mut at = h.start;
            let mut parts = Vec::new();
            for (a, b) in cuts.into_iter().chain(std::iter::once((h.end, h.end))) {
                let part = &text[at.min(a)..a];
                let lead = part.len() - part.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
                let body = part.trim_matches(|c: char| !c.is_alphanumeric());
                if body.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
                    let start = at.min(a) + lead;
                    parts.push(Hit { start, end: start + body.len(), ..h });
                }
                at = at.max(b);
            }
            for p in parts {
                kept.insert(p.start, p);
            }
        }
    }
    kept.into_values().collect()
}

/// Converts byte offsets to character offsets, in one pass.
fn to_spans(text: &str, hits: Vec<Hit>) -> Vec<Span> {
    let mut out = Vec::with_capacity(hits.len());
    let mut chars = 0;
    let mut byte = 0;
    let advance = |to: usize, chars: &mut usize, byte: &mut usize| {
        *chars += text[*byte..to].chars().count();
        *byte = to;
    };
    for h in hits {
        advance(h.start, &mut chars, &mut byte);
        let start = chars;
        advance(h.end, &mut chars, &mut byte);
        out.push(Span { start, end: chars, kind: h.kind, confidence: h.confidence });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_in_characters_and_redaction_replaces_them() {
        let d = Detector::new(Some(Lang::Fr));
        let text = "Élève née le 04/03/2012, écrire à léa.dupont@exemple.fr";
        let spans = d.detect(text);
        let email = spans.iter().find(|s| s.kind == Kind::Email).unwrap();
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[email.start..email.end].iter().collect::<String>(), "léa.dupont@exemple.fr");
        let redacted = redact(text, &spans);
        assert_eq!(redacted, "Élève née le [DATE], écrire à [EMAIL]");
    }

    #[test]
    fn overlapping_hits_keep_the_most_confident() {
        let hits = vec![
            Hit { start: 0, end: 10, kind: Kind::Person, confidence: 0.6 },
            Hit { start: 5, end: 20, kind: Kind::Email, confidence: 0.99 },
            Hit { start: 25, end: 30, kind: Kind::Date, confidence: 0.9 },
        ];
        let kept = resolve(&"x".repeat(30), hits);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].kind, Kind::Email);
    }

    #[test]
    fn an_address_block_keeps_its_lines_around_a_phone_number() {
        let text = "Corp. II Unit\nUnit 1324 Box 7546\nDPO AP 85115\nMobile: 729 198 216";
        let spans = Detector::new(Some(Lang::En)).detect(text);
        let chars: Vec<char> = text.chars().collect();
        let found: Vec<(Kind, String)> =
            spans.iter().map(|s| (s.kind, chars[s.start..s.end].iter().collect())).collect();
        assert!(found.contains(&(Kind::Phone, "729 198 216".into())), "{found:?}");
        let address: String = found.iter().filter(|(k, _)| *k == Kind::Address).map(|(_, t)| t.as_str()).collect();
        assert!(address.contains("Unit 1324 Box 7546") && address.contains("DPO AP 85115"), "{found:?}");
        assert!(!address.contains("729"), "the phone number is not part of the address: {found:?}");
    }
}
