//! Is the modem ready to ask the network anything? Checked before any query is sent:
//! radio on (`+CFUN`), SIM present and unlocked (`+CPIN`), registered (`+CREG`/`+CEREG`/`+CGREG`).
//!
//! PIN handling is deliberately careful: a PIN is sent at most once per run, only when the SIM
//! asks for `SIM PIN` (never for `SIM PUK`), and never when the modem reports fewer than two
//! attempts left — so simquota can never be the thing that locks a SIM. The PIN is never logged
//! or recorded (the command, its echo and any error text are redacted: [`Modem::command_secret`]).
//!
//! Across runs too: a PIN the SIM refused is remembered per SIM ([`PinMemory`], keyed by the
//! ICCID, which a locked SIM still shows) and not sent again until its source changes. What is
//! stored cannot give the PIN back — not the PIN, not a hash of it (a hash of a 4-digit PIN *is*
//! the PIN, after 10 000 guesses): only when, and where it came from. A PIN file counts as
//! changed when its modification time or size changes; `SIMQUOTA_PIN` cannot be told apart from
//! itself without storing something derived from it, so a refused variable is only sent again
//! when the user says it was fixed (`--retry-pin`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Modem, ModemError};
use crate::at::{split_params, Command, FinalResult, Param};
use crate::state::StateDir;
use crate::ussd::flow::is_sim_error;

/// Why the modem cannot ask the network now.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotReady {
    /// Talking to the modem failed.
    #[error(transparent)]
    Modem(#[from] ModemError),
    /// The radio is off (airplane mode, `+CFUN: 0` or `4`).
    #[error("the modem's radio is off (AT+CFUN? says {0}): turn it on with `AT+CFUN=1` or leave airplane mode")]
    RadioOff(String),
    /// No SIM.
    #[error("no SIM card: the modem reports {0}; insert the SIM (power the modem off first) and try again")]
    NoSim(String),
    /// The SIM is locked and no PIN was given.
    #[error("the SIM is locked ({0}): give the PIN with --pin-file FILE or the SIMQUOTA_PIN environment variable (it is sent once, never retried)")]
    PinRequired(String),
    /// The SIM needs its PUK: never attempted.
    #[error("the SIM is blocked and needs its PUK ({0}): unblock it in a phone; simquota never enters a PUK")]
    PukRequired(String),
    /// The PIN was refused; not retried.
    #[error("the SIM refused the PIN ({0}): it was NOT retried, to keep the SIM from locking; check the PIN. It will not be sent again for this SIM until {1}")]
    PinRefused(String, String),
    /// This PIN was refused before (an earlier run) and has not changed since: not sent.
    #[error("the SIM refused this PIN {0}, and it has not changed since: it was NOT sent, to keep the SIM from locking. {1}")]
    PinRefusedBefore(String, String),
    /// Whether the PIN was refused before cannot be told.
    #[error("cannot tell whether this PIN was refused before ({0}): it was NOT sent. Fix or remove that file")]
    PinMemory(String),
    /// Too few attempts left to risk one.
    #[error("the SIM has only {0} PIN attempt(s) left: simquota will not risk locking it; enter the PIN in a phone")]
    FewAttempts(u32),
    /// Not registered to a network.
    #[error("the modem is not registered to a network ({0}): check the antenna, coverage and that the SIM is active")]
    NotRegistered(String),
}

impl NotReady {
    /// True for SIM problems (exit code 6), false for modem problems.
    pub fn is_sim(&self) -> bool {
        !matches!(self, NotReady::Modem(_) | NotReady::RadioOff(_))
    }
}

fn first_int(lines: &[String], prefix: &str) -> Option<i64> {
    lines.iter().find(|l| l.starts_with(prefix)).and_then(|l| {
        match split_params(l).params.first() {
            Some(Param::Int(n)) => Some(*n),
            _ => None,
        }
    })
}

fn second_int(lines: &[String], prefix: &str) -> Option<i64> {
    lines.iter().find(|l| l.starts_with(prefix)).and_then(|l| {
        let p = split_params(l).params;
        match p.get(1).or(p.first()) {
            Some(Param::Int(n)) => Some(*n),
            _ => None,
        }
    })
}

impl Modem {
    /// Checks radio, SIM and registration; unlocks the SIM with `pin` when it asks for one —
    /// unless `memory` says this PIN was refused before for this SIM.
    pub async fn check_ready(
        &mut self,
        pin: Option<&Pin>,
        memory: Option<&PinMemory>,
    ) -> Result<(), NotReady> {
        if let Ok(lines) = self.ok("AT+CFUN?").await {
            if let Some(f) = first_int(&lines, "+CFUN") {
                if f == 0 || f == 4 {
                    return Err(NotReady::RadioOff(format!("+CFUN: {f}")));
                }
            }
        }
        let state = match self.ok("AT+CPIN?").await {
            Ok(lines) => lines
                .iter()
                .find_map(|l| l.strip_prefix("+CPIN:"))
                .map(|v| v.trim().trim_matches('"').to_string()),
            Err(ModemError::Rejected { result, .. }) if is_sim_error(&result) => {
                let text = result.to_string();
                return Err(match result {
                    FinalResult::CmeError(crate::at::CmeError::SimPinRequired) => {
                        NotReady::PinRequired(text)
                    }
                    FinalResult::CmeError(crate::at::CmeError::SimPukRequired) => {
                        NotReady::PukRequired(text)
                    }
                    _ => NotReady::NoSim(text),
                });
            }
            Err(ModemError::Rejected { .. }) => None, // no +CPIN support: go on
            Err(e) => return Err(e.into()),
        };
        match state.as_deref() {
            None | Some("READY") => {}
            Some("SIM PIN") => {
                let Some(pin) = pin else {
                    return Err(NotReady::PinRequired("SIM PIN".into()));
                };
                if let Some(left) = self.pin_attempts_left().await {
                    if left < 2 {
                        return Err(NotReady::FewAttempts(left));
                    }
                }
                let source = &pin.source;
                let pin = pin.secret.as_str();
                if pin.is_empty() || pin.len() > 8 || !pin.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(NotReady::PinRefused(
                        "the given PIN is not 4–8 digits; nothing was sent".into(),
                        "it is fixed".into(),
                    ));
                }
                let key = match self.read_iccid().await? {
                    Some(iccid) => iccid,
                    None => format!("imei:{}", self.read_imei().await?.unwrap_or_default()),
                };
                if let Some(m) = memory {
                    m.check(&key, source)?;
                }
                let r = self
                    .command_secret(
                        Command::new(format!("AT+CPIN=\"{pin}\""))
                            .with_timeout(Duration::from_secs(20)),
                        pin,
                    )
                    .await?;
                if r.result != FinalResult::Ok {
                    let mut until = source.changed_when();
                    if let Some(m) = memory {
                        if let Err(e) = m.record(&key, source) {
                            until = format!("{until} (but it could not be remembered: {e})");
                        }
                    }
                    return Err(NotReady::PinRefused(r.result.to_string(), until));
                }
                if let Some(m) = memory {
                    let _ = m.forget(&key);
                }
                // The SIM takes a moment to become ready after unlocking.
                for _ in 0..10 {
                    if let Ok(lines) = self.ok("AT+CPIN?").await {
                        if lines.iter().any(|l| l.contains("READY")) {
                            break;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            Some(s) if s.contains("PUK") => return Err(NotReady::PukRequired(s.to_string())),
            Some(s) => return Err(NotReady::PinRequired(s.to_string())),
        }
        // Registered on any of CS, EPS or PS is enough to try (USSD needs CS or CS fallback,
        // which the flow reports separately when it fails).
        let mut last = None;
        for cmd in ["AT+CREG?", "AT+CEREG?", "AT+CGREG?"] {
            if let Ok(lines) = self.ok(cmd).await {
                let prefix = &cmd[2..cmd.len() - 1];
                if let Some(stat) = second_int(&lines, prefix) {
                    if matches!(stat, 1 | 5 | 6 | 7 | 9 | 10) {
                        return Ok(());
                    }
                    last = Some(format!("{prefix}: stat {stat}"));
                }
            }
        }
        match last {
            Some(s) => Err(NotReady::NotRegistered(s)),
            None => Ok(()), // the modem does not say: let the query find out
        }
    }

    /// PIN attempts left, from vendor commands where supported (Huawei `^CPIN`, Quectel `+QPINC`).
    async fn pin_attempts_left(&mut self) -> Option<u32> {
        if let Ok(lines) = self.ok("AT+QPINC=\"SC\"").await {
            if let Some(l) = lines.iter().find(|l| l.starts_with("+QPINC")) {
                if let Some(Param::Int(n)) = split_params(l).params.get(1) {
                    return u32::try_from(*n).ok();
                }
            }
        }
        if self.is_huawei() {
            if let Ok(lines) = self.ok("AT^CPIN?").await {
                if let Some(l) = lines.iter().find(|l| l.starts_with("^CPIN")) {
                    // ^CPIN: <code>,[<times>],<puk_times>,<pin_times>,…
                    if let Some(Param::Int(n)) = split_params(l).params.get(3) {
                        return u32::try_from(*n).ok();
                    }
                }
            }
        }
        None
    }
}

/// A PIN and where it came from.
#[derive(Clone)]
pub struct Pin {
    /// The digits (never printed: `Debug` hides them).
    pub secret: String,
    /// Its source.
    pub source: PinSource,
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pin")
            .field("secret", &"****")
            .field("source", &self.source)
            .finish()
    }
}

/// Where a PIN came from, as remembered when the SIM refuses it: nothing the PIN can be
/// recovered from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum PinSource {
    /// `--pin-file`: the file, its modification time (ns since the epoch) and size.
    File {
        /// The file as given.
        path: PathBuf,
        /// Modification time, nanoseconds since the Unix epoch.
        mtime_ns: u64,
        /// Size in bytes.
        size: u64,
    },
    /// The `SIMQUOTA_PIN` environment variable.
    Env,
}

impl PinSource {
    fn changed_when(&self) -> String {
        match self {
            PinSource::File { path, .. } => format!("{} changes", path.display()),
            PinSource::Env => "you fix SIMQUOTA_PIN and pass --retry-pin once".into(),
        }
    }
}

impl Pin {
    /// The PIN in `path` (surrounding white space ignored).
    pub fn from_file(path: &Path) -> std::io::Result<Pin> {
        let text = std::fs::read_to_string(path)?;
        let meta = std::fs::metadata(path)?;
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        Ok(Pin {
            secret: text.trim().to_string(),
            source: PinSource::File {
                path: path.to_path_buf(),
                mtime_ns,
                size: meta.len(),
            },
        })
    }

    /// A PIN from the environment variable's value.
    pub fn from_env(value: &str) -> Pin {
        Pin {
            secret: value.trim().to_string(),
            source: PinSource::Env,
        }
    }
}

/// State file of [`PinMemory`].
pub const PIN_FILE: &str = "pin-refused.json";

/// One refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refused {
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// Where the refused PIN came from.
    pub source: PinSource,
}

/// Refused PINs per SIM (ICCID, or `imei:…` when the SIM shows none), in the state directory.
#[derive(Debug, Clone)]
pub struct PinMemory {
    /// Where it lives.
    pub dir: StateDir,
    /// `--retry-pin`: the user says the PIN was fixed; send it once more even if the source
    /// looks unchanged.
    pub retry: bool,
}

type RefusedMap = std::collections::BTreeMap<String, Refused>;

impl PinMemory {
    fn lock(&self) -> Result<crate::state::StateLock, NotReady> {
        self.dir
            .lock(PIN_FILE, Duration::from_secs(30))
            .map_err(|e| NotReady::PinMemory(e.to_string()))
    }

    fn load(&self) -> Result<RefusedMap, NotReady> {
        self.dir
            .read_strict::<RefusedMap>(PIN_FILE)
            .map(Option::unwrap_or_default)
            .map_err(|e| NotReady::PinMemory(e.to_string()))
    }

    /// `Err` if this SIM refused a PIN from this very source before.
    pub fn check(&self, sim: &str, source: &PinSource) -> Result<(), NotReady> {
        if self.retry {
            return Ok(());
        }
        let _l = self.lock()?;
        match self.load()?.get(sim) {
            Some(r) if &r.source == source => Err(NotReady::PinRefusedBefore(
                format!(
                    "{} ago",
                    crate::sms::guard::format_duration(Duration::from_secs(
                        crate::sms::guard::unix_now().saturating_sub(r.at)
                    ))
                ),
                match source {
                    PinSource::File { path, .. } => format!(
                        "Put the right PIN in {} (it is sent again once the file changes)",
                        path.display()
                    ),
                    PinSource::Env => "Fix SIMQUOTA_PIN, then pass --retry-pin once".into(),
                },
            )),
            _ => Ok(()),
        }
    }

    /// Remembers that `sim` refused the PIN from `source`.
    pub fn record(&self, sim: &str, source: &PinSource) -> std::io::Result<()> {
        let _l = self.dir.lock(PIN_FILE, Duration::from_secs(30))?;
        // A damaged file is reported by `check`, never overwritten here.
        let mut m: RefusedMap = self
            .dir
            .read_strict(PIN_FILE)
            .map_err(|e| std::io::Error::other(e.to_string()))?
            .unwrap_or_default();
        m.insert(
            sim.to_string(),
            Refused {
                at: crate::sms::guard::unix_now(),
                source: source.clone(),
            },
        );
        self.dir.write(PIN_FILE, &m)
    }

    /// Forgets `sim`'s refusal (its PIN was accepted).
    pub fn forget(&self, sim: &str) -> std::io::Result<()> {
        let _l = self.dir.lock(PIN_FILE, Duration::from_secs(30))?;
        let Ok(Some(mut m)) = self.dir.read_strict::<RefusedMap>(PIN_FILE) else {
            return Ok(());
        };
        if m.remove(sim).is_some() {
            self.dir.write(PIN_FILE, &m)?;
        }
        Ok(())
    }
}
