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
        let tmp = self.0.join(format!(".{name}.tmp{}", std::process::id()));
        let data = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&data)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, self.0.join(name))?;
        if let Ok(d) = std::fs::File::open(&self.0) {
            let _ = d.sync_all();
        }
        Ok(())
    }
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
}
