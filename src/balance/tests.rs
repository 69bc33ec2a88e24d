//! Tests of the whole parser: the corpus table, the headline examples, one test per
//! "must understand" item of the brief, and properties (round trips, no panics).

use super::samples::{Sample, SAMPLES, TODAY};
use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::new(y, m, day).expect("test date")
}

fn opts() -> ParseOptions {
    ParseOptions::new(d(TODAY.0, TODAY.1, TODAY.2))
}

fn read(text: &str) -> Reading {
    parse(text, &opts())
}

fn read_with(text: &str, f: impl FnOnce(&mut ParseOptions)) -> Reading {
    let mut o = opts();
    f(&mut o);
    parse(text, &o)
}

const GI: u64 = 1 << 30;
const MI: u64 = 1 << 20;

/// Differences between a reading and a sample's expectation, one line each.
fn diff(s: &Sample, r: &Reading) -> Vec<String> {
    let e = &s.expect;
    let mut out = Vec::new();
    let mut check = |what: &str, want: String, got: String| {
        if want != got {
            out.push(format!("{what}: expected {want}, got {got}"));
        }
    };
    check(
        "understood",
        e.understood.to_string(),
        r.understood.to_string(),
    );
    if let Some(l) = e.language {
        check(
            "language",
            format!("{:?}", Some(l)),
            format!("{:?}", r.language.as_deref()),
        );
    }
    check(
        "remaining",
        format!("{:?}", e.remaining),
        format!("{:?}", r.remaining_bytes),
    );
    check(
        "used",
        format!("{:?}", e.used),
        format!("{:?}", r.used_bytes),
    );
    check(
        "total",
        format!("{:?}", e.total),
        format!("{:?}", r.total_bytes),
    );
    let want_money: Vec<String> = e
        .money
        .iter()
        .map(|(l, a, c, x)| format!("{l} {a} {c} {x}"))
        .collect();
    let got_money: Vec<String> = r
        .money
        .iter()
        .map(|m| {
            let x = m.expires.map(|x| x.to_string()).unwrap_or_default();
            format!("{} {} {} {x}", m.label, m.amount, m.currency)
        })
        .collect();
    check("money", format!("{want_money:?}"), format!("{got_money:?}"));
    check(
        "expiry",
        format!("{:?}", e.expiry),
        format!("{:?}", r.expiry.map(|x| x.to_string())),
    );
    check(
        "reset",
        format!("{:?}", e.reset),
        format!("{:?}", r.reset.map(|x| x.to_string())),
    );
    if !e.buckets.is_empty() {
        let want: Vec<String> = e
            .buckets
            .iter()
            .map(|(l, rem, u, t)| format!("{l} {rem:?} {u:?} {t:?}"))
            .collect();
        let got: Vec<String> = r
            .buckets
            .iter()
            .map(|b| {
                format!(
                    "{} {:?} {:?} {:?}",
                    b.label, b.remaining_bytes, b.used_bytes, b.total_bytes
                )
            })
            .collect();
        check("buckets", format!("{want:?}"), format!("{got:?}"));
    }
    for n in e.notes {
        if !r.notes.iter().any(|x| x.contains(n)) {
            out.push(format!(
                "note containing {n:?} missing; notes: {:?}",
                r.notes
            ));
        }
    }
    // Money in minor units agrees with the decimal string.
    for m in &r.money {
        let digits: String = m.amount.chars().filter(|c| c.is_ascii_digit()).collect();
        let frac = m.amount.split('.').nth(1).map_or(0, str::len);
        let exp = if m.currency == "JPY" || m.currency == "KRW" {
            0
        } else {
            2
        };
        if frac <= exp {
            let want = digits.parse::<i64>().unwrap_or(-1) * 10i64.pow((exp - frac) as u32);
            let want = if m.amount.starts_with('-') {
                -want
            } else {
                want
            };
            if want != m.minor_units {
                out.push(format!(
                    "minor units of {} {}: {}",
                    m.amount, m.currency, m.minor_units
                ));
            }
        }
    }
    out
}

#[test]
fn corpus_table() {
    let mut failures = Vec::new();
    for s in SAMPLES {
        let r = match s.hint {
            Some(h) => read_with(s.text, |o| o.language = Some(h.to_string())),
            None => read(s.text),
        };
        let d = diff(s, &r);
        if !d.is_empty() {
            failures.push(format!(
                "--- {}\n    text: {:?}\n    {}\n    notes: {:?}",
                s.item,
                s.text,
                d.join("\n    "),
                r.notes
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus samples differ:\n{}",
        failures.len(),
        SAMPLES.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_table_covers_each_section() {
    for section in ["A1 ", "A3 ", "B2 ", "B4 ", "C1 ", "C2 ", "C3 "] {
        assert!(
            SAMPLES.iter().any(|s| s.item.starts_with(section)),
            "no sample from {section}"
        );
    }
}

// ------------------------------------------------------------------------------------ headline

#[test]
fn headline_japanese_used_and_remaining_with_expiry() {
    let r = read("ご利用データ量：2.35GB／残りデータ量：0.65GB（2026年12月31日まで）");
    assert!(r.understood);
    assert_eq!(r.language.as_deref(), Some("ja"));
    assert_eq!(r.used_bytes, Some(2_523_293_286));
    assert_eq!(r.remaining_bytes, Some(697_932_186));
    assert_eq!(r.expiry, Some(d(2026, 12, 31)));
    let b = r.bucket("data").expect("data bucket");
    assert_eq!(b.expires, Some(d(2026, 12, 31)));
    assert_eq!(
        format_bytes(r.remaining_bytes.unwrap_or(0), 1024),
        "0.65 GB"
    );
}

#[test]
fn headline_chinese_used_and_remaining() {
    let r = read("您好，您本月套餐内流量已使用1.2GB，剩余3.8GB。");
    assert!(r.understood);
    assert_eq!(r.language.as_deref(), Some("zh-Hans"));
    assert_eq!(r.used_bytes, Some(1_288_490_189));
    assert_eq!(r.remaining_bytes, Some(4_080_218_931));
    assert_eq!(r.buckets.len(), 1);
}

#[test]
fn headline_russian_balance() {
    let r = read("Баланс:2220,76р");
    assert_eq!(r.money.len(), 1);
    let m = &r.money[0];
    assert_eq!(
        (
            m.label.as_str(),
            m.amount.as_str(),
            m.minor_units,
            m.currency.as_str()
        ),
        ("balance", "2220.76", 222_076, "RUB")
    );
    assert!(r.buckets.is_empty());
}

#[test]
fn headline_swedish_marker_after_value() {
    let r = read("Du har 0,00 kr och 0,99 GB surf kvar");
    assert_eq!(r.language.as_deref(), Some("sv"));
    assert_eq!(r.remaining_bytes, Some(1_063_004_406));
    assert_eq!(r.money_labelled("balance").map(|m| m.minor_units), Some(0));
    assert_eq!(
        r.money_labelled("balance").map(|m| m.currency.as_str()),
        Some("SEK")
    );
}

#[test]
fn headline_japanese_synthetic() {
    let r = read("ご利用可能なデータ残量は1.25GBです。");
    assert!(r.understood);
    assert_eq!(r.remaining_bytes, Some(1_342_177_280));
    assert_eq!(r.used_bytes, None);
}

// ------------------------------------------------------------------------------------ numbers

#[test]
fn full_width_digits_units_and_ideographic_space() {
    let r = read("データ残量\u{3000}１．５ＧＢ");
    assert_eq!(r.remaining_bytes, Some(1_610_612_736));
    let r = read("残り５１２ＭＢ");
    assert_eq!(r.remaining_bytes, Some(512 * MI));
}

#[test]
fn thousands_and_decimal_separators() {
    assert_eq!(
        read("remaining 1,234.5MB").remaining_bytes,
        Some(1_294_467_072)
    );
    assert_eq!(read("剩余1,024MB").remaining_bytes, Some(GI));
    let r = read("残高 3,000円");
    assert_eq!(r.money[0].minor_units, 3000);
    let r = read("Balance:633,100r");
    assert_eq!(
        (r.money[0].amount.as_str(), r.money[0].minor_units),
        ("633.100", 63_310)
    );
    // German: a lone dot before three digits groups thousands.
    assert_eq!(read("Restvolumen 1.024 MB").remaining_bytes, Some(GI));
}

// ------------------------------------------------------------------------------------ units

#[test]
fn unit_spellings() {
    let rows: &[(&str, u64)] = &[
        ("remaining 2Gb", 2 * GI),
        ("remaining 300 mb", 300 * MI),
        ("remaining 512kb", 512 * 1024),
        ("remaining 1 TB", 1 << 40),
        ("remaining 100 B", 100),
        ("remaining 2 GiB", 2 * GI),
        ("可用1.85M", 1_939_866),
        ("剩余10G流量", 10 * GI),
        ("剩余512K", 512 * 1024),
        ("残り3ギガ", 3 * GI),
        ("残り500メガ", 500 * MI),
        ("残り100キロ", 100 * 1024),
        ("残り1GB500MB", GI + 500 * MI),
        (
            "u have 3Gb 817Mb 169kb left",
            3 * GI + 817 * MI + 169 * 1024,
        ),
        ("残り1000パケット", 128_000),
        ("残り5280MB(5.28GB)", 5280 * MI),
        ("剩餘 1GB (1,024MB)", GI),
    ];
    for (text, want) in rows {
        let r = read(text);
        assert_eq!(
            r.remaining_bytes,
            Some(*want),
            "{text}: notes {:?}",
            r.notes
        );
        assert!(!r.notes.iter().any(|n| n.contains("conflict")), "{text}");
    }
}

#[test]
fn units_base_from_the_profile() {
    let r = read_with("remaining 1.5GB", |o| o.units_base = 1000);
    assert_eq!(r.remaining_bytes, Some(1_500_000_000));
    let r = read_with("remaining 1.5GiB", |o| o.units_base = 1000);
    assert_eq!(r.remaining_bytes, Some(1_610_612_736));
}

#[test]
fn speeds_are_not_sizes() {
    let r = read("速度制限中（128kbps）");
    assert_eq!(
        r.throttled,
        Some(Throttle {
            speed_kbps: Some(128)
        })
    );
    assert!(r.buckets.is_empty());
    let r = read("通信制限中 最大1Mbps");
    assert_eq!(r.throttled.and_then(|t| t.speed_kbps), Some(1000));
    let r = read("規制状態: 規制なし");
    assert_eq!(r.throttled, None);
    let r = read("規制中");
    assert_eq!(r.throttled, Some(Throttle { speed_kbps: None }));
}

#[test]
fn unlimited() {
    for text in [
        "データ通信 無制限",
        "国内流量不限量",
        "Unlimited data",
        "Безлимитный интернет",
    ] {
        let r = read(text);
        assert!(r.unlimited, "{text}");
        assert!(r.understood, "{text}");
    }
}

// ------------------------------------------------------------------------------------ dates

#[test]
fn date_forms() {
    let rows: &[(&str, Option<&str>, Date)] = &[
        ("有効期限 2026年12月31日", None, d(2026, 12, 31)),
        ("12月31日まで", None, d(2026, 12, 31)),
        ("valid until 2026-12-31 23:59:59", None, d(2026, 12, 31)),
        ("gültig bis 31.12.2026", None, d(2026, 12, 31)),
        (
            "Nomer diysnyi do 28.12.2025 00:00:00.",
            None,
            d(2025, 12, 28),
        ),
        ("Platnost kreditu: 30. 1. 2024 18:18", None, d(2024, 1, 30)),
        ("Aktif sd 26/02/2020", None, d(2020, 2, 26)),
        ("valid until 21/05/2016", None, d(2016, 5, 21)),
        ("active until 08/10/2022, balance $5", None, d(2022, 8, 10)),
        ("valid until 08/10/2022", Some("en-US"), d(2022, 8, 10)),
        ("valid until 08/10/2022", None, d(2022, 10, 8)),
        ("valid until 12/31", None, d(2026, 12, 31)),
        ("до 2018-09-04", None, d(2018, 9, 4)),
        ("Exp 25 May 2021", None, d(2021, 5, 25)),
        ("will expire on 04-NOV-2018", None, d(2018, 11, 4)),
        (
            "Konto wazne do dnia 01-01-2022 01:02:03",
            None,
            d(2022, 1, 1),
        ),
        ("有效期至2018年08月27日", None, d(2018, 8, 27)),
        ("expires May 25, 2021", None, d(2021, 5, 25)),
    ];
    for (text, hint, want) in rows {
        let r = read_with(text, |o| o.language = hint.map(str::to_string));
        assert_eq!(r.expiry, Some(*want), "{text}: notes {:?}", r.notes);
    }
}

#[test]
fn reset_date() {
    let r = read("下一个月结日为2018年08月27日");
    assert_eq!(r.reset, Some(d(2018, 8, 27)));
    assert_eq!(r.expiry, None);
}

#[test]
fn yearless_dates_take_the_next_occurrence_or_a_recent_past() {
    // today 2026-03-01: 2月27日 is 2 days ago (within the 7-day window) → this year.
    assert_eq!(read("2月27日まで").expiry, Some(d(2026, 2, 27)));
    // 2月1日 is a month ago → next year.
    assert_eq!(read("2月1日まで").expiry, Some(d(2027, 2, 1)));
    // Around new year: on 2027-01-03, "12月31日まで" is three days ago.
    let r = parse("12月31日まで", &ParseOptions::new(d(2027, 1, 3)));
    assert_eq!(r.expiry, Some(d(2026, 12, 31)));
}

#[test]
fn as_of_time_stamps_are_not_expiry() {
    let r = read("截至3月26日 8时32分，您本月国内流量已使用0KB");
    assert_eq!(r.expiry, None);
    assert_eq!(r.used_bytes, Some(0));
}

// ------------------------------------------------------------------------------------ lexicons

#[test]
fn lexicon_per_language() {
    type Row = (
        &'static str,
        &'static str,
        Option<u64>,
        Option<u64>,
        Option<u64>,
    );
    let rows: &[Row] = &[
        ("1GB残っています", "ja", Some(GI), None, None),
        (
            "残容量 2GB 総容量 5GB",
            "ja",
            Some(2 * GI),
            None,
            Some(5 * GI),
        ),
        (
            "剩余流量2GB，已用3GB，总量5GB",
            "zh-Hans",
            Some(2 * GI),
            Some(3 * GI),
            Some(5 * GI),
        ),
        (
            "剩餘數據量2GB，已使用3GB",
            "zh-Hant",
            Some(2 * GI),
            Some(3 * GI),
            None,
        ),
        (
            "You have 2 GB remaining of 5 GB total",
            "en",
            Some(2 * GI),
            None,
            Some(5 * GI),
        ),
        (
            "Остаток интернета 2 ГБ, использовано 3 ГБ",
            "ru",
            Some(2 * GI),
            Some(3 * GI),
            None,
        ),
        (
            "Verbleibendes Datenvolumen: 2 GB",
            "de",
            Some(2 * GI),
            None,
            None,
        ),
        ("Pozostało 2 GB internetu", "pl", Some(2 * GI), None, None),
        ("Du har 2 GB kvar", "sv", Some(2 * GI), None, None),
        ("Sisa kuota 2 GB", "id", Some(2 * GI), None, None),
    ];
    for (text, lang, rem, used, total) in rows {
        let r = read(text);
        assert_eq!(r.language.as_deref(), Some(*lang), "{text}");
        assert_eq!(
            (r.remaining_bytes, r.used_bytes, r.total_bytes),
            (*rem, *used, *total),
            "{text}: {:?}",
            r.notes
        );
    }
}

// ------------------------------------------------------------------------------------ money

#[test]
fn currencies() {
    let rows: &[(&str, Option<&str>, &str, &str)] = &[
        ("残高 3,000円", None, "3000", "JPY"),
        ("残高 ¥500", None, "500", "JPY"),
        ("余额￥12.50", None, "12.50", "CNY"),
        ("账户余额141.59元", None, "141.59", "CNY"),
        ("Sisa pulsa Rp30rb", None, "30000", "IDR"),
        ("Sisa pulsa Rp. 5.000", None, "5000", "IDR"),
        ("Баланс 225.24 pуб.", None, "225.24", "RUB"),
        ("Баланс 10 руб", None, "10", "RUB"),
        ("Balans 35.28grn", None, "35.28", "UAH"),
        ("Баланс 12 грн", None, "12", "UAH"),
        ("Guthaben 15,67€", None, "15.67", "EUR"),
        ("Your balance is $5.00", Some("en-US"), "5.00", "USD"),
        ("Your balance is $5.00", Some("en-CA"), "5.00", "CAD"),
        ("Saldo: $5.00", Some("es-CU"), "5.00", "CUP"),
        ("Your balance is £6.45", None, "6.45", "GBP"),
        ("Ihr Guthaben beträgt CHF 24.50", None, "24.50", "CHF"),
        ("Stan konta: 11.00 zł", None, "11.00", "PLN"),
        ("Du har 12 kr", None, "12", "SEK"),
        ("Feltöltött egyenleg: 7777Ft", None, "7777", "HUF"),
        ("kredit je 300 Kč", None, "300", "CZK"),
        ("Available Balance: R 96.45", None, "96.45", "ZAR"),
        ("Your balance is Rs. 995.75", Some("en-NP"), "995.75", "NPR"),
        ("Your balance is Rs. 995.75", Some("en-IN"), "995.75", "INR"),
        ("Баланс 5.00 лв", None, "5.00", "BGN"),
        ("Your balance is $18", Some("en-AU"), "18", "AUD"),
        ("Баланс: -5,20р", None, "-5.20", "RUB"),
    ];
    for (text, hint, amount, cur) in rows {
        let r = read_with(text, |o| o.language = hint.map(str::to_string));
        let m = r.money.first();
        assert_eq!(
            m.map(|m| (m.amount.as_str(), m.currency.as_str())),
            Some((*amount, *cur)),
            "{text}: {:?}",
            r.notes
        );
        assert!(r.buckets.is_empty(), "{text}: money read as data");
    }
    assert_eq!(read("Баланс: -5,20р").money[0].minor_units, -520);
}

#[test]
fn ambiguous_currency_is_never_assumed() {
    // Rs. is INR, PKR, NPR, LKR…: without a country it is a rejected candidate (issue 9).
    let r = read("Your balance is Rs. 995.75");
    assert!(r.money.is_empty(), "{:?}", r.money);
    assert!(!r.understood);
    let c = r
        .candidates
        .iter()
        .find(|c| c.kind == "money")
        .expect("candidate");
    assert!(c.why.contains("'Rs.' may be"), "{}", c.why);
    assert!(
        r.notes.iter().any(|n| n.contains("--country")),
        "{:?}",
        r.notes
    );
    // The carrier's currency or the country decides.
    let r = read_with("Your balance is Rs. 995.75", |o| {
        o.country = Some("PK".into())
    });
    assert_eq!(r.money[0].currency, "PKR");
    let r = read_with("Your balance is $12", |o| o.currency = Some("AUD".into()));
    assert_eq!(r.money[0].currency, "AUD");
    // A sign that is not this country's money is not read (P is PHP or BWP, not NGN).
    let r = read_with("Your balance is P12", |o| o.country = Some("NG".into()));
    assert!(r.money.is_empty());
    let r = read_with("Your balance is P12", |o| o.country = Some("PH".into()));
    assert_eq!(r.money[0].currency, "PHP");
}

#[test]
fn phone_numbers_and_codes_are_not_quantities() {
    let r = read("Ihr Guthaben für die Nr.4915783647410 beträgt 5.78 Euro");
    assert!(r.buckets.is_empty());
    assert_eq!(r.money.len(), 1);
    let r = read("尊敬的13802236421客户，您当月常用流量已用1.85M");
    assert_eq!(r.used_bytes, Some(1_939_866));
    assert!(!r.notes.iter().any(|n| n.contains("13802236421")));
    let r = read("Для справки о балансе наберите *105#.");
    assert!(!r.understood);
    assert!(r.notes.iter().all(|n| !n.contains("105")));
}

#[test]
fn prices_per_unit_are_left_out() {
    let r = read("Du ringer för 2kr/samtal, skickar SMS/MMS för 50öre/st.");
    assert!(r.money.is_empty());
    assert!(!r.understood);
}

// ------------------------------------------------------------------------------------ ambiguity

#[test]
fn conflicting_remaining_quantities() {
    // Same label: a note, neither reported (abstain on conflict), lower confidence.
    let r = read("残り1GB。残り2GB。");
    assert_eq!(r.remaining_bytes, None);
    assert!(
        r.notes.iter().any(|n| n.contains("conflicting remaining")),
        "{:?}",
        r.notes
    );
    let clean = read("残り1GB。");
    assert!(r.confidence < clean.confidence || !r.understood);
    // Different labels: both kept as buckets, no conflict.
    let r = read("国内流量剩余1GB，漫游流量剩余2GB");
    assert_eq!(
        r.bucket("domestic").and_then(|b| b.remaining_bytes),
        Some(GI)
    );
    assert_eq!(
        r.bucket("roaming").and_then(|b| b.remaining_bytes),
        Some(2 * GI)
    );
    assert_eq!(
        r.remaining_bytes,
        Some(GI),
        "roaming is not added to the home summary"
    );
    assert!(!r.notes.iter().any(|n| n.contains("conflict")));
}

#[test]
fn number_without_unit_is_a_note() {
    let r = read("剩余 1234");
    assert!(!r.understood);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("without a unit") && n.contains("1234")),
        "{:?}",
        r.notes
    );
}

#[test]
fn unknown_language_is_not_understood() {
    let r = read("დარჩენილია 1.5GB ინტერნეტი");
    assert!(!r.understood);
    assert_eq!(r.confidence, 0.0);
    assert!(r.buckets.is_empty());
    assert!(
        r.notes.iter().any(|n| n.contains("Georgian")),
        "{:?}",
        r.notes
    );
    // Korean has vocabulary now.
    let r = read("데이터 잔여량 1.5GB");
    assert_eq!(r.language.as_deref(), Some("ko"));
    assert_eq!(r.remaining_bytes, Some(GI + GI / 2));
    let r = read("Xyzzy plugh 5 GB");
    assert!(!r.understood);
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("language not recognised")));
}

#[test]
fn language_hint_is_used_when_the_text_does_not_tell() {
    let r = read_with("5 GB", |o| o.language = Some("en".into()));
    assert_eq!(r.language.as_deref(), Some("en"));
    assert!(!r.understood, "a size with no role word is still not read");
}

// ------------------------------------------------------------------------------------ hints

#[test]
fn carrier_hints_come_first() {
    let r = read_with("DATA:2048MB/5120MB EXP:2026-12-31", |o| {
        o.hints = vec![r"DATA:(?P<remaining>\d+MB)/(?P<total>\d+MB) EXP:(?P<expiry>[\d-]+)".into()];
    });
    assert!(r.understood);
    assert_eq!(r.remaining_bytes, Some(2 * GI));
    assert_eq!(r.total_bytes, Some(5 * GI));
    assert_eq!(r.expiry, Some(d(2026, 12, 31)));
    assert!(r.notes.iter().any(|n| n.contains("carrier hint 1")));
    let r = read_with("BAL 12.50 EUR", |o| {
        o.hints = vec![r"BAL (?P<balance>[\d.]+) (?P<currency>[A-Z]{3})".into()];
    });
    assert_eq!(r.money.first().map(|m| m.minor_units), Some(1250));
}

#[test]
fn bad_hint_is_a_note_and_the_generic_parser_runs() {
    let r = read_with("残り1GB", |o| o.hints = vec!["(".into()]);
    assert_eq!(r.remaining_bytes, Some(GI));
    assert!(r.notes.iter().any(|n| n.contains("not a valid pattern")));
}

// ------------------------------------------------------------------------------------ serde

#[test]
fn json_shape() {
    let r = read("ご利用データ量：2.35GB／残りデータ量：0.65GB（2026年12月31日まで）");
    let v = serde_json::to_value(&r).expect("serialise");
    assert_eq!(v["expiry"], "2026-12-31");
    assert_eq!(v["remaining_bytes"], 697_932_186u64);
    assert_eq!(v["buckets"][0]["label"], "data");
    let back: Reading = serde_json::from_value(v).expect("deserialise");
    assert_eq!(back, r);
    assert!(serde_json::from_str::<Date>("\"2026-02-30\"").is_err());
    let o: ParseOptions = serde_json::from_str(r#"{"today":"2026-01-01"}"#).expect("options");
    assert_eq!(o.units_base, 1024);
}

/// Found by `cargo fuzz run balance`: with `today` in year -4713, a year-less date in the reply
/// became -4712-04-01; the Reading serialised it as `"-4712-04-01"`, which did not deserialise
/// (only four-digit years were read back). Every date `Display` writes must read back.
#[test]
fn regression_dates_outside_four_digit_years_survive_serde() {
    for date in [
        d(-4712, 4, 1),
        d(-5, 1, 1),
        d(0, 2, 29),
        d(10_000, 1, 1),
        d(i32::MAX, 12, 31),
        d(i32::MIN, 1, 1),
    ] {
        let json = serde_json::to_string(&date).expect("serialise");
        let back: Date = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(back, date, "{json}");
    }
    // Still strict about everything else.
    for bad in [
        "\"-4712-13-01\"",
        "\"--1-01-01\"",
        "\"-01-01\"",
        "\"1-1-01\"",
        "\"+5-01-01\"",
    ] {
        assert!(serde_json::from_str::<Date>(bad).is_err(), "{bad}");
    }
}

#[test]
fn date_arithmetic() {
    assert_eq!(d(1970, 1, 1).to_days_since_epoch(), 0);
    assert_eq!(d(2026, 12, 31).to_days_since_epoch(), 20_818);
    assert_eq!(Date::from_days_since_epoch(20_818), d(2026, 12, 31));
    assert_eq!(d(2026, 3, 1).days_until(&d(2026, 12, 31)), 305);
    assert_eq!(d(2024, 2, 28).add_days(1), d(2024, 2, 29));
    assert_eq!(Date::parse_iso("2026-12-31"), Ok(d(2026, 12, 31)));
    assert!(matches!(
        Date::parse_iso("2026-13-01"),
        Err(DateError::NoSuchDay { .. })
    ));
    assert!(matches!(
        Date::parse_iso("31.12.2026"),
        Err(DateError::Format(_))
    ));
    assert!(Date::new(2023, 2, 29).is_none());
    let _ = Date::from_days_since_epoch(i64::MAX);
    let _ = Date::from_days_since_epoch(i64::MIN);
}

// ------------------------------------------------------------------------------------ properties

const UNITS: &[(&str, u32)] = &[
    ("KB", 1),
    ("MB", 2),
    ("GB", 3),
    ("kb", 1),
    ("Mb", 2),
    ("Gb", 3),
];

/// Full-width form of ASCII digits, letters and `.`/`,`.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() {
                char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Groups the integer part with `sep` every three digits.
fn group(int: u64, sep: char) -> String {
    let s = int.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// value unit → bytes, in Japanese, with optional full-width and thousands grouping.
    #[test]
    fn size_round_trip(int in 0u64..5_000_000, cents in 0u64..100, u in 0usize..UNITS.len(),
                       fw in any::<bool>(), grouped in any::<bool>()) {
        let (unit, pow) = UNITS[u];
        let int_s = if grouped { group(int, ',') } else { int.to_string() };
        let num = format!("{int_s}.{cents:02}{unit}");
        let num = if fw { full_width(&num) } else { num };
        let r = read(&format!("残り{num}"));
        let per = 1024u128.pow(pow);
        let want = ((u128::from(int) * 100 + u128::from(cents)) * per + 50) / 100;
        prop_assert_eq!(r.remaining_bytes.map(u128::from), Some(want), "{} {:?}", num, r.notes);
    }

    /// Decimal comma languages: `1.234,56 GB` in German, `1234,56 GB` in Swedish.
    #[test]
    fn decimal_comma_round_trip(int in 1000u64..1_000_000, cents in 0u64..100) {
        let per = 1u128 << 30;
        let want = ((u128::from(int) * 100 + u128::from(cents)) * per + 50) / 100;
        let de = read(&format!("Restvolumen {},{cents:02} GB", group(int, '.')));
        prop_assert_eq!(de.remaining_bytes.map(u128::from), Some(want));
        let sv = read(&format!("Du har {int},{cents:02} GB kvar"));
        prop_assert_eq!(sv.remaining_bytes.map(u128::from), Some(want));
    }

    /// format_bytes → parse gives back the value to the printed precision.
    #[test]
    fn format_then_parse(n in 0u64..(1u64 << 50)) {
        let shown = format_bytes(n, 1024);
        let r = read(&format!("remaining {shown}"));
        let got = r.remaining_bytes.unwrap_or(u64::MAX);
        // Two decimals of the shown unit: within half a hundredth of it.
        let unit = [1u64, 1 << 10, 1 << 20, 1 << 30, 1 << 40, 1 << 50]
            .into_iter().rev().find(|u| n.saturating_mul(2) > *u).unwrap_or(1);
        prop_assert!(got.abs_diff(n) <= unit / 200 + 1, "{} → {} → {}", n, shown, got);
    }

    /// Money amounts in minor units survive formatting with the currency before or after.
    #[test]
    fn money_round_trip(minor in 0i64..10_000_000, style in 0usize..4) {
        let amount = format!("{}.{:02}", minor / 100, minor % 100);
        let (text, cur) = match style {
            0 => (format!("Your balance is £{amount}"), "GBP"),
            1 => (format!("Баланс:{}р", amount.replace('.', ",")), "RUB"),
            2 => (format!("Ihr Guthaben beträgt: {} EUR", amount.replace('.', ",")), "EUR"),
            _ => (format!("账户余额{amount}元"), "CNY"),
        };
        let r = read(&text);
        let m = r.money.first();
        prop_assert_eq!(m.map(|m| (m.minor_units, m.currency.as_str())), Some((minor, cur)), "{}", text);
        prop_assert!(r.buckets.is_empty());
    }

    /// Dates in every supported style come back.
    #[test]
    fn date_round_trip(y in 1990i32..2150, m in 1u8..=12, day in 1u8..=28, style in 0usize..9) {
        const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let mon = MON[usize::from(m - 1)];
        let text = match style {
            0 => format!("有効期限 {y}年{m}月{day}日"),
            1 => format!("valid until {y}-{m:02}-{day:02} 23:59:59"),
            2 => format!("gültig bis {day:02}.{m:02}.{y}"),
            3 => format!("Platnost: {day}. {m}. {y} 18:18"),
            4 => format!("Aktif sd {day:02}/{m:02}/{y}"),
            5 => format!("Exp {day} {mon} {y}"),
            6 => format!("will expire on {day:02}-{}-{y}", mon.to_uppercase()),
            7 => format!("expires {mon} {day}, {y}"),
            _ => format!("до {y}/{m:02}/{day:02}"),
        };
        let r = read(&text);
        prop_assert_eq!(r.expiry, Date::new(y, m, day), "{}", text);
    }

    /// Day counts round-trip through the civil calendar.
    #[test]
    fn days_round_trip(n in -1_000_000i64..1_000_000) {
        let date = Date::from_days_since_epoch(n);
        prop_assert_eq!(date.to_days_since_epoch(), n);
        prop_assert_eq!(Date::parse_iso(&date.to_string()).ok(), (date.year >= 0 && date.year <= 9999).then_some(date));
    }

    /// Random text never panics and a reading is always consistent.
    #[test]
    fn random_text_never_panics(s in "\\PC{0,200}") {
        let r = read(&s);
        prop_assert!((0.0..=1.0).contains(&r.confidence));
        prop_assert!(r.understood || r.confidence == 0.0);
    }

    /// Random text built from the characters the parser cares about never panics.
    #[test]
    fn random_reply_like_text_never_panics(parts in proptest::collection::vec(
        prop_oneof![
            Just("残り".to_string()), Just("剩余".to_string()), Just("Баланс:".to_string()),
            Just("GB".to_string()), Just("M".to_string()), Just("р.".to_string()),
            Just("Rp".to_string()), Just("R ".to_string()), Just("(".to_string()),
            Just(")".to_string()), Just("年".to_string()), Just("月".to_string()),
            Just("日".to_string()), Just("/".to_string()), Just(".".to_string()),
            Just(",".to_string()), Just("-".to_string()), Just(" ".to_string()),
            Just("まで".to_string()), Just("valid until".to_string()), Just("*".to_string()),
            Just("#".to_string()), Just("kbps".to_string()), Just("１".to_string()),
            "[0-9]{1,30}",
        ], 0..40)) {
        let text: String = parts.concat();
        let r = read(&text);
        prop_assert!((0.0..=1.0).contains(&r.confidence));
    }
}

#[test]
fn more_phrasings() {
    // (text, remaining, used, total, expiry, reset)
    type Row = (
        &'static str,
        Option<u64>,
        Option<u64>,
        Option<u64>,
        Option<Date>,
        Option<Date>,
    );
    let rows: &[Row] = &[
        (
            "剩余流量：2.5GB，有效期至2026-05-31",
            Some(2_684_354_560),
            None,
            None,
            Some(d(2026, 5, 31)),
            None,
        ),
        (
            "Your data balance is 1.5GB, valid until 31/12/2026",
            Some(1_610_612_736),
            None,
            None,
            Some(d(2026, 12, 31)),
            None,
        ),
        (
            "You have used 3GB of your 5GB allowance",
            None,
            Some(3 * GI),
            Some(5 * GI),
            None,
            None,
        ),
        (
            "残りデータ量は0.5GBです。有効期限は2026年3月31日です。",
            Some(512 * MI),
            None,
            None,
            Some(d(2026, 3, 31)),
            None,
        ),
        (
            "データ残量 1,234MB",
            Some(1234 * MI),
            None,
            None,
            None,
            None,
        ),
        ("remaining: 0 MB", Some(0), None, None, None, None),
        (
            "Internet: 2 GB z 10 GB pozostało",
            Some(2 * GI),
            None,
            Some(10 * GI),
            None,
            None,
        ),
        (
            "剩余 2GB，共 10GB",
            Some(2 * GI),
            None,
            Some(10 * GI),
            None,
            None,
        ),
        (
            "You have 2 GB left out of 10 GB",
            Some(2 * GI),
            None,
            Some(10 * GI),
            None,
            None,
        ),
        (
            "Zostało Ci 1,5 GB",
            Some(1_610_612_736),
            None,
            None,
            None,
            None,
        ),
        (
            "Data: 1.2GB used, 3.8GB left. Renews on 2026-04-01.",
            Some(4_080_218_931),
            Some(1_288_490_189),
            None,
            None,
            Some(d(2026, 4, 1)),
        ),
        (
            "You have 500MB of data remaining, valid until 12/31",
            Some(500 * MI),
            None,
            None,
            Some(d(2026, 12, 31)),
            None,
        ),
        (
            "夜間データ残量 1GB、昼間データ残量 500MB",
            Some(GI + 500 * MI),
            None,
            None,
            None,
            None,
        ),
    ];
    for (text, rem, used, total, exp, reset) in rows {
        let r = read(text);
        assert!(r.understood, "{text}");
        assert_eq!(
            (
                r.remaining_bytes,
                r.used_bytes,
                r.total_bytes,
                r.expiry,
                r.reset
            ),
            (*rem, *used, *total, *exp, *reset),
            "{text}: {:?}",
            r.notes
        );
        assert!(r.notes.is_empty(), "{text}: {:?}", r.notes);
    }
}

#[test]
fn sentence_ends_after_currency_abbreviation() {
    // The dot of `руб.` ends the sentence: the expiry belongs to the data only.
    let r = read("Ваш баланс 100,50 руб. Остаток интернета 3,5 ГБ до 15.03.2026");
    assert_eq!(r.money[0].expires, None);
    assert_eq!(
        r.bucket("data").and_then(|b| b.expires),
        Some(d(2026, 3, 15))
    );
    assert_eq!(r.remaining_bytes, Some(3_758_096_384));
}

#[test]
fn very_long_input_is_cut_with_a_note() {
    let text = format!("残り1GB。{}", "あ".repeat(20_000));
    let r = read(&text);
    assert_eq!(r.remaining_bytes, Some(GI));
    assert!(r.notes.iter().any(|n| n.contains("only the start")));
    assert_eq!(r.raw, text);
}

#[test]
fn money_and_data_together() {
    let r = read("Ihr Restguthaben: 3,50 € Datenvolumen verbleibend 750 MB");
    assert_eq!(r.money[0].minor_units, 350);
    assert_eq!(r.remaining_bytes, Some(750 * MI));
    let r = read("Your balance is 5.00 USD and your data is unlimited");
    assert!(r.unlimited);
    assert_eq!(r.money[0].currency, "USD");
}

// ------------------------------------------------------------------------------------ issue 9

fn with_country(text: &str, cc: &str) -> Reading {
    read_with(text, |o| o.country = Some(cc.to_string()))
}

#[test]
fn issue9_names_offers_and_prices_are_never_figures() {
    let r = read("Your Weekly 5GB pack has 812MB left");
    assert_eq!(r.remaining_bytes, Some(812 * MI), "{:?}", r.candidates);
    let five = r
        .candidates
        .iter()
        .find(|c| c.text == "5GB")
        .expect("5GB candidate");
    assert!(
        five.role.is_none() && five.why.contains("product"),
        "{five:?}"
    );
    // The docomo offer is not a balance.
    let r =
        read("残りデータ量：0.65GB。追加のデータ量は1GBあたり1,100円（税込）でご購入いただけます");
    assert!(r.money.is_empty(), "{:?}", r.money);
    assert_eq!(r.remaining_bytes, Some(697_932_186));
    for (text, cc) in [
        ("Sisa kuota 2GB. Beli 2GB for Rp25rb, ketik *363#", "ID"),
        ("Dial *121# to get 1GB at 50 birr", "ET"),
        ("Buy 1GB for N500. Dial *131#", "NG"),
    ] {
        let r = with_country(text, cc);
        assert!(
            r.money.iter().all(|m| m.label != "balance"),
            "{text}: {:?}",
            r.money
        );
        assert!(
            r.bucket("data")
                .is_none_or(|b| b.remaining_bytes != Some(GI)),
            "{text}"
        );
    }
}

#[test]
fn issue9_unlimited_only_for_data_and_depleted_is_zero() {
    for text in [
        "Unlimited calls to all networks",
        "unlimited on-net minutes",
        "Unli Viber Exp: 19Aug",
    ] {
        assert!(!read(text).unlimited, "{text}");
    }
    assert!(read("Unlimited data until 2026-12-31").unlimited);
    for text in [
        "Your data bundle is depleted.",
        "Ihr monatliches Datenvolumen ist verbraucht",
        "您的国内流量已用尽",
        "100% of daily 1.50 GB data quota exhausted",
    ] {
        assert_eq!(read(text).remaining_bytes, Some(0), "{text}");
    }
    // Not a statement, and not data.
    assert_eq!(
        read("Buy more before your data runs out").remaining_bytes,
        None
    );
    assert_eq!(read("Your voice bundle is exhausted").remaining_bytes, None);
}

#[test]
fn issue9_percent_of_allowance_is_derived() {
    let r = read("You have used 75% of your 4 GB");
    assert_eq!(r.total_bytes, Some(4 * GI));
    assert_eq!(r.used_bytes, Some(3 * GI));
    assert_eq!(r.remaining_bytes, Some(GI));
    assert!(r.bucket("data").is_some_and(|b| b.derived));
    // A percentage alone is no figure.
    assert_eq!(read("You have used 80% of your data").remaining_bytes, None);
}

#[test]
fn issue9_part_markers_codes_and_times_are_not_dates_or_figures() {
    let r = with_country("2/2 Your balance is P12.00", "PH");
    assert_eq!(r.expiry, None);
    assert_eq!(r.money[0].amount, "12.00");
    let c = r.candidates.iter().find(|c| c.text == "2/2").expect("2/2");
    assert_eq!(c.why, "an SMS part marker");
}

#[test]
fn issue9_currencies_of_the_world() {
    let rows: &[(&str, &str, &str, &str)] = &[
        ("Your balance is K25.50", "ZM", "25.50", "ZMW"),
        ("Your balance is 50.01 Birr", "ET", "50.01", "ETB"),
        ("Your balance is GHC 5.84", "GH", "5.84", "GHS"),
        ("Your balance is N30.42", "NG", "30.42", "NGN"),
        ("Your balance is ₦30.42", "NG", "30.42", "NGN"),
        ("Your balance is Tk 15.20", "BD", "15.20", "BDT"),
        ("Saldo: 227.05 CUP", "CU", "227.05", "CUP"),
        ("Saldo: 5.00 CUC", "CU", "5.00", "CUC"),
        ("Votre solde est de 1500 FCFA", "SN", "1500", "XOF"),
        ("Votre solde est de 1500 F CFA", "CM", "1500", "XAF"),
        ("Your balance is ₱12.50", "PH", "12.50", "PHP"),
        ("Your balance is Rs. 12.50", "LK", "12.50", "LKR"),
        ("Your balance is ₹120", "IN", "120", "INR"),
        ("Baki kredit anda RM5.20", "MY", "5.20", "MYR"),
        ("TK chinh=1601 VND", "VN", "1601", "VND"),
        ("TK chinh: 1601₫", "VN", "1601", "VND"),
        ("ยอดเงินคงเหลือ 25.50 ฿", "TH", "25.50", "THB"),
        ("Bakiyeniz 12,50 TL", "TR", "12.50", "TRY"),
        ("Seu saldo é R$ 12,50", "BR", "12.50", "BRL"),
        ("رصيدك 25 ريال", "SA", "25", "SAR"),
        ("رصيدك ٢٥٫٥٠ ر.س", "SA", "25.50", "SAR"),
        ("Your balance is $20.00", "CA", "20.00", "CAD"),
        ("Saldo: $20.00", "CU", "20.00", "CUP"),
        ("Sisa pulsa Rp5rb", "ID", "5000", "IDR"),
        ("Sisa pulsa 30rb", "ID", "30000", "IDR"),
        ("Sisa pulsa Rp1jt", "ID", "1000000", "IDR"),
    ];
    for (text, cc, amount, cur) in rows {
        let r = with_country(text, cc);
        let m = r.money_labelled("balance");
        assert_eq!(
            m.map(|m| (m.amount.as_str(), m.currency.as_str())),
            Some((*amount, *cur)),
            "{text}: {:?} {:?}",
            r.money,
            r.notes
        );
    }
    // `$` without a country is not USD.
    assert!(read("Your balance is $20.00").money.is_empty());
}

#[test]
fn issue9_units_and_digits_of_the_world() {
    let rows: &[(&str, u64)] = &[
        ("Il vous reste 2 Go", 2 * GI),
        ("Il vous reste 500 Mo", 500 * MI),
        ("11.17 GBs remaining", 11_993_696_174),
        ("Остаток 2 Гб", 2 * GI),
        ("잔여 데이터 2기가", 2 * GI),
        ("剩余流量2吉", 2 * GI),
        ("残り容量 3GB", 3 * GI),
        (
            "u have 3Gb 817Mb 169kb left",
            3 * GI + 817 * MI + 169 * 1024,
        ),
        ("المتبقي ١٫٥ جيجا", GI + GI / 2),
        ("باقیمانده ۲ گیگابایت", 2 * GI),
    ];
    for (text, want) in rows {
        let r = read(text);
        assert_eq!(r.remaining_bytes, Some(*want), "{text}: {:?}", r.candidates);
    }
}

#[test]
fn issue9_main_balance_among_several() {
    let r = with_country("Balans 84.59 grn, bonus 0.00 grn.", "UA");
    assert_eq!(
        r.money_labelled("balance").map(|m| m.amount.as_str()),
        Some("84.59")
    );
    assert_eq!(
        r.money_labelled("bonus").map(|m| m.amount.as_str()),
        Some("0.00")
    );
    // Two amounts both called the balance: neither is the main one.
    let r = with_country("Balance 5.00 NGN. Balance 7.00 NGN.", "NG");
    assert!(r.money_labelled("balance").is_none());
    // Old and new balance after a top-up.
    let r = with_country("Old Balance RM314.00, New Balance RM289.00.", "MY");
    assert_eq!(
        r.money_labelled("balance").map(|m| m.amount.as_str()),
        Some("289.00")
    );
}

#[test]
fn issue9_bad_input_ends_in_a_specific_note() {
    let cases = [
        (
            "Service temporarily unavailable. Please try again later.",
            "cannot answer now",
        ),
        ("1. Data bundles\n2. Voice bundles\n3. My account", "menu"),
        ("Get 2GB for N500! Dial *131# now", "offer"),
        ("Xyzzy plugh 5 GB", "language not recognised"),
    ];
    for (text, want) in cases {
        let r = read(text);
        assert!(!r.understood, "{text}");
        assert!(
            r.notes.iter().any(|n| n.contains(want)),
            "{text}: {:?}",
            r.notes
        );
        let v = serde_json::to_value(&r).expect("json");
        assert_eq!(v["raw"], text);
        assert!(v["candidates"].is_array());
    }
}
