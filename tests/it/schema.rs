//! The JSON Schemas under docs/schema/ are generated from the output types and must match
//! them; real `--json` outputs of the binary (on the emulator) must validate against them.
//!
//! Regenerate after changing an output type:
//! `SIMQUOTA_WRITE_SCHEMAS=1 cargo test --test it schema` (then commit docs/schema/).

use std::path::PathBuf;

use crate::common::*;

fn schema_dir() -> PathBuf {
    root().join("docs/schema")
}

#[test]
fn committed_schemas_match_the_types() {
    let write = std::env::var_os("SIMQUOTA_WRITE_SCHEMAS").is_some_and(|v| v == "1");
    let dir = schema_dir();
    let mut stale = Vec::new();
    let expected: Vec<(&str, String)> = simquota::output::schemas()
        .iter()
        .map(|(name, s)| (*name, simquota::output::schema_text(s)))
        .collect();
    for (name, text) in &expected {
        let path = dir.join(name);
        if write {
            std::fs::create_dir_all(&dir).expect("docs/schema is writable");
            std::fs::write(&path, text).expect("schema written");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == *text => {}
            Ok(_) => stale.push(format!("{name} differs from the types")),
            Err(e) => stale.push(format!("{name}: {e}")),
        }
    }
    // No schema left behind for a document that no longer exists.
    for e in std::fs::read_dir(&dir)
        .expect("docs/schema exists")
        .flatten()
    {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.ends_with(".json") && !expected.iter().any(|(name, _)| *name == n) {
            stale.push(format!("{n} has no type"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/schema is out of date ({}); regenerate with SIMQUOTA_WRITE_SCHEMAS=1 cargo test --test it schema",
        stale.join("; ")
    );
}

/// Validates `doc` against docs/schema/`name`, listing every violation.
fn assert_valid(name: &str, doc: &serde_json::Value) {
    let text = std::fs::read_to_string(schema_dir().join(name)).expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let v = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {}\n{doc:#}", errors.join("\n"));
}

/// Runs `args` and returns the JSON on stdout with the exit code.
fn json_of(args: &[&str], state: &std::path::Path) -> (serde_json::Value, Option<i32>) {
    let o = run(args, state);
    (json(&o), o.status.code())
}

#[test]
fn real_outputs_validate_against_their_schemas() {
    let state = tempdir("schema");
    let sms = root().join("scenarios/cn-mobile-sms.toml");
    let sms = sms.to_str().expect("utf-8 path");
    let sim = ["--simulate"];
    let with = |base: &[&str], extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let cases: Vec<(&str, Vec<String>, i32)> = vec![
        ("balance.json", with(&["balance", "--json"], &sim), 0),
        (
            "balance.json",
            with(&["balance", "--json", "--scenario", sms], &sim),
            0,
        ),
        ("info.json", with(&["info", "--json"], &sim), 0),
        ("ussd.json", with(&["ussd", "*102#", "--json"], &sim), 0),
        ("ussd-cancel.json", with(&["ussd", "--cancel", "--json"], &sim), 0),
        ("carriers.json", with(&["carriers", "--json"], &[]), 0),
        (
            "carriers-show.json",
            with(&["carriers", "show", "cn-china-mobile", "--json"], &[]),
            0,
        ),
        (
            "parse.json",
            with(&["parse", "--json", "Balance 12.50 EUR, 850 MB left, valid until 31.12.2026"], &[]),
            0,
        ),
        (
            "decode-ussd.json",
            with(&["decode", "ussd", "--json", "+CUSD: 0,\"0414043E044104420443043F043D043E0020003500200413041100200434043E002000310035002E00300031\",72"], &[]),
            0,
        ),
        (
            "decode-pdu.json",
            with(&["decode", "pdu", "--json", "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"], &[]),
            0,
        ),
        (
            "sms-send.json",
            with(&["sms", "send", "10086", "hello", "--json", "--scenario", sms], &sim),
            0,
        ),
        (
            "sms-list.json",
            with(&["sms", "list", "--json", "--scenario", sms], &sim),
            0,
        ),
        (
            "error.json",
            with(&["balance", "--json", "--port", "/dev/simquota-no-such-port"], &[]),
            1,
        ),
        (
            "error.json",
            with(&["balance", "--json", "--format", "prometheus"], &sim),
            2,
        ),
    ];
    for (schema, args, code) in &cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let (doc, got) = json_of(&a, &state);
        assert_eq!(got, Some(*code), "{a:?}: {doc}");
        assert_valid(schema, &doc);
    }

    // sms read / delete: an index the listing gave.
    let (list, _) = json_of(
        &["sms", "list", "--json", "--simulate", "--scenario", sms],
        &state,
    );
    let loc = &list["messages"][0]["locations"][0];
    let index = format!(
        "{}:{}",
        loc["storage"].as_str().expect("a storage"),
        loc["index"]
    );
    let (doc, code) = json_of(
        &[
            "sms",
            "read",
            &index,
            "--json",
            "--simulate",
            "--scenario",
            sms,
        ],
        &state,
    );
    assert_eq!(code, Some(0), "{doc}");
    assert_valid("sms-read.json", &doc);
    let (doc, code) = json_of(
        &[
            "sms",
            "delete",
            &index,
            "--json",
            "--simulate",
            "--scenario",
            sms,
        ],
        &state,
    );
    assert_eq!(code, Some(0), "{doc}");
    assert_valid("sms-delete.json", &doc);

    // history: from a watch run's database.
    let db = state.join("history.db");
    let db = db.to_str().expect("utf-8 path");
    let o = run(&["watch", "--simulate", "--once", "--history", db], &state);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (doc, code) = json_of(&["history", "--json", "--history", db], &state);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["readings"].as_array().map(Vec::len), Some(1), "{doc}");
    assert_valid("history.json", &doc);
}

#[test]
fn a_schema_rejects_what_the_document_does_not_allow() {
    // The validation above can fail: a balance document with a string for bytes does not pass.
    let text = std::fs::read_to_string(schema_dir().join("balance.json")).expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let v = jsonschema::validator_for(&schema).expect("schema compiles");
    let state = tempdir("schema-neg");
    let (mut doc, _) = json_of(&["balance", "--json", "--simulate"], &state);
    assert!(v.is_valid(&doc), "{doc}");
    doc["remaining_bytes"] = serde_json::json!("1.25 GB");
    assert!(!v.is_valid(&doc));
}

#[test]
fn sms_json_gives_e164_numbers_hex_bytes_and_directions() {
    let state = tempdir("sms-json");
    let (v, _) = json_of(
        &[
            "decode",
            "pdu",
            "--json",
            "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07",
        ],
        &state,
    );
    assert_eq!(v["schema_version"], 2, "{v}");
    assert_eq!(v["number"], "+31641600986", "{v}");
    assert_eq!(v["address"]["value"], "31641600986", "{v}");
    assert_eq!(v["direction"], "received", "{v}");
    // "How are you?" packed: the user data and the whole PDU as hex strings.
    assert_eq!(v["data"], "c8f71d14969741f977fd07", "{v}");
    assert!(
        v["raw"]
            .as_str()
            .is_some_and(|r| r.starts_with("0791132604")),
        "{v}"
    );
    let sms = root().join("scenarios/cn-mobile-sms.toml");
    let (list, _) = json_of(
        &[
            "sms",
            "list",
            "--json",
            "--simulate",
            "--scenario",
            sms.to_str().unwrap(),
        ],
        &state,
    );
    let msgs = list["messages"].as_array().expect("messages");
    assert!(!msgs.is_empty(), "{list}");
    for m in msgs {
        let sent = matches!(m["status"].as_str(), Some("stored_sent" | "stored_unsent"));
        assert_eq!(m["to"].is_string(), sent, "{m}");
        assert_eq!(m["from"].is_string(), !sent, "{m}");
    }
}

#[test]
fn decode_ussd_reports_the_language_of_the_text() {
    let state = tempdir("lang");
    // UCS-2 Russian, DCS 72 (no language in the DCS): "Доступно 5 ГБ до 15.01".
    let (v, _) = json_of(
        &["decode", "ussd", "--json", "+CUSD: 0,\"0414043E044104420443043F043D043E0020003500200413041100200434043E002000310035002E00300031\",72"],
        &state,
    );
    assert_eq!(v["detected_language"], "ru", "{v}");
    let (v, _) = json_of(
        &["decode", "ussd", "--json", "--cscs", "ira", "zzzz"],
        &state,
    );
    assert_eq!(v["detected_language"], serde_json::Value::Null, "{v}");
}
