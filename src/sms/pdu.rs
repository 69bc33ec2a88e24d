//! The SMS PDU: raw view ([`Pdu`]) and validated value ([`Sms`]) (STYLE.md §4).
//!
//! TS 23.040 §9.2.3.1: the message type (TP-MTI) is bits 1..0 of the first TPDU octet.
//! Read from a modem's storage, 00 is SMS-DELIVER, 01 SMS-SUBMIT (a stored sent or unsent
//! message) and 10 SMS-STATUS-REPORT; 11 is reserved and rejected. TS 27.005 §3.1: in PDU
//! mode `+CMGR`/`+CMGL` put the SMSC address (length octet first, possibly `00`) before
//! the TPDU, and `<length>` counts the TPDU octets only; [`SmscPrefix::detect`] uses that.
//!
//! User data (§9.2.3.16, §9.2.3.24): TP-UDL counts septets for GSM 7-bit (header
//! included, fill bits so the text starts on a septet boundary) and octets otherwise.
//! Decision for TP-UDL larger than the data: decode what is there and warn (with the offset),
//! because real modems hand out such PDUs (corpus A3 "はい") and the text they carry is
//! still the best we have; the warning makes the shortfall visible.

use serde::{Serialize, Serializer};

use super::address::Address;
use super::deliver::{self, Deliver};
use super::status_report::{self, StatusReport};
use super::submit::{self, Submit};
use super::timestamp::Timestamp;
use super::udh::{self, Concat, InformationElement};
use super::{PduError, Reader};
use crate::codec::{self, gsm7, ucs2, Alphabet, SmsDcs};

/// Whether bytes start with the SMSC address (as `+CMGR`/`+CMGL` print them) or directly
/// with the TPDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmscPrefix {
    /// The first octet is the SMSC information length (0 = none).
    Present,
    /// The bytes are the TPDU alone.
    Absent,
}

impl SmscPrefix {
    /// Decide from the `<length>` of a `+CMGR`/`+CMGL` header (TPDU octets) and the bytes.
    ///
    /// Exact matches win: `bytes.len() == tpdu_len` is [`Absent`](Self::Absent),
    /// `1 + bytes[0] + tpdu_len == bytes.len()` (or shorter, followed only by `FF` padding) is
    /// [`Present`](Self::Present). Otherwise (no header, or a header that lies as in
    /// corpus P24) the first octets decide: an SMSC length of at most 12 followed by a
    /// type-of-address octet (bit 7 set) or a zero length means present. The second value
    /// is a warning when the header length did not match.
    pub fn detect(bytes: &[u8], tpdu_len: Option<usize>) -> (SmscPrefix, Option<String>) {
        let first = bytes.first().map(|&b| usize::from(b));
        if let (Some(len), Some(first)) = (tpdu_len, first) {
            if bytes.len() == len {
                return (SmscPrefix::Absent, None);
            }
            let with = len.saturating_add(1 + first);
            if with == bytes.len() {
                return (SmscPrefix::Present, None);
            }
            if with < bytes.len()
                && bytes
                    .get(with..)
                    .is_some_and(|t| t.iter().all(|&b| b == 0xFF))
            {
                return (SmscPrefix::Present, None);
            }
        }
        let guess = match (bytes.first(), bytes.get(1)) {
            (Some(0), _) => SmscPrefix::Present,
            (Some(&n), Some(&toa)) if n <= 12 && toa & 0x80 != 0 => SmscPrefix::Present,
            _ => SmscPrefix::Absent,
        };
        let warning = tpdu_len.map(|len| {
            format!(
                "header length {len} matches neither the {} byte(s) received nor them minus \
                 an SMSC prefix; guessed SMSC prefix {}",
                bytes.len(),
                if guess == SmscPrefix::Present {
                    "present"
                } else {
                    "absent"
                }
            )
        });
        (guess, warning)
    }
}

/// Raw view over PDU bytes: field access without interpretation (smoltcp's `Packet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pdu<T: AsRef<[u8]>> {
    buffer: T,
    prefix: SmscPrefix,
}

impl<T: AsRef<[u8]>> Pdu<T> {
    /// Wrap bytes; fails if the SMSC prefix (when present) or the first TPDU octet is
    /// missing.
    pub fn new_checked(buffer: T, prefix: SmscPrefix) -> Result<Self, PduError> {
        let p = Pdu { buffer, prefix };
        let start = p.tpdu_offset();
        let len = p.buffer.as_ref().len();
        if start >= len {
            return Err(PduError::Truncated {
                field: if prefix == SmscPrefix::Present && len == 0 {
                    "SMSC length"
                } else {
                    "TPDU first octet"
                },
                offset: len,
                needed: start + 1 - len,
            });
        }
        Ok(p)
    }

    /// All bytes, SMSC prefix included if present.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Offset of the first TPDU octet.
    pub fn tpdu_offset(&self) -> usize {
        match self.prefix {
            SmscPrefix::Absent => 0,
            SmscPrefix::Present => 1 + self.buffer.as_ref().first().map_or(0, |&b| usize::from(b)),
        }
    }

    /// The SMSC prefix bytes (length octet included), empty when absent.
    pub fn smsc_bytes(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        b.get(..self.tpdu_offset().min(b.len())).unwrap_or_default()
    }

    /// The TPDU bytes.
    pub fn tpdu(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(self.tpdu_offset()..)
            .unwrap_or_default()
    }

    /// The first TPDU octet.
    pub fn first_octet(&self) -> u8 {
        self.tpdu().first().copied().unwrap_or(0)
    }

    /// TP-MTI, bits 1..0 of the first octet.
    pub fn mti(&self) -> u8 {
        self.first_octet() & 0b11
    }

    /// TP-UDHI, bit 6 of the first octet.
    pub fn udhi(&self) -> bool {
        self.first_octet() & 0x40 != 0
    }

    /// Decode into the validated value.
    pub fn parse(&self) -> Result<Sms, PduError> {
        Sms::decode(self.buffer.as_ref(), self.prefix)
    }
}

impl<'a> Pdu<&'a [u8]> {
    /// Decode PDU bytes into an [`Sms`] (shorthand for [`Sms::decode`]).
    pub fn decode(bytes: &'a [u8], prefix: SmscPrefix) -> Result<Sms, PduError> {
        Sms::decode(bytes, prefix)
    }

    /// Decode hex text (as printed by the modem) into an [`Sms`].
    pub fn decode_hex(hex: &str, prefix: SmscPrefix) -> Result<Sms, PduError> {
        let bytes = codec::hex::decode(hex)?;
        Sms::decode(&bytes, prefix)
    }
}

/// What kind of message, with the fields only that kind has.
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SmsKind {
    /// SMS-DELIVER: received; [`Sms::address`] is the sender.
    Deliver(Deliver),
    /// SMS-SUBMIT: sent or to be sent; [`Sms::address`] is the recipient.
    Submit(Submit),
    /// SMS-STATUS-REPORT; [`Sms::address`] is the recipient of the reported message.
    StatusReport(StatusReport),
}

fn ser_dcs<S: Serializer>(d: &SmsDcs, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("SmsDcs", 6)?;
    st.serialize_field("raw", &d.raw)?;
    st.serialize_field(
        "alphabet",
        match d.alphabet {
            Alphabet::Gsm7 => "gsm7",
            Alphabet::EightBit => "8bit",
            Alphabet::Ucs2 => "ucs2",
        },
    )?;
    st.serialize_field("class", &d.class)?;
    st.serialize_field("compressed", &d.compressed)?;
    st.serialize_field(
        "message_waiting",
        &d.message_waiting
            .map(|m| format!("{:?}", m.kind).to_lowercase()),
    )?;
    st.serialize_field("reserved", &d.reserved)?;
    st.end()
}

/// A decoded short message (the validated value; [`Sms::encode`] writes it back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sms {
    /// Kind-specific fields.
    pub kind: SmsKind,
    /// The SMSC address from the prefix, if there was one and it was not empty.
    pub smsc: Option<Address>,
    /// Sender (DELIVER) or recipient (SUBMIT, STATUS-REPORT).
    pub address: Address,
    /// Service-centre time stamp (DELIVER, STATUS-REPORT); `None` for SUBMIT or when the
    /// octets were not a valid time (a warning says so).
    pub timestamp: Option<Timestamp>,
    /// TP-PID (protocol identifier).
    pub pid: u8,
    /// TP-DCS interpreted (TS 23.038 §4).
    #[serde(serialize_with = "ser_dcs")]
    pub dcs: SmsDcs,
    /// The decoded text (empty for binary 8-bit data).
    pub text: String,
    /// User data after the header, as octets (the packed septets for GSM 7-bit).
    pub data: Vec<u8>,
    /// Replacement characters the text decoder inserted.
    pub replacements: usize,
    /// Everything that was guessed, skipped or repaired, with offsets.
    pub warnings: Vec<String>,
    /// Concatenation info from the UDH.
    pub concat: Option<Concat>,
    /// All UDH information elements, in order.
    pub udh: Vec<InformationElement>,
    /// The bytes decoded (SMSC prefix included if it was present).
    pub raw: Vec<u8>,
}

impl Sms {
    /// The sender of a received message.
    pub fn sender(&self) -> Option<&Address> {
        matches!(self.kind, SmsKind::Deliver(_)).then_some(&self.address)
    }

    /// The recipient of a sent message or of the message a status report is about.
    pub fn recipient(&self) -> Option<&Address> {
        (!matches!(self.kind, SmsKind::Deliver(_))).then_some(&self.address)
    }

    /// Decode PDU bytes.
    pub fn decode(bytes: &[u8], prefix: SmscPrefix) -> Result<Sms, PduError> {
        let mut warnings = Vec::new();
        let mut r = Reader::new(bytes, 0);
        let smsc = match prefix {
            SmscPrefix::Present => Address::read_smsc(&mut r, &mut warnings)?,
            SmscPrefix::Absent => None,
        };
        let first_at = r.offset();
        let first = r.u8("TPDU first octet")?;
        let mut body = match first & 0b11 {
            0b00 => deliver::read(&mut r, first, &mut warnings)?,
            0b01 => submit::read(&mut r, first, &mut warnings)?,
            0b10 => status_report::read(&mut r, first, &mut warnings)?,
            _ => {
                return Err(PduError::Unsupported {
                    what: format!("message type TP-MTI 3 (reserved) in first octet 0x{first:02X}"),
                    offset: first_at,
                })
            }
        };
        if r.remaining() > 0 {
            let at = r.offset();
            let rest = r.rest();
            if rest.iter().all(|&b| b == 0xFF) {
                warnings.push(format!(
                    "{} octet(s) of FF padding after the TPDU at byte offset {at} ignored",
                    rest.len()
                ));
            } else {
                warnings.push(format!(
                    "{} trailing octet(s) after the user data at byte offset {at} ignored",
                    rest.len()
                ));
            }
        }
        warnings.append(&mut body.ud.warnings);
        Ok(Sms {
            kind: body.kind,
            smsc,
            address: body.address,
            timestamp: body.timestamp,
            pid: body.pid,
            dcs: body.dcs,
            text: body.ud.text,
            data: body.ud.data,
            replacements: body.ud.replacements,
            warnings,
            concat: body.ud.concat,
            udh: body.ud.elements,
            raw: bytes.to_vec(),
        })
    }

    /// Encode back to bytes (with the SMSC prefix when `prefix` is
    /// [`Present`](SmscPrefix::Present); `smsc: None` is written as `00`).
    ///
    /// The text is re-encoded with the alphabet of [`Sms::dcs`]; 8-bit messages use
    /// [`Sms::data`]. A message decoded with replacements or length warnings does not
    /// re-encode to its input.
    pub fn encode(&self, prefix: SmscPrefix) -> Result<Vec<u8>, PduError> {
        let mut out = Vec::new();
        if prefix == SmscPrefix::Present {
            Address::write_smsc(self.smsc.as_ref(), &mut out)?;
        }
        match &self.kind {
            SmsKind::Deliver(d) => deliver::write(self, d, &mut out)?,
            SmsKind::Submit(s) => submit::write(self, s, &mut out)?,
            SmsKind::StatusReport(s) => status_report::write(self, s, &mut out)?,
        }
        Ok(out)
    }
}

/// Fields common to the kinds, as read by a kind's `read`.
pub(crate) struct Body {
    pub kind: SmsKind,
    pub address: Address,
    pub timestamp: Option<Timestamp>,
    pub pid: u8,
    pub dcs: SmsDcs,
    pub ud: UserData,
}

/// Decoded user data.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserData {
    pub text: String,
    pub data: Vec<u8>,
    pub replacements: usize,
    pub warnings: Vec<String>,
    pub concat: Option<Concat>,
    pub elements: Vec<InformationElement>,
}

/// Read a 7-octet time stamp; an invalid one is `None` plus a warning, not an error.
pub(crate) fn read_timestamp(
    r: &mut Reader<'_>,
    field: &'static str,
    warnings: &mut Vec<String>,
) -> Result<Option<Timestamp>, PduError> {
    let at = r.offset();
    let b = r.take(7, field)?;
    let arr: [u8; 7] = b.try_into().map_err(|_| PduError::Truncated {
        field,
        offset: at,
        needed: 7,
    })?;
    match Timestamp::decode(&arr) {
        Ok(t) => Ok(Some(t)),
        Err(e) => {
            warnings.push(format!("{field} at byte offset {at} ignored: {e}"));
            Ok(None)
        }
    }
}

/// Read TP-UDL and TP-UD (§9.2.3.16, §9.2.3.24) and decode the text.
pub(crate) fn read_user_data(
    r: &mut Reader<'_>,
    udhi: bool,
    dcs: &SmsDcs,
    dcs_at: usize,
) -> Result<UserData, PduError> {
    let mut ud = UserData::default();
    let udl_at = r.offset();
    let udl = usize::from(r.u8("TP-UDL")?);
    if dcs.compressed {
        return Err(PduError::Unsupported {
            what: format!(
                "compressed user data (TS 23.042) announced by TP-DCS 0x{:02X}",
                dcs.raw
            ),
            offset: dcs_at,
        });
    }
    if dcs.reserved {
        ud.warnings.push(format!(
            "TP-DCS 0x{:02X} at byte offset {dcs_at} is reserved; decoded as GSM 7-bit",
            dcs.raw
        ));
    }
    let gsm = dcs.alphabet == Alphabet::Gsm7;
    let needed = if gsm { (udl * 7).div_ceil(8) } else { udl };
    let ud_at = r.offset();
    let avail = r.remaining();
    let bytes = if avail < needed {
        ud.warnings.push(format!(
            "TP-UDL at byte offset {udl_at} announces {udl} {} ({needed} octets) but only \
             {avail} octet(s) follow at byte offset {ud_at}; decoded what is there",
            if gsm { "septets" } else { "octets" }
        ));
        r.rest()
    } else {
        r.take(needed, "TP-UD")?
    };
    let mut header_len = 0;
    if udhi {
        let h = udh::parse(bytes, ud_at)?;
        header_len = h.len;
        ud.concat = h.concat;
        ud.elements = h.elements;
        ud.warnings.extend(h.warnings);
    }
    let payload = bytes.get(header_len..).unwrap_or_default();
    ud.data = payload.to_vec();
    match dcs.alphabet {
        Alphabet::Gsm7 => {
            let fill = fill_bits(header_len);
            let header_septets = (header_len * 8 + usize::from(fill)) / 7;
            let wanted = udl.checked_sub(header_septets).ok_or(PduError::Invalid {
                field: "TP-UDL",
                offset: udl_at,
                reason: format!(
                    "{udl} septets cannot hold the {header_len}-octet user data header \
                     ({header_septets} septets)"
                ),
            })?;
            let available = gsm7::septets_in(payload.len(), fill);
            let septets = gsm7::unpack(payload, fill, Some(wanted.min(available)))?;
            let d = gsm7::decode(&septets);
            ud.text = d.text;
            ud.replacements = d.replacements;
            ud.warnings.extend(
                d.warnings
                    .into_iter()
                    .map(|w| format!("user data at byte offset {ud_at}: {w}")),
            );
        }
        Alphabet::Ucs2 => {
            let d = ucs2::decode(payload);
            ud.text = d.text;
            ud.replacements = d.replacements;
            ud.warnings.extend(
                d.warnings
                    .into_iter()
                    .map(|w| format!("user data at byte offset {ud_at}: {w}")),
            );
        }
        Alphabet::EightBit => {
            // 8-bit data is binary by definition; show it as text only when it plainly is.
            if payload
                .iter()
                .all(|&b| b == b'\r' || b == b'\n' || b == b'\t' || (0x20..0x7F).contains(&b))
            {
                ud.text = payload.iter().map(|&b| char::from(b)).collect();
            } else {
                ud.warnings.push(format!(
                    "8-bit binary user data ({} octets) at byte offset {ud_at}: no text, see data",
                    payload.len()
                ));
            }
        }
    }
    Ok(ud)
}

/// Fill bits so that GSM 7-bit text after a header of `header_len` octets (UDHL included)
/// starts on a septet boundary (TS 23.040 §9.2.3.24).
pub(crate) fn fill_bits(header_len: usize) -> u8 {
    ((7 - (header_len * 8) % 7) % 7) as u8
}

/// Write TP-UDL and TP-UD for a message.
pub(crate) fn write_user_data(sms: &Sms, udhi: bool, out: &mut Vec<u8>) -> Result<(), PduError> {
    let header = if udhi {
        udh::emit(&sms.udh)?
    } else {
        Vec::new()
    };
    let header = if udhi && header.is_empty() {
        vec![0]
    } else {
        header
    };
    let (udl, payload) = match sms.dcs.alphabet {
        Alphabet::Gsm7 => {
            let septets = gsm7::encode(&sms.text).map_err(|e| PduError::Encode {
                field: "TP-UD",
                reason: e.to_string(),
            })?;
            let fill = fill_bits(header.len());
            let header_septets = (header.len() * 8 + usize::from(fill)) / 7;
            (header_septets + septets.len(), gsm7::pack(&septets, fill))
        }
        Alphabet::Ucs2 => {
            let p = ucs2::encode(&sms.text);
            (header.len() + p.len(), p)
        }
        Alphabet::EightBit => (header.len() + sms.data.len(), sms.data.clone()),
    };
    let udl = u8::try_from(udl).map_err(|_| PduError::Encode {
        field: "TP-UDL",
        reason: format!("{udl} does not fit in one octet"),
    })?;
    out.push(udl);
    out.extend(header);
    out.extend(payload);
    Ok(())
}
