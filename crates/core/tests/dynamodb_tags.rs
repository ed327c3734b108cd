//! DynamoDB tags: TagResource, UntagResource and ListTagsOfResource by table ARN, Tags at
//! CreateTable, their limits and errors, pagination, and persistence with the table.

mod common;

use common::{table_input, ACCOUNT};
use serde_json::{json, Value};

type World = common::World<(String, String)>;

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

fn arn(name: &str) -> String {
    format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}")
}

fn tag(key: &str, value: &str) -> Value {
    json!({"Key": key, "Value": value})
}

fn validation(message: &str) -> (String, String) {
    ("ValidationException".into(), message.into())
}

impl World {
    /// Every tag of the table (one answer holds them all).
    fn tags(&mut self, name: &str) -> Value {
        let page = self.ok("ListTagsOfResource", json!({"ResourceArn": arn(name)}));
        page["Tags"].clone()
    }
}

#[test]
fn tags_given_at_create_table_are_listed() {
    let mut w = world();
    let mut input = table_input("orders", None);
    input["Tags"] = json!([tag("env", "prod"), tag("team", "")]);
    w.ok("CreateTable", input);
    assert_eq!(
        w.tags("orders"),
        json!([tag("env", "prod"), tag("team", "")])
    );
}

#[test]
fn tag_untag_and_list() {
    let mut w = world();
    w.ok("CreateTable", table_input("orders", None));
    assert_eq!(w.tags("orders"), json!([]));
    w.ok(
        "TagResource",
        json!({"ResourceArn": arn("orders"), "Tags": [tag("a", "1"), tag("b", "2")]}),
    );
    // Tagging an existing key replaces its value.
    w.ok(
        "TagResource",
        json!({"ResourceArn": arn("orders"), "Tags": [tag("a", "3"), tag("c", " ")]}),
    );
    assert_eq!(
        w.tags("orders"),
        json!([tag("a", "3"), tag("b", "2"), tag("c", " ")])
    );
    // Removing keys the table does not carry is not an error.
    w.ok(
        "UntagResource",
        json!({"ResourceArn": arn("orders"), "TagKeys": ["b", "missing"]}),
    );
    assert_eq!(w.tags("orders"), json!([tag("a", "3"), tag("c", " ")]));
    // Tags are kept with the table across a restart...
    let mut w = w.restart();
    assert_eq!(w.tags("orders"), json!([tag("a", "3"), tag("c", " ")]));
    // ...and go with it.
    w.ok("DeleteTable", json!({"TableName": "orders"}));
    assert_eq!(
        w.call("ListTagsOfResource", json!({"ResourceArn": arn("orders")})),
        Err((
            "ResourceNotFoundException".into(),
            format!(
                "Requested resource not found: ResourceArn: {} not found",
                arn("orders")
            )
        ))
    );
}

#[test]
fn list_tags_answers_every_tag_at_once() {
    let mut w = world();
    w.ok("CreateTable", table_input("orders", None));
    let tags: Vec<Value> = (0..25).map(|i| tag(&format!("k{i:02}"), "v")).collect();
    w.ok(
        "TagResource",
        json!({"ResourceArn": arn("orders"), "Tags": tags}),
    );
    let first = w.ok("ListTagsOfResource", json!({"ResourceArn": arn("orders")}));
    assert_eq!(first["Tags"], Value::Array(tags));
    assert!(first.get("NextToken").is_none());
}

#[test]
fn tags_take_letters_of_any_script_and_aws_special_characters() {
    let mut w = world();
    w.ok("CreateTable", table_input("orders", None));
    let tags = json!([tag("законные буквы", "a+b-c=d.e_f:g/h@i 7"), tag("٣ ü", "")]);
    w.ok(
        "TagResource",
        json!({"ResourceArn": arn("orders"), "Tags": tags}),
    );
    assert_eq!(w.tags("orders"), tags);
}

#[test]
fn tag_limits_and_errors_use_aws_words() {
    let mut w = world();
    w.ok("CreateTable", table_input("orders", None));
    let resource = arn("orders");
    let cases = [
        (
            json!({"ResourceArn": resource, "Tags": []}),
            validation("Atleast one Tag needs to be provided as Input."),
        ),
        (
            json!({"ResourceArn": resource, "Tags": [tag(&"k".repeat(129), "v")]}),
            validation(&format!("The Tag Key provided is invalid, Key: {}", "k".repeat(129))),
        ),
        (
            json!({"ResourceArn": resource, "Tags": [tag("k", &"v".repeat(257))]}),
            validation(&format!("The Tag Value provided is invalid, Value: {}", "v".repeat(257))),
        ),
        (
            json!({"ResourceArn": resource, "Tags": [tag("", "v")]}),
            validation("The Tag Key provided is invalid, Key: "),
        ),
        (
            json!({"ResourceArn": resource, "Tags": [{"Key": "novalue"}]}),
            validation("The Tag Value provided is invalid, Value: null"),
        ),
        (
            json!({"ResourceArn": resource, "Tags": [tag("dup", "a"), tag("dup", "b")]}),
            validation("Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"),
        ),
        (
            json!({"ResourceArn": resource, "Tags": [tag("good", "x"), tag("AWS:owner", "me")]}),
            validation("Tag Key cannot be prefixed with aws:, Key: AWS:owner"),
        ),
        (
            json!({"ResourceArn": "orders", "Tags": [tag("k", "v")]}),
            validation("One or more parameter values were invalid: ARNs must start with 'arn:': orders"),
        ),
        (
            json!({"Tags": [tag("k", "v")]}),
            validation("Invalid TableArn"),
        ),
        (
            json!({"ResourceArn": arn("missing"), "Tags": [tag("k", "v")]}),
            (
                "ResourceNotFoundException".into(),
                format!("Requested resource not found: ResourceArn: {} not found", arn("missing")),
            ),
        ),
        (
            json!({"ResourceArn": format!("{resource}/index/by_x"), "Tags": [tag("k", "v")]}),
            validation(&format!("One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {resource}/index/by_x")),
        ),
        // Letters and numbers of any script, white space and _ . : / = + - @ only.
        (
            json!({"ResourceArn": resource, "Tags": [tag("ok", "d%g")]}),
            validation("The Tag Value provided is invalid, Value: d%g"),
        ),
        (
            json!({"ResourceArn": resource, "Tags": [tag("bad#char", "ok")]}),
            validation("The Tag Key provided is invalid, Key: bad#char"),
        ),
        (
            json!({"ResourceArn": resource, "Tags": [tag("ok", "🔑")]}),
            validation("The Tag Value provided is invalid, Value: 🔑"),
        ),
        (
            json!({"ResourceArn": format!("{resource}/backup/01700000000000-abcdef12"), "Tags": [tag("k", "v")]}),
            validation(&format!("One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: {resource}/backup/01700000000000-abcdef12")),
        ),
        // Another account's table: no resource-based policy opens it to the caller.
        (
            json!({"ResourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/orders", "Tags": [tag("k", "v")]}),
            (
                "AccessDeniedException".into(),
                format!("User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: dynamodb:TagResource on resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders because no resource-based policy allows the dynamodb:TagResource action"),
            ),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            w.call("TagResource", input.clone()),
            Err(expected),
            "{input}"
        );
    }
    // 50 tags at most, counting those the table already has.
    let forty: Vec<Value> = (0..40).map(|i| tag(&format!("k{i}"), "v")).collect();
    w.ok(
        "TagResource",
        json!({"ResourceArn": resource, "Tags": forty}),
    );
    let more: Vec<Value> = (34..46).map(|i| tag(&format!("k{i}"), "w")).collect();
    assert_eq!(w.tags("orders").as_array().unwrap().len(), 40);
    // Keys the table already has count once: 40 + 6 new fits.
    w.ok(
        "TagResource",
        json!({"ResourceArn": resource, "Tags": more}),
    );
    let over: Vec<Value> = (46..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    assert_eq!(
        w.call(
            "TagResource",
            json!({"ResourceArn": resource, "Tags": over})
        ),
        Err(validation(
            "Number of Tags exceed the current limit for the provided ResourceArn"
        ))
    );
    let mut input = table_input("crowded", None);
    input["Tags"] = json!((0..51)
        .map(|i| tag(&format!("k{i}"), "v"))
        .collect::<Vec<_>>());
    assert_eq!(
        w.call("CreateTable", input),
        Err(validation(
            "Number of Tags exceed the current limit for the provided ResourceArn"
        ))
    );
    assert_eq!(
        w.call(
            "UntagResource",
            json!({"ResourceArn": resource})
        ),
        Err(validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"))
    );
    let untag = |keys: Value| json!({"ResourceArn": resource, "TagKeys": keys});
    for (keys, message) in [
        (
            json!([]),
            "Atleast one Tag Key needs to be provided as Input.".to_string(),
        ),
        (
            json!(["aws:foo"]),
            "Tag Key cannot be prefixed with aws:, Key: aws:foo".to_string(),
        ),
        (
            json!(["k".repeat(129)]),
            format!("The Tag Key provided is invalid, Key: {}", "k".repeat(129)),
        ),
        (
            json!((0..51).map(|i| format!("k{i}")).collect::<Vec<_>>()),
            "Number of Tags exceed the current limit for the provided ResourceArn".to_string(),
        ),
    ] {
        assert_eq!(
            w.call("UntagResource", untag(keys.clone())),
            Err(validation(&message)),
            "{keys}"
        );
    }
}

#[test]
fn a_tag_set_holds_at_most_10240_bytes_of_keys_and_values() {
    let mut w = world();
    w.ok("CreateTable", table_input("orders", None));
    // 26 tags of 128 + 256 characters: 9984 bytes fit, a 27th does not.
    let big = |i: usize| tag(&format!("{i:03}{}", "k".repeat(125)), &"v".repeat(256));
    let fitting: Vec<Value> = (0..26).map(big).collect();
    w.ok(
        "TagResource",
        json!({"ResourceArn": arn("orders"), "Tags": fitting}),
    );
    assert_eq!(
        w.call(
            "TagResource",
            json!({"ResourceArn": arn("orders"), "Tags": [big(26)]})
        ),
        Err(validation(
            "Tag set size 10368 bytes is above max size limit"
        ))
    );
    assert_eq!(w.tags("orders").as_array().unwrap().len(), 26);
}
