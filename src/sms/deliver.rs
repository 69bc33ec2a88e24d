//! SMS-DELIVER (TS 23.040 §9.2.2.1): first octet (TP-MTI 00, TP-MMS, TP-LP, TP-SRI,
//! TP-UDHI, TP-RP), TP-OA, TP-PID, TP-DCS, TP-SCTS, TP-UDL, TP-UD.
//!
//! Invariant: `write(read(x)) == x` for well-formed PDUs (the flags are all kept).

use serde::Serialize;

use super::address::Address;
use super::pdu::{self, Body, Sms};
use super::{PduError, Reader};
use crate::codec::SmsDcs;

/// Fields only SMS-DELIVER has (first-octet flags).
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Deliver {
    /// TP-MMS = 0: the service centre has more messages waiting.
    pub more_messages_to_send: bool,
    /// TP-LP: loop prevention.
    pub loop_prevention: bool,
    /// TP-SRI: the sender asked for a status report.
    pub status_report_indication: bool,
    /// TP-RP: a reply path exists.
    pub reply_path: bool,
}

pub(crate) fn read(
    r: &mut Reader<'_>,
    first: u8,
    warnings: &mut Vec<String>,
) -> Result<Body, PduError> {
    let d = Deliver {
        more_messages_to_send: first & 0x04 == 0,
        loop_prevention: first & 0x08 != 0,
        status_report_indication: first & 0x20 != 0,
        reply_path: first & 0x80 != 0,
    };
    let address = Address::read_tp(r, "TP-OA", warnings)?;
    let pid = r.u8("TP-PID")?;
    let dcs_at = r.offset();
    let dcs = SmsDcs::from_byte(r.u8("TP-DCS")?);
    let timestamp = pdu::read_timestamp(r, "TP-SCTS", warnings)?;
    let ud = pdu::read_user_data(r, first & 0x40 != 0, &dcs, dcs_at)?;
    Ok(Body {
        kind: super::SmsKind::Deliver(d),
        address,
        timestamp,
        pid,
        dcs,
        ud,
    })
}

pub(crate) fn write(sms: &Sms, d: &Deliver, out: &mut Vec<u8>) -> Result<(), PduError> {
    let udhi = !sms.udh.is_empty();
    let mut first = 0x00;
    if !d.more_messages_to_send {
        first |= 0x04;
    }
    if d.loop_prevention {
        first |= 0x08;
    }
    if d.status_report_indication {
        first |= 0x20;
    }
    if udhi {
        first |= 0x40;
    }
    if d.reply_path {
        first |= 0x80;
    }
    out.push(first);
    sms.address.write_tp(out, "TP-OA")?;
    out.push(sms.pid);
    out.push(sms.dcs.raw);
    out.extend(sms.timestamp.map(|t| t.encode()).unwrap_or_default());
    pdu::write_user_data(sms, udhi, out)
}
