//! `--backend auto|at|modemmanager` for the commands that are not a balance check (`ussd`,
//! `info`): through ModemManager when it owns the modem. The balance check's ModemManager
//! backend is [`crate::check::mm`].

use std::time::Duration;

use super::args::PortArgs;
use super::{exit, Failure};
use crate::mm::{self, MmError, MmModem};

impl From<MmError> for Failure {
    fn from(e: MmError) -> Self {
        crate::check::CheckError::from(e).into()
    }
}

/// The ModemManager modem to use, or `None` for the AT backend.
pub(super) async fn choose(p: &PortArgs) -> Result<Option<MmModem>, Failure> {
    if p.simulate {
        return Ok(None);
    }
    Ok(crate::check::mm::choose(&super::modem_choice(p)?).await?)
}

/// `simquota ussd` through ModemManager.
pub(super) async fn ussd_cmd(a: &super::args::UssdArgs, modem: MmModem) -> Result<u8, Failure> {
    if a.cancel {
        mm::cancel_ussd(&modem).await?;
        if a.port.json {
            super::print_json(&crate::output::UssdCancelDoc {
                schema_version: crate::output::V1,
                cancelled: true,
                result: None,
            });
            return Ok(exit::OK);
        }
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
        super::print_json(&crate::output::UssdDoc {
            schema_version: crate::output::V1,
            request: code,
            port: modem.path.clone(),
            backend: Some("modemmanager".into()),
            reply_text: last,
            exchanges: out.exchanges,
            style: None,
            cancelled_menu: out.cancelled_menu,
        });
    } else {
        for e in &out.exchanges {
            if out.exchanges.len() > 1 {
                println!("> {}", super::render::safe(&e.request));
            }
            if let Some(t) = &e.reply {
                println!("{}", super::render::safe(&t.text));
            }
        }
    }
    Ok(exit::OK)
}
