//! DynamoDB's error answers. `ValidationException` is not in the service model (it is a
//! common error of the JSON protocol), so it is built here with AWS's code and status.

use nimbus_shapes::{dynamodb::errors, ServiceError};

use super::value;

pub fn validation(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ValidationException", 400, message)
}

/// How DynamoDB opens most of its checks of a parameter's value.
pub const INVALID: &str = "One or more parameter values were invalid: ";

/// A ValidationException of the `INVALID` family.
pub fn invalid_parameter(detail: impl std::fmt::Display) -> ServiceError {
    validation(format!("{INVALID}{detail}"))
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

/// The expression errors that PutItem, UpdateItem and DeleteItem answer inside the
/// "1 validation error detected: " envelope. TransactWriteItems, Query, Scan, GetItem and
/// BatchGetItem answer the same texts bare (moto's AWS-verified tests of each operation).
const ENVELOPED_IN_ITEM_WRITES: [&str; 6] = [
    "Invalid UpdateExpression: The expression can not be empty;",
    // `The "SET" section can only be used once in an update expression;`
    "Invalid UpdateExpression: The \"",
    "Invalid UpdateExpression: Two document paths ",
    "Value provided in ExpressionAttributeNames unused in expressions",
    "Value provided in ExpressionAttributeValues unused in expressions",
    "ExpressionAttributeValues must not be empty",
];

/// Any expression over AWS's size limit, also answered in the envelope by item writes (the
/// conformance suite's captures of UpdateItem and PutItem).
const SIZE_EXCEEDED: &str = "Expression size has exceeded the maximum allowed size";

/// How `validate::normalise_values` reports a bad ExpressionAttributeValues value:
/// `{INVALID_VALUE}{message} for key {key}`.
pub const INVALID_VALUE: &str = "ExpressionAttributeValues contains invalid value: ";

/// An expression error as PutItem, UpdateItem and DeleteItem answer it: the errors above in
/// the envelope, and set errors in ExpressionAttributeValues. An empty set is answered as
/// the envelope around the set error alone, as PutItem reports one in its Item: "1
/// validation error detected: One or more parameter values were invalid: An string set  may
/// not be empty" (moto's test_update_item_add_empty_set, AWS-verified); a duplicated one
/// keeps its "ExpressionAttributeValues contains invalid value: ... for key :x" inside the
/// envelope (dynoxide's capture of UpdateItem against DynamoDB). Other errors pass
/// unchanged.
pub fn in_item_write(error: ServiceError) -> ServiceError {
    let message = &error.message;
    if error.code != "ValidationException" {
        return error;
    }
    let oversized = message
        .strip_prefix("Invalid ")
        .and_then(|rest| rest.split_once("Expression: "))
        .is_some_and(|(_, body)| body.starts_with(SIZE_EXCEEDED));
    if oversized
        || ENVELOPED_IN_ITEM_WRITES
            .iter()
            .any(|start| message.starts_with(start))
    {
        return constraint_errors(std::slice::from_ref(message));
    }
    let value_error = message
        .strip_prefix(INVALID_VALUE)
        .and_then(|rest| rest.rsplit_once(" for key "))
        .map(|(inner, _key)| inner);
    match value_error {
        Some(inner) if value::is_empty_set_error(inner) => constraint_errors(&[inner.to_string()]),
        Some(inner) if value::is_duplicate_set_error(inner) => {
            constraint_errors(std::slice::from_ref(message))
        }
        _ => error,
    }
}

/// `in_item_write`, and an UpdateItem with an UpdateExpression also answers an undefined
/// value in its ConditionExpression in the envelope (the conformance suite's capture of
/// eu-west-2 and us-east-1, 2026-10, which had the update's own values defined).
pub fn in_update_item(error: ServiceError) -> ServiceError {
    const UNDEFINED_IN_CONDITION: &str =
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined";
    if error.code == "ValidationException" && error.message.starts_with(UNDEFINED_IN_CONDITION) {
        return constraint_errors(std::slice::from_ref(&error.message));
    }
    in_item_write(error)
}

/// A list as AWS's validation messages print it, the way Java prints a list of request
/// objects: `com.amazonaws.dynamodb.v20120810.<class>@<identity hash>, ...` (here a hash
/// of each member, so the text is stable).
pub fn java_list<T: serde::Serialize>(class: &str, members: &[T]) -> String {
    let printed: Vec<String> = members
        .iter()
        .map(|member| {
            let json = serde_json::to_vec(member).expect("requests serialise");
            // FNV-1a, 32 bits: a stand-in for Java's identity hash.
            let hash = json.iter().fold(0x811c_9dc5u32, |h, b| {
                (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
            });
            format!("com.amazonaws.dynamodb.v20120810.{class}@{hash:08x}")
        })
        .collect();
    printed.join(", ")
}

/// Item operations answer a missing table without naming it.
pub fn item_table_not_found() -> ServiceError {
    errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message("Requested resource not found")
}

/// Table operations (DescribeTable, DeleteTable) name the table.
pub fn table_not_found(name_or_arn: &str) -> ServiceError {
    // A table's ARN is answered by the name in it (measured against DynamoDB, 2026-10:
    // ack-api-quirks DDB-TABLE-072).
    let name = name_or_arn
        .strip_prefix("arn:")
        .and_then(|rest| rest.split_once(":table/"))
        .map_or(name_or_arn, |(_, name)| name);
    errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
        "Requested resource not found: Table: {name} not found"
    ))
}

/// A resource of another account, which no resource-based policy opens to the caller (Nimbus
/// grants no cross-account access): AWS's AccessDeniedException, naming the caller's
/// account root as the principal.
pub fn access_denied(account: &str, action: &str, arn: &str) -> ServiceError {
    ServiceError::new(
        "AccessDeniedException",
        400,
        format!(
            "User: arn:aws:iam::{account}:root is not authorized to perform: dynamodb:{action} on resource: {arn} because no resource-based policy allows the dynamodb:{action} action"
        ),
    )
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
    // A name (not an ARN) is held to the TableName shape's 3 characters at least
    // (ScyllaDB's Alternator tests, run against DynamoDB, see PutItem refuse "xx").
    if !name.is_empty() && !name.starts_with("arn:") && name.len() < 3 {
        errors.push(format!("Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"));
    }
    // A table's ARN may be 1024 characters long; its name, 255 (the conformance suite's
    // capture of AWS).
    let limit = if name.starts_with("arn:") { 1024 } else { 255 };
    if name.len() > limit {
        errors.push(format!("Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to {limit}"));
    }
    errors
}

/// GetItem, Query and Scan: AttributesToGet, when given, names at least one attribute.
pub fn attributes_to_get_errors(names: Option<&Vec<String>>, errors: &mut Vec<String>) {
    if names.is_some_and(Vec::is_empty) {
        errors.push("Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1".into());
    }
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
    // The length first, then the pattern, in the request-validation envelope (measured
    // against DynamoDB, 2026-10: ack-api-quirks DDB-TABLE-014 and 457).
    let mut errors = Vec::new();
    if name.len() < 3 {
        errors.push(format!("Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"));
    } else if name.len() > 255 {
        errors.push(format!("Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"));
    }
    if !pattern_ok(name) {
        errors.push(format!(
            "Value '{name}' at 'tableName' failed to satisfy constraint: {PATTERN}"
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(constraint_errors(&errors))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use nimbus_shapes::dynamodb::AttributeValue;

    use super::*;
    use crate::services::dynamodb::expr::{parse, Placeholders};

    /// The message UpdateItem answers for `update` with these placeholders.
    fn update_item_error(
        update: &str,
        names: &[(&str, &str)],
        values: Option<Vec<(&str, serde_json::Value)>>,
    ) -> String {
        let names: BTreeMap<String, String> = names
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let values: Option<BTreeMap<String, AttributeValue>> = values.map(|values| {
            values
                .into_iter()
                .map(|(k, v)| (k.to_string(), serde_json::from_value(v).unwrap()))
                .collect()
        });
        let names = (!names.is_empty()).then_some(&names);
        let result = Placeholders::new(names, values.as_ref()).and_then(|mut p| {
            parse::update(update, &mut p)?;
            p.check_all_used()
        });
        in_item_write(result.expect_err("refused")).message
    }

    #[test]
    fn item_writes_put_aws_verified_expression_errors_in_the_envelope() {
        let s = |text: &str| serde_json::json!({ "S": text });
        assert_eq!(
            update_item_error("", &[], None),
            "1 validation error detected: Invalid UpdateExpression: The expression can not be empty;"
        );
        assert_eq!(
            update_item_error("SET a = :v SET b = :v", &[], Some(vec![(":v", s("x"))])),
            "1 validation error detected: Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"
        );
        assert_eq!(
            update_item_error(
                "ADD #s :a DELETE #s :d",
                &[("#s", "string_set")],
                Some(vec![(":a", serde_json::json!({"SS": ["c"]})), (":d", serde_json::json!({"SS": ["a"]}))])
            ),
            "1 validation error detected: Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [string_set], path two: [string_set]"
        );
        assert_eq!(
            update_item_error("SET a = :v", &[("#count", "count")], Some(vec![(":v", s("x"))])),
            "1 validation error detected: Value provided in ExpressionAttributeNames unused in expressions: keys: {#count}"
        );
        assert_eq!(
            update_item_error("SET a = :v", &[], Some(vec![(":v", s("x")), (":w", s("y"))])),
            "1 validation error detected: Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
        );
        assert_eq!(
            update_item_error("SET a = :v", &[], Some(vec![])),
            "1 validation error detected: ExpressionAttributeValues must not be empty"
        );
        // A set error in a value: the envelope around the set error alone.
        assert_eq!(
            update_item_error("ADD s :e", &[], Some(vec![(":e", serde_json::json!({"SS": []}))])),
            "1 validation error detected: One or more parameter values were invalid: An string set  may not be empty"
        );
        assert_eq!(
            update_item_error("ADD s :e", &[], Some(vec![(":e", serde_json::json!({"NS": []}))])),
            "1 validation error detected: One or more parameter values were invalid: An number set  may not be empty"
        );
        assert_eq!(
            update_item_error("SET tags = :t", &[], Some(vec![(":t", serde_json::json!({"SS": ["a", "b", "a"]}))])),
            "1 validation error detected: ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Input collection [a, b, a] contains duplicates. for key :t"
        );
    }

    #[test]
    fn other_errors_pass_unchanged() {
        assert_eq!(
            update_item_error("SET a = ", &[], None),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"=\""
        );
        assert_eq!(
            update_item_error("SET a = :v", &[], Some(vec![(":v", serde_json::json!({"N": "x"}))])),
            "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: x for key :v"
        );
        let failed = errors::CONDITIONAL_CHECK_FAILED_EXCEPTION
            .with_message("Value provided in ExpressionAttributeNames unused in expressions");
        assert_eq!(in_item_write(failed.clone()), failed);
    }
}
