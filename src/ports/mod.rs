//! Finding the modem's AT port by itself, and taking it politely.
//!
//! A USB modem exposes several serial ports (DIAG, GPS/NMEA, AT, PPP, …) and only some answer
//! AT. [`discover`] lists the ports from sysfs ([`sysfs`], no libudev), ranks them with the
//! known-modem table ([`usb_ids`]): known AT interfaces first, then PPP ports, then unknown
//! interfaces of modem vendors, then CDC-ACM ports, then anything else; DIAG, GPS, audio and
//! vendor-ignored ports are listed but never touched. Candidates are probed **in parallel**
//! ([`probe`]), so the whole search costs about one probe time-out.
//!
//! Invariants:
//! * Probing writes nothing but `AT\r` / `\rAT\r` ([`probe`]).
//! * We never fight another program: a port with a live UUCP lock ([`lock`]) or open in another
//!   process ([`holder`], `/proc/*/fd`) is not probed; the result names the owner and says what
//!   to do ("ModemManager (pid 812) has /dev/ttyUSB2 open: …").
//! * Nothing here panics on odd sysfs content or odd bytes from a port; unknown becomes
//!   [`Role::Unknown`] / [`Verdict::Garbage`], not an error.

pub mod holder;
pub mod lock;
pub mod probe;
pub mod sysfs;
pub mod usb_ids;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use holder::Holder;
pub use lock::{LockError, PortLock};
pub use probe::{ProbeResult, Verdict};
pub use sysfs::{PortKind, SysPort, UsbIdentity};
pub use usb_ids::{NoAtKind, Role};

/// Default time-out of one probe (all probes run at once).
pub const DEFAULT_PROBE_TIMEOUT: Duration = Duration::from_millis(400);

/// Where to look and how to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// sysfs mount point (`/sys`).
    pub sysfs_root: PathBuf,
    /// Directory of device nodes (`/dev`).
    pub dev_root: PathBuf,
    /// procfs mount point (`/proc`), for the "who has it open" scan.
    pub proc_root: PathBuf,
    /// Lock directory; `None` uses `$SIMQUOTA_LOCK_DIR`, `/run/lock`, `/var/lock`.
    pub lock_dir: Option<PathBuf>,
    /// Time-out of one probe.
    pub timeout: Duration,
    /// Whether to probe at all (`false` lists and ranks only).
    pub probe: bool,
    /// Also probe serial ports that are not on USB (`ttyS*`, `ttyAMA*`, …).
    pub probe_non_usb: bool,
    /// Also probe plain USB-serial adapters (FTDI, CP210x, CH340, …) that ModemManager only
    /// scans on request: they may be wired to anything.
    pub probe_adapters: bool,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            sysfs_root: PathBuf::from("/sys"),
            dev_root: PathBuf::from("/dev"),
            proc_root: PathBuf::from("/proc"),
            lock_dir: None,
            timeout: DEFAULT_PROBE_TIMEOUT,
            probe: true,
            probe_non_usb: false,
            probe_adapters: false,
        }
    }
}

/// One serial port, what is known about it and what probing said.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PortInfo {
    /// Device node, e.g. `/dev/ttyUSB2`.
    pub path: PathBuf,
    /// Kernel name, e.g. `ttyUSB2`.
    pub name: String,
    /// How the kernel exposes it.
    pub kind: PortKind,
    /// USB vendor ID (or PCI vendor ID for WWAN ports on PCI).
    pub vid: Option<u16>,
    /// USB product ID (or PCI device ID).
    pub pid: Option<u16>,
    /// Vendor name: from the known-modem table, else the device's `manufacturer` string.
    pub vendor: Option<String>,
    /// Product name: from the known-modem table, else the device's `product` string.
    pub product: Option<String>,
    /// USB interface number.
    pub interface: Option<u8>,
    /// What the port is for.
    pub role: Role,
    /// Where the role comes from (table row source), if known.
    pub role_source: Option<&'static str>,
    /// Full USB identity, when on USB.
    pub usb: Option<UsbIdentity>,
    /// Rank tier: 0 known AT, 1 PPP, 2 unknown interface of a modem vendor, 3 CDC-ACM,
    /// 4 other USB, 5 USB-serial adapter, 6 not USB, 9 never probed (DIAG, GPS, …).
    pub tier: u8,
    /// `Some(true)` answered AT, `Some(false)` asked and did not, `None` not asked.
    pub answered: Option<bool>,
    /// The probe's verdict, when probed.
    pub verdict: Option<Verdict>,
    /// The reply, escaped and shortened, when probed.
    pub reply: Option<String>,
    /// Other processes that have the port open.
    pub holders: Vec<Holder>,
    /// A human note: why skipped, what came back, who owns it.
    pub note: String,
}

/// A modem that has no serial port at all (HiLink stick, stick still in CD-ROM mode).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NoAtDevice {
    /// USB vendor ID.
    pub vid: u16,
    /// USB product ID.
    pub pid: u16,
    /// Model name.
    pub model: String,
    /// Why it has no AT port.
    pub kind: NoAtKind,
    /// What to tell the user.
    pub explanation: String,
}

/// The result of [`discover`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Discovery {
    /// All ports, best candidate first.
    pub ports: Vec<PortInfo>,
    /// The AT port chosen, if any answered.
    pub chosen: Option<PathBuf>,
    /// One paragraph saying what was chosen and why, or why nothing was.
    pub explanation: String,
    /// Modems present that have no AT port.
    pub no_at: Vec<NoAtDevice>,
    /// Modem-vendor USB devices that have no serial port bound (driver missing?).
    pub portless_modems: Vec<String>,
    /// How long probing took (all probes run in parallel).
    pub probe_time: Duration,
}

/// Why no AT port could be chosen. Each message says what was found and what to try.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// No serial port exists at all.
    #[error("{message}")]
    NoSerialPorts {
        /// What was (not) found and what to try.
        message: String,
    },
    /// Only modems without an AT port (HiLink, CD-ROM mode) were found.
    #[error("{message}")]
    NoAtPort {
        /// The explanation.
        message: String,
    },
    /// The candidate ports are held by another program.
    #[error("{message}")]
    Busy {
        /// The best-ranked busy port.
        device: PathBuf,
        /// Who holds it.
        holder: Holder,
        /// What to do.
        message: String,
    },
    /// Ports exist but none answered AT.
    #[error("{message}")]
    NoAnswer {
        /// The ports with what each said, and what to try.
        message: String,
    },
}

fn hilink_explanation(model: &str, vid: u16, pid: u16, kind: NoAtKind) -> String {
    match kind {
        NoAtKind::HiLink => format!(
            "{model} ({vid:04x}:{pid:04x}) is a HiLink (router-mode) stick: it has no AT port. \
             Switch it to stick/modem mode with usb_modeswitch (from its CD-ROM mode 12d1:1f01, \
             `usb_modeswitch -v 12d1 -p 1f01 -X` selects the serial mode on firmware that has one; \
             other firmware needs a stick-firmware flash), or use its web API (usually http://192.168.8.1)."
        ),
        NoAtKind::MassStorage => format!(
            "{model} ({vid:04x}:{pid:04x}) is still in its CD-ROM / mass-storage mode, so it has no \
             serial ports yet: install usb-modeswitch (and usb-modeswitch-data), or switch it by hand \
             (`usb_modeswitch -v 12d1 -p 1f01 -X` for serial mode where supported; -J gives HiLink, which has no AT port)."
        ),
    }
}

fn tier_of(role: Role, kind: PortKind, usb: Option<&UsbIdentity>) -> u8 {
    match role {
        Role::At => 0,
        Role::Modem => 1,
        Role::Diag | Role::Gps | Role::Audio | Role::Ignore => 9,
        Role::Unknown => {
            if kind == PortKind::Platform {
                return 6;
            }
            match usb {
                Some(u) if usb_ids::is_greylisted_adapter(u.vid, u.pid) => 5,
                Some(u) if usb_ids::modem_vendor(u.vid).is_some() => 2,
                _ if kind == PortKind::Acm => 3,
                _ => 4,
            }
        }
    }
}

/// Turns a sysfs port into a ranked [`PortInfo`] (no probing).
pub fn port_info(sp: &SysPort) -> PortInfo {
    let (role, role_source) = match (sp.kind, sp.wwan_type.as_deref(), &sp.usb) {
        (PortKind::Wwan, Some("AT"), _) => (Role::At, Some("Linux WWAN subsystem: port type AT")),
        (PortKind::Wwan, Some("QCDM"), _) => {
            (Role::Diag, Some("Linux WWAN subsystem: port type QCDM"))
        }
        (_, _, Some(usb)) => usb_ids::role_of(usb),
        _ => (Role::Unknown, None),
    };
    let (vid, pid) = match (&sp.usb, sp.pci) {
        (Some(u), _) => (Some(u.vid), Some(u.pid)),
        (None, Some((v, d))) => (Some(v), Some(d)),
        _ => (None, None),
    };
    let vendor = sp.usb.as_ref().and_then(|u| {
        usb_ids::modem_vendor(u.vid)
            .map(|v| v.name.to_string())
            .or_else(|| u.manufacturer.clone())
    });
    let product = sp.usb.as_ref().and_then(|u| {
        usb_ids::model_name(u.vid, u.pid)
            .map(str::to_string)
            .or_else(|| u.product.clone())
    });
    PortInfo {
        path: sp.dev_path.clone(),
        name: sp.name.clone(),
        kind: sp.kind,
        vid,
        pid,
        vendor,
        product,
        interface: sp.usb.as_ref().and_then(|u| u.interface_number),
        role,
        role_source,
        usb: sp.usb.clone(),
        tier: tier_of(role, sp.kind, sp.usb.as_ref()),
        answered: None,
        verdict: None,
        reply: None,
        holders: Vec::new(),
        note: String::new(),
    }
}

/// Sorts ports best candidate first: by tier, then USB device, interface and name.
pub fn rank(ports: &mut [PortInfo]) {
    ports.sort_by(|a, b| {
        (a.tier, sysfs::natural_key(&a.name)).cmp(&(b.tier, sysfs::natural_key(&b.name)))
    });
}

/// Lists and ranks ports without probing them.
pub fn list_ranked(opts: &DiscoverOptions) -> Vec<PortInfo> {
    let mut ports: Vec<PortInfo> = sysfs::list_ports(&opts.sysfs_root, &opts.dev_root)
        .iter()
        .map(port_info)
        .collect();
    rank(&mut ports);
    ports
}

enum Job {
    Probed(ProbeResult, Option<String>),
    Locked(LockError),
    Panicked,
}

impl From<probe::PanickedProbe> for Job {
    fn from(_: probe::PanickedProbe) -> Self {
        Job::Panicked
    }
}

fn probe_locked(path: &Path, opts: &DiscoverOptions) -> Job {
    let lock = match &opts.lock_dir {
        Some(dir) => PortLock::acquire_in(dir, path),
        None => PortLock::acquire(path),
    };
    match lock {
        Ok(guard) => {
            let r = probe::probe_port(path, opts.timeout);
            drop(guard);
            Job::Probed(r, None)
        }
        Err(e @ (LockError::Held { .. } | LockError::Unreadable { .. })) => Job::Locked(e),
        // No writable lock directory (not root, no dialout write access to /run/lock): probing
        // is still safe because open_native takes TIOCEXCL + flock for the probe's duration.
        Err(e) => Job::Probed(
            probe::probe_port(path, opts.timeout),
            Some(format!("unlocked: {e}")),
        ),
    }
}

fn open_failure_note(err: &str) -> String {
    let lower = err.to_ascii_lowercase();
    if lower.contains("permission denied") {
        format!("could not open: {err}; add yourself to the dialout group (`sudo usermod -aG dialout $USER`) or run as root")
    } else if lower.contains("exclusive") || lower.contains("busy") {
        format!("could not open: {err}; another program has it open exclusively")
    } else {
        format!("could not open: {err}")
    }
}

/// Lists, ranks and probes the serial ports, and chooses the AT port.
pub fn discover(opts: &DiscoverOptions) -> Discovery {
    let mut ports = list_ranked(opts);
    let me = std::process::id();

    let mut to_probe: Vec<usize> = Vec::new();
    for (i, p) in ports.iter_mut().enumerate() {
        if !p.role.may_probe() {
            p.note = format!("skipped: {} port", p.role.label());
        } else if p.tier == 5 && !opts.probe_adapters {
            p.note = "USB-serial adapter: not probed (name it with --port)".to_string();
        } else if p.tier == 6 && !opts.probe_non_usb {
            p.note = "not on USB: not probed (name it with --port)".to_string();
        } else if !opts.probe {
            p.note = "not probed".to_string();
        } else {
            to_probe.push(i);
        }
    }

    // One /proc scan for all candidates; our own descriptors (a test holding a PTY) don't count.
    let targets: Vec<PathBuf> = to_probe
        .iter()
        .filter_map(|i| ports.get(*i).map(|p| p.path.clone()))
        .collect();
    let mut held = holder::holders_in(&opts.proc_root, &targets);
    let mut free: Vec<usize> = Vec::new();
    for i in to_probe {
        let Some(p) = ports.get_mut(i) else { continue };
        let others: Vec<Holder> = held
            .remove(&p.path)
            .unwrap_or_default()
            .into_iter()
            // Our own descriptors and the device side of a PTY (socat, an emulator) don't count.
            .filter(|h| h.pid != me && !h.device_side)
            .collect();
        if let Some(first) = others.first() {
            p.note = format!("busy: {}", holder::advice(&p.path, first));
            p.holders = others;
        } else {
            free.push(i);
        }
    }

    let paths: Vec<PathBuf> = free
        .iter()
        .filter_map(|i| ports.get(*i).map(|p| p.path.clone()))
        .collect();
    let started = Instant::now();
    let jobs = probe::probe_many_with(&paths, |p| probe_locked(p, opts));
    let probe_time = if paths.is_empty() {
        Duration::ZERO
    } else {
        started.elapsed()
    };

    for (i, job) in free.into_iter().zip(jobs) {
        let Some(p) = ports.get_mut(i) else { continue };
        match job {
            Job::Probed(r, lock_note) => {
                if r.verdict == Verdict::OpenFailed {
                    p.note = open_failure_note(r.error.as_deref().unwrap_or("unknown error"));
                } else {
                    p.answered = Some(r.verdict.answered());
                    p.verdict = Some(r.verdict);
                    p.reply = Some(probe::escape_reply(&r.reply, 80));
                    p.note = match (r.verdict, r.reply.is_empty()) {
                        (Verdict::Ok, _) | (_, true) => r.verdict.describe().to_string(),
                        (v, false) => {
                            format!("{}: {}", v.describe(), probe::escape_reply(&r.reply, 40))
                        }
                    };
                }
                if let Some(n) = lock_note {
                    let _ = write!(p.note, " ({n})");
                }
            }
            Job::Locked(e) => {
                if let LockError::Held { holder, .. } = &e {
                    p.holders = vec![holder.clone()];
                }
                p.note = format!("busy: {e}");
            }
            Job::Panicked => p.note = "probe failed unexpectedly".to_string(),
        }
    }

    let chosen = ports
        .iter()
        .enumerate()
        .filter(|(_, p)| p.answered == Some(true))
        .min_by_key(|(i, p)| (p.verdict != Some(Verdict::Ok), p.tier, *i))
        .map(|(_, p)| p.path.clone());

    let usb_devices = sysfs::list_usb_devices(&opts.sysfs_root);
    let mut no_at = Vec::new();
    let mut portless_modems = Vec::new();
    for dev in &usb_devices {
        let has_port = ports.iter().any(|p| {
            p.usb
                .as_ref()
                .is_some_and(|u| u.sysfs_device == dev.sysfs_path)
        });
        if has_port {
            continue;
        }
        if let Some(row) = usb_ids::no_at_row(dev.vid, dev.pid) {
            no_at.push(NoAtDevice {
                vid: dev.vid,
                pid: dev.pid,
                model: row.model.to_string(),
                kind: row.kind,
                explanation: hilink_explanation(row.model, dev.vid, dev.pid, row.kind),
            });
        } else if let Some(v) = usb_ids::modem_vendor(dev.vid) {
            let name = usb_ids::model_name(dev.vid, dev.pid)
                .map(str::to_string)
                .or_else(|| dev.product.clone())
                .unwrap_or_else(|| v.name.to_string());
            portless_modems.push(format!(
                "{name} ({:04x}:{:04x}) has no serial port: its serial driver may not be bound (`dmesg | tail`, `modprobe option`)",
                dev.vid, dev.pid
            ));
        }
    }

    let mut d = Discovery {
        ports,
        chosen,
        explanation: String::new(),
        no_at,
        portless_modems,
        probe_time,
    };
    d.explanation = explain(&d);
    d
}

fn port_label(p: &PortInfo) -> String {
    let mut s = p.path.display().to_string();
    let mut bits = Vec::new();
    if let Some(prod) = p.product.as_ref().or(p.vendor.as_ref()) {
        bits.push(prod.clone());
    }
    if let Some(i) = p.interface {
        bits.push(format!("interface {i}"));
    }
    bits.push(p.role.label().to_string());
    let _ = write!(s, " ({})", bits.join(", "));
    s
}

fn explain(d: &Discovery) -> String {
    if let Some(path) = &d.chosen {
        let Some(p) = d.ports.iter().find(|p| &p.path == path) else {
            return format!("chose {}", path.display());
        };
        let mut s = format!("chose {}: {}", port_label(p), p.note);
        if p.role == Role::Modem {
            s.push_str("; this is the PPP/modem port, a data call on it would block AT commands");
        }
        return s;
    }
    match d.port() {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

impl Discovery {
    /// The chosen AT port, or an error that says what was found and what to try.
    pub fn port(&self) -> Result<PathBuf, DiscoverError> {
        if let Some(p) = &self.chosen {
            return Ok(p.clone());
        }
        let candidates = self.ports.iter().filter(|p| p.tier < 5).count();
        if candidates == 0 {
            if !self.no_at.is_empty() {
                let message = self
                    .no_at
                    .iter()
                    .map(|n| n.explanation.clone())
                    .collect::<Vec<_>>()
                    .join("\n");
                return Err(DiscoverError::NoAtPort { message });
            }
            let mut message = String::from(if self.ports.is_empty() {
                "no serial ports found"
            } else {
                "no modem serial ports found"
            });
            message.push_str(
                ": is the modem plugged in? Check `lsusb` (a modem shows its vendor, \
                 e.g. 12d1 Huawei, 2c7c Quectel, 1e0e SIMCom) and `dmesg | tail` (look for ttyUSB / ttyACM).",
            );
            for m in &self.portless_modems {
                let _ = write!(message, "\n{m}");
            }
            if !self.ports.is_empty() {
                let others: Vec<String> = self.ports.iter().map(port_label).collect();
                let _ = write!(
                    message,
                    "\nOther serial ports (not probed; name one with --port to use it): {}",
                    others.join(", ")
                );
            }
            return Err(DiscoverError::NoSerialPorts { message });
        }
        let asked = self.ports.iter().any(|p| p.answered.is_some());
        let busy: Vec<&PortInfo> = self
            .ports
            .iter()
            .filter(|p| !p.holders.is_empty())
            .collect();
        if !asked {
            if let Some(first) = busy.first() {
                if let Some(h) = first.holders.first() {
                    return Err(DiscoverError::Busy {
                        device: first.path.clone(),
                        holder: h.clone(),
                        message: format!("no free AT port: {}", holder::advice(&first.path, h)),
                    });
                }
            }
        }
        let mut message = format!(
            "none of the {} serial port(s) answered AT:\n",
            self.ports.len()
        );
        for p in &self.ports {
            let _ = writeln!(
                message,
                "  {}: {}",
                port_label(p),
                if p.note.is_empty() { "-" } else { &p.note }
            );
        }
        for n in &self.no_at {
            let _ = writeln!(message, "  {}", n.explanation);
        }
        message.push_str(
            "Try: name the port with --port /dev/ttyUSBn; if ModemManager runs it may own the modem \
             (`systemctl stop ModemManager`, or --backend modemmanager); check permissions \
             (`ls -l /dev/ttyUSB*`, group dialout).",
        );
        Err(DiscoverError::NoAnswer { message })
    }
}

/// Discovers and returns the AT port, or says exactly what was found and what to try.
pub fn auto_port(opts: &DiscoverOptions) -> Result<PathBuf, DiscoverError> {
    discover(opts).port()
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// A readable table of the ports for `simquota ports`.
pub fn describe_ports(d: &Discovery) -> String {
    let header = [
        "",
        "PORT",
        "ID",
        "VENDOR / PRODUCT",
        "IF",
        "ROLE",
        "ANSWERED",
        "NOTE",
    ];
    let mut rows: Vec<[String; 8]> = Vec::new();
    for p in &d.ports {
        let id = match (p.vid, p.pid) {
            (Some(v), Some(d)) => format!("{v:04x}:{d:04x}"),
            _ => "-".to_string(),
        };
        let names = match (&p.vendor, &p.product) {
            (Some(v), Some(pr)) => format!("{v} / {pr}"),
            (Some(v), None) => v.clone(),
            (None, Some(pr)) => pr.clone(),
            (None, None) => "-".to_string(),
        };
        rows.push([
            if d.chosen.as_ref() == Some(&p.path) {
                "*".to_string()
            } else {
                String::new()
            },
            p.path.display().to_string(),
            id,
            names,
            p.interface.map_or("-".to_string(), |i| i.to_string()),
            p.role.label().to_string(),
            match p.answered {
                Some(true) => "yes",
                Some(false) => "no",
                None => "-",
            }
            .to_string(),
            p.note.clone(),
        ]);
    }
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths.iter())
            .map(|(c, w)| pad(c, *w))
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    out.push_str(&line(&header.map(str::to_string)));
    out.push('\n');
    for r in &rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    if d.ports.is_empty() {
        out.push_str("(no serial ports)\n");
    }
    for n in &d.no_at {
        let _ = writeln!(out, "{}", n.explanation);
    }
    for m in &d.portless_modems {
        let _ = writeln!(out, "{m}");
    }
    if !d.explanation.is_empty() {
        out.push('\n');
        out.push_str(&d.explanation);
        out.push('\n');
    }
    out
}
