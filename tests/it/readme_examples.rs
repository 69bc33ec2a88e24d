//! Every `$ simquota …` example in the README runs (issue 12 item 7): each is executed as
//! written, from the repository root, against the built-in emulator, and its output compared
//! with what the README shows — normalising only pseudo-terminal numbers and the day counts
//! and daily budgets that depend on today's date. An example that cannot run here (it needs a
//! real modem, or it is a daemon) sits in a code block preceded by `<!-- not run: REASON -->`,
//! so a skipped example is always a visible, explained one. A block whose last line is `...`
//! shows only the beginning of the output.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{bin, root, tempdir};

struct Example {
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// Examples and the (line, reason) of every block marked not to run.
fn examples(readme: &str) -> (Vec<Example>, Vec<(usize, String)>) {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out: Vec<Example> = Vec::new();
    let mut skipped = Vec::new();
    let mut in_block = false;
    let mut skip_block = false;
    let mut current: Option<Example> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            if in_block {
                out.extend(current.take());
                in_block = false;
            } else {
                in_block = true;
                skip_block = false;
                // A marker on one of the two lines before the fence.
                for back in 1..=2 {
                    if let Some(prev) = i.checked_sub(back).and_then(|j| lines.get(j)) {
                        if let Some(reason) = prev
                            .trim()
                            .strip_prefix("<!-- not run:")
                            .and_then(|r| r.strip_suffix("-->"))
                        {
                            skip_block = true;
                            skipped.push((i + 1, reason.trim().to_string()));
                        }
                    }
                }
            }
            continue;
        }
        if !in_block || skip_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.extend(current.take());
            if cmd.starts_with("simquota ") {
                current = Some(Example {
                    line: i + 1,
                    command: cmd.to_string(),
                    expected: Vec::new(),
                });
            }
        } else if let Some(e) = current.as_mut() {
            e.expected.push(line.to_string());
        }
    }
    (out, skipped)
}

/// What may differ between the README and a run today.
fn normalise(text: &str) -> String {
    let pts = regex_lite::Regex::new(r"/dev/pts/[0-9]+").unwrap();
    let days = regex_lite::Regex::new(r"\([0-9]+ days?\)").unwrap();
    let budget = regex_lite::Regex::new(r"≈ [0-9.]+ [KMGT]?B/day").unwrap();
    let text = pts.replace_all(text, "/dev/pts/N");
    let text = days.replace_all(&text, "(N days)");
    let text = budget.replace_all(&text, "≈ X/day");
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

fn run_example(e: &Example, state: &Path) -> String {
    let dir = bin().parent().expect("binary dir").to_path_buf();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Bounded: a daemon example that slipped in without its marker fails instead of hanging.
    let o = Command::new("timeout")
        .args(["-k", "5", "60", "sh", "-c"])
        .arg(format!("{{ {} ; }} 2>&1", e.command))
        .current_dir(root())
        .env("PATH", path)
        .env("SIMQUOTA_STATE_DIR", state)
        .env("XDG_CONFIG_HOME", state)
        .env("LANG", "C.UTF-8")
        .env_remove("SIMQUOTA_PORT")
        .env_remove("SIMQUOTA_PIN")
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn every_readme_example_runs_and_shows_what_the_readme_says() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let (examples, skipped) = examples(&readme);
    assert!(
        examples.len() >= 12,
        "only {} examples found",
        examples.len()
    );
    for (line, reason) in &skipped {
        assert!(
            !reason.is_empty(),
            "README line {line}: a skipped block says why"
        );
    }
    let mut failures = Vec::new();
    for e in &examples {
        let state = tempdir("readme");
        std::fs::create_dir_all(&state).unwrap();
        let got = normalise(&run_example(e, &state));
        let want = normalise(&e.expected.join("\n"));
        // A README block may end with a line of just `...`: the output goes on past it.
        let same = match want.strip_suffix("...") {
            Some(head) if want.lines().last().is_some_and(|l| l.trim() == "...") => {
                got.starts_with(head.trim_end())
            }
            _ => got == want,
        };
        if !same {
            failures.push(format!(
                "README line {}: $ {}\n--- README shows:\n{want}\n--- it printed:\n{got}\n",
                e.line, e.command
            ));
        }
    }
    eprintln!(
        "README examples: {} run, {} blocks marked not run",
        examples.len(),
        skipped.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} README examples differ:\n\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}
