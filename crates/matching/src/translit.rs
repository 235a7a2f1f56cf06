//! Transliteration of non-Latin scripts into Latin, the way border officials and registrars
//! most often write names: Arabic and Persian, Cyrillic (Russian, Ukrainian), Greek, Ethiopic
//! (Amharic, Tigrinya) and Chinese (pinyin, without tones).
//!
//! The output is not meant for display; it feeds [`crate::normalize::fold`], so that a name
//! written in two scripts yields comparable Latin keys.

/// Appends the Latin transliteration of `c` to `out`, given the previous character of the word
/// (for position-dependent letters). Returns false when `c` belongs to no script handled here.
pub(crate) fn push_latin(c: char, prev: Option<char>, out: &mut String) -> bool {
    let at_word_start = prev.is_none_or(|p| !p.is_alphanumeric());
    let cp = c as u32;
    match cp {
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            arabic(c, at_word_start, out);
            true
        }
        0x0400..=0x04FF => {
            out.push_str(cyrillic(c));
            true
        }
        0x0370..=0x03FF | 0x1F00..=0x1FFF => {
            let upsilon = matches!(c, 'υ' | 'Υ');
            let bytes = out.as_bytes();
            let word_start_m = bytes.last() == Some(&b'm') && (bytes.len() == 1 || bytes[bytes.len() - 2] == b' ');
            match out.as_bytes().last() {
                // μπ at the start of a word is b: Μπάμπης, Babis.
                Some(b'm') if word_start_m && matches!(c, 'π' | 'Π') => {
                    out.pop();
                    out.push('b');
                }
                // The digraphs ου, αυ, ευ.
                Some(b'o') if upsilon => out.push('u'),
                Some(b'a' | b'e') if upsilon => out.push('v'),
                _ => out.push_str(greek(c)),
            }
            true
        }
        0x1200..=0x137F => {
            ethiopic(cp, out);
            true
        }
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => {
            use pinyin::ToPinyin;
            match c.to_pinyin() {
                // Plain pinyin writes ü (lü, nü); registrars write u.
                Some(p) => out.extend(p.plain().chars().map(|c| if c == 'ü' { 'u' } else { c })),
                None => out.push(c),
            }
            true
        }
        _ => false,
    }
}

fn arabic(c: char, at_word_start: bool, out: &mut String) {
    let s = match c {
        'ا' | 'أ' | 'آ' | 'ٱ' | 'ى' | 'ة' => "a",
        'إ' => "i",
        'ب' => "b",
        'پ' => "p",
        'ت' | 'ط' => "t",
        'ث' => "th",
        'ج' => "j",
        'چ' => "ch",
        'ح' | 'ه' | 'ۀ' | 'ھ' => "h",
        'خ' => "kh",
        'د' | 'ض' => "d",
        'ذ' => "dh",
        'ر' => "r",
        'ز' | 'ظ' => "z",
        'ژ' => "zh",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'ع' if at_word_start => "a",
        'ع' => "",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' => "k",
        'گ' => "g",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'و' | 'ؤ' if at_word_start => "w",
        'و' | 'ؤ' => "u",
        'ي' | 'ی' | 'ئ' | 'ې' | 'ۍ' if at_word_start => "y",
        'ي' | 'ی' | 'ئ' | 'ې' | 'ۍ' => "i",
        // Short vowels, when written.
        '\u{064E}' => "a",
        '\u{064F}' => "u",
        '\u{0650}' => "i",
        // Pashto letters.
        'ټ' => "t",
        'ډ' => "d",
        'ړ' => "r",
        'ږ' | 'ښ' => "zh",
        'ځ' => "dz",
        'څ' => "ts",
        'ڼ' => "n",
        // Arabic-Indic digits.
        '٠'..='٩' => {
            out.push(char::from(b'0' + (c as u32 - '٠' as u32) as u8));
            return;
        }
        '۰'..='۹' => {
            out.push(char::from(b'0' + (c as u32 - '۰' as u32) as u8));
            return;
        }
        // Hamza alone, sukun, shadda, tatweel and other marks carry no Latin letter.
        _ => "",
    };
    out.push_str(s);
}

fn cyrillic(c: char) -> &'static str {
    let lower = c.to_lowercase().next().unwrap_or(c);
    match lower {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "yo",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'ђ' => "dj",
        'џ' => "dz",
        _ => "",
    }
}

fn greek(c: char) -> &'static str {
    // Accented letters are decomposed before this is called; what remains is the base letter.
    let lower = c.to_lowercase().next().unwrap_or(c);
    match lower {
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' => "i",
        'θ' => "th",
        'ι' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' => "o",
        _ => "",
    }
}

/// Ethiopic syllables are laid out in rows of eight: a consonant and its seven vowel orders
/// (ä, u, i, a, e, ə, o) plus a labialised form.
fn ethiopic(cp: u32, out: &mut String) {
    const ROWS: &[(u32, &str)] = &[
        (0x1200, "h"),
        (0x1208, "l"),
        (0x1210, "h"),
        (0x1218, "m"),
        (0x1220, "s"),
        (0x1228, "r"),
        (0x1230, "s"),
        (0x1238, "sh"),
        (0x1240, "q"),
        (0x1248, "qw"),
        (0x1250, "q"),
        (0x1258, "qw"),
        (0x1260, "b"),
        (0x1268, "v"),
        (0x1270, "t"),
        (0x1278, "ch"),
        (0x1280, "h"),
        (0x1288, "hw"),
        (0x1290, "n"),
        (0x1298, "ny"),
        (0x12A0, ""),
        (0x12A8, "k"),
        (0x12B0, "kw"),
        (0x12B8, "kh"),
        (0x12C0, "khw"),
        (0x12C8, "w"),
        (0x12D0, ""),
        (0x12D8, "z"),
        (0x12E0, "zh"),
        (0x12E8, "y"),
        (0x12F0, "d"),
        (0x12F8, "d"),
        (0x1300, "j"),
        (0x1308, "g"),
        (0x1310, "gw"),
        (0x1318, "g"),
        (0x1320, "t"),
        (0x1328, "ch"),
        (0x1330, "p"),
        (0x1338, "ts"),
        (0x1340, "ts"),
        (0x1348, "f"),
        (0x1350, "p"),
    ];
    if cp >= 0x1358 {
        // Punctuation and numerals: a word separator is enough for matching.
        out.push(' ');
        return;
    }
    let row = cp & !7;
    let order = cp & 7;
    let consonant = ROWS.iter().find(|(start, _)| *start == row).map_or("", |(_, c)| c);
    out.push_str(consonant);
    let labialised = consonant.ends_with('w') && consonant.len() > 1;
    let vowel = match (order, labialised) {
        (0, _) => "e",
        (1, false) => "u",
        (2, _) => "i",
        (3, _) => "a",
        (4, _) => "e",
        (5, _) => "",
        (6, false) => "o",
        (7, false) => "wa",
        (1, true) | (6, true) | (7, true) => "",
        _ => "",
    };
    // A vowel-carrier (አ, ዐ) at the start of a name still sounds its vowel: "Abeba".
    if consonant.is_empty() && vowel.is_empty() {
        out.push('e');
    }
    out.push_str(vowel);
}
