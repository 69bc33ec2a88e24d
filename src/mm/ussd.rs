//! USSD through ModemManager (`org.freedesktop.ModemManager1.Modem.Modem3gpp.Ussd`):
//! `Initiate(s) → s`, `Respond(s) → s`, `Cancel()`, property `State`
//! (`MMModem3gppUssdSessionState`: 0 unknown, 1 idle, 2 active, 3 user-response) and
//! `NetworkRequest` (the text of a network-initiated request waiting for an answer).
//!
//! The conversation has the same shape as the AT flow ([`crate::ussd::flow`]): a stale
//! session is cancelled first; after each answer `State` 3 means the network shows a menu
//! and waits; menu answers are taken in order from `replies` (then from `ask`); a menu that
//! would run past `max_rounds` exchanges, or that we have no answer for, is cancelled.
//! Each reply is decoded by [`decode_payload`] with no DCS and the GSM character set, so
//! text that ModemManager passed through undecoded (UCS-2 hex) becomes text the same way as
//! under the AT backend.

use std::time::Duration;

use serde::Serialize;
use zbus::zvariant::Value;

use super::{iface, MmError, MmModem, CALL_TIMEOUT};
use crate::ussd::flow::{AskFn, UssdExchange};
use crate::ussd::{decode_payload, Charset, DecodeOverrides, UssdStatus, UssdText};

/// `MMModem3gppUssdSessionState` value for a menu waiting for our answer.
const USER_RESPONSE: u32 = 3;

/// How a USSD check through ModemManager runs.
pub struct MmUssdOptions {
    /// Longest wait for each network answer (ModemManager may give up earlier by itself).
    pub timeout: Duration,
    /// User overrides for undecodable replies (`--dcs`, `--charset`).
    pub overrides: DecodeOverrides,
    /// Asks for the next menu answer once `replies` are used up; `None` ends the menu.
    pub ask: Option<AskFn>,
}

impl Default for MmUssdOptions {
    fn default() -> Self {
        MmUssdOptions {
            timeout: Duration::from_secs(90),
            overrides: DecodeOverrides::default(),
            ask: None,
        }
    }
}

/// The result of a USSD conversation through ModemManager.
#[derive(Debug, Clone, Serialize)]
pub struct MmUssdOutcome {
    /// The modem's object path.
    pub modem: String,
    /// Every round in order, in the same form as the AT flow's (`status` is
    /// `FurtherActionRequired` when ModemManager's session state was user-response after
    /// the answer, `NoFurtherAction` otherwise).
    pub exchanges: Vec<UssdExchange>,
    /// True when a menu was left open and cancelled (no more answers, or the cap hit).
    pub cancelled_menu: bool,
    /// True when a session left open by someone else was cancelled before we began.
    pub cancelled_stale: bool,
}

impl MmUssdOutcome {
    /// The last decoded reply text, if any.
    pub fn last_text(&self) -> Option<&UssdText> {
        self.exchanges.iter().rev().find_map(|e| e.reply.as_ref())
    }
}

/// The USSD session state (`MMModem3gppUssdSessionState`: 1 idle, 2 active, 3 user-response).
pub async fn ussd_state(modem: &MmModem) -> Result<u32, MmError> {
    let v = modem
        .bus
        .get(&modem.path, iface::USSD, "State", "reading the USSD state")
        .await?;
    match &*v {
        Value::U32(n) => Ok(*n),
        other => Err(MmError::BadReply {
            what: "reading the USSD state".to_string(),
            detail: format!("State is {other:?}, not a u32"),
        }),
    }
}

/// Cancels the modem's USSD session (`simquota ussd --cancel`).
pub async fn cancel_ussd(modem: &MmModem) -> Result<(), MmError> {
    modem
        .bus
        .call_unit(
            &modem.path,
            iface::USSD,
            "Cancel",
            &(),
            "cancelling the USSD session",
            CALL_TIMEOUT,
        )
        .await
}

/// Sends `code` (e.g. `*100#`), answers a menu with `replies` in order, at most
/// `max_rounds` exchanges; every reply decoded by our own decoder.
pub async fn ussd(
    modem: &MmModem,
    code: &str,
    replies: &[String],
    max_rounds: usize,
) -> Result<MmUssdOutcome, MmError> {
    ussd_with(
        modem,
        code,
        replies,
        max_rounds,
        &mut MmUssdOptions::default(),
    )
    .await
}

/// [`ussd`] with a time-out, decoding overrides and an interactive `ask`.
pub async fn ussd_with(
    modem: &MmModem,
    code: &str,
    replies: &[String],
    max_rounds: usize,
    opts: &mut MmUssdOptions,
) -> Result<MmUssdOutcome, MmError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(MmError::BadArgument {
            what: "USSD request".to_string(),
            detail: "the USSD code is empty".to_string(),
        });
    }
    let mut outcome = MmUssdOutcome {
        modem: modem.path.clone(),
        exchanges: Vec::new(),
        cancelled_menu: false,
        cancelled_stale: false,
    };
    // A session someone else left open makes Initiate fail with WrongState: close it first,
    // as the AT flow does. An unreadable state is not a reason to stop: Initiate will say.
    if matches!(ussd_state(modem).await, Ok(2 | USER_RESPONSE)) {
        cancel_ussd(modem).await?;
        outcome.cancelled_stale = true;
    }
    let mut replies = replies.iter().cloned();
    let mut request = code.to_string();
    let mut method = "Initiate";
    for round in 0..max_rounds.max(1) {
        let what = if round == 0 {
            "USSD request"
        } else {
            "USSD menu answer"
        };
        let text: String = modem
            .bus
            .call(
                &modem.path,
                iface::USSD,
                method,
                &(request.as_str(),),
                what,
                opts.timeout,
            )
            .await?;
        let waiting = ussd_state(modem).await.ok() == Some(USER_RESPONSE);
        let text = if text.is_empty() && waiting {
            network_request(modem).await.unwrap_or_default()
        } else {
            text
        };
        let reply =
            (!text.is_empty()).then(|| decode_payload(&text, None, Charset::Gsm, &opts.overrides));
        let status = if waiting {
            UssdStatus::FurtherActionRequired
        } else {
            UssdStatus::NoFurtherAction
        };
        outcome.exchanges.push(UssdExchange {
            request: request.clone(),
            status,
            reply: reply.clone(),
        });
        if !waiting {
            return Ok(outcome);
        }
        let next = replies.next().or_else(|| {
            let menu = reply.as_ref()?;
            opts.ask.as_mut().and_then(|ask| ask(menu))
        });
        match next {
            Some(answer) if round + 1 < max_rounds => {
                request = answer;
                method = "Respond";
            }
            _ => break,
        }
    }
    cancel_ussd(modem).await?;
    outcome.cancelled_menu = true;
    Ok(outcome)
}

async fn network_request(modem: &MmModem) -> Option<String> {
    let v = modem
        .bus
        .get(
            &modem.path,
            iface::USSD,
            "NetworkRequest",
            "reading the USSD menu",
        )
        .await
        .ok()?;
    match &*v {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}
