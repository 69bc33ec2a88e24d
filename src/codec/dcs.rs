//! Data coding schemes (3GPP TS 23.038): the CBS/USSD DCS (§5) and the SMS TP-DCS (§4).
//!
//! Invariant: every byte maps to a value; nothing here fails. Reserved codings are reported
//! with `reserved: true` and the GSM 7-bit default alphabet, which §5 tells a receiver to
//! assume for them ("the same as codepoint 00001111") and §4 for reserved SMS groups.

/// Character set of the user data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alphabet {
    /// GSM 7-bit default alphabet (§6.2.1), packed on the air interface.
    Gsm7,
    /// 8-bit data (binary, or text in an unspecified 8-bit set).
    EightBit,
    /// UCS-2 (UTF-16BE in practice).
    Ucs2,
}

/// Which CBS/USSD coding group (§5, bits 7..4) a DCS belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CbsGroup {
    /// 0000, 0010, 0011: language given by the DCS value, GSM 7-bit.
    Language,
    /// 0001 0000 / 0001 0001: the message starts with a 2-character language preamble.
    LanguagePreamble,
    /// 01xx: general data coding (compression, class, alphabet bits).
    General,
    /// 1001: message with a user data header.
    Udh,
    /// 1110: defined by the WAP Forum; not interpretable here.
    Wap,
    /// 1111: data coding / message handling.
    DataCoding,
    /// Reserved coding group or value.
    Reserved,
}

/// What a CBS/USSD data coding scheme byte says about the payload (TS 23.038 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CbsDcs {
    /// The DCS byte.
    pub raw: u8,
    /// The coding group.
    pub group: CbsGroup,
    /// The alphabet (GSM 7-bit for reserved values, per §5).
    pub alphabet: Alphabet,
    /// Text compressed per TS 23.042.
    pub compressed: bool,
    /// Message class 0–3, if the DCS gives one.
    pub class: Option<u8>,
    /// ISO 639-1 language code given by the DCS value itself.
    pub language: Option<&'static str>,
    /// The message starts with a 2-character ISO 639 language preamble
    /// (GSM 7-bit: 2 characters + CR; UCS-2: 2 GSM 7-bit characters packed in 2 octets).
    pub language_preamble: bool,
    /// The value is reserved (or not defined by 3GPP); callers use GSM 7-bit and warn.
    pub reserved: bool,
}

/// Languages of coding group 0000 (§5), indexed by bits 3..0; 1111 is "unspecified".
const GROUP0_LANGUAGES: [Option<&str>; 16] = [
    Some("de"),
    Some("en"),
    Some("it"),
    Some("fr"),
    Some("es"),
    Some("nl"),
    Some("sv"),
    Some("da"),
    Some("pt"),
    Some("fi"),
    Some("no"),
    Some("el"),
    Some("tr"),
    Some("hu"),
    Some("pl"),
    None,
];

/// Languages of coding group 0010 (§5) defined so far; 0101–1111 are reserved.
const GROUP2_LANGUAGES: [&str; 5] = ["cs", "he", "ar", "ru", "is"];

fn alphabet_bits(bits: u8) -> Option<Alphabet> {
    match bits & 0b11 {
        0b00 => Some(Alphabet::Gsm7),
        0b01 => Some(Alphabet::EightBit),
        0b10 => Some(Alphabet::Ucs2),
        _ => None,
    }
}

impl CbsDcs {
    /// Interpret a CBS/USSD DCS byte.
    pub fn from_byte(raw: u8) -> Self {
        let low = raw & 0x0F;
        let mut d = CbsDcs {
            raw,
            group: CbsGroup::Reserved,
            alphabet: Alphabet::Gsm7,
            compressed: false,
            class: None,
            language: None,
            language_preamble: false,
            reserved: false,
        };
        match raw >> 4 {
            0x0 => {
                d.group = CbsGroup::Language;
                d.language = GROUP0_LANGUAGES.get(usize::from(low)).copied().flatten();
            }
            0x1 => match low {
                0x0 => {
                    d.group = CbsGroup::LanguagePreamble;
                    d.language_preamble = true;
                }
                0x1 => {
                    d.group = CbsGroup::LanguagePreamble;
                    d.language_preamble = true;
                    d.alphabet = Alphabet::Ucs2;
                }
                _ => d.reserved = true,
            },
            0x2 => {
                d.group = CbsGroup::Language;
                match GROUP2_LANGUAGES.get(usize::from(low)) {
                    Some(l) => d.language = Some(l),
                    // "Reserved for other languages using the GSM 7 bit default alphabet".
                    None => d.reserved = true,
                }
            }
            0x3 => {
                d.group = CbsGroup::Language;
                d.reserved = true;
            }
            0x4..=0x7 => {
                d.group = CbsGroup::General;
                d.compressed = raw & 0x20 != 0;
                if raw & 0x10 != 0 {
                    d.class = Some(raw & 0b11);
                }
                match alphabet_bits(raw >> 2) {
                    Some(a) => d.alphabet = a,
                    None => d.reserved = true,
                }
            }
            0x9 => {
                d.group = CbsGroup::Udh;
                d.class = Some(raw & 0b11);
                match alphabet_bits(raw >> 2) {
                    Some(a) => d.alphabet = a,
                    None => d.reserved = true,
                }
            }
            0xE => {
                // The WAP Forum's coding is not ours to read; fall back like a reserved value.
                d.group = CbsGroup::Wap;
                d.reserved = true;
            }
            0xF => {
                d.group = CbsGroup::DataCoding;
                // Bit 3 is reserved (0); a set bit 3 is not a value 3GPP defines.
                d.reserved = raw & 0x08 != 0;
                if raw & 0x04 != 0 && !d.reserved {
                    d.alphabet = Alphabet::EightBit;
                }
                // 00 = no message class; 01–11 = class 1–3 (§5, coding group 1111).
                let c = raw & 0b11;
                d.class = (c != 0).then_some(c);
            }
            _ => d.reserved = true, // 1000, 1010–1101
        }
        d
    }
}

/// Message waiting indication kinds (TS 23.038 §4, groups 1100–1110, bits 1..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitingKind {
    /// Voicemail message waiting.
    Voicemail,
    /// Fax message waiting.
    Fax,
    /// Electronic mail message waiting.
    Email,
    /// Other message waiting.
    Other,
}

/// A message waiting indication carried by the TP-DCS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageWaiting {
    /// True for group 1101/1110 (store the message), false for 1100 (discard it).
    pub store: bool,
    /// Indication sense: true = set the indication active, false = inactive.
    pub active: bool,
    /// What is waiting.
    pub kind: WaitingKind,
}

/// What an SMS TP-DCS byte says about the user data (TS 23.038 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SmsDcs {
    /// The DCS byte.
    pub raw: u8,
    /// The alphabet (GSM 7-bit for reserved values).
    pub alphabet: Alphabet,
    /// Text compressed per TS 23.042.
    pub compressed: bool,
    /// Message class 0–3, if the DCS gives one.
    pub class: Option<u8>,
    /// Group 01xx: the message is marked for automatic deletion after reading.
    pub auto_delete: bool,
    /// Groups 1100–1110: message waiting indication.
    pub message_waiting: Option<MessageWaiting>,
    /// SMS DCS never names a language (kept for symmetry with [`CbsDcs`]).
    pub language: Option<&'static str>,
    /// The value is reserved; callers use GSM 7-bit and warn.
    pub reserved: bool,
}

impl SmsDcs {
    /// Interpret an SMS TP-DCS byte.
    pub fn from_byte(raw: u8) -> Self {
        let mut d = SmsDcs {
            raw,
            alphabet: Alphabet::Gsm7,
            compressed: false,
            class: None,
            auto_delete: false,
            message_waiting: None,
            language: None,
            reserved: false,
        };
        match raw >> 4 {
            0x0..=0x7 => {
                d.auto_delete = raw & 0x40 != 0;
                d.compressed = raw & 0x20 != 0;
                if raw & 0x10 != 0 {
                    d.class = Some(raw & 0b11);
                }
                match alphabet_bits(raw >> 2) {
                    Some(a) => d.alphabet = a,
                    None => d.reserved = true,
                }
            }
            0xC..=0xE => {
                if raw >> 4 == 0xE {
                    d.alphabet = Alphabet::Ucs2;
                }
                d.message_waiting = Some(MessageWaiting {
                    store: raw >> 4 != 0xC,
                    active: raw & 0x08 != 0,
                    kind: match raw & 0b11 {
                        0 => WaitingKind::Voicemail,
                        1 => WaitingKind::Fax,
                        2 => WaitingKind::Email,
                        _ => WaitingKind::Other,
                    },
                });
                // Bit 2 is reserved (0).
                d.reserved = raw & 0x04 != 0;
            }
            0xF => {
                d.reserved = raw & 0x08 != 0;
                if raw & 0x04 != 0 && !d.reserved {
                    d.alphabet = Alphabet::EightBit;
                }
                d.class = Some(raw & 0b11);
            }
            _ => d.reserved = true, // 1000–1011
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Alphabet::*;

    #[test]
    fn cbs_table() {
        // raw, group, alphabet, compressed, class, language, preamble, reserved
        type Row = (
            u8,
            CbsGroup,
            Alphabet,
            bool,
            Option<u8>,
            Option<&'static str>,
            bool,
            bool,
        );
        let rows: &[Row] = &[
            (
                0x00,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                Some("de"),
                false,
                false,
            ),
            (
                0x01,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                Some("en"),
                false,
                false,
            ),
            (
                0x02,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                Some("it"),
                false,
                false,
            ),
            (
                0x07,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                Some("da"),
                false,
                false,
            ),
            (
                0x0E,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                Some("pl"),
                false,
                false,
            ),
            (
                0x0F,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                None,
                false,
                false,
            ),
            (
                0x10,
                CbsGroup::LanguagePreamble,
                Gsm7,
                false,
                None,
                None,
                true,
                false,
            ),
            (
                0x11,
                CbsGroup::LanguagePreamble,
                Ucs2,
                false,
                None,
                None,
                true,
                false,
            ),
            (
                0x12,
                CbsGroup::Reserved,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
            (
                0x1F,
                CbsGroup::Reserved,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
            (
                0x20,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                Some("cs"),
                false,
                false,
            ),
            (
                0x23,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                Some("ru"),
                false,
                false,
            ),
            (
                0x24,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                Some("is"),
                false,
                false,
            ),
            (
                0x25,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
            (
                0x3A,
                CbsGroup::Language,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
            (
                0x40,
                CbsGroup::General,
                Gsm7,
                false,
                None,
                None,
                false,
                false,
            ),
            (
                0x44,
                CbsGroup::General,
                EightBit,
                false,
                None,
                None,
                false,
                false,
            ),
            (
                0x48,
                CbsGroup::General,
                Ucs2,
                false,
                None,
                None,
                false,
                false,
            ),
            (
                0x4C,
                CbsGroup::General,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
            (
                0x51,
                CbsGroup::General,
                Gsm7,
                false,
                Some(1),
                None,
                false,
                false,
            ),
            (
                0x5A,
                CbsGroup::General,
                Ucs2,
                false,
                Some(2),
                None,
                false,
                false,
            ),
            (
                0x60,
                CbsGroup::General,
                Gsm7,
                true,
                None,
                None,
                false,
                false,
            ),
            (
                0x73,
                CbsGroup::General,
                Gsm7,
                true,
                Some(3),
                None,
                false,
                false,
            ),
            (
                0x80,
                CbsGroup::Reserved,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
            (
                0x90,
                CbsGroup::Udh,
                Gsm7,
                false,
                Some(0),
                None,
                false,
                false,
            ),
            (
                0x95,
                CbsGroup::Udh,
                EightBit,
                false,
                Some(1),
                None,
                false,
                false,
            ),
            (
                0x9A,
                CbsGroup::Udh,
                Ucs2,
                false,
                Some(2),
                None,
                false,
                false,
            ),
            (0x9C, CbsGroup::Udh, Gsm7, false, Some(0), None, false, true),
            (
                0xA0,
                CbsGroup::Reserved,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
            (
                0xD5,
                CbsGroup::Reserved,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
            (0xE4, CbsGroup::Wap, Gsm7, false, None, None, false, true),
            (
                0xF0,
                CbsGroup::DataCoding,
                Gsm7,
                false,
                None,
                None,
                false,
                false,
            ),
            (
                0xF1,
                CbsGroup::DataCoding,
                Gsm7,
                false,
                Some(1),
                None,
                false,
                false,
            ),
            (
                0xF4,
                CbsGroup::DataCoding,
                EightBit,
                false,
                None,
                None,
                false,
                false,
            ),
            (
                0xF7,
                CbsGroup::DataCoding,
                EightBit,
                false,
                Some(3),
                None,
                false,
                false,
            ),
            (
                0xF8,
                CbsGroup::DataCoding,
                Gsm7,
                false,
                None,
                None,
                false,
                true,
            ),
        ];
        for &(raw, group, alphabet, compressed, class, language, preamble, reserved) in rows {
            let d = CbsDcs::from_byte(raw);
            assert_eq!(
                (
                    d.group,
                    d.alphabet,
                    d.compressed,
                    d.class,
                    d.language,
                    d.language_preamble,
                    d.reserved
                ),
                (group, alphabet, compressed, class, language, preamble, reserved),
                "DCS 0x{raw:02X}"
            );
            assert_eq!(d.raw, raw);
        }
    }

    #[test]
    fn cbs_every_byte_is_a_value() {
        for b in 0..=255u8 {
            let d = CbsDcs::from_byte(b);
            if d.reserved {
                assert_eq!(
                    d.alphabet, Gsm7,
                    "reserved 0x{b:02X} must fall back to GSM 7-bit"
                );
            }
        }
    }

    #[test]
    fn sms_table() {
        // raw, alphabet, compressed, class, auto_delete, mwi, reserved
        type Row = (
            u8,
            Alphabet,
            bool,
            Option<u8>,
            bool,
            Option<MessageWaiting>,
            bool,
        );
        let mwi = |store, active, kind| {
            Some(MessageWaiting {
                store,
                active,
                kind,
            })
        };
        let rows: &[Row] = &[
            (0x00, Gsm7, false, None, false, None, false),
            (0x04, EightBit, false, None, false, None, false),
            (0x08, Ucs2, false, None, false, None, false),
            (0x0C, Gsm7, false, None, false, None, true),
            (0x10, Gsm7, false, Some(0), false, None, false),
            (0x11, Gsm7, false, Some(1), false, None, false),
            (0x18, Ucs2, false, Some(0), false, None, false),
            (0x16, EightBit, false, Some(2), false, None, false),
            (0x20, Gsm7, true, None, false, None, false),
            (0x40, Gsm7, false, None, true, None, false),
            (0x48, Ucs2, false, None, true, None, false),
            (0x7B, Ucs2, true, Some(3), true, None, false),
            (0x7F, Gsm7, true, Some(3), true, None, true),
            (0x80, Gsm7, false, None, false, None, true),
            (0xB4, Gsm7, false, None, false, None, true),
            (
                0xC0,
                Gsm7,
                false,
                None,
                false,
                mwi(false, false, WaitingKind::Voicemail),
                false,
            ),
            (
                0xC8,
                Gsm7,
                false,
                None,
                false,
                mwi(false, true, WaitingKind::Voicemail),
                false,
            ),
            (
                0xD9,
                Gsm7,
                false,
                None,
                false,
                mwi(true, true, WaitingKind::Fax),
                false,
            ),
            (
                0xDA,
                Gsm7,
                false,
                None,
                false,
                mwi(true, true, WaitingKind::Email),
                false,
            ),
            (
                0xE3,
                Ucs2,
                false,
                None,
                false,
                mwi(true, false, WaitingKind::Other),
                false,
            ),
            (
                0xE4,
                Ucs2,
                false,
                None,
                false,
                mwi(true, false, WaitingKind::Voicemail),
                true,
            ),
            (0xF0, Gsm7, false, Some(0), false, None, false),
            (0xF1, Gsm7, false, Some(1), false, None, false),
            (0xF6, EightBit, false, Some(2), false, None, false),
            (0xF8, Gsm7, false, Some(0), false, None, true),
            (0xFC, Gsm7, false, Some(0), false, None, true),
        ];
        for &(raw, alphabet, compressed, class, auto_delete, mw, reserved) in rows {
            let d = SmsDcs::from_byte(raw);
            assert_eq!(
                (
                    d.alphabet,
                    d.compressed,
                    d.class,
                    d.auto_delete,
                    d.message_waiting,
                    d.reserved
                ),
                (alphabet, compressed, class, auto_delete, mw, reserved),
                "TP-DCS 0x{raw:02X}"
            );
            assert_eq!(d.language, None);
        }
    }
}
