//! Transcript replay: the emulator plays the modem side of an `.atx` file and checks that the
//! host sends exactly what the transcript says, answering `ERROR` and recording a diff when not.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::Device;
use crate::transcript::{escape, Step, Transcript};

/// Plays the modem side of a transcript.
pub struct Replay {
    steps: Vec<Step>,
    next: usize,
    input: Vec<u8>,
    out: VecDeque<(Instant, Vec<u8>)>,
    /// Mismatches seen so far, each a readable diff.
    pub mismatches: Vec<String>,
}

impl Replay {
    /// Starts replaying; chunks the modem writes before the first command are scheduled at `now`.
    pub fn new(t: &Transcript, now: Instant) -> Self {
        let mut r = Replay {
            steps: t.steps.clone(),
            next: 0,
            input: Vec::new(),
            out: VecDeque::new(),
            mismatches: Vec::new(),
        };
        r.schedule_modem_side(now);
        r
    }

    /// True when every step has been played and every chunk written.
    pub fn done(&self) -> bool {
        self.next >= self.steps.len() && self.out.is_empty()
    }

    fn schedule_modem_side(&mut self, now: Instant) {
        let mut at = now;
        while let Some(step) = self.steps.get(self.next) {
            match step {
                Step::Recv(b) => self.out.push_back((at, b.clone())),
                Step::Pause(d) => at += *d,
                Step::Send(_) | Step::SendAny => break,
            }
            self.next += 1;
        }
    }

    fn command(&mut self, now: Instant, got: Vec<u8>) {
        match self.steps.get(self.next) {
            Some(Step::SendAny) => {
                self.next += 1;
                self.schedule_modem_side(now);
            }
            Some(Step::Send(want)) if *want == got => {
                self.next += 1;
                self.schedule_modem_side(now);
            }
            Some(Step::Send(want)) => {
                self.mismatches.push(format!(
                    "step {}: the host sent something else\n  expected > {}\n  actual   > {}",
                    self.next + 1,
                    escape(want),
                    escape(&got)
                ));
                self.out.push_back((now, b"\r\nERROR\r\n".to_vec()));
            }
            _ => {
                self.mismatches.push(format!(
                    "after the end of the transcript the host sent > {}",
                    escape(&got)
                ));
                self.out.push_back((now, b"\r\nERROR\r\n".to_vec()));
            }
        }
    }
}

impl Device for Replay {
    fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' && self.input.is_empty() {
                continue;
            }
            self.input.push(b);
            // A command ends with CR; a message body after the `> ` prompt with Ctrl-Z or Esc.
            if matches!(b, b'\r' | 0x1a | 0x1b) {
                let got = std::mem::take(&mut self.input);
                self.command(now, got);
            }
        }
    }

    fn poll_output(&mut self, now: Instant) -> Option<Vec<u8>> {
        match self.out.front() {
            Some((t, _)) if *t <= now => self.out.pop_front().map(|(_, b)| b),
            _ => None,
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.out.front().map(|(t, _)| *t)
    }

    fn outcome(&self) -> Option<Result<(), String>> {
        if !self.mismatches.is_empty() {
            return Some(Err(self.mismatches.join("\n")));
        }
        self.done().then_some(Ok(()))
    }
}

/// Total of the pauses in a transcript (what a replay takes at least).
pub fn total_pause(t: &Transcript) -> Duration {
    t.steps
        .iter()
        .map(|s| match s {
            Step::Pause(d) => *d,
            _ => Duration::ZERO,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Transcript {
        Transcript::parse(
            "> ATE0\\r\n< ATE0\\r\\r\\nOK\\r\\n\n> AT+CUSD=1,\"*100#\",15\\r\n< \\r\\nOK\\r\\n\n~ 500ms\n< \\r\\n+CUSD: 0,\"Hi\",15\\r\\n\n",
        )
        .unwrap()
    }

    #[test]
    fn plays_in_order_with_pauses() {
        let now = Instant::now();
        let mut r = Replay::new(&t(), now);
        assert_eq!(r.poll_timeout(), None);
        r.handle_input(now, b"ATE0\r");
        assert_eq!(r.poll_output(now).unwrap(), b"ATE0\r\r\nOK\r\n");
        // The command may arrive split across reads.
        r.handle_input(now, b"AT+CUSD=1,\"*1");
        r.handle_input(now, b"00#\",15\r");
        assert_eq!(r.poll_output(now).unwrap(), b"\r\nOK\r\n");
        assert_eq!(r.poll_output(now), None);
        assert_eq!(r.poll_timeout(), Some(now + Duration::from_millis(500)));
        let later = now + Duration::from_millis(500);
        assert_eq!(r.poll_output(later).unwrap(), b"\r\n+CUSD: 0,\"Hi\",15\r\n");
        assert_eq!(r.outcome(), Some(Ok(())));
    }

    #[test]
    fn mismatch_answers_error_and_shows_a_diff() {
        let now = Instant::now();
        let mut r = Replay::new(&t(), now);
        r.handle_input(now, b"ATE1\r");
        assert_eq!(r.poll_output(now).unwrap(), b"\r\nERROR\r\n");
        let err = r.outcome().unwrap().unwrap_err();
        assert!(err.contains("expected > ATE0\\r"), "{err}");
        assert!(err.contains("actual   > ATE1\\r"), "{err}");
    }
}
