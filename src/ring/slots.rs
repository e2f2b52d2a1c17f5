//! `Slots<T>`: the storage every ring shares — a fixed array of possibly
//! uninitialised `T`, reached only through `unsafe` methods whose callers
//! prove, by the ring's index protocol, that no other thread touches the same
//! elements at the same time.
//!
//! In a normal build the array is one contiguous allocation of
//! `core::cell::UnsafeCell<MaybeUninit<T>>` (which is `repr(transparent)`, so
//! the array *is* a `[MaybeUninit<T>]`) and the slice copies are single
//! `memcpy`s. Under `cfg(loom)` each element is a [`crate::sync::UnsafeCell`],
//! so loom checks every element access for data races; the copies then go
//! element by element. This file is the only place in `ring` where the two
//! builds differ.

use std::mem::MaybeUninit;

#[cfg(not(loom))]
type Cell<T> = core::cell::UnsafeCell<MaybeUninit<T>>;
#[cfg(loom)]
type Cell<T> = crate::sync::UnsafeCell<MaybeUninit<T>>;

/// One possibly-uninitialised `T`, for rings that keep other data beside
/// each value (the MPMC slot's sequence number).
#[repr(transparent)]
pub(crate) struct ValueCell<T>(Cell<T>);

impl<T> ValueCell<T> {
    /// An uninitialised cell.
    pub(crate) fn new() -> Self {
        Self(Cell::new(MaybeUninit::uninit()))
    }

    /// Move `value` in.
    ///
    /// # Safety
    /// The cell is uninitialised (or was moved out of) and no other thread
    /// accesses it during the call.
    #[inline(always)]
    pub(crate) unsafe fn write(&self, value: T) {
        #[cfg(not(loom))]
        // SAFETY: exclusive access per the contract; UnsafeCell permits the write.
        unsafe {
            (*self.0.get()).write(value)
        };
        #[cfg(loom)]
        // SAFETY: exclusive access per the contract.
        self.0.with_mut(|p| unsafe { (*p).write(value) });
    }

    /// Move the value out, leaving the cell logically uninitialised.
    ///
    /// # Safety
    /// The cell holds a value and no other thread accesses it during the call.
    #[inline(always)]
    pub(crate) unsafe fn read(&self) -> T {
        #[cfg(not(loom))]
        // SAFETY: initialised and exclusively ours per the contract.
        return unsafe { (*self.0.get()).assume_init_read() };
        #[cfg(loom)]
        // SAFETY: initialised and exclusively ours per the contract.
        self.0.with(|p| unsafe { (*p).assume_init_read() })
    }
}

// SAFETY: plain storage reached only through the `unsafe` methods above,
// whose callers exclude concurrent access; moving `T` across threads needs `T: Send`.
unsafe impl<T: Send> Sync for ValueCell<T> {}

/// A fixed-size array of `len` possibly-uninitialised `T`.
///
/// `Slots` never drops its elements: the owning ring knows which are live.
pub(crate) struct Slots<T> {
    cells: Box<[Cell<T>]>,
}

// SAFETY: `Slots` is plain storage; every access is an `unsafe` method whose
// caller guarantees exclusive access to the touched elements (the rings'
// index protocols). Moving `T`s between threads needs `T: Send`.
unsafe impl<T: Send> Send for Slots<T> {}
// SAFETY: as above; shared references only reach elements through the
// `unsafe` methods, whose callers exclude concurrent access to one element.
unsafe impl<T: Send> Sync for Slots<T> {}

impl<T> Slots<T> {
    /// `len` uninitialised elements, or `OutOfMemory`.
    pub(crate) fn new(len: usize) -> crate::Result<Self> {
        let cells = super::try_boxed(len, |_| Cell::new(MaybeUninit::uninit()))?;
        Ok(Self { cells })
    }

    /// Number of elements.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Raw pointer to element `i` (normal build only).
    #[cfg(not(loom))]
    #[inline(always)]
    fn at(&self, i: usize) -> *mut T {
        debug_assert!(i <= self.cells.len());
        // SAFETY: `i <= len`, so the offset stays inside (or one past) the
        // allocation; `Cell<T>` is `repr(transparent)` over `MaybeUninit<T>`,
        // which has `T`'s layout, and the pointer comes from the whole slice
        // (so its provenance covers every element) through `UnsafeCell`,
        // which permits writes through a shared reference.
        unsafe { (self.cells.as_ptr() as *mut T).add(i) }
    }

    /// Move `value` into element `i` (loom build: the normal build writes
    /// through [`RawSlots::write`] or the slice copies).
    ///
    /// # Safety
    /// `i < len`; element `i` is uninitialised (or its value was moved out)
    /// and no other thread accesses it during the call.
    #[cfg(loom)]
    #[inline(always)]
    pub(crate) unsafe fn write(&self, i: usize, value: T) {
        // SAFETY: in bounds and exclusively ours per the contract.
        self.cells[i].with_mut(|p| unsafe { (*p).write(value) });
    }

    /// Move the value out of element `i`, leaving it logically uninitialised.
    ///
    /// # Safety
    /// `i < len`; element `i` holds a value and no other thread accesses it
    /// during the call.
    #[inline(always)]
    pub(crate) unsafe fn read(&self, i: usize) -> T {
        #[cfg(not(loom))]
        // SAFETY: in bounds, initialised and exclusively ours per the contract.
        return unsafe { self.at(i).read() };
        #[cfg(loom)]
        // SAFETY: in bounds, initialised and exclusively ours per the contract.
        self.cells[i].with(|p| unsafe { (*p).assume_init_read() })
    }

    /// Drop the value in element `i` in place.
    ///
    /// # Safety
    /// As for [`Slots::read`].
    pub(crate) unsafe fn drop_in_place(&self, i: usize) {
        // SAFETY: forwarded contract; the value is dropped exactly once.
        drop(unsafe { self.read(i) });
    }
}

/// A copyable, lifetime-free view of a [`Slots`] for the single-item hot
/// paths: in a normal build it is just the base pointer, so a ring half can
/// keep it in its own struct (and in a register) instead of reaching it
/// through the shared allocation on every operation. Under `cfg(loom)` it
/// points at the `Slots` itself so every access is still a tracked cell
/// access.
///
/// The view does not own anything; its user keeps the `Slots` alive (the
/// ring halves hold the `Arc` of the shared state) for as long as it uses it.
pub(crate) struct RawSlots<T> {
    #[cfg(not(loom))]
    base: *mut T,
    #[cfg(loom)]
    slots: *const Slots<T>,
}

impl<T> Clone for RawSlots<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for RawSlots<T> {}

// SAFETY: the view is a pointer into storage that is itself `Send + Sync`
// for `T: Send` (see `Slots`); all accesses are `unsafe` methods with the
// same exclusivity contract.
unsafe impl<T: Send> Send for RawSlots<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for RawSlots<T> {}

impl<T> Slots<T> {
    /// The raw view of this storage; valid while `self` is alive and not moved
    /// (the storage is a heap allocation, so moving `Slots` itself is fine).
    pub(crate) fn raw(&self) -> RawSlots<T> {
        RawSlots {
            #[cfg(not(loom))]
            base: self.at(0),
            #[cfg(loom)]
            slots: self,
        }
    }
}

impl<T> RawSlots<T> {
    /// Move `value` into element `i`.
    ///
    /// # Safety
    /// The `Slots` this view came from is alive, and the contract of
    /// [`Slots::write`] holds.
    #[inline(always)]
    pub(crate) unsafe fn write(self, i: usize, value: T) {
        #[cfg(not(loom))]
        // SAFETY: the storage is alive and `i < len` (caller); the base
        // pointer was derived from the whole slice, and the element is
        // exclusively ours per the contract.
        unsafe {
            self.base.add(i).write(value)
        };
        #[cfg(loom)]
        // SAFETY: the storage is alive (caller); forwarded contract.
        unsafe {
            (*self.slots).write(i, value)
        };
    }

    /// Move the value out of element `i`.
    ///
    /// # Safety
    /// The `Slots` this view came from is alive, and the contract of
    /// [`Slots::read`] holds.
    #[inline(always)]
    pub(crate) unsafe fn read(self, i: usize) -> T {
        #[cfg(not(loom))]
        // SAFETY: the storage is alive and `i < len` (caller); the element
        // is initialised and exclusively ours per the contract.
        return unsafe { self.base.add(i).read() };
        #[cfg(loom)]
        // SAFETY: the storage is alive (caller); forwarded contract.
        unsafe {
            (*self.slots).read(i)
        }
    }
}

impl<T: Copy> Slots<T> {
    /// Copy `src` into elements `i .. i + src.len()`.
    ///
    /// # Safety
    /// `i + src.len() <= len` and no other thread accesses those elements
    /// during the call.
    #[inline(always)]
    pub(crate) unsafe fn copy_in(&self, i: usize, src: &[T]) {
        debug_assert!(i + src.len() <= self.len());
        #[cfg(not(loom))]
        // SAFETY: the range is in bounds and exclusively ours; `src` is a
        // caller slice and cannot overlap ring-owned storage.
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), self.at(i), src.len())
        };
        #[cfg(loom)]
        for (k, v) in src.iter().enumerate() {
            // SAFETY: forwarded contract, element by element.
            unsafe { self.write(i + k, *v) };
        }
    }

    /// Copy elements `i .. i + dst.len()` into `dst`.
    ///
    /// # Safety
    /// `i + dst.len() <= len`, those elements are initialised, and no other
    /// thread writes them during the call.
    #[inline(always)]
    pub(crate) unsafe fn copy_out(&self, i: usize, dst: &mut [T]) {
        debug_assert!(i + dst.len() <= self.len());
        #[cfg(not(loom))]
        // SAFETY: the range is in bounds, initialised and not concurrently
        // written; `dst` is a caller slice and cannot overlap ring storage.
        unsafe {
            std::ptr::copy_nonoverlapping(self.at(i), dst.as_mut_ptr(), dst.len())
        };
        #[cfg(loom)]
        for (k, v) in dst.iter_mut().enumerate() {
            // SAFETY: forwarded contract, element by element.
            *v = unsafe { self.read(i + k) };
        }
    }

    /// Copy `src` into the ring positions `pos .. pos + src.len()` taken
    /// modulo `len` (a power of two), in at most two pieces.
    ///
    /// # Safety
    /// `src.len() <= len`, `len` is a power of two, and no other thread
    /// accesses those elements during the call.
    #[inline(always)]
    pub(crate) unsafe fn copy_in_wrapping(&self, pos: usize, src: &[T]) {
        let i = pos & (self.len() - 1);
        let first = src.len().min(self.len() - i);
        // SAFETY: both pieces are in bounds (`first <= len - i`, the rest
        // `<= len`) and exclusively ours per the contract.
        unsafe {
            self.copy_in(i, &src[..first]);
            self.copy_in(0, &src[first..]);
        }
    }

    /// Copy the ring positions `pos .. pos + dst.len()` (modulo `len`, a
    /// power of two) into `dst`, in at most two pieces.
    ///
    /// # Safety
    /// `dst.len() <= len`, `len` is a power of two, those elements are
    /// initialised and no other thread writes them during the call.
    #[inline(always)]
    pub(crate) unsafe fn copy_out_wrapping(&self, pos: usize, dst: &mut [T]) {
        let i = pos & (self.len() - 1);
        let first = dst.len().min(self.len() - i);
        let (a, b) = dst.split_at_mut(first);
        // SAFETY: both pieces are in bounds and not concurrently written.
        unsafe {
            self.copy_out(i, a);
            self.copy_out(0, b);
        }
    }
}
