//! Command-line interface: argument parsing ([`args`]), running, rendering, exit codes.
//!
//! Exit codes (documented in the README, stable for scripts):
//! 0 ok · 1 modem/port problem · 2 usage · 3 reply not understood · 4 remaining below
//! `--warn-below` · 5 the carrier/network gave no usable answer · 6 SIM or registration problem.

pub mod args;
mod docs;
#[cfg(feature = "mm")]
mod mm;
mod plan;
mod render;
mod sms;
#[cfg(feature = "history")]
mod watch;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::carrier::{Method, Registry};
use crate::check::at::{AtSession, OpenSettings};
use crate::check::{
    self, BackendChoice, CarrierRef, CheckError, ErrorKind, GuardSettings, MethodChoice,
    MethodUsed, ModemChoice, NoMethod, Outcome, Report, Request, SmsSettings, UssdSettings,
};
use crate::emulator::scenario::Scenario;
use crate::emulator::sim::SimModem;
use crate::emulator::{replay::Replay, Emulator, Family};
use crate::output;
use crate::transcript::Transcript;
use crate::ussd::{self, flow::UssdOptions, Charset, DecodeOverrides};
use args::{CharsetArg, Cli, Cmd, DecodeCmd, FamilyArg, PortArgs};

/// Documented exit codes.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The modem or port failed (not found, busy, not a modem, vanished, timed out).
    pub const MODEM: u8 = 1;
    /// Bad arguments.
    pub const USAGE: u8 = 2;
    /// A reply arrived but was not understood (the raw text is shown).
    pub const NOT_UNDERSTOOD: u8 = 3;
    /// Remaining data is below `--warn-below`.
    pub const BELOW_THRESHOLD: u8 = 4;
    /// The carrier or network gave no usable answer (no reply, not supported, refused).
    pub const NO_ANSWER: u8 = 5;
    /// SIM or registration problem (no SIM, PIN needed, not registered).
    pub const SIM: u8 = 6;
    /// The SMS spend guard refused to send another query SMS (`--force` overrides).
    pub const SPEND_GUARD: u8 = 7;
}

/// An error on its way to the user: a message (what went wrong and what to try) and an exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// Message for stderr.
    pub message: String,
    /// Notes that go with it (SMS: messages marked read while looking for the reply).
    pub notes: Vec<String>,
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            notes: Vec::new(),
        }
    }
}

impl From<CheckError> for Failure {
    fn from(e: CheckError) -> Self {
        Failure {
            code: exit_code(e.kind),
            message: e.message,
            notes: e.notes,
        }
    }
}

impl From<crate::modem::ModemError> for Failure {
    fn from(e: crate::modem::ModemError) -> Self {
        CheckError::from(e).into()
    }
}

impl From<ussd::flow::UssdError> for Failure {
    fn from(e: ussd::flow::UssdError) -> Self {
        CheckError::from(e).into()
    }
}

/// The documented exit code of a failure kind.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Modem => exit::MODEM,
        ErrorKind::Usage => exit::USAGE,
        ErrorKind::NotUnderstood => exit::NOT_UNDERSTOOD,
        ErrorKind::NoAnswer => exit::NO_ANSWER,
        ErrorKind::Sim => exit::SIM,
        ErrorKind::SpendGuard => exit::SPEND_GUARD,
        // 128 + the signal, as a shell reports a program killed by it (130, 143, 129).
        ErrorKind::Interrupted => {
            let sig = crate::modem::interrupt::pending().unwrap_or(libc::SIGINT);
            (128 + sig).clamp(0, 255) as u8
        }
    }
}

/// The failure kind of an exit code (for `error.code` under `--json`).
pub fn error_kind(code: u8) -> ErrorKind {
    match code {
        exit::USAGE => ErrorKind::Usage,
        exit::NOT_UNDERSTOOD => ErrorKind::NotUnderstood,
        exit::NO_ANSWER => ErrorKind::NoAnswer,
        exit::SIM => ErrorKind::Sim,
        exit::SPEND_GUARD => ErrorKind::SpendGuard,
        _ => ErrorKind::Modem,
    }
}

/// Under `--json`, a failure is a JSON document on stdout too (scripts never parse stderr).
fn print_error_json(f: &Failure) {
    print_json(&output::ErrorDoc {
        schema_version: output::V1,
        error: output::ErrorBody {
            code: error_kind(f.code),
            message: f.message.clone(),
            exit_code: f.code,
            notes: f.notes.clone(),
        },
    });
}

/// True when the command asked for JSON output.
fn wants_json(cmd: &Cmd) -> bool {
    use args::SmsCmd;
    match cmd {
        Cmd::Balance(a) => a.port.json || a.report.format == args::Format::Json,
        Cmd::Ussd(a) => a.port.json,
        Cmd::Info(p) => p.json,
        Cmd::Carriers { json, .. } => *json,
        Cmd::Parse(a) => a.json || a.report.format == args::Format::Json,
        Cmd::History(h) => h.json,
        Cmd::Decode(DecodeCmd::Pdu { json, .. }) | Cmd::Decode(DecodeCmd::Ussd { json, .. }) => {
            *json
        }
        Cmd::Sms(SmsCmd::Send { port, .. })
        | Cmd::Sms(SmsCmd::List { port, .. })
        | Cmd::Sms(SmsCmd::Read { port, .. })
        | Cmd::Sms(SmsCmd::Delete { port, .. }) => port.json,
        Cmd::Plan(c) => c.sim().port.json,
        Cmd::Emulate(_) | Cmd::Watch(_) | Cmd::Serve(_) | Cmd::Ports { .. } => false,
        Cmd::Completions { .. } | Cmd::Man { .. } => false,
    }
}

/// The output format of a reading: `--json` is `--format json`; with another `--format` it is
/// a usage error (checked before anything is asked).
fn reading_format(json_flag: bool, report: &args::ReportArgs) -> Result<args::Format, Failure> {
    match (json_flag, report.format) {
        (false, f) => Ok(f),
        (true, args::Format::Human | args::Format::Json) => Ok(args::Format::Json),
        (true, args::Format::Prometheus) => Err(Failure::new(
            exit::USAGE,
            "--json and --format prometheus ask for two formats: pass one of them",
        )),
    }
}

/// A part of simquota this build left out (see `[features]` in Cargo.toml): exit 2, naming the
/// build feature that brings it back.
#[allow(dead_code)] // used only in builds without some feature
pub(crate) fn needs_feature(feature: &str, what: &str) -> Failure {
    Failure::new(
        exit::USAGE,
        format!(
            "{what} needs the `{feature}` build feature, which this simquota was built without: \
             rebuild with `cargo build --release --features {feature}`, or use a default build"
        ),
    )
}

/// Entry point of the `simquota` binary.
pub fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output goes away
    // (`simquota carriers | head`) instead of panicking on EPIPE.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind as K;
            let informational = matches!(e.kind(), K::DisplayHelp | K::DisplayVersion);
            if !informational && std::env::args().skip(1).any(|a| a == "--json") {
                let _ = e.print();
                let message = e.render().to_string();
                print_error_json(&Failure::new(exit::USAGE, message.trim()));
                return ExitCode::from(exit::USAGE);
            }
            e.exit()
        }
    };
    let json = wants_json(&cli.command);
    if matches!(cli.command, Cmd::Watch(_) | Cmd::Serve(_)) {
        // A daemon is not a filter: a closed pipe (an `--exec` program that does not read its
        // stdin, a scraper that hangs up) is the peer's business and must not kill the watch
        // loop or the HTTP server. Writes then fail with EPIPE, which the callers ignore.
        // SAFETY: changing a signal disposition before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("simquota: cannot start: {e}");
            return ExitCode::from(exit::MODEM);
        }
    };
    let outcome = rt.block_on(run(cli));
    crate::state::remove_throwaway();
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("simquota: {}", render::safe(&render::clip(&f.message)));
            if json {
                print_error_json(&f);
            }
            ExitCode::from(f.code)
        }
    }
}

/// Prints a document as pretty JSON on stdout.
pub(super) fn print_json<T: serde::Serialize>(doc: &T) {
    match serde_json::to_string_pretty(doc) {
        Ok(t) => println!("{t}"),
        Err(e) => eprintln!("simquota: cannot write JSON: {e}"),
    }
}

/// `-v` level for this run (set once from the command line).
static VERBOSE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Runs a parsed command line; returns the exit code.
pub async fn run(cli: Cli) -> Result<u8, Failure> {
    VERBOSE.store(cli.verbose, std::sync::atomic::Ordering::Relaxed);
    match cli.command {
        Cmd::Balance(a) => balance(a).await,
        Cmd::Ussd(a) => ussd_cmd(a).await,
        Cmd::Info(mut a) => {
            a.check_ready = false;
            info(a).await
        }
        Cmd::Emulate(a) => emulate(a).await,
        Cmd::Decode(DecodeCmd::Pdu { hex, json }) => sms::decode_pdu(&hex, json),
        Cmd::Decode(d) => decode(d),
        Cmd::Carriers { what, json } => carriers(&what, json),
        Cmd::Parse(a) => parse_cmd(a),
        #[cfg(feature = "history")]
        Cmd::Watch(w) => watch::watch(*w).await,
        #[cfg(feature = "history")]
        Cmd::History(h) => watch::history_cmd(h),
        #[cfg(feature = "history")]
        Cmd::Serve(s) => watch::serve_cmd(s).await,
        #[cfg(not(feature = "history"))]
        Cmd::Watch(_) => Err(needs_feature("history", "`simquota watch`")),
        #[cfg(not(feature = "history"))]
        Cmd::History(_) => Err(needs_feature("history", "`simquota history`")),
        #[cfg(not(feature = "history"))]
        Cmd::Serve(_) => Err(needs_feature("history", "`simquota serve`")),
        Cmd::Sms(c) => sms::run(c).await,
        Cmd::Completions { shell } => docs::completions(shell, &mut std::io::stdout().lock()),
        Cmd::Man { dir } => docs::man(dir.as_deref(), &mut std::io::stdout().lock()),
        Cmd::Plan(c) => plan::run(c).await,
        Cmd::Ports { no_probe } => {
            let opts = crate::ports::DiscoverOptions {
                probe: !no_probe,
                ..Default::default()
            };
            let d = tokio::task::spawn_blocking(move || crate::ports::discover(&opts))
                .await
                .map_err(|e| Failure::new(exit::MODEM, e.to_string()))?;
            print!("{}", crate::ports::describe_ports(&d));
            Ok(if d.chosen.is_some() {
                exit::OK
            } else {
                exit::MODEM
            })
        }
    }
}

fn family(f: FamilyArg) -> Family {
    match f {
        FamilyArg::Huawei => Family::Huawei,
        FamilyArg::Quectel => Family::Quectel,
        FamilyArg::Zte => Family::Zte,
    }
}

fn charset(c: CharsetArg) -> Charset {
    match c {
        CharsetArg::Gsm => Charset::Gsm,
        CharsetArg::Ucs2 => Charset::Ucs2,
        CharsetArg::Ira => Charset::Ira,
        CharsetArg::Hex => Charset::Hex,
    }
}

fn load_scenario(path: Option<&Path>) -> Result<Scenario, Failure> {
    match path {
        None => Ok(Scenario::builtin_default()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                Failure::new(
                    exit::USAGE,
                    format!("cannot read scenario {}: {e}", p.display()),
                )
            })?;
            Scenario::parse(&text)
                .map_err(|e| Failure::new(exit::USAGE, format!("scenario {}: {e}", p.display())))
        }
    }
}

/// Where the modem is, for the library: the emulator (with its scenario) or a port.
pub(super) fn modem_choice(p: &PortArgs) -> Result<ModemChoice, Failure> {
    if p.simulate {
        return Ok(ModemChoice::Simulate {
            family: family(p.profile),
            scenario: Box::new(load_scenario(p.scenario.as_deref())?),
        });
    }
    Ok(ModemChoice::Port {
        port: p.port.clone(),
        backend: match p.backend {
            args::Backend::Auto => BackendChoice::Auto,
            args::Backend::At => BackendChoice::At,
            #[cfg(feature = "mm")]
            args::Backend::Modemmanager => BackendChoice::ModemManager,
            #[cfg(not(feature = "mm"))]
            args::Backend::Modemmanager => {
                return Err(needs_feature("mm", "--backend modemmanager"));
            }
        },
    })
}

/// Opens the AT port for the commands that are not a balance check (`ussd`, `info`, `sms`).
pub(super) async fn open(p: &PortArgs) -> Result<AtSession, Failure> {
    let s = OpenSettings {
        record: p.record.clone(),
        verbose: VERBOSE.load(std::sync::atomic::Ordering::Relaxed),
        check_ready: p.check_ready,
        pin_file: p.pin_file.clone(),
        share_port: p.share_port,
        retry_pin: p.retry_pin,
        state: None,
        read_unread: false,
    };
    Ok(AtSession::open(&modem_choice(p)?, &s).await?)
}

/// Restores the modem (and writes the recording), printing what the user should know.
pub(super) async fn finish(s: AtSession) -> Result<(), Failure> {
    for line in s.finish().await? {
        eprintln!("simquota: {}", render::safe(&line));
    }
    Ok(())
}

/// The check a `balance` (or `watch`) command line asks for.
pub fn request(a: &args::BalanceArgs) -> Result<Request, Failure> {
    let mut r = Request::new(modem_choice(&a.port)?);
    // An explicit profile that does not exist is a typo, not an unknown SIM: say so up front.
    if let Some(id) = &a.carrier {
        if load_registry()?.get(id).is_none() {
            return Err(Failure::new(
                exit::USAGE,
                format!("no carrier profile {id:?}: `simquota carriers` lists them"),
            ));
        }
    }
    r.carrier = a.carrier.clone();
    r.method = if a.sms.from_inbox {
        MethodChoice::Inbox
    } else if let (Some(number), Some(keyword)) = (&a.sms.sms, &a.sms.keyword) {
        MethodChoice::Sms {
            number: number.clone(),
            keyword: keyword.clone(),
        }
    } else if let Some(code) = &a.ussd {
        MethodChoice::Ussd { code: code.clone() }
    } else {
        MethodChoice::Auto
    };
    r.ussd = UssdSettings {
        replies: a.replies.clone(),
        timeout: Duration::from_secs(a.timeout),
    };
    r.sms = SmsSettings {
        wait: Duration::from_secs(a.sms.wait),
        settle: Duration::from_secs_f64(a.sms.settle.clamp(0.0, 600.0)),
        senders: a.sms.senders.clone(),
        delete_reply: a.sms.delete_reply,
        read_unread: a.sms.read_unread,
    };
    r.guard = GuardSettings {
        max: a.sms.max_sms,
        window: crate::sms::guard::parse_duration(&a.sms.sms_window)
            .map_err(|e| Failure::new(exit::USAGE, format!("--sms-window: {e}")))?,
        force: a.sms.force,
    };
    r.record = a.port.record.clone();
    r.check_ready = a.port.check_ready;
    r.pin_file = a.port.pin_file.clone();
    r.retry_pin = a.port.retry_pin;
    r.share_port = a.port.share_port;
    r.verbose = VERBOSE.load(std::sync::atomic::Ordering::Relaxed);
    Ok(r)
}

pub(super) fn load_registry() -> Result<Registry, Failure> {
    Registry::load(&Registry::default_paths()).map_err(|e| Failure::new(exit::USAGE, e.to_string()))
}

async fn balance(a: args::BalanceArgs) -> Result<u8, Failure> {
    let req = request(&a)?;
    let json_flag = reading_format(a.port.json, &a.report)? == args::Format::Json;
    let tty = std::io::stderr().is_terminal() && !json_flag;
    let spin = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let mut tick = 0usize;
    let shown = std::sync::atomic::AtomicBool::new(false);
    let clear = || {
        if shown.swap(false, std::sync::atomic::Ordering::Relaxed) {
            eprint!("\r\x1b[K");
        }
    };
    let mut progress = |senders: &[String], left: Duration| {
        if tty {
            tick = tick.wrapping_add(1);
            shown.store(true, std::sync::atomic::Ordering::Relaxed);
            eprint!(
                "\r{} waiting for the reply from {}… {}s left ",
                spin.get(tick % spin.len()).copied().unwrap_or('*'),
                senders.join(" / "),
                left.as_secs()
            );
            let _ = std::io::Write::flush(&mut std::io::stderr());
        }
    };
    let done = check::run_with(&req, &mut progress, |o: &Outcome| {
        clear();
        match o {
            Outcome::Reading(r) => {
                let mut r = (**r).clone();
                if let Some(notes) = r.notes.as_ref().filter(|_| !json_flag) {
                    print_notes(notes);
                }
                if VERBOSE.load(std::sync::atomic::Ordering::Relaxed) > 0 && !json_flag {
                    // -v: how the reply was read (the AT log goes to stderr too).
                    eprint!(
                        "{}",
                        render::safe(&crate::balance::explain(&r.reading, 1024))
                    );
                }
                // With a history from `watch`, show its forecast beside this reading.
                let mut human = render::balance(&r);
                if let Some(st) = r
                    .modem
                    .as_ref()
                    .and_then(|m| m.iccid.as_deref())
                    .and_then(history_status)
                {
                    if let Some(f) = &st.forecast {
                        human.push_str(&render::forecast_line(f));
                    }
                    r.forecast = Some(st.forecast);
                }
                // A carrier figure of a SIM with a plan becomes an anchor of that plan.
                if let (Some(rem), Some(iccid)) = (
                    r.remaining_bytes,
                    r.modem.as_ref().and_then(|m| m.iccid.as_deref()),
                ) {
                    let source = if r.method == MethodUsed::Inbox {
                        crate::plan::AnchorSource::Inbox
                    } else {
                        crate::plan::AnchorSource::Carrier
                    };
                    let notes = plan::anchor_reading(iccid, rem, source, a.port.simulate);
                    if let Some(notes) = notes.filter(|_| !json_flag) {
                        eprintln!("simquota: plan anchor stored for SIM {iccid}");
                        print_notes(&notes);
                    }
                }
                let code = emit(&a.report, json_flag, &r, &human)?;
                let _ = std::io::Write::flush(&mut std::io::stdout());
                Ok(code)
            }
            Outcome::NoMethod(n) => {
                let mut n = (**n).clone();
                if plan::attach_estimate(&mut n, a.port.simulate).is_some() {
                    return estimate_out(&a.report, json_flag, &n);
                }
                Ok(render_no_method(&n, json_flag))
            }
        }
    })
    .await;
    clear();
    finish_check(done)
}

/// Prints the lines a finished check left for people; returns its exit code.
pub(super) fn finish_check(
    done: Result<check::Done<Result<u8, Failure>>, CheckError>,
) -> Result<u8, Failure> {
    match done {
        Ok(d) => {
            for line in &d.log {
                eprintln!("simquota: {}", render::safe(line));
            }
            d.value
        }
        Err(e) => {
            print_notes(&e.notes);
            Err(e.into())
        }
    }
}

/// SMS notes, on stderr.
pub(super) fn print_notes(notes: &[String]) {
    for n in notes {
        eprintln!("simquota: note: {}", render::safe(n));
    }
}

/// The recorded status of a SIM from the default history store, if `watch` keeps one.
#[cfg(feature = "history")]
fn history_status(iccid: &str) -> Option<crate::monitor::SimStatus> {
    let path = crate::monitor::history::default_path();
    if !path.is_file() {
        return None;
    }
    let h = crate::monitor::History::open(&path).ok()?;
    crate::monitor::SimStatus::from_history(
        &h,
        iccid,
        crate::monitor::now_unix(),
        &crate::monitor::SnapshotOptions::default(),
    )
    .ok()
}

/// Built without the history: there is never a recorded forecast to show beside a reading.
#[cfg(not(feature = "history"))]
fn history_status(_iccid: &str) -> Option<NoHistory> {
    None
}

/// What [`history_status`] would give (never constructed without the `history` feature).
#[cfg(not(feature = "history"))]
struct NoHistory {
    forecast: Option<crate::monitor::Forecast>,
}

/// Prints a reading in the chosen format and picks the exit code: 3 when not understood,
/// 4 when below `--warn-below`, else 0.
fn emit(
    report: &args::ReportArgs,
    json_flag: bool,
    doc: &Report,
    human: &str,
) -> Result<u8, Failure> {
    let reading = &doc.reading;
    let threshold = report
        .warn_below
        .as_deref()
        .map(parse_threshold)
        .transpose()
        .map_err(|e| Failure::new(exit::USAGE, e))?;
    let format = reading_format(json_flag, report)?;
    match format {
        args::Format::Json => print_json(doc),
        args::Format::Prometheus => print!("{}", render::prometheus(doc)),
        args::Format::Human => {
            print!("{}", render::safe(human));
            if let Some(t) = &threshold {
                if below(reading, t) == Some(true) {
                    println!(
                        "Below the warning threshold ({}).",
                        report.warn_below.as_deref().unwrap_or("")
                    );
                }
            }
        }
    }
    if !reading.understood {
        return Ok(exit::NOT_UNDERSTOOD);
    }
    if let Some(t) = threshold {
        if below(reading, &t) == Some(true) {
            return Ok(exit::BELOW_THRESHOLD);
        }
    }
    Ok(exit::OK)
}

/// A `--warn-below` value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Bytes.
    Bytes(u64),
    /// Percent of the total.
    Percent(f64),
}

/// Parses `500MB`, `1.5GB`, `2 GiB`, `100000` (bytes) or `10%`.
pub fn parse_threshold(s: &str) -> Result<Threshold, String> {
    let t = s.trim();
    let bad = || {
        format!("--warn-below {s:?}: expected a size like 500MB or 1.5GB, or a percentage like 10%")
    };
    if let Some(p) = t.strip_suffix('%') {
        let v: f64 = p.trim().parse().map_err(|_| bad())?;
        return if (0.0..=100.0).contains(&v) {
            Ok(Threshold::Percent(v))
        } else {
            Err(bad())
        };
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = num.parse().map_err(|_| bad())?;
    let mult: f64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1.0,
        "K" | "KB" | "KIB" => 1024.0,
        "M" | "MB" | "MIB" => 1024.0 * 1024.0,
        "G" | "GB" | "GIB" => 1024.0 * 1024.0 * 1024.0,
        "T" | "TB" | "TIB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    Ok(Threshold::Bytes((v * mult) as u64))
}

/// Whether the reading is below the threshold; `None` when the reading cannot tell.
pub fn below(r: &crate::balance::Reading, t: &Threshold) -> Option<bool> {
    if r.unlimited {
        return Some(false);
    }
    let rem = r.remaining_bytes?;
    match *t {
        Threshold::Bytes(b) => Some(rem < b),
        Threshold::Percent(p) => {
            let total = r.total_bytes.filter(|t| *t > 0)?;
            Some((rem as f64) * 100.0 / (total as f64) < p)
        }
    }
}

fn carriers(what: &[String], json_out: bool) -> Result<u8, Failure> {
    let reg = load_registry()?;
    match what {
        [] => {
            if json_out {
                print_json(&output::CarriersDoc {
                    schema_version: output::V1,
                    carriers: reg.all().cloned().collect(),
                });
            } else {
                println!("{:<22} {:<3} {:<28} HOW", "ID", "CC", "NAME");
                for p in reg.all() {
                    let how = p
                        .methods
                        .iter()
                        .map(|m| match m {
                            Method::Ussd { code, .. } => format!("USSD {code}"),
                            Method::Sms {
                                number, keyword, ..
                            } => format!("SMS {keyword}→{number}"),
                            Method::Inbox { .. } => "inbox notices".to_string(),
                            Method::None { .. } => "app/web only".to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    println!("{:<22} {:<3} {:<28} {}", p.id, p.country, p.name, how);
                }
                let total = reg.all().count();
                let queryable = reg.all().filter(|p| p.is_queryable()).count();
                println!(
                    "{total} profiles: {queryable} with a modem query (USSD, SMS or inbox notices), {} app/web only",
                    total - queryable
                );
            }
            Ok(exit::OK)
        }
        [show, id] if show == "show" => match reg.get(id) {
            Some(p) => {
                if json_out {
                    print_json(&output::CarrierDoc {
                        schema_version: output::V1,
                        carrier: p.clone(),
                    });
                } else {
                    print!("{}", p.describe());
                }
                Ok(exit::OK)
            }
            None => Err(Failure::new(
                exit::USAGE,
                format!("no carrier profile {id:?}: `simquota carriers` lists them"),
            )),
        },
        _ => Err(Failure::new(
            exit::USAGE,
            "usage: simquota carriers [show ID]",
        )),
    }
}

fn parse_cmd(a: args::ParseArgs) -> Result<u8, Failure> {
    reading_format(a.json, &a.report)?;
    let text = match a.text {
        Some(t) => t,
        None => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| Failure::new(exit::USAGE, format!("cannot read stdin: {e}")))?;
            s
        }
    };
    let today = check::local_today();
    let mut opts = crate::balance::ParseOptions::new(today);
    let mut carrier = None;
    if let Some(id) = &a.carrier {
        let reg = load_registry()?;
        let p = reg.get(id).ok_or_else(|| {
            Failure::new(
                exit::USAGE,
                format!("no carrier profile {id:?}: `simquota carriers` lists them"),
            )
        })?;
        opts.units_base = u64::from(p.units_base);
        opts.language = p.language.clone();
        opts.hints = p.reply_hints.clone();
        opts.country = Some(p.country.clone()).filter(|c| !c.is_empty());
        opts.currency = p.currency.clone();
        carrier = Some(CarrierRef {
            id: p.id.clone(),
            name: p.name.clone(),
            selected_by: Some("explicit".into()),
        });
    }
    if a.country.is_some() {
        opts.country = a.country.clone();
    }
    if a.currency.is_some() {
        opts.currency = a.currency.clone();
    }
    let reading = crate::balance::parse(text.trim_end_matches(['\r', '\n']), &opts);
    let mut human = render::reading_summary(&reading, today, opts.base());
    if !reading.understood {
        human.push_str("Not understood.\n");
    }
    if a.explain {
        human.push_str(&crate::balance::explain(&reading, opts.base()));
    } else {
        for n in &reading.notes {
            human.push_str(&format!("note: {n}\n"));
        }
    }
    let raw = reading.raw.clone();
    let doc = check::report(
        MethodUsed::Parse,
        "",
        &raw,
        reading,
        carrier,
        today,
        opts.base(),
    );
    if a.anchor {
        plan::parse_anchor(a.iccid.as_deref(), doc.remaining_bytes)?;
    }
    emit(&a.report, a.json, &doc, &human)
}

/// `balance` on an app-only SIM with a plan: the estimate (labelled), then the carrier's
/// official way to check. Exit code as for a reading: 4 below `--warn-below`, else 0.
fn estimate_out(report: &args::ReportArgs, json_flag: bool, n: &NoMethod) -> Result<u8, Failure> {
    let Some(e) = n.estimate.as_deref() else {
        return Ok(render_no_method(n, json_flag));
    };
    let threshold = report
        .warn_below
        .as_deref()
        .map(parse_threshold)
        .transpose()
        .map_err(|e| Failure::new(exit::USAGE, e))?;
    let is_below = threshold.map(|t| match t {
        Threshold::Bytes(b) => e.remaining_bytes < b,
        Threshold::Percent(p) => {
            e.total_bytes > 0 && (e.remaining_bytes as f64) * 100.0 / (e.total_bytes as f64) < p
        }
    });
    let format = if json_flag {
        args::Format::Json
    } else {
        report.format
    };
    match format {
        args::Format::Json => {
            render_no_method(n, true);
        }
        args::Format::Prometheus => print!("{}", plan::prometheus(n, e)),
        args::Format::Human => {
            print!(
                "{}",
                render::safe(&plan::estimate_lines(e, crate::monitor::now_unix()))
            );
            if is_below == Some(true) {
                println!(
                    "Below the warning threshold ({}), by the estimate.",
                    report.warn_below.as_deref().unwrap_or("")
                );
            }
            println!("The carrier's own figure:");
            render_no_method(n, false);
        }
    }
    Ok(if is_below == Some(true) {
        exit::BELOW_THRESHOLD
    } else {
        exit::OK
    })
}

/// The carrier has no USSD path the tool can use: say so and where to look instead
/// (exit code 5).
pub(super) fn render_no_method(n: &NoMethod, json_out: bool) -> u8 {
    if json_out {
        print_json(n);
    } else {
        println!(
            "{} has no USSD balance code that a modem can use.",
            n.carrier.name
        );
        for m in &n.other_ways {
            match m {
                Method::None {
                    app,
                    url,
                    voice,
                    explain,
                    ..
                } => {
                    println!("{explain}");
                    if let Some(app) = app {
                        println!("  app:   {app}");
                    }
                    if let Some(url) = url {
                        println!("  web:   {url}");
                    }
                    if let Some(v) = voice {
                        println!("  voice: {v}");
                    }
                }
                Method::Sms {
                    number, keyword, ..
                } => {
                    println!("  SMS:   send {keyword:?} to {number}");
                }
                Method::Inbox { senders, .. } => {
                    println!("  inbox: usage notices from {}", senders.join(", "));
                }
                Method::Ussd { .. } => {}
            }
        }
    }
    exit::NO_ANSWER
}

async fn ussd_cmd(a: args::UssdArgs) -> Result<u8, Failure> {
    #[cfg(not(feature = "mm"))]
    modem_choice(&a.port)?;
    #[cfg(feature = "mm")]
    if let Some(modem) = mm::choose(&a.port).await? {
        return mm::ussd_cmd(&a, modem).await;
    }
    let mut s = open(&a.port).await?;
    if a.cancel {
        let r = ussd::flow::cancel(&mut s.modem).await;
        finish(s).await?;
        let r = r?;
        if a.port.json {
            print_json(&output::UssdCancelDoc {
                schema_version: output::V1,
                cancelled: true,
                result: Some(r.to_string()),
            });
            return Ok(exit::OK);
        }
        println!("USSD session cancelled ({r})");
        return Ok(exit::OK);
    }
    let code = a.code.clone().unwrap_or_default();
    let interactive = a.replies.is_empty() && std::io::stdin().is_terminal() && !a.port.json;
    let mut opts = UssdOptions {
        first_timeout: Duration::from_secs(a.timeout),
        replies: a.replies.clone(),
        overrides: DecodeOverrides {
            dcs: a.dcs,
            charset: a.charset.map(charset),
            ..DecodeOverrides::default()
        },
        ..UssdOptions::default()
    };
    if interactive {
        opts.ask = Some(Box::new(|text| {
            println!("{}", render::safe(&text.text));
            eprint!("reply (empty to end)> ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).ok()?;
            let line = line.trim().to_string();
            (!line.is_empty()).then_some(line)
        }));
    }
    let outcome = ussd::flow::run(&mut s.modem, &code, &mut opts).await;
    let port = s.port.clone();
    finish(s).await?;
    let outcome = outcome?;
    if a.port.json {
        print_json(&output::UssdDoc {
            schema_version: output::V1,
            request: code,
            port: port.to_string_lossy().into_owned(),
            backend: None,
            reply_text: outcome.last_text().map(|t| t.text.clone()),
            exchanges: outcome.exchanges,
            style: Some(outcome.style),
            cancelled_menu: outcome.cancelled_menu,
        });
    } else {
        print!("{}", render::safe(&render::ussd(&outcome, interactive)));
    }
    Ok(exit::OK)
}

async fn info(p: PortArgs) -> Result<u8, Failure> {
    #[cfg(not(feature = "mm"))]
    modem_choice(&p)?;
    #[cfg(feature = "mm")]
    if let Some(modem) = mm::choose(&p).await? {
        let id = crate::mm::identity(&modem).await?;
        let port = std::path::PathBuf::from(&modem.path);
        if p.json {
            print_json(&output::InfoDoc {
                schema_version: output::V1,
                port: modem.path.clone(),
                backend: Some("modemmanager".into()),
                modem: id,
            });
        } else {
            print!("{}", render::safe(&render::info(&port, &id)));
        }
        return Ok(exit::OK);
    }
    let mut s = open(&p).await?;
    let id = s.modem.identify().await;
    let port = s.port.clone();
    finish(s).await?;
    let id = id?;
    if p.json {
        print_json(&output::InfoDoc {
            schema_version: output::V1,
            port: port.to_string_lossy().into_owned(),
            backend: None,
            modem: id,
        });
    } else {
        print!("{}", render::safe(&render::info(&port, &id)));
    }
    Ok(exit::OK)
}

async fn emulate(a: args::EmulateArgs) -> Result<u8, Failure> {
    let device: Box<dyn crate::emulator::Device + Send> = match &a.transcript {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::new(exit::USAGE, format!("cannot read {}: {e}", path.display()))
            })?;
            let t = Transcript::parse(&text)
                .map_err(|e| Failure::new(exit::USAGE, format!("{}: {e}", path.display())))?;
            Box::new(Replay::new(&t, std::time::Instant::now()))
        }
        None => {
            let mut m = SimModem::new(family(a.profile), load_scenario(a.scenario.as_deref())?);
            if let Some(n) = a.noise {
                m.set_noise_interval((n > 0).then(|| Duration::from_secs(n)));
            }
            Box::new(m)
        }
    };
    // Every terminating signal ends the loop below, so the link is removed (Emulator's Drop)
    // whatever stops us — not only Ctrl-C.
    let sig =
        |k| tokio::signal::unix::signal(k).map_err(|e| Failure::new(exit::MODEM, e.to_string()));
    use tokio::signal::unix::SignalKind;
    let (mut int, mut term, mut hup, mut quit) = (
        sig(SignalKind::interrupt())?,
        sig(SignalKind::terminate())?,
        sig(SignalKind::hangup())?,
        sig(SignalKind::quit())?,
    );
    let emu = Emulator::spawn(device, a.link.as_deref()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Failure::new(exit::USAGE, e.to_string())
        } else {
            Failure::new(exit::MODEM, format!("cannot open a pseudo-terminal: {e}"))
        }
    })?;
    println!("{}", emu.path().display());
    if let Some(l) = &a.link {
        eprintln!(
            "simquota: emulator on {} (linked from {})",
            emu.path().display(),
            l.display()
        );
    }
    // Flush so a script reading our stdout sees the path at once.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let replay = a.transcript.is_some();
    loop {
        tokio::select! {
            _ = int.recv() => break,
            _ = term.recv() => break,
            _ = hup.recv() => break,
            _ = quit.recv() => break,
            _ = tokio::time::sleep(Duration::from_millis(50)) => {
                if replay && emu.is_finished() { break; }
            }
        }
    }
    match emu.stop() {
        Some(Err(diff)) => {
            eprintln!("simquota: transcript mismatch:\n{diff}");
            Ok(exit::MODEM)
        }
        Some(Ok(())) => {
            eprintln!("simquota: transcript replayed to its end");
            Ok(exit::OK)
        }
        None if replay => {
            eprintln!("simquota: transcript not finished: the client stopped early");
            Ok(exit::MODEM)
        }
        None => Ok(exit::OK),
    }
}

fn decode(d: DecodeCmd) -> Result<u8, Failure> {
    match d {
        DecodeCmd::Ussd {
            payload,
            dcs,
            cscs,
            modem,
            json,
        } => {
            // Accept a whole `+CUSD:` line as well as a bare payload.
            let (payload, dcs) = if payload.trim_start().starts_with("+CUSD") {
                let c = ussd::parse_cusd(&payload)
                    .map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
                (c.text.unwrap_or_default(), dcs.or(c.dcs))
            } else {
                (payload, dcs)
            };
            let overrides = DecodeOverrides {
                priors: ussd::Priors {
                    family: modem,
                    seen: None,
                },
                ..DecodeOverrides::default()
            };
            let t = ussd::decode_payload(&payload, dcs, charset(cscs), &overrides);
            if json {
                let detected_language = crate::balance::parse(
                    &t.text,
                    &crate::balance::ParseOptions::new(check::local_today()),
                )
                .language;
                print_json(&output::DecodeUssdDoc {
                    schema_version: output::V1,
                    decoded: t,
                    detected_language,
                });
            } else {
                println!("{}", render::safe(&t.text));
                for w in &t.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Ok(exit::OK)
        }
        DecodeCmd::Pdu { hex, json } => sms::decode_pdu(&hex, json),
    }
}
