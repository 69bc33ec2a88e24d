//! The documented `--json` documents, as types. Every `--json` output of the CLI is one of
//! these (or [`crate::check::Report`] / [`crate::check::NoMethod`]), each with a
//! `schema_version`; their JSON Schemas are generated from the types ([`schemas`]) and
//! committed under `docs/schema/` (a test keeps them equal; `SIMQUOTA_WRITE_SCHEMAS=1 cargo
//! test --test it schema` rewrites them).
//!
//! Conventions: sizes are integer bytes, dates ISO 8601, byte buffers lowercase hex strings,
//! phone numbers E.164 (`+` and digits) when the network says they are international.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

use crate::balance::Date;
use crate::carrier::{Cost, Profile};
use crate::check::{ErrorKind, NoMethod, Report};
use crate::codec::Alphabet;
use crate::modem::Identity;
use crate::monitor::Forecast;
use crate::sms::address::{Address, TypeOfNumber};
use crate::sms::concat::Location;
use crate::sms::flow::{JoinedMessage, SmsMode, StoredPart};
use crate::sms::udh::Concat;
use crate::sms::{MessageStatus, Sms, SmsKind};
use crate::ussd::flow::UssdExchange;
use crate::ussd::{Charset, RequestStyle, UssdText};

/// `schema_version` of documents whose shape has not changed since they were first versioned.
pub const V1: u32 = 1;
/// `schema_version` of the SMS documents since numbers became E.164 and bytes hex (and
/// `sms list` names the counterpart `from` or `to` by direction).
pub const V2: u32 = 2;

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date", "description": "A calendar day, YYYY-MM-DD."})
    }
}

impl JsonSchema for crate::sms::Timestamp {
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date-time", "description": "RFC 3339 with the network's UTC offset."})
    }
}

impl JsonSchema for Cost {
    fn schema_name() -> Cow<'static, str> {
        "Cost".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Whether the query SMS costs money: true, false, or \"unknown\".",
            "anyOf": [{"type": "boolean"}, {"const": "unknown"}]
        })
    }
}

impl JsonSchema for Charset {
    fn schema_name() -> Cow<'static, str> {
        "Charset".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "description": "The modem's AT+CSCS character set (GSM, UCS2, IRA, HEX, …)."})
    }
}

/// Serializes a ratio rounded to two decimals (`0.81`, not `0.80999994`).
pub fn round2<S: serde::Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((f64::from(*v) * 100.0).round() / 100.0)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    crate::codec::hex::encode(bytes).to_ascii_lowercase()
}

/// `simquota balance --json`: a reading, or (`method` `none`) the ways the carrier offers
/// instead when a modem cannot ask.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub enum BalanceDoc {
    /// A reply, understood or not.
    Reading(Box<Report>),
    /// No way a modem can ask.
    NoMethod(Box<NoMethod>),
}

/// `simquota info --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InfoDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The port, or the ModemManager object path.
    pub port: String,
    /// `modemmanager` when asked through ModemManager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The modem and SIM.
    pub modem: Identity,
}

/// `simquota ussd CODE --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UssdDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The code sent.
    pub request: String,
    /// The port, or the ModemManager object path.
    pub port: String,
    /// `modemmanager` when asked through ModemManager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The last decoded reply.
    pub reply_text: Option<String>,
    /// Every round, in order.
    pub exchanges: Vec<UssdExchange>,
    /// The request style the modem accepted (AT backend).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<RequestStyle>,
    /// True when a menu was left open and cancelled.
    pub cancelled_menu: bool,
}

/// `simquota ussd --cancel --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UssdCancelDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// Always true (a failure is an error document).
    pub cancelled: bool,
    /// The modem's final result (`OK`), when it gave one.
    pub result: Option<String>,
}

/// `simquota carriers --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CarriersDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// Every profile, built in and from the user's carriers.toml.
    pub carriers: Vec<Profile>,
}

/// `simquota carriers show ID --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CarrierDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The profile.
    pub carrier: Profile,
}

/// `simquota decode ussd --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DecodeUssdDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The decoded text, how it was read, and what was guessed.
    #[serde(flatten)]
    pub decoded: UssdText,
    /// The language the text itself is in, as the reply reader recognises it (`ja`, `ru`,
    /// `zh-Hans`…); `null` when the words do not tell.
    pub detected_language: Option<String>,
}

/// An address (a phone number, a short code or an alphanumeric sender).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AddressDoc {
    /// The number as people write it: E.164 (`+819000000100`) when international, else the
    /// digits or the sender's name.
    pub number: String,
    /// The type-of-address octet as received (e.g. 145 = 0x91 international).
    pub toa: u8,
    /// Type of number.
    pub ton: TypeOfNumber,
    /// Digits without `+`, or the alphanumeric text.
    pub value: String,
}

impl From<&Address> for AddressDoc {
    fn from(a: &Address) -> Self {
        AddressDoc {
            number: a.display(),
            toa: a.toa,
            ton: a.ton,
            value: a.value.clone(),
        }
    }
}

/// The data coding scheme of an SMS.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DcsDoc {
    /// The DCS octet.
    pub raw: u8,
    /// `gsm7`, `8bit` or `ucs2`.
    pub alphabet: String,
    /// Message class 0–3, if given.
    pub class: Option<u8>,
    /// Compressed text (TS 23.042).
    pub compressed: bool,
    /// Message-waiting indication (`voicemail`, `fax`, `email`, `other`), if any.
    pub message_waiting: Option<String>,
    /// A reserved value (decoded as GSM 7-bit).
    pub reserved: bool,
}

/// A user-data-header information element.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ElementDoc {
    /// Information element identifier.
    pub id: u8,
    /// Its data, hex.
    pub data: String,
}

/// A decoded SMS PDU.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SmsDoc {
    /// The counterpart in E.164 form (the sender of a received message, the recipient of a
    /// sent one, the recipient of the message a status report is about).
    pub number: String,
    /// `received` (SMS-DELIVER), `sent` (SMS-SUBMIT) or `status_report`.
    pub direction: String,
    /// Kind-specific fields (`type`: `deliver`, `submit`, `status_report`).
    pub kind: SmsKind,
    /// The SMSC address from the prefix, if there was one.
    pub smsc: Option<AddressDoc>,
    /// Sender or recipient, in full.
    pub address: AddressDoc,
    /// Service-centre time stamp (RFC 3339 with the network's offset).
    pub timestamp: Option<String>,
    /// TP-PID.
    pub pid: u8,
    /// TP-DCS.
    pub dcs: DcsDoc,
    /// The decoded text.
    pub text: String,
    /// User data after the header, hex (the packed septets for GSM 7-bit).
    pub data: String,
    /// Replacement characters the decoder inserted.
    pub replacements: usize,
    /// What was guessed, skipped or repaired.
    pub warnings: Vec<String>,
    /// Concatenation info from the UDH.
    pub concat: Option<Concat>,
    /// Every UDH information element, in order.
    pub udh: Vec<ElementDoc>,
    /// The bytes decoded, hex (SMSC prefix included if present).
    pub raw: String,
}

impl From<&Sms> for SmsDoc {
    fn from(s: &Sms) -> Self {
        let direction = match s.kind {
            SmsKind::Deliver(_) => "received",
            SmsKind::Submit(_) => "sent",
            SmsKind::StatusReport(_) => "status_report",
        };
        SmsDoc {
            number: s.address.display(),
            direction: direction.into(),
            kind: s.kind.clone(),
            smsc: s.smsc.as_ref().map(AddressDoc::from),
            address: AddressDoc::from(&s.address),
            timestamp: s.timestamp.map(|t| t.to_rfc3339()),
            pid: s.pid,
            dcs: DcsDoc {
                raw: s.dcs.raw,
                alphabet: match s.dcs.alphabet {
                    Alphabet::Gsm7 => "gsm7",
                    Alphabet::EightBit => "8bit",
                    Alphabet::Ucs2 => "ucs2",
                }
                .into(),
                class: s.dcs.class,
                compressed: s.dcs.compressed,
                message_waiting: s
                    .dcs
                    .message_waiting
                    .map(|m| format!("{:?}", m.kind).to_lowercase()),
                reserved: s.dcs.reserved,
            },
            text: s.text.clone(),
            data: hex(&s.data),
            replacements: s.replacements,
            warnings: s.warnings.clone(),
            concat: s.concat,
            udh: s
                .udh
                .iter()
                .map(|e| ElementDoc {
                    id: e.id,
                    data: hex(&e.data),
                })
                .collect(),
            raw: hex(&s.raw),
        }
    }
}

/// `simquota decode pdu --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DecodePduDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The message.
    #[serde(flatten)]
    pub sms: SmsDoc,
}

/// `simquota sms send --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SmsSendDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// Always true (a failure is an error document).
    pub sent: bool,
    /// The message reference of each part.
    pub message_references: Vec<u8>,
}

/// True for the statuses of messages this modem sent (or is to send).
fn is_outgoing(s: Option<MessageStatus>) -> bool {
    matches!(
        s,
        Some(MessageStatus::StoredSent) | Some(MessageStatus::StoredUnsent)
    )
}

/// One stored message (its parts joined).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MessageDoc {
    /// The sender of a received message (E.164 when international).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The recipient of a sent or unsent message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The joined text (`[part k/n missing]` where a part is missing).
    pub text: String,
    /// Time stamp of the first part (RFC 3339), if known.
    pub timestamp: Option<String>,
    /// `received_unread`, `received_read`, `stored_unsent`, `stored_sent`.
    pub status: Option<MessageStatus>,
    /// Parts announced.
    pub parts: u8,
    /// Missing part numbers.
    pub missing: Vec<u8>,
    /// Where each part is stored.
    pub locations: Vec<Location>,
}

impl From<&JoinedMessage> for MessageDoc {
    fn from(m: &JoinedMessage) -> Self {
        let out = is_outgoing(m.status);
        MessageDoc {
            from: (!out).then(|| m.from.clone()),
            to: out.then(|| m.from.clone()),
            text: m.text.clone(),
            timestamp: m.timestamp.clone(),
            status: m.status,
            parts: m.parts,
            missing: m.missing.clone(),
            locations: m.locations.clone(),
        }
    }
}

/// `simquota sms list --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SmsListDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// Storages the modem offers.
    pub storages: Vec<String>,
    /// `pdu` or `text`.
    pub mode: SmsMode,
    /// The messages.
    pub messages: Vec<MessageDoc>,
    /// Things the user should know.
    pub notes: Vec<String>,
}

/// One stored part.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PartDoc {
    /// Where it is.
    pub location: Location,
    /// Status before this tool looked.
    pub status: Option<MessageStatus>,
    /// The sender of a received message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The recipient of a sent or unsent message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Time stamp (RFC 3339), if any.
    pub timestamp: Option<String>,
    /// This part's text.
    pub text: String,
}

impl From<&StoredPart> for PartDoc {
    fn from(p: &StoredPart) -> Self {
        let out = is_outgoing(p.status);
        PartDoc {
            location: p.location.clone(),
            status: p.status,
            from: (!out).then(|| p.address.clone()),
            to: out.then(|| p.address.clone()),
            timestamp: p.timestamp.map(|t| t.to_rfc3339()),
            text: p.text.clone(),
        }
    }
}

/// `simquota sms read --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SmsReadDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The stored part.
    pub message: PartDoc,
    /// The decoded PDU (PDU mode only).
    pub sms: Option<SmsDoc>,
}

/// `simquota sms delete --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SmsDeleteDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// `STORAGE:INDEX` of each message deleted.
    pub deleted: Vec<String>,
}

/// One recorded check.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryReading {
    /// When (UTC, ISO 8601).
    pub time: String,
    /// The SIM.
    pub iccid: String,
    /// Carrier profile id.
    pub carrier: Option<String>,
    /// `ussd`, `sms`, `inbox` or `none`.
    pub method: String,
    /// The USSD code or keyword.
    pub request: String,
    /// The reply was understood.
    pub success: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// Remaining bytes.
    pub remaining_bytes: Option<u64>,
    /// Used bytes.
    pub used_bytes: Option<u64>,
    /// Allowance bytes.
    pub total_bytes: Option<u64>,
    /// The balance as a decimal string.
    pub balance: Option<String>,
    /// ISO 4217 currency of the balance.
    pub currency: Option<String>,
    /// Expiry date.
    pub expiry: Option<Date>,
    /// The reply as decoded (from the carrier: untrusted).
    pub raw: Option<String>,
}

/// Data used on one day.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DailyUsage {
    /// The SIM.
    pub iccid: String,
    /// The day.
    pub date: Date,
    /// Bytes used that day.
    pub used_bytes: u64,
}

/// The forecast of one SIM.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryForecast {
    /// The SIM.
    pub iccid: String,
    /// The forecast, when the history allows one.
    pub forecast: Option<Forecast>,
    /// Why there is none yet.
    pub note: Option<String>,
    /// Bytes a day that last until the reset.
    pub daily_budget: Option<u64>,
}

/// `simquota history --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The recorded checks, oldest first.
    pub readings: Vec<HistoryReading>,
    /// Data used per day.
    pub daily_usage: Vec<DailyUsage>,
    /// One forecast per SIM.
    pub forecast: Vec<HistoryForecast>,
}

/// What went wrong.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// Stable name of the kind of failure.
    pub code: ErrorKind,
    /// What went wrong and what to try (the same words as on stderr).
    pub message: String,
    /// The process's exit code (as documented).
    pub exit_code: u8,
    /// Things the user should know even so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Any command's failure under `--json` (on stdout; the exit code is unchanged).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorDoc {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// The failure.
    pub error: ErrorBody,
}

fn schema<T: JsonSchema>() -> Schema {
    // The contract is what we write: a field skipped when empty is optional, every other
    // field is always there.
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Every document's JSON Schema, by the file name it has under `docs/schema/`.
pub fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("balance.json", schema::<BalanceDoc>()),
        ("parse.json", schema::<Report>()),
        ("info.json", schema::<InfoDoc>()),
        ("ussd.json", schema::<UssdDoc>()),
        ("ussd-cancel.json", schema::<UssdCancelDoc>()),
        ("carriers.json", schema::<CarriersDoc>()),
        ("carriers-show.json", schema::<CarrierDoc>()),
        ("decode-ussd.json", schema::<DecodeUssdDoc>()),
        ("decode-pdu.json", schema::<DecodePduDoc>()),
        ("sms-send.json", schema::<SmsSendDoc>()),
        ("sms-list.json", schema::<SmsListDoc>()),
        ("sms-read.json", schema::<SmsReadDoc>()),
        ("sms-delete.json", schema::<SmsDeleteDoc>()),
        ("history.json", schema::<HistoryDoc>()),
        ("error.json", schema::<ErrorDoc>()),
    ]
}

/// The text of a schema file: pretty JSON and a final newline.
pub fn schema_text(s: &Schema) -> String {
    let mut t = serde_json::to_string_pretty(s).unwrap_or_default();
    t.push('\n');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_print_with_two_decimals() {
        #[derive(Serialize)]
        struct R {
            #[serde(serialize_with = "round2")]
            c: f32,
        }
        let third = 0.9f32 * 0.9;
        assert_eq!(
            serde_json::to_string(&R { c: third }).unwrap(),
            r#"{"c":0.81}"#
        );
        assert_eq!(
            serde_json::to_string(&R { c: 0.95 }).unwrap(),
            r#"{"c":0.95}"#
        );
        assert_eq!(
            serde_json::to_string(&R { c: 0.0 }).unwrap(),
            r#"{"c":0.0}"#
        );
    }

    #[test]
    fn sent_messages_name_the_recipient_received_the_sender() {
        let m = |status| JoinedMessage {
            from: "+8613912345678".into(),
            text: "hi".into(),
            timestamp: None,
            status: Some(status),
            parts: 1,
            missing: vec![],
            locations: vec![],
        };
        let sent = MessageDoc::from(&m(MessageStatus::StoredSent));
        assert_eq!(
            (sent.from.as_deref(), sent.to.as_deref()),
            (None, Some("+8613912345678"))
        );
        let got = MessageDoc::from(&m(MessageStatus::ReceivedRead));
        assert_eq!(
            (got.from.as_deref(), got.to.as_deref()),
            (Some("+8613912345678"), None)
        );
    }
}
