//! The smallest size at which a monotone test first holds: doubling, then
//! bisection. Shared by the planners that ask "how many trials (canaries,
//! targets) until the bound refutes the claim?".

/// The smallest `n` in `[start, max]` at which `holds(n)` is true, assuming
/// `holds` is (about) monotone: `n` doubles from `start` until `holds`, or
/// `None` once `max` has been tried; then bisection between the last two
/// sizes. With a test that is monotone only up to rounding (success counts
/// rounded to whole numbers), the answer can be off by a few.
pub(crate) fn smallest_holding<E>(
    start: u64,
    max: u64,
    mut holds: impl FnMut(u64) -> Result<bool, E>,
) -> Result<Option<u64>, E> {
    let mut hi = start.max(1);
    while !holds(hi)? {
        if hi >= max {
            return Ok(None);
        }
        hi = hi.saturating_mul(2).min(max);
    }
    let mut lo = hi / 2;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if holds(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(Some(hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_threshold_of_a_monotone_test() {
        let at = |t: u64| smallest_holding::<()>(1, 1 << 20, |n| Ok(n >= t)).unwrap();
        assert_eq!(at(1), Some(1));
        assert_eq!(at(37), Some(37));
        assert_eq!(at(1 << 20), Some(1 << 20));
        assert_eq!(at((1 << 20) + 1), None);
        // Starting above the threshold returns the start's lower half's answer.
        assert_eq!(
            smallest_holding::<()>(8, 64, |n| Ok(n >= 6)).unwrap(),
            Some(6)
        );
        assert_eq!(smallest_holding(1, 8, |_| Err("bad")), Err("bad"));
    }
}
