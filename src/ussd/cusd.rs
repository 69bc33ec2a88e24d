//! The `+CUSD: <m>[,<str>[,<dcs>]]` line (TS 27.007 §7.15), as real modems print it.
//!
//! Tolerated, because real modems do it (corpus A1): CR/LF, commas, quotes and `OK` inside
//! the quoted string (multi-line replies); a missing closing quote (truncated line); no
//! quotes at all (`+CUSD: 2,Na rahunku: 12 grn`); spaces around the commas; junk after the
//! DCS (`17r`); no DCS; `""`; mode only; modes outside 0–5. Each tolerance taken is noted
//! in [`Cusd::notes`]. Only a line without the `+CUSD:` prefix or without a mode is an error.

use std::fmt;

/// One parsed `+CUSD` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cusd {
    /// `<m>`: the session status (see [`UssdStatus`]).
    pub mode: u8,
    /// `<str>`, unquoted but otherwise as received (still hex if the modem sent hex).
    pub text: Option<String>,
    /// `<dcs>`, the CBS data coding scheme (TS 23.038 §5).
    pub dcs: Option<u8>,
    /// Irregularities the parser tolerated (unclosed quote, junk after the DCS, …).
    pub notes: Vec<String>,
}

impl Cusd {
    /// The meaning of [`Cusd::mode`].
    pub fn status(&self) -> UssdStatus {
        UssdStatus::from_mode(self.mode)
    }
}

/// Why a line is not a `+CUSD` result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CusdParseError {
    /// The line does not start with `+CUSD:` (after leading whitespace; case-insensitive).
    #[error("not a +CUSD line")]
    NotCusd,
    /// No `<m>` digits after the prefix.
    #[error("+CUSD line without a mode at byte offset {offset}")]
    MissingMode {
        /// Byte offset where the mode was expected.
        offset: usize,
    },
    /// `<m>` does not fit in a byte.
    #[error("+CUSD mode {text:?} at byte offset {offset} is out of range")]
    ModeOutOfRange {
        /// The digits found.
        text: String,
        /// Byte offset of the digits.
        offset: usize,
    },
}

/// `<m>` of `+CUSD` (TS 27.007 §7.15).
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UssdStatus {
    /// 0: no further user action required (network-initiated USSD-Notify, or no further
    /// information needed after a mobile-initiated operation).
    NoFurtherAction,
    /// 1: further user action required (a menu: reply with `AT+CUSD=1,"<answer>"`).
    FurtherActionRequired,
    /// 2: USSD terminated by the network.
    TerminatedByNetwork,
    /// 3: another local client has responded.
    OtherLocalClient,
    /// 4: operation not supported.
    NotSupported,
    /// 5: network time out.
    NetworkTimeout,
    /// Any other value (some firmware sends e.g. 6).
    Unknown(u8),
}

impl UssdStatus {
    /// The status for a `<m>` value.
    pub fn from_mode(mode: u8) -> Self {
        match mode {
            0 => Self::NoFurtherAction,
            1 => Self::FurtherActionRequired,
            2 => Self::TerminatedByNetwork,
            3 => Self::OtherLocalClient,
            4 => Self::NotSupported,
            5 => Self::NetworkTimeout,
            n => Self::Unknown(n),
        }
    }

    /// The `<m>` value.
    pub fn mode(self) -> u8 {
        match self {
            Self::NoFurtherAction => 0,
            Self::FurtherActionRequired => 1,
            Self::TerminatedByNetwork => 2,
            Self::OtherLocalClient => 3,
            Self::NotSupported => 4,
            Self::NetworkTimeout => 5,
            Self::Unknown(n) => n,
        }
    }

    /// A human explanation, with what to try where there is something to try.
    pub fn message(self) -> &'static str {
        match self {
            Self::NoFurtherAction => "no further action required",
            Self::FurtherActionRequired => "further action required (the network shows a menu and waits for an answer)",
            Self::TerminatedByNetwork => "USSD session terminated by the network",
            Self::OtherLocalClient => "another local client has responded",
            Self::NotSupported => "operation not supported (many modems cannot do USSD in LTE-only mode: allow 2G/3G or CS fallback; some also reject UCS-2-hex requests)",
            Self::NetworkTimeout => "network time out",
            Self::Unknown(_) => "unknown USSD status (not defined by TS 27.007)",
        }
    }

    /// True when the network waits for an answer in this session.
    pub fn expects_reply(self) -> bool {
        self == Self::FurtherActionRequired
    }
}

impl fmt::Display for UssdStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(n) => write!(f, "{} ({n})", self.message()),
            s => f.write_str(s.message()),
        }
    }
}

/// The human message for a `+CUSD` `<m>` value.
pub fn cusd_status_message(mode: u8) -> &'static str {
    UssdStatus::from_mode(mode).message()
}

const PREFIX: &str = "+CUSD:";

/// Parse a `+CUSD: <m>[,<str>[,<dcs>]]` line (the whole logical line: for multi-line
/// replies, every physical line up to the end of the string, CR/LF included).
pub fn parse_cusd(line: &str) -> Result<Cusd, CusdParseError> {
    let start = line.len() - line.trim_start().len();
    let body = line.get(start..).unwrap_or("");
    match body.get(..PREFIX.len()) {
        Some(p) if p.eq_ignore_ascii_case(PREFIX) => {}
        _ => return Err(CusdParseError::NotCusd),
    }
    let mut pos = start + PREFIX.len();
    pos = skip_spaces(line, pos);
    let digits_end = digits_end(line, pos);
    if digits_end == pos {
        return Err(CusdParseError::MissingMode { offset: pos });
    }
    let digits = line.get(pos..digits_end).unwrap_or("");
    let mode: u8 = digits.parse().map_err(|_| CusdParseError::ModeOutOfRange {
        text: digits.to_string(),
        offset: pos,
    })?;
    let mut cusd = Cusd {
        mode,
        text: None,
        dcs: None,
        notes: Vec::new(),
    };
    let rest = line.get(digits_end..).unwrap_or("");
    let rest_trim = rest.trim_start_matches([' ', '\t']);
    let Some(after_comma) = rest_trim.strip_prefix(',') else {
        if !rest_trim.trim().is_empty() {
            cusd.notes.push(format!(
                "ignored text after the mode: {:?}",
                rest_trim.trim()
            ));
        }
        return Ok(cusd);
    };
    let s = after_comma.trim_start_matches([' ', '\t']);
    if let Some(quoted) = s.strip_prefix('"') {
        parse_quoted(quoted, &mut cusd);
    } else if s.trim().is_empty() {
        cusd.notes
            .push("comma after the mode but no string".to_string());
    } else {
        // No quotes (Kyivstar, corpus A1 #29): the rest is text. A trailing `,NN` is
        // not taken as a DCS, because the text itself may end in `,50` (money).
        cusd.notes
            .push("string not quoted; no DCS read".to_string());
        cusd.text = Some(trim_line_end(s).to_string());
    }
    Ok(cusd)
}

/// `quoted` starts right after the opening quote.
fn parse_quoted(quoted: &str, cusd: &mut Cusd) {
    // The closing quote is the last quote whose tail looks like `[,<dcs>[junk]]`: the text
    // may contain quotes of its own, and a truncated line has no closing quote at all.
    if let Some(close) = quoted.rfind('"') {
        let text = quoted.get(..close).unwrap_or("");
        let tail = quoted.get(close + 1..).unwrap_or("");
        if let Some((dcs, junk)) = parse_tail(tail) {
            cusd.text = Some(text.to_string());
            cusd.dcs = dcs;
            if let Some(j) = junk {
                cusd.notes
                    .push(format!("ignored junk after the string: {j:?}"));
            }
            return;
        }
    }
    cusd.notes
        .push("no closing quote: string taken to the end of the line (truncated?)".to_string());
    cusd.text = Some(trim_line_end(quoted).to_string());
}

/// Parse what follows the closing quote. `None` if it does not look like the end of a
/// `+CUSD` line (so the quote was not the closing one).
fn parse_tail(tail: &str) -> Option<(Option<u8>, Option<String>)> {
    let t = tail.trim();
    if t.is_empty() {
        return Some((None, None));
    }
    let after = t.strip_prefix(',')?.trim_start();
    let end = after
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(after.len(), |(i, _)| i);
    let digits = after.get(..end).unwrap_or("");
    let junk = after.get(end..).unwrap_or("").trim();
    if digits.is_empty() {
        // `",` followed by something else: only plausible as trailing junk if short and
        // has no quote (otherwise the quote we found was inside the text).
        return None;
    }
    let junk = (!junk.is_empty()).then(|| junk.to_string());
    match digits.parse::<u8>() {
        Ok(d) => Some((Some(d), junk)),
        Err(_) => Some((None, Some(format!("DCS out of range: {digits}")))),
    }
}

fn skip_spaces(s: &str, mut pos: usize) -> usize {
    while matches!(s.as_bytes().get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    pos
}

fn digits_end(s: &str, mut pos: usize) -> usize {
    while matches!(s.as_bytes().get(pos), Some(b) if b.is_ascii_digit()) {
        pos += 1;
    }
    pos
}

fn trim_line_end(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_shapes() {
        // line, mode, text, dcs, notes
        type Row<'a> = (&'a str, u8, Option<&'a str>, Option<u8>, usize);
        let rows: &[Row] = &[
            ("+CUSD: 0,\"abc\",15", 0, Some("abc"), Some(15), 0),
            ("+cusd:1,\"abc\",72\r\n", 1, Some("abc"), Some(72), 0),
            ("\r\n+CUSD: 2", 2, None, None, 0),
            ("+CUSD: 4", 4, None, None, 0),
            ("+CUSD: 0,\"\"", 0, Some(""), None, 0),
            ("+CUSD: 0,\"a,b OK c\",15", 0, Some("a,b OK c"), Some(15), 0),
            (
                "+CUSD: 1,\"Menu\r\n1) A\r\n2) B\",64",
                1,
                Some("Menu\r\n1) A\r\n2) B"),
                Some(64),
                0,
            ),
            (
                "+CUSD: 2,\"00410042\", 17",
                2,
                Some("00410042"),
                Some(17),
                0,
            ),
            ("+CUSD: 0,\"0041\", 17r", 0, Some("0041"), Some(17), 1),
            (
                "+CUSD: 2,\"Balans 35.28grn, bonus",
                2,
                Some("Balans 35.28grn, bonus"),
                None,
                1,
            ),
            (
                "+CUSD: 2,Na rahunku: 12,50 grn",
                2,
                Some("Na rahunku: 12,50 grn"),
                None,
                1,
            ),
            ("+CUSD: 6, \"...\"", 6, Some("..."), None, 0),
            (
                "+CUSD: 0,\"say \"hi\" now\",15",
                0,
                Some("say \"hi\" now"),
                Some(15),
                0,
            ),
            (
                "+CUSD: 0,\"say \"hi\" to",
                0,
                Some("say \"hi\" to"),
                None,
                1,
            ),
            ("+CUSD: 0,\"x\",999", 0, Some("x"), None, 1),
            ("+CUSD: 0,", 0, None, None, 1),
            ("+CUSD: 0 junk", 0, None, None, 1),
        ];
        for (line, mode, text, dcs, notes) in rows {
            let c = parse_cusd(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
            assert_eq!(c.mode, *mode, "{line:?}");
            assert_eq!(c.text.as_deref(), *text, "{line:?}");
            assert_eq!(c.dcs, *dcs, "{line:?}");
            assert_eq!(c.notes.len(), *notes, "{line:?}: {:?}", c.notes);
        }
    }

    #[test]
    fn parse_errors() {
        assert_eq!(parse_cusd("+CMTI: \"SM\",1"), Err(CusdParseError::NotCusd));
        assert_eq!(parse_cusd(""), Err(CusdParseError::NotCusd));
        assert_eq!(parse_cusd("+CUS"), Err(CusdParseError::NotCusd));
        assert_eq!(
            parse_cusd("+CUSD: ,\"x\""),
            Err(CusdParseError::MissingMode { offset: 7 })
        );
        assert_eq!(
            parse_cusd("+CUSD: 15790320"),
            Err(CusdParseError::ModeOutOfRange {
                text: "15790320".into(),
                offset: 7
            })
        );
    }

    #[test]
    fn status_messages() {
        for m in 0..=5u8 {
            let s = UssdStatus::from_mode(m);
            assert_eq!(s.mode(), m);
            assert!(!matches!(s, UssdStatus::Unknown(_)));
            assert_eq!(cusd_status_message(m), s.message());
        }
        assert_eq!(UssdStatus::from_mode(6), UssdStatus::Unknown(6));
        assert!(UssdStatus::NotSupported.to_string().contains("LTE"));
        assert_eq!(
            UssdStatus::Unknown(6).to_string(),
            "unknown USSD status (not defined by TS 27.007) (6)"
        );
        assert!(UssdStatus::FurtherActionRequired.expects_reply());
        assert!(!UssdStatus::NoFurtherAction.expects_reply());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn prop_never_panics(s in ".*") {
            let _ = parse_cusd(&s);
            let _ = parse_cusd(&format!("+CUSD: {s}"));
            let _ = parse_cusd(&format!("+CUSD: 1,\"{s}"));
        }
    }
}
