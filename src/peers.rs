//! Test support: a test that cannot run because a peer program (gammu, mosquitto, chromium,
//! dbus-daemon, …) is missing must be visible, not count silently as passed.
//!
//! - Under `CI=true` a missing peer is a failure (the test panics; `.ci/run` installs every
//!   peer, so this means the install step broke).
//! - Elsewhere the skip is recorded: a loud NOTE, a line appended to `simquota-skipped.txt` in
//!   the system's temp directory ([`skip_file`]), and a summary of every skip of this test binary printed to
//!   the real stderr when it exits (libtest captures a passing test's output; this is not).
//!
//! Hidden from the documentation: only the test suites use it.

use std::io::Write;
use std::sync::Mutex;

static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The file every skip is appended to (one line each: time, test, peer, how to install):
/// `$SIMQUOTA_SKIP_FILE`, else `simquota-skipped.txt` in the temp directory.
pub fn skip_file() -> std::path::PathBuf {
    std::env::var_os("SIMQUOTA_SKIP_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("simquota-skipped.txt"))
}

/// Records that `test` cannot run because `peer` is missing (`install`: how to get it).
/// Panics under `CI=true`.
pub fn missing(peer: &str, test: &str, install: &str) {
    let line = format!("{test}: SKIPPED, `{peer}` is not installed ({install})");
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{test}: `{peer}` is not installed and CI=true: a missing peer is a failure ({install}; .ci/run installs it)");
    }
    eprintln!("NOTE: {line}");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(skip_file())
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let _ = writeln!(f, "{now} {line}");
    }
    let mut v = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
    if v.is_empty() {
        // SAFETY: registering a plain `extern "C"` function; it only writes to fd 2.
        unsafe {
            libc::atexit(summary);
        }
    }
    v.push(line);
}

/// The skips this process recorded.
pub fn skipped() -> Vec<String> {
    SKIPPED.lock().map(|v| v.clone()).unwrap_or_default()
}

extern "C" fn summary() {
    let v = SKIPPED.lock().map(|v| v.clone()).unwrap_or_default();
    if v.is_empty() {
        return;
    }
    let mut text = format!(
        "\n==== {} test(s) NOT RUN: a peer program is missing (also in {}) ====\n",
        v.len(),
        skip_file().display()
    );
    for l in &v {
        text.push_str("  ");
        text.push_str(l);
        text.push('\n');
    }
    // Straight to fd 2: std's stderr may be captured or torn down at exit.
    // SAFETY: writing a buffer we own to file descriptor 2.
    unsafe {
        libc::write(2, text.as_ptr().cast(), text.len());
    }
}
