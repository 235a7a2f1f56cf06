//! Towns and the region and country they lie in, so that pseudonymisation can say "a town in
//! Tigray, Ethiopia" instead of naming the town. The gazetteer is GeoNames' towns of at least
//! 15,000 people (`data/towns.tsv`, made by `data/make_towns.py` from two PyPI packages), in
//! every Latin-script spelling GeoNames knows ("Munich", "München", "Monaco di Baviera").

use std::sync::LazyLock;

use kinbridge_domain::country::Country;
use rustc_hash::FxHashMap;

use crate::names::key;

struct Town {
    region: &'static str,
    country: &'static str,
    population: u32,
}

/// Towns by the folded form of each of their names, most populous first.
static TOWNS: LazyLock<FxHashMap<String, Vec<Town>>> = LazyLock::new(|| {
    let mut towns: FxHashMap<String, Vec<Town>> = FxHashMap::default();
    for line in kinbridge_lexicon::TOWNS.lines().filter(|l| !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let (Some(names), Some(region), Some(country), Some(population)) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            continue;
        };
        let population = population.parse().unwrap_or(0);
        let mut keys: Vec<String> = names.split('|').map(key).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            // The file is sorted by population, so each list stays most populous first.
            towns.entry(k).or_default().push(Town { region, country, population });
        }
    }
    towns
});

/// How far a place can be told without naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generalised {
    /// The region (first-level division) and the country's English name.
    Region { region: String, country: String },
    /// Only the country: the town's region is not known, or towns of that name lie in several
    /// regions of one country.
    Country(String),
}

impl std::fmt::Display for Generalised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Generalised::Region { region, country } => write!(f, "[{region}, {country}]"),
            Generalised::Country(country) => write!(f, "[{country}]"),
        }
    }
}

fn country_name(code: &str) -> String {
    Country::parse(code).map_or_else(|| code.to_string(), |c| c.name().to_string())
}

/// What a town's name says of where it is: the region and country of the most populous town
/// of that name, unless another town of the name, at least a third as big, lies elsewhere
/// ("Valencia" is Spain's and Venezuela's): then only what they share, or nothing.
pub fn generalise(name: &str) -> Option<Generalised> {
    let towns = TOWNS.get(&key(name.trim()))?;
    let first = towns.first()?;
    let rivals: Vec<&Town> =
        towns[1..].iter().filter(|t| u64::from(t.population) * 3 >= u64::from(first.population)).collect();
    if rivals.iter().any(|t| t.country != first.country) {
        return None;
    }
    if first.region.is_empty() || rivals.iter().any(|t| t.region != first.region) {
        return Some(Generalised::Country(country_name(first.country)));
    }
    Some(Generalised::Region { region: first.region.to_string(), country: country_name(first.country) })
}

/// Whether `name` is a town of the gazetteer, in any of its spellings.
pub fn is_town(name: &str) -> bool {
    TOWNS.contains_key(&key(name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn towns_become_their_region_in_any_spelling() {
        let bavaria = Some(Generalised::Region { region: "Bavaria".into(), country: "Germany".into() });
        assert_eq!(generalise("München"), bavaria);
        assert_eq!(generalise("Munich"), bavaria);
        assert_eq!(generalise("MUNICH"), bavaria);
        assert_eq!(generalise("Mekelle").map(|g| g.to_string()), Some("[Tigray, Ethiopia]".into()));
        assert_eq!(generalise("Kakuma").map(|g| g.to_string()), Some("[Turkana, Kenya]".into()));
    }

    #[test]
    fn a_name_shared_by_towns_abroad_says_nothing() {
        // Valencia, Spain and Valencia, Venezuela are of a size.
        assert_eq!(generalise("Valencia"), None);
        assert_eq!(generalise("Atlantis Undersea"), None);
        assert!(is_town("Gaziantep"));
        assert!(!is_town("Atlantis Undersea"));
    }
}
