//! Every transcript in `transcripts/` is replayed twice (STYLE.md §7):
//! - in memory: the modem's chunks go through the sans-IO AT session with virtual time, and the
//!   `+CUSD` replies through the USSD decoder — no I/O at all;
//! - over a real PTY: the emulator plays the modem side and the real `simquota` binary is the
//!   host; the replay fails on any byte the client sends that the transcript does not expect.
//!
//! Expected results sit beside each transcript as `NAME.expected.json`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use simquota::at::{Command, Event, Session, SessionConfig, UrcKind};
use simquota::emulator::{replay::Replay, Emulator};
use simquota::transcript::{Step, Transcript};
use simquota::ussd::{decode_payload, parse_cusd, Charset, DecodeOverrides, UssdStatus};

use crate::common::*;

fn transcripts() -> Vec<(PathBuf, Transcript, Value)> {
    let dir = root().join("transcripts");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("transcripts/ exists") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("atx") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable transcript");
        let t = Transcript::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            t.header("source").is_some_and(|s| !s.is_empty()),
            "{}: every transcript names its source",
            path.display()
        );
        let exp_path = path.with_extension("expected.json");
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(&exp_path)
                .unwrap_or_else(|e| panic!("{}: {e}", exp_path.display())),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", exp_path.display()));
        out.push((path, t, exp));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        out.len() >= 8,
        "at least 8 transcripts, found {}",
        out.len()
    );
    out
}

/// The last `+CUSD` with text that is not a release notice, decoded, from an in-memory replay.
fn replay_in_memory(t: &Transcript, cscs: Charset) -> (Option<String>, Vec<UssdStatus>) {
    let mut now = Instant::now();
    let mut session = Session::new(SessionConfig::default());
    let mut last_text = None;
    let mut statuses = Vec::new();
    let mut handle = |ev: Event, last_text: &mut Option<String>| {
        if let Event::Urc(u) = ev {
            if u.kind == UrcKind::Cusd {
                let c = parse_cusd(&u.text).expect("a +CUSD URC parses");
                statuses.push(c.status());
                if let Some(p) = c.text {
                    let d = decode_payload(&p, c.dcs, cscs.clone(), &DecodeOverrides::default());
                    if d.text != "Initiating Release" {
                        *last_text = Some(d.text);
                    }
                }
            }
        }
    };
    for step in &t.steps {
        match step {
            Step::Send(b) => {
                while let Some(ev) = session.poll_event() {
                    handle(ev, &mut last_text);
                }
                let cmd = String::from_utf8_lossy(b)
                    .trim_end_matches('\r')
                    .to_string();
                // A previous command may still be open (its final result came earlier in
                // another chunk); let virtual time settle it.
                if session.in_flight().is_some() {
                    now += Duration::from_secs(30);
                    session.handle_timeout(now);
                }
                let _ = session.submit(Command::new(cmd), now);
                while session.poll_transmit().is_some() {}
            }
            Step::SendAny => {}
            Step::Recv(b) => session.handle_input(now, b),
            Step::Pause(d) => {
                now += *d;
                session.handle_timeout(now);
            }
        }
    }
    now += Duration::from_secs(1);
    session.handle_timeout(now);
    while let Some(ev) = session.poll_event() {
        handle(ev, &mut last_text);
    }
    (last_text, statuses)
}

fn charset_of(exp: &Value) -> Charset {
    Charset::from_cscs(exp["cscs"].as_str().unwrap_or("IRA"))
}

#[test]
fn transcripts_replay_in_memory_with_virtual_time() {
    for (path, t, exp) in transcripts() {
        let (text, statuses) = replay_in_memory(&t, charset_of(&exp));
        match exp["reply_text"].as_str() {
            Some(want) => assert_eq!(text.as_deref(), Some(want), "{}", path.display()),
            None => assert!(
                text.is_none() || exp["exit_code"] != 0,
                "{}: unexpected text {text:?}",
                path.display()
            ),
        }
        if exp["exit_code"] == 0 {
            assert!(!statuses.is_empty(), "{}: no +CUSD seen", path.display());
        }
    }
}

#[test]
fn transcripts_replay_over_a_pty_against_the_real_binary() {
    for (path, t, exp) in transcripts() {
        let emu = Emulator::spawn(Box::new(Replay::new(&t, Instant::now())), None).expect("pty");
        let port = emu.path().to_string_lossy().into_owned();
        let mut args: Vec<String> = exp["command"]
            .as_array()
            .expect("command array")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect();
        args.extend(["--port".to_string(), port, "--json".to_string()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&argv, &tempdir("replay"));
        let outcome = emu.wait(Duration::from_secs(5));
        let name = path.display();
        assert_eq!(
            outcome,
            Some(Ok(())),
            "{name}: replay did not run to its end\nstderr: {}",
            stderr(&o)
        );
        assert_eq!(
            o.status.code(),
            exp["exit_code"].as_i64().map(|c| c as i32),
            "{name}: stderr: {}",
            stderr(&o)
        );
        if o.status.success() {
            let v = json(&o);
            assert_eq!(v["reply_text"], exp["reply_text"], "{name}");
            if let Some(c) = exp.get("cancelled_menu") {
                assert_eq!(&v["cancelled_menu"], c, "{name}");
            }
        }
        for w in exp["stderr_contains"].as_array().into_iter().flatten() {
            let w = w.as_str().unwrap_or_default();
            assert!(
                stderr(&o).contains(w),
                "{name}: stderr lacks {w:?}: {}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn a_recorded_session_replays_against_the_same_command() {
    // Record a balance check on the emulator, then replay the recording: the client must send
    // exactly the same bytes and get the same answer (identifiers redacted in between).
    let dir = tempdir("record");
    let rec = dir.join("session.atx");
    let o = run(
        &[
            "balance",
            "--simulate",
            "--json",
            "--record",
            &rec.to_string_lossy(),
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let first = json(&o);
    let t = Transcript::parse(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    let text = t.render();
    assert!(
        !text.contains("001010123456789"),
        "IMSI not redacted:\n{text}"
    );
    assert!(text.contains("00101"), "MCC-MNC kept:\n{text}");
    let emu = Emulator::spawn(Box::new(Replay::new(&t, Instant::now())), None).unwrap();
    let port = emu.path().to_string_lossy().into_owned();
    let o = run(&["balance", "--port", &port, "--json"], &dir);
    let outcome = emu.wait(Duration::from_secs(5));
    assert_eq!(outcome, Some(Ok(())), "stderr: {}", stderr(&o));
    assert!(o.status.success(), "{}", stderr(&o));
    let second = json(&o);
    assert_eq!(second["reply_text"], first["reply_text"]);
    assert_eq!(second["remaining_bytes"], first["remaining_bytes"]);
}

#[test]
fn emulate_replays_a_file_and_fails_loudly_with_a_diff_on_a_mismatch() {
    use std::io::{BufRead, BufReader};
    // The transcript expects `ussd *100#`; the client asks for *101# instead.
    let file = root().join("transcripts/huawei-e3276-ru-ucs2.atx");
    let mut child = std::process::Command::new(bin())
        .args(["emulate", &file.to_string_lossy()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().to_string();
    let o = run(
        &["ussd", "*101#", "--port", &port, "--timeout", "2"],
        &tempdir("mismatch"),
    );
    assert!(
        !o.status.success(),
        "the client should not succeed on a wrong replay"
    );
    let emu = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&emu.stderr);
    assert_ne!(emu.status.code(), Some(0), "emulate must fail: {err}");
    assert!(err.contains("transcript mismatch"), "{err}");
    assert!(
        err.contains("expected > AT+CUSD=1,\"AA180C3602\",15\\r"),
        "{err}"
    );
    assert!(
        err.contains("actual   > AT+CUSD=1,\"AA182C3602\",15\\r"),
        "{err}"
    );
}
