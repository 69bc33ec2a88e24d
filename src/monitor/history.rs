//! The history store: every check, successful or not, in one SQLite file.
//!
//! Invariants:
//! - a reading that [`History::record`] returned an id for survives power loss: the database is
//!   in WAL mode with `synchronous=FULL`, so the commit is fsync'd before `record` returns
//!   (SQLite "WAL mode … FULL: the WAL file is synced after each transaction commit");
//! - the schema only moves forward: `schema_version` holds one row with the version; opening a
//!   file applies every newer migration in one transaction each; a file written by a newer
//!   simquota is refused rather than guessed at;
//! - times are UTC unix seconds; bytes are stored as SQLite integers (saturating at 2^63).
//!
//! Location: `$SIMQUOTA_DATA_DIR/history.db`, else `$XDG_DATA_HOME/simquota/history.db`, else
//! `~/.local/share/simquota/history.db`, else `/var/lib/simquota/history.db` (see
//! [`default_path`]).

#[cfg(feature = "history")]
use std::path::Path;
use std::path::PathBuf;

#[cfg(feature = "history")]
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

#[cfg(feature = "history")]
use super::estimate::counter_delta;
use super::estimate::Counters;
#[cfg(feature = "history")]
use super::{from_sql_u64, to_sql_u64, MonitorError, Result};
use super::{utc_date, DAY};
use crate::balance::{Date, Reading};

/// File name of the history database inside the data directory.
pub const FILE_NAME: &str = "history.db";

/// The newest schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

#[cfg(feature = "history")]
/// One forward migration: the SQL that takes the schema from `version - 1` to `version`.
pub(crate) struct Migration {
    pub version: i64,
    pub sql: &'static str,
}

#[cfg(feature = "history")]
/// Every migration, oldest first. Append only: a released migration never changes.
pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    sql: "
CREATE TABLE checks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    time            INTEGER NOT NULL,
    iccid           TEXT    NOT NULL,
    imsi            TEXT,
    carrier         TEXT,
    method          TEXT    NOT NULL,
    request         TEXT    NOT NULL,
    success         INTEGER NOT NULL,
    error           TEXT,
    raw             TEXT,
    reading_json    TEXT,
    remaining_bytes INTEGER,
    used_bytes      INTEGER,
    total_bytes     INTEGER,
    unlimited       INTEGER NOT NULL DEFAULT 0,
    balance_amount  TEXT,
    balance_minor   INTEGER,
    currency        TEXT,
    expiry          TEXT,
    reset           TEXT,
    signal_dbm      INTEGER,
    iface           TEXT,
    rx_bytes        INTEGER,
    tx_bytes        INTEGER,
    boot_id         TEXT
);
CREATE INDEX checks_iccid_time ON checks (iccid, time);
CREATE TABLE alert_state (
    iccid      TEXT    NOT NULL,
    rule       TEXT    NOT NULL,
    fired      INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    message    TEXT,
    PRIMARY KEY (iccid, rule)
);
",
}];

/// How a check asked the carrier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// A USSD code (`*100#`).
    Ussd,
    /// A keyword SMS and its reply.
    Sms,
    /// A carrier SMS already in the inbox.
    Inbox,
    /// Something a newer simquota wrote.
    Other(String),
}

impl Method {
    /// The stored name (`ussd`, `sms`, `inbox`).
    pub fn as_str(&self) -> &str {
        match self {
            Method::Ussd => "ussd",
            Method::Sms => "sms",
            Method::Inbox => "inbox",
            Method::Other(s) => s,
        }
    }

    /// From the stored name; an unknown name is kept as [`Method::Other`].
    pub fn from_name(s: &str) -> Method {
        match s {
            "ussd" => Method::Ussd,
            "sms" => Method::Sms,
            "inbox" => Method::Inbox,
            other => Method::Other(other.to_string()),
        }
    }
}

impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Method, D::Error> {
        Ok(Method::from_name(&String::deserialize(d)?))
    }
}

/// The numbers of a reading that get their own columns (queries and forecasts need them
/// without decoding the JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyNumbers {
    /// Remaining bytes (summary).
    pub remaining_bytes: Option<u64>,
    /// Used bytes (summary).
    pub used_bytes: Option<u64>,
    /// Allowance bytes (summary).
    pub total_bytes: Option<u64>,
    /// The reply says data is unlimited.
    pub unlimited: bool,
    /// The balance as a decimal string, as precise as the reply wrote it (`"12.50"`).
    pub balance: Option<String>,
    /// The balance in minor units (cents, kopecks, yen).
    pub balance_minor: Option<i64>,
    /// ISO 4217 code of [`KeyNumbers::balance_minor`].
    pub currency: Option<String>,
    /// Expiry date.
    pub expiry: Option<Date>,
    /// Next reset date.
    pub reset: Option<Date>,
}

impl KeyNumbers {
    /// The key numbers of a reading. The balance is the amount labelled `balance`, else `main`,
    /// else the first amount named.
    pub fn from_reading(r: &Reading) -> KeyNumbers {
        let money = r
            .money_labelled("balance")
            .or_else(|| r.money_labelled("main"))
            .or_else(|| r.money.first());
        KeyNumbers {
            remaining_bytes: r.remaining_bytes,
            used_bytes: r.used_bytes,
            total_bytes: r.total_bytes,
            unlimited: r.unlimited,
            balance: money.map(|m| m.amount.clone()),
            balance_minor: money.map(|m| m.minor_units),
            currency: money.map(|m| m.currency.clone()),
            expiry: r.expiry,
            reset: r.reset,
        }
    }
}

/// One check, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// Row id (`None` before it is recorded).
    pub id: Option<i64>,
    /// When the check finished, UTC unix seconds.
    pub time: i64,
    /// ICCID of the SIM: the key of everything per SIM.
    pub iccid: String,
    /// IMSI, when read.
    pub imsi: Option<String>,
    /// Carrier profile id.
    pub carrier: Option<String>,
    /// How the carrier was asked.
    pub method: Method,
    /// The request: USSD code or `KEYWORD→number`.
    pub request: String,
    /// The check produced a reply that was understood.
    pub success: bool,
    /// Why it failed (when `success` is false).
    pub error: Option<String>,
    /// The raw reply text, as decoded (from the carrier: untrusted).
    pub raw: Option<String>,
    /// The full reading.
    pub reading: Option<Reading>,
    /// Key numbers (filled from `reading` by [`History::record`] when a reading is present).
    pub numbers: KeyNumbers,
    /// Signal strength at the check, dBm.
    pub signal_dbm: Option<i32>,
    /// Interface byte counters at the check: the baseline of the live estimate.
    pub counters: Option<Counters>,
}

impl CheckRecord {
    /// A successful check with its reading (key numbers taken from it).
    pub fn success(
        time: i64,
        iccid: &str,
        method: Method,
        request: &str,
        reading: Reading,
    ) -> CheckRecord {
        CheckRecord {
            id: None,
            time,
            iccid: iccid.to_string(),
            imsi: None,
            carrier: None,
            method,
            request: request.to_string(),
            success: true,
            error: None,
            raw: Some(reading.raw.clone()),
            numbers: KeyNumbers::from_reading(&reading),
            reading: Some(reading),
            signal_dbm: None,
            counters: None,
        }
    }

    /// A failed check.
    pub fn failure(
        time: i64,
        iccid: &str,
        method: Method,
        request: &str,
        error: &str,
    ) -> CheckRecord {
        CheckRecord {
            id: None,
            time,
            iccid: iccid.to_string(),
            imsi: None,
            carrier: None,
            method,
            request: request.to_string(),
            success: false,
            error: Some(error.to_string()),
            raw: None,
            reading: None,
            numbers: KeyNumbers::default(),
            signal_dbm: None,
            counters: None,
        }
    }

    /// The UTC day of the check.
    pub fn date(&self) -> Date {
        utc_date(self.time)
    }
}

/// A remaining figure that rose by more than this is a top-up (or a new period), not noise:
/// the larger of 8 MiB and 2 % of the previous figure. Carriers round what they print (to
/// 10 MB, 0.01 GB), so a smaller rise is rounding and counts as no usage.
pub fn is_top_up(prev_remaining: u64, next_remaining: u64) -> bool {
    let tolerance = (8u64 << 20).max(prev_remaining / 50);
    next_remaining > prev_remaining.saturating_add(tolerance)
}

/// The default data directory: `$SIMQUOTA_DATA_DIR`, else `$XDG_DATA_HOME/simquota`, else
/// `~/.local/share/simquota`, else `/var/lib/simquota` (a router service with no home).
pub fn default_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    dir_from(env("SIMQUOTA_DATA_DIR"), env("XDG_DATA_HOME"), env("HOME"))
}

fn dir_from(data: Option<PathBuf>, xdg: Option<PathBuf>, home: Option<PathBuf>) -> PathBuf {
    if let Some(d) = data {
        return d;
    }
    if let Some(x) = xdg {
        return x.join("simquota");
    }
    if let Some(h) = home {
        return h.join(".local/share/simquota");
    }
    PathBuf::from("/var/lib/simquota")
}

/// The default database file: [`default_dir`]`/history.db`.
pub fn default_path() -> PathBuf {
    default_dir().join(FILE_NAME)
}

#[cfg(feature = "history")]
/// How long an open waits for another process holding the database (creating or migrating it,
/// or writing a check).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[cfg(feature = "history")]
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

#[cfg(feature = "history")]
/// The history database.
#[derive(Debug)]
pub struct History {
    conn: Connection,
    path: PathBuf,
}

#[cfg(feature = "history")]
const COLUMNS: &str = "id, time, iccid, imsi, carrier, method, request, success, error, raw, \
     reading_json, remaining_bytes, used_bytes, total_bytes, unlimited, balance_amount, \
     balance_minor, currency, expiry, reset, signal_dbm, iface, rx_bytes, tx_bytes, boot_id";

#[cfg(feature = "history")]
impl History {
    /// Opens (creating it and its directory if needed) the database at `path`, sets WAL mode
    /// and `synchronous=FULL`, and migrates it to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<History> {
        Self::open_with(path, MIGRATIONS)
    }

    /// Opens the database at [`default_path`].
    pub fn open_default() -> Result<History> {
        Self::open(&default_path())
    }

    pub(crate) fn open_with(path: &Path, migrations: &[Migration]) -> Result<History> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| MonitorError::io(format!("creating {}", dir.display()), e))?;
        }
        Self::setup(path, migrations).map_err(|e| match e {
            MonitorError::Db(source) => MonitorError::DbFile {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        })
    }

    fn setup(path: &Path, migrations: &[Migration]) -> Result<History> {
        let conn = Connection::open(path)?;
        // Several `watch --once` (cron), a watcher and a `history` command may open the file at
        // once: wait for each other, don't fail.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Switching a new file to WAL takes a write lock, and SQLite does not always call the
        // busy handler for it: retry for as long as the busy time-out.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mode: String = loop {
            match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
                Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                r => break r?,
            }
        };
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(MonitorError::Invalid(format!(
                "{}: could not switch to WAL journal mode (got {mode})",
                path.display()
            )));
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        migrate(&conn, migrations)?;
        Ok(History {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The file this history lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(current_version(&self.conn)?)
    }

    /// `PRAGMA integrity_check`: `"ok"` for a sound file, else SQLite's list of problems.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out.join("\n"))
    }

    /// Stores one check and returns its row id. When this returns, the row is on disk.
    pub fn record(&self, rec: &CheckRecord) -> Result<i64> {
        let numbers = rec
            .reading
            .as_ref()
            .map(KeyNumbers::from_reading)
            .unwrap_or_else(|| rec.numbers.clone());
        let reading_json = rec
            .reading
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        let c = rec.counters.as_ref();
        self.conn.execute(
            "INSERT INTO checks (time, iccid, imsi, carrier, method, request, success, error, raw,
                reading_json, remaining_bytes, used_bytes, total_bytes, unlimited, balance_amount,
                balance_minor, currency, expiry, reset, signal_dbm, iface, rx_bytes, tx_bytes,
                boot_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
            params![
                rec.time,
                rec.iccid,
                rec.imsi,
                rec.carrier,
                rec.method.as_str(),
                rec.request,
                rec.success,
                rec.error,
                rec.raw,
                reading_json,
                numbers.remaining_bytes.map(to_sql_u64),
                numbers.used_bytes.map(to_sql_u64),
                numbers.total_bytes.map(to_sql_u64),
                numbers.unlimited,
                numbers.balance,
                numbers.balance_minor,
                numbers.currency,
                numbers.expiry.map(|d| d.to_string()),
                numbers.reset.map(|d| d.to_string()),
                rec.signal_dbm,
                c.map(|c| c.iface.clone()),
                c.map(|c| to_sql_u64(c.sample.rx_bytes)),
                c.map(|c| to_sql_u64(c.sample.tx_bytes)),
                c.and_then(|c| c.boot_id.clone()),
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every check (of one SIM, or all), at or after `since` when given, oldest first.
    pub fn readings(&self, iccid: Option<&str>, since: Option<i64>) -> Result<Vec<CheckRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checks WHERE (?1 IS NULL OR iccid = ?1) AND time >= ?2 \
             ORDER BY time, id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![iccid, since.unwrap_or(i64::MIN)], row_to_record)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// The most recent successful check of a SIM.
    pub fn last_success(&self, iccid: &str) -> Result<Option<CheckRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checks WHERE iccid = ?1 AND success = 1 \
             ORDER BY time DESC, id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .query_row(&sql, params![iccid], row_to_record)
            .optional()?)
    }

    /// The most recent check of a SIM, successful or not.
    pub fn last_check(&self, iccid: &str) -> Result<Option<CheckRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checks WHERE iccid = ?1 ORDER BY time DESC, id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .query_row(&sql, params![iccid], row_to_record)
            .optional()?)
    }

    /// The SIM most recently checked successfully (placeholder keys of modems whose SIM was
    /// never read do not count): the one a single watched modem holds until a check says
    /// otherwise.
    pub fn last_known_sim(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT iccid FROM checks WHERE success = 1 AND iccid NOT LIKE 'unknown:%' \
                 ORDER BY time DESC, id DESC LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?)
    }

    /// Gives the checks recorded under a modem's placeholder key (`unknown:PORT`, written while
    /// its SIM could not be read) to the SIM the modem turned out to hold, so no phantom SIM
    /// stays in the history, `/metrics` or the status page. Returns how many were moved.
    pub fn adopt(&self, placeholder: &str, iccid: &str) -> Result<usize> {
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute(
            "UPDATE checks SET iccid = ?2 WHERE iccid = ?1",
            params![placeholder, iccid],
        )?;
        tx.execute(
            "DELETE FROM alert_state WHERE iccid = ?1",
            params![placeholder],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// How many checks of a SIM failed in a row, counting back from the most recent.
    pub fn consecutive_failures(&self, iccid: &str) -> Result<u32> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM checks WHERE iccid = ?1 AND success = 0 AND id > \
             COALESCE((SELECT MAX(id) FROM checks WHERE iccid = ?1 AND success = 1), 0)",
            params![iccid],
            |r| r.get(0),
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Every ICCID with at least one check, sorted.
    pub fn iccids(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT iccid FROM checks ORDER BY iccid")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// `(time, remaining bytes)` of each successful check of a SIM that states a remaining
    /// figure, at or after `since`, oldest first: the input of forecasts and charts.
    pub fn remaining_series(&self, iccid: &str, since: Option<i64>) -> Result<Vec<(i64, u64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT time, remaining_bytes FROM checks WHERE iccid = ?1 AND success = 1 \
             AND remaining_bytes IS NOT NULL AND time >= ?2 ORDER BY time, id",
        )?;
        let rows = stmt.query_map(params![iccid, since.unwrap_or(i64::MIN)], |r| {
            Ok((r.get::<_, i64>(0)?, from_sql_u64(r.get::<_, i64>(1)?)))
        })?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// Bytes used per UTC day, derived from consecutive readings of remaining data (at or after
    /// `since`). Usage between two readings is spread over the days between them in proportion
    /// to time, so a gap does not pile a week onto one day. A remaining figure that goes *up*
    /// (a top-up, a new period, carrier rounding) is never negative usage: that interval
    /// counts as 0, and the next interval starts from the new figure.
    pub fn daily_usage(&self, iccid: &str, since: Option<i64>) -> Result<Vec<(Date, u64)>> {
        Ok(daily_usage_of(&self.remaining_series(iccid, since)?))
    }

    /// Whether an alert rule has fired for a SIM and not been re-armed (`None`: never seen).
    pub fn alert_fired(&self, iccid: &str, rule: &str) -> Result<Option<bool>> {
        Ok(self
            .conn
            .query_row(
                "SELECT fired FROM alert_state WHERE iccid = ?1 AND rule = ?2",
                params![iccid, rule],
                |r| r.get::<_, bool>(0),
            )
            .optional()?)
    }

    /// Sets an alert rule's state for a SIM.
    pub fn set_alert_state(
        &self,
        iccid: &str,
        rule: &str,
        fired: bool,
        now: i64,
        message: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO alert_state (iccid, rule, fired, changed_at, message)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (iccid, rule) DO UPDATE SET fired = ?3, changed_at = ?4, message = ?5",
            params![iccid, rule, fired, now, message],
        )?;
        Ok(())
    }

    /// The alerts currently fired for a SIM: `(rule key, since, message)`.
    pub fn active_alerts(&self, iccid: &str) -> Result<Vec<(String, i64, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT rule, changed_at, COALESCE(message, '') FROM alert_state \
             WHERE iccid = ?1 AND fired = 1 ORDER BY changed_at, rule",
        )?;
        let rows = stmt.query_map(params![iccid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// Bytes through the interface since the last successful check of a SIM that recorded
    /// counters, given the counters now. `None` when no baseline is stored for this interface.
    /// A different boot id means the counters restarted from zero.
    pub fn bytes_since_last_check(
        &self,
        iccid: &str,
        now: &Counters,
    ) -> Result<Option<(CheckRecord, u64)>> {
        let Some(last) = self.last_success(iccid)? else {
            return Ok(None);
        };
        let Some(base) = last.counters.clone() else {
            return Ok(None);
        };
        if base.iface != now.iface {
            return Ok(None);
        }
        let rebooted = matches!((&base.boot_id, &now.boot_id), (Some(a), Some(b)) if a != b);
        let bytes = if rebooted {
            now.sample.total()
        } else {
            counter_delta(base.sample.rx_bytes, now.sample.rx_bytes)
                .saturating_add(counter_delta(base.sample.tx_bytes, now.sample.tx_bytes))
        };
        Ok(Some((last, bytes)))
    }
}

/// See [`History::daily_usage`].
pub fn daily_usage_of(series: &[(i64, u64)]) -> Vec<(Date, u64)> {
    let mut days: std::collections::BTreeMap<i64, f64> = std::collections::BTreeMap::new();
    for pair in series.windows(2) {
        let (Some(&(t0, r0)), Some(&(t1, r1))) = (pair.first(), pair.get(1)) else {
            continue;
        };
        // Never negative: a rise is a top-up or rounding.
        let used = r0.saturating_sub(r1);
        if t1 <= t0 {
            if used > 0 {
                *days.entry(t1.div_euclid(DAY)).or_default() += used as f64;
            }
            continue;
        }
        let span = (t1 - t0) as f64;
        let mut t = t0;
        while t < t1 {
            let day = t.div_euclid(DAY);
            let end = day.saturating_add(1).saturating_mul(DAY).min(t1);
            let share = (end - t) as f64 / span;
            *days.entry(day).or_default() += used as f64 * share;
            t = end;
        }
    }
    days.into_iter()
        .map(|(d, b)| (Date::from_days_since_epoch(d), b.round().max(0.0) as u64))
        .collect()
}

#[cfg(feature = "history")]
fn current_version(conn: &Connection) -> rusqlite::Result<i64> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    Ok(conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0))
}

#[cfg(feature = "history")]
/// Applies every migration newer than the file's version inside one `BEGIN IMMEDIATE`
/// transaction together with the version bump: the write lock is taken before the version is
/// read, so two processes creating the same new file never both run a migration ("table
/// already exists"), never deadlock upgrading a read lock ("database is locked"), and a crash
/// mid-way leaves the older version.
pub(crate) fn migrate(conn: &Connection, migrations: &[Migration]) -> Result<()> {
    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    // Cheap path for an up-to-date file: no write lock at all.
    if let Ok(found) = current_version(conn) {
        if found == known {
            return Ok(());
        }
    }
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    let tx = loop {
        match rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate) {
            Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            r => break r?,
        }
    };
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let found = current_version(&tx)?;
    if found > known {
        return Err(MonitorError::SchemaTooNew { found, known });
    }
    let mut version = found;
    for m in migrations.iter().filter(|m| m.version > found) {
        tx.execute_batch(m.sql)?;
        version = version.max(m.version);
    }
    if version != found {
        tx.execute("DELETE FROM schema_version", [])?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            params![version],
        )?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(feature = "history")]
fn parse_date(s: Option<String>) -> Option<Date> {
    s.and_then(|s| Date::parse_iso(&s).ok())
}

#[cfg(feature = "history")]
fn row_to_record(r: &Row<'_>) -> rusqlite::Result<CheckRecord> {
    let reading_json: Option<String> = r.get(10)?;
    // A reading written by another version that no longer decodes is dropped, not fatal: the
    // key numbers are in their own columns.
    let reading = reading_json.and_then(|j| serde_json::from_str::<Reading>(&j).ok());
    let iface: Option<String> = r.get(21)?;
    let rx: Option<i64> = r.get(22)?;
    let tx: Option<i64> = r.get(23)?;
    let counters = match (iface, rx, tx) {
        (Some(iface), Some(rx), Some(tx)) => Some(Counters {
            iface,
            sample: super::estimate::CounterSample {
                rx_bytes: from_sql_u64(rx),
                tx_bytes: from_sql_u64(tx),
            },
            boot_id: r.get(24)?,
        }),
        _ => None,
    };
    Ok(CheckRecord {
        id: Some(r.get(0)?),
        time: r.get(1)?,
        iccid: r.get(2)?,
        imsi: r.get(3)?,
        carrier: r.get(4)?,
        method: Method::from_name(&r.get::<_, String>(5)?),
        request: r.get(6)?,
        success: r.get(7)?,
        error: r.get(8)?,
        raw: r.get(9)?,
        reading,
        numbers: KeyNumbers {
            remaining_bytes: r.get::<_, Option<i64>>(11)?.map(from_sql_u64),
            used_bytes: r.get::<_, Option<i64>>(12)?.map(from_sql_u64),
            total_bytes: r.get::<_, Option<i64>>(13)?.map(from_sql_u64),
            unlimited: r.get(14)?,
            balance: r.get(15)?,
            balance_minor: r.get(16)?,
            currency: r.get(17)?,
            expiry: parse_date(r.get(18)?),
            reset: parse_date(r.get(19)?),
        },
        signal_dbm: r.get(20)?,
        counters,
    })
}

#[cfg(all(test, feature = "history"))]
mod tests {
    use super::*;
    use crate::monitor::estimate::CounterSample;

    fn temp_db(name: &str) -> PathBuf {
        crate::monitor::test_util::temp_dir(name).join("history.db")
    }

    fn reading(remaining: u64) -> Reading {
        let mut r = Reading::empty(&format!("Remaining {remaining} B"));
        r.remaining_bytes = Some(remaining);
        r.total_bytes = Some(10 << 30);
        r.understood = true;
        r.expiry = Date::new(2026, 12, 31);
        r
    }

    const T0: i64 = 1_790_000_000; // 2026-09-21T... UTC

    #[test]
    fn default_dir_precedence() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(
            dir_from(p("/d"), p("/x"), p("/h")),
            PathBuf::from("/d"),
            "SIMQUOTA_DATA_DIR wins"
        );
        assert_eq!(
            dir_from(None, p("/x"), p("/h")),
            PathBuf::from("/x/simquota")
        );
        assert_eq!(
            dir_from(None, None, p("/h")),
            PathBuf::from("/h/.local/share/simquota")
        );
        assert_eq!(
            dir_from(None, None, None),
            PathBuf::from("/var/lib/simquota")
        );
    }

    #[test]
    fn open_sets_wal_full_and_version() {
        let path = temp_db("pragmas");
        let h = History::open(&path).unwrap();
        let mode: String = h
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = h
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL is 2");
        assert_eq!(h.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(h.integrity_check().unwrap(), "ok");
        drop(h);
        // Reopening does not re-run migrations (they would fail: tables exist).
        let h = History::open(&path).unwrap();
        assert_eq!(h.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn record_and_read_back_everything() {
        let h = History::open(&temp_db("roundtrip")).unwrap();
        let mut r = reading(3 << 30);
        r.money.push(crate::balance::Money {
            label: "balance".into(),
            amount: "12.50".into(),
            minor_units: 1250,
            currency: "EUR".into(),
            expires: None,
        });
        let mut rec = CheckRecord::success(T0, "8981100000000000001", Method::Ussd, "*100#", r);
        rec.imsi = Some("440101234567890".into());
        rec.carrier = Some("example".into());
        rec.signal_dbm = Some(-77);
        rec.counters = Some(Counters {
            iface: "wwan0".into(),
            sample: CounterSample {
                rx_bytes: 1000,
                tx_bytes: 200,
            },
            boot_id: Some("b1".into()),
        });
        let id = h.record(&rec).unwrap();
        let fail = CheckRecord::failure(
            T0 + 60,
            "8981100000000000001",
            Method::Sms,
            "BAL→100",
            "timeout",
        );
        let id2 = h.record(&fail).unwrap();
        assert!(id2 > id);

        let all = h.readings(None, None).unwrap();
        assert_eq!(all.len(), 2);
        let back = all.first().unwrap();
        assert_eq!(back.id, Some(id));
        let mut expect = rec.clone();
        expect.id = Some(id);
        assert_eq!(back, &expect);
        assert_eq!(back.numbers.remaining_bytes, Some(3 << 30));
        assert_eq!(back.numbers.balance_minor, Some(1250));
        assert_eq!(back.numbers.currency.as_deref(), Some("EUR"));
        assert_eq!(back.numbers.expiry, Date::new(2026, 12, 31));
        let f = all.get(1).unwrap();
        assert!(!f.success);
        assert_eq!(f.error.as_deref(), Some("timeout"));
        assert_eq!(f.method, Method::Sms);

        assert_eq!(
            h.last_success("8981100000000000001").unwrap().unwrap().id,
            Some(id)
        );
        assert_eq!(
            h.last_check("8981100000000000001").unwrap().unwrap().id,
            Some(id2)
        );
        assert_eq!(h.consecutive_failures("8981100000000000001").unwrap(), 1);
        assert!(h.last_success("other").unwrap().is_none());
        assert_eq!(h.readings(None, Some(T0 + 1)).unwrap().len(), 1);
        assert_eq!(h.readings(Some("other"), None).unwrap().len(), 0);
        assert_eq!(h.iccids().unwrap(), vec!["8981100000000000001".to_string()]);
    }

    #[test]
    fn hostile_text_is_stored_verbatim() {
        let h = History::open(&temp_db("hostile")).unwrap();
        let raw = "'); DROP TABLE checks; -- \u{0}\u{202e} $(rm -rf /)";
        let mut rec =
            CheckRecord::failure(T0, "x'\"", Method::Other("carrier-app".into()), raw, raw);
        rec.raw = Some(raw.to_string());
        h.record(&rec).unwrap();
        let back = h.readings(Some("x'\""), None).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back.first().unwrap().raw.as_deref(), Some(raw));
        assert_eq!(
            back.first().unwrap().method,
            Method::Other("carrier-app".into())
        );
    }

    #[test]
    fn daily_usage_spreads_gaps_and_ignores_top_ups() {
        let day0 = 20_000 * DAY; // 2024-10-04 00:00 UTC
        let gib = 1u64 << 30;
        let series = vec![
            (day0 + 12 * 3600, 10 * gib),           // day 0 noon
            (day0 + DAY + 12 * 3600, 9 * gib),      // day 1 noon: 1 GiB, half on day 0, half day 1
            (day0 + 3 * DAY + 12 * 3600, 7 * gib),  // gap: 2 GiB over 2 days
            (day0 + 4 * DAY + 6 * 3600, 20 * gib),  // top-up: no usage
            (day0 + 4 * DAY + 18 * 3600, 19 * gib), // 1 GiB on day 4
        ];
        let u = daily_usage_of(&series);
        let d = |n: i64| Date::from_days_since_epoch(20_000 + n);
        let half = gib / 2;
        assert_eq!(
            u,
            vec![
                (d(0), half),
                (d(1), half + half),
                (d(2), gib),
                (d(3), half),
                (d(4), gib),
            ]
        );
        let h = History::open(&temp_db("daily")).unwrap();
        for (t, r) in &series {
            h.record(&CheckRecord::success(
                *t,
                "A",
                Method::Ussd,
                "*100#",
                reading(*r),
            ))
            .unwrap();
        }
        h.record(&CheckRecord::failure(
            day0 + 2 * DAY,
            "A",
            Method::Ussd,
            "*100#",
            "x",
        ))
        .unwrap();
        assert_eq!(h.daily_usage("A", None).unwrap(), u);
        assert!(
            u.iter().all(|(_, b)| *b <= 2 * gib),
            "never a huge negative wrap"
        );
    }

    #[test]
    fn top_up_threshold() {
        let gib = 1u64 << 30;
        assert!(!is_top_up(gib, gib + (4 << 20)), "rounding");
        assert!(is_top_up(gib, 2 * gib));
        assert!(
            !is_top_up(100 * gib, 101 * gib),
            "1 % of a big figure is rounding"
        );
        assert!(is_top_up(0, 100 << 20));
        assert!(!is_top_up(u64::MAX, u64::MAX));
    }

    #[test]
    fn consecutive_failures_counts_back_to_last_success() {
        let h = History::open(&temp_db("fails")).unwrap();
        assert_eq!(h.consecutive_failures("A").unwrap(), 0);
        for i in 0..3 {
            h.record(&CheckRecord::failure(
                T0 + i,
                "A",
                Method::Ussd,
                "*100#",
                "e",
            ))
            .unwrap();
        }
        assert_eq!(h.consecutive_failures("A").unwrap(), 3);
        h.record(&CheckRecord::success(
            T0 + 10,
            "A",
            Method::Ussd,
            "*100#",
            reading(5),
        ))
        .unwrap();
        assert_eq!(h.consecutive_failures("A").unwrap(), 0);
        h.record(&CheckRecord::failure(
            T0 + 20,
            "A",
            Method::Ussd,
            "*100#",
            "e",
        ))
        .unwrap();
        h.record(&CheckRecord::failure(
            T0 + 20,
            "B",
            Method::Ussd,
            "*100#",
            "e",
        ))
        .unwrap();
        assert_eq!(h.consecutive_failures("A").unwrap(), 1);
    }

    #[test]
    fn counter_baseline_survives_restart_and_reboot() {
        let path = temp_db("baseline");
        let c = |rx, tx, boot: &str| Counters {
            iface: "wwan0".into(),
            sample: CounterSample {
                rx_bytes: rx,
                tx_bytes: tx,
            },
            boot_id: Some(boot.into()),
        };
        {
            let h = History::open(&path).unwrap();
            let mut rec = CheckRecord::success(T0, "A", Method::Ussd, "*100#", reading(5 << 30));
            rec.counters = Some(c(1_000_000, 100_000, "boot1"));
            h.record(&rec).unwrap();
        }
        // "Restart": a new process reopens and sees the same baseline.
        let h = History::open(&path).unwrap();
        let (last, since) = h
            .bytes_since_last_check("A", &c(1_500_000, 150_000, "boot1"))
            .unwrap()
            .unwrap();
        assert_eq!(since, 550_000);
        assert_eq!(last.numbers.remaining_bytes, Some(5 << 30));
        // Reboot: counters restarted; count from zero rather than a huge wrap.
        let (_, since) = h
            .bytes_since_last_check("A", &c(2_000, 1_000, "boot2"))
            .unwrap()
            .unwrap();
        assert_eq!(since, 3_000);
        // Another interface: no baseline.
        let mut other = c(1, 1, "boot1");
        other.iface = "usb0".into();
        assert!(h.bytes_since_last_check("A", &other).unwrap().is_none());
    }

    /// The v1 schema as SQL, with data, as an older simquota would have left it.
    const V1_FIXTURE: &str = "
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version VALUES (1);
    ";

    #[test]
    fn migrates_forward_from_an_older_fixture() {
        let path = temp_db("migrate");
        // Build the v1 fixture by hand (the released v1 SQL plus rows), as an older build left it.
        {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(V1_FIXTURE).unwrap();
            conn.execute_batch(MIGRATIONS.first().unwrap().sql).unwrap();
            conn.execute(
                "INSERT INTO checks (time, iccid, method, request, success, remaining_bytes)
                 VALUES (?1, 'A', 'ussd', '*100#', 1, 12345)",
                params![T0],
            )
            .unwrap();
        }
        // A later build adds a migration: the data must survive and the version move to 2.
        const V2: &[Migration] = &[
            Migration {
                version: 1,
                sql: "SELECT 'never re-run'; CREATE TABLE checks (x);",
            },
            Migration {
                version: 2,
                sql:
                    "ALTER TABLE checks ADD COLUMN note TEXT; UPDATE checks SET note = 'migrated';",
            },
        ];
        let h = History::open_with(&path, V2).unwrap();
        assert_eq!(h.schema_version().unwrap(), 2);
        let note: String = h
            .conn
            .query_row("SELECT note FROM checks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(note, "migrated");
        let back = h.readings(Some("A"), None).unwrap();
        assert_eq!(back.first().unwrap().numbers.remaining_bytes, Some(12345));
        drop(h);
        // The v1 build now refuses the v2 file instead of misreading it.
        match History::open(&path) {
            Err(MonitorError::SchemaTooNew { found: 2, known: 1 }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    }

    #[test]
    fn migrates_from_an_empty_file() {
        // A zero-length file (what `touch` leaves) is an SQLite database at version 0.
        let path = temp_db("empty");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"").unwrap();
        let h = History::open(&path).unwrap();
        assert_eq!(h.schema_version().unwrap(), 1);
    }

    #[test]
    fn garbage_file_is_an_error_not_a_panic() {
        let path = temp_db("garbage");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, vec![0x55u8; 8192]).unwrap();
        assert!(History::open(&path).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            /// Whatever a check holds (any text, any byte count up to 2^63 - 1) comes back as
            /// it was written.
            #[test]
            fn record_round_trip(
                iccid in ".{0,24}",
                raw in ".{0,80}",
                remaining in 0u64..=i64::MAX as u64,
                time in any::<i64>(),
                ok in any::<bool>(),
            ) {
                let h = History::open(&temp_db("prop")).unwrap();
                let mut rec = if ok {
                    CheckRecord::success(time, &iccid, Method::Ussd, "*100#", {
                        let mut r = Reading::empty(&raw);
                        r.remaining_bytes = Some(remaining);
                        r
                    })
                } else {
                    let mut f = CheckRecord::failure(time, &iccid, Method::Inbox, &raw, &raw);
                    f.raw = Some(raw.clone());
                    f
                };
                let id = h.record(&rec).unwrap();
                rec.id = Some(id);
                let back = h.readings(Some(&iccid), None).unwrap();
                prop_assert_eq!(back, vec![rec]);
                let _ = std::fs::remove_dir_all(h.path().parent().unwrap());
            }

            /// Daily usage adds up to the sum of the drops (never counts a rise), whatever the
            /// order of times and figures.
            #[test]
            fn daily_usage_conserves_drops(
                mut series in proptest::collection::vec((0i64..40 * DAY, 0u64..(1u64 << 40)), 0..30)
            ) {
                series.sort_by_key(|p| p.0);
                let drops: u64 = series
                    .windows(2)
                    .map(|w| w[0].1.saturating_sub(w[1].1))
                    .sum();
                let total: u64 = daily_usage_of(&series).iter().map(|(_, b)| *b).sum();
                let slack = 40 + series.len() as u64; // rounding: at most 1 byte per day entry
                prop_assert!(total.abs_diff(drops) <= slack, "{} vs {}", total, drops);
            }
        }
    }
}
