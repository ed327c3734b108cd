//! AWS shapes generated from botocore's service models, and the small runtime they rest on.
//!
//! Inside the emulator an operation's input and output travel between the wire protocols and the
//! services as `serde_json::Value`s in the model's own member names ("the canonical form"): blobs as
//! base64 strings, timestamps as epoch seconds. The protocols translate the wire to and from that
//! form by walking `model`; the generated structs (de)serialise it with serde.

mod error;
pub mod model;
mod value;

#[rustfmt::skip]
pub mod generated;

pub use error::{ErrorKind, ServiceError};
pub use generated::*;
pub use value::{decode, encode, Blob, Timestamp};
