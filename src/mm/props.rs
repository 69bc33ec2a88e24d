//! Reading D-Bus property maps (`a{sv}`) without trusting their types.
//!
//! Invariant: a property with an unexpected type or value reads as absent (`None`, empty),
//! never as an error — a newer or older ModemManager may change a type, and identity
//! should still show what it can.

use std::collections::HashMap;

use zbus::zvariant::{OwnedValue, Value};

/// One interface's properties, as `GetAll` and `GetManagedObjects` return them.
pub type Props = HashMap<String, OwnedValue>;

/// A variant inside a variant is read through.
fn inner<'a>(v: &'a Value<'a>) -> &'a Value<'a> {
    match v {
        Value::Value(b) => inner(b),
        v => v,
    }
}

/// A non-empty string property (object paths count as strings; surrounding blanks removed).
pub fn string(p: &Props, key: &str) -> Option<String> {
    match inner(p.get(key)?) {
        Value::Str(s) => Some(s.as_str().trim()),
        Value::ObjectPath(o) => Some(o.as_str()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
    .map(str::to_string)
}

/// An object path property; `/` (ModemManager's "none") reads as absent.
pub fn path(p: &Props, key: &str) -> Option<String> {
    match inner(p.get(key)?) {
        Value::ObjectPath(o) if o.as_str() != "/" => Some(o.to_string()),
        _ => None,
    }
}

/// An unsigned integer property of any width that fits in `u32`.
pub fn u32_of(p: &Props, key: &str) -> Option<u32> {
    number(inner(p.get(key)?)).and_then(|n| u32::try_from(n).ok())
}

/// A signed integer property of any width that fits in `i32`.
pub fn i32_of(p: &Props, key: &str) -> Option<i32> {
    number(inner(p.get(key)?)).and_then(|n| i32::try_from(n).ok())
}

fn number(v: &Value<'_>) -> Option<i64> {
    Some(match v {
        Value::U8(n) => i64::from(*n),
        Value::U16(n) => i64::from(*n),
        Value::I16(n) => i64::from(*n),
        Value::U32(n) => i64::from(*n),
        Value::I32(n) => i64::from(*n),
        Value::I64(n) => *n,
        Value::U64(n) => i64::try_from(*n).ok()?,
        _ => return None,
    })
}

/// A boolean property.
pub fn bool_of(p: &Props, key: &str) -> Option<bool> {
    match inner(p.get(key)?) {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// `Ports` (`a(su)`): name and ModemManager port type, in order; malformed entries skipped.
pub fn ports(p: &Props, key: &str) -> Vec<(String, u32)> {
    let Some(Value::Array(a)) = p.get(key).map(|v| inner(v)) else {
        return Vec::new();
    };
    a.inner()
        .iter()
        .filter_map(|e| match inner(e) {
            Value::Structure(s) => match s.fields() {
                [name, kind] => match (inner(name), number(inner(kind))) {
                    (Value::Str(n), Some(k)) => Some((n.to_string(), u32::try_from(k).ok()?)),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The first field of a structure property such as `SignalQuality` (`(ub)`).
pub fn first_u32(p: &Props, key: &str) -> Option<u32> {
    match inner(p.get(key)?) {
        Value::Structure(s) => s
            .fields()
            .first()
            .and_then(|f| number(inner(f)))
            .and_then(|n| u32::try_from(n).ok()),
        v => number(v).and_then(|n| u32::try_from(n).ok()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use zbus::zvariant::{ObjectPath, StructureBuilder};

    pub(crate) fn owned(v: Value<'_>) -> OwnedValue {
        OwnedValue::try_from(v).unwrap_or_else(|_| OwnedValue::from(0u8))
    }

    #[test]
    fn reads_what_fits_and_skips_the_rest() {
        let mut p = Props::new();
        p.insert("S".into(), owned(Value::from(" Quectel ")));
        p.insert("E".into(), owned(Value::from("")));
        p.insert("N".into(), owned(Value::from(7u32)));
        p.insert("I".into(), owned(Value::from(-1i32)));
        p.insert("B".into(), owned(Value::from(true)));
        let root = ObjectPath::try_from("/").unwrap_or_else(|_| unreachable!());
        p.insert("Root".into(), owned(Value::from(root)));
        let sim = ObjectPath::try_from("/org/freedesktop/ModemManager1/SIM/0")
            .unwrap_or_else(|_| unreachable!());
        p.insert("Sim".into(), owned(Value::from(sim)));
        let list = vec![("ttyUSB2".to_string(), 2u32), ("wwan0".to_string(), 1u32)];
        p.insert("Ports".into(), owned(Value::from(list)));
        let sq = StructureBuilder::new()
            .add_field(61u32)
            .add_field(true)
            .build()
            .unwrap_or_else(|_| unreachable!());
        p.insert("SignalQuality".into(), owned(Value::from(sq)));

        assert_eq!(string(&p, "S").as_deref(), Some("Quectel"));
        assert_eq!(string(&p, "E"), None);
        assert_eq!(string(&p, "missing"), None);
        assert_eq!(string(&p, "N"), None, "a number is not a string");
        assert_eq!(u32_of(&p, "N"), Some(7));
        assert_eq!(u32_of(&p, "I"), None, "negative does not fit u32");
        assert_eq!(i32_of(&p, "I"), Some(-1));
        assert_eq!(bool_of(&p, "B"), Some(true));
        assert_eq!(path(&p, "Root"), None, "/ means no object");
        assert_eq!(
            path(&p, "Sim").as_deref(),
            Some("/org/freedesktop/ModemManager1/SIM/0")
        );
        assert_eq!(
            ports(&p, "Ports"),
            vec![("ttyUSB2".to_string(), 2), ("wwan0".to_string(), 1)]
        );
        assert_eq!(ports(&p, "S"), vec![], "a string is no port list");
        assert_eq!(first_u32(&p, "SignalQuality"), Some(61));
    }
}
