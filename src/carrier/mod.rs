//! Carrier profiles as data: how to ask each carrier and how it answers.
//!
//! Profiles are TOML (`[[carrier]]` tables, format in `carriers/README.md`) read with serde.
//! The built-in set lives in `carriers/*.toml` and is compiled in with `include_str!`; user
//! files add profiles or replace built-ins with the same `id` (later files win).
//!
//! Invariants:
//! - every profile in a [`Registry`] passed [`Profile::validate`], ids are unique, and every
//!   `parent` names a profile in the same registry;
//! - no carrier logic lives in Rust: the code here only loads, checks and selects.
//!
//! Selection ([`Registry::select`]) follows this order, and says which rule decided:
//! 1. an explicit id (`--carrier jp-ahamo`) wins;
//! 2. the SIM's home network from the IMSI (3GPP TS 23.003 §2.2: MCC 3 digits, MNC 2 or 3)
//!    gives the candidates — the network owner plus its sub-brands and MVNOs, which share its
//!    MCC-MNC;
//! 3. the operator name (`+COPS`, SPN) picks among those candidates (case-, width- and
//!    punctuation-insensitive); with no IMSI it picks among all profiles;
//! 4. otherwise the network owner (the candidate without a `parent`) is used, and the other
//!    candidates are listed so a person can choose.
//!
//! `+COPS` names the *serving* network, the IMSI the *home* one: when roaming they disagree and
//! the IMSI wins, because the balance lives with the home carrier.

mod load;
mod name;
mod profile;

#[cfg(test)]
mod tests;

pub use load::ProfileError;
pub use name::normalize_name;
pub use profile::{
    check_hint, is_iso4217, is_slug, path_to_string, Cost, FieldProblem, Method, PathSeg, Profile,
    ISO_4217, KNOWN_CAPTURES, KNOWN_QUIRKS,
};

use load::{parse_file, Loaded};
use std::fmt;
use std::path::PathBuf;

/// The built-in profile files: (name shown in errors, text).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "carriers/example.toml",
        include_str!("../../carriers/example.toml"),
    ),
    ("carriers/jp.toml", include_str!("../../carriers/jp.toml")),
    ("carriers/cn.toml", include_str!("../../carriers/cn.toml")),
    ("carriers/hk.toml", include_str!("../../carriers/hk.toml")),
    ("carriers/tw.toml", include_str!("../../carriers/tw.toml")),
    ("carriers/kr.toml", include_str!("../../carriers/kr.toml")),
    (
        "carriers/europe.toml",
        include_str!("../../carriers/europe.toml"),
    ),
    (
        "carriers/world.toml",
        include_str!("../../carriers/world.toml"),
    ),
    (
        "carriers/africa.toml",
        include_str!("../../carriers/africa.toml"),
    ),
    (
        "carriers/south-asia.toml",
        include_str!("../../carriers/south-asia.toml"),
    ),
    ("carriers/sea.toml", include_str!("../../carriers/sea.toml")),
    (
        "carriers/mideast.toml",
        include_str!("../../carriers/mideast.toml"),
    ),
    (
        "carriers/americas.toml",
        include_str!("../../carriers/americas.toml"),
    ),
    (
        "carriers/oceania.toml",
        include_str!("../../carriers/oceania.toml"),
    ),
];

/// MCCs whose networks use 3-digit MNCs (North America, 3GPP TS 23.003 §2.2 note; plus the
/// Latin American and other allocations that do so throughout).
const THREE_DIGIT_MNC_MCCS: &[&str] = &[
    "302", "310", "311", "312", "313", "314", "315", "316", "334", "338", "342", "344", "346",
    "348", "350", "352", "354", "356", "358", "360", "365", "366", "376", "708", "722", "732",
    "750",
];

/// A home network: MCC and MNC with the MNC length kept (`"310"`+`"260"`, `"440"`+`"10"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Plmn {
    /// Mobile country code, 3 digits.
    pub mcc: String,
    /// Mobile network code, 2 or 3 digits.
    pub mnc: String,
}

impl fmt::Display for Plmn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.mcc, self.mnc)
    }
}

/// Why an IMSI could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImsiError {
    /// Not 6–15 ASCII digits (TS 23.003 §2.2: at most 15 digits).
    #[error(
        "IMSI must be 6 to 15 digits, got {len} character(s); first bad byte at offset {bad_at:?}"
    )]
    Malformed {
        /// Length in bytes of what was given (after trimming).
        len: usize,
        /// Byte offset of the first non-digit, if any.
        bad_at: Option<usize>,
    },
}

/// Splits an IMSI into MCC and MNC.
///
/// The MNC length is not in the IMSI itself (it is on the SIM, EF_AD). Rule used: MCCs in
/// North America and a few others always take 3 digits; elsewhere a 3-digit MCC-MNC that
/// `is_known` accepts wins, then a known 2-digit one, then 2 digits (the common case).
pub fn mcc_mnc_from_imsi(imsi: &str, is_known: impl Fn(&str) -> bool) -> Result<Plmn, ImsiError> {
    let imsi = imsi.trim();
    let bad_at = imsi.bytes().position(|b| !b.is_ascii_digit());
    if bad_at.is_some() || !(6..=15).contains(&imsi.len()) {
        return Err(ImsiError::Malformed {
            len: imsi.len(),
            bad_at,
        });
    }
    // All bytes are ASCII digits, so byte slicing is on char boundaries.
    let mcc = imsi.get(..3).unwrap_or_default();
    let three = imsi.get(3..6).unwrap_or_default();
    let two = imsi.get(3..5).unwrap_or_default();
    let plmn = |mnc: &str| Plmn {
        mcc: mcc.to_string(),
        mnc: mnc.to_string(),
    };
    if THREE_DIGIT_MNC_MCCS.contains(&mcc) || is_known(&format!("{mcc}{three}")) {
        return Ok(plmn(three));
    }
    Ok(plmn(two))
}

/// Which rule chose the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectedBy {
    /// The caller named the id.
    Explicit,
    /// The IMSI's home network (the owner of this MCC-MNC).
    Imsi(Plmn),
    /// The operator name matched a name or alias.
    OperatorName,
    /// Nothing matched.
    Nothing,
}

impl fmt::Display for SelectedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectedBy::Explicit => f.write_str("explicit"),
            SelectedBy::Imsi(p) => write!(f, "imsi {p}"),
            SelectedBy::OperatorName => f.write_str("operator name"),
            SelectedBy::Nothing => f.write_str("none"),
        }
    }
}

/// The outcome of [`Registry::select`].
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    /// The chosen profile, if any.
    pub profile: Option<&'a Profile>,
    /// Other profiles that fit (sub-brands and MVNOs on the same network…).
    pub candidates: Vec<&'a Profile>,
    /// Which rule decided.
    pub how: SelectedBy,
    /// Sentences for people: ambiguity, roaming, what to do when nothing matched.
    pub notes: Vec<String>,
}

/// All known profiles: the built-ins plus user files.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: Vec<Loaded>,
    problems: Vec<String>,
}

impl Registry {
    /// The compiled-in profiles. Never fails: a built-in file that does not load (a test
    /// forbids it) is left out and reported by [`Registry::problems`].
    pub fn builtin() -> Registry {
        let mut reg = Registry::default();
        for (name, text) in BUILTIN_FILES {
            match parse_file(name, text) {
                Ok(loaded) => {
                    for l in loaded {
                        reg.insert(l);
                    }
                }
                Err(e) => reg.problems.push(e.to_string()),
            }
        }
        reg
    }

    /// The built-ins, failing on the first built-in file that does not load or check.
    pub fn try_builtin() -> Result<Registry, ProfileError> {
        let mut reg = Registry::default();
        for (name, text) in BUILTIN_FILES {
            let loaded = parse_file(name, text)?;
            for l in loaded {
                if let Some(prev) = reg.entries.iter().find(|e| e.profile.id == l.profile.id) {
                    return Err(ProfileError::Invalid {
                        file: l.file.clone(),
                        line: l.line,
                        column: 1,
                        field: Some("id".into()),
                        message: format!(
                            "duplicate id \"{}\" (also in {}:{})",
                            l.profile.id, prev.file, prev.line
                        ),
                    });
                }
                reg.insert(l);
            }
        }
        reg.check_parents()?;
        Ok(reg)
    }

    /// The built-ins plus `extra_files` in order; a later profile replaces an earlier one
    /// with the same id. Any unreadable or invalid file is an error naming file, line, field.
    pub fn load(extra_files: &[PathBuf]) -> Result<Registry, ProfileError> {
        let mut reg = Registry::builtin();
        for path in extra_files {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
                file: file.clone(),
                source,
            })?;
            reg.add_text(&file, &text)?;
        }
        reg.check_parents()?;
        Ok(reg)
    }

    /// Adds profiles from TOML text (`file` names it in errors); same ids replace.
    /// Parents are checked by [`Registry::load`]; call [`Registry::check_parents`] after this.
    pub fn add_text(&mut self, file: &str, text: &str) -> Result<(), ProfileError> {
        for l in parse_file(file, text)? {
            self.insert(l);
        }
        Ok(())
    }

    /// Fails if a profile names a `parent` that is not in the registry.
    pub fn check_parents(&self) -> Result<(), ProfileError> {
        for e in &self.entries {
            if let Some(p) = &e.profile.parent {
                if self.get(p).is_none() {
                    return Err(ProfileError::Invalid {
                        file: e.file.clone(),
                        line: e.parent_line.unwrap_or(e.line),
                        column: 1,
                        field: Some("parent".into()),
                        message: format!("parent \"{p}\" is not a known profile id"),
                    });
                }
            }
        }
        Ok(())
    }

    fn insert(&mut self, l: Loaded) {
        match self
            .entries
            .iter_mut()
            .find(|e| e.profile.id == l.profile.id)
        {
            Some(slot) => *slot = l,
            None => self.entries.push(l),
        }
    }

    /// Files to load after the built-ins, lowest priority first: `/etc/simquota/carriers.toml`,
    /// then `$XDG_CONFIG_HOME/simquota/carriers.toml` (or `~/.config/…`), so the user's file
    /// wins. Only files that exist are returned.
    pub fn default_paths() -> Vec<PathBuf> {
        let mut out = vec![PathBuf::from("/etc/simquota/carriers.toml")];
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute());
        let config =
            xdg.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        if let Some(dir) = config {
            out.push(dir.join("simquota").join("carriers.toml"));
        }
        out.retain(|p| p.is_file());
        out
    }

    /// Built-in files that failed to load (empty unless the build is broken).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// The profile with this id.
    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.entries
            .iter()
            .find(|e| e.profile.id == id)
            .map(|e| &e.profile)
    }

    /// Where a profile was defined: (file, line of its `[[carrier]]` table).
    pub fn origin(&self, id: &str) -> Option<(&str, usize)> {
        self.entries
            .iter()
            .find(|e| e.profile.id == id)
            .map(|e| (e.file.as_str(), e.line))
    }

    /// All profiles, built-ins first, in file order.
    pub fn all(&self) -> impl Iterator<Item = &Profile> {
        self.entries.iter().map(|e| &e.profile)
    }

    /// The MCC-MNCs a profile's SIMs carry: its own, else its parent's (one level up the chain
    /// at a time, cycles stopped).
    pub fn effective_mcc_mnc<'a>(&'a self, p: &'a Profile) -> &'a [String] {
        let mut cur = p;
        for _ in 0..8 {
            if !cur.mcc_mnc.is_empty() {
                return &cur.mcc_mnc;
            }
            match cur.parent.as_deref().and_then(|id| self.get(id)) {
                Some(next) => cur = next,
                None => break,
            }
        }
        &[]
    }

    /// True when some profile lists this MCC-MNC.
    pub fn knows_mcc_mnc(&self, mcc_mnc: &str) -> bool {
        self.all().any(|p| p.mcc_mnc.iter().any(|m| m == mcc_mnc))
    }

    /// Splits an IMSI using this registry's MCC-MNCs to settle the MNC length.
    pub fn plmn_for_imsi(&self, imsi: &str) -> Result<Plmn, ImsiError> {
        mcc_mnc_from_imsi(imsi, |m| self.knows_mcc_mnc(m))
    }

    /// Profiles whose name or an alias equals `operator` after [`normalize_name`].
    pub fn by_operator_name(&self, operator: &str) -> Vec<&Profile> {
        let want = normalize_name(operator);
        if want.is_empty() {
            return Vec::new();
        }
        self.all()
            .filter(|p| {
                std::iter::once(&p.name)
                    .chain(p.aliases.iter())
                    .any(|n| normalize_name(n) == want)
            })
            .collect()
    }

    /// Chooses the profile for a SIM; see the module docs for the order of rules.
    pub fn select(
        &self,
        imsi: Option<&str>,
        operator_name: Option<&str>,
        explicit: Option<&str>,
    ) -> Selection<'_> {
        let mut notes = Vec::new();
        let plmn = match imsi.map(|i| self.plmn_for_imsi(i)) {
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                notes.push(format!("IMSI ignored: {e}"));
                None
            }
            None => None,
        };
        let network: Vec<&Profile> = match &plmn {
            Some(p) => {
                let key = p.to_string();
                self.all()
                    .filter(|prof| self.effective_mcc_mnc(prof).contains(&key))
                    .collect()
            }
            None => Vec::new(),
        };
        let named: Vec<&Profile> = operator_name
            .map(|n| self.by_operator_name(n))
            .unwrap_or_default();

        if let Some(id) = explicit {
            return match self.get(id) {
                Some(p) => {
                    if let Some(pl) = &plmn {
                        if !network.is_empty() && !network.iter().any(|c| c.id == p.id) {
                            notes.push(format!(
                                "{} was chosen explicitly, but the SIM's home network {pl} belongs to {}",
                                p.id,
                                ids(&network)
                            ));
                        }
                    }
                    Selection {
                        profile: Some(p),
                        candidates: Vec::new(),
                        how: SelectedBy::Explicit,
                        notes,
                    }
                }
                None => {
                    notes.push(format!(
                        "no carrier profile has the id \"{id}\" (`simquota carriers` lists them)"
                    ));
                    Selection {
                        profile: None,
                        candidates: network,
                        how: SelectedBy::Nothing,
                        notes,
                    }
                }
            };
        }

        if let Some(pl) = &plmn {
            if !network.is_empty() {
                // The operator name may pick a sub-brand on this network.
                if let Some(p) = named.iter().find(|n| network.iter().any(|c| c.id == n.id)) {
                    let candidates = others(&network, p);
                    return Selection {
                        profile: Some(p),
                        candidates,
                        how: SelectedBy::OperatorName,
                        notes,
                    };
                }
                if let (Some(op), false) = (operator_name, named.is_empty()) {
                    notes.push(format!(
                        "operator name \"{op}\" is {}, but the SIM's home network is {pl}: roaming? using the home network",
                        ids(&named)
                    ));
                }
                let roots: Vec<&Profile> = network
                    .iter()
                    .copied()
                    .filter(|p| p.parent.is_none())
                    .collect();
                let chosen = roots.first().copied().or_else(|| network.first().copied());
                if roots.len() > 1 {
                    notes.push(format!(
                        "{pl} is listed by several network profiles ({}); using the first",
                        ids(&roots)
                    ));
                }
                let candidates = chosen.map(|c| others(&network, c)).unwrap_or_default();
                if !candidates.is_empty() {
                    notes.push(format!(
                        "{pl} is shared by sub-brands and MVNOs ({}); pass the carrier id explicitly to choose one",
                        ids(&candidates)
                    ));
                }
                return Selection {
                    profile: chosen,
                    candidates,
                    how: SelectedBy::Imsi(pl.clone()),
                    notes,
                };
            }
            notes.push(format!("no profile lists the home network {pl}"));
        }

        if let Some(first) = named.first() {
            let candidates = others(&named, first);
            if !candidates.is_empty() {
                notes.push(format!(
                    "operator name fits several profiles ({}); using the first",
                    ids(&named)
                ));
            }
            return Selection {
                profile: Some(first),
                candidates,
                how: SelectedBy::OperatorName,
                notes,
            };
        }

        let mut what = Vec::new();
        if let Some(pl) = &plmn {
            what.push(format!("IMSI network {pl}"));
        }
        if let Some(op) = operator_name {
            what.push(format!("operator \"{op}\""));
        }
        if what.is_empty() {
            notes.push("no IMSI, operator name or carrier id to choose a profile with".into());
        } else {
            notes.push(format!(
                "no carrier profile for {}; add one to ~/.config/simquota/carriers.toml (format: carriers/README.md)",
                what.join(" / ")
            ));
        }
        Selection {
            profile: None,
            candidates: Vec::new(),
            how: SelectedBy::Nothing,
            notes,
        }
    }
}

fn others<'a>(all: &[&'a Profile], chosen: &Profile) -> Vec<&'a Profile> {
    all.iter().copied().filter(|p| p.id != chosen.id).collect()
}

fn ids(ps: &[&Profile]) -> String {
    ps.iter()
        .map(|p| p.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
