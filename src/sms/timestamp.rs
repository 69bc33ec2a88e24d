//! Service-centre time stamp (TS 23.040 §9.2.3.11): 7 octets of swapped semi-octets
//! `YY MM DD hh mm ss zz`; the zone is in quarter hours, bit 3 of its first (low) nibble
//! is the sign. Also the text-mode form `"yy/MM/dd,hh:mm:ss±zz"` (TS 27.005 §3.3).
//!
//! Invariant: a decoded [`Timestamp`] re-encodes to the same 7 octets. Years 00–99 are
//! taken as 2000–2099 (the field has no century).

use serde::{Serialize, Serializer};

/// A time stamp with its own UTC offset, as sent by the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Full year (2000 + the two digits).
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–59.
    pub second: u8,
    /// UTC offset in quarter hours (−79…79), e.g. 36 for +09:00, −20 for −05:00.
    pub tz_quarters: i8,
}

fn swapped(b: u8) -> Option<u8> {
    let (lo, hi) = (b & 0x0F, b >> 4);
    (lo <= 9 && hi <= 9).then_some(lo * 10 + hi)
}

fn swap(v: u8) -> u8 {
    ((v % 10) << 4) | (v / 10 % 10)
}

impl Timestamp {
    /// Decode the 7-octet form. The error says which field is wrong.
    pub fn decode(b: &[u8; 7]) -> Result<Timestamp, String> {
        const NAMES: [&str; 6] = ["year", "month", "day", "hour", "minute", "second"];
        let mut v = [0u8; 6];
        for (i, (slot, name)) in v.iter_mut().zip(NAMES).enumerate() {
            let byte = b.get(i).copied().unwrap_or(0);
            *slot = swapped(byte)
                .ok_or_else(|| format!("{name} octet 0x{byte:02X} is not two decimal digits"))?;
        }
        let [yy, month, day, hour, minute, second] = v;
        let z = b[6];
        let tens = z & 0x07;
        let units = z >> 4;
        if units > 9 {
            return Err(format!("time zone octet 0x{z:02X} is not decimal"));
        }
        let q = (tens * 10 + units) as i8;
        let tz_quarters = if z & 0x08 != 0 { -q } else { q };
        let t = Timestamp {
            year: 2000 + u16::from(yy),
            month,
            day,
            hour,
            minute,
            second,
            tz_quarters,
        };
        t.validate()?;
        Ok(t)
    }

    fn validate(&self) -> Result<(), String> {
        if !(1..=12).contains(&self.month) {
            return Err(format!("month {} out of range", self.month));
        }
        if !(1..=31).contains(&self.day) {
            return Err(format!("day {} out of range", self.day));
        }
        if self.hour > 23 || self.minute > 59 || self.second > 59 {
            return Err(format!(
                "time {:02}:{:02}:{:02} out of range",
                self.hour, self.minute, self.second
            ));
        }
        if !(-79..=79).contains(&self.tz_quarters) {
            return Err(format!(
                "time zone {} quarters out of range",
                self.tz_quarters
            ));
        }
        Ok(())
    }

    /// Encode to the 7-octet form.
    pub fn encode(&self) -> [u8; 7] {
        let q = self.tz_quarters.unsigned_abs();
        let mut z = swap(q);
        if self.tz_quarters < 0 {
            z |= 0x08;
        }
        [
            swap((self.year % 100) as u8),
            swap(self.month),
            swap(self.day),
            swap(self.hour),
            swap(self.minute),
            swap(self.second),
            z,
        ]
    }

    /// UTC offset in minutes.
    pub fn utc_offset_minutes(&self) -> i32 {
        i32::from(self.tz_quarters) * 15
    }

    /// RFC 3339 text, e.g. `2011-06-24T13:08:15+02:00`.
    pub fn to_rfc3339(&self) -> String {
        let off = self.utc_offset_minutes();
        let sign = if off < 0 { '-' } else { '+' };
        let a = off.unsigned_abs();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            a / 60,
            a % 60
        )
    }

    /// Parse the text-mode form `yy/MM/dd,hh:mm:ss±zz` (quotes allowed around it).
    pub fn parse_text(s: &str) -> Option<Timestamp> {
        let s = s.trim().trim_matches('"');
        let b = s.as_bytes();
        if b.len() != 20 {
            return None;
        }
        let num = |i: usize| -> Option<u8> {
            let d = s.get(i..i + 2)?;
            if !d.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            d.parse().ok()
        };
        let seps = [(2, b'/'), (5, b'/'), (8, b','), (11, b':'), (14, b':')];
        if seps.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
            return None;
        }
        let sign: i8 = match b.get(17) {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        let t = Timestamp {
            year: 2000 + u16::from(num(0)?),
            month: num(3)?,
            day: num(6)?,
            hour: num(9)?,
            minute: num(12)?,
            second: num(15)?,
            tz_quarters: sign * i8::try_from(num(18)?).ok()?,
        };
        t.validate().ok()?;
        Some(t)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::hex;

    fn b7(h: &str) -> [u8; 7] {
        hex::decode(h).unwrap().try_into().unwrap()
    }

    #[test]
    fn table_both_ways() {
        let rows: &[(&str, &str)] = &[
            ("11604231805180", "2011-06-24T13:08:15+02:00"), // SFR: zone 0x80 = +8 quarters
            ("51117200000000", "2015-11-27T00:00:00+00:00"),
            ("7040213252242B", "2007-04-12T23:25:42-08:00"), // sign bit in the low nibble
            ("70402132522423", "2007-04-12T23:25:42+08:00"),
            ("2290821102556 3", "2022-09-28T11:20:55+09:00"), // Japan, 0x63 = 36 quarters
            ("5190514164220A", "2015-09-15T14:46:22-05:00"),  // Telit P27: 0x0A = −20
            ("21204101555440", "2012-02-14T10:55:45+01:00"),
            ("62809271533223", "2026-08-29T17:35:23+08:00"),
            ("12305201741240", "2021-03-25T10:47:21+01:00"), // A1 Austria
            ("00101000000079", "2000-01-01T00:00:00-04:15"), // 0x79: sign, tens 1, units 7
            ("0010100000002A", "2000-01-01T00:00:00-05:30"), // quarter-hour zones
            ("001010000000 94", "2000-01-01T00:00:00+12:15"),
        ];
        for (h, want) in rows {
            let h: String = h.split_whitespace().collect();
            let t = Timestamp::decode(&b7(&h)).unwrap();
            assert_eq!(t.to_rfc3339(), *want, "{h}");
            assert_eq!(hex::encode(&t.encode()), h, "re-encode {h}");
        }
    }

    #[test]
    fn invalid_fields_are_named() {
        let e = Timestamp::decode(&b7("1A604231805180")).unwrap_err();
        assert!(e.contains("year"), "{e}");
        let e = Timestamp::decode(&b7("11314231805180")).unwrap_err();
        assert!(e.contains("month"), "{e}");
        let e = Timestamp::decode(&b7("116042318051F0")).unwrap_err();
        assert!(e.contains("zone"), "{e}");
        let e = Timestamp::decode(&b7("FFFFFFFFFFFFFF")).unwrap_err();
        assert!(e.contains("year"), "{e}");
    }

    #[test]
    fn text_form() {
        let t = Timestamp::parse_text("\"26/11/25,10:00:00+36\"").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-25T10:00:00+09:00");
        let t = Timestamp::parse_text("13/07/26,14:29:27-08").unwrap();
        assert_eq!(t.to_rfc3339(), "2013-07-26T14:29:27-02:00");
        assert!(Timestamp::parse_text("26/13/25,10:00:00+36").is_none());
        assert!(Timestamp::parse_text("26-11-25,10:00:00+36").is_none());
        assert!(Timestamp::parse_text("").is_none());
        assert!(Timestamp::parse_text("26/11/25,10:00:00+3٣").is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn prop_decode_never_panics(b in proptest::array::uniform7(proptest::num::u8::ANY)) {
            if let Ok(t) = Timestamp::decode(&b) {
                proptest::prop_assert_eq!(Timestamp::decode(&t.encode()), Ok(t));
            }
        }
    }
}
