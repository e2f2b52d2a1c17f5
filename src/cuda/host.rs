//! Page-aligned host memory placed on a NUMA node: the backing store of
//! [`PinnedBuffer`](super::PinnedBuffer).
//!
//! `mmap` reserves anonymous pages, `mbind(MPOL_BIND)` restricts them to the
//! node, and touching every page faults them in there *before* the driver
//! page-locks them with `cuMemHostRegister` (pinning keeps pages where they
//! are, so placement must come first). Without NUMA (`mbind` fails, or the
//! node is unknown) the pages are left to the kernel's default policy.
//! [`node_of`] asks the kernel where a page actually lives.

use crate::error::{Error, Result};

const MPOL_BIND: libc::c_int = 2;
const MPOL_F_NODE: libc::c_ulong = 1;
const MPOL_F_ADDR: libc::c_ulong = 2;
/// Node masks cover nodes `0 .. MAX_NODES`.
const MAX_NODES: usize = 1024;

/// Anonymous, page-aligned, zero-filled host pages, unmapped on drop.
#[derive(Debug)]
pub(crate) struct HostPages {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: HostPages exclusively owns its mapping; the raw pointer is not shared.
unsafe impl Send for HostPages {}
// SAFETY: shared access only hands out `&[u8]`.
unsafe impl Sync for HostPages {}

impl HostPages {
    /// Map `len > 0` bytes, bound to `node` when given and the kernel allows
    /// it (returns whether the binding took), with every page faulted in.
    pub(crate) fn new(len: usize, node: Option<u32>) -> Result<(Self, bool)> {
        if len == 0 {
            return Err(Error::invalid("pinned buffers must be at least 1 byte"));
        }
        // SAFETY: anonymous private mapping with no address hint; the result is
        // checked against MAP_FAILED before use.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(Error::out_of_memory(format!("mmap of {len} bytes failed")));
        }
        let pages = HostPages {
            ptr: ptr.cast(),
            len,
        };
        let bound = node.is_some_and(|n| pages.bind(n));
        // Fault every page in now, under the binding.
        let page = page_size();
        for off in (0..len).step_by(page) {
            // SAFETY: `off < len`, inside the fresh writable mapping.
            unsafe { pages.ptr.add(off).write_volatile(0) };
        }
        Ok((pages, bound))
    }

    fn bind(&self, node: u32) -> bool {
        let node = node as usize;
        if node >= MAX_NODES {
            return false;
        }
        let mut mask = [0 as libc::c_ulong; MAX_NODES / 64];
        mask[node / 64] |= 1 << (node % 64);
        // SAFETY: the range is our own mapping; `mask` holds MAX_NODES bits and
        // lives across the call.
        let r = unsafe {
            libc::syscall(
                libc::SYS_mbind,
                self.ptr,
                self.len,
                MPOL_BIND,
                mask.as_ptr(),
                MAX_NODES as libc::c_ulong + 1,
                0 as libc::c_uint,
            )
        };
        r == 0
    }

    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl Drop for HostPages {
    fn drop(&mut self) {
        // SAFETY: `ptr/len` is exactly the mapping made in `new`, unmapped once.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 { p as usize } else { 4096 }
}

/// The NUMA node holding the (faulted-in) page at `addr`; `None` when the
/// kernel cannot say (no NUMA support).
pub(crate) fn node_of(addr: *const u8) -> Option<u32> {
    let mut node: libc::c_int = -1;
    // SAFETY: MPOL_F_NODE|MPOL_F_ADDR writes one int to `node`; a NULL nodemask
    // with maxnode 0 is allowed; `addr` is only looked up, not dereferenced.
    let r = unsafe {
        libc::syscall(
            libc::SYS_get_mempolicy,
            &mut node as *mut libc::c_int,
            std::ptr::null_mut::<libc::c_ulong>(),
            0 as libc::c_ulong,
            addr,
            MPOL_F_NODE | MPOL_F_ADDR,
        )
    };
    (r == 0 && node >= 0).then_some(node as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_zeroed_and_placed() {
        let (p, bound) = HostPages::new(3 * 4096 + 5, Some(0)).unwrap();
        assert_eq!(p.len(), 3 * 4096 + 5);
        // SAFETY: the mapping is `len` readable bytes.
        let bytes = unsafe { std::slice::from_raw_parts(p.as_ptr(), p.len()) };
        assert!(bytes.iter().all(|&b| b == 0));
        if bound {
            assert_eq!(node_of(p.as_ptr()), Some(0));
        }
        assert!(HostPages::new(0, None).is_err());
        let (q, bound) = HostPages::new(10, Some(MAX_NODES as u32)).unwrap();
        assert!(!bound);
        drop(q);
    }
}
