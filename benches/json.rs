//! ultra::json against serde_json, simd-json and sonic-rs, same closures,
//! same run. `cargo bench --bench json`; prints the CPU and the kernel.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use sonic_rs::pointer;
use ultra::json;

fn load(name: &str) -> Option<Vec<u8>> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/json")
        .join(name);
    let r = std::fs::read(&p).ok();
    if r.is_none() {
        eprintln!("SKIP: {} not found", p.display());
    }
    r
}

/// One shape for every contender: a named closure over the same input.
macro_rules! bench {
    ($g:expr, $name:expr, $body:expr) => {
        $g.bench_function($name, |b| b.iter(|| black_box($body)));
    };
}

fn group<'a>(c: &'a mut Criterion, name: String, bytes: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_millis(1500));
    g.sample_size(10);
    g
}

struct Paths {
    file: &'static str,
    early: &'static str,
    late: &'static str,
    early_sonic: Vec<sonic_rs::PointerNode>,
    late_sonic: Vec<sonic_rs::PointerNode>,
    fields: &'static [&'static str],
}

fn paths() -> Vec<Paths> {
    vec![
        Paths {
            file: "twitter.json",
            early: "/statuses/0/id",
            late: "/search_metadata/count",
            early_sonic: pointer!["statuses", 0, "id"].to_vec(),
            late_sonic: pointer!["search_metadata", "count"].to_vec(),
            fields: &["search_metadata"],
        },
        Paths {
            file: "citm_catalog.json",
            early: "/areaNames/205705993",
            late: "/venueNames/PLEYEL_PLEYEL",
            early_sonic: pointer!["areaNames", "205705993"].to_vec(),
            late_sonic: pointer!["venueNames", "PLEYEL_PLEYEL"].to_vec(),
            fields: &["venueNames", "areaNames"],
        },
        Paths {
            file: "canada.json",
            early: "/type",
            late: "/features/0/geometry/coordinates/479/5275/1",
            early_sonic: pointer!["type"].to_vec(),
            late_sonic: pointer!["features", 0, "geometry", "coordinates", 479, 5275, 1].to_vec(),
            fields: &["type"],
        },
    ]
}

fn benches(c: &mut Criterion) {
    eprintln!(
        "kernel: {} ; cpu: {}",
        json::active_kernel().name(),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| s
                .lines()
                .find(|l| l.starts_with("model name"))
                .map(str::to_owned))
            .unwrap_or_default()
    );
    for p in paths() {
        let Some(data) = load(p.file) else { continue };
        let n = data.len();
        let stem = p.file.trim_end_matches(".json");

        let mut g = group(c, format!("parse/{stem}"), n);
        let mut parser = json::Parser::new();
        bench!(g, "ultra", parser.parse(&data).unwrap().tape_len());
        let mut copy = data.clone();
        let mut bufs = simd_json::Buffers::new(n);
        bench!(g, "simd-json to_tape", {
            copy.copy_from_slice(&data);
            simd_json::to_tape_with_buffers(&mut copy, &mut bufs).is_ok()
        });
        bench!(
            g,
            "sonic-rs Value",
            sonic_rs::from_slice::<sonic_rs::Value>(&data).is_ok()
        );
        bench!(
            g,
            "serde_json Value",
            serde_json::from_slice::<serde_json::Value>(&data).is_ok()
        );
        g.finish();

        let mut g = group(c, format!("validate/{stem}"), n);
        bench!(g, "ultra", json::validate(&data).is_ok());
        bench!(
            g,
            "serde_json IgnoredAny",
            serde_json::from_slice::<serde::de::IgnoredAny>(&data).is_ok()
        );
        g.finish();

        let mut g = group(c, format!("get/{stem}"), n);
        bench!(
            g,
            "ultra early",
            json::get(&data, p.early).unwrap().unwrap().as_bytes().len()
        );
        bench!(
            g,
            "sonic-rs early",
            // SAFETY: the corpus files are valid JSON.
            unsafe { sonic_rs::get_unchecked(&data[..], &p.early_sonic) }
                .unwrap()
                .as_raw_str()
                .len()
        );
        bench!(
            g,
            "ultra late",
            json::get(&data, p.late).unwrap().unwrap().as_bytes().len()
        );
        bench!(
            g,
            "sonic-rs late",
            // SAFETY: the corpus files are valid JSON.
            unsafe { sonic_rs::get_unchecked(&data[..], &p.late_sonic) }
                .unwrap()
                .as_raw_str()
                .len()
        );
        g.finish();

        let mut g = group(c, format!("project/{stem}"), n);
        let mut out = Vec::with_capacity(n);
        bench!(g, "ultra", {
            out.clear();
            json::project(&data, p.fields, &mut out).unwrap();
            out.len()
        });
        bench!(g, "serde_json Value", {
            let v: serde_json::Value = serde_json::from_slice(&data).unwrap();
            let mut m = serde_json::Map::new();
            for f in p.fields {
                if let Some(x) = v.get(*f) {
                    m.insert((*f).to_owned(), x.clone());
                }
            }
            serde_json::to_vec(&m).unwrap().len()
        });
        g.finish();

        let mut g = group(c, format!("minify/{stem}"), n);
        bench!(g, "ultra", {
            out.clear();
            json::minify(&data, &mut out).unwrap();
            out.len()
        });
        bench!(g, "sonic-rs Value to_vec", {
            let v: sonic_rs::Value = sonic_rs::from_slice(&data).unwrap();
            sonic_rs::to_vec(&v).unwrap().len()
        });
        g.finish();
    }
}

criterion_group!(json_benches, benches);
criterion_main!(json_benches);
