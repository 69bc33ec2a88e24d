//! A backend that works beside ModemManager instead of against it: USSD, SMS and identity
//! over ModemManager's D-Bus API (`org.freedesktop.ModemManager1`, API 1.x), for machines
//! where ModemManager owns the modem and its AT ports are not ours to open.
//!
//! Invariants:
//! - ModemManager only carries text: every USSD reply still goes through our own decoding
//!   ([`crate::ussd::decode_payload`]) so that undecoded hex that ModemManager passes
//!   through (UCS-2 hex from some firmware) becomes text, and through our understanding
//!   ([`crate::balance`]) like an AT reply.
//! - Asking "is ModemManager there?" never hangs and never starts it: we ask the bus
//!   (`NameHasOwner`, which does not activate services) within [`PROBE_TIMEOUT`].
//! - Nothing is deleted unless the caller asks ([`sms_delete`]).
//! - The bus is the system bus, or the address in `SIMQUOTA_MM_BUS` (a D-Bus address such
//!   as `unix:path=/tmp/bus` — tests run a private bus with a mock ModemManager).

mod discovery;
mod error;
mod identity;
mod messaging;
pub mod props;
mod ussd;

pub use discovery::{is_managed, is_managed_on, select, select_on, MmModem, MmPort, MmSim};
pub use error::{classify, MmError};
pub use identity::identity;
pub use messaging::{sms_delete, sms_list, sms_send, sms_wait_reply, MmSms};
pub use ussd::{cancel_ussd, ussd, ussd_state, ussd_with, MmUssdOptions, MmUssdOutcome};

use std::time::Duration;

use zbus::zvariant::{DynamicDeserialize, DynamicType, OwnedValue};
use zbus::Connection;

use props::Props;

/// ModemManager's well-known bus name.
pub const MM_SERVICE: &str = "org.freedesktop.ModemManager1";
/// ModemManager's root object (the ObjectManager).
pub const MM_PATH: &str = "/org/freedesktop/ModemManager1";
/// The environment variable naming the bus to use instead of the system bus.
pub const BUS_ENV: &str = "SIMQUOTA_MM_BUS";
/// Longest wait for "is ModemManager there and which modems does it have".
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// Longest wait for a property read or a quick method call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Interface names of ModemManager's API.
pub mod iface {
    /// Modem objects.
    pub const MODEM: &str = "org.freedesktop.ModemManager1.Modem";
    /// 3GPP registration and identity.
    pub const MODEM_3GPP: &str = "org.freedesktop.ModemManager1.Modem.Modem3gpp";
    /// USSD on 3GPP modems.
    pub const USSD: &str = "org.freedesktop.ModemManager1.Modem.Modem3gpp.Ussd";
    /// SMS storage and sending.
    pub const MESSAGING: &str = "org.freedesktop.ModemManager1.Modem.Messaging";
    /// SIM objects.
    pub const SIM: &str = "org.freedesktop.ModemManager1.Sim";
    /// SMS objects.
    pub const SMS: &str = "org.freedesktop.ModemManager1.Sms";
    /// Standard properties interface.
    pub const PROPERTIES: &str = "org.freedesktop.DBus.Properties";
    /// Standard object manager interface.
    pub const OBJECT_MANAGER: &str = "org.freedesktop.DBus.ObjectManager";
}

/// A connection to the bus ModemManager is on.
#[derive(Debug, Clone)]
pub struct MmBus {
    conn: Connection,
    address: String,
}

impl MmBus {
    /// Connects to the bus named by `SIMQUOTA_MM_BUS`, or to the system bus.
    pub async fn connect() -> Result<MmBus, MmError> {
        let env = std::env::var(BUS_ENV).ok();
        MmBus::connect_to(env.as_deref()).await
    }

    /// Connects to the D-Bus `address` (`unix:path=…`), or to the system bus for `None` or
    /// an empty string; gives up after [`PROBE_TIMEOUT`].
    pub async fn connect_to(address: Option<&str>) -> Result<MmBus, MmError> {
        let address = address.map(str::trim).filter(|a| !a.is_empty());
        let shown = address.unwrap_or("system").to_string();
        let bus_err = |detail: String| MmError::Bus {
            address: shown.clone(),
            detail,
        };
        let fut = async {
            match address {
                Some(a) => {
                    zbus::connection::Builder::address(a)
                        .map_err(|e| bus_err(e.to_string()))?
                        .build()
                        .await
                }
                None => Connection::system().await,
            }
            .map_err(|e| bus_err(e.to_string()))
        };
        let conn = tokio::time::timeout(PROBE_TIMEOUT, fut)
            .await
            .map_err(|_| bus_err(format!("no answer within {PROBE_TIMEOUT:?}")))??;
        Ok(MmBus {
            conn,
            address: shown,
        })
    }

    /// `system` or the address connected to.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// True when ModemManager owns its name on this bus (asking does not start it).
    pub async fn is_running(&self) -> Result<bool, MmError> {
        let what = "looking for ModemManager";
        let fut = self.conn.call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "NameHasOwner",
            &(MM_SERVICE,),
        );
        let msg = tokio::time::timeout(PROBE_TIMEOUT, fut)
            .await
            .map_err(|_| MmError::Timeout {
                what: what.to_string(),
                after: PROBE_TIMEOUT,
            })?
            .map_err(|e| error::from_zbus(e, what, "/org/freedesktop/DBus", &self.address))?;
        msg.body()
            .deserialize::<bool>()
            .map_err(|e| MmError::BadReply {
                what: what.to_string(),
                detail: e.to_string(),
            })
    }

    /// Calls `method` of `interface` on ModemManager's object `path` and reads the answer.
    pub(crate) async fn call<B, R>(
        &self,
        path: &str,
        interface: &str,
        method: &str,
        body: &B,
        what: &str,
        limit: Duration,
    ) -> Result<R, MmError>
    where
        B: serde::Serialize + DynamicType,
        R: for<'d> DynamicDeserialize<'d>,
    {
        let fut = self
            .conn
            .call_method(Some(MM_SERVICE), path, Some(interface), method, body);
        let msg = tokio::time::timeout(limit, fut)
            .await
            .map_err(|_| MmError::Timeout {
                what: what.to_string(),
                after: limit,
            })?
            .map_err(|e| match error::from_zbus(e, what, path, &self.address) {
                MmError::Timeout { what, .. } => MmError::Timeout { what, after: limit },
                e => e,
            })?;
        msg.body()
            .deserialize::<R>()
            .map_err(|e| MmError::BadReply {
                what: what.to_string(),
                detail: e.to_string(),
            })
    }

    /// Calls a method whose answer carries nothing we need.
    pub(crate) async fn call_unit<B>(
        &self,
        path: &str,
        interface: &str,
        method: &str,
        body: &B,
        what: &str,
        limit: Duration,
    ) -> Result<(), MmError>
    where
        B: serde::Serialize + DynamicType,
    {
        let fut = self
            .conn
            .call_method(Some(MM_SERVICE), path, Some(interface), method, body);
        tokio::time::timeout(limit, fut)
            .await
            .map_err(|_| MmError::Timeout {
                what: what.to_string(),
                after: limit,
            })?
            .map_err(|e| error::from_zbus(e, what, path, &self.address))?;
        Ok(())
    }

    /// All properties of `interface` on `path`.
    pub(crate) async fn get_all(
        &self,
        path: &str,
        interface: &str,
        what: &str,
    ) -> Result<Props, MmError> {
        self.call(
            path,
            iface::PROPERTIES,
            "GetAll",
            &(interface,),
            what,
            CALL_TIMEOUT,
        )
        .await
    }

    /// One property of `interface` on `path`.
    pub(crate) async fn get(
        &self,
        path: &str,
        interface: &str,
        name: &str,
        what: &str,
    ) -> Result<OwnedValue, MmError> {
        self.call(
            path,
            iface::PROPERTIES,
            "Get",
            &(interface, name),
            what,
            CALL_TIMEOUT,
        )
        .await
    }
}
