//! One file per view; shared bits (errors, notices) in `common`.
pub mod common;
pub mod dynamodb;
pub mod lambda;
pub mod playground;
pub mod playground_list;
pub mod s3;
pub mod share;
pub mod sns;
pub mod sqs;
