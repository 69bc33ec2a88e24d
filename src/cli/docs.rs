//! Shell completions (clap_complete) and man pages (clap_mangen), both generated from the one
//! clap definition in [`super::args`], so a flag added there shows up in every shell and page
//! without a second list to keep in step (the ripgrep lesson in STYLE.md §6).

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::Cli;
use super::{exit, Failure};

/// `simquota completions SHELL`: the completion script on stdout.
pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<u8, Failure> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "simquota", out);
    Ok(exit::OK)
}

/// The page names `simquota man --dir` writes: `simquota.1`, `simquota-balance.1`,
/// `simquota-sms-send.1`, … (hidden subcommands have none).
pub fn man_page_names() -> Vec<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        out.push(format!("{prefix}.1"));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, &format!("{prefix}-{}", sub.get_name()), out);
        }
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut names = Vec::new();
    walk(&cmd, "simquota", &mut names);
    names
}

/// Sections the generated top-level page lacks: exit codes, files, environment, the modem's
/// permissions. Plain roff, written here once (the README says the same at more length).
const EXTRA: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
success
.TP
\fB1\fR
modem or port problem (not found, busy, not answering AT, vanished, timed out)
.TP
\fB2\fR
usage: bad arguments, unknown carrier id, unreadable file, or a feature this build lacks
.TP
\fB3\fR
a reply arrived but was not understood (the raw text is shown)
.TP
\fB4\fR
remaining data below \fB\-\-warn\-below\fR or an alert rule (not a failure for a service)
.TP
\fB5\fR
the carrier or network gave no usable answer
.TP
\fB6\fR
SIM or registration problem (no SIM, PIN needed, not registered)
.TP
\fB7\fR
the SMS spend guard refused to send another query SMS
.SH FILES
.TP
\fI~/.config/simquota/config.toml\fR, \fI/etc/simquota/config.toml\fR
configuration, the first that exists; every key is optional, unknown keys are errors
.TP
\fI/var/lib/simquota\fR
state and history of the packaged service (\fBSIMQUOTA_STATE_DIR\fR, \fBSIMQUOTA_DATA_DIR\fR)
.SH ENVIRONMENT
.TP
\fBSIMQUOTA_PORT\fR
the modem's AT port, as \fB\-\-port\fR
.TP
\fBSIMQUOTA_PIN\fR
the SIM PIN, sent once if the SIM asks for it (never give it on the command line)
.TP
\fBSIMQUOTA_STATE_DIR\fR, \fBSIMQUOTA_DATA_DIR\fR
where the SMS spend guard's state and the history database live
.SH NOTES
The modem's serial port (\fI/dev/ttyUSB*\fR, \fI/dev/ttyACM*\fR) belongs to the \fBdialout\fR
group on Debian: add yourself with \fBsudo adduser $USER dialout\fR and log in again, or run as
root. The packaged systemd units run with \fBSupplementaryGroups=dialout\fR.
"#;

/// `simquota man`: the top-level page on stdout, or with `dir` one page per (sub)command in it.
pub fn man(dir: Option<&Path>, out: &mut dyn Write) -> Result<u8, Failure> {
    let io = |what: &str, e: std::io::Error| Failure::new(exit::MODEM, format!("{what}: {e}"));
    match dir {
        None => {
            render_top(out).map_err(|e| io("cannot write the man page", e))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| io(&format!("cannot create {}", dir.display()), e))?;
            let mut cmd = Cli::command().disable_help_subcommand(true);
            cmd.build();
            write_pages(&cmd, dir)?;
            for name in man_page_names() {
                writeln!(out, "{}", dir.join(name).display()).map_err(|e| io("cannot write", e))?;
            }
        }
    }
    Ok(exit::OK)
}

fn render_top(out: &mut dyn Write) -> std::io::Result<()> {
    let cmd = Cli::command().disable_help_subcommand(true);
    clap_mangen::Man::new(cmd).render(out)?;
    out.write_all(EXTRA.as_bytes())
}

fn write_pages(cmd: &clap::Command, dir: &Path) -> Result<(), Failure> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    let man = clap_mangen::Man::new(cmd.clone());
    let path = dir.join(man.get_filename());
    let write = || -> std::io::Result<()> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
        if cmd.get_name() == "simquota" {
            render_top(&mut f)?;
        } else {
            man.render(&mut f)?;
        }
        f.flush()
    };
    write().map_err(|e| Failure::new(exit::MODEM, format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every visible subcommand, nested ones as `sms send`.
    fn subcommands() -> Vec<Vec<String>> {
        fn walk(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
                let mut p = path.to_vec();
                p.push(sub.get_name().to_string());
                out.push(p.clone());
                walk(sub, &p, out);
            }
        }
        let mut out = Vec::new();
        walk(&Cli::command(), &[], &mut out);
        out
    }

    #[test]
    fn page_names_cover_every_subcommand() {
        let names = man_page_names();
        let subs = subcommands();
        assert!(subs.len() >= 15, "expected the whole tree, got {subs:?}");
        for s in &subs {
            let want = format!("simquota-{}.1", s.join("-"));
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        assert_eq!(names.len(), subs.len() + 1, "{names:?}");
    }
}
