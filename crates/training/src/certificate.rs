//! Certificate codes people can type and check: twelve characters of Crockford's base 32
//! (no I, L, O or U to misread) drawn from 60 random bits, and Crockford's check symbol (a
//! weighted sum modulo 37) that catches a mistyped or swapped character before any lookup.
//! Written `KB-XXXX-XXXX-XXXX-C`.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";

/// A code from 60 random bits (from a secure source: codes must not be guessable).
pub fn code(random: u64) -> String {
    let digits: Vec<u8> = (0..12).map(|i| ALPHABET[((random >> (i * 5)) & 31) as usize]).collect();
    let check = check_char(&digits);
    let s = String::from_utf8_lossy(&digits).into_owned();
    format!("KB-{}-{}-{}-{}", &s[..4], &s[4..8], &s[8..], check as char)
}

/// The code as stored, from what someone typed (any case, spaces or dashes, O for 0, I and
/// L for 1), or none when it cannot be a code.
pub fn normalise(typed: &str) -> Option<String> {
    let mut digits = Vec::new();
    let body = typed.trim();
    let body = body.strip_prefix("KB").or_else(|| body.strip_prefix("kb")).unwrap_or(body);
    for c in body.chars().filter(|c| !matches!(c, '-' | ' ')) {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CHECK.contains(&(c as u8)) {
            return None;
        }
        digits.push(c as u8);
    }
    if digits.len() != 13 || digits[..12].iter().any(|c| !ALPHABET.contains(c)) {
        return None;
    }
    let (body, check) = digits.split_at(12);
    if check_char(body) != check[0] {
        return None;
    }
    let s = String::from_utf8_lossy(body).into_owned();
    Some(format!("KB-{}-{}-{}-{}", &s[..4], &s[4..8], &s[8..], check[0] as char))
}

/// Weights 1 to 12 and values under 32, modulo the prime 37: one wrong character or two
/// swapped neighbours always change the sum.
fn check_char(digits: &[u8]) -> u8 {
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap_or(0);
    let sum: usize = digits.iter().enumerate().map(|(i, &c)| (i + 1) * value(c)).sum();
    CHECK[sum % 37]
}

/// A person's name as a certificate's public check shows it: initials only.
pub fn initials(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '-')
        .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
        .flat_map(char::to_uppercase)
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_read_back_from_what_people_type() {
        let c = code(0x0123_4567_89ab_cdef);
        assert_eq!(c.len(), "KB-XXXX-XXXX-XXXX-C".len());
        assert_eq!(normalise(&c).as_deref(), Some(c.as_str()));
        assert_eq!(normalise(&c.to_lowercase().replace('-', " ")).as_deref(), Some(c.as_str()));
        assert_eq!(normalise("KB-0000"), None);
        assert_eq!(normalise("not a code at all"), None);
        assert_eq!(normalise("KB-ÀÀÀÀ-0000-0000-0"), None);
    }

    #[test]
    fn initials_only() {
        assert_eq!(initials("Amina Wanjiru Otieno"), "A. W. O.");
        assert_eq!(initials("Jean-Pierre  de la Tour"), "J. P. D. L. T.");
        assert_eq!(initials("زينب الحسن"), "ز. ا.");
        assert_eq!(initials(""), "");
    }

    proptest! {
        #[test]
        fn one_wrong_character_is_caught(random in any::<u64>(), at in 0usize..12, to in 0usize..32) {
            let c = code(random);
            let mut digits: Vec<u8> = c.bytes().filter(|b| *b != b'-').skip(2).collect();
            prop_assume!(digits[at] != ALPHABET[to]);
            digits[at] = ALPHABET[to];
            prop_assert_eq!(normalise(&String::from_utf8(digits).unwrap()), None);
        }

        #[test]
        fn two_swapped_neighbours_are_caught(random in any::<u64>(), at in 0usize..11) {
            let c = code(random);
            let mut digits: Vec<u8> = c.bytes().filter(|b| *b != b'-').skip(2).collect();
            prop_assume!(digits[at] != digits[at + 1]);
            digits.swap(at, at + 1);
            prop_assert_eq!(normalise(&String::from_utf8(digits).unwrap()), None);
        }
    }
}
