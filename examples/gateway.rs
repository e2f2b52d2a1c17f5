//! The ultra demo: an API gateway's analytics path.
//!
//! Gateway worker threads produce a stream of request events (views, likes,
//! comments, shares, API calls; Zipf-skewed users and posts) and hand them
//! to an analytics thread through an MPMC ring; the analytics thread runs
//! its stages over each batch and forwards events to a sink thread through
//! an SPSC ring, plus a log line per slow request through a byte-record ring
//! (the kind a C consumer would drain with `ultra_spsc_pop`). The sink
//! measures end-to-end latency. A live progress line goes to stderr; the
//! summary (throughput, latency percentiles, stage reports) to stdout.
//!
//! ```text
//! cargo run --release --example gateway [-- --secs 6 --workers 2 --rate 0]
//! ```
//!
//! `--rate N` paces each worker at N events/s (open-loop arrivals) so the
//! latency percentiles show the rings rather than a full queue; the default
//! (0) runs flat out and measures throughput.
//!
//! The other pillars join as [`Stage`]s run by the analytics thread (see
//! `stages()`): JSON ingest (writer + parser round trip), pooled request
//! objects and per-request arenas (`alloc`), the blog-post cache with
//! HIT/MISS, age, refresh-ahead, metadata projection and prefix invalidation
//! (`cache`, `json::project`), and trending posts ranked by decay + top-k on
//! the GPU or the CPU (`cuda`).

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ultra::alloc::{Arena, ArenaConfig, Pool, PoolBox, PoolConfig};
use ultra::cache::Cache;
use ultra::cuda::{self, Gpu, GpuConfig};
use ultra::json::{self, Parser, Writer};
use ultra::ring::bytes_spsc::{self, RecordConsumer, RecordProducer};
use ultra::ring::mpmc::Queue;
use ultra::ring::spsc::{self, Consumer, Producer};

// ---------------------------------------------------------------- events

/// What happened at the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
enum Kind {
    View,
    Like,
    Comment,
    Share,
    ApiCall,
}

const KINDS: [Kind; 5] = [
    Kind::View,
    Kind::Like,
    Kind::Comment,
    Kind::Share,
    Kind::ApiCall,
];

/// One analytics event: 32 bytes, `Copy`, moved through the rings by value.
#[derive(Clone, Copy, Debug)]
struct Event {
    kind: Kind,
    worker: u8,
    /// Request handling time at the gateway, microseconds.
    duration_us: u32,
    user_id: u64,
    post_id: u64,
    /// Creation time, nanoseconds since the demo's epoch.
    created_ns: u64,
}

/// Small fast PRNG (xorshift64*), one per worker.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Roughly Zipf-distributed id in `1..=n`: `n^u` for uniform `u`
    /// favours small ids heavily, like real popularity.
    fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) as u64).clamp(1, n)
    }
}

fn make_event(rng: &mut Rng, worker: u8, created_ns: u64) -> Event {
    let r = rng.next();
    let kind = match r % 100 {
        0..=69 => Kind::View,
        70..=84 => Kind::Like,
        85..=91 => Kind::Comment,
        92..=95 => Kind::Share,
        _ => Kind::ApiCall,
    };
    // Log-normal-ish handling time: mostly 50-500 µs, a tail to ~50 ms.
    let duration_us = 50
        + (rng.next() % 450) as u32
        + if r.is_multiple_of(997) {
            (rng.next() % 50_000) as u32
        } else {
            0
        };
    Event {
        kind,
        worker,
        duration_us,
        user_id: rng.skewed(1_000_000),
        post_id: rng.skewed(100_000),
        created_ns,
    }
}

// ---------------------------------------------------------------- latency

/// Log-linear latency histogram: 32 linear buckets per power of two
/// (about 3% resolution) from 1 ns to 2^40 ns.
struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    max: u64,
}

impl Histogram {
    const SUB: u64 = 32;

    fn new() -> Self {
        Self {
            buckets: vec![0; 40 * Self::SUB as usize],
            count: 0,
            max: 0,
        }
    }

    fn index(v: u64) -> usize {
        let v = v.max(1);
        let e = 63 - v.leading_zeros() as u64;
        if e < 5 {
            v as usize
        } else {
            ((e - 4) * Self::SUB + ((v >> (e - 5)) & (Self::SUB - 1))) as usize
        }
    }

    fn value(i: usize) -> u64 {
        let i = i as u64;
        if i < Self::SUB {
            i
        } else {
            let e = i / Self::SUB + 4;
            (Self::SUB + i % Self::SUB) << (e - 5)
        }
    }

    fn record(&mut self, v: u64) {
        let i = Self::index(v).min(self.buckets.len() - 1);
        self.buckets[i] += 1;
        self.count += 1;
        self.max = self.max.max(v);
    }

    fn percentile(&self, p: f64) -> u64 {
        let target = ((self.count as f64) * p / 100.0).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, b) in self.buckets.iter().enumerate() {
            seen += b;
            if seen >= target {
                return Self::value(i);
            }
        }
        self.max
    }
}

fn fmt_ns(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns} ns"),
        1_000..1_000_000 => format!("{:.1} µs", ns as f64 / 1e3),
        _ => format!("{:.2} ms", ns as f64 / 1e6),
    }
}

// ---------------------------------------------------------------- stages

/// One step of the analytics thread. Later pillars add their own: a
/// session-cache lookup (`cache`), JSON projection of the event (`json`),
/// heavy hitters and sketches, GPU top-k (`cuda`).
trait Stage: Send {
    /// Short name for the report.
    fn name(&self) -> &'static str;
    /// Look at one event (called for every event, in arrival order).
    fn on_event(&mut self, ev: &Event);
    /// Lines for the final report.
    fn report(&self) -> Vec<String>;
}

/// Counts events per kind and per worker.
#[derive(Default)]
struct Counts {
    per_kind: [u64; 5],
    per_worker: HashMap<u8, u64>,
}

impl Stage for Counts {
    fn name(&self) -> &'static str {
        "counts"
    }
    fn on_event(&mut self, ev: &Event) {
        self.per_kind[ev.kind as usize] += 1;
        *self.per_worker.entry(ev.worker).or_default() += 1;
    }
    fn report(&self) -> Vec<String> {
        let total: u64 = self.per_kind.iter().sum::<u64>().max(1);
        let mut lines: Vec<String> = KINDS
            .iter()
            .map(|k| {
                let n = self.per_kind[*k as usize];
                format!("{k:?}: {n} ({:.1}%)", 100.0 * n as f64 / total as f64)
            })
            .collect();
        let mut w: Vec<_> = self.per_worker.iter().collect();
        w.sort();
        lines.push(format!("per worker: {w:?}"));
        lines
    }
}

/// Exact top posts by likes + shares (a heavy-hitter sketch replaces this later).
#[derive(Default)]
struct TopPosts {
    score: HashMap<u64, u64>,
}

impl Stage for TopPosts {
    fn name(&self) -> &'static str {
        "top posts"
    }
    fn on_event(&mut self, ev: &Event) {
        if matches!(ev.kind, Kind::Like | Kind::Share) {
            *self.score.entry(ev.post_id).or_default() += 1;
        }
    }
    fn report(&self) -> Vec<String> {
        let mut v: Vec<_> = self.score.iter().map(|(p, s)| (*s, *p)).collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.iter()
            .take(5)
            .map(|(s, p)| format!("post {p}: {s} likes+shares"))
            .collect()
    }
}

/// The blog-post cache in front of a slow backend: a view reads
/// `post:{id}:body` (HIT with its age, or MISS and a single-flight load); a
/// post edit (one comment in 64) invalidates every `post:{id}:` key by
/// prefix; likes and shares bump a cached per-post counter.
struct PostCache {
    posts: Cache<String, Arc<[u8]>>,
    counters: Cache<u64, Arc<AtomicU64>>,
    hits: u64,
    misses: u64,
    backend_loads: u64,
    refreshes: u64,
    invalidated: u64,
    age_sum_ms: u128,
    /// Reused buffer for the lookup key (no allocation on a hit).
    key: String,
    /// Reused buffer for the projected metadata.
    meta: Vec<u8>,
    metas: u64,
}

/// The fields of a post's metadata document, in output order.
const META_FIELDS: [&str; 5] = ["id", "title", "author", "created_at", "tags"];

impl PostCache {
    fn new() -> ultra::Result<Self> {
        Ok(Self {
            posts: Cache::builder()
                .capacity(20_000)
                .max_weight(32 << 20)
                .weigher(|k: &String, v: &Arc<[u8]>| (k.len() + v.len()) as u64)
                .default_ttl(Duration::from_secs(3))
                .refresh_ahead(0.8)
                .build()?,
            counters: Cache::new(50_000)?,
            hits: 0,
            misses: 0,
            backend_loads: 0,
            refreshes: 0,
            invalidated: 0,
            age_sum_ms: 0,
            key: String::new(),
            meta: Vec::new(),
            metas: 0,
        })
    }

    /// The slow backend: renders a post as JSON.
    fn load_post(post_id: u64) -> Arc<[u8]> {
        format!(
            r#"{{"id":{post_id},"title":"Post number {post_id}","author":{{"id":{},"name":"author{}"}},"created_at":"2026-11-{:02}T10:00:00Z","tags":["rust","gateway","t{}"],"body":"{}","views":{}}}"#,
            post_id % 997,
            post_id % 997,
            1 + post_id % 28,
            post_id % 13,
            "Lorem ipsum dolor sit amet. ".repeat(1 + (post_id % 8) as usize),
            post_id * 7
        )
        .into_bytes()
        .into()
    }
}

impl Stage for PostCache {
    fn name(&self) -> &'static str {
        "post cache"
    }
    fn on_event(&mut self, ev: &Event) {
        match ev.kind {
            Kind::View | Kind::ApiCall => {
                use std::fmt::Write as _;
                self.key.clear();
                let _ = write!(self.key, "post:{}:body", ev.post_id);
                let key = self.key.as_str();
                match self.posts.get_entry(key) {
                    Some(e) => {
                        self.hits += 1;
                        self.age_sum_ms += e.age.as_millis();
                        if e.should_refresh {
                            // The one reader told to refresh re-fetches; others keep hitting.
                            self.refreshes += 1;
                            let _ = self
                                .posts
                                .insert(key.to_owned(), Self::load_post(ev.post_id));
                        }
                    }
                    None => {
                        self.misses += 1;
                        let loaded = self.posts.get_or_insert_with(key.to_owned(), || {
                            Ok::<_, ultra::Error>(Self::load_post(ev.post_id))
                        });
                        if let Ok(body) = loaded {
                            self.backend_loads += 1;
                            // Derive the metadata document the listing pages use.
                            self.meta.clear();
                            if json::project(&body, &META_FIELDS, &mut self.meta).is_ok() {
                                let meta_key = format!("post:{}:meta", ev.post_id);
                                if self
                                    .posts
                                    .insert(meta_key, self.meta.as_slice().into())
                                    .is_ok()
                                {
                                    self.metas += 1;
                                }
                            }
                        }
                    }
                }
            }
            // One comment in 64 edits the post: drop its body and everything
            // derived from it (`remove_prefix` scans the cache, so it is
            // meant for updates, not for every request).
            Kind::Comment if ev.user_id.is_multiple_of(64) => {
                self.invalidated +=
                    self.posts.remove_prefix(format!("post:{}:", ev.post_id)) as u64;
            }
            Kind::Comment => {}
            Kind::Like | Kind::Share => {
                if let Ok(c) = self
                    .counters
                    .get_or_insert_with(ev.post_id, || Ok::<_, ultra::Error>(Arc::default()))
                {
                    c.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
    fn report(&self) -> Vec<String> {
        let st = self.posts.stats();
        let lookups = (self.hits + self.misses).max(1);
        vec![
            format!(
                "X-Cache: HIT {} / MISS {} ({:.1}% hits), mean age on hit {:.0} ms",
                self.hits,
                self.misses,
                100.0 * self.hits as f64 / lookups as f64,
                self.age_sum_ms as f64 / self.hits.max(1) as f64
            ),
            format!(
                "backend loads {} (metadata projected for {}), refresh-ahead re-fetches {}, keys invalidated by prefix {}",
                self.backend_loads, self.metas, self.refreshes, self.invalidated
            ),
            format!(
                "posts: {} entries, {} bytes, {} evictions; counters: {} posts",
                st.entries,
                st.weight,
                st.evictions,
                self.counters.len()
            ),
        ]
    }
}

/// Trending posts: likes and shares add to a score that decays with a
/// one-minute half-life; every 250,000 events the scores are decayed and the
/// top 100 ranked — on the GPU when one opens, on the CPU otherwise, through
/// the same call (`ultra::cuda::topk`).
struct Trending {
    gpu: Option<Gpu>,
    scores: Vec<f32>,
    updated: Vec<f64>,
    seen: u64,
    rankings: u64,
    rank_time: Duration,
    top: Vec<(u32, f32)>,
    epoch: Instant,
}

impl Trending {
    const POSTS: usize = 100_001;
    const HALF_LIFE_S: f64 = 60.0;

    fn new() -> Self {
        let gpu = Gpu::open(0, &GpuConfig::default()).ok();
        Self {
            gpu,
            scores: vec![0.0; Self::POSTS],
            updated: vec![0.0; Self::POSTS],
            seen: 0,
            rankings: 0,
            rank_time: Duration::ZERO,
            top: Vec::new(),
            epoch: Instant::now(),
        }
    }

    fn rank(&mut self) {
        let t = Instant::now();
        let now = self.epoch.elapsed().as_secs_f64();
        let ranked = cuda::decay(
            self.gpu.as_ref(),
            &mut self.scores,
            &self.updated,
            now,
            Self::HALF_LIFE_S,
        )
        .and_then(|()| cuda::topk(self.gpu.as_ref(), &self.scores, 100));
        self.updated.fill(now);
        if let Ok((idx, val)) = ranked {
            self.top = idx.into_iter().zip(val).collect();
            self.rankings += 1;
            self.rank_time += t.elapsed();
        }
    }
}

impl Stage for Trending {
    fn name(&self) -> &'static str {
        "trending"
    }
    fn on_event(&mut self, ev: &Event) {
        let weight = match ev.kind {
            Kind::Like => 1.0,
            Kind::Share => 3.0,
            _ => 0.0,
        };
        self.scores[ev.post_id as usize % Self::POSTS] += weight;
        self.seen += 1;
        if self.seen.is_multiple_of(250_000) {
            self.rank();
        }
    }
    fn report(&self) -> Vec<String> {
        let path = self
            .gpu
            .as_ref()
            .map_or_else(|| "CPU".to_string(), |g| format!("GPU {}", g.info().name));
        let mut lines = vec![format!(
            "{} rankings (decay + top-100 of {} posts) on the {path}, mean {}",
            self.rankings,
            Self::POSTS,
            fmt_ns(
                (self.rank_time.as_nanos() as u64)
                    .checked_div(self.rankings)
                    .unwrap_or(0)
            )
        )];
        lines.extend(
            self.top
                .iter()
                .take(5)
                .map(|(p, s)| format!("post {p}: score {s:.1}")),
        );
        lines
    }
}

/// JSON on the ingest path: clients send events as `{"events":[...]}`
/// batches. Every 128 events this stage writes the batch the way a client
/// would (`json::Writer`), parses it back with a reused `json::Parser` and
/// checks that every field survived the round trip.
struct JsonIngest {
    writer: Writer,
    parser: Parser,
    pending: Vec<Event>,
    batches: u64,
    events: u64,
    bytes: u64,
    parse_time: Duration,
    mismatches: u64,
}

impl JsonIngest {
    const BATCH: usize = 128;

    fn new() -> Self {
        Self {
            writer: Writer::new(),
            parser: Parser::new(),
            pending: Vec::with_capacity(Self::BATCH),
            batches: 0,
            events: 0,
            bytes: 0,
            parse_time: Duration::ZERO,
            mismatches: 0,
        }
    }

    fn flush(&mut self) {
        let w = &mut self.writer;
        w.clear();
        w.begin_object().key("events").begin_array();
        for ev in &self.pending {
            w.begin_object()
                .key("type")
                .u64(ev.kind as u64)
                .key("user_id")
                .u64(ev.user_id)
                .key("post_id")
                .u64(ev.post_id)
                .key("duration")
                .u64(ev.duration_us as u64)
                .end_object();
        }
        w.end_array().end_object();
        let t = Instant::now();
        let bytes = self.writer.as_bytes();
        let mut ok = 0usize;
        if let Ok(doc) = self.parser.parse(bytes)
            && let Some(events) = doc.root().get("events")
        {
            for (v, ev) in events.array_iter().zip(&self.pending) {
                let same = v.get("type").and_then(|x| x.as_u64()) == Some(ev.kind as u64)
                    && v.get("user_id").and_then(|x| x.as_u64()) == Some(ev.user_id)
                    && v.get("post_id").and_then(|x| x.as_u64()) == Some(ev.post_id)
                    && v.get("duration").and_then(|x| x.as_u64()) == Some(ev.duration_us as u64);
                ok += same as usize;
            }
        }
        self.parse_time += t.elapsed();
        self.mismatches += (self.pending.len() - ok) as u64;
        self.bytes += bytes.len() as u64;
        self.events += self.pending.len() as u64;
        self.batches += 1;
        self.pending.clear();
    }
}

impl Stage for JsonIngest {
    fn name(&self) -> &'static str {
        "json ingest"
    }
    fn on_event(&mut self, ev: &Event) {
        self.pending.push(*ev);
        if self.pending.len() == Self::BATCH {
            self.flush();
        }
    }
    fn report(&self) -> Vec<String> {
        vec![
            format!(
                "{} batches, {} events, {} bytes parsed at {:.2} GB/s ({} kernel)",
                self.batches,
                self.events,
                self.bytes,
                self.bytes as f64 / self.parse_time.as_secs_f64().max(1e-9) / 1e9,
                json::active_kernel().name()
            ),
            format!(
                "fields that did not survive the round trip: {}",
                self.mismatches
            ),
        ]
    }
}

/// Request objects from a NUMA-local pool and request-scoped strings from
/// an arena reset after every 256 requests — no malloc on the request path.
struct Requests {
    pool: Pool,
    arena: Arena,
    served: u64,
    path_bytes: u64,
    arena_resets: u64,
    peak_arena: usize,
}

/// What a gateway worker keeps per request.
struct Request {
    id: u64,
    user_id: u64,
    post_id: u64,
    status: u16,
    headers: [u8; 192],
}

impl Requests {
    fn new() -> ultra::Result<Self> {
        Ok(Self {
            pool: Pool::new(PoolConfig::new(
                std::mem::size_of::<Request>(),
                std::mem::align_of::<Request>(),
            ))?,
            arena: Arena::new(ArenaConfig::new(64 << 10))?,
            served: 0,
            path_bytes: 0,
            arena_resets: 0,
            peak_arena: 0,
        })
    }
}

impl Stage for Requests {
    fn name(&self) -> &'static str {
        "request pool + arena"
    }
    fn on_event(&mut self, ev: &Event) {
        let req = PoolBox::new_in(
            Request {
                id: self.served,
                user_id: ev.user_id,
                post_id: ev.post_id,
                status: 200,
                headers: [0; 192],
            },
            &self.pool,
        );
        if let Ok(req) = req {
            let path = format!("/api/posts/{}?user={}", req.post_id, req.user_id);
            if let Ok(p) = self.arena.alloc_str(&path) {
                self.path_bytes += p.len() as u64;
            }
            self.served += 1;
            debug_assert!(req.id + 1 == self.served && req.status == 200 && req.headers[0] == 0);
        }
        if self.served.is_multiple_of(256) {
            self.peak_arena = self.peak_arena.max(self.arena.used_bytes());
            self.arena.reset();
            self.arena_resets += 1;
        }
    }
    fn report(&self) -> Vec<String> {
        let st = self.pool.stats();
        vec![
            format!(
                "{} requests from the pool: {} live now, {} slabs ({} bytes) on nodes {:?}",
                self.served, st.live_objects, st.slabs, st.reserved_bytes, st.node_bytes
            ),
            format!(
                "arena: {} path bytes, {} resets, peak {} bytes between resets",
                self.path_bytes, self.arena_resets, self.peak_arena
            ),
        ]
    }
}

/// The stages the analytics thread runs, in order.
fn stages() -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(Counts::default()),
        Box::new(TopPosts::default()),
        Box::new(JsonIngest::new()),
        Box::new(Requests::new().expect("pool and arena configuration is valid")),
        Box::new(PostCache::new().expect("cache configuration is valid")),
        Box::new(Trending::new()),
    ]
}

// ---------------------------------------------------------------- threads

/// Live counters for the progress line.
#[derive(Default)]
struct Progress {
    ingested: AtomicU64,
    ingest_full: AtomicU64,
    analysed: AtomicU64,
    delivered: AtomicU64,
    slow_logged: AtomicU64,
    p99_ns: AtomicU64,
}

/// A gateway worker: makes events until `stop`, pushing them into the
/// ingest queue in small batches (as a worker would after each request burst).
fn worker(
    id: u8,
    rate: u64,
    ingest: Arc<Queue<Event>>,
    stop: Arc<AtomicBool>,
    epoch: Instant,
    prog: Arc<Progress>,
) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ ((id as u64 + 1) * 0x1234_5678_9abc_def1));
    let mut batch = [make_event(&mut rng, id, 0); 16];
    let start = epoch.elapsed().as_nanos() as u64;
    let mut made = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let mut now = epoch.elapsed().as_nanos() as u64;
        if let Some(offset) = (made * 1_000_000_000).checked_div(rate) {
            // Paced: wait until this batch is due (open-loop arrivals).
            let due = start + offset;
            while now < due {
                if due - now > 200_000 {
                    // Far off: sleep (the machine may have few cores).
                    thread::sleep(Duration::from_nanos(due - now - 100_000));
                } else {
                    std::hint::spin_loop();
                }
                now = epoch.elapsed().as_nanos() as u64;
            }
        }
        made += batch.len() as u64;
        for ev in batch.iter_mut() {
            *ev = make_event(&mut rng, id, now);
        }
        let mut sent = 0;
        while sent < batch.len() {
            let n = ingest.push_slice(&batch[sent..]);
            if n == 0 {
                prog.ingest_full.fetch_add(1, Ordering::Relaxed);
                thread::yield_now();
            }
            sent += n;
        }
        prog.ingested
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
    }
}

/// The analytics thread: drains the ingest queue in batches, runs the
/// stages, forwards every event to the sink and logs slow requests.
fn analytics(
    ingest: Arc<Queue<Event>>,
    mut to_sink: Producer<Event>,
    mut slow_log: RecordProducer,
    mut stages: Vec<Box<dyn Stage>>,
    workers_done: Arc<AtomicBool>,
    prog: Arc<Progress>,
) -> Vec<Box<dyn Stage>> {
    let mut buf = [make_event(&mut Rng(1), 0, 0); 256];
    loop {
        // Read the flag before draining, so nothing pushed before it is missed.
        let done = workers_done.load(Ordering::Acquire);
        let n = ingest.pop_slice(&mut buf);
        if n == 0 {
            if done {
                return stages;
            }
            thread::yield_now();
            continue;
        }
        for ev in &buf[..n] {
            for s in stages.iter_mut() {
                s.on_event(ev);
            }
            if ev.duration_us > 10_000 {
                let line = format!(
                    "slow {:?} user={} post={} {}us",
                    ev.kind, ev.user_id, ev.post_id, ev.duration_us
                );
                // A full log ring drops the line (logging must not stall analytics).
                if slow_log.push(line.as_bytes()).is_ok() {
                    prog.slow_logged.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        let mut sent = 0;
        while sent < n {
            let k = to_sink.push_slice(&buf[sent..n]);
            if k == 0 {
                thread::yield_now();
            }
            sent += k;
        }
        prog.analysed.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// The sink: end-to-end latency of every event, and the slow-request log.
fn sink(
    mut from: Consumer<Event>,
    mut slow_log: RecordConsumer,
    analytics_done: Arc<AtomicBool>,
    epoch: Instant,
    prog: Arc<Progress>,
) -> (Histogram, u64) {
    let mut hist = Histogram::new();
    let mut buf = [make_event(&mut Rng(1), 0, 0); 256];
    let mut log_bytes = 0u64;
    let mut line = [0u8; 256];
    loop {
        let done = analytics_done.load(Ordering::Acquire);
        let n = from.pop_slice(&mut buf);
        while let Ok(len) = slow_log.pop(&mut line) {
            log_bytes += len as u64;
        }
        if n == 0 {
            if done {
                return (hist, log_bytes);
            }
            thread::yield_now();
            continue;
        }
        let now = epoch.elapsed().as_nanos() as u64;
        for ev in &buf[..n] {
            hist.record(now.saturating_sub(ev.created_ns));
        }
        prog.delivered.fetch_add(n as u64, Ordering::Relaxed);
        if hist.count % 4096 < n as u64 {
            prog.p99_ns.store(hist.percentile(99.0), Ordering::Relaxed);
        }
    }
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> ultra::Result<()> {
    let secs = arg("--secs", 6);
    let workers = arg("--workers", 2).clamp(1, 64) as u8;
    // Events per second per worker; 0 = as fast as the rings take them.
    let rate = arg("--rate", 0);
    let epoch = Instant::now();
    let prog = Arc::new(Progress::default());

    let ingest = Arc::new(Queue::<Event>::new(4096)?);
    let (to_sink, from_analytics) = spsc::channel::<Event>(4096)?;
    let (log_tx, log_rx) = bytes_spsc::channel(64 * 1024)?;
    let stop = Arc::new(AtomicBool::new(false));
    let workers_done = Arc::new(AtomicBool::new(false));
    let analytics_done = Arc::new(AtomicBool::new(false));
    let stages = stages();

    println!(
        "gateway: {workers} workers ({}) -> mpmc({}) -> analytics [{}] -> spsc({}) -> sink; slow log via bytes_spsc({} B); {secs} s",
        if rate == 0 {
            "flat out".to_string()
        } else {
            format!("{rate} ev/s each")
        },
        ingest.capacity(),
        stages
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", "),
        to_sink.capacity(),
        log_tx.capacity(),
    );

    let worker_threads: Vec<_> = (0..workers)
        .map(|id| {
            let (q, s, p) = (ingest.clone(), stop.clone(), prog.clone());
            thread::spawn(move || worker(id, rate, q, s, epoch, p))
        })
        .collect();
    let analytics_thread = {
        let (q, d, p) = (ingest.clone(), workers_done.clone(), prog.clone());
        thread::spawn(move || analytics(q, to_sink, log_tx, stages, d, p))
    };
    let sink_thread = {
        let (d, p) = (analytics_done.clone(), prog.clone());
        thread::spawn(move || sink(from_analytics, log_rx, d, epoch, p))
    };

    // Live progress line on stderr.
    let start = Instant::now();
    let mut last = (start, 0u64);
    let mut stderr = std::io::stderr();
    while start.elapsed() < Duration::from_secs(secs) {
        thread::sleep(Duration::from_millis(250));
        let now = Instant::now();
        let delivered = prog.delivered.load(Ordering::Relaxed);
        let rate = (delivered - last.1) as f64 / (now - last.0).as_secs_f64();
        last = (now, delivered);
        let _ = write!(
            stderr,
            "\r[{:4.1}s] ingested {:>11}  delivered {:>11}  {:6.2} M ev/s  ingest queue {:>4}/{}  p99 {:>9}   ",
            start.elapsed().as_secs_f64(),
            prog.ingested.load(Ordering::Relaxed),
            delivered,
            rate / 1e6,
            ingest.len(),
            ingest.capacity(),
            fmt_ns(prog.p99_ns.load(Ordering::Relaxed)),
        );
        let _ = stderr.flush();
    }
    let _ = writeln!(stderr);

    stop.store(true, Ordering::Relaxed);
    worker_threads.into_iter().for_each(|t| t.join().unwrap());
    // Release: everything the workers pushed is in the queue before analytics sees the flag.
    workers_done.store(true, Ordering::Release);
    let stages = analytics_thread.join().unwrap();
    analytics_done.store(true, Ordering::Release);
    let (hist, log_bytes) = sink_thread.join().unwrap();
    let elapsed = start.elapsed().as_secs_f64();

    let ingested = prog.ingested.load(Ordering::Relaxed);
    let delivered = prog.delivered.load(Ordering::Relaxed);
    assert_eq!(
        ingested, delivered,
        "every event must reach the sink exactly once"
    );
    assert_eq!(hist.count, delivered);

    println!(
        "\nthroughput: {delivered} events in {elapsed:.2} s = {:.2} M events/s end to end",
        delivered as f64 / elapsed / 1e6
    );
    println!(
        "ingest queue full (worker backed off): {} times",
        prog.ingest_full.load(Ordering::Relaxed)
    );
    println!(
        "latency worker -> sink: p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
        fmt_ns(hist.percentile(50.0)),
        fmt_ns(hist.percentile(90.0)),
        fmt_ns(hist.percentile(99.0)),
        fmt_ns(hist.percentile(99.9)),
        fmt_ns(hist.max),
    );
    println!(
        "slow-request log: {} lines, {log_bytes} bytes through the byte-record ring",
        prog.slow_logged.load(Ordering::Relaxed)
    );
    for s in &stages {
        println!("[{}]", s.name());
        for line in s.report() {
            println!("  {line}");
        }
    }
    Ok(())
}
