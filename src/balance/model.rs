//! The values a reply is turned into. These types are the `reading` part of `--json`
//! (`schema_version` [`SCHEMA_VERSION`]): bytes are integers, dates ISO 8601, money a decimal
//! string plus an integer of minor units — never a float.

use super::date::Date;
use serde::{Deserialize, Serialize};

/// Version of the JSON shape of [`Reading`]; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// What the caller knows that the text does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseOptions {
    /// Today's date, for dates printed without a year. The parser never reads the clock.
    pub today: Date,
    /// What the carrier means by K/M/G: 1000 or 1024 (default 1024). Other values count as 1024.
    #[serde(default = "default_base")]
    pub units_base: u64,
    /// Language hint as a BCP 47 tag (`"ru"`, `"zh-Hant"`, `"en-US"`, `"en-NP"`). Used when the
    /// text alone does not tell the language; its region (if any) decides ambiguous currency
    /// signs (`$`, `Rs.`, `kr`, `元`) and US month/day order.
    #[serde(default)]
    pub language: Option<String>,
    /// Carrier-profile regular expressions (regex-lite syntax) with named captures `remaining`,
    /// `used`, `total`, `balance`, `currency`, `expiry`. Tried in order before the generic
    /// parser; the first one that captures a usable value decides the reading.
    #[serde(default)]
    pub hints: Vec<String>,
    /// ISO 3166-1 alpha-2 country of the carrier (from its profile or the SIM's MCC), e.g.
    /// `"NG"`. Resolves ambiguous money signs (`$`, `Rs`, `P`, `kr`, `K`, `F CFA`) and tells
    /// US month/day order; without it (and without `currency`) such signs are not read.
    #[serde(default)]
    pub country: Option<String>,
    /// ISO 4217 code the carrier bills in (from its profile), e.g. `"CAD"`: what an ambiguous
    /// sign means when it can mean this currency. Never used for an amount with no sign.
    #[serde(default)]
    pub currency: Option<String>,
}

fn default_base() -> u64 {
    1024
}

impl ParseOptions {
    /// Options with the default base (1024), no language hint and no carrier hints.
    pub fn new(today: Date) -> ParseOptions {
        ParseOptions {
            today,
            units_base: default_base(),
            language: None,
            hints: Vec::new(),
            country: None,
            currency: None,
        }
    }

    /// The effective base: 1000 when asked for, 1024 otherwise.
    pub fn base(&self) -> u64 {
        if self.units_base == 1000 {
            1000
        } else {
            1024
        }
    }
}

/// One pool of data named in the reply.
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataBucket {
    /// `"data"` for the main pool, else what the reply names: `"domestic"`, `"provincial"`,
    /// `"roaming"`, `"night"`, `"day"`, `"bonus"`, `"gift"`, `"carry-over"`, `"free"`, `"lte"`,
    /// `"add-on"` (the B of "A + B"), or `"pool N"` for the N-th pool the reply names in quotes
    /// (`“限量流量”`).
    pub label: String,
    /// Bytes left.
    pub remaining_bytes: Option<u64>,
    /// Bytes used.
    pub used_bytes: Option<u64>,
    /// Allowance in bytes.
    pub total_bytes: Option<u64>,
    /// The reply says this pool is unlimited.
    pub unlimited: bool,
    /// Until when this pool is valid, when the reply says so next to it.
    pub expires: Option<Date>,
    /// The reply gives this pool as a part of another figure ("其中", "of which", "含"): it is
    /// not added into the summary.
    pub breakdown: bool,
    /// `remaining_bytes` is not written in the reply but derived from it ("used 75% of 4 GB",
    /// or total − used): shown as derived.
    #[serde(default)]
    pub derived: bool,
}

impl DataBucket {
    /// An empty bucket with this label.
    pub fn new(label: &str) -> DataBucket {
        DataBucket {
            label: label.to_string(),
            remaining_bytes: None,
            used_bytes: None,
            total_bytes: None,
            unlimited: false,
            expires: None,
            breakdown: false,
            derived: false,
        }
    }
}

/// The reply says the speed is limited now.
#[derive(schemars::JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throttle {
    /// The limited speed in kbit/s when the reply states it (`128kbps` → 128, `1Mbps` → 1000).
    pub speed_kbps: Option<u64>,
}

/// An amount of money.
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// What it is: `"balance"` (the main balance), `"bonus"`, `"promo"`, `"gift"`, `"loan"`,
    /// `"start"`, `"purchased"`, `"prepaid"`, `"limit"`, `"renewal"`, `"price"`, `"fee"`,
    /// `"charge"`, `"spent"`, `"transaction"` (recharged, loaded, transferred), `"total"`,
    /// `"free"`, `"ambiguous"` (several amounts are called the balance and none is the main
    /// one), or `"unlabelled"` when the reply does not say. Amounts whose currency sign is
    /// ambiguous, and offers and prices, are not here but in [`Reading::candidates`].
    pub label: String,
    /// The amount as a decimal string with `.` as the decimal mark, as precise as written
    /// (`"2220.76"`, `"633.100"`, `"30000"`, `"-5.00"`).
    pub amount: String,
    /// The amount in minor units of the currency (ISO 4217 exponent: kopecks, cents, yen),
    /// rounded half up if the reply wrote more decimals.
    pub minor_units: i64,
    /// ISO 4217 code (`"RUB"`, `"JPY"`, `"SEK"`, …).
    pub currency: String,
    /// Until when this amount is valid, when the reply says so next to it.
    pub expires: Option<Date>,
}

/// What a reply says, in numbers.
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// Detected language (`"ja"`, `"zh-Hans"`, `"zh-Hant"`, `"en"`, `"ru"`, `"uk"`, `"de"`,
    /// `"pl"`, `"sv"`, `"id"`, `"cs"`, `"hu"`, `"fr"`, `"bg"`), or the hint when the text alone
    /// does not tell; `None` when unknown.
    pub language: Option<String>,
    /// Every data pool named, in order of first mention.
    pub buckets: Vec<DataBucket>,
    /// Summary: the main pool (`"data"`) when there is one; otherwise the sum over the pools
    /// that are not a breakdown and not roaming (roaming pools alone are summed when there is
    /// nothing else); `None` when no pool states it.
    pub remaining_bytes: Option<u64>,
    /// Summary of used bytes (same rule).
    pub used_bytes: Option<u64>,
    /// Summary of allowance bytes (same rule).
    pub total_bytes: Option<u64>,
    /// The reply says data is unlimited.
    pub unlimited: bool,
    /// `Some` when the reply says the speed is limited now.
    pub throttled: Option<Throttle>,
    /// Amounts of money, in order of mention (prices per unit such as `2kr/samtal` are left out).
    pub money: Vec<Money>,
    /// Expiry: the data's validity end when the reply gives one (see [`Reading::data_expiry`]),
    /// else the first date it marks as a validity end ("valid until", まで, 有效期, "до",
    /// "Aktif sd", …) of the balance or the number.
    pub expiry: Option<Date>,
    /// Reset: the first date the reply marks as the start of the next period (月结日, "renews on").
    pub reset: Option<Date>,
    /// 0..1: 0.9 for a clean generic reading, 0.95 through a carrier hint, lower for each
    /// ambiguity noted; 0 when not understood. JSON: rounded to two decimals.
    #[serde(serialize_with = "crate::output::round2")]
    pub confidence: f32,
    /// False when nothing usable was found (or the language is unknown): the CLI exits 3.
    pub understood: bool,
    /// What was not understood and what was ambiguous, in plain English.
    pub notes: Vec<String>,
    /// The reply text as given.
    pub raw: String,
    /// Every number the parser found (sizes, money, dates, percentages, bare numbers), with the
    /// role it was given and the words that gave it, or why it was not taken. `--explain`.
    #[serde(default)]
    pub candidates: Vec<Candidate>,
}

/// A number found in the reply and what became of it.
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The number as written, with its unit or currency (`"812MB"`, `"Rp25rb"`, `"2/2"`).
    pub text: String,
    /// `"size"`, `"money"`, `"date"`, `"percent"`, `"speed"`, `"number"` or `"code"` (phone
    /// numbers, USSD codes, references).
    pub kind: String,
    /// Char offset of the first char in the reply.
    pub start: usize,
    /// The role it was given (`"remaining"`, `"used"`, `"total"`, `"balance"`, `"bonus"`,
    /// `"expiry"`, `"reset"`, …), or `None` when it was not taken.
    pub role: Option<String>,
    /// The words of the reply that gave the role (or the rejection), as written.
    pub cue: Option<String>,
    /// Why it was taken or not, in plain English.
    pub why: String,
}

impl Reading {
    /// An empty, not-understood reading of `raw`.
    pub fn empty(raw: &str) -> Reading {
        Reading {
            language: None,
            buckets: Vec::new(),
            remaining_bytes: None,
            used_bytes: None,
            total_bytes: None,
            unlimited: false,
            throttled: None,
            money: Vec::new(),
            expiry: None,
            reset: None,
            confidence: 0.0,
            understood: false,
            notes: Vec::new(),
            raw: raw.to_string(),
            candidates: Vec::new(),
        }
    }

    /// The bucket with this label, if any.
    pub fn bucket(&self, label: &str) -> Option<&DataBucket> {
        self.buckets.iter().find(|b| b.label == label)
    }

    /// When the data expires or resets: the main pool's expiry, else the earliest expiry of a
    /// pool the user can spend that states what is left (else of any such pool but a night
    /// pool), else the reset date. `None` when the reply gives no date for
    /// the data (the validity of the account or of a balance is not the data's).
    pub fn data_expiry(&self) -> Option<Date> {
        let spendable = |b: &&DataBucket| !b.breakdown && b.label != "roaming";
        let with_figure = |b: &&DataBucket| b.remaining_bytes.is_some();
        self.bucket("data")
            .and_then(|b| b.expires)
            .or_else(|| {
                self.buckets
                    .iter()
                    .filter(spendable)
                    .filter(with_figure)
                    .filter_map(|b| b.expires)
                    .min()
            })
            .or_else(|| {
                self.buckets
                    .iter()
                    .filter(spendable)
                    .filter(|b| b.label != "night")
                    .filter_map(|b| b.expires)
                    .min()
            })
            .or(self.reset)
    }

    /// The first amount with this label, if any.
    pub fn money_labelled(&self, label: &str) -> Option<&Money> {
        self.money.iter().find(|m| m.label == label)
    }
}
