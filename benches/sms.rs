//! SMS benchmarks: PDU decode and encode throughput, and the keyword round trip against the
//! emulator with zero carrier delay (what the tool itself adds: listing, sending, reacting to
//! `+CMTI`, reading the reply, restoring settings).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use simquota::emulator::{scenario::Scenario, sim::SimModem, Emulator, Family};
use simquota::modem::{Modem, OpenOptions};
use simquota::sms::flow::{SenderMatcher, SmsSession, WaitOptions};
use simquota::sms::{encode_submit, Pdu, SmscPrefix, SubmitOptions};

// shared/corpus P2: China Mobile 10086, part 1/3, UCS-2.
const P2: &str = "0891683108200245F34005A10180F60008318090903463238C05000369030160A8597DFF0C60A85404987959579910768451C65B9E65F66D888D3960C551B559824E0BFF1A0031300151687403901A554665C559579910003500380028003200300031003272480029FF0C56FD51854E3B53EB56FD518565F6957F0031003600305206949FFF1A5DF24F7F75280031003000375206949FFF0C672A4F7F7528003500335206";

fn codec(c: &mut Criterion) {
    let bytes = simquota::codec::hex::decode(P2).unwrap_or_default();
    let mut g = c.benchmark_group("pdu");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("decode P2 (UCS-2, UDH)", |b| {
        b.iter(|| Pdu::decode(std::hint::black_box(&bytes), SmscPrefix::Present))
    });
    let text = "尊敬的客户，您当月常用流量已用1.85M，可用1198.14M。".repeat(6);
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode_submit 3-part UCS-2", |b| {
        b.iter(|| {
            encode_submit(
                "10086",
                std::hint::black_box(&text),
                &SubmitOptions::default(),
            )
        })
    });
    let gsm = "Your balance is 12.50 EUR {valid} until [31.12.2026] ~ thanks ".repeat(4);
    g.bench_function("encode_submit 2-part GSM 7-bit with extensions", |b| {
        b.iter(|| {
            encode_submit(
                "+491234567",
                std::hint::black_box(&gsm),
                &SubmitOptions::default(),
            )
        })
    });
    g.finish();
}

const SCENARIO: &str = r#"
[network]
imsi = "460001234567890"
iccid = "89860000000000000001"
[[sms]]
number = "10086"
keyword = "CXLL"
delay_ms = 0
gap_ms = 0
text = "您当月常用流量已用0.00M，可用1198.14M，以上信息可能存在延时，具体以详单为准。如需查看更多详情您可登录 http://dx.10086.cn/qEeHBA ，方便更快捷。【中国移动】"
"#;

async fn round_trip(path: &std::path::Path, expect_parts: Option<usize>) -> Duration {
    let mut modem = match Modem::open(path, &OpenOptions::default()).await {
        Ok(m) => m,
        Err(e) => panic!("open: {e}"),
    };
    let mut s = SmsSession::open(&mut modem, Some("86"))
        .await
        .expect("session");
    let mut base = s.prepare_wait(&mut modem).await.expect("prepare");
    let t = Instant::now();
    s.send(&mut modem, "10086", "CXLL").await.expect("send");
    // `None`: what a check does for a carrier whose profile says nothing about its reply —
    // answer as soon as the reply is complete (every part of its concatenation set in).
    let opts = WaitOptions {
        wait: Duration::from_secs(10),
        expect_parts,
        ..WaitOptions::default()
    };
    let m = SenderMatcher {
        senders: vec!["10086".into()],
        country_code: Some("86".into()),
    };
    let r = s
        .await_reply(
            &mut modem,
            &mut base,
            &m,
            &opts,
            t,
            "10086",
            "CXLL",
            &mut |_| {},
        )
        .await
        .expect("reply");
    let took = t.elapsed();
    assert_eq!(r.parts, 2);
    // Delete the reply so every iteration starts from the same storage.
    for l in &r.indices {
        let _ = s
            .delete(&mut modem, l.storage.as_deref().unwrap_or("SM"), l.index)
            .await;
    }
    let _ = modem.close().await;
    took
}

fn emulator_round_trip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut g = c.benchmark_group("sms round trip");
    g.sample_size(10);
    for (family, delay_ms, expect) in [
        (Family::Huawei, 0, Some(2)),
        (Family::Quectel, 0, Some(2)),
        // Issue 12 item 6: with a 1.0 s carrier delay and no hint from the profile, the check
        // should take the carrier's 1.0 s and little more (it took 2.5 s with a fixed settle).
        (Family::Huawei, 1000, None),
    ] {
        let text = SCENARIO.replace("delay_ms = 0", &format!("delay_ms = {delay_ms}"));
        let mut dev = SimModem::new(family, Scenario::parse(&text).expect("scenario"));
        dev.set_noise_interval(None);
        let emu = Emulator::spawn(Box::new(dev), None).expect("pty");
        let path = emu.path().to_path_buf();
        // Send → +CMTI → read both parts (zero carrier delay): the tool's own overhead.
        let hint = if expect.is_some() {
            "parts hinted"
        } else {
            "no hint"
        };
        g.bench_function(
            format!(
                "{} send+await ({delay_ms} ms carrier, {hint})",
                family.name()
            ),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += rt.block_on(round_trip(&path, expect));
                    }
                    total
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, codec, emulator_round_trip);
criterion_main!(benches);
