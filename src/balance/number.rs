//! Text normalisation and numbers as carriers print them.
//!
//! Invariant: normalisation maps each input `char` to exactly one `char`, so positions in the
//! normalised text, the folded (matching) text and the token spans all line up.
//!
//! # Separator rule (documented for `--json` users)
//! A number is digits with single `.` or `,` between digit groups. Then:
//! 1. Both `.` and `,` present: the last one is the decimal mark, the other groups thousands
//!    (`1,234.5`, `1.234,5`).
//! 2. One kind, several times: thousands grouping (`1,234,567`); groups must be 3 digits.
//! 3. One separator once, not followed by exactly 3 digits: decimal mark (`0,99`, `2220,76`,
//!    `36.28`).
//! 4. One separator followed by exactly 3 digits (`1,024`, `633,100`, `3.000`): decimal when the
//!    integer part is `0` or longer than 3 digits; otherwise the language decides —
//!    `,` is a decimal mark in languages that write decimal commas (ru, uk, de, pl, sv, cs, hu, id,
//!    fr, bg, …) and groups thousands elsewhere (ja, zh, en: `3,000円`, `1,024MB`);
//!    `.` groups thousands in languages that group with dots (de, id, …: `Rp 3.000`) and is a
//!    decimal mark elsewhere.

/// Maps full-width forms to ASCII, odd spaces to a space, and a few look-alike signs, one char
/// for one char. Full-width `，` `、` `／` stay as they are: they separate clauses in CJK text.
pub(crate) fn normalize(text: &str) -> Vec<char> {
    let mut out: Vec<char> = text.chars().map(normalize_char).collect();
    // A full-width comma between digits groups thousands (`１，０００`); elsewhere it
    // separates clauses and stays.
    for i in 1..out.len() {
        let digit_around = out.get(i - 1).is_some_and(char::is_ascii_digit)
            && out.get(i + 1).is_some_and(char::is_ascii_digit);
        if out.get(i) == Some(&'\u{FF0C}') && digit_around {
            if let Some(c) = out.get_mut(i) {
                *c = ',';
            }
        }
    }
    out
}

/// Decimal digits of other scripts (Arabic-Indic, Persian, Devanagari, Bengali, Thai,
/// Myanmar, Khmer) as ASCII digits.
fn other_digit(c: char) -> Option<char> {
    let u = u32::from(c);
    let zero = [
        0x0660u32, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1040, 0x17E0, 0x0AE6, 0x0A66,
    ]
    .into_iter()
    .find(|z| (*z..*z + 10).contains(&u))?;
    char::from_digit(u - zero, 10)
}

fn normalize_char(c: char) -> char {
    if let Some(d) = other_digit(c) {
        return d;
    }
    match c {
        // Arabic decimal and thousands separators.
        '\u{066B}' => '.',
        '\u{066C}' => ',',
        '\u{FF0C}' | '\u{FF0F}' => c,
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2007}' | '\u{2009}' | '\u{202F}' | '\t' => ' ',
        '\r' => '\n',
        '\u{FFE5}' => '¥',
        '\u{FFE1}' => '£',
        '\u{2212}' | '\u{2013}' => '-',
        '\u{2018}' | '\u{2019}' => '\'',
        _ => c,
    }
}

/// Vietnamese, Romanian and Turkish letters with diacritics, by the base letter they fold to.
const FOLD_MORE: &[(char, &str)] = &[
    ('a', "ạảấầẩẫậắằẳẵặ"),
    ('e', "ẹẻẽếềểễệ"),
    ('i', "ịỉĩī"),
    ('o', "ọỏốồổỗộớờởỡợơō"),
    ('u', "ụủứừửữựưũū"),
    ('y', "ỳỵỷỹ"),
    ('d', "đ"),
    ('s', "ș"),
    ('t', "ţț"),
    ('g', "ğ"),
];

/// Lower case and Latin diacritics removed (`ł`→`l`, `ö`→`o`, `č`→`c`, `ệ`→`e`), `ё`→`е`; one
/// char for one char. Lexicon terms are matched against this form.
pub(crate) fn fold(c: char) -> char {
    let l = c.to_lowercase().next().unwrap_or(c);
    if !l.is_ascii() && u32::from(l) < 0x2000 {
        if let Some((base, _)) = FOLD_MORE.iter().find(|(_, v)| v.contains(l)) {
            return *base;
        }
    }
    match l {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ā' | 'ă' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' | 'ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ı' => 'i',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ő' | 'ø' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' => 's',
        'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ű' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ё' => 'е',
        other => other,
    }
}

/// Han ideographs, kana and CJK punctuation: scripts written without spaces, where a digit may
/// touch a word (`可用1198.14M`).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// A letter of a script whose words are bounded by spaces and never glued to a number or to
/// a particle: Latin, Greek, Cyrillic, Armenian, Georgian. Letters of Arabic, Hebrew, the
/// Indic scripts, Thai, Ethiopic, Hangul and CJK are not: particles and clitics attach to
/// words there (`رصيدك`, `잔여량은`), so no word boundary is asked of them.
pub(crate) fn is_word_letter(c: char) -> bool {
    let u = u32::from(c);
    c.is_alphabetic()
        && (u < 0x0590 || (0x10A0..=0x10FF).contains(&u) || (0x1E00..=0x1FFF).contains(&u))
}

/// An exact decimal: `mantissa / 10^scale`. Money is never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub mantissa: u128,
    pub scale: u32,
}

/// More digits than this are not a quantity (and keep `u128` arithmetic far from overflow).
const MAX_DIGITS: usize = 24;

impl Decimal {
    /// From the integer and fraction digit strings (ASCII digits only).
    pub fn from_digits(int: &str, frac: &str) -> Option<Decimal> {
        if int.len() + frac.len() > MAX_DIGITS || int.is_empty() {
            return None;
        }
        let mut m: u128 = 0;
        for c in int.chars().chain(frac.chars()) {
            m = m
                .checked_mul(10)?
                .checked_add(u128::from(c.to_digit(10)?))?;
        }
        Some(Decimal {
            mantissa: m,
            scale: u32::try_from(frac.len()).ok()?,
        })
    }

    /// `self × k`, exact.
    pub fn mul_int(self, k: u128) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(k)?,
            scale: self.scale,
        })
    }

    /// `round(self × k)` (half up).
    pub fn round_mul(&self, k: u128) -> Option<u128> {
        let num = self.mantissa.checked_mul(k)?;
        let den = 10u128.checked_pow(self.scale)?;
        Some(num.checked_add(den / 2)? / den)
    }

    /// Value with the decimal point written out as the number was written (`"2220.76"`,
    /// `"633.100"`, `"3000"`).
    pub fn plain(&self) -> String {
        let digits = self.mantissa.to_string();
        let scale = usize::try_from(self.scale).unwrap_or(0);
        if scale == 0 {
            return digits;
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let split = padded.len() - scale;
        format!(
            "{}.{}",
            padded.get(..split).unwrap_or("0"),
            padded.get(split..).unwrap_or("")
        )
    }

    /// True when the value is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }
}

/// How a language writes a lone separator followed by three digits (rule 4 above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SepStyle {
    /// `1,234` is one point two three four.
    pub comma_decimal: bool,
    /// `1.234` is one thousand two hundred thirty-four.
    pub dot_grouping: bool,
}

/// The separator conventions of a language (primary subtag or `zh-Hans`-style tag).
pub(crate) fn sep_style(lang: Option<&str>) -> SepStyle {
    let l = lang.unwrap_or("");
    let comma_decimal = matches!(
        l,
        "ru" | "uk"
            | "de"
            | "pl"
            | "sv"
            | "cs"
            | "hu"
            | "id"
            | "fr"
            | "bg"
            | "es"
            | "it"
            | "pt"
            | "nl"
            | "da"
            | "nb"
            | "no"
            | "fi"
            | "tr"
            | "ro"
            | "hr"
            | "sk"
            | "sl"
    );
    let dot_grouping = matches!(
        l,
        "de" | "id" | "es" | "it" | "pt" | "nl" | "da" | "tr" | "ro" | "hr" | "sl"
    );
    SepStyle {
        comma_decimal,
        dot_grouping,
    }
}

/// The raw number starting at `i` (an ASCII digit): digits with single `.`/`,` between digits.
/// Returns the end index and the raw text.
pub(crate) fn scan_number(chars: &[char], i: usize) -> (usize, String) {
    let mut j = i;
    let mut raw = String::new();
    while let Some(&c) = chars.get(j) {
        let next_digit = chars.get(j + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit() || ((c == '.' || c == ',') && next_digit && j > i) {
            raw.push(c);
            j += 1;
            if raw.len() > 64 {
                break;
            }
        } else {
            break;
        }
    }
    // `Rs.0.125,20-12-2028`: the last group starts a date; the amount ends before it.
    let date_follows = matches!(chars.get(j), Some('-' | '/'))
        && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit());
    if date_follows {
        if let Some(p) = raw.rfind([',', '.']) {
            let tail = raw.len() - p - 1;
            if tail <= 2 && raw[..p].contains(['.', ',']) {
                j -= tail + 1;
                raw.truncate(p);
            }
        }
    }
    (j, raw)
}

/// The value of a raw number under the separator rule. `None` for malformed grouping
/// (`1.2.3`, `12,34,567`) or too many digits.
pub(crate) fn resolve(raw: &str, style: SepStyle) -> Option<Decimal> {
    let dots = raw.matches('.').count();
    let commas = raw.matches(',').count();
    let groups_ok = |int: &str, sep: char| -> bool {
        let mut parts = int.split(sep);
        let first_ok = parts.next().is_some_and(|p| (1..=3).contains(&p.len()));
        first_ok && parts.all(|p| p.len() == 3)
    };
    let split_last = |sep: char| -> (String, String) {
        match raw.rfind(sep) {
            Some(p) => (
                raw.get(..p).unwrap_or("").to_string(),
                raw.get(p + 1..).unwrap_or("").to_string(),
            ),
            None => (raw.to_string(), String::new()),
        }
    };
    match (dots, commas) {
        (0, 0) => Decimal::from_digits(raw, ""),
        (d, c) if d > 0 && c > 0 => {
            let dec = if raw.rfind('.') > raw.rfind(',') {
                '.'
            } else {
                ','
            };
            let grp = if dec == '.' { ',' } else { '.' };
            if raw.matches(dec).count() != 1 {
                return None;
            }
            let (int, frac) = split_last(dec);
            if !groups_ok(&int, grp) {
                return None;
            }
            Decimal::from_digits(&int.replace(grp, ""), &frac)
        }
        (d, c) => {
            let sep = if d > 0 { '.' } else { ',' };
            if d + c > 1 {
                if !groups_ok(raw, sep) {
                    return None;
                }
                return Decimal::from_digits(&raw.replace(sep, ""), "");
            }
            let (int, frac) = split_last(sep);
            let decimal = if frac.len() != 3 || int == "0" || int.len() > 3 {
                true
            } else if sep == ',' {
                style.comma_decimal
            } else {
                !style.dot_grouping
            };
            if decimal {
                Decimal::from_digits(&int, &frac)
            } else {
                Decimal::from_digits(&format!("{int}{frac}"), "")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(raw: &str, lang: &str) -> String {
        resolve(raw, sep_style(Some(lang)))
            .map(|d| d.plain())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn separator_rule_table() {
        let rows = [
            ("1,234.5", "en", "1234.5"),
            ("1.234,5", "de", "1234.5"),
            ("0,99", "sv", "0.99"),
            ("3,000", "ja", "3000"),
            ("1,024", "zh-Hant", "1024"),
            ("633,100", "ru", "633.100"),
            ("2220,76", "ru", "2220.76"),
            ("3.000", "id", "3000"),
            ("3.000", "en", "3.000"),
            ("1198.14", "zh-Hans", "1198.14"),
            ("1,234,567", "en", "1234567"),
            ("60,441", "zh-Hant", "60441"),
            ("0,500", "en", "0.500"),
            ("1234,567", "en", "1234.567"),
            ("1.2.3", "en", "none"),
            ("12,34,567", "en", "none"),
            ("1,234,56", "en", "none"),
        ];
        for (raw, lang, want) in rows {
            assert_eq!(val(raw, lang), want, "{raw} in {lang}");
        }
    }

    #[test]
    fn normalize_full_width() {
        let s: String = normalize("１．５ＧＢ\u{3000}ＭＢ，￥")
            .into_iter()
            .collect();
        assert_eq!(s, "1.5GB MB，¥");
    }

    #[test]
    fn fold_keeps_length() {
        for s in ["Pozostało Ci", "Feltöltött", "Kč", "ёлка", "İstanbul"] {
            let f: Vec<char> = s.chars().map(fold).collect();
            assert_eq!(f.len(), s.chars().count());
        }
        let f: String = "Pozostało Kč".chars().map(fold).collect();
        assert_eq!(f, "pozostalo kc");
    }

    #[test]
    fn decimal_rounding() {
        let d = Decimal::from_digits("0", "99").unwrap();
        assert_eq!(d.round_mul(1024 * 1024 * 1024), Some(1_063_004_406));
        assert_eq!(Decimal::from_digits("0", "05").unwrap().plain(), "0.05");
        assert!(Decimal::from_digits(&"9".repeat(30), "").is_none());
    }
}
