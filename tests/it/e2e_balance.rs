//! `balance`, `ussd` and `info` end to end: the real binary talks to an emulated modem of every
//! family over a real pseudo-terminal.

use crate::common::*;
use simquota::emulator::{scenario::Scenario, Family};

const JA_REPLY: &str = "ご利用可能なデータ残量は1.25GBです。";

#[test]
fn balance_simulate_reports_the_japanese_reply_and_remaining_bytes() {
    let state = tempdir("simulate");
    let o = run(&["balance", "--simulate", "--json"], &state);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["method"], "ussd");
    assert_eq!(v["request"], "*100#");
    assert_eq!(v["reply_text"], JA_REPLY);
    // 1.25 GB with the default base 1024.
    assert_eq!(v["remaining_bytes"], 1_342_177_280u64);
    assert!(
        v["port"].as_str().unwrap_or("").starts_with("/dev/pts/"),
        "{v}"
    );
    assert_eq!(v["modem"]["manufacturer"], "huawei");
}

#[test]
fn balance_human_output_shows_reply_and_amount() {
    let state = tempdir("human");
    let o = run(&["balance", "--simulate"], &state);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(JA_REPLY), "{out}");
    assert!(out.contains("1.25 GB"), "{out}");
}

#[test]
fn ussd_every_family_decodes_japanese_and_gsm_replies() {
    for family in Family::ALL {
        let emu = emulator(family, Scenario::builtin_default());
        let port = emu.path().to_string_lossy().into_owned();
        let state = tempdir("fam");
        for (code, want) in [
            ("*100#", JA_REPLY),
            (
                "*102#",
                "Balance 12.50 EUR, 850 MB left, valid until 31.12.2026",
            ),
        ] {
            let o = run(&["ussd", code, "--port", &port, "--json"], &state);
            assert!(
                o.status.success(),
                "{family:?} {code}: stderr: {}",
                stderr(&o)
            );
            let v = json(&o);
            assert_eq!(v["reply_text"], want, "{family:?} {code}: {v}");
        }
    }
}

#[test]
fn ussd_menu_is_followed_with_replies() {
    for family in Family::ALL {
        let emu = emulator(family, Scenario::builtin_default());
        let port = emu.path().to_string_lossy().into_owned();
        let state = tempdir("menu");
        let o = run(
            &["ussd", "*101#", "--reply", "2", "--port", &port, "--json"],
            &state,
        );
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["reply_text"], "残高：1,500円", "{family:?}: {v}");
        let ex = v["exchanges"].as_array().expect("exchanges");
        assert_eq!(ex.len(), 2, "{v}");
        assert_eq!(ex[0]["request"], "*101#");
        assert_eq!(ex[1]["request"], "2");
    }
}

#[test]
fn a_menu_without_answers_is_cancelled_not_left_open() {
    let emu = emulator(Family::Quectel, Scenario::builtin_default());
    let port = emu.path().to_string_lossy().into_owned();
    let state = tempdir("menu-cancel");
    let o = run(&["ussd", "*101#", "--port", &port, "--json"], &state);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["cancelled_menu"], true, "{v}");
    assert!(v["reply_text"]
        .as_str()
        .unwrap_or("")
        .contains("データ残量"));
}

#[test]
fn an_endless_menu_is_cut_off() {
    let s = scenario(
        r#"
        [[ussd]]
        code = "*555#"
        reply = "1. More\n2. More"
        status = 1
        endless = true
        delay_ms = 10
        "#,
    );
    let emu = emulator(Family::Zte, s);
    let port = emu.path().to_string_lossy().into_owned();
    let state = tempdir("endless");
    let replies: Vec<String> = (0..20).map(|_| "1".to_string()).collect();
    let mut args = vec!["ussd", "*555#", "--port", &port, "--json"];
    for r in &replies {
        args.push("--reply");
        args.push(r);
    }
    let o = run(&args, &state);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["cancelled_menu"], true);
    let rounds = v["exchanges"].as_array().map(|a| a.len()).unwrap_or(0);
    assert!(
        (2..=8).contains(&rounds),
        "menu rounds not capped: {rounds}"
    );
}

#[test]
fn info_reports_identity_for_every_family() {
    for (family, maker, model) in [
        (Family::Huawei, "huawei", "E3372"),
        (Family::Quectel, "Quectel", "EC25"),
        (Family::Zte, "ZTE CORPORATION", "MF286D"),
    ] {
        let emu = emulator(family, Scenario::builtin_default());
        let port = emu.path().to_string_lossy().into_owned();
        let o = run(&["info", "--port", &port, "--json"], &tempdir("info"));
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        let v = json(&o);
        let m = &v["modem"];
        assert_eq!(m["manufacturer"], maker);
        assert_eq!(m["model"], model);
        assert_eq!(m["imsi"], "001010123456789");
        assert_eq!(m["iccid"], "8900101000000000001");
        assert_eq!(m["operator"], "ExampleTel");
        assert_eq!(m["registration"], "home");
        assert_eq!(m["signal_dbm"], -73);
    }
}

#[test]
fn huawei_noise_does_not_disturb_the_check() {
    // ^RSSI every 100 ms: the client must route it aside (and quieten it with ^CURC=0).
    let mut m = simquota::emulator::sim::SimModem::new(Family::Huawei, Scenario::builtin_default());
    m.set_noise_interval(Some(std::time::Duration::from_millis(100)));
    let emu = simquota::emulator::Emulator::spawn(Box::new(m), None).unwrap();
    let port = emu.path().to_string_lossy().into_owned();
    let o = run(
        &["ussd", "*100#", "--port", &port, "--json"],
        &tempdir("noise"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json(&o)["reply_text"], JA_REPLY);
}

#[test]
fn decode_ussd_command_decodes_corpus_lines() {
    let state = tempdir("decode");
    // shared/corpus A1 #1 (obsy/sms_tool issue #4): MTS Russia, UCS-2 under DCS 72.
    let o = run(
        &[
            "decode",
            "ussd",
            "04110430043B0430043D0441003A0032003200320030002C003700360440",
            "--dcs",
            "72",
        ],
        &state,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "Баланс:2220,76р");
    // shared/corpus A1 #13 (gammu tests/at-ussd/02-E160.dump): Huawei packed GSM 7-bit.
    let o = run(
        &[
            "decode",
            "ussd",
            "+CUSD: 0,\"49B41C74ACD3D16171D90D32FBE52072BA0C72CA5DB45CAC76C3CD6CB41B2D060389CB74F9FE4C07D55C371CA85897BF1B\",15",
            "--json",
        ],
        &state,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        v["text"],
        "Ihr Guthaben für die Nr.4915783647410 beträgt 5.78 Euro"
    );
}

#[test]
fn a_menu_is_answered_interactively_on_a_terminal() {
    // `script` gives the binary a terminal as stdin; the answer "2" is typed at the prompt.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        simquota::peers::missing(
            "script",
            "e2e_balance::a_menu_is_answered_interactively_on_a_terminal",
            "apt-get install bsdutils",
        );
        return;
    }
    let cmd = format!(
        "{} ussd '*101#' --simulate --profile quectel",
        bin().display()
    );
    let mut child = std::process::Command::new("timeout")
        .args(["30", "script", "-qec", &cmd, "/dev/null"])
        .env("SIMQUOTA_STATE_DIR", tempdir("interactive"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"2\n").unwrap();
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).replace('\r', "");
    assert!(o.status.success(), "{out}");
    assert!(out.contains("1. データ残量"), "the menu was shown: {out}");
    assert!(
        out.contains("reply (empty to end)>"),
        "a prompt was shown: {out}"
    );
    assert!(out.contains("残高：1,500円"), "the answer was sent: {out}");
}

/// Every file under `dir`, recursively (names relative to it).
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap_or(&p).display().to_string());
            }
        }
    }
    out
}

#[test]
fn simulate_never_writes_the_users_state() {
    // Every place the state could be: the explicit directory, XDG and HOME.
    let (state, home) = (tempdir("iso-state"), tempdir("iso-home"));
    let run_in = |args: &[&str]| {
        std::process::Command::new(bin())
            .args(args)
            .env("SIMQUOTA_STATE_DIR", &state)
            .env("XDG_STATE_HOME", home.join("xdg"))
            .env("HOME", &home)
            .env_remove("SIMQUOTA_PORT")
            .output()
            .expect("the simquota binary runs")
    };
    let o = run_in(&["balance", "--simulate", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json(&o)["remaining_bytes"], 1_342_177_280u64);
    assert_eq!(files_under(&state), Vec::<String>::new());
    assert_eq!(files_under(&home), Vec::<String>::new());
    // The same check on a port (not --simulate) does remember the request style there:
    // the emptiness above is the isolation, not a check that writes nothing.
    let emu = emulator(Family::Huawei, Scenario::builtin_default());
    let port = emu.path().to_string_lossy().into_owned();
    let o = run_in(&["balance", "--port", &port, "--backend", "at", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files_under(&state), vec!["ussd-style.json".to_string()]);
}

#[test]
fn today_is_the_local_day_of_the_time_zone() {
    // UTC+14 and UTC-12 are on different calendar days at every moment; `date` (coreutils) is
    // the independent oracle for "today" in each, "days left" the observable.
    let state = tempdir("tz");
    let reply = "Balance 12.50 EUR, 850 MB left, valid until 31.12.2099";
    let until = simquota::balance::Date::new(2099, 12, 31).expect("a date");
    let mut seen = Vec::new();
    for tz in ["Pacific/Kiritimati", "Etc/GMT+12", "CST-8"] {
        let today = std::process::Command::new("date")
            .arg("+%Y-%m-%d")
            .env("TZ", tz)
            .output()
            .expect("date runs");
        let today = String::from_utf8_lossy(&today.stdout).trim().to_string();
        let days = simquota::balance::Date::parse_iso(&today)
            .expect("date prints ISO")
            .days_until(&until);
        let o = std::process::Command::new(bin())
            .args(["parse", reply])
            .env("TZ", tz)
            .env("SIMQUOTA_STATE_DIR", &state)
            .output()
            .expect("the binary runs");
        let out = stdout(&o);
        assert!(
            out.contains(&format!("({days} days)")),
            "TZ={tz} today={today}: {out}"
        );
        seen.push(days);
    }
    assert_ne!(
        seen[0], seen[1],
        "the two zones should be a day apart: {seen:?}"
    );
}
