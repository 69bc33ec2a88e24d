//! The behavioural modem: an AT command interpreter that acts like a Huawei-, Quectel- or
//! ZTE-family USB modem on a given carrier scenario.
//!
//! Sans-IO like the client core: bytes in (`handle_input`), timed output chunks out
//! (`poll_output`, `poll_timeout`). It keeps no state shared with the client side — the only
//! way to talk to it is through the pseudo-terminal, as with a real modem.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::scenario::{Scenario, UssdReply};
use super::sms::{SmsFinal, SmsSnapshot, SmsState};
use super::{Device, Family};
use crate::codec;

/// Longest command line kept before the rest is dropped (as modems do with their input buffer).
const MAX_LINE: usize = 4096;

/// A final result of an emulated command.
enum Final {
    Ok,
    Error,
    /// `+CME ERROR` code (rendered according to `AT+CMEE`).
    Cme(u16, &'static str),
    /// Huawei's answer to commands it does not know.
    NotSupported,
    /// A final result line given verbatim by a fault scenario.
    Raw(String),
    /// `+CMS ERROR: n` (TS 27.005 §3.2.5).
    Cms(u16),
    /// The `> ` text-entry prompt (these bytes); the final result follows the text.
    Prompt(Vec<u8>),
}

/// The emulated modem.
pub struct SimModem {
    family: Family,
    scenario: Scenario,
    echo: bool,
    cmee: u8,
    cscs: String,
    curc: bool,
    cfun: u8,
    cusd_enabled: bool,
    /// Code path of an open USSD menu session.
    ussd_session: Option<Vec<String>>,
    input: Vec<u8>,
    out: VecDeque<(Instant, Vec<u8>)>,
    next_noise: Option<Instant>,
    noise_every: Option<Duration>,
    /// Commands received, for diagnostics.
    pub log: Vec<String>,
    /// SMS storage and behaviour.
    sms: SmsState,
    /// Wrong PINs entered so far.
    pin_failures: u32,
    /// `AT+CPIN=` commands received.
    pin_attempts: u32,
    probe: Option<Arc<Mutex<ModemState>>>,
    late_prompt: Option<(Instant, Vec<u8>)>,
}

/// The emulated modem's state as a test sees it through a [`Probe`]: the settings a client
/// may change (and must put back) and what reached the network. Test instrumentation only —
/// the client under test sees nothing of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModemState {
    /// Command echo (`ATE`).
    pub echo: bool,
    /// `AT+CMEE`.
    pub cmee: u8,
    /// `AT+CSCS`.
    pub cscs: String,
    /// Huawei `^CURC`.
    pub curc: bool,
    /// A USSD menu session is open (not cancelled with `AT+CUSD=2`).
    pub ussd_open: bool,
    /// `AT+CUSD` result codes enabled.
    pub cusd_enabled: bool,
    /// `AT+CPIN=` commands received.
    pub pin_attempts: u32,
    /// `+CPIN?` state.
    pub pin_state: String,
    /// SMS side.
    pub sms: SmsSnapshot,
    /// Commands received so far.
    pub commands: Vec<String>,
}

/// A live view of a spawned [`SimModem`]'s [`ModemState`].
pub type Probe = Arc<Mutex<ModemState>>;

impl SimModem {
    /// A modem of `family` on `scenario`.
    pub fn new(family: Family, scenario: Scenario) -> Self {
        let cfun = scenario.network.cfun;
        let sms = SmsState::new(
            family,
            scenario.sms_config.clone(),
            scenario.sms.clone(),
            &scenario.sms_inbox,
        );
        SimModem {
            sms,
            family,
            scenario,
            echo: true,
            cmee: 0,
            cscs: "IRA".into(),
            curc: true,
            cfun,
            cusd_enabled: false,
            ussd_session: None,
            input: Vec::new(),
            out: VecDeque::new(),
            next_noise: None,
            noise_every: match family {
                Family::Huawei => Some(Duration::from_secs(2)),
                _ => None,
            },
            log: Vec::new(),
            pin_failures: 0,
            pin_attempts: 0,
            probe: None,
            late_prompt: None,
        }
    }

    /// A handle that follows this modem's state after it is spawned (for tests).
    pub fn probe(&mut self) -> Probe {
        let p = self.probe.get_or_insert_with(Default::default).clone();
        self.update_probe();
        p
    }

    fn update_probe(&self) {
        let Some(p) = &self.probe else { return };
        let st = ModemState {
            echo: self.echo,
            cmee: self.cmee,
            cscs: self.cscs.clone(),
            curc: self.curc,
            ussd_open: self.ussd_session.is_some(),
            cusd_enabled: self.cusd_enabled,
            pin_attempts: self.pin_attempts,
            pin_state: self.scenario.network.pin.clone(),
            sms: self.sms.snapshot(),
            commands: self.log.clone(),
        };
        *p.lock().unwrap_or_else(|e| e.into_inner()) = st;
    }

    /// Changes how often unsolicited status noise (Huawei `^RSSI`) is sent; `None` for never.
    pub fn set_noise_interval(&mut self, every: Option<Duration>) {
        self.noise_every = every;
        self.next_noise = None;
    }

    fn push(&mut self, at: Instant, bytes: Vec<u8>) {
        // Keep the queue ordered by time; equal times keep their order.
        let pos = self
            .out
            .iter()
            .position(|(t, _)| *t > at)
            .unwrap_or(self.out.len());
        self.out.insert(pos, (at, bytes));
    }

    fn info(&self) -> Identity {
        match self.family {
            Family::Huawei => Identity {
                manufacturer: "huawei",
                model: "E3372",
                revision: "22.323.62.00.143",
                imei: "866123456789012",
            },
            Family::Quectel => Identity {
                manufacturer: "Quectel",
                model: "EC25",
                revision: "EC25EFAR06A06M4G",
                imei: "867123456789015",
            },
            Family::Zte => Identity {
                manufacturer: "ZTE CORPORATION",
                model: "MF286D",
                revision: "BD_MF286DV1.0.0B06",
                imei: "868123456789018",
            },
        }
    }

    fn process_line(&mut self, now: Instant, line: &[u8]) {
        let text = String::from_utf8_lossy(line).trim().to_string();
        if self.echo {
            let mut e = line.to_vec();
            e.push(b'\r');
            self.push(now, e);
        }
        if text.is_empty() {
            return;
        }
        self.log.push(text.clone());
        // Like a real modem, look for the `AT` prefix and ignore what comes before it (a stray
        // ESC or Ctrl-Z that left text-entry mode, line noise).
        let Some(at) = text.to_ascii_uppercase().find("AT") else {
            // Real modems ignore input that is not a command.
            return;
        };
        let text = text[at..].to_string();
        let mut lines: Vec<String> = Vec::new();
        let fin = self.command(now, &text[2..], &mut lines);
        let mut out = Vec::new();
        for l in lines {
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(l.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if let Final::Prompt(p) = fin {
            self.push(now, out);
            let delay = self.sms.prompt_delay();
            if delay.is_zero() {
                self.push(now, p);
            } else {
                // Sent only if the text entry was not cancelled (Esc) meanwhile.
                self.late_prompt = Some((now + delay, p));
            }
            return;
        }
        let fin = match fin {
            Final::Prompt(_) => String::new(),
            Final::Cms(n) => format!("+CMS ERROR: {n}"),
            Final::Ok => "OK".to_string(),
            Final::Error => "ERROR".to_string(),
            Final::NotSupported => "COMMAND NOT SUPPORT".to_string(),
            Final::Raw(r) => r,
            Final::Cme(n, text) => match self.cmee {
                0 => "ERROR".to_string(),
                1 => format!("+CME ERROR: {n}"),
                _ => format!("+CME ERROR: {text}"),
            },
        };
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(fin.as_bytes());
        out.extend_from_slice(b"\r\n");
        self.push(now, out);
    }

    fn unknown(&self) -> Final {
        match self.family {
            Family::Huawei => Final::NotSupported,
            _ => Final::Error,
        }
    }

    fn sim_ready(&self) -> Result<(), Final> {
        match self.scenario.network.pin.as_str() {
            "READY" => Ok(()),
            "absent" => Err(Final::Cme(10, "SIM not inserted")),
            "SIM PUK" => Err(Final::Cme(12, "SIM PUK required")),
            _ => Err(Final::Cme(11, "SIM PIN required")),
        }
    }

    /// Executes one command (without the `AT` prefix); returns the final result.
    fn command(&mut self, now: Instant, cmd: &str, lines: &mut Vec<String>) -> Final {
        let upper = cmd.to_ascii_uppercase();
        let id = self.info();
        let net = self.scenario.network.clone();
        match upper.as_str() {
            "" | "Z" | "&F" | "&W" | "V1" | "Q0" | "X4" | "&C1" | "&D2" => {
                if upper == "Z" || upper == "&F" {
                    self.echo = true;
                    self.cmee = 0;
                    self.cscs = "IRA".into();
                }
                return Final::Ok;
            }
            "E0" => {
                self.echo = self.scenario.network.sticky_echo;
                return Final::Ok;
            }
            "E1" | "E" => {
                self.echo = true;
                return Final::Ok;
            }
            "I" | "I0" => {
                lines.push(format!("Manufacturer: {}", id.manufacturer));
                lines.push(format!("Model: {}", id.model));
                lines.push(format!("Revision: {}", id.revision));
                lines.push(format!("IMEI: {}", id.imei));
                lines.push("+GCAP: +CGSM,+DS,+ES".into());
                return Final::Ok;
            }
            "+CGMI" | "+GMI" => {
                lines.push(id.manufacturer.into());
                return Final::Ok;
            }
            "+CGMM" | "+GMM" => {
                lines.push(id.model.into());
                return Final::Ok;
            }
            "+CGMR" | "+GMR" => {
                lines.push(id.revision.into());
                return Final::Ok;
            }
            "+CGSN" | "+GSN" | "+CGSN=1" => {
                lines.push(id.imei.into());
                return Final::Ok;
            }
            "+GCAP" => {
                lines.push("+GCAP: +CGSM,+DS,+ES".into());
                return Final::Ok;
            }
            "+CIMI" => {
                if let Err(f) = self.sim_ready() {
                    return f;
                }
                lines.push(net.imsi.clone());
                return Final::Ok;
            }
            "+CCID" | "^ICCID?" | "+QCCID" | "+ICCID" | "+ZGETICCID" => {
                // EF_ICCID can always be read (ETSI TS 102 221 §13.2, access condition ALW):
                // a PIN-locked SIM still shows its ICCID; only a missing one does not.
                if net.pin == "absent" {
                    return Final::Cme(10, "SIM not inserted");
                }
                // A scenario with no ICCID: a modem whose ICCID command fails.
                if net.iccid.is_empty() {
                    return self.unknown();
                }
                let pfx = match upper.as_str() {
                    "^ICCID?" if self.family == Family::Huawei => "^ICCID: ",
                    "+QCCID" if self.family == Family::Quectel => "+QCCID: ",
                    "+CCID" | "+ICCID" => "+CCID: ",
                    "+ZGETICCID" if self.family == Family::Zte => "+ZGETICCID: ",
                    _ => return self.unknown(),
                };
                lines.push(format!("{pfx}{}", net.iccid));
                return Final::Ok;
            }
            "+CPIN?" => {
                if net.pin == "absent" {
                    return Final::Cme(10, "SIM not inserted");
                }
                lines.push(format!("+CPIN: {}", net.pin));
                return Final::Ok;
            }
            "+CSQ" => {
                lines.push(format!("+CSQ: {},99", net.rssi));
                return Final::Ok;
            }
            "+COPS?" => {
                if net.registration == 1 || net.registration == 5 {
                    lines.push(format!("+COPS: 0,0,\"{}\",{}", net.operator, net.act));
                } else {
                    lines.push("+COPS: 0".into());
                }
                return Final::Ok;
            }
            "+CREG?" | "+CGREG?" | "+CEREG?" => {
                let p = &upper[..upper.len() - 1];
                lines.push(format!("{p}: 0,{}", net.registration));
                return Final::Ok;
            }
            "+CFUN?" => {
                lines.push(format!("+CFUN: {}", self.cfun));
                return Final::Ok;
            }
            "+CMEE?" => {
                lines.push(format!("+CMEE: {}", self.cmee));
                return Final::Ok;
            }
            "+CSCS?" => {
                lines.push(format!("+CSCS: \"{}\"", self.cscs));
                return Final::Ok;
            }
            "+CSCS=?" => {
                lines.push("+CSCS: (\"IRA\",\"GSM\",\"UCS2\",\"HEX\")".into());
                return Final::Ok;
            }
            "+CUSD?" => {
                lines.push(format!("+CUSD: {}", u8::from(self.cusd_enabled)));
                return Final::Ok;
            }
            "+CUSD=?" => {
                lines.push("+CUSD: (0-2)".into());
                return Final::Ok;
            }
            "^CURC?" if self.family == Family::Huawei => {
                lines.push(format!("^CURC: {}", u8::from(self.curc)));
                return Final::Ok;
            }
            "^PORTSEL?" if self.family == Family::Huawei => {
                lines.push("^PORTSEL: 0".into());
                return Final::Ok;
            }
            "^USSDMODE?" if self.family == Family::Huawei => {
                lines.push("^USSDMODE: 1".into());
                return Final::Ok;
            }
            "+CLAC" | "+CGMI=?" | "+CIMI=?" | "+CGSN=?" => return Final::Ok,
            _ => {}
        }
        if let Some(v) = upper.strip_prefix("+CMEE=") {
            return match v.parse::<u8>() {
                Ok(n) if n <= 2 => {
                    self.cmee = n;
                    Final::Ok
                }
                _ => Final::Cme(50, "Incorrect parameters"),
            };
        }
        if let Some(v) = cmd.get(6..).filter(|_| upper.starts_with("+CSCS=")) {
            let cs = v.trim().trim_matches('"').to_ascii_uppercase();
            return match cs.as_str() {
                "IRA" | "GSM" | "UCS2" | "HEX" => {
                    self.cscs = cs;
                    Final::Ok
                }
                _ => Final::Cme(4, "operation not supported"),
            };
        }
        if let Some(v) = cmd.get(6..).filter(|_| upper.starts_with("+CPIN=")) {
            // A wrong PIN is refused and counted; the third blocks the SIM (3GPP TS 31.101).
            self.pin_attempts += 1;
            let given = v.trim().trim_matches('"').to_string();
            return match self.scenario.network.pin.as_str() {
                "SIM PIN" if given == self.scenario.network.pin_code => {
                    self.scenario.network.pin = "READY".into();
                    self.pin_failures = 0;
                    Final::Ok
                }
                "SIM PIN" => {
                    self.pin_failures += 1;
                    if self.pin_failures >= 3 {
                        self.scenario.network.pin = "SIM PUK".into();
                    }
                    Final::Cme(16, "incorrect password")
                }
                _ => Final::Cme(3, "operation not allowed"),
            };
        }
        if let Some(v) = upper.strip_prefix("^CURC=") {
            if self.family != Family::Huawei {
                return self.unknown();
            }
            self.curc = v.trim() != "0";
            return Final::Ok;
        }
        if let Some(v) = upper.strip_prefix("+CFUN=") {
            self.cfun = v
                .split(',')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1);
            return Final::Ok;
        }
        if upper.starts_with("+CREG=")
            || upper.starts_with("+CGREG=")
            || upper.starts_with("+CEREG=")
            || upper.starts_with("+COPS=3")
            || (self.family == Family::Huawei
                && (upper.starts_with("^USSDMODE=") || upper.starts_with("^PORTSEL=")))
        {
            return Final::Ok;
        }
        if upper.starts_with("+CUSD=") {
            return self.cusd(now, &cmd[6..]);
        }
        let registered = matches!(self.scenario.network.registration, 1 | 5);
        let cscs = self.cscs.clone();
        if let Some((f, prompt)) = self.sms.command(cmd, registered, &cscs, lines) {
            return match f {
                SmsFinal::Ok => Final::Ok,
                SmsFinal::Error => Final::Error,
                SmsFinal::Cms(n) => Final::Cms(n),
                SmsFinal::Prompt => Final::Prompt(prompt.unwrap_or_default()),
            };
        }
        self.unknown()
    }

    /// `AT+CUSD=<n>[,<str>[,<dcs>]]`.
    fn cusd(&mut self, now: Instant, args: &str) -> Final {
        let params = crate::at::params::split_quoted(args);
        let n = params.first().map(|s| s.trim()).unwrap_or("");
        match n {
            "0" => {
                self.cusd_enabled = false;
                return Final::Ok;
            }
            "2" => {
                self.ussd_session = None;
                return Final::Ok;
            }
            "1" => self.cusd_enabled = true,
            _ => return Final::Cme(50, "Incorrect parameters"),
        }
        let Some(raw) = params.get(1) else {
            return Final::Ok;
        };
        if let Err(f) = self.sim_ready() {
            return f;
        }
        if let Some(r) = &self.scenario.network.cusd_result {
            return Final::Raw(r.clone());
        }
        if self.scenario.network.registration != 1 && self.scenario.network.registration != 5 {
            return Final::Cme(30, "no network service");
        }
        let raw = raw.trim().trim_matches('"').to_string();
        let request = match self.decode_request(&raw) {
            Some(r) => r,
            None => return Final::Error,
        };
        let mut path = self.ussd_session.take().unwrap_or_default();
        path.push(request);
        let reply = self
            .scenario
            .ussd_reply(&path)
            .or(self.scenario.unknown_ussd.as_ref())
            .cloned()
            .unwrap_or(UssdReply {
                code: String::new(),
                reply: None,
                status: 4,
                delay_ms: 100,
                endless: false,
                raw: Vec::new(),
            });
        if reply.status == 1 {
            self.ussd_session = Some(path);
        }
        let at = now + Duration::from_millis(reply.delay_ms);
        let lines = if reply.raw.is_empty() {
            vec![self.encode_cusd(&reply)]
        } else {
            reply.raw.iter().map(|l| l.as_bytes().to_vec()).collect()
        };
        for l in lines {
            let mut chunk = b"\r\n".to_vec();
            chunk.extend_from_slice(&l);
            chunk.extend_from_slice(b"\r\n");
            self.push(at, chunk);
        }
        Final::Ok
    }

    /// The USSD string as the user dialled it, or `None` when this family rejects the form.
    fn decode_request(&self, raw: &str) -> Option<String> {
        let looks_packed = raw.len() >= 2
            && raw.len().is_multiple_of(2)
            && raw.bytes().all(|b| b.is_ascii_hexdigit());
        match self.family {
            // Huawei E160-style firmware: the request must be packed GSM 7-bit hex
            // (shared/corpus A1 #48); a plain `*100#` is answered with ERROR.
            Family::Huawei => {
                if !looks_packed {
                    return None;
                }
                let bytes = codec::hex::decode(raw).ok()?;
                Some(codec::gsm7::decode_ussd_packed(&bytes).text)
            }
            // SIMCom/Quectel/ZTE take the text as typed; a packed request is refused
            // (shared/corpus A1 #46: "error: retry operation" when packed).
            Family::Quectel | Family::Zte => {
                // The string is in the TE character set (TS 27.007 §7.15): UCS-2 hex under
                // "UCS2" (gammu sends `002A0031003000320023` then, corpus A1 #8), septet hex
                // under "HEX", the text itself under "GSM"/"IRA".
                let text = match self.cscs.as_str() {
                    "UCS2" if looks_packed => {
                        codec::ucs2::decode(&codec::hex::decode(raw).ok()?).text
                    }
                    "HEX" if looks_packed => {
                        codec::gsm7::decode(&codec::hex::decode(raw).ok()?).text
                    }
                    _ => raw.to_string(),
                };
                let plausible = !text.is_empty()
                    && text
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | '+'));
                plausible.then_some(text)
            }
        }
    }

    /// Renders a reply the way this family's firmware puts it on the wire (a `+CUSD` line,
    /// as bytes: under `AT+CSCS="GSM"` the text is raw GSM 7-bit codes, not UTF-8).
    fn encode_cusd(&self, reply: &UssdReply) -> Vec<u8> {
        let Some(text) = reply.reply.as_deref() else {
            return format!("+CUSD: {}", reply.status).into_bytes();
        };
        let septets = codec::gsm7::encode(text).ok();
        let ucs2_hex = || codec::hex::encode(&codec::ucs2::encode(text)).into_bytes();
        let (payload, dcs): (Vec<u8>, u8) = match (self.family, septets) {
            // Huawei: GSM text as packed hex (corpus A1.3), other text as UCS-2 hex, DCS 72.
            (Family::Huawei, Some(s)) => (
                codec::hex::encode(&codec::gsm7::pack_ussd(&s)).into_bytes(),
                15,
            ),
            (Family::Huawei, None) => (ucs2_hex(), 72),
            // ZTE: always UCS-2 hex, and the DCS still says GSM 7-bit (corpus A1 #7).
            (Family::Zte, _) => (ucs2_hex(), 15),
            // Quectel: GSM text in the TE character set (TS 27.007 §7.15), else UCS-2 hex.
            (Family::Quectel, Some(s)) => match self.cscs.as_str() {
                "UCS2" => (ucs2_hex(), 15),
                "HEX" => (codec::hex::encode(&s).into_bytes(), 15),
                "GSM" => (s, 15),
                // IRA: 7-bit ASCII; what it cannot show becomes '?' (corpus A1 #26).
                _ => (
                    text.chars()
                        .map(|c| {
                            if c.is_ascii() && c != '"' {
                                c as u8
                            } else {
                                b'?'
                            }
                        })
                        .collect(),
                    15,
                ),
            },
            (Family::Quectel, None) => (ucs2_hex(), 72),
        };
        let mut line = format!("+CUSD: {},\"", reply.status).into_bytes();
        line.extend_from_slice(&payload);
        line.extend_from_slice(format!("\",{dcs}").as_bytes());
        line
    }
}

impl SimModem {
    fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) {
        for &b in bytes {
            if self.sms.composing() {
                let cscs = self.cscs.clone();
                if let Some(out) = self.sms.prompt_byte(now, b, &cscs) {
                    self.push(now, out);
                }
                continue;
            }
            match b {
                b'\r' => {
                    let line = std::mem::take(&mut self.input);
                    self.process_line(now, &line);
                }
                b'\n' if self.input.is_empty() => {}
                _ => {
                    if self.input.len() < MAX_LINE {
                        self.input.push(b);
                    }
                }
            }
        }
    }

    fn next_output(&mut self, now: Instant) -> Option<Vec<u8>> {
        if let Some((at, _)) = &self.late_prompt {
            if !self.sms.composing() {
                self.late_prompt = None;
            } else if *at <= now {
                if let Some((_, p)) = self.late_prompt.take() {
                    self.push(now, p);
                }
            }
        }
        for urc in self.sms.deliver_due(now) {
            self.push(now, urc);
        }
        if let Some(every) = self.noise_every {
            let due = *self.next_noise.get_or_insert(now + every);
            if due <= now {
                self.next_noise = Some(now + every);
                if self.curc {
                    self.push(now, b"\r\n^RSSI:20\r\n".to_vec());
                }
            }
        }
        match self.out.front() {
            Some((t, _)) if *t <= now => self.out.pop_front().map(|(_, b)| b),
            _ => None,
        }
    }
}

impl Device for SimModem {
    fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        self.handle_bytes(now, bytes);
        self.update_probe();
    }

    fn poll_output(&mut self, now: Instant) -> Option<Vec<u8>> {
        let before = self.probe.is_some().then(|| self.sms.snapshot());
        let out = self.next_output(now);
        if before.is_some_and(|b| b != self.sms.snapshot()) {
            self.update_probe();
        }
        out
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let out = match (self.out.front().map(|(t, _)| *t), self.sms.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let out = match (out, self.late_prompt.as_ref().map(|(t, _)| *t)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (out, self.next_noise.filter(|_| self.noise_every.is_some())) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

struct Identity {
    manufacturer: &'static str,
    model: &'static str,
    revision: &'static str,
    imei: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(m: &mut SimModem, now: Instant, cmd: &str) -> String {
        m.handle_input(now, format!("{cmd}\r").as_bytes());
        let mut s = Vec::new();
        while let Some(b) = m.poll_output(now) {
            s.extend(b);
        }
        String::from_utf8_lossy(&s).into_owned()
    }

    fn drain_until(m: &mut SimModem, until: Instant) -> String {
        let mut s = Vec::new();
        while let Some(t) = m.poll_timeout() {
            if t > until {
                break;
            }
            while let Some(b) = m.poll_output(t) {
                s.extend(b);
            }
        }
        String::from_utf8_lossy(&s).into_owned()
    }

    #[test]
    fn junk_before_at_is_ignored() {
        let t = Instant::now();
        let mut m = SimModem::new(Family::Quectel, Scenario::builtin_default());
        run(&mut m, t, "ATE0");
        assert_eq!(run(&mut m, t, "\x1bAT+CGMI"), "\r\nQuectel\r\n\r\nOK\r\n");
        assert_eq!(run(&mut m, t, "xyz"), "");
    }

    #[test]
    fn echo_identity_and_cme_modes() {
        let t = Instant::now();
        let mut m = SimModem::new(Family::Quectel, Scenario::builtin_default());
        assert_eq!(run(&mut m, t, "AT"), "AT\r\r\nOK\r\n");
        assert_eq!(run(&mut m, t, "ATE0"), "ATE0\r\r\nOK\r\n");
        assert_eq!(run(&mut m, t, "AT+CGMI"), "\r\nQuectel\r\n\r\nOK\r\n");
        assert_eq!(run(&mut m, t, "AT+BOGUS"), "\r\nERROR\r\n");
        let mut h = SimModem::new(Family::Huawei, Scenario::builtin_default());
        h.set_noise_interval(None);
        assert!(run(&mut h, t, "AT+BOGUS").ends_with("\r\nCOMMAND NOT SUPPORT\r\n"));
        let mut s = Scenario::builtin_default();
        s.network.pin = "SIM PIN".into();
        let mut m = SimModem::new(Family::Zte, s);
        run(&mut m, t, "AT+CMEE=1");
        assert!(run(&mut m, t, "AT+CIMI").ends_with("+CME ERROR: 11\r\n"));
        run(&mut m, t, "AT+CMEE=2");
        assert!(run(&mut m, t, "AT+CIMI").ends_with("+CME ERROR: SIM PIN required\r\n"));
    }

    #[test]
    fn huawei_wants_packed_requests_and_answers_ucs2_for_japanese() {
        let t = Instant::now();
        let mut m = SimModem::new(Family::Huawei, Scenario::builtin_default());
        m.set_noise_interval(None);
        run(&mut m, t, "ATE0");
        let plain = run(&mut m, t, "AT+CUSD=1,\"*100#\",15");
        assert_eq!(plain, "\r\nERROR\r\n");
        assert_eq!(run(&mut m, t, "AT+CUSD=1,\"AA180C3602\",15"), "\r\nOK\r\n");
        let urc = drain_until(&mut m, t + Duration::from_secs(5));
        // ご = U+3054
        assert!(urc.starts_with("\r\n+CUSD: 0,\"3054"), "{urc}");
        assert!(urc.trim_end().ends_with(",72"), "{urc}");
    }

    #[test]
    fn zte_mislabels_ucs2_as_gsm() {
        let t = Instant::now();
        let mut m = SimModem::new(Family::Zte, Scenario::builtin_default());
        run(&mut m, t, "ATE0");
        assert_eq!(run(&mut m, t, "AT+CUSD=1,\"*102#\",15"), "\r\nOK\r\n");
        let urc = drain_until(&mut m, t + Duration::from_secs(5));
        assert!(urc.starts_with("\r\n+CUSD: 0,\"00420061"), "{urc}");
        assert!(urc.trim_end().ends_with(",15"), "{urc}");
    }

    #[test]
    fn quectel_menu_session() {
        let t = Instant::now();
        let mut m = SimModem::new(Family::Quectel, Scenario::builtin_default());
        run(&mut m, t, "ATE0");
        run(&mut m, t, "AT+CSCS=\"GSM\"");
        run(&mut m, t, "AT+CUSD=1,\"*102#\",15");
        let urc = drain_until(&mut m, t + Duration::from_secs(5));
        assert_eq!(
            urc,
            "\r\n+CUSD: 0,\"Balance 12.50 EUR, 850 MB left, valid until 31.12.2026\",15\r\n"
        );
        run(&mut m, t, "AT+CUSD=1,\"*101#\",15");
        let menu = drain_until(&mut m, t + Duration::from_secs(5));
        assert!(menu.starts_with("\r\n+CUSD: 1,"), "{menu}");
        run(&mut m, t, "AT+CUSD=1,\"2\",15");
        let r = drain_until(&mut m, t + Duration::from_secs(10));
        // 残高：1,500円 as UCS-2 hex: 6B8B 9AD8 FF1A ...
        assert!(r.starts_with("\r\n+CUSD: 0,\"6B8B9AD8FF1A"), "{r}");
    }
}
