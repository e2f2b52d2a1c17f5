//! Single-flight loads: when many threads miss on one key at once, one of
//! them (the leader) runs the loader and the others wait for its result.
//!
//! A flight is registered in a per-cache map keyed by the cache key. The
//! leader publishes `Done(Ok(v))` after inserting `v` into the cache, or
//! `Done(Err(e))` without caching anything; every waiter receives a clone. If
//! the loader panics, a drop guard publishes `Abandoned` and the waiters
//! start over (one of them becomes the next leader), so nobody waits forever.
//!
//! This is blocking code (a mutex and a condition variable per flight), not
//! part of the lock-free hit path, so it uses std's primitives directly and is
//! covered by the stress tests rather than by loom.

use std::any::Any;
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// A loader's error with its type erased (`E` is chosen per call); waiters
/// downcast it back and clone it.
pub(crate) type Erased = Arc<dyn Any + Send + Sync>;

/// The state of one in-flight load.
enum State<V> {
    Running,
    /// The loader finished; the error is type-erased (`E` is per call).
    Done(Result<V, Erased>),
    /// The leader panicked: waiters retry.
    Abandoned,
}

/// One in-flight load.
pub(crate) struct Flight<V> {
    state: Mutex<State<V>>,
    done: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks cannot leave them inconsistent (each
    // critical section is a single assignment or map operation).
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What [`Flights::join`] made of the caller.
pub(crate) enum Role<V> {
    /// Run the loader, then call [`Leader::finish`].
    Leader(Arc<Flight<V>>),
    /// Another thread's load finished with this result.
    Followed(Result<V, Erased>),
    /// The leader gave up (panicked): try again.
    Retry,
}

/// The map of flights of one cache.
pub(crate) struct Flights<K, V, S> {
    map: Mutex<hashbrown::HashMap<K, Arc<Flight<V>>, S>>,
}

impl<K: Hash + Eq + Clone, V: Clone, S: BuildHasher> Flights<K, V, S> {
    pub(crate) fn new(hasher: S) -> Self {
        Self {
            map: Mutex::new(hashbrown::HashMap::with_hasher(hasher)),
        }
    }

    /// Lead the load of `key`, or wait for the current leader's result.
    pub(crate) fn join(&self, key: &K) -> Role<V> {
        let flight = {
            let mut map = lock(&self.map);
            match map.get(key) {
                Some(f) => Arc::clone(f),
                None => {
                    let f = Arc::new(Flight {
                        state: Mutex::new(State::Running),
                        done: Condvar::new(),
                    });
                    map.insert(key.clone(), Arc::clone(&f));
                    return Role::Leader(f);
                }
            }
        };
        let mut st = lock(&flight.state);
        loop {
            match &*st {
                State::Running => {
                    st = flight.done.wait(st).unwrap_or_else(PoisonError::into_inner);
                }
                State::Abandoned => return Role::Retry,
                State::Done(Ok(v)) => return Role::Followed(Ok(v.clone())),
                State::Done(Err(e)) => return Role::Followed(Err(Arc::clone(e))),
            }
        }
    }

    /// Publish the leader's outcome (`None`: abandoned), unregister the
    /// flight and wake every waiter.
    pub(crate) fn finish(&self, key: &K, flight: &Flight<V>, outcome: Option<Result<V, Erased>>) {
        lock(&self.map).remove(key);
        *lock(&flight.state) = match outcome {
            Some(r) => State::Done(r),
            None => State::Abandoned,
        };
        flight.done.notify_all();
    }
}
