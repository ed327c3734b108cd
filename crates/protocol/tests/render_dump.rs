//! Renders outputs and errors for fixtures/botocore_responses.py to parse with botocore itself.
//! Writes only when NIMBUS_RESPONSE_DUMP names a file:
//!
//!     NIMBUS_RESPONSE_DUMP=/tmp/responses.json cargo test -p nimbus-protocol --test render_dump
//!     python3 crates/protocol/tests/fixtures/botocore_responses.py /tmp/responses.json

use base64::Engine as _;
use nimbus_protocol::{parse_request, render_error, render_output, HttpRequest, HttpResponse};
use nimbus_shapes::ServiceError;
use serde_json::{json, Value};

fn captured(operation: &str) -> HttpRequest {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/botocore_requests.json")).unwrap();
    let case = fixture["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["operation"] == operation)
        .unwrap_or_else(|| panic!("no captured {operation}"));
    HttpRequest {
        method: case["method"].as_str().unwrap().into(),
        path: case["path"].as_str().unwrap().into(),
        query: case["query"].as_str().unwrap().into(),
        headers: case["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
            .collect(),
        body: base64::engine::general_purpose::STANDARD
            .decode(case["body_base64"].as_str().unwrap())
            .unwrap(),
    }
}

fn entry(name: &str, operation: &str, response: HttpResponse) -> Value {
    let p = parse_request(&captured(operation)).unwrap();
    json!({
        "name": name,
        "service": p.service.name,
        "operation": p.operation.name,
        "status": response.status,
        "headers": response.headers,
        "body_base64": base64::engine::general_purpose::STANDARD.encode(&response.body),
    })
}

fn ok(name: &str, operation: &str, output: Value) -> Value {
    let p = parse_request(&captured(operation)).unwrap();
    entry(name, operation, render_output(&p, output, "req-1"))
}

fn err(name: &str, operation: &str, error: ServiceError) -> Value {
    let p = parse_request(&captured(operation)).unwrap();
    entry(name, operation, render_error(&p, &error, "req-1"))
}

#[test]
fn dump_rendered_responses() {
    use nimbus_shapes::{dynamodb, lambda, s3, sns, sqs};
    let entries = vec![
        ok(
            "ddb_put",
            "PutItem",
            json!({"Attributes": {"id": {"S": "u0"}, "b": {"B": "AAE="}}}),
        ),
        ok(
            "ddb_query",
            "Query",
            json!({"Items": [{"id": {"S": "u1"}}], "Count": 1, "ScannedCount": 1}),
        ),
        err(
            "ddb_missing",
            "PutItem",
            dynamodb::errors::RESOURCE_NOT_FOUND_EXCEPTION
                .with_message("Requested resource not found"),
        ),
        ok(
            "sqs_send",
            "SendMessage",
            json!({"MessageId": "m-1", "MD5OfMessageBody": "49f68a5c8493ec2c0bf489821c21fc3b"}),
        ),
        ok(
            "sqs_receive",
            "ReceiveMessage",
            json!({"Messages": [{"MessageId": "m-1", "Body": "hi", "Attributes": {"SentTimestamp": "1"}}]}),
        ),
        err(
            "sqs_missing",
            "SendMessage",
            sqs::errors::QUEUE_DOES_NOT_EXIST.with_message("The specified queue does not exist."),
        ),
        ok(
            "sns_create",
            "CreateTopic",
            json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders"}),
        ),
        err(
            "sns_missing",
            "Publish",
            sns::errors::NOT_FOUND_EXCEPTION.with_message("Topic does not exist"),
        ),
        ok(
            "sts_identity",
            "GetCallerIdentity",
            json!({"UserId": "AKIA", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root"}),
        ),
        ok(
            "sts_assume",
            "AssumeRole",
            json!({"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": 1704067200}, "AssumedRoleUser": {"AssumedRoleId": "AROA:sess", "Arn": "arn:aws:sts::123456789012:assumed-role/r/sess"}}),
        ),
        ok(
            "s3_get",
            "GetObject",
            json!({"Body": "aGVsbG8=", "ContentLength": 5, "ContentType": "text/plain", "ETag": "\"e\"", "LastModified": 1704067200, "Metadata": {"owner": "me"}}),
        ),
        ok(
            "s3_head",
            "HeadObject",
            json!({"ContentLength": 5, "ETag": "\"e\"", "LastModified": 1704067200}),
        ),
        err(
            "s3_head_missing",
            "HeadObject",
            ServiceError::new("404", 404, "Not Found"),
        ),
        err(
            "s3_missing",
            "GetObject",
            s3::errors::NO_SUCH_KEY
                .with_message("The specified key does not exist.")
                .with_field("Key", json!("dir/a b.txt")),
        ),
        ok(
            "s3_list",
            "ListObjectsV2",
            json!({"IsTruncated": false, "Contents": [{"Key": "dir/a", "LastModified": 1704067200, "ETag": "\"e\"", "Size": 3, "StorageClass": "STANDARD"}], "Name": "photos", "Prefix": "dir/", "Delimiter": "/", "MaxKeys": 10, "CommonPrefixes": [{"Prefix": "dir/x/"}], "KeyCount": 2}),
        ),
        ok(
            "s3_buckets",
            "ListBuckets",
            json!({"Buckets": [{"Name": "photos", "CreationDate": 1704067200}], "Owner": {"ID": "o"}}),
        ),
        ok(
            "s3_copy",
            "CopyObject",
            json!({"CopyObjectResult": {"ETag": "\"e\"", "LastModified": 1704067200}}),
        ),
        ok(
            "s3_delete_objects",
            "DeleteObjects",
            json!({"Deleted": [{"Key": "a"}, {"Key": "b"}]}),
        ),
        ok("s3_put", "PutObject", json!({"ETag": "\"e\""})),
        ok(
            "lambda_list",
            "ListFunctions",
            json!({"Functions": [{"FunctionName": "f", "MemorySize": 128}]}),
        ),
        err(
            "lambda_missing",
            "GetFunction",
            lambda::errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message("Function not found: f"),
        ),
        ok(
            "lambda_invoke",
            "Invoke",
            json!({"StatusCode": 200, "Payload": "eyJvayI6MX0=", "LogResult": "bG9n", "ExecutedVersion": "$LATEST"}),
        ),
        ok(
            "apigw_list",
            "GetRestApis",
            json!({"items": [{"id": "a1", "name": "api", "createdDate": 1704067200}]}),
        ),
        ok(
            "apigwv2_create",
            "CreateApi",
            json!({"ApiId": "x1", "Name": "http", "CreatedDate": 1704067200}),
        ),
    ];
    if let Ok(path) = std::env::var("NIMBUS_RESPONSE_DUMP") {
        std::fs::write(path, serde_json::to_vec_pretty(&entries).unwrap()).unwrap();
    }
    assert_eq!(entries.len(), 24);
}
