//! Exclusive, polite access to a serial port: UUCP-style lock files.
//!
//! Invariant: we never remove a lock that is not ours. A lock file is
//! `<dir>/LCK..<device>` (the device path below `/dev`, `/` replaced by `_`, so
//! `/dev/ttyUSB2` → `LCK..ttyUSB2`, `/dev/pts/3` → `LCK..pts_3`), holding the owner's PID
//! as ten ASCII digits and a newline (`"%10d\n"`, the Filesystem Hierarchy Standard 3.0
//! §5.9 `/var/lock` convention that minicom, gammu and lockdev share). It is created with
//! `O_CREAT|O_EXCL`, so two takers cannot both win. A lock whose PID no longer exists
//! (`kill(pid, 0)` → `ESRCH`) is stale and taken over; the [`PortLock`] guard deletes the
//! file on drop only if it still names our PID.
//!
//! Directory: `$SIMQUOTA_LOCK_DIR` if set, else `/run/lock`, else `/var/lock`; tests and
//! callers can name one with [`PortLock::acquire_in`].

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::holder::{self, Holder};

/// Environment variable naming the lock directory (overrides the defaults).
pub const LOCK_DIR_ENV: &str = "SIMQUOTA_LOCK_DIR";

/// A lock file this young with no valid PID may still be being written by its owner.
const FRESH: Duration = Duration::from_secs(2);

/// Errors taking a port lock.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// Another live process holds the lock.
    #[error("{device} is locked by {holder} (lock file {}); {advice}", lock_path.display(), device = device.display())]
    Held {
        /// The device.
        device: PathBuf,
        /// Who holds it.
        holder: Holder,
        /// The lock file.
        lock_path: PathBuf,
        /// What to do about it.
        advice: String,
    },
    /// A lock file exists, is recent and holds no valid PID (someone may be writing it).
    #[error("{device} has a lock file {} without a valid PID; if no program is using the port, delete it", lock_path.display(), device = device.display())]
    Unreadable {
        /// The device.
        device: PathBuf,
        /// The lock file.
        lock_path: PathBuf,
    },
    /// The lock file could not be created or inspected.
    #[error("cannot use lock file {}: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// No lock directory exists or is writable.
    #[error("no usable lock directory (tried {}); set {LOCK_DIR_ENV} to a writable directory", tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoLockDir {
        /// Directories tried, in order.
        tried: Vec<PathBuf>,
    },
}

/// The lock file name for a device: `LCK..ttyUSB2`.
pub fn lock_file_name(device: &Path) -> String {
    // Other programs lock the real node: resolve `/dev/serial/by-id/…` symlinks first.
    let real = fs::canonicalize(device).unwrap_or_else(|_| device.to_path_buf());
    let text = real.to_string_lossy();
    let tail = match text.strip_prefix("/dev/") {
        Some(rest) => rest.replace('/', "_"),
        None => real
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| text.replace('/', "_")),
    };
    format!("LCK..{tail}")
}

/// The lock directories to use, in order: `$SIMQUOTA_LOCK_DIR`, `/run/lock`, `/var/lock`.
pub fn default_lock_dirs() -> Vec<PathBuf> {
    match std::env::var_os(LOCK_DIR_ENV) {
        Some(dir) if !dir.is_empty() => vec![PathBuf::from(dir)],
        _ => vec![PathBuf::from("/run/lock"), PathBuf::from("/var/lock")],
    }
}

/// Parses a lock file's content: the ASCII PID, any padding. Only PIDs a real process can have
/// (1..=i32::MAX) are accepted, because `kill(0, …)` or a negative PID would address process
/// groups. The 4-byte binary PID of pre-HDB UUCP is not accepted: four bytes of anything would
/// parse as some PID, and modern programs (minicom, gammu, lockdev) all write ASCII.
pub fn parse_lock_pid(content: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(content).ok()?;
    let trimmed = text.trim();
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.parse::<u32>().ok().filter(|p| valid_pid(*p))
}

fn valid_pid(pid: u32) -> bool {
    pid >= 1 && i32::try_from(pid).is_ok()
}

/// Whether a process with this PID exists (`kill(pid, 0)`; `EPERM` means it exists but is
/// someone else's).
pub fn pid_alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    if raw < 1 {
        return false;
    }
    // SAFETY: signal 0 performs only the existence and permission check; raw >= 1 so it
    // addresses exactly one process, never a group.
    let rc = unsafe { libc::kill(raw, 0) };
    if rc == 0 {
        return true;
    }
    io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// An acquired lock; the file is removed on drop if it still names our PID.
#[derive(Debug)]
pub struct PortLock {
    lock_path: PathBuf,
    device: PathBuf,
    pid: u32,
}

enum Owner {
    Alive(u32),
    Dead(u32),
    Invalid { fresh: bool },
    Gone,
}

fn inspect(path: &Path) -> io::Result<Owner> {
    let content = match fs::read(path) {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Owner::Gone),
        Err(e) => return Err(e),
    };
    Ok(match parse_lock_pid(&content) {
        Some(pid) if pid_alive(pid) => Owner::Alive(pid),
        Some(pid) => Owner::Dead(pid),
        None => {
            let age = fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok());
            Owner::Invalid {
                fresh: age.is_none_or(|d| d < FRESH),
            }
        }
    })
}

/// Removes a stale lock only if it still holds the content we judged stale, narrowing the
/// window in which two takers could both decide to remove it.
fn remove_if_unchanged(path: &Path, expected_pid: Option<u32>) -> io::Result<()> {
    let still = match fs::read(path) {
        Ok(c) => parse_lock_pid(&c),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if still != expected_pid {
        return Ok(());
    }
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

impl PortLock {
    /// Locks `device` in the default directory ([`default_lock_dirs`]): the first that exists
    /// and is writable.
    pub fn acquire(device: &Path) -> Result<PortLock, LockError> {
        let dirs = default_lock_dirs();
        let mut last_io = None;
        for dir in &dirs {
            if !dir.is_dir() {
                continue;
            }
            match PortLock::acquire_in(dir, device) {
                Err(LockError::Io { path, source })
                    if source.kind() == io::ErrorKind::PermissionDenied =>
                {
                    last_io = Some(LockError::Io { path, source });
                }
                other => return other,
            }
        }
        Err(last_io.unwrap_or(LockError::NoLockDir { tried: dirs }))
    }

    /// Locks `device` with a lock file in `dir`.
    pub fn acquire_in(dir: &Path, device: &Path) -> Result<PortLock, LockError> {
        let lock_path = dir.join(lock_file_name(device));
        let me = std::process::id();
        let io_err = |source| LockError::Io {
            path: lock_path.clone(),
            source,
        };
        // A few rounds: each stale lock removed gives one more chance to create ours.
        for _ in 0..4 {
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock_path)
            {
                Ok(mut f) => {
                    let written = f
                        .write_all(format!("{me:>10}\n").as_bytes())
                        .and_then(|_| f.flush());
                    if let Err(e) = written {
                        let _ = fs::remove_file(&lock_path);
                        return Err(io_err(e));
                    }
                    return Ok(PortLock {
                        lock_path,
                        device: device.to_path_buf(),
                        pid: me,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_err(e)),
            }
            match inspect(&lock_path).map_err(io_err)? {
                Owner::Alive(pid) => {
                    let holder = Holder::new(pid, holder::program_name(Path::new("/proc"), pid));
                    return Err(LockError::Held {
                        advice: holder::advice(device, &holder),
                        device: device.to_path_buf(),
                        holder,
                        lock_path,
                    });
                }
                Owner::Dead(pid) => remove_if_unchanged(&lock_path, Some(pid)).map_err(io_err)?,
                Owner::Invalid { fresh: true } => {
                    return Err(LockError::Unreadable {
                        device: device.to_path_buf(),
                        lock_path,
                    })
                }
                Owner::Invalid { fresh: false } => {
                    remove_if_unchanged(&lock_path, None).map_err(io_err)?
                }
                Owner::Gone => {}
            }
        }
        Err(LockError::Unreadable {
            device: device.to_path_buf(),
            lock_path,
        })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.lock_path
    }

    /// The locked device.
    pub fn device(&self) -> &Path {
        &self.device
    }
}

impl Drop for PortLock {
    fn drop(&mut self) {
        // Only delete what is still ours: someone may have (wrongly) replaced it.
        if let Ok(content) = fs::read(&self.lock_path) {
            if parse_lock_pid(&content) == Some(self.pid) {
                let _ = fs::remove_file(&self.lock_path);
            }
        }
    }
}
