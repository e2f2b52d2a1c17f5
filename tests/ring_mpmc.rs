//! `ring::mpmc::Queue`: smoke, batches, drops, a multi-producer /
//! multi-consumer stress test (every item exactly once, in order per
//! producer) and a property test against `VecDeque`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use ultra::ring::mpmc::Queue;

#[test]
fn capacity_is_a_power_of_two_at_least_two() {
    assert_eq!(Queue::<u8>::new(1).unwrap().capacity(), 2);
    assert_eq!(Queue::<u8>::new(3).unwrap().capacity(), 4);
    assert_eq!(
        Queue::<u8>::new(0).unwrap_err().kind(),
        ultra::ErrorKind::InvalidArgument
    );
    assert!(Queue::<u64>::new(usize::MAX / 2).is_err());
}

#[test]
fn full_empty_and_wrap_around() {
    let q = Queue::<u32>::new(4).unwrap();
    assert_eq!(q.pop(), None);
    for lap in 0..5u32 {
        for i in 0..4 {
            q.push(lap * 10 + i).unwrap();
        }
        assert!(q.is_full());
        assert_eq!(q.push(99), Err(99));
        assert_eq!(q.len(), 4);
        for i in 0..4 {
            assert_eq!(q.pop(), Some(lap * 10 + i));
        }
        assert!(q.is_empty());
    }
}

#[test]
fn batches_claim_what_is_there() {
    let q = Queue::<u8>::new(4).unwrap();
    assert_eq!(q.push_slice(&[1, 2, 3]), 3);
    assert_eq!(q.push_slice(&[4, 5, 6]), 1);
    assert_eq!(q.push_slice(&[7]), 0);
    let mut out = [0u8; 3];
    assert_eq!(q.pop_slice(&mut out), 3);
    assert_eq!(out, [1, 2, 3]);
    assert_eq!(q.push_slice(&[5, 6, 7]), 3);
    let mut got = Vec::new();
    assert_eq!(q.pop_batch(10, |v| got.push(v)), 4);
    assert_eq!(got, [4, 5, 6, 7]);
    assert_eq!(q.pop_batch(10, |_| {}), 0);
    assert_eq!(q.pop_slice(&mut []), 0);
}

struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn queued_items_are_dropped_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let q = Queue::new(4).unwrap();
    for _ in 0..6 {
        q.push(Counted(drops.clone())).ok().unwrap();
        drop(q.pop());
    }
    for _ in 0..3 {
        q.push(Counted(drops.clone())).ok().unwrap();
    }
    assert_eq!(drops.load(Ordering::Relaxed), 6);
    drop(q);
    assert_eq!(drops.load(Ordering::Relaxed), 9);
}

#[test]
fn panicking_batch_callback_leaves_the_queue_usable() {
    let drops = Arc::new(AtomicUsize::new(0));
    let q = Queue::new(4).unwrap();
    for _ in 0..4 {
        q.push(Counted(drops.clone())).ok().unwrap();
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        q.pop_batch(4, |_| panic!("callback"));
    }));
    assert!(r.is_err());
    assert_eq!(drops.load(Ordering::Relaxed), 4);
    assert!(q.is_empty());
    q.push(Counted(drops.clone())).ok().unwrap();
    assert!(q.pop().is_some());
    assert_eq!(drops.load(Ordering::Relaxed), 5);
}

fn per_producer() -> u64 {
    if cfg!(miri) {
        500
    } else if cfg!(debug_assertions) {
        5_000
    } else {
        500_000
    }
}

#[test]
fn many_threads_deliver_every_item_once_in_order_per_producer() {
    const PRODUCERS: u64 = 3;
    const CONSUMERS: usize = 3;
    let n = per_producer();
    for cap in [2, 64] {
        let q = Arc::new(Queue::<u64>::new(cap).unwrap());
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|id| {
                let q = q.clone();
                std::thread::spawn(move || {
                    let mut i = 0;
                    while i < n {
                        let v = id << 32 | i;
                        if i % 4 == 0 {
                            let batch: Vec<u64> =
                                (i..(i + 3).min(n)).map(|k| id << 32 | k).collect();
                            i += q.push_slice(&batch) as u64;
                        } else if q.push(v).is_ok() {
                            i += 1;
                        } else {
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let taken = Arc::new(AtomicUsize::new(0));
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|k| {
                let q = q.clone();
                let taken = taken.clone();
                std::thread::spawn(move || {
                    let mut last = vec![None::<u64>; PRODUCERS as usize];
                    let mut seen = vec![0u64; PRODUCERS as usize];
                    let mut check = |v: u64| {
                        let (id, i) = ((v >> 32) as usize, v & 0xffff_ffff);
                        assert!(
                            last[id].is_none_or(|l| l < i),
                            "out of order from producer {id}"
                        );
                        last[id] = Some(i);
                        seen[id] += 1;
                    };
                    let mut buf = [0u64; 5];
                    while taken.load(Ordering::Relaxed) < (PRODUCERS * n) as usize {
                        let got = if k == 0 {
                            let m = q.pop_slice(&mut buf);
                            buf[..m].iter().for_each(|v| check(*v));
                            m
                        } else if k == 1 {
                            q.pop_batch(4, &mut check)
                        } else {
                            q.pop().map(&mut check).map_or(0, |_| 1)
                        };
                        if got == 0 {
                            std::thread::yield_now();
                        }
                        taken.fetch_add(got, Ordering::Relaxed);
                    }
                    seen
                })
            })
            .collect();
        producers.into_iter().for_each(|t| t.join().unwrap());
        let mut total = vec![0u64; PRODUCERS as usize];
        for c in consumers {
            for (t, s) in total.iter_mut().zip(c.join().unwrap()) {
                *t += s;
            }
        }
        assert_eq!(total, vec![n; PRODUCERS as usize]);
        assert!(q.is_empty());
    }
}

#[derive(Debug, Clone)]
enum Op {
    Push(u16),
    Pop,
    PushSlice(Vec<u16>),
    PopBatch(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u16>().prop_map(Op::Push),
        Just(Op::Pop),
        proptest::collection::vec(any::<u16>(), 0..12).prop_map(Op::PushSlice),
        (0usize..12).prop_map(Op::PopBatch),
    ]
}

proptest! {
    #[test]
    fn behaves_like_a_bounded_vecdeque(cap in 1usize..20, ops in proptest::collection::vec(op(), 0..200)) {
        let q = Queue::<u16>::new(cap).unwrap();
        let cap = q.capacity();
        let mut model = VecDeque::new();
        for op in ops {
            match op {
                Op::Push(v) => {
                    let r = q.push(v);
                    if model.len() < cap { prop_assert!(r.is_ok()); model.push_back(v); }
                    else { prop_assert_eq!(r, Err(v)); }
                }
                Op::Pop => prop_assert_eq!(q.pop(), model.pop_front()),
                Op::PushSlice(vs) => {
                    let n = q.push_slice(&vs);
                    prop_assert_eq!(n, vs.len().min(cap - model.len()));
                    model.extend(&vs[..n]);
                }
                Op::PopBatch(k) => {
                    let mut got = Vec::new();
                    q.pop_batch(k, |v| got.push(v));
                    let want: Vec<u16> = model.drain(..k.min(model.len())).collect();
                    prop_assert_eq!(got, want);
                }
            }
            prop_assert_eq!(q.len(), model.len());
            prop_assert_eq!(q.is_full(), model.len() == cap);
        }
    }
}
