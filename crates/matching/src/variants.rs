//! Name-variant knowledge, kept as data (`data/name_variants.txt`), not code: groups of
//! spellings and cross-language equivalents of the same given or family name.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use crate::normalize::{fold, joined};

static GROUPS: LazyLock<FxHashMap<String, Vec<u32>>> =
    LazyLock::new(|| parse(include_str!("../data/name_variants.txt")));

/// Parses a variant file: one group per line, forms separated by whitespace, `#` comments.
pub fn parse(text: &str) -> FxHashMap<String, Vec<u32>> {
    let mut map: FxHashMap<String, Vec<u32>> = FxHashMap::default();
    let lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    for (group, line) in lines.enumerate() {
        for form in line.split_whitespace() {
            let key = joined(&fold(form));
            if key.is_empty() {
                continue;
            }
            let ids = map.entry(key).or_default();
            if !ids.contains(&(group as u32)) {
                ids.push(group as u32);
            }
        }
    }
    map
}

/// The variant groups a folded, joined name belongs to (empty when it is in none).
pub fn groups(name: &str) -> &'static [u32] {
    GROUPS.get(name).map_or(&[], Vec::as_slice)
}

/// Whether two folded, joined names are known variants of each other.
pub fn are_variants(a: &str, b: &str) -> bool {
    let ga = groups(a);
    !ga.is_empty() && groups(b).iter().any(|g| ga.contains(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &str, b: &str) -> bool {
        are_variants(&joined(&fold(a)), &joined(&fold(b)))
    }

    #[test]
    fn knows_cross_script_and_cross_language_variants() {
        assert!(v("Mohammed", "Mehmet"));
        assert!(v("Muhammad", "محمد"));
        assert!(v("Yohannes", "Yuhanna"));
        assert!(v("Johannes", "ዮሐንስ"));
        assert!(v("Oleksandr", "Alexandre"));
        assert!(v("Zhang", "張"));
        assert!(!v("Mohammed", "Ahmed"));
        assert!(!v("Unknownname", "Unknownname2"));
    }
}
