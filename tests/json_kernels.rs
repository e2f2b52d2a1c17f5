//! Every stage-1 kernel the CPU supports against the portable one, on random
//! and adversarial inputs (backslash runs, quotes and multi-byte UTF-8
//! straddling the 64-byte block edges).

use proptest::prelude::*;
use ultra::json::{Kernel, testing::run_kernel};

fn supported() -> Vec<Kernel> {
    let v: Vec<Kernel> = Kernel::ALL
        .into_iter()
        .filter(|k| k.is_supported())
        .collect();
    eprintln!(
        "kernels under test: {:?}",
        v.iter().map(|k| k.name()).collect::<Vec<_>>()
    );
    v
}

fn agree(input: &[u8]) {
    let oracle = run_kernel(Kernel::Scalar, input).unwrap();
    for k in supported() {
        let got = run_kernel(k, input).unwrap();
        assert_eq!(
            got,
            oracle,
            "kernel {} differs on {:?}",
            k.name(),
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn widest_kernel_is_active() {
    assert!(ultra::json::active_kernel().is_supported());
    assert_eq!(ultra::json::active_kernel(), ultra::json::testing::best());
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("pclmulqdq") {
        assert!(matches!(
            ultra::json::active_kernel(),
            Kernel::Avx2 | Kernel::Avx512
        ));
    }
}

#[test]
fn adversarial_block_edges() {
    for edge in [62usize, 63, 64, 65, 127, 128] {
        for run in 0..6 {
            // A backslash run ending at the block edge, then a quote.
            let mut s = vec![b' '; edge.saturating_sub(run + 1)];
            s.insert(0, b'"');
            s.extend(std::iter::repeat_n(b'\\', run));
            s.extend_from_slice(b"\"x\", [1,2] {\"a\":true}");
            agree(&s);
            // A multi-byte char straddling the edge.
            let mut u = vec![b'a'; edge.saturating_sub(run % 4)];
            u.insert(0, b'"');
            u.extend_from_slice("é€😀\"".as_bytes());
            u.extend_from_slice(b" : 12 ,\x01\"\x1f\"");
            agree(&u);
        }
    }
    agree(b"");
    agree(&[b'\\'; 200]);
    agree(&[b'"'; 200]);
    agree(&[0xffu8; 130]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 300 } else { 3000 }))]

    #[test]
    fn random_bytes_from_json_alphabet(picks in prop::collection::vec(any::<u8>(), 0..400)) {
        const ALPHABET: &[u8] = b"{}[],:\"\\\\\\  \t\n\r0123456789-.eEtrufalsn\x00\x01\x1f\x7f\x80\xc3\xa9\xe2\x82\xac\xff";
        let s: Vec<u8> = picks.iter().map(|&b| ALPHABET[b as usize % ALPHABET.len()]).collect();
        agree(&s);
    }

    #[test]
    fn random_bytes(s in prop::collection::vec(any::<u8>(), 0..300)) {
        agree(&s);
    }
}
