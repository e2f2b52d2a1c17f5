//! JSONTestSuite conformance: every `y_` accepted, every `n_` rejected, and
//! the `i_` table from the `ultra::json` module docs, through every kernel the
//! CPU supports (parse and validate must agree).

use std::path::PathBuf;

use ultra::json::{self, JsonErrorKind, Kernel, Parser};

fn suite() -> Option<Vec<(String, Vec<u8>)>> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/jsontestsuite/test_parsing");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("SKIP: JSONTestSuite not found at {}", dir.display());
        return None;
    };
    let mut v: Vec<(String, Vec<u8>)> = rd
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    Some(v)
}

/// What ultra does with each implementation-defined file (None = accepted).
const I_TABLE: &[(&str, Option<JsonErrorKind>)] = &[
    ("i_number_double_huge_neg_exp.json", None),
    ("i_number_huge_exp.json", Some(JsonErrorKind::InvalidNumber)),
    (
        "i_number_neg_int_huge_exp.json",
        Some(JsonErrorKind::InvalidNumber),
    ),
    (
        "i_number_pos_double_huge_exp.json",
        Some(JsonErrorKind::InvalidNumber),
    ),
    (
        "i_number_real_neg_overflow.json",
        Some(JsonErrorKind::InvalidNumber),
    ),
    (
        "i_number_real_pos_overflow.json",
        Some(JsonErrorKind::InvalidNumber),
    ),
    ("i_number_real_underflow.json", None),
    ("i_number_too_big_neg_int.json", None),
    ("i_number_too_big_pos_int.json", None),
    ("i_number_very_big_negative_int.json", None),
    (
        "i_object_key_lone_2nd_surrogate.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_1st_surrogate_but_2nd_missing.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_1st_valid_surrogate_2nd_invalid.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_UTF-16LE_with_BOM.json",
        Some(JsonErrorKind::ControlInString),
    ),
    (
        "i_string_UTF-8_invalid_sequence.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_UTF8_surrogate_U+D800.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_incomplete_surrogate_and_escape_valid.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_incomplete_surrogate_pair.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_incomplete_surrogates_escape_valid.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_invalid_lonely_surrogate.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_invalid_surrogate.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_invalid_utf-8.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_inverted_surrogates_U+1D11E.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_iso_latin_1.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_lone_second_surrogate.json",
        Some(JsonErrorKind::InvalidSurrogate),
    ),
    (
        "i_string_lone_utf8_continuation_byte.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_not_in_unicode_range.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_overlong_sequence_2_bytes.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_overlong_sequence_6_bytes.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_overlong_sequence_6_bytes_null.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_truncated-utf-8.json",
        Some(JsonErrorKind::InvalidUtf8),
    ),
    (
        "i_string_utf16BE_no_BOM.json",
        Some(JsonErrorKind::ControlInString),
    ),
    (
        "i_string_utf16LE_no_BOM.json",
        Some(JsonErrorKind::ControlInString),
    ),
    ("i_structure_500_nested_arrays.json", None),
    (
        "i_structure_UTF-8_BOM_empty_object.json",
        Some(JsonErrorKind::UnexpectedChar),
    ),
];

fn outcome(bytes: &[u8]) -> Result<(), JsonErrorKind> {
    let mut p = Parser::new();
    let a = p.parse(bytes).map(|_| ());
    let b = json::validate(bytes);
    assert_eq!(a, b, "parse and validate disagree (kind or offset)");
    a.map_err(|e| e.kind)
}

#[test]
fn jsontestsuite_every_kernel() {
    let Some(files) = suite() else { return };
    let mut failures = Vec::new();
    let mut ran = 0;
    for k in Kernel::ALL {
        if !json::testing::force_kernel(k) {
            continue;
        }
        ran += 1;
        for (name, bytes) in &files {
            let r = outcome(bytes);
            if name.starts_with("y_") && r.is_err() {
                failures.push(format!("{}: {name} rejected: {r:?}", k.name()));
            }
            if name.starts_with("n_") && r.is_ok() {
                failures.push(format!("{}: {name} accepted", k.name()));
            }
            if name.starts_with("i_") {
                match I_TABLE.iter().find(|(n, _)| n == name) {
                    Some((_, want)) if r.err() == *want => {}
                    Some((_, want)) => {
                        failures.push(format!("{}: {name}: {r:?}, table says {want:?}", k.name()))
                    }
                    None => failures.push(format!("{name}: missing from the i_ table")),
                }
            }
        }
    }
    json::testing::force_kernel(json::testing::best());
    assert_eq!(json::active_kernel(), json::testing::best());
    assert!(ran >= 1);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `validate` under every kernel on `pad ++ ["text"]`: SIMD UTF-8 checkers
/// must accept exactly what `core::str::from_utf8` accepts, and report the
/// same error (kind and offset) as the scalar kernel.
fn utf8_agrees(pad: usize, text: &[u8]) {
    let mut doc = vec![b' '; pad];
    doc.extend_from_slice(b"[\"");
    doc.extend_from_slice(text);
    doc.extend_from_slice(b"\"]");
    let valid = std::str::from_utf8(text).is_ok();
    json::testing::force_kernel(Kernel::Scalar);
    let oracle = json::validate(&doc);
    assert_eq!(oracle.is_ok(), valid, "scalar on {text:x?}");
    for k in Kernel::ALL {
        if !json::testing::force_kernel(k) {
            continue;
        }
        assert_eq!(json::validate(&doc), oracle, "{} on {text:x?}", k.name());
    }
    json::testing::force_kernel(json::testing::best());
}

#[test]
fn utf8_edge_cases_every_kernel() {
    let cases: &[&[u8]] = &[
        "é€😀".as_bytes(),
        b"\xc3",
        b"\xe2\x82",
        b"\xf0\x9f\x98",
        b"\x80",
        b"\xc0\xaf",
        b"\xe0\x80\xaf",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xf0\x80\x80\xaf",
        b"\xff",
        b"\xef\xbf\xbf\xf4\x8f\xbf\xbf",
    ];
    for pad in 0..70 {
        for c in cases {
            utf8_agrees(pad, c);
            let mut long = "x".repeat(pad).into_bytes();
            long.extend_from_slice(c);
            long.extend_from_slice("ü".repeat(40).as_bytes());
            utf8_agrees(3, &long);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
        if cfg!(debug_assertions) { 200 } else { 2000 }
    ))]

    #[test]
    fn utf8_random_every_kernel(
        pad in 0usize..64,
        picks in proptest::collection::vec(proptest::prelude::any::<u16>(), 0..200),
    ) {
        // Mostly well-formed pieces with some stray bytes, so that both
        // valid and invalid texts are common.
        const PIECES: &[&[u8]] = &[
            b"a", b"Z", b" ", "é".as_bytes(), "€".as_bytes(), "😀".as_bytes(),
            "\u{10FFFF}".as_bytes(), "\u{FFFF}".as_bytes(), "\u{800}".as_bytes(),
        ];
        let mut text = Vec::new();
        for p in picks {
            if p % 64 == 0 {
                text.push(0x80 | (p >> 8) as u8);
            } else {
                text.extend_from_slice(PIECES[p as usize % PIECES.len()]);
            }
        }
        utf8_agrees(pad, &text);
    }
}
