//! Who has a device open: a best-effort scan of `/proc/*/fd`.
//!
//! Invariant: never fails. Processes we may not inspect (other users, races with exiting
//! processes) are skipped silently, so the answer is "at least these", never "only these".
//! Not every program takes a UUCP lock (ModemManager does not), so this is how a busy port can
//! still name its owner.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// A process that has a device open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Holder {
    /// Its process ID.
    pub pid: u32,
    /// Its name from `/proc/PID/comm` (e.g. `ModemManager`, `minicom`), when readable.
    pub program: Option<String>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.program {
            Some(p) => write!(f, "{p} (pid {})", self.pid),
            None => write!(f, "process {}", self.pid),
        }
    }
}

/// The name of process `pid` from `<proc_root>/PID/comm`.
pub fn program_name(proc_root: &Path, pid: u32) -> Option<String> {
    let text = fs::read_to_string(proc_root.join(pid.to_string()).join("comm")).ok()?;
    let name = text.trim();
    if name.is_empty() {
        None
    } else {
        Some(name.to_string())
    }
}

/// What to tell the user when `holder` has `device` open.
pub fn advice(device: &Path, holder: &Holder) -> String {
    let dev = device.display();
    match holder.program.as_deref() {
        Some("ModemManager") => format!(
            "{holder} has {dev} open: stop it with `systemctl stop ModemManager` \
             or use --backend modemmanager"
        ),
        Some(_) | None => format!(
            "{holder} has {dev} open: close that program first, or pick another port with --port"
        ),
    }
}

/// Scans `<proc_root>/*/fd` for descriptors pointing at any of `targets`. Targets are compared
/// after resolving symlinks (so `/dev/serial/by-id/…` matches `/dev/ttyUSB2`). The result maps
/// each target (as given) to the processes holding it, in PID order.
pub fn holders_in(proc_root: &Path, targets: &[PathBuf]) -> HashMap<PathBuf, Vec<Holder>> {
    let mut out: HashMap<PathBuf, Vec<Holder>> = HashMap::new();
    if targets.is_empty() {
        return out;
    }
    let resolved: Vec<(PathBuf, PathBuf)> = targets
        .iter()
        .map(|t| (fs::canonicalize(t).unwrap_or_else(|_| t.clone()), t.clone()))
        .collect();
    let Ok(entries) = fs::read_dir(proc_root) else {
        return out;
    };
    let mut pids: Vec<u32> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
        .collect();
    pids.sort_unstable();
    for pid in pids {
        let Ok(fds) = fs::read_dir(proc_root.join(pid.to_string()).join("fd")) else {
            continue;
        };
        let mut hit: Vec<&PathBuf> = Vec::new();
        for fd in fds.filter_map(|e| e.ok()) {
            let Ok(link) = fs::read_link(fd.path()) else {
                continue;
            };
            for (canon, given) in &resolved {
                if &link == canon && !hit.contains(&given) {
                    hit.push(given);
                }
            }
        }
        if hit.is_empty() {
            continue;
        }
        let holder = Holder {
            pid,
            program: program_name(proc_root, pid),
        };
        for given in hit {
            out.entry(given.clone()).or_default().push(holder.clone());
        }
    }
    out
}

/// Processes that have `device` open, from `/proc`.
pub fn holders_of(device: &Path) -> Vec<Holder> {
    holders_in(Path::new("/proc"), &[device.to_path_buf()])
        .remove(device)
        .unwrap_or_default()
}
