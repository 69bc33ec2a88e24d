//! Known modems: which USB interface carries AT, which ones must not be probed, and which
//! product IDs have no AT port at all.
//!
//! Invariant: this is data, every row names its source. A row only *ranks* a port (the probe
//! still decides whether it answers), so a wrong row costs a little time, never a wrong answer.
//! Role names follow ModemManager's udev tags (`ID_MM_PORT_TYPE_AT_PRIMARY`, `…_AT_SECONDARY`,
//! `…_AT_PPP`, `…_QCDM`, `…_GPS`, `ID_MM_PORT_IGNORE`; ZTE/Telit `…_MODEM` / `…_AUX`).

use super::sysfs::UsbIdentity;

/// What a serial port of a modem is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Role {
    /// An AT command port (primary, secondary or "aux"/PCUI): the one simquota wants.
    At,
    /// The PPP/"modem" port: it answers AT too, but a data call would occupy it.
    Modem,
    /// Qualcomm DIAG / QCDM: binary protocol, never send text to it.
    Diag,
    /// GPS / NMEA stream.
    Gps,
    /// PCM audio.
    Audio,
    /// Vendor debug, logging, FOTA, SIM access or ADB ports that the vendor says to leave alone.
    Ignore,
    /// Nothing known: ask it.
    Unknown,
}

impl Role {
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Role::At => "AT",
            Role::Modem => "modem/PPP",
            Role::Diag => "DIAG",
            Role::Gps => "GPS/NMEA",
            Role::Audio => "audio",
            Role::Ignore => "ignore",
            Role::Unknown => "?",
        }
    }

    /// Whether probing this port with `AT` is reasonable at all.
    pub fn may_probe(self) -> bool {
        matches!(self, Role::At | Role::Modem | Role::Unknown)
    }
}

/// A vendor known to make cellular modems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModemVendor {
    /// USB vendor ID.
    pub vid: u16,
    /// Display name.
    pub name: &'static str,
    /// Where the ID comes from.
    pub source: &'static str,
}

/// Vendors whose unknown interfaces are worth probing before anything else.
pub static MODEM_VENDORS: &[ModemVendor] = &[
    // ModemManager plugins/huawei/77-mm-huawei-net-port-types.rules (`ATTRS{idVendor}!="12d1"`)
    ModemVendor {
        vid: 0x12d1,
        name: "Huawei",
        source: "MM plugins/huawei/77-mm-huawei-net-port-types.rules",
    },
    // ModemManager plugins/zte/77-mm-zte-port-types.rules
    ModemVendor {
        vid: 0x19d2,
        name: "ZTE",
        source: "MM plugins/zte/77-mm-zte-port-types.rules",
    },
    // ModemManager plugins/quectel/77-mm-quectel-port-types.rules
    ModemVendor {
        vid: 0x2c7c,
        name: "Quectel",
        source: "MM plugins/quectel/77-mm-quectel-port-types.rules",
    },
    // Linux drivers/usb/serial/qcserial.c (QUECTEL_EC20_PID under the Qualcomm VID 05c6)
    ModemVendor {
        vid: 0x05c6,
        name: "Qualcomm (older Quectel, Gobi)",
        source: "Linux drivers/usb/serial/qcserial.c",
    },
    // ModemManager plugins/simtech/77-mm-simtech-port-types.rules; Linux option.c SIMCOM_SIM7600_VID
    ModemVendor {
        vid: 0x1e0e,
        name: "SIMCom",
        source: "MM plugins/simtech/77-mm-simtech-port-types.rules",
    },
    // ModemManager plugins/sierra/77-mm-sierra.rules; Linux qcserial.c DEVICE_SWI
    ModemVendor {
        vid: 0x1199,
        name: "Sierra Wireless",
        source: "MM plugins/sierra/77-mm-sierra.rules",
    },
    // ModemManager plugins/fibocom/77-mm-fibocom-port-types.rules
    ModemVendor {
        vid: 0x2cb7,
        name: "Fibocom",
        source: "MM plugins/fibocom/77-mm-fibocom-port-types.rules",
    },
    // same file: Fibocom L610 uses the UNISOC/Spreadtrum VID 1782
    ModemVendor {
        vid: 0x1782,
        name: "UNISOC (Fibocom L610)",
        source: "MM plugins/fibocom/77-mm-fibocom-port-types.rules",
    },
    // ModemManager plugins/mtk/77-mm-mtk-port-types.rules; Fibocom FM350 uses 0e8d
    ModemVendor {
        vid: 0x0e8d,
        name: "MediaTek (Fibocom FM350)",
        source: "MM plugins/mtk/77-mm-mtk-port-types.rules",
    },
    // ModemManager plugins/telit/77-mm-telit-port-types.rules
    ModemVendor {
        vid: 0x1bc7,
        name: "Telit",
        source: "MM plugins/telit/77-mm-telit-port-types.rules",
    },
    // ModemManager plugins/ublox/77-mm-ublox-port-types.rules
    ModemVendor {
        vid: 0x1546,
        name: "u-blox",
        source: "MM plugins/ublox/77-mm-ublox-port-types.rules",
    },
    // Linux drivers/usb/serial/option.c ALCATEL_VENDOR_ID 0x1bbb
    ModemVendor {
        vid: 0x1bbb,
        name: "Alcatel/TCL",
        source: "Linux drivers/usb/serial/option.c ALCATEL_VENDOR_ID",
    },
    // Linux drivers/usb/serial/option.c NOVATELWIRELESS_VENDOR_ID 0x1410
    ModemVendor {
        vid: 0x1410,
        name: "Novatel Wireless",
        source: "Linux drivers/usb/serial/option.c NOVATELWIRELESS_VENDOR_ID",
    },
    // ModemManager plugins/foxconn/77-mm-foxconn-port-types.rules
    ModemVendor {
        vid: 0x0489,
        name: "Foxconn",
        source: "MM plugins/foxconn/77-mm-foxconn-port-types.rules",
    },
];

/// A known (vid, pid, interface) → role row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRow {
    /// USB vendor ID.
    pub vid: u16,
    /// USB product ID.
    pub pid: u16,
    /// `bInterfaceNumber`.
    pub interface: u8,
    /// Role of that interface.
    pub role: Role,
    /// Model name(s).
    pub model: &'static str,
    /// Where the row comes from.
    pub source: &'static str,
}

const fn row(
    vid: u16,
    pid: u16,
    interface: u8,
    role: Role,
    model: &'static str,
    source: &'static str,
) -> PortRow {
    PortRow {
        vid,
        pid,
        interface,
        role,
        model,
        source,
    }
}

const QUECTEL: &str = "MM plugins/quectel/77-mm-quectel-port-types.rules";
const SIMTECH: &str = "MM plugins/simtech/77-mm-simtech-port-types.rules";
const FIBOCOM: &str = "MM plugins/fibocom/77-mm-fibocom-port-types.rules";
const FM350: &str = "mrhaav/openwrt atc/fib-fm350_gl/README.md (GTUSBMODE 40/41 AT interface)";
const ZTE: &str = "MM plugins/zte/77-mm-zte-port-types.rules (MODEM/AUX tags)";
const TELIT: &str = "MM plugins/telit/77-mm-telit-port-types.rules (MODEM/AUX/NMEA tags)";
const UBLOX: &str = "MM plugins/ublox/77-mm-ublox-port-types.rules";
const SWI: &str = "Linux drivers/usb/serial/qcserial.c (QCSERIAL_SWI layout: 0 DIAG, 2 NMEA, 3 AT)";
const EC20: &str =
    "Linux drivers/usb/serial/qcserial.c (handle_quectel_ec20: 0 DIAG, 1 NMEA, 2 AT, 3 modem)";
const FOXCONN: &str = "MM plugins/foxconn/77-mm-foxconn-port-types.rules";

use Role::{At, Audio, Diag, Gps, Ignore, Modem};

/// Per-product interface roles.
pub static PORT_ROWS: &[PortRow] = &[
    // Quectel: if0 QCDM, if1 GPS, if2 AT primary, if3 AT secondary (also the PPP port).
    row(0x2c7c, 0x0125, 0, Diag, "Quectel EC25/EG25", QUECTEL),
    row(0x2c7c, 0x0125, 1, Gps, "Quectel EC25/EG25", QUECTEL),
    row(0x2c7c, 0x0125, 2, At, "Quectel EC25/EG25", QUECTEL),
    row(0x2c7c, 0x0125, 3, Modem, "Quectel EC25/EG25", QUECTEL),
    row(0x2c7c, 0x0121, 0, Diag, "Quectel EC21", QUECTEL),
    row(0x2c7c, 0x0121, 1, Gps, "Quectel EC21", QUECTEL),
    row(0x2c7c, 0x0121, 2, At, "Quectel EC21", QUECTEL),
    row(0x2c7c, 0x0121, 3, Modem, "Quectel EC21", QUECTEL),
    row(0x2c7c, 0x0191, 0, Diag, "Quectel EG91", QUECTEL),
    row(0x2c7c, 0x0191, 1, Gps, "Quectel EG91", QUECTEL),
    row(0x2c7c, 0x0191, 2, At, "Quectel EG91", QUECTEL),
    row(0x2c7c, 0x0191, 3, Modem, "Quectel EG91", QUECTEL),
    row(0x2c7c, 0x0195, 0, Diag, "Quectel EG95", QUECTEL),
    row(0x2c7c, 0x0195, 1, Gps, "Quectel EG95", QUECTEL),
    row(0x2c7c, 0x0195, 2, At, "Quectel EG95", QUECTEL),
    row(0x2c7c, 0x0195, 3, Modem, "Quectel EG95", QUECTEL),
    row(0x2c7c, 0x0296, 0, Diag, "Quectel BG96", QUECTEL),
    row(0x2c7c, 0x0296, 1, Gps, "Quectel BG96", QUECTEL),
    row(0x2c7c, 0x0296, 2, At, "Quectel BG96", QUECTEL),
    row(0x2c7c, 0x0296, 3, Modem, "Quectel BG96", QUECTEL),
    row(0x2c7c, 0x0306, 0, Diag, "Quectel EG06/EP06/EM06", QUECTEL),
    row(0x2c7c, 0x0306, 1, Gps, "Quectel EG06/EP06/EM06", QUECTEL),
    row(0x2c7c, 0x0306, 2, At, "Quectel EG06/EP06/EM06", QUECTEL),
    row(0x2c7c, 0x0306, 3, Modem, "Quectel EG06/EP06/EM06", QUECTEL),
    row(0x2c7c, 0x0800, 0, Diag, "Quectel RM500Q", QUECTEL),
    row(0x2c7c, 0x0800, 1, Gps, "Quectel RM500Q", QUECTEL),
    row(0x2c7c, 0x0800, 2, At, "Quectel RM500Q", QUECTEL),
    row(0x2c7c, 0x0800, 3, Modem, "Quectel RM500Q", QUECTEL),
    // Older Quectel EC20 under Qualcomm's VID.
    row(0x05c6, 0x9215, 0, Diag, "Quectel EC20 (05c6:9215)", EC20),
    row(0x05c6, 0x9215, 1, Gps, "Quectel EC20 (05c6:9215)", EC20),
    row(0x05c6, 0x9215, 2, At, "Quectel EC20 (05c6:9215)", EC20),
    row(0x05c6, 0x9215, 3, Modem, "Quectel EC20 (05c6:9215)", EC20),
    // SIMCom SIM7000/SIM7100/SIM7600 (9001), SIM7070/7080/7090 (9205, 9206), rebrands.
    row(
        0x1e0e,
        0x9001,
        0,
        Diag,
        "SIMCom SIM7600/SIM7100/SIM7000",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9001,
        1,
        Gps,
        "SIMCom SIM7600/SIM7100/SIM7000",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9001,
        2,
        At,
        "SIMCom SIM7600/SIM7100/SIM7000",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9001,
        3,
        Modem,
        "SIMCom SIM7600/SIM7100/SIM7000",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9001,
        4,
        Audio,
        "SIMCom SIM7600/SIM7100/SIM7000",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9205,
        0,
        Diag,
        "SIMCom SIM7070/SIM7080/SIM7090",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9205,
        1,
        Gps,
        "SIMCom SIM7070/SIM7080/SIM7090",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9205,
        2,
        At,
        "SIMCom SIM7070/SIM7080/SIM7090",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9205,
        3,
        Modem,
        "SIMCom SIM7070/SIM7080/SIM7090",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9206,
        0,
        Diag,
        "SIMCom SIM7070/SIM7080/SIM7090 (alt)",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9206,
        1,
        Gps,
        "SIMCom SIM7070/SIM7080/SIM7090 (alt)",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9206,
        2,
        At,
        "SIMCom SIM7070/SIM7080/SIM7090 (alt)",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9206,
        3,
        Ignore,
        "SIMCom SIM7070/SIM7080/SIM7090 (alt)",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9206,
        4,
        Ignore,
        "SIMCom SIM7070/SIM7080/SIM7090 (alt)",
        SIMTECH,
    ),
    row(
        0x1e0e,
        0x9206,
        5,
        Modem,
        "SIMCom SIM7070/SIM7080/SIM7090 (alt)",
        SIMTECH,
    ),
    row(0x1e0e, 0xcefe, 2, At, "A-LINK 3GU", SIMTECH),
    row(0x1e0e, 0xcefe, 0, At, "A-LINK 3GU", SIMTECH),
    row(0x1e0e, 0xcefe, 1, At, "A-LINK 3GU", SIMTECH),
    row(0x1e0e, 0x9100, 3, At, "Prolink PH-300", SIMTECH),
    row(0x1e0e, 0x9100, 1, At, "Prolink PH-300", SIMTECH),
    row(0x1e0e, 0x9200, 3, At, "SCT UM300", SIMTECH),
    row(0x1e0e, 0x9200, 1, At, "SCT UM300", SIMTECH),
    // Sierra Wireless QCSERIAL_SWI devices.
    row(0x1199, 0x9071, 0, Diag, "Sierra EM7455/MC7455", SWI),
    row(0x1199, 0x9071, 2, Gps, "Sierra EM7455/MC7455", SWI),
    row(0x1199, 0x9071, 3, At, "Sierra EM7455/MC7455", SWI),
    row(0x1199, 0x9079, 0, Diag, "Sierra EM7455 (Lenovo)", SWI),
    row(0x1199, 0x9079, 2, Gps, "Sierra EM7455 (Lenovo)", SWI),
    row(0x1199, 0x9079, 3, At, "Sierra EM7455 (Lenovo)", SWI),
    row(0x1199, 0x9091, 0, Diag, "Sierra EM7565", SWI),
    row(0x1199, 0x9091, 2, Gps, "Sierra EM7565", SWI),
    row(0x1199, 0x9091, 3, At, "Sierra EM7565", SWI),
    // Fibocom.
    row(0x2cb7, 0x0007, 2, At, "Fibocom L850-GL", FIBOCOM),
    row(0x2cb7, 0x0007, 4, Ignore, "Fibocom L850-GL", FIBOCOM),
    row(0x2cb7, 0x0007, 6, At, "Fibocom L850-GL", FIBOCOM),
    row(0x2cb7, 0x01a0, 2, At, "Fibocom NL668-AM", FIBOCOM),
    row(0x2cb7, 0x01a0, 3, At, "Fibocom NL668-AM", FIBOCOM),
    row(0x2cb7, 0x01a0, 4, Ignore, "Fibocom NL668-AM", FIBOCOM),
    row(0x2cb7, 0x0104, 0, Diag, "Fibocom FM150", FIBOCOM),
    row(0x2cb7, 0x0104, 1, At, "Fibocom FM150", FIBOCOM),
    row(0x2cb7, 0x0104, 2, At, "Fibocom FM150", FIBOCOM),
    row(0x2cb7, 0x0104, 3, Ignore, "Fibocom FM150", FIBOCOM),
    row(0x2cb7, 0x01a2, 2, At, "Fibocom FM101-GL (MBIM)", FIBOCOM),
    row(0x2cb7, 0x01a2, 3, At, "Fibocom FM101-GL (MBIM)", FIBOCOM),
    row(
        0x2cb7,
        0x01a2,
        4,
        Ignore,
        "Fibocom FM101-GL (MBIM)",
        FIBOCOM,
    ),
    row(
        0x2cb7,
        0x01a2,
        5,
        Ignore,
        "Fibocom FM101-GL (MBIM)",
        FIBOCOM,
    ),
    row(0x2cb7, 0x0106, 0, Ignore, "Fibocom MA510-GL", FIBOCOM),
    row(0x2cb7, 0x0106, 1, At, "Fibocom MA510-GL", FIBOCOM),
    row(0x2cb7, 0x0106, 2, At, "Fibocom MA510-GL", FIBOCOM),
    row(0x1782, 0x4d11, 2, At, "Fibocom L610", FIBOCOM),
    row(0x1782, 0x4d11, 3, Ignore, "Fibocom L610", FIBOCOM),
    row(0x1782, 0x4d11, 4, Ignore, "Fibocom L610", FIBOCOM),
    row(0x1782, 0x4d11, 5, Diag, "Fibocom L610", FIBOCOM),
    row(0x1782, 0x4d11, 6, Ignore, "Fibocom L610", FIBOCOM),
    row(0x1782, 0x4d11, 7, At, "Fibocom L610", FIBOCOM),
    row(0x1782, 0x4d11, 8, At, "Fibocom L610", FIBOCOM),
    row(
        0x0e8d,
        0x7126,
        4,
        At,
        "Fibocom FM350-GL (GTUSBMODE=40)",
        FM350,
    ),
    row(
        0x0e8d,
        0x7127,
        6,
        At,
        "Fibocom FM350-GL (GTUSBMODE=41)",
        FM350,
    ),
    // Foxconn T77W968.
    row(0x0489, 0xe0b4, 2, At, "Foxconn T77W968", FOXCONN),
    row(0x0489, 0xe0b4, 3, At, "Foxconn T77W968", FOXCONN),
    row(0x0489, 0xe0b4, 4, Gps, "Foxconn T77W968", FOXCONN),
    row(0x0489, 0xe0b4, 5, Diag, "Foxconn T77W968", FOXCONN),
    // ZTE: MODEM = PPP port, AUX = AT port that stays free during a data call.
    row(0x19d2, 0x0031, 3, Modem, "ZTE 19d2:0031", ZTE),
    row(0x19d2, 0x0031, 1, At, "ZTE 19d2:0031", ZTE),
    row(0x19d2, 0x0063, 3, Modem, "ZTE 19d2:0063", ZTE),
    row(0x19d2, 0x0063, 1, At, "ZTE 19d2:0063", ZTE),
    row(0x19d2, 0x0117, 2, Modem, "ZTE 19d2:0117", ZTE),
    row(0x19d2, 0x0117, 1, At, "ZTE 19d2:0117", ZTE),
    row(0x19d2, 0x1254, 3, Modem, "ZTE 19d2:1254", ZTE),
    row(0x19d2, 0x1254, 1, At, "ZTE 19d2:1254", ZTE),
    row(0x19d2, 0x2002, 3, Modem, "ZTE 19d2:2002", ZTE),
    row(0x19d2, 0x2002, 1, At, "ZTE 19d2:2002", ZTE),
    // Telit.
    row(0x1bc7, 0x0021, 0, Modem, "Telit HE910/UE910/UL865", TELIT),
    row(0x1bc7, 0x0021, 6, At, "Telit HE910/UE910/UL865", TELIT),
    row(0x1bc7, 0x1003, 0, Modem, "Telit UC864-E/K/WD", TELIT),
    row(0x1bc7, 0x1003, 2, At, "Telit UC864-E/K/WD", TELIT),
    row(0x1bc7, 0x1004, 0, Modem, "Telit UC864-G", TELIT),
    row(0x1bc7, 0x1004, 2, Gps, "Telit UC864-G", TELIT),
    row(0x1bc7, 0x1004, 3, At, "Telit UC864-G", TELIT),
    row(0x1bc7, 0x1010, 1, Gps, "Telit DE910-DUAL", TELIT),
    row(0x1bc7, 0x1010, 2, At, "Telit DE910-DUAL", TELIT),
    row(0x1bc7, 0x1010, 3, Modem, "Telit DE910-DUAL", TELIT),
    // u-blox.
    row(0x1546, 0x1102, 0, At, "u-blox LISA-U2", UBLOX),
    row(0x1546, 0x1102, 2, At, "u-blox LISA-U2", UBLOX),
    row(0x1546, 0x1102, 4, At, "u-blox LISA-U2", UBLOX),
    row(0x1546, 0x1102, 6, Gps, "u-blox LISA-U2", UBLOX),
    row(0x1546, 0x1102, 8, Ignore, "u-blox LISA-U2", UBLOX),
    row(0x1546, 0x1102, 10, Ignore, "u-blox LISA-U2", UBLOX),
    row(0x1546, 0x1102, 12, Ignore, "u-blox LISA-U2", UBLOX),
    row(0x1546, 0x1107, 0, At, "u-blox TOBY-R2", UBLOX),
    row(0x1546, 0x1107, 2, At, "u-blox TOBY-R2", UBLOX),
    row(0x1546, 0x1107, 4, At, "u-blox TOBY-R2", UBLOX),
    row(0x1546, 0x1107, 6, Gps, "u-blox TOBY-R2", UBLOX),
    row(0x1546, 0x1107, 8, Ignore, "u-blox TOBY-R2", UBLOX),
    row(0x1546, 0x1107, 10, Ignore, "u-blox TOBY-R2", UBLOX),
    row(0x1546, 0x110a, 0, At, "u-blox LARA-R2", UBLOX),
    row(0x1546, 0x110a, 2, At, "u-blox LARA-R2", UBLOX),
    row(0x1546, 0x110a, 4, At, "u-blox LARA-R2", UBLOX),
    row(0x1546, 0x110a, 6, Gps, "u-blox LARA-R2", UBLOX),
    row(0x1546, 0x110a, 8, Ignore, "u-blox LARA-R2", UBLOX),
    row(0x1546, 0x110a, 10, Ignore, "u-blox LARA-R2", UBLOX),
    row(0x1546, 0x1010, 2, Ignore, "u-blox TOBY-L4", UBLOX),
    row(0x1546, 0x1010, 4, Ignore, "u-blox TOBY-L4", UBLOX),
    row(0x1546, 0x1010, 6, At, "u-blox TOBY-L4", UBLOX),
    row(0x1546, 0x1010, 8, Ignore, "u-blox TOBY-L4", UBLOX),
];

/// Model names for products that are only known as a whole (no per-interface rows).
pub static PRODUCT_NAMES: &[(u16, u16, &str, &str)] = &[
    // gist aliicex/8bdade73… "Huawei E3372h-153/E3372s-153 (in StickMode; non-HiLink)": 12d1:1506
    // after switching; ports follow ^SETPORT (PCUI + modem + NCM), so roles come from the
    // interface class rule below, not from interface numbers.
    (
        0x12d1,
        0x1506,
        "Huawei E3372/E3276 (stick mode)",
        "gist.github.com/aliicex/8bdade7383fa58d874bb72cc54f84d2c",
    ),
    // forum.openwrt.org/t/huawei-e3372h-320-in-ncm-mode/126018: usb_modeswitch -X gives 12d1:155e
    // with three ttyUSB and cdc_ncm. Serial mode, *not* HiLink.
    (
        0x12d1,
        0x155e,
        "Huawei E3372h-320 (alternative serial mode)",
        "forum.openwrt.org/t/huawei-e3372h-320-in-ncm-mode/126018",
    ),
    // industrialmonitordirect.com knowledge base (E3372 modes: 1f01 storage, 14dc HiLink, 1555 serial)
    (
        0x12d1,
        0x1555,
        "Huawei E3372 (serial modem mode)",
        "industrialmonitordirect.com IOT2040 Huawei E3372 article",
    ),
];

/// Why a device has no AT port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum NoAtKind {
    /// HiLink: the stick is a router with a web API on a USB network interface.
    HiLink,
    /// Still in its CD-ROM / mass-storage mode: usb_modeswitch has not switched it.
    MassStorage,
}

/// A product ID known to expose no AT port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoAtRow {
    /// USB vendor ID.
    pub vid: u16,
    /// USB product ID.
    pub pid: u16,
    /// Why.
    pub kind: NoAtKind,
    /// Model name(s).
    pub model: &'static str,
    /// Where the row comes from.
    pub source: &'static str,
}

/// Products with no AT port at all.
pub static NO_AT_ROWS: &[NoAtRow] = &[
    NoAtRow {
        vid: 0x12d1,
        pid: 0x14dc,
        kind: NoAtKind::HiLink,
        model: "Huawei E3372 HiLink (cdc_ether)",
        source: "forum.openwrt.org/t/huawei-e3372-does-not-working-in-19-07/69650; Linaro blog (usb_modeswitch -J 1f01→14dc)",
    },
    NoAtRow {
        vid: 0x12d1,
        pid: 0x14db,
        kind: NoAtKind::HiLink,
        model: "Huawei E3372h-320 HiLink (ethernet mode)",
        source: "forum.openwrt.org/t/huawei-e3372h-320-in-ncm-mode/126018 (default switch 1f01→14db)",
    },
    NoAtRow {
        vid: 0x12d1,
        pid: 0x1f01,
        kind: NoAtKind::MassStorage,
        model: "Huawei E3372/E3531/E8372 (CD-ROM mode, before switching)",
        source: "industrialmonitordirect.com IOT2040 Huawei E3372 article; Linaro blog (1f01 = usb-storage)",
    },
];

/// Huawei maps port functions by interface subclass/protocol, not number
/// (MM plugins/huawei/77-mm-huawei-net-port-types.rules; Linux qcserial.c QCSERIAL_HWI comment).
fn huawei_role(class: (u8, u8, u8)) -> Option<(Role, &'static str)> {
    const SRC: &str = "MM plugins/huawei/77-mm-huawei-net-port-types.rules (class ff, protocol 01 modem, 02 AT/PCUI, 05/14 GPS)";
    match class {
        (0xff, 0x01 | 0x02, 0x01) => Some((Role::Modem, SRC)),
        (0xff, 0x01 | 0x02, 0x02) => Some((Role::At, SRC)),
        (0xff, 0x01, 0x05 | 0x14) => Some((Role::Gps, SRC)),
        _ => None,
    }
}

/// USB-serial adapters that ModemManager only scans on request
/// (`src/77-mm-usb-serial-adapters-greylist.rules`): `(vid, Some(pid))` or any pid.
pub static ADAPTER_GREYLIST: &[(u16, Option<u16>)] = &[
    (0x050d, Some(0x0103)),
    (0x0403, None),
    (0x04d8, None),
    (0x0557, Some(0x2008)),
    (0x067b, Some(0x2303)),
    (0x0711, None),
    (0x10c4, Some(0xea60)),
    (0x10c4, Some(0xea71)),
    (0x1a86, Some(0x7523)),
    (0x03eb, Some(0x204b)),
    (0x0525, Some(0xa4a7)),
    (0x04b4, Some(0x0002)),
    (0x04b4, Some(0x0003)),
    (0x04b4, Some(0x0004)),
    (0x04b4, Some(0x0005)),
    (0x04b4, Some(0x0006)),
    (0x04b4, Some(0x0007)),
    (0x04b4, Some(0x0009)),
    (0x04b4, Some(0x000a)),
];

/// The vendor entry for `vid`, if it makes modems.
pub fn modem_vendor(vid: u16) -> Option<&'static ModemVendor> {
    MODEM_VENDORS.iter().find(|v| v.vid == vid)
}

/// The model name of a product, from the per-interface rows or the product-name list.
pub fn model_name(vid: u16, pid: u16) -> Option<&'static str> {
    PORT_ROWS
        .iter()
        .find(|r| r.vid == vid && r.pid == pid)
        .map(|r| r.model)
        .or_else(|| {
            PRODUCT_NAMES
                .iter()
                .find(|(v, p, _, _)| *v == vid && *p == pid)
                .map(|(_, _, m, _)| *m)
        })
        .or_else(|| {
            NO_AT_ROWS
                .iter()
                .find(|r| r.vid == vid && r.pid == pid)
                .map(|r| r.model)
        })
}

/// Whether a device is a plain USB-serial adapter that should only be probed on request.
pub fn is_greylisted_adapter(vid: u16, pid: u16) -> bool {
    ADAPTER_GREYLIST
        .iter()
        .any(|(v, p)| *v == vid && p.is_none_or(|p| p == pid))
}

/// The known-no-AT row for a device, if any.
pub fn no_at_row(vid: u16, pid: u16) -> Option<&'static NoAtRow> {
    NO_AT_ROWS.iter().find(|r| r.vid == vid && r.pid == pid)
}

/// The role of a USB port and the source that says so; `(Role::Unknown, None)` when nothing
/// is known.
pub fn role_of(usb: &UsbIdentity) -> (Role, Option<&'static str>) {
    if let Some(ifnum) = usb.interface_number {
        if let Some(r) = PORT_ROWS
            .iter()
            .find(|r| r.vid == usb.vid && r.pid == usb.pid && r.interface == ifnum)
        {
            return (r.role, Some(r.source));
        }
    }
    if usb.vid == 0x12d1 {
        if let Some((role, src)) = usb.interface_class.and_then(huawei_role) {
            return (role, Some(src));
        }
    }
    (Role::Unknown, None)
}
