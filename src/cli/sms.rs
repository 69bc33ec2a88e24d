//! `simquota sms …`, `simquota decode pdu`, and the SMS paths of `simquota balance`
//! (`--sms NUMBER --keyword TEXT`, a carrier profile's SMS method, `--from-inbox`).
//! The logic lives in [`crate::sms::flow`] and [`crate::sms::guard`]; this file resolves
//! options, renders and maps errors to exit codes.

use crate::output;

use super::args::{PortArgs, SmsCmd};
use super::{exit, open, print_notes, Failure};
use crate::check::at::AtSession;
use crate::sms::concat::Location;
use crate::sms::flow::{calling_code_for_mcc, JoinedMessage, SmsError, SmsSession};
use crate::sms::{MessageStatus, Pdu, SmscPrefix};

impl From<SmsError> for Failure {
    fn from(e: SmsError) -> Self {
        crate::check::CheckError::from(e).into()
    }
}

/// Runs `f` on an SMS session and always restores the modem afterwards.
async fn with_session<T>(
    p: &PortArgs,
    f: impl for<'a> FnOnce(
        &'a mut AtSession,
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
    super::finish(s).await?;
    r.map(|v| (v, notes))
}

/// `STORAGE:INDEX` or `INDEX` (in the first storage); a storage this modem does not have is
/// a usage error.
fn parse_index(text: &str, storages: &[String]) -> Result<(String, u32), Failure> {
    let (st, ix) = match text.split_once(':') {
        Some((s, i)) => (s.trim().to_ascii_uppercase(), i),
        None => (
            storages.first().cloned().unwrap_or_else(|| "SM".into()),
            text,
        ),
    };
    if !storages.is_empty() && !storages.contains(&st) {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "{text:?}: {st:?} is not a message storage of this modem (it has {}); write e.g. 3 or SM:3 (see simquota sms list)",
                storages.join(", ")
            ),
        ));
    }
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
                super::print_json(&output::SmsSendDoc {
                    schema_version: output::V1,
                    sent: true,
                    message_references: refs,
                });
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
        SmsCmd::List {
            unread,
            read_unread,
            port,
        } => {
            let json_out = port.json;
            let ((msgs, storages, mode), notes) = with_session(&port, |s, sms| {
                Box::pin(async move {
                    sms.read_unread = read_unread;
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
                super::print_json(&output::SmsListDoc {
                    schema_version: output::V2,
                    storages,
                    mode,
                    messages: msgs.iter().map(output::MessageDoc::from).collect(),
                    notes,
                });
            } else {
                print_notes(&notes);
                if msgs.is_empty() {
                    println!("no messages in {}", storages.join(", "));
                }
                for m in &msgs {
                    print!("{}", super::render::safe(&render_message(m)));
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
                super::print_json(&output::SmsReadDoc {
                    schema_version: output::V2,
                    message: output::PartDoc::from(&part),
                    sms: part.sms.as_ref().map(output::SmsDoc::from),
                });
            } else {
                let m = crate::sms::flow::join_parts(std::slice::from_ref(&part), None);
                for m in &m {
                    print!("{}", super::render::safe(&render_message(m)));
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
                super::print_json(&output::SmsDeleteDoc {
                    schema_version: output::V1,
                    deleted: done,
                });
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
        super::print_json(&output::DecodePduDoc {
            schema_version: output::V2,
            sms: output::SmsDoc::from(&sms),
        });
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
        println!("{}", super::render::safe(&sms.text));
        for w in &sms.warnings {
            eprintln!("warning: {w}");
        }
    }
    Ok(exit::OK)
}
