//! `+CMGL` / `+CMGR` responses in text mode (`AT+CMGF=1`, TS 27.005 §3.4.2, §3.4.3):
//! `+CMGL: <index>,<stat>,<oa/da>,[<alpha>],[<scts>][,<tooa/toda>,<length>]` or
//! `+CMGR: <stat>,<oa>,[<alpha>],<scts>[,…]`, then the text on the following line(s) up to
//! the next header.
//!
//! Under `AT+CSCS="UCS2"` the modem prints the number and the text as UCS-2 hex. Hex is
//! detected per entry from the *address* field, not the text, so a plain text made only of
//! hex digits ("CAFE", "1234") is never misread: the address is taken as UCS-2 hex only when
//! it is a whole number of 4-digit units that decode to printable ASCII (phone numbers and
//! GSM alphanumeric names always do; a plain number never has that form). The text of such
//! an entry is then decoded as UCS-2 hex if it can be, and kept as it is with a warning
//! otherwise. [`TextCharset::Ucs2`] forces the UCS-2 reading, [`TextCharset::Plain`] turns
//! it off.

use serde::Serialize;

use super::listing::{header_rest, split_fields, ListingError, MessageStatus};
use super::timestamp::Timestamp;
use crate::codec::{hex, ucs2};

/// The TE character set (`AT+CSCS`) the listing was printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TextCharset {
    /// Detect UCS-2 hex per entry from the address field (see the module docs).
    #[default]
    Auto,
    /// Plain text (`"GSM"`, `"IRA"`, `"UTF-8"`): nothing is hex-decoded.
    Plain,
    /// `"UCS2"`: number and text are UCS-2 hex.
    Ucs2,
}

/// One message from a text-mode listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextEntry {
    /// Storage index (`+CMGL`) or the index given by the caller (`+CMGR`).
    pub index: Option<u32>,
    /// `<stat>`.
    pub stat: Option<MessageStatus>,
    /// Storage name given by the caller.
    pub storage: Option<String>,
    /// `<oa>`/`<da>`, decoded.
    pub address: Option<String>,
    /// `<alpha>`, decoded.
    pub alpha: Option<String>,
    /// `<scts>`.
    pub timestamp: Option<Timestamp>,
    /// The message text (lines joined with `\n`).
    pub text: String,
    /// True if number and text were read as UCS-2 hex.
    pub ucs2: bool,
    /// Guesses and problems.
    pub warnings: Vec<String>,
    /// 0-based header line.
    pub line: usize,
}

/// One item of a text-mode listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum TextItem {
    /// A message.
    Entry(TextEntry),
    /// A line that could not be read.
    Error(ListingError),
}

fn unquote(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(t)
}

/// Decode UCS-2 hex if `s` is exactly that; `None` otherwise.
fn ucs2_hex(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || !t.len().is_multiple_of(4) || !hex::is_hex(t) {
        return None;
    }
    let d = ucs2::decode(&hex::decode(t).ok()?);
    (d.replacements == 0).then_some(d.text)
}

/// An address field that is UCS-2 hex of printable ASCII.
fn ucs2_address(s: &str) -> Option<String> {
    ucs2_hex(s).filter(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_graphic() || c == ' '))
}

/// Parse text-mode `+CMGL` lines, or `+CMGR` lines (then `index` is the one read).
pub fn parse_text_listing(
    lines: &[&str],
    charset: TextCharset,
    index: Option<u32>,
    storage: Option<&str>,
) -> Vec<TextItem> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        let line_no = i;
        i += 1;
        let t = line.trim();
        if t.is_empty() || t == "OK" {
            continue;
        }
        let (cmgl, rest) = match (header_rest(line, "+CMGL:"), header_rest(line, "+CMGR:")) {
            (Some(r), _) => (true, r),
            (None, Some(r)) => (false, r),
            _ => {
                out.push(TextItem::Error(ListingError {
                    index: None,
                    line: line_no,
                    offset: 0,
                    reason: format!("unexpected line {t:?} (no +CMGL/+CMGR header before it)"),
                }));
                continue;
            }
        };
        let mut fields = split_fields(rest).into_iter();
        let mut warnings = Vec::new();
        let entry_index = if cmgl {
            let f = fields.next().unwrap_or_default();
            match f.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    out.push(TextItem::Error(ListingError {
                        index: None,
                        line: line_no,
                        offset: 0,
                        reason: format!("index {f:?} is not a number"),
                    }));
                    continue;
                }
            }
        } else {
            index
        };
        let stat_field = fields.next().unwrap_or_default();
        let stat = MessageStatus::parse_field(&stat_field);
        if stat.is_none() && !stat_field.is_empty() {
            warnings.push(format!("unknown <stat> {stat_field:?}"));
        }
        let addr_field = fields.next().unwrap_or_default();
        let alpha_field = fields.next().unwrap_or_default();
        let scts_field = fields.next().unwrap_or_default();
        // Text lines: everything up to the next header or final result.
        let mut body = Vec::new();
        while let Some(&l) = lines.get(i) {
            if header_rest(l, "+CMGL:").is_some()
                || header_rest(l, "+CMGR:").is_some()
                || l.trim() == "OK"
            {
                break;
            }
            body.push(l.trim_end_matches(['\r', '\n']));
            i += 1;
        }
        while body.last().is_some_and(|l| l.trim().is_empty()) {
            body.pop();
        }
        let raw_addr = unquote(&addr_field);
        let decoded_addr = match charset {
            TextCharset::Plain => None,
            _ => ucs2_address(raw_addr),
        };
        let ucs2 = match charset {
            TextCharset::Plain => false,
            TextCharset::Ucs2 => true,
            TextCharset::Auto => decoded_addr.is_some(),
        };
        if charset == TextCharset::Ucs2 && decoded_addr.is_none() && !raw_addr.is_empty() {
            warnings.push(format!(
                "address {raw_addr:?} is not UCS-2 hex; kept as it is"
            ));
        }
        let address = decoded_addr.or_else(|| (!raw_addr.is_empty()).then(|| raw_addr.to_string()));
        let raw_alpha = unquote(&alpha_field);
        let alpha = if raw_alpha.is_empty() {
            None
        } else if ucs2 {
            Some(ucs2_hex(raw_alpha).unwrap_or_else(|| raw_alpha.to_string()))
        } else {
            Some(raw_alpha.to_string())
        };
        let scts_raw = unquote(&scts_field);
        let scts_text = if ucs2 {
            ucs2_hex(scts_raw).unwrap_or_else(|| scts_raw.to_string())
        } else {
            scts_raw.to_string()
        };
        let timestamp = Timestamp::parse_text(&scts_text);
        if timestamp.is_none() && !scts_text.is_empty() {
            warnings.push(format!("time stamp {scts_text:?} not understood"));
        }
        let text = if ucs2 {
            let joined: String = body.iter().map(|l| l.trim()).collect();
            match ucs2_hex(&joined) {
                Some(t) => t,
                None if joined.is_empty() => String::new(),
                None => {
                    warnings.push(
                        "text is not UCS-2 hex although the address was; kept as it is".into(),
                    );
                    body.join("\n")
                }
            }
        } else {
            body.join("\n")
        };
        out.push(TextItem::Entry(TextEntry {
            index: entry_index,
            stat,
            storage: storage.map(str::to_string),
            address,
            alpha,
            timestamp,
            text,
            ucs2,
            warnings,
            line: line_no,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::ucs2;

    fn u(s: &str) -> String {
        hex::encode(&ucs2::encode(s))
    }

    fn entry(i: &TextItem) -> &TextEntry {
        match i {
            TextItem::Entry(e) => e,
            TextItem::Error(e) => panic!("{e}"),
        }
    }

    #[test]
    fn plain_listing_multi_line_text() {
        let lines = [
            "+CMGL: 1,\"REC UNREAD\",\"+819012345678\",,\"26/11/25,10:00:00+36\"",
            "残りデータ量は",
            "3.2GBです",
            "+CMGL: 2,\"REC READ\",\"10086\",\"\",\"13/07/26,14:29:27+32\",129,4",
            "CAFE",
            "OK",
        ];
        let items = parse_text_listing(&lines, TextCharset::Auto, None, Some("SM"));
        assert_eq!(items.len(), 2);
        let a = entry(&items[0]);
        assert_eq!(a.index, Some(1));
        assert_eq!(a.stat, Some(MessageStatus::ReceivedUnread));
        assert_eq!(a.address.as_deref(), Some("+819012345678"));
        assert_eq!(
            a.timestamp.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-25T10:00:00+09:00")
        );
        assert_eq!(a.text, "残りデータ量は\n3.2GBです");
        assert!(!a.ucs2);
        // A text made of hex digits only stays text: the address decides.
        let b = entry(&items[1]);
        assert_eq!(b.text, "CAFE");
        assert_eq!(b.address.as_deref(), Some("10086"));
        assert!(b.alpha.is_none());
        assert!(!b.ucs2);
    }

    #[test]
    fn ucs2_listing_is_decoded() {
        let h1 = format!(
            "+CMGL: 3,\"REC UNREAD\",\"{}\",,\"26/11/25,10:00:00+36\"",
            u("+819012345678")
        );
        let t1 = u("残りデータ量は3.2GBです");
        let h2 = format!(
            "+CMGR: \"REC READ\",\"{}\",\"{}\",\"21/03/25,18:11:03+32\"",
            u("10086"),
            u("中国移动")
        );
        let t2 = u("1234");
        let lines = [h1.as_str(), t1.as_str()];
        for charset in [TextCharset::Auto, TextCharset::Ucs2] {
            let items = parse_text_listing(&lines, charset, None, None);
            let e = entry(&items[0]);
            assert_eq!(e.address.as_deref(), Some("+819012345678"));
            assert_eq!(e.text, "残りデータ量は3.2GBです");
            assert!(e.ucs2);
            assert!(e.warnings.is_empty(), "{:?}", e.warnings);
        }
        // Plain charset leaves the hex alone.
        let items = parse_text_listing(&lines, TextCharset::Plain, None, None);
        assert_eq!(entry(&items[0]).text, t1);
        // +CMGR: the text "1234" was sent as UCS-2 hex "0031003200330034".
        let lines = [h2.as_str(), t2.as_str()];
        let items = parse_text_listing(&lines, TextCharset::Auto, Some(9), None);
        let e = entry(&items[0]);
        assert_eq!(e.index, Some(9));
        assert_eq!(e.text, "1234");
        assert_eq!(e.alpha.as_deref(), Some("中国移动"));
        assert_eq!(e.address.as_deref(), Some("10086"));
    }

    #[test]
    fn hex_looking_plain_numbers_are_not_decoded() {
        // "10086000" is 8 hex digits but decodes to U+1008 U+6000, not ASCII.
        let lines = [
            "+CMGL: 4,\"REC READ\",\"10086000\",,\"26/11/25,10:00:00+36\"",
            "00410042",
        ];
        let items = parse_text_listing(&lines, TextCharset::Auto, None, None);
        let e = entry(&items[0]);
        assert_eq!(e.address.as_deref(), Some("10086000"));
        assert_eq!(e.text, "00410042");
        assert!(!e.ucs2);
    }

    #[test]
    fn bad_lines_become_errors() {
        let lines = [
            "garbage",
            "+CMGL: x,\"REC READ\",\"1\",,",
            "+CMGL: 5,\"???\",\"1\",,\"bad\"",
            "hi",
        ];
        let items = parse_text_listing(&lines, TextCharset::Auto, None, None);
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(matches!(&items[0], TextItem::Error(e) if e.line == 0));
        assert!(matches!(&items[1], TextItem::Error(e) if e.line == 1));
        let e = entry(&items[2]);
        assert_eq!(e.text, "hi");
        assert_eq!(e.warnings.len(), 2, "{:?}", e.warnings);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn prop_never_panics(lines in proptest::collection::vec(
            proptest::prop_oneof!["\\+CMG[LR]: [0-9A-F,\" /:+]{0,40}", ".{0,30}"], 0..8)
        ) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            for c in [TextCharset::Auto, TextCharset::Ucs2, TextCharset::Plain] {
                let _ = parse_text_listing(&refs, c, Some(1), None);
            }
        }
    }
}
