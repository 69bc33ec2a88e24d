//! The USSD conversation with a modem: initiate, follow a menu, cancel — with vendor quirks.
//!
//! Invariants: one USSD session at a time (a stale one is cancelled first); the request is sent
//! as plain GSM/IRA text or as packed GSM 7-bit hex (Huawei family), never as UCS-2 hex; the
//! style that worked is remembered per modem model; `AT+CSCS` is restored as it was; a menu
//! that never ends is cut off after `max_rounds` and cancelled.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::{
    decode_payload, encode_request, parse_cusd, Charset, DecodeOverrides, Interpretation,
    RequestStyle, UssdStatus, UssdText,
};
use crate::at::{Command, FinalResult, UrcKind};
use crate::modem::{Modem, ModemError};

/// Asks the user for the next menu answer given the menu text; `None` ends the menu.
pub type AskFn = Box<dyn FnMut(&UssdText) -> Option<String> + Send>;

/// How a USSD check runs.
pub struct UssdOptions {
    /// Wait for the first reply (the network can be slow: CS fallback from LTE).
    pub first_timeout: Duration,
    /// Wait for each menu follow-up reply.
    pub followup_timeout: Duration,
    /// Menu answers to send in order (`--reply 1 --reply 2`).
    pub replies: Vec<String>,
    /// Most menu rounds before giving up and cancelling.
    pub max_rounds: usize,
    /// User overrides for undecodable replies (`--dcs`, `--charset`).
    pub overrides: DecodeOverrides,
    /// Request style to try first (remembered from an earlier success), if known.
    pub style: Option<RequestStyle>,
    /// Asks the user for the next menu answer (interactive terminal); `None` ends the menu.
    pub ask: Option<AskFn>,
}

impl Default for UssdOptions {
    fn default() -> Self {
        UssdOptions {
            first_timeout: Duration::from_secs(60),
            followup_timeout: Duration::from_secs(30),
            replies: Vec::new(),
            max_rounds: 8,
            overrides: DecodeOverrides::default(),
            style: None,
            ask: None,
        }
    }
}

/// One request and the network's answer.
#[derive(schemars::JsonSchema, Debug, Clone, Serialize)]
pub struct UssdExchange {
    /// What was sent (the code or menu answer as typed).
    pub request: String,
    /// `+CUSD` mode of the answer.
    pub status: UssdStatus,
    /// The decoded answer, when it had text.
    pub reply: Option<UssdText>,
}

/// The result of a whole USSD conversation.
#[derive(Debug, Clone, Serialize)]
pub struct UssdOutcome {
    /// Every round, in order.
    pub exchanges: Vec<UssdExchange>,
    /// The request style that the modem accepted.
    pub style: RequestStyle,
    /// The modem's TE character set during the conversation.
    pub charset: Charset,
    /// True when a menu was left open and cancelled (no more answers given, or the cap hit).
    pub cancelled_menu: bool,
}

impl UssdOutcome {
    /// How an all-hex payload under a GSM 7-bit DCS was read, when it departed from plain text
    /// (packed septets, UCS-2 or 8-bit hex) — what to remember for this modem model.
    pub fn hex_reading(&self) -> Option<Interpretation> {
        use Interpretation as I;
        self.exchanges.iter().rev().find_map(|e| {
            let t = e.reply.as_ref()?;
            let gsm_dcs = t.dcs.is_none_or(|d| {
                crate::codec::CbsDcs::from_byte(d).alphabet == crate::codec::Alphabet::Gsm7
            });
            (gsm_dcs
                && matches!(
                    t.interpretation,
                    I::Gsm7PackedHex | I::Ucs2Hex | I::EightBitHex
                ))
            .then_some(t.interpretation)
        })
    }

    /// The last decoded reply text, if any.
    pub fn last_text(&self) -> Option<&UssdText> {
        self.exchanges.iter().rev().find_map(|e| e.reply.as_ref())
    }
}

/// Why a USSD check failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UssdError {
    /// Talking to the modem failed.
    #[error(transparent)]
    Modem(#[from] ModemError),
    /// The code cannot be sent (characters outside the GSM alphabet, quotes…).
    #[error("cannot send {code:?} as USSD: {detail}")]
    BadCode {
        /// The code.
        code: String,
        /// Why.
        detail: String,
    },
    /// The modem refused `AT+CUSD` in every request style.
    #[error("the modem refused the USSD request ({result}){}; if it is in LTE-only mode, allow 3G/2G (USSD needs CS fallback on many modems)", if *.tried_both { " in both plain and packed form" } else { "" })]
    Refused {
        /// The last final result.
        result: FinalResult,
        /// Both request styles were tried.
        tried_both: bool,
    },
    /// The network answered with a status that ends the check.
    #[error("the network gave no usable USSD answer: {status}")]
    Status {
        /// `+CUSD` mode 2–5 without a usable text.
        status: UssdStatus,
    },
    /// The SIM is missing, locked (PIN/PUK) or failing.
    #[error("{0}: unlock the SIM (enter the PIN in a phone or with AT+CPIN) or check that it is inserted")]
    Sim(String),
    /// No reply in time.
    #[error("no USSD reply within {0:?}: the network or modem did not answer (LTE-only modems often never do); try again, or use the carrier's SMS method")]
    NoReply(Duration),
}

/// True for final results that mean the SIM needs attention.
pub fn is_sim_error(r: &FinalResult) -> bool {
    use crate::at::CmeError as E;
    matches!(
        r,
        FinalResult::CmeError(
            E::SimNotInserted
                | E::SimPinRequired
                | E::SimPukRequired
                | E::SimFailure
                | E::SimBusy
                | E::SimWrong
                | E::SimPin2Required
                | E::SimPuk2Required
                | E::PhSimPinRequired
        )
    )
}

/// The other request style, for a retry.
fn other(style: RequestStyle) -> RequestStyle {
    match style {
        RequestStyle::Plain => RequestStyle::PackedHex,
        RequestStyle::PackedHex => RequestStyle::Plain,
    }
}

/// True for the session-release notices some networks send before the real answer
/// (python-gsmmodem issue #14: `+CUSD: 2,"Initiating Release",15`).
fn is_release_notice(status: UssdStatus, text: Option<&UssdText>) -> bool {
    status == UssdStatus::TerminatedByNetwork
        && text.is_some_and(|t| t.text.trim().eq_ignore_ascii_case("Initiating Release"))
}

/// Runs a USSD conversation for `code` on an open modem. Call [`Modem::check_ready`] first:
/// it finds a missing or locked SIM, radio off and no registration before anything is sent.
pub async fn run(
    modem: &mut Modem,
    code: &str,
    opts: &mut UssdOptions,
) -> Result<UssdOutcome, UssdError> {
    let r = run_session(modem, code, opts).await;
    // Ended one way or another (answered, refused, cancelled): nothing left to cancel. Only a
    // conversation cut short (a signal, a vanished or silent modem) leaves the session to
    // Modem::close.
    if !matches!(r, Err(UssdError::Modem(_))) {
        modem.set_ussd_open(false);
    }
    r
}

async fn run_session(
    modem: &mut Modem,
    code: &str,
    opts: &mut UssdOptions,
) -> Result<UssdOutcome, UssdError> {
    // The TE character set decides how GSM-alphabet text reaches us (TS 27.007 §7.15).
    // Plain requests need "GSM" or "IRA"; anything else is switched and restored on close.
    let mut charset = match modem.ok("AT+CSCS?").await {
        Ok(lines) => lines
            .iter()
            .find_map(|l| l.strip_prefix("+CSCS:"))
            .map(|v| Charset::from_cscs(v.trim().trim_matches('"')))
            .unwrap_or(Charset::Ira),
        Err(ModemError::Rejected { .. }) => Charset::Ira,
        Err(e) => return Err(e.into()),
    };
    if !matches!(charset, Charset::Gsm | Charset::Ira) {
        let old = charset.as_str().to_string();
        if modem.ok("AT+CSCS=\"GSM\"").await.is_ok() {
            modem.push_restore(format!("AT+CSCS=\"{old}\""));
            charset = Charset::Gsm;
        }
    }
    // One session at a time: a stale menu from an earlier run would swallow our request.
    let _ = modem.command(Command::new("AT+CUSD=2")).await?;
    let _ = modem.drain_urcs();

    // Priors for decoding: what the modem family says about hex payloads (see `Priors`).
    let mut overrides = opts.overrides.clone();
    if overrides.priors.family.is_none() {
        overrides.priors.family = modem
            .manufacturer
            .as_deref()
            .map(crate::ussd::ModemFamily::from_manufacturer);
    }
    let mut style = opts.style.unwrap_or(if modem.is_huawei() {
        RequestStyle::PackedHex
    } else {
        RequestStyle::Plain
    });
    let mut outcome = UssdOutcome {
        exchanges: Vec::new(),
        style,
        charset: charset.clone(),
        cancelled_menu: false,
    };
    let mut request = code.to_string();
    let mut timeout = opts.first_timeout;
    let mut tried_other = false;
    // Set when the first style got `+CUSD: 4`; the error to report if the retry fails too.
    let mut last_status: Option<UssdStatus> = None;
    let mut replies = opts.replies.clone().into_iter();
    for round in 0.. {
        // Send the request, switching style once if the modem refuses this one.
        loop {
            let (s, dcs) = encode_request(&request, style).map_err(|e| UssdError::BadCode {
                code: request.clone(),
                detail: e.to_string(),
            })?;
            // From here until the session ends, closing the modem cancels it (a signal, an
            // error, a time-out: no menu is left open on the network).
            modem.set_ussd_open(true);
            let r = modem
                .command(
                    Command::new(format!("AT+CUSD=1,\"{s}\",{dcs}"))
                        .with_timeout(Duration::from_secs(20)),
                )
                .await?;
            if r.result == FinalResult::Ok {
                break;
            }
            if is_sim_error(&r.result) {
                return Err(UssdError::Sim(r.result.to_string()));
            }
            if let Some(status) = last_status {
                // The retry after `+CUSD: 4` was refused too: report what the network said.
                return Err(UssdError::Status { status });
            }
            let no_network = matches!(
                r.result,
                FinalResult::CmeError(crate::at::CmeError::NoNetworkService)
            );
            if tried_other || round > 0 || no_network {
                return Err(UssdError::Refused {
                    result: r.result,
                    tried_both: tried_other,
                });
            }
            tried_other = true;
            style = other(style);
        }
        outcome.style = style;
        // Wait for the answer, skipping release notices.
        let deadline = Instant::now() + timeout;
        let (status, text) = loop {
            let urc = match modem.wait_urc(deadline, |u| u.kind == UrcKind::Cusd).await {
                Ok(u) => u,
                // `OK` and then `+CME ERROR` (Cinterion, corpus A1 #41–42): the request was
                // refused after all.
                Err(ModemError::Rejected { result, .. }) => {
                    if is_sim_error(&result) {
                        return Err(UssdError::Sim(result.to_string()));
                    }
                    return Err(UssdError::Refused {
                        result,
                        tried_both: tried_other,
                    });
                }
                Err(e) => return Err(e.into()),
            };
            let Some(urc) = urc else {
                let _ = modem.command(Command::new("AT+CUSD=2")).await;
                return Err(UssdError::NoReply(timeout));
            };
            let cusd = match parse_cusd(&urc.text) {
                Ok(c) => c,
                Err(_) => continue,
            };
            let status = UssdStatus::from_mode(cusd.mode);
            let text = cusd
                .text
                .as_deref()
                .map(|p| decode_payload(p, cusd.dcs, charset.clone(), &overrides));
            if is_release_notice(status, text.as_ref()) {
                continue;
            }
            break (status, text);
        };
        // Not supported in this style: the other style may work (gammu #150: UCS-2 / packed
        // requests answered with +CUSD: 4 where plain text works).
        if status == UssdStatus::NotSupported && !tried_other && round == 0 {
            tried_other = true;
            last_status = Some(status);
            style = other(style);
            continue;
        }
        outcome.exchanges.push(UssdExchange {
            request: request.clone(),
            status,
            reply: text.clone(),
        });
        match status {
            UssdStatus::FurtherActionRequired => {
                let next = replies.next().or_else(|| {
                    let text = text.as_ref()?;
                    opts.ask.as_mut().and_then(|ask| ask(text))
                });
                match next {
                    Some(answer) if round + 1 < opts.max_rounds => {
                        request = answer;
                        timeout = opts.followup_timeout;
                    }
                    _ => {
                        let _ = modem.command(Command::new("AT+CUSD=2")).await?;
                        modem.set_ussd_open(false);
                        outcome.cancelled_menu = true;
                        return Ok(outcome);
                    }
                }
            }
            UssdStatus::NoFurtherAction | UssdStatus::TerminatedByNetwork if text.is_some() => {
                modem.set_ussd_open(false);
                return Ok(outcome);
            }
            status => return Err(UssdError::Status { status }),
        }
    }
    Ok(outcome)
}

/// Cancels any USSD session (`simquota ussd --cancel`).
pub async fn cancel(modem: &mut Modem) -> Result<FinalResult, ModemError> {
    Ok(modem.command(Command::new("AT+CUSD=2")).await?.result)
}
