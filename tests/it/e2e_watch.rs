//! `watch`, `history` and `serve` end to end on the emulator: schedules shortened to seconds,
//! history across restarts, alerts fired once per crossing with an `--exec` program, `/metrics`
//! scraped over HTTP, and the live estimate from a fake interface counter directory.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use crate::common::*;

fn watch(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let db = dir.join("history.db");
    let mut args = vec!["watch", "--simulate", "--every", "1s", "--history"];
    let db_s = db.to_string_lossy().into_owned();
    args.push(&db_s);
    args.extend_from_slice(extra);
    Command::new(bin())
        .args(&args)
        .env("SIMQUOTA_STATE_DIR", dir)
        .env("SIMQUOTA_DATA_DIR", dir)
        .env_remove("SIMQUOTA_PORT")
        .output()
        .expect("watch runs")
}

fn history_json(dir: &std::path::Path) -> serde_json::Value {
    let db = dir.join("history.db");
    let o = run(
        &["history", "--history", &db.to_string_lossy(), "--json"],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    json(&o)
}

#[test]
fn watch_records_every_check_and_history_survives_restarts() {
    let dir = tempdir("watch-hist");
    let o = watch(&dir, &["--checks", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    let o = watch(&dir, &["--once"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = history_json(&dir);
    let readings = v["readings"].as_array().expect("readings");
    assert_eq!(readings.len(), 3, "{v}");
    for r in readings {
        assert_eq!(r["success"], true);
        assert_eq!(r["iccid"], "8900101000000000001");
        assert_eq!(r["remaining_bytes"], 1_342_177_280u64);
        assert_eq!(r["raw"], "ご利用可能なデータ残量は1.25GBです。");
    }
    let text = stdout(&run(
        &[
            "history",
            "--history",
            &dir.join("history.db").to_string_lossy(),
        ],
        &dir,
    ));
    assert!(text.contains("remaining ███"), "{text}");
    let csv = stdout(&run(
        &[
            "history",
            "--history",
            &dir.join("history.db").to_string_lossy(),
            "--csv",
        ],
        &dir,
    ));
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.starts_with("time,iccid,carrier,method,success,remaining_bytes"));
}

#[test]
fn an_alert_fires_once_per_crossing_and_runs_the_program_without_a_shell() {
    let dir = tempdir("watch-alert");
    let out = dir.join("alert.out");
    let script = dir.join("notify");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"args=$# alert=$SIMQUOTA_ALERT remaining=$SIMQUOTA_REMAINING_BYTES\" >> {out}\ncat >> {out}\necho >> {out}\n",
            out = out.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let o = watch(
        &dir,
        &[
            "--checks",
            "3",
            "--alert",
            "remaining<2GB",
            "--exec",
            &script.to_string_lossy(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o).matches("ALERT").count(), 1, "{}", stderr(&o));
    let got = std::fs::read_to_string(&out).expect("the alert program ran");
    assert_eq!(
        got.matches("args=0").count(),
        1,
        "run once, with no arguments: {got}"
    );
    assert!(got.contains("remaining=1342177280"), "{got}");
    assert!(
        got.contains("ご利用可能なデータ残量は1.25GBです。"),
        "JSON on stdin: {got}"
    );
}

#[test]
fn metrics_are_scraped_over_http_while_watching() {
    let dir = tempdir("watch-serve");
    let db = dir.join("history.db");
    let mut child = Command::new(bin())
        .args([
            "watch",
            "--simulate",
            "--every",
            "1s",
            "--checks",
            "4",
            "--serve",
            "--listen",
            "127.0.0.1:0",
            "--history",
            &db.to_string_lossy(),
        ])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    // Wait (bounded) for the first reading to be recorded.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains("Remaining 1.25 GB"), "{first}");
    let body = http_get(&addr, "/metrics");
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(
        body.contains("simquota_remaining_bytes{iccid=\"8900101000000000001\",carrier=\"example\"} 1342177280"),
        "{body}"
    );
    assert!(body.contains("simquota_last_check_success{"), "{body}");
    let page = http_get(&addr, "/");
    assert!(page.contains("<svg"), "{page}");
    assert!(page.contains("1.25 GB"), "{page}");
    assert!(http_get(&addr, "/nope").starts_with("HTTP/1.1 404"));
    let _ = child.wait();
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).unwrap();
    body
}

#[test]
fn serve_shows_the_live_estimate_from_interface_counters() {
    let dir = tempdir("estimate");
    let stats = dir.join("net");
    let iface = stats.join("wwan0/statistics");
    std::fs::create_dir_all(&iface).unwrap();
    std::fs::write(iface.join("rx_bytes"), "1000\n").unwrap();
    std::fs::write(iface.join("tx_bytes"), "0\n").unwrap();
    let db = dir.join("history.db");
    let o = Command::new(bin())
        .args([
            "watch",
            "--simulate",
            "--once",
            "--interface",
            "wwan0",
            "--history",
            &db.to_string_lossy(),
        ])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .env("SIMQUOTA_NET_STATS", &stats)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // 100 MiB go through the interface after the carrier's reading.
    std::fs::write(
        iface.join("rx_bytes"),
        format!("{}\n", 1000 + 104_857_600u64),
    )
    .unwrap();
    let mut child = Command::new(bin())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--interface",
            "wwan0",
            "--history",
            &db.to_string_lossy(),
        ])
        .env("SIMQUOTA_NET_STATS", &stats)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().trim_start_matches("http://").to_string();
    let body = http_get(&addr, "/metrics");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        body.contains(&format!("simquota_estimated_remaining_bytes{{iccid=\"8900101000000000001\",carrier=\"example\"}} {}", 1_342_177_280u64 - 104_857_600)),
        "{body}"
    );
}

#[test]
fn sigterm_ends_watch_cleanly() {
    let dir = tempdir("sigterm");
    let db = dir.join("history.db");
    let mut child = Command::new(bin())
        .args([
            "watch",
            "--simulate",
            "--every",
            "1h",
            "--history",
            &db.to_string_lossy(),
        ])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("Remaining"), "{first}");
    // SAFETY: sending SIGTERM to our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "clean exit on SIGTERM");
    let v = history_json(&dir);
    assert_eq!(v["readings"].as_array().map(|a| a.len()), Some(1));
}

#[test]
fn several_modems_from_the_config_file_each_keyed_by_iccid() {
    use simquota::emulator::Family;
    let dir = tempdir("multi");
    let a = emulator(
        Family::Huawei,
        // The first check takes over a second, so the second modem is already due when it
        // ends (regression: a due time in the past became a near-infinite sleep).
        scenario("[network]\niccid = \"8900101000000000011\"\n[[ussd]]\ncode = \"*100#\"\nreply = \"Remaining 1 GB\"\ndelay_ms = 2100\n"),
    );
    let b = emulator(
        Family::Zte,
        scenario("[network]\niccid = \"8900101000000000022\"\n[[ussd]]\ncode = \"*100#\"\nreply = \"Remaining 300 MB\"\ndelay_ms = 10\n"),
    );
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[watch]\nevery = \"1h\"\n\n[[modem]]\nport = \"{}\"\n\n[[modem]]\nport = \"{}\"\n",
            a.path().display(),
            b.path().display()
        ),
    )
    .unwrap();
    let db = dir.join("history.db");
    // Bounded: a scheduling bug must fail the test, not hang it.
    let o = Command::new("timeout")
        .arg("60")
        .arg(bin())
        .args([
            "watch",
            "--once",
            "--config",
            &cfg.to_string_lossy(),
            "--history",
            &db.to_string_lossy(),
        ])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .env_remove("SIMQUOTA_PORT")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v = history_json(&dir);
    let mut got: Vec<(String, u64)> = v["readings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["iccid"].as_str().unwrap_or("").to_string(),
                r["remaining_bytes"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("8900101000000000011".to_string(), 1_073_741_824),
            ("8900101000000000022".to_string(), 314_572_800)
        ]
    );
}

#[test]
fn watch_survives_the_modem_vanishing_and_coming_back() {
    use simquota::emulator::{scenario::Scenario, Family};
    let dir = tempdir("replug");
    let link = dir.join("modem");
    let first = emulator(Family::Quectel, Scenario::builtin_default());
    std::os::unix::fs::symlink(first.path(), &link).unwrap();
    let db = dir.join("history.db");
    let mut child = Command::new(bin())
        .args([
            "watch",
            "--port",
            &link.to_string_lossy(),
            "--every",
            "1s",
            "--checks",
            "6",
            "--history",
            &db.to_string_lossy(),
        ])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("Remaining 1.25 GB"), "{line}");
    drop(first); // unplugged: the device node goes away
    line.clear();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("check failed"), "{line}");
    // Plugged back in (a new device node behind the same name, like a udev symlink).
    let second = emulator(Family::Quectel, Scenario::builtin_default());
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(second.path(), &link).unwrap();
    let mut ok_again = false;
    for _ in 0..5 {
        line.clear();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if line.contains("Remaining 1.25 GB") {
            ok_again = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(ok_again, "no successful check after the modem came back");
}

/// The status page in a real browser: headless Chromium loads it with no console errors and
/// the DOM shows the known emulator reading (skipped with a note when Chromium is missing).
#[test]
fn status_page_renders_in_headless_chromium() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(chromium) = chromium else {
        simquota::peers::missing(
            "chromium",
            "e2e_watch::status_page_renders_in_headless_chromium",
            "apt-get install chromium",
        );
        return;
    };
    let dir = tempdir("chromium");
    let o = watch(&dir, &["--once"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let db = dir.join("history.db");
    let mut server = Command::new(bin())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--history",
            &db.to_string_lossy(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = format!("{}/", line.trim());
    let profile = dir.join("chromium-profile");
    let out = Command::new("timeout")
        .args(["60", chromium])
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let _ = server.kill();
    let _ = server.wait();
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    assert!(dom.contains("<svg"), "{dom}");
    assert!(dom.contains("8900101000000000001"), "{dom}");
    assert!(dom.contains("1.25 GB"), "{dom}");
    assert!(
        dom.contains("ご利用可能なデータ残量は1.25GBです。"),
        "{dom}"
    );
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors: {console_errors:?}"
    );
}

#[test]
fn balance_shows_the_forecast_from_the_watch_history() {
    use simquota::balance::{parse, Date, ParseOptions};
    use simquota::monitor::{CheckRecord, History, Method};
    let dir = tempdir("forecast");
    let h = History::open(&dir.join("history.db")).unwrap();
    let now = simquota::monitor::now_unix();
    let opts = ParseOptions::new(Date {
        year: 2026,
        month: 11,
        day: 25,
    });
    // Ten days of readings, 200 MB a day.
    for day in 0..10i64 {
        let mb = 4000 - 200 * day;
        let r = parse(&format!("残りデータ量：{mb}MB"), &opts);
        let rec = CheckRecord::success(
            now - (10 - day) * 86_400,
            "8900101000000000001",
            Method::Ussd,
            "*100#",
            r,
        );
        h.record(&rec).unwrap();
    }
    drop(h);
    let o = Command::new(bin())
        .args(["balance", "--simulate", "--json"])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .env("SIMQUOTA_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        v["forecast"]["rate_bytes_per_day"],
        200 * 1024 * 1024,
        "{v}"
    );
    let o = Command::new(bin())
        .args(["balance", "--simulate"])
        .env("SIMQUOTA_STATE_DIR", &dir)
        .env("SIMQUOTA_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("Forecast: using ≈ 200 MB/day"),
        "{}",
        stdout(&o)
    );
}
