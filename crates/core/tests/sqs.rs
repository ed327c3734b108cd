//! SQS through the emulator's entry point, in the canonical JSON form.

mod common;

use common::{caller, restore_state, with_ctx, ACCOUNT, T0};
use nimbus_core::services::sqs;
use serde_json::{json, Value};

type World = common::World<(String, String)>;

fn world() -> World {
    World::new("sqs", ACCOUNT)
}

impl World {
    fn create(&mut self, name: &str) -> String {
        self.ok("CreateQueue", json!({"QueueName": name}))["QueueUrl"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

fn err(code: &str, message: &str) -> Result<Value, (String, String)> {
    Err((code.to_string(), message.to_string()))
}

#[test]
fn create_queue_returns_url_on_the_callers_endpoint_and_is_idempotent() {
    let mut w = world();
    let url = w.create("orders");
    assert_eq!(url, "http://localhost:4566/000000000000/orders");
    assert_eq!(w.create("orders"), url);
    assert_eq!(
        w.ok("GetQueueUrl", json!({"QueueName": "orders"})),
        json!({"QueueUrl": url})
    );
    assert_eq!(
        w.call("GetQueueUrl", json!({"QueueName": "missing"})),
        err("QueueDoesNotExist", "The specified queue does not exist.")
    );
}

#[test]
fn create_queue_validates_names_and_attributes() {
    let mut w = world();
    let bad_name =
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
    assert_eq!(
        w.call("CreateQueue", json!({"QueueName": "has space"})),
        err("InvalidParameterValue", bad_name)
    );
    assert_eq!(
        w.call("CreateQueue", json!({"QueueName": "a".repeat(81)})),
        err("InvalidParameterValue", bad_name)
    );
    // A .fifo name needs FifoQueue=true, and FifoQueue=true needs the .fifo suffix.
    assert_eq!(
        w.call("CreateQueue", json!({"QueueName": "jobs.fifo"})),
        err("InvalidParameterValue", bad_name)
    );
    assert!(w
        .call(
            "CreateQueue",
            json!({"QueueName": "jobs", "Attributes": {"FifoQueue": "true"}})
        )
        .is_err());
    assert!(w
        .call(
            "CreateQueue",
            json!({"QueueName": "jobs.fifo", "Attributes": {"FifoQueue": "true"}})
        )
        .is_ok());
    for (attr, value) in [
        ("VisibilityTimeout", "43201"),
        ("MessageRetentionPeriod", "59"),
        ("DelaySeconds", "901"),
        ("MaximumMessageSize", "1023"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
        ("VisibilityTimeout", "ten"),
    ] {
        assert_eq!(
            w.call(
                "CreateQueue",
                json!({"QueueName": "q", "Attributes": {attr: value}})
            ),
            err(
                "InvalidAttributeValue",
                &format!("Invalid value for the parameter {attr}.")
            ),
            "{attr}={value}"
        );
    }
    assert_eq!(
        w.call(
            "CreateQueue",
            json!({"QueueName": "q", "Attributes": {"QueueArn": "x"}})
        ),
        err("InvalidAttributeName", "Unknown Attribute QueueArn.")
    );
    // Failed calls change nothing.
    assert_eq!(
        w.call("GetQueueUrl", json!({"QueueName": "q"}))
            .unwrap_err()
            .0,
        "QueueDoesNotExist"
    );
}

#[test]
fn create_queue_with_different_attributes_conflicts() {
    let mut w = world();
    w.ok(
        "CreateQueue",
        json!({"QueueName": "q", "Attributes": {"VisibilityTimeout": "60"}}),
    );
    w.ok(
        "CreateQueue",
        json!({"QueueName": "q", "Attributes": {"VisibilityTimeout": "60"}}),
    );
    assert_eq!(
        w.call(
            "CreateQueue",
            json!({"QueueName": "q", "Attributes": {"VisibilityTimeout": "30"}})
        ),
        err(
            "QueueNameExists",
            "A queue already exists with the same name and a different value for attribute VisibilityTimeout"
        )
    );
}

#[test]
fn list_queues_filters_by_prefix_and_pages() {
    let mut w = world();
    for name in ["b-2", "a-1", "b-1", "b-3"] {
        w.create(name);
    }
    let all = w.ok("ListQueues", json!({}));
    assert_eq!(all["QueueUrls"].as_array().unwrap().len(), 4);
    assert!(all.get("NextToken").is_none());
    let first = w.ok(
        "ListQueues",
        json!({"QueueNamePrefix": "b-", "MaxResults": 2}),
    );
    assert_eq!(
        first["QueueUrls"],
        json!([
            "http://localhost:4566/000000000000/b-1",
            "http://localhost:4566/000000000000/b-2"
        ])
    );
    let token = first["NextToken"].as_str().unwrap();
    let second = w.ok(
        "ListQueues",
        json!({"QueueNamePrefix": "b-", "MaxResults": 2, "NextToken": token}),
    );
    assert_eq!(
        second["QueueUrls"],
        json!(["http://localhost:4566/000000000000/b-3"])
    );
    assert!(second.get("NextToken").is_none());
    assert_eq!(
        w.ok("ListQueues", json!({"QueueNamePrefix": "zzz"})),
        json!({})
    );
}

#[test]
fn send_message_returns_md5s_that_sdks_verify() {
    let mut w = world();
    let url = w.create("q");
    let sent = w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "hello"}),
    );
    assert_eq!(sent["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");
    assert!(sent.get("MD5OfMessageAttributes").is_none());
    assert_eq!(sent["MessageId"].as_str().unwrap().len(), 36);

    let sent = w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "hello", "MessageAttributes": {
            "Population": {"DataType": "Number", "StringValue": "1250800"},
            "City": {"DataType": "String", "StringValue": "Any City"},
        }}),
    );
    // Fixed vector, computed independently with Python's hashlib using the documented algorithm.
    assert_eq!(
        sent["MD5OfMessageAttributes"],
        "bf1eb494fecc925abadc71de4be9785c"
    );
    assert_eq!(
        sent["MD5OfMessageAttributes"],
        md5_by_hand(&[
            ("City", "String", 1, b"Any City"),
            ("Population", "Number", 1, b"1250800")
        ])
    );

    let sent = w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "x", "MessageAttributes": {
            "Blob": {"DataType": "Binary", "BinaryValue": "AAEC"},
            "A": {"DataType": "String.custom", "StringValue": "x"},
        }}),
    );
    assert_eq!(
        sent["MD5OfMessageAttributes"],
        "fab4793c03bbcaaf61cae8a2510052be"
    );
    assert_eq!(
        sent["MD5OfMessageAttributes"],
        md5_by_hand(&[
            ("A", "String.custom", 1, b"x"),
            ("Blob", "Binary", 2, &[0, 1, 2])
        ])
    );
}

/// The algorithm as the SQS developer guide describes it, written out independently.
fn md5_by_hand(attributes: &[(&str, &str, u8, &[u8])]) -> String {
    use md5::{Digest, Md5};
    let mut buffer = Vec::new();
    for (name, data_type, transport, value) in attributes {
        for part in [name.as_bytes(), data_type.as_bytes()] {
            buffer.extend((part.len() as u32).to_be_bytes());
            buffer.extend(part);
        }
        buffer.push(*transport);
        buffer.extend((value.len() as u32).to_be_bytes());
        buffer.extend(*value);
    }
    hex::encode(Md5::digest(&buffer))
}

#[test]
fn send_message_validates_body_delay_and_attributes() {
    let mut w = world();
    let url = w.create("q");
    assert_eq!(
        w.call("SendMessage", json!({"QueueUrl": url, "MessageBody": ""})),
        err(
            "MissingParameter",
            "The request must contain the parameter MessageBody."
        )
    );
    assert_eq!(
        w.call("SendMessage", json!({"QueueUrl": url, "MessageBody": "a\u{1}b"})),
        err(
            "InvalidMessageContents",
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
        )
    );
    assert_eq!(
        w.call(
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": "a".repeat(sqs::MAX_MESSAGE_BYTES + 1)})
        ),
        err(
            "InvalidParameterValue",
            "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
        )
    );
    assert!(w
        .call(
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": "a".repeat(sqs::MAX_MESSAGE_BYTES)})
        )
        .is_ok());
    assert_eq!(
        w.call(
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": "a", "DelaySeconds": 901})
        ),
        err(
            "InvalidParameterValue",
            "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
        )
    );
    assert_eq!(
        w.call(
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": "a",
                   "MessageAttributes": {"k": {"DataType": "String"}}})
        ),
        err(
            "InvalidParameterValue",
            "The message attribute 'k' must contain non-empty message attribute value for message attribute type 'String'."
        )
    );
    assert_eq!(
        w.call(
            "SendMessage",
            json!({"QueueUrl": "http://elsewhere/000000000000/nope", "MessageBody": "a"})
        ),
        err("QueueDoesNotExist", "The specified queue does not exist.")
    );
}

#[test]
fn queue_urls_resolve_by_account_and_name_whatever_the_host() {
    let mut w = world();
    w.create("q");
    w.ok(
        "SendMessage",
        json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/q", "MessageBody": "hi"}),
    );
    let got = w.ok(
        "ReceiveMessage",
        json!({"QueueUrl": "http://127.0.0.1:9/000000000000/q"}),
    );
    assert_eq!(got["Messages"][0]["Body"], "hi");
}

#[test]
fn received_messages_hide_until_the_visibility_timeout_passes() {
    let mut w = world();
    let url = w.create("q");
    w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "job", "MessageAttributes": {
            "trace.id": {"DataType": "String", "StringValue": "t1"},
            "other": {"DataType": "Number", "StringValue": "7"},
        }}),
    );
    w.clock.advance(1_000);
    let first = w.ok(
        "ReceiveMessage",
        json!({"QueueUrl": url, "VisibilityTimeout": 10, "MessageSystemAttributeNames": ["All"],
               "MessageAttributeNames": ["trace.*"]}),
    );
    let message = &first["Messages"][0];
    assert_eq!(message["Body"], "job");
    assert_eq!(message["MD5OfBody"], "9dddd5ce1b1375bc497feeb871842d4b");
    assert_eq!(message["Attributes"]["ApproximateReceiveCount"], "1");
    assert_eq!(message["Attributes"]["SentTimestamp"], T0.to_string());
    assert_eq!(
        message["Attributes"]["ApproximateFirstReceiveTimestamp"],
        (T0 + 1_000).to_string()
    );
    assert_eq!(message["Attributes"]["SenderId"], "000000000000");
    // Only the requested attributes come back, and their MD5 covers just those.
    assert_eq!(
        message["MessageAttributes"],
        json!({"trace.id": {"DataType": "String", "StringValue": "t1"}})
    );
    assert_eq!(
        message["MD5OfMessageAttributes"],
        md5_by_hand(&[("trace.id", "String", 1, b"t1")])
    );

    assert_eq!(w.ok("ReceiveMessage", json!({"QueueUrl": url})), json!({}));
    w.clock.advance(9_999);
    assert_eq!(w.ok("ReceiveMessage", json!({"QueueUrl": url})), json!({}));
    w.clock.advance(1);
    let second = w.ok(
        "ReceiveMessage",
        json!({"QueueUrl": url, "AttributeNames": ["ApproximateReceiveCount"]}),
    );
    let again = &second["Messages"][0];
    assert_eq!(again["Attributes"], json!({"ApproximateReceiveCount": "2"}));
    assert!(again.get("MessageAttributes").is_none());
    assert_ne!(again["ReceiptHandle"], message["ReceiptHandle"]);

    w.ok(
        "DeleteMessage",
        json!({"QueueUrl": url, "ReceiptHandle": again["ReceiptHandle"]}),
    );
    w.clock.advance(60_000);
    assert_eq!(w.ok("ReceiveMessage", json!({"QueueUrl": url})), json!({}));
    // Deleting again with a well-formed handle is not an error.
    w.ok(
        "DeleteMessage",
        json!({"QueueUrl": url, "ReceiptHandle": again["ReceiptHandle"]}),
    );
}

#[test]
fn receive_message_validates_and_honours_delay_and_max() {
    let mut w = world();
    let url = w.create("q");
    assert_eq!(
        w.call(
            "ReceiveMessage",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 11})
        ),
        err(
            "InvalidParameterValue",
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
        )
    );
    for i in 0..5 {
        w.ok(
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": format!("m{i}")}),
        );
    }
    w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "later", "DelaySeconds": 5}),
    );
    let got = w.ok(
        "ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20}),
    );
    let bodies: Vec<&str> = got["Messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["m0", "m1", "m2", "m3", "m4"]);
    w.clock.advance(5_000);
    let got = w.ok("ReceiveMessage", json!({"QueueUrl": url}));
    assert_eq!(got["Messages"][0]["Body"], "later");
}

#[test]
fn delete_message_rejects_malformed_receipt_handles() {
    let mut w = world();
    let url = w.create("q");
    assert_eq!(
        w.call(
            "DeleteMessage",
            json!({"QueueUrl": url, "ReceiptHandle": "garbage"})
        ),
        err(
            "ReceiptHandleIsInvalid",
            "The input receipt handle \"garbage\" is not a valid receipt handle."
        )
    );
}

#[test]
fn delete_queue_removes_queue_and_messages() {
    let mut w = world();
    let url = w.create("q");
    w.ok("SendMessage", json!({"QueueUrl": url, "MessageBody": "a"}));
    w.ok("DeleteQueue", json!({"QueueUrl": url}));
    assert_eq!(
        w.call("SendMessage", json!({"QueueUrl": url, "MessageBody": "a"})),
        err("QueueDoesNotExist", "The specified queue does not exist.")
    );
    assert_eq!(
        w.call("DeleteQueue", json!({"QueueUrl": url})),
        err("QueueDoesNotExist", "The specified queue does not exist.")
    );
    // AWS makes you wait 60 seconds before reusing the name.
    assert_eq!(
        w.call("CreateQueue", json!({"QueueName": "q"}))
            .unwrap_err()
            .0,
        "QueueDeletedRecently"
    );
    w.clock.advance(60_000);
    w.create("q");
    assert_eq!(w.ok("ReceiveMessage", json!({"QueueUrl": url})), json!({}));
}

#[test]
fn fifo_queues_need_a_group_and_deduplicate() {
    let mut w = world();
    let url = w.ok(
        "CreateQueue",
        json!({"QueueName": "jobs.fifo", "Attributes": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}}),
    )["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        w.call("SendMessage", json!({"QueueUrl": url, "MessageBody": "a"})),
        err(
            "MissingParameter",
            "The request must contain the parameter MessageGroupId."
        )
    );
    let first = w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "a", "MessageGroupId": "g"}),
    );
    let duplicate = w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "a", "MessageGroupId": "g"}),
    );
    assert_eq!(first["MessageId"], duplicate["MessageId"]);
    w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "b", "MessageGroupId": "g"}),
    );
    // The group is locked while "a" is in flight.
    let got = w.ok(
        "ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
    );
    assert_eq!(got["Messages"].as_array().unwrap().len(), 2);
    assert_eq!(w.ok("ReceiveMessage", json!({"QueueUrl": url})), json!({}));
}

#[test]
fn get_queue_attributes_counts_messages() {
    let mut w = world();
    let url = w.create("q");
    w.ok("SendMessage", json!({"QueueUrl": url, "MessageBody": "a"}));
    w.ok("SendMessage", json!({"QueueUrl": url, "MessageBody": "b"}));
    w.ok("ReceiveMessage", json!({"QueueUrl": url}));
    let attributes = w.ok(
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["All"]}),
    )["Attributes"]
        .clone();
    assert_eq!(
        attributes["QueueArn"],
        "arn:aws:sqs:us-east-1:000000000000:q"
    );
    assert_eq!(attributes["ApproximateNumberOfMessages"], "1");
    assert_eq!(attributes["ApproximateNumberOfMessagesNotVisible"], "1");
    assert_eq!(attributes["VisibilityTimeout"], "30");
    assert_eq!(attributes["MaximumMessageSize"], "1048576");
}

fn busy_world() -> (World, String) {
    let mut w = world();
    let url = w.create("kept");
    w.create("gone");
    w.ok(
        "DeleteQueue",
        json!({"QueueUrl": "http://localhost:4566/000000000000/gone"}),
    );
    for body in ["one", "two", "three"] {
        w.ok("SendMessage", json!({"QueueUrl": url, "MessageBody": body}));
    }
    let got = w.ok("ReceiveMessage", json!({"QueueUrl": url}));
    w.ok(
        "DeleteMessage",
        json!({"QueueUrl": url, "ReceiptHandle": got["Messages"][0]["ReceiptHandle"]}),
    );
    let got = w.ok(
        "ReceiveMessage",
        json!({"QueueUrl": url, "VisibilityTimeout": 100}),
    );
    assert_eq!(got["Messages"][0]["Body"], "two");
    (w, url)
}

/// Restores the records straight into the service's state, then calls it (independent of
/// how the emulator routes records to services).
#[test]
fn state_comes_back_from_its_records() {
    let (w, url) = busy_world();
    let mut state = restore_state!(sqs, w.records());
    let caller = caller(ACCOUNT);
    let mut call = |op: &str, input: Value, now: i64| {
        with_ctx(&caller, now, 99, |ctx| {
            let mut handler = sqs::Handler {
                state: &mut state,
                ctx,
            };
            nimbus_shapes::sqs::dispatch(&mut handler, op, input).unwrap()
        })
        .0
    };
    let listed = call("ListQueues", json!({}), T0);
    assert_eq!(listed["QueueUrls"], json!([url]));
    let got = call(
        "ReceiveMessage",
        json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "AttributeNames": ["ApproximateReceiveCount"]}),
        T0,
    );
    assert_eq!(got["Messages"][0]["Body"], "three");
    assert_eq!(got["Messages"].as_array().unwrap().len(), 1);
    let later = call(
        "ReceiveMessage",
        json!({"QueueUrl": url, "AttributeNames": ["ApproximateReceiveCount"]}),
        T0 + 100_000,
    );
    assert_eq!(later["Messages"][0]["Body"], "two");
    assert_eq!(
        later["Messages"][0]["Attributes"]["ApproximateReceiveCount"],
        "2"
    );
}

#[test]
fn emulator_restores_queues_and_messages() {
    let (w, url) = busy_world();
    let mut fresh = w.restart();
    let got = fresh.ok("ReceiveMessage", json!({"QueueUrl": url}));
    assert_eq!(got["Messages"][0]["Body"], "three");
}

#[test]
fn batches_succeed_or_fail_per_entry() {
    let mut w = world();
    let url = w.create("q");
    let sent = w.ok(
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": [
            {"Id": "a", "MessageBody": "hello"},
            {"Id": "b", "MessageBody": "", },
            {"Id": "c", "MessageBody": "late", "DelaySeconds": 10},
        ]}),
    );
    let ok: Vec<&str> = sent["Successful"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Id"].as_str().unwrap())
        .collect();
    assert_eq!(ok, ["a", "c"]);
    assert_eq!(
        sent["Successful"][0]["MD5OfMessageBody"],
        "5d41402abc4b2a76b9719d911017c592"
    );
    assert_eq!(
        sent["Failed"],
        json!([{"Id": "b", "SenderFault": true, "Code": "MissingParameter",
                "Message": "The request must contain the parameter MessageBody."}])
    );
    assert_eq!(
        w.call(
            "SendMessageBatch",
            json!({"QueueUrl": url, "Entries": [
                {"Id": "x", "MessageBody": "1"}, {"Id": "x", "MessageBody": "2"}]})
        ),
        err("BatchEntryIdsNotDistinct", "Id x repeated.")
    );
    assert_eq!(
        w.call("SendMessageBatch", json!({"QueueUrl": url, "Entries": []})),
        err(
            "EmptyBatchRequest",
            "There should be at least one SendMessageBatchRequestEntry in the request."
        )
    );
    let entries: Vec<Value> = (0..11)
        .map(|i| json!({"Id": format!("m{i}"), "MessageBody": "x"}))
        .collect();
    assert_eq!(
        w.call(
            "SendMessageBatch",
            json!({"QueueUrl": url, "Entries": entries})
        ),
        err(
            "TooManyEntriesInBatchRequest",
            "Maximum number of entries per request are 10. You have sent 11."
        )
    );

    let got = w.ok("ReceiveMessage", json!({"QueueUrl": url}));
    let handle = got["Messages"][0]["ReceiptHandle"].clone();
    let deleted = w.ok(
        "DeleteMessageBatch",
        json!({"QueueUrl": url, "Entries": [
            {"Id": "one", "ReceiptHandle": handle},
            {"Id": "two", "ReceiptHandle": "bogus"},
        ]}),
    );
    assert_eq!(deleted["Successful"], json!([{"Id": "one"}]));
    assert_eq!(deleted["Failed"][0]["Code"], "ReceiptHandleIsInvalid");
}

#[test]
fn change_message_visibility_moves_the_reappearance_time() {
    let mut w = world();
    let url = w.create("q");
    w.ok("SendMessage", json!({"QueueUrl": url, "MessageBody": "a"}));
    let got = w.ok("ReceiveMessage", json!({"QueueUrl": url}));
    let handle = got["Messages"][0]["ReceiptHandle"].clone();
    w.ok(
        "ChangeMessageVisibility",
        json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 0}),
    );
    let again = w.ok("ReceiveMessage", json!({"QueueUrl": url}));
    let handle = again["Messages"][0]["ReceiptHandle"].clone();
    w.ok(
        "ChangeMessageVisibility",
        json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 100}),
    );
    w.clock.advance(99_000);
    assert_eq!(w.ok("ReceiveMessage", json!({"QueueUrl": url})), json!({}));
    w.clock.advance(1_000);
    assert!(w.ok("ReceiveMessage", json!({"QueueUrl": url}))["Messages"].is_array());
    assert_eq!(
        w.call(
            "ChangeMessageVisibility",
            json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 43201})
        ),
        err(
            "InvalidParameterValue",
            "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
        )
    );
}

#[test]
fn queue_attributes_and_tags_can_change() {
    let mut w = world();
    let url = w.ok(
        "CreateQueue",
        json!({"QueueName": "q", "tags": {"team": "ops"}}),
    )["QueueUrl"]
        .clone();
    w.clock.advance(2_000);
    w.ok(
        "SetQueueAttributes",
        json!({"QueueUrl": url, "Attributes": {"VisibilityTimeout": "5"}}),
    );
    assert_eq!(
        w.call(
            "SetQueueAttributes",
            json!({"QueueUrl": url, "Attributes": {"DelaySeconds": "-1"}})
        ),
        err(
            "InvalidAttributeValue",
            "Invalid value for the parameter DelaySeconds."
        )
    );
    let attributes = w.ok(
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["VisibilityTimeout", "LastModifiedTimestamp", "DelaySeconds"]}),
    );
    assert_eq!(
        attributes,
        json!({"Attributes": {"VisibilityTimeout": "5", "DelaySeconds": "0",
                              "LastModifiedTimestamp": "1700000002"}})
    );
    w.ok("TagQueue", json!({"QueueUrl": url, "Tags": {"env": "dev"}}));
    w.ok("UntagQueue", json!({"QueueUrl": url, "TagKeys": ["team"]}));
    assert_eq!(
        w.ok("ListQueueTags", json!({"QueueUrl": url})),
        json!({"Tags": {"env": "dev"}})
    );
}

#[test]
fn message_attributes_are_validated_like_sqs() {
    let mut w = world();
    let url = w.create("q");
    let send = |attributes: Value| json!({"QueueUrl": url, "MessageBody": "x", "MessageAttributes": attributes});
    assert_eq!(
        w.call("SendMessage", send(json!({"a": {"DataType": "Date", "StringValue": "x"}}))),
        err(
            "InvalidParameterValue",
            "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
        )
    );
    assert_eq!(
        w.call("SendMessage", send(json!({"bad name": {"DataType": "String", "StringValue": "x"}}))),
        err(
            "InvalidParameterValue",
            "The message attribute name 'bad name' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."
        )
    );
    assert_eq!(
        w.call(
            "SendMessage",
            send(json!({"n": {"DataType": "Number", "StringValue": "many"}}))
        ),
        err(
            "InvalidParameterValue",
            "Can't cast the value of message (user) attribute 'n' to a number."
        )
    );
    let eleven: serde_json::Map<String, Value> = (0..11)
        .map(|i| {
            (
                format!("a{i}"),
                json!({"DataType": "String", "StringValue": "v"}),
            )
        })
        .collect();
    assert_eq!(
        w.call("SendMessage", send(Value::Object(eleven)))
            .unwrap_err()
            .0,
        "InvalidParameterValue"
    );
    // Nothing was enqueued by the failed sends.
    assert_eq!(w.ok("ReceiveMessage", json!({"QueueUrl": url})), json!({}));
}

#[test]
fn redrive_policy_moves_messages_to_the_dead_letter_queue() {
    let mut w = world();
    let dlq = w.create("dead");
    let policy = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}"#;
    let url = w.ok(
        "CreateQueue",
        json!({"QueueName": "work", "Attributes": {"RedrivePolicy": policy, "VisibilityTimeout": "0"}}),
    )["QueueUrl"]
        .clone();
    let stored = w.ok(
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["RedrivePolicy"]}),
    );
    assert_eq!(
        stored["Attributes"]["RedrivePolicy"],
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":2}"#
    );
    w.ok(
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "poison"}),
    );
    for _ in 0..2 {
        let got = w.ok("ReceiveMessage", json!({"QueueUrl": url}));
        assert_eq!(got["Messages"][0]["Body"], "poison");
    }
    // The third receive finds it gone: it moved to the dead-letter queue.
    assert_eq!(w.ok("ReceiveMessage", json!({"QueueUrl": url})), json!({}));
    let dead = w.ok(
        "ReceiveMessage",
        json!({"QueueUrl": dlq, "MessageSystemAttributeNames": ["DeadLetterQueueSourceArn"]}),
    );
    assert_eq!(dead["Messages"][0]["Body"], "poison");
    assert_eq!(
        dead["Messages"][0]["Attributes"]["DeadLetterQueueSourceArn"],
        "arn:aws:sqs:us-east-1:000000000000:work"
    );

    let missing =
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":3}"#;
    assert_eq!(
        w.call(
            "CreateQueue",
            json!({"QueueName": "other", "Attributes": {"RedrivePolicy": missing}})
        ),
        err(
            "InvalidParameterValue",
            &format!("Value {missing} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.")
        )
    );
    let too_many = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":1001}"#;
    assert_eq!(
        w.call(
            "SetQueueAttributes",
            json!({"QueueUrl": url, "Attributes": {"RedrivePolicy": too_many}})
        ),
        err(
            "InvalidParameterValue",
            &format!("Value {too_many} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.")
        )
    );
}
