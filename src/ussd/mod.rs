//! USSD (3GPP TS 22.090 / TS 27.007 §7.15): the `+CUSD` result line, its payload decoding
//! (via [`crate::codec`]) and request encoding. The pure parts live in submodules
//! ([`cusd`], [`decode`], [`request`]); their main items are re-exported here.
//!
//! Invariant: nothing a modem sends makes this module panic or guess silently; an
//! undecodable reply is returned as its raw form with a warning saying so.

pub mod cusd;
pub mod decode;
pub mod flow;
pub mod request;

pub use cusd::{cusd_status_message, parse_cusd, Cusd, CusdParseError, UssdStatus};
pub use decode::{
    decode_payload, Charset, DecodeOverrides, Interpretation, ModemFamily, Priors, UssdText,
};
pub use request::{encode_request, RequestStyle, USSD_MAX_SEPTETS};

#[cfg(test)]
mod corpus_tests;
