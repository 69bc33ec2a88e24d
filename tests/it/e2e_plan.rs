//! Plans end to end on the emulator: an app-only docomo SIM gets a plan, `balance --simulate`
//! prints the labelled estimate (human, JSON, Prometheus, --warn-below), anchors come from the
//! CLI, from pasted text and from a carrier reply.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{bin, root, stderr, stdout, tempdir};

const DOCOMO_ICCID: &str = "8981100000000000010";
const GIB: u64 = 1 << 30;

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .env("SIMQUOTA_STATE_DIR", dir.join("state"))
        .env("SIMQUOTA_PLANS", dir.join("cfg/plans.toml"))
        .env("SIMQUOTA_SYSFS_NET", dir.join("sys"))
        .env_remove("SIMQUOTA_PORT")
        .output()
        .expect("the simquota binary runs")
}

fn docomo() -> String {
    root()
        .join("scenarios/jp-docomo.toml")
        .display()
        .to_string()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

#[test]
fn balance_on_an_app_only_docomo_sim_with_a_plan_prints_the_labelled_estimate() {
    let dir = tempdir("plan-docomo");
    let stats = dir.join("sys/wwan0/statistics");
    std::fs::create_dir_all(&stats).unwrap();
    std::fs::write(stats.join("rx_bytes"), "123456\n").unwrap();
    std::fs::write(stats.join("tx_bytes"), "654\n").unwrap();
    let sc = docomo();
    let sim = ["--simulate", "--scenario", sc.as_str()];
    // Without a plan: the carrier's official way, exit 5.
    let o = run(&[&["balance"][..], &sim].concat(), &dir);
    assert_eq!(code(&o), 5, "{}{}", stdout(&o), stderr(&o));
    assert!(!stdout(&o).contains('≈'));
    // The plan is set for the SIM in the (emulated) modem: its ICCID is read from it.
    let o = run(
        &[
            &[
                "plan",
                "set",
                "--allowance",
                "20GB",
                "--resets",
                "monthly:1",
                "--tz",
                "Asia/Tokyo",
                "--at-cap",
                "throttle:128kbps",
                "--interface",
                "wwan0",
            ][..],
            &sim,
        ]
        .concat(),
        &dir,
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let file = std::fs::read_to_string(dir.join("cfg/plans.toml")).unwrap();
    assert!(
        file.contains(DOCOMO_ICCID) && file.contains("resets = \"monthly:1\""),
        "{file}"
    );
    // A manual anchor: what My docomo shows.
    let o = run(&["plan", "anchor", "12.5GB", "--iccid", DOCOMO_ICCID], &dir);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let o = run(&[&["balance"][..], &sim].concat(), &dir);
    let out = stdout(&o);
    assert_eq!(code(&o), 0, "{out}{}", stderr(&o));
    assert!(
        out.starts_with("≈ 12.5 GB left (estimate: 20 GB plan resetting on the 1st, "),
        "{out}"
    );
    assert!(
        out.contains("last anchor just now") || out.contains("minutes ago"),
        "{out}"
    );
    assert!(
        out.contains("My docomo"),
        "the official way is still named: {out}"
    );
    // JSON: the carrier figure stays null, the estimate is its own labelled object.
    let o = run(&[&["balance", "--json"][..], &sim].concat(), &dir);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert!(v["remaining_bytes"].is_null(), "{v}");
    assert_eq!(v["estimate"]["label"], "estimate");
    assert_eq!(v["estimate"]["remaining_bytes"], 12 * GIB + GIB / 2);
    assert_eq!(v["estimate"]["allowance_bytes"], 20 * GIB);
    assert_eq!(v["estimate"]["last_anchor"]["source"], "manual");
    assert_eq!(v["iccid"], DOCOMO_ICCID);
    // --warn-below works on the estimate.
    let o = run(
        &[&["balance", "--warn-below", "13GB"][..], &sim].concat(),
        &dir,
    );
    assert_eq!(code(&o), 4, "{}", stdout(&o));
    assert!(stdout(&o).contains("by the estimate"));
    let o = run(
        &[&["balance", "--warn-below", "50%"][..], &sim].concat(),
        &dir,
    );
    assert_eq!(code(&o), 0, "62 % left is not below 50 %: {}", stdout(&o));
    // Prometheus: estimate metrics, never the carrier's.
    let o = run(
        &[&["balance", "--format", "prometheus"][..], &sim].concat(),
        &dir,
    );
    let prom = stdout(&o);
    assert!(prom.contains(&format!("simquota_estimated_remaining_bytes{{iccid=\"{DOCOMO_ICCID}\",carrier=\"jp-docomo\"}} {}", 12 * GIB + GIB / 2)), "{prom}");
    assert!(!prom.contains("simquota_remaining_bytes"), "{prom}");
    // A pack adds to the estimate.
    let o = run(
        &[
            "plan",
            "add-pack",
            "3GB",
            "--expires",
            "30d",
            "--iccid",
            DOCOMO_ICCID,
        ],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // A pasted text from the app becomes an anchor through the reply parser.
    let o = run(
        &[
            "parse",
            "データ残量：10.5GB",
            "--anchor",
            "--iccid",
            DOCOMO_ICCID,
        ],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let o = run(&["plan", "show", "--iccid", DOCOMO_ICCID, "--json"], &dir);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    let anchors = v["plan"]["anchor"].as_array().unwrap();
    assert_eq!(anchors.last().unwrap()["source"], "parsed");
    assert_eq!(anchors.last().unwrap()["remaining"], "10752MB");
    assert_eq!(v["plan"]["pack"][0]["size"], "3GB");
    // Clearing the plan brings back the plain answer.
    let o = run(&["plan", "clear", "--iccid", DOCOMO_ICCID], &dir);
    assert_eq!(code(&o), 0);
    let o = run(&[&["balance"][..], &sim].concat(), &dir);
    assert_eq!(code(&o), 5);
}

#[test]
fn a_carrier_reply_of_a_sim_with_a_plan_becomes_an_anchor() {
    let dir = tempdir("plan-carrier");
    // The built-in scenario's SIM (ExampleTel: 「データ残量は1.25GB」 by USSD).
    let o = run(
        &[
            "plan",
            "set",
            "--allowance",
            "3GB",
            "--resets",
            "monthly:11@9",
            "--simulate",
        ],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let o = run(&["balance", "--simulate"], &dir);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let file = std::fs::read_to_string(dir.join("cfg/plans.toml")).unwrap();
    assert!(
        file.contains("source = \"carrier\"") && file.contains("remaining = \"1280MB\""),
        "{file}"
    );
}

#[test]
fn bad_plan_input_is_a_usage_error_that_says_why() {
    let dir = tempdir("plan-bad");
    for (args, want) in [
        (
            &[
                "plan",
                "set",
                "--allowance",
                "20GB",
                "--resets",
                "monthly:32",
                "--iccid",
                DOCOMO_ICCID,
            ][..],
            "days 1 to 31",
        ),
        (
            &[
                "plan",
                "set",
                "--allowance=-1GB",
                "--resets",
                "monthly:1",
                "--iccid",
                DOCOMO_ICCID,
            ][..],
            "negative",
        ),
        (
            &[
                "plan",
                "set",
                "--allowance",
                "20GB",
                "--resets",
                "monthly:1",
                "--tz",
                "Mars/Olympus",
                "--iccid",
                DOCOMO_ICCID,
            ][..],
            "Mars/Olympus",
        ),
        (
            &[
                "plan",
                "set",
                "--allowance",
                "20GB",
                "--resets",
                "monthly:1",
                "--iccid",
                "../x",
            ][..],
            "not an ICCID",
        ),
        (
            &["plan", "anchor", "5GB", "--iccid", DOCOMO_ICCID][..],
            "has no plan",
        ),
        (
            &[
                "parse",
                "no figures here",
                "--anchor",
                "--iccid",
                DOCOMO_ICCID,
            ][..],
            "no remaining figure",
        ),
    ] {
        let o = run(args, &dir);
        assert!(matches!(code(&o), 2 | 3), "{args:?}: {}", code(&o));
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
    // Day 31 is accepted with a note on short months.
    let o = run(
        &[
            "plan",
            "set",
            "--allowance",
            "20GB",
            "--resets",
            "monthly:31",
            "--iccid",
            DOCOMO_ICCID,
        ],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("28 or 29 February"), "{}", stderr(&o));
}
