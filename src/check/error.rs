//! Why a check failed: a kind (which the CLI turns into its documented exit code, and `--json`
//! into `error.code`) and a message for people (what went wrong and what to try).

use serde::Serialize;

#[cfg(feature = "mm")]
use crate::mm::MmError;
use crate::modem::ModemError;
use crate::sms::flow::SmsError;
use crate::ussd::flow::UssdError;

/// What kind of failure: stable names for scripts (`error.code` in `--json` output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The modem or port failed (not found, busy, not a modem, vanished, timed out).
    Modem,
    /// The request itself is wrong (bad arguments, unreadable files, no way to ask).
    Usage,
    /// A reply arrived but was not understood.
    NotUnderstood,
    /// The carrier or network gave no usable answer (no reply, not supported, refused).
    NoAnswer,
    /// SIM or registration problem (no SIM, PIN needed, not registered).
    Sim,
    /// The SMS spend guard refused to send another query SMS.
    SpendGuard,
    /// A signal (SIGINT, SIGTERM, SIGHUP) stopped the check; the modem was put back
    /// ([`crate::modem::interrupt`]).
    Interrupted,
}

/// A failed check.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct CheckError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// What went wrong and what to try.
    pub message: String,
    /// Things the user should know even though the check failed (e.g. messages that had to
    /// be marked read while looking for the reply).
    pub notes: Vec<String>,
}

impl CheckError {
    /// A failure of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CheckError {
            kind,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    /// The same failure with `notes` attached.
    pub fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes = notes;
        self
    }
}

impl From<ModemError> for CheckError {
    fn from(e: ModemError) -> Self {
        let kind = match &e {
            ModemError::Rejected { result, .. } if crate::ussd::flow::is_sim_error(result) => {
                ErrorKind::Sim
            }
            ModemError::Interrupted { .. } => ErrorKind::Interrupted,
            _ => ErrorKind::Modem,
        };
        CheckError::new(kind, e.to_string())
    }
}

impl From<UssdError> for CheckError {
    fn from(e: UssdError) -> Self {
        match e {
            UssdError::Modem(m) => m.into(),
            UssdError::BadCode { .. } => CheckError::new(ErrorKind::Usage, e.to_string()),
            UssdError::Sim(_) => CheckError::new(ErrorKind::Sim, e.to_string()),
            other => CheckError::new(ErrorKind::NoAnswer, other.to_string()),
        }
    }
}

impl From<SmsError> for CheckError {
    fn from(e: SmsError) -> Self {
        match e {
            SmsError::Modem(m) => m.into(),
            SmsError::Encode(_) => CheckError::new(ErrorKind::Usage, e.to_string()),
            SmsError::NotFound { .. } => CheckError::new(ErrorKind::Usage, e.to_string()),
            SmsError::NoNetwork(_) => CheckError::new(ErrorKind::Sim, e.to_string()),
            other => CheckError::new(ErrorKind::NoAnswer, other.to_string()),
        }
    }
}

#[cfg(feature = "mm")]
impl From<MmError> for CheckError {
    fn from(e: MmError) -> Self {
        CheckError::new(ErrorKind::Modem, format!("ModemManager: {e}"))
    }
}
