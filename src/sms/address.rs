//! Addresses (TS 23.040 §9.1.2.5): TP-OA/TP-DA/TP-RA and the SMSC address (TS 24.011
//! §8.2.5.1), plus the number normalisation used to match a reply's sender.
//!
//! Invariants:
//! - TP address length counts useful semi-octets (digits); the SMSC length counts octets
//!   including the type-of-address octet. A decoded [`Address`] re-encodes to the same
//!   bytes when the input was well formed (digit count matches the F filler).
//! - Semi-octets `A`,`B`,`C`,`D`,`E` are `*`,`#`,`a`,`b`,`c` (§9.1.2.3); `F` is the filler of
//!   an odd count. An `F` inside the announced count ends the number with a warning.
//! - Type of number 5 (alphanumeric, §9.1.2.5) is GSM 7-bit packed; its septet count is
//!   `semi-octets × 4 / 7`.

use serde::Serialize;

use super::{PduError, Reader};
use crate::codec::gsm7;

/// Type of number, bits 6..4 of the type-of-address octet (TS 23.040 §9.1.2.5).
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeOfNumber {
    /// 000: unknown (often a national number or a short code).
    Unknown,
    /// 001: international, shown with a leading `+`.
    International,
    /// 010: national.
    National,
    /// 011: network specific (short codes).
    NetworkSpecific,
    /// 100: subscriber number.
    Subscriber,
    /// 101: alphanumeric, GSM 7-bit packed (e.g. "Megafon").
    Alphanumeric,
    /// 110: abbreviated number.
    Abbreviated,
    /// 111: reserved for extension.
    Reserved,
}

impl TypeOfNumber {
    /// The type of number encoded in a type-of-address octet.
    pub fn from_toa(toa: u8) -> Self {
        match (toa >> 4) & 0b111 {
            0 => TypeOfNumber::Unknown,
            1 => TypeOfNumber::International,
            2 => TypeOfNumber::National,
            3 => TypeOfNumber::NetworkSpecific,
            4 => TypeOfNumber::Subscriber,
            5 => TypeOfNumber::Alphanumeric,
            6 => TypeOfNumber::Abbreviated,
            _ => TypeOfNumber::Reserved,
        }
    }
}

/// A decoded address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Address {
    /// The type-of-address octet as received (e.g. 0x91, 0x81, 0xA1, 0xD0).
    pub toa: u8,
    /// Type of number (from `toa`).
    pub ton: TypeOfNumber,
    /// Digits (`0-9 * # a b c`) without a `+`, or the alphanumeric text.
    pub value: String,
}

impl Address {
    /// An address from its type-of-address octet and value.
    pub fn new(toa: u8, value: impl Into<String>) -> Self {
        Address {
            toa,
            ton: TypeOfNumber::from_toa(toa),
            value: value.into(),
        }
    }

    /// Numbering plan identification, bits 3..0 of the type-of-address octet.
    pub fn npi(&self) -> u8 {
        self.toa & 0x0F
    }

    /// True for type of number 5.
    pub fn is_alphanumeric(&self) -> bool {
        self.ton == TypeOfNumber::Alphanumeric
    }

    /// The address as people write it: `+` and digits when international.
    pub fn display(&self) -> String {
        if self.ton == TypeOfNumber::International && !self.value.is_empty() {
            format!("+{}", self.value)
        } else {
            self.value.clone()
        }
    }

    /// Parse a number as typed by a user: `+` then digits is international (0x91); digits
    /// (and `*`, `#`) alone are unknown type, ISDN plan (0x81). Spaces, `-`, `.`, `(`, `)`
    /// are ignored.
    pub fn parse_number(text: &str) -> Result<Address, String> {
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\t'))
            .collect();
        let (toa, digits) = match cleaned.strip_prefix('+') {
            Some(rest) => (0x91, rest),
            None => (0x81, cleaned.as_str()),
        };
        if digits.is_empty() {
            return Err(format!("no digits in number {text:?}"));
        }
        if let Some((i, c)) = digits
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '*' || *c == '#'))
        {
            return Err(format!(
                "character {c:?} at index {i} of number {text:?} is not a digit, '*' or '#'"
            ));
        }
        if digits.len() > 20 {
            return Err(format!(
                "number {text:?} has {} digits, at most 20 fit in an address",
                digits.len()
            ));
        }
        Ok(Address::new(toa, digits))
    }

    /// Read a TP address (length in semi-octets). Warnings are appended to `warnings`.
    pub(crate) fn read_tp(
        r: &mut Reader<'_>,
        field: &'static str,
        warnings: &mut Vec<String>,
    ) -> Result<Address, PduError> {
        let start = r.offset();
        let len = usize::from(r.u8(field)?);
        // TS 23.040 §9.1.2.5: the address value is at most 10 octets, 20 semi-octets — a longer
        // length is no address at all, and decoding on would read the rest of the PDU as digits.
        if len > 20 {
            return Err(PduError::Invalid {
                field,
                offset: start,
                reason: format!(
                    "address length {len} semi-octets: at most 20 are possible (TS 23.040 §9.1.2.5)"
                ),
            });
        }
        let toa = r.u8(field)?;
        let octets = len.div_ceil(2);
        let body = r.take(octets, field)?;
        let ton = TypeOfNumber::from_toa(toa);
        if ton == TypeOfNumber::Alphanumeric {
            let septets = len * 4 / 7;
            let unpacked = gsm7::unpack(body, 0, Some(septets)).map_err(|e| PduError::Invalid {
                field,
                offset: start,
                reason: e.to_string(),
            })?;
            let d = gsm7::decode(&unpacked);
            for w in d.warnings {
                warnings.push(format!("{field} at byte offset {start}: {w}"));
            }
            // Some senders pad the name with spaces or '@' (septet 0) to fill the octets.
            return Ok(Address::new(toa, d.text));
        }
        let value = read_digits(body, len, field, start, warnings);
        if ton == TypeOfNumber::International && value.contains(['*', '#', 'a', 'b', 'c']) {
            warnings.push(format!(
                "{field} at byte offset {start}: international number {value:?} contains \
                 non-digit semi-octets (malformed address?)"
            ));
        }
        Ok(Address::new(toa, value))
    }

    /// Read the SMSC prefix (length in octets, type included). `Ok(None)` for length 0.
    pub(crate) fn read_smsc(
        r: &mut Reader<'_>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Address>, PduError> {
        let field = "SMSC address";
        let start = r.offset();
        let len = usize::from(r.u8(field)?);
        if len == 0 {
            return Ok(None);
        }
        // TS 24.011 §8.2.5.1–2: type octet plus at most 10 octets of digits.
        if len > 11 {
            return Err(PduError::Invalid {
                field,
                offset: start,
                reason: format!(
                    "SMSC address length {len} octets: at most 11 are possible (TS 24.011 §8.2.5)"
                ),
            });
        }
        let toa = r.u8(field)?;
        let body = r.take(len - 1, field)?;
        let digits = 2 * body.len();
        let value = read_digits(body, digits, field, start, warnings);
        Ok(Some(Address::new(toa, value)))
    }

    /// Append the TP address encoding (length in semi-octets).
    pub(crate) fn write_tp(&self, out: &mut Vec<u8>, field: &'static str) -> Result<(), PduError> {
        if self.is_alphanumeric() {
            let septets = gsm7::encode(&self.value).map_err(|e| PduError::Encode {
                field,
                reason: e.to_string(),
            })?;
            let semi = (septets.len() * 7).div_ceil(4);
            let len = u8::try_from(semi).map_err(|_| PduError::Encode {
                field,
                reason: format!("alphanumeric address of {} septets too long", septets.len()),
            })?;
            out.push(len);
            out.push(self.toa);
            out.extend(gsm7::pack(&septets, 0));
            return Ok(());
        }
        let nibbles = digit_nibbles(&self.value, field)?;
        let len = u8::try_from(nibbles.len()).map_err(|_| PduError::Encode {
            field,
            reason: "too many digits".into(),
        })?;
        out.push(len);
        out.push(self.toa);
        out.extend(pack_nibbles(&nibbles));
        Ok(())
    }

    /// Append the SMSC prefix encoding (length in octets including the type octet).
    pub(crate) fn write_smsc(smsc: Option<&Address>, out: &mut Vec<u8>) -> Result<(), PduError> {
        let Some(a) = smsc else {
            out.push(0);
            return Ok(());
        };
        let nibbles = digit_nibbles(&a.value, "SMSC address")?;
        let body = pack_nibbles(&nibbles);
        let len = u8::try_from(body.len() + 1).map_err(|_| PduError::Encode {
            field: "SMSC address",
            reason: "too many digits".into(),
        })?;
        out.push(len);
        out.push(a.toa);
        out.extend(body);
        Ok(())
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

fn nibble_char(n: u8) -> Option<char> {
    match n {
        0..=9 => Some(char::from(b'0' + n)),
        0xA => Some('*'),
        0xB => Some('#'),
        0xC => Some('a'),
        0xD => Some('b'),
        0xE => Some('c'),
        _ => None,
    }
}

fn read_digits(
    body: &[u8],
    count: usize,
    field: &'static str,
    start: usize,
    warnings: &mut Vec<String>,
) -> String {
    let mut s = String::with_capacity(count);
    for i in 0..count {
        let Some(&b) = body.get(i / 2) else { break };
        let n = if i % 2 == 0 { b & 0x0F } else { b >> 4 };
        match nibble_char(n) {
            Some(c) => s.push(c),
            None => {
                // SMSC addresses are octet-counted, so a final F is the normal filler.
                if i + 1 != count {
                    warnings.push(format!(
                        "{field} at byte offset {start}: F filler at digit {} of {count}; \
                         number ends there",
                        i + 1
                    ));
                } else if field != "SMSC address" {
                    warnings.push(format!(
                        "{field} at byte offset {start}: length says {count} digits but the \
                         last one is the F filler"
                    ));
                }
                break;
            }
        }
    }
    s
}

fn digit_nibbles(value: &str, field: &'static str) -> Result<Vec<u8>, PduError> {
    value
        .chars()
        .map(|c| match c {
            '0'..='9' => Ok(c as u8 - b'0'),
            '*' => Ok(0xA),
            '#' => Ok(0xB),
            'a' | 'A' => Ok(0xC),
            'b' | 'B' => Ok(0xD),
            'c' | 'C' => Ok(0xE),
            _ => Err(PduError::Encode {
                field,
                reason: format!("{c:?} is not a semi-octet digit"),
            }),
        })
        .collect()
}

fn pack_nibbles(nibbles: &[u8]) -> Vec<u8> {
    nibbles
        .chunks(2)
        .map(|p| {
            let lo = p.first().copied().unwrap_or(0xF);
            let hi = p.get(1).copied().unwrap_or(0xF);
            (hi << 4) | lo
        })
        .collect()
}

/// A key for matching addresses written differently by the network and by people.
///
/// `country_code` is the calling code of the SIM's home network without `+` (e.g. `"81"`
/// for Japan, `"86"` for China). Rules:
/// - alphanumeric names (anything with a letter) compare case-insensitively, trimmed;
/// - separators (space, `-`, `.`, `(`, `)`) are ignored;
/// - `+CC…` and `00CC…` lose the country code; a national number loses one trunk `0`
///   (`+8190…` and `090…` both give `90…`);
/// - numbers in another country keep their `+` and code;
/// - short codes (no `+`, no trunk `0`) stay as they are, so they compare exactly
///   (`10086` ≠ `1008`); `+8610086` with hint 86 gives `10086`.
///
/// Doubtful: countries whose national numbers keep the leading 0 after the country code
/// (Italy, +39 06…) would need the trunk rule switched off.
pub fn normalize_number(number: &str, country_code: Option<&str>) -> String {
    let t = number.trim();
    if t.chars().any(|c| c.is_alphabetic()) {
        return t.to_lowercase();
    }
    let cleaned: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\t'))
        .collect();
    let international = if let Some(rest) = cleaned.strip_prefix('+') {
        Some(rest)
    } else {
        cleaned.strip_prefix("00")
    };
    let cc = country_code
        .map(|c| c.trim().trim_start_matches('+'))
        .filter(|c| !c.is_empty());
    match (international, cc) {
        (Some(rest), Some(cc)) => match rest.strip_prefix(cc) {
            Some(national) => national.to_string(),
            None => format!("+{rest}"),
        },
        (Some(rest), None) => format!("+{rest}"),
        (None, _) => match cleaned.strip_prefix('0') {
            Some(national) if !national.is_empty() => national.to_string(),
            _ => cleaned,
        },
    }
}

/// True if two addresses name the same sender under [`normalize_number`].
pub fn same_sender(a: &str, b: &str, country_code: Option<&str>) -> bool {
    normalize_number(a, country_code) == normalize_number(b, country_code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::hex;

    fn decode_tp(h: &str) -> (Result<Address, PduError>, Vec<String>, usize) {
        let b = hex::decode(h).unwrap();
        let mut r = Reader::new(&b, 0);
        let mut w = Vec::new();
        let a = Address::read_tp(&mut r, "TP-OA", &mut w);
        (a, w, r.offset())
    }

    #[test]
    fn tp_address_table_both_ways() {
        // hex, toa, value, display
        let rows: &[(&str, u8, &str, &str)] = &[
            ("0B917228214365F7", 0x91, "27821234567", "+27821234567"),
            ("0A8160469640 12", 0x81, "0664690421", "0664690421"),
            ("05A10180F6", 0xA1, "10086", "10086"),
            ("05A00110F0", 0xA0, "10010", "10010"),
            ("0DA0014698090115F0", 0xA0, "1064899010510", "1064899010510"),
            ("048501 20", 0x85, "1002", "1002"),
            ("07817218 81F8", 0x81, "2781188", "2781188"),
            ("0B800000000000F0", 0x80, "00000000000", "00000000000"),
            ("0DD0CDF2396C7EBB01", 0xD0, "Megafon", "Megafon"),
            (
                "14D04937BD2C7797E9D3E614",
                0xD0,
                "InternetSMS",
                "InternetSMS",
            ),
            // `*100#` as a destination: A and B semi-octets, odd count with filler.
            ("05811A00FB", 0x81, "*100#", "*100#"),
        ];
        for (h, toa, value, display) in rows {
            let clean: String = h.split_whitespace().collect();
            let (a, w, used) = decode_tp(&clean);
            let a = a.unwrap();
            assert_eq!(a.toa, *toa, "{h}");
            assert_eq!(a.value, *value, "{h}");
            assert_eq!(a.display(), *display, "{h}");
            assert!(w.is_empty(), "{h}: {w:?}");
            assert_eq!(used, clean.len() / 2, "{h}");
            let mut out = Vec::new();
            a.write_tp(&mut out, "TP-OA").unwrap();
            assert_eq!(hex::encode(&out), clean, "re-encode {h}");
        }
    }

    #[test]
    fn alphanumeric_names_round_trip() {
        for name in ["docomo", "Rakuten", "NTT DOCOMO", "Megafon", "A1"] {
            let a = Address::new(0xD0, name);
            let mut out = Vec::new();
            a.write_tp(&mut out, "TP-OA").unwrap();
            let (back, w, _) = decode_tp(&hex::encode(&out));
            assert_eq!(back.unwrap().value, name);
            assert!(w.is_empty());
        }
    }

    #[test]
    fn f_filler_inside_count_warns() {
        // "はい" vector: length 12 but the 12th semi-octet is F.
        let (a, w, _) = decode_tp("0C910661345542F6");
        assert_eq!(a.unwrap().display(), "+60164355246");
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn truncated_address_names_offset() {
        let (a, _, _) = decode_tp("0B9172");
        assert_eq!(
            a.unwrap_err(),
            PduError::Truncated {
                field: "TP-OA",
                offset: 2,
                needed: 5
            }
        );
        let (a, _, _) = decode_tp("");
        assert!(matches!(a, Err(PduError::Truncated { offset: 0, .. })));
    }

    #[test]
    fn parse_number_rules() {
        assert_eq!(
            Address::parse_number("+81 90-1234-5678").unwrap(),
            Address::new(0x91, "819012345678")
        );
        assert_eq!(Address::parse_number("10086").unwrap().toa, 0x81);
        assert_eq!(Address::parse_number("*100#").unwrap().value, "*100#");
        assert!(Address::parse_number("").is_err());
        assert!(Address::parse_number("+").is_err());
        let e = Address::parse_number("12a4").unwrap_err();
        assert!(e.contains("index 2"), "{e}");
        assert!(Address::parse_number("123456789012345678901").is_err());
    }

    #[test]
    fn normalisation_table() {
        let same: &[(&str, &str, Option<&str>)] = &[
            ("+819012345678", "09012345678", Some("81")),
            ("+81 90 1234 5678", "090-1234-5678", Some("81")),
            ("00819012345678", "09012345678", Some("81")),
            ("+8613800138000", "13800138000", Some("86")),
            ("+8610086", "10086", Some("86")),
            ("10086", "10086", None),
            ("Megafon", "MEGAFON", None),
            (" docomo ", "DoCoMo", Some("81")),
            ("+447700900123", "+44 7700 900123", Some("81")),
        ];
        for (a, b, cc) in same {
            assert!(same_sender(a, b, *cc), "{a} vs {b} ({cc:?})");
        }
        let different: &[(&str, &str, Option<&str>)] = &[
            ("10086", "1008", Some("86")),
            ("10086", "10010", Some("86")),
            ("+819012345678", "09012345679", Some("81")),
            ("+449012345678", "09012345678", Some("81")),
            ("Rakuten", "Rakuten2", None),
        ];
        for (a, b, cc) in different {
            assert!(!same_sender(a, b, *cc), "{a} vs {b} ({cc:?})");
        }
        assert_eq!(normalize_number("+819012345678", Some("81")), "9012345678");
    }
}
