//! Ports that another process bridges or emulates (issue 12 item 1): the process holding the
//! PTY master is the device, not a competing program. Driven with an independent fake Huawei
//! E3372 written in Python from the specs (tests/fake_modem/fake_e3372.py, no code shared with
//! src/emulator) and with socat bridging the built-in emulator, both of which keep the slave
//! side open as such programs do.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use simquota::emulator::{scenario::Scenario, Family};

use crate::common::{self, bin, root, run, stderr, stdout, tempdir};

/// A peer program the test needs: missing under CI=true is a failure, elsewhere a loud note.
fn peer(name: &str, install: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let test = std::thread::current()
            .name()
            .unwrap_or("e2e_ports")
            .to_string();
        simquota::peers::missing(name, &test, install);
    }
    found
}

/// A child process killed when the test ends, however it ends.
struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the fake E3372 with its port at `link`; returns once it says READY.
fn fake_e3372(link: &Path) -> Kill {
    fake_e3372_as(link, "huawei")
}

/// The same fake, saying `manufacturer` to `AT+CGMI` (a rebadged stick).
fn fake_e3372_as(link: &Path, manufacturer: &str) -> Kill {
    let mut child = Command::new("python3")
        .arg(root().join("tests/fake_modem/fake_e3372.py"))
        .arg("--manufacturer")
        .arg(manufacturer)
        .arg("--link")
        .arg(link)
        .arg("--delay")
        .arg("0.2")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs");
    let out = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    BufReader::new(out)
        .read_line(&mut line)
        .expect("the fake modem prints READY");
    assert!(
        line.starts_with("READY /dev/pts/"),
        "fake modem said {line:?}"
    );
    Kill(child)
}

/// The first line of stdout (`ussd` adds its decoding notes below the text).
fn first(o: &std::process::Output) -> String {
    stdout(o).lines().next().unwrap_or("").to_string()
}

/// Waits until `path` exists (socat creates its link asynchronously).
fn wait_for(path: &Path) {
    let t = Instant::now();
    while !path.exists() && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(path.exists(), "{} never appeared", path.display());
}

/// The process that holds `link`'s slave open, as /proc shows it (the test's precondition).
fn someone_holds(link: &Path, pid: u32) -> bool {
    simquota::ports::holder::holders_of(link)
        .iter()
        .any(|h| h.pid == pid && h.device_side)
}

#[test]
fn an_independent_fake_modem_that_keeps_its_slave_open_is_used() {
    if !peer("python3", "apt-get install python3") {
        return;
    }
    let dir = tempdir("fake-e3372");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("ttyFAKE");
    let fake = fake_e3372(&link);
    assert!(
        someone_holds(&link, fake.0.id()),
        "the fake modem holds its slave and master: {:?}",
        simquota::ports::holder::holders_of(&link)
    );
    let port = link.to_str().unwrap();
    // Punctuation-heavy packed GSM 7-bit under DCS 15 (issue 12 item 2): text, not hex.
    let o = run(&["ussd", "--port", port, "*102#"], &dir);
    assert_eq!(first(&o), "{[~]}\\^|€", "stderr: {}", stderr(&o));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["ussd", "--port", port, "*100#"], &dir);
    assert_eq!(
        first(&o),
        "Bal: {12.50} EUR [promo] ~ @home \\ ^_^ €5. Data: 1.5GB left",
        "stderr: {}",
        stderr(&o)
    );
    // A whole balance check through it, as JSON: the reply text arrives decoded.
    let o = run(
        &["balance", "--port", port, "--ussd", "*101#", "--json"],
        &dir,
    );
    let j = common::json(&o);
    assert_eq!(
        j["reply_text"].as_str(),
        Some("Your data balance is 812MB. Valid until 31/12/2026."),
        "{j}"
    );
}

#[test]
fn socat_bridging_the_emulator_is_used() {
    if !peer("socat", "apt-get install socat") {
        return;
    }
    let dir = tempdir("socat-bridge");
    std::fs::create_dir_all(&dir).unwrap();
    let emu = common::emulator(Family::Huawei, Scenario::builtin_default());
    let link: PathBuf = dir.join("ttyV0");
    // As a user bridges a modem: socat owns a new PTY and relays it to the modem's port.
    let socat = Kill(
        Command::new("socat")
            .arg(format!("pty,link={},raw,echo=0", link.display()))
            .arg(format!("{},raw,echo=0", emu.path().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("socat runs"),
    );
    wait_for(&link);
    let o = run(&["balance", "--port", link.to_str().unwrap()], &dir);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("Remaining 1.25 GB"), "{}", stdout(&o));
    drop(socat);
}

#[test]
fn a_program_holding_only_the_slave_is_a_competitor_unless_share_port() {
    if !peer("python3", "apt-get install python3") {
        return;
    }
    let dir = tempdir("competitor");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("ttyFAKE");
    let _fake = fake_e3372(&link);
    // A terminal program (like minicom) with the port open: only the slave, no master.
    let squatter = Kill(
        Command::new("sleep")
            .arg("60")
            .stdin(std::fs::File::open(&link).expect("open the slave"))
            .spawn()
            .expect("sleep runs"),
    );
    let port = link.to_str().unwrap();
    let o = run(&["ussd", "--port", port, "*101#"], &dir);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains(&format!("sleep (pid {})", squatter.0.id())),
        "{err}"
    );
    assert!(err.contains("--share-port"), "{err}");
    // The user knows better: go ahead, with a warning that names the other program.
    let o = Command::new(bin())
        .args(["ussd", "--port", port, "--share-port", "*101#"])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        first(&o),
        "Your data balance is 812MB. Valid until 31/12/2026."
    );
    assert!(
        stderr(&o).contains("going ahead (--share-port)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn how_a_model_sent_its_replies_is_remembered() {
    if !peer("python3", "apt-get install python3") {
        return;
    }
    // A rebadged Huawei stick that does not say "huawei": the family prior cannot help, and
    // a reply of nothing but punctuation does not look like text when unpacked.
    let dir = tempdir("remembered-reading");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("ttyFAKE");
    let _fake = fake_e3372_as(&link, "Generic LTE");
    let port = link.to_str().unwrap();
    let hex_shown = run(
        &["balance", "--port", port, "--ussd", "*102#", "--json"],
        &dir,
    );
    let first = common::json(&hex_shown);
    assert_ne!(first["reply_text"], "{[~]}\\^|€", "no prior yet: {first}");
    // A reply that reads naturally when unpacked teaches simquota how this model writes…
    let o = run(
        &["balance", "--port", port, "--ussd", "*101#", "--json"],
        &dir,
    );
    assert_eq!(
        common::json(&o)["reply_text"],
        "Your data balance is 812MB. Valid until 31/12/2026."
    );
    let memory = std::fs::read_to_string(dir.join("ussd-reading.json")).expect("remembered");
    assert!(memory.contains("gsm7_packed_hex"), "{memory}");
    // …so the next unconvincing reply from the same model is decoded the same way.
    let o = run(
        &["balance", "--port", port, "--ussd", "*102#", "--json"],
        &dir,
    );
    assert_eq!(
        common::json(&o)["reply_text"],
        "{[~]}\\^|€",
        "{}",
        stderr(&o)
    );
}
