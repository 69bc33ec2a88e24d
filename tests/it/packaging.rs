//! The deploy files the .deb ships (deploy/*.service, *.timer, config.toml) and the cargo-deb
//! metadata that ships them: the units' command lines parse with the real clap definition, the
//! config file they name is installed and parses, an alert exit is not a unit failure, stops are
//! bounded, and Documentation= points at man pages the package installs.

use std::collections::BTreeMap;

use clap::Parser;
use simquota::cli::args::Cli;
use simquota::config::Config;

use crate::common::{root, run, stdout, tempdir};

/// `[Section] Key=Value` lines of a unit file (repeated keys joined with a space).
fn unit(name: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("deploy").join(name)).unwrap();
    let mut out = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_string();
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{name}: bad line {line:?}"));
        out.entry(format!("{section}.{k}"))
            .and_modify(|old: &mut String| {
                old.push(' ');
                old.push_str(v)
            })
            .or_insert_with(|| v.to_string());
    }
    out
}

/// The `[package.metadata.deb]` table of Cargo.toml.
fn deb_metadata() -> toml::Value {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let v: toml::Value = toml::from_str(&text).unwrap();
    v["package"]["metadata"]["deb"].clone()
}

/// (source, destination) pairs of the .deb's assets.
fn assets() -> Vec<(String, String)> {
    deb_metadata()["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_array().unwrap();
            (
                a[0].as_str().unwrap().to_string(),
                a[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const SERVICES: [&str; 2] = ["simquota.service", "simquota-check.service"];

#[test]
fn unit_command_lines_parse_and_name_the_installed_binary_and_config() {
    let installed: Vec<String> = assets().into_iter().map(|(_, d)| format!("/{d}")).collect();
    for name in SERVICES {
        let u = unit(name);
        let exec = &u["Service.ExecStart"];
        let argv: Vec<&str> = exec.split_whitespace().collect();
        assert_eq!(argv[0], "/usr/bin/simquota", "{name}: {exec}");
        assert!(
            installed.iter().any(|d| d == "/usr/bin/"),
            "the .deb installs /usr/bin/simquota"
        );
        // The real clap definition accepts the unit's arguments.
        Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{name}: {exec}: {e}"));
        let config = argv
            .windows(2)
            .find(|w| w[0] == "--config")
            .map(|w| w[1])
            .unwrap_or_else(|| panic!("{name} names no --config"));
        assert!(
            installed.iter().any(|d| d == config),
            "{name} needs {config}, which the .deb does not install: {installed:?}"
        );
        assert_eq!(u["Service.SupplementaryGroups"], "dialout", "{name}");
        assert!(
            u.contains_key("Service.TimeoutStopSec"),
            "{name}: no stop timeout"
        );
    }
}

#[test]
fn an_alert_exit_does_not_fail_the_timer_check() {
    // `watch --once` exits 4 when an alert fired (README "Exit codes"): the check worked.
    let u = unit("simquota-check.service");
    assert!(u["Service.ExecStart"].contains("--once"));
    let ok: Vec<&str> = u["Service.SuccessExitStatus"].split_whitespace().collect();
    assert!(ok.contains(&"4"), "{ok:?}");
    assert!(
        u.contains_key("Service.TimeoutStartSec"),
        "a oneshot needs a start bound"
    );
    // The long-running watcher exits 0 on SIGTERM; a config error (2) is not retried forever.
    let s = unit("simquota.service");
    assert_eq!(s["Service.RestartPreventExitStatus"], "2");
}

#[test]
fn documentation_points_at_man_pages_the_package_installs() {
    let state = tempdir("deb-man");
    let dir = state.join("man");
    assert!(run(&["man", "--dir", dir.to_str().unwrap()], &state)
        .status
        .success());
    assert!(
        assets()
            .iter()
            .any(|(s, d)| s.ends_with("*.1.gz") && d == "usr/share/man/man1/"),
        "the .deb installs the generated man pages"
    );
    for name in SERVICES.iter().chain(&["simquota-check.timer"]) {
        let u = unit(name);
        let docs = u
            .get("Unit.Documentation")
            .unwrap_or_else(|| panic!("{name}: no Documentation="));
        for d in docs.split_whitespace() {
            let page = d
                .strip_prefix("man:")
                .and_then(|p| p.strip_suffix("(1)"))
                .unwrap_or_else(|| panic!("{name}: {d} is not a man: URI"));
            assert!(
                dir.join(format!("{page}.1")).is_file(),
                "{name}: {page}(1) is not generated"
            );
        }
    }
}

#[test]
fn the_packaged_config_parses_and_connects_nowhere() {
    let text = std::fs::read_to_string(root().join("deploy/config.toml")).unwrap();
    let c = Config::parse(&text, "deploy/config.toml").unwrap();
    assert!(
        c.mqtt.is_none(),
        "a fresh install must not connect to a broker"
    );
    assert!(
        c.serve.listen.starts_with("127.0.0.1:"),
        "{}",
        c.serve.listen
    );
    assert!(c.alerts.exec.is_none());
    assert!(c.sms.max <= 3);
    // Both files in /etc/simquota are conffiles (an upgrade keeps the user's edits).
    let conf: Vec<String> = deb_metadata()["conf-files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for (src, dest) in assets() {
        if dest.starts_with("etc/") {
            assert!(
                conf.contains(&format!("/{dest}")),
                "{dest} is not a conffile"
            );
            assert!(root().join(&src).is_file(), "{src} missing");
        }
    }
}

#[test]
fn every_asset_outside_target_exists_and_units_are_shipped() {
    for (src, _) in assets() {
        if !src.starts_with("target/") {
            assert!(root().join(&src).is_file(), "asset {src} missing");
        }
    }
    let units = deb_metadata()["systemd-units"].as_array().unwrap().clone();
    let names: Vec<&str> = units
        .iter()
        .map(|u| u["unit-name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["simquota", "simquota-check"]);
    for u in &units {
        // Installed, never started by dpkg: the first check asks the carrier (may cost an SMS).
        assert_eq!(u["enable"].as_bool(), Some(false));
        assert_eq!(u["start"].as_bool(), Some(false));
    }
    // The completions the package installs are those the binary generates.
    let state = tempdir("deb-completions");
    assert!(stdout(&run(&["completions", "zsh"], &state)).starts_with("#compdef simquota"));
}
