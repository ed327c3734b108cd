//! DynamoDB's expression languages, one module per phase; see README.md.

pub mod ast;
pub mod eval;
pub mod legacy;
pub mod parse;
pub mod tokens;
pub mod update;
pub mod validate;

pub use validate::{Names, Placeholders};
