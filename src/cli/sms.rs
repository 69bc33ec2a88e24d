//! `simquota sms …`, `simquota decode pdu`, and the SMS paths of `simquota balance`
//! (`--sms NUMBER --keyword TEXT`, a carrier profile's SMS method, `--from-inbox`).
//! The logic lives in [`crate::sms::flow`] and [`crate::sms::guard`]; this file resolves
//! options, renders and maps errors to exit codes.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use super::args::{BalanceArgs, PortArgs, SmsCmd};
use super::{exit, open, render, report_json, understand, Failure, Session};
use crate::carrier::{Method, Profile, Selection};
use crate::modem::Identity;
use crate::sms::concat::Location;
use crate::sms::flow::{
    calling_code_for_mcc, JoinedMessage, SenderMatcher, SmsError, SmsSession, WaitOptions,
};
use crate::sms::guard::{parse_duration, unix_now, GuardError, SpendGuard};
use crate::sms::{MessageStatus, Pdu, SmscPrefix};
use crate::state::StateDir;

impl From<SmsError> for Failure {
    fn from(e: SmsError) -> Self {
        match e {
            SmsError::Modem(m) => m.into(),
            SmsError::Encode(_) => Failure::new(exit::USAGE, e.to_string()),
            SmsError::NotFound { .. } => Failure::new(exit::USAGE, e.to_string()),
            SmsError::NoNetwork(_) => Failure::new(exit::SIM, e.to_string()),
            other => Failure::new(exit::NO_ANSWER, other.to_string()),
        }
    }
}

pub(super) fn country_code(id: &Identity) -> Option<&'static str> {
    id.imsi
        .as_deref()
        .and_then(|i| i.get(..3))
        .and_then(calling_code_for_mcc)
}

/// Runs `f` on an SMS session and always restores the modem afterwards.
async fn with_session<T>(
    p: &PortArgs,
    f: impl for<'a> FnOnce(
        &'a mut Session,
        &'a mut SmsSession,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<T, Failure>> + 'a>,
    >,
) -> Result<(T, Vec<String>), Failure> {
    let mut s = open(p).await?;
    let cc = s
        .modem
        .ok("AT+CIMI")
        .await
        .ok()
        .and_then(|l| {
            l.iter()
                .find(|x| x.trim().len() >= 5)
                .map(|x| x.trim().to_string())
        })
        .and_then(|imsi| imsi.get(..3).and_then(calling_code_for_mcc));
    let mut sms = match SmsSession::open(&mut s.modem, cc).await {
        Ok(v) => v,
        Err(e) => {
            let _ = s.finish().await;
            return Err(e.into());
        }
    };
    let r = f(&mut s, &mut sms).await;
    let mut notes = sms.notes.clone();
    notes.extend(sms.marked_read_note());
    s.finish().await?;
    r.map(|v| (v, notes))
}

/// `STORAGE:INDEX` or `INDEX` (in the first storage).
fn parse_index(text: &str, storages: &[String]) -> Result<(String, u32), Failure> {
    let (st, ix) = match text.split_once(':') {
        Some((s, i)) => (s.trim().to_ascii_uppercase(), i),
        None => (
            storages.first().cloned().unwrap_or_else(|| "SM".into()),
            text,
        ),
    };
    let index = ix.trim().parse::<u32>().map_err(|_| {
        Failure::new(
            exit::USAGE,
            format!("{text:?} is not a message index (e.g. 3 or SM:3; see simquota sms list)"),
        )
    })?;
    Ok((st, index))
}

fn loc_text(l: &Location) -> String {
    format!("{}:{}", l.storage.as_deref().unwrap_or("?"), l.index)
}

fn status_text(s: Option<MessageStatus>) -> &'static str {
    match s {
        Some(MessageStatus::ReceivedUnread) => "unread",
        Some(MessageStatus::ReceivedRead) => "read",
        Some(MessageStatus::StoredUnsent) => "unsent",
        Some(MessageStatus::StoredSent) => "sent",
        None => "?",
    }
}

fn print_notes(notes: &[String]) {
    for n in notes {
        eprintln!("simquota: note: {n}");
    }
}

fn render_message(m: &JoinedMessage) -> String {
    let locs: Vec<String> = m.locations.iter().map(loc_text).collect();
    format!(
        "[{}] {} from {} at {}{}\n{}\n",
        locs.join(","),
        status_text(m.status),
        m.from,
        m.timestamp.as_deref().unwrap_or("?"),
        if m.parts > 1 {
            format!(" ({} parts)", m.parts)
        } else {
            String::new()
        },
        m.text
    )
}

/// `simquota sms …`.
pub(super) async fn run(c: SmsCmd) -> Result<u8, Failure> {
    match c {
        SmsCmd::Send { number, text, port } => {
            let json_out = port.json;
            let (refs, notes) = with_session(&port, |_s, sms| {
                Box::pin(async move {
                    let refs = sms.send(&mut _s.modem, &number, &text).await?;
                    Ok(refs)
                })
            })
            .await?;
            print_notes(&notes);
            if json_out {
                let v = json!({"schema_version": 1, "sent": true, "message_references": refs});
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                println!(
                    "sent ({} part(s), message reference {})",
                    refs.len().max(1),
                    refs.iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            Ok(exit::OK)
        }
        SmsCmd::List { unread, port } => {
            let json_out = port.json;
            let ((msgs, storages, mode), notes) = with_session(&port, |s, sms| {
                Box::pin(async move {
                    let parts = sms.list_all(&mut s.modem).await?;
                    let msgs = crate::sms::flow::join_parts(&parts, None);
                    Ok((msgs, sms.storages.clone(), sms.mode))
                })
            })
            .await?;
            let msgs: Vec<JoinedMessage> = msgs
                .into_iter()
                .filter(|m| !unread || m.status == Some(MessageStatus::ReceivedUnread))
                .collect();
            if json_out {
                let v = json!({"schema_version": 1, "storages": storages, "mode": mode, "messages": msgs, "notes": notes});
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                print_notes(&notes);
                if msgs.is_empty() {
                    println!("no messages in {}", storages.join(", "));
                }
                for m in &msgs {
                    print!("{}", render_message(m));
                }
            }
            Ok(exit::OK)
        }
        SmsCmd::Read { index, port } => {
            let json_out = port.json;
            let (part, notes) = with_session(&port, |s, sms| {
                Box::pin(async move {
                    let (st, ix) = parse_index(&index, &sms.storages)?;
                    Ok(sms.read(&mut s.modem, &st, ix).await?)
                })
            })
            .await?;
            print_notes(&notes);
            if json_out {
                let v = json!({"schema_version": 1, "message": part, "sms": part.sms});
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                let m = crate::sms::flow::join_parts(std::slice::from_ref(&part), None);
                for m in &m {
                    print!("{}", render_message(m));
                }
                if let Some(c) = part.sms.as_ref().and_then(|s| s.concat) {
                    println!("(part {} of {}, reference {})", c.seq, c.total, c.reference);
                }
            }
            Ok(exit::OK)
        }
        SmsCmd::Delete { indices, port } => {
            let json_out = port.json;
            let (done, notes) = with_session(&port, |s, sms| {
                Box::pin(async move {
                    let mut done = Vec::new();
                    for i in &indices {
                        let (st, ix) = parse_index(i, &sms.storages)?;
                        sms.delete(&mut s.modem, &st, ix).await?;
                        done.push(format!("{st}:{ix}"));
                    }
                    Ok(done)
                })
            })
            .await?;
            print_notes(&notes);
            if json_out {
                let v = json!({"schema_version": 1, "deleted": done});
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                for d in done {
                    println!("deleted {d}");
                }
            }
            Ok(exit::OK)
        }
    }
}

/// `simquota decode pdu HEX`.
pub(super) fn decode_pdu(hex_text: &str, json_out: bool) -> Result<u8, Failure> {
    let compact: String = hex_text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = crate::codec::hex::decode(&compact)
        .map_err(|e| Failure::new(exit::USAGE, format!("not PDU hex: {e}")))?;
    let (prefix, _) = SmscPrefix::detect(&bytes, None);
    let sms = Pdu::decode(&bytes, prefix)
        .or_else(|e| {
            let other = match prefix {
                SmscPrefix::Present => SmscPrefix::Absent,
                SmscPrefix::Absent => SmscPrefix::Present,
            };
            Pdu::decode(&bytes, other).map_err(|_| e)
        })
        .map_err(|e| Failure::new(exit::NOT_UNDERSTOOD, format!("cannot decode the PDU: {e}")))?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&sms).unwrap_or_default());
    } else {
        let who = match sms.sender() {
            Some(a) => format!("from {}", a.display()),
            None => format!("to {}", sms.address.display()),
        };
        println!(
            "{who}{}",
            sms.timestamp
                .map(|t| format!(" at {}", t.to_rfc3339()))
                .unwrap_or_default()
        );
        if let Some(c) = sms.concat {
            println!("part {} of {} (reference {})", c.seq, c.total, c.reference);
        }
        println!("{}", sms.text);
        for w in &sms.warnings {
            eprintln!("warning: {w}");
        }
    }
    Ok(exit::OK)
}

/// True when `balance` should go by SMS: asked for explicitly, or the carrier's profile has
/// an SMS method and no USSD code (and no `--ussd` was given).
pub(super) fn wanted(a: &BalanceArgs, profile: Option<&Profile>) -> bool {
    if a.sms.sms.is_some() || a.sms.from_inbox {
        return true;
    }
    if a.ussd.is_some() {
        return false;
    }
    profile.is_some_and(|p| {
        !p.methods.iter().any(|m| matches!(m, Method::Ussd { .. }))
            && p.methods.iter().any(|m| matches!(m, Method::Sms { .. }))
    })
}

pub(super) struct Plan {
    pub(super) number: String,
    pub(super) keyword: String,
    pub(super) senders: Vec<String>,
    pub(super) expect_parts: Option<usize>,
}

/// What to send where, and whom to expect the reply from: `--sms/--keyword`, else the carrier
/// profile's SMS method.
pub(super) fn sms_plan(
    a: &BalanceArgs,
    profile: Option<&Profile>,
    cc: Option<&str>,
) -> Result<Plan, Failure> {
    let plan = match (&a.sms.sms, &a.sms.keyword) {
        (Some(n), Some(k)) => {
            let from_profile = profile.and_then(|p| {
                p.methods.iter().find_map(|m| match m {
                    Method::Sms {
                        number,
                        reply_senders,
                        reply_parts_expected,
                        ..
                    } if crate::sms::same_sender(number, n, cc) => {
                        Some((reply_senders.clone(), *reply_parts_expected))
                    }
                    _ => None,
                })
            });
            let (mut senders, expect) = from_profile.unwrap_or_default();
            senders.push(n.clone());
            Plan {
                number: n.clone(),
                keyword: k.clone(),
                senders,
                expect_parts: expect.map(usize::from),
            }
        }
        _ => {
            let m = profile.and_then(|p| {
                p.methods.iter().find_map(|m| match m {
                    Method::Sms {
                        number,
                        keyword,
                        reply_senders,
                        reply_parts_expected,
                        ..
                    } => Some(Plan {
                        number: number.clone(),
                        keyword: keyword.clone(),
                        senders: if reply_senders.is_empty() {
                            vec![number.clone()]
                        } else {
                            reply_senders.clone()
                        },
                        expect_parts: reply_parts_expected.map(usize::from),
                    }),
                    _ => None,
                })
            });
            m.ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    "no SMS method known for this SIM: pass --sms NUMBER --keyword TEXT",
                )
            })?
        }
    };
    Ok(plan)
}

/// The spend guard: records this query SMS before it is sent (a crash afterwards still counts),
/// or refuses it with exit code 7.
pub(super) fn admit_query(a: &BalanceArgs, id: &Identity, plan: &Plan) -> Result<(), Failure> {
    let window = parse_duration(&a.sms.sms_window)
        .map_err(|e| Failure::new(exit::USAGE, format!("--sms-window: {e}")))?;
    let guard = SpendGuard {
        max: a.sms.max_sms,
        window,
        dir: StateDir::resolve(),
    };
    let sim_key = id
        .iccid
        .clone()
        .or_else(|| id.imsi.clone())
        .unwrap_or_else(|| "unknown-sim".into());
    match guard.admit(
        &sim_key,
        &plan.number,
        &plan.keyword,
        a.sms.force,
        unix_now(),
    ) {
        Ok(()) => {}
        Err(GuardError::Refused(r)) => {
            return Err(Failure::new(exit::SPEND_GUARD, r.to_string()));
        }
        Err(e) => return Err(Failure::new(exit::SPEND_GUARD, e.to_string())),
    }
    Ok(())
}

/// `simquota balance` by SMS (or from the inbox). Owns `s` and restores the modem.
pub(super) async fn balance(
    mut s: Session,
    a: &BalanceArgs,
    id: Identity,
    profile: Option<Profile>,
    selection: &Selection<'_>,
    deliver: &mut super::Deliver<'_>,
) -> Result<u8, Failure> {
    let cc = country_code(&id);
    let mut sms = match SmsSession::open(&mut s.modem, cc).await {
        Ok(v) => v,
        Err(e) => {
            let _ = s.finish().await;
            return Err(e.into());
        }
    };
    let outcome = if a.sms.from_inbox {
        inbox(&mut s, &mut sms, a, profile.as_ref(), cc).await
    } else {
        query(&mut s, &mut sms, a, &id, profile.as_ref(), cc).await
    };
    let mut notes = sms.notes.clone();
    notes.extend(sms.marked_read_note());
    let port = s.port.clone();
    let (text, request, sms_json, reply_locs) = match outcome {
        Ok(v) => v,
        Err(f) => {
            let _ = s.finish().await;
            print_notes(&notes);
            return Err(f);
        }
    };
    // Parse and write out the result *before* any deletion.
    let (reading, today, base) = understand(&text, profile.as_ref());
    let method = if a.sms.from_inbox { "inbox" } else { "sms" };
    let carrier = profile
        .as_ref()
        .map(|p| json!({"id": p.id, "name": p.name, "selected_by": selection.how.to_string()}));
    let mut doc = report_json(method, &request, &text, &reading, carrier);
    doc["port"] = json!(port.to_string_lossy());
    doc["modem"] = json!(id);
    doc["sms"] = sms_json;
    doc["notes"] = json!(notes);
    if !a.port.json {
        print_notes(&notes);
    }
    let human = render::balance(&request, &text, &reading, &id, today, base);
    let code_out = deliver(&super::Checked {
        method: method.into(),
        request: request.clone(),
        text: text.clone(),
        reading,
        doc,
        human,
        id: id.clone(),
        carrier: profile.as_ref().map(|p| p.id.clone()),
    })?;
    let _ = std::io::stdout().flush();
    if a.sms.delete_reply && !a.sms.from_inbox {
        for l in &reply_locs {
            let Some(st) = l.storage.as_deref() else {
                continue;
            };
            match sms.delete(&mut s.modem, st, l.index).await {
                Ok(()) => eprintln!("simquota: deleted the reply part {}", loc_text(l)),
                Err(e) => eprintln!(
                    "simquota: warning: could not delete the reply part {}: {e}",
                    loc_text(l)
                ),
            }
        }
    }
    s.finish().await?;
    Ok(code_out)
}

type Outcome = (String, String, serde_json::Value, Vec<Location>);

async fn inbox(
    s: &mut Session,
    sms: &mut SmsSession,
    a: &BalanceArgs,
    profile: Option<&Profile>,
    cc: Option<&str>,
) -> Result<Outcome, Failure> {
    let (mut senders, mut words) = (a.sms.senders.clone(), Vec::new());
    if let Some(p) = profile {
        for m in &p.methods {
            if let Method::Inbox {
                senders: ps,
                match_words,
                ..
            } = m
            {
                if a.sms.senders.is_empty() {
                    senders.extend(ps.iter().cloned());
                }
                words.extend(match_words.iter().cloned());
            }
        }
    }
    if senders.is_empty() && words.is_empty() {
        return Err(Failure::new(
            exit::USAGE,
            "--from-inbox needs to know whose notices to read: pass --sender FROM (e.g. --sender 10086), or use a SIM whose carrier profile lists its notice senders",
        ));
    }
    let m = SenderMatcher {
        senders: senders.clone(),
        country_code: cc.map(str::to_string),
    };
    let found = sms.newest_notice(&mut s.modem, &m, &words).await?;
    let Some(msg) = found else {
        return Err(Failure::new(
            exit::NO_ANSWER,
            format!(
                "no notice from {} in the SIM/modem storage{}",
                senders.join(" / "),
                if words.is_empty() {
                    String::new()
                } else {
                    format!(" containing {}", words.join(" or "))
                }
            ),
        ));
    };
    let v = json!({
        "reply_from": msg.from,
        "parts": msg.parts,
        "indices": msg.locations,
        "timestamp": msg.timestamp,
        "senders": senders,
    });
    Ok((msg.text.clone(), "inbox".into(), v, msg.locations.clone()))
}

async fn query(
    s: &mut Session,
    sms: &mut SmsSession,
    a: &BalanceArgs,
    id: &Identity,
    profile: Option<&Profile>,
    cc: Option<&str>,
) -> Result<Outcome, Failure> {
    let plan = sms_plan(a, profile, cc)?;
    let mut senders = plan.senders.clone();
    if !a.sms.senders.is_empty() {
        senders = a.sms.senders.clone();
    }
    let mut baseline = sms.prepare_wait(&mut s.modem).await?;
    admit_query(a, id, &plan)?;
    let sent_at = Instant::now();
    let refs = sms.send(&mut s.modem, &plan.number, &plan.keyword).await?;
    let opts = WaitOptions {
        wait: Duration::from_secs(a.sms.wait),
        settle: Duration::from_secs_f64(a.sms.settle.clamp(0.0, 600.0)),
        expect_parts: plan.expect_parts,
        ..WaitOptions::default()
    };
    let matcher = SenderMatcher {
        senders: senders.clone(),
        country_code: cc.map(str::to_string),
    };
    let tty = std::io::stderr().is_terminal() && !a.port.json;
    let spin = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let mut tick = 0usize;
    let label = format!("waiting for the reply from {}", senders.join(" / "));
    let mut progress = move |left: Duration| {
        if tty {
            tick = tick.wrapping_add(1);
            eprint!(
                "\r{} {label}… {}s left ",
                spin.get(tick % spin.len()).copied().unwrap_or('*'),
                left.as_secs()
            );
            let _ = std::io::stderr().flush();
        }
    };
    let reply = sms
        .await_reply(
            &mut s.modem,
            &mut baseline,
            &matcher,
            &opts,
            sent_at,
            &plan.number,
            &plan.keyword,
            &mut progress,
        )
        .await;
    if tty {
        eprint!("\r\x1b[K");
    }
    let reply = reply?;
    let v = json!({
        "number": plan.number,
        "keyword": plan.keyword,
        "reply_from": reply.from,
        "parts": reply.parts,
        "missing_parts": reply.missing,
        "indices": reply.indices,
        "messages": reply.messages.len(),
        "noticed_by": reply.noticed_by,
        "message_references": refs,
        "mode": sms.mode,
        "elapsed_ms": sent_at.elapsed().as_millis() as u64,
        "delete_reply": a.sms.delete_reply,
    });
    Ok((reply.text.clone(), plan.keyword.clone(), v, reply.indices))
}
