//! One carrier profile: the serde shape of a `[[carrier]]` table and its validation.
//!
//! Invariant: a [`Profile`] that passed [`Profile::validate`] has a slug id, 5–6 digit
//! MCC-MNC strings (the MNC length is kept exactly: `"310260"` is not `"31026"`), at least one
//! [`Method`], USSD codes made only of `0-9 * #`, reply hints that compile and capture only
//! [`KNOWN_CAPTURES`], and `units_base` 1000 or 1024.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Capture names a reply hint may use; the `balance` module knows what each one means.
pub const KNOWN_CAPTURES: &[&str] = &[
    "remaining",
    "used",
    "total",
    "balance",
    "currency",
    "expiry",
];

/// Charset quirks the rest of the crate understands; others are kept as values and shown.
pub const KNOWN_QUIRKS: &[&str] = &[
    // +CUSD DCS says GSM 7-bit (or 15) but the string is UCS-2 hex (corpus A1.2 #7, Halebop SE).
    "ucs2-mislabelled",
    // the network (or the modem in front of it) wants the request pre-packed as GSM 7-bit hex.
    "packed-request",
    // replies mix Latin look-alikes into Cyrillic words (corpus C4: `OCTATOK 187.24 p.`).
    "latin-homoglyphs",
];

fn default_units_base() -> u32 {
    1024
}

/// How to ask one carrier for its balance and how it answers (see `carriers/README.md`).
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Stable slug, e.g. `jp-docomo`; user files override built-ins with the same id.
    pub id: String,
    /// Human name, e.g. `NTT docomo`.
    pub name: String,
    /// Names as `+COPS` or the SIM's SPN show them (`NTT DOCOMO`, `CHN-UNICOM`, `中国移动`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2 country (user-assigned `ZZ` for synthetic profiles).
    pub country: String,
    /// Home networks as MCC+MNC strings (`"44010"`, `"310260"`); empty = inherit from `parent`.
    #[serde(default)]
    pub mcc_mnc: Vec<String>,
    /// Network owner for sub-brands and MVNOs (`jp-ahamo` → `jp-docomo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Ways to learn the balance, in the order to try them.
    #[serde(default)]
    pub methods: Vec<Method>,
    /// Regexes with named captures ([`KNOWN_CAPTURES`]) that pick values out of replies.
    #[serde(default)]
    pub reply_hints: Vec<String>,
    /// Charset quirks of this carrier's replies or requests ([`KNOWN_QUIRKS`]).
    #[serde(default)]
    pub charset_quirks: Vec<String>,
    /// What "1 GB" means in this carrier's replies: 1000 or 1024 MB.
    #[serde(default = "default_units_base")]
    pub units_base: u32,
    /// Language of replies (BCP 47: `ja`, `zh-Hans`, `ru`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// ISO 4217 code of the money in replies (`CAD`, `NGN`): resolves `$`, `Rs`, `P`… for the
    /// parser. `None` = not known; the parser must not guess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Free text for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Where the facts come from: URLs or `corpus: <repo path/issue>`.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Whether sending the query SMS is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cost {
    /// Sources say the message is free.
    Free,
    /// Sources say the message is charged.
    Paid,
    /// Nobody said; the tool should warn before sending.
    #[default]
    Unknown,
}

impl Serialize for Cost {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cost::Free => s.serialize_bool(false),
            Cost::Paid => s.serialize_bool(true),
            Cost::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for Cost {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Cost;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or \"unknown\"")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Cost, E> {
                Ok(if v { Cost::Paid } else { Cost::Free })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Cost, E> {
                if v == "unknown" {
                    Ok(Cost::Unknown)
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// One way to learn the balance (`kind = "ussd" | "sms" | "inbox" | "none"`).
#[derive(schemars::JsonSchema, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Method {
    /// Dial a USSD code (`*100#`), then answer menus with `follow`.
    Ussd {
        /// The code, e.g. `*100#`.
        code: String,
        /// Replies to send to successive menus, e.g. `["1", "1"]`.
        #[serde(default)]
        follow: Vec<String>,
        /// Caveats for people.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Send `keyword` to `number` and wait for a reply from `reply_senders`.
    Sms {
        /// Destination short code, e.g. `10086`.
        number: String,
        /// Message text, e.g. `CXLL` (may be empty where the carrier says so).
        keyword: String,
        /// Senders the reply comes from: numbers or alphanumeric names.
        #[serde(default)]
        reply_senders: Vec<String>,
        /// Whether the query is charged (`true`, `false` or `"unknown"`).
        #[serde(default)]
        costs_money: Cost,
        /// How many concatenated parts the reply usually has.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_parts_expected: Option<u8>,
        /// The carrier answers with this many *separate* messages (not parts of one
        /// concatenated SMS): the check waits for all of them, and only for them. Without it
        /// the check ends as soon as the reply is complete.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_messages: Option<u8>,
        /// Caveats for people.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Read notices the carrier already pushed to the SIM (free, nothing is sent).
    Inbox {
        /// Senders of the notices; empty = any sender, filtered by `match`.
        #[serde(default)]
        senders: Vec<String>,
        /// Words a notice contains, e.g. `【流量日提醒】`.
        #[serde(default, rename = "match")]
        match_words: Vec<String>,
        /// Caveats for people.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// No modem-queryable path: where a person can look instead.
    None {
        /// App to open, e.g. `My docomo`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        app: Option<String>,
        /// Official page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        /// Voice guidance, e.g. SoftBank `*5555`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voice: Option<String>,
        /// E-mail notices the carrier sends.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email_notice: Option<String>,
        /// One honest sentence: why the modem cannot ask, and where to look.
        explain: String,
    },
}

impl Method {
    /// The `kind` string as written in TOML.
    pub fn kind(&self) -> &'static str {
        match self {
            Method::Ussd { .. } => "ussd",
            Method::Sms { .. } => "sms",
            Method::Inbox { .. } => "inbox",
            Method::None { .. } => "none",
        }
    }

    /// True for methods the modem can carry out (USSD, SMS, reading the inbox).
    pub fn is_queryable(&self) -> bool {
        !matches!(self, Method::None { .. })
    }
}

/// A validation failure inside one profile: the field path (relative to the profile, e.g.
/// `methods[0].code`) and what is wrong. The loader turns it into a file:line error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Path segments: keys and array indices.
    pub path: Vec<PathSeg>,
    /// What is wrong, for people.
    pub message: String,
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Renders `methods[0].code` style paths.
pub fn path_to_string(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.to_string())
}

fn problem(path: Vec<PathSeg>, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        path,
        message: message.into(),
    }
}

/// `jp-docomo`: lowercase ASCII letters and digits in dash-separated runs, 1–64 chars.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_ussd_code(s: &str) -> bool {
    // TS 22.090 §4.5: a USSD string starts with * or #, ends with #, and is built from
    // digits, * and #; 182 characters is the 7-bit USSD string limit.
    let b = s.as_bytes();
    b.len() >= 2
        && b.len() <= 182
        && matches!(b.first(), Some(b'*') | Some(b'#'))
        && b.last() == Some(&b'#')
        && b.iter()
            .all(|c| c.is_ascii_digit() || *c == b'*' || *c == b'#')
}

/// Active ISO 4217 alphabetic codes (list of 2024-06, SIX Group; funds codes and precious
/// metals left out: no carrier bills in XAU). Sorted for binary search.
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
    "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
    "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB",
    "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD",
    "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
    "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER",
    "ZAR", "ZMW", "ZWG", "ZWL",
];

/// True for an active ISO 4217 alphabetic code ([`ISO_4217`]).
pub fn is_iso4217(s: &str) -> bool {
    ISO_4217.binary_search(&s).is_ok()
}

fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    first_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Checks a reply hint: it must compile under regex-lite and use only [`KNOWN_CAPTURES`].
pub fn check_hint(hint: &str) -> Result<(), String> {
    let re = regex_lite::Regex::new(hint).map_err(|e| format!("regex does not compile: {e}"))?;
    for name in re.capture_names().flatten() {
        if !KNOWN_CAPTURES.contains(&name) {
            return Err(format!(
                "unknown capture name \"{name}\" (expected one of {})",
                KNOWN_CAPTURES.join(", ")
            ));
        }
    }
    Ok(())
}

impl Profile {
    /// Checks every rule in the module docs; the first problem found is returned.
    pub fn validate(&self) -> Result<(), FieldProblem> {
        if !is_slug(&self.id) {
            return Err(problem(
                vec![key("id")],
                format!("id \"{}\" is not a slug (lowercase a-z, 0-9 and single dashes, e.g. \"jp-docomo\")", self.id),
            ));
        }
        if self.name.trim().is_empty() {
            return Err(problem(vec![key("name")], "name is empty"));
        }
        for (i, a) in self.aliases.iter().enumerate() {
            if a.trim().is_empty() {
                return Err(problem(
                    vec![key("aliases"), PathSeg::Index(i)],
                    "alias is empty",
                ));
            }
        }
        let c = self.country.as_bytes();
        if c.len() != 2 || !c.iter().all(|b| b.is_ascii_uppercase()) {
            return Err(problem(
                vec![key("country")],
                format!(
                    "country \"{}\" is not an ISO 3166-1 alpha-2 code (two capital letters)",
                    self.country
                ),
            ));
        }
        for (i, m) in self.mcc_mnc.iter().enumerate() {
            if !(5..=6).contains(&m.len()) || !m.bytes().all(|b| b.is_ascii_digit()) {
                return Err(problem(
                    vec![key("mcc_mnc"), PathSeg::Index(i)],
                    format!(
                        "\"{m}\" is not an MCC-MNC (5 or 6 digits, e.g. \"44010\" or \"310260\")"
                    ),
                ));
            }
        }
        if let Some(p) = &self.parent {
            if !is_slug(p) {
                return Err(problem(
                    vec![key("parent")],
                    format!("parent \"{p}\" is not a profile id"),
                ));
            }
            if p == &self.id {
                return Err(problem(
                    vec![key("parent")],
                    "a profile cannot be its own parent",
                ));
            }
        }
        if self.methods.is_empty() {
            return Err(problem(
                vec![key("methods")],
                "no methods: list at least one (use kind = \"none\" with `explain` when the modem cannot ask)",
            ));
        }
        for (i, m) in self.methods.iter().enumerate() {
            validate_method(m).map_err(|(field, msg)| {
                let mut path = vec![key("methods"), PathSeg::Index(i)];
                path.extend(field);
                problem(path, msg)
            })?;
        }
        for (i, h) in self.reply_hints.iter().enumerate() {
            check_hint(h)
                .map_err(|msg| problem(vec![key("reply_hints"), PathSeg::Index(i)], msg))?;
        }
        for (i, q) in self.charset_quirks.iter().enumerate() {
            if !is_slug(q) {
                return Err(problem(
                    vec![key("charset_quirks"), PathSeg::Index(i)],
                    format!("quirk \"{q}\" is not a slug (e.g. \"ucs2-mislabelled\")"),
                ));
            }
        }
        if self.units_base != 1000 && self.units_base != 1024 {
            return Err(problem(
                vec![key("units_base")],
                format!("units_base {} must be 1000 or 1024", self.units_base),
            ));
        }
        if let Some(l) = &self.language {
            if !is_language_tag(l) {
                return Err(problem(
                    vec![key("language")],
                    format!("language \"{l}\" is not a BCP 47 tag (e.g. \"ja\", \"zh-Hans\")"),
                ));
            }
        }
        if let Some(c) = &self.currency {
            if !is_iso4217(c) {
                return Err(problem(
                    vec![key("currency")],
                    format!("currency \"{c}\" is not an ISO 4217 code (three capital letters in use, e.g. \"NGN\", \"CAD\")"),
                ));
            }
        }
        for (i, s) in self.sources.iter().enumerate() {
            if s.trim().is_empty() {
                return Err(problem(
                    vec![key("sources"), PathSeg::Index(i)],
                    "source is empty",
                ));
            }
        }
        Ok(())
    }

    /// The compiled reply hints (invalid ones are skipped; [`Profile::validate`] rejects them).
    pub fn compiled_hints(&self) -> Vec<regex_lite::Regex> {
        self.reply_hints
            .iter()
            .filter_map(|h| regex_lite::Regex::new(h).ok())
            .collect()
    }

    /// True when the profile lists `quirk` in `charset_quirks`.
    pub fn has_quirk(&self, quirk: &str) -> bool {
        self.charset_quirks.iter().any(|q| q == quirk)
    }

    /// True when at least one method can be carried out by the modem.
    pub fn is_queryable(&self) -> bool {
        self.methods.iter().any(Method::is_queryable)
    }

    /// Human text for `simquota carriers show ID`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = write!(s, "{} — {} ({}", self.id, self.name, self.country);
        if let Some(l) = &self.language {
            let _ = write!(s, ", {l}");
        }
        if let Some(c) = &self.currency {
            let _ = write!(s, ", {c}");
        }
        s.push_str(")\n");
        if let Some(p) = &self.parent {
            let _ = writeln!(s, "  network of: {p}");
        }
        if self.mcc_mnc.is_empty() {
            if self.parent.is_some() {
                s.push_str("  networks: those of the parent\n");
            }
        } else {
            let _ = writeln!(s, "  networks: {}", self.mcc_mnc.join(", "));
        }
        if !self.aliases.is_empty() {
            let _ = writeln!(s, "  also shown as: {}", self.aliases.join(", "));
        }
        s.push_str("  how to check:\n");
        for (i, m) in self.methods.iter().enumerate() {
            let n = i + 1;
            match m {
                Method::Ussd { code, follow, note } => {
                    let _ = write!(s, "    {n}. USSD {code}");
                    if !follow.is_empty() {
                        let _ = write!(s, ", then answer {}", follow.join(" → "));
                    }
                    s.push('\n');
                    push_note(&mut s, note);
                }
                Method::Sms {
                    number,
                    keyword,
                    reply_senders,
                    costs_money,
                    reply_parts_expected,
                    reply_messages,
                    note,
                } => {
                    let kw = if keyword.is_empty() {
                        "(empty message)".to_string()
                    } else {
                        format!("\"{keyword}\"")
                    };
                    let cost = match costs_money {
                        Cost::Free => "free",
                        Cost::Paid => "charged",
                        Cost::Unknown => "cost unknown",
                    };
                    let _ = writeln!(s, "    {n}. SMS {kw} to {number} ({cost})");
                    if !reply_senders.is_empty() {
                        let _ = write!(s, "       reply from {}", reply_senders.join(", "));
                        if let Some(p) = reply_parts_expected {
                            let _ = write!(s, ", usually {p} part(s)");
                        }
                        if let Some(m) = reply_messages {
                            let _ = write!(s, ", as {m} separate message(s)");
                        }
                        s.push('\n');
                    }
                    push_note(&mut s, note);
                }
                Method::Inbox {
                    senders,
                    match_words,
                    note,
                } => {
                    let from = if senders.is_empty() {
                        "any sender".to_string()
                    } else {
                        senders.join(", ")
                    };
                    let _ = write!(s, "    {n}. read notices already on the SIM from {from}");
                    if !match_words.is_empty() {
                        let _ = write!(s, " containing {}", match_words.join(" or "));
                    }
                    s.push_str(" (free, nothing is sent)\n");
                    push_note(&mut s, note);
                }
                Method::None {
                    app,
                    url,
                    voice,
                    email_notice,
                    explain,
                } => {
                    let _ = writeln!(s, "    {n}. no modem query: {explain}");
                    if let Some(a) = app {
                        let _ = writeln!(s, "       app: {a}");
                    }
                    if let Some(u) = url {
                        let _ = writeln!(s, "       web: {u}");
                    }
                    if let Some(v) = voice {
                        let _ = writeln!(s, "       voice: {v}");
                    }
                    if let Some(e) = email_notice {
                        let _ = writeln!(s, "       e-mail: {e}");
                    }
                }
            }
        }
        if !self.reply_hints.is_empty() {
            let _ = writeln!(s, "  reply hints: {}", self.reply_hints.len());
        }
        if !self.charset_quirks.is_empty() {
            let shown: Vec<String> = self
                .charset_quirks
                .iter()
                .map(|q| {
                    if KNOWN_QUIRKS.contains(&q.as_str()) {
                        q.clone()
                    } else {
                        format!("{q} (not understood)")
                    }
                })
                .collect();
            let _ = writeln!(s, "  charset quirks: {}", shown.join(", "));
        }
        let _ = writeln!(s, "  1 GB = {} MB", self.units_base);
        if let Some(n) = &self.notes {
            let _ = writeln!(s, "  notes: {}", n.trim());
        }
        if !self.sources.is_empty() {
            s.push_str("  sources:\n");
            for src in &self.sources {
                let _ = writeln!(s, "    - {src}");
            }
        }
        s
    }
}

fn push_note(s: &mut String, note: &Option<String>) {
    if let Some(n) = note {
        let _ = writeln!(s, "       note: {}", n.trim());
    }
}

fn validate_method(m: &Method) -> Result<(), (Vec<PathSeg>, String)> {
    match m {
        Method::Ussd { code, follow, .. } => {
            if !is_ussd_code(code) {
                return Err((
                    vec![key("code")],
                    format!("\"{code}\" does not look like a USSD code (starts with * or #, ends with #, digits, * and # only)"),
                ));
            }
            for (i, f) in follow.iter().enumerate() {
                if f.is_empty() || f.len() > 182 {
                    return Err((
                        vec![key("follow"), PathSeg::Index(i)],
                        "menu reply must be 1–182 characters".into(),
                    ));
                }
            }
        }
        Method::Sms {
            number,
            keyword,
            reply_senders,
            reply_parts_expected,
            reply_messages,
            ..
        } => {
            let digits = number.strip_prefix('+').unwrap_or(number);
            if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err((
                    vec![key("number")],
                    format!("sms number \"{number}\" must be 1–20 digits (optional leading +)"),
                ));
            }
            if keyword.chars().count() > 160 {
                return Err((
                    vec![key("keyword")],
                    "keyword is longer than one SMS (160 characters)".into(),
                ));
            }
            for (i, r) in reply_senders.iter().enumerate() {
                if r.trim().is_empty() {
                    return Err((
                        vec![key("reply_senders"), PathSeg::Index(i)],
                        "reply sender is empty".into(),
                    ));
                }
            }
            if *reply_parts_expected == Some(0) {
                return Err((
                    vec![key("reply_parts_expected")],
                    "reply_parts_expected must be at least 1".into(),
                ));
            }
            if *reply_messages == Some(0) {
                return Err((
                    vec![key("reply_messages")],
                    "reply_messages must be at least 1".into(),
                ));
            }
        }
        Method::Inbox {
            senders,
            match_words,
            ..
        } => {
            if senders.is_empty() && match_words.is_empty() {
                return Err((
                    vec![key("senders")],
                    "inbox needs senders or match words (or both)".into(),
                ));
            }
            if let Some(i) = senders.iter().position(|x| x.trim().is_empty()) {
                return Err((
                    vec![key("senders"), PathSeg::Index(i)],
                    "sender is empty".into(),
                ));
            }
            if let Some(i) = match_words.iter().position(|x| x.is_empty()) {
                return Err((
                    vec![key("match"), PathSeg::Index(i)],
                    "match word is empty".into(),
                ));
            }
        }
        Method::None { url, explain, .. } => {
            if explain.trim().is_empty() {
                return Err((
                    vec![key("explain")],
                    "explain is empty: say where to look instead".into(),
                ));
            }
            if let Some(u) = url {
                if !(u.starts_with("https://") || u.starts_with("http://")) {
                    return Err((
                        vec![key("url")],
                        format!("url \"{u}\" must start with http:// or https://"),
                    ));
                }
            }
        }
    }
    Ok(())
}
