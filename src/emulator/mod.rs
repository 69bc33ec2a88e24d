//! A modem on a pseudo-terminal, for tests, demos and `balance --simulate`.
