//! `watch`, `history` and `serve`: the router side. `watch` runs the same check as `balance`
//! on a schedule, records every reading (and failure) in the history store, evaluates alerts,
//! and feeds Prometheus (HTTP `/metrics`, textfile) and MQTT / Home Assistant.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::output;

use super::args::{HistoryArgs, ServeArgs, WatchArgs};
use super::{exit, Failure};
use crate::check::{self, Outcome, Request};
use crate::config::Config;
use crate::monitor::{
    self, after_check, history, CheckRecord, CounterSource, ExecAction, History, Rule, Schedule,
    Snapshot, SnapshotOptions,
};
#[cfg(feature = "http")]
use crate::monitor::{HistorySource, StatusSource};
#[cfg(feature = "mqtt")]
use crate::monitor::{MqttConfig, MqttQueue};

/// Built without MQTT: a queue and a config that cannot exist, so `watch` compiles unchanged and
/// asking for MQTT (flag or `[mqtt]`) is refused up front.
#[cfg(not(feature = "mqtt"))]
enum MqttConfig {}
#[cfg(not(feature = "mqtt"))]
enum MqttQueue {}
#[cfg(not(feature = "mqtt"))]
impl MqttQueue {
    fn spawn(c: MqttConfig) -> MqttQueue {
        match c {}
    }
    async fn close(self, _: Duration) {
        match self {}
    }
}
#[cfg(not(feature = "mqtt"))]
fn mqtt_config(w: &WatchArgs, cfg: &Config) -> Result<Option<MqttConfig>, Failure> {
    if w.mqtt.is_some() || w.mqtt_tls || cfg.mqtt.is_some() {
        return Err(super::needs_feature(
            "mqtt",
            "MQTT (--mqtt, --mqtt-tls or [mqtt])",
        ));
    }
    Ok(None)
}

fn fail(e: impl std::fmt::Display) -> Failure {
    Failure::new(exit::MODEM, e.to_string())
}

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::new(exit::USAGE, e.to_string())
}

/// Alert rules from the command line and the config file.
fn rules(w: &WatchArgs, cfg: &Config) -> Result<Vec<Rule>, Failure> {
    let mut texts: Vec<String> = w.alert.clone();
    texts.extend(cfg.alerts.below.iter().map(|b| format!("remaining<{b}")));
    if cfg.alerts.runout_before_reset {
        texts.push("runout".into());
    }
    if cfg.alerts.failures > 0 {
        texts.push(format!("failures>={}", cfg.alerts.failures));
    }
    let mut out: Vec<Rule> = Vec::new();
    for t in texts {
        let r: Rule = t
            .parse()
            .map_err(|e| usage(format!("--alert {t:?}: {e}")))?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// `watch` shares `balance`'s options, but not its output: refuse the ones it would ignore
/// rather than accept them silently.
fn reject_unused(w: &WatchArgs) -> Result<(), Failure> {
    let r = &w.balance.report;
    if r.warn_below.is_some() {
        return Err(usage(
            "watch does not use --warn-below: use --alert 'remaining<SIZE' (or PERCENT%)",
        ));
    }
    if w.balance.port.json || r.format != super::args::Format::Human {
        return Err(usage(
            "watch prints one line per check and takes no --json or --format: \
             read the readings with `simquota history --json` or scrape /metrics (--serve)",
        ));
    }
    Ok(())
}

/// One watched modem: its check, schedule and what we know of its SIM.
struct Watched {
    request: Request,
    /// History key while the SIM's ICCID is unknown.
    port_key: String,
    interface: Option<String>,
    schedule: Schedule,
    next: i64,
    iccid: Option<String>,
}

fn history_path(explicit: Option<&PathBuf>, cfg: &Config) -> PathBuf {
    explicit
        .cloned()
        .or_else(|| cfg.watch.history.clone())
        .unwrap_or_else(history::default_path)
}

/// `simquota watch`.
pub(super) async fn watch(w: WatchArgs) -> Result<u8, Failure> {
    reject_unused(&w)?;
    let cfg = Config::load(w.config.as_deref()).map_err(usage)?;
    let every_text = w.every.clone().unwrap_or_else(|| cfg.watch.every.clone());
    // `--every 0s` is only for benchmarks and soak runs, which bound themselves with --checks.
    let every = if every_text.trim() == "0s" && w.checks.is_some() {
        Duration::ZERO
    } else {
        monitor::parse_duration(&every_text).map_err(usage)?
    };
    let rules = rules(&w, &cfg)?;
    let exec = w.exec.clone().or_else(|| cfg.alerts.exec.clone());
    // Emulated readings stay out of the user's history unless a file is named explicitly.
    let hist_path = match (w.balance.port.simulate, w.history.as_ref()) {
        (true, None) => crate::state::use_throwaway()
            .map_err(|e| Failure::new(exit::MODEM, format!("--simulate: {e}")))?
            .join(history::FILE_NAME),
        _ => history_path(w.history.as_ref(), &cfg),
    };
    if let Some(dir) = hist_path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let history = History::open(&hist_path).map_err(fail)?;

    // The modems: the command line's one, or the config file's list.
    let mut watched = Vec::new();
    let explicit_port = w.balance.port.port.as_os_str() != "auto" || w.balance.port.simulate;
    let seed = monitor::Rng::seed_from_environment();
    if explicit_port || cfg.modems.is_empty() {
        let iface = w
            .interface
            .clone()
            .or_else(|| cfg.modems.first().and_then(|m| m.interface.clone()));
        watched.push((w.balance.clone(), iface));
    } else {
        for m in &cfg.modems {
            let mut a = w.balance.clone();
            if let Some(p) = &m.port {
                a.port.port = p.clone();
            }
            if m.carrier.is_some() {
                a.carrier = m.carrier.clone();
            }
            if m.ussd.is_some() {
                a.ussd = m.ussd.clone();
            }
            if m.pin_file.is_some() {
                a.port.pin_file = m.pin_file.clone();
            }
            watched.push((a, m.interface.clone()));
        }
    }
    // One watched modem: until a check reads its SIM, its failures belong to the SIM it held
    // last (not to a phantom `unknown:auto`).
    let known_sim = if watched.len() == 1 {
        history.last_known_sim().map_err(fail)?
    } else {
        None
    };
    let now = monitor::now_unix();
    let mut modems: Vec<Watched> = Vec::new();
    for (i, (mut args, interface)) in watched.into_iter().enumerate() {
        // The config file's spend guard applies unless the command line changed it.
        if args.sms.max_sms == 3 {
            args.sms.max_sms = cfg.sms.max;
        }
        if args.sms.sms_window == "24h" {
            args.sms.sms_window = cfg.sms.window.clone();
        }
        modems.push(Watched {
            request: super::request(&args)?,
            port_key: format!("unknown:{}", args.port.port.display()),
            interface,
            schedule: Schedule::new(every, seed.wrapping_add(i as u64)),
            next: now,
            iccid: known_sim.clone(),
        });
    }

    let snapshot_opts = |iface: &Option<String>| SnapshotOptions {
        counters: iface.as_ref().map(|i| CounterSource {
            stats_root: stats_root(),
            iface: i.clone(),
        }),
        ..SnapshotOptions::default()
    };
    let shared: Arc<RwLock<Snapshot>> = Arc::new(RwLock::new(
        Snapshot::from_history(&history, now, &SnapshotOptions::default()).map_err(fail)?,
    ));
    #[cfg(not(feature = "http"))]
    if w.serve || w.listen.is_some() {
        return Err(super::needs_feature("http", "--serve/--listen"));
    }
    #[cfg(feature = "http")]
    let _server = if w.serve || w.listen.is_some() {
        let addr = w.listen.clone().unwrap_or_else(|| cfg.serve.listen.clone());
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| usage(format!("cannot listen on {addr}: {e}")))?;
        eprintln!(
            "simquota: serving /metrics and the status page on http://{}",
            listener.local_addr().map(|a| a.to_string()).unwrap_or(addr)
        );
        let source: Arc<dyn StatusSource + Send + Sync> = shared.clone();
        Some(AbortOnDrop(tokio::spawn(monitor::serve(listener, source))))
    } else {
        None
    };
    let textfile = w.textfile.clone().or_else(|| cfg.serve.textfile.clone());
    let mqtt = mqtt_config(&w, &cfg)?.map(MqttQueue::spawn);

    let mut checks = 0u64;
    let mut worst = exit::OK;
    // SIGINT, SIGTERM, SIGHUP: between checks, stop at once; during one, the check is cut short
    // and its modem put back (bounded, crate::modem::interrupt), then the loop ends.
    crate::modem::interrupt::handle_idle_signals();
    // The modem due first, until a signal or the check count ends the loop.
    while let Some(i) = (0..modems.len()).min_by_key(|&i| modems[i].next) {
        // A check due in the past (the previous one ran long) is due now: clamp before the cast.
        let wait =
            Duration::from_secs(modems[i].next.saturating_sub(monitor::now_unix()).max(0) as u64);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = crate::modem::interrupt::wait() => break,
        }
        let m = &mut modems[i];
        let code = one_check(
            m,
            &history,
            &rules,
            &snapshot_opts(&m.interface),
            exec.as_ref(),
            mqtt.as_ref(),
            textfile.as_ref(),
            &shared,
        )
        .await;
        worst = worst.max(code);
        checks += 1;
        if crate::modem::interrupt::pending().is_some() {
            break;
        }
        let now = monitor::now_unix();
        m.next = if every.is_zero() {
            now
        } else {
            m.schedule
                .next_after(now, code == exit::OK || code == exit::BELOW_THRESHOLD)
        };
        if w.once || w.checks.is_some_and(|n| checks >= n) {
            if w.once && checks < modems.len() as u64 {
                // --once: every modem once.
                continue;
            }
            break;
        }
    }
    if let Some(q) = mqtt {
        q.close(MQTT_CLOSE_LIMIT).await;
    }
    Ok(if w.once { worst } else { exit::OK })
}

/// How long a stopping `watch` waits for MQTT to publish what is queued.
const MQTT_CLOSE_LIMIT: Duration = Duration::from_secs(3);

/// Aborts a spawned task when dropped (the HTTP server ends with `watch`).
#[cfg(feature = "http")]
struct AbortOnDrop(tokio::task::JoinHandle<std::io::Result<()>>);

#[cfg(feature = "http")]
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn stats_root() -> PathBuf {
    std::env::var_os("SIMQUOTA_NET_STATS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(monitor::estimate::SYSFS_NET))
}

#[cfg(feature = "mqtt")]
fn mqtt_config(w: &WatchArgs, cfg: &Config) -> Result<Option<MqttConfig>, Failure> {
    let file = cfg.mqtt.as_ref();
    if let Some(m) = file.filter(|m| !m.tls) {
        // A CA or client certificate without `tls = true` is a half-done TLS set-up: say so
        // rather than connect in plaintext.
        if let Some(key) = [
            ("ca_file", &m.ca_file),
            ("client_cert_file", &m.client_cert_file),
            ("client_key_file", &m.client_key_file),
        ]
        .iter()
        .find_map(|(k, v)| v.as_ref().map(|_| k))
        {
            if !w.mqtt_tls {
                return Err(usage(format!(
                    "[mqtt] {key} is set but tls is not: add `tls = true` (or pass --mqtt-tls)"
                )));
            }
        }
    }
    let tls = w.mqtt_tls || file.is_some_and(|m| m.tls);
    let (host, port) = match (&w.mqtt, file) {
        (Some(hp), _) => match hp.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse()
                    .map_err(|_| usage(format!("--mqtt {hp:?}: bad port")))?,
            ),
            None => (hp.clone(), MqttConfig::default_port(tls)),
        },
        (None, Some(m)) => (
            m.host.clone(),
            m.port.unwrap_or(MqttConfig::default_port(tls)),
        ),
        (None, None) if w.mqtt_tls => {
            return Err(usage(
                "--mqtt-tls needs a broker: --mqtt HOST[:PORT] or an [mqtt] section",
            ))
        }
        (None, None) => return Ok(None),
    };
    let mut c = MqttConfig::new(&host, port);
    if let Some(m) = file {
        c.username = m.username.clone();
        c.base_topic = m.prefix.clone();
        c.discovery_prefix = m.discovery_prefix.clone();
        if let Some(f) = &m.password_file {
            c.password = Some(
                std::fs::read_to_string(f)
                    .map_err(|e| usage(format!("cannot read {}: {e}", f.display())))?
                    .trim()
                    .to_string(),
            );
        }
    }
    if w.mqtt_user.is_some() {
        c.username = w.mqtt_user.clone();
    }
    if tls {
        c.tls = Some(monitor::mqtt::MqttTls {
            ca_file: w
                .mqtt_ca
                .clone()
                .or_else(|| file.and_then(|m| m.ca_file.clone())),
            client_cert_file: file.and_then(|m| m.client_cert_file.clone()),
            client_key_file: file.and_then(|m| m.client_key_file.clone()),
        });
    }
    // At start-up, not at the first check: a build without TLS, or an unreadable CA file, is a
    // usage error (exit 2) before anything is sent.
    c.validate().map_err(usage)?;
    Ok(Some(c))
}

/// Runs one check of `m`, records it, fires alerts and exports; returns the check's exit code.
#[allow(clippy::too_many_arguments)]
async fn one_check(
    m: &mut Watched,
    history: &History,
    rules: &[Rule],
    snap_opts: &SnapshotOptions,
    exec: Option<&PathBuf>,
    mqtt: Option<&MqttQueue>,
    textfile: Option<&PathBuf>,
    shared: &Arc<RwLock<Snapshot>>,
) -> u8 {
    let result = check::run_with(&m.request, &mut |_, _| {}, |o: &Outcome| {
        Ok::<_, std::convert::Infallible>(o.clone())
    })
    .await
    .map(|done| {
        for line in &done.log {
            eprintln!("simquota: {line}");
        }
        match done.value {
            Ok(o) => o,
            Err(never) => match never {},
        }
    });
    let now = monitor::now_unix();
    let port_key = m.port_key.clone();
    let (mut record, code) = match result {
        Ok(Outcome::Reading(c)) => {
            let iccid = c
                .modem
                .as_ref()
                .and_then(|id| id.iccid.clone())
                .or_else(|| m.iccid.clone())
                .unwrap_or_else(|| port_key.clone());
            if c.modem.as_ref().is_some_and(|id| id.iccid.is_some()) {
                // Failures recorded before the SIM could be read belong to this SIM (a no-op
                // once they were moved).
                if let Err(e) = history.adopt(&port_key, &iccid) {
                    eprintln!("simquota: warning: {e}");
                }
            }
            m.iccid = Some(iccid.clone());
            let method = monitor::Method::from_name(c.method.as_str());
            let mut r = if c.reading.understood {
                CheckRecord::success(now, &iccid, method, &c.request, c.reading.clone())
            } else {
                CheckRecord::failure(
                    now,
                    &iccid,
                    method,
                    &c.request,
                    "the reply was not understood",
                )
            };
            r.raw = Some(c.reply_text.clone());
            r.imsi = c.modem.as_ref().and_then(|id| id.imsi.clone());
            r.carrier = c.carrier_id().map(str::to_string);
            r.signal_dbm = c.modem.as_ref().and_then(|id| id.signal_dbm);
            // Not println!: with SIGPIPE ignored, a closed stdout must not panic the daemon.
            let _ = writeln!(
                std::io::stdout().lock(),
                "{} {} {}",
                monitor::iso_datetime(now),
                iccid,
                super::render::safe(
                    super::render::balance(&c)
                        .lines()
                        .nth(1)
                        .unwrap_or("")
                        .trim()
                )
            );
            let code = if c.reading.understood {
                exit::OK
            } else {
                exit::NOT_UNDERSTOOD
            };
            (r, code)
        }
        Ok(Outcome::NoMethod(n)) => {
            let code = super::render_no_method(&n, false);
            let iccid = m.iccid.clone().unwrap_or(port_key);
            eprintln!("simquota: {iccid}: no usable answer (exit {code})");
            (
                CheckRecord::failure(
                    now,
                    &iccid,
                    monitor::Method::from_name("none"),
                    "",
                    "no usable answer",
                ),
                code,
            )
        }
        Err(e) => {
            super::print_notes(&e.notes);
            let iccid = m.iccid.clone().unwrap_or(port_key);
            eprintln!(
                "simquota: {} check failed: {}",
                monitor::iso_datetime(now),
                e.message
            );
            (
                CheckRecord::failure(
                    now,
                    &iccid,
                    monitor::Method::from_name("none"),
                    "",
                    &e.message,
                ),
                super::exit_code(e.kind),
            )
        }
    };
    if let Some(src) = &snap_opts.counters {
        record.counters = monitor::estimate::read_baseline(&src.stats_root, &src.iface).ok();
    }
    let outcome = match after_check(history, &record, rules, now, snap_opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("simquota: warning: could not record the check: {e}");
            return code.max(exit::MODEM);
        }
    };
    let mut code = code;
    for alert in &outcome.fired {
        eprintln!("simquota: ALERT {}: {}", alert.iccid, alert.message);
        code = code.max(exit::BELOW_THRESHOLD);
        if let Some(program) = exec {
            let action = ExecAction::new(program.clone());
            let (a, r) = (alert.clone(), record.clone());
            match tokio::task::spawn_blocking(move || action.run(&a, Some(&r))).await {
                Ok(Ok(o)) if o.success() => {}
                Ok(Ok(o)) => eprintln!("simquota: warning: alert program ended with {:?}", o.code),
                Ok(Err(e)) => eprintln!("simquota: warning: alert program failed: {e}"),
                Err(e) => eprintln!("simquota: warning: alert program failed: {e}"),
            }
        }
    }
    #[cfg(not(feature = "mqtt"))]
    let _ = mqtt;
    #[cfg(feature = "mqtt")]
    if let Some(q) = mqtt {
        // Never waits: publishing runs beside the checks.
        let p = monitor::Publication {
            status: outcome.status.clone(),
            alerts: outcome.fired.clone(),
        };
        if !q.offer(p) {
            eprintln!("simquota: warning: MQTT is behind: this check's status was not published");
        }
    }
    if let Ok(snap) = Snapshot::from_history(history, now, snap_opts) {
        if let Some(dir) = textfile {
            if let Err(e) = monitor::write_textfile(dir, &snap) {
                eprintln!("simquota: warning: textfile: {e}");
            }
        }
        if let Ok(mut s) = shared.write() {
            *s = snap;
        }
    }
    code
}

/// `simquota history`.
pub(super) fn history_cmd(h: HistoryArgs) -> Result<u8, Failure> {
    let cfg = Config::load(h.config.as_deref()).map_err(usage)?;
    let path = history_path(h.history.as_ref(), &cfg);
    if !path.exists() {
        return Err(usage(format!(
            "nothing recorded yet: no history at {} (`simquota watch` records one, or pass --history FILE)",
            path.display()
        )));
    }
    let db = History::open(&path).map_err(fail)?;
    let now = monitor::now_unix();
    let since = match &h.since {
        Some(s) => Some(now - monitor::parse_duration(s).map_err(usage)?.as_secs() as i64),
        None => None,
    };
    let records = db.readings(h.iccid.as_deref(), since).map_err(fail)?;
    let iccids: Vec<String> = match &h.iccid {
        Some(i) => vec![i.clone()],
        None => db.iccids().map_err(fail)?,
    };
    if h.csv {
        let out = std::io::stdout();
        if let Err(e) = write_csv(&records, out.lock()) {
            // A closed pipe (`| head`) ends the listing quietly; anything else is worth saying.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                return Err(fail(format!("cannot write CSV: {e}")));
            }
        }
        return Ok(exit::OK);
    }
    let mut daily = Vec::new();
    let mut forecasts = Vec::new();
    for iccid in &iccids {
        for (d, used) in db.daily_usage(iccid, since).map_err(fail)? {
            daily.push(output::DailyUsage {
                iccid: iccid.clone(),
                date: d,
                used_bytes: used,
            });
        }
        let st = monitor::SimStatus::from_history(&db, iccid, now, &SnapshotOptions::default())
            .map_err(fail)?;
        forecasts.push((iccid.clone(), st));
    }
    if h.json {
        super::print_json(&output::HistoryDoc {
            schema_version: output::V1,
            readings: records
                .iter()
                .map(|r| output::HistoryReading {
                    time: monitor::iso_datetime(r.time),
                    iccid: r.iccid.clone(),
                    carrier: r.carrier.clone(),
                    method: r.method.as_str().to_string(),
                    request: r.request.clone(),
                    success: r.success,
                    error: r.error.clone(),
                    remaining_bytes: r.numbers.remaining_bytes,
                    used_bytes: r.numbers.used_bytes,
                    total_bytes: r.numbers.total_bytes,
                    balance: r.numbers.balance.clone(),
                    currency: r.numbers.currency.clone(),
                    expiry: r.numbers.expiry,
                    raw: r.raw.clone(),
                })
                .collect(),
            daily_usage: daily.clone(),
            forecast: forecasts
                .iter()
                .map(|(i, s)| output::HistoryForecast {
                    iccid: i.clone(),
                    forecast: s.forecast.clone(),
                    note: s.forecast_note.clone(),
                    daily_budget: s.daily_budget,
                })
                .collect(),
        });
        return Ok(exit::OK);
    }
    let mut out = String::new();
    if records.is_empty() && forecasts.is_empty() {
        let _ = writeln!(out, "nothing recorded yet in {}", path.display());
    }
    for (iccid, st) in &forecasts {
        let series: Vec<u64> = records
            .iter()
            .filter(|r| &r.iccid == iccid && r.success)
            .filter_map(|r| r.numbers.remaining_bytes)
            .collect();
        let _ = writeln!(
            out,
            "{iccid} ({})",
            st.carrier.as_deref().unwrap_or("unknown carrier")
        );
        if !series.is_empty() {
            let _ = writeln!(out, "  remaining {}", sparkline(&series));
        }
        match &st.forecast {
            Some(f) => {
                let _ = writeln!(
                    out,
                    "  using ≈ {}/day{}{}",
                    crate::balance::format_bytes(f.rate_bytes_per_day, 1024),
                    f.runs_out
                        .map(|d| format!(" · runs out ≈ {d}"))
                        .unwrap_or_default(),
                    f.daily_budget
                        .map(|b| format!(" · budget {}/day", crate::balance::format_bytes(b, 1024)))
                        .unwrap_or_default()
                );
            }
            None => {
                if let Some(n) = &st.forecast_note {
                    let _ = writeln!(out, "  no forecast yet: {n}");
                }
            }
        }
    }
    for r in &records {
        let what = if r.success {
            r.numbers
                .remaining_bytes
                .map(|b| format!("remaining {}", crate::balance::format_bytes(b, 1024)))
                .unwrap_or_else(|| "ok".into())
        } else {
            format!("failed: {}", r.error.as_deref().unwrap_or("?"))
        };
        let _ = writeln!(
            out,
            "{}  {:<22} {:<6} {what}",
            monitor::iso_datetime(r.time),
            r.iccid,
            r.method.as_str()
        );
    }
    if !daily.is_empty() {
        let _ = writeln!(out, "per day:");
        for d in &daily {
            let _ = writeln!(
                out,
                "  {} {}  {}",
                d.date,
                d.iccid,
                crate::balance::format_bytes(d.used_bytes, 1024)
            );
        }
    }
    print!("{}", super::render::safe(&out));
    Ok(exit::OK)
}

/// The readings as CSV (RFC 4180 quoting by the `csv` crate, `\n` line ends), with a header.
fn write_csv(records: &[CheckRecord], out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record([
        "time",
        "iccid",
        "carrier",
        "method",
        "success",
        "remaining_bytes",
        "used_bytes",
        "total_bytes",
        "balance",
        "currency",
        "expiry",
        "error",
    ])?;
    let opt = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    for r in records {
        let n = &r.numbers;
        w.write_record([
            monitor::iso_datetime(r.time),
            r.iccid.clone(),
            r.carrier.clone().unwrap_or_default(),
            r.method.as_str().to_string(),
            r.success.to_string(),
            opt(n.remaining_bytes),
            opt(n.used_bytes),
            opt(n.total_bytes),
            n.balance.clone().unwrap_or_default(),
            n.currency.clone().unwrap_or_default(),
            n.expiry.map(|d| d.to_string()).unwrap_or_default(),
            r.error.clone().unwrap_or_default(),
        ])?;
    }
    w.flush()
}

/// `▁▂▃▅▇` of a series (scaled to its own min..max).
pub fn sparkline(v: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (min, max) = (
        v.iter().copied().min().unwrap_or(0),
        v.iter().copied().max().unwrap_or(0),
    );
    v.iter()
        .map(|&x| {
            let i = if max > min {
                ((x - min) as u128 * 7 / (max - min) as u128) as usize
            } else {
                7
            };
            BARS[i.min(7)]
        })
        .collect()
}

/// `simquota serve`: `/metrics` and the status page from the history store (beside a separate
/// `watch`, or a cron job running `watch --once`).
#[cfg(not(feature = "http"))]
pub(super) async fn serve_cmd(_: ServeArgs) -> Result<u8, Failure> {
    Err(super::needs_feature("http", "`simquota serve`"))
}

/// `simquota serve`: `/metrics` and the status page from the history store (beside a separate
/// `watch`, or a cron job running `watch --once`).
#[cfg(feature = "http")]
pub(super) async fn serve_cmd(s: ServeArgs) -> Result<u8, Failure> {
    let cfg = Config::load(s.config.as_deref()).map_err(usage)?;
    let path = history_path(s.history.as_ref(), &cfg);
    let addr = s.listen.clone().unwrap_or_else(|| cfg.serve.listen.clone());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| usage(format!("cannot listen on {addr}: {e}")))?;
    println!(
        "http://{}",
        listener.local_addr().map(|a| a.to_string()).unwrap_or(addr)
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let source: Arc<dyn StatusSource + Send + Sync> = Arc::new(HistorySource {
        path,
        options: SnapshotOptions {
            counters: s
                .interface
                .clone()
                .or_else(|| cfg.modems.first().and_then(|m| m.interface.clone()))
                .map(|iface| CounterSource {
                    stats_root: stats_root(),
                    iface,
                }),
            ..SnapshotOptions::default()
        },
    });
    tokio::select! {
        r = monitor::serve(listener, source) => r.map_err(fail)?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_series() {
        assert_eq!(sparkline(&[0, 7, 14]), "▁▄█");
        assert_eq!(sparkline(&[5, 5]), "██");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        let mut r = CheckRecord::failure(
            0,
            "8900,1",
            monitor::Method::Ussd,
            "*100#",
            "say \"hi\"\nagain",
        );
        r.carrier = Some("plain".into());
        let mut out = Vec::new();
        write_csv(&[r], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.split_inclusive('\n');
        assert!(lines.next().unwrap().starts_with("time,iccid,carrier,"));
        assert_eq!(
            lines.collect::<String>(),
            "1970-01-01T00:00:00Z,\"8900,1\",plain,ussd,false,,,,,,,\"say \"\"hi\"\"\nagain\"\n"
        );
    }
}
