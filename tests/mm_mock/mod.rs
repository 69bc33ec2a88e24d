//! A mock ModemManager on a private D-Bus bus, for the `mm` backend's end-to-end tests.
//!
//! [`PrivateBus`] runs `dbus-daemon --nofork --print-address` with a minimal config of its
//! own (no service activation, everyone may own and call anything) on a socket in a temp
//! directory; [`MockMm`] serves ModemManager's API subset that simquota uses with zbus's
//! object server: the ObjectManager at `/org/freedesktop/ModemManager1`, modems with the
//! `Modem`, `Modem3gpp`, `Modem3gpp.Ussd` and (optionally) `Messaging` interfaces, SIM and
//! SMS objects. USSD answers follow a per-modem script; SMS sent to the mock carrier number
//! [`CARRIER_NUMBER`] get a received reply, as a carrier's keyword service would.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use zbus::object_server::ObjectServer;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zbus::{interface, Connection};

/// The number whose SMS the mock answers.
pub const CARRIER_NUMBER: &str = "5555";
/// The mock carrier's SMS reply.
pub const CARRIER_SMS_REPLY: &str = "残りデータ容量は3.2GBです。";

/// A `dbus-daemon` of our own, killed on drop.
pub struct PrivateBus {
    child: Child,
    dir: PathBuf,
    /// The bus address (`unix:path=…,guid=…`).
    pub address: String,
}

impl PrivateBus {
    /// Starts the daemon; `None` (with a loud note) when `dbus-daemon` is not installed.
    pub fn start() -> Option<PrivateBus> {
        let dir = std::env::temp_dir().join(format!(
            "simquota-mm-bus-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir for the bus");
        let config = dir.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.display()
            ),
        )
        .expect("bus config");
        let mut child = match Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                simquota::peers::missing(
                    "dbus-daemon",
                    std::thread::current().name().unwrap_or("e2e_mm"),
                    &format!("it cannot run ({e}): apt-get install dbus-daemon"),
                );
                return None;
            }
        };
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("dbus-daemon prints its address");
        let address = line.trim().to_string();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon printed {address:?}"
        );
        Some(PrivateBus {
            child,
            dir,
            address,
        })
    }
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the mock network answers to a USSD string.
#[derive(Clone, Debug)]
pub enum Answer {
    /// A final answer: the session ends (state idle).
    Final(&'static str),
    /// A menu: the session waits (state user-response) for one of the answers.
    Menu(&'static str, Vec<(&'static str, Answer)>),
    /// A ModemManager error: the name after `org.freedesktop.ModemManager1.Error.`.
    Fail(&'static str, &'static str),
}

/// One mock modem.
#[derive(Clone, Debug)]
pub struct ModemSpec {
    /// Manufacturer.
    pub manufacturer: &'static str,
    /// Model.
    pub model: &'static str,
    /// Kernel port names with ModemManager port types.
    pub ports: Vec<(&'static str, u32)>,
    /// IMEI.
    pub imei: &'static str,
    /// Serving operator MCC-MNC and name.
    pub operator: (&'static str, &'static str),
    /// SIM: IMSI, ICCID, home MCC-MNC; `None`: no SIM.
    pub sim: Option<(&'static str, &'static str, &'static str)>,
    /// USSD script: code → answer.
    pub ussd: Vec<(&'static str, Answer)>,
    /// Stored SMS (number, text, timestamp); `None`: no Messaging interface at all.
    pub sms: Option<Vec<(&'static str, &'static str, &'static str)>>,
}

/// Calls the mock saw, in order (`"0 Initiate *100#"`, `"0 Cancel"`…), per modem index.
pub type CallLog = Arc<Mutex<Vec<String>>>;

#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "org.freedesktop.ModemManager1.Error")]
enum MmErr {
    #[zbus(error)]
    ZBus(zbus::Error),
    #[zbus(name = "Core.Unsupported")]
    Unsupported(String),
    #[zbus(name = "Core.WrongState")]
    WrongState(String),
    #[zbus(name = "Core.Failed")]
    Failed(String),
    #[zbus(name = "MobileEquipment.SimNotInserted")]
    SimNotInserted(String),
}

fn fail(name: &str, msg: &str) -> MmErr {
    let m = msg.to_string();
    match name {
        "Core.Unsupported" => MmErr::Unsupported(m),
        "Core.WrongState" => MmErr::WrongState(m),
        "MobileEquipment.SimNotInserted" => MmErr::SimNotInserted(m),
        _ => MmErr::Failed(m),
    }
}

struct ModemObj {
    spec: ModemSpec,
    sim: OwnedObjectPath,
}

#[interface(name = "org.freedesktop.ModemManager1.Modem")]
impl ModemObj {
    #[zbus(property)]
    fn manufacturer(&self) -> String {
        self.spec.manufacturer.into()
    }
    #[zbus(property)]
    fn model(&self) -> String {
        self.spec.model.into()
    }
    #[zbus(property)]
    fn revision(&self) -> String {
        "MOCK01.001".into()
    }
    #[zbus(property)]
    fn equipment_identifier(&self) -> String {
        self.spec.imei.into()
    }
    #[zbus(property)]
    fn ports(&self) -> Vec<(String, u32)> {
        self.spec
            .ports
            .iter()
            .map(|(n, k)| (n.to_string(), *k))
            .collect()
    }
    #[zbus(property)]
    fn primary_port(&self) -> String {
        self.spec
            .ports
            .iter()
            .find(|(_, k)| *k == 2 || *k == 5)
            .map(|(n, _)| n.to_string())
            .unwrap_or_default()
    }
    #[zbus(property)]
    fn state(&self) -> i32 {
        8 // registered
    }
    #[zbus(property)]
    fn unlock_required(&self) -> u32 {
        1 // none
    }
    #[zbus(property)]
    fn signal_quality(&self) -> (u32, bool) {
        (58, true)
    }
    #[zbus(property)]
    fn sim(&self) -> OwnedObjectPath {
        self.sim.clone()
    }
}

struct Modem3gppObj {
    spec: ModemSpec,
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Modem3gpp")]
impl Modem3gppObj {
    #[zbus(property)]
    fn imei(&self) -> String {
        self.spec.imei.into()
    }
    #[zbus(property)]
    fn operator_code(&self) -> String {
        self.spec.operator.0.into()
    }
    #[zbus(property)]
    fn operator_name(&self) -> String {
        self.spec.operator.1.into()
    }
    #[zbus(property)]
    fn registration_state(&self) -> u32 {
        1 // home
    }
}

/// The mock USSD session, shared with the test so it can leave a session open.
#[derive(Debug)]
pub struct UssdSession {
    /// `MMModem3gppUssdSessionState`.
    pub state: u32,
    /// The menu waiting for an answer.
    pub pending: Vec<(&'static str, Answer)>,
    /// The menu text of a network-initiated request.
    pub network_request: String,
}

struct UssdObj {
    index: usize,
    script: Vec<(&'static str, Answer)>,
    session: Arc<Mutex<UssdSession>>,
    log: CallLog,
}

impl UssdObj {
    fn apply(&self, answer: Answer) -> Result<String, MmErr> {
        let mut s = self.session.lock().expect("session lock");
        match answer {
            Answer::Final(t) => {
                s.state = 1;
                s.pending.clear();
                Ok(t.to_string())
            }
            Answer::Menu(t, options) => {
                s.state = 3;
                s.pending = options;
                Ok(t.to_string())
            }
            Answer::Fail(name, msg) => {
                s.state = 1;
                Err(fail(name, msg))
            }
        }
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Modem3gpp.Ussd")]
impl UssdObj {
    async fn initiate(&self, command: String) -> Result<String, MmErr> {
        self.log
            .lock()
            .expect("log")
            .push(format!("{} Initiate {command}", self.index));
        if self.session.lock().expect("session lock").state != 1 {
            return Err(MmErr::WrongState(
                "Cannot initiate USSD: a session is already active".into(),
            ));
        }
        let answer = self
            .script
            .iter()
            .find(|(c, _)| *c == command)
            .map(|(_, a)| a.clone())
            .unwrap_or(Answer::Fail("Core.Failed", "Unknown USSD code"));
        self.apply(answer)
    }

    async fn respond(&self, response: String) -> Result<String, MmErr> {
        self.log
            .lock()
            .expect("log")
            .push(format!("{} Respond {response}", self.index));
        let answer = {
            let s = self.session.lock().expect("session lock");
            if s.state != 3 {
                return Err(MmErr::WrongState(
                    "Cannot respond USSD: not waiting for a response".into(),
                ));
            }
            s.pending
                .iter()
                .find(|(a, _)| *a == response)
                .map(|(_, a)| a.clone())
        };
        match answer {
            Some(a) => self.apply(a),
            None => Ok("Invalid choice".into()),
        }
    }

    async fn cancel(&self) {
        self.log
            .lock()
            .expect("log")
            .push(format!("{} Cancel", self.index));
        let mut s = self.session.lock().expect("session lock");
        s.state = 1;
        s.pending.clear();
    }

    #[zbus(property)]
    fn state(&self) -> u32 {
        self.session.lock().expect("session lock").state
    }
    #[zbus(property)]
    fn network_request(&self) -> String {
        self.session
            .lock()
            .expect("session lock")
            .network_request
            .clone()
    }
    #[zbus(property)]
    fn network_notification(&self) -> String {
        String::new()
    }
}

/// The SMS store shared by a modem's Messaging object and its SMS objects.
#[derive(Debug, Default)]
pub struct SmsStore {
    /// SMS object paths of this modem, in order.
    pub paths: Vec<OwnedObjectPath>,
}

static NEXT_SMS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn sms_path() -> OwnedObjectPath {
    let n = NEXT_SMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    OwnedObjectPath::try_from(format!("/org/freedesktop/ModemManager1/SMS/{n}")).expect("SMS path")
}

struct SmsObj {
    number: String,
    text: String,
    timestamp: String,
    state: u32,
    pdu_type: u32,
    storage: u32,
    reference: u32,
    store: Arc<Mutex<SmsStore>>,
}

impl SmsObj {
    fn received(number: &str, text: &str, ts: &str, store: &Arc<Mutex<SmsStore>>) -> SmsObj {
        SmsObj {
            number: number.into(),
            text: text.into(),
            timestamp: ts.into(),
            state: 3,
            pdu_type: 1,
            storage: 2,
            reference: 0,
            store: store.clone(),
        }
    }
}

#[interface(name = "org.freedesktop.ModemManager1.Sms")]
impl SmsObj {
    async fn send(&mut self, #[zbus(object_server)] server: &ObjectServer) -> Result<(), MmErr> {
        if self.state != 1 {
            return Err(MmErr::WrongState("This SMS was already sent".into()));
        }
        self.state = 5;
        self.reference = 42;
        if self.number == CARRIER_NUMBER {
            let path = sms_path();
            let reply = SmsObj::received(
                CARRIER_NUMBER,
                CARRIER_SMS_REPLY,
                "2026-03-01T10:00:00+09:00",
                &self.store,
            );
            server.at(&path, reply).await?;
            self.store.lock().expect("store").paths.push(path);
        }
        Ok(())
    }

    #[zbus(property)]
    fn number(&self) -> String {
        self.number.clone()
    }
    #[zbus(property)]
    fn text(&self) -> String {
        self.text.clone()
    }
    #[zbus(property)]
    fn timestamp(&self) -> String {
        self.timestamp.clone()
    }
    #[zbus(property)]
    fn state(&self) -> u32 {
        self.state
    }
    #[zbus(property)]
    fn pdu_type(&self) -> u32 {
        self.pdu_type
    }
    #[zbus(property)]
    fn storage(&self) -> u32 {
        self.storage
    }
    #[zbus(property)]
    fn message_reference(&self) -> u32 {
        self.reference
    }
}

struct MessagingObj {
    store: Arc<Mutex<SmsStore>>,
}

#[interface(name = "org.freedesktop.ModemManager1.Modem.Messaging")]
impl MessagingObj {
    async fn list(&self) -> Vec<OwnedObjectPath> {
        self.store.lock().expect("store").paths.clone()
    }

    async fn create(
        &self,
        properties: HashMap<String, OwnedValue>,
        #[zbus(object_server)] server: &ObjectServer,
    ) -> Result<OwnedObjectPath, MmErr> {
        let field = |k: &str| match properties.get(k).map(|v| &**v) {
            Some(Value::Str(s)) => Some(s.to_string()),
            _ => None,
        };
        let (Some(number), Some(text)) = (field("number"), field("text")) else {
            return Err(MmErr::Failed("number and text are required".into()));
        };
        let path = sms_path();
        let sms = SmsObj {
            number,
            text,
            timestamp: String::new(),
            state: 1,
            pdu_type: 2,
            storage: 0,
            reference: 0,
            store: self.store.clone(),
        };
        server.at(&path, sms).await?;
        self.store.lock().expect("store").paths.push(path.clone());
        Ok(path)
    }

    async fn delete(
        &self,
        path: OwnedObjectPath,
        #[zbus(object_server)] server: &ObjectServer,
    ) -> Result<(), MmErr> {
        let known = {
            let mut s = self.store.lock().expect("store");
            let before = s.paths.len();
            s.paths.retain(|p| p != &path);
            before != s.paths.len()
        };
        if !known {
            return Err(MmErr::Failed(format!("No SMS found at {}", path.as_str())));
        }
        server.remove::<SmsObj, _>(&path).await?;
        Ok(())
    }
}

struct SimObj {
    imsi: &'static str,
    iccid: &'static str,
    home: &'static str,
}

#[interface(name = "org.freedesktop.ModemManager1.Sim")]
impl SimObj {
    #[zbus(property)]
    fn imsi(&self) -> String {
        self.imsi.into()
    }
    #[zbus(property)]
    fn sim_identifier(&self) -> String {
        self.iccid.into()
    }
    #[zbus(property)]
    fn operator_identifier(&self) -> String {
        self.home.into()
    }
}

/// A running mock ModemManager.
pub struct MockMm {
    /// The service's own connection (dropping it takes ModemManager off the bus).
    pub conn: Connection,
    /// Every USSD call, in order.
    pub log: CallLog,
    /// Each modem's USSD session.
    pub sessions: Vec<Arc<Mutex<UssdSession>>>,
}

impl MockMm {
    /// Serves `modems` as `/org/freedesktop/ModemManager1/Modem/0…` on the bus at `address`
    /// and takes ModemManager's name.
    pub async fn start(address: &str, modems: Vec<ModemSpec>) -> MockMm {
        let conn = zbus::connection::Builder::address(address)
            .expect("address")
            .build()
            .await
            .expect("mock connects to the private bus");
        let server = conn.object_server();
        let log: CallLog = Arc::default();
        let mut sessions = Vec::new();
        for (i, spec) in modems.into_iter().enumerate() {
            let modem_path = format!("/org/freedesktop/ModemManager1/Modem/{i}");
            let sim_path = match spec.sim {
                Some((imsi, iccid, home)) => {
                    let p = format!("/org/freedesktop/ModemManager1/SIM/{i}");
                    server
                        .at(p.as_str(), SimObj { imsi, iccid, home })
                        .await
                        .expect("SIM object");
                    p
                }
                None => "/".to_string(),
            };
            let session = Arc::new(Mutex::new(UssdSession {
                state: 1,
                pending: Vec::new(),
                network_request: String::new(),
            }));
            sessions.push(session.clone());
            if let Some(stored) = &spec.sms {
                let store = Arc::new(Mutex::new(SmsStore::default()));
                for (number, text, ts) in stored {
                    let path = sms_path();
                    server
                        .at(&path, SmsObj::received(number, text, ts, &store))
                        .await
                        .expect("SMS object");
                    store.lock().expect("store").paths.push(path);
                }
                server
                    .at(modem_path.as_str(), MessagingObj { store })
                    .await
                    .expect("Messaging");
            }
            server
                .at(
                    modem_path.as_str(),
                    UssdObj {
                        index: i,
                        script: spec.ussd.clone(),
                        session,
                        log: log.clone(),
                    },
                )
                .await
                .expect("Ussd");
            server
                .at(modem_path.as_str(), Modem3gppObj { spec: spec.clone() })
                .await
                .expect("Modem3gpp");
            server
                .at(
                    modem_path.as_str(),
                    ModemObj {
                        spec,
                        sim: OwnedObjectPath::try_from(sim_path).expect("SIM path"),
                    },
                )
                .await
                .expect("Modem");
        }
        server
            .at("/org/freedesktop/ModemManager1", zbus::fdo::ObjectManager)
            .await
            .expect("ObjectManager");
        conn.request_name("org.freedesktop.ModemManager1")
            .await
            .expect("the mock takes ModemManager's name");
        MockMm {
            conn,
            log,
            sessions,
        }
    }

    /// The USSD calls seen so far.
    pub fn calls(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}
