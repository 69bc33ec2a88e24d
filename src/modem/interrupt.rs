//! SIGINT, SIGTERM and SIGHUP while a modem is open: the conversation stops, the modem is put
//! back as it was, and the process exits with 128 + the signal number (130, 143, 129).
//!
//! Invariants:
//! - The first signal while a modem is open *interrupts*: every wait on the port
//!   ([`Modem::pump`](super::Modem)) ends with [`ModemError::Interrupted`](super::ModemError)
//!   from then on, except the restoring done by [`Modem::close`](super::Modem::close), which is
//!   bounded in time ([`RESTORE_LIMIT`]).
//! - A second signal exits at once, restored or not (the user insists).
//! - With no modem open there is nothing to put back: a signal exits at once — unless the
//!   program said it handles signals itself between conversations ([`handle_idle_signals`],
//!   `watch`), which then awaits [`wait`].
//!
//! The signals are received on a thread of their own (with its own small runtime), so they
//! are seen whatever the caller's runtime is doing.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::watch;

/// The longest [`Modem::close`](super::Modem::close) spends putting the modem back after an
/// interruption (each command gets a shorter time-out still).
pub const RESTORE_LIMIT: Duration = Duration::from_secs(5);

static SIGNALLED: OnceLock<watch::Sender<i32>> = OnceLock::new();
static PENDING: AtomicI32 = AtomicI32::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);
static OPEN: AtomicUsize = AtomicUsize::new(0);
static IDLE_HANDLED: AtomicBool = AtomicBool::new(false);

/// The signal's name, for messages.
pub fn name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

fn channel() -> &'static watch::Sender<i32> {
    SIGNALLED.get_or_init(|| {
        let (tx, _rx) = watch::channel(0);
        spawn_listener();
        tx
    })
}

fn spawn_listener() {
    let r = std::thread::Builder::new()
        .name("simquota-signals".into())
        .spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use tokio::signal::unix::{signal, SignalKind};
                let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                    signal(SignalKind::hangup()),
                ) else {
                    return;
                };
                loop {
                    let sig = tokio::select! {
                        _ = int.recv() => libc::SIGINT,
                        _ = term.recv() => libc::SIGTERM,
                        _ = hup.recv() => libc::SIGHUP,
                    };
                    received(sig);
                }
            });
        });
    if let Err(e) = r {
        eprintln!("simquota: warning: cannot watch for signals ({e}); Ctrl-C ends at once");
    }
}

fn received(sig: i32) {
    let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    let idle = OPEN.load(Ordering::SeqCst) == 0 && !IDLE_HANDLED.load(Ordering::SeqCst);
    if n >= 2 || idle {
        if n >= 2 {
            eprintln!(
                "\nsimquota: {} again: exiting now (the modem may not be restored)",
                name(sig)
            );
        }
        std::process::exit(128 + sig);
    }
    PENDING.store(sig, Ordering::SeqCst);
    if let Some(tx) = SIGNALLED.get() {
        let _ = tx.send(sig);
    }
}

/// Starts watching for signals (idempotent). Called when a modem is opened.
pub fn install() {
    let _ = channel();
}

/// The program handles signals itself while no modem is open (`watch`: it stops between
/// checks by awaiting [`wait`]); otherwise a signal with no modem open exits at once.
pub fn handle_idle_signals() {
    IDLE_HANDLED.store(true, Ordering::SeqCst);
    install();
}

/// The first signal received, if any.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Waits for the first signal (at once if one was already received); returns its number.
pub async fn wait() -> i32 {
    let mut rx = channel().subscribe();
    loop {
        if let Some(s) = pending() {
            return s;
        }
        if rx.changed().await.is_err() {
            // The sender lives in a static: never dropped. Nothing will come.
            std::future::pending::<()>().await;
        }
    }
}

/// Counts an open modem while alive.
#[derive(Debug)]
pub struct OpenGuard(());

impl OpenGuard {
    /// A modem was opened.
    pub fn new() -> Self {
        install();
        OPEN.fetch_add(1, Ordering::SeqCst);
        OpenGuard(())
    }
}

impl Default for OpenGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        OPEN.fetch_sub(1, Ordering::SeqCst);
    }
}
