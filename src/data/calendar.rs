//! Civil-calendar arithmetic shared by the export readers and the generator:
//! Unix seconds to ISO 8601 UTC strings, day numbers and weekdays, without a
//! date-time dependency. Uses the
//! days-from-civil / civil-from-days algorithms of H. Hinnant, "chrono-Compatible
//! Low-Level Date Algorithms" (2013). Proleptic Gregorian, UTC only; time zones
//! are fixed offsets (no daylight saving time).

/// Days since 1970-01-01 of the civil date `y-m-d` (Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date `(year, month, day)` of a day number since 1970-01-01
/// (Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days in `month` (1-12) of `year`, proleptic Gregorian.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Weekday of a day number: 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
pub fn weekday(days: i64) -> u32 {
    (days + 3).rem_euclid(7) as u32
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_utc(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Formats Unix seconds as the ISO 8601 week label `YYYY-Www` (weeks start on Monday;
/// week 1 contains the year's first Thursday).
pub fn iso_week(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let thursday = days - i64::from(weekday(days)) + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    format!("{year:04}-W{week:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        // 2000-03-01 is day 11017: 30 years * 365 + 7 leap days (72..96) = 10957 to 2000-01-01, + 31 + 29.
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        // 2024-01-01 was a Monday.
        assert_eq!(weekday(days_from_civil(2024, 1, 1)), 0);
        assert_eq!(iso_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        // 2021-01-03 (Sunday) belongs to ISO week 2020-W53.
        assert_eq!(iso_week(days_from_civil(2021, 1, 3) * 86_400), "2020-W53");
        assert_eq!(iso_week(days_from_civil(2024, 1, 1) * 86_400), "2024-W01");
    }
}
