//! Is the modem ready to ask the network anything? Checked before any query is sent:
//! radio on (`+CFUN`), SIM present and unlocked (`+CPIN`), registered (`+CREG`/`+CEREG`/`+CGREG`).
//!
//! PIN handling is deliberately careful: a PIN is sent at most once per run, only when the SIM
//! asks for `SIM PIN` (never for `SIM PUK`), and never when the modem reports fewer than two
//! attempts left — so simquota can never be the thing that locks a SIM. The PIN is never logged
//! or recorded (the transcript recorder sees a redacted command).

use std::time::Duration;

use super::{Modem, ModemError};
use crate::at::{split_params, Command, FinalResult, Param};
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
    #[error("the SIM refused the PIN ({0}): it was NOT retried, to keep the SIM from locking; check the PIN")]
    PinRefused(String),
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
    /// Checks radio, SIM and registration; unlocks the SIM with `pin` when it asks for one.
    pub async fn check_ready(&mut self, pin: Option<&str>) -> Result<(), NotReady> {
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
                if pin.is_empty() || pin.len() > 8 || !pin.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(NotReady::PinRefused(
                        "the given PIN is not 4–8 digits; nothing was sent".into(),
                    ));
                }
                let r = self
                    .command(
                        Command::new(format!("AT+CPIN=\"{pin}\""))
                            .with_timeout(Duration::from_secs(20)),
                    )
                    .await?;
                if r.result != FinalResult::Ok {
                    return Err(NotReady::PinRefused(r.result.to_string()));
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
