//! The AT backend: the modem's serial port (or the built-in emulator's pseudo-terminal),
//! driven by [`crate::modem::Modem`].

use std::path::PathBuf;
use std::time::Instant;

use crate::emulator::sim::SimModem;
use crate::emulator::Emulator;
use crate::modem::{Identity, Modem, OpenOptions, Pin, PinMemory};
use crate::sms::concat::Location;
use crate::sms::flow::{Baseline, SenderMatcher, SmsSession};
use crate::state::StateDir;
use crate::ussd::flow::UssdOptions;

use super::backend::{Backend, Progress, SmsAnswer, SmsAsk, UssdAnswer, UssdAsk};
use super::error::{CheckError, ErrorKind};
use super::report::{SmsDetails, UssdDetails};
use super::request::ModemChoice;

/// How to open the AT port.
#[derive(Debug, Clone, Default)]
pub struct OpenSettings {
    /// Record the conversation to this file (redacted transcript).
    pub record: Option<PathBuf>,
    /// `-v` level.
    pub verbose: u8,
    /// Check radio, SIM and registration first.
    pub check_ready: bool,
    /// File holding the SIM PIN (else `SIMQUOTA_PIN`).
    pub pin_file: Option<PathBuf>,
    /// Use the port even when another program has it open or locked.
    pub share_port: bool,
    /// Send a PIN from `SIMQUOTA_PIN` although this SIM refused it before.
    pub retry_pin: bool,
    /// Where refused PINs are remembered (default: the user's state directory; the emulator's
    /// throw-away one when simulating).
    pub state: Option<StateDir>,
    /// Listing for `--from-inbox` may read unread messages (see [`SmsSession::read_unread`]).
    pub read_unread: bool,
}

/// An open modem, plus the emulator behind it when simulating (kept alive while in use).
pub struct AtSession {
    /// The modem.
    pub modem: Modem,
    /// The port it is on.
    pub port: PathBuf,
    record: Option<PathBuf>,
    _emulator: Option<Emulator>,
}

/// The SIM PIN from the PIN file or `SIMQUOTA_PIN` (never from the command line, where other
/// users could read it in the process list).
fn read_pin(file: Option<&std::path::Path>) -> Result<Option<Pin>, CheckError> {
    if let Some(f) = file {
        let pin = Pin::from_file(f).map_err(|e| {
            CheckError::new(
                ErrorKind::Usage,
                format!("cannot read the PIN file {}: {e}", f.display()),
            )
        })?;
        return Ok(Some(pin));
    }
    Ok(std::env::var("SIMQUOTA_PIN")
        .ok()
        .map(|s| Pin::from_env(&s)))
}

impl AtSession {
    /// Opens the modem of `choice` (finding it for `auto`, starting the emulator for
    /// `Simulate`) and, when asked, checks that it is ready.
    pub async fn open(choice: &ModemChoice, s: &OpenSettings) -> Result<AtSession, CheckError> {
        let (port, emulator) = match choice {
            ModemChoice::Simulate { family, scenario } => {
                let dev = SimModem::new(*family, (**scenario).clone());
                let emu = Emulator::spawn(Box::new(dev), None).map_err(|e| {
                    CheckError::new(
                        ErrorKind::Modem,
                        format!("cannot start the built-in emulator: {e}"),
                    )
                })?;
                (emu.path().to_path_buf(), Some(emu))
            }
            ModemChoice::Port { port, .. } if port.as_os_str() == "auto" => {
                let opts = crate::ports::DiscoverOptions::default();
                let found = tokio::task::spawn_blocking(move || crate::ports::auto_port(&opts))
                    .await
                    .map_err(|e| CheckError::new(ErrorKind::Modem, e.to_string()))?;
                match found {
                    Ok(port) => (port, None),
                    Err(e) => {
                        return Err(CheckError::new(
                            ErrorKind::Modem,
                            format!(
                        "{e}\n(no modem? try the built-in emulator: simquota balance --simulate)"
                    ),
                        ))
                    }
                }
            }
            ModemChoice::Port { port, .. } => (port.clone(), None),
        };
        let opts = OpenOptions {
            record: s.record.is_some(),
            share_port: s.share_port,
            verbose: s.verbose,
            ..OpenOptions::default()
        };
        let mut modem = Modem::open(&port, &opts).await?;
        if s.check_ready {
            let pin = read_pin(s.pin_file.as_deref())?;
            let dir = match (&s.state, choice) {
                (Some(d), _) => d.clone(),
                (None, ModemChoice::Simulate { .. }) => match crate::state::use_throwaway() {
                    Ok(p) => StateDir::at(p),
                    Err(e) => {
                        let _ = modem.close().await;
                        return Err(CheckError::new(
                            ErrorKind::Modem,
                            format!("cannot create a state directory: {e}"),
                        ));
                    }
                },
                (None, _) => StateDir::resolve(),
            };
            let memory = PinMemory {
                dir,
                retry: s.retry_pin,
            };
            if let Err(e) = modem.check_ready(pin.as_ref(), Some(&memory)).await {
                let _ = modem.close().await;
                let kind = if e.is_sim() {
                    ErrorKind::Sim
                } else {
                    ErrorKind::Modem
                };
                return Err(CheckError::new(kind, e.to_string()));
            }
        }
        Ok(AtSession {
            modem,
            port,
            record: s.record.clone(),
            _emulator: emulator,
        })
    }

    /// Restores the modem and writes the recording; returns lines for stderr (warnings, and
    /// where the transcript went).
    pub async fn finish(self) -> Result<Vec<String>, CheckError> {
        let who = self.modem.manufacturer.clone();
        let (failures, transcript) = self.modem.close().await;
        let mut warnings: Vec<String> = failures
            .into_iter()
            .map(|f| format!("warning: could not restore a modem setting: {f}"))
            .collect();
        if let (Some(path), Some(mut t)) = (self.record, transcript) {
            if let Some(who) = who {
                t.headers.push(("modem".into(), who));
            }
            let text = crate::transcript::redact(&t).render();
            std::fs::write(&path, text).map_err(|e| {
                CheckError::new(
                    ErrorKind::Modem,
                    format!("cannot write {}: {e}", path.display()),
                )
                .with_notes(std::mem::take(&mut warnings))
            })?;
            warnings.push(format!("transcript written to {}", path.display()));
        }
        Ok(warnings)
    }
}

/// The check over the AT port.
pub struct AtBackend {
    session: AtSession,
    read_unread: bool,
    sms: Option<SmsSession>,
    baseline: Option<Baseline>,
    reply: Vec<Location>,
}

impl AtBackend {
    /// Opens the modem.
    pub async fn open(choice: &ModemChoice, s: &OpenSettings) -> Result<AtBackend, CheckError> {
        Ok(AtBackend {
            session: AtSession::open(choice, s).await?,
            read_unread: s.read_unread,
            sms: None,
            baseline: None,
            reply: Vec::new(),
        })
    }

    fn sms(&mut self) -> Result<(&mut Modem, &mut SmsSession), CheckError> {
        match self.sms.as_mut() {
            Some(s) => Ok((&mut self.session.modem, s)),
            None => Err(CheckError::new(
                ErrorKind::Modem,
                "internal: SMS used before it was prepared",
            )),
        }
    }

    async fn open_sms(&mut self, cc: Option<&str>) -> Result<(), CheckError> {
        if self.sms.is_none() {
            let mut sms = SmsSession::open(&mut self.session.modem, cc).await?;
            sms.read_unread = self.read_unread;
            self.sms = Some(sms);
        }
        Ok(())
    }
}

impl Backend for AtBackend {
    fn port(&self) -> String {
        self.session.port.to_string_lossy().into_owned()
    }

    async fn identify(&mut self) -> Result<Identity, CheckError> {
        let id = self.session.modem.identify().await?;
        if let Some(sim) = id.sim.as_deref().filter(|v| *v != "READY") {
            return Err(CheckError::new(
                ErrorKind::Sim,
                format!(
                    "the SIM is not ready ({sim}): unlock it (PIN) or check that it is inserted"
                ),
            ));
        }
        Ok(id)
    }

    async fn ussd(&mut self, ask: &UssdAsk) -> Result<UssdAnswer, CheckError> {
        let mut opts = UssdOptions {
            first_timeout: ask.timeout,
            replies: ask.replies.clone(),
            style: ask.style,
            ..UssdOptions::default()
        };
        opts.overrides.priors.seen = ask.seen;
        let o = crate::ussd::flow::run(&mut self.session.modem, &ask.code, &mut opts).await?;
        Ok(UssdAnswer {
            text: o.last_text().map(|t| t.text.clone()).unwrap_or_default(),
            style: Some(o.style),
            seen: o.hex_reading(),
            details: UssdDetails {
                exchanges: o.exchanges,
                style: Some(o.style),
                charset: Some(o.charset),
                cancelled_menu: o.cancelled_menu,
                backend: None,
            },
        })
    }

    async fn sms_prepare(&mut self, cc: Option<&str>) -> Result<(), CheckError> {
        self.open_sms(cc).await?;
        let (modem, sms) = self.sms()?;
        self.baseline = Some(sms.prepare_wait(modem).await?);
        Ok(())
    }

    async fn sms_query(
        &mut self,
        ask: &SmsAsk,
        progress: &mut Progress<'_>,
    ) -> Result<SmsAnswer, CheckError> {
        let mut baseline = self.baseline.take().unwrap_or_default();
        let (modem, sms) = self.sms()?;
        let sent_at = Instant::now();
        let refs = sms.send(modem, &ask.number, &ask.keyword).await?;
        let matcher = SenderMatcher {
            senders: ask.senders.clone(),
            country_code: ask.country_code.clone(),
        };
        let senders = ask.senders.clone();
        let mut progress = |left: std::time::Duration| progress(&senders, left);
        let reply = sms
            .await_reply(
                modem,
                &mut baseline,
                &matcher,
                &ask.wait,
                sent_at,
                &ask.number,
                &ask.keyword,
                &mut progress,
            )
            .await?;
        let mode = sms.mode;
        self.reply = reply.indices.clone();
        Ok(SmsAnswer {
            text: reply.text.clone(),
            details: SmsDetails {
                number: Some(ask.number.clone()),
                keyword: Some(ask.keyword.clone()),
                reply_from: Some(reply.from.clone()),
                parts: reply.parts,
                missing_parts: Some(reply.missing),
                indices: Some(reply.indices.clone()),
                messages: Some(reply.messages.len()),
                noticed_by: Some(reply.noticed_by.clone()),
                message_references: Some(refs),
                mode: Some(mode),
                elapsed_ms: Some(sent_at.elapsed().as_millis() as u64),
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
        self.open_sms(cc).await?;
        let (modem, sms) = self.sms()?;
        let m = SenderMatcher {
            senders: senders.to_vec(),
            country_code: cc.map(str::to_string),
        };
        let found = sms.newest_notice(modem, &m, words).await?;
        Ok(found.map(|msg| SmsAnswer {
            text: msg.text.clone(),
            details: SmsDetails {
                reply_from: Some(msg.from.clone()),
                parts: usize::from(msg.parts),
                indices: Some(msg.locations.clone()),
                timestamp: msg.timestamp.clone(),
                senders: Some(senders.to_vec()),
                ..SmsDetails::default()
            },
        }))
    }

    fn notes(&self) -> Vec<String> {
        match &self.sms {
            Some(s) => {
                let mut n = s.notes.clone();
                n.extend(s.marked_read_note());
                n
            }
            None => Vec::new(),
        }
    }

    async fn delete_reply(&mut self) -> Vec<Result<String, String>> {
        let locs = std::mem::take(&mut self.reply);
        let mut out = Vec::new();
        let Ok((modem, sms)) = self.sms() else {
            return out;
        };
        for l in &locs {
            let Some(st) = l.storage.as_deref() else {
                continue;
            };
            let name = format!("{st}:{}", l.index);
            out.push(match sms.delete(modem, st, l.index).await {
                Ok(()) => Ok(format!("deleted the reply part {name}")),
                Err(e) => Err(format!("could not delete the reply part {name}: {e}")),
            });
        }
        out
    }

    async fn finish(self) -> Result<Vec<String>, CheckError> {
        self.session.finish().await
    }
}
