//! Serial-port listing from sysfs, without libudev.
//!
//! Invariant: everything here is read-only and best effort. A missing or unreadable attribute
//! becomes `None`, never an error, because sysfs differs between kernels and containers and a
//! half-described port is still worth listing. The sysfs root is a parameter so that tests can
//! build a fake tree in a temporary directory.
//!
//! Layout relied on (Linux `Documentation/ABI/stable/sysfs-bus-usb`, `sysfs-class-tty`):
//! `/sys/class/tty/NAME/device` links to the port's device. For `ttyUSB*` (usb-serial) that is the
//! port device whose parent is the USB *interface* directory (`bInterfaceNumber`,
//! `bInterfaceClass`, …); for `ttyACM*` (cdc-acm) it is the interface directory itself. The
//! interface's parent is the USB *device* directory (`idVendor`, `idProduct`, `manufacturer`,
//! `product`, `serial`, `busnum`, `devnum`). WWAN-subsystem ports (`/sys/class/wwan/wwan0at0`,
//! Linux 5.13+) sit under a PCI or USB device and have a character device `/dev/NAME`.

use std::fs;
use std::path::{Path, PathBuf};

/// How the kernel exposes a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum PortKind {
    /// A USB serial port from a usb-serial driver (`option`, `qcserial`, …): `ttyUSB*`.
    UsbSerial,
    /// A USB CDC-ACM port: `ttyACM*`.
    Acm,
    /// A port of the Linux WWAN subsystem (`/dev/wwan0at0`).
    Wwan,
    /// A serial port that is not on USB (UART on a board, `ttyS*`, `ttyAMA*`, …).
    Platform,
}

/// The USB identity of a port: its interface and the device the interface belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UsbIdentity {
    /// `idVendor`.
    pub vid: u16,
    /// `idProduct`.
    pub pid: u16,
    /// The device's `manufacturer` string, if it has one.
    pub manufacturer: Option<String>,
    /// The device's `product` string.
    pub product: Option<String>,
    /// The device's `serial` string.
    pub serial: Option<String>,
    /// `busnum` (decimal), as `lsusb` prints it.
    pub busnum: Option<u32>,
    /// `devnum` (decimal), as `lsusb` prints it.
    pub devnum: Option<u32>,
    /// `bInterfaceNumber` of the interface the port belongs to.
    pub interface_number: Option<u8>,
    /// `bInterfaceClass`, `bInterfaceSubClass`, `bInterfaceProtocol` of that interface.
    pub interface_class: Option<(u8, u8, u8)>,
    /// The interface's `interface` string (e.g. "Modem Interface"), if the firmware gives one.
    pub interface_name: Option<String>,
    /// Name of the kernel driver bound to the interface (`option`, `qcserial`, `cdc_acm`, …).
    pub driver: Option<String>,
    /// The USB device directory in sysfs (e.g. `/sys/devices/…/usb1/1-2`).
    pub sysfs_device: PathBuf,
}

/// One serial port found in sysfs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SysPort {
    /// Kernel name, e.g. `ttyUSB2` or `wwan0at0`.
    pub name: String,
    /// Device node: `<dev_root>/<name>`.
    pub dev_path: PathBuf,
    /// How the kernel exposes it.
    pub kind: PortKind,
    /// USB identity, when the port is on USB.
    pub usb: Option<UsbIdentity>,
    /// PCI vendor and device ID, when the port is on PCI (WWAN modules such as the FM350 on M.2).
    pub pci: Option<(u16, u16)>,
    /// The WWAN port type (`AT`, `QCDM`, …) for WWAN-subsystem ports.
    pub wwan_type: Option<String>,
}

/// A USB device (not an interface), used to recognise modems that expose no serial port at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsbDevice {
    /// `idVendor`.
    pub vid: u16,
    /// `idProduct`.
    pub pid: u16,
    /// `manufacturer` string.
    pub manufacturer: Option<String>,
    /// `product` string.
    pub product: Option<String>,
    /// `busnum`.
    pub busnum: Option<u32>,
    /// `devnum`.
    pub devnum: Option<u32>,
    /// The device directory in sysfs.
    pub sysfs_path: PathBuf,
    /// Interfaces: number, class triplet and bound driver.
    pub interfaces: Vec<UsbInterface>,
}

/// One interface of a [`UsbDevice`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsbInterface {
    /// `bInterfaceNumber`.
    pub number: Option<u8>,
    /// Class, subclass, protocol.
    pub class: Option<(u8, u8, u8)>,
    /// Bound driver, if any.
    pub driver: Option<String>,
}

/// Reads a sysfs attribute as trimmed text; `None` when missing, unreadable, empty or not UTF-8.
pub(crate) fn read_attr(dir: &Path, name: &str) -> Option<String> {
    let bytes = fs::read(dir.join(name)).ok()?;
    // Attributes are small; a huge file is not a sysfs attribute and is ignored.
    if bytes.len() > 4096 {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim();
    if text.is_empty() {
        None
    } else {
        Some(text.to_string())
    }
}

/// Parses a hexadecimal attribute such as `idVendor` (`12d1`) or a PCI `vendor` (`0x14c3`).
fn read_hex_u16(dir: &Path, name: &str) -> Option<u16> {
    let s = read_attr(dir, name)?;
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(&s);
    u16::from_str_radix(s, 16).ok()
}

fn read_hex_u8(dir: &Path, name: &str) -> Option<u8> {
    let s = read_attr(dir, name)?;
    u8::from_str_radix(&s, 16).ok()
}

fn read_dec_u32(dir: &Path, name: &str) -> Option<u32> {
    read_attr(dir, name)?.parse().ok()
}

fn driver_name(dir: &Path) -> Option<String> {
    let target = fs::read_link(dir.join("driver")).ok()?;
    target.file_name().map(|n| n.to_string_lossy().into_owned())
}

fn interface_class(dir: &Path) -> Option<(u8, u8, u8)> {
    Some((
        read_hex_u8(dir, "bInterfaceClass")?,
        read_hex_u8(dir, "bInterfaceSubClass")?,
        read_hex_u8(dir, "bInterfaceProtocol")?,
    ))
}

/// What walking up from a port's device directory found.
#[derive(Default)]
struct Ancestry {
    usb: Option<UsbIdentity>,
    pci: Option<(u16, u16)>,
}

/// Walks up from `start` (a canonical sysfs path) towards `root`, collecting the first USB
/// interface directory and the USB device directory above it (or a PCI function).
fn walk_up(root: &Path, start: &Path) -> Ancestry {
    let mut found = Ancestry::default();
    let mut iface_dir: Option<PathBuf> = None;
    let mut dir = start.to_path_buf();
    // Real trees are < 15 levels deep; the bound keeps a looping fake tree harmless.
    for _ in 0..32 {
        if iface_dir.is_none() && dir.join("bInterfaceNumber").exists() {
            iface_dir = Some(dir.clone());
        }
        if dir.join("idVendor").exists() {
            if let (Some(vid), Some(pid)) = (
                read_hex_u16(&dir, "idVendor"),
                read_hex_u16(&dir, "idProduct"),
            ) {
                let mut id = UsbIdentity {
                    vid,
                    pid,
                    manufacturer: read_attr(&dir, "manufacturer"),
                    product: read_attr(&dir, "product"),
                    serial: read_attr(&dir, "serial"),
                    busnum: read_dec_u32(&dir, "busnum"),
                    devnum: read_dec_u32(&dir, "devnum"),
                    sysfs_device: dir.clone(),
                    ..UsbIdentity::default()
                };
                if let Some(iface) = &iface_dir {
                    id.interface_number = read_hex_u8(iface, "bInterfaceNumber");
                    id.interface_class = interface_class(iface);
                    id.interface_name = read_attr(iface, "interface");
                    id.driver = driver_name(iface);
                }
                found.usb = Some(id);
            }
            return found;
        }
        // A PCI function has `vendor`, `device` and `class`; only used when no USB is above.
        if found.pci.is_none() && dir.join("class").is_file() && dir.join("vendor").is_file() {
            if let (Some(v), Some(d)) = (read_hex_u16(&dir, "vendor"), read_hex_u16(&dir, "device"))
            {
                found.pci = Some((v, d));
            }
        }
        if dir == root {
            break;
        }
        match dir.parent() {
            Some(p) if p.starts_with(root) => dir = p.to_path_buf(),
            _ => break,
        }
    }
    found
}

fn sorted_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort_by_key(|a| natural_key(a));
    names
}

/// Sort key so that `ttyUSB10` comes after `ttyUSB9`.
pub(crate) fn natural_key(s: &str) -> (String, u64) {
    let digits_at = s
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let (head, tail) = s.split_at(digits_at);
    (head.to_string(), tail.parse().unwrap_or(0))
}

/// Splits a WWAN port name such as `wwan0at0` into its type part (`at`).
fn wwan_type_from_name(name: &str) -> Option<String> {
    let rest = name.strip_prefix("wwan")?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let kind = rest.trim_end_matches(|c: char| c.is_ascii_digit());
    if kind.is_empty() {
        None
    } else {
        Some(kind.to_ascii_uppercase())
    }
}

/// Lists the serial ports of this machine: `ttyUSB*`, `ttyACM*`, other ttys backed by a real
/// device (skipping the phantom 8250 ports whose `type` is 0), and WWAN AT / QCDM ports.
///
/// `sysfs_root` is normally `/sys`, `dev_root` normally `/dev`.
pub fn list_ports(sysfs_root: &Path, dev_root: &Path) -> Vec<SysPort> {
    let root = fs::canonicalize(sysfs_root).unwrap_or_else(|_| sysfs_root.to_path_buf());
    let mut ports = Vec::new();

    let tty_class = root.join("class").join("tty");
    for name in sorted_entries(&tty_class) {
        let entry = tty_class.join(&name);
        // Virtual consoles, ptmx and pseudo-terminals have no `device` link.
        let Ok(device) = fs::canonicalize(entry.join("device")) else {
            continue;
        };
        // USB gadget serial is this machine acting as a device, not a modem.
        if name.starts_with("ttyGS") {
            continue;
        }
        // serial8250 registers ports that do not exist; their `type` reads 0 (PORT_UNKNOWN).
        if read_attr(&entry, "type").as_deref() == Some("0") {
            continue;
        }
        let anc = walk_up(&root, &device);
        let kind = if name.starts_with("ttyACM") {
            PortKind::Acm
        } else if name.starts_with("ttyUSB") || anc.usb.is_some() {
            PortKind::UsbSerial
        } else {
            PortKind::Platform
        };
        ports.push(SysPort {
            dev_path: dev_root.join(&name),
            name,
            kind,
            usb: anc.usb,
            pci: if kind == PortKind::Platform {
                anc.pci
            } else {
                None
            },
            wwan_type: None,
        });
    }

    let wwan_class = root.join("class").join("wwan");
    for name in sorted_entries(&wwan_class) {
        let entry = wwan_class.join(&name);
        let wtype = read_attr(&entry, "type").or_else(|| wwan_type_from_name(&name));
        // Only AT ports carry AT; QCDM is listed so that it can be shown and skipped.
        let Some(wtype) = wtype else { continue };
        let upper = wtype.to_ascii_uppercase();
        if upper != "AT" && upper != "QCDM" {
            continue;
        }
        let start = fs::canonicalize(&entry).unwrap_or(entry.clone());
        let anc = walk_up(&root, &start);
        ports.push(SysPort {
            dev_path: dev_root.join(&name),
            name,
            kind: PortKind::Wwan,
            usb: anc.usb,
            pci: anc.pci,
            wwan_type: Some(upper),
        });
    }
    ports
}

/// Lists USB devices (not interfaces) under `<sysfs_root>/bus/usb/devices`, skipping root hubs.
pub fn list_usb_devices(sysfs_root: &Path) -> Vec<UsbDevice> {
    let dir = sysfs_root.join("bus").join("usb").join("devices");
    let mut out = Vec::new();
    for name in sorted_entries(&dir) {
        // Interfaces are named `1-2:1.0`; root hubs `usb1`.
        if name.contains(':') || name.starts_with("usb") {
            continue;
        }
        let path = fs::canonicalize(dir.join(&name)).unwrap_or_else(|_| dir.join(&name));
        let (Some(vid), Some(pid)) = (
            read_hex_u16(&path, "idVendor"),
            read_hex_u16(&path, "idProduct"),
        ) else {
            continue;
        };
        let mut interfaces = Vec::new();
        for sub in sorted_entries(&path) {
            if !sub.starts_with(&format!("{name}:")) {
                continue;
            }
            let idir = path.join(&sub);
            interfaces.push(UsbInterface {
                number: read_hex_u8(&idir, "bInterfaceNumber"),
                class: interface_class(&idir),
                driver: driver_name(&idir),
            });
        }
        out.push(UsbDevice {
            vid,
            pid,
            manufacturer: read_attr(&path, "manufacturer"),
            product: read_attr(&path, "product"),
            busnum: read_dec_u32(&path, "busnum"),
            devnum: read_dec_u32(&path, "devnum"),
            sysfs_path: path,
            interfaces,
        });
    }
    out
}
