//! The driver that runs the one sans-IO AT session over a serial port (tokio-serial).
//!
//! Invariants: exactly one command is in flight; URCs that arrive meanwhile are queued, never
//! lost; every setting the driver changes is recorded and restored by [`Modem::close`]; the driver
//! holds no protocol grammar of its own — it only moves bytes and time into [`crate::at::Session`].

mod error;
mod identity;
pub mod interrupt;
mod ready;

pub use error::ModemError;
pub use identity::Identity;
pub use ready::{NotReady, Pin, PinMemory, PinSource};

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_serial::{SerialPortBuilderExt, SerialStream};

use crate::at::{Command, Event, FinalResult, Response, Session, SessionConfig, Urc, UrcKind};
use crate::transcript::{Step, Transcript};

/// How to open a modem port.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Baud rate (ignored by USB modems, required by the API).
    pub baud: u32,
    /// How long the modem may take to answer the first `AT`.
    pub probe_timeout: Duration,
    /// Quieten Huawei `^RSSI`/`^BOOT` floods with `AT^CURC=0` (restored on close).
    pub quiet_urcs: bool,
    /// Record the whole conversation, from the first `AT`, as a transcript (`--record`).
    pub record: bool,
    /// Show the AT conversation on stderr (`-v`), with timings (`-vv`).
    pub verbose: u8,
    /// Use the port even when another program has it open or holds its lock (`--share-port`):
    /// the user knows that program is not talking to the modem (a bridge, a logger). The
    /// device side of a PTY never counts as another program anyway.
    pub share_port: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            baud: 115_200,
            probe_timeout: Duration::from_millis(1500),
            quiet_urcs: true,
            record: false,
            verbose: 0,
            share_port: false,
        }
    }
}

/// An open modem: the port, the session core, queued URCs and what to restore.
pub struct Modem {
    port: SerialStream,
    /// The UUCP lock file, removed when the modem is dropped.
    _lock: Option<crate::ports::lock::PortLock>,
    path: PathBuf,
    session: Session,
    urcs: VecDeque<Urc>,
    /// Commands that put back what this driver changed, run in reverse order on close.
    restore: Vec<String>,
    /// Manufacturer as reported by `AT+CGMI` (for vendor quirks).
    pub manufacturer: Option<String>,
    recorder: Option<Recorder>,
    /// Lines we could not classify, for `-v` diagnostics.
    pub other_lines: Vec<String>,
    /// Secrets sent this run (the PIN): never shown in a trace, a transcript or a message.
    secrets: Vec<String>,
    /// Bytes received while a secret command is in flight: recorded and traced only once the
    /// command is done, with the secret (and its echo) blanked out.
    held: Option<Vec<u8>>,
    /// Set by [`Modem::close`]: a signal no longer interrupts (the restoring is bounded instead).
    restoring: bool,
    /// A USSD session may be open (a request was sent and not yet ended): cancelled on close.
    ussd_open: bool,
    _open: interrupt::OpenGuard,
    /// Error results that arrived after a command had already ended (Cinterion sends `OK` and
    /// then `+CME ERROR` for a USSD request the network refuses, shared/corpus A1 #41–42).
    late_errors: VecDeque<FinalResult>,
    buf: Vec<u8>,
    verbose: u8,
    started: Instant,
    /// Set once reading or writing the port failed: the modem is gone, and every later command
    /// fails with the same error instead of a confusing "command already in flight".
    gone: Option<String>,
}

/// Unsolicited lines kept for error messages (the most recent ones).
const MAX_KEPT_LINES: usize = 64;

/// URCs (and late errors) queued for later callers.
const MAX_KEPT_URCS: usize = 256;

/// Longest line quoted in an error message, in characters.
const MAX_QUOTED: usize = 200;

/// `l`, cut to [`MAX_QUOTED`] characters with a note of how much more there was.
fn clip(l: &str) -> String {
    match l.char_indices().nth(MAX_QUOTED) {
        None => l.to_string(),
        Some((i, _)) => format!("{}… ({} more bytes)", &l[..i], l.len() - i),
    }
}

/// True when `path` is a terminal device (a serial port), not e.g. `/dev/null` or a file.
fn is_tty(path: &Path) -> bool {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        // SAFETY: isatty only inspects the descriptor we hold for this call.
        .map(|f| unsafe { libc::isatty(std::os::fd::AsRawFd::as_raw_fd(&f)) } == 1)
        .unwrap_or(true) // cannot tell (e.g. permission): let the real open report it
}

/// Writes what went over the wire into a transcript (for `--record`).
struct Recorder {
    transcript: Transcript,
    last: Instant,
}

impl Recorder {
    fn note_time(&mut self) {
        let now = Instant::now();
        let gap = now.duration_since(self.last);
        if gap >= Duration::from_millis(100) {
            self.transcript
                .steps
                .push(Step::Pause(Duration::from_millis(gap.as_millis() as u64)));
        }
        self.last = now;
    }
}

impl Modem {
    /// Opens `path`, takes it exclusively, and makes sure something answers AT there.
    pub async fn open(path: &Path, opts: &OpenOptions) -> Result<Modem, ModemError> {
        let name = path.to_string_lossy().into_owned();
        if !path.exists() {
            return Err(ModemError::NoSuchPort { path: name });
        }
        if !is_tty(path) {
            return Err(ModemError::NotASerialPort { path: name });
        }
        // Polite access: never take a port another program is using (ModemManager, minicom…).
        // The process on the master side of a PTY is the device itself (socat, an emulator).
        if let Some(h) = crate::ports::holder::competitors_of(path)
            .into_iter()
            .next()
        {
            if !opts.share_port {
                return Err(ModemError::Busy {
                    path: name.clone(),
                    detail: crate::ports::holder::advice(path, &h),
                });
            }
            eprintln!("warning: {h} also has {name} open; going ahead (--share-port)");
        }
        let lock = match crate::ports::lock::PortLock::acquire(path) {
            Ok(l) => Some(l),
            Err(crate::ports::lock::LockError::Held { holder, .. }) if opts.share_port => {
                eprintln!("warning: {name} is locked by {holder}; going ahead (--share-port)");
                None
            }
            Err(crate::ports::lock::LockError::Held { holder, .. }) => {
                return Err(ModemError::Busy {
                    path: name.clone(),
                    detail: crate::ports::holder::advice(path, &holder),
                })
            }
            // No writable lock directory (e.g. not root): go on with TIOCEXCL alone.
            Err(_) => None,
        };
        let mut port = tokio_serial::new(&name, opts.baud)
            .open_native_async()
            .map_err(|e| ModemError::open(&name, e))?;
        // Whatever the modem said before we came (URC noise, a stale reply) is not ours.
        let _ = tokio_serial::SerialPort::clear(&port, tokio_serial::ClearBuffer::Input);
        // TIOCEXCL: a second program opening the port gets EBUSY instead of a garbled session.
        port.set_exclusive(true)
            .map_err(|e| ModemError::open(&name, e))?;
        let mut modem = Modem {
            port,
            _lock: lock,
            path: path.to_path_buf(),
            session: Session::new(SessionConfig::default()),
            urcs: VecDeque::new(),
            restore: Vec::new(),
            manufacturer: None,
            recorder: None,
            other_lines: Vec::new(),
            secrets: Vec::new(),
            held: None,
            restoring: false,
            ussd_open: false,
            _open: interrupt::OpenGuard::new(),
            late_errors: VecDeque::new(),
            buf: vec![0u8; 4096],
            verbose: opts.verbose,
            started: Instant::now(),
            gone: None,
        };
        if opts.record {
            modem.start_recording(vec![
                ("atx".into(), "1".into()),
                ("source".into(), "recorded with simquota --record".into()),
            ]);
        }
        if let Err(e) = modem.handshake(opts).await {
            // Interrupted half-way: put back what the handshake had already changed.
            if matches!(e, ModemError::Interrupted { .. }) {
                let _ = modem.close().await;
            }
            return Err(e);
        }
        Ok(modem)
    }

    /// Marks a USSD session as possibly open (a request was sent) or ended; [`Modem::close`]
    /// cancels an open one (`AT+CUSD=2`), whatever ended the conversation.
    pub fn set_ussd_open(&mut self, open: bool) {
        self.ussd_open = open;
    }

    /// Starts recording the conversation as a transcript.
    pub fn start_recording(&mut self, headers: Vec<(String, String)>) {
        self.recorder = Some(Recorder {
            transcript: Transcript {
                headers,
                steps: Vec::new(),
            },
            last: Instant::now(),
        });
    }

    /// The transcript recorded so far, if recording.
    pub fn recording(&self) -> Option<&Transcript> {
        self.recorder.as_ref().map(|r| &r.transcript)
    }

    /// The port path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn handshake(&mut self, opts: &OpenOptions) -> Result<(), ModemError> {
        // Some modems eat the first command after open; a sleeping modem needs a nudge.
        let mut answered = false;
        for _ in 0..3 {
            match self
                .command(Command::new("AT").with_timeout(opts.probe_timeout / 3))
                .await
            {
                Ok(_) => {
                    answered = true;
                    break;
                }
                Err(ModemError::Timeout { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        if !answered {
            let seen = self.other_lines.iter().take(3).cloned().collect::<Vec<_>>();
            return Err(ModemError::NotAModem {
                path: self.path.to_string_lossy().into_owned(),
                seen,
            });
        }
        // Echo off makes responses unambiguous; the session copes with echo either way, and
        // echo is put back on at close because we cannot ask the modem what it was.
        if self.ok("ATE0").await.is_ok() {
            self.restore.push("ATE1".into());
        }
        if let Ok(lines) = self.ok("AT+CMEE?").await {
            if let Some(old) = lines.iter().find_map(|l| l.strip_prefix("+CMEE:")) {
                let old = old.trim().to_string();
                if old != "1" && self.ok("AT+CMEE=1").await.is_ok() {
                    self.restore.push(format!("AT+CMEE={old}"));
                }
            }
        } else {
            let _ = self.ok("AT+CMEE=1").await;
        }
        self.manufacturer = self
            .ok("AT+CGMI")
            .await
            .ok()
            .and_then(|l| identity::first_value(&l, "+CGMI"));
        if opts.quiet_urcs && self.is_huawei() {
            if let Ok(lines) = self.ok("AT^CURC?").await {
                let old = lines
                    .iter()
                    .find_map(|l| l.strip_prefix("^CURC:"))
                    .map(|s| s.trim().to_string());
                if let Some(old) = old.filter(|o| o != "0") {
                    if self.ok("AT^CURC=0").await.is_ok() {
                        self.restore.push(format!("AT^CURC={old}"));
                    }
                }
            }
        }
        // The optional steps above shrug off errors; a modem that vanished meanwhile is not one.
        match self.gone_error() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn gone_error(&self) -> Option<ModemError> {
        self.gone.as_ref().map(|detail| ModemError::Vanished {
            path: self.path.to_string_lossy().into_owned(),
            detail: detail.clone(),
        })
    }

    fn vanished(&mut self, e: std::io::Error) -> ModemError {
        self.gone = Some(e.to_string());
        ModemError::vanished(&self.path, e)
    }

    /// `-v`: one line per chunk in transcript notation; `-vv` adds milliseconds since open.
    fn trace(&self, dir: char, bytes: &[u8]) {
        match self.verbose {
            0 => {}
            1 => eprintln!("{dir} {}", crate::transcript::escape(bytes)),
            _ => eprintln!(
                "{:>6}ms {dir} {}",
                self.started.elapsed().as_millis(),
                crate::transcript::escape(bytes)
            ),
        }
    }

    /// True for Huawei-family firmware (vendor quirks: packed USSD requests, `^CURC`).
    pub fn is_huawei(&self) -> bool {
        self.manufacturer
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains("huawei"))
    }

    /// Records a command that undoes a change, run by [`Modem::close`].
    pub fn push_restore(&mut self, cmd: impl Into<String>) {
        self.restore.push(cmd.into());
    }

    /// `bytes` with every secret, and any `AT+CPIN=…` argument, blanked out.
    fn redact(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = redact_cpin(bytes);
        for s in &self.secrets {
            let s = s.as_bytes();
            if s.is_empty() {
                continue;
            }
            let mut i = 0;
            while i + s.len() <= out.len() {
                if &out[i..i + s.len()] == s {
                    out.splice(i..i + s.len(), b"****".iter().copied());
                    i += 4;
                } else {
                    i += 1;
                }
            }
        }
        out
    }

    fn redact_str(&self, text: &str) -> String {
        String::from_utf8_lossy(&self.redact(text.as_bytes())).into_owned()
    }

    /// Runs a command that carries `secret` (the PIN): the secret never reaches a trace, a
    /// transcript, a diagnostic line or an error — not even as the modem's echo of it.
    pub async fn command_secret(
        &mut self,
        cmd: Command,
        secret: &str,
    ) -> Result<Response, ModemError> {
        if !self.secrets.iter().any(|s| s == secret) {
            self.secrets.push(secret.to_string());
        }
        self.held = Some(Vec::new());
        let r = self.command(cmd).await;
        self.release_held();
        r
    }

    fn release_held(&mut self) {
        let Some(bytes) = self.held.take() else {
            return;
        };
        if bytes.is_empty() {
            return;
        }
        let shown = self.redact(&bytes);
        if let Some(r) = &mut self.recorder {
            r.note_time();
            r.transcript.steps.push(Step::Recv(shown.clone()));
        }
        if self.verbose > 0 {
            self.trace('<', &shown);
        }
    }

    /// Runs one command and returns its response, whatever the final result.
    pub async fn command(&mut self, cmd: Command) -> Result<Response, ModemError> {
        if let Some(e) = self.gone_error() {
            return Err(e);
        }
        let text = self.redact_str(cmd.text());
        self.session
            .submit(cmd, Instant::now())
            .map_err(|e| ModemError::Protocol(e.to_string()))?;
        loop {
            self.flush().await?;
            while let Some(ev) = self.session.poll_event() {
                match ev {
                    Event::Response(r) => return Ok(r),
                    Event::TimedOut { partial_lines, .. } => {
                        // What a port said without ever ending a command (a shell's "not
                        // found") is what tells the user it is not a modem.
                        let skip = partial_lines.len().saturating_sub(MAX_KEPT_LINES);
                        self.other_lines
                            .extend(partial_lines.iter().skip(skip).map(|l| clip(l)));
                        let over = self.other_lines.len().saturating_sub(MAX_KEPT_LINES);
                        self.other_lines.drain(..over);
                        return Err(ModemError::Timeout { command: text });
                    }
                    other => self.keep(other),
                }
            }
            self.pump(None).await?;
        }
    }

    /// Runs a command that must end in `OK`; returns its intermediate lines.
    pub async fn ok(&mut self, text: &str) -> Result<Vec<String>, ModemError> {
        let r = self.command(Command::new(text)).await?;
        match r.result {
            FinalResult::Ok => Ok(r.lines),
            result => Err(ModemError::Rejected {
                command: text.to_string(),
                result,
            }),
        }
    }

    /// Waits until a URC accepted by `want` arrives or `deadline` passes. URCs that are not
    /// wanted stay queued for later callers.
    pub async fn wait_urc(
        &mut self,
        deadline: Instant,
        want: impl Fn(&Urc) -> bool,
    ) -> Result<Option<Urc>, ModemError> {
        loop {
            while let Some(ev) = self.session.poll_event() {
                self.keep(ev);
            }
            if let Some(i) = self.urcs.iter().position(&want) {
                return Ok(self.urcs.remove(i));
            }
            // `RDY` is said only at boot (Quectel, SIMCom): whatever we wait for was lost with
            // the modem's state, so waiting longer cannot help.
            if let Some(i) = self.urcs.iter().position(|u| u.kind == UrcKind::Rdy) {
                self.urcs.remove(i);
                return Err(ModemError::Restarted {
                    path: self.path.to_string_lossy().into_owned(),
                });
            }
            if let Some(result) = self.late_errors.pop_front() {
                return Err(ModemError::Rejected {
                    command: "(an earlier command, reported late)".into(),
                    result,
                });
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            self.flush().await?;
            self.pump(Some(deadline)).await?;
        }
    }

    /// Takes every queued URC.
    pub fn drain_urcs(&mut self) -> Vec<Urc> {
        while let Some(ev) = self.session.poll_event() {
            self.keep(ev);
        }
        self.urcs.drain(..).collect()
    }

    fn keep(&mut self, ev: Event) {
        let before = self.other_lines.len();
        self.keep_raw(ev);
        if !self.secrets.is_empty() {
            for i in before..self.other_lines.len() {
                let l = self.redact_str(&self.other_lines[i]);
                self.other_lines[i] = l;
            }
        }
        let over = self.other_lines.len().saturating_sub(MAX_KEPT_LINES);
        self.other_lines.drain(..over);
    }

    fn keep_raw(&mut self, ev: Event) {
        // A babbling port (endless `OK`, `^RSSI`, one endless line) must not grow memory: every
        // queue here is bounded, dropping the oldest of the same kind first (`keep` trims the
        // unsolicited lines once they are redacted).
        match ev {
            Event::Urc(u) => {
                if self.urcs.len() >= MAX_KEPT_URCS {
                    let i = self.urcs.iter().position(|q| q.kind == u.kind).unwrap_or(0);
                    self.urcs.remove(i);
                }
                self.urcs.push_back(u)
            }
            Event::Other(l) => {
                if let Some(r) = FinalResult::parse(&l).filter(|r| !r.is_ok()) {
                    if self.late_errors.len() >= MAX_KEPT_URCS {
                        self.late_errors.pop_front();
                    }
                    self.late_errors.push_back(r);
                }
                self.other_lines.push(clip(&l))
            }
            Event::Response(r) => self
                .other_lines
                .push(format!("late response to {}: {:?}", r.command, r.result)),
            Event::TimedOut { command, .. } => {
                self.other_lines.push(format!("{command} timed out"))
            }
            other => self.other_lines.push(clip(&format!("{other:?}"))),
        }
    }

    async fn flush(&mut self) -> Result<(), ModemError> {
        while let Some(bytes) = self.session.poll_transmit() {
            // A PIN never reaches a log or a transcript.
            let shown = self.redact(&bytes);
            if let Some(r) = &mut self.recorder {
                r.note_time();
                r.transcript.steps.push(Step::Send(shown.clone()));
            }
            self.trace('>', &shown);
            if let Err(e) = self.port.write_all(&bytes).await {
                return Err(self.vanished(e));
            }
        }
        Ok(())
    }

    /// Waits for bytes or for the session's next deadline (or `limit`), and feeds the session.
    async fn pump(&mut self, limit: Option<Instant>) -> Result<(), ModemError> {
        let deadline = match (self.session.poll_timeout(), limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let sleep_for = deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(3600));
        if !self.restoring {
            if let Some(signal) = interrupt::pending() {
                return Err(ModemError::Interrupted { signal });
            }
        }
        let interruptible = !self.restoring;
        tokio::select! {
            signal = interrupt::wait(), if interruptible => {
                return Err(ModemError::Interrupted { signal });
            }
            r = self.port.read(&mut self.buf) => {
                let n = match r {
                    Ok(0) => return Err(self.vanished(std::io::ErrorKind::UnexpectedEof.into())),
                    Ok(n) => n,
                    Err(e) => return Err(self.vanished(e)),
                };
                let bytes = &self.buf[..n];
                if let Some(h) = &mut self.held {
                    h.extend_from_slice(bytes);
                } else {
                    // A late echo of the PIN command: blank it (the PIN itself is looked for
                    // only while its command is in flight — elsewhere the same digits are data).
                    let shown = redact_cpin(bytes);
                    if let Some(r) = &mut self.recorder {
                        r.note_time();
                        r.transcript.steps.push(Step::Recv(shown.clone()));
                    }
                    if self.verbose > 0 {
                        self.trace('<', &shown);
                    }
                }
                self.session.handle_input(Instant::now(), &self.buf[..n]);
            }
            _ = tokio::time::sleep(sleep_for) => {
                self.session.handle_timeout(Instant::now());
            }
        }
        Ok(())
    }

    /// Puts back every setting this driver changed, newest first, cancels a USSD session that
    /// may be open, and closes the port. Returns the restore commands that failed and the
    /// recorded transcript, if recording. After an interruption (a signal, or a command still
    /// in flight) this is bounded by [`interrupt::RESTORE_LIMIT`]; a text-entry prompt left
    /// open is ended with Esc first.
    pub async fn close(mut self) -> (Vec<String>, Option<Transcript>) {
        let mut failures = Vec::new();
        self.restoring = true;
        if self.gone.is_some() {
            // Nothing can be put back on a modem that went away (the caller already reports
            // that); a reattached modem starts from its own defaults anyway.
            self.restore.clear();
            self.ussd_open = false;
        }
        let interrupted = interrupt::pending().is_some() || self.session.in_flight().is_some();
        let end = Instant::now() + interrupt::RESTORE_LIMIT;
        let per_command = if interrupted {
            Duration::from_secs(2)
        } else {
            Duration::from_secs(10)
        };
        if self.gone.is_none() && self.session.in_flight().is_some() {
            self.abandon_in_flight().await;
        }
        let mut todo: Vec<String> = Vec::new();
        if self.ussd_open {
            todo.push("AT+CUSD=2".into());
        }
        while let Some(cmd) = self.restore.pop() {
            todo.push(cmd);
        }
        for cmd in todo {
            let left = end.saturating_duration_since(Instant::now());
            if interrupted && left.is_zero() {
                failures.push(format!("{cmd}: no time left to put it back"));
                continue;
            }
            let limit = if interrupted {
                per_command.min(left)
            } else {
                per_command
            };
            match self
                .command(Command::new(cmd.clone()).with_timeout(limit))
                .await
            {
                Ok(r) if r.is_ok() => {}
                // Cancelling a session that turned out not to be open is no failure.
                Ok(_) if cmd == "AT+CUSD=2" => {}
                Ok(r) => failures.push(format!("{cmd}: {}", r.result)),
                Err(e) => failures.push(format!("{cmd}: {e}")),
            }
        }
        self.ussd_open = false;
        (failures, self.recorder.take().map(|r| r.transcript))
    }

    /// A command was cut short (a signal): end a `> ` text entry with Esc (TS 27.005 §3.5.1:
    /// Esc cancels the message), let the modem's late answer pass, and start the session over.
    async fn abandon_in_flight(&mut self) {
        let prompt = self
            .session
            .in_flight()
            .is_some_and(|c| c.payload().is_some());
        if prompt {
            let _ = self.port.write_all(&[0x1B]).await;
            self.trace('>', b"\x1b");
        }
        self.session.reset();
        // Whatever answers the abandoned command is not for the restore commands.
        let until = Instant::now() + Duration::from_millis(300);
        while let Ok(Ok(n)) =
            tokio::time::timeout_at(until.into(), self.port.read(&mut self.buf)).await
        {
            if n == 0 {
                break;
            }
            let bytes = self.buf[..n].to_vec();
            if let Some(r) = &mut self.recorder {
                r.note_time();
                r.transcript.steps.push(Step::Recv(redact_cpin(&bytes)));
            }
            if self.verbose > 0 {
                self.trace('<', &redact_cpin(&bytes));
            }
        }
        self.session.reset();
    }
}

/// Blanks the argument of every `AT+CPIN=` in `bytes` (case-insensitive), up to the line end:
/// `AT+CPIN="1234"` becomes `AT+CPIN="****"`.
fn redact_cpin(bytes: &[u8]) -> Vec<u8> {
    const KEY: &[u8] = b"AT+CPIN=";
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.len() >= KEY.len() && rest[..KEY.len()].eq_ignore_ascii_case(KEY) {
            out.extend_from_slice(&rest[..KEY.len()]);
            i += KEY.len();
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b'\r' || b == b'\n')
                .map_or(bytes.len(), |p| i + p);
            if end > i {
                out.extend_from_slice(b"\"****\"");
            }
            i = end;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod redact_tests {
    use super::redact_cpin;

    #[test]
    fn cpin_arguments_are_blanked_in_commands_and_echoes() {
        assert_eq!(redact_cpin(b"AT+CPIN=\"1234\"\r"), b"AT+CPIN=\"****\"\r");
        assert_eq!(
            redact_cpin(b"at+cpin=1234\r\r\nOK\r\n"),
            b"at+cpin=\"****\"\r\r\nOK\r\n"
        );
        assert_eq!(redact_cpin(b"AT+CPIN?\r"), b"AT+CPIN?\r");
        assert_eq!(redact_cpin(b"+CPIN: READY"), b"+CPIN: READY");
    }
}
