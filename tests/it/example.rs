//! `examples/check.rs`: the library API's balance check, run here against the emulator (the
//! same source file, compiled into the tests), and the example binary itself as `cargo test`
//! builds it.

#[path = "../../examples/check.rs"]
mod check_example;

use simquota::check::Request;
use simquota::emulator::{scenario::Scenario, Family};

#[tokio::test]
async fn the_example_checks_the_balance_through_the_library() {
    let req = Request::simulated(Family::Zte, Scenario::builtin_default());
    let line = check_example::check_balance(&req)
        .await
        .expect("the check runs");
    assert!(line.starts_with("*100#: 1342177280 bytes left ("), "{line}");
}

#[test]
fn the_example_binary_runs() {
    // `cargo test` builds the examples as programs in target/<profile>/examples (`check-<hash>`;
    // `cargo test --examples` builds them as test harnesses instead, which are skipped here).
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let mut candidates: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join("examples"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().map(|n| n.to_string_lossy().into_owned());
            let n = n.unwrap_or_default();
            (n == "check" || (n.starts_with("check-") && !n.contains('.'))) && p.is_file()
        })
        .collect();
    candidates.sort_by_key(|p| std::cmp::Reverse(p.metadata().and_then(|m| m.modified()).ok()));
    for bin in &candidates {
        let o = std::process::Command::new(bin)
            .output()
            .expect("the example runs");
        let out = String::from_utf8_lossy(&o.stdout);
        if out.contains("running 0 tests") {
            continue; // a test-harness build of the example
        }
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(out.contains("*100#: 1342177280 bytes left"), "{out}");
        return;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "examples/check not built in {}: run the whole `cargo test` (it builds the examples)",
        dir.display()
    );
    eprintln!("skipped: the example program is not built (cargo test --test it does not build it)");
}
