//! Prometheus export: the text exposition format (version 0.0.4), a file for node_exporter's
//! textfile collector, and a tiny HTTP/1.1 server for `/metrics` and the status page.
//!
//! Format (Prometheus "Exposition formats", text 0.0.4): one `# HELP` and one `# TYPE` line per
//! family, then its samples together; label values escape `\` as `\\`, `"` as `\"` and a line
//! feed as `\n`; HELP text escapes `\` and line feeds. A sample whose value is unknown is left
//! out rather than reported as 0.
//!
//! The server binds nothing itself: the caller binds the listener, normally to
//! [`default_listen`] (127.0.0.1:9797, loopback only — exposing the router's SIM data to a LAN
//! is the user's explicit choice). Requests are parsed by hand with limits: the request head
//! is capped at [`MAX_HEAD`] bytes and must arrive within [`HEAD_TIMEOUT`]; anything malformed
//! gets `400` and the connection is closed. Every response closes the connection.
// Without the `http` feature the server is not reachable (its commands refuse with exit 2).
#![cfg_attr(not(feature = "http"), allow(dead_code, unused_imports))]

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::status::{SimStatus, Snapshot, StatusSource};
use super::{date_start, MonitorError, Result};

/// Default port of the metrics server.
pub const DEFAULT_PORT: u16 = 9797;

/// Largest request head (request line + headers) accepted.
pub const MAX_HEAD: usize = 8 * 1024;

/// Time allowed for a client to send its request head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections served at once; more wait in the kernel's accept queue.
const MAX_CONNECTIONS: usize = 16;

/// The address to bind by default: `127.0.0.1:9797` (loopback only).
pub fn default_listen() -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, DEFAULT_PORT))
}

/// Escapes a label value (`\`, `"`, line feed).
pub fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// One metric family being written.
struct Family<'a> {
    out: &'a mut String,
}

impl Family<'_> {
    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }
}

fn family<'a>(out: &'a mut String, name: &str, kind: &str, help: &str) -> Family<'a> {
    let _ = writeln!(out, "# HELP {name} {}", escape_help(help));
    let _ = writeln!(out, "# TYPE {name} {kind}");
    Family { out }
}

type Getter = fn(&SimStatus) -> Option<f64>;

fn last_numbers(s: &SimStatus) -> Option<&super::history::KeyNumbers> {
    s.last_success.as_ref().map(|r| &r.numbers)
}

/// Renders the text exposition of a snapshot.
pub fn render_metrics(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    let gauges: &[(&str, &str, Getter)] = &[
        (
            "simquota_remaining_bytes",
            "Remaining mobile data the carrier reported at the last successful check, in bytes.",
            |s| last_numbers(s)?.remaining_bytes.map(|v| v as f64),
        ),
        (
            "simquota_used_bytes",
            "Used mobile data the carrier reported at the last successful check, in bytes.",
            |s| last_numbers(s)?.used_bytes.map(|v| v as f64),
        ),
        (
            "simquota_total_bytes",
            "Data allowance the carrier reported at the last successful check, in bytes.",
            |s| last_numbers(s)?.total_bytes.map(|v| v as f64),
        ),
        (
            "simquota_expiry_timestamp_seconds",
            "End of the expiry day (00:00 UTC of the day after it) of the data or balance.",
            |s| {
                last_numbers(s)?
                    .expiry
                    .map(|d| date_start(d.add_days(1)) as f64)
            },
        ),
        (
            "simquota_last_check_timestamp_seconds",
            "When the last check (successful or not) finished, unix seconds.",
            |s| s.last_check.as_ref().map(|r| r.time as f64),
        ),
        (
            "simquota_last_check_success",
            "1 if the last check got an understood reply, else 0.",
            |s| {
                s.last_check
                    .as_ref()
                    .map(|r| if r.success { 1.0 } else { 0.0 })
            },
        ),
        (
            "simquota_signal_dbm",
            "Signal strength at the last check that measured it, in dBm.",
            |s| {
                s.last_check
                    .as_ref()
                    .and_then(|r| r.signal_dbm)
                    .or_else(|| s.last_success.as_ref().and_then(|r| r.signal_dbm))
                    .map(f64::from)
            },
        ),
        (
            "simquota_estimated_remaining_bytes",
            "ESTIMATE of remaining data now: the last carrier figure less the bytes counted on the modem interface since.",
            |s| s.estimate.as_ref().map(|e| e.remaining_bytes as f64),
        ),
        (
            "simquota_forecast_runout_timestamp_seconds",
            "Forecast: 00:00 UTC of the day the data runs out at the current usage rate.",
            |s| {
                s.forecast
                    .as_ref()
                    .and_then(|f| f.runs_out)
                    .map(|d| date_start(d) as f64)
            },
        ),
        (
            "simquota_forecast_rate_bytes_per_day",
            "Forecast: usage rate, bytes per day.",
            |s| s.forecast.as_ref().map(|f| f.rate_bytes_per_day as f64),
        ),
        (
            "simquota_daily_budget_bytes",
            "Remaining data divided by the days left until the expiry or reset date.",
            |s| s.daily_budget.map(|v| v as f64),
        ),
        (
            "simquota_consecutive_failures",
            "Checks that failed in a row.",
            |s| Some(f64::from(s.consecutive_failures)),
        ),
        (
            "simquota_active_alerts",
            "Alerts currently fired for this SIM.",
            |s| Some(s.alerts.len() as f64),
        ),
    ];
    for (name, help, get) in gauges {
        let values: Vec<(&SimStatus, f64)> = snapshot
            .sims
            .iter()
            .filter_map(|s| get(s).map(|v| (s, v)))
            .collect();
        if values.is_empty() {
            continue;
        }
        let mut f = family(&mut out, name, "gauge", help);
        for (s, v) in values {
            let carrier = s.carrier.as_deref().unwrap_or("");
            f.sample(name, &[("iccid", &s.iccid), ("carrier", carrier)], Num(v));
        }
    }
    // Balance carries a currency label, so it is its own family.
    let balances: Vec<(&SimStatus, f64, String)> = snapshot
        .sims
        .iter()
        .filter_map(|s| {
            let n = last_numbers(s)?;
            let amount: f64 = n.balance.as_deref()?.parse().ok()?;
            Some((s, amount, n.currency.clone().unwrap_or_default()))
        })
        .collect();
    if !balances.is_empty() {
        let name = "simquota_balance";
        let mut f = family(
            &mut out,
            name,
            "gauge",
            "Money balance the carrier reported at the last successful check, in the currency's major unit.",
        );
        for (s, v, cur) in balances {
            let carrier = s.carrier.as_deref().unwrap_or("");
            f.sample(
                name,
                &[
                    ("iccid", &s.iccid),
                    ("carrier", carrier),
                    ("currency", &cur),
                ],
                Num(v),
            );
        }
    }
    out
}

/// A sample value: integers without a fraction, others as Rust prints them.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if v.is_nan() {
            f.write_str("NaN")
        } else if v.is_infinite() {
            f.write_str(if v > 0.0 { "+Inf" } else { "-Inf" })
        } else if v.fract() == 0.0 && v.abs() < 1e15 {
            write!(f, "{}", v as i64)
        } else {
            write!(f, "{v}")
        }
    }
}

/// Name of the file written into the textfile collector directory.
pub const TEXTFILE_NAME: &str = "simquota.prom";

/// Writes the metrics to `DIR/simquota.prom` atomically (a temporary file with a random name
/// that node_exporter ignores — it reads only `*.prom` — created with O_EXCL, fsync'd, then
/// renamed over the old one; see [`crate::state::write_atomic`]). Returns the path.
pub fn write_textfile(dir: &Path, snapshot: &Snapshot) -> Result<PathBuf> {
    let text = render_metrics(snapshot);
    let target = dir.join(TEXTFILE_NAME);
    crate::state::write_atomic(&target, text.as_bytes())
        .map_err(|e| MonitorError::io(format!("writing {}", target.display()), e))?;
    Ok(target)
}

/// A parsed request line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
}

/// Why a request head is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadRequest {
    /// Not HTTP/1.x shaped.
    Malformed,
    /// Over [`MAX_HEAD`].
    TooLarge,
}

/// Parses the request line of a complete head (bytes up to and including the blank line).
pub(crate) fn parse_head(head: &[u8]) -> std::result::Result<Request, BadRequest> {
    let text = std::str::from_utf8(head).map_err(|_| BadRequest::Malformed)?;
    let line = text.lines().next().ok_or(BadRequest::Malformed)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(BadRequest::Malformed);
    };
    let method_ok =
        !method.is_empty() && method.len() <= 16 && method.bytes().all(|b| b.is_ascii_uppercase());
    let target_ok = target.starts_with('/')
        && target.len() <= 2048
        && target.bytes().all(|b| b.is_ascii_graphic());
    let version_ok = version == "HTTP/1.1" || version == "HTTP/1.0";
    if !(method_ok && target_ok && version_ok) {
        return Err(BadRequest::Malformed);
    }
    // Header lines must at least look like `name: value`.
    for h in text.lines().skip(1).take_while(|l| !l.is_empty()) {
        let Some((name, _)) = h.split_once(':') else {
            return Err(BadRequest::Malformed);
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BadRequest::Malformed);
        }
    }
    let path = target.split(['?', '#']).next().unwrap_or("/").to_string();
    Ok(Request {
        method: method.to_string(),
        path,
    })
}

fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| buf.windows(2).position(|w| w == b"\n\n").map(|p| p + 2))
}

/// Reads a request head; `Ok(None)` when the client closed without sending anything.
async fn read_head(stream: &mut TcpStream) -> std::result::Result<Option<Vec<u8>>, BadRequest> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = head_end(&buf) {
            buf.truncate(end);
            return Ok(Some(buf));
        }
        if buf.len() > MAX_HEAD {
            return Err(BadRequest::TooLarge);
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| BadRequest::Malformed)?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(BadRequest::Malformed)
            };
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
    }
}

async fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &str,
    head_only: bool,
    extra: &str,
) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    if !head_only {
        let _ = stream.write_all(body.as_bytes()).await;
    }
    let _ = stream.shutdown().await;
}

const TEXT: &str = "text/plain; charset=utf-8";

async fn handle(mut stream: TcpStream, source: Arc<dyn StatusSource>) {
    let head = match tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await {
        Err(_) => {
            respond(
                &mut stream,
                "408 Request Timeout",
                TEXT,
                "request timeout\n",
                false,
                "",
            )
            .await;
            return;
        }
        Ok(Ok(None)) => return,
        Ok(Err(BadRequest::TooLarge)) => {
            respond(
                &mut stream,
                "431 Request Header Fields Too Large",
                TEXT,
                "request head too large\n",
                false,
                "",
            )
            .await;
            return;
        }
        Ok(Err(BadRequest::Malformed)) => {
            respond(
                &mut stream,
                "400 Bad Request",
                TEXT,
                "bad request\n",
                false,
                "",
            )
            .await;
            return;
        }
        Ok(Ok(Some(h))) => h,
    };
    let req = match parse_head(&head) {
        Ok(r) => r,
        Err(_) => {
            respond(
                &mut stream,
                "400 Bad Request",
                TEXT,
                "bad request\n",
                false,
                "",
            )
            .await;
            return;
        }
    };
    let head_only = req.method == "HEAD";
    if req.method != "GET" && !head_only {
        respond(
            &mut stream,
            "405 Method Not Allowed",
            TEXT,
            "only GET and HEAD\n",
            false,
            "Allow: GET, HEAD\r\n",
        )
        .await;
        return;
    }
    if req.path != "/metrics" && req.path != "/" {
        respond(
            &mut stream,
            "404 Not Found",
            TEXT,
            "not found\n",
            head_only,
            "",
        )
        .await;
        return;
    }
    let snap = tokio::task::spawn_blocking(move || source.snapshot()).await;
    let snap = match snap {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            let body = format!("status unavailable: {e}\n");
            respond(
                &mut stream,
                "503 Service Unavailable",
                TEXT,
                &body,
                head_only,
                "",
            )
            .await;
            return;
        }
        Err(_) => {
            respond(
                &mut stream,
                "500 Internal Server Error",
                TEXT,
                "internal error\n",
                head_only,
                "",
            )
            .await;
            return;
        }
    };
    if req.path == "/metrics" {
        let body = render_metrics(&snap);
        respond(
            &mut stream,
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            &body,
            head_only,
            "",
        )
        .await;
    } else {
        let body = super::page::render_page(&snap);
        respond(
            &mut stream,
            "200 OK",
            "text/html; charset=utf-8",
            &body,
            head_only,
            "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:\r\n",
        )
        .await;
    }
}

/// Serves `GET /metrics`, `GET /` (the status page) and 404 for anything else, on a listener
/// the caller bound (see [`default_listen`]). Runs until the task is dropped; failed accepts
/// (e.g. out of file descriptors) are retried after a short pause.
#[cfg(feature = "http")]
pub async fn serve(listener: TcpListener, source: Arc<dyn StatusSource>) -> std::io::Result<()> {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = match permits.clone().acquire_owned().await {
            Ok(p) => p,
            Err(_) => return Ok(()),
        };
        match listener.accept().await {
            Ok((stream, _)) => {
                let source = source.clone();
                tokio::spawn(async move {
                    handle(stream, source).await;
                    drop(permit);
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::balance::{Date, Money, Reading};
    use crate::monitor::history::{CheckRecord, History, Method};
    use crate::monitor::status::{SimStatus, SnapshotOptions};
    use crate::monitor::test_util::temp_dir;
    use proptest::prelude::*;
    use std::sync::RwLock;

    const T0: i64 = 1_790_000_000;

    fn snapshot() -> Snapshot {
        let dir = temp_dir("metrics");
        let h = History::open(&dir.join("h.db")).unwrap();
        let mut r = Reading::empty("Rest: 3 GB");
        r.remaining_bytes = Some(3 << 30);
        r.used_bytes = Some(7 << 30);
        r.total_bytes = Some(10 << 30);
        r.expiry = Date::new(2026, 12, 31);
        r.money.push(Money {
            label: "balance".into(),
            amount: "12.50".into(),
            minor_units: 1250,
            currency: "EUR".into(),
            expires: None,
        });
        let mut rec = CheckRecord::success(T0, "8949000000000000001", Method::Ussd, "*100#", r);
        rec.carrier = Some("we\"ird\\carrier\nname".into());
        rec.signal_dbm = Some(-71);
        h.record(&rec).unwrap();
        let mut f = CheckRecord::failure(T0 + 60, "8949000000000000002", Method::Sms, "x", "e");
        f.carrier = Some("other".into());
        h.record(&f).unwrap();
        Snapshot::from_history(&h, T0 + 120, &SnapshotOptions::default()).unwrap()
    }

    #[test]
    fn exposition_text() {
        let text = render_metrics(&snapshot());
        let l = "iccid=\"8949000000000000001\",carrier=\"we\\\"ird\\\\carrier\\nname\"";
        for line in [
            "# HELP simquota_remaining_bytes Remaining mobile data".to_string(),
            "# TYPE simquota_remaining_bytes gauge".to_string(),
            format!("simquota_remaining_bytes{{{l}}} 3221225472"),
            format!("simquota_used_bytes{{{l}}} 7516192768"),
            format!("simquota_total_bytes{{{l}}} 10737418240"),
            // 2027-01-01T00:00:00Z
            format!("simquota_expiry_timestamp_seconds{{{l}}} 1798761600"),
            format!("simquota_last_check_timestamp_seconds{{{l}}} {T0}"),
            format!("simquota_last_check_success{{{l}}} 1"),
            format!("simquota_signal_dbm{{{l}}} -71"),
            format!("simquota_balance{{{l},currency=\"EUR\"}} 12.5"),
            "simquota_last_check_success{iccid=\"8949000000000000002\",carrier=\"other\"} 0"
                .to_string(),
            "simquota_consecutive_failures{iccid=\"8949000000000000002\",carrier=\"other\"} 1"
                .to_string(),
        ] {
            assert!(
                text.lines().any(|x| x.starts_with(&line)),
                "missing line:\n{line}\n--- in ---\n{text}"
            );
        }
        // The failed SIM has no remaining figure: no sample, not a fake 0.
        assert!(!text.contains("simquota_remaining_bytes{iccid=\"8949000000000000002\""));
        // Every family has exactly one HELP and TYPE, and its samples follow it.
        let types: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE")).collect();
        let mut names: Vec<&str> = types.iter().filter_map(|l| l.split(' ').nth(2)).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "a family appears twice");
        let mut current = "";
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                current = rest.split(' ').next().unwrap();
            } else if !line.starts_with('#') {
                assert!(
                    line.starts_with(current),
                    "sample outside its family: {line}"
                );
                assert!(!line.contains('\n'));
            }
        }
    }

    #[test]
    fn label_escaping() {
        assert_eq!(escape_label(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label("x\ny"), "x\\ny");
        assert_eq!(escape_label("日本"), "日本");
    }

    #[test]
    fn textfile_is_written_atomically() {
        let dir = temp_dir("textfile");
        let s = snapshot();
        std::fs::write(dir.join(TEXTFILE_NAME), "old").unwrap();
        let p = write_textfile(&dir, &s).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), render_metrics(&s));
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(
            left,
            vec![TEXTFILE_NAME.to_string()],
            "no temp file left behind"
        );
        assert!(write_textfile(&dir.join("missing"), &s).is_err());
    }

    #[test]
    fn request_line_table() {
        let ok = |m: &str, p: &str| {
            Ok(Request {
                method: m.into(),
                path: p.into(),
            })
        };
        for (head, want) in [
            (
                &b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"[..],
                ok("GET", "/metrics"),
            ),
            (b"GET /?a=b HTTP/1.0\r\n\r\n", ok("GET", "/")),
            (b"HEAD / HTTP/1.1\n\n", ok("HEAD", "/")),
            (b"POST /x HTTP/1.1\r\n\r\n", ok("POST", "/x")),
            (b"GET /metrics\r\n\r\n", Err(BadRequest::Malformed)),
            (
                b"GET  /metrics HTTP/1.1\r\n\r\n",
                Err(BadRequest::Malformed),
            ),
            (b"get /metrics HTTP/1.1\r\n\r\n", Err(BadRequest::Malformed)),
            (b"GET metrics HTTP/1.1\r\n\r\n", Err(BadRequest::Malformed)),
            (b"GET /metrics HTTP/2.0\r\n\r\n", Err(BadRequest::Malformed)),
            (
                b"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
                Err(BadRequest::Malformed),
            ),
            (b"\xff\xfe\r\n\r\n", Err(BadRequest::Malformed)),
            (b"\r\n\r\n", Err(BadRequest::Malformed)),
        ] {
            assert_eq!(
                parse_head(head),
                want,
                "{:?}",
                String::from_utf8_lossy(head)
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parse_head_never_panics(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_head(&b);
            let _ = head_end(&b);
        }

        #[test]
        fn escaped_labels_have_no_raw_quote_or_newline(s in ".{0,40}") {
            let e = escape_label(&s);
            prop_assert!(!e.contains('\n'));
            // Every quote is preceded by an odd run of backslashes.
            let b = e.as_bytes();
            for (i, c) in b.iter().enumerate() {
                if *c == b'"' {
                    let run = b[..i].iter().rev().take_while(|x| **x == b'\\').count();
                    prop_assert!(run % 2 == 1, "{:?}", e);
                }
            }
        }
    }

    async fn http(addr: SocketAddr, request: &[u8]) -> String {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(request).await.unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
        String::from_utf8_lossy(&out).to_string()
    }

    #[tokio::test(flavor = "current_thread")]
    async fn scrape_over_real_http() {
        let snap = snapshot();
        let source: Arc<dyn StatusSource> = Arc::new(RwLock::new(snap.clone()));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve(listener, source));

        let resp = http(addr, b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
        let (head, body) = resp.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
        assert!(
            head.contains("Content-Type: text/plain; version=0.0.4"),
            "{head}"
        );
        assert!(
            head.contains(&format!("Content-Length: {}", body.len())),
            "{head}"
        );
        assert_eq!(body, render_metrics(&snap));
        assert!(body.contains("} 3221225472\n"), "{body}");

        let resp = http(addr, b"GET / HTTP/1.1\r\n\r\n").await;
        assert!(resp.starts_with("HTTP/1.1 200 OK"), "{resp}");
        assert!(resp.contains("text/html"), "{resp}");
        assert!(resp.contains("<!DOCTYPE html>"), "{resp}");

        let resp = http(addr, b"HEAD /metrics HTTP/1.1\r\n\r\n").await;
        assert!(
            resp.starts_with("HTTP/1.1 200 OK") && resp.ends_with("\r\n\r\n"),
            "{resp}"
        );

        for (req, status) in [
            (&b"GET /nope HTTP/1.1\r\n\r\n"[..], "404"),
            (b"DELETE /metrics HTTP/1.1\r\n\r\n", "405"),
            (
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
                "400",
            ),
            (b"GARBAGE\r\n\r\n", "400"),
            (b"GET /metrics HTTP/1.1\r\nHost: x\r\n", "400"), // closed before the blank line
        ] {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(req).await.unwrap();
            s.shutdown().await.unwrap(); // half-close: the server sees EOF
            let mut out = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
            let resp = String::from_utf8_lossy(&out);
            assert!(
                resp.starts_with(&format!("HTTP/1.1 {status}")),
                "{:?} → {resp}",
                String::from_utf8_lossy(req)
            );
        }
        // An endless header is cut off at the cap.
        let mut big = b"GET /metrics HTTP/1.1\r\n".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_HEAD + 10));
        let resp = http(addr, &big).await;
        assert!(resp.starts_with("HTTP/1.1 431"), "{resp}");
        // The server is still up after all that.
        let resp = http(addr, b"GET /metrics HTTP/1.1\r\n\r\n").await;
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
        server.abort();
    }

    #[test]
    fn default_listen_is_loopback() {
        let a = default_listen();
        assert!(a.ip().is_loopback());
        assert_eq!(a.port(), 9797);
    }

    #[allow(dead_code)]
    fn _sim_status_is_send(s: SimStatus) -> impl Send {
        s
    }
}
