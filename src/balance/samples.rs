//! Every reply text of `shared/corpus/corpus.md` (sections A1, A3, B2, B4, C) with the reading
//! we expect, one row per sample. `item` names the corpus entry. Byte counts are written out
//! (computed by hand from the printed value × 1024^k, rounded half up), not derived by the parser.
//!
//! Left out: B4 rows that are paraphrases rather than reply text (MT Vodafone, HR Vip, BG MTel,
//! AU Optus "plan, expiry …, $18, 452MB left today"), truncated hex lines without a decoded text
//! (A1 #5), and corpus items that are referenced but not present (P1, P13).

/// One corpus sample and its expected reading.
pub(super) struct Sample {
    /// Corpus reference.
    pub item: &'static str,
    pub text: &'static str,
    /// Language hint a carrier profile would give (region decides `Rs.`, `$`…).
    pub hint: Option<&'static str>,
    pub expect: Expect,
}

/// What the reading must contain. `None` byte fields must be `None` in the reading.
pub(super) struct Expect {
    pub understood: bool,
    /// `Some` = must equal; `None` = not checked (menus in languages without a lexicon).
    pub language: Option<&'static str>,
    pub remaining: Option<u64>,
    pub used: Option<u64>,
    pub total: Option<u64>,
    /// (label, amount, ISO currency, expiry or "")
    pub money: &'static [(&'static str, &'static str, &'static str, &'static str)],
    pub expiry: Option<&'static str>,
    pub reset: Option<&'static str>,
    /// Buckets as (label, remaining, used, total); empty = not checked beyond the summary.
    pub buckets: &'static [BucketRow],
    /// Substrings that must appear in some note.
    pub notes: &'static [&'static str],
}

/// (label, remaining, used, total)
pub(super) type BucketRow = (&'static str, Option<u64>, Option<u64>, Option<u64>);

const NOTHING: Expect = Expect {
    understood: false,
    language: None,
    remaining: None,
    used: None,
    total: None,
    money: &[],
    expiry: None,
    reset: None,
    buckets: &[],
    notes: &[],
};

const fn no(lang: &'static str) -> Expect {
    Expect {
        language: Some(lang),
        ..NOTHING
    }
}

const fn cash(
    lang: &'static str,
    money: &'static [(&'static str, &'static str, &'static str, &'static str)],
) -> Expect {
    Expect {
        understood: true,
        language: Some(lang),
        money,
        ..NOTHING
    }
}

const MI: u64 = 1 << 20;
const GI: u64 = 1 << 30;

/// Today for every sample: 2026-03-01.
pub(super) const TODAY: (i32, u8, u8) = (2026, 3, 1);

pub(super) const SAMPLES: &[Sample] = &[
    // ---------------------------------------------------------------- A1.1
    Sample {
        item: "A1 #1 (sms_tool #4, MTS RU)",
        text: "Баланс:2220,76р",
        hint: None,
        expect: cash("ru", &[("balance", "2220.76", "RUB", "")]),
    },
    Sample {
        item: "A1 #2 (gammu issue109-E3276)",
        text: "Для справки о балансе наберите *105#. Услуга бесплатна.",
        hint: None,
        expect: no("ru"),
    },
    Sample {
        item: "A1 #3 (RU operator, answer by SMS)",
        text: "Спасибо за обращение! Мы направим ответ на Ваш запрос в SMS",
        hint: None,
        expect: no("ru"),
    },
    Sample {
        item: "A1 #4 (Telit LM960A18, MegaFon RU; truncated)",
        text: "54.76 р. ...",
        hint: None,
        expect: cash("ru", &[("balance", "54.76", "RUB", "")]),
    },
    Sample {
        item: "A1 #6 (Telstra AU menu)",
        text: "-- Telstra  --\n1. MyAccount\n2. Credit Me2U\n3. Caller Tones\n4. Tones/Pics\n5. News/Wthr\n6. Sport\n7. Games\n8. Fun/Info\n9. MyAlerts/Hlp\n00. Home",
        hint: None,
        expect: no("en"),
    },
    // ---------------------------------------------------------------- A1.2
    Sample {
        item: "A1 #7 (sms_tool #13, Halebop SE)",
        text: " Du har 0,00 kr och 0,99 GB surf kvar. Du ringer för 2kr/samtal, skickar SMS/MMS för 50öre/st. Köp surf på halebop.se/extras",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("sv"),
            remaining: Some(1_063_004_406),
            money: &[("balance", "0.00", "SEK", "")],
            ..NOTHING
        },
    },
    Sample {
        item: "A1 #8 (gammu #358, Telekom HU)",
        text: "Havi keret: 0Ft. Feltöltött egyenleg: 7777Ft,(ebböl vàsàrlàsra is fordìthatò: 7777Ft). Dìjcsomag: Bencsò A. Uj Telekom önkiszolgàlò: *111#",
        hint: None,
        expect: cash("hu", &[("limit", "0", "HUF", ""), ("balance", "7777", "HUF", "")]),
    },
    Sample {
        item: "A1 #10 (tsmodem balance.lua)",
        text: "611.20 р.",
        hint: None,
        expect: cash("ru", &[("balance", "611.20", "RUB", "")]),
    },
    Sample {
        item: "A1 #11 (tsmodem cusd.lua)",
        text: "Баланс:296,02р",
        hint: None,
        expect: cash("ru", &[("balance", "296.02", "RUB", "")]),
    },
    // ---------------------------------------------------------------- A1.3
    Sample {
        item: "A1 #13 (gammu 02-E160, DE)",
        text: "Ihr Guthaben für die Nr.4915783647410 beträgt 5.78 Euro",
        hint: None,
        expect: cash("de", &[("balance", "5.78", "EUR", "")]),
    },
    Sample {
        item: "A1 #15 (Tigo menu)",
        text: "Bienvenido a Tigo Shopping, elige opcion:\n\n1.-Paquetigos\n2.-Te quedaste sin credito?\n3.-Kiosko TIGO\n4.-Activa Saldo Promo",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A1 #17 (chan-dongle #38, Tele2 RU)",
        text: "Nepravilnyi nomer uslugi",
        hint: None,
        expect: no("ru"),
    },
    // ---------------------------------------------------------------- A1.4
    Sample {
        item: "A1 #18 (gammu #513, ID)",
        text: "Sisa pulsa Rp.3000.Aktif sd 26/02/2020.\nKonten Ria Miranda & Raih Umroh.Rp2200/SMS/2Hr slm 180Hr\n1.YA\n2.Cek Kuota\n3.Nelpon\n4.Internet\n5.Lainnya\n",
        hint: None,
        expect: Expect {
            expiry: Some("2020-02-26"),
            ..cash("id", &[("balance", "3000", "IDR", "")])
        },
    },
    Sample {
        item: "A1 #19 (MTN Ghana *156#)",
        text: "Your number is: 233241943721",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "A1 #20 (MTN Ghana *170#)",
        text: "Main Menu\n1) Transfer Money\n2) Pay Bill\n3) Buy Airtime\n4) My Wallet",
        hint: None,
        expect: no("en"),
    },
    // ---------------------------------------------------------------- A1.5
    Sample {
        item: "A1 #21 (gammu #150, PL)",
        text: "Pozostalo Ci 50,04zl do wykorzystania do 2018-09-04 23:59:59. Dodatkowo w ramach srodkow promocyjnych masz 0,00zl do wykorzystania do 2017-05-27 23:59:59.",
        hint: None,
        expect: Expect {
            expiry: Some("2018-09-04"),
            ..cash(
                "pl",
                &[
                    ("balance", "50.04", "PLN", "2018-09-04"),
                    ("promo", "0.00", "PLN", "2017-05-27"),
                ],
            )
        },
    },
    Sample {
        item: "A1 #22 (gammu #150, Beeline RU)",
        text: " Vash balans 968.98 r.\nDlya vas - nedelya besplatnogo SMS-obsh'eniya s drugom! Podkl.: *320#",
        hint: None,
        expect: cash("ru", &[("balance", "968.98", "RUB", "")]),
    },
    Sample {
        item: "A1 #23 (gammu 03-unknown, DE)",
        text: "Kontostand: 3.00 EUR Bitte w{hlen Sie: 1 Konto aufladen 2 CallNow Transfer",
        hint: None,
        expect: cash("de", &[("balance", "3.00", "EUR", "")]),
    },
    Sample {
        item: "A1 #24 (gammu 04-unknown, ID error)",
        text: "Maaf, permintaan Anda tidak dapat kami proses. Silakan coba beberapa saat lagi.",
        hint: None,
        expect: no("id"),
    },
    Sample {
        item: "A1 #26 (TinyGSM #192, Talktalk CH, accents lost)",
        text: "Votre cr\u{FFFD}dit  s'\u{FFFD}l\u{FFFD}ve \u{FFFD} CHF 3.75.",
        hint: None,
        expect: cash("fr", &[("balance", "3.75", "CHF", "")]),
    },
    Sample {
        item: "A1 #27 (gammu #179, mangled Cyrillic)",
        text: "799.55@.+1000@ 70 25@=K5 >B25BK =0 2>?@>AK *5   2",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A1 #28 (Telkomsel ID error)",
        text: "Maaf, operasi gagal karena format pesan yang tidak valid.",
        hint: None,
        expect: no("id"),
    },
    Sample {
        item: "A1 #29 (Kyivstar UA, placeholder)",
        text: "Na rahunku: <...> grn",
        hint: None,
        expect: no("uk"),
    },
    Sample {
        item: "A1 #30 (lifecell UA)",
        text: "Balans 35.28grn, bonus",
        hint: None,
        expect: cash("uk", &[("balance", "35.28", "UAH", "")]),
    },
    Sample {
        item: "A1 #32 (Vodafone UA)",
        text: "Na Vashomu rahunku 8.05 grn. Taryf 'Vodafone Device M'. Nomer diysnyi do 28.12.2025 00:00:00.",
        hint: None,
        expect: Expect {
            expiry: Some("2025-12-28"),
            ..cash("uk", &[("balance", "8.05", "UAH", "")])
        },
    },
    Sample {
        item: "A1 #33 (tsmodem, MTS RU)",
        text: "Balance:633,100r",
        hint: None,
        expect: cash("ru", &[("balance", "633.100", "RUB", "")]),
    },
    Sample {
        item: "A1 #34 (tsmodem, Beeline RU)",
        text: " Vash balans 510.20 r.\nSlushajte 200 radiostantsij s bilajnom 1 den' besplatno! Podkl: *279#",
        hint: None,
        expect: cash("ru", &[("balance", "510.20", "RUB", "")]),
    },
    Sample {
        item: "A1 #35 (txgsm, ZA Wikipedia prompt)",
        text: "What would you like to search Wikipedia for? ",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "A1 #35 (txgsm, ZA Wikipedia results)",
        text: "1. HIV\n2. HIV/AIDS\n3. HIV/AIDS in China\n4. Diagnosis o...",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A1 #36 (gammu #292, empty text)",
        text: "",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A1 decoded (python-gammu #12, UA *111#)",
        text: "Balans 0.00hrn, bonus 0.00hrn.\n\n",
        hint: None,
        expect: cash(
            "uk",
            &[("balance", "0.00", "UAH", ""), ("bonus", "0.00", "UAH", "")],
        ),
    },
    Sample {
        item: "A1 decoded (openwrt/telephony #687, Latin p in руб)",
        text: "Баланс 225.24 pуб.",
        hint: None,
        expect: cash("ru", &[("balance", "225.24", "RUB", "")]),
    },
    Sample {
        item: "A1 decoded (chan-dongle #38, Tele2 RU own number)",
        text: "Ваш федеральный номер +7 (999) 666-13-13",
        hint: None,
        expect: no("ru"),
    },
    Sample {
        item: "A1 decoded (PrepaidBalance #11, o2 DE)",
        text: "Nachricht von o2\nIhr Guthaben beträgt: 15,67€.",
        hint: None,
        expect: cash("de", &[("balance", "15.67", "EUR", "")]),
    },
    Sample {
        item: "A1 #39 (python-gsmmodem, release)",
        text: "Initiating Release",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A1 #39 (python-gsmmodem, other client)",
        text: "Other local client responded",
        hint: None,
        expect: NOTHING,
    },
    // ---------------------------------------------------------------- A3
    Sample {
        item: "A3 P2 (CMCC 10086 part 1/3, minutes only)",
        text: "您好，您各项套餐的准实时消费情况如下：1、全球通商旅套餐58(2012版)，国内主叫国内时长160分钟：已使用107分钟，未使用53分",
        hint: None,
        expect: no("zh-Hans"),
    },
    Sample {
        item: "A3 P3 (China Unicom 10010, 4 parts joined)",
        text: "尊敬的用户，截至当前，您的流量使用情况如下：\r\n -当月免费流量51.55MB\r\n -当月套餐外流量情况\r\n 国内日租宝\r\n 已使用70.00MB\r\n \r\n 本数据仅供参考，可下载手机营业厅查询详细情况。\r\n 回复“5083”，查看流量半年包余量。\r\n 回复“2082”，查看当前套餐余量。\r\n 【抗击疫情，服务不停！使用手机营业厅，足不出户交话费、查余额、办业务，免流量看电影、玩游戏，点击 http://u.10010.cn/khddx ，马上拥有】",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hans"),
            used: Some(70 * MI),
            notes: &["unclear role: 51.55MB"],
            ..NOTHING
        },
    },
    Sample {
        item: "A3 P4 (China Telecom 10001)",
        text: "尊敬的深*市*泽*业*理*限*司客户：您当前已使用流量总量36.28GB；详细套餐流量使用情况可回复“702”查询。",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hans"),
            used: Some(38_955_353_375),
            ..NOTHING
        },
    },
    Sample {
        item: "A3 P5 (China Telecom 10001 balance, 2 parts joined)",
        text: "尊敬的深*市*泽*业*理*限*司客户：截止至2月28日，您的手机账户本月可用余额为0.00元，预存费用余额为0.00，赠送费用余额为0.00。感谢您的使用！",
        hint: None,
        expect: Expect {
            notes: &["without a unit"],
            ..cash("zh-Hans", &[("balance", "0.00", "CNY", "")])
        },
    },
    Sample {
        item: "A3 P6 (CMCC 10086, 2 parts joined)",
        text: "尊敬的13423853304客户，截至25日18时20分，您当月常用流量已用0.00M，可用0，以上信息可能存在延时，具体以详单为准。如需查看更多详情您可登录 http://dx.10086.cn/qEeHBA ，方便更快捷。【中国移动】",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hans"),
            used: Some(0),
            // 可用0 is zero left (issue 9: it was not read, so --warn-below never fired).
            remaining: Some(0),
            notes: &["number without a unit after '可用': 0"],
            ..NOTHING
        },
    },
    Sample {
        item: "A3 P7 (CMCC Guangdong part 2/2)",
        text: "gd.10086.cn 查询。中国移动广东公司。",
        hint: None,
        expect: no("zh-Hans"),
    },
    Sample {
        item: "A3 P8 (10086 order notice part 1/3)",
        text: "尊敬的客户,您好！您于2016-03-23 14:51:36通过中国移动10085销售专线订购的【一加手机高清防刮保护膜】，请点击支付",
        hint: None,
        expect: Expect {
            notes: &["date with unclear meaning: 2016-03-23"],
            ..no("zh-Hans")
        },
    },
    Sample {
        item: "A3 P9 (China Unicom via Huawei router, truncated)",
        text: "尊敬的用户，截止到2021年11月17日\r\n 本月已使用流量（不",
        hint: None,
        expect: no("zh-Hans"),
    },
    Sample {
        item: "A3 P10 (China Telecom fixture, truncated)",
        text: "尊敬",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A3 P11",
        text: "iambidjc，中国移动",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A3 P12 (IoT GSM-7)",
        text: "STATUS,666666#",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A3 P14 (authentication code)",
        text: "authentication code\n1234567",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A3 P16 (Megafon part 1/2)",
        text: "SMS code: 4856, confirmation of association between account and Meg",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "A3 P17 (ZA airtime notice)",
        text: "Hello!You have R 19.50 FREE airtime available. R 19.50 will expire on 01/07/2013. ",
        hint: None,
        expect: Expect {
            expiry: Some("2013-07-01"),
            ..cash("en", &[("free", "19.50", "ZAR", "2013-07-01")])
        },
    },
    Sample {
        item: "A3 P18 (Cell C test SMS)",
        text: "Hello raspberry pi",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "A3 P18 (Cell C promo)",
        text: "New and here to stay! Don't just recharge SUPACHARGE and get your recharged airtime+FREE CellC to CellC mins & SMSs+Free data to use anytime. T&C apply. Cell C",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "A3 P18 (bank SMS)",
        text: "Standard Bank: Your accounts are no longer FICA compliant...",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "A3 P19 (KPN NL welcome)",
        text: "Welkom, bel om uw Voicemail te beluisteren naar +31612001233 (PrePay: *100*1233#). Voicemail ontvangen is altijd gratis. Voor gebruik van mobiel interne",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A3 P20 (SFR FR password)",
        text: "Info SFR - Confidentiel, à ne jamais transmettre -\r\nVoici votre nouveau mot de passe : sw2ced pour gérer votre compte SFR sur www.sfr.fr ou par téléphone au 963",
        hint: None,
        expect: no("fr"),
    },
    Sample {
        item: "A3 P22 (A1 Austria data notice)",
        text: "Lieber A1 Kunde, Sie haben seit Abschluss Ihrer letzten Rechnung ca. 4545.94 MB Datenvolumen verbraucht. Angaben sind ohne Gewähr. Ihr A1 Service Team",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("de"),
            used: Some(4_766_763_581),
            ..NOTHING
        },
    },
    Sample {
        item: "A3 P22 (A1 Austria charges notice)",
        text: "Lieber A1 Kunde, Ihre Verbindungsentgelte seit Abschluss Ihrer letzten Rechnung betragen ca. EUR 3.00 brutto. ...",
        hint: None,
        expect: cash("de", &[("spent", "3.00", "EUR", "")]),
    },
    Sample {
        item: "A3 P24 (CZ personal SMS)",
        text: "Ahoj pavle, tak me vcera nikdo neokradl, ...",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A3 P25 (ES missed call)",
        text: "llamada perdida de: +34617653167 on 07/08  at  11:19.",
        hint: None,
        expect: NOTHING,
    },
    Sample {
        item: "A3 P27 (Telit HE910)",
        text: "Darmok! Darmok and Jalad at Tanagra",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "A3 related (python-gsmmodem test_pdu)",
        text: "あ叶葉",
        hint: None,
        expect: no("ja"),
    },
    Sample {
        item: "A3 related (ModemManager test_pdu_stored_by_us)",
        text: "你好你好你好",
        hint: None,
        expect: no("zh-Hans"),
    },
    // ---------------------------------------------------------------- B2
    Sample {
        item: "B2 CMCC Guangdong (流量校正 app comment)",
        text: "尊敬的13802236421客户，您上月结转至本月国内通用流量500.00M。截至02日11时29分，您当月常用流量已用1.85M，可用1198.14M，其中国内通用流量可用1000.00M（含上月结余500.00M），省内通用流量可用198.14M；更多流量内容请点击 gd.10086.cn/cxll 查询。以上信息可能存在延时，具体以详单为准。【中国移动】",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hans"),
            remaining: Some(1_256_340_849),
            used: Some(1_939_866),
            // 结转至本月…500.00M says what was carried over, not an allowance: no total (it
            // was read as a carry-over total before issue 9). The carry-over pool's 500 MB left
            // is the 含上月结余 part of the domestic pool.
            buckets: &[
                ("data", Some(1_256_340_849), Some(1_939_866), None),
                ("domestic", Some(1000 * MI), None, None),
                ("carry-over", Some(500 * MI), None, None),
                ("provincial", Some(207_764_849), None, None),
            ],
            ..NOTHING
        },
    },
    Sample {
        item: "B2 CMCC daily reminder (SmsForwarder #277)",
        text: "【流量日提醒】您好！截至3月26日 8时32分，您（158****4566）本月国内流量已使用0KB。信息仅供参考。回复“28”查询具体流量使用情况。【中国移动】",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hans"),
            used: Some(0),
            buckets: &[("domestic", None, Some(0), None)],
            ..NOTHING
        },
    },
    // ---------------------------------------------------------------- B4
    Sample {
        item: "B4 RU MTS SMS (gulidos/cards SmsParseTest)",
        text: "Баланс:169,11р,Лимит:0,01р Приятная музыка, интересные истории, ",
        hint: None,
        expect: cash(
            "ru",
            &[("balance", "169.11", "RUB", ""), ("limit", "0.01", "RUB", "")],
        ),
    },
    Sample {
        item: "B4 RU Tele2 (chan-dongle #38, Latin look-alikes)",
        text: "OCTATOK 187.24 p.",
        hint: None,
        expect: cash("ru", &[("balance", "187.24", "RUB", "")]),
    },
    Sample {
        item: "B4 UA Kyivstar minutes",
        text: "ZALYSHOK: 1424:00 HV …",
        hint: None,
        expect: Expect {
            notes: &["number without a unit after 'ZALYSHOK': 1424"],
            ..no("uk")
        },
    },
    Sample {
        item: "B4 PL Plus (PrepaidBalance ResponseParserTest)",
        text: "Aktualny stan konta dla numeru 48123456789: 1,23 PLN. Konto wazne do dnia 01-01-2022 01:02:03.Doladuj PLUSem!",
        hint: None,
        expect: Expect {
            expiry: Some("2022-01-01"),
            ..cash("pl", &[("balance", "1.23", "PLN", "")])
        },
    },
    Sample {
        item: "B4 PL nju (PrepaidBalance ResponseParserTest)",
        text: "Twoja oferta to nju na karte.\n1.Stan konta glownego: 11.00 zl. Srodki wazne bezterminowo.",
        hint: None,
        expect: cash("pl", &[("balance", "11.00", "PLN", "")]),
    },
    Sample {
        item: "B4 CZ O2 (PrepaidBalance #188)",
        text: "Dobry den, aktualni vyse Vaseho kreditu na cisle 12345678 je 300 Kc, z toho bonusovy kredit je 0 Kc. Platnost bezneho kreditu: 30. 1. 2024 18:18. Vase O2",
        hint: None,
        expect: Expect {
            expiry: Some("2024-01-30"),
            ..cash("cs", &[("balance", "300", "CZK", ""), ("bonus", "0", "CZK", "")])
        },
    },
    Sample {
        item: "B4 DE Telekom (PrepaidBalance strings)",
        text: "Aktuelles Guthaben: 5,12 EUR\nWähl bitte aus:\n1 Aufladen\n2 Guthaben & Verbrauch…",
        hint: None,
        expect: cash("de", &[("balance", "5.12", "EUR", "")]),
    },
    Sample {
        item: "B4 DE Vodafone (PrepaidBalance ResponseParserTest)",
        text: "Dein Guthaben betraegt: 10,00 EUR Startguthaben, 20,00 EUR Kaufguthaben und 40,00 EUR Geschenkguthaben.",
        hint: None,
        expect: cash(
            "de",
            &[
                ("start", "10.00", "EUR", ""),
                ("purchased", "20.00", "EUR", ""),
                ("gift", "40.00", "EUR", ""),
            ],
        ),
    },
    Sample {
        item: "B4 DE Tchibo menu (gsm-ussd ussd-sessions.txt)",
        text: "Tchibo mobil Servicemenü:\n1 Kontoabfrage\n2 Guthaben-Verfügbarkeit\n3 Aufladung Guthabenkarte\n4 Optionsmanager",
        hint: None,
        expect: no("de"),
    },
    Sample {
        item: "B4 CH Sunrise (PrepaidBalance #136)",
        text: "Ihr Guthaben beträgt CHF 24.50.",
        hint: None,
        expect: cash("de", &[("balance", "24.50", "CHF", "")]),
    },
    Sample {
        item: "B4 UK O2 (PrepaidBalance ResponseParserTest)",
        text: "O2: Your balance is £6.45. Text BALANCE free to 20202 to check your remaining tariff and Bolt On allowances.",
        hint: None,
        expect: cash("en", &[("balance", "6.45", "GBP", "")]),
    },
    Sample {
        item: "B4 US T-Mobile (PrepaidBalance ResponseParserTest)",
        text: "Current plan active until 08/10/2022 and will renew for $12.34. Account Balance $56.78. Add money by dialing *233 or redeem a refill card.",
        // `$` is read only with the country (issue 9: never assumed to be USD).
        hint: Some("en-US"),
        expect: Expect {
            expiry: Some("2022-08-10"),
            ..cash(
                "en",
                &[("renewal", "12.34", "USD", ""), ("balance", "56.78", "USD", "")],
            )
        },
    },
    Sample {
        item: "B4 AU Telstra (gopher phlog 2021-05-15)",
        text: "Pre-Paid Mobile Broadband Exp 25 May 2021 1. Recharge: credit/debit card 2. Recharge: voucher 3. Balance Details 4. Account Management",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("en"),
            expiry: Some("2021-05-25"),
            ..NOTHING
        },
    },
    Sample {
        item: "B4 NZ 2degrees menu",
        text: "1. Your Balance 2. Voucher Top-up",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "B4 ID Indosat (PrepaidBalance #11)",
        text: "Pulsa Rp 1234 s.d. 01-01-2022 \n1 8GB,Rp30rb/30hr\n2 25GB,Rp50rb/30hr\n22 Info",
        hint: None,
        expect: Expect {
            expiry: Some("2022-01-01"),
            notes: &["unclear role: 8GB", "unclear role: 25GB"],
            ..cash("id", &[("balance", "1234", "IDR", "2022-01-01")])
        },
    },
    Sample {
        item: "B4 NP NTC (MeroSim TelephonyUtilsTest)",
        text: "21293 Your balance is Rs. 995.75 test Rs.12",
        hint: Some("en-NP"),
        expect: cash(
            "en",
            &[("balance", "995.75", "NPR", ""), ("unlabelled", "12", "NPR", "")],
        ),
    },
    Sample {
        item: "B4 NP Ncell (MeroSim TelephonyUtilsTest)",
        text: "12113 Balance:Rs. 403.89. test Rs. 12",
        hint: Some("en-NP"),
        expect: cash(
            "en",
            &[("balance", "403.89", "NPR", ""), ("unlabelled", "12", "NPR", "")],
        ),
    },
    Sample {
        item: "B4 IN BSNL expiry SMS",
        text: "Dear Customer,Your Plan485 will expire on 04-NOV-2018.This is for your information Please-BSNL MOBILE",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("en"),
            expiry: Some("2018-11-04"),
            ..NOTHING
        },
    },
    Sample {
        item: "B4 IN BSNL freebies SMS",
        text: "Dear Customer, Freebies PLAN485 will expire Tomorrow.",
        hint: None,
        expect: no("en"),
    },
    Sample {
        item: "B4 IN Dell card (gammu #178)",
        text: "On DATA Pack u have 3Gb 817Mb 169kb valid until 21/05/2016 …",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("en"),
            remaining: Some(3 * GI + 817 * MI + 169 * 1024),
            expiry: Some("2016-05-21"),
            ..NOTHING
        },
    },
    Sample {
        item: "B4 IR operator menu (PrepaidBalance #166)",
        text: "Credit 43240 IRR. WOW 0 IRR, till 9378/10/12.\nReply to activate:\n1.42GB 106250T\n2.5GB DATA 10000T\n3.10GB 10Days 10000T",
        hint: None,
        expect: Expect {
            notes: &["unclear role"],
            ..cash(
                "en",
                &[("balance", "43240", "IRR", ""), ("unlabelled", "0", "IRR", "")],
            )
        },
    },
    Sample {
        item: "B4 ZA (python-gsmmodem fixture)",
        text: "Available Balance: R 96.45 .",
        hint: None,
        expect: cash("en", &[("balance", "96.45", "ZAR", "")]),
    },
    Sample {
        item: "B4 generic silent.link (PrepaidBalance ResponseParserTest)",
        text: "IMSI:123456789012345\n USD:5.87\n Num#:123456789012",
        hint: None,
        expect: Expect {
            money: &[("unlabelled", "5.87", "USD", "")],
            notes: &["language not recognised"],
            ..NOTHING
        },
    },
    // ---------------------------------------------------------------- B1 / C1 (Japanese)
    Sample {
        item: "B1 UQ mobile e-mail (blog post 2020-04-28)",
        text: "… データ残量がなくなった場合、月末までデータ通信の速度に制限がかかります。 【電話番号】 080… 【データプラン】 データ高速（999GB） 【基本データ残量※】 0 MB ※上記…",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("ja"),
            remaining: Some(0),
            notes: &["unclear role: 999GB"],
            ..NOTHING
        },
    },
    Sample {
        item: "C1 IIJmio tools",
        text: "クーポン残量: 10.00 [GB]\n規制状態: 規制なし",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("ja"),
            remaining: Some(10 * GI),
            ..NOTHING
        },
    },
    Sample {
        item: "C1 OCN user report (same amount twice)",
        text: "残容量 5280MB(5.28GB)",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("ja"),
            remaining: Some(5280 * MI),
            ..NOTHING
        },
    },
    Sample {
        item: "C1 JP billing line item (full-width)",
        text: "定額料\u{3000}データプラン５ＧＢ（法人）",
        hint: None,
        expect: Expect {
            notes: &["unclear role: 5GB"],
            ..no("ja")
        },
    },
    Sample {
        item: "C1 SoftBank prepaid recharge",
        text: "残高 3,000円",
        hint: None,
        expect: cash("ja", &[("balance", "3000", "JPY", "")]),
    },
    // ---------------------------------------------------------------- C2 (Chinese fragments)
    Sample {
        item: "C2 CMCC used/available",
        text: "您当月常用流量已用1.85M，可用1198.14M",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hans"),
            remaining: Some(1_256_340_849),
            used: Some(1_939_866),
            ..NOTHING
        },
    },
    Sample {
        item: "C2 account balance",
        text: "账户余额141.59元",
        hint: None,
        expect: cash("zh-Hans", &[("balance", "141.59", "CNY", "")]),
    },
    Sample {
        item: "C2 reset date",
        text: "您的账户余额141.59元，下一个月结日为2018年08月27日",
        hint: None,
        expect: Expect {
            reset: Some("2018-08-27"),
            ..cash("zh-Hans", &[("balance", "141.59", "CNY", "")])
        },
    },
    Sample {
        item: "C2 CMCC units without B",
        text: "剩余10G流量",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hans"),
            remaining: Some(10 * GI),
            ..NOTHING
        },
    },
    // ---------------------------------------------------------------- C3 (Traditional Chinese)
    Sample {
        item: "C3 CHT sizes",
        text: "剩餘數據量 1GB (1,024MB)",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hant"),
            remaining: Some(GI),
            ..NOTHING
        },
    },
    Sample {
        item: "C3 CHT sizes (rounded restatement)",
        text: "剩餘數據量 59.02GB (60,441MB)",
        hint: None,
        expect: Expect {
            understood: true,
            language: Some("zh-Hant"),
            remaining: Some(63_372_242_452),
            ..NOTHING
        },
    },
];
