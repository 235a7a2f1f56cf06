//! The languages detection knows the words of, and telling them apart by their commonest words.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Fr,
    Es,
    De,
    It,
}

const STOPWORDS: [(Lang, &[&str]); 5] = [
    (
        Lang::En,
        &[
            "the", "and", "of", "to", "in", "is", "was", "he", "she", "his", "her", "with", "for", "on", "at", "by",
            "from", "that", "this", "has", "have", "had", "were", "they", "their", "my", "your", "our", "will", "not",
        ],
    ),
    (
        Lang::Fr,
        &[
            "le", "la", "les", "et", "des", "du", "un", "une", "est", "il", "elle", "dans", "pour", "avec", "sur",
            "pas", "que", "qui", "au", "aux", "son", "sa", "ses", "mon", "ma", "nous", "vous", "été", "avait", "à",
        ],
    ),
    (
        Lang::Es,
        &[
            "el", "la", "los", "las", "y", "del", "un", "una", "es", "en", "con", "para", "por", "que", "se", "su",
            "sus", "mi", "está", "fue", "había", "pero", "como", "al", "lo", "le", "muy", "también", "nosotros",
            "usted",
        ],
    ),
    (
        Lang::De,
        &[
            "der", "die", "das", "und", "ist", "nicht", "mit", "von", "zu", "den", "dem", "ein", "eine", "einer",
            "sie", "er", "wir", "ich", "auf", "für", "bei", "aus", "wurde", "hat", "haben", "sein", "seine", "ihre",
            "im", "auch",
        ],
    ),
    (
        Lang::It,
        &[
            "il", "lo", "gli", "le", "e", "di", "del", "della", "che", "è", "un", "una", "per", "con", "non", "sono",
            "nel", "nella", "suo", "sua", "alla", "dei", "delle", "anche", "ma", "ha", "era", "stato", "mio", "questo",
        ],
    ),
];

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Fr, Lang::Es, Lang::De, Lang::It];

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" | "eng" => Some(Lang::En),
            "fr" | "fra" | "fre" => Some(Lang::Fr),
            "es" | "spa" => Some(Lang::Es),
            "de" | "deu" | "ger" => Some(Lang::De),
            "it" | "ita" => Some(Lang::It),
            _ => None,
        }
    }

    /// The language whose common words the text uses most (English when it cannot tell).
    pub fn guess(text: &str) -> Lang {
        let mut counts = [0usize; 5];
        for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(400) {
            let lower = word.to_lowercase();
            for (i, (_, words)) in STOPWORDS.iter().enumerate() {
                if words.contains(&lower.as_str()) {
                    counts[i] += 1;
                }
            }
        }
        let best = (0..5).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
        STOPWORDS[best].0
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::De => "de",
            Lang::It => "it",
        }
    }

    /// Whether `lower` (lower-cased) is one of the language's common words.
    pub(crate) fn is_stopword(self, lower: &str) -> bool {
        STOPWORDS.iter().any(|(l, words)| *l == self && words.contains(&lower))
    }

    /// How often the language uses `lower` (lower-cased), on wordfreq's Zipf scale: log10 of
    /// its uses per billion words ("the" 7.7, "letter" 4.9, "treaty" 4.3); 0 for words used
    /// less than 10^4 times per billion, which the frequency lists leave out.
    pub(crate) fn zipf(self, lower: &str) -> f32 {
        let table = &FREQUENCIES[self as usize];
        table.get(lower).copied().unwrap_or(0.0)
    }
}

/// wordfreq's frequencies of each language's commonest words (`data/frequent_<lang>.txt`,
/// made by `data/make_frequent.py` from the PyPI package), indexed by `Lang as usize`.
static FREQUENCIES: LazyLock<[FxHashMap<&'static str, f32>; 5]> = LazyLock::new(|| {
    let load = |text: &'static str| {
        let mut table = FxHashMap::default();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let mut words = line.split(' ');
            let Some(zipf) = words.next().and_then(|z| z.parse::<f32>().ok()) else { continue };
            for w in words {
                table.insert(w, zipf);
            }
        }
        table
    };
    [
        load(kinbridge_lexicon::FREQUENT_EN),
        load(kinbridge_lexicon::FREQUENT_FR),
        load(kinbridge_lexicon::FREQUENT_ES),
        load(kinbridge_lexicon::FREQUENT_DE),
        load(kinbridge_lexicon::FREQUENT_IT),
    ]
});

/// Common Portuguese words that Spanish, French and Italian do not use.
const PORTUGUESE: &[&str] = &[
    "não", "uma", "com", "ao", "os", "das", "dos", "pelo", "pela", "foi", "são", "está", "também", "você", "ele",
    "ela", "seu", "sua", "mãe", "pai", "filho", "filha", "criança", "em", "no", "na", "nos", "nas", "isso", "muito",
];

/// An ISO 639-1 code for the language of a text, over the languages the search index
/// analyses: the five detection knows, Portuguese (by its own common words) and Arabic (by
/// its script).
pub fn language_code(text: &str) -> &'static str {
    let sample: String = text.chars().take(4000).collect();
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    let arabic = sample.chars().filter(|c| ('\u{0600}'..='\u{06ff}').contains(c)).count();
    if letters > 0 && arabic * 2 > letters {
        return "ar";
    }
    let words: Vec<String> =
        sample.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(400).map(str::to_lowercase).collect();
    let pt = words.iter().filter(|w| PORTUGUESE.contains(&w.as_str())).count();
    let lang = Lang::guess(&sample);
    let best_other = words.iter().filter(|w| lang.is_stopword(w)).count();
    if pt > 0 && pt * 10 >= best_other * 9 && sample.contains(['ã', 'õ', 'ç']) || pt > best_other {
        return "pt";
    }
    lang.code()
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_codes_include_portuguese_and_arabic() {
        assert_eq!(super::language_code("A criança não está com a mãe, foi levada pelo pai."), "pt");
        assert_eq!(super::language_code("الطفل يعيش مع عمته في المدينة"), "ar");
        assert_eq!(super::language_code("El niño llegó solo y vive con su tía en la ciudad."), "es");
        assert_eq!(super::language_code("L'enfant est arrivé seul et il vit avec sa tante."), "fr");
    }

    use super::*;

    #[test]
    fn tells_the_five_languages_apart() {
        assert_eq!(Lang::guess("The boy was living with his aunt in the city."), Lang::En);
        assert_eq!(Lang::guess("L'enfant est arrivé seul et il vit avec sa tante dans la ville."), Lang::Fr);
        assert_eq!(Lang::guess("El niño llegó solo y vive con su tía en la ciudad."), Lang::Es);
        assert_eq!(Lang::guess("Das Kind ist allein gekommen und wohnt bei der Tante."), Lang::De);
        assert_eq!(Lang::guess("Il bambino è arrivato da solo e vive con la zia nella città."), Lang::It);
    }
}
