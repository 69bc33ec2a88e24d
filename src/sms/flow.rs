//! The SMS conversation with a modem (TS 27.005): list, read, delete, send, and the
//! send-a-keyword-and-await-the-reply flow used by SMS-only carriers.
//!
//! Invariants:
//! - Nothing is lost. Messages are never moved; they are deleted only by an explicit
//!   [`SmsSession::delete`]. Listing prefers the SIMCom-style "no status change" form
//!   (`AT+CMGL=<stat>,1`); where the modem refuses it, read, sent and unsent messages are
//!   listed by status (which changes nothing), and unread ones are read only when the storage
//!   counts say some exist — those become "read" on the modem, and [`SmsSession::marked_read`]
//!   names them so the user can be told.
//! - Every setting changed (`+CMGF`, `+CSCS`, `+CSMP`, `+CNMI`, `+CPMS`) is put back by
//!   [`Modem::close`] through [`Modem::push_restore`], as it was before.
//! - Replies are stored, never routed: `AT+CNMI=2,1,0,0,0` (TS 27.005 §3.4.1, `<mt>`=1) makes
//!   the modem store each new message and announce it with `+CMTI`; a routed `+CMT` would be
//!   lost if it were not acknowledged. When no `+CMTI` comes (modems that do not announce),
//!   the storages are polled with `AT+CMGL`.
//! - No sleeping: the wait is driven by URCs with deadlines (the next poll, the settle time,
//!   the overall limit), so a `+CMTI` is acted on as soon as it arrives.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::concat::{Location, Reassembler};
use super::listing::{parse_cmgl, parse_cmgr, ListItem, ListingError, MessageStatus};
use super::pdu::{Pdu, Sms, SmscPrefix};
use super::submit::{encode_submit, ConcatRef, EncodeError, SubmitOptions};
use super::text_mode::{parse_text_listing, TextCharset, TextItem};
use super::timestamp::Timestamp;
use super::{normalize_number, same_sender};
use crate::at::{CmeError, CmsError, Command, FinalResult, Param, UrcKind};
use crate::codec::{gsm7, hex, ucs2};
use crate::modem::{Modem, ModemError};

/// PDU mode (`AT+CMGF=0`) or the text-mode fallback (`AT+CMGF=1`, `AT+CSCS="UCS2"`).
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsMode {
    /// PDU mode.
    Pdu,
    /// Text mode with UCS-2 hex strings.
    Text,
}

/// Why an SMS operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmsError {
    /// Talking to the modem failed.
    #[error(transparent)]
    Modem(#[from] ModemError),
    /// The storage new messages go to is full: the reply could not be stored.
    #[error("SMS storage {storage} is full ({used} of {total}): a reply could not be stored; delete messages you no longer need (simquota sms list / sms delete INDEX) and try again. Nothing was sent.")]
    StorageFull {
        /// Storage name.
        storage: String,
        /// Used slots.
        used: u32,
        /// Slots.
        total: u32,
    },
    /// The modem said the storage is full while sending (`+CMS ERROR: 322`).
    #[error("the modem reports its SMS memory is full ({0}): delete messages you no longer need (simquota sms list / sms delete INDEX)")]
    MemoryFull(FinalResult),
    /// No SMS centre number (`+CMS ERROR: 330`).
    #[error("the SMS centre (SMSC) number is unknown ({0}): set it with AT+CSCA=\"+number\" (your carrier publishes it) or check the SIM")]
    SmscUnknown(FinalResult),
    /// No network for SMS.
    #[error("no network to send the SMS ({0}): check the antenna, signal and registration (simquota info)")]
    NoNetwork(FinalResult),
    /// The modem or network refused the message.
    #[error("the modem refused to send the SMS: {0}")]
    SendRejected(FinalResult),
    /// The number or text cannot be sent.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The modem has no SMS support that works (neither PDU nor text mode).
    #[error("the modem does not accept SMS commands (AT+CMGF refused): {0}")]
    Unsupported(FinalResult),
    /// No reply arrived in time.
    #[error("no reply from {} within {}s (sent {:?} to {}){}: the carrier may be slow — try a longer --wait, or check the number and keyword", .from.join(" / "), .waited.as_secs(), .keyword, .number, other_text(*.other_new, .marked_read))]
    NoReply {
        /// Who the reply was expected from.
        from: Vec<String>,
        /// How long we waited.
        waited: Duration,
        /// Number the keyword went to.
        number: String,
        /// The keyword.
        keyword: String,
        /// New messages from other senders.
        other_new: usize,
        /// Messages this wait had to read (now marked read), with their senders.
        marked_read: Vec<MarkedRead>,
    },
    /// The index is empty.
    #[error("no message at {storage} index {index}")]
    NotFound {
        /// Storage.
        storage: String,
        /// Index.
        index: u32,
    },
}

fn other_text(other_new: usize, marked: &[MarkedRead]) -> String {
    let mut s = String::new();
    if other_new > 0 {
        s.push_str(&format!(
            "; {other_new} other new message(s) arrived and were left in storage"
        ));
    }
    if !marked.is_empty() {
        let list: Vec<String> = marked
            .iter()
            .map(|m| {
                format!(
                    "{}:{} from {}",
                    m.location.storage.as_deref().unwrap_or("?"),
                    m.location.index,
                    m.from
                )
            })
            .collect();
        s.push_str(&format!(
            " ({} had to be read to see who sent it and is now marked read: {})",
            if list.len() == 1 { "one" } else { "some" },
            list.join(", ")
        ));
    }
    s
}

impl SmsError {
    fn from_send(result: FinalResult) -> SmsError {
        use CmsError as S;
        match &result {
            FinalResult::CmsError(
                S::MemoryFull | S::SimSmsStorageFull | S::MemoryCapacityExceeded,
            )
            | FinalResult::CmeError(CmeError::MemoryFull) => SmsError::MemoryFull(result),
            FinalResult::CmsError(S::SmscAddressUnknown) => SmsError::SmscUnknown(result),
            FinalResult::CmsError(S::NoNetworkService | S::NetworkTimeout)
            | FinalResult::CmeError(CmeError::NoNetworkService) => SmsError::NoNetwork(result),
            _ => SmsError::SendRejected(result),
        }
    }
}

/// One stored message part, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPart {
    /// Where it is.
    pub location: Location,
    /// Status before this tool looked (as listed).
    pub status: Option<MessageStatus>,
    /// Sender (or recipient of a stored SUBMIT), as people write it.
    pub address: String,
    /// Time stamp, if any.
    pub timestamp: Option<Timestamp>,
    /// This part's text.
    pub text: String,
    /// The decoded PDU (PDU mode only).
    #[serde(skip)]
    pub sms: Option<Sms>,
}

/// A whole message: its parts joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinedMessage {
    /// Sender.
    pub from: String,
    /// Joined text (`[part k/n missing]` where a part is missing).
    pub text: String,
    /// Time stamp of the first part (RFC 3339), if known.
    pub timestamp: Option<String>,
    /// `unread` if any part was unread before this tool looked.
    pub status: Option<MessageStatus>,
    /// Number of parts announced.
    pub parts: u8,
    /// Missing part numbers.
    pub missing: Vec<u8>,
    /// Where each part is stored.
    pub locations: Vec<Location>,
}

/// Joins parts into whole messages (PDU parts by their concatenation header; text-mode parts
/// stay single), oldest location first.
pub fn join_parts(parts: &[StoredPart], country_code: Option<&str>) -> Vec<JoinedMessage> {
    let mut r = Reassembler::new(country_code);
    let mut singles = Vec::new();
    for p in parts {
        match &p.sms {
            Some(sms) => {
                r.add(sms.clone(), Some(p.location.clone()));
            }
            None => singles.push(JoinedMessage {
                from: p.address.clone(),
                text: p.text.clone(),
                timestamp: p.timestamp.map(|t| t.to_rfc3339()),
                status: p.status,
                parts: 1,
                missing: Vec::new(),
                locations: vec![p.location.clone()],
            }),
        }
    }
    let status_of = |locs: &[Location]| {
        let st: Vec<Option<MessageStatus>> = locs
            .iter()
            .filter_map(|l| parts.iter().find(|p| &p.location == l).map(|p| p.status))
            .collect();
        if st.contains(&Some(MessageStatus::ReceivedUnread)) {
            Some(MessageStatus::ReceivedUnread)
        } else {
            st.first().copied().flatten()
        }
    };
    let mut out: Vec<JoinedMessage> = r
        .finish()
        .into_iter()
        .map(|m| JoinedMessage {
            from: m.address.display(),
            status: status_of(&m.locations),
            text: m.text,
            timestamp: m.timestamp.map(|t| t.to_rfc3339()),
            parts: m.total,
            missing: m.missing,
            locations: m.locations,
        })
        .collect();
    out.extend(singles);
    let key = |m: &JoinedMessage| {
        m.locations
            .iter()
            .map(|l| (l.storage.clone(), l.index))
            .min()
    };
    out.sort_by_key(key);
    out
}

/// Who a reply may come from.
#[derive(Debug, Clone, Default)]
pub struct SenderMatcher {
    /// Numbers, short codes or alphanumeric names.
    pub senders: Vec<String>,
    /// Calling code of the SIM's country (`"86"`), for number normalisation.
    pub country_code: Option<String>,
}

impl SenderMatcher {
    /// True if `address` is one of the senders (numbers normalised: `+8610086` = `10086`,
    /// `+8190…` = `090…`; names case-insensitive). No senders: anyone.
    pub fn matches(&self, address: &str) -> bool {
        self.senders.is_empty()
            || self
                .senders
                .iter()
                .any(|s| same_sender(s, address, self.country_code.as_deref()))
    }
}

/// The calling code for a mobile country code (for number normalisation); `None` if unknown.
pub fn calling_code_for_mcc(mcc: &str) -> Option<&'static str> {
    Some(match mcc {
        "460" => "86",
        "440" | "441" => "81",
        "450" => "82",
        "466" => "886",
        "454" => "852",
        "455" => "853",
        "310" | "311" | "312" | "313" | "314" | "315" | "316" | "302" => "1",
        "234" | "235" => "44",
        "262" => "49",
        "208" => "33",
        "222" => "39",
        "214" => "34",
        "204" => "31",
        "232" => "43",
        "228" => "41",
        "250" => "7",
        "655" => "27",
        "505" => "61",
        "530" => "64",
        "404" | "405" => "91",
        "510" => "62",
        "520" => "66",
        "525" => "65",
        "502" => "60",
        "515" => "63",
        "452" => "84",
        _ => return None,
    })
}

/// How to wait for a reply.
#[derive(Debug, Clone)]
pub struct WaitOptions {
    /// The overall limit from the moment the keyword was sent.
    pub wait: Duration,
    /// After every part of every message so far has arrived, how long to wait for further
    /// messages anyway (`--settle`; default 0: the reply is complete, answer at once). Skipped
    /// once `expect_parts` parts are in.
    pub settle: Duration,
    /// Where completeness cannot be seen (text mode has no concatenation header), how long
    /// after the last part to wait for more, unless `expect_parts` parts are in.
    pub settle_unseen: Duration,
    /// Separate messages the carrier sends as its reply (the profile's `reply_messages`):
    /// wait (up to `settle_incomplete` after the last one) until that many have arrived.
    pub expect_messages: Option<usize>,
    /// While a concatenated message is missing parts, how long after the last part to wait
    /// for the rest before reporting it with gaps.
    pub settle_incomplete: Duration,
    /// How often to list the storages when no `+CMTI` arrives.
    pub poll_every: Duration,
    /// Parts the reply usually has (the carrier profile's `reply_parts_expected`).
    pub expect_parts: Option<usize>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            wait: Duration::from_secs(120),
            settle: Duration::ZERO,
            settle_unseen: Duration::from_millis(1500),
            settle_incomplete: Duration::from_secs(15),
            poll_every: Duration::from_secs(3),
            expect_parts: None,
            expect_messages: None,
        }
    }
}

/// The reply to a keyword.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    /// The sender as the network gave it.
    pub from: String,
    /// The text of every reply message, joined (separate messages with a line break).
    pub text: String,
    /// Parts received.
    pub parts: usize,
    /// Parts missing from concatenated messages (if the wait ended first).
    pub missing: usize,
    /// Where the parts are stored.
    pub indices: Vec<Location>,
    /// The reply messages, each joined.
    pub messages: Vec<JoinedMessage>,
    /// How the reply was noticed: `"cmti"`, `"cmt"` or `"poll"`.
    pub noticed_by: String,
}

/// What was in storage before the keyword was sent.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    seen: BTreeSet<(String, u32)>,
    /// The modem lists indices (`AT+CMGD=?`): poll by index and read only new messages.
    by_index: bool,
}

/// Parses the index list of a `+CMGD: (<index list>)[,(<delflag list>)]` test response
/// (TS 27.005 §3.5.4): single values, ranges (`5-7`) and both mixed, with or without spaces,
/// an empty `()`. A lone list is taken as the index list (the delflag list is optional), and
/// the caller checks it against the storage's count. `None` when it cannot be parsed.
fn parse_index_list(rest: &str) -> Option<BTreeSet<u32>> {
    let open = rest.find('(')?;
    let close = open + rest[open..].find(')')?;
    let mut out = BTreeSet::new();
    for item in rest[open + 1..close].split(',') {
        let item = item.trim().trim_matches('"');
        if item.is_empty() {
            continue;
        }
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || b - a > 10_000 {
                    return None;
                }
                out.extend(a..=b);
            }
            None => {
                out.insert(item.parse().ok()?);
            }
        }
    }
    Some(out)
}

/// How many concatenated SMS-SUBMIT parts `text` to `number` takes (TS 23.040 §9.2.3.24.1).
pub fn pdu_parts(number: &str, text: &str) -> Result<u32, EncodeError> {
    Ok(encode_submit(number, text, &SubmitOptions::default())?
        .len()
        .try_into()
        .unwrap_or(u32::MAX))
}

/// A message this tool had to read to learn its sender, which made the modem mark it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkedRead {
    /// Where it is.
    pub location: Location,
    /// Its sender.
    pub from: String,
}

/// An SMS session on an open modem: the mode, the storages, and what it changed.
#[derive(Debug)]
pub struct SmsSession {
    /// PDU or text mode.
    pub mode: SmsMode,
    /// Storages the modem offers (`AT+CPMS=?`), in the order listed.
    pub storages: Vec<String>,
    /// `+CPMS` `<mem1>`..`<mem3>` as they were.
    pub original_mem: Vec<String>,
    /// Whether `AT+CMGL=<stat>,1` (no status change) works: `None` until tried.
    pub no_status_change: Option<bool>,
    /// Messages that were unread and that this tool had to read (so they are now read).
    pub marked_read: Vec<MarkedRead>,
    /// Whether listing may read unread messages on a modem that cannot list without changing
    /// their status (they become read). Off by default: such messages are then left out and
    /// counted in [`SmsSession::unread_skipped`], so the user is told *before* anything changes.
    pub read_unread: bool,
    /// Unread messages left unread and unlisted (per storage), because listing them would have
    /// marked them read (see [`SmsSession::read_unread`]).
    pub unread_skipped: Vec<(String, usize)>,
    /// Things the user should know (e.g. messages marked read).
    pub notes: Vec<String>,
    mem1: Option<String>,
    country_code: Option<String>,
}

fn first_line_value<'a>(lines: &'a [String], prefix: &str) -> Option<&'a str> {
    lines
        .iter()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .map(str::trim)
}

/// Splits `("SM","ME"),("SM"),…` into its lists.
fn cpms_lists(s: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<String>> = None;
    let mut tok = String::new();
    for c in s.chars() {
        match c {
            '(' => {
                cur = Some(Vec::new());
                tok.clear();
            }
            ')' => {
                if let Some(mut v) = cur.take() {
                    let t = tok.trim().trim_matches('"').to_string();
                    if !t.is_empty() {
                        v.push(t);
                    }
                    out.push(v);
                }
                tok.clear();
            }
            ',' if cur.is_some() => {
                let t = tok.trim().trim_matches('"').to_string();
                if let Some(v) = cur.as_mut() {
                    if !t.is_empty() {
                        v.push(t);
                    }
                }
                tok.clear();
            }
            _ => tok.push(c),
        }
    }
    out
}

/// `+CPMS: "SM",3,30,"SM",3,30,"SM",3,30` → [("SM",3,30), …].
fn cpms_usage(s: &str) -> Vec<(String, u32, u32)> {
    let f: Vec<&str> = s.split(',').map(str::trim).collect();
    f.chunks(3)
        .filter_map(|c| match c {
            [m, u, t] => Some((
                m.trim_matches('"').to_string(),
                u.parse().ok()?,
                t.parse().ok()?,
            )),
            _ => None,
        })
        .collect()
}

impl SmsSession {
    /// Prepares the modem for SMS: PDU mode if it works, else text mode with UCS-2 strings;
    /// finds the storages. Every change is restored when the modem is closed.
    pub async fn open(modem: &mut Modem, country_code: Option<&str>) -> Result<Self, SmsError> {
        let old_cmgf = modem
            .ok("AT+CMGF?")
            .await
            .ok()
            .and_then(|l| first_line_value(&l, "+CMGF:").map(str::to_string));
        let mode = match modem.command(Command::new("AT+CMGF=0")).await? {
            r if r.is_ok() => SmsMode::Pdu,
            first => match modem.command(Command::new("AT+CMGF=1")).await? {
                r if r.is_ok() => SmsMode::Text,
                _ => return Err(SmsError::Unsupported(first.result)),
            },
        };
        let new_cmgf = if mode == SmsMode::Pdu { "0" } else { "1" };
        if let Some(old) = old_cmgf.filter(|o| o != new_cmgf) {
            modem.push_restore(format!("AT+CMGF={old}"));
        }
        if mode == SmsMode::Text {
            let old = modem.ok("AT+CSCS?").await.ok().and_then(|l| {
                first_line_value(&l, "+CSCS:").map(|v| v.trim_matches('"').to_string())
            });
            if old.as_deref() != Some("UCS2") && modem.ok("AT+CSCS=\"UCS2\"").await.is_ok() {
                if let Some(old) = old {
                    modem.push_restore(format!("AT+CSCS=\"{old}\""));
                }
            }
        }
        let mut storages = Vec::new();
        if let Ok(lines) = modem.ok("AT+CPMS=?").await {
            if let Some(v) = first_line_value(&lines, "+CPMS:") {
                if let Some(first) = cpms_lists(v).into_iter().next() {
                    storages = first;
                }
            }
        }
        let original_mem: Vec<String> = match modem.ok("AT+CPMS?").await {
            Ok(lines) => first_line_value(&lines, "+CPMS:")
                .map(cpms_usage)
                .unwrap_or_default()
                .into_iter()
                .map(|(m, _, _)| m)
                .collect(),
            Err(_) => Vec::new(),
        };
        if storages.is_empty() {
            storages = original_mem.first().cloned().into_iter().collect();
        }
        // "MT" is SM and ME seen as one; listing it too would show every message twice.
        if storages.iter().any(|s| s == "SM") && storages.iter().any(|s| s == "ME") {
            storages.retain(|s| s != "MT");
        }
        storages.retain(|s| s == "SM" || s == "ME" || s == "MT");
        if !original_mem.is_empty() {
            let quoted: Vec<String> = original_mem.iter().map(|m| format!("\"{m}\"")).collect();
            modem.push_restore(format!("AT+CPMS={}", quoted.join(",")));
        }
        Ok(SmsSession {
            mode,
            storages,
            mem1: original_mem.first().cloned(),
            original_mem,
            no_status_change: None,
            marked_read: Vec::new(),
            read_unread: false,
            unread_skipped: Vec::new(),
            notes: Vec::new(),
            country_code: country_code.map(str::to_string),
        })
    }

    async fn select(&mut self, modem: &mut Modem, storage: &str) -> Result<(), SmsError> {
        if self.mem1.as_deref() == Some(storage) {
            return Ok(());
        }
        modem.ok(&format!("AT+CPMS=\"{storage}\"")).await?;
        self.mem1 = Some(storage.to_string());
        Ok(())
    }

    fn stat_arg(&self, stat: Option<u8>) -> String {
        match (self.mode, stat) {
            (SmsMode::Pdu, None) => "4".into(),
            (SmsMode::Pdu, Some(n)) => n.to_string(),
            (SmsMode::Text, None) => "\"ALL\"".into(),
            (SmsMode::Text, Some(n)) => format!(
                "\"{}\"",
                ["REC UNREAD", "REC READ", "STO UNSENT", "STO SENT"]
                    .get(usize::from(n))
                    .copied()
                    .unwrap_or("ALL")
            ),
        }
    }

    /// Notes a stored message that could not be decoded: reported with where it is, why, and
    /// its raw lines — never dropped silently.
    fn note_undecodable(&mut self, storage: &str, lines: &[&str], e: &ListingError) {
        let at = match e.index {
            Some(i) => format!("[{storage}:{i}]"),
            None => format!("[{storage}]"),
        };
        let raw: Vec<&str> = lines
            .iter()
            .skip(e.line)
            .take(2)
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && *l != "OK")
            .collect();
        let mut raw = raw.join(" / ");
        if raw.len() > 600 {
            let cut = (0..=600)
                .rev()
                .find(|&i| raw.is_char_boundary(i))
                .unwrap_or(0);
            raw.truncate(cut);
            raw.push('…');
        }
        self.notes.push(format!(
            "{at} a stored message could not be decoded ({}); left as it is. Raw: {raw}",
            e.reason
        ));
    }

    fn parse(
        &mut self,
        lines: &[String],
        storage: &str,
        cmgr_index: Option<u32>,
    ) -> Vec<StoredPart> {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        match self.mode {
            SmsMode::Pdu => {
                let items = match cmgr_index {
                    None => parse_cmgl(&refs, Some(storage)),
                    Some(i) => parse_cmgr(&refs, Some(i), Some(storage)),
                };
                for it in items {
                    if let ListItem::Error(e) = &it {
                        self.note_undecodable(storage, &refs, e);
                    }
                    if let ListItem::Entry(e) = it {
                        let Some(index) = e.index else { continue };
                        out.push(StoredPart {
                            location: Location {
                                storage: Some(storage.to_string()),
                                index,
                            },
                            status: e.stat,
                            address: e.sms.address.display(),
                            timestamp: e.sms.timestamp,
                            text: e.sms.text.clone(),
                            sms: Some(e.sms),
                        });
                    }
                }
            }
            SmsMode::Text => {
                for it in parse_text_listing(&refs, TextCharset::Ucs2, cmgr_index, Some(storage)) {
                    if let TextItem::Error(e) = &it {
                        self.note_undecodable(storage, &refs, e);
                    }
                    if let TextItem::Entry(e) = it {
                        let Some(index) = e.index else { continue };
                        out.push(StoredPart {
                            location: Location {
                                storage: Some(storage.to_string()),
                                index,
                            },
                            status: e.stat,
                            address: e.address.unwrap_or_default(),
                            timestamp: e.timestamp,
                            text: e.text,
                            sms: None,
                        });
                    }
                }
            }
        }
        out
    }

    /// Lists one storage without changing any message's status where the modem allows it.
    pub async fn list_storage(
        &mut self,
        modem: &mut Modem,
        storage: &str,
    ) -> Result<Vec<StoredPart>, SmsError> {
        self.select(modem, storage).await?;
        if self.no_status_change != Some(false) {
            let cmd = format!("AT+CMGL={},1", self.stat_arg(None));
            let r = modem
                .command(Command::new(cmd).with_timeout(Duration::from_secs(30)))
                .await?;
            if r.is_ok() {
                self.no_status_change = Some(true);
                return Ok(self.parse(&r.lines, storage, None));
            }
            self.no_status_change = Some(false);
        }
        // Listing by status changes nothing for read, unsent and sent messages.
        let mut parts = Vec::new();
        for stat in [1u8, 2, 3] {
            let cmd = format!("AT+CMGL={}", self.stat_arg(Some(stat)));
            let r = modem
                .command(Command::new(cmd).with_timeout(Duration::from_secs(30)))
                .await?;
            if r.is_ok() {
                parts.extend(self.parse(&r.lines, storage, None));
            }
        }
        // Only if the storage holds more than that are there unread messages to read.
        let used = match modem.ok("AT+CPMS?").await {
            Ok(l) => first_line_value(&l, "+CPMS:")
                .map(cpms_usage)
                .and_then(|u| u.first().map(|(_, used, _)| *used as usize)),
            Err(_) => None,
        };
        if used.is_some_and(|u| u > parts.len()) && !self.read_unread {
            let n = used.unwrap_or(0) - parts.len();
            self.unread_skipped.push((storage.to_string(), n));
        } else if used.is_none_or(|u| u > parts.len()) {
            let cmd = format!("AT+CMGL={}", self.stat_arg(Some(0)));
            let r = modem
                .command(Command::new(cmd).with_timeout(Duration::from_secs(30)))
                .await?;
            if r.is_ok() {
                let unread = self.parse(&r.lines, storage, None);
                for p in &unread {
                    self.note_marked_read(p);
                }
                parts.extend(unread);
            }
        }
        parts.sort_by_key(|p| p.location.index);
        Ok(parts)
    }

    /// Lists every storage, reading unread messages even where that marks them read (the
    /// reply wait: each such message is named in [`SmsSession::marked_read`]).
    async fn list_all_reading(&mut self, modem: &mut Modem) -> Result<Vec<StoredPart>, SmsError> {
        let prev = std::mem::replace(&mut self.read_unread, true);
        let r = self.list_all(modem).await;
        self.read_unread = prev;
        r
    }

    /// Lists every storage (unread messages only where [`SmsSession::read_unread`] allows).
    pub async fn list_all(&mut self, modem: &mut Modem) -> Result<Vec<StoredPart>, SmsError> {
        let mut all = Vec::new();
        for s in self.storages.clone() {
            all.extend(self.list_storage(modem, &s).await?);
        }
        Ok(all)
    }

    /// The indices in use in `storage`, from `AT+CMGD=?` (TS 27.005 §3.5.4), which reads no
    /// message and so changes no status. `None` when the modem does not list them.
    pub async fn indices(
        &mut self,
        modem: &mut Modem,
        storage: &str,
    ) -> Result<Option<BTreeSet<u32>>, SmsError> {
        self.select(modem, storage).await?;
        let r = modem.command(Command::new("AT+CMGD=?")).await?;
        if !r.is_ok() {
            return Ok(None);
        }
        let Some(listed) = r
            .lines
            .iter()
            .find_map(|l| l.trim().strip_prefix("+CMGD:"))
            .and_then(parse_index_list)
        else {
            return Ok(None);
        };
        // TS 27.005 §3.5.4 has the test command show the *valid* locations: many modems list
        // the ones in use, others every slot (`(0-49)`). Only a list as long as the storage's
        // count of messages is the list in use; anything else is not a baseline.
        let used = match modem.ok("AT+CPMS?").await {
            Ok(l) => first_line_value(&l, "+CPMS:")
                .map(cpms_usage)
                .and_then(|u| u.first().map(|(_, used, _)| *used as usize)),
            Err(_) => None,
        };
        Ok((used == Some(listed.len())).then_some(listed))
    }

    /// Indices in use in every storage; `None` if any storage cannot list them.
    async fn all_indices(
        &mut self,
        modem: &mut Modem,
    ) -> Result<Option<BTreeSet<(String, u32)>>, SmsError> {
        let mut all = BTreeSet::new();
        for s in self.storages.clone() {
            match self.indices(modem, &s).await? {
                Some(ix) => all.extend(ix.into_iter().map(|i| (s.clone(), i))),
                None => return Ok(None),
            }
        }
        Ok(Some(all))
    }

    /// Reads one message (an unread one becomes read, as on any phone).
    pub async fn read(
        &mut self,
        modem: &mut Modem,
        storage: &str,
        index: u32,
    ) -> Result<StoredPart, SmsError> {
        self.select(modem, storage).await?;
        let r = modem
            .command(Command::new(format!("AT+CMGR={index}")))
            .await?;
        if !r.is_ok() {
            return Err(SmsError::NotFound {
                storage: storage.into(),
                index,
            });
        }
        self.parse(&r.lines, storage, Some(index))
            .into_iter()
            .next()
            .ok_or(SmsError::NotFound {
                storage: storage.into(),
                index,
            })
    }

    /// Deletes one message. Only ever called on an explicit request. An empty slot is
    /// [`SmsError::NotFound`] (most modems answer `OK` to deleting nothing), checked first by
    /// looking at the slot (without a status change where the modem allows; reading a message
    /// about to be deleted changes nothing that stays) and afterwards by looking again.
    pub async fn delete(
        &mut self,
        modem: &mut Modem,
        storage: &str,
        index: u32,
    ) -> Result<(), SmsError> {
        let not_found = || SmsError::NotFound {
            storage: storage.into(),
            index,
        };
        if self.peek(modem, storage, index).await?.is_none() {
            return Err(not_found());
        }
        modem.ok(&format!("AT+CMGD={index}")).await?;
        if self.peek(modem, storage, index).await?.is_some() {
            return Err(SmsError::SendRejected(FinalResult::CmsError(
                CmsError::Text(format!(
                    "the modem answered OK but {storage}:{index} is still there"
                )),
            )));
        }
        Ok(())
    }

    /// What is at `storage:index`, read without a status change where the modem allows.
    async fn peek(
        &mut self,
        modem: &mut Modem,
        storage: &str,
        index: u32,
    ) -> Result<Option<StoredPart>, SmsError> {
        Ok(self.read_one(modem, storage, index, true).await?.0)
    }

    /// Reads `storage:index`: with `AT+CMGR=<i>,1` (no status change) while the modem takes
    /// it, else plainly. Returns the part and whether the plain read was used (an unread
    /// message is then read). `empty_is_none`: an invalid-index answer to the quiet read means
    /// an empty slot rather than a modem without the quiet form.
    async fn read_one(
        &mut self,
        modem: &mut Modem,
        storage: &str,
        index: u32,
        empty_is_none: bool,
    ) -> Result<(Option<StoredPart>, bool), SmsError> {
        self.select(modem, storage).await?;
        if self.no_status_change != Some(false) {
            let r = modem
                .command(Command::new(format!("AT+CMGR={index},1")))
                .await?;
            if r.is_ok() {
                self.no_status_change = Some(true);
                let part = self
                    .parse(&r.lines, storage, Some(index))
                    .into_iter()
                    .next();
                return Ok((part, false));
            }
            if empty_is_none && r.result == FinalResult::CmsError(CmsError::InvalidMemoryIndex) {
                return Ok((None, false)); // an empty slot
            }
            self.no_status_change = Some(false);
        }
        let r = modem
            .command(Command::new(format!("AT+CMGR={index}")))
            .await?;
        if !r.is_ok() {
            return Ok((None, true));
        }
        let part = self
            .parse(&r.lines, storage, Some(index))
            .into_iter()
            .next();
        Ok((part, true))
    }

    /// How many SMS sending `text` to `number` takes (what the spend guard must count):
    /// the concatenated parts in PDU mode; one in text mode (a longer text is refused there).
    pub fn parts_for(&self, number: &str, text: &str) -> Result<u32, SmsError> {
        match self.mode {
            SmsMode::Pdu => Ok(pdu_parts(number, text)?),
            SmsMode::Text => Ok(1),
        }
    }

    /// Sends `text` to `number`; returns the message references (`+CMGS: <mr>`), one a part.
    pub async fn send(
        &mut self,
        modem: &mut Modem,
        number: &str,
        text: &str,
    ) -> Result<Vec<u8>, SmsError> {
        let mut refs = Vec::new();
        match self.mode {
            SmsMode::Pdu => {
                let reference = (std::process::id() as u16).wrapping_add(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos() as u16)
                        .unwrap_or(0),
                );
                let opts = SubmitOptions {
                    concat_reference: ConcatRef::EightBit((reference & 0xFF) as u8),
                    ..SubmitOptions::default()
                };
                for part in encode_submit(number, text, &opts)? {
                    let mut payload = part.hex.clone().into_bytes();
                    payload.push(0x1A);
                    let r = modem
                        .command(
                            Command::new(part.at_command())
                                .with_payload(payload)
                                .with_timeout(Duration::from_secs(60)),
                        )
                        .await?;
                    if !r.is_ok() {
                        return Err(SmsError::from_send(r.result));
                    }
                    refs.extend(
                        first_line_value(&r.lines, "+CMGS:").and_then(|v| v.parse::<u8>().ok()),
                    );
                }
            }
            SmsMode::Text => {
                let gsm = gsm7::septet_len(text);
                let too_long = match gsm {
                    Some(n) => n > 160,
                    None => text.encode_utf16().count() > 70,
                };
                if too_long {
                    return Err(SmsError::SendRejected(FinalResult::CmsError(
                        CmsError::Text(
                            "text too long for one message in text mode (PDU mode is unavailable)"
                                .into(),
                        ),
                    )));
                }
                crate::sms::address::Address::parse_number(number)
                    .map_err(|reason| EncodeError::InvalidNumber { reason })?;
                let dcs = if gsm.is_some() { 0 } else { 8 };
                if let Ok(lines) = modem.ok("AT+CSMP?").await {
                    if let Some(old) = first_line_value(&lines, "+CSMP:") {
                        modem.push_restore(format!("AT+CSMP={old}"));
                    }
                }
                let _ = modem.ok(&format!("AT+CSMP=17,167,0,{dcs}")).await;
                let da = hex::encode(&ucs2::encode(number));
                let mut payload = hex::encode(&ucs2::encode(text)).into_bytes();
                payload.push(0x1A);
                let r = modem
                    .command(
                        Command::new(format!("AT+CMGS=\"{da}\""))
                            .with_payload(payload)
                            .with_timeout(Duration::from_secs(60)),
                    )
                    .await?;
                if !r.is_ok() {
                    return Err(SmsError::from_send(r.result));
                }
                refs.extend(
                    first_line_value(&r.lines, "+CMGS:").and_then(|v| v.parse::<u8>().ok()),
                );
            }
        }
        Ok(refs)
    }

    /// Before sending a keyword: replies must be stored and announced (`AT+CNMI=2,1,0,0,0`,
    /// restored later), the storage for new messages must have room, and what is already
    /// stored is noted so the reply can be told apart.
    pub async fn prepare_wait(&mut self, modem: &mut Modem) -> Result<Baseline, SmsError> {
        if let Ok(lines) = modem.ok("AT+CNMI?").await {
            if let Some(old) = first_line_value(&lines, "+CNMI:").map(str::to_string) {
                let compact: String = old.chars().filter(|c| !c.is_whitespace()).collect();
                let announces = compact.starts_with("2,1,") || compact.starts_with("1,1,");
                if !announces
                    && (modem.ok("AT+CNMI=2,1,0,0,0").await.is_ok()
                        || modem.ok("AT+CNMI=1,1,0,0,0").await.is_ok())
                {
                    modem.push_restore(format!("AT+CNMI={compact}"));
                }
            }
        } else if modem.ok("AT+CNMI=2,1,0,0,0").await.is_err() {
            self.notes
                .push("the modem refused AT+CNMI: waiting by listing the storages".into());
        }
        // <mem3> is where new messages go; a full one cannot take the reply.
        if let Ok(lines) = modem.ok("AT+CPMS?").await {
            if let Some(u) = first_line_value(&lines, "+CPMS:").map(cpms_usage) {
                if let Some((m, used, total)) = u.get(2).or(u.first()) {
                    if *total > 0 && used >= total {
                        return Err(SmsError::StorageFull {
                            storage: m.clone(),
                            used: *used,
                            total: *total,
                        });
                    }
                }
            }
        }
        let mut b = Baseline::default();
        // Prefer the index lists: they read nothing, so no unread message becomes read.
        if let Some(ix) = self.all_indices(modem).await? {
            b.seen = ix;
            b.by_index = true;
        } else {
            // No usable index list: list everything. Missing the reply (or taking an old
            // notice for it) would be worse than reading an unread message — which is then
            // named, with its sender.
            for p in self.list_all_reading(modem).await? {
                if let Some(s) = p.location.storage {
                    b.seen.insert((s, p.location.index));
                }
            }
        }
        let _ = modem.drain_urcs();
        Ok(b)
    }

    /// Reads a newly announced message without disturbing it more than needed.
    async fn read_new(
        &mut self,
        modem: &mut Modem,
        storage: &str,
        index: u32,
    ) -> Result<Option<StoredPart>, SmsError> {
        let (part, plain) = self.read_one(modem, storage, index, false).await?;
        // No way to look without reading: the message became read. Say which, and from whom.
        if let Some(p) = part
            .as_ref()
            .filter(|p| plain && p.status == Some(MessageStatus::ReceivedUnread))
        {
            self.note_marked_read(p);
        }
        Ok(part)
    }

    /// Waits for the reply from `senders` after the keyword was sent at `sent_at`.
    /// `progress` is called with the time left whenever the wait wakes up.
    #[allow(clippy::too_many_arguments)]
    pub async fn await_reply(
        &mut self,
        modem: &mut Modem,
        baseline: &mut Baseline,
        senders: &SenderMatcher,
        opts: &WaitOptions,
        sent_at: Instant,
        number: &str,
        keyword: &str,
        progress: &mut (dyn FnMut(Duration) + Send),
    ) -> Result<Reply, SmsError> {
        let deadline = sent_at + opts.wait;
        let mut got: Vec<StoredPart> = Vec::new();
        let mut routed: Vec<Sms> = Vec::new();
        let mut other_new = 0usize;
        let mut last_part: Option<Instant> = None;
        let mut next_poll = Instant::now() + opts.poll_every;
        let mut noticed_by = String::new();
        loop {
            let now = Instant::now();
            // Is the reply complete? (`settle_at`: when to answer if nothing more arrives.)
            let mut settle_at = None;
            if let Some(last) = last_part {
                let joined = self.join(&got, &routed);
                let incomplete = joined.iter().any(|m| !m.missing.is_empty());
                let count = got.len() + routed.len();
                let enough = opts.expect_parts.is_some_and(|n| count >= n);
                let messages_missing = opts.expect_messages.is_some_and(|n| joined.len() < n);
                let settle_until = if incomplete || messages_missing {
                    last + opts.settle_incomplete
                } else if enough {
                    last
                } else if self.mode == SmsMode::Text && opts.expect_messages.is_none() {
                    // No concatenation header: more parts may still be on their way.
                    last + opts.settle.max(opts.settle_unseen)
                } else {
                    last + opts.settle
                };
                if now >= settle_until || now >= deadline {
                    return Ok(self.reply(&got, &routed, joined, noticed_by));
                }
                settle_at = Some(settle_until);
            } else if now >= deadline {
                return Err(SmsError::NoReply {
                    from: senders.senders.clone(),
                    waited: opts.wait,
                    number: number.to_string(),
                    keyword: keyword.to_string(),
                    other_new,
                    marked_read: self.marked_read.clone(),
                });
            }
            progress(deadline.saturating_duration_since(now));
            let mut wake = deadline.min(next_poll);
            if let Some(at) = settle_at {
                wake = wake.min(at).max(now);
            }
            // Wake at least once a second so the progress display keeps moving.
            wake = wake.min(now + Duration::from_secs(1));
            let urc = modem
                .wait_urc(wake, |u| matches!(u.kind, UrcKind::Cmti | UrcKind::Cmt))
                .await?;
            match urc {
                Some(u) if u.kind == UrcKind::Cmti => {
                    let p = u.params();
                    let storage = match p.params.first() {
                        Some(Param::Str(s) | Param::Raw(s)) => s.trim().to_ascii_uppercase(),
                        _ => "SM".into(),
                    };
                    let Some(index) = p
                        .params
                        .get(1)
                        .and_then(Param::as_int)
                        .and_then(|n| u32::try_from(n).ok())
                    else {
                        continue;
                    };
                    if !baseline.seen.insert((storage.clone(), index)) {
                        continue;
                    }
                    // +CMTI may name "SM" while "ME" is selected: read from the one named.
                    match self.read_new(modem, &storage, index).await? {
                        Some(part) if senders.matches(&part.address) => {
                            if noticed_by.is_empty() {
                                noticed_by = "cmti".into();
                            }
                            got.push(part);
                            last_part = Some(Instant::now());
                        }
                        Some(_) => other_new += 1,
                        None => {}
                    }
                }
                Some(u) => {
                    // A routed +CMT (the modem ignored our AT+CNMI): take it from the URC.
                    let sms = u
                        .pdu
                        .as_deref()
                        .and_then(|h| Pdu::decode_hex(h.trim(), SmscPrefix::Present).ok());
                    if let Some(sms) = sms {
                        if senders.matches(&sms.address.display()) {
                            if noticed_by.is_empty() {
                                noticed_by = "cmt".into();
                            }
                            routed.push(sms);
                            last_part = Some(Instant::now());
                        } else {
                            other_new += 1;
                        }
                    }
                }
                None => {
                    if Instant::now() >= next_poll {
                        let now_ix = if baseline.by_index {
                            self.all_indices(modem).await?
                        } else {
                            None
                        };
                        let fresh: Vec<StoredPart> = if let Some(now_ix) = now_ix {
                            let mut out = Vec::new();
                            for (st, ix) in now_ix {
                                if baseline.seen.contains(&(st.clone(), ix)) {
                                    continue;
                                }
                                if let Some(p) = self.read_new(modem, &st, ix).await? {
                                    out.push(p);
                                } else {
                                    baseline.seen.insert((st, ix));
                                }
                            }
                            out
                        } else {
                            self.list_all_reading(modem).await?
                        };
                        for part in fresh {
                            let Some(s) = part.location.storage.clone() else {
                                continue;
                            };
                            if !baseline.seen.insert((s, part.location.index)) {
                                continue;
                            }
                            if senders.matches(&part.address) {
                                if noticed_by.is_empty() {
                                    noticed_by = "poll".into();
                                }
                                got.push(part);
                                last_part = Some(Instant::now());
                            } else {
                                other_new += 1;
                            }
                        }
                        next_poll = Instant::now() + opts.poll_every;
                    }
                }
            }
        }
    }

    fn join(&self, got: &[StoredPart], routed: &[Sms]) -> Vec<JoinedMessage> {
        let mut all = got.to_vec();
        for (i, s) in routed.iter().enumerate() {
            all.push(StoredPart {
                location: Location {
                    storage: None,
                    index: u32::MAX - i as u32,
                },
                status: Some(MessageStatus::ReceivedUnread),
                address: s.address.display(),
                timestamp: s.timestamp,
                text: s.text.clone(),
                sms: Some(s.clone()),
            });
        }
        join_parts(&all, self.country_code.as_deref())
    }

    fn reply(
        &mut self,
        got: &[StoredPart],
        routed: &[Sms],
        joined: Vec<JoinedMessage>,
        noticed_by: String,
    ) -> Reply {
        // The reply's own parts were meant to be read: only other messages are worth a note.
        self.marked_read
            .retain(|m| !got.iter().any(|p| p.location == m.location));
        let mut messages = joined;
        // Oldest first by the network's time stamp: separate messages of one report.
        messages.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
        Reply {
            from: messages.first().map(|m| m.from.clone()).unwrap_or_default(),
            text: messages
                .iter()
                .map(|m| m.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            parts: got.len() + routed.len(),
            missing: messages.iter().map(|m| m.missing.len()).sum(),
            indices: got.iter().map(|p| p.location.clone()).collect(),
            messages,
            noticed_by,
        }
    }

    fn note_marked_read(&mut self, p: &StoredPart) {
        if !self.marked_read.iter().any(|m| m.location == p.location) {
            self.marked_read.push(MarkedRead {
                location: p.location.clone(),
                from: p.address.clone(),
            });
        }
    }

    /// The note to show when messages had to be marked read, or were left out because reading
    /// them would have, if any.
    pub fn marked_read_note(&self) -> Option<String> {
        let mut out = Vec::new();
        if !self.marked_read.is_empty() {
            let list: Vec<String> = self
                .marked_read
                .iter()
                .map(|m| {
                    format!(
                        "{}:{} from {}",
                        m.location.storage.as_deref().unwrap_or("?"),
                        m.location.index,
                        if m.from.is_empty() { "?" } else { &m.from }
                    )
                })
                .collect();
            out.push(format!(
                "this modem cannot read messages without marking them read: {} message(s) that were unread are now marked read ({}); their content is unchanged",
                list.len(),
                list.join(", ")
            ));
        }
        let skipped: usize = self.unread_skipped.iter().map(|(_, n)| n).sum();
        if skipped > 0 {
            let list: Vec<String> = self
                .unread_skipped
                .iter()
                .map(|(s, n)| format!("{n} in {s}"))
                .collect();
            out.push(format!(
                "{skipped} unread message(s) were not read ({}): this modem cannot list messages without marking them read; pass --read-unread to read them too (they will then show as read)",
                list.join(", ")
            ));
        }
        (!out.is_empty()).then(|| out.join("; "))
    }

    /// The newest stored notice from `senders` that contains one of `words` (any if empty).
    pub async fn newest_notice(
        &mut self,
        modem: &mut Modem,
        senders: &SenderMatcher,
        words: &[String],
    ) -> Result<Option<JoinedMessage>, SmsError> {
        let parts = self.list_all(modem).await?;
        let mine: Vec<StoredPart> = parts
            .into_iter()
            .filter(|p| senders.matches(&p.address))
            .collect();
        let mut msgs: Vec<JoinedMessage> = join_parts(&mine, self.country_code.as_deref())
            .into_iter()
            .filter(|m| words.is_empty() || words.iter().any(|w| m.text.contains(w.as_str())))
            .collect();
        msgs.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
        Ok(msgs.pop())
    }

    /// The normalised form of a number under this SIM's country (for display and matching).
    pub fn normalize(&self, number: &str) -> String {
        normalize_number(number, self.country_code.as_deref())
    }
}

#[cfg(test)]
mod index_list_tests {
    use super::parse_index_list;

    #[test]
    fn cmgd_test_lists() {
        let l = |s: &str| parse_index_list(s).map(|v| v.into_iter().collect::<Vec<_>>());
        assert_eq!(l(" (1,2,5-7),(0-4)"), Some(vec![1, 2, 5, 6, 7]));
        assert_eq!(l(" (),(0-4)"), Some(vec![]));
        // Every form TS 27.005 allows: ranges, mixed, spaces, no delflag list.
        assert_eq!(l(" (0-3),(0-4)"), Some(vec![0, 1, 2, 3]));
        assert_eq!(l("( 1 , 3-4 ,9 ),(0-4)"), Some(vec![1, 3, 4, 9]));
        assert_eq!(l(" (2,7)"), Some(vec![2, 7]));
        assert_eq!(l(" (0-49),(0-4)").map(|v| v.len()), Some(50));
        assert_eq!(l(" (x),(0-4)"), None);
        assert_eq!(l(" (5-1)"), None);
        assert_eq!(l(" no list"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpms_forms() {
        assert_eq!(
            cpms_lists("(\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\"),(\"SM\")"),
            vec![
                vec!["SM".to_string(), "ME".into(), "MT".into()],
                vec!["SM".to_string(), "ME".into()],
                vec!["SM".to_string()]
            ]
        );
        assert_eq!(
            cpms_usage("\"ME\",3,100,\"SM\",30,30,\"SM\",30,30"),
            vec![
                ("ME".to_string(), 3, 100),
                ("SM".into(), 30, 30),
                ("SM".into(), 30, 30)
            ]
        );
        assert!(cpms_usage("garbage").is_empty());
        assert!(cpms_lists("").is_empty());
    }

    #[test]
    fn senders_match_normalised() {
        let m = SenderMatcher {
            senders: vec!["10086".into(), "Megafon".into(), "09012345678".into()],
            country_code: Some("86".into()),
        };
        for (a, want) in [
            ("+8610086", true),
            ("10086", true),
            ("1008", false),
            ("10086766", false),
            ("MEGAFON", true),
            ("+869012345678", true),
        ] {
            assert_eq!(m.matches(a), want, "{a}");
        }
        assert!(SenderMatcher::default().matches("anyone"));
    }

    #[test]
    fn send_errors_are_classified() {
        let e = SmsError::from_send(FinalResult::CmsError(CmsError::MemoryFull));
        assert!(matches!(e, SmsError::MemoryFull(_)));
        let e = SmsError::from_send(FinalResult::CmsError(CmsError::SmscAddressUnknown));
        assert!(e.to_string().contains("AT+CSCA"), "{e}");
        let e = SmsError::from_send(FinalResult::CmsError(CmsError::NoNetworkService));
        assert!(matches!(e, SmsError::NoNetwork(_)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn prop_cpms_parsers_never_panic(s in ".*") {
            let _ = cpms_lists(&s);
            let _ = cpms_usage(&s);
        }
    }
}
