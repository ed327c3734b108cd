//! XML for restXml (S3) and awsQuery responses: a small DOM read with quick-xml, and
//! shape-directed conversion between XML and the canonical form. Naming follows botocore's XML
//! parser/serializer: `locationName` overrides, `flattened` lists and maps repeat the element
//! in place, other lists wrap items in `<member>` (or the list member's locationName), other
//! maps in `<entry><key/><value/></entry>`.

use nimbus_shapes::model::{Member, ServiceModel, Shape, ShapeKind, TimestampFormat};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::Value;

use crate::util::xml_escape;
use crate::{sqs_query, values};

#[derive(Debug, Default, Clone)]
pub(crate) struct Element {
    /// Local name (namespace prefix dropped).
    pub name: String,
    /// Attribute qualified names as written (`xsi:type`).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attr(&self, name: &str) -> Option<&str> {
        let local = name.rsplit(':').next().unwrap_or(name);
        self.attrs
            .iter()
            .find(|(k, _)| k == name || k.rsplit(':').next() == Some(local))
            .map(|(_, v)| v.as_str())
    }
}

/// Which naming rules apply. SQS answers awsQuery with the names of its retired query model,
/// which the current (JSON) botocore model no longer carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Standard,
    SqsQuery,
}

impl Dialect {
    /// The element / key name of a structure member.
    pub(crate) fn member_name(self, parent: &Shape, member: &Member) -> &'static str {
        match self {
            Dialect::SqsQuery => {
                sqs_query::member_name(parent.name, member.name).unwrap_or(member.wire_name())
            }
            Dialect::Standard => member.wire_name(),
        }
    }

    /// The repeated element name of a flattened list or map member (botocore
    /// `_member_key_name`: the list member's locationName wins).
    pub(crate) fn flattened_name(
        self,
        parent: &Shape,
        member: &Member,
        target: &Shape,
    ) -> &'static str {
        if self == Dialect::SqsQuery {
            if let Some(name) = sqs_query::member_name(parent.name, member.name) {
                return name;
            }
        }
        match &target.kind {
            ShapeKind::List { member: item, .. } => {
                item.location_name.unwrap_or(member.wire_name())
            }
            _ => member.wire_name(),
        }
    }

    pub(crate) fn map_names(self, map: &Shape) -> (&'static str, &'static str) {
        if self == Dialect::SqsQuery {
            if let Some(names) = sqs_query::map_names(map.name) {
                return names;
            }
        }
        match &map.kind {
            ShapeKind::Map { key, value, .. } => (
                key.location_name.unwrap_or("key"),
                value.location_name.unwrap_or("value"),
            ),
            _ => ("key", "value"),
        }
    }
}

pub(crate) fn is_flattened(member: &Member, target: &Shape) -> bool {
    member.flattened
        || matches!(
            target.kind,
            ShapeKind::List {
                flattened: true,
                ..
            } | ShapeKind::Map {
                flattened: true,
                ..
            }
        )
}

// ---- reading ------------------------------------------------------------------------------

fn element_from(start: &BytesStart) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr.unescape_value().map_err(|e| e.to_string())?;
        attrs.push((
            String::from_utf8_lossy(attr.key.as_ref()).into_owned(),
            value.into_owned(),
        ));
    }
    Ok(Element {
        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
        attrs,
        ..Element::default()
    })
}

/// Parses a document into its root element.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let closed = match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                stack.push(element_from(&start)?);
                None
            }
            Event::Empty(start) => Some(element_from(&start)?),
            Event::End(_) => Some(stack.pop().ok_or("unbalanced end tag")?),
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.unescape().map_err(|e| e.to_string())?);
                }
                None
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&c.into_inner()));
                }
                None
            }
            Event::Eof => return Err("unexpected end of document".into()),
            _ => None,
        };
        if let Some(element) = closed {
            match stack.last_mut() {
                Some(parent) => parent.children.push(element),
                None => return Ok(element),
            }
        }
    }
}

/// An element, read as `shape`, into the canonical form.
pub(crate) fn from_xml(model: &ServiceModel, shape: &Shape, el: &Element) -> Result<Value, String> {
    match &shape.kind {
        ShapeKind::Structure { members, .. } => {
            let mut out = serde_json::Map::new();
            for member in members.iter() {
                if let Some(value) = member_from_xml(model, shape, member, el)? {
                    out.insert(member.name.to_string(), value);
                }
            }
            Ok(Value::Object(out))
        }
        ShapeKind::List { member, .. } => {
            let item_shape = model.target(member);
            let item_name = member.location_name.unwrap_or("member");
            el.children
                .iter()
                .filter(|c| c.name == item_name)
                .map(|c| from_xml(model, item_shape, c))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        ShapeKind::Map { .. } => {
            let entries: Vec<&Element> = el.children.iter().filter(|c| c.name == "entry").collect();
            map_from_entries(model, shape, &entries)
        }
        _ => values::scalar_from_text(shape, &el.text),
    }
}

fn map_from_entries(
    model: &ServiceModel,
    map: &Shape,
    entries: &[&Element],
) -> Result<Value, String> {
    let ShapeKind::Map { value, .. } = &map.kind else {
        return Ok(Value::Null);
    };
    let (key_name, value_name) = Dialect::Standard.map_names(map);
    let value_shape = model.target(value);
    let mut out = serde_json::Map::new();
    for entry in entries {
        let key = entry
            .child(key_name)
            .map(|k| k.text.clone())
            .unwrap_or_default();
        let value = match entry.child(value_name) {
            Some(v) => from_xml(model, value_shape, v)?,
            None => Value::Null,
        };
        out.insert(key, value);
    }
    Ok(Value::Object(out))
}

fn member_from_xml(
    model: &ServiceModel,
    parent: &Shape,
    member: &Member,
    el: &Element,
) -> Result<Option<Value>, String> {
    let target = model.target(member);
    if member.xml_attribute {
        return el
            .attr(member.wire_name())
            .map(|text| values::scalar_from_text(target, text))
            .transpose();
    }
    if is_flattened(member, target) {
        let name = Dialect::Standard.flattened_name(parent, member, target);
        let found: Vec<&Element> = el.children.iter().filter(|c| c.name == name).collect();
        if found.is_empty() {
            return Ok(None);
        }
        return match &target.kind {
            ShapeKind::List { member: item, .. } => {
                let item_shape = model.target(item);
                found
                    .iter()
                    .map(|c| from_xml(model, item_shape, c))
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| Some(Value::Array(v)))
            }
            _ => map_from_entries(model, target, &found).map(Some),
        };
    }
    el.child(member.wire_name())
        .map(|c| from_xml(model, target, c))
        .transpose()
}

// ---- writing ------------------------------------------------------------------------------

/// Writes `value` as `shape` into an element called `name`. `xmlns` goes on this element only.
pub(crate) fn write(
    out: &mut String,
    model: &ServiceModel,
    shape: &Shape,
    value: &Value,
    name: &str,
    xmlns: Option<&str>,
    dialect: Dialect,
) {
    if value.is_null() {
        return;
    }
    let ns = xmlns
        .map(|ns| format!(" xmlns=\"{ns}\""))
        .unwrap_or_default();
    match (&shape.kind, value) {
        (ShapeKind::Structure { members, .. }, Value::Object(map)) => {
            let mut attrs = String::new();
            for m in members.iter().filter(|m| m.xml_attribute) {
                let target = model.target(m);
                if let Some(text) = map
                    .get(m.name)
                    .and_then(|v| values::scalar_to_text(target, v, TimestampFormat::Iso8601))
                {
                    if m.wire_name().starts_with("xsi:") {
                        attrs.push_str(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
                    }
                    attrs.push_str(&format!(" {}=\"{}\"", m.wire_name(), xml_escape(&text)));
                }
            }
            out.push_str(&format!("<{name}{ns}{attrs}>"));
            write_members(out, model, shape, map, dialect);
            out.push_str(&format!("</{name}>"));
        }
        (ShapeKind::List { member, .. }, Value::Array(items)) => {
            out.push_str(&format!("<{name}{ns}>"));
            let item_shape = model.target(member);
            let item_name = member.location_name.unwrap_or("member");
            for item in items {
                write(out, model, item_shape, item, item_name, None, dialect);
            }
            out.push_str(&format!("</{name}>"));
        }
        (ShapeKind::Map { .. }, Value::Object(map)) => {
            out.push_str(&format!("<{name}{ns}>"));
            for (k, v) in map {
                out.push_str("<entry>");
                write_entry(out, model, shape, k, v, dialect);
                out.push_str("</entry>");
            }
            out.push_str(&format!("</{name}>"));
        }
        (_, v) => {
            if let Some(text) = values::scalar_to_text(shape, v, TimestampFormat::Iso8601) {
                out.push_str(&format!("<{name}{ns}>{}</{name}>", xml_escape(&text)));
            }
        }
    }
}

/// The members of a structure (not its own element), in model order.
pub(crate) fn write_members(
    out: &mut String,
    model: &ServiceModel,
    shape: &Shape,
    map: &serde_json::Map<String, Value>,
    dialect: Dialect,
) {
    for m in shape.kind.members().iter().filter(|m| !m.xml_attribute) {
        let Some(v) = map.get(m.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let target = model.target(m);
        if is_flattened(m, target) {
            let name = dialect.flattened_name(shape, m, target);
            match (&target.kind, v) {
                (ShapeKind::List { member: item, .. }, Value::Array(items)) => {
                    let item_shape = model.target(item);
                    for item in items {
                        write(out, model, item_shape, item, name, None, dialect);
                    }
                }
                (ShapeKind::Map { .. }, Value::Object(entries)) => {
                    for (k, val) in entries {
                        out.push_str(&format!("<{name}>"));
                        write_entry(out, model, target, k, val, dialect);
                        out.push_str(&format!("</{name}>"));
                    }
                }
                _ => {}
            }
        } else {
            write(
                out,
                model,
                target,
                v,
                dialect.member_name(shape, m),
                None,
                dialect,
            );
        }
    }
}

fn write_entry(
    out: &mut String,
    model: &ServiceModel,
    map: &Shape,
    key: &str,
    value: &Value,
    dialect: Dialect,
) {
    let ShapeKind::Map { value: vm, .. } = &map.kind else {
        return;
    };
    let (key_name, value_name) = dialect.map_names(map);
    out.push_str(&format!("<{key_name}>{}</{key_name}>", xml_escape(key)));
    write(
        out,
        model,
        model.target(vm),
        value,
        value_name,
        None,
        dialect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaces_attributes_and_entities() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a &amp; b</Key></Object><Quiet>true</Quiet><X a="1"/></Delete>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Delete");
        assert_eq!(root.children[0].child("Key").unwrap().text, "a & b");
        assert_eq!(root.child("X").unwrap().attr("a"), Some("1"));
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"not xml").is_err());
    }
}
