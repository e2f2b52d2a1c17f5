//! Float parsing is bit-exact against core's `str::parse::<f64>` (correctly
//! rounded): random decimals, halfway cases, long significands and every
//! number in canada.json. Integers keep their exact types.

use ultra::json::{Kind, Parser, Raw, Value};

/// SplitMix64: a small, seedable generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Parse `text` as a whole document, inside an array (where the 8-byte
/// digit loads see the bytes after the number) and as a lazy [`Raw`] value;
/// all must give `str::parse`'s bits, or all reject a value that overflows.
fn check(p: &mut Parser, text: &str) {
    let want: f64 = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
    let lazy = Raw(text.as_bytes()).as_f64();
    match p.parse(text.as_bytes()) {
        Ok(d) => {
            let got = d.root().as_f64().unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{text}: {got:e} != {want:e}");
            assert_eq!(lazy.map(f64::to_bits), Some(want.to_bits()), "lazy {text}");
        }
        Err(e) => {
            assert!(want.is_infinite(), "{text} rejected ({e}) but is {want:e}");
            assert_eq!(lazy, None, "lazy {text}");
        }
    }
    let wrapped = format!("[{text},1.5e3,\"12345678901234567890\"]");
    match p.parse(wrapped.as_bytes()) {
        Ok(d) => {
            let got = d.root().at(0).unwrap().as_f64().unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{wrapped}");
            assert_eq!(d.root().at(1).unwrap().as_f64(), Some(1500.0));
        }
        Err(_) => assert!(want.is_infinite(), "{wrapped} rejected"),
    }
}

/// A random JSON number: 1–25 digits, a random decimal point position,
/// often an exponent in -400..400, sometimes a sign.
fn random_number(r: &mut Rng) -> String {
    let len = 1 + r.below(25) as usize;
    let mut digits: String = (0..len)
        .map(|_| char::from(b'0' + r.below(10) as u8))
        .collect();
    if r.below(4) == 0 {
        // Runs of 9s and 0s make carries and exact values likely.
        let c = if r.below(2) == 0 { '9' } else { '0' };
        let k = r.below(len as u64) as usize;
        digits.replace_range(k.., &c.to_string().repeat(len - k));
    }
    let point = r.below(len as u64 + 1) as usize;
    let int = digits[..point].trim_start_matches('0');
    let frac = &digits[point..];
    let mut s = String::new();
    if r.below(2) == 0 {
        s.push('-');
    }
    s.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        s.push('.');
        s.push_str(frac);
    }
    if r.below(4) != 0 {
        let e = r.below(801) as i64 - 400;
        let mark = ["e", "E", "e+", "E-"][r.below(4) as usize];
        match mark {
            "e+" if e >= 0 => s.push_str(&format!("e+{e}")),
            "E-" if e < 0 => s.push_str(&format!("E{e}")),
            _ => s.push_str(&format!("{}{e}", &mark[..1])),
        }
    }
    s
}

#[test]
fn random_decimals_match_core() {
    let n = if cfg!(debug_assertions) {
        200_000
    } else {
        2_000_000
    };
    let mut r = Rng(0x5EED_F10A7);
    let mut p = Parser::new();
    for _ in 0..n {
        check(&mut p, &random_number(&mut r));
    }
}

#[test]
fn random_round_trips_match_core() {
    // Shortest and 17-digit forms of random finite doubles, and their
    // neighbours one unit in the last printed digit away.
    let mut r = Rng(42);
    let mut p = Parser::new();
    for _ in 0..50_000 {
        let x = f64::from_bits(r.next() & !(1 << 63));
        if !x.is_finite() {
            continue;
        }
        for s in [
            format!("{x:e}"),
            format!("{x:.16e}"),
            format!("{x:.18e}"),
            format!("{x:.19e}"),
        ] {
            check(&mut p, &s);
            let (m, e) = s.split_once('e').unwrap();
            let last = m.as_bytes()[m.len() - 1];
            for d in [last.wrapping_sub(1), last + 1] {
                if d.is_ascii_digit() {
                    let t = format!("{}{}e{e}", &m[..m.len() - 1], d as char);
                    check(&mut p, &t);
                }
            }
        }
    }
}

#[test]
fn adversarial_cases_match_core() {
    let mut p = Parser::new();
    let fixed = [
        "9007199254740993",
        "9007199254740993.0",
        "9007199254740993e0",
        "90071992547409930e-1",
        "9007199254740993000e-3",
        "9007199254740995",
        "9007199254740992.5",
        "18014398509481987",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "2.2250738585072014e-308",
        "2.225073858507201136057409796709131975934819546351645648e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.47032822920623272088284396434110686182529901307162382212792841250337753635104375932649918180817996189898282347722858865463328355177969898199387398005390939063150356595155702263922908583924491051844359318028499365361525003193704576782492193656236698636584807570015857692699037063119282795585513329278343384093519780155312465972635795746227664652728272200563740064854999770965994704540208281662262378573934507363390079677619305775067401763246736009689513405355374585166611342237666786041621596804619144672918403005300575308490487653917113865916462395249126236538818796362393732804238910186723484976682350898633885879256283027559956575244555072551893136908362547791869486679949683240497058210285131854513962138377228261454376934125320985913276672363281255e-324",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "8.988465674311579e307",
        "8.98846567431158e307",
        "1e23",
        "1e22",
        "1e-22",
        "1e-23",
        "123456789012345678901234567890e-10",
        "123456789012345678901234567890",
        "0.1",
        "0.2",
        "0.3",
        "0.4",
        "0.5",
        "0.6",
        "0.7",
        "0.8",
        "0.9",
        "0.30000000000000004",
        "0.000000000000000000000000000000000000000000001",
        "1e-342",
        "1e-343",
        "9.999999999999999e-344",
        "1e-400",
        "0",
        "0.0",
        "0e999999999",
        "0.0e-999999999",
        "1e308",
        "1.0e308",
        "0.1e309",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "7.2057594037927933e16",
        "18446744073709551615e-10",
        "18446744073709551616e-10",
        "10000000000000000000e-19",
        "9999999999999999999e-19",
        "1.8446744073709551615",
        "3.0517578125e-5",
        "1.4e-45",
        "4.4501477170144023e-308",
        "4.4501477170144022e-308",
        "45035996.273704985",
        "1152921504606846976.5",
    ];
    for s in fixed {
        check(&mut p, s);
        check(&mut p, &format!("-{s}"));
    }
    // Long strings of 9s and of significant zeros, with and without a point.
    for n in 1..60 {
        let nines = "9".repeat(n);
        check(&mut p, &nines);
        check(&mut p, &format!("0.{nines}"));
        check(&mut p, &format!("{nines}e-{n}"));
        check(&mut p, &format!("1.{}1", "0".repeat(n)));
        check(&mut p, &format!("1{}e-{n}", "0".repeat(n)));
    }
    for s in [
        "1.7976931348623159e308",
        "1e309",
        "-1e309",
        "2e308",
        "1e999999999",
    ] {
        assert!(p.parse(s.as_bytes()).is_err(), "{s} overflows");
    }
}

#[test]
fn exact_halfway_integers_round_to_even() {
    // (2^53 + odd) * 2^j lies exactly between two doubles; with j <= 10 it
    // has at most 19 digits (the Eisel–Lemire tie path), above that more.
    let mut p = Parser::new();
    let mut r = Rng(7);
    for _ in 0..2_000 {
        let odd = 2 * r.below(1 << 40) + 1;
        for j in [0u32, 1, 5, 10, 11, 20, 40, 70] {
            let mid = ((1u128 << 53) + odd as u128) << j;
            check(&mut p, &mid.to_string());
            check(&mut p, &format!("{mid}.0"));
            if let Some(m) = mid.checked_mul(100) {
                for t in [m - 1, m, m + 1] {
                    check(&mut p, &format!("{t}e-2"));
                }
            }
        }
        // Ties with negative exponents: w = (2^53 + odd) * 5^k, q = -k.
        for k in 1..=4u32 {
            let w = ((1u64 << 53) + (odd & 0xFFFF)) * 5u64.pow(k);
            check(&mut p, &format!("{w}e-{k}"));
        }
    }
}

/// The exact decimal of a double in fixed notation with `FRAC` digits.
const FRAC: usize = 1100;

/// `(a + b) / 2` of two non-negative fixed-point decimal strings with the
/// same number of fraction digits, one more fraction digit in the result.
fn midpoint(a: &str, b: &str) -> String {
    let (ai, af) = a.split_once('.').unwrap();
    let (bi, bf) = b.split_once('.').unwrap();
    let w = ai.len().max(bi.len());
    let da: Vec<u8> = format!("{ai:0>w$}{af}0")
        .bytes()
        .map(|c| c - b'0')
        .collect();
    let db: Vec<u8> = format!("{bi:0>w$}{bf}0")
        .bytes()
        .map(|c| c - b'0')
        .collect();
    let mut sum = vec![0u8; da.len() + 1];
    let mut carry = 0;
    for k in (0..da.len()).rev() {
        let s = da[k] + db[k] + carry;
        sum[k + 1] = s % 10;
        carry = s / 10;
    }
    sum[0] = carry;
    let mut rem = 0;
    let half: Vec<u8> = sum
        .iter()
        .map(|&d| {
            let v = rem * 10 + d;
            rem = v % 2;
            v / 2
        })
        .collect();
    assert_eq!(rem, 0);
    let digits: String = half.iter().map(|&d| char::from(b'0' + d)).collect();
    let (int, frac) = digits.split_at(w + 1);
    let int = int.trim_start_matches('0');
    format!("{}.{frac}", if int.is_empty() { "0" } else { int })
}

/// A decimal a little below the positive decimal `s` (whose last digit is
/// not zero when it has a fraction): decrement the last non-zero digit,
/// turn the zeros after it into 9s and append more 9s.
fn just_below(s: &str) -> String {
    let mut b = s.as_bytes().to_vec();
    let k = b
        .iter()
        .rposition(|&c| c.is_ascii_digit() && c != b'0')
        .unwrap();
    b[k] -= 1;
    for c in &mut b[k + 1..] {
        if *c == b'0' {
            *c = b'9';
        }
    }
    let mut out = String::from_utf8(b).unwrap();
    out.push_str(if out.contains('.') { "9999" } else { ".9999" });
    let trimmed = out.trim_start_matches('0');
    if trimmed.starts_with('.') || trimmed.is_empty() {
        format!("0{trimmed}")
    } else {
        trimmed.to_string()
    }
}

#[test]
fn exact_midpoints_between_doubles() {
    // Hundreds of significant digits: the truncated-significand check of the
    // long path, then core's big-decimal fallback.
    let mut r = Rng(99);
    let mut p = Parser::new();
    let count = if cfg!(debug_assertions) { 300 } else { 3_000 };
    for k in 0..count {
        let bits = match k {
            0 => 0,
            1 => f64::MAX.to_bits() - 1,
            2 => f64::MIN_POSITIVE.to_bits() - 1,
            _ => r.next() >> 1,
        };
        let (x, y) = (f64::from_bits(bits), f64::from_bits(bits + 1));
        if !y.is_finite() {
            continue;
        }
        let mid = midpoint(&format!("{x:.FRAC$}"), &format!("{y:.FRAC$}"));
        let (int, frac) = mid.split_once('.').unwrap();
        let frac = frac.trim_end_matches('0');
        let mid = if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        };
        check(&mut p, &mid);
        let above = if frac.is_empty() {
            format!("{mid}.000001")
        } else {
            format!("{mid}000001")
        };
        check(&mut p, &above);
        check(&mut p, &just_below(&mid));
    }
}

#[test]
fn integers_keep_exact_types() {
    let mut p = Parser::new();
    for (s, kind) in [
        ("0", Kind::I64),
        ("12345678", Kind::I64),
        ("1234567890123456789", Kind::I64),
        ("9223372036854775807", Kind::I64),
        ("-9223372036854775808", Kind::I64),
        ("9223372036854775808", Kind::U64),
        ("18446744073709551615", Kind::U64),
        ("10000000000000000000", Kind::U64),
        ("18446744073709551616", Kind::F64),
        ("-9223372036854775809", Kind::F64),
        ("99999999999999999999999", Kind::F64),
    ] {
        let d = p.parse(s.as_bytes()).unwrap();
        assert_eq!(d.root().kind(), kind, "{s}");
        let want: f64 = s.parse().unwrap();
        assert_eq!(
            d.root().as_f64().map(f64::to_bits),
            Some(want.to_bits()),
            "{s}"
        );
        if kind != Kind::F64 {
            assert_eq!(d.root().as_f64(), Some(want));
            let exact: i128 = s.parse().unwrap();
            let got = match kind {
                Kind::I64 => d.root().as_i64().unwrap() as i128,
                _ => d.root().as_u64().unwrap() as i128,
            };
            assert_eq!(got, exact, "{s}");
        }
    }
}

#[test]
fn malformed_numbers_are_rejected_at_their_offset() {
    let mut p = Parser::new();
    for (s, at) in [
        ("-", 1),
        ("-a", 1),
        ("1.", 2),
        ("1.e5", 2),
        ("12345678.", 9),
        ("1e", 2),
        ("1e+", 3),
        ("123456789012.123456789e-", 24),
        ("1.5e+x", 5),
    ] {
        let e = p.parse(s.as_bytes()).unwrap_err();
        assert_eq!(e.offset, at, "{s}: {e}");
    }
    for s in ["01", "1.2.3", "1e5e5", "- 1", "+1", ".5", "1.5x"] {
        assert!(p.parse(s.as_bytes()).is_err(), "{s}");
    }
}

/// Every number of canada.json, in document order, as text.
fn number_tokens(bytes: &[u8]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'-' || c.is_ascii_digit() {
            let s = i;
            while i < bytes.len()
                && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
            {
                i += 1;
            }
            out.push(std::str::from_utf8(&bytes[s..i]).unwrap());
            continue;
        }
        i += 1;
    }
    out
}

fn collect_numbers(v: Value<'_>, out: &mut Vec<f64>) {
    match v.kind() {
        Kind::Array => v.array_iter().for_each(|x| collect_numbers(x, out)),
        Kind::Object => v.object_iter().for_each(|(_, x)| collect_numbers(x, out)),
        Kind::I64 | Kind::U64 | Kind::F64 => out.push(v.as_f64().unwrap()),
        _ => {}
    }
}

#[test]
fn canada_numbers_are_bit_exact() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/json/canada.json");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("SKIP: {} not found", path.display());
        return;
    };
    let tokens = number_tokens(&bytes);
    assert!(tokens.len() > 100_000);
    let mut p = Parser::new();
    let doc = p.parse(&bytes).unwrap();
    let mut got = Vec::new();
    collect_numbers(doc.root(), &mut got);
    assert_eq!(got.len(), tokens.len());
    for (t, g) in tokens.iter().zip(&got) {
        let want: f64 = t.parse().unwrap();
        assert_eq!(g.to_bits(), want.to_bits(), "{t}");
        assert_eq!(
            Raw(t.as_bytes()).as_f64().map(f64::to_bits),
            Some(want.to_bits()),
            "{t}"
        );
    }
}
