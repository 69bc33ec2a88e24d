//! Where plans and counts live.
//!
//! - Plans (and their anchors) are the user's configuration: `plans.toml` in the config
//!   directory (`$SIMQUOTA_PLANS`, else `$XDG_CONFIG_HOME/simquota/plans.toml`, else
//!   `~/.config/simquota/plans.toml`, else `/etc/simquota/plans.toml`), hand-editable, written
//!   atomically ([`crate::state::write_atomic`]: a `tempfile` in the same directory, fsynced,
//!   renamed) under an advisory lock. A `--simulate` run reads and writes the same file: a plan set
//!   for the emulator's SIM (its own ICCID) applies to simulated runs of that SIM only.
//! - Counts are throw-away-able state: `plan-counts.json` in the state directory
//!   ([`crate::state::StateDir`]), written in batches ([`Counts::due`]) so a router's flash is
//!   spared; a `--simulate` run counts into its scratch directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ledger::Ledger;
use super::{Anchor, AnchorSource, Plan, PlanError, Result, Size, MAX_ANCHORS};
use crate::monitor::estimate::{read_counters, CounterSample};
use crate::state::StateDir;

/// File name of the plans in the config directory.
pub const PLANS_FILE: &str = "plans.toml";

/// File name of the counts in the state directory.
pub const COUNTS_FILE: &str = "plan-counts.json";

/// Default interval between two writes of the counts (seconds).
pub const DEFAULT_WRITE_INTERVAL: i64 = 15 * 60;

/// The plans file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plans {
    /// One `[[sim]]` per SIM.
    #[serde(default, rename = "sim")]
    pub sims: Vec<Plan>,
}

impl Plans {
    /// Where the plans file is (whether or not it exists).
    pub fn default_path() -> PathBuf {
        if let Some(p) = std::env::var_os("SIMQUOTA_PLANS").filter(|v| !v.is_empty()) {
            return PathBuf::from(p);
        }
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        match xdg {
            Some(d) => d.join("simquota").join(PLANS_FILE),
            None => PathBuf::from("/etc/simquota").join(PLANS_FILE),
        }
    }

    /// Parses a plans file's text; errors name the file.
    pub fn parse(text: &str, name: &str) -> Result<Plans> {
        let p: Plans =
            toml::from_str(text).map_err(|e| PlanError::Invalid(format!("{name}: {e}")))?;
        for plan in &p.sims {
            plan.validate()
                .map_err(|e| PlanError::Invalid(format!("{name}: SIM {}: {e}", plan.iccid)))?;
        }
        Ok(p)
    }

    /// Reads `path`; a missing file is no plans.
    pub fn load(path: &Path) -> Result<Plans> {
        match std::fs::read_to_string(path) {
            Ok(t) => Plans::parse(&t, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Plans::default()),
            Err(e) => Err(PlanError::Io(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Writes `path` atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let body = toml::to_string(self)
            .map_err(|e| PlanError::Invalid(format!("cannot write the plans: {e}")))?;
        let text = format!(
            "# simquota plans, one [[sim]] per SIM (by ICCID). Written by `simquota plan …`; you may edit it.\n# Sizes are binary (1GB = 1024MB); times are RFC 3339.\n\n{body}"
        );
        if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(d)
                .map_err(|e| PlanError::Io(format!("cannot create {}: {e}", d.display())))?;
        }
        crate::state::write_atomic(path, text.as_bytes())
            .map_err(|e| PlanError::Io(format!("cannot write {}: {e}", path.display())))
    }

    /// Reads, changes and writes `path` under its lock.
    pub fn update<T>(path: &Path, f: impl FnOnce(&mut Plans) -> Result<T>) -> Result<T> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(PLANS_FILE);
        let _lock = StateDir::at(dir)
            .lock(name, Duration::from_secs(10))
            .map_err(|e| PlanError::Io(format!("cannot lock {}: {e}", path.display())))?;
        let mut plans = Plans::load(path)?;
        let v = f(&mut plans)?;
        plans.save(path)?;
        Ok(v)
    }

    /// The plan of `iccid`.
    pub fn get(&self, iccid: &str) -> Option<&Plan> {
        self.sims.iter().find(|p| p.iccid == iccid)
    }

    /// The plan of `iccid`, to change.
    pub fn get_mut(&mut self, iccid: &str) -> Option<&mut Plan> {
        self.sims.iter_mut().find(|p| p.iccid == iccid)
    }

    /// Sets (replaces) the plan of its ICCID, keeping its packs and anchors when `keep` is true.
    pub fn set(&mut self, mut plan: Plan, keep: bool) {
        if let Some(old) = self.get_mut(&plan.iccid) {
            if keep {
                plan.packs = std::mem::take(&mut old.packs);
                plan.anchors = std::mem::take(&mut old.anchors);
                plan.since = old.since;
            }
            *old = plan;
        } else {
            self.sims.push(plan);
        }
    }

    /// Removes the plan of `iccid`; true when there was one.
    pub fn remove(&mut self, iccid: &str) -> bool {
        let n = self.sims.len();
        self.sims.retain(|p| p.iccid != iccid);
        self.sims.len() != n
    }
}

/// Adds an anchor to `plan` at `at`, with the drift (what the estimate said then less the
/// anchor) when the plan's counts allow one; returns notes for people.
pub fn add_anchor(
    plan: &mut Plan,
    ledger: &Ledger,
    remaining: u64,
    source: AnchorSource,
    at: i64,
) -> Result<Vec<String>> {
    let tz = super::cycle::zone(plan.tz.as_deref())?;
    let mut notes = Vec::new();
    let before = super::estimate(plan, ledger, at, &tz).ok();
    // A drift only means something when the estimate rested on an earlier anchor, or on
    // counting that covers the whole cycle.
    let grounded = |e: &&super::Estimate| {
        e.counted_since_anchor_bytes.is_some()
            || matches!((ledger.since(), e.cycle_start_unix), (Some(s), Some(c)) if s <= c)
    };
    let drift = before.as_ref().filter(grounded).map(|e| {
        i64::try_from(e.remaining_bytes).unwrap_or(i64::MAX)
            - i64::try_from(remaining).unwrap_or(i64::MAX)
    });
    if let Some(e) = &before {
        if remaining > e.total_bytes {
            notes.push(format!(
                "the anchor ({}) is more than this cycle's allowance, packs and carry-over ({}): kept as it is; record the pack or carry-over that explains it (`simquota plan add-pack`)",
                crate::balance::format_bytes(remaining, 1024),
                crate::balance::format_bytes(e.total_bytes, 1024)
            ));
        }
    }
    if let Some(d) = drift.filter(|d| *d != 0) {
        let dir = if d > 0 { "more" } else { "less" };
        notes.push(format!(
            "drift: the estimate said {} {dir} than this anchor",
            crate::balance::format_bytes(d.unsigned_abs(), 1024)
        ));
    }
    plan.anchors.retain(|a| a.at != at);
    plan.anchors.push(Anchor {
        at,
        remaining: Size(remaining),
        source,
        drift_bytes: drift,
    });
    plan.anchors.sort_by_key(|a| a.at);
    let n = plan.anchors.len();
    if n > MAX_ANCHORS {
        plan.anchors.drain(..n - MAX_ANCHORS);
    }
    Ok(notes)
}

/// The counted traffic of every SIM with a plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Per ICCID.
    #[serde(default)]
    pub sims: BTreeMap<String, Ledger>,
    /// When they were last written (UTC unix seconds).
    #[serde(default)]
    pub written: i64,
}

impl Counts {
    /// Reads the counts from `dir`; an unreadable file is an error naming it (counts are not
    /// silently reset).
    pub fn load(dir: &StateDir) -> Result<Counts> {
        dir.read_strict(COUNTS_FILE)
            .map(Option::unwrap_or_default)
            .map_err(|e| PlanError::Io(format!("{e} (move it away to start counting afresh)")))
    }

    /// Whether a write is due at `now` (batched: at most every `interval` seconds).
    pub fn due(&self, now: i64, interval: i64) -> bool {
        now < self.written || now - self.written >= interval
    }

    /// Writes the counts into `dir`.
    pub fn save(&mut self, dir: &StateDir, now: i64) -> Result<()> {
        self.written = now;
        for l in self.sims.values_mut() {
            l.compact(now);
        }
        dir.write(COUNTS_FILE, self).map_err(|e| {
            PlanError::Io(format!(
                "cannot write {}: {e}",
                dir.path().join(COUNTS_FILE).display()
            ))
        })
    }
}

/// Where the interface counters are: `$SIMQUOTA_SYSFS_NET` (tests, a fake tree) or
/// `/sys/class/net`.
pub fn sysfs_root() -> PathBuf {
    std::env::var_os("SIMQUOTA_SYSFS_NET")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(crate::monitor::estimate::SYSFS_NET))
}

/// Samples the plan's interface into its ledger at `now`; `Err` names what could not be read
/// (nothing is counted then, and the last sample is kept).
pub fn sample(
    plan: &Plan,
    ledger: &mut Ledger,
    root: &Path,
    now: i64,
) -> std::result::Result<super::ObserveNote, String> {
    let Some(iface) = plan.interface.as_deref() else {
        return Err("no interface".into());
    };
    let s: CounterSample = read_counters(root, iface)
        .map_err(|e| format!("interface {iface}: {e} — nothing counted this time"))?;
    let boot = crate::monitor::estimate::boot_id();
    Ok(ledger.observe(now, iface, s, boot.as_deref()))
}

/// Counts `plan`'s interface into `counts` at `now`; returns notes for people.
fn count(plan: &Plan, counts: &mut Counts, now: i64) -> Vec<String> {
    let mut notes = Vec::new();
    if plan.interface.is_none() {
        return notes;
    }
    let ledger = counts.sims.entry(plan.iccid.clone()).or_default();
    match sample(plan, ledger, &sysfs_root(), now) {
        Ok(super::ObserveNote::Started) => notes.push(format!(
            "counting starts now on {}",
            plan.interface.as_deref().unwrap_or("?")
        )),
        Ok(super::ObserveNote::ClockImplausible(n)) => {
            notes.push(format!(
            "the clock says {}: {} held until the clock is set (nothing is recorded before 2024)",
            jiff::Timestamp::from_second(now).map(|t| t.to_string()).unwrap_or_default(),
            crate::balance::format_bytes(n, 1024)
        ))
        }
        Ok(super::ObserveNote::ClockBackwards(n)) => notes.push(format!(
            "the clock went backwards: {} booked at the last known time",
            crate::balance::format_bytes(n, 1024)
        )),
        Ok(super::ObserveNote::Counted(_)) => {}
        Err(e) => notes.push(e),
    }
    notes
}

/// For `balance` on a SIM with a plan: counts its interface (the counts are written), then
/// estimates. `None` when `iccid` has no plan.
pub fn live_estimate(
    plans_path: &Path,
    state: &StateDir,
    iccid: &str,
    now: i64,
) -> Result<Option<(super::Estimate, Vec<String>)>> {
    let plans = Plans::load(plans_path)?;
    let Some(plan) = plans.get(iccid) else {
        return Ok(None);
    };
    let tz = super::cycle::zone(plan.tz.as_deref())?;
    let mut counts = Counts::load(state)?;
    let mut notes = count(plan, &mut counts, now);
    if plan.interface.is_some() {
        if let Err(e) = counts.save(state, now) {
            notes.push(e.to_string());
        }
    }
    let ledger = counts.sims.get(iccid).cloned().unwrap_or_default();
    let mut e = super::estimate(plan, &ledger, now, &tz)?;
    e.notes.extend(notes.iter().cloned());
    Ok(Some((e, notes)))
}

/// A remaining figure for `iccid` becomes an anchor of its plan (counting its interface first,
/// so the anchor's moment is exact). `None` when `iccid` has no plan.
pub fn record_anchor(
    plans_path: &Path,
    state: &StateDir,
    iccid: &str,
    remaining: u64,
    source: AnchorSource,
    now: i64,
) -> Result<Option<Vec<String>>> {
    if Plans::load(plans_path)?.get(iccid).is_none() {
        return Ok(None);
    }
    let mut counts = Counts::load(state)?;
    Plans::update(plans_path, |plans| {
        let Some(plan) = plans.get_mut(iccid) else {
            return Ok(None);
        };
        let mut notes = count(plan, &mut counts, now);
        if plan.interface.is_some() {
            if let Err(e) = counts.save(state, now) {
                notes.push(e.to_string());
            }
        }
        let ledger = counts.sims.get(iccid).cloned().unwrap_or_default();
        notes.extend(add_anchor(plan, &ledger, remaining, source, now)?);
        Ok(Some(notes))
    })
}
