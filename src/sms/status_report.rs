//! SMS-STATUS-REPORT (TS 23.040 §9.2.2.3): first octet (TP-MTI 10, TP-MMS, TP-LP,
//! TP-SRQ, TP-UDHI), TP-MR, TP-RA, TP-SCTS, TP-DT, TP-ST, then optional TP-PI and the
//! fields it announces (TP-PID, TP-DCS, TP-UDL/TP-UD).
//!
//! Invariant: a TP-PI with reserved bits (6..3) set is taken as padding (modems pad stored
//! reports with `FF`, gammu `32.dump`) and ignored with a warning; fields announced by the
//! TP-PI but absent are reported, not fatal (§9.2.3.27 lets a receiver ignore them).

use serde::Serialize;

use super::address::Address;
use super::pdu::{self, Body, Sms, UserData};
use super::{PduError, Reader, SmsKind};
use crate::codec::SmsDcs;

/// Fields only SMS-STATUS-REPORT has.
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct StatusReport {
    /// TP-MR of the message this report is about.
    pub message_reference: u8,
    /// TP-MMS = 0: more messages waiting.
    pub more_messages_to_send: bool,
    /// TP-LP: loop prevention.
    pub loop_prevention: bool,
    /// TP-SRQ: this reports on an SMS-COMMAND (true) or an SMS-SUBMIT (false).
    pub status_report_qualifier: bool,
    /// TP-DT: discharge time (`None` if the octets were not a valid time).
    pub discharge_time: Option<super::Timestamp>,
    /// TP-ST: status (see [`StatusReport::status_text`]).
    pub status: u8,
    /// TP-PI, if present (and not padding).
    pub parameter_indicator: Option<u8>,
}

impl StatusReport {
    /// What TP-ST says (§9.2.3.15).
    pub fn status_text(&self) -> &'static str {
        match self.status {
            0x00 => "delivered",
            0x01 => "forwarded, delivery unconfirmed",
            0x02 => "replaced by the service centre",
            0x03..=0x1F => "delivered (reserved/SC-specific code)",
            0x20..=0x3F => "temporary error, service centre still trying",
            0x40..=0x5F => "permanent error, not delivered",
            _ => "temporary error, service centre gave up",
        }
    }

    /// True when TP-ST says the message reached the recipient.
    pub fn delivered(&self) -> bool {
        self.status < 0x20
    }
}

pub(crate) fn read(
    r: &mut Reader<'_>,
    first: u8,
    warnings: &mut Vec<String>,
) -> Result<Body, PduError> {
    let message_reference = r.u8("TP-MR")?;
    let address = Address::read_tp(r, "TP-RA", warnings)?;
    let timestamp = pdu::read_timestamp(r, "TP-SCTS", warnings)?;
    let discharge_time = pdu::read_timestamp(r, "TP-DT", warnings)?;
    let status = r.u8("TP-ST")?;
    let mut pid = 0;
    let mut dcs = SmsDcs::from_byte(0);
    let mut ud = UserData::default();
    let mut parameter_indicator = None;
    if let Some(pi) = r.peek() {
        let pi_at = r.offset();
        if pi & 0x78 != 0 {
            let rest = r.rest();
            warnings.push(format!(
                "TP-PI 0x{pi:02X} at byte offset {pi_at} has reserved bits set; the {} \
                 octet(s) from there are taken as padding",
                rest.len()
            ));
        } else {
            r.u8("TP-PI")?;
            parameter_indicator = Some(pi);
            if pi & 0x01 != 0 {
                match r.u8("TP-PID") {
                    Ok(p) => pid = p,
                    Err(_) => warnings.push(format!(
                        "TP-PI at byte offset {pi_at} announces TP-PID but the PDU ends"
                    )),
                }
            }
            let dcs_at = r.offset();
            if pi & 0x02 != 0 {
                match r.u8("TP-DCS") {
                    Ok(d) => dcs = SmsDcs::from_byte(d),
                    Err(_) => warnings.push(format!(
                        "TP-PI at byte offset {pi_at} announces TP-DCS but the PDU ends"
                    )),
                }
            }
            if pi & 0x04 != 0 {
                if r.remaining() == 0 {
                    warnings.push(format!(
                        "TP-PI at byte offset {pi_at} announces TP-UDL but the PDU ends"
                    ));
                } else {
                    ud = pdu::read_user_data(r, first & 0x40 != 0, &dcs, dcs_at)?;
                }
            }
        }
    }
    let s = StatusReport {
        message_reference,
        more_messages_to_send: first & 0x04 == 0,
        loop_prevention: first & 0x08 != 0,
        status_report_qualifier: first & 0x20 != 0,
        discharge_time,
        status,
        parameter_indicator,
    };
    Ok(Body {
        kind: SmsKind::StatusReport(s),
        address,
        timestamp,
        pid,
        dcs,
        ud,
    })
}

pub(crate) fn write(sms: &Sms, s: &StatusReport, out: &mut Vec<u8>) -> Result<(), PduError> {
    let pi = s.parameter_indicator.unwrap_or(0);
    let udhi = pi & 0x04 != 0 && !sms.udh.is_empty();
    let mut first = 0x02;
    if !s.more_messages_to_send {
        first |= 0x04;
    }
    if s.loop_prevention {
        first |= 0x08;
    }
    if s.status_report_qualifier {
        first |= 0x20;
    }
    if udhi {
        first |= 0x40;
    }
    out.push(first);
    out.push(s.message_reference);
    sms.address.write_tp(out, "TP-RA")?;
    out.extend(sms.timestamp.map(|t| t.encode()).unwrap_or_default());
    out.extend(s.discharge_time.map(|t| t.encode()).unwrap_or_default());
    out.push(s.status);
    if let Some(pi) = s.parameter_indicator {
        out.push(pi);
        if pi & 0x01 != 0 {
            out.push(sms.pid);
        }
        if pi & 0x02 != 0 {
            out.push(sms.dcs.raw);
        }
        if pi & 0x04 != 0 {
            pdu::write_user_data(sms, udhi, out)?;
        }
    }
    Ok(())
}
