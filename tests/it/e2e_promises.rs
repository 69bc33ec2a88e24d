//! The README's promises, attacked (issue 11): the spend guard under concurrent processes and
//! damaged state, `--simulate` kept away from real state, nothing lost or disturbed in SMS
//! storage, the PIN never exposed or retried, the modem put back on every exit path. Each test
//! drives the real binary against the PTY emulator and checks the outcome at the emulator
//! (its [`Probe`](simquota::emulator::sim::Probe)), not from the client's own account.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use simquota::emulator::{scenario::Scenario, Family};

const REPLY: &str =
    "尊敬的客户，截至25日18时20分，您当月常用流量已用0.00M，可用1198.14M。【中国移动】";

fn sim_scenario(iccid: &str, imsi: &str, extra: &str) -> Scenario {
    scenario(&format!(
        r#"
[network]
operator = "CHINA MOBILE"
mcc_mnc = "46000"
imsi = "{imsi}"
iccid = "{iccid}"

[[sms]]
number = "10086"
keyword = "*"
delay_ms = 150
text = "{REPLY}"
{extra}
"#
    ))
}

/// `balance --sms 10086 --keyword KW --port PORT --max-sms N --wait 8 --settle 0.2` + `extra`.
fn guarded(port: &str, state: &Path, keyword: &str, max: u32, extra: &[&str]) -> Command {
    let mut c = Command::new(bin());
    let max = max.to_string();
    c.args([
        "balance",
        "--sms",
        "10086",
        "--keyword",
        keyword,
        "--port",
        port,
        "--max-sms",
        &max,
        "--wait",
        "8",
        "--settle",
        "0.2",
        "--json",
    ])
    .args(extra)
    .env("SIMQUOTA_STATE_DIR", state)
    .env_remove("SIMQUOTA_PORT")
    .env_remove("SIMQUOTA_PIN")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    c
}

/// Waits for every child, killing any that outlives `limit` (the test then fails on its code).
fn wait_all(children: Vec<Child>, limit: Duration) -> Vec<Output> {
    let end = Instant::now() + limit;
    children
        .into_iter()
        .map(|mut ch| {
            while Instant::now() < end {
                if let Ok(Some(_)) = ch.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !matches!(ch.try_wait(), Ok(Some(_))) {
                let _ = ch.kill();
            }
            ch.wait_with_output().expect("child output")
        })
        .collect()
}

fn codes(outs: &[Output]) -> Vec<Option<i32>> {
    outs.iter().map(|o| o.status.code()).collect()
}

#[test]
fn eight_concurrent_checks_of_one_sim_send_exactly_one_sms_every_round() {
    // Eight modems holding the same SIM's identity stand for eight processes racing for one
    // SIM (one serial port admits one process): the guard file is what they share.
    for round in 0..3 {
        let state = tempdir("race-one-sim");
        let emus: Vec<_> = (0..8)
            .map(|_| {
                emulator_probed(
                    Family::Quectel,
                    sim_scenario("89860000000000000011", "460001234567811", ""),
                )
            })
            .collect();
        let children: Vec<Child> = emus
            .iter()
            .map(|(e, _)| {
                guarded(&port_of(e), &state, "CXLL", 1, &[])
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        let outs = wait_all(children, Duration::from_secs(40));
        let sent: usize = emus.iter().map(|(_, p)| state_of(p).sms.sent).sum();
        assert_eq!(
            sent,
            1,
            "round {round}: {sent} SMS reached the network (codes {:?})",
            codes(&outs)
        );
        let ok = outs.iter().filter(|o| o.status.success()).count();
        let refused = outs.iter().filter(|o| o.status.code() == Some(7)).count();
        assert_eq!((ok, refused), (1, 7), "round {round}: {:?}", codes(&outs));
    }
}

#[test]
fn concurrent_checks_of_different_sims_lose_no_record() {
    for round in 0..3 {
        let state = tempdir("race-many-sims");
        let sims: Vec<(String, String)> = (0..4)
            .map(|i| {
                (
                    format!("8986000000000000002{i}"),
                    format!("46000123456782{i}"),
                )
            })
            .collect();
        let spawn_all = |emus: &Vec<(simquota::emulator::Emulator, _)>| {
            let children: Vec<Child> = emus
                .iter()
                .map(|(e, _)| {
                    guarded(&port_of(e), &state, "CXLL", 1, &[])
                        .spawn()
                        .expect("spawn")
                })
                .collect();
            wait_all(children, Duration::from_secs(40))
        };
        let first: Vec<_> = sims
            .iter()
            .map(|(c, i)| emulator_probed(Family::Huawei, sim_scenario(c, i, "")))
            .collect();
        let outs = spawn_all(&first);
        assert!(
            outs.iter().all(|o| o.status.success()),
            "round {round}: each SIM may send once: {:?}",
            codes(&outs)
        );
        // Every SIM's record survived the others' writes: a second check of each is refused.
        let second: Vec<_> = sims
            .iter()
            .map(|(c, i)| emulator_probed(Family::Huawei, sim_scenario(c, i, "")))
            .collect();
        let outs = spawn_all(&second);
        let sent: usize = second.iter().map(|(_, p)| state_of(p).sms.sent).sum();
        assert_eq!(
            sent,
            0,
            "round {round}: a record was lost ({:?})",
            codes(&outs)
        );
        assert!(
            outs.iter().all(|o| o.status.code() == Some(7)),
            "{:?}",
            codes(&outs)
        );
    }
}

#[test]
fn a_damaged_guard_file_fails_closed_and_is_left_untouched() {
    let good =
        br#"{"sims": {"89860000000000000031": [{"at": 1, "number": "10086", "keyword": "CXLL"}]}}"#;
    let truncated = &good[..good.len() - 9];
    let cases: [(&str, &[u8]); 5] = [
        ("truncated", truncated),
        ("empty", b""),
        ("garbage", b"this is not json \x7f"),
        ("all-NUL", &[0u8; 64]),
        ("wrong schema", br#"{"version": 9, "counts": {"x": 3}}"#),
    ];
    for (what, bytes) in cases {
        let state = tempdir("guard-damaged");
        let file = state.join("sms-guard.json");
        std::fs::write(&file, bytes).unwrap();
        let (e, probe) = emulator_probed(
            Family::Quectel,
            sim_scenario("89860000000000000031", "460001234567831", ""),
        );
        let o = wait_all(
            vec![guarded(&port_of(&e), &state, "CXLL", 3, &[])
                .spawn()
                .unwrap()],
            Duration::from_secs(30),
        )
        .remove(0);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(7), "{what}: {err}");
        assert_eq!(state_of(&probe).sms.sent, 0, "{what}: an SMS was sent");
        assert_eq!(
            std::fs::read(&file).unwrap(),
            bytes,
            "{what}: the file changed"
        );
        assert!(
            err.contains(&file.display().to_string())
                && err.contains("--force")
                && err.contains("rm "),
            "{what}: the error must name the file and the fix: {err}"
        );
        // `--force` sends once and keeps the damaged file aside, saying where.
        let o = wait_all(
            vec![guarded(&port_of(&e), &state, "CXLL", 3, &["--force"])
                .spawn()
                .unwrap()],
            Duration::from_secs(30),
        )
        .remove(0);
        assert!(o.status.success(), "{what} --force: {}", stderr(&o));
        assert_eq!(state_of(&probe).sms.sent, 1);
        let aside: Vec<_> = std::fs::read_dir(&state)
            .unwrap()
            .filter_map(|d| d.ok())
            .filter(|d| d.file_name().to_string_lossy().contains("damaged"))
            .collect();
        assert_eq!(aside.len(), 1, "{what}: the damaged file is kept aside");
        assert_eq!(std::fs::read(aside[0].path()).unwrap(), bytes);
        let said = format!("{}{}", stderr(&o), json(&o)["notes"]);
        assert!(said.contains("moved to"), "the user is told where: {said}");
    }
}

#[test]
fn an_unreadable_iccid_does_not_open_a_second_budget_and_every_part_counts() {
    let state = tempdir("guard-key");
    let (e, p) = emulator_probed(
        Family::Huawei,
        sim_scenario("89860000000000000041", "460001234567841", ""),
    );
    let run1 = |e: &simquota::emulator::Emulator, kw: &str, max: u32| {
        wait_all(
            vec![guarded(&port_of(e), &state, kw, max, &[]).spawn().unwrap()],
            Duration::from_secs(30),
        )
        .remove(0)
    };
    let o = run1(&e, "CXLL", 1);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(state_of(&p).sms.sent, 1);
    // The same SIM on a modem that cannot read the ICCID: known by its IMSI, still counted.
    let (e2, p2) = emulator_probed(Family::Huawei, sim_scenario("", "460001234567841", ""));
    let o = run1(&e2, "CXLL", 1);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    assert_eq!(state_of(&p2).sms.sent, 0);

    // A 400-character keyword goes out as 3 SMS: it does not fit a limit of 2 …
    let long = "X".repeat(400);
    let (e3, p3) = emulator_probed(
        Family::Quectel,
        sim_scenario("89860000000000000042", "460001234567842", ""),
    );
    let o = run1(&e3, &long, 2);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    assert!(stderr(&o).contains("3 SMS"), "{}", stderr(&o));
    assert_eq!(state_of(&p3).sms.sent, 0);
    // … fits a limit of 3 once, and counts as 3: nothing more may go.
    let o = run1(&e3, &long, 3);
    assert_eq!(state_of(&p3).sms.sent, 3, "{}", stderr(&o));
    let o = run1(&e3, "CXLL", 3);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    assert_eq!(state_of(&p3).sms.sent, 3);
}

#[test]
fn simulate_never_touches_the_real_state() {
    let state = tempdir("simulate-state");
    let scen = root().join("scenarios/cn-mobile-gd.toml");
    let scen = scen.to_string_lossy();
    // The README's SMS example, four times in a day: never refused by the spend guard.
    for i in 0..4 {
        let o = run(
            &["balance", "--simulate", "--scenario", &scen, "--json"],
            &state,
        );
        assert!(o.status.success(), "run {i}: {}", stderr(&o));
    }
    let o = run(&["balance", "--simulate", "--json"], &state);
    assert!(o.status.success(), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(&state)
        .unwrap()
        .filter_map(|d| d.ok())
        .map(|d| d.file_name())
        .collect();
    assert!(
        left.is_empty(),
        "--simulate wrote into the real state: {left:?}"
    );
}

// ---- SMS: nothing lost, nothing disturbed (items 7-10) ----

const FRIEND: &str = "+8613912345678";

/// A China Mobile SIM whose reply comes from 10086 while a friend's message arrives first;
/// `inbox` adds stored messages, `config` an `[sms_config]` body.
fn busy_scenario(inbox: &str, config: &str) -> Scenario {
    scenario(&format!(
        r#"
[network]
operator = "CHINA MOBILE"
mcc_mnc = "46000"
imsi = "460001234567851"
iccid = "89860000000000000051"

[sms_config]
{config}

[[sms]]
number = "10086"
keyword = "CXLL"
reply_from = "{FRIEND}"
delay_ms = 100
text = "晚上一起吃饭吗？"

[[sms]]
number = "10086"
keyword = "CXLL"
delay_ms = 600
text = "{REPLY}"
{inbox}
"#
    ))
}

const UNREAD_FRIEND: &str = r#"
[[sms_inbox]]
from = "+8613800000001"
text = "old unread"
status = "unread"
"#;

fn stat_of(p: &simquota::emulator::sim::Probe, idx: u32) -> Option<u8> {
    state_of(p)
        .sms
        .messages
        .iter()
        .find(|(s, i, _)| s == "SM" && *i == idx)
        .map(|(_, _, st)| *st)
}

fn check(port: &str, state: &Path) -> Output {
    wait_all(
        vec![guarded(port, state, "CXLL", 3, &[]).spawn().unwrap()],
        Duration::from_secs(30),
    )
    .remove(0)
}

#[test]
fn an_unrelated_sms_arriving_during_the_wait_stays_unread_or_is_named() {
    // Quectel can read without a status change: the friend's message must stay unread.
    let (e, p) = emulator_probed(Family::Quectel, busy_scenario("", ""));
    let o = check(&port_of(&e), &tempdir("unrelated-q"));
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["reply_text"], REPLY);
    // The friend's message arrived first, at SM 0.
    assert_eq!(
        stat_of(&p, 0),
        Some(0),
        "the unrelated message was marked read: {v}"
    );
    // Huawei cannot: the message had to be read, and the note says which and from whom.
    let (e, p) = emulator_probed(Family::Huawei, busy_scenario("", ""));
    let o = check(&port_of(&e), &tempdir("unrelated-h"));
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(stat_of(&p, 0), Some(1));
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("SM:0") && notes.contains(FRIEND) && notes.contains("marked read"),
        "the note must name the message marked read and its sender: {notes}"
    );
}

#[test]
fn a_modem_listing_cmgd_ranges_still_gets_the_reply_and_disturbs_nothing_it_can_avoid() {
    let cfg = "cmgd_test = \"range\"";
    // Quectel lists without status change: the reply is found, the old unread one stays so.
    let (e, p) = emulator_probed(Family::Quectel, busy_scenario(UNREAD_FRIEND, cfg));
    let o = check(&port_of(&e), &tempdir("ranges-q"));
    assert!(o.status.success(), "the reply was missed: {}", stderr(&o));
    assert_eq!(json(&o)["reply_text"], REPLY);
    assert_eq!(
        stat_of(&p, 0),
        Some(0),
        "the old unread message became read"
    );
    assert_eq!(stat_of(&p, 1), Some(0), "the friend's message became read");
    // Huawei must read to build the baseline: it does, and names each message it read.
    let (e, _p) = emulator_probed(Family::Huawei, busy_scenario(UNREAD_FRIEND, cfg));
    let o = check(&port_of(&e), &tempdir("ranges-h"));
    assert!(o.status.success(), "the reply was missed: {}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["reply_text"], REPLY);
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("+8613800000001") && notes.contains(FRIEND),
        "{notes}"
    );
}

#[test]
fn sms_list_and_from_inbox_never_mark_unread_read_without_being_asked() {
    let inbox = format!(
        "{UNREAD_FRIEND}\n[[sms_inbox]]\nfrom = \"10086\"\ntext = \"{REPLY}\"\nstatus = \"unread\"\n"
    );
    for family in [Family::Huawei, Family::Zte] {
        let (e, p) = emulator_probed(family, busy_scenario(&inbox, ""));
        let port = port_of(&e);
        let state = tempdir("list-unread");
        let o = run(&["sms", "list", "--port", &port, "--json"], &state);
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(
            (stat_of(&p, 0), stat_of(&p, 1)),
            (Some(0), Some(0)),
            "{family:?}: sms list marked unread messages read: {v}"
        );
        assert!(
            v["notes"].to_string().contains("--read-unread"),
            "{family:?}: the user is told before: {v}"
        );
        // --from-inbox leaves the unread notice alone unless asked, and says so.
        let o = run(
            &[
                "balance",
                "--from-inbox",
                "--sender",
                "10086",
                "--port",
                &port,
                "--json",
            ],
            &state,
        );
        assert_eq!(o.status.code(), Some(5), "{family:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--read-unread"), "{}", stderr(&o));
        assert_eq!((stat_of(&p, 0), stat_of(&p, 1)), (Some(0), Some(0)));
        // Asked: both are read (and become read), the listing shows them as they were.
        let o = run(
            &["sms", "list", "--read-unread", "--port", &port, "--json"],
            &state,
        );
        let v = json(&o);
        assert_eq!(v["messages"].as_array().map(|a| a.len()), Some(2), "{v}");
        assert_eq!(v["messages"][0]["status"], "received_unread");
        assert_eq!(stat_of(&p, 0), Some(1));
    }
    // A modem that can list without a status change lists everything and changes nothing.
    let (e, p) = emulator_probed(Family::Quectel, busy_scenario(&inbox, ""));
    let o = run(
        &["sms", "list", "--port", &port_of(&e), "--json"],
        &tempdir("list-q"),
    );
    assert_eq!(json(&o)["messages"].as_array().map(|a| a.len()), Some(2));
    assert_eq!((stat_of(&p, 0), stat_of(&p, 1)), (Some(0), Some(0)));
}

#[test]
fn sms_delete_of_an_empty_slot_or_a_bad_location_deletes_nothing_and_says_so() {
    for family in Family::ALL {
        let (e, p) = emulator_probed(family, busy_scenario(UNREAD_FRIEND, ""));
        let port = port_of(&e);
        let state = tempdir("delete");
        let o = run(&["sms", "delete", "SM:29", "--port", &port], &state);
        assert_ne!(o.status.code(), Some(0), "{family:?}: {}", stdout(&o));
        assert!(
            !stdout(&o).contains("deleted"),
            "{family:?}: {}",
            stdout(&o)
        );
        assert!(stderr(&o).contains("no message at SM"), "{}", stderr(&o));
        let o = run(&["sms", "delete", "XX:1", "--port", &port], &state);
        assert_eq!(o.status.code(), Some(2), "{family:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("\"XX\""), "{}", stderr(&o));
        assert_eq!(
            state_of(&p).sms.messages.len(),
            1,
            "{family:?}: a message went"
        );
        assert_eq!(stat_of(&p, 0), Some(0));
        let o = run(&["sms", "delete", "SM:0", "--port", &port], &state);
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("deleted SM:0"));
        assert!(state_of(&p).sms.messages.is_empty());
    }
}

// ---- PIN (items 11-13) ----

const PIN: &str = "8264";

fn locked_sim(echo_stays_on: bool) -> Scenario {
    let mut s = Scenario::builtin_default();
    s.network.pin = "SIM PIN".into();
    s.network.pin_code = PIN.into();
    s.network.sticky_echo = echo_stays_on;
    s
}

fn with_pin_env(c: &mut Command, pin: Option<&str>) {
    match pin {
        Some(p) => c.env("SIMQUOTA_PIN", p),
        None => c.env_remove("SIMQUOTA_PIN"),
    };
}

fn run_env(args: &[&str], state: &Path, pin: Option<&str>) -> Output {
    let mut c = Command::new(bin());
    c.args(args)
        .env("SIMQUOTA_STATE_DIR", state)
        .env("SIMQUOTA_DATA_DIR", state)
        .env_remove("SIMQUOTA_PORT");
    with_pin_env(&mut c, pin);
    c.output().expect("simquota runs")
}

#[test]
fn the_pin_never_shows_in_verbose_output_or_a_transcript_even_when_echoed() {
    let (e, p) = emulator_probed(Family::Huawei, locked_sim(true));
    let state = tempdir("pin-echo");
    let rec = state.join("run.atx");
    let o = run_env(
        &[
            "-vv",
            "balance",
            "--port",
            &port_of(&e),
            "--record",
            &rec.to_string_lossy(),
            "--json",
        ],
        &state,
        Some(PIN),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let st = state_of(&p);
    assert_eq!(st.pin_state, "READY", "the PIN was used");
    assert!(st.echo, "the modem kept echo on (the attack)");
    let err = stderr(&o);
    assert!(
        err.contains("AT+CPIN="),
        "the -vv trace shows the exchange: {err}"
    );
    assert!(!err.contains(PIN), "the PIN is in the -vv output:\n{err}");
    assert!(!stdout(&o).contains(PIN));
    let t = std::fs::read_to_string(&rec).expect("transcript written");
    assert!(t.contains("AT+CPIN="), "{t}");
    assert!(!t.contains(PIN), "the PIN is in the transcript:\n{t}");
}

#[test]
fn an_exec_program_gets_only_the_documented_variables() {
    let dir = tempdir("exec-env");
    let out = dir.join("env.out");
    let script = dir.join("dump-env");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nenv > '{}'\ncat > /dev/null\n", out.display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let db = dir.join("history.db");
    let mut c = Command::new(bin());
    c.args([
        "watch",
        "--simulate",
        "--once",
        "--history",
        &db.to_string_lossy(),
        "--alert",
        "remaining<100GB",
        "--exec",
        &script.to_string_lossy(),
    ])
    .env("SIMQUOTA_STATE_DIR", &dir)
    .env("SIMQUOTA_DATA_DIR", &dir)
    .env("SIMQUOTA_PIN", PIN)
    .env("SOME_SERVICE_TOKEN", "s3cr3t-token")
    .env_remove("SIMQUOTA_PORT");
    let o = c.output().unwrap();
    let env =
        std::fs::read_to_string(&out).unwrap_or_else(|_| panic!("the program ran: {}", stderr(&o)));
    assert!(!env.contains("SIMQUOTA_PIN") && !env.contains(PIN), "{env}");
    assert!(!env.contains("s3cr3t-token"), "{env}");
    let allowed = simquota::monitor::alerts::ExecAction::PASSED_ON;
    for line in env.lines() {
        let Some((k, _)) = line.split_once('=') else {
            continue;
        };
        // `PWD`, `SHLVL` and `_` are set by the shell running the script itself.
        let ok = k.starts_with("SIMQUOTA_")
            || allowed.contains(&k)
            || ["PWD", "SHLVL", "_", "OLDPWD"].contains(&k);
        assert!(
            ok,
            "undocumented variable {k:?} reached the program:\n{env}"
        );
    }
    assert!(env.contains("SIMQUOTA_ALERT=remaining<"), "{env}");
}

#[test]
fn a_refused_pin_file_is_never_sent_again_until_it_changes() {
    let (e, p) = emulator_probed(Family::Quectel, locked_sim(false));
    let port = port_of(&e);
    let state = tempdir("pin-file");
    let pin_file = state.join("pin");
    std::fs::write(&pin_file, "0000\n").unwrap();
    let db = state.join("history.db");
    let watch_once = || {
        run_env(
            &[
                "watch",
                "--once",
                "--port",
                &port,
                "--pin-file",
                &pin_file.to_string_lossy(),
                "--history",
                &db.to_string_lossy(),
            ],
            &state,
            None,
        )
    };
    for i in 0..4 {
        let o = watch_once();
        assert!(!o.status.success(), "run {i}");
        if i > 0 {
            assert!(stderr(&o).contains("NOT sent"), "run {i}: {}", stderr(&o));
        }
    }
    let st = state_of(&p);
    assert_eq!(st.pin_attempts, 1, "the refused PIN was sent again");
    assert_eq!(st.pin_state, "SIM PIN", "the SIM must not be blocked");
    // What is remembered cannot give the PIN back: only when and where it came from.
    let mem: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("pin-refused.json")).unwrap()).unwrap();
    for (_sim, r) in mem.as_object().expect("per SIM") {
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["at", "source"], "{mem}");
        let src: Vec<&String> = r["source"].as_object().unwrap().keys().collect();
        assert_eq!(src, ["kind", "mtime_ns", "path", "size"], "{mem}");
    }
    // The file is fixed: it changed, so the PIN is sent (once) and accepted.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&pin_file, format!("{PIN}\n")).unwrap();
    let o = watch_once();
    assert!(o.status.success(), "{}", stderr(&o));
    let st = state_of(&p);
    assert_eq!((st.pin_attempts, st.pin_state.as_str()), (2, "READY"));
}

#[test]
fn a_refused_pin_variable_is_sent_again_only_when_the_user_says_so() {
    let (e, p) = emulator_probed(Family::Huawei, locked_sim(false));
    let port = port_of(&e);
    let state = tempdir("pin-env");
    for _ in 0..3 {
        let o = run_env(&["balance", "--port", &port], &state, Some("0000"));
        assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    }
    assert_eq!(state_of(&p).pin_attempts, 1);
    let o = run_env(&["balance", "--port", &port], &state, Some("0000"));
    assert!(stderr(&o).contains("--retry-pin"), "{}", stderr(&o));
    // Fixed, and said so: sent once more.
    let o = run_env(
        &["balance", "--port", &port, "--retry-pin", "--json"],
        &state,
        Some(PIN),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let st = state_of(&p);
    assert_eq!((st.pin_attempts, st.pin_state.as_str()), (2, "READY"));
}

// ---- The modem put back on every exit path (items 5-6) ----

/// The settings a check changes and must put back, as the emulated modem holds them.
fn settings(
    p: &simquota::emulator::sim::Probe,
) -> (bool, u8, String, bool, [String; 3], String, u8) {
    let s = state_of(p);
    (
        s.echo, s.cmee, s.cscs, s.curc, s.sms.mem, s.sms.cnmi, s.sms.cmgf,
    )
}

/// Starts `cmd`, waits until the emulator has seen a command starting with `trigger` and
/// `after` more, sends `sig`; returns the output and how long the process took to end.
fn signal_at(
    mut cmd: Command,
    p: &simquota::emulator::sim::Probe,
    trigger: &str,
    after: Duration,
    sig: i32,
) -> (Output, Duration) {
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as i32;
    let end = Instant::now() + Duration::from_secs(20);
    while !state_of(p).commands.iter().any(|c| c.starts_with(trigger)) {
        if Instant::now() > end {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let o = child.wait_with_output().unwrap();
            panic!("{trigger} never came: {}", stderr(&o));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(after);
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(pid, sig) };
    let t = Instant::now();
    let o = wait_all(vec![child], Duration::from_secs(15)).remove(0);
    (o, t.elapsed())
}

fn quiet_cn(extra: &str) -> Scenario {
    scenario(&format!(
        r#"
[network]
operator = "CHINA MOBILE"
mcc_mnc = "46000"
imsi = "460001234567861"
iccid = "89860000000000000061"
{extra}
"#
    ))
}

#[test]
fn a_signal_during_the_sms_wait_or_prompt_restores_the_modem_and_sends_nothing_more() {
    let cases = [
        (libc::SIGINT, Family::Huawei, ""),
        (libc::SIGTERM, Family::Quectel, ""),
        (libc::SIGHUP, Family::Zte, ""),
        // The `> ` prompt is still open: Esc ends it, nothing goes out.
        (
            libc::SIGTERM,
            Family::Huawei,
            "[sms_config]\nprompt_delay_ms = 4000\n",
        ),
    ];
    for (sig, family, extra) in cases {
        let (e, p) = emulator_probed(family, quiet_cn(extra));
        let before = settings(&p);
        let state = tempdir("sig-sms");
        let c = guarded(&port_of(&e), &state, "CXLL", 3, &[]);
        let (o, took) = signal_at(c, &p, "AT+CMGS", Duration::from_millis(700), sig);
        let what = format!("{family:?} signal {sig} {extra:?}");
        assert_eq!(o.status.code(), Some(128 + sig), "{what}: {}", stderr(&o));
        assert!(
            took < Duration::from_secs(7),
            "{what}: took {took:?} to stop"
        );
        assert_eq!(settings(&p), before, "{what}: not restored: {}", stderr(&o));
        if !extra.is_empty() {
            assert_eq!(
                state_of(&p).sms.sent,
                0,
                "{what}: the SMS went out after all"
            );
        }
    }
}

#[test]
fn a_signal_during_a_ussd_wait_restores_and_cancels_the_session() {
    let menu = r#"
[[ussd]]
code = "*111#"
reply = "1. Balance 2. Data"
status = 1
delay_ms = 30000
"#;
    for (sig, family) in [
        (libc::SIGINT, Family::Huawei),
        (libc::SIGHUP, Family::Quectel),
    ] {
        let mut sc = Scenario::builtin_default();
        sc.ussd.extend(scenario(menu).ussd);
        let (e, p) = emulator_probed(family, sc);
        let before = settings(&p);
        let state = tempdir("sig-ussd");
        let mut c = Command::new(bin());
        c.args(["ussd", "*111#", "--port", &port_of(&e)])
            .env("SIMQUOTA_STATE_DIR", &state)
            .env_remove("SIMQUOTA_PORT")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let (o, took) = signal_at(c, &p, "AT+CUSD=1", Duration::from_millis(500), sig);
        let what = format!("{family:?} signal {sig}");
        assert_eq!(o.status.code(), Some(128 + sig), "{what}: {}", stderr(&o));
        assert!(took < Duration::from_secs(7), "{what}: took {took:?}");
        let st = state_of(&p);
        assert!(!st.ussd_open, "{what}: the USSD session was left open");
        assert_eq!(settings(&p), before, "{what}: not restored");
    }
}

#[test]
fn restoring_is_bounded_and_a_second_signal_exits_at_once() {
    use simquota::emulator::faults::{Faults, Faulty};
    let spawn = || {
        let mut m = simquota::emulator::sim::SimModem::new(Family::Quectel, quiet_cn(""));
        m.set_noise_interval(None);
        let p = m.probe();
        // The last restore command (echo back on) is never answered in time.
        let f = Faulty::new(
            m,
            Faults::seeded(5).slow_from(Duration::from_secs(30), "ATE1"),
        );
        (
            simquota::emulator::Emulator::spawn(Box::new(f), None).unwrap(),
            p,
        )
    };
    let (e, p) = spawn();
    let c = guarded(&port_of(&e), &tempdir("sig-bound"), "CXLL", 3, &[]);
    let (o, took) = signal_at(c, &p, "AT+CMGS", Duration::from_millis(500), libc::SIGTERM);
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    assert!(took < Duration::from_secs(7), "restoring took {took:?}");
    assert!(
        stderr(&o).contains("ATE1"),
        "the unrestored setting is named: {}",
        stderr(&o)
    );
    // Everything before the stuck command was put back.
    assert_eq!(state_of(&p).cmee, 0);

    let (e, p) = spawn();
    let mut c = guarded(&port_of(&e), &tempdir("sig-twice"), "CXLL", 3, &[]);
    let child = c.spawn().unwrap();
    let pid = child.id() as i32;
    let end = Instant::now() + Duration::from_secs(20);
    while !state_of(&p)
        .commands
        .iter()
        .any(|c| c.starts_with("AT+CMGS"))
        && Instant::now() < end
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(500));
    unsafe { libc::kill(pid, libc::SIGINT) };
    // Wait until the restore reached the stuck command, then insist.
    while !state_of(&p).commands.iter().any(|c| c == "ATE1") && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    unsafe { libc::kill(pid, libc::SIGINT) };
    let t = Instant::now();
    let o = wait_all(vec![child], Duration::from_secs(10)).remove(0);
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "a second signal took {:?}",
        t.elapsed()
    );
}

#[test]
fn watch_stops_within_seconds_on_sigterm_during_an_sms_check_and_restores() {
    let (e, p) = emulator_probed(Family::Huawei, quiet_cn(""));
    let before = settings(&p);
    let dir = tempdir("sig-watch");
    let db = dir.join("history.db");
    let mut c = Command::new(bin());
    c.args([
        "watch",
        "--port",
        &port_of(&e),
        "--every",
        "1h",
        "--history",
        &db.to_string_lossy(),
        "--sms",
        "10086",
        "--keyword",
        "CXLL",
    ])
    .env("SIMQUOTA_STATE_DIR", &dir)
    .env("SIMQUOTA_DATA_DIR", &dir)
    .env_remove("SIMQUOTA_PORT")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let (o, took) = signal_at(c, &p, "AT+CMGS", Duration::from_millis(700), libc::SIGTERM);
    assert!(
        took < Duration::from_secs(7),
        "watch took {took:?} to stop: {}",
        stderr(&o)
    );
    assert!(
        matches!(o.status.code(), Some(0) | Some(143)),
        "{:?}: {}",
        o.status,
        stderr(&o)
    );
    assert_eq!(settings(&p), before, "not restored: {}", stderr(&o));
}

#[test]
fn the_service_units_allow_the_restore_before_killing() {
    let limit = simquota::modem::interrupt::RESTORE_LIMIT.as_secs() + 3; // + MQTT close
    for unit in ["deploy/simquota.service", "deploy/simquota-check.service"] {
        let text = std::fs::read_to_string(root().join(unit)).unwrap();
        let t: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("TimeoutStopSec="))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{unit} sets no TimeoutStopSec"));
        assert!(t > limit, "{unit}: TimeoutStopSec={t} is not above {limit}");
    }
    let init =
        std::fs::read_to_string(root().join("packaging/openwrt/simquota/files/simquota.init"))
            .unwrap();
    let t: u64 = init
        .lines()
        .find_map(|l| l.trim().strip_prefix("procd_set_param term_timeout "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the procd script sets term_timeout");
    assert!(t > limit);
}
