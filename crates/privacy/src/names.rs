//! Names of people and places: what the case knows about its people (matched in any spelling
//! the name variants allow), titles and naming cues ("Mme", "named", "se llama"), gazetteers
//! of given and family names, and capitalised words that are not ordinary words of the text.

use std::sync::LazyLock;

use kinbridge_matching::normalize::{fold, joined};
use kinbridge_matching::similarity::jaro_winkler;
use kinbridge_matching::variants;
use regex::Regex;
use rustc_hash::FxHashSet;

use crate::{Hit, Kind, Lang};

struct Gazetteer {
    given: FxHashSet<String>,
    family: FxHashSet<String>,
    places: FxHashSet<String>,
    countries: FxHashSet<String>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    let words = |text: &'static str| -> Vec<&'static str> {
        text.lines().filter(|l| !l.trim_start().starts_with('#')).flat_map(str::split_whitespace).collect()
    };
    let key = |w: &str| joined(&fold(w));
    let (synth_given, synth_family, synth_places) = kinbridge_lexicon::vocabulary();
    let given = words(kinbridge_lexicon::GIVEN_NAMES)
        .into_iter()
        .chain(words(kinbridge_lexicon::GIVEN_NAMES_CENSUS))
        .chain(synth_given)
        .map(key)
        .collect();
    let family = words(kinbridge_lexicon::FAMILY_NAMES).into_iter().chain(synth_family).map(key).collect();
    let mut countries: FxHashSet<String> = kinbridge_domain::country::Country::all().map(|c| key(c.name())).collect();
    countries.extend(
        kinbridge_lexicon::COUNTRY_NAMES.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(key),
    );
    let mut places: FxHashSet<String> = synth_places.into_iter().map(key).collect();
    places.extend(countries.iter().cloned());
    places.extend(words(kinbridge_lexicon::PLACES).into_iter().map(key));
    Gazetteer { given, family, places, countries }
});

static NOT_NAMES: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| kinbridge_lexicon::words(kinbridge_lexicon::NOT_NAMES).collect());

static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Mme|Mlle|Mmes|M|Me|Monsieur|Madame|Mademoiselle|Sr|Sra|Srta|Don|Doña|Dona|Herr|Frau|Hr|Fr|Sig|Sig\.ra|Signor|Signora|Signorina|Dott|Dott\.ssa|Avv|Ing|mr|mrs|ms|dr|mme|mlle|sr|sra|srta|herr|frau|sig|señora|señor|señorita|Señora|Señor|Señorita|madame|monsieur|signora|signor)\.?\s+",
    )
    .expect("a valid pattern")
});

static NAME_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:named|called|name is|name's|known as|alias|signed|by|dear|appelée?|nommée?|prénommée?|s'appelle|je m'appelle|dit|llamad[oa]|se llama|me llamo|nombre es|conocid[oa] como|genannt|namens|heißt|heisst|ich heiße|chiamat[oa]|si chiama|mi chiamo|detto|detta)\s+",
    )
    .expect("a valid pattern")
});

static PLACE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:in|at|from|near|to|à|au|en|près de|de|desde|cerca de|hacia|aus|nach|bei|im|a|da|vicino a|presso|village of|town of|city of|ville de|pueblo de|ciudad de|stadt|città di|camp|campo|region of|région de|región de|province of|province de|provincia de)\s+")
        .expect("a valid pattern")
});

/// Place cues that do not also introduce people, at the end of the text before a run.
static STRONG_PLACE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:in|from|near|en|desde|cerca de|aus|nach|vicino a|village of|town of|city of|ville de|pueblo de|ciudad de|città di|région de|región de|provincia de)\s+$")
        .expect("a valid pattern")
});

static ORGANISATION: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| kinbridge_lexicon::words(kinbridge_lexicon::ORGANISATION_WORDS).collect());

static FAMILY_ENDINGS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| kinbridge_lexicon::words(kinbridge_lexicon::FAMILY_ENDINGS).collect());

static PARTICLES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| kinbridge_lexicon::words(kinbridge_lexicon::NAME_PARTICLES).collect());

/// A word of the text, in byte offsets.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    capital: bool,
    sentence_start: bool,
}

fn words(text: &str) -> Vec<Word> {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\p{L}[\p{L}\p{M}'’-]*\p{L}|\p{L}").expect("a valid pattern"));
    let mut out = Vec::new();
    for m in WORD.find_iter(text) {
        let before = text[..m.start()].trim_end_matches([' ', '\t', '"', '\'', '«', '“', '(', '¿', '¡']);
        let sentence_start = before.is_empty() || before.ends_with(['.', '!', '?', '\n', ':', ';', '-', '—', '•']);
        let first = m.as_str().chars().next().unwrap_or(' ');
        out.push(Word { start: m.start(), end: m.end(), capital: first.is_uppercase(), sentence_start });
    }
    out
}

/// A word or name as the gazetteers hold it: folded, without spaces.
pub(crate) fn key(word: &str) -> String {
    joined(&fold(word))
}

fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word.to_lowercase().as_str())
}

/// Whether a capitalised word looks like part of a person's name.
fn name_evidence(word: &str) -> (bool, bool) {
    let k = key(word);
    let g = &*GAZETTEER;
    let known = g.given.contains(&k) || !variants::groups(&k).is_empty();
    // Family names also show by their endings in many naming cultures (Jabłońska, Simensen,
    // Valbergsdóttir, Shevchenko, Ivančić, Papadopoulos, Ghukasyan, Beridze).
    let family = g.family.contains(&k)
        || (k.len() >= 5
            && FAMILY_ENDINGS.iter().any(|e| k.ends_with(e))
            && word.chars().next().is_some_and(char::is_uppercase));
    (known, family)
}

static COMMON: LazyLock<FxHashSet<String>> = LazyLock::new(|| {
    kinbridge_lexicon::COMMON_WORDS
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(|w| w.to_lowercase())
        .collect()
});

fn ordinary(word: &str, lang: Lang) -> bool {
    let lower = word.to_lowercase();
    // An elided article or pronoun ("L'enfant", "Qu'il", "Dell'ufficio") before an ordinary word.
    if let Some((head, rest)) = lower.split_once(['\'', '’']) {
        if matches!(
            head,
            "l" | "d" | "j" | "qu" | "n" | "s" | "c" | "m" | "t" | "dell" | "all" | "nell" | "sull" | "un"
        ) && (head == "l" || head == "qu" || ordinary(rest, lang))
        {
            return true;
        }
    }
    NOT_NAMES.contains(key(word).as_str()) || lang.is_stopword(&lower) || COMMON.contains(&lower)
}

/// How often a word must be used, on the Zipf scale, to be taken for an ordinary word when
/// nothing says it is a name.
const FREQUENT_ZIPF: f32 = 4.0;

/// Whether the text's language uses `word` often (wordfreq's frequencies).
fn frequent(word: &str, lang: Lang) -> bool {
    lang.zipf(&word.to_lowercase()) >= FREQUENT_ZIPF
}

/// A word written in capitals throughout (shouting, headings, acronyms), not a name's shape.
fn all_caps(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !word.chars().any(char::is_lowercase)
}

/// Runs of capitalised words (particles allowed inside), as word index ranges.
fn capital_runs(text: &str, ws: &[Word]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        if !ws[i].capital {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        loop {
            // Only spaces (or a hyphen) between words of one name.
            let gap_ok = |a: usize, b: usize| {
                let gap = &text[ws[a].end..ws[b].start];
                let initial = ws[a].end - ws[a].start <= 2 && gap.starts_with('.');
                let gap = if initial { &gap[1..] } else { gap };
                !gap.is_empty() && gap.chars().all(|c| c == ' ' || c == '\u{a0}')
            };
            let after_initial = ws[j - 1].end - ws[j - 1].start <= 2 && ws[j - 1].capital;
            if j < ws.len() && ws[j].capital && gap_ok(j - 1, j) && (!ws[j].sentence_start || after_initial) {
                j += 1;
            } else if j + 1 < ws.len()
                && is_particle(&text[ws[j].start..ws[j].end])
                && ws[j + 1].capital
                // "y" joins the two family names of one person ("José Ortega y Gasset"), not two
                // people ("Galo Palomo y Héctor Verdú", "Galo y Héctor").
                && !(&text[ws[j].start..ws[j].end] == "y"
                    && (name_evidence(&text[ws[j + 1].start..ws[j + 1].end]).0
                        || (j - i >= 2 && j + 2 < ws.len() && ws[j + 2].capital && gap_ok(j + 1, j + 2))))
                && gap_ok(j - 1, j)
                && gap_ok(j, j + 1)
            {
                j += 2;
            } else if j + 2 < ws.len()
                && is_particle(&text[ws[j].start..ws[j].end])
                && is_particle(&text[ws[j + 1].start..ws[j + 1].end])
                && ws[j + 2].capital
                && gap_ok(j - 1, j)
                && gap_ok(j, j + 1)
                && gap_ok(j + 1, j + 2)
            {
                // Two particles: "Antoine de la Fontaine", "Jan van der Berg", "de los Santos".
                j += 3;
            } else {
                break;
            }
        }
        runs.push((i, j));
        i = j;
    }
    runs
}

/// Whether a word is followed by "and" (in the five languages) and a capitalised word that
/// looks like a name: "Allaire and Richardson were ...".
fn paired_with_name(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    for conj in [" and ", " & ", " et ", " y ", " und ", " e ", " or ", " ou ", " o ", " oder "] {
        if let Some(after) = rest.strip_prefix(conj) {
            let next: String = after.chars().take_while(|c| c.is_alphabetic() || *c == '-').collect();
            if next.chars().next().is_some_and(char::is_uppercase) {
                let (given, family) = name_evidence(&next);
                return given || family;
            }
        }
    }
    false
}

/// Whether the word at `start..end` is in a comma-separated list next to a word that looks
/// like a name: "Sharon, Bill, Sarah", "Waters, Parrish and Stevenson".
fn listed_with_name(text: &str, start: usize, end: usize) -> bool {
    let is_name = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphabetic());
        w.chars().next().is_some_and(char::is_uppercase) && {
            let (given, family) = name_evidence(w);
            given || family
        }
    };
    let before = text[..start].strip_suffix(", ").and_then(|b| b.rsplit([' ', '\n']).next());
    let after = text[end..].strip_prefix(", ").and_then(|a| a.split([' ', ',', '\n']).next());
    before.is_some_and(is_name) || after.is_some_and(is_name) || paired_with_name(text, end)
}

/// Whether the word starting at `start` follows a German article or determiner.
fn after_determiner(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches(' ');
    if before.len() == text[..start].len() {
        return false;
    }
    let word = before.rsplit(|c: char| !c.is_alphabetic()).next().unwrap_or("").to_lowercase();
    matches!(
        word.as_str(),
        "der"
            | "die"
            | "das"
            | "den"
            | "dem"
            | "des"
            | "ein"
            | "eine"
            | "einer"
            | "einem"
            | "einen"
            | "eines"
            | "kein"
            | "keine"
            | "keiner"
            | "keinem"
            | "keinen"
            | "im"
            | "am"
            | "beim"
            | "vom"
            | "zum"
            | "zur"
            | "ins"
            | "ans"
            | "aufs"
            | "seine"
            | "seiner"
            | "seinem"
            | "seinen"
            | "ihre"
            | "ihrer"
            | "ihrem"
            | "ihren"
            | "unsere"
            | "unserer"
            | "unserem"
            | "unseren"
            | "diese"
            | "dieser"
            | "diesem"
            | "diesen"
            | "jede"
            | "jeder"
            | "jedem"
            | "jeden"
    )
}

/// Whether the next word is a verb that often follows a person's name at the start of a
/// sentence, in the text's language.
fn verb_follows(rest: &str, lang: Lang) -> bool {
    let Some(after) = rest.strip_prefix(' ') else { return false };
    let next: String = after.chars().take_while(|c| c.is_alphabetic() || *c == '\'' || *c == '’').collect();
    let verbs: &[&str] = match lang {
        Lang::En => &[
            "is",
            "was",
            "has",
            "had",
            "lives",
            "lived",
            "said",
            "says",
            "told",
            "asked",
            "began",
            "begins",
            "went",
            "came",
            "met",
            "moved",
            "left",
            "arrived",
            "shouted",
            "wrote",
            "works",
            "worked",
            "stays",
            "stayed",
            "wants",
            "wanted",
            "needs",
            "needed",
            "attends",
            "attended",
            "goes",
            "knows",
            "feels",
            "seems",
            "cried",
            "answered",
            "replied",
            "explained",
            "called",
            "visited",
            "returned",
            "married",
            "died",
            "became",
        ],
        Lang::Fr => &[
            "vit",
            "vivait",
            "est",
            "était",
            "a",
            "avait",
            "habite",
            "habitait",
            "dit",
            "demande",
            "travaille",
            "va",
            "allait",
            "souhaite",
            "veut",
            "voulait",
            "reste",
            "explique",
            "raconte",
            "affirme",
            "fréquente",
            "n'a",
            "n'est",
        ],
        Lang::Es => &[
            "vive", "vivía", "es", "era", "está", "estaba", "fue", "ha", "había", "dijo", "dice", "trabaja", "quiere",
            "quería", "llegó", "explica", "explicó", "cuenta", "contó", "reside", "asiste", "volvió", "regresó",
        ],
        Lang::De => &[
            "lebt", "lebte", "ist", "war", "hat", "hatte", "wohnt", "wohnte", "sagt", "sagte", "arbeitet", "geht",
            "möchte", "erzählt", "erklärt", "besucht",
        ],
        Lang::It => &[
            "vive",
            "viveva",
            "è",
            "era",
            "ha",
            "aveva",
            "abita",
            "dice",
            "disse",
            "lavora",
            "vuole",
            "racconta",
            "spiega",
            "frequenta",
        ],
    };
    verbs.contains(&next.to_lowercase().as_str())
}

/// Whether the word at `start..end` opens a line of dialogue ("Arya: What a wife.") in a text
/// with at least two such lines: a word of three letters or more, a colon, and words on the
/// same line (not a number, an address or a link, as after the labels of a form).
fn speaker(text: &str, start: usize, end: usize) -> bool {
    static LINE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^[\p{Lu}][\p{L}'’-]{2,}:\s*[\p{L}\x22“«]").expect("a valid pattern"));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..start].trim().is_empty() || text[start..end].chars().count() < 3 {
        return false;
    }
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let said = text[end + 1..line_end].trim_start();
    let first = said.split_whitespace().next().unwrap_or("");
    said.starts_with(|c: char| c.is_alphabetic() || matches!(c, '"' | '“' | '«'))
        && !first.contains('@')
        && !first.contains("://")
        && LINE.find_iter(text).count() >= 2
}

/// Whether `text` is the name of a country (a place at country level says little about a
/// person, and pseudonymisation keeps it).
pub fn is_country(text: &str) -> bool {
    GAZETTEER.countries.contains(&key(text))
}

/// Whether `start` follows a street address (", " or a line break after it): the town.
/// `addresses` are the ends of the addresses found, sorted.
fn after_address(text: &str, addresses: &[usize], start: usize) -> bool {
    let n = addresses.partition_point(|&end| end <= start);
    n > 0 && text[addresses[n - 1]..start].trim_matches([',', ' ', '\n', '\t']).is_empty()
}

/// Person and place names in `text`, given what the patterns found (`found`: a name is not
/// looked for inside an e-mail address or a street address).
pub(crate) fn find(text: &str, lang: Lang, found: &[Hit], hits: &mut Vec<Hit>) {
    let ws = words(text);
    let others = crate::Ranges::new(
        found.iter().filter(|h| h.kind != Kind::Person && h.kind != Kind::Place).map(|h| (h.start, h.end)).collect(),
    );
    let inside = |s: usize, e: usize| others.overlaps(s, e);
    let mut address_ends: Vec<usize> = found.iter().filter(|h| h.kind == Kind::Address).map(|h| h.end).collect();
    address_ends.sort_unstable();
    let g = &*GAZETTEER;
    // Words right after a title or a naming cue.
    let mut cued: FxHashSet<usize> = FxHashSet::default();
    for m in TITLE.find_iter(text).chain(NAME_CUE.find_iter(text)) {
        cued.insert(m.end());
    }
    let mut place_cued: FxHashSet<usize> = FxHashSet::default();
    for m in PLACE_CUE.find_iter(text) {
        place_cued.insert(m.end());
    }
    for (a, b) in capital_runs(text, &ws) {
        let run_start = ws[a].start;
        // A known place, whole or at the end of the run ("New Zealand", "Back To Spain").
        let mut b = b;
        // After a title or a naming cue it is a person, whatever places share their name
        // ("la señora Madrid", "me llamo Gisela Coloma Roma").
        let named = cued.contains(&ws[a].start);
        if let Some(p) = (a..b).find(|&p| !named && g.places.contains(&key(&text[ws[p].start..ws[b - 1].end]))) {
            if !inside(ws[p].start, ws[b - 1].end) {
                hits.push(Hit { start: ws[p].start, end: ws[b - 1].end, kind: Kind::Place, confidence: 0.8 });
            }
            b = p;
            if a >= b {
                continue;
            }
        }
        // Leading ordinary words ("The", "Dear", "Le") are not part of the name, unless they
        // are also given names ("Julio", "Abril").
        let mut a = a;
        while a < b && {
            let w = &text[ws[a].start..ws[a].end];
            ordinary(w, lang) && !(name_evidence(w).0 && a + 1 < b)
        } {
            a += 1;
        }
        while b > a && {
            let last = &text[ws[b - 1].start..ws[b - 1].end];
            is_particle(last) || ordinary(last, lang)
        } {
            b -= 1;
        }
        if a >= b {
            continue;
        }
        // A run that runs into a pattern's finding ("Nurzhan Vizirov Apt. 728") keeps the
        // words before it.
        while b > a && inside(ws[a].start, ws[b - 1].end) && !inside(ws[a].start, ws[a].end) {
            b -= 1;
        }
        let (start, end) = (ws[a].start, ws[b - 1].end);
        if inside(start, end) {
            continue;
        }
        let tokens: Vec<&str> = (a..b).map(|i| &text[ws[i].start..ws[i].end]).collect();
        let capitals = tokens.iter().filter(|t| !is_particle(t)).count();
        let (mut given, mut family) = (0, 0);
        for t in &tokens {
            let (gv, fm) = name_evidence(t);
            given += usize::from(gv);
            family += usize::from(fm);
        }
        // Words the language uses often, none a known name: ordinary words capitalised in a
        // title, a heading or a list ("Mystery & Suspense", "the Treaty", "Patient is ..."),
        // unless what is around them says a person is meant (below).
        let all_frequent =
            given + family == 0 && tokens.iter().all(|t| is_particle(t) || ordinary(t, lang) || frequent(t, lang));
        // A town of the gazetteer where a place is spoken of ("vive en Las Palmas", "moved
        // here from Oklahoma City"); after a cue that can also name a person ("a", "to"),
        // only if no word of it is a given name.
        let cue = place_cued.contains(&start) || place_cued.contains(&run_start);
        let strong_cue = || {
            // The cue ends right before the run: a few words back are enough.
            let mut from = run_start.saturating_sub(32);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            STRONG_PLACE_CUE.is_match(&text[from..run_start])
        };
        let town = cue
            && (given == 0 || strong_cue())
            && (crate::places::is_town(&text[start..end]) || crate::places::is_town(&text[run_start..end]));
        let place = tokens.iter().all(|t| g.places.contains(&key(t)) || is_particle(t))
            || g.places.contains(&key(&text[start..end]))
            || after_address(text, &address_ends, start)
            || town;
        let start = if town { run_start } else { start };
        let all_ordinary = tokens.iter().all(|t| ordinary(t, lang) || is_particle(t));
        if all_ordinary {
            continue;
        }
        // Capitals mixed into a run of unknown words are code or shouting ("Inject SELECT").
        if given + family == 0
            && !tokens.iter().all(|t| all_caps(t))
            && tokens.iter().any(|t| all_caps(t) && t.chars().count() >= 3)
        {
            continue;
        }
        // Shouting: a run in capitals of mostly everyday words ("CAN I SPEAK TO A REAL
        // PERSON"), whatever names they share their spelling with.
        if tokens.len() >= 3
            && !place_cued.contains(&run_start)
            && tokens.iter().all(|t| all_caps(t) || t.chars().count() == 1)
            && tokens.iter().filter(|t| ordinary(t, lang) || frequent(t, lang)).count() * 2 > tokens.len()
        {
            continue;
        }
        if tokens.iter().all(|t| all_caps(t)) && given + family == 0 {
            // Shouting or an acronym, unless a place is spoken of ("lives in FALKENBERG").
            if place_cued.contains(&start) && tokens.iter().all(|t| t.chars().count() >= 3) {
                hits.push(Hit { start, end, kind: Kind::Place, confidence: 0.6 });
            }
            continue;
        }
        let sentence_start = ws[a].sentence_start;
        if !cued.contains(&start) {
            // An organisation ("Kudan Inc.", "Entertainment Weekly", "Scientia School") or a
            // title in quotes ("The Dimensions of a Shadow") is not a person.
            let next_word = text[end..].trim_start().split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
            let organisation = |t: &&str| {
                let lower = t.to_lowercase();
                let word = lower.trim_end_matches('.');
                // Short legal forms count only written as such ("AS", "SA"), not "as", "sa".
                ORGANISATION.contains(word)
                    && t.chars().next().is_some_and(char::is_uppercase)
                    && (word.len() > 3
                        || t.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase)
                        || word == "inc"
                        || word == "ltd")
            };
            if given == 0 && tokens.iter().chain(std::iter::once(&next_word)).any(organisation) {
                continue;
            }
            let quoted = |c: char| matches!(c, '"' | '“' | '«');
            let before = text[..start].trim_end_matches(' ');
            if before.ends_with(quoted) && given == 0 && capitals >= 3 {
                continue;
            }
        }
        // Followed by a house number ("Turjaška 48", "Pisano Row 3"): a street, unless a title
        // or a naming cue says otherwise or a given name leads.
        let rest = &text[end..];
        let number_follows = rest.strip_prefix(' ').is_some_and(|r| {
            let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
            !digits.is_empty()
                && digits.len() <= 5
                && !r[digits.len()..].trim_start().to_lowercase().starts_with(['y', 'a', 'j', 'm'])
        });
        if number_follows && !cued.contains(&start) && given == 0 {
            hits.push(Hit { start, end, kind: Kind::Address, confidence: 0.7 });
            continue;
        }
        // A name said to someone or before what they say: "Salikh, can you ...", "Vanessa: ...".
        // Before a colon only a known given name counts: "Mobile:", "User:" are form labels.
        let vocative = capitals == 1
            && sentence_start
            && (rest.starts_with(',') || (rest.starts_with(':') && (given > 0 || speaker(text, start, end))));
        let confidence = if cued.contains(&start) {
            0.95
        } else if place && (given == 0 || town) {
            hits.push(Hit { start, end, kind: Kind::Place, confidence: 0.8 });
            continue;
        } else if all_frequent
            && !(capitals == 1
                && ((sentence_start && start == run_start && verb_follows(rest, lang))
                    || paired_with_name(text, end)
                    || listed_with_name(text, start, end)))
        {
            continue;
        } else if lang == Lang::De && given + family == 0 && after_determiner(text, start) {
            // German writes every noun with a capital: after an article or determiner ("die
            // Sozialarbeiterin", "beim Jugendamt") a word no name list knows is a noun.
            continue;
        } else if given > 0 && (capitals >= 2 || family > 0) {
            0.92
        } else if capitals >= 2 {
            0.75
        } else if given > 0 {
            if sentence_start {
                0.7
            } else {
                0.85
            }
        } else if family > 0
            && (!sentence_start || rest.trim_start().is_empty() || rest.starts_with([',', ':', '.', '?', '!']))
        {
            0.7
        } else if place_cued.contains(&start) {
            hits.push(Hit { start, end, kind: Kind::Place, confidence: 0.55 });
            continue;
        } else if !sentence_start {
            0.5
        } else if vocative {
            0.6
        } else if capitals == 1 && verb_follows(rest, lang) {
            // A sentence that opens with a word no list knows, then a verb: "Remigio vive
            // ahora con su tía", "Auriville is very reliable".
            0.6
        } else if capitals == 1 && paired_with_name(text, end) {
            0.55
        } else {
            continue;
        };
        hits.push(Hit { start, end, kind: Kind::Person, confidence });
    }
    named_elsewhere(text, lang, &ws, found, hits);
}

/// A capitalised word that is part of a name found elsewhere in the text names the same
/// person: "Brad was a huge Brad Ferguson fan", "Amanuel ... Amanuel Tesfay".
fn named_elsewhere(text: &str, lang: Lang, ws: &[Word], found: &[Hit], hits: &mut Vec<Hit>) {
    let names: FxHashSet<String> = hits
        .iter()
        .filter(|h| h.kind == Kind::Person && h.confidence >= 0.7)
        .flat_map(|h| text[h.start..h.end].split(|c: char| !c.is_alphabetic() && c != '-' && c != '\''))
        .filter(|w| w.chars().count() >= 3 && !is_particle(w) && !ordinary(w, lang))
        .map(key)
        .collect();
    if names.is_empty() {
        return;
    }
    let taken = crate::Ranges::new(found.iter().chain(hits.iter()).map(|h| (h.start, h.end)).collect());
    let mut more = Vec::new();
    for w in ws.iter().filter(|w| w.capital) {
        if names.contains(&key(&text[w.start..w.end])) && !taken.overlaps(w.start, w.end) {
            more.push(Hit { start: w.start, end: w.end, kind: Kind::Person, confidence: 0.7 });
        }
    }
    hits.extend(more);
}

/// What a case knows about one of its people: their names (any spelling of them is a hit),
/// dates of birth (ISO `YYYY-MM-DD` or `YYYY`), and other strings that identify them (an id
/// number, a phone number, an address).
#[derive(Debug, Clone, Default)]
pub struct KnownPerson {
    pub names: Vec<String>,
    pub birth_dates: Vec<String>,
    pub identifiers: Vec<String>,
}

const MONTH_NAMES: [[&str; 12]; 5] = [
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
];

impl KnownPerson {
    /// The ways a date of birth is commonly written.
    fn date_forms(&self) -> Vec<String> {
        let mut forms = Vec::new();
        for d in &self.birth_dates {
            let parts: Vec<&str> = d.split('-').collect();
            if let [y, m, day] = parts[..] {
                let (Ok(mi), Ok(di)) = (m.parse::<usize>(), day.parse::<usize>()) else { continue };
                if !(1..=12).contains(&mi) {
                    continue;
                }
                forms.push(d.clone());
                for sep in ['/', '.', '-'] {
                    forms.push(format!("{day}{sep}{m}{sep}{y}"));
                    forms.push(format!("{di}{sep}{mi}{sep}{y}"));
                    forms.push(format!("{m}{sep}{day}{sep}{y}"));
                    forms.push(format!("{mi}{sep}{di}{sep}{y}"));
                }
                for months in MONTH_NAMES {
                    let name = months[mi - 1];
                    forms.push(format!("{di} {name} {y}"));
                    forms.push(format!("{di}. {name} {y}"));
                    forms.push(format!("{di} de {name} de {y}"));
                    forms.push(format!("{name} {di}, {y}"));
                    forms.push(format!("{name} {di} {y}"));
                }
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup();
        forms
    }

    pub(crate) fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        let lower = text.to_lowercase();
        // Searched case-insensitively in the lower-cased text, unless lower-casing changed byte
        // lengths (rare letters): then offsets would not map back, and the text is searched as is.
        let lowered = lower.len() == text.len();
        let haystack = if lowered { lower.as_str() } else { text };
        let mut literal = |needle: &str, kind: Kind| {
            let needle = if lowered { needle.to_lowercase() } else { needle.to_string() };
            if needle.trim().len() < 3 {
                return;
            }
            let mut from = 0;
            while let Some(i) = haystack[from..].find(&needle) {
                let start = from + i;
                hits.push(Hit { start, end: start + needle.len(), kind, confidence: 0.99 });
                from = start + needle.len();
            }
        };
        for form in self.date_forms() {
            literal(&form, Kind::Date);
        }
        for id in &self.identifiers {
            literal(id, Kind::IdNumber);
        }
        // Names: each word of the text compared with each word of the known names.
        let known: Vec<String> = self
            .names
            .iter()
            .flat_map(|n| fold(n).split(' ').map(str::to_string).collect::<Vec<_>>())
            .filter(|w| w.len() >= 2 && !PARTICLES.contains(&w.as_str()))
            .collect();
        if known.is_empty() {
            return;
        }
        let ws = words(text);
        let matches = |w: &str| {
            let k = key(w);
            !k.is_empty()
                && known.iter().any(|n| {
                    *n == k
                        || variants::are_variants(n, &k)
                        || (k.len() >= 4 && n.len() >= 4 && jaro_winkler(n, &k) >= 0.92)
                })
        };
        let mut i = 0;
        while i < ws.len() {
            if !matches(&text[ws[i].start..ws[i].end]) {
                i += 1;
                continue;
            }
            // Extend over the neighbouring words of the same name (capitalised, or known).
            let mut a = i;
            while a > 0 && {
                let p = &text[ws[a - 1].start..ws[a - 1].end];
                let gap = &text[ws[a - 1].end..ws[a].start];
                gap.trim().is_empty() && (matches(p) || (ws[a - 1].capital && !NOT_NAMES.contains(key(p).as_str())))
            } {
                a -= 1;
            }
            let mut b = i + 1;
            while b < ws.len() && {
                let n = &text[ws[b].start..ws[b].end];
                let gap = &text[ws[b - 1].end..ws[b].start];
                gap.trim().is_empty() && (matches(n) || (ws[b].capital && !NOT_NAMES.contains(key(n).as_str())))
            } {
                b += 1;
            }
            hits.push(Hit { start: ws[a].start, end: ws[b - 1].end, kind: Kind::Person, confidence: 0.99 });
            i = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Detector;

    /// The findings of one kind in `text`.
    fn found(d: &Detector, text: &str, kind: Kind) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        d.detect(text).into_iter().filter(|s| s.kind == kind).map(|s| chars[s.start..s.end].iter().collect()).collect()
    }

    fn persons(d: &Detector, text: &str) -> Vec<String> {
        found(d, text, Kind::Person)
    }

    #[test]
    fn names_by_title_gazetteer_and_capitals() {
        let d = Detector::new(Some(Lang::En));
        assert_eq!(persons(&d, "Yesterday Mrs. Olena Shevchenko called."), ["Olena Shevchenko"]);
        assert_eq!(persons(&d, "The social worker met Amanuel Tesfay at the office."), ["Amanuel Tesfay"]);
        assert_eq!(persons(&d, "His uncle Ould Cheikh Brahim lives nearby."), ["Ould Cheikh Brahim"]);
        let d = Detector::new(Some(Lang::Fr));
        assert_eq!(persons(&d, "L'enfant, appelé Kwabena, vit chez Mme Dupont."), ["Kwabena", "Dupont"]);
        assert!(persons(&d, "Le Tribunal a rendu sa décision.").is_empty());
        assert_eq!(persons(&d, "Le père, Antoine de la Fontaine, est né à Lyon."), ["Antoine de la Fontaine"]);
        assert_eq!(persons(&d, "Anaïs vit désormais chez sa tante."), ["Anaïs"]);
        assert!(persons(&d, "Hier a eu lieu l'audience.").is_empty());
        let d = Detector::new(Some(Lang::Es));
        assert_eq!(persons(&d, "La señora Madrid llamó desde Sevilla."), ["Madrid"]);
        assert_eq!(persons(&d, "Me llamo Gisela Coloma Roma y busco a mi hermano."), ["Gisela Coloma Roma"]);
        let d = Detector::new(Some(Lang::En));
        assert_eq!(persons(&d, "Auriville is very reliable."), ["Auriville"]);
        assert!(persons(&d, "Yesterday was a long day.").is_empty());
    }

    #[test]
    fn words_the_language_uses_often_are_not_names_unless_something_says_so() {
        let d = Detector::new(Some(Lang::En));
        assert!(persons(&d, "Genres: Action & Adventure, Animation, Comedy, Kids & Family").is_empty());
        assert!(persons(&d, "It was sent under Article 50 of the Treaty with a Letter.").is_empty());
        assert!(persons(&d, "Capitalized words like Wisdom and Discipline are often mistaken for names.").is_empty());
        // A name the lists do not know is still a name where the text says so: said to
        // someone, listed with other names, or named in full elsewhere in the text.
        assert_eq!(persons(&d, "Hope, can you call me?"), ["Hope"]);
        assert_eq!(persons(&d, "They had three: Sharon, Bill and Sarah."), ["Sharon", "Bill", "Sarah"]);
        assert_eq!(persons(&d, "You can tell Brad was a huge Brad Ferguson fan."), ["Brad", "Brad Ferguson"]);
        let d = Detector::new(Some(Lang::Es));
        assert_eq!(persons(&d, "Salud vive ahora con su tía."), ["Salud"]);
        // "y" between two people, not inside one name.
        assert_eq!(
            persons(&d, "Entrevista con Galo Palomo Menendez y Héctor Verdú Antón sobre la custodia."),
            ["Galo Palomo Menendez", "Héctor Verdú Antón"]
        );
        assert_eq!(persons(&d, "Lo escribió José Ortega y Gasset."), ["José Ortega y Gasset"]);
        // Given names of the census lists are names, even where English uses them as words.
        let d = Detector::new(Some(Lang::En));
        assert_eq!(persons(&d, "I met Tom Leonard today."), ["Tom Leonard"]);
        assert!(persons(&d, "CAN I SPEAK TO A REAL PERSON?!").is_empty(), "shouting is not a name");
        // German nouns after an article, however rare, are not names; names still are.
        let d = Detector::new(Some(Lang::De));
        assert!(persons(&d, "Der Junge wohnt hier.").is_empty());
        assert!(persons(&d, "Heute hat die Sozialarbeiterin beim Jugendamt angerufen.").is_empty());
        assert_eq!(persons(&d, "Heute hat die Sozialarbeiterin mit Schmidt gesprochen."), ["Schmidt"]);
        assert_eq!(persons(&d, "Der Junge wohnt bei Familie Wagner."), ["Wagner"]);
    }

    #[test]
    fn places_by_country_names_and_towns_after_a_cue() {
        let places = |d: &Detector, text: &str| found(d, text, Kind::Place);
        let d = Detector::new(Some(Lang::En));
        assert_eq!(places(&d, "In Czech Republic they sing company songs."), ["Czech Republic"]);
        assert!(persons(&d, "In Czech Republic they sing company songs.").is_empty());
        assert_eq!(places(&d, "We moved here from Oklahoma City last year."), ["Oklahoma City"]);
        let d = Detector::new(Some(Lang::Es));
        assert_eq!(places(&d, "Amando vive ahora con su tía en Las Palmas."), ["Las Palmas"]);
        assert_eq!(places(&d, "La familia se fue de Alemania a Suiza."), ["Alemania", "Suiza"]);
        // After a cue that also names people ("a"), a town that is a given name is a person.
        assert_eq!(persons(&d, "El juez escuchó a Victoria ayer."), ["Victoria"]);
        assert_eq!(places(&d, "Vive en Victoria desde 2019."), ["Victoria"]);
    }

    #[test]
    fn speakers_of_a_dialogue_not_the_labels_of_a_form() {
        let d = Detector::new(Some(Lang::En));
        let dialogue = "Arya: What a wife.\nShawn: Remember me?\nNichole: You saved my life!";
        assert_eq!(persons(&d, dialogue), ["Arya", "Shawn", "Nichole"]);
        let form = "Phone:\n439 4166\nWebsite: https://example.org/\nEmail: Ana@example.org\nNotes: None so far.";
        assert!(persons(&d, form).is_empty(), "{:?}", persons(&d, form));
    }

    #[test]
    fn the_case_people_in_any_spelling() {
        let d = Detector::new(Some(Lang::En)).with_known(vec![KnownPerson {
            names: vec!["Mohammed Al-Haddad".into()],
            birth_dates: vec!["2010-02-03".into()],
            identifiers: vec!["N0123456".into()],
        }]);
        let text = "muhammad haddad (born 03/02/2010, passport n0123456) was seen with Mehmet.";
        // An identifier known in capitals is found in text written all in lower case.
        let all_lower = d.detect("passport n0123456 seen");
        assert!(all_lower.iter().any(|s| s.kind == Kind::IdNumber && s.confidence > 0.98), "{all_lower:?}");
        let spans = d.detect(text);
        let chars: Vec<char> = text.chars().collect();
        let got: Vec<(Kind, String)> =
            spans.iter().map(|s| (s.kind, chars[s.start..s.end].iter().collect::<String>())).collect();
        assert!(got.contains(&(Kind::Person, "muhammad haddad".into())), "{got:?}");
        assert!(got.contains(&(Kind::Date, "03/02/2010".into())), "{got:?}");
        assert!(got.contains(&(Kind::IdNumber, "n0123456".into())), "{got:?}");
        assert!(got.contains(&(Kind::Person, "Mehmet".into())), "{got:?}");
    }
}
