//! Scalars between wire text (URI labels, query strings, headers, XML text) and the canonical
//! JSON form, directed by the model's shape kinds.

use nimbus_shapes::model::{Location, ServiceModel, Shape, ShapeKind, TimestampFormat};
use serde_json::Value;

use crate::util;

/// Wire text -> canonical value for a scalar shape. `Err` carries the reason for a
/// SerializationException / validation error.
pub(crate) fn scalar_from_text(shape: &Shape, text: &str) -> Result<Value, String> {
    let bad = |what: &str| format!("Value '{text}' at '{}' is not a valid {what}", shape.name);
    match &shape.kind {
        ShapeKind::Integer { .. } | ShapeKind::Long { .. } => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| bad("integer")),
        ShapeKind::Double { .. } => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| bad("number")),
        ShapeKind::Boolean => match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            t if t.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(bad("boolean")),
        },
        ShapeKind::Timestamp { .. } => util::parse_timestamp(text)
            .map(util::epoch_value)
            .ok_or_else(|| bad("timestamp")),
        // Blobs on text wires (query, XML) are base64 already, which is the canonical form.
        _ => Ok(Value::String(text.to_string())),
    }
}

/// Canonical scalar -> wire text; `None` for null and for values a scalar cannot hold.
pub(crate) fn scalar_to_text(
    shape: &Shape,
    value: &Value,
    default_format: TimestampFormat,
) -> Option<String> {
    match (&shape.kind, value) {
        (_, Value::Null) => None,
        (ShapeKind::Timestamp { format }, Value::Number(n)) => {
            let epoch = n.as_f64()?;
            Some(match format.unwrap_or(default_format) {
                TimestampFormat::Iso8601 => util::format_iso8601(epoch),
                TimestampFormat::Rfc822 => util::format_http_date(epoch),
                TimestampFormat::UnixTimestamp => n.to_string(),
            })
        }
        (_, Value::String(s)) => Some(s.clone()),
        (_, Value::Bool(b)) => Some(b.to_string()),
        (_, Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON body value in wire form -> canonical: timestamps given as strings (ISO 8601, as
/// restJson members with `timestampFormat` carry them) become epoch numbers. Everything else
/// already is canonical.
pub(crate) fn json_from_wire(model: &ServiceModel, shape: &Shape, value: Value) -> Value {
    match (&shape.kind, value) {
        (ShapeKind::Structure { members, .. }, Value::Object(map)) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    // Body members travel under their locationName (API Gateway V2's camelCase).
                    let member = members
                        .iter()
                        .find(|m| m.location == Location::Body && m.wire_name() == k)
                        .or_else(|| members.iter().find(|m| m.name == k));
                    match member {
                        Some(m) => (
                            m.name.to_string(),
                            json_from_wire(model, model.target(m), v),
                        ),
                        None => (k, v),
                    }
                })
                .collect(),
        ),
        (ShapeKind::List { member, .. }, Value::Array(items)) => {
            let inner = model.target(member);
            Value::Array(
                items
                    .into_iter()
                    .map(|v| json_from_wire(model, inner, v))
                    .collect(),
            )
        }
        (ShapeKind::Map { value: vm, .. }, Value::Object(map)) => {
            let inner = model.target(vm);
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, json_from_wire(model, inner, v)))
                    .collect(),
            )
        }
        (ShapeKind::Timestamp { .. }, Value::String(s)) => util::parse_timestamp(&s)
            .map(util::epoch_value)
            .unwrap_or(Value::String(s)),
        (_, v) => v,
    }
}

/// Canonical -> JSON body: nulls dropped (AWS omits absent members), timestamps in the shape's
/// declared format (epoch seconds unless the model says otherwise).
pub(crate) fn json_to_wire(model: &ServiceModel, shape: &Shape, value: &Value) -> Value {
    match (&shape.kind, value) {
        (ShapeKind::Structure { members, .. }, Value::Object(map)) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                if v.is_null() {
                    continue;
                }
                match members.iter().find(|m| m.name == k) {
                    Some(m) => out.insert(
                        m.wire_name().to_string(),
                        json_to_wire(model, model.target(m), v),
                    ),
                    None => out.insert(k.clone(), strip_nulls(v)),
                };
            }
            Value::Object(out)
        }
        (ShapeKind::List { member, .. }, Value::Array(items)) => {
            let inner = model.target(member);
            Value::Array(
                items
                    .iter()
                    .map(|v| json_to_wire(model, inner, v))
                    .collect(),
            )
        }
        (ShapeKind::Map { value: vm, .. }, Value::Object(map)) => {
            let inner = model.target(vm);
            Value::Object(
                map.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), json_to_wire(model, inner, v)))
                    .collect(),
            )
        }
        (ShapeKind::Timestamp { format: Some(f) }, Value::Number(n))
            if *f != TimestampFormat::UnixTimestamp =>
        {
            scalar_to_text(shape, &Value::Number(n.clone()), *f)
                .map(Value::String)
                .unwrap_or(Value::Null)
        }
        (_, v) => strip_nulls(v),
    }
}

pub(crate) fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}
