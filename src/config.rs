//! The configuration file (TOML) for routers and scheduled checks: everything `watch` and `serve`
//! take on the command line can live here instead. Looked up at `--config FILE`, else
//! `$XDG_CONFIG_HOME/simquota/config.toml` (`~/.config/simquota/config.toml`), else
//! `/etc/simquota/config.toml`; a missing file means all defaults. Unknown keys are errors that
//! name the file, line and key — a typo must not silently disable an alert.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Scheduling of `watch`.
    pub watch: Watch,
    /// Modems to watch; empty means "the one found with `--port auto`".
    #[serde(rename = "modem")]
    pub modems: Vec<ModemConfig>,
    /// Alert thresholds and actions.
    pub alerts: Alerts,
    /// SMS spend guard.
    pub sms: SmsGuard,
    /// `/metrics`, status page and node_exporter textfile.
    pub serve: Serve,
    /// MQTT and Home Assistant discovery.
    pub mqtt: Option<Mqtt>,
}

/// `[watch]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Watch {
    /// How often to ask the carrier, e.g. `"6h"`, `"30m"`, `"1d"`.
    pub every: String,
    /// Where the history database lives (default: the data directory).
    pub history: Option<PathBuf>,
}

impl Default for Watch {
    fn default() -> Self {
        Watch {
            every: "6h".into(),
            history: None,
        }
    }
}

/// One `[[modem]]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ModemConfig {
    /// Serial port, or `auto`.
    pub port: Option<PathBuf>,
    /// Carrier profile id, to override the one chosen from the SIM.
    pub carrier: Option<String>,
    /// USSD code to use instead of the profile's.
    pub ussd: Option<String>,
    /// File holding the SIM PIN.
    pub pin_file: Option<PathBuf>,
    /// Network interface carrying this modem's data (for the live estimate), e.g. `wwan0`.
    pub interface: Option<String>,
}

/// `[alerts]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Alerts {
    /// Alert when remaining data falls below this size or percentage (`"500MB"`, `"10%"`).
    pub below: Vec<String>,
    /// Alert when the forecast runs out before the expiry/reset date.
    pub runout_before_reset: bool,
    /// Alert after this many failed checks in a row (0 = never).
    pub failures: u32,
    /// Program run (directly, never through a shell) when an alert fires.
    pub exec: Option<PathBuf>,
}

/// `[sms]`: how many query SMS may be sent.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SmsGuard {
    /// At most this many query SMS per SIM per window.
    pub max: u32,
    /// The window, e.g. `"24h"`.
    pub window: String,
}

impl Default for SmsGuard {
    fn default() -> Self {
        SmsGuard {
            max: 3,
            window: "24h".into(),
        }
    }
}

/// `[serve]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Serve {
    /// Address for `/metrics` and the status page. Loopback unless you say otherwise.
    pub listen: String,
    /// Directory for node_exporter's textfile collector, written after each check.
    pub textfile: Option<PathBuf>,
}

impl Default for Serve {
    fn default() -> Self {
        Serve {
            listen: "127.0.0.1:9797".into(),
            textfile: None,
        }
    }
}

/// `[mqtt]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Mqtt {
    /// Broker host.
    pub host: String,
    /// Broker port (default 1883, or 8883 with `tls = true`).
    #[serde(default)]
    pub port: Option<u16>,
    /// User name.
    #[serde(default)]
    pub username: Option<String>,
    /// File holding the password (never in the config file itself).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// Topic prefix.
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Home Assistant discovery prefix (empty to turn discovery off).
    #[serde(default = "default_discovery")]
    pub discovery_prefix: String,
    /// Connect over TLS (needs a build with the `mqtt-tls` feature; never falls back to
    /// plaintext).
    #[serde(default)]
    pub tls: bool,
    /// PEM CA bundle to check the broker's certificate with (default: the system's roots).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate, for brokers that require one (with `client_key_file`).
    #[serde(default)]
    pub client_cert_file: Option<PathBuf>,
    /// PEM private key of `client_cert_file`.
    #[serde(default)]
    pub client_key_file: Option<PathBuf>,
}
fn default_prefix() -> String {
    "simquota".into()
}
fn default_discovery() -> String {
    "homeassistant".into()
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Unreadable.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid for this schema.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong (names the key).
        message: String,
    },
}

impl Config {
    /// Where a config file is looked for when `--config` is not given (existing ones only).
    pub fn default_path() -> Option<PathBuf> {
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        xdg.map(|d| d.join("simquota/config.toml"))
            .into_iter()
            .chain([PathBuf::from("/etc/simquota/config.toml")])
            .find(|p| p.is_file())
    }

    /// Reads `path`, or the default location, or defaults when there is none.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = path.map(Path::to_path_buf).or_else(Config::default_path) else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Parses the text of a config file named `name` (for messages).
    pub fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
        toml::from_str::<Config>(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            ConfigError::Invalid {
                path: name.to_string(),
                line,
                message: e.message().to_string(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bind_loopback_and_guard_sms() {
        let c = Config::parse("", "x").unwrap();
        assert_eq!(c.serve.listen, "127.0.0.1:9797");
        assert_eq!(c.sms.max, 3);
        assert_eq!(c.watch.every, "6h");
        assert!(c.mqtt.is_none());
    }

    #[test]
    fn the_example_config_parses() {
        let c = Config::parse(include_str!("../deploy/config.example.toml"), "example").unwrap();
        assert_eq!(c.modems.len(), 1);
        assert_eq!(c.alerts.below, vec!["500MB".to_string(), "10%".to_string()]);
        // MQTT is off by default: no connection attempts to a broker that is not there.
        assert!(c.mqtt.is_none());
        // Uncommented as the comment says, the section parses.
        let text = include_str!("../deploy/config.example.toml").replace("# [mqtt]", "[mqtt]");
        let text: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(r)
                    if ["host", "port", "prefix", "discovery_prefix"]
                        .iter()
                        .any(|k| r.starts_with(&format!("{k} "))) =>
                {
                    r
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = Config::parse(&text, "example").unwrap();
        let m = c.mqtt.as_ref().unwrap();
        assert_eq!(m.host, "127.0.0.1");
        assert_eq!(m.port, Some(1883));
        assert!(!m.tls);
        assert_eq!(m.ca_file, None);
    }

    #[test]
    fn mqtt_tls_keys() {
        let c = Config::parse(
            "[mqtt]\nhost = \"broker.example\"\ntls = true\n\
             ca_file = \"/etc/ssl/certs/my-ca.pem\"\n\
             client_cert_file = \"/etc/simquota/mqtt.crt\"\n\
             client_key_file = \"/etc/simquota/mqtt.key\"\n",
            "x",
        )
        .unwrap();
        let m = c.mqtt.unwrap();
        assert!(m.tls);
        assert_eq!(m.port, None, "no port given: the caller picks 8883 for TLS");
        assert_eq!(m.ca_file, Some(PathBuf::from("/etc/ssl/certs/my-ca.pem")));
        assert_eq!(
            m.client_cert_file,
            Some(PathBuf::from("/etc/simquota/mqtt.crt"))
        );
        assert_eq!(
            m.client_key_file,
            Some(PathBuf::from("/etc/simquota/mqtt.key"))
        );
        // Defaults: plain TCP, no files.
        let m = Config::parse("[mqtt]\nhost = \"h\"\nport = 1884\n", "x")
            .unwrap()
            .mqtt
            .unwrap();
        assert!(!m.tls);
        assert_eq!(m.port, Some(1884));
        assert_eq!(
            (m.ca_file, m.client_cert_file, m.client_key_file),
            (None, None, None)
        );
        // A typo in a TLS key is an error, not silently plaintext.
        let e = Config::parse("[mqtt]\nhost = \"h\"\ntsl = true\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:3:") && e.contains("tsl"), "{e}");
        // `tls` is a boolean.
        assert!(Config::parse("[mqtt]\nhost = \"h\"\ntls = \"yes\"\n", "x").is_err());
    }

    #[test]
    fn a_typo_names_file_line_and_key() {
        let e = Config::parse(
            "[watch]\nevery = \"6h\"\n\n[alerts]\nbelwo = [\"1GB\"]\n",
            "/etc/simquota/config.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("/etc/simquota/config.toml:5:"), "{e}");
        assert!(e.contains("belwo"), "{e}");
    }
}
