//! Names and word lists, in one data folder (`data/`): the naming cultures the network meets
//! (given names by sex, family names, countries, languages, and what the synthetic record
//! generator needs to write records of that culture), and the gazetteers and word lists of
//! the privacy engine. The demo, the generator and the privacy engine all read them here, so
//! a name added to a culture reaches all three.

/// The scripts a culture's names are written in natively (records may carry them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Arabic,
    Cyrillic,
    Greek,
    Ethiopic,
    Chinese,
}

/// One naming culture, its names as members write them in Latin script.
#[derive(Debug)]
pub struct Culture {
    pub name: &'static str,
    /// Countries its people come from (ISO 3166 alpha-2).
    pub countries: &'static [&'static str],
    /// Languages they speak (ISO 639-1).
    pub languages: &'static [&'static str],
    /// The second name is the father's given name (Tigrinya, Amharic, Somali...).
    pub patronymic: bool,
    pub female: &'static [&'static str],
    pub male: &'static [&'static str],
    /// Family names (none for a patronymic culture).
    pub family: &'static [&'static str],
    /// What the synthetic record generator needs to write this culture's records; `None` if
    /// it does not generate them.
    pub generator: Option<Generator>,
}

/// The synthetic record generator's knowledge of a culture.
#[derive(Debug)]
pub struct Generator {
    pub script: Script,
    /// Its share of generated records, relative to the other cultures' weights.
    pub weight: u32,
    /// The country calling code of its phone numbers.
    pub phone_prefix: &'static str,
    /// Prefixes put before a family name (`Al-`), the empty one among them.
    pub suffixes: &'static [&'static str],
    /// Start, middle and end parts of rare composed family names.
    pub parts: [&'static [&'static str]; 3],
    /// Birth places.
    pub places: &'static [&'static str],
}

/// Every naming culture, in the order of their files.
pub static CULTURES: &[Culture] = include!(concat!(env!("OUT_DIR"), "/cultures.rs"));

/// Given names from international lists, beyond the cultures.
pub const GIVEN_NAMES: &str = include_str!("../data/given_names.txt");
/// Given names from census tables (see `data/make_census_names.py`).
pub const GIVEN_NAMES_CENSUS: &str = include_str!("../data/given_names_census.txt");
pub const FAMILY_NAMES: &str = include_str!("../data/family_names.txt");
/// Country names in the network's languages, one per line.
pub const COUNTRY_NAMES: &str = include_str!("../data/country_names.txt");
/// Places beyond the towns table: regions, camps, well-known cities.
pub const PLACES: &str = include_str!("../data/places.txt");
/// Towns and their countries, tab-separated (see `data/make_towns.py`).
pub const TOWNS: &str = include_str!("../data/towns.tsv");
/// Ordinary words that case notes write with a capital.
pub const COMMON_WORDS: &str = include_str!("../data/common_words.txt");
/// Capitalised words that are not names: titles, days, months, sentence starters.
pub const NOT_NAMES: &str = include_str!("../data/not_names.txt");
/// Words that make a capitalised run an organisation.
pub const ORGANISATION_WORDS: &str = include_str!("../data/organisation_words.txt");
/// Endings of family names in the network's naming cultures (folded).
pub const FAMILY_ENDINGS: &str = include_str!("../data/family_endings.txt");
/// Particles inside names (de, van, bin, al).
pub const NAME_PARTICLES: &str = include_str!("../data/name_particles.txt");
/// The most frequent words of a language, one per line (see `data/make_frequent.py`).
pub const FREQUENT_EN: &str = include_str!("../data/frequent_en.txt");
pub const FREQUENT_FR: &str = include_str!("../data/frequent_fr.txt");
pub const FREQUENT_ES: &str = include_str!("../data/frequent_es.txt");
pub const FREQUENT_DE: &str = include_str!("../data/frequent_de.txt");
pub const FREQUENT_IT: &str = include_str!("../data/frequent_it.txt");

/// The words of a word list: whitespace-separated, `#` lines are comments.
pub fn words(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().filter(|l| !l.trim_start().starts_with('#')).flat_map(str::split_whitespace)
}

/// The cultures the synthetic record generator draws from, with its knowledge of each.
pub fn generated() -> impl Iterator<Item = (&'static Culture, &'static Generator)> {
    CULTURES.iter().filter_map(|c| c.generator.as_ref().map(|g| (c, g)))
}

/// Every given name, family name and birth place of the cultures: a gazetteer for the
/// engines that must tell names from words.
pub fn vocabulary() -> (Vec<&'static str>, Vec<&'static str>, Vec<&'static str>) {
    let (mut given, mut family, mut places) = (Vec::new(), Vec::new(), Vec::new());
    for c in CULTURES {
        given.extend_from_slice(c.male);
        given.extend_from_slice(c.female);
        family.extend_from_slice(c.family);
        if let Some(g) = &c.generator {
            places.extend_from_slice(g.places);
        }
    }
    (given, family, places)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_culture_can_name_a_family() {
        assert!(CULTURES.len() >= 15, "the cultures folder looks truncated");
        for c in CULTURES {
            assert!(!c.female.is_empty() && !c.male.is_empty(), "{}: given names of both sexes", c.name);
            assert!(c.patronymic || !c.family.is_empty(), "{}: family names, or patronymic", c.name);
            assert!(!c.countries.is_empty() && !c.languages.is_empty(), "{}: countries and languages", c.name);
            assert!(
                c.countries.iter().all(|k| k.len() == 2 && k.bytes().all(|b| b.is_ascii_uppercase())),
                "{}",
                c.name
            );
            for name in c.female.iter().chain(c.male).chain(c.family) {
                assert!(!name.is_empty() && name.trim() == *name, "{}: {name:?}", c.name);
            }
        }
        assert!(generated().map(|(_, g)| g.weight).sum::<u32>() > 0, "the generator has cultures to draw from");
    }

    #[test]
    fn word_lists_skip_comments() {
        let endings: Vec<_> = words(FAMILY_ENDINGS).collect();
        assert!(endings.contains(&"enko") && !endings.iter().any(|w| w.starts_with('#')));
        assert!(words(NOT_NAMES).count() > 200);
    }
}
