//! `allocator-api2` [`Allocator`] impls, so collections that take an
//! allocator (hashbrown's `HashMap::new_in`, `allocator_api2::vec::Vec`) can
//! live in an arena or a pool.
//!
//! The version is the one hashbrown 0.15's `allocator-api2` feature uses
//! (0.2), so the trait is the same trait hashbrown asks for.

use std::alloc::Layout;
use std::ptr::NonNull;

use allocator_api2::alloc::{AllocError, Allocator};

use super::arena::Arena;
use super::pool::Pool;

// SAFETY: blocks stay valid until deallocated (or, for the arena, until
// `reset`, which needs `&mut Arena` and so cannot happen while a `&Arena`
// allocator is in use); distinct calls return distinct memory; a grow or
// shrink either moves the bytes into a fresh block or adjusts the arena's
// last allocation in place.
unsafe impl Allocator for &Arena {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let p = self.alloc_layout(layout).map_err(|_| AllocError)?;
        Ok(NonNull::slice_from_raw_parts(p, layout.size()))
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.free_last(ptr, layout.size());
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if new.align() <= old.align() && self.grow_last(ptr, old.size(), new.size()) {
            return Ok(NonNull::slice_from_raw_parts(ptr, new.size()));
        }
        let fresh = self.allocate(new)?;
        // SAFETY: both regions are live arena memory, the new one is fresh
        // and at least old.size() long, so they cannot overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(ptr.as_ptr(), fresh.cast::<u8>().as_ptr(), old.size())
        };
        Ok(fresh)
    }
}

// SAFETY: every block is a distinct pool object of `object_size >=
// layout.size()` bytes aligned to `align >= layout.align()`, valid until it
// is deallocated; larger layouts are refused with AllocError.
unsafe impl Allocator for &Pool {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if !self.fits(layout) {
            return Err(AllocError);
        }
        let p = self.alloc().map_err(|_| AllocError)?;
        Ok(NonNull::slice_from_raw_parts(p, self.object_size()))
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, _layout: Layout) {
        // SAFETY: the Allocator contract says `ptr` came from this pool.
        let freed = unsafe { self.free(ptr) };
        debug_assert!(freed.is_ok(), "foreign pointer deallocated into a pool");
    }
}
