//! The languages detection knows the words of, and telling them apart by their commonest words.

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

    /// Whether `lower` (lower-cased) is one of the language's common words.
    pub(crate) fn is_stopword(self, lower: &str) -> bool {
        STOPWORDS.iter().any(|(l, words)| *l == self && words.contains(&lower))
    }
}

#[cfg(test)]
mod tests {
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
