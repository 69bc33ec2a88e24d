//! Text codecs for modem payloads (3GPP TS 23.038): GSM 7-bit default alphabet and its
//! extension table ([`gsm7`]), 7-bit packing with fill bits and the USSD/CBS CR padding rule,
//! UCS-2/UTF-16BE ([`ucs2`]), hex text ([`hex`]) and data coding scheme interpretation for
//! CBS/USSD (§5) and SMS (§4) ([`dcs`]).
//!
//! Invariant: every function here is pure and total. Decoders never panic and never drop
//! input silently: whatever could not be represented becomes U+FFFD (counted in
//! [`Decoded::replacements`]) and/or a human-readable entry in [`Decoded::warnings`].
//! Encoders return a typed [`CodecError`] naming the offending character and its index.

pub mod dcs;
pub mod gsm7;
pub mod hex;
pub mod ucs2;

pub use dcs::{Alphabet, CbsDcs, CbsGroup, MessageWaiting, SmsDcs, WaitingKind};

/// Text produced by a decoder, with an honest account of what went wrong on the way.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// The decoded text.
    pub text: String,
    /// How many U+FFFD replacement characters the decoder inserted (not counting any
    /// U+FFFD that was genuinely encoded in the input).
    pub replacements: usize,
    /// What the decoder had to guess, replace or remove, in input order.
    pub warnings: Vec<String>,
}

/// Errors of the text codecs. Offsets and indexes are 0-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// Hex text with an odd number of digits (after trimming surrounding whitespace).
    #[error("hex text has an odd number of digits ({digits})")]
    OddHexLength {
        /// Number of hex digits found.
        digits: usize,
    },
    /// A character that is not a hex digit.
    #[error("invalid hex character {ch:?} at byte offset {offset}")]
    InvalidHexChar {
        /// The offending character.
        ch: char,
        /// Byte offset of the character in the input string (before trimming).
        offset: usize,
    },
    /// A character with no code in the GSM 7-bit default alphabet or its extension table.
    #[error("character {ch:?} at index {index} is not in the GSM 7-bit default alphabet")]
    NotInGsmAlphabet {
        /// The offending character.
        ch: char,
        /// Index of the character (in `char`s) in the input text.
        index: usize,
    },
    /// A character that cannot be put into an AT command string in the chosen style
    /// (a quote, a control character, or a GSM character whose code differs from ASCII).
    #[error("character {ch:?} at index {index} cannot be sent in this request style: {reason}")]
    UnsafeCharacter {
        /// The offending character.
        ch: char,
        /// Index of the character (in `char`s) in the input text.
        index: usize,
        /// Why it cannot be sent.
        reason: &'static str,
    },
    /// Empty input where text is required.
    #[error("empty input")]
    Empty,
    /// Input longer than the protocol allows.
    #[error("too long: {len} septets, at most {max} allowed")]
    TooLong {
        /// Length found, in septets.
        len: usize,
        /// Maximum allowed, in septets.
        max: usize,
    },
    /// More septets were requested than the octets can hold.
    #[error("{wanted} septets requested but the {octets} octets hold only {available}")]
    SeptetsTruncated {
        /// Septets the caller asked for.
        wanted: usize,
        /// Septets that fit in the octets after the fill bits.
        available: usize,
        /// Number of octets given.
        octets: usize,
    },
}
