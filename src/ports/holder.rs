//! Who has a device open: a best-effort scan of `/proc/*/fd`.
//!
//! Invariant: never fails. Processes we may not inspect (other users, races with exiting
//! processes) are skipped silently, so the answer is "at least these", never "only these".
//! Not every program takes a UUCP lock (ModemManager does not), so this is how a busy port can
//! still name its owner.
//!
//! A process that holds the *master* side of a pseudo-terminal is the device behind that tty, not
//! a competitor: `socat pty,link=/dev/ttyV0 tcp:router:2000` (ser2net bridges), Python `pty`
//! emulators and our own `simquota emulate` keep the slave open too, and gammu or
//! python-gsmmodem use such ports without a second thought. Linux names the slave a master fd
//! belongs to in `/proc/PID/fdinfo/FD` (`tty-index:`, since 4.15), so such a holder is marked
//! [`Holder::device_side`] and not counted as busy.

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
    /// It also holds the PTY master of this tty: it *is* the device (a socat bridge, a Python
    /// or simquota emulator), so it does not make the port busy.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub device_side: bool,
}

impl Holder {
    /// A holder that is not the device side.
    pub fn new(pid: u32, program: Option<String>) -> Holder {
        Holder {
            pid,
            program,
            device_side: false,
        }
    }
}

/// The index `N` of `/dev/pts/N` (after resolving symlinks), if `path` is a PTY slave.
pub fn pts_index(path: &Path) -> Option<u32> {
    let canon = fs::canonicalize(path).ok()?;
    let rest = canon.strip_prefix("/dev/pts").ok()?;
    rest.to_str()?.parse().ok()
}

/// Does this `/proc/PID/fd/FD` link name a PTY multiplexer (a master side)?
fn is_ptmx(link: &Path) -> bool {
    link == Path::new("/dev/ptmx") || link == Path::new("/dev/pts/ptmx")
}

/// The `tty-index:` line of `/proc/PID/fdinfo/FD`.
fn fdinfo_tty_index(proc_root: &Path, pid: u32, fd: &std::ffi::OsStr) -> Option<u32> {
    let info = fs::read_to_string(proc_root.join(pid.to_string()).join("fdinfo").join(fd)).ok()?;
    info.lines()
        .find_map(|l| l.strip_prefix("tty-index:"))
        .and_then(|v| v.trim().parse().ok())
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
            "{holder} has {dev} open: close that program first, pick another port with --port, \
             or pass --share-port if you know it is not using the modem"
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
    let resolved: Vec<(PathBuf, PathBuf, Option<u32>)> = targets
        .iter()
        .map(|t| {
            (
                fs::canonicalize(t).unwrap_or_else(|_| t.clone()),
                t.clone(),
                pts_index(t),
            )
        })
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
        // PTY indices whose master this process holds.
        let mut masters: Vec<u32> = Vec::new();
        for fd in fds.filter_map(|e| e.ok()) {
            let Ok(link) = fs::read_link(fd.path()) else {
                continue;
            };
            if is_ptmx(&link) {
                if let Some(n) = fdinfo_tty_index(proc_root, pid, &fd.file_name()) {
                    masters.push(n);
                }
                continue;
            }
            for (canon, given, _) in &resolved {
                if &link == canon && !hit.contains(&given) {
                    hit.push(given);
                }
            }
        }
        if hit.is_empty() {
            continue;
        }
        let program = program_name(proc_root, pid);
        for given in hit {
            let index = resolved
                .iter()
                .find(|(_, g, _)| g == given)
                .and_then(|(_, _, n)| *n);
            let holder = Holder {
                pid,
                program: program.clone(),
                device_side: index.is_some_and(|n| masters.contains(&n)),
            };
            out.entry(given.clone()).or_default().push(holder);
        }
    }
    out
}

/// Processes that have `device` open and compete for it: every holder except the device side
/// (see [`Holder::device_side`]) and this process.
pub fn competitors_of(device: &Path) -> Vec<Holder> {
    let me = std::process::id();
    holders_of(device)
        .into_iter()
        .filter(|h| !h.device_side && h.pid != me)
        .collect()
}

/// Processes that have `device` open, from `/proc`.
pub fn holders_of(device: &Path) -> Vec<Holder> {
    holders_in(Path::new("/proc"), &[device.to_path_buf()])
        .remove(device)
        .unwrap_or_default()
}
