//! awsQuery (SNS, STS, and SQS's older wire): form parameters `Action`, `Version` and flattened
//! key paths in, XML `<{Op}Response><{Op}Result>` out.
//!
//! Key paths follow botocore's QuerySerializer: structure members by (location)name, lists as
//! `Name.member.N` (or `Name.N` when flattened), maps as `Name.entry.N.key` / `.value` (or
//! `Name.N.key` when flattened), with the key/value names the model gives.

use std::collections::BTreeMap;

use nimbus_shapes::model::{Member, ServiceModel, Shape, ShapeKind};
use nimbus_shapes::ServiceError;
use serde_json::{Map, Value};

use crate::routing::{self, Caller};
use crate::util::{header, xml_escape};
use crate::xml::{self, is_flattened, Dialect};
use crate::{
    parsed, reject, sqs_query, values, ErrorContext, HttpRequest, HttpResponse, ParsedRequest, Wire,
};

/// SQS's query namespace (the JSON model has none).
const SQS_NAMESPACE: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

const MAX_KEY_DEPTH: usize = 32;

#[derive(Default, Debug)]
struct Node {
    value: Option<String>,
    children: BTreeMap<String, Node>,
}

impl Node {
    fn insert(&mut self, key: &str, value: &str) {
        // No AWS shape nests this deep; a longer path is noise (and would only deepen the tree).
        if key.split('.').count() > MAX_KEY_DEPTH {
            return;
        }
        let mut node = self;
        for part in key.split('.') {
            node = node.children.entry(part.to_string()).or_default();
        }
        node.value = Some(value.to_string());
    }

    /// `1`, `2`, ... children in numeric order.
    fn indexed(&self) -> Vec<&Node> {
        let mut items: Vec<(usize, &Node)> = self
            .children
            .iter()
            .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
            .collect();
        items.sort_by_key(|(i, _)| *i);
        items.into_iter().map(|(_, n)| n).collect()
    }
}

fn dialect(model: &ServiceModel) -> Dialect {
    if model.aws_query_compatible {
        Dialect::SqsQuery
    } else {
        Dialect::Standard
    }
}

fn namespace(model: &ServiceModel) -> &'static str {
    model.xml_namespace.unwrap_or(SQS_NAMESPACE)
}

pub(crate) fn parse(
    request: &HttpRequest,
    caller: Caller,
    params: Vec<(String, String)>,
) -> Result<ParsedRequest, HttpResponse> {
    let action = params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let model = routing::route_query(request, &caller, &params);
    let ctx = ErrorContext {
        service: model,
        wire: Wire::AwsQuery,
        head: false,
    };
    let invalid_action = ServiceError::new(
        "InvalidAction",
        400,
        format!("The action {action} is not valid for this endpoint."),
    );
    let Some(model) = model else {
        return reject(request, ctx, invalid_action);
    };
    let Some(operation) = model.operation(&action) else {
        return reject(request, ctx, invalid_action);
    };
    let mut root = Node::default();
    for (k, v) in &params {
        root.insert(k, v);
    }
    let dialect = dialect(model);
    let mut input = match operation.input.and_then(|i| model.shape(i)) {
        Some(shape) => match decode(model, shape, &root, dialect) {
            Ok(v) => v,
            Err(message) => {
                return reject(
                    request,
                    ctx,
                    ServiceError::new("InvalidParameterValue", 400, message),
                )
            }
        },
        None => Value::Object(Map::new()),
    };
    // Old SQS clients post to the queue's own URL instead of sending QueueUrl.
    if model.aws_query_compatible && request.path.trim_matches('/').contains('/') {
        if let Value::Object(map) = &mut input {
            let has_member = operation
                .input
                .and_then(|i| model.shape(i))
                .is_some_and(|s| s.kind.members().iter().any(|m| m.name == "QueueUrl"));
            if has_member && !map.contains_key("QueueUrl") {
                let host = header(request, "host").unwrap_or("localhost");
                map.insert(
                    "QueueUrl".into(),
                    format!("http://{host}{}", request.path).into(),
                );
            }
        }
    }
    Ok(parsed(model, operation, Wire::AwsQuery, input, caller))
}

fn decode(
    model: &ServiceModel,
    shape: &Shape,
    node: &Node,
    dialect: Dialect,
) -> Result<Value, String> {
    match &shape.kind {
        ShapeKind::Structure { members, .. } => {
            let mut out = Map::new();
            for m in members.iter() {
                if let Some(v) = decode_member(model, shape, m, node, dialect)? {
                    out.insert(m.name.to_string(), v);
                }
            }
            Ok(Value::Object(out))
        }
        _ => values::scalar_from_text(shape, node.value.as_deref().unwrap_or_default()),
    }
}

fn decode_member(
    model: &ServiceModel,
    parent: &Shape,
    member: &Member,
    node: &Node,
    dialect: Dialect,
) -> Result<Option<Value>, String> {
    let target = model.target(member);
    let flattened = is_flattened(member, target);
    let name = if flattened {
        dialect.flattened_name(parent, member, target)
    } else {
        dialect.member_name(parent, member)
    };
    let Some(child) = node.children.get(name) else {
        return Ok(None);
    };
    match &target.kind {
        ShapeKind::List { member: item, .. } => {
            let holder = if flattened {
                Some(child)
            } else {
                child.children.get(item.location_name.unwrap_or("member"))
            };
            let item_shape = model.target(item);
            let items = holder
                .map(|h| h.indexed())
                .unwrap_or_default()
                .into_iter()
                .map(|n| decode(model, item_shape, n, dialect))
                .collect::<Result<Vec<_>, _>>()?;
            // `Name=` with no items is how botocore sends an empty list.
            Ok(Some(Value::Array(items)))
        }
        ShapeKind::Map { value: vm, .. } => {
            let holder = if flattened {
                Some(child)
            } else {
                child.children.get("entry")
            };
            let (key_name, value_name) = dialect.map_names(target);
            let value_shape = model.target(vm);
            let mut out = Map::new();
            for entry in holder.map(|h| h.indexed()).unwrap_or_default() {
                let Some(key) = entry.children.get(key_name).and_then(|k| k.value.clone()) else {
                    continue;
                };
                let value = match entry.children.get(value_name) {
                    Some(v) => decode(model, value_shape, v, dialect)?,
                    None => Value::Null,
                };
                out.insert(key, value);
            }
            Ok(Some(Value::Object(out)))
        }
        _ => decode(model, target, child, dialect).map(Some),
    }
}

pub(crate) fn render_output(
    request: &ParsedRequest,
    output: &Value,
    request_id: &str,
) -> HttpResponse {
    let model = request.service;
    let op = request.operation;
    let ns = namespace(model);
    let mut doc = format!("<{}Response xmlns=\"{ns}\">", op.name);
    if let Some(shape) = op.output.and_then(|o| model.shape(o)) {
        let wrapper = op
            .result_wrapper
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}Result", op.name));
        let empty = Map::new();
        let members = output.as_object().unwrap_or(&empty);
        doc.push_str(&format!("<{wrapper}>"));
        xml::write_members(&mut doc, model, shape, members, dialect(model));
        doc.push_str(&format!("</{wrapper}>"));
    }
    doc.push_str(&format!(
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{}Response>",
        xml_escape(request_id),
        op.name
    ));
    HttpResponse {
        status: 200,
        headers: vec![
            ("x-amzn-RequestId".into(), request_id.into()),
            ("Content-Type".into(), "text/xml".into()),
        ],
        body: doc.into_bytes(),
    }
}

pub(crate) fn render_error(
    ctx: ErrorContext,
    error: &ServiceError,
    request_id: &str,
) -> HttpResponse {
    let ns = ctx
        .service
        .map(|m| format!(" xmlns=\"{}\"", namespace(m)))
        .unwrap_or_default();
    let code = if ctx.service.is_some_and(|m| m.aws_query_compatible) {
        sqs_query::query_code(&error.code)
    } else {
        error.code.as_str()
    };
    let fault = if error.sender_fault {
        "Sender"
    } else {
        "Receiver"
    };
    let doc = format!(
        "<ErrorResponse{ns}><Error><Type>{fault}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        xml_escape(code),
        xml_escape(&error.message),
        xml_escape(request_id)
    );
    HttpResponse {
        status: error.status,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: doc.into_bytes(),
    }
}
