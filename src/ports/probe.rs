//! Asking a port whether it is an AT port: send `AT`, read what comes back, classify it.
//!
//! Invariant: the only bytes ever written while probing are `AT\r` and, if nothing final came
//! back in the first half of the time-out, `\rAT\r` (the leading CR ends any half-typed line a
//! previous program left behind). Nothing else — no `ATZ`, no `ATE0` — because the port may
//! belong to a device we know nothing about. A reply is a final result code of ITU-T V.250
//! §5.7.1 / 3GPP TS 27.007 §9.2 (`OK`, `ERROR`, `+CME ERROR: …`); a GPS port answers with
//! NMEA 0183 sentences (`$GPGGA,…`), a console with a prompt.
//!
//! Classification ([`classify_reply`]) is pure so that it can be tested on bytes alone; the I/O
//! ([`probe_port`], [`probe_many`]) only moves bytes and time.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, SerialPort};

/// The most bytes kept from one probe; a GPS or console stream is recognised long before that.
pub const MAX_REPLY: usize = 4096;

/// What a port's reply to `AT` says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Verdict {
    /// Answered `OK`: an AT command port.
    Ok,
    /// Answered `ERROR` / `+CME ERROR` / `COMMAND NOT SUPPORT`: AT-capable, but unhappy.
    Error,
    /// NMEA sentences: a GPS port, not a modem.
    Nmea,
    /// A login or shell prompt: a console, not a modem.
    Shell,
    /// Only our own `AT` echoed back, no result code.
    Echo,
    /// Bytes that are none of the above (binary DIAG traffic, another protocol).
    Garbage,
    /// Nothing at all within the time-out.
    Silent,
    /// The port could not be opened (see the probe's `error`).
    OpenFailed,
}

impl Verdict {
    /// Whether the port answered AT (with `OK` or an error result code).
    pub fn answered(self) -> bool {
        matches!(self, Verdict::Ok | Verdict::Error)
    }

    /// A few words for tables and error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Verdict::Ok => "answered OK",
            Verdict::Error => "answered ERROR (AT-capable)",
            Verdict::Nmea => "NMEA stream: a GPS port, not a modem",
            Verdict::Shell => "shell/login prompt: a console, not a modem",
            Verdict::Echo => "echoed AT but gave no result code",
            Verdict::Garbage => "unrecognised bytes: not an AT port",
            Verdict::Silent => "no reply",
            Verdict::OpenFailed => "could not open",
        }
    }
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split(|b| *b == b'\r' || *b == b'\n')
        .map(trim_ascii)
        .filter(|l| !l.is_empty())
}

fn trim_ascii(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    s
}

fn is_error_line(l: &[u8]) -> bool {
    l == b"ERROR"
        || l.starts_with(b"+CME ERROR")
        || l.starts_with(b"+CMS ERROR")
        // Huawei's answer to commands it lacks (corpus row 49, HuaweiE1752 in python-gsmmodem).
        || l == b"COMMAND NOT SUPPORT"
}

/// Whether `bytes` already hold a final result code, so reading can stop.
pub fn has_final_result(bytes: &[u8]) -> bool {
    lines(bytes).any(|l| l == b"OK" || is_error_line(l))
}

/// An NMEA 0183 sentence: `$` + talker/sentence id (5 alphanumerics, e.g. `GPGGA`) + `,`.
fn is_nmea_line(l: &[u8]) -> bool {
    match l {
        [b'$', id @ ..] => {
            let head: Vec<u8> = id.iter().take_while(|b| **b != b',').copied().collect();
            (3..=6).contains(&head.len())
                && head
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && id.len() > head.len()
        }
        _ => false,
    }
}

fn looks_like_shell(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    if text.contains("login:")
        || text.contains("password:")
        || text.contains("command not found")
        || text.contains("busybox")
        || text.contains("sh: ")
    {
        return true;
    }
    // A prompt ends the output without a newline: `root@box:~# `, `$ `, `~ # `.
    let end = text.trim_end_matches(' ');
    !text.ends_with('\n') && (end.ends_with('#') || end.ends_with('$')) && end.len() < text.len()
}

/// Classifies what a port sent back after `AT`.
pub fn classify_reply(bytes: &[u8]) -> Verdict {
    if bytes.is_empty() {
        return Verdict::Silent;
    }
    let mut saw_ok = false;
    let mut saw_error = false;
    let mut saw_nmea = false;
    let mut only_echo = true;
    for l in lines(bytes) {
        if l == b"OK" {
            saw_ok = true;
        } else if is_error_line(l) {
            saw_error = true;
        } else if is_nmea_line(l) {
            saw_nmea = true;
        }
        if !(l == b"AT" || l.eq_ignore_ascii_case(b"at")) {
            only_echo = false;
        }
    }
    if saw_ok {
        Verdict::Ok
    } else if saw_error {
        Verdict::Error
    } else if saw_nmea {
        Verdict::Nmea
    } else if looks_like_shell(bytes) {
        Verdict::Shell
    } else if only_echo && bytes.iter().any(|b| !b.is_ascii_whitespace()) {
        Verdict::Echo
    } else if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        Verdict::Silent
    } else {
        Verdict::Garbage
    }
}

/// Renders up to `max` bytes of a reply readably (`\r`, `\n`, `\xNN` escaped).
pub fn escape_reply(bytes: &[u8], max: usize) -> String {
    let mut out = String::new();
    for b in bytes.iter().take(max) {
        match *b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(*b)),
            other => out.push_str(&format!("\\x{other:02x}")),
        }
    }
    if bytes.len() > max {
        out.push('…');
    }
    out
}

/// The outcome of probing one port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProbeResult {
    /// The port probed.
    pub path: PathBuf,
    /// What the reply means.
    pub verdict: Verdict,
    /// The raw reply (at most [`MAX_REPLY`] bytes).
    pub reply: Vec<u8>,
    /// Why the port could not be opened or read, when it could not.
    pub error: Option<String>,
    /// How long the probe took.
    pub elapsed: Duration,
}

fn open_failed(path: &Path, start: Instant, msg: String) -> ProbeResult {
    ProbeResult {
        path: path.to_path_buf(),
        verdict: Verdict::OpenFailed,
        reply: Vec::new(),
        error: Some(msg),
        elapsed: start.elapsed(),
    }
}

/// Reads from `port` into `buf` until a final result code, `deadline`, a read error or
/// [`MAX_REPLY`] bytes.
fn read_until(port: &mut dyn SerialPort, buf: &mut Vec<u8>, deadline: Instant) -> Option<String> {
    let mut chunk = [0u8; 512];
    while Instant::now() < deadline && buf.len() < MAX_REPLY {
        match port.read(&mut chunk) {
            Ok(0) => std::thread::sleep(Duration::from_millis(5)),
            Ok(n) => {
                let room = MAX_REPLY.saturating_sub(buf.len());
                buf.extend_from_slice(chunk.get(..n.min(room)).unwrap_or(&[]));
                if has_final_result(buf) {
                    return None;
                }
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::TimedOut
                    || e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Some(format!("read failed: {e}")),
        }
    }
    None
}

/// Probes one port: open it, flush, send `AT\r`, and if nothing final arrived by half the
/// time-out, `\rAT\r`; read until a final result code or the time-out.
pub fn probe_port(path: &Path, timeout: Duration) -> ProbeResult {
    let start = Instant::now();
    let deadline = start + timeout;
    let half = start + timeout / 2;
    let name = path.to_string_lossy().into_owned();
    let mut port = match serialport::new(name, 115_200)
        .timeout(Duration::from_millis(20))
        .open_native()
    {
        Ok(p) => p,
        Err(e) => return open_failed(path, start, e.to_string()),
    };
    // Stale bytes from before we opened the port would be mistaken for a reply.
    let _ = port.clear(ClearBuffer::All);
    let mut buf = Vec::new();
    let error = match port.write_all(b"AT\r").and_then(|_| port.flush()) {
        Err(e) => Some(format!("write failed: {e}")),
        Ok(()) => match read_until(&mut port, &mut buf, half) {
            Some(e) => Some(e),
            None if has_final_result(&buf) => None,
            None => match port.write_all(b"\rAT\r").and_then(|_| port.flush()) {
                Err(e) => Some(format!("write failed: {e}")),
                Ok(()) => read_until(&mut port, &mut buf, deadline),
            },
        },
    };
    ProbeResult {
        path: path.to_path_buf(),
        verdict: classify_reply(&buf),
        reply: buf,
        error,
        elapsed: start.elapsed(),
    }
}

/// Probes all `paths` at once, one thread each, so the whole set takes about one time-out.
/// Results come back in the order of `paths`.
pub fn probe_many(paths: &[PathBuf], timeout: Duration) -> Vec<ProbeResult> {
    probe_many_with(paths, |p| probe_port(p, timeout))
}

/// Runs `f` on every path in parallel (scoped threads) and collects results in order.
pub(crate) fn probe_many_with<T, F>(paths: &[PathBuf], f: F) -> Vec<T>
where
    T: Send,
    F: Fn(&Path) -> T + Sync,
    T: From<PanickedProbe>,
{
    std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .iter()
            .map(|p| {
                let f = &f;
                (p, s.spawn(move || f(p)))
            })
            .collect();
        handles
            .into_iter()
            .map(|(p, h)| {
                h.join()
                    .unwrap_or_else(|_| T::from(PanickedProbe(p.clone())))
            })
            .collect()
    })
}

/// Marker for a probe thread that panicked (it should not; the result says so instead of
/// taking the caller down).
pub(crate) struct PanickedProbe(pub PathBuf);

impl From<PanickedProbe> for ProbeResult {
    fn from(p: PanickedProbe) -> Self {
        ProbeResult {
            path: p.0,
            verdict: Verdict::OpenFailed,
            reply: Vec::new(),
            error: Some("probe thread panicked".to_string()),
            elapsed: Duration::ZERO,
        }
    }
}
