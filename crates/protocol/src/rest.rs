//! What restJson and restXml share: routing by method and URI template, and the HTTP bindings
//! of members (`location`: uri, querystring, header, headers, statusCode; `payload`).
//! The body itself is each protocol's own (`rest_json`, `rest_xml`).

use base64::Engine as _;
use nimbus_shapes::model::{Location, Member, ServiceModel, Shape, ShapeKind, TimestampFormat};
use nimbus_shapes::ServiceError;
use serde_json::{Map, Value};

use crate::routing::{self, Caller};
use crate::util::{header, parse_query};
use crate::{chunked, native_wire, parsed, reject, rest_json, rest_xml, values};
use crate::{ErrorContext, HttpRequest, HttpResponse, ParsedRequest, Wire};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub(crate) fn parse(request: &HttpRequest, caller: Caller) -> Result<ParsedRequest, HttpResponse> {
    let models = routing::rest_models(request, &caller);
    let mut found = None;
    for model in &models {
        let path = match routing::virtual_host_bucket(request) {
            Some(bucket) if model.name == "s3" => format!("/{bucket}{}", request.path),
            _ => request.path.clone(),
        };
        if let Some(m) = routing::route_rest(model, request, &path) {
            found = Some((*model, m));
            break;
        }
    }
    let head = request.method.eq_ignore_ascii_case("HEAD");
    let Some((model, route)) = found else {
        let model = models.first().copied();
        let wire = model.map(native_wire).unwrap_or(Wire::RestXml);
        let ctx = ErrorContext {
            service: model,
            wire,
            head,
        };
        let error = if wire == Wire::RestXml {
            ServiceError::new(
                "MethodNotAllowed",
                405,
                "The specified method is not allowed against this resource.",
            )
        } else {
            ServiceError::new(
                "UnknownOperationException",
                404,
                format!("No operation matches {} {}", request.method, request.path),
            )
        };
        return reject(request, ctx, error);
    };
    let wire = native_wire(model);
    let ctx = ErrorContext {
        service: Some(model),
        wire,
        head,
    };
    let (body, trailers) = if chunked::is_aws_chunked(request) {
        match chunked::decode(&request.body) {
            Ok(decoded) => decoded,
            Err(e) => {
                return reject(
                    request,
                    ctx,
                    bad_request(wire, format!("Invalid aws-chunked body: {e}")),
                )
            }
        }
    } else {
        (request.body.clone(), Vec::new())
    };
    let input = match route.operation.input.and_then(|name| model.shape(name)) {
        Some(shape) => decode_input(model, shape, wire, request, &route.labels, &body, &trailers),
        None => Ok(Value::Object(Map::new())),
    };
    match input {
        Ok(input) => Ok(parsed(model, route.operation, wire, input, caller)),
        Err(error) => reject(request, ctx, error),
    }
}

/// S3 answers malformed input with InvalidArgument; restJson services with a
/// SerializationException.
pub(crate) fn bad_request(wire: Wire, message: String) -> ServiceError {
    match wire {
        Wire::RestXml => ServiceError::new("InvalidArgument", 400, message),
        _ => ServiceError::serialization(message),
    }
}

fn decode_input(
    model: &ServiceModel,
    shape: &Shape,
    wire: Wire,
    request: &HttpRequest,
    labels: &[(String, String)],
    body: &[u8],
    trailers: &[(String, String)],
) -> Result<Value, ServiceError> {
    let query = parse_query(&request.query);
    let chunked = !trailers.is_empty() || chunked::is_aws_chunked(request);
    let lookup_header = |name: &str| -> Option<String> {
        // aws-chunked: the object's length is the decoded one; the checksum trails the body.
        if chunked && name.eq_ignore_ascii_case("content-length") {
            if let Some(len) = header(request, "x-amz-decoded-content-length") {
                return Some(len.to_string());
            }
        }
        let value = header(request, name).map(str::to_string).or_else(|| {
            trailers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        })?;
        if chunked && name.eq_ignore_ascii_case("content-encoding") {
            let rest: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|p| !p.eq_ignore_ascii_case("aws-chunked") && !p.is_empty())
                .collect();
            return (!rest.is_empty()).then(|| rest.join(","));
        }
        Some(value)
    };
    let scalar = |target: &Shape, text: &str| {
        values::scalar_from_text(target, text).map_err(|e| bad_request(wire, e))
    };
    let members = shape.kind.members();
    let query_names: Vec<&str> = members
        .iter()
        .filter(|m| m.location == Location::Query)
        .map(|m| m.wire_name())
        .collect();
    let mut out = Map::new();
    for m in members {
        let target = model.target(m);
        let name = m.wire_name();
        let value = match m.location {
            Location::Uri => match labels.iter().find(|(k, _)| k == name) {
                Some((_, v)) => Some(scalar(target, v)?),
                None => None,
            },
            Location::Query => match &target.kind {
                ShapeKind::List { member, .. } => {
                    let item = model.target(member);
                    let items = query
                        .iter()
                        .filter(|(k, _)| k == name)
                        .map(|(_, v)| scalar(item, v))
                        .collect::<Result<Vec<_>, _>>()?;
                    (!items.is_empty()).then_some(Value::Array(items))
                }
                // A map in the query string takes every parameter no other member binds.
                ShapeKind::Map { .. } => {
                    let rest: Map<String, Value> = query
                        .iter()
                        .filter(|(k, _)| !query_names.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect();
                    (!rest.is_empty()).then_some(Value::Object(rest))
                }
                _ => match query.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => Some(scalar(target, v)?),
                    None => None,
                },
            },
            Location::Header => match lookup_header(name) {
                None => None,
                Some(text) => Some(match &target.kind {
                    ShapeKind::List { member, .. } => Value::Array(
                        text.split(',')
                            .map(|p| scalar(model.target(member), p.trim()))
                            .collect::<Result<Vec<_>, _>>()?,
                    ),
                    _ if m.json_value => {
                        let decoded = B64
                            .decode(text.trim())
                            .map_err(|e| bad_request(wire, format!("{name}: {e}")))?;
                        Value::String(String::from_utf8_lossy(&decoded).into_owned())
                    }
                    _ => scalar(target, &text)?,
                }),
            },
            Location::Headers => {
                let prefix = name.to_ascii_lowercase();
                let map: Map<String, Value> = request
                    .headers
                    .iter()
                    .filter_map(|(k, v)| {
                        let key = k.to_ascii_lowercase();
                        let suffix = key.strip_prefix(&prefix)?;
                        Some((suffix.to_string(), Value::String(v.clone())))
                    })
                    .collect();
                (!map.is_empty()).then_some(Value::Object(map))
            }
            Location::StatusCode | Location::Body => None,
        };
        if let Some(value) = value {
            out.insert(m.name.to_string(), value);
        }
    }
    let payload = match &shape.kind {
        ShapeKind::Structure { payload, .. } => *payload,
        _ => None,
    };
    if let Some(payload) = payload.and_then(|p| members.iter().find(|m| m.name == p)) {
        let target = model.target(payload);
        match &target.kind {
            // A blob payload is the raw body (S3 PutObject, Lambda Invoke), even when empty.
            ShapeKind::Blob { .. } => {
                out.insert(payload.name.into(), Value::String(B64.encode(body)));
            }
            ShapeKind::String { .. } if !body.is_empty() => {
                out.insert(
                    payload.name.into(),
                    Value::String(String::from_utf8_lossy(body).into_owned()),
                );
            }
            _ if !body.iter().all(u8::is_ascii_whitespace) => {
                let value = match wire {
                    Wire::RestXml => rest_xml::decode_body(model, target, body)?,
                    _ => rest_json::decode_body(model, target, body)?,
                };
                out.insert(payload.name.into(), value);
            }
            _ => {}
        }
    } else if members.iter().any(|m| m.location == Location::Body)
        && !body.iter().all(u8::is_ascii_whitespace)
    {
        let decoded = match wire {
            Wire::RestXml => rest_xml::decode_body(model, shape, body)?,
            _ => rest_json::decode_body(model, shape, body)?,
        };
        if let Value::Object(map) = decoded {
            for m in members.iter().filter(|m| m.location == Location::Body) {
                if let Some(v) = map.get(m.name).or_else(|| map.get(m.wire_name())) {
                    out.insert(m.name.into(), v.clone());
                }
            }
        }
    }
    Ok(Value::Object(out))
}

/// What goes into a response body after the bound members are taken out.
pub(crate) enum OutBody<'a> {
    Empty,
    Raw(Vec<u8>),
    /// A structure (or list) payload member, written under the member's name.
    Payload(&'static Member, &'static Shape, &'a Value),
    /// The output shape's body members.
    Members(&'static Shape, Map<String, Value>),
}

/// Applies status-code and header bindings to `response`; returns what the body should hold.
pub(crate) fn encode_output<'a>(
    model: &'static ServiceModel,
    shape: &'static Shape,
    output: &'a Value,
    response: &mut HttpResponse,
) -> OutBody<'a> {
    let Some(map) = output.as_object() else {
        return OutBody::Empty;
    };
    let members = shape.kind.members();
    for m in members {
        let Some(value) = map.get(m.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let target = model.target(m);
        match m.location {
            Location::Header => {
                let text = match (&target.kind, value) {
                    (ShapeKind::List { member, .. }, Value::Array(items)) => Some(
                        items
                            .iter()
                            .filter_map(|v| {
                                values::scalar_to_text(
                                    model.target(member),
                                    v,
                                    TimestampFormat::Rfc822,
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    _ if m.json_value => Some(match value {
                        Value::String(s) => B64.encode(s),
                        other => B64.encode(other.to_string()),
                    }),
                    _ => values::scalar_to_text(target, value, TimestampFormat::Rfc822),
                };
                if let Some(text) = text {
                    response.headers.push((m.wire_name().into(), text));
                }
            }
            Location::Headers => {
                if let Value::Object(entries) = value {
                    for (k, v) in entries {
                        if let Some(text) = v.as_str() {
                            response
                                .headers
                                .push((format!("{}{k}", m.wire_name()), text.into()));
                        }
                    }
                }
            }
            Location::StatusCode => {
                if let Some(code) = value.as_u64() {
                    response.status = code as u16;
                }
            }
            _ => {}
        }
    }
    let payload = match &shape.kind {
        ShapeKind::Structure { payload, .. } => *payload,
        _ => None,
    };
    if let Some(m) = payload.and_then(|p| members.iter().find(|m| m.name == p)) {
        let target = model.target(m);
        return match (&target.kind, map.get(m.name)) {
            // An absent raw payload is an empty body (Lambda's 202 for Event invocations).
            (ShapeKind::Blob { .. } | ShapeKind::String { .. }, None | Some(Value::Null)) => {
                OutBody::Raw(Vec::new())
            }
            (_, None | Some(Value::Null)) => OutBody::Empty,
            (ShapeKind::Blob { .. }, Some(Value::String(b64))) => {
                OutBody::Raw(B64.decode(b64).unwrap_or_else(|_| b64.as_bytes().to_vec()))
            }
            (ShapeKind::String { .. }, Some(Value::String(text))) => {
                OutBody::Raw(text.as_bytes().to_vec())
            }
            (_, Some(value)) => OutBody::Payload(m, target, value),
        };
    }
    let body: Map<String, Value> = members
        .iter()
        .filter(|m| m.location == Location::Body)
        .filter_map(|m| {
            Some((
                m.name.to_string(),
                map.get(m.name).filter(|v| !v.is_null())?.clone(),
            ))
        })
        .collect();
    if body.is_empty() {
        OutBody::Empty
    } else {
        OutBody::Members(shape, body)
    }
}

/// The element an XML payload member is written as: the target's locationName, else the
/// member's wire name (S3 `CopyObjectResult`, `ServerSideEncryptionConfiguration`).
pub(crate) fn payload_element_name(member: &Member, target: &Shape) -> &'static str {
    match &target.kind {
        ShapeKind::Structure {
            location_name: Some(name),
            ..
        } => name,
        _ => member.wire_name(),
    }
}
