//! Driver errors: each names what went wrong and what to try.

use crate::at::FinalResult;

/// Why talking to the modem failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModemError {
    /// A signal (SIGINT, SIGTERM, SIGHUP) ended the conversation; the modem is put back as it
    /// was when the caller closes it.
    #[error("interrupted by {}: the check was stopped and the modem put back as it was", super::interrupt::name(*.signal))]
    Interrupted {
        /// The signal number.
        signal: i32,
    },
    /// The port path does not exist.
    #[error("no serial port at {path}: is the modem plugged in? `simquota ports` lists the ports this machine has")]
    NoSuchPort {
        /// The path asked for.
        path: String,
    },
    /// The path is not a serial port at all.
    #[error("{path} is not a serial port (not a terminal device): give the modem's AT port, e.g. /dev/ttyUSB2 (`simquota ports` lists them)")]
    NotASerialPort {
        /// The path asked for.
        path: String,
    },
    /// Another program holds the port.
    #[error("{path} is busy: {detail}")]
    Busy {
        /// The port.
        path: String,
        /// What the OS said.
        detail: String,
    },
    /// No permission to open the port.
    #[error(
        "permission denied opening {path}: run as root or add your user to the `dialout` group"
    )]
    Permission {
        /// The port.
        path: String,
    },
    /// The port could not be opened for another reason.
    #[error("cannot open {path}: {detail}")]
    Open {
        /// The port.
        path: String,
        /// What the OS said.
        detail: String,
    },
    /// Nothing answered `AT`: wrong port (a GPS/diagnostic interface) or a modem in the wrong mode.
    #[error("{path} does not answer AT commands{}: it is probably not the modem's AT port (try another /dev/ttyUSB*, or `simquota ports`), or the modem is still starting up (wait a few seconds and try again)", seen_text(.seen))]
    NotAModem {
        /// The port.
        path: String,
        /// The first lines that did arrive, if any.
        seen: Vec<String>,
    },
    /// The modem went away (unplugged, rebooted, port closed).
    #[error("the modem at {path} went away mid-command ({detail}): check the cable/USB power and try again")]
    Vanished {
        /// The port.
        path: String,
        /// What the OS said.
        detail: String,
    },
    /// The modem restarted (it said `RDY`) while an answer was awaited: the answer is lost.
    #[error("the modem at {path} restarted while waiting for an answer (it said RDY), so the request was lost: try again; if it keeps restarting, check the USB power (use a powered hub)")]
    Restarted {
        /// The port.
        path: String,
    },
    /// A command got no final result in time.
    #[error("the modem did not answer `{command}` in time: it may be busy or hung; unplug and replug it if this repeats")]
    Timeout {
        /// The command.
        command: String,
    },
    /// A command ended in an error result.
    #[error("the modem refused `{command}`: {result}")]
    Rejected {
        /// The command.
        command: String,
        /// The final result.
        result: FinalResult,
    },
    /// The session core refused (e.g. a command already in flight).
    #[error("AT session error: {0}")]
    Protocol(String),
}

fn seen_text(seen: &[String]) -> String {
    if seen.is_empty() {
        " (it sent nothing)".to_string()
    } else {
        format!(" (it sent: {})", seen.join(" | "))
    }
}

impl ModemError {
    pub(crate) fn open(path: &str, e: tokio_serial::Error) -> Self {
        let detail = e.to_string();
        let lower = detail.to_ascii_lowercase();
        if lower.contains("busy") || lower.contains("exclusive") {
            // Two programs opening at the same moment: name the one that won, not serialport's
            // raw "Unable to acquire exclusive lock".
            let p = std::path::Path::new(path);
            let detail = match crate::ports::holder::competitors_of(p).into_iter().next() {
                Some(h) => crate::ports::holder::advice(p, &h),
                None => "another program has it open exclusively; close it, or stop ModemManager (`systemctl stop ModemManager`)".to_string(),
            };
            ModemError::Busy {
                path: path.into(),
                detail,
            }
        } else if lower.contains("permission") {
            ModemError::Permission { path: path.into() }
        } else if lower.contains("no such file") || lower.contains("not found") {
            ModemError::NoSuchPort { path: path.into() }
        } else {
            ModemError::Open {
                path: path.into(),
                detail,
            }
        }
    }

    pub(crate) fn vanished(path: &std::path::Path, e: std::io::Error) -> Self {
        ModemError::Vanished {
            path: path.to_string_lossy().into_owned(),
            detail: e.to_string(),
        }
    }
}
