//! The ModemManager backend ([`simquota::mm`]) end to end: a private `dbus-daemon`, a mock
//! ModemManager on it (tests/mm_mock, zbus's object server — no Python), and the library
//! API on the client side: discovery, port ownership, USSD (plain, UCS-2 hex, menu), SMS,
//! identity, errors, and ModemManager being absent.

#[path = "../mm_mock/mod.rs"]
mod mm_mock;

use std::path::Path;
use std::time::Duration;

use mm_mock::{Answer, MockMm, ModemSpec, PrivateBus, CARRIER_NUMBER, CARRIER_SMS_REPLY};
use simquota::balance::{self, Date, ParseOptions};
use simquota::mm::{self, MmBus, MmError, MmModem};
use simquota::ussd::{Interpretation, UssdStatus};

const JA_REPLY: &str = "ご利用可能なデータ残量は1.25GBです。";
const RU_HEX: &str = "04110430043B0430043D0441003A0032003200320030002C003700360440";

/// Modem 0: a Japanese carrier, plain replies, a menu, two stored SMS.
fn docomo() -> ModemSpec {
    ModemSpec {
        manufacturer: "Quectel",
        model: "EG25-G",
        ports: vec![
            ("ttyUSB0", 3),
            ("ttyUSB1", 4),
            ("ttyUSB2", 2),
            ("ttyUSB3", 2),
            ("cdc-wdm0", 5),
            ("wwan0", 1),
        ],
        imei: "867698040000001",
        operator: ("44010", "NTT DOCOMO"),
        sim: Some(("440101234567890", "8981100000000000001", "44010")),
        ussd: vec![
            ("*100#", Answer::Final(JA_REPLY)),
            (
                "*101#",
                Answer::Menu(
                    "1:データ残量 2:料金",
                    vec![
                        ("1", Answer::Final("データ残量は500MBです。")),
                        ("2", Answer::Final("今月の料金は1,980円です。")),
                    ],
                ),
            ),
            (
                "*102#",
                Answer::Menu("1:次へ", vec![("1", Answer::Menu("1:次へ", vec![]))]),
            ),
        ],
        sms: Some(vec![
            (
                "+81312345678",
                "ご利用データ量が1GBを超えました。",
                "2026-02-27T09:15:00+09:00",
            ),
            (
                "DOCOMO",
                "Welcome to NTT DOCOMO",
                "2026-02-01T08:00:00+09:00",
            ),
        ]),
    }
}

/// Modem 1: firmware that passes UCS-2 hex through; no SIM; no Messaging interface.
fn hexy() -> ModemSpec {
    ModemSpec {
        manufacturer: "ZTE INCORPORATED",
        model: "MF823",
        ports: vec![("ttyACM0", 2)],
        imei: "864000000000002",
        operator: ("25099", "Beeline"),
        sim: None,
        ussd: vec![
            ("*102#", Answer::Final(RU_HEX)),
            (
                "*999#",
                Answer::Fail("Core.Unsupported", "USSD operation not supported"),
            ),
            (
                "*998#",
                Answer::Fail("MobileEquipment.SimNotInserted", "SIM not inserted"),
            ),
        ],
        sms: None,
    }
}

struct Setup {
    mock: MockMm,
    bus: PrivateBus,
}

/// A private bus with the mock serving both modems; `None` when dbus-daemon is missing.
async fn setup() -> Option<Setup> {
    let bus = PrivateBus::start()?;
    let mock = MockMm::start(&bus.address, vec![docomo(), hexy()]).await;
    Some(Setup { mock, bus })
}

async fn modems(s: &Setup) -> Vec<MmModem> {
    MmBus::connect_to(Some(&s.bus.address))
        .await
        .expect("client connects")
        .modems()
        .await
        .expect("discovery")
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn discovery_reads_modems_3gpp_and_sim() {
    let Some(s) = setup().await else { return };
    let bus = MmBus::connect_to(Some(&s.bus.address)).await.expect("bus");
    assert!(bus.is_running().await.expect("NameHasOwner"));
    let m = bus.modems().await.expect("discovery");
    assert_eq!(m.len(), 2, "{m:#?}");
    let (a, b) = (&m[0], &m[1]);
    assert_eq!(a.path, "/org/freedesktop/ModemManager1/Modem/0");
    assert_eq!(a.index(), Some(0));
    assert_eq!(a.manufacturer.as_deref(), Some("Quectel"));
    assert_eq!(a.model.as_deref(), Some("EG25-G"));
    assert_eq!(a.revision.as_deref(), Some("MOCK01.001"));
    assert_eq!(a.equipment_identifier.as_deref(), Some("867698040000001"));
    assert_eq!(a.imei.as_deref(), Some("867698040000001"));
    assert_eq!(a.operator_code.as_deref(), Some("44010"));
    assert_eq!(a.operator_name.as_deref(), Some("NTT DOCOMO"));
    assert_eq!(a.registration_state, Some(1));
    assert_eq!(a.state_name(), "registered");
    assert_eq!(a.primary_port.as_deref(), Some("ttyUSB2"));
    assert_eq!(a.signal_quality, Some(58));
    let names: Vec<_> = a
        .ports
        .iter()
        .map(|p| (p.name.as_str(), p.kind_name()))
        .collect();
    assert_eq!(
        names,
        [
            ("ttyUSB0", "qcdm"),
            ("ttyUSB1", "gps"),
            ("ttyUSB2", "at"),
            ("ttyUSB3", "at"),
            ("cdc-wdm0", "qmi"),
            ("wwan0", "net")
        ]
    );
    let sim = a.sim.as_ref().expect("modem 0 has a SIM");
    assert_eq!(sim.imsi.as_deref(), Some("440101234567890"));
    assert_eq!(sim.iccid.as_deref(), Some("8981100000000000001"));
    assert_eq!(sim.operator_identifier.as_deref(), Some("44010"));
    assert!(a.has_ussd() && a.has_messaging());

    assert_eq!(b.model.as_deref(), Some("MF823"));
    assert_eq!(b.sim_path, None, "`/` means no SIM");
    assert!(b.sim.is_none());
    assert!(b.has_ussd() && !b.has_messaging());
    drop(s.mock);
}

#[tokio::test]
async fn is_managed_knows_its_ports() {
    let Some(s) = setup().await else { return };
    let addr = Some(s.bus.address.as_str());
    let owner = mm::is_managed_on(addr, Path::new("/dev/ttyUSB2"))
        .await
        .expect("ttyUSB2 belongs to modem 0");
    assert_eq!(owner.path, "/org/freedesktop/ModemManager1/Modem/0");
    let owner = mm::is_managed_on(addr, Path::new("/dev/ttyACM0"))
        .await
        .expect("ttyACM0 belongs to modem 1");
    assert_eq!(owner.index(), Some(1));
    assert!(mm::is_managed_on(addr, Path::new("/dev/ttyUSB7"))
        .await
        .is_none());
    assert!(mm::is_managed_on(addr, Path::new("/dev/ttyUSB20"))
        .await
        .is_none());
    // What `--backend auto` and `--backend modemmanager` use.
    let first = mm::select_on(addr, None).await.expect("first modem");
    assert_eq!(first.index(), Some(0));
    let by_port = mm::select_on(addr, Some(Path::new("/dev/ttyACM0"))).await;
    assert_eq!(by_port.and_then(|m| m.index()), Some(1));
    assert!(mm::select_on(addr, Some(Path::new("/dev/ttyS0")))
        .await
        .is_none());
    let bus = MmBus::connect_to(addr).await.expect("bus");
    assert_eq!(
        bus.modem_for(None).await.ok().and_then(|m| m.index()),
        Some(0)
    );
    let e = bus
        .modem_for(Some(Path::new("/dev/ttyS0")))
        .await
        .expect_err("nobody owns ttyS0");
    assert!(matches!(e, MmError::NoModem { .. }), "{e:?}");
    assert!(e.to_string().contains("/dev/ttyS0"), "{e}");
}

#[tokio::test]
async fn ussd_plain_reply_is_decoded_and_understood() {
    let Some(s) = setup().await else { return };
    let m = modems(&s).await;
    let out = mm::ussd(&m[0], "*100#", &[], 8).await.expect("USSD");
    assert_eq!(out.exchanges.len(), 1);
    let e = &out.exchanges[0];
    assert_eq!(e.request, "*100#");
    assert_eq!(e.status, UssdStatus::NoFurtherAction);
    let text = out.last_text().expect("a reply");
    assert_eq!(text.text, JA_REPLY);
    assert_eq!(text.interpretation, Interpretation::PlainText);
    assert!(!out.cancelled_menu && !out.cancelled_stale);
    // And the same understanding as an AT reply.
    let today = Date::new(2026, 3, 1).expect("date");
    let reading = balance::parse(&text.text, &ParseOptions::new(today));
    assert!(reading.understood, "{reading:#?}");
    assert_eq!(
        reading.remaining_bytes,
        Some(1_342_177_280),
        "1.25 GB, base 1024"
    );
    assert_eq!(s.mock.calls(), ["0 Initiate *100#"]);
}

#[tokio::test]
async fn ussd_ucs2_hex_passed_through_is_decoded_by_us() {
    let Some(s) = setup().await else { return };
    let m = modems(&s).await;
    let out = mm::ussd(&m[1], "*102#", &[], 8).await.expect("USSD");
    let text = out.last_text().expect("a reply");
    assert_eq!(text.raw, RU_HEX);
    assert_eq!(text.text, "Баланс:2220,76р");
    assert_eq!(text.interpretation, Interpretation::Ucs2Hex);
    assert!(
        !text.warnings.is_empty(),
        "a departure from DCS/CSCS is reported"
    );
}

#[tokio::test]
async fn ussd_menu_is_answered_in_order() {
    let Some(s) = setup().await else { return };
    let m = modems(&s).await;
    let out = mm::ussd(&m[0], "*101#", &strings(&["1"]), 8)
        .await
        .expect("USSD menu");
    let seen: Vec<_> = out
        .exchanges
        .iter()
        .map(|e| {
            (
                e.request.as_str(),
                e.status,
                e.reply.as_ref().map(|r| r.text.as_str()),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "*101#",
                UssdStatus::FurtherActionRequired,
                Some("1:データ残量 2:料金")
            ),
            (
                "1",
                UssdStatus::NoFurtherAction,
                Some("データ残量は500MBです。")
            ),
        ]
    );
    assert!(!out.cancelled_menu);
    assert_eq!(s.mock.calls(), ["0 Initiate *101#", "0 Respond 1"]);
}

#[tokio::test]
async fn ussd_menu_without_answer_or_past_the_cap_is_cancelled() {
    let Some(s) = setup().await else { return };
    let m = modems(&s).await;
    // No answer given: the menu is shown, then cancelled.
    let out = mm::ussd(&m[0], "*101#", &[], 8).await.expect("USSD");
    assert_eq!(out.exchanges.len(), 1);
    assert!(out.cancelled_menu);
    // A menu that never ends stops after max_rounds exchanges.
    let out = mm::ussd(&m[0], "*102#", &strings(&["1", "1", "1"]), 2)
        .await
        .expect("USSD");
    assert_eq!(out.exchanges.len(), 2);
    assert!(out.cancelled_menu);
    assert_eq!(
        s.mock.calls(),
        [
            "0 Initiate *101#",
            "0 Cancel",
            "0 Initiate *102#",
            "0 Respond 1",
            "0 Cancel"
        ]
    );
    assert_eq!(mm::ussd_state(&m[0]).await.expect("state"), 1, "idle again");
}

#[tokio::test]
async fn ussd_stale_session_is_cancelled_first() {
    let Some(s) = setup().await else { return };
    let m = modems(&s).await;
    s.mock.sessions[0].lock().expect("session").state = 3;
    let out = mm::ussd(&m[0], "*100#", &[], 8).await.expect("USSD");
    assert!(out.cancelled_stale);
    assert_eq!(out.last_text().map(|t| t.text.as_str()), Some(JA_REPLY));
    assert_eq!(s.mock.calls(), ["0 Cancel", "0 Initiate *100#"]);
}

#[tokio::test]
async fn ussd_errors_are_clear() {
    let Some(s) = setup().await else { return };
    let m = modems(&s).await;
    let e = mm::ussd(&m[1], "*999#", &[], 8)
        .await
        .expect_err("unsupported");
    assert!(matches!(e, MmError::Unsupported { .. }), "{e:?}");
    let shown = e.to_string();
    assert!(
        shown.contains("not supported") && shown.contains("--backend at"),
        "{shown}"
    );
    let e = mm::ussd(&m[1], "*998#", &[], 8).await.expect_err("no SIM");
    assert!(
        matches!(&e, MmError::MobileEquipment { code, .. } if code == "SimNotInserted"),
        "{e:?}"
    );
    assert!(e.to_string().contains("insert a SIM"), "{e}");
    let e = mm::ussd(&m[1], "  ", &[], 8).await.expect_err("empty code");
    assert!(matches!(e, MmError::BadArgument { .. }), "{e:?}");
    // A session left active by someone else is closed first, not reported as WrongState.
    s.mock.sessions[1].lock().expect("session").state = 2;
    let e = mm::ussd(&m[1], "*102#", &[], 8).await;
    assert!(
        e.is_ok(),
        "an active stale session is cancelled, not an error: {e:?}"
    );
}

#[tokio::test]
async fn sms_list_send_wait_and_delete() {
    let Some(s) = setup().await else { return };
    let m = modems(&s).await;
    let list = mm::sms_list(&m[0]).await.expect("list");
    assert_eq!(list.len(), 2, "{list:#?}");
    assert_eq!(list[0].number.as_deref(), Some("+81312345678"));
    assert_eq!(
        list[0].text.as_deref(),
        Some("ご利用データ量が1GBを超えました。")
    );
    assert_eq!(
        list[0].timestamp.as_deref(),
        Some("2026-02-27T09:15:00+09:00")
    );
    assert_eq!(list[0].state_name(), "received");
    assert_eq!(list[0].storage_name(), "ME");
    assert_eq!(list[0].pdu_type, Some(1));
    assert_eq!(list[1].number.as_deref(), Some("DOCOMO"));

    let known: Vec<String> = list.iter().map(|s| s.path.clone()).collect();
    let sent = mm::sms_send(&m[0], CARRIER_NUMBER, "DATA")
        .await
        .expect("send");
    assert_eq!(sent.state_name(), "sent");
    assert_eq!(sent.message_reference, Some(42));
    assert_eq!(sent.text.as_deref(), Some("DATA"));
    assert_eq!(sent.pdu_type, Some(2), "submit");

    let mut known_after = known.clone();
    known_after.push(sent.path.clone());
    let replies = mm::sms_wait_reply(
        &m[0],
        &known_after,
        Some(CARRIER_NUMBER),
        Duration::from_secs(10),
        Duration::from_millis(100),
    )
    .await
    .expect("wait");
    assert_eq!(replies.len(), 1, "{replies:#?}");
    assert_eq!(replies[0].text.as_deref(), Some(CARRIER_SMS_REPLY));
    let today = Date::new(2026, 3, 1).expect("date");
    let reading = balance::parse(CARRIER_SMS_REPLY, &ParseOptions::new(today));
    assert!(reading.understood, "{reading:#?}");

    // Nothing was deleted on the way: the two stored, the sent one and the reply remain.
    assert_eq!(mm::sms_list(&m[0]).await.expect("list").len(), 4);
    mm::sms_delete(&m[0], &sent.path).await.expect("delete");
    let after = mm::sms_list(&m[0]).await.expect("list");
    assert_eq!(after.len(), 3);
    assert!(after.iter().all(|x| x.path != sent.path));
    let e = mm::sms_delete(&m[0], "not a path")
        .await
        .expect_err("bad path");
    assert!(matches!(e, MmError::BadArgument { .. }), "{e:?}");

    // A modem without the Messaging interface cannot do SMS here.
    let e = mm::sms_list(&m[1]).await.expect_err("no Messaging");
    assert!(matches!(e, MmError::Unsupported { .. }), "{e:?}");
    let e = mm::sms_send(&m[0], " ", "x")
        .await
        .expect_err("empty number");
    assert!(matches!(e, MmError::BadArgument { .. }), "{e:?}");
}

#[tokio::test]
async fn identity_has_the_at_shape() {
    let Some(s) = setup().await else { return };
    let m = modems(&s).await;
    let id = mm::identity(&m[0]).await.expect("identity");
    assert_eq!(id.manufacturer.as_deref(), Some("Quectel"));
    assert_eq!(id.model.as_deref(), Some("EG25-G"));
    assert_eq!(id.firmware.as_deref(), Some("MOCK01.001"));
    assert_eq!(id.imei.as_deref(), Some("867698040000001"));
    assert_eq!(id.imsi.as_deref(), Some("440101234567890"));
    assert_eq!(id.iccid.as_deref(), Some("8981100000000000001"));
    assert_eq!(id.sim.as_deref(), Some("READY"));
    assert_eq!(id.operator.as_deref(), Some("NTT DOCOMO"));
    assert_eq!(id.registration.as_deref(), Some("home"));
    assert_eq!(id.signal_rssi, Some(18), "58 % of 31");
    assert_eq!(id.signal_dbm, Some(-77));
    let id = mm::identity(&m[1]).await.expect("identity");
    assert_eq!(id.sim.as_deref(), Some("no SIM"));
    assert_eq!(id.imsi, None);
}

/// A hang guard, not a timing assertion: the probe has its own ~1 s bound.
const GUARD: Duration = Duration::from_secs(20);

#[tokio::test]
async fn modemmanager_absent_gives_none_quickly() {
    let port = Path::new("/dev/ttyUSB2");
    // A bus where nobody owns ModemManager's name.
    if let Some(bus) = PrivateBus::start() {
        let r = tokio::time::timeout(GUARD, mm::is_managed_on(Some(&bus.address), port))
            .await
            .expect("no hang");
        assert!(r.is_none());
        let b = MmBus::connect_to(Some(&bus.address)).await.expect("bus");
        assert!(!b.is_running().await.expect("NameHasOwner"));
        let e = b.modems().await.expect_err("nobody there");
        assert!(matches!(e, MmError::NotRunning { .. }), "{e:?}");
        assert!(e.to_string().contains("--backend at"), "{e}");
        let e = b.modem_for(None).await.expect_err("nobody there");
        assert!(matches!(e, MmError::NotRunning { .. }), "{e:?}");
        assert!(mm::select_on(Some(&bus.address), None).await.is_none());
    }
    // No bus at all.
    let dir = std::env::temp_dir().join(format!("simquota-mm-nobus-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let nowhere = format!("unix:path={}/none", dir.display());
    let r = tokio::time::timeout(GUARD, mm::is_managed_on(Some(&nowhere), port))
        .await
        .expect("no hang");
    assert!(r.is_none());
    let e = MmBus::connect_to(Some(&nowhere))
        .await
        .expect_err("no socket");
    assert!(matches!(e, MmError::Bus { .. }), "{e:?}");
    // A socket that accepts but never speaks D-Bus: the probe's own time-out answers.
    let mute = dir.join("mute");
    let _ = std::fs::remove_file(&mute);
    let _listener = std::os::unix::net::UnixListener::bind(&mute).expect("listener");
    let addr = format!("unix:path={}", mute.display());
    let r = tokio::time::timeout(GUARD, mm::is_managed_on(Some(&addr), port))
        .await
        .expect("no hang on a mute bus");
    assert!(r.is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn env_variable_selects_the_bus() {
    let Some(s) = setup().await else { return };
    // The only test that touches SIMQUOTA_MM_BUS.
    std::env::set_var(mm::BUS_ENV, &s.bus.address);
    let owner = mm::is_managed(Path::new("/dev/cdc-wdm0")).await;
    let selected = mm::select(None).await.and_then(|m| m.index());
    let bus = MmBus::connect().await.map(|b| b.address().to_string());
    std::env::remove_var(mm::BUS_ENV);
    assert_eq!(owner.map(|m| m.index()), Some(Some(0)));
    assert_eq!(selected, Some(0));
    assert_eq!(bus.as_deref(), Ok(s.bus.address.as_str()));
}

/// Runs the real binary against the mock ModemManager (the runtime keeps serving the mock
/// while the binary runs on a blocking thread).
async fn run_cli(s: &Setup, args: &[&str]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let addr = s.bus.address.clone();
    let state = crate::common::tempdir("mm-cli");
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(crate::common::bin())
            .args(&args)
            .env("SIMQUOTA_MM_BUS", addr)
            .env("SIMQUOTA_STATE_DIR", state)
            .env_remove("SIMQUOTA_PORT")
            .output()
            .expect("simquota runs")
    })
    .await
    .expect("join")
}

#[tokio::test]
async fn balance_goes_through_modemmanager_when_it_owns_the_port() {
    let Some(s) = setup().await else { return };
    // ModemManager owns /dev/ttyUSB2: simquota asks through it (the device node does not even
    // exist here — the AT path would fail).
    let o = run_cli(
        &s,
        &[
            "balance",
            "--port",
            "/dev/ttyUSB2",
            "--ussd",
            "*100#",
            "--json",
        ],
    )
    .await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["reply_text"], JA_REPLY);
    assert_eq!(v["remaining_bytes"], 1_342_177_280u64);
    assert_eq!(v["ussd"]["backend"], "modemmanager");
    assert_eq!(v["modem"]["manufacturer"], "Quectel");
    // The SIM is docomo's (44010): with no code given, the report says where to look instead.
    let o = run_cli(&s, &["balance", "--port", "/dev/ttyUSB2"]).await;
    assert_eq!(
        o.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("My docomo"));
    // --backend at bypasses ModemManager: the (absent) serial port is reported.
    let o = run_cli(
        &s,
        &[
            "balance",
            "--port",
            "/dev/ttyUSB2",
            "--ussd",
            "*100#",
            "--backend",
            "at",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no serial port"));
    assert!(
        s.mock.calls().iter().any(|c| c.contains("Initiate")),
        "{:?}",
        s.mock.calls()
    );
}
