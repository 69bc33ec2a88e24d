//! The balance check as a library: pick the carrier profile, choose USSD, SMS or the inbox,
//! ask through a [`Backend`] (the AT port or ModemManager), understand the reply, report.
//!
//! ```text
//! Request ──► run ──► Backend::identify ─► carrier profile ─► USSD | SMS query | inbox
//!                                                         ─► understand() ─► Report ─► deliver
//!                                                         ─► (delete the reply SMS) ─► finish
//! ```
//!
//! The CLI maps its arguments to a [`Request`] and renders the [`Outcome`]; `watch` records
//! it. Nothing here prints: lines meant for people come back in [`Done::log`] or
//! [`CheckError::notes`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), simquota::check::CheckError> {
//! use simquota::check::{Outcome, Request};
//! let req = Request::port("/dev/ttyUSB2");
//! if let Outcome::Reading(r) = simquota::check::run(&req).await? {
//!     println!("{:?} bytes left", r.remaining_bytes);
//! }
//! # Ok(()) }
//! ```

pub mod at;
pub mod backend;
mod error;
#[cfg(feature = "mm")]
pub mod mm;
mod report;
mod request;

pub use backend::{Backend, Progress, SmsAnswer, SmsAsk, UssdAnswer, UssdAsk};
pub use error::{CheckError, ErrorKind};
pub use report::{CarrierRef, MethodUsed, NoMethod, Outcome, Report, SmsDetails, UssdDetails};
pub use request::{
    BackendChoice, GuardSettings, MethodChoice, ModemChoice, Request, SmsSettings, StateLocation,
    UssdSettings,
};

use std::collections::BTreeMap;
use std::convert::Infallible;

use crate::balance::{Date, Reading};
use crate::carrier::{Method, Profile, Registry};
use crate::modem::Identity;
use crate::sms::flow::{calling_code_for_mcc, WaitOptions};
use crate::sms::guard::{sim_keys, unix_now, GuardError, SpendGuard};
use crate::ussd::RequestStyle;
use request::OpenState;

/// State file remembering which USSD request style each modem model accepted.
pub const USSD_STYLE_FILE: &str = "ussd-style.json";

/// State file remembering how each modem model's all-hex GSM 7-bit USSD replies read (packed
/// septets, UCS-2, 8-bit): the next reply from the same model is decoded with that prior.
pub const USSD_READING_FILE: &str = "ussd-reading.json";

/// A finished check: what `deliver` returned, and lines for people (deleted reply parts,
/// restore warnings, where the transcript went).
#[derive(Debug)]
pub struct Done<T> {
    /// What the `deliver` callback returned.
    pub value: T,
    /// Lines for stderr.
    pub log: Vec<String>,
}

/// Runs one check and returns its outcome (the simple API; see [`run_with`] to act on the
/// result before a reply SMS is deleted, and to show progress).
pub async fn run(req: &Request) -> Result<Outcome, CheckError> {
    let done = run_with(req, &mut |_, _| {}, |o: &Outcome| {
        Ok::<_, Infallible>(o.clone())
    })
    .await?;
    match done.value {
        Ok(o) => Ok(o),
        Err(never) => match never {},
    }
}

/// Runs one check; `deliver` gets the outcome once, *before* anything is deleted (a reply
/// SMS is removed, when asked, only after `deliver` returned `Ok`); `progress` is called
/// while waiting for an SMS reply. The modem is restored on every path.
pub async fn run_with<T, E>(
    req: &Request,
    progress: &mut Progress<'_>,
    deliver: impl FnOnce(&Outcome) -> Result<T, E>,
) -> Result<Done<Result<T, E>>, CheckError> {
    let registry = Registry::load(&Registry::default_paths())
        .map_err(|e| CheckError::new(ErrorKind::Usage, e.to_string()))?;
    let state = OpenState::open(&req.state).map_err(|e| {
        CheckError::new(
            ErrorKind::Modem,
            format!("cannot create a state directory: {e}"),
        )
    })?;
    #[cfg(feature = "mm")]
    if let Some(modem) = mm::choose(&req.modem).await? {
        let b = mm::MmBackend::new(modem);
        return run_on(b, req, &registry, &state, progress, deliver).await;
    }
    #[cfg(not(feature = "mm"))]
    if let ModemChoice::Port {
        backend: BackendChoice::ModemManager,
        ..
    } = &req.modem
    {
        return Err(CheckError::new(
            ErrorKind::Usage,
            "--backend modemmanager needs the `mm` build feature, which this simquota was built \
             without: rebuild with `--features mm`, or use --backend at",
        ));
    }
    let settings = at::OpenSettings {
        record: req.record.clone(),
        verbose: req.verbose,
        check_ready: req.check_ready,
        pin_file: req.pin_file.clone(),
        share_port: req.share_port,
        retry_pin: req.retry_pin,
        state: Some(state.dir.clone()),
        read_unread: req.sms.read_unread,
    };
    let b = at::AtBackend::open(&req.modem, &settings).await?;
    run_on(b, req, &registry, &state, progress, deliver).await
}

/// The one flow, on any backend.
async fn run_on<B: Backend, T, E>(
    mut b: B,
    req: &Request,
    registry: &Registry,
    state: &OpenState,
    progress: &mut Progress<'_>,
    deliver: impl FnOnce(&Outcome) -> Result<T, E>,
) -> Result<Done<Result<T, E>>, CheckError> {
    let outcome = match ask(&mut b, req, registry, state, progress).await {
        Ok(o) => o,
        Err(e) => {
            let mut notes = b.notes();
            // What could not be put back is worth saying most when the check failed (a signal).
            let restore = match b.finish().await {
                Ok(lines) => lines,
                Err(f) => vec![f.message],
            };
            let mut e = e;
            if e.notes.is_empty() {
                e.notes = std::mem::take(&mut notes);
            }
            e.notes.extend(restore);
            return Err(e);
        }
    };
    let value = deliver(&outcome);
    let mut log = Vec::new();
    let is_query = matches!(&outcome, Outcome::Reading(r) if r.method == MethodUsed::Sms);
    if value.is_ok() && req.sms.delete_reply && is_query {
        for line in b.delete_reply().await {
            log.push(match line {
                Ok(l) => l,
                Err(l) => format!("warning: {l}"),
            });
        }
    }
    log.extend(b.finish().await?);
    Ok(Done { value, log })
}

/// Identify, choose, ask, understand.
async fn ask<B: Backend>(
    b: &mut B,
    req: &Request,
    registry: &Registry,
    state: &OpenState,
    progress: &mut Progress<'_>,
) -> Result<Outcome, CheckError> {
    let id = b.identify().await?;
    let selection = registry.select(
        id.imsi.as_deref(),
        id.operator.as_deref(),
        req.carrier.as_deref(),
    );
    let profile = selection.profile.cloned();
    let carrier = profile.as_ref().map(|p| CarrierRef {
        id: p.id.clone(),
        name: p.name.clone(),
        selected_by: Some(selection.how.to_string()),
    });
    let cc = country_code(&id);
    let mut guard_note = None;
    let (method, request, text, ussd, sms) = if wants_sms(&req.method, profile.as_ref()) {
        let (method, request, answer) = if req.method == MethodChoice::Inbox {
            let (senders, words) = inbox_plan(req, profile.as_ref())?;
            let Some(a) = b.inbox(&senders, cc, &words).await? else {
                return Err(no_notice(&senders, &words));
            };
            (MethodUsed::Inbox, "inbox".to_string(), a)
        } else {
            let ask = sms_plan(req, profile.as_ref(), cc)?;
            b.sms_prepare(cc).await?;
            guard_note = admit_query(req, state, &id, &ask)?;
            let mut a = b.sms_query(&ask, progress).await?;
            a.details.delete_reply = Some(req.sms.delete_reply);
            (MethodUsed::Sms, ask.keyword.clone(), a)
        };
        (method, request, answer.text, None, Some(answer.details))
    } else {
        let Some((code, replies)) = ussd_plan(req, profile.as_ref()) else {
            return no_method(profile.as_ref(), &selection.notes, id.iccid.as_deref());
        };
        let key = style_key(&id);
        let mut styles: BTreeMap<String, RequestStyle> = state.dir.read(USSD_STYLE_FILE);
        let mut readings: BTreeMap<String, crate::ussd::Interpretation> =
            state.dir.read(USSD_READING_FILE);
        let a = b
            .ussd(&UssdAsk {
                code: code.clone(),
                replies,
                timeout: req.ussd.timeout,
                style: styles.get(&key).copied(),
                seen: readings.get(&key).copied(),
            })
            .await?;
        if let Some(style) = a.style.filter(|s| styles.get(&key) != Some(s)) {
            styles.insert(key.clone(), style);
            let _ = state.dir.write(USSD_STYLE_FILE, &styles);
        }
        if let Some(seen) = a.seen.filter(|s| readings.get(&key) != Some(s)) {
            readings.insert(key, seen);
            let _ = state.dir.write(USSD_READING_FILE, &readings);
        }
        (MethodUsed::Ussd, code, a.text, Some(a.details), None)
    };
    let (reading, today, base) = understand(&text, profile.as_ref());
    let mut r = report(method, &request, &text, reading, carrier, today, base);
    r.port = Some(b.port());
    r.modem = Some(id);
    r.ussd = ussd;
    if sms.is_some() {
        let mut notes = b.notes();
        notes.extend(guard_note);
        r.notes = Some(notes);
    }
    r.sms = sms;
    Ok(Outcome::Reading(Box::new(r)))
}

/// The document of a reading (no port, modem or method details yet).
pub fn report(
    method: MethodUsed,
    request: &str,
    text: &str,
    reading: Reading,
    carrier: Option<CarrierRef>,
    today: Date,
    units_base: u64,
) -> Report {
    Report {
        schema_version: crate::balance::SCHEMA_VERSION,
        method,
        request: request.to_string(),
        carrier,
        reply_text: text.to_string(),
        understood: reading.understood,
        remaining_bytes: reading.remaining_bytes,
        used_bytes: reading.used_bytes,
        total_bytes: reading.total_bytes,
        expiry: reading.expiry,
        reading,
        port: None,
        modem: None,
        ussd: None,
        sms: None,
        notes: None,
        forecast: None,
        today,
        units_base,
    }
}

/// Which request style memory a modem uses: manufacturer, model and firmware.
fn style_key(id: &Identity) -> String {
    format!(
        "{} {} {}",
        id.manufacturer.as_deref().unwrap_or("?"),
        id.model.as_deref().unwrap_or("?"),
        id.firmware.as_deref().unwrap_or("?")
    )
}

/// The SIM country's calling code, from the IMSI's MCC.
pub fn country_code(id: &Identity) -> Option<&'static str> {
    id.imsi
        .as_deref()
        .and_then(|i| i.get(..3))
        .and_then(calling_code_for_mcc)
}

/// True when the check goes by SMS: asked for explicitly, or the carrier's profile has an
/// SMS method and no USSD code (and no USSD code was given).
pub fn wants_sms(method: &MethodChoice, profile: Option<&Profile>) -> bool {
    match method {
        MethodChoice::Sms { .. } | MethodChoice::Inbox => true,
        MethodChoice::Ussd { .. } => false,
        MethodChoice::Auto => profile.is_some_and(|p| {
            !p.methods.iter().any(|m| matches!(m, Method::Ussd { .. }))
                && p.methods.iter().any(|m| matches!(m, Method::Sms { .. }))
        }),
    }
}

/// The USSD code to ask and the menu answers: the request's, else the carrier profile's.
pub fn ussd_plan(req: &Request, profile: Option<&Profile>) -> Option<(String, Vec<String>)> {
    let code = match (&req.method, profile) {
        (MethodChoice::Ussd { code }, _) => code.clone(),
        (_, Some(p)) => p.methods.iter().find_map(|m| match m {
            Method::Ussd { code, .. } => Some(code.clone()),
            _ => None,
        })?,
        (_, None) => return None,
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
    let replies = if req.ussd.replies.is_empty() {
        follow
    } else {
        req.ussd.replies.clone()
    };
    Some((code, replies))
}

/// What to send where, and whom to expect the reply from: the request's number and keyword,
/// else the carrier profile's SMS method.
pub fn sms_plan(
    req: &Request,
    profile: Option<&Profile>,
    cc: Option<&str>,
) -> Result<SmsAsk, CheckError> {
    let (number, keyword, mut senders, expect) = match &req.method {
        MethodChoice::Sms { number: n, keyword } => {
            let from_profile = profile.and_then(|p| {
                p.methods.iter().find_map(|m| match m {
                    Method::Sms {
                        number,
                        reply_senders,
                        reply_parts_expected,
                        reply_messages,
                        ..
                    } if crate::sms::same_sender(number, n, cc) => Some((
                        reply_senders.clone(),
                        (*reply_parts_expected, *reply_messages),
                    )),
                    _ => None,
                })
            });
            let (mut senders, expect) = from_profile.unwrap_or_default();
            senders.push(n.clone());
            (n.clone(), keyword.clone(), senders, expect)
        }
        _ => profile
            .and_then(|p| {
                p.methods.iter().find_map(|m| match m {
                    Method::Sms {
                        number,
                        keyword,
                        reply_senders,
                        reply_parts_expected,
                        reply_messages,
                        ..
                    } => Some((
                        number.clone(),
                        keyword.clone(),
                        if reply_senders.is_empty() {
                            vec![number.clone()]
                        } else {
                            reply_senders.clone()
                        },
                        (*reply_parts_expected, *reply_messages),
                    )),
                    _ => None,
                })
            })
            .ok_or_else(|| {
                CheckError::new(
                    ErrorKind::Usage,
                    "no SMS method known for this SIM: pass --sms NUMBER --keyword TEXT",
                )
            })?,
    };
    if !req.sms.senders.is_empty() {
        senders = req.sms.senders.clone();
    }
    Ok(SmsAsk {
        number,
        keyword,
        senders,
        country_code: cc.map(str::to_string),
        wait: WaitOptions {
            wait: req.sms.wait,
            settle: req.sms.settle.min(std::time::Duration::from_secs(600)),
            expect_parts: expect.0.map(usize::from),
            expect_messages: expect.1.map(usize::from),
            ..WaitOptions::default()
        },
    })
}

/// Whose notices to read, and which words they must contain.
fn inbox_plan(
    req: &Request,
    profile: Option<&Profile>,
) -> Result<(Vec<String>, Vec<String>), CheckError> {
    let (mut senders, mut words) = (req.sms.senders.clone(), Vec::new());
    if let Some(p) = profile {
        for m in &p.methods {
            if let Method::Inbox {
                senders: ps,
                match_words,
                ..
            } = m
            {
                if req.sms.senders.is_empty() {
                    senders.extend(ps.iter().cloned());
                }
                words.extend(match_words.iter().cloned());
            }
        }
    }
    if senders.is_empty() && words.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Usage,
            "--from-inbox needs to know whose notices to read: pass --sender FROM (e.g. --sender 10086), or use a SIM whose carrier profile lists its notice senders",
        ));
    }
    Ok((senders, words))
}

fn no_notice(senders: &[String], words: &[String]) -> CheckError {
    CheckError::new(
        ErrorKind::NoAnswer,
        format!(
            "no notice from {} in the SIM/modem storage{}",
            senders.join(" / "),
            if words.is_empty() {
                String::new()
            } else {
                format!(" containing {}", words.join(" or "))
            }
        ),
    )
}

/// The spend guard: records this query SMS — every part of it — before it is sent (a crash
/// afterwards still counts), under every key of the SIM, or refuses it. Returns a note when
/// `--force` moved a damaged guard file aside.
fn admit_query(
    req: &Request,
    state: &OpenState,
    id: &Identity,
    ask: &SmsAsk,
) -> Result<Option<String>, CheckError> {
    let guard = SpendGuard {
        max: req.guard.max,
        window: req.guard.window,
        dir: state.dir.clone(),
    };
    let keys = sim_keys(id.iccid.as_deref(), id.imsi.as_deref());
    // Counted as the concatenated PDU parts (what goes out in PDU mode, and through
    // ModemManager); a text-mode modem refuses a text longer than one part before sending.
    let parts = crate::sms::flow::pdu_parts(&ask.number, &ask.keyword)
        .map_err(|e| CheckError::new(ErrorKind::Usage, e.to_string()))?;
    match guard.admit(
        &keys,
        &ask.number,
        &ask.keyword,
        parts,
        req.guard.force,
        unix_now(),
    ) {
        Ok(done) => Ok(done.damaged_moved_to.map(|to| {
            format!(
                "--force: the damaged spend guard file was moved to {to}; counting starts again"
            )
        })),
        Err(GuardError::Refused(r)) => Err(CheckError::new(ErrorKind::SpendGuard, r.to_string())),
        Err(e) => Err(CheckError::new(ErrorKind::SpendGuard, e.to_string())),
    }
}

/// The carrier has no USSD path a modem can use: the other ways, or (no profile) a usage error.
fn no_method(
    profile: Option<&Profile>,
    notes: &[String],
    iccid: Option<&str>,
) -> Result<Outcome, CheckError> {
    let Some(p) = profile else {
        let mut msg = "this SIM's carrier is not known, so there is no USSD code to ask: pass --ussd CODE (e.g. --ussd '*100#'), or --carrier ID (see `simquota carriers`)".to_string();
        for n in notes {
            msg.push_str("\n  ");
            msg.push_str(n);
        }
        return Err(CheckError::new(ErrorKind::Usage, msg));
    };
    Ok(Outcome::NoMethod(Box::new(NoMethod {
        schema_version: 1,
        method: "none",
        carrier: CarrierRef {
            id: p.id.clone(),
            name: p.name.clone(),
            selected_by: None,
        },
        reply_text: None,
        remaining_bytes: None,
        other_ways: p
            .methods
            .iter()
            .filter(|m| !matches!(m, Method::Ussd { .. }))
            .cloned()
            .collect(),
        iccid: iccid.map(str::to_string),
        estimate: None,
    })))
}

/// Understands a carrier reply with the profile's hints, language and unit base (if any);
/// returns the reading, today's date and the unit base used.
pub fn understand(text: &str, profile: Option<&Profile>) -> (Reading, Date, u64) {
    let today = local_today();
    let mut opts = crate::balance::ParseOptions::new(today);
    if let Some(p) = profile {
        opts.units_base = u64::from(p.units_base);
        opts.language = p.language.clone();
        opts.hints = p.reply_hints.clone();
        opts.country = Some(p.country.clone()).filter(|c| !c.is_empty());
        opts.currency = p.currency.clone();
    }
    (crate::balance::parse(text, &opts), today, opts.base())
}

/// Today's date in the local time zone (the parser never reads the clock; the check does).
/// The zone is the system's (`TZ`, including POSIX rules like `CST-8`, else /etc/localtime),
/// through `jiff`; UTC when none is configured (a router without zone files).
pub fn local_today() -> Date {
    let today = jiff::ZonedDateTime::now().date();
    Date {
        year: i32::from(today.year()),
        month: today.month().unsigned_abs(),
        day: today.day().unsigned_abs(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{scenario::Scenario, Family};

    #[tokio::test]
    async fn a_simulated_check_through_the_library() {
        let mut req = Request::simulated(Family::Quectel, Scenario::builtin_default());
        assert_eq!(req.state, StateLocation::Scratch);
        req.method = MethodChoice::Ussd {
            code: "*102#".into(),
        };
        let Outcome::Reading(r) = run(&req).await.expect("the check runs") else {
            panic!("the emulator's carrier has a USSD code");
        };
        assert_eq!(r.method, MethodUsed::Ussd);
        assert_eq!(r.request, "*102#");
        assert!(r.reply_text.contains("850 MB left"), "{}", r.reply_text);
        assert_eq!(r.remaining_bytes, Some(850 * 1024 * 1024));
        assert_eq!(
            r.modem.as_ref().and_then(|m| m.manufacturer.as_deref()),
            Some("Quectel")
        );
    }

    #[test]
    fn a_scratch_state_dir_is_private_and_removed() {
        let st = OpenState::open(&StateLocation::Scratch).expect("temp dir");
        let dir = st.dir.path().to_path_buf();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        st.dir.write("x.json", &1u8).expect("writable");
        drop(st);
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
}
