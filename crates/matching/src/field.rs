//! Fields of a person record by role, their prepared (folded, keyed) values, and how two values
//! of the same role agree, as an ordered list of levels (best first).

use crate::date::{self, DateAgreement, FuzzyDate};
use crate::normalize::{digits, fold, joined};
use crate::{phonetic, similarity, variants};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    GivenName,
    FamilyName,
    FullName,
    BirthDate,
    Sex,
    Place,
    Address,
    StreetNumber,
    Postcode,
    Region,
    IdNumber,
    Phone,
    ParentName,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::GivenName,
        Role::FamilyName,
        Role::FullName,
        Role::BirthDate,
        Role::Sex,
        Role::Place,
        Role::Address,
        Role::StreetNumber,
        Role::Postcode,
        Role::Region,
        Role::IdNumber,
        Role::Phone,
        Role::ParentName,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::GivenName => "given_name",
            Role::FamilyName => "family_name",
            Role::FullName => "full_name",
            Role::BirthDate => "birth_date",
            Role::Sex => "sex",
            Role::Place => "place",
            Role::Address => "address",
            Role::StreetNumber => "street_number",
            Role::Postcode => "postcode",
            Role::Region => "region",
            Role::IdNumber => "id_number",
            Role::Phone => "phone",
            Role::ParentName => "parent_name",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Recognises a column by its common names in English, French, Spanish and German
    /// ("surname", "date_of_birth", "prénom", "fecha_nacimiento", "PLZ", ...).
    pub fn guess(column: &str) -> Option<Role> {
        let c: String = fold(column).chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let role = match c.as_str() {
            "givenname" | "firstname" | "forename" | "given" | "first" | "prenom" | "prenoms" | "nombre"
            | "nombres" | "vorname" | "nome" => Role::GivenName,
            "familyname" | "surname" | "lastname" | "last" | "family" | "nom" | "nomdefamille" | "apellido"
            | "apellidos" | "nachname" | "familienname" | "cognome" => Role::FamilyName,
            "fullname" | "name" | "nomcomplet" | "nombrecompleto" | "personname" => Role::FullName,
            "birthdate" | "dateofbirth" | "dob" | "born" | "datenaissance" | "datedenaissance" | "fechanacimiento"
            | "fechadenacimiento" | "geburtsdatum" | "datadinascita" => Role::BirthDate,
            "sex" | "gender" | "sexe" | "genre" | "sexo" | "genero" | "geschlecht" | "sesso" => Role::Sex,
            "place" | "city" | "town" | "suburb" | "locality" | "village" | "birthplace" | "placeofbirth"
            | "lastseenplace" | "lieu" | "ville" | "ciudad" | "localidad" | "ort" | "stadt" | "citta" => Role::Place,
            "address" | "address1" | "address2" | "addressline1" | "addressline2" | "street" | "adresse"
            | "direccion" | "domicilio" | "strasse" | "indirizzo" => Role::Address,
            "streetnumber" | "housenumber" | "numero" | "hausnummer" => Role::StreetNumber,
            "postcode" | "postalcode" | "zip" | "zipcode" | "codepostal" | "cp" | "codigopostal" | "plz" | "cap" => {
                Role::Postcode
            }
            "region" | "state" | "province" | "county" | "district" | "departement" | "provincia" | "bundesland" => {
                Role::Region
            }
            "idnumber" | "socsecid" | "ssn" | "nationalid" | "passport" | "passportnumber" | "documentnumber"
            | "nationalidnumber" | "registrationnumber" => Role::IdNumber,
            "phone" | "telephone" | "mobile" | "tel" | "phonenumber" | "telefono" | "telefon" => Role::Phone,
            "parentname" | "mothername" | "fathername" | "mother" | "father" | "mothersname" | "fathersname" => {
                Role::ParentName
            }
            _ => return None,
        };
        Some(role)
    }

    /// Labels of the agreement levels of this role, best first, excluding "null".
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Role::GivenName | Role::FamilyName | Role::FullName | Role::ParentName => {
                &["exact", "variant or phonetic", "jaro-winkler >= 0.92", "jaro-winkler >= 0.80", "different"]
            }
            Role::BirthDate => &[
                "exact",
                "one typo or day/month swap",
                "within a month",
                "within a year",
                "within ten years",
                "different",
            ],
            Role::Sex | Role::StreetNumber => &["exact", "different"],
            Role::Place | Role::Address | Role::Region => {
                &["exact", "jaro-winkler >= 0.90", "a shared word", "different"]
            }
            Role::Postcode | Role::IdNumber | Role::Phone => &["exact", "one edit", "two edits", "different"],
        }
    }

    /// Whether an exact agreement weighs less for frequent values (common names, the postcode
    /// of a big town).
    pub fn term_frequency(self) -> bool {
        matches!(self, Role::GivenName | Role::FamilyName | Role::FullName | Role::StreetNumber | Role::Postcode)
    }

    fn is_name(self) -> bool {
        matches!(self, Role::GivenName | Role::FamilyName | Role::FullName | Role::ParentName)
    }
}

/// A name folded and keyed once, compared many times.
#[derive(Debug, Clone)]
pub struct Name {
    /// Folded without spaces ("abdelrahman").
    pub joined: Box<str>,
    pub key: Box<str>,
    pub groups: &'static [u32],
    /// Folded words with their phonetic keys, when there is more than one word.
    pub words: Box<[(Box<str>, Box<str>)]>,
}

#[derive(Debug, Clone)]
pub struct Text {
    pub folded: Box<str>,
    /// The longest word, for blocking on addresses.
    pub main_word: Box<str>,
}

/// One field of one record, ready for comparison.
#[derive(Debug, Clone)]
pub enum Value {
    Missing,
    Name(Name),
    Date(FuzzyDate),
    Text(Text),
    Code(Box<str>),
}

impl Value {
    pub fn prepare(role: Role, raw: &str, reference_year: i32) -> Value {
        let raw = raw.trim();
        if raw.is_empty() {
            return Value::Missing;
        }
        match role {
            r if r.is_name() => {
                let folded = fold(raw);
                if folded.is_empty() {
                    return Value::Missing;
                }
                let joined_name = joined(&folded);
                let words: Box<[(Box<str>, Box<str>)]> = if folded.contains(' ') {
                    folded.split(' ').map(|w| (Box::from(w), phonetic::key(w).into_boxed_str())).collect()
                } else {
                    Box::new([])
                };
                Value::Name(Name {
                    key: phonetic::key(&joined_name).into_boxed_str(),
                    groups: variants::groups(&joined_name),
                    joined: joined_name.into_boxed_str(),
                    words,
                })
            }
            Role::BirthDate => FuzzyDate::parse(raw, reference_year).map_or(Value::Missing, Value::Date),
            Role::Sex => match fold(raw).chars().next() {
                Some('m' | 'h' | 'b') => Value::Code("m".into()),
                Some('f' | 'w' | 'g') => Value::Code("f".into()),
                _ => Value::Missing,
            },
            Role::Phone => {
                let d = digits(raw);
                let tail = &d[d.len().saturating_sub(9)..];
                if tail.len() < 5 {
                    Value::Missing
                } else {
                    Value::Code(tail.into())
                }
            }
            Role::Postcode | Role::IdNumber | Role::StreetNumber => {
                let j = joined(&fold(raw));
                if j.is_empty() {
                    Value::Missing
                } else {
                    Value::Code(j.into_boxed_str())
                }
            }
            _ => {
                let folded = fold(raw);
                if folded.is_empty() {
                    return Value::Missing;
                }
                let main_word = folded.split(' ').max_by_key(|w| w.len()).unwrap_or("").into();
                Value::Text(Text { folded: folded.into_boxed_str(), main_word })
            }
        }
    }

    /// The string whose frequency adjusts an exact agreement.
    pub fn tf_key(&self) -> Option<&str> {
        match self {
            Value::Name(n) => Some(&n.joined),
            Value::Code(c) => Some(c),
            Value::Text(t) => Some(&t.folded),
            _ => None,
        }
    }

    pub fn name(&self) -> Option<&Name> {
        match self {
            Value::Name(n) => Some(n),
            _ => None,
        }
    }
}

/// Agreement level of two values of `role`: 0 when either is missing, otherwise 1 (the best)
/// up to `role.levels().len()`.
pub fn compare(role: Role, a: &Value, b: &Value) -> u8 {
    match (a, b) {
        (Value::Name(a), Value::Name(b)) => compare_names(role, a, b),
        (Value::Date(a), Value::Date(b)) => match date::compare(a, b) {
            DateAgreement::Exact => 1,
            DateAgreement::Typo => 2,
            DateAgreement::WithinMonth => 3,
            DateAgreement::WithinYear => 4,
            DateAgreement::WithinTenYears => 5,
            DateAgreement::Different => 6,
        },
        (Value::Text(a), Value::Text(b)) => {
            if a.folded == b.folded {
                1
            } else if similarity::jaro_winkler_from(&a.folded, &b.folded, 0.90) >= 0.90 {
                2
            } else if a.folded.split(' ').any(|w| w.len() >= 3 && b.folded.split(' ').any(|v| v == w)) {
                3
            } else {
                4
            }
        }
        (Value::Code(a), Value::Code(b)) => {
            if a == b {
                return 1;
            }
            if matches!(role, Role::Sex | Role::StreetNumber) {
                return 2;
            }
            match similarity::edit_distance(a, b, 2) {
                1 => 2,
                2 => 3,
                _ => 4,
            }
        }
        _ => 0,
    }
}

fn compare_names(role: Role, a: &Name, b: &Name) -> u8 {
    if a.joined == b.joined {
        return 1;
    }
    let multi = !a.words.is_empty() || !b.words.is_empty();
    if multi && role != Role::GivenName && role != Role::FamilyName && same_words(a, b) {
        return 1;
    }
    let variant = |x: &str, kx: &str, y: &str, ky: &str| (kx.len() >= 2 && kx == ky) || variants::are_variants(x, y);
    let same_group = !a.groups.is_empty() && b.groups.iter().any(|g| a.groups.contains(g));
    if (a.key.len() >= 2 && a.key == b.key) || same_group || (multi && words_all_known(a, b, &variant)) {
        return 2;
    }
    let mut jw = similarity::jaro_winkler_from(&a.joined, &b.joined, 0.80);
    if multi {
        jw = jw.max(word_similarity(a, b));
    }
    if jw >= 0.92 {
        3
    } else if jw >= 0.80 {
        4
    } else {
        5
    }
}

fn words(n: &Name) -> Vec<(&str, &str)> {
    if n.words.is_empty() {
        vec![(&n.joined, &n.key)]
    } else {
        n.words.iter().map(|(w, k)| (&**w, &**k)).collect()
    }
}

/// The same words in another order ("Wang Xiao" / "Xiao Wang").
fn same_words(a: &Name, b: &Name) -> bool {
    let (mut wa, mut wb): (Vec<&str>, Vec<&str>) =
        (words(a).into_iter().map(|w| w.0).collect(), words(b).into_iter().map(|w| w.0).collect());
    wa.sort_unstable();
    wb.sort_unstable();
    wa == wb
}

/// Every word of the shorter name is, in the other, the same word, a known variant or a
/// phonetic match.
fn words_all_known(a: &Name, b: &Name, variant: &dyn Fn(&str, &str, &str, &str) -> bool) -> bool {
    let (wa, wb) = (words(a), words(b));
    let covered = |short: &[(&str, &str)], long: &[(&str, &str)]| {
        short.iter().all(|(w, k)| long.iter().any(|(v, kv)| w == v || variant(w, k, v, kv)))
    };
    // Symmetric: with as many words on each side, either side may be the one covered.
    (wa.len() <= wb.len() && covered(&wa, &wb)) || (wb.len() <= wa.len() && covered(&wb, &wa))
}

/// Mean, over the words of the shorter name, of the best Jaro-Winkler against the other
/// (with as many words on each side, the better of the two directions).
fn word_similarity(a: &Name, b: &Name) -> f64 {
    let (wa, wb) = (words(a), words(b));
    let mean_best = |short: &[(&str, &str)], long: &[(&str, &str)]| {
        let total: f64 = short
            .iter()
            .map(|(w, _)| long.iter().map(|(v, _)| similarity::jaro_winkler_from(w, v, 0.5)).fold(0.0, f64::max))
            .sum();
        total / short.len().max(1) as f64
    };
    match wa.len().cmp(&wb.len()) {
        std::cmp::Ordering::Less => mean_best(&wa, &wb),
        std::cmp::Ordering::Greater => mean_best(&wb, &wa),
        std::cmp::Ordering::Equal => mean_best(&wa, &wb).max(mean_best(&wb, &wa)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(role: Role, a: &str, b: &str) -> &'static str {
        let (va, vb) = (Value::prepare(role, a, 2026), Value::prepare(role, b, 2026));
        match compare(role, &va, &vb) {
            0 => "null",
            l => role.levels()[l as usize - 1],
        }
    }

    #[test]
    fn names_across_scripts_and_orders() {
        assert_eq!(cmp(Role::GivenName, "Mohammed", "MOHAMMED"), "exact");
        assert_eq!(cmp(Role::GivenName, "Muhammad", "محمد"), "variant or phonetic");
        assert_eq!(cmp(Role::GivenName, "Yohannes", "Yuhanna"), "variant or phonetic");
        assert_eq!(cmp(Role::FamilyName, "Shevchenko", "Шевченко"), "exact");
        assert_eq!(cmp(Role::FamilyName, "Painter", "Paintre"), "variant or phonetic");
        assert_eq!(cmp(Role::FamilyName, "Howie", "Howise"), "jaro-winkler >= 0.92");
        assert_eq!(cmp(Role::FullName, "Wang Xiaoming", "王小明"), "exact");
        assert_eq!(cmp(Role::FullName, "Tesfay Gebre Yohannes", "Yohannes Tesfaye"), "variant or phonetic");
        assert_eq!(cmp(Role::GivenName, "Michaela", ""), "null");
        assert_eq!(cmp(Role::GivenName, "Michaela", "Bob"), "different");
    }

    #[test]
    fn codes_and_texts() {
        assert_eq!(cmp(Role::IdNumber, "5304218", "5304281"), "one edit");
        assert_eq!(cmp(Role::Phone, "+41 79 123 45 67", "079 123 45 67"), "exact");
        assert_eq!(cmp(Role::Sex, "F", "female"), "exact");
        assert_eq!(cmp(Role::Address, "stanley street", "stanley setreet"), "jaro-winkler >= 0.90");
        assert_eq!(cmp(Role::BirthDate, "19151111", "1915-11-11"), "exact");
    }

    #[test]
    fn guesses_common_column_names() {
        assert_eq!(Role::guess("surname"), Some(Role::FamilyName));
        assert_eq!(Role::guess("Date of birth"), Some(Role::BirthDate));
        assert_eq!(Role::guess("soc_sec_id"), Some(Role::IdNumber));
        assert_eq!(Role::guess("Prénom"), Some(Role::GivenName));
        assert_eq!(Role::guess("address_1"), Some(Role::Address));
        assert_eq!(Role::guess("rec_id"), None);
    }
}
