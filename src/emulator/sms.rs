//! SMS behaviour of the emulated modem (TS 27.005): storages with capacities (`AT+CPMS`),
//! PDU and text mode (`AT+CMGF`, `AT+CSDH`), sending with the `> ` prompt (`AT+CMGS`, ended
//! by Ctrl-Z, cancelled by Esc), listing and reading with the status change a real modem
//! makes (REC UNREAD → REC READ) — and the SIMCom "no status change" variant
//! (`AT+CMGL=<stat>,1`, `AT+CMGR=<i>,1`) for the families that have it —, deleting
//! (`AT+CMGD`), new-message indications (`AT+CNMI`: stored + `+CMTI`, routed `+CMT`, or
//! silent) and the SMS centre (`AT+CSCA`).
//!
//! The carrier side is data: a scenario's `[[sms]]` entries answer a keyword sent to a
//! number with real SMS-DELIVER PDUs (built by [`crate::sms::compose`]), delivered after a
//! delay, possibly in several parts and out of order, into a given storage. `[[sms_inbox]]`
//! entries are on the SIM from the start, so tests can prove they are left alone.
//!
//! Invariant: nothing is shared with the client; the store changes only through AT commands
//! and scheduled deliveries.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::Family;
use crate::codec;
use crate::sms::compose::encode_deliver;
use crate::sms::{same_sender, Pdu, Sms, SmsKind, SmscPrefix, Timestamp};

/// `[[sms]]`: what the carrier answers to a keyword.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsReply {
    /// Destination the keyword is sent to (compared after normalisation).
    pub number: String,
    /// The keyword (case-insensitive, surrounding spaces ignored); `"*"` answers any text.
    pub keyword: String,
    /// Sender of the reply: a number, short code or alphanumeric name (default: `number`).
    #[serde(default)]
    pub reply_from: Option<String>,
    /// Delay before the first part arrives.
    #[serde(default = "default_sms_delay")]
    pub delay_ms: u64,
    /// Gap between parts.
    #[serde(default = "default_gap")]
    pub gap_ms: u64,
    /// The reply as one text, split into parts like a real SMSC would (concatenated).
    #[serde(default)]
    pub text: Option<String>,
    /// Or: separate messages (each auto-split too), delivered one after the other — a carrier
    /// that sends its usage report as several SMS.
    #[serde(default)]
    pub parts: Vec<String>,
    /// Delivery order of the resulting PDUs, 1-based (e.g. `[3, 1, 2]`); default in order.
    #[serde(default)]
    pub order: Vec<usize>,
    /// Storage the reply lands in (`"SM"`, `"ME"`); default: the `AT+CPMS` `<mem3>`.
    #[serde(default)]
    pub storage: Option<String>,
    /// Whether the modem announces the reply (`+CMTI`); `false` exercises polling.
    #[serde(default = "yes")]
    pub announce: bool,
    /// Concatenation reference (above 255: 16-bit).
    #[serde(default = "default_ref")]
    pub reference: u16,
}

fn default_sms_delay() -> u64 {
    500
}
fn default_gap() -> u64 {
    100
}
fn default_ref() -> u16 {
    0x2B
}
fn yes() -> bool {
    true
}

/// `[[sms_inbox]]`: a message already stored.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxMessage {
    /// Sender.
    pub from: String,
    /// Text (auto-split: a long text takes several slots).
    pub text: String,
    /// `"unread"` (default), `"read"`, or a TS 27.005 `<stat>` string/number.
    #[serde(default)]
    pub status: Option<String>,
    /// `"SM"` (default) or `"ME"`.
    #[serde(default)]
    pub storage: Option<String>,
    /// A raw PDU (hex with the SMSC prefix) stored as it is, even malformed — a message that a
    /// client cannot decode, to test that it is reported rather than dropped. Replaces
    /// `from`/`text`, which may then be empty.
    #[serde(default)]
    pub pdu: Option<String>,
}

/// `[sms_config]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// SIM storage size.
    pub sm_capacity: usize,
    /// Modem storage size (0: the modem has no ME storage).
    pub me_capacity: usize,
    /// `"standard"` (`\r\n> `, the default) or `"simcom"` (`\r\n>\r\n`).
    pub prompt: Option<String>,
    /// SMS centre number; empty = unknown (sending fails with `+CMS ERROR: 330`).
    pub smsc: String,
    /// Every `AT+CMGS` fails with `+CMS ERROR: <n>` (e.g. 322 storage full, 331 no network).
    pub cmgs_error: Option<u16>,
    /// Whether PDU mode works (`false`: `AT+CMGF=0` is refused, text mode only).
    pub pdu_mode: bool,
    /// Whether `AT+CMGL=<stat>,1` / `AT+CMGR=<i>,1` leave the status alone (default: the
    /// Quectel family yes, as SIMCom modules do; Huawei and ZTE refuse the extra parameter).
    pub no_status_change: Option<bool>,
    /// Initial `AT+CNMI` (default per family).
    pub cnmi: Option<String>,
    /// How `AT+CMGD=?` shows indices: `"used"` (the default: the indices in use, as Quectel
    /// and SIMCom do) or `"range"` (every valid location, `(0-29),(0-4)`: TS 27.005 §3.5.4
    /// allows either, since the test command lists "valid <index> locations").
    pub cmgd_test: Option<String>,
    /// Delay before the `> ` prompt of `AT+CMGS` (a slow modem); Esc before it cancels.
    pub prompt_delay_ms: u64,
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig {
            sm_capacity: 30,
            me_capacity: 100,
            prompt: None,
            smsc: "+8613800100500".into(),
            cmgs_error: None,
            pdu_mode: true,
            no_status_change: None,
            cnmi: None,
            cmgd_test: None,
            prompt_delay_ms: 0,
        }
    }
}

/// The final result of an SMS command, rendered by the modem.
pub enum SmsFinal {
    /// `OK`.
    Ok,
    /// `ERROR`.
    Error,
    /// `+CMS ERROR: n`.
    Cms(u16),
    /// The `> ` prompt was sent; the final result comes after Ctrl-Z or Esc.
    Prompt,
}

#[derive(Debug, Clone)]
struct Stored {
    stat: u8,
    pdu: Vec<u8>,
    /// Listed verbatim instead of `pdu` (a scenario's raw, possibly malformed, PDU).
    raw: Option<String>,
}

#[derive(Debug, Clone)]
struct Store {
    cap: usize,
    slots: BTreeMap<u32, Stored>,
}

impl Store {
    fn insert(&mut self, m: Stored) -> Option<u32> {
        if self.slots.len() >= self.cap {
            return None;
        }
        let free = (0u32..).find(|i| !self.slots.contains_key(i))?;
        self.slots.insert(free, m);
        Some(free)
    }
}

enum Compose {
    Pdu { len: usize },
    Text { da: String },
}

/// One PDU due to arrive.
struct Delivery {
    at: Instant,
    pdu: Vec<u8>,
    storage: Option<String>,
    announce: bool,
}

/// The SMS part of the emulated modem.
pub struct SmsState {
    family: Family,
    config: SmsConfig,
    replies: Vec<SmsReply>,
    stores: BTreeMap<String, Store>,
    mem: [String; 3],
    /// `AT+CMGF`: 0 PDU, 1 text.
    pub cmgf: u8,
    csdh: u8,
    cnmi: [u8; 5],
    csca: String,
    compose: Option<Compose>,
    buf: Vec<u8>,
    pending: Vec<Delivery>,
    mr: u8,
    clock: u32,
    /// SMS the modem handed to the network (each part of a concatenated message counts).
    pub sent: usize,
}

/// What a test can see of the SMS side ([`super::sim::Probe`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmsSnapshot {
    /// `AT+CPMS` `<mem1>`..`<mem3>`.
    pub mem: [String; 3],
    /// `AT+CNMI` as the read command shows it.
    pub cnmi: String,
    /// `AT+CMGF`.
    pub cmgf: u8,
    /// Every stored message: (storage, index, `<stat>`), in storage order.
    pub messages: Vec<(String, u32, u8)>,
    /// SMS handed to the network.
    pub sent: usize,
}

fn stat_from(s: Option<&str>) -> u8 {
    match s.map(|s| s.trim().to_ascii_lowercase()) {
        None => 0,
        Some(s) => match s.as_str() {
            "read" | "rec read" | "1" => 1,
            "unsent" | "sto unsent" | "2" => 2,
            "sent" | "sto sent" | "3" => 3,
            _ => 0,
        },
    }
}

fn stat_text(stat: u8) -> &'static str {
    match stat {
        0 => "REC UNREAD",
        1 => "REC READ",
        2 => "STO UNSENT",
        _ => "STO SENT",
    }
}

/// `"SM"` → `SM`, upper-cased.
fn mem_name(s: &str) -> String {
    s.trim().trim_matches('"').to_ascii_uppercase()
}

impl SmsState {
    /// SMS state for a modem of `family` on a scenario's SMS sections.
    pub fn new(
        family: Family,
        config: SmsConfig,
        replies: Vec<SmsReply>,
        inbox: &[InboxMessage],
    ) -> Self {
        let mut stores = BTreeMap::new();
        stores.insert(
            "SM".to_string(),
            Store {
                cap: config.sm_capacity,
                slots: BTreeMap::new(),
            },
        );
        if config.me_capacity > 0 {
            stores.insert(
                "ME".to_string(),
                Store {
                    cap: config.me_capacity,
                    slots: BTreeMap::new(),
                },
            );
        }
        let cnmi_default = match family {
            Family::Huawei => "2,1,0,2,0",
            Family::Quectel => "2,1,0,0,0",
            Family::Zte => "1,1,0,0,0",
        };
        let cnmi_text = config.cnmi.clone().unwrap_or_else(|| cnmi_default.into());
        let mut cnmi = [0u8; 5];
        for (slot, v) in cnmi.iter_mut().zip(cnmi_text.split(',')) {
            *slot = v.trim().parse().unwrap_or(0);
        }
        let csca = config.smsc.clone();
        let mut s = SmsState {
            family,
            config,
            replies,
            stores,
            mem: ["SM".into(), "SM".into(), "SM".into()],
            cmgf: 0,
            csdh: 0,
            cnmi,
            csca,
            compose: None,
            buf: Vec::new(),
            pending: Vec::new(),
            mr: 0,
            clock: 0,
            sent: 0,
        };
        for m in inbox {
            let stat = stat_from(m.status.as_deref());
            let storage = m.storage.as_deref().map(mem_name).unwrap_or("SM".into());
            if let Some(raw) = &m.pdu {
                let pdu = codec::hex::decode(raw).unwrap_or_default();
                if let Some(st) = s.stores.get_mut(&storage) {
                    st.insert(Stored {
                        stat,
                        pdu,
                        raw: Some(raw.clone()),
                    });
                }
                continue;
            }
            let ts = s.next_timestamp();
            // Inbox messages that cannot be encoded are left out; the scenario test catches it.
            if let Ok(pdus) = encode_deliver(
                &m.from,
                &m.text,
                ts,
                0x11,
                Some(&s.config.smsc.clone())
                    .filter(|c| !c.is_empty())
                    .map(|c| c.as_str()),
            ) {
                for pdu in pdus {
                    if let Some(st) = s.stores.get_mut(&storage) {
                        st.insert(Stored {
                            stat,
                            pdu,
                            raw: None,
                        });
                    }
                }
            }
        }
        s
    }

    /// The state a test may check.
    pub fn snapshot(&self) -> SmsSnapshot {
        let v: Vec<String> = self.cnmi.iter().map(|n| n.to_string()).collect();
        SmsSnapshot {
            mem: self.mem.clone(),
            cnmi: v.join(","),
            cmgf: self.cmgf,
            messages: self
                .stores
                .iter()
                .flat_map(|(name, st)| {
                    st.slots
                        .iter()
                        .map(move |(i, m)| (name.clone(), *i, m.stat))
                })
                .collect(),
            sent: self.sent,
        }
    }

    fn next_timestamp(&mut self) -> Timestamp {
        self.clock = self.clock.wrapping_add(1);
        let c = self.clock;
        Timestamp {
            year: 2026,
            month: 3,
            day: 25,
            hour: 18,
            minute: (20 + c / 60 % 40) as u8,
            second: (c % 60) as u8,
            tz_quarters: 32,
        }
    }

    fn no_status_change(&self) -> bool {
        self.config
            .no_status_change
            .unwrap_or(self.family == Family::Quectel)
    }

    /// How long the `> ` prompt takes to come.
    pub fn prompt_delay(&self) -> Duration {
        Duration::from_millis(self.config.prompt_delay_ms)
    }

    /// True while the `> ` prompt is open (input is message text, not commands).
    pub fn composing(&self) -> bool {
        self.compose.is_some()
    }

    fn prompt_bytes(&self) -> Vec<u8> {
        let simcom = match self.config.prompt.as_deref() {
            Some(p) => p.eq_ignore_ascii_case("simcom"),
            // Gammu waits for "> " literally, so no family uses the other form by default.
            None => false,
        };
        if simcom {
            b"\r\n>\r\n".to_vec()
        } else {
            b"\r\n> ".to_vec()
        }
    }

    /// The next scheduled delivery.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending.iter().map(|d| d.at).min()
    }

    /// Delivers what is due at `now`; returns the URCs to send.
    pub fn deliver_due(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut due: Vec<Delivery> = Vec::new();
        let mut keep = Vec::new();
        for d in self.pending.drain(..) {
            if d.at <= now {
                due.push(d);
            } else {
                keep.push(d);
            }
        }
        self.pending = keep;
        due.sort_by_key(|d| d.at);
        for d in due {
            // TS 27.005 §3.4.1 <mt>: 2 routes the message to the TE without storing it.
            if self.cnmi[1] == 2 && d.announce {
                let mut l = format!(
                    "\r\n+CMT: ,{}\r\n",
                    d.pdu.len().saturating_sub(smsc_len(&d.pdu))
                )
                .into_bytes();
                l.extend_from_slice(codec::hex::encode(&d.pdu).as_bytes());
                l.extend_from_slice(b"\r\n");
                out.push(l);
                continue;
            }
            let storage = d.storage.clone().unwrap_or_else(|| self.mem[2].clone());
            let Some(store) = self.stores.get_mut(&storage) else {
                continue;
            };
            match store.insert(Stored {
                stat: 0,
                pdu: d.pdu,
                raw: None,
            }) {
                Some(idx) => {
                    if d.announce && self.cnmi[1] == 1 && self.cnmi[0] != 0 {
                        out.push(format!("\r\n+CMTI: \"{storage}\",{idx}\r\n").into_bytes());
                    }
                }
                None => {
                    // A full store cannot take the message; Huawei says so.
                    if self.family == Family::Huawei {
                        out.push(b"\r\n^SMMEMFULL: \"SM\"\r\n".to_vec());
                    }
                }
            }
        }
        out
    }

    /// Handles a command (without `AT`) if it is an SMS command.
    pub fn command(
        &mut self,
        cmd: &str,
        registered: bool,
        cscs: &str,
        lines: &mut Vec<String>,
    ) -> Option<(SmsFinal, Option<Vec<u8>>)> {
        let upper = cmd.to_ascii_uppercase();
        let name_end = upper.find(['=', '?']).unwrap_or(upper.len());
        let name = upper.get(..name_end).unwrap_or("");
        let rest = cmd.get(name_end..).unwrap_or("");
        let args = rest.strip_prefix('=').map(crate::at::params::split_quoted);
        let read = rest == "?";
        let test = rest == "=?";
        let f = match name {
            "+CPMS" => self.cpms(read, test, args, lines),
            "+CMGF" => {
                if read {
                    lines.push(format!("+CMGF: {}", self.cmgf));
                    SmsFinal::Ok
                } else if test {
                    lines.push(
                        if self.config.pdu_mode {
                            "+CMGF: (0,1)"
                        } else {
                            "+CMGF: (1)"
                        }
                        .into(),
                    );
                    SmsFinal::Ok
                } else {
                    match args.as_ref().and_then(|a| a.first()).map(|s| s.trim()) {
                        Some("0") if self.config.pdu_mode => {
                            self.cmgf = 0;
                            SmsFinal::Ok
                        }
                        Some("1") => {
                            self.cmgf = 1;
                            SmsFinal::Ok
                        }
                        Some("0") => SmsFinal::Cms(303),
                        _ => SmsFinal::Cms(302),
                    }
                }
            }
            "+CSDH" => {
                if read {
                    lines.push(format!("+CSDH: {}", self.csdh));
                } else if let Some(v) = args.as_ref().and_then(|a| a.first()) {
                    self.csdh = u8::from(v.trim() == "1");
                }
                SmsFinal::Ok
            }
            "+CSMP" => SmsFinal::Ok,
            "+CSMS" => {
                if read {
                    lines.push("+CSMS: 0,1,1,1".into());
                }
                SmsFinal::Ok
            }
            "+CNMI" => {
                if read {
                    let v: Vec<String> = self.cnmi.iter().map(|n| n.to_string()).collect();
                    lines.push(format!("+CNMI: {}", v.join(",")));
                } else if test {
                    lines.push("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)".into());
                } else if let Some(a) = &args {
                    let mut new = self.cnmi;
                    for (slot, v) in new.iter_mut().zip(a.iter()) {
                        if v.trim().is_empty() {
                            continue;
                        }
                        match v.trim().parse::<u8>() {
                            Ok(n) if n <= 3 => *slot = n,
                            _ => return Some((SmsFinal::Cms(303), None)),
                        }
                    }
                    self.cnmi = new;
                }
                SmsFinal::Ok
            }
            "+CSCA" => {
                if read {
                    let toa = if self.csca.starts_with('+') { 145 } else { 129 };
                    lines.push(format!("+CSCA: \"{}\",{toa}", self.csca));
                } else if let Some(v) = args.as_ref().and_then(|a| a.first()) {
                    self.csca = v.trim().trim_matches('"').to_string();
                }
                SmsFinal::Ok
            }
            "+CMGL" => self.cmgl(args.as_deref().unwrap_or(&[]), cscs, lines),
            "+CMGR" => match args.as_deref() {
                Some(a) => self.cmgr(a, cscs, lines),
                None => SmsFinal::Error,
            },
            "+CMGD" if test => {
                // TS 27.005 §3.5.4: the test command lists the indices in use (no status change).
                let mem = self.mem[0].clone();
                let range = self
                    .config
                    .cmgd_test
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case("range"));
                let used: Vec<String> = match (self.stores.get(&mem), range) {
                    (Some(st), true) => vec![format!("0-{}", st.cap.saturating_sub(1))],
                    (Some(st), false) => st.slots.keys().map(|k| k.to_string()).collect(),
                    (None, _) => Vec::new(),
                };
                lines.push(format!("+CMGD: ({}),(0-4)", used.join(",")));
                SmsFinal::Ok
            }
            "+CMGD" => match args.as_deref() {
                Some(a) => self.cmgd(a),
                None => SmsFinal::Error,
            },
            "+CMGS" => {
                if test {
                    return Some((SmsFinal::Ok, None));
                }
                let Some(a) = args else {
                    return Some((SmsFinal::Error, None));
                };
                if let Some(code) = self.config.cmgs_error {
                    return Some((SmsFinal::Cms(code), None));
                }
                if !registered {
                    return Some((SmsFinal::Cms(331), None));
                }
                let first = a.first().map(|s| s.trim().to_string()).unwrap_or_default();
                self.compose = Some(if self.cmgf == 0 {
                    match first.parse::<usize>() {
                        Ok(len) if len > 0 && len <= 176 => Compose::Pdu { len },
                        _ => return Some((SmsFinal::Cms(304), None)),
                    }
                } else {
                    let raw = first.trim_matches('"').to_string();
                    let da = if cscs == "UCS2" {
                        codec::hex::decode(&raw)
                            .map(|b| codec::ucs2::decode(&b).text)
                            .unwrap_or(raw)
                    } else {
                        raw
                    };
                    Compose::Text { da }
                });
                self.buf.clear();
                return Some((SmsFinal::Prompt, Some(self.prompt_bytes())));
            }
            _ => return None,
        };
        Some((f, None))
    }

    fn cpms(
        &mut self,
        read: bool,
        test: bool,
        args: Option<Vec<String>>,
        lines: &mut Vec<String>,
    ) -> SmsFinal {
        let names: Vec<String> = self.stores.keys().map(|k| format!("\"{k}\"")).collect();
        let list = format!("({})", names.join(","));
        if test {
            lines.push(format!("+CPMS: {list},{list},{list}"));
            return SmsFinal::Ok;
        }
        let usage = |s: &Self, m: &str| {
            s.stores
                .get(m)
                .map(|st| (st.slots.len(), st.cap))
                .unwrap_or((0, 0))
        };
        if read {
            let parts: Vec<String> = self
                .mem
                .iter()
                .map(|m| {
                    let (u, c) = usage(self, m);
                    format!("\"{m}\",{u},{c}")
                })
                .collect();
            lines.push(format!("+CPMS: {}", parts.join(",")));
            return SmsFinal::Ok;
        }
        let Some(a) = args else {
            return SmsFinal::Error;
        };
        let mut new = self.mem.clone();
        for (slot, v) in new.iter_mut().zip(a.iter()) {
            let m = mem_name(v);
            if m.is_empty() {
                continue;
            }
            if !self.stores.contains_key(&m) {
                return SmsFinal::Cms(302);
            }
            *slot = m;
        }
        self.mem = new;
        let parts: Vec<String> = self
            .mem
            .iter()
            .map(|m| {
                let (u, c) = usage(self, m);
                format!("{u},{c}")
            })
            .collect();
        lines.push(format!("+CPMS: {}", parts.join(",")));
        SmsFinal::Ok
    }

    /// `(stat filter, keep status)` from `<stat>[,<mode>]`; `None` for a bad request.
    fn list_args(&self, a: &[String]) -> Result<(Option<u8>, bool), SmsFinal> {
        let keep = match a.get(1).map(|s| s.trim()) {
            None | Some("0") => false,
            Some("1") if self.no_status_change() => true,
            _ => return Err(self.refuse_extra()),
        };
        let stat = a
            .first()
            .map(|s| s.trim().trim_matches('"').to_ascii_uppercase());
        let filter = match (self.cmgf, stat.as_deref()) {
            (_, None) | (_, Some("")) => Some(0),
            (0, Some("4")) | (1, Some("ALL")) => None,
            (0, Some(n)) => match n.parse::<u8>() {
                Ok(n) if n <= 3 => Some(n),
                _ => return Err(SmsFinal::Cms(302)),
            },
            (_, Some(t)) => match ["REC UNREAD", "REC READ", "STO UNSENT", "STO SENT"]
                .iter()
                .position(|x| *x == t)
            {
                Some(n) => Some(n as u8),
                None => return Err(SmsFinal::Cms(302)),
            },
        };
        Ok((filter, keep))
    }

    fn refuse_extra(&self) -> SmsFinal {
        match self.family {
            Family::Huawei => SmsFinal::Cms(302),
            _ => SmsFinal::Error,
        }
    }

    fn cmgl(&mut self, a: &[String], cscs: &str, lines: &mut Vec<String>) -> SmsFinal {
        let (filter, keep) = match self.list_args(a) {
            Ok(v) => v,
            Err(f) => return f,
        };
        let mem = self.mem[0].clone();
        let (cmgf, csdh) = (self.cmgf, self.csdh);
        let Some(store) = self.stores.get_mut(&mem) else {
            return SmsFinal::Cms(302);
        };
        for (idx, m) in store.slots.iter_mut() {
            if filter.is_some_and(|f| f != m.stat) {
                continue;
            }
            render(lines, Some(*idx), m, cmgf, csdh, cscs);
            if !keep && m.stat == 0 {
                m.stat = 1;
            }
        }
        SmsFinal::Ok
    }

    fn cmgr(&mut self, a: &[String], cscs: &str, lines: &mut Vec<String>) -> SmsFinal {
        let keep = match a.get(1).map(|s| s.trim()) {
            None | Some("0") => false,
            Some("1") if self.no_status_change() => true,
            _ => return self.refuse_extra(),
        };
        let Some(idx) = a.first().and_then(|s| s.trim().parse::<u32>().ok()) else {
            return SmsFinal::Cms(321);
        };
        let mem = self.mem[0].clone();
        let (cmgf, csdh) = (self.cmgf, self.csdh);
        let Some(store) = self.stores.get_mut(&mem) else {
            return SmsFinal::Cms(302);
        };
        let Some(m) = store.slots.get_mut(&idx) else {
            // An empty slot: Huawei/ZTE answer OK with nothing, Quectel 321.
            return match self.family {
                Family::Quectel => SmsFinal::Cms(321),
                _ => SmsFinal::Ok,
            };
        };
        render(lines, None, m, cmgf, csdh, cscs);
        if !keep && m.stat == 0 {
            m.stat = 1;
        }
        SmsFinal::Ok
    }

    fn cmgd(&mut self, a: &[String]) -> SmsFinal {
        let Some(idx) = a.first().and_then(|s| s.trim().parse::<u32>().ok()) else {
            return SmsFinal::Cms(321);
        };
        let flag = a
            .get(1)
            .and_then(|s| s.trim().parse::<u8>().ok())
            .unwrap_or(0);
        let mem = self.mem[0].clone();
        let Some(store) = self.stores.get_mut(&mem) else {
            return SmsFinal::Cms(302);
        };
        match flag {
            0 => {
                // Deleting an empty slot is OK on most modems.
                store.slots.remove(&idx);
            }
            1..=4 => {
                let max_stat = match flag {
                    1 => 1,
                    2 => 3,
                    3 => 3,
                    _ => 255,
                };
                store.slots.retain(|_, m| match flag {
                    1 => m.stat != 1,
                    2 => !(m.stat == 1 || m.stat == 3),
                    3 => m.stat == 0,
                    _ => m.stat > max_stat,
                });
            }
            _ => return SmsFinal::Cms(302),
        }
        SmsFinal::Ok
    }

    /// One byte typed after the `> ` prompt. Returns output (a final result, or another
    /// prompt in text mode) when there is some.
    pub fn prompt_byte(&mut self, now: Instant, b: u8, cscs: &str) -> Option<Vec<u8>> {
        match b {
            0x1B => {
                self.compose = None;
                self.buf.clear();
                Some(b"\r\nOK\r\n".to_vec())
            }
            0x1A => {
                let compose = self.compose.take()?;
                let body = std::mem::take(&mut self.buf);
                let r = match compose {
                    Compose::Pdu { len } => self.submit_pdu(now, &body, len),
                    Compose::Text { da } => self.submit_text(now, &da, &body, cscs),
                };
                Some(match r {
                    Ok(mr) => format!("\r\n+CMGS: {mr}\r\n\r\nOK\r\n").into_bytes(),
                    Err(code) => format!("\r\n+CMS ERROR: {code}\r\n").into_bytes(),
                })
            }
            b'\r' if matches!(self.compose, Some(Compose::Text { .. })) => {
                self.buf.push(b'\n');
                Some(self.prompt_bytes())
            }
            b'\r' | b'\n' => None,
            _ => {
                if self.buf.len() < 4096 {
                    self.buf.push(b);
                }
                None
            }
        }
    }

    fn submit_pdu(&mut self, now: Instant, body: &[u8], len: usize) -> Result<u8, u16> {
        let text = String::from_utf8_lossy(body);
        let bytes = codec::hex::decode(text.trim()).map_err(|_| 304u16)?;
        let pdu = Pdu::new_checked(&bytes[..], SmscPrefix::Present).map_err(|_| 304u16)?;
        if pdu.tpdu().len() != len {
            return Err(304);
        }
        let sms = pdu.parse().map_err(|_| 304u16)?;
        if !matches!(sms.kind, SmsKind::Submit(_)) {
            return Err(304);
        }
        if self.csca.is_empty() && sms.smsc.is_none() {
            return Err(330);
        }
        let text = if sms.concat.is_some_and(|c| c.total > 1) {
            None
        } else {
            Some(sms.text.clone())
        };
        self.sent += 1;
        self.accept(now, &sms.address.display(), text.as_deref());
        Ok(self.next_mr())
    }

    fn submit_text(&mut self, now: Instant, da: &str, body: &[u8], cscs: &str) -> Result<u8, u16> {
        let raw = String::from_utf8_lossy(body).into_owned();
        let text = if cscs == "UCS2" {
            let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            codec::hex::decode(&compact)
                .map(|b| codec::ucs2::decode(&b).text)
                .map_err(|_| 305u16)?
        } else {
            raw
        };
        if self.csca.is_empty() {
            return Err(330);
        }
        self.sent += 1;
        self.accept(now, da, Some(&text));
        Ok(self.next_mr())
    }

    fn next_mr(&mut self) -> u8 {
        self.mr = self.mr.wrapping_add(1);
        self.mr
    }

    /// The network got a message to `to`: schedule the scenario's reply, if any.
    fn accept(&mut self, now: Instant, to: &str, text: Option<&str>) {
        let Some(text) = text else { return };
        // Every matching entry answers: a second one with another `reply_from` is an unrelated
        // message that happens to arrive during the wait.
        let replies: Vec<SmsReply> = self
            .replies
            .iter()
            .filter(|r| {
                same_sender(&r.number, to, Some("86"))
                    && (r.keyword == "*" || r.keyword.trim().eq_ignore_ascii_case(text.trim()))
            })
            .cloned()
            .collect();
        for reply in replies {
            self.schedule(now, reply);
        }
    }

    fn schedule(&mut self, now: Instant, reply: SmsReply) {
        let from = reply.reply_from.clone().unwrap_or(reply.number.clone());
        let texts: Vec<String> = match (&reply.text, reply.parts.is_empty()) {
            (Some(t), _) => vec![t.clone()],
            (None, false) => reply.parts.clone(),
            (None, true) => Vec::new(),
        };
        let smsc = (!self.csca.is_empty()).then(|| self.csca.clone());
        let mut pdus = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let ts = self.next_timestamp();
            let reference = reply.reference.wrapping_add(i as u16);
            if let Ok(p) = encode_deliver(&from, t, ts, reference, smsc.as_deref()) {
                pdus.extend(p);
            }
        }
        let order: Vec<usize> = if reply.order.is_empty() {
            (1..=pdus.len()).collect()
        } else {
            reply.order.clone()
        };
        for (k, n) in order.iter().enumerate() {
            let Some(pdu) = n.checked_sub(1).and_then(|i| pdus.get(i)) else {
                continue;
            };
            let at = now
                + Duration::from_millis(reply.delay_ms)
                + Duration::from_millis(reply.gap_ms.saturating_mul(k as u64));
            self.pending.push(Delivery {
                at,
                pdu: pdu.clone(),
                storage: reply.storage.as_deref().map(mem_name),
                announce: reply.announce,
            });
        }
    }
}

fn smsc_len(pdu: &[u8]) -> usize {
    pdu.first().map(|&n| usize::from(n) + 1).unwrap_or(0)
}

/// Renders one stored message as `+CMGL`/`+CMGR` lines (`index` is `None` for `+CMGR`).
fn render(lines: &mut Vec<String>, index: Option<u32>, m: &Stored, cmgf: u8, csdh: u8, cscs: &str) {
    let tag = if index.is_some() { "+CMGL" } else { "+CMGR" };
    let idx = index.map(|i| format!("{i},")).unwrap_or_default();
    if cmgf == 0 {
        let tpdu_len = m.pdu.len().saturating_sub(smsc_len(&m.pdu));
        lines.push(format!("{tag}: {idx}{},,{tpdu_len}", m.stat));
        lines.push(m.raw.clone().unwrap_or_else(|| codec::hex::encode(&m.pdu)));
        return;
    }
    let sms = Sms::decode(&m.pdu, SmscPrefix::Present).ok();
    let (addr, text, ts) = match &sms {
        Some(s) => (
            s.address.display(),
            s.text.clone(),
            s.timestamp.map(|t| {
                format!(
                    "{:02}/{:02}/{:02},{:02}:{:02}:{:02}{:+03}",
                    t.year % 100,
                    t.month,
                    t.day,
                    t.hour,
                    t.minute,
                    t.second,
                    t.tz_quarters
                )
            }),
        ),
        None => (String::new(), String::new(), None),
    };
    let (addr_out, text_out) = if cscs == "UCS2" {
        (
            codec::hex::encode(&codec::ucs2::encode(&addr)),
            codec::hex::encode(&codec::ucs2::encode(&text)),
        )
    } else {
        let plain: String = text
            .chars()
            .map(|c| if c.is_ascii() { c } else { '?' })
            .collect();
        (addr.clone(), plain)
    };
    let mut header = format!(
        "{tag}: {idx}\"{}\",\"{addr_out}\",,\"{}\"",
        stat_text(m.stat),
        ts.unwrap_or_default()
    );
    if csdh == 1 {
        let toa = sms.as_ref().map(|s| s.address.toa).unwrap_or(129);
        header.push_str(&format!(",{toa},{}", text.chars().count()));
    }
    lines.push(header);
    // Text-mode data cannot hold a line break inside one listing line; keep one line per
    // line of the text (the listing parser joins them back with \n).
    for l in text_out.split('\n') {
        lines.push(l.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::{parse_cmgl, parse_text_listing, ListItem, TextCharset, TextItem};

    fn state(family: Family) -> SmsState {
        let inbox = vec![
            InboxMessage {
                from: "+8613912345678".into(),
                text: "晚上一起吃饭吗？".into(),
                status: None,
                storage: None,
                pdu: None,
            },
            InboxMessage {
                from: "Bank".into(),
                text: "Your code is 1234".into(),
                status: Some("read".into()),
                storage: Some("ME".into()),
                pdu: None,
            },
        ];
        let replies = vec![SmsReply {
            number: "10086".into(),
            keyword: "CXLL".into(),
            reply_from: None,
            delay_ms: 10,
            gap_ms: 5,
            text: Some("您当月常用流量已用1.85M，可用1198.14M".repeat(3)),
            parts: vec![],
            order: vec![2, 1],
            storage: None,
            announce: true,
            reference: 0x2B,
        }];
        SmsState::new(family, SmsConfig::default(), replies, &inbox)
    }

    fn run(s: &mut SmsState, cmd: &str, cscs: &str) -> (Vec<String>, bool) {
        let mut lines = Vec::new();
        let (f, _) = s
            .command(cmd, true, cscs, &mut lines)
            .expect("an SMS command");
        (lines, matches!(f, SmsFinal::Ok))
    }

    #[test]
    fn listing_marks_read_unless_no_change_mode() {
        let mut q = state(Family::Quectel);
        let (l, ok) = run(&mut q, "+CMGL=4,1", "IRA");
        assert!(ok);
        assert!(l[0].starts_with("+CMGL: 0,0,,"), "{l:?}");
        let (l, _) = run(&mut q, "+CMGL=4", "IRA");
        assert!(l[0].starts_with("+CMGL: 0,0,,"), "{l:?}");
        let (l, _) = run(&mut q, "+CMGL=4", "IRA");
        assert!(l[0].starts_with("+CMGL: 0,1,,"), "now read: {l:?}");
        let mut h = state(Family::Huawei);
        assert!(!run(&mut h, "+CMGL=4,1", "IRA").1);
    }

    #[test]
    fn keyword_reply_is_delivered_out_of_order_and_reassembles() {
        let mut s = state(Family::Huawei);
        let t0 = Instant::now();
        let mut lines = Vec::new();
        let pdu = crate::sms::encode_submit("10086", "cxll", &Default::default()).unwrap();
        let (f, prompt) = s
            .command(
                &format!("+CMGS={}", pdu[0].tpdu_len),
                true,
                "IRA",
                &mut lines,
            )
            .unwrap();
        assert!(matches!(f, SmsFinal::Prompt));
        assert_eq!(prompt.as_deref(), Some(&b"\r\n> "[..]));
        let mut out = None;
        for b in pdu[0].hex.bytes().chain([0x1A]) {
            out = s.prompt_byte(t0, b, "IRA").or(out);
        }
        let out = String::from_utf8(out.unwrap()).unwrap();
        assert!(out.contains("+CMGS: 1"), "{out}");
        assert!(s.deliver_due(t0).is_empty());
        let urcs = s.deliver_due(t0 + Duration::from_secs(1));
        assert_eq!(urcs.len(), 2);
        assert!(String::from_utf8_lossy(&urcs[0]).contains("+CMTI: \"SM\",1"));
        let (l, _) = run(&mut s, "+CMGL=4", "IRA");
        let refs: Vec<&str> = l.iter().map(|s| s.as_str()).collect();
        let items = parse_cmgl(&refs, Some("SM"));
        assert_eq!(items.len(), 3);
        let mut r = crate::sms::Reassembler::new(Some("86"));
        for it in items.into_iter().skip(1) {
            let ListItem::Entry(e) = it else { panic!() };
            r.add(e.sms, None);
        }
        assert_eq!(
            r.finish()[0].text,
            "您当月常用流量已用1.85M，可用1198.14M".repeat(3)
        );
    }

    #[test]
    fn text_mode_ucs2_listing_and_storage_selection() {
        let mut s = state(Family::Zte);
        assert!(run(&mut s, "+CMGF=1", "UCS2").1);
        let (l, _) = run(&mut s, "+CPMS=\"ME\",\"ME\",\"ME\"", "UCS2");
        assert_eq!(l, vec!["+CPMS: 1,100,1,100,1,100"]);
        let (l, _) = run(&mut s, "+CMGL=\"ALL\"", "UCS2");
        let refs: Vec<&str> = l.iter().map(|s| s.as_str()).collect();
        let items = parse_text_listing(&refs, TextCharset::Ucs2, None, Some("ME"));
        let TextItem::Entry(e) = &items[0] else {
            panic!("{items:?}")
        };
        assert_eq!(e.address.as_deref(), Some("Bank"));
        assert_eq!(e.text, "Your code is 1234");
        let (l, _) = run(&mut s, "+CPMS=?", "UCS2");
        assert_eq!(
            l,
            vec!["+CPMS: (\"ME\",\"SM\"),(\"ME\",\"SM\"),(\"ME\",\"SM\")"]
        );
        assert!(!run(&mut s, "+CPMS=\"MT\"", "UCS2").1);
    }

    #[test]
    fn delete_and_errors() {
        let mut s = state(Family::Quectel);
        assert!(run(&mut s, "+CMGD=0", "IRA").1);
        let (l, _) = run(&mut s, "+CMGL=4", "IRA");
        assert!(l.is_empty());
        let mut lines = Vec::new();
        let (f, _) = s.command("+CMGS=10", false, "IRA", &mut lines).unwrap();
        assert!(matches!(f, SmsFinal::Cms(331)));
        assert!(s.command("+CUSD=1", true, "IRA", &mut lines).is_none());
    }
}
