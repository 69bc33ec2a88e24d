use super::*;
use std::io::Write as _;

fn reg() -> Registry {
    match Registry::try_builtin() {
        Ok(r) => r,
        Err(e) => panic!("built-ins do not load: {e}"),
    }
}

#[test]
fn builtins_parse_validate_and_carry_sources() {
    let r = reg();
    assert!(Registry::builtin().problems().is_empty());
    assert!(
        r.all().count() >= 40,
        "only {} built-in profiles",
        r.all().count()
    );
    for p in r.all() {
        assert_eq!(p.validate(), Ok(()), "{}", p.id);
        assert!(!p.sources.is_empty(), "{} has no sources", p.id);
        assert!(
            !r.effective_mcc_mnc(p).is_empty() || p.parent.is_none(),
            "{}",
            p.id
        );
    }
    r.check_parents().expect("parents resolve");
    // builtin() and try_builtin() agree.
    let ids_a: Vec<_> = r.all().map(|p| p.id.clone()).collect();
    let ids_b: Vec<_> = Registry::builtin().all().map(|p| p.id.clone()).collect();
    assert_eq!(ids_a, ids_b);
}

#[test]
fn japanese_big_four_have_no_modem_query_but_say_where_to_look() {
    let r = reg();
    for id in [
        "jp-docomo",
        "jp-au",
        "jp-softbank",
        "jp-rakuten",
        "jp-ahamo",
        "jp-povo",
        "jp-linemo",
        "jp-iijmio",
        "jp-mineo",
    ] {
        let p = r.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            !p.methods
                .iter()
                .any(|m| matches!(m, Method::Ussd { .. } | Method::Sms { .. })),
            "{id}"
        );
        let explain = p.methods.iter().find_map(|m| match m {
            Method::None { explain, .. } => Some(explain.clone()),
            _ => None,
        });
        assert!(
            explain.is_some_and(|e| e.len() > 20),
            "{id} lacks an honest explain"
        );
    }
    let sb = r
        .get("jp-softbank")
        .map(|p| p.describe())
        .unwrap_or_default();
    assert!(sb.contains("*5555"), "{sb}");
    let docomo = r.get("jp-docomo").map(|p| p.describe()).unwrap_or_default();
    assert!(
        docomo.contains("NTT DOCOMO") && docomo.contains("My docomo"),
        "{docomo}"
    );
}

#[test]
fn china_methods_as_the_corpus_says() {
    let r = reg();
    let cm = r
        .get("cn-china-mobile")
        .map(|p| p.methods.clone())
        .unwrap_or_default();
    assert!(
        matches!(cm.first(), Some(Method::Sms { number, keyword, .. }) if number == "10086" && keyword == "CXLL")
    );
    assert!(cm.iter().any(|m| matches!(m, Method::Inbox { senders, match_words, .. }
        if senders.iter().any(|s| s == "10086766") && match_words.iter().any(|w| w == "【流量日提醒】"))));
    let cu = r
        .get("cn-china-unicom")
        .map(|p| p.methods.clone())
        .unwrap_or_default();
    assert!(
        matches!(cu.first(), Some(Method::Sms { number, keyword, .. }) if number == "10010" && keyword == "2082")
    );
    let ct = r
        .get("cn-china-telecom")
        .map(|p| p.methods.clone())
        .unwrap_or_default();
    assert!(
        matches!(ct.first(), Some(Method::Sms { number, keyword, .. }) if number == "10001" && keyword == "108")
    );
}

/// Every built-in network resolves from an IMSI to the profile that lists it (or, for shared
/// networks, to the owner without a parent).
#[test]
fn every_builtin_network_selects_by_imsi() {
    let r = reg();
    for p in r.all() {
        for m in &p.mcc_mnc {
            let imsi = format!("{m}{}", &"0123456789"[..(15 - m.len())]);
            let sel = r.select(Some(&imsi), None, None);
            let got = sel.profile.map(|x| x.id.as_str()).unwrap_or("<none>");
            let owners: Vec<&str> = r
                .all()
                .filter(|q| q.mcc_mnc.contains(m))
                .map(|q| q.id.as_str())
                .collect();
            assert!(
                owners.contains(&got),
                "IMSI {imsi}: got {got}, owners {owners:?}"
            );
            assert_eq!(sel.how.to_string(), format!("imsi {m}"));
        }
    }
}

#[test]
fn imsi_split_table() {
    let r = reg();
    // (imsi, expected mcc-mnc) — 2-digit worldwide, 3-digit for MCC 3xx and known 3-digit codes.
    let rows = [
        ("440101234567890", "44010"),
        ("440201234567890", "44020"),
        ("460001234567890", "46000"),
        ("460111234567890", "46011"),
        ("310260123456789", "310260"),
        ("404551234567890", "40455"),
        ("001011234567890", "00101"),
        ("999991234567890", "99999"),  // unknown: 2-digit default
        ("302720123456789", "302720"), // Canada: 3 digits even though unknown here
    ];
    for (imsi, want) in rows {
        assert_eq!(
            r.plmn_for_imsi(imsi).map(|p| p.to_string()),
            Ok(want.to_string()),
            "{imsi}"
        );
    }
    let p = mcc_mnc_from_imsi("310260123456789", |_| false).expect("valid");
    assert_eq!((p.mcc.as_str(), p.mnc.as_str()), ("310", "260"));
    // A registry that knows a 3-digit MNC outside North America gets it.
    assert_eq!(
        mcc_mnc_from_imsi("405854123456789", |m| m == "405854").map(|p| p.to_string()),
        Ok("405854".into())
    );
    assert_eq!(
        mcc_mnc_from_imsi("12345", |_| false),
        Err(ImsiError::Malformed {
            len: 5,
            bad_at: None
        })
    );
    assert_eq!(
        mcc_mnc_from_imsi("44010x", |_| false),
        Err(ImsiError::Malformed {
            len: 6,
            bad_at: Some(5)
        })
    );
    assert!(mcc_mnc_from_imsi("4401012345678901", |_| false).is_err());
    assert!(mcc_mnc_from_imsi("４４０１０1234567", |_| false).is_err());
}

#[test]
fn shared_network_prefers_owner_and_lists_mvnos() {
    let r = reg();
    let sel = r.select(Some("440101234567890"), None, None);
    assert_eq!(sel.profile.map(|p| p.id.as_str()), Some("jp-docomo"));
    let c: Vec<&str> = sel.candidates.iter().map(|p| p.id.as_str()).collect();
    for mvno in ["jp-ahamo", "jp-iijmio", "jp-mineo", "jp-bmobile"] {
        assert!(c.contains(&mvno), "{mvno} not in {c:?}");
    }
    assert!(
        sel.notes.iter().any(|n| n.contains("jp-ahamo")),
        "{:?}",
        sel.notes
    );
    // The operator name picks the sub-brand on the same network.
    let sel = r.select(Some("440101234567890"), Some("ahamo"), None);
    assert_eq!(sel.profile.map(|p| p.id.as_str()), Some("jp-ahamo"));
    assert_eq!(sel.how, SelectedBy::OperatorName);
    assert!(sel.candidates.iter().any(|p| p.id == "jp-docomo"));
}

#[test]
fn operator_name_is_case_width_and_punctuation_insensitive() {
    let r = reg();
    let rows = [
        ("NTT DOCOMO", "jp-docomo"),
        ("ntt docomo", "jp-docomo"),
        ("ＮＴＴ　ＤＯＣＯＭＯ", "jp-docomo"),
        ("CHN-UNICOM", "cn-china-unicom"),
        ("CHN UNICOM", "cn-china-unicom"),
        ("中国联通", "cn-china-unicom"),
        ("CHINA MOBILE", "cn-china-mobile"),
        ("CMCC", "cn-china-mobile"),
        ("中国移动", "cn-china-mobile"),
        ("中国电信", "cn-china-telecom"),
        ("SoftBank", "jp-softbank"),
        ("Y!mobile", "jp-ymobile"),
        ("楽天モバイル", "jp-rakuten"),
        ("МТС", "ru-mts"),
        ("мтс", "ru-mts"),
    ];
    for (name, want) in rows {
        let sel = r.select(None, Some(name), None);
        assert_eq!(
            sel.profile.map(|p| p.id.as_str()),
            Some(want),
            "{name}: {:?}",
            sel.notes
        );
        assert_eq!(sel.how.to_string(), "operator name");
    }
    assert_eq!(normalize_name("ＣＨＮ－ＵＮＩＣＯＭ"), "chnunicom");
}

#[test]
fn explicit_choice_wins_and_unknown_explicit_is_reported() {
    let r = reg();
    let sel = r.select(
        Some("460001234567890"),
        Some("CHINA MOBILE"),
        Some("jp-povo"),
    );
    assert_eq!(sel.profile.map(|p| p.id.as_str()), Some("jp-povo"));
    assert_eq!(sel.how, SelectedBy::Explicit);
    assert!(
        sel.notes.iter().any(|n| n.contains("46000")),
        "{:?}",
        sel.notes
    );
    let sel = r.select(Some("460001234567890"), None, Some("no-such-carrier"));
    assert!(sel.profile.is_none());
    assert!(sel.notes.iter().any(|n| n.contains("no-such-carrier")));
}

#[test]
fn roaming_imsi_beats_serving_operator_name() {
    let r = reg();
    // A China Mobile SIM roaming on docomo: +COPS says NTT DOCOMO, the balance is at 10086.
    let sel = r.select(Some("460001234567890"), Some("NTT DOCOMO"), None);
    assert_eq!(sel.profile.map(|p| p.id.as_str()), Some("cn-china-mobile"));
    assert!(
        sel.notes.iter().any(|n| n.contains("roaming")),
        "{:?}",
        sel.notes
    );
}

#[test]
fn unknown_gives_none_with_a_clear_note() {
    let r = reg();
    let sel = r.select(Some("999991234567890"), Some("Nowhere Telecom"), None);
    assert!(sel.profile.is_none());
    assert_eq!(sel.how, SelectedBy::Nothing);
    assert!(
        sel.notes.iter().any(|n| n.contains("99999")
            && n.contains("Nowhere Telecom")
            && n.contains("carriers.toml")),
        "{:?}",
        sel.notes
    );
    let sel = r.select(None, None, None);
    assert!(sel.profile.is_none() && !sel.notes.is_empty());
    let sel = r.select(Some("garbage"), None, None);
    assert!(sel.notes.iter().any(|n| n.contains("IMSI ignored")));
}

#[test]
fn reply_hints_match_corpus_texts() {
    let r = reg();
    // (profile, corpus text, capture, expected) — texts verbatim from shared/corpus/corpus.md.
    let rows = [
        ("cn-china-mobile", "您当月常用流量已用1.85M，可用1198.14M，其中", "used", "1.85M"),
        ("cn-china-mobile", "您当月常用流量已用1.85M，可用1198.14M，其中", "remaining", "1198.14M"),
        ("cn-china-mobile", "截至25日18时20分，您当月常用流量已用0.00M，可用0，以上", "remaining", "0"),
        ("cn-china-mobile", "您（158****4566）本月国内流量已使用0KB。", "used", "0KB"),
        ("cn-china-telecom", "您当前已使用流量总量36.28GB；详细", "used", "36.28GB"),
        ("cn-china-telecom", "您的手机账户本月可用余额为0.00元，预存", "balance", "0.00"),
        ("cn-china-unicom", " 国内日租宝\r\n 已使用70.00MB\r\n", "used", "70.00MB"),
        ("ru-mts", "Баланс:2220,76р", "balance", "2220,76"),
        ("ru-mts", "Balance:633,100r", "balance", "633,100"),
        ("ru-beeline", " Vash balans 968.98 r.", "balance", "968.98"),
        ("ru-tele2", "OCTATOK 187.24 p.", "balance", "187.24"),
        ("ua-lifecell", "Balans 35.28grn, bonus", "balance", "35.28"),
        ("pl-plus", "Aktualny stan konta dla numeru 48123456789: 1,23 PLN. Konto wazne do dnia 01-01-2022 01:02:03.Doladuj PLUSem!", "expiry", "01-01-2022"),
        ("de-o2", "Ihr Guthaben beträgt: 15,67€.", "balance", "15,67"),
        ("ch-sunrise", "Ihr Guthaben beträgt CHF 24.50.", "balance", "24.50"),
        ("se-halebop", " Du har 0,00 kr och 0,99 GB surf kvar. Du ringer", "remaining", "0,99 GB"),
        ("gb-o2", "O2: Your balance is £6.45. Text BALANCE free to 20202", "balance", "6.45"),
        ("hu-telekom", "Havi keret: 0Ft. Feltöltött egyenleg: 7777Ft,(ebböl", "balance", "7777"),
        ("us-tmobile", "Current plan active until 08/10/2022 and will renew for $12.34. Account Balance $56.78. Add", "balance", "56.78"),
        ("us-tmobile", "Current plan active until 08/10/2022 and will renew", "expiry", "08/10/2022"),
    ];
    for (id, text, cap, want) in rows {
        let p = r.get(id).unwrap_or_else(|| panic!("{id} missing"));
        let got = p.compiled_hints().iter().find_map(|re| {
            re.captures(text)
                .and_then(|c| c.name(cap))
                .map(|m| m.as_str().to_string())
        });
        assert_eq!(got.as_deref(), Some(want), "{id}: {text}");
    }
}

#[test]
fn describe_mentions_methods_and_sources() {
    let r = reg();
    let d = r
        .get("cn-china-mobile")
        .map(|p| p.describe())
        .unwrap_or_default();
    for needle in [
        "cn-china-mobile — China Mobile (CN, zh-Hans, CNY)",
        "SMS \"CXLL\" to 10086",
        "10086766",
        "【流量日提醒】",
        "sources:",
        "46000",
    ] {
        assert!(d.contains(needle), "missing {needle} in:\n{d}");
    }
    let d = r
        .get("ke-safaricom")
        .map(|p| p.describe())
        .unwrap_or_default();
    assert!(
        d.contains("USSD *100#, then answer 1 → 1") && d.contains("(free)"),
        "{d}"
    );
}

fn load_err(text: &str) -> ProfileError {
    let mut r = Registry::default();
    match r.add_text("/etc/simquota/carriers.toml", text) {
        Ok(()) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

const GOOD: &str = r#"
[[carrier]]
id = "xx-test"
name = "Test"
country = "XX"
mcc_mnc = ["99999"]

[[carrier.methods]]
kind = "ussd"
code = "*100#"
"#;

#[test]
fn corrupt_files_name_file_line_and_field() {
    // (text, line, field, words in the message)
    let unknown_kind = GOOD.replace("kind = \"ussd\"", "kind = \"ussdd\"");
    let missing_code = GOOD.replace("code = \"*100#\"", "");
    let bad_regex = GOOD.replace(
        "mcc_mnc = [\"99999\"]",
        "mcc_mnc = [\"99999\"]\nreply_hints = ['(?P<remaining>[0-9]+']",
    );
    let bad_capture = GOOD.replace(
        "mcc_mnc = [\"99999\"]",
        "mcc_mnc = [\"99999\"]\nreply_hints = ['(?P<left>[0-9]+)']",
    );
    let dup = format!("{GOOD}\n{GOOD}");
    let bad_mcc = GOOD.replace("\"99999\"", "\"9999\"");
    let bad_code = GOOD.replace("*100#", "100");
    let bad_units = GOOD.replace(
        "mcc_mnc = [\"99999\"]",
        "mcc_mnc = [\"99999\"]\nunits_base = 1020",
    );
    let bad_id = GOOD.replace("xx-test", "XX Test");
    let bad_currency = GOOD.replace(
        "mcc_mnc = [\"99999\"]",
        "mcc_mnc = [\"99999\"]\ncurrency = \"usd\"",
    );
    let symbol_currency = GOOD.replace(
        "mcc_mnc = [\"99999\"]",
        "mcc_mnc = [\"99999\"]\ncurrency = \"$\"",
    );
    let unknown_field = GOOD.replace("name = \"Test\"", "name = \"Test\"\nnmae = \"typo\"");
    let bad_cost = format!("{GOOD}\n[[carrier.methods]]\nkind = \"sms\"\nnumber = \"10086\"\nkeyword = \"CXLL\"\ncosts_money = \"maybe\"\n");
    let empty_number =
        format!("{GOOD}\n[[carrier.methods]]\nkind = \"sms\"\nnumber = \"\"\nkeyword = \"CXLL\"\n");
    let rows: Vec<(String, usize, Option<&str>, &str)> = vec![
        (
            "[[carrier]]\nid = \"a\"\nname = \"oops\n".to_string(),
            3,
            None,
            "TOML syntax",
        ),
        (
            unknown_kind,
            9,
            Some("methods[0].kind"),
            "unknown kind \"ussdd\" (expected ussd, sms, inbox, none)",
        ),
        (
            missing_code,
            8,
            Some("methods[0].code"),
            "missing field \"code\"",
        ),
        (
            GOOD.replace("name = \"Test\"\n", ""),
            2,
            Some("name"),
            "missing field \"name\"",
        ),
        (bad_regex, 7, Some("reply_hints[0]"), "does not compile"),
        (
            bad_capture,
            7,
            Some("reply_hints[0]"),
            "unknown capture name \"left\"",
        ),
        (dup, 14, Some("id"), "duplicate id \"xx-test\""),
        (bad_mcc, 6, Some("mcc_mnc[0]"), "not an MCC-MNC"),
        (bad_code, 10, Some("methods[0].code"), "USSD"),
        (bad_units, 7, Some("units_base"), "1000 or 1024"),
        (bad_id, 3, Some("id"), "slug"),
        (bad_currency, 7, Some("currency"), "ISO 4217"),
        (symbol_currency, 7, Some("currency"), "ISO 4217"),
        (unknown_field, 5, Some("nmae"), "unknown field \"nmae\""),
        (bad_cost, 16, Some("methods[1].costs_money"), "unknown"),
        (empty_number, 14, Some("methods[1].number"), "sms number"),
    ];
    for (text, line, field, words) in rows {
        let e = load_err(&text);
        let shown = e.to_string();
        assert!(shown.starts_with("/etc/simquota/carriers.toml:"), "{shown}");
        assert_eq!(e.line(), Some(line), "{shown}\n---\n{text}");
        assert_eq!(e.field(), field, "{shown}");
        assert!(shown.contains(words), "{shown}");
        if let Some(f) = field {
            assert!(shown.contains(&format!("field \"{f}\"")), "{shown}");
        }
    }
    // The exact form from the design note.
    let e = load_err(&GOOD.replace("kind = \"ussd\"", "kind = \"ussdd\""));
    assert_eq!(
        e.to_string(),
        "/etc/simquota/carriers.toml:9: field \"methods[0].kind\": unknown kind \"ussdd\" (expected ussd, sms, inbox, none)"
    );
}

#[test]
fn user_file_overrides_builtin_and_adds_profiles() {
    let dir = std::env::temp_dir().join(format!("simquota-carrier-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("carriers.toml");
    let text = r#"
# My docomo SIM answers a USSD code at work (made up for the test).
[[carrier]]
id = "jp-docomo"
name = "docomo (mine)"
country = "JP"
mcc_mnc = ["44010"]
[[carrier.methods]]
kind = "ussd"
code = "*123#"

[[carrier]]
id = "zz-mine"
name = "My MVNO"
aliases = ["MYMVNO"]
country = "JP"
parent = "jp-docomo"
[[carrier.methods]]
kind = "none"
explain = "Look at the web page."
"#;
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write");
    let r = Registry::load(std::slice::from_ref(&path)).expect("loads");
    let d = r.get("jp-docomo").expect("docomo");
    assert_eq!(d.name, "docomo (mine)");
    assert!(matches!(d.methods.first(), Some(Method::Ussd { code, .. }) if code == "*123#"));
    assert_eq!(
        r.origin("jp-docomo").map(|(f, l)| (f.to_string(), l)),
        Some((path.display().to_string(), 3))
    );
    assert_eq!(r.all().filter(|p| p.id == "jp-docomo").count(), 1);
    let sel = r.select(Some("440101234567890"), Some("MYMVNO"), None);
    assert_eq!(sel.profile.map(|p| p.id.as_str()), Some("zz-mine"));

    // An unknown parent in a user file is an error at its line.
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        GOOD.replace("mcc_mnc = [\"99999\"]", "parent = \"no-such\""),
    )
    .expect("write");
    let e = Registry::load(std::slice::from_ref(&bad)).expect_err("unknown parent");
    assert_eq!((e.line(), e.field()), (Some(6), Some("parent")), "{e}");
    let e = Registry::load(&[dir.join("missing.toml")]).expect_err("missing file");
    assert!(e.to_string().contains("missing.toml"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn default_paths_only_lists_existing_files() {
    for p in Registry::default_paths() {
        assert!(p.is_file(), "{}", p.display());
        assert!(p.ends_with("simquota/carriers.toml"));
    }
}

#[test]
fn profiles_round_trip_through_serde() {
    let r = reg();
    for p in r.all() {
        let json = serde_json::to_string(p).expect("serialize");
        let back: Profile = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(&back, p);
    }
}

mod props {
    use super::super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn loading_any_text_never_panics(text in "\\PC{0,400}") {
            let mut r = Registry::default();
            let _ = r.add_text("fuzz.toml", &text);
        }

        #[test]
        fn loading_mutated_good_file_never_panics(cut in 0usize..200, junk in "[\\[\\]=\"'a-z0-9 \\n#*]{0,12}") {
            let good = super::GOOD;
            let cut = cut.min(good.len());
            let text = format!("{}{}{}", &good[..cut], junk, &good[cut..]);
            let mut r = Registry::default();
            if let Err(e) = r.add_text("fuzz.toml", &text) {
                // Every error points inside the text.
                if let Some(line) = e.line() {
                    prop_assert!(line >= 1 && line <= text.lines().count() + 1);
                }
            }
        }

        #[test]
        fn imsi_split_never_panics_and_keeps_prefix(imsi in "\\PC{0,20}") {
            if let Ok(p) = mcc_mnc_from_imsi(&imsi, |_| false) {
                prop_assert!(imsi.trim().starts_with(&p.to_string()));
                prop_assert!(p.mnc.len() == 2 || p.mnc.len() == 3);
            }
        }

        #[test]
        fn select_never_panics(imsi in proptest::option::of("[0-9]{0,16}"), op in proptest::option::of("\\PC{0,20}"), id in proptest::option::of("[a-z-]{0,10}")) {
            let r = Registry::builtin();
            let s = r.select(imsi.as_deref(), op.as_deref(), id.as_deref());
            prop_assert!(s.profile.is_some() || !s.notes.is_empty());
        }
    }
}

#[test]
fn currency_is_an_active_iso_4217_code() {
    // The table is sorted (binary search) and holds only three capital letters.
    assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    assert!(ISO_4217
        .iter()
        .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
    for ok in [
        "NGN", "CAD", "XOF", "XAF", "CUP", "ETB", "ZMW", "BDT", "INR", "IDR", "VND",
    ] {
        assert!(is_iso4217(ok), "{ok}");
    }
    // Symbols, lowercase, withdrawn codes (Croatian kuna 2023, old Mauritanian ouguiya) fail.
    for bad in ["$", "usd", "US", "USDD", "HRK", "MRO", "", "RUR"] {
        assert!(!is_iso4217(bad), "{bad}");
    }
    let mut r = Registry::default();
    r.add_text(
        "x.toml",
        &GOOD.replace(
            "mcc_mnc = [\"99999\"]",
            "mcc_mnc = [\"99999\"]\ncurrency = \"CAD\"",
        ),
    )
    .expect("CAD is valid");
    assert_eq!(
        r.get("xx-test").and_then(|p| p.currency.as_deref()),
        Some("CAD")
    );
    // Built-ins that name a currency name a valid one.
    for p in reg().all() {
        if let Some(c) = &p.currency {
            assert!(is_iso4217(c), "{}: {c}", p.id);
        }
    }
}

#[test]
fn readme_example_is_a_valid_profile_file() {
    let readme = include_str!("../../carriers/README.md");
    let block = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README has a toml block");
    let mut r = Registry::default();
    r.add_text("carriers/README.md", block)
        .unwrap_or_else(|e| panic!("{e}"));
    let p = r.get("cn-china-mobile").expect("example profile");
    let kinds: Vec<&str> = p.methods.iter().map(Method::kind).collect();
    assert_eq!(kinds, ["sms", "inbox", "ussd", "none"]);
}

/// MCC-MNCs that more than one built-in profile lists on purpose, with the reason. Anything
/// else listed twice is a data error: the IMSI could not tell the profiles apart.
const SHARED_MCC_MNC: &[(&str, &str)] = &[];

#[test]
fn builtin_mcc_mnc_are_unique_except_documented_shares() {
    let r = reg();
    let mut seen: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for p in r.all() {
        for m in &p.mcc_mnc {
            seen.entry(m.as_str()).or_default().push(p.id.as_str());
        }
    }
    for (m, ids) in &seen {
        if ids.len() > 1 {
            assert!(
                SHARED_MCC_MNC.iter().any(|(s, _)| s == m),
                "{m} is listed by {ids:?}: document the share in SHARED_MCC_MNC or fix the data"
            );
        }
    }
    for (m, why) in SHARED_MCC_MNC {
        assert!(
            seen.get(m).is_some_and(|ids| ids.len() > 1),
            "{m} is documented as shared ({why}) but is not"
        );
    }
    // A 2-digit MNC that is the prefix of a 3-digit one in the same MCC makes the IMSI split
    // depend on the next digit; none of the built-ins may do that.
    for m in seen.keys().filter(|m| m.len() == 6) {
        let short = &m[..5];
        assert!(
            !seen.contains_key(short),
            "{short} and {m} are both listed: the MNC length of an IMSI starting {m} is ambiguous"
        );
    }
}

#[test]
fn builtin_facts_are_sourced_and_checkable() {
    let r = reg();
    let mut count = 0;
    for p in r.all() {
        count += 1;
        // Every source is a URL or a corpus pointer, never free text.
        for s in &p.sources {
            assert!(
                s.starts_with("http://")
                    || s.starts_with("https://")
                    || s.starts_with("gopher://")
                    || s.starts_with("corpus: ")
                    || s == "synthetic",
                "{}: source {s:?} is neither a URL nor 'corpus: …'",
                p.id
            );
        }
        // Listed networks cite an MCC-MNC table (or, for the few profiles below, the source
        // file that maps those codes to the operator).
        const CODES_FROM_OTHER_FILES: &[&str] = &[
            "cn-china-mobile",   // 0wQ/air780e-forwarder util_mobile.lua
            "cn-china-unicom",   // idem
            "cn-china-telecom",  // idem
            "cn-china-broadnet", // idem
            "jp-rakuten",        // Kotlin source mapping 44011 → RAKUTEN
        ];
        if !p.mcc_mnc.is_empty()
            && p.id != "example"
            && !CODES_FROM_OTHER_FILES.contains(&p.id.as_str())
        {
            assert!(
                p.sources
                    .iter()
                    .any(|s| s.contains("mcc-mnc") || s.contains("values-mcc")),
                "{}: lists MCC-MNCs but cites no MCC-MNC table",
                p.id
            );
        }
        // Every real profile names its currency, or says why not (ambiguous '$', USD and
        // local money side by side…).
        if p.country != "ZZ" && p.currency.is_none() {
            assert!(
                p.notes
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains("currency")),
                "{}: no currency and no note saying why",
                p.id
            );
        }
        for m in &p.methods {
            match m {
                Method::Ussd { code, follow, .. } => {
                    assert!(
                        (code.starts_with('*') || code.starts_with('#')) && code.ends_with('#'),
                        "{}: {code}",
                        p.id
                    );
                    assert!(
                        follow.iter().all(|f| f.bytes().all(|b| b.is_ascii_digit())),
                        "{}: menu answers are digits: {follow:?}",
                        p.id
                    );
                }
                Method::Sms { number, .. } => {
                    assert!(
                        number
                            .trim_start_matches('+')
                            .bytes()
                            .all(|b| b.is_ascii_digit()),
                        "{}: {number}",
                        p.id
                    );
                }
                Method::Inbox { .. } => {}
                Method::None { explain, .. } => {
                    assert!(explain.len() > 30, "{}: explain too short", p.id);
                }
            }
        }
    }
    assert!(count >= 150, "only {count} built-in profiles");
}

/// Real MCC-MNCs from the sources (IMSI = MCC-MNC + arbitrary subscriber digits) pick the
/// operator that owns them, with the MNC length the tables give.
#[test]
fn sample_imsis_select_their_operator() {
    let r = reg();
    let rows = [
        ("405857012345678", "in-jio", "405857"),
        ("405874012345678", "in-jio", "405874"),
        ("404100123456789", "in-airtel", "40410"),
        ("405560123456789", "in-airtel", "40556"),
        ("404860123456789", "in-vi", "40486"),
        ("405852012345678", "in-vi", "405852"),
        ("404550123456789", "in-bsnl", "40455"),
        ("470010123456789", "bd-grameenphone", "47001"),
        ("429020123456789", "np-ncell", "42902"),
        ("621300123456789", "ng-mtn", "62130"),
        ("621500123456789", "ng-glo", "62150"),
        ("636010123456789", "et-ethio-telecom", "63601"),
        ("655010123456789", "za-vodacom", "65501"),
        ("640040123456789", "tz-vodacom", "64004"),
        ("620010123456789", "gh-mtn", "62001"),
        ("639020123456789", "ke-safaricom", "63902"),
        ("286010123456789", "tr-turkcell", "28601"),
        ("420010123456789", "sa-stc", "42001"),
        ("432350123456789", "ir-irancell", "43235"),
        ("334020123456789", "mx-telcel", "334020"),
        ("302720123456789", "ca-rogers", "302720"),
        ("311480123456789", "us-verizon", "311480"),
        ("310410123456789", "us-att", "310410"),
        ("724060123456789", "br-vivo", "72406"),
        ("732101123456789", "co-claro", "732101"),
        ("722341123456789", "ar-personal", "722341"),
        ("368010123456789", "cu-cubacel", "36801"),
        ("338050123456789", "jm-digicel", "338050"),
        ("452040123456789", "vn-viettel", "45204"),
        ("515030123456789", "ph-smart", "51503"),
        ("502190123456789", "my-celcom", "50219"),
        ("530010123456789", "nz-one", "53001"),
        ("208150123456789", "fr-free", "20815"),
        ("234300123456789", "gb-ee", "23430"),
        ("400010123456789", "az-azercell", "40001"),
    ];
    for (imsi, want, plmn) in rows {
        let sel = r.select(Some(imsi), None, None);
        assert_eq!(
            sel.profile.map(|p| p.id.as_str()),
            Some(want),
            "{imsi}: {:?}",
            sel.notes
        );
        assert_eq!(sel.how.to_string(), format!("imsi {plmn}"), "{imsi}");
    }
}

/// The operators issue 9 names by brand have a profile, and every continent is covered.
#[test]
fn named_operators_and_every_continent_are_covered() {
    let r = reg();
    for id in [
        "in-jio",
        "in-airtel",
        "in-vi",
        "in-bsnl",
        "bd-grameenphone",
        "bd-robi",
        "bd-banglalink",
        "pk-jazz",
        "pk-zong",
        "pk-telenor",
        "pk-ufone",
        "lk-dialog",
        "np-ncell",
        "ng-mtn",
        "gh-mtn",
        "za-mtn",
        "ug-mtn",
        "ng-airtel",
        "ke-airtel",
        "ug-airtel",
        "tz-airtel",
        "za-vodacom",
        "ke-safaricom",
        "et-ethio-telecom",
        "ng-glo",
        "ma-maroc-telecom",
        "eg-vodafone",
        "zw-econet",
        "mx-telcel",
        "br-claro",
        "co-claro",
        "ar-claro",
        "es-movistar",
        "br-vivo",
        "br-tim",
        "cl-entel",
        "cu-cubacel",
        "jm-digicel",
        "vn-viettel",
        "vn-vinaphone",
        "vn-mobifone",
        "ph-smart",
        "ph-globe",
        "id-telkomsel",
        "id-indosat",
        "id-xl",
        "id-tri",
        "id-smartfren",
        "my-maxis",
        "my-celcom",
        "my-digi",
        "my-umobile",
        "th-ais",
        "th-dtac",
        "th-truemove-h",
        "sg-singtel",
        "tr-turkcell",
        "tr-vodafone",
        "tr-turk-telekom",
        "sa-stc",
        "sa-mobily",
        "sa-zain",
        "ae-etisalat",
        "ae-du",
        "qa-ooredoo",
        "ir-mci",
        "ir-irancell",
        "us-verizon",
        "us-att",
        "us-tmobile",
        "ca-rogers",
        "ca-bell",
        "ca-telus",
        "ca-freedom",
        "au-telstra",
        "au-optus",
        "au-vodafone",
        "nz-spark",
        "nz-one",
        "ru-mts",
        "ru-beeline",
        "ru-megafon",
        "ru-tele2",
        "ua-kyivstar",
        "ua-lifecell",
        "ua-vodafone",
        "fr-orange",
        "fr-sfr",
        "fr-bouygues",
        "fr-free",
        "de-vodafone",
        "gb-ee",
        "gb-o2",
        "gb-three",
        "it-tim",
        "it-windtre",
        "pl-play",
        "pl-plus",
        "pl-tmobile",
        "nl-kpn",
        "cz-tmobile",
        "be-proximus",
    ] {
        assert!(r.get(id).is_some(), "{id} missing");
    }
    // ISO 3166 country → continent, for the countries the built-ins use. A new country must be
    // added here, so the per-continent counts below stay honest.
    let continent = |c: &str| -> Option<&str> {
        Some(match c {
            "NG" | "ZA" | "KE" | "TZ" | "UG" | "ET" | "ZW" | "LS" | "CD" | "GH" | "BF" | "CF"
            | "MG" | "EG" | "MA" => "Africa",
            "IN" | "BD" | "PK" | "LK" | "NP" | "VN" | "PH" | "ID" | "MY" | "TH" | "SG" | "CN"
            | "JP" | "KR" | "HK" | "TW" | "TR" | "SA" | "AE" | "QA" | "KW" | "JO" | "IR" | "AM"
            | "AZ" | "UZ" | "KZ" => "Asia",
            "US" | "CA" | "MX" | "CU" | "JM" | "PA" => "North America",
            "BR" | "CO" | "AR" | "CL" => "South America",
            "AU" | "NZ" => "Oceania",
            "RU" | "UA" | "BY" | "PL" | "DE" | "CH" | "SE" | "GB" | "HU" | "MT" | "HR" | "BG"
            | "AT" | "FR" | "IT" | "ES" | "NL" | "BE" | "CZ" | "RO" | "PT" => "Europe",
            "ZZ" => "none",
            _ => return None,
        })
    };
    let mut per: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for p in r.all() {
        let c = continent(&p.country).unwrap_or_else(|| {
            panic!(
                "{}: country {} has no continent in this test",
                p.id, p.country
            )
        });
        *per.entry(c).or_default() += 1;
    }
    for (c, min) in [
        ("Africa", 25),
        ("Asia", 60),
        ("Europe", 40),
        ("North America", 15),
        ("South America", 8),
        ("Oceania", 6),
    ] {
        assert!(per.get(c).copied().unwrap_or(0) >= min, "{c}: {per:?}");
    }
}

/// Within one country a name or alias belongs to one profile: otherwise the `+COPS` name could
/// not pick between them. (The same brand in two countries is fine — the IMSI decides.)
#[test]
fn names_do_not_collide_within_a_country() {
    let r = reg();
    let mut seen: std::collections::HashMap<(String, String), &str> =
        std::collections::HashMap::new();
    for p in r.all() {
        let names: std::collections::BTreeSet<String> = std::iter::once(&p.name)
            .chain(p.aliases.iter())
            .map(|n| normalize_name(n))
            .collect();
        for n in names {
            if let Some(other) = seen.insert((p.country.clone(), n.clone()), p.id.as_str()) {
                panic!("{} and {other} both answer to {n:?} in {}", p.id, p.country);
            }
        }
    }
    // By name alone (no IMSI), a brand shared across countries still resolves to one profile.
    let sel = r.select(None, Some("Etisalat"), None);
    assert_eq!(sel.profile.map(|p| p.id.as_str()), Some("ae-etisalat"));
}
