//! Hex text ⇄ bytes, as modems print binary payloads (`AT+CSCS="HEX"`, UCS-2 and 8-bit
//! `+CUSD` strings, PDUs). Upper and lower case digits are accepted; whitespace around
//! the digits is tolerated, whitespace between them is not (it would hide truncation).

use super::CodecError;

/// Decode hex text into bytes.
///
/// Errors: [`CodecError::InvalidHexChar`] with the byte offset in `text` of the first
/// non-hex character, or [`CodecError::OddHexLength`].
pub fn decode(text: &str) -> Result<Vec<u8>, CodecError> {
    let start = text.len() - text.trim_start().len();
    let digits = text.trim();
    let mut out = Vec::with_capacity(digits.len() / 2);
    let mut high: Option<u8> = None;
    for (i, ch) in digits.char_indices() {
        let v = match ch.to_digit(16) {
            Some(v) => v as u8,
            None => {
                return Err(CodecError::InvalidHexChar {
                    ch,
                    offset: start + i,
                })
            }
        };
        match high.take() {
            None => high = Some(v),
            Some(h) => out.push((h << 4) | v),
        }
    }
    if high.is_some() {
        return Err(CodecError::OddHexLength {
            digits: digits.len(),
        });
    }
    Ok(out)
}

/// Encode bytes as upper-case hex without separators.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0F)]));
    }
    s
}

/// True if `text` (surrounding whitespace ignored) is a non-empty, even-length run of hex
/// digits, i.e. [`decode`] would succeed with at least one byte.
pub fn is_hex(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.len().is_multiple_of(2) && t.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        let rows: &[(&str, Result<Vec<u8>, CodecError>)] = &[
            ("", Ok(vec![])),
            ("00", Ok(vec![0])),
            ("AA180C3602", Ok(vec![0xAA, 0x18, 0x0C, 0x36, 0x02])),
            ("aa180c3602", Ok(vec![0xAA, 0x18, 0x0C, 0x36, 0x02])),
            ("  0a1B \r\n", Ok(vec![0x0A, 0x1B])),
            ("ABC", Err(CodecError::OddHexLength { digits: 3 })),
            (
                "12G4",
                Err(CodecError::InvalidHexChar { ch: 'G', offset: 2 }),
            ),
            (
                "  12 34",
                Err(CodecError::InvalidHexChar { ch: ' ', offset: 4 }),
            ),
            (
                "00é0",
                Err(CodecError::InvalidHexChar {
                    ch: 'é', offset: 2
                }),
            ),
        ];
        for (input, want) in rows {
            assert_eq!(&decode(input), want, "input {input:?}");
        }
    }

    #[test]
    fn encode_is_upper_case_and_round_trips() {
        assert_eq!(encode(&[0xAA, 0x18, 0x0c, 0x00, 0xff]), "AA180C00FF");
        assert_eq!(encode(&[]), "");
        assert_eq!(decode(&encode(&[1, 2, 254])), Ok(vec![1, 2, 254]));
    }

    #[test]
    fn is_hex_table() {
        for (s, want) in [
            ("", false),
            ("0", false),
            ("00", true),
            (" cafe ", true),
            ("CAFE1", false),
            ("xy", false),
            ("12 34", false),
        ] {
            assert_eq!(is_hex(s), want, "{s:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn prop_decode_never_panics(s in ".*") {
            let _ = decode(&s);
            let _ = is_hex(&s);
        }
        #[test]
        fn prop_round_trip(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            proptest::prop_assert_eq!(decode(&encode(&bytes)), Ok(bytes.clone()));
            proptest::prop_assert_eq!(decode(&encode(&bytes).to_lowercase()), Ok(bytes));
        }
    }
}
