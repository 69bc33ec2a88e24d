//! Errors of the ModemManager backend, with D-Bus error names turned into advice.
//!
//! ModemManager reports failures as D-Bus errors named
//! `org.freedesktop.ModemManager1.Error.<Domain>.<Code>` (ModemManager's `mm-errors-types.h`:
//! domains `Core`, `MobileEquipment`, `Connection`, `Serial`, `Message`, `CdmaActivation`).
//! [`classify`] maps a name to an [`MmError`] variant so that callers can branch on the
//! cases that need a different action (unsupported → use the AT backend, wrong state →
//! enable the modem, SIM → unlock it) and everyone else gets the name and the detail.

use std::time::Duration;

/// Why a ModemManager operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MmError {
    /// The D-Bus bus could not be reached (no socket, bad address, refused authentication).
    #[error("cannot reach the D-Bus bus {address}: {detail}")]
    Bus {
        /// `system` or the address that was given (`SIMQUOTA_MM_BUS`).
        address: String,
        /// What zbus said.
        detail: String,
    },
    /// Nobody owns `org.freedesktop.ModemManager1` on that bus.
    #[error("ModemManager is not running on the {address} bus; use the AT backend (--backend at)")]
    NotRunning {
        /// `system` or the address that was given.
        address: String,
    },
    /// ModemManager did not answer in time.
    #[error("ModemManager did not answer {what} within {after:?}")]
    Timeout {
        /// The operation.
        what: String,
        /// How long we waited.
        after: Duration,
    },
    /// The modem, its ModemManager plugin or the interface does not support the operation
    /// (`Error.Core.Unsupported`, or the interface is missing on the modem object).
    #[error("{what} is not supported by this modem under ModemManager ({detail}); try the AT backend (--backend at) on a free AT port")]
    Unsupported {
        /// The operation.
        what: String,
        /// ModemManager's detail.
        detail: String,
    },
    /// The modem is not in a state that allows the operation (`Error.Core.WrongState`):
    /// disabled, still initialising, or a USSD session already open.
    #[error("{what}: the modem is in the wrong state for this ({detail}); enable it (`mmcli -m N --enable`), wait until it is registered, or cancel a pending USSD session")]
    WrongState {
        /// The operation.
        what: String,
        /// ModemManager's detail.
        detail: String,
    },
    /// The modem or SIM refused (`Error.MobileEquipment.*`, the +CME ERROR family).
    #[error("{what}: the modem refused: {reason} ({detail}){}", sim_hint(code))]
    MobileEquipment {
        /// The operation.
        what: String,
        /// The error code name, e.g. `SimNotInserted`.
        code: String,
        /// The code in words, e.g. `sim not inserted`.
        reason: String,
        /// ModemManager's detail.
        detail: String,
    },
    /// Policy (polkit) or the bus refused the call.
    #[error("{what}: not authorised by ModemManager/polkit ({detail}); run as root or allow this user the ModemManager action")]
    Unauthorized {
        /// The operation.
        what: String,
        /// ModemManager's detail.
        detail: String,
    },
    /// The object (modem, SIM, SMS) is gone, e.g. the modem was unplugged.
    #[error("{what}: ModemManager no longer has {path}; the modem may have been removed")]
    NoSuchObject {
        /// The operation.
        what: String,
        /// The D-Bus object path.
        path: String,
    },
    /// Any other D-Bus error.
    #[error("{what}: ModemManager answered {name}: {detail}")]
    Call {
        /// The operation.
        what: String,
        /// The D-Bus error name.
        name: String,
        /// ModemManager's detail.
        detail: String,
    },
    /// ModemManager runs but manages no modem (or none with the asked port).
    #[error(
        "ModemManager manages {detail}; check `mmcli -L`, or use the AT backend (--backend at)"
    )]
    NoModem {
        /// What was looked for, in words (`no modem`, `no modem with port /dev/ttyUSB2`).
        detail: String,
    },
    /// The answer had a shape we did not expect.
    #[error("{what}: unexpected answer from ModemManager: {detail}")]
    BadReply {
        /// The operation.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// An argument cannot be sent (empty code, empty number…).
    #[error("{what}: {detail}")]
    BadArgument {
        /// The operation.
        what: String,
        /// What was wrong.
        detail: String,
    },
}

fn sim_hint(code: &str) -> &'static str {
    match code {
        "SimNotInserted" => ": insert a SIM",
        "SimPin" | "SimPin2" | "PhSimPin" => {
            ": unlock the SIM (`mmcli -i N --pin=…`) and try again"
        }
        "SimPuk" | "SimPuk2" => ": the SIM needs its PUK (enter it in a phone)",
        "SimFailure" | "SimWrong" | "SimBusy" => ": check the SIM (re-seat it) and try again",
        "NoNetwork" | "NetworkTimeout" => {
            ": the modem has no network; check signal and registration"
        }
        _ => "",
    }
}

/// `SimNotInserted` → `sim not inserted`.
fn words(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 8);
    for (i, c) in code.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The error for a D-Bus error `name` with `detail` returned by the operation `what`
/// on the object `path`.
pub fn classify(name: &str, detail: &str, what: &str, path: &str) -> MmError {
    const CORE: &str = "org.freedesktop.ModemManager1.Error.Core.";
    const ME: &str = "org.freedesktop.ModemManager1.Error.MobileEquipment.";
    let what_s = what.to_string();
    let detail_s = detail.to_string();
    if let Some(code) = name.strip_prefix(CORE) {
        match code {
            "Unsupported" => {
                return MmError::Unsupported {
                    what: what_s,
                    detail: detail_s,
                }
            }
            "WrongState" => {
                return MmError::WrongState {
                    what: what_s,
                    detail: detail_s,
                }
            }
            "Unauthorized" => {
                return MmError::Unauthorized {
                    what: what_s,
                    detail: detail_s,
                }
            }
            _ => {}
        }
    }
    if let Some(code) = name.strip_prefix(ME) {
        return MmError::MobileEquipment {
            what: what_s,
            code: code.to_string(),
            reason: words(code),
            detail: detail_s,
        };
    }
    match name {
        // The modem object lacks the interface or method: this modem cannot do it.
        "org.freedesktop.DBus.Error.UnknownInterface"
        | "org.freedesktop.DBus.Error.UnknownMethod"
        | "org.freedesktop.DBus.Error.UnknownProperty" => MmError::Unsupported {
            what: what_s,
            detail: detail_s,
        },
        "org.freedesktop.DBus.Error.UnknownObject" => MmError::NoSuchObject {
            what: what_s,
            path: path.to_string(),
        },
        "org.freedesktop.DBus.Error.ServiceUnknown"
        | "org.freedesktop.DBus.Error.NameHasNoOwner" => MmError::NotRunning {
            address: "given".to_string(),
        },
        "org.freedesktop.DBus.Error.AccessDenied"
        | "org.freedesktop.DBus.Error.AuthFailed"
        | "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" => MmError::Unauthorized {
            what: what_s,
            detail: detail_s,
        },
        "org.freedesktop.DBus.Error.NoReply" | "org.freedesktop.DBus.Error.Timeout" => {
            MmError::Call {
                what: what_s,
                name: name.to_string(),
                detail: format!("{detail} (ModemManager's own time-out ran out)"),
            }
        }
        _ => MmError::Call {
            what: what_s,
            name: name.to_string(),
            detail: detail_s,
        },
    }
}

/// Turns a zbus error from the operation `what` on `path` into an [`MmError`].
pub(crate) fn from_zbus(e: zbus::Error, what: &str, path: &str, address: &str) -> MmError {
    use zbus::DBusError;
    let mut err = match e {
        zbus::Error::MethodError(name, detail, _) => {
            classify(name.as_str(), detail.as_deref().unwrap_or(""), what, path)
        }
        zbus::Error::FDO(fdo) => {
            let name = fdo.name().to_string();
            let detail = fdo.description().unwrap_or("").to_string();
            classify(&name, &detail, what, path)
        }
        zbus::Error::InputOutput(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            MmError::Timeout {
                what: what.to_string(),
                after: Duration::ZERO,
            }
        }
        zbus::Error::InputOutput(io) => MmError::Bus {
            address: address.to_string(),
            detail: io.to_string(),
        },
        zbus::Error::Variant(v) => MmError::BadReply {
            what: what.to_string(),
            detail: v.to_string(),
        },
        other => MmError::Call {
            what: what.to_string(),
            name: "zbus".to_string(),
            detail: other.to_string(),
        },
    };
    if let MmError::NotRunning { address: a } = &mut err {
        *a = address.to_string();
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_variants() {
        let p = "/org/freedesktop/ModemManager1/Modem/0";
        type Check = fn(&MmError) -> bool;
        let rows: &[(&str, Check)] = &[
            (
                "org.freedesktop.ModemManager1.Error.Core.Unsupported",
                |e| matches!(e, MmError::Unsupported { .. }),
            ),
            ("org.freedesktop.ModemManager1.Error.Core.WrongState", |e| {
                matches!(e, MmError::WrongState { .. })
            }),
            (
                "org.freedesktop.ModemManager1.Error.Core.Unauthorized",
                |e| matches!(e, MmError::Unauthorized { .. }),
            ),
            (
                "org.freedesktop.ModemManager1.Error.Core.Failed",
                |e| matches!(e, MmError::Call { name, .. } if name.ends_with("Core.Failed")),
            ),
            (
                "org.freedesktop.ModemManager1.Error.MobileEquipment.SimNotInserted",
                |e| matches!(e, MmError::MobileEquipment { code, reason, .. } if code == "SimNotInserted" && reason == "sim not inserted"),
            ),
            ("org.freedesktop.DBus.Error.UnknownInterface", |e| {
                matches!(e, MmError::Unsupported { .. })
            }),
            (
                "org.freedesktop.DBus.Error.UnknownObject",
                |e| matches!(e, MmError::NoSuchObject { path, .. } if path.ends_with("Modem/0")),
            ),
            ("org.freedesktop.DBus.Error.ServiceUnknown", |e| {
                matches!(e, MmError::NotRunning { .. })
            }),
            ("org.freedesktop.DBus.Error.AccessDenied", |e| {
                matches!(e, MmError::Unauthorized { .. })
            }),
            ("", |e| matches!(e, MmError::Call { .. })),
        ];
        for (name, ok) in rows {
            let e = classify(name, "detail text", "USSD request", p);
            assert!(ok(&e), "{name} → {e:?}");
            // Every message names the operation so the user knows what failed.
            let shown = e.to_string();
            if !matches!(e, MmError::NotRunning { .. } | MmError::NoSuchObject { .. }) {
                assert!(shown.contains("detail text"), "{shown}");
            }
        }
    }

    #[test]
    fn messages_say_what_to_try() {
        let e = classify(
            "org.freedesktop.ModemManager1.Error.Core.Unsupported",
            "USSD not supported",
            "USSD request",
            "/m",
        );
        assert_eq!(
            e.to_string(),
            "USSD request is not supported by this modem under ModemManager (USSD not supported); try the AT backend (--backend at) on a free AT port"
        );
        let e = classify(
            "org.freedesktop.ModemManager1.Error.MobileEquipment.SimPin",
            "SIM PIN required",
            "USSD request",
            "/m",
        );
        assert!(e.to_string().contains("unlock the SIM"), "{e}");
        assert_eq!(words("PhSimPin"), "ph sim pin");
        assert_eq!(words(""), "");
    }
}

#[cfg(test)]
mod props_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Any error name a bus may send becomes an error that displays, without panicking.
        #[test]
        fn any_name_classifies(name in "\\PC{0,80}", detail in "\\PC{0,40}") {
            let e = classify(&name, &detail, "x", "/p");
            prop_assert!(!e.to_string().is_empty());
            let me = format!("org.freedesktop.ModemManager1.Error.MobileEquipment.{name}");
            let is_me = matches!(classify(&me, &detail, "x", "/p"), MmError::MobileEquipment { .. });
            prop_assert!(is_me);
        }
    }
}
