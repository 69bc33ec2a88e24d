//! The per-SIM status that the metrics, the status page and MQTT render: one read of the
//! history (plus the interface counters, for the estimate), made at a given `now`.
//!
//! Invariant: building a snapshot only reads; it never changes alert state or history.

use std::path::PathBuf;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

use super::estimate::{read_baseline, Estimate};
use super::forecast::{self, Forecast, Point};
use super::history::{CheckRecord, History};
use super::{utc_date, Result, DAY};

/// Where to read the interface counters for the live estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterSource {
    /// The statistics root: [`super::estimate::SYSFS_NET`] on a real system.
    pub stats_root: PathBuf,
    /// The modem's network interface (`wwan0`).
    pub iface: String,
}

/// What to put in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotOptions {
    /// Days of history for the chart and the forecast (default 30).
    pub history_days: i64,
    /// Interface counters for the estimate (`None`: no estimate).
    pub counters: Option<CounterSource>,
}

impl Default for SnapshotOptions {
    fn default() -> Self {
        SnapshotOptions {
            history_days: 30,
            counters: None,
        }
    }
}

/// An alert that is currently fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveAlert {
    /// The rule's canonical form.
    pub rule: String,
    /// Fired at (UTC unix seconds).
    pub since: i64,
    /// In words.
    pub message: String,
}

/// Everything known about one SIM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimStatus {
    /// ICCID.
    pub iccid: String,
    /// Carrier profile id of the latest check that named one.
    pub carrier: Option<String>,
    /// The latest check, successful or not.
    pub last_check: Option<CheckRecord>,
    /// The latest successful check.
    pub last_success: Option<CheckRecord>,
    /// Failed checks in a row.
    pub consecutive_failures: u32,
    /// Live estimate of remaining data (only with interface counters).
    pub estimate: Option<Estimate>,
    /// The forecast, when there is enough data.
    pub forecast: Option<Forecast>,
    /// Why there is no forecast.
    pub forecast_note: Option<String>,
    /// Days left to use data, today included (from the last expiry / reset date).
    pub days_left: Option<i64>,
    /// Remaining / days left.
    pub daily_budget: Option<u64>,
    /// Remaining data over the history window, oldest first (for the chart).
    pub history: Vec<Point>,
    /// Alerts currently fired.
    pub alerts: Vec<ActiveAlert>,
}

/// Keeps the last reading of each hour: the chart and the forecast need no more, and the work
/// per check (and the memory of a long `watch`) stays bounded by the window, not by how often
/// checks run (at most 24 × `history_days` points).
fn thin_hourly(points: impl Iterator<Item = Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::new();
    for p in points {
        match out.last_mut() {
            Some(last) if last.time.div_euclid(3600) == p.time.div_euclid(3600) => *last = p,
            _ => out.push(p),
        }
    }
    out
}

impl SimStatus {
    /// The status of one SIM at `now`.
    pub fn from_history(
        h: &History,
        iccid: &str,
        now: i64,
        opts: &SnapshotOptions,
    ) -> Result<SimStatus> {
        let last_check = h.last_check(iccid)?;
        let last_success = h.last_success(iccid)?;
        let since = now.saturating_sub(opts.history_days.max(1).saturating_mul(DAY));
        let history = thin_hourly(h.remaining_series(iccid, Some(since))?.into_iter().map(
            |(time, remaining_bytes)| Point {
                time,
                remaining_bytes,
            },
        ));
        let today = utc_date(now);
        let numbers = last_success.as_ref().map(|r| r.numbers.clone());
        let (expiry, reset) = numbers
            .as_ref()
            .map(|n| (n.expiry, n.reset))
            .unwrap_or((None, None));
        let unlimited = numbers.as_ref().is_some_and(|n| n.unlimited);
        let (fc, note) = if unlimited {
            (None, Some("unlimited data".to_string()))
        } else {
            match forecast::forecast(&history, today, expiry, reset) {
                Ok(f) => (Some(f), None),
                Err(e) => (None, Some(e.reason)),
            }
        };
        let deadline = forecast::deadline(expiry, reset);
        let remaining = numbers.as_ref().and_then(|n| n.remaining_bytes);
        let days_left = deadline.map(|d| forecast::days_left(today, d));
        let daily_budget = deadline
            .zip(remaining)
            .and_then(|(d, r)| forecast::daily_budget(r, today, d));

        let estimate = match (&opts.counters, &last_success) {
            (Some(src), Some(last)) if last.numbers.remaining_bytes.is_some() => {
                // Counters that cannot be read now only cost the estimate, not the status.
                match read_baseline(&src.stats_root, &src.iface) {
                    Ok(now_c) => {
                        h.bytes_since_last_check(iccid, &now_c)?
                            .and_then(|(base, bytes)| {
                                base.numbers
                                    .remaining_bytes
                                    .map(|r| Estimate::new(r, base.time, bytes))
                            })
                    }
                    Err(_) => None,
                }
            }
            _ => None,
        };
        let alerts = h
            .active_alerts(iccid)?
            .into_iter()
            .map(|(rule, since, message)| ActiveAlert {
                rule,
                since,
                message,
            })
            .collect();
        let carrier = last_check
            .as_ref()
            .and_then(|r| r.carrier.clone())
            .or_else(|| last_success.as_ref().and_then(|r| r.carrier.clone()));
        Ok(SimStatus {
            iccid: iccid.to_string(),
            carrier,
            consecutive_failures: h.consecutive_failures(iccid)?,
            last_check,
            last_success,
            estimate,
            forecast: fc,
            forecast_note: note,
            days_left,
            daily_budget,
            history,
            alerts,
        })
    }

    /// The state JSON published over MQTT (and usable by any consumer): flat, numbers as
    /// integers, dates ISO 8601, `null` when unknown.
    pub fn state_json(&self) -> serde_json::Value {
        let n = self
            .last_success
            .as_ref()
            .map(|r| r.numbers.clone())
            .unwrap_or_default();
        serde_json::json!({
            "iccid": self.iccid,
            "carrier": self.carrier,
            "remaining_bytes": n.remaining_bytes,
            "used_bytes": n.used_bytes,
            "total_bytes": n.total_bytes,
            "unlimited": n.unlimited,
            "balance": n.balance,
            "currency": n.currency,
            "expiry": n.expiry,
            "reset": n.reset,
            "estimated_remaining_bytes": self.estimate.as_ref().map(|e| e.remaining_bytes),
            "rate_bytes_per_day": self.forecast.as_ref().map(|f| f.rate_bytes_per_day),
            "runs_out": self.forecast.as_ref().and_then(|f| f.runs_out),
            "days_left": self.days_left,
            "daily_budget_bytes": self.daily_budget,
            "last_check": self.last_check.as_ref().map(|r| r.time),
            "last_check_iso": self.last_check.as_ref().map(|r| super::iso_datetime(r.time)),
            "last_check_success": self.last_check.as_ref().map(|r| r.success),
            "last_success": self.last_success.as_ref().map(|r| r.time),
            "consecutive_failures": self.consecutive_failures,
            "signal_dbm": self.last_check.as_ref().and_then(|r| r.signal_dbm),
            "alerts": self.alerts.iter().map(|a| a.rule.clone()).collect::<Vec<_>>(),
        })
    }
}

/// The status of every SIM in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When it was made (UTC unix seconds).
    pub generated_at: i64,
    /// One entry per ICCID, sorted.
    pub sims: Vec<SimStatus>,
}

impl Snapshot {
    /// Reads every SIM's status from the history at `now`.
    pub fn from_history(h: &History, now: i64, opts: &SnapshotOptions) -> Result<Snapshot> {
        let mut sims = Vec::new();
        for iccid in h.iccids()? {
            sims.push(SimStatus::from_history(h, &iccid, now, opts)?);
        }
        Ok(Snapshot {
            generated_at: now,
            sims,
        })
    }
}

/// Where the HTTP server gets the status from, at each request.
pub trait StatusSource: Send + Sync + 'static {
    /// The status now. May block (it is called on a blocking thread).
    fn snapshot(&self) -> Result<Snapshot>;
}

/// A snapshot kept in memory and replaced by the caller (a watcher that owns the history).
impl StatusSource for RwLock<Snapshot> {
    fn snapshot(&self) -> Result<Snapshot> {
        // A writer that panicked left a whole snapshot behind (replacement is one assignment).
        Ok(match self.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        })
    }
}

/// Opens the history file at each request (for `simquota serve` running beside a separate
/// `watch` process: WAL lets it read while the watcher writes).
#[derive(Debug, Clone)]
pub struct HistorySource {
    /// The database file.
    pub path: PathBuf,
    /// What to include.
    pub options: SnapshotOptions,
}

impl StatusSource for HistorySource {
    fn snapshot(&self) -> Result<Snapshot> {
        // `serve` only reads: a history that does not exist yet is an empty status, and no
        // empty database is created behind `watch`'s back.
        if !self.path.exists() {
            return Ok(Snapshot {
                generated_at: super::now_unix(),
                sims: Vec::new(),
            });
        }
        let h = History::open(&self.path)?;
        Snapshot::from_history(&h, super::now_unix(), &self.options)
    }
}

#[cfg(test)]
mod thin_tests {
    use super::*;

    #[test]
    fn keeps_the_last_point_of_each_hour() {
        let p = |time, remaining_bytes| Point {
            time,
            remaining_bytes,
        };
        let got =
            thin_hourly(vec![p(0, 10), p(100, 9), p(3599, 8), p(3600, 7), p(9000, 5)].into_iter());
        assert_eq!(got, vec![p(3599, 8), p(3600, 7), p(9000, 5)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::balance::{Date, Reading};
    use crate::monitor::estimate::{CounterSample, Counters};
    use crate::monitor::history::Method;
    use crate::monitor::test_util::temp_dir;

    #[test]
    fn snapshot_collects_estimate_forecast_budget_and_alerts() {
        let dir = temp_dir("status");
        let h = History::open(&dir.join("h.db")).unwrap();
        let root = dir.join("sys");
        let stats = root.join("wwan0/statistics");
        std::fs::create_dir_all(&stats).unwrap();
        let t0 = Date::new(2026, 11, 1).unwrap().to_days_since_epoch() * DAY;
        for day in 0..5i64 {
            let mut r = Reading::empty("x");
            r.remaining_bytes = Some((10 - day as u64) << 30);
            r.total_bytes = Some(10 << 30);
            r.expiry = Date::new(2026, 11, 30);
            let mut rec = CheckRecord::success(t0 + day * DAY, "A", Method::Ussd, "*100#", r);
            rec.counters = Some(Counters {
                iface: "wwan0".into(),
                sample: CounterSample {
                    rx_bytes: 1000,
                    tx_bytes: 0,
                },
                boot_id: crate::monitor::estimate::boot_id(),
            });
            h.record(&rec).unwrap();
        }
        std::fs::write(stats.join("rx_bytes"), format!("{}", 1000 + (1u64 << 29))).unwrap();
        std::fs::write(stats.join("tx_bytes"), "0").unwrap();
        h.set_alert_state("A", "remaining<10%", true, t0, Some("low"))
            .unwrap();
        let opts = SnapshotOptions {
            history_days: 30,
            counters: Some(CounterSource {
                stats_root: root,
                iface: "wwan0".into(),
            }),
        };
        let now = t0 + 4 * DAY + 3600;
        let s = Snapshot::from_history(&h, now, &opts).unwrap();
        assert_eq!(s.sims.len(), 1);
        let sim = s.sims.first().unwrap();
        assert_eq!(sim.history.len(), 5);
        let e = sim.estimate.as_ref().unwrap();
        assert_eq!(e.remaining_bytes, (6u64 << 30) - (1 << 29));
        let f = sim.forecast.as_ref().unwrap();
        assert_eq!(f.rate_bytes_per_day, 1 << 30);
        assert_eq!(sim.days_left, Some(26), "2026-11-05 ..= 2026-11-30");
        assert_eq!(sim.daily_budget, Some((6u64 << 30) / 26));
        assert_eq!(sim.alerts.len(), 1);
        let j = sim.state_json();
        assert_eq!(j["remaining_bytes"], 6u64 << 30);
        assert_eq!(j["expiry"], "2026-11-30");
        assert_eq!(j["alerts"][0], "remaining<10%");
        // The in-memory source gives back what it holds.
        let mem = RwLock::new(s.clone());
        assert_eq!(mem.snapshot().unwrap(), s);
    }
}
