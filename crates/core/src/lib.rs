//! The emulated services. Synchronous and deterministic: time comes from a [`Clock`], ids and
//! randomness from an [`IdSource`], and every mutating call yields a [`ChangeSet`] that the caller
//! commits before it answers.

pub mod clock;
pub mod definition;
pub mod emulator;
pub mod event_pattern;
pub mod ids;
pub mod outbox;

pub use clock::{Clock, ManualClock, SystemClock};
pub use emulator::{Caller, Emulator, Outcome};
pub use ids::{IdSource, SeededIds};
pub use nimbus_storage::ChangeSet;
pub mod services;
