//! ultra's value as serde_json's tree, for differential tests and the fuzz
//! target (duplicate keys: the last wins, as in serde_json's map). Included
//! with `#[path]`; checks on the way that `len()` matches iteration.

use serde_json::{Map, Number, Value as SValue};
use ultra::json::{Kind, Value};

/// Convert `v` (recursively).
pub fn to_serde(v: Value<'_>) -> SValue {
    match v.kind() {
        Kind::Null => SValue::Null,
        Kind::Bool => SValue::Bool(v.as_bool().unwrap()),
        Kind::I64 => SValue::Number(v.as_i64().unwrap().into()),
        Kind::U64 => SValue::Number(v.as_u64().unwrap().into()),
        Kind::F64 => SValue::Number(
            Number::from_f64(v.as_f64().unwrap()).expect("ultra produced a non-finite number"),
        ),
        Kind::String => SValue::String(v.as_str().unwrap().to_owned()),
        Kind::Array => {
            assert_eq!(v.len(), Some(v.array_iter().count()), "array len");
            SValue::Array(v.array_iter().map(to_serde).collect())
        }
        Kind::Object => {
            assert_eq!(v.len(), Some(v.object_iter().count()), "object len");
            let mut m = Map::new();
            for (k, x) in v.object_iter() {
                m.insert(k.to_owned(), to_serde(x));
            }
            SValue::Object(m)
        }
    }
}
