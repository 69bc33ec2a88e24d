#![no_main]
//! See `simquota_fuzz::balance` (fuzz/src/lib.rs) for the input layout and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| simquota_fuzz::balance(data));
