//! A sharded in-process cache with TTLs, weight budgets, prefix invalidation,
//! single-flight loads and an adaptive, scan-resistant, frequency-aware
//! eviction policy.
//!
//! ```
//! use std::time::Duration;
//! use ultra::cache::Cache;
//!
//! let cache: Cache<String, String> = Cache::builder()
//!     .capacity(10_000)
//!     .default_ttl(Duration::from_secs(60))
//!     .build()?;
//! cache.insert("post:42".into(), "<h1>hello</h1>".into())?;
//! let e = cache.get_entry("post:42").unwrap(); // value, age, remaining TTL
//! assert_eq!(e.value, "<h1>hello</h1>");
//! assert_eq!(cache.remove_prefix("post:42"), 1);
//! # Ok::<(), ultra::Error>(())
//! ```
//!
//! # Layout
//!
//! A key's 64-bit hash picks a shard by its top bits. Each shard
//! (`shard.rs`) is a `hashbrown` index from hash to slot over a slab of
//! nodes owned by the policy (`policy.rs`), behind one reader-writer lock.
//! The slab is split in two parallel arrays: the *hot* half a lookup reads
//! (tag, access counter, key, value, deadline; 32 aligned bytes for
//! `u64 -> u64`, two per cache line) and the *cold* half only writers read
//! (queue links, hash, weight, insertion time), so a hit touches one slab
//! line and the hot set packs densely in the CPU caches.
//! The front (`front.rs`) hashes, picks the shard, reads the clock only when
//! it must (`clock.rs`), counts hits and misses per shard
//! (`stats.rs`) and runs single-flight loads (`single_flight.rs`).
//!
//! **Hit path**: hash, shard, *read* lock, index probe, deadline check (only
//! if the entry has one), a saturating `Relaxed` bump of the node's 2-bit
//! access counter (a plain load when it is already saturated), value clone,
//! and a `Relaxed` increment of the shard's hit counter, which sits on the
//! lock word's cache line. It never takes a
//! write lock and never writes a line shared by every reader except the
//! lock word itself. Values that leave the cache (eviction, replacement,
//! removal) are dropped after the shard's lock is released.
//!
//! # The policy: adaptive S3-FIFO
//!
//! S3-FIFO (Yang et al., *FIFO queues are all you need for cache eviction*,
//! SOSP 2023) keeps a small probationary FIFO `S`, a main FIFO `M` run as
//! CLOCK with small saturating counters, and a ghost list `G` of hashes
//! recently evicted from `S`. New keys enter `S`; one touched while in `S`
//! moves to `M` when it reaches the head, one untouched is evicted ("quick
//! demotion"), which is what makes the policy scan-resistant: a one-pass scan
//! flows through `S` without disturbing `M`. A key found in `G` on its next
//! miss goes straight to `M`. `M`'s CLOCK decrements a counter per pass, so
//! entries with more hits survive more passes: the policy is frequency-aware
//! like TinyLFU's admission (Einziger et al., *TinyLFU: A Highly Efficient
//! Cache Admission Policy*, ACM TOS 2017) without a sketch.
//!
//! S3-FIFO fixes `|S|` at 10 % of the cache. No fixed split is best
//! everywhere: recency-heavy traces (the ARC paper's OLTP) want a large `S`,
//! frequency-heavy ones (Zipf) a small one. Ultra sizes `S` the way ARC
//! (Megiddo & Modha, *ARC: A Self-Tuning, Low Overhead Replacement Cache*,
//! FAST 2003) sizes its `T1`, and as CAR (Bansal & Modha, *CAR: Clock with
//! Adaptive Replacement*, FAST 2004) does with clocks: there are two ghosts,
//! `GS` (evicted from `S`) and `GM` (evicted from `M`), and a target `p`:
//!
//! - a miss whose hash is in `GS` means `S` was too short: `p += max(1, |GM|/|GS|)`;
//! - a miss whose hash is in `GM` means `M` was too short: `p -= max(1, |GS|/|GM|)`;
//! - either way the key enters `M`; any other key enters `S`;
//! - the victim comes from `S` while `|S| >= max(p, 1)` (or `M` is empty),
//!   else from `M`.
//!
//! The ghosts obey ARC's directory bounds, `|S| + |GS| <= c` and
//! `|S| + |M| + |GS| + |GM| <= 2c`, with `c` the shard's capacity in entries
//! (its current length when a weight budget binds first). A ghost costs 16
//! bytes per remembered hash (FIFO slot and map entry).
//!
//! # Invariants and bounds
//!
//! Per shard, after every operation completes (checked by `validate()` in the
//! stress tests):
//!
//! - `|index| == |S| + |M| == live slots`, and `weight == Σ node.weight`;
//! - `len <= capacity_shard` and `weight <= max_weight_shard`, where the
//!   shard budgets are the cache's split so that
//!   `Σ capacity_shard == capacity` and `Σ max_weight_shard == max_weight`.
//!
//! Hence **both global bounds are exact upper bounds**: `len() <= capacity`
//! and `weight() <= max_weight` hold after every operation. What is
//! approximate is how close to them the cache runs: a shard that is full
//! evicts even while another has room, so a skewed key set may hold fewer
//! entries (or bytes) than the budget, and an entry heavier than one shard's
//! share of `max_weight` is refused (`InvalidArgument`). The policy's
//! choices are approximate too (CLOCK for LRU order, one shard at a time).
//!
//! # Expiry
//!
//! No background thread: an entry stores an absolute deadline read from an
//! injectable [`Clock`]. Readers never return an expired entry (it counts as
//! a miss and the reader removes it under the write lock); eviction drops
//! expired heads first; [`Cache::purge_expired`] sweeps on the host's
//! schedule. With [`CacheBuilder::refresh_ahead`], once an entry is older
//! than that fraction of its TTL, exactly one reader of
//! [`Cache::get_entry`] sees `should_refresh` (an atomic swap on the node).
//! A replacement clears the flag.

mod clock;
mod front;
mod policy;
mod shard;
mod single_flight;
mod stats;

pub use clock::{Clock, ManualClock, SystemClock};
pub use front::{Cache, CacheBuilder, Entry};
pub use stats::Stats;
