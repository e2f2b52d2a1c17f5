//! NUMA topology: nodes, their CPUs and memory, the distance matrix, and where
//! the calling thread runs — read from Linux sysfs (`/sys/devices/system/node`)
//! and `getcpu`, with no system library.
//!
//! A machine whose sysfs has no NUMA directory (a kernel without NUMA, a
//! container hiding it, another OS) is described as one node holding every
//! online CPU and all memory, with distance 10 to itself: the rest of the
//! allocator then needs no special case.

use std::path::Path;

use super::os;
use crate::error::{Error, Result};

/// Distance of a node to itself in the ACPI SLIT convention used by Linux.
pub const LOCAL_DISTANCE: u32 = 10;

/// One NUMA node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumaNode {
    /// The kernel's node number (what `mbind` and `getcpu` use).
    pub id: usize,
    /// The logical CPUs of this node, ascending.
    pub cpus: Vec<usize>,
    /// Memory attached to the node in bytes (0 for a memoryless node).
    pub memory_bytes: u64,
}

/// Where the topology came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Linux sysfs NUMA directories.
    Sysfs,
    /// No NUMA information: one node covering the whole machine.
    SingleNode,
    /// hwloc (feature `hwloc`), real or synthetic.
    Hwloc,
    /// Built by hand with [`Topology::from_parts`].
    Manual,
}

/// The NUMA layout of a machine.
///
/// Invariants: `nodes` is sorted by `id` with unique ids; `distances` is
/// `n × n` (row-major, in `nodes` order) with `distances[i][i] ==
/// LOCAL_DISTANCE`-like minima on the diagonal; a CPU appears in at most one
/// node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    nodes: Vec<NumaNode>,
    distances: Vec<u32>,
    source: Source,
}

/// Parse a Linux CPU/node list such as `0-3,8,10-11` (empty means none).
pub fn parse_list(s: &str) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for part in s.trim().split(',').filter(|p| !p.trim().is_empty()) {
        let part = part.trim();
        let bad = || Error::invalid(format!("bad list element `{part}`"));
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) =
                    (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                if a > b || b - a > 1 << 20 {
                    return Err(bad());
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().map_err(|_| bad())?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn meminfo_total(text: &str) -> Option<u64> {
    // "Node 0 MemTotal:       32849364 kB"
    let line = text.lines().find(|l| l.contains("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().rev().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

impl Topology {
    /// The topology of this machine from sysfs, or a single node when sysfs
    /// has no NUMA information. Never fails.
    pub fn detect() -> Topology {
        Self::from_sysfs(Path::new("/sys/devices/system/node"))
            .unwrap_or_else(|_| Self::single_node())
    }

    /// Read a sysfs node directory laid out like `/sys/devices/system/node`
    /// (`nodeN/cpulist`, `nodeN/meminfo`, `nodeN/distance`). `Unavailable`
    /// when it holds no node directory; `InvalidArgument` when a file is
    /// malformed.
    pub fn from_sysfs(root: &Path) -> Result<Topology> {
        let dir = std::fs::read_dir(root)
            .map_err(|e| Error::unavailable(format!("{}: {e}", root.display())))?;
        let mut ids: Vec<usize> = dir
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_prefix("node")?.parse().ok())
            .collect();
        ids.sort_unstable();
        if ids.is_empty() {
            return Err(Error::unavailable(format!(
                "{}: no NUMA nodes listed",
                root.display()
            )));
        }
        let mut nodes = Vec::with_capacity(ids.len());
        let mut distances = Vec::with_capacity(ids.len() * ids.len());
        for &id in &ids {
            let base = root.join(format!("node{id}"));
            let cpus = parse_list(&read(&base.join("cpulist")).unwrap_or_default())?;
            let memory_bytes = read(&base.join("meminfo"))
                .and_then(|t| meminfo_total(&t))
                .unwrap_or(0);
            // `distance` lists one entry per *possible* node in id order; keep
            // the columns of the nodes we list.
            let row: Vec<u32> = read(&base.join("distance"))
                .unwrap_or_default()
                .split_whitespace()
                .map(|d| {
                    d.parse()
                        .map_err(|_| Error::invalid(format!("bad distance `{d}` for node {id}")))
                })
                .collect::<Result<_>>()?;
            for (col, &other) in ids.iter().enumerate() {
                let fallback = if other == id {
                    LOCAL_DISTANCE
                } else {
                    2 * LOCAL_DISTANCE
                };
                let d = if row.len() == ids.len() {
                    row.get(col)
                } else {
                    row.get(other)
                };
                distances.push(d.copied().unwrap_or(fallback));
            }
            nodes.push(NumaNode {
                id,
                cpus,
                memory_bytes,
            });
        }
        Self::build(nodes, distances, Source::Sysfs)
    }

    /// One node (id 0) holding every online CPU and all physical memory.
    pub fn single_node() -> Topology {
        // SAFETY: sysconf has no memory-safety preconditions.
        let (ncpu, pages, psize) = unsafe {
            (
                libc::sysconf(libc::_SC_NPROCESSORS_ONLN),
                libc::sysconf(libc::_SC_PHYS_PAGES),
                libc::sysconf(libc::_SC_PAGESIZE),
            )
        };
        let cpus = (0..ncpu.max(1) as usize).collect();
        let memory_bytes = (pages.max(0) as u64).saturating_mul(psize.max(0) as u64);
        Topology {
            nodes: vec![NumaNode {
                id: 0,
                cpus,
                memory_bytes,
            }],
            distances: vec![LOCAL_DISTANCE],
            source: Source::SingleNode,
        }
    }

    /// A topology from explicit parts: `nodes` (any order) and the row-major
    /// `n × n` distance matrix in the *sorted-by-id* order of `nodes`.
    /// `InvalidArgument` when ids repeat, a CPU is in two nodes, or the matrix
    /// has the wrong size.
    pub fn from_parts(nodes: Vec<NumaNode>, distances: Vec<u32>) -> Result<Topology> {
        Self::build(nodes, distances, Source::Manual)
    }

    pub(crate) fn build(
        mut nodes: Vec<NumaNode>,
        distances: Vec<u32>,
        source: Source,
    ) -> Result<Topology> {
        if nodes.is_empty() {
            return Err(Error::invalid("a topology needs at least one node"));
        }
        nodes.sort_by_key(|n| n.id);
        if nodes.windows(2).any(|w| w[0].id == w[1].id) {
            return Err(Error::invalid("duplicate NUMA node id"));
        }
        if distances.len() != nodes.len() * nodes.len() {
            return Err(Error::invalid(format!(
                "distance matrix has {} entries, {} nodes need {}",
                distances.len(),
                nodes.len(),
                nodes.len() * nodes.len()
            )));
        }
        let mut all: Vec<usize> = nodes.iter().flat_map(|n| n.cpus.iter().copied()).collect();
        let total = all.len();
        all.sort_unstable();
        all.dedup();
        if all.len() != total {
            return Err(Error::invalid("a CPU is listed in two NUMA nodes"));
        }
        for n in &mut nodes {
            n.cpus.sort_unstable();
        }
        Ok(Topology {
            nodes,
            distances,
            source,
        })
    }

    /// Where this description came from.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Number of NUMA nodes (at least 1).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The nodes, sorted by id.
    pub fn nodes(&self) -> &[NumaNode] {
        &self.nodes
    }

    /// The node with kernel id `id`.
    pub fn node(&self, id: usize) -> Option<&NumaNode> {
        self.index_of(id).map(|i| &self.nodes[i])
    }

    fn index_of(&self, id: usize) -> Option<usize> {
        self.nodes.binary_search_by_key(&id, |n| n.id).ok()
    }

    /// Whether node `id` exists and has memory (so memory can be bound to it).
    pub fn has_memory(&self, id: usize) -> bool {
        self.node(id).is_some_and(|n| n.memory_bytes > 0)
    }

    /// The ids of the nodes with memory, ascending.
    pub fn memory_nodes(&self) -> Vec<usize> {
        self.nodes
            .iter()
            .filter(|n| n.memory_bytes > 0)
            .map(|n| n.id)
            .collect()
    }

    /// Total number of CPUs over all nodes.
    pub fn cpu_count(&self) -> usize {
        self.nodes.iter().map(|n| n.cpus.len()).sum()
    }

    /// The distance from node `a` to node `b` (10 = local), if both exist.
    pub fn distance(&self, a: usize, b: usize) -> Option<u32> {
        let (i, j) = (self.index_of(a)?, self.index_of(b)?);
        Some(self.distances[i * self.nodes.len() + j])
    }

    /// The node holding CPU `cpu`, if any.
    pub fn node_of_cpu(&self, cpu: usize) -> Option<usize> {
        self.nodes
            .iter()
            .find(|n| n.cpus.binary_search(&cpu).is_ok())
            .map(|n| n.id)
    }

    /// Check that memory can be placed on node `id`: `InvalidArgument` naming
    /// the existing nodes otherwise.
    pub fn check_node(&self, id: usize) -> Result<()> {
        if self.has_memory(id) {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "NUMA node {id} does not exist or has no memory (nodes with memory: {:?})",
                self.memory_nodes()
            )))
        }
    }

    /// The CPU the calling thread runs on now (`getcpu`).
    pub fn current_cpu() -> Result<usize> {
        os::current_cpu_node().map(|(cpu, _)| cpu)
    }

    /// The node the calling thread runs on now, as known to this topology:
    /// the kernel's answer when the topology lists it, else the node of the
    /// current CPU, else the first node.
    pub fn current_node(&self) -> usize {
        match os::current_cpu_node() {
            Ok((_, node)) if self.node(node).is_some() => node,
            Ok((cpu, _)) => self.node_of_cpu(cpu).unwrap_or(self.nodes[0].id),
            Err(_) => self.nodes[0].id,
        }
    }
}

/// Placement decisions as plain functions over a [`Topology`], so synthetic
/// topologies can test them on any machine.
pub mod placement {
    use super::Topology;

    /// The nodes with memory ordered by distance from `from` (nearest first,
    /// ties by id). `from` itself comes first if it has memory. Empty if the
    /// topology has no memory node.
    pub fn fallback_order(topo: &Topology, from: usize) -> Vec<usize> {
        let mut v = topo.memory_nodes();
        v.sort_by_key(|&n| (topo.distance(from, n).unwrap_or(u32::MAX), n));
        v
    }

    /// The node whose memory a thread on `cpu` should use: its own node if it
    /// has memory, else the nearest node with memory; for an unknown CPU the
    /// first node with memory. `None` only if no node has memory.
    pub fn home_node(topo: &Topology, cpu: usize) -> Option<usize> {
        match topo.node_of_cpu(cpu) {
            Some(n) => fallback_order(topo, n).first().copied(),
            None => topo.memory_nodes().first().copied(),
        }
    }

    /// The nearest node to `from` other than itself that has memory (for
    /// spilling when `from` is full); `None` on a single-node machine.
    pub fn nearest_other(topo: &Topology, from: usize) -> Option<usize> {
        fallback_order(topo, from).into_iter().find(|&n| n != from)
    }

    /// The nodes to interleave a shared region over: every node with memory.
    pub fn interleave_set(topo: &Topology) -> Vec<usize> {
        topo.memory_nodes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse() {
        assert_eq!(
            parse_list("0-3,8,10-11\n").unwrap(),
            vec![0, 1, 2, 3, 8, 10, 11]
        );
        assert_eq!(parse_list("").unwrap(), Vec::<usize>::new());
        assert!(parse_list("3-1").is_err());
        assert!(parse_list("x").is_err());
    }

    #[test]
    fn detect_never_fails_and_is_consistent() {
        let t = Topology::detect();
        assert!(t.node_count() >= 1);
        for n in t.nodes() {
            assert_eq!(t.distance(n.id, n.id), Some(LOCAL_DISTANCE));
        }
        let cur = t.current_node();
        assert!(t.node(cur).is_some());
    }
}
