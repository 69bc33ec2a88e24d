//! Human-readable output. Pure functions from values to text (tested without a modem).

use std::fmt::Write as _;
use std::path::Path;

use crate::balance::{format_bytes, Date, Reading};
use crate::check::Report;
use crate::modem::Identity;
use crate::ussd::flow::UssdOutcome;

/// Text for a terminal: carrier text (USSD and SMS replies, operator names, error texts that
/// quote them) may carry ESC/CSI/OSC sequences, CR or other control characters that would move
/// the cursor, retitle the window or hide what was printed. Every control character but line
/// feed and tab (C0, DEL, C1) is shown escaped (`\u{1b}`, `\r`); everything else is kept.
/// JSON output is not passed through this: it stays exact (serde escapes controls itself).
pub fn safe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Longest error text printed, in characters: a babbling port's line quoted in an error must
/// not become a 200 KB message.
pub const MAX_MESSAGE: usize = 2000;

/// `s` cut to [`MAX_MESSAGE`] characters, saying how much was left out.
pub fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(MAX_MESSAGE) {
        None => std::borrow::Cow::Borrowed(s),
        Some((i, _)) => std::borrow::Cow::Owned(format!(
            "{}… ({} more bytes not shown)",
            &s[..i],
            s.len() - i
        )),
    }
}

/// Width of the remaining-data gauge in cells.
const GAUGE: usize = 10;

/// `▕██░░░░░░░░▏` for a fraction in 0..=1.
pub fn gauge(fraction: f64) -> String {
    let f = fraction.clamp(0.0, 1.0);
    let full = (f * GAUGE as f64).round() as usize;
    format!("▕{}{}▏", "█".repeat(full), "░".repeat(GAUGE - full))
}

/// The summary line(s) of a reading, e.g.
/// `Remaining 0.65 GB of 3.00 GB (22%) ▕██░░░░░░░░▏ · expires 2026-12-31 (36 days) · budget ≈ 18 MB/day`.
pub fn reading_summary(r: &Reading, today: Date, base: u64) -> String {
    let mut out = String::new();
    let mut parts: Vec<String> = Vec::new();
    if r.unlimited {
        parts.push("Data: unlimited".into());
    } else if let Some(rem) = r.remaining_bytes {
        let mut s = format!("Remaining {}", format_bytes(rem, base));
        if let Some(total) = r.total_bytes.filter(|t| *t > 0) {
            let pct = rem as f64 / total as f64;
            let _ = write!(
                s,
                " of {} ({:.0}%) {}",
                format_bytes(total, base),
                pct * 100.0,
                gauge(pct)
            );
        }
        parts.push(s);
    } else if let Some(used) = r.used_bytes {
        let mut s = format!("Used {}", format_bytes(used, base));
        if let Some(total) = r.total_bytes {
            let _ = write!(s, " of {}", format_bytes(total, base));
        }
        parts.push(s);
    }
    if let Some(exp) = r.expiry {
        let days = today.days_until(&exp);
        let mut s = format!("expires {exp}");
        if days >= 0 {
            let _ = write!(s, " ({days} day{})", if days == 1 { "" } else { "s" });
            if let Some(rem) = r.remaining_bytes.filter(|_| days > 0 && !r.unlimited) {
                let _ = write!(
                    s,
                    " · budget ≈ {}/day",
                    format_bytes(rem / days.max(1) as u64, base)
                );
            }
        } else {
            s.push_str(" (past)");
        }
        parts.push(s);
    }
    if let Some(reset) = r.reset {
        parts.push(format!("resets {reset}"));
    }
    if !parts.is_empty() {
        let _ = writeln!(out, "{}", parts.join(" · "));
    }
    for b in r.buckets.iter().filter(|_| r.buckets.len() > 1) {
        let mut s = format!("  {:<12}", b.label);
        if b.unlimited {
            s.push_str(" unlimited");
        }
        if let Some(v) = b.remaining_bytes {
            let _ = write!(s, " remaining {}", format_bytes(v, base));
        }
        if let Some(v) = b.used_bytes {
            let _ = write!(s, " used {}", format_bytes(v, base));
        }
        if let Some(v) = b.total_bytes {
            let _ = write!(s, " of {}", format_bytes(v, base));
        }
        let _ = writeln!(out, "{s}");
    }
    for m in &r.money {
        let _ = writeln!(
            out,
            "{:<10}{} {}",
            capitalise(&m.label),
            m.amount,
            m.currency
        );
    }
    if let Some(t) = &r.throttled {
        match t.speed_kbps {
            Some(k) => {
                let _ = writeln!(out, "Speed limited to {k} kbps");
            }
            None => {
                let _ = writeln!(out, "Speed limited");
            }
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One line of forecast from the history: rate, run-out date, daily budget.
pub fn forecast_line(f: &crate::monitor::Forecast) -> String {
    let mut s = format!(
        "Forecast: using ≈ {}/day",
        format_bytes(f.rate_bytes_per_day, 1024)
    );
    if let Some(d) = f.runs_out {
        let _ = write!(s, " · runs out ≈ {d}");
    }
    if let Some(b) = f.daily_budget {
        let _ = write!(s, " · budget {}/day until the reset", format_bytes(b, 1024));
    }
    s.push('\n');
    s
}

/// `simquota balance` output.
pub fn balance(rep: &Report) -> String {
    let (request, reply, r) = (&rep.request, &rep.reply_text, &rep.reading);
    let (today, base) = (rep.today, rep.units_base);
    let none = Identity::default();
    let id = rep.modem.as_ref().unwrap_or(&none);
    let mut out = String::new();
    let who = [id.operator.as_deref(), id.model.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let _ = writeln!(out, "{request} → {who}");
    out.push_str(&reading_summary(r, today, base));
    let menu = rep.ussd.as_ref().is_some_and(|u| u.cancelled_menu);
    if menu {
        // The reply is a menu, not an answer: say so and how to go on.
        let _ = writeln!(
            out,
            "The carrier answered with a menu; simquota cancelled it (no answer was given).\n\
             Answer it with --reply: e.g. `simquota balance --ussd '{request}' --reply 1`, \
             or explore it with `simquota ussd '{request}'`."
        );
    } else if !r.understood {
        let _ = writeln!(
            out,
            "Not understood: the carrier's reply is shown as it came."
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    let _ = writeln!(out, "Reply: {reply}");
    out
}

/// Prometheus text exposition of one reading (for `--format prometheus` and cron + textfile).
pub fn prometheus(doc: &Report) -> String {
    let r = &doc.reading;
    let mut out = String::new();
    let carrier = doc.carrier_id().unwrap_or("unknown");
    let iccid = doc
        .modem
        .as_ref()
        .and_then(|m| m.iccid.as_deref())
        .unwrap_or("");
    let labels = format!(
        "iccid=\"{}\",carrier=\"{}\"",
        prom_escape(iccid),
        prom_escape(carrier)
    );
    let mut metric = |name: &str, help: &str, v: Option<String>| {
        if let Some(v) = v {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name}{{{labels}}} {v}"
            );
        }
    };
    metric(
        "simquota_remaining_bytes",
        "Remaining data reported by the carrier.",
        r.remaining_bytes.map(|v| v.to_string()),
    );
    metric(
        "simquota_used_bytes",
        "Used data reported by the carrier.",
        r.used_bytes.map(|v| v.to_string()),
    );
    metric(
        "simquota_total_bytes",
        "Data allowance reported by the carrier.",
        r.total_bytes.map(|v| v.to_string()),
    );
    metric(
        "simquota_expiry_timestamp_seconds",
        "Expiry of the allowance or balance (midnight UTC of the date).",
        r.expiry
            .map(|d| (d.to_days_since_epoch() * 86_400).to_string()),
    );
    metric(
        "simquota_reply_understood",
        "1 when the carrier reply was understood.",
        Some(u8::from(r.understood).to_string()),
    );
    for m in &r.money {
        let _ = writeln!(
            out,
            "simquota_balance{{{labels},currency=\"{}\",label=\"{}\"}} {}",
            prom_escape(&m.currency),
            prom_escape(&m.label),
            m.amount
        );
    }
    out
}

/// Escapes a Prometheus label value (backslash, quote, newline).
fn prom_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `simquota ussd` output: each menu round, then the final text.
pub fn ussd(o: &UssdOutcome, interactive: bool) -> String {
    let mut out = String::new();
    for (i, e) in o.exchanges.iter().enumerate() {
        let last = i + 1 == o.exchanges.len();
        if interactive && !last {
            continue; // already shown at the prompt
        }
        if o.exchanges.len() > 1 {
            let _ = writeln!(out, "> {}", e.request);
        }
        if let Some(t) = &e.reply {
            let _ = writeln!(out, "{}", t.text);
            for w in &t.warnings {
                let _ = writeln!(out, "  (decoding note: {w})");
            }
        }
    }
    if o.cancelled_menu {
        let _ = writeln!(
            out,
            "(menu left without an answer: session cancelled; continue with --reply N)"
        );
    }
    out
}

/// `simquota info` output.
pub fn info(port: &Path, id: &Identity) -> String {
    let mut out = String::new();
    let row = |out: &mut String, k: &str, v: Option<String>| {
        let _ = writeln!(out, "{k:<13}{}", v.unwrap_or_else(|| "–".into()));
    };
    row(&mut out, "Port", Some(port.display().to_string()));
    row(&mut out, "Manufacturer", id.manufacturer.clone());
    row(&mut out, "Model", id.model.clone());
    row(&mut out, "Firmware", id.firmware.clone());
    row(&mut out, "IMEI", id.imei.clone());
    row(&mut out, "SIM", id.sim.clone());
    row(&mut out, "IMSI", id.imsi.clone());
    row(&mut out, "ICCID", id.iccid.clone());
    row(&mut out, "Operator", id.operator.clone());
    row(&mut out, "Registration", id.registration.clone());
    row(
        &mut out,
        "Signal",
        id.signal_dbm
            .map(|d| format!("{d} dBm (rssi {})", id.signal_rssi.unwrap_or(99))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauge_fills_in_proportion() {
        assert_eq!(gauge(0.0), "▕░░░░░░░░░░▏");
        assert_eq!(gauge(0.22), "▕██░░░░░░░░▏");
        assert_eq!(gauge(1.5), "▕██████████▏");
    }
}
