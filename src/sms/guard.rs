//! The spend guard: at most `max` query SMS per SIM in a sliding `window`.
//!
//! Keyword SMS may cost money. Every query the tool is about to send is recorded — keyed by
//! the SIM's ICCID (the IMSI when there is no ICCID) — in a small state file *before* the
//! message is sent, so a crash between recording and sending still counts: the guard errs
//! on the side of sending less. The state file is written atomically ([`StateDir::write`]).
//! A state file that cannot be read refuses nothing but is reported; one that cannot be
//! *written* refuses the send (the count could not be kept).
//!
//! The logic ([`GuardState::check`], [`GuardState::record`]) is pure: time is passed in as
//! seconds since the Unix epoch.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::state::StateDir;

/// State file name in the [`StateDir`].
pub const GUARD_FILE: &str = "sms-guard.json";

/// Default: 3 query SMS…
pub const DEFAULT_MAX: u32 = 3;
/// …per 24 hours.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// One recorded query SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    /// Seconds since the Unix epoch when the send was recorded (just before sending).
    pub at: u64,
    /// Destination number.
    pub number: String,
    /// Text sent.
    pub keyword: String,
}

/// Every SIM's recent query SMS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardState {
    /// Per SIM key (ICCID), oldest first.
    pub sims: BTreeMap<String, Vec<SentRecord>>,
}

/// Why the guard refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", refusal_text(self))]
pub struct Refusal {
    /// The limit.
    pub max: u32,
    /// The window.
    pub window: Duration,
    /// The sends inside the window, oldest first.
    pub recent: Vec<SentRecord>,
    /// When the next send is allowed (seconds since the epoch).
    pub next_allowed_at: u64,
    /// The current time used for the check.
    pub now: u64,
}

fn refusal_text(r: &Refusal) -> String {
    let mut s = format!(
        "spend guard: {} query SMS already sent from this SIM in the last {} (limit {}):",
        r.recent.len(),
        format_duration(r.window),
        r.max
    );
    for rec in &r.recent {
        s.push_str(&format!(
            "\n  {} ago: {:?} to {}",
            format_duration(Duration::from_secs(r.now.saturating_sub(rec.at))),
            rec.keyword,
            rec.number
        ));
    }
    s.push_str(&format!(
        "\nthe next one is allowed in {}; use --force to send anyway, or --max-sms N / --sms-window DURATION to change the limit",
        format_duration(Duration::from_secs(r.next_allowed_at.saturating_sub(r.now)))
    ));
    s
}

/// `1h 5m`, `2d 3h`, `45s`.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, mins, secs) = (s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if mins > 0 && days == 0 {
        parts.push(format!("{mins}m"));
    }
    if parts.is_empty() || (secs > 0 && s < 3600) {
        parts.push(format!("{secs}s"));
    }
    parts.join(" ")
}

/// Parses `24h`, `90m`, `1d`, `3600s` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 's')) => (t.get(..i).unwrap_or(""), 1u64),
        Some((i, 'm')) => (t.get(..i).unwrap_or(""), 60),
        Some((i, 'h')) => (t.get(..i).unwrap_or(""), 3600),
        Some((i, 'd')) => (t.get(..i).unwrap_or(""), 86400),
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 24h, 90m, 1d, 3600s)"))?;
    n.checked_mul(mult)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{text:?} is too long"))
}

impl GuardState {
    /// Drops records older than `window` (they can never count again).
    pub fn prune(&mut self, now: u64, window: Duration) {
        let w = window.as_secs();
        for v in self.sims.values_mut() {
            v.retain(|r| now.saturating_sub(r.at) < w);
        }
        self.sims.retain(|_, v| !v.is_empty());
    }

    /// The sends of `sim` inside the window ending at `now`.
    pub fn recent(&self, sim: &str, now: u64, window: Duration) -> Vec<SentRecord> {
        let w = window.as_secs();
        self.sims
            .get(sim)
            .map(|v| {
                v.iter()
                    .filter(|r| now.saturating_sub(r.at) < w)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `Ok` if one more send is allowed now.
    pub fn check(&self, sim: &str, now: u64, max: u32, window: Duration) -> Result<(), Refusal> {
        let mut recent = self.recent(sim, now, window);
        recent.sort_by_key(|r| r.at);
        if recent.len() < max as usize {
            return Ok(());
        }
        // The oldest record that must expire for the count to drop below the limit.
        let k = recent.len() - max as usize;
        let next = recent
            .get(k)
            .map(|r| r.at.saturating_add(window.as_secs()))
            .unwrap_or(now);
        Err(Refusal {
            max,
            window,
            recent,
            next_allowed_at: next,
            now,
        })
    }

    /// Records a send.
    pub fn record(&mut self, sim: &str, rec: SentRecord) {
        self.sims.entry(sim.to_string()).or_default().push(rec);
    }
}

/// The guard as the CLI uses it: limits plus the state directory.
#[derive(Debug, Clone)]
pub struct SpendGuard {
    /// Most query SMS per window.
    pub max: u32,
    /// The sliding window.
    pub window: Duration,
    /// Where the counts live.
    pub dir: StateDir,
}

/// Why a guarded send may not go ahead.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// Over the limit.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The count could not be saved, so the send is not made.
    #[error("cannot record the query SMS in {path} ({source}); nothing was sent (fix the state directory, or set SIMQUOTA_STATE_DIR)")]
    State {
        /// The state file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl SpendGuard {
    /// Checks the limit (unless `force`) and records the send *before* it happens.
    pub fn admit(
        &self,
        sim: &str,
        number: &str,
        keyword: &str,
        force: bool,
        now: u64,
    ) -> Result<(), GuardError> {
        let mut st: GuardState = self.dir.read(GUARD_FILE);
        if !force {
            st.check(sim, now, self.max, self.window)?;
        }
        st.prune(now, self.window.max(DEFAULT_WINDOW));
        st.record(
            sim,
            SentRecord {
                at: now,
                number: number.to_string(),
                keyword: keyword.to_string(),
            },
        );
        self.dir
            .write(GUARD_FILE, &st)
            .map_err(|source| GuardError::State {
                path: self.dir.path().join(GUARD_FILE).display().to_string(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(at: u64) -> SentRecord {
        SentRecord {
            at,
            number: "10086".into(),
            keyword: "CXLL".into(),
        }
    }

    #[test]
    fn fourth_in_window_is_refused_and_allowed_after_the_oldest_expires() {
        let w = Duration::from_secs(86400);
        let mut st = GuardState::default();
        for t in [1000, 2000, 3000] {
            assert!(st.check("icc", t, 3, w).is_ok());
            st.record("icc", rec(t));
        }
        let r = st.check("icc", 4000, 3, w).unwrap_err();
        assert_eq!(r.recent.len(), 3);
        assert_eq!(r.next_allowed_at, 1000 + 86400);
        let msg = r.to_string();
        assert!(
            msg.contains("--force") && msg.contains("3 query SMS"),
            "{msg}"
        );
        // Another SIM is not affected.
        assert!(st.check("other", 4000, 3, w).is_ok());
        // Once the first send is a day old, one more is allowed.
        assert!(st.check("icc", 1000 + 86400, 3, w).is_ok());
        // A lower limit counts the same records.
        assert_eq!(
            st.check("icc", 4000, 1, w).unwrap_err().next_allowed_at,
            3000 + 86400
        );
        assert!(st.check("icc", 4000, 0, w).is_err());
    }

    #[test]
    fn admit_records_before_send_and_survives_restart() {
        let dir = std::env::temp_dir().join(format!("simquota-guard-{}", std::process::id()));
        let g = SpendGuard {
            max: 2,
            window: Duration::from_secs(3600),
            dir: StateDir::at(&dir),
        };
        g.admit("icc", "10086", "CXLL", false, 100).unwrap();
        g.admit("icc", "10086", "CXLL", false, 200).unwrap();
        // A new guard over the same directory (a restart) still counts both.
        let g2 = SpendGuard {
            dir: StateDir::at(&dir),
            ..g.clone()
        };
        assert!(matches!(
            g2.admit("icc", "10086", "CXLL", false, 300),
            Err(GuardError::Refused(_))
        ));
        g2.admit("icc", "10086", "CXLL", true, 300).unwrap();
        let st: GuardState = StateDir::at(&dir).read(GUARD_FILE);
        assert_eq!(st.sims["icc"].len(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn durations() {
        for (t, s) in [
            ("24h", 86400),
            ("90m", 5400),
            ("1d", 86400),
            ("30s", 30),
            ("45", 45),
        ] {
            assert_eq!(parse_duration(t), Ok(Duration::from_secs(s)), "{t}");
        }
        for bad in ["", "h", "x1h", "-1h", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(3900)), "1h 5m");
        assert_eq!(format_duration(Duration::from_secs(45)), "45s");
        assert_eq!(format_duration(Duration::from_secs(90000)), "1d 1h");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn prop_never_more_than_max_admitted(times in proptest::collection::vec(0u64..200_000, 0..40), max in 0u32..5) {
            let w = Duration::from_secs(86400);
            let mut sorted = times.clone();
            sorted.sort();
            let mut st = GuardState::default();
            for t in sorted {
                if st.check("s", t, max, w).is_ok() {
                    st.record("s", rec(t));
                }
                proptest::prop_assert!(st.recent("s", t, w).len() <= max as usize);
            }
        }
        #[test]
        fn prop_parse_duration_never_panics(s in ".*") {
            let _ = parse_duration(&s);
        }
    }
}
