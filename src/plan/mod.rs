//! Plans per SIM, anchors, counted traffic and the labelled estimate — remaining data where the
//! carrier will not answer a modem (docomo, au, SoftBank, povo, IIJmio… and every app-only
//! carrier), reconciled with the carrier's own figure whenever one is available.
//!
//! Invariants:
//! - Sans-IO: nothing here reads the clock or the interface; `now` (UTC unix seconds) and the
//!   counter samples are passed in. [`store`] is the thin layer that reads and writes files.
//! - An estimate is labelled as one ([`Estimate::label`] is always `"estimate"`) and kept apart
//!   from carrier figures; it is never negative and never loses counted bytes (a counter that
//!   goes backwards is a reset or a 32-bit wrap, a clock that goes backwards books the bytes at
//!   the last known time, a clock before 2024 holds them until the clock is plausible).
//!
//! - [`cycle`]: billing-cycle arithmetic in the plan's IANA time zone (jiff);
//! - [`ledger`]: counted bytes as a monotone (time, cumulative bytes) series;
//! - [`estimate`]: buckets (base, carry-over, packs) consumed soonest-expiring first;
//! - [`store`]: `plans.toml` in the config directory, the counts in the state directory.

pub mod cycle;
pub mod estimate;
pub mod ledger;
pub mod store;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use cycle::{Bounds, Cycle};
pub use estimate::{estimate, Bucket, BucketKind, Estimate};
pub use ledger::{Ledger, ObserveNote};
pub use store::{Counts, Plans};

/// A timestamp before this (2024-01-01T00:00:00Z) is not a plausible clock: routers without an
/// RTC boot in 1970. Counted bytes are held until the clock is plausible.
pub const PLAUSIBLE_SINCE: i64 = 1_704_067_200;

/// What went wrong with a plan, an argument or a plan file.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    /// An argument or a field that cannot be understood.
    #[error("{0}")]
    Invalid(String),
    /// A time zone that cannot be found.
    #[error("time zone {name:?}: {reason}")]
    TimeZone {
        /// The zone's name.
        name: String,
        /// Why it was not found.
        reason: String,
    },
    /// A file that cannot be read or written.
    #[error("{0}")]
    Io(String),
}

/// Result with [`PlanError`].
pub type Result<T> = std::result::Result<T, PlanError>;

/// A byte count written the way people and carriers write it (`20GB`, `512MB`, `3.5GB`, or bytes).
/// Units are binary (1 GB = 1024 MB), as `--warn-below` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "SizeRepr", into = "String")]
pub struct Size(pub u64);

#[derive(Deserialize)]
#[serde(untagged)]
enum SizeRepr {
    Text(String),
    Bytes(u64),
}

impl TryFrom<SizeRepr> for Size {
    type Error = PlanError;
    fn try_from(r: SizeRepr) -> Result<Size> {
        match r {
            SizeRepr::Text(s) => parse_size(&s).map(Size),
            SizeRepr::Bytes(b) => Ok(Size(b)),
        }
    }
}

impl From<Size> for String {
    fn from(s: Size) -> String {
        const UNITS: [(u64, &str); 4] = [
            (1 << 40, "TB"),
            (1 << 30, "GB"),
            (1 << 20, "MB"),
            (1 << 10, "KB"),
        ];
        for (m, name) in UNITS {
            if s.0 >= m && s.0.is_multiple_of(m) {
                return format!("{}{name}", s.0 / m);
            }
        }
        s.0.to_string()
    }
}

/// Parses `20GB`, `1.5 GB`, `512MB`, `20ギガ`, `100000` (bytes). Negative, empty and absurd (more
/// than 1 PB) sizes are refused with the reason.
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let bad = |why: &str| {
        PlanError::Invalid(format!(
            "{s:?} is not a size ({why}): write it like 20GB, 512MB or 1.5GB"
        ))
    };
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(bad(if t.starts_with('-') {
            "negative"
        } else {
            "no number"
        }));
    }
    let v: f64 = num.parse().map_err(|_| bad("not a number"))?;
    let mult: f64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1.0,
        "K" | "KB" | "KIB" => 1024.0,
        "M" | "MB" | "MIB" | "メガ" => 1024.0 * 1024.0,
        "G" | "GB" | "GIB" | "ギガ" => 1024.0 * 1024.0 * 1024.0,
        "T" | "TB" | "TIB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad("unknown unit")),
    };
    let bytes = (v * mult).round();
    if !(0.0..=1e15 * 1.2).contains(&bytes) {
        return Err(bad("out of range"));
    }
    Ok(bytes as u64)
}

/// A duration for pack expiry: `30d`, `12h`, `2w`, `90m`.
pub fn parse_days(s: &str) -> Result<i64> {
    let t = s.trim();
    let bad = || {
        PlanError::Invalid(format!(
            "{s:?} is not a duration: write it like 30d, 12h or 2w"
        ))
    };
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: i64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "m" => 60,
        "h" => 3600,
        "d" | "" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    if n <= 0 || n > 3660 * 86_400 / secs {
        return Err(bad());
    }
    Ok(n * secs)
}

/// What the carrier does when the allowance is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AtCap {
    /// Data goes on at this speed (kbit/s), e.g. docomo's 128 kbps, povo's 128 kbps.
    Throttle {
        /// kbit/s.
        kbps: u32,
    },
    /// Data stops.
    Cut,
}

impl TryFrom<String> for AtCap {
    type Error = PlanError;
    fn try_from(s: String) -> Result<AtCap> {
        AtCap::parse(&s)
    }
}

impl From<AtCap> for String {
    fn from(c: AtCap) -> String {
        match c {
            AtCap::Throttle { kbps } => format!("throttle:{kbps}kbps"),
            AtCap::Cut => "cut".into(),
        }
    }
}

impl AtCap {
    /// Parses `throttle:128kbps`, `throttle:1mbps`, `cut`.
    pub fn parse(s: &str) -> Result<AtCap> {
        let t = s.trim().to_ascii_lowercase();
        if t == "cut" || t == "stop" {
            return Ok(AtCap::Cut);
        }
        let bad = || {
            PlanError::Invalid(format!(
                "--at-cap {s:?}: expected throttle:128kbps, throttle:1mbps or cut"
            ))
        };
        let rest = t.strip_prefix("throttle:").ok_or_else(bad)?;
        let (num, mult) = if let Some(n) = rest.strip_suffix("mbps") {
            (n, 1000)
        } else {
            (rest.strip_suffix("kbps").unwrap_or(rest), 1)
        };
        let n: u32 = num.trim().parse().map_err(|_| bad())?;
        if n == 0 || n > 1_000_000 / mult {
            return Err(bad());
        }
        Ok(AtCap::Throttle { kbps: n * mult })
    }

    /// For people: `throttled to 128 kbps`, `cut off`.
    pub fn describe(&self) -> String {
        match self {
            AtCap::Throttle { kbps } if kbps % 1000 == 0 => {
                format!("throttled to {} Mbps", kbps / 1000)
            }
            AtCap::Throttle { kbps } => format!("throttled to {kbps} kbps"),
            AtCap::Cut => "cut off".into(),
        }
    }
}

/// An add-on pack (povo トッピング, docomo 追加チャージ, IIJmio 追加クーポン): its own size and expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Its size.
    pub size: Size,
    /// When it was added (UTC unix seconds).
    #[serde(with = "ts")]
    pub added: i64,
    /// When it expires; `None`: with the base allowance never (kept until used).
    #[serde(default, with = "ts_opt", skip_serializing_if = "Option::is_none")]
    pub expires: Option<i64>,
}

/// Where an anchor's figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AnchorSource {
    /// Typed by the user (`plan anchor 12.5GB`: "what My docomo shows now").
    Manual,
    /// Pasted app/web/e-mail text read by the reply parser (`parse TEXT --anchor`).
    Parsed,
    /// A USSD or SMS reply of the carrier.
    Carrier,
    /// A usage notice the carrier sent, found in the inbox.
    Inbox,
}

impl AnchorSource {
    /// For people.
    pub fn as_str(self) -> &'static str {
        match self {
            AnchorSource::Manual => "manual",
            AnchorSource::Parsed => "parsed text",
            AnchorSource::Carrier => "carrier reply",
            AnchorSource::Inbox => "inbox notice",
        }
    }
}

/// A remaining figure the user trusts, at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// When (UTC unix seconds).
    #[serde(with = "ts")]
    pub at: i64,
    /// Remaining data then.
    pub remaining: Size,
    /// Where it came from.
    pub source: AnchorSource,
    /// What the estimate said at that moment less the anchor (positive: counting under-counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_bytes: Option<i64>,
}

/// How many anchors a plan keeps (the newest).
pub const MAX_ANCHORS: usize = 32;

/// A plan for one SIM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The SIM's ICCID.
    pub iccid: String,
    /// Data per cycle.
    pub allowance: Size,
    /// When it resets.
    pub resets: Cycle,
    /// IANA time zone of the cycle (`Asia/Tokyo`) or a fixed offset (`+09:00`); absent: the
    /// system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// What happens at the cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_cap: Option<AtCap>,
    /// 繰越: unused allowance of the previous cycle is carried into the next, expiring at its end.
    #[serde(default)]
    pub carry_over: bool,
    /// The network interface carrying this SIM's data (e.g. `wwan0`), for counting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// When the plan was set (a non-expiring bucket starts then).
    #[serde(with = "ts")]
    pub since: i64,
    /// Add-on packs.
    #[serde(default, rename = "pack", skip_serializing_if = "Vec::is_empty")]
    pub packs: Vec<Pack>,
    /// Trusted remaining figures, oldest first.
    #[serde(default, rename = "anchor", skip_serializing_if = "Vec::is_empty")]
    pub anchors: Vec<Anchor>,
}

impl Plan {
    /// A plan with the allowance and cycle, set at `now`.
    pub fn new(iccid: &str, allowance: u64, resets: Cycle, now: i64) -> Plan {
        Plan {
            iccid: iccid.to_string(),
            allowance: Size(allowance),
            resets,
            tz: None,
            at_cap: None,
            carry_over: false,
            interface: None,
            since: now,
            packs: Vec::new(),
            anchors: Vec::new(),
        }
    }

    /// Checks the fields; returns notes for people (e.g. how day 31 works in short months).
    pub fn validate(&self) -> Result<Vec<String>> {
        let mut notes = Vec::new();
        check_iccid(&self.iccid)?;
        if self.allowance.0 == 0 {
            return Err(PlanError::Invalid(
                "the allowance must be more than 0".into(),
            ));
        }
        self.resets.check()?;
        cycle::zone(self.tz.as_deref())?;
        if let Cycle::Monthly { day, .. } = self.resets {
            if day > 28 {
                notes.push(format!(
                    "resets on day {day}: in months with fewer days it resets on the month's last day (28 or 29 February{})",
                    if day == 31 { ", 30 April, June, September, November" } else { "" }
                ));
            }
        }
        if self.carry_over && matches!(self.resets, Cycle::Rolling { .. } | Cycle::Never) {
            notes.push("carry-over applies to monthly and weekly cycles only; ignored here".into());
        }
        Ok(notes)
    }

    /// The newest anchor at or before `now`.
    pub fn last_anchor(&self, now: i64) -> Option<&Anchor> {
        self.anchors
            .iter()
            .filter(|a| a.at <= now)
            .max_by_key(|a| a.at)
    }
}

/// An ICCID: 18–22 digits (ITU-T E.118; the last may be `F` padding in some readers).
pub fn check_iccid(s: &str) -> Result<()> {
    let ok = (10..=22).contains(&s.len())
        && s.bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i + 1 == s.len() && (b == b'F' || b == b'f')));
    if ok {
        Ok(())
    } else {
        Err(PlanError::Invalid(format!(
            "{:?} is not an ICCID (10–22 digits)",
            s.chars().take(40).collect::<String>()
        )))
    }
}

/// RFC 3339 timestamps in the file, unix seconds in memory.
mod ts {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
        match jiff::Timestamp::from_second(*t) {
            Ok(ts) => s.serialize_str(&ts.to_string()),
            Err(_) => s.serialize_i64(*t),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum R {
            S(String),
            N(i64),
        }
        match R::deserialize(d)? {
            R::N(n) => Ok(n),
            R::S(s) => s
                .parse::<jiff::Timestamp>()
                .map(|t| t.as_second())
                .map_err(|e| {
                    serde::de::Error::custom(format!("{s:?} is not an RFC 3339 time: {e}"))
                }),
        }
    }
}

mod ts_opt {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::ts::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        super::ts::deserialize(d).map(Some)
    }
}
