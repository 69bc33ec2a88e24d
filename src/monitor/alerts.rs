//! Alerts: rules over the latest check, each firing **once per crossing**.
//!
//! Invariant: a rule's state per (ICCID, rule) lives in the history database (`alert_state`):
//! *armed* until its condition holds, then it fires once and is *fired*; it is re-armed only
//! when a later check shows the condition clear (a top-up, a successful check). A check that
//! cannot tell (a failed check for a data rule, no forecast yet) leaves the state alone, so a
//! flaky modem neither repeats nor silently re-arms an alert.
//!
//! Actions: the returned list (for the caller's exit status), [`ExecAction`] (a program run
//! directly — never through a shell — with the facts in `SIMQUOTA_*` environment variables and
//! the JSON on stdin; carrier text is never in argv and never interpreted), and MQTT
//! ([`super::mqtt::MqttPublisher::publish_alert`]).

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::forecast::Forecast;
use super::history::{CheckRecord, History};
use super::{MonitorError, Result};
use crate::balance::{format_bytes, Date};

/// One alert rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// Remaining data below this many bytes.
    RemainingBelow {
        /// Threshold in bytes.
        bytes: u64,
    },
    /// Remaining data below this percentage of the allowance.
    RemainingBelowPercent {
        /// 1–100.
        percent: u8,
    },
    /// At the current rate, the data runs out before the expiry / reset date.
    RunsOutBeforeExpiry,
    /// This many checks in a row failed.
    CheckFailures {
        /// At least 1.
        count: u32,
    },
}

impl fmt::Display for Rule {
    /// The canonical form, also the key in the state table: `remaining<1073741824`,
    /// `remaining<10%`, `runout-before-expiry`, `failures>=3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::RemainingBelow { bytes } => write!(f, "remaining<{bytes}"),
            Rule::RemainingBelowPercent { percent } => write!(f, "remaining<{percent}%"),
            Rule::RunsOutBeforeExpiry => f.write_str("runout-before-expiry"),
            Rule::CheckFailures { count } => write!(f, "failures>={count}"),
        }
    }
}

/// Parses a size: a decimal number and an optional unit `B`, `K`/`KB`/`KiB`, `M`/`MB`/`MiB`,
/// `G`/`GB`/`GiB`, `T`/`TB`/`TiB` (case-insensitive). All multiples are 1024-based, as in
/// simquota's output (and most carriers' replies).
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let bad = || MonitorError::Invalid(format!("not a size (e.g. 500MB, 1.5GB): {s:?}"));
    if num.is_empty() || num.len() > 20 {
        return Err(bad());
    }
    let value: f64 = num.parse().map_err(|_| bad())?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(bad()),
    };
    let bytes = (value * mult as f64).round();
    if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

impl FromStr for Rule {
    type Err = MonitorError;

    /// `remaining<500MB`, `remaining<10%`, `runout` (or `runout-before-expiry`), `failures>=3`
    /// (or `failures=3`). Spaces are ignored.
    fn from_str(s: &str) -> Result<Rule> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let lower = t.to_ascii_lowercase();
        let bad = |why: &str| {
            MonitorError::Invalid(format!(
                "alert rule {s:?}: {why} (forms: remaining<500MB, remaining<10%, runout, failures>=3)"
            ))
        };
        if lower == "runout" || lower == "runout-before-expiry" {
            return Ok(Rule::RunsOutBeforeExpiry);
        }
        if let Some(v) = lower.strip_prefix("remaining<") {
            if let Some(p) = v.strip_suffix('%') {
                let percent: u8 = p.parse().map_err(|_| bad("percent must be 1–100"))?;
                if !(1..=100).contains(&percent) {
                    return Err(bad("percent must be 1–100"));
                }
                return Ok(Rule::RemainingBelowPercent { percent });
            }
            let bytes = parse_size(v).map_err(|_| bad("not a size"))?;
            return Ok(Rule::RemainingBelow { bytes });
        }
        if let Some(v) = lower
            .strip_prefix("failures>=")
            .or_else(|| lower.strip_prefix("failures="))
        {
            let count: u32 = v.parse().map_err(|_| bad("count must be a number ≥ 1"))?;
            if count == 0 {
                return Err(bad("count must be a number ≥ 1"));
            }
            return Ok(Rule::CheckFailures { count });
        }
        Err(bad("unknown rule"))
    }
}

/// An alert that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// The rule.
    pub rule: Rule,
    /// The rule's canonical form ([`Rule`]'s `Display`): `SIMQUOTA_ALERT`.
    pub key: String,
    /// The SIM.
    pub iccid: String,
    /// In words, for a notification.
    pub message: String,
    /// When it fired (UTC unix seconds).
    pub time: i64,
    /// Carrier profile id of the last check.
    pub carrier: Option<String>,
    /// Remaining bytes at the last successful check.
    pub remaining_bytes: Option<u64>,
    /// Allowance bytes at the last successful check.
    pub total_bytes: Option<u64>,
    /// Expiry date at the last successful check.
    pub expiry: Option<Date>,
    /// Projected run-out day, when forecast.
    pub runs_out: Option<Date>,
    /// Failed checks in a row.
    pub consecutive_failures: u32,
}

/// Evaluates `rules` for one SIM after a check was recorded, updates their state in the
/// database, and returns the alerts that fired now (each rule at most once per crossing).
/// `forecast` is the SIM's current forecast, if any (for [`Rule::RunsOutBeforeExpiry`]).
pub fn evaluate(
    history: &History,
    rules: &[Rule],
    iccid: &str,
    forecast: Option<&Forecast>,
    now: i64,
) -> Result<Vec<Alert>> {
    let latest = history.last_check(iccid)?;
    let last_ok = history.last_success(iccid)?;
    let failures = history.consecutive_failures(iccid)?;
    // Data rules judge the latest check only when it succeeded: an old figure is not news.
    let fresh = latest.as_ref().filter(|r| r.success);
    let mut fired = Vec::new();
    for rule in rules {
        let key = rule.to_string();
        let holds: Option<bool> = match rule {
            Rule::RemainingBelow { bytes } => fresh.and_then(|r| {
                if r.numbers.unlimited {
                    Some(false)
                } else {
                    r.numbers.remaining_bytes.map(|rem| rem < *bytes)
                }
            }),
            Rule::RemainingBelowPercent { percent } => fresh.and_then(|r| {
                if r.numbers.unlimited {
                    return Some(false);
                }
                let rem = u128::from(r.numbers.remaining_bytes?);
                let total = u128::from(r.numbers.total_bytes.filter(|t| *t > 0)?);
                Some(rem * 100 < u128::from(*percent) * total)
            }),
            Rule::RunsOutBeforeExpiry => fresh
                .filter(|r| !r.numbers.unlimited)
                .and(forecast)
                .and_then(|f| f.runs_out_before_deadline()),
            Rule::CheckFailures { count } => latest.as_ref().map(|_| failures >= *count),
        };
        let Some(holds) = holds else { continue };
        let was_fired = history.alert_fired(iccid, &key)?.unwrap_or(false);
        if holds && !was_fired {
            let alert = make_alert(
                *rule,
                iccid,
                now,
                last_ok.as_ref(),
                latest.as_ref(),
                forecast,
                failures,
            );
            history.set_alert_state(iccid, &key, true, now, Some(&alert.message))?;
            fired.push(alert);
        } else if !holds && was_fired {
            history.set_alert_state(iccid, &key, false, now, None)?;
        }
    }
    Ok(fired)
}

fn make_alert(
    rule: Rule,
    iccid: &str,
    now: i64,
    last_ok: Option<&CheckRecord>,
    latest: Option<&CheckRecord>,
    forecast: Option<&Forecast>,
    failures: u32,
) -> Alert {
    let n = last_ok.map(|r| r.numbers.clone()).unwrap_or_default();
    let rem = n
        .remaining_bytes
        .map(|b| format_bytes(b, 1024))
        .unwrap_or_else(|| "?".into());
    let message = match rule {
        Rule::RemainingBelow { bytes } => {
            format!("{rem} of data left, below {}", format_bytes(bytes, 1024))
        }
        Rule::RemainingBelowPercent { percent } => format!(
            "{rem} of {} left, below {percent} %",
            n.total_bytes
                .map(|b| format_bytes(b, 1024))
                .unwrap_or_else(|| "?".into())
        ),
        Rule::RunsOutBeforeExpiry => {
            let f = forecast;
            format!(
                "at {} a day the data runs out on {}, before {}",
                f.map(|f| format_bytes(f.rate_bytes_per_day, 1024))
                    .unwrap_or_else(|| "?".into()),
                f.and_then(|f| f.runs_out)
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "?".into()),
                f.and_then(|f| f.deadline)
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "?".into()),
            )
        }
        Rule::CheckFailures { .. } => format!(
            "{failures} checks in a row failed; last error: {}",
            latest
                .and_then(|r| r.error.as_deref())
                .map(|e| e.chars().take(200).collect::<String>())
                .unwrap_or_else(|| "?".into())
        ),
    };
    Alert {
        rule,
        key: rule.to_string(),
        iccid: iccid.to_string(),
        message,
        time: now,
        carrier: latest.or(last_ok).and_then(|r| r.carrier.clone()),
        remaining_bytes: n.remaining_bytes,
        total_bytes: n.total_bytes,
        expiry: n.expiry,
        runs_out: forecast.and_then(|f| f.runs_out),
        consecutive_failures: failures,
    }
}

/// `--exec PROGRAM`: run a program for each alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecAction {
    /// The program, run directly (no shell, no arguments).
    pub program: PathBuf,
    /// Killed after this long.
    pub timeout: Duration,
}

/// How an `--exec` program ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutcome {
    /// Its exit code (`None` when killed by a signal or by the time-out).
    pub code: Option<i32>,
    /// It ran past the time-out and was killed.
    pub timed_out: bool,
}

impl ExecOutcome {
    /// Exited with code 0.
    pub fn success(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }
}

/// Keeps an environment value to printable text (no NUL, no control characters) of bounded
/// length: modem-supplied fields (ICCID) should be digits, but are not trusted to be.
fn env_value(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(256).collect()
}

/// The JSON written to an `--exec` program's stdin.
#[derive(Debug, Serialize)]
struct ExecInput<'a> {
    alert: &'a Alert,
    check: Option<&'a CheckRecord>,
}

impl ExecAction {
    /// An action with the default time-out (30 s).
    pub fn new(program: impl Into<PathBuf>) -> ExecAction {
        ExecAction {
            program: program.into(),
            timeout: Duration::from_secs(30),
        }
    }

    /// The environment the program gets, besides the inherited one.
    pub fn environment(alert: &Alert) -> Vec<(&'static str, String)> {
        let opt = |v: Option<String>| v.unwrap_or_default();
        vec![
            ("SIMQUOTA_ALERT", env_value(&alert.key)),
            ("SIMQUOTA_MESSAGE", env_value(&alert.message)),
            ("SIMQUOTA_ICCID", env_value(&alert.iccid)),
            ("SIMQUOTA_TIME", alert.time.to_string()),
            (
                "SIMQUOTA_REMAINING_BYTES",
                opt(alert.remaining_bytes.map(|b| b.to_string())),
            ),
            (
                "SIMQUOTA_TOTAL_BYTES",
                opt(alert.total_bytes.map(|b| b.to_string())),
            ),
            ("SIMQUOTA_EXPIRY", opt(alert.expiry.map(|d| d.to_string()))),
            (
                "SIMQUOTA_RUNS_OUT",
                opt(alert.runs_out.map(|d| d.to_string())),
            ),
            (
                "SIMQUOTA_CARRIER",
                opt(alert.carrier.as_deref().map(env_value)),
            ),
            ("SIMQUOTA_FAILURES", alert.consecutive_failures.to_string()),
        ]
    }

    /// Variables passed on from simquota's own environment to the program — nothing else is
    /// (in particular never `SIMQUOTA_PIN`, or whatever secrets the service manager set).
    pub const PASSED_ON: &'static [&'static str] =
        &["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR"];

    /// Runs the program for `alert` (blocking; call from `spawn_blocking` in async code): no
    /// arguments, an environment of only the `SIMQUOTA_*` facts plus [`Self::PASSED_ON`],
    /// `{"alert": …, "check": …}` on stdin, stdout discarded, stderr inherited. Killed after
    /// the time-out.
    pub fn run(&self, alert: &Alert, check: Option<&CheckRecord>) -> Result<ExecOutcome> {
        let input = serde_json::to_vec(&ExecInput { alert, check })?;
        let what = || format!("running {}", self.program.display());
        let mut cmd = Command::new(&self.program);
        cmd.env_clear();
        for k in Self::PASSED_ON {
            if let Some(v) = std::env::var_os(k) {
                cmd.env(k, v);
            }
        }
        let mut child = cmd
            .envs(Self::environment(alert))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| MonitorError::io(what(), e))?;
        // Written from a thread: a program that never reads stdin must not block us past the
        // time-out on a full pipe.
        let writer = child.stdin.take().map(|mut stdin| {
            std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            })
        });
        let deadline = Instant::now() + self.timeout;
        let outcome = loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    break ExecOutcome {
                        code: status.code(),
                        timed_out: false,
                    }
                }
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break ExecOutcome {
                        code: None,
                        timed_out: true,
                    };
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(MonitorError::io(what(), e)),
            }
        };
        if let Some(w) = writer {
            let _ = w.join();
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::balance::Reading;
    use crate::monitor::forecast::forecast;
    use crate::monitor::history::Method;
    use crate::monitor::test_util::temp_dir;
    use proptest::prelude::*;

    const GIB: u64 = 1 << 30;
    const T0: i64 = 1_790_000_000;

    fn ok(h: &History, t: i64, remaining: u64, raw: &str) -> CheckRecord {
        let mut r = Reading::empty(raw);
        r.remaining_bytes = Some(remaining);
        r.total_bytes = Some(10 * GIB);
        r.expiry = Date::new(2026, 12, 31);
        r.understood = true;
        let mut rec = CheckRecord::success(t, "8900", Method::Ussd, "*100#", r);
        rec.carrier = Some("example".into());
        let id = h.record(&rec).unwrap();
        rec.id = Some(id);
        rec
    }

    fn fail(h: &History, t: i64) {
        h.record(&CheckRecord::failure(
            t,
            "8900",
            Method::Ussd,
            "*100#",
            "+CME ERROR: 100",
        ))
        .unwrap();
    }

    #[test]
    fn rule_parse_table() {
        for (text, want) in [
            ("remaining<500MB", Rule::RemainingBelow { bytes: 500 << 20 }),
            (
                "remaining < 1.5 GiB",
                Rule::RemainingBelow { bytes: 3 << 29 },
            ),
            ("Remaining<1024", Rule::RemainingBelow { bytes: 1024 }),
            ("remaining<10%", Rule::RemainingBelowPercent { percent: 10 }),
            ("runout", Rule::RunsOutBeforeExpiry),
            ("runout-before-expiry", Rule::RunsOutBeforeExpiry),
            ("failures>=3", Rule::CheckFailures { count: 3 }),
            ("failures=1", Rule::CheckFailures { count: 1 }),
        ] {
            let r: Rule = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(r, want, "{text}");
            assert_eq!(
                r.to_string().parse::<Rule>().unwrap(),
                r,
                "canonical form round-trips"
            );
        }
        for bad in [
            "",
            "remaining<",
            "remaining<0%",
            "remaining<101%",
            "remaining<5XB",
            "failures>=0",
            "failures>=x",
            "runout-now",
            "remaining<1e999GB",
        ] {
            assert!(bad.parse::<Rule>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fires_once_per_crossing_and_rearms_after_top_up() {
        let h = History::open(&temp_dir("alerts-dedup").join("h.db")).unwrap();
        let rules = [
            Rule::RemainingBelow { bytes: GIB },
            Rule::RemainingBelowPercent { percent: 20 },
        ];
        let mut fired = Vec::new();
        // 40 checks sliding from 3 GiB to ~0: each rule must fire exactly once.
        for i in 0..40 {
            let rem = 3 * GIB - (i as u64) * (3 * GIB / 40);
            ok(&h, T0 + i * 3600, rem, "x");
            fired.extend(evaluate(&h, &rules, "8900", None, T0 + i * 3600).unwrap());
        }
        let keys: Vec<&str> = fired.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["remaining<20%", "remaining<1073741824"],
            "{fired:#?}"
        );
        assert_eq!(h.active_alerts("8900").unwrap().len(), 2);
        // Failed checks in between do not re-arm or re-fire data rules.
        fail(&h, T0 + 50 * 3600);
        assert!(evaluate(&h, &rules, "8900", None, T0 + 50 * 3600)
            .unwrap()
            .is_empty());
        assert_eq!(h.active_alerts("8900").unwrap().len(), 2);
        // Top-up: conditions clear, both re-arm, nothing fires.
        ok(&h, T0 + 60 * 3600, 10 * GIB, "topped up");
        assert!(evaluate(&h, &rules, "8900", None, T0 + 60 * 3600)
            .unwrap()
            .is_empty());
        assert!(h.active_alerts("8900").unwrap().is_empty());
        // And the next crossing fires again, once.
        ok(&h, T0 + 70 * 3600, GIB / 2, "low again");
        let again = evaluate(&h, &rules, "8900", None, T0 + 70 * 3600).unwrap();
        assert_eq!(again.len(), 2);
        let a = again
            .iter()
            .find(|a| a.key.starts_with("remaining<1073"))
            .unwrap();
        assert_eq!(a.remaining_bytes, Some(GIB / 2));
        assert!(a.message.contains("512 MB"), "{}", a.message);
        ok(&h, T0 + 71 * 3600, GIB / 3, "lower");
        assert!(evaluate(&h, &rules, "8900", None, T0 + 71 * 3600)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn consecutive_failures_rule() {
        let h = History::open(&temp_dir("alerts-fail").join("h.db")).unwrap();
        let rules = [Rule::CheckFailures { count: 3 }];
        ok(&h, T0, 5 * GIB, "x");
        let mut n = 0;
        for i in 1..=6 {
            fail(&h, T0 + i);
            let f = evaluate(&h, &rules, "8900", None, T0 + i).unwrap();
            if i == 3 {
                assert_eq!(f.len(), 1, "fires at the third failure");
                let a = f.first().unwrap();
                assert_eq!(a.consecutive_failures, 3);
                assert!(a.message.contains("+CME ERROR: 100"), "{}", a.message);
            }
            n += f.len();
        }
        assert_eq!(n, 1);
        ok(&h, T0 + 10, 5 * GIB, "x");
        assert!(evaluate(&h, &rules, "8900", None, T0 + 10)
            .unwrap()
            .is_empty());
        assert_eq!(
            h.alert_fired("8900", "failures>=3").unwrap(),
            Some(false),
            "re-armed"
        );
    }

    #[test]
    fn runout_rule_uses_the_forecast() {
        let h = History::open(&temp_dir("alerts-runout").join("h.db")).unwrap();
        let rules = [Rule::RunsOutBeforeExpiry];
        let day = 86_400;
        let mut recs = Vec::new();
        for i in 0..5 {
            recs.push(ok(&h, T0 + i * day, 5 * GIB - i as u64 * GIB, "x"));
        }
        let pts = crate::monitor::forecast::points_from_records(&recs);
        let f = forecast(
            &pts,
            crate::monitor::utc_date(T0 + 4 * day),
            Date::new(2026, 12, 31),
            None,
        )
        .unwrap();
        assert_eq!(f.runs_out_before_deadline(), Some(true));
        let fired = evaluate(&h, &rules, "8900", Some(&f), T0 + 4 * day).unwrap();
        assert_eq!(fired.len(), 1);
        assert_eq!(fired.first().unwrap().runs_out, f.runs_out);
        // No forecast: unknown, state kept, nothing repeated.
        assert!(evaluate(&h, &rules, "8900", None, T0 + 5 * day)
            .unwrap()
            .is_empty());
        assert_eq!(
            h.alert_fired("8900", "runout-before-expiry").unwrap(),
            Some(true)
        );
    }

    fn write_script(dir: &std::path::Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("hook.sh");
        std::fs::write(&p, body).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn exec_gets_env_and_stdin_and_reply_text_stays_data() {
        let dir = temp_dir("alerts-exec");
        let out = dir.join("out");
        let canary = dir.join("canary");
        let script = write_script(
            &dir,
            &format!(
                "#!/bin/sh\n\
                 # Copies what it was given; runs nothing it was given.\n\
                 {{ echo \"argc=$#\"; env | grep '^SIMQUOTA_' | sort; echo '--stdin--'; cat; }} > '{}'\n",
                out.display()
            ),
        );
        let h = History::open(&dir.join("h.db")).unwrap();
        let hostile = format!(
            "Balance: 10MB $(touch {c}) `touch {c}` ; reboot ; touch {c} && echo pwned | tee {c}",
            c = canary.display()
        );
        let rec = ok(&h, T0, 10 << 20, &hostile);
        let fired = evaluate(&h, &[Rule::RemainingBelow { bytes: GIB }], "8900", None, T0).unwrap();
        let alert = fired.first().unwrap();
        let outcome = ExecAction::new(&script).run(alert, Some(&rec)).unwrap();
        assert!(outcome.success(), "{outcome:?}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with("argc=0\n"), "no arguments: {text}");
        assert!(
            text.contains("SIMQUOTA_ALERT=remaining<1073741824\n"),
            "{text}"
        );
        assert!(text.contains("SIMQUOTA_ICCID=8900\n"), "{text}");
        assert!(
            text.contains(&format!("SIMQUOTA_REMAINING_BYTES={}\n", 10u64 << 20)),
            "{text}"
        );
        assert!(
            text.contains(&format!("SIMQUOTA_TOTAL_BYTES={}\n", 10 * GIB)),
            "{text}"
        );
        assert!(text.contains("SIMQUOTA_EXPIRY=2026-12-31\n"), "{text}");
        assert!(text.contains("SIMQUOTA_CARRIER=example\n"), "{text}");
        assert!(
            !text.contains("SIMQUOTA_RAW"),
            "the reply is not in the environment"
        );
        let json = text.split("--stdin--\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["alert"]["key"], "remaining<1073741824");
        assert_eq!(
            v["check"]["raw"],
            hostile.as_str(),
            "reply arrives verbatim, as data"
        );
        assert!(!canary.exists(), "nothing in the reply was executed");
    }

    #[test]
    fn exec_time_out_and_missing_program() {
        let dir = temp_dir("alerts-exec-timeout");
        let script = write_script(&dir, "#!/bin/sh\nexec sleep 30\n");
        let alert = make_alert(Rule::RunsOutBeforeExpiry, "1", T0, None, None, None, 0);
        let mut action = ExecAction::new(&script);
        action.timeout = Duration::from_millis(200);
        let o = action.run(&alert, None).unwrap();
        assert!(o.timed_out && !o.success(), "{o:?}");
        let failing = write_script(&dir, "#!/bin/sh\nexit 7\n");
        let o = ExecAction::new(failing).run(&alert, None).unwrap();
        assert_eq!(o.code, Some(7));
        let e = ExecAction::new(dir.join("missing"))
            .run(&alert, None)
            .unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
    }

    #[test]
    fn env_values_are_sanitised() {
        let mut alert = make_alert(
            Rule::RunsOutBeforeExpiry,
            "89\0\n01",
            T0,
            None,
            None,
            None,
            0,
        );
        alert.carrier = Some("evil\ncarrier\u{1b}[2J".into());
        let env = ExecAction::environment(&alert);
        for (k, v) in &env {
            assert!(!v.chars().any(|c| c.is_control()), "{k}={v:?}");
        }
        assert!(env.contains(&("SIMQUOTA_ICCID", "8901".to_string())));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn rule_parse_never_panics(s in ".{0,40}") {
            let _ = s.parse::<Rule>();
            let _ = parse_size(&s);
        }
    }
}
