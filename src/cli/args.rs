//! Command-line arguments (clap derive): each flag defined once; parsing stays apart from running.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// How much mobile data do I have left? Asks the carrier over a cellular modem (USSD or SMS),
/// decodes the reply in any language and says what it means.
#[derive(Debug, Parser)]
#[command(name = "simquota", version, about, long_about = None)]
pub struct Cli {
    /// Show the AT conversation on stderr (-v), and more detail (-vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to run.
    #[command(subcommand)]
    pub command: Cmd,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Check the remaining data and balance (USSD, or the emulator with --simulate).
    Balance(BalanceArgs),
    /// Send a USSD code and show the decoded reply (menus with --reply).
    Ussd(UssdArgs),
    /// Show the modem, SIM and network: manufacturer, model, IMEI, IMSI, ICCID, operator, signal.
    Info(PortArgs),
    /// Run a modem emulator on a pseudo-terminal (a profile + scenario, or replay a transcript).
    Emulate(EmulateArgs),
    /// List the carrier profiles (built in and from your carriers.toml), or show one.
    Carriers {
        /// `show` followed by a profile id shows that profile.
        #[arg(num_args = 0..=2, value_name = "show ID")]
        what: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Understand a reply obtained any other way (forwarded SMS, e-mail, a script): TEXT or stdin.
    Parse(ParseArgs),
    /// Check on a schedule (routers): history, alerts, Prometheus, MQTT / Home Assistant.
    Watch(Box<WatchArgs>),
    /// Show recorded readings, per-day usage, a chart and the forecast.
    History(HistoryArgs),
    /// Serve /metrics and the status page from the history (beside `watch --once` in cron).
    Serve(ServeArgs),
    /// List serial ports with their USB vendor, model and role, and which one answers AT.
    Ports {
        /// Do not send `AT` to the candidate ports (list only).
        #[arg(long)]
        no_probe: bool,
    },
    /// Decode a raw payload by hand (for garbled replies).
    #[command(subcommand)]
    Decode(DecodeCmd),
    /// Send, list, read and delete SMS (nothing is ever deleted unless asked).
    #[command(subcommand)]
    Sms(SmsCmd),
    /// Print the shell completion script, e.g. `simquota completions bash > /etc/bash_completion.d/simquota`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per subcommand into --dir.
    Man {
        /// Write simquota.1, simquota-balance.1, … into DIR (created if missing).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// A data plan per SIM (allowance, reset, packs, anchors): estimates where the carrier
    /// will not answer.
    #[command(subcommand)]
    Plan(PlanCmd),
}

/// Which SIM a `plan` command is about: `--iccid`, or the SIM in the modem.
#[derive(Debug, Args, Clone)]
pub struct SimArgs {
    /// The SIM's ICCID (default: read it from the SIM in the modem).
    #[arg(long, value_name = "ICCID")]
    pub iccid: Option<String>,
    /// Port, output and emulator options (to read the ICCID).
    #[command(flatten)]
    pub port: PortArgs,
}

impl PlanCmd {
    /// Which SIM the command is about.
    pub fn sim(&self) -> &SimArgs {
        match self {
            PlanCmd::Set { sim, .. }
            | PlanCmd::Show { sim }
            | PlanCmd::AddPack { sim, .. }
            | PlanCmd::Anchor { sim, .. }
            | PlanCmd::Clear { sim } => sim,
        }
    }
}

/// `simquota plan …`.
#[derive(Debug, Subcommand)]
pub enum PlanCmd {
    /// Set the plan of a SIM (keeps its packs and anchors).
    Set {
        /// Data per cycle, e.g. 20GB.
        #[arg(long, value_name = "SIZE")]
        allowance: String,
        /// monthly:DAY[@HOUR] (day 29–31 means the last day in shorter months), weekly:mon[@HOUR],
        /// rolling:3d or never.
        #[arg(long, value_name = "CYCLE")]
        resets: String,
        /// IANA time zone of the cycle (e.g. Asia/Tokyo) or an offset (+09:00); default the system's.
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// What the carrier does at the cap: throttle:128kbps or cut.
        #[arg(long, value_name = "WHAT")]
        at_cap: Option<String>,
        /// Unused data of a cycle is carried into the next (繰越), expiring at its end.
        #[arg(long)]
        carry_over: bool,
        /// Network interface carrying this SIM's data, counted for the estimate (e.g. wwan0).
        #[arg(long, value_name = "IFACE")]
        interface: Option<String>,
        /// Which SIM.
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Show the plan and its estimate now.
    Show {
        /// Which SIM.
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Add an add-on pack (povo topping, 追加チャージ, 追加クーポン).
    AddPack {
        /// Its size, e.g. 3GB.
        size: String,
        /// When it expires, from now: 30d, 12h, 2w (default: never).
        #[arg(long, value_name = "DURATION")]
        expires: Option<String>,
        /// Which SIM.
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Record what the carrier's app or web page shows now as remaining (an anchor).
    Anchor {
        /// Remaining data, e.g. 12.5GB.
        remaining: String,
        /// Which SIM.
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Remove the plan of a SIM.
    Clear {
        /// Which SIM.
        #[command(flatten)]
        sim: SimArgs,
    },
}

/// `simquota sms …`.
#[derive(Debug, Subcommand)]
pub enum SmsCmd {
    /// Send TEXT to NUMBER (split into parts when long).
    Send {
        /// Destination number (+international or national/short code).
        number: String,
        /// The text.
        text: String,
        /// Port, output and emulator options.
        #[command(flatten)]
        port: PortArgs,
    },
    /// List stored messages from every storage (SM, ME), parts joined, with their indices.
    /// Does not mark unread messages read where the modem allows it.
    List {
        /// Only messages that were unread.
        #[arg(long)]
        unread: bool,
        /// Also read unread messages on a modem that cannot list them without marking them
        /// read (they then show as read); without it they are left out, and counted in a note.
        #[arg(long)]
        read_unread: bool,
        /// Port, output and emulator options.
        #[command(flatten)]
        port: PortArgs,
    },
    /// Read one stored message, e.g. `3` or `ME:3` (marks it read, like a phone).
    Read {
        /// Index, optionally with its storage: `SM:3`.
        index: String,
        /// Port, output and emulator options.
        #[command(flatten)]
        port: PortArgs,
    },
    /// Delete stored messages by index (`3`, `SM:3`, `ME:0`); only those named.
    Delete {
        /// Indices, optionally with storage: `SM:3 ME:0`.
        #[arg(required = true)]
        indices: Vec<String>,
        /// Port, output and emulator options.
        #[command(flatten)]
        port: PortArgs,
    },
}

/// SMS options of `simquota balance`.
#[derive(Debug, Args, Clone)]
pub struct SmsBalanceArgs {
    /// Ask by SMS: send --keyword to NUMBER and read the reply.
    #[arg(
        long,
        value_name = "NUMBER",
        requires = "keyword",
        conflicts_with = "ussd"
    )]
    pub sms: Option<String>,
    /// The keyword to send with --sms (e.g. CXLL).
    #[arg(long, value_name = "TEXT", requires = "sms")]
    pub keyword: Option<String>,
    /// Read the newest usage notice the carrier already sent (nothing is sent; free).
    #[arg(long, conflicts_with_all = ["sms", "ussd"])]
    pub from_inbox: bool,
    /// With --from-inbox, on a modem that cannot list messages without marking them read:
    /// read the unread ones too (they become read). Without it they are left alone.
    #[arg(long, requires = "from_inbox")]
    pub read_unread: bool,
    /// Sender(s) the reply or notice comes from (default: the number, or the carrier profile's).
    #[arg(long = "sender", value_name = "FROM")]
    pub senders: Vec<String>,
    /// Seconds to wait for the SMS reply.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub wait: u64,
    /// Seconds to wait for more messages after a complete reply (default 0: answer as soon as
    /// every part is in; carriers that send several separate messages say so in their profile).
    #[arg(long, value_name = "SECS", default_value_t = 0.0)]
    pub settle: f64,
    /// Spend guard: at most N query SMS per SIM per --sms-window.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_sms: u32,
    /// Spend guard window, e.g. 24h, 90m, 1d.
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub sms_window: String,
    /// Send even if the spend guard would refuse.
    #[arg(long)]
    pub force: bool,
    /// Delete the reply's parts from storage once the result has been written out.
    #[arg(long)]
    pub delete_reply: bool,
}

/// Where the modem is.
#[derive(Debug, Args, Clone)]
pub struct PortArgs {
    /// Serial port of the modem's AT interface, e.g. /dev/ttyUSB2, or `auto` (the default) to
    /// find it: known USB modems are ranked and their ports probed in parallel.
    #[arg(long, short = 'p', env = "SIMQUOTA_PORT", default_value = "auto")]
    pub port: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write the AT conversation to FILE as a transcript (.atx), IMSI/ICCID/IMEI/numbers redacted.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Run against the built-in modem emulator instead of a real modem.
    #[arg(long)]
    pub simulate: bool,
    /// Emulated modem family for --simulate.
    #[arg(long, value_enum, default_value_t = FamilyArg::Huawei, requires = "simulate")]
    pub profile: FamilyArg,
    /// Carrier scenario file (TOML) for --simulate.
    #[arg(long, value_name = "FILE", requires = "simulate")]
    pub scenario: Option<PathBuf>,
    /// How to reach the modem: through ModemManager when it manages it (auto), the AT port
    /// directly (at), or ModemManager only (modemmanager).
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
    /// File holding the SIM PIN, sent once if the SIM asks for it (or set SIMQUOTA_PIN).
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
    /// Use the port even if another program has it open or locked (you know it is not using
    /// the modem). A socat bridge or emulator holding the PTY's other end never counts as busy.
    #[arg(long)]
    pub share_port: bool,
    /// Send a PIN from SIMQUOTA_PIN again although this SIM refused it before (after you
    /// fixed it). A refused --pin-file is sent again once the file changes, without this.
    #[arg(long)]
    pub retry_pin: bool,
    /// Check radio, SIM and registration before asking (on by default; `info` turns it off).
    #[arg(skip = true)]
    pub check_ready: bool,
}

/// `simquota balance`.
#[derive(Debug, Args, Clone)]
pub struct BalanceArgs {
    /// Port, output and emulator options.
    #[command(flatten)]
    pub port: PortArgs,
    /// USSD code to ask (default: the carrier profile's, or *100# on the emulator).
    #[arg(long, value_name = "CODE")]
    pub ussd: Option<String>,
    /// Answers for a USSD menu, in order.
    #[arg(long = "reply", value_name = "TEXT")]
    pub replies: Vec<String>,
    /// Seconds to wait for the carrier's first reply (1–3600).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Carrier profile to use instead of the one chosen from the SIM (see `simquota carriers`).
    #[arg(long, value_name = "ID")]
    pub carrier: Option<String>,
    /// SMS balance check options.
    #[command(flatten)]
    pub sms: SmsBalanceArgs,
    /// Format and threshold.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `simquota watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The check itself: the same options as `balance`.
    #[command(flatten)]
    pub balance: BalanceArgs,
    /// How often to check, e.g. 30m, 6h, 1d (default 6h, or the config file's); ±10 % jitter.
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,
    /// Check once (every configured modem) and exit — for cron.
    #[arg(long)]
    pub once: bool,
    /// Stop after N checks (testing).
    #[arg(long, value_name = "N", hide = true)]
    pub checks: Option<u64>,
    /// Configuration file (default ~/.config/simquota/config.toml, then /etc/simquota/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// History database (default: the data directory's history.db).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Alert rule, repeatable: remaining<500MB, remaining<10%, runout, failures>=3.
    #[arg(long, value_name = "RULE")]
    pub alert: Vec<String>,
    /// Program to run when an alert fires (directly, never through a shell): the reading in
    /// SIMQUOTA_* environment variables and JSON on stdin.
    #[arg(long, value_name = "PROGRAM")]
    pub exec: Option<PathBuf>,
    /// Also serve /metrics and the status page (on --listen, default 127.0.0.1:9797).
    #[arg(long)]
    pub serve: bool,
    /// Address for /metrics and the status page; loopback unless you say otherwise.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Write node_exporter textfile metrics into DIR after each check.
    #[arg(long, value_name = "DIR")]
    pub textfile: Option<PathBuf>,
    /// Publish to this MQTT broker (HOST or HOST:PORT; port 1883, or 8883 with --mqtt-tls), with
    /// Home Assistant discovery.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub mqtt: Option<String>,
    /// Connect to the MQTT broker over TLS (needs a build with `--features mqtt-tls`; never
    /// falls back to plaintext).
    #[arg(long)]
    pub mqtt_tls: bool,
    /// PEM CA bundle for the broker's certificate (default: the system's roots).
    #[arg(long, value_name = "FILE", requires = "mqtt_tls")]
    pub mqtt_ca: Option<PathBuf>,
    /// MQTT user name (the password comes from the config file's password_file).
    #[arg(long, value_name = "USER")]
    pub mqtt_user: Option<String>,
    /// The modem's network interface for the live estimate between checks (e.g. wwan0).
    #[arg(long, value_name = "IFACE")]
    pub interface: Option<String>,
}

/// `simquota history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only readings newer than this, e.g. 30d, 12h.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Only this SIM.
    #[arg(long, value_name = "ICCID")]
    pub iccid: Option<String>,
    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV.
    #[arg(long)]
    pub csv: bool,
    /// History database.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `simquota serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The modem's network interface, for the live estimate between checks (e.g. wwan0).
    #[arg(long, value_name = "IFACE")]
    pub interface: Option<String>,
    /// Address to listen on (default 127.0.0.1:9797: loopback only).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// History database.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// How a reading is reported and judged.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Output format (`--json` is short for `--format json`).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with code 4 when remaining data is below SIZE (e.g. 500MB, 1.5GB) or PERCENT (e.g. 10%).
    #[arg(long, value_name = "SIZE|PERCENT")]
    pub warn_below: Option<String>,
}

/// Output formats for readings.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A short summary for people.
    Human,
    /// The documented JSON schema (schema_version 1).
    Json,
    /// Prometheus text exposition.
    Prometheus,
}

/// `simquota parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The reply text (read from stdin when absent).
    pub text: Option<String>,
    /// Carrier profile whose hints, language and unit base to use.
    #[arg(long, value_name = "ID")]
    pub carrier: Option<String>,
    /// Carrier country (ISO 3166 alpha-2, e.g. NG): decides `$`, `Rs`, `P`, `kr`.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// The carrier's currency (ISO 4217, e.g. CAD): what an ambiguous sign means.
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Show which words gave each figure its role and which numbers were rejected and why.
    #[arg(long)]
    pub explain: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Store the remaining figure read from TEXT as an anchor of a SIM's plan (`--iccid`, or
    /// the only SIM with a plan).
    #[arg(long)]
    pub anchor: bool,
    /// The SIM whose plan gets the anchor.
    #[arg(long, value_name = "ICCID", requires = "anchor")]
    pub iccid: Option<String>,
    /// Format and threshold.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `simquota ussd`.
#[derive(Debug, Args)]
pub struct UssdArgs {
    /// The code to send, e.g. *100#.
    #[arg(required_unless_present = "cancel")]
    pub code: Option<String>,
    /// Port, output and emulator options.
    #[command(flatten)]
    pub port: PortArgs,
    /// Answers for a USSD menu, in order (interactive on a terminal when absent).
    #[arg(long = "reply", value_name = "TEXT")]
    pub replies: Vec<String>,
    /// Cancel any open USSD session (AT+CUSD=2) and exit.
    #[arg(long, conflicts_with = "code")]
    pub cancel: bool,
    /// Decode replies as if the DCS were N (for modems that mislabel it).
    #[arg(long, value_name = "N")]
    pub dcs: Option<u8>,
    /// Decode replies as if the modem's character set were this.
    #[arg(long, value_enum, ignore_case = true)]
    pub charset: Option<CharsetArg>,
    /// Seconds to wait for the first reply (1–3600).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// `simquota emulate`.
#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// A transcript (.atx) to replay instead of a behavioural modem.
    pub transcript: Option<PathBuf>,
    /// Modem family to behave like.
    #[arg(long, value_enum, default_value_t = FamilyArg::Huawei)]
    pub profile: FamilyArg,
    /// Carrier scenario file (TOML); the built-in example carrier by default.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Make PATH a symlink to the pseudo-terminal (e.g. /tmp/modem).
    #[arg(long, value_name = "PATH")]
    pub link: Option<PathBuf>,
    /// Seconds between Huawei ^RSSI status lines (0 = none).
    #[arg(long, value_name = "SECS")]
    pub noise: Option<u64>,
}

/// `simquota decode`.
#[derive(Debug, Subcommand)]
pub enum DecodeCmd {
    /// Decode a +CUSD payload (hex or text) with a DCS and the modem's character set.
    Ussd {
        /// The payload as the modem printed it (without quotes), or a whole `+CUSD:` line.
        payload: String,
        /// The DCS the modem reported.
        #[arg(long)]
        dcs: Option<u8>,
        /// The modem's AT+CSCS character set.
        #[arg(long, value_enum, ignore_case = true, default_value_t = CharsetArg::Gsm)]
        cscs: CharsetArg,
        /// The modem family that printed it (Huawei prints GSM 7-bit replies as packed hex).
        #[arg(long, value_enum, ignore_case = true, value_name = "FAMILY")]
        modem: Option<crate::ussd::ModemFamily>,
        /// Print JSON (alphabet, raw, warnings).
        #[arg(long)]
        json: bool,
    },
    /// Decode an SMS PDU (hex, with or without the SMSC prefix).
    Pdu {
        /// The PDU hex as a modem prints it after +CMGL/+CMGR.
        hex: String,
        /// Print the decoded message as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Ways to reach the modem.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Backend {
    /// ModemManager when it manages the modem, else the AT port.
    Auto,
    /// The AT port directly.
    At,
    /// ModemManager over D-Bus only.
    Modemmanager,
}

/// Emulated modem families.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FamilyArg {
    /// Huawei E3372/E160-like.
    Huawei,
    /// Quectel EC25-like.
    Quectel,
    /// ZTE MF-series-like.
    Zte,
}

/// TE character sets (`AT+CSCS`).
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CharsetArg {
    /// GSM 7-bit default alphabet bytes.
    Gsm,
    /// UCS-2 as hex.
    Ucs2,
    /// International Reference Alphabet (ASCII).
    Ira,
    /// Hex of unpacked septets.
    Hex,
}
