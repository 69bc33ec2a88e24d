//! Byte-level framing of modem output into lines (V.250 §5.7: responses are framed by S3/S4,
//! CR and LF, but firmware sends `\r\n`, `\r\r\n`, bare `\r` or bare `\n`).
//!
//! Invariant: the framer is a pure function of the byte sequence — how the bytes were chunked
//! never changes its output. A CR ends a line and a LF directly after it (even in the next read)
//! is part of the same terminator; every other CR or LF ends a (possibly empty) line.
//!
//! The text-entry prompt `> ` (TS 27.005 §3.5.1) has no terminator; it is recognised when a line
//! so far is exactly `> `, or when a whole line is `>` (SIMCom's `\r\n>\r\n`). A line that grows
//! past the configured limit without a terminator is handed out as an overflow chunk.

/// One unit of framed input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    /// A non-empty line, without its terminator.
    Line(Vec<u8>),
    /// An empty line (ignored by the session except inside an open quoted string).
    Blank,
    /// The text-entry prompt.
    Prompt,
    /// `max_line` bytes without a terminator.
    Overflow(Vec<u8>),
}

#[derive(Debug, Clone)]
pub(crate) struct Framer {
    buf: Vec<u8>,
    after_cr: bool,
    max_line: usize,
}

impl Framer {
    pub(crate) fn new(max_line: usize) -> Self {
        Self {
            buf: Vec::new(),
            after_cr: false,
            max_line: max_line.max(2),
        }
    }

    /// Feed one byte. `prompt_allowed` is false while a quoted string is open (a `> ` there is
    /// text, not a prompt).
    pub(crate) fn push(&mut self, b: u8, prompt_allowed: bool) -> Option<Frame> {
        if self.after_cr {
            self.after_cr = false;
            if b == b'\n' {
                return None;
            }
        }
        match b {
            b'\r' | b'\n' => {
                self.after_cr = b == b'\r';
                let line = std::mem::take(&mut self.buf);
                if line.is_empty() {
                    Some(Frame::Blank)
                } else if prompt_allowed && line == b">" {
                    Some(Frame::Prompt)
                } else {
                    Some(Frame::Line(line))
                }
            }
            _ => {
                self.buf.push(b);
                if prompt_allowed && self.buf == b"> " {
                    self.buf.clear();
                    return Some(Frame::Prompt);
                }
                if self.buf.len() >= self.max_line {
                    return Some(Frame::Overflow(std::mem::take(&mut self.buf)));
                }
                None
            }
        }
    }

    /// Bytes of an unterminated line, taken out of the framer.
    pub(crate) fn take_partial(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    pub(crate) fn reset(&mut self) {
        self.buf.clear();
        self.after_cr = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut f = Framer::new(16);
        input.iter().filter_map(|&b| f.push(b, true)).collect()
    }

    fn line(s: &str) -> Frame {
        Frame::Line(s.as_bytes().to_vec())
    }

    #[test]
    fn terminators() {
        use Frame::*;
        assert_eq!(frames(b"\r\nOK\r\n"), vec![Blank, line("OK")]);
        assert_eq!(frames(b"OK\r\r\n"), vec![line("OK"), Blank]);
        assert_eq!(
            frames(b"A\rB\nC\n\rD\r"),
            vec![line("A"), line("B"), line("C"), Blank, line("D")]
        );
        assert_eq!(frames(b"\r\n> "), vec![Blank, Prompt]);
        assert_eq!(frames(b"\r\n>\r\n"), vec![Blank, Prompt]);
        assert_eq!(frames(b">x\r"), vec![line(">x")]);
        assert_eq!(
            frames(b"0123456789abcdefXY\r"),
            vec![Overflow(b"0123456789abcdef".to_vec()), line("XY")]
        );
    }

    #[test]
    fn prompt_is_text_when_not_allowed() {
        let mut f = Framer::new(64);
        let out: Vec<_> = b"> a\r>\r"
            .iter()
            .filter_map(|&b| f.push(b, false))
            .collect();
        assert_eq!(out, vec![line("> a"), line(">")]);
    }
}
