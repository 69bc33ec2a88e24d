//! Input nobody planned for (issue 12): impossible PDUs refused with a clear error, stored
//! messages that cannot be decoded reported (never silently dropped from `sms list`).

use simquota::emulator::Family;

use crate::common::{emulator, run, scenario, stderr, stdout, tempdir};

/// A real DELIVER (corpus: gammu tests, "hellohello" from +27…), with its originating address
/// length octet (offset 9) replaced.
fn with_address_length(len: u8) -> String {
    let real =
        "07917248014000F3240B917247587706F400003110824115248012C8329BFD06C9C373B8B82C97E741F034";
    format!("{}{len:02X}{}", &real[..18], &real[20..])
}

#[test]
fn a_pdu_whose_address_cannot_be_is_refused() {
    let dir = tempdir("pdu-impossible");
    // The unmodified PDU decodes (the test's control).
    let ok = run(&["decode", "pdu", &with_address_length(0x0B)], &dir);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("+27"), "{}", stdout(&ok));
    for len in [21u8, 129, 255] {
        let o = run(&["decode", "pdu", &with_address_length(len)], &dir);
        assert!(!o.status.success(), "length {len} accepted: {}", stdout(&o));
        let err = stderr(&o);
        assert!(err.contains("at most 20"), "length {len}: {err}");
        assert!(stdout(&o).is_empty(), "no nonsense printed: {}", stdout(&o));
    }
}

#[test]
fn sms_list_reports_a_stored_message_it_cannot_decode() {
    let dir = tempdir("sms-undecodable");
    let good = with_address_length(0x0B);
    // An odd-length hex PDU (a digit lost), and one whose address claims 129 digits.
    let odd = &good[..good.len() - 1];
    let impossible = with_address_length(0x81);
    let sc = scenario(&format!(
        "[[sms_inbox]]\nfrom = \"\"\ntext = \"\"\nstatus = \"read\"\npdu = \"{good}\"\n\
         [[sms_inbox]]\nfrom = \"\"\ntext = \"\"\nstatus = \"read\"\npdu = \"{odd}\"\n\
         [[sms_inbox]]\nfrom = \"\"\ntext = \"\"\nstatus = \"read\"\npdu = \"{impossible}\"\n"
    ));
    let emu = emulator(Family::Quectel, sc);
    let port = emu.path().to_str().unwrap().to_string();
    let o = run(&["sms", "list", "--port", &port], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        all.contains("Hello raspberry pi"),
        "the good message is listed: {all}"
    );
    assert!(
        all.contains("[SM:1] a stored message could not be decoded"),
        "{all}"
    );
    assert!(all.contains(odd), "the raw PDU is shown: {all}");
    assert!(
        all.contains("[SM:2] a stored message could not be decoded"),
        "{all}"
    );
    assert!(all.contains("at most 20"), "{all}");
    // And in JSON, the same notes.
    let o = run(&["sms", "list", "--port", &port, "--json"], &dir);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let notes = j["notes"].to_string();
    assert!(notes.contains("[SM:1]") && notes.contains("[SM:2]"), "{j}");
}

/// A carrier that answers a keyword with two separate SMS, 1 s apart (the old fixed 1.5 s settle took both).
fn two_message_carrier(dir: &std::path::Path, reply_messages: Option<u8>) {
    let cfg = dir.join("simquota");
    std::fs::create_dir_all(&cfg).unwrap();
    let extra = reply_messages
        .map(|n| format!("reply_messages = {n}\n"))
        .unwrap_or_default();
    std::fs::write(
        cfg.join("carriers.toml"),
        format!(
            "[[carrier]]\nid = \"test-two\"\nname = \"TwoMsg\"\ncountry = \"ZZ\"\n\
             mcc_mnc = [\"00102\"]\nsources = [\"synthetic\"]\n\n[[carrier.methods]]\n\
             kind = \"sms\"\nnumber = \"12345\"\nkeyword = \"DATA\"\n\
             reply_senders = [\"12345\"]\n{extra}"
        ),
    )
    .unwrap();
}

fn two_message_run(reply_messages: Option<u8>) -> serde_json::Value {
    let dir = tempdir("two-messages");
    two_message_carrier(&dir, reply_messages);
    let sc = scenario(
        "[network]\noperator = \"TwoMsg\"\nmcc_mnc = \"00102\"\nimsi = \"001020000000001\"\n\
         iccid = \"89001020000000000001\"\n\n[[sms]]\nnumber = \"12345\"\nkeyword = \"DATA\"\n\
         delay_ms = 200\ngap_ms = 1000\n\
         parts = [\"Data left: 500MB.\", \"Valid until 31/12/2026.\"]\n",
    );
    let emu = emulator(Family::Quectel, sc);
    let port = emu.path().to_str().unwrap().to_string();
    let o = std::process::Command::new(crate::common::bin())
        .args(["balance", "--port", &port, "--json"])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .env("XDG_CONFIG_HOME", &dir)
        .output()
        .unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{} {}",
        stdout(&o),
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout).expect("JSON")
}

#[test]
fn a_complete_reply_is_answered_without_waiting_for_more() {
    // No `reply_messages` in the profile: the first message is complete, so the check answers
    // with it instead of waiting out a settle time for a second one (issue 12 item 6).
    let v = two_message_run(None);
    assert_eq!(v["reply_text"], "Data left: 500MB.", "{v}");
}

#[test]
fn a_carrier_that_sends_separate_messages_gets_them_all() {
    let v = two_message_run(Some(2));
    let text = v["reply_text"].as_str().unwrap_or_default();
    assert!(text.contains("Data left: 500MB."), "{v}");
    assert!(text.contains("Valid until 31/12/2026."), "{v}");
}

#[test]
fn little_things_a_newcomer_hits_at_once() {
    let dir = tempdir("little");
    // The README's own spelling of character sets, in any case.
    for cs in ["UCS2", "ucs2", "Ucs2"] {
        let o = run(&["decode", "ussd", "--cscs", cs, "00480069"], &dir);
        assert!(o.status.success(), "--cscs {cs}: {}", stderr(&o));
        assert_eq!(stdout(&o).trim_end(), "Hi");
    }
    // A typo in --carrier is a usage error that names the typo, not "the SIM is unknown".
    let o = run(&["balance", "--simulate", "--carrier", "nope"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("no carrier profile \"nope\""), "{err}");
    assert!(
        err.contains("`simquota carriers`") && !err.contains("carriers list"),
        "{err}"
    );
    // --timeout 0 cannot work: refused, never printed as "0ns".
    let o = run(&["balance", "--simulate", "--timeout", "0"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("0ns"), "{}", stderr(&o));
    // A menu instead of an answer: say it was cancelled and how to answer it.
    let o = run(&["balance", "--simulate", "--ussd", "*101#"], &dir);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("answered with a menu"), "{out}");
    assert!(out.contains("--reply 1"), "{out}");
    // …and answering it works.
    let o = run(
        &["balance", "--simulate", "--ussd", "*101#", "--reply", "1"],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Remaining 1.25 GB"), "{}", stdout(&o));
}
