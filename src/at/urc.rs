//! Unsolicited result codes: the known prefixes and what follows them.
//!
//! TS 27.007 / 27.005 URCs (`+CUSD`, `+CMTI`, `+CREG`, …) plus vendor ones seen on real sticks
//! (Huawei `^RSSI`/`^BOOT`/`^MODE`…, Quectel `+QIND`/`RDY`, SIMCom `SMS Ready`, ZTE `+ZUSIMR`).
//! Whether a line with one of these prefixes *is* a URC depends on the command in flight; the
//! session decides that (see `session.rs`). This module only knows names and shapes:
//! `+CMT:`, `+CBM:` and PDU-mode `+CDS:` carry one more line (TS 27.005 §3.4.1), and a `+CUSD:`
//! string may span lines (TS 27.007 §7.15 allows any text; modems pass the network's line breaks).

use super::params::{split_params, Param, SplitLine};

/// Which unsolicited result code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UrcKind {
    /// `+CUSD:` USSD reply or network-initiated USSD.
    Cusd,
    /// `+CMTI:` new SMS stored.
    Cmti,
    /// `+CMT:` new SMS delivered directly (second line: PDU or text).
    Cmt,
    /// `+CDS:` status report delivered directly (PDU mode: second line is the PDU).
    Cds,
    /// `+CDSI:` status report stored.
    Cdsi,
    /// `+CBM:` cell broadcast (second line: PDU or text).
    Cbm,
    /// `+CREG:` circuit-switched registration.
    Creg,
    /// `+CGREG:` GPRS registration.
    Cgreg,
    /// `+CEREG:` EPS registration.
    Cereg,
    /// `+CGEV:` packet-domain event.
    Cgev,
    /// `+CIEV:` indicator event.
    Ciev,
    /// `RING`
    Ring,
    /// `+CRING:`
    Cring,
    /// `+CLIP:` calling line identity.
    Clip,
    /// `NO CARRIER` outside a dial command (call ended).
    NoCarrier,
    /// `+CPIN:` SIM state change (e.g. `+CPIN: READY` after boot) when not answering `AT+CPIN?`.
    Cpin,
    /// `+CFUN:` functionality level reported at boot (SIMCom).
    Cfun,
    /// Huawei `^RSSI:`
    Rssi,
    /// Huawei `^HCSQ:`
    Hcsq,
    /// Huawei `^MODE:`
    Mode,
    /// Huawei `^BOOT:`
    Boot,
    /// Huawei `^SRVST:`
    Srvst,
    /// Huawei `^SIMST:`
    Simst,
    /// Huawei `^CEND:` call end.
    Cend,
    /// Huawei `^ORIG:` call originated.
    Orig,
    /// Huawei `^CONF:` ringback.
    Conf,
    /// Huawei `^CONN:` call connected.
    Conn,
    /// Huawei `^DSFLOWRPT:` data flow report.
    Dsflowrpt,
    /// Huawei `^CCIN:`
    Ccin,
    /// Huawei `^STIN:` SIM toolkit.
    Stin,
    /// Huawei `^SMMEMFULL:` SMS storage full.
    SmMemFull,
    /// Huawei `^SYSSTART`
    SysStart,
    /// Quectel `+QIND:`
    Qind,
    /// Quectel `+QUSIM:`
    Qusim,
    /// Quectel `RDY` (boot finished).
    Rdy,
    /// SIMCom `SMS Ready`
    SmsReady,
    /// SIMCom `Call Ready`
    CallReady,
    /// `+PBREADY` phonebook ready.
    PbReady,
    /// ZTE `+ZUSIMR:`
    Zusimr,
    /// ZTE `+ZPBIC:`
    Zpbic,
    /// A prefix added through `SessionConfig::extra_urc_prefixes` (the prefix as configured).
    Other(String),
}

/// What follows the first line of a URC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Follow {
    /// Nothing: one line.
    Nothing,
    /// One more line (PDU or text).
    Line,
    /// One more line only in PDU mode (`+CDS: <length>`).
    LineIfPdu,
    /// The quoted string may continue on further lines.
    Quoted,
}

struct Spec {
    /// Matched at the start of the line; ends with `:` for prefixed codes.
    prefix: &'static str,
    /// The whole (trimmed) line must equal `prefix`.
    whole: bool,
    kind: UrcKind,
    follow: Follow,
}

const fn p(prefix: &'static str, kind: UrcKind, follow: Follow) -> Spec {
    Spec {
        prefix,
        whole: false,
        kind,
        follow,
    }
}

const fn w(prefix: &'static str, kind: UrcKind) -> Spec {
    Spec {
        prefix,
        whole: true,
        kind,
        follow: Follow::Nothing,
    }
}

const N: Follow = Follow::Nothing;

static TABLE: &[Spec] = &[
    p("+CUSD:", UrcKind::Cusd, Follow::Quoted),
    p("+CMTI:", UrcKind::Cmti, N),
    p("+CMT:", UrcKind::Cmt, Follow::Line),
    p("+CDSI:", UrcKind::Cdsi, N),
    p("+CDS:", UrcKind::Cds, Follow::LineIfPdu),
    p("+CBM:", UrcKind::Cbm, Follow::Line),
    p("+CREG:", UrcKind::Creg, N),
    p("+CGREG:", UrcKind::Cgreg, N),
    p("+CEREG:", UrcKind::Cereg, N),
    p("+CGEV:", UrcKind::Cgev, N),
    p("+CIEV:", UrcKind::Ciev, N),
    p("+CRING:", UrcKind::Cring, N),
    p("+CLIP:", UrcKind::Clip, N),
    p("+CPIN:", UrcKind::Cpin, N),
    p("+CFUN:", UrcKind::Cfun, N),
    p("^RSSI:", UrcKind::Rssi, N),
    p("^HCSQ:", UrcKind::Hcsq, N),
    p("^MODE:", UrcKind::Mode, N),
    p("^BOOT:", UrcKind::Boot, N),
    p("^SRVST:", UrcKind::Srvst, N),
    p("^SIMST:", UrcKind::Simst, N),
    p("^CEND:", UrcKind::Cend, N),
    p("^ORIG:", UrcKind::Orig, N),
    p("^CONF:", UrcKind::Conf, N),
    p("^CONN:", UrcKind::Conn, N),
    p("^DSFLOWRPT:", UrcKind::Dsflowrpt, N),
    p("^CCIN:", UrcKind::Ccin, N),
    p("^STIN:", UrcKind::Stin, N),
    p("^SMMEMFULL:", UrcKind::SmMemFull, N),
    p("+QIND:", UrcKind::Qind, N),
    p("+QUSIM:", UrcKind::Qusim, N),
    p("+ZUSIMR:", UrcKind::Zusimr, N),
    p("+ZPBIC:", UrcKind::Zpbic, N),
    w("RING", UrcKind::Ring),
    w("NO CARRIER", UrcKind::NoCarrier),
    w("RDY", UrcKind::Rdy),
    w("SMS Ready", UrcKind::SmsReady),
    w("Call Ready", UrcKind::CallReady),
    w("+PBREADY", UrcKind::PbReady),
    w("^SYSSTART", UrcKind::SysStart),
    w("^SMMEMFULL", UrcKind::SmMemFull),
];

/// A recognised URC line: its kind, the name used for in-flight routing (`+CREG`; `None` for
/// whole-line codes such as `RING`), and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    pub(crate) kind: UrcKind,
    pub(crate) name: Option<String>,
    pub(crate) follow: Follow,
}

/// Recognise a URC line by its prefix (the routing decision is the session's).
pub(crate) fn classify(line: &str, extra: &[String]) -> Option<Match> {
    let t = line.trim();
    for spec in TABLE {
        let hit = if spec.whole {
            t == spec.prefix
        } else {
            t.starts_with(spec.prefix)
        };
        if hit {
            let name = if spec.whole {
                None
            } else {
                Some(spec.prefix.trim_end_matches(':').to_string())
            };
            return Some(Match {
                kind: spec.kind.clone(),
                name,
                follow: spec.follow,
            });
        }
    }
    for prefix in extra {
        if !prefix.is_empty() && t.starts_with(prefix.as_str()) {
            let name = prefix.trim_end_matches(':').to_ascii_uppercase();
            return Some(Match {
                kind: UrcKind::Other(prefix.clone()),
                name: Some(name),
                follow: Follow::Nothing,
            });
        }
    }
    None
}

/// An unsolicited result code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urc {
    /// Which code.
    pub kind: UrcKind,
    /// The full text of the code's line; for a `+CUSD:` string spanning several lines, the
    /// lines joined with `\n` (the modem's own CR/LF inside the quotes become `\n`).
    pub text: String,
    /// The second line of `+CMT:` / `+CDS:` / `+CBM:`: the PDU hex in PDU mode, the message text
    /// in text mode. `None` when no second line came in time.
    pub pdu: Option<String>,
    /// The raw bytes (lines joined with `\n`) when some of them were not valid UTF-8 text; the
    /// text then holds U+FFFD replacement characters.
    pub raw: Option<Vec<u8>>,
}

impl Urc {
    /// The code's prefix and parameters (`+CUSD: 0,"…",15` → `+CUSD`, [0, "…", 15]).
    pub fn params(&self) -> SplitLine<'_> {
        split_params(&self.text)
    }
}

/// PDU mode for a header of `+CMT:` / `+CBM:` / `+CDS:` / `+CMGR:` / `+CMGL:` (TS 27.005
/// §3.4.1, §3.1.x): the last parameter is the TPDU length and there are at most 4 parameters.
/// Text-mode headers end with a quoted time stamp, or (with `AT+CSDH=1`) have 7+ parameters.
pub(crate) fn pdu_length(header: &str) -> Option<u32> {
    let params = split_params(header).params;
    if params.is_empty() || params.len() > 4 {
        return None;
    }
    match params.last() {
        Some(Param::Int(n)) => u32::try_from(*n).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_table() {
        type Want = Option<(UrcKind, Option<&'static str>, Follow)>;
        let rows: Vec<(&str, Want)> = vec![
            (
                "+CUSD: 0,\"x\",15",
                Some((UrcKind::Cusd, Some("+CUSD"), Follow::Quoted)),
            ),
            ("+CMTI: \"SM\",26", Some((UrcKind::Cmti, Some("+CMTI"), N))),
            (
                "+CMT: ,22",
                Some((UrcKind::Cmt, Some("+CMT"), Follow::Line)),
            ),
            (
                "+CDS: 25",
                Some((UrcKind::Cds, Some("+CDS"), Follow::LineIfPdu)),
            ),
            ("+CDSI: \"SM\",3", Some((UrcKind::Cdsi, Some("+CDSI"), N))),
            (
                "^BOOT:31610740,0,0,0,75",
                Some((UrcKind::Boot, Some("^BOOT"), N)),
            ),
            ("^RSSI:17", Some((UrcKind::Rssi, Some("^RSSI"), N))),
            ("RING", Some((UrcKind::Ring, None, N))),
            ("RINGING", None),
            ("SMS Ready", Some((UrcKind::SmsReady, None, N))),
            ("+PBREADY", Some((UrcKind::PbReady, None, N))),
            ("+CPIN: READY", Some((UrcKind::Cpin, Some("+CPIN"), N))),
            ("+ZUSIMR:2", Some((UrcKind::Zusimr, Some("+ZUSIMR"), N))),
            ("+CSQ: 20,99", None),
            ("huawei", None),
        ];
        for (line, want) in rows {
            let got = classify(line, &[]).map(|m| (m.kind, m.name, m.follow));
            let want = want.map(|(k, n, f)| (k, n.map(String::from), f));
            assert_eq!(got, want, "{line:?}");
        }
    }

    #[test]
    fn extra_prefixes() {
        let extra = vec!["+MYURC:".to_string()];
        let m = classify("+MYURC: 1", &extra);
        assert_eq!(m.map(|m| m.kind), Some(UrcKind::Other("+MYURC:".into())));
    }

    #[test]
    fn pdu_length_table() {
        assert_eq!(pdu_length("+CMT: ,22"), Some(22));
        assert_eq!(pdu_length("+CMT: \"\",22"), Some(22));
        assert_eq!(pdu_length("+CDS: 25"), Some(25));
        assert_eq!(pdu_length("+CMGL: 0,1,,22"), Some(22));
        assert_eq!(pdu_length("+CMGR: 0,\"\",50"), Some(50));
        assert_eq!(pdu_length("+CMGR: ,,27"), Some(27));
        assert_eq!(pdu_length("+CMGR: 1,,147 0791AB"), None);
        assert_eq!(
            pdu_length("+CMT: \"+8613800138000\",,\"24/01/01,12:00:00+32\""),
            None
        );
        assert_eq!(
            pdu_length("+CMGL: 1,\"REC UNREAD\",\"+31628870634\",,\"11/01/09,10:26:26+04\""),
            None
        );
        assert_eq!(pdu_length("+CDS: 6,46,\"+8613\",145,\"a\",\"b\",0"), None);
        assert_eq!(pdu_length("+CMT: ,-1"), None);
    }
}
