//! Who the modem and SIM are: manufacturer, model, firmware, IMEI, IMSI, ICCID, operator,
//! registration, signal. Each item degrades to `None` when the modem does not support the
//! command — `simquota info` shows what it can.

use serde::Serialize;

use super::{Modem, ModemError};
use crate::at::{split_params, Param};

/// What `simquota info` reports.
#[derive(schemars::JsonSchema, Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Identity {
    /// `AT+CGMI`.
    pub manufacturer: Option<String>,
    /// `AT+CGMM`.
    pub model: Option<String>,
    /// `AT+CGMR`.
    pub firmware: Option<String>,
    /// `AT+CGSN`.
    pub imei: Option<String>,
    /// `AT+CIMI`.
    pub imsi: Option<String>,
    /// `AT+CCID` / `AT^ICCID?` / `AT+QCCID`.
    pub iccid: Option<String>,
    /// `+CPIN?` state (`READY`, `SIM PIN`…), or the error when there is no SIM.
    pub sim: Option<String>,
    /// Operator name from `AT+COPS?`.
    pub operator: Option<String>,
    /// Registration, in words (`home`, `roaming`, `searching`, `denied`, `not registered`).
    pub registration: Option<String>,
    /// Signal strength in dBm from `AT+CSQ` (None when unknown).
    pub signal_dbm: Option<i32>,
    /// Raw `+CSQ` rssi (0–31, 99 unknown).
    pub signal_rssi: Option<u8>,
}

/// The first meaningful value of a response: the line without its `prefix:` and quotes.
pub(crate) fn first_value(lines: &[String], prefix: &str) -> Option<String> {
    lines.iter().find_map(|l| {
        let l = l.trim();
        let v = l
            .strip_prefix(prefix)
            .map(|r| r.trim_start_matches(':').trim())
            .unwrap_or(l);
        let v = v.trim_matches('"').trim();
        (!v.is_empty()).then(|| v.to_string())
    })
}

fn iccid_from(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|l| {
        let digits: String = l
            .rsplit([':', ' '])
            .next()
            .unwrap_or("")
            .trim_matches('"')
            .trim_end_matches(['F', 'f'])
            .to_string();
        (digits.len() >= 18 && digits.len() <= 22 && digits.chars().all(|c| c.is_ascii_digit()))
            .then_some(digits)
    })
}

fn registration_word(stat: i64) -> &'static str {
    match stat {
        0 => "not registered",
        1 => "home",
        2 => "searching",
        3 => "denied",
        5 => "roaming",
        6 | 7 => "home (SMS only)",
        _ => "unknown",
    }
}

impl Modem {
    /// Asks the modem and SIM who they are; unsupported commands leave fields empty.
    pub async fn identify(&mut self) -> Result<Identity, ModemError> {
        let mut id = Identity {
            manufacturer: self.manufacturer.clone(),
            ..Identity::default()
        };
        if id.manufacturer.is_none() {
            id.manufacturer = self.value("AT+CGMI", "+CGMI").await?;
        }
        id.model = self.value("AT+CGMM", "+CGMM").await?;
        id.firmware = self.value("AT+CGMR", "+CGMR").await?;
        id.imei = self.value("AT+CGSN", "+CGSN").await?;
        // A reply garbled on the line (noise, a URC torn into it) is asked again rather than
        // taken as a SIM state: only the TS 27.007 §8.3 codes are states.
        for attempt in 0..3 {
            let known;
            (id.sim, known) = match self.ok("AT+CPIN?").await {
                Ok(l) => {
                    let v = first_value(&l, "+CPIN");
                    let known = v.as_deref().is_some_and(is_cpin_code);
                    (v, known)
                }
                // A refusal (`+CME ERROR: SIM not inserted`) is a clear answer.
                Err(ModemError::Rejected { result, .. }) => (Some(result.to_string()), true),
                Err(e) => return Err(e),
            };
            if known || attempt == 2 {
                break;
            }
        }
        if id.sim.as_deref() == Some("READY") {
            id.imsi = self.value("AT+CIMI", "+CIMI").await?;
            id.iccid = self.read_iccid().await?;
        }
        if let Some(lines) = self.lines("AT+COPS?").await? {
            id.operator = lines.iter().find_map(|l| {
                let params = split_params(l).params;
                match params.get(2) {
                    Some(Param::Str(s)) if !s.is_empty() => Some(s.clone()),
                    _ => None,
                }
            });
        }
        for cmd in ["AT+CREG?", "AT+CEREG?", "AT+CGREG?"] {
            if let Some(lines) = self.lines(cmd).await? {
                let stat = lines.iter().find_map(|l| {
                    let params = split_params(l).params;
                    match params.get(1).or(params.first()) {
                        Some(Param::Int(n)) => Some(*n),
                        _ => None,
                    }
                });
                if let Some(stat) = stat {
                    id.registration = Some(registration_word(stat).to_string());
                    if stat == 1 || stat == 5 {
                        break;
                    }
                }
            }
        }
        if let Some(lines) = self.lines("AT+CSQ").await? {
            let rssi = lines
                .iter()
                .find_map(|l| match split_params(l).params.first() {
                    Some(Param::Int(n)) => u8::try_from(*n).ok(),
                    _ => None,
                });
            id.signal_rssi = rssi;
            id.signal_dbm = rssi.filter(|r| *r <= 31).map(|r| -113 + 2 * i32::from(r));
        }
        Ok(id)
    }

    /// The lines of a command that ended in OK, `None` when the modem refused it.
    async fn lines(&mut self, cmd: &str) -> Result<Option<Vec<String>>, ModemError> {
        match self.ok(cmd).await {
            Ok(l) => Ok(Some(l)),
            Err(ModemError::Rejected { .. }) | Err(ModemError::Timeout { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The SIM's ICCID, if a command the modem knows shows it (readable without the PIN on
    /// most modems: EF_ICCID's read access is ALW, ETSI TS 102 221 §13.2).
    pub async fn read_iccid(&mut self) -> Result<Option<String>, ModemError> {
        for cmd in ["AT+CCID", "AT^ICCID?", "AT+QCCID", "AT+ICCID"] {
            if let Some(v) = self.lines(cmd).await?.as_deref().and_then(iccid_from) {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    /// The modem's IMEI (`AT+CGSN`).
    pub async fn read_imei(&mut self) -> Result<Option<String>, ModemError> {
        self.value("AT+CGSN", "+CGSN").await
    }

    async fn value(&mut self, cmd: &str, prefix: &str) -> Result<Option<String>, ModemError> {
        Ok(self.lines(cmd).await?.and_then(|l| first_value(&l, prefix)))
    }
}

/// The `<code>` values of `+CPIN?` (TS 27.007 §8.3), and the refusals a modem gives instead.
fn is_cpin_code(v: &str) -> bool {
    matches!(
        v,
        "READY"
            | "SIM PIN"
            | "SIM PUK"
            | "SIM PIN2"
            | "SIM PUK2"
            | "PH-SIM PIN"
            | "PH-FSIM PIN"
            | "PH-FSIM PUK"
            | "PH-NET PIN"
            | "PH-NET PUK"
            | "PH-NETSUB PIN"
            | "PH-NETSUB PUK"
            | "PH-SP PIN"
            | "PH-SP PUK"
            | "PH-CORP PIN"
            | "PH-CORP PUK"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_iccids() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            first_value(&l(&["huawei"]), "+CGMI").as_deref(),
            Some("huawei")
        );
        assert_eq!(
            first_value(&l(&["+CGMI: \"Quectel\""]), "+CGMI").as_deref(),
            Some("Quectel")
        );
        assert_eq!(first_value(&l(&[""]), "+CGMI"), None);
        assert_eq!(
            iccid_from(&l(&["^ICCID: 8900101000000000001F"])).as_deref(),
            Some("8900101000000000001")
        );
        assert_eq!(iccid_from(&l(&["+CCID: 12"])), None);
    }
}

#[cfg(test)]
mod cpin_tests {
    #[test]
    fn only_27007_codes_are_sim_states() {
        for v in ["READY", "SIM PIN", "SIM PUK", "PH-NET PIN"] {
            assert!(super::is_cpin_code(v), "{v}");
        }
        for v in ["REA#DY", "RE", "", "READY^RSSI:3", "ready?"] {
            assert!(!super::is_cpin_code(v), "{v}");
        }
    }
}
