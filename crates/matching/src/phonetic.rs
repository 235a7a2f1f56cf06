//! A phonetic skeleton for names transliterated by many hands: the consonants as they sound,
//! vowels dropped after the first letter, voiced and unvoiced pairs merged, a consonant
//! repeated across a vowel written once. "Muhammad",
//! "Mohammed", "Mehmet" and the Arabic محمد (folded to "mhmd") share the key "mhmt";
//! "Yusuf", "Youssef" and يوسف share "asf".

/// The phonetic key of one folded word (see [`crate::normalize::fold`]).
pub fn key(word: &str) -> String {
    let b = word.as_bytes();
    let mut mapped: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let next2 = b.get(i + 2).copied().unwrap_or(0);
        let (out, used): (&[u8], usize) = match (c, next, next2) {
            (b's', b'c', b'h') | (b't', b'c', b'h') | (b'd', b'z', b'h') => (if c == b'd' { b"y" } else { b"s" }, 3),
            (b's' | b'c' | b'z', b'h', _) => (b"s", 2),
            (b'p', b'h', _) => (b"f", 2),
            (b't' | b'd', b'h', _) => (b"t", 2),
            (b'k', b'h', _) => (b"h", 2),
            (b'g', b'h', _) => (b"k", 2),
            (b'c', b'k', _) => (b"k", 2),
            (b'q', b'u', _) => (b"k", 2),
            (b't', b's' | b'z', _) => (b"s", 2),
            (b'd', b'j', _) => (b"y", 2),
            (b'c', b'e' | b'i' | b'y', _) => (b"s", 1),
            (b'c' | b'q' | b'g' | b'k', _, _) => (b"k", 1),
            (b'x', _, _) => (b"ks", 1),
            (b'z', _, _) => (b"s", 1),
            (b'v' | b'w' | b'f', _, _) => (b"f", 1),
            (b'p' | b'b', _, _) => (b"b", 1),
            (b'd' | b't', _, _) => (b"t", 1),
            (b'j', _, _) => (b"y", 1),
            _ => (std::slice::from_ref(&b[i]), 1),
        };
        mapped.extend_from_slice(out);
        i += used;
    }
    // A final h is mostly silent in transliteration: Fatimah / Fatima, Abdullah / Abdulla / الله.
    if mapped.len() > 1 && mapped.last() == Some(&b'h') {
        mapped.pop();
    }
    let mut key = String::with_capacity(mapped.len());
    let mut last = 0u8;
    for (n, &c) in mapped.iter().enumerate() {
        let c = if n == 0 && is_vowel(c) { b'a' } else { c };
        // Vowels are dropped without separating consonants: scripts that do not write short
        // vowels (Arabic) also write a doubled consonant once, so "Haddad" and حداد agree.
        if n > 0 && is_vowel(c) {
            continue;
        }
        if c != last {
            key.push(char::from(c));
        }
        last = c;
    }
    key
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

#[cfg(test)]
mod tests {
    use super::key;
    use crate::normalize::fold;

    fn k(s: &str) -> String {
        key(&crate::normalize::joined(&fold(s)))
    }

    #[test]
    fn transliteration_variants_share_a_key() {
        for group in [
            &["Muhammad", "Mohammed", "Mohamed", "Mehmet", "Muhammed", "محمد", "Мухаммед"][..],
            &["Yusuf", "Youssef", "Yousef", "يوسف"],
            &["Abdullah", "Abdulla", "Abd-Allah", "عبد الله"],
            &["Hussein", "Husayn", "Hossein", "Husain", "حسين"],
            &["Fatima", "Fatimah", "Fatma", "فاطمة"],
            &["Yohannes", "Johannes", "ዮሐንስ"],
            &["Tesfay", "Tesfaye", "ተስፋይ"],
            &["Oleksandr", "Olexandr", "Олександр"],
        ] {
            let keys: Vec<String> = group.iter().map(|n| k(n)).collect();
            let first = &keys[0];
            let first_trimmed = first.trim_end_matches('y');
            for (name, key) in group.iter().zip(&keys) {
                assert_eq!(key.trim_end_matches('y'), first_trimmed, "{name} -> {key} vs {} -> {first}", group[0]);
            }
        }
    }

    #[test]
    fn different_names_differ() {
        assert_ne!(k("Ahmed"), k("Mohammed"));
        assert_ne!(k("Ahmed"), k("Omar"));
        assert_ne!(k("Natalia"), k("Nadia"));
    }
}
