//! `simquota plan …`, the estimate shown by `balance` on a SIM with a plan, and anchors from
//! readings. The logic is in [`crate::plan`]; this maps arguments and renders.

use std::path::Path;

use crate::balance::format_bytes;
use crate::check::NoMethod;
use crate::plan::store::{self, Plans};
use crate::plan::{self, AnchorSource, AtCap, Cycle, Estimate, Pack, Plan, Size};
use crate::state::StateDir;

use super::args::{PlanCmd, SimArgs};
use super::{exit, render, Failure};

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::new(exit::USAGE, e.to_string())
}

fn plan_err(e: plan::PlanError) -> Failure {
    match e {
        plan::PlanError::Io(m) => Failure::new(exit::MODEM, m),
        e => usage(e),
    }
}

/// Where the counts of this run go: the scratch directory of a `--simulate` run, else the
/// user's state directory.
fn state_dir(simulate: bool) -> StateDir {
    if simulate {
        let _ = crate::state::use_throwaway();
    }
    StateDir::resolve()
}

/// The ICCID the command is about: `--iccid`, else the SIM in the modem.
async fn iccid(sim: &SimArgs) -> Result<String, Failure> {
    if let Some(i) = &sim.iccid {
        plan::check_iccid(i).map_err(usage)?;
        return Ok(i.clone());
    }
    let mut port = sim.port.clone();
    port.check_ready = false;
    // Through ModemManager when it owns the modem (a build without `mm`: the AT port only;
    // `modem_choice` refuses `--backend modemmanager` there, naming the feature).
    #[cfg(feature = "mm")]
    let through_mm = match super::mm::choose(&port).await? {
        Some(modem) => Some(crate::mm::identity(&modem).await?),
        None => None,
    };
    #[cfg(not(feature = "mm"))]
    let through_mm: Option<crate::modem::Identity> = {
        super::modem_choice(&port)?;
        None
    };
    let id = match through_mm {
        Some(id) => id,
        None => {
            let mut s = super::open(&port).await?;
            let id = s.modem.identify().await;
            super::finish(s).await?;
            id?
        }
    };
    id.iccid.ok_or_else(|| {
        Failure::new(
            exit::SIM,
            "the modem did not tell the SIM's ICCID: pass --iccid ICCID",
        )
    })
}

/// `simquota plan …`.
pub async fn run(cmd: PlanCmd) -> Result<u8, Failure> {
    let path = Plans::default_path();
    let now = crate::monitor::now_unix();
    match cmd {
        PlanCmd::Set {
            allowance,
            resets,
            tz,
            at_cap,
            carry_over,
            interface,
            sim,
        } => {
            let mut p = Plan::new(
                "0000000000",
                plan::parse_size(&allowance).map_err(usage)?,
                Cycle::parse(&resets).map_err(usage)?,
                now,
            );
            p.tz = tz;
            p.at_cap = at_cap
                .as_deref()
                .map(AtCap::parse)
                .transpose()
                .map_err(usage)?;
            p.carry_over = carry_over;
            if let Some(i) = &interface {
                if i.is_empty() || i.len() > 64 || i.contains(['/', '\0']) || i == ".." {
                    return Err(usage(format!("--interface {i:?} is not an interface name")));
                }
            }
            p.interface = interface;
            p.iccid = iccid(&sim).await?;
            let notes = p.validate().map_err(usage)?;
            let id = p.iccid.clone();
            Plans::update(&path, |plans| {
                plans.set(p, true);
                Ok(())
            })
            .map_err(plan_err)?;
            for n in notes {
                eprintln!("simquota: note: {n}");
            }
            println!("Plan set for SIM {id} in {}.", path.display());
            show(&path, &id, now, sim.port.json, sim.port.simulate)
        }
        PlanCmd::Show { sim } => {
            let id = iccid(&sim).await?;
            show(&path, &id, now, sim.port.json, sim.port.simulate)
        }
        PlanCmd::AddPack { size, expires, sim } => {
            let size = plan::parse_size(&size).map_err(usage)?;
            if size == 0 {
                return Err(usage("a pack of 0 bytes"));
            }
            let expires = expires
                .as_deref()
                .map(plan::parse_days)
                .transpose()
                .map_err(usage)?
                .map(|d| now + d);
            let id = iccid(&sim).await?;
            Plans::update(&path, |plans| {
                let p = plans.get_mut(&id).ok_or_else(|| no_plan(&id))?;
                p.packs.push(Pack {
                    size: Size(size),
                    added: now,
                    expires,
                });
                // Packs long expired are dropped from the file.
                p.packs
                    .retain(|k| k.expires.is_none_or(|e| e > now - 400 * 86_400));
                Ok(())
            })
            .map_err(plan_err)?;
            println!("Added a {} pack.", format_bytes(size, 1024));
            show(&path, &id, now, sim.port.json, sim.port.simulate)
        }
        PlanCmd::Anchor { remaining, sim } => {
            let r = plan::parse_size(&remaining).map_err(usage)?;
            let id = iccid(&sim).await?;
            let state = state_dir(sim.port.simulate);
            let notes = store::record_anchor(&path, &state, &id, r, AnchorSource::Manual, now)
                .map_err(plan_err)?
                .ok_or_else(|| usage(no_plan(&id)))?;
            for n in notes {
                eprintln!("simquota: note: {n}");
            }
            println!("Anchor: {} left now.", format_bytes(r, 1024));
            show(&path, &id, now, sim.port.json, sim.port.simulate)
        }
        PlanCmd::Clear { sim } => {
            let id = iccid(&sim).await?;
            let had = Plans::update(&path, |plans| Ok(plans.remove(&id))).map_err(plan_err)?;
            if had {
                println!("Plan of SIM {id} removed.");
                Ok(exit::OK)
            } else {
                Err(usage(no_plan(&id)))
            }
        }
    }
}

fn no_plan(id: &str) -> plan::PlanError {
    plan::PlanError::Invalid(format!(
        "SIM {id} has no plan: `simquota plan set --allowance 20GB --resets monthly:1 --iccid {id}`"
    ))
}

fn show(path: &Path, id: &str, now: i64, json: bool, simulate: bool) -> Result<u8, Failure> {
    let state = state_dir(simulate);
    let plans = Plans::load(path).map_err(plan_err)?;
    let p = plans.get(id).ok_or_else(|| usage(no_plan(id)))?;
    let (e, _) = store::live_estimate(path, &state, id, now)
        .map_err(plan_err)?
        .ok_or_else(|| usage(no_plan(id)))?;
    if json {
        let doc = PlanShow {
            schema_version: 1,
            plan: p,
            estimate: &e,
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(exit::OK);
    }
    println!("SIM {id}: {}", e.plan);
    if let Some(c) = &p.at_cap {
        println!("  at the cap: {}", c.describe());
    }
    if p.carry_over {
        println!("  carry-over: unused data moves to the next cycle");
    }
    if let Some(i) = &p.interface {
        println!("  counting: {i}");
    }
    for k in &p.packs {
        let exp = k
            .expires
            .map(|x| format!("expires {}", fmt_time(x)))
            .unwrap_or_else(|| "no expiry".into());
        println!("  pack: {} ({exp})", format_bytes(k.size.0, 1024));
    }
    for a in p.anchors.iter().rev().take(5) {
        let drift = a
            .drift_bytes
            .filter(|d| *d != 0)
            .map(|d| {
                format!(
                    ", estimate was {} {}",
                    format_bytes(d.unsigned_abs(), 1024),
                    if d > 0 { "higher" } else { "lower" }
                )
            })
            .unwrap_or_default();
        println!(
            "  anchor: {} left at {} ({}{drift})",
            format_bytes(a.remaining.0, 1024),
            fmt_time(a.at),
            a.source.as_str()
        );
    }
    print!("{}", render::safe(&estimate_lines(&e, now)));
    Ok(exit::OK)
}

/// `plan … --json`: the plan as stored and its estimate now.
#[derive(serde::Serialize)]
struct PlanShow<'a> {
    schema_version: u32,
    plan: &'a Plan,
    estimate: &'a Estimate,
}

fn fmt_time(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|x| x.to_string())
        .unwrap_or_else(|_| t.to_string())
}

fn ago(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=119 => "just now".into(),
        120..=7199 => format!("{} minutes ago", s / 60),
        7200..=172_799 => format!("{} hours ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}

/// `≈ 12.3 GB left (estimate: 20 GB plan resetting on the 1st, 7.7 GB counted since 1 Dec; last
/// anchor 2 days ago)` and the lines under it.
pub fn estimate_lines(e: &Estimate, now: i64) -> String {
    let tz = plan::cycle::zone(e.zone.as_deref()).unwrap_or_else(|_| jiff::tz::TimeZone::system());
    let since = e
        .cycle_start_unix
        .map(|s| format!(" since {}", plan::cycle::short_date(s, &tz)))
        .unwrap_or_default();
    let anchor = e
        .last_anchor
        .as_ref()
        .map(|a| format!("; last anchor {}", ago(now - a.at_unix)))
        .unwrap_or_else(|| "; no anchor".into());
    let mut out = format!(
        "≈ {} left (estimate: {}, {} counted{since}{anchor})\n",
        format_bytes(e.remaining_bytes, 1024),
        e.plan,
        format_bytes(e.counted_since_cycle_start_bytes, 1024),
    );
    if e.total_bytes > 0 {
        let f = e.remaining_bytes as f64 / e.total_bytes as f64;
        out.push_str(&format!(
            "  {} {:.0}% of {}\n",
            render::gauge(f),
            f * 100.0,
            format_bytes(e.total_bytes, 1024)
        ));
    }
    if let (Some(b), Some(d), Some(r)) = (e.daily_budget_bytes, e.days_to_reset, e.next_reset_unix)
    {
        out.push_str(&format!(
            "  budget: {}/day for {:.1} days until the reset on {}\n",
            format_bytes(b, 1024),
            d,
            plan::cycle::short_date(r, &tz)
        ));
    }
    if e.capped {
        if let Some(c) = &e.at_cap {
            out.push_str(&format!(
                "  used up: the carrier has probably {c} the data\n"
            ));
        }
    }
    if (e.correction_factor - 1.0).abs() > 0.001 {
        out.push_str(&format!(
            "  counted bytes × {:.3} (learnt from your anchors)\n",
            e.correction_factor
        ));
    }
    for n in &e.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}

/// `balance` on an app-only SIM: the estimate when the SIM has a plan. `None`: no plan (or no
/// ICCID); the caller renders the plain "no method" answer.
pub fn attach_estimate(n: &mut NoMethod, simulate: bool) -> Option<Vec<String>> {
    let id = n.iccid.clone()?;
    let state = state_dir(simulate);
    match store::live_estimate(
        &Plans::default_path(),
        &state,
        &id,
        crate::monitor::now_unix(),
    ) {
        Ok(Some((e, notes))) => {
            n.estimate = Some(Box::new(e));
            Some(notes)
        }
        Ok(None) => None,
        Err(e) => {
            eprintln!("simquota: warning: plan: {}", render::safe(&e.to_string()));
            None
        }
    }
}

/// Prometheus lines of an estimate, apart from the carrier metrics.
pub fn prometheus(n: &NoMethod, e: &Estimate) -> String {
    let l = format!(
        "iccid=\"{}\",carrier=\"{}\"",
        n.iccid
            .as_deref()
            .unwrap_or("")
            .replace(['"', '\\', '\n'], ""),
        n.carrier.id.replace(['"', '\\', '\n'], "")
    );
    let mut s = String::new();
    s.push_str("# HELP simquota_estimated_remaining_bytes Remaining data estimated from the plan and counted traffic (not the carrier's figure).\n# TYPE simquota_estimated_remaining_bytes gauge\n");
    s.push_str(&format!(
        "simquota_estimated_remaining_bytes{{{l}}} {}\n",
        e.remaining_bytes
    ));
    s.push_str("# HELP simquota_estimated_total_bytes What the plan holds this cycle (allowance, carry-over, packs).\n# TYPE simquota_estimated_total_bytes gauge\n");
    s.push_str(&format!(
        "simquota_estimated_total_bytes{{{l}}} {}\n",
        e.total_bytes
    ));
    s.push_str("# HELP simquota_counted_cycle_bytes Bytes counted on the interface since the cycle started.\n# TYPE simquota_counted_cycle_bytes gauge\n");
    s.push_str(&format!(
        "simquota_counted_cycle_bytes{{{l}}} {}\n",
        e.counted_since_cycle_start_bytes
    ));
    if let Some(b) = e.daily_budget_bytes {
        s.push_str("# HELP simquota_estimated_daily_budget_bytes Estimated remaining bytes per day until the reset.\n# TYPE simquota_estimated_daily_budget_bytes gauge\n");
        s.push_str(&format!(
            "simquota_estimated_daily_budget_bytes{{{l}}} {b}\n"
        ));
    }
    if let Some(r) = e.next_reset_unix {
        s.push_str("# HELP simquota_plan_next_reset_timestamp_seconds When the plan's allowance resets.\n# TYPE simquota_plan_next_reset_timestamp_seconds gauge\n");
        s.push_str(&format!(
            "simquota_plan_next_reset_timestamp_seconds{{{l}}} {r}\n"
        ));
    }
    s
}

/// A carrier reading (or a parsed text) of a SIM with a plan becomes an anchor. Silent when
/// the SIM has no plan; problems are warnings (the reading itself stands).
pub fn anchor_reading(
    iccid: &str,
    remaining: u64,
    source: AnchorSource,
    simulate: bool,
) -> Option<Vec<String>> {
    let state = state_dir(simulate);
    match store::record_anchor(
        &Plans::default_path(),
        &state,
        iccid,
        remaining,
        source,
        crate::monitor::now_unix(),
    ) {
        Ok(n) => n,
        Err(e) => {
            eprintln!(
                "simquota: warning: plan anchor: {}",
                render::safe(&e.to_string())
            );
            None
        }
    }
}

/// `parse TEXT --anchor`: which SIM — `--iccid`, or the only SIM with a plan.
pub fn parse_anchor(iccid: Option<&str>, remaining: Option<u64>) -> Result<(), Failure> {
    let Some(r) = remaining else {
        return Err(Failure::new(
            exit::NOT_UNDERSTOOD,
            "--anchor: no remaining figure was read from the text, so no anchor was stored",
        ));
    };
    let id = match iccid {
        Some(i) => {
            plan::check_iccid(i).map_err(usage)?;
            i.to_string()
        }
        None => {
            let plans = Plans::load(&Plans::default_path()).map_err(plan_err)?;
            match plans.sims.as_slice() {
                [one] => one.iccid.clone(),
                [] => return Err(usage("--anchor: no SIM has a plan (`simquota plan set`)")),
                _ => {
                    return Err(usage(
                        "--anchor: several SIMs have plans: pass --iccid ICCID",
                    ))
                }
            }
        }
    };
    let notes = store::record_anchor(
        &Plans::default_path(),
        &StateDir::resolve(),
        &id,
        r,
        AnchorSource::Parsed,
        crate::monitor::now_unix(),
    )
    .map_err(plan_err)?
    .ok_or_else(|| usage(no_plan(&id)))?;
    for n in notes {
        eprintln!("simquota: note: {}", render::safe(&n));
    }
    eprintln!(
        "simquota: anchor stored for SIM {id}: {} left",
        format_bytes(r, 1024)
    );
    Ok(())
}
