//! Fault injection for the emulator: a [`Device`] wrapper ([`Faulty`]) that makes a well-behaved
//! modem misbehave the way real ones do, and two devices that are not modems at all ([`Nmea`],
//! [`Shell`]) for the "wrong port" case.
//!
//! Invariants:
//! - Sans-IO like every [`Device`]: no clock, no sleep; `now` comes from the runner.
//! - Deterministic for a given [`Faults::seed`] and input timing: randomness comes only from the
//!   module's own xorshift generator ([`XorShift`]), never from the OS.
//! - Faults never cut a line of the inner device in two, except [`Faults::byte_by_byte`] (which
//!   keeps the bytes and their order) — so what the client must survive is exactly the fault
//!   that was asked for. Noise and URCs go *between* lines; V.250 §5.7.1 frames every response
//!   line as `<CR><LF>text<CR><LF>`, which is where real modems interleave URCs (shared/corpus §A:
//!   Huawei `^RSSI`/`^BOOT` between and inside responses).
//! - Output keeps its order: a delayed or split chunk is never overtaken by a later one.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::Device;

/// A small, seedable pseudo-random generator (xorshift64*, Vigna 2016). Not cryptographic; it
/// exists so fault runs are reproducible from a seed without a `rand` dependency.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator for `seed` (any value; zero is mapped to a fixed non-zero state).
    pub fn new(seed: u64) -> Self {
        // SplitMix64 finaliser: nearby seeds give unrelated streams, and the state is never 0
        // (xorshift's one absorbing state).
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        XorShift(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            // The top bits of xorshift64* are the good ones; the modulo bias is irrelevant here.
            (self.next_u64() >> 11) % n
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u8) -> bool {
        self.below(100) < u64::from(percent)
    }
}

/// Random bytes between output chunks (a noisy line, a UART glitch, a baud-rate mismatch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noise {
    /// Chance, in percent, that a burst precedes an output chunk.
    pub percent: u8,
    /// Longest burst, in bytes (each burst is 1..=`max_len` bytes of any value).
    pub max_len: usize,
}

/// The modem disappears (USB unplugged, firmware crash): after the host's `after_command`-th
/// command line the device swallows everything and, `delay` later, the PTY is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HangUp {
    /// 1-based count of `AT` command lines after which the modem is gone.
    pub after_command: usize,
    /// How long after that command the port goes away.
    pub delay: Duration,
}

/// The modem reboots: `delay` after the `after_command`-th command line it forgets everything
/// it was about to send (in-flight answers, pending `+CUSD` replies), ignores input for
/// `boot_time`, sends `banner`, and from then on echoes commands until the host sends `ATE0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reboot {
    /// 1-based count of `AT` command lines after which the modem reboots.
    pub after_command: usize,
    /// How long after that command the reboot happens (its answer is sent first when due).
    pub delay: Duration,
    /// Silence while booting; input arriving meanwhile is lost, as on real hardware.
    pub boot_time: Duration,
    /// What the modem says when it is back.
    pub banner: Vec<u8>,
}

impl Reboot {
    /// A reboot right after the `after_command`-th command was answered, with the Huawei
    /// `^BOOT` and Quectel `RDY` lines (shared/corpus §A) and no boot pause.
    pub fn after(after_command: usize) -> Self {
        Reboot {
            after_command,
            delay: Duration::ZERO,
            boot_time: Duration::ZERO,
            banner: b"\r\n^BOOT:31610740,0,0,0,75\r\n\r\nRDY\r\n".to_vec(),
        }
    }
}

/// Every answer to commands from the `from_command`-th on (1-based; 0 or 1 for all) — or from
/// the first command starting with `from_prefix`, when given — arrives `by` late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slow {
    /// How late.
    pub by: Duration,
    /// The first command whose answers are late.
    pub from_command: usize,
    /// Or: the first command starting with this (case-insensitive) is the first one answered
    /// late — e.g. `"AT+CUSD=1"` for a modem that is slow only once the network is involved.
    pub from_prefix: Option<String>,
}

/// Replaces the final result of every command starting with `command` (case-insensitive) by
/// `result` (e.g. `"+CMS ERROR: 500"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// Command prefix, e.g. `"AT+CUSD=1"`.
    pub command: String,
    /// The final result line sent instead.
    pub result: String,
}

/// Which faults a [`Faulty`] device injects. `Faults::default()` injects none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Seed of the generator behind every random choice.
    pub seed: u64,
    /// Random bytes between output chunks.
    pub noise: Option<Noise>,
    /// Every output chunk is sent one byte per write, this far apart.
    pub byte_by_byte: Option<Duration>,
    /// The modem disappears mid-session.
    pub hang_up: Option<HangUp>,
    /// The modem reboots mid-session.
    pub reboot: Option<Reboot>,
    /// Answers arrive late.
    pub slow: Option<Slow>,
    /// `^RSSI:NN` lines this far apart, between responses and between the lines of a response.
    pub urc_storm: Option<Duration>,
    /// Chance, in percent, per command line that the echo setting is ignored (an echo is added
    /// while echo is off, or dropped while it is on).
    pub echo_flip: Option<u8>,
    /// Final results to replace.
    pub rewrite: Vec<Rewrite>,
    /// The port babbles without end.
    pub babble: Option<Babble>,
}

/// What a babbling port repeats, as fast as the host reads, from the `after_command`-th command
/// on (0: from the start) — a wedged firmware or a port that is not a modem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Babble {
    /// What it says.
    pub kind: BabbleKind,
    /// 1-based count of command lines after which it starts (0: at once).
    pub after_command: usize,
}

/// The three babbles seen in the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BabbleKind {
    /// `\r\nOK\r\n` over and over.
    Ok,
    /// `\r\n^RSSI:17\r\n` over and over.
    Rssi,
    /// One line that never ends.
    Line,
}

impl Faults {
    /// No faults, with `seed` for the random choices of faults added later.
    pub fn seeded(seed: u64) -> Self {
        Faults {
            seed,
            ..Faults::default()
        }
    }

    /// Adds noise bursts before `percent`% of the chunks.
    pub fn noise(mut self, percent: u8, max_len: usize) -> Self {
        self.noise = Some(Noise { percent, max_len });
        self
    }

    /// Sends every chunk one byte at a time, `gap` apart.
    pub fn byte_by_byte(mut self, gap: Duration) -> Self {
        self.byte_by_byte = Some(gap);
        self
    }

    /// Hangs up `delay` after the `after_command`-th command.
    pub fn hang_up(mut self, after_command: usize, delay: Duration) -> Self {
        self.hang_up = Some(HangUp {
            after_command,
            delay,
        });
        self
    }

    /// Reboots as described by `reboot`.
    pub fn reboot(mut self, reboot: Reboot) -> Self {
        self.reboot = Some(reboot);
        self
    }

    /// Delays every answer from the `from_command`-th command on by `by`.
    pub fn slow(mut self, by: Duration, from_command: usize) -> Self {
        self.slow = Some(Slow {
            by,
            from_command,
            from_prefix: None,
        });
        self
    }

    /// Delays every answer by `by`, from the first command starting with `prefix` on.
    pub fn slow_from(mut self, by: Duration, prefix: &str) -> Self {
        self.slow = Some(Slow {
            by,
            from_command: usize::MAX,
            from_prefix: Some(prefix.to_ascii_uppercase()),
        });
        self
    }

    /// Sends a `^RSSI` line every `every`.
    pub fn urc_storm(mut self, every: Duration) -> Self {
        self.urc_storm = Some(every);
        self
    }

    /// Flips the echo of `percent`% of the command lines.
    pub fn echo_flip(mut self, percent: u8) -> Self {
        self.echo_flip = Some(percent);
        self
    }

    /// Babbles `kind` without end from the `after_command`-th command on.
    pub fn babble(mut self, kind: BabbleKind, after_command: usize) -> Self {
        self.babble = Some(Babble {
            kind,
            after_command,
        });
        self
    }

    /// Answers commands starting with `command` with `result` as their final result.
    pub fn rewrite(mut self, command: &str, result: &str) -> Self {
        self.rewrite.push(Rewrite {
            command: command.to_string(),
            result: result.to_string(),
        });
        self
    }
}

/// Lines the host sends are capped here, as the modem's own input buffer would be.
const MAX_LINE: usize = 4096;

/// A device that passes everything through `inner` and injects [`Faults`] on the way out.
pub struct Faulty<D: Device> {
    inner: D,
    faults: Faults,
    rng: XorShift,
    /// Output chunks and when they fall due, in order (due times never decrease).
    out: VecDeque<(Instant, Vec<u8>)>,
    /// The host's current command line.
    line: Vec<u8>,
    /// This line's echo decision, made at its first byte.
    echo_line: bool,
    /// `AT` command lines received so far.
    commands: usize,
    /// What we believe the inner device's echo setting is (V.250 default: on).
    inner_echo: bool,
    /// After a reboot the modem echoes (the inner device does not know it rebooted).
    forced_echo: bool,
    /// The inner device's echo of this line is to be dropped.
    drop_echo: Option<Vec<u8>>,
    /// The next final result from the inner device is replaced by this.
    rewrite_next: Option<String>,
    slow_active: bool,
    hang_at: Option<Instant>,
    dead: bool,
    hung: bool,
    reboot_at: Option<Instant>,
    booting_until: Option<Instant>,
    next_storm: Option<Instant>,
    last_babble: Option<Instant>,
    /// Chunks the faults changed or added, for tests that must know the fault really fired.
    injected: usize,
}

impl<D: Device> Faulty<D> {
    fn babbling(&self) -> bool {
        self.faults
            .babble
            .as_ref()
            .is_some_and(|b| !self.dead && self.commands >= b.after_command)
    }

    /// 4 KiB of babble when it is babbling.
    fn babble_chunk(&self) -> Option<Vec<u8>> {
        if !self.babbling() {
            return None;
        }
        let unit: &[u8] = match self.faults.babble.as_ref()?.kind {
            BabbleKind::Ok => b"\r\nOK\r\n",
            BabbleKind::Rssi => b"\r\n^RSSI:17\r\n",
            BabbleKind::Line => b"AAAAAAAA",
        };
        Some(
            unit.iter()
                .copied()
                .cycle()
                .take(4096 - 4096 % unit.len())
                .collect(),
        )
    }

    /// Wraps `inner` with `faults`.
    pub fn new(inner: D, faults: Faults) -> Self {
        Faulty {
            inner,
            rng: XorShift::new(faults.seed),
            faults,
            out: VecDeque::new(),
            line: Vec::new(),
            echo_line: false,
            commands: 0,
            inner_echo: true,
            forced_echo: false,
            drop_echo: None,
            rewrite_next: None,
            slow_active: false,
            hang_at: None,
            dead: false,
            hung: false,
            reboot_at: None,
            booting_until: None,
            next_storm: None,
            last_babble: None,
            injected: 0,
        }
    }

    /// The wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// `AT` command lines the host has sent so far.
    pub fn commands(&self) -> usize {
        self.commands
    }

    /// How many times a fault changed or added output so far.
    pub fn injected(&self) -> usize {
        self.injected
    }

    fn last_due(&self) -> Option<Instant> {
        self.out.back().map(|(t, _)| *t)
    }

    /// Queues `bytes` at `at` or after everything already queued, whichever is later.
    fn enqueue(&mut self, at: Instant, bytes: Vec<u8>) {
        let at = self.last_due().map_or(at, |last| last.max(at));
        self.out.push_back((at, bytes));
    }

    fn command_line(&mut self, now: Instant, line: &[u8]) {
        let text = String::from_utf8_lossy(line).trim().to_ascii_uppercase();
        if !text.starts_with("AT") {
            return;
        }
        self.commands += 1;
        let n = self.commands;
        match text.as_str() {
            "ATE0" => {
                self.inner_echo = false;
                self.forced_echo = false;
            }
            "ATE1" | "ATE" | "ATZ" | "AT&F" => {
                self.inner_echo = true;
                self.forced_echo = false;
            }
            _ => {}
        }
        if let Some(r) =
            self.faults.rewrite.iter().find(|r| {
                text.starts_with(&r.command.to_ascii_uppercase()) && !r.command.is_empty()
            })
        {
            self.rewrite_next = Some(r.result.clone());
        }
        if let Some(s) = &self.faults.slow {
            if n >= s.from_command
                || s.from_prefix
                    .as_deref()
                    .is_some_and(|p| text.starts_with(p))
            {
                self.slow_active = true;
            }
        }
        if let Some(h) = &self.faults.hang_up {
            if n == h.after_command {
                self.dead = true;
                self.hang_at = Some(now + h.delay);
                self.out.clear();
            }
        }
        if let Some(r) = &self.faults.reboot {
            if n == r.after_command {
                self.reboot_at = Some(now + r.delay);
            }
        }
    }

    /// Applies the output faults to one chunk of the inner device and queues it.
    fn transform(&mut self, now: Instant, mut chunk: Vec<u8>) {
        if self.drop_echo.as_deref() == Some(chunk.as_slice()) {
            self.drop_echo = None;
            self.injected += 1;
            return;
        }
        if let Some(result) = self.rewrite_next.clone() {
            if let Some(c) = replace_final(&chunk, &result) {
                chunk = c;
                self.rewrite_next = None;
                self.injected += 1;
            }
        }
        if self.faults.urc_storm.is_some() {
            let (c, n) = self.storm_inside(&chunk);
            chunk = c;
            self.injected += n;
        }
        if let Some(noise) = self.faults.noise.clone() {
            if self.rng.chance(noise.percent) {
                let len = 1 + self.rng.below(noise.max_len.max(1) as u64) as usize;
                let mut burst: Vec<u8> = (0..len).map(|_| self.rng.next_u64() as u8).collect();
                burst.extend_from_slice(&chunk);
                chunk = burst;
                self.injected += 1;
            }
        }
        let due = match &self.faults.slow {
            Some(s) if self.slow_active => now + s.by,
            _ => now,
        };
        match self.faults.byte_by_byte {
            Some(gap) => {
                let start = self.last_due().map_or(due, |l| l.max(due));
                for (i, b) in chunk.into_iter().enumerate() {
                    let at = start + gap * (i as u32);
                    self.enqueue(at, vec![b]);
                }
                self.injected += 1;
            }
            None => self.enqueue(due, chunk),
        }
    }

    /// Puts a `^RSSI` line between every two lines of a multi-line response.
    fn storm_inside(&mut self, chunk: &[u8]) -> (Vec<u8>, usize) {
        let mut out = Vec::with_capacity(chunk.len() + 32);
        let mut added = 0;
        let mut i = 0;
        while i < chunk.len() {
            if chunk.get(i..i + 4) == Some(b"\r\n\r\n") && i > 0 {
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(&self.rssi_line());
                out.extend_from_slice(b"\r\n");
                added += 1;
                i += 2;
            } else {
                out.push(chunk.get(i).copied().unwrap_or(b' '));
                i += 1;
            }
        }
        (out, added)
    }

    fn rssi_line(&mut self) -> Vec<u8> {
        format!("\r\n^RSSI:{}", 5 + self.rng.below(26)).into_bytes()
    }

    fn reboot_now(&mut self, now: Instant) {
        let Some(r) = self.faults.reboot.clone() else {
            return;
        };
        self.reboot_at = None;
        // Forget everything the inner device had scheduled (a pending +CUSD reply): polling it
        // far in the future drains its queue without sending anything.
        let far = now + Duration::from_secs(24 * 3600);
        while self.inner.poll_output(far).is_some() {}
        // What was not on the wire yet is lost with the modem's buffers.
        self.out.retain(|(t, _)| *t <= now);
        self.line.clear();
        self.rewrite_next = None;
        self.drop_echo = None;
        self.forced_echo = !self.inner_echo;
        let back = now + r.boot_time;
        self.booting_until = Some(back);
        self.enqueue(back, r.banner.clone());
        self.injected += 1;
    }
}

/// Replaces the last final-result line in `chunk` with `result`; `None` if it has none.
fn replace_final(chunk: &[u8], result: &str) -> Option<Vec<u8>> {
    let text = chunk;
    let mut start = None;
    let mut i = 0;
    // Find line spans separated by CR/LF and remember the last one that is a final result.
    while i < text.len() {
        let s = i;
        while i < text.len() && text.get(i) != Some(&b'\r') && text.get(i) != Some(&b'\n') {
            i += 1;
        }
        let line = text.get(s..i).unwrap_or_default();
        if is_final(line) {
            start = Some((s, i));
        }
        i += 1;
    }
    let (s, e) = start?;
    let mut out = text.get(..s)?.to_vec();
    out.extend_from_slice(result.as_bytes());
    out.extend_from_slice(text.get(e..)?);
    Some(out)
}

fn is_final(line: &[u8]) -> bool {
    matches!(
        line,
        b"OK" | b"ERROR" | b"COMMAND NOT SUPPORT" | b"NO CARRIER" | b"TOO MANY PARAMETERS"
    ) || line.starts_with(b"+CME ERROR")
        || line.starts_with(b"+CMS ERROR")
}

impl<D: Device> Device for Faulty<D> {
    fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        if self.dead {
            return;
        }
        if let Some(until) = self.booting_until {
            if now < until {
                return;
            }
            self.booting_until = None;
        }
        for &b in bytes {
            let terminator = matches!(b, b'\r' | 0x1A | 0x1B);
            if self.line.is_empty() && !matches!(b, b'\r' | b'\n') {
                // One decision per command line (a modem echoes as it receives, byte by byte).
                let flip = match self.faults.echo_flip {
                    Some(p) => self.rng.chance(p),
                    None => false,
                };
                self.echo_line = self.forced_echo || (flip && !self.inner_echo);
                if flip && self.inner_echo {
                    self.drop_echo = Some(Vec::new());
                } else {
                    self.drop_echo = None;
                }
                if flip {
                    self.injected += 1;
                }
            }
            if self.echo_line {
                self.enqueue(now, vec![b]);
            }
            if self.line.len() < MAX_LINE && !(self.line.is_empty() && b == b'\n') {
                self.line.push(b);
            }
            if terminator {
                let line = std::mem::take(&mut self.line);
                let body = line.strip_suffix(&[b]).unwrap_or(&line).to_vec();
                if let Some(d) = self.drop_echo.as_mut() {
                    // The inner device echoes the line as it got it (SimModem: text + CR).
                    *d = line.clone();
                }
                self.echo_line = false;
                self.command_line(now, &body);
                // A lone ESC / Ctrl-Z (a client leaving a prompt it did not ask for) means
                // nothing to a modem in command mode; the simulated modem has no text-entry
                // mode and would keep it in front of the next command, so it is not passed on.
                let lone_control = body.is_empty() && b != b'\r';
                if !self.dead && !lone_control {
                    self.inner.handle_input(now, &line);
                }
            }
        }
    }

    fn poll_output(&mut self, now: Instant) -> Option<Vec<u8>> {
        if let Some(at) = self.hang_at {
            if now >= at {
                self.hung = true;
            }
        }
        if self.dead {
            return None;
        }
        while let Some(chunk) = self.inner.poll_output(now) {
            self.transform(now, chunk);
        }
        if self.reboot_at.is_some_and(|t| t <= now) {
            self.reboot_now(now);
        }
        if let Some(every) = self.faults.urc_storm {
            let due = *self.next_storm.get_or_insert(now);
            // Only between chunks: a URC never lands inside a line being sent byte by byte.
            if due <= now
                && self.out.is_empty()
                && !matches!(self.booting_until, Some(b) if b > now)
            {
                let mut l = self.rssi_line();
                l.extend_from_slice(b"\r\n");
                self.enqueue(now, l);
                self.injected += 1;
                // Catch up at most a little: a stalled runner must not cause a burst of lines.
                self.next_storm = Some((due + every).max(now));
            }
        }
        // One chunk per poll round (per `now`): the runner must still read input and look at
        // its stop flag between chunks.
        if self.out.is_empty() && self.last_babble != Some(now) {
            if let Some(chunk) = self.babble_chunk() {
                self.last_babble = Some(now);
                self.injected += 1;
                return Some(chunk);
            }
        }
        match self.out.front() {
            Some((t, _)) if *t <= now => self.out.pop_front().map(|(_, b)| b),
            _ => None,
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        if self.dead {
            return self.hang_at;
        }
        [
            self.out.front().map(|(t, _)| *t),
            self.inner.poll_timeout(),
            self.reboot_at,
            self.next_storm.filter(|_| self.faults.urc_storm.is_some()),
            self.babbling()
                .then(|| Instant::now() + Duration::from_millis(1)),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn outcome(&self) -> Option<Result<(), String>> {
        self.inner.outcome()
    }

    fn hung_up(&self) -> bool {
        self.hung || self.inner.hung_up()
    }
}

/// A GPS receiver's NMEA port (the wrong `/dev/ttyUSB*` on many modems): it streams `$GPGGA` /
/// `$GPRMC` sentences every `every` and ignores whatever is written to it.
pub struct Nmea {
    next: Instant,
    every: Duration,
    seq: u32,
}

impl Nmea {
    /// A receiver whose first sentence is due at `start`.
    pub fn new(start: Instant, every: Duration) -> Self {
        Nmea {
            next: start,
            every: every.max(Duration::from_millis(1)),
            seq: 0,
        }
    }
}

/// An NMEA 0183 sentence with its checksum (XOR of the bytes between `$` and `*`).
pub fn nmea_sentence(body: &str) -> String {
    let sum = body.bytes().fold(0u8, |a, b| a ^ b);
    format!("${body}*{sum:02X}\r\n")
}

impl Device for Nmea {
    fn handle_input(&mut self, _: Instant, _: &[u8]) {}

    fn poll_output(&mut self, now: Instant) -> Option<Vec<u8>> {
        if now < self.next {
            return None;
        }
        self.next = (self.next + self.every).max(now);
        self.seq = self.seq.wrapping_add(1);
        let secs = self.seq % 86_400;
        let hms = format!("{:02}{:02}{:02}.00", secs / 3600, secs / 60 % 60, secs % 60);
        let body = if self.seq.is_multiple_of(2) {
            format!("GPRMC,{hms},A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W")
        } else {
            format!("GPGGA,{hms},4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")
        };
        Some(nmea_sentence(&body).into_bytes())
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Some(self.next)
    }
}

/// A router's serial console with a BusyBox shell: echoes what it gets and answers every line
/// with `-ash: WORD: not found` and a new prompt.
pub struct Shell {
    prompt: String,
    line: Vec<u8>,
    out: VecDeque<Vec<u8>>,
}

impl Shell {
    /// A shell showing `prompt` (e.g. `"root@OpenWrt:~# "`).
    pub fn new(prompt: &str) -> Self {
        Shell {
            prompt: prompt.to_string(),
            line: Vec::new(),
            out: VecDeque::from([prompt.as_bytes().to_vec()]),
        }
    }
}

impl Device for Shell {
    fn handle_input(&mut self, _: Instant, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\r' || b == b'\n' {
                let line = std::mem::take(&mut self.line);
                let text = String::from_utf8_lossy(&line);
                let word = text.split_whitespace().next().unwrap_or("");
                let mut reply = b"\r\n".to_vec();
                if !word.is_empty() {
                    reply.extend_from_slice(format!("-ash: {word}: not found\r\n").as_bytes());
                }
                reply.extend_from_slice(self.prompt.as_bytes());
                self.out.push_back(reply);
            } else {
                if self.line.len() < MAX_LINE {
                    self.line.push(b);
                }
                self.out.push_back(vec![b]);
            }
        }
    }

    fn poll_output(&mut self, _: Instant) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::scenario::Scenario;
    use crate::emulator::sim::SimModem;
    use crate::emulator::Family;

    fn quiet(family: Family) -> SimModem {
        let mut m = SimModem::new(family, Scenario::builtin_default());
        m.set_noise_interval(None);
        m
    }

    /// Feeds `cmd` and collects everything due up to `until`, in virtual time.
    fn exchange<D: Device>(d: &mut D, now: Instant, cmd: &str, until: Duration) -> Vec<u8> {
        d.handle_input(now, format!("{cmd}\r").as_bytes());
        drain(d, now, now + until)
    }

    fn drain<D: Device>(d: &mut D, from: Instant, until: Instant) -> Vec<u8> {
        let mut got = Vec::new();
        let mut t = from;
        while t <= until {
            while let Some(c) = d.poll_output(t) {
                got.extend(c);
            }
            match d.poll_timeout() {
                Some(n) if n > t => t = n,
                _ => t += Duration::from_millis(1),
            }
        }
        got
    }

    #[test]
    fn xorshift_is_reproducible_and_spread() {
        let a: Vec<u64> = {
            let mut r = XorShift::new(42);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let mut r = XorShift::new(42);
        assert_eq!(a, (0..8).map(|_| r.next_u64()).collect::<Vec<_>>());
        assert_ne!(XorShift::new(0).next_u64(), XorShift::new(1).next_u64());
        let mut r = XorShift::new(7);
        let mut seen = [0u32; 10];
        for _ in 0..10_000 {
            seen[r.below(10) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
    }

    #[test]
    fn no_faults_is_transparent() {
        let t = Instant::now();
        let mut plain = quiet(Family::Quectel);
        let mut wrapped = Faulty::new(quiet(Family::Quectel), Faults::seeded(1));
        for cmd in ["AT", "ATE0", "AT+CGMI", "AT+CUSD=1,\"*102#\",15"] {
            assert_eq!(
                exchange(&mut plain, t, cmd, Duration::from_secs(2)),
                exchange(&mut wrapped, t, cmd, Duration::from_secs(2)),
                "{cmd}"
            );
        }
        assert_eq!(wrapped.injected(), 0);
        assert_eq!(wrapped.commands(), 4);
    }

    #[test]
    fn byte_by_byte_keeps_every_byte_in_order() {
        let t = Instant::now();
        let mut d = Faulty::new(
            quiet(Family::Quectel),
            Faults::seeded(1).byte_by_byte(Duration::from_millis(1)),
        );
        d.handle_input(t, b"AT+CGMI\r");
        let mut chunks = Vec::new();
        let mut now = t;
        while let Some(n) = d.poll_timeout() {
            now = n.max(now);
            while let Some(c) = d.poll_output(now) {
                chunks.push(c);
            }
        }
        assert!(chunks.iter().all(|c| c.len() == 1), "{chunks:?}");
        assert_eq!(chunks.concat(), b"AT+CGMI\r\r\nQuectel\r\n\r\nOK\r\n");
    }

    #[test]
    fn rewrite_replaces_only_the_final_result() {
        let t = Instant::now();
        let mut d = Faulty::new(
            quiet(Family::Quectel),
            Faults::seeded(1).rewrite("AT+CGMI", "+CMS ERROR: 500"),
        );
        exchange(&mut d, t, "ATE0", Duration::ZERO);
        let got = exchange(&mut d, t, "AT+CGMI", Duration::ZERO);
        assert_eq!(got, b"\r\nQuectel\r\n\r\n+CMS ERROR: 500\r\n");
        assert_eq!(exchange(&mut d, t, "AT", Duration::ZERO), b"\r\nOK\r\n");
    }

    #[test]
    fn storm_goes_between_lines_never_inside() {
        let t = Instant::now();
        let mut d = Faulty::new(
            quiet(Family::Quectel),
            Faults::seeded(3).urc_storm(Duration::from_millis(5)),
        );
        exchange(&mut d, t, "ATE0", Duration::ZERO);
        let got = exchange(&mut d, t, "ATI", Duration::from_millis(50));
        let text = String::from_utf8(got).unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        let rssi = lines.iter().filter(|l| l.starts_with("^RSSI:")).count();
        let rest: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.starts_with("^RSSI:"))
            .collect();
        assert!(rssi >= 5, "{text:?}");
        assert_eq!(rest.first(), Some(&"Manufacturer: Quectel"), "{text:?}");
        assert_eq!(rest.last(), Some(&"OK"), "{text:?}");
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with("^RSSI:") || !l.contains("^RSSI")),
            "{text:?}"
        );
    }

    #[test]
    fn hang_up_after_the_nth_command() {
        let t = Instant::now();
        let mut d = Faulty::new(
            quiet(Family::Zte),
            Faults::seeded(1).hang_up(2, Duration::from_millis(10)),
        );
        assert!(!exchange(&mut d, t, "AT", Duration::ZERO).is_empty());
        assert!(exchange(&mut d, t, "AT", Duration::from_millis(5)).is_empty());
        assert!(!d.hung_up());
        assert_eq!(d.poll_timeout(), Some(t + Duration::from_millis(10)));
        assert!(d.poll_output(t + Duration::from_millis(10)).is_none());
        assert!(d.hung_up());
    }

    #[test]
    fn reboot_forgets_the_pending_reply_and_echoes_until_ate0() {
        let t = Instant::now();
        let mut d = Faulty::new(
            quiet(Family::Quectel),
            Faults::seeded(1).reboot(Reboot::after(2)),
        );
        assert_eq!(
            exchange(&mut d, t, "ATE0", Duration::ZERO),
            b"ATE0\r\r\nOK\r\n"
        );
        // The OK is sent, the +CUSD due 300 ms later is lost with the reboot.
        let got = exchange(&mut d, t, "AT+CUSD=1,\"*102#\",15", Duration::from_secs(2));
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("\r\nOK\r\n"), "{text:?}");
        assert!(text.contains("RDY"), "{text:?}");
        assert!(!text.contains("+CUSD"), "{text:?}");
        assert_eq!(exchange(&mut d, t, "AT", Duration::ZERO), b"AT\r\r\nOK\r\n");
        assert_eq!(
            exchange(&mut d, t, "ATE0", Duration::ZERO),
            b"ATE0\r\r\nOK\r\n"
        );
        assert_eq!(exchange(&mut d, t, "AT", Duration::ZERO), b"\r\nOK\r\n");
    }

    /// Soak seed 0x5eed2026, check 1030: a noise byte `>` before an answer looked like a prompt,
    /// the client sent ESC to leave it, and the simulated modem kept the ESC in front of the
    /// next command, which it then ignored (a 10 s time-out).
    #[test]
    fn a_lone_escape_does_not_wedge_the_next_command() {
        let t = Instant::now();
        let mut d = Faulty::new(quiet(Family::Zte), Faults::seeded(1));
        exchange(&mut d, t, "ATE0", Duration::ZERO);
        d.handle_input(t, b"\x1b");
        assert_eq!(
            exchange(&mut d, t, "AT+CSCS?", Duration::ZERO),
            b"\r\n+CSCS: \"IRA\"\r\n\r\nOK\r\n"
        );
    }

    #[test]
    fn echo_flip_adds_and_drops_echoes() {
        let t = Instant::now();
        let mut d = Faulty::new(quiet(Family::Quectel), Faults::seeded(9).echo_flip(100));
        // Echo on, flipped: no echo.
        assert_eq!(exchange(&mut d, t, "AT", Duration::ZERO), b"\r\nOK\r\n");
        exchange(&mut d, t, "ATE0", Duration::ZERO);
        // Echo off, flipped: echoed.
        assert_eq!(exchange(&mut d, t, "AT", Duration::ZERO), b"AT\r\r\nOK\r\n");
    }

    #[test]
    fn slow_delays_answers_in_order() {
        let t = Instant::now();
        let mut d = Faulty::new(
            quiet(Family::Quectel),
            Faults::seeded(1).slow(Duration::from_secs(5), 2),
        );
        assert_eq!(
            exchange(&mut d, t, "ATE0", Duration::ZERO),
            b"ATE0\r\r\nOK\r\n"
        );
        assert!(exchange(&mut d, t, "AT", Duration::from_millis(4999)).is_empty());
        assert_eq!(
            drain(&mut d, t, t + Duration::from_secs(5)),
            b"\r\nOK\r\n".to_vec()
        );
    }

    #[test]
    fn noise_precedes_chunks_and_keeps_them_whole() {
        let t = Instant::now();
        let mut d = Faulty::new(quiet(Family::Quectel), Faults::seeded(5).noise(100, 4));
        let got = exchange(&mut d, t, "AT+CGMI", Duration::ZERO);
        assert!(got.ends_with(b"\r\nQuectel\r\n\r\nOK\r\n"), "{got:?}");
        assert!(got.len() > b"AT+CGMI\r\r\nQuectel\r\n\r\nOK\r\n".len());
        assert!(d.injected() >= 1);
    }

    #[test]
    fn nmea_checksums_and_shell_answers() {
        assert_eq!(
            nmea_sentence("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
            "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"
        );
        let t = Instant::now();
        let mut g = Nmea::new(t, Duration::from_millis(100));
        assert!(g.poll_output(t).unwrap().starts_with(b"$GPGGA,"));
        assert!(g.poll_output(t).is_none());
        assert_eq!(g.poll_timeout(), Some(t + Duration::from_millis(100)));
        let mut s = Shell::new("root@OpenWrt:~# ");
        let got = exchange(&mut s, t, "AT", Duration::ZERO);
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "root@OpenWrt:~# AT\r\n-ash: AT: not found\r\nroot@OpenWrt:~# "
        );
    }
}
