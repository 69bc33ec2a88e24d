//! Session tests: whole exchanges as tables, each one also fed at every split point and byte by
//! byte (the events must not change), virtual-time time-outs, and proptest properties.
//!
//! Sequences marked "corpus" come from `/work/shared/corpus/corpus.md` (A1/A2/A3).

use std::time::{Duration, Instant};

use super::*;

// ----- harness ----------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Step {
    Submit(Command),
    Input(Vec<u8>),
    /// Let virtual time pass and call `handle_timeout`.
    Advance(Duration),
}

fn submit(text: &str) -> Step {
    Step::Submit(Command::new(text))
}
fn input(bytes: &[u8]) -> Step {
    Step::Input(bytes.to_vec())
}
fn ms(n: u64) -> Step {
    Step::Advance(Duration::from_millis(n))
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<Event>,
    tx: Vec<Vec<u8>>,
}

/// How to cut one `Input` step into reads.
type Chunker<'a> = &'a dyn Fn(usize, &[u8]) -> Vec<Vec<u8>>;

fn run_with(config: &SessionConfig, steps: &[Step], chunker: Chunker<'_>) -> Outcome {
    let mut now = Instant::now();
    let mut s = Session::new(config.clone());
    let mut out = Outcome {
        events: Vec::new(),
        tx: Vec::new(),
    };
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Submit(cmd) => s.submit(cmd.clone(), now).expect("submit in a test script"),
            Step::Input(bytes) => {
                for chunk in chunker(i, bytes) {
                    s.handle_input(now, &chunk);
                }
            }
            Step::Advance(d) => {
                now += *d;
                s.handle_timeout(now);
            }
        }
        while let Some(t) = s.poll_transmit() {
            out.tx.push(t);
        }
        while let Some(e) = s.poll_event() {
            out.events.push(e);
        }
    }
    out
}

/// Run whole, then every input step split at every point (one step at a time), then all steps
/// byte by byte: all runs must agree.
fn run_all_chunkings(config: &SessionConfig, steps: &[Step], name: &str) -> Outcome {
    let whole = run_with(config, steps, &|_, b| vec![b.to_vec()]);
    let bytewise = run_with(config, steps, &|_, b| b.iter().map(|&x| vec![x]).collect());
    assert_eq!(
        bytewise, whole,
        "{name}: byte-by-byte differs from whole reads"
    );
    for (idx, step) in steps.iter().enumerate() {
        let Step::Input(bytes) = step else { continue };
        for cut in 1..bytes.len() {
            let chunker = |i: usize, b: &[u8]| {
                if i == idx {
                    vec![b[..cut].to_vec(), b[cut..].to_vec()]
                } else {
                    vec![b.to_vec()]
                }
            };
            let split = run_with(config, steps, &chunker);
            assert_eq!(
                split, whole,
                "{name}: split of step {idx} at byte {cut} differs"
            );
        }
    }
    whole
}

fn resp(command: &str, lines: &[&str], result: FinalResult) -> Event {
    Event::Response(Response {
        command: command.into(),
        lines: lines.iter().map(|l| l.to_string()).collect(),
        result,
        raw_lines: Vec::new(),
    })
}
fn ok(command: &str, lines: &[&str]) -> Event {
    resp(command, lines, FinalResult::Ok)
}
fn urc(kind: UrcKind, text: &str) -> Event {
    Event::Urc(Urc {
        kind,
        text: text.into(),
        pdu: None,
        raw: None,
    })
}
fn urc2(kind: UrcKind, text: &str, pdu: &str) -> Event {
    Event::Urc(Urc {
        kind,
        text: text.into(),
        pdu: Some(pdu.into()),
        raw: None,
    })
}
fn other(text: &str) -> Event {
    Event::Other(text.into())
}
fn timed_out(command: &str, partial: &[&str]) -> Event {
    Event::TimedOut {
        command: command.into(),
        partial_lines: partial.iter().map(|l| l.to_string()).collect(),
    }
}

struct Case {
    name: &'static str,
    steps: Vec<Step>,
    events: Vec<Event>,
    /// Expected transmitted bytes; `None` = commands + CR only (checked loosely).
    tx: Option<Vec<&'static [u8]>>,
}

fn case(name: &'static str, steps: Vec<Step>, events: Vec<Event>) -> Case {
    Case {
        name,
        steps,
        events,
        tx: None,
    }
}

fn check(cases: Vec<Case>) {
    check_with(&SessionConfig::default(), cases)
}

fn check_with(config: &SessionConfig, cases: Vec<Case>) {
    for c in cases {
        let got = run_all_chunkings(config, &c.steps, c.name);
        assert_eq!(
            got.events, c.events,
            "\n=== {} ===\nexpected:\n{:#?}\nactual:\n{:#?}",
            c.name, c.events, got.events
        );
        if let Some(tx) = c.tx {
            let tx: Vec<Vec<u8>> = tx.into_iter().map(|t| t.to_vec()).collect();
            assert_eq!(got.tx, tx, "{}: transmitted bytes", c.name);
        }
    }
}

// ----- framing, echo, final results -------------------------------------------------------------

#[test]
fn framing_and_echo() {
    let csq = || ok("AT+CSQ", &["+CSQ: 20,99"]);
    check(vec![
        case("crlf", vec![submit("AT+CSQ"), input(b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n")], vec![csq()]),
        case("cr cr lf", vec![submit("AT+CSQ"), input(b"\r\r\n+CSQ: 20,99\r\r\n\r\r\nOK\r\r\n")], vec![csq()]),
        case("bare cr", vec![submit("AT+CSQ"), input(b"\r+CSQ: 20,99\r\rOK\r")], vec![csq()]),
        case("bare lf", vec![submit("AT+CSQ"), input(b"\n+CSQ: 20,99\n\nOK\n")], vec![csq()]),
        case("no leading blank", vec![submit("AT+CSQ"), input(b"+CSQ: 20,99\r\nOK\r\n")], vec![csq()]),
        case("echo crlf", vec![submit("AT+CSQ"), input(b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n")], vec![csq()]),
        case("echo cr only", vec![submit("AT+CSQ"), input(b"AT+CSQ\r+CSQ: 20,99\rOK\r")], vec![csq()]),
        case("echo lower case", vec![submit("AT+CSQ"), input(b"at+csq\r\n+CSQ: 20,99\r\nOK\r\n")], vec![csq()]),
        case("NUL noise around lines", vec![submit("AT+CSQ"), input(b"\0\0\r\n+CSQ: 20,99\r\n\r\nOK\0\r\n")], vec![csq()]),
        case(
            "ATE0 answered with echo, then echo off",
            vec![
                submit("ATE0"),
                input(b"ATE0\r\r\nOK\r\n"),
                submit("AT+CSQ"),
                input(b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n"),
            ],
            vec![ok("ATE0", &[]), csq()],
        ),
        case(
            "echo comes back after a modem reboot",
            vec![
                submit("AT"),
                input(b"\r\nOK\r\n"),
                input(b"\r\n^BOOT:31610740,0,0,0,75\r\n\r\nRDY\r\n"),
                submit("AT+CSQ"),
                input(b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n"),
            ],
            vec![
                ok("AT", &[]),
                urc(UrcKind::Boot, "^BOOT:31610740,0,0,0,75"),
                urc(UrcKind::Rdy, "RDY"),
                csq(),
            ],
        ),
        case(
            "cgmi bare line",
            vec![submit("AT+CGMI"), input(b"\r\nhuawei\r\n\r\nOK\r\n")],
            vec![ok("AT+CGMI", &["huawei"])],
        ),
        case(
            "ATI multi-line",
            vec![
                submit("ATI"),
                input(b"ATI\r\r\nManufacturer: huawei\r\nModel: E3372\r\nRevision: 22.323.62.00.143\r\nIMEI: 866000000000000\r\n+GCAP: +CGSM,+DS,+ES\r\n\r\nOK\r\n"),
            ],
            vec![ok(
                "ATI",
                &[
                    "Manufacturer: huawei",
                    "Model: E3372",
                    "Revision: 22.323.62.00.143",
                    "IMEI: 866000000000000",
                    "+GCAP: +CGSM,+DS,+ES",
                ],
            )],
        ),
    ]);
}

#[test]
fn final_results() {
    let one = |name: &'static str, cmd: &'static str, reply: &'static [u8], result: FinalResult| {
        case(
            name,
            vec![submit(cmd), input(reply)],
            vec![resp(cmd, &[], result)],
        )
    };
    check(vec![
        one("error", "AT+FOO", b"\r\nERROR\r\n", FinalResult::Error),
        one(
            "cme numeric",
            "AT+CPIN?",
            b"\r\n+CME ERROR: 10\r\n",
            FinalResult::CmeError(CmeError::SimNotInserted),
        ),
        one(
            "cme text",
            "AT+CPIN?",
            b"\r\n+CME ERROR: SIM PIN required\r\n",
            FinalResult::CmeError(CmeError::SimPinRequired),
        ),
        one(
            "cme odd text no space (Ai-Thinker)",
            "AT+CUSD=1,\"*100#\"",
            b"\r\n+CME ERROR:Excute command failure\r\n",
            FinalResult::CmeError(CmeError::Text("Excute command failure".into())),
        ),
        one(
            "cms numeric",
            "AT+CMGS=23",
            b"\r\n+CMS ERROR: 330\r\n",
            FinalResult::CmsError(CmsError::SmscAddressUnknown),
        ),
        one(
            "cms text",
            "AT+CMGR=99",
            b"\r\n+CMS ERROR: invalid memory index\r\n",
            FinalResult::CmsError(CmsError::InvalidMemoryIndex),
        ),
        one(
            "huawei command not support",
            "AT^USSDMODE=0",
            b"\r\nCOMMAND NOT SUPPORT\r\n",
            FinalResult::CommandNotSupport,
        ),
        one(
            "dial no carrier",
            "ATD*99#",
            b"\r\nNO CARRIER\r\n",
            FinalResult::NoCarrier,
        ),
        one("dial busy", "ATD123;", b"\r\nBUSY\r\n", FinalResult::Busy),
        one(
            "dial no answer",
            "ATD123;",
            b"\r\nNO ANSWER\r\n",
            FinalResult::NoAnswer,
        ),
        one(
            "dial no dialtone",
            "ATD123;",
            b"\r\nNO DIALTONE\r\n",
            FinalResult::NoDialtone,
        ),
        case(
            "NO CARRIER during a non-dial command is a URC",
            vec![
                submit("AT+CSQ"),
                input(b"\r\nNO CARRIER\r\n\r\n+CSQ: 9,99\r\n\r\nOK\r\n"),
            ],
            vec![
                urc(UrcKind::NoCarrier, "NO CARRIER"),
                ok("AT+CSQ", &["+CSQ: 9,99"]),
            ],
        ),
        case(
            "late OK with nothing in flight is Other",
            vec![input(b"\r\nOK\r\n")],
            vec![other("OK")],
        ),
    ]);
}

// ----- URCs and routing ---------------------------------------------------------------------------

#[test]
fn urcs_anywhere() {
    check(vec![
        case(
            "before, between, after (Huawei interleaving, corpus A2)",
            vec![
                submit("AT+CSQ"),
                input(b"\r\n^RSSI:17\r\n\r\n+CSQ: 17,99\r\n\r\n^HCSQ:\"LTE\",45,40,120,20\r\n\r\nOK\r\n\r\n^MODE:5,4\r\n"),
            ],
            vec![
                urc(UrcKind::Rssi, "^RSSI:17"),
                urc(UrcKind::Hcsq, "^HCSQ:\"LTE\",45,40,120,20"),
                ok("AT+CSQ", &["+CSQ: 17,99"]),
                urc(UrcKind::Mode, "^MODE:5,4"),
            ],
        ),
        case(
            "idle URCs of all families",
            vec![input(
                b"\r\n+CMTI: \"SM\",26\r\n\r\n+CDSI: \"SM\",3\r\n\r\nRING\r\n\r\n+CLIP: \"+8190\",145\r\n\r\n^SIMST:1\r\n\r\n^SRVST:2\r\n\r\n+QIND: SMS DONE\r\n\r\nSMS Ready\r\n\r\nCall Ready\r\n\r\n+PBREADY\r\n\r\n^SYSSTART\r\n\r\n+ZUSIMR:2\r\n\r\n^DSFLOWRPT:0000,0,0\r\n",
            )],
            vec![
                urc(UrcKind::Cmti, "+CMTI: \"SM\",26"),
                urc(UrcKind::Cdsi, "+CDSI: \"SM\",3"),
                urc(UrcKind::Ring, "RING"),
                urc(UrcKind::Clip, "+CLIP: \"+8190\",145"),
                urc(UrcKind::Simst, "^SIMST:1"),
                urc(UrcKind::Srvst, "^SRVST:2"),
                urc(UrcKind::Qind, "+QIND: SMS DONE"),
                urc(UrcKind::SmsReady, "SMS Ready"),
                urc(UrcKind::CallReady, "Call Ready"),
                urc(UrcKind::PbReady, "+PBREADY"),
                urc(UrcKind::SysStart, "^SYSSTART"),
                urc(UrcKind::Zusimr, "+ZUSIMR:2"),
                urc(UrcKind::Dsflowrpt, "^DSFLOWRPT:0000,0,0"),
            ],
        ),
        case(
            "unknown idle line is Other",
            vec![input(b"\r\nhello there\r\n")],
            vec![other("hello there")],
        ),
    ]);
}

#[test]
fn routing_by_in_flight_command() {
    check(vec![
        case(
            "AT+CREG? answers +CREG; another command sees it as URC",
            vec![
                submit("AT+CREG?"),
                input(b"\r\n+CREG: 0,1\r\n\r\nOK\r\n"),
                submit("AT+CSQ"),
                input(b"\r\n+CREG: 1\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n"),
            ],
            vec![
                ok("AT+CREG?", &["+CREG: 0,1"]),
                urc(UrcKind::Creg, "+CREG: 1"),
                ok("AT+CSQ", &["+CSQ: 20,99"]),
            ],
        ),
        case(
            "AT+CREG=2 (set) does not own +CREG lines",
            vec![
                submit("AT+CREG=2"),
                input(b"\r\nOK\r\n\r\n+CREG: 1,\"00C3\",\"0000D7E3\",7\r\n"),
            ],
            vec![
                ok("AT+CREG=2", &[]),
                urc(UrcKind::Creg, "+CREG: 1,\"00C3\",\"0000D7E3\",7"),
            ],
        ),
        case(
            "AT+CUSD? answers +CUSD: 0",
            vec![submit("AT+CUSD?"), input(b"\r\n+CUSD: 0\r\n\r\nOK\r\n")],
            vec![ok("AT+CUSD?", &["+CUSD: 0"])],
        ),
        case(
            "AT+CUSD=? answers its range",
            vec![
                submit("AT+CUSD=?"),
                input(b"\r\n+CUSD: (0-2)\r\n\r\nOK\r\n"),
            ],
            vec![ok("AT+CUSD=?", &["+CUSD: (0-2)"])],
        ),
        case(
            "+CPIN: READY answers AT+CPIN? but is a URC otherwise",
            vec![
                submit("AT+CPIN?"),
                input(b"\r\n+CPIN: READY\r\n\r\nOK\r\n"),
                input(b"\r\n+CPIN: READY\r\n"),
            ],
            vec![
                ok("AT+CPIN?", &["+CPIN: READY"]),
                urc(UrcKind::Cpin, "+CPIN: READY"),
            ],
        ),
        case(
            "AT^HCSQ? answers ^HCSQ",
            vec![
                submit("AT^HCSQ?"),
                input(b"\r\n^HCSQ:\"LTE\",45,40,120,20\r\n\r\nOK\r\n"),
            ],
            vec![ok("AT^HCSQ?", &["^HCSQ:\"LTE\",45,40,120,20"])],
        ),
    ]);
}

#[test]
fn cusd_exchanges() {
    let cusd = "AT+CUSD=1,\"*100#\",15";
    let reply = "+CUSD: 0,\"04110430043B0430043D0441003A0032003200320030002C003700360440\",72";
    check(vec![
        case(
            "+CUSD before OK (python-gsmmodem report)",
            vec![submit(cusd), input(format!("\r\n{reply}\r\n\r\nOK\r\n").as_bytes())],
            vec![urc(UrcKind::Cusd, reply), ok(cusd, &[])],
        ),
        case(
            "+CUSD after OK",
            vec![submit(cusd), input(b"\r\nOK\r\n"), input(format!("\r\n{reply}\r\n").as_bytes())],
            vec![ok(cusd, &[]), urc(UrcKind::Cusd, reply)],
        ),
        case(
            "+CUSD much later, while another command runs",
            vec![
                submit(cusd),
                input(b"\r\nOK\r\n"),
                ms(8000),
                submit("AT+CSQ"),
                input(format!("\r\n{reply}\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n").as_bytes()),
            ],
            vec![ok(cusd, &[]), urc(UrcKind::Cusd, reply), ok("AT+CSQ", &["+CSQ: 20,99"])],
        ),
        case(
            "Huawei sms_tool #4: packed request, ^ URCs interleaved (corpus A1 #1)",
            vec![
                submit("AT+CUSD=1,\"AA180C3602\",15"),
                input(b"\r\nOK\r\n\r\n^RSSI:20\r\n\r\n^CCIN:1,0\r\n"),
                input(b"\r\n^MODE:5,4\r\n\r\n^HCSQ:\"WCDMA\",44,40,53\r\n"),
                input(format!("\r\n{reply}\r\n").as_bytes()),
            ],
            vec![
                ok("AT+CUSD=1,\"AA180C3602\",15", &[]),
                urc(UrcKind::Rssi, "^RSSI:20"),
                urc(UrcKind::Ccin, "^CCIN:1,0"),
                urc(UrcKind::Mode, "^MODE:5,4"),
                urc(UrcKind::Hcsq, "^HCSQ:\"WCDMA\",44,40,53"),
                urc(UrcKind::Cusd, reply),
            ],
        ),
        case(
            "Initiating Release then the real +CUSD: 0 (corpus A1 #39)",
            vec![
                submit(cusd),
                input(b"\r\nOK\r\n\r\n+CUSD: 2,\"Initiating Release\",15\r\n\r\n+CUSD: 0,\"Your balance is 5.00\",15\r\n"),
            ],
            vec![
                ok(cusd, &[]),
                urc(UrcKind::Cusd, "+CUSD: 2,\"Initiating Release\",15"),
                urc(UrcKind::Cusd, "+CUSD: 0,\"Your balance is 5.00\",15"),
            ],
        ),
        case(
            "status only +CUSD: 2 after OK (SIM900, corpus A1 #37)",
            vec![submit("AT+CUSD=1,\"*100#\""), input(b"\r\nOK\r\n\r\n+CUSD: 2\r\n")],
            vec![ok("AT+CUSD=1,\"*100#\"", &[]), urc(UrcKind::Cusd, "+CUSD: 2")],
        ),
        case(
            "OK then +CME ERROR: 132 (Cinterion, corpus A1 #41) is a late line",
            vec![submit(cusd), input(b"\r\nOK\r\n\r\n+CME ERROR: 132\r\n")],
            vec![ok(cusd, &[]), other("+CME ERROR: 132")],
        ),
        case(
            "multi-line quoted +CUSD (MTN Ghana, corpus A1 #20)",
            vec![
                submit("AT+CUSD=1,\"*170#\""),
                input(b"\r\n+CUSD: 1,\"Main Menu\r\n1) Transfer Money\r\n2) Pay Bill\r\n3) Buy Airtime\r\n4) My Wallet\",64\r\n\r\nOK\r\n"),
            ],
            vec![
                urc(
                    UrcKind::Cusd,
                    "+CUSD: 1,\"Main Menu\n1) Transfer Money\n2) Pay Bill\n3) Buy Airtime\n4) My Wallet\",64",
                ),
                ok("AT+CUSD=1,\"*170#\"", &[]),
            ],
        ),
        case(
            "OK and a URC look-alike inside an open quote are text; blank line kept",
            vec![
                submit(cusd),
                input(b"\r\n+CUSD: 1,\"Reply\n\nOK\r\n+CREG: 1\r\nto confirm\",15\r\n\r\nOK\r\n"),
            ],
            vec![
                urc(UrcKind::Cusd, "+CUSD: 1,\"Reply\n\nOK\n+CREG: 1\nto confirm\",15"),
                ok(cusd, &[]),
            ],
        ),
        case(
            "quote never closes: flushed 300 ms after the last byte (corpus A1 #34)",
            vec![
                submit("AT+CUSD=1,\"#102#\",15"),
                input(b"\r\nOK\r\n"),
                input(b"\r\n+CUSD: 2,\" Vash balans 510.20 r.\r\nSlushajte 200 radiostantsij s bilajnom 1 den' besplatno! Podkl: *279#\r\n"),
                ms(299),
                ms(1),
            ],
            vec![
                ok("AT+CUSD=1,\"#102#\",15", &[]),
                urc(
                    UrcKind::Cusd,
                    "+CUSD: 2,\" Vash balans 510.20 r.\nSlushajte 200 radiostantsij s bilajnom 1 den' besplatno! Podkl: *279#",
                ),
            ],
        ),
        case(
            "truncated quote followed by the command's OK: OK goes back to the command",
            vec![
                submit("AT+CUSD=1,\"#102#\",15"),
                input(b"\r\n+CUSD: 0,\" Vash balans 968.98 r.\r\nDlya vas - nedelya besplatnogo SMS\r\n\r\nOK\r\n"),
                ms(300),
            ],
            vec![
                urc(UrcKind::Cusd, "+CUSD: 0,\" Vash balans 968.98 r.\nDlya vas - nedelya besplatnogo SMS"),
                ok("AT+CUSD=1,\"#102#\",15", &[]),
            ],
        ),
        case(
            "unterminated tail of an open quote is included at the flush",
            vec![input(b"\r\n+CUSD: 1,\"Menu\r\n1) Balance"), ms(300)],
            vec![urc(UrcKind::Cusd, "+CUSD: 1,\"Menu\n1) Balance")],
        ),
        case(
            "no-quote Kyivstar reply (corpus A1 #29) is one line",
            vec![input(b"\r\n+CUSD: 2,Na rahunku: 5 grn\r\n")],
            vec![urc(UrcKind::Cusd, "+CUSD: 2,Na rahunku: 5 grn")],
        ),
    ]);
}

#[test]
fn quoted_cusd_size_limit() {
    let mut bytes = b"\r\n+CUSD: 1,\"start".to_vec();
    for i in 0..40 {
        bytes.extend_from_slice(format!("\r\nline {i}").as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    let got = run_all_chunkings(&SessionConfig::default(), &[input(&bytes)], "limit");
    // 32 continuation lines are allowed; the 33rd flushes; the rest are plain lines.
    let Some(Event::Urc(first)) = got.events.first() else {
        panic!("expected a URC first, got {:?}", got.events);
    };
    assert_eq!(first.kind, UrcKind::Cusd);
    assert_eq!(first.text.lines().count(), 34);
    assert_eq!(got.events.len(), 1 + 40 - 33);
    assert_eq!(got.events.last(), Some(&other("line 39")));
}

// ----- SMS listings and two-line URCs -------------------------------------------------------------

const P18_PDU: &str =
    "07917248014000F3240B917247587706F400003110824115248012C8329BFD06C9C373B8B82C97E741F034";
const P27_PDU: &str = "07916163838428F9040B916121021021F700005190514164220A23C4B0BCFD5E8740C4B0BCFD5E83C26E3248196687C9A0301D440DBBC3677918";

#[test]
fn sms_listings() {
    check(vec![
        case(
            "+CMGL with ^BOOT inside the PDU line (corpus A2 Huawei fixture)",
            vec![
                submit("AT+CMGL=4"),
                input(b"\r\n+CMGL: 0,1,,22\r\n079133060071108\r\n^BOOT:37478870,0,0,0,77\r\n11094904003CF7A1A\r\n\r\nOK\r\n"),
            ],
            vec![
                urc(UrcKind::Boot, "^BOOT:37478870,0,0,0,77"),
                ok("AT+CMGL=4", &["+CMGL: 0,1,,22", "07913306007110811094904003CF7A1A"]),
            ],
        ),
        case(
            "+CMTI between a +CMGL header and its PDU; two messages (corpus A3 P18)",
            vec![
                submit("AT+CMGL=4"),
                input(
                    format!(
                        "\r\n+CMGL: 0,0,,35\r\n+CMTI: \"SM\",26\r\n{P18_PDU}\r\n^RSSI:17\r\n+CMGL: 1,0,,35\r\n{P18_PDU}\r\n\r\nOK\r\n"
                    )
                    .as_bytes(),
                ),
            ],
            vec![
                urc(UrcKind::Cmti, "+CMTI: \"SM\",26"),
                urc(UrcKind::Rssi, "^RSSI:17"),
                ok("AT+CMGL=4", &["+CMGL: 0,0,,35", P18_PDU, "+CMGL: 1,0,,35", P18_PDU]),
            ],
        ),
        case(
            "+CMGR Telit with empty alpha (corpus A3 P27)",
            vec![submit("AT+CMGR=1"), input(format!("\r\n+CMGR: 0,\"\",50\r\n{P27_PDU}\r\n\r\nOK\r\n").as_bytes())],
            vec![ok("AT+CMGR=1", &["+CMGR: 0,\"\",50", P27_PDU])],
        ),
        case(
            "+CMGR with the PDU inline after a space (ModemManager) expects no body",
            vec![submit("AT+CMGR=1"), input(b"\r\n+CMGR: 1,,147 0791AB\r\n\r\nOK\r\n")],
            vec![ok("AT+CMGR=1", &["+CMGR: 1,,147 0791AB"])],
        ),
        case(
            "PDU header whose PDU never comes: OK still ends the command",
            vec![submit("AT+CMGR=5"), input(b"\r\n+CMGR: ,,27\r\n\r\nOK\r\n")],
            vec![ok("AT+CMGR=5", &["+CMGR: ,,27"])],
        ),
        case(
            "text mode +CMGL: message text is the next line, even if it says OK",
            vec![
                submit("AT+CMGL=\"ALL\""),
                input(b"\r\n+CMGL: 1,\"REC READ\",\"+31628870634\",,\"11/01/09,10:26:26+04\"\r\nOK\r\n+CMGL: 2,\"REC READ\",\"+316\",,\"11/01/09,10:27:26+04\"\r\n+CMGL: 3,\"REC READ\",\"+316\",,\"11/01/09,10:28:26+04\"\r\nhi\r\n\r\nOK\r\n"),
            ],
            vec![ok(
                "AT+CMGL=\"ALL\"",
                &[
                    "+CMGL: 1,\"REC READ\",\"+31628870634\",,\"11/01/09,10:26:26+04\"",
                    "OK",
                    "+CMGL: 2,\"REC READ\",\"+316\",,\"11/01/09,10:27:26+04\"",
                    "+CMGL: 3,\"REC READ\",\"+316\",,\"11/01/09,10:28:26+04\"",
                    "hi",
                ],
            )],
        ),
    ]);
}

#[test]
fn two_line_urcs() {
    check(vec![
        case(
            "+CMT in PDU mode",
            vec![input(format!("\r\n+CMT: ,35\r\n{P18_PDU}\r\n").as_bytes())],
            vec![urc2(UrcKind::Cmt, "+CMT: ,35", P18_PDU)],
        ),
        case(
            "+CMT during a command with ^RSSI between header and PDU",
            vec![
                submit("AT+CSQ"),
                input(format!("\r\n+CMT: ,35\r\n^RSSI:9\r\n{P18_PDU}\r\n\r\n+CSQ: 9,99\r\n\r\nOK\r\n").as_bytes()),
            ],
            vec![
                urc(UrcKind::Rssi, "^RSSI:9"),
                urc2(UrcKind::Cmt, "+CMT: ,35", P18_PDU),
                ok("AT+CSQ", &["+CSQ: 9,99"]),
            ],
        ),
        case(
            "+CMT in text mode",
            vec![input(b"\r\n+CMT: \"+8613800138000\",,\"24/01/01,12:00:00+32\"\r\nData left: 1.2 GB\r\n")],
            vec![urc2(
                UrcKind::Cmt,
                "+CMT: \"+8613800138000\",,\"24/01/01,12:00:00+32\"",
                "Data left: 1.2 GB",
            )],
        ),
        case(
            "+CMT whose PDU never comes is flushed without it",
            vec![input(b"\r\n+CMT: ,35\r\n"), ms(300)],
            vec![urc(UrcKind::Cmt, "+CMT: ,35")],
        ),
        case(
            "+CDS in PDU mode carries a PDU line; in text mode it is one line",
            vec![input(b"\r\n+CDS: 25\r\n0297F1061C0F910B487228297020F5317062419272803170624192138000\r\n\r\n+CDS: 6,46,\"+8613\",145,\"24/01/01,12:00:00+32\",\"24/01/01,12:00:05+32\",0\r\n")],
            vec![
                urc2(UrcKind::Cds, "+CDS: 25", "0297F1061C0F910B487228297020F5317062419272803170624192138000"),
                urc(UrcKind::Cds, "+CDS: 6,46,\"+8613\",145,\"24/01/01,12:00:00+32\",\"24/01/01,12:00:05+32\",0"),
            ],
        ),
        case(
            "+CBM carries one more line (synthetic 22-octet page; no SMSC prefix)",
            vec![input(b"\r\n+CBM: 22\r\n001000DD001133DAED46ABD56AB5186CD668341A8D46\r\n")],
            vec![urc2(UrcKind::Cbm, "+CBM: 22", "001000DD001133DAED46ABD56AB5186CD668341A8D46")],
        ),
    ]);
}

// ----- prompt -------------------------------------------------------------------------------------

#[test]
fn prompt_and_payload() {
    let pdu: &[u8] = b"0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a";
    let cmgs = || Step::Submit(Command::new("AT+CMGS=23").with_payload(pdu.to_vec()));
    let done = || ok("AT+CMGS=23", &["+CMGS: 12"]);
    let tx_ok: Vec<&'static [u8]> = vec![
        b"AT+CMGS=23\r",
        b"0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a",
    ];
    check(vec![
        Case {
            name: "bare '> '",
            steps: vec![cmgs(), input(b"> "), input(b"\r\n+CMGS: 12\r\n\r\nOK\r\n")],
            events: vec![done()],
            tx: Some(tx_ok.clone()),
        },
        Case {
            name: "crlf '> '",
            steps: vec![cmgs(), input(b"\r\n> "), input(b"\r\n+CMGS: 12\r\n\r\nOK\r\n")],
            events: vec![done()],
            tx: Some(tx_ok.clone()),
        },
        Case {
            name: "SIMCom '>' on its own line",
            steps: vec![cmgs(), input(b"\r\n>\r\n"), input(b"\r\n+CMGS: 12\r\n\r\nOK\r\n")],
            events: vec![done()],
            tx: Some(tx_ok.clone()),
        },
        Case {
            name: "echo on: command and payload echoes dropped",
            steps: vec![
                cmgs(),
                input(b"AT+CMGS=23\r\r\n> "),
                input(b"0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a\r\n+CMGS: 12\r\n\r\nOK\r\n"),
            ],
            events: vec![done()],
            tx: Some(tx_ok.clone()),
        },
        Case {
            name: "prompt without a payload: ESC and report",
            steps: vec![submit("AT+CSQ"), input(b"\r\n> "), input(b"\r\nERROR\r\n")],
            events: vec![
                Event::PromptAborted { command: Some("AT+CSQ".into()) },
                resp("AT+CSQ", &[], FinalResult::Error),
            ],
            tx: Some(vec![b"AT+CSQ\r", b"\x1b"]),
        },
        Case {
            name: "prompt with nothing in flight: ESC and report",
            steps: vec![input(b"\r\n> ")],
            events: vec![Event::PromptAborted { command: None }],
            tx: Some(vec![b"\x1b"]),
        },
    ]);
}

// ----- garbage and non-UTF-8 ----------------------------------------------------------------------

#[test]
fn garbage_and_non_utf8() {
    let latin1: &[u8] = b"+CUSD: 0, \"Votre cr\xe9dit  s'\xe9l\xe8ve \xe0 CHF 3.75.\", 2";
    let got = run_all_chunkings(
        &SessionConfig::default(),
        &[
            input(b"\r\n\xff\xfe\x01\x02\r\n"),
            input(&[b"\r\n", latin1, b"\r\n"].concat()),
            submit("AT+CGMI"),
            input(b"\r\nhu\xe4wei\r\n\r\nOK\r\n"),
        ],
        "garbage",
    );
    assert_eq!(got.events.len(), 3, "{:#?}", got.events);
    assert_eq!(got.events[0], Event::Garbage(b"\xff\xfe\x01\x02".to_vec()));
    let Event::Urc(u) = &got.events[1] else {
        panic!("expected a URC, got {:?}", got.events[1]);
    };
    assert_eq!(u.kind, UrcKind::Cusd);
    assert_eq!(u.text, String::from_utf8_lossy(latin1));
    assert_eq!(u.raw.as_deref(), Some(latin1));
    let Event::Response(r) = &got.events[2] else {
        panic!("expected a response, got {:?}", got.events[2]);
    };
    assert_eq!(r.lines, vec!["hu\u{fffd}wei".to_string()]);
    assert_eq!(r.raw_lines, vec![(0, b"hu\xe4wei".to_vec())]);
}

#[test]
fn overlong_line_is_flushed_as_garbage() {
    let config = SessionConfig {
        max_line: 64,
        ..SessionConfig::default()
    };
    let mut bytes = vec![b'x'; 150];
    bytes.extend_from_slice(b"\r\nRING\r\n");
    let got = run_all_chunkings(&config, &[input(&bytes)], "overlong");
    assert_eq!(
        got.events,
        vec![
            Event::Garbage(vec![b'x'; 64]),
            Event::Garbage(vec![b'x'; 64]),
            other(&"x".repeat(22)),
            urc(UrcKind::Ring, "RING"),
        ]
    );
}

// ----- time-outs (virtual time) -------------------------------------------------------------------

#[test]
fn timeouts() {
    let slow = || Step::Submit(Command::new("AT+COPS=?").with_timeout(Duration::from_secs(5)));
    check(vec![
        case(
            "time-out with partial lines; session idle afterwards",
            vec![
                slow(),
                input(b"\r\n+COPS: (2,\"X\",\"X\",\"99999\",7)\r\n"),
                ms(4999),
                ms(1),
            ],
            vec![timed_out(
                "AT+COPS=?",
                &["+COPS: (2,\"X\",\"X\",\"99999\",7)"],
            )],
        ),
        Case {
            name: "late OK after a time-out is not the next command's result",
            steps: vec![
                slow(),
                ms(5000),
                submit("AT+CSQ"), // held: the old answer may still come
                input(b"\r\nOK\r\n"),
                input(b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n"),
            ],
            events: vec![
                timed_out("AT+COPS=?", &[]),
                other("OK"),
                ok("AT+CSQ", &["+CSQ: 20,99"]),
            ],
            tx: Some(vec![b"AT+COPS=?\r", b"AT+CSQ\r"]),
        },
        Case {
            name: "held command goes out after the quiet period",
            steps: vec![
                slow(),
                ms(5000),
                submit("AT+CSQ"),
                ms(499),
                ms(1),
                input(b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n"),
            ],
            events: vec![timed_out("AT+COPS=?", &[]), ok("AT+CSQ", &["+CSQ: 20,99"])],
            tx: Some(vec![b"AT+COPS=?\r", b"AT+CSQ\r"]),
        },
        Case {
            name: "late lines during the drain extend it and are Other; URCs stay URCs",
            steps: vec![
                slow(),
                ms(5000),
                submit("AT+CSQ"),
                ms(400),
                input(b"\r\n+COPS: (1,\"Y\",\"Y\",\"99998\",2)\r\n\r\n^RSSI:5\r\n"),
                ms(400), // quiet only since the last byte: still held
                ms(100),
                input(b"\r\n+CSQ: 5,99\r\n\r\nOK\r\n"),
            ],
            events: vec![
                timed_out("AT+COPS=?", &[]),
                other("+COPS: (1,\"Y\",\"Y\",\"99998\",2)"),
                urc(UrcKind::Rssi, "^RSSI:5"),
                ok("AT+CSQ", &["+CSQ: 5,99"]),
            ],
            tx: Some(vec![b"AT+COPS=?\r", b"AT+CSQ\r"]),
        },
        Case {
            name: "echo on: a stale OK before the next command's echo is Other",
            steps: vec![
                submit("AT"),
                input(b"AT\r\r\nOK\r\n"),
                slow(),
                input(b"AT+COPS=?\r\r\n"),
                ms(5000),
                ms(500), // drain ends by quiet; the old answer has not come yet
                submit("AT+CSQ"),
                input(b"\r\nOK\r\n"),
                input(b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n"),
            ],
            events: vec![
                ok("AT", &[]),
                timed_out("AT+COPS=?", &[]),
                other("OK"),
                ok("AT+CSQ", &["+CSQ: 20,99"]),
            ],
            tx: Some(vec![b"AT\r", b"AT+COPS=?\r", b"AT+CSQ\r"]),
        },
        Case {
            name: "payload command timing out sends ESC to leave text entry",
            steps: vec![
                Step::Submit(
                    Command::new("AT+CMGS=23")
                        .with_payload(b"00\x1a".to_vec())
                        .with_timeout(Duration::from_secs(1)),
                ),
                ms(1000),
            ],
            events: vec![timed_out("AT+CMGS=23", &[])],
            tx: Some(vec![b"AT+CMGS=23\r", b"\x1b"]),
        },
        case(
            "deadline while an open quote holds the command's OK: the OK is recovered",
            vec![
                Step::Submit(
                    Command::new("AT+CUSD=1,\"#102#\",15").with_timeout(Duration::from_secs(1)),
                ),
                ms(900),
                input(b"\r\n+CUSD: 0,\" Vash balans 968.98 r.\r\nDlya vas\r\n\r\nOK\r\n"),
                ms(100),
            ],
            vec![
                urc(UrcKind::Cusd, "+CUSD: 0,\" Vash balans 968.98 r.\nDlya vas"),
                ok("AT+CUSD=1,\"#102#\",15", &[]),
            ],
        ),
        case(
            "bytes arriving after the deadline: time-out first, then the line is late",
            vec![
                slow(),
                ms(4000),
                Step::Advance(Duration::ZERO),
                ms(1000),
                input(b"\r\nOK\r\n"),
            ],
            vec![timed_out("AT+COPS=?", &[]), other("OK")],
        ),
    ]);
}

#[test]
fn poll_timeout_reports_the_earliest_deadline() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    assert_eq!(s.poll_timeout(), None);
    s.submit(
        Command::new("AT+CSQ").with_timeout(Duration::from_secs(3)),
        t0,
    )
    .unwrap();
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(3)));
    let t1 = t0 + Duration::from_millis(100);
    s.handle_input(t1, b"\r\n+CUSD: 1,\"open");
    assert_eq!(
        s.poll_timeout(),
        Some(t0 + Duration::from_secs(3)),
        "no pending yet: line unterminated"
    );
    s.handle_input(t1, b"\r\n");
    assert_eq!(s.poll_timeout(), Some(t1 + Duration::from_millis(300)));
    s.handle_timeout(t1 + Duration::from_millis(300));
    assert!(matches!(s.poll_event(), Some(Event::Urc(u)) if u.text == "+CUSD: 1,\"open"));
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(3)));
    s.handle_timeout(t0 + Duration::from_secs(3));
    assert!(matches!(s.poll_event(), Some(Event::TimedOut { .. })));
    let t3 = t0 + Duration::from_secs(3);
    assert_eq!(
        s.poll_timeout(),
        Some(t3 + Duration::from_millis(500)),
        "drain quiet deadline"
    );
    s.handle_timeout(t3 + Duration::from_millis(500));
    assert_eq!(s.poll_timeout(), None);
    assert_eq!(s.in_flight(), None);
}

// ----- API behaviour ------------------------------------------------------------------------------

#[test]
fn submit_rules_and_reset() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    assert!(matches!(
        s.submit(Command::new("  "), t0),
        Err(SessionError::InvalidCommand { .. })
    ));
    assert!(matches!(
        s.submit(Command::new("AT\rAT"), t0),
        Err(SessionError::InvalidCommand { .. })
    ));
    s.submit(Command::new("AT+CSQ"), t0).unwrap();
    assert_eq!(
        s.submit(Command::new("AT"), t0),
        Err(SessionError::Busy {
            in_flight: "AT+CSQ".into()
        })
    );
    assert_eq!(s.in_flight().map(Command::text), Some("AT+CSQ"));
    assert_eq!(s.poll_transmit(), Some(b"AT+CSQ\r".to_vec()));
    s.handle_input(t0, b"\r\n+CSQ: 1");
    s.reset();
    assert_eq!(s.in_flight(), None);
    assert_eq!(s.poll_transmit(), None);
    s.handle_input(t0, b"\r\nOK\r\n");
    assert_eq!(
        s.poll_event(),
        Some(other("OK")),
        "partial input was dropped by reset"
    );
    s.submit(Command::new("AT"), t0).unwrap();
    assert_eq!(s.poll_transmit(), Some(b"AT\r".to_vec()));
}

#[test]
fn held_command_counts_as_in_flight() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    s.submit(Command::new("AT").with_timeout(Duration::from_secs(1)), t0)
        .unwrap();
    let t1 = t0 + Duration::from_secs(1);
    s.handle_timeout(t1);
    s.submit(Command::new("AT+CSQ"), t1).unwrap();
    assert_eq!(s.in_flight().map(Command::text), Some("AT+CSQ"));
    assert_eq!(
        s.submit(Command::new("AT+CGMI"), t1),
        Err(SessionError::Busy {
            in_flight: "AT+CSQ".into()
        })
    );
    assert_eq!(s.poll_transmit(), Some(b"AT\r".to_vec()));
    assert_eq!(s.poll_transmit(), None, "held until the drain ends");
    // The drain gives up after resync_max even if the line never goes quiet.
    let mut now = t1;
    for _ in 0..60 {
        now += Duration::from_millis(100);
        s.handle_input(now, b"\r\n^RSSI:9\r\n");
    }
    assert_eq!(s.poll_transmit(), Some(b"AT+CSQ\r".to_vec()));
}

#[test]
fn extra_urc_prefix_from_config() {
    let config = SessionConfig {
        extra_urc_prefixes: vec!["+MYURC:".into()],
        ..SessionConfig::default()
    };
    check_with(
        &config,
        vec![case(
            "configured prefix",
            vec![submit("AT+CSQ"), input(b"\r\n+MYURC: 1\r\n\r\nOK\r\n")],
            vec![
                urc(UrcKind::Other("+MYURC:".into()), "+MYURC: 1"),
                ok("AT+CSQ", &[]),
            ],
        )],
    );
}

// ----- properties ---------------------------------------------------------------------------------

mod props {
    use super::*;
    use proptest::prelude::*;

    fn chunked(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        points.sort_unstable();
        points.dedup();
        let mut out = Vec::new();
        let mut start = 0;
        for p in points {
            if let Some(chunk) = bytes.get(start..p) {
                out.push(chunk.to_vec());
            }
            start = p;
        }
        out.push(bytes.get(start..).unwrap_or_default().to_vec());
        out
    }

    #[derive(Debug, Clone)]
    enum Op {
        Bytes(Vec<u8>),
        Submit(u8),
        Advance(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Op::Bytes),
            // Bytes biased towards the protocol's own characters.
            6 => proptest::collection::vec(
                prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'"'), Just(b'>'), Just(b' '), Just(b'O'), Just(b'K'),
                            Just(b'+'), Just(b':'), Just(b','), Just(b'0'), Just(0x1a), any::<u8>()],
                0..64
            ).prop_map(Op::Bytes),
            2 => any::<u8>().prop_map(Op::Submit),
            2 => any::<u16>().prop_map(Op::Advance),
        ]
    }

    const COMMANDS: &[&str] = &[
        "AT",
        "AT+CSQ",
        "AT+CUSD=1,\"*100#\",15",
        "AT+CMGL=4",
        "AT+CREG?",
        "ATD123;",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_input_never_panics(ops in proptest::collection::vec(op(), 0..40)) {
            let mut now = Instant::now();
            let config = SessionConfig { max_line: 100, max_pending_bytes: 80, max_pending_lines: 3, ..SessionConfig::default() };
            let mut s = Session::new(config);
            for op in ops {
                match op {
                    Op::Bytes(b) => s.handle_input(now, &b),
                    Op::Submit(i) => {
                        let text = COMMANDS[usize::from(i) % COMMANDS.len()];
                        let mut cmd = Command::new(text);
                        if i % 3 == 0 { cmd = cmd.with_payload(b"00\x1a".to_vec()); }
                        let _ = s.submit(cmd, now);
                    }
                    Op::Advance(ms) => { now += Duration::from_millis(u64::from(ms)); s.handle_timeout(now); }
                }
                while s.poll_transmit().is_some() {}
                while s.poll_event().is_some() {}
                if let Some(t) = s.poll_timeout() { prop_assert!(t + Duration::from_secs(3600) > now); }
            }
        }

        #[test]
        fn well_formed_lines_are_chunking_independent(
            cmd in 0usize..COMMANDS.len(),
            lines in proptest::collection::vec((0usize..LINES.len(), 0usize..4), 0..20),
            cuts in proptest::collection::vec(any::<usize>(), 0..12),
        ) {
            const TERMS: [&str; 4] = ["\r\n", "\n", "\r", "\r\r\n"];
            let mut bytes = Vec::new();
            for (l, t) in &lines {
                bytes.extend_from_slice(LINES[*l].as_bytes());
                bytes.extend_from_slice(TERMS[*t].as_bytes());
            }
            let steps_whole = vec![Step::Submit(Command::new(COMMANDS[cmd])), Step::Input(bytes.clone())];
            let whole = run_with(&SessionConfig::default(), &steps_whole, &|_, b| vec![b.to_vec()]);
            let split = run_with(&SessionConfig::default(), &steps_whole, &|_, b| chunked(b, &cuts));
            prop_assert_eq!(&split, &whole);
            let bytewise = run_with(&SessionConfig::default(), &steps_whole, &|_, b| b.iter().map(|&x| vec![x]).collect());
            prop_assert_eq!(&bytewise, &whole);
        }
    }

    const LINES: &[&str] = &[
        "OK",
        "ERROR",
        "+CME ERROR: 30",
        "+CSQ: 20,99",
        "^RSSI:17",
        "+CREG: 1",
        "+CREG: 0,1",
        "+CUSD: 0,\"Balance 5\",15",
        "+CUSD: 1,\"Menu",
        "1) Balance\",15",
        "+CMT: ,35",
        P18_PDU,
        "+CMGL: 0,0,,35",
        "huawei",
        "RING",
        "NO CARRIER",
        "AT+CSQ",
        "> ",
        ">",
        "",
    ];
}
