//! awsJson1.0 / awsJson1.1 (DynamoDB, Cognito, SQS): `POST /` with `X-Amz-Target`, a JSON body
//! that already is the canonical form (timestamps as epoch seconds, blobs as base64).

use nimbus_shapes::ServiceError;
use serde_json::Value;

use crate::routing::{self, Caller};
use crate::util::header;
use crate::{
    json_error_body, native_wire, parsed, reject, values, ErrorContext, HttpRequest, HttpResponse,
    ParsedRequest, Wire,
};

fn content_type(wire: Wire) -> &'static str {
    match wire {
        Wire::AwsJson1_1 => "application/x-amz-json-1.1",
        _ => "application/x-amz-json-1.0",
    }
}

pub(crate) fn parse(
    request: &HttpRequest,
    target: &str,
    caller: Caller,
) -> Result<ParsedRequest, HttpResponse> {
    let Some((model, operation)) = routing::route_json(target) else {
        let wire = match header(request, "content-type") {
            Some(ct) if ct.contains("1.1") => Wire::AwsJson1_1,
            _ => Wire::AwsJson1_0,
        };
        let ctx = ErrorContext {
            service: None,
            wire,
            head: false,
        };
        let op = target.rsplit('.').next().unwrap_or(target);
        return reject(
            request,
            ctx,
            ServiceError::new(
                "UnknownOperationException",
                400,
                format!("Unknown operation {op}"),
            ),
        );
    };
    let wire = native_wire(model);
    let ctx = ErrorContext {
        service: Some(model),
        wire,
        head: false,
    };
    let Some(operation) = operation else {
        let op = target.rsplit('.').next().unwrap_or(target);
        return reject(request, ctx, ServiceError::unknown_operation(model, op));
    };
    let input = if request.body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        match serde_json::from_slice::<Value>(&request.body) {
            Ok(v @ Value::Object(_)) => v,
            // AWS's JSON front end answers unparsable bodies with SerializationException.
            Ok(_) => {
                return reject(
                    request,
                    ctx,
                    ServiceError::serialization(
                        "Start of structure or map found where not expected.",
                    ),
                )
            }
            Err(e) => {
                return reject(request, ctx, ServiceError::serialization(e.to_string()));
            }
        }
    };
    Ok(parsed(model, operation, wire, input, caller))
}

pub(crate) fn render_output(
    request: &ParsedRequest,
    output: &Value,
    request_id: &str,
) -> HttpResponse {
    let model = request.service;
    let body = match request.operation.output.and_then(|o| model.shape(o)) {
        Some(shape) if !output.is_null() => {
            let body = values::json_to_wire(model, shape, output);
            serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec())
        }
        // DynamoDB answers an operation that has no output (TagResource, UntagResource) with
        // an empty body (ScyllaDB's Alternator tests, run against DynamoDB).
        None if model.name == "dynamodb" && request.operation.output.is_none() => Vec::new(),
        _ => b"{}".to_vec(),
    };
    HttpResponse {
        status: 200,
        headers: vec![
            ("x-amzn-RequestId".into(), request_id.into()),
            ("Content-Type".into(), content_type(request.wire).into()),
        ],
        body,
    }
}

/// `{"__type": ..., "message": ...}` with `x-amzn-ErrorType`; awsQueryCompatible services (SQS)
/// add `x-amzn-query-error: <query code>;Sender`, from which boto3 takes `Error.Code`.
pub(crate) fn render_error(ctx: ErrorContext, error: &ServiceError) -> HttpResponse {
    let query_compatible = ctx.service.is_some_and(|m| m.aws_query_compatible);
    let code = if query_compatible {
        crate::sqs_query::shape_name(&error.code)
    } else {
        error.code.as_str()
    };
    // DynamoDB and SQS qualify the type with their Smithy namespace, as the real services do.
    let type_name = match ctx.service.map(|m| m.name) {
        Some("dynamodb") | Some("dynamodbstreams") => {
            format!("com.amazonaws.dynamodb.v20120810#{code}")
        }
        Some("sqs") => format!("com.amazonaws.sqs#{code}"),
        _ => code.to_string(),
    };
    let mut fields = serde_json::Map::new();
    fields.insert("__type".into(), type_name.into());
    let body = json_error_body(ctx, error, fields);
    let mut headers = vec![
        ("x-amzn-ErrorType".into(), code.to_string()),
        ("Content-Type".into(), content_type(ctx.wire).into()),
    ];
    if query_compatible {
        let fault = if error.sender_fault {
            "Sender"
        } else {
            "Receiver"
        };
        headers.push((
            "x-amzn-query-error".into(),
            format!("{};{fault}", crate::sqs_query::query_code(&error.code)),
        ));
    }
    HttpResponse {
        status: error.status,
        headers,
        body: serde_json::to_vec(&Value::Object(body)).unwrap_or_default(),
    }
}
