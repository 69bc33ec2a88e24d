//! Building SMS-DELIVER PDUs from text (TS 23.040 §9.2.2.1): what a network sends to a phone.
//!
//! Used by the emulator to put real carrier replies into its storage, and by tests and
//! benchmarks. The text is split exactly as [`encode_submit`] splits it (GSM 7-bit with
//! extension characters counted as two septets, else UCS-2 with surrogate pairs kept whole;
//! a concatenation header on every part when more than one is needed), then each part is
//! re-addressed as a DELIVER from `from` with the given service-centre time stamp.
//!
//! Invariant: every PDU built here decodes with [`Sms::decode`] to the part's text, the
//! sender and the time stamp given.

use super::address::Address;
use super::pdu::{Sms, SmsKind, SmscPrefix};
use super::submit::{encode_submit, ConcatRef, EncodeError, SubmitOptions};
use super::timestamp::Timestamp;
use super::Deliver;

/// The sender of a DELIVER: an alphanumeric name (anything with a letter, TOA 0xD0) or a
/// number (`+` international 0x91, otherwise 0x81).
pub fn sender_address(from: &str) -> Result<Address, EncodeError> {
    if from.chars().any(|c| c.is_alphabetic()) {
        if from.chars().count() > 11 {
            return Err(EncodeError::InvalidNumber {
                reason: format!("alphanumeric sender {from:?} is longer than 11 characters"),
            });
        }
        return Ok(Address::new(0xD0, from));
    }
    Address::parse_number(from).map_err(|reason| EncodeError::InvalidNumber { reason })
}

/// Encodes `text` from `from` as one or more SMS-DELIVER PDUs, each with the SMSC prefix
/// `smsc` (`None` writes the empty prefix `00`). Multi-part messages use a 16-bit reference
/// when `reference > 255`, else an 8-bit one.
pub fn encode_deliver(
    from: &str,
    text: &str,
    timestamp: Timestamp,
    reference: u16,
    smsc: Option<&str>,
) -> Result<Vec<Vec<u8>>, EncodeError> {
    let address = sender_address(from)?;
    let smsc = match smsc {
        Some(s) => {
            Some(Address::parse_number(s).map_err(|reason| EncodeError::InvalidNumber { reason })?)
        }
        None => None,
    };
    let concat_reference = match u8::try_from(reference) {
        Ok(r) => ConcatRef::EightBit(r),
        Err(_) => ConcatRef::SixteenBit(reference),
    };
    let opts = SubmitOptions {
        concat_reference,
        ..SubmitOptions::default()
    };
    // The SUBMIT encoder owns the splitting rules; its parts are re-addressed as DELIVERs.
    let parts = encode_submit("0", text, &opts)?;
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let mut sms = Sms::decode(&p.bytes, SmscPrefix::Present)?;
        sms.kind = SmsKind::Deliver(Deliver {
            more_messages_to_send: false,
            loop_prevention: false,
            status_report_indication: false,
            reply_path: false,
        });
        sms.address = address.clone();
        sms.timestamp = Some(timestamp);
        sms.smsc = smsc.clone();
        out.push(sms.encode(SmscPrefix::Present)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::Reassembler;

    fn ts() -> Timestamp {
        Timestamp {
            year: 2026,
            month: 3,
            day: 25,
            hour: 18,
            minute: 20,
            second: 5,
            tz_quarters: 32,
        }
    }

    #[test]
    fn deliver_round_trips_and_reassembles_cjk_gsm_and_names() {
        let cn = "尊敬的13423853304客户，截至25日18时20分，您当月常用流量已用0.00M，可用0，以上信息可能存在延时，具体以详单为准。如需查看更多详情您可登录 http://dx.10086.cn/qEeHBA ，方便更快捷。【中国移动】";
        let rows: Vec<(&str, String, u16, usize)> = vec![
            ("10086", cn.to_string(), 0x2B, 2),
            ("+819012345678", "データ残量は1.25GBです".into(), 7, 1),
            ("Megafon", "Balance {5} EUR [ok] ~ €".into(), 300, 1),
            ("1002", "x".repeat(400), 300, 3),
        ];
        for (from, text, reference, parts) in rows {
            let pdus =
                encode_deliver(from, &text, ts(), reference, Some("+8613800100500")).unwrap();
            assert_eq!(pdus.len(), parts, "{from}");
            let mut r = Reassembler::new(Some("86"));
            for p in pdus.iter().rev() {
                let sms = Sms::decode(p, SmscPrefix::Present).unwrap();
                assert!(matches!(sms.kind, SmsKind::Deliver(_)));
                assert_eq!(sms.address.display(), from);
                assert_eq!(sms.timestamp, Some(ts()));
                assert!(sms.warnings.is_empty(), "{:?}", sms.warnings);
                r.add(sms, None);
            }
            let msgs = r.finish();
            assert_eq!(msgs.len(), 1);
            assert_eq!(msgs[0].text, text);
        }
    }

    #[test]
    fn bad_senders_are_errors() {
        assert!(encode_deliver("", "x", ts(), 0, None).is_err());
        assert!(encode_deliver("ABCDEFGHIJKL", "x", ts(), 0, None).is_err());
        assert!(encode_deliver("1?3", "x", ts(), 0, None).is_err());
    }
}
