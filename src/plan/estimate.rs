//! The estimate: a plan's buckets (base allowance, carry-over, add-on packs) followed from a
//! known state — the newest anchor, else the start of the cycle with the full allowance — by
//! taking the counted bytes off them, bucket by bucket, up to `now`.
//!
//! Consumption order: the soonest-expiring bucket first; at equal expiry the carry-over (繰越),
//! then the base allowance, then packs — the order docomo and IIJmio document for 繰越, and
//! povo's "earliest expiry first" for toppings. Carriers differ; the total is what matters and
//! the next anchor corrects it. An anchor's figure is spread over the buckets the other way
//! round (what is consumed first is assumed used first).
//!
//! At a reset the base is refilled; with carry-over its unused part becomes a carry-over bucket
//! expiring at the end of the new cycle (an older carry-over expires). Expired packs are dropped.
//!
//! A rolling window ("10 GB per 3 days") has no reset: remaining = allowance − counted in the
//! last N days; with an anchor at `a` inside the window, remaining = anchor + counted in
//! [a − N days, now − N days) (bytes leaving the window come back) − counted since `a`.
//! Packs on a rolling plan are added on top while they last.

use jiff::tz::TimeZone;
use serde::Serialize;

use super::cycle::{self, Cycle};
use super::ledger::Ledger;
use super::{Anchor, Plan, Result};

/// What a bucket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BucketKind {
    /// Carried over from the previous cycle (繰越).
    CarryOver,
    /// This cycle's allowance.
    Base,
    /// An add-on pack.
    Pack,
    /// More than the plan explains (an anchor above the allowance): expires with the cycle.
    Unexplained,
}

/// One bucket of data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Bucket {
    /// What it is.
    pub kind: BucketKind,
    /// Bytes left in it.
    pub remaining_bytes: u64,
    /// Its size.
    pub size_bytes: u64,
    /// When it expires (UTC unix seconds); `None`: never.
    pub expires_unix: Option<i64>,
    /// Index of the pack in the plan, for packs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<usize>,
}

/// The last anchor, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AnchorInfo {
    /// When (RFC 3339).
    pub at: String,
    /// When (UTC unix seconds).
    pub at_unix: i64,
    /// The figure.
    pub remaining_bytes: u64,
    /// Where it came from.
    pub source: super::AnchorSource,
}

/// An estimate of remaining data, labelled as one.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Estimate {
    /// Always `"estimate"`: never the carrier's figure.
    pub label: String,
    /// Estimated remaining bytes now (never negative).
    pub remaining_bytes: u64,
    /// What this cycle holds in all: allowance + carry-over + packs (for percentages).
    pub total_bytes: u64,
    /// The plan's allowance per cycle.
    pub allowance_bytes: u64,
    /// The cycle as written in the plan (`monthly:1`).
    pub resets: String,
    /// For people: `20 GB plan resetting on the 1st`.
    pub plan: String,
    /// Start of the cycle or rolling window (UTC unix seconds).
    pub cycle_start_unix: Option<i64>,
    /// The next reset (UTC unix seconds).
    pub next_reset_unix: Option<i64>,
    /// The next reset (RFC 3339 in the plan's zone).
    pub next_reset: Option<String>,
    /// Bytes counted on the interface since the cycle (window) started.
    pub counted_since_cycle_start_bytes: u64,
    /// Bytes counted since the last anchor.
    pub counted_since_anchor_bytes: Option<u64>,
    /// When counting started for this SIM (UTC unix seconds): before it nothing was counted.
    pub counting_since_unix: Option<i64>,
    /// The anchor the estimate starts from.
    pub last_anchor: Option<AnchorInfo>,
    /// The buckets now.
    pub buckets: Vec<Bucket>,
    /// What the carrier does at the cap.
    pub at_cap: Option<String>,
    /// True when the estimate says the allowance is used up.
    pub capped: bool,
    /// Counted bytes are multiplied by this (learnt from anchors: carrier usage ÷ counted).
    pub correction_factor: f64,
    /// Remaining bytes per day until the reset.
    pub daily_budget_bytes: Option<u64>,
    /// Days until the reset.
    pub days_to_reset: Option<f64>,
    /// The plan's time zone as written (absent: the system's).
    pub zone: Option<String>,
    /// What to know about this estimate.
    pub notes: Vec<String>,
}

/// Counted bytes are corrected by at most this factor either way.
const FACTOR_RANGE: (f64, f64) = (0.5, 2.0);

/// Corrections are learnt only over at least this many counted bytes.
const FACTOR_MIN_BYTES: u64 = 64 << 20;

/// carrier usage ÷ counted bytes between the two newest anchors of one cycle, when enough was
/// counted between them; else 1.
pub fn correction_factor(plan: &Plan, ledger: &Ledger, tz: &TimeZone, now: i64) -> f64 {
    let mut anchors: Vec<&Anchor> = plan.anchors.iter().filter(|a| a.at <= now).collect();
    anchors.sort_by_key(|a| a.at);
    let [.., a1, a2] = anchors.as_slice() else {
        return 1.0;
    };
    let same_cycle = match plan.resets {
        Cycle::Monthly { .. } | Cycle::Weekly { .. } => {
            cycle::resets_between(&plan.resets, tz, a1.at, a2.at, 1)
                .map(|r| r.is_empty())
                .unwrap_or(false)
        }
        Cycle::Never => true,
        Cycle::Rolling { .. } => false,
    };
    let counted = ledger.counted(a1.at, a2.at);
    if !same_cycle || counted < FACTOR_MIN_BYTES {
        return 1.0;
    }
    let added: u64 = plan
        .packs
        .iter()
        .filter(|p| p.added > a1.at && p.added <= a2.at)
        .map(|p| p.size.0)
        .sum();
    let consumed = (a1.remaining.0.saturating_add(added)).saturating_sub(a2.remaining.0);
    (consumed as f64 / counted as f64).clamp(FACTOR_RANGE.0, FACTOR_RANGE.1)
}

fn scaled(bytes: u64, factor: f64) -> u64 {
    if (factor - 1.0).abs() < f64::EPSILON {
        bytes
    } else {
        (bytes as f64 * factor).round().min(u64::MAX as f64) as u64
    }
}

fn consume(buckets: &mut [Bucket], mut bytes: u64) -> u64 {
    let mut order: Vec<usize> = (0..buckets.len()).collect();
    order.sort_by_key(|&i| {
        buckets
            .get(i)
            .map(|b| (b.expires_unix.unwrap_or(i64::MAX), b.kind))
    });
    for i in order {
        if let Some(b) = buckets.get_mut(i) {
            let take = b.remaining_bytes.min(bytes);
            b.remaining_bytes -= take;
            bytes -= take;
        }
    }
    bytes
}

/// The estimate of `plan` at `now`, from the bytes in `ledger`, in the plan's zone `tz`.
pub fn estimate(plan: &Plan, ledger: &Ledger, now: i64, tz: &TimeZone) -> Result<Estimate> {
    let factor = correction_factor(plan, ledger, tz, now);
    let bounds = cycle::bounds(&plan.resets, tz, now)?;
    let anchor = plan.last_anchor(now);
    let mut notes = Vec::new();
    let allowance = plan.allowance.0;
    let mut over = 0u64;
    let (buckets, counted_since_anchor, used_anchor) = if let Cycle::Rolling { days } = plan.resets
    {
        rolling(plan, ledger, now, i64::from(days) * 86_400, anchor, factor)
    } else {
        let end_of =
            |t: i64| -> Result<Option<i64>> { Ok(cycle::bounds(&plan.resets, tz, t)?.end) };
        // Where to start: the anchor if it is in this or the previous cycle, else the cycle start.
        let prev_start = match bounds.start {
            Some(s) => cycle::bounds(&plan.resets, tz, s - 1)?.start,
            None => None,
        };
        let usable = anchor.filter(|a| match (prev_start, bounds.start) {
            (Some(p), _) if plan.carry_over => a.at >= p,
            (_, Some(s)) => a.at >= s,
            _ => a.at >= plan.since.min(a.at),
        });
        let (t0, mut buckets) = match usable {
            Some(a) => {
                let end = end_of(a.at)?;
                let mut b = fresh(plan, a.at, end, plan.carry_over.then_some(allowance));
                spread(&mut b, a.remaining.0, end);
                (a.at, b)
            }
            None => {
                let t0 = bounds.start.unwrap_or(plan.since);
                if plan.carry_over && bounds.start.is_some() {
                    notes.push("carry-over from the previous cycle is not known without an anchor: counted as none".into());
                }
                let mut b = fresh(plan, t0, bounds.end, None);
                b.retain(|x| x.kind != BucketKind::CarryOver);
                (t0, b)
            }
        };
        let mut events: Vec<(i64, u8, usize)> = Vec::new();
        for r in cycle::resets_between(&plan.resets, tz, t0, now, 64)? {
            events.push((r, 0, 0));
        }
        for (i, p) in plan.packs.iter().enumerate() {
            if p.added > t0 && p.added <= now {
                events.push((p.added, 2, i));
            }
            if let Some(e) = p.expires.filter(|&e| e > t0 && e <= now) {
                events.push((e, 1, i));
            }
        }
        events.sort();
        let mut cur = t0;
        for (t, kind, i) in events {
            over = over.saturating_add(consume(
                &mut buckets,
                scaled(ledger.counted(cur, t), factor),
            ));
            cur = t;
            match kind {
                0 => {
                    let end = end_of(t)?;
                    let unused = buckets
                        .iter()
                        .filter(|b| b.kind == BucketKind::Base)
                        .map(|b| b.remaining_bytes)
                        .sum::<u64>();
                    buckets.retain(|b| b.kind == BucketKind::Pack);
                    if plan.carry_over && unused > 0 {
                        buckets.push(Bucket {
                            kind: BucketKind::CarryOver,
                            remaining_bytes: unused,
                            size_bytes: unused,
                            expires_unix: end,
                            pack: None,
                        });
                    }
                    buckets.push(Bucket {
                        kind: BucketKind::Base,
                        remaining_bytes: allowance,
                        size_bytes: allowance,
                        expires_unix: end,
                        pack: None,
                    });
                    over = 0;
                }
                1 => buckets.retain(|b| b.pack != Some(i)),
                _ => {
                    if let Some(p) = plan.packs.get(i) {
                        buckets.push(Bucket {
                            kind: BucketKind::Pack,
                            remaining_bytes: p.size.0,
                            size_bytes: p.size.0,
                            expires_unix: p.expires,
                            pack: Some(i),
                        });
                    }
                }
            }
        }
        over = over.saturating_add(consume(
            &mut buckets,
            scaled(ledger.counted(cur, now), factor),
        ));
        let since = usable.map(|a| ledger.counted(a.at, now));
        (buckets, since, usable)
    };
    let remaining: u64 = buckets.iter().map(|b| b.remaining_bytes).sum();
    let total: u64 = buckets
        .iter()
        .map(|b| b.size_bytes)
        .sum::<u64>()
        .max(remaining);
    if over > 0 {
        notes.push(format!(
            "counted {} more than the plan holds",
            crate::balance::format_bytes(over, 1024)
        ));
    }
    if let Some(since) = ledger.since() {
        if bounds.start.is_some_and(|s| since > s) && used_anchor.is_none() {
            notes.push(format!(
                "counting started {} — anything used before that is not in this estimate; set an anchor (`simquota plan anchor SIZE`)",
                cycle::short_date(since, tz)
            ));
        }
    } else if plan.interface.is_none() {
        notes.push("nothing is counted: the plan names no network interface (`simquota plan set --interface wwan0`)".into());
    }
    if let (Some(a), Some(s)) = (anchor, bounds.start) {
        if used_anchor.is_none() && a.at < s {
            notes.push(
                "the last anchor is from an earlier cycle: starting from the full allowance".into(),
            );
        }
    }
    let days = bounds.end.map(|e| ((e - now).max(0) as f64) / 86_400.0);
    let daily = days.map(|d| (remaining as f64 / d.max(1.0)).round() as u64);
    Ok(Estimate {
        label: "estimate".into(),
        remaining_bytes: remaining,
        total_bytes: total,
        allowance_bytes: allowance,
        resets: plan.resets.to_string(),
        plan: format!(
            "{} plan {}",
            crate::balance::format_bytes(allowance, 1024),
            plan.resets.describe()
        ),
        cycle_start_unix: bounds.start,
        next_reset_unix: bounds.end,
        next_reset: bounds.end.map(|e| cycle::iso(e, tz)),
        counted_since_cycle_start_bytes: bounds
            .start
            .map(|s| ledger.counted(s, now))
            .unwrap_or_else(|| ledger.counted(plan.since, now)),
        counted_since_anchor_bytes: counted_since_anchor,
        counting_since_unix: ledger.since(),
        last_anchor: anchor.map(|a| AnchorInfo {
            at: cycle::iso(a.at, tz),
            at_unix: a.at,
            remaining_bytes: a.remaining.0,
            source: a.source,
        }),
        buckets,
        at_cap: plan.at_cap.map(|c| c.describe()),
        capped: remaining == 0,
        correction_factor: factor,
        daily_budget_bytes: daily,
        days_to_reset: days,
        zone: plan.tz.clone(),
        notes,
    })
}

/// The buckets at `t`: the base (expiring at `end`), a carry-over of capacity `carry` when
/// given, and the packs active at `t`, all full.
fn fresh(plan: &Plan, t: i64, end: Option<i64>, carry: Option<u64>) -> Vec<Bucket> {
    let mut b = Vec::new();
    if let Some(c) = carry {
        b.push(Bucket {
            kind: BucketKind::CarryOver,
            remaining_bytes: c,
            size_bytes: c,
            expires_unix: end,
            pack: None,
        });
    }
    b.push(Bucket {
        kind: BucketKind::Base,
        remaining_bytes: plan.allowance.0,
        size_bytes: plan.allowance.0,
        expires_unix: end,
        pack: None,
    });
    for (i, p) in plan.packs.iter().enumerate() {
        if p.added <= t && p.expires.is_none_or(|e| e > t) {
            b.push(Bucket {
                kind: BucketKind::Pack,
                remaining_bytes: p.size.0,
                size_bytes: p.size.0,
                expires_unix: p.expires,
                pack: Some(i),
            });
        }
    }
    b
}

/// Fills buckets with `remaining` from the one consumed last to the one consumed first; more
/// than they hold goes to an [`BucketKind::Unexplained`] bucket expiring at `end`.
fn spread(buckets: &mut Vec<Bucket>, remaining: u64, end: Option<i64>) {
    let mut order: Vec<usize> = (0..buckets.len()).collect();
    order.sort_by_key(|&i| {
        buckets
            .get(i)
            .map(|b| (b.expires_unix.unwrap_or(i64::MAX), b.kind))
    });
    let mut left = remaining;
    for &i in order.iter().rev() {
        if let Some(b) = buckets.get_mut(i) {
            let put = b.size_bytes.min(left);
            b.remaining_bytes = put;
            left -= put;
        }
    }
    buckets.retain(|b| b.remaining_bytes > 0 || b.kind == BucketKind::Base);
    if left > 0 {
        buckets.push(Bucket {
            kind: BucketKind::Unexplained,
            remaining_bytes: left,
            size_bytes: left,
            expires_unix: end,
            pack: None,
        });
    }
}

fn rolling<'a>(
    plan: &Plan,
    ledger: &Ledger,
    now: i64,
    window: i64,
    anchor: Option<&'a Anchor>,
    factor: f64,
) -> (Vec<Bucket>, Option<u64>, Option<&'a Anchor>) {
    let allowance = plan.allowance.0;
    let a = anchor.filter(|a| a.at > now - window);
    let left = match a {
        Some(a) => {
            let back = scaled(ledger.counted(a.at - window, now - window), factor);
            let since = scaled(ledger.counted(a.at, now), factor);
            a.remaining
                .0
                .saturating_add(back)
                .saturating_sub(since)
                .min(allowance.max(a.remaining.0))
        }
        None => allowance.saturating_sub(scaled(ledger.counted(now - window, now), factor)),
    };
    let mut b = vec![Bucket {
        kind: BucketKind::Base,
        remaining_bytes: left,
        size_bytes: allowance.max(left),
        expires_unix: None,
        pack: None,
    }];
    for (i, p) in plan.packs.iter().enumerate() {
        if p.added <= now && p.expires.is_none_or(|e| e > now) {
            b.push(Bucket {
                kind: BucketKind::Pack,
                remaining_bytes: p.size.0,
                size_bytes: p.size.0,
                expires_unix: p.expires,
                pack: Some(i),
            });
        }
    }
    (b, a.map(|a| ledger.counted(a.at, now)), a)
}
