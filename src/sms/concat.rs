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
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Eq, Hash, Serialize)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::submit::{encode_submit, ConcatRef, SubmitOptions};
    use crate::sms::{Pdu, SmscPrefix};

    /// Parts of `text` as DELIVER-like values from `from` (SUBMITs re-labelled by address;
    /// the reassembler only looks at address, concat and text).
    fn parts(from: &str, text: &str, reference: u8) -> Vec<Sms> {
        let o = SubmitOptions {
            concat_reference: ConcatRef::EightBit(reference),
            ..SubmitOptions::default()
        };
        encode_submit(from, text, &o)
            .unwrap()
            .iter()
            .map(|p| Pdu::decode(&p.bytes, SmscPrefix::Present).unwrap())
            .collect()
    }

    fn loc(s: &str, i: u32) -> Option<Location> {
        Some(Location {
            storage: Some(s.into()),
            index: i,
        })
    }

    #[test]
    fn missing_part_is_reported_never_invented() {
        let text = "x".repeat(153) + &"y".repeat(153) + "z";
        let mut p = parts("+819012345678", &text, 9);
        assert_eq!(p.len(), 3);
        let third = p.pop().unwrap();
        let _second = p.pop().unwrap();
        let first = p.pop().unwrap();
        let mut r = Reassembler::new(Some("81"));
        assert_eq!(r.add(third, loc("SM", 2)), AddOutcome::Added);
        assert_eq!(r.add(first, loc("ME", 0)), AddOutcome::Added);
        assert!(r.complete().is_empty());
        let inc = r.incomplete();
        assert_eq!(inc.len(), 1);
        assert_eq!(inc[0].missing, vec![2]);
        assert_eq!(inc[0].text, "x".repeat(153) + "[part 2/3 missing]" + "z");
        assert!(!inc[0].is_complete());
        assert_eq!(
            inc[0].locations,
            vec![loc("SM", 2).unwrap(), loc("ME", 0).unwrap()]
        );
        // finish() returns it too.
        let all = r.finish();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].missing, vec![2]);
    }

    #[test]
    fn groups_are_keyed_by_sender_reference_and_total() {
        let text = "a".repeat(200);
        let mut r = Reassembler::new(Some("81"));
        // Same reference, two senders: two groups.
        for s in parts("+819011112222", &text, 5) {
            r.add(s, None);
        }
        for s in parts("+819033334444", &("b".repeat(200)), 5) {
            r.add(s, None);
        }
        // The national form of the first sender joins its group (a duplicate part).
        let mut national = parts("09011112222", &text, 5);
        assert_eq!(national[0].address.display(), "09011112222");
        assert_eq!(
            r.add(national.remove(0), loc("MT", 4)),
            AddOutcome::Duplicate
        );
        let done = r.complete();
        assert_eq!(done.len(), 2);
        assert_eq!(done[0].text, text);
        assert_eq!(done[1].text, "b".repeat(200));
        assert_eq!(done[0].locations, vec![loc("MT", 4).unwrap()]);
    }

    #[test]
    fn singles_pass_straight_through() {
        let mut r = Reassembler::new(None);
        let s = parts("10086", "hello", 1).pop().unwrap();
        assert_eq!(r.add(s, loc("SM", 1)), AddOutcome::Single);
        let done = r.complete();
        assert_eq!(done.len(), 1);
        assert_eq!((done[0].text.as_str(), done[0].total), ("hello", 1));
        assert!(r.complete().is_empty());
    }
}
