//! The Lambda and Cognito operations the console calls first, before any resource exists.

mod common;

use common::DOCS_ACCOUNT;
use serde_json::{json, Value};

/// Calls a fresh emulator, as the console does before any resource exists.
fn call(service: &'static str, op: &str, input: Value) -> Result<Value, (String, u16, String)> {
    let mut world = common::World::new(service, DOCS_ACCOUNT).at(0);
    let answer = world.call(op, input);
    assert!(world.last_changes().is_empty(), "listing changes nothing");
    answer
}

#[test]
fn list_functions_answers_an_empty_list() {
    assert_eq!(
        call("lambda", "ListFunctions", json!({})),
        Ok(json!({"Functions": []}))
    );
    assert_eq!(
        call(
            "lambda",
            "ListFunctions",
            json!({"Marker": "abc", "MaxItems": 50})
        ),
        Ok(json!({"Functions": []}))
    );
    assert_eq!(
        call("lambda", "ListFunctions", json!({"MaxItems": 0})),
        Err((
            "ValidationException".into(),
            400,
            "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1".into()
        ))
    );
}

#[test]
fn list_user_pools_needs_max_results_between_1_and_60() {
    assert_eq!(
        call("cognito-idp", "ListUserPools", json!({"MaxResults": 60})),
        Ok(json!({"UserPools": []}))
    );
    assert_eq!(
        call("cognito-idp", "ListUserPools", json!({"MaxResults": 61})),
        Err((
            "InvalidParameterException".into(),
            400,
            "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60".into()
        ))
    );
    assert_eq!(
        call("cognito-idp", "ListUserPools", json!({})).unwrap_err().2,
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
    );
}
