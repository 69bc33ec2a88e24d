//! Crash safety of the history store: a writer process killed with SIGKILL in the middle of
//! its work must leave a database that passes `PRAGMA integrity_check` and holds every reading
//! it reported as committed.
//!
//! The writer is this same test binary, re-run with a filter on the `#[ignore]`d
//! [`child_writer`] test and the database path in `SIMQUOTA_CRASH_CHILD_DB`. It prints
//! `COMMITTED <id> <n>` after each `record` returned.
//!
//! What this proves and what it does not: a process crash at any point of a write (the OS page
//! cache survives). True power loss additionally relies on `synchronous=FULL` making SQLite
//! fsync the WAL at each commit, which is checked in `history::tests::open_sets_wal_full_and_version`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use super::history::{CheckRecord, History, Method};
use super::test_util::temp_dir;
use crate::balance::Reading;

const ENV: &str = "SIMQUOTA_CRASH_CHILD_DB";

fn record(n: i64) -> CheckRecord {
    let mut r = Reading::empty(&format!("reading number {n}"));
    r.remaining_bytes = Some(1_000_000_000 - n as u64);
    r.understood = true;
    CheckRecord::success(
        1_700_000_000 + n,
        "89000000000000000001",
        Method::Ussd,
        "*100#",
        r,
    )
}

/// The child: writes readings until killed. Ignored so it runs only when the parent asks.
#[test]
#[ignore = "run by crash_tests::killed_writer_loses_no_committed_reading"]
fn child_writer() {
    let Some(path) = std::env::var_os(ENV) else {
        return;
    };
    let h = History::open(std::path::Path::new(&path)).expect("child opens the history");
    let start: i64 = std::env::var("SIMQUOTA_CRASH_CHILD_START")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for n in start..start + 1_000_000 {
        let id = h.record(&record(n)).expect("child records");
        // Printed only after `record` returned: the row is committed.
        let _ = writeln!(out, "COMMITTED {id} {n}");
        let _ = out.flush();
    }
}

#[test]
fn killed_writer_loses_no_committed_reading() {
    let dir = temp_dir("crash");
    let db = dir.join("history.db");
    let exe = std::env::current_exe().expect("test binary path");
    let mut committed: BTreeMap<i64, i64> = BTreeMap::new();
    let mut next_n = 0i64;
    // Three rounds, killed after different amounts of work, appending to the same file.
    for kill_after in [40usize, 150, 75] {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "monitor::crash_tests::child_writer",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV, &db)
            .env("SIMQUOTA_CRASH_CHILD_START", next_n.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child writer");
        let stdout = child.stdout.take().expect("child stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0usize;
        let parse = |line: &str, committed: &mut BTreeMap<i64, i64>| -> bool {
            let mut it = line.split(' ');
            if it.next() != Some("COMMITTED") {
                return false;
            }
            let id = it.next().and_then(|s| s.parse().ok());
            let n = it.next().and_then(|s| s.parse().ok());
            if let (Some(id), Some(n)) = (id, n) {
                committed.insert(id, n);
                return true;
            }
            false
        };
        for line in lines.by_ref() {
            let line = line.expect("utf-8 line");
            if parse(&line, &mut committed) {
                seen += 1;
                if seen >= kill_after {
                    break;
                }
            }
        }
        assert!(
            seen >= kill_after,
            "child stopped early after {seen} commits"
        );
        // SIGKILL while it is writing.
        child.kill().expect("kill -9");
        // Lines already written before the kill were committed too.
        for line in lines.map_while(|l| l.ok()) {
            parse(&line, &mut committed);
        }
        let _ = child.wait();
        next_n = committed.values().max().map_or(0, |m| m + 1) + 1_000;

        let h = History::open(&db).expect("reopen after kill");
        assert_eq!(h.integrity_check().expect("integrity_check"), "ok");
        let rows: BTreeMap<i64, CheckRecord> = h
            .readings(None, None)
            .expect("read back")
            .into_iter()
            .filter_map(|r| r.id.map(|id| (id, r)))
            .collect();
        for (id, n) in &committed {
            let row = rows
                .get(id)
                .unwrap_or_else(|| panic!("committed reading id {id} (n={n}) is missing"));
            assert_eq!(row.time, 1_700_000_000 + n, "id {id}");
            assert_eq!(
                row.raw.as_deref(),
                Some(format!("reading number {n}").as_str())
            );
            assert_eq!(row.numbers.remaining_bytes, Some(1_000_000_000 - *n as u64));
        }
    }
    assert!(committed.len() >= 265);
}
