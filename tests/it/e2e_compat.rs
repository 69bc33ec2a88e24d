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
