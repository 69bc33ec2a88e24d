//! A modem on a pseudo-terminal, for tests, demos and `balance --simulate`.
//!
//! The emulator is a real serial device: `serialport::TTYPort::pair()` gives a PTY pair; the
//! emulator keeps the master end and the client opens the slave path through the very same
//! serial stack it uses for a USB modem. Nothing is shared with the client side.
//!
//! Behaviour lives in sans-IO [`Device`]s (bytes in, timed chunks out): [`sim::SimModem`]
//! acts like a modem family on a carrier [`scenario::Scenario`]; [`replay::Replay`] plays the
//! modem side of a recorded transcript; [`faults::Faulty`] wraps either and injects faults.
//! [`Emulator::spawn`] runs one on a PTY in a thread.

pub mod faults;
pub mod replay;
pub mod scenario;
pub mod sim;
pub mod sms;

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serialport::{SerialPort, TTYPort};

/// A modem family: how identity, errors and USSD encodings look on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Huawei E3372/E160-like: packed GSM 7-bit USSD hex, `^RSSI` noise, `COMMAND NOT SUPPORT`.
    Huawei,
    /// Quectel EC25-like: text in the TE character set (`AT+CSCS`), plain requests.
    Quectel,
    /// ZTE MF-series-like: UCS-2 hex replies mislabelled with a GSM DCS.
    Zte,
}

impl Family {
    /// All families, for tests that cover every profile.
    pub const ALL: [Family; 3] = [Family::Huawei, Family::Quectel, Family::Zte];

    /// Parses `huawei`, `quectel` or `zte`.
    pub fn parse(s: &str) -> Option<Family> {
        match s.to_ascii_lowercase().as_str() {
            "huawei" => Some(Family::Huawei),
            "quectel" => Some(Family::Quectel),
            "zte" => Some(Family::Zte),
            _ => None,
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Huawei => "huawei",
            Family::Quectel => "quectel",
            Family::Zte => "zte",
        }
    }
}

/// The modem side of the conversation, sans-IO.
pub trait Device {
    /// Bytes the host wrote.
    fn handle_input(&mut self, now: Instant, bytes: &[u8]);
    /// The next chunk due at `now`, if any.
    fn poll_output(&mut self, now: Instant) -> Option<Vec<u8>>;
    /// When the next chunk falls due.
    fn poll_timeout(&self) -> Option<Instant>;
    /// `Some` when the device has finished (a replay that ran to its end or went wrong).
    fn outcome(&self) -> Option<Result<(), String>> {
        None
    }
    /// True once the device has gone away (a fault: the USB modem was unplugged); the runner
    /// then closes the PTY master, so the client's port fails as with a vanished modem.
    fn hung_up(&self) -> bool {
        false
    }
}

/// A device running on a pseudo-terminal in a background thread.
pub struct Emulator {
    path: PathBuf,
    link: Option<PathBuf>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Option<Result<(), String>>>>,
}

impl Emulator {
    /// Opens a PTY pair and runs `device` on its master end. The slave path is what a client
    /// opens; when `link` is given it becomes a symlink to that path. Only a stale link of our
    /// own kind (a symlink to a pseudo-terminal that is gone) is replaced; anything else there —
    /// a file, a directory, another link, a live emulator's link — is refused.
    pub fn spawn(device: Box<dyn Device + Send>, link: Option<&Path>) -> io::Result<Emulator> {
        let (master, slave) = TTYPort::pair().map_err(io::Error::other)?;
        // Programs started later (the client under test) must not inherit our ends of the
        // PTY: an inherited master would keep the "modem" alive after we close it.
        for fd in [master.as_raw_fd(), slave.as_raw_fd()] {
            // SAFETY: plain fcntl on file descriptors we own.
            unsafe {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        let path = PathBuf::from(
            slave
                .name()
                .ok_or_else(|| io::Error::other("the pseudo-terminal has no name"))?,
        );
        if let Some(link) = link {
            place_link(link, &path)?;
        }
        // Nobody on our side keeps the slave open: a client then sees the port as free (no other
        // process holds it), exactly like a modem nobody uses. Closed here, before the path is
        // handed out — closed in the thread, a client started at once could still find this
        // process holding the port and refuse it as busy. Until a client opens it, reads on the
        // master fail with EIO, which the runner rides out.
        drop(slave);
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::Builder::new()
            .name("simquota-emulator".into())
            .spawn(move || run(master, device, &stop2))?;
        Ok(Emulator {
            path,
            link: link.map(Path::to_path_buf),
            stop,
            thread: Some(thread),
        })
    }

    /// The serial device path a client opens.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True once a replay has finished (or failed) and the thread has ended.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Stops the device and returns its outcome.
    pub fn stop(mut self) -> Option<Result<(), String>> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok()).flatten()
    }

    /// Waits for the device to finish by itself (a replay), for at most `limit`.
    pub fn wait(mut self, limit: Duration) -> Option<Result<(), String>> {
        let end = Instant::now() + limit;
        while !self.is_finished() && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok()).flatten()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(link) = &self.link {
            if std::fs::read_link(link).ok().as_deref() == Some(self.path.as_path()) {
                let _ = std::fs::remove_file(link);
            }
        }
    }
}

/// Makes `link` a symlink to `pty`, refusing to replace anything but a stale emulator link.
fn place_link(link: &Path, pty: &Path) -> io::Result<()> {
    if let Ok(meta) = link.symlink_metadata() {
        let target = std::fs::read_link(link).ok();
        let ours = meta.file_type().is_symlink()
            && target
                .as_deref()
                .is_some_and(|t| t.starts_with("/dev/pts/") && !t.exists());
        if !ours {
            let what = match &target {
                Some(t) if t.starts_with("/dev/pts/") => {
                    format!(
                        "a link to {}, which is in use (another emulator?)",
                        t.display()
                    )
                }
                Some(t) => format!("a link to {}", t.display()),
                None if meta.is_dir() => "a directory".to_string(),
                None => "a file".to_string(),
            };
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "--link {}: it exists and is {what}; only a stale emulator link is replaced: remove it or choose another path",
                    link.display()
                ),
            ));
        }
    }
    // Made beside it under a unique name and renamed over: never a moment without the link,
    // and a path created meanwhile is not followed.
    let dir = link
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = link
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.link", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(pty, &tmp)?;
    std::fs::rename(&tmp, link).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Longest wait between two looks at the stop flag.
const TICK: Duration = Duration::from_millis(50);

fn run(
    mut master: TTYPort,
    mut device: Box<dyn Device + Send>,
    stop: &AtomicBool,
) -> Option<Result<(), String>> {
    let mut buf = [0u8; 4096];
    // After a replay finishes, give the client a moment to read the last chunk.
    let mut finished_at: Option<Instant> = None;
    let mut idle_backoff = Duration::from_millis(1);
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        while let Some(chunk) = device.poll_output(now) {
            // With no client on the slave end the write fails (EIO): like a modem talking to
            // nobody, the chunk is lost and the device lives on for the next client.
            if master.write_all(&chunk).is_ok() {
                let _ = master.flush();
            }
        }
        if device.hung_up() {
            return device.outcome();
        }
        if device.outcome().is_some() {
            let at = *finished_at.get_or_insert(now);
            if now.duration_since(at) > Duration::from_millis(300) {
                return device.outcome();
            }
        }
        let wait = device
            .poll_timeout()
            .map(|t| t.saturating_duration_since(now))
            .unwrap_or(TICK)
            .clamp(Duration::from_millis(1), TICK);
        let _ = master.set_timeout(wait);
        match master.read(&mut buf) {
            Ok(n) if n > 0 => {
                idle_backoff = Duration::from_millis(1);
                device.handle_input(Instant::now(), &buf[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
            // EIO (or EOF): no client has the port open. Look again soon — a client that just
            // opened it should not wait — but back off while nobody comes.
            _ => {
                std::thread::sleep(idle_backoff.min(wait));
                idle_backoff = (idle_backoff * 2).min(Duration::from_millis(32));
            }
        }
    }
    device.outcome()
}
