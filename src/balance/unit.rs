//! Data-size and speed units, and how a byte count is shown to people.
//!
//! Invariant: a size is turned into bytes exactly (`value × base^k`, rounded half up once);
//! `base` is what the carrier means by K/M/G (its profile says 1000 or 1024; default 1024).
//! Explicit binary units (`GiB`) are always 1024. A Japanese パケット is 128 bytes (the unit
//! docomo-era flat rates counted in).

use super::number::{is_word_letter, Decimal};

/// A data-size unit, ordered by size (used for compound values such as `1GB500MB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DataUnit {
    Byte,
    /// Japanese packet: 128 bytes.
    Packet,
    Kilo,
    Mega,
    Giga,
    Tera,
    Peta,
}

impl DataUnit {
    fn power(self) -> u32 {
        match self {
            DataUnit::Byte | DataUnit::Packet => 0,
            DataUnit::Kilo => 1,
            DataUnit::Mega => 2,
            DataUnit::Giga => 3,
            DataUnit::Tera => 4,
            DataUnit::Peta => 5,
        }
    }

    /// Bytes in one unit.
    pub fn bytes(self, base: u64) -> u128 {
        if self == DataUnit::Packet {
            return 128;
        }
        u128::from(base).pow(self.power())
    }
}

/// A unit found after a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnitMatch {
    pub unit: DataUnit,
    /// Chars consumed.
    pub len: usize,
    /// Written as a binary unit (`MiB`): base 1024 whatever the carrier profile says.
    pub binary: bool,
}

/// (folded spelling, unit, binary, only after a number in CJK text)
const DATA_UNITS: &[(&str, DataUnit, bool, bool)] = &[
    ("ギガバイト", DataUnit::Giga, false, false),
    ("メガバイト", DataUnit::Mega, false, false),
    ("キロバイト", DataUnit::Kilo, false, false),
    ("テラバイト", DataUnit::Tera, false, false),
    ("パケット", DataUnit::Packet, false, false),
    ("バイト", DataUnit::Byte, false, false),
    ("ギガ", DataUnit::Giga, false, false),
    ("メガ", DataUnit::Mega, false, false),
    ("キロ", DataUnit::Kilo, false, false),
    ("テラ", DataUnit::Tera, false, false),
    ("字节", DataUnit::Byte, false, false),
    ("位元組", DataUnit::Byte, false, false),
    // 兆 is colloquial Chinese for a megabyte ("1兆流量").
    ("兆", DataUnit::Mega, false, false),
    ("gigabytes", DataUnit::Giga, false, false),
    ("gigabyte", DataUnit::Giga, false, false),
    ("megabytes", DataUnit::Mega, false, false),
    ("megabyte", DataUnit::Mega, false, false),
    ("kilobytes", DataUnit::Kilo, false, false),
    ("kilobyte", DataUnit::Kilo, false, false),
    ("terabytes", DataUnit::Tera, false, false),
    ("terabyte", DataUnit::Tera, false, false),
    ("gigas", DataUnit::Giga, false, false),
    ("giga", DataUnit::Giga, false, false),
    ("megas", DataUnit::Mega, false, false),
    ("mega", DataUnit::Mega, false, false),
    ("gbytes", DataUnit::Giga, false, false),
    ("mbytes", DataUnit::Mega, false, false),
    ("kbytes", DataUnit::Kilo, false, false),
    ("gbs", DataUnit::Giga, false, false),
    ("mbs", DataUnit::Mega, false, false),
    ("kbs", DataUnit::Kilo, false, false),
    ("tbs", DataUnit::Tera, false, false),
    // French: Go, Mo, Ko, To (the capital is checked by the caller).
    ("go", DataUnit::Giga, false, false),
    ("mo", DataUnit::Mega, false, false),
    ("ko", DataUnit::Kilo, false, false),
    ("to", DataUnit::Tera, false, false),
    ("гигабайт", DataUnit::Giga, false, false),
    ("мегабайт", DataUnit::Mega, false, false),
    ("килобайт", DataUnit::Kilo, false, false),
    ("гбайт", DataUnit::Giga, false, false),
    ("мбайт", DataUnit::Mega, false, false),
    ("кбайт", DataUnit::Kilo, false, false),
    ("기가바이트", DataUnit::Giga, false, false),
    ("메가바이트", DataUnit::Mega, false, false),
    ("킬로바이트", DataUnit::Kilo, false, false),
    ("기가", DataUnit::Giga, false, false),
    ("메가", DataUnit::Mega, false, false),
    ("吉字节", DataUnit::Giga, false, false),
    ("兆字节", DataUnit::Mega, false, false),
    ("千字节", DataUnit::Kilo, false, false),
    ("吉", DataUnit::Giga, false, false),
    ("جيجابايت", DataUnit::Giga, false, false),
    ("جيجا", DataUnit::Giga, false, false),
    ("غيغابايت", DataUnit::Giga, false, false),
    ("غيغا", DataUnit::Giga, false, false),
    ("ميجابايت", DataUnit::Mega, false, false),
    ("ميجا", DataUnit::Mega, false, false),
    ("ميغابايت", DataUnit::Mega, false, false),
    ("ميغا", DataUnit::Mega, false, false),
    ("ميقا", DataUnit::Mega, false, false),
    ("كيلوبايت", DataUnit::Kilo, false, false),
    ("گیگابایت", DataUnit::Giga, false, false),
    ("گیگ", DataUnit::Giga, false, false),
    ("مگابایت", DataUnit::Mega, false, false),
    ("مگ", DataUnit::Mega, false, false),
    ("کیلوبایت", DataUnit::Kilo, false, false),
    ("กิกะไบต์", DataUnit::Giga, false, false),
    ("เมกะไบต์", DataUnit::Mega, false, false),
    ("जीबी", DataUnit::Giga, false, false),
    ("एमबी", DataUnit::Mega, false, false),
    ("केबी", DataUnit::Kilo, false, false),
    ("জিবি", DataUnit::Giga, false, false),
    ("এমবি", DataUnit::Mega, false, false),
    ("কেবি", DataUnit::Kilo, false, false),
    ("ג'יגה", DataUnit::Giga, false, false),
    ("מגה", DataUnit::Mega, false, false),
    ("γβ", DataUnit::Giga, false, false),
    ("μβ", DataUnit::Mega, false, false),
    ("bytes", DataUnit::Byte, false, false),
    ("byte", DataUnit::Byte, false, false),
    ("pib", DataUnit::Peta, true, false),
    ("tib", DataUnit::Tera, true, false),
    ("gib", DataUnit::Giga, true, false),
    ("mib", DataUnit::Mega, true, false),
    ("kib", DataUnit::Kilo, true, false),
    ("pb", DataUnit::Peta, false, false),
    ("tb", DataUnit::Tera, false, false),
    ("gb", DataUnit::Giga, false, false),
    ("mb", DataUnit::Mega, false, false),
    ("kb", DataUnit::Kilo, false, false),
    ("гб", DataUnit::Giga, false, false),
    ("мб", DataUnit::Mega, false, false),
    ("кб", DataUnit::Kilo, false, false),
    ("b", DataUnit::Byte, false, false),
    // Chinese replies drop the B: 1.85M, 1198.14M, 10G流量.
    ("t", DataUnit::Tera, false, true),
    ("g", DataUnit::Giga, false, true),
    ("m", DataUnit::Mega, false, true),
    ("k", DataUnit::Kilo, false, true),
];

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

/// A data unit at `i` in the folded text. A Latin unit must end at a word boundary (so `Kc`,
/// `kr`, `kbps` are not sizes); bare K/M/G/T only count in CJK text.
pub(crate) fn match_data_unit(folded: &[char], i: usize, cjk: bool) -> Option<UnitMatch> {
    for (pat, unit, binary, cjk_only) in DATA_UNITS {
        if *cjk_only && !cjk {
            continue;
        }
        if let Some(len) = matches_at(folded, i, pat) {
            let latin = pat
                .chars()
                .all(|c| c.is_ascii_alphabetic() || is_word_letter(c));
            let next = folded.get(i + len).copied();
            if latin && next.is_some_and(is_word_letter) {
                continue;
            }
            return Some(UnitMatch {
                unit: *unit,
                len,
                binary: *binary,
            });
        }
    }
    None
}

/// A speed unit at `i` in the folded text: (kbps per unit as numerator, denominator, length).
pub(crate) fn match_speed_unit(folded: &[char], i: usize) -> Option<(u128, u128, usize)> {
    const SPEEDS: &[(&str, u128, u128)] = &[
        ("kbit/s", 1, 1),
        ("mbit/s", 1000, 1),
        ("gbit/s", 1_000_000, 1),
        ("kbps", 1, 1),
        ("mbps", 1000, 1),
        ("gbps", 1_000_000, 1),
        ("kb/s", 1, 1),
        ("mb/s", 1000, 1),
        ("bps", 1, 1000),
        ("k/s", 1, 1),
        ("m/s", 1000, 1),
    ];
    for (pat, num, den) in SPEEDS {
        if let Some(len) = matches_at(folded, i, pat) {
            if folded.get(i + len).is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            return Some((*num, *den, len));
        }
    }
    None
}

/// Bytes for `value unit` under `base`; `None` when it does not fit in `u64`.
pub(crate) fn to_bytes(value: Decimal, m: UnitMatch, base: u64) -> Option<u64> {
    let base = if m.binary { 1024 } else { base };
    u64::try_from(value.round_mul(m.unit.bytes(base))?).ok()
}

/// A byte count for people: the largest unit in which the value is more than one half
/// (so `0.65 GB` but `512 MB`), at most two decimals, trailing zeros dropped. `base` is 1000 or
/// 1024 (anything else is taken as 1024); unit names stay `KB`/`MB`/`GB`/`TB` either way,
/// because that is what the carrier prints.
pub fn format_bytes(n: u64, base: u64) -> String {
    const NAMES: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let base = if base == 1000 { 1000u128 } else { 1024u128 };
    let n128 = u128::from(n);
    let mut k = 0usize;
    while k + 1 < NAMES.len() && n128 * 2 > base.pow(u32::try_from(k + 1).unwrap_or(1)) {
        k += 1;
    }
    if k == 0 {
        return format!("{n} B");
    }
    let unit = base.pow(u32::try_from(k).unwrap_or(1));
    let hundredths = (n128 * 100 + unit / 2) / unit;
    let (int, frac) = (hundredths / 100, hundredths % 100);
    let name = NAMES.get(k).unwrap_or(&"B");
    if frac == 0 {
        format!("{int} {name}")
    } else if frac % 10 == 0 {
        format!("{int}.{} {name}", frac / 10)
    } else {
        format!("{int}.{frac:02} {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_table() {
        let gib = 1u64 << 30;
        let rows = [
            (697_932_185u64, 1024u64, "0.65 GB"),
            (512 << 20, 1024, "512 MB"),
            (0, 1024, "0 B"),
            (500, 1024, "500 B"),
            (1536, 1024, "1.5 KB"),
            (gib, 1024, "1 GB"),
            (5_280_000_000, 1000, "5.28 GB"),
            (u64::MAX, 1024, "16384 PB"),
        ];
        for (n, base, want) in rows {
            assert_eq!(format_bytes(n, base), want, "{n} base {base}");
        }
        assert_eq!(format_bytes(gib + gib / 4, 1024), "1.25 GB");
    }

    #[test]
    fn unit_boundaries() {
        let f = |s: &str| -> Vec<char> { s.chars().collect() };
        assert!(match_data_unit(&f("kc "), 0, false).is_none());
        assert!(match_data_unit(&f("kbps"), 0, false).is_none());
        assert!(match_data_unit(&f("m，"), 0, false).is_none());
        assert_eq!(
            match_data_unit(&f("m，"), 0, true).map(|m| m.unit),
            Some(DataUnit::Mega)
        );
        assert_eq!(
            match_data_unit(&f("gb)"), 0, false).map(|m| m.unit),
            Some(DataUnit::Giga)
        );
        assert_eq!(match_speed_unit(&f("kbps通信"), 0).map(|s| s.2), Some(4));
    }
}
