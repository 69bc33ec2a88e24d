//! User data header (TS 23.040 §9.2.3.24): UDHL, then information elements
//! `IEI, IEDL, data`. Concatenation with an 8-bit (IEI 0x00, §9.2.3.24.1) or 16-bit
//! reference (IEI 0x08, §9.2.3.24.8) is interpreted; every other element is kept as raw
//! bytes and skipped by its length.
//!
//! Invariants: an element whose length runs past the header is an error naming its offset;
//! a concatenation element with total 0, sequence 0 or sequence > total is ignored with a
//! warning (§9.2.3.24.1: "the receiving entity shall ignore the entire IE"); national
//! language shift tables (IEI 0x24/0x25) are reported as unsupported in a warning.

use serde::Serialize;

use super::PduError;

/// One information element, kept as received.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InformationElement {
    /// Information element identifier.
    pub id: u8,
    /// Its data (IEDL octets).
    pub data: Vec<u8>,
}

/// Concatenation information: which part of which long message this is.
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Concat {
    /// Concatenated message reference (8 or 16 bits).
    pub reference: u16,
    /// Total number of parts (1–255).
    pub total: u8,
    /// This part's sequence number (1-based).
    pub seq: u8,
    /// True if the reference was 16-bit (IEI 0x08).
    pub sixteen_bit: bool,
}

impl Concat {
    /// The information element carrying this concatenation info.
    pub fn to_element(&self) -> InformationElement {
        if self.sixteen_bit {
            let [hi, lo] = self.reference.to_be_bytes();
            InformationElement {
                id: 0x08,
                data: vec![hi, lo, self.total, self.seq],
            }
        } else {
            InformationElement {
                id: 0x00,
                data: vec![(self.reference & 0xFF) as u8, self.total, self.seq],
            }
        }
    }
}

/// What was found in a user data header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Header {
    pub elements: Vec<InformationElement>,
    pub concat: Option<Concat>,
    /// Octets used by the header including the UDHL octet.
    pub len: usize,
    pub warnings: Vec<String>,
}

/// Parse the header at the start of `ud`; `base` is the absolute offset of `ud[0]`.
pub(crate) fn parse(ud: &[u8], base: usize) -> Result<Header, PduError> {
    let udhl = usize::from(*ud.first().ok_or(PduError::Truncated {
        field: "TP-UDH length",
        offset: base,
        needed: 1,
    })?);
    let body = ud.get(1..1 + udhl).ok_or(PduError::Invalid {
        field: "TP-UDH",
        offset: base,
        reason: format!(
            "header length {udhl} runs past the {} octet(s) of user data after it",
            ud.len().saturating_sub(1)
        ),
    })?;
    let mut h = Header {
        len: 1 + udhl,
        ..Header::default()
    };
    let mut i = 0;
    while i < body.len() {
        let at = base + 1 + i;
        let id = body[i];
        let Some(&iedl) = body.get(i + 1) else {
            return Err(PduError::Invalid {
                field: "TP-UDH",
                offset: at,
                reason: format!("element 0x{id:02X} has no length octet"),
            });
        };
        let iedl = usize::from(iedl);
        let data = body.get(i + 2..i + 2 + iedl).ok_or(PduError::Invalid {
            field: "TP-UDH",
            offset: at,
            reason: format!(
                "element 0x{id:02X} length {iedl} runs past the end of the header \
                 ({} octet(s) left)",
                body.len() - i - 2
            ),
        })?;
        interpret(id, data, at, &mut h);
        h.elements.push(InformationElement {
            id,
            data: data.to_vec(),
        });
        i += 2 + iedl;
    }
    Ok(h)
}

fn interpret(id: u8, data: &[u8], at: usize, h: &mut Header) {
    let concat = match (id, data) {
        (0x00, &[r, total, seq]) => Some((u16::from(r), total, seq, false)),
        (0x08, &[hi, lo, total, seq]) => Some((u16::from_be_bytes([hi, lo]), total, seq, true)),
        (0x00 | 0x08, _) => {
            h.warnings.push(format!(
                "concatenation element 0x{id:02X} at byte offset {at} has length {}; ignored",
                data.len()
            ));
            None
        }
        (0x24, _) | (0x25, _) => {
            let kind = if id == 0x24 { "single" } else { "locking" };
            h.warnings.push(format!(
                "national language {kind} shift table {:?} (element 0x{id:02X} at byte offset \
                 {at}) is not supported: text decoded with the default alphabet",
                data.first()
            ));
            None
        }
        _ => None,
    };
    if let Some((reference, total, seq, sixteen_bit)) = concat {
        if total == 0 || seq == 0 || seq > total {
            h.warnings.push(format!(
                "concatenation element at byte offset {at} says part {seq} of {total}; ignored"
            ));
        } else if h.concat.is_some() {
            h.warnings.push(format!(
                "second concatenation element at byte offset {at} ignored"
            ));
        } else {
            h.concat = Some(Concat {
                reference,
                total,
                seq,
                sixteen_bit,
            });
        }
    }
}

/// Encode elements as a header including the UDHL octet; empty input gives no bytes.
pub(crate) fn emit(elements: &[InformationElement]) -> Result<Vec<u8>, PduError> {
    if elements.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = vec![0u8];
    for e in elements {
        let len = u8::try_from(e.data.len()).map_err(|_| PduError::Encode {
            field: "TP-UDH",
            reason: format!("element 0x{:02X} longer than 255 octets", e.id),
        })?;
        out.push(e.id);
        out.push(len);
        out.extend(&e.data);
    }
    let udhl = u8::try_from(out.len() - 1).map_err(|_| PduError::Encode {
        field: "TP-UDH",
        reason: "header longer than 255 octets".into(),
    })?;
    out[0] = udhl;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::hex;

    #[test]
    fn headers_both_ways() {
        // hex, concat (ref, total, seq, 16-bit), element count, warnings
        type Row = (&'static str, Option<(u16, u8, u8, bool)>, usize, usize);
        let rows: &[Row] = &[
            ("050003690301", Some((0x69, 3, 1, false)), 1, 0),
            ("0608040010 0201", Some((0x0010, 2, 1, true)), 1, 0),
            ("060804002B0202", Some((0x002B, 2, 2, true)), 1, 0),
            ("050003C30101", Some((0xC3, 1, 1, false)), 1, 0),
            // Application ports (16-bit) then concatenation.
            (
                "0B0504 0B8423F0 0003AA0201",
                Some((0xAA, 2, 1, false)),
                2,
                0,
            ),
            // Special SMS indication only.
            ("0401020100", None, 1, 0),
            // National language single shift (Turkish).
            ("03240101", None, 1, 1),
            // Bad concatenation values are ignored.
            ("050003010300", None, 1, 1),
            ("050003010203", None, 1, 1),
            ("050003010000", None, 1, 1),
            ("0400020102", None, 1, 1),
            // Empty header.
            ("00", None, 0, 0),
        ];
        for (h, concat, n, warns) in rows {
            let h: String = h.split_whitespace().collect();
            let b = hex::decode(&h).unwrap();
            let got = parse(&b, 0).unwrap();
            assert_eq!(
                got.concat
                    .map(|c| (c.reference, c.total, c.seq, c.sixteen_bit)),
                *concat,
                "{h}"
            );
            assert_eq!(got.elements.len(), *n, "{h}");
            assert_eq!(got.warnings.len(), *warns, "{h}: {:?}", got.warnings);
            assert_eq!(got.len, b.len(), "{h}");
            if *n > 0 {
                assert_eq!(hex::encode(&emit(&got.elements).unwrap()), h, "{h}");
            }
            if let Some(c) = got.concat {
                let e = c.to_element();
                assert!(got.elements.contains(&e), "{h}");
            }
        }
    }

    #[test]
    fn bad_headers_name_the_offset() {
        // IE length 4 but only 3 octets left in the header.
        let e = parse(&hex::decode("0500040102030405").unwrap(), 10).unwrap_err();
        assert!(matches!(e, PduError::Invalid { offset: 11, .. }), "{e:?}");
        // UDHL past the data.
        let e = parse(&hex::decode("0A000301").unwrap(), 3).unwrap_err();
        assert!(matches!(e, PduError::Invalid { offset: 3, .. }), "{e:?}");
        // IE without its length octet.
        let e = parse(&hex::decode("0100").unwrap(), 0).unwrap_err();
        assert!(matches!(e, PduError::Invalid { offset: 1, .. }), "{e:?}");
        assert!(matches!(
            parse(&[], 7),
            Err(PduError::Truncated { offset: 7, .. })
        ));
    }
}
