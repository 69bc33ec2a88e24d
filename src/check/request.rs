//! What to check, as plain data: no command-line types. The CLI (and `watch`, and anyone
//! embedding simquota) fills a [`Request`]; [`super::run`] carries it out.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::emulator::scenario::Scenario;
use crate::emulator::Family;
use crate::state::StateDir;

/// One balance check.
#[derive(Debug, Clone)]
pub struct Request {
    /// Which modem, and how to reach it.
    pub modem: ModemChoice,
    /// Carrier profile id to use instead of the one chosen from the SIM.
    pub carrier: Option<String>,
    /// How to ask.
    pub method: MethodChoice,
    /// USSD settings (menu answers, time-out).
    pub ussd: UssdSettings,
    /// SMS settings (wait, settle, senders, deletion of the reply).
    pub sms: SmsSettings,
    /// The SMS spend guard.
    pub guard: GuardSettings,
    /// Where state (the USSD request style per modem model, the spend guard's counts) lives.
    pub state: StateLocation,
    /// Write the AT conversation to this file as a redacted transcript.
    pub record: Option<PathBuf>,
    /// Check radio, SIM and registration before asking (AT backend).
    pub check_ready: bool,
    /// File holding the SIM PIN (else `SIMQUOTA_PIN`), sent only if the SIM asks for it.
    pub pin_file: Option<PathBuf>,
    /// Send a PIN from `SIMQUOTA_PIN` although this SIM refused it before (`--retry-pin`).
    pub retry_pin: bool,
    /// Use the port even when another program has it open or locked (`--share-port`).
    pub share_port: bool,
    /// Show the AT conversation on stderr (1), with timings (2).
    pub verbose: u8,
}

impl Request {
    /// A check of `modem` with every other setting at its default: the carrier and the method
    /// from the SIM, a 60 s USSD time-out, 120 s SMS wait, at most 3 query SMS a day.
    /// An emulated modem gets a throw-away state directory ([`StateLocation::Scratch`]).
    pub fn new(modem: ModemChoice) -> Self {
        let state = if matches!(modem, ModemChoice::Simulate { .. }) {
            StateLocation::Scratch
        } else {
            StateLocation::Default
        };
        Request {
            modem,
            carrier: None,
            method: MethodChoice::Auto,
            ussd: UssdSettings::default(),
            sms: SmsSettings::default(),
            guard: GuardSettings::default(),
            state,
            record: None,
            check_ready: true,
            pin_file: None,
            retry_pin: false,
            share_port: false,
            verbose: 0,
        }
    }

    /// A check against the built-in emulator (`--simulate`): a `family` modem on `scenario`.
    pub fn simulated(family: Family, scenario: Scenario) -> Self {
        Request::new(ModemChoice::Simulate {
            family,
            scenario: Box::new(scenario),
        })
    }

    /// A check of the modem on `port` (`"auto"` finds it), through ModemManager when it
    /// manages that modem.
    pub fn port(port: impl Into<PathBuf>) -> Self {
        Request::new(ModemChoice::Port {
            port: port.into(),
            backend: BackendChoice::Auto,
        })
    }

    /// True when the modem is the built-in emulator.
    pub fn is_simulated(&self) -> bool {
        matches!(self.modem, ModemChoice::Simulate { .. })
    }

    /// The port as given (`auto`, a path, or `simulate` for the emulator), for messages.
    pub fn port_label(&self) -> String {
        match &self.modem {
            ModemChoice::Port { port, .. } => port.display().to_string(),
            ModemChoice::Simulate { .. } => "simulate".into(),
        }
    }
}

/// Which modem.
#[derive(Debug, Clone)]
pub enum ModemChoice {
    /// A real modem.
    Port {
        /// The AT port (e.g. `/dev/ttyUSB2`), or `auto` to find it.
        port: PathBuf,
        /// How to reach it.
        backend: BackendChoice,
    },
    /// The built-in emulator on a pseudo-terminal (never touches the user's state).
    Simulate {
        /// Modem family to behave like.
        family: Family,
        /// The emulated carrier and SIM.
        scenario: Box<Scenario>,
    },
}

impl ModemChoice {
    /// The port path when it was named (not `auto`, not the emulator).
    pub fn named_port(&self) -> Option<&Path> {
        match self {
            ModemChoice::Port { port, .. } if port.as_os_str() != "auto" => Some(port),
            _ => None,
        }
    }
}

/// How to reach a real modem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// ModemManager when it manages the modem, else the AT port.
    Auto,
    /// The AT port directly.
    At,
    /// ModemManager over D-Bus only.
    ModemManager,
}

/// How to ask the carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodChoice {
    /// As the carrier profile says: its USSD code, else its SMS method.
    Auto,
    /// This USSD code (menu answers in [`UssdSettings::replies`]).
    Ussd {
        /// The code, e.g. `*100#`.
        code: String,
    },
    /// Send `keyword` to `number` and read the reply.
    Sms {
        /// Where to send it.
        number: String,
        /// What to send.
        keyword: String,
    },
    /// Read the newest usage notice already in the inbox (nothing is sent).
    Inbox,
}

/// USSD settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UssdSettings {
    /// Menu answers in order; empty = the carrier profile's `follow` answers.
    pub replies: Vec<String>,
    /// Wait for the carrier's first reply.
    pub timeout: Duration,
}

impl Default for UssdSettings {
    fn default() -> Self {
        UssdSettings {
            replies: Vec::new(),
            timeout: Duration::from_secs(60),
        }
    }
}

/// SMS settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SmsSettings {
    /// Wait for the reply.
    pub wait: Duration,
    /// Wait for more messages after a complete reply (carriers that split a report).
    pub settle: Duration,
    /// Who the reply or notice comes from (default: the number, or the profile's senders).
    pub senders: Vec<String>,
    /// Delete the reply's parts once the result was delivered.
    pub delete_reply: bool,
    /// `--from-inbox` on a modem that cannot list without marking messages read: read the
    /// unread ones too (they become read). Off: they are left alone, and a note says so.
    pub read_unread: bool,
}

impl Default for SmsSettings {
    fn default() -> Self {
        SmsSettings {
            wait: Duration::from_secs(120),
            settle: Duration::ZERO,
            senders: Vec::new(),
            delete_reply: false,
            read_unread: false,
        }
    }
}

/// The SMS spend guard: at most `max` query SMS per SIM per `window`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardSettings {
    /// Most query SMS per window.
    pub max: u32,
    /// The window.
    pub window: Duration,
    /// Send even when the guard would refuse.
    pub force: bool,
}

impl Default for GuardSettings {
    fn default() -> Self {
        GuardSettings {
            max: 3,
            window: Duration::from_secs(24 * 3600),
            force: false,
        }
    }
}

/// Where the check keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateLocation {
    /// The user's state directory ([`StateDir::resolve`]).
    Default,
    /// This directory.
    At(PathBuf),
    /// A fresh directory removed after the check (the emulator's default: an emulated run
    /// never reads or changes the user's real state).
    Scratch,
}

/// A state directory for one check; a scratch one is removed when this is dropped.
#[derive(Debug)]
pub(crate) struct OpenState {
    pub(crate) dir: StateDir,
    scratch: bool,
}

impl OpenState {
    pub(crate) fn open(loc: &StateLocation) -> std::io::Result<Self> {
        Ok(match loc {
            StateLocation::Default => OpenState {
                dir: StateDir::resolve(),
                scratch: false,
            },
            StateLocation::At(p) => OpenState {
                dir: StateDir::at(p),
                scratch: false,
            },
            StateLocation::Scratch => OpenState {
                dir: StateDir::at(scratch_dir()?),
                scratch: true,
            },
        })
    }
}

/// Creates a new private (0700) directory under the temp dir; never reuses an existing one
/// (another user could have planted it, or a symlink, in a shared /tmp).
fn scratch_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut last = None;
    for attempt in 0..16u32 {
        let p = std::env::temp_dir().join(format!(
            "simquota-scratch-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&p) {
            Ok(()) => return Ok(p),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no scratch directory")))
}

impl Drop for OpenState {
    fn drop(&mut self) {
        if self.scratch {
            let _ = std::fs::remove_dir_all(self.dir.path());
        }
    }
}
