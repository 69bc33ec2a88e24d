//! Carrier profiles as data: how to ask each carrier and how it answers.
