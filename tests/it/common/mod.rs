//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use simquota::emulator::{
    scenario::Scenario,
    sim::{ModemState, Probe, SimModem},
    Emulator, Family,
};

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_simquota"))
}

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary with `args`, with a private state directory so tests never share state.
pub fn run(args: &[&str], state: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .env("SIMQUOTA_STATE_DIR", state)
        .env("SIMQUOTA_PLANS", state.join("plans.toml"))
        .env_remove("SIMQUOTA_PORT")
        .output()
        .expect("the simquota binary runs")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Starts an emulated modem of `family` on `scenario` (quiet: no URC noise unless asked).
pub fn emulator(family: Family, scenario: Scenario) -> Emulator {
    let mut m = SimModem::new(family, scenario);
    m.set_noise_interval(None);
    Emulator::spawn(Box::new(m), None).expect("a pseudo-terminal can be opened")
}

/// A scenario from TOML text.
pub fn scenario(toml: &str) -> Scenario {
    Scenario::parse(toml).expect("test scenario parses")
}

/// A fresh temporary directory (removed by the OS's tmp cleaning; names are unique per test).
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "simquota-test-{}-{}-{}",
        name,
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Parses stdout as JSON, showing the whole output when it is not.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n--- stdout\n{}\n--- stderr\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

/// Starts an emulated modem like [`emulator`], with a probe that shows its state to the test.
pub fn emulator_probed(family: Family, scenario: Scenario) -> (Emulator, Probe) {
    let mut m = SimModem::new(family, scenario);
    m.set_noise_interval(None);
    let probe = m.probe();
    let e = Emulator::spawn(Box::new(m), None).expect("a pseudo-terminal can be opened");
    (e, probe)
}

/// The emulated modem's state now.
pub fn state_of(p: &Probe) -> ModemState {
    p.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The emulator's serial path as text.
pub fn port_of(e: &Emulator) -> String {
    e.path().to_string_lossy().into_owned()
}
