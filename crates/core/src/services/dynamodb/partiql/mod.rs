//! DynamoDB's PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction), one
//! module per phase; see README.md.

mod ast;
mod exec;
mod parse;
mod tokens;

use nimbus_shapes::ServiceError;

use super::errors::validation;

/// AWS's answer to a statement it cannot parse.
fn malformed(detail: &str) -> ServiceError {
    validation(format!(
        "Statement wasn't well formed, can't be processed: {detail}"
    ))
}
