//! From reply text to a [`Reading`]: find the numbers, then the words, then give each number
//! the role the sentence gives it — or none.
//!
//! The pipeline (each step only reads what the previous produced):
//! 1. normalise (full-width and other scripts' digits → ASCII, one char per char) and fold;
//! 2. find lexicon words (cue words in ~40 languages, see `lexicon` and `words`) and detect the
//!    language from scripts and words;
//! 3. tokenise: URLs, USSD codes, phone and reference numbers, SMS part markers (`2/2`) and
//!    network generations (`4G流量`) become rejected candidates; dates and times, data sizes
//!    (`1GB500MB`, `3Gb 817Mb 169kb`, `5280MB(5.28GB)`), speeds, percentages, money (every ISO
//!    4217 code, symbols and local words, `Rp5rb`, `1jt`, `3万円`) and counts of minutes or
//!    messages are found;
//! 4. split into sentences and clauses;
//! 5. assign roles (`assign`): structural rejections first (offers, prices, thresholds,
//!    transactions, product names, "from X is Y" modifiers), then the cue word that gives each
//!    remaining value its role, then the structures ("X of Y", "used N% of Y", "A + B",
//!    lists that share one heading, "depleted"), then consistency; a conflict is an abstention.
//!
//! Nothing is guessed: a number no word gives a role, an ambiguous currency sign without a
//! country, two different values for the same thing — each stays a candidate with the reason
//! it was not taken, and the reply may end "not understood".

use super::date::{scan_date, DateCtx, DateTok};
use super::lexicon::{detect, lexicon, Detected, Marker, LANGUAGES};
use super::model::{ParseOptions, Reading};
use super::money::{iso_code, resolve_sign, Pos, Resolved, SIGNS};
use super::number::{
    fold, is_cjk, is_word_letter, normalize, resolve, scan_number, sep_style, Decimal, SepStyle,
};
use super::unit::{match_data_unit, match_speed_unit, to_bytes, UnitMatch};

/// Replies are at most a few concatenated SMS; longer input is cut here so that the work
/// stays small whatever arrives (the pathological-input bench feeds 100 KB).
pub(super) const MAX_CHARS: usize = 16_384;

/// Counts that are not data or money (minutes, messages, days): recognised so that they are
/// neither sizes nor unit-less numbers. `true` marks calls and messages (a sentence about
/// them is not about data).
const OTHER_UNITS: &[(&str, bool)] = &[
    ("分钟", true),
    ("分鐘", true),
    ("分", true),
    ("秒", true),
    ("条", true),
    ("條", true),
    ("則", true),
    ("次", false),
    ("通", true),
    ("件", true),
    ("天", false),
    ("日間", false),
    ("日", false),
    ("時間", false),
    ("小时", false),
    ("小時", false),
    ("个月", false),
    ("個月", false),
    ("ヶ月", false),
    ("か月", false),
    ("カ月", false),
    ("minutes", true),
    ("minute", true),
    ("minutos", true),
    ("minuti", true),
    ("minuten", true),
    ("minuts", true),
    ("mins", true),
    ("min", true),
    ("minut", true),
    ("minuty", true),
    ("мин", true),
    ("хв", true),
    ("hv", true),
    ("sms", true),
    ("смс", true),
    ("sec", true),
    ("seconds", true),
    ("second", true),
    ("hours", false),
    ("hour", false),
    ("hrs", false),
    ("hr", false),
    ("horas", false),
    ("hora", false),
    ("hari", false),
    ("days", false),
    ("day", false),
    ("dias", false),
    ("dia", false),
    ("tage", false),
    ("tagen", false),
    ("tag", false),
    ("дней", false),
    ("дня", false),
    ("день", false),
    ("dni", false),
    ("din", false),
    ("mnt", true),
    ("menit", true),
    ("dk", true),
    ("dakika", true),
    ("นาที", true),
    ("দিন", false),
    ("মিনিট", true),
    ("दिन", false),
    ("मिनट", true),
    ("يوم", false),
    ("أيام", false),
    ("دقيقة", true),
    ("دقائق", true),
    ("분", true),
    ("일", false),
];

/// Top-level domains recognised in bare host names (`gd.10086.cn`, `halebop.se/extras`).
const TLDS: &[&str] = &[
    "cn", "com", "net", "org", "se", "de", "jp", "ru", "pl", "ua", "hk", "tw", "id", "in", "uk",
    "co", "io", "ch", "at", "cz", "hu", "fr", "me", "info", "ly", "nl", "au", "nz", "za", "np",
    "ng", "ke", "gh", "et", "ph", "bd", "pk", "vn", "th", "my", "tr", "eg", "sa", "ae", "br", "mx",
    "ar", "cl", "pe", "es", "it", "pt", "ro", "bg", "gr", "il", "ir", "kr", "sg", "app", "link",
    "to", "bit", "gl",
];

/// Codes that read as English words in lower case (`all`, `top`, `try`): taken as currency
/// only when written in capitals. Everything else in the sign table matches in any case.
const CAPITALS_ONLY: &[&str] = &[
    "all", "top", "try", "cup", "pen", "mad", "gel", "sos", "lak", "mop", "cop", "ars", "bam",
    "ern", "nad", "mur", "scr", "sar", "cad", "aud", "cuc", "da", "dh", "bd", "kd", "jd", "sr",
    "qr", "le", "km", "lv", "tl", "fc", "fg", "gs", "bs", "ks", "kz", "mk", "sh", "br", "rm",
    "din", "lei", "som", "kip", "lek", "dop", "sdg", "sll", "ssp", "stn", "sle", "mga", "gmd",
];

/// Indices of [`SIGNS`] by the first char of their folded spelling.
fn signs_by_first() -> &'static std::collections::HashMap<char, Vec<usize>> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<char, Vec<usize>>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut m: std::collections::HashMap<char, Vec<usize>> = std::collections::HashMap::new();
        for (k, sg) in SIGNS.iter().enumerate() {
            if let Some(c) = sg.spelling.chars().next().map(fold) {
                m.entry(c).or_default().push(k);
            }
        }
        m
    })
}

/// What a currency sign at a position stands for.
#[derive(Debug, Clone, Copy)]
pub(super) enum SignRef {
    Table(usize),
    Iso(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokKind {
    Quantity {
        bytes: u64,
        text: String,
    },
    Money {
        amount: Decimal,
        negative: bool,
        /// `None` when the sign could not be resolved; `why` says so.
        code: Option<&'static str>,
        why: String,
        /// A price per unit (`2kr/samtal`): not a balance.
        rate: bool,
    },
    Speed {
        kbps: u64,
    },
    Percent {
        value: Decimal,
    },
    /// Minutes, messages, days: `voice` for calls and messages.
    Count {
        voice: bool,
    },
    Unitless {
        text: String,
        value: Option<Decimal>,
    },
    Date(DateTok),
    /// A number that is no quantity: phone, code, reference, part marker (with the reason).
    Code {
        why: &'static str,
    },
    Ignore,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: TokKind,
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

/// A language this module has vocabulary for, as the static tag.
fn known_lang(tag: &str) -> Option<&'static str> {
    LANGUAGES.iter().find(|k| **k == tag).copied()
}

pub(super) struct Ctx<'a> {
    pub chars: &'a [char],
    pub folded: &'a [char],
    pub lang: Option<&'static str>,
    /// ISO 3166 alpha-2 of the carrier: the options' country, else the language tag's region.
    pub country: Option<String>,
    pub currency: Option<String>,
    pub style: SepStyle,
    pub base: u64,
    pub cjk: bool,
    pub dates: DateCtx,
    pub notes: Vec<String>,
    pub penalty: f32,
    /// Number of `"` before each position (quote parity without rescanning).
    pub quotes: Vec<u32>,
}

/// Prefix counts of `"`.
fn quote_counts(chars: &[char]) -> Vec<u32> {
    let mut out = Vec::with_capacity(chars.len() + 1);
    let mut n = 0u32;
    out.push(0);
    for c in chars {
        if *c == '"' {
            n += 1;
        }
        out.push(n);
    }
    out
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
    let country = opts
        .country
        .clone()
        .filter(|c| c.len() == 2)
        .map(|c| c.to_ascii_uppercase())
        .or(hint_tag.region.clone());

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
    let us_order = match country.as_deref() {
        Some(r) => r == "US",
        None => lang == Some("en") && has_dollar,
    };
    let mut ctx = Ctx {
        chars: &chars,
        folded: &folded,
        lang,
        country,
        currency: opts.currency.clone(),
        style: sep_style(lang),
        base: opts.base(),
        cjk: matches!(lang, Some("ja" | "zh-Hans" | "zh-Hant")),
        dates: DateCtx {
            us_order,
            today: opts.today,
        },
        notes: Vec::new(),
        penalty: 0.0,
        quotes: quote_counts(&chars),
    };

    if !opts.hints.is_empty() {
        if let Some(r) = apply_hints(&mut ctx, opts, &mut reading) {
            return r;
        }
    }

    let toks = ctx.tokenize();
    // Words inside a token are not cue words (`min` of `94 min` stays, it names calls).
    let markers: Vec<Marker> = all_markers
        .into_iter()
        .filter(|m| {
            !toks.iter().any(|t| {
                t.start < m.end && m.start < t.end && !matches!(t.kind, TokKind::Count { .. })
            })
        })
        .filter(|m| lang_allowed(m, lang))
        .collect();
    ctx.assemble(&toks, &markers, &mut reading);
    reading.notes.append(&mut ctx.notes);
    let found = reading.understood;
    if let Some(why) = unknown {
        reading.notes.push(why.to_string());
        reading.understood = false;
    }
    reading.confidence = if reading.understood {
        ((0.9 - ctx.penalty).clamp(0.1, 1.0) * 100.0).round() / 100.0
    } else {
        0.0
    };
    if !found {
        reading.confidence = 0.0;
    }
    reading
}

/// Cue words count in the reply's language, in English (carriers everywhere mix it in) and
/// when language-neutral (`@`, app names).
fn lang_allowed(m: &Marker, lang: Option<&str>) -> bool {
    use super::lexicon::Kind;
    // Words that take a role away (offers, prices, thresholds, calls) count in any
    // language: a wrong one only costs a reading, never makes a false one.
    if matches!(
        m.entry.kind,
        Kind::Offer
            | Kind::PricePrep
            | Kind::Transaction
            | Kind::Threshold
            | Kind::VoiceNoun
            | Kind::Product
            | Kind::Unavailable
            | Kind::AsOf
    ) {
        return true;
    }
    let langs = m.entry.langs;
    if langs == "*" || langs.split(' ').any(|l| l == "en") {
        return true;
    }
    // Languages that share words (kanji, Cyrillic cognates, Malay/Indonesian, Scandinavian).
    const FAMILIES: &[&[&str]] = &[
        &["ja", "zh-Hans", "zh-Hant"],
        &["ru", "uk", "bg", "sr"],
        &["hr", "sr", "sk", "cs", "pl"],
        &["id", "ms"],
        &["sv", "da", "nb"],
        &["es", "pt"],
        &["ar", "fa", "ur"],
        &["hi", "ur"],
    ];
    match lang {
        Some(l) => langs
            .split(' ')
            .any(|x| x == l || FAMILIES.iter().any(|f| f.contains(&x) && f.contains(&l))),
        None => true,
    }
}

/// Languages implied by currency words right after a number (`грн` → uk, `kr` → sv) or `Rp`
/// before one. Runs before the language is known, so it only looks, it does not read values.
fn currency_languages(chars: &[char], folded: &[char]) -> Vec<&'static str> {
    const BY_SIGN: &[(&str, &str)] = &[
        ("грн", "uk"),
        ("грн.", "uk"),
        ("grn", "uk"),
        ("grn.", "uk"),
        ("hrn", "uk"),
        ("uah", "uk"),
        ("kr", "sv"),
        ("sek", "sv"),
        ("ft", "hu"),
        ("kc", "cs"),
        ("zl", "pl"),
        ("лв", "bg"),
        ("лв.", "bg"),
        ("руб", "ru"),
        ("руб.", "ru"),
        ("р.", "ru"),
        ("р", "ru"),
        ("рублей", "ru"),
        ("₫", "vi"),
        ("vnd", "vi"),
        ("lei", "ro"),
        ("円", "ja"),
        ("r", "ru"),
        ("r.", "ru"),
        ("rub", "ru"),
    ];
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
        let mut best: Option<(usize, &str)> = None;
        for (sign, l) in BY_SIGN {
            if let Some(len) = matches_at(folded, j, sign) {
                let ends_letter = sign.chars().last().is_some_and(is_word_letter);
                if ends_letter && folded.get(j + len).is_some_and(|c| is_word_letter(*c)) {
                    continue;
                }
                if best.is_none_or(|(bl, _)| len > bl) {
                    best = Some((len, l));
                }
            }
        }
        if let Some((_, l)) = best {
            out.push(l);
        }
        let before = i.checked_sub(2).and_then(|s| folded.get(s..i));
        if before == Some(&['r', 'p'][..]) {
            out.push("id");
        }
        i = e.max(i + 1);
    }
    out
}

pub(super) fn skip_spaces(chars: &[char], mut i: usize, max: usize) -> usize {
    let start = i;
    while chars.get(i) == Some(&' ') && i - start < max {
        i += 1;
    }
    i
}

pub(super) fn matches_at(folded: &[char], i: usize, pat: &str) -> Option<usize> {
    let mut n = 0;
    for (k, c) in pat.chars().enumerate() {
        if folded.get(i + k) != Some(&c) {
            return None;
        }
        n = k + 1;
    }
    Some(n)
}

impl Ctx<'_> {
    pub(super) fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    pub(super) fn note(&mut self, text: String, penalty: f32) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
        self.penalty += penalty;
    }

    pub(super) fn text(&self, start: usize, end: usize) -> String {
        self.chars
            .get(start..end.min(self.chars.len()))
            .map(|s| s.iter().collect::<String>())
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    // -----------------------------------------------------------------------------------------
    // Currency signs

    /// The longest currency sign at `i` that may stand at `pos` of an amount.
    fn sign_at(&self, i: usize, pos: Pos) -> Option<(usize, SignRef)> {
        let first = *self.folded.get(i)?;
        let upper = self.at(i).is_some_and(|c| c.is_ascii_uppercase());
        let candidates = signs_by_first().get(&first);
        if candidates.is_none() && !upper {
            return None;
        }
        let prev_letter = i > 0 && self.folded.get(i - 1).is_some_and(|c| is_word_letter(*c));
        let mut best: Option<(usize, SignRef)> = None;
        for &k in candidates.map_or(&[][..], |v| v.as_slice()) {
            let Some(sg) = SIGNS.get(k) else { continue };
            if !(sg.pos == pos || sg.pos == Pos::Both) {
                continue;
            }
            let len = if sg.exact {
                let n = sg.spelling.chars().count();
                let same = sg
                    .spelling
                    .chars()
                    .enumerate()
                    .all(|(o, c)| self.at(i + o) == Some(c));
                // `P50`, `R 19.50`: a capital letter right before the digits, nothing after.
                let then = skip_spaces(self.chars, i + n, 1);
                if !same || !self.at(then).is_some_and(|c| c.is_ascii_digit()) {
                    continue;
                }
                n
            } else {
                match matches_at(self.folded, i, sg.spelling) {
                    Some(n) => n,
                    None => continue,
                }
            };
            let first_letter = sg.spelling.chars().next().is_some_and(is_word_letter);
            let last_letter = sg.spelling.chars().last().is_some_and(is_word_letter);
            if first_letter && prev_letter {
                continue;
            }
            if last_letter && self.folded.get(i + len).is_some_and(|c| is_word_letter(*c)) {
                continue;
            }
            // `Dh`, `TL`, `ALL`: a capital first letter (`all`, `try`, `le` are words).
            if CAPITALS_ONLY.contains(&sg.spelling) && !self.at(i).is_some_and(|c| c.is_uppercase())
            {
                continue;
            }
            if best.is_none_or(|(l, _)| len > l) {
                best = Some((len, SignRef::Table(k)));
            }
        }
        // Any other active ISO 4217 code written in capitals.
        if best.is_none() && !prev_letter {
            let word: String = (0..3).filter_map(|o| self.at(i + o)).collect();
            let bounded = !self.at(i + 3).is_some_and(is_word_letter);
            if word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()) && bounded {
                if let Some(code) = iso_code(&word) {
                    best = Some((3, SignRef::Iso(code)));
                }
            }
        }
        best
    }

    /// The ISO code of a sign here, or why there is none.
    fn resolve_ref(&self, r: SignRef, written: &str) -> Result<&'static str, String> {
        let sign = match r {
            SignRef::Iso(c) => return Ok(c),
            SignRef::Table(k) => match SIGNS.get(k) {
                Some(s) => s,
                None => return Err("unknown sign".into()),
            },
        };
        // Latin `p.` for Cyrillic `р.` (a modem's look-alike): a rouble only in Russian text.
        if matches!(sign.spelling, "p." | "p") && self.lang != Some("ru") {
            return Err(format!("'{written}' is a rouble only in Russian text"));
        }
        match resolve_sign(
            sign,
            self.currency.as_deref(),
            self.country.as_deref(),
            self.lang,
        ) {
            Resolved::Code(c, _) => Ok(c),
            Resolved::Ambiguous(codes) => Err(format!(
                "'{written}' may be {}: the carrier's country or currency is needed",
                codes.join(", ")
            )),
            Resolved::Mismatch(codes) => Err(format!(
                "'{written}' would be {} — not the money of {}",
                codes.join(" or "),
                self.country.as_deref().unwrap_or("this country")
            )),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Tokens

    pub(super) fn tokenize(&mut self) -> Vec<Tok> {
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
            if digit_start {
                if let Some(end) = self.part_marker(i) {
                    toks.push(Tok {
                        start: i,
                        end,
                        kind: TokKind::Code {
                            why: "an SMS part marker",
                        },
                    });
                    i = end;
                    continue;
                }
            }
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
            if let Some(tok) = self.prefix_money(i) {
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

    /// `1/2`, `(2/2)` at the start or end of the text (or in brackets): which part of a long
    /// SMS this is, not a date.
    fn part_marker(&self, i: usize) -> Option<usize> {
        let (e, raw) = scan_number(self.chars, i);
        if raw.len() > 2 || self.at(e) != Some('/') {
            return None;
        }
        let (e2, raw2) = scan_number(self.chars, e + 1);
        let (a, b) = (raw.parse::<u32>().ok()?, raw2.parse::<u32>().ok()?);
        if raw2.is_empty() || raw2.len() > 2 || a == 0 || a > b || b > 20 {
            return None;
        }
        let at_start = self
            .chars
            .get(..i)?
            .iter()
            .all(|c| c.is_whitespace() || matches!(c, '(' | '['));
        let at_end = self
            .chars
            .get(e2..)?
            .iter()
            .all(|c| c.is_whitespace() || matches!(c, ')' | ']' | '.'));
        let bracketed = i > 0 && self.at(i - 1) == Some('(') && self.at(e2) == Some(')');
        (at_start || at_end || bracketed).then_some(e2)
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
    /// `USD:5.87`, `Rs. 995.75`, `P641.30`, `GHC10`, `ETB 7.50`.
    fn prefix_money(&mut self, i: usize) -> Option<Tok> {
        let (len, r) = self.sign_at(i, Pos::Before)?;
        let written = self.text(i, i + len);
        let mut j = i + len;
        if self.at(j) == Some('.') && !written.ends_with('.') {
            j += 1;
        }
        if matches!(self.at(j), Some(':' | '=')) {
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
        if let Some((mul, l)) = self.multiplier(e) {
            amount = trim(amount.mul_int(mul)?);
            end = e + l;
        }
        // `R49.96.` / `Rs.50.` end a sentence; the dot is not part of the amount.
        let (code, why) = match self.resolve_ref(r, &written) {
            Ok(c) => (Some(c), String::new()),
            Err(w) => (None, w),
        };
        Some(Tok {
            start: i,
            end,
            kind: TokKind::Money {
                amount,
                negative,
                code,
                why,
                rate: self.is_rate(end),
            },
        })
    }

    /// `/samtal`, `/min`, `/day` right after an amount (but `Rs.50/-` is just an amount).
    fn is_rate(&self, end: usize) -> bool {
        let j = skip_spaces(self.chars, end, 1);
        self.at(j) == Some('/') && self.at(j + 1) != Some('-')
    }

    /// `rb`/`ribu` (thousand) and `jt`/`juta` (million) after an Indonesian or Malay amount.
    fn multiplier(&self, e: usize) -> Option<(u128, usize)> {
        for (word, mul) in [
            ("ribu", 1000u128),
            ("rb", 1000),
            ("juta", 1_000_000),
            ("jt", 1_000_000),
        ] {
            if let Some(l) = matches_at(self.folded, e, word) {
                if !self.folded.get(e + l).is_some_and(|c| is_word_letter(*c)) {
                    return Some((mul, l));
                }
            }
        }
        None
    }

    /// Everything that starts with a digit that is not a date.
    fn number_at(&mut self, i: usize, prev: Option<char>) -> Tok {
        let code = |end: usize, why: &'static str| Tok {
            start: i,
            end,
            kind: TokKind::Code { why },
        };
        let alnum_run = |ctx: &Ctx<'_>, mut j: usize| {
            while ctx
                .at(j)
                .is_some_and(|c| c.is_ascii_alphanumeric() || is_word_letter(c) || c == '_')
            {
                j += 1;
            }
            j
        };
        // Identifiers (Plan485, Me2U), USSD codes (*100#), phone numbers (+7 999 …).
        if prev.is_some_and(|p| is_word_letter(p) || p == '_') {
            return code(alnum_run(self, i), "part of a name or code");
        }
        if prev.is_some_and(|p| p == '*' || p == '#') {
            let mut j = i;
            while self
                .at(j)
                .is_some_and(|c| c.is_ascii_digit() || c == '*' || c == '#')
            {
                j += 1;
            }
            return code(j, "a USSD code");
        }
        if prev == Some('+') {
            let mut j = i;
            while self
                .at(j)
                .is_some_and(|c| c.is_ascii_digit() || " ()-".contains(c))
            {
                j += 1;
            }
            return code(j, "a phone number");
        }
        let (e, raw) = scan_number(self.chars, i);
        if raw.chars().all(|c| c.is_ascii_digit()) && raw.len() >= 9 {
            return code(e, "a phone, account or reference number");
        }
        if matches!(self.at(e), Some('#' | '*')) {
            return code(e + 1, "a USSD code");
        }
        // `4G流量`, `5G套餐`: a network generation, not four gigabytes.
        if self.cjk
            && raw.len() == 1
            && matches!(self.at(e), Some('G' | 'g'))
            && ('2'..='5').contains(&raw.chars().next().unwrap_or('0'))
            && matches!(
                self.at(e + 1),
                Some('流' | '网' | '網' | '套' | '用' | '信' | '卡' | '手' | '上' | '通')
            )
        {
            return code(e + 1, "a network generation (4G), not a size");
        }
        let negative = prev == Some('-')
            && !i
                .checked_sub(2)
                .and_then(|p| self.at(p))
                .is_some_and(|c| c.is_alphanumeric());
        let Some(value) = resolve(&raw, self.style) else {
            return code(e, "a number with malformed digit grouping");
        };
        let j = skip_spaces(self.chars, e, 2);
        if self.at(j) == Some('%') && j - e <= 1 {
            return Tok {
                start: i,
                end: j + 1,
                kind: TokKind::Percent { value },
            };
        }
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
        if let Some(m) = self.data_unit(j) {
            return self.quantity(i, value, m, j + m.len);
        }
        // IIJmio-style `10.00 [GB]`.
        if self.at(j) == Some('[') {
            if let Some(m) = self.data_unit(j + 1) {
                if self.at(j + 1 + m.len) == Some(']') {
                    return self.quantity(i, value, m, j + 2 + m.len);
                }
            }
        }
        // 3万円, 5千元, 30rb, 1jt
        let mut k = j;
        let mut amount = value;
        let mut multiplied = false;
        if let Some(mul) = match self.at(j) {
            Some('万' | '萬') => Some(10_000u128),
            Some('千') => Some(1000),
            Some('億' | '亿') => Some(100_000_000),
            _ => None,
        } {
            if let Some(a) = amount.mul_int(mul) {
                amount = trim(a);
                k = j + 1;
            }
        } else if let Some((mul, l)) = self.multiplier(e) {
            if let Some(a) = amount.mul_int(mul) {
                amount = trim(a);
                k = e + l;
                multiplied = true;
            }
        }
        let k2 = skip_spaces(self.chars, k, 2);
        if let Some((len, r)) = self.sign_at(k2, Pos::After) {
            let written = self.text(k2, k2 + len);
            let end = k2 + len;
            let (code, why) = match self.resolve_ref(r, &written) {
                Ok(c) => (Some(c), String::new()),
                Err(w) => (None, w),
            };
            return Tok {
                start: if negative { i.saturating_sub(1) } else { i },
                end,
                kind: TokKind::Money {
                    amount,
                    negative,
                    code,
                    why,
                    rate: self.is_rate(end),
                },
            };
        }
        if multiplied && matches!(self.lang, Some("id" | "ms")) {
            // `30rb`: thousands of rupiah (ringgit are not written so).
            let code = if self.lang == Some("id") {
                Some("IDR")
            } else {
                None
            };
            return Tok {
                start: i,
                end: k,
                kind: TokKind::Money {
                    amount,
                    negative,
                    code,
                    why: if code.is_some() {
                        String::new()
                    } else {
                        "an amount in thousands without a currency".into()
                    },
                    rate: self.is_rate(k),
                },
            };
        }
        let mut best_other: Option<(usize, bool)> = None;
        for (u, voice) in OTHER_UNITS {
            if let Some(len) = matches_at(self.folded, j, u) {
                let letters = u.chars().last().is_some_and(is_word_letter);
                if !(letters && self.folded.get(j + len).is_some_and(|c| is_word_letter(*c)))
                    && best_other.is_none_or(|(l, _)| len > l)
                {
                    best_other = Some((len, *voice));
                }
            }
        }
        if let Some((len, voice)) = best_other {
            return Tok {
                start: i,
                end: j + len,
                kind: TokKind::Count { voice },
            };
        }
        if self.at(e).is_some_and(is_word_letter) {
            return code(alnum_run(self, e), "part of a name or code");
        }
        Tok {
            start: i,
            end: e,
            kind: TokKind::Unitless {
                text: raw,
                value: Some(value),
            },
        }
    }

    /// A data unit at `j`; French `Go`/`Mo`/`Ko` only with a capital first letter (`go` is
    /// English), `To` only in French.
    fn data_unit(&self, j: usize) -> Option<UnitMatch> {
        let m = match_data_unit(self.folded, j, self.cjk)?;
        let first = self.at(j).unwrap_or(' ');
        let w: String = self.folded.get(j..j + m.len)?.iter().collect();
        let french = matches!(w.as_str(), "go" | "mo" | "ko" | "to");
        if french && (!first.is_uppercase() || (w == "to" && self.lang != Some("fr"))) {
            return None;
        }
        Some(m)
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
}

/// Drops trailing fraction zeros introduced by a multiplier (`1.5jt` → `1500000`).
pub(super) fn trim(mut d: Decimal) -> Decimal {
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
                    code: Some(code),
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
        country: ctx.country.clone(),
        currency: ctx.currency.clone(),
        style: ctx.style,
        base: ctx.base,
        cjk: ctx.cjk || chars.iter().any(|c| is_cjk(*c)),
        dates: ctx.dates,
        notes: Vec::new(),
        penalty: 0.0,
        quotes: quote_counts(&chars),
    };
    sub.tokenize()
}
