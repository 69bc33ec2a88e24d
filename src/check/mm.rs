//! The ModemManager backend: when ModemManager owns the modem, ask through it over D-Bus
//! instead of fighting it for the serial port. ModemManager carries text only; decoding and
//! understanding stay ours.

use std::time::Duration;

use crate::mm::{self, MmBus, MmModem};
use crate::modem::Identity;
use crate::sms::flow::SenderMatcher;

use super::backend::{Backend, Progress, SmsAnswer, SmsAsk, UssdAnswer, UssdAsk};
use super::error::{CheckError, ErrorKind};
use super::report::{SmsDetails, UssdDetails};
use super::request::{BackendChoice, ModemChoice};

/// `MMSmsState` of a complete incoming message.
const RECEIVED: u32 = 3;
/// Most USSD menu rounds.
const MAX_ROUNDS: usize = 8;

/// The ModemManager modem to use for `choice`, or `None` for the AT backend (the emulator,
/// `BackendChoice::At`, or `Auto` when ModemManager does not manage that modem).
pub async fn choose(choice: &ModemChoice) -> Result<Option<MmModem>, CheckError> {
    let ModemChoice::Port { backend, .. } = choice else {
        return Ok(None);
    };
    let port = choice.named_port();
    match backend {
        BackendChoice::At => Ok(None),
        BackendChoice::Auto => Ok(mm::select(port).await),
        BackendChoice::ModemManager => {
            let bus = MmBus::connect().await?;
            Ok(Some(bus.modem_for(port).await?))
        }
    }
}

/// The check through ModemManager.
pub struct MmBackend {
    modem: MmModem,
    known: Vec<String>,
    reply: Vec<String>,
}

impl MmBackend {
    /// A backend on `modem`.
    pub fn new(modem: MmModem) -> Self {
        MmBackend {
            modem,
            known: Vec::new(),
            reply: Vec::new(),
        }
    }
}

impl Backend for MmBackend {
    fn port(&self) -> String {
        self.modem.path.clone()
    }

    async fn identify(&mut self) -> Result<Identity, CheckError> {
        Ok(mm::identity(&self.modem).await?)
    }

    async fn ussd(&mut self, ask: &UssdAsk) -> Result<UssdAnswer, CheckError> {
        let out = mm::ussd(&self.modem, &ask.code, &ask.replies, MAX_ROUNDS).await?;
        Ok(UssdAnswer {
            seen: None,
            text: out.last_text().map(|t| t.text.clone()).unwrap_or_default(),
            style: None,
            details: UssdDetails {
                exchanges: out.exchanges,
                style: None,
                charset: None,
                cancelled_menu: out.cancelled_menu,
                backend: Some("modemmanager".into()),
            },
        })
    }

    async fn sms_prepare(&mut self, _cc: Option<&str>) -> Result<(), CheckError> {
        self.known = mm::sms_list(&self.modem)
            .await?
            .into_iter()
            .map(|s| s.path)
            .collect();
        Ok(())
    }

    async fn sms_query(
        &mut self,
        ask: &SmsAsk,
        _progress: &mut Progress<'_>,
    ) -> Result<SmsAnswer, CheckError> {
        mm::sms_send(&self.modem, &ask.number, &ask.keyword).await?;
        let reply = mm::sms_wait_reply(
            &self.modem,
            &self.known,
            Some(ask.number.as_str()),
            ask.wait.wait,
            Duration::from_secs(2),
        )
        .await?;
        let text: String = reply.iter().filter_map(|s| s.text.clone()).collect();
        if text.is_empty() {
            return Err(CheckError::new(
                ErrorKind::NoAnswer,
                format!(
                    "no SMS reply from {} within {} s",
                    ask.number,
                    ask.wait.wait.as_secs()
                ),
            ));
        }
        self.reply = reply.iter().map(|s| s.path.clone()).collect();
        Ok(SmsAnswer {
            text,
            details: SmsDetails {
                number: Some(ask.number.clone()),
                keyword: Some(ask.keyword.clone()),
                parts: reply.len(),
                backend: Some("modemmanager".into()),
                ..SmsDetails::default()
            },
        })
    }

    async fn inbox(
        &mut self,
        senders: &[String],
        cc: Option<&str>,
        words: &[String],
    ) -> Result<Option<SmsAnswer>, CheckError> {
        let m = SenderMatcher {
            senders: senders.to_vec(),
            country_code: cc.map(str::to_string),
        };
        let mut found: Vec<mm::MmSms> = mm::sms_list(&self.modem)
            .await?
            .into_iter()
            .filter(|s| s.state == Some(RECEIVED))
            .filter(|s| s.number.as_deref().is_some_and(|n| m.matches(n)))
            .filter(|s| {
                let t = s.text.as_deref().unwrap_or("");
                !t.is_empty() && (words.is_empty() || words.iter().any(|w| t.contains(w.as_str())))
            })
            .collect();
        found.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
        Ok(found.pop().map(|s| SmsAnswer {
            text: s.text.clone().unwrap_or_default(),
            details: SmsDetails {
                reply_from: s.number.clone(),
                parts: 1,
                timestamp: s.timestamp.clone(),
                senders: Some(senders.to_vec()),
                backend: Some("modemmanager".into()),
                ..SmsDetails::default()
            },
        }))
    }

    fn notes(&self) -> Vec<String> {
        Vec::new()
    }

    async fn delete_reply(&mut self) -> Vec<Result<String, String>> {
        let mut out = Vec::new();
        for p in std::mem::take(&mut self.reply) {
            out.push(match mm::sms_delete(&self.modem, &p).await {
                Ok(()) => Ok(format!("deleted the reply {p}")),
                Err(e) => Err(format!("could not delete the reply {p}: {e}")),
            });
        }
        out
    }

    async fn finish(self) -> Result<Vec<String>, CheckError> {
        Ok(Vec::new())
    }
}
