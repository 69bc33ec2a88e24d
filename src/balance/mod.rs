//! Understanding carrier replies: remaining / used / total data, money, expiry.
//!
//! Input is the decoded reply text (USSD or SMS); output is a [`Reading`]. The module is pure:
//! no I/O, no clock (the caller passes today's date in [`ParseOptions`]), no carrier-specific
//! code (a carrier profile may pass regular-expression hints). Anything not understood is
//! reported in [`Reading::notes`] and lowers [`Reading::confidence`]; nothing is guessed.
//!
//! - `number`: normalisation (full-width forms, odd spaces) and the decimal/thousands separator
//!   rule;
//! - `unit`: data sizes (B…TB, K/M/G in Chinese, ギガ, パケット = 128 bytes), speeds and
//!   [`format_bytes`];
//! - `date`: [`Date`] and the date forms carriers print;
//! - `lexicon`: marker words per language (ja, zh-Hans, zh-Hant, en, ru, uk, de, pl, sv, id, cs,
//!   hu, fr) and language detection;
//! - `parse`: tokens, clauses, binding of values to markers, the [`Reading`].

mod assign;
mod date;
mod explain;
mod lexicon;
mod model;
mod money;
mod number;
mod parse;
mod unit;
mod words;

#[cfg(test)]
mod samples;
#[cfg(test)]
mod tests;

pub use date::{Date, DateError};
pub use explain::explain;
pub use model::{Candidate, DataBucket, Money, ParseOptions, Reading, Throttle, SCHEMA_VERSION};
pub use parse::parse;
pub use unit::format_bytes;
