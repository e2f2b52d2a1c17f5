//! Random JSON documents for the property tests (`#[path]`-included by
//! `tests/json_differential.rs` and `tests/json_lazy.rs`).

#![allow(dead_code)]

use proptest::prelude::*;
use serde_json::{Number, Value as SValue};

/// Scalars: every kind, strings with escapes, control bytes and non-ASCII.
pub fn leaf() -> impl Strategy<Value = SValue> + Clone {
    prop_oneof![
        Just(SValue::Null),
        any::<bool>().prop_map(SValue::Bool),
        any::<i64>().prop_map(|n| SValue::Number(n.into())),
        any::<u64>().prop_map(|n| SValue::Number(n.into())),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| SValue::Number(Number::from_f64(f).unwrap())),
        ".{0,12}".prop_map(SValue::String),
        "[\"\\\\/\u{0}-\u{1f}a-z\u{e9}\u{1F600}]{0,8}".prop_map(SValue::String),
    ]
}

/// Arrays and objects of `leaf` values, up to `depth` levels, with keys that
/// need escapes.
pub fn tree(
    leaf: impl Strategy<Value = SValue> + Clone + 'static,
    depth: u32,
    size: u32,
) -> impl Strategy<Value = SValue> {
    leaf.prop_recursive(depth, size, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(SValue::Array),
            prop::collection::vec(("[a-z\"\\\\é]{0,6}", inner), 0..8)
                .prop_map(|kv| SValue::Object(kv.into_iter().collect())),
        ]
    })
}

/// The default generated document.
pub fn doc() -> impl Strategy<Value = SValue> {
    tree(leaf(), 6, 64)
}
