//! The JSON C ABI called from Rust: NULLs, zero sizes, tiny buffers, parse
//! errors with offsets, and state left intact after each failure.

use std::ptr::{null, null_mut};

use ultra::ffi::common::{ultra_status::*, ultra_str_t, with_last_error};
use ultra::ffi::json::*;

fn last_error() -> String {
    with_last_error(|m| String::from_utf8_lossy(m).into_owned())
}

#[test]
fn parse_get_and_accessors() {
    let input =
        br#"{"events":[{"type":1,"s":"a\nb","big":18446744073709551615,"f":1.5,"ok":true}]}"#;
    // SAFETY: every pointer below is a live local or NULL on purpose.
    unsafe {
        let mut p = null_mut();
        assert_eq!(ultra_json_parser_new(&mut p), ULTRA_OK);
        let mut doc = null_mut();
        assert_eq!(
            ultra_json_parse(p, input.as_ptr(), input.len(), &mut doc),
            ULTRA_OK
        );
        let mut v = ultra_json_value_t {
            doc: null(),
            index: 0,
        };
        let ptr = b"/events/0/big";
        assert_eq!(
            ultra_json_get(doc, ptr.as_ptr(), ptr.len(), &mut v),
            ULTRA_OK
        );
        assert_eq!(ultra_json_value_type(&v), ULTRA_JSON_UINT64);
        let mut u = 0u64;
        assert_eq!(ultra_json_value_as_u64(&v, &mut u), ULTRA_OK);
        assert_eq!(u, u64::MAX);
        let mut i = 7i64;
        assert_eq!(
            ultra_json_value_as_i64(&v, &mut i),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert_eq!(i, 7, "out untouched on error");
        assert!(last_error().contains("int64_t"));
        let miss = b"/events/1";
        let before = v;
        assert_eq!(
            ultra_json_get(doc, miss.as_ptr(), miss.len(), &mut v),
            ULTRA_ERR_NOT_FOUND
        );
        assert_eq!(v.index, before.index);
        let sp = b"/events/0/s";
        assert_eq!(ultra_json_get(doc, sp.as_ptr(), sp.len(), &mut v), ULTRA_OK);
        let (mut sptr, mut slen) = (null(), 0usize);
        assert_eq!(ultra_json_value_as_str(&v, &mut sptr, &mut slen), ULTRA_OK);
        assert_eq!(std::slice::from_raw_parts(sptr, slen), b"a\nb");
        assert_eq!(
            ultra_json_value_as_str(&v, null_mut(), &mut slen),
            ULTRA_ERR_NULL_ARGUMENT
        );
        let bad = ultra_json_value_t {
            doc,
            index: 1 << 40,
        };
        assert_eq!(ultra_json_value_type(&bad), -1);
        assert_eq!(
            ultra_json_value_len(&bad, &mut slen),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        // object iteration
        let ev = b"/events/0";
        assert_eq!(ultra_json_get(doc, ev.as_ptr(), ev.len(), &mut v), ULTRA_OK);
        let mut it = ultra_json_object_iter_t {
            doc: null(),
            cur: 0,
            end: 0,
        };
        assert_eq!(ultra_json_object_iter(&v, &mut it), ULTRA_OK);
        let mut keys = Vec::new();
        let (mut k, mut kl, mut m) = (null(), 0, v);
        while ultra_json_object_next(&mut it, &mut k, &mut kl, &mut m) == ULTRA_OK {
            keys.push(String::from_utf8(std::slice::from_raw_parts(k, kl).to_vec()).unwrap());
        }
        assert_eq!(keys, ["type", "s", "big", "f", "ok"]);
        let mut b = false;
        assert_eq!(
            ultra_json_value_object_get(&v, b"ok".as_ptr(), 2, &mut m),
            ULTRA_OK
        );
        assert_eq!(ultra_json_value_as_bool(&m, &mut b), ULTRA_OK);
        assert!(b);
        assert_eq!(
            ultra_json_value_at(&v, 0, &mut m),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        // parse errors: doc untouched, message names the byte
        let mut d2 = null_mut();
        assert_eq!(
            ultra_json_parse(p, b"[1,]".as_ptr(), 4, &mut d2),
            ULTRA_ERR_PARSE
        );
        assert!(d2.is_null());
        assert!(last_error().contains("at byte 3"), "{}", last_error());
        assert_eq!(
            ultra_json_parse(p, null(), 5, &mut d2),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(ultra_json_parse(p, null(), 0, &mut d2), ULTRA_ERR_PARSE);
        assert_eq!(
            ultra_json_parse(p, input.as_ptr(), input.len(), null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        ultra_json_doc_free(doc);
        ultra_json_doc_free(null_mut());
        ultra_json_parser_free(p);
        ultra_json_parser_free(null_mut());
    }
}

#[test]
fn validate_project_minify_writer() {
    // SAFETY: every pointer below is a live local or NULL on purpose.
    unsafe {
        let mut off = 0usize;
        assert_eq!(ultra_json_validate(b"[1]".as_ptr(), 3, &mut off), ULTRA_OK);
        assert_eq!(
            ultra_json_validate(b"[1 2]".as_ptr(), 5, &mut off),
            ULTRA_ERR_PARSE
        );
        assert_eq!(off, 3);
        assert_eq!(ultra_json_validate(null(), 0, null_mut()), ULTRA_ERR_PARSE);
        let post = br#"{"id": 1, "x": [1, 2], "title": "t"}"#;
        let fields = [
            ultra_str_t {
                ptr: b"title".as_ptr(),
                len: 5,
            },
            ultra_str_t {
                ptr: b"id".as_ptr(),
                len: 2,
            },
        ];
        let mut out = [0u8; 64];
        let mut n = 0usize;
        assert_eq!(
            ultra_json_project(
                post.as_ptr(),
                post.len(),
                fields.as_ptr(),
                2,
                out.as_mut_ptr(),
                3,
                &mut n
            ),
            ULTRA_ERR_BUFFER_TOO_SMALL
        );
        assert_eq!((n, out[0]), (br#"{"title":"t","id":1}"#.len(), 0));
        assert_eq!(
            ultra_json_project(
                post.as_ptr(),
                post.len(),
                fields.as_ptr(),
                2,
                out.as_mut_ptr(),
                64,
                &mut n
            ),
            ULTRA_OK
        );
        assert_eq!(&out[..n], br#"{"title":"t","id":1}"#);
        assert_eq!(
            ultra_json_project(
                post.as_ptr(),
                post.len(),
                null(),
                2,
                out.as_mut_ptr(),
                64,
                &mut n
            ),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_json_minify(post.as_ptr(), post.len(), out.as_mut_ptr(), 64, &mut n),
            ULTRA_OK
        );
        assert_eq!(&out[..n], br#"{"id":1,"x":[1,2],"title":"t"}"#);
        assert_eq!(
            ultra_json_minify(post.as_ptr(), post.len(), out.as_mut_ptr(), 64, null_mut()),
            ULTRA_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            ultra_json_minify(b"\"ab".as_ptr(), 3, out.as_mut_ptr(), 64, &mut n),
            ULTRA_ERR_PARSE
        );

        let mut w = null_mut();
        assert_eq!(ultra_json_writer_new(&mut w), ULTRA_OK);
        assert_eq!(
            ultra_json_writer_op(w, ULTRA_JSON_WRITE_BEGIN_ARRAY),
            ULTRA_OK
        );
        assert_eq!(ultra_json_writer_i64(w, -5), ULTRA_OK);
        assert_eq!(ultra_json_writer_f64(w, 0.5), ULTRA_OK);
        assert_eq!(ultra_json_writer_bool(w, false), ULTRA_OK);
        assert_eq!(
            ultra_json_writer_string(w, b"q\"".as_ptr(), 2, false),
            ULTRA_OK
        );
        assert_eq!(
            ultra_json_writer_string(w, [0xffu8].as_ptr(), 1, false),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert_eq!(ultra_json_writer_op(w, ULTRA_JSON_WRITE_NULL), ULTRA_OK);
        assert_eq!(
            ultra_json_writer_op(w, ULTRA_JSON_WRITE_END_ARRAY),
            ULTRA_OK
        );
        assert_eq!(ultra_json_writer_op(w, 42), ULTRA_ERR_INVALID_ARGUMENT);
        let (mut p, mut l) = (null(), 0usize);
        assert_eq!(ultra_json_writer_buffer(w, &mut p, &mut l), ULTRA_OK);
        assert_eq!(
            std::slice::from_raw_parts(p, l),
            br#"[-5,0.5,false,"q\"",null]"#
        );
        assert_eq!(
            ultra_json_writer_i64(null_mut(), 1),
            ULTRA_ERR_NULL_ARGUMENT
        );
        ultra_json_writer_free(w);
        ultra_json_writer_free(null_mut());
    }
}

/// Writer calls that would make the text invalid JSON are refused with
/// INVALID_ARGUMENT and a message, and write nothing.
#[test]
fn writer_refuses_misplaced_steps() {
    // SAFETY: every pointer below is a live local or NULL on purpose.
    unsafe {
        let text = |w: *mut ultra_json_writer_t| {
            let (mut p, mut n) = (null(), 0usize);
            assert_eq!(ultra_json_writer_buffer(w, &mut p, &mut n), ULTRA_OK);
            std::slice::from_raw_parts(p, n).to_vec()
        };
        let mut w = null_mut();
        assert_eq!(ultra_json_writer_new(&mut w), ULTRA_OK);
        assert_eq!(ultra_json_writer_end_object(w), ULTRA_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("not an object"), "{}", last_error());
        assert_eq!(
            ultra_json_writer_key(w, b"k".as_ptr(), 1),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert_eq!(ultra_json_writer_begin_object(w), ULTRA_OK);
        assert_eq!(ultra_json_writer_u64(w, 1), ULTRA_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("key"), "{}", last_error());
        assert_eq!(ultra_json_writer_end_array(w), ULTRA_ERR_INVALID_ARGUMENT);
        assert_eq!(ultra_json_writer_key(w, b"k".as_ptr(), 1), ULTRA_OK);
        assert_eq!(ultra_json_writer_end_object(w), ULTRA_ERR_INVALID_ARGUMENT);
        assert_eq!(
            ultra_json_writer_key(w, b"j".as_ptr(), 1),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert_eq!(
            ultra_json_writer_key(w, b"\xff".as_ptr(), 1),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert_eq!(text(w), br#"{"k":"#);
        assert_eq!(ultra_json_writer_begin_array(w), ULTRA_OK);
        assert_eq!(
            ultra_json_writer_key(w, b"k".as_ptr(), 1),
            ULTRA_ERR_INVALID_ARGUMENT
        );
        assert_eq!(ultra_json_writer_raw(w, b"{}".as_ptr(), 2), ULTRA_OK);
        assert_eq!(ultra_json_writer_end_object(w), ULTRA_ERR_INVALID_ARGUMENT);
        assert_eq!(ultra_json_writer_end_array(w), ULTRA_OK);
        assert_eq!(ultra_json_writer_end_object(w), ULTRA_OK);
        assert_eq!(ultra_json_writer_bool(w, true), ULTRA_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("complete"), "{}", last_error());
        assert_eq!(text(w), br#"{"k":[{}]}"#);
        assert_eq!(ultra_json_writer_null(null_mut()), ULTRA_ERR_NULL_ARGUMENT);
        assert_eq!(ultra_json_writer_key(w, null(), 1), ULTRA_ERR_NULL_ARGUMENT);
        assert_eq!(ultra_json_writer_clear(w), ULTRA_OK);
        assert_eq!(ultra_json_writer_f64(w, f64::NAN), ULTRA_OK);
        assert_eq!(text(w), b"null");
        ultra_json_writer_free(w);
    }
}
