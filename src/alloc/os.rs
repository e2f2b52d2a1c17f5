//! The OS primitive layer: every system call the allocators make, behind one
//! narrow contract.
//!
//! # Contract
//!
//! - [`map`] returns fresh, zero-filled, private anonymous memory of at least
//!   the requested length, aligned to the page size (2 MiB for
//!   [`Huge::Explicit`]), or an error; it never returns a partial mapping.
//!   [`unmap`] takes back exactly a region [`map`] returned (same address,
//!   same mapped length).
//! - [`bind`] applies a NUMA policy to a mapped region before first touch;
//!   pages touched afterwards are placed by it. A kernel built without NUMA
//!   (`ENOSYS`) gives [`Error::Unavailable`]; a node the kernel rejects
//!   (`EINVAL`, e.g. no such node or a node without memory) gives
//!   [`Error::InvalidArgument`]. A failed `bind` leaves the region mapped and
//!   unbound: the caller decides whether to unmap it.
//! - [`node_of_addr`] reports the node holding the page at an address, faulting
//!   the page in if it was never touched (so call it after first touch).
//! - [`current_cpu_node`] asks the kernel (`getcpu`) which CPU and node the
//!   calling thread runs on right now; the answer may be stale by the time it
//!   is used (the thread may migrate), which is fine for placement hints.
//! - Nothing here panics or aborts on a refused call: every failure is an
//!   [`Error`]. "No NUMA" is one more backend: [`bind`] says `Unavailable`,
//!   plain pages still work.
//!
//! NUMA calls go through `libc::syscall` (`mbind`, `get_mempolicy`,
//! `getcpu`), so no libnuma is needed at build or run time.

use std::ptr::NonNull;

use crate::error::{Error, Result};

/// Size of a huge page used with `MAP_HUGETLB` and transparent huge pages
/// (the x86-64 / aarch64-4K default; others fall back to normal pages).
pub const HUGE_PAGE: usize = 2 << 20;

/// The most NUMA nodes the policy calls express (bits in the node mask).
pub const MAX_NODES: usize = 1024;

const MPOL_DEFAULT: i32 = 0;
const MPOL_PREFERRED: i32 = 1;
const MPOL_BIND: i32 = 2;
const MPOL_INTERLEAVE: i32 = 3;
const MPOL_F_NODE: libc::c_ulong = 1;
const MPOL_F_ADDR: libc::c_ulong = 2;

/// The system page size in bytes (`sysconf(_SC_PAGESIZE)`, 4096 if unknown).
pub fn page_size() -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}

/// How huge pages were obtained for a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Huge {
    /// Normal pages.
    No,
    /// Explicit huge pages from the hugetlbfs pool (`MAP_HUGETLB`).
    Explicit,
    /// Normal pages advised to become transparent huge pages (`MADV_HUGEPAGE`).
    Transparent,
}

/// Round `n` up to a multiple of the power of two `to`; `None` on overflow.
pub fn round_up(n: usize, to: usize) -> Option<usize> {
    debug_assert!(to.is_power_of_two());
    n.checked_add(to - 1).map(|v| v & !(to - 1))
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn raw_map(len: usize, extra_flags: i32) -> Option<NonNull<u8>> {
    // SAFETY: an anonymous private mapping with a NULL hint touches no
    // existing memory; failure is reported as MAP_FAILED.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | extra_flags,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        None
    } else {
        NonNull::new(p.cast())
    }
}

/// Map `len` bytes (rounded up to the page size, or to [`HUGE_PAGE`] when
/// `huge`) of fresh anonymous memory aligned to `align` (a power of two; the
/// page size or the huge page size at least). Returns the address, the mapped
/// length and how huge pages were obtained: explicit `MAP_HUGETLB` first, then
/// transparent huge pages (`MADV_HUGEPAGE` on a 2 MiB-aligned region), then
/// plain pages if even the advice is refused.
pub fn map(len: usize, align: usize, huge: bool) -> Result<(NonNull<u8>, usize, Huge)> {
    if len == 0 {
        return Err(Error::invalid("mapping length must be > 0"));
    }
    if !align.is_power_of_two() {
        return Err(Error::invalid(format!(
            "alignment {align} is not a power of two"
        )));
    }
    let unit = if huge { HUGE_PAGE } else { page_size() };
    let too_big = || Error::invalid(format!("mapping length {len} is too large"));
    let mapped = round_up(len, unit)
        .filter(|&m| m <= isize::MAX as usize / 2)
        .ok_or_else(too_big)?;
    let align = align.max(unit);
    if huge && let Some(p) = map_aligned(mapped, align, libc::MAP_HUGETLB) {
        return Ok((p, mapped, Huge::Explicit));
    }
    let p = map_aligned(mapped, align, 0)
        .ok_or_else(|| Error::out_of_memory(format!("mmap of {mapped} bytes failed")))?;
    if !huge {
        return Ok((p, mapped, Huge::No));
    }
    // SAFETY: [p, p+mapped) is our fresh private mapping; madvise only
    // changes how the kernel backs it.
    let advised = unsafe { libc::madvise(p.as_ptr().cast(), mapped, libc::MADV_HUGEPAGE) };
    Ok((
        p,
        mapped,
        if advised == 0 {
            Huge::Transparent
        } else {
            Huge::No
        },
    ))
}

/// mmap `len` bytes at an `align`-aligned address: over-map by `align` and
/// trim both ends (the trims are multiples of the mapping's page size because
/// `len`, `align` and the kernel's address are).
fn map_aligned(len: usize, align: usize, flags: i32) -> Option<NonNull<u8>> {
    let natural = if flags & libc::MAP_HUGETLB != 0 {
        HUGE_PAGE
    } else {
        page_size()
    };
    if align <= natural {
        return raw_map(len, flags);
    }
    let over = len.checked_add(align)?;
    let raw = raw_map(over, flags)?;
    let start = raw.as_ptr() as usize;
    let aligned = round_up(start, align)?;
    let head = aligned - start;
    let tail = over - head - len;
    // SAFETY: [start, start+head) and [aligned+len, start+over) lie inside
    // the mapping just made and nobody else knows of it yet.
    unsafe {
        if head > 0 {
            libc::munmap(start as *mut libc::c_void, head);
        }
        if tail > 0 {
            libc::munmap((aligned + len) as *mut libc::c_void, tail);
        }
    }
    NonNull::new(aligned as *mut u8)
}

/// Unmap a region returned by [`map`].
///
/// # Safety
/// `(ptr, mapped)` is exactly a region returned by [`map`], not yet unmapped,
/// and nothing uses its memory any more.
pub unsafe fn unmap(ptr: NonNull<u8>, mapped: usize) {
    // SAFETY: per the contract, this is a live mapping of ours.
    let rc = unsafe { libc::munmap(ptr.as_ptr().cast(), mapped) };
    debug_assert_eq!(rc, 0, "munmap of an ultra mapping failed");
}

/// A NUMA memory policy for a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// The thread's default: first touch places the page (normally on the
    /// toucher's node). Always available.
    Default,
    /// Only this node; allocation fails (the process is killed by the OOM
    /// killer, as with libnuma) rather than spill to another node.
    Bind(usize),
    /// This node first, other nodes when it is full.
    Preferred(usize),
    /// Pages spread round-robin over these nodes (non-empty).
    Interleave(Vec<usize>),
}

fn node_mask(nodes: &[usize]) -> Result<[libc::c_ulong; MAX_NODES / 64]> {
    let mut mask = [0 as libc::c_ulong; MAX_NODES / 64];
    if nodes.is_empty() {
        return Err(Error::invalid("a NUMA policy needs at least one node"));
    }
    for &n in nodes {
        if n >= MAX_NODES {
            return Err(Error::invalid(format!("NUMA node {n} does not exist")));
        }
        mask[n / 64] |= 1 << (n % 64);
    }
    Ok(mask)
}

/// Apply `policy` to `[ptr, ptr + len)` with `mbind`. See the module contract
/// for the errors.
///
/// # Safety
/// `[ptr, ptr + len)` is a page-aligned region mapped by [`map`].
pub unsafe fn bind(ptr: NonNull<u8>, len: usize, policy: &Policy) -> Result<()> {
    let (mode, nodes): (i32, Vec<usize>) = match policy {
        Policy::Default => (MPOL_DEFAULT, Vec::new()),
        Policy::Bind(n) => (MPOL_BIND, vec![*n]),
        Policy::Preferred(n) => (MPOL_PREFERRED, vec![*n]),
        Policy::Interleave(v) => (MPOL_INTERLEAVE, v.clone()),
    };
    let mask = if nodes.is_empty() {
        None
    } else {
        Some(node_mask(&nodes)?)
    };
    let (mask_ptr, maxnode) = match &mask {
        Some(m) => (m.as_ptr(), (MAX_NODES + 1) as libc::c_ulong),
        None => (std::ptr::null(), 0),
    };
    // SAFETY: mbind reads `maxnode - 1` bits from `mask_ptr` (a live local
    // array of MAX_NODES bits) and changes only the policy of our region.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mbind,
            ptr.as_ptr(),
            len as libc::c_ulong,
            mode as libc::c_ulong,
            mask_ptr,
            maxnode,
            0 as libc::c_ulong,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    match errno() {
        libc::ENOSYS => Err(Error::unavailable(
            "the kernel has no NUMA support (mbind: ENOSYS)",
        )),
        libc::EINVAL => Err(Error::invalid(format!(
            "NUMA policy {policy:?} rejected by the kernel (no such node, or a node without memory)"
        ))),
        libc::ENOMEM | libc::EFAULT => Err(Error::out_of_memory("mbind: ENOMEM")),
        libc::EPERM => Err(Error::unavailable("mbind: EPERM (policy not permitted)")),
        e => Err(Error::unavailable(format!("mbind failed with errno {e}"))),
    }
}

/// The NUMA node of the page holding `addr` (`get_mempolicy(MPOL_F_NODE |
/// MPOL_F_ADDR)`). Faults the page in if it was never touched.
///
/// `Unavailable` when the kernel has no NUMA support; `InvalidArgument` when
/// `addr` is not mapped.
pub fn node_of_addr(addr: *const u8) -> Result<usize> {
    let mut node: libc::c_int = -1;
    // SAFETY: get_mempolicy writes one int through `&mut node`; with
    // MPOL_F_ADDR it only inspects the address, and reports an unmapped one
    // as EFAULT instead of touching it.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_get_mempolicy,
            &mut node as *mut libc::c_int,
            std::ptr::null_mut::<libc::c_ulong>(),
            0 as libc::c_ulong,
            addr as usize,
            MPOL_F_NODE | MPOL_F_ADDR,
        )
    };
    if rc == 0 && node >= 0 {
        return Ok(node as usize);
    }
    match errno() {
        libc::ENOSYS => Err(Error::unavailable(
            "the kernel has no NUMA support (get_mempolicy: ENOSYS)",
        )),
        libc::EFAULT | libc::EINVAL => {
            Err(Error::invalid(format!("address {addr:p} is not mapped")))
        }
        e => Err(Error::unavailable(format!(
            "get_mempolicy failed with errno {e}"
        ))),
    }
}

/// The CPU and NUMA node the calling thread is running on (`getcpu`).
/// `Unavailable` if the kernel refuses the call.
pub fn current_cpu_node() -> Result<(usize, usize)> {
    let mut cpu: libc::c_uint = 0;
    let mut node: libc::c_uint = 0;
    // SAFETY: getcpu writes one unsigned int through each non-NULL pointer;
    // the third (cache) argument is unused since Linux 2.6.24 and NULL.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_getcpu,
            &mut cpu as *mut libc::c_uint,
            &mut node as *mut libc::c_uint,
            std::ptr::null_mut::<libc::c_void>(),
        )
    };
    if rc == 0 {
        Ok((cpu as usize, node as usize))
    } else {
        Err(Error::unavailable(format!(
            "getcpu failed with errno {}",
            errno()
        )))
    }
}

/// Tell the kernel the pages of `[ptr, ptr + len)` are no longer needed
/// (`MADV_DONTNEED`): they read back as zero and their memory is released.
///
/// # Safety
/// The region is page-aligned, mapped by [`map`], and holds nothing anyone
/// will read again.
pub unsafe fn discard(ptr: NonNull<u8>, len: usize) {
    // SAFETY: per the contract the region is ours and dead.
    unsafe { libc::madvise(ptr.as_ptr().cast(), len, libc::MADV_DONTNEED) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_rounds_and_zero_fills() {
        let (p, mapped, huge) = map(10, 1, false).unwrap();
        assert_eq!(huge, Huge::No);
        assert_eq!(mapped, page_size());
        // SAFETY: fresh mapping of `mapped` bytes.
        let s = unsafe { std::slice::from_raw_parts(p.as_ptr(), mapped) };
        assert!(s.iter().all(|&b| b == 0));
        // SAFETY: region from map above.
        unsafe { unmap(p, mapped) };
    }

    #[test]
    fn zero_and_absurd_lengths_fail() {
        assert_eq!(
            map(0, 1, false).unwrap_err().kind(),
            crate::ErrorKind::InvalidArgument
        );
        assert_eq!(
            map(usize::MAX, 1, true).unwrap_err().kind(),
            crate::ErrorKind::InvalidArgument
        );
        assert!(map(1 << 62, 1, false).is_err());
    }

    #[test]
    fn huge_falls_back_cleanly() {
        let (p, mapped, _kind) = map(1, 1, true).unwrap();
        assert_eq!(mapped, HUGE_PAGE);
        assert_eq!(p.as_ptr() as usize % HUGE_PAGE, 0);
        // SAFETY: region from map above; writable.
        unsafe {
            p.as_ptr().write_bytes(7, mapped);
            unmap(p, mapped);
        }
    }
}
