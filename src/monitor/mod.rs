//! Router-side monitoring: a history of every check, a live estimate between checks, a forecast,
//! alerts, Prometheus metrics, MQTT / Home Assistant export, a status page and the watch
//! schedule.
//!
//! Invariant (DESIGN.md, `monitor` must not block the query path): everything here runs *after*
//! a check has produced a [`CheckRecord`]; nothing here talks to the modem. Time is always passed
//! in (`now` as UTC unix seconds), so every piece is testable with virtual time.
//!
//! - [`history`]: the SQLite store (WAL, `synchronous=FULL`, forward migrations);
//! - [`estimate`]: interface byte counters (sysfs or Huawei `^DSFLOWQRY`) → estimated remaining;
//! - [`forecast`]: usage rate (Theil–Sen over daily points), run-out date, daily budget;
//! - [`alerts`]: rules that fire once per crossing, `--exec` program runner;
//! - [`metrics`]: Prometheus text exposition, textfile collector, tiny HTTP server;
//! - [`mqtt`]: state + availability + Home Assistant discovery over MQTT (rumqttc; TLS with the `mqtt-tls` feature);
//! - [`page`]: the HTML status page (inline SVG, no JavaScript);
//! - [`schedule`]: `--every` durations, jitter from a seeded RNG, back-off on failure;
//! - [`status`]: the per-SIM snapshot that metrics, the page and MQTT render.

// Without the `history` feature only the parts a one-shot check uses remain (the record and
// forecast types, counters, schedules): everything that reads or writes the SQLite store is out.
#[cfg(feature = "history")]
pub mod alerts;
pub mod estimate;
pub mod forecast;
pub mod history;
#[cfg(feature = "history")]
pub mod metrics;
#[cfg(feature = "mqtt")]
pub mod mqtt;
#[cfg(feature = "history")]
pub mod page;
pub mod schedule;
#[cfg(feature = "history")]
pub mod status;

#[cfg(all(test, feature = "history"))]
mod crash_tests;

#[cfg(test)]
pub(crate) mod test_util {
    use std::path::PathBuf;

    /// A fresh, empty directory under the system temp dir, unique per call.
    pub fn temp_dir(name: &str) -> PathBuf {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "simquota-monitor-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_default();
        dir
    }
}

#[cfg(feature = "history")]
pub use alerts::{Alert, ExecAction, ExecOutcome, Rule};
pub use estimate::{CounterSample, Counters, DsFlow, Estimate, Meter};
pub use forecast::{Forecast, NoForecast, Point};
#[cfg(feature = "history")]
pub use history::History;
pub use history::{CheckRecord, KeyNumbers, Method};
#[cfg(feature = "http")]
pub use metrics::serve;
#[cfg(feature = "history")]
pub use metrics::{default_listen, render_metrics, write_textfile};
#[cfg(feature = "mqtt")]
pub use mqtt::{Message, MqttConfig, MqttPublisher, MqttQueue, MqttTls, Publication};
#[cfg(feature = "history")]
pub use page::render_page;
pub use schedule::{parse_duration, Rng, Schedule};
#[cfg(feature = "history")]
pub use status::{
    ActiveAlert, CounterSource, HistorySource, SimStatus, Snapshot, SnapshotOptions, StatusSource,
};

/// What [`after_check`] did.
#[cfg(feature = "history")]
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// Row id of the recorded check.
    pub id: i64,
    /// The SIM's status after the check (forecast, budget, estimate, active alerts).
    pub status: SimStatus,
    /// Alerts that fired at this check (each rule at most once per crossing).
    pub fired: Vec<Alert>,
}

/// The watch loop's step after each check: record it, work out the SIM's status (forecast,
/// budget, estimate), evaluate the alert rules, and return what fired. The caller then runs
/// its actions ([`ExecAction::run`], [`MqttPublisher::publish_alert`]), publishes the status
/// and writes the textfile — none of which touch the modem.
#[cfg(feature = "history")]
pub fn after_check(
    history: &History,
    record: &CheckRecord,
    rules: &[Rule],
    now: i64,
    options: &SnapshotOptions,
) -> Result<CheckOutcome> {
    let id = history.record(record)?;
    let status = SimStatus::from_history(history, &record.iccid, now, options)?;
    let fired = alerts::evaluate(history, rules, &record.iccid, status.forecast.as_ref(), now)?;
    // Re-read so the status lists the alerts that just fired (and drops re-armed ones).
    let status = if fired.is_empty() && status.alerts.is_empty() {
        status
    } else {
        SimStatus::from_history(history, &record.iccid, now, options)?
    };
    Ok(CheckOutcome { id, status, fired })
}

/// Errors of the monitor layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// The history database failed (open, migrate, read or write).
    #[cfg(feature = "history")]
    #[error("history database: {0}")]
    Db(#[from] rusqlite::Error),
    /// The history database file could not be opened, created or migrated.
    #[cfg(feature = "history")]
    #[error("history database {}: {source}", path.display())]
    DbFile {
        /// The file.
        path: std::path::PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done (`"reading /sys/class/net/wwan0/statistics/rx_bytes"`).
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// JSON (de)serialisation failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The database was written by a newer simquota.
    #[error("history database schema version {found} is newer than this simquota understands ({known}); upgrade simquota")]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// A value given by the user or read from a counter is malformed.
    #[error("{0}")]
    Invalid(String),
    /// MQTT failed.
    #[error("MQTT: {0}")]
    Mqtt(String),
}

impl MonitorError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> MonitorError {
        MonitorError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Result of the monitor layer.
pub type Result<T> = std::result::Result<T, MonitorError>;

#[cfg(all(test, feature = "history"))]
mod tests {
    use super::*;
    use crate::balance::Reading;

    #[test]
    fn after_check_records_forecasts_and_alerts_once() {
        let dir = test_util::temp_dir("after-check");
        let h = History::open(&dir.join("h.db")).unwrap();
        let rules: Vec<Rule> = ["remaining<2GB", "runout"]
            .iter()
            .map(|r| r.parse().unwrap())
            .collect();
        let t0 = date_start(crate::balance::Date::new(2026, 11, 1).unwrap());
        let mut fired = Vec::new();
        for day in 0..6i64 {
            let mut r = Reading::empty("x");
            r.remaining_bytes = Some((6 - day as u64) << 30);
            r.total_bytes = Some(10 << 30);
            r.expiry = crate::balance::Date::new(2026, 11, 30);
            let rec = CheckRecord::success(t0 + day * DAY, "A", Method::Ussd, "*100#", r);
            let out = after_check(
                &h,
                &rec,
                &rules,
                t0 + day * DAY,
                &SnapshotOptions::default(),
            )
            .unwrap();
            assert!(out.id > 0);
            fired.extend(out.fired.iter().map(|a| (day, a.key.clone())));
            if day == 5 {
                assert_eq!(out.status.alerts.len(), 2, "{:?}", out.status.alerts);
                assert_eq!(
                    out.status.forecast.as_ref().unwrap().rate_bytes_per_day,
                    1 << 30
                );
            }
        }
        // Run-out fires as soon as there is a forecast (day 1); the size rule when 1 GiB is
        // left (day 5: 6 - 5 = 1 < 2).
        assert_eq!(
            fired,
            vec![
                (1, "runout-before-expiry".to_string()),
                (5, "remaining<2147483648".to_string())
            ]
        );
    }

    #[test]
    fn iso_datetime_format() {
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_datetime(1_798_761_599), "2026-12-31T23:59:59Z");
    }
}

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// The UTC calendar day of a unix time.
pub fn utc_date(unix_seconds: i64) -> crate::balance::Date {
    crate::balance::Date::from_days_since_epoch(unix_seconds.div_euclid(DAY))
}

/// Unix time of 00:00 UTC on `date`.
pub fn date_start(date: crate::balance::Date) -> i64 {
    date.to_days_since_epoch().saturating_mul(DAY)
}

/// A unix time as ISO 8601 UTC (`2026-11-03T06:00:00Z`), formatted by `jiff`; times outside
/// its range (±9999 years) are clamped to it.
pub fn iso_datetime(unix_seconds: i64) -> String {
    let (min, max) = (
        jiff::Timestamp::MIN.as_second(),
        jiff::Timestamp::MAX.as_second(),
    );
    jiff::Timestamp::from_second(unix_seconds.clamp(min, max))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The current UTC unix time in seconds (the one place this module reads the clock; library
/// functions take `now` as a parameter).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `u64` bytes into an SQLite integer (saturating: no real quota reaches 2^63 bytes).
#[cfg(feature = "history")]
pub(crate) fn to_sql_u64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// An SQLite integer back into bytes (negative values, which simquota never writes, become 0).
#[cfg(feature = "history")]
pub(crate) fn from_sql_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}
