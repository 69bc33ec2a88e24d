//! Parameters of an information-response line, and quoting for command lines.
//!
//! V.250 §5.7.2 / TS 27.007 §4.1: a response is `<prefix>: <p1>,<p2>,...` where a parameter is
//! a number, a string constant in double quotes (commas inside the quotes belong to the string),
//! or empty (`,,` — an omitted optional value). Test-command answers add parenthesised ranges
//! such as `(0-2)` or `(2,"NTT DOCOMO","DOCOMO","44010",7)`; commas inside parentheses belong to
//! the one parameter too.
//!
//! Invariant: splitting never fails and never loses text. A number is `Int` only when it prints
//! back identically (`007` and `+5` stay `Raw`), an unterminated quote runs to the end of the
//! line (real captures truncate), and anything else unquoted is `Raw`.

use std::fmt::Write as _;

/// One parameter of a response line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Param {
    /// An unquoted decimal integer in canonical form (`0`, `-3`, `15790320`).
    Int(i64),
    /// A double-quoted string, without its quotes (escapes such as `\22` are kept as sent).
    Str(String),
    /// Any other unquoted text, trimmed (`(0-2)`, `17r`, `007`, `147 0791…`).
    Raw(String),
    /// An omitted parameter (`,,`, or a trailing `,`).
    Empty,
}

impl Param {
    /// The value if this is an `Int`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Param::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The text of a `Str` or `Raw` parameter.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Param::Str(s) | Param::Raw(s) => Some(s),
            _ => None,
        }
    }
}

/// A response line split into its prefix and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitLine<'a> {
    /// `+COPS`, `^BOOT`, … — `None` for lines without a `+`/`^`/`$`/`%` name and colon
    /// (`huawei`, `0791…`).
    pub prefix: Option<&'a str>,
    /// The parameters after the colon (or the whole line when there is no prefix).
    pub params: Vec<Param>,
}

/// Splits a parameter list at commas outside double quotes, keeping the quotes and trimming
/// the fields: `1,"a,b",,5` → `1`, `"a,b"`, ``, `5`. For the modem side of the emulator and for
/// SMS headers, which need the raw fields rather than [`Param`] values.
pub fn split_quoted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Split off a response prefix: `+CSQ: 20,99` → (`Some("+CSQ")`, `" 20,99"`).
///
/// A prefix is one of `+ ^ $ %` followed by letters, digits, `_` or `-`, then either `:` or the
/// end of the line (`+PBREADY`, `^SYSSTART`).
pub fn split_prefix(line: &str) -> (Option<&str>, &str) {
    let mut chars = line.char_indices();
    match chars.next() {
        Some((_, '+' | '^' | '$' | '%')) => {}
        _ => return (None, line),
    }
    for (i, c) in chars {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            continue;
        }
        if c == ':' && i > 1 {
            let prefix = line.get(..i).unwrap_or(line);
            let rest = line.get(i + 1..).unwrap_or("");
            return (Some(prefix), rest);
        }
        return (None, line);
    }
    if line.len() > 1 {
        (Some(line), "")
    } else {
        (None, line)
    }
}

/// Split a response line into prefix and parameters, respecting quotes and parentheses.
///
/// ```
/// use simquota::at::params::{split_params, Param};
/// let l = split_params("+COPS: 0,0,\"NTT DOCOMO\",7");
/// assert_eq!(l.prefix, Some("+COPS"));
/// assert_eq!(l.params, vec![Param::Int(0), Param::Int(0), Param::Str("NTT DOCOMO".into()), Param::Int(7)]);
/// ```
pub fn split_params(line: &str) -> SplitLine<'_> {
    let (prefix, rest) = split_prefix(line);
    SplitLine {
        prefix,
        params: parse_list(rest),
    }
}

/// Parse a comma-separated parameter list (the part after `prefix:`).
pub fn parse_list(list: &str) -> Vec<Param> {
    let mut params = Vec::new();
    if list.trim().is_empty() {
        return params;
    }
    let mut rest = list;
    loop {
        let (param, next) = parse_one(rest);
        params.push(param);
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    params
}

/// Parse one parameter; returns it and the text after its separating comma, if any.
fn parse_one(s: &str) -> (Param, Option<&str>) {
    let trimmed = s.trim_start();
    if let Some(inner) = trimmed.strip_prefix('"') {
        // A string constant: up to the closing quote; junk between it and the comma is dropped
        // (`"x" ,` from sloppy firmware).
        return match inner.find('"') {
            Some(end) => {
                let text = inner.get(..end).unwrap_or("").to_string();
                let after = inner.get(end + 1..).unwrap_or("");
                let next = after.find(',').and_then(|c| after.get(c + 1..));
                (Param::Str(text), next)
            }
            None => (Param::Str(inner.to_string()), None),
        };
    }
    let mut depth = 0usize;
    let mut in_quote = false;
    for (i, c) in trimmed.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            '(' if !in_quote => depth = depth.saturating_add(1),
            ')' if !in_quote => depth = depth.saturating_sub(1),
            ',' if !in_quote && depth == 0 => {
                let token = trimmed.get(..i).unwrap_or("");
                return (token_param(token), trimmed.get(i + 1..));
            }
            _ => {}
        }
    }
    (token_param(trimmed), None)
}

fn token_param(token: &str) -> Param {
    let t = token.trim();
    if t.is_empty() {
        return Param::Empty;
    }
    match t.parse::<i64>() {
        // Only canonical numbers become Int so that nothing is lost (`007`, `+5` stay Raw).
        Ok(n) if n.to_string() == t => Param::Int(n),
        _ => Param::Raw(t.to_string()),
    }
}

/// Quote a string for a command line (V.250 §5.4.2.2 string constant).
///
/// `"` and `\` and control characters are written as `\XX` hex escapes (TS 27.007 §4.1), so the
/// result never contains a CR that would end the command line early.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                let _ = write!(out, "\\{:02X}", u32::from(c));
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\{:02X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Param::*;

    fn s(x: &str) -> Param {
        Str(x.into())
    }
    fn r(x: &str) -> Param {
        Raw(x.into())
    }

    #[test]
    fn split_table() {
        let rows: Vec<(&str, Option<&str>, Vec<Param>)> = vec![
            (
                "+COPS: 0,0,\"NTT DOCOMO\",7",
                Some("+COPS"),
                vec![Int(0), Int(0), s("NTT DOCOMO"), Int(7)],
            ),
            ("+CSQ: 20,99", Some("+CSQ"), vec![Int(20), Int(99)]),
            (
                "^BOOT:31610740,0,0,0,75",
                Some("^BOOT"),
                vec![Int(31610740), Int(0), Int(0), Int(0), Int(75)],
            ),
            (
                "+CMGL: 0,1,,22",
                Some("+CMGL"),
                vec![Int(0), Int(1), Empty, Int(22)],
            ),
            ("+CMGR: ,,27", Some("+CMGR"), vec![Empty, Empty, Int(27)]),
            (
                "+CMGR: 0,\"\",50",
                Some("+CMGR"),
                vec![Int(0), s(""), Int(50)],
            ),
            (
                "+CUSD: 2,\"003600310031\", 17",
                Some("+CUSD"),
                vec![Int(2), s("003600310031"), Int(17)],
            ),
            (
                "+CUSD: 0,\"0411\", 17r",
                Some("+CUSD"),
                vec![Int(0), s("0411"), r("17r")],
            ),
            (
                "+CUSD: 2,\"a, b, c\",15",
                Some("+CUSD"),
                vec![Int(2), s("a, b, c"), Int(15)],
            ),
            (
                "+CUSD: 2,Na rahunku: 5 grn",
                Some("+CUSD"),
                vec![Int(2), r("Na rahunku: 5 grn")],
            ),
            (
                "+CUSD: 1,\"Main Menu",
                Some("+CUSD"),
                vec![Int(1), s("Main Menu")],
            ),
            ("+CUSD: 2", Some("+CUSD"), vec![Int(2)]),
            ("+CUSD: (0-2)", Some("+CUSD"), vec![r("(0-2)")]),
            (
                "+COPS: (2,\"NTT DOCOMO\",\"DOCOMO\",\"44010\",7),,(0-4),(0-2)",
                Some("+COPS"),
                vec![
                    r("(2,\"NTT DOCOMO\",\"DOCOMO\",\"44010\",7)"),
                    Empty,
                    r("(0-4)"),
                    r("(0-2)"),
                ],
            ),
            (
                "+CMGR: 1,,147 0791AB",
                Some("+CMGR"),
                vec![Int(1), Empty, r("147 0791AB")],
            ),
            ("+CPIN: READY", Some("+CPIN"), vec![r("READY")]),
            ("+PBREADY", Some("+PBREADY"), vec![]),
            (
                "+X: 007,+5,-3,",
                Some("+X"),
                vec![r("007"), r("+5"), Int(-3), Empty],
            ),
            (
                "+X: 99999999999999999999",
                Some("+X"),
                vec![r("99999999999999999999")],
            ),
            ("huawei", None, vec![r("huawei")]),
            ("+", None, vec![r("+")]),
            ("0,1", None, vec![Int(0), Int(1)]),
            ("", None, vec![]),
        ];
        for (line, prefix, params) in rows {
            let got = split_params(line);
            assert_eq!(got.prefix, prefix, "prefix of {line:?}");
            assert_eq!(got.params, params, "params of {line:?}");
        }
    }

    #[test]
    fn quote_escapes() {
        assert_eq!(quote("*100#"), "\"*100#\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\22b\\5Cc\"");
        assert_eq!(quote("x\ry\n"), "\"x\\0Dy\\0A\"");
        assert_eq!(quote("残り"), "\"残り\"");
    }

    #[test]
    fn quote_then_split_round_trips_plain_text() {
        for text in ["*100#", "NTT DOCOMO", "a,b,c", ""] {
            let line = format!("+X: {}", quote(text));
            assert_eq!(split_params(&line).params, vec![Str(text.to_string())]);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn split_never_panics(line in ".{0,80}") {
            let _ = split_params(&line);
        }
    }
}
