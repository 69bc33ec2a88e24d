//! One integration test binary (STYLE.md §7): end-to-end runs of the real `simquota` binary
//! against the emulator over real pseudo-terminals, transcript replays, and peer interop.

mod common;
mod docs;
mod e2e_balance;
mod e2e_compat;
mod e2e_daemons;
mod e2e_errors;
mod e2e_faults;
mod e2e_mm;
mod e2e_plan;
mod e2e_ports;
mod e2e_promises;
mod e2e_report;
mod e2e_sms;
mod e2e_watch;
mod example;
mod gammu;
mod no_panic;
mod openwrt;
mod packaging;
mod readme_examples;
mod replies;
mod schema;
mod soak;
mod transcripts;
