//! Command-line interface: argument parsing ([`args`]), running, rendering, exit codes.
//!
//! Exit codes (documented in the README, stable for scripts):
//! 0 ok · 1 modem/port problem · 2 usage · 3 reply not understood · 4 remaining below
//! `--warn-below` · 5 the carrier/network gave no usable answer · 6 SIM or registration problem.

pub mod args;
mod mm;
mod render;
mod sms;
mod watch;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use serde_json::json;

use crate::carrier::{Method, Profile, Registry};
use crate::emulator::scenario::Scenario;
use crate::emulator::sim::SimModem;
use crate::emulator::{replay::Replay, Emulator, Family};
use crate::modem::{Modem, ModemError, OpenOptions};
use crate::state::StateDir;
use crate::transcript::Transcript;
use crate::ussd::{self, flow::UssdOptions, Charset, DecodeOverrides};
use args::{CharsetArg, Cli, Cmd, DecodeCmd, FamilyArg, ModemArg, PortArgs};

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
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl From<ModemError> for Failure {
    fn from(e: ModemError) -> Self {
        let code = match &e {
            ModemError::Rejected { result, .. } if ussd::flow::is_sim_error(result) => exit::SIM,
            _ => exit::MODEM,
        };
        Failure::new(code, e.to_string())
    }
}

impl From<ussd::flow::UssdError> for Failure {
    fn from(e: ussd::flow::UssdError) -> Self {
        match e {
            ussd::flow::UssdError::Modem(m) => m.into(),
            ussd::flow::UssdError::BadCode { .. } => Failure::new(exit::USAGE, e.to_string()),
            ussd::flow::UssdError::Sim(_) => Failure::new(exit::SIM, e.to_string()),
            other => Failure::new(exit::NO_ANSWER, other.to_string()),
        }
    }
}

/// Entry point of the `simquota` binary.
pub fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output goes away
    // (`simquota carriers | head`) instead of panicking on EPIPE.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
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
    match rt.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("simquota: {}", f.message);
            ExitCode::from(f.code)
        }
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
        Cmd::Watch(w) => watch::watch(*w).await,
        Cmd::History(h) => watch::history_cmd(h),
        Cmd::Serve(s) => watch::serve_cmd(s).await,
        Cmd::Sms(c) => sms::run(c).await,
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

fn modem_family(m: ModemArg) -> ussd::ModemFamily {
    use ussd::ModemFamily as F;
    match m {
        ModemArg::Huawei => F::Huawei,
        ModemArg::Zte => F::Zte,
        ModemArg::Quectel => F::Quectel,
        ModemArg::Simcom => F::Simcom,
        ModemArg::Sierra => F::Sierra,
        ModemArg::Telit => F::Telit,
        ModemArg::Other => F::Other,
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

/// An open modem, plus the emulator behind it when simulating (kept alive while in use).
struct Session {
    modem: Modem,
    port: PathBuf,
    record: Option<PathBuf>,
    _emulator: Option<Emulator>,
}

/// The SIM PIN from `--pin-file` or `SIMQUOTA_PIN` (never from the command line, where other
/// users could read it in the process list).
fn read_pin(p: &PortArgs) -> Result<Option<String>, Failure> {
    if let Some(f) = &p.pin_file {
        let s = std::fs::read_to_string(f).map_err(|e| {
            Failure::new(
                exit::USAGE,
                format!("cannot read the PIN file {}: {e}", f.display()),
            )
        })?;
        return Ok(Some(s.trim().to_string()));
    }
    Ok(std::env::var("SIMQUOTA_PIN")
        .ok()
        .map(|s| s.trim().to_string()))
}

async fn open(p: &PortArgs) -> Result<Session, Failure> {
    let (port, emulator) = if p.simulate {
        let scenario = load_scenario(p.scenario.as_deref())?;
        let dev = SimModem::new(family(p.profile), scenario);
        let emu = Emulator::spawn(Box::new(dev), None).map_err(|e| {
            Failure::new(
                exit::MODEM,
                format!("cannot start the built-in emulator: {e}"),
            )
        })?;
        (emu.path().to_path_buf(), Some(emu))
    } else {
        if p.port.as_os_str() == "auto" {
            let opts = crate::ports::DiscoverOptions::default();
            let found = tokio::task::spawn_blocking(move || crate::ports::auto_port(&opts))
                .await
                .map_err(|e| Failure::new(exit::MODEM, e.to_string()))?;
            match found {
                Ok(port) => (port, None),
                Err(e) => {
                    return Err(Failure::new(
                        exit::MODEM,
                        format!(
                        "{e}\n(no modem? try the built-in emulator: simquota balance --simulate)"
                    ),
                    ))
                }
            }
        } else {
            (p.port.clone(), None)
        }
    };
    let opts = OpenOptions {
        record: p.record.is_some(),
        share_port: p.share_port,
        verbose: VERBOSE.load(std::sync::atomic::Ordering::Relaxed),
        ..OpenOptions::default()
    };
    let modem = Modem::open(&port, &opts).await?;
    let mut modem = modem;
    if p.check_ready {
        let pin = read_pin(p)?;
        if let Err(e) = modem.check_ready(pin.as_deref()).await {
            let _ = modem.close().await;
            let code = if e.is_sim() { exit::SIM } else { exit::MODEM };
            return Err(Failure::new(code, e.to_string()));
        }
    }
    Ok(Session {
        modem,
        port,
        record: p.record.clone(),
        _emulator: emulator,
    })
}

impl Session {
    /// Restores the modem and writes the recording.
    async fn finish(self) -> Result<(), Failure> {
        let who = self.modem.manufacturer.clone();
        let (failures, transcript) = self.modem.close().await;
        for f in failures {
            eprintln!("simquota: warning: could not restore a modem setting: {f}");
        }
        if let (Some(path), Some(mut t)) = (self.record, transcript) {
            if let Some(who) = who {
                t.headers.push(("modem".into(), who));
            }
            let text = crate::transcript::redact(&t).render();
            std::fs::write(&path, text).map_err(|e| {
                Failure::new(exit::MODEM, format!("cannot write {}: {e}", path.display()))
            })?;
            eprintln!("simquota: transcript written to {}", path.display());
        }
        Ok(())
    }
}

/// Today's date in the local time zone (the parser never reads the clock; the CLI does).
pub fn local_today() -> crate::balance::Date {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as libc::time_t)
        .unwrap_or(0);
    // SAFETY: localtime_r writes into the zeroed struct we own and reads only `now`.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm
    };
    crate::balance::Date {
        year: tm.tm_year + 1900,
        month: (tm.tm_mon + 1) as u8,
        day: tm.tm_mday as u8,
    }
}

pub(super) fn load_registry() -> Result<Registry, Failure> {
    Registry::load(&Registry::default_paths()).map_err(|e| Failure::new(exit::USAGE, e.to_string()))
}

/// One balance check's result, ready to be printed (`balance`) or recorded (`watch`).
pub struct Checked {
    /// `ussd`, `sms` or `inbox`.
    pub method: String,
    /// The code or keyword sent.
    pub request: String,
    /// The decoded reply.
    pub text: String,
    /// What the reply means.
    pub reading: crate::balance::Reading,
    /// The documented JSON document.
    pub doc: serde_json::Value,
    /// The human summary.
    pub human: String,
    /// The modem and SIM.
    pub id: crate::modem::Identity,
    /// The carrier profile id, if one was chosen.
    pub carrier: Option<String>,
}

/// Where a check's result goes; called once, before anything is deleted (a reply SMS is
/// removed only after its reading was written out).
pub type Deliver<'a> = dyn FnMut(&Checked) -> Result<u8, Failure> + Send + 'a;

async fn balance(a: args::BalanceArgs) -> Result<u8, Failure> {
    let (report, json_flag) = (a.report.clone(), a.port.json);
    check(&a, &mut |c: &Checked| {
        // With a history from `watch`, show its forecast beside this reading.
        let (mut doc, mut human) = (c.doc.clone(), c.human.clone());
        if VERBOSE.load(std::sync::atomic::Ordering::Relaxed) > 0 && !json_flag {
            // -v: how the reply was read (the AT log goes to stderr too).
            eprint!("{}", crate::balance::explain(&c.reading, 1024));
        }
        if let Some(st) = c.id.iccid.as_deref().and_then(history_status) {
            doc["forecast"] = json!(st.forecast);
            if let Some(f) = &st.forecast {
                human.push_str(&render::forecast_line(f));
            }
        }
        emit(&report, json_flag, &doc, &human, &c.reading)
    })
    .await
}

/// The recorded status of a SIM from the default history store, if `watch` keeps one.
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

/// Runs one balance check (USSD, SMS or inbox, as the carrier and arguments say) and hands
/// the result to `deliver`; returns the exit code.
pub async fn check(a: &args::BalanceArgs, deliver: &mut Deliver<'_>) -> Result<u8, Failure> {
    if let Some(modem) = mm::choose(&a.port).await? {
        return mm::balance(a, modem, deliver).await;
    }
    let registry = load_registry()?;
    let mut s = open(&a.port).await?;
    let id = match s.modem.identify().await {
        Ok(id) => id,
        Err(e) => {
            let _ = s.finish().await;
            return Err(e.into());
        }
    };
    if let Some(sim) = id.sim.as_deref().filter(|v| *v != "READY") {
        let _ = s.finish().await;
        return Err(Failure::new(
            exit::SIM,
            format!("the SIM is not ready ({sim}): unlock it (PIN) or check that it is inserted"),
        ));
    }
    let selection = registry.select(
        id.imsi.as_deref(),
        id.operator.as_deref(),
        a.carrier.as_deref(),
    );
    let profile = selection.profile.cloned();
    if sms::wanted(a, profile.as_ref()) {
        return sms::balance(s, a, id, profile, &selection, deliver).await;
    }
    let Some((code, replies)) = ussd_plan(a, profile.as_ref()) else {
        let _ = s.finish().await;
        return no_modem_method(profile.as_ref(), &selection.notes, a.port.json);
    };
    let state = StateDir::resolve();
    let style_key = format!(
        "{} {} {}",
        id.manufacturer.as_deref().unwrap_or("?"),
        id.model.as_deref().unwrap_or("?"),
        id.firmware.as_deref().unwrap_or("?")
    );
    let mut styles: std::collections::BTreeMap<String, ussd::RequestStyle> =
        state.read(USSD_STYLE_FILE);
    let mut opts = UssdOptions {
        first_timeout: Duration::from_secs(a.timeout),
        replies,
        style: styles.get(&style_key).copied(),
        ..UssdOptions::default()
    };
    let outcome = ussd::flow::run(&mut s.modem, &code, &mut opts).await;
    let port = s.port.clone();
    s.finish().await?;
    let outcome = outcome?;
    if styles.get(&style_key) != Some(&outcome.style) {
        styles.insert(style_key, outcome.style);
        let _ = state.write(USSD_STYLE_FILE, &styles);
    }
    let text = outcome
        .last_text()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    let (reading, today, base) = understand(&text, profile.as_ref());
    let carrier = profile
        .as_ref()
        .map(|p| json!({"id": p.id, "name": p.name, "selected_by": selection.how.to_string()}));
    let mut doc = report_json("ussd", &code, &text, &reading, carrier);
    doc["port"] = json!(port.to_string_lossy());
    doc["modem"] = json!(id);
    doc["ussd"] = json!(outcome);
    let human = render::balance(&code, &text, &reading, &id, today, base);
    deliver(&Checked {
        method: "ussd".into(),
        request: code,
        text,
        reading,
        doc,
        human,
        id,
        carrier: profile.map(|p| p.id),
    })
}

/// The USSD code to ask and the menu answers: `--ussd`/`--reply`, else the carrier profile's.
pub(super) fn ussd_plan(
    a: &args::BalanceArgs,
    profile: Option<&Profile>,
) -> Option<(String, Vec<String>)> {
    let code = match (&a.ussd, profile) {
        (Some(c), _) => c.clone(),
        (None, Some(p)) => p.methods.iter().find_map(|m| match m {
            Method::Ussd { code, .. } => Some(code.clone()),
            _ => None,
        })?,
        (None, None) => return None,
    };
    let follow = profile
        .and_then(|p| {
            p.methods.iter().find_map(|m| match m {
                Method::Ussd {
                    code: c, follow, ..
                } if *c == code => Some(follow.clone()),
                _ => None,
            })
        })
        .unwrap_or_default();
    let replies = if a.replies.is_empty() {
        follow
    } else {
        a.replies.clone()
    };
    Some((code, replies))
}

/// Understands a carrier reply with the profile's hints, language and unit base (if any);
/// returns the reading, today's date and the unit base used.
pub(super) fn understand(
    text: &str,
    profile: Option<&Profile>,
) -> (crate::balance::Reading, crate::balance::Date, u64) {
    let today = local_today();
    let mut opts = crate::balance::ParseOptions::new(today);
    if let Some(p) = profile {
        opts.units_base = u64::from(p.units_base);
        opts.language = p.language.clone();
        opts.hints = p.reply_hints.clone();
        opts.country = Some(p.country.clone()).filter(|c| !c.is_empty());
    }
    (crate::balance::parse(text, &opts), today, opts.base())
}

/// The stable JSON document of a reading (schema_version 1, documented in the README).
pub(super) fn report_json(
    method: &str,
    request: &str,
    text: &str,
    reading: &crate::balance::Reading,
    carrier: Option<serde_json::Value>,
) -> serde_json::Value {
    json!({
        "schema_version": crate::balance::SCHEMA_VERSION,
        "method": method,
        "request": request,
        "carrier": carrier,
        "reply_text": text,
        "understood": reading.understood,
        "remaining_bytes": reading.remaining_bytes,
        "used_bytes": reading.used_bytes,
        "total_bytes": reading.total_bytes,
        "expiry": reading.expiry,
        "reading": reading,
    })
}

/// Prints a reading in the chosen format and picks the exit code: 3 when not understood,
/// 4 when below `--warn-below`, else 0.
fn emit(
    report: &args::ReportArgs,
    json_flag: bool,
    doc: &serde_json::Value,
    human: &str,
    reading: &crate::balance::Reading,
) -> Result<u8, Failure> {
    let threshold = report
        .warn_below
        .as_deref()
        .map(parse_threshold)
        .transpose()
        .map_err(|e| Failure::new(exit::USAGE, e))?;
    let format = if json_flag {
        args::Format::Json
    } else {
        report.format
    };
    match format {
        args::Format::Json => {
            println!("{}", serde_json::to_string_pretty(doc).unwrap_or_default())
        }
        args::Format::Prometheus => print!("{}", render::prometheus(doc, reading)),
        args::Format::Human => {
            print!("{human}");
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
                let all: Vec<&Profile> = reg.all().collect();
                println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
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
            }
            Ok(exit::OK)
        }
        [show, id] if show == "show" => match reg.get(id) {
            Some(p) => {
                if json_out {
                    println!("{}", serde_json::to_string_pretty(p).unwrap_or_default());
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
    let text = match a.text {
        Some(t) => t,
        None => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| Failure::new(exit::USAGE, format!("cannot read stdin: {e}")))?;
            s
        }
    };
    let today = local_today();
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
        carrier = Some(json!({"id": p.id, "name": p.name, "selected_by": "explicit"}));
    }
    if a.country.is_some() {
        opts.country = a.country.clone();
    }
    if a.currency.is_some() {
        opts.currency = a.currency.clone();
    }
    let reading = crate::balance::parse(text.trim_end_matches(['\r', '\n']), &opts);
    let doc = report_json("parse", "", &reading.raw, &reading, carrier);
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
    emit(&a.report, a.json, &doc, &human, &reading)
}

/// The carrier has no USSD path the tool can use: say so and where to look instead.
pub(super) fn no_modem_method(
    profile: Option<&Profile>,
    notes: &[String],
    json_out: bool,
) -> Result<u8, Failure> {
    let Some(p) = profile else {
        let mut msg = "this SIM's carrier is not known, so there is no USSD code to ask: pass --ussd CODE (e.g. --ussd '*100#'), or --carrier ID (see `simquota carriers`)".to_string();
        for n in notes {
            msg.push_str("\n  ");
            msg.push_str(n);
        }
        return Err(Failure::new(exit::USAGE, msg));
    };
    let ways: Vec<&Method> = p
        .methods
        .iter()
        .filter(|m| !matches!(m, Method::Ussd { .. }))
        .collect();
    if json_out {
        let v = json!({
            "schema_version": 1,
            "method": "none",
            "carrier": {"id": p.id, "name": p.name},
            "reply_text": null,
            "remaining_bytes": null,
            "other_ways": ways,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!("{} has no USSD balance code that a modem can use.", p.name);
        for m in ways {
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
    Ok(exit::NO_ANSWER)
}

/// State file remembering which USSD request style each modem model accepted.
const USSD_STYLE_FILE: &str = "ussd-style.json";

async fn ussd_cmd(a: args::UssdArgs) -> Result<u8, Failure> {
    if let Some(modem) = mm::choose(&a.port).await? {
        return mm::ussd_cmd(&a, modem).await;
    }
    let mut s = open(&a.port).await?;
    if a.cancel {
        let r = ussd::flow::cancel(&mut s.modem).await;
        s.finish().await?;
        let r = r?;
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
            println!("{}", text.text);
            eprint!("reply (empty to end)> ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).ok()?;
            let line = line.trim().to_string();
            (!line.is_empty()).then_some(line)
        }));
    }
    let outcome = ussd::flow::run(&mut s.modem, &code, &mut opts).await;
    let port = s.port.clone();
    s.finish().await?;
    let outcome = outcome?;
    if a.port.json {
        let v = json!({
            "schema_version": 1,
            "request": code,
            "port": port.to_string_lossy(),
            "reply_text": outcome.last_text().map(|t| t.text.clone()),
            "exchanges": outcome.exchanges,
            "style": outcome.style,
            "cancelled_menu": outcome.cancelled_menu,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", render::ussd(&outcome, interactive));
    }
    Ok(exit::OK)
}

async fn info(p: PortArgs) -> Result<u8, Failure> {
    if let Some(modem) = mm::choose(&p).await? {
        let id = crate::mm::identity(&modem).await?;
        let port = PathBuf::from(&modem.path);
        if p.json {
            let v = json!({ "schema_version": 1, "port": modem.path, "backend": "modemmanager", "modem": id });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        } else {
            print!("{}", render::info(&port, &id));
        }
        return Ok(exit::OK);
    }
    let mut s = open(&p).await?;
    let id = s.modem.identify().await;
    let port = s.port.clone();
    s.finish().await?;
    let id = id?;
    if p.json {
        let v = json!({ "schema_version": 1, "port": port.to_string_lossy(), "modem": id });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", render::info(&port, &id));
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
    let emu = Emulator::spawn(device, a.link.as_deref())
        .map_err(|e| Failure::new(exit::MODEM, format!("cannot open a pseudo-terminal: {e}")))?;
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
            _ = tokio::signal::ctrl_c() => break,
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
                    family: modem.map(modem_family),
                    seen: None,
                },
                ..DecodeOverrides::default()
            };
            let t = ussd::decode_payload(&payload, dcs, charset(cscs), &overrides);
            if json {
                println!("{}", serde_json::to_string_pretty(&t).unwrap_or_default());
            } else {
                println!("{}", t.text);
                for w in &t.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Ok(exit::OK)
        }
        DecodeCmd::Pdu { hex, json } => sms::decode_pdu(&hex, json),
    }
}
