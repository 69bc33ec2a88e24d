//! Reassembly of concatenated messages (TS 23.040 §9.2.3.24.1/.8).
//!
//! Parts are grouped by (sender normalised with [`normalize_number`], reference, total):
//! the reference alone is only unique per sender, and the total guards against two long
//! messages reusing a reference. Parts may arrive in any order and from several storages
//! (SM, ME, MT); a second copy of a part number is ignored (its location is still
//! recorded). Single-part messages (no concatenation element, or 1 of 1) pass straight
//! through.
//!
//! Invariant: no text is invented. An incomplete group is only ever reported with its
//! missing part numbers and, in the partial text, an explicit `[part k/n missing]` marker
//! where each missing part would be.

use serde::Serialize;

use super::address::{normalize_number, Address};
use super::pdu::Sms;
use super::timestamp::Timestamp;

/// Where a part was stored: the `+CPMS` storage name and the index in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    /// Storage (`"SM"`, `"ME"`, `"MT"`, …), if known.
    pub storage: Option<String>,
    /// Index in that storage.
    pub index: u32,
}

/// A whole message (or what is known of an incomplete one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Sender (or recipient for stored SUBMITs) as in the first part received.
    pub address: Address,
    /// Time stamp of the earliest-numbered part received.
    pub timestamp: Option<Timestamp>,
    /// Concatenation reference (`None` for single-part messages).
    pub reference: Option<u16>,
    /// Number of parts announced (1 for single messages).
    pub total: u8,
    /// Joined text; in an incomplete message each missing part is `[part k/n missing]`.
    pub text: String,
    /// Part numbers not received (empty when complete).
    pub missing: Vec<u8>,
    /// Storage locations of every part received, duplicates included, in arrival order.
    pub locations: Vec<Location>,
    /// Replacement characters across the parts.
    pub replacements: usize,
    /// Warnings of the parts, prefixed with the part number.
    pub warnings: Vec<String>,
}

impl Message {
    /// True when every part was received.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// What [`Reassembler::add`] did with a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// Not concatenated: queued as a complete message.
    Single,
    /// Stored as a new part of a group.
    Added,
    /// The group already has this part number; the copy was ignored.
    Duplicate,
}

#[derive(Debug, Clone)]
struct Group {
    key: (String, u16, u8),
    total: u8,
    parts: Vec<Option<Sms>>,
    locations: Vec<Location>,
}

impl Group {
    fn missing(&self) -> Vec<u8> {
        self.parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_none())
            .map(|(i, _)| (i + 1) as u8)
            .collect()
    }

    fn into_message(self) -> Option<Message> {
        let missing = self.missing();
        let first = self.parts.iter().flatten().next()?;
        let mut m = Message {
            address: first.address.clone(),
            timestamp: first.timestamp,
            reference: first.concat.map(|c| c.reference),
            total: self.total,
            text: String::new(),
            missing,
            locations: self.locations,
            replacements: 0,
            warnings: Vec::new(),
        };
        for (i, p) in self.parts.iter().enumerate() {
            let n = i + 1;
            match p {
                Some(p) => {
                    m.text.push_str(&p.text);
                    m.replacements += p.replacements;
                    m.warnings
                        .extend(p.warnings.iter().map(|w| format!("part {n}: {w}")));
                }
                None => m
                    .text
                    .push_str(&format!("[part {n}/{} missing]", self.total)),
            }
        }
        Some(m)
    }
}

/// Collects parts and yields whole messages.
#[derive(Debug, Clone, Default)]
pub struct Reassembler {
    country_code: Option<String>,
    groups: Vec<Group>,
    ready: Vec<Message>,
}

impl Reassembler {
    /// A reassembler; `country_code` (e.g. `"81"`) is the hint for [`normalize_number`].
    pub fn new(country_code: Option<&str>) -> Self {
        Reassembler {
            country_code: country_code.map(str::to_string),
            ..Reassembler::default()
        }
    }

    /// Add one decoded part and where it was stored.
    pub fn add(&mut self, sms: Sms, location: Option<Location>) -> AddOutcome {
        let concat = match sms.concat {
            Some(c) if c.total > 1 => c,
            _ => {
                self.ready.push(Message {
                    address: sms.address.clone(),
                    timestamp: sms.timestamp,
                    reference: sms.concat.map(|c| c.reference),
                    total: 1,
                    text: sms.text,
                    missing: Vec::new(),
                    locations: location.into_iter().collect(),
                    replacements: sms.replacements,
                    warnings: sms.warnings,
                });
                return AddOutcome::Single;
            }
        };
        let key = (
            normalize_number(&sms.address.display(), self.country_code.as_deref()),
            concat.reference,
            concat.total,
        );
        let pos = match self.groups.iter().position(|g| g.key == key) {
            Some(p) => p,
            None => {
                self.groups.push(Group {
                    key,
                    total: concat.total,
                    parts: vec![None; usize::from(concat.total)],
                    locations: Vec::new(),
                });
                self.groups.len() - 1
            }
        };
        let Some(g) = self.groups.get_mut(pos) else {
            return AddOutcome::Duplicate;
        };
        g.locations.extend(location);
        let slot = usize::from(concat.seq)
            .checked_sub(1)
            .and_then(|i| g.parts.get_mut(i));
        match slot {
            Some(slot @ None) => {
                *slot = Some(sms);
                AddOutcome::Added
            }
            _ => AddOutcome::Duplicate,
        }
    }

    /// Take every message that is complete now (singles and full groups), in the order their
    /// first part arrived (singles first).
    pub fn complete(&mut self) -> Vec<Message> {
        let mut out = std::mem::take(&mut self.ready);
        let (done, pending): (Vec<Group>, Vec<Group>) = std::mem::take(&mut self.groups)
            .into_iter()
            .partition(|g| g.parts.iter().all(Option::is_some));
        self.groups = pending;
        out.extend(done.into_iter().filter_map(Group::into_message));
        out
    }

    /// Groups still missing parts, as messages with gap markers (not removed).
    pub fn incomplete(&self) -> Vec<Message> {
        self.groups
            .iter()
            .filter(|g| g.parts.iter().any(Option::is_none))
            .cloned()
            .filter_map(Group::into_message)
            .collect()
    }

    /// Everything: complete messages, then incomplete ones with their gaps.
    pub fn finish(mut self) -> Vec<Message> {
        let mut out = self.complete();
        out.extend(self.incomplete());
        out
    }
}
