//! The Rust API beyond parsing: limits and error offsets, parser reuse,
//! lazy `get` against `Value::pointer`, `project`, `minify`, NDJSON, `Writer`.

use proptest::prelude::*;
use serde_json::Value as SValue;
use ultra::json::{self, JsonErrorKind, Kind, Parser, Writer};

fn corpus(name: &str) -> Option<Vec<u8>> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/json")
        .join(name);
    let r = std::fs::read(&p).ok();
    if r.is_none() {
        eprintln!("SKIP: {} not found", p.display());
    }
    r
}

#[test]
fn depth_limit_is_an_error_with_offset() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let e = json::validate(deep.as_bytes()).unwrap_err();
    assert_eq!((e.kind, e.offset), (JsonErrorKind::DepthLimit, 1024));
    let mut p = Parser::new().with_max_depth(3);
    assert!(p.parse(b"[[[1]]]").is_ok());
    let e = p.parse(b"[[[[1]]]]").unwrap_err();
    assert_eq!((e.kind, e.offset), (JsonErrorKind::DepthLimit, 3));
    let mut p = Parser::new().with_max_size(4);
    assert_eq!(
        p.parse(b"[1,2]").unwrap_err().kind,
        JsonErrorKind::SizeLimit
    );
    let e: ultra::Error = p.parse(b"[1,2]").unwrap_err().into();
    assert_eq!(e.kind(), ultra::ErrorKind::Parse);
}

#[test]
fn error_offsets() {
    let cases: &[(&[u8], JsonErrorKind, usize)] = &[
        (b"", JsonErrorKind::Empty, 0),
        (b"  ", JsonErrorKind::Empty, 2),
        (b"[1,]", JsonErrorKind::UnexpectedChar, 3),
        (b"[1", JsonErrorKind::UnexpectedEnd, 2),
        (b"{\"a\" 1}", JsonErrorKind::UnexpectedChar, 5),
        (b"[01]", JsonErrorKind::InvalidNumber, 2),
        (b"[tru]", JsonErrorKind::InvalidLiteral, 1),
        (b"\"ab\x01\"", JsonErrorKind::ControlInString, 3),
        (b"[\"a\\x\"]", JsonErrorKind::InvalidEscape, 3),
        (b"1 2", JsonErrorKind::TrailingContent, 2),
        (b"[\"\xff\"]", JsonErrorKind::InvalidUtf8, 2),
        (b"[\"abc", JsonErrorKind::UnclosedString, 1),
    ];
    let mut p = Parser::new();
    for &(input, kind, offset) in cases {
        let e = p.parse(input).unwrap_err();
        assert_eq!(
            (e.kind, e.offset),
            (kind, offset),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        assert!(e.to_string().contains(&format!("at byte {offset}")));
    }
}

#[test]
fn parser_reuse_does_not_grow() {
    let Some(t) = corpus("twitter.json") else {
        return;
    };
    let mut p = Parser::new();
    p.parse(&t).unwrap();
    let before = p.capacity_bytes();
    assert!(before >= t.len());
    for _ in 0..3 {
        p.parse(&t).unwrap();
        p.parse(b"[1,2,{\"a\":\"b\\n\"}]").unwrap();
    }
    assert_eq!(before, p.capacity_bytes());
}

#[test]
fn values_and_pointer() {
    let mut p = Parser::new();
    let d = p
        .parse(br#"{"a/b":[1,-2,3.5,"x\n\u00e9\ud83d\ude00",true,null],"m~n":{},"e":[]}"#)
        .unwrap();
    let r = d.root();
    assert_eq!(r.kind(), Kind::Object);
    assert_eq!(r.len(), Some(3));
    assert_eq!(r.pointer("/a~1b/1").unwrap().as_i64(), Some(-2));
    assert_eq!(r.pointer("/a~1b/2").unwrap().as_f64(), Some(3.5));
    assert_eq!(r.pointer("/a~1b/3").unwrap().as_str(), Some("x\né😀"));
    assert_eq!(r.pointer("/a~1b/4").unwrap().as_bool(), Some(true));
    assert!(r.pointer("/a~1b/5").unwrap().is_null());
    assert!(r.pointer("/m~0n").unwrap().is_empty());
    assert!(r.pointer("/a~1b/6").is_none());
    assert!(r.pointer("/a~1b/01").is_none());
    assert!(r.pointer("a").is_none());
    assert_eq!(r.pointer("").unwrap().kind(), Kind::Object);
    assert_eq!(r.get("e").unwrap().array_iter().count(), 0);
    let keys: Vec<&str> = r.object_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["a/b", "m~n", "e"]);
    // zero-copy: an unescaped string points into the input
    let input = br#"["plain"]"#;
    let d = p.parse(input).unwrap();
    let s = d.root().at(0).unwrap().as_str().unwrap();
    assert_eq!(s.as_ptr(), input[2..].as_ptr());
}

/// Every pointer to every value of `v`, up to `limit`.
fn pointers(v: &SValue, prefix: String, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit {
        return;
    }
    out.push(prefix.clone());
    match v {
        SValue::Object(m) => {
            for (k, x) in m {
                let t = k.replace('~', "~0").replace('/', "~1");
                pointers(x, format!("{prefix}/{t}"), out, limit);
            }
        }
        SValue::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{prefix}/{i}"), out, limit);
            }
        }
        _ => {}
    }
}

#[test]
fn lazy_get_matches_pointer_on_corpus() {
    let limit = if cfg!(debug_assertions) { 300 } else { 5000 };
    for name in ["twitter.json", "citm_catalog.json", "canada.json"] {
        let Some(bytes) = corpus(name) else { continue };
        let sv: SValue = serde_json::from_slice(&bytes).unwrap();
        let mut ptrs = Vec::new();
        pointers(&sv, String::new(), &mut ptrs, limit);
        ptrs.push("/nope".into());
        ptrs.push("/statuses/100000".into());
        let mut p = Parser::new();
        let d = p.parse(&bytes).unwrap();
        let mut w = Parser::new();
        for ptr in ptrs.iter().rev() {
            let want = sv.pointer(ptr);
            let got = json::get(&bytes, ptr).unwrap();
            assert_eq!(got.is_some(), want.is_some(), "{name} {ptr}");
            assert_eq!(d.root().pointer(ptr).is_some(), want.is_some());
            if let (Some(g), Some(want)) = (got, want) {
                let parsed: SValue = serde_json::from_slice(g.as_bytes()).unwrap();
                assert_eq!(&parsed, want, "{name} {ptr}");
                if let Some(s) = want.as_str() {
                    assert_eq!(g.as_str().as_deref(), Some(s));
                }
                if let Some(n) = want.as_i64() {
                    assert_eq!(g.as_i64(), Some(n));
                }
                assert!(w.parse(g.as_bytes()).is_ok());
            }
        }
    }
}

#[test]
fn project_metadata() {
    let post =
        br#" { "id": 42, "body": "x\"}{", "title" : "T\u00e9", "tags": [ "a", {"b": [1, 2]} ],
        "author": {"name": "ann"}, "id": 7, "created_at": "2024-01-01" } "#;
    let mut out = Vec::new();
    json::project(
        post,
        &["id", "title", "author", "created_at", "tags", "missing"],
        &mut out,
    )
    .unwrap();
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        r#"{"id":42,"title":"T\u00e9","author":{"name":"ann"},"created_at":"2024-01-01","tags":["a",{"b":[1,2]}]}"#
    );
    out.clear();
    json::project(br#"{"a\u0041":1}"#, &["aA"], &mut out).unwrap();
    assert_eq!(out, br#"{"aA":1}"#);
    assert_eq!(
        json::project(b"[1]", &["a"], &mut out).unwrap_err().kind,
        JsonErrorKind::NotAnObject
    );
    assert!(json::project(b"{\"a\":[1,]}", &["a"], &mut out).is_err());
}

#[test]
fn minify_corpus_matches_serde() {
    for name in ["twitter.json", "citm_catalog.json", "canada.json"] {
        let Some(bytes) = corpus(name) else { continue };
        let mut out = Vec::new();
        json::minify(&bytes, &mut out).unwrap();
        let a: SValue = serde_json::from_slice(&bytes).unwrap();
        let b: SValue = serde_json::from_slice(&out).unwrap();
        assert_eq!(a, b);
        assert!(!out.contains(&b'\n'));
    }
}

#[test]
fn ndjson_stream() {
    let input = b"{\"type\":1,\"user_id\":5}\n{\"type\":2,\"user_id\":6}\n\n[1,2] 3 \"s\"{}\n";
    let mut p = Parser::new();
    let mut docs = p.parse_many(input);
    let mut seen = Vec::new();
    while let Some(d) = docs.next_document() {
        let d = d.unwrap();
        seen.push(serde_json::to_string(&to_serde(d.root())).unwrap());
    }
    assert_eq!(
        seen,
        [
            r#"{"type":1,"user_id":5}"#,
            r#"{"type":2,"user_id":6}"#,
            "[1,2]",
            "3",
            "\"s\"",
            "{}"
        ]
    );
    let mut docs = p.parse_many(b"{\"a\":1}\n{\"a\":}\n{\"a\":3}");
    assert!(docs.next_document().unwrap().is_ok());
    assert_eq!(docs.next_document().unwrap().unwrap_err().offset, 13);
    assert!(docs.next_document().is_none());
    let mut docs = p.parse_many(b"  ");
    assert!(docs.next_document().is_none());
}

fn to_serde(v: json::Value<'_>) -> SValue {
    match v.kind() {
        Kind::Null => SValue::Null,
        Kind::Bool => v.as_bool().unwrap().into(),
        Kind::I64 => v.as_i64().unwrap().into(),
        Kind::U64 => v.as_u64().unwrap().into(),
        Kind::F64 => v.as_f64().unwrap().into(),
        Kind::String => v.as_str().unwrap().into(),
        Kind::Array => SValue::Array(v.array_iter().map(to_serde).collect()),
        Kind::Object => SValue::Object(
            v.object_iter()
                .map(|(k, x)| (k.to_owned(), to_serde(x)))
                .collect(),
        ),
    }
}

fn write(w: &mut Writer, v: &SValue) {
    match v {
        SValue::Null => {
            w.null();
        }
        SValue::Bool(b) => {
            w.bool(*b);
        }
        SValue::Number(n) => {
            if let Some(i) = n.as_i64() {
                w.i64(i);
            } else if let Some(u) = n.as_u64() {
                w.u64(u);
            } else {
                w.f64(n.as_f64().unwrap());
            }
        }
        SValue::String(s) => {
            w.string(s);
        }
        SValue::Array(a) => {
            w.begin_array();
            for x in a {
                write(w, x);
            }
            w.end_array();
        }
        SValue::Object(m) => {
            w.begin_object();
            for (k, x) in m {
                w.key(k);
                write(w, x);
            }
            w.end_object();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 128 } else { 1024 }))]

    #[test]
    fn writer_round_trips(s in ".{0,40}", n in any::<i64>(), f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let v = serde_json::json!({"s": s, "n": n, "f": f, "a": [s, n, null, true], "o": {}});
        let mut w = Writer::new();
        w.raw(b"0");
        w.clear();
        write(&mut w, &v);
        prop_assert_eq!(w.depth(), 0);
        let mut p = Parser::new();
        let back = to_serde(p.parse(w.as_bytes()).unwrap().root());
        prop_assert_eq!(&back, &v);
        prop_assert!(json::validate(w.as_bytes()).is_ok());
        // minify of a pretty rendering equals the compact rendering
        let mut m = Vec::new();
        json::minify(serde_json::to_string_pretty(&v).unwrap().as_bytes(), &mut m).unwrap();
        prop_assert_eq!(m, serde_json::to_vec(&v).unwrap());
    }
}

/// Strings are sized from the next structural unless a block holding a
/// backslash overlaps them: escapes anywhere (near, far, across 64-byte
/// blocks, in later documents of a stream) must still be decoded.
#[test]
fn strings_with_and_without_escapes_across_blocks() {
    let mut lines = Vec::new();
    for k in 0..40usize {
        let pad = "x".repeat(k * 7 % 90);
        let esc = match k % 4 {
            0 => format!("{pad}\\\"q\\\\{pad}"),
            1 => format!("{pad}\\u00e9\\ud83d\\ude00"),
            2 => pad.clone(),
            _ => format!("\\n{pad}"),
        };
        lines.push(format!(
            "{{ \"plain{k}\" :\t\"{pad}\" , \"esc\\t{k}\"  : \"{esc}\" ,\"n\":[\"{pad}\" ,\"{esc}\"]}}"
        ));
    }
    let text = lines.join("\n");
    let mut p = Parser::new();
    let mut docs = p.parse_many(text.as_bytes());
    let mut k = 0;
    while let Some(d) = docs.next_document() {
        let d = d.unwrap();
        let want: SValue = serde_json::from_str(&lines[k]).unwrap();
        let mut one = Parser::new();
        let single = one.parse(lines[k].as_bytes()).unwrap();
        for (key, v) in want.as_object().unwrap() {
            let s = v.as_str().map(str::to_owned);
            let got = d.root().get(key).map(|x| x.as_str().map(|c| c.to_string()));
            if let Some(s) = s {
                assert_eq!(got, Some(Some(s.clone())), "doc {k} key {key}");
                let alone = single
                    .root()
                    .get(key)
                    .and_then(|x| x.as_str().map(|c| c.to_string()));
                assert_eq!(alone, Some(s), "doc {k} key {key} parsed alone");
            }
        }
        let arr = d.root().get("n").unwrap();
        for (j, v) in want["n"].as_array().unwrap().iter().enumerate() {
            let got = arr.at(j).and_then(|x| x.as_str().map(|c| c.to_string()));
            assert_eq!(got.as_deref(), v.as_str(), "doc {k} n[{j}]");
        }
        k += 1;
    }
    assert_eq!(k, lines.len());
}
