//! SNS topics through the emulator's entry point, in the canonical JSON form.

mod common;

use std::sync::Arc;

use common::{caller_in, restore_state, with_ctx, DOCS_ACCOUNT};
use nimbus_core::{services::sns, ManualClock};
use serde_json::{json, Value};

fn caller(region: &str) -> nimbus_core::Caller {
    caller_in(DOCS_ACCOUNT, region)
}

type World = common::World<(String, u16, String)>;

fn world() -> World {
    World::new("sns", DOCS_ACCOUNT)
}

impl World {
    fn call_in(
        &mut self,
        region: &str,
        op: &str,
        input: Value,
    ) -> Result<Value, (String, u16, String)> {
        self.call_as(&caller(region), op, input)
    }
}

fn invalid(what: &str) -> Result<Value, (String, u16, String)> {
    Err((
        "InvalidParameter".into(),
        400,
        format!("Invalid parameter: {what}"),
    ))
}

#[test]
fn create_topic_returns_its_arn_and_is_idempotent() {
    let mut w = world();
    let arn = w.ok("CreateTopic", json!({"Name": "orders"}));
    assert_eq!(
        arn,
        json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders"})
    );
    assert_eq!(w.ok("CreateTopic", json!({"Name": "orders"})), arn);
    assert_eq!(
        w.call_in("eu-west-1", "CreateTopic", json!({"Name": "orders"}))
            .unwrap(),
        json!({"TopicArn": "arn:aws:sns:eu-west-1:123456789012:orders"})
    );
    w.ok(
        "CreateTopic",
        json!({"Name": "alerts", "Attributes": {"DisplayName": "Alerts"},
               "Tags": [{"Key": "team", "Value": "ops"}]}),
    );
    assert_eq!(
        w.call(
            "CreateTopic",
            json!({"Name": "alerts", "Attributes": {"DisplayName": "Other"}})
        ),
        invalid("Attributes Reason: Topic already exists with different attributes")
    );
    assert_eq!(
        w.call(
            "CreateTopic",
            json!({"Name": "alerts", "Tags": [{"Key": "team", "Value": "dev"}]})
        ),
        invalid("Tags Reason: Topic already exists with different tags")
    );
    let tags = w.ok(
        "ListTagsForResource",
        json!({"ResourceArn": "arn:aws:sns:us-east-1:123456789012:alerts"}),
    );
    assert_eq!(tags, json!({"Tags": [{"Key": "team", "Value": "ops"}]}));
}

#[test]
fn create_topic_validates_names() {
    let mut w = world();
    for bad in ["", "has space", "dot.ted", &"a".repeat(257), "std.fifo"] {
        assert_eq!(
            w.call("CreateTopic", json!({"Name": bad})),
            invalid("Topic Name"),
            "{bad:?}"
        );
    }
    assert!(w
        .call("CreateTopic", json!({"Name": "a".repeat(256)}))
        .is_ok());
    assert!(w
        .call(
            "CreateTopic",
            json!({"Name": "jobs", "Attributes": {"FifoTopic": "true"}})
        )
        .is_err());
    assert_eq!(
        w.ok(
            "CreateTopic",
            json!({"Name": "jobs.fifo", "Attributes": {"FifoTopic": "true"}})
        )["TopicArn"],
        "arn:aws:sns:us-east-1:123456789012:jobs.fifo"
    );
    assert_eq!(
        w.call(
            "CreateTopic",
            json!({"Name": "x", "Attributes": {"Colour": "blue"}})
        ),
        invalid("AttributeName")
    );
}

#[test]
fn list_topics_pages_by_one_hundred() {
    let mut w = world();
    for i in 0..150 {
        w.ok("CreateTopic", json!({"Name": format!("t{i:03}")}));
    }
    w.call_in("eu-west-1", "CreateTopic", json!({"Name": "elsewhere"}))
        .unwrap();
    let first = w.ok("ListTopics", json!({}));
    let topics = first["Topics"].as_array().unwrap();
    assert_eq!(topics.len(), 100);
    assert_eq!(
        topics[0]["TopicArn"],
        "arn:aws:sns:us-east-1:123456789012:t000"
    );
    let second = w.ok("ListTopics", json!({"NextToken": first["NextToken"]}));
    let topics = second["Topics"].as_array().unwrap();
    assert_eq!(topics.len(), 50);
    assert_eq!(
        topics[49]["TopicArn"],
        "arn:aws:sns:us-east-1:123456789012:t149"
    );
    assert!(second.get("NextToken").is_none());
    assert_eq!(
        w.call_in("ap-south-1", "ListTopics", json!({})).unwrap(),
        json!({"Topics": []})
    );
}

#[test]
fn delete_topic_is_idempotent() {
    let mut w = world();
    let arn = w.ok("CreateTopic", json!({"Name": "gone"}))["TopicArn"].clone();
    assert_eq!(w.ok("DeleteTopic", json!({"TopicArn": arn})), Value::Null);
    assert_eq!(w.ok("DeleteTopic", json!({"TopicArn": arn})), Value::Null);
    assert_eq!(w.ok("ListTopics", json!({})), json!({"Topics": []}));
    assert_eq!(
        w.call("DeleteTopic", json!({"TopicArn": "not-an-arn"})),
        invalid("TopicArn")
    );
    // A subscription ARN where a topic ARN belongs.
    assert_eq!(
        w.call(
            "DeleteTopic",
            json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:gone:0b6941c3-f04d-4d3e-a66d-b1df00e1e381"})
        ),
        invalid("Topic Name")
    );
}

#[test]
fn topic_attributes_can_be_read_and_set() {
    let mut w = world();
    let arn = w.ok("CreateTopic", json!({"Name": "news"}))["TopicArn"].clone();
    let attributes = w.ok("GetTopicAttributes", json!({"TopicArn": arn}))["Attributes"].clone();
    assert_eq!(attributes["TopicArn"], arn);
    assert_eq!(attributes["Owner"], "123456789012");
    assert_eq!(attributes["SubscriptionsConfirmed"], "0");
    let policy: Value = serde_json::from_str(attributes["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy["Statement"][0]["Resource"], arn);

    w.ok(
        "SetTopicAttributes",
        json!({"TopicArn": arn, "AttributeName": "DisplayName", "AttributeValue": "News"}),
    );
    let attributes = w.ok("GetTopicAttributes", json!({"TopicArn": arn}))["Attributes"].clone();
    assert_eq!(attributes["DisplayName"], "News");
    assert_eq!(
        w.call(
            "GetTopicAttributes",
            json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:missing"})
        ),
        Err(("NotFound".into(), 404, "Topic does not exist".into()))
    );
}

#[test]
fn state_comes_back_from_its_records() {
    let mut w = world();
    w.ok(
        "CreateTopic",
        json!({"Name": "kept", "Attributes": {"DisplayName": "Kept"}}),
    );
    let gone = w.ok("CreateTopic", json!({"Name": "gone"}))["TopicArn"].clone();
    w.ok("DeleteTopic", json!({"TopicArn": gone}));
    let mut state = restore_state!(sns, w.records());
    let caller = caller("us-east-1");
    let mut call = |op: &str, input: Value| {
        with_ctx(&caller, 0, 3, |ctx| {
            nimbus_shapes::sns::dispatch(
                &mut sns::Handler {
                    state: &mut state,
                    ctx,
                },
                op,
                input,
            )
            .unwrap()
        })
        .0
    };
    assert_eq!(
        call("ListTopics", json!({})),
        json!({"Topics": [{"TopicArn": "arn:aws:sns:us-east-1:123456789012:kept"}]})
    );
    let attributes = call(
        "GetTopicAttributes",
        json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:kept"}),
    );
    assert_eq!(attributes["Attributes"]["DisplayName"], "Kept");
}

#[test]
fn emulator_restores_topics() {
    let mut w = world();
    w.ok("CreateTopic", json!({"Name": "kept"}));
    let mut fresh = common::restored(Arc::new(ManualClock::new(0)), w.records());
    let listed = fresh
        .call(&caller("us-east-1"), "sns", "ListTopics", json!({}))
        .result
        .unwrap();
    assert_eq!(
        listed,
        json!({"Topics": [{"TopicArn": "arn:aws:sns:us-east-1:123456789012:kept"}]})
    );
}
