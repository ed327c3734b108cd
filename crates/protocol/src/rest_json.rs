//! restJson1 (Lambda, API Gateway): members bound to the URI, query string and headers, the rest
//! a JSON body (or a raw blob payload such as Lambda Invoke's). Errors carry the code in
//! `x-amzn-ErrorType`, which botocore reads before the body.

use nimbus_shapes::model::{ServiceModel, Shape};
use nimbus_shapes::ServiceError;
use serde_json::{Map, Value};

use crate::rest::{self, OutBody};
use crate::{error_shape, json_error_body, values, ErrorContext, HttpResponse, ParsedRequest};

pub(crate) fn decode_body(
    model: &ServiceModel,
    shape: &Shape,
    body: &[u8],
) -> Result<Value, ServiceError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ServiceError::serialization(e.to_string()))?;
    Ok(values::json_from_wire(model, shape, value))
}

pub(crate) fn render_output(
    request: &ParsedRequest,
    output: &Value,
    request_id: &str,
) -> HttpResponse {
    let model = request.service;
    let mut response = HttpResponse {
        status: request.operation.success_code,
        headers: vec![("x-amzn-RequestId".into(), request_id.into())],
        body: Vec::new(),
    };
    let Some(shape) = request.operation.output.and_then(|o| model.shape(o)) else {
        return response;
    };
    let body = rest::encode_output(model, shape, output, &mut response);
    let has_content_type = response.header("content-type").is_some();
    response.body = match body {
        OutBody::Empty if response.status == 204 => Vec::new(),
        OutBody::Empty => b"{}".to_vec(),
        OutBody::Raw(bytes) => bytes,
        OutBody::Payload(_, target, value) => {
            serde_json::to_vec(&values::json_to_wire(model, target, value)).unwrap_or_default()
        }
        OutBody::Members(shape, members) => {
            serde_json::to_vec(&values::json_to_wire(model, shape, &Value::Object(members)))
                .unwrap_or_default()
        }
    };
    if !has_content_type && !response.body.is_empty() {
        response
            .headers
            .push(("Content-Type".into(), "application/json".into()));
    }
    response
}

/// `x-amzn-ErrorType: Code` and `{"message": ...}`; Lambda's error shapes also carry
/// `"Type": "User"` (or `"Service"`).
pub(crate) fn render_error(ctx: ErrorContext, error: &ServiceError) -> HttpResponse {
    let mut fields = Map::new();
    let has_type = ctx
        .service
        .and_then(|m| error_shape(m, &error.code))
        .is_some_and(|s| s.kind.members().iter().any(|m| m.name == "Type"));
    if has_type {
        let fault = if error.sender_fault {
            "User"
        } else {
            "Service"
        };
        fields.insert("Type".into(), fault.into());
    }
    let body = json_error_body(ctx, error, fields);
    HttpResponse {
        status: error.status,
        headers: vec![
            ("x-amzn-ErrorType".into(), error.code.clone()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: serde_json::to_vec(&Value::Object(body)).unwrap_or_default(),
    }
}
