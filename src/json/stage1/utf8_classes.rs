//! The lookup tables of the SIMD UTF-8 check (Keiser & Lemire, *Validating
//! UTF-8 In Less Than One Instruction Per Byte*, Software: Practice and
//! Experience 51(5), 2021), shared by the AVX2 and SSE4.2 checkers.
//!
//! Every bad two-byte pattern (previous byte, this byte) sets at least one
//! error-class bit in all three of: the entry for the previous byte's high
//! nibble, for its low nibble, and for this byte's high nibble; the AND of
//! the three lookups is nonzero exactly at such patterns. The class
//! `TWO_CONTS` (two continuation bytes in a row) is legal when this byte is
//! the third or fourth of a sequence; the checkers XOR it away there.

// Error classes of Keiser & Lemire 2021, Table 7: one bit per kind of bad
// two-byte pattern (first byte = previous byte, second byte = this byte).
const TOO_SHORT: u8 = 1 << 0; // 11______ 0_______ or 11______ 11______
const TOO_LONG: u8 = 1 << 1; // 0_______ 10______
const OVERLONG_3: u8 = 1 << 2; // 11100000 100_____
const TOO_LARGE: u8 = 1 << 3; // 11110100 1001____ and above
const SURROGATE: u8 = 1 << 4; // 11101101 101_____
const OVERLONG_2: u8 = 1 << 5; // 1100000_ 10______
const TOO_LARGE_1000: u8 = 1 << 6; // 11110101+ 1000____
const OVERLONG_4: u8 = 1 << 6; // 11110000 1000____
const TWO_CONTS: u8 = 1 << 7; // 10______ 10______ (must be a 3rd/4th byte)
const CARRY: u8 = TOO_SHORT | TOO_LONG | TWO_CONTS;
const LARGE: u8 = CARRY | TOO_LARGE | TOO_LARGE_1000;

/// Classes possible given the high nibble of the previous byte.
pub(crate) const BYTE1_HIGH: [u8; 16] = [
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
    TWO_CONTS,
    TWO_CONTS,
    TWO_CONTS,
    TWO_CONTS,
    TOO_SHORT | OVERLONG_2,
    TOO_SHORT,
    TOO_SHORT | OVERLONG_3 | SURROGATE,
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4,
];
/// Classes possible given the low nibble of the previous byte.
pub(crate) const BYTE1_LOW: [u8; 16] = [
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
    CARRY | OVERLONG_2,
    CARRY,
    CARRY,
    CARRY | TOO_LARGE,
    LARGE,
    LARGE,
    LARGE,
    LARGE,
    LARGE,
    LARGE,
    LARGE,
    LARGE,
    LARGE | SURROGATE,
    LARGE,
    LARGE,
];
/// Classes possible given the high nibble of this byte.
pub(crate) const BYTE2_HIGH: [u8; 16] = [
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
    TOO_SHORT,
];
/// A chunk ends inside a sequence iff one of its last three bytes exceeds
/// the entry here (a lead byte needing more bytes than remain).
pub(crate) const INCOMPLETE_MAX: [u8; 32] = {
    let mut t = [0xFF; 32];
    t[29] = 0b1111_0000 - 1;
    t[30] = 0b1110_0000 - 1;
    t[31] = 0b1100_0000 - 1;
    t
};
