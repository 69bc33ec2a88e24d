//! The status page: one self-contained HTML5 document (inline CSS and SVG, no JavaScript, no
//! external assets) that works offline on the router's LAN.
//!
//! Invariant: every text that comes from outside — carrier replies, carrier ids, error messages,
//! ICCIDs, alert messages — passes through [`escape`] before it reaches the page (HTML5
//! §13.1.2.6 "Restrictions on the contents of raw text and escapable raw text elements": we
//! never put data into raw-text elements; in text and in quoted attributes, escaping `&`, `<`,
//! `>`, `"` and `'` is enough).

use std::fmt::Write as _;

use super::status::{SimStatus, Snapshot};
use super::{utc_date, DAY};
use crate::balance::format_bytes;

/// Escapes text for HTML text content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and line feed are not allowed in HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn bytes(b: u64) -> String {
    format_bytes(b, 1024)
}

fn time_utc(t: i64) -> String {
    let secs = t.rem_euclid(DAY);
    format!(
        "{} {:02}:{:02} UTC",
        utc_date(t),
        secs / 3600,
        (secs % 3600) / 60
    )
}

const STYLE: &str =
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}\
h1{font-size:1.4em}section{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1em;\
margin-bottom:1.5em;max-width:52em}dl{display:grid;grid-template-columns:max-content auto;\
gap:.3em 1em}dt{color:#666}dd{margin:0}pre{white-space:pre-wrap;word-break:break-word;\
background:#f3f3f3;padding:.6em;border-radius:4px}.alert{color:#a40000;font-weight:bold}\
.est{color:#666;font-style:italic}svg{max-width:100%;height:auto}";

/// Renders the status page for a snapshot.
pub fn render_page(snapshot: &Snapshot) -> String {
    let mut h = String::with_capacity(8192);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<title>simquota status</title>\n");
    let _ = writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>");
    h.push_str("<h1>simquota</h1>\n");
    let _ = writeln!(
        h,
        "<p>Generated {}.</p>",
        escape(&time_utc(snapshot.generated_at))
    );
    if snapshot.sims.is_empty() {
        h.push_str("<p>No checks recorded yet.</p>\n");
    }
    for sim in &snapshot.sims {
        sim_section(&mut h, sim);
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn sim_section(h: &mut String, sim: &SimStatus) {
    let _ = writeln!(
        h,
        "<section>\n<h2>SIM {}{}</h2>",
        escape(&sim.iccid),
        sim.carrier
            .as_deref()
            .map(|c| format!(" — {}", escape(c)))
            .unwrap_or_default()
    );
    let n = sim
        .last_success
        .as_ref()
        .map(|r| r.numbers.clone())
        .unwrap_or_default();
    h.push_str(&gauge(n.remaining_bytes, n.total_bytes, n.unlimited));

    if !sim.alerts.is_empty() {
        h.push_str("<h3>Active alerts</h3>\n<ul>\n");
        for a in &sim.alerts {
            let _ = writeln!(
                h,
                "<li class=\"alert\">{}: {} (since {})</li>",
                escape(&a.rule),
                escape(&a.message),
                escape(&time_utc(a.since))
            );
        }
        h.push_str("</ul>\n");
    }

    h.push_str("<dl>\n");
    let row = |h: &mut String, k: &str, v: String| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{v}</dd>", escape(k));
    };
    if n.unlimited {
        row(h, "Data", "unlimited".into());
    }
    if let Some(r) = n.remaining_bytes {
        row(h, "Remaining", escape(&bytes(r)));
    }
    if let Some(e) = &sim.estimate {
        row(
            h,
            "Remaining now",
            format!(
                "<span class=\"est\">≈ {} (estimate: {} counted on the interface since the check)</span>",
                escape(&bytes(e.remaining_bytes)),
                escape(&bytes(e.bytes_since_check))
            ),
        );
    }
    if let Some(u) = n.used_bytes {
        row(h, "Used", escape(&bytes(u)));
    }
    if let Some(t) = n.total_bytes {
        row(h, "Allowance", escape(&bytes(t)));
    }
    if let (Some(b), Some(c)) = (&n.balance, &n.currency) {
        row(h, "Balance", format!("{} {}", escape(b), escape(c)));
    }
    if let Some(e) = n.expiry {
        row(h, "Expires", escape(&e.to_string()));
    }
    if let Some(r) = n.reset {
        row(h, "Resets", escape(&r.to_string()));
    }
    if let Some(d) = sim.days_left {
        row(h, "Days left", d.to_string());
    }
    if let Some(b) = sim.daily_budget {
        row(h, "Daily budget", format!("{} a day", escape(&bytes(b))));
    }
    match (&sim.forecast, &sim.forecast_note) {
        (Some(f), _) => {
            row(
                h,
                "Usage rate",
                format!("{} a day", escape(&bytes(f.rate_bytes_per_day))),
            );
            row(
                h,
                "Runs out",
                match f.runs_out {
                    Some(d) => {
                        let before = f.runs_out_before_deadline() == Some(true);
                        format!(
                            "{}{}",
                            escape(&d.to_string()),
                            if before {
                                " <span class=\"alert\">(before the expiry)</span>"
                            } else {
                                ""
                            }
                        )
                    }
                    None => "not at the current rate".into(),
                },
            );
            row(h, "Forecast basis", escape(&f.basis));
        }
        (None, Some(note)) => row(h, "Forecast", escape(note)),
        (None, None) => {}
    }
    if let Some(c) = &sim.last_check {
        row(
            h,
            "Last check",
            format!(
                "{} via {} {} — {}",
                escape(&time_utc(c.time)),
                escape(c.method.as_str()),
                escape(&c.request),
                if c.success {
                    "ok".to_string()
                } else {
                    format!(
                        "<span class=\"alert\">failed: {}</span>",
                        escape(c.error.as_deref().unwrap_or("unknown error"))
                    )
                }
            ),
        );
        if let Some(s) = c.signal_dbm {
            row(h, "Signal", format!("{s} dBm"));
        }
    }
    if sim.consecutive_failures > 1 {
        row(h, "Failures in a row", sim.consecutive_failures.to_string());
    }
    h.push_str("</dl>\n");

    if sim.history.len() >= 2 {
        h.push_str("<h3>Remaining data</h3>\n");
        h.push_str(&chart(sim));
    }
    let raw = sim
        .last_check
        .as_ref()
        .and_then(|c| c.raw.as_deref())
        .or_else(|| sim.last_success.as_ref().and_then(|c| c.raw.as_deref()));
    if let Some(raw) = raw {
        h.push_str("<h3>Last reply from the carrier</h3>\n");
        let _ = writeln!(h, "<pre>{}</pre>", escape(raw));
    }
    h.push_str("</section>\n");
}

/// A semicircle gauge of remaining / total.
fn gauge(remaining: Option<u64>, total: Option<u64>, unlimited: bool) -> String {
    let (frac, label) = match (remaining, total, unlimited) {
        (_, _, true) => (1.0, "unlimited".to_string()),
        (Some(r), Some(t), _) if t > 0 => (
            (r as f64 / t as f64).clamp(0.0, 1.0),
            format!("{} of {}", bytes(r), bytes(t)),
        ),
        (Some(r), _, _) => (f64::NAN, format!("{} left", bytes(r))),
        _ => (f64::NAN, "no figure yet".to_string()),
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg width=\"220\" height=\"130\" viewBox=\"0 0 220 130\" role=\"img\" aria-label=\"{}\">",
        escape(&label)
    );
    s.push_str(
        "<path d=\"M 20 110 A 90 90 0 0 1 200 110\" fill=\"none\" stroke=\"#ddd\" stroke-width=\"18\"/>",
    );
    if frac.is_finite() && frac > 0.0 {
        // Angle from the left end (π) towards the right end (0).
        let a = std::f64::consts::PI * (1.0 - frac);
        let (x, y) = (110.0 + 90.0 * a.cos(), 110.0 - 90.0 * a.sin());
        let colour = if frac < 0.1 {
            "#c0392b"
        } else if frac < 0.25 {
            "#e67e22"
        } else {
            "#27ae60"
        };
        let _ = write!(
            s,
            "<path d=\"M 20 110 A 90 90 0 0 1 {x:.1} {y:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"18\"/>"
        );
        let _ = write!(
            s,
            "<text x=\"110\" y=\"100\" text-anchor=\"middle\" font-size=\"22\">{:.0} %</text>",
            frac * 100.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"110\" y=\"126\" text-anchor=\"middle\" font-size=\"13\">{}</text></svg>",
        escape(&label)
    );
    s
}

/// Remaining data over time as an SVG polyline.
fn chart(sim: &SimStatus) -> String {
    const W: f64 = 600.0;
    const H: f64 = 200.0;
    const PAD: f64 = 40.0;
    let pts = &sim.history;
    let (Some(first), Some(last)) = (pts.first(), pts.last()) else {
        return String::new();
    };
    let t0 = first.time as f64;
    let span = ((last.time - first.time) as f64).max(1.0);
    let max = pts
        .iter()
        .map(|p| p.remaining_bytes)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut points = String::new();
    for p in pts {
        let x = PAD + (p.time as f64 - t0) / span * (W - 2.0 * PAD);
        let y = H - PAD + 10.0 - (p.remaining_bytes as f64 / max) * (H - PAD - 10.0);
        let _ = write!(points, "{x:.1},{y:.1} ");
    }
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"remaining data over time\">"
    );
    let _ = write!(
        s,
        "<line x1=\"{PAD}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#999\"/>\
         <line x1=\"{PAD}\" y1=\"10\" x2=\"{PAD}\" y2=\"{b}\" stroke=\"#999\"/>",
        b = H - PAD + 10.0,
        r = W - PAD
    );
    let _ = write!(
        s,
        "<polyline fill=\"none\" stroke=\"#2c7be5\" stroke-width=\"2\" points=\"{}\"/>",
        points.trim_end()
    );
    let _ = write!(
        s,
        "<text x=\"{PAD}\" y=\"{y}\" font-size=\"11\">{}</text>\
         <text x=\"{r}\" y=\"{y}\" font-size=\"11\" text-anchor=\"end\">{}</text>\
         <text x=\"2\" y=\"14\" font-size=\"11\">{}</text></svg>",
        escape(&utc_date(first.time).to_string()),
        escape(&utc_date(last.time).to_string()),
        escape(&bytes(max as u64)),
        y = H - 8.0,
        r = W - PAD
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::balance::{Date, Reading};
    use crate::monitor::history::{CheckRecord, History, Method};
    use crate::monitor::status::SnapshotOptions;
    use crate::monitor::test_util::temp_dir;
    use proptest::prelude::*;

    const HOSTILE: &str = "Остаток 1.5 GB </pre><script>alert('x')</script><img src=x onerror=\"alert(1)\"> & <!-- \u{7}";

    fn page() -> String {
        let dir = temp_dir("page");
        let h = History::open(&dir.join("h.db")).unwrap();
        let t0 = Date::new(2026, 11, 1).unwrap().to_days_since_epoch() * DAY;
        for day in 0..6i64 {
            let mut r = Reading::empty(HOSTILE);
            r.remaining_bytes = Some((6 - day as u64) << 30);
            r.total_bytes = Some(10 << 30);
            r.expiry = Date::new(2026, 11, 30);
            let mut rec =
                CheckRecord::success(t0 + day * DAY + 3600, "8970<b>", Method::Ussd, "*100#", r);
            rec.carrier = Some("tele<2>".into());
            h.record(&rec).unwrap();
        }
        h.set_alert_state("8970<b>", "remaining<20%", true, t0, Some("1 GB <left>"))
            .unwrap();
        let snap =
            Snapshot::from_history(&h, t0 + 5 * DAY + 7200, &SnapshotOptions::default()).unwrap();
        render_page(&snap)
    }

    #[test]
    fn hostile_reply_is_escaped() {
        let p = page();
        assert!(!p.contains("<script"), "{p}");
        assert!(!p.contains("<img"), "{p}");
        assert!(!p.contains("<!--"), "{p}");
        assert!(!p.contains('\u{7}'));
        assert!(
            p.contains("&lt;/pre&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
            "{p}"
        );
        assert!(p.contains("onerror=&quot;alert(1)&quot;"), "{p}");
        assert!(p.contains("Остаток 1.5 GB"));
        assert!(p.contains("SIM 8970&lt;b&gt; — tele&lt;2&gt;"), "{p}");
        assert!(p.contains("1 GB &lt;left&gt;"), "{p}");
        // Exactly one <pre> opened and closed: the reply could not close it early.
        assert_eq!(p.matches("<pre>").count(), 1);
        assert_eq!(p.matches("</pre>").count(), 1);
    }

    #[test]
    fn known_values_appear() {
        let p = page();
        assert!(p.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(p.trim_end().ends_with("</html>"));
        for want in [
            "<dt>Remaining</dt><dd>1 GB</dd>",
            "<dt>Allowance</dt><dd>10 GB</dd>",
            "<dt>Expires</dt><dd>2026-11-30</dd>",
            "<dt>Days left</dt><dd>25</dd>",
            "<dt>Daily budget</dt><dd>40.96 MB a day</dd>",
            "<dt>Usage rate</dt><dd>1 GB a day</dd>",
            "<dt>Runs out</dt><dd>2026-11-07",
            "Theil–Sen",
            "<polyline",
            "10 %</text>",
            "1 GB of 10 GB",
        ] {
            assert!(p.contains(want), "missing {want:?} in\n{p}");
        }
        assert!(!p.contains("<script"), "no JavaScript at all");
        // The chart has one point per reading.
        let pts = p
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(pts.split(' ').count(), 6);
    }

    #[test]
    fn empty_snapshot_renders() {
        let p = render_page(&Snapshot {
            generated_at: 0,
            sims: vec![],
        });
        assert!(p.contains("No checks recorded yet."));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn escape_leaves_no_markup(s in ".{0,60}") {
            let e = escape(&s);
            prop_assert!(!e.contains('<') && !e.contains('>') && !e.contains('"') && !e.contains('\''));
            // Every & starts an entity we wrote.
            for (i, _) in e.match_indices('&') {
                let rest = &e[i..];
                prop_assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|x| rest.starts_with(x)));
            }
        }
    }
}
