//! `ring::spsc`: smoke, wrap-around, batches, drops, a two-thread stress
//! test (every item exactly once, in order) and a property test against
//! `VecDeque`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use ultra::ring::spsc;

#[test]
fn capacity_rounds_up_and_zero_is_rejected() {
    let (p, c) = spsc::channel::<u8>(5).unwrap();
    assert_eq!((p.capacity(), c.capacity()), (8, 8));
    let (p, _c) = spsc::channel::<u8>(1).unwrap();
    assert_eq!(p.capacity(), 1);
    let err = spsc::channel::<u8>(0).unwrap_err();
    assert_eq!(err.kind(), ultra::ErrorKind::InvalidArgument);
    assert!(spsc::channel::<u64>(usize::MAX).is_err());
}

#[test]
fn full_gives_the_item_back_and_empty_is_none() {
    let (mut p, mut c) = spsc::channel::<String>(2).unwrap();
    assert_eq!(c.pop(), None);
    p.push("a".into()).unwrap();
    p.push("b".into()).unwrap();
    assert!(p.is_full());
    assert_eq!(p.push("c".into()), Err("c".to_string()));
    assert_eq!(c.pop().as_deref(), Some("a"));
    p.push("c".into()).unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c.pop().as_deref(), Some("b"));
    assert_eq!(c.pop().as_deref(), Some("c"));
    assert!(c.is_empty() && p.is_empty());
}

#[test]
fn slices_wrap_around() {
    let (mut p, mut c) = spsc::channel::<u32>(8).unwrap();
    let mut next_in = 0u32;
    let mut next_out = 0u32;
    for round in 0..50 {
        let chunk: Vec<u32> = (next_in..next_in + 1 + round % 7).collect();
        let n = p.push_slice(&chunk);
        next_in += n as u32;
        let mut out = [0u32; 5];
        let m = c.pop_slice(&mut out[..1 + round as usize % 5]);
        for v in &out[..m] {
            assert_eq!(*v, next_out);
            next_out += 1;
        }
    }
    let mut rest = Vec::new();
    c.pop_batch(usize::MAX, |v| rest.push(v));
    assert_eq!(rest, (next_out..next_in).collect::<Vec<_>>());
}

#[test]
fn push_iter_leaves_the_rest_in_the_iterator() {
    let (mut p, mut c) = spsc::channel::<u8>(4).unwrap();
    let mut it = 0..10u8;
    assert_eq!(p.push_iter(&mut it), 4);
    assert_eq!(it.next(), Some(4));
    assert_eq!(c.pop_batch(3, |_| {}), 3);
    assert_eq!(p.push_iter(&mut it), 3);
    let mut got = Vec::new();
    c.pop_batch(10, |v| got.push(v));
    assert_eq!(got, [3, 5, 6, 7]);
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn queued_items_are_dropped_once_when_both_halves_are_gone() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (mut p, mut c) = spsc::channel(4).unwrap();
    for _ in 0..6 {
        // Wrap the positions around before the final fill.
        p.push(Counted(drops.clone())).ok().unwrap();
        drop(c.pop());
    }
    assert_eq!(drops.load(Ordering::Relaxed), 6);
    for _ in 0..3 {
        p.push(Counted(drops.clone())).ok().unwrap();
    }
    drop(p);
    assert_eq!(drops.load(Ordering::Relaxed), 6);
    drop(c.pop());
    assert_eq!(drops.load(Ordering::Relaxed), 7);
    drop(c);
    assert_eq!(drops.load(Ordering::Relaxed), 9);
}

#[test]
fn panicking_batch_callback_does_not_double_drop() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (mut p, mut c) = spsc::channel(8).unwrap();
    for _ in 0..5 {
        p.push(Counted(drops.clone())).ok().unwrap();
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut seen = 0;
        c.pop_batch(5, |item| {
            seen += 1;
            drop(item);
            if seen == 2 {
                panic!("callback");
            }
        });
    }));
    assert!(r.is_err());
    drop(p);
    assert_eq!(drops.load(Ordering::Relaxed), 5);
}

fn stress_count() -> u64 {
    if cfg!(miri) {
        1_000
    } else if cfg!(debug_assertions) {
        100_000
    } else {
        2_000_000
    }
}

#[test]
fn two_threads_deliver_every_item_once_in_order() {
    let n = stress_count();
    for cap in [1, 4, 1024] {
        let (mut p, mut c) = spsc::channel::<u64>(cap).unwrap();
        let producer = std::thread::spawn(move || {
            let mut i = 0;
            while i < n {
                if i % 3 == 0 {
                    let batch: Vec<u64> = (i..(i + 5).min(n)).collect();
                    i += p.push_slice(&batch) as u64;
                } else if p.push(i).is_ok() {
                    i += 1;
                }
            }
        });
        let mut expect = 0u64;
        let mut buf = [0u64; 7];
        while expect < n {
            let k = c.pop_slice(&mut buf);
            for v in &buf[..k] {
                assert_eq!(*v, expect);
                expect += 1;
            }
            if let Some(v) = c.pop() {
                assert_eq!(v, expect);
                expect += 1;
            }
        }
        producer.join().unwrap();
        assert!(c.pop().is_none());
    }
}

#[derive(Debug, Clone)]
enum Op {
    Push(u16),
    Pop,
    PushSlice(Vec<u16>),
    PopSlice(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u16>().prop_map(Op::Push),
        Just(Op::Pop),
        proptest::collection::vec(any::<u16>(), 0..12).prop_map(Op::PushSlice),
        (0usize..12).prop_map(Op::PopSlice),
    ]
}

proptest! {
    #[test]
    fn behaves_like_a_bounded_vecdeque(cap in 1usize..20, ops in proptest::collection::vec(op(), 0..200)) {
        let (mut p, mut c) = spsc::channel::<u16>(cap).unwrap();
        let cap = p.capacity();
        let mut model = VecDeque::new();
        for op in ops {
            match op {
                Op::Push(v) => {
                    let r = p.push(v);
                    if model.len() < cap { prop_assert!(r.is_ok()); model.push_back(v); }
                    else { prop_assert_eq!(r, Err(v)); }
                }
                Op::Pop => prop_assert_eq!(c.pop(), model.pop_front()),
                Op::PushSlice(vs) => {
                    let n = p.push_slice(&vs);
                    prop_assert_eq!(n, vs.len().min(cap - model.len()));
                    model.extend(&vs[..n]);
                }
                Op::PopSlice(k) => {
                    let mut out = vec![0; k];
                    let n = c.pop_slice(&mut out);
                    let want: Vec<u16> = model.drain(..k.min(model.len())).collect();
                    prop_assert_eq!(&out[..n], &want[..]);
                }
            }
            prop_assert_eq!(c.len(), model.len());
            prop_assert_eq!(p.len(), model.len());
        }
    }
}
