//! `--backend auto|at|modemmanager`: when ModemManager owns the modem, simquota asks through it
//! over D-Bus instead of fighting it for the serial port. The carrier selection, the reply
//! decoding and understanding, the spend guard and the output are the same as on the AT path.

use std::time::Duration;

use serde_json::json;

use super::args::{Backend, BalanceArgs, PortArgs};
use super::{
    exit, load_registry, render, report_json, understand, ussd_plan, Checked, Deliver, Failure,
};
use crate::carrier::Profile;
use crate::mm::{self, MmBus, MmError, MmModem};

impl From<MmError> for Failure {
    fn from(e: MmError) -> Self {
        Failure::new(exit::MODEM, format!("ModemManager: {e}"))
    }
}

/// The ModemManager modem to use, or `None` for the AT backend.
pub(super) async fn choose(p: &PortArgs) -> Result<Option<MmModem>, Failure> {
    if p.simulate || p.backend == Backend::At {
        return Ok(None);
    }
    let port = (p.port.as_os_str() != "auto").then_some(p.port.as_path());
    match p.backend {
        Backend::Auto => Ok(mm::select(port).await),
        _ => {
            let bus = MmBus::connect().await?;
            Ok(Some(bus.modem_for(port).await?))
        }
    }
}

/// A balance check through ModemManager.
pub(super) async fn balance(
    a: &BalanceArgs,
    modem: MmModem,
    deliver: &mut Deliver<'_>,
) -> Result<u8, Failure> {
    let registry = load_registry()?;
    let id = mm::identity(&modem).await?;
    let selection = registry.select(
        id.imsi.as_deref(),
        id.operator.as_deref(),
        a.carrier.as_deref(),
    );
    let profile: Option<Profile> = selection.profile.cloned();
    let carrier = profile
        .as_ref()
        .map(|p| json!({"id": p.id, "name": p.name, "selected_by": selection.how.to_string()}));
    let (method, request, text, extra) = if super::sms::wanted(a, profile.as_ref()) {
        let cc = super::sms::country_code(&id);
        let plan = super::sms::sms_plan(a, profile.as_ref(), cc)?;
        let known: Vec<String> = mm::sms_list(&modem)
            .await?
            .into_iter()
            .map(|s| s.path)
            .collect();
        super::sms::admit_query(a, &id, &plan)?;
        mm::sms_send(&modem, &plan.number, &plan.keyword).await?;
        let reply = mm::sms_wait_reply(
            &modem,
            &known,
            Some(plan.number.as_str()),
            Duration::from_secs(a.sms.wait),
            Duration::from_secs(2),
        )
        .await?;
        let text: String = reply.iter().filter_map(|s| s.text.clone()).collect();
        if text.is_empty() {
            return Err(Failure::new(
                exit::NO_ANSWER,
                format!("no SMS reply from {} within {} s", plan.number, a.sms.wait),
            ));
        }
        let extra = json!({"number": plan.number, "keyword": plan.keyword, "parts": reply.len(), "backend": "modemmanager"});
        ("sms", plan.keyword.clone(), text, ("sms", extra))
    } else {
        let Some((code, replies)) = ussd_plan(a, profile.as_ref()) else {
            return super::no_modem_method(profile.as_ref(), &selection.notes, a.port.json);
        };
        let out = mm::ussd(&modem, &code, &replies, 8).await?;
        let text = out.last_text().map(|t| t.text.clone()).unwrap_or_default();
        let extra = json!({"exchanges": out.exchanges, "cancelled_menu": out.cancelled_menu, "backend": "modemmanager"});
        ("ussd", code, text, ("ussd", extra))
    };
    let (reading, today, base) = understand(&text, profile.as_ref());
    let mut doc = report_json(method, &request, &text, &reading, carrier);
    doc["port"] = json!(modem.path);
    doc["modem"] = json!(id);
    doc[extra.0] = extra.1;
    let human = render::balance(&request, &text, &reading, &id, today, base);
    deliver(&Checked {
        method: method.into(),
        request,
        text,
        reading,
        doc,
        human,
        id,
        carrier: profile.map(|p| p.id),
    })
}

/// `simquota ussd` through ModemManager.
pub(super) async fn ussd_cmd(a: &super::args::UssdArgs, modem: MmModem) -> Result<u8, Failure> {
    if a.cancel {
        mm::cancel_ussd(&modem).await?;
        println!("USSD session cancelled");
        return Ok(exit::OK);
    }
    let code = a.code.clone().unwrap_or_default();
    let mut opts = mm::MmUssdOptions {
        timeout: Duration::from_secs(a.timeout),
        overrides: crate::ussd::DecodeOverrides {
            dcs: a.dcs,
            charset: a.charset.map(super::charset),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = mm::ussd_with(&modem, &code, &a.replies, 8, &mut opts).await?;
    let last = out.last_text().map(|t| t.text.clone());
    if a.port.json {
        let v = json!({
            "schema_version": 1,
            "request": code,
            "port": modem.path,
            "backend": "modemmanager",
            "reply_text": last,
            "exchanges": out.exchanges,
            "cancelled_menu": out.cancelled_menu,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for e in &out.exchanges {
            if out.exchanges.len() > 1 {
                println!("> {}", e.request);
            }
            if let Some(t) = &e.reply {
                println!("{}", t.text);
            }
        }
    }
    Ok(exit::OK)
}
