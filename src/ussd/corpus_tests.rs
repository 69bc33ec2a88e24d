//! Real `+CUSD` lines from the corpus (`shared/corpus/corpus.md`, section A1), each
//! parsed and decoded end to end. Row ids are the corpus item numbers.

use super::*;
use Interpretation::*;

struct Row {
    id: &'static str,
    line: &'static str,
    cscs: Charset,
    mode: u8,
    dcs: Option<u8>,
    text: Option<&'static str>,
    interpretation: Interpretation,
    replacements: usize,
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            // obsy/sms_tool #4, Huawei, MTS RU (verified)
            id: "#1",
            line: "+CUSD: 0,\"04110430043B0430043D0441003A0032003200320030002C003700360440\",72",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: Some(72),
            text: Some("Баланс:2220,76р"),
            interpretation: Ucs2Hex,
            replacements: 0,
        },
        Row {
            // gammu tests/at-ussd/issue109-E3276.dump (verified)
            id: "#2",
            line: "+CUSD: 0,\"0414043B044F00200441043F044004300432043A04380020043E002004310430043B0430043D044104350020043D04300431043504400438044204350020002A0031003000350023002E002004230441043B0443043304300020043104350441043F043B04300442043D0430002E\",72",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: Some(72),
            text: Some("Для справки о балансе наберите *105#. Услуга бесплатна."),
            interpretation: Ucs2Hex,
            replacements: 0,
        },
        Row {
            // RU operator, microcontroller source comment (verified)
            id: "#3",
            line: "+CUSD: 0,\"0421043F0430044104380431043E0020043704300020043E04310440043004490435043D0438043500210020041C044B0020043D0430043F0440043004320438043C0020043E04420432043504420020043D04300020041204300448002004370430043F0440043E04410020043200200053004D0053\",72",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: Some(72),
            text: Some("Спасибо за обращение! Мы направим ответ на Ваш запрос в SMS"),
            interpretation: Ucs2Hex,
            replacements: 0,
        },
        Row {
            // obsy/sms_tool #13, ZTE MF286D: DCS 7 but UCS-2 hex.
            id: "#7",
            line: "+CUSD: 0,\"002000440075002000680061007200200030002C003000300020006B00720020006F0063006800200030002C00390039002000470042002000730075007200660020006B007600610072002E002000440075002000720069006E0067006500720020006600F6007200200032006B0072002F00730061006D00740061006C002C00200073006B00690063006B0061007200200053004D0053002F004D004D00530020006600F6007200200035003000F600720065002F00730074002E0020004B00F60070002000730075007200660020007000E5002000680061006C00650062006F0070002E00730065002F006500780074007200610073\",7",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: Some(7),
            text: Some(" Du har 0,00 kr och 0,99 GB surf kvar. Du ringer för 2kr/samtal, skickar SMS/MMS för 50öre/st. Köp surf på halebop.se/extras"),
            interpretation: Ucs2Hex,
            replacements: 0,
        },
        Row {
            // gammu #358 (full line from the debug log; the corpus elides the middle),
            // Quectel M35 with AT+CSCS="UCS2": DCS 15 but UCS-2 hex (verified).
            id: "#8",
            line: "+CUSD: 2,\"00480061007600690020006B0065007200650074003A0020003000460074002E002000460065006C007400F6006C007400F60074007400200065006700790065006E006C00650067003A0020003700370037003700460074002C002800650062006200F6006C0020007600E0007300E00072006C00E000730072006100200069007300200066006F0072006400EC007400680061007400F2003A00200037003700370037004600740029002E0020004400EC006A00630073006F006D00610067003A002000420065006E0063007300F200200041002E00200055006A002000540065006C0065006B006F006D002000F6006E006B00690073007A006F006C006700E0006C00F2003A0020002A0031003100310023\",15",
            cscs: Charset::Ucs2,
            mode: 2,
            dcs: Some(15),
            text: Some("Havi keret: 0Ft. Feltöltött egyenleg: 7777Ft,(ebböl vàsàrlàsra is fordìthatò: 7777Ft). Dìjcsomag: Bencsò A. Uj Telekom önkiszolgàlò: *111#"),
            interpretation: Ucs2Hex,
            replacements: 0,
        },
        Row {
            // antoncom/tsmodem balance.lua: lower case, space before DCS, DCS 17 without preamble.
            id: "#10",
            line: "+CUSD: 2,\"003600310031002e0032003000200440002e\", 17",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: Some(17),
            text: Some("611.20 р."),
            interpretation: Ucs2Hex,
            replacements: 0,
        },
        Row {
            // antoncom/tsmodem cusd.lua: lower case, junk `r` after the DCS.
            id: "#11",
            line: "+CUSD: 0,\"04110430043b0430043d0441003a003200390036002c003000320440\", 17r",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: Some(17),
            text: Some("Баланс:296,02р"),
            interpretation: Ucs2Hex,
            replacements: 0,
        },
        Row {
            // gammu tests/at-ussd/02-E160.dump, Huawei E160: packed GSM 7-bit as hex (verified).
            id: "#13",
            line: "+CUSD: 0,\"49B41C74ACD3D16171D90D32FBE52072BA0C72CA5DB45CAC76C3CD6CB41B2D060389CB74F9FE4C07D55C371CA85897BF1B\",15",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: Some(15),
            text: Some("Ihr Guthaben für die Nr.4915783647410 beträgt 5.78 Euro"),
            interpretation: Gsm7PackedHex,
            replacements: 0,
        },
        Row {
            // Tigo menu, python PDU helper comment (corpus: "my decode"). Checked here: the
            // last septet is a LF (0x0A) that the corpus text leaves out; it is kept.
            id: "#15",
            line: "+CUSD: 1,\"C274D96D2FBBD3E437280CA2A6CF6FD014FD86C3D3EE330B5466A7CF65D01B3E4EBFDD3A8522E66A41C3F17A999E3EBFE70A99AB452D83E2F532393CA79741F3B41B349697C969FAFBA798B95ACBF47BBE7E83A8C9E3534173B582637ADA1E064DC36CF21B0495BFDB6F05\",15",
            cscs: Charset::Gsm,
            mode: 1,
            dcs: Some(15),
            text: Some("Bienvenido a Tigo Shopping, elige opcion:\n\n1.-Paquetigos\n2.-Te quedaste sin credito?\n3.-Kiosko TIGO\n4.-Activa Saldo Promo\n"),
            interpretation: Gsm7PackedHex,
            replacements: 0,
        },
        Row {
            // gammu #513, Indonesia: DCS 0 but ASCII octets as hex (verified).
            id: "#18",
            line: "+CUSD: 1,\"536973612070756C73612052702E333030302E416B7469662073642032362F30322F323032302E0A4B6F6E74656E20526961204D6972616E64612026205261696820556D726F682E5270323230302F534D532F32487220736C6D2031383048720A312E59410A322E43656B204B756F74610A332E4E656C706F6E0A342E496E7465726E65740A352E4C61696E6E79610A\",0",
            cscs: Charset::Gsm,
            mode: 1,
            dcs: Some(0),
            text: Some("Sisa pulsa Rp.3000.Aktif sd 26/02/2020.\nKonten Ria Miranda & Raih Umroh.Rp2200/SMS/2Hr slm 180Hr\n1.YA\n2.Cek Kuota\n3.Nelpon\n4.Internet\n5.Lainnya\n"),
            interpretation: EightBitHex,
            replacements: 0,
        },
        Row {
            // MTN Ghana, Arduino sketch comment: plain text, DCS 64.
            id: "#19",
            line: "+CUSD: 0,\"Your number is: 233241943721\",64",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: Some(64),
            text: Some("Your number is: 233241943721"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // MTN Ghana *170#: newlines inside the quotes.
            id: "#20",
            line: "+CUSD: 1,\"Main Menu\r\n1) Transfer Money\r\n2) Pay Bill\r\n3) Buy Airtime\r\n4) My Wallet\",64",
            cscs: Charset::Gsm,
            mode: 1,
            dcs: Some(64),
            text: Some("Main Menu\r\n1) Transfer Money\r\n2) Pay Bill\r\n3) Buy Airtime\r\n4) My Wallet"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // gammu #150 (melones), CSCS GSM.
            id: "#21",
            line: "+CUSD: 2,\"Pozostalo Ci 50,04zl do wykorzystania do 2018-09-04 23:59:59. Dodatkowo w ramach srodkow promocyjnych masz 0,00zl do wykorzystania do 2017-05-27 23:59:59.\",15",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: Some(15),
            text: Some("Pozostalo Ci 50,04zl do wykorzystania do 2018-09-04 23:59:59. Dodatkowo w ramach srodkow promocyjnych masz 0,00zl do wykorzystania do 2017-05-27 23:59:59."),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // gammu #150 (gnidorah): multi-line, leading space, no DCS.
            id: "#22",
            line: "+CUSD: 0,\" Vash balans 968.98 r.\r\nDlya vas - nedelya besplatnogo SMS-obsh'eniya s drugom! Podkl.: *320#\"",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: None,
            text: Some(" Vash balans 968.98 r.\r\nDlya vas - nedelya besplatnogo SMS-obsh'eniya s drugom! Podkl.: *320#"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // gammu tests/at-ussd/03-unknown.dump: raw GSM 0x7B (ä) passed through as `{`.
            id: "#23",
            line: "+CUSD: 1,\"Kontostand: 3.00 EUR Bitte w{hlen Sie: 1 Konto aufladen 2 CallNow Transfer\"",
            cscs: Charset::Gsm,
            mode: 1,
            dcs: None,
            text: Some("Kontostand: 3.00 EUR Bitte wählen Sie: 1 Konto aufladen 2 CallNow Transfer"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // gammu tests/at-ussd/04-unknown.dump.
            id: "#24",
            line: "+CUSD: 2,\"Maaf, permintaan Anda tidak dapat kami proses. Silakan coba beberapa saat lagi.\",0",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: Some(0),
            text: Some("Maaf, permintaan Anda tidak dapat kami proses. Silakan coba beberapa saat lagi."),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // TinyGSM #192, SIM800 with CSCS IRA: accents already lost by the modem.
            id: "#26",
            line: "+CUSD: 0, \"Votre cr\u{FFFD}dit  s'\u{FFFD}l\u{FFFD}ve \u{FFFD} CHF 3.75.\", 2",
            cscs: Charset::Ira,
            mode: 0,
            dcs: Some(2),
            text: Some("Votre cr\u{FFFD}dit  s'\u{FFFD}l\u{FFFD}ve \u{FFFD} CHF 3.75."),
            interpretation: PlainText,
            replacements: 4,
        },
        Row {
            // gammu #179: Cyrillic mangled to 7 bits under CSCS IRA, no closing quote.
            id: "#27",
            line: "+CUSD: 0,\"799.55@.+1000@ 70 25@=K5 >B25BK =0 2>?@>AK *5   2",
            cscs: Charset::Ira,
            mode: 0,
            dcs: None,
            text: Some("799.55@.+1000@ 70 25@=K5 >B25BK =0 2>?@>AK *5   2"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // Telkomsel ID, Wavecom test fixture.
            id: "#28",
            line: "+CUSD: 2,\"Maaf, operasi gagal karena format pesan yang tidak valid.\",15",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: Some(15),
            text: Some("Maaf, operasi gagal karena format pesan yang tidak valid."),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // Kyivstar UA (C header comment): no quotes.
            id: "#29",
            line: "+CUSD: 2,Na rahunku: <...> grn",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: None,
            text: Some("Na rahunku: <...> grn"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // lifecell UA: truncated, no closing quote.
            id: "#30",
            line: "+CUSD: 2,\"Balans 35.28grn, bonus",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: None,
            text: Some("Balans 35.28grn, bonus"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // Vodafone UA (Zephyr driver comment): space before the DCS.
            id: "#32",
            line: "+CUSD: 2,\"Na Vashomu rahunku 8.05 grn. Taryf 'Vodafone Device M'. Nomer diysnyi do 28.12.2025 00:00:00.\", 0",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: Some(0),
            text: Some("Na Vashomu rahunku 8.05 grn. Taryf 'Vodafone Device M'. Nomer diysnyi do 28.12.2025 00:00:00."),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // MTS RU (antoncom/tsmodem): no DCS.
            id: "#33",
            line: "+CUSD: 2,\"Balance:633,100r\"",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: None,
            text: Some("Balance:633,100r"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // smn/txgsm README: menu question with a trailing space.
            id: "#35",
            line: "+CUSD: 1,\"What would you like to search Wikipedia for? \",15",
            cscs: Charset::Gsm,
            mode: 1,
            dcs: Some(15),
            text: Some("What would you like to search Wikipedia for? "),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // gammu #292, Sony Ericsson W810i: empty text.
            id: "#36",
            line: "+CUSD: 0,\"\"",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: None,
            text: Some(""),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // Seeed-Studio/GPRS_SIM900 #22: status only.
            id: "#37",
            line: "+CUSD: 2",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: None,
            text: None,
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // gammu #150: UCS-2-hex request rejected.
            id: "#38",
            line: "+CUSD: 4",
            cscs: Charset::Gsm,
            mode: 4,
            dcs: None,
            text: None,
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // faucamp/python-gsmmodem test_modem.py: release notice.
            id: "#39a",
            line: "+CUSD: 2,\"Initiating Release\",15",
            cscs: Charset::Gsm,
            mode: 2,
            dcs: Some(15),
            text: Some("Initiating Release"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            id: "#39b",
            line: "+CUSD: 3,\"Other local client responded\",15",
            cscs: Charset::Gsm,
            mode: 3,
            dcs: Some(15),
            text: Some("Other local client responded"),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // Ai-Thinker-Open/GPRS-AT #12: undocumented mode 6.
            id: "#40",
            line: "+CUSD: 6, \"...\"",
            cscs: Charset::Gsm,
            mode: 6,
            dcs: None,
            text: Some("..."),
            interpretation: PlainText,
            replacements: 0,
        },
        Row {
            // gammu #294 (Huawei E150, CSCS GSM, packed request AA184C3602): not in
            // corpus.md but a real line from the same issue tracker; my decode.
            id: "gammu#294",
            line: "+CUSD: 0,\"04110430043B0430043D04410020003500320035002E0032003500200440002E\",72",
            cscs: Charset::Gsm,
            mode: 0,
            dcs: Some(72),
            text: Some("Баланс 525.25 р."),
            interpretation: Ucs2Hex,
            replacements: 0,
        },
    ]
}

#[test]
fn corpus_lines_parse_and_decode() {
    let mut failures = Vec::new();
    for r in rows() {
        let c = match parse_cusd(r.line) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{}: parse error {e}", r.id));
                continue;
            }
        };
        if c.mode != r.mode || c.dcs != r.dcs {
            failures.push(format!(
                "{}: mode/dcs\n  expected {:?}/{:?}\n  actual   {:?}/{:?}",
                r.id, r.mode, r.dcs, c.mode, c.dcs
            ));
        }
        let decoded = c
            .text
            .as_deref()
            .map(|p| decode_payload(p, c.dcs, r.cscs.clone(), &DecodeOverrides::default()));
        match (&decoded, r.text) {
            (None, None) => {}
            (Some(u), Some(want)) => {
                if u.text != want
                    || u.interpretation != r.interpretation
                    || u.replacements != r.replacements
                {
                    failures.push(format!(
                        "{}:\n  expected {:?} {want:?} repl {}\n  actual   {:?} {:?} repl {} warnings {:?}",
                        r.id, r.interpretation, r.replacements, u.interpretation, u.text, u.replacements, u.warnings
                    ));
                }
                if u.raw != c.text.clone().unwrap_or_default() {
                    failures.push(format!("{}: raw not kept", r.id));
                }
            }
            (d, want) => failures.push(format!(
                "{}: text presence\n  expected {want:?}\n  actual   {:?}",
                r.id,
                d.as_ref().map(|u| &u.text)
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn corpus_17_packed_payload() {
    // wdoekes/asterisk-chan-dongle #38 (Tele2 RU): only the payload is quoted in the source.
    let u = decode_payload(
        "CE325C1EB6A7D9EE7C1AE47EB7CB72507DCEAE9FD3",
        Some(15),
        Charset::Gsm,
        &DecodeOverrides::default(),
    );
    assert_eq!(u.text, "Nepravilnyi nomer uslugi");
    assert_eq!(u.interpretation, Gsm7PackedHex);
}

#[test]
fn huawei_zero_fill_gammu_374() {
    // The zero-filled packing from gammu #374, if a modem printed it in a reply.
    let u = decode_payload(
        "2A5ACDA6A28D00",
        Some(15),
        Charset::Gsm,
        &DecodeOverrides::default(),
    );
    // Too short and symbol-only to be detected as packed: kept as text, raw visible.
    assert_eq!(u.text, "2A5ACDA6A28D00");
    // Once the reading is known (Huawei profile), the phantom `@` is removed and reported.
    let ov = DecodeOverrides {
        interpretation: Some(Gsm7PackedHex),
        ..Default::default()
    };
    let u = decode_payload("2A5ACDA6A28D00", Some(15), Charset::Gsm, &ov);
    assert_eq!(u.text, "*456*4#");
    assert!(u.warnings.iter().any(|w| w.contains("gammu issue #374")));
}

#[test]
fn status_of_corpus_modes() {
    assert_eq!(
        parse_cusd("+CUSD: 4").map(|c| c.status()),
        Ok(UssdStatus::NotSupported)
    );
    assert_eq!(
        parse_cusd("+CUSD: 6, \"...\"").map(|c| c.status()),
        Ok(UssdStatus::Unknown(6))
    );
    assert_eq!(
        parse_cusd("+CUSD: 1,\"x\",15").map(|c| c.status().expects_reply()),
        Ok(true)
    );
}

#[test]
fn mislabelled_dcs_lines_warn() {
    // A reading that departs from DCS/CSCS is never silent (#7 ZTE, #13 Huawei, #18 ID).
    for id in ["#7", "#13", "#15", "#18"] {
        let r = rows().into_iter().find(|r| r.id == id).expect("row exists");
        let c = parse_cusd(r.line).expect("parses");
        let u = decode_payload(
            c.text.as_deref().unwrap_or(""),
            c.dcs,
            r.cscs,
            &DecodeOverrides::default(),
        );
        assert!(!u.warnings.is_empty(), "{id}: no warning");
    }
}

#[test]
fn corpus_packed_replies_encode_back() {
    // Test vectors both ways: the decoded text packs back to the exact octets the modem
    // printed (#13 Huawei E160, #15 Tigo, #17 Tele2).
    for id in ["#13", "#15"] {
        let r = rows().into_iter().find(|r| r.id == id).expect("row exists");
        let payload = parse_cusd(r.line)
            .ok()
            .and_then(|c| c.text)
            .unwrap_or_default();
        let text = r.text.unwrap_or_default();
        let packed = crate::codec::gsm7::encode_ussd_packed(text).expect("GSM text");
        assert_eq!(crate::codec::hex::encode(&packed), payload, "{id}");
    }
    let packed =
        crate::codec::gsm7::encode_ussd_packed("Nepravilnyi nomer uslugi").expect("GSM text");
    assert_eq!(
        crate::codec::hex::encode(&packed),
        "CE325C1EB6A7D9EE7C1AE47EB7CB72507DCEAE9FD3"
    );
}
