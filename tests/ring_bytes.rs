//! Byte-record rings (`bytes_spsc`, `bytes_mpmc`): wrap-around of headers
//! and payloads, oversized records, short output buffers, a threaded stress
//! test with checksums, and a property test against `VecDeque<Vec<u8>>`.

use std::collections::VecDeque;
use std::sync::Arc;

use proptest::prelude::*;
use ultra::Error;
use ultra::ring::bytes_mpmc::RecordQueue;
use ultra::ring::bytes_spsc::{self, RecordRing};

fn record(seq: u64) -> Vec<u8> {
    let len = (seq.wrapping_mul(2654435761) % 23) as usize;
    (0..len)
        .map(|k| (seq as u8).wrapping_add(k as u8))
        .collect()
}

#[test]
fn spsc_capacity_and_limits() {
    let (mut p, c) = bytes_spsc::channel(10).unwrap();
    assert_eq!((p.capacity(), c.capacity(), p.max_record()), (16, 16, 12));
    assert_eq!(bytes_spsc::channel(1).unwrap().0.capacity(), 8);
    assert!(matches!(
        bytes_spsc::channel(0),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        bytes_spsc::channel(usize::MAX),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(p.push(&[0; 13]), Err(Error::InvalidArgument(_))));
    p.push(&[7; 12]).unwrap();
    assert_eq!(p.push(&[]), Err(Error::Full));
    assert_eq!(p.len(), 1);
}

#[test]
fn spsc_records_wrap_around_in_two_pieces() {
    let (mut p, mut c) = bytes_spsc::channel(32).unwrap();
    let mut pushed = 0u64;
    let mut popped = 0u64;
    for _ in 0..500 {
        while p.push(&record(pushed)).is_ok() {
            pushed += 1;
        }
        // Take one or two so the next pushes start at shifting offsets.
        for _ in 0..1 + popped % 2 {
            if let Ok(r) = c.pop_vec() {
                assert_eq!(r, record(popped));
                popped += 1;
            }
        }
    }
    while let Ok(r) = c.pop_vec() {
        assert_eq!(r, record(popped));
        popped += 1;
    }
    assert_eq!(popped, pushed);
    assert!(pushed > 500);
}

#[test]
fn spsc_short_buffer_keeps_the_record() {
    let ring = RecordRing::new(64).unwrap();
    ring.push(b"abcdef").unwrap();
    ring.push(b"").unwrap();
    let mut buf = [0u8; 3];
    assert_eq!(ring.pop(&mut buf), Err(Error::BufferTooSmall { needed: 6 }));
    assert_eq!(ring.len(), 2);
    assert_eq!(ring.peek_len(), Ok(6));
    let mut buf = [0u8; 6];
    assert_eq!(ring.pop(&mut buf), Ok(6));
    assert_eq!(&buf, b"abcdef");
    assert_eq!(ring.pop(&mut []), Ok(0));
    assert_eq!(ring.pop(&mut buf), Err(Error::Empty));
    assert_eq!(ring.peek_len(), Err(Error::Empty));
    assert!(ring.is_empty());
    assert_eq!(ring.used_bytes(), 0);
}

#[test]
fn mpmc_limits_and_short_buffer() {
    let q = RecordQueue::new(3, 8).unwrap();
    assert_eq!((q.capacity(), q.slot_size()), (4, 8));
    assert!(matches!(
        RecordQueue::new(0, 8),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        RecordQueue::new(8, 0),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        RecordQueue::new(usize::MAX / 4, 8),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(q.push(&[1; 9]), Err(Error::InvalidArgument(_))));
    for i in 0..4u8 {
        q.push(&[i; 5]).unwrap();
    }
    assert_eq!(q.push(b"x"), Err(Error::Full));
    let mut small = [0u8; 4];
    assert_eq!(q.pop(&mut small), Err(Error::BufferTooSmall { needed: 5 }));
    assert_eq!(q.len(), 4);
    for i in 0..4u8 {
        assert_eq!(q.pop_vec().unwrap(), vec![i; 5]);
    }
    assert_eq!(q.pop_vec(), Err(Error::Empty));
}

fn count() -> u64 {
    if cfg!(debug_assertions) {
        20_000
    } else {
        500_000
    }
}

#[test]
fn spsc_threads_deliver_every_record_intact() {
    let n = count();
    let (mut p, mut c) = bytes_spsc::channel(256).unwrap();
    let t = std::thread::spawn(move || {
        let mut i = 0;
        while i < n {
            if p.push(&record(i)).is_ok() {
                i += 1;
            }
        }
    });
    let mut buf = [0u8; 64];
    let mut i = 0;
    while i < n {
        if let Ok(len) = c.pop(&mut buf) {
            assert_eq!(&buf[..len], &record(i)[..]);
            i += 1;
        }
    }
    t.join().unwrap();
}

#[test]
fn mpmc_threads_deliver_every_record_once() {
    let n = count() / 4;
    let q = Arc::new(RecordQueue::new(16, 32).unwrap());
    let producers: Vec<_> = (0..2u64)
        .map(|id| {
            let q = q.clone();
            std::thread::spawn(move || {
                let mut i = 0;
                while i < n {
                    let mut r = (id * n + i).to_le_bytes().to_vec();
                    r.extend(record(i));
                    if q.push(&r).is_ok() {
                        i += 1;
                    } else {
                        std::thread::yield_now();
                    }
                }
            })
        })
        .collect();
    let taken = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let q = q.clone();
            let taken = taken.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                let mut last = [None::<u64>; 2];
                while taken.load(std::sync::atomic::Ordering::Relaxed) < 2 * n {
                    match q.pop_vec() {
                        Ok(r) => {
                            taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let v = u64::from_le_bytes(r[..8].try_into().unwrap());
                            let (id, i) = ((v / n) as usize, v % n);
                            assert_eq!(&r[8..], &record(i)[..]);
                            assert!(last[id].is_none_or(|l| l < i));
                            last[id] = Some(i);
                            got.push(v);
                        }
                        Err(e) => {
                            assert_eq!(e, Error::Empty);
                            std::thread::yield_now();
                        }
                    }
                }
                got
            })
        })
        .collect();
    producers.into_iter().for_each(|t| t.join().unwrap());
    let mut all: Vec<u64> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(q.is_empty());
    all.sort_unstable();
    assert_eq!(all, (0..2 * n).collect::<Vec<_>>());
}

proptest! {
    #[test]
    fn spsc_records_behave_like_a_vecdeque(
        cap in 8usize..80,
        ops in proptest::collection::vec(proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)), 0..150),
    ) {
        let ring = RecordRing::new(cap).unwrap();
        let cap = ring.capacity();
        let mut model: VecDeque<Vec<u8>> = VecDeque::new();
        let mut used = 0usize;
        let foot = |n: usize| 4 + n.next_multiple_of(4);
        for op in ops {
            match op {
                Some(rec) => match ring.push(&rec) {
                    Ok(()) => { used += foot(rec.len()); model.push_back(rec); }
                    Err(Error::Full) => prop_assert!(used + foot(rec.len()) > cap),
                    Err(Error::InvalidArgument(_)) => prop_assert!(rec.len() > cap - 4),
                    Err(e) => prop_assert!(false, "unexpected {e}"),
                },
                None => {
                    let got = ring.pop_vec().ok();
                    let want = model.pop_front();
                    if let Some(w) = &want { used -= foot(w.len()); }
                    prop_assert_eq!(got, want);
                }
            }
            prop_assert_eq!(ring.len(), model.len());
            prop_assert_eq!(ring.used_bytes(), used);
        }
    }
}
