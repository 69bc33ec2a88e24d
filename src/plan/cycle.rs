//! Billing cycles and their arithmetic, in the plan's time zone (jiff: IANA zones from the
//! system's zoneinfo, DST gaps resolved the "compatible" way — a reset at a local time that does
//! not exist that day happens at the first instant after the gap).
//!
//! Monthly on day D at hour H: in a month with fewer than D days the cycle resets on the month's
//! last day at H (day 31 resets on 28/29 February, 30 April…; each month is clamped on its own,
//! so a 31 plan is back on the 31st in March). Carriers that close on the 1st, 11th, 21st… are
//! all monthly plans with D = 1, 11, 21.

use std::fmt;

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{PlanError, Result};

/// When a plan's allowance resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Cycle {
    /// Every month on `day` (1–31, clamped to the month's last day) at `hour` (0–23) local time.
    Monthly {
        /// Day of the month.
        day: u8,
        /// Hour of the day.
        hour: u8,
    },
    /// Every week on `weekday` (0 = Monday … 6 = Sunday) at `hour`.
    Weekly {
        /// Monday-zero weekday.
        weekday: u8,
        /// Hour of the day.
        hour: u8,
    },
    /// A rolling window: at most the allowance in any `days` days ("10 GB per 3 days").
    Rolling {
        /// The window's length in days.
        days: u16,
    },
    /// A bucket that never expires (used until empty).
    Never,
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl TryFrom<String> for Cycle {
    type Error = PlanError;
    fn try_from(s: String) -> Result<Cycle> {
        Cycle::parse(&s)
    }
}

impl From<Cycle> for String {
    fn from(c: Cycle) -> String {
        c.to_string()
    }
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Cycle::Monthly { day, hour: 0 } => write!(f, "monthly:{day}"),
            Cycle::Monthly { day, hour } => write!(f, "monthly:{day}@{hour}"),
            Cycle::Weekly { weekday, hour } => {
                let w = WEEKDAYS.get(usize::from(weekday)).unwrap_or(&"?");
                if hour == 0 {
                    write!(f, "weekly:{w}")
                } else {
                    write!(f, "weekly:{w}@{hour}")
                }
            }
            Cycle::Rolling { days } => write!(f, "rolling:{days}d"),
            Cycle::Never => write!(f, "never"),
        }
    }
}

impl Cycle {
    /// Parses `monthly:1`, `monthly:11@9`, `weekly:mon`, `weekly:sun@6`, `rolling:3d`, `never`.
    pub fn parse(s: &str) -> Result<Cycle> {
        let t = s.trim().to_ascii_lowercase();
        let bad = |why: &str| {
            PlanError::Invalid(format!(
                "--resets {s:?}: {why} (expected monthly:DAY[@HOUR], weekly:mon[@HOUR], rolling:3d or never)"
            ))
        };
        if t == "never" {
            return Ok(Cycle::Never);
        }
        let (kind, rest) = t.split_once(':').ok_or_else(|| bad("no kind"))?;
        let (what, hour) = match rest.split_once('@') {
            Some((w, h)) => {
                let h: u8 = h
                    .trim()
                    .parse()
                    .map_err(|_| bad("the hour is not a number"))?;
                (w.trim(), h)
            }
            None => (rest.trim(), 0),
        };
        let c = match kind {
            "monthly" => Cycle::Monthly {
                day: what.parse().map_err(|_| bad("the day is not a number"))?,
                hour,
            },
            "weekly" => Cycle::Weekly {
                weekday: WEEKDAYS
                    .iter()
                    .position(|w| what.starts_with(w))
                    .and_then(|p| u8::try_from(p).ok())
                    .ok_or_else(|| bad("not a weekday"))?,
                hour,
            },
            "rolling" => {
                if rest.contains('@') {
                    return Err(bad("a rolling window has no reset hour"));
                }
                let d = what.strip_suffix('d').unwrap_or(what);
                Cycle::Rolling {
                    days: d
                        .parse()
                        .map_err(|_| bad("the window is not a number of days"))?,
                }
            }
            _ => return Err(bad("unknown kind")),
        };
        c.check()?;
        Ok(c)
    }

    /// Field ranges: day 1–31, hour 0–23, window 1–366 days.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(PlanError::Invalid(m));
        match *self {
            Cycle::Monthly { day, .. } if !(1..=31).contains(&day) => {
                bad(format!("reset day {day}: a month has days 1 to 31"))
            }
            Cycle::Monthly { hour, .. } | Cycle::Weekly { hour, .. } if hour > 23 => {
                bad(format!("reset hour {hour}: hours are 0 to 23"))
            }
            Cycle::Weekly { weekday, .. } if weekday > 6 => bad(format!("weekday {weekday}")),
            Cycle::Rolling { days } if !(1..=366).contains(&days) => {
                bad(format!("rolling window of {days} days: 1 to 366"))
            }
            _ => Ok(()),
        }
    }

    /// For people: `resetting on the 1st`, `resetting on Mondays`, `per 3 days`, `never expiring`.
    pub fn describe(&self) -> String {
        match *self {
            Cycle::Monthly { day, hour } => {
                let at = if hour == 0 {
                    String::new()
                } else {
                    format!(" at {hour:02}:00")
                };
                format!("resetting on the {}{at}", ordinal(day))
            }
            Cycle::Weekly { weekday, hour } => {
                let names = [
                    "Mondays",
                    "Tuesdays",
                    "Wednesdays",
                    "Thursdays",
                    "Fridays",
                    "Saturdays",
                    "Sundays",
                ];
                let at = if hour == 0 {
                    String::new()
                } else {
                    format!(" at {hour:02}:00")
                };
                format!(
                    "resetting on {}{at}",
                    names.get(usize::from(weekday)).unwrap_or(&"?")
                )
            }
            Cycle::Rolling { days: 1 } => "per rolling day".into(),
            Cycle::Rolling { days } => format!("per rolling {days} days"),
            Cycle::Never => "never expiring".into(),
        }
    }
}

/// `1st`, `2nd`, `11th`, `21st`.
pub fn ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The plan's time zone: an IANA name (`Asia/Tokyo`), a fixed offset (`+09:00`, `UTC`), or the
/// system's when absent.
pub fn zone(name: Option<&str>) -> Result<TimeZone> {
    let Some(name) = name.map(str::trim) else {
        return Ok(TimeZone::system());
    };
    if name.eq_ignore_ascii_case("utc") || name == "Z" {
        return Ok(TimeZone::UTC);
    }
    if let Some(off) = parse_offset(name) {
        return Ok(TimeZone::fixed(off));
    }
    TimeZone::get(name).map_err(|e| PlanError::TimeZone {
        name: name.to_string(),
        reason: format!(
            "{e}; the system has no zoneinfo for it (on OpenWrt install the zoneinfo package), or give a fixed offset like +09:00"
        ),
    })
}

fn parse_offset(s: &str) -> Option<Offset> {
    let t = s.strip_prefix("UTC").unwrap_or(s);
    let sign = match t.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = t.get(1..)?;
    let (h, m) = body.split_once(':').unwrap_or((body, "0"));
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if h > 14 || m > 59 {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// The current cycle around `now`: `start` (inclusive) and `end` (the next reset, exclusive).
/// Rolling windows have `start = now − N days` and no end; a non-expiring bucket neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bounds {
    /// Start of the cycle or window (UTC unix seconds).
    pub start: Option<i64>,
    /// The next reset (UTC unix seconds).
    pub end: Option<i64>,
}

fn ts(t: i64) -> Result<Timestamp> {
    Timestamp::from_second(t).map_err(|e| PlanError::Invalid(format!("time {t} out of range: {e}")))
}

fn local(d: Date, hour: u8, tz: &TimeZone) -> Result<i64> {
    let dt = d.at(i8::try_from(hour).unwrap_or(0), 0, 0, 0);
    dt.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp().as_second())
        .map_err(|e| PlanError::Invalid(format!("{dt} in the plan's zone: {e}")))
}

/// Day `day` of the month of `year`/`month`, clamped to the month's last day.
fn clamped(year: i16, month: i8, day: u8) -> Result<Date> {
    let first = Date::new(year, month, 1).map_err(|e| PlanError::Invalid(e.to_string()))?;
    let d = i8::try_from(day).unwrap_or(31).min(first.days_in_month());
    Date::new(year, month, d).map_err(|e| PlanError::Invalid(e.to_string()))
}

fn add_months(year: i16, month: i8, n: i8) -> (i16, i8) {
    let m0 = i32::from(month) - 1 + i32::from(n);
    let y = i32::from(year) + m0.div_euclid(12);
    (
        i16::try_from(y).unwrap_or(year),
        i8::try_from(m0.rem_euclid(12) + 1).unwrap_or(1),
    )
}

fn add_days(d: Date, n: i64) -> Result<Date> {
    d.checked_add(jiff::Span::new().days(n))
        .map_err(|e| PlanError::Invalid(format!("date out of range: {e}")))
}

/// The cycle around `now` in `tz`.
pub fn bounds(cycle: &Cycle, tz: &TimeZone, now: i64) -> Result<Bounds> {
    let z = ts(now)?.to_zoned_datetime(tz.clone());
    match *cycle {
        Cycle::Monthly { day, hour } => {
            let (y, m) = (z.year(), z.month());
            let this = local(clamped(y, m, day)?, hour, tz)?;
            if this <= now {
                let (ny, nm) = add_months(y, m, 1);
                Ok(Bounds {
                    start: Some(this),
                    end: Some(local(clamped(ny, nm, day)?, hour, tz)?),
                })
            } else {
                let (py, pm) = add_months(y, m, -1);
                Ok(Bounds {
                    start: Some(local(clamped(py, pm, day)?, hour, tz)?),
                    end: Some(this),
                })
            }
        }
        Cycle::Weekly { weekday, hour } => {
            let today = z.date();
            let back = (i64::from(today.weekday().to_monday_zero_offset()) - i64::from(weekday))
                .rem_euclid(7);
            let mut d = add_days(today, -back)?;
            let mut start = local(d, hour, tz)?;
            if start > now {
                d = add_days(d, -7)?;
                start = local(d, hour, tz)?;
            }
            Ok(Bounds {
                start: Some(start),
                end: Some(local(add_days(d, 7)?, hour, tz)?),
            })
        }
        Cycle::Rolling { days } => Ok(Bounds {
            start: Some(now - i64::from(days) * 86_400),
            end: None,
        }),
        Cycle::Never => Ok(Bounds {
            start: None,
            end: None,
        }),
    }
}

/// Every reset strictly after `from` and at or before `to` (monthly and weekly cycles), at most
/// `limit` of them.
pub fn resets_between(
    cycle: &Cycle,
    tz: &TimeZone,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    if matches!(cycle, Cycle::Rolling { .. } | Cycle::Never) {
        return Ok(out);
    }
    let mut t = from;
    while out.len() < limit {
        let Some(end) = bounds(cycle, tz, t)?.end else {
            break;
        };
        if end > to || end <= t {
            break;
        }
        out.push(end);
        t = end;
    }
    Ok(out)
}

/// `1 Dec`, `11 Jan 09:00` in `tz`, for people.
pub fn short_date(t: i64, tz: &TimeZone) -> String {
    let Ok(x) = ts(t) else { return t.to_string() };
    let z = x.to_zoned_datetime(tz.clone());
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = months
        .get(usize::try_from(z.month() - 1).unwrap_or(0))
        .unwrap_or(&"?");
    if z.hour() == 0 && z.minute() == 0 {
        format!("{} {m}", z.day())
    } else {
        format!("{} {m} {:02}:{:02}", z.day(), z.hour(), z.minute())
    }
}

/// RFC 3339 with the zone's offset, for JSON.
pub fn iso(t: i64, tz: &TimeZone) -> String {
    match ts(t) {
        Ok(x) => x
            .to_zoned_datetime(tz.clone())
            .timestamp()
            .display_with_offset(x.to_zoned_datetime(tz.clone()).offset())
            .to_string(),
        Err(_) => t.to_string(),
    }
}
