//! Failure cases end to end: each names what went wrong and what to try, never a panic.

use std::time::Duration;

use crate::common::*;
use simquota::emulator::{replay::Replay, Emulator, Family};
use simquota::transcript::Transcript;

fn assert_clean_failure(o: &std::process::Output, code: i32, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    for w in words {
        assert!(err.contains(w), "stderr lacks {w:?}: {err}");
    }
}

#[test]
fn port_does_not_exist() {
    let o = run(
        &["ussd", "*100#", "--port", "/dev/does-not-exist-simquota"],
        &tempdir("noport"),
    );
    assert_clean_failure(&o, 1, &["no serial port", "/dev/does-not-exist-simquota"]);
}

#[test]
fn a_file_that_is_not_a_serial_port() {
    let o = run(
        &["ussd", "*100#", "--port", "/dev/null"],
        &tempdir("devnull"),
    );
    assert_clean_failure(&o, 1, &["not a serial port"]);
}

#[test]
fn no_modem_found_explains_simulate() {
    // This machine has no USB modem: auto-detection says so and points to the emulator.
    let o = run(&["ussd", "*100#"], &tempdir("noarg"));
    assert_clean_failure(&o, 1, &["--simulate"]);
}

#[test]
fn busy_port_names_the_holder() {
    // Another process (here: `sleep` with the port as its stdin) holds the port open.
    let emu = emulator(
        Family::Quectel,
        simquota::emulator::scenario::Scenario::builtin_default(),
    );
    let port = emu.path().to_path_buf();
    let mut holder = std::process::Command::new("sleep")
        .arg("30")
        .stdin(std::fs::File::open(&port).unwrap())
        .spawn()
        .unwrap();
    let o = run(
        &["info", "--port", &port.to_string_lossy()],
        &tempdir("busy"),
    );
    let _ = holder.kill();
    let _ = holder.wait();
    assert_clean_failure(&o, 1, &["busy", "sleep (pid"]);
}

#[test]
fn port_that_is_not_a_modem() {
    // A PTY whose other end never answers: like a GPS or diagnostic port.
    let t = Transcript::parse("#! atx 1\n").unwrap();
    let emu = Emulator::spawn(
        Box::new(Silent(Replay::new(&t, std::time::Instant::now()))),
        None,
    )
    .unwrap();
    let port = emu.path().to_string_lossy().into_owned();
    let o = run(&["info", "--port", &port], &tempdir("silent"));
    assert_clean_failure(&o, 1, &["does not answer AT", "not the modem's AT port"]);
}

/// A device that swallows everything (the replay's end would otherwise answer ERROR).
struct Silent(Replay);
impl simquota::emulator::Device for Silent {
    fn handle_input(&mut self, _: std::time::Instant, _: &[u8]) {}
    fn poll_output(&mut self, _: std::time::Instant) -> Option<Vec<u8>> {
        None
    }
    fn poll_timeout(&self) -> Option<std::time::Instant> {
        self.0.poll_timeout()
    }
}

#[test]
fn network_does_not_support_the_code() {
    let s = scenario(
        r#"
        [[ussd]]
        code = "*100#"
        status = 4
        delay_ms = 10
        "#,
    );
    for family in Family::ALL {
        let emu = emulator(family, s.clone());
        let port = emu.path().to_string_lossy().into_owned();
        let o = run(&["ussd", "*100#", "--port", &port], &tempdir("cusd4"));
        assert_clean_failure(&o, 5, &["not supported", "LTE"]);
    }
}

#[test]
fn no_reply_within_the_timeout() {
    let s = scenario(
        r#"
        [[ussd]]
        code = "*100#"
        reply = "late"
        delay_ms = 600000
        "#,
    );
    let emu = emulator(Family::Quectel, s);
    let port = emu.path().to_string_lossy().into_owned();
    let o = run(
        &["ussd", "*100#", "--port", &port, "--timeout", "1"],
        &tempdir("timeout"),
    );
    assert_clean_failure(&o, 5, &["no USSD reply"]);
}

#[test]
fn sim_pin_required_is_named() {
    let s = scenario("[network]\npin = \"SIM PIN\"\n");
    let emu = emulator(Family::Quectel, s);
    let port = emu.path().to_string_lossy().into_owned();
    let o = run(&["ussd", "*100#", "--port", &port], &tempdir("pin"));
    assert_clean_failure(&o, 6, &["PIN"]);
}

#[test]
fn modem_answers_error_to_every_cusd() {
    let s = scenario("[network]\ncusd_result = \"ERROR\"\n");
    for family in Family::ALL {
        let emu = emulator(family, s.clone());
        let port = emu.path().to_string_lossy().into_owned();
        let o = run(&["ussd", "*100#", "--port", &port], &tempdir("err"));
        assert_clean_failure(&o, 5, &["refused", "plain and packed"]);
    }
}

#[test]
fn lte_only_modem_without_network_service_is_explained() {
    // shared/corpus A1 #45: Telit LM960 answers +CME ERROR: 30 in LTE-only mode.
    let s = scenario("[network]\ncusd_result = \"+CME ERROR: 30\"\n");
    let emu = emulator(Family::Quectel, s);
    let port = emu.path().to_string_lossy().into_owned();
    let o = run(&["ussd", "*100#", "--port", &port], &tempdir("cme30"));
    assert_clean_failure(&o, 5, &["no network service", "LTE-only"]);
}

/// Wraps a device and raises a flag once the host has sent a given command.
struct Watch<D> {
    inner: D,
    needle: &'static [u8],
    seen: Vec<u8>,
    flag: std::sync::Arc<std::sync::atomic::AtomicBool>,
}
impl<D: simquota::emulator::Device> simquota::emulator::Device for Watch<D> {
    fn handle_input(&mut self, now: std::time::Instant, bytes: &[u8]) {
        self.seen.extend_from_slice(bytes);
        if self
            .seen
            .windows(self.needle.len())
            .any(|w| w == self.needle)
        {
            self.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self.inner.handle_input(now, bytes)
    }
    fn poll_output(&mut self, now: std::time::Instant) -> Option<Vec<u8>> {
        self.inner.poll_output(now)
    }
    fn poll_timeout(&self) -> Option<std::time::Instant> {
        self.inner.poll_timeout()
    }
}

#[test]
fn modem_vanishing_mid_command_is_a_clear_error() {
    let s = scenario("[[ussd]]\ncode='*100#'\nreply='x'\ndelay_ms=600000\n");
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let dev = Watch {
        inner: simquota::emulator::sim::SimModem::new(Family::Quectel, s),
        needle: b"AT+CUSD=1,",
        seen: Vec::new(),
        flag: flag.clone(),
    };
    let emu = Emulator::spawn(Box::new(dev), None).unwrap();
    let port = emu.path().to_string_lossy().into_owned();
    let child = std::process::Command::new(bin())
        .args(["ussd", "*100#", "--port", &port])
        .env("SIMQUOTA_STATE_DIR", tempdir("vanish"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (bounded) until the client is waiting for the USSD reply, then pull the plug.
    for _ in 0..600 {
        if flag.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        flag.load(std::sync::atomic::Ordering::SeqCst),
        "the client never sent AT+CUSD"
    );
    std::thread::sleep(Duration::from_millis(50));
    drop(emu); // the modem goes away: the PTY master closes.
    let o = child.wait_with_output().unwrap();
    assert_clean_failure(&o, 1, &["went away"]);
}

#[test]
fn sim_pin_is_sent_once_from_a_file_and_never_retried() {
    let s = scenario(
        "[network]\npin = \"SIM PIN\"\n[[ussd]]\ncode = \"*100#\"\nreply = \"Balance 5 EUR\"\ndelay_ms = 10\n",
    );
    let dir = tempdir("pinfile");
    let good = dir.join("pin");
    std::fs::write(&good, "1234\n").unwrap();
    let emu = emulator(Family::Quectel, s.clone());
    let port = emu.path().to_string_lossy().into_owned();
    let rec = dir.join("rec.atx");
    let o = run(
        &[
            "ussd",
            "*100#",
            "--port",
            &port,
            "--json",
            "--pin-file",
            &good.to_string_lossy(),
            "--record",
            &rec.to_string_lossy(),
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json(&o)["reply_text"], "Balance 5 EUR");
    let recorded = std::fs::read_to_string(&rec).unwrap();
    assert!(
        !recorded.contains("1234"),
        "the PIN leaked into the transcript:\n{recorded}"
    );

    // A wrong PIN: refused once, not retried.
    let bad = dir.join("bad");
    std::fs::write(&bad, "9999").unwrap();
    let emu = emulator(Family::Quectel, s);
    let port = emu.path().to_string_lossy().into_owned();
    let o = run(
        &[
            "-v",
            "ussd",
            "*100#",
            "--port",
            &port,
            "--pin-file",
            &bad.to_string_lossy(),
        ],
        &dir,
    );
    assert_clean_failure(&o, 6, &["refused the PIN", "NOT retried"]);
    assert_eq!(
        stderr(&o).matches("> AT+CPIN=").count(),
        1,
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("9999"), "PIN shown in the log");
}

#[test]
fn radio_off_and_no_registration_are_detected_before_asking() {
    let o = {
        let emu = emulator(Family::Huawei, scenario("[network]\ncfun = 4\n"));
        let port = emu.path().to_string_lossy().into_owned();
        run(&["-v", "ussd", "*100#", "--port", &port], &tempdir("cfun"))
    };
    assert_clean_failure(&o, 1, &["radio is off", "AT+CFUN=1"]);
    assert!(!stderr(&o).contains("AT+CUSD=1"), "a query was sent anyway");
    let o = {
        let emu = emulator(Family::Zte, scenario("[network]\nregistration = 3\n"));
        let port = emu.path().to_string_lossy().into_owned();
        run(&["-v", "ussd", "*100#", "--port", &port], &tempdir("reg"))
    };
    assert_clean_failure(&o, 6, &["not registered"]);
    assert!(!stderr(&o).contains("AT+CUSD=1"), "a query was sent anyway");
}

#[test]
fn no_sim_is_named() {
    let emu = emulator(Family::Quectel, scenario("[network]\npin = \"absent\"\n"));
    let port = emu.path().to_string_lossy().into_owned();
    let o = run(&["balance", "--port", &port], &tempdir("nosim"));
    assert_clean_failure(&o, 6, &["no SIM"]);
}
