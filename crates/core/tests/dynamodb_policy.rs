//! DynamoDB resource-based policies: PutResourcePolicy, GetResourcePolicy and
//! DeleteResourcePolicy, with AWS's revision checks and messages (moto's AWS-verified tests
//! quote them).

mod common;

use common::{table_input, ACCOUNT, T0};
use serde_json::{json, Value};

type World = common::World<(String, String)>;

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

fn arn(table: &str) -> String {
    format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table}")
}

fn policy(action: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                       "Action": [action], "Resource": "*"}],
    })
    .to_string()
}

fn put(
    w: &mut World,
    table: &str,
    action: &str,
    expected: Option<&str>,
) -> Result<String, (String, String)> {
    let mut input = json!({"ResourceArn": arn(table), "Policy": policy(action)});
    if let Some(expected) = expected {
        input["ExpectedRevisionId"] = json!(expected);
    }
    w.call("PutResourcePolicy", input)
        .map(|out| out["RevisionId"].as_str().unwrap().to_string())
}

fn get(w: &mut World, table: &str) -> Result<Value, (String, String)> {
    w.call("GetResourcePolicy", json!({"ResourceArn": arn(table)}))
}

fn policy_not_found(message: String) -> (String, String) {
    ("PolicyNotFoundException".into(), message)
}

#[test]
fn a_put_policy_reads_back_with_its_revision() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let revision = put(&mut w, "Orders", "dynamodb:*", None).unwrap();
    let out = get(&mut w, "Orders").unwrap();
    assert_eq!(out["RevisionId"], revision);
    assert_eq!(out["Policy"], policy("dynamodb:*"));
}

#[test]
fn the_same_document_keeps_its_revision_and_a_new_one_gets_a_later_revision() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let first = put(&mut w, "Orders", "dynamodb:*", None).unwrap();
    assert_eq!(put(&mut w, "Orders", "dynamodb:*", None).unwrap(), first);
    // Even within the same millisecond, a changed policy gets a greater revision.
    let second = put(&mut w, "Orders", "dynamodb:PutItem", None).unwrap();
    assert!(second > first, "{second} should sort after {first}");
    w.clock.advance(1000);
    let third = put(&mut w, "Orders", "dynamodb:GetItem", Some(&second)).unwrap();
    assert_eq!(third, (T0 + 1000).to_string());
}

#[test]
fn a_stale_expected_revision_is_refused_with_the_current_one_named() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let first = put(&mut w, "Orders", "dynamodb:*", None).unwrap();
    let second = put(&mut w, "Orders", "dynamodb:PutItem", Some(&first)).unwrap();
    assert_eq!(
        put(&mut w, "Orders", "dynamodb:GetItem", Some(&first)),
        Err(policy_not_found(format!("Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id {first}, but the policy associated to target table Orders has revision id {second}.")))
    );
    assert_eq!(
        put(&mut w, "Orders", "dynamodb:GetItem", Some("NO_POLICY")),
        Err(policy_not_found(format!("Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none to be present for table Orders, but a policy exists with revision id {second}.")))
    );
    assert_eq!(get(&mut w, "Orders").unwrap()["RevisionId"], second);
}

#[test]
fn no_policy_as_expected_revision_attaches_the_first_policy() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let revision = put(&mut w, "Orders", "dynamodb:*", Some("NO_POLICY")).unwrap();
    assert_eq!(get(&mut w, "Orders").unwrap()["RevisionId"], revision);
}

#[test]
fn unknown_tables_and_missing_policies_answer_as_aws() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    assert_eq!(
        get(&mut w, "Orders"),
        Err(policy_not_found(format!(
            "Resource-based policy not found for the provided ResourceArn: {}",
            arn("Orders")
        )))
    );
    let not_found = (
        "ResourceNotFoundException".to_string(),
        "Requested resource not found: Table: Ordersx not found".to_string(),
    );
    assert_eq!(
        put(&mut w, "Ordersx", "dynamodb:*", None),
        Err(not_found.clone())
    );
    assert_eq!(get(&mut w, "Ordersx"), Err(not_found.clone()));
    assert_eq!(
        w.err(
            "DeleteResourcePolicy",
            json!({"ResourceArn": arn("Ordersx")})
        ),
        not_found
    );
}

#[test]
fn a_policy_must_be_a_json_document() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let (code, _) = w.err(
        "PutResourcePolicy",
        json!({"ResourceArn": arn("Orders"), "Policy": "{not json"}),
    );
    assert_eq!(code, "ValidationException");
}

#[test]
fn delete_checks_the_expected_revision_then_removes_the_policy() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let revision = put(&mut w, "Orders", "dynamodb:*", None).unwrap();
    assert_eq!(
        w.call(
            "DeleteResourcePolicy",
            json!({"ResourceArn": arn("Orders"), "ExpectedRevisionId": "unknown"})
        ),
        Err(policy_not_found(format!("Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id unknown, but the policy associated to target table Orders has revision id {revision}.")))
    );
    let out = w.ok(
        "DeleteResourcePolicy",
        json!({"ResourceArn": arn("Orders"), "ExpectedRevisionId": revision}),
    );
    assert_eq!(out["RevisionId"], revision);
    assert_eq!(
        get(&mut w, "Orders").unwrap_err().0,
        "PolicyNotFoundException"
    );
}

#[test]
fn a_stream_has_its_own_policy() {
    let mut w = world();
    let mut input = table_input("Orders", None);
    input["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"});
    let stream_arn = w.ok("CreateTable", input)["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_string();
    w.ok(
        "PutResourcePolicy",
        json!({"ResourceArn": stream_arn, "Policy": policy("dynamodb:GetRecords")}),
    );
    let out = w.ok("GetResourcePolicy", json!({"ResourceArn": stream_arn}));
    assert_eq!(out["Policy"], policy("dynamodb:GetRecords"));
    assert_eq!(
        get(&mut w, "Orders").unwrap_err().0,
        "PolicyNotFoundException"
    );
}

#[test]
fn policies_survive_a_restart_and_go_with_their_table() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let revision = put(&mut w, "Orders", "dynamodb:*", None).unwrap();
    let mut w = w.restart();
    assert_eq!(get(&mut w, "Orders").unwrap()["RevisionId"], revision);
    w.ok("DeleteTable", json!({"TableName": "Orders"}));
    w.ok("CreateTable", table_input("Orders", None));
    assert_eq!(
        get(&mut w, "Orders").unwrap_err().0,
        "PolicyNotFoundException"
    );
}

#[test]
fn each_form_of_resource_arn_gets_dynamodbs_answer() {
    let mut w = world();
    let mut input = table_input("Orders", None);
    input["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"});
    w.ok("CreateTable", input);
    let invalid = |detail: String| {
        (
            "ValidationException".to_string(),
            format!("One or more parameter values were invalid: {detail}"),
        )
    };
    let other_region = format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/Orders");
    let other_partition = format!("arn:aws-cn:dynamodb:us-east-1:{ACCOUNT}:table/Orders");
    let index = format!("{}/index/by_x", arn("Orders"));
    let backup = format!("{}/backup/01700000000000-abcdef12", arn("Orders"));
    let bogus_stream = format!("{}/stream/2000-01-01T00:00:00.000", arn("Orders"));
    let cases = [
        (
            "Orders".to_string(),
            invalid("ARNs must start with 'arn:': Orders".into()),
        ),
        (
            "arn:aws:dynamodb:us-east-1:111122223333:table/Orders".to_string(),
            (
                "ValidationException".to_string(),
                "This action is only supported by accounts that match the resource owner\u{2019}s account.".to_string(),
            ),
        ),
        (
            other_region.clone(),
            invalid(format!("Invalid resource Arn: {other_region}")),
        ),
        (
            other_partition.clone(),
            invalid(format!("Invalid resource Arn: {other_partition}")),
        ),
        (
            index.clone(),
            invalid(format!("Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {index}")),
        ),
        (
            backup.clone(),
            invalid(format!("Provided Arn is not a DynamoDB resource arn: {backup}")),
        ),
        (
            arn("ORDERS"),
            (
                "ResourceNotFoundException".to_string(),
                "Requested resource not found: Table: ORDERS not found".to_string(),
            ),
        ),
        (
            bogus_stream,
            (
                "ResourceNotFoundException".to_string(),
                "Requested resource not found: Stream: 2000-01-01T00:00:00.000 not found for Table: Orders".to_string(),
            ),
        ),
    ];
    for (resource, expected) in cases {
        assert_eq!(
            w.call("GetResourcePolicy", json!({"ResourceArn": resource})),
            Err(expected.clone()),
            "{resource}"
        );
        assert_eq!(
            w.call("DeleteResourcePolicy", json!({"ResourceArn": resource})),
            Err(expected),
            "{resource}"
        );
    }
}
