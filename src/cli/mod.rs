//! Command-line interface: argument parsing, running, rendering, exit codes.

/// Entry point of the `simquota` binary.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
