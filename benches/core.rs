//! Throughput of the pieces on every balance check, and the whole check on the emulator with
//! zero carrier delay (what the tool itself adds). Numbers go in the README, never in tests.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use simquota::at::{Command, Session, SessionConfig};
use simquota::codec::{gsm7, hex, ucs2};
use simquota::emulator::{scenario::Scenario, sim::SimModem, Emulator, Family};
use simquota::ussd::{decode_payload, Charset, DecodeOverrides};

/// A busy Huawei exchange: echo, URC noise, a response and a multi-line +CUSD.
fn stream() -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..50 {
        v.extend_from_slice(b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n\r\n^RSSI:18\r\n");
        v.extend_from_slice(b"\r\n^HCSQ:\"LTE\",48,40,151,27\r\n\r\n+CUSD: 0,\" Vash balans 968.98 r.\r\nDlya vas\",15\r\n");
    }
    v
}

fn classifier(c: &mut Criterion) {
    let bytes = stream();
    let mut g = c.benchmark_group("at_session");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("classify_stream", |b| {
        b.iter(|| {
            let mut s = Session::new(SessionConfig::default());
            let now = Instant::now();
            let _ = s.submit(Command::new("AT+CSQ"), now);
            while s.poll_transmit().is_some() {}
            for chunk in bytes.chunks(64) {
                s.handle_input(now, chunk);
            }
            s.handle_timeout(now + Duration::from_secs(1));
            let mut n = 0;
            while s.poll_event().is_some() {
                n += 1;
            }
            n
        })
    });
    g.finish();
}

fn codecs(c: &mut Criterion) {
    let ja = "ご利用可能なデータ残量は1.25GBです。".repeat(8);
    let ucs2_hex = hex::encode(&ucs2::encode(&ja));
    let latin = "Ihr Guthaben fur die Nr.4915783647410 betragt 5.78 Euro. ".repeat(2);
    let septets = gsm7::encode(&latin).unwrap_or_default();
    let packed = gsm7::pack_ussd(&septets);
    let packed_hex = hex::encode(&packed);
    let mut g = c.benchmark_group("codec");
    g.throughput(Throughput::Bytes(ucs2_hex.len() as u64));
    g.bench_function("ussd_ucs2_hex_decode", |b| {
        b.iter(|| {
            decode_payload(
                &ucs2_hex,
                Some(72),
                Charset::Ira,
                &DecodeOverrides::default(),
            )
        })
    });
    g.throughput(Throughput::Bytes(packed_hex.len() as u64));
    g.bench_function("ussd_packed_gsm7_decode", |b| {
        b.iter(|| {
            decode_payload(
                &packed_hex,
                Some(15),
                Charset::Ira,
                &DecodeOverrides::default(),
            )
        })
    });
    g.throughput(Throughput::Bytes(latin.len() as u64));
    g.bench_function("gsm7_encode_pack", |b| {
        b.iter(|| gsm7::pack_ussd(&gsm7::encode(&latin).unwrap_or_default()))
    });
    g.finish();
}

fn whole_check(c: &mut Criterion) {
    let mut scenario = Scenario::builtin_default();
    for r in &mut scenario.ussd {
        r.delay_ms = 0;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut g = c.benchmark_group("balance_check");
    g.sample_size(20);
    g.bench_function("open_ussd_parse_close_zero_delay", |b| {
        b.iter(|| {
            let mut m = SimModem::new(Family::Huawei, scenario.clone());
            m.set_noise_interval(None);
            let emu = Emulator::spawn(Box::new(m), None).expect("pty");
            let path = emu.path().to_path_buf();
            rt.block_on(async {
                let mut modem = simquota::modem::Modem::open(&path, &Default::default())
                    .await
                    .expect("open");
                let mut opts = simquota::ussd::flow::UssdOptions::default();
                let out = simquota::ussd::flow::run(&mut modem, "*100#", &mut opts)
                    .await
                    .expect("ussd");
                let text = out.last_text().map(|t| t.text.clone()).unwrap_or_default();
                let r = simquota::balance::parse(
                    &text,
                    &simquota::balance::ParseOptions::new(simquota::balance::Date {
                        year: 2026,
                        month: 11,
                        day: 25,
                    }),
                );
                let _ = modem.close().await;
                r.remaining_bytes
            })
        })
    });
    g.finish();
}

criterion_group!(benches, classifier, codecs, whole_check);
criterion_main!(benches);
