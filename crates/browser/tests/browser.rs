//! Run with `cargo test -p nimbus-browser --target wasm32-unknown-unknown` (headless Chromium).

use nimbus_browser::{
    create_playground, delete_playground, list_playgrounds, rename_playground, JsPlayground,
    Playground,
};
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh(id: &str) -> Playground {
    nimbus_browser::delete_database(id).await.unwrap();
    Playground::open(id).await.unwrap()
}

#[wasm_bindgen_test]
async fn sts_answers_with_the_playground_account() {
    let playground = fresh("sts").await;
    let identity = playground
        .call("sts", "GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert_eq!(identity["Account"], "123456789012");
    assert_eq!(identity["Arn"], "arn:aws:iam::123456789012:root");
}

#[wasm_bindgen_test]
async fn unknown_services_and_operations_get_aws_errors() {
    let playground = fresh("errors").await;
    let error = playground
        .call("sts", "NoSuchOperation", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error.status, 400);
    let error = playground
        .call("ec2", "DescribeInstances", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error.code, "UnknownService");
}

#[wasm_bindgen_test]
async fn the_registry_keeps_created_renamed_and_deleted_playgrounds() {
    let first = create_playground("First").await.unwrap();
    let second = create_playground("Second").await.unwrap();
    assert_ne!(first.id, second.id);
    rename_playground(&first.id, "Renamed").await.unwrap();
    assert!(rename_playground("no-such-id", "x").await.is_err());

    let list = list_playgrounds().await.unwrap();
    let ours: Vec<&str> = list
        .iter()
        .filter(|p| p.id == first.id || p.id == second.id)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(ours, ["Renamed", "Second"], "oldest first, renamed kept");

    // The playground's data goes with it.
    let playground = Playground::open(&second.id).await.unwrap();
    create_queue(&playground, "doomed").await;
    drop(playground);
    delete_playground(&second.id).await.unwrap();
    let list = list_playgrounds().await.unwrap();
    assert!(list.iter().any(|p| p.id == first.id));
    assert!(!list.iter().any(|p| p.id == second.id));
    let reopened = Playground::open(&second.id).await.unwrap();
    let queues = reopened.call("sqs", "ListQueues", json!({})).await.unwrap();
    assert_eq!(
        queues
            .get("QueueUrls")
            .map_or(0, |q| q.as_array().unwrap().len()),
        0
    );
    delete_playground(&first.id).await.unwrap();
}

async fn create_queue(playground: &Playground, name: &str) -> String {
    let created = playground
        .call("sqs", "CreateQueue", json!({ "QueueName": name }))
        .await
        .unwrap();
    created["QueueUrl"].as_str().unwrap().to_string()
}

#[wasm_bindgen_test]
async fn queues_and_messages_survive_a_reload() {
    let playground = fresh("sqs-reload").await;
    let url = create_queue(&playground, "orders").await;
    assert!(url.starts_with("http://localhost:4566/"), "{url}");
    playground
        .call(
            "sqs",
            "SendMessage",
            json!({ "QueueUrl": url, "MessageBody": "hello" }),
        )
        .await
        .unwrap();
    drop(playground);

    let reloaded = Playground::open("sqs-reload").await.unwrap();
    let received = reloaded
        .call(
            "sqs",
            "ReceiveMessage",
            json!({ "QueueUrl": url, "MaxNumberOfMessages": 10 }),
        )
        .await
        .unwrap();
    assert_eq!(received["Messages"][0]["Body"], "hello");
}

#[wasm_bindgen_test]
async fn dynamodb_items_survive_a_reload() {
    let playground = fresh("dynamodb-reload").await;
    playground
        .call(
            "dynamodb",
            "CreateTable",
            json!({
                "TableName": "Music",
                "AttributeDefinitions": [{ "AttributeName": "Artist", "AttributeType": "S" }],
                "KeySchema": [{ "AttributeName": "Artist", "KeyType": "HASH" }],
                "BillingMode": "PAY_PER_REQUEST"
            }),
        )
        .await
        .unwrap();
    playground
        .call(
            "dynamodb",
            "PutItem",
            json!({
                "TableName": "Music",
                "Item": { "Artist": { "S": "Nina Simone" }, "Year": { "N": "1965" } }
            }),
        )
        .await
        .unwrap();
    drop(playground);

    let reloaded = Playground::open("dynamodb-reload").await.unwrap();
    let found = reloaded
        .call(
            "dynamodb",
            "GetItem",
            json!({ "TableName": "Music", "Key": { "Artist": { "S": "Nina Simone" } } }),
        )
        .await
        .unwrap();
    assert_eq!(found["Item"]["Year"], json!({ "N": "1965" }));
}

/// DynamoDB TTL: fast-forwarding past an item's expiry deletes it before the next call, and
/// the deletion is saved.
#[wasm_bindgen_test]
async fn fast_forward_expires_ttl_items_for_good() {
    let playground = fresh("dynamodb-ttl").await;
    let call = |op: &'static str, input: serde_json::Value| {
        let playground = &playground;
        async move { playground.call("dynamodb", op, input).await.unwrap() }
    };
    call(
        "CreateTable",
        json!({
            "TableName": "Sessions",
            "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }],
            "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    )
    .await;
    call(
        "UpdateTimeToLive",
        json!({ "TableName": "Sessions",
                "TimeToLiveSpecification": { "Enabled": true, "AttributeName": "expires" } }),
    )
    .await;
    let expires = playground.now_millis() / 1000 + 60;
    call(
        "PutItem",
        json!({ "TableName": "Sessions",
                "Item": { "id": { "S": "a" }, "expires": { "N": expires.to_string() } } }),
    )
    .await;
    let get = json!({ "TableName": "Sessions", "Key": { "id": { "S": "a" } } });
    assert!(call("GetItem", get.clone()).await.get("Item").is_some());

    playground.fast_forward(120_000);
    assert!(call("GetItem", get.clone()).await.get("Item").is_none());
    drop(playground);

    let reloaded = Playground::open("dynamodb-ttl").await.unwrap();
    let found = reloaded.call("dynamodb", "GetItem", get).await.unwrap();
    assert!(found.get("Item").is_none());
}

/// Calls fired together are each answered only once durable, and share transactions.
#[wasm_bindgen_test]
async fn concurrent_calls_are_all_durable() {
    let playground = fresh("concurrent").await;
    let url = create_queue(&playground, "burst").await;
    let calls = 200;
    let started = js_sys::Date::now();
    let sends = (0..calls).map(|i| {
        let body = format!("message {i}");
        let input = json!({ "QueueUrl": url, "MessageBody": body });
        let playground = playground.clone();
        async move { playground.call("sqs", "SendMessage", input).await }
    });
    for sent in futures::future::join_all(sends).await {
        sent.unwrap();
    }
    let elapsed = js_sys::Date::now() - started;
    web_sys_log(&format!(
        "{calls} SendMessage calls in {elapsed} ms: {:.0} calls/s",
        calls as f64 * 1000.0 / elapsed.max(1.0)
    ));
    drop(playground);
    let reloaded = Playground::open("concurrent").await.unwrap();
    let attributes = reloaded
        .call(
            "sqs",
            "GetQueueAttributes",
            json!({ "QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"] }),
        )
        .await
        .unwrap();
    assert_eq!(
        attributes["Attributes"]["ApproximateNumberOfMessages"],
        calls.to_string()
    );
}

#[wasm_bindgen_test]
async fn reset_forgets_everything_for_good() {
    let playground = fresh("reset").await;
    create_queue(&playground, "gone").await;
    playground.reset().await.unwrap();
    drop(playground);
    let reloaded = Playground::open("reset").await.unwrap();
    let queues = reloaded.call("sqs", "ListQueues", json!({})).await.unwrap();
    assert_eq!(
        queues
            .get("QueueUrls")
            .map_or(0, |q| q.as_array().unwrap().len()),
        0
    );
}

/// Sends an awsJson request through the JS handler, as web/'s SDK `requestHandler` does.
async fn js_request(
    playground: &JsPlayground,
    url: &str,
    target: &str,
    body: &str,
) -> (f64, serde_json::Value) {
    let headers = js_sys::Object::new();
    for (name, value) in [
        ("Content-Type", "application/x-amz-json-1.0"),
        ("X-Amz-Target", target),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=test/20240101/eu-west-1/sqs/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=0",
        ),
    ] {
        js_sys::Reflect::set(&headers, &name.into(), &value.into()).unwrap();
    }
    let body = js_sys::Uint8Array::from(body.as_bytes());
    let response = playground.handle("POST".into(), url.into(), headers, Some(body));
    let response = JsFuture::from(response).await.unwrap();
    let get = |name: &str| js_sys::Reflect::get(&response, &name.into()).unwrap();
    let status = get("statusCode").as_f64().unwrap();
    let body: js_sys::Uint8Array = get("body").unchecked_into();
    let body = String::from_utf8(body.to_vec()).unwrap();
    let content_type = js_sys::Reflect::get(&get("headers"), &"content-type".into()).unwrap();
    assert!(
        content_type.as_string().is_some(),
        "responses name their content type"
    );
    (status, serde_json::from_str(&body).unwrap_or(json!(body)))
}

/// The path the AWS SDK for JavaScript takes: a signed wire-protocol request through `handle`.
#[wasm_bindgen_test]
async fn the_js_handler_answers_sdk_requests() {
    nimbus_browser::delete_database("js").await.unwrap();
    let playground = JsPlayground::open("js".into()).await.unwrap();
    let endpoint = "http://localhost:4566/";
    let (status, created) = js_request(
        &playground,
        endpoint,
        "AmazonSQS.CreateQueue",
        r#"{"QueueName":"jobs"}"#,
    )
    .await;
    assert_eq!(status, 200.0, "{created}");
    // Region and account come from the credential; the URL from the address the SDK used.
    assert_eq!(
        created["QueueUrl"],
        "http://localhost:4566/123456789012/jobs"
    );

    let (status, error) = js_request(
        &playground,
        endpoint,
        "AmazonSQS.GetQueueUrl",
        r#"{"QueueName":"missing"}"#,
    )
    .await;
    assert_eq!(status, 400.0);
    assert!(
        error["__type"]
            .as_str()
            .unwrap_or("")
            .contains("QueueDoesNotExist"),
        "{error}"
    );

    // The direct JSON entry point.
    let output =
        JsFuture::from(playground.call("sts".into(), "GetCallerIdentity".into(), "{}".into()))
            .await
            .unwrap();
    let output: serde_json::Value = serde_json::from_str(&output.as_string().unwrap()).unwrap();
    assert_eq!(output["Account"], "123456789012");
    // The app calls in us-east-1, so the queue made in eu-west-1 is not listed.
    let listed = JsFuture::from(playground.call("sqs".into(), "ListQueues".into(), "{}".into()))
        .await
        .unwrap();
    let listed: serde_json::Value = serde_json::from_str(&listed.as_string().unwrap()).unwrap();
    assert_eq!(
        listed
            .get("QueueUrls")
            .map_or(0, |q| q.as_array().unwrap().len()),
        0
    );
    let rejected = JsFuture::from(playground.call("ec2".into(), "X".into(), "{}".into()))
        .await
        .unwrap_err();
    let code = js_sys::Reflect::get(&rejected, &"code".into()).unwrap();
    assert_eq!(code.as_string().as_deref(), Some("UnknownService"));
}

fn web_sys_log(message: &str) {
    web_sys::console::log_1(&message.into());
}

/// When the changes cannot be saved (here: the playground was deleted from another tab, which
/// closes this tab's connection) the call fails as AWS's own internal errors do.
#[wasm_bindgen_test]
async fn a_call_whose_changes_cannot_be_saved_fails_with_internal_failure() {
    let playground = fresh("unsaveable").await;
    nimbus_browser::delete_database("unsaveable").await.unwrap();
    let error = playground
        .call("sqs", "CreateQueue", json!({ "QueueName": "lost" }))
        .await
        .unwrap_err();
    assert_eq!(
        (error.code.as_str(), error.status),
        ("InternalFailure", 500)
    );
}

#[wasm_bindgen_test]
async fn app_data_and_function_code_survive_a_reload_and_reset_clears_them() {
    let playground = fresh("app-data").await;
    let events = json!({"events": [{"name": "hello", "event": {"key": 1}}]});
    playground
        .put_app_data("lambda/test-events/f", Some(events.clone()))
        .await
        .unwrap();
    playground
        .put_app_data("lambda/test-events/g", Some(json!({"events": []})))
        .await
        .unwrap();
    playground
        .put_app_data("lambda/test-events/g", None)
        .await
        .unwrap();
    let zip = nimbus_core::services::lambda::zip::write(
        [("index.mjs", &b"export const handler = async () => 1;"[..])],
        true,
    );
    playground
        .call(
            "lambda",
            "CreateFunction",
            json!({
                "FunctionName": "f",
                "Runtime": "nodejs20.x",
                "Role": "arn:aws:iam::123456789012:role/lambda-role",
                "Handler": "index.handler",
                "Code": {"ZipFile": base64(&zip)},
            }),
        )
        .await
        .unwrap();
    drop(playground);

    let reloaded = Playground::open("app-data").await.unwrap();
    assert_eq!(
        reloaded.app_data("lambda/test-events/"),
        vec![("lambda/test-events/f".to_string(), events)]
    );
    let files = reloaded.function_files("f").expect("function f exists");
    assert_eq!(
        files["index.mjs"],
        b"export const handler = async () => 1;".to_vec()
    );
    assert!(reloaded.function_files("missing").is_none());

    reloaded.reset().await.unwrap();
    drop(reloaded);
    let after_reset = Playground::open("app-data").await.unwrap();
    assert!(after_reset.app_data("").is_empty());
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
