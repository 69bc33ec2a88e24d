//! MQTT export and Home Assistant discovery (rumqttc, MQTT 3.1.1).
//!
//! Topics (one connection per SIM, so the last will belongs to that SIM):
//! - `simquota/<iccid>/state`: the state JSON ([`SimStatus::state_json`]), retained;
//! - `simquota/<iccid>/availability`: `online` / `offline`, retained; `offline` is also the
//!   connection's last will, so the broker says it when the router dies;
//! - `simquota/<iccid>/alert`: one JSON message per fired alert (not retained);
//! - `homeassistant/<component>/simquota_<iccid>_<key>/config`: Home Assistant MQTT discovery
//!   ("MQTT Discovery" in the Home Assistant docs: config topic
//!   `<discovery_prefix>/<component>/[<node_id>/]<object_id>/config`, retained), with a shared
//!   `device` block, `unique_id`, `availability_topic`, `state_topic` + `value_template`, and
//!   `device_class: data_size` / `unit_of_measurement: B` for the byte figures.
//!
//! Everything is published with QoS 1 and the publisher waits for the broker's PUBACKs (with a
//! time-out), so "published" means the broker has it.
//!
//! TLS is opt-in at build time: rumqttc is built without default features, and only the
//! `mqtt-tls` Cargo feature brings rustls on the ring provider (about a megabyte more in a router
//! binary). Invariant: a configuration that asks for TLS ([`MqttConfig::tls`]) is either served
//! over TLS or refused with an error ([`NO_TLS`] in a build without the feature) — never sent in
//! plaintext. The server certificate is checked against `ca_file` (PEM), else the system's roots,
//! and must name the host as given (DNS name, or an IP address SAN when the host is an address).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Packet, QoS, Transport};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::alerts::Alert;
use super::status::SimStatus;
use super::{MonitorError, Result};

/// The MQTT port without TLS.
pub const DEFAULT_PORT: u16 = 1883;
/// The MQTT-over-TLS port ("secure-mqtt").
pub const DEFAULT_TLS_PORT: u16 = 8883;
/// Whether this build can speak MQTT over TLS (the `mqtt-tls` Cargo feature).
pub const TLS_SUPPORTED: bool = cfg!(feature = "mqtt-tls");
/// The error for TLS asked of a build without the `mqtt-tls` feature.
pub const NO_TLS: &str = "this simquota was built without MQTT TLS: rebuild with \
    `cargo build --release --features mqtt-tls`, or use a broker on the LAN / a local TLS bridge";

/// TLS to the broker. Files are read at each connection (a renewed certificate is picked up at
/// the next reconnect) and checked by [`MqttConfig::validate`] at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MqttTls {
    /// PEM bundle of the CA certificates to trust; `None` trusts the system's roots
    /// (`SSL_CERT_FILE`, else the usual `/etc/ssl/certs` bundle).
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate chain, for brokers that require one (with `client_key_file`).
    pub client_cert_file: Option<PathBuf>,
    /// PEM private key of the client certificate (PKCS#8, PKCS#1 or SEC1).
    pub client_key_file: Option<PathBuf>,
}

/// How to reach the broker and where to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttConfig {
    /// Broker host name or address; with TLS, the name the server certificate must carry.
    pub host: String,
    /// Broker port ([`DEFAULT_PORT`], or [`DEFAULT_TLS_PORT`] with TLS).
    pub port: u16,
    /// TLS settings; `None` is plain TCP.
    pub tls: Option<MqttTls>,
    /// User name, if the broker wants one.
    pub username: Option<String>,
    /// Password (with `username`).
    pub password: Option<String>,
    /// Client id prefix; the ICCID is appended (`simquota-8981…`).
    pub client_id: String,
    /// Topic prefix (`simquota`).
    pub base_topic: String,
    /// Home Assistant discovery prefix (`homeassistant`).
    pub discovery_prefix: String,
    /// MQTT keep-alive (30 s; the broker declares us gone after 1.5 × this).
    pub keep_alive: Duration,
    /// How long to wait for the connection and for acknowledgements (10 s).
    pub timeout: Duration,
}

impl MqttConfig {
    /// Defaults for a broker at `host:port`.
    pub fn new(host: &str, port: u16) -> MqttConfig {
        MqttConfig {
            host: host.to_string(),
            port,
            tls: None,
            username: None,
            password: None,
            client_id: "simquota".to_string(),
            base_topic: "simquota".to_string(),
            discovery_prefix: "homeassistant".to_string(),
            keep_alive: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }

    /// The port to use when none is given: 8883 with TLS, 1883 without.
    pub fn default_port(tls: bool) -> u16 {
        if tls {
            DEFAULT_TLS_PORT
        } else {
            DEFAULT_PORT
        }
    }

    /// Checks, before any connection, what can be checked: that this build has TLS when it is
    /// asked for ([`NO_TLS`] otherwise), and that the CA and client files are readable PEM.
    pub fn validate(&self) -> Result<()> {
        match &self.tls {
            Some(t) => tls_transport(t).map(|_| ()),
            None => Ok(()),
        }
    }
}

#[cfg(not(feature = "mqtt-tls"))]
fn tls_transport(_: &MqttTls) -> Result<Transport> {
    Err(MonitorError::Invalid(NO_TLS.to_string()))
}

/// A TLS transport with our own rustls config (rather than rumqttc's `TlsConfiguration::Simple`):
/// that one reports a bad file only when connecting, without its name, and cannot use the
/// system's roots without panicking when they are missing.
#[cfg(feature = "mqtt-tls")]
fn tls_transport(t: &MqttTls) -> Result<Transport> {
    Ok(Transport::tls_with_config(
        rumqttc::TlsConfiguration::Rustls(Arc::new(tls::client_config(t)?)),
    ))
}

#[cfg(feature = "mqtt-tls")]
mod tls {
    use super::*;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use rustls::{ClientConfig, RootCertStore};
    use std::path::Path;

    fn invalid(msg: String) -> MonitorError {
        MonitorError::Invalid(format!("MQTT TLS: {msg}"))
    }

    fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
        std::fs::read(path)
            .map_err(|e| MonitorError::io(format!("reading MQTT {what} {}", path.display()), e))
    }

    fn certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
        let pem = read(path, what)?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("{what} {}: bad PEM: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(invalid(format!(
                "{what} {}: no PEM CERTIFICATE in it",
                path.display()
            )));
        }
        Ok(certs)
    }

    fn roots(t: &MqttTls) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        match &t.ca_file {
            Some(path) => {
                let (_, bad) = roots.add_parsable_certificates(certs(path, "ca_file")?);
                if roots.is_empty() {
                    return Err(invalid(format!(
                        "ca_file {}: none of its {bad} certificate(s) can be used",
                        path.display()
                    )));
                }
            }
            None => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    let why = found
                        .errors
                        .first()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default();
                    return Err(invalid(format!(
                        "no system CA certificates found{why}: give the broker's CA as \
                         [mqtt] ca_file or --mqtt-ca"
                    )));
                }
            }
        }
        Ok(roots)
    }

    /// rustls on the ring provider, chosen here rather than installed process-wide: nothing
    /// else in the process uses rustls, and no global state means nothing to race.
    pub(super) fn client_config(t: &MqttTls) -> Result<ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid(e.to_string()))?
            .with_root_certificates(roots(t)?);
        match (&t.client_cert_file, &t.client_key_file) {
            (None, None) => Ok(builder.with_no_client_auth()),
            (Some(cert), Some(key)) => {
                let chain = certs(cert, "client_cert_file")?;
                let pem = read(key, "client_key_file")?;
                let key_der = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
                    invalid(format!(
                        "client_key_file {}: no usable PEM private key: {e}",
                        key.display()
                    ))
                })?;
                builder.with_client_auth_cert(chain, key_der).map_err(|e| {
                    invalid(format!(
                        "client_cert_file {} / client_key_file {}: {e}",
                        cert.display(),
                        key.display()
                    ))
                })
            }
            (Some(_), None) => Err(invalid(
                "client_cert_file is set but client_key_file is not".into(),
            )),
            (None, Some(_)) => Err(invalid(
                "client_key_file is set but client_cert_file is not".into(),
            )),
        }
    }
}

/// An MQTT message to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Topic.
    pub topic: String,
    /// Payload (UTF-8 JSON or a word).
    pub payload: String,
    /// Retained by the broker.
    pub retain: bool,
}

/// An ICCID made safe as one topic level and as part of a Home Assistant object id: ASCII
/// letters, digits, `_` and `-` are kept, anything else (`/`, `+`, `#`, spaces) becomes `_`.
pub fn topic_id(iccid: &str) -> String {
    let s: String = iccid
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "unknown".to_string()
    } else {
        s
    }
}

/// `simquota/<iccid>/state`.
pub fn state_topic(cfg: &MqttConfig, iccid: &str) -> String {
    format!("{}/{}/state", cfg.base_topic, topic_id(iccid))
}

/// `simquota/<iccid>/availability`.
pub fn availability_topic(cfg: &MqttConfig, iccid: &str) -> String {
    format!("{}/{}/availability", cfg.base_topic, topic_id(iccid))
}

/// `simquota/<iccid>/alert`.
pub fn alert_topic(cfg: &MqttConfig, iccid: &str) -> String {
    format!("{}/{}/alert", cfg.base_topic, topic_id(iccid))
}

/// The state message (retained).
pub fn state_message(cfg: &MqttConfig, sim: &SimStatus) -> Message {
    Message {
        topic: state_topic(cfg, &sim.iccid),
        payload: sim.state_json().to_string(),
        retain: true,
    }
}

/// One Home Assistant sensor over a field of the state JSON.
struct Sensor {
    key: &'static str,
    name: &'static str,
    field: &'static str,
    class: Option<&'static str>,
    unit: Option<String>,
    state_class: Option<&'static str>,
}

/// Home Assistant discovery configs for one SIM (retained).
pub fn discovery_messages(cfg: &MqttConfig, sim: &SimStatus) -> Vec<Message> {
    let id = topic_id(&sim.iccid);
    let device = json!({
        "identifiers": [format!("simquota_{id}")],
        "name": format!("SIM {}", sim.iccid),
        "manufacturer": "simquota",
        "model": sim.carrier.clone().unwrap_or_else(|| "SIM".to_string()),
        "sw_version": env!("CARGO_PKG_VERSION"),
    });
    let currency = sim
        .last_success
        .as_ref()
        .and_then(|r| r.numbers.currency.clone());
    let data = |key, name, field, state_class| Sensor {
        key,
        name,
        field,
        class: Some("data_size"),
        unit: Some("B".to_string()),
        state_class,
    };
    let date = |key, name, field| Sensor {
        key,
        name,
        field,
        class: Some("date"),
        unit: None,
        state_class: None,
    };
    let mut sensors = vec![
        data(
            "remaining",
            "Remaining data",
            "remaining_bytes",
            Some("measurement"),
        ),
        data("used", "Used data", "used_bytes", Some("measurement")),
        data("total", "Data allowance", "total_bytes", None),
        data(
            "estimated_remaining",
            "Remaining data (estimate)",
            "estimated_remaining_bytes",
            Some("measurement"),
        ),
        data(
            "daily_budget",
            "Daily data budget",
            "daily_budget_bytes",
            None,
        ),
        date("expiry", "Data expiry", "expiry"),
        date("runs_out", "Data runs out (forecast)", "runs_out"),
        Sensor {
            key: "signal",
            name: "Signal",
            field: "signal_dbm",
            class: Some("signal_strength"),
            unit: Some("dBm".to_string()),
            state_class: Some("measurement"),
        },
        Sensor {
            key: "last_check",
            name: "Last check",
            field: "last_check_iso",
            class: Some("timestamp"),
            unit: None,
            state_class: None,
        },
    ];
    if let Some(cur) = currency {
        sensors.push(Sensor {
            key: "balance",
            name: "Balance",
            field: "balance",
            class: Some("monetary"),
            unit: Some(cur),
            state_class: None,
        });
    }
    let mut out = Vec::new();
    for Sensor {
        key,
        name,
        field,
        class,
        unit,
        state_class,
    } in sensors
    {
        let uid = format!("simquota_{id}_{key}");
        let mut cfg_json = json!({
            "name": name,
            "unique_id": uid,
            "state_topic": state_topic(cfg, &sim.iccid),
            "value_template": format!("{{{{ value_json.{field} }}}}"),
            "availability_topic": availability_topic(cfg, &sim.iccid),
            "payload_available": "online",
            "payload_not_available": "offline",
            "device": device,
        });
        if let Some(map) = cfg_json.as_object_mut() {
            if let Some(c) = class {
                map.insert("device_class".into(), json!(c));
            }
            if let Some(u) = unit {
                map.insert("unit_of_measurement".into(), json!(u));
            }
            if let Some(s) = state_class {
                map.insert("state_class".into(), json!(s));
            }
        }
        out.push(Message {
            topic: format!("{}/sensor/{uid}/config", cfg.discovery_prefix),
            payload: cfg_json.to_string(),
            retain: true,
        });
    }
    // A problem sensor: on when the last check failed.
    let uid = format!("simquota_{id}_problem");
    out.push(Message {
        topic: format!("{}/binary_sensor/{uid}/config", cfg.discovery_prefix),
        payload: json!({
            "name": "Balance check problem",
            "unique_id": uid,
            "device_class": "problem",
            "state_topic": state_topic(cfg, &sim.iccid),
            "value_template": "{{ 'OFF' if value_json.last_check_success else 'ON' }}",
            "availability_topic": availability_topic(cfg, &sim.iccid),
            "payload_available": "online",
            "payload_not_available": "offline",
            "device": device,
        })
        .to_string(),
        retain: true,
    });
    out
}

/// The alert message (not retained).
pub fn alert_message(cfg: &MqttConfig, alert: &Alert) -> Result<Message> {
    Ok(Message {
        topic: alert_topic(cfg, &alert.iccid),
        payload: serde_json::to_string(alert)?,
        retain: false,
    })
}

/// A connection to the broker for one SIM.
#[derive(Debug)]
pub struct MqttPublisher {
    client: AsyncClient,
    cfg: MqttConfig,
    iccid: String,
    acks: watch::Receiver<u64>,
    sent: u64,
    discovery_sent: bool,
    last_error: Arc<Mutex<Option<String>>>,
    task: JoinHandle<()>,
}

impl MqttPublisher {
    /// Connects (waiting for the broker's CONNACK up to `cfg.timeout`), with the last will
    /// `offline` on the SIM's availability topic.
    pub async fn connect(cfg: &MqttConfig, iccid: &str) -> Result<MqttPublisher> {
        let client_id = format!("{}-{}", cfg.client_id, topic_id(iccid));
        let mut opts = MqttOptions::new(client_id, cfg.host.clone(), cfg.port);
        opts.set_keep_alive(cfg.keep_alive.max(Duration::from_secs(5)));
        opts.set_last_will(LastWill::new(
            availability_topic(cfg, iccid),
            "offline",
            QoS::AtLeastOnce,
            true,
        ));
        if let Some(u) = &cfg.username {
            opts.set_credentials(u.clone(), cfg.password.clone().unwrap_or_default());
        }
        if let Some(t) = &cfg.tls {
            // An error here returns before any TCP connection: no plaintext fallback.
            opts.set_transport(tls_transport(t)?);
        }
        let (client, mut eventloop) = AsyncClient::new(opts, 64);
        let (ack_tx, acks) = watch::channel(0u64);
        let (conn_tx, mut connected) = watch::channel(false);
        let last_error = Arc::new(Mutex::new(None));
        let err_slot = last_error.clone();
        let task = tokio::spawn(async move {
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        let _ = conn_tx.send(true);
                    }
                    Ok(Event::Incoming(Packet::PubAck(_))) => {
                        ack_tx.send_modify(|n| *n += 1);
                    }
                    Ok(_) => {}
                    Err(rumqttc::ConnectionError::RequestsDone) => break,
                    Err(e) => {
                        let _ = conn_tx.send(false);
                        if let Ok(mut slot) = err_slot.lock() {
                            *slot = Some(e.to_string());
                        }
                        // rumqttc reconnects on the next poll; do not spin.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        let ok = tokio::time::timeout(cfg.timeout, connected.wait_for(|c| *c)).await;
        if !matches!(ok, Ok(Ok(_))) {
            task.abort();
            let why = last_error
                .lock()
                .ok()
                .and_then(|e| e.clone())
                .unwrap_or_else(|| "no answer".to_string());
            return Err(MonitorError::Mqtt(format!(
                "could not connect to {}:{}: {why}",
                cfg.host, cfg.port
            )));
        }
        Ok(MqttPublisher {
            client,
            cfg: cfg.clone(),
            iccid: iccid.to_string(),
            acks,
            sent: 0,
            discovery_sent: false,
            last_error,
            task,
        })
    }

    async fn publish(&mut self, m: Message) -> Result<()> {
        self.client
            .publish(m.topic, QoS::AtLeastOnce, m.retain, m.payload.into_bytes())
            .await
            .map_err(|e| MonitorError::Mqtt(e.to_string()))?;
        self.sent += 1;
        Ok(())
    }

    /// Waits until the broker acknowledged everything published so far.
    pub async fn flush(&mut self) -> Result<()> {
        let want = self.sent;
        let r = tokio::time::timeout(self.cfg.timeout, self.acks.wait_for(|n| *n >= want)).await;
        if matches!(r, Ok(Ok(_))) {
            return Ok(());
        }
        let why = self
            .last_error
            .lock()
            .ok()
            .and_then(|e| e.clone())
            .unwrap_or_else(|| "time-out".to_string());
        Err(MonitorError::Mqtt(format!(
            "broker did not acknowledge: {why}"
        )))
    }

    /// Publishes the discovery configs (once per connection), `online`, and the state.
    pub async fn publish_status(&mut self, sim: &SimStatus) -> Result<()> {
        if sim.iccid != self.iccid {
            return Err(MonitorError::Invalid(format!(
                "this MQTT connection is for SIM {}, not {}",
                self.iccid, sim.iccid
            )));
        }
        if !self.discovery_sent {
            for m in discovery_messages(&self.cfg, sim) {
                self.publish(m).await?;
            }
            self.discovery_sent = true;
        }
        self.publish(Message {
            topic: availability_topic(&self.cfg, &self.iccid),
            payload: "online".into(),
            retain: true,
        })
        .await?;
        self.publish(state_message(&self.cfg, sim)).await?;
        self.flush().await
    }

    /// Publishes an alert on `simquota/<iccid>/alert`.
    pub async fn publish_alert(&mut self, alert: &Alert) -> Result<()> {
        let m = alert_message(&self.cfg, alert)?;
        self.publish(m).await?;
        self.flush().await
    }

    /// Publishes `offline` and disconnects cleanly (the last will is not sent on a clean
    /// disconnect, hence the explicit message).
    pub async fn close(mut self) -> Result<()> {
        self.publish(Message {
            topic: availability_topic(&self.cfg, &self.iccid),
            payload: "offline".into(),
            retain: true,
        })
        .await?;
        let flushed = self.flush().await;
        let _ = self.client.disconnect().await;
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.task).await;
        self.task.abort();
        flushed
    }
}

impl Drop for MqttPublisher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Queued publications before new ones are dropped (a slow or dead broker never holds more).
pub const QUEUE_LEN: usize = 16;

/// After a failed connection, publications are dropped (with a warning) for this long instead
/// of each waiting for the connect time-out.
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// One check's MQTT output: the SIM's status and the alerts the check fired.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The SIM's status after the check.
    pub status: SimStatus,
    /// Alerts fired by the check.
    pub alerts: Vec<Alert>,
}

/// MQTT publishing off the check path: a bounded queue drained by a task that owns the broker
/// connections (one per SIM). [`MqttQueue::offer`] never waits, so a broker that is slow, gone
/// or black-holing packets never delays a check; when the queue is full the publication is
/// dropped and the caller told.
#[derive(Debug)]
pub struct MqttQueue {
    tx: tokio::sync::mpsc::Sender<Publication>,
    task: JoinHandle<()>,
}

impl MqttQueue {
    /// Starts the publishing task (on the current tokio runtime).
    pub fn spawn(cfg: MqttConfig) -> MqttQueue {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Publication>(QUEUE_LEN);
        let task = tokio::spawn(async move {
            let mut publishers: std::collections::HashMap<String, MqttPublisher> =
                Default::default();
            let mut down_until: Option<tokio::time::Instant> = None;
            while let Some(p) = rx.recv().await {
                let iccid = p.status.iccid.clone();
                if !publishers.contains_key(&iccid) {
                    if down_until.is_some_and(|t| tokio::time::Instant::now() < t) {
                        eprintln!(
                            "simquota: warning: MQTT broker {}:{} unreachable: status of {iccid} not published",
                            cfg.host, cfg.port
                        );
                        continue;
                    }
                    match MqttPublisher::connect(&cfg, &iccid).await {
                        Ok(c) => {
                            down_until = None;
                            publishers.insert(iccid.clone(), c);
                        }
                        Err(e) => {
                            down_until = Some(tokio::time::Instant::now() + RETRY_AFTER);
                            eprintln!("simquota: warning: {e}");
                            continue;
                        }
                    }
                }
                if let Some(c) = publishers.get_mut(&iccid) {
                    let mut ok = c.publish_status(&p.status).await;
                    for a in &p.alerts {
                        if ok.is_ok() {
                            ok = c.publish_alert(a).await;
                        }
                    }
                    if let Err(e) = ok {
                        eprintln!("simquota: warning: {e}");
                        publishers.remove(&iccid);
                    }
                }
            }
            for (_, c) in publishers.drain() {
                let _ = c.close().await;
            }
        });
        MqttQueue { tx, task }
    }

    /// Queues a publication without waiting; `false` when the queue is full (dropped).
    pub fn offer(&self, p: Publication) -> bool {
        self.tx.try_send(p).is_ok()
    }

    /// Publishes what is queued and disconnects, giving up after `limit` (a dead broker must
    /// not hold up a stopping daemon).
    pub async fn close(self, limit: Duration) {
        let MqttQueue { tx, mut task } = self;
        drop(tx);
        if tokio::time::timeout(limit, &mut task).await.is_err() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::balance::{Date, Money, Reading};
    use crate::monitor::history::{CheckRecord, History, Method};
    use crate::monitor::status::{Snapshot, SnapshotOptions};
    use crate::monitor::test_util::temp_dir;
    use std::collections::BTreeMap;
    use std::process::{Child, Command, Stdio};

    const ICCID: &str = "8944500000000000017";

    fn sim() -> SimStatus {
        let dir = temp_dir("mqtt-sim");
        let h = History::open(&dir.join("h.db")).unwrap();
        let mut r = Reading::empty("left 2 GB");
        r.remaining_bytes = Some(2 << 30);
        r.total_bytes = Some(5 << 30);
        r.expiry = Date::new(2026, 12, 1);
        r.money.push(Money {
            label: "balance".into(),
            amount: "3.20".into(),
            minor_units: 320,
            currency: "GBP".into(),
            expires: None,
        });
        let mut rec = CheckRecord::success(1_790_000_000, ICCID, Method::Ussd, "*100#", r);
        rec.carrier = Some("giffgaff".into());
        h.record(&rec).unwrap();
        let s = Snapshot::from_history(&h, 1_790_000_100, &SnapshotOptions::default()).unwrap();
        s.sims.into_iter().next().unwrap()
    }

    #[test]
    fn discovery_payloads() {
        let cfg = MqttConfig::new("localhost", 1883);
        let msgs = discovery_messages(&cfg, &sim());
        let by_topic: BTreeMap<&str, serde_json::Value> = msgs
            .iter()
            .map(|m| (m.topic.as_str(), serde_json::from_str(&m.payload).unwrap()))
            .collect();
        assert!(msgs.iter().all(|m| m.retain));
        let rem =
            &by_topic[format!("homeassistant/sensor/simquota_{ICCID}_remaining/config").as_str()];
        assert_eq!(rem["unique_id"], format!("simquota_{ICCID}_remaining"));
        assert_eq!(rem["device_class"], "data_size");
        assert_eq!(rem["unit_of_measurement"], "B");
        assert_eq!(rem["state_topic"], format!("simquota/{ICCID}/state"));
        assert_eq!(
            rem["availability_topic"],
            format!("simquota/{ICCID}/availability")
        );
        assert_eq!(rem["value_template"], "{{ value_json.remaining_bytes }}");
        assert_eq!(rem["device"]["identifiers"][0], format!("simquota_{ICCID}"));
        assert_eq!(rem["device"]["model"], "giffgaff");
        let bal =
            &by_topic[format!("homeassistant/sensor/simquota_{ICCID}_balance/config").as_str()];
        assert_eq!(bal["unit_of_measurement"], "GBP");
        assert!(by_topic.contains_key(
            format!("homeassistant/binary_sensor/simquota_{ICCID}_problem/config").as_str()
        ));
        // Every value_template names a field the state JSON has.
        let state = sim().state_json();
        for v in by_topic.values() {
            let t = v["value_template"].as_str().unwrap();
            if let Some(field) = t
                .strip_prefix("{{ value_json.")
                .and_then(|r| r.strip_suffix(" }}"))
            {
                assert!(state.get(field).is_some(), "state JSON lacks {field}");
            }
        }
    }

    #[test]
    fn topic_ids_are_safe() {
        assert_eq!(topic_id("8944+/#x y"), "8944___x_y");
        assert_eq!(topic_id(""), "unknown");
        assert_eq!(topic_id("89-01_aB"), "89-01_aB");
    }

    // ---- real broker -------------------------------------------------------------------

    struct Broker {
        child: Child,
        port: u16,
        _dir: std::path::PathBuf,
    }

    impl Drop for Broker {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn find_program(name: &str) -> Option<std::path::PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .chain(["/usr/sbin".into(), "/usr/local/sbin".into(), "/sbin".into()])
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    }

    /// Starts mosquitto on a free loopback port (with extra config lines); `None` with a loud
    /// note when it is not installed.
    fn broker(extra: &str) -> Option<Broker> {
        let Some(bin) = find_program("mosquitto") else {
            crate::peers::missing(
                "mosquitto",
                std::thread::current().name().unwrap_or("monitor::mqtt"),
                "apt-get install -y mosquitto mosquitto-clients",
            );
            return None;
        };
        let dir = temp_dir("mosquitto");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\npersistence false\n{extra}\n"),
        )
        .unwrap();
        let child = Command::new(bin)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let b = Broker {
            child,
            port,
            _dir: dir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(b);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("mosquitto did not start on port {port}");
    }

    /// Subscribes and collects (topic → last payload, retain flag) until `done` says so.
    async fn collect(
        port: u16,
        filters: &[&str],
        done: impl Fn(&BTreeMap<String, (String, bool)>) -> bool,
    ) -> BTreeMap<String, (String, bool)> {
        collect_signalling(port, filters, done, None).await
    }

    /// [`collect`], telling `subscribed` once the broker acknowledged every subscription (so
    /// a live, non-retained message published after that is sure to arrive).
    async fn collect_signalling(
        port: u16,
        filters: &[&str],
        done: impl Fn(&BTreeMap<String, (String, bool)>) -> bool,
        mut subscribed: Option<tokio::sync::oneshot::Sender<()>>,
    ) -> BTreeMap<String, (String, bool)> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "sub-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut opts = MqttOptions::new(id, "127.0.0.1", port);
        opts.set_keep_alive(Duration::from_secs(5));
        let (client, mut ev) = AsyncClient::new(opts, 16);
        for f in filters {
            client.subscribe(*f, QoS::AtLeastOnce).await.unwrap();
        }
        let mut seen = BTreeMap::new();
        let mut subacks = 0;
        let _ = tokio::time::timeout(Duration::from_secs(15), async {
            loop {
                match ev.poll().await {
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        seen.insert(
                            p.topic.clone(),
                            (String::from_utf8_lossy(&p.payload).to_string(), p.retain),
                        );
                        if done(&seen) {
                            break;
                        }
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        subacks += 1;
                        if subacks == filters.len() {
                            if let Some(tx) = subscribed.take() {
                                let _ = tx.send(());
                            }
                        }
                    }
                    _ => {}
                }
            }
        })
        .await;
        seen
    }

    #[tokio::test(flavor = "current_thread")]
    async fn publishes_discovery_state_availability_and_last_will() {
        let Some(b) = broker("allow_anonymous true") else {
            return;
        };
        let cfg = MqttConfig::new("127.0.0.1", b.port);
        let s = sim();
        let mut p = MqttPublisher::connect(&cfg, ICCID).await.unwrap();
        p.publish_status(&s).await.unwrap();

        // Subscribing after the fact: retained messages must be there.
        let state_t = format!("simquota/{ICCID}/state");
        let avail_t = format!("simquota/{ICCID}/availability");
        let disc_t = format!("homeassistant/sensor/simquota_{ICCID}_remaining/config");
        let want = discovery_messages(&cfg, &s).len() + 2;
        let seen = collect(b.port, &["simquota/#", "homeassistant/#"], |m| {
            m.len() >= want
        })
        .await;
        assert_eq!(seen.len(), want, "{:#?}", seen.keys());
        let (state, retained) = &seen[&state_t];
        assert!(*retained);
        let v: serde_json::Value = serde_json::from_str(state).unwrap();
        assert_eq!(v["remaining_bytes"], 2u64 << 30);
        assert_eq!(v["iccid"], ICCID);
        assert_eq!(seen[&avail_t], ("online".to_string(), true));
        let (disc, retained) = &seen[&disc_t];
        assert!(*retained);
        assert!(disc.contains("\"device_class\":\"data_size\""), "{disc}");

        // An alert arrives live on the alert topic.
        let alert = Alert {
            rule: crate::monitor::alerts::Rule::RemainingBelow { bytes: 5 << 30 },
            key: "remaining<5368709120".into(),
            iccid: ICCID.into(),
            message: "low".into(),
            time: 1,
            carrier: None,
            remaining_bytes: Some(2 << 30),
            total_bytes: None,
            expiry: None,
            runs_out: None,
            consecutive_failures: 0,
        };
        let alert_t = format!("simquota/{ICCID}/alert");
        let port = b.port;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let watcher = tokio::spawn(async move {
            collect_signalling(port, &["simquota/+/alert"], |m| !m.is_empty(), Some(tx)).await
        });
        rx.await.expect("subscribed");
        p.publish_alert(&alert).await.unwrap();
        let got = watcher.await.unwrap();
        assert!(got[&alert_t].0.contains("remaining<5368709120"), "{got:?}");

        // The router dies (connection dropped without DISCONNECT): the broker publishes the will.
        drop(p);
        let seen = collect(b.port, &[avail_t.as_str()], |m| {
            m.values().any(|(p, _)| p == "offline")
        })
        .await;
        assert_eq!(seen[&avail_t].0, "offline", "last will");

        // A clean close says offline too, and a reconnect says online again.
        let mut p = MqttPublisher::connect(&cfg, ICCID).await.unwrap();
        p.publish_status(&s).await.unwrap();
        p.close().await.unwrap();
        let seen = collect(b.port, &[avail_t.as_str()], |m| !m.is_empty()).await;
        assert_eq!(seen[&avail_t].0, "offline");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn username_and_password() {
        let Some(passwd) = find_program("mosquitto_passwd") else {
            crate::peers::missing(
                "mosquitto_passwd",
                "monitor::mqtt::username_and_password",
                "apt-get install -y mosquitto",
            );
            return;
        };
        let dir = temp_dir("mosquitto-auth");
        let pw = dir.join("passwd");
        let st = Command::new(passwd)
            .arg("-c")
            .arg("-b")
            .arg(&pw)
            .arg("router")
            .arg("s3cret")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success());
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644));
        let Some(b) = broker(&format!(
            "allow_anonymous false\npassword_file {}",
            pw.display()
        )) else {
            return;
        };
        let mut cfg = MqttConfig::new("127.0.0.1", b.port);
        cfg.timeout = Duration::from_secs(3);
        let e = MqttPublisher::connect(&cfg, ICCID).await.unwrap_err();
        assert!(e.to_string().contains("could not connect"), "{e}");
        cfg.username = Some("router".into());
        cfg.password = Some("wrong".into());
        assert!(MqttPublisher::connect(&cfg, ICCID).await.is_err());
        cfg.password = Some("s3cret".into());
        let mut p = MqttPublisher::connect(&cfg, ICCID).await.unwrap();
        p.publish_status(&sim()).await.unwrap();
        p.close().await.unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn no_broker_is_an_error_not_a_hang() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let mut cfg = MqttConfig::new("127.0.0.1", port);
        cfg.timeout = Duration::from_secs(2);
        let e = MqttPublisher::connect(&cfg, ICCID).await.unwrap_err();
        assert!(matches!(e, MonitorError::Mqtt(_)), "{e}");
    }

    // ---- TLS ---------------------------------------------------------------------------

    #[test]
    fn tls_port_defaults() {
        assert_eq!(MqttConfig::default_port(false), 1883);
        assert_eq!(MqttConfig::default_port(true), 8883);
        assert_eq!(
            MqttConfig::new("h", 1883).tls,
            None,
            "plain TCP unless asked"
        );
        assert!(NO_TLS.contains("cargo build --release --features mqtt-tls"));
        assert_eq!(TLS_SUPPORTED, cfg!(feature = "mqtt-tls"));
    }

    /// Without the feature, TLS is refused before any connection is attempted: the listener
    /// below must not see a single plaintext connection.
    #[cfg(not(feature = "mqtt-tls"))]
    #[tokio::test(flavor = "current_thread")]
    async fn tls_without_the_feature_is_a_clear_error_and_never_plaintext() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut cfg = MqttConfig::new("127.0.0.1", port);
        cfg.tls = Some(MqttTls::default());
        cfg.timeout = Duration::from_secs(2);
        let e = cfg.validate().unwrap_err();
        assert_eq!(e.to_string(), NO_TLS);
        assert!(matches!(e, MonitorError::Invalid(_)), "{e:?}");
        let e = MqttPublisher::connect(&cfg, ICCID).await.unwrap_err();
        assert_eq!(e.to_string(), NO_TLS);
        match listener.accept() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("a connection was made without TLS: {other:?}"),
        }
        // Plain TCP is still fine.
        cfg.tls = None;
        assert!(cfg.validate().is_ok());
    }

    #[cfg(feature = "mqtt-tls")]
    mod tls {
        use super::*;
        use std::path::{Path, PathBuf};

        fn free_port() -> u16 {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .unwrap()
        }

        fn wait_port(port: u16) {
            for _ in 0..100 {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            panic!("mosquitto did not open port {port}");
        }

        fn openssl(bin: &Path, dir: &Path, args: &[&str]) {
            let out = Command::new(bin)
                .args(args)
                .current_dir(dir)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }

        /// A throwaway PKI in a temp dir: `ca` and `other-ca` (P-256, self-signed), `server`
        /// (for `localhost` and 127.0.0.1) and `client`, both signed by `ca`.
        struct Pki {
            dir: PathBuf,
        }

        impl Pki {
            fn file(&self, name: &str) -> PathBuf {
                self.dir.join(name)
            }
        }

        fn pki() -> Option<Pki> {
            let Some(bin) = find_program("openssl") else {
                crate::peers::missing(
                    "openssl",
                    std::thread::current().name().unwrap_or("monitor::mqtt"),
                    "apt-get install -y openssl",
                );
                return None;
            };
            let dir = temp_dir("mqtt-pki");
            let ec = [
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
            ];
            for ca in ["ca", "other-ca"] {
                let (key, pem, subj) = (
                    format!("{ca}.key"),
                    format!("{ca}.pem"),
                    format!("/CN=simquota test {ca}"),
                );
                let mut args = vec!["req", "-x509"];
                args.extend(ec);
                args.extend([
                    "-keyout",
                    &key,
                    "-out",
                    &pem,
                    "-days",
                    "2",
                    "-subj",
                    &subj,
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ]);
                openssl(&bin, &dir, &args);
            }
            std::fs::write(
                dir.join("server.ext"),
                "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
                 extendedKeyUsage=serverAuth\n",
            )
            .unwrap();
            std::fs::write(
                dir.join("client.ext"),
                "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
            )
            .unwrap();
            for (who, cn) in [("server", "localhost"), ("client", "simquota-router")] {
                let (key, csr, pem, ext, subj) = (
                    format!("{who}.key"),
                    format!("{who}.csr"),
                    format!("{who}.pem"),
                    format!("{who}.ext"),
                    format!("/CN={cn}"),
                );
                let mut args = vec!["req"];
                args.extend(ec);
                args.extend(["-keyout", &key, "-out", &csr, "-subj", &subj]);
                openssl(&bin, &dir, &args);
                openssl(
                    &bin,
                    &dir,
                    &[
                        "x509",
                        "-req",
                        "-in",
                        &csr,
                        "-CA",
                        "ca.pem",
                        "-CAkey",
                        "ca.key",
                        "-CAcreateserial",
                        "-out",
                        &pem,
                        "-days",
                        "2",
                        "-extfile",
                        &ext,
                    ],
                );
            }
            // mosquitto started as root drops to its own user, which must read the key.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.join("server.key"),
                std::fs::Permissions::from_mode(0o644),
            )
            .unwrap();
            Some(Pki { dir })
        }

        fn tls_cfg(host: &str, port: u16, ca: Option<PathBuf>) -> MqttConfig {
            let mut cfg = MqttConfig::new(host, port);
            cfg.timeout = Duration::from_secs(3);
            cfg.tls = Some(MqttTls {
                ca_file: ca,
                ..MqttTls::default()
            });
            cfg
        }

        #[tokio::test(flavor = "current_thread")]
        async fn over_tls_to_a_real_broker() {
            let Some(pki) = pki() else { return };
            let (tls_port, mtls_port) = (free_port(), free_port());
            let listener = |port: u16, extra: &str| {
                format!(
                    "listener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\n{extra}",
                    pki.file("ca.pem").display(),
                    pki.file("server.pem").display(),
                    pki.file("server.key").display(),
                )
            };
            // Plain listener first (for the subscriber), then TLS, then TLS + client certificate.
            let Some(b) = broker(&format!(
                "allow_anonymous true\n{}\n{}",
                listener(tls_port, ""),
                listener(mtls_port, "require_certificate true\n")
            )) else {
                return;
            };
            wait_port(tls_port);
            wait_port(mtls_port);
            let s = sim();

            // Published over TLS (trusting our CA; the certificate names 127.0.0.1) ...
            let cfg = tls_cfg("127.0.0.1", tls_port, Some(pki.file("ca.pem")));
            cfg.validate().unwrap();
            let mut p = MqttPublisher::connect(&cfg, ICCID).await.unwrap();
            p.publish_status(&s).await.unwrap();
            p.close().await.unwrap();
            // ... and received by a plaintext subscriber of the same broker.
            let state_t = format!("simquota/{ICCID}/state");
            let seen = collect(b.port, &[state_t.as_str()], |m| !m.is_empty()).await;
            let (state, retained) = &seen[&state_t];
            assert!(*retained);
            let v: serde_json::Value = serde_json::from_str(state).unwrap();
            assert_eq!(v["remaining_bytes"], 2u64 << 30);
            assert_eq!(v["iccid"], ICCID);

            // By DNS name too (the certificate's DNS SAN).
            let cfg = tls_cfg("localhost", tls_port, Some(pki.file("ca.pem")));
            let p = MqttPublisher::connect(&cfg, ICCID).await.unwrap();
            p.close().await.unwrap();

            // A client trusting another CA is refused, and so is one trusting only the system's
            // roots (our throwaway CA is not among them).
            for ca in [Some(pki.file("other-ca.pem")), None] {
                let mut cfg = tls_cfg("127.0.0.1", tls_port, ca.clone());
                cfg.timeout = Duration::from_secs(2);
                let r = MqttPublisher::connect(&cfg, ICCID).await;
                match r {
                    Err(MonitorError::Mqtt(e)) => {
                        assert!(e.contains("certificate"), "{ca:?}: {e}")
                    }
                    // No system roots at all on this machine: refused up front.
                    Err(MonitorError::Invalid(e)) if ca.is_none() => {
                        assert!(e.contains("no system CA certificates"), "{e}")
                    }
                    other => panic!("{ca:?}: not refused: {other:?}"),
                }
            }

            // The broker wants a client certificate: refused without, accepted with one.
            let mut cfg = tls_cfg("127.0.0.1", mtls_port, Some(pki.file("ca.pem")));
            cfg.timeout = Duration::from_secs(2);
            let e = MqttPublisher::connect(&cfg, ICCID).await.unwrap_err();
            assert!(
                e.to_string().to_lowercase().contains("certificate"),
                "refused, but why? {e}"
            );
            cfg.timeout = Duration::from_secs(3);
            assert!(matches!(e, MonitorError::Mqtt(_)), "{e:?}");
            if let Some(t) = cfg.tls.as_mut() {
                t.client_cert_file = Some(pki.file("client.pem"));
                t.client_key_file = Some(pki.file("client.key"));
            }
            let mut p = MqttPublisher::connect(&cfg, ICCID).await.unwrap();
            p.publish_status(&s).await.unwrap();
            p.close().await.unwrap();
        }

        #[test]
        fn bad_tls_files_are_named_at_startup() {
            let dir = temp_dir("mqtt-tls-files");
            let junk = dir.join("junk.pem");
            std::fs::write(&junk, "not a certificate\n").unwrap();
            let missing = dir.join("missing.pem");
            let cfg = |t: MqttTls| {
                let mut c = MqttConfig::new("127.0.0.1", 8883);
                c.tls = Some(t);
                c.validate().map_err(|e| e.to_string())
            };
            let e = cfg(MqttTls {
                ca_file: Some(missing.clone()),
                ..MqttTls::default()
            })
            .unwrap_err();
            assert!(e.contains("ca_file") && e.contains("missing.pem"), "{e}");
            let e = cfg(MqttTls {
                ca_file: Some(junk.clone()),
                ..MqttTls::default()
            })
            .unwrap_err();
            assert!(e.contains("ca_file") && e.contains("junk.pem"), "{e}");
            assert!(e.contains("no PEM CERTIFICATE"), "{e}");

            let Some(pki) = pki() else { return };
            let ok = MqttTls {
                ca_file: Some(pki.file("ca.pem")),
                ..MqttTls::default()
            };
            assert_eq!(cfg(ok.clone()), Ok(()));
            let e = cfg(MqttTls {
                client_cert_file: Some(pki.file("client.pem")),
                ..ok.clone()
            })
            .unwrap_err();
            assert!(e.contains("client_key_file is set but") || e.contains("client_key_file"));
            assert!(e.contains("not"), "{e}");
            let e = cfg(MqttTls {
                client_key_file: Some(pki.file("client.key")),
                ..ok.clone()
            })
            .unwrap_err();
            assert!(e.contains("client_cert_file is not"), "{e}");
            // A certificate where the key should be.
            let e = cfg(MqttTls {
                client_cert_file: Some(pki.file("client.pem")),
                client_key_file: Some(pki.file("client.pem")),
                ..ok.clone()
            })
            .unwrap_err();
            assert!(
                e.contains("client_key_file") && e.contains("private key"),
                "{e}"
            );
            // Key and certificate that do not match.
            let e = cfg(MqttTls {
                client_cert_file: Some(pki.file("client.pem")),
                client_key_file: Some(pki.file("server.key")),
                ..ok.clone()
            })
            .unwrap_err();
            assert!(e.contains("client_cert_file"), "{e}");
            assert_eq!(
                cfg(MqttTls {
                    client_cert_file: Some(pki.file("client.pem")),
                    client_key_file: Some(pki.file("client.key")),
                    ..ok
                }),
                Ok(())
            );
        }
    }
}
