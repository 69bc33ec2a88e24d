//! Final result codes (V.250 §5.7.1, TS 27.007 §9.2, TS 27.005 §3.2.5).
//!
//! A final result ends the command in flight. `NO CARRIER`, `BUSY`, `NO ANSWER` and
//! `NO DIALTONE` are final only for dial/answer commands (V.250 §6.3); otherwise `NO CARRIER` is
//! a call-ended URC and the others are plain lines — see [`FinalResult::ends`].

use std::fmt;

use super::error_codes::{CmeError, CmsError};

/// How a command finished.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FinalResult {
    /// `OK`
    Ok,
    /// `ERROR`
    Error,
    /// `+CME ERROR: <n|text>` (equipment / network error, TS 27.007 §9.2)
    CmeError(CmeError),
    /// `+CMS ERROR: <n|text>` (SMS error, TS 27.005 §3.2.5)
    CmsError(CmsError),
    /// `NO CARRIER`
    NoCarrier,
    /// `BUSY`
    Busy,
    /// `NO ANSWER`
    NoAnswer,
    /// `NO DIALTONE` (also `NO DIAL TONE`)
    NoDialtone,
    /// `COMMAND NOT SUPPORT` (Huawei's answer to commands it does not know)
    CommandNotSupport,
}

impl FinalResult {
    /// Recognise a final result line (surrounding whitespace ignored). `None` for anything else.
    ///
    /// `+CME ERROR:Excute command failure` (no space, vendor text) is accepted as
    /// `CmeError(Text(..))`.
    pub fn parse(line: &str) -> Option<Self> {
        let t = line.trim();
        let simple = match t {
            "OK" => Some(Self::Ok),
            "ERROR" => Some(Self::Error),
            "NO CARRIER" => Some(Self::NoCarrier),
            "BUSY" => Some(Self::Busy),
            "NO ANSWER" => Some(Self::NoAnswer),
            "NO DIALTONE" | "NO DIAL TONE" => Some(Self::NoDialtone),
            "COMMAND NOT SUPPORT" => Some(Self::CommandNotSupport),
            _ => None,
        };
        if simple.is_some() {
            return simple;
        }
        if let Some(rest) = strip_error_prefix(t, "+CME ERROR") {
            return Some(Self::CmeError(CmeError::parse(rest)));
        }
        if let Some(rest) = strip_error_prefix(t, "+CMS ERROR") {
            return Some(Self::CmsError(CmsError::parse(rest)));
        }
        None
    }

    /// `true` for `OK`.
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok)
    }

    /// `true` for the call-progress results that end only dial/answer commands.
    pub fn is_call_progress(&self) -> bool {
        matches!(
            self,
            Self::NoCarrier | Self::Busy | Self::NoAnswer | Self::NoDialtone
        )
    }

    /// Whether this result ends a command with the given text: call-progress results end only
    /// `ATD…`, `ATA` and `ATO` (V.250 §6.3.1, §6.3.5, §6.3.7); everything else ends any command.
    pub fn ends(&self, command_text: &str) -> bool {
        if !self.is_call_progress() {
            return true;
        }
        let upper = command_text.trim().to_ascii_uppercase();
        upper.starts_with("ATD") || upper.starts_with("ATA") || upper.starts_with("ATO")
    }

    /// What to try next, where there is something useful to say.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::CmeError(e) => e.hint(),
            Self::CmsError(e) => e.hint(),
            Self::CommandNotSupport => {
                Some("the modem does not know this command: try another port or method")
            }
            _ => None,
        }
    }
}

/// `+CME ERROR: 11`, `+CME ERROR:11`, `+CME ERROR 11` → `11`.
fn strip_error_prefix<'a>(t: &'a str, prefix: &str) -> Option<&'a str> {
    let head = t.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = t.get(prefix.len()..)?;
    if let Some(after_colon) = rest.strip_prefix(':') {
        return Some(after_colon.trim());
    }
    if rest.is_empty() || rest.starts_with([' ', '\t']) {
        return Some(rest.trim());
    }
    None
}

impl fmt::Display for FinalResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ok => f.write_str("OK"),
            Self::Error => f.write_str("ERROR"),
            Self::CmeError(e) => write!(f, "{e}"),
            Self::CmsError(e) => write!(f, "{e}"),
            Self::NoCarrier => f.write_str("NO CARRIER"),
            Self::Busy => f.write_str("BUSY"),
            Self::NoAnswer => f.write_str("NO ANSWER"),
            Self::NoDialtone => f.write_str("NO DIALTONE"),
            Self::CommandNotSupport => f.write_str("COMMAND NOT SUPPORT"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let rows: Vec<(&str, Option<FinalResult>)> = vec![
            ("OK", Some(FinalResult::Ok)),
            (" OK ", Some(FinalResult::Ok)),
            ("ERROR", Some(FinalResult::Error)),
            ("NO CARRIER", Some(FinalResult::NoCarrier)),
            ("BUSY", Some(FinalResult::Busy)),
            ("NO ANSWER", Some(FinalResult::NoAnswer)),
            ("NO DIALTONE", Some(FinalResult::NoDialtone)),
            ("COMMAND NOT SUPPORT", Some(FinalResult::CommandNotSupport)),
            (
                "+CME ERROR: 11",
                Some(FinalResult::CmeError(CmeError::SimPinRequired)),
            ),
            (
                "+CME ERROR:11",
                Some(FinalResult::CmeError(CmeError::SimPinRequired)),
            ),
            (
                "+CME ERROR: SIM PIN required",
                Some(FinalResult::CmeError(CmeError::SimPinRequired)),
            ),
            (
                "+CME ERROR:Excute command failure",
                Some(FinalResult::CmeError(CmeError::Text(
                    "Excute command failure".into(),
                ))),
            ),
            (
                "+CME ERROR: 15790320",
                Some(FinalResult::CmeError(CmeError::Text("15790320".into()))),
            ),
            (
                "+CMS ERROR: 330",
                Some(FinalResult::CmsError(CmsError::SmscAddressUnknown)),
            ),
            (
                "+CMS ERROR: memory full",
                Some(FinalResult::CmsError(CmsError::MemoryFull)),
            ),
            (
                "+CMS ERROR: 7",
                Some(FinalResult::CmsError(CmsError::Unknown(7))),
            ),
            ("+CME ERRORS: 3", None),
            ("OKAY", None),
            ("ok", None),
            ("+CUSD: 0", None),
            ("", None),
        ];
        for (line, want) in rows {
            assert_eq!(FinalResult::parse(line), want, "{line:?}");
        }
    }

    #[test]
    fn call_progress_ends_only_dial_commands() {
        assert!(FinalResult::NoCarrier.ends("ATD*99#"));
        assert!(FinalResult::Busy.ends("atd123;"));
        assert!(FinalResult::NoAnswer.ends("ATA"));
        assert!(!FinalResult::NoCarrier.ends("AT+CSQ"));
        assert!(!FinalResult::Busy.ends("AT+CUSD=1,\"*100#\",15"));
        assert!(FinalResult::Ok.ends("AT+CSQ"));
        assert!(FinalResult::Error.ends("ATD123"));
    }

    #[test]
    fn display() {
        assert_eq!(FinalResult::Ok.to_string(), "OK");
        assert_eq!(
            FinalResult::CmsError(CmsError::SmscAddressUnknown).to_string(),
            "SMSC address unknown (CMS ERROR 330)"
        );
        assert_eq!(
            FinalResult::CmeError(CmeError::SimPinRequired).hint(),
            Some("unlock the SIM (--pin)")
        );
    }
}
