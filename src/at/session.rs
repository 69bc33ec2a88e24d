//! The sans-IO AT session: bytes in, events out, time passed in.
//!
//! Invariants (STYLE.md §1–§3):
//! - No I/O, no clock, no sleep. The caller feeds [`Session::handle_input`] /
//!   [`Session::handle_timeout`] with `now` and drains [`Session::poll_transmit`] /
//!   [`Session::poll_event`]; [`Session::poll_timeout`] says when to call back.
//! - At most one command in flight (V.250 §5.2.1: the DCE answers one command line at a time).
//!   [`Session::submit`] refuses a second one with [`SessionError::Busy`] instead of queueing, so
//!   the caller keeps its own ordering and back-pressure.
//! - Lines are routed by what is in flight (the atat lesson, STYLE §2): a `+NAME:` line is an
//!   information response when the in-flight command is a read/test/execute of `+NAME`, and a
//!   URC otherwise — including `+CUSD:` after `AT+CUSD=1,…` whether it comes before or after the
//!   `OK` (TS 27.007 §7.15 makes the reply unsolicited).
//! - Nothing from the modem is an error. Unknown lines become [`Event::Other`] (or intermediate
//!   lines of the command), binary noise [`Event::Garbage`]; nothing panics.
//! - Event order does not depend on how the input was chunked, given the same `now`.
//!
//! ## Stale results after a time-out
//! When a command times out the modem may still answer it later; taken naively, that late `OK`
//! would complete the next command. The session guards against it twice:
//! 1. **Quiet drain.** After a time-out the next submitted command is *held* (not transmitted)
//!    until the late answer's final result arrives, or the line has been quiet for
//!    [`SessionConfig::resync_quiet`], or [`SessionConfig::resync_max`] has passed. Lines seen
//!    meanwhile are URCs or [`Event::Other`].
//! 2. **Echo check.** While echo is known to be on, the first command after a time-out accepts a
//!    final result only after its own echo: a final result before the echo belongs to the old
//!    command and is reported as [`Event::Other`].
//!
//! With echo off, a late answer that arrives after the drain is indistinguishable from the new
//! command's answer; give slow commands (USSD, `AT+COPS=?`) generous time-outs.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::command::{Command, Syntax};
use super::line::{Frame, Framer};
use super::params::{split_params, split_prefix, Param};
use super::result::FinalResult;
use super::urc::{self, Follow, Urc, UrcKind};

const ESC: u8 = 0x1B;
const CTRL_Z: u8 = 0x1A;

/// Tunables of a [`Session`]; `Default` gives values that suit USB sticks at 115200 baud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Time-out for commands that do not set their own (default 10 s).
    pub command_timeout: Duration,
    /// How long a multi-line URC (open `+CUSD:` quote, `+CMT:` awaiting its PDU) waits for more
    /// input before it is delivered as it is (default 300 ms after the last byte).
    pub urc_flush: Duration,
    /// After a time-out, how long the line must stay quiet before the next command is sent
    /// (default 500 ms).
    pub resync_quiet: Duration,
    /// After a time-out, the longest the next command is held back (default 5 s).
    pub resync_max: Duration,
    /// A line longer than this without a terminator is flushed as [`Event::Garbage`]
    /// (default 16 KiB).
    pub max_line: usize,
    /// A multi-line URC is delivered as it is once its text exceeds this (default 8 KiB).
    pub max_pending_bytes: usize,
    /// … or once it has this many continuation lines (default 32).
    pub max_pending_lines: usize,
    /// Extra URC prefixes to recognise (e.g. `"+MYURC:"`), reported as [`UrcKind::Other`].
    pub extra_urc_prefixes: Vec<String>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            command_timeout: Duration::from_secs(10),
            urc_flush: Duration::from_millis(300),
            resync_quiet: Duration::from_millis(500),
            resync_max: Duration::from_secs(5),
            max_line: 16 * 1024,
            max_pending_bytes: 8 * 1024,
            max_pending_lines: 32,
            extra_urc_prefixes: Vec::new(),
        }
    }
}

/// Why [`Session::submit`] refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Another command is in flight (or held after a time-out); wait for its event.
    #[error("a command is already in flight: {in_flight:?}")]
    Busy {
        /// The command in flight.
        in_flight: String,
    },
    /// The command text cannot be sent as one command line.
    #[error("invalid command {text:?}: {reason}")]
    InvalidCommand {
        /// The rejected text.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The in-flight command finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The command text as submitted.
    pub command: String,
    /// Intermediate lines in order (information responses, `+CMGL` headers and their PDU lines,
    /// `ATI` text), without echo and without URCs.
    pub lines: Vec<String>,
    /// The final result.
    pub result: FinalResult,
    /// For lines that were not clean UTF-8 text: (index into `lines`, raw bytes).
    pub raw_lines: Vec<(usize, Vec<u8>)>,
}

impl Response {
    /// `true` when the result is `OK`.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }

    /// Lines starting with `prefix` (e.g. `"+CSQ:"`).
    pub fn lines_with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.lines
            .iter()
            .map(String::as_str)
            .filter(move |l| l.starts_with(prefix))
    }
}

/// What the session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The in-flight command finished: its intermediate lines and final result.
    Response(Response),
    /// An unsolicited result code, at any time (also in the middle of a response).
    Urc(Urc),
    /// The in-flight command got no final result in time; the session is idle again.
    TimedOut {
        /// The command text.
        command: String,
        /// Intermediate lines received before the time-out.
        partial_lines: Vec<String>,
    },
    /// A `> ` prompt came with no payload to send; the session sent ESC (0x1B) to leave
    /// text-entry mode.
    PromptAborted {
        /// The command in flight (or the timed-out one still draining), if any.
        command: Option<String>,
    },
    /// A text line outside any command that is neither a URC nor a response (including late
    /// answers of a timed-out command). Never an error.
    Other(String),
    /// Bytes that are not text: non-UTF-8 or control characters outside a command, or a line
    /// longer than [`SessionConfig::max_line`].
    Garbage(Vec<u8>),
}

/// One decoded line.
#[derive(Debug, Clone)]
struct LineText {
    text: String,
    raw: Vec<u8>,
    /// Not valid UTF-8, or holds control characters other than TAB.
    binary: bool,
}

impl LineText {
    fn decode(raw: Vec<u8>) -> Self {
        let (text, utf8) = match std::str::from_utf8(&raw) {
            Ok(s) => (s.to_string(), true),
            Err(_) => (String::from_utf8_lossy(&raw).into_owned(), false),
        };
        let binary = !utf8 || text.chars().any(|c| c.is_control() && c != '\t');
        Self { text, raw, binary }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PayloadState {
    NoPayload,
    Waiting,
    /// Sent; the modem may echo it (without Ctrl-Z): that line is dropped once.
    Sent {
        echo: Option<String>,
    },
}

#[derive(Debug)]
struct InFlight {
    cmd: Command,
    prefix: Option<String>,
    syntax: Syntax,
    /// `None` while held back after a time-out (not transmitted yet).
    deadline: Option<Instant>,
    lines: Vec<String>,
    raw_lines: Vec<(usize, Vec<u8>)>,
    echo_seen: bool,
    payload: PayloadState,
    /// First command after a time-out: a final result before its echo is stale.
    stale_guard: bool,
    /// Text bytes held in `lines` (bounded by [`MAX_RESPONSE_BYTES`]).
    bytes: usize,
    /// Lines not kept because the response was over its bounds (reported, never silent).
    dropped: usize,
}

/// Most intermediate lines one response keeps (a full `+CMGL` of 255 messages is ~510): a port
/// that babbles while a command is in flight must not grow memory without bound.
pub const MAX_RESPONSE_LINES: usize = 4096;

/// Most text one response keeps.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

impl InFlight {
    fn push(&mut self, lt: LineText) {
        if self.lines.len() >= MAX_RESPONSE_LINES || self.bytes + lt.text.len() > MAX_RESPONSE_BYTES
        {
            self.dropped += 1;
            return;
        }
        self.bytes += lt.text.len();
        if lt.binary {
            self.raw_lines.push((self.lines.len(), lt.raw));
        }
        self.lines.push(lt.text);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Urc(UrcKind),
    Response,
}

#[derive(Debug)]
enum Pending {
    Idle,
    /// A `+CUSD:` line with an open quote: further lines are text until the quote closes.
    Quoted {
        target: Target,
        text: String,
        raw: Vec<u8>,
        binary: bool,
        lines: usize,
    },
    /// A header (`+CMT:`, `+CMGL:` …) waiting for its PDU/text line.
    Body {
        target: Target,
        header: LineText,
        /// PDU mode: the TPDU length from the header; `None` in text mode.
        tpdu_len: Option<u32>,
        /// The PDU starts with the SMSC address (SMS, TS 27.005 §3.1) — not for `+CBM`.
        smsc_prefixed: bool,
        body: Option<LineText>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finish {
    /// The pending unit is complete.
    Complete,
    /// Delivered as it is (deadline, size limit, or interrupted).
    Flushed,
}

#[derive(Debug)]
struct Drain {
    command: String,
    quiet_until: Instant,
    give_up_at: Instant,
}

/// The AT session state machine. See the module documentation.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    framer: Framer,
    tx: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    in_flight: Option<InFlight>,
    pending: Pending,
    drain: Option<Drain>,
    last_rx: Option<Instant>,
    /// Learned from the last completed command: did the modem echo it?
    echo_on: Option<bool>,
    /// A timed-out command's final result may still arrive.
    stale_possible: bool,
}

impl Session {
    /// A new, idle session.
    pub fn new(config: SessionConfig) -> Self {
        let framer = Framer::new(config.max_line);
        Self {
            config,
            framer,
            tx: VecDeque::new(),
            events: VecDeque::new(),
            in_flight: None,
            pending: Pending::Idle,
            drain: None,
            last_rx: None,
            echo_on: None,
            stale_possible: false,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Submit a command. Exactly one command may be in flight: a second one is refused with
    /// [`SessionError::Busy`] (no queue). After a time-out the command is accepted but held back
    /// until the old answer has drained (see the module docs); its time-out starts when it is
    /// transmitted.
    pub fn submit(&mut self, cmd: Command, now: Instant) -> Result<(), SessionError> {
        let text = cmd.text();
        if text.trim().is_empty() {
            return Err(SessionError::InvalidCommand {
                text: text.to_string(),
                reason: "empty command",
            });
        }
        if text.contains(['\r', '\n']) {
            return Err(SessionError::InvalidCommand {
                text: text.to_string(),
                reason: "contains CR or LF (the session appends the CR)",
            });
        }
        self.expire(now);
        if let Some(inf) = &self.in_flight {
            return Err(SessionError::Busy {
                in_flight: inf.cmd.text().to_string(),
            });
        }
        let payload = if cmd.payload().is_some() {
            PayloadState::Waiting
        } else {
            PayloadState::NoPayload
        };
        self.in_flight = Some(InFlight {
            prefix: cmd.response_prefix(),
            syntax: cmd.syntax(),
            cmd,
            deadline: None,
            lines: Vec::new(),
            raw_lines: Vec::new(),
            echo_seen: false,
            payload,
            stale_guard: false,
            bytes: 0,
            dropped: 0,
        });
        if self.drain.is_none() {
            self.transmit(now);
        }
        Ok(())
    }

    /// Feed bytes read from the port at time `now`.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        self.expire(now);
        if bytes.is_empty() {
            return;
        }
        self.last_rx = Some(now);
        let quiet = self.config.resync_quiet;
        if let Some(d) = &mut self.drain {
            d.quiet_until = d.quiet_until.max(now + quiet);
        }
        for &b in bytes {
            let prompt_allowed = !matches!(self.pending, Pending::Quoted { .. });
            if let Some(frame) = self.framer.push(b, prompt_allowed) {
                self.on_frame(now, frame);
            }
        }
    }

    /// Bytes to write to the port, in order.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.tx.pop_front()
    }

    /// The next event, in order.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The earliest instant at which [`Session::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let pending = match (&self.pending, self.last_rx) {
            (Pending::Idle, _) | (_, None) => None,
            (_, Some(t)) => Some(t + self.config.urc_flush),
        };
        let command = self.in_flight.as_ref().and_then(|i| i.deadline);
        let drain = self.drain.as_ref().map(|d| d.quiet_until.min(d.give_up_at));
        [pending, command, drain].into_iter().flatten().min()
    }

    /// Let time pass: deliver stale multi-line URCs, time out the command, end a drain.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.expire(now);
    }

    /// The command in flight (also while held back after a time-out).
    pub fn in_flight(&self) -> Option<&Command> {
        self.in_flight.as_ref().map(|i| &i.cmd)
    }

    /// Forget all state after the port was reopened: the in-flight command is abandoned without
    /// an event, unsent bytes and partial input are dropped; undelivered events are kept.
    pub fn reset(&mut self) {
        self.framer.reset();
        self.tx.clear();
        self.in_flight = None;
        self.pending = Pending::Idle;
        self.drain = None;
        self.last_rx = None;
        self.echo_on = None;
        self.stale_possible = false;
    }

    // ----- time -------------------------------------------------------------------------------

    fn expire(&mut self, now: Instant) {
        if !matches!(self.pending, Pending::Idle) {
            let due = self
                .last_rx
                .is_none_or(|t| now >= t + self.config.urc_flush);
            if due {
                // No more input came: an unterminated tail belongs to the open quote.
                if matches!(self.pending, Pending::Quoted { .. }) {
                    let tail = self.framer.take_partial();
                    if !tail.is_empty() {
                        self.quoted_append(LineText::decode(tail));
                    }
                }
                self.finish_pending(now, Finish::Flushed);
            }
        }
        let timed_out = matches!(
            self.in_flight.as_ref().and_then(|i| i.deadline),
            Some(d) if now >= d
        );
        if timed_out {
            self.time_out(now);
        }
        let drain_over = matches!(
            &self.drain,
            Some(d) if now >= d.quiet_until || now >= d.give_up_at
        );
        if drain_over {
            self.end_drain(now);
        }
    }

    fn time_out(&mut self, now: Instant) {
        // A PDU line or quoted text of this command's response still belongs to it; it may even
        // carry the final result (truncated quote), which completes the command after all.
        let flush = match &self.pending {
            Pending::Body {
                target: Target::Response,
                ..
            }
            | Pending::Quoted {
                target: Target::Response,
                ..
            } => true,
            // An open quote that swallowed this command's final result: flush it now so the
            // result is recovered instead of the command timing out.
            Pending::Quoted { text, .. } => text
                .trim_end_matches('\n')
                .rsplit_once('\n')
                .and_then(|(_, last)| FinalResult::parse(last))
                .is_some(),
            _ => false,
        };
        if flush {
            self.finish_pending(now, Finish::Flushed);
        }
        let Some(inf) = self.in_flight.take_if(|i| i.deadline.is_some()) else {
            return;
        };
        if inf.cmd.payload().is_some() {
            // The modem may still sit in text-entry mode and would swallow the next command.
            self.tx.push_back(vec![ESC]);
        }
        let command = inf.cmd.text().to_string();
        self.events.push_back(Event::TimedOut {
            command: command.clone(),
            partial_lines: inf.lines,
        });
        self.stale_possible = true;
        self.drain = Some(Drain {
            command,
            quiet_until: now + self.config.resync_quiet,
            give_up_at: now + self.config.resync_max,
        });
    }

    fn end_drain(&mut self, now: Instant) {
        self.drain = None;
        if matches!(&self.in_flight, Some(i) if i.deadline.is_none()) {
            self.transmit(now);
        }
    }

    fn transmit(&mut self, now: Instant) {
        let default_timeout = self.config.command_timeout;
        let stale_guard = self.stale_possible;
        if let Some(inf) = &mut self.in_flight {
            let mut line = inf.cmd.text().as_bytes().to_vec();
            line.push(b'\r');
            self.tx.push_back(line);
            inf.deadline = Some(now + inf.cmd.timeout().unwrap_or(default_timeout));
            inf.stale_guard = stale_guard;
        }
    }

    // ----- input ------------------------------------------------------------------------------

    fn on_frame(&mut self, now: Instant, frame: Frame) {
        match frame {
            Frame::Blank => {
                // Empty lines only matter as text inside an open quote (menus with blank lines).
                if matches!(self.pending, Pending::Quoted { .. }) {
                    self.quoted_append(LineText::decode(Vec::new()));
                    if self.quoted_over_limit() {
                        self.finish_pending(now, Finish::Flushed);
                    }
                }
            }
            Frame::Prompt => self.on_prompt(),
            Frame::Overflow(bytes) => {
                self.finish_pending(now, Finish::Flushed);
                self.events.push_back(Event::Garbage(bytes));
            }
            Frame::Line(raw) => self.on_line(now, raw),
        }
    }

    fn on_prompt(&mut self) {
        let sent = self.in_flight.as_mut().filter(|i| i.deadline.is_some());
        match sent {
            Some(inf) => match inf.payload {
                PayloadState::Waiting => {
                    let payload = inf.cmd.payload().unwrap_or_default().to_vec();
                    let echo = payload_echo_text(&payload);
                    self.tx.push_back(payload);
                    inf.payload = PayloadState::Sent { echo };
                }
                // Text mode prompts again after each CR inside the payload: nothing to do.
                PayloadState::Sent { .. } => {}
                PayloadState::NoPayload => {
                    let command = Some(inf.cmd.text().to_string());
                    self.tx.push_back(vec![ESC]);
                    self.events.push_back(Event::PromptAborted { command });
                }
            },
            None => {
                let command = self.drain.as_ref().map(|d| d.command.clone());
                self.tx.push_back(vec![ESC]);
                self.events.push_back(Event::PromptAborted { command });
            }
        }
    }

    fn on_line(&mut self, now: Instant, raw: Vec<u8>) {
        let raw = trim_nul(raw);
        if raw.is_empty() {
            return self.on_frame(now, Frame::Blank);
        }
        let lt = LineText::decode(raw);

        if matches!(self.pending, Pending::Quoted { .. }) {
            let closed = self.quoted_append(lt);
            if closed {
                self.finish_pending(now, Finish::Complete);
            } else if self.quoted_over_limit() {
                self.finish_pending(now, Finish::Flushed);
            }
            return;
        }

        if self.drop_echo(&lt.text) {
            return;
        }

        if let Pending::Body { .. } = self.pending {
            match self.route_urc(&lt.text) {
                Some(m) if !needs_more(&m, &lt.text) => {
                    // Huawei puts URCs between a header and its PDU (corpus A2).
                    self.emit_urc(m.kind, lt);
                    return;
                }
                Some(_) => self.finish_pending(now, Finish::Flushed),
                None => {
                    if let Some(done) = self.body_take(&lt) {
                        if done {
                            self.finish_pending(now, Finish::Complete);
                        }
                        return;
                    }
                    self.finish_pending(now, Finish::Flushed);
                }
            }
        }

        self.dispatch(now, lt);
    }

    /// Offer a line to a pending header. `None`: not its body (the pending unit must be
    /// flushed and the line handled normally); `Some(done)`: taken.
    fn body_take(&mut self, lt: &LineText) -> Option<bool> {
        let max = self.config.max_pending_bytes;
        let Pending::Body {
            header,
            tpdu_len,
            smsc_prefixed,
            body,
            ..
        } = &mut self.pending
        else {
            return None;
        };
        let t = lt.text.trim();
        match tpdu_len {
            Some(len) => {
                if !is_hex(t) {
                    return None;
                }
                let joined = match body.take() {
                    None => LineText {
                        text: t.to_string(),
                        raw: lt.raw.clone(),
                        binary: lt.binary,
                    },
                    // A URC split the PDU line in two (corpus A2): rejoin it.
                    Some(mut b) => {
                        b.text.push_str(t);
                        b.raw.extend_from_slice(&lt.raw);
                        b
                    }
                };
                let done = match expected_hex_len(&joined.text, *len, *smsc_prefixed) {
                    Some(expected) => joined.text.len() >= expected,
                    None => true,
                } || joined.text.len() >= max;
                *body = Some(joined);
                Some(done)
            }
            None => {
                if body.is_some() {
                    return None;
                }
                // In text mode the next line is the message text, whatever it says, unless it is
                // the next header of the same listing (an empty message).
                let header_name = split_prefix(&header.text).0;
                if header_name.is_some() && split_prefix(t).0 == header_name {
                    return None;
                }
                *body = Some(lt.clone());
                Some(true)
            }
        }
    }

    fn dispatch(&mut self, now: Instant, lt: LineText) {
        let t = lt.text.trim();
        if let Some(fr) = FinalResult::parse(t) {
            let sent = self.in_flight.as_mut().filter(|i| i.deadline.is_some());
            match sent {
                Some(inf) if fr.ends(inf.cmd.text()) => {
                    if inf.stale_guard && self.echo_on == Some(true) && !inf.echo_seen {
                        // The timed-out command's answer, arriving before our echo.
                        inf.stale_guard = false;
                        self.stale_possible = false;
                        self.events.push_back(Event::Other(lt.text));
                        return;
                    }
                    self.complete(fr);
                    return;
                }
                Some(_) => {}
                None if !fr.is_call_progress() => {
                    // Late answer of a timed-out command (or a stray result): the old command
                    // is over, so a held command may go now.
                    self.stale_possible = false;
                    self.events.push_back(Event::Other(lt.text));
                    if self.drain.is_some() {
                        self.end_drain(now);
                    }
                    return;
                }
                None => {}
            }
        }

        if let Some(m) = self.route_urc(t) {
            if needs_more(&m, t) {
                self.pending = match m.follow {
                    Follow::Quoted => quoted_start(Target::Urc(m.kind), lt),
                    _ => Pending::Body {
                        smsc_prefixed: m.kind != UrcKind::Cbm,
                        target: Target::Urc(m.kind),
                        tpdu_len: urc::pdu_length(t),
                        header: lt,
                        body: None,
                    },
                };
            } else {
                self.emit_urc(m.kind, lt);
            }
            return;
        }

        let Some(inf) = self.in_flight.as_mut().filter(|i| i.deadline.is_some()) else {
            self.events.push_back(if lt.binary {
                Event::Garbage(lt.raw)
            } else {
                Event::Other(lt.text)
            });
            return;
        };
        let name = split_prefix(t).0.map(str::to_ascii_uppercase);
        match name.as_deref() {
            Some("+CMGL" | "+CMGR") => {
                if let Some(tpdu_len) = body_expected(t) {
                    let header = lt.clone();
                    inf.push(lt);
                    self.pending = Pending::Body {
                        target: Target::Response,
                        header,
                        tpdu_len,
                        smsc_prefixed: true,
                        body: None,
                    };
                } else {
                    inf.push(lt);
                }
            }
            Some("+CUSD") if odd_quotes(t) => {
                self.pending = quoted_start(Target::Response, lt);
            }
            _ => inf.push(lt),
        }
    }

    /// The URC this line is, given what is in flight; `None` when it is not a URC.
    fn route_urc(&self, t: &str) -> Option<urc::Match> {
        let m = urc::classify(t, &self.config.extra_urc_prefixes)?;
        if let (Some(name), Some(inf)) = (
            &m.name,
            self.in_flight.as_ref().filter(|i| i.deadline.is_some()),
        ) {
            let answers = inf
                .prefix
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(name));
            // A set command of a URC-capable name only configures; its `+NAME:` lines are
            // unsolicited (`AT+CUSD=1,…` → `+CUSD:`; `AT+CREG=2` → `+CREG: 1`).
            if answers && inf.syntax != Syntax::Set {
                return None;
            }
        }
        Some(m)
    }

    fn drop_echo(&mut self, text: &str) -> bool {
        let Some(inf) = self.in_flight.as_mut().filter(|i| i.deadline.is_some()) else {
            return false;
        };
        let t = text.trim();
        if !inf.echo_seen && t.eq_ignore_ascii_case(inf.cmd.text().trim()) {
            inf.echo_seen = true;
            self.echo_on = Some(true);
            return true;
        }
        if let PayloadState::Sent { echo } = &mut inf.payload {
            if echo.as_deref().is_some_and(|e| e == strip_payload_end(t)) {
                *echo = None;
                return true;
            }
        }
        false
    }

    fn complete(&mut self, result: FinalResult) {
        let Some(inf) = self.in_flight.take() else {
            return;
        };
        self.echo_on = Some(inf.echo_seen);
        if inf.stale_guard {
            self.stale_possible = false;
        }
        let command = inf.cmd.text().to_string();
        self.events.push_back(Event::Response(Response {
            command: command.clone(),
            lines: inf.lines,
            result,
            raw_lines: inf.raw_lines,
        }));
        if inf.dropped > 0 {
            self.events.push_back(Event::Other(format!(
                "{} more line(s) of the response to {command} were dropped (over {MAX_RESPONSE_LINES} lines or {MAX_RESPONSE_BYTES} bytes)",
                inf.dropped
            )));
        }
    }

    fn emit_urc(&mut self, kind: UrcKind, lt: LineText) {
        self.events.push_back(Event::Urc(Urc {
            kind,
            raw: lt.binary.then_some(lt.raw),
            text: lt.text,
            pdu: None,
        }));
    }

    // ----- pending multi-line units -----------------------------------------------------------

    /// Append a continuation line to an open quote; `true` when the quote is now closed.
    fn quoted_append(&mut self, lt: LineText) -> bool {
        let Pending::Quoted {
            text,
            raw,
            binary,
            lines,
            ..
        } = &mut self.pending
        else {
            return false;
        };
        text.push('\n');
        text.push_str(&lt.text);
        raw.push(b'\n');
        raw.extend_from_slice(&lt.raw);
        *binary |= lt.binary;
        *lines = lines.saturating_add(1);
        !odd_quotes(text)
    }

    fn quoted_over_limit(&self) -> bool {
        match &self.pending {
            Pending::Quoted { text, lines, .. } => {
                text.len() > self.config.max_pending_bytes || *lines > self.config.max_pending_lines
            }
            _ => false,
        }
    }

    fn finish_pending(&mut self, now: Instant, how: Finish) {
        match std::mem::replace(&mut self.pending, Pending::Idle) {
            Pending::Idle => {}
            Pending::Quoted {
                target,
                mut text,
                mut raw,
                binary,
                ..
            } => {
                let mut final_line = None;
                if how == Finish::Flushed {
                    // Trailing empty lines of an unclosed quote are the modem's framing.
                    while text.ends_with('\n') && raw.ends_with(b"\n") {
                        text.pop();
                        raw.pop();
                    }
                    // The quote never closed (truncated reply). If its last line is the
                    // command's final result, the modem sent that result after the truncated
                    // text: give it back to the command rather than let the command time out.
                    if let (Some(ti), Some(ri)) =
                        (text.rfind('\n'), raw.iter().rposition(|&b| b == b'\n'))
                    {
                        let last_line = text.get(ti + 1..).unwrap_or("").trim().to_string();
                        let ends_command = FinalResult::parse(&last_line).is_some_and(|fr| {
                            self.in_flight
                                .as_ref()
                                .filter(|i| i.deadline.is_some())
                                .is_some_and(|i| fr.ends(i.cmd.text()))
                        });
                        if ends_command {
                            text.truncate(ti);
                            raw.truncate(ri);
                            while text.ends_with('\n') && raw.ends_with(b"\n") {
                                text.pop();
                                raw.pop();
                            }
                            final_line = Some(last_line);
                        }
                    }
                }
                let unit = LineText { text, raw, binary };
                self.deliver(target, unit, None);
                if let Some(line) = final_line {
                    self.dispatch(now, LineText::decode(line.into_bytes()));
                }
            }
            Pending::Body {
                target,
                header,
                body,
                ..
            } => match target {
                Target::Urc(_) => self.deliver(target, header, body),
                // The header is already in the response; only the body is left.
                Target::Response => {
                    if let Some(b) = body {
                        self.deliver(Target::Response, b, None);
                    }
                }
            },
        }
    }

    fn deliver(&mut self, target: Target, unit: LineText, second: Option<LineText>) {
        match target {
            Target::Urc(kind) => {
                let binary = unit.binary || second.as_ref().is_some_and(|s| s.binary);
                let raw = binary.then(|| {
                    let mut r = unit.raw.clone();
                    if let Some(s) = &second {
                        r.push(b'\n');
                        r.extend_from_slice(&s.raw);
                    }
                    r
                });
                self.events.push_back(Event::Urc(Urc {
                    kind,
                    text: unit.text,
                    pdu: second.map(|s| s.text),
                    raw,
                }));
            }
            Target::Response => match self.in_flight.as_mut().filter(|i| i.deadline.is_some()) {
                Some(inf) => inf.push(unit),
                None => self.events.push_back(if unit.binary {
                    Event::Garbage(unit.raw)
                } else {
                    Event::Other(unit.text)
                }),
            },
        }
    }
}

fn quoted_start(target: Target, lt: LineText) -> Pending {
    Pending::Quoted {
        target,
        text: lt.text,
        raw: lt.raw,
        binary: lt.binary,
        lines: 0,
    }
}

/// Does this URC line start a multi-line unit?
fn needs_more(m: &urc::Match, t: &str) -> bool {
    match m.follow {
        Follow::Nothing => false,
        Follow::Line => true,
        Follow::LineIfPdu => urc::pdu_length(t).is_some(),
        Follow::Quoted => odd_quotes(t),
    }
}

/// For a `+CMGL:`/`+CMGR:` header: `None` when no body line follows (PDU given inline after a
/// space, as ModemManager's `+CMGR: 1,,147 0791…`; or length 0), else `Some(tpdu_len)` with
/// `None` meaning text mode.
fn body_expected(header: &str) -> Option<Option<u32>> {
    if let Some(len) = urc::pdu_length(header) {
        return (len > 0).then_some(Some(len));
    }
    let inline = matches!(
        split_params(header).params.last(),
        Some(Param::Raw(r)) if r.contains(char::is_whitespace)
    );
    (!inline).then_some(None)
}

fn odd_quotes(s: &str) -> bool {
    s.bytes().filter(|&b| b == b'"').count() % 2 == 1
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Hex characters of a PDU. For SMS (TS 27.005 §3.1) `<length>` counts the TPDU only and the
/// PDU starts with the SMSC address (length octet + address); for `+CBM` it counts everything.
fn expected_hex_len(hex: &str, len: u32, smsc_prefixed: bool) -> Option<usize> {
    let smsc = if smsc_prefixed {
        1 + u64::from(u8::from_str_radix(hex.get(..2)?, 16).ok()?)
    } else {
        0
    };
    let octets = smsc + u64::from(len);
    usize::try_from(octets.saturating_mul(2)).ok()
}

fn trim_nul(mut raw: Vec<u8>) -> Vec<u8> {
    while raw.last() == Some(&0) {
        raw.pop();
    }
    let lead = raw.iter().take_while(|&&b| b == 0).count();
    if lead > 0 {
        raw.drain(..lead);
    }
    raw
}

fn strip_payload_end(t: &str) -> &str {
    t.trim_end_matches(|c: char| c == CTRL_Z as char || c == ESC as char || c.is_whitespace())
}

fn payload_echo_text(payload: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(payload);
    let e = strip_payload_end(s.trim_start()).to_string();
    (!e.is_empty()).then_some(e)
}
