//! `+CMGL` / `+CMGR` responses in PDU mode (TS 27.005 §3.4.2, §3.4.3, §4.1, §4.2):
//! `+CMGL: <index>,<stat>,[<alpha>],<length>` / `+CMGR: <stat>,[<alpha>],<length>`, each
//! followed by the PDU in hex on the next line.
//!
//! Variants accepted (corpus A3 "Header variants seen"): the PDU on the same line after a
//! space (`+CMGR: 1,,147 0791…`), `<alpha>` as `""`, an empty `<stat>` (`+CMGR: ,,27`),
//! no `<alpha>` field (`+CMGR: 0,156`, Pantech `+CMGL: 17,3,35`), the length alone
//! (`+CMGR: 24`), `FF` padding after the PDU, and a PDU line cut in two by a URC that the
//! AT layer removed: a PDU line shorter than the header length promises is joined with the
//! following line when that line is hex.
//!
//! Invariant: one bad entry never loses the others. It becomes a [`ListItem::Error`] with
//! its index, the line number, the offset (in the line for hex errors, in the PDU bytes
//! for decode errors) and the reason.

use serde::Serialize;

use super::pdu::{Sms, SmscPrefix};
use crate::codec::hex;

/// `<stat>` of a stored message (TS 27.005 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// 0 / "REC UNREAD".
    ReceivedUnread,
    /// 1 / "REC READ".
    ReceivedRead,
    /// 2 / "STO UNSENT".
    StoredUnsent,
    /// 3 / "STO SENT".
    StoredSent,
}

impl MessageStatus {
    /// From the PDU-mode number.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(MessageStatus::ReceivedUnread),
            1 => Some(MessageStatus::ReceivedRead),
            2 => Some(MessageStatus::StoredUnsent),
            3 => Some(MessageStatus::StoredSent),
            _ => None,
        }
    }

    /// From the text-mode string (quotes allowed, case-insensitive).
    pub fn from_text(s: &str) -> Option<Self> {
        match s.trim().trim_matches('"').to_ascii_uppercase().as_str() {
            "REC UNREAD" => Some(MessageStatus::ReceivedUnread),
            "REC READ" => Some(MessageStatus::ReceivedRead),
            "STO UNSENT" => Some(MessageStatus::StoredUnsent),
            "STO SENT" => Some(MessageStatus::StoredSent),
            _ => None,
        }
    }

    /// The PDU-mode number.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// From a field that may hold either form.
    pub(crate) fn parse_field(s: &str) -> Option<Self> {
        let t = s.trim();
        t.parse::<u8>()
            .ok()
            .and_then(Self::from_code)
            .or_else(|| Self::from_text(t))
    }
}

/// One stored message from a PDU-mode listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListEntry {
    /// Storage index (`+CMGL` header, or the index given to [`parse_cmgr`]).
    pub index: Option<u32>,
    /// `<stat>`; `None` when the field was empty or unknown.
    pub stat: Option<MessageStatus>,
    /// Storage name given by the caller (the `+CPMS` memory read from).
    pub storage: Option<String>,
    /// `<alpha>`, if the field had text.
    pub alpha: Option<String>,
    /// `<length>`: TPDU octets as the header says (may lie, see warnings).
    pub length: Option<usize>,
    /// The PDU bytes (padding removed).
    pub pdu: Vec<u8>,
    /// Whether `pdu` starts with the SMSC address.
    pub smsc_prefix: SmscPrefix,
    /// The decoded message.
    pub sms: Sms,
    /// Listing-level warnings (joined lines, padding, length mismatch).
    pub warnings: Vec<String>,
    /// 0-based number of the header line in the input.
    pub line: usize,
}

/// An entry that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("entry {index:?} (line {line}): {reason} (offset {offset})")]
pub struct ListingError {
    /// Storage index, if the header gave one.
    pub index: Option<u32>,
    /// 0-based line number of the header (or of the stray line).
    pub line: usize,
    /// Offset: in the PDU bytes for decode errors, in the line for header/hex errors.
    pub offset: usize,
    /// What went wrong.
    pub reason: String,
}

/// One item of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ListItem {
    /// A message read and decoded.
    Entry(Box<ListEntry>),
    /// A message (or a stray line) that could not be.
    Error(ListingError),
}

/// Split a header's parameters at commas outside double quotes.
pub(crate) fn split_fields(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|f| f.trim().to_string()).collect()
}

/// The text after `+CMGL:` / `+CMGR:` (case-insensitive), if the line is such a header.
pub(crate) fn header_rest<'a>(line: &'a str, tag: &str) -> Option<&'a str> {
    let t = line.trim_start();
    let head = t.get(..tag.len())?;
    head.eq_ignore_ascii_case(tag)
        .then(|| t.get(tag.len()..))
        .flatten()
}

fn is_header(line: &str) -> bool {
    header_rest(line, "+CMGL:").is_some() || header_rest(line, "+CMGR:").is_some()
}

fn is_final(line: &str) -> bool {
    let t = line.trim();
    t == "OK" || t == "ERROR" || t.starts_with("+CMS ERROR") || t.starts_with("+CME ERROR")
}

fn unquote(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(t)
}

fn hex_line(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit())
}

struct Header {
    index: Option<u32>,
    stat: Option<MessageStatus>,
    alpha: Option<String>,
    length: Option<usize>,
    inline_pdu: Option<String>,
    warnings: Vec<String>,
}

fn parse_header(rest: &str, cmgl: bool) -> Result<Header, (usize, String)> {
    let mut fields = split_fields(rest);
    let mut inline_pdu = None;
    if let Some(last) = fields.last_mut() {
        if let Some((len, pdu)) = last.clone().split_once(char::is_whitespace) {
            *last = len.to_string();
            inline_pdu = Some(pdu.trim().to_string());
        }
    }
    let mut h = Header {
        index: None,
        stat: None,
        alpha: None,
        length: None,
        inline_pdu,
        warnings: Vec::new(),
    };
    let mut f: &[String] = &fields;
    if cmgl {
        let (first, rest) = f
            .split_first()
            .ok_or((0, "empty +CMGL header".to_string()))?;
        h.index = Some(
            first
                .parse()
                .map_err(|_| (0, format!("index {first:?} is not a number")))?,
        );
        f = rest;
    }
    let (stat, alpha, len) = match f {
        [] => (None, None, None),
        [len] => (None, None, Some(len)),
        [stat, len] => (Some(stat), None, Some(len)),
        [stat, alpha, len] => (Some(stat), Some(alpha), Some(len)),
        [stat, alpha, .., len] => {
            h.warnings.push(format!(
                "{} header fields, expected at most 3 after the index",
                f.len()
            ));
            (Some(stat), Some(alpha), Some(len))
        }
    };
    if cmgl && len.is_none() && stat.is_none() {
        h.warnings
            .push("header has no <stat> and no <length>".into());
    }
    if let Some(s) = stat.filter(|s| !s.is_empty()) {
        h.stat = MessageStatus::parse_field(s);
        if h.stat.is_none() {
            h.warnings.push(format!("unknown <stat> {s:?}"));
        }
    }
    if let Some(a) = alpha.map(|a| unquote(a)).filter(|a| !a.is_empty()) {
        h.alpha = Some(a.to_string());
    }
    if let Some(l) = len.filter(|l| !l.is_empty()) {
        match l.parse::<usize>() {
            Ok(n) => h.length = Some(n),
            Err(_) => h
                .warnings
                .push(format!("<length> {l:?} is not a number; ignored")),
        }
    }
    Ok(h)
}

/// Parse the intermediate lines of `AT+CMGL=4` (PDU mode). `storage` is recorded in each
/// entry. Final result lines (`OK`) and blank lines are skipped.
pub fn parse_cmgl(lines: &[&str], storage: Option<&str>) -> Vec<ListItem> {
    parse(lines, true, None, storage)
}

/// Parse the intermediate lines of `AT+CMGR=<index>` (PDU mode).
pub fn parse_cmgr(lines: &[&str], index: Option<u32>, storage: Option<&str>) -> Vec<ListItem> {
    parse(lines, false, index, storage)
}

fn parse(lines: &[&str], cmgl: bool, index: Option<u32>, storage: Option<&str>) -> Vec<ListItem> {
    let tag = if cmgl { "+CMGL:" } else { "+CMGR:" };
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        let line_no = i;
        i += 1;
        if line.trim().is_empty() || is_final(line) {
            continue;
        }
        let Some(rest) = header_rest(line, tag) else {
            out.push(ListItem::Error(ListingError {
                index: None,
                line: line_no,
                offset: 0,
                reason: format!(
                    "unexpected line {:?} (no {tag} header before it)",
                    line.trim()
                ),
            }));
            continue;
        };
        let h = match parse_header(rest, cmgl) {
            Ok(h) => h,
            Err((offset, reason)) => {
                out.push(ListItem::Error(ListingError {
                    index,
                    line: line_no,
                    offset,
                    reason,
                }));
                // Skip the PDU line that belongs to this header.
                if lines.get(i).is_some_and(|l| hex_line(l)) {
                    i += 1;
                }
                continue;
            }
        };
        let index = h.index.or(index);
        let mut warnings = h.warnings;
        let mut hex_text = match h.inline_pdu.filter(|p| !p.is_empty()) {
            Some(p) => p,
            None => match lines.get(i) {
                Some(l) if !is_header(l) && !is_final(l) => {
                    i += 1;
                    l.trim().to_string()
                }
                _ => {
                    out.push(ListItem::Error(ListingError {
                        index,
                        line: line_no,
                        offset: 0,
                        reason: "no PDU line after the header".into(),
                    }));
                    continue;
                }
            },
        };
        // A URC removed from the middle of the PDU leaves it in two lines.
        while let Some(next) = lines.get(i) {
            if !hex_line(next) || is_header(next) || !hex_line(&hex_text) {
                break;
            }
            let have = hex_text.len() / 2;
            let first = hex_text
                .get(..2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .map_or(0, usize::from);
            let expected = h
                .length
                .map(|l| if first <= 12 { first + 1 + l } else { l });
            let short = hex_text.len() % 2 == 1 || expected.is_some_and(|e| have < e);
            if !short {
                break;
            }
            warnings.push(format!(
                "PDU continued on line {i} (split by an unsolicited result code?); joined"
            ));
            hex_text.push_str(next.trim());
            i += 1;
        }
        let mut pdu = match hex::decode(&hex_text) {
            Ok(b) => b,
            Err(e) => {
                let offset = match e {
                    crate::codec::CodecError::InvalidHexChar { offset, .. } => offset,
                    _ => hex_text.len(),
                };
                out.push(ListItem::Error(ListingError {
                    index,
                    line: line_no,
                    offset,
                    reason: format!("PDU is not hex: {e}"),
                }));
                continue;
            }
        };
        let (prefix, w) = SmscPrefix::detect(&pdu, h.length);
        warnings.extend(w);
        if let (SmscPrefix::Present, Some(len), Some(&first)) = (prefix, h.length, pdu.first()) {
            let end = 1 + usize::from(first) + len;
            if pdu.len() > end && pdu.get(end..).is_some_and(|t| t.iter().all(|&b| b == 0xFF)) {
                warnings.push(format!(
                    "{} octet(s) of FF padding after the PDU removed",
                    pdu.len() - end
                ));
                pdu.truncate(end);
            }
        }
        match Sms::decode(&pdu, prefix) {
            Ok(sms) => out.push(ListItem::Entry(Box::new(ListEntry {
                index,
                stat: h.stat,
                storage: storage.map(str::to_string),
                alpha: h.alpha,
                length: h.length,
                pdu,
                smsc_prefix: prefix,
                sms,
                warnings,
                line: line_no,
            }))),
            Err(e) => out.push(ListItem::Error(ListingError {
                index,
                line: line_no,
                offset: e.offset().unwrap_or(0),
                reason: e.to_string(),
            })),
        }
    }
    out
}
