//! UCS-2 / UTF-16BE (TS 23.038 §6.2.3; networks send UTF-16 in practice, so surrogate pairs
//! such as emoji are decoded as pairs).
//!
//! Invariant: [`decode`] never fails; an odd trailing byte or an unpaired surrogate becomes
//! U+FFFD, counted in [`Decoded::replacements`] and explained in a warning with its offset.

use super::Decoded;

/// Decode UTF-16BE bytes (no BOM handling: a leading FEFF is kept as U+FEFF).
pub fn decode(bytes: &[u8]) -> Decoded {
    let (text, _had_errors) = encoding_rs::UTF_16BE.decode_without_bom_handling(bytes);
    let mut warnings = Vec::new();
    let mut replacements = 0usize;
    // encoding_rs does not say where or how many; find them for the warnings.
    let units = units(bytes);
    let odd = bytes.len() % 2 == 1;
    let mut i = 0;
    while let Some(&u) = units.get(i) {
        match u {
            0xD800..=0xDBFF => {
                if matches!(units.get(i + 1), Some(0xDC00..=0xDFFF)) {
                    i += 2;
                    continue;
                }
                replacements += 1;
                if odd && i + 1 == units.len() {
                    // The odd byte could be the start of the low surrogate: the decoder
                    // replaces the truncated pair with a single U+FFFD.
                    warnings.push(format!(
                        "unpaired high surrogate 0x{u:04X} at byte offset {} followed by an odd \
                         trailing byte 0x{:02X} (truncated UTF-16)",
                        2 * i,
                        bytes.last().copied().unwrap_or(0)
                    ));
                    return Decoded {
                        text: text.into_owned(),
                        replacements,
                        warnings,
                    };
                }
                warnings.push(format!(
                    "unpaired high surrogate 0x{u:04X} at byte offset {}",
                    2 * i
                ));
            }
            0xDC00..=0xDFFF => {
                replacements += 1;
                warnings.push(format!(
                    "unpaired low surrogate 0x{u:04X} at byte offset {}",
                    2 * i
                ));
            }
            _ => {}
        }
        i += 1;
    }
    if odd {
        replacements += 1;
        warnings.push(format!(
            "odd trailing byte 0x{:02X} at byte offset {} (truncated UTF-16)",
            bytes.last().copied().unwrap_or(0),
            bytes.len() - 1
        ));
    }
    Decoded {
        text: text.into_owned(),
        replacements,
        warnings,
    }
}

/// Encode text as UTF-16BE bytes (characters outside the BMP as surrogate pairs).
pub fn encode(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// The UTF-16 code units of big-endian bytes; an odd trailing byte is ignored.
pub fn units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|p| {
            u16::from_be_bytes([
                p.first().copied().unwrap_or(0),
                p.get(1).copied().unwrap_or(0),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::hex;

    #[test]
    fn decode_table() {
        let rows: &[(&str, &str, usize, usize)] = &[
            // hex, text, replacements, warnings
            ("", "", 0, 0),
            ("04110430043B0430043D0441", "Баланс", 0, 0),
            ("0041D83DDE00", "A😀", 0, 0),
            ("00410042", "AB", 0, 0),
            ("004100", "A\u{FFFD}", 1, 1),
            ("D83D0041", "\u{FFFD}A", 1, 1),
            ("0041DE00", "A\u{FFFD}", 1, 1),
            ("D83D", "\u{FFFD}", 1, 1),
            // A genuine U+FFFD in the input is not a replacement made by us.
            ("FFFD", "\u{FFFD}", 0, 0),
            ("FEFF0041", "\u{FEFF}A", 0, 0),
        ];
        for (h, text, repl, warns) in rows {
            let d = decode(&hex::decode(h).unwrap());
            assert_eq!(d.text, *text, "{h}");
            assert_eq!(d.replacements, *repl, "{h}");
            assert_eq!(d.warnings.len(), *warns, "{h}: {:?}", d.warnings);
        }
    }

    /// Found by `cargo fuzz run ussd`: hex of packed GSM 7-bit read as UCS-2 (107 octets)
    /// ended in an unpaired high surrogate plus an odd byte; the decoder emits one U+FFFD for
    /// both, but two replacements were counted.
    #[test]
    fn regression_high_surrogate_then_odd_byte_is_one_replacement() {
        for h in [&[0xD8, 0x3D, 0x41][..], &[0x00, 0x41, 0xDB, 0x6F, 0x05]] {
            let d = decode(h);
            let fffd = d.text.chars().filter(|&c| c == '\u{FFFD}').count();
            assert_eq!(fffd, 1, "{h:02X?}: {:?}", d.text);
            assert_eq!(d.replacements, 1, "{h:02X?}");
            assert_eq!(d.warnings.len(), 1, "{h:02X?}: {:?}", d.warnings);
        }
    }

    #[test]
    fn encode_vectors() {
        assert_eq!(hex::encode(&encode("*100#")), "002A0031003000300023");
        assert_eq!(hex::encode(&encode("A😀")), "0041D83DDE00");
        assert_eq!(hex::encode(&encode("")), "");
    }

    /// A low surrogate cannot start a pair: it and the odd byte are two replacements.
    #[test]
    fn low_surrogate_then_odd_byte_is_two_replacements() {
        let d = decode(&[0xDC, 0x00, 0x41]);
        assert_eq!(d.text, "\u{FFFD}\u{FFFD}");
        assert_eq!(d.replacements, 2);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn prop_round_trip(s in ".*") {
            let d = decode(&encode(&s));
            proptest::prop_assert_eq!(d.text, s);
            proptest::prop_assert_eq!(d.replacements, 0);
        }
        #[test]
        fn prop_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let d = decode(&bytes);
            proptest::prop_assert_eq!(d.replacements, d.warnings.len());
        }
    }
}
