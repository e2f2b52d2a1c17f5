//! Differential tests against serde_json: generated documents (same values),
//! mutated documents (same accept/reject), and the three corpus files.

use proptest::prelude::*;
use serde_json::Value as SValue;
use ultra::json::{Kind, Parser};

#[path = "support/json_gen.rs"]
mod json_gen;
use json_gen::doc;

#[path = "support/json_to_serde.rs"]
mod json_to_serde;
use json_to_serde::to_serde;

/// Equal up to a few ulps in floats (serde_json's default float parser is
/// not correctly rounded and is seen 2 ulps off on large exponents; ultra's
/// is correctly rounded, checked against `str::parse` in
/// `float_correctly_rounded`).
fn same(a: &SValue, b: &SValue) -> bool {
    match (a, b) {
        (SValue::Number(x), SValue::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y
                || (x.is_sign_negative() == y.is_sign_negative()
                    && (x.to_bits() as i64 - y.to_bits() as i64).abs() <= 4)
        }
        (SValue::Array(x), SValue::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (SValue::Object(x), SValue::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Apply byte edits that are likely to break or subtly change JSON.
fn mutate(mut s: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    const ALPHABET: &[u8] = b"{}[],:\"\\ 0123456789-+.eEtrufalsn\x01\x1f\xc3\xa9\xff";
    for &(pos, op, b) in edits {
        let b = ALPHABET[b as usize % ALPHABET.len()];
        if s.is_empty() {
            s.push(b);
            continue;
        }
        let pos = pos % s.len();
        match op % 3 {
            0 => s[pos] = b,
            1 => s.insert(pos, b),
            _ => {
                s.remove(pos);
            }
        }
    }
    s
}

fn check_same_decision(input: &[u8]) -> Result<(), TestCaseError> {
    let theirs = serde_json::from_slice::<SValue>(input);
    let mut p = Parser::new();
    let ours = p.parse(input);
    prop_assert_eq!(
        ours.is_ok(),
        theirs.is_ok(),
        "input {:?}: ultra {:?}, serde_json {:?}",
        String::from_utf8_lossy(input),
        ours.as_ref().err(),
        theirs.as_ref().err()
    );
    // `validate` takes its own fast path but must report parse's error.
    prop_assert_eq!(
        ultra::json::validate(input).err(),
        Parser::new().parse(input).err()
    );
    if let (Ok(d), Ok(t)) = (ours, theirs) {
        let mine = to_serde(d.root());
        prop_assert!(same(&mine, &t), "values differ: {} vs {}", mine, t);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 256 } else { 2048 }))]

    #[test]
    fn generated_documents_same_values(v in doc(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_vec_pretty(&v) } else { serde_json::to_vec(&v) }.unwrap();
        check_same_decision(&text)?;
    }

    #[test]
    fn mutated_documents_same_decision(v in doc(), edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4)) {
        let text = mutate(serde_json::to_vec(&v).unwrap(), &edits);
        check_same_decision(&text)?;
    }

    #[test]
    fn float_correctly_rounded(m in any::<u64>(), frac in "[0-9]{0,25}", e in -330i32..330) {
        let text = if frac.is_empty() { format!("{m}e{e}") } else { format!("{m}.{frac}e{e}") };
        let want: f64 = text.parse().unwrap();
        let mut p = Parser::new();
        match p.parse(text.as_bytes()) {
            Ok(d) => prop_assert_eq!(d.root().as_f64().unwrap().to_bits(), want.to_bits(), "{}", text),
            Err(_) => prop_assert!(want.is_infinite(), "{} rejected", text),
        }
    }

    #[test]
    fn integers_exact(n in any::<i64>(), u in any::<u64>()) {
        let mut p = Parser::new();
        let s = format!("[{n},{u}]");
        let d = p.parse(s.as_bytes()).unwrap();
        prop_assert_eq!(d.root().at(0).unwrap().as_i64(), Some(n));
        prop_assert_eq!(d.root().at(1).unwrap().as_u64(), Some(u));
    }
}

#[test]
fn integer_overflow_is_detected() {
    let mut p = Parser::new();
    let d = p
        .parse(b"[18446744073709551616, -9223372036854775809, 9223372036854775808, -0]")
        .unwrap();
    let r = d.root();
    assert_eq!(r.at(0).unwrap().kind(), Kind::F64);
    assert_eq!(r.at(0).unwrap().as_u64(), None);
    assert_eq!(r.at(1).unwrap().as_i64(), None);
    assert_eq!(r.at(2).unwrap().kind(), Kind::U64);
    assert_eq!(r.at(2).unwrap().as_i64(), None);
    assert_eq!(
        r.at(3).unwrap().as_f64().map(f64::to_bits),
        Some((-0.0f64).to_bits())
    );
}

#[test]
fn corpus_values_match_serde_json() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/json");
    let mut p = Parser::new();
    for name in ["twitter.json", "citm_catalog.json", "canada.json"] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            eprintln!("SKIP: {name} not found in {}", dir.display());
            continue;
        };
        let theirs: SValue = serde_json::from_slice(&bytes).unwrap();
        let doc = p.parse(&bytes).unwrap();
        assert!(same(&to_serde(doc.root()), &theirs), "{name} differs");
    }
}
