//! Personal data with a shape: e-mail, URL, IP address, IBAN (mod-97 checked), card numbers
//! (Luhn checked), phone numbers, dates and ages in five languages, street addresses, identity
//! and case reference numbers.

use std::sync::LazyLock;

use regex::Regex;

use crate::{Hit, Kind, Lang};

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|\
jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|\
janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|\
janv|févr|fevr|avr|juil|déc|\
enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|\
ene|abr|ago|dic|\
januar|jänner|februar|märz|maerz|juni|juli|oktober|dezember|\
gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|\
genn|febbr|magg|giu|lug|sett|ott|dic";

const WEEKDAYS: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|\
lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|\
lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|\
montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|\
lunedì|lunedi|martedì|martedi|mercoledì|mercoledi|giovedì|giovedi|venerdì|venerdi|sabato|domenica";

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| re(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"));
static URL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?:https?|ftp)://|www\.)[^\s<>\x22]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|info|biz|edu|gov|int|io|co|uk|de|fr|es|it|ch|be|nl|at|pt|ru|ua|ke|et|er|so|sy|iq|af|ng|gh|sn|ma|tn|dz|eg|br|ar|mx|cl|pe|vn|cn|in|jp|au|ca|us)(?:/[^\s<>\x22]*)?\b",
    )
});
static IPV4: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b"));
static IPV6: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?\b|::(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}\b)",
    )
});
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b"));
static CARD: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d(?:[ -]?\d){11,18}\b"));
/// Words that say a number is a card number ("card", "cc", "carte", "tarjeta", "Karte", "carta").
static CARD_CUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:card|cc|carte|tarjeta|karte|carta|visa|mastercard|amex|maestro)\b"));
/// An age said without a unit: "just turned 25", "when he was 70".
static AGE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:turned|turn|turns|turning|(?:he|she|i|they)\s+(?:was|is|am|were)|age\s+of|aged|âgée?\s+de|a\s+los|all'età\s+di|im\s+alter\s+von|mit)\s+(\d{1,3})\b",
    )
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?x)
        (?:\+|\b00)\d{1,3}[\s.-]?(?:\(0?\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{1,4}){1,4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b
      | (?:\b1[\s.-])?\(\d{3}\)[\s.-]?\d{3}[\s.-]?\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b
      | \b\d{3}[.-]\d{3}[.-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b
      | \b0\d(?:[\s.]\d{2}){4}\b
      | \b0\d{2,4}[\s/-]\d{3,8}(?:[\s-]\d{2,5})?\b
      | \b[6-9]\d{2}(?:\s\d{2}){3}\b
      | \b[6-9]\d{2}\s\d{3}\s\d{3}\b
    ")
});
/// Digits grouped like a phone number without an international prefix ("06-82237745",
/// "(07700)553419", "730 064 218"): less certain than the formats above.
static PHONE_LOOSE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\(\d{2,5}\)\s?|\b\d{2,5}[\s.-])\d{2,8}(?:[\s.-]\d{2,6}){0,3}\b"));
/// Digits labelled as a phone number after them ("9380 6377 office", "67 501 36 56-Office",
/// "8701250349 fax"), as in contact blocks.
static PHONE_BEFORE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"((?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)\s?)?\d{2,15}(?:[\s.\-/]\d{1,5}){0,5})[\s-]?(?i:office|fax|mobile|cell|home|work|bureau|portable|móvil|movil|oficina)\b",
    )
});
/// A national number written without spaces ("0434164231"): ten digits after a trunk 0.
static PHONE_BARE: LazyLock<Regex> = LazyLock::new(|| re(r"\b0[1-9]\d{8}\b"));
/// Digits said to be a phone number ("call 61 60 34", "Mobile: 794 1672", "messages to 469
/// 2020", "joignable au 0689145211"): any grouping, six to fifteen digits.
static PHONE_AFTER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)
        \b(?:call|calling|called|phone|phoned|telephone|tel|mobile|cell|cellphone|fax|desk|reach\s+(?:me|us|him|her)\s+(?:at|on)|sms|whatsapp|messages?\s+to|registered|answering\s+at|dial|
           téléphone|telephone|portable|joignable\s+au|appelé\s+depuis\s+le|appelée\s+depuis\s+le|appeler\s+au|au\s+numéro|
           teléfono|telefono|móvil|movil|celular|llamar\s+al|llamó\s+desde\s+el|
           telefon|handy|anrufen|cellulare|chiamare\s+al)
        \.?\s*(?:number|no\.?|nr\.?|n[º°o]\.?|numéro|número|numero|nummer)?\s*[:\-]?\s*
        ((?:\+|\(\d{1,4}\)\s?)?\d{2,15}(?:[\s.\-/]\d{2,5}){0,4})\b
    ")
});
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?ix)
        \b(?:(?:{WEEKDAYS}),?\s+)?(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th|er|º|°|\.)?\s+(?:de\s+|of\s+)?(?:{MONTHS})\.?(?:,?\s+(?:de\s+|del\s+)?\d{{2,4}})?\b
      | \b(?:(?:{WEEKDAYS}),?\s+)?(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b
      | \b(?:{MONTHS})\.?\s+(?:de\s+|del\s+)?\d{{4}}\b
      | \b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b
      | \b\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})\b
      | \b\d{{4}}/\d{{1,2}}/\d{{1,2}}\b
      | \b(?:in|en|im|nel|née?|nacid[oa]|geboren|nato|nata|born|since|depuis|desde|seit|dal)\s+(?:\d{{1,2}}\s+)?(?:{MONTHS}\s+)?(?:19|20)\d{{2}}\b
      | \b(?:{WEEKDAYS})\b
    "
    ))
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:[01]?\d|2[0-3])[:h][0-5]\d(?:\s?[ap]\.?m\.?)?\b|\b(?:1[0-2]|0?[1-9])\s?[ap]\.?m\.?\b")
});
static AGE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)
        \b\d{1,3}[\s-]?(?:years?|yrs?|year-old|months?)[\s-]?old\b
      | \b\d{1,3}[\s-]year[\s-]old\b
      | \b(?:aged?|âgée?|agé|edad|età|alter|age)\s*(?:of|de|:|di|von)?\s*\d{1,3}\b
      | \b\d{1,3}\s?(?:ans|años|anos|jahre|jährig|jaehrig|anni|yo|y/o|y\.o\.)\b
      | \b(?:de|di)\s+\d{1,3}\s+(?:ans|años|anni)\b
    ")
});
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?x)
        \b\d{1,5}[a-zA-Z]?,?\s+(?i:rue|avenue|av\.|boulevard|bd|chemin|ch\.|place|pl\.|impasse|allée|allee|route|rte|quai|cours|passage|square|voie|sentier|rond-point|faubourg|calle|c/|c\.|avenida|avda\.?|plaza|paseo|camino|carrera|ronda|travesía|travesia|vial|rambla|callejón|callejon|alameda|cañada|canada|pasadizo|pasaje|glorieta|urbanización|urbanizacion|cuesta|acceso|carretera|via|viale|piazza|piazzale|corso|vicolo|largo|strada|contrada|borgo|rua|travessa|praça|praca|largo|estrada|avenida)\b\.?(?:\s+(?:de|du|des|de\s+la|del|de\s+los|della|dei|di|le|la|les)\b)?(?:\s+[\p{Lu}\d][\p{L}\d'’\.-]*){1,4}
      | \b(?i:rue|avenue|boulevard|bd|chemin|place|impasse|allée|allee|route|rte|quai|cours|passage|square|voie|sentier|rond-point|faubourg|calle|avenida|plaza|paseo|camino|carrera|ronda|travesía|travesia|vial|rambla|callejón|callejon|alameda|cañada|canada|pasadizo|pasaje|glorieta|urbanización|urbanizacion|cuesta|acceso|carretera|via|viale|piazza|piazzale|corso|vicolo|largo|strada|contrada|borgo|rua|travessa|praça|praca|largo|estrada|avenida|c\.)(?:\s|\b)(?:\s+(?:de|du|des|de\s+la|del|de\s+los|della|dei|di|le|la|les)\b)?(?:\s+[\p{Lu}][\p{L}'’\.-]*){1,4},?\s+(?:n[º°o]\.?\s*)?\d{1,5}[a-zA-Z]?\b
      | \b\d{1,6}[a-zA-Z]?\s+(?:\d{1,5}\s+)?(?:[\p{Lu}][\p{L}'’\.-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl|Terrace|Ter|Circle|Cir|Square|Sq|Parkway|Pkwy|Highway|Hwy|Trail|Crescent|Close|Grove|Gardens|Walk|Row|Hill|Park|Loop|Pike|Ridge|Run|Path|Plaza|Alley|Heights|Mews)\b\.?(?:,?\s+(?:Apt\.?|Suite|Unit|Flat|\#)\s*\w+)?
      | \b[\p{Lu}][\p{L}-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|steig|chaussee|straat|plaats|laan|gracht|vägen|gatan|vej|veien|gata|tie|katu|polku|utca|ulica|cesta|ulice)\s+\d{1,4}[a-zA-Z]?\b
      | \b(?:ul\.|ulica|al\.|os\.|R\.?|Rua|Av\.|Bairro|Travessa|Largo|Calle|C/)\s+(?:[\p{Lu}][\p{L}'’.-]*\s+){0,4}[\p{Lu}][\p{L}'’.-]*\s+\d{1,5}[a-zA-Z]?\b
      | (?:\b[\p{Lu}][\p{L}'’.-]*\s+){1,3}(?:út|utca|tér|körút)\s+\d{1,5}\b
      | (?:\b[\p{Lu}][\p{L}'’-]*\s+){1,3}(?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Lane|Drive|Row|Terrace|Boulevard|Blvd\.|Way|Square|Crescent|Close|Grove|Gardens|Mews|Parkway|Radial)(?:\b|\.)
      | \b(?:Apt\.?|Suite|Unit|Flat|Box|P\.?O\.?\s?Box)\s+\#?\d+\w*\b
    ")
});
/// A number, a street's name and a house number, inline: "7924 Dosseringen 83", "774 Erbenova
/// 1334", "1173 Via Palermo 137" (the first number is checked not to be a year).
static NUMBERED_STREET: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(\d{1,6})\s+(?:\d{1,5}\s+)?[\p{Lu}][\p{L}'’.-]+(?:\s+(?:[\p{Lu}][\p{L}'’.-]*|gate|ulica|utca|tie|vej|veien|gata|gade|straße|strasse|de|do|da|dos|das|del|di|du|des|la|le|van|der|den|y|e)){0,3}\s+\d{1,5}[a-zA-Z]?\b",
    )
});
/// "The corner of" two streets, both named: "the corner of 50 Point Walter Road and Kishiev
/// Avenue".
static CORNER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i:the\s+corner\s+of)\s+[^\n,;?!]{3,80}?\s+and\s+[\p{Lu}\d][\p{L}\d'’-]*(?:\s+[\p{Lu}\d][\p{L}\d'’-]*){0,4}")
});
/// A line that is a house number and capitalised words: the street line of an address block.
static STREET_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^[ \t]*\d{1,6}[a-zA-Z]?[ \t]+[\p{Lu}][\p{L}'’.-]*(?:[ \t]+[\p{Lu}\d][\p{L}\d'’.-]*){0,5}[ \t]*$")
});
/// Military and forces addresses (as in US address blocks).
static FORCES_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:PSC|Unit|CMR)\s+\d{1,5},?\s+Box\s+\d{1,5}\b|\b(?:USNS|USNV|USS|USCGC)\s+[A-Z][a-z]+\b|\b(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5}\b",
    )
});
/// What follows a street on the same line: floor and door, the town and country ("Suite 842
/// GRASSE France"), then ", Town", ", Region", ", 12345".
static ADDRESS_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:[ \t]+(?:(?i:piso|puerta|planta|escalera|esc\.|étage|etage|bât\.?|bâtiment|apt\.?|apartment|suite|unit|flat|interno|int\.|scala|stock|whg\.?)[ \t]*\#?\w+|[\p{Lu}\d][\p{L}\d'’.-]*)){0,6}(?:[ \t]*,[ \t]*(?:\d{4,5}(?:[ \t]+[\p{Lu}][\p{L}'’.-]*)*|[\p{Lu}][\p{L}'’.-]*(?:[ \t]+(?:(?:de|del|la|las|los|el|di|du|des|le|sur|am|an|der)[ \t]+)?[\p{Lu}\d][\p{L}\d'’.-]*)*))*",
    )
});
/// A postcode after its cue ("ZIP: 32700", "code postal 75011").
static POSTCODE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:zip|zip\s+code|postcode|post\s+code|postal\s+code|code\s+postal|c\.p\.|código\s+postal|codigo\s+postal|plz|postleitzahl|cap|codice\s+postale)(?:\s+is|\s*:|\s+est|\s+es|\s+ist|\s+è)?\s*(\d{4,5}(?:-\d{4})?)\b",
    )
});
static POSTCODE_CITY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?x)
        \b(?:[A-Z]{1,2}-)?\d{4,5}[\ \t]+[\p{Lu}][\p{L}'’-]+(?:[\ \t-][\p{Lu}][\p{L}'’-]+)?\b
      | \b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b
      | \b[A-Z][a-z]+,\s(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)\s\d{5}(?:-\d{4})?\b
    ")
});
static CASE_REF: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b[A-Z]{2,4}[-/](?:19|20)\d{2}[-/]\d{3,7}\b|\b\d{3}-\d{2}-\d{4}\b|\b[A-Z]{2}\d{2}[A-Z]{2}\d{5}\b")
});
static ID_AFTER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)
        \b(?:passport|passeport|pasaporte|reisepass|pass|passaporto|id|identity|identité|identidad|ausweis|carta\s+d'identità|dni|nie|nif|nir|ssn|social\s+security|sécurité\s+sociale|numéro|número|numero|nummer|number|no\.?|n[º°o]\.?|file|dossier|expediente|akte|fascicolo|case|cas|caso|fall|ref\.?|reference|référence|referencia|aktenzeichen|driver'?s?\s+licen[cs]e|permis|licencia|führerschein|patente|license|licence|account|compte|cuenta|konto|conto|tax|steuer|fiscal|codice\s+fiscale|matricule|registration)
        (?:\s+(?:number|no\.?|nr\.?|n[º°o]\.?|numéro|número|numero|nummer|id|de|du|del|di|des))?\s*[:\#]?\s*
        ([A-Z0-9][A-Z0-9./-]{3,20}[A-Z0-9])\b
    ")
});
static LONG_DIGITS: LazyLock<Regex> = LazyLock::new(|| re(r"\b[A-Z]{0,3}\d{6,12}[A-Z]?\b"));

/// Words before a date that are not part of it.
const DATE_CUES: &[&str] = &[
    "in", "en", "im", "nel", "née", "né", "nee", "ne", "nacido", "nacida", "geboren", "nato", "nata", "born", "since",
    "depuis", "desde", "seit", "dal",
];

fn push(hits: &mut Vec<Hit>, start: usize, end: usize, kind: Kind, confidence: f32) {
    hits.push(Hit { start, end, kind, confidence });
}

/// Every pattern-shaped finding in `text`.
pub(crate) fn find(text: &str, _lang: Lang, hits: &mut Vec<Hit>) {
    for m in EMAIL.find_iter(text) {
        push(hits, m.start(), m.end(), Kind::Email, 0.99);
    }
    for m in URL.find_iter(text) {
        let trimmed = m.as_str().trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '\'']);
        // A domain inside an e-mail address is part of the address.
        if text[..m.start()].ends_with('@') {
            continue;
        }
        push(hits, m.start(), m.start() + trimmed.len(), Kind::Url, 0.95);
    }
    for m in IPV4.find_iter(text) {
        // Four groups out of a longer dotted number ("04.94.38.88.56" is a phone number).
        let dotted_before = text[..m.start()].ends_with('.')
            && text[..m.start() - 1].chars().next_back().is_some_and(|c| c.is_ascii_digit());
        let dotted_after =
            text[m.end()..].starts_with('.') && text[m.end() + 1..].chars().next().is_some_and(|c| c.is_ascii_digit());
        if !dotted_before && !dotted_after {
            push(hits, m.start(), m.end(), Kind::IpAddress, 0.95);
        }
    }
    for m in IPV6.find_iter(text) {
        if m.as_str().matches(':').count() >= 2 && m.as_str().chars().any(|c| c.is_ascii_hexdigit()) {
            push(hits, m.start(), m.end(), Kind::IpAddress, 0.95);
        }
    }
    for m in IBAN.find_iter(text) {
        if iban_valid(m.as_str()) {
            push(hits, m.start(), m.end(), Kind::Iban, 0.99);
        }
    }
    for m in CARD.find_iter(text) {
        let digits: Vec<u8> = m.as_str().bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        // Twelve digits are a card only where a card is spoken of (Maestro numbers are short).
        let cued = || CARD_CUE.is_match(&text[m.start().saturating_sub(40)..m.start()]);
        if ((13..=19).contains(&digits.len()) || (digits.len() == 12 && cued())) && luhn_valid(&digits) {
            push(hits, m.start(), m.end(), Kind::CardNumber, 0.98);
        }
    }
    for m in PHONE.find_iter(text) {
        let digits = m.as_str().bytes().filter(u8::is_ascii_digit).count();
        if (7..=16).contains(&digits) {
            push(hits, m.start(), m.end(), Kind::Phone, 0.9);
        }
    }
    for m in PHONE_LOOSE.find_iter(text) {
        let digits = m.as_str().bytes().filter(u8::is_ascii_digit).count();
        if (8..=15).contains(&digits) {
            push(hits, m.start(), m.end(), Kind::Phone, 0.6);
        }
    }
    for m in PHONE_BARE.find_iter(text) {
        push(hits, m.start(), m.end(), Kind::Phone, 0.8);
    }
    for c in PHONE_BEFORE_LABEL.captures_iter(text) {
        if let Some(m) = c.get(1) {
            let digits = m.as_str().bytes().filter(u8::is_ascii_digit).count();
            if (6..=15).contains(&digits) {
                push(hits, m.start(), m.end(), Kind::Phone, 0.93);
            }
        }
    }
    for c in PHONE_AFTER_CUE.captures_iter(text) {
        if let Some(m) = c.get(1) {
            let digits = m.as_str().bytes().filter(u8::is_ascii_digit).count();
            // Six digits at least, and not a span of years ("called 1998-2004").
            let years = m
                .as_str()
                .split(|c: char| !c.is_ascii_digit())
                .filter(|g| !g.is_empty())
                .all(|g| g.len() == 4 && (g.starts_with("19") || g.starts_with("20")));
            if (6..=15).contains(&digits) && !years {
                push(hits, m.start(), m.end(), Kind::Phone, 0.93);
            }
        }
    }
    for m in DATE.find_iter(text) {
        // The cue ("born in", "depuis") stays in the text; the date itself is the finding.
        let found = m.as_str();
        let lower = found.to_lowercase();
        let cue = DATE_CUES
            .iter()
            .filter(|c| lower.starts_with(*c) && lower[c.len()..].starts_with(' '))
            .map(|c| c.len() + 1)
            .max()
            .unwrap_or(0);
        push(hits, m.start() + cue, m.end(), Kind::Date, 0.9);
    }
    for m in TIME.find_iter(text) {
        push(hits, m.start(), m.end(), Kind::Date, 0.6);
    }
    for m in AGE.find_iter(text) {
        // The number is the finding ("[AGE] years old" keeps its sense).
        let found = m.as_str();
        match (found.find(|c: char| c.is_ascii_digit()), found.rfind(|c: char| c.is_ascii_digit())) {
            (Some(a), Some(b)) => push(hits, m.start() + a, m.start() + b + 1, Kind::Age, 0.9),
            _ => push(hits, m.start(), m.end(), Kind::Age, 0.9),
        }
    }
    for c in AGE_CUE.captures_iter(text) {
        if let Some(n) = c.get(1) {
            // Not a quantity of something else ("was 70 km", "turned 3 times").
            let after = text[n.end()..].trim_start().to_lowercase();
            let unit = [
                "%", "percent", "km", "kg", "times", "fois", "veces", "mal", "volte", "minutes", "hours", "days",
                "euros", "dollars", "€", "$",
            ];
            if !unit.iter().any(|u| after.starts_with(u)) {
                push(hits, n.start(), n.end(), Kind::Age, 0.8);
            }
        }
    }
    for m in ADDRESS.find_iter(text) {
        // A full stop ends the address unless it ends an abbreviation ("St.", "Ave.").
        let s = m.as_str();
        let last_word = s.trim_end_matches('.').rsplit(' ').next().unwrap_or("");
        let end = if s.ends_with('.') && last_word.len() > 4 { m.end() - 1 } else { m.end() };
        push(hits, m.start(), end, Kind::Address, 0.85);
    }
    for c in POSTCODE_CUE.captures_iter(text) {
        if let Some(m) = c.get(1) {
            push(hits, m.start(), m.end(), Kind::Address, 0.9);
        }
    }
    for m in STREET_LINE.find_iter(text) {
        let lead = m.as_str().len() - m.as_str().trim_start().len();
        push(hits, m.start() + lead, m.start() + m.as_str().trim_end().len(), Kind::Address, 0.7);
    }
    for c in NUMBERED_STREET.captures_iter(text) {
        let (Some(m), Some(first)) = (c.get(0), c.get(1)) else { continue };
        let year = first.as_str().len() == 4 && (first.as_str().starts_with("19") || first.as_str().starts_with("20"));
        if !year {
            push(hits, m.start(), m.end(), Kind::Address, 0.75);
        }
    }
    for m in CORNER.find_iter(text) {
        push(hits, m.start(), m.end(), Kind::Address, 0.88);
    }
    for m in FORCES_ADDRESS.find_iter(text) {
        push(hits, m.start(), m.end(), Kind::Address, 0.85);
    }
    for m in POSTCODE_CITY.find_iter(text) {
        // Not a number before "I" ("call 9668-9224 I'd like ..."): the town is a word.
        let town = m.as_str().rsplit([' ', '\t']).next().unwrap_or("");
        if town != "I" && !town.starts_with("I'") && !town.starts_with("I’") {
            push(hits, m.start(), m.end(), Kind::Address, 0.7);
        }
    }
    for m in CASE_REF.find_iter(text) {
        push(hits, m.start(), m.end(), Kind::IdNumber, 0.95);
    }
    for c in ID_AFTER_CUE.captures_iter(text) {
        if let Some(m) = c.get(1) {
            if m.as_str().bytes().filter(u8::is_ascii_digit).count() >= 3 {
                push(hits, m.start(), m.end(), Kind::IdNumber, 0.92);
            }
        }
    }
    for m in LONG_DIGITS.find_iter(text) {
        push(hits, m.start(), m.end(), Kind::IdNumber, 0.5);
    }
    // A year is not a house number or a postcode: in "On 12 March 2015 Amanuel Tesfay called"
    // the name after the year is a name, to be found as one.
    let dates = crate::Ranges::new(hits.iter().filter(|h| h.kind == Kind::Date).map(|h| (h.start, h.end)).collect());
    hits.retain(|h| h.kind != Kind::Address || !dates.overlaps(h.start, h.start + 1));
}

/// An address written over several lines goes on until a blank line: each following short
/// line of capitalised words and numbers (town, region, country, postcode) is part of it.
pub(crate) fn extend_address_blocks(text: &str, hits: &mut Vec<crate::Hit>) {
    let mut more = Vec::new();
    for h in hits.iter_mut().filter(|h| h.kind == Kind::Address) {
        if let Some(m) = ADDRESS_TAIL.find(&text[h.end..]) {
            h.end += m.as_str().trim_end_matches([',', ' ', '.']).len();
        }
        // The block's pieces: a line marked ("> ", "- ", "• ") starts a piece of its own
        // after its mark, which is not part of the address.
        let mut pieces = vec![(h.start, h.end)];
        loop {
            let end = pieces.last().map_or(h.end, |p| p.1);
            let rest = &text[end..];
            let Some(nl) = rest.find('\n') else { break };
            if !rest[..nl].trim_matches([',', ' ', '\t']).is_empty() {
                break;
            }
            let line_start = end + nl + 1;
            let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
            let line_end = line_start + text[line_start..line_end].trim_end().len();
            let line = text[line_start..line_end].trim_start_matches(|c: char| !c.is_alphanumeric() && c != ',');
            // A region on a line of its own after the town is written ", NSW".
            let words = line.strip_prefix(',').unwrap_or(line);
            let shaped = !words.trim().is_empty()
                && line.chars().count() <= 60
                // "Mobile: ...", "Fax: ..." are the next part of a contact block.
                && !words.split_whitespace().next().is_some_and(|w| w.ends_with(':'))
                && words.split_whitespace().next().is_some_and(|w| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()))
                && words.split_whitespace().all(|w| {
                    w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '#')
                        // Short lower-case words inside a town's name ("Bystré u Policky",
                        // "Chiclana de la Frontera", "Puch bei Hallein").
                        || (w.chars().count() <= 3 && w.chars().all(char::is_lowercase))
                        || w == "and"
                });
            if !shaped {
                break;
            }
            let line_begin = line_end - line.len();
            if text[line_start..line_begin].trim().is_empty() {
                if let Some(p) = pieces.last_mut() {
                    p.1 = line_end;
                }
            } else {
                pieces.push((line_begin, line_end));
            }
        }
        h.end = pieces[0].1;
        more.extend(pieces[1..].iter().map(|&(start, end)| crate::Hit { start, end, ..*h }));
    }
    hits.extend(more);
}

/// ISO 13616: the country code and check digits moved to the end, letters as numbers, mod 97.
pub(crate) fn iban_valid(s: &str) -> bool {
    let compact: Vec<u8> = s.bytes().filter(|b| b.is_ascii_alphanumeric()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let rearranged = compact[4..].iter().chain(&compact[..4]);
    let mut rem: u32 = 0;
    for &b in rearranged {
        let v = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b.to_ascii_uppercase() - b'A') + 10 };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        let mut hits = Vec::new();
        find(text, Lang::En, &mut hits);
        let hits = crate::resolve(text, hits);
        hits.iter().map(|h| (h.kind, text[h.start..h.end].to_string())).collect()
    }

    #[test]
    fn checksums_decide() {
        assert!(iban_valid("CH93 0076 2011 6238 5295 7"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("DE89370400440532013001"));
        assert!(luhn_valid(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn_valid(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
    }

    #[test]
    fn finds_the_shapes() {
        let found = kinds(
            "Pay to DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111, mail ana@example.org, see https://example.org/x. \
             Call +49 30 1234567 or (555) 123-4567. Server 192.168.1.20. Born 12 March 2010, seen on 2019-04-03. \
             She is 14 years old. Lives at 221 Baker Street. Passport no. X1234567. Case CH-2015-000068.",
        );
        let has = |k: Kind, s: &str| found.iter().any(|(kk, ss)| *kk == k && ss == s);
        assert!(has(Kind::Iban, "DE89 3704 0044 0532 0130 00"), "{found:?}");
        assert!(has(Kind::CardNumber, "4111 1111 1111 1111"), "{found:?}");
        assert!(has(Kind::Email, "ana@example.org"), "{found:?}");
        assert!(has(Kind::Url, "https://example.org/x"), "{found:?}");
        assert!(has(Kind::Phone, "+49 30 1234567"), "{found:?}");
        assert!(has(Kind::Phone, "(555) 123-4567"), "{found:?}");
        let address = |text: &str, wanted: &str| {
            let mut hits = Vec::new();
            find(text, Lang::En, &mut hits);
            let kept = crate::resolve(text, hits);
            kept.iter().any(|h| h.kind == Kind::Address && &text[h.start..h.end] == wanted)
        };
        assert!(address("Cirineo had given his address: 699 295 Pireos Street", "699 295 Pireos Street"));
        assert!(address("The letter arrived at 7924 Dosseringen 83 last night.", "7924 Dosseringen 83"));
        assert!(address(
            "Change my address to the corner of 262 Thisseos Avenue and Semmens Greens for post mail?",
            "the corner of 262 Thisseos Avenue and Semmens Greens"
        ));
        assert!(!address("In 2019 Maria 12 arrived.", "2019 Maria 12"), "a year is not a house number");
        let cued = |text: &str, number: &str| {
            let mut hits = Vec::new();
            find(text, Lang::En, &mut hits);
            let kept = crate::resolve(text, hits);
            kept.iter().any(|h| h.kind == Kind::Phone && &text[h.start..h.end] == number)
        };
        assert!(cued("You can call 61 60 34 tomorrow", "61 60 34"));
        assert!(cued("Mobile: 794 1672", "794 1672"));
        assert!(cued("They're not answering at (1) 995-8140", "(1) 995-8140"));
        assert!(cued("Mme Briand a appelé depuis le 0434164231 pour parler du dossier.", "0434164231"));
        assert!(cued("Can someone call me on 04.94.38.88.56? Thanks", "04.94.38.88.56"));
        assert!(!cued("She called him in 2020.", "2020"), "a year is not a number to call");
        assert!(has(Kind::IpAddress, "192.168.1.20"), "{found:?}");
        assert!(has(Kind::Date, "12 March 2010"), "{found:?}");
        assert!(has(Kind::Date, "2019-04-03"), "{found:?}");
        assert!(has(Kind::Age, "14"), "the number is the age, the words stay: {found:?}");
        assert!(has(Kind::Address, "221 Baker Street"), "{found:?}");
        assert!(has(Kind::IdNumber, "X1234567"), "{found:?}");
        assert!(has(Kind::IdNumber, "CH-2015-000068"), "{found:?}");
    }

    #[test]
    fn a_year_is_not_a_postcode_before_a_name() {
        for text in ["On 12 March 2015 Amanuel Tesfay called.", "In 2015 Amanuel Tesfay left."] {
            assert!(addresses(text).is_empty(), "{text}: {:?}", addresses(text));
            let spans = crate::Detector::new(Some(Lang::En)).detect(text);
            let chars: Vec<char> = text.chars().collect();
            assert!(
                spans
                    .iter()
                    .any(|s| s.kind == Kind::Person
                        && chars[s.start..s.end].iter().collect::<String>() == "Amanuel Tesfay"),
                "{text}: {spans:?}"
            );
        }
        assert_eq!(addresses("Write to 1201 Genève or 75011 Paris."), ["1201 Genève", "75011 Paris"]);
    }

    #[test]
    fn phone_numbers_labelled_after_them_or_written_whole_after_a_cue() {
        for (text, want) in [
            ("9380 6377 office\n(711)471-0497 fax", "9380 6377"),
            ("67 501 36 56-Office", "67 501 36 56"),
            ("Desk: 07289025797\nFax: 475-661-2500", "07289025797"),
            ("Please call me at (51) 9668-9224 I'd like to join accounts", "(51) 9668-9224"),
        ] {
            let mut hits = Vec::new();
            find(text, Lang::En, &mut hits);
            let hits = crate::resolve(text, hits);
            assert!(
                hits.iter().any(|h| h.kind == Kind::Phone && &text[h.start..h.end] == want),
                "{text}: {:?}",
                hits.iter().map(|h| (h.kind, &text[h.start..h.end])).collect::<Vec<_>>()
            );
        }
    }

    /// The addresses found in `text`, as the detector keeps them.
    fn addresses(text: &str) -> Vec<&str> {
        let mut hits = Vec::new();
        find(text, Lang::En, &mut hits);
        extend_address_blocks(text, &mut hits);
        let hits = crate::resolve(text, hits);
        hits.iter().filter(|h| h.kind == Kind::Address).map(|h| &text[h.start..h.end]).collect()
    }

    #[test]
    fn an_address_block_goes_on_to_the_blank_line() {
        let text = "Helena Carlsen\n\n637 Strojírenská 1006\n Suite 026\n Svratka\n Czech Republic 45098\n\nThanks";
        assert_eq!(addresses(text), ["637 Strojírenská 1006\n Suite 026\n Svratka\n Czech Republic 45098"]);
        // The region on a line of its own, and a town's name with short lower-case words.
        let text = "Send it to 744 15 Millicent Drive Suite 313\nSPRINGDALE HEIGHTS\n, NSW\n 41860";
        assert_eq!(addresses(text), ["744 15 Millicent Drive Suite 313\nSPRINGDALE HEIGHTS\n, NSW\n 41860"]);
        // Quoted lines: the marks stay, the address goes.
        let text = "> 12 Baker Street\n> Apt. 4\n> Bystré u Policky\n> Czech Republic\n> Thanks for writing.";
        assert_eq!(addresses(text), ["12 Baker Street", "Apt. 4", "Bystré u Policky", "Czech Republic"]);
    }

    #[test]
    fn an_address_goes_on_to_town_and_postcode() {
        for (text, want) in [
            (
                "La madre vive en Rambla de Azahar Gutiérrez 29 Piso 5, Santa Cruz de Tenerife, 43340.",
                "Rambla de Azahar Gutiérrez 29 Piso 5, Santa Cruz de Tenerife, 43340",
            ),
            ("Il habite 12, rue des Lilas, 75011 Paris.", "12, rue des Lilas, 75011 Paris"),
            ("Maile lives at 788 Via Leopardi 83, Lirone", "788 Via Leopardi 83, Lirone"),
            ("My zip code is 97400", "97400"),
        ] {
            assert_eq!(addresses(text), [want], "{text}");
        }
    }

    #[test]
    fn dates_and_ages_in_five_languages() {
        for (text, date) in [
            ("né le 3 février 2011 à Lyon", "3 février 2011"),
            ("nacida el 3 de febrero de 2011", "3 de febrero de 2011"),
            ("geboren am 3. Februar 2011", "3. Februar 2011"),
            ("nato il 3 febbraio 2011", "3 febbraio 2011"),
            ("the orchestra was founded in 1978.", "1978"),
        ] {
            assert!(kinds(text).iter().any(|(k, s)| *k == Kind::Date && s == date), "{text}: {:?}", kinds(text));
        }
        for (text, age) in
            [("il a 12 ans", "12"), ("tiene 12 años", "12"), ("ist 12 Jahre", "12"), ("she just turned 25", "25")]
        {
            assert!(kinds(text).iter().any(|(k, s)| *k == Kind::Age && s == age), "{text}: {:?}", kinds(text));
        }
    }
}
