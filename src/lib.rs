//! simquota — how much mobile data is left on this SIM?
//!
//! The library behind the `simquota` binary. Data flows one way (see `docs/ARCHITECTURE.md`):
//! bytes from the modem become AT events ([`at`]), events become text ([`codec`], [`ussd`],
//! [`sms`]), text becomes a reading ([`balance`]), and [`check`] runs the whole balance check
//! (the API for embedding simquota: `examples/check.rs`). The protocol core is sans-IO: the
//! drivers in [`modem`] and the [`emulator`] only move bytes and time in and out of it.
#![warn(missing_docs)]

pub mod at;
pub mod balance;
pub mod carrier;
pub mod check;
pub mod cli;
pub mod codec;
pub mod config;
pub mod emulator;
#[cfg(feature = "mm")]
pub mod mm;
pub mod modem;
pub mod monitor;
pub mod output;
#[doc(hidden)]
pub mod peers;
pub mod plan;
pub mod ports;
pub mod sms;
pub mod state;
pub mod transcript;
pub mod ussd;
