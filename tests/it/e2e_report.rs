//! `parse`, `carriers`, `--warn-below`, `--format prometheus`, and the Japanese carriers that have
//! no modem-queryable balance: what the user sees and the exit codes scripts branch on.

use crate::common::*;
use simquota::emulator::Family;

/// GiB (carrier units, base 1024) to bytes, rounded to the nearest byte.
fn gib(x: f64) -> u64 {
    (x * 1024.0 * 1024.0 * 1024.0).round() as u64
}

#[test]
fn parse_understands_the_headline_replies() {
    let state = tempdir("parse");
    for (text, remaining, used) in [
        (
            "ご利用データ量：2.35GB／残りデータ量：0.65GB（2026年12月31日まで）",
            gib(0.65),
            Some(gib(2.35)),
        ),
        (
            "您好，您本月套餐内流量已使用1.2GB，剩余3.8GB。",
            gib(3.8),
            Some(gib(1.2)),
        ),
        ("Du har 0,00 kr och 0,99 GB surf kvar", gib(0.99), None),
    ] {
        let o = run(&["parse", text, "--json"], &state);
        assert!(o.status.success(), "{text}: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["remaining_bytes"], remaining, "{text}: {v}");
        match used {
            Some(u) => assert_eq!(v["used_bytes"], u, "{text}"),
            None => assert!(v["used_bytes"].is_null(), "{text}"),
        }
        assert_eq!(v["reply_text"], text);
    }
    let o = run(&["parse", "Баланс:2220,76р", "--json"], &state);
    let v = json(&o);
    assert_eq!(v["reading"]["money"][0]["currency"], "RUB");
    assert_eq!(v["reading"]["money"][0]["amount"], "2220.76");
}

#[test]
fn parse_reads_stdin_and_reports_unknown_text_with_exit_3() {
    let state = tempdir("parse-stdin");
    let mut child = std::process::Command::new(bin())
        .args(["parse", "--json"])
        .env("SIMQUOTA_STATE_DIR", &state)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("안녕하세요 고객님".as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(3));
    let v = json(&o);
    assert_eq!(v["understood"], false);
    assert_eq!(
        v["reply_text"], "안녕하세요 고객님",
        "the raw reply is carried"
    );
}

#[test]
fn warn_below_sets_exit_4_only_when_below() {
    let state = tempdir("warn");
    let text = "残りデータ量：0.65GB";
    let o = run(&["parse", text, "--warn-below", "1GB"], &state);
    assert_eq!(o.status.code(), Some(4), "{}", stdout(&o));
    assert!(stdout(&o).contains("Below the warning threshold"));
    let o = run(&["parse", text, "--warn-below", "500MB"], &state);
    assert_eq!(o.status.code(), Some(0));
    let o = run(
        &[
            "parse",
            "残りデータ量：0.65GB（総容量3.00GB）",
            "--warn-below",
            "25%",
        ],
        &state,
    );
    assert_eq!(o.status.code(), Some(4), "{}", stdout(&o));
    let o = run(&["parse", text, "--warn-below", "lots"], &state);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--warn-below"));
}

#[test]
fn balance_on_the_emulator_with_warn_below_and_prometheus() {
    let state = tempdir("bal-prom");
    let o = run(&["balance", "--simulate", "--warn-below", "2GB"], &state);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = run(&["balance", "--simulate", "--format", "prometheus"], &state);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("simquota_remaining_bytes{iccid=\"8900101000000000001\",carrier=\"example\"} 1342177280"),
        "{out}"
    );
    assert!(out.contains("# TYPE simquota_remaining_bytes gauge"));
}

#[test]
fn carriers_list_and_show() {
    let state = tempdir("carriers");
    let o = run(&["carriers"], &state);
    assert!(o.status.success());
    let out = stdout(&o);
    for id in [
        "jp-docomo",
        "jp-rakuten",
        "cn-china-mobile",
        "example",
        "in-jio",
        "ng-mtn",
    ] {
        assert!(out.contains(id), "{id} missing:\n{out}");
    }
    // The summary line counts the table's rows (one per profile, after the header).
    let rows = out.lines().count() - 2;
    let summary = out.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with(&format!("{rows} profiles: ")) && rows >= 150,
        "{summary} / {rows} rows"
    );
    let o = run(&["carriers", "show", "cn-china-mobile"], &state);
    assert!(o.status.success());
    assert!(stdout(&o).contains("CXLL"), "{}", stdout(&o));
    let o = run(&["carriers", "show", "nope"], &state);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("simquota carriers"));
}

#[test]
fn a_japanese_sim_without_a_modem_method_is_told_where_to_look() {
    // A docomo SIM (IMSI 44010…) in the emulator: the carrier has no USSD/SMS query.
    let s = scenario(
        "[network]\noperator = \"NTT DOCOMO\"\nmcc_mnc = \"44010\"\nimsi = \"440101234567890\"\n",
    );
    let emu = emulator(Family::Quectel, s);
    let port = emu.path().to_string_lossy().into_owned();
    let state = tempdir("docomo");
    let o = run(&["balance", "--port", &port], &state);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("NTT docomo"), "{out}");
    assert!(out.contains("My docomo"), "{out}");
    let o = run(&["balance", "--port", &port, "--json"], &state);
    let v = json(&o);
    assert_eq!(v["method"], "none");
    assert!(v["remaining_bytes"].is_null());
    assert_eq!(v["carrier"]["id"], "jp-docomo");
}

#[test]
fn a_corrupt_user_profile_file_names_file_line_and_field() {
    let dir = tempdir("badprofile");
    let cfg = dir.join("simquota");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("carriers.toml"),
        "[[carrier]]\nid = \"my-carrier\"\nname = \"Mine\"\ncountry = \"JP\"\n\n[[carrier.methods]]\nkind = \"ussdd\"\ncode = \"*100#\"\n",
    )
    .unwrap();
    let o = std::process::Command::new(bin())
        .args(["carriers"])
        .env("XDG_CONFIG_HOME", &dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("carriers.toml:"), "{err}");
    assert!(err.contains("methods[0].kind"), "{err}");
    assert!(err.contains("ussdd"), "{err}");
}
