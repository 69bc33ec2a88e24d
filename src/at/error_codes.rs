//! Typed `+CME ERROR` (TS 27.007 §9.2) and `+CMS ERROR` (TS 27.005 §3.2.5) codes.
//!
//! Modems report these numerically (`AT+CMEE=1`) or as text (`AT+CMEE=2`); both map to the same
//! variant. A number outside the table is `Unknown(n)`; a text outside the table (or a number
//! too large for `u16`, e.g. `+CME ERROR: 15790320` seen from Ai-Thinker firmware) is kept
//! verbatim as `Text`. Parsing never fails.
//!
//! `+CMS ERROR` 0–127 are the network's RP-cause values (TS 24.011 Annex E-2) and 128–255 the
//! TP-FCS values (TS 23.040 §9.2.3.22); 300–500 are the ME's own.

use std::fmt;

/// Text matching is done on a normalised form: lower case, `(u)` dropped, runs of anything that
/// is not a letter or digit collapsed into one space. So `SIM PIN required`,
/// `(U)SIM PIN required` and `sim-pin  required` all compare equal.
fn normalise(s: &str) -> String {
    let lower = s.to_ascii_lowercase().replace("(u)", "");
    let mut out = String::with_capacity(lower.len());
    let mut gap = false;
    for c in lower.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

macro_rules! error_table {
    (
        $(#[$meta:meta])*
        $name:ident, $label:literal,
        { $( $var:ident = $code:literal, $text:literal, $hint:expr, [$($alias:literal),*]; )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( #[doc = $text] $var, )*
            /// A numeric code not in the table.
            Unknown(u16),
            /// A text form not in the table (`AT+CMEE=2`), or a number too large for `u16`.
            Text(String),
        }

        impl $name {
            /// The variant for a numeric code (`Unknown(n)` when not in the table).
            pub fn from_code(code: u16) -> Self {
                match code {
                    $( $code => Self::$var, )*
                    other => Self::Unknown(other),
                }
            }

            /// The numeric code, when known.
            pub fn code(&self) -> Option<u16> {
                match self {
                    $( Self::$var => Some($code), )*
                    Self::Unknown(n) => Some(*n),
                    Self::Text(_) => None,
                }
            }

            /// The standard description of a known code.
            pub fn description(&self) -> Option<&'static str> {
                match self {
                    $( Self::$var => Some($text), )*
                    _ => None,
                }
            }

            /// What the user could try, where there is something useful to say.
            pub fn hint(&self) -> Option<&'static str> {
                match self {
                    $( Self::$var => $hint, )*
                    _ => None,
                }
            }

            /// Parse the part after `ERROR:` — a number or a text (never fails).
            pub fn parse(s: &str) -> Self {
                let t = s.trim();
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                    return match t.parse::<u16>() {
                        Ok(n) => Self::from_code(n),
                        Err(_) => Self::Text(t.to_string()),
                    };
                }
                let n = normalise(t);
                $(
                    if n == normalise($text) $( || n == normalise($alias) )* {
                        return Self::$var;
                    }
                )*
                Self::Text(t.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Self::Unknown(n) => write!(f, "unknown {} {}", $label, n),
                    Self::Text(t) => write!(f, "{} ({})", t, $label),
                    known => {
                        let text = known.description().unwrap_or("?");
                        match known.code() {
                            Some(c) => write!(f, "{} ({} {})", text, $label, c),
                            None => write!(f, "{} ({})", text, $label),
                        }
                    }
                }
            }
        }
    };
}

const UNLOCK_SIM: Option<&str> = Some("unlock the SIM (--pin)");
const INSERT_SIM: Option<&str> =
    Some("insert a SIM card and check it is seated; some modems need a power cycle to see it");
const SIM_BUSY: Option<&str> = Some("the SIM is still starting up: retry in a few seconds");
const NO_NETWORK: Option<&str> = Some("no network: check antenna/registration");
const NET_TIMEOUT: Option<&str> = Some("the network did not answer in time: retry later");
const PUK: Option<&str> = Some("the SIM is PUK-locked: unlock it with its PUK in a phone");
const STORAGE_FULL: Option<&str> = Some("SMS storage full: delete messages you no longer need");

error_table! {
    /// `+CME ERROR` codes (TS 27.007 §9.2.1, §9.2.2 GPRS).
    CmeError, "CME ERROR",
    {
        PhoneFailure = 0, "phone failure", None, [];
        NoConnection = 1, "no connection to phone", None, [];
        AdaptorLinkReserved = 2, "phone-adaptor link reserved", None, [];
        OperationNotAllowed = 3, "operation not allowed", Some("the modem refused this in its current state (SIM, registration or mode)"), [];
        OperationNotSupported = 4, "operation not supported", Some("the modem does not support this command: try the other method (USSD or SMS) or another port"), [];
        PhSimPinRequired = 5, "PH-SIM PIN required", Some("the modem is locked to another SIM (network lock)"), [];
        PhFsimPinRequired = 6, "PH-FSIM PIN required", None, [];
        PhFsimPukRequired = 7, "PH-FSIM PUK required", None, [];
        SimNotInserted = 10, "SIM not inserted", INSERT_SIM, ["SIM not insert", "no SIM"];
        SimPinRequired = 11, "SIM PIN required", UNLOCK_SIM, [];
        SimPukRequired = 12, "SIM PUK required", PUK, [];
        SimFailure = 13, "SIM failure", Some("the modem cannot talk to the SIM: reseat it or try it in a phone"), [];
        SimBusy = 14, "SIM busy", SIM_BUSY, [];
        SimWrong = 15, "SIM wrong", None, [];
        IncorrectPassword = 16, "incorrect password", Some("wrong PIN: check --pin (attempts are limited)"), [];
        SimPin2Required = 17, "SIM PIN2 required", None, [];
        SimPuk2Required = 18, "SIM PUK2 required", None, [];
        MemoryFull = 20, "memory full", STORAGE_FULL, [];
        InvalidIndex = 21, "invalid index", None, [];
        NotFound = 22, "not found", None, [];
        MemoryFailure = 23, "memory failure", None, [];
        TextStringTooLong = 24, "text string too long", None, [];
        InvalidCharacters = 25, "invalid characters in text string", Some("the text has characters the modem's character set (AT+CSCS) cannot carry"), [];
        DialStringTooLong = 26, "dial string too long", None, [];
        InvalidDialCharacters = 27, "invalid characters in dial string", None, [];
        NoNetworkService = 30, "no network service", NO_NETWORK, [];
        NetworkTimeout = 31, "network timeout", NET_TIMEOUT, [];
        NetworkNotAllowedEmergencyOnly = 32, "network not allowed - emergency calls only", Some("registered for emergency calls only: check the SIM's subscription and roaming"), [];
        NetworkPersonalisationPinRequired = 40, "network personalization PIN required", None, ["network personalisation PIN required"];
        Unknown100 = 100, "unknown", None, ["unknown error"];
        IllegalMs = 103, "Illegal MS", None, [];
        IllegalMe = 106, "Illegal ME", None, [];
        GprsNotAllowed = 107, "GPRS services not allowed", None, [];
        PlmnNotAllowed = 111, "PLMN not allowed", None, [];
        LocationAreaNotAllowed = 112, "Location area not allowed", None, [];
        RoamingNotAllowed = 113, "Roaming not allowed in this location area", Some("roaming is not allowed here: check the SIM's roaming"), [];
        ServiceOptionNotSupported = 132, "service option not supported", Some("the network rejected the request: for USSD try plain text instead of UCS-2 or packed hex"), [];
        ServiceOptionNotSubscribed = 133, "requested service option not subscribed", None, [];
        ServiceOptionOutOfOrder = 134, "service option temporarily out of order", NET_TIMEOUT, [];
        UnspecifiedGprsError = 148, "unspecified GPRS error", None, [];
        PdpAuthenticationFailure = 149, "PDP authentication failure", None, [];
        InvalidMobileClass = 150, "invalid mobile class", None, [];
    }
}

error_table! {
    /// `+CMS ERROR` codes (TS 27.005 §3.2.5; network causes TS 24.011 Annex E-2, TS 23.040 §9.2.3.22).
    CmsError, "CMS ERROR",
    {
        UnassignedNumber = 1, "unassigned (unallocated) number", Some("the destination number does not exist: check it"), [];
        OperatorDeterminedBarring = 8, "operator determined barring", Some("the operator barred this: check that the plan allows SMS"), [];
        CallBarred = 10, "call barred", Some("outgoing SMS are barred on this SIM"), [];
        TransferRejected = 21, "short message transfer rejected", None, [];
        DestinationOutOfService = 27, "destination out of service", None, [];
        UnidentifiedSubscriber = 28, "unidentified subscriber", None, [];
        FacilityRejected = 29, "facility rejected", None, [];
        UnknownSubscriber = 30, "unknown subscriber", None, [];
        NetworkOutOfOrder = 38, "network out of order", NET_TIMEOUT, [];
        TemporaryFailure = 41, "temporary failure", NET_TIMEOUT, [];
        Congestion = 42, "congestion", NET_TIMEOUT, [];
        ResourcesUnavailable = 47, "resources unavailable, unspecified", NET_TIMEOUT, [];
        FacilityNotSubscribed = 50, "requested facility not subscribed", Some("the SIM's plan does not include SMS"), [];
        FacilityNotImplemented = 69, "requested facility not implemented", None, [];
        InvalidTransferReference = 81, "invalid short message transfer reference value", None, [];
        InvalidMessage = 95, "invalid message, unspecified", None, [];
        InvalidMandatoryInformation = 96, "invalid mandatory information", None, [];
        MessageTypeNotImplemented = 97, "message type non-existent or not implemented", None, [];
        MessageNotCompatible = 98, "message not compatible with short message protocol state", None, [];
        InformationElementNotImplemented = 99, "information element non-existent or not implemented", None, [];
        ProtocolError = 111, "protocol error, unspecified", None, [];
        Interworking = 127, "interworking, unspecified", None, [];
        TelematicInterworkingNotSupported = 128, "telematic interworking not supported", None, [];
        SmsType0NotSupported = 129, "short message type 0 not supported", None, [];
        CannotReplaceMessage = 130, "cannot replace short message", None, [];
        UnspecifiedTpPidError = 143, "unspecified TP-PID error", None, [];
        DcsNotSupported = 144, "data coding scheme (alphabet) not supported", None, [];
        MessageClassNotSupported = 145, "message class not supported", None, [];
        UnspecifiedTpDcsError = 159, "unspecified TP-DCS error", None, [];
        CommandCannotBeActioned = 160, "command cannot be actioned", None, [];
        CommandUnsupported = 161, "command unsupported", None, [];
        UnspecifiedTpCommandError = 175, "unspecified TP-Command error", None, [];
        TpduNotSupported = 176, "TPDU not supported", None, [];
        ScBusy = 192, "SC busy", NET_TIMEOUT, [];
        NoScSubscription = 193, "no SC subscription", None, [];
        ScSystemFailure = 194, "SC system failure", NET_TIMEOUT, [];
        InvalidSmeAddress = 195, "invalid SME address", None, [];
        DestinationSmeBarred = 196, "destination SME barred", None, [];
        SmRejectedDuplicate = 197, "SM rejected-duplicate SM", None, [];
        SimSmsStorageFull = 208, "(U)SIM SMS storage full", STORAGE_FULL, [];
        NoSmsStorageCapability = 209, "no SMS storage capability in (U)SIM", None, [];
        ErrorInMs = 210, "error in MS", None, [];
        MemoryCapacityExceeded = 211, "memory capacity exceeded", STORAGE_FULL, [];
        UnspecifiedErrorCause = 255, "unspecified error cause", None, [];
        MeFailure = 300, "ME failure", None, [];
        SmsServiceReserved = 301, "SMS service of ME reserved", None, [];
        OperationNotAllowed = 302, "operation not allowed", None, [];
        OperationNotSupported = 303, "operation not supported", None, [];
        InvalidPduModeParameter = 304, "invalid PDU mode parameter", Some("the modem rejected the PDU: check PDU mode (AT+CMGF=0) and the length given to AT+CMGS"), [];
        InvalidTextModeParameter = 305, "invalid text mode parameter", None, [];
        SimNotInserted = 310, "(U)SIM not inserted", INSERT_SIM, [];
        SimPinRequired = 311, "(U)SIM PIN required", UNLOCK_SIM, [];
        PhSimPinRequired = 312, "PH-(U)SIM PIN required", None, [];
        SimFailure = 313, "(U)SIM failure", None, [];
        SimBusy = 314, "(U)SIM busy", SIM_BUSY, [];
        SimWrong = 315, "(U)SIM wrong", None, [];
        SimPukRequired = 316, "(U)SIM PUK required", PUK, [];
        SimPin2Required = 317, "(U)SIM PIN2 required", None, [];
        SimPuk2Required = 318, "(U)SIM PUK2 required", None, [];
        MemoryFailure = 320, "memory failure", None, [];
        InvalidMemoryIndex = 321, "invalid memory index", None, [];
        MemoryFull = 322, "memory full", STORAGE_FULL, [];
        SmscAddressUnknown = 330, "SMSC address unknown", Some("set the SMS centre number (AT+CSCA)"), ["SMSC address unknow"];
        NoNetworkService = 331, "no network service", NO_NETWORK, [];
        NetworkTimeout = 332, "network timeout", NET_TIMEOUT, [];
        NoCnmaExpected = 340, "no +CNMA acknowledgement expected", None, ["no CNMA acknowledgement expected"];
        UnknownError = 500, "unknown error", None, [];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cme_numeric_and_text_forms() {
        let rows: Vec<(&str, CmeError)> = vec![
            ("0", CmeError::PhoneFailure),
            ("3", CmeError::OperationNotAllowed),
            ("4", CmeError::OperationNotSupported),
            ("10", CmeError::SimNotInserted),
            ("SIM not inserted", CmeError::SimNotInserted),
            ("11", CmeError::SimPinRequired),
            ("SIM PIN required", CmeError::SimPinRequired),
            (" sim pin required ", CmeError::SimPinRequired),
            ("12", CmeError::SimPukRequired),
            ("14", CmeError::SimBusy),
            ("16", CmeError::IncorrectPassword),
            ("incorrect password", CmeError::IncorrectPassword),
            ("20", CmeError::MemoryFull),
            ("30", CmeError::NoNetworkService),
            ("no network service", CmeError::NoNetworkService),
            ("31", CmeError::NetworkTimeout),
            ("32", CmeError::NetworkNotAllowedEmergencyOnly),
            (
                "network not allowed - emergency calls only",
                CmeError::NetworkNotAllowedEmergencyOnly,
            ),
            ("100", CmeError::Unknown100),
            ("unknown", CmeError::Unknown100),
            ("132", CmeError::ServiceOptionNotSupported),
            ("258", CmeError::Unknown(258)),
            ("65535", CmeError::Unknown(65535)),
            ("15790320", CmeError::Text("15790320".into())),
            (
                "Excute command failure",
                CmeError::Text("Excute command failure".into()),
            ),
            ("", CmeError::Text(String::new())),
        ];
        for (input, want) in rows {
            assert_eq!(CmeError::parse(input), want, "CME {input:?}");
        }
    }

    #[test]
    fn cms_numeric_and_text_forms() {
        let rows: Vec<(&str, CmsError)> = vec![
            ("300", CmsError::MeFailure),
            ("ME failure", CmsError::MeFailure),
            ("304", CmsError::InvalidPduModeParameter),
            ("310", CmsError::SimNotInserted),
            ("SIM not inserted", CmsError::SimNotInserted),
            ("(U)SIM not inserted", CmsError::SimNotInserted),
            ("311", CmsError::SimPinRequired),
            ("321", CmsError::InvalidMemoryIndex),
            ("invalid memory index", CmsError::InvalidMemoryIndex),
            ("322", CmsError::MemoryFull),
            ("330", CmsError::SmscAddressUnknown),
            ("SMSC address unknown", CmsError::SmscAddressUnknown),
            ("331", CmsError::NoNetworkService),
            ("332", CmsError::NetworkTimeout),
            ("340", CmsError::NoCnmaExpected),
            ("500", CmsError::UnknownError),
            ("unknown error", CmsError::UnknownError),
            ("1", CmsError::UnassignedNumber),
            ("8", CmsError::OperatorDeterminedBarring),
            ("38", CmsError::NetworkOutOfOrder),
            ("42", CmsError::Congestion),
            ("50", CmsError::FacilityNotSubscribed),
            ("69", CmsError::FacilityNotImplemented),
            ("96", CmsError::InvalidMandatoryInformation),
            ("127", CmsError::Interworking),
            ("208", CmsError::SimSmsStorageFull),
            ("2", CmsError::Unknown(2)),
            ("999", CmsError::Unknown(999)),
            ("something odd", CmsError::Text("something odd".into())),
        ];
        for (input, want) in rows {
            assert_eq!(CmsError::parse(input), want, "CMS {input:?}");
        }
    }

    #[test]
    fn every_known_code_round_trips_through_number_and_text() {
        for code in 0..=600u16 {
            let e = CmeError::from_code(code);
            assert_eq!(e.code(), Some(code));
            if let Some(text) = e.description() {
                assert_eq!(CmeError::parse(text), e, "CME text {text:?}");
                assert_eq!(CmeError::parse(&code.to_string()), e);
            }
            let e = CmsError::from_code(code);
            assert_eq!(e.code(), Some(code));
            if let Some(text) = e.description() {
                assert_eq!(CmsError::parse(text), e, "CMS text {text:?}");
            }
        }
    }

    #[test]
    fn display_and_hints() {
        assert_eq!(
            CmeError::SimPinRequired.to_string(),
            "SIM PIN required (CME ERROR 11)"
        );
        assert_eq!(
            CmeError::SimPinRequired.hint(),
            Some("unlock the SIM (--pin)")
        );
        assert_eq!(
            CmeError::NoNetworkService.hint(),
            Some("no network: check antenna/registration")
        );
        assert_eq!(CmeError::Unknown(258).to_string(), "unknown CME ERROR 258");
        assert_eq!(CmeError::Unknown(258).hint(), None);
        assert_eq!(
            CmeError::Text("Excute command failure".into()).to_string(),
            "Excute command failure (CME ERROR)"
        );
        assert_eq!(
            CmsError::MemoryFull.to_string(),
            "memory full (CMS ERROR 322)"
        );
        assert_eq!(
            CmsError::MemoryFull.hint(),
            Some("SMS storage full: delete messages you no longer need")
        );
        assert_eq!(
            CmsError::SmscAddressUnknown.hint(),
            Some("set the SMS centre number (AT+CSCA)")
        );
        assert_eq!(
            CmsError::SimPinRequired.hint(),
            Some("unlock the SIM (--pin)")
        );
        assert_eq!(CmsError::Unknown(2).code(), Some(2));
        assert_eq!(CmsError::Text("x".into()).code(), None);
    }
}
