//! Which modems ModemManager manages, and which of them owns a given `/dev` port.
//!
//! One `GetManagedObjects` call on ModemManager's ObjectManager gives every modem object with
//! all its interfaces' properties (D-Bus spec, "org.freedesktop.DBus.ObjectManager"); the SIM
//! is a separate object read with `Properties.GetAll`. A port belongs to a modem when its
//! kernel name (`ttyUSB2`, `cdc-wdm0`) is in the modem's `Ports` list — ModemManager names
//! ports by kernel name, so `/dev/serial/by-id/…` links are resolved first.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use zbus::zvariant::OwnedObjectPath;

use super::props::{self, Props};
use super::{iface, MmBus, MmError, MM_PATH, PROBE_TIMEOUT};

/// One port of a modem as ModemManager lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MmPort {
    /// Kernel name, e.g. `ttyUSB2`, `cdc-wdm0`, `wwan0`.
    pub name: String,
    /// ModemManager's `MMModemPortType` number.
    pub kind: u32,
}

impl MmPort {
    /// `MMModemPortType` in words.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            1 => "net",
            2 => "at",
            3 => "qcdm",
            4 => "gps",
            5 => "qmi",
            6 => "mbim",
            7 => "audio",
            8 => "ignored",
            9 => "xmmrpc",
            _ => "unknown",
        }
    }
}

/// The SIM as ModemManager reports it (`org.freedesktop.ModemManager1.Sim`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MmSim {
    /// The SIM object path.
    pub path: String,
    /// `Imsi`.
    pub imsi: Option<String>,
    /// `SimIdentifier` (ICCID).
    pub iccid: Option<String>,
    /// `OperatorIdentifier`: the home network's MCC-MNC.
    pub operator_identifier: Option<String>,
    /// `OperatorName`: the home network's name (from the SIM).
    pub operator_name: Option<String>,
}

impl MmSim {
    pub(crate) fn from_props(path: &str, p: &Props) -> MmSim {
        MmSim {
            path: path.to_string(),
            imsi: props::string(p, "Imsi"),
            iccid: props::string(p, "SimIdentifier"),
            operator_identifier: props::string(p, "OperatorIdentifier"),
            operator_name: props::string(p, "OperatorName"),
        }
    }
}

/// A modem managed by ModemManager: what it said about itself when discovered, and the bus
/// to talk to it on.
#[derive(Debug, Clone, Serialize)]
pub struct MmModem {
    /// D-Bus object path, e.g. `/org/freedesktop/ModemManager1/Modem/0`.
    pub path: String,
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `Model`.
    pub model: Option<String>,
    /// `Revision` (firmware).
    pub revision: Option<String>,
    /// `EquipmentIdentifier` (the IMEI on 3GPP modems).
    pub equipment_identifier: Option<String>,
    /// `Device`: the sysfs path of the physical device.
    pub device: Option<String>,
    /// `Ports`.
    pub ports: Vec<MmPort>,
    /// `PrimaryPort`.
    pub primary_port: Option<String>,
    /// `State` (`MMModemState`: -1 failed … 8 registered, 11 connected).
    pub state: Option<i32>,
    /// `UnlockRequired` (`MMModemLock`: 1 none, 2 SIM PIN, 4 SIM PUK…).
    pub unlock_required: Option<u32>,
    /// `SignalQuality` in percent.
    pub signal_quality: Option<u32>,
    /// `Sim` object path, when a SIM is present.
    pub sim_path: Option<String>,
    /// `Modem3gpp.Imei`.
    pub imei: Option<String>,
    /// `Modem3gpp.OperatorCode`: the serving network's MCC-MNC.
    pub operator_code: Option<String>,
    /// `Modem3gpp.OperatorName`.
    pub operator_name: Option<String>,
    /// `Modem3gpp.RegistrationState` (`MMModem3gppRegistrationState`).
    pub registration_state: Option<u32>,
    /// The SIM's properties, when there is a SIM and they could be read.
    pub sim: Option<MmSim>,
    /// The D-Bus interfaces the modem object has.
    pub interfaces: Vec<String>,
    #[serde(skip)]
    pub(crate) bus: MmBus,
}

impl MmModem {
    fn build(bus: &MmBus, path: &str, ifaces: &HashMap<String, Props>) -> MmModem {
        let empty = Props::new();
        let m = ifaces.get(iface::MODEM).unwrap_or(&empty);
        let g = ifaces.get(iface::MODEM_3GPP).unwrap_or(&empty);
        let mut interfaces: Vec<String> = ifaces.keys().cloned().collect();
        interfaces.sort();
        MmModem {
            path: path.to_string(),
            manufacturer: props::string(m, "Manufacturer"),
            model: props::string(m, "Model"),
            revision: props::string(m, "Revision"),
            equipment_identifier: props::string(m, "EquipmentIdentifier"),
            device: props::string(m, "Device"),
            ports: props::ports(m, "Ports")
                .into_iter()
                .map(|(name, kind)| MmPort { name, kind })
                .collect(),
            primary_port: props::string(m, "PrimaryPort"),
            state: props::i32_of(m, "State"),
            unlock_required: props::u32_of(m, "UnlockRequired"),
            signal_quality: props::first_u32(m, "SignalQuality"),
            sim_path: props::path(m, "Sim"),
            imei: props::string(g, "Imei"),
            operator_code: props::string(g, "OperatorCode"),
            operator_name: props::string(g, "OperatorName"),
            registration_state: props::u32_of(g, "RegistrationState"),
            sim: None,
            interfaces,
            bus: bus.clone(),
        }
    }

    /// The bus this modem is on.
    pub fn bus(&self) -> &MmBus {
        &self.bus
    }

    /// The modem's index (`N` of `…/Modem/N`), as `mmcli -m N` takes it.
    pub fn index(&self) -> Option<u32> {
        self.path.rsplit('/').next()?.parse().ok()
    }

    /// True when the modem object has the USSD interface.
    pub fn has_ussd(&self) -> bool {
        self.interfaces.iter().any(|i| i == iface::USSD)
    }

    /// True when the modem object has the Messaging interface.
    pub fn has_messaging(&self) -> bool {
        self.interfaces.iter().any(|i| i == iface::MESSAGING)
    }

    /// `State` in words (ModemManager's `MMModemState`).
    pub fn state_name(&self) -> &'static str {
        match self.state {
            Some(-1) => "failed",
            Some(1) => "initializing",
            Some(2) => "locked",
            Some(3) => "disabled",
            Some(4) => "disabling",
            Some(5) => "enabling",
            Some(6) => "enabled",
            Some(7) => "searching",
            Some(8) => "registered",
            Some(9) => "disconnecting",
            Some(10) => "connecting",
            Some(11) => "connected",
            _ => "unknown",
        }
    }

    /// True when `port` (a `/dev` path, a `/dev/serial/by-id` link, or a bare name) is one
    /// of this modem's ports.
    pub fn owns_port(&self, port: &Path) -> bool {
        port_matches(&self.ports, port)
    }
}

/// The kernel names `port` may stand for: its own file name and, for a link, its target's.
fn port_names(port: &Path) -> Vec<String> {
    let mut names = Vec::with_capacity(2);
    if let Some(n) = port.file_name() {
        names.push(n.to_string_lossy().into_owned());
    }
    if let Ok(real) = std::fs::canonicalize(port) {
        if let Some(n) = real.file_name() {
            let n = n.to_string_lossy().into_owned();
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    names
}

/// True when one of `ports` is the kernel device `port` names.
pub(crate) fn port_matches(ports: &[MmPort], port: &Path) -> bool {
    let names = port_names(port);
    ports.iter().any(|p| names.contains(&p.name))
}

impl MmBus {
    /// Every modem ModemManager manages, in index order, with SIM details where readable.
    pub async fn modems(&self) -> Result<Vec<MmModem>, MmError> {
        self.modems_within(super::CALL_TIMEOUT).await
    }

    async fn modems_within(&self, limit: Duration) -> Result<Vec<MmModem>, MmError> {
        type Managed = HashMap<OwnedObjectPath, HashMap<String, Props>>;
        let objects: Managed = self
            .call(
                MM_PATH,
                iface::OBJECT_MANAGER,
                "GetManagedObjects",
                &(),
                "listing ModemManager's modems",
                limit,
            )
            .await?;
        let prefix = format!("{MM_PATH}/Modem/");
        let mut modems: Vec<MmModem> = objects
            .iter()
            .filter(|(path, ifaces)| {
                path.as_str().starts_with(&prefix) && ifaces.contains_key(iface::MODEM)
            })
            .map(|(path, ifaces)| MmModem::build(self, path.as_str(), ifaces))
            .collect();
        modems.sort_by_key(|m| (m.index().unwrap_or(u32::MAX), m.path.clone()));
        for m in &mut modems {
            if let Some(sim) = m.sim_path.clone() {
                // A SIM that cannot be read leaves the SIM details empty: the modem still works.
                m.sim = self
                    .get_all(&sim, iface::SIM, "reading the SIM")
                    .await
                    .ok()
                    .map(|p| MmSim::from_props(&sim, &p));
            }
        }
        Ok(modems)
    }

    /// The modem that owns `port`, if ModemManager manages it.
    pub async fn managing(&self, port: &Path) -> Result<Option<MmModem>, MmError> {
        Ok(self.modems().await?.into_iter().find(|m| m.owns_port(port)))
    }
}

impl MmBus {
    /// The modem for `--backend modemmanager`: the one that owns `port`, or the first
    /// modem when no port is given; a clear error when there is none.
    pub async fn modem_for(&self, port: Option<&Path>) -> Result<MmModem, MmError> {
        if !self.is_running().await? {
            return Err(MmError::NotRunning {
                address: self.address.clone(),
            });
        }
        let modems = self.modems().await?;
        let found = match port {
            Some(p) => modems.into_iter().find(|m| m.owns_port(p)),
            None => modems.into_iter().next(),
        };
        found.ok_or_else(|| MmError::NoModem {
            detail: match port {
                Some(p) => format!("no modem with port {}", p.display()),
                None => "no modem".to_string(),
            },
        })
    }
}

/// The modem `--backend auto` should use through ModemManager, if any: with a port, the
/// modem that owns it ([`is_managed`]); without one, the first modem ModemManager manages
/// (its ports are ModemManager's, so probing them over AT would only find them busy).
/// `None` within about 2 × [`PROBE_TIMEOUT`] when ModemManager is absent: use AT then.
pub async fn select(port: Option<&Path>) -> Option<MmModem> {
    let env = std::env::var(super::BUS_ENV).ok();
    select_on(env.as_deref(), port).await
}

/// [`select`] on the bus at `address` (`None`: the system bus).
pub async fn select_on(address: Option<&str>, port: Option<&Path>) -> Option<MmModem> {
    if let Some(p) = port {
        return is_managed_on(address, p).await;
    }
    let probe = async {
        let bus = MmBus::connect_to(address).await.ok()?;
        if !bus.is_running().await.ok()? {
            return None;
        }
        bus.modems_within(PROBE_TIMEOUT)
            .await
            .ok()?
            .into_iter()
            .next()
    };
    tokio::time::timeout(PROBE_TIMEOUT * 2, probe)
        .await
        .ok()
        .flatten()
}

/// Does ModemManager own this port? The modem that has `port` among its ports, when
/// ModemManager runs on the system bus (or the bus in `SIMQUOTA_MM_BUS`) and manages it.
///
/// Answers `None` — within about [`PROBE_TIMEOUT`] — when there is no bus, ModemManager is
/// not running (it is not started by asking), or no modem has that port.
pub async fn is_managed(port: &Path) -> Option<MmModem> {
    let env = std::env::var(super::BUS_ENV).ok();
    is_managed_on(env.as_deref(), port).await
}

/// [`is_managed`] on the bus at `address` (`None`: the system bus).
pub async fn is_managed_on(address: Option<&str>, port: &Path) -> Option<MmModem> {
    let probe = async {
        let bus = MmBus::connect_to(address).await.ok()?;
        if !bus.is_running().await.ok()? {
            return None;
        }
        bus.modems_within(PROBE_TIMEOUT)
            .await
            .ok()?
            .into_iter()
            .find(|m| m.owns_port(port))
    };
    // One bound for the whole probe: a bus that accepts but never answers must not stall
    // `--backend auto`.
    tokio::time::timeout(PROBE_TIMEOUT * 2, probe)
        .await
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(names: &[&str]) -> Vec<MmPort> {
        names
            .iter()
            .map(|n| MmPort {
                name: n.to_string(),
                kind: 2,
            })
            .collect()
    }

    #[test]
    fn ports_match_by_kernel_name() {
        let p = ports(&["ttyUSB2", "cdc-wdm0"]);
        let rows = [
            ("/dev/ttyUSB2", true),
            ("ttyUSB2", true),
            ("/dev/cdc-wdm0", true),
            ("/dev/ttyUSB20", false),
            ("/dev/ttyUSB3", false),
            ("/dev/", false),
            ("", false),
        ];
        for (port, want) in rows {
            assert_eq!(port_matches(&p, Path::new(port)), want, "{port}");
        }
        assert!(!port_matches(&[], Path::new("/dev/ttyUSB2")));
    }

    #[test]
    fn links_are_followed() {
        let dir = std::env::temp_dir().join(format!("simquota-mm-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let target = dir.join("ttyUSB7");
        std::fs::write(&target, b"").expect("target file");
        let link = dir.join("usb-Quectel_EG25-if02-port0");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert!(port_matches(&ports(&["ttyUSB7"]), &link));
        assert!(!port_matches(&ports(&["ttyUSB2"]), &link));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn port_kinds_in_words() {
        let k = |kind| MmPort {
            name: String::new(),
            kind,
        };
        assert_eq!(k(2).kind_name(), "at");
        assert_eq!(k(5).kind_name(), "qmi");
        assert_eq!(k(99).kind_name(), "unknown");
    }
}

#[cfg(test)]
mod props_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Any path (they need not exist) is matched without panicking; a name matches itself.
        #[test]
        fn any_port_path(name in "[a-zA-Z0-9_-]{1,20}", junk in "\\PC{0,40}") {
            let p = [MmPort { name: name.clone(), kind: 2 }];
            prop_assert!(port_matches(&p, &Path::new("/dev/nonexistent-simquota").join(&name)));
            let _ = port_matches(&p, Path::new(&junk));
        }
    }
}
