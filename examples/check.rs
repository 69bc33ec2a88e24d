//! A balance check through the library API: `cargo run --example check` asks the built-in
//! emulator; `cargo run --example check -- /dev/ttyUSB2` asks a real modem.
use simquota::check::{self, CheckError, Outcome, Request};
use simquota::emulator::{scenario::Scenario, Family};

/// Runs the check and says what it found, in one line.
pub async fn check_balance(req: &Request) -> Result<String, CheckError> {
    Ok(match check::run(req).await? {
        Outcome::Reading(r) => match (r.understood, r.remaining_bytes) {
            (true, Some(b)) => format!("{}: {b} bytes left ({})", r.request, r.reply_text),
            (true, None) => format!("{}: {}", r.request, r.reply_text),
            (false, _) => format!("{}: not understood: {}", r.request, r.reply_text),
        },
        Outcome::NoMethod(n) => format!("{}: no way for a modem to ask", n.carrier.name),
    })
}

#[allow(dead_code)] // the tests include this file for `check_balance`
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let req = match std::env::args().nth(1) {
        Some(port) => Request::port(port),
        None => Request::simulated(Family::Huawei, Scenario::builtin_default()),
    };
    match check_balance(&req).await {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("check failed ({:?}): {e}", e.kind);
            std::process::ExitCode::FAILURE
        }
    }
}
