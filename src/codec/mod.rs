//! Text codecs: GSM 03.38 7-bit, UCS-2/UTF-16, hex, and DCS interpretation (TS 23.038).
