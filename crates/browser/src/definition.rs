//! Share links and export/import: a playground's [`Definition`] read through its API, plus the
//! saved test events the app keeps beside it, and recreated through the same API.

use std::{collections::BTreeMap, future::Future};

use nimbus_core::definition::{export_from, Definition, EventJson, Source, TestEvent};
use nimbus_shapes::ServiceError;
use serde_json::{json, Value};

use crate::Playground;

/// App-data key of a function's saved test events. The Lambda editor keeps
/// `{"events": [{"name", "json": text}], "chosen": name}` there; imports also write each event's
/// value as `event`, and exports read either.
pub fn test_events_key(function_name: &str) -> String {
    format!("lambda/test-events/{function_name}")
}

impl Source for Playground {
    fn call(
        &self,
        service: &str,
        operation: &str,
        input: Value,
    ) -> impl Future<Output = Result<Value, ServiceError>> {
        Playground::call(self, service, operation, input)
    }

    fn function_code(&self, function_name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
        self.function_files(function_name)
    }
}

impl Playground {
    /// This playground's definition, with each function's saved test events.
    pub async fn export_definition(&self) -> Result<Definition, ServiceError> {
        let mut definition = export_from(self).await?;
        for function in &mut definition.functions {
            let key = test_events_key(&function.name);
            let saved = self.app_data(&key).into_iter().find(|(k, _)| *k == key);
            if let Some((_, record)) = saved {
                function.test_events = saved_events(&record);
            }
        }
        Ok(definition)
    }

    /// Recreates `definition` here: runs its calls in order and stops at the first that fails,
    /// answering which one and AWS's error; then saves the functions' test events.
    pub async fn import_definition(&self, definition: &Definition) -> Result<(), String> {
        let mut replay = definition.replay();
        while let Some(call) = replay.next_call() {
            let (service, operation, input) = &call;
            match Playground::call(self, service, operation, input.clone()).await {
                Ok(answer) => replay.answered(&call, &answer),
                Err(error) => {
                    return Err(format!(
                        "{operation} {} failed: {}: {}",
                        subject(input),
                        error.code,
                        error.message
                    ))
                }
            }
        }
        for function in &definition.functions {
            if function.test_events.is_empty() {
                continue;
            }
            let events: Vec<Value> = function
                .test_events
                .iter()
                .map(|e| json!({ "name": e.name, "json": e.event.pretty() }))
                .collect();
            let chosen = &function.test_events[0].name;
            let record = json!({ "events": events, "chosen": chosen });
            self.put_app_data(&test_events_key(&function.name), Some(record))
                .await?;
        }
        Ok(())
    }
}

/// The events of a saved record (see web/src/views/lambda/events.rs) that are JSON, compacted
/// with their members in the order they were written.
fn saved_events(record: &Value) -> Vec<TestEvent> {
    let entries = record["events"].as_array().into_iter().flatten();
    entries
        .filter_map(|entry| {
            Some(TestEvent {
                name: entry["name"].as_str()?.to_string(),
                event: EventJson::parse(entry["json"].as_str()?).ok()?,
            })
        })
        .collect()
}

/// The resource a recreating call is about, for its error message.
fn subject(input: &Value) -> String {
    let name = [
        "FunctionName",
        "TableName",
        "QueueName",
        "Name",
        "Key",
        "Bucket",
    ]
    .iter()
    .find_map(|member| input[*member].as_str());
    name.map(|n| format!("'{n}'")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::test_events_key;
    use crate::{delete_database, Playground};
    use nimbus_core::{definition::DEFAULT_ROLE, services::lambda::zip};
    use serde_json::json;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    async fn fresh(id: &str) -> Playground {
        delete_database(id).await.unwrap();
        Playground::open(id).await.unwrap()
    }

    #[wasm_bindgen_test]
    async fn import_recreates_resources_and_test_events() {
        use base64::Engine as _;
        let source = fresh("definition-source").await;
        let package = zip::write(
            [("index.mjs", &b"export const handler = async (e) => e;"[..])],
            true,
        );
        let calls = [
            (
                "dynamodb",
                "CreateTable",
                json!({
                    "TableName": "notes",
                    "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }],
                    "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
                    "BillingMode": "PAY_PER_REQUEST",
                }),
            ),
            (
                "dynamodb",
                "PutItem",
                json!({ "TableName": "notes", "Item": { "id": { "S": "1" } } }),
            ),
            (
                "lambda",
                "CreateFunction",
                json!({
                    "FunctionName": "echo", "Runtime": "nodejs20.x", "Handler": "index.handler",
                    "Role": DEFAULT_ROLE,
                    "Code": { "ZipFile": base64::engine::general_purpose::STANDARD.encode(package) },
                }),
            ),
        ];
        for (service, operation, input) in calls {
            source.call(service, operation, input).await.unwrap();
        }
        // As the Lambda editor saves them: the text as typed.
        let typed = "{ \"name\": \"Ana\", \"age\": 7 }";
        let saved = json!({ "events": [{ "name": "hello", "json": typed }] });
        source
            .put_app_data(&test_events_key("echo"), Some(saved))
            .await
            .unwrap();

        let definition = source.export_definition().await.unwrap();
        let event = &definition.functions[0].test_events[0];
        assert_eq!(
            (&*event.name, event.event.get()),
            ("hello", r#"{"name":"Ana","age":7}"#)
        );

        let copy = fresh("definition-copy").await;
        copy.import_definition(&definition).await.unwrap();
        let scanned = copy
            .call("dynamodb", "Scan", json!({ "TableName": "notes" }))
            .await
            .unwrap();
        assert_eq!(scanned["Count"], 1);
        assert_eq!(
            copy.function_files("echo").unwrap()["index.mjs"],
            b"export const handler = async (e) => e;"
        );
        let copied = json!({
            "events": [{ "name": "hello", "json": "{\n  \"name\": \"Ana\",\n  \"age\": 7\n}" }],
            "chosen": "hello",
        });
        assert_eq!(
            copy.app_data(&test_events_key("echo")),
            vec![(test_events_key("echo"), copied)]
        );

        // Importing again stops at the first call that fails, and says which.
        let error = copy.import_definition(&definition).await.unwrap_err();
        assert!(
            error.contains("CreateTable 'notes' failed: ResourceInUseException"),
            "{error}"
        );
    }
}
