//! Calendar dates (proleptic Gregorian, no time zone) and the date formats carriers print.
//!
//! Invariant: a [`Date`] always names a day that exists (month 1–12, day within the month).
//! Its serde form is ISO 8601 `YYYY-MM-DD`, as the `--json` schema promises.
//!
//! Day arithmetic uses the days-from-civil algorithm (H. Hinnant, "chrono-Compatible Low-Level
//! Date Algorithms"): day 0 is 1970-01-01.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (e.g. 2026).
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
}

/// Why a text is not an ISO 8601 date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not shaped `YYYY-MM-DD`.
    #[error("not an ISO 8601 date (YYYY-MM-DD): {0:?}")]
    Format(String),
    /// The shape is right but the day does not exist.
    #[error("no such day: {year}-{month:02}-{day:02}")]
    NoSuchDay {
        /// Year as written.
        year: i32,
        /// Month as written.
        month: u32,
        /// Day as written.
        day: u32,
    },
}

/// Days since 1970-01-01 are clamped to this range so year arithmetic stays in `i32`.
const MAX_DAYS: i64 = 700_000_000_000;

impl Date {
    /// The date, if that day exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days_since_epoch(&self) -> i64 {
        let m = i64::from(self.month);
        let d = i64::from(self.day);
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (clamped to about ±1.9 billion years).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days.clamp(-MAX_DAYS, MAX_DAYS) + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX }),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(&self, other: &Date) -> i64 {
        other.to_days_since_epoch() - self.to_days_since_epoch()
    }

    /// The date `n` days later (or earlier when negative).
    pub fn add_days(&self, n: i64) -> Date {
        Date::from_days_since_epoch(self.to_days_since_epoch().saturating_add(n))
    }

    /// Parses `YYYY-MM-DD` exactly (four-digit year, two-digit month and day).
    pub fn parse_iso(s: &str) -> Result<Date, DateError> {
        let b = s.as_bytes();
        let shaped = b.len() == 10
            && b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shaped {
            return Err(DateError::Format(s.to_string()));
        }
        let num = |r: std::ops::Range<usize>| -> u32 {
            s.get(r).and_then(|t| t.parse().ok()).unwrap_or(0)
        };
        let (year, month, day) = (num(0..4), num(5..7), num(8..10));
        let y = i32::try_from(year).unwrap_or(0);
        u8::try_from(month)
            .ok()
            .zip(u8::try_from(day).ok())
            .and_then(|(m, d)| Date::new(y, m, d))
            .ok_or(DateError::NoSuchDay {
                year: y,
                month,
                day,
            })
    }
}

/// Days in `month` of `year` (0 for a month outside 1–12).
pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse_iso(&s)
            .or_else(|e| parse_expanded(&s).ok_or(e))
            .map_err(serde::de::Error::custom)
    }
}

/// The form [`Date`]'s `Display` writes for years outside 0000–9999 (`-4712-04-01`,
/// `10000-01-01`: ISO 8601 expanded years), so that every serialised date reads back.
fn parse_expanded(s: &str) -> Option<Date> {
    let split = s.len().checked_sub(6)?;
    let (year, md) = (s.get(..split)?, s.get(split..)?.as_bytes());
    let shaped = md.len() == 6
        && md[0] == b'-'
        && md[3] == b'-'
        && [1, 2, 4, 5].iter().all(|&i| md[i].is_ascii_digit());
    let digits = year.strip_prefix('-').unwrap_or(year);
    if !shaped || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y = i32::try_from(year.parse::<i64>().ok()?).ok()?;
    let num = |i: usize| (md[i] - b'0') * 10 + (md[i + 1] - b'0');
    Date::new(y, num(1), num(4))
}

// ---------------------------------------------------------------------------------------------
// Dates inside reply text.

/// How far in the past a year-less date may lie and still be taken as this year's
/// (a reply saying "expired on 12/31" a few days into January). Beyond it, the next
/// occurrence is meant: carriers announce validity, which lies ahead.
pub(crate) const YEARLESS_PAST_WINDOW_DAYS: i64 = 7;

/// The year of a date printed without one: the earliest of last year's, this year's and next
/// year's occurrence that is not more than [`YEARLESS_PAST_WINDOW_DAYS`] before `today`.
pub(crate) fn infer_year(month: u8, day: u8, today: Date) -> Option<Date> {
    let floor = today.add_days(-YEARLESS_PAST_WINDOW_DAYS);
    (-1..=1)
        .filter_map(|dy| Date::new(today.year.saturating_add(dy), month, day))
        .find(|d| *d >= floor)
}

/// What the date scanner found at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateTok {
    /// A date (the year may have been inferred).
    Day(Date),
    /// A year-less numeric date such as `12/31`: only a date when a date marker
    /// (until, expires, ...) is in the same clause, otherwise it is ignored.
    NumericYearless(Date),
    /// A time of day or a day-of-month time stamp (`18:18`, `25日18时20分`): not a quantity.
    Ignore,
}

/// Context for reading numeric dates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateCtx {
    /// Month before day for `a/b/yyyy` when both parts are ≤ 12 (United States usage).
    pub us_order: bool,
    /// For year-less dates.
    pub today: Date,
}

/// `n` ASCII digits exactly (no more digits follow), as a number.
fn digits(chars: &[char], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let mut j = i;
    let mut v: u32 = 0;
    while let Some(c) = chars.get(j).and_then(|c| c.to_digit(10)) {
        if j - i >= max {
            return None;
        }
        v = v * 10 + c;
        j += 1;
    }
    (j - i >= min).then_some((v, j))
}

fn at(chars: &[char], i: usize) -> Option<char> {
    chars.get(i).copied()
}

fn skip_spaces(chars: &[char], mut i: usize, max: usize) -> usize {
    let start = i;
    while at(chars, i) == Some(' ') && i - start < max {
        i += 1;
    }
    i
}

fn ymd(y: u32, m: u32, d: u32) -> Option<Date> {
    if !(1900..=2199).contains(&y) {
        return None;
    }
    Date::new(
        i32::try_from(y).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(d).ok()?,
    )
}

/// After a date: ` 23:59:59`, `T00:00`, ` 8时32分`, `18時`. Returns the end of what was consumed.
fn time_after(chars: &[char], i: usize) -> usize {
    let j = if at(chars, i) == Some('T') {
        i + 1
    } else {
        skip_spaces(chars, i, 2)
    };
    if let Some(end) = clock(chars, j) {
        return end;
    }
    if let Some(end) = cjk_time(chars, j) {
        return end;
    }
    i
}

/// `HH:MM` or `HH:MM:SS` (hours 0–24, minutes/seconds 0–59).
fn clock(chars: &[char], i: usize) -> Option<usize> {
    let (h, j) = digits(chars, i, 1, 2)?;
    if at(chars, j) != Some(':') || h > 24 {
        return None;
    }
    let (m, mut k) = digits(chars, j + 1, 2, 2)?;
    if m > 59 {
        return None;
    }
    if at(chars, k) == Some(':') {
        if let Some((s, e)) = digits(chars, k + 1, 2, 2) {
            if s <= 60 {
                k = e;
            }
        }
    }
    Some(k)
}

/// `8时32分`, `11時29分`, `18時`, `8点`.
fn cjk_time(chars: &[char], i: usize) -> Option<usize> {
    let (h, j) = digits(chars, i, 1, 2)?;
    if h > 24 || !matches!(at(chars, j), Some('时' | '時' | '点' | '點')) {
        return None;
    }
    let mut k = j + 1;
    if let Some((_, e)) = digits(chars, k, 1, 2) {
        if at(chars, e) == Some('分') {
            k = e + 1;
            if let Some((_, e2)) = digits(chars, k, 1, 2) {
                if at(chars, e2) == Some('秒') {
                    k = e2 + 1;
                }
            }
        }
    }
    Some(k)
}

const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("sept", 9),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // German / Polish / Swedish short forms that differ from English.
    ("mai", 5),
    ("okt", 10),
    ("dez", 12),
    ("maj", 5),
];

/// A month name at `i` (case-insensitive, whole word). Returns (month, end).
fn month_name(chars: &[char], i: usize) -> Option<(u8, usize)> {
    if i > 0 && at(chars, i - 1).is_some_and(|c| c.is_alphabetic()) {
        return None;
    }
    for (name, m) in MONTHS {
        let n = name.chars().count();
        let matches = name
            .chars()
            .enumerate()
            .all(|(k, c)| at(chars, i + k).map(|x| x.to_ascii_lowercase()) == Some(c));
        if matches {
            let mut end = i + n;
            if at(chars, end) == Some('.') {
                end += 1;
            } else if at(chars, end).is_some_and(|c| c.is_alphabetic()) {
                continue;
            }
            return Some((*m, end));
        }
    }
    None
}

/// Tries every supported date form starting at `i`. `i` must not be preceded by a digit.
/// Returns the token and the index just after it.
pub(crate) fn scan_date(chars: &[char], i: usize, ctx: &DateCtx) -> Option<(DateTok, usize)> {
    let c = at(chars, i)?;
    if c.is_alphabetic() {
        return month_first(chars, i);
    }
    if !c.is_ascii_digit() {
        return None;
    }
    cjk_date(chars, i, ctx)
        .or_else(|| year_first(chars, i))
        .or_else(|| day_first(chars, i, ctx))
        .or_else(|| day_month_name(chars, i))
        .or_else(|| yearless_numeric(chars, i, ctx))
        .or_else(|| clock(chars, i).map(|e| (DateTok::Ignore, e)))
        .or_else(|| cjk_time(chars, i).map(|e| (DateTok::Ignore, e)))
}

/// `2026年12月31日`, `12月31日`, `25日18时20分` (a day-of-month time stamp).
fn cjk_date(chars: &[char], i: usize, ctx: &DateCtx) -> Option<(DateTok, usize)> {
    let (a, j) = digits(chars, i, 1, 4)?;
    match at(chars, j)? {
        '年' => {
            let (m, k) = digits(chars, j + 1, 1, 2)?;
            if at(chars, k) != Some('月') {
                return None;
            }
            let (d, l) = digits(chars, k + 1, 1, 2)?;
            if !matches!(at(chars, l), Some('日' | '号' | '號')) {
                return None;
            }
            let date = ymd(a, m, d)?;
            Some((DateTok::Day(date), time_after(chars, l + 1)))
        }
        '月' if j - i <= 2 => {
            let (d, l) = digits(chars, j + 1, 1, 2)?;
            if !matches!(at(chars, l), Some('日' | '号' | '號')) {
                return None;
            }
            let date = infer_year(u8::try_from(a).ok()?, u8::try_from(d).ok()?, ctx.today)?;
            Some((DateTok::Day(date), time_after(chars, l + 1)))
        }
        '日' | '号' if j - i <= 2 && (1..=31).contains(&a) => {
            let end = cjk_time(chars, skip_spaces(chars, j + 1, 1))?;
            Some((DateTok::Ignore, end))
        }
        _ => None,
    }
}

/// `2026-12-31`, `2013/11/16`, `2026.12.31`, each optionally followed by a time.
fn year_first(chars: &[char], i: usize) -> Option<(DateTok, usize)> {
    let (y, j) = digits(chars, i, 4, 4)?;
    let sep = at(chars, j)?;
    if !matches!(sep, '-' | '/' | '.') {
        return None;
    }
    let (m, k) = digits(chars, j + 1, 1, 2)?;
    if at(chars, k) != Some(sep) {
        return None;
    }
    let (d, l) = digits(chars, k + 1, 1, 2)?;
    let date = ymd(y, m, d)?;
    Some((DateTok::Day(date), time_after(chars, l)))
}

/// `31.12.2026`, `30. 1. 2024`, `26/02/2020`, `08/10/2022` (US), `01-01-2022`.
fn day_first(chars: &[char], i: usize, ctx: &DateCtx) -> Option<(DateTok, usize)> {
    let (a, j) = digits(chars, i, 1, 2)?;
    let sep = at(chars, j)?;
    if !matches!(sep, '.' | '/' | '-') {
        return None;
    }
    let gap = if sep == '.' { 1 } else { 0 };
    let k0 = skip_spaces(chars, j + 1, gap);
    let (b, k) = digits(chars, k0, 1, 2)?;
    if at(chars, k) != Some(sep) {
        return None;
    }
    let l0 = skip_spaces(chars, k + 1, gap);
    let (y, l) = match digits(chars, l0, 4, 4) {
        Some(x) => x,
        // `06-01-24`, `14.03.23`: two-digit years, written day first with `-` or `.` (a
        // slash is left to `yearless_numeric`: `8/10/22` is too often month first).
        None if sep != '/' && j - i == 2 && k - k0 == 2 => {
            let (yy, l) = digits(chars, l0, 2, 2)?;
            (2000 + yy, l)
        }
        None => return None,
    };
    let (d, m) = order(a, b, sep != '.' && ctx.us_order);
    let date = ymd(y, m, d)?;
    Some((DateTok::Day(date), time_after(chars, l)))
}

/// Which of `a/b` is the day: the one above 12 when only one is; otherwise by convention.
fn order(a: u32, b: u32, us: bool) -> (u32, u32) {
    let month_first = (b > 12 && a <= 12) || (us && !(a > 12 && b <= 12));
    if month_first {
        (b, a)
    } else {
        (a, b)
    }
}

/// `04-NOV-2018`, `25 May 2021`, `25. Mai 2021`.
fn day_month_name(chars: &[char], i: usize) -> Option<(DateTok, usize)> {
    let (d, j) = digits(chars, i, 1, 2)?;
    let mut k = j;
    if at(chars, k) == Some('.') {
        k += 1;
    }
    let k = match at(chars, k)? {
        '-' => k + 1,
        ' ' => skip_spaces(chars, k, 2),
        _ => return None,
    };
    let (m, l) = month_name(chars, k)?;
    // `09 Oct, 17`: a comma and a two-digit year.
    if at(chars, l) == Some(',') {
        let l2 = skip_spaces(chars, l + 1, 1);
        if let Some((yy, e)) = digits(chars, l2, 2, 2) {
            let date = ymd(2000 + yy, u32::from(m), d)?;
            return Some((DateTok::Day(date), time_after(chars, e)));
        }
    }
    let l = match at(chars, l)? {
        '-' => l + 1,
        ' ' => skip_spaces(chars, l, 2),
        _ => return None,
    };
    let (y, e) = digits(chars, l, 4, 4)?;
    let date = ymd(y, u32::from(m), d)?;
    Some((DateTok::Day(date), time_after(chars, e)))
}

/// `May 25, 2021`, `Nov 4 2018`.
fn month_first(chars: &[char], i: usize) -> Option<(DateTok, usize)> {
    let (m, j) = month_name(chars, i)?;
    let j = skip_spaces(chars, j, 2);
    let (d, k) = digits(chars, j, 1, 2)?;
    let mut k = k;
    if at(chars, k) == Some(',') {
        k += 1;
    }
    let k = skip_spaces(chars, k, 2);
    let (y, e) = digits(chars, k, 4, 4)?;
    let date = ymd(y, u32::from(m), d)?;
    Some((DateTok::Day(date), time_after(chars, e)))
}

/// `12/31` or `31/12`: year inferred; kept only next to a date marker.
fn yearless_numeric(chars: &[char], i: usize, ctx: &DateCtx) -> Option<(DateTok, usize)> {
    let (a, j) = digits(chars, i, 1, 2)?;
    if at(chars, j) != Some('/') {
        return None;
    }
    let (b, k) = digits(chars, j + 1, 1, 2)?;
    if matches!(at(chars, k), Some('/' | '.' | ','))
        && at(chars, k + 1).is_some_and(|c| c.is_ascii_digit())
    {
        return None;
    }
    let (d, m) = order(a, b, ctx.us_order);
    let date = infer_year(u8::try_from(m).ok()?, u8::try_from(d).ok()?, ctx.today)?;
    Some((DateTok::NumericYearless(date), time_after(chars, k)))
}
