//! The lexicon's naming cultures as the demo writes them: in Latin script, as the member who
//! records them would (a culture the lexicon writes natively, such as Chinese in Han
//! characters, romanised).

pub struct Culture {
    pub countries: &'static [&'static str],
    pub languages: &'static [&'static str],
    pub patronymic: bool,
    pub female: Vec<String>,
    pub male: Vec<String>,
    pub family: Vec<String>,
}

pub fn cultures() -> Vec<Culture> {
    let latin = |names: &[&str]| names.iter().map(|n| latin(n)).collect();
    kinbridge_lexicon::CULTURES
        .iter()
        .map(|c| Culture {
            countries: c.countries,
            languages: c.languages,
            patronymic: c.patronymic,
            female: latin(c.female),
            male: latin(c.male),
            family: latin(c.family),
        })
        .collect()
}

/// A name in Latin script: Han characters become pinyin words with capitals; other names
/// are kept as written (with their accents).
fn latin(name: &str) -> String {
    if !name.chars().any(|c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)) {
        return name.to_string();
    }
    kinbridge_matching::normalize::fold(name)
        .split(' ')
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_uppercase().chain(cs).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_written_in_latin_script() {
        for c in super::cultures() {
            for name in c.female.iter().chain(&c.male).chain(&c.family) {
                assert!(name.chars().all(|ch| !ch.is_alphabetic() || ch.is_ascii() || (ch as u32) < 0x2000), "{name}");
            }
        }
        assert_eq!(super::latin("王"), "Wang");
    }
}
