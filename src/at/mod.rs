//! AT command session core (sans-IO): bytes in, events out, time passed in.
//!
//! The layers, bottom up:
//! - line framing: bytes → lines and the `> ` prompt (V.250 §5.7, TS 27.005 §3.5.1);
//! - [`result`]: final result codes, with typed [`CmeError`] / [`CmsError`] ([`error_codes`]);
//! - URCs ([`Urc`], [`UrcKind`]): unsolicited result codes and their follow-up lines;
//! - [`params`]: splitting `+NAME: a,"b",c` parameter lists and quoting strings for commands;
//! - [`command`]: what is sent, and the V.250 syntax that decides how replies are routed;
//! - [`session`]: the state machine that ties them together ([`Session`]).
//!
//! Invariant: nothing here does I/O, reads a clock or sleeps, and no modem input is an error or
//! a panic. The tokio driver, the blocking driver, the emulator tests and the CLI all run this
//! one core.
//!
//! ```
//! use std::time::Instant;
//! use simquota::at::{Command, Event, FinalResult, Session, SessionConfig, UrcKind};
//!
//! let now = Instant::now();
//! let mut s = Session::new(SessionConfig::default());
//! s.submit(Command::new("AT+CUSD=1,\"*100#\",15"), now).unwrap();
//! assert_eq!(s.poll_transmit(), Some(b"AT+CUSD=1,\"*100#\",15\r".to_vec()));
//! s.handle_input(now, b"\r\nOK\r\n\r\n+CUSD: 0,\"Balance 5.00\",15\r\n");
//! assert!(matches!(s.poll_event(), Some(Event::Response(r)) if r.result == FinalResult::Ok));
//! assert!(matches!(s.poll_event(), Some(Event::Urc(u)) if u.kind == UrcKind::Cusd));
//! ```

pub mod command;
pub mod error_codes;
mod line;
pub mod params;
pub mod result;
pub mod session;
mod urc;

#[cfg(test)]
mod tests;

pub use command::{Command, Syntax};
pub use error_codes::{CmeError, CmsError};
pub use params::{quote, split_params, Param, SplitLine};
pub use result::FinalResult;
pub use session::{Event, Response, Session, SessionConfig, SessionError};
pub use urc::{Urc, UrcKind};
