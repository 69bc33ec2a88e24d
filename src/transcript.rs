//! Transcripts (`.atx`): recorded AT conversations, replayed by the emulator and tests.
