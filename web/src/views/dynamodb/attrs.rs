//! The table's shape as the explorer needs it (key attributes, indexes) and the two item
//! notations the editor speaks: DynamoDB JSON (`{"pk": {"S": "a"}}`, what the wire carries) and
//! plain JSON (`{"pk": "a"}`, what the SDK's DocumentClient takes).
use serde_json::{json, Map, Number, Value};

/// One attribute of a primary or index key.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyAttr {
    pub name: String,
    /// S, N or B (the AttributeDefinitions type).
    pub kind: String,
    pub role: &'static str,
}

/// A secondary index as DescribeTable reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexInfo {
    pub name: String,
    /// "GSI" or "LSI".
    pub kind: &'static str,
    pub keys: Vec<KeyAttr>,
    pub projection: String,
}

/// The key attributes of a KeySchema, partition key first, typed from AttributeDefinitions.
pub fn keys_from(schema: &Value, definitions: &Value) -> Vec<KeyAttr> {
    let types: Map<String, Value> = definitions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| {
            Some((
                d["AttributeName"].as_str()?.to_string(),
                d["AttributeType"].clone(),
            ))
        })
        .collect();
    let mut keys: Vec<KeyAttr> = schema
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| {
            let name = k["AttributeName"].as_str()?.to_string();
            let kind = types
                .get(&name)
                .and_then(Value::as_str)
                .unwrap_or("S")
                .to_string();
            let role = if k["KeyType"] == "RANGE" {
                "Sort key"
            } else {
                "Partition key"
            };
            Some(KeyAttr { name, kind, role })
        })
        .collect();
    keys.sort_by_key(|k| k.role != "Partition key");
    keys
}

pub fn key_schema(table: &Value) -> Vec<KeyAttr> {
    keys_from(&table["KeySchema"], &table["AttributeDefinitions"])
}

/// The table's global then local secondary indexes.
pub fn indexes(table: &Value) -> Vec<IndexInfo> {
    let mut out = Vec::new();
    for (member, kind) in [
        ("GlobalSecondaryIndexes", "GSI"),
        ("LocalSecondaryIndexes", "LSI"),
    ] {
        for index in table[member].as_array().into_iter().flatten() {
            let projection = &index["Projection"];
            let mut text = projection["ProjectionType"]
                .as_str()
                .unwrap_or("ALL")
                .to_string();
            if let Some(extra) = projection["NonKeyAttributes"].as_array() {
                let names: Vec<&str> = extra.iter().filter_map(Value::as_str).collect();
                text = format!("{text} ({})", names.join(", "));
            }
            out.push(IndexInfo {
                name: index["IndexName"].as_str().unwrap_or_default().to_string(),
                kind,
                keys: keys_from(&index["KeySchema"], &table["AttributeDefinitions"]),
                projection: text,
            });
        }
    }
    out
}

pub fn type_label(kind: &str) -> &'static str {
    match kind {
        "S" => "String",
        "N" => "Number",
        "B" => "Binary",
        _ => "?",
    }
}

/// The primary key of `item`, or None when a key attribute is missing.
pub fn key_of(item: &Value, keys: &[KeyAttr]) -> Option<Value> {
    let mut key = Map::new();
    for k in keys {
        key.insert(k.name.clone(), item.get(&k.name)?.clone());
    }
    Some(Value::Object(key))
}

/// An attribute value for a grid cell: scalars bare (`{"S": "a"}` -> `a`), the rest compact JSON.
pub fn cell_text(v: &Value) -> String {
    match v.as_object().and_then(|o| o.iter().next()) {
        Some((_, Value::String(s))) => s.clone(),
        Some((t, Value::Bool(b))) if t == "BOOL" => b.to_string(),
        Some((t, _)) if t == "NULL" => "null".into(),
        Some((_, other)) => other.to_string(),
        None => v.to_string(),
    }
}

/// The DynamoDB type of an attribute value (`S`, `N`, `M`...).
pub fn type_of(v: &Value) -> String {
    v.as_object()
        .and_then(|o| o.keys().next().cloned())
        .unwrap_or_default()
}

/// An object as the editor shows it: key attributes first, one attribute per line.
/// (serde_json's maps are sorted, which would bury the key among the other attributes.)
pub fn object_text(item: &Map<String, Value>, keys: &[KeyAttr]) -> String {
    let key_names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
    let ordered = key_names
        .iter()
        .filter_map(|name| item.get_key_value(*name))
        .chain(
            item.iter()
                .filter(|(name, _)| !key_names.contains(&name.as_str())),
        );
    let lines: Vec<String> = ordered
        .map(|(name, value)| format!("  {}: {}", Value::from(name.as_str()), value))
        .collect();
    if lines.is_empty() {
        return "{}".into();
    }
    format!("{{\n{}\n}}", lines.join(",\n"))
}

/// A typed attribute value as plain JSON (DocumentClient's notation). Sets become lists and
/// binaries their base64 text, as plain JSON has neither.
pub fn to_plain(v: &Value) -> Value {
    let Some((t, inner)) = v.as_object().and_then(|o| o.iter().next()) else {
        return Value::Null;
    };
    match (t.as_str(), inner) {
        ("N", Value::String(n)) => number(n),
        ("NULL", _) => Value::Null,
        ("L", Value::Array(list)) => Value::Array(list.iter().map(to_plain).collect()),
        ("M", Value::Object(map)) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_plain(v))).collect())
        }
        ("NS", Value::Array(list)) => Value::Array(
            list.iter()
                .map(|n| number(n.as_str().unwrap_or("0")))
                .collect(),
        ),
        (_, other) => other.clone(),
    }
}

fn number(text: &str) -> Value {
    text.parse::<i64>()
        .map(Value::from)
        .ok()
        .or_else(|| {
            text.parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
        })
        .unwrap_or_else(|| Value::String(text.into()))
}

/// A plain JSON value as a typed attribute value (what DocumentClient's marshalling does).
pub fn from_plain(v: &Value) -> Value {
    match v {
        Value::String(s) => json!({ "S": s }),
        Value::Number(n) => json!({ "N": n.to_string() }),
        Value::Bool(b) => json!({ "BOOL": b }),
        Value::Null => json!({ "NULL": true }),
        Value::Array(list) => json!({ "L": list.iter().map(from_plain).collect::<Vec<_>>() }),
        Value::Object(map) => {
            json!({ "M": map.iter().map(|(k, v)| (k.clone(), from_plain(v))).collect::<Map<_, _>>() })
        }
    }
}

const TYPES: [&str; 10] = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"];

/// Checks one typed attribute value's descriptor (recursively for M and L).
fn check_typed(path: &str, v: &Value) -> Result<(), String> {
    let obj = v.as_object().filter(|o| o.len() == 1).ok_or_else(|| {
        format!(
            "{path}: expected one type descriptor such as {{\"S\": \"text\"}} or {{\"N\": \"1\"}}"
        )
    })?;
    let (t, inner) = obj.iter().next().expect("one entry");
    let ok = match t.as_str() {
        "S" | "N" | "B" => inner.is_string(),
        "BOOL" => inner.is_boolean(),
        "NULL" => inner == &Value::Bool(true),
        "SS" | "NS" | "BS" => inner
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        "M" => {
            let map = inner
                .as_object()
                .ok_or_else(|| format!("{path}: M takes an object"))?;
            for (k, v) in map {
                check_typed(&format!("{path}.{k}"), v)?;
            }
            true
        }
        "L" => {
            let list = inner
                .as_array()
                .ok_or_else(|| format!("{path}: L takes a list"))?;
            for (i, v) in list.iter().enumerate() {
                check_typed(&format!("{path}[{i}]"), v)?;
            }
            true
        }
        other => {
            return Err(format!(
                "{path}: unknown type \"{other}\" (one of {})",
                TYPES.join(", ")
            ))
        }
    };
    if !ok {
        return Err(format!("{path}: the value does not fit type {t}"));
    }
    if t == "N" && number(inner.as_str().unwrap_or_default()).is_string() {
        return Err(format!(
            "{path}: \"{}\" is not a number",
            inner.as_str().unwrap_or_default()
        ));
    }
    Ok(())
}

/// Parses the editor's text into a typed item ready for PutItem, or says what is wrong:
/// invalid JSON, a bad type descriptor, a missing key attribute, a key of the wrong type.
pub fn parse_item(text: &str, plain: bool, keys: &[KeyAttr]) -> Result<Map<String, Value>, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("The item is not valid JSON: {e}"))?;
    let Value::Object(object) = value else {
        return Err("The item must be a JSON object of attributes.".into());
    };
    let mut item = Map::new();
    for (name, v) in object {
        let typed = if plain {
            match (keys.iter().find(|k| k.name == name), &v) {
                // Plain JSON has no binary type: a binary key takes its base64 text.
                (Some(k), Value::String(s)) if k.kind == "B" => json!({ "B": s }),
                _ => from_plain(&v),
            }
        } else {
            check_typed(&name, &v)?;
            v
        };
        item.insert(name, typed);
    }
    for k in keys {
        let Some(v) = item.get(&k.name) else {
            return Err(format!(
                "Missing the {} attribute \"{}\" ({}).",
                k.role.to_lowercase(),
                k.name,
                type_label(&k.kind)
            ));
        };
        let got = type_of(v);
        if got != k.kind {
            return Err(format!(
                "The {} \"{}\" must be of type {} ({}), not {got}.",
                k.role.to_lowercase(),
                k.name,
                k.kind,
                type_label(&k.kind)
            ));
        }
    }
    Ok(item)
}

/// A new item's starting text: the key attributes, empty, and one example attribute.
pub fn template(keys: &[KeyAttr], plain: bool) -> String {
    let mut item = Map::new();
    for k in keys {
        // Placeholders that pass the checks, so a fresh item shows no error before any typing.
        let empty = match (plain, k.kind.as_str()) {
            (true, "N") => json!(0),
            (true, _) => json!(""),
            (false, "N") => json!({"N": "0"}),
            (false, kind) => json!({ kind: "" }),
        };
        item.insert(k.name.clone(), empty);
    }
    item.insert(
        "attribute".into(),
        if plain {
            json!("value")
        } else {
            json!({"S": "value"})
        },
    );
    object_text(&item, keys)
}

/// A typed item in the editor's notation.
pub fn item_text(item: &Map<String, Value>, keys: &[KeyAttr], plain: bool) -> String {
    if plain {
        let converted: Map<String, Value> =
            item.iter().map(|(k, v)| (k.clone(), to_plain(v))).collect();
        object_text(&converted, keys)
    } else {
        object_text(item, keys)
    }
}
