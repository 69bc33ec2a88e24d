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
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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

pub(crate) use crate::at::params::split_quoted as split_fields;

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
            let expected = h.length.map(|l| {
                if first <= 12 {
                    l.saturating_add(first + 1)
                } else {
                    l
                }
            });
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
            let end = len.saturating_add(1 + usize::from(first));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::SmsKind;

    const P27: &str = "07916163838428F9040B916121021021F700005190514164220A23C4B0BCFD5E8740C4B0BCFD5E83C26E3248196687C9A0301D440DBBC3677918";
    const GENERIC: &str = "07914306073011F00405812261F700003130916191314095C274D96D2FBBD3E437280CB2BEC961F3DB5D76818EF2F0381D9E83E06F39A8CC2E9FD372F77BEE0249CBE37A594E0E83E2F532085E2F93CB73D0B93CA7A7DFEEB01C447F93DF7310BD3E07CDCB727B7A9C7ECF41E432C8FC96B7C32079189E26874179D0F8DD7E93C3A0B21B246AA641D637396C7EBBCB22D0FD7E77B5D376B3AB3C07";

    fn entry(item: &ListItem) -> &ListEntry {
        match item {
            ListItem::Entry(e) => e,
            ListItem::Error(e) => panic!("unexpected error entry: {e}"),
        }
    }

    #[test]
    fn cmgr_header_variants() {
        let generic_inline = format!("+CMGR: 1,,147 {GENERIC}");
        let telit = "+CMGR: 0,\"\",50";
        let zte = "+CMGR: ,,27";
        let no_alpha = "+CMGR: 0,35";
        let only_len = "+CMGR: 24";
        // (lines, stat, length, text start)
        type Case<'a> = (Vec<&'a str>, Option<MessageStatus>, Option<usize>, &'a str);
        let cases: Vec<Case> = vec![
            (
                vec![generic_inline.as_str()],
                Some(MessageStatus::ReceivedRead),
                Some(147),
                "",
            ),
            (
                vec![telit, P27, "OK"],
                Some(MessageStatus::ReceivedUnread),
                Some(50),
                "Darmok! Darmok and Jalad at Tanagra",
            ),
            (
                vec![zte, "0297F1061C0F910B487228297020F5317062419272803170624192138000"],
                None,
                Some(27),
                "",
            ),
            (
                vec![no_alpha, "07917248014000F3240B917247587706F400003110824115248012C8329BFD06C9C373B8B82C97E741F034"],
                Some(MessageStatus::ReceivedUnread),
                Some(35),
                "Hello raspberry pi",
            ),
            (
                vec![only_len, "079124602009999006B4098106326906F2212041015554402120410155054000"],
                None,
                Some(24),
                "",
            ),
        ];
        for (lines, stat, length, text) in cases {
            let items = parse_cmgr(&lines, Some(7), Some("SM"));
            assert_eq!(items.len(), 1, "{lines:?}: {items:?}");
            let e = entry(&items[0]);
            assert_eq!(e.index, Some(7));
            assert_eq!(e.stat, stat, "{lines:?}");
            assert_eq!(e.length, length);
            assert_eq!(e.storage.as_deref(), Some("SM"));
            assert_eq!(e.smsc_prefix, SmscPrefix::Present);
            assert!(e.sms.text.starts_with(text), "{:?}", e.sms.text);
            assert!(e.warnings.is_empty(), "{lines:?}: {:?}", e.warnings);
        }
    }

    #[test]
    fn cmgl_listing_with_pantech_bad_entry_and_padding() {
        let lines = [
            "+CMGL: 0,1,,35",
            "07917248014000F3240B917247587706F400003110824115248012C8329BFD06C9C373B8B82C97E741F034",
            // Pantech: no alpha field; this PDU has an odd number of digits in the source.
            "+CMGL: 17,3,35",
            "079100F40D1101000F001000B917118336058F300001954747A0E4ACF41F27298CDCE83C6EF371B0402814020",
            // gammu 32.dump: FF padding after a status report.
            "+CMGL: 3,1,,29",
            "079124602009999002AB098106845688F8907080517375809070805183018000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
            // CZ with a header length that lies (P24).
            "+CMGL: 4,1,,78",
            "0791246020099990400C91247042972767000070107031107440A005000301020182E8B71A040FDBD96516881E5E83DA65907D5C968741EEF49AFC06B9CBEFB53C4C66B34061771AE42EEBDDE1799AED4EB34161D0BA0E7F93D3F63A483D2FB74161771AE42ED7E7EE3A3BCC0285C720FABB5D07B5DF6390BB3C1FA3C3FA32FBAD4BB940D43219342F83C6E8FC9C1E6E83E0F2F0F86D0FD3416150FBAD77874169903B0CA2BF41",
            "",
            "OK",
        ];
        let items = parse_cmgl(&lines, Some("ME"));
        assert_eq!(items.len(), 4, "{items:#?}");
        let e0 = entry(&items[0]);
        assert_eq!(
            (e0.index, e0.stat),
            (Some(0), Some(MessageStatus::ReceivedRead))
        );
        assert_eq!(e0.sms.text, "Hello raspberry pi");
        match &items[1] {
            ListItem::Error(err) => {
                assert_eq!(err.index, Some(17));
                assert_eq!(err.line, 2);
                assert!(err.reason.contains("odd"), "{}", err.reason);
            }
            other => panic!("{other:?}"),
        }
        let e3 = entry(&items[2]);
        assert_eq!(e3.index, Some(3));
        assert_eq!(e3.pdu.len(), 8 + 29);
        assert_eq!(e3.warnings.len(), 1, "{:?}", e3.warnings);
        assert!(matches!(e3.sms.kind, SmsKind::StatusReport(_)));
        let e4 = entry(&items[3]);
        assert_eq!(e4.smsc_prefix, SmscPrefix::Present);
        assert!(e4.warnings[0].contains("78"), "{:?}", e4.warnings);
        assert!(e4.sms.text.starts_with("Ahoj pavle"));
    }

    #[test]
    fn pdu_split_by_a_urc_is_joined() {
        let lines = [
            "+CMGR: 0,,50",
            "07916163838428F9040B916121021021F700005190514164",
            "220A23C4B0BCFD5E8740C4B0BCFD5E83C26E3248196687C9A0301D440DBBC3677918",
        ];
        let items = parse_cmgr(&lines, None, None);
        assert_eq!(items.len(), 1);
        let e = entry(&items[0]);
        assert_eq!(e.sms.text, "Darmok! Darmok and Jalad at Tanagra");
        assert_eq!(e.warnings.len(), 1);
        // The Huawei fixture (corpus A2): odd first half, still short once joined, so it
        // becomes an error entry naming the offset where the PDU ran out.
        let lines = ["+CMGL: 0,1,,22", "079133060071108", "11094904003CF7A1A"];
        let items = parse_cmgl(&lines, None);
        assert_eq!(items.len(), 1, "{items:?}");
        match &items[0] {
            ListItem::Error(err) => {
                assert_eq!(err.index, Some(0));
                // Read on, the joined bytes give an originating address of 148 semi-octets,
                // which cannot be (TS 23.040 §9.1.2.5): refused there, before the bytes run out.
                assert!(
                    err.reason.contains("truncated") || err.reason.contains("at most 20"),
                    "{}",
                    err.reason
                );
                assert!(err.offset > 0);
            }
            other => panic!("{other:?}"),
        }
        // A complete PDU followed by the next header is never joined.
        let lines = ["+CMGL: 1,0,,50", P27, "+CMGL: 2,0,,50", P27];
        let items = parse_cmgl(&lines, None);
        assert_eq!(items.len(), 2);
        assert!(entry(&items[1]).warnings.is_empty());
    }

    #[test]
    fn bad_entries_do_not_lose_the_rest() {
        let lines = [
            "+CMGL: x,1,,50",
            P27,
            "+CMGL: 5,1,,50",
            "07916163838428F9040B9161ZZ",
            "stray line",
            "+CMGL: 6,1,,50",
            "+CMGL: 7,1,,50",
            P27,
            "+CMGL: 8,1,,18446744073709551615",
            "0791",
            "FFFF",
        ];
        let items = parse_cmgl(&lines, None);
        let kinds: Vec<_> = items
            .iter()
            .map(|i| match i {
                ListItem::Entry(e) => format!("ok {:?}", e.index),
                ListItem::Error(e) => {
                    format!("err {:?} line {} offset {}", e.index, e.line, e.offset)
                }
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "err None line 0 offset 0",
                "err Some(5) line 2 offset 24",
                "err None line 4 offset 0",
                "err Some(6) line 5 offset 0",
                "ok Some(7)",
                "err Some(8) line 8 offset 2",
            ]
        );
    }

    #[test]
    fn status_fields() {
        assert_eq!(
            MessageStatus::parse_field("3"),
            Some(MessageStatus::StoredSent)
        );
        assert_eq!(
            MessageStatus::parse_field("\"STO UNSENT\""),
            Some(MessageStatus::StoredUnsent)
        );
        assert_eq!(MessageStatus::parse_field("4"), None);
        assert_eq!(MessageStatus::StoredSent.code(), 3);
        assert_eq!(split_fields("1,\"a,b\",,5"), ["1", "\"a,b\"", "", "5"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn prop_listing_never_panics(lines in proptest::collection::vec(
            proptest::prop_oneof![
                "\\+CMG[LR]: [0-9,\" ]{0,12}",
                "[0-9A-F]{0,80}",
                ".{0,30}",
            ], 0..8)
        ) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let _ = parse_cmgl(&refs, Some("SM"));
            let _ = parse_cmgr(&refs, Some(1), None);
        }
    }
}
