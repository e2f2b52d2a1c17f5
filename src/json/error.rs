//! [`JsonError`]: what went wrong and at which byte.

use std::fmt;

/// What kind of JSON error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The input holds no value (empty or only whitespace).
    Empty,
    /// A byte that cannot start or continue the grammar here.
    UnexpectedChar,
    /// The input ends inside a value.
    UnexpectedEnd,
    /// A string was opened and never closed.
    UnclosedString,
    /// A raw control character (U+0000..U+001F) inside a string.
    ControlInString,
    /// A backslash escape that JSON does not define, or a bad `\u` escape.
    InvalidEscape,
    /// A `\u` escape naming a lone UTF-16 surrogate.
    InvalidSurrogate,
    /// The input is not valid UTF-8.
    InvalidUtf8,
    /// A malformed number (leading zero, missing digits, ...).
    InvalidNumber,
    /// `true`, `false` or `null` misspelled.
    InvalidLiteral,
    /// More than one top-level value.
    TrailingContent,
    /// Nesting deeper than the configured depth limit.
    DepthLimit,
    /// Input larger than the configured document size limit.
    SizeLimit,
    /// The operation needs a top-level object ([`project`](super::project)).
    NotAnObject,
}

impl JsonErrorKind {
    /// A short static description.
    pub const fn message(self) -> &'static str {
        match self {
            JsonErrorKind::Empty => "no JSON value in input",
            JsonErrorKind::UnexpectedChar => "unexpected character",
            JsonErrorKind::UnexpectedEnd => "unexpected end of input",
            JsonErrorKind::UnclosedString => "unclosed string",
            JsonErrorKind::ControlInString => "unescaped control character in string",
            JsonErrorKind::InvalidEscape => "invalid escape sequence",
            JsonErrorKind::InvalidSurrogate => "lone UTF-16 surrogate in \\u escape",
            JsonErrorKind::InvalidUtf8 => "invalid UTF-8",
            JsonErrorKind::InvalidNumber => "invalid number",
            JsonErrorKind::InvalidLiteral => "invalid literal (expected true, false or null)",
            JsonErrorKind::TrailingContent => "trailing content after the JSON value",
            JsonErrorKind::DepthLimit => "nesting depth limit exceeded",
            JsonErrorKind::SizeLimit => "document size limit exceeded",
            JsonErrorKind::NotAnObject => "top-level value is not an object",
        }
    }
}

/// A JSON error: its [`kind`](JsonErrorKind) and the byte offset in the input
/// where it was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsonError {
    /// What went wrong.
    pub kind: JsonErrorKind,
    /// Byte offset in the input (`0 ..= input.len()`).
    pub offset: usize,
}

impl JsonError {
    /// Make an error.
    pub const fn new(kind: JsonErrorKind, offset: usize) -> Self {
        JsonError { kind, offset }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.message(), self.offset)
    }
}

impl std::error::Error for JsonError {}

impl From<JsonError> for crate::Error {
    fn from(e: JsonError) -> Self {
        crate::Error::parse(e.offset, e.kind.message())
    }
}
