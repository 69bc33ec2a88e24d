//! The reply parser: a typical reply, a long multi-bucket notice, and pathological inputs of
//! 100 KB (cut to the parser's bound, then read). Figures go in the README, never in tests.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use simquota::balance::{parse, Date, ParseOptions};

fn opts() -> ParseOptions {
    let mut o = ParseOptions::new(Date {
        year: 2026,
        month: 3,
        day: 1,
    });
    o.country = Some("ET".into());
    o
}

const TYPICAL: &str = "Dear Customer, your remaining amount from Monthly Internet Package 12GB \
from telebirr to be expired after 30 days is 3070.744 MB with expiry date on 2026-04-06 at \
17:38:02; Your balance is 50.01 Birr. Dial *999# to buy 1GB at 25 Birr.";

const CHINESE: &str = "尊敬的13802236421客户，您上月结转至本月国内通用流量500.00M。截至02日11时29分，\
您当月常用流量已用1.85M，可用1198.14M，其中国内通用流量可用1000.00M（含上月结余500.00M），省内通用流量\
可用198.14M；更多流量内容请点击 gd.10086.cn/cxll 查询。以上信息可能存在延时，具体以详单为准。【中国移动】";

fn pathological() -> Vec<(&'static str, String)> {
    let unit = "remaining 1GB used 2GB of 3GB 50% Rs.5 $5 buy 1GB for 5 USD 1/2 12/31; ";
    vec![
        (
            "100KB sizes, money and cues",
            unit.repeat(100_000 / unit.len() + 1),
        ),
        ("100KB digits", "1".repeat(100_000)),
        ("100KB separators", "1.0,".repeat(25_000)),
        ("100KB CJK", "剩余流量1.5G，已用".repeat(10_000)),
        ("100KB quotes and brackets", "“(1GB 剩余".repeat(12_500)),
    ]
}

fn bench(c: &mut Criterion) {
    let o = opts();
    let mut g = c.benchmark_group("parse");
    g.bench_function("typical English reply (4 numbers)", |b| {
        b.iter(|| parse(black_box(TYPICAL), &o))
    });
    g.bench_function("China Mobile multi-bucket SMS", |b| {
        b.iter(|| parse(black_box(CHINESE), &o))
    });
    g.sample_size(10);
    for (name, text) in pathological() {
        g.bench_function(name, |b| b.iter(|| parse(black_box(&text), &o)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
