//! Who the modem and SIM are, from ModemManager, in the same [`Identity`] shape that the AT
//! backend fills (`simquota info` renders both the same way).
//!
//! Mapping: `Revision` → firmware; `Modem3gpp.Imei`, else `EquipmentIdentifier` → IMEI;
//! `UnlockRequired` (`MMModemLock`) → the `+CPIN?` words; `RegistrationState`
//! (`MMModem3gppRegistrationState`) → the same words as `+CREG`; `SignalQuality` percent →
//! rssi. ModemManager derives that percent linearly from rssi 0–31 (AT modems) or from
//! −113…−51 dBm (QMI/MBIM), which is the same scale, so rssi = percent × 31 / 100 and
//! dBm = −113 + 2 × rssi are exact up to rounding.

use super::discovery::MmSim;
use super::props::{self, Props};
use super::{iface, MmError, MmModem};
use crate::modem::Identity;

/// `MMModemLock` in the words of `+CPIN?` (TS 27.007 §8.3).
fn lock_words(lock: u32) -> String {
    match lock {
        1 => "READY".to_string(),
        2 => "SIM PIN".to_string(),
        3 => "SIM PIN2".to_string(),
        4 => "SIM PUK".to_string(),
        5 => "SIM PUK2".to_string(),
        6 => "PH-SP PIN".to_string(),
        8 => "PH-NET PIN".to_string(),
        10 => "PH-SIM PIN".to_string(),
        n => format!("locked (ModemManager lock {n})"),
    }
}

/// `MMModem3gppRegistrationState` in the words the AT identity uses.
fn registration_words(state: u32) -> &'static str {
    match state {
        0 => "not registered",
        1 => "home",
        2 => "searching",
        3 => "denied",
        5 => "roaming",
        6 => "home (SMS only)",
        7 => "roaming (SMS only)",
        8 => "emergency only",
        9 => "home (CSFB not preferred)",
        10 => "roaming (CSFB not preferred)",
        _ => "unknown",
    }
}

/// Builds the identity from the three property sets (pure: what [`identity`] reads).
pub(crate) fn identity_from(modem: &Props, g3pp: &Props, sim: Option<&MmSim>) -> Identity {
    let has_sim = props::path(modem, "Sim").is_some();
    let rssi = props::first_u32(modem, "SignalQuality")
        .filter(|p| *p <= 100)
        // Rounded to the nearest step; p ≤ 100 so no overflow.
        .map(|p| ((p * 31 + 50) / 100) as u8);
    Identity {
        manufacturer: props::string(modem, "Manufacturer"),
        model: props::string(modem, "Model"),
        firmware: props::string(modem, "Revision"),
        imei: props::string(g3pp, "Imei").or_else(|| props::string(modem, "EquipmentIdentifier")),
        imsi: sim.and_then(|s| s.imsi.clone()),
        iccid: sim.and_then(|s| s.iccid.clone()),
        sim: if has_sim {
            props::u32_of(modem, "UnlockRequired")
                .filter(|l| *l != 0)
                .map(lock_words)
        } else {
            Some("no SIM".to_string())
        },
        operator: props::string(g3pp, "OperatorName"),
        registration: props::u32_of(g3pp, "RegistrationState")
            .map(|s| registration_words(s).to_string()),
        signal_dbm: rssi.map(|r| -113 + 2 * i32::from(r)),
        signal_rssi: rssi,
    }
}

/// Asks ModemManager (fresh, not from discovery) who the modem and SIM are; what it does
/// not know stays empty.
pub async fn identity(modem: &MmModem) -> Result<Identity, MmError> {
    let bus = &modem.bus;
    let m = bus
        .get_all(&modem.path, iface::MODEM, "reading the modem's identity")
        .await?;
    // A modem without 3GPP (CDMA-only) or before enabling has no Modem3gpp properties.
    let g = bus
        .get_all(&modem.path, iface::MODEM_3GPP, "reading 3GPP identity")
        .await
        .unwrap_or_default();
    let sim = match props::path(&m, "Sim") {
        Some(p) => bus
            .get_all(&p, iface::SIM, "reading the SIM")
            .await
            .ok()
            .map(|s| MmSim::from_props(&p, &s)),
        None => None,
    };
    Ok(identity_from(&m, &g, sim.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::props::tests::owned;
    use zbus::zvariant::{ObjectPath, StructureBuilder, Value};

    #[test]
    fn maps_like_the_at_identity() {
        let mut m = Props::new();
        m.insert(
            "Manufacturer".into(),
            owned(Value::from("QUALCOMM INCORPORATED")),
        );
        m.insert("Revision".into(), owned(Value::from("EG25GGBR07A08M2G")));
        m.insert(
            "EquipmentIdentifier".into(),
            owned(Value::from("867698041234567")),
        );
        m.insert("UnlockRequired".into(), owned(Value::from(2u32)));
        let sim = ObjectPath::try_from("/org/freedesktop/ModemManager1/SIM/0").expect("path");
        m.insert("Sim".into(), owned(Value::from(sim)));
        let sq = StructureBuilder::new()
            .add_field(100u32)
            .add_field(true)
            .build()
            .expect("structure");
        m.insert("SignalQuality".into(), owned(Value::from(sq)));
        let mut g = Props::new();
        g.insert("RegistrationState".into(), owned(Value::from(5u32)));
        g.insert("OperatorName".into(), owned(Value::from("NTT DOCOMO")));
        let s = MmSim {
            imsi: Some("440101234567890".into()),
            ..MmSim::default()
        };
        let id = identity_from(&m, &g, Some(&s));
        assert_eq!(id.manufacturer.as_deref(), Some("QUALCOMM INCORPORATED"));
        assert_eq!(id.firmware.as_deref(), Some("EG25GGBR07A08M2G"));
        assert_eq!(
            id.imei.as_deref(),
            Some("867698041234567"),
            "falls back to EquipmentIdentifier"
        );
        assert_eq!(id.sim.as_deref(), Some("SIM PIN"));
        assert_eq!(id.registration.as_deref(), Some("roaming"));
        assert_eq!(id.operator.as_deref(), Some("NTT DOCOMO"));
        assert_eq!(id.imsi.as_deref(), Some("440101234567890"));
        assert_eq!((id.signal_rssi, id.signal_dbm), (Some(31), Some(-51)));

        let no_sim = identity_from(&Props::new(), &Props::new(), None);
        assert_eq!(no_sim.sim.as_deref(), Some("no SIM"));
        assert_eq!(no_sim.signal_rssi, None);
    }

    #[test]
    fn words() {
        assert_eq!(lock_words(1), "READY");
        assert_eq!(lock_words(99), "locked (ModemManager lock 99)");
        assert_eq!(registration_words(1), "home");
        assert_eq!(registration_words(42), "unknown");
    }
}
