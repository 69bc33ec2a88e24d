//! Forecast: how fast the data goes, when it runs out, and how much a day may be used until the
//! expiry or reset date.
//!
//! Method (the choice, and why):
//! 1. **Segment.** Only readings since the last top-up count: a remaining figure that rises by
//!    more than rounding ([`is_top_up`]) starts a new segment. A single reading that dips and
//!    comes straight back (a misread reply, a carrier glitch) is dropped as an outlier rather
//!    than taken for a top-up.
//! 2. **Daily points.** Within the segment, the last reading of each UTC day, for the last
//!    [`WINDOW_DAYS`] days: every day weighs the same whether it was checked once or 24 times.
//! 3. **Rate.** The Theil–Sen estimator: the median of the usage rates between every pair of
//!    daily points at least 12 h apart. It is robust to noise (a wild reading moves at most a
//!    minority of the pairs, breakdown point ≈ 29 %), to gaps (a pair across a gap is a rate
//!    over its real span, not a day), and it still sees periodic use — pairs spanning a
//!    week carry the weekend spikes, so the rate lies between the plain median of daily
//!    deltas (which ignores weekends) and the mean (which one wild day drags along).
//! 4. **Run-out** = the last reading's time + remaining / rate; **daily budget** = remaining /
//!    days left until the deadline (the day after the expiry date, or the reset date).
//!
//! All dates are UTC days: the router may not know the carrier's time zone.

use serde::{Deserialize, Serialize};

use super::history::{is_top_up, CheckRecord};
use super::{utc_date, DAY};
use crate::balance::Date;

/// Days of daily points the rate looks at.
pub const WINDOW_DAYS: i64 = 30;

/// Pairs closer than this are not used for the rate (noise over a short span is amplified).
const MIN_PAIR_SPAN: i64 = 12 * 3600;

/// One reading of remaining data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// UTC unix seconds.
    pub time: i64,
    /// Remaining bytes the carrier reported.
    pub remaining_bytes: u64,
}

/// The points of successful checks that state a remaining figure.
pub fn points_from_records(records: &[CheckRecord]) -> Vec<Point> {
    records
        .iter()
        .filter(|r| r.success)
        .filter_map(|r| {
            r.numbers.remaining_bytes.map(|b| Point {
                time: r.time,
                remaining_bytes: b,
            })
        })
        .collect()
}

/// What the forecast says.
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Usage rate, bytes per day.
    pub rate_bytes_per_day: u64,
    /// The day the data runs out at this rate (`None` when nothing is being used, or not
    /// within a century).
    pub runs_out: Option<Date>,
    /// Days the data may still be used, today included: until the expiry date inclusive, or
    /// until the day before the reset date. `None` without an expiry or reset date; 0 once past.
    pub days_left_to_expiry: Option<i64>,
    /// Bytes per day that last until the deadline: remaining / days left.
    pub daily_budget: Option<u64>,
    /// The first day the data is no longer usable (expiry + 1, or the reset date).
    pub deadline: Option<Date>,
    /// The remaining figure the forecast starts from (the last reading).
    pub remaining_bytes: u64,
    /// When that reading was taken (UTC unix seconds).
    pub as_of: i64,
    /// How the rate was found, in words.
    pub basis: String,
}

impl Forecast {
    /// The data runs out before the deadline at the current rate (`None` without a deadline).
    pub fn runs_out_before_deadline(&self) -> Option<bool> {
        let deadline = self.deadline?;
        Some(self.runs_out.is_some_and(|d| d < deadline))
    }
}

/// Why there is no forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("no forecast: {reason}")]
pub struct NoForecast {
    /// In words.
    pub reason: String,
}

/// The first day the data is no longer usable: the reset date, else the day after the expiry.
pub fn deadline(expiry: Option<Date>, reset: Option<Date>) -> Option<Date> {
    match (expiry, reset) {
        (Some(e), Some(r)) => Some(r.min(e.add_days(1))),
        (Some(e), None) => Some(e.add_days(1)),
        (None, r) => r,
    }
}

/// Days left to use data (today included), never negative.
pub fn days_left(today: Date, deadline: Date) -> i64 {
    today.days_until(&deadline).max(0)
}

/// remaining / days left, when there is a day left.
pub fn daily_budget(remaining: u64, today: Date, deadline: Date) -> Option<u64> {
    let d = u64::try_from(days_left(today, deadline)).ok()?;
    (d > 0).then(|| remaining / d)
}

fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    if n % 2 == 1 {
        v.get(mid).copied()
    } else {
        Some((v.get(mid - 1)? + v.get(mid)?) / 2.0)
    }
}

/// The forecast from readings (any order) as of `today`, with the expiry and reset dates of
/// the last reading.
pub fn forecast(
    points: &[Point],
    today: Date,
    expiry: Option<Date>,
    reset: Option<Date>,
) -> Result<Forecast, NoForecast> {
    let mut pts: Vec<Point> = points.to_vec();
    pts.sort_by_key(|p| p.time);
    let Some(last) = pts.last().copied() else {
        return Err(NoForecast {
            reason: "no readings of remaining data yet".to_string(),
        });
    };

    // 1. Segment since the last top-up, dropping single-reading dips.
    let mut seg: Vec<Point> = Vec::new();
    let mut top_up: Option<Date> = None;
    for p in pts {
        let prev = seg.last().copied();
        let before_prev = seg.len().checked_sub(2).and_then(|i| seg.get(i)).copied();
        if let Some(prev) = prev {
            if is_top_up(prev.remaining_bytes, p.remaining_bytes) {
                let dip = before_prev.is_some_and(|b| {
                    !is_top_up(b.remaining_bytes, p.remaining_bytes)
                        && p.remaining_bytes
                            <= b.remaining_bytes.saturating_add(b.remaining_bytes / 50)
                });
                if dip {
                    seg.pop();
                } else {
                    seg.clear();
                    top_up = Some(utc_date(p.time));
                }
            }
        }
        seg.push(p);
    }

    // 2. Last reading per UTC day, within the window.
    let mut daily: Vec<Point> = Vec::new();
    for p in &seg {
        match daily.last_mut() {
            Some(d) if d.time.div_euclid(DAY) == p.time.div_euclid(DAY) => *d = *p,
            _ => daily.push(*p),
        }
    }
    let window_start = last.time.div_euclid(DAY).saturating_sub(WINDOW_DAYS);
    daily.retain(|p| p.time.div_euclid(DAY) >= window_start);

    let since = match top_up {
        Some(d) => format!("since the top-up on {d}"),
        None => match daily.first() {
            Some(p) => format!("since {}", utc_date(p.time)),
            None => String::new(),
        },
    };

    // 3. Theil–Sen.
    let mut rates = Vec::new();
    for (i, a) in daily.iter().enumerate() {
        for b in daily.iter().skip(i + 1) {
            let span = b.time - a.time;
            if span >= MIN_PAIR_SPAN {
                let used = a.remaining_bytes as f64 - b.remaining_bytes as f64;
                rates.push(used / (span as f64 / DAY as f64));
            }
        }
    }
    let pairs = rates.len();
    let Some(rate) = median(&mut rates) else {
        return Err(NoForecast {
            reason: format!(
                "need readings at least 12 hours apart on two days {since}; have {} reading{} on {} day{}",
                seg.len(),
                if seg.len() == 1 { "" } else { "s" },
                daily.len(),
                if daily.len() == 1 { "" } else { "s" },
            ),
        });
    };
    let rate = rate.max(0.0).round();
    let rate_bytes_per_day = if rate >= u64::MAX as f64 {
        u64::MAX
    } else {
        rate as u64
    };

    // 4. Run-out and budget.
    let runs_out = (rate_bytes_per_day > 0)
        .then(|| last.remaining_bytes as f64 / rate_bytes_per_day as f64)
        .filter(|days| *days <= 36_500.0)
        .map(|days| utc_date(last.time.saturating_add((days * DAY as f64) as i64)));
    let deadline = deadline(expiry, reset);
    let days_left_to_expiry = deadline.map(|d| days_left(today, d));
    let daily_budget = deadline.and_then(|d| daily_budget(last.remaining_bytes, today, d));

    let basis = format!(
        "Theil–Sen rate: median of {pairs} pairwise rate{} over {} daily reading{} {since}",
        if pairs == 1 { "" } else { "s" },
        daily.len(),
        if daily.len() == 1 { "" } else { "s" },
    );
    Ok(Forecast {
        rate_bytes_per_day,
        runs_out,
        days_left_to_expiry,
        daily_budget,
        deadline,
        remaining_bytes: last.remaining_bytes,
        as_of: last.time,
        basis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GIB: u64 = 1 << 30;
    const MIB: u64 = 1 << 20;
    /// 2026-11-01 00:00 UTC.
    fn day0() -> i64 {
        Date::new(2026, 11, 1).unwrap().to_days_since_epoch() * DAY
    }
    fn d(n: i64) -> Date {
        Date::new(2026, 11, 1).unwrap().add_days(n)
    }
    fn at(day: i64, hour: i64, remaining: u64) -> Point {
        Point {
            time: day0() + day * DAY + hour * 3600,
            remaining_bytes: remaining,
        }
    }

    #[test]
    fn steady_use() {
        // 20 GiB, 1 GiB a day, checked every 6 hours for 10 days.
        let mut pts = Vec::new();
        for day in 0..10 {
            for h in [0, 6, 12, 18] {
                let elapsed = day * 24 + h;
                pts.push(at(day, h, 20 * GIB - elapsed as u64 * GIB / 24));
            }
        }
        let f = forecast(&pts, d(9), Date::new(2026, 11, 30), None).unwrap();
        assert_eq!(f.rate_bytes_per_day, GIB);
        // Last reading: day 9 18:00, 20 - 9.75 = 10.25 GiB → 10.25 days → day 20 00:00.
        assert_eq!(f.runs_out, Some(d(20)));
        assert_eq!(f.deadline, Some(d(30)));
        assert_eq!(f.days_left_to_expiry, Some(21), "2026-11-10 ..= 2026-11-30");
        assert_eq!(f.daily_budget, Some(f.remaining_bytes / 21));
        assert_eq!(f.runs_out_before_deadline(), Some(true));
        assert!(f.basis.contains("10 daily readings"), "{}", f.basis);
        assert!(f.basis.contains("since 2026-11-01"), "{}", f.basis);
    }

    #[test]
    fn weekend_spikes_land_between_weekday_rate_and_mean() {
        // 1 GiB on weekdays, 3 GiB on Saturdays and Sundays, for 4 weeks.
        let mut pts = Vec::new();
        let mut remaining = 60 * GIB;
        let mut total = 0;
        for day in 0..28 {
            pts.push(at(day, 23, remaining));
            // 2026-11-01 is a Sunday: days 0, 6, 7, 13, 14, … are weekend days.
            let used = if matches!(day % 7, 0 | 6) {
                3 * GIB
            } else {
                GIB
            };
            remaining -= used;
            total += used;
        }
        let f = forecast(&pts, d(27), None, None).unwrap();
        let mean = total as f64 / 28.0;
        let r = f.rate_bytes_per_day as f64;
        assert!(r > GIB as f64 * 1.05, "sees the weekends: {r}");
        assert!(r <= mean * 1.01, "not above the mean {mean}: {r}");
        assert!(f.days_left_to_expiry.is_none() && f.daily_budget.is_none());
    }

    #[test]
    fn noise_and_a_wild_reading() {
        // 500 MiB/day with ±5 MiB rounding noise, plus one misread reply on day 6 (remaining
        // printed 10x too low) that comes back the next day.
        let mut pts = Vec::new();
        for day in 0..14i64 {
            let noise = [0i64, 5, -5, 3, -2, 4, -4][(day % 7) as usize] * MIB as i64;
            let mut r = (20 * GIB - day as u64 * 500 * MIB) as i64 + noise;
            if day == 6 {
                r /= 10;
            }
            pts.push(at(day, 9, r as u64));
        }
        let f = forecast(&pts, d(13), None, None).unwrap();
        let r = f.rate_bytes_per_day as f64 / MIB as f64;
        assert!((r - 500.0).abs() < 10.0, "rate {r} MiB/day; {}", f.basis);
        assert!(
            !f.basis.contains("top-up"),
            "the dip is not a top-up: {}",
            f.basis
        );
    }

    #[test]
    fn gap_of_a_week() {
        let pts: Vec<Point> = (0..6)
            .chain(13..20)
            .map(|day| at(day, 8, 30 * GIB - day as u64 * GIB))
            .collect();
        let f = forecast(&pts, d(19), None, None).unwrap();
        assert_eq!(f.rate_bytes_per_day, GIB);
        assert_eq!(f.runs_out, Some(d(19 + 11)), "11 GiB left on day 19 08:00");
    }

    #[test]
    fn top_up_restarts_the_segment() {
        let mut pts: Vec<Point> = (0..10)
            .map(|day| at(day, 12, 10 * GIB - day as u64 * GIB))
            .collect();
        // Top-up on day 10 to 20 GiB, then 256 MiB a day.
        pts.extend((10..16).map(|day| at(day, 12, 20 * GIB - (day - 10) as u64 * 256 * MIB)));
        let f = forecast(&pts, d(15), None, Date::new(2026, 12, 1)).unwrap();
        assert_eq!(f.rate_bytes_per_day, 256 * MIB);
        assert!(
            f.basis.contains("since the top-up on 2026-11-11"),
            "{}",
            f.basis
        );
        assert!(f.basis.contains("6 daily readings"), "{}", f.basis);
        assert_eq!(
            f.deadline,
            Date::new(2026, 12, 1),
            "reset date is the deadline itself"
        );
        assert_eq!(f.days_left_to_expiry, Some(15));
        assert_eq!(f.runs_out_before_deadline(), Some(false));
    }

    #[test]
    fn not_enough_data() {
        let e = forecast(&[], d(0), None, None).unwrap_err();
        assert!(e.reason.contains("no readings"), "{}", e.reason);
        let e = forecast(&[at(0, 1, GIB), at(0, 20, GIB / 2)], d(0), None, None).unwrap_err();
        assert!(e.reason.contains("2 readings on 1 day"), "{}", e.reason);
        // Enough before a top-up, but not after it.
        let mut pts: Vec<Point> = (0..5)
            .map(|day| at(day, 12, 10 * GIB - day as u64 * GIB))
            .collect();
        pts.push(at(5, 12, 30 * GIB));
        let e = forecast(&pts, d(5), None, None).unwrap_err();
        assert!(
            e.reason.contains("since the top-up on 2026-11-06"),
            "{}",
            e.reason
        );
        assert!(e.reason.contains("1 reading on 1 day"), "{}", e.reason);
    }

    #[test]
    fn no_usage_never_runs_out() {
        let pts: Vec<Point> = (0..5).map(|day| at(day, 12, 5 * GIB)).collect();
        let f = forecast(&pts, d(4), Some(d(4)), None).unwrap();
        assert_eq!(f.rate_bytes_per_day, 0);
        assert_eq!(f.runs_out, None);
        assert_eq!(f.runs_out_before_deadline(), Some(false));
        assert_eq!(f.days_left_to_expiry, Some(1), "the expiry day itself");
        assert_eq!(f.daily_budget, Some(5 * GIB));
        // Past the expiry: no days left, no budget.
        let f = forecast(&pts, d(9), Some(d(4)), None).unwrap();
        assert_eq!((f.days_left_to_expiry, f.daily_budget), (Some(0), None));
    }

    #[test]
    fn deadline_rules() {
        let e = Date::new(2026, 12, 31);
        let r = Date::new(2026, 12, 15);
        assert_eq!(deadline(e, None), Date::new(2027, 1, 1));
        assert_eq!(deadline(None, r), r);
        assert_eq!(deadline(e, r), r, "the earlier wins");
        assert_eq!(deadline(None, None), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(raw in proptest::collection::vec((any::<i64>(), any::<u64>()), 0..40)) {
            let pts: Vec<Point> = raw.into_iter().map(|(t, r)| Point { time: t / 4, remaining_bytes: r }).collect();
            let _ = forecast(&pts, d(0), Some(d(10)), None);
        }

        #[test]
        fn steady_rate_is_recovered(rate_mib in 1u64..4096, days in 3i64..40) {
            let pts: Vec<Point> = (0..days)
                .map(|day| at(day, 12, (1u64 << 50) - day as u64 * rate_mib * MIB))
                .collect();
            let f = forecast(&pts, d(days - 1), None, None).unwrap();
            prop_assert_eq!(f.rate_bytes_per_day, rate_mib * MIB);
        }
    }
}
