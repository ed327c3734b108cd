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

/// A UTC calendar date and time of day, for the places AWS writes times as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub millis: i64,
    /// 0 for Monday .. 6 for Sunday.
    pub weekday: i64,
}

impl Civil {
    /// The UTC date and time of epoch milliseconds (Howard Hinnant's `civil_from_days`).
    pub fn from_millis(epoch_millis: i64) -> Civil {
        const DAY: i64 = 86_400_000;
        let days = epoch_millis.div_euclid(DAY);
        let ms = epoch_millis.rem_euclid(DAY);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Civil {
            year: yoe + era * 400 + i64::from(month <= 2),
            month,
            day: doy - (153 * mp + 2) / 5 + 1,
            hour: ms / 3_600_000,
            minute: ms / 60_000 % 60,
            second: ms / 1000 % 60,
            millis: ms % 1000,
            // 1970-01-01 was a Thursday.
            weekday: (days + 3).rem_euclid(7),
        }
    }

    /// `2024-01-31T23:59:59.123`: ISO 8601 to the millisecond, without a zone (callers add
    /// `Z` or `+0000` as the service writes it).
    pub fn iso8601(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.millis
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Civil;

    #[test]
    fn civil_times_are_utc() {
        assert_eq!(Civil::from_millis(0).iso8601(), "1970-01-01T00:00:00.000");
        let t = Civil::from_millis(1_700_000_000_123);
        assert_eq!(t.iso8601(), "2023-11-14T22:13:20.123");
        assert_eq!(t.weekday, 1, "2023-11-14 was a Tuesday");
        assert_eq!(Civil::from_millis(-1).iso8601(), "1969-12-31T23:59:59.999");
        assert_eq!(
            Civil::from_millis(951_782_400_000).iso8601(),
            "2000-02-29T00:00:00.000"
        );
    }
}
