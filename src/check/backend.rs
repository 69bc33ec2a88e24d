//! The seam between the check and the modem: one [`Backend`] per transport. The flow in
//! [`super::run`] is written once against this trait; the AT driver ([`super::at`]) and
//! ModemManager ([`super::mm`]) implement it.

use std::time::Duration;

use crate::modem::Identity;
use crate::sms::flow::WaitOptions;
use crate::ussd::RequestStyle;

use super::error::CheckError;
use super::report::{SmsDetails, UssdDetails};

/// A USSD question.
#[derive(Debug, Clone)]
pub struct UssdAsk {
    /// The code.
    pub code: String,
    /// Menu answers in order.
    pub replies: Vec<String>,
    /// Wait for the first reply.
    pub timeout: Duration,
    /// Request style to try first (remembered per modem model).
    pub style: Option<RequestStyle>,
    /// How this modem model's all-hex GSM 7-bit replies read before (remembered per model).
    pub seen: Option<crate::ussd::Interpretation>,
}

/// A USSD answer.
#[derive(Debug, Clone)]
pub struct UssdAnswer {
    /// The last decoded reply text (empty when none).
    pub text: String,
    /// The request style the modem accepted (AT backend), to remember.
    pub style: Option<RequestStyle>,
    /// How an all-hex reply under a GSM 7-bit DCS was read, to remember for this model.
    pub seen: Option<crate::ussd::Interpretation>,
    /// The conversation, for the report.
    pub details: UssdDetails,
}

/// A query SMS: what to send, and whose reply to wait for.
#[derive(Debug, Clone)]
pub struct SmsAsk {
    /// Destination.
    pub number: String,
    /// Keyword.
    pub keyword: String,
    /// Who the reply may come from.
    pub senders: Vec<String>,
    /// The SIM country's calling code (number normalisation).
    pub country_code: Option<String>,
    /// How long to wait and settle.
    pub wait: WaitOptions,
}

/// A reply or notice.
#[derive(Debug, Clone)]
pub struct SmsAnswer {
    /// The joined text.
    pub text: String,
    /// The details for the report.
    pub details: SmsDetails,
}

/// Called while waiting for an SMS reply with the senders waited for and the time left (a
/// progress display).
pub type Progress<'a> = dyn FnMut(&[String], Duration) + Send + 'a;

/// One transport to a modem. Every method may be called at most in the order the check
/// needs; [`Backend::finish`] is always called last, on every path.
// The futures are awaited where they are made (no spawning), so no `Send` bound is needed.
#[allow(async_fn_in_trait)]
pub trait Backend {
    /// The port or object path, for the report.
    fn port(&self) -> String;

    /// The modem and SIM.
    async fn identify(&mut self) -> Result<Identity, CheckError>;

    /// Asks a USSD code (and answers a menu).
    async fn ussd(&mut self, ask: &UssdAsk) -> Result<UssdAnswer, CheckError>;

    /// Gets ready for SMS: remembers what is already stored (so only new messages count as the
    /// reply). Called before the spend guard admits the query.
    async fn sms_prepare(&mut self, country_code: Option<&str>) -> Result<(), CheckError>;

    /// Sends the query and waits for the reply (the spend guard admitted it already).
    async fn sms_query(
        &mut self,
        ask: &SmsAsk,
        progress: &mut Progress<'_>,
    ) -> Result<SmsAnswer, CheckError>;

    /// The newest stored notice from `senders` containing one of `words` (any if empty).
    async fn inbox(
        &mut self,
        senders: &[String],
        country_code: Option<&str>,
        words: &[String],
    ) -> Result<Option<SmsAnswer>, CheckError>;

    /// Things the user should know (e.g. messages that had to be marked read).
    fn notes(&self) -> Vec<String>;

    /// Deletes the reply the last [`Backend::sms_query`] received; one line per part, for
    /// stderr (`Err` for a part that could not be deleted).
    async fn delete_reply(&mut self) -> Vec<Result<String, String>>;

    /// Restores the modem (and writes the transcript); lines for stderr (`warning: …`).
    async fn finish(self) -> Result<Vec<String>, CheckError>;
}
