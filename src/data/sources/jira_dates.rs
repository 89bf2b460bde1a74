//! The date formats Jira writes, read into ISO 8601.
//!
//! * The issue navigator's CSV export and the comment cells use the site's
//!   "complete date/time format", by default `dd/MMM/yy h:mm a`
//!   (`12/Apr/26 3:30 PM`; Atlassian, "Configuring the look and feel:
//!   date/time formats"); a four-digit year is accepted too, and a date alone.
//! * The REST API writes `2026-04-12T15:30:00.000+0200` (ISO 8601 with a
//!   numeric offset); the Data Pipeline export `2026-04-12 13:30:00`.
//!
//! A time with an offset is converted to UTC and written with `Z`
//! (`2026-04-12T13:30:00Z`); a time without one is the exporting user's
//! local time and is written without a zone (`2026-04-12T15:30`), because
//! the export does not say which zone it is. Two-digit years are read as
//! Java's `SimpleDateFormat` does with a pivot: `00`-`69` are 2000-2069,
//! `70`-`99` are 1970-1999 (Jira started in 2002).

use crate::data::calendar::{civil_from_days, days_from_civil, days_in_month};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn valid(year: i64, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

/// `12/Apr/26 3:30 PM`, `12/Apr/2026 15:30`, `12/Apr/26`.
fn navigator(text: &str) -> Option<String> {
    let mut parts = text.split_whitespace();
    let date = parts.next()?;
    let mut fields = date.split('/');
    let (d, mon, y) = (fields.next()?, fields.next()?, fields.next()?);
    if fields.next().is_some() {
        return None;
    }
    let day = number(d)?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(mon))? as u32 + 1;
    let year = match (number(y)?, y.len()) {
        (yy, 2) if yy < 70 => 2000 + yy as i64,
        (yy, 2) => 1900 + yy as i64,
        (yyyy, 4) => yyyy as i64,
        _ => return None,
    };
    if !valid(year, month, day) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let Some(time) = parts.next() else {
        return Some(date);
    };
    let (h, m) = time.split_once(':')?;
    let (mut hour, minute) = (number(h)?, number(m)?);
    match parts.next().map(str::to_ascii_uppercase).as_deref() {
        Some("AM") if (1..=12).contains(&hour) => hour %= 12,
        Some("PM") if (1..=12).contains(&hour) => hour = hour % 12 + 12,
        None => {}
        _ => return None,
    }
    if parts.next().is_some() || hour > 23 || minute > 59 {
        return None;
    }
    Some(format!("{date}T{hour:02}:{minute:02}"))
}

/// `2026-04-12T15:30:00.000+0200`, `2026-04-12 13:30:00`, `2026-04-12`.
fn iso(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (
        number(&text[..4])? as i64,
        number(&text[5..7])?,
        number(&text[8..10])?,
    );
    if !valid(year, month, day) {
        return None;
    }
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(format!("{year:04}-{month:02}-{day:02}"));
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    // Split the clock from the zone.
    let zone_at = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let clock = clock.split('.').next()?; // milliseconds dropped
    let mut hms = clock.split(':');
    let hour = number(hms.next()?)?;
    let minute = number(hms.next()?)?;
    let second = hms.next().map(number).unwrap_or(Some(0))?;
    if hms.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset_minutes: i64 = match zone {
        "" => {
            return Some(format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
            ))
        }
        "Z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 {
                return None;
            }
            let (oh, om) = (number(&digits[..2])? as i64, number(&digits[2..])? as i64);
            sign * (oh * 60 + om)
        }
    };
    let minutes = days_from_civil(year, month, day) * 1440 + hour as i64 * 60 + minute as i64
        - offset_minutes;
    let (y, m, d) = civil_from_days(minutes.div_euclid(1440));
    let in_day = minutes.rem_euclid(1440);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{second:02}Z",
        in_day / 60,
        in_day % 60
    ))
}

/// A Jira date or date-time as ISO 8601, or `None` when the text is none of
/// the formats above (the caller names the cell).
pub fn to_iso(text: &str) -> Option<String> {
    let t = text.trim();
    iso(t).or_else(|| navigator(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_navigator_format() {
        assert_eq!(
            to_iso("12/Apr/26 3:30 PM").as_deref(),
            Some("2026-04-12T15:30")
        );
        assert_eq!(
            to_iso("01/Jan/99 12:05 AM").as_deref(),
            Some("1999-01-01T00:05")
        );
        assert_eq!(
            to_iso("1/jan/2024 12:00 PM").as_deref(),
            Some("2024-01-01T12:00")
        );
        assert_eq!(to_iso("29/Feb/24").as_deref(), Some("2024-02-29"));
        assert_eq!(to_iso("29/Feb/23"), None);
        assert_eq!(to_iso("12/Apr/26 13:30 PM"), None);
        assert_eq!(to_iso("12/Avr/26 3:30 PM"), None);
    }

    #[test]
    fn reads_rest_dates_into_utc() {
        assert_eq!(
            to_iso("2026-04-12T15:30:00.000+0200").as_deref(),
            Some("2026-04-12T13:30:00Z")
        );
        // Across midnight and a year boundary, negative offset.
        assert_eq!(
            to_iso("2025-12-31T22:15:10.123-0230").as_deref(),
            Some("2026-01-01T00:45:10Z")
        );
        assert_eq!(
            to_iso("2026-03-01T00:10:00+01:00").as_deref(),
            Some("2026-02-28T23:10:00Z")
        );
        assert_eq!(
            to_iso("2026-04-12 13:30:00").as_deref(),
            Some("2026-04-12T13:30:00")
        );
        assert_eq!(to_iso("2026-04-12").as_deref(), Some("2026-04-12"));
        assert_eq!(to_iso("2026-04-31"), None);
        assert_eq!(to_iso("soon"), None);
    }

    #[test]
    fn civil_day_arithmetic_round_trips() {
        for z in [-719468, -1, 0, 1, 10957, 20000, 2932896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
    }
}
