//! From reply text to a [`Reading`].
//!
//! The pipeline (each step only reads what the previous produced):
//! 1. normalise (full-width → ASCII, one char per char) and fold for matching;
//! 2. find lexicon markers and detect the language (script, words, currency words);
//! 3. tokenise values: URLs, codes (`*100#`), phone numbers and identifiers are skipped;
//!    dates, times, data sizes (with compound `1GB500MB` and restated `5280MB(5.28GB)` forms),
//!    speeds, money (symbol before or after) and unit-less numbers are found;
//! 4. split into sentences (`。 ! ? ; newline`, a `.` not between digits) and clauses (also
//!    `， 、 ／` and a `,` not followed by a digit);
//! 5. bind each value to the marker that gives its role: the marker of the highest tier
//!    (specific > balance > "you have"), then the nearest, looking both ways but never past a
//!    neighbouring value or out of the clause — so Swedish `0,99 GB surf kvar` and Japanese
//!    `1GB残っています` bind to a marker that follows;
//! 6. dates take their meaning from the nearest date marker in their clause (expiry, reset,
//!    as-of) and an expiry applies to the values of that clause.
//!
//! Nothing is guessed: a size with no role word, a number without a unit next to a role word,
//! a date with no marker, an assumed currency, two different values for the same thing — each
//! becomes a note and lowers the confidence.

use super::date::{scan_date, DateCtx, DateTok};
use super::lexicon::{detect, lexicon, Detected, Kind, Marker, OF_TOTAL};
use super::model::{DataBucket, Money, ParseOptions, Reading, Throttle};
use super::number::{
    fold, is_cjk, is_word_letter, normalize, resolve, scan_number, sep_style, Decimal, SepStyle,
};
use super::unit::{match_data_unit, match_speed_unit, to_bytes, UnitMatch};
use super::Date;

/// Replies are at most a few concatenated SMS; longer input is cut here so that the work
/// stays small whatever arrives.
const MAX_CHARS: usize = 16_384;

/// A currency sign as written; some need the language or region to become an ISO code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cur {
    Code(&'static str),
    /// `¥`: JPY, or CNY in Chinese text.
    Yen,
    /// `元`: CNY, or TWD/HKD/MOP in Traditional Chinese text.
    Yuan,
    /// `$`: USD unless the region says otherwise.
    Dollar,
    /// `kr`: SEK (Swedish), NOK/DKK by region.
    Kr,
    /// `Rs.`: INR, NPR, PKR, LKR by region.
    Rs,
    /// Latin `p.` standing for Cyrillic `р.` (rouble) — only in Russian text.
    RubLatin,
}

/// Currency after the amount: (folded spelling, currency, language it is evidence for).
const SUFFIX: &[(&str, Cur, &str)] = &[
    ("рублей", Cur::Code("RUB"), "ru"),
    ("рубля", Cur::Code("RUB"), "ru"),
    ("руб.", Cur::Code("RUB"), "ru"),
    ("руб", Cur::Code("RUB"), "ru"),
    // Latin p + Cyrillic уб, as a modem printed it.
    ("pуб.", Cur::Code("RUB"), "ru"),
    ("pуб", Cur::Code("RUB"), "ru"),
    ("р.", Cur::Code("RUB"), "ru"),
    ("р", Cur::Code("RUB"), "ru"),
    ("₽", Cur::Code("RUB"), "ru"),
    ("rub", Cur::Code("RUB"), "ru"),
    ("r.", Cur::Code("RUB"), "ru"),
    ("r", Cur::Code("RUB"), "ru"),
    ("p.", Cur::RubLatin, ""),
    ("грн.", Cur::Code("UAH"), "uk"),
    ("грн", Cur::Code("UAH"), "uk"),
    ("grn.", Cur::Code("UAH"), "uk"),
    ("grn", Cur::Code("UAH"), "uk"),
    ("hrn.", Cur::Code("UAH"), "uk"),
    ("hrn", Cur::Code("UAH"), "uk"),
    ("uah", Cur::Code("UAH"), "uk"),
    ("円", Cur::Code("JPY"), "ja"),
    ("元", Cur::Yuan, ""),
    ("块", Cur::Code("CNY"), ""),
    ("€", Cur::Code("EUR"), ""),
    ("eur", Cur::Code("EUR"), ""),
    ("euro", Cur::Code("EUR"), ""),
    ("euros", Cur::Code("EUR"), ""),
    ("zl", Cur::Code("PLN"), "pl"),
    ("pln", Cur::Code("PLN"), "pl"),
    ("kr", Cur::Kr, "sv"),
    ("sek", Cur::Code("SEK"), "sv"),
    ("ft", Cur::Code("HUF"), "hu"),
    ("huf", Cur::Code("HUF"), "hu"),
    ("kc", Cur::Code("CZK"), "cs"),
    ("czk", Cur::Code("CZK"), "cs"),
    ("лв.", Cur::Code("BGN"), "bg"),
    ("лв", Cur::Code("BGN"), "bg"),
    ("bgn", Cur::Code("BGN"), "bg"),
    ("usd", Cur::Code("USD"), ""),
    ("$", Cur::Dollar, ""),
    ("chf", Cur::Code("CHF"), ""),
    ("gbp", Cur::Code("GBP"), ""),
    ("irr", Cur::Code("IRR"), ""),
    ("idr", Cur::Code("IDR"), "id"),
    ("inr", Cur::Code("INR"), ""),
    ("npr", Cur::Code("NPR"), ""),
    ("jpy", Cur::Code("JPY"), ""),
    ("cny", Cur::Code("CNY"), ""),
    ("rmb", Cur::Code("CNY"), ""),
    ("zar", Cur::Code("ZAR"), ""),
    ("aud", Cur::Code("AUD"), ""),
    ("원", Cur::Code("KRW"), ""),
];

/// Currency before the amount (folded). `r` (rand) is only taken when written `R` and
/// followed by a space or digit.
const PREFIX: &[(&str, Cur, &str)] = &[
    ("rp", Cur::Code("IDR"), "id"),
    ("rs", Cur::Rs, ""),
    ("r", Cur::Code("ZAR"), ""),
    ("us$", Cur::Code("USD"), ""),
    ("a$", Cur::Code("AUD"), ""),
    ("£", Cur::Code("GBP"), ""),
    ("$", Cur::Dollar, ""),
    ("€", Cur::Code("EUR"), ""),
    ("¥", Cur::Yen, ""),
    ("₽", Cur::Code("RUB"), ""),
    ("eur", Cur::Code("EUR"), ""),
    ("usd", Cur::Code("USD"), ""),
    ("chf", Cur::Code("CHF"), ""),
    ("gbp", Cur::Code("GBP"), ""),
    ("irr", Cur::Code("IRR"), ""),
    ("idr", Cur::Code("IDR"), "id"),
    ("inr", Cur::Code("INR"), ""),
    ("npr", Cur::Code("NPR"), ""),
    ("pln", Cur::Code("PLN"), "pl"),
    ("sek", Cur::Code("SEK"), "sv"),
    ("czk", Cur::Code("CZK"), "cs"),
    ("huf", Cur::Code("HUF"), "hu"),
    ("rub", Cur::Code("RUB"), "ru"),
    ("uah", Cur::Code("UAH"), "uk"),
    ("cny", Cur::Code("CNY"), ""),
    ("rmb", Cur::Code("CNY"), ""),
    ("jpy", Cur::Code("JPY"), ""),
    ("bgn", Cur::Code("BGN"), "bg"),
    ("zar", Cur::Code("ZAR"), ""),
    ("aud", Cur::Code("AUD"), ""),
    ("nzd", Cur::Code("NZD"), ""),
    ("hkd", Cur::Code("HKD"), ""),
    ("twd", Cur::Code("TWD"), ""),
    ("krw", Cur::Code("KRW"), ""),
];

/// Quantities that are not data or money (minutes, messages, days, percent): recognised only
/// so that they are not reported as unit-less numbers.
const OTHER_UNITS: &[&str] = &[
    "分钟", "分鐘", "分", "秒", "条", "條", "則", "次", "通", "件", "天", "日間", "日", "時間",
    "小时", "小時", "个月", "個月", "ヶ月", "か月", "カ月", "%", "minutes", "minute", "mins",
    "min", "minut", "minuty", "мин", "хв", "sms", "смс", "hours", "hrs", "hr", "hari", "days",
    "day",
];

/// Top-level domains recognised in bare host names (`gd.10086.cn`, `halebop.se/extras`).
const TLDS: &[&str] = &[
    "cn", "com", "net", "org", "se", "de", "jp", "ru", "pl", "ua", "hk", "tw", "id", "in", "uk",
    "co", "io", "ch", "at", "cz", "hu", "fr", "me", "info", "ly", "nl", "au", "nz", "za", "np",
];

#[derive(Debug, Clone, PartialEq)]
enum TokKind {
    Quantity {
        bytes: u64,
        text: String,
    },
    Money {
        amount: Decimal,
        negative: bool,
        code: &'static str,
        /// A price per unit (`2kr/samtal`): not a balance, left out.
        rate: bool,
    },
    Speed {
        kbps: u64,
    },
    Unitless {
        text: String,
    },
    Date(DateTok),
    Ignore,
}

#[derive(Debug, Clone, PartialEq)]
struct Tok {
    start: usize,
    end: usize,
    kind: TokKind,
}

impl Tok {
    fn is_value(&self) -> bool {
        matches!(
            self.kind,
            TokKind::Quantity { .. } | TokKind::Money { rate: false, .. }
        )
    }
}

/// Language tag split into what the parser uses.
#[derive(Debug, Clone, Default)]
struct Tag {
    primary: Option<String>,
    region: Option<String>,
}

fn split_tag(tag: &str) -> Tag {
    let mut parts = tag.split(['-', '_']).filter(|p| !p.is_empty());
    let mut primary = parts.next().map(|p| p.to_ascii_lowercase());
    let mut region = None;
    for p in parts {
        if p.len() == 4 && p.chars().all(|c| c.is_ascii_alphabetic()) {
            let mut script = p.to_ascii_lowercase();
            if let Some(f) = script.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            primary = primary.map(|l| format!("{l}-{script}"));
        } else if p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()) {
            region = Some(p.to_ascii_uppercase());
        }
    }
    // `zh` alone means simplified; `zh-TW` / `zh-HK` traditional.
    if primary.as_deref() == Some("zh") {
        let hant = matches!(region.as_deref(), Some("TW" | "HK" | "MO"));
        primary = Some(if hant { "zh-Hant" } else { "zh-Hans" }.to_string());
    }
    Tag { primary, region }
}

/// A language this module has a lexicon for, as the static tag.
fn known_lang(tag: &str) -> Option<&'static str> {
    const KNOWN: &[&str] = &[
        "ja", "zh-Hans", "zh-Hant", "en", "ru", "uk", "bg", "de", "pl", "sv", "id", "cs", "hu",
        "fr",
    ];
    KNOWN.iter().find(|k| **k == tag).copied()
}

struct Ctx<'a> {
    chars: &'a [char],
    folded: &'a [char],
    lang: Option<&'static str>,
    region: Option<String>,
    style: SepStyle,
    base: u64,
    cjk: bool,
    dates: DateCtx,
    notes: Vec<String>,
    penalty: f32,
}

/// Reads a carrier reply. Never panics and never reads the clock; see the module docs for the
/// rules and [`Reading`] for what each field means.
pub fn parse(text: &str, opts: &ParseOptions) -> Reading {
    let mut chars = normalize(text);
    let too_long = chars.len() > MAX_CHARS;
    chars.truncate(MAX_CHARS);
    let folded: Vec<char> = chars.iter().copied().map(fold).collect();
    let mut reading = Reading::empty(text);
    if too_long {
        reading.notes.push(format!(
            "reply longer than {MAX_CHARS} characters; only the start was read"
        ));
    }
    let hint_tag = opts.language.as_deref().map(split_tag).unwrap_or_default();

    let all_markers = lexicon().scan(&folded);
    let detected = detect(&chars, &all_markers, &currency_languages(&chars, &folded));
    let hinted = hint_tag.primary.as_deref().and_then(known_lang);
    let (lang, unknown) = match detected {
        Detected::Lang(l) => (Some(l), None),
        Detected::UnsupportedScript(s) => {
            reading.notes.push(format!(
                "the reply is written in {s}, for which there is no vocabulary here; nothing was interpreted"
            ));
            return reading;
        }
        Detected::Unknown => match hinted {
            Some(l) => (Some(l), None),
            None => (
                None,
                Some("language not recognised (no known word); values are listed but not interpreted"),
            ),
        },
    };
    reading.language = lang.map(str::to_string);

    let has_dollar = chars.contains(&'$');
    let us_order = match hint_tag.region.as_deref() {
        Some(r) => r == "US",
        None => lang == Some("en") && has_dollar,
    };
    let mut ctx = Ctx {
        chars: &chars,
        folded: &folded,
        lang,
        region: hint_tag.region.clone(),
        style: sep_style(lang),
        base: opts.base(),
        cjk: matches!(lang, Some("ja" | "zh-Hans" | "zh-Hant")),
        dates: DateCtx {
            us_order,
            today: opts.today,
        },
        notes: Vec::new(),
        penalty: 0.0,
    };

    if !opts.hints.is_empty() {
        if let Some(r) = apply_hints(&mut ctx, opts, &mut reading) {
            return r;
        }
    }

    let toks = ctx.tokenize();
    let markers: Vec<Marker> = all_markers
        .into_iter()
        .filter(|m| !toks.iter().any(|t| t.start < m.end && m.start < t.end))
        .collect();
    ctx.assemble(&toks, &markers, &mut reading);

    reading.notes.append(&mut ctx.notes);
    let has_data = reading.buckets.iter().any(|b| {
        b.remaining_bytes.is_some()
            || b.used_bytes.is_some()
            || b.total_bytes.is_some()
            || b.unlimited
    });
    let found = has_data
        || !reading.money.is_empty()
        || reading.throttled.is_some()
        || reading.expiry.is_some()
        || reading.reset.is_some();
    if let Some(why) = unknown {
        reading.notes.push(why.to_string());
    }
    reading.understood = found && unknown.is_none();
    if !found && unknown.is_none() {
        reading
            .notes
            .push("no remaining data, balance or validity found in the reply".to_string());
    }
    reading.confidence = if reading.understood {
        ((0.9 - ctx.penalty).clamp(0.1, 1.0) * 100.0).round() / 100.0
    } else {
        0.0
    };
    reading
}

/// Languages implied by currency words right after a number (`грн` → uk, `kr` → sv) or `Rp`
/// before one. Runs before the language is known, so it only looks, it does not read values.
fn currency_languages(chars: &[char], folded: &[char]) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars.get(i).is_some_and(|c| c.is_ascii_digit())
            && !(i > 0 && chars.get(i - 1).is_some_and(|c| c.is_ascii_digit()));
        if !starts {
            i += 1;
            continue;
        }
        let (e, _) = scan_number(chars, i);
        let j = skip_spaces(chars, e, 2);
        if let Some((_, _, l)) = match_suffix(folded, j) {
            if !l.is_empty() {
                out.push(l);
            }
        }
        let before = i.checked_sub(2).and_then(|s| folded.get(s..i));
        if before == Some(&['r', 'p'][..]) {
            out.push("id");
        }
        i = e.max(i + 1);
    }
    out
}

fn skip_spaces(chars: &[char], mut i: usize, max: usize) -> usize {
    let start = i;
    while chars.get(i) == Some(&' ') && i - start < max {
        i += 1;
    }
    i
}

fn matches_at(folded: &[char], i: usize, pat: &str) -> Option<usize> {
    let mut n = 0;
    for (k, c) in pat.chars().enumerate() {
        if folded.get(i + k) != Some(&c) {
            return None;
        }
        n = k + 1;
    }
    Some(n)
}

/// The longest currency word after an amount, ending at a word boundary.
fn match_suffix(folded: &[char], i: usize) -> Option<(usize, Cur, &'static str)> {
    let mut best: Option<(usize, Cur, &'static str)> = None;
    for (pat, cur, lang) in SUFFIX {
        if let Some(len) = matches_at(folded, i, pat) {
            let ends_letter = pat.chars().last().is_some_and(is_word_letter);
            if ends_letter && folded.get(i + len).is_some_and(|c| is_word_letter(*c)) {
                continue;
            }
            if best.is_none_or(|(l, _, _)| len > l) {
                best = Some((len, *cur, lang));
            }
        }
    }
    best
}

fn exponent(code: &str) -> u32 {
    match code {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "PYG" | "UGX" | "XAF" | "XOF" | "RWF" => 0,
        _ => 2,
    }
}

impl Ctx<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn note(&mut self, text: String, penalty: f32) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
        self.penalty += penalty;
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.chars
            .get(start..end.min(self.chars.len()))
            .map(|s| s.iter().collect::<String>())
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// ISO code of a currency sign in this language / region.
    fn resolve_cur(&mut self, cur: Cur) -> Option<&'static str> {
        let region = self.region.clone();
        let r = region.as_deref();
        Some(match cur {
            Cur::Code(c) => c,
            Cur::Yen => {
                if matches!(self.lang, Some("zh-Hans" | "zh-Hant")) {
                    "CNY"
                } else {
                    "JPY"
                }
            }
            Cur::Yuan => match (self.lang, r) {
                (_, Some("TW")) => "TWD",
                (_, Some("HK")) => "HKD",
                (_, Some("MO")) => "MOP",
                (Some("zh-Hant"), _) => {
                    self.note(
                        "元 in Traditional Chinese read as TWD (give a region: zh-Hant-HK for HKD)"
                            .into(),
                        0.05,
                    );
                    "TWD"
                }
                _ => "CNY",
            },
            Cur::Dollar => match r {
                Some("AU") => "AUD",
                Some("NZ") => "NZD",
                Some("CA") => "CAD",
                Some("HK") => "HKD",
                Some("TW") => "TWD",
                Some("SG") => "SGD",
                _ => "USD",
            },
            Cur::Kr => match (r, self.lang) {
                (Some("NO"), _) => "NOK",
                (Some("DK"), _) => "DKK",
                (Some("IS"), _) => "ISK",
                (Some("SE"), _) | (_, Some("sv")) => "SEK",
                _ => {
                    self.note("'kr' read as SEK (give a region for NOK/DKK)".into(), 0.05);
                    "SEK"
                }
            },
            Cur::Rs => match r {
                Some("NP") => "NPR",
                Some("PK") => "PKR",
                Some("LK") => "LKR",
                Some("IN") => "INR",
                _ => {
                    self.note(
                        "'Rs.' read as INR; NPR, PKR and LKR write it too (give a region, e.g. en-NP)"
                            .into(),
                        0.05,
                    );
                    "INR"
                }
            },
            Cur::RubLatin => {
                if self.lang == Some("ru") {
                    "RUB"
                } else {
                    return None;
                }
            }
        })
    }

    // -----------------------------------------------------------------------------------------
    // Tokens

    fn tokenize(&mut self) -> Vec<Tok> {
        let mut toks = Vec::new();
        let n = self.chars.len();
        let mut i = 0;
        while i < n {
            let Some(c) = self.at(i) else { break };
            let prev = i.checked_sub(1).and_then(|p| self.at(p));
            if let Some(end) = self.url_at(i, prev) {
                toks.push(Tok {
                    start: i,
                    end,
                    kind: TokKind::Ignore,
                });
                i = end;
                continue;
            }
            let digit_start = c.is_ascii_digit()
                && !prev.is_some_and(|p| {
                    p.is_ascii_digit() || is_word_letter(p) || "/.-:,*#+".contains(p)
                });
            let word_start = c.is_ascii_alphabetic() && !prev.is_some_and(is_word_letter);
            if digit_start || word_start {
                if let Some((tok, end)) = scan_date(self.chars, i, &self.dates) {
                    toks.push(Tok {
                        start: i,
                        end,
                        kind: TokKind::Date(tok),
                    });
                    i = end;
                    continue;
                }
            }
            if let Some(tok) = self.prefix_money(i, prev) {
                i = tok.end;
                toks.push(tok);
                continue;
            }
            if c.is_ascii_digit() {
                let tok = self.number_at(i, prev);
                i = tok.end.max(i + 1);
                toks.push(tok);
                continue;
            }
            i += 1;
        }
        toks
    }

    /// A URL or bare host name starting at `i`.
    fn url_at(&self, i: usize, prev: Option<char>) -> Option<usize> {
        let url_char = |c: char| c.is_ascii_alphanumeric() || "._/-:?=&%#~+".contains(c);
        if !self.at(i).is_some_and(|c| c.is_ascii_alphanumeric()) || prev.is_some_and(url_char) {
            return None;
        }
        let mut j = i;
        while self.at(j).is_some_and(url_char) {
            j += 1;
        }
        let run: String = self.folded.get(i..j)?.iter().collect();
        let run = run.trim_end_matches(['.', ':', '?', '#', ',']);
        let end = i + run.chars().count();
        if run.contains("://") || run.starts_with("www.") {
            return Some(end);
        }
        let host = run.split('/').next().unwrap_or("");
        let mut labels = host.split('.');
        let first = labels.next().unwrap_or("");
        let last = host.rsplit('.').next().unwrap_or("");
        let ok = host.contains('.')
            && first.chars().any(|c| c.is_ascii_alphabetic())
            && TLDS.contains(&last)
            && !host.contains(':');
        ok.then_some(end)
    }

    /// Money with the currency in front: `£6.45`, `Rp.3000`, `Rp30rb`, `R 19.50`, `CHF 3.75`,
    /// `USD:5.87`, `Rs. 995.75`.
    fn prefix_money(&mut self, i: usize, prev: Option<char>) -> Option<Tok> {
        if prev.is_some_and(is_word_letter) {
            return None;
        }
        let mut best: Option<(usize, Cur)> = None;
        for (pat, cur, _) in PREFIX {
            let Some(len) = matches_at(self.folded, i, pat) else {
                continue;
            };
            let letters = pat.chars().last().is_some_and(is_word_letter);
            if letters && self.folded.get(i + len).is_some_and(|c| is_word_letter(*c)) {
                continue;
            }
            let space_or_digit = self
                .at(i + 1)
                .is_some_and(|c| c == ' ' || c.is_ascii_digit());
            if *pat == "r" && (self.at(i) != Some('R') || !space_or_digit) {
                continue;
            }
            if best.is_none_or(|(l, _)| len > l) {
                best = Some((len, *cur));
            }
        }
        let (len, cur) = best?;
        let mut j = i + len;
        if self.at(j) == Some('.') {
            j += 1;
        }
        if self.at(j) == Some(':') {
            j += 1;
        }
        j = skip_spaces(self.chars, j, 2);
        let negative = self.at(j) == Some('-');
        if negative {
            j += 1;
        }
        if !self.at(j).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        let (e, raw) = scan_number(self.chars, j);
        let mut amount = resolve(&raw, self.style)?;
        let mut end = e;
        for (word, mul) in [
            ("ribu", 1000u128),
            ("rb", 1000),
            ("juta", 1_000_000),
            ("jt", 1_000_000),
        ] {
            if let Some(l) = matches_at(self.folded, e, word) {
                if !self.folded.get(e + l).is_some_and(|c| is_word_letter(*c)) {
                    amount = trim(amount.mul_int(mul)?);
                    end = e + l;
                    break;
                }
            }
        }
        let code = self.resolve_cur(cur)?;
        let rate = self.at(end) == Some('/');
        Some(Tok {
            start: i,
            end,
            kind: TokKind::Money {
                amount,
                negative,
                code,
                rate,
            },
        })
    }

    /// Everything that starts with a digit that is not a date.
    fn number_at(&mut self, i: usize, prev: Option<char>) -> Tok {
        let ignore = |end: usize| Tok {
            start: i,
            end,
            kind: TokKind::Ignore,
        };
        let alnum_run = |ctx: &Ctx<'_>, mut j: usize| {
            while ctx
                .at(j)
                .is_some_and(|c| c.is_ascii_alphanumeric() || is_word_letter(c))
            {
                j += 1;
            }
            j
        };
        // Identifiers (Plan485, Me2U), USSD codes (*100#), phone numbers (+7 999 …).
        if prev.is_some_and(is_word_letter) {
            return ignore(alnum_run(self, i));
        }
        if prev.is_some_and(|p| p == '*' || p == '#') {
            let mut j = i;
            while self
                .at(j)
                .is_some_and(|c| c.is_ascii_digit() || c == '*' || c == '#')
            {
                j += 1;
            }
            return ignore(j);
        }
        if prev == Some('+') {
            let mut j = i;
            while self
                .at(j)
                .is_some_and(|c| c.is_ascii_digit() || " ()-".contains(c))
            {
                j += 1;
            }
            return ignore(j);
        }
        let (e, raw) = scan_number(self.chars, i);
        if raw.chars().all(|c| c.is_ascii_digit()) && raw.len() >= 9 {
            return ignore(e);
        }
        if matches!(self.at(e), Some('#' | '*')) {
            return ignore(e + 1);
        }
        let negative = prev == Some('-')
            && !i
                .checked_sub(2)
                .and_then(|p| self.at(p))
                .is_some_and(|c| c.is_alphanumeric());
        let Some(value) = resolve(&raw, self.style) else {
            return ignore(e);
        };
        let j = skip_spaces(self.chars, e, 2);
        if let Some((num, den, len)) = match_speed_unit(self.folded, j) {
            let kbps = value
                .round_mul(num)
                .map(|v| v / den)
                .and_then(|v| u64::try_from(v).ok())
                .unwrap_or(u64::MAX);
            return Tok {
                start: i,
                end: j + len,
                kind: TokKind::Speed { kbps },
            };
        }
        if let Some(m) = match_data_unit(self.folded, j, self.cjk) {
            return self.quantity(i, value, m, j + m.len);
        }
        // IIJmio-style `10.00 [GB]`.
        if self.at(j) == Some('[') {
            if let Some(m) = match_data_unit(self.folded, j + 1, self.cjk) {
                if self.at(j + 1 + m.len) == Some(']') {
                    return self.quantity(i, value, m, j + 2 + m.len);
                }
            }
        }
        // 3万円, 5千元
        let mut k = j;
        let mut amount = value;
        if let Some(mul) = match self.at(j) {
            Some('万') => Some(10_000u128),
            Some('千') => Some(1000),
            Some('億' | '亿') => Some(100_000_000),
            _ => None,
        } {
            if let Some(a) = amount.mul_int(mul) {
                amount = trim(a);
                k = j + 1;
            }
        }
        if let Some((len, cur, _)) = match_suffix(self.folded, k) {
            if let Some(code) = self.resolve_cur(cur) {
                let end = k + len;
                let rate = self.at(skip_spaces(self.chars, end, 1)) == Some('/');
                return Tok {
                    start: if negative { i.saturating_sub(1) } else { i },
                    end,
                    kind: TokKind::Money {
                        amount,
                        negative,
                        code,
                        rate,
                    },
                };
            }
        }
        for u in OTHER_UNITS {
            if let Some(len) = matches_at(self.folded, j, u) {
                let letters = u.chars().last().is_some_and(is_word_letter);
                if !(letters && self.folded.get(j + len).is_some_and(|c| is_word_letter(*c))) {
                    return ignore(j + len);
                }
            }
        }
        if self.at(e).is_some_and(is_word_letter) {
            return ignore(alnum_run(self, e));
        }
        Tok {
            start: i,
            end: e,
            kind: TokKind::Unitless { text: raw },
        }
    }

    /// A size, with any compound tail (`1GB500MB`, `3Gb 817Mb 169kb`) and a restatement in
    /// parentheses (`5280MB(5.28GB)`, `1GB (1,024MB)`).
    fn quantity(&mut self, start: usize, value: Decimal, m: UnitMatch, mut end: usize) -> Tok {
        let mut bytes = to_bytes(value, m, self.base);
        let mut last_unit = m.unit;
        loop {
            let j = skip_spaces(self.chars, end, 1);
            if !self.at(j).is_some_and(|c| c.is_ascii_digit()) {
                break;
            }
            let (e, raw) = scan_number(self.chars, j);
            let Some(v) = resolve(&raw, self.style) else {
                break;
            };
            let k = skip_spaces(self.chars, e, 1);
            match match_data_unit(self.folded, k, self.cjk) {
                Some(m2) if m2.unit < last_unit && m2.unit != super::unit::DataUnit::Packet => {
                    bytes = bytes
                        .zip(to_bytes(v, m2, self.base))
                        .and_then(|(a, b)| a.checked_add(b));
                    last_unit = m2.unit;
                    end = k + m2.len;
                }
                _ => break,
            }
        }
        let text = self.text(start, end);
        // Restatement in parentheses: the same amount in another unit is not a second value.
        let p = skip_spaces(self.chars, end, 1);
        if self.at(p) == Some('(') {
            let q = skip_spaces(self.chars, p + 1, 1);
            if self.at(q).is_some_and(|c| c.is_ascii_digit()) {
                let (e, raw) = scan_number(self.chars, q);
                let k = skip_spaces(self.chars, e, 1);
                if let (Some(v2), Some(m2)) = (
                    resolve(&raw, self.style),
                    match_data_unit(self.folded, k, self.cjk),
                ) {
                    let close = skip_spaces(self.chars, k + m2.len, 1);
                    if self.at(close) == Some(')') {
                        if same_amount(value, m, v2, m2) && m.unit == last_unit {
                            end = close + 1;
                        } else if m.unit == last_unit {
                            let restated = self.text(q, k + m2.len);
                            self.note(
                                format!("{text} is restated as {restated}, which differs; the first is used"),
                                0.1,
                            );
                            end = close + 1;
                        }
                    }
                }
            }
        }
        match bytes {
            Some(bytes) => Tok {
                start,
                end,
                kind: TokKind::Quantity { bytes, text },
            },
            None => {
                self.note(format!("quantity too large: {text}"), 0.05);
                Tok {
                    start,
                    end,
                    kind: TokKind::Ignore,
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Clauses, binding, assembly

    fn assemble(&mut self, toks: &[Tok], markers: &[Marker], out: &mut Reading) {
        let (clause, sentence) = self.clauses(toks, markers);
        let cl = |i: usize| clause.get(i).copied().unwrap_or(0);
        let values: Vec<&Tok> = toks.iter().filter(|t| t.is_value()).collect();

        // Role of each value.
        let mut roles: Vec<Option<Marker>> = Vec::with_capacity(values.len());
        let mut scopes: Vec<&'static str> = Vec::with_capacity(values.len());
        let mut breakdowns: Vec<bool> = Vec::with_capacity(values.len());
        for (vi, v) in values.iter().enumerate() {
            let c = cl(v.start);
            let lo = vi
                .checked_sub(1)
                .and_then(|p| values.get(p))
                .filter(|p| cl(p.start) == c)
                .map_or(0, |p| p.end);
            let hi = values
                .get(vi + 1)
                .filter(|n| cl(n.start) == c)
                .map_or(usize::MAX, |n| n.start);
            let window: Vec<&Marker> = markers
                .iter()
                .filter(|m| cl(m.start) == c && m.start >= lo && m.end <= hi)
                .filter(|m| m.end <= v.start || m.start >= v.end)
                .collect();
            let dist = |m: &Marker| {
                if m.end <= v.start {
                    (v.start - m.end, 0u8)
                } else {
                    (m.start - v.end, 1u8)
                }
            };
            let role = window
                .iter()
                .filter(|m| m.entry.kind.role_tier().is_some())
                .min_by_key(|m| {
                    (
                        std::cmp::Reverse(m.entry.kind.role_tier().unwrap_or(0)),
                        dist(m),
                    )
                })
                .map(|m| **m);
            // The role word's own pool, else the nearest pool word before the value (pool
            // words lead in every language here), else the nearest after it.
            let scope = role
                .map(|r| r.entry.scope)
                .filter(|s| !s.is_empty())
                .or_else(|| {
                    let before = window
                        .iter()
                        .filter(|m| !m.entry.scope.is_empty() && m.end <= v.start)
                        .max_by_key(|m| m.end);
                    let after = window
                        .iter()
                        .filter(|m| !m.entry.scope.is_empty() && m.start >= v.end)
                        .min_by_key(|m| m.start);
                    before.or(after).map(|m| m.entry.scope)
                })
                .unwrap_or("");
            let s = sentence.get(v.start).copied().unwrap_or(0);
            let breakdown = markers.iter().any(|m| {
                m.entry.kind == Kind::Breakdown
                    && m.start < v.start
                    && sentence.get(m.start).copied() == Some(s)
            });
            roles.push(role);
            scopes.push(scope);
            breakdowns.push(breakdown);
        }

        // `2 GB of 10 GB remaining`: the second size is the total and the first takes the
        // role the pair was given.
        for vi in 1..values.len() {
            let (Some(a), Some(b)) = (values.get(vi - 1), values.get(vi)) else {
                continue;
            };
            let both_sizes = matches!(a.kind, TokKind::Quantity { .. })
                && matches!(b.kind, TokKind::Quantity { .. });
            if !both_sizes || cl(a.start) != cl(b.start) || b.start.saturating_sub(a.end) > 24 {
                continue;
            }
            let between: Vec<&Marker> = markers
                .iter()
                .filter(|m| m.start >= a.end && m.end <= b.start)
                .collect();
            // "of" must be the word right before the second size.
            let linked = between.last().is_some_and(|m| {
                m.entry.kind == Kind::Of
                    && self
                        .chars
                        .get(m.end..b.start)
                        .is_some_and(|g| g.iter().all(|c| *c == ' '))
            });
            if !linked {
                continue;
            }
            let pair_role = roles.get(vi).copied().flatten();
            if let Some(slot) = roles.get_mut(vi) {
                *slot = Some(Marker {
                    start: b.start,
                    end: b.start,
                    entry: OF_TOTAL,
                });
            }
            if let Some(slot) = roles.get_mut(vi - 1) {
                if slot.is_none() {
                    *slot = pair_role.filter(|r| r.entry.kind != Kind::Total);
                }
            }
        }

        // Data buckets and money.
        let mut money_src: Vec<(usize, String)> = Vec::new(); // (value index, provisional label)
        for (vi, v) in values.iter().enumerate() {
            let role = roles.get(vi).copied().flatten();
            match &v.kind {
                TokKind::Quantity { bytes, text } => {
                    let Some(role) = role else {
                        let what = if self.lang.is_some() {
                            "no word says whether it is remaining, used or total"
                        } else {
                            "language unknown"
                        };
                        self.note(format!("quantity with unclear role: {text} ({what})"), 0.05);
                        continue;
                    };
                    let kind = role.entry.kind;
                    let field = match kind {
                        Kind::Remaining | Kind::Balance | Kind::Have | Kind::Bonus => 0,
                        Kind::Used => 1,
                        Kind::Total | Kind::Limit => 2,
                        _ => {
                            self.note(format!("quantity given as a price or offer: {text}"), 0.0);
                            continue;
                        }
                    };
                    let scope = scopes.get(vi).copied().unwrap_or("");
                    let label = if !scope.is_empty() {
                        scope
                    } else if kind == Kind::Bonus {
                        "bonus"
                    } else {
                        "data"
                    };
                    let breakdown = breakdowns.get(vi).copied().unwrap_or(false);
                    self.put_bucket(out, label, field, *bytes, text, breakdown);
                }
                TokKind::Money { .. } => {
                    let label = match role {
                        None => String::new(),
                        Some(r) => {
                            let l = r.entry.label;
                            let pick = |d: &str| {
                                if l.is_empty() {
                                    d.to_string()
                                } else {
                                    l.to_string()
                                }
                            };
                            match r.entry.kind {
                                Kind::Remaining | Kind::Balance | Kind::Have => pick("balance"),
                                Kind::Bonus => pick("bonus"),
                                Kind::Limit => "limit".to_string(),
                                Kind::Price => pick("price"),
                                Kind::Used => "spent".to_string(),
                                _ => "total".to_string(),
                            }
                        }
                    };
                    money_src.push((vi, label));
                }
                _ => {}
            }
        }
        for (vi, label) in &money_src {
            if let Some(TokKind::Money {
                amount,
                negative,
                code,
                ..
            }) = values.get(*vi).map(|v| &v.kind)
            {
                if let Some(m) = self.money(*amount, *negative, code, label) {
                    out.money.push(m);
                }
            }
        }

        // Dates.
        let mut expiry_clauses: Vec<(usize, Date)> = Vec::new();
        for t in toks {
            let (date, needs_marker) = match t.kind {
                TokKind::Date(DateTok::Day(d)) => (d, false),
                TokKind::Date(DateTok::NumericYearless(d)) => (d, true),
                _ => continue,
            };
            let c = cl(t.start);
            let marker = markers
                .iter()
                .filter(|m| m.entry.kind.is_date_kind() && cl(m.start) == c)
                .min_by_key(|m| {
                    if m.end <= t.start {
                        t.start - m.end
                    } else {
                        m.start.saturating_sub(t.end)
                    }
                });
            match marker.map(|m| m.entry.kind) {
                Some(Kind::Expiry) => {
                    if out.expiry.is_none() {
                        out.expiry = Some(date);
                    }
                    expiry_clauses.push((c, date));
                }
                Some(Kind::Reset) => {
                    if out.reset.is_none() {
                        out.reset = Some(date);
                    }
                }
                Some(_) => {}
                None if needs_marker => {}
                None => self.note(format!("date with unclear meaning: {date}"), 0.0),
            }
        }
        // An expiry applies to the values of its clause.
        for (c, date) in &expiry_clauses {
            for (vi, v) in values.iter().enumerate() {
                let is_money = matches!(v.kind, TokKind::Money { .. });
                if cl(v.start) == *c {
                    if is_money {
                        // money_src and out.money are in the same order, skipping failures;
                        // match by position among money values.
                        if let Some(m) = money_src
                            .iter()
                            .position(|(i, _)| *i == vi)
                            .and_then(|p| out.money.get_mut(p))
                        {
                            if m.label != "renewal" && m.label != "price" {
                                m.expires.get_or_insert(*date);
                            }
                        }
                    } else if let Some(role) = roles.get(vi).copied().flatten() {
                        let scope = scopes.get(vi).copied().unwrap_or("");
                        let label = if !scope.is_empty() {
                            scope
                        } else if role.entry.kind == Kind::Bonus {
                            "bonus"
                        } else {
                            "data"
                        };
                        if let Some(b) = out.buckets.iter_mut().find(|b| b.label == label) {
                            b.expires.get_or_insert(*date);
                        }
                    }
                }
            }
        }
        self.finish_money(out);

        // Unlimited, throttling.
        for m in markers.iter().filter(|m| m.entry.kind == Kind::Unlimited) {
            out.unlimited = true;
            let c = cl(m.start);
            let scope = markers
                .iter()
                .filter(|s| cl(s.start) == c && !s.entry.scope.is_empty())
                .min_by_key(|s| s.start.abs_diff(m.start))
                .map_or("data", |s| s.entry.scope);
            if let Some(b) = self.bucket_mut(out, scope, false) {
                b.unlimited = true;
            }
        }
        let not_throttled = markers.iter().any(|m| m.entry.kind == Kind::NotThrottled);
        if let Some(m) = markers.iter().find(|m| m.entry.kind == Kind::Throttled) {
            if !not_throttled {
                let speeds: Vec<(usize, u64)> = toks
                    .iter()
                    .filter_map(|t| match t.kind {
                        TokKind::Speed { kbps } => Some((t.start, kbps)),
                        _ => None,
                    })
                    .collect();
                let c = cl(m.start);
                let speed = speeds
                    .iter()
                    .find(|(s, _)| cl(*s) == c)
                    .or(if speeds.len() == 1 {
                        speeds.first()
                    } else {
                        None
                    })
                    .map(|(_, k)| *k);
                out.throttled = Some(Throttle { speed_kbps: speed });
            }
        }

        // Numbers without a unit right after a role word: the carrier left the unit out.
        for t in toks {
            let TokKind::Unitless { text } = &t.kind else {
                continue;
            };
            let c = cl(t.start);
            let before = markers.iter().rev().find(|m| {
                m.end <= t.start && cl(m.start) == c && m.entry.kind.role_tier().is_some()
            });
            if let Some(m) = before {
                let gap: String = self
                    .chars
                    .get(m.end..t.start)
                    .unwrap_or(&[])
                    .iter()
                    .collect();
                if gap.chars().count() <= 4 && gap.chars().all(|g| " :是为為は=".contains(g)) {
                    let word = self.text(m.start, m.end);
                    self.note(format!("number without a unit after '{word}': {text}"), 0.1);
                }
            }
        }

        self.summarise(out);
    }

    /// Sentence and clause index of every char.
    fn clauses(&self, toks: &[Tok], markers: &[Marker]) -> (Vec<usize>, Vec<usize>) {
        let n = self.chars.len();
        let mut covered = vec![false; n];
        for (s, e) in toks
            .iter()
            .map(|t| (t.start, t.end))
            .chain(markers.iter().map(|m| (m.start, m.end)))
        {
            for slot in covered.iter_mut().take(e.min(n)).skip(s) {
                *slot = true;
            }
        }
        // `100,50 руб. Остаток…`: the currency's dot also ends the sentence.
        let mut break_at = vec![false; n + 1];
        for t in toks {
            let ends_dot = t.end > 0 && self.at(t.end - 1) == Some('.');
            let j = skip_spaces(self.chars, t.end, 2);
            let capital = self.at(j).is_some_and(|c| c.is_uppercase()) && j > t.end;
            if ends_dot && (capital || self.at(j) == Some('\n') || j >= n) {
                if let Some(b) = break_at.get_mut(t.end) {
                    *b = true;
                }
            }
        }
        let mut clause = Vec::with_capacity(n);
        let mut sentence = Vec::with_capacity(n);
        let (mut c, mut s) = (0usize, 0usize);
        for i in 0..n {
            let ch = self.at(i).unwrap_or(' ');
            if break_at.get(i).copied().unwrap_or(false) {
                s += 1;
                c += 1;
            }
            if !covered.get(i).copied().unwrap_or(false) {
                let next_digit = self.at(i + 1).is_some_and(|x| x.is_ascii_digit());
                let strong = matches!(ch, '。' | '！' | '？' | '!' | '?' | '\n' | ';' | '【')
                    || (ch == '.' && !next_digit && !self.abbreviation_before(i));
                let weak = matches!(ch, '，' | '、' | '／' | '|') || (ch == ',' && !next_digit);
                if strong {
                    s += 1;
                    c += 1;
                } else if weak {
                    c += 1;
                }
            }
            clause.push(c);
            sentence.push(s);
        }
        (clause, sentence)
    }

    /// `ca.`, `Nr.`, a single letter: a `.` that does not end a sentence.
    fn abbreviation_before(&self, i: usize) -> bool {
        let mut j = i;
        while j > 0 && self.folded.get(j - 1).is_some_and(|c| is_word_letter(*c)) {
            j -= 1;
        }
        let word: String = self.folded.get(j..i).unwrap_or(&[]).iter().collect();
        word.chars().count() == 1
            || matches!(
                word.as_str(),
                "ca" | "nr" | "inkl" | "tel" | "st" | "vs" | "bzw" | "ggf" | "no" | "approx"
            )
    }

    fn bucket_mut<'r>(
        &self,
        out: &'r mut Reading,
        label: &str,
        breakdown: bool,
    ) -> Option<&'r mut DataBucket> {
        if !out.buckets.iter().any(|b| b.label == label) {
            let mut b = DataBucket::new(label);
            b.breakdown = breakdown;
            out.buckets.push(b);
        }
        out.buckets.iter_mut().find(|b| b.label == label)
    }

    fn put_bucket(
        &mut self,
        out: &mut Reading,
        label: &str,
        field: u8,
        bytes: u64,
        text: &str,
        breakdown: bool,
    ) {
        let base = self.base;
        let Some(b) = self.bucket_mut(out, label, breakdown) else {
            return;
        };
        if !breakdown {
            b.breakdown = false;
        }
        let slot = match field {
            0 => &mut b.remaining_bytes,
            1 => &mut b.used_bytes,
            _ => &mut b.total_bytes,
        };
        match *slot {
            None => *slot = Some(bytes),
            Some(old) if old == bytes => {}
            Some(old) => {
                let what = match field {
                    0 => "remaining",
                    1 => "used",
                    _ => "total",
                };
                let old_s = super::unit::format_bytes(old, base);
                self.note(
                    format!("two conflicting {what} quantities for '{label}': {old_s} and {text}; the first is kept"),
                    0.3,
                );
            }
        }
    }

    fn money(
        &mut self,
        amount: Decimal,
        negative: bool,
        code: &'static str,
        label: &str,
    ) -> Option<Money> {
        let exp = exponent(code);
        let minor = if amount.scale <= exp {
            amount
                .mantissa
                .checked_mul(10u128.checked_pow(exp - amount.scale)?)?
        } else {
            let den = 10u128.checked_pow(amount.scale - exp)?;
            if !amount.mantissa.is_multiple_of(den) {
                self.note(
                    format!(
                        "{} {code} has more decimals than the currency; rounded",
                        amount.plain()
                    ),
                    0.0,
                );
            }
            amount.mantissa.checked_add(den / 2)? / den
        };
        let minor = i64::try_from(minor).ok()?;
        let sign = if negative && !amount.is_zero() {
            "-"
        } else {
            ""
        };
        Some(Money {
            label: label.to_string(),
            amount: format!("{sign}{}", amount.plain()),
            minor_units: if negative { -minor } else { minor },
            currency: code.to_string(),
            expires: None,
        })
    }

    /// Unlabelled amounts: the first becomes the balance when no amount is labelled so; an
    /// unlabelled repeat of an amount already listed is merged into it.
    fn finish_money(&mut self, out: &mut Reading) {
        let mut kept: Vec<Money> = Vec::with_capacity(out.money.len());
        for m in out.money.drain(..) {
            if m.label.is_empty() {
                if let Some(k) = kept
                    .iter_mut()
                    .find(|k| k.currency == m.currency && k.minor_units == m.minor_units)
                {
                    if k.expires.is_none() {
                        k.expires = m.expires;
                    }
                    continue;
                }
            }
            kept.push(m);
        }
        let has_balance = kept.iter().any(|m| m.label == "balance");
        if !has_balance && self.lang.is_some() {
            if let Some(m) = kept.iter_mut().find(|m| m.label.is_empty()) {
                m.label = "balance".to_string();
            }
        }
        for m in kept.iter_mut().filter(|m| m.label.is_empty()) {
            m.label = "unlabelled".to_string();
        }
        out.money = kept;
    }

    fn summarise(&self, out: &mut Reading) {
        let pick = |b: &DataBucket| (b.remaining_bytes, b.used_bytes, b.total_bytes);
        let (r, u, t) = if let Some(main) = out.bucket("data") {
            pick(main)
        } else {
            let home: Vec<&DataBucket> = out
                .buckets
                .iter()
                .filter(|b| !b.breakdown && b.label != "roaming")
                .collect();
            let pool: Vec<&DataBucket> = if home.is_empty() {
                out.buckets.iter().filter(|b| !b.breakdown).collect()
            } else {
                home
            };
            let sum = |f: fn(&DataBucket) -> Option<u64>| -> Option<u64> {
                pool.iter()
                    .filter_map(|b| f(b))
                    .try_fold(None::<u64>, |acc, v| {
                        Some(Some(acc.unwrap_or(0).checked_add(v)?))
                    })
                    .flatten()
            };
            (
                sum(|b| b.remaining_bytes),
                sum(|b| b.used_bytes),
                sum(|b| b.total_bytes),
            )
        };
        out.remaining_bytes = r;
        out.used_bytes = u;
        out.total_bytes = t;
    }
}

/// Drops trailing fraction zeros introduced by a multiplier (`1.5jt` → `1500000`).
fn trim(mut d: Decimal) -> Decimal {
    while d.scale > 0 && d.mantissa.is_multiple_of(10) {
        d.mantissa /= 10;
        d.scale -= 1;
    }
    d
}

/// Whether two written sizes are the same amount (within display rounding, 0.5 %) under
/// either base — `5280MB(5.28GB)` is the same in base 1000, `1GB (1,024MB)` in base 1024.
fn same_amount(a: Decimal, ua: UnitMatch, b: Decimal, ub: UnitMatch) -> bool {
    [1000u64, 1024].iter().any(
        |base| match (to_bytes(a, ua, *base), to_bytes(b, ub, *base)) {
            (Some(x), Some(y)) => {
                let (hi, lo) = (x.max(y), x.min(y));
                u128::from(hi - lo) * 200 <= u128::from(hi)
            }
            _ => false,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Carrier hints

/// Tries the carrier's regular expressions; the first that captures a usable value decides.
fn apply_hints(ctx: &mut Ctx<'_>, opts: &ParseOptions, reading: &mut Reading) -> Option<Reading> {
    let text: String = ctx.chars.iter().collect();
    for (n, pattern) in opts.hints.iter().enumerate() {
        let re = match regex_lite::Regex::new(pattern) {
            Ok(re) => re,
            Err(e) => {
                reading.notes.push(format!(
                    "carrier hint {} is not a valid pattern: {e}",
                    n + 1
                ));
                continue;
            }
        };
        let Some(caps) = re.captures(&text) else {
            continue;
        };
        let mut r = reading.clone();
        let mut got = false;
        for (name, field) in [("remaining", 0u8), ("used", 1), ("total", 2)] {
            let Some(m) = caps.name(name) else { continue };
            match sub_parse(ctx, m.as_str())
                .into_iter()
                .find_map(|t| match t.kind {
                    TokKind::Quantity { bytes, text } => Some((bytes, text)),
                    _ => None,
                }) {
                Some((bytes, text)) => {
                    ctx.put_bucket(&mut r, "data", field, bytes, &text, false);
                    got = true;
                }
                None => ctx.note(
                    format!(
                        "carrier hint {}: '{name}' captured {:?}, which is not a size with a unit",
                        n + 1,
                        m.as_str()
                    ),
                    0.1,
                ),
            }
        }
        if let Some(m) = caps.name("balance") {
            let cur_text = caps.name("currency").map(|c| c.as_str().to_string());
            let combined = match &cur_text {
                Some(c) => format!("{} {c}", m.as_str()),
                None => m.as_str().to_string(),
            };
            let toks = sub_parse(ctx, &combined);
            let money = toks.into_iter().find_map(|t| match t.kind {
                TokKind::Money {
                    amount,
                    negative,
                    code,
                    ..
                } => Some((amount, negative, code)),
                _ => None,
            });
            match money {
                Some((amount, negative, code)) => {
                    if let Some(mo) = ctx.money(amount, negative, code, "balance") {
                        r.money.push(mo);
                        got = true;
                    }
                }
                None => ctx.note(
                    format!(
                        "carrier hint {}: 'balance' captured {:?} without a known currency",
                        n + 1,
                        m.as_str()
                    ),
                    0.1,
                ),
            }
        }
        if let Some(m) = caps.name("expiry") {
            let chars = normalize(m.as_str());
            let found = (0..chars.len()).find_map(|i| match scan_date(&chars, i, &ctx.dates) {
                Some((DateTok::Day(d) | DateTok::NumericYearless(d), _)) => Some(d),
                _ => None,
            });
            if let Some(d) = found {
                r.expiry = Some(d);
                got = true;
            }
        }
        if got {
            ctx.summarise(&mut r);
            r.notes.append(&mut ctx.notes);
            r.notes.push(format!("read with carrier hint {}", n + 1));
            r.understood = true;
            r.confidence = (0.95 - ctx.penalty).clamp(0.1, 1.0);
            return Some(r);
        }
    }
    None
}

/// Tokens of a captured fragment, read with the same language and base.
fn sub_parse(ctx: &Ctx<'_>, fragment: &str) -> Vec<Tok> {
    let chars = normalize(fragment);
    let folded: Vec<char> = chars.iter().copied().map(fold).collect();
    let mut sub = Ctx {
        chars: &chars,
        folded: &folded,
        lang: ctx.lang,
        region: ctx.region.clone(),
        style: ctx.style,
        base: ctx.base,
        cjk: ctx.cjk || chars.iter().any(|c| is_cjk(*c)),
        dates: ctx.dates,
        notes: Vec::new(),
        penalty: 0.0,
    };
    sub.tokenize()
}
