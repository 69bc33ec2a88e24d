//! Carrier scenarios for the emulator: what the "network" answers (TOML, see `scenarios/`).
//!
//! A scenario is data, not code: USSD codes and menu paths map to replies with a delay and a
//! `+CUSD` mode; SMS keywords map to (possibly multi-part) replies. The modem family decides how
//! a reply is *encoded* on the wire (packed GSM hex, UCS-2 hex, plain text) — not the scenario.

use serde::Deserialize;

/// The built-in default scenario: a synthetic carrier answering `*100#` in Japanese.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/example.toml");

/// What the emulated network and SIM look like, and what the carrier answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Human name, shown by `simquota emulate`.
    #[serde(default)]
    pub name: String,
    /// Where the replies come from (URL, issue, or "synthetic").
    #[serde(default)]
    pub source: String,
    /// SIM and network identity.
    #[serde(default)]
    pub network: Network,
    /// USSD replies, keyed by code path (`"*100#"`, or `"*101# > 1"` for a menu answer).
    #[serde(default)]
    pub ussd: Vec<UssdReply>,
    /// What to answer for a code the scenario does not know.
    #[serde(default)]
    pub unknown_ussd: Option<UssdReply>,
    /// SMS keyword replies (`[[sms]]`, see [`super::sms::SmsReply`]).
    #[serde(default)]
    pub sms: Vec<super::sms::SmsReply>,
    /// Messages already stored when the modem starts (`[[sms_inbox]]`).
    #[serde(default)]
    pub sms_inbox: Vec<super::sms::InboxMessage>,
    /// SMS storage sizes, prompt style and faults (`[sms_config]`).
    #[serde(default)]
    pub sms_config: super::sms::SmsConfig,
}

/// SIM and network identity reported by the emulated modem.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// Operator name as `+COPS?` shows it.
    pub operator: String,
    /// MCC+MNC, e.g. `"00101"`.
    pub mcc_mnc: String,
    /// IMSI (`AT+CIMI`).
    pub imsi: String,
    /// ICCID (`AT+CCID`, `AT^ICCID?`, `AT+QCCID`).
    pub iccid: String,
    /// `+CPIN?` answer: `READY`, `SIM PIN`, `SIM PUK`, or `absent` for no SIM.
    pub pin: String,
    /// Registration state for `+CREG?` (1 home, 5 roaming, 0 none, 2 searching, 3 denied).
    pub registration: u8,
    /// Signal quality `+CSQ` rssi (0–31, 99 unknown).
    pub rssi: u8,
    /// Access technology for `+COPS?` (0 GSM, 2 UTRAN, 7 E-UTRAN).
    pub act: u8,
    /// `AT+CFUN?` level at start: 1 on, 0 or 4 radio off (airplane mode).
    pub cfun: u8,
    /// Fault: the final result every `AT+CUSD=1,…` request gets instead of `OK`
    /// (e.g. `"ERROR"`, `"+CME ERROR: 30"` for an LTE-only modem without CS fallback).
    pub cusd_result: Option<String>,
    /// The SIM's PIN (default `1234`); three wrong ones block it (`SIM PUK`), like a real SIM.
    pub pin_code: String,
    /// Fault: `ATE0` is answered `OK` but echo stays on (firmware that ignores it).
    pub sticky_echo: bool,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            operator: "ExampleTel".into(),
            mcc_mnc: "00101".into(),
            imsi: "001010123456789".into(),
            iccid: "8900101000000000001".into(),
            pin: "READY".into(),
            registration: 1,
            rssi: 20,
            act: 7,
            cfun: 1,
            cusd_result: None,
            pin_code: "1234".into(),
            sticky_echo: false,
        }
    }
}

/// One USSD answer of the emulated carrier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UssdReply {
    /// Code path: the dialled code, then each menu input, joined by `" > "`.
    #[serde(default)]
    pub code: String,
    /// The reply text (encoded by the modem family on the wire). Absent: a status-only `+CUSD`.
    #[serde(default)]
    pub reply: Option<String>,
    /// `+CUSD` mode of the reply: 0 done, 1 menu (further action), 2 released, 4 not supported…
    #[serde(default)]
    pub status: u8,
    /// How long the network takes to answer, in milliseconds.
    #[serde(default = "default_delay")]
    pub delay_ms: u64,
    /// A menu that answers every input with itself (fault scenario).
    #[serde(default)]
    pub endless: bool,
    /// Exact `+CUSD` line(s) to send instead of an encoded reply (for replaying odd firmware).
    #[serde(default)]
    pub raw: Vec<String>,
}

fn default_delay() -> u64 {
    300
}

impl Scenario {
    /// Parses a scenario file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The built-in default scenario.
    pub fn builtin_default() -> Self {
        // The default scenario is compiled in and covered by a test; fall back to an empty
        // scenario rather than panic if it were ever broken.
        Self::parse(DEFAULT_SCENARIO).unwrap_or_else(|_| Scenario {
            name: "empty".into(),
            source: String::new(),
            network: Network::default(),
            ussd: Vec::new(),
            unknown_ussd: None,
            sms: Vec::new(),
            sms_inbox: Vec::new(),
            sms_config: Default::default(),
        })
    }

    /// The reply for a USSD code path, e.g. `["*101#", "1"]`.
    pub fn ussd_reply(&self, path: &[String]) -> Option<&UssdReply> {
        let key = path.join(" > ");
        if let Some(r) = self.ussd.iter().find(|r| normalize(&r.code) == key) {
            return Some(r);
        }
        // An endless menu answers any input below it with itself.
        (1..path.len()).rev().find_map(|n| {
            let prefix = path[..n].join(" > ");
            self.ussd
                .iter()
                .find(|r| r.endless && normalize(&r.code) == prefix)
        })
    }
}

fn normalize(code: &str) -> String {
    code.split('>')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" > ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_parses_and_answers_star100() {
        let s = Scenario::parse(DEFAULT_SCENARIO).expect("built-in scenario must parse");
        let r = s.ussd_reply(&["*100#".into()]).expect("*100# answered");
        assert!(r.reply.as_deref().unwrap_or("").contains("1.25GB"));
        assert_eq!(r.status, 0);
    }

    #[test]
    fn menu_paths_and_endless_menus() {
        let s = Scenario::parse(
            r#"
            [[ussd]]
            code = "*101#"
            reply = "1. Balance"
            status = 1
            [[ussd]]
            code = "*101#>1"
            reply = "Balance 5 EUR"
            [[ussd]]
            code = "*999#"
            reply = "Again?"
            status = 1
            endless = true
            "#,
        )
        .unwrap();
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            s.ussd_reply(&p(&["*101#", "1"])).unwrap().reply.as_deref(),
            Some("Balance 5 EUR")
        );
        assert!(s.ussd_reply(&p(&["*101#", "2"])).is_none());
        assert_eq!(
            s.ussd_reply(&p(&["*999#", "1", "1", "7"]))
                .unwrap()
                .reply
                .as_deref(),
            Some("Again?")
        );
    }

    #[test]
    fn unknown_fields_are_rejected_with_their_name() {
        let e = Scenario::parse("[[ussd]]\ncode='*100#'\nrepyl='x'\n").unwrap_err();
        assert!(e.contains("repyl"), "{e}");
    }
}
