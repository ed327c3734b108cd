//! The form DynamoDB keeps a resource-based policy in. AWS rewrites an accepted document
//! before it stores it, compares re-Puts in that form, and GetResourcePolicy answers it
//! (measured against DynamoDB, 2026-10: the ack-api-quirks findings DDB-TABLE-207, 208 and
//! 351 to 355):
//! - minified, with the top-level keys as Version, Statement and each statement's keys as
//!   Sid, Effect, Principal, Action, Resource, Condition (the Not- forms in their slots);
//! - a Statement object becomes a list of one; Effect is title-cased ("allow" → "Allow");
//! - an AWS principal that is an account id becomes that account's root ARN, and a list of
//!   AWS principals loses its repeats;
//! - every one-element list (principals, Action, Resource, Condition values) becomes its
//!   element, while longer lists keep their order and repeats;
//! - a document without Version is stored without one, so re-Putting it is a no-op and
//!   re-Putting the Get output is a change, but it is answered with "2008-10-17", IAM's
//!   default.
//!
//! A rewritten document is a fixpoint: sent in this form, it reads back byte for byte.

use serde_json::{Map, Value};

/// What GetResourcePolicy shows as the Version of a document sent without one.
const DEFAULT_VERSION: &str = "2008-10-17";

const TOP_LEVEL_ORDER: [&str; 3] = ["Version", "Id", "Statement"];

const STATEMENT_ORDER: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// `document`, which `resource_policy::check_document` accepted, in the form DynamoDB stores
/// and compares.
pub(super) fn canonical(document: &str) -> String {
    let Ok(Value::Object(mut policy)) = serde_json::from_str::<Value>(document) else {
        return document.to_string();
    };
    if let Some(statements) = policy.remove("Statement") {
        let list = match statements {
            Value::Array(list) => list,
            single => vec![single],
        };
        let list = list.into_iter().map(statement).collect();
        policy.insert("Statement".into(), Value::Array(list));
    }
    written(policy)
}

/// A stored document as GetResourcePolicy answers it: with Version if it had none.
pub(super) fn as_answered(stored: &str) -> String {
    match serde_json::from_str::<Value>(stored) {
        Ok(Value::Object(mut policy)) => {
            policy
                .entry("Version")
                .or_insert_with(|| DEFAULT_VERSION.into());
            written(policy)
        }
        _ => stored.to_string(),
    }
}

fn statement(value: Value) -> Value {
    let Value::Object(fields) = value else {
        return value;
    };
    let fields = fields.into_iter().map(|(key, value)| {
        let value = match key.as_str() {
            "Effect" => effect(value),
            "Principal" | "NotPrincipal" => principal(value),
            "Action" | "NotAction" | "Resource" | "NotResource" => unwrapped(value),
            "Condition" => condition(value),
            _ => value,
        };
        (key, value)
    });
    Value::Object(fields.collect())
}

fn effect(value: Value) -> Value {
    match value.as_str() {
        Some(effect) if effect.eq_ignore_ascii_case("allow") => "Allow".into(),
        Some(effect) if effect.eq_ignore_ascii_case("deny") => "Deny".into(),
        _ => value,
    }
}

fn principal(value: Value) -> Value {
    let Value::Object(kinds) = value else {
        return unwrapped(value);
    };
    let kinds = kinds.into_iter().map(|(kind, principals)| {
        let principals = if kind == "AWS" {
            aws_principals(principals)
        } else {
            principals
        };
        (kind, unwrapped(principals))
    });
    Value::Object(kinds.collect())
}

/// Account ids as root ARNs, each principal once.
fn aws_principals(value: Value) -> Value {
    let root = |principal: Value| match principal.as_str() {
        Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => {
            Value::from(format!("arn:aws:iam::{id}:root"))
        }
        _ => principal,
    };
    match value {
        Value::Array(list) => {
            let mut kept: Vec<Value> = Vec::new();
            for principal in list.into_iter().map(root) {
                if !kept.contains(&principal) {
                    kept.push(principal);
                }
            }
            Value::Array(kept)
        }
        single => root(single),
    }
}

/// Each condition key's one-element list as its element.
fn condition(value: Value) -> Value {
    let Value::Object(operators) = value else {
        return value;
    };
    let operators = operators.into_iter().map(|(operator, keys)| {
        let keys = match keys {
            Value::Object(keys) => {
                Value::Object(keys.into_iter().map(|(k, v)| (k, unwrapped(v))).collect())
            }
            other => other,
        };
        (operator, keys)
    });
    Value::Object(operators.collect())
}

fn unwrapped(value: Value) -> Value {
    match value {
        Value::Array(mut list) if list.len() == 1 => list.remove(0),
        other => other,
    }
}

/// `policy` minified, its keys and each statement's in DynamoDB's order.
fn written(policy: Map<String, Value>) -> String {
    object(policy, &TOP_LEVEL_ORDER, |key, value| match (key, value) {
        ("Statement", Value::Array(statements)) => {
            let written: Vec<String> = statements
                .into_iter()
                .map(|statement| match statement {
                    Value::Object(fields) => {
                        object(fields, &STATEMENT_ORDER, |_, value| value.to_string())
                    }
                    other => other.to_string(),
                })
                .collect();
            format!("[{}]", written.join(","))
        }
        (_, value) => value.to_string(),
    })
}

/// `fields` as a minified JSON object: the keys of `order` first, in that order, then the
/// others, each value as `write` writes it.
fn object(
    mut fields: Map<String, Value>,
    order: &[&str],
    write: impl Fn(&str, Value) -> String,
) -> String {
    let ordered: Vec<(String, Value)> = order
        .iter()
        .filter_map(|key| fields.remove(*key).map(|value| (key.to_string(), value)))
        .collect();
    let members: Vec<String> = ordered
        .into_iter()
        .chain(fields)
        .map(|(key, value)| format!("{}:{}", Value::from(key.as_str()), write(&key, value)))
        .collect();
    format!("{{{}}}", members.join(","))
}
