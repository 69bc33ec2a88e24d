//! SMS through ModemManager (`org.freedesktop.ModemManager1.Modem.Messaging`): `List() → ao`,
//! `Create(a{sv}) → o` then `org.freedesktop.ModemManager1.Sms.Send()`, `Delete(o)`.
//!
//! ModemManager decodes PDUs and joins multi-part messages itself: an SMS object is in state
//! "received" only once every part has arrived ("receiving" before), so a reply is taken
//! only in that state. Nothing is deleted unless the caller asks ([`sms_delete`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, Value};

use super::props::{self, Props};
use super::{iface, MmError, MmModem, CALL_TIMEOUT};

/// `MMSmsState` value of a complete incoming message.
const RECEIVED: u32 = 3;

/// One SMS object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MmSms {
    /// D-Bus object path, e.g. `/org/freedesktop/ModemManager1/SMS/3`.
    pub path: String,
    /// `Number`: the sender (received) or recipient (sent).
    pub number: Option<String>,
    /// `Text`, as ModemManager decoded it (multi-part messages joined).
    pub text: Option<String>,
    /// `Timestamp` (ISO 8601 as ModemManager gives it), for received messages.
    pub timestamp: Option<String>,
    /// `State` (`MMSmsState`: 1 stored, 2 receiving, 3 received, 4 sending, 5 sent).
    pub state: Option<u32>,
    /// `PduType` (`MMSmsPduType`: 1 deliver, 2 submit, 3 status-report).
    pub pdu_type: Option<u32>,
    /// `Storage` (`MMSmsStorage`: 1 SM, 2 ME, 3 MT, 4 SR, 5 BM, 6 TA).
    pub storage: Option<u32>,
    /// `MessageReference` of a sent message.
    pub message_reference: Option<u32>,
    /// `SMSC`, when known.
    pub smsc: Option<String>,
}

impl MmSms {
    fn from_props(path: &str, p: &Props) -> MmSms {
        MmSms {
            path: path.to_string(),
            number: props::string(p, "Number"),
            text: p.get("Text").and_then(|v| match &**v {
                // The text keeps its blanks: it is the carrier's words.
                Value::Str(s) if !s.is_empty() => Some(s.to_string()),
                _ => None,
            }),
            timestamp: props::string(p, "Timestamp"),
            state: props::u32_of(p, "State"),
            pdu_type: props::u32_of(p, "PduType"),
            storage: props::u32_of(p, "Storage"),
            message_reference: props::u32_of(p, "MessageReference"),
            smsc: props::string(p, "SMSC"),
        }
    }

    /// `State` in words.
    pub fn state_name(&self) -> &'static str {
        match self.state {
            Some(1) => "stored",
            Some(2) => "receiving",
            Some(3) => "received",
            Some(4) => "sending",
            Some(5) => "sent",
            _ => "unknown",
        }
    }

    /// `Storage` in words (the TS 27.005 memory names).
    pub fn storage_name(&self) -> &'static str {
        match self.storage {
            Some(1) => "SM",
            Some(2) => "ME",
            Some(3) => "MT",
            Some(4) => "SR",
            Some(5) => "BM",
            Some(6) => "TA",
            _ => "unknown",
        }
    }
}

async fn read_sms(modem: &MmModem, path: &str) -> Result<MmSms, MmError> {
    let p = modem
        .bus
        .get_all(path, iface::SMS, "reading an SMS")
        .await?;
    Ok(MmSms::from_props(path, &p))
}

async fn list_paths(modem: &MmModem) -> Result<Vec<OwnedObjectPath>, MmError> {
    modem
        .bus
        .call(
            &modem.path,
            iface::MESSAGING,
            "List",
            &(),
            "listing SMS",
            CALL_TIMEOUT,
        )
        .await
}

/// Every SMS ModemManager knows for this modem (received, stored and sent), in list order.
/// A message that vanishes between listing and reading (deleted meanwhile) is skipped.
pub async fn sms_list(modem: &MmModem) -> Result<Vec<MmSms>, MmError> {
    let mut out = Vec::new();
    for p in list_paths(modem).await? {
        match read_sms(modem, p.as_str()).await {
            Ok(s) => out.push(s),
            Err(MmError::NoSuchObject { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Sends `text` to `number`; the SMS as ModemManager reports it after sending (state
/// "sent", with its message reference). The SMS object is kept, as ModemManager keeps it.
pub async fn sms_send(modem: &MmModem, number: &str, text: &str) -> Result<MmSms, MmError> {
    let number = number.trim();
    if number.is_empty() {
        return Err(MmError::BadArgument {
            what: "sending an SMS".to_string(),
            detail: "the number is empty".to_string(),
        });
    }
    let mut fields: HashMap<&str, Value<'_>> = HashMap::new();
    fields.insert("number", Value::from(number));
    fields.insert("text", Value::from(text));
    let sms: OwnedObjectPath = modem
        .bus
        .call(
            &modem.path,
            iface::MESSAGING,
            "Create",
            &(fields,),
            "creating an SMS",
            CALL_TIMEOUT,
        )
        .await?;
    // Sending waits for the network's acknowledgement; give it longer than a property read.
    modem
        .bus
        .call_unit(
            sms.as_str(),
            iface::SMS,
            "Send",
            &(),
            "sending an SMS",
            CALL_TIMEOUT * 6,
        )
        .await?;
    read_sms(modem, sms.as_str()).await
}

/// Deletes the SMS at `path` (from ModemManager and the modem's storage).
pub async fn sms_delete(modem: &MmModem, path: &str) -> Result<(), MmError> {
    let what = "deleting an SMS";
    let p = ObjectPath::try_from(path).map_err(|e| MmError::BadArgument {
        what: what.to_string(),
        detail: format!("{path:?} is not a D-Bus object path: {e}"),
    })?;
    modem
        .bus
        .call_unit(
            &modem.path,
            iface::MESSAGING,
            "Delete",
            &(p,),
            what,
            CALL_TIMEOUT,
        )
        .await
}

/// True when two phone numbers or sender names are the same sender: equal, or, for digit
/// strings of at least 6 digits, the same national number with or without `+`, country code
/// or trunk prefix `0`.
fn same_sender(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let digits = |s: &str| -> Option<String> {
        let d: String = s.chars().filter(char::is_ascii_digit).collect();
        let only_number = s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-'));
        (only_number && !d.is_empty()).then_some(d)
    };
    match (digits(a), digits(b)) {
        (Some(x), Some(y)) if x == y => true,
        (Some(x), Some(y)) => {
            // A national number drops its trunk prefix (0) before the country code goes on.
            let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
            x.len().min(y.len()) >= 6 && (x.ends_with(y) || y.ends_with(x))
        }
        _ => false,
    }
}

/// Waits up to `timeout` for complete received messages that are not among `known` paths
/// (take them from [`sms_list`] before sending), from `from` when given; polls every `poll`.
/// Returns the new messages (empty when none came in time).
pub async fn sms_wait_reply(
    modem: &MmModem,
    known: &[String],
    from: Option<&str>,
    timeout: Duration,
    poll: Duration,
) -> Result<Vec<MmSms>, MmError> {
    let start = Instant::now();
    let poll = poll.max(Duration::from_millis(50));
    loop {
        let mut fresh = Vec::new();
        for p in list_paths(modem).await? {
            if known.iter().any(|k| k == p.as_str()) {
                continue;
            }
            let sms = match read_sms(modem, p.as_str()).await {
                Ok(s) => s,
                Err(MmError::NoSuchObject { .. }) => continue,
                Err(e) => return Err(e),
            };
            let from_ok = match (from, sms.number.as_deref()) {
                (None, _) => true,
                (Some(want), Some(got)) => same_sender(want, got),
                (Some(_), None) => false,
            };
            if sms.state == Some(RECEIVED) && from_ok {
                fresh.push(sms);
            }
        }
        if !fresh.is_empty() || start.elapsed() >= timeout {
            return Ok(fresh);
        }
        tokio::time::sleep(poll.min(timeout.saturating_sub(start.elapsed()))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders() {
        let rows = [
            ("+819012345678", "09012345678", true),
            ("+819012345678", "819012345678", true),
            ("5555", "5555", true),
            ("5555", "15555", false),
            ("Beeline", "beeline", true),
            ("Beeline", "MTS", false),
            ("+7 900 123-45-67", "79001234567", true),
            ("", "5555", false),
        ];
        for (a, b, want) in rows {
            assert_eq!(same_sender(a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn names() {
        let s = MmSms {
            state: Some(3),
            storage: Some(2),
            ..MmSms::default()
        };
        assert_eq!((s.state_name(), s.storage_name()), ("received", "ME"));
        assert_eq!(MmSms::default().state_name(), "unknown");
    }
}

#[cfg(test)]
mod props_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Sender matching never panics, is symmetric and reflexive.
        #[test]
        fn same_sender_is_symmetric(a in "[+0-9 A-Za-z-]{0,20}", b in "[+0-9 A-Za-z-]{0,20}") {
            prop_assert_eq!(same_sender(&a, &b), same_sender(&b, &a));
            prop_assert!(same_sender(&a, &a));
        }
    }
}
