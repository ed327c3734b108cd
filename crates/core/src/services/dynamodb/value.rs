//! Attribute values: AWS's validation of what a client sends, item sizes, and key encodings.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use nimbus_shapes::dynamodb::{AttributeValue, ScalarAttributeType};

use super::{errors::INVALID, number::Number};

pub type Item = BTreeMap<String, AttributeValue>;

/// AWS's answer to a key that is not the table's key.
pub const KEY_MISMATCH: &str = "The provided key element does not match the schema";

/// DynamoDB's item size limit, 400 KB.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;
const MAX_HASH_KEY_SIZE: usize = 2048;
const MAX_RANGE_KEY_SIZE: usize = 1024;
/// Documents nest at most 32 levels, the top-level value being level 1.
const MAX_DEPTH: usize = 32;

/// A rejected value and how AWS frames its message.
#[derive(Debug)]
pub struct Invalid {
    pub message: String,
    pub family: Family,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Family {
    /// Answered as it is, or inside an operation's own wording (ExpressionAttributeValues').
    Value,
    /// Set errors: PutItem wraps them in the "1 validation error detected: " envelope while
    /// other operations answer them bare.
    Set,
    /// A too-long attribute name: always the whole answer, envelope included.
    Name,
}

impl Invalid {
    fn bare(message: impl Into<String>) -> Self {
        Invalid {
            message: message.into(),
            family: Family::Value,
        }
    }

    fn set(message: impl Into<String>) -> Self {
        Invalid {
            message: message.into(),
            family: Family::Set,
        }
    }
}

/// Attribute names, top-level or map keys, are at most 65535 bytes (the developer guide says
/// 64 KB; DynamoDB refuses 65536).
const MAX_ATTRIBUTE_NAME_BYTES: usize = 65535;

/// DynamoDB's answer to a longer name, wherever it is written: an item's attribute or map
/// key, ExpressionAttributeNames, the legacy parameters (measured against DynamoDB in
/// 2026-09, ExtendDB#365; ScyllaDB's Alternator tests see the same).
pub const ATTRIBUTE_NAME_TOO_LARGE: &str =
    "1 validation error detected: Attribute name is too large, must be less than 65536 bytes";

/// Whether `name` is within DynamoDB's attribute-name limit.
pub fn attribute_name_fits(name: &str) -> bool {
    name.len() <= MAX_ATTRIBUTE_NAME_BYTES
}

fn check_name(name: &str) -> Result<(), Invalid> {
    if attribute_name_fits(name) {
        Ok(())
    } else {
        Err(Invalid {
            message: ATTRIBUTE_NAME_TOO_LARGE.into(),
            family: Family::Name,
        })
    }
}

/// Whether `message` is an empty-set error of `normalise_item`.
pub fn is_empty_set_error(message: &str) -> bool {
    let detail = message.strip_prefix(INVALID).unwrap_or(message);
    ["An string set ", "An number set ", "Binary sets "]
        .iter()
        .any(|start| detail.starts_with(start))
}

/// Whether `message` is a duplicate-set error of `normalise_item`.
pub fn is_duplicate_set_error(message: &str) -> bool {
    let detail = message.strip_prefix(INVALID).unwrap_or(message);
    detail.starts_with("Input collection ")
}

/// The one data type a validated value holds.
pub fn type_name(value: &AttributeValue) -> &'static str {
    if value.s.is_some() {
        "S"
    } else if value.n.is_some() {
        "N"
    } else if value.b.is_some() {
        "B"
    } else if value.ss.is_some() {
        "SS"
    } else if value.ns.is_some() {
        "NS"
    } else if value.bs.is_some() {
        "BS"
    } else if value.m.is_some() {
        "M"
    } else if value.l.is_some() {
        "L"
    } else if value.null.is_some() {
        "NULL"
    } else {
        "BOOL"
    }
}

/// Validates every value of `item` as AWS does and answers it with numbers normalised.
pub fn normalise_item(item: &Item) -> Result<Item, Invalid> {
    item.iter()
        .map(|(name, value)| {
            check_name(name)?;
            Ok((name.clone(), normalise(value, 1)?))
        })
        .collect()
}

fn normalise_number(text: &str) -> Result<String, Invalid> {
    Number::parse(text)
        .map(|n| n.canonical())
        .map_err(|e| Invalid::bare(e.message(text)))
}

fn normalise(value: &AttributeValue, depth: usize) -> Result<AttributeValue, Invalid> {
    if depth > MAX_DEPTH {
        return Err(Invalid::bare(
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit",
        ));
    }
    let mut out = value.clone();
    // AWS converts numbers before it counts the data types set (dynalite's captures show
    // {"S":"a","N":"b"} answered with the number error).
    if let Some(n) = &value.n {
        out.n = Some(normalise_number(n)?);
    }
    if let Some(ns) = &value.ns {
        out.ns = Some(
            ns.iter()
                .map(|n| normalise_number(n))
                .collect::<Result<_, _>>()?,
        );
    }
    let set_count = [
        value.s.is_some(),
        value.n.is_some(),
        value.b.is_some(),
        value.ss.is_some(),
        value.ns.is_some(),
        value.bs.is_some(),
        value.m.is_some(),
        value.l.is_some(),
        value.null.is_some(),
        value.bool.is_some(),
    ]
    .iter()
    .filter(|&&set| set)
    .count();
    match set_count {
        0 => {
            return Err(Invalid::bare(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            ));
        }
        1 => {}
        _ => {
            return Err(Invalid::bare(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
            ));
        }
    }
    if value.null == Some(false) {
        return Err(Invalid::bare(format!(
            "{INVALID}Null attribute value types must have the value of true"
        )));
    }
    if let Some(ss) = &value.ss {
        if ss.is_empty() {
            return Err(Invalid::set(format!(
                "{INVALID}An string set  may not be empty"
            )));
        }
        if ss.iter().collect::<BTreeSet<_>>().len() != ss.len() {
            return Err(Invalid::set(format!(
                "{INVALID}Input collection [{}] contains duplicates.",
                ss.join(", ")
            )));
        }
    }
    if let Some(ns) = &out.ns {
        if ns.is_empty() {
            return Err(Invalid::set(format!(
                "{INVALID}An number set  may not be empty"
            )));
        }
        if ns.iter().collect::<BTreeSet<_>>().len() != ns.len() {
            return Err(Invalid::set("Input collection contains duplicates"));
        }
    }
    if let Some(bs) = &value.bs {
        if bs.is_empty() {
            return Err(Invalid::set(format!(
                "{INVALID}Binary sets should not be empty"
            )));
        }
        if bs.iter().collect::<BTreeSet<_>>().len() != bs.len() {
            let shown: Vec<String> = bs
                .iter()
                .map(|b| base64::engine::general_purpose::STANDARD.encode(&b.0))
                .collect();
            // Sic: AWS leaves out the space before "of".
            return Err(Invalid::set(format!(
                "{INVALID}Input collection [{}]of type BS contains duplicates.",
                shown.join(", ")
            )));
        }
    }
    if let Some(m) = &value.m {
        out.m = Some(
            m.iter()
                .map(|(k, v)| {
                    check_name(k)?;
                    Ok((k.clone(), normalise(v, depth + 1)?))
                })
                .collect::<Result<_, Invalid>>()?,
        );
    }
    if let Some(l) = &value.l {
        out.l = Some(
            l.iter()
                .map(|v| normalise(v, depth + 1))
                .collect::<Result<_, _>>()?,
        );
    }
    Ok(out)
}

fn number_size(text: &str) -> usize {
    Number::parse(text).map(|n| n.size()).unwrap_or(1)
}

/// The bytes a value counts toward the item size, per the DynamoDB developer guide
/// ("Item sizes and formats"): strings and binaries by length, numbers by digit pairs,
/// one byte for NULL and BOOL, three bytes per document plus one per element.
pub fn value_size(value: &AttributeValue) -> usize {
    if let Some(s) = &value.s {
        s.len()
    } else if let Some(n) = &value.n {
        number_size(n)
    } else if let Some(b) = &value.b {
        b.0.len()
    } else if let Some(ss) = &value.ss {
        ss.iter().map(String::len).sum()
    } else if let Some(ns) = &value.ns {
        ns.iter().map(|n| number_size(n)).sum()
    } else if let Some(bs) = &value.bs {
        bs.iter().map(|b| b.0.len()).sum()
    } else if let Some(m) = &value.m {
        3 + m
            .iter()
            .map(|(k, v)| k.len() + value_size(v) + 1)
            .sum::<usize>()
    } else if let Some(l) = &value.l {
        3 + l.iter().map(|v| value_size(v) + 1).sum::<usize>()
    } else {
        1
    }
}

/// Attribute names plus values.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

/// One key attribute of a table or index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAttr {
    pub name: String,
    pub kind: ScalarAttributeType,
}

/// A table's or an index's key. A GSI may have multi-attribute keys (AWS, November 2025):
/// up to four partition key attributes and up to four sort key attributes, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySchema {
    pub hash: KeyAttr,
    pub range: Option<KeyAttr>,
    /// The partition key attributes after `hash` (multi-attribute GSI keys only).
    pub more_hash: Vec<KeyAttr>,
    /// The sort key attributes after `range` (multi-attribute GSI keys only).
    pub more_range: Vec<KeyAttr>,
}

impl KeySchema {
    /// A single-attribute key: a partition key and maybe a sort key.
    #[cfg(test)]
    pub fn simple(hash: KeyAttr, range: Option<KeyAttr>) -> Self {
        KeySchema {
            hash,
            range,
            more_hash: Vec::new(),
            more_range: Vec::new(),
        }
    }

    /// Every key attribute in key order: the partition key attributes, then the sort key's.
    pub fn attrs(&self) -> impl Iterator<Item = &KeyAttr> {
        self.hash_attrs().chain(self.range_attrs())
    }

    /// The partition key attributes, in order.
    pub fn hash_attrs(&self) -> impl Iterator<Item = &KeyAttr> {
        std::iter::once(&self.hash).chain(&self.more_hash)
    }

    /// The sort key attributes, in order (none without a sort key).
    pub fn range_attrs(&self) -> impl Iterator<Item = &KeyAttr> {
        self.range.iter().chain(&self.more_range)
    }

    /// Checks an item's key attributes (PutItem). Errors are complete AWS messages.
    pub fn check_item(&self, item: &Item) -> Result<(), String> {
        for (attr, limit) in self.limits() {
            let value = item
                .get(&attr.name)
                .ok_or_else(|| format!("{INVALID}Missing the key {} in the item", attr.name))?;
            let actual = type_name(value);
            if actual != attr.kind.as_str() {
                return Err(format!(
                    "{INVALID}Type mismatch for key {} expected: {} actual: {actual}",
                    attr.name, attr.kind
                ));
            }
            check_not_empty(value, &attr.name)?;
            check_key_size(value, limit)?;
        }
        Ok(())
    }

    /// Whether the item (or, `exact`, the Key) has every key attribute with its type (and,
    /// `exact`, nothing else).
    pub fn fits(&self, item: &Item, exact: bool) -> bool {
        self.attrs().all(|attr| item.contains_key(&attr.name))
            && !self.mistyped(item)
            && (!exact || item.len() == self.attrs().count())
    }

    /// Whether one of the item's key attributes has a type other than the schema's.
    pub fn mistyped(&self, item: &Item) -> bool {
        self.attrs().any(|attr| {
            item.get(&attr.name)
                .is_some_and(|value| type_name(value) != attr.kind.as_str())
        })
    }

    /// Checks a `Key` parameter (GetItem, DeleteItem): exactly the key attributes, typed.
    pub fn check_key(&self, key: &Item) -> Result<(), String> {
        if key.len() != self.attrs().count() {
            return Err(KEY_MISMATCH.to_string());
        }
        for attr in self.attrs() {
            match key.get(&attr.name) {
                Some(value) if type_name(value) == attr.kind.as_str() => {
                    check_not_empty(value, &attr.name)?
                }
                _ => return Err(KEY_MISMATCH.to_string()),
            }
        }
        // AWS checks the sizes of every key it is given, UpdateItem's included.
        for (attr, limit) in self.limits() {
            check_key_size(&key[&attr.name], limit)?;
        }
        Ok(())
    }

    /// Each key attribute with the size limit of its role.
    fn limits(&self) -> impl Iterator<Item = (&KeyAttr, usize)> {
        self.hash_attrs()
            .map(|a| (a, MAX_HASH_KEY_SIZE))
            .chain(self.range_attrs().map(|r| (r, MAX_RANGE_KEY_SIZE)))
    }

    /// Checks the key attributes of a secondary index (with these keys, named `index`)
    /// that an item carries: type, not empty, and the size limit of the attribute's role
    /// in the index (an attribute that is the table's hash key may be an index's range
    /// key, limited to 1024 bytes there). An absent one leaves the item out of the index.
    pub fn check_index_item(&self, item: &Item, index: &str) -> Result<(), IndexKeyRefusal> {
        for (attr, limit) in self.limits() {
            if let Some(value) = item.get(&attr.name) {
                check_index_key(value, attr, index)?;
                check_key_size(value, limit).map_err(IndexKeyRefusal::Invalid)?;
            }
        }
        Ok(())
    }

    /// An encoding of the key of a checked item whose byte order is DynamoDB's key order
    /// (N numerically, S and B bytewise) and in which one partition's items are contiguous,
    /// ordered by sort key.
    pub fn encode(&self, item: &Item) -> Vec<u8> {
        let mut out = Vec::new();
        for attr in self.attrs() {
            if let Some(value) = item.get(&attr.name) {
                encode_scalar(value, &mut out);
            }
        }
        out
    }
}

fn check_key_size(value: &AttributeValue, limit: usize) -> Result<(), String> {
    if value_size(value) <= limit {
        Ok(())
    } else if limit == MAX_HASH_KEY_SIZE {
        // Sic: AWS writes "limit of2048".
        Err(format!(
            "{INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes"
        ))
    } else {
        Err(format!(
            "{INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
        ))
    }
}

/// "string" or "binary" for an empty one, which AWS refuses as a key value.
fn empty_kind(value: &AttributeValue) -> Option<&'static str> {
    match (&value.s, &value.b) {
        (Some(s), _) if s.is_empty() => Some("string"),
        (_, Some(b)) if b.0.is_empty() => Some("binary"),
        _ => None,
    }
}

/// AWS refuses an empty string or binary as a key value (Query's key conditions too).
pub fn check_not_empty(value: &AttributeValue, name: &str) -> Result<(), String> {
    match empty_kind(value) {
        None => Ok(()),
        Some(what) => Err(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {what} value. Key: {name}"
        )),
    }
}

/// Why an item's value cannot be its secondary index's key.
#[derive(Debug, PartialEq, Eq)]
pub enum IndexKeyRefusal {
    /// An empty string or binary (`what`). AWS refuses the request as a whole for it, a
    /// transaction's too, and UpdateItem words it after the update.
    Empty { what: &'static str, message: String },
    /// Another type than the index defines, or a key too long: the message.
    Invalid(String),
}

/// Checks a secondary index key attribute an item carries (an absent one leaves the item
/// out of the index, which is allowed).
fn check_index_key(
    value: &AttributeValue,
    attr: &KeyAttr,
    index: &str,
) -> Result<(), IndexKeyRefusal> {
    let actual = type_name(value);
    if actual != attr.kind.as_str() {
        return Err(IndexKeyRefusal::Invalid(format!(
            "{INVALID}Type mismatch for Index Key {} Expected: {} Actual: {actual} IndexName: {index}",
            attr.name, attr.kind
        )));
    }
    if let Some(what) = empty_kind(value) {
        return Err(IndexKeyRefusal::Empty {
            what,
            message: format!(
                "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {what} value. IndexName: {index}, IndexKey: {}",
                attr.name
            ),
        });
    }
    Ok(())
}

/// Strings and binaries: bytes with 0x00 escaped as 0x00 0xff, closed by 0x00 0x00, which
/// keeps bytewise order and makes no encoding a prefix of another.
fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xff);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

pub fn encode_scalar(value: &AttributeValue, out: &mut Vec<u8>) {
    if let Some(s) = &value.s {
        encode_bytes(s.as_bytes(), out);
    } else if let Some(b) = &value.b {
        encode_bytes(&b.0, out);
    } else if let Some(n) = &value.n {
        if let Ok(number) = Number::parse(n) {
            number.encode_ordered(out);
        }
    }
}

/// The bytes every encoding of a string or binary starting with `value` starts with (for
/// `begins_with`): the escaped bytes without the terminator.
pub fn encode_prefix(value: &AttributeValue) -> Vec<u8> {
    let mut out = Vec::new();
    encode_scalar(value, &mut out);
    out.truncate(out.len().saturating_sub(2));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use nimbus_shapes::Blob;

    fn s(text: &str) -> AttributeValue {
        AttributeValue {
            s: Some(text.into()),
            ..Default::default()
        }
    }

    #[test]
    fn string_encoding_keeps_byte_order() {
        let schema = KeySchema::simple(
            KeyAttr {
                name: "pk".into(),
                kind: ScalarAttributeType::S,
            },
            Some(KeyAttr {
                name: "sk".into(),
                kind: ScalarAttributeType::B,
            }),
        );
        let key = |pk: &str, sk: &[u8]| {
            let item: Item = [
                ("pk".to_string(), s(pk)),
                (
                    "sk".to_string(),
                    AttributeValue {
                        b: Some(Blob(sk.to_vec())),
                        ..Default::default()
                    },
                ),
            ]
            .into();
            schema.encode(&item)
        };
        let ordered = [
            key("a", b"\x00"),
            key("a", b"\x00\x00"),
            key("a", b"\x01"),
            key("a", b"z"),
            key("a\0", b""),
            key("ab", b""),
            key("b", b""),
        ];
        for pair in ordered.windows(2) {
            assert!(pair[0] < pair[1], "{pair:?}");
        }
    }

    /// moto's test_put_long_string_gsi_range_key_exception: the table's hash key, 1025
    /// bytes, is too long as the range key of an index.
    #[test]
    fn index_keys_have_the_size_limit_of_their_role() {
        let attr = |name: &str| KeyAttr {
            name: name.into(),
            kind: ScalarAttributeType::S,
        };
        let index = KeySchema::simple(attr("sort_key"), Some(attr("partition_key")));
        let item = |hash: usize, range: usize| -> Item {
            [
                ("sort_key".to_string(), s(&"h".repeat(hash))),
                ("partition_key".to_string(), s(&"r".repeat(range))),
            ]
            .into()
        };
        assert_eq!(index.check_index_item(&item(2048, 1024), "gsi"), Ok(()));
        assert_eq!(
            index.check_index_item(&item(1, 1025), "gsi"),
            Err(IndexKeyRefusal::Invalid("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes".into()))
        );
        assert_eq!(
            index.check_index_item(&item(2049, 1), "gsi"),
            Err(IndexKeyRefusal::Invalid("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes".into()))
        );
        // Absent index keys leave the item out of the index.
        assert_eq!(index.check_index_item(&Item::new(), "gsi"), Ok(()));
        assert_eq!(
            index.check_index_item(&item(0, 1), "gsi"),
            Err(IndexKeyRefusal::Empty { what: "string", message: "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gsi, IndexKey: sort_key".into() })
        );
    }

    #[test]
    fn set_errors_are_recognised() {
        let error = |text: &str| {
            normalise_item(&[("a".to_string(), json_value(text))].into())
                .unwrap_err()
                .message
        };
        for empty in [r#"{"SS": []}"#, r#"{"NS": []}"#, r#"{"BS": []}"#] {
            assert!(is_empty_set_error(&error(empty)), "{empty}");
            assert!(!is_duplicate_set_error(&error(empty)), "{empty}");
        }
        for duplicated in [
            r#"{"SS": ["a", "a"]}"#,
            r#"{"NS": ["1", "1.0"]}"#,
            r#"{"BS": ["AQ==", "AQ=="]}"#,
        ] {
            assert!(is_duplicate_set_error(&error(duplicated)), "{duplicated}");
            assert!(!is_empty_set_error(&error(duplicated)), "{duplicated}");
        }
        let null = error(r#"{"NULL": false}"#);
        assert!(!is_empty_set_error(&null) && !is_duplicate_set_error(&null));
    }

    fn json_value(text: &str) -> AttributeValue {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn sizes_follow_the_developer_guide() {
        let item: Item = [
            ("name".to_string(), s("abc")),
            (
                "n".to_string(),
                AttributeValue {
                    n: Some("123".into()),
                    ..Default::default()
                },
            ),
            (
                "flag".to_string(),
                AttributeValue {
                    bool: Some(true),
                    ..Default::default()
                },
            ),
        ]
        .into();
        // 4+3, 1+3 (123 -> pairs "01","23" + 1), 4+1
        assert_eq!(item_size(&item), 7 + 4 + 5);
    }
}
