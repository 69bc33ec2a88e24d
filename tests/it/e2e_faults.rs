//! Faults end to end: the real binary against an emulated modem that misbehaves
//! (`emulator::faults`), over a real pseudo-terminal. Each test names the fault, and asserts the
//! exit code, the decoded reply when the check should survive the fault, the words of the
//! message when it should not — and that nothing panicked or hung.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use simquota::emulator::faults::{Faults, Faulty, Nmea, Reboot, Shell};
use simquota::emulator::{scenario::Scenario, sim::SimModem, Device, Emulator, Family};

const JA_REPLY: &str = "ご利用可能なデータ残量は1.25GBです。";
const EN_REPLY: &str = "Balance 12.50 EUR, 850 MB left, valid until 31.12.2026";

/// Longest any run may take before the test calls it hung (the slowest fault, a 5 s modem,
/// needs about 30 s through its whole session).
const HUNG: Duration = Duration::from_secs(90);

/// An emulated `family` modem on `scenario` (no built-in noise) with `faults` on top.
pub fn faulty(family: Family, scenario: Scenario, faults: Faults) -> Emulator {
    let mut m = SimModem::new(family, scenario);
    m.set_noise_interval(None);
    spawn(Faulty::new(m, faults))
}

fn spawn(d: impl Device + Send + 'static) -> Emulator {
    Emulator::spawn(Box::new(d), None).expect("a pseudo-terminal can be opened")
}

/// Runs the binary like `common::run`, but kills it (and fails the test) if it outlives `HUNG`.
pub fn run_bounded(args: &[&str], state: &Path) -> Output {
    let out = state.join("stdout");
    let err = state.join("stderr");
    let mut child = Command::new(bin())
        .args(args)
        .env("SIMQUOTA_STATE_DIR", state)
        .env_remove("SIMQUOTA_PORT")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .spawn()
        .expect("the simquota binary runs");
    let end = Instant::now() + HUNG;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "simquota {args:?} hung for {HUNG:?}; stderr so far:\n{}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: std::fs::read(&out).unwrap_or_default(),
        stderr: std::fs::read(&err).unwrap_or_default(),
    }
}

fn ussd(emu: &Emulator, code: &str, extra: &[&str], name: &str) -> Output {
    let port = emu.path().to_string_lossy().into_owned();
    let mut args = vec!["ussd", code, "--port", &port, "--json"];
    args.extend_from_slice(extra);
    run_bounded(&args, &tempdir(name))
}

/// The chunks the client read, as `-v` shows them.
fn received(o: &Output) -> impl Iterator<Item = String> + '_ {
    o.stderr
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .filter(|l| l.starts_with("< "))
}

/// Exit 0, no panic, and `want` as the decoded reply.
fn assert_reply(o: &Output, want: &str, what: &str) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{what}: panic: {err}");
    assert_eq!(o.status.code(), Some(0), "{what}: stderr: {err}");
    let v = json(o);
    assert_eq!(v["reply_text"], want, "{what}: {v}");
}

/// The given exit code, no panic, and every word in the message.
fn assert_failure(o: &Output, code: i32, words: &[&str], what: &str) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{what}: panic: {err}");
    assert_eq!(o.status.code(), Some(code), "{what}: stderr: {err}");
    for w in words {
        assert!(err.contains(w), "{what}: stderr lacks {w:?}: {err}");
    }
}

/// Fault 1: random bytes between chunks, for several seeds.
#[test]
fn noise_between_chunks_is_ignored() {
    for (i, family) in Family::ALL.into_iter().enumerate() {
        for seed in [1u64, 2] {
            let emu = faulty(
                family,
                Scenario::builtin_default(),
                Faults::seeded(seed * 10 + i as u64).noise(40, 12),
            );
            let o = ussd(&emu, "*100#", &["-v"], "noise");
            assert_reply(&o, JA_REPLY, &format!("{family:?} seed {seed}"));
            // The fault really fired: -v shows the received chunks, noise as byte escapes.
            assert!(
                received(&o).any(|l| l.contains("\\x")),
                "{family:?}: no noise seen:\n{}",
                stderr(&o)
            );
        }
    }
}

/// Fault 2: every chunk arrives one byte per write, 1 ms apart.
#[test]
fn one_byte_per_write_still_decodes() {
    for family in Family::ALL {
        let emu = faulty(
            family,
            Scenario::builtin_default(),
            Faults::seeded(2).byte_by_byte(Duration::from_millis(3)),
        );
        for (code, want) in [("*100#", JA_REPLY), ("*102#", EN_REPLY)] {
            let o = ussd(&emu, code, &["-v"], "bytes");
            assert_reply(&o, want, &format!("{family:?} {code}"));
            // Proof the fault fired: a normal session arrives in ~25 reads. On a loaded machine
            // the client may wake late and take a few bytes at once, so the bar is well below
            // one read per byte (3 ms apart) but far above a normal session.
            let chunks = received(&o).count();
            assert!(chunks > 60, "{family:?}: only {chunks} reads");
        }
    }
}

/// Fault 3: the modem disappears after the N-th command — during the probe, the set-up, and
/// while the USSD request is in flight.
#[test]
fn modem_disappearing_mid_command_is_a_clear_error() {
    for (family, n) in [
        (Family::Quectel, 1),
        (Family::Huawei, 4),
        (Family::Zte, 7),
        (Family::Quectel, 9),
    ] {
        let emu = faulty(
            family,
            Scenario::builtin_default(),
            Faults::seeded(3).hang_up(n, Duration::from_millis(100)),
        );
        let o = ussd(&emu, "*100#", &[], "hangup");
        assert_failure(&o, 1, &["went away"], &format!("{family:?} after {n}"));
        assert!(emu.is_finished(), "{family:?}: the PTY should be gone");
    }
}

/// Fault 4a: a reboot between commands of the set-up; the modem comes back echoing and the
/// check completes.
#[test]
fn reboot_during_setup_then_echo_is_survived() {
    for (family, n) in [(Family::Huawei, 3), (Family::Quectel, 5), (Family::Zte, 2)] {
        let emu = faulty(
            family,
            Scenario::builtin_default(),
            Faults::seeded(4).reboot(Reboot::after(n)),
        );
        let o = ussd(&emu, "*102#", &[], "reboot");
        assert_reply(&o, EN_REPLY, &format!("{family:?} after {n}"));
    }
}

/// Fault 4b: a reboot while the network answer is pending: the answer is lost; the client says
/// so clearly instead of waiting forever.
#[test]
fn reboot_while_the_reply_is_pending_fails_clearly() {
    let emu = faulty(
        Family::Quectel,
        Scenario::builtin_default(),
        Faults::seeded(4).reboot(Reboot {
            delay: Duration::from_millis(50),
            boot_time: Duration::from_millis(200),
            ..Reboot::after(9)
        }),
    );
    let o = ussd(&emu, "*102#", &["--timeout", "3"], "reboot-pending");
    assert_failure(&o, 1, &["restarted", "try again"], "reboot while pending");
}

/// Fault 5a: a modem whose every answer is 5 s late from the first command on: the probe's
/// short time-out cannot tell it from a dead port, and says what to try.
#[test]
fn slow_modem_from_the_start_fails_clearly() {
    let emu = faulty(
        Family::Quectel,
        Scenario::builtin_default(),
        Faults::seeded(5).slow(Duration::from_secs(5), 1),
    );
    let o = ussd(&emu, "*100#", &[], "slow-all");
    assert_failure(&o, 1, &["does not answer AT"], "slow from the start");
}

/// Fault 5b: a modem that answers 5 s late once the network is involved: the per-command
/// time-outs (20 s for the request, 10 s for the restore commands) accommodate it.
#[test]
fn slow_modem_within_the_time_outs_completes() {
    let emu = faulty(
        Family::Zte,
        Scenario::builtin_default(),
        Faults::seeded(5).slow_from(Duration::from_secs(5), "AT+CUSD=1"),
    );
    let o = ussd(&emu, "*102#", &[], "slow-net");
    assert_reply(&o, EN_REPLY, "slow network");
}

/// Fault 6: hundreds of `^RSSI` lines per second, between responses and between their lines.
#[test]
fn urc_storm_does_not_hide_the_reply() {
    for family in Family::ALL {
        let emu = faulty(
            family,
            Scenario::builtin_default(),
            Faults::seeded(6).urc_storm(Duration::from_millis(3)),
        );
        let o = ussd(&emu, "*100#", &["-v"], "storm");
        assert_reply(&o, JA_REPLY, &format!("{family:?}"));
        let storm = stderr(&o).matches("^RSSI:").count();
        assert!(storm > 20, "{family:?}: only {storm} ^RSSI lines");
    }
}

/// Fault 7: the modem echoes or not, at random, whatever `ATE` says.
#[test]
fn random_echo_is_tolerated() {
    for (i, family) in Family::ALL.into_iter().enumerate() {
        for seed in [7u64, 8] {
            let emu = faulty(
                family,
                Scenario::builtin_default(),
                Faults::seeded(seed * 3 + i as u64).echo_flip(50),
            );
            let o = ussd(&emu, "*102#", &[], "echo");
            assert_reply(&o, EN_REPLY, &format!("{family:?} seed {seed}"));
        }
    }
}

/// Fault 8: a menu that never ends, under noise and a URC storm: cut off after the round cap
/// and cancelled, the last menu text decoded.
#[test]
fn endless_menu_under_noise_is_cut_off() {
    let s = scenario(
        r#"
        [[ussd]]
        code = "*111#"
        reply = "1. More\n2. Even more"
        status = 1
        endless = true
        delay_ms = 20
        "#,
    );
    let replies: Vec<&str> = std::iter::repeat_n(["--reply", "1"], 12)
        .flatten()
        .collect();
    for family in Family::ALL {
        let emu = faulty(
            family,
            s.clone(),
            Faults::seeded(8)
                .noise(30, 6)
                .urc_storm(Duration::from_millis(20)),
        );
        let o = ussd(&emu, "*111#", &replies, "endless");
        assert_reply(&o, "1. More\n2. Even more", &format!("{family:?}"));
        let v = json(&o);
        assert_eq!(v["cancelled_menu"], true, "{family:?}: {v}");
        let rounds = v["exchanges"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(rounds, 8, "{family:?}: {v}");
    }
}

/// Fault 9: `+CUSD: 5` (network time-out).
#[test]
fn network_timeout_status_is_exit_5() {
    let s = scenario("[[ussd]]\ncode = \"*100#\"\nstatus = 5\ndelay_ms = 10\n");
    for family in Family::ALL {
        let emu = faulty(family, s.clone(), Faults::seeded(9).noise(20, 4));
        let o = ussd(&emu, "*100#", &[], "cusd5");
        assert_failure(
            &o,
            5,
            &["no usable USSD answer", "time"],
            &format!("{family:?}"),
        );
    }
}

/// Fault 10: no SIM (`+CME ERROR: 10`).
#[test]
fn no_sim_is_exit_6() {
    let s = scenario("[network]\npin = \"absent\"\n");
    for family in Family::ALL {
        let emu = faulty(family, s.clone(), Faults::seeded(10));
        let o = ussd(&emu, "*100#", &[], "nosim");
        assert_failure(&o, 6, &["SIM not inserted"], &format!("{family:?}"));
    }
}

/// Fault 11: `+CMS ERROR: 500` where an `OK` was due: refused USSD requests are reported; on a
/// command the check can do without, the check goes on.
#[test]
fn cms_error_500_is_reported_or_survived() {
    for family in Family::ALL {
        let emu = faulty(
            family,
            Scenario::builtin_default(),
            Faults::seeded(11).rewrite("AT+CUSD=1", "+CMS ERROR: 500"),
        );
        let o = ussd(&emu, "*100#", &[], "cms500");
        assert_failure(&o, 5, &["refused", "500"], &format!("{family:?} on CUSD"));

        let emu = faulty(
            family,
            Scenario::builtin_default(),
            Faults::seeded(11).rewrite("AT+CPIN?", "+CMS ERROR: 500"),
        );
        let o = ussd(&emu, "*100#", &[], "cms500-cpin");
        assert_reply(&o, JA_REPLY, &format!("{family:?} on CPIN"));
    }
}

/// Fault 12a: a GPS NMEA port.
#[test]
fn gps_nmea_port_is_not_a_modem() {
    let emu = spawn(Nmea::new(Instant::now(), Duration::from_millis(100)));
    let o = ussd(&emu, "*100#", &[], "nmea");
    assert_failure(
        &o,
        1,
        &[
            "does not answer AT commands",
            "not the modem's AT port",
            "$GP",
        ],
        "nmea",
    );
}

/// Fault 12b: a router's shell console.
#[test]
fn shell_console_is_not_a_modem() {
    let emu = spawn(Shell::new("root@OpenWrt:~# "));
    let o = ussd(&emu, "*100#", &[], "shell");
    assert_failure(
        &o,
        1,
        &[
            "does not answer AT commands",
            "not the modem's AT port",
            "not found",
        ],
        "shell",
    );
}

/// `balance` (not just `ussd`) under a combination of faults: noise, a storm and byte-by-byte
/// delivery together.
#[test]
fn balance_survives_combined_faults() {
    let emu = faulty(
        Family::Huawei,
        Scenario::builtin_default(),
        Faults::seeded(13)
            .noise(20, 6)
            .urc_storm(Duration::from_millis(10))
            .byte_by_byte(Duration::ZERO)
            .echo_flip(20),
    );
    let port = emu.path().to_string_lossy().into_owned();
    let o = run_bounded(
        &["balance", "--port", &port, "--json"],
        &tempdir("combined"),
    );
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "stderr: {err}");
    let v = json(&o);
    assert_eq!(v["reply_text"], JA_REPLY, "{v}");
    assert_eq!(v["remaining_bytes"], 1_342_177_280u64, "{v}");
}
