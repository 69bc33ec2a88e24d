//! When to check next: `--every 6h` with jitter, and exponential back-off after failures.
//!
//! Invariants:
//! - virtual time: the caller passes `now` (UTC unix seconds) and gets the next check time back;
//!   nothing here sleeps or reads the clock;
//! - jitter is ± up to [`Schedule::jitter_percent`] % of the interval (10 % by default), so a
//!   fleet of routers started together does not ask the carrier at the same second; it comes
//!   from [`Rng`], a SplitMix64 generator (Steele, Lea, Flood, "Fast splittable pseudorandom
//!   number generators", OOPSLA 2014) seeded by the caller — reproducible in tests;
//! - after `n` failures in a row the delay is `retry_base · 2^(n-1)`, capped at `retry_cap`
//!   (never longer than the regular interval by default); a success returns to the interval.

use std::time::Duration;

use super::{MonitorError, Result};

/// Parses a duration: one or more `<number><unit>` parts, units `s`, `m`, `h`, `d`, `w`
/// (`30m`, `6h`, `1d`, `1h30m`). At least one second, at most a year.
pub fn parse_duration(s: &str) -> Result<Duration> {
    let t = s.trim();
    let bad = |why: &str| {
        MonitorError::Invalid(format!(
            "not a duration ({why}): {s:?} (e.g. 30m, 6h, 1d, 1h30m)"
        ))
    };
    if t.is_empty() {
        return Err(bad("empty"));
    }
    let mut total: u64 = 0;
    let mut num: Option<u64> = None;
    for c in t.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = num
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d)))
                .ok_or_else(|| bad("too large"))?;
            num = Some(n);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad("unknown unit")),
        };
        let n = num.take().ok_or_else(|| bad("unit without a number"))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| bad("too large"))?;
    }
    if num.is_some() {
        return Err(bad("number without a unit"));
    }
    if total == 0 {
        return Err(bad("zero"));
    }
    if total > 366 * 86_400 {
        return Err(bad("longer than a year"));
    }
    Ok(Duration::from_secs(total))
}

/// A small seeded pseudo-random generator (SplitMix64). Not for secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value, 0 included).
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A seed from the clock and the process id: different routers and restarts differ.
    pub fn seed_from_environment() -> u64 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        nanos ^ (u64::from(std::process::id()) << 32)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[-bound, bound]` (bound ≥ 0).
    pub fn symmetric(&mut self, bound: i64) -> i64 {
        let bound = bound.max(0);
        let width = (bound as u64).saturating_mul(2).saturating_add(1);
        // Multiply-shift keeps the bias below 2^-32 for any width we use (≤ a year of seconds).
        let r = ((u128::from(self.next_u64()) * u128::from(width)) >> 64) as i64;
        r - bound
    }
}

/// The watch schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The regular interval (`--every`).
    pub every: Duration,
    /// Jitter, ± percent of the delay (0–50; default 10).
    pub jitter_percent: u8,
    /// First retry delay after a failure (default 1 minute, at most `every`).
    pub retry_base: Duration,
    /// Longest retry delay (default `every`).
    pub retry_cap: Duration,
    failures: u32,
    rng: Rng,
}

impl Schedule {
    /// A schedule checking every `every`, with defaults for jitter and back-off.
    pub fn new(every: Duration, seed: u64) -> Schedule {
        Schedule {
            every,
            jitter_percent: 10,
            retry_base: Duration::from_secs(60).min(every),
            retry_cap: every,
            failures: 0,
            rng: Rng::new(seed),
        }
    }

    /// Failures in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The delay before the next check, without jitter, given the failures so far.
    pub fn base_delay(&self) -> Duration {
        if self.failures == 0 {
            return self.every;
        }
        let shift = (self.failures - 1).min(32);
        let d = self
            .retry_base
            .checked_mul(1u32 << shift.min(31))
            .unwrap_or(Duration::MAX);
        d.min(self.retry_cap.max(self.retry_base))
    }

    /// Records the outcome of the check that just ended at `now` and returns when (UTC unix
    /// seconds) the next one should start. Never earlier than `now + 1`.
    pub fn next_after(&mut self, now: i64, success: bool) -> i64 {
        if success {
            self.failures = 0;
        } else {
            self.failures = self.failures.saturating_add(1);
        }
        let base = i64::try_from(self.base_delay().as_secs()).unwrap_or(i64::MAX);
        let pct = i64::from(self.jitter_percent.min(50));
        let jitter = self
            .rng
            .symmetric(base / 100 * pct + (base % 100) * pct / 100);
        now.saturating_add(base.saturating_add(jitter).max(1))
    }

    /// When the first check should start after launch: now, plus a jitter of up to the jitter
    /// share of the interval (so routers booting together spread out).
    pub fn first(&mut self, now: i64) -> i64 {
        let base = i64::try_from(self.every.as_secs()).unwrap_or(i64::MAX);
        let pct = i64::from(self.jitter_percent.min(50));
        now.saturating_add(self.rng.symmetric(base / 100 * pct).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{any, prop_assert, proptest, ProptestConfig};

    #[test]
    fn durations() {
        for (s, secs) in [
            ("30m", 1800),
            ("6h", 21_600),
            ("1d", 86_400),
            ("90s", 90),
            ("1h30m", 5400),
            (" 2w ", 1_209_600),
        ] {
            assert_eq!(parse_duration(s).unwrap(), Duration::from_secs(secs), "{s}");
        }
        for bad in [
            "",
            "6",
            "h",
            "0m",
            "6x",
            "1.5h",
            "-1h",
            "99999999999999999999h",
            "400d",
            "6 h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rng_is_reproducible_and_spread() {
        let a: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let mut r = Rng::new(42);
        assert_eq!(a, (0..5).map(|_| r.next_u64()).collect::<Vec<_>>());
        // SplitMix64 reference value for seed 0 (first output).
        assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let mut r = Rng::new(7);
        let mut seen = [0u32; 21];
        for _ in 0..21_000 {
            let v = r.symmetric(10);
            assert!((-10..=10).contains(&v));
            seen[(v + 10) as usize] += 1;
        }
        assert!(seen.iter().all(|n| (700..1300).contains(n)), "{seen:?}");
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        let mut s = Schedule::new(parse_duration("6h").unwrap(), 1);
        let mut now = 1_000_000;
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        for _ in 0..1000 {
            let next = s.next_after(now, true);
            let d = next - now;
            assert!((19_440..=23_760).contains(&d), "{d}");
            lo = lo.min(d);
            hi = hi.max(d);
            now = next;
        }
        assert!(
            lo < 20_000 && hi > 23_000,
            "jitter is actually applied: {lo}..{hi}"
        );
        let f = s.first(0);
        assert!((0..=2160).contains(&f));
    }

    #[test]
    fn back_off_doubles_to_the_cap_and_resets() {
        let mut s = Schedule::new(parse_duration("6h").unwrap(), 3);
        s.jitter_percent = 0;
        let mut delays = Vec::new();
        for _ in 0..12 {
            delays.push(s.next_after(0, false));
        }
        assert_eq!(
            delays,
            vec![60, 120, 240, 480, 960, 1920, 3840, 7680, 15_360, 21_600, 21_600, 21_600]
        );
        assert_eq!(s.failures(), 12);
        assert_eq!(s.next_after(100, true), 100 + 21_600);
        assert_eq!(s.failures(), 0);
        assert_eq!(s.next_after(0, false), 60, "back-off starts over");
    }

    #[test]
    fn many_failures_do_not_overflow() {
        let mut s = Schedule::new(Duration::from_secs(366 * 86_400), 9);
        for _ in 0..100 {
            let n = s.next_after(i64::MAX - 10, false);
            assert_eq!(n, i64::MAX);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn next_is_always_later(secs in 1u64..=366 * 86_400, seed in any::<u64>(), fails in 0u32..70, now in -1_000_000_000i64..4_000_000_000) {
            let mut s = Schedule::new(Duration::from_secs(secs), seed);
            for _ in 0..fails { s.next_after(now, false); }
            let n = s.next_after(now, fails % 2 == 0);
            prop_assert!(n > now);
            prop_assert!(n - now <= secs as i64 + secs as i64 / 10 + 1);
        }

        #[test]
        fn parse_duration_never_panics(t in ".{0,30}") {
            let _ = parse_duration(&t);
        }
    }
}
