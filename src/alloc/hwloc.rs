//! The same [`Topology`] from hwloc (feature `hwloc`, via hwlocality and the
//! system libhwloc), plus the NUMA node nearest a PCI device.
//!
//! hwloc also builds *synthetic* topologies from a description such as
//! `"pack:2 numa:2 core:4 pu:1"`, which lets the placement decisions in
//! [`placement`](super::placement) run on multi-node layouts on any machine.
//! Synthetic topologies carry no distance matrix, so distances are derived
//! from the hierarchy: 10 to itself, 20 within a package, 32 across packages.

use hwlocality::Topology as HwTopology;
use hwlocality::object::TopologyObject;
use hwlocality::object::types::ObjectType;
use hwlocality::topology::builder::TypeFilter;

use super::topology::{LOCAL_DISTANCE, NumaNode, Source, Topology};
use crate::error::{Error, Result};

fn hw_err(e: impl std::fmt::Display) -> Error {
    Error::unavailable(format!("hwloc: {e}"))
}

fn same_package(a: &TopologyObject, b: &TopologyObject) -> bool {
    a.ancestors().any(|x| {
        x.object_type() == ObjectType::Package && b.ancestors().any(|y| std::ptr::eq(x, y))
    })
}

impl Topology {
    /// Convert an hwloc topology.
    pub fn from_hwloc(hw: &HwTopology) -> Result<Topology> {
        let objs: Vec<&TopologyObject> = hw.objects_with_type(ObjectType::NUMANode).collect();
        if objs.is_empty() {
            return Err(Error::unavailable("hwloc reports no NUMA node"));
        }
        let mut order: Vec<(usize, &TopologyObject)> = objs
            .iter()
            .enumerate()
            .map(|(i, o)| (o.os_index().unwrap_or(i), *o))
            .collect();
        order.sort_by_key(|(id, _)| *id);
        let nodes = order
            .iter()
            .map(|(id, o)| NumaNode {
                id: *id,
                cpus: o
                    .cpuset()
                    .map(|c| c.iter_set().map(usize::from).collect())
                    .unwrap_or_default(),
                memory_bytes: o.total_memory(),
            })
            .collect();
        let mut distances = Vec::with_capacity(order.len() * order.len());
        for (_, a) in &order {
            for (_, b) in &order {
                distances.push(if std::ptr::eq(*a, *b) {
                    LOCAL_DISTANCE
                } else if same_package(a, b) {
                    2 * LOCAL_DISTANCE
                } else {
                    32
                });
            }
        }
        Topology::build(nodes, distances, Source::Hwloc)
    }

    /// The topology of this machine as hwloc sees it.
    pub fn from_hwloc_system() -> Result<Topology> {
        Self::from_hwloc(&HwTopology::new().map_err(hw_err)?)
    }

    /// A synthetic topology, e.g. `"pack:2 numa:2 core:4 pu:1"` (2 packages ×
    /// 2 NUMA nodes × 4 cores). `InvalidArgument` for a bad description.
    pub fn from_hwloc_synthetic(description: &str) -> Result<Topology> {
        let hw = HwTopology::builder()
            .from_synthetic(description)
            .map_err(|e| {
                Error::invalid(format!("hwloc synthetic description `{description}`: {e}"))
            })?
            .build()
            .map_err(hw_err)?;
        Self::from_hwloc(&hw)
    }
}

/// The NUMA node nearest the PCI device `bus_id` (`"0000:65:00.0"` or
/// `"65:00.0"`): the first node of its closest non-I/O ancestor. Used to put
/// pinned host buffers next to a GPU or NIC. `InvalidArgument` for a
/// malformed id, `NotFound` when no such device is visible.
pub fn nearest_node_to_pci(bus_id: &str) -> Result<usize> {
    let hw = HwTopology::builder()
        .with_io_type_filter(TypeFilter::KeepImportant)
        .map_err(hw_err)?
        .build()
        .map_err(hw_err)?;
    let dev = hw
        .pci_device_by_bus_id_string(bus_id)
        .map_err(|_| Error::invalid(format!("`{bus_id}` is not a PCI bus id")))?
        .ok_or(Error::NotFound)?;
    let anchor = dev.first_non_io_ancestor().ok_or(Error::NotFound)?;
    anchor
        .nodeset()
        .and_then(|n| n.first_set())
        .map(usize::from)
        .ok_or(Error::NotFound)
}
