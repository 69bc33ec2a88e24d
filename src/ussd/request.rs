//! The `<str>` and `<dcs>` of `AT+CUSD=1,<str>,<dcs>` (TS 27.007 §7.15).
//!
//! Requests are always GSM 7-bit, DCS 15 (0x0F: language unspecified): either the text as
//! is, which the modem converts from its TE character set (most modems), or pre-packed
//! GSM 7-bit hex with CR padding (TS 23.038 §6.1.2.3.1), which Huawei-family firmware such
//! as the E160 expects (corpus A2, A1.3). UCS-2 hex requests are never produced: networks
//! and modems reject them (`+CUSD: 4`, `+CME ERROR: 132/258`, corpus A1 #38, #41, #42).

use crate::codec::{gsm7, hex, CodecError};

/// Most septets a USSD string can carry (160 octets × 8 / 7, TS 23.038 §6.1.2.3).
pub const USSD_MAX_SEPTETS: usize = 182;

/// DCS used for every request: GSM 7-bit default alphabet, language unspecified.
const REQUEST_DCS: u8 = 0x0F;

/// How the modem wants the request string.
#[derive(
    schemars::JsonSchema,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RequestStyle {
    /// The code as typed; for `AT+CSCS="GSM"` or `"IRA"`.
    #[default]
    Plain,
    /// GSM 7-bit packed, as upper-case hex (Huawei family).
    PackedHex,
}

/// Produce `(<str>, <dcs>)` for `AT+CUSD=1,"<str>",<dcs>`; `<str>` goes between quotes.
///
/// Errors: [`CodecError::Empty`]; [`CodecError::UnsafeCharacter`] for `"` or a control
/// character (both would break the command line) and, in [`RequestStyle::Plain`], for a
/// GSM character whose code differs from ASCII (such as `@`, `$`, `_`, `{`), which would
/// depend on the modem's character set conversion; [`CodecError::NotInGsmAlphabet`];
/// [`CodecError::TooLong`].
pub fn encode_request(code: &str, style: RequestStyle) -> Result<(String, u8), CodecError> {
    if code.is_empty() {
        return Err(CodecError::Empty);
    }
    for (index, ch) in code.chars().enumerate() {
        if ch == '"' {
            return Err(CodecError::UnsafeCharacter {
                ch,
                index,
                reason: "a double quote would end the AT string",
            });
        }
        if ch.is_control() {
            return Err(CodecError::UnsafeCharacter {
                ch,
                index,
                reason: "control characters end or corrupt the AT command line",
            });
        }
    }
    let septets = gsm7::encode(code)?;
    if septets.len() > USSD_MAX_SEPTETS {
        return Err(CodecError::TooLong {
            len: septets.len(),
            max: USSD_MAX_SEPTETS,
        });
    }
    match style {
        RequestStyle::Plain => {
            for (index, ch) in code.chars().enumerate() {
                let same_as_ascii = ch.is_ascii()
                    && matches!(gsm7::char_septets(ch), Some((s, None)) if u32::from(s) == u32::from(ch));
                if !same_as_ascii {
                    return Err(CodecError::UnsafeCharacter {
                        ch,
                        index,
                        reason: "its GSM 7-bit code differs from ASCII; use the packed-hex style",
                    });
                }
            }
            Ok((code.to_string(), REQUEST_DCS))
        }
        RequestStyle::PackedHex => Ok((hex::encode(&gsm7::pack_ussd(&septets)), REQUEST_DCS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_vectors() {
        // Corpus A1.3 request-side strings (sms_tool #4, python-gsmmodem #26, gammu #294).
        let rows = [
            ("*100#", RequestStyle::Plain, "*100#"),
            ("*100#", RequestStyle::PackedHex, "AA180C3602"),
            ("*102#", RequestStyle::PackedHex, "AA184C3602"),
            ("*#123#", RequestStyle::PackedHex, "AA514C361B01"),
            // gammu #374: CR-padded, not the zero-filled `...8D00` Huawei sent.
            ("*456*4#", RequestStyle::PackedHex, "2A5ACDA6A28D1A"),
            ("HIV", RequestStyle::Plain, "HIV"),
            ("1", RequestStyle::Plain, "1"),
        ];
        for (code, style, want) in rows {
            assert_eq!(
                encode_request(code, style),
                Ok((want.to_string(), 15)),
                "{code} {style:?}"
            );
        }
    }

    #[test]
    fn request_errors() {
        assert_eq!(
            encode_request("", RequestStyle::Plain),
            Err(CodecError::Empty)
        );
        assert!(matches!(
            encode_request("*1\"0#", RequestStyle::PackedHex),
            Err(CodecError::UnsafeCharacter {
                ch: '"',
                index: 2,
                ..
            })
        ));
        assert!(matches!(
            encode_request("*100#\r", RequestStyle::Plain),
            Err(CodecError::UnsafeCharacter {
                ch: '\r',
                index: 5,
                ..
            })
        ));
        assert_eq!(
            encode_request("*100#日", RequestStyle::PackedHex),
            Err(CodecError::NotInGsmAlphabet {
                ch: '日', index: 5
            })
        );
        assert!(matches!(
            encode_request("a@b", RequestStyle::Plain),
            Err(CodecError::UnsafeCharacter {
                ch: '@',
                index: 1,
                ..
            })
        ));
        assert_eq!(
            encode_request("a@b", RequestStyle::PackedHex).map(|(_, d)| d),
            Ok(15)
        );
        let long = "1".repeat(183);
        assert_eq!(
            encode_request(&long, RequestStyle::Plain),
            Err(CodecError::TooLong { len: 183, max: 182 })
        );
        assert!(encode_request(&long[..182], RequestStyle::PackedHex).is_ok());
    }
}
