//! Small persistent state (JSON files): what USSD request style a modem accepted, the SMS
//! spend guard's counters, refused PINs.
//!
//! Invariants:
//! - Writes are atomic: a fully written temp file with a random name, created `O_EXCL` in the
//!   same directory ([`tempfile`]), is fsynced and renamed over the target, then the directory
//!   is fsynced — a crash or power loss leaves the old or the new file, never a torn one, and a
//!   symlink planted in the directory is never followed.
//! - Read-check-write sequences that must not interleave across processes hold an advisory
//!   lock ([`StateDir::lock`], `flock(2)` on a separate `.NAME.lock` file: the data file itself
//!   is replaced by every write, so it cannot carry the lock).
//! - `--simulate` runs use a throw-away directory ([`use_throwaway`]): an emulated modem never
//!   counts against, or writes into, the user's real state.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{de::DeserializeOwned, Serialize};

/// The directory holding simquota's state files.
#[derive(Debug, Clone)]
pub struct StateDir(PathBuf);

/// The throw-away state directory of a `--simulate` run, removed by [`remove_throwaway`].
static THROWAWAY: Mutex<Option<tempfile::TempDir>> = Mutex::new(None);

/// From now on, [`StateDir::resolve`] (and [`throwaway_dir`]) give a fresh private temporary
/// directory instead of the user's state: for runs against the built-in emulator. Idempotent.
pub fn use_throwaway() -> std::io::Result<PathBuf> {
    let mut g = THROWAWAY.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(d) = g.as_ref() {
        return Ok(d.path().to_path_buf());
    }
    let d = tempfile::Builder::new().prefix("simquota-sim-").tempdir()?;
    let p = d.path().to_path_buf();
    *g = Some(d);
    Ok(p)
}

/// The throw-away directory, if this run uses one.
pub fn throwaway_dir() -> Option<PathBuf> {
    THROWAWAY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map(|d| d.path().to_path_buf())
}

/// Removes the throw-away directory (end of the run).
pub fn remove_throwaway() {
    let d = THROWAWAY.lock().unwrap_or_else(|e| e.into_inner()).take();
    drop(d);
}

/// A state file that exists but cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct Unreadable {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub reason: String,
}

/// An advisory lock on one state file, released on drop (or when the process dies).
#[derive(Debug)]
pub struct StateLock {
    _file: std::fs::File,
}

impl StateDir {
    /// `$SIMQUOTA_STATE_DIR`, else `$XDG_STATE_HOME/simquota`, else `~/.local/state/simquota`,
    /// else (no home, e.g. a router service) `/var/lib/simquota` — or the throw-away directory
    /// of a `--simulate` run.
    pub fn resolve() -> Self {
        if let Some(d) = throwaway_dir() {
            return StateDir(d);
        }
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(d) = env("SIMQUOTA_STATE_DIR") {
            return StateDir(d);
        }
        if let Some(d) = env("XDG_STATE_HOME") {
            return StateDir(d.join("simquota"));
        }
        if let Some(h) = env("HOME") {
            return StateDir(h.join(".local/state/simquota"));
        }
        StateDir(PathBuf::from("/var/lib/simquota"))
    }

    /// A state directory at `path` (tests).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        StateDir(path.into())
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Reads `name`; a missing or unreadable file gives the default (for advisory state only:
    /// state that guards money or a SIM uses [`StateDir::read_strict`]).
    pub fn read<T: DeserializeOwned + Default>(&self, name: &str) -> T {
        self.read_strict(name).ok().flatten().unwrap_or_default()
    }

    /// Reads `name`: `Ok(None)` when it does not exist, an error naming the file when it
    /// exists but cannot be read or is not a `T` (truncated, garbage, NUL bytes, wrong schema).
    pub fn read_strict<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Unreadable> {
        let path = self.0.join(name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Unreadable {
                    path,
                    reason: format!("cannot be read ({e})"),
                })
            }
        };
        let reason = if bytes.is_empty() {
            Some("is empty (truncated?)".to_string())
        } else if bytes.contains(&0) {
            Some("contains NUL bytes (damaged by a crash or a full disk?)".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Unreadable { path, reason });
        }
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            let reason = if e.is_eof() {
                format!("is truncated ({e})")
            } else if e.is_data() {
                format!("is not in the expected format ({e})")
            } else {
                format!("is not valid JSON ({e})")
            };
            Unreadable { path, reason }
        })
    }

    /// Writes `name` atomically (see the module invariants).
    pub fn write<T: Serialize>(&self, name: &str, value: &T) -> std::io::Result<()> {
        let data = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
        self.write_bytes(name, &data)
    }

    /// Writes raw bytes to `name` atomically.
    pub fn write_bytes(&self, name: &str, data: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.0)?;
        write_atomic(&self.0.join(name), data)
    }

    /// Moves a damaged `name` aside to `name.damaged-<unix time>` (kept for inspection) and
    /// returns the new path.
    pub fn move_aside(&self, name: &str, now: u64) -> std::io::Result<PathBuf> {
        let to = self.0.join(format!("{name}.damaged-{now}"));
        std::fs::rename(self.0.join(name), &to)?;
        Ok(to)
    }

    /// Takes the exclusive advisory lock of `name` (waiting at most `limit` for another
    /// process to release it). The lock file `.NAME.lock` is created when missing.
    pub fn lock(&self, name: &str, limit: Duration) -> std::io::Result<StateLock> {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::create_dir_all(&self.0)?;
        let path = self.0.join(format!(".{name}.lock"));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&path)?;
        let end = Instant::now() + limit;
        loop {
            // SAFETY: flock on a descriptor we own.
            let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if r == 0 {
                return Ok(StateLock { _file: file });
            }
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EWOULDBLOCK)
                && e.kind() != std::io::ErrorKind::Interrupted
            {
                return Err(e);
            }
            if Instant::now() >= end {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    format!(
                        "{} is held by another simquota for more than {}s",
                        path.display(),
                        limit.as_secs()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Replaces `target` with `data` atomically: a temporary file in the same directory with a
/// random name, created with `O_CREAT|O_EXCL` (so a symlink or file planted under a guessable
/// name is never followed or reused — simquota often runs as root), written, fsync'd, renamed
/// over `target`, and the directory fsync'd. A failure leaves `target` as it was and removes
/// the temporary file; the error names the file.
pub fn write_atomic(target: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let named = |e: std::io::Error, p: &Path| {
        std::io::Error::new(e.kind(), format!("{}: {e}", p.display()))
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| named(e, dir))?;
    tmp.write_all(data)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| named(e, tmp.path()))?;
    tmp.persist(target).map_err(|e| named(e.error, target))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn write_then_read_and_missing_is_default() {
        let dir = std::env::temp_dir().join(format!("simquota-state-{}", std::process::id()));
        let s = StateDir::at(&dir);
        let empty: BTreeMap<String, String> = s.read("x.json");
        assert!(empty.is_empty());
        let mut m = BTreeMap::new();
        m.insert("huawei E3372".to_string(), "packed".to_string());
        s.write("x.json", &m).unwrap();
        let back: BTreeMap<String, String> = s.read("x.json");
        assert_eq!(back, m);
        std::fs::write(dir.join("x.json"), b"{not json").unwrap();
        let broken: BTreeMap<String, String> = s.read("x.json");
        assert!(broken.is_empty());
        // No temp file is left behind.
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn strict_read_names_every_kind_of_damage() {
        let dir = std::env::temp_dir().join(format!("simquota-strict-{}", std::process::id()));
        let s = StateDir::at(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(s
            .read_strict::<BTreeMap<String, u32>>("m.json")
            .unwrap()
            .is_none());
        for (bytes, want) in [
            (&b""[..], "empty"),
            (&b"\0\0\0\0"[..], "NUL"),
            (&b"{\"a\": 1"[..], "truncated"),
            (&b"garbage"[..], "not valid JSON"),
            (&b"[1,2]"[..], "expected format"),
        ] {
            std::fs::write(dir.join("m.json"), bytes).unwrap();
            let e = s
                .read_strict::<BTreeMap<String, u32>>("m.json")
                .unwrap_err();
            assert!(e.to_string().contains(want), "{bytes:?}: {e}");
            assert!(e.to_string().contains("m.json"), "{e}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_lock_excludes_a_second_holder_until_dropped() {
        let dir = std::env::temp_dir().join(format!("simquota-lock-{}", std::process::id()));
        let s = StateDir::at(&dir);
        let held = s.lock("g.json", Duration::from_secs(1)).unwrap();
        // flock locks belong to the open file description: a second open conflicts.
        let e = s.lock("g.json", Duration::from_millis(50)).unwrap_err();
        assert!(e.to_string().contains("held by another"), "{e}");
        drop(held);
        assert!(s.lock("g.json", Duration::from_millis(50)).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_never_follows_a_planted_symlink() {
        let dir = std::env::temp_dir().join(format!("simquota-state-ln-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let victim = dir.join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        // The old predictable names, all planted.
        for n in [
            format!(".x.json.tmp{}", std::process::id()),
            format!(".x.json.{}.tmp", std::process::id()),
        ] {
            std::os::unix::fs::symlink(&victim, dir.join(n)).unwrap();
        }
        StateDir::at(&dir).write("x.json", &vec![1, 2, 3]).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        let back: Vec<i32> = StateDir::at(&dir).read("x.json");
        assert_eq!(back, vec![1, 2, 3]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
