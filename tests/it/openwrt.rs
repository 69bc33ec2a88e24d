//! The OpenWrt package's init script (packaging/openwrt/simquota/files/simquota.init): its UCI →
//! TOML generation and its procd calls, run under dash and BusyBox ash (OpenWrt's shell) with the
//! stub of OpenWrt's functions.sh in packaging/openwrt/test/. The TOML it writes is checked with
//! simquota's own config parser, which refuses unknown keys. Not run here: the real uci, procd
//! and rc.common (see README "OpenWrt").

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use simquota::config::Config;

use crate::common::{root, tempdir};

fn init_script() -> PathBuf {
    root().join("packaging/openwrt/simquota/files/simquota.init")
}

/// The shells to run under: dash as `sh`, and BusyBox ash when installed (required under CI).
fn shells() -> Vec<Vec<&'static str>> {
    let mut v = vec![vec!["sh"]];
    let busybox = Command::new("busybox")
        .arg("ash")
        .arg("-c")
        .arg("true")
        .output();
    if busybox.is_ok_and(|o| o.status.success()) {
        v.push(vec!["busybox", "ash"]);
    } else if std::env::var_os("CI").is_some_and(|c| c == "true") {
        panic!(
            "busybox is not installed: OpenWrt's shell cannot be tested (apt-get install busybox)"
        );
    } else {
        eprintln!(
            "NOTE: busybox missing: init script tested under dash only (apt-get install busybox)"
        );
    }
    v
}

fn run_sh(shell: &[&str], args: &[&str]) -> Output {
    Command::new(shell[0])
        .args(&shell[1..])
        .args(args)
        .output()
        .expect("the shell runs")
}

/// Runs the init script's generation on a UCI package text; returns (output, stderr, ok).
fn generate(shell: &[&str], uci: &str) -> (String, String, bool) {
    let dir = tempdir("openwrt-uci");
    std::fs::write(dir.join("simquota"), uci).unwrap();
    let harness = root().join("packaging/openwrt/test/run.sh");
    let o = run_sh(
        shell,
        &[harness.to_str().unwrap(), dir.to_str().unwrap(), "generate"],
    );
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.success(),
    )
}

fn parse(toml: &str) -> Config {
    Config::parse(toml, "generated").unwrap_or_else(|e| panic!("{e}\n--- generated\n{toml}"))
}

#[test]
fn init_script_and_harness_are_valid_shell() {
    for shell in shells() {
        for f in [
            init_script(),
            root().join("packaging/openwrt/test/functions.sh"),
            root().join("packaging/openwrt/test/run.sh"),
        ] {
            let o = run_sh(&shell, &["-n", f.to_str().unwrap()]);
            assert!(
                o.status.success(),
                "{shell:?} -n {}: {}",
                f.display(),
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}

#[test]
fn the_shipped_uci_config_maps_to_simquotas_defaults() {
    let uci =
        std::fs::read_to_string(root().join("packaging/openwrt/simquota/files/simquota.config"))
            .unwrap();
    for shell in shells() {
        let (toml, err, ok) = generate(&shell, &uci);
        assert!(ok, "{shell:?}: {err}");
        let c = parse(&toml);
        assert_eq!(c.watch.every, "6h");
        assert_eq!(
            c.watch.history.as_deref(),
            Some(Path::new("/var/lib/simquota/history.db"))
        );
        assert_eq!(c.alerts.below, ["500MB", "10%"]);
        assert!(c.alerts.runout_before_reset);
        assert_eq!(c.alerts.failures, 3);
        assert_eq!((c.sms.max, c.sms.window.as_str()), (3, "24h"));
        assert_eq!(c.serve.listen, "127.0.0.1:9797");
        assert_eq!(c.modems.len(), 1);
        assert_eq!(c.modems[0].port.as_deref(), Some(Path::new("auto")));
        assert_eq!(c.modems[0].interface.as_deref(), Some("wwan0"));
        assert!(
            c.mqtt.is_none(),
            "mqtt is disabled in the shipped file: {toml}"
        );
    }
}

/// Every option the init script knows, with values that need escaping, two anonymous modems,
/// and MQTT on.
const FULL: &str = r#"
config simquota 'main'
	option every '30m'
	option history '/mnt/usb/simquota/history.db'
	list below '1GB'
	list below '5%'
	list below '200MB'
	option runout_before_reset 'no'
	option failures '5'
	option exec '/usr/bin/notify "data"'
	option sms_max '1'
	option sms_window '7d'
	option listen '127.0.0.1:9898'
	option textfile '/var/prometheus'

config modem
	option port '/dev/ttyUSB2'
	option carrier 'cn-china-mobile'
	option ussd '*100#'
	option pin_file '/etc/simquota/pin'
	option interface 'wwan0'

config modem
	option port '/dev/ttyUSB5'
	option interface 'wwan1'

config mqtt 'mqtt'
	option enabled '1'
	option host 'broker.lan'
	option port '8883'
	option username 'we"ird\name'
	option password_file '/etc/simquota/mqtt-password'
	option prefix 'home/simquota'
	option discovery_prefix ''
	option tls 'on'
	option ca_file '/etc/ssl/certs/ca.pem'
"#;

#[test]
fn every_uci_option_reaches_the_toml_escaped() {
    for shell in shells() {
        let (toml, err, ok) = generate(&shell, FULL);
        assert!(ok, "{shell:?}: {err}");
        let c = parse(&toml);
        assert_eq!(c.watch.every, "30m");
        assert_eq!(c.alerts.below, ["1GB", "5%", "200MB"], "list order kept");
        assert!(!c.alerts.runout_before_reset);
        assert_eq!(c.alerts.failures, 5);
        assert_eq!(
            c.alerts.exec.as_deref(),
            Some(Path::new(r#"/usr/bin/notify "data""#))
        );
        assert_eq!((c.sms.max, c.sms.window.as_str()), (1, "7d"));
        assert_eq!(c.serve.listen, "127.0.0.1:9898");
        assert_eq!(
            c.serve.textfile.as_deref(),
            Some(Path::new("/var/prometheus"))
        );
        assert_eq!(c.modems.len(), 2);
        let m = &c.modems[0];
        assert_eq!(m.port.as_deref(), Some(Path::new("/dev/ttyUSB2")));
        assert_eq!(m.carrier.as_deref(), Some("cn-china-mobile"));
        assert_eq!(m.ussd.as_deref(), Some("*100#"));
        assert_eq!(m.pin_file.as_deref(), Some(Path::new("/etc/simquota/pin")));
        assert_eq!(c.modems[1].interface.as_deref(), Some("wwan1"));
        assert_eq!(c.modems[1].carrier, None, "no option, no key");
        let q = c.mqtt.expect("mqtt enabled");
        assert_eq!(q.host, "broker.lan");
        assert_eq!(q.port, Some(8883));
        assert_eq!(
            q.username.as_deref(),
            Some(r#"we"ird\name"#),
            "quote and backslash survive"
        );
        assert_eq!(q.prefix, "home/simquota");
        assert_eq!(
            q.discovery_prefix, "homeassistant",
            "empty option = simquota's default"
        );
        assert!(q.tls);
        assert_eq!(
            q.ca_file.as_deref(),
            Some(Path::new("/etc/ssl/certs/ca.pem"))
        );
    }
}

#[test]
fn bad_uci_values_are_refused_with_the_option_named() {
    let cases = [
        // A newline would let a value start a TOML key of its own.
        (
            "config simquota 'main'\n\toption every '6h\nexec = \"/bin/evil\"'\n",
            "main.every",
        ),
        (
            "config simquota 'main'\nconfig modem\n\toption ussd '*100#\n[mqtt]'\n",
            ".ussd",
        ),
        (
            "config simquota 'main'\n\tlist below '1GB\n'\n",
            "main.below",
        ),
        (
            "config simquota 'main'\n\toption failures 'three'\n",
            "main.failures",
        ),
        (
            "config simquota 'main'\n\toption runout_before_reset 'maybe'\n",
            "main.runout_before_reset",
        ),
        ("config mqtt 'mqtt'\n\toption enabled '1'\n", "mqtt.host"),
        (
            "config mqtt 'mqtt'\n\toption enabled '1'\n\toption host 'h'\n\toption port '18s3'\n",
            "mqtt.port",
        ),
    ];
    for shell in shells() {
        for (uci, option) in cases {
            let (toml, err, ok) = generate(&shell, uci);
            assert!(!ok, "{shell:?} accepted {uci:?}:\n{toml}");
            assert!(
                err.contains(option),
                "{shell:?}: {uci:?}: message lacks {option}: {err}"
            );
        }
    }
}

#[test]
fn start_service_writes_the_config_and_asks_procd_for_a_respawning_watch() {
    let shipped =
        std::fs::read_to_string(root().join("packaging/openwrt/simquota/files/simquota.config"))
            .unwrap();
    let harness = root().join("packaging/openwrt/test/run.sh");
    for shell in shells() {
        for (uci, serve, starts) in [
            (shipped.clone(), true, true),
            (
                shipped.replace("option serve '1'", "option serve '0'"),
                false,
                true,
            ),
            (
                shipped.replace("option enabled '1'", "option enabled '0'"),
                false,
                false,
            ),
        ] {
            let dir = tempdir("openwrt-start");
            std::fs::write(dir.join("simquota"), &uci).unwrap();
            let out = dir.join("run/simquota.toml");
            let o = run_sh(
                &shell,
                &[
                    harness.to_str().unwrap(),
                    dir.to_str().unwrap(),
                    "start",
                    out.to_str().unwrap(),
                ],
            );
            let calls = String::from_utf8_lossy(&o.stdout);
            assert!(
                o.status.success(),
                "{shell:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            if !starts {
                assert!(
                    !calls.contains("procd_open_instance"),
                    "enabled 0 still started: {calls}"
                );
                assert!(!out.exists());
                continue;
            }
            let cmd = format!(
                "procd_set_param command /usr/bin/simquota watch --config {}",
                out.display()
            );
            assert!(calls.contains(&cmd), "{calls}");
            assert_eq!(
                calls.contains("procd_append_param command --serve"),
                serve,
                "{calls}"
            );
            assert!(
                calls.contains("procd_set_param respawn 3600 30 0"),
                "{calls}"
            );
            assert!(calls.contains("procd_set_param term_timeout"), "{calls}");
            assert!(
                calls.contains("SIMQUOTA_STATE_DIR=/etc/simquota/state"),
                "{calls}"
            );
            assert!(
                calls.contains("procd_set_param file /etc/config/simquota"),
                "{calls}"
            );
            let written = std::fs::read_to_string(&out).expect("the TOML was written");
            assert_eq!(parse(&written).watch.every, "6h");
            assert!(
                !dir.join("run/simquota.toml.new").exists(),
                "temp file left behind"
            );
        }
    }
}
