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

/// `policy(action)` as DynamoDB stores and answers it.
fn stored(action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"{action}","Resource":"*"}}]}}"#
    )
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
    assert_eq!(out["Policy"], stored("dynamodb:*"));
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

/// Puts `document` on Orders and answers its revision and what GetResourcePolicy shows.
fn put_document(w: &mut World, document: &str) -> (String, String) {
    let out = w.ok(
        "PutResourcePolicy",
        json!({"ResourceArn": arn("Orders"), "Policy": document}),
    );
    let got = get(w, "Orders").unwrap();
    assert_eq!(got["RevisionId"], out["RevisionId"]);
    (
        out["RevisionId"].as_str().unwrap().to_string(),
        got["Policy"].as_str().unwrap().to_string(),
    )
}

// Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-207, 208, 351 to 355): the
// document is stored rewritten, and re-Puts are compared in that form.
#[test]
fn policies_are_stored_in_dynamodbs_rewritten_form() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let sent = format!(
        r#"{{
  "Statement": {{
    "Resource": ["*"],
    "Condition": {{"StringEquals": {{"aws:PrincipalAccount": ["{ACCOUNT}"]}}}},
    "Action": ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:GetItem"],
    "Principal": {{"AWS": ["{ACCOUNT}", "arn:aws:iam::{ACCOUNT}:root"]}},
    "Effect": "allow",
    "Sid": "Read\u0041"
  }},
  "Version": "2012-10-17"
}}"#
    );
    let (revision, answered) = put_document(&mut w, &sent);
    let rewritten = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ReadA","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":["dynamodb:Query","dynamodb:GetItem","dynamodb:GetItem"],"Resource":"*","Condition":{{"StringEquals":{{"aws:PrincipalAccount":"{ACCOUNT}"}}}}}}]}}"#
    );
    assert_eq!(answered, rewritten);
    // The rewritten form is a fixpoint, and an equivalent document is no change.
    assert_eq!(
        put_document(&mut w, &rewritten),
        (revision.clone(), rewritten)
    );
    assert_eq!(
        put_document(&mut w, &policy("dynamodb:*")).1,
        stored("dynamodb:*")
    );

    // Without Version, the answer shows IAM's default, but the stored document has none:
    // re-Putting the answer is a change, re-Putting the original is not.
    w.clock.advance(1000);
    let unversioned = r#"{"Statement":[{"Effect":"Deny","Principal":"*","NotAction":"dynamodb:GetItem","NotResource":"*"}]}"#;
    let (first, answered) = put_document(&mut w, unversioned);
    assert_eq!(
        answered,
        r#"{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Principal":"*","NotAction":"dynamodb:GetItem","NotResource":"*"}]}"#
    );
    assert_eq!(put_document(&mut w, unversioned).0, first);
    w.clock.advance(1000);
    let (second, again) = put_document(&mut w, &answered);
    assert_ne!(second, first);
    assert_eq!(again, answered);
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

fn statement(fields: Value) -> Value {
    let mut statement = json!({"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                               "Action": "dynamodb:GetItem", "Resource": "*"});
    for (key, value) in fields.as_object().unwrap() {
        match value {
            Value::Null => statement.as_object_mut().unwrap().remove(key),
            _ => statement
                .as_object_mut()
                .unwrap()
                .insert(key.clone(), value.clone()),
        };
    }
    statement
}

fn document(statements: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

#[test]
fn policy_documents_are_refused_with_dynamodbs_messages() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-211, DDB-TABLE-352,
    // DDB-TABLE-356, DDB-TABLE-457).
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let invalid = "One or more parameter values were invalid: ";
    let invalid_document = |detail: &str| format!("{invalid}Invalid policy document: {detail}");
    let unbounded = "Resource-based policy grants unbounded access in one or more elements. Please revise the policy to ensure least-privilege form of access".to_string();
    let oversized = format!(
        "{{\"Statement\": [], \"Padding\": \"{}\"}}",
        " ".repeat(20_480)
    );
    let cases = [
        (
            oversized,
            format!("{invalid}Maximum policy size of 20480 bytes exceeded"),
        ),
        (
            "{not json".into(),
            invalid_document("This policy contains invalid Json"),
        ),
        (
            String::new(),
            invalid_document("This policy contains invalid Json"),
        ),
        (
            "[]".into(),
            invalid_document("This policy contains invalid Json"),
        ),
        (
            "null".into(),
            invalid_document("This text appears not to be a policy"),
        ),
        (
            document(json!([])),
            invalid_document("Could not parse the policy: Statement is empty!"),
        ),
        (
            document(json!([{}])),
            invalid_document("Missing required field Effect"),
        ),
        (
            document(json!([statement(json!({"Resource": null}))])),
            invalid_document("Missing required field Resource"),
        ),
        (
            document(json!([
                statement(json!({"Sid": "s"})),
                statement(json!({"Sid": "s"}))
            ])),
            invalid_document("The Statement Ids in the policy are not unique"),
        ),
        (
            document(json!([statement(json!({"Principal": "*"}))])),
            unbounded.clone(),
        ),
        (
            document(json!([statement(json!({"Principal": {"AWS": "*"}}))])),
            unbounded,
        ),
    ];
    for (policy, message) in cases {
        assert_eq!(
            w.err(
                "PutResourcePolicy",
                json!({"ResourceArn": arn("Orders"), "Policy": policy})
            ),
            ("ValidationException".to_string(), message),
            "{policy:.80}"
        );
    }
    // CreateTable's ResourcePolicy gets the same checks.
    let mut input = table_input("Other", None);
    input["ResourcePolicy"] = json!("");
    assert_eq!(
        w.err("CreateTable", input).1,
        invalid_document("This policy contains invalid Json")
    );
}

#[test]
fn policy_documents_aws_accepts_are_stored() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let accepted = [
        // A lone statement object, distinct Sids, a Deny to everyone.
        json!({"Version": "2012-10-17", "Statement": statement(json!({}))}).to_string(),
        document(json!([
            statement(json!({"Sid": "a"})),
            statement(json!({"Sid": "b"}))
        ])),
        document(json!([statement(
            json!({"Effect": "Deny", "Principal": "*"})
        )])),
    ];
    for policy in accepted {
        w.ok(
            "PutResourcePolicy",
            json!({"ResourceArn": arn("Orders"), "Policy": policy}),
        );
    }
}

#[test]
fn deleting_a_missing_policy_succeeds_unless_a_revision_is_expected() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-205): DeleteResourcePolicy
    // of no policy is 200 with an empty body; naming a revision then is PolicyNotFound.
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    assert_eq!(
        w.ok(
            "DeleteResourcePolicy",
            json!({"ResourceArn": arn("Orders")})
        ),
        json!({})
    );
    let no_policy = policy_not_found("Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id 123456789, but table Orders has no associated policy.".into());
    assert_eq!(
        w.call(
            "DeleteResourcePolicy",
            json!({"ResourceArn": arn("Orders"), "ExpectedRevisionId": "123456789"})
        ),
        Err(no_policy.clone())
    );
    assert_eq!(
        put(&mut w, "Orders", "dynamodb:*", Some("123456789")),
        Err(no_policy)
    );
    // Once deleted, a policy is gone for a second delete too.
    put(&mut w, "Orders", "dynamodb:*", None).unwrap();
    w.ok(
        "DeleteResourcePolicy",
        json!({"ResourceArn": arn("Orders")}),
    );
    assert_eq!(
        w.ok(
            "DeleteResourcePolicy",
            json!({"ResourceArn": arn("Orders")})
        ),
        json!({})
    );
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
    assert_eq!(out["Policy"], stored("dynamodb:GetRecords"));
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
