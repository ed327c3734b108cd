//! Event patterns: the JSON filter language of Lambda event filtering (FilterCriteria) and
//! EventBridge rules. A pattern mirrors the event's structure; each leaf is an array of
//! matchers, OR'ed, and every field named must match (AND):
//!
//! - `"x"`, `5`, `null`, `true`: the value equals it (numbers compare numerically);
//! - `{"prefix": "x"}`, `{"suffix": "x"}` (either may wrap `{"equals-ignore-case": "x"}`);
//! - `{"equals-ignore-case": "x"}`;
//! - `{"anything-but": v | [v...] | {"prefix": "x"} | {"suffix": "x"} | {"equals-ignore-case": ...}}`;
//! - `{"numeric": [">", 0, "<=", 5]}` (one or two comparisons; `"="` alone);
//! - `{"exists": true | false}`;
//! - `"$or": [pattern, ...]` beside the fields: any of the sub-patterns.
//!
//! When the event's value is an array, a leaf matches if any element does. Phases: [`parse`]
//! checks a pattern once (so a bad one is refused when it is configured), [`Pattern::matches`]
//! evaluates it.

use serde_json::{Map, Value};

/// A validated pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    fields: Vec<(String, Node)>,
    /// `$or` alternatives: one of them must match too.
    any_of: Vec<Pattern>,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Nested(Pattern),
    Leaf(Vec<Matcher>),
}

#[derive(Clone, Debug, PartialEq)]
enum Matcher {
    Exact(Value),
    Prefix(Text),
    Suffix(Text),
    IgnoreCase(String),
    AnythingBut(Vec<Matcher>),
    Numeric(Vec<(Op, f64)>),
    Exists(bool),
}

/// A prefix or suffix, compared exactly or ignoring case.
#[derive(Clone, Debug, PartialEq)]
struct Text {
    text: String,
    ignore_case: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Why a pattern was refused (for logs; Lambda answers one fixed message).
pub type Invalid = String;

/// Parses and checks a pattern's JSON text.
pub fn parse(text: &str) -> Result<Pattern, Invalid> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match value {
        Value::Object(map) => pattern(&map),
        _ => Err("a pattern is a JSON object".into()),
    }
}

fn pattern(map: &Map<String, Value>) -> Result<Pattern, Invalid> {
    let mut fields = Vec::new();
    let mut any_of = Vec::new();
    for (key, value) in map {
        if key == "$or" {
            let alternatives = value.as_array().ok_or("$or takes an array")?;
            if alternatives.len() < 2 {
                return Err("$or takes at least two patterns".into());
            }
            for alternative in alternatives {
                let object = alternative.as_object().ok_or("$or takes objects")?;
                any_of.push(pattern(object)?);
            }
            continue;
        }
        let node = match value {
            Value::Object(inner) => Node::Nested(pattern(inner)?),
            Value::Array(list) => Node::Leaf(list.iter().map(matcher).collect::<Result<_, _>>()?),
            other => {
                return Err(format!(
                    "{key}: match values must be in an array, got {other}"
                ))
            }
        };
        fields.push((key.clone(), node));
    }
    if fields.is_empty() && any_of.is_empty() {
        return Err("empty pattern".into());
    }
    Ok(Pattern { fields, any_of })
}

fn text(value: &Value, what: &str) -> Result<Text, Invalid> {
    match value {
        Value::String(s) => Ok(Text {
            text: s.clone(),
            ignore_case: false,
        }),
        Value::Object(o) if o.len() == 1 => match o.get("equals-ignore-case") {
            Some(Value::String(s)) => Ok(Text {
                text: s.to_lowercase(),
                ignore_case: true,
            }),
            _ => Err(format!("{what} takes a string")),
        },
        _ => Err(format!("{what} takes a string")),
    }
}

fn matcher(value: &Value) -> Result<Matcher, Invalid> {
    let object = match value {
        Value::Object(o) => o,
        Value::Array(_) => return Err("nested arrays are not allowed".into()),
        scalar => return Ok(Matcher::Exact(scalar.clone())),
    };
    let mut entries = object.iter();
    let (Some((kind, operand)), None) = (entries.next(), entries.next()) else {
        return Err("a matcher object has exactly one key".into());
    };
    Ok(match kind.as_str() {
        "prefix" => Matcher::Prefix(text(operand, "prefix")?),
        "suffix" => Matcher::Suffix(text(operand, "suffix")?),
        "equals-ignore-case" => match operand {
            Value::String(s) => Matcher::IgnoreCase(s.to_lowercase()),
            _ => return Err("equals-ignore-case takes a string".into()),
        },
        "exists" => match operand {
            Value::Bool(b) => Matcher::Exists(*b),
            _ => return Err("exists takes true or false".into()),
        },
        "numeric" => Matcher::Numeric(numeric(operand)?),
        "anything-but" => Matcher::AnythingBut(match operand {
            Value::Array(list) if !list.is_empty() => list
                .iter()
                .map(|v| match v {
                    Value::String(_) | Value::Number(_) => Ok(Matcher::Exact(v.clone())),
                    _ => Err("anything-but lists hold strings or numbers".to_string()),
                })
                .collect::<Result<_, _>>()?,
            Value::String(_) | Value::Number(_) => vec![Matcher::Exact(operand.clone())],
            Value::Object(_) => match matcher(operand)? {
                m @ (Matcher::Prefix(_) | Matcher::Suffix(_) | Matcher::IgnoreCase(_)) => vec![m],
                _ => return Err("anything-but takes prefix, suffix or equals-ignore-case".into()),
            },
            _ => return Err("invalid anything-but".into()),
        }),
        other => return Err(format!("unknown matcher {other}")),
    })
}

fn numeric(operand: &Value) -> Result<Vec<(Op, f64)>, Invalid> {
    let list = operand.as_array().ok_or("numeric takes an array")?;
    if list.is_empty() || list.len() % 2 != 0 || list.len() > 4 {
        return Err("numeric takes one or two comparisons".into());
    }
    let mut comparisons = Vec::new();
    for pair in list.chunks(2) {
        let op = match pair[0].as_str() {
            Some("=") => Op::Eq,
            Some("<") => Op::Lt,
            Some("<=") => Op::Le,
            Some(">") => Op::Gt,
            Some(">=") => Op::Ge,
            _ => return Err("unknown numeric operator".into()),
        };
        let number = pair[1].as_f64().ok_or("numeric compares with numbers")?;
        comparisons.push((op, number));
    }
    // A range is a lower bound then an upper bound; "=" stands alone.
    let valid = match comparisons.as_slice() {
        [_] => true,
        [(lower, _), (upper, _)] => {
            matches!(lower, Op::Gt | Op::Ge) && matches!(upper, Op::Lt | Op::Le)
        }
        _ => false,
    };
    if !valid {
        return Err("numeric ranges go from a lower to an upper bound".into());
    }
    Ok(comparisons)
}

impl Pattern {
    /// Whether `event` (a JSON object) matches.
    pub fn matches(&self, event: &Value) -> bool {
        self.fields.iter().all(|(key, node)| {
            let value = event.get(key);
            match node {
                Node::Nested(inner) => value.is_some_and(|v| match v {
                    Value::Array(items) => items.iter().any(|i| inner.matches(i)),
                    _ => inner.matches(v),
                }),
                Node::Leaf(matchers) => matchers.iter().any(|m| m.matches(value)),
            }
        }) && (self.any_of.is_empty() || self.any_of.iter().any(|p| p.matches(event)))
    }
}

impl Matcher {
    fn matches(&self, value: Option<&Value>) -> bool {
        match (self, value) {
            (Matcher::Exists(wanted), value) => {
                // `exists` applies to leaves: an object or an empty array is not a value.
                let present = match value {
                    None | Some(Value::Object(_)) => false,
                    Some(Value::Array(items)) => !items.is_empty(),
                    Some(_) => true,
                };
                present == *wanted
            }
            (Matcher::AnythingBut(excluded), Some(Value::Array(items))) => !items
                .iter()
                .any(|i| excluded.iter().any(|m| m.matches_one(i))),
            (Matcher::AnythingBut(excluded), Some(value)) => {
                !value.is_object() && !excluded.iter().any(|m| m.matches_one(value))
            }
            (_, None) => false,
            (_, Some(Value::Array(items))) => items.iter().any(|i| self.matches_one(i)),
            (_, Some(value)) => self.matches_one(value),
        }
    }

    fn matches_one(&self, value: &Value) -> bool {
        match self {
            Matcher::Exact(Value::Number(wanted)) => {
                value.as_f64().is_some() && value.as_f64() == wanted.as_f64()
            }
            Matcher::Exact(wanted) => value == wanted,
            Matcher::Prefix(t) => value.as_str().is_some_and(|s| {
                if t.ignore_case {
                    s.to_lowercase().starts_with(&t.text)
                } else {
                    s.starts_with(&t.text)
                }
            }),
            Matcher::Suffix(t) => value.as_str().is_some_and(|s| {
                if t.ignore_case {
                    s.to_lowercase().ends_with(&t.text)
                } else {
                    s.ends_with(&t.text)
                }
            }),
            Matcher::IgnoreCase(wanted) => {
                value.as_str().is_some_and(|s| s.to_lowercase() == *wanted)
            }
            Matcher::Numeric(comparisons) => value.as_f64().is_some_and(|n| {
                comparisons.iter().all(|(op, bound)| match op {
                    Op::Eq => n == *bound,
                    Op::Lt => n < *bound,
                    Op::Le => n <= *bound,
                    Op::Gt => n > *bound,
                    Op::Ge => n >= *bound,
                })
            }),
            Matcher::Exists(_) | Matcher::AnythingBut(_) => self.matches(Some(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(pattern: &str, event: Value) -> bool {
        parse(pattern).unwrap().matches(&event)
    }

    #[test]
    fn matchers_as_documented() {
        let cases: &[(&str, Value, bool)] = &[
            (r#"{"a":["x"]}"#, json!({"a":"x"}), true),
            (r#"{"a":["x","y"]}"#, json!({"a":"y"}), true),
            (r#"{"a":["x"]}"#, json!({"a":"z"}), false),
            (r#"{"a":["x"]}"#, json!({"b":"x"}), false),
            (r#"{"a":[5]}"#, json!({"a":5.0}), true),
            (r#"{"a":[null]}"#, json!({"a":null}), true),
            (r#"{"a":[null]}"#, json!({}), false),
            (r#"{"a":["x"]}"#, json!({"a":["q","x"]}), true),
            (r#"{"a":{"b":["x"]}}"#, json!({"a":{"b":"x"}}), true),
            (r#"{"a":{"b":["x"]}}"#, json!({"a":"x"}), false),
            (r#"{"a":[{"prefix":"ab"}]}"#, json!({"a":"abc"}), true),
            (r#"{"a":[{"prefix":"ab"}]}"#, json!({"a":"cab"}), false),
            (
                r#"{"a":[{"prefix":{"equals-ignore-case":"AB"}}]}"#,
                json!({"a":"abc"}),
                true,
            ),
            (r#"{"a":[{"suffix":".png"}]}"#, json!({"a":"x.png"}), true),
            (r#"{"a":[{"suffix":".png"}]}"#, json!({"a":"x.jpg"}), false),
            (
                r#"{"a":[{"equals-ignore-case":"OPEN"}]}"#,
                json!({"a":"open"}),
                true,
            ),
            (r#"{"a":[{"anything-but":"x"}]}"#, json!({"a":"y"}), true),
            (r#"{"a":[{"anything-but":"x"}]}"#, json!({"a":"x"}), false),
            (
                r#"{"a":[{"anything-but":["x","y"]}]}"#,
                json!({"a":"y"}),
                false,
            ),
            (
                r#"{"a":[{"anything-but":{"prefix":"in"}}]}"#,
                json!({"a":"out"}),
                true,
            ),
            (
                r#"{"a":[{"anything-but":{"prefix":"in"}}]}"#,
                json!({"a":"init"}),
                false,
            ),
            (r#"{"a":[{"anything-but":"x"}]}"#, json!({}), false),
            (
                r#"{"a":[{"numeric":[">",0,"<=",5]}]}"#,
                json!({"a":5}),
                true,
            ),
            (
                r#"{"a":[{"numeric":[">",0,"<=",5]}]}"#,
                json!({"a":0}),
                false,
            ),
            (r#"{"a":[{"numeric":["=",3]}]}"#, json!({"a":3}), true),
            (r#"{"a":[{"numeric":["<",3]}]}"#, json!({"a":"2"}), false),
            (r#"{"a":[{"exists":true}]}"#, json!({"a":1}), true),
            (r#"{"a":[{"exists":true}]}"#, json!({}), false),
            (r#"{"a":[{"exists":false}]}"#, json!({}), true),
            (r#"{"a":[{"exists":false}]}"#, json!({"a":"x"}), false),
            (
                r#"{"$or":[{"a":["x"]},{"b":["y"]}]}"#,
                json!({"b":"y"}),
                true,
            ),
            (
                r#"{"$or":[{"a":["x"]},{"b":["y"]}]}"#,
                json!({"b":"x"}),
                false,
            ),
            (
                r#"{"c":["z"],"$or":[{"a":["x"]},{"b":["y"]}]}"#,
                json!({"a":"x","c":"q"}),
                false,
            ),
        ];
        for (pattern, event, expected) in cases {
            assert_eq!(
                check(pattern, event.clone()),
                *expected,
                "{pattern} on {event}"
            );
        }
    }

    #[test]
    fn invalid_patterns_are_refused() {
        for bad in [
            "[]",
            "{}",
            "not json",
            r#"{"a":"x"}"#,
            r#"{"a":[["x"]]}"#,
            r#"{"a":[{"prefix":5}]}"#,
            r#"{"a":[{"numeric":[">"]}]}"#,
            r#"{"a":[{"numeric":["<",5,">",1]}]}"#,
            r#"{"a":[{"numeric":["~",5]}]}"#,
            r#"{"a":[{"exists":"yes"}]}"#,
            r#"{"a":[{"bogus":1}]}"#,
            r#"{"a":[{"prefix":"a","suffix":"b"}]}"#,
            r#"{"$or":[{"a":["x"]}]}"#,
            r#"{"a":[{"anything-but":{"numeric":[">",1]}}]}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
