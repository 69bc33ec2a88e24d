//! Commands to send, and what the session needs to know about them to route replies.
//!
//! V.250 §5.3 / TS 27.007 §4.1: an extended command `AT+NAME` has four syntaxes — execute
//! (`AT+CSQ`), read (`AT+CREG?`), test (`AT+CUSD=?`) and set (`AT+CUSD=1,"*100#",15`). Read,
//! test and execute answer with `+NAME:` information lines; a set command of a URC-capable name
//! (`+CUSD`, `+CREG`, …) only configures, and any `+NAME:` line that follows is unsolicited.
//! That is how the session tells `+CREG: 0,1` (answer to `AT+CREG?`) from `+CREG: 1` (URC).

use std::time::Duration;

/// A command line for the modem, with an optional payload for the `> ` prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    text: String,
    timeout: Option<Duration>,
    payload: Option<Vec<u8>>,
}

impl Command {
    /// A command such as `AT+CUSD=1,"*100#",15` — without the trailing CR (the session adds it).
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            timeout: None,
            payload: None,
        }
    }

    /// Use this time-out instead of the session default.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Bytes to send after the modem's `> ` prompt (e.g. PDU hex followed by 0x1A, Ctrl-Z).
    pub fn with_payload(mut self, payload: Vec<u8>) -> Self {
        self.payload = Some(payload);
        self
    }

    /// The command text, without CR.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The time-out set with [`Command::with_timeout`], if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The prompt payload, if any.
    pub fn payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }

    /// The syntax of the (first) command on the line.
    pub fn syntax(&self) -> Syntax {
        analyse(&self.text).1
    }

    /// The information-response prefix this command answers with (`AT+CREG?` → `+CREG`),
    /// upper-cased; `None` for basic commands (`ATI`, `ATE0`).
    pub fn response_prefix(&self) -> Option<String> {
        analyse(&self.text).0
    }
}

/// Which of the four V.250 extended-command syntaxes a command uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// `AT+CSQ`, `ATI`, `ATE0`
    Execute,
    /// `AT+CREG?`
    Read,
    /// `AT+CUSD=?`
    Test,
    /// `AT+CUSD=1,"*100#",15`
    Set,
}

/// (response prefix, syntax) of the first command on a line.
fn analyse(text: &str) -> (Option<String>, Syntax) {
    let t = text.trim();
    let rest = match t.get(..2) {
        Some(at) if at.eq_ignore_ascii_case("AT") => t.get(2..).unwrap_or(""),
        _ => return (None, Syntax::Execute),
    };
    let mut chars = rest.char_indices();
    match chars.next() {
        Some((_, '+' | '^' | '$' | '%')) => {}
        _ => return (None, Syntax::Execute),
    }
    let mut end = rest.len();
    for (i, c) in chars {
        if !(c.is_ascii_alphanumeric() || c == '_') {
            end = i;
            break;
        }
    }
    let name = rest.get(..end).unwrap_or("");
    if name.len() < 2 {
        return (None, Syntax::Execute);
    }
    let after = rest.get(end..).unwrap_or("").trim_start();
    let syntax = if after.starts_with("=?") {
        Syntax::Test
    } else if after.starts_with('?') {
        Syntax::Read
    } else if after.starts_with('=') {
        Syntax::Set
    } else {
        Syntax::Execute
    };
    (Some(name.to_ascii_uppercase()), syntax)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyse_table() {
        let rows: Vec<(&str, Option<&str>, Syntax)> = vec![
            ("AT+CREG?", Some("+CREG"), Syntax::Read),
            ("AT+CUSD=1,\"*100#\",15", Some("+CUSD"), Syntax::Set),
            ("AT+CUSD=?", Some("+CUSD"), Syntax::Test),
            ("AT+CUSD?", Some("+CUSD"), Syntax::Read),
            ("AT+CSQ", Some("+CSQ"), Syntax::Execute),
            ("at+cmgl=4", Some("+CMGL"), Syntax::Set),
            ("AT^HCSQ?", Some("^HCSQ"), Syntax::Read),
            ("AT+CMGF=0;+CNMI=2,1", Some("+CMGF"), Syntax::Set),
            ("ATI", None, Syntax::Execute),
            ("ATE0", None, Syntax::Execute),
            ("AT", None, Syntax::Execute),
            ("A", None, Syntax::Execute),
            ("AT+", None, Syntax::Execute),
            ("", None, Syntax::Execute),
            ("ÄT+X", None, Syntax::Execute),
        ];
        for (text, prefix, syntax) in rows {
            let c = Command::new(text);
            assert_eq!(c.response_prefix().as_deref(), prefix, "{text:?}");
            assert_eq!(c.syntax(), syntax, "{text:?}");
        }
    }

    #[test]
    fn builder() {
        let c = Command::new("AT+CMGS=23")
            .with_timeout(Duration::from_secs(60))
            .with_payload(b"00\x1a".to_vec());
        assert_eq!(c.text(), "AT+CMGS=23");
        assert_eq!(c.timeout(), Some(Duration::from_secs(60)));
        assert_eq!(c.payload(), Some(&b"00\x1a"[..]));
    }
}
