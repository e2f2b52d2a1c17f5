//! Node-bound pages: `mmap` + `mbind`, optional huge pages, placement checks.
//!
//! [`Pages`] owns one mapping and unmaps it on drop. [`NodeMemory`] is the
//! page allocator for one node (bind or preferred policy); [`MapOptions`]
//! gives the general form (default, bind, preferred or interleave policy,
//! huge pages). [`node_of`] tells where a page actually lives, so placement
//! can be verified after first touch.

use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::{Mutex, OnceLock};

use super::os::{self, Huge, Policy};
use super::topology::Topology;
use crate::error::{Error, Result};

/// This machine's topology, detected on first use and cached.
pub fn topology() -> &'static Topology {
    static TOPO: OnceLock<Topology> = OnceLock::new();
    TOPO.get_or_init(Topology::detect)
}

/// The NUMA node holding the page at `ptr` (after first touch).
/// `Unavailable` without kernel NUMA support; `InvalidArgument` if unmapped.
pub fn node_of(ptr: *const u8) -> Result<usize> {
    os::node_of_addr(ptr)
}

/// How to map pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapOptions {
    /// NUMA policy applied before first touch.
    pub policy: Policy,
    /// Ask for huge pages: explicit `MAP_HUGETLB`, else transparent ones.
    pub huge: bool,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            policy: Policy::Default,
            huge: false,
        }
    }
}

impl MapOptions {
    /// Validate the policy's nodes against `topo`.
    pub fn check(&self, topo: &Topology) -> Result<()> {
        match &self.policy {
            Policy::Default => Ok(()),
            Policy::Bind(n) | Policy::Preferred(n) => topo.check_node(*n),
            Policy::Interleave(v) if v.is_empty() => {
                Err(Error::invalid("interleave needs at least one node"))
            }
            Policy::Interleave(v) => v.iter().try_for_each(|&n| topo.check_node(n)),
        }
    }
}

/// An owned region of anonymous pages, unmapped on drop.
#[derive(Debug)]
pub struct Pages {
    ptr: NonNull<u8>,
    len: usize,
    mapped: usize,
    huge: Huge,
}

// SAFETY: Pages owns its mapping exclusively; moving or sharing the owner
// between threads is fine (access to the bytes goes through raw pointers
// whose use is the caller's responsibility).
unsafe impl Send for Pages {}
// SAFETY: &Pages only exposes the address and lengths.
unsafe impl Sync for Pages {}

impl Pages {
    /// Map at least `len` bytes with `opts`. Errors: `InvalidArgument` for
    /// `len == 0`, absurd lengths or a node that does not exist;
    /// `Unavailable` when the policy needs NUMA and the kernel has none;
    /// `OutOfMemory` when mmap fails. Nothing stays mapped on error.
    pub fn map(len: usize, opts: &MapOptions) -> Result<Pages> {
        Self::map_aligned(len, 1, opts)
    }

    /// [`Pages::map`] at an address aligned to `align` (a power of two).
    pub fn map_aligned(len: usize, align: usize, opts: &MapOptions) -> Result<Pages> {
        opts.check(topology())?;
        let (ptr, mapped, huge) = os::map(len, align, opts.huge)?;
        let pages = Pages {
            ptr,
            len,
            mapped,
            huge,
        };
        if opts.policy != Policy::Default {
            // SAFETY: the region was just mapped by os::map and is untouched.
            unsafe { os::bind(ptr, mapped, &opts.policy) }?; // drop unmaps on error
        }
        Ok(pages)
    }

    /// Plain pages with the default policy (always available).
    pub fn plain(len: usize) -> Result<Pages> {
        Self::map(len, &MapOptions::default())
    }

    /// First byte (page aligned; 2 MiB aligned when huge pages were obtained).
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The length asked for.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a mapping is never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The length actually mapped (rounded up to the page or huge page size).
    pub fn mapped_len(&self) -> usize {
        self.mapped
    }

    /// How huge pages were obtained, if at all.
    pub fn huge(&self) -> Huge {
        self.huge
    }

    /// Give up ownership: the mapping stays until [`Pages::from_raw`] takes
    /// it back. The address is recorded so that `from_raw` can check it.
    pub fn into_raw(self) -> NonNull<u8> {
        let me = std::mem::ManuallyDrop::new(self);
        raw_registry()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(me.ptr.as_ptr() as usize, (me.len, me.mapped, me.huge));
        me.ptr
    }

    /// Take back a mapping given up by [`Pages::into_raw`]; `len` must be the
    /// length asked for at map time. `InvalidArgument` (and nothing changes)
    /// when `ptr` is not such a mapping or `len` differs.
    pub fn from_raw(ptr: *mut u8, len: usize) -> Result<Pages> {
        let mut reg = raw_registry().lock().unwrap_or_else(|e| e.into_inner());
        match reg.get(&(ptr as usize)) {
            Some(&(l, mapped, huge)) if l == len => {
                reg.remove(&(ptr as usize));
                let ptr = NonNull::new(ptr).expect("registered pointers are non-null");
                Ok(Pages {
                    ptr,
                    len,
                    mapped,
                    huge,
                })
            }
            Some(&(l, ..)) => Err(Error::invalid(format!(
                "{ptr:p} was allocated with size {l}, not {len}"
            ))),
            None => Err(Error::invalid(format!(
                "{ptr:p} is not a live ultra NUMA allocation"
            ))),
        }
    }

    /// The node of every page in the mapping (faulting untouched pages in).
    pub fn page_nodes(&self) -> Result<Vec<usize>> {
        let step = if self.huge == Huge::Explicit {
            os::HUGE_PAGE
        } else {
            os::page_size()
        };
        (0..self.mapped)
            .step_by(step)
            .map(|off| node_of(self.ptr.as_ptr().wrapping_add(off)))
            .collect()
    }
}

type Registry = Mutex<BTreeMap<usize, (usize, usize, Huge)>>;

fn raw_registry() -> &'static Registry {
    static REG: Registry = Mutex::new(BTreeMap::new());
    &REG
}

impl Drop for Pages {
    fn drop(&mut self) {
        // SAFETY: (ptr, mapped) came from os::map and is unmapped only here.
        unsafe { os::unmap(self.ptr, self.mapped) };
    }
}

/// The page allocator for one NUMA node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeMemory {
    node: usize,
    strict: bool,
}

impl NodeMemory {
    /// Memory strictly bound to `node` (`MPOL_BIND`). `InvalidArgument` if the
    /// node does not exist or has no memory.
    pub fn bind(node: usize) -> Result<NodeMemory> {
        topology().check_node(node)?;
        Ok(NodeMemory { node, strict: true })
    }

    /// Memory preferring `node` (`MPOL_PREFERRED`), spilling elsewhere when
    /// it is full.
    pub fn preferred(node: usize) -> Result<NodeMemory> {
        topology().check_node(node)?;
        Ok(NodeMemory {
            node,
            strict: false,
        })
    }

    /// The node of the calling thread, preferred.
    pub fn local() -> NodeMemory {
        let topo = topology();
        let node = topo.current_node();
        NodeMemory {
            node: if topo.has_memory(node) {
                node
            } else {
                topo.memory_nodes().first().copied().unwrap_or(0)
            },
            strict: false,
        }
    }

    /// The node id.
    pub fn node(&self) -> usize {
        self.node
    }

    /// The policy used for this node's pages.
    pub fn policy(&self) -> Policy {
        if self.strict {
            Policy::Bind(self.node)
        } else {
            Policy::Preferred(self.node)
        }
    }

    /// Map `len` bytes on this node (huge pages when `huge`). See [`Pages::map`].
    pub fn alloc(&self, len: usize, huge: bool) -> Result<Pages> {
        Pages::map(
            len,
            &MapOptions {
                policy: self.policy(),
                huge,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn raw_round_trip_checks_length() {
        let p = Pages::plain(100).unwrap();
        let raw = p.into_raw();
        assert_eq!(
            Pages::from_raw(raw.as_ptr(), 99).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        let mut x = 0u8;
        assert_eq!(
            Pages::from_raw(&mut x, 100).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        drop(Pages::from_raw(raw.as_ptr(), 100).unwrap());
        assert!(Pages::from_raw(raw.as_ptr(), 100).is_err());
    }

    #[test]
    fn nonexistent_node_is_invalid() {
        assert_eq!(
            NodeMemory::bind(4000).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        let opts = MapOptions {
            policy: Policy::Interleave(vec![]),
            huge: false,
        };
        assert_eq!(
            Pages::map(10, &opts).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
