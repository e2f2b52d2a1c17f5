//! Loom models of the rings: every interleaving of small push/pop programs
//! around full, empty and wrap-around, and the drop of queued items.
//!
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --test loom_ring`
#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering};

use loom::sync::Arc;
use loom::thread;
use ultra::Error;
use ultra::ring::bytes_mpmc::RecordQueue;
use ultra::ring::bytes_spsc;
use ultra::ring::mpmc::Queue;
use ultra::ring::spsc;

/// Explore every interleaving (no preemption bound: the models are small
/// enough to finish in about two seconds in release mode).
fn model(f: impl Fn() + Sync + Send + 'static) {
    loom::model(f);
}

#[test]
fn spsc_push_pop_through_full_and_wrap() {
    model(|| {
        let (mut p, mut c) = spsc::channel::<u32>(2).unwrap();
        let t = thread::spawn(move || {
            for i in 0..3 {
                let mut v = i;
                while let Err(back) = p.push(v) {
                    v = back;
                    thread::yield_now();
                }
            }
        });
        for i in 0..3 {
            loop {
                if let Some(v) = c.pop() {
                    assert_eq!(v, i);
                    break;
                }
                thread::yield_now();
            }
        }
        t.join().unwrap();
        assert_eq!(c.pop(), None);
    });
}

#[test]
fn spsc_batches_wrap_around() {
    model(|| {
        let (mut p, mut c) = spsc::channel::<u8>(2).unwrap();
        // Move both positions to 1 so the batches below straddle the end.
        p.push(0).unwrap();
        assert_eq!(c.pop(), Some(0));
        let t = thread::spawn(move || {
            let data = [1u8, 2, 3];
            let mut sent = 0;
            while sent < data.len() {
                sent += p.push_slice(&data[sent..]);
                thread::yield_now();
            }
        });
        let mut got = Vec::new();
        while got.len() < 3 {
            let mut buf = [0u8; 2];
            let n = c.pop_slice(&mut buf);
            got.extend_from_slice(&buf[..n]);
            thread::yield_now();
        }
        t.join().unwrap();
        assert_eq!(got, [1, 2, 3]);
    });
}

/// Counts drops in a plain std atomic (not part of the model).
struct Counted(&'static AtomicUsize);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn spsc_queued_items_dropped_once_by_the_last_half() {
    model(|| {
        let drops: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        let (mut p, mut c) = spsc::channel(2).unwrap();
        let t = thread::spawn(move || {
            assert!(p.push(Counted(drops)).is_ok());
            assert!(p.push(Counted(drops)).is_ok());
            // The producer half may be the last one dropped.
        });
        // Maybe pop one, racing with the pushes.
        drop(c.pop());
        drop(c);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn mpmc_two_producers_race_for_the_last_slot() {
    model(|| {
        let q = Arc::new(Queue::<u32>::new(2).unwrap());
        // Positions start at 1 so the run wraps; one slot stays occupied,
        // so exactly one of the two racing pushes finds room.
        q.push(0).unwrap();
        assert_eq!(q.pop(), Some(0));
        q.push(9).unwrap();
        let ts: Vec<_> = (1..=2u32)
            .map(|id| {
                let q = q.clone();
                thread::spawn(move || q.push(id).is_ok())
            })
            .collect();
        let first = q.pop();
        let ok: Vec<bool> = ts.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(first, Some(9));
        let mut rest = Vec::new();
        while let Some(v) = q.pop() {
            rest.push(v);
        }
        // One push certainly had room; the other only if the pop came first.
        assert!(ok.iter().any(|b| *b));
        let want: Vec<u32> = (1..=2u32).filter(|id| ok[*id as usize - 1]).collect();
        rest.sort();
        assert_eq!(rest, want);
    });
}

#[test]
fn mpmc_two_consumers_split_a_batch() {
    model(|| {
        let q = Arc::new(Queue::<u32>::new(2).unwrap());
        assert_eq!(q.push_slice(&[1, 2]), 2);
        let q2 = q.clone();
        let t = thread::spawn(move || q2.pop());
        let mut mine = [0u32; 2];
        let n = q.pop_slice(&mut mine);
        let other = t.join().unwrap();
        let mut all: Vec<u32> = mine[..n].to_vec();
        all.extend(other);
        all.sort();
        assert_eq!(all, [1, 2]);
        assert!(q.is_empty());
    });
}

#[test]
fn mpmc_queued_items_dropped_once() {
    model(|| {
        let drops: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        let q = Arc::new(Queue::new(2).unwrap());
        let q2 = q.clone();
        let t = thread::spawn(move || {
            assert!(q2.push(Counted(drops)).is_ok());
        });
        assert!(q.push(Counted(drops)).is_ok());
        drop(q.pop());
        t.join().unwrap();
        drop(q);
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn bytes_spsc_records_wrap_around() {
    model(|| {
        // 8 bytes: one 4-byte header + up to 4 payload bytes at a time.
        let (mut p, mut c) = bytes_spsc::channel(8).unwrap();
        let t = thread::spawn(move || {
            for rec in [&b"ab"[..], b"cde", b"f"] {
                while p.push(rec).is_err() {
                    thread::yield_now();
                }
            }
        });
        for want in [&b"ab"[..], b"cde", b"f"] {
            let mut buf = [0u8; 4];
            loop {
                match c.pop(&mut buf) {
                    Ok(n) => {
                        assert_eq!(&buf[..n], want);
                        break;
                    }
                    Err(e) => {
                        assert_eq!(e, Error::Empty);
                        thread::yield_now();
                    }
                }
            }
        }
        t.join().unwrap();
    });
}

#[test]
fn bytes_mpmc_short_buffer_keeps_the_record() {
    model(|| {
        let q = Arc::new(RecordQueue::new(2, 4).unwrap());
        let q2 = q.clone();
        let t = thread::spawn(move || {
            while q2.push(b"xyz").is_err() {
                thread::yield_now();
            }
        });
        let mut small = [0u8; 2];
        let mut buf = [0u8; 4];
        loop {
            match q.pop(&mut small) {
                Err(Error::BufferTooSmall { needed }) => {
                    assert_eq!(needed, 3);
                    assert_eq!(q.pop(&mut buf), Ok(3));
                    assert_eq!(&buf[..3], b"xyz");
                    break;
                }
                Err(Error::Empty) => thread::yield_now(),
                other => panic!("{other:?}"),
            }
        }
        t.join().unwrap();
    });
}
