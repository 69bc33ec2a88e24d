//! SMS-SUBMIT (TS 23.040 §9.2.2.2): first octet (TP-MTI 01, TP-RD, TP-VPF, TP-SRR,
//! TP-UDHI, TP-RP), TP-MR, TP-DA, TP-PID, TP-DCS, TP-VP (0, 1 or 7 octets, §9.2.3.12),
//! TP-UDL, TP-UD; and [`encode_submit`], which splits a text into parts for `AT+CMGS`.
//!
//! Invariants of [`encode_submit`]:
//! - GSM 7-bit when every character is in the default alphabet or its extension table
//!   (an extension character costs two septets), UCS-2 (UTF-16) otherwise.
//! - One part holds at most 160 septets / 70 UTF-16 units; with a concatenation header
//!   153 / 67 (8-bit reference) or 152 / 66 (16-bit reference). Parts are cut between
//!   characters, so an ESC + extension pair or a surrogate pair is never split.
//! - Each part's user data is at most 140 octets; every part re-decodes to its text.

use serde::Serialize;

use super::address::Address;
use super::pdu::{self, Body, Sms, SmsKind, SmscPrefix};
use super::timestamp::Timestamp;
use super::udh::Concat;
use super::{PduError, Reader};
use crate::codec::{gsm7, hex, SmsDcs};

/// TP-VP, the validity period of a submitted message (§9.2.3.12).
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "format", content = "value")]
pub enum ValidityPeriod {
    /// TP-VPF 00: no validity period field.
    None,
    /// TP-VPF 10: one octet, see [`ValidityPeriod::relative_minutes`].
    Relative(u8),
    /// TP-VPF 11: an absolute time.
    Absolute(Timestamp),
    /// TP-VPF 01: enhanced format (§9.2.3.12.3), kept as its 7 octets.
    Enhanced([u8; 7]),
}

impl ValidityPeriod {
    /// Duration in minutes of a relative validity period (§9.2.3.12.1).
    pub fn relative_minutes(v: u8) -> u32 {
        let v = u32::from(v);
        match v {
            0..=143 => (v + 1) * 5,
            144..=167 => 12 * 60 + (v - 143) * 30,
            168..=196 => (v - 166) * 24 * 60,
            _ => (v - 192) * 7 * 24 * 60,
        }
    }

    fn vpf(&self) -> u8 {
        match self {
            ValidityPeriod::None => 0b00,
            ValidityPeriod::Enhanced(_) => 0b01,
            ValidityPeriod::Relative(_) => 0b10,
            ValidityPeriod::Absolute(_) => 0b11,
        }
    }
}

/// Fields only SMS-SUBMIT has.
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Submit {
    /// TP-MR (0 lets the modem choose).
    pub message_reference: u8,
    /// TP-RD: reject duplicates.
    pub reject_duplicates: bool,
    /// TP-VP.
    pub validity: ValidityPeriod,
    /// TP-SRR: a status report is requested.
    pub status_report_request: bool,
    /// TP-RP: reply path.
    pub reply_path: bool,
}

pub(crate) fn read(
    r: &mut Reader<'_>,
    first: u8,
    warnings: &mut Vec<String>,
) -> Result<Body, PduError> {
    let message_reference = r.u8("TP-MR")?;
    let address = Address::read_tp(r, "TP-DA", warnings)?;
    let pid = r.u8("TP-PID")?;
    let dcs_at = r.offset();
    let dcs = SmsDcs::from_byte(r.u8("TP-DCS")?);
    let vp_at = r.offset();
    let validity = match (first >> 3) & 0b11 {
        0b00 => ValidityPeriod::None,
        0b10 => ValidityPeriod::Relative(r.u8("TP-VP")?),
        0b11 => {
            let b: [u8; 7] = r.take(7, "TP-VP")?.try_into().unwrap_or_default();
            match Timestamp::decode(&b) {
                Ok(t) => ValidityPeriod::Absolute(t),
                Err(e) => {
                    return Err(PduError::Invalid {
                        field: "TP-VP",
                        offset: vp_at,
                        reason: format!("absolute validity period: {e}"),
                    })
                }
            }
        }
        _ => ValidityPeriod::Enhanced(r.take(7, "TP-VP")?.try_into().unwrap_or_default()),
    };
    let s = Submit {
        message_reference,
        reject_duplicates: first & 0x04 != 0,
        validity,
        status_report_request: first & 0x20 != 0,
        reply_path: first & 0x80 != 0,
    };
    let ud = pdu::read_user_data(r, first & 0x40 != 0, &dcs, dcs_at)?;
    Ok(Body {
        kind: SmsKind::Submit(s),
        address,
        timestamp: None,
        pid,
        dcs,
        ud,
    })
}

pub(crate) fn write(sms: &Sms, s: &Submit, out: &mut Vec<u8>) -> Result<(), PduError> {
    let udhi = !sms.udh.is_empty();
    let mut first = 0x01 | (s.validity.vpf() << 3);
    if s.reject_duplicates {
        first |= 0x04;
    }
    if s.status_report_request {
        first |= 0x20;
    }
    if udhi {
        first |= 0x40;
    }
    if s.reply_path {
        first |= 0x80;
    }
    out.push(first);
    out.push(s.message_reference);
    sms.address.write_tp(out, "TP-DA")?;
    out.push(sms.pid);
    out.push(sms.dcs.raw);
    match s.validity {
        ValidityPeriod::None => {}
        ValidityPeriod::Relative(v) => out.push(v),
        ValidityPeriod::Absolute(t) => out.extend(t.encode()),
        ValidityPeriod::Enhanced(b) => out.extend(b),
    }
    pdu::write_user_data(sms, udhi, out)
}

/// Concatenation reference for a multi-part message, chosen by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConcatRef {
    /// IEI 0x00, 8-bit reference (6-octet header: 153 septets / 67 UCS-2 units a part).
    EightBit(u8),
    /// IEI 0x08, 16-bit reference (7-octet header: 152 septets / 66 UCS-2 units a part).
    SixteenBit(u16),
}

/// Options for [`encode_submit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubmitOptions {
    /// Reference used if the text needs more than one part.
    pub concat_reference: ConcatRef,
    /// Ask for a status report (TP-SRR).
    pub status_report: bool,
    /// Validity period (TP-VP); [`ValidityPeriod::None`] lets the SMSC decide.
    pub validity: ValidityPeriod,
}

impl Default for SubmitOptions {
    fn default() -> Self {
        SubmitOptions {
            concat_reference: ConcatRef::EightBit(0),
            status_report: false,
            validity: ValidityPeriod::None,
        }
    }
}

/// One part ready for `AT+CMGS=<tpdu_len>` in PDU mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubmitPdu {
    /// The bytes: SMSC prefix `00` (use the SIM's SMSC) then the TPDU.
    pub bytes: Vec<u8>,
    /// `bytes` as upper-case hex, what is typed after the `> ` prompt.
    pub hex: String,
    /// TPDU length in octets (without the SMSC prefix), the `AT+CMGS` parameter.
    pub tpdu_len: usize,
    /// 1-based part number.
    pub seq: u8,
    /// Number of parts.
    pub total: u8,
}

impl SubmitPdu {
    /// The command that announces this part: `AT+CMGS=<tpdu_len>`.
    pub fn at_command(&self) -> String {
        format!("AT+CMGS={}", self.tpdu_len)
    }
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The destination is empty or not a phone number.
    #[error("invalid destination number: {reason}")]
    InvalidNumber {
        /// What is wrong.
        reason: String,
    },
    /// More than 255 parts would be needed.
    #[error("text needs {parts} parts; at most 255 can be concatenated")]
    TooLong {
        /// Parts needed.
        parts: usize,
    },
    /// Building the PDU failed (should not happen for valid input).
    #[error(transparent)]
    Pdu(#[from] PduError),
}

/// Split `text` into chunks of at most `limit` units, where `cost` gives a character's units.
fn split(text: &str, limit: usize, cost: impl Fn(char) -> usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let c = cost(ch);
        if used + c > limit && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
            used = 0;
        }
        cur.push(ch);
        used += c;
    }
    parts.push(cur);
    parts
}

/// Encode `text` to `to` as one or more SMS-SUBMIT PDUs (see the module invariants).
///
/// `to` starting with `+` is international (TOA 0x91), otherwise unknown/ISDN (0x81).
/// TP-MR is 0 (the modem assigns it), TP-PID 0, no message class.
pub fn encode_submit(
    to: &str,
    text: &str,
    opts: &SubmitOptions,
) -> Result<Vec<SubmitPdu>, EncodeError> {
    let address =
        Address::parse_number(to).map_err(|reason| EncodeError::InvalidNumber { reason })?;
    let gsm = gsm7::septet_len(text).is_some();
    let (single, multi) = match (gsm, opts.concat_reference) {
        (true, ConcatRef::EightBit(_)) => (160, 153),
        (true, ConcatRef::SixteenBit(_)) => (160, 152),
        (false, ConcatRef::EightBit(_)) => (70, 67),
        (false, ConcatRef::SixteenBit(_)) => (70, 66),
    };
    let cost = |ch: char| -> usize {
        if gsm {
            match gsm7::char_septets(ch) {
                Some((_, Some(_))) => 2,
                _ => 1,
            }
        } else {
            ch.len_utf16()
        }
    };
    let whole: usize = text.chars().map(cost).sum();
    let chunks = if whole <= single {
        vec![text.to_string()]
    } else {
        split(text, multi, cost)
    };
    let total = u8::try_from(chunks.len()).map_err(|_| EncodeError::TooLong {
        parts: chunks.len(),
    })?;
    let dcs = SmsDcs::from_byte(if gsm { 0x00 } else { 0x08 });
    let mut out = Vec::with_capacity(chunks.len());
    for (i, chunk) in chunks.into_iter().enumerate() {
        let seq = (i + 1) as u8;
        let concat = (total > 1).then(|| match opts.concat_reference {
            ConcatRef::EightBit(r) => Concat {
                reference: u16::from(r),
                total,
                seq,
                sixteen_bit: false,
            },
            ConcatRef::SixteenBit(r) => Concat {
                reference: r,
                total,
                seq,
                sixteen_bit: true,
            },
        });
        let sms = Sms {
            kind: SmsKind::Submit(Submit {
                message_reference: 0,
                reject_duplicates: false,
                validity: opts.validity,
                status_report_request: opts.status_report,
                reply_path: false,
            }),
            smsc: None,
            address: address.clone(),
            timestamp: None,
            pid: 0,
            dcs,
            text: chunk,
            data: Vec::new(),
            replacements: 0,
            warnings: Vec::new(),
            concat,
            udh: concat.map(|c| vec![c.to_element()]).unwrap_or_default(),
            raw: Vec::new(),
        };
        let bytes = sms.encode(SmscPrefix::Present)?;
        out.push(SubmitPdu {
            hex: hex::encode(&bytes),
            tpdu_len: bytes.len().saturating_sub(1),
            bytes,
            seq,
            total,
        });
    }
    Ok(out)
}
