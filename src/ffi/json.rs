//! C ABI of [`crate::json`]: parser, document, values, object iterator,
//! validate, project, minify and a writer.
//!
//! A document borrows both its parser and the input buffer: the caller keeps
//! both alive and unchanged, and does not parse with that parser again, until
//! `ultra_json_doc_free`. Values and iterators are small structs that point
//! into their document and are valid as long as it is.

use std::cell::RefCell;

use super::common::{
    arg_mut, arg_ref, arg_slice, box_out, copy_out, free_box, guard, non_null, ultra_status,
    ultra_str_t, write_out,
};
use crate::error::{Error, Result};
use crate::json::{self, Document, Kind, ObjectIter, Parser, Step, Value, Writer};

/// A reusable JSON parser (opaque).
#[allow(non_camel_case_types)]
pub struct ultra_json_parser_t(Parser);

/// A parsed document (opaque); borrows its parser and input.
#[allow(non_camel_case_types)]
pub struct ultra_json_doc_t(Document<'static>);

/// A JSON builder over a reusable buffer (opaque).
#[allow(non_camel_case_types)]
pub struct ultra_json_writer_t(Writer);

/// One value of a document: plain data, copy freely while the document lives.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ultra_json_value_t {
    /// The document the value belongs to.
    pub doc: *const ultra_json_doc_t,
    /// Position in the document (opaque).
    pub index: usize,
}

/// Iterator over an object's members (see `ultra_json_object_next`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ultra_json_object_iter_t {
    /// The document iterated.
    pub doc: *const ultra_json_doc_t,
    /// Next member (opaque).
    pub cur: usize,
    /// End of the object (opaque).
    pub end: usize,
}

/// `ultra_json_value_type`: `null`.
pub const ULTRA_JSON_NULL: i32 = 0;
/// `ultra_json_value_type`: `true` / `false`.
pub const ULTRA_JSON_BOOL: i32 = 1;
/// `ultra_json_value_type`: integer fitting int64_t.
pub const ULTRA_JSON_INT64: i32 = 2;
/// `ultra_json_value_type`: integer above INT64_MAX fitting uint64_t.
pub const ULTRA_JSON_UINT64: i32 = 3;
/// `ultra_json_value_type`: any other number (double).
pub const ULTRA_JSON_DOUBLE: i32 = 4;
/// `ultra_json_value_type`: string.
pub const ULTRA_JSON_STRING: i32 = 5;
/// `ultra_json_value_type`: array.
pub const ULTRA_JSON_ARRAY: i32 = 6;
/// `ultra_json_value_type`: object.
pub const ULTRA_JSON_OBJECT: i32 = 7;

/// Resolve a C value to a Rust [`Value`].
///
/// # Safety
/// `v` is NULL or valid; its `doc` is NULL or a live document.
unsafe fn value<'a>(v: *const ultra_json_value_t) -> Result<Value<'a>> {
    // SAFETY: forwarded contract.
    let v = unsafe { arg_ref(v, "value") }?;
    // SAFETY: forwarded contract: `doc` is NULL or live.
    let doc = unsafe { arg_ref(v.doc, "value.doc") }?;
    doc.0
        .value_at(v.index)
        .ok_or(Error::invalid("value index out of range"))
}

fn c_value(doc: *const ultra_json_doc_t, v: Value<'_>) -> ultra_json_value_t {
    ultra_json_value_t {
        doc,
        index: v.tape_index(),
    }
}

fn wrong(what: &'static str) -> Error {
    Error::invalid(what)
}

/// Create a parser with the default limits (depth 1024). Free with
/// `ultra_json_parser_free`. NULL `out` → ULTRA_ERR_NULL_ARGUMENT.
/// A parser is used by one thread at a time.
///
/// # Safety
/// `out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_parser_new(out: *mut *mut ultra_json_parser_t) -> ultra_status {
    // SAFETY: `out` is NULL (checked) or writable.
    guard("ultra_json_parser_new", || unsafe {
        box_out(out, ultra_json_parser_t(Parser::new()), "out")
    })
}

/// Free a parser (NULL is a no-op). Free its documents first.
///
/// # Safety
/// `p` is NULL or from `ultra_json_parser_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_parser_free(p: *mut ultra_json_parser_t) {
    // SAFETY: forwarded contract.
    super::common::catch("ultra_json_parser_free", || unsafe { free_box(p) })
}

/// Parse `buf[0..len]` into a new document written to `*doc` (free with
/// `ultra_json_doc_free`). Malformed input → ULTRA_ERR_PARSE, and
/// `ultra_last_error` says what and at which byte; `*doc` is untouched on
/// error. The document borrows `parser` and `buf` until freed. Not
/// thread-safe per parser.
///
/// # Safety
/// `parser` NULL or live; `buf` NULL or readable for `len` bytes; `doc` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_parse(
    parser: *mut ultra_json_parser_t,
    buf: *const u8,
    len: usize,
    doc: *mut *mut ultra_json_doc_t,
) -> ultra_status {
    guard("ultra_json_parse", || {
        // SAFETY: pointers checked by the helpers; caller's contract above.
        let (p, input) = unsafe { (arg_mut(parser, "parser")?, arg_slice(buf, len, "buf")?) };
        non_null(doc, "doc")?;
        let d = p.0.parse(input)?;
        // SAFETY: the caller keeps parser and input alive and untouched until
        // ultra_json_doc_free (documented contract), so 'static never outlives them.
        let d: Document<'static> = unsafe { std::mem::transmute(d) };
        // SAFETY: `doc` checked non-NULL and writable per contract.
        unsafe { box_out(doc, ultra_json_doc_t(d), "doc") }
    })
}

/// Free a document (NULL is a no-op); its values become invalid.
///
/// # Safety
/// `doc` is NULL or from `ultra_json_parse`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_doc_free(doc: *mut ultra_json_doc_t) {
    // SAFETY: forwarded contract.
    super::common::catch("ultra_json_doc_free", || unsafe { free_box(doc) })
}

/// Write the document's top-level value to `*out`. Thread-safe (read-only).
///
/// # Safety
/// `doc` NULL or live; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_doc_root(
    doc: *const ultra_json_doc_t,
    out: *mut ultra_json_value_t,
) -> ultra_status {
    guard("ultra_json_doc_root", || {
        // SAFETY: checked; caller's contract.
        let d = unsafe { arg_ref(doc, "doc") }?;
        // SAFETY: checked non-NULL inside; writable per contract.
        unsafe { write_out(out, c_value(doc, d.0.root()), "out") }
    })
}

/// Follow the RFC 6901 pointer `pointer[0..len]` (e.g. "/events/0/type")
/// from the root. ULTRA_OK and `*out` set, or ULTRA_ERR_NOT_FOUND (nothing
/// written). Thread-safe (read-only).
///
/// # Safety
/// `doc` NULL or live; `pointer` NULL (only with len 0) or readable; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_get(
    doc: *const ultra_json_doc_t,
    pointer: *const u8,
    len: usize,
    out: *mut ultra_json_value_t,
) -> ultra_status {
    guard("ultra_json_get", || {
        // SAFETY: checked; caller's contract.
        let (d, ptr) = unsafe { (arg_ref(doc, "doc")?, arg_slice(pointer, len, "pointer")?) };
        non_null(out, "out")?;
        let ptr = std::str::from_utf8(ptr).map_err(|_| wrong("pointer is not UTF-8"))?;
        let v = d.0.root().pointer(ptr).ok_or(Error::NotFound)?;
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { write_out(out, c_value(doc, v), "out") }
    })
}

/// The type of `*value` as one of the `ULTRA_JSON_*` type constants, or -1 if `value` is NULL or
/// invalid (the reason goes to `ultra_last_error`). Thread-safe.
///
/// # Safety
/// `value` NULL or valid, pointing into a live document.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_type(value: *const ultra_json_value_t) -> i32 {
    super::common::guard_value("ultra_json_value_type", -1, || {
        // SAFETY: forwarded contract.
        Ok(unsafe { self::value(value) }?.kind() as i32)
    })
}

/// Shared body of the scalar accessors: resolve, check `out`, convert, write.
///
/// # Safety
/// `value` NULL or valid into a live document; `out` NULL or writable.
unsafe fn scalar_out<T>(
    func: &str,
    value: *const ultra_json_value_t,
    out: *mut T,
    what: &'static str,
    f: impl FnOnce(Value<'_>) -> Option<T>,
) -> ultra_status {
    guard(func, || {
        // SAFETY: forwarded contract.
        let v = unsafe { self::value(value) }?;
        non_null(out, "out")?;
        let x = f(v).ok_or(wrong(what))?;
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { write_out(out, x, "out") }
    })
}

/// The value as int64_t (integers that fit).
/// Wrong type → ULTRA_ERR_INVALID_ARGUMENT, `*out` untouched. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_as_i64(
    value: *const ultra_json_value_t,
    out: *mut i64,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        scalar_out(
            "ultra_json_value_as_i64",
            value,
            out,
            "value is not an integer that fits int64_t",
            |v| v.as_i64(),
        )
    }
}

/// The value as uint64_t (non-negative integers that fit).
/// Wrong type → ULTRA_ERR_INVALID_ARGUMENT, `*out` untouched. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_as_u64(
    value: *const ultra_json_value_t,
    out: *mut u64,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        scalar_out(
            "ultra_json_value_as_u64",
            value,
            out,
            "value is not an integer that fits uint64_t",
            |v| v.as_u64(),
        )
    }
}

/// The value as double (any number).
/// Wrong type → ULTRA_ERR_INVALID_ARGUMENT, `*out` untouched. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_as_f64(
    value: *const ultra_json_value_t,
    out: *mut f64,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        scalar_out(
            "ultra_json_value_as_f64",
            value,
            out,
            "value is not a number",
            |v| v.as_f64(),
        )
    }
}

/// The value as bool.
/// Wrong type → ULTRA_ERR_INVALID_ARGUMENT, `*out` untouched. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_as_bool(
    value: *const ultra_json_value_t,
    out: *mut bool,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        scalar_out(
            "ultra_json_value_as_bool",
            value,
            out,
            "value is not a boolean",
            |v| v.as_bool(),
        )
    }
}

/// Number of elements or members of an array or object.
/// Wrong type → ULTRA_ERR_INVALID_ARGUMENT, `*out` untouched. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_len(
    value: *const ultra_json_value_t,
    out: *mut usize,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        scalar_out(
            "ultra_json_value_len",
            value,
            out,
            "value is not an array or object",
            |v| v.len(),
        )
    }
}

/// The unescaped string: `*ptr`/`*len` point into the input buffer (no
/// escapes) or into the parser (escapes); valid while the document lives;
/// not NUL-terminated. Wrong type → ULTRA_ERR_INVALID_ARGUMENT. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `ptr`, `len` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_as_str(
    value: *const ultra_json_value_t,
    ptr: *mut *const u8,
    len: *mut usize,
) -> ultra_status {
    guard("ultra_json_value_as_str", || {
        // SAFETY: forwarded contract.
        let v = unsafe { self::value(value) }?;
        non_null(ptr, "ptr")?;
        non_null(len, "len")?;
        let s = v.as_str().ok_or(wrong("value is not a string"))?;
        // SAFETY: both checked non-NULL; writable per contract.
        unsafe {
            ptr.write(s.as_ptr());
            len.write(s.len());
        }
        Ok(())
    })
}

/// Element `index` of an array → `*out`; ULTRA_ERR_NOT_FOUND past the end,
/// ULTRA_ERR_INVALID_ARGUMENT for a non-array. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_at(
    value: *const ultra_json_value_t,
    index: usize,
    out: *mut ultra_json_value_t,
) -> ultra_status {
    guard("ultra_json_value_at", || {
        // SAFETY: forwarded contract.
        let (v, doc) = unsafe { (self::value(value)?, (*value).doc) };
        non_null(out, "out")?;
        if v.kind() != Kind::Array {
            return Err(wrong("value is not an array"));
        }
        let e = v.at(index).ok_or(Error::NotFound)?;
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { write_out(out, c_value(doc, e), "out") }
    })
}

/// Member `key[0..len]` of an object → `*out`; ULTRA_ERR_NOT_FOUND if absent,
/// ULTRA_ERR_INVALID_ARGUMENT for a non-object. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `key` readable for `len`; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_value_object_get(
    value: *const ultra_json_value_t,
    key: *const u8,
    len: usize,
    out: *mut ultra_json_value_t,
) -> ultra_status {
    guard("ultra_json_value_object_get", || {
        // SAFETY: forwarded contract.
        let (v, doc, key) = unsafe {
            (
                self::value(value)?,
                (*value).doc,
                arg_slice(key, len, "key")?,
            )
        };
        non_null(out, "out")?;
        if v.kind() != Kind::Object {
            return Err(wrong("value is not an object"));
        }
        let key = std::str::from_utf8(key).map_err(|_| Error::NotFound)?;
        let m = v.get(key).ok_or(Error::NotFound)?;
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { write_out(out, c_value(doc, m), "out") }
    })
}

/// Start iterating an object's members into `*iter`; non-object →
/// ULTRA_ERR_INVALID_ARGUMENT. Thread-safe.
///
/// # Safety
/// `value` NULL or valid into a live document; `iter` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_object_iter(
    value: *const ultra_json_value_t,
    iter: *mut ultra_json_object_iter_t,
) -> ultra_status {
    guard("ultra_json_object_iter", || {
        // SAFETY: forwarded contract.
        let (v, doc) = unsafe { (self::value(value)?, (*value).doc) };
        if v.kind() != Kind::Object {
            return Err(wrong("value is not an object"));
        }
        let (cur, end) = v.object_iter().position();
        // SAFETY: checked non-NULL inside; writable per contract.
        unsafe { write_out(iter, ultra_json_object_iter_t { doc, cur, end }, "iter") }
    })
}

/// Next member: its key (`*key`, `*key_len`, valid while the document lives)
/// and value (`*out`), ULTRA_OK; ULTRA_ERR_NOT_FOUND when done. Thread-safe
/// per iterator.
///
/// # Safety
/// `iter` NULL or from `ultra_json_object_iter` on a live document; other
/// pointers NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_object_next(
    iter: *mut ultra_json_object_iter_t,
    key: *mut *const u8,
    key_len: *mut usize,
    out: *mut ultra_json_value_t,
) -> ultra_status {
    guard("ultra_json_object_next", || {
        // SAFETY: forwarded contract.
        let it = unsafe { arg_mut(iter, "iter") }?;
        // SAFETY: forwarded contract.
        let doc = unsafe { arg_ref(it.doc, "iter.doc") }?;
        for (p, n) in [
            (key.cast::<()>(), "key"),
            (key_len.cast(), "key_len"),
            (out.cast(), "out"),
        ] {
            non_null(p, n)?;
        }
        let mut rust =
            ObjectIter::resume(doc.0, it.cur, it.end).ok_or(wrong("corrupt iterator"))?;
        let (k, v) = rust.next().ok_or(Error::NotFound)?;
        it.cur = rust.position().0;
        // SAFETY: all three checked non-NULL; writable per contract.
        unsafe {
            key.write(k.as_ptr());
            key_len.write(k.len());
            out.write(c_value(it.doc, v));
        }
        Ok(())
    })
}

/// Validate `buf[0..len]` as one JSON document. On ULTRA_ERR_PARSE the byte
/// offset goes to `*error_offset` (if not NULL) and the message to
/// `ultra_last_error`. Thread-safe.
///
/// # Safety
/// `buf` NULL (only with len 0) or readable; `error_offset` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_validate(
    buf: *const u8,
    len: usize,
    error_offset: *mut usize,
) -> ultra_status {
    guard("ultra_json_validate", || {
        // SAFETY: checked; caller's contract.
        let input = unsafe { arg_slice(buf, len, "buf") }?;
        json::validate(input).inspect_err(|e| {
            if !error_offset.is_null() {
                // SAFETY: non-NULL and writable per contract.
                unsafe { error_offset.write(e.offset) };
            }
        })?;
        Ok(())
    })
}

thread_local! {
    static OUT: RefCell<(Vec<u8>, Vec<String>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Write `{` + only the top-level members named in `fields[0..n]` (in that
/// order, missing ones skipped) + `}` minified into `out[0..cap]`, length to
/// `*written`. Too small → ULTRA_ERR_BUFFER_TOO_SMALL with the size needed in
/// `*written`. Invalid JSON → ULTRA_ERR_PARSE. Thread-safe.
///
/// # Safety
/// `buf` readable for `len`; `fields` readable for `n` entries, each readable;
/// `out` writable for `cap`; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_project(
    buf: *const u8,
    len: usize,
    fields: *const ultra_str_t,
    n: usize,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
) -> ultra_status {
    guard("ultra_json_project", || {
        // SAFETY: checked; caller's contract.
        let (input, fs) = unsafe { (arg_slice(buf, len, "buf")?, arg_slice(fields, n, "fields")?) };
        non_null(written, "written")?;
        OUT.with(|c| {
            let (res, names) = &mut *c.borrow_mut();
            names.clear();
            for f in fs {
                // SAFETY: each field is readable for its len (contract).
                let b = unsafe { arg_slice(f.ptr, f.len, "fields[i]") }?;
                names.push(String::from_utf8(b.to_vec()).map_err(|_| wrong("field is not UTF-8"))?);
            }
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            res.clear();
            json::project(input, &names, res)?;
            // SAFETY: caller's contract for out/cap/written.
            unsafe { copy_out(res, out, cap, written) }
        })
    })
}

/// Minify `buf[0..len]` into `out[0..cap]`, length to `*written`
/// (ULTRA_ERR_BUFFER_TOO_SMALL with the size needed when `cap` is short).
/// Unclosed strings, control bytes in strings or bad UTF-8 → ULTRA_ERR_PARSE;
/// the grammar is not checked. Thread-safe.
///
/// # Safety
/// `buf` readable for `len`; `out` writable for `cap`; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_minify(
    buf: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
) -> ultra_status {
    guard("ultra_json_minify", || {
        // SAFETY: checked; caller's contract.
        let input = unsafe { arg_slice(buf, len, "buf") }?;
        non_null(written, "written")?;
        OUT.with(|c| {
            let res = &mut c.borrow_mut().0;
            res.clear();
            json::minify(input, res)?;
            // SAFETY: caller's contract for out/cap/written.
            unsafe { copy_out(res, out, cap, written) }
        })
    })
}

/// Create a writer (free with `ultra_json_writer_free`). One thread at a time.
///
/// # Safety
/// `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_new(out: *mut *mut ultra_json_writer_t) -> ultra_status {
    // SAFETY: `out` is NULL (checked) or writable.
    guard("ultra_json_writer_new", || unsafe {
        box_out(out, ultra_json_writer_t(Writer::new()), "out")
    })
}

/// Free a writer (NULL is a no-op).
///
/// # Safety
/// `w` NULL or from `ultra_json_writer_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_free(w: *mut ultra_json_writer_t) {
    // SAFETY: forwarded contract.
    super::common::catch("ultra_json_writer_free", || unsafe { free_box(w) })
}

/// Check `step` against the writer's state ([`Writer::check`]), then let
/// `f` write; a step that would make the text invalid JSON is refused with
/// ULTRA_ERR_INVALID_ARGUMENT and writes nothing.
///
/// # Safety
/// `w` NULL or a live writer.
unsafe fn write_step(
    name: &'static str,
    w: *mut ultra_json_writer_t,
    step: Step,
    f: impl FnOnce(&mut Writer),
) -> ultra_status {
    guard(name, || {
        // SAFETY: checked; caller's contract.
        let w = &mut unsafe { arg_mut(w, "writer") }?.0;
        w.check(step).map_err(wrong)?;
        f(w);
        Ok(())
    })
}

/// `ultra_json_writer_op`: forget the contents, keep the buffer.
pub const ULTRA_JSON_WRITE_CLEAR: i32 = 0;
/// `ultra_json_writer_op`: `{`.
pub const ULTRA_JSON_WRITE_BEGIN_OBJECT: i32 = 1;
/// `ultra_json_writer_op`: `}`.
pub const ULTRA_JSON_WRITE_END_OBJECT: i32 = 2;
/// `ultra_json_writer_op`: `[`.
pub const ULTRA_JSON_WRITE_BEGIN_ARRAY: i32 = 3;
/// `ultra_json_writer_op`: `]`.
pub const ULTRA_JSON_WRITE_END_ARRAY: i32 = 4;
/// `ultra_json_writer_op`: `null`.
pub const ULTRA_JSON_WRITE_NULL: i32 = 5;

/// Apply a structural operation (one of the `ULTRA_JSON_WRITE_*` constants)
/// to the writer, like the named functions (`ultra_json_writer_begin_object`
/// …); unknown `op`, or an operation that would make the text invalid JSON
/// → ULTRA_ERR_INVALID_ARGUMENT, nothing written.
///
/// # Safety
/// `w` NULL or a live writer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_op(
    w: *mut ultra_json_writer_t,
    op: i32,
) -> ultra_status {
    let f: unsafe extern "C" fn(*mut ultra_json_writer_t) -> ultra_status = match op {
        ULTRA_JSON_WRITE_CLEAR => ultra_json_writer_clear,
        ULTRA_JSON_WRITE_BEGIN_OBJECT => ultra_json_writer_begin_object,
        ULTRA_JSON_WRITE_END_OBJECT => ultra_json_writer_end_object,
        ULTRA_JSON_WRITE_BEGIN_ARRAY => ultra_json_writer_begin_array,
        ULTRA_JSON_WRITE_END_ARRAY => ultra_json_writer_end_array,
        ULTRA_JSON_WRITE_NULL => ultra_json_writer_null,
        _ => return guard("ultra_json_writer_op", || Err(wrong("unknown writer op"))),
    };
    // SAFETY: forwarded contract (every `f` takes a NULL or live writer).
    unsafe { f(w) }
}

/// Forget the text written so far (keep the buffer) and start a new document.
///
/// # Safety
/// `w` NULL or a live writer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_clear(w: *mut ultra_json_writer_t) -> ultra_status {
    guard("ultra_json_writer_clear", || {
        // SAFETY: checked; caller's contract.
        unsafe { arg_mut(w, "writer") }.map(|w| w.0.clear())
    })
}

/// Write `{`. Refused (ULTRA_ERR_INVALID_ARGUMENT) where a value is not
/// allowed: inside an object before its key, or after a complete document.
///
/// # Safety
/// `w` NULL or a live writer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_begin_object(
    w: *mut ultra_json_writer_t,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_begin_object", w, Step::Value, |w| {
            w.begin_object();
        })
    }
}

/// Write `}`. Refused unless the innermost open container is an object
/// whose last key has its value.
///
/// # Safety
/// `w` NULL or a live writer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_end_object(w: *mut ultra_json_writer_t) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_end_object", w, Step::EndObject, |w| {
            w.end_object();
        })
    }
}

/// Write `[`. Refused where a value is not allowed.
///
/// # Safety
/// `w` NULL or a live writer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_begin_array(
    w: *mut ultra_json_writer_t,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_begin_array", w, Step::Value, |w| {
            w.begin_array();
        })
    }
}

/// Write `]`. Refused unless the innermost open container is an array.
///
/// # Safety
/// `w` NULL or a live writer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_end_array(w: *mut ultra_json_writer_t) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_end_array", w, Step::EndArray, |w| {
            w.end_array();
        })
    }
}

/// Write `null`. Refused where a value is not allowed.
///
/// # Safety
/// `w` NULL or a live writer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_null(w: *mut ultra_json_writer_t) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_null", w, Step::Value, |w| {
            w.null();
        })
    }
}

/// Write an object key `s[0..len]` (UTF-8, escaped as needed); the next
/// call writes its value. Refused outside an object or right after a key.
///
/// # Safety
/// `w` NULL or live; `s` readable for `len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_key(
    w: *mut ultra_json_writer_t,
    s: *const u8,
    len: usize,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe { ultra_json_writer_string(w, s, len, true) }
}

/// Write an object key (`is_key` true, as `ultra_json_writer_key`) or a
/// string value, escaped; `s[0..len]` must be UTF-8. Refused (nothing
/// written) where the key or value is not allowed.
///
/// # Safety
/// `w` NULL or live; `s` readable for `len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_string(
    w: *mut ultra_json_writer_t,
    s: *const u8,
    len: usize,
    is_key: bool,
) -> ultra_status {
    guard("ultra_json_writer_string", || {
        // SAFETY: checked; caller's contract.
        let (w, s) = unsafe { (&mut arg_mut(w, "writer")?.0, arg_slice(s, len, "s")?) };
        let s = std::str::from_utf8(s).map_err(|_| wrong("string is not UTF-8"))?;
        w.check(if is_key { Step::Key } else { Step::Value })
            .map_err(wrong)?;
        if is_key {
            w.key(s)
        } else {
            w.string(s)
        };
        Ok(())
    })
}

/// Write an integer value. Refused where a value is not allowed.
///
/// # Safety
/// `w` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_i64(
    w: *mut ultra_json_writer_t,
    v: i64,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_i64", w, Step::Value, |w| {
            w.i64(v);
        })
    }
}

/// Write an unsigned integer value. Refused where a value is not allowed.
///
/// # Safety
/// `w` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_u64(
    w: *mut ultra_json_writer_t,
    v: u64,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_u64", w, Step::Value, |w| {
            w.u64(v);
        })
    }
}

/// Write a double value (shortest round-trip form; non-finite → `null`).
/// Refused where a value is not allowed.
///
/// # Safety
/// `w` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_f64(
    w: *mut ultra_json_writer_t,
    v: f64,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_f64", w, Step::Value, |w| {
            w.f64(v);
        })
    }
}

/// Write `true` or `false`. Refused where a value is not allowed.
///
/// # Safety
/// `w` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_bool(
    w: *mut ultra_json_writer_t,
    v: bool,
) -> ultra_status {
    // SAFETY: forwarded contract.
    unsafe {
        write_step("ultra_json_writer_bool", w, Step::Value, |w| {
            w.bool(v);
        })
    }
}

/// Insert already-serialised JSON `json[0..len]` as one value (its text is
/// not checked; its place is: refused where a value is not allowed).
///
/// # Safety
/// `w` NULL or live; `json` readable for `len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_raw(
    w: *mut ultra_json_writer_t,
    json: *const u8,
    len: usize,
) -> ultra_status {
    guard("ultra_json_writer_raw", || {
        // SAFETY: checked; caller's contract.
        let (w, j) = unsafe { (&mut arg_mut(w, "writer")?.0, arg_slice(json, len, "json")?) };
        w.check(Step::Value).map_err(wrong)?;
        w.raw(j);
        Ok(())
    })
}

/// The text written so far: `*ptr`/`*len` valid until the next call on `w`.
///
/// # Safety
/// `w` NULL or live; `ptr`, `len` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ultra_json_writer_buffer(
    w: *const ultra_json_writer_t,
    ptr: *mut *const u8,
    len: *mut usize,
) -> ultra_status {
    guard("ultra_json_writer_buffer", || {
        // SAFETY: checked; caller's contract.
        let w = unsafe { arg_ref(w, "writer") }?;
        non_null(ptr, "ptr")?;
        non_null(len, "len")?;
        // SAFETY: both checked non-NULL; writable per contract.
        unsafe {
            ptr.write(w.0.as_bytes().as_ptr());
            len.write(w.0.as_bytes().len());
        }
        Ok(())
    })
}
