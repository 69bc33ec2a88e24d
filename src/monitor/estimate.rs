//! The live estimate between carrier checks: bytes counted through the modem's network
//! interface are taken off the last remaining figure the carrier gave.
//!
//! It is an **estimate**: the interface counts IP bytes as the host sees them, while the carrier
//! bills its own way (headers, rounding to 1 kB or 1 MB blocks, zero-rated traffic). The next
//! carrier check replaces it.
//!
//! Counter sources:
//! - `/sys/class/net/IF/statistics/{rx_bytes,tx_bytes}` (Linux `struct rtnl_link_stats64`; on
//!   32-bit kernels of older drivers the values are `unsigned long` and wrap at 2^32);
//! - Huawei `AT^DSFLOWQRY`: `^DSFLOWQRY: <last_ds_time>,<last_tx_flow>,<last_rx_flow>,
//!   <total_ds_time>,<total_tx_flow>,<total_rx_flow>`, every field hexadecimal (times in
//!   seconds, flows in bytes).
//!
//! Counter rule ([`counter_delta`]): a counter that went up counted the difference; one that
//! went down either wrapped at 2^32 (the old value was in the top quarter of the 32-bit range
//! and the new one in the bottom quarter: add the wrap) or was reset (interface re-created,
//! modem re-plugged, reboot: count from zero). A reset loses the bytes counted between the last
//! sample and the reset — the estimate errs towards *more* remaining, never double counts.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{MonitorError, Result};

/// Where Linux exposes network interfaces.
pub const SYSFS_NET: &str = "/sys/class/net";

/// Where Linux exposes the id of the current boot (changes at each reboot).
pub const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

const WRAP_32: u64 = 1 << 32;
const QUARTER_32: u64 = 1 << 30;

/// Received and transmitted byte counters read at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterSample {
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes transmitted.
    pub tx_bytes: u64,
}

impl CounterSample {
    /// rx + tx (saturating).
    pub fn total(&self) -> u64 {
        self.rx_bytes.saturating_add(self.tx_bytes)
    }
}

/// Counters of an interface at a check: the baseline stored with the reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Interface name (`wwan0`, `usb0`), or `dsflowqry` for the modem's own counters.
    pub iface: String,
    /// The counter values.
    pub sample: CounterSample,
    /// The kernel boot id when known: a different one means the counters restarted.
    pub boot_id: Option<String>,
}

/// Bytes counted between two readings of one counter (see the module docs for the rule).
pub fn counter_delta(prev: u64, now: u64) -> u64 {
    if now >= prev {
        return now - prev;
    }
    let wrapped = (WRAP_32 - QUARTER_32..WRAP_32).contains(&prev) && now < QUARTER_32;
    if wrapped {
        (WRAP_32 - prev).saturating_add(now)
    } else {
        now
    }
}

/// An interface name that is safe to join under the statistics root: one path component.
fn check_iface(iface: &str) -> Result<()> {
    let ok = !iface.is_empty()
        && iface.len() <= 64
        && iface != "."
        && iface != ".."
        && !iface.contains(['/', '\0']);
    if ok {
        Ok(())
    } else {
        Err(MonitorError::Invalid(format!(
            "not an interface name: {iface:?}"
        )))
    }
}

fn read_number(path: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| MonitorError::io(format!("reading {}", path.display()), e))?;
    text.trim().parse::<u64>().map_err(|_| {
        MonitorError::Invalid(format!(
            "{}: not a byte counter: {:?}",
            path.display(),
            text.chars().take(40).collect::<String>()
        ))
    })
}

/// Reads `ROOT/IFACE/statistics/{rx_bytes,tx_bytes}`; `root` is [`SYSFS_NET`] on a real
/// system and a fake directory in tests.
pub fn read_counters(root: &Path, iface: &str) -> Result<CounterSample> {
    check_iface(iface)?;
    let dir = root.join(iface).join("statistics");
    Ok(CounterSample {
        rx_bytes: read_number(&dir.join("rx_bytes"))?,
        tx_bytes: read_number(&dir.join("tx_bytes"))?,
    })
}

/// The current boot id, when the kernel tells it.
pub fn boot_id() -> Option<String> {
    std::fs::read_to_string(BOOT_ID)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= 64)
}

/// [`read_counters`] plus the boot id: what to store with a check.
pub fn read_baseline(root: &Path, iface: &str) -> Result<Counters> {
    Ok(Counters {
        iface: iface.to_string(),
        sample: read_counters(root, iface)?,
        boot_id: boot_id(),
    })
}

/// Follows a counter between checks, sample by sample, so that a reset or a wrap between two
/// samples is seen (comparing only with the baseline would miss a reset followed by growth).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meter {
    last: CounterSample,
    accumulated: u64,
}

impl Meter {
    /// A meter starting at the counters stored with the last check.
    pub fn new(baseline: CounterSample) -> Meter {
        Meter {
            last: baseline,
            accumulated: 0,
        }
    }

    /// Takes a new sample; returns the bytes counted since the baseline.
    pub fn observe(&mut self, now: CounterSample) -> u64 {
        let d = counter_delta(self.last.rx_bytes, now.rx_bytes)
            .saturating_add(counter_delta(self.last.tx_bytes, now.tx_bytes));
        self.accumulated = self.accumulated.saturating_add(d);
        self.last = now;
        self.accumulated
    }

    /// Bytes counted since the baseline.
    pub fn bytes_since(&self) -> u64 {
        self.accumulated
    }

    /// A carrier check happened at `now`: it becomes the new baseline.
    pub fn rebase(&mut self, now: CounterSample) {
        self.last = now;
        self.accumulated = 0;
    }
}

/// Remaining data now, estimated: the last carrier figure less the bytes counted since,
/// never below 0.
pub fn estimate(last_reading_remaining: u64, bytes_since: u64) -> u64 {
    last_reading_remaining.saturating_sub(bytes_since)
}

/// An estimate with what it rests on, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    /// Estimated remaining bytes now.
    pub remaining_bytes: u64,
    /// Bytes counted on the interface since the carrier check.
    pub bytes_since_check: u64,
    /// The carrier figure it starts from.
    pub carrier_remaining_bytes: u64,
    /// When the carrier said so (UTC unix seconds).
    pub check_time: i64,
    /// Always `"estimate"`: the label every output shows next to the figure.
    pub label: String,
}

impl Estimate {
    /// The estimate from a carrier figure at `check_time` and the bytes counted since.
    pub fn new(carrier_remaining: u64, check_time: i64, bytes_since: u64) -> Estimate {
        Estimate {
            remaining_bytes: estimate(carrier_remaining, bytes_since),
            bytes_since_check: bytes_since,
            carrier_remaining_bytes: carrier_remaining,
            check_time,
            label: "estimate".to_string(),
        }
    }
}

/// A Huawei `^DSFLOWQRY` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsFlow {
    /// Duration of the current (last) data connection, seconds.
    pub last_ds_time: u64,
    /// Bytes sent in the current connection.
    pub last_tx_bytes: u64,
    /// Bytes received in the current connection.
    pub last_rx_bytes: u64,
    /// Total connected time since the counters were cleared (`AT^DSFLOWCLR`), seconds.
    pub total_ds_time: u64,
    /// Total bytes sent since cleared.
    pub total_tx_bytes: u64,
    /// Total bytes received since cleared.
    pub total_rx_bytes: u64,
}

impl DsFlow {
    /// The totals as a counter sample (they survive reconnects; [`counter_delta`] handles a
    /// clear as a reset).
    pub fn sample(&self) -> CounterSample {
        CounterSample {
            rx_bytes: self.total_rx_bytes,
            tx_bytes: self.total_tx_bytes,
        }
    }
}

/// Parses a `^DSFLOWQRY:` line (the `^DSFLOWQRY:` prefix is optional; spaces around fields are
/// allowed). Each field is 1–16 hexadecimal digits.
pub fn parse_dsflowqry(line: &str) -> Result<DsFlow> {
    let body = line.trim();
    let body = body
        .strip_prefix("^DSFLOWQRY:")
        .or_else(|| body.strip_prefix("^dsflowqry:"))
        .unwrap_or(body);
    let mut fields = [0u64; 6];
    let mut count = 0usize;
    for (i, f) in body.split(',').enumerate() {
        let f = f.trim().trim_matches('"');
        let slot = fields.get_mut(i).ok_or_else(|| {
            MonitorError::Invalid(format!(
                "^DSFLOWQRY: more than 6 fields in {:?}",
                clip(line)
            ))
        })?;
        if f.is_empty() || f.len() > 16 || !f.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(MonitorError::Invalid(format!(
                "^DSFLOWQRY: field {} is not hexadecimal: {:?}",
                i + 1,
                clip(f)
            )));
        }
        *slot = u64::from_str_radix(f, 16).map_err(|_| {
            MonitorError::Invalid(format!("^DSFLOWQRY: field {} out of range", i + 1))
        })?;
        count = i + 1;
    }
    if count != 6 {
        return Err(MonitorError::Invalid(format!(
            "^DSFLOWQRY: expected 6 fields, found {count} in {:?}",
            clip(line)
        )));
    }
    let [last_ds_time, last_tx_bytes, last_rx_bytes, total_ds_time, total_tx_bytes, total_rx_bytes] =
        fields;
    Ok(DsFlow {
        last_ds_time,
        last_tx_bytes,
        last_rx_bytes,
        total_ds_time,
        total_tx_bytes,
        total_rx_bytes,
    })
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fake_sysfs(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("simquota-sysfs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn set(root: &Path, iface: &str, rx: &str, tx: &str) {
        let s = root.join(iface).join("statistics");
        std::fs::create_dir_all(&s).unwrap();
        std::fs::write(s.join("rx_bytes"), rx).unwrap();
        std::fs::write(s.join("tx_bytes"), tx).unwrap();
    }

    #[test]
    fn counter_delta_table() {
        let w = 1u64 << 32;
        for (prev, now, want, why) in [
            (100, 250, 150, "grew"),
            (100, 100, 0, "still"),
            (5_000_000, 1_000, 1_000, "reset: count from zero"),
            (w - 100, 50, 150, "32-bit wrap"),
            (w - 1, 0, 1, "wrap to exactly zero"),
            (w + 10, 5, 5, "64-bit counter going down is a reset"),
            (w / 2, 10, 10, "mid-range drop is a reset, not a wrap"),
            (
                w - 100,
                (1 << 30) + 1,
                (1 << 30) + 1,
                "too far past zero for a wrap",
            ),
            (u64::MAX, 0, 0, "reset from the top"),
            (0, u64::MAX, u64::MAX, "grew to the top"),
        ] {
            assert_eq!(counter_delta(prev, now), want, "{why}: {prev} → {now}");
        }
    }

    #[test]
    fn reads_fake_sysfs_and_meters_through_reset_and_wrap() {
        let root = fake_sysfs("meter");
        set(&root, "wwan0", "1000\n", "500\n");
        let base = read_counters(&root, "wwan0").unwrap();
        assert_eq!(
            base,
            CounterSample {
                rx_bytes: 1000,
                tx_bytes: 500
            }
        );
        let mut m = Meter::new(base);
        set(&root, "wwan0", "3000\n", "700\n");
        assert_eq!(m.observe(read_counters(&root, "wwan0").unwrap()), 2200);
        // Interface re-created: counters restart.
        set(&root, "wwan0", "100\n", "50\n");
        assert_eq!(m.observe(read_counters(&root, "wwan0").unwrap()), 2350);
        // A 32-bit kernel's rx counter near the top, then wrapping.
        let near = (1u64 << 32) - 1000;
        set(&root, "wwan0", &near.to_string(), "50");
        let before = m.observe(read_counters(&root, "wwan0").unwrap());
        set(&root, "wwan0", "24", "50");
        assert_eq!(
            m.observe(read_counters(&root, "wwan0").unwrap()),
            before + 1024
        );
        // A carrier check rebases.
        m.rebase(read_counters(&root, "wwan0").unwrap());
        assert_eq!(m.bytes_since(), 0);
    }

    #[test]
    fn sysfs_errors_are_typed_and_paths_are_checked() {
        let root = fake_sysfs("errors");
        set(&root, "wwan0", "12x", "1");
        let e = read_counters(&root, "wwan0").unwrap_err().to_string();
        assert!(e.contains("rx_bytes") && e.contains("12x"), "{e}");
        assert!(read_counters(&root, "missing").is_err());
        for bad in ["", "..", "../etc", "a/b", "a\0"] {
            assert!(
                matches!(read_counters(&root, bad), Err(MonitorError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn estimate_saturates_and_is_labelled() {
        assert_eq!(estimate(1000, 300), 700);
        assert_eq!(estimate(1000, 5000), 0);
        let e = Estimate::new(5 << 30, 1_700_000_000, 1 << 30);
        assert_eq!(e.remaining_bytes, 4 << 30);
        assert_eq!(e.label, "estimate");
    }

    #[test]
    fn dsflowqry_vectors() {
        // Shape as printed by Huawei E-series sticks: 8-digit times, 16-digit flows.
        let f = parse_dsflowqry(
            "^DSFLOWQRY:00000DA3,0000000000073C95,0000000000E2EE3F,00012E41,00000000196A19DB,000000018F8E0CDC",
        )
        .unwrap();
        assert_eq!(f.last_ds_time, 0xDA3);
        assert_eq!(f.last_tx_bytes, 0x73C95);
        assert_eq!(f.last_rx_bytes, 0xE2EE3F);
        assert_eq!(f.total_ds_time, 0x12E41);
        assert_eq!(f.total_tx_bytes, 0x196A19DB);
        assert_eq!(f.total_rx_bytes, 0x18F8E0CDC);
        assert_eq!(
            f.sample(),
            CounterSample {
                rx_bytes: 0x18F8E0CDC,
                tx_bytes: 0x196A19DB
            }
        );
        let g = parse_dsflowqry("^DSFLOWQRY: 0,0,0, 1 ,ff,FF\r\n").unwrap();
        assert_eq!(
            (g.total_ds_time, g.total_tx_bytes, g.total_rx_bytes),
            (1, 255, 255)
        );
        for (bad, what) in [
            ("^DSFLOWQRY:1,2,3,4,5", "found 5"),
            ("^DSFLOWQRY:1,2,3,4,5,6,7", "more than 6"),
            ("^DSFLOWQRY:1,2,3,4,5,zz", "field 6"),
            ("^DSFLOWQRY:1,2,,4,5,6", "field 3"),
            ("^DSFLOWQRY:1,2,3,4,5,11111111111111111", "field 6"),
            ("", "field 1"),
        ] {
            let e = parse_dsflowqry(bad).unwrap_err().to_string();
            assert!(e.contains(what), "{bad:?}: {e}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn dsflowqry_never_panics(s in ".{0,120}") {
            let _ = parse_dsflowqry(&s);
        }

        #[test]
        fn dsflowqry_round_trip(v in proptest::array::uniform6(any::<u64>())) {
            let line = format!("^DSFLOWQRY:{:08X},{:016X},{:016X},{:08X},{:016X},{:016X}",
                v[0], v[1], v[2], v[3], v[4], v[5]);
            let f = parse_dsflowqry(&line).unwrap();
            prop_assert_eq!([f.last_ds_time, f.last_tx_bytes, f.last_rx_bytes, f.total_ds_time,
                f.total_tx_bytes, f.total_rx_bytes], v);
        }

        #[test]
        fn meter_never_exceeds_true_growth_without_wraps(steps in proptest::collection::vec(0u64..1_000_000, 1..50)) {
            // Monotonic 64-bit counters: the meter equals the true growth exactly.
            let mut m = Meter::new(CounterSample::default());
            let mut rx = 0u64;
            for s in steps {
                rx += s;
                m.observe(CounterSample { rx_bytes: rx, tx_bytes: 0 });
            }
            prop_assert_eq!(m.bytes_since(), rx);
        }
    }
}
