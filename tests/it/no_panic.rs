//! The fuzz targets' checks under `cargo test`: proptest feeds each entry point (AT session,
//! USSD, SMS PDU and listings, SMS encode/decode round trip, transcripts, balance parser)
//! with the committed seeds of `fuzz/seeds/<target>/` mutated at random (bytes flipped,
//! inserted, deleted, option bytes changed, pieces of two seeds spliced), plus some uniformly
//! random inputs. The checks are the fuzz targets' own (`fuzz/src/lib.rs`, included here), so
//! besides "no panic" they assert the documented invariants. 256 cases each.

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use proptest::prelude::*;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seed directory {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_none())
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

/// One edit of a seed.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    /// Set one of the leading option bytes.
    Option(usize, u8),
    /// Replace the tail from `at` with the tail of another seed from `from`.
    Splice(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), 1..=255u8).prop_map(|(p, b)| Edit::Flip(p, b)),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Insert(p, b)),
        3 => any::<usize>().prop_map(Edit::Delete),
        2 => (0..4usize, any::<u8>()).prop_map(|(i, b)| Edit::Option(i, b)),
        1 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(a, s, f)| Edit::Splice(a, s, f)),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit], all: &[Vec<u8>]) -> Vec<u8> {
    for e in edits {
        match *e {
            Edit::Flip(p, b) if !data.is_empty() => {
                let i = p % data.len();
                data[i] ^= b;
            }
            Edit::Insert(p, b) => data.insert(p % (data.len() + 1), b),
            Edit::Delete(p) if !data.is_empty() => {
                data.remove(p % data.len());
            }
            Edit::Option(i, b) if i < data.len() => data[i] = b,
            Edit::Splice(at, seed, from) => {
                let other = &all[seed % all.len()];
                let at = at % (data.len() + 1);
                let from = from % (other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => {}
        }
    }
    data
}

/// A seed with up to 8 edits (most cases), or uniformly random bytes.
fn input(target: &str) -> impl Strategy<Value = Vec<u8>> {
    let all = seeds(target);
    let n = all.len();
    prop_oneof![
        4 => (0..n, proptest::collection::vec(edit(), 0..8))
            .prop_map(move |(i, edits)| apply(all[i].clone(), &edits, &all)),
        1 => proptest::collection::vec(any::<u8>(), 0..300),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn at_session_survives_mutated_transcripts(data in input("at_session")) {
        harness::at_session(&data);
    }

    #[test]
    fn ussd_survives_mutated_cusd_lines(data in input("ussd")) {
        harness::ussd(&data);
    }

    #[test]
    fn sms_pdu_survives_mutated_pdus_and_listings(data in input("sms_pdu")) {
        harness::sms_pdu(&data);
    }

    #[test]
    fn sms_submit_round_trips_mutated_texts(data in input("sms_roundtrip")) {
        harness::sms_roundtrip(&data);
    }

    #[test]
    fn transcript_survives_mutated_atx(data in input("transcript")) {
        harness::transcript(&data);
    }

    #[test]
    fn balance_parse_survives_mutated_replies(data in input("balance")) {
        harness::balance(&data);
    }
}

/// The harness rejects what it should: a session that answers a command twice would not pass.
#[test]
fn harness_checks_events_against_the_script() {
    // AT+CREG? (mode 3), whole input in one chunk: one answer, then a stray OK (an Other event).
    let mut data = vec![3u8, 7];
    data.extend_from_slice(b"\r\n+CREG: 0,1\r\n\r\nOK\r\n\r\nOK\r\n");
    harness::at_session(&data);
    // Seeds are loaded for every target.
    for t in [
        "at_session",
        "ussd",
        "sms_pdu",
        "sms_roundtrip",
        "transcript",
        "balance",
    ] {
        assert!(seeds(t).len() >= 5, "{t}");
    }
}
