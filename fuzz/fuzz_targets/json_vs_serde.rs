//! Differential fuzz target for `ultra::json`, with serde_json as the oracle.
//!
//! For every input:
//! 1. every stage-1 kernel the CPU has writes the same structural index (and
//!    control-byte / open-string state) as the scalar kernel;
//! 2. `Parser::parse` and `json::validate` give the same result (error kind
//!    and offset included) under every kernel;
//! 3. ultra accepts exactly what serde_json accepts, and when both accept
//!    the values are equal (floats bit for bit: serde_json's
//!    `float_roundtrip` parser is correctly rounded, like ultra's);
//! 4. `json::minify` never panics; on a valid document its output parses to
//!    the same value and minifies to itself;
//! 5. `json::get` of up to `MAX_POINTERS` pointers that exist in the
//!    document finds a value equal to the parsed one, and its scalar
//!    decoders agree with the tape's;
//! 6. `json::project` rejects invalid documents and non-objects, and on a
//!    valid object gives exactly the members asked for.
//!
//! Run: `bash fuzz/run.sh [seconds]` (stable toolchain), or
//! `cargo +nightly fuzz run json_vs_serde -- -max_total_time=60`.
//!
//! Known, documented differences (src/json/mod.rs, JSONTestSuite `i_` table)
//! are all "both reject" or "both accept" cases for serde_json (infinite
//! numbers, lone surrogates, invalid UTF-8, BOM: rejected; huge integers:
//! `f64`; underflow: `0.0`), except nesting depth: serde_json stops at 128
//! levels, ultra's default is 1024. So the serde_json comparison uses a
//! parser with serde_json's limit ([`SERDE_DEPTH`]); the default parser must
//! then accept everything that one accepts, with the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value as SValue};
use ultra::json::{self, Kernel, Kind, Parser, Value, testing};

#[path = "../../tests/support/json_to_serde.rs"]
mod json_to_serde;
use json_to_serde::to_serde;

/// Deepest nesting serde_json accepts (`remaining_depth` starts at 128 and
/// a container that brings it to 0 fails).
const SERDE_DEPTH: usize = 127;

/// How many `json::get` pointers are checked per input.
const MAX_POINTERS: usize = 24;

fuzz_target!(|data: &[u8]| {
    kernels_agree(data);

    // ultra with the default limits, under the active (widest) kernel.
    let mut parser = Parser::new();
    let ours = parser.parse(data).map(|d| to_serde(d.root()));
    assert_eq!(
        json::validate(data),
        ours.as_ref().map(|_| ()).map_err(|e| *e),
        "validate and parse disagree"
    );

    // serde_json, against ultra with serde_json's depth limit.
    let theirs = serde_json::from_slice::<SValue>(data);
    let mut shallow = Parser::new().with_max_depth(SERDE_DEPTH);
    let ours_shallow = shallow.parse(data).map(|d| to_serde(d.root()));
    match (&ours_shallow, &theirs) {
        (Ok(a), Ok(b)) => assert!(same(a, b), "values differ: ultra {a} serde_json {b}"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("accept/reject differs: ultra {a:?}, serde_json {b:?}"),
    }
    // A tighter depth limit can only turn acceptance into rejection.
    if let Ok(a) = &ours_shallow {
        let full = ours
            .as_ref()
            .expect("accepted at depth 127, rejected at 1024");
        assert!(same(a, full), "depth limit changed the value");
    }

    let mut min = Vec::new();
    let minified = json::minify(data, &mut min);
    let mut projected = Vec::new();
    match &ours {
        Ok(v) => {
            minify_round_trips(data, minified.is_ok(), &min, v);
            let root = parser.parse(data).unwrap().root();
            pointers_agree(data, root);
            project_agrees(data, root);
        }
        Err(_) => assert!(
            json::project(data, &["a"], &mut projected).is_err(),
            "project accepted an invalid document"
        ),
    }
});

/// Property 1 and 2: every kernel against the scalar one.
fn kernels_agree(data: &[u8]) {
    let oracle = testing::run_kernel(Kernel::Scalar, data).expect("scalar always runs");
    assert!(testing::force_kernel(Kernel::Scalar));
    let want_parse = Parser::new().parse(data).map(|d| to_serde(d.root()));
    let want_validate = json::validate(data);
    for k in Kernel::ALL {
        let Some(got) = testing::run_kernel(k, data) else {
            continue;
        };
        assert_eq!(
            got,
            oracle,
            "stage-1 kernel {} differs from scalar",
            k.name()
        );
        assert!(testing::force_kernel(k));
        let parse = Parser::new().parse(data).map(|d| to_serde(d.root()));
        assert_eq!(
            parse,
            want_parse,
            "parse under {} differs from scalar",
            k.name()
        );
        assert_eq!(
            json::validate(data),
            want_validate,
            "validate under {}",
            k.name()
        );
    }
    assert!(testing::force_kernel(testing::best()));
}

/// Property 4.
fn minify_round_trips(data: &[u8], ok: bool, min: &[u8], value: &SValue) {
    assert!(ok, "minify rejected a valid document");
    assert!(min.len() <= data.len(), "minify grew the document");
    let mut p = Parser::new();
    let again = p.parse(min).map(|d| to_serde(d.root()));
    match again {
        Ok(v) => assert!(same(&v, value), "minified value differs: {v} vs {value}"),
        Err(e) => panic!("minified output does not parse: {e:?}"),
    }
    let mut twice = Vec::new();
    json::minify(min, &mut twice).expect("minify of minified output");
    assert_eq!(twice, min, "minify is not idempotent");
}

/// Property 5: pointers to the first `MAX_POINTERS` values in document order
/// (breadth first), skipping repeated keys (`get` takes the first).
fn pointers_agree(data: &[u8], root: Value<'_>) {
    let mut queue = std::collections::VecDeque::from([(String::new(), root)]);
    let mut checked = 0;
    while let Some((ptr, v)) = queue.pop_front() {
        if checked == MAX_POINTERS {
            break;
        }
        checked += 1;
        let raw = json::get(data, &ptr)
            .unwrap_or_else(|e| panic!("get({ptr:?}) failed on a valid document: {e:?}"))
            .unwrap_or_else(|| panic!("get({ptr:?}) found nothing"));
        let mut p = Parser::new();
        let found = p
            .parse(raw.as_bytes())
            .unwrap_or_else(|e| panic!("get({ptr:?}) returned unparsable {raw:?}: {e:?}"));
        let (want, got) = (to_serde(v), to_serde(found.root()));
        assert!(same(&want, &got), "get({ptr:?}): {got} vs {want}");
        assert_eq!(raw.as_bool(), v.as_bool(), "Raw::as_bool at {ptr:?}");
        assert_eq!(raw.as_i64(), v.as_i64(), "Raw::as_i64 at {ptr:?}");
        assert_eq!(raw.as_u64(), v.as_u64(), "Raw::as_u64 at {ptr:?}");
        assert_eq!(
            raw.as_f64().map(f64::to_bits),
            v.as_f64().map(f64::to_bits),
            "Raw::as_f64 at {ptr:?}"
        );
        assert_eq!(
            raw.as_str().as_deref(),
            v.as_str(),
            "Raw::as_str at {ptr:?}"
        );
        match v.kind() {
            Kind::Array => {
                for (i, x) in v.array_iter().enumerate() {
                    queue.push_back((format!("{ptr}/{i}"), x));
                }
            }
            Kind::Object => {
                let mut seen = std::collections::HashSet::new();
                for (k, x) in v.object_iter() {
                    if seen.insert(k) {
                        let token = k.replace('~', "~0").replace('/', "~1");
                        queue.push_back((format!("{ptr}/{token}"), x));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Property 6: `json::project` of every other distinct top-level key plus a
/// missing one gives those members (first occurrence of a repeated key).
fn project_agrees(data: &[u8], root: Value<'_>) {
    let mut out = Vec::new();
    let got = json::project(data, &[], &mut out);
    if root.kind() != Kind::Object {
        assert_eq!(
            got.map_err(|e| e.kind),
            Err(json::JsonErrorKind::NotAnObject),
            "project of a non-object"
        );
        return;
    }
    let mut seen = std::collections::HashSet::new();
    let mut fields = Vec::new();
    let mut want = Map::new();
    for (k, v) in root.object_iter() {
        if seen.insert(k) && seen.len() % 2 == 1 {
            fields.push(k);
            want.insert(k.to_owned(), to_serde(v));
        }
    }
    let missing = (0..)
        .map(|i| format!("missing{i}"))
        .find(|m| !seen.contains(m.as_str()));
    let missing = missing.unwrap();
    fields.insert(fields.len() / 2, &missing);
    out.clear();
    json::project(data, &fields, &mut out).expect("project of a valid object");
    let mut p = Parser::new();
    let doc = p
        .parse(&out)
        .unwrap_or_else(|e| panic!("project output invalid: {e:?}"));
    let got = to_serde(doc.root());
    let want = SValue::Object(want);
    assert!(same(&got, &want), "project: {got} vs {want}");
}

/// Exact equality: integers by value, floats bit for bit (so `-0.0` and
/// `0.0` differ), and an integer never equals a float.
fn same(a: &SValue, b: &SValue) -> bool {
    match (a, b) {
        (SValue::Number(x), SValue::Number(y)) => match (x.as_f64(), y.as_f64()) {
            _ if x.is_f64() != y.is_f64() => false,
            (Some(p), Some(q)) if x.is_f64() => p.to_bits() == q.to_bits(),
            _ => x == y,
        },
        (SValue::Array(x), SValue::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (SValue::Object(x), SValue::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
