//! String similarity on the hot path. Folded names are short ASCII, so Jaro-Winkler runs on
//! bytes with flags on the stack; anything longer or non-ASCII goes to `strsim`.

/// Jaro-Winkler similarity (prefix scale 0.1, up to 4 characters, applied above 0.7), as
/// `strsim::jaro_winkler` computes it.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    jaro_winkler_from(a, b, 0.0)
}

/// Jaro-Winkler similarity when it can reach `floor`, otherwise 0. A bound from the letters
/// the two strings share skips the full computation for most unrelated pairs.
pub fn jaro_winkler_from(a: &str, b: &str, floor: f64) -> f64 {
    let s = bounded_jaro_winkler(a, b, floor);
    if s >= floor {
        s
    } else {
        0.0
    }
}

fn bounded_jaro_winkler(a: &str, b: &str, floor: f64) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() > 64 || y.len() > 64 {
        let s = strsim::jaro_winkler(a, b);
        return if s >= floor { s } else { 0.0 };
    }
    if floor > 0.0 && !x.is_empty() && !y.is_empty() {
        let mask = |s: &[u8]| s.iter().fold(0u64, |m, &c| m | 1 << (c & 63));
        let (mx, my) = (mask(x), mask(y));
        let mx_count = x.iter().filter(|&&c| my & (1 << (c & 63)) != 0).count();
        let my_count = y.iter().filter(|&&c| mx & (1 << (c & 63)) != 0).count();
        let m = mx_count.min(my_count) as f64;
        let best_jaro = (m / x.len() as f64 + m / y.len() as f64 + 1.0) / 3.0;
        let best = if best_jaro > 0.7 { best_jaro + 0.4 * (1.0 - best_jaro) } else { best_jaro };
        if best < floor {
            return 0.0;
        }
    }
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let mut ya = [false; 64];
    let mut xa = [false; 64];
    let mut matches = 0usize;
    for (i, &c) in x.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(y.len());
        for j in lo..hi {
            if !ya[j] && y[j] == c {
                ya[j] = true;
                xa[i] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for i in 0..x.len() {
        if xa[i] {
            while !ya[k] {
                k += 1;
            }
            if x[i] != y[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / x.len() as f64 + m / y.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert!((super::jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((super::jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(super::jaro_winkler("", ""), 1.0);
        assert_eq!(super::jaro_winkler("abc", ""), 0.0);
    }

    proptest! {
        #[test]
        fn agrees_with_strsim(a in "[a-z ]{0,20}", b in "[a-z ]{0,20}", floor in 0.0f64..1.0) {
            let ours = super::jaro_winkler(&a, &b);
            let theirs = strsim::jaro_winkler(&a, &b);
            prop_assert!((ours - theirs).abs() < 1e-9, "{} vs {}", ours, theirs);
            let bounded = super::jaro_winkler_from(&a, &b, floor);
            let expected = if theirs >= floor { theirs } else { 0.0 };
            prop_assert!((bounded - expected).abs() < 1e-9, "floor {}: {} vs {}", floor, bounded, expected);
        }
    }
}

/// Edit distance counting an exchange of two neighbouring characters as one edit (optimal
/// string alignment), capped: anything above `cap` is returned as `cap + 1`.
pub fn edit_distance(a: &str, b: &str, cap: usize) -> usize {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len().abs_diff(y.len()) > cap {
        return cap + 1;
    }
    if !a.is_ascii() || !b.is_ascii() || y.len() >= 32 {
        return strsim::osa_distance(a, b).min(cap + 1);
    }
    // Three rolling rows of the dynamic programme.
    let n = y.len();
    let mut prev2 = [0usize; 33];
    let mut prev: [usize; 33] = std::array::from_fn(|j| j);
    let mut cur = [0usize; 33];
    for i in 1..=x.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(x[i - 1] != y[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > cap {
            return cap + 1;
        }
        prev2 = prev;
        prev = cur;
    }
    prev[n].min(cap + 1)
}

#[cfg(test)]
mod edit_tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_strsim_osa(a in "[0-9a-c]{0,12}", b in "[0-9a-c]{0,12}") {
            let theirs = strsim::osa_distance(&a, &b).min(3);
            prop_assert_eq!(super::edit_distance(&a, &b, 2), theirs);
        }
    }
}
