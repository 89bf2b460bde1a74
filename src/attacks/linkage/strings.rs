//! String similarity and phonetic keys used by comparators and blocking:
//! Jaro and Jaro-Winkler similarity, Levenshtein distance, Damerau-Levenshtein
//! distance (optimal string alignment variant) and American Soundex.
//!
//! All functions work on Unicode scalar values (`char`s), not bytes. They do
//! not normalise case or white space; callers decide that.

/// Jaro similarity in `[0, 1]` (Jaro 1989, "Advances in record-linkage
/// methodology as applied to matching the 1985 census of Tampa, Florida",
/// JASA 84(406)): matching characters within a window of
/// `max(|a|,|b|)/2 - 1`, transpositions counted as half the out-of-order matches.
pub fn jaro(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() {
        return jaro_ascii(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    jaro_slices(&a, &b)
}

/// Jaro on two ASCII byte strings. Up to 64 bytes each it is bit-parallel:
/// per byte value the set of its positions in `b`, so the first unused match
/// of `a[i]` inside the window is the lowest bit of
/// `positions & !used & window` (the same choice as the scan in
/// [`jaro_slices`]). Longer strings go to [`jaro_slices`].
fn jaro_ascii(a: &[u8], b: &[u8]) -> f64 {
    if a.len() > 64 || b.len() > 64 || a.is_empty() || b.is_empty() {
        return jaro_slices(a, b);
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut positions = [0u64; 128];
    for (j, &c) in b.iter().enumerate() {
        positions[(c & 127) as usize] |= 1u64 << j;
    }
    let (mut a_used, mut b_used, mut m) = (0u64, 0u64, 0usize);
    for (i, &c) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        if lo >= hi {
            continue;
        }
        let width = hi - lo;
        let in_window = if width >= 64 {
            u64::MAX
        } else {
            ((1u64 << width) - 1) << lo
        };
        let candidates = positions[(c & 127) as usize] & !b_used & in_window;
        if candidates != 0 {
            b_used |= 1u64 << candidates.trailing_zeros();
            a_used |= 1u64 << i;
            m += 1;
        }
    }
    if m == 0 {
        return 0.0;
    }
    let mut t = 0usize;
    let (mut rest_a, mut rest_b) = (a_used, b_used);
    while rest_a != 0 {
        let i = rest_a.trailing_zeros() as usize;
        let j = rest_b.trailing_zeros() as usize;
        if a[i] != b[j] {
            t += 1;
        }
        rest_a &= rest_a - 1;
        rest_b &= rest_b - 1;
    }
    let t = t as f64 / 2.0;
    let m = m as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// Jaro on two symbol slices. Strings of at most 64 symbols (all names,
/// dates and most e-mail addresses) keep the matched flags in two `u64`
/// bit sets, so the comparison allocates nothing; longer ones use vectors.
fn jaro_slices<T: PartialEq + Copy>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (m, half_transpositions) = if a.len() <= 64 && b.len() <= 64 {
        let (mut a_used, mut b_used) = (0u64, 0u64);
        let mut m = 0usize;
        for (i, &ca) in a.iter().enumerate() {
            let lo = i.saturating_sub(window);
            let hi = (i + window + 1).min(b.len());
            for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
                if b_used & (1u64 << j) == 0 && cb == ca {
                    b_used |= 1u64 << j;
                    a_used |= 1u64 << i;
                    m += 1;
                    break;
                }
            }
        }
        // Matched symbols of a and of b, each in string order, pairwise.
        let mut t = 0usize;
        let mut rest_b = b_used;
        let mut rest_a = a_used;
        while rest_a != 0 {
            let i = rest_a.trailing_zeros() as usize;
            let j = rest_b.trailing_zeros() as usize;
            if a[i] != b[j] {
                t += 1;
            }
            rest_a &= rest_a - 1;
            rest_b &= rest_b - 1;
        }
        (m, t)
    } else {
        let mut b_used = vec![false; b.len()];
        let mut a_matched = Vec::with_capacity(a.len());
        for (i, &ca) in a.iter().enumerate() {
            let lo = i.saturating_sub(window);
            let hi = (i + window + 1).min(b.len());
            for j in lo..hi {
                if !b_used[j] && b[j] == ca {
                    b_used[j] = true;
                    a_matched.push(ca);
                    break;
                }
            }
        }
        let b_matched = b.iter().zip(&b_used).filter(|(_, &u)| u).map(|(c, _)| *c);
        let t = a_matched
            .iter()
            .zip(b_matched)
            .filter(|(x, y)| **x != *y)
            .count();
        (a_matched.len(), t)
    };
    if m == 0 {
        return 0.0;
    }
    let t = half_transpositions as f64 / 2.0;
    let m = m as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// Jaro-Winkler similarity (Winkler 1990, "String comparator metrics and
/// enhanced decision rules in the Fellegi-Sunter model of record linkage"):
/// `jaro + l * 0.1 * (1 - jaro)` with `l` the common prefix length (at most 4),
/// the boost applied only when the Jaro similarity exceeds 0.7, as in
/// Winkler's original code, jellyfish and rapidfuzz (used by Splink's DuckDB
/// backend). ASCII inputs are compared byte-wise without allocating.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        return jaro_winkler_boost(a, b, jaro_ascii(a, b));
    }
    let ac: Vec<char> = a.chars().collect();
    let bc: Vec<char> = b.chars().collect();
    jaro_winkler_slices(&ac, &bc)
}

fn jaro_winkler_slices<T: PartialEq + Copy>(a: &[T], b: &[T]) -> f64 {
    jaro_winkler_boost(a, b, jaro_slices(a, b))
}

fn jaro_winkler_boost<T: PartialEq + Copy>(a: &[T], b: &[T], j: f64) -> f64 {
    if j <= 0.7 {
        return j;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    j + prefix as f64 * 0.1 * (1.0 - j)
}

/// Levenshtein edit distance (Levenshtein 1966): insertions, deletions and
/// substitutions, each of cost 1. Two-row dynamic programme, O(|a||b|) time.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() {
        return b.len();
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Damerau-Levenshtein distance in its optimal string alignment form
/// (Damerau 1964, "A technique for computer detection and correction of
/// spelling errors", CACM 7(3); OSA as described by Boytsov 2011): Levenshtein
/// plus transposition of two adjacent characters at cost 1, no substring
/// edited twice. This is the variant `splink`'s `damerau_levenshtein` in
/// DuckDB and jellyfish's `damerau_levenshtein_distance` differ on only for
/// inputs such as `CA`/`ABC` (OSA 3, unrestricted 2).
pub fn damerau_levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    if n == 0 {
        return m;
    }
    if m == 0 {
        return n;
    }
    // Three rows: i-2, i-1, i.
    let mut two_back = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two_back[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// American Soundex code (Russell & Odell 1918; the US National Archives
/// rules): first letter kept, then consonant digits, vowels separate equal
/// digits while `H` and `W` do not, padded or cut to 4 characters. Non-ASCII
/// letters and other characters are ignored; `None` when there is no ASCII
/// letter at all.
pub fn soundex(text: &str) -> Option<String> {
    fn digit(c: char) -> Option<u8> {
        match c {
            'B' | 'F' | 'P' | 'V' => Some(b'1'),
            'C' | 'G' | 'J' | 'K' | 'Q' | 'S' | 'X' | 'Z' => Some(b'2'),
            'D' | 'T' => Some(b'3'),
            'L' => Some(b'4'),
            'M' | 'N' => Some(b'5'),
            'R' => Some(b'6'),
            _ => None,
        }
    }
    let mut letters = text
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_uppercase());
    let first = letters.next()?;
    let mut code = String::with_capacity(4);
    code.push(first);
    let mut last = digit(first);
    for c in letters {
        if code.len() == 4 {
            break;
        }
        match digit(c) {
            Some(d) => {
                if last != Some(d) {
                    code.push(d as char);
                }
                last = Some(d);
            }
            None if c == 'H' || c == 'W' => {}
            None => last = None,
        }
    }
    while code.len() < 4 {
        code.push('0');
    }
    Some(code)
}

/// Days since 1970-01-01 of an ISO date `YYYY-MM-DD` (anything after the
/// tenth character, e.g. a time, is ignored). `None` when it is not a valid
/// calendar date. Uses Hinnant's `days_from_civil` algorithm.
pub fn iso_date_days(text: &str) -> Option<i64> {
    let t = text.trim();
    let d = t.get(..10)?;
    let bytes = d.as_bytes();
    if !bytes.is_ascii() || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let y: i64 = d[..4].parse().ok()?;
    let m: u32 = d[5..7].parse().ok()?;
    let day: u32 = d[8..10].parse().ok()?;
    if !(1..=12).contains(&m) || day == 0 || day > crate::data::calendar::days_in_month(y, m) {
        return None;
    }
    Some(crate::data::calendar::days_from_civil(y, m, day))
}

/// The year of a date written `YYYY...` (first four characters), if numeric.
pub fn year_of(text: &str) -> Option<i32> {
    let t = text.trim();
    let y = t.get(..4)?;
    if y.bytes().all(|b| b.is_ascii_digit()) {
        y.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_published_examples() {
        // Winkler (1990) / Wikipedia: MARTHA vs MARHTA: m = 6, t = 1,
        // jaro = (1 + 1 + 5/6)/3 = 0.944444; prefix 3 -> 0.944444 + 0.3*0.055556 = 0.961111.
        assert!((jaro("MARTHA", "MARHTA") - 0.944_444).abs() < 1e-6);
        assert!((jaro_winkler("MARTHA", "MARHTA") - 0.961_111).abs() < 1e-6);
        // DIXON vs DICKSONX: m = 4, t = 0, jaro = (4/5 + 4/8 + 1)/3 = 0.766667;
        // prefix 2 -> 0.766667 + 0.2*0.233333 = 0.813333.
        assert!((jaro_winkler("DIXON", "DICKSONX") - 0.813_333).abs() < 1e-6);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
    }

    /// The textbook Jaro with vectors (the form before the bit-set path).
    fn jaro_reference(a: &str, b: &str) -> f64 {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        if a.is_empty() && b.is_empty() {
            return 1.0;
        }
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let window = (a.len().max(b.len()) / 2).saturating_sub(1);
        let mut b_used = vec![false; b.len()];
        let mut a_matched = Vec::new();
        for (i, &ca) in a.iter().enumerate() {
            for j in i.saturating_sub(window)..(i + window + 1).min(b.len()) {
                if !b_used[j] && b[j] == ca {
                    b_used[j] = true;
                    a_matched.push(ca);
                    break;
                }
            }
        }
        let m = a_matched.len() as f64;
        if m == 0.0 {
            return 0.0;
        }
        let b_matched = b.iter().zip(&b_used).filter(|(_, &u)| u).map(|(c, _)| *c);
        let t = a_matched
            .iter()
            .zip(b_matched)
            .filter(|(x, y)| **x != *y)
            .count() as f64
            / 2.0;
        (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
    }

    proptest::proptest! {
        /// The allocation-free bit-set path (ASCII, <= 64 symbols) and the
        /// vector path (longer or non-ASCII) both equal the textbook form.
        #[test]
        fn jaro_paths_agree(a in "[abcé]{0,80}", b in "[abcé]{0,80}", c in "[a-c]{0,70}", d in "[a-c]{0,70}") {
            proptest::prop_assert_eq!(jaro(&a, &b), jaro_reference(&a, &b));
            proptest::prop_assert_eq!(jaro(&c, &d), jaro_reference(&c, &d));
            let (cc, dc): (Vec<char>, Vec<char>) = (c.chars().collect(), d.chars().collect());
            proptest::prop_assert_eq!(jaro_winkler(&c, &d), jaro_winkler_slices(&cc, &dc));
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("flaw", "lawn"), 2);
        assert_eq!(damerau_levenshtein("ab", "ba"), 1);
        assert_eq!(levenshtein("ab", "ba"), 2);
        // OSA, not unrestricted Damerau: CA -> ABC is 3.
        assert_eq!(damerau_levenshtein("CA", "ABC"), 3);
        assert_eq!(damerau_levenshtein("smtih", "smith"), 1);
    }

    #[test]
    fn soundex_nara_rules() {
        assert_eq!(soundex("Robert").as_deref(), Some("R163"));
        assert_eq!(soundex("Rupert").as_deref(), Some("R163"));
        assert_eq!(soundex("Ashcraft").as_deref(), Some("A261"));
        assert_eq!(soundex("Tymczak").as_deref(), Some("T522"));
        assert_eq!(soundex("Pfister").as_deref(), Some("P236"));
        assert_eq!(soundex("Lee").as_deref(), Some("L000"));
        assert_eq!(soundex("123"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date_days("1970-01-01"), Some(0));
        assert_eq!(iso_date_days("2000-03-01"), Some(11_017));
        assert_eq!(iso_date_days("2000-02-30"), None);
        assert_eq!(iso_date_days("2000-02-29"), Some(11_016));
        // Non-ASCII input must not panic on a char boundary.
        assert_eq!(iso_date_days("20\u{e9}0-01-01"), None);
        assert_eq!(iso_date_days("2000-01"), None);
        assert_eq!(year_of("1987-05-02"), Some(1987));
        assert_eq!(year_of("x"), None);
    }
}
