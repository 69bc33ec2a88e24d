//! Router-side costs: what one `/metrics` scrape costs the server (snapshot from the history
//! store + rendering), with a month of readings every 6 hours for two SIMs.

use criterion::{criterion_group, criterion_main, Criterion};
use simquota::balance::{parse, Date, ParseOptions};
use simquota::monitor::{
    render_metrics, CheckRecord, History, HistorySource, Method, SnapshotOptions, StatusSource,
};

fn history(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("history.db");
    let h = History::open(&path).expect("history");
    let now = simquota::monitor::now_unix();
    let opts = ParseOptions::new(Date {
        year: 2026,
        month: 11,
        day: 25,
    });
    for sim in ["8900101000000000001", "8900101000000000002"] {
        for i in 0..120i64 {
            let gb = 10.0 - i as f64 * 0.08;
            let r = parse(
                &format!("残りデータ量：{gb:.2}GB（2026年12月31日まで）"),
                &opts,
            );
            let rec =
                CheckRecord::success(now - (120 - i) * 6 * 3600, sim, Method::Ussd, "*100#", r);
            h.record(&rec).expect("record");
        }
    }
    path
}

fn scrape(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("simquota-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let source = HistorySource {
        path: history(&dir),
        options: SnapshotOptions::default(),
    };
    let snap = source.snapshot().expect("snapshot");
    c.bench_function("metrics_render_2_sims", |b| {
        b.iter(|| render_metrics(&snap))
    });
    c.bench_function("metrics_scrape_from_history_2_sims_30_days", |b| {
        b.iter(|| render_metrics(&source.snapshot().expect("snapshot")))
    });
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, scrape);
criterion_main!(benches);
