//! Placement decisions on hwloc synthetic topologies (feature `hwloc`), so
//! multi-node logic runs on a single-node machine.
#![cfg(feature = "hwloc")]

use ultra::ErrorKind;
use ultra::alloc::hwloc::nearest_node_to_pci;
use ultra::alloc::{Topology, placement};

#[test]
fn two_packages_two_nodes_each() {
    let t = Topology::from_hwloc_synthetic("pack:2 numa:2 core:4 pu:1").unwrap();
    assert_eq!(t.node_count(), 4);
    assert_eq!(t.cpu_count(), 16);
    for n in t.nodes() {
        assert_eq!(n.cpus.len(), 4);
        assert!(n.memory_bytes > 0);
    }
    assert_eq!(t.node_of_cpu(0), Some(0));
    assert_eq!(t.node_of_cpu(13), Some(3));
    assert_eq!(t.distance(0, 0), Some(10));
    assert_eq!(t.distance(0, 1), Some(20));
    assert_eq!(t.distance(0, 2), Some(32));
    assert_eq!(placement::fallback_order(&t, 2), vec![2, 3, 0, 1]);
    assert_eq!(placement::home_node(&t, 6), Some(1));
    assert_eq!(placement::nearest_other(&t, 3), Some(2));
    assert_eq!(placement::interleave_set(&t), vec![0, 1, 2, 3]);
}

#[test]
fn bad_description_and_system_topology() {
    let e = Topology::from_hwloc_synthetic("pack:banana").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let sys = Topology::from_hwloc_system().unwrap();
    assert_eq!(sys.node_count(), ultra::alloc::topology().node_count());
    assert_eq!(sys.cpu_count(), ultra::alloc::topology().cpu_count());
}

#[test]
fn pci_lookup_errors() {
    assert_eq!(
        nearest_node_to_pci("not-a-bus").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        nearest_node_to_pci("ffff:ff:1f.7").unwrap_err().kind(),
        ErrorKind::NotFound
    );
}
