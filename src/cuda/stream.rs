//! Streams (in-order queues of GPU work) and events (markers in a stream).

use std::sync::Arc as StdArc;

use cudarc::driver::{CudaEvent, CudaStream};

use super::probe::call;
use crate::error::Result;

/// An in-order queue of work on one GPU. Work on different streams may
/// overlap. Cheap to clone (reference counted); thread-safe.
#[derive(Debug, Clone)]
pub struct Stream {
    pub(crate) inner: StdArc<CudaStream>,
}

impl Stream {
    /// Block until all work queued so far has finished.
    pub fn synchronize(&self) -> Result<()> {
        call(|| self.inner.synchronize())
    }

    /// Record an event at the current end of this stream (with timing).
    pub fn record(&self) -> Result<Event> {
        call(|| {
            self.inner
                .record_event(Some(cudarc::driver::sys::CUevent_flags::CU_EVENT_DEFAULT))
        })
        .map(|inner| Event { inner })
    }

    /// Make later work on this stream wait for `event` (no host blocking).
    pub fn wait(&self, event: &Event) -> Result<()> {
        call(|| self.inner.wait(&event.inner))
    }
}

/// A point in a stream: wait for it, or time between two of them.
#[derive(Debug)]
pub struct Event {
    inner: CudaEvent,
}

impl Event {
    /// Block until the work before this event has finished.
    pub fn synchronize(&self) -> Result<()> {
        call(|| self.inner.synchronize())
    }

    /// Whether the work before this event has finished (never blocks).
    pub fn is_complete(&self) -> Result<bool> {
        call(|| self.inner.try_is_complete())
    }

    /// Milliseconds from this event to `end` (both must have completed).
    pub fn elapsed_ms(&self, end: &Event) -> Result<f32> {
        call(|| self.inner.elapsed_ms(&end.inner))
    }
}
