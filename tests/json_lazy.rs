//! `json::get` (lazy lookup with the SIMD container skipper) against the
//! parsed document and serde_json, under every kernel the CPU has:
//! generated documents at every block alignment, brackets and escaped quotes
//! inside strings, deep nesting, and every prefix of a document.

use proptest::prelude::*;
use serde_json::Value as SValue;
use ultra::json::{self, JsonErrorKind, Kernel, Parser, Raw};

#[path = "support/json_gen.rs"]
mod json_gen;

/// Every pointer in `v` with its value (RFC 6901 escaping of keys).
fn paths<'v>(v: &'v SValue, prefix: String, out: &mut Vec<(String, &'v SValue)>) {
    match v {
        SValue::Object(m) => {
            for (k, x) in m {
                let t = k.replace('~', "~0").replace('/', "~1");
                paths(x, format!("{prefix}/{t}"), out);
            }
        }
        SValue::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                paths(x, format!("{prefix}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push((prefix, v));
}

/// `get` under every supported kernel; all must agree. Returns the result.
fn get_all<'a>(bytes: &'a [u8], ptr: &str) -> Result<Option<Raw<'a>>, JsonErrorKind> {
    let mut first = None;
    for k in Kernel::ALL {
        let Some(r) = json::testing::get_kernel(k, bytes, ptr) else {
            continue;
        };
        let r = r.map_err(|e| e.kind);
        match &first {
            None => first = Some(r),
            Some(f) => assert_eq!(
                &r,
                f,
                "{} disagrees on {ptr:?} in {:?}",
                k.name(),
                String::from_utf8_lossy(bytes)
            ),
        }
    }
    let f = first.expect("the scalar kernel always runs");
    assert_eq!(json::get(bytes, ptr).map_err(|e| e.kind), f);
    f
}

/// For every path of `v`, `get` on `text` finds the value the parser's
/// `pointer` finds and serde_json agrees with; missing paths are `None`.
fn check_doc(v: &SValue, text: &[u8]) -> Result<(), TestCaseError> {
    let mut all = Vec::new();
    paths(v, String::new(), &mut all);
    let mut p = Parser::new();
    let d = p.parse(text).unwrap();
    for (ptr, want) in &all {
        let got = get_all(text, ptr);
        let got = got.unwrap_or_else(|e| panic!("{ptr:?}: {e:?}"));
        let got = got.unwrap_or_else(|| panic!("{ptr:?} not found"));
        // Both through serde_json's parser (not correctly rounded: compare
        // the same float text read the same way).
        let parsed: SValue = serde_json::from_slice(got.as_bytes()).unwrap();
        let want_read: SValue = serde_json::from_slice(&serde_json::to_vec(want).unwrap()).unwrap();
        prop_assert_eq!(&parsed, &want_read, "{}", ptr);
        let mine = d.root().pointer(ptr).expect("parser finds it");
        let mut q = Parser::new();
        prop_assert_eq!(mine.kind(), q.parse(got.as_bytes()).unwrap().root().kind());
        if let Some(s) = want.as_str() {
            let g = got.as_str();
            prop_assert_eq!(g.as_deref(), Some(s));
            prop_assert_eq!(mine.as_str(), Some(s));
        }
        // A sibling that does not exist, and an index past the end.
        for miss in [format!("{ptr}/~0nope"), format!("{ptr}/100")] {
            let r = get_all(text, &miss).unwrap();
            prop_assert_eq!(r.is_some(), d.root().pointer(&miss).is_some(), "{}", miss);
        }
    }
    Ok(())
}

/// Strings made to confuse a bracket counter: brackets, quotes, backslashes.
fn tricky_string() -> impl Strategy<Value = SValue> + Clone {
    prop_oneof![
        "[\\[\\]{}\"\\\\,: a]{0,10}".prop_map(SValue::String),
        "[a-z\\[\\]{}\"\\\\]{30,140}".prop_map(SValue::String),
    ]
}

fn tricky_doc() -> impl Strategy<Value = SValue> {
    json_gen::tree(prop_oneof![json_gen::leaf(), tricky_string()], 8, 160)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 96 } else { 1024 }))]

    #[test]
    fn get_matches_parser(v in json_gen::doc(), pretty in any::<bool>(), pad in 0usize..64) {
        let text = if pretty { serde_json::to_vec_pretty(&v) } else { serde_json::to_vec(&v) }.unwrap();
        let mut shifted = vec![b' '; pad];
        shifted.extend_from_slice(&text);
        check_doc(&v, &shifted)?;
    }

    #[test]
    fn get_matches_parser_tricky_strings(v in tricky_doc(), pad in 0usize..64) {
        let mut text = vec![b'\n'; pad];
        text.extend_from_slice(&serde_json::to_vec(&v).unwrap());
        check_doc(&v, &text)?;
    }
}

/// Backslash runs of every length before a quote, and brackets after it,
/// at every offset around a 64-byte block boundary.
#[test]
fn escape_runs_across_blocks() {
    for run in 0..6 {
        for pad in 0..70 {
            let s = format!("{}{}\"]}}[{{", "x".repeat(pad), "\\".repeat(run));
            let v = serde_json::json!({"a": [s, {"b": [[s]]}], "z": [1, {"y": s}]});
            let text = serde_json::to_vec(&v).unwrap();
            check_doc(&v, &text).unwrap();
        }
    }
}

/// Arrays whose elements straddle the size at which `get` switches from
/// skipping elements one by one to the comma scan, and the 64-byte block.
#[test]
fn arrays_of_mixed_element_sizes() {
    let mut elems = Vec::new();
    for n in [0usize, 1, 63, 64, 127, 128, 129, 300] {
        elems.push(SValue::String("x],".repeat(n / 3)));
        elems.push(serde_json::json!([n, {"a": [1, 2, {"b": ",]"}], "c": "x".repeat(n)}]));
        elems.push(serde_json::json!(n));
        elems.push(serde_json::json!({"k": vec![n; n / 16], "q": [[n], [[n]]]}));
    }
    let v = serde_json::json!({"arr": elems.clone(), "tail": [{"x": 1}, elems]});
    for pretty in [false, true] {
        for pad in [0, 33] {
            let mut text = vec![b' '; pad];
            text.extend(
                if pretty {
                    serde_json::to_vec_pretty(&v)
                } else {
                    serde_json::to_vec(&v)
                }
                .unwrap(),
            );
            check_doc(&v, &text).unwrap();
        }
    }
}

#[test]
fn deep_nesting_is_skipped() {
    for depth in [1, 63, 64, 65, 500, 5000] {
        let inner = format!("{}\"]\"{}", "[".repeat(depth), "]".repeat(depth));
        let text = format!("{{\"a\":{inner},\"b\":{{\"c\":[{inner},7]}}}}");
        let b = text.as_bytes();
        assert_eq!(get_all(b, "/b/c/1").unwrap().unwrap().as_i64(), Some(7));
        assert_eq!(
            get_all(b, "/a").unwrap().unwrap().as_bytes(),
            inner.as_bytes()
        );
        assert_eq!(get_all(b, "/b/c/2").unwrap(), None);
        let mut path = String::from("/a");
        for _ in 1..depth.min(300) {
            path.push_str("/0");
        }
        assert!(get_all(b, &path).unwrap().is_some(), "depth {depth}");
    }
}

/// Every prefix of a document ends without panicking; a prefix that holds a
/// value whole finds exactly it, and one that stops before it finds nothing.
#[test]
fn truncated_documents() {
    let v = serde_json::json!({
        "s": "a\"]}\\", "n": -12.5e3, "t": true, "e": [],
        "o": {"k\"ey": [1, [2, {"x": "]"}], null], "q": "\\\\"},
        "l": [{"a": [[["deep"]]]}, "x".repeat(70), {"}": "{"}],
        "last": 42
    });
    let mut all = Vec::new();
    paths(&v, String::new(), &mut all);
    for pretty in [false, true] {
        let text = if pretty {
            serde_json::to_vec_pretty(&v)
        } else {
            serde_json::to_vec(&v)
        }
        .unwrap();
        let spans: Vec<(usize, usize)> = all
            .iter()
            .map(|(ptr, _)| {
                let g = get_all(&text, ptr).unwrap().unwrap().as_bytes();
                let start = g.as_ptr() as usize - text.as_ptr() as usize;
                (start, start + g.len())
            })
            .collect();
        for cut in 0..text.len() {
            let pre = &text[..cut];
            for ((ptr, _), &(start, end)) in all.iter().zip(&spans) {
                let r = get_all(pre, ptr);
                if cut >= end {
                    let got = r.unwrap().unwrap().as_bytes();
                    assert_eq!(got, &text[start..end], "cut {cut} {ptr:?}");
                } else if cut <= start {
                    assert!(!matches!(r, Ok(Some(_))), "cut {cut} {ptr:?}: {r:?}");
                }
            }
        }
    }
}

#[test]
fn bad_input_is_an_error() {
    let cases: &[(&[u8], &str, JsonErrorKind)] = &[
        (b"", "", JsonErrorKind::Empty),
        (b"  \n", "/a", JsonErrorKind::Empty),
        (b"{\"a\":[1,2", "/b", JsonErrorKind::UnexpectedEnd),
        (b"{\"a\":\"]", "/b", JsonErrorKind::UnclosedString),
        (b"{\"a\":{\"x\":\"}", "/b", JsonErrorKind::UnclosedString),
        (b"{\"a\" 1}", "/a", JsonErrorKind::UnexpectedChar),
        (b"{\"a\":1 \"b\":2}", "/b", JsonErrorKind::UnexpectedChar),
        (b"{\"a\":,\"b\":2}", "/b", JsonErrorKind::UnexpectedChar),
        (b"{1:2}", "/b", JsonErrorKind::UnexpectedChar),
        (b"{\"a", "/b", JsonErrorKind::UnclosedString),
        (b"[1,2", "/3", JsonErrorKind::UnexpectedEnd),
        (b"{}", "a", JsonErrorKind::UnexpectedChar),
    ];
    for (doc, ptr, want) in cases {
        let r = get_all(doc, ptr);
        assert_eq!(r, Err(*want), "{:?} {ptr:?}", String::from_utf8_lossy(doc));
    }
    // Not found is not an error.
    assert_eq!(get_all(b"{\"a\":[1]}", "/a/1"), Ok(None));
    assert_eq!(get_all(b"{\"a\":[1]}", "/a/01"), Ok(None));
    assert_eq!(get_all(b"{\"a\":[1]}", "/a/0/x"), Ok(None));
    assert_eq!(get_all(b"[]", "/0"), Ok(None));
    assert_eq!(get_all(b"{}", "/a"), Ok(None));
}

/// Arbitrary bytes never panic or hang, under every kernel.
#[test]
fn garbage_never_panics() {
    let alphabet = b"{}[],:\"\\ ax1";
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..if cfg!(debug_assertions) { 3000 } else { 30000 } {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 150) as usize;
        let doc: Vec<u8> = (0..len)
            .map(|i| alphabet[((x >> (i % 50)) as usize + i * 7) % alphabet.len()])
            .collect();
        for ptr in ["", "/a", "/0", "/1/a", "/a/1/0"] {
            let _ = get_all(&doc, ptr);
        }
    }
}

#[test]
fn corpus_late_paths() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/json");
    for (name, ptr) in [
        ("twitter.json", "/search_metadata/count"),
        ("citm_catalog.json", "/venueNames/PLEYEL_PLEYEL"),
        ("canada.json", "/features/0/geometry/coordinates/479/5275/1"),
    ] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            eprintln!("SKIP: {name} not found in {}", dir.display());
            continue;
        };
        let sv: SValue = serde_json::from_slice(&bytes).unwrap();
        let got = get_all(&bytes, ptr).unwrap().unwrap();
        let parsed: SValue = serde_json::from_slice(got.as_bytes()).unwrap();
        assert_eq!(Some(&parsed), sv.pointer(ptr), "{name} {ptr}");
    }
}
