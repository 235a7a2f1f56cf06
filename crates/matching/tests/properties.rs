//! Properties of normalisation, transliteration and keys that must hold for any input.

use kinbridge_matching::field::{compare, Role, Value};
use kinbridge_matching::normalize::{fold, joined};
use kinbridge_matching::phonetic::key;
use proptest::prelude::*;

/// The same name in different scripts and transliterations.
const SAME_NAME: &[&[&str]] = &[
    &["Muhammad", "Mohammed", "Mohamed", "محمد", "Мухаммед"],
    &["Yusuf", "Youssef", "يوسف"],
    &["Abdullah", "Abdulla", "عبدالله"],
    &["Hussein", "Husayn", "Hossein", "حسين"],
    &["Fatima", "Fatimah", "فاطمة"],
    &["Yohannes", "Johannes", "ዮሐንስ"],
    &["Tesfay", "Tesfaye", "ተስፋይ"],
    &["Oleksandr", "Olexandr", "Олександр"],
    &["Shevchenko", "Шевченко"],
    &["Papadopoulos", "Παπαδόπουλος"],
    &["Haddad", "حداد"],
    &["Wang Xiaoming", "王小明"],
];

fn decorate(name: &str, upper: bool, pad: &str, punct: bool) -> String {
    let n = if upper { name.to_uppercase() } else { name.to_string() };
    let n = if punct { n.replacen(' ', "-", 1) } else { n };
    format!("{pad}{n}{pad}")
}

proptest! {
    #[test]
    fn folding_is_idempotent(s in "\\PC{0,40}") {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once.clone());
        prop_assert!(!once.contains("  ") && !once.starts_with(' ') && !once.ends_with(' '));
        prop_assert_eq!(once.to_lowercase(), once.clone());
    }

    #[test]
    fn folding_handles_every_script_without_panicking(s in "[\\u{0400}-\\u{04FF}\\u{0600}-\\u{06FF}\\u{0370}-\\u{03FF}\\u{1200}-\\u{137F}\\u{4E00}-\\u{4FFF} a-zA-Z]{0,30}") {
        let f = fold(&s);
        prop_assert_eq!(fold(&f), f.clone());
        let _ = key(&joined(&f));
    }

    #[test]
    fn keys_are_script_independent_for_known_variants(
        group in 0..SAME_NAME.len(),
        a in 0usize..5, b in 0usize..5,
        upper in any::<bool>(), pad in "[ .,]{0,2}", punct in any::<bool>(),
    ) {
        let forms = SAME_NAME[group];
        let (x, y) = (forms[a % forms.len()], decorate(forms[b % forms.len()], upper, &pad, punct));
        let role = if x.contains(' ') { Role::FullName } else { Role::GivenName };
        let (vx, vy) = (Value::prepare(role, x, 2026), Value::prepare(role, &y, 2026));
        let level = compare(role, &vx, &vy);
        prop_assert!(level == 1 || level == 2, "{} / {} agree at level {}", x, y, level);
    }

    #[test]
    fn comparison_is_symmetric(a in "[a-d \\u{0430}-\\u{0433}]{0,12}", b in "[a-d \\u{0430}-\\u{0433}]{0,12}") {
        for role in [Role::GivenName, Role::FullName, Role::Place, Role::IdNumber] {
            let (va, vb) = (Value::prepare(role, &a, 2026), Value::prepare(role, &b, 2026));
            prop_assert_eq!(compare(role, &va, &vb), compare(role, &vb, &va));
        }
    }
}
