//! AWS wire protocols: an HTTP request becomes (service, operation, input in the canonical form),
//! and an output or error becomes the HTTP response that protocol defines.
//!
//! `routing` picks the service and operation; `json` (awsJson1.0/1.1), `rest_json`, `rest_xml`
//! and `query` (awsQuery) translate between their wire and the canonical form by walking the
//! botocore model in nimbus-shapes. Nothing here knows what an operation does.

mod chunked;
mod json;
mod query;
mod rest;
mod rest_json;
mod rest_xml;
mod routing;
mod sqs_query;
mod util;
mod values;
mod xml;

use nimbus_shapes::{
    model::{Operation, Protocol, ServiceModel, Shape, ShapeKind},
    ServiceError,
};

/// An HTTP request as the server or the browser bridge received it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// The raw (percent-encoded) path, without the query string.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Header names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The protocol a request arrived in; its response uses the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    AwsJson1_0,
    AwsJson1_1,
    RestJson,
    RestXml,
    AwsQuery,
}

/// A request routed to an operation and decoded.
#[derive(Debug)]
pub struct ParsedRequest {
    pub service: &'static ServiceModel,
    pub operation: &'static Operation,
    pub wire: Wire,
    /// The operation's input in the canonical form (model member names; see nimbus-shapes).
    pub input: serde_json::Value,
    pub access_key_id: String,
    /// From the SigV4 credential scope; `us-east-1` when the request carries none.
    pub region: String,
    /// From the access key: a 12-digit key names its account, anything else is 123456789012.
    pub account_id: String,
}

/// Routes and decodes a request. A request that cannot be routed or decoded comes back as the
/// error response AWS would send.
pub fn parse_request(request: &HttpRequest) -> Result<ParsedRequest, HttpResponse> {
    let caller = routing::caller(request);
    if let Some(target) = routing::json_target(request) {
        return json::parse(request, target, caller);
    }
    if !routing::scope_is_rest(&caller) {
        if let Some(params) = routing::query_params(request) {
            return query::parse(request, caller, params);
        }
    }
    rest::parse(request, caller)
}

/// Encodes an operation's output (canonical form) as the protocol defines.
pub fn render_output(
    request: &ParsedRequest,
    output: serde_json::Value,
    request_id: &str,
) -> HttpResponse {
    match request.wire {
        Wire::AwsJson1_0 | Wire::AwsJson1_1 => json::render_output(request, &output, request_id),
        Wire::RestJson => rest_json::render_output(request, &output, request_id),
        Wire::RestXml => rest_xml::render_output(request, &output, request_id),
        Wire::AwsQuery => query::render_output(request, &output, request_id),
    }
}

/// Encodes an error as the protocol defines (envelope, status code, headers).
pub fn render_error(
    request: &ParsedRequest,
    error: &ServiceError,
    request_id: &str,
) -> HttpResponse {
    error_response(
        ErrorContext {
            service: Some(request.service),
            wire: request.wire,
            head: request.operation.method == "HEAD",
        },
        error,
        request_id,
    )
}

/// Where an error is answered: the service (when routing got that far) and its wire.
#[derive(Clone, Copy)]
pub(crate) struct ErrorContext {
    pub service: Option<&'static ServiceModel>,
    pub wire: Wire,
    /// HEAD responses carry no body, errors included.
    pub head: bool,
}

pub(crate) fn error_response(
    ctx: ErrorContext,
    error: &ServiceError,
    request_id: &str,
) -> HttpResponse {
    let mut response = match ctx.wire {
        Wire::AwsJson1_0 | Wire::AwsJson1_1 => json::render_error(ctx, error),
        Wire::RestJson => rest_json::render_error(ctx, error),
        Wire::RestXml => rest_xml::render_error(error, request_id),
        Wire::AwsQuery => query::render_error(ctx, error, request_id),
    };
    response
        .headers
        .insert(0, ("x-amzn-RequestId".into(), request_id.into()));
    if ctx.head {
        response.body.clear();
    }
    response
}

/// The wire a model answers in when nothing else says (JSON version from the model).
pub(crate) fn native_wire(model: &ServiceModel) -> Wire {
    match model.protocol {
        Protocol::AwsJson if model.json_version == Some("1.1") => Wire::AwsJson1_1,
        Protocol::AwsJson => Wire::AwsJson1_0,
        Protocol::RestJson => Wire::RestJson,
        Protocol::RestXml => Wire::RestXml,
        Protocol::AwsQuery => Wire::AwsQuery,
    }
}

/// The error shape a code names in a model (by its `error.code`, else by shape name).
pub(crate) fn error_shape(model: &ServiceModel, code: &str) -> Option<&'static Shape> {
    let shape_name = if model.aws_query_compatible {
        sqs_query::shape_name(code)
    } else {
        code
    };
    model
        .shapes
        .iter()
        .find(|s| matches!(s.kind, ShapeKind::Structure { error: Some(info), .. } if info.code == code))
        .or_else(|| model.shape(shape_name))
}

/// The JSON body of an error: the message under the member name the error shape uses
/// (`message`, or Lambda's `Message`), plus the error's further members.
pub(crate) fn json_error_body(
    ctx: ErrorContext,
    error: &ServiceError,
    mut fields: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    let shape = ctx.service.and_then(|m| error_shape(m, &error.code));
    let message_key = shape
        .and_then(|s| {
            s.kind
                .members()
                .iter()
                .find(|m| m.name.eq_ignore_ascii_case("message"))
        })
        .map(|m| m.wire_name())
        .unwrap_or("message");
    fields.insert(message_key.into(), error.message.clone().into());
    for (k, v) in &error.fields {
        // Fields are in model names; the body uses the shape's locationNames.
        let key = shape
            .and_then(|s| s.kind.members().iter().find(|m| m.name == k))
            .map(|m| m.wire_name().to_string())
            .unwrap_or_else(|| k.clone());
        fields.entry(key).or_insert_with(|| v.clone());
    }
    fields
}

/// Parse failures before a service sees the request answer in the wire it came in.
pub(crate) fn reject(
    request: &HttpRequest,
    ctx: ErrorContext,
    error: ServiceError,
) -> Result<ParsedRequest, HttpResponse> {
    Err(error_response(ctx, &error, &util::request_id_for(request)))
}

pub(crate) fn parsed(
    service: &'static ServiceModel,
    operation: &'static Operation,
    wire: Wire,
    input: serde_json::Value,
    caller: routing::Caller,
) -> ParsedRequest {
    ParsedRequest {
        service,
        operation,
        wire,
        input,
        access_key_id: caller.access_key_id,
        region: caller.region,
        account_id: caller.account_id,
    }
}
