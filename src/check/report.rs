//! The typed result of a check: the documented `--json` document of `simquota balance` (and
//! `parse`), plus what the text rendering needs.

use serde::Serialize;

use crate::balance::{Date, Reading};
use crate::carrier::Method;
use crate::modem::Identity;
use crate::monitor::Forecast;
use crate::sms::concat::Location;
use crate::ussd::flow::UssdExchange;
use crate::ussd::{Charset, RequestStyle};

/// How the answer was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MethodUsed {
    /// A USSD code.
    Ussd,
    /// A query SMS and its reply.
    Sms,
    /// A notice already in the inbox.
    Inbox,
    /// Text given to `simquota parse`.
    Parse,
}

impl MethodUsed {
    /// `ussd`, `sms`, `inbox` or `parse`.
    pub fn as_str(self) -> &'static str {
        match self {
            MethodUsed::Ussd => "ussd",
            MethodUsed::Sms => "sms",
            MethodUsed::Inbox => "inbox",
            MethodUsed::Parse => "parse",
        }
    }
}

/// The carrier profile used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CarrierRef {
    /// Profile id (`simquota carriers`).
    pub id: String,
    /// The carrier's name.
    pub name: String,
    /// Which rule chose it (`explicit`, `imsi`, `operator name`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_by: Option<String>,
}

/// One check's result: `simquota balance --json` (schema_version [`crate::balance::SCHEMA_VERSION`]).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// How the answer was obtained.
    pub method: MethodUsed,
    /// The USSD code or SMS keyword sent (`inbox` for a notice, empty for `parse`).
    pub request: String,
    /// The carrier profile used, if one was chosen.
    pub carrier: Option<CarrierRef>,
    /// The decoded reply, as the carrier sent it.
    pub reply_text: String,
    /// True when the reply was understood.
    pub understood: bool,
    /// Remaining data in bytes (the main bucket).
    pub remaining_bytes: Option<u64>,
    /// Used data in bytes.
    pub used_bytes: Option<u64>,
    /// The allowance in bytes.
    pub total_bytes: Option<u64>,
    /// When the allowance or balance expires.
    pub expiry: Option<Date>,
    /// Everything the reply says.
    pub reading: Reading,
    /// The port or ModemManager object asked (absent for `parse`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// The modem and SIM (absent for `parse`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modem: Option<Identity>,
    /// The USSD conversation (USSD checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ussd: Option<UssdDetails>,
    /// The SMS exchange (SMS and inbox checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms: Option<SmsDetails>,
    /// Things the user should know (SMS checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<String>>,
    /// The forecast from `watch`'s history, when there is a history for this SIM
    /// (`null`: a history, but not enough to forecast).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Option<Forecast>>,
    /// The day the reply was understood on (relative dates count from it).
    #[serde(skip)]
    pub today: Date,
    /// The unit base used for sizes (1000 or 1024).
    #[serde(skip)]
    pub units_base: u64,
}

impl Report {
    /// The carrier profile id, if one was chosen.
    pub fn carrier_id(&self) -> Option<&str> {
        self.carrier.as_ref().map(|c| c.id.as_str())
    }
}

/// The USSD conversation of a check.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct UssdDetails {
    /// Every round, in order.
    pub exchanges: Vec<UssdExchange>,
    /// The request style the modem accepted (AT backend).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<RequestStyle>,
    /// The modem's TE character set during the conversation (AT backend).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<Charset>,
    /// True when a menu was left open and cancelled.
    pub cancelled_menu: bool,
    /// `modemmanager` when asked through ModemManager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
}

/// The SMS side of a check: what was sent and what came back.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct SmsDetails {
    /// Where the query went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The keyword sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// Who the reply came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_from: Option<String>,
    /// Parts of the reply.
    pub parts: usize,
    /// Parts missing from a concatenated reply (the wait ended first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_parts: Option<usize>,
    /// Where the reply's parts are stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indices: Option<Vec<Location>>,
    /// Separate reply messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<usize>,
    /// How the reply was noticed: `cmti`, `cmt` or `poll`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noticed_by: Option<String>,
    /// Message references of the sent query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_references: Option<Vec<u8>>,
    /// `pdu` or `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<crate::sms::flow::SmsMode>,
    /// Milliseconds from sending to the complete reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
    /// Whether the reply is deleted after the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_reply: Option<bool>,
    /// Time stamp of the notice (inbox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Senders whose notices were looked for (inbox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub senders: Option<Vec<String>>,
    /// `modemmanager` when asked through ModemManager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
}

/// The carrier has no way a modem can ask: `method` is `none`, with the other ways.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NoMethod {
    /// Version of this document's shape.
    pub schema_version: u32,
    /// Always `none`.
    pub method: &'static str,
    /// The carrier.
    pub carrier: CarrierRef,
    /// Always `null`: there is no reply.
    pub reply_text: Option<String>,
    /// Always `null`.
    pub remaining_bytes: Option<u64>,
    /// How else to find out (app, web, SMS, inbox notices).
    pub other_ways: Vec<Method>,
    /// The SIM's ICCID, when the modem told it (the key of its plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iccid: Option<String>,
    /// The plan estimate for this SIM (`simquota plan`), labelled as one: never the carrier's
    /// figure, which stays `remaining_bytes: null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Box<crate::plan::Estimate>>,
}

/// What a check ended with.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A reply (understood or not).
    Reading(Box<Report>),
    /// The carrier's profile has no way a modem can ask.
    NoMethod(Box<NoMethod>),
}
