//! Small persistent state (JSON files): what USSD request style a modem accepted, the SMS
//! spend guard's counters. Writes are atomic (temp file, fsync, rename) so a crash or power
//! loss leaves either the old or the new file, never a torn one.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Serialize};

/// The directory holding simquota's state files.
#[derive(Debug, Clone)]
pub struct StateDir(PathBuf);

impl StateDir {
    /// `$SIMQUOTA_STATE_DIR`, else `$XDG_STATE_HOME/simquota`, else `~/.local/state/simquota`,
    /// else (no home, e.g. a router service) `/var/lib/simquota`.
    pub fn resolve() -> Self {
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

    /// Reads `name`; a missing or unreadable file gives the default (state is advisory,
    /// except where a caller says otherwise).
    pub fn read<T: DeserializeOwned + Default>(&self, name: &str) -> T {
        std::fs::read(self.0.join(name))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes `name` atomically.
    pub fn write<T: Serialize>(&self, name: &str, value: &T) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.0)?;
        let data = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
        write_atomic(&self.0.join(name), &data)
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
