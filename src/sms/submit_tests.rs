//! SMS-SUBMIT encoder: fixed vectors written from TS 23.040 byte by byte, splitting rules,
//! and encode → decode → reassemble properties.

use super::*;
use crate::codec::{hex, Alphabet};
use proptest::prelude::*;

fn clean(h: &str) -> String {
    h.split_whitespace().collect()
}

fn opts(reference: ConcatRef) -> SubmitOptions {
    SubmitOptions {
        concat_reference: reference,
        ..SubmitOptions::default()
    }
}

#[test]
fn fixed_vectors_both_ways() {
    let rows: &[(&str, &str, SubmitOptions, &str)] = &[
        (
            "+27820001111",
            "Hello World!",
            SubmitOptions::default(),
            "00 \
             01 \
             00 \
             0B 91 7228001011F1 \
             00 \
             00 \
             0C C8329BFD065DDF72363904",
            // 00: SMSC prefix, empty (the SIM's SMSC is used)
            // 01: SMS-SUBMIT, TP-VPF 00 (none), no TP-SRR, no TP-UDHI
            // 00: TP-MR, the modem assigns it
            // 0B 91 …: TP-DA, 11 digits, international/ISDN, swapped semi-octets, F filler
            // 00: TP-PID; 00: TP-DCS GSM 7-bit
            // 0C: TP-UDL 12 septets, then the packed text (same as python-gsmmodem's vector)
        ),
        (
            "10086",
            "查询流量",
            SubmitOptions {
                concat_reference: ConcatRef::EightBit(0),
                status_report: true,
                validity: ValidityPeriod::Relative(0xA7),
            },
            "00 \
             31 \
             00 \
             05 81 0180F6 \
             00 \
             08 \
             A7 \
             08 67E5 8BE2 6D41 91CF",
            // 31: SMS-SUBMIT | TP-VPF 10 (relative, 0x10) | TP-SRR (0x20)
            // 05 81 0180F6: "10086", 5 digits, unknown type / ISDN plan
            // 08: TP-DCS UCS-2; A7: TP-VP 167 = 12 h + 24 × 30 min = 24 h
            // 08: TP-UDL 8 octets = 4 UCS-2 units
        ),
        (
            "*100#",
            "Hi",
            SubmitOptions::default(),
            "00 01 00 05 81 1A00FB 00 00 02 C834",
            // TP-DA "*100#": `*` is semi-octet A and `#` is B (TS 23.040 §9.1.2.3)
        ),
    ];
    for (to, text, o, want) in rows {
        let parts = encode_submit(to, text, o).unwrap();
        assert_eq!(parts.len(), 1);
        let want = clean(want);
        assert_eq!(parts[0].hex, want, "{text}");
        assert_eq!(parts[0].tpdu_len, want.len() / 2 - 1);
        assert_eq!(
            parts[0].at_command(),
            format!("AT+CMGS={}", want.len() / 2 - 1)
        );
        // And back.
        let sms = Pdu::decode_hex(&want, SmscPrefix::Present).unwrap();
        assert_eq!(sms.text, *text);
        assert_eq!(sms.address.display(), *to);
        let SmsKind::Submit(s) = sms.kind else {
            panic!("not a submit")
        };
        assert_eq!(s.status_report_request, o.status_report);
        assert_eq!(s.validity, o.validity);
        assert!(sms.warnings.is_empty());
    }
    // MM's "no validity" GSM vector, re-built: 25 characters, the last septet alone in
    // its octet.
    let p = encode_submit(
        "+15556661234",
        "This is really cool ΔΔΔΔΔ",
        &SubmitOptions::default(),
    )
    .unwrap();
    assert_eq!(
        p[0].hex,
        "0001000B915155661632F4000019547 47A0E4ACF41F27298CDCE83C6EF371B0481402010"
            .replace(' ', "")
    );
}

#[test]
fn multipart_gsm_vector() {
    let text = "a".repeat(161);
    let parts = encode_submit("+27820001111", &text, &opts(ConcatRef::EightBit(0x42))).unwrap();
    assert_eq!(parts.len(), 2);
    // Part 2 by hand:
    let want = clean(
        "00 41 00 0B 91 7228001011F1 00 00 \
         0F 050003 42 02 02 C2E170381C0E8701",
    );
    // 41: SMS-SUBMIT with TP-UDHI; UDL 0x0F = 7 header septets (6 octets + 1 fill bit)
    // + 8 text septets; 050003 42 02 02: concatenation, 8-bit ref 0x42, part 2 of 2;
    // then eight 'a' (0x61) packed after one fill bit.
    assert_eq!(parts[1].hex, want);
    assert_eq!((parts[1].seq, parts[1].total), (2, 2));
    let first = Pdu::decode(&parts[0].bytes, SmscPrefix::Present).unwrap();
    assert_eq!(first.text, "a".repeat(153));
    assert_eq!(
        first.concat.map(|c| (c.reference, c.total, c.seq)),
        Some((0x42, 2, 1))
    );
}

#[test]
fn split_points() {
    let cases: Vec<(String, ConcatRef, Vec<usize>, Alphabet)> = vec![
        // Exactly one part.
        (
            "a".repeat(160),
            ConcatRef::EightBit(1),
            vec![160],
            Alphabet::Gsm7,
        ),
        (
            "あ".repeat(70),
            ConcatRef::EightBit(1),
            vec![70],
            Alphabet::Ucs2,
        ),
        // Extension characters cost two septets: 80 × '€' = 160 septets, one part.
        (
            "€".repeat(80),
            ConcatRef::EightBit(1),
            vec![80],
            Alphabet::Gsm7,
        ),
        (
            "€".repeat(81),
            ConcatRef::EightBit(1),
            vec![76, 5],
            Alphabet::Gsm7,
        ),
        // 152 'a' then '€': the ESC pair does not fit in 153 and moves whole.
        (
            "a".repeat(152) + "€€€€€",
            ConcatRef::EightBit(1),
            vec![152, 5],
            Alphabet::Gsm7,
        ),
        // 16-bit reference: 152 septets a part.
        (
            "a".repeat(305),
            ConcatRef::SixteenBit(7),
            vec![152, 152, 1],
            Alphabet::Gsm7,
        ),
        // UCS-2: 67 units a part; an emoji (2 units) never straddles.
        (
            "あ".repeat(66) + "😀😀😀",
            ConcatRef::EightBit(1),
            vec![66, 3],
            Alphabet::Ucs2,
        ),
        (
            "あ".repeat(71),
            ConcatRef::SixteenBit(1),
            vec![66, 5],
            Alphabet::Ucs2,
        ),
        // Empty text: one empty part.
        (
            String::new(),
            ConcatRef::EightBit(1),
            vec![0],
            Alphabet::Gsm7,
        ),
    ];
    for (text, r, lens, alphabet) in cases {
        let parts = encode_submit("+8190", &text, &opts(r)).unwrap();
        let decoded: Vec<Sms> = parts
            .iter()
            .map(|p| Pdu::decode(&p.bytes, SmscPrefix::Present).unwrap())
            .collect();
        let got: Vec<usize> = decoded.iter().map(|s| s.text.chars().count()).collect();
        assert_eq!(got, lens, "{text}");
        for s in &decoded {
            assert_eq!(s.dcs.alphabet, alphabet);
            assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        }
        let joined: String = decoded.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, text);
    }
}

#[test]
fn bad_numbers_are_rejected() {
    for to in [
        "",
        "   ",
        "+",
        "abc",
        "+81 90 12x4",
        "0123456789012345678901",
    ] {
        let e = encode_submit(to, "hi", &SubmitOptions::default()).unwrap_err();
        assert!(
            matches!(e, EncodeError::InvalidNumber { .. }),
            "{to}: {e:?}"
        );
        assert!(e.to_string().contains("number"), "{e}");
    }
    // Separators are fine.
    assert!(encode_submit("+81 (90) 1234-5678", "hi", &SubmitOptions::default()).is_ok());
}

#[test]
fn too_many_parts() {
    let text = "a".repeat(153 * 256);
    let e = encode_submit("+8190", &text, &opts(ConcatRef::EightBit(1))).unwrap_err();
    assert_eq!(e, EncodeError::TooLong { parts: 256 });
}

fn text_strategy() -> impl Strategy<Value = String> {
    let gsm = prop::sample::select(vec![
        'a', 'Z', '0', ' ', '@', '£', 'é', 'Δ', '\n', '€', '[', ']', '{', '}', '~', '\\', '^', '|',
        '\u{0C}',
    ]);
    let wide = prop::sample::select(vec!['あ', '叶', '你', '好', '😀', '🎉', 'Ж', '€', 'a']);
    prop_oneof![
        prop::collection::vec(gsm, 0..1000),
        prop::collection::vec(wide, 0..400),
    ]
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn prop_encode_decode_reassemble(
        text in text_strategy(),
        r in any::<u16>(),
        sixteen in any::<bool>(),
    ) {
        let reference = if sixteen { ConcatRef::SixteenBit(r) } else { ConcatRef::EightBit(r as u8) };
        let parts = encode_submit("+819012345678", &text, &opts(reference)).unwrap();
        let total = parts.len();
        let mut re = Reassembler::new(Some("81"));
        for (i, p) in parts.iter().enumerate() {
            prop_assert_eq!(p.tpdu_len + 1, p.bytes.len());
            prop_assert_eq!(&p.hex, &hex::encode(&p.bytes));
            let sms = Pdu::decode(&p.bytes, SmscPrefix::Present).unwrap();
            // No lone ESC, no lone surrogate: the part decodes cleanly.
            prop_assert!(sms.warnings.is_empty(), "{:?}", sms.warnings);
            prop_assert_eq!(sms.replacements, 0);
            let header = if sms.udh.is_empty() { 0 } else {
                1 + sms.udh.iter().map(|e| 2 + e.data.len()).sum::<usize>()
            };
            prop_assert!(header + sms.data.len() <= 140);
            if total > 1 {
                let c = sms.concat.unwrap();
                prop_assert_eq!((c.total as usize, c.seq as usize), (total, i + 1));
                prop_assert_eq!(c.sixteen_bit, sixteen);
                prop_assert_eq!(c.reference, if sixteen { r } else { r & 0xFF });
            } else {
                prop_assert!(sms.concat.is_none());
            }
            // Value → bytes → value is stable.
            prop_assert_eq!(sms.encode(SmscPrefix::Present).unwrap(), p.bytes.clone());
            re.add(sms, None);
        }
        let done = re.finish();
        prop_assert_eq!(done.len(), 1);
        prop_assert_eq!(&done[0].text, &text);
    }
}
