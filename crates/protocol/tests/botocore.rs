//! Requests captured from a real botocore client (see fixtures/botocore_requests.py): each must
//! route to the operation botocore meant and carry every parameter it was given.

use base64::Engine as _;
use nimbus_protocol::{parse_request, HttpRequest};
use serde_json::Value;

/// `expected` is contained in `actual` (extra members, such as checksum headers botocore adds,
/// are fine).
fn contains(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().try_for_each(|(k, ev)| match a.get(k) {
            Some(av) => contains(av, ev, &format!("{path}.{k}")),
            None => Err(format!("{path}.{k} missing")),
        }),
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => a
            .iter()
            .zip(e)
            .enumerate()
            .try_for_each(|(i, (av, ev))| contains(av, ev, &format!("{path}[{i}]"))),
        _ if actual == expected => Ok(()),
        _ => Err(format!("{path}: {actual} != {expected}")),
    }
}

#[test]
fn botocore_requests_route_and_decode() {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/botocore_requests.json")).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 25);
    let mut failures = Vec::new();
    for case in cases {
        let request = HttpRequest {
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
        };
        let name = format!("{}.{}", case["service"], case["operation"]);
        let parsed = match parse_request(&request) {
            Ok(p) => p,
            Err(r) => {
                failures.push(format!(
                    "{name}: {} {}",
                    r.status,
                    String::from_utf8_lossy(&r.body)
                ));
                continue;
            }
        };
        if parsed.service.name != case["service"] || parsed.operation.name != case["operation"] {
            failures.push(format!(
                "{name}: routed to {}.{}",
                parsed.service.name, parsed.operation.name
            ));
            continue;
        }
        let mut expected = case["params"].clone();
        // S3 sends CopySource percent-encoded in its header; the service decodes it.
        if let Some(source) = expected
            .as_object_mut()
            .and_then(|m| m.remove("CopySource"))
        {
            let sent = parsed.input["CopySource"].as_str().unwrap_or_default();
            if sent.replace("%20", " ") != source {
                failures.push(format!("{name}: CopySource {sent}"));
            }
        }
        if let Err(e) = contains(&parsed.input, &expected, "input") {
            failures.push(format!("{name}: {e} (input {})", parsed.input));
        }
        assert_eq!(parsed.region, "us-east-1");
        assert_eq!(parsed.account_id, "123456789012");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
