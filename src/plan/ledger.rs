//! Counted traffic of one SIM: interface counter samples turned into a monotone series of
//! (time, cumulative bytes) points; bytes between two points are spread evenly over the
//! interval between them (over at most [`MAX_SPREAD`]: after a long gap — router off, no run
//! for days — the bytes are booked in the last two days before the sample, since counters
//! restart at a boot and what they hold is recent).
//!
//! Rules (no lost counts, never double counting):
//! - a counter that went down is a 32-bit wrap or a reset ([`crate::monitor::estimate::counter_delta`]);
//!   a changed boot id means the counters restarted from zero;
//! - a missing interface counts nothing and keeps the last sample (the next one after it comes
//!   back is compared with that: a re-created interface reads as a reset);
//! - a clock before [`super::PLAUSIBLE_SINCE`] holds the bytes as `pending` (the meter still
//!   follows the counters) and books them at the first plausible time;
//! - a clock that went backwards books the bytes at the last point's time.

use serde::{Deserialize, Serialize};

use crate::monitor::estimate::{counter_delta, CounterSample};

use super::PLAUSIBLE_SINCE;

/// Bytes after a gap longer than this are booked within this much time before the sample.
pub const MAX_SPREAD: i64 = 2 * 86_400;

/// Points older than this are thinned to one per hour.
const KEEP_FINE: i64 = 2 * 86_400;

/// Points older than this are dropped (older cycles are not needed for an estimate).
const KEEP_ALL: i64 = 400 * 86_400;

/// The last sample of the interface counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterState {
    /// Interface name.
    pub iface: String,
    /// Counters then.
    pub last: CounterSample,
    /// Kernel boot id then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
}

/// One SIM's counted traffic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// (UTC unix seconds, cumulative bytes): times strictly increasing, bytes non-decreasing.
    pub points: Vec<(i64, u64)>,
    /// The last counter sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter: Option<MeterState>,
    /// Bytes counted while the clock was not plausible, not yet booked.
    #[serde(default)]
    pub pending: u64,
}

/// What an observation did, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObserveNote {
    /// Counted this many bytes.
    Counted(u64),
    /// The first sample of this interface: counting starts now.
    Started,
    /// The clock is before 2024: bytes held until it is plausible.
    ClockImplausible(u64),
    /// The clock went backwards: bytes booked at the last known time.
    ClockBackwards(u64),
}

impl Ledger {
    /// Takes a counter sample of `iface` at `now`.
    pub fn observe(
        &mut self,
        now: i64,
        iface: &str,
        sample: CounterSample,
        boot_id: Option<&str>,
    ) -> ObserveNote {
        let delta = match &self.meter {
            Some(m) if m.iface == iface => {
                let rebooted =
                    matches!((m.boot_id.as_deref(), boot_id), (Some(a), Some(b)) if a != b);
                if rebooted {
                    sample.total()
                } else {
                    counter_delta(m.last.rx_bytes, sample.rx_bytes)
                        .saturating_add(counter_delta(m.last.tx_bytes, sample.tx_bytes))
                }
            }
            _ => {
                self.meter = Some(MeterState {
                    iface: iface.to_string(),
                    last: sample,
                    boot_id: boot_id.map(str::to_string),
                });
                if now >= PLAUSIBLE_SINCE {
                    self.book(now, 0);
                }
                return ObserveNote::Started;
            }
        };
        self.meter = Some(MeterState {
            iface: iface.to_string(),
            last: sample,
            boot_id: boot_id.map(str::to_string),
        });
        if now < PLAUSIBLE_SINCE {
            self.pending = self.pending.saturating_add(delta);
            return ObserveNote::ClockImplausible(self.pending);
        }
        let total = delta.saturating_add(std::mem::take(&mut self.pending));
        let backwards = self.points.last().is_some_and(|&(t, _)| now < t);
        self.book(now, total);
        if backwards {
            ObserveNote::ClockBackwards(total)
        } else {
            ObserveNote::Counted(total)
        }
    }

    /// Books `bytes` at `now` (plausible clock).
    fn book(&mut self, now: i64, bytes: u64) {
        match self.points.last_mut() {
            None => {
                if bytes > 0 {
                    self.points.push((now - 1, 0));
                }
                self.points.push((now, bytes));
            }
            Some(last) if now <= last.0 => last.1 = last.1.saturating_add(bytes),
            Some(&mut (t, c)) => {
                if bytes > 0 && now - t > MAX_SPREAD {
                    self.points.push((now - MAX_SPREAD, c));
                }
                self.points.push((now, c.saturating_add(bytes)));
            }
        }
    }

    /// Cumulative bytes at `t` (linear between points; flat before the first and after the last).
    pub fn cum_at(&self, t: i64) -> u64 {
        let i = self.points.partition_point(|&(pt, _)| pt <= t);
        match (
            i.checked_sub(1).and_then(|j| self.points.get(j)),
            self.points.get(i),
        ) {
            (None, Some(&(_, c))) => c,
            (None, None) => 0,
            (Some(&(_, c)), None) => c,
            (Some(&(t0, c0)), Some(&(t1, c1))) => {
                let span = u128::try_from(t1 - t0).unwrap_or(1).max(1);
                let part = u128::try_from(t - t0).unwrap_or(0);
                let d = u128::from(c1 - c0) * part / span;
                c0 + u64::try_from(d).unwrap_or(0)
            }
        }
    }

    /// Bytes counted in `[a, b)`.
    pub fn counted(&self, a: i64, b: i64) -> u64 {
        if b <= a {
            return 0;
        }
        self.cum_at(b).saturating_sub(self.cum_at(a))
    }

    /// When counting started (the first point), if it has.
    pub fn since(&self) -> Option<i64> {
        self.points.first().map(|p| p.0)
    }

    /// Thins old points (the first of each hour beyond two days, none beyond 400 days). The
    /// cumulative figure at every kept point is unchanged, so totals between kept points stay exact.
    pub fn compact(&mut self, now: i64) {
        let fine = now - KEEP_FINE;
        let oldest = now - KEEP_ALL;
        let n = self.points.len();
        let mut kept: Vec<(i64, u64)> = Vec::with_capacity(n);
        for (i, &(t, c)) in self.points.iter().enumerate() {
            let last = i + 1 == n;
            let next_t = self.points.get(i + 1).map(|p| p.0);
            if !last && next_t.is_some_and(|nt| nt < oldest) {
                continue;
            }
            // Keep the first point of each hour (a sample on the hour keeps whole hours exact).
            let same_hour = kept
                .last()
                .is_some_and(|&(kt, _)| kt.div_euclid(3600) == t.div_euclid(3600));
            if !last && t < fine && same_hour {
                continue;
            }
            kept.push((t, c));
        }
        self.points = kept;
    }
}
