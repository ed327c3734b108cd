use std::sync::atomic::{AtomicI64, Ordering};

/// Where the emulator reads the time. The playground can fast-forward a [`ManualClock`] to watch
/// TTLs expire and visibility timeouts lapse.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

/// The machine's wall clock plus an offset that only grows (fast-forward).
#[derive(Default)]
pub struct SystemClock {
    offset_millis: AtomicI64,
}

impl SystemClock {
    pub fn advance(&self, millis: i64) {
        self.offset_millis
            .fetch_add(millis.max(0), Ordering::SeqCst);
    }
}

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        wall + self.offset_millis.load(Ordering::SeqCst)
    }
}

/// A clock that moves only when told to: tests, and the browser (which sets it from `Date.now()`).
pub struct ManualClock {
    now_millis: AtomicI64,
}

impl ManualClock {
    pub fn new(now_millis: i64) -> Self {
        ManualClock {
            now_millis: AtomicI64::new(now_millis),
        }
    }

    pub fn set(&self, now_millis: i64) {
        self.now_millis.store(now_millis, Ordering::SeqCst);
    }

    pub fn advance(&self, millis: i64) {
        self.now_millis.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.now_millis.load(Ordering::SeqCst)
    }
}
