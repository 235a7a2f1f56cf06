//! Folding text into comparable Latin keys: scripts transliterated, compatibility forms and
//! diacritics removed, case folded, punctuation turned into word breaks.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::translit::push_latin;

/// Folds `s` into lowercase ASCII-ish Latin words separated by single spaces.
///
/// `fold("  Müller-Lüdenscheidt ")` is `"muller ludenscheidt"`, `fold("Мухаммед")` is
/// `"mukhammed"`, `fold("O'Brien")` is `"obrien"`. Folding is idempotent.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if c.is_ascii() {
            push_ascii(c, &mut out);
        } else if is_direct_script(c) {
            if !push_latin(c, prev, &mut out) {
                out.push(' ');
            }
        } else {
            push_decomposed(c, &mut out);
        }
        prev = Some(c);
    }
    collapse_spaces(&out)
}

/// Scripts transliterated from the undecomposed letter (decomposition would split Cyrillic
/// `й` into `и` and a breve, and the Arabic short vowels are marks we want to read).
fn is_direct_script(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x04FF | 0x0600..=0x06FF | 0x0750..=0x077F | 0x1200..=0x137F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

fn push_ascii(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
    } else if !matches!(c, '\'' | '`') {
        out.push(' ');
    }
}

/// A letter outside the transliterated scripts: its compatibility decomposition without marks.
fn push_decomposed(c: char, out: &mut String) {
    decompose_compatible(c, |d| {
        if d.is_ascii() {
            push_ascii(d, out);
        } else if is_combining_mark(d) {
        } else if !push_latin(d, None, out) {
            push_other(d, out);
        }
    });
}

fn push_other(c: char, out: &mut String) {
    let s = match c {
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'ł' | 'Ł' => "l",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        'ŋ' => "ng",
        'ħ' => "h",
        // Apostrophes and the letters made of them ("Hawai'i", "Ta'izz").
        '’' | '‘' | 'ʼ' | 'ʻ' | 'ʿ' | 'ʾ' | '´' => "",
        _ => {
            if c.is_alphanumeric() {
                let mut lower = c.to_lowercase();
                if lower.len() == 1 && lower.next() == Some(c) {
                    out.push(c);
                } else {
                    // A capital folds as its small letter would ('Ħ' as 'ħ', 'İ' as 'i').
                    for l in c.to_lowercase() {
                        push_decomposed(l, out);
                    }
                }
                return;
            }
            " "
        }
    };
    out.push_str(s);
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Only the digits of `s` (phone numbers, identity numbers written with separators).
pub fn digits(s: &str) -> String {
    s.chars().filter_map(|c| c.to_digit(10).map(|d| char::from(b'0' + d as u8))).collect()
}

/// `fold` without spaces: "Abdel Rahman", "Abdel-Rahman" and "Abdelrahman" agree.
pub fn joined(folded: &str) -> String {
    folded.chars().filter(|c| *c != ' ').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_latin_diacritics_case_and_punctuation() {
        assert_eq!(fold("  Müller-Lüdenscheidt "), "muller ludenscheidt");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("Nguyễn Thị Ánh"), "nguyen thi anh");
        assert_eq!(fold("Łukasz Straße"), "lukasz strasse");
        assert_eq!(fold("ﬁdèle"), "fidele");
        // Capitals outside the ASCII range fold as their small letters (found by proptest).
        assert_eq!(fold("ꟸ Ħ İ"), "h h i");
    }

    #[test]
    fn folding_any_single_character_is_idempotent() {
        let mut s = String::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            s.clear();
            s.push(c);
            let once = fold(&s);
            assert_eq!(fold(&once), once, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn transliterates_scripts() {
        assert_eq!(fold("Мухаммед"), "mukhammed");
        assert_eq!(fold("Олександр Шевченко"), "oleksandr shevchenko");
        assert_eq!(fold("Андрій"), "andriy");
        assert_eq!(fold("Γιώργος Παπαδόπουλος"), "giorgos papadopoulos");
        assert_eq!(fold("محمد"), "mhmd");
        assert_eq!(fold("عبد الله"), "abd allh");
        assert_eq!(fold("يوسف"), "yusf");
        assert_eq!(fold("ዮሐንስ"), "yohens");
        assert_eq!(fold("ተስፋይ"), "tesfay");
        assert_eq!(fold("王小明"), "wangxiaoming");
    }

    #[test]
    fn digits_only() {
        assert_eq!(digits("+41 (0)79 123-45-67"), "410791234567");
    }
}
