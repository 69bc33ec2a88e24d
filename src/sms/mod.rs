//! SMS: PDU codec (3GPP TS 23.040), concatenation reassembly, and the `+CMGL`/`+CMGR`
//! listing grammar of TS 27.005 (PDU and text mode). Everything here is pure: bytes and
//! lines in, values out; no I/O, no clock.
//!
//! Layout (STYLE.md §4, §6): [`pdu`] holds the raw view ([`Pdu`]) and the validated value
//! ([`Sms`]) with `decode`/`encode`; one file per message kind ([`deliver`], [`submit`],
//! [`status_report`]) reads and writes that kind's fields; [`address`], [`timestamp`] and
//! [`udh`] are the shared field codecs. Text decoding itself is [`crate::codec`]'s job.
//!
//! Invariants:
//! - Decoding never panics. A field that cannot be read (a truncated header, a UDH whose
//!   information element runs past the user data, a reserved message type) is a
//!   [`PduError`] naming the field and the byte offset from the first byte given to the
//!   decoder (the SMSC length octet when an SMSC prefix is present).
//! - User data shorter than TP-UDL announces is *not* an error: what is there is decoded and
//!   a warning says how much was missing and where (corpus A3: "はい" with an invalid UDL,
//!   truncated test fixtures). Trailing octets after the user data are reported likewise.
//!   Nothing is dropped silently: replacement characters are counted and every guess is a
//!   warning in [`Sms::warnings`].

pub mod address;
pub mod compose;
pub mod concat;
pub mod deliver;
pub mod flow;
pub mod guard;
pub mod listing;
pub mod pdu;
pub mod status_report;
pub mod submit;
pub mod text_mode;
pub mod timestamp;
pub mod udh;

pub use address::{normalize_number, same_sender, Address, TypeOfNumber};
pub use concat::{AddOutcome, Location, Message, Reassembler};
pub use deliver::Deliver;
pub use listing::{parse_cmgl, parse_cmgr, ListEntry, ListItem, ListingError, MessageStatus};
pub use pdu::{Pdu, Sms, SmsKind, SmscPrefix};
pub use status_report::StatusReport;
pub use submit::{
    encode_submit, ConcatRef, EncodeError, Submit, SubmitOptions, SubmitPdu, ValidityPeriod,
};
pub use text_mode::{parse_text_listing, TextCharset, TextEntry, TextItem};
pub use timestamp::Timestamp;
pub use udh::{Concat, InformationElement};

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod submit_tests;

/// Errors of the PDU decoder. Offsets are 0-based byte offsets from the first byte given
/// to the decoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PduError {
    /// The PDU ended inside a field.
    #[error("PDU truncated in {field} at byte offset {offset}: {needed} more byte(s) needed")]
    Truncated {
        /// The field being read (TS 23.040 name, e.g. `TP-OA`).
        field: &'static str,
        /// Where the field (or its missing part) starts.
        offset: usize,
        /// How many more bytes the field needs.
        needed: usize,
    },
    /// A field whose value cannot be interpreted.
    #[error("invalid {field} at byte offset {offset}: {reason}")]
    Invalid {
        /// The field (TS 23.040 name).
        field: &'static str,
        /// Byte offset of the field.
        offset: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A valid coding this decoder does not implement.
    #[error("unsupported {what} at byte offset {offset}")]
    Unsupported {
        /// What is not supported (e.g. "compressed user data (TS 23.042)").
        what: String,
        /// Byte offset of the field that says so.
        offset: usize,
    },
    /// Hex text that is not hex.
    #[error("PDU hex: {0}")]
    Hex(#[from] crate::codec::CodecError),
    /// A value that cannot be encoded (re-encoding a decoded message).
    #[error("cannot encode {field}: {reason}")]
    Encode {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl PduError {
    /// The byte offset the error names, if any.
    pub fn offset(&self) -> Option<usize> {
        match self {
            PduError::Truncated { offset, .. }
            | PduError::Invalid { offset, .. }
            | PduError::Unsupported { offset, .. } => Some(*offset),
            PduError::Hex(crate::codec::CodecError::InvalidHexChar { offset, .. }) => Some(*offset),
            _ => None,
        }
    }
}

/// A byte cursor that knows its absolute offset, so every error names where it happened.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], pos: usize) -> Self {
        Reader { bytes, pos }
    }

    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, PduError> {
        let b = self
            .bytes
            .get(self.pos)
            .copied()
            .ok_or(PduError::Truncated {
                field,
                offset: self.pos,
                needed: 1,
            })?;
        self.pos += 1;
        Ok(b)
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], PduError> {
        let end = self.pos.checked_add(n).ok_or(PduError::Truncated {
            field,
            offset: self.pos,
            needed: n,
        })?;
        match self.bytes.get(self.pos..end) {
            Some(s) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(PduError::Truncated {
                field,
                offset: self.pos,
                needed: end - self.bytes.len().max(self.pos),
            }),
        }
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos = self.bytes.len().max(self.pos);
        s
    }
}
