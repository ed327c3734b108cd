//! DynamoDB's error answers. `ValidationException` is not in the service model (it is a
//! common error of the JSON protocol), so it is built here with AWS's code and status.

use nimbus_shapes::{dynamodb::errors, ServiceError};

pub fn validation(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ValidationException", 400, message)
}

/// Request-shape violations, reported together the way AWS's Coral layer does.
pub fn constraint_errors(errors: &[String]) -> ServiceError {
    let count = errors.len();
    validation(format!(
        "{count} validation error{} detected: {}",
        if count == 1 { "" } else { "s" },
        errors.join("; ")
    ))
}

/// Item operations answer a missing table without naming it.
pub fn item_table_not_found() -> ServiceError {
    errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message("Requested resource not found")
}

/// Table operations (DescribeTable, DeleteTable) name the table.
pub fn table_not_found(name: &str) -> ServiceError {
    errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
        "Requested resource not found: Table: {name} not found"
    ))
}

fn pattern_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

const PATTERN: &str = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";

/// CreateTable: a plain name, pattern and length 3..=255.
pub fn create_table_name_errors(name: Option<&str>) -> Vec<String> {
    let Some(name) = name else {
        return vec![
            "Value null at 'tableName' failed to satisfy constraint: Member must not be null"
                .into(),
        ];
    };
    let mut errors = Vec::new();
    if !pattern_ok(name) {
        errors.push(format!(
            "Value '{name}' at 'tableName' failed to satisfy constraint: {PATTERN}"
        ));
    }
    if name.len() < 3 {
        errors.push(format!("Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"));
    }
    if name.len() > 255 {
        errors.push(format!("Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"));
    }
    errors
}

/// Item operations take a table name or ARN (the `TableArn` shape, 1..=1024 characters).
pub fn item_table_name_errors(name: Option<&str>) -> Vec<String> {
    let Some(name) = name else {
        return vec![
            "Value null at 'tableName' failed to satisfy constraint: Member must not be null"
                .into(),
        ];
    };
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push("Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1".into());
    } else if !name.starts_with("arn:") && !pattern_ok(name) {
        errors.push(format!(
            "Value '{name}' at 'tableName' failed to satisfy constraint: {PATTERN}"
        ));
    }
    if name.len() > 1024 {
        errors.push(format!("Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 1024"));
    }
    errors
}

/// DescribeTable and DeleteTable: AWS answers a bad length with a sentence of its own.
pub fn table_name_check(name: Option<&str>) -> Result<(), ServiceError> {
    let Some(name) = name else {
        return Err(constraint_errors(&[
            "Value null at 'tableName' failed to satisfy constraint: Member must not be null"
                .into(),
        ]));
    };
    if name.starts_with("arn:") {
        return Ok(());
    }
    if name.len() < 3 || name.len() > 255 {
        return Err(validation(
            "TableName must be at least 3 characters long and at most 255 characters long",
        ));
    }
    if !pattern_ok(name) {
        return Err(constraint_errors(&[format!(
            "Value '{name}' at 'tableName' failed to satisfy constraint: {PATTERN}"
        )]));
    }
    Ok(())
}
