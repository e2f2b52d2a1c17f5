//! Topology, node-bound pages and placement, on this machine and on fake
//! sysfs trees (so multi-node decisions run on a single-node machine).

use std::path::Path;

use ultra::ErrorKind;
use ultra::alloc::{MapOptions, NodeMemory, Pages, Policy, Topology, node_of, placement, topology};

/// A fake `/sys/devices/system/node` with the given nodes.
fn fake_sysfs(dir: &Path, nodes: &[(usize, &str, u64, &str)]) {
    for (id, cpus, kb, dist) in nodes {
        let d = dir.join(format!("node{id}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("cpulist"), format!("{cpus}\n")).unwrap();
        std::fs::write(
            d.join("meminfo"),
            format!("Node {id} MemTotal:       {kb} kB\nNode {id} MemFree: 1 kB\n"),
        )
        .unwrap();
        std::fs::write(d.join("distance"), format!("{dist}\n")).unwrap();
    }
    std::fs::write(dir.join("online"), "0-3\n").unwrap();
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("ultra-alloc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn four_node_sysfs_tree_and_decisions() {
    let d = tmpdir("four");
    // Two sockets of two nodes; node 3 is memoryless (CPUs only).
    fake_sysfs(
        &d,
        &[
            (0, "0-3", 1 << 20, "10 12 20 22"),
            (1, "4-7", 1 << 20, "12 10 22 20"),
            (2, "8-11", 1 << 20, "20 22 10 12"),
            (3, "12-15", 0, "22 20 12 10"),
        ],
    );
    let t = Topology::from_sysfs(&d).unwrap();
    assert_eq!(t.node_count(), 4);
    assert_eq!(t.cpu_count(), 16);
    assert_eq!(t.node(1).unwrap().memory_bytes, 1 << 30);
    assert_eq!(t.distance(0, 3), Some(22));
    assert_eq!(t.distance(3, 2), Some(12));
    assert_eq!(t.node_of_cpu(9), Some(2));
    assert_eq!(t.node_of_cpu(99), None);
    assert_eq!(t.memory_nodes(), vec![0, 1, 2]);
    assert_eq!(placement::fallback_order(&t, 0), vec![0, 1, 2]);
    assert_eq!(placement::fallback_order(&t, 3), vec![2, 1, 0]);
    // A CPU on the memoryless node uses the nearest node with memory.
    assert_eq!(placement::home_node(&t, 13), Some(2));
    assert_eq!(placement::home_node(&t, 5), Some(1));
    assert_eq!(placement::home_node(&t, 1000), Some(0));
    assert_eq!(placement::nearest_other(&t, 1), Some(0));
    assert_eq!(placement::interleave_set(&t), vec![0, 1, 2]);
    assert!(t.check_node(3).is_err());
    assert_eq!(
        t.check_node(7).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn sysfs_without_numa_degrades_and_bad_files_are_rejected() {
    let d = tmpdir("none");
    assert_eq!(
        Topology::from_sysfs(&d).unwrap_err().kind(),
        ErrorKind::Unavailable
    );
    assert_eq!(
        Topology::from_sysfs(&d.join("missing")).unwrap_err().kind(),
        ErrorKind::Unavailable
    );
    let one = Topology::single_node();
    assert_eq!(one.node_count(), 1);
    assert!(one.cpu_count() >= 1);
    assert_eq!(placement::home_node(&one, 0), Some(0));
    assert_eq!(placement::nearest_other(&one, 0), None);
    fake_sysfs(&d, &[(0, "0-x", 1, "10")]);
    assert_eq!(
        Topology::from_sysfs(&d).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn from_parts_validates() {
    use ultra::alloc::NumaNode;
    let n = |id, cpus: Vec<usize>| NumaNode {
        id,
        cpus,
        memory_bytes: 1,
    };
    assert!(Topology::from_parts(vec![n(0, vec![0]), n(1, vec![1])], vec![10, 20, 20, 10]).is_ok());
    assert!(
        Topology::from_parts(vec![n(0, vec![0]), n(1, vec![0])], vec![10, 20, 20, 10]).is_err()
    );
    assert!(
        Topology::from_parts(vec![n(0, vec![0]), n(0, vec![1])], vec![10, 20, 20, 10]).is_err()
    );
    assert!(Topology::from_parts(vec![n(0, vec![0])], vec![10, 20]).is_err());
    assert!(Topology::from_parts(vec![], vec![]).is_err());
}

#[test]
fn current_cpu_and_node_are_in_the_topology() {
    let t = topology();
    let cpu = Topology::current_cpu().unwrap();
    assert!(t.node_of_cpu(cpu).is_some() || t.source() == ultra::alloc::Source::SingleNode);
    assert!(t.node(t.current_node()).is_some());
}

/// Every page of a node-bound allocation reports that node after first touch.
#[test]
fn bound_pages_live_on_their_node() {
    for node in topology().memory_nodes() {
        let mem = NodeMemory::bind(node).unwrap();
        let pages = match mem.alloc(64 << 10, false) {
            Err(e) if e.kind() == ErrorKind::Unavailable => {
                eprintln!("skipping placement check: {e}");
                return;
            }
            r => r.unwrap(),
        };
        // SAFETY: the mapping is ours and writable.
        unsafe { pages.as_ptr().write_bytes(0xa5, pages.mapped_len()) };
        let nodes = pages.page_nodes().unwrap();
        assert_eq!(nodes.len(), pages.mapped_len() / 4096);
        assert!(
            nodes.iter().all(|&n| n == node),
            "pages on {nodes:?}, bound to {node}"
        );
        let pref = NodeMemory::preferred(node)
            .unwrap()
            .alloc(8192, false)
            .unwrap();
        // SAFETY: as above.
        unsafe { pref.as_ptr().write_bytes(1, 8192) };
        assert_eq!(node_of(pref.as_ptr()).unwrap(), node);
    }
}

#[test]
fn interleave_and_huge_pages() {
    let set = topology().memory_nodes();
    let opts = MapOptions {
        policy: Policy::Interleave(set.clone()),
        huge: false,
    };
    let p = Pages::map(256 << 10, &opts).unwrap();
    // SAFETY: ours and writable.
    unsafe { p.as_ptr().write_bytes(3, p.mapped_len()) };
    assert!(p.page_nodes().unwrap().iter().all(|n| set.contains(n)));

    let h = NodeMemory::local().alloc(3 << 20, true).unwrap();
    assert_eq!(h.mapped_len(), 4 << 20);
    assert_eq!(h.as_ptr() as usize % (2 << 20), 0);
    // SAFETY: ours and writable.
    unsafe { h.as_ptr().write_bytes(9, h.mapped_len()) };
    eprintln!("huge pages obtained as {:?}", h.huge());
    assert_eq!(node_of(h.as_ptr()).unwrap(), NodeMemory::local().node());
}

#[test]
fn bad_input_is_rejected_without_crashing() {
    assert_eq!(
        Pages::plain(0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        Pages::plain(usize::MAX).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert!(Pages::plain(1 << 60).is_err());
    assert_eq!(
        NodeMemory::bind(1000).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        NodeMemory::preferred(usize::MAX).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let opts = MapOptions {
        policy: Policy::Bind(5000),
        huge: true,
    };
    assert_eq!(
        Pages::map(4096, &opts).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    // An address that is never mapped: below `vm.mmap_min_addr` (at least
    // 4 KiB on Linux), so no other thread's mapping can land there meanwhile.
    assert!(node_of(std::ptr::without_provenance::<u8>(0x100)).is_err());
}
