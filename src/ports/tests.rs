//! Tests: fake sysfs trees in temporary directories, probing over real pseudo-terminals,
//! lock files in a temporary lock directory, and the `/proc` holder scan.

use super::*;
use proptest::prelude::*;
use serialport::{SerialPort, TTYPort};
use std::fs;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::symlink;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

// ---------------------------------------------------------------------------------------------
// Temporary directories (no tempfile crate in this project).

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!(
            "simquota-ports-{tag}-{}-{n}-{nanos}",
            std::process::id()
        ));
        fs::create_dir_all(&p).unwrap();
        TempDir(fs::canonicalize(&p).unwrap())
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// A fake sysfs builder that mirrors the real layout:
//   devices/…/usbN/B-P              USB device: idVendor, idProduct, manufacturer, …
//   devices/…/usbN/B-P/B-P:1.I      interface: bInterfaceNumber, bInterfaceClass, …, driver ->
//   …/B-P:1.I/ttyUSBk/tty/ttyUSBk   tty class dir; `device` -> …/B-P:1.I/ttyUSBk
//   …/B-P:1.I/tty/ttyACMk           tty class dir; `device` -> …/B-P:1.I
//   class/tty/NAME -> the tty class dir; bus/usb/devices/B-P -> the device dir

struct FakeSys {
    dir: TempDir,
}

struct Dev {
    path: PathBuf,
    name: String,
}

fn put(dir: &Path, name: &str, value: &str) {
    fs::write(dir.join(name), format!("{value}\n")).unwrap();
}

impl FakeSys {
    fn new() -> FakeSys {
        let dir = TempDir::new("sysfs");
        for d in ["class/tty", "class/wwan", "bus/usb/devices", "drivers"] {
            fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        FakeSys { dir }
    }
    fn root(&self) -> &Path {
        self.dir.path()
    }

    #[allow(clippy::too_many_arguments)]
    fn usb_device(
        &self,
        port: &str,
        vid: u16,
        pid: u16,
        mfr: Option<&str>,
        product: Option<&str>,
        serial: Option<&str>,
        devnum: u32,
    ) -> Dev {
        let path = self
            .root()
            .join("devices/pci0000:00/0000:00:14.0/usb1")
            .join(port);
        fs::create_dir_all(&path).unwrap();
        put(&path, "idVendor", &format!("{vid:04x}"));
        put(&path, "idProduct", &format!("{pid:04x}"));
        if let Some(m) = mfr {
            put(&path, "manufacturer", m);
        }
        if let Some(p) = product {
            put(&path, "product", p);
        }
        if let Some(s) = serial {
            put(&path, "serial", s);
        }
        put(&path, "busnum", "1");
        put(&path, "devnum", &devnum.to_string());
        symlink(&path, self.root().join("bus/usb/devices").join(port)).unwrap();
        Dev {
            path,
            name: port.to_string(),
        }
    }

    fn iface(
        &self,
        dev: &Dev,
        num: u8,
        class: (u8, u8, u8),
        name: Option<&str>,
        driver: &str,
    ) -> PathBuf {
        let path = dev.path.join(format!("{}:1.{num}", dev.name));
        fs::create_dir_all(&path).unwrap();
        put(&path, "bInterfaceNumber", &format!("{num:02x}"));
        put(&path, "bInterfaceClass", &format!("{:02x}", class.0));
        put(&path, "bInterfaceSubClass", &format!("{:02x}", class.1));
        put(&path, "bInterfaceProtocol", &format!("{:02x}", class.2));
        if let Some(n) = name {
            put(&path, "interface", n);
        }
        let drv = self.root().join("drivers").join(driver);
        fs::create_dir_all(&drv).unwrap();
        symlink(&drv, path.join("driver")).unwrap();
        path
    }

    fn tty_usb(&self, iface: &Path, name: &str) {
        let port = iface.join(name);
        let class_dir = port.join("tty").join(name);
        fs::create_dir_all(&class_dir).unwrap();
        symlink(&port, class_dir.join("device")).unwrap();
        symlink(&class_dir, self.root().join("class/tty").join(name)).unwrap();
    }

    fn tty_acm(&self, iface: &Path, name: &str) {
        let class_dir = iface.join("tty").join(name);
        fs::create_dir_all(&class_dir).unwrap();
        symlink(iface, class_dir.join("device")).unwrap();
        symlink(&class_dir, self.root().join("class/tty").join(name)).unwrap();
    }

    /// A platform UART (`type` is the 8250 port type; 0 = phantom).
    fn tty_platform(&self, name: &str, port_type: &str) {
        let parent = self.root().join("devices/platform/serial8250");
        let class_dir = parent.join("tty").join(name);
        fs::create_dir_all(&class_dir).unwrap();
        put(&class_dir, "type", port_type);
        symlink(&parent, class_dir.join("device")).unwrap();
        symlink(&class_dir, self.root().join("class/tty").join(name)).unwrap();
    }

    /// A virtual terminal: no `device` link.
    fn tty_virtual(&self, name: &str) {
        let class_dir = self.root().join("devices/virtual/tty").join(name);
        fs::create_dir_all(&class_dir).unwrap();
        symlink(&class_dir, self.root().join("class/tty").join(name)).unwrap();
    }

    // --- whole devices -----------------------------------------------------------------------

    /// Huawei E3372 in stick mode (12d1:1506): modem (ff/02/01), an unlabelled port, PCUI
    /// (ff/02/02) and an NCM network interface without tty.
    fn huawei_e3372_stick(&self, port: &str, first_tty: u32) {
        let d = self.usb_device(
            port,
            0x12d1,
            0x1506,
            Some("HUAWEI_MOBILE"),
            Some("HUAWEI_MOBILE"),
            None,
            4,
        );
        let i0 = self.iface(&d, 0, (0xff, 0x02, 0x01), None, "option");
        let i1 = self.iface(&d, 1, (0xff, 0x02, 0x12), None, "option");
        let i2 = self.iface(&d, 2, (0xff, 0x02, 0x02), None, "option");
        self.iface(&d, 3, (0x02, 0x0d, 0x00), None, "huawei_cdc_ncm");
        self.tty_usb(&i0, &format!("ttyUSB{first_tty}"));
        self.tty_usb(&i1, &format!("ttyUSB{}", first_tty + 1));
        self.tty_usb(&i2, &format!("ttyUSB{}", first_tty + 2));
    }

    /// Quectel EC25 (2c7c:0125): DIAG, NMEA, AT, AT/PPP on ttyUSB n..n+3, QMI on if 4.
    fn quectel_ec25(&self, port: &str, first_tty: u32) {
        let d = self.usb_device(
            port,
            0x2c7c,
            0x0125,
            Some("Quectel"),
            Some("EG25-G"),
            Some("0123456789ABCDEF"),
            7,
        );
        for i in 0..4u8 {
            let name = if i == 2 {
                Some("Modem Interface")
            } else {
                None
            };
            let iface = self.iface(&d, i, (0xff, 0xff, 0xff), name, "option");
            self.tty_usb(&iface, &format!("ttyUSB{}", first_tty + u32::from(i)));
        }
        self.iface(&d, 4, (0xff, 0xff, 0xff), None, "qmi_wwan");
    }

    /// Huawei E3372 HiLink (12d1:14dc): cdc_ether only.
    fn huawei_hilink(&self, port: &str) {
        let d = self.usb_device(
            port,
            0x12d1,
            0x14dc,
            Some("HUAWEI_MOBILE"),
            Some("HUAWEI_MOBILE"),
            None,
            9,
        );
        self.iface(&d, 0, (0x02, 0x06, 0x00), None, "cdc_ether");
        self.iface(&d, 1, (0x0a, 0x00, 0x00), None, "cdc_ether");
        self.iface(&d, 2, (0x08, 0x06, 0x50), None, "usb-storage");
    }

    /// A CDC-ACM modem of a vendor not in the table, with AT (V.250) protocol 01.
    fn acm_modem(&self, port: &str, first_acm: u32) {
        let d = self.usb_device(
            port,
            0x1234,
            0x5678,
            Some("Acme"),
            Some("Acme LTE"),
            None,
            11,
        );
        let i0 = self.iface(
            &d,
            0,
            (0x02, 0x02, 0x01),
            Some("CDC Abstract Control Model"),
            "cdc_acm",
        );
        self.iface(&d, 1, (0x0a, 0x00, 0x00), None, "cdc_acm");
        let i2 = self.iface(&d, 2, (0x02, 0x02, 0x01), None, "cdc_acm");
        self.iface(&d, 3, (0x0a, 0x00, 0x00), None, "cdc_acm");
        self.tty_acm(&i0, &format!("ttyACM{first_acm}"));
        self.tty_acm(&i2, &format!("ttyACM{}", first_acm + 1));
    }

    /// u-blox LISA-U2 (1546:1102) on CDC-ACM: interfaces 0, 2, 4 AT, 6 GNSS.
    fn ublox_lisa(&self, port: &str, first_acm: u32) {
        let d = self.usb_device(
            port,
            0x1546,
            0x1102,
            Some("u-blox AG"),
            Some("u-blox LISA-U2"),
            None,
            12,
        );
        for (k, i) in [0u8, 2, 4, 6].iter().enumerate() {
            let iface = self.iface(&d, *i, (0x02, 0x02, 0x01), None, "cdc_acm");
            self.tty_acm(&iface, &format!("ttyACM{}", first_acm + k as u32));
        }
    }

    /// An FTDI USB-serial adapter (0403:6001).
    fn ftdi(&self, port: &str, tty: u32) {
        let d = self.usb_device(
            port,
            0x0403,
            0x6001,
            Some("FTDI"),
            Some("FT232R USB UART"),
            Some("A50285BI"),
            13,
        );
        let i0 = self.iface(&d, 0, (0xff, 0xff, 0xff), None, "ftdi_sio");
        self.tty_usb(&i0, &format!("ttyUSB{tty}"));
    }

    /// A PCI WWAN module (MediaTek 14c3:4d75, e.g. FM350 on M.2) with AT, MBIM and QCDM ports.
    fn pci_wwan(&self) {
        let pci = self
            .root()
            .join("devices/pci0000:00/0000:00:1c.0/0000:05:00.0");
        fs::create_dir_all(&pci).unwrap();
        put(&pci, "vendor", "0x14c3");
        put(&pci, "device", "0x4d75");
        put(&pci, "class", "0x0d4000");
        for port in ["wwan0at0", "wwan0mbim0", "wwan0qcdm0"] {
            let p = pci.join("wwan/wwan0").join(port);
            fs::create_dir_all(&p).unwrap();
            symlink(&p, self.root().join("class/wwan").join(port)).unwrap();
        }
        let w = pci.join("wwan/wwan0");
        symlink(&w, self.root().join("class/wwan/wwan0")).unwrap();
    }

    fn opts(&self, dev: &Path, lock: &Path) -> DiscoverOptions {
        DiscoverOptions {
            sysfs_root: self.root().to_path_buf(),
            dev_root: dev.to_path_buf(),
            lock_dir: Some(lock.to_path_buf()),
            timeout: Duration::from_millis(400),
            ..DiscoverOptions::default()
        }
    }
}

fn names(ports: &[PortInfo]) -> Vec<&str> {
    ports.iter().map(|p| p.name.as_str()).collect()
}

fn find<'a>(ports: &'a [PortInfo], name: &str) -> &'a PortInfo {
    ports
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not listed in {:?}", names(ports)))
}

// ---------------------------------------------------------------------------------------------
// Listing, roles and ranking on fake sysfs trees.

#[test]
fn huawei_e3372_stick_roles_from_interface_class() {
    let sys = FakeSys::new();
    sys.huawei_e3372_stick("1-1", 0);
    let opts = DiscoverOptions {
        sysfs_root: sys.root().into(),
        probe: false,
        ..Default::default()
    };
    let ports = list_ranked(&opts);
    assert_eq!(names(&ports), ["ttyUSB2", "ttyUSB0", "ttyUSB1"]);
    let roles: Vec<Role> = ports.iter().map(|p| p.role).collect();
    assert_eq!(roles, [Role::At, Role::Modem, Role::Unknown]);
    let tiers: Vec<u8> = ports.iter().map(|p| p.tier).collect();
    assert_eq!(tiers, [0, 1, 2]);
    let at = find(&ports, "ttyUSB2");
    assert_eq!(
        (at.vid, at.pid, at.interface),
        (Some(0x12d1), Some(0x1506), Some(2))
    );
    assert_eq!(at.vendor.as_deref(), Some("Huawei"));
    assert_eq!(
        at.product.as_deref(),
        Some("Huawei E3372/E3276 (stick mode)")
    );
    assert_eq!(at.path, Path::new("/dev/ttyUSB2"));
    assert_eq!(at.kind, PortKind::UsbSerial);
    assert!(at.role_source.unwrap_or("").contains("huawei"));
    let usb = at.usb.as_ref().unwrap();
    assert_eq!(usb.interface_class, Some((0xff, 0x02, 0x02)));
    assert_eq!(usb.driver.as_deref(), Some("option"));
    assert_eq!((usb.busnum, usb.devnum), (Some(1), Some(4)));
}

#[test]
fn quectel_ec25_layout_and_identity() {
    let sys = FakeSys::new();
    sys.quectel_ec25("1-2", 0);
    let opts = DiscoverOptions {
        sysfs_root: sys.root().into(),
        probe: false,
        ..Default::default()
    };
    let ports = list_ranked(&opts);
    assert_eq!(names(&ports), ["ttyUSB2", "ttyUSB3", "ttyUSB0", "ttyUSB1"]);
    let table: Vec<(&str, Role, Option<u8>)> = ports
        .iter()
        .map(|p| (p.name.as_str(), p.role, p.interface))
        .collect();
    assert_eq!(
        table,
        [
            ("ttyUSB2", Role::At, Some(2)),
            ("ttyUSB3", Role::Modem, Some(3)),
            ("ttyUSB0", Role::Diag, Some(0)),
            ("ttyUSB1", Role::Gps, Some(1)),
        ]
    );
    let at = find(&ports, "ttyUSB2");
    assert_eq!(at.product.as_deref(), Some("Quectel EC25/EG25"));
    let usb = at.usb.as_ref().unwrap();
    assert_eq!(usb.manufacturer.as_deref(), Some("Quectel"));
    assert_eq!(usb.product.as_deref(), Some("EG25-G"));
    assert_eq!(usb.serial.as_deref(), Some("0123456789ABCDEF"));
    assert_eq!(usb.interface_name.as_deref(), Some("Modem Interface"));
    assert_eq!(usb.devnum, Some(7));
    assert!(at.role_source.unwrap_or("").contains("quectel"));
}

#[test]
fn acm_modem_platform_uart_and_virtual_ttys() {
    let sys = FakeSys::new();
    sys.acm_modem("1-3", 0);
    sys.tty_platform("ttyS0", "4");
    sys.tty_platform("ttyS1", "0"); // phantom 8250 port: not listed
    sys.tty_virtual("tty0"); // virtual console: not listed
    let opts = DiscoverOptions {
        sysfs_root: sys.root().into(),
        probe: false,
        ..Default::default()
    };
    let ports = list_ranked(&opts);
    assert_eq!(names(&ports), ["ttyACM0", "ttyACM1", "ttyS0"]);
    let acm = find(&ports, "ttyACM0");
    assert_eq!(
        (acm.kind, acm.role, acm.tier),
        (PortKind::Acm, Role::Unknown, 3)
    );
    assert_eq!(acm.vendor.as_deref(), Some("Acme"));
    assert_eq!(
        acm.usb.as_ref().unwrap().interface_class,
        Some((0x02, 0x02, 0x01))
    );
    let uart = find(&ports, "ttyS0");
    assert_eq!(
        (uart.kind, uart.tier, uart.vid, uart.usb.is_none()),
        (PortKind::Platform, 6, None, true)
    );
}

#[test]
fn everything_together_is_ranked_by_tier() {
    let sys = FakeSys::new();
    sys.huawei_e3372_stick("1-1", 0); // ttyUSB0..2
    sys.quectel_ec25("1-2", 3); // ttyUSB3..6
    sys.huawei_hilink("1-4");
    sys.acm_modem("1-3", 0); // ttyACM0..1
    sys.ublox_lisa("1-5", 2); // ttyACM2..5
    sys.ftdi("1-6", 7); // ttyUSB7
    sys.tty_platform("ttyS0", "4");
    sys.pci_wwan();
    let opts = DiscoverOptions {
        sysfs_root: sys.root().into(),
        probe: false,
        ..Default::default()
    };
    let ports = list_ranked(&opts);
    assert_eq!(
        names(&ports),
        [
            // tier 0: known AT ports, by name
            "ttyACM2",
            "ttyACM3",
            "ttyACM4",
            "ttyUSB2",
            "ttyUSB5",
            "wwan0at0",
            // tier 1: PPP ports
            "ttyUSB0",
            "ttyUSB6",
            // tier 2: unknown interface of a modem vendor
            "ttyUSB1",
            // tier 3: CDC-ACM of an unknown vendor
            "ttyACM0",
            "ttyACM1",
            // tier 5: USB-serial adapter
            "ttyUSB7",
            // tier 6: not USB
            "ttyS0",
            // tier 9: never probed
            "ttyACM5",
            "ttyUSB3",
            "ttyUSB4",
            "wwan0qcdm0",
        ]
    );
    let wwan = find(&ports, "wwan0at0");
    assert_eq!(
        (wwan.kind, wwan.role, wwan.vid, wwan.pid),
        (PortKind::Wwan, Role::At, Some(0x14c3), Some(0x4d75))
    );
    assert_eq!(wwan.path, Path::new("/dev/wwan0at0"));
    assert_eq!(find(&ports, "wwan0qcdm0").role, Role::Diag);
    assert_eq!(find(&ports, "ttyACM5").role, Role::Gps);
    assert_eq!(find(&ports, "ttyUSB7").vendor.as_deref(), Some("FTDI"));
}

#[test]
fn hilink_stick_is_recognised_and_explained() {
    let sys = FakeSys::new();
    sys.huawei_hilink("1-4");
    let lock = TempDir::new("lock");
    let d = discover(&sys.opts(Path::new("/dev"), lock.path()));
    assert!(d.ports.is_empty());
    assert_eq!(d.no_at.len(), 1);
    assert_eq!(d.no_at[0].kind, NoAtKind::HiLink);
    assert_eq!((d.no_at[0].vid, d.no_at[0].pid), (0x12d1, 0x14dc));
    let err = d.port().unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DiscoverError::NoAtPort { .. }), "{err:?}");
    assert!(
        msg.contains("HiLink (router-mode) stick: it has no AT port"),
        "{msg}"
    );
    assert!(
        msg.contains("usb_modeswitch") && msg.contains("web API"),
        "{msg}"
    );
    assert!(describe_ports(&d).contains("no AT port"));
}

#[test]
fn mass_storage_mode_is_explained() {
    let sys = FakeSys::new();
    let d = sys.usb_device("1-4", 0x12d1, 0x1f01, Some("HUAWEI_MOBILE"), None, None, 3);
    sys.iface(&d, 0, (0x08, 0x06, 0x50), None, "usb-storage");
    let lock = TempDir::new("lock");
    let err = auto_port(&sys.opts(Path::new("/dev"), lock.path())).unwrap_err();
    assert!(matches!(err, DiscoverError::NoAtPort { .. }));
    assert!(
        err.to_string().contains("CD-ROM / mass-storage mode"),
        "{err}"
    );
}

#[test]
fn nothing_plugged_in_says_lsusb() {
    let sys = FakeSys::new();
    let lock = TempDir::new("lock");
    let err = auto_port(&sys.opts(Path::new("/dev"), lock.path())).unwrap_err();
    assert!(matches!(err, DiscoverError::NoSerialPorts { .. }));
    assert!(
        err.to_string()
            .contains("is the modem plugged in? Check `lsusb`"),
        "{err}"
    );
}

#[test]
fn modem_vendor_device_without_ports_is_mentioned() {
    let sys = FakeSys::new();
    let d = sys.usb_device(
        "1-4",
        0x2c7c,
        0x0125,
        Some("Quectel"),
        Some("EG25-G"),
        None,
        3,
    );
    sys.iface(&d, 4, (0xff, 0xff, 0xff), None, "qmi_wwan");
    let lock = TempDir::new("lock");
    let err = auto_port(&sys.opts(Path::new("/dev"), lock.path())).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("Quectel EC25/EG25 (2c7c:0125) has no serial port"),
        "{msg}"
    );
}

#[test]
fn describe_ports_renders_a_table() {
    let sys = FakeSys::new();
    sys.quectel_ec25("1-2", 0);
    let lock = TempDir::new("lock");
    let mut opts = sys.opts(Path::new("/nonexistent-dev"), lock.path());
    opts.probe = false;
    let d = discover(&opts);
    let table = describe_ports(&d);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].contains("PORT") && lines[0].contains("ANSWERED") && lines[0].contains("NOTE")
    );
    let row = lines.iter().find(|l| l.contains("ttyUSB0")).unwrap();
    assert!(
        row.contains("2c7c:0125") && row.contains("Quectel / Quectel EC25/EG25"),
        "{row}"
    );
    assert!(
        row.contains("DIAG") && row.contains("skipped: DIAG port"),
        "{row}"
    );
    let at = lines.iter().find(|l| l.contains("ttyUSB2")).unwrap();
    assert!(
        at.contains(" 2 ") && at.contains("AT") && at.contains("not probed"),
        "{at}"
    );
    // Nothing probed: the explanation lists every port and what to try.
    assert!(
        table.contains("none of the 4 serial port(s) answered AT"),
        "{table}"
    );
    assert!(table.contains("--port"));
}

// ---------------------------------------------------------------------------------------------
// Reply classification (pure).

#[test]
fn classify_reply_table() {
    let rows: &[(&[u8], Verdict)] = &[
        (b"", Verdict::Silent),
        (b"\r\n", Verdict::Silent),
        (b"\r\nOK\r\n", Verdict::Ok),
        (b"AT\r\r\nOK\r\n", Verdict::Ok),
        (b"\r\nERROR\r\n", Verdict::Error),
        (b"\r\n+CME ERROR: 10\r\n", Verdict::Error),
        (b"\r\nCOMMAND NOT SUPPORT\r\n", Verdict::Error),
        (
            b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n",
            Verdict::Nmea,
        ),
        (
            b"$GNRMC,,V,,,,,,,,,,N*4D\r\n$GPGSV,1,1,00*79\r\n",
            Verdict::Nmea,
        ),
        (b"\r\nOpenWrt login: ", Verdict::Shell),
        (b"root@router:~# ", Verdict::Shell),
        (b"-sh: AT: not found\r\n", Verdict::Shell),
        (b"AT\r", Verdict::Echo),
        (b"AT\r\rAT\r", Verdict::Echo),
        (b"\x7e\x00\x78\xf0\x7e", Verdict::Garbage),
        (b"$", Verdict::Garbage),
        (b"OKAY\r\n", Verdict::Garbage),
    ];
    for (bytes, want) in rows {
        assert_eq!(
            classify_reply_of(bytes),
            *want,
            "reply {:?}",
            probe::escape_reply(bytes, 80)
        );
    }
}

fn classify_reply_of(b: &[u8]) -> Verdict {
    probe::classify_reply(b)
}

#[test]
fn escape_reply_is_readable() {
    assert_eq!(probe::escape_reply(b"\r\nOK\r\n", 80), "\\r\\nOK\\r\\n");
    assert_eq!(probe::escape_reply(b"\x00\xff\\", 80), "\\x00\\xff\\\\");
    assert_eq!(probe::escape_reply(b"abcdef", 3), "abc…");
}

// ---------------------------------------------------------------------------------------------
// Probing over pseudo-terminals.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Behaviour {
    Modem,
    Gps,
    Silent,
}

/// A fake device on the master side of a PTY; records every byte the prober sent.
struct FakePort {
    _slave: TTYPort, // kept open so the master never sees EIO between probes
    slave_path: PathBuf,
    received: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakePort {
    fn spawn(behaviour: Behaviour) -> FakePort {
        let (mut master, slave) = TTYPort::pair().expect("pty pair");
        // Children spawned by other tests must not inherit the master: a process holding a
        // PTY master is the device side of that port, not a competitor (holder.rs).
        for fd in [master.as_raw_fd(), slave.as_raw_fd()] {
            // SAFETY: plain fcntl on descriptors we own.
            unsafe {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        let slave_path = PathBuf::from(slave.name().expect("pty slave has a name"));
        master.set_timeout(Duration::from_millis(20)).unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (rx, st) = (received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buf = [0u8; 256];
            let mut last_nmea = Instant::now();
            while !st.load(Ordering::SeqCst) {
                if let Ok(n) = master.read(&mut buf) {
                    let got = &buf[..n];
                    rx.lock().unwrap().extend_from_slice(got);
                    pending.extend_from_slice(got);
                }
                match behaviour {
                    Behaviour::Modem => {
                        if let Some(pos) = pending.windows(3).position(|w| w == b"AT\r") {
                            pending.drain(..pos + 3);
                            let _ = master.write_all(b"\r\nOK\r\n");
                        }
                    }
                    Behaviour::Gps => {
                        if last_nmea.elapsed() > Duration::from_millis(40) {
                            last_nmea = Instant::now();
                            let _ = master.write_all(
                                b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n",
                            );
                        }
                    }
                    Behaviour::Silent => {}
                }
            }
        });
        FakePort {
            _slave: slave,
            slave_path,
            received,
            stop,
            thread: Some(thread),
        }
    }

    fn received(&self) -> Vec<u8> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for FakePort {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Only `AT\r` and `\rAT\r` may ever reach a port.
fn only_at(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    loop {
        if rest.is_empty() {
            return true;
        }
        if let Some(r) = rest.strip_prefix(b"AT\r".as_slice()) {
            rest = r;
        } else if let Some(r) = rest.strip_prefix(b"\rAT\r".as_slice()) {
            rest = r;
        } else {
            return false;
        }
    }
}

#[test]
fn probe_many_tells_modem_gps_and_silence_apart() {
    let modem = FakePort::spawn(Behaviour::Modem);
    let gps = FakePort::spawn(Behaviour::Gps);
    let silent = FakePort::spawn(Behaviour::Silent);
    let paths = vec![
        gps.slave_path.clone(),
        silent.slave_path.clone(),
        modem.slave_path.clone(),
    ];
    let t = Duration::from_millis(400);
    let started = Instant::now();
    let results = probe::probe_many(&paths, t);
    println!(
        "3 parallel probes took {:?} (one time-out is {t:?})",
        started.elapsed()
    );
    let verdicts: Vec<Verdict> = results.iter().map(|r| r.verdict).collect();
    assert_eq!(
        verdicts,
        [Verdict::Nmea, Verdict::Silent, Verdict::Ok],
        "{results:?}"
    );
    assert_eq!(results[2].path, modem.slave_path);
    assert!(results[2].reply.windows(2).any(|w| w == b"OK"));
    // The modem answered the first AT, so it never got the second try; the silent port did.
    assert_eq!(modem.received(), b"AT\r");
    assert_eq!(silent.received(), b"AT\r\rAT\r");
    assert!(only_at(&gps.received()), "{:?}", gps.received());
}

#[test]
fn probe_of_missing_port_fails_to_open() {
    let r = probe::probe_port(
        Path::new("/nonexistent/ttyUSB99"),
        Duration::from_millis(100),
    );
    assert_eq!(r.verdict, Verdict::OpenFailed);
    assert!(!r.verdict.answered());
    assert!(r.error.is_some());
}

/// Links `<dev>/<name>` to a PTY slave so a fake sysfs tree can point at live ports.
fn link_dev(dev: &Path, name: &str, target: &Path) {
    symlink(target, dev.join(name)).unwrap();
}

#[test]
fn discover_picks_the_modem_and_labels_the_others() {
    let sys = FakeSys::new();
    sys.quectel_ec25("1-2", 0); // ttyUSB0 DIAG, 1 GPS, 2 AT, 3 PPP
    let other = sys.usb_device(
        "1-3",
        0x2c7c,
        0xfff0,
        Some("Quectel"),
        Some("Unknown"),
        None,
        8,
    );
    let i0 = sys.iface(&other, 0, (0xff, 0xff, 0xff), None, "option");
    let i1 = sys.iface(&other, 1, (0xff, 0xff, 0xff), None, "option");
    sys.tty_usb(&i0, "ttyUSB4");
    sys.tty_usb(&i1, "ttyUSB5");

    let dev = TempDir::new("dev");
    let lock = TempDir::new("lock");
    let diag = FakePort::spawn(Behaviour::Silent);
    let nmea_skipped = FakePort::spawn(Behaviour::Gps);
    let modem = FakePort::spawn(Behaviour::Modem);
    let ppp = FakePort::spawn(Behaviour::Silent);
    let gps = FakePort::spawn(Behaviour::Gps);
    let silent = FakePort::spawn(Behaviour::Silent);
    for (name, fp) in [
        ("ttyUSB0", &diag),
        ("ttyUSB1", &nmea_skipped),
        ("ttyUSB2", &modem),
        ("ttyUSB3", &ppp),
        ("ttyUSB4", &gps),
        ("ttyUSB5", &silent),
    ] {
        link_dev(dev.path(), name, &fp.slave_path);
    }

    let d = discover(&sys.opts(dev.path(), lock.path()));
    println!("{}", describe_ports(&d));
    println!("probing took {:?}", d.probe_time);

    assert_eq!(
        d.chosen.as_deref(),
        Some(dev.path().join("ttyUSB2").as_path())
    );
    assert_eq!(d.port().unwrap(), dev.path().join("ttyUSB2"));
    assert!(d.explanation.starts_with("chose"), "{}", d.explanation);
    let at = find(&d.ports, "ttyUSB2");
    assert_eq!((at.answered, at.verdict), (Some(true), Some(Verdict::Ok)));
    let g = find(&d.ports, "ttyUSB4");
    assert_eq!((g.answered, g.verdict), (Some(false), Some(Verdict::Nmea)));
    assert!(g.note.contains("GPS port, not a modem"), "{}", g.note);
    let s = find(&d.ports, "ttyUSB5");
    assert_eq!(
        (s.answered, s.verdict),
        (Some(false), Some(Verdict::Silent))
    );
    let p = find(&d.ports, "ttyUSB3");
    assert_eq!(p.answered, Some(false));
    // Known DIAG and GPS ports are never touched.
    for skipped in ["ttyUSB0", "ttyUSB1"] {
        let sp = find(&d.ports, skipped);
        assert_eq!(sp.answered, None);
        assert!(sp.note.starts_with("skipped"), "{}", sp.note);
    }
    assert!(diag.received().is_empty());
    assert!(nmea_skipped.received().is_empty());
    for fp in [&modem, &ppp, &gps, &silent] {
        assert!(only_at(&fp.received()), "{:?}", fp.received());
    }
    // Probe locks were released.
    assert_eq!(fs::read_dir(lock.path()).unwrap().count(), 0);
    let table = describe_ports(&d);
    let chosen_row = table.lines().find(|l| l.contains("ttyUSB2")).unwrap();
    assert!(
        chosen_row.starts_with('*') && chosen_row.contains("yes"),
        "{chosen_row}"
    );
}

#[test]
fn discover_skips_a_port_another_process_has_open() {
    let sys = FakeSys::new();
    let d0 = sys.usb_device("1-2", 0x1e0e, 0x9001, Some("SimTech"), None, None, 5);
    let i2 = sys.iface(&d0, 2, (0xff, 0xff, 0xff), None, "option");
    sys.tty_usb(&i2, "ttyUSB2");
    let dev = TempDir::new("dev");
    let lock = TempDir::new("lock");
    let modem = FakePort::spawn(Behaviour::Modem);
    link_dev(dev.path(), "ttyUSB2", &modem.slave_path);

    // Another program holds the port (our child `sleep`, with the port as its stdin).
    let port_file = fs::File::open(&modem.slave_path).unwrap();
    let mut child = std::process::Command::new("sleep")
        .arg("10")
        .stdin(port_file)
        .spawn()
        .expect("spawn sleep");
    let child_pid = child.id();
    let d = discover(&sys.opts(dev.path(), lock.path()));
    let _ = child.kill();
    let _ = child.wait();

    let p = find(&d.ports, "ttyUSB2");
    assert_eq!(p.answered, None);
    assert_eq!(p.holders.first().map(|h| h.pid), Some(child_pid));
    assert_eq!(
        p.holders.first().and_then(|h| h.program.clone()).as_deref(),
        Some("sleep")
    );
    assert!(
        modem.received().is_empty(),
        "a busy port must not be probed"
    );
    let err = d.port().unwrap_err();
    assert!(matches!(err, DiscoverError::Busy { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("sleep (pid {child_pid}) has")),
        "{msg}"
    );
}

#[test]
fn discover_skips_a_port_with_a_live_lock_file() {
    let sys = FakeSys::new();
    let d0 = sys.usb_device("1-2", 0x1e0e, 0x9001, Some("SimTech"), None, None, 5);
    let i2 = sys.iface(&d0, 2, (0xff, 0xff, 0xff), None, "option");
    sys.tty_usb(&i2, "ttyUSB2");
    let dev = TempDir::new("dev");
    let lock = TempDir::new("lock");
    let modem = FakePort::spawn(Behaviour::Modem);
    link_dev(dev.path(), "ttyUSB2", &modem.slave_path);
    let held = PortLock::acquire_in(lock.path(), &dev.path().join("ttyUSB2")).unwrap();
    let d = discover(&sys.opts(dev.path(), lock.path()));
    drop(held);
    let p = find(&d.ports, "ttyUSB2");
    assert_eq!(p.answered, None);
    assert!(p.note.starts_with("busy:"), "{}", p.note);
    assert!(
        p.note.contains(&format!("pid {}", std::process::id())),
        "{}",
        p.note
    );
    assert!(modem.received().is_empty());
    assert!(d.chosen.is_none());
}

// ---------------------------------------------------------------------------------------------
// Lock files.

fn own_comm() -> String {
    fs::read_to_string("/proc/self/comm")
        .unwrap()
        .trim()
        .to_string()
}

fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true")
        .spawn()
        .expect("spawn true");
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn lock_take_conflict_stale_and_drop() {
    let dir = TempDir::new("lock");
    let dev = Path::new("/dev/ttyUSB97");
    let me = std::process::id();
    let lock_path = dir.path().join("LCK..ttyUSB97");

    let first = PortLock::acquire_in(dir.path(), dev).unwrap();
    assert_eq!(first.path(), lock_path);
    assert_eq!(
        fs::read(&lock_path).unwrap(),
        format!("{me:>10}\n").into_bytes()
    );
    assert_eq!(fs::read(&lock_path).unwrap().len(), 11);

    let second = PortLock::acquire_in(dir.path(), dev).unwrap_err();
    match &second {
        LockError::Held {
            holder,
            lock_path: lp,
            ..
        } => {
            assert_eq!(holder.pid, me);
            assert_eq!(holder.program.as_deref(), Some(own_comm().as_str()));
            assert_eq!(lp, &lock_path);
        }
        other => panic!("expected Held, got {other:?}"),
    }
    let msg = second.to_string();
    assert!(
        msg.contains(&format!("(pid {me})")) && msg.contains(&own_comm()),
        "{msg}"
    );

    drop(first);
    assert!(!lock_path.exists(), "drop removes our own lock");

    // A lock left by a dead process is taken over.
    let dead = dead_pid();
    fs::write(&lock_path, format!("{dead:>10}\n")).unwrap();
    let taken = PortLock::acquire_in(dir.path(), dev).unwrap();
    assert_eq!(
        lock::parse_lock_pid(&fs::read(&lock_path).unwrap()),
        Some(me)
    );

    // If someone replaced our lock, drop leaves theirs alone.
    fs::write(&lock_path, format!("{:>10}\n", 1)).unwrap();
    drop(taken);
    assert_eq!(
        fs::read(&lock_path).unwrap(),
        format!("{:>10}\n", 1).into_bytes()
    );
    // …and pid 1 is alive, so it is a held lock.
    assert!(matches!(
        PortLock::acquire_in(dir.path(), dev),
        Err(LockError::Held { .. })
    ));
}

#[test]
fn lock_with_garbage_content() {
    let dir = TempDir::new("lock");
    let dev = Path::new("/dev/ttyUSB96");
    let lock_path = dir.path().join("LCK..ttyUSB96");
    // Fresh and unreadable: maybe being written right now, so not ours to take.
    fs::write(&lock_path, b"").unwrap();
    assert!(matches!(
        PortLock::acquire_in(dir.path(), dev),
        Err(LockError::Unreadable { .. })
    ));
    // Old and unreadable: stale.
    let f = fs::OpenOptions::new().write(true).open(&lock_path).unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(60))
        .unwrap();
    drop(f);
    let l = PortLock::acquire_in(dir.path(), dev).unwrap();
    assert_eq!(
        lock::parse_lock_pid(&fs::read(l.path()).unwrap()),
        Some(std::process::id())
    );
}

#[test]
fn lock_file_names_and_pid_parsing() {
    assert_eq!(
        lock::lock_file_name(Path::new("/dev/ttyUSB95")),
        "LCK..ttyUSB95"
    );
    assert_eq!(
        lock::lock_file_name(Path::new("/dev/wwan9at0")),
        "LCK..wwan9at0"
    );
    assert_eq!(
        lock::lock_file_name(Path::new("/nonexistent/dir/ttyFOO")),
        "LCK..ttyFOO"
    );
    let rows: &[(&[u8], Option<u32>)] = &[
        (b"      1234\n", Some(1234)),
        (b"1234", Some(1234)), // four ASCII digits are text, not the binary format
        (b"99\n", Some(99)),
        (b"", None),
        (b"0\n", None),
        (b"-5\n", None),
        (b"4294967295\n", None),
        (b"2147483648\n", None),
        (b"2147483647\n", Some(2_147_483_647)),
        (b"abc\n", None),
    ];
    for (content, want) in rows {
        assert_eq!(lock::parse_lock_pid(content), *want, "{content:?}");
    }
    // The old binary format is not trusted: four arbitrary bytes would always "parse".
    assert_eq!(lock::parse_lock_pid(&812i32.to_ne_bytes()), None);
    assert!(lock::pid_alive(std::process::id()));
    assert!(!lock::pid_alive(dead_pid()));
    assert!(!lock::pid_alive(0));
}

// ---------------------------------------------------------------------------------------------
// /proc holder scan.

#[test]
fn holder_scan_finds_our_open_file() {
    let dir = TempDir::new("holder");
    let path = dir.path().join("held.bin");
    let f = fs::File::create(&path).unwrap();
    let holders = holder::holders_of(&path);
    let me = std::process::id();
    let us = holders
        .iter()
        .find(|h| h.pid == me)
        .expect("our pid holds the file");
    assert_eq!(us.program.as_deref(), Some(own_comm().as_str()));
    drop(f);
    assert!(holder::holders_of(&path).iter().all(|h| h.pid != me));
    // Advice names the program and, for ModemManager, how to stop it.
    let mm = Holder::new(812, Some("ModemManager".into()));
    assert_eq!(
        holder::advice(Path::new("/dev/ttyUSB2"), &mm),
        "ModemManager (pid 812) has /dev/ttyUSB2 open: stop it with `systemctl stop ModemManager` or use --backend modemmanager"
    );
}

// ---------------------------------------------------------------------------------------------
// Table sanity and no-panic properties.

#[test]
fn known_modem_table_is_consistent() {
    for (i, a) in usb_ids::PORT_ROWS.iter().enumerate() {
        assert!(!a.source.is_empty() && !a.model.is_empty());
        assert!(
            usb_ids::modem_vendor(a.vid).is_some(),
            "row {i}: vendor {:04x} not listed",
            a.vid
        );
        for b in usb_ids::PORT_ROWS.iter().skip(i + 1) {
            assert!(
                !(a.vid == b.vid && a.pid == b.pid && a.interface == b.interface),
                "duplicate row {:04x}:{:04x} if {}",
                a.vid,
                a.pid,
                a.interface
            );
        }
    }
    for r in usb_ids::NO_AT_ROWS {
        assert!(!usb_ids::PORT_ROWS
            .iter()
            .any(|p| p.vid == r.vid && p.pid == r.pid));
    }
    assert!(usb_ids::is_greylisted_adapter(0x0403, 0x6001));
    assert!(!usb_ids::is_greylisted_adapter(0x12d1, 0x1506));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn classify_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let v = probe::classify_reply(&bytes);
        let _ = probe::has_final_result(&bytes);
        let _ = probe::escape_reply(&bytes, 50);
        // An OK line anywhere always wins.
        let mut with_ok = bytes.clone();
        with_ok.extend_from_slice(b"\r\nOK\r\n");
        prop_assert_eq!(probe::classify_reply(&with_ok), Verdict::Ok);
        prop_assert!(v != Verdict::OpenFailed);
    }

    #[test]
    fn parse_lock_pid_never_panics_and_never_gives_group_pids(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
        if let Some(pid) = lock::parse_lock_pid(&bytes) {
            prop_assert!(pid >= 1 && pid <= i32::MAX as u32);
        }
    }

    #[test]
    fn ten_digit_format_round_trips(pid in 1u32..=i32::MAX as u32) {
        prop_assert_eq!(lock::parse_lock_pid(format!("{pid:>10}\n").as_bytes()), Some(pid));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn odd_sysfs_attributes_never_panic(
        vid in proptest::collection::vec(any::<u8>(), 0..12),
        ifnum in proptest::collection::vec(any::<u8>(), 0..12),
        class in proptest::collection::vec(any::<u8>(), 0..12),
    ) {
        let sys = FakeSys::new();
        let d = sys.usb_device("1-1", 0x12d1, 0x1506, None, None, None, 2);
        let i = sys.iface(&d, 0, (0xff, 0x02, 0x02), None, "option");
        sys.tty_usb(&i, "ttyUSB0");
        fs::write(d.path.join("idVendor"), &vid).unwrap();
        fs::write(i.join("bInterfaceNumber"), &ifnum).unwrap();
        fs::write(i.join("bInterfaceClass"), &class).unwrap();
        let opts = DiscoverOptions { sysfs_root: sys.root().into(), probe: false, ..Default::default() };
        let ports = list_ranked(&opts);
        prop_assert_eq!(ports.len(), 1);
        let _ = describe_ports(&discover(&opts));
    }
}

#[test]
fn only_a_platform_uart_is_not_a_modem() {
    let sys = FakeSys::new();
    sys.tty_platform("ttyS0", "4");
    sys.ftdi("1-6", 0);
    let lock = TempDir::new("lock");
    let err = auto_port(&sys.opts(Path::new("/dev"), lock.path())).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, DiscoverError::NoSerialPorts { .. }),
        "{err:?}"
    );
    assert!(
        msg.starts_with("no modem serial ports found: is the modem plugged in?"),
        "{msg}"
    );
    assert!(
        msg.contains("/dev/ttyS0") && msg.contains("/dev/ttyUSB0") && msg.contains("--port"),
        "{msg}"
    );
}
