//! The native host: each call becomes the awsJson HTTP request an SDK would send and runs through
//! `nimbus serve`'s [`Node`] (parse, emulator, redb commit, render) on a fresh data directory, so
//! every write is a real, durable commit.

use std::time::Instant;

use nimbus_protocol::HttpRequest;
use nimbus_server::{Backend, Node};
use nimbus_storage_file::FileStorage;
use serde_json::Value;

use crate::{Step, Timing};

const ENDPOINT: &str = "http://127.0.0.1:4566";

pub struct NativeHost {
    node: Node,
    // Kept so that the data directory outlives the node; removed on drop.
    _dir: tempfile::TempDir,
}

impl NativeHost {
    /// A node on an empty redb store in a temporary directory.
    pub fn open() -> Result<NativeHost, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
        let storage = FileStorage::open(dir.path()).map_err(|e| e.to_string())?;
        let node = Node::open(Backend::File(storage))?;
        Ok(NativeHost { node, _dir: dir })
    }

    /// Sends one request; answers its output and how long the node took, or the error body.
    pub fn call(
        &mut self,
        service: &str,
        operation: &str,
        input: &Value,
    ) -> Result<(Value, f64), String> {
        let request = request(service, operation, input)?;
        let started = Instant::now();
        let response = self.node.handle(&request, ENDPOINT);
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        let body = String::from_utf8_lossy(&response.body);
        if response.status != 200 {
            return Err(format!("{operation} answered {}: {body}", response.status));
        }
        let output = serde_json::from_str(&body)
            .map_err(|e| format!("{operation} answered a body that is not JSON: {e}"))?;
        Ok((output, millis))
    }

    /// Runs one step, each call after the previous one has committed.
    pub fn run_step(&mut self, step: &Step) -> Result<Timing, String> {
        let started = Instant::now();
        let mut millis = Vec::with_capacity(step.calls.len());
        for call in &step.calls {
            let mut input = call.input.clone();
            let mut total = 0.0;
            loop {
                let (output, took) = self.call(step.service, call.operation, &input)?;
                total += took;
                match output.get("LastEvaluatedKey") {
                    Some(last) if step.follow_pages => input["ExclusiveStartKey"] = last.clone(),
                    _ => break,
                }
            }
            millis.push(total);
        }
        Ok(Timing {
            name: step.name.to_string(),
            millis,
            wall_millis: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

/// The awsJson 1.0 request for `operation` (DynamoDB's protocol), with the SigV4 credential scope
/// that selects the default account and us-east-1.
fn request(service: &str, operation: &str, input: &Value) -> Result<HttpRequest, String> {
    let target_prefix = match service {
        "dynamodb" => "DynamoDB_20120810",
        other => {
            return Err(format!(
                "the bench speaks awsJson to DynamoDB only, not {other}"
            ))
        }
    };
    Ok(HttpRequest {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: vec![
            ("host".into(), "127.0.0.1:4566".into()),
            ("content-type".into(), "application/x-amz-json-1.0".into()),
            (
                "x-amz-target".into(),
                format!("{target_prefix}.{operation}"),
            ),
            (
                "authorization".into(),
                "AWS4-HMAC-SHA256 Credential=test/20261127/us-east-1/dynamodb/aws4_request, \
                 SignedHeaders=host;x-amz-target, Signature=0"
                    .into(),
            ),
        ],
        body: input.to_string().into_bytes(),
    })
}

/// Runs the whole workload on a fresh node.
pub fn run(steps: &[Step]) -> Result<Vec<Timing>, String> {
    let mut host = NativeHost::open()?;
    steps.iter().map(|step| host.run_step(step)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slice of the workload through the real node: every request succeeds and reads back
    /// what was written (the timings themselves are never asserted).
    #[test]
    fn a_slice_of_the_workload_runs_through_the_node() {
        let steps = crate::workload(1);
        let mut host = NativeHost::open().unwrap();
        host.run_step(&steps[0]).unwrap();
        let mut puts = steps[1].clone();
        // Sort keys 0..5 of every partition.
        puts.calls.truncate(crate::PARTITIONS * 5);
        let timing = host.run_step(&puts).unwrap();
        assert_eq!(timing.millis.len(), 250);
        let query = &steps[3].calls[0];
        let partition = query.input["ExpressionAttributeValues"][":p"].clone();
        let (output, _) = host
            .call(
                "dynamodb",
                "Query",
                &serde_json::json!({
                    "TableName": crate::TABLE_NAME,
                    "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
                    "ExpressionAttributeValues": {
                        ":p": partition, ":a": { "N": "0" }, ":b": { "N": "4" }
                    },
                }),
            )
            .unwrap();
        assert_eq!(output["Count"], 5);
        let mut update = steps[4].calls[0].clone();
        update.input["Key"] = serde_json::json!({ "pk": partition, "sk": { "N": "3" } });
        update.input["ReturnValues"] = "UPDATED_NEW".into();
        let (output, _) = host.call("dynamodb", "UpdateItem", &update.input).unwrap();
        assert_eq!(output["Attributes"]["c"]["N"], "1");
    }
}
