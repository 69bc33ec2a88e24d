//! `simquota parse TEXT --explain` and `balance -v`: which words gave each figure its role and
//! which numbers were not taken, and why — so a wrong reading can be reported in one paste.

use super::model::Reading;
use super::unit::format_bytes;

/// A plain-text account of a reading: the figures, then every candidate with its role and
/// cue or the reason it was rejected, then the notes. `base` is the unit base used.
pub fn explain(r: &Reading, base: u64) -> String {
    let mut out = String::new();
    let lang = r.language.as_deref().unwrap_or("unknown");
    out.push_str(&format!(
        "language: {lang} · understood: {} · confidence {:.2}\n",
        if r.understood { "yes" } else { "no" },
        r.confidence
    ));
    for b in &r.buckets {
        let mut parts = Vec::new();
        if let Some(v) = b.remaining_bytes {
            let d = if b.derived { " (derived)" } else { "" };
            parts.push(format!("remaining {}{d}", format_bytes(v, base)));
        }
        if let Some(v) = b.used_bytes {
            parts.push(format!("used {}", format_bytes(v, base)));
        }
        if let Some(v) = b.total_bytes {
            parts.push(format!("total {}", format_bytes(v, base)));
        }
        if b.unlimited {
            parts.push("unlimited".into());
        }
        if let Some(x) = b.expires {
            parts.push(format!("expires {x}"));
        }
        if b.breakdown {
            parts.push("part of another figure".into());
        }
        out.push_str(&format!("bucket {}: {}\n", b.label, parts.join(", ")));
    }
    for m in &r.money {
        let x = m
            .expires
            .map(|x| format!(", valid until {x}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "money {}: {} {}{x}\n",
            m.label, m.amount, m.currency
        ));
    }
    if let Some(x) = r.expiry {
        out.push_str(&format!("expiry: {x}\n"));
    }
    if let Some(x) = r.reset {
        out.push_str(&format!("reset: {x}\n"));
    }
    if let Some(t) = r.throttled {
        let s = t
            .speed_kbps
            .map(|k| format!(" to {k} kbit/s"))
            .unwrap_or_default();
        out.push_str(&format!("throttled{s}\n"));
    }
    for c in &r.candidates {
        let cue = c
            .cue
            .as_deref()
            .map(|w| format!(" from {w:?}"))
            .unwrap_or_default();
        match &c.role {
            Some(role) => out.push_str(&format!(
                "  taken    {:?} ({}) as {role}{cue}: {}\n",
                c.text, c.kind, c.why
            )),
            None => out.push_str(&format!(
                "  rejected {:?} ({}){cue}: {}\n",
                c.text, c.kind, c.why
            )),
        }
    }
    for n in &r.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}
