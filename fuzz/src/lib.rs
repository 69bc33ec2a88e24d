//! The checks behind the fuzz targets (`fuzz/fuzz_targets/*.rs`), one function per target.
//!
//! Each takes the raw fuzzer input: the first byte(s) choose options (documented per function),
//! the rest is the untrusted data. Besides "does not panic" each asserts invariants the library
//! documents. The same functions run under `cargo test` through `tests/it/no_panic.rs` (which
//! includes this file with `#[path]`), on seeds from `fuzz/seeds/` with random mutations.
//!
//! This file must only use the public API of `simquota`, `serde_json` and std.

use std::time::{Duration, Instant};

use simquota::at::{Command, Event, Session, SessionConfig, UrcKind};
use simquota::balance::{self, Date, ParseOptions};
use simquota::sms::{
    encode_submit, parse_cmgl, parse_cmgr, parse_text_listing, ConcatRef, ListItem, Pdu,
    Reassembler, SmscPrefix, SubmitOptions, TextCharset, TextItem, ValidityPeriod,
};
use simquota::transcript::{self, Transcript};
use simquota::ussd::{self, Charset, DecodeOverrides, Interpretation};

// ----- AT session ---------------------------------------------------------------------------

const ESC: u8 = 0x1B;
const CMGS_PAYLOAD: &[u8] = b"0001000B911326880736F4000002C834\x1a";

/// Byte 0 (`mode`): bits 0–2 the command script (0 none, 1 `AT+CUSD=1,…`, 2 `AT+CMGL=4`,
/// 3 `AT+CREG?`, 4 `AT+CMGS=20` with payload, 5 all four in turn, 6 `AT+CREG?` three times,
/// 7 `AT+CMGS` then `AT+CUSD` with 2 s time-outs); bit 3 small limits (`max_line` 64,
/// `max_pending_bytes` 128, `max_pending_lines` 4); bits 4–7 the pause profile (0: no time
/// passes between chunks; n: one chunk in n is preceded by a pause from 1 ms to 11 s).
/// Byte 1 (`chunking`): bits 0–2 the chunk size class (1, 2, 3, 5, 8, 16, 64, 4096 bytes at
/// most), bits 3–7 seed the chunk sizes and pauses. The rest is what the modem sends.
///
/// The input is replayed twice with virtual time, once chunk by chunk and once byte by byte
/// at the same instants, by a driver that submits the script's next command whenever the
/// session is idle and lets timers fire at `poll_timeout`. Checked:
/// - every submitted command gets exactly one `Response` or `TimedOut`, in order, naming it;
///   `in_flight()` is the last submitted command until then; a second `submit` is `Busy`;
/// - every command line is transmitted exactly once; the payload at most once per command;
///   nothing else but ESC is transmitted;
/// - no event text exceeds the configured limits (a line: `max_line` bytes, 3× after lossy
///   UTF-8; a multi-line unit: `max_pending_bytes` + one line; `max_pending_lines`);
/// - `poll_timeout()` is always later than the last `now` (no busy loop), and `None` once
///   everything has timed out;
/// - events and transmissions do not depend on the chunking (the module's invariant).
pub fn at_session(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (chunking, input) = match rest.split_first() {
        Some((&c, input)) => (c, input),
        None => (0, rest),
    };
    let mut config = SessionConfig {
        extra_urc_prefixes: vec!["+MYURC:".to_string()],
        ..SessionConfig::default()
    };
    if mode & 0x08 != 0 {
        config.max_line = 64;
        config.max_pending_bytes = 128;
        config.max_pending_lines = 4;
    }
    let script = script(mode & 0x07);
    let schedule = schedule(input, chunking, mode >> 4);
    let chunked = drive(&config, &script, &schedule, false);
    let bytewise = drive(&config, &script, &schedule, true);
    assert_eq!(
        chunked.events, bytewise.events,
        "events depend on the chunking"
    );
    assert_eq!(
        chunked.tx, bytewise.tx,
        "transmissions depend on the chunking"
    );
}

fn script(which: u8) -> Vec<Command> {
    let cusd = || Command::new("AT+CUSD=1,\"*100#\",15");
    let cmgl = || Command::new("AT+CMGL=4");
    let creg = || Command::new("AT+CREG?");
    let cmgs = || Command::new("AT+CMGS=20").with_payload(CMGS_PAYLOAD.to_vec());
    match which {
        0 => vec![],
        1 => vec![cusd()],
        2 => vec![cmgl()],
        3 => vec![creg()],
        4 => vec![cmgs()],
        5 => vec![cusd(), creg(), cmgl(), cmgs()],
        6 => vec![creg(), creg(), creg()],
        _ => vec![
            cmgs().with_timeout(Duration::from_secs(2)),
            cusd().with_timeout(Duration::from_secs(2)),
        ],
    }
}

/// Small deterministic generator (splitmix64) for the chunking.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

const PAUSES_MS: [u64; 12] = [
    1, 50, 299, 300, 301, 499, 501, 600, 2_000, 5_001, 9_999, 11_000,
];

/// (pause before, chunk) pairs covering `input`.
fn schedule(input: &[u8], chunking: u8, pause_profile: u8) -> Vec<(Duration, &[u8])> {
    const MAX: [u64; 8] = [1, 2, 3, 5, 8, 16, 64, 4096];
    let max = MAX[usize::from(chunking & 7)];
    let mut rng = Rng(u64::from(chunking >> 3) << 8 | u64::from(pause_profile));
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let len = usize::try_from(1 + rng.below(max))
            .unwrap_or(1)
            .min(rest.len());
        let (chunk, tail) = rest.split_at(len);
        let pause = if pause_profile != 0 && rng.below(u64::from(pause_profile)) == 0 {
            let i = usize::try_from(rng.below(PAUSES_MS.len() as u64)).unwrap_or(0);
            Duration::from_millis(PAUSES_MS[i])
        } else {
            Duration::ZERO
        };
        out.push((pause, chunk));
        rest = tail;
    }
    out
}

struct Run {
    events: Vec<Event>,
    tx: Vec<Vec<u8>>,
}

struct Driver<'a> {
    config: &'a SessionConfig,
    script: &'a [Command],
    next: usize,
    submitted: Vec<Command>,
    completed: usize,
    lines_sent: usize,
    payloads_sent: usize,
    run: Run,
}

impl Driver<'_> {
    /// Drain the session, check what came out, and submit the next command when idle.
    fn step(&mut self, s: &mut Session, now: Instant) {
        while let Some(tx) = s.poll_transmit() {
            if tx == [ESC] {
            } else if self
                .submitted
                .iter()
                .any(|c| tx.strip_suffix(b"\r") == Some(c.text().as_bytes()))
            {
                self.lines_sent += 1;
            } else if self.submitted.iter().any(|c| c.payload() == Some(&tx[..])) {
                self.payloads_sent += 1;
            } else {
                panic!("transmitted bytes that are neither a command, a payload nor ESC: {tx:?}");
            }
            self.run.tx.push(tx);
        }
        let with_payload = self
            .submitted
            .iter()
            .filter(|c| c.payload().is_some())
            .count();
        assert!(
            self.payloads_sent <= with_payload,
            "payload sent {} times for {with_payload} command(s) with a payload",
            self.payloads_sent
        );
        assert!(self.lines_sent <= self.submitted.len());
        while let Some(ev) = s.poll_event() {
            check_event(&ev, self.config);
            match &ev {
                Event::Response(r) => self.complete(&r.command),
                Event::TimedOut { command, .. } => self.complete(command),
                Event::PromptAborted {
                    command: Some(command),
                } => assert!(
                    self.submitted.iter().any(|c| c.text() == command),
                    "PromptAborted names {command:?}, never submitted"
                ),
                _ => {}
            }
            self.run.events.push(ev);
        }
        match self.submitted.len() - self.completed {
            0 => assert!(s.in_flight().is_none(), "in flight after its response"),
            1 => assert_eq!(
                s.in_flight().map(Command::text),
                self.submitted.last().map(Command::text),
                "in_flight() is not the unanswered command"
            ),
            n => panic!("{n} commands in flight"),
        }
        if s.in_flight().is_none() {
            if let Some(cmd) = self.script.get(self.next) {
                self.next += 1;
                assert!(
                    s.submit(cmd.clone(), now).is_ok(),
                    "idle session refused {cmd:?}"
                );
                self.submitted.push(cmd.clone());
                let again = s.submit(Command::new("AT"), now);
                assert!(
                    matches!(again, Err(simquota::at::SessionError::Busy { .. })),
                    "second submit was not refused as Busy: {again:?}"
                );
                self.step(s, now);
            }
        }
    }

    fn complete(&mut self, command: &str) {
        let expected = self.submitted.get(self.completed).map(Command::text);
        assert_eq!(
            expected,
            Some(command),
            "a Response/TimedOut that does not answer the command in flight (answered {} of {})",
            self.completed,
            self.submitted.len()
        );
        self.completed += 1;
    }

    /// Let virtual time reach `target`, firing every timer on the way as a driver would.
    fn advance(&mut self, s: &mut Session, now: &mut Instant, target: Instant) {
        let mut fired = 0u32;
        while let Some(t) = s.poll_timeout() {
            assert!(
                t > *now,
                "poll_timeout() {:?} is not after now {:?}: a driver would spin",
                t - *now,
                Duration::ZERO
            );
            if t > target {
                break;
            }
            *now = t;
            s.handle_timeout(t);
            self.step(s, t);
            fired += 1;
            assert!(fired < 10_000, "timers keep firing");
        }
        *now = target;
    }
}

fn drive(
    config: &SessionConfig,
    script: &[Command],
    schedule: &[(Duration, &[u8])],
    bytewise: bool,
) -> Run {
    let mut s = Session::new(config.clone());
    let mut d = Driver {
        config,
        script,
        next: 0,
        submitted: Vec::new(),
        completed: 0,
        lines_sent: 0,
        payloads_sent: 0,
        run: Run {
            events: Vec::new(),
            tx: Vec::new(),
        },
    };
    let mut now = Instant::now();
    d.step(&mut s, now);
    for (pause, chunk) in schedule {
        let target = now + *pause;
        d.advance(&mut s, &mut now, target);
        if bytewise {
            for b in *chunk {
                s.handle_input(now, std::slice::from_ref(b));
            }
        } else {
            s.handle_input(now, chunk);
        }
        if let Some(t) = s.poll_timeout() {
            assert!(t > now, "poll_timeout() not after the input's now");
        }
        d.step(&mut s, now);
    }
    // Silence from now on: everything must end.
    let end = now + Duration::from_secs(60) * (1 + script.len() as u32);
    d.advance(&mut s, &mut now, end);
    assert_eq!(d.next, script.len(), "not every command was submitted");
    assert_eq!(d.completed, script.len(), "a command never got its event");
    assert_eq!(d.lines_sent, script.len(), "command lines sent != commands");
    assert!(s.in_flight().is_none());
    assert_eq!(
        s.poll_timeout(),
        None,
        "a timer is left after everything ended"
    );
    d.run
}

fn check_event(ev: &Event, c: &SessionConfig) {
    // A line is shorter than max_line bytes; lossy UTF-8 at most triples it. A multi-line unit
    // stops growing once over max_pending_bytes, so it is at most that plus one line.
    let line = 3 * c.max_line;
    let unit = c.max_pending_bytes + 1 + line;
    let pdu = c.max_pending_bytes + c.max_line;
    match ev {
        Event::Garbage(b) => assert!(b.len() <= unit, "Garbage of {} bytes", b.len()),
        Event::Other(t) => assert!(t.len() <= unit, "Other of {} bytes", t.len()),
        Event::Urc(u) => {
            assert!(u.text.len() <= unit, "URC text of {} bytes", u.text.len());
            if let Some(p) = &u.pdu {
                assert!(p.len() <= pdu.max(line), "URC PDU of {} bytes", p.len());
            }
            if let Some(r) = &u.raw {
                assert!(
                    r.len() <= unit + 1 + pdu.max(line),
                    "URC raw of {} bytes",
                    r.len()
                );
            }
            if u.kind == UrcKind::Cusd {
                let breaks = u.text.matches('\n').count();
                assert!(
                    breaks <= c.max_pending_lines + 1,
                    "+CUSD of {breaks} lines with max_pending_lines {}",
                    c.max_pending_lines
                );
            }
        }
        Event::Response(r) => {
            for l in &r.lines {
                assert!(
                    l.len() <= unit.max(pdu),
                    "response line of {} bytes",
                    l.len()
                );
            }
            let mut last = None;
            for (i, raw) in &r.raw_lines {
                assert!(*i < r.lines.len(), "raw_lines index {i} past the lines");
                assert!(
                    !matches!(last, Some(l) if l >= *i),
                    "raw_lines not in order"
                );
                assert!(raw.len() <= unit.max(pdu));
                last = Some(*i);
            }
        }
        Event::TimedOut { partial_lines, .. } => {
            for l in partial_lines {
                assert!(l.len() <= unit.max(pdu));
            }
        }
        Event::PromptAborted { .. } => {}
    }
}

// ----- USSD ---------------------------------------------------------------------------------

const INTERPRETATIONS: [Interpretation; 7] = [
    Interpretation::PlainText,
    Interpretation::Ucs2Hex,
    Interpretation::Ucs2HexLanguagePrefixed,
    Interpretation::Gsm7PackedHex,
    Interpretation::Gsm7UnpackedHex,
    Interpretation::EightBitHex,
    Interpretation::Raw,
];

fn charset(b: u8) -> Charset {
    match b % 6 {
        0 => Charset::Gsm,
        1 => Charset::Ucs2,
        2 => Charset::Ira,
        3 => Charset::Hex,
        4 => Charset::Other("8859-1".to_string()),
        _ => Charset::from_cscs("\"UTF-8\""),
    }
}

/// Bytes 0–3: `[charset, flags, dcs, interpretation]`. Charset: `b % 6` of GSM, UCS2, IRA,
/// HEX, 8859-1, UTF-8. Flags: bit 0 use `dcs` instead of the line's DCS; bit 1 no DCS at all;
/// bit 2 override DCS with `dcs`; bit 3 the rest is a bare payload, not a `+CUSD` line;
/// bit 4 override the charset with `charset(flags >> 5)`. Interpretation: bit 3 forces
/// `INTERPRETATIONS[(b >> 4) % 7]`. The rest is the line (lossy UTF-8).
///
/// Checked: `parse_cusd` errors carry offsets inside the line and its text is a slice of it;
/// `decode_payload` keeps `raw` equal to the payload, reports the DCS it used, counts no more
/// replacements than U+FFFD characters in the text, and a `Raw` reading is the payload itself.
pub fn ussd(data: &[u8]) {
    let (head, rest) = data.split_at(data.len().min(4));
    let byte = |i: usize| head.get(i).copied().unwrap_or(0);
    let (cs, flags, dcs_byte, interp) = (byte(0), byte(1), byte(2), byte(3));
    let line = String::from_utf8_lossy(rest);
    let overrides = DecodeOverrides {
        dcs: (flags & 0x04 != 0).then_some(dcs_byte),
        charset: (flags & 0x10 != 0).then(|| charset(flags >> 5)),
        interpretation: (interp & 0x08 != 0)
            .then(|| INTERPRETATIONS[usize::from(interp >> 4) % INTERPRETATIONS.len()]),
        // Bit 0 of the flags: decode as a Huawei stick would be (the packed-hex prior).
        priors: ussd::Priors {
            family: (flags & 0x01 != 0).then_some(ussd::ModemFamily::Huawei),
            seen: None,
        },
    };
    let (payload, line_dcs) = if flags & 0x08 != 0 {
        (Some(line.to_string()), None)
    } else {
        match ussd::parse_cusd(&line) {
            Ok(c) => {
                let _ = c.status();
                let _ = ussd::cusd_status_message(c.mode);
                if let Some(t) = &c.text {
                    assert!(
                        line.contains(t.as_str()),
                        "+CUSD text {t:?} not in the line"
                    );
                }
                (c.text, c.dcs)
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.is_empty());
                check_offset_in(&format!("{e:?}"), line.len());
                (None, None)
            }
        }
    };
    let Some(payload) = payload else {
        return;
    };
    let dcs = match flags & 0x03 {
        0 => line_dcs,
        1 => Some(dcs_byte),
        _ => None,
    };
    let out = ussd::decode_payload(&payload, dcs, charset(cs), &overrides);
    assert_eq!(out.raw, payload, "raw is not the payload given");
    assert_eq!(out.dcs, overrides.dcs.or(dcs), "dcs is not the one used");
    let fffd = out
        .text
        .chars()
        .filter(|&c| c == char::REPLACEMENT_CHARACTER)
        .count();
    assert!(
        out.replacements <= fffd,
        "{} replacements but {fffd} U+FFFD in {:?}",
        out.replacements,
        out.text
    );
    if out.interpretation == Interpretation::Raw {
        assert_eq!(out.text, payload, "a Raw reading is not the payload");
    }
    if payload.is_empty() {
        assert!(out.text.is_empty());
    }
    let _ = serde_json::to_string(&out).expect("UssdText serialises");
}

/// Every `offset: N` in an error's Debug form lies within the input.
fn check_offset_in(debug: &str, len: usize) {
    for part in debug.split("offset: ").skip(1) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse::<usize>() {
            assert!(
                n <= len,
                "error offset {n} past the input ({len} bytes): {debug}"
            );
        }
    }
}

// ----- SMS ----------------------------------------------------------------------------------

/// Byte 0: bits 0–2 the operation (0 `Pdu::decode` with SMSC prefix, 1 without, 2
/// `Pdu::decode_hex` with, 3 without, 4 `parse_cmgl`, 5 `parse_cmgr`, 6/7
/// `parse_text_listing`); bits 4–5 the text charset (Auto, Plain, UCS2); bit 6 pass a storage
/// name. The rest is the PDU (bytes or hex) or the listing lines (lossy UTF-8, split at LF).
///
/// Checked: decode errors name offsets inside the input, `raw` is the input, and a message
/// decoded without warnings or replacements encodes to bytes that decode to the same message;
/// listing items point at lines that exist.
pub fn sms_pdu(data: &[u8]) {
    let Some((&op, rest)) = data.split_first() else {
        return;
    };
    let prefix = if op & 1 == 0 {
        SmscPrefix::Present
    } else {
        SmscPrefix::Absent
    };
    let storage = (op & 0x40 != 0).then_some("SM");
    match op & 7 {
        0 | 1 => check_decoded(Pdu::decode(rest, prefix), rest, prefix, rest.len()),
        2 | 3 => {
            let hex = String::from_utf8_lossy(rest);
            let r = Pdu::decode_hex(&hex, prefix);
            if let Ok(sms) = &r {
                let bytes = sms.raw.clone();
                check_decoded(r.clone(), &bytes, prefix, bytes.len());
            } else {
                check_decoded(r, &[], prefix, hex.len());
            }
        }
        4 | 5 => {
            let text = String::from_utf8_lossy(rest);
            let lines: Vec<&str> = text.split('\n').collect();
            let items = if op & 7 == 4 {
                parse_cmgl(&lines, storage)
            } else {
                parse_cmgr(&lines, Some(u32::from(op)), storage)
            };
            for item in &items {
                match item {
                    ListItem::Entry(e) => {
                        assert!(
                            e.line < lines.len(),
                            "entry line {} of {}",
                            e.line,
                            lines.len()
                        );
                        assert_eq!(e.storage.as_deref(), storage);
                        let _ = Pdu::decode(&e.pdu, e.smsc_prefix);
                    }
                    ListItem::Error(err) => {
                        assert!(
                            err.line < lines.len(),
                            "error line {} of {}",
                            err.line,
                            lines.len()
                        );
                        let _ = err.to_string();
                    }
                }
            }
            let _ = serde_json::to_string(&items).expect("listing serialises");
            let mut r = Reassembler::new(Some("81"));
            for item in items {
                if let ListItem::Entry(e) = item {
                    let _ = r.add(e.sms, None);
                }
            }
            for m in r.finish() {
                assert!(m.missing.iter().all(|&k| k >= 1 && k <= m.total));
            }
        }
        _ => {
            let text = String::from_utf8_lossy(rest);
            let lines: Vec<&str> = text.split('\n').collect();
            let charset = match (op >> 4) & 3 {
                0 => TextCharset::Auto,
                1 => TextCharset::Plain,
                _ => TextCharset::Ucs2,
            };
            let index = (op & 1 == 1).then_some(7);
            for item in parse_text_listing(&lines, charset, index, storage) {
                match item {
                    TextItem::Entry(e) => assert!(e.line < lines.len()),
                    TextItem::Error(err) => assert!(err.line < lines.len()),
                }
            }
        }
    }
}

fn check_decoded(
    r: Result<simquota::sms::Sms, simquota::sms::PduError>,
    bytes: &[u8],
    prefix: SmscPrefix,
    input_len: usize,
) {
    match r {
        Err(e) => {
            let _ = e.to_string();
            check_offset_in(&format!("{e:?}"), input_len);
        }
        Ok(sms) => {
            assert_eq!(sms.raw, bytes, "raw is not the input");
            let _ = serde_json::to_string(&sms).expect("Sms serialises");
            let _ = (sms.sender(), sms.recipient());
            if sms.warnings.is_empty() && sms.replacements == 0 {
                if let Ok(again) = sms.encode(prefix) {
                    let back = Pdu::decode(&again, prefix)
                        .unwrap_or_else(|e| panic!("re-encoded {again:02X?} does not decode: {e}"));
                    // `data` of GSM 7-bit text holds the packed septets with the fill bits
                    // after a UDH, whose value TS 23.040 leaves open: compare it for 8-bit only.
                    let eight_bit = sms.dcs.alphabet == simquota::codec::Alphabet::EightBit;
                    assert_eq!(
                        (&back.kind, &back.address, &back.text, &back.udh),
                        (&sms.kind, &sms.address, &sms.text, &sms.udh),
                        "a clean message does not survive encode/decode"
                    );
                    if eight_bit {
                        assert_eq!(back.data, sms.data, "8-bit data changed by encode/decode");
                    }
                }
            }
        }
    }
}

/// Byte 0: bits 0–1 concatenation reference (8-bit 0, 8-bit 255, 16-bit 0x1234, 16-bit 0xFFFF),
/// bit 2 status report, bit 3 relative validity. Byte 1: the destination (`b % 4`). The rest is
/// the text (lossy UTF-8).
///
/// Checked: every part decodes as an SMS-SUBMIT to the destination, its `tpdu_len`, hex,
/// sequence and concatenation agree, and the reassembled text is the input text.
pub fn sms_roundtrip(data: &[u8]) {
    let (head, rest) = data.split_at(data.len().min(2));
    let o = head.first().copied().unwrap_or(0);
    let d = head.get(1).copied().unwrap_or(0);
    let text = String::from_utf8_lossy(rest);
    let opts = SubmitOptions {
        concat_reference: match o & 3 {
            0 => ConcatRef::EightBit(0),
            1 => ConcatRef::EightBit(255),
            2 => ConcatRef::SixteenBit(0x1234),
            _ => ConcatRef::SixteenBit(0xFFFF),
        },
        status_report: o & 4 != 0,
        validity: if o & 8 != 0 {
            ValidityPeriod::Relative(167)
        } else {
            ValidityPeriod::None
        },
    };
    let to = ["+819012345678", "10086", "+1", "0123456789012345678"][usize::from(d % 4)];
    let parts = match encode_submit(to, &text, &opts) {
        Ok(p) => p,
        Err(simquota::sms::EncodeError::TooLong { parts }) => {
            assert!(parts > 255);
            return;
        }
        Err(e) => panic!("encode_submit({to:?}) failed: {e}"),
    };
    assert!(!parts.is_empty());
    let total = parts.len();
    let mut r = Reassembler::new(None);
    for (i, p) in parts.iter().enumerate() {
        assert_eq!(usize::from(p.seq), i + 1);
        assert_eq!(usize::from(p.total), total);
        assert_eq!(p.tpdu_len + 1, p.bytes.len(), "tpdu_len");
        assert_eq!(p.at_command(), format!("AT+CMGS={}", p.tpdu_len));
        let sms = Pdu::decode(&p.bytes, SmscPrefix::Present)
            .unwrap_or_else(|e| panic!("part {} does not decode: {e}", i + 1));
        let from_hex = Pdu::decode_hex(&p.hex, SmscPrefix::Present).expect("hex decodes");
        assert_eq!(sms, from_hex, "hex and bytes differ");
        assert!(
            sms.warnings.is_empty(),
            "warnings on our own PDU: {:?}",
            sms.warnings
        );
        assert_eq!(sms.replacements, 0);
        assert!(matches!(sms.kind, simquota::sms::SmsKind::Submit(_)));
        match sms.concat {
            Some(c) => {
                assert!(total > 1);
                assert_eq!((usize::from(c.seq), usize::from(c.total)), (i + 1, total));
            }
            None => assert_eq!(total, 1),
        }
        assert_eq!(
            r.add(sms, None),
            if total > 1 {
                simquota::sms::AddOutcome::Added
            } else {
                simquota::sms::AddOutcome::Single
            }
        );
    }
    let msgs = r.finish();
    assert_eq!(msgs.len(), 1, "parts did not reassemble into one message");
    assert!(msgs[0].is_complete());
    assert_eq!(msgs[0].text, text, "reassembled text differs");
}

// ----- transcripts --------------------------------------------------------------------------

/// The input as `.atx` text (lossy UTF-8). Checked: a parsed transcript renders to text that
/// parses back to it, and rendering is then stable; error lines exist; `unescape(escape(b))
/// == b` for the raw input bytes; `redact` keeps the shape.
pub fn transcript(data: &[u8]) {
    let bytes_back = transcript::unescape(&transcript::escape(data));
    assert_eq!(bytes_back.as_deref(), Ok(data), "unescape(escape(b)) != b");
    let text = String::from_utf8_lossy(data);
    match Transcript::parse(&text) {
        Ok(t) => {
            let rendered = t.render();
            let again = Transcript::parse(&rendered).unwrap_or_else(|e| {
                panic!("render() output does not parse: {e}\n--- rendered ---\n{rendered}")
            });
            assert_eq!(
                again, t,
                "parse(render(t)) != t\n--- rendered ---\n{rendered}"
            );
            assert_eq!(again.render(), rendered, "render is not stable");
            let _ = t.modem_bytes();
            let red = transcript::redact(&t);
            assert_eq!(red.steps.len(), t.steps.len());
            assert_eq!(red.headers, t.headers);
        }
        Err(e) => {
            let lines = text.lines().count();
            assert!(
                e.line >= 1 && e.line <= lines,
                "error line {} of {lines}",
                e.line
            );
        }
    }
}

// ----- balance ------------------------------------------------------------------------------

const LANGUAGES: [&str; 12] = [
    "", "ja", "zh", "zh-Hant", "en-US", "en-NP", "ru", "ko", "de", "uk", "id", "sv",
];

/// Bytes 0–3: `[base, language, year, month-day]`. Base: `b % 4` of 1024, 1000, 0, `u64::MAX`;
/// language: `b % 13` of none and `LANGUAGES` (index 0 is the empty tag), `b >= 0xF0` a tag
/// made of the next 3 input bytes; year: 1900 + b (b = 0xFF: year 9999, 0xFE: -4713); month-day:
/// high nibble month, low nibble day (clamped to a valid date). The rest is the reply.
///
/// Checked: `raw` is the text given, confidence is within 0..=1 and 0 when not understood,
/// every date exists, and the reading serialises to JSON and back.
pub fn balance(data: &[u8]) {
    let (head, rest) = data.split_at(data.len().min(4));
    let byte = |i: usize| head.get(i).copied().unwrap_or(0);
    let base = [1024u64, 1000, 0, u64::MAX][usize::from(byte(0) % 4)];
    let (language, rest) = match byte(1) {
        b if b >= 0xF0 => {
            let (tag, rest) = rest.split_at(rest.len().min(3));
            (Some(String::from_utf8_lossy(tag).into_owned()), rest)
        }
        b => match usize::from(b % 13) {
            0 => (None, rest),
            i => (Some(LANGUAGES[i - 1].to_string()), rest),
        },
    };
    let year = match byte(2) {
        0xFF => 9999,
        0xFE => -4713,
        b => 1900 + i32::from(b),
    };
    let month = (byte(3) >> 4).clamp(1, 12);
    let mut day = (byte(3) & 0x0F).max(1) * 2;
    while Date::new(year, month, day).is_none() {
        day -= 1;
    }
    let today = Date::new(year, month, day).expect("a valid day");
    let text = String::from_utf8_lossy(rest);
    let opts = ParseOptions {
        units_base: base,
        language,
        ..ParseOptions::new(today)
    };
    let r = balance::parse(&text, &opts);
    assert_eq!(r.raw, text, "raw is not the text given");
    assert!(
        (0.0..=1.0).contains(&r.confidence),
        "confidence {} out of range",
        r.confidence
    );
    if !r.understood {
        assert_eq!(
            r.confidence, 0.0,
            "not understood but confidence {}",
            r.confidence
        );
    }
    let dates = r
        .expiry
        .iter()
        .chain(r.reset.iter())
        .chain(r.buckets.iter().filter_map(|b| b.expires.as_ref()))
        .chain(r.money.iter().filter_map(|m| m.expires.as_ref()));
    for d in dates {
        assert!(
            Date::new(d.year, d.month, d.day).is_some(),
            "no such day: {d:?}"
        );
    }
    let json = serde_json::to_string(&r).expect("Reading serialises");
    let back: balance::Reading = serde_json::from_str(&json).expect("Reading deserialises");
    assert_eq!(back.raw, r.raw);
    assert_eq!(back.buckets, r.buckets);
    assert_eq!(back.money, r.money);
}
