//! The table test over real carrier replies (`tests/replies/*.toml`, format in
//! `tests/replies/README.md`): every row is parsed with its country as the only hint, each
//! field is compared with the hand-written truth, and the counts of right, abstained and FALSE
//! readings are printed per field. A false reading — a figure that differs from the truth, or a
//! figure for a field the truth omits — fails the test; "not understood" is never false.

use simquota::balance::{self, Date, ParseOptions, Reading};
use std::collections::BTreeMap;
use std::path::Path;

/// Today for rows whose source gives no date (year-less dates are compared on month and day).
const DEFAULT_TODAY: &str = "2026-03-01";
/// The parser's unit base: truth and reading are both converted with it.
const BASE: u64 = 1024;

#[derive(Debug, serde::Deserialize)]
struct File {
    #[serde(default)]
    reply: Vec<Row>,
}

/// A truth value: one answer or several acceptable ones.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn all(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    id: String,
    country: String,
    #[allow(dead_code)]
    carrier: String,
    channel: String,
    #[allow(dead_code)]
    lang: String,
    source: String,
    #[allow(dead_code)]
    found: String,
    today: Option<String>,
    text: String,
    remaining: Option<OneOrMany>,
    used: Option<OneOrMany>,
    total: Option<OneOrMany>,
    unlimited: Option<bool>,
    balance: Option<OneOrMany>,
    expiry: Option<OneOrMany>,
    #[serde(default)]
    #[allow(dead_code)]
    traps: Vec<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

/// "812 MB", "0", "1.5GB" → bytes in base [`BASE`].
fn truth_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if t == "0" {
        return Ok(0);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("size without a unit: {s:?}"))?;
    let (num, unit) = t.split_at(split);
    let v: f64 = num.parse().map_err(|_| format!("bad number in {s:?}"))?;
    let k = match unit.trim() {
        "B" => 0,
        "KB" => 1,
        "MB" => 2,
        "GB" => 3,
        "TB" => 4,
        u => return Err(format!("unit {u:?} in {s:?} (use B, KB, MB, GB, TB)")),
    };
    Ok((v * (BASE as f64).powi(k)).round() as u64)
}

/// "150.25 NGN" → (amount, code).
fn truth_money(s: &str) -> Result<(f64, String), String> {
    let (a, c) = s
        .trim()
        .rsplit_once(' ')
        .ok_or_else(|| format!("money must be 'AMOUNT CODE': {s:?}"))?;
    let v: f64 = a.parse().map_err(|_| format!("bad amount in {s:?}"))?;
    if c.len() != 3 || !c.chars().all(|x| x.is_ascii_uppercase()) {
        return Err(format!("currency must be an ISO 4217 code: {s:?}"));
    }
    Ok((v, c.to_string()))
}

/// "2026-04-06" or "--04-06" (no year).
fn truth_date(s: &str) -> Result<(Option<i32>, u8, u8), String> {
    if let Some(md) = s.strip_prefix("--") {
        let d = Date::parse_iso(&format!("2000-{md}")).map_err(|e| e.to_string())?;
        return Ok((None, d.month, d.day));
    }
    let d = Date::parse_iso(s).map_err(|e| e.to_string())?;
    Ok((Some(d.year), d.month, d.day))
}

fn near(a: u64, b: u64) -> bool {
    let (hi, lo) = (a.max(b), a.min(b));
    (hi - lo) as f64 <= hi as f64 * 0.005 + 1.0
}

/// The main money balance of a reading.
fn balance_of(r: &Reading) -> Option<&balance::Money> {
    r.money_labelled("balance")
}

/// The data's expiry or reset as the reading gives it.
fn expiry_of(r: &Reading) -> Option<Date> {
    r.data_expiry()
}

#[derive(Default, Clone, Copy)]
struct Count {
    right: usize,
    abstained: usize,
    silent: usize,
    wrong: usize,
}

const FIELDS: [&str; 6] = [
    "remaining",
    "used",
    "total",
    "balance",
    "expiry",
    "unlimited",
];

#[test]
fn replies_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/replies exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus files in {}", dir.display());

    let mut counts: BTreeMap<&str, Count> = FIELDS.iter().map(|f| (*f, Count::default())).collect();
    let mut malformed = Vec::new();
    let mut falses = Vec::new();
    let mut not_understood = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let (mut rows, mut understood, mut no_url) = (0usize, 0usize, 0usize);
    let mut countries = std::collections::BTreeSet::new();

    for f in &files {
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(f).expect("readable corpus file");
        let file: File = match toml::from_str(&text) {
            Ok(x) => x,
            Err(e) => {
                malformed.push(format!("{name}: {e}"));
                continue;
            }
        };
        for row in file.reply {
            rows += 1;
            countries.insert(row.country.clone());
            let mut bad = |m: String| malformed.push(format!("{name} {}: {m}", row.id));
            if !ids.insert(row.id.clone()) {
                bad("duplicate id".into());
            }
            if !matches!(row.channel.as_str(), "ussd" | "sms" | "notice") {
                bad(format!("channel {:?}", row.channel));
            }
            if row.source.trim().is_empty() {
                bad("no source".into());
            }
            if !row.source.starts_with("http") {
                no_url += 1;
            }
            let today = row.today.as_deref().unwrap_or(DEFAULT_TODAY);
            let Ok(today) = Date::parse_iso(today) else {
                bad(format!("today {today:?}"));
                continue;
            };
            let mut opts = ParseOptions::new(today);
            opts.country = Some(row.country.clone());
            let r = balance::parse(&row.text, &opts);
            if r.understood {
                understood += 1;
            } else {
                let why = r.notes.last().cloned().unwrap_or_default();
                not_understood.push(format!("{}: {why}", row.id));
            }
            let mut verdict =
                |field: &'static str,
                 want: Option<Vec<String>>,
                 got: Option<String>,
                 ok: &dyn Fn(&str) -> Result<bool, String>| {
                    let c = counts.entry(field).or_default();
                    let got = if r.understood { got } else { None };
                    match (want, got) {
                        (None, None) => c.silent += 1,
                        (Some(w), None) => {
                            c.abstained += 1;
                            if std::env::var_os("REPLIES_ABSTAINED").is_some() {
                                println!(
                                    "ABSTAINED {} {field}: truth {w:?}\n    text: {:?}",
                                    row.id, row.text
                                );
                            }
                        }
                        (None, Some(g)) => {
                            c.wrong += 1;
                            falses.push(format!(
                                "{} {field}: reported {g}, the truth has none\n    text: {:?}",
                                row.id, row.text
                            ));
                        }
                        (Some(w), Some(g)) => {
                            let mut any = false;
                            for one in &w {
                                match ok(one) {
                                    Ok(true) => any = true,
                                    Ok(false) => {}
                                    Err(e) => {
                                        malformed.push(format!("{name} {}: {field}: {e}", row.id))
                                    }
                                }
                            }
                            if any {
                                c.right += 1;
                            } else {
                                c.wrong += 1;
                                falses.push(format!(
                                    "{} {field}: reported {g}, truth {w:?}\n    text: {:?}",
                                    row.id, row.text
                                ));
                            }
                        }
                    }
                };
            let strs = |v: &Option<OneOrMany>| {
                v.as_ref()
                    .map(|x| x.all().iter().map(|s| s.to_string()).collect::<Vec<_>>())
            };
            for (field, want, got) in [
                ("remaining", &row.remaining, r.remaining_bytes),
                ("used", &row.used, r.used_bytes),
                ("total", &row.total, r.total_bytes),
            ] {
                verdict(
                    field,
                    strs(want),
                    got.map(|g| format!("{} ({g} B)", balance::format_bytes(g, BASE))),
                    &|w| truth_bytes(w).map(|t| got.is_some_and(|g| near(g, t))),
                );
            }
            let bal = balance_of(&r);
            verdict(
                "balance",
                strs(&row.balance),
                bal.map(|m| format!("{} {}", m.amount, m.currency)),
                &|w| {
                    truth_money(w).map(|(a, c)| {
                        bal.is_some_and(|m| {
                            m.currency == c
                                && m.amount
                                    .parse::<f64>()
                                    .is_ok_and(|x| (x - a).abs() < 0.0005)
                        })
                    })
                },
            );
            let exp = expiry_of(&r);
            verdict(
                "expiry",
                strs(&row.expiry),
                exp.map(|d| d.to_string()),
                &|w| {
                    truth_date(w).map(|(y, m, d)| {
                        exp.is_some_and(|e| {
                            e.month == m && e.day == d && y.is_none_or(|y| y == e.year)
                        })
                    })
                },
            );
            verdict(
                "unlimited",
                row.unlimited
                    .filter(|u| *u)
                    .map(|_| vec!["true".to_string()]),
                r.unlimited.then(|| "true".to_string()),
                &|_| Ok(r.unlimited),
            );
        }
    }

    let mut table = format!(
        "{rows} replies from {} countries ({no_url} cite a stored public file, not a URL), {understood} understood\n{:<10} {:>6} {:>10} {:>6} {:>7}\n",
        countries.len(),
        "field",
        "right",
        "abstained",
        "FALSE",
        "silent"
    );
    for f in FIELDS {
        let c = counts.get(f).copied().unwrap_or_default();
        table.push_str(&format!(
            "{f:<10} {:>6} {:>10} {:>6} {:>7}\n",
            c.right, c.abstained, c.wrong, c.silent
        ));
    }
    println!("{table}");
    println!("not understood ({}):", not_understood.len());
    for n in &not_understood {
        println!("  {n}");
    }
    for f in &falses {
        println!("FALSE {f}");
    }
    assert!(
        malformed.is_empty(),
        "malformed corpus rows:\n{}",
        malformed.join("\n")
    );
    assert!(
        falses.is_empty(),
        "{} FALSE readings:\n{}\n{table}",
        falses.len(),
        falses.join("\n")
    );
}
