//! Pseudonymisation of a case's text: the same person is always the same stand-in within a
//! case ("[CHILD-1]", or a stable fake name of the same culture and gender), dates are shifted
//! by one offset per case (intervals kept), ages become bands, towns become their region or
//! country, other places and identifiers become placeholders. Stand-ins are derived from a key
//! held by the data protection officer: without
//! it they cannot be linked back, and the table that reverses them is sealed with it.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{Datelike, Duration, NaiveDate};
use hmac::{Hmac, Mac};
use kinbridge_matching::normalize::{fold, joined};
use kinbridge_matching::variants;
use rustc_hash::FxHashMap;
use sha2::Sha256;

use crate::{Detector, Kind, KnownPerson, Lang};

/// The data protection officer's key: 32 bytes, written as 64 hex digits.
#[derive(Clone)]
pub struct PseudonymKey([u8; 32]);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Not 64 hex digits.
    Malformed,
    /// The sealed table was not sealed with this key, or was changed.
    WrongKey,
}

impl PseudonymKey {
    pub fn from_hex(hex_key: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| KeyError::Malformed)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(PseudonymKey(bytes))
    }

    fn mac(&self, parts: &[&str]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(&[0x1f]);
        }
        mac.finalize().into_bytes().into()
    }

    fn number(&self, parts: &[&str]) -> u64 {
        let h = self.mac(parts);
        u64::from_le_bytes(h[..8].try_into().unwrap_or([0; 8]))
    }

    /// A stable, non-reversible identifier for `value` in `scope` (a case id becomes the
    /// research copy's id).
    pub fn token(&self, scope: &str, value: &str) -> String {
        hex::encode(&self.mac(&[scope, value])[..12])
    }

    /// Seals a reversal table (stand-in → original) so that only this key opens it.
    pub fn seal(&self, table: &[(String, String)]) -> Vec<u8> {
        let plain = serde_json::to_vec(table).unwrap_or_default();
        // A nonce derived from the content (synthetic IV): no random source needed, and the
        // same table always seals the same way.
        let nonce_bytes = self.mac(&["nonce", &hex::encode(&plain)]);
        let nonce = XNonce::from_slice(&nonce_bytes[..24]);
        let cipher = XChaCha20Poly1305::new(self.0.as_slice().into());
        let mut out = nonce_bytes[..24].to_vec();
        out.extend(cipher.encrypt(nonce, plain.as_slice()).unwrap_or_default());
        out
    }

    /// Opens a table sealed with [`PseudonymKey::seal`].
    pub fn unseal(&self, sealed: &[u8]) -> Result<Vec<(String, String)>, KeyError> {
        if sealed.len() < 24 {
            return Err(KeyError::WrongKey);
        }
        let cipher = XChaCha20Poly1305::new(self.0.as_slice().into());
        let plain = cipher.decrypt(XNonce::from_slice(&sealed[..24]), &sealed[24..]).map_err(|_| KeyError::WrongKey)?;
        serde_json::from_slice(&plain).map_err(|_| KeyError::WrongKey)
    }
}

/// How people are replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameStyle {
    /// "[CHILD-1]", "[MOTHER-1]", "[PERSON-2]".
    Label,
    /// A stable fake name of the same culture and gender.
    FakeName,
}

/// One of the case's people, as pseudonymisation knows them.
#[derive(Debug, Clone)]
pub struct CasePerson {
    /// The role the label is made of: "child", "mother", ...
    pub role: String,
    /// "male", "female" or anything else.
    pub sex: String,
    pub known: KnownPerson,
}

/// Pseudonymises the texts of one case consistently.
pub struct Pseudonymiser<'k> {
    key: &'k PseudonymKey,
    case_id: String,
    style: NameStyle,
    detector: Detector,
    people: Vec<CasePerson>,
    /// Folded words of each case person's names, and of their given names alone.
    person_words: Vec<Vec<String>>,
    given_words: Vec<Vec<String>>,
    /// Every word of every real name of the case: a fake name uses none of them.
    forbidden: Vec<String>,
    /// Stand-in by cluster (case person index, or the folded text of someone else).
    stand_ins: FxHashMap<String, String>,
    role_counts: FxHashMap<String, usize>,
    reversal: Vec<(String, String)>,
    offset_days: i64,
}

impl<'k> Pseudonymiser<'k> {
    pub fn new(
        key: &'k PseudonymKey,
        case_id: &str,
        lang: Option<Lang>,
        style: NameStyle,
        people: Vec<CasePerson>,
    ) -> Self {
        Self::for_texts(key, case_id, lang, style, people, &[])
    }

    /// Like [`Pseudonymiser::new`], knowing the texts it will be given: fake names then avoid
    /// every word of every name mentioned in them too (a fake "Karim" in a case that also
    /// speaks of an uncle Karim would read as a trace of him).
    pub fn for_texts(
        key: &'k PseudonymKey,
        case_id: &str,
        lang: Option<Lang>,
        style: NameStyle,
        people: Vec<CasePerson>,
        texts: &[String],
    ) -> Self {
        let detector = Detector::new(lang).with_known(people.iter().map(|p| p.known.clone()).collect());
        let person_words: Vec<Vec<String>> = people
            .iter()
            .map(|p| {
                p.known
                    .names
                    .iter()
                    .flat_map(|n| fold(n).split(' ').map(str::to_string).collect::<Vec<_>>())
                    .filter(|w| w.len() >= 2)
                    .collect()
            })
            .collect();
        // The given names are the words before the last of each name.
        let given_words = people
            .iter()
            .map(|p| {
                p.known
                    .names
                    .iter()
                    .flat_map(|n| {
                        let words: Vec<String> =
                            fold(n).split(' ').filter(|w| w.len() >= 2).map(str::to_string).collect();
                        let keep = words.len().saturating_sub(1).max(1);
                        words.into_iter().take(keep).collect::<Vec<_>>()
                    })
                    .collect()
            })
            .collect();
        // One shift for the whole case, between 30 and 365 days either way.
        let n = key.number(&["date-shift", case_id]);
        let magnitude = 30 + (n % 336) as i64;
        let offset_days = if (n >> 32) & 1 == 0 { magnitude } else { -magnitude };
        let mut forbidden: Vec<String> = person_words.iter().flatten().cloned().collect();
        for t in texts {
            let chars: Vec<char> = t.chars().collect();
            for span in detector.detect(t).into_iter().filter(|s| s.kind == Kind::Person) {
                let name: String = chars[span.start..span.end].iter().collect();
                forbidden.extend(fold(&name).split(' ').filter(|w| w.len() >= 2).map(str::to_string));
            }
        }
        forbidden.sort();
        forbidden.dedup();
        let mut p = Pseudonymiser {
            key,
            case_id: case_id.to_string(),
            style,
            detector,
            people,
            forbidden,
            person_words,
            given_words,
            stand_ins: FxHashMap::default(),
            role_counts: FxHashMap::default(),
            reversal: Vec::new(),
            offset_days,
        };
        // The case's people get their stand-ins in the order of the case, whatever order the
        // texts name them in: stable across rebuilds.
        for i in 0..p.people.len() {
            p.stand_in_for_person(i);
        }
        p
    }

    /// How many days the case's dates are shifted by.
    pub fn offset_days(&self) -> i64 {
        self.offset_days
    }

    fn stand_in_for_person(&mut self, i: usize) -> String {
        let cluster = format!("#{i}");
        if let Some(s) = self.stand_ins.get(&cluster) {
            return s.clone();
        }
        let role = self.people[i].role.to_uppercase();
        let n = {
            let c = self.role_counts.entry(role.clone()).or_insert(0);
            *c += 1;
            *c
        };
        let s = match self.style {
            NameStyle::Label => format!("[{role}-{n}]"),
            NameStyle::FakeName => {
                let given = self.people[i].known.names.first().cloned().unwrap_or_default();
                fake_name(self.key, &self.case_id, &cluster, &given, &self.people[i].sex, &self.forbidden)
            }
        };
        let original = self.people[i].known.names.join(" / ");
        self.reversal.push((s.clone(), original));
        self.stand_ins.insert(cluster, s.clone());
        s
    }

    fn stand_in_for_text(&mut self, text: &str) -> String {
        let words: Vec<String> = fold(text).split(' ').filter(|w| w.len() >= 2).map(str::to_string).collect();
        // One of the case's people, in any spelling: by a given name; by the family name only
        // when nothing else is said ("Mrs Gebre"), since relatives share it ("uncle Karim
        // Haddad" is not the child Mariam Haddad).
        let same = |k: &String, w: &String| {
            k == w
                || variants::are_variants(&joined(k), &joined(w))
                || (k.len() >= 4 && w.len() >= 4 && kinbridge_matching::similarity::jaro_winkler(k, w) >= 0.92)
        };
        let by_given = (0..self.people.len()).find(|&i| {
            let given = &self.given_words[i];
            words.iter().any(|w| given.iter().any(|k| same(k, w)))
        });
        let by_family_only = || {
            (0..self.people.len()).find(|&i| {
                let all = &self.person_words[i];
                let given = &self.given_words[i];
                words.iter().all(|w| all.iter().any(|k| same(k, w)) && !given.iter().any(|k| same(k, w)))
            })
        };
        let best = by_given.or_else(by_family_only);
        if let Some(i) = best {
            return self.stand_in_for_person(i);
        }
        let cluster = joined(&fold(text));
        if let Some(s) = self.stand_ins.get(&cluster) {
            return s.clone();
        }
        let n = {
            let c = self.role_counts.entry("PERSON".into()).or_insert(0);
            *c += 1;
            *c
        };
        let s = match self.style {
            NameStyle::Label => format!("[PERSON-{n}]"),
            NameStyle::FakeName => {
                let mut forbidden = self.forbidden.clone();
                forbidden.extend(fold(text).split(' ').map(str::to_string));
                fake_name(self.key, &self.case_id, &cluster, text, "", &forbidden)
            }
        };
        self.reversal.push((s.clone(), text.to_string()));
        self.stand_ins.insert(cluster, s.clone());
        s
    }

    /// Shifts a date by the case's offset; a date it cannot read becomes "[DATE]".
    pub fn shift_date(&self, raw: &str) -> String {
        match parse_date(raw) {
            Some(Parsed::Day(d)) => (d + Duration::days(self.offset_days)).format("%Y-%m-%d").to_string(),
            Some(Parsed::Year(y)) => {
                let shifted = NaiveDate::from_ymd_opt(y, 7, 1).map(|d| (d + Duration::days(self.offset_days)).year());
                shifted.map_or_else(|| "[DATE]".into(), |y| y.to_string())
            }
            None => "[DATE]".into(),
        }
    }

    /// The text with every person replaced by their stand-in, dates shifted, ages as bands,
    /// and other personal data as placeholders.
    pub fn text(&mut self, text: &str) -> String {
        let spans = self.detector.detect(text);
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for s in spans {
            out.extend(&chars[at..s.start]);
            let found: String = chars[s.start..s.end].iter().collect();
            let replacement = match s.kind {
                Kind::Person => self.stand_in_for_text(&found),
                Kind::Date => self.shift_date(&found),
                Kind::Age => age_band(&found),
                // Places are generalised: a country is kept, a town becomes its region (or its
                // country where the name says no more), anything else is withheld.
                Kind::Place if crate::is_country(&found) => found.clone(),
                Kind::Place => crate::places::generalise(&found)
                    .map_or_else(|| Kind::Place.placeholder().into(), |g| g.to_string()),
                other => other.placeholder().to_string(),
            };
            out.push_str(&replacement);
            at = s.end;
        }
        out.extend(&chars[at..]);
        out
    }

    /// Stand-in → original, for sealing with the key.
    pub fn reversal(&self) -> &[(String, String)] {
        &self.reversal
    }
}

/// A fake name of the culture and gender of `given` (as far as the generator's naming
/// cultures tell), chosen by the key: the same person always gets the same name.
fn fake_name(key: &PseudonymKey, case_id: &str, cluster: &str, given: &str, sex: &str, forbidden: &[String]) -> String {
    let first = joined(&fold(given.split_whitespace().next().unwrap_or("")));
    let cultures = kinbridge_lexicon::CULTURES;
    let mut pick = (0, sex == "female");
    for (i, c) in cultures.iter().enumerate() {
        let (male, female) = (c.male, c.female);
        if male.iter().any(|m| joined(&fold(m)) == first) {
            pick = (i, false);
            break;
        }
        if female.iter().any(|f| joined(&fold(f)) == first) {
            pick = (i, true);
            break;
        }
    }
    let (male, female, roots) = (cultures[pick.0].male, cultures[pick.0].female, cultures[pick.0].family);
    let givens = if pick.1 { female } else { male };
    // Patronymic cultures have no family-name roots: the father's given name stands in.
    let roots = if roots.is_empty() { male } else { roots };
    if givens.is_empty() || roots.is_empty() {
        return "[PERSON]".into();
    }
    // Never a word of a real name of the case (a fake "Tesfay" for a child whose family name
    // is Tesfay would give it back).
    let allowed = |w: &&str| {
        let k = joined(&fold(w));
        k != first && !forbidden.iter().any(|f| joined(f) == k || variants::are_variants(&joined(f), &k))
    };
    let n = key.number(&["fake-name", case_id, cluster]);
    let pick_from = |list: &[&'static str], start: u64| -> Option<&'static str> {
        (0..list.len() as u64).map(|i| list[((start + i) % list.len() as u64) as usize]).find(allowed)
    };
    match (pick_from(givens, n), pick_from(roots, n >> 20)) {
        (Some(g), Some(f)) if g != f => format!("{g} {f}"),
        _ => "[PERSON]".into(),
    }
}

/// An age as a band: "12 ans" → "[AGE 10-14]".
pub fn age_band(raw: &str) -> String {
    let digits: String = raw.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    match digits.parse::<u32>() {
        Ok(a) if a < 5 => "[AGE 0-4]".into(),
        Ok(a) if a < 10 => "[AGE 5-9]".into(),
        Ok(a) if a < 15 => "[AGE 10-14]".into(),
        Ok(a) if a < 18 => "[AGE 15-17]".into(),
        Ok(a) if a < 25 => "[AGE 18-24]".into(),
        Ok(a) if a < 60 => format!("[AGE {}-{}]", a / 10 * 10, a / 10 * 10 + 9),
        Ok(_) => "[AGE 60+]".into(),
        Err(_) => "[AGE]".into(),
    }
}

enum Parsed {
    Day(NaiveDate),
    Year(i32),
}

const MONTHS: [(&str, u32); 40] = [
    ("jan", 1),
    ("feb", 2),
    ("fev", 2),
    ("mar", 3),
    ("apr", 4),
    ("avr", 4),
    ("abr", 4),
    ("may", 5),
    ("mai", 5),
    ("mag", 5),
    ("jun", 6),
    ("juin", 6),
    ("giu", 6),
    ("jul", 7),
    ("juil", 7),
    ("lug", 7),
    ("aug", 8),
    ("aou", 8),
    ("ago", 8),
    ("sep", 9),
    ("set", 9),
    ("oct", 10),
    ("okt", 10),
    ("ott", 10),
    ("nov", 11),
    ("dec", 12),
    ("dic", 12),
    ("dez", 12),
    ("gen", 1),
    ("ene", 1),
    ("marz", 3),
    ("maerz", 3),
    ("janv", 1),
    ("fevr", 2),
    ("febr", 2),
    ("giug", 6),
    ("lugl", 7),
    ("sett", 9),
    ("otto", 10),
    ("dice", 12),
];

fn month(word: &str) -> Option<u32> {
    let w = fold(word);
    if w.len() < 3 {
        return None;
    }
    // The longest known prefix decides ("juil" before "jui").
    MONTHS.iter().filter(|(p, _)| w.starts_with(p)).max_by_key(|(p, _)| p.len()).map(|(_, m)| *m)
}

fn parse_date(raw: &str) -> Option<Parsed> {
    let words: Vec<&str> = raw.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let nums: Vec<i32> = words.iter().filter_map(|w| w.parse().ok()).collect();
    let named = words.iter().find_map(|w| if w.parse::<i32>().is_err() { month(w) } else { None });
    let year = nums.iter().copied().find(|n| *n >= 1900 && *n <= 2100);
    match (named, year) {
        (Some(m), Some(y)) => {
            let day = nums.iter().copied().find(|n| (1..=31).contains(n)).unwrap_or(1) as u32;
            NaiveDate::from_ymd_opt(y, m, day).map(Parsed::Day)
        }
        (None, Some(y)) if nums.len() == 3 => {
            let others: Vec<i32> = nums.iter().copied().filter(|n| *n != y).collect();
            let (a, b) = (*others.first()?, *others.get(1).unwrap_or(&others[0]));
            // Year first: ISO order; otherwise day before month, as in the five languages.
            let (m, d) = if nums[0] == y { (a, b) } else { (b, a) };
            NaiveDate::from_ymd_opt(y, m as u32, d as u32)
                .or_else(|| NaiveDate::from_ymd_opt(y, d as u32, m as u32))
                .map(Parsed::Day)
        }
        (None, Some(y)) if nums.len() == 1 => Some(Parsed::Year(y)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PseudonymKey {
        PseudonymKey::from_hex(&"ab".repeat(32)).unwrap()
    }

    fn people() -> Vec<CasePerson> {
        vec![
            CasePerson {
                role: "child".into(),
                sex: "male".into(),
                known: KnownPerson {
                    names: vec!["Amanuel Tesfay".into()],
                    birth_dates: vec!["2012-03-04".into()],
                    identifiers: vec![],
                },
            },
            CasePerson {
                role: "mother".into(),
                sex: "female".into(),
                known: KnownPerson { names: vec!["Selam Gebre".into()], ..Default::default() },
            },
        ]
    }

    #[test]
    fn the_same_person_is_the_same_stand_in_in_any_spelling() {
        let k = key();
        let mut p = Pseudonymiser::new(&k, "case-1", Some(Lang::En), NameStyle::Label, people());
        let out = p.text(
            "Selam Gebre called about Amanuel Tesfay, born 4 March 2012. Later amanuel tesfaye and his mother Selam met Dr. Olsen, then Olsen again. He is 14 years old. They left Eritrea for Mekelle.",
        );
        assert!(out.starts_with("[MOTHER-1] called about [CHILD-1], born "), "{out}");
        assert_eq!(out.matches("[CHILD-1]").count(), 2, "{out}");
        assert_eq!(out.matches("[MOTHER-1]").count(), 2, "{out}");
        assert_eq!(out.matches("[PERSON-1]").count(), 2, "{out}");
        assert!(out.contains("[AGE 10-14]"), "{out}");
        assert!(
            out.contains("left Eritrea for [Tigray, Ethiopia]"),
            "the country stays, the town becomes its region: {out}"
        );
        assert!(!out.contains("2012-03-04") && !out.contains("March 2012"), "{out}");
        // Intervals are kept: two dates ten days apart stay ten days apart.
        let a = NaiveDate::parse_from_str(&p.shift_date("2020-01-01"), "%Y-%m-%d").unwrap();
        let b = NaiveDate::parse_from_str(&p.shift_date("11/01/2020"), "%Y-%m-%d").unwrap();
        assert_eq!((b - a).num_days(), 10);
        assert!(p.offset_days().abs() >= 30);
    }

    #[test]
    fn a_fake_name_never_reuses_a_real_name_of_the_case() {
        // Over many keys: in the Eritrean naming culture "Tesfay" is a given name too.
        for i in 0..300u32 {
            let k = PseudonymKey::from_hex(&format!("{:064x}", u128::from(i) * 0x9e37_79b9_7f4a_7c15)).unwrap();
            let mut p = Pseudonymiser::new(&k, "case-1", Some(Lang::En), NameStyle::FakeName, people());
            let out = p.text("Amanuel Tesfay lives with Selam Gebre.").to_lowercase();
            let words: Vec<&str> = out.split(|c: char| !c.is_alphanumeric()).collect();
            for real in ["amanuel", "tesfay", "selam", "gebre"] {
                assert!(!words.contains(&real), "key {i}: {out}");
            }
        }
    }

    #[test]
    fn a_fake_name_avoids_the_other_names_the_texts_mention() {
        // A Syrian family: fake names come from the same naming culture, where the uncle's and
        // the aunt's names are common too.
        let family = vec![
            CasePerson {
                role: "child".into(),
                sex: "male".into(),
                known: KnownPerson { names: vec!["Omar Nasser".into()], ..Default::default() },
            },
            CasePerson {
                role: "mother".into(),
                sex: "female".into(),
                known: KnownPerson { names: vec!["Huda Nasser".into()], ..Default::default() },
            },
        ];
        let texts = vec!["Omar lives with his uncle Karim Saleh and his aunt Aisha Hamdan; Huda visits.".to_string()];
        let mut clashes_without = 0;
        for i in 0..300u32 {
            let k = PseudonymKey::from_hex(&format!("{:064x}", u128::from(i) * 0x9e37_79b9_7f4a_7c15 + 7)).unwrap();
            let mut p =
                Pseudonymiser::for_texts(&k, "case-1", Some(Lang::En), NameStyle::FakeName, family.clone(), &texts);
            let out = p.text(&texts[0]).to_lowercase();
            let words: Vec<&str> = out.split(|c: char| !c.is_alphanumeric()).collect();
            for real in ["omar", "nasser", "huda", "karim", "saleh", "aisha", "hamdan"] {
                assert!(!words.contains(&real), "key {i}: {out}");
            }
            // Without the texts, the same keys do draw the relatives' names now and then: the
            // check above is not empty.
            let mut blind = Pseudonymiser::new(&k, "case-1", Some(Lang::En), NameStyle::FakeName, family.clone());
            let out = blind.text(&texts[0]).to_lowercase();
            let words: Vec<&str> = out.split(|c: char| !c.is_alphanumeric()).collect();
            clashes_without += ["karim", "saleh", "aisha", "hamdan"].iter().filter(|w| words.contains(w)).count();
        }
        assert!(clashes_without > 0);
    }

    #[test]
    fn stand_ins_are_stable_and_reversible_only_with_the_key() {
        let k = key();
        let text = "Amanuel Tesfay lives with Selam Gebre.";
        let mut a = Pseudonymiser::new(&k, "case-1", Some(Lang::En), NameStyle::FakeName, people());
        let mut b = Pseudonymiser::new(&k, "case-1", Some(Lang::En), NameStyle::FakeName, people());
        let (x, y) = (a.text(text), b.text(text));
        assert_eq!(x, y, "the same key and case give the same text");
        assert!(!x.contains("Amanuel") && !x.contains("Selam") && !x.contains("Tesfay"), "{x}");
        let other = Pseudonymiser::new(&k, "case-2", Some(Lang::En), NameStyle::FakeName, people()).text(text);
        assert_ne!(x, other, "another case, other stand-ins");
        let sealed = k.seal(a.reversal());
        assert_eq!(k.unseal(&sealed).unwrap(), a.reversal());
        let wrong = PseudonymKey::from_hex(&"cd".repeat(32)).unwrap();
        assert_eq!(wrong.unseal(&sealed), Err(KeyError::WrongKey));
        assert_eq!(PseudonymKey::from_hex("abc").unwrap_err(), KeyError::Malformed);
    }
}
