//! The spend guard: at most `max` query SMS per SIM in a sliding `window`.
//!
//! Keyword SMS may cost money. Every SMS the tool is about to send is recorded — one record per
//! send, counting each part of a multi-part keyword — in a small state file *before* the
//! message is sent, so a crash between recording and sending still counts: the guard errs on
//! the side of sending less.
//!
//! Invariants:
//! - Admission is atomic across processes: [`SpendGuard::admit`] holds an advisory lock
//!   ([`StateDir::lock`]) across read, check and record, and writes by renaming a fully written,
//!   fsynced temp file ([`StateDir::write`]). Any number of processes and SIMs may check at once.
//! - It fails closed: a state file that exists but cannot be read (truncated, garbage, NUL
//!   bytes, wrong schema) refuses the send ([`GuardError::Damaged`]) and is never overwritten;
//!   `--force` sends once and moves the damaged file aside (saying where). A file that cannot be
//!   *written* refuses the send too (the count could not be kept).
//! - A SIM has one count whatever identifier could be read this time: a send is recorded under
//!   every key known for the SIM (ICCID and IMSI) and counted under any of them.
//!
//! The logic ([`GuardState::check`], [`GuardState::record`]) is pure: time is passed in as
//! seconds since the Unix epoch.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::state::StateDir;

/// State file name in the [`StateDir`].
pub const GUARD_FILE: &str = "sms-guard.json";

/// Default: 3 query SMS…
pub const DEFAULT_MAX: u32 = 3;
/// …per 24 hours.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// How long [`SpendGuard::admit`] waits for another process holding the guard's lock.
const LOCK_WAIT: Duration = Duration::from_secs(30);

fn one() -> u32 {
    1
}

/// One recorded send (of one or more SMS parts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentRecord {
    /// Seconds since the Unix epoch when the send was recorded (just before sending).
    pub at: u64,
    /// Destination number.
    pub number: String,
    /// Text sent.
    pub keyword: String,
    /// SMS that went out for it (a long keyword is sent as several concatenated parts).
    #[serde(default = "one")]
    pub parts: u32,
    /// Identifies the send across the SIM's keys (0 in files written before it existed).
    #[serde(default)]
    pub id: u64,
}

/// Every SIM's recent query SMS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardState {
    /// Per SIM key (ICCID, IMSI), oldest first.
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
    /// SMS this send would take.
    pub parts: u32,
    /// When the next send is allowed (seconds since the epoch); `None`: never under this
    /// limit (the keyword alone takes more SMS than the limit).
    pub next_allowed_at: Option<u64>,
    /// The current time used for the check.
    pub now: u64,
}

fn refusal_text(r: &Refusal) -> String {
    let used: u32 = r.recent.iter().map(|x| x.parts).sum();
    let mut s = format!(
        "spend guard: {used} query SMS already sent from this SIM in the last {} (limit {}){}:",
        format_duration(r.window),
        r.max,
        if r.parts > 1 {
            format!("; this keyword goes out as {} SMS", r.parts)
        } else {
            String::new()
        }
    );
    if r.recent.is_empty() {
        s.push_str(" none");
    }
    for rec in &r.recent {
        s.push_str(&format!(
            "\n  {} ago: {:?} to {}{}",
            format_duration(Duration::from_secs(r.now.saturating_sub(rec.at))),
            rec.keyword,
            rec.number,
            if rec.parts > 1 {
                format!(" ({} SMS)", rec.parts)
            } else {
                String::new()
            }
        ));
    }
    match r.next_allowed_at {
        Some(t) => s.push_str(&format!(
            "\nthe next one is allowed in {}; use --force to send anyway, or --max-sms N / --sms-window DURATION to change the limit",
            format_duration(Duration::from_secs(t.saturating_sub(r.now)))
        )),
        None => s.push_str(&format!(
            "\nit can never fit a limit of {}: use --force to send anyway, or raise --max-sms",
            r.max
        )),
    }
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

    /// The sends recorded under any of `keys` inside the window ending at `now`, each once,
    /// oldest first.
    pub fn recent(&self, keys: &[&str], now: u64, window: Duration) -> Vec<SentRecord> {
        let w = window.as_secs();
        let mut seen = BTreeSet::new();
        let mut out: Vec<SentRecord> = keys
            .iter()
            .filter_map(|k| self.sims.get(*k))
            .flatten()
            .filter(|r| now.saturating_sub(r.at) < w)
            .filter(|r| {
                // Records from before `id` existed were only ever stored under one key.
                r.id == 0 || seen.insert(r.id)
            })
            .cloned()
            .collect();
        out.sort_by_key(|r| r.at);
        out
    }

    /// `Ok` if a send of `parts` SMS is allowed now for the SIM known by `keys`.
    pub fn check(
        &self,
        keys: &[&str],
        now: u64,
        max: u32,
        window: Duration,
        parts: u32,
    ) -> Result<(), Refusal> {
        let recent = self.recent(keys, now, window);
        let used: u64 = recent.iter().map(|r| u64::from(r.parts)).sum();
        let (max64, parts64) = (u64::from(max), u64::from(parts.max(1)));
        if used + parts64 <= max64 {
            return Ok(());
        }
        // The oldest records that must expire for this send to fit.
        let next = if parts64 > max64 {
            None
        } else {
            let mut left = used;
            recent
                .iter()
                .find(|r| {
                    left -= u64::from(r.parts);
                    left + parts64 <= max64
                })
                .map(|r| r.at.saturating_add(window.as_secs()))
        };
        Err(Refusal {
            max,
            window,
            recent,
            parts: parts.max(1),
            next_allowed_at: next,
            now,
        })
    }

    /// Records a send under every key of the SIM.
    pub fn record(&mut self, keys: &[&str], rec: SentRecord) {
        for k in keys {
            self.sims
                .entry(k.to_string())
                .or_default()
                .push(rec.clone());
        }
    }
}

/// The keys a SIM is counted under: its ICCID and its IMSI, whichever could be read (a SIM
/// with neither is `unknown-sim`, one shared budget for every such SIM).
pub fn sim_keys(iccid: Option<&str>, imsi: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = [iccid, imsi]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    keys.dedup();
    if keys.is_empty() {
        keys.push("unknown-sim".into());
    }
    keys
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
    /// The guard file exists but cannot be read: the count is unknown, so nothing is sent.
    #[error("the spend guard's file {} {}: nothing was sent, and the file was left as it is. If you know no query SMS went out recently, remove it (rm {}) or pass --force once (the damaged file is then moved aside)", .path, .reason, .path)]
    Damaged {
        /// The state file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
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

fn send_id() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    // Unique across processes (pid) and within one (time); never 0.
    (nanos ^ (u64::from(std::process::id()) << 40)) | 1
}

/// What [`SpendGuard::admit`] did besides admitting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admitted {
    /// With `--force` over a damaged file: where it was moved.
    pub damaged_moved_to: Option<String>,
}

impl SpendGuard {
    /// Checks the limit (unless `force`) for a send of `parts` SMS from the SIM known by
    /// `keys`, and records the send *before* it happens — all under the guard's lock.
    pub fn admit(
        &self,
        keys: &[String],
        number: &str,
        keyword: &str,
        parts: u32,
        force: bool,
        now: u64,
    ) -> Result<Admitted, GuardError> {
        let path = self.dir.path().join(GUARD_FILE).display().to_string();
        let state_err = |source| GuardError::State {
            path: path.clone(),
            source,
        };
        let _lock = self.dir.lock(GUARD_FILE, LOCK_WAIT).map_err(state_err)?;
        let mut done = Admitted::default();
        let mut st: GuardState = match self.dir.read_strict(GUARD_FILE) {
            Ok(v) => v.unwrap_or_default(),
            Err(e) if force => {
                let to = self.dir.move_aside(GUARD_FILE, now).map_err(state_err)?;
                let _ = e;
                done.damaged_moved_to = Some(to.display().to_string());
                GuardState::default()
            }
            Err(e) => {
                return Err(GuardError::Damaged {
                    path: e.path.display().to_string(),
                    reason: e.reason,
                })
            }
        };
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        if !force {
            st.check(&keys, now, self.max, self.window, parts)?;
        }
        st.prune(now, self.window.max(DEFAULT_WINDOW));
        st.record(
            &keys,
            SentRecord {
                at: now,
                number: number.to_string(),
                keyword: keyword.to_string(),
                parts: parts.max(1),
                id: send_id(),
            },
        );
        self.dir.write(GUARD_FILE, &st).map_err(state_err)?;
        Ok(done)
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
            parts: 1,
            id: at,
        }
    }

    #[test]
    fn fourth_in_window_is_refused_and_allowed_after_the_oldest_expires() {
        let w = Duration::from_secs(86400);
        let mut st = GuardState::default();
        for t in [1000, 2000, 3000] {
            assert!(st.check(&["icc"], t, 3, w, 1).is_ok());
            st.record(&["icc"], rec(t));
        }
        let r = st.check(&["icc"], 4000, 3, w, 1).unwrap_err();
        assert_eq!(r.recent.len(), 3);
        assert_eq!(r.next_allowed_at, Some(1000 + 86400));
        let msg = r.to_string();
        assert!(
            msg.contains("--force") && msg.contains("3 query SMS"),
            "{msg}"
        );
        // Another SIM is not affected.
        assert!(st.check(&["other"], 4000, 3, w, 1).is_ok());
        // Once the first send is a day old, one more is allowed.
        assert!(st.check(&["icc"], 1000 + 86400, 3, w, 1).is_ok());
        // A lower limit counts the same records.
        assert_eq!(
            st.check(&["icc"], 4000, 1, w, 1)
                .unwrap_err()
                .next_allowed_at,
            Some(3000 + 86400)
        );
        assert!(st.check(&["icc"], 4000, 0, w, 1).is_err());
    }

    #[test]
    fn every_part_counts_and_a_keyword_over_the_limit_never_fits() {
        let w = Duration::from_secs(86400);
        let mut st = GuardState::default();
        // A 3-part keyword under a limit of 3 fits once, then nothing more.
        assert!(st.check(&["icc"], 10, 3, w, 3).is_ok());
        st.record(
            &["icc"],
            SentRecord {
                parts: 3,
                ..rec(10)
            },
        );
        let r = st.check(&["icc"], 20, 3, w, 1).unwrap_err();
        assert_eq!(r.next_allowed_at, Some(10 + 86400));
        assert!(r.to_string().contains("3 query SMS"), "{r}");
        // Under a limit of 1, a 3-part keyword can never go without --force.
        let r = GuardState::default()
            .check(&["x"], 20, 1, w, 3)
            .unwrap_err();
        assert_eq!(r.next_allowed_at, None);
        assert!(r.to_string().contains("goes out as 3 SMS"), "{r}");
    }

    #[test]
    fn a_sim_is_one_count_under_its_iccid_and_imsi() {
        let w = Duration::from_secs(86400);
        let mut st = GuardState::default();
        let both = sim_keys(Some("8986"), Some("46000"));
        let keys: Vec<&str> = both.iter().map(String::as_str).collect();
        st.record(&keys, rec(5));
        // This time the ICCID could not be read: the IMSI alone still sees the send.
        assert!(st.check(&["46000"], 6, 1, w, 1).is_err());
        assert!(st.check(&["8986"], 6, 1, w, 1).is_err());
        // Counted once under both keys, not twice.
        assert_eq!(st.recent(&keys, 6, w).len(), 1);
        assert!(st.check(&keys, 6, 2, w, 1).is_ok());
        assert_eq!(sim_keys(None, None), vec!["unknown-sim".to_string()]);
    }

    #[test]
    fn admit_records_before_send_and_survives_restart() {
        let dir = std::env::temp_dir().join(format!("simquota-guard-{}", std::process::id()));
        let g = SpendGuard {
            max: 2,
            window: Duration::from_secs(3600),
            dir: StateDir::at(&dir),
        };
        let k = vec!["icc".to_string()];
        g.admit(&k, "10086", "CXLL", 1, false, 100).unwrap();
        g.admit(&k, "10086", "CXLL", 1, false, 200).unwrap();
        // A new guard over the same directory (a restart) still counts both.
        let g2 = SpendGuard {
            dir: StateDir::at(&dir),
            ..g.clone()
        };
        assert!(matches!(
            g2.admit(&k, "10086", "CXLL", 1, false, 300),
            Err(GuardError::Refused(_))
        ));
        g2.admit(&k, "10086", "CXLL", 1, true, 300).unwrap();
        let st: GuardState = StateDir::at(&dir).read(GUARD_FILE);
        assert_eq!(st.sims["icc"].len(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_file_refuses_and_is_left_alone_and_force_moves_it_aside() {
        let dir = std::env::temp_dir().join(format!("simquota-guard-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let g = SpendGuard {
            max: 3,
            window: Duration::from_secs(3600),
            dir: StateDir::at(&dir),
        };
        let k = vec!["icc".to_string()];
        let f = dir.join(GUARD_FILE);
        for bad in [
            &b""[..],
            b"{\"sims\": {\"icc\": [",
            b"\0\0\0\0\0\0",
            b"{\"counts\": 3}",
        ] {
            std::fs::write(&f, bad).unwrap();
            let e = g.admit(&k, "10086", "CXLL", 1, false, 100).unwrap_err();
            assert!(matches!(e, GuardError::Damaged { .. }), "{bad:?}: {e}");
            let text = e.to_string();
            assert!(
                text.contains(GUARD_FILE) && text.contains("--force"),
                "{text}"
            );
            assert_eq!(std::fs::read(&f).unwrap(), bad, "the file was changed");
        }
        let done = g.admit(&k, "10086", "CXLL", 1, true, 100).unwrap();
        let moved = done.damaged_moved_to.expect("moved aside");
        assert_eq!(std::fs::read(&moved).unwrap(), b"{\"counts\": 3}");
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
        fn prop_never_more_than_max_admitted(sends in proptest::collection::vec((0u64..200_000, 1u32..4), 0..40), max in 0u32..5) {
            let w = Duration::from_secs(86400);
            let mut sorted = sends.clone();
            sorted.sort();
            let mut st = GuardState::default();
            for (i, (t, parts)) in sorted.into_iter().enumerate() {
                if st.check(&["s"], t, max, w, parts).is_ok() {
                    st.record(&["s"], SentRecord { parts, id: i as u64 + 1, ..rec(t) });
                }
                let used: u32 = st.recent(&["s"], t, w).iter().map(|r| r.parts).sum();
                proptest::prop_assert!(used <= max);
            }
        }
        #[test]
        fn prop_parse_duration_never_panics(s in ".*") {
            let _ = parse_duration(&s);
        }
    }
}
