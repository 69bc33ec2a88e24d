//! Plans: cycle arithmetic, counting and the estimate over a simulated billing month (fake sysfs
//! tree, fake clock — no sleeps, no real interface).

use super::cycle::{bounds, zone};
use super::store::{add_anchor, Plans};
use super::*;
use crate::monitor::estimate::{read_counters, CounterSample};
use std::path::PathBuf;

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// Unix seconds of a local time in `tz`.
fn at(tz: &str, y: i16, m: i8, d: i8, h: i8) -> i64 {
    jiff::civil::date(y, m, d)
        .at(h, 0, 0, 0)
        .to_zoned_datetime(zone(Some(tz)).unwrap())
        .unwrap()
        .timestamp()
        .as_second()
}

fn tokyo() -> jiff::tz::TimeZone {
    zone(Some("Asia/Tokyo")).expect("the system's zoneinfo has Asia/Tokyo")
}

#[test]
fn monthly_day_31_clamps_to_the_months_last_day() {
    let tz = zone(Some("+09:00")).unwrap();
    let c = Cycle::parse("monthly:31").unwrap();
    // 2027 is not a leap year: the February cycle starts on the 28th.
    let b = bounds(&c, &tz, at("+09:00", 2027, 2, 15, 12)).unwrap();
    assert_eq!(b.start, Some(at("+09:00", 2027, 1, 31, 0)));
    assert_eq!(b.end, Some(at("+09:00", 2027, 2, 28, 0)));
    // …and is back on the 31st in March; 2028 is a leap year.
    let b = bounds(&c, &tz, at("+09:00", 2027, 3, 1, 0)).unwrap();
    assert_eq!(
        (b.start, b.end),
        (
            Some(at("+09:00", 2027, 2, 28, 0)),
            Some(at("+09:00", 2027, 3, 31, 0))
        )
    );
    let b = bounds(&c, &tz, at("+09:00", 2028, 2, 29, 5)).unwrap();
    assert_eq!(b.start, Some(at("+09:00", 2028, 2, 29, 0)));
    // April has 30 days.
    let b = bounds(&c, &tz, at("+09:00", 2027, 4, 30, 1)).unwrap();
    assert_eq!(b.start, Some(at("+09:00", 2027, 4, 30, 0)));
    let p = Plan::new("8981100000000000001", 20 * GIB, c, 0);
    let notes = p.validate().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("28 or 29 February") && n.contains("30 April")),
        "{notes:?}"
    );
}

#[test]
fn cycles_on_the_11th_at_an_hour_weekly_and_in_tokyo() {
    let tz = tokyo();
    let c = Cycle::parse("monthly:11@9").unwrap();
    assert_eq!(c.to_string(), "monthly:11@9");
    // 11 Dec 08:59 Tokyo is still in the November cycle.
    let b = bounds(&c, &tz, at("Asia/Tokyo", 2026, 12, 11, 9) - 60).unwrap();
    assert_eq!(b.start, Some(at("Asia/Tokyo", 2026, 11, 11, 9)));
    assert_eq!(b.end, Some(at("Asia/Tokyo", 2026, 12, 11, 9)));
    // Tokyo is UTC+9: the reset is at 00:00 UTC.
    assert_eq!(
        at("Asia/Tokyo", 2026, 12, 11, 9),
        at("UTC", 2026, 12, 11, 0)
    );
    // December → January crosses the year.
    let b = bounds(&c, &tz, at("Asia/Tokyo", 2026, 12, 31, 0)).unwrap();
    assert_eq!(b.end, Some(at("Asia/Tokyo", 2027, 1, 11, 9)));
    // Weekly on Mondays: 2026-12-07 is a Monday.
    let w = Cycle::parse("weekly:mon").unwrap();
    let b = bounds(&w, &tz, at("Asia/Tokyo", 2026, 12, 9, 15)).unwrap();
    assert_eq!(
        (b.start, b.end),
        (
            Some(at("Asia/Tokyo", 2026, 12, 7, 0)),
            Some(at("Asia/Tokyo", 2026, 12, 14, 0))
        )
    );
    let b = bounds(&w, &tz, at("Asia/Tokyo", 2026, 12, 7, 0)).unwrap();
    assert_eq!(
        b.start,
        Some(at("Asia/Tokyo", 2026, 12, 7, 0)),
        "a reset instant starts the new cycle"
    );
    // A DST zone: Europe/Berlin's cycle on the 1st at 00:00 is 23:00 UTC in winter.
    let b = bounds(
        &Cycle::parse("monthly:1").unwrap(),
        &zone(Some("Europe/Berlin")).unwrap(),
        at("UTC", 2026, 7, 15, 0),
    )
    .unwrap();
    assert_eq!(b.start, Some(at("UTC", 2026, 6, 30, 22)));
    assert_eq!(b.end, Some(at("UTC", 2026, 7, 31, 22)));
}

#[test]
fn bad_cycles_sizes_and_zones_say_what_is_wrong() {
    for (s, want) in [
        ("monthly:32", "days 1 to 31"),
        ("monthly:0", "days 1 to 31"),
        ("monthly:1@24", "hours are 0 to 23"),
        ("weekly:xyz", "not a weekday"),
        ("rolling:0d", "1 to 366"),
        ("rolling:3d@5", "no reset hour"),
        ("yearly:1", "unknown kind"),
        ("3", "no kind"),
    ] {
        let e = Cycle::parse(s).unwrap_err().to_string();
        assert!(e.contains(want), "{s}: {e}");
    }
    for s in ["-5GB", "GB", "5XB", "1e30", ""] {
        assert!(parse_size(s).is_err(), "{s}");
    }
    assert!(parse_size("-5GB")
        .unwrap_err()
        .to_string()
        .contains("negative"));
    assert_eq!(parse_size("12.5GB").unwrap(), 12 * GIB + GIB / 2);
    assert_eq!(parse_size("20ギガ").unwrap(), 20 * GIB);
    assert_eq!(parse_days("30d").unwrap(), 30 * 86_400);
    assert!(parse_days("0d").is_err() && parse_days("-1d").is_err() && parse_days("3y").is_err());
    assert_eq!(
        AtCap::parse("throttle:128kbps").unwrap(),
        AtCap::Throttle { kbps: 128 }
    );
    assert_eq!(
        AtCap::parse("throttle:1mbps").unwrap().describe(),
        "throttled to 1 Mbps"
    );
    assert!(AtCap::parse("throttle:0kbps").is_err() && AtCap::parse("slow").is_err());
    let e = zone(Some("Asia/Nowhere")).unwrap_err().to_string();
    assert!(e.contains("Asia/Nowhere") && e.contains("+09:00"), "{e}");
    assert!(check_iccid("8981100000000000001").is_ok());
    assert!(check_iccid("../etc").is_err() && check_iccid("12").is_err());
}

/// A fake `/sys/class/net` whose interface holds counters of a 32-bit kernel (wrapping at 2^32).
struct FakeIf {
    root: PathBuf,
    iface: &'static str,
    /// True bytes since the counters last restarted.
    rx: u64,
    tx: u64,
}

impl FakeIf {
    fn new(name: &str) -> FakeIf {
        let root = crate::monitor::test_util::temp_dir(&format!("plan-{name}"));
        let f = FakeIf {
            root,
            iface: "wwan0",
            rx: 0,
            tx: 0,
        };
        f.write();
        f
    }
    fn write(&self) {
        let d = self.root.join(self.iface).join("statistics");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("rx_bytes"), format!("{}\n", self.rx % (1 << 32))).unwrap();
        std::fs::write(d.join("tx_bytes"), format!("{}\n", self.tx % (1 << 32))).unwrap();
    }
    fn use_bytes(&mut self, rx: u64, tx: u64) {
        self.rx += rx;
        self.tx += tx;
        self.write();
    }
    fn reboot(&mut self) {
        self.rx = 0;
        self.tx = 0;
        self.write();
    }
    fn sample(&self) -> CounterSample {
        read_counters(&self.root, self.iface).unwrap()
    }
}

fn close(a: u64, b: u64, tol: u64) -> bool {
    a.abs_diff(b) <= tol
}

#[test]
fn a_billing_month_on_the_11th_with_wrap_reboot_pack_anchors_and_drift() {
    let tz = tokyo();
    let start = at("Asia/Tokyo", 2026, 11, 11, 0);
    let mut plan = Plan::new(
        "8981100000000000001",
        20 * GIB,
        Cycle::parse("monthly:11").unwrap(),
        start,
    );
    plan.tz = Some("Asia/Tokyo".into());
    plan.interface = Some("wwan0".into());
    let mut net = FakeIf::new("month");
    let mut ledger = Ledger::default();
    let mut boot = "boot-1";
    assert_eq!(
        ledger.observe(start, "wwan0", net.sample(), Some(boot)),
        ObserveNote::Started
    );
    let day = 86_400;
    let per_day = (400 * MIB, 100 * MIB);
    let mut truth = 0u64;
    let mut carrier_used = 0u64; // the carrier bills 5 % more than the interface counts
    let mut saw_wrap = false;
    for d in 1..=34i64 {
        let now = start + d * day;
        net.use_bytes(per_day.0, per_day.1);
        truth += per_day.0 + per_day.1;
        carrier_used += (per_day.0 + per_day.1) * 105 / 100;
        let s = net.sample();
        saw_wrap |= s.rx_bytes < per_day.0 && net.rx > per_day.0;
        let note = ledger.observe(now, "wwan0", s, Some(boot));
        assert_eq!(note, ObserveNote::Counted(per_day.0 + per_day.1), "day {d}");
        if d == 8 {
            // Reboot right after a sample: counters restart, the boot id changes.
            net.reboot();
            boot = "boot-2";
        }
        if d == 12 {
            // Mid-cycle anchor (what My docomo shows): the estimate had under-counted by 5 %.
            let est = estimate(&plan, &ledger, now, &tz).unwrap();
            assert_eq!(
                est.remaining_bytes,
                20 * GIB - truth,
                "no anchor yet: allowance − counted"
            );
            assert_eq!(est.counted_since_cycle_start_bytes, truth);
            let carrier = 20 * GIB - carrier_used;
            let notes = add_anchor(&mut plan, &ledger, carrier, AnchorSource::Manual, now).unwrap();
            let drift = plan.anchors.last().unwrap().drift_bytes.unwrap();
            assert_eq!(drift, i64::try_from(est.remaining_bytes - carrier).unwrap());
            assert!(
                drift > 0 && notes.iter().any(|n| n.contains("drift")),
                "{notes:?}"
            );
            let after = estimate(&plan, &ledger, now, &tz).unwrap();
            assert_eq!(
                after.remaining_bytes, carrier,
                "an anchor is taken as it is"
            );
        }
        if d == 15 {
            let before = estimate(&plan, &ledger, now, &tz).unwrap().remaining_bytes;
            plan.packs.push(Pack {
                size: Size(3 * GIB),
                added: now,
                expires: Some(now + 30 * day),
            });
            let with = estimate(&plan, &ledger, now, &tz).unwrap();
            assert_eq!(with.remaining_bytes, before + 3 * GIB);
            assert_eq!(
                with.buckets
                    .iter()
                    .filter(|b| b.kind == BucketKind::Pack)
                    .count(),
                1
            );
        }
        if d == 20 {
            let carrier = 20 * GIB + 3 * GIB - carrier_used;
            add_anchor(&mut plan, &ledger, carrier, AnchorSource::Carrier, now).unwrap();
            let f = estimate::correction_factor(&plan, &ledger, &tz, now);
            assert!((f - 1.05).abs() < 0.001, "learnt factor {f}");
        }
        if d == 25 {
            // Five days after the second anchor: anchor − 1.05 × counted; the pack (expiring
            // after the reset) is still whole because the base expires first.
            let e = estimate(&plan, &ledger, now, &tz).unwrap();
            let expect = 23 * GIB - carrier_used;
            assert!(
                close(e.remaining_bytes, expect, 16),
                "{} vs {expect}",
                e.remaining_bytes
            );
            let pack = e
                .buckets
                .iter()
                .find(|b| b.kind == BucketKind::Pack)
                .unwrap();
            assert_eq!(pack.remaining_bytes, 3 * GIB);
            assert!(e.daily_budget_bytes.unwrap() > 0 && e.days_to_reset.unwrap() > 4.9);
        }
    }
    assert!(saw_wrap, "the test must cross a 32-bit wrap");
    // Nothing lost through the wrap and the reboot.
    assert_eq!(ledger.counted(start, start + 34 * day), truth);
    // After the reset on 11 Dec: a full 20 GB base plus the pack, minus what was used since.
    let reset = at("Asia/Tokyo", 2026, 12, 11, 0);
    let now = start + 34 * day;
    let e = estimate(&plan, &ledger, now, &tz).unwrap();
    assert_eq!(e.cycle_start_unix, Some(reset));
    assert_eq!(e.next_reset_unix, Some(at("Asia/Tokyo", 2027, 1, 11, 0)));
    assert_eq!(
        e.counted_since_cycle_start_bytes,
        ledger.counted(reset, now)
    );
    let used = (ledger.counted(reset, now) as f64 * 1.05).round() as u64;
    assert!(
        close(e.remaining_bytes, 23 * GIB - used, 16),
        "{} vs {}",
        e.remaining_bytes,
        23 * GIB - used
    );
    assert_eq!(e.label, "estimate");
    assert!(
        e.next_reset
            .as_deref()
            .unwrap()
            .starts_with("2027-01-11T00:00:00+09:00"),
        "{:?}",
        e.next_reset
    );
    // After the pack's expiry (30 days from day 15) its rest is gone.
    let later = start + 46 * day;
    let e = estimate(&plan, &ledger, later, &tz).unwrap();
    assert!(e.buckets.iter().all(|b| b.kind != BucketKind::Pack));
}

#[test]
fn a_rolling_three_day_window_gives_back_what_leaves_it() {
    let tz = zone(Some("+09:00")).unwrap();
    let t0 = at("+09:00", 2026, 12, 1, 0);
    let mut plan = Plan::new(
        "8981100000000000002",
        10 * GIB,
        Cycle::parse("rolling:3d").unwrap(),
        t0,
    );
    let mut l = Ledger::default();
    let mut net = FakeIf::new("rolling");
    l.observe(t0, "wwan0", net.sample(), None);
    for d in 1..=5 {
        net.use_bytes(GIB, 0);
        l.observe(t0 + d * 86_400, "wwan0", net.sample(), None);
    }
    let now = t0 + 5 * 86_400;
    assert_eq!(
        estimate(&plan, &l, now, &tz).unwrap().remaining_bytes,
        7 * GIB
    );
    // An anchor a day ago said 6.5 GB: since then 1 GB more was used and the day that left the
    // window (day 1 → 2) gives 1 GB back.
    plan.anchors.push(Anchor {
        at: now - 86_400,
        remaining: Size(6 * GIB + GIB / 2),
        source: AnchorSource::Parsed,
        drift_bytes: None,
    });
    let e = estimate(&plan, &l, now, &tz).unwrap();
    assert_eq!(e.remaining_bytes, 6 * GIB + GIB / 2);
    assert_eq!(e.next_reset_unix, None);
    // Nothing used for three days: the whole allowance is back.
    let e = estimate(&plan, &l, now + 3 * 86_400, &tz).unwrap();
    assert_eq!(e.remaining_bytes, 10 * GIB);
}

#[test]
fn carry_over_is_used_first_and_expires_at_the_end_of_the_next_cycle() {
    let tz = zone(Some("+09:00")).unwrap();
    let mut plan = Plan::new(
        "8981100000000000003",
        10 * GIB,
        Cycle::parse("monthly:1").unwrap(),
        0,
    );
    plan.carry_over = true;
    let mut l = Ledger::default();
    let t = at("+09:00", 2026, 11, 30, 0);
    l.observe(t, "wwan0", CounterSample::default(), None);
    // 4 GB left on the last day of November.
    plan.anchors.push(Anchor {
        at: t,
        remaining: Size(4 * GIB),
        source: AnchorSource::Manual,
        drift_bytes: None,
    });
    // 1 GB used on 5 December.
    let d5 = at("+09:00", 2026, 12, 5, 0);
    l.observe(
        d5,
        "wwan0",
        CounterSample {
            rx_bytes: GIB,
            tx_bytes: 0,
        },
        None,
    );
    let l_at = at("+09:00", 2026, 12, 1, 0);
    let used_before_reset = l.counted(t, l_at);
    let e = estimate(&plan, &l, d5, &tz).unwrap();
    let carry = e
        .buckets
        .iter()
        .find(|b| b.kind == BucketKind::CarryOver)
        .expect("a carry-over bucket");
    assert_eq!(carry.size_bytes, 4 * GIB - used_before_reset);
    assert_eq!(carry.expires_unix, Some(at("+09:00", 2027, 1, 1, 0)));
    let base = e
        .buckets
        .iter()
        .find(|b| b.kind == BucketKind::Base)
        .unwrap();
    assert_eq!(
        base.remaining_bytes,
        10 * GIB,
        "carry-over is consumed before the base"
    );
    assert_eq!(e.remaining_bytes, 14 * GIB - GIB);
    // In February the January carry-over (December's leftover) has expired.
    let f = estimate(&plan, &l, at("+09:00", 2027, 2, 2, 0), &tz).unwrap();
    assert!(f
        .buckets
        .iter()
        .all(|b| b.kind != BucketKind::CarryOver || b.size_bytes == 10 * GIB));
}

#[test]
fn bad_input_never_goes_negative_and_loses_no_count() {
    let tz = zone(Some("UTC")).unwrap();
    let t = at("UTC", 2026, 12, 2, 0);
    let mut plan = Plan::new(
        "8981100000000000004",
        20 * GIB,
        Cycle::parse("monthly:1").unwrap(),
        t,
    );
    let mut l = Ledger::default();
    // A router without an RTC boots in 1970: bytes are held, then booked once the clock is right.
    assert_eq!(
        l.observe(10, "wwan0", CounterSample::default(), None),
        ObserveNote::Started
    );
    assert_eq!(
        l.observe(
            70,
            "wwan0",
            CounterSample {
                rx_bytes: 500,
                tx_bytes: 0
            },
            None
        ),
        ObserveNote::ClockImplausible(500)
    );
    assert!(
        l.points.is_empty(),
        "nothing recorded before the clock is plausible"
    );
    assert_eq!(
        l.observe(
            t,
            "wwan0",
            CounterSample {
                rx_bytes: 800,
                tx_bytes: 0
            },
            None
        ),
        ObserveNote::Counted(800)
    );
    // A counter going backwards (not a wrap) is a reset: counts from zero, never negative.
    assert_eq!(
        l.observe(
            t + 60,
            "wwan0",
            CounterSample {
                rx_bytes: 100,
                tx_bytes: 0
            },
            None
        ),
        ObserveNote::Counted(100)
    );
    // The clock jumps back an hour: the bytes are booked at the last known time.
    assert_eq!(
        l.observe(
            t - 3600,
            "wwan0",
            CounterSample {
                rx_bytes: 400,
                tx_bytes: 0
            },
            None
        ),
        ObserveNote::ClockBackwards(300)
    );
    // …and forward by a week: booked within the last two days, not spread over the week.
    l.observe(
        t + 7 * 86_400,
        "wwan0",
        CounterSample {
            rx_bytes: 1400,
            tx_bytes: 0,
        },
        None,
    );
    assert_eq!(l.counted(0, t + 8 * 86_400), 800 + 100 + 300 + 1000);
    assert_eq!(l.counted(t + 61, t + 5 * 86_400 - 1), 0);
    // Points stay monotone.
    assert!(
        l.points
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
        "{:?}",
        l.points
    );
    // A missing interface is an error naming it; the ledger is left as it was.
    plan.interface = Some("wwan9".into());
    let before = l.clone();
    let root = crate::monitor::test_util::temp_dir("plan-missing");
    let e = store::sample(&plan, &mut l, &root, t + 8 * 86_400).unwrap_err();
    assert!(e.contains("wwan9") && e.contains("nothing counted"), "{e}");
    assert_eq!(l, before);
    // An anchor above the allowance is kept, with a note; the extra is not lost.
    l.observe(
        t + 8 * 86_400,
        "wwan0",
        CounterSample {
            rx_bytes: 1400,
            tx_bytes: 0,
        },
        None,
    );
    let notes = add_anchor(
        &mut plan,
        &l,
        25 * GIB,
        AnchorSource::Manual,
        t + 8 * 86_400,
    )
    .unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("more than this cycle's allowance")),
        "{notes:?}"
    );
    let e = estimate(&plan, &l, t + 8 * 86_400, &tz).unwrap();
    assert_eq!(e.remaining_bytes, 25 * GIB);
    assert!(e
        .buckets
        .iter()
        .any(|b| b.kind == BucketKind::Unexplained && b.remaining_bytes == 5 * GIB));
    // Using more than everything: 0 left, capped, never negative.
    l.observe(
        t + 9 * 86_400,
        "wwan0",
        CounterSample {
            rx_bytes: 1400 + 30 * GIB,
            tx_bytes: 0,
        },
        None,
    );
    let e = estimate(&plan, &l, t + 9 * 86_400, &tz).unwrap();
    assert_eq!(e.remaining_bytes, 0);
    assert!(
        e.capped
            && e.notes
                .iter()
                .any(|n| n.contains("more than the plan holds")),
        "{:?}",
        e.notes
    );
}

#[test]
fn compaction_keeps_hour_totals() {
    let mut l = Ledger::default();
    let t0 = at("UTC", 2026, 11, 1, 0);
    l.observe(t0, "wwan0", CounterSample::default(), None);
    for i in 1..=(10 * 24 * 4) {
        l.observe(
            t0 + i * 900,
            "wwan0",
            CounterSample {
                rx_bytes: u64::try_from(i).unwrap() * 1000,
                tx_bytes: 0,
            },
            None,
        );
    }
    let now = t0 + 10 * 86_400;
    let whole = l.counted(t0, now);
    let h = (l.counted(t0 + 3600, t0 + 7200), l.counted(now - 3600, now));
    let n = l.points.len();
    l.compact(now);
    assert!(l.points.len() < n / 2, "{} of {n}", l.points.len());
    assert_eq!(l.counted(t0, now), whole);
    assert_eq!(
        (l.counted(t0 + 3600, t0 + 7200), l.counted(now - 3600, now)),
        h
    );
}

#[test]
fn plans_file_round_trips_and_names_errors() {
    let mut plans = Plans::default();
    let mut p = Plan::new(
        "8981100000000000005",
        20 * GIB,
        Cycle::parse("weekly:sun@6").unwrap(),
        1_765_000_000,
    );
    p.tz = Some("Asia/Tokyo".into());
    p.at_cap = Some(AtCap::Throttle { kbps: 128 });
    p.carry_over = true;
    p.packs.push(Pack {
        size: Size(3 * GIB + 1),
        added: 1_765_000_000,
        expires: Some(1_767_000_000),
    });
    p.anchors.push(Anchor {
        at: 1_765_100_000,
        remaining: Size(12 * GIB + GIB / 2),
        source: AnchorSource::Inbox,
        drift_bytes: Some(-5),
    });
    plans.set(p.clone(), true);
    let dir = crate::monitor::test_util::temp_dir("plans-file");
    let path = dir.join("simquota").join("plans.toml");
    plans.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("allowance = \"20GB\"")
            && text.contains("resets = \"weekly:sun@6\"")
            && text.contains("T"),
        "{text}"
    );
    assert_eq!(Plans::load(&path).unwrap(), plans);
    // Replacing the plan keeps its packs and anchors.
    plans.set(
        Plan::new("8981100000000000005", 30 * GIB, Cycle::Never, 0),
        true,
    );
    assert_eq!(plans.get("8981100000000000005").unwrap().anchors.len(), 1);
    assert!(plans.remove("8981100000000000005") && !plans.remove("8981100000000000005"));
    // Errors name the file and the problem.
    let e = Plans::parse("[[sim]]\niccid = \"8981100000000000005\"\nallowance = \"20GB\"\nresets = \"monthly:32\"\nsince = 0\n", "plans.toml").unwrap_err().to_string();
    assert!(e.contains("plans.toml") && e.contains("1 to 31"), "{e}");
    let e = Plans::parse("[[sim]]\niccid = \"1\"\n", "p.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("p.toml"), "{e}");
    assert_eq!(
        Plans::load(&dir.join("none.toml")).unwrap(),
        Plans::default()
    );
}
