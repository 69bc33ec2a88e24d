//! Soak: thousands of sequential balance checks against emulated modems with faults injected at
//! random (seeded), proving that no check panics, hangs or leaks a file descriptor.
//!
//! Most checks run in-process through the library (`Modem::open` + `ussd::flow::run` on a tokio
//! runtime) so that `/proc/self/fd` can be counted before and after; a share runs the real
//! binary. File descriptors can only be counted in a process where nothing else runs, so
//! [`soak`] re-runs this test binary with just [`soak_worker`] and checks its verdict.
//!
//! `SIMQUOTA_SOAK_CHECKS` sets the number of in-process checks (default 2000; one binary run is
//! added per 40 checks), `SIMQUOTA_SOAK_SEED` the seed (default printed in the report).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::*;
use crate::e2e_faults::run_bounded;
use simquota::emulator::faults::{Faults, Faulty, Reboot, XorShift};
use simquota::emulator::{scenario::Scenario, sim::SimModem, Emulator, Family};
use simquota::modem::{Modem, ModemError, OpenOptions};
use simquota::ussd::flow::{self, UssdError, UssdOptions};

const JA_REPLY: &str = "ご利用可能なデータ残量は1.25GBです。";
const EN_REPLY: &str = "Balance 12.50 EUR, 850 MB left, valid until 31.12.2026";

/// The carrier answers at once: the soak measures the client, not the network.
const SCENARIO: &str = r#"
[[ussd]]
code = "*100#"
reply = "ご利用可能なデータ残量は1.25GBです。"
delay_ms = 0
[[ussd]]
code = "*102#"
reply = "Balance 12.50 EUR, 850 MB left, valid until 31.12.2026"
delay_ms = 0
"#;

/// A check that takes longer than this has hung (the client's own time-outs end every check
/// far sooner: 1.5 s probe, 10 s per command, 20 s for the USSD request, `first_timeout`).
const HUNG: Duration = Duration::from_secs(60);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// What a check is allowed to end with, given its faults.
#[derive(Debug, Clone, Copy)]
struct Plan {
    family: Family,
    code: &'static str,
    want: &'static str,
    /// The modem may vanish (hang-up fault): "went away" is then a correct outcome.
    may_vanish: bool,
}

/// Random faults for check `i`. Only faults that a correct client survives quickly (or, for a
/// hang-up, reports at once): slow modems and lost replies would only make the soak wait.
fn random_check(rng: &mut XorShift) -> (Plan, Faults) {
    let family = Family::ALL[rng.below(3) as usize];
    let (code, want) = if rng.chance(50) {
        ("*100#", JA_REPLY)
    } else {
        ("*102#", EN_REPLY)
    };
    let mut f = Faults::seeded(rng.next_u64());
    if rng.chance(40) {
        f = f.noise(10 + rng.below(40) as u8, 1 + rng.below(16) as usize);
    }
    if rng.chance(30) {
        f = f.byte_by_byte(Duration::ZERO);
    }
    if rng.chance(30) {
        f = f.urc_storm(Duration::from_millis(2 + rng.below(20)));
    }
    if rng.chance(30) {
        f = f.echo_flip(rng.below(60) as u8);
    }
    if rng.chance(15) {
        f = f.rewrite("AT+CPIN?", "+CMS ERROR: 500");
    }
    let mut may_vanish = false;
    if rng.chance(10) {
        // Any command, including the restore commands at close (after which the check is done).
        f = f.hang_up(
            1 + rng.below(14) as usize,
            Duration::from_millis(rng.below(5)),
        );
        may_vanish = true;
    } else if rng.chance(10) {
        // During the set-up (at most 7 commands before the USSD ones on every family).
        f = f.reboot(Reboot::after(1 + rng.below(6) as usize));
    }
    let plan = Plan {
        family,
        code,
        want,
        may_vanish,
    };
    (plan, f)
}

fn spawn(plan: &Plan, faults: Faults, scenario: &Scenario) -> Emulator {
    let mut m = SimModem::new(plan.family, scenario.clone());
    m.set_noise_interval(None);
    Emulator::spawn(Box::new(Faulty::new(m, faults)), None).expect("a pseudo-terminal")
}

/// One check through the library, as `simquota ussd` does it.
async fn check(port: &Path, code: &str) -> Result<Option<String>, UssdError> {
    let mut modem = Modem::open(port, &OpenOptions::default()).await?;
    let mut opts = UssdOptions {
        first_timeout: Duration::from_secs(5),
        ..UssdOptions::default()
    };
    let outcome = flow::run(&mut modem, code, &mut opts).await;
    let _ = modem.close().await;
    Ok(outcome?.last_text().map(|t| t.text.clone()))
}

fn verdict_ok(plan: &Plan, r: &Result<Option<String>, UssdError>) -> Result<(), String> {
    match r {
        Ok(Some(text)) if text == plan.want => Ok(()),
        Err(UssdError::Modem(ModemError::Vanished { .. })) if plan.may_vanish => Ok(()),
        other => Err(format!("{plan:?}: {other:?}")),
    }
}

/// The worker: runs alone in its own process (see the module docs).
#[test]
#[ignore = "run by soak() in a process of its own, so /proc/self/fd counts only its files"]
fn soak_worker() {
    let checks = env_u64("SIMQUOTA_SOAK_CHECKS", 2000);
    let runs = (checks / 40).max(1);
    let seed = env_u64("SIMQUOTA_SOAK_SEED", 0x5EED_2026);
    let scenario = scenario(SCENARIO);
    let mut rng = XorShift::new(seed);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");

    // Warm up once so that lazily opened descriptors (runtime driver, /proc scans) are counted
    // in the baseline.
    let warm = Plan {
        family: Family::Quectel,
        code: "*102#",
        want: EN_REPLY,
        may_vanish: false,
    };
    let emu = spawn(&warm, Faults::seeded(0), &scenario);
    let r = rt.block_on(check(emu.path(), warm.code));
    assert!(verdict_ok(&warm, &r).is_ok(), "warm-up: {r:?}");
    drop(emu);
    let fds_before = open_fds();

    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let (mut ok, mut vanished) = (0u64, 0u64);
    let mut failures = Vec::new();
    for i in 0..checks {
        let (plan, faults) = random_check(&mut rng);
        let emu = spawn(&plan, faults.clone(), &scenario);
        let t = Instant::now();
        let r =
            rt.block_on(async { tokio::time::timeout(HUNG, check(emu.path(), plan.code)).await });
        slowest = slowest.max(t.elapsed());
        drop(emu);
        match r {
            Err(_) => failures.push(format!("check {i} hung: {plan:?} {faults:?}")),
            Ok(r) => match verdict_ok(&plan, &r) {
                Ok(()) if r.is_ok() => ok += 1,
                Ok(()) => vanished += 1,
                Err(e) => failures.push(format!("check {i}: {e}\n  faults: {faults:?}")),
            },
        }
    }
    let in_process = started.elapsed();
    let fds_after = open_fds();

    let bin_started = Instant::now();
    for i in 0..runs {
        let (plan, faults) = random_check(&mut rng);
        let emu = spawn(&plan, faults.clone(), &scenario);
        let port = emu.path().to_string_lossy().into_owned();
        let state = tempdir("soak");
        // run_bounded fails the test itself if the binary hangs.
        let o = run_bounded(&["ussd", plan.code, "--port", &port, "--json"], &state);
        drop(emu);
        let _ = std::fs::remove_dir_all(&state);
        let err = stderr(&o);
        let good = match o.status.code() {
            Some(0) => {
                serde_json::from_slice::<serde_json::Value>(&o.stdout)
                    .ok()
                    .and_then(|v| v["reply_text"].as_str().map(str::to_string))
                    .as_deref()
                    == Some(plan.want)
            }
            Some(1) => plan.may_vanish && err.contains("went away"),
            _ => false,
        };
        if !good || err.contains("panicked") {
            failures.push(format!(
                "binary run {i}: exit {:?}, {plan:?}\n  faults: {faults:?}\n  stderr: {err}",
                o.status.code()
            ));
        }
    }
    let binary = bin_started.elapsed();
    let fds_end = open_fds();

    println!(
        "SOAK seed={seed:#x} in-process checks={checks} ok={ok} vanished-as-planned={vanished} \
         time={in_process:.1?} ({:.1?}/check, slowest {slowest:.1?}); binary runs={runs} \
         time={binary:.1?}; fds before={fds_before} after-checks={fds_after} end={fds_end}; \
         failures={}",
        in_process / (checks.max(1) as u32),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} checks failed (seed {seed:#x}):\n{}",
        failures.len(),
        checks + runs,
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        fds_before, fds_after,
        "file descriptors leaked by in-process checks"
    );
    assert_eq!(
        fds_before, fds_end,
        "file descriptors leaked around binary runs"
    );
}

/// Runs [`soak_worker`] in a process of its own and reports its numbers.
#[test]
fn soak() {
    let exe = std::env::current_exe().expect("the test binary's path");
    let o = Command::new(exe)
        .args([
            "soak::soak_worker",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .expect("the test binary runs");
    let out = stdout(&o);
    let err = stderr(&o);
    let report = out
        .lines()
        .find(|l| l.starts_with("SOAK "))
        .unwrap_or("(no report)");
    println!("{report}");
    assert!(
        o.status.success() && out.contains("1 passed"),
        "the soak worker failed:\n--- stdout\n{out}\n--- stderr\n{err}"
    );
}
