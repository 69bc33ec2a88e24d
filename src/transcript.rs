//! Transcripts (`.atx`): recorded AT conversations, replayed by the emulator and by tests.
//!
//! The format is line-oriented UTF-8 (see `transcripts/README.md`):
//!
//! ```text
//! #! atx 1
//! #! source = gammu/gammu tests/at-ussd/02-E160.dump
//! # a comment
//! > AT+CUSD=1,"AA180C3602",15\r
//! < \r\nOK\r\n
//! ~ 1840ms
//! < \r\n+CUSD: 0,"C8329BFD0E01",15\r\n
//! ```
//!
//! `>` is what the host must send, `>*` accepts any one command, `<` is one chunk the modem
//! writes, `~` a pause, `#!` a header, `#` a comment. Payloads use Rust byte escapes (`\r`, `\n`,
//! `\t`, `\\`, `\xNN`, `\u{…}`) so prompts and stray CRs survive editors; any other character is
//! taken literally as UTF-8. Invariant: `parse(render(t)) == t` for every transcript.

use std::fmt::Write as _;
use std::time::Duration;

/// One step of a recorded conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The host sends exactly these bytes (`>` line).
    Send(Vec<u8>),
    /// The host sends any one command (`>*` line).
    SendAny,
    /// The modem writes this chunk (`<` line).
    Recv(Vec<u8>),
    /// Nothing happens for this long (`~` line).
    Pause(Duration),
}

/// A parsed transcript: headers in order, then the steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transcript {
    /// `#! key = value` headers (the `atx 1` version line is kept as key `atx`).
    pub headers: Vec<(String, String)>,
    /// The conversation.
    pub steps: Vec<Step>,
}

/// A transcript line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transcript line {line}: {message}")]
pub struct TranscriptError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Transcript {
    /// Parses the text of an `.atx` file.
    pub fn parse(text: &str) -> Result<Self, TranscriptError> {
        let mut t = Transcript::default();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let err = |message: String| TranscriptError {
                line: line_no,
                message,
            };
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                continue;
            }
            if let Some(h) = line.strip_prefix("#!") {
                let h = h.trim();
                let (k, v) = match h.split_once('=') {
                    Some((k, v)) => (k.trim(), v.trim()),
                    None => match h.split_once(' ') {
                        Some((k, v)) => (k.trim(), v.trim()),
                        None => (h, ""),
                    },
                };
                t.headers.push((k.to_string(), v.to_string()));
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix(">*") {
                if !rest.trim().is_empty() {
                    return Err(err(format!("`>*` takes no payload, found {rest:?}")));
                }
                t.steps.push(Step::SendAny);
            } else if let Some(rest) = line.strip_prefix('>') {
                t.steps
                    .push(Step::Send(unescape(payload(rest)).map_err(err)?));
            } else if let Some(rest) = line.strip_prefix('<') {
                t.steps
                    .push(Step::Recv(unescape(payload(rest)).map_err(err)?));
            } else if let Some(rest) = line.strip_prefix('~') {
                t.steps
                    .push(Step::Pause(parse_duration(rest.trim()).map_err(err)?));
            } else {
                return Err(err(format!(
                    "unknown line {line:?}: expected `>`, `>*`, `<`, `~`, `#!` or `#`"
                )));
            }
        }
        Ok(t)
    }

    /// The value of a header, if present.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Renders the transcript back to `.atx` text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.headers {
            // `#! atx 1` is the customary version line; with a `=` in the value it must be
            // written `#! atx = v`, or parse would split the value at that `=`.
            if k == "atx" && !v.contains('=') {
                let _ = writeln!(out, "#! atx {v}");
            } else {
                let _ = writeln!(out, "#! {k} = {v}");
            }
        }
        for s in &self.steps {
            match s {
                Step::Send(b) => {
                    let _ = writeln!(out, "> {}", escape(b));
                }
                Step::SendAny => out.push_str(">*\n"),
                Step::Recv(b) => {
                    let _ = writeln!(out, "< {}", escape(b));
                }
                Step::Pause(d) => {
                    let _ = writeln!(out, "~ {}ms", d.as_millis());
                }
            }
        }
        out
    }

    /// The bytes the modem writes, concatenated (pauses ignored).
    pub fn modem_bytes(&self) -> Vec<u8> {
        self.steps
            .iter()
            .filter_map(|s| match s {
                Step::Recv(b) => Some(b.as_slice()),
                _ => None,
            })
            .flatten()
            .copied()
            .collect()
    }
}

/// The payload after the marker: one separating space is dropped, the rest is kept as is.
fn payload(rest: &str) -> &str {
    rest.strip_prefix(' ').unwrap_or(rest)
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("bad pause {s:?}: expected e.g. `~ 1840ms` or `~ 2s`");
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1u64)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else {
        (s, 1)
    };
    let n: u64 = num.trim().parse().map_err(|_| bad())?;
    n.checked_mul(scale)
        .map(Duration::from_millis)
        .ok_or_else(bad)
}

/// Decodes Rust-style byte escapes; other characters are taken as their UTF-8 bytes.
pub fn unescape(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some((_, e)) = chars.next() else {
            return Err(format!("lone backslash at column {}", pos + 1));
        };
        match e {
            'r' => out.push(b'\r'),
            'n' => out.push(b'\n'),
            't' => out.push(b'\t'),
            '0' => out.push(0),
            '\\' => out.push(b'\\'),
            '"' => out.push(b'"'),
            '\'' => out.push(b'\''),
            'x' => {
                let mut v = 0u8;
                for _ in 0..2 {
                    let d = chars
                        .next()
                        .and_then(|(_, h)| h.to_digit(16))
                        .ok_or_else(|| format!("bad \\x escape at column {}", pos + 1))?;
                    v = v * 16 + d as u8;
                }
                out.push(v);
            }
            'u' => {
                if chars.next().map(|(_, c)| c) != Some('{') {
                    return Err(format!("bad \\u escape at column {}", pos + 1));
                }
                let mut v = 0u32;
                loop {
                    match chars.next() {
                        Some((_, '}')) => break,
                        Some((_, h)) if h.is_ascii_hexdigit() && v < 0x10_0000 => {
                            v = v * 16 + h.to_digit(16).unwrap_or(0);
                        }
                        _ => return Err(format!("bad \\u escape at column {}", pos + 1)),
                    }
                }
                let ch =
                    char::from_u32(v).ok_or_else(|| format!("\\u{{{v:x}}} is not a character"))?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            other => return Err(format!("unknown escape \\{other} at column {}", pos + 1)),
        }
    }
    Ok(out)
}

/// Escapes bytes so that the line survives editors: control bytes, backslash, trailing
/// spaces and invalid UTF-8 become escapes; printable UTF-8 (Japanese, Cyrillic…) stays readable.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s, &[][..]),
            Err(e) => {
                let (v, b) = rest.split_at(e.valid_up_to());
                // SAFETY of logic: `v` is valid UTF-8 by construction of valid_up_to.
                (std::str::from_utf8(v).unwrap_or(""), b)
            }
        };
        for c in valid.chars() {
            match c {
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => out.push(c),
            }
        }
        if let Some((&b, tail)) = bad.split_first() {
            let _ = write!(out, "\\x{b:02x}");
            rest = tail;
        } else {
            rest = &[];
        }
    }
    // A trailing space (the `> ` prompt) would be eaten by editors.
    if out.ends_with(' ') {
        out.pop();
        out.push_str("\\x20");
    }
    if out.starts_with(' ') {
        out.replace_range(0..1, "\\x20");
    }
    out
}

/// A copy of `t` with identifiers hidden, for sharing: every token of 10–20 decimal digits
/// (IMSI, ICCID, IMEI, phone numbers; optionally with a leading `+`) keeps its first five digits
/// (the MCC-MNC of an IMSI, useful for carrier support) and has the rest replaced by `0`.
/// Tokens that look like UCS-2 hex (every 4-digit group starting `00`) are left alone.
pub fn redact(t: &Transcript) -> Transcript {
    let mut out = t.clone();
    for s in &mut out.steps {
        if let Step::Send(b) | Step::Recv(b) = s {
            *b = redact_bytes(b);
        }
    }
    out
}

fn redact_bytes(b: &[u8]) -> Vec<u8> {
    let mut out = b.to_vec();
    let mut i = 0;
    while i < out.len() {
        if !out[i].is_ascii_digit() || (i > 0 && out[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < out.len() && out[i].is_ascii_digit() {
            i += 1;
        }
        let token_ends = i >= out.len() || !out[i].is_ascii_alphanumeric();
        let len = i - start;
        let token = &out[start..i];
        let ucs2_like = len % 4 == 0 && token.chunks(4).all(|c| c.starts_with(b"00"));
        if token_ends && (10..=20).contains(&len) && !ucs2_like {
            for d in &mut out[start + 5..i] {
                *d = b'0';
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "#! atx 1\n#! modem = Huawei E160\n#! source = synthetic\n# comment\n> AT+CUSD=1,\"AA180C3602\",15\\r\n< \\r\\nOK\\r\\n\n~ 1840ms\n< \\r\\n+CUSD: 0,\"C8329BFD0E01\",15\\r\\n\n>*\n< \\r\\n>\\x20\n";

    #[test]
    fn parses_every_kind_of_line() {
        let t = Transcript::parse(SAMPLE).unwrap();
        assert_eq!(t.header("modem"), Some("Huawei E160"));
        assert_eq!(t.header("atx"), Some("1"));
        assert_eq!(
            t.steps,
            vec![
                Step::Send(b"AT+CUSD=1,\"AA180C3602\",15\r".to_vec()),
                Step::Recv(b"\r\nOK\r\n".to_vec()),
                Step::Pause(Duration::from_millis(1840)),
                Step::Recv(b"\r\n+CUSD: 0,\"C8329BFD0E01\",15\r\n".to_vec()),
                Step::SendAny,
                Step::Recv(b"\r\n> ".to_vec()),
            ]
        );
    }

    #[test]
    fn render_then_parse_is_identity() {
        let t = Transcript::parse(SAMPLE).unwrap();
        assert_eq!(Transcript::parse(&t.render()).unwrap(), t);
    }

    /// Found by `cargo fuzz run transcript`: the header `#! atx=unknown … = gammu issue #150`
    /// parses as key `atx` with a value holding `=`, rendered `#! atx unknown … = gammu…`,
    /// which parsed back as key `atx unknown …`: parse(render(t)) != t.
    #[test]
    fn regression_atx_header_value_with_equals_sign_round_trips() {
        for text in ["#! atx=1 = 2\n", "#! atx = a=b\n", "#! atx 1\n", "#! atx\n"] {
            let t = Transcript::parse(text).unwrap();
            let rendered = t.render();
            assert_eq!(
                Transcript::parse(&rendered).unwrap(),
                t,
                "{text:?} -> {rendered:?}"
            );
        }
        let t = Transcript::parse("#! atx = a=b\n").unwrap();
        assert_eq!(t.header("atx"), Some("a=b"));
        assert_eq!(
            Transcript::parse("#! atx 1\n").unwrap().render(),
            "#! atx 1\n"
        );
    }

    #[test]
    fn unicode_and_binary_survive() {
        let bytes = "残り 1.25GB\u{1F600}"
            .as_bytes()
            .iter()
            .copied()
            .chain([0xff, 0x1a, b' '])
            .collect::<Vec<_>>();
        let e = escape(&bytes);
        assert!(e.contains("残り"), "{e}");
        assert_eq!(unescape(&e).unwrap(), bytes);
    }

    #[test]
    fn errors_name_the_line() {
        let e = Transcript::parse("#! atx 1\n> AT\\q\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("\\q"), "{}", e.message);
        let e = Transcript::parse("> AT\nhello\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Transcript::parse("~ soon\n").unwrap_err();
        assert!(e.message.contains("soon"));
        assert!(Transcript::parse("< \\x4").is_err());
        assert!(Transcript::parse("< \\u{110000}").is_err());
        assert!(Transcript::parse("< abc\\").is_err());
    }

    #[test]
    fn redaction_hides_identifiers_but_not_hex_text() {
        let t = Transcript {
            headers: vec![],
            steps: vec![
                Step::Recv(b"\r\n440101234567890\r\n".to_vec()),
                Step::Recv(b"+CCID: 8981100012345678901\r\n".to_vec()),
                Step::Recv(b"+CUSD: 0,\"00320032003200300020\",72".to_vec()),
                Step::Send(b"AT+CMGS=\"+819012345678\"\r".to_vec()),
                Step::Recv(b"+CSQ: 20,99".to_vec()),
            ],
        };
        let r = redact(&t);
        assert_eq!(r.steps[0], Step::Recv(b"\r\n440100000000000\r\n".to_vec()));
        assert_eq!(
            r.steps[1],
            Step::Recv(b"+CCID: 8981100000000000000\r\n".to_vec())
        );
        assert_eq!(r.steps[2], t.steps[2]);
        assert_eq!(
            r.steps[3],
            Step::Send(b"AT+CMGS=\"+819010000000\"\r".to_vec())
        );
        assert_eq!(r.steps[4], t.steps[4]);
    }

    proptest::proptest! {
        #[test]
        fn escape_round_trips(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            proptest::prop_assert_eq!(unescape(&escape(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = Transcript::parse(&s);
        }
    }
}
