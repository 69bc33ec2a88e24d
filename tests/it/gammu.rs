//! Interop with an independent peer: Gammu (`connection = at`) must identify the emulated
//! modem and run a USSD query against it — that is how we know the emulator behaves like a modem.
//! The `simquota emulate` process itself is started here, as a user would run it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::*;

fn gammu_available() -> bool {
    Command::new("gammu")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs `simquota emulate --profile FAMILY` and returns the child and the PTY path it printed.
fn start_emulator(family: &str) -> (std::process::Child, String) {
    let mut child = Command::new(bin())
        .args(["emulate", "--profile", family, "--noise", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("simquota emulate starts");
    let mut line = String::new();
    let out = child.stdout.take().expect("stdout");
    BufReader::new(out)
        .read_line(&mut line)
        .expect("emulator prints its path");
    (child, line.trim().to_string())
}

fn gammu(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new("timeout")
        .arg("60")
        .arg("gammu")
        .arg("-c")
        .arg(config)
        .args(args)
        .output()
        .expect("gammu runs")
}

#[test]
fn gammu_identifies_and_queries_ussd_on_every_profile() {
    if !gammu_available() {
        simquota::peers::missing(
            "gammu",
            "gammu::gammu_identifies_and_queries_ussd_on_every_profile",
            "apt-get install gammu",
        );
        return;
    }
    // Gammu's getussd keeps listening for ~10 s after the reply: run the profiles side by side.
    let runs: Vec<_> = [("huawei", "Huawei"), ("quectel", "Quectel"), ("zte", "ZTE")]
        .into_iter()
        .map(|(family, maker)| std::thread::spawn(move || check_profile(family, maker)))
        .collect();
    for r in runs {
        if let Err(e) = r.join() {
            std::panic::resume_unwind(e);
        }
    }
}

fn check_profile(family: &str, maker: &str) {
    let (mut child, path) = start_emulator(family);
    assert!(path.starts_with("/dev/"), "emulator printed {path:?}");
    let dir = tempdir(&format!("gammu-{family}"));
    let cfg = dir.join("gammurc");
    std::fs::write(&cfg, format!("[gammu]\ndevice = {path}\nconnection = at\n")).unwrap();

    let o = gammu(&cfg, &["identify"]);
    let out = stdout(&o);
    assert!(
        o.status.success(),
        "{family}: gammu identify failed: {out}{}",
        stderr(&o)
    );
    assert!(out.contains(maker), "{family}: {out}");
    assert!(
        out.contains("001010123456789"),
        "{family}: IMSI missing: {out}"
    );

    let o = gammu(&cfg, &["getussd", "*102#"]);
    let out = stdout(&o);
    assert!(
        o.status.success(),
        "{family}: gammu getussd failed: {out}{}",
        stderr(&o)
    );
    assert!(
        out.contains("Balance 12.50 EUR, 850 MB left, valid until 31.12.2026"),
        "{family}: {out}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn gammu_sends_and_lists_sms_on_every_profile() {
    if !gammu_available() {
        simquota::peers::missing(
            "gammu",
            "gammu::gammu_sends_and_lists_sms_on_every_profile",
            "apt-get install gammu",
        );
        return;
    }
    let runs: Vec<_> = ["huawei", "quectel", "zte"]
        .into_iter()
        .map(|family| std::thread::spawn(move || check_sms(family)))
        .collect();
    for r in runs {
        if let Err(e) = r.join() {
            std::panic::resume_unwind(e);
        }
    }
}

fn check_sms(family: &str) {
    let scenario = root().join("scenarios/cn-mobile-sms.toml");
    let mut child = Command::new(bin())
        .args(["emulate", "--profile", family, "--noise", "0", "--scenario"])
        .arg(&scenario)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("simquota emulate starts");
    let mut path = String::new();
    let out = child.stdout.take().expect("stdout");
    BufReader::new(out)
        .read_line(&mut path)
        .expect("emulator prints its path");
    let dir = tempdir(&format!("gammu-sms-{family}"));
    let cfg = dir.join("gammurc");
    std::fs::write(
        &cfg,
        format!("[gammu]\ndevice = {}\nconnection = at\n", path.trim()),
    )
    .unwrap();
    let o = gammu(&cfg, &["sendsms", "TEXT", "10086", "-text", "CXLL"]);
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert!(o.status.success(), "{family}: gammu sendsms failed: {text}");
    assert!(text.contains("OK, message reference="), "{family}: {text}");
    // The scenario's reply (2 parts, 0.8 s later) lands next to the stored messages.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let o = gammu(&cfg, &["getallsms"]);
    let out = stdout(&o);
    assert!(
        o.status.success(),
        "{family}: gammu getallsms failed: {out}{}",
        stderr(&o)
    );
    assert!(out.contains("晚上一起吃饭吗？"), "{family}: {out}");
    assert!(out.contains("【中国移动】"), "{family}: {out}");
    assert!(out.contains("part 2 of 2"), "{family}: {out}");
    assert!(
        out.contains("Remote number        : \"10086\""),
        "{family}: {out}"
    );
    let _ = child.kill();
    let _ = child.wait();
}
