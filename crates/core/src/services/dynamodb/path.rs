//! Document paths (`a.b[2].#c`): parsing, lookup and projection.

use std::collections::BTreeMap;

use nimbus_shapes::{dynamodb::AttributeValue, ServiceError};

use super::{errors::validation, expr::Names, value::Item};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Name(String),
    Index(usize),
}

pub type Path = Vec<Step>;

/// AWS shows a path in messages as `[a, b, [1]]`.
pub fn show(path: &Path) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|s| match s {
            Step::Name(n) => n.clone(),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn syntax(expression: &str, token: &str) -> ServiceError {
    validation(format!(
        "Invalid {expression}: Syntax error; token: \"{token}\", near: \"{token}\""
    ))
}

/// AWS reads a document path up to 32 levels deep, the attribute itself included
/// ("Invalid ProjectionExpression: The document path has too many nesting levels; nesting
/// levels: 33", as ScyllaDB's Alternator tests quote DynamoDB).
const MAX_PATH_DEPTH: usize = 32;

/// Parses one path; `#placeholders` resolve through `names`.
pub fn parse(text: &str, names: &mut Names, expression: &str) -> Result<Path, ServiceError> {
    let text = text.trim();
    let mut path = Vec::new();
    let mut rest = text;
    let mut expect_name = true;
    while !rest.is_empty() {
        if expect_name {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let token = rest[..end].trim();
            if token.is_empty() {
                return Err(syntax(expression, text));
            }
            path.push(Step::Name(names.resolve(token, expression)?));
            rest = &rest[end..];
            expect_name = false;
        } else if let Some(after) = rest.strip_prefix('.') {
            rest = after;
            expect_name = true;
        } else if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']').ok_or_else(|| syntax(expression, text))?;
            let index = after[..close]
                .trim()
                .parse::<usize>()
                .map_err(|_| syntax(expression, &after[..close]))?;
            path.push(Step::Index(index));
            rest = &after[close + 1..];
        } else {
            return Err(syntax(expression, rest));
        }
    }
    if expect_name {
        return Err(syntax(expression, text));
    }
    if path.len() > MAX_PATH_DEPTH {
        return Err(validation(format!(
            "Invalid {expression}: The document path has too many nesting levels; nesting levels: {}",
            path.len()
        )));
    }
    Ok(path)
}

/// AWS refuses two paths where one contains the other (overlap) or where they disagree on
/// whether a step is a map key or a list index (conflict).
pub fn check_disjoint(paths: &[Path], expression: &str) -> Result<(), ServiceError> {
    for (i, one) in paths.iter().enumerate() {
        for two in &paths[i + 1..] {
            let common = one.iter().zip(two).take_while(|(a, b)| a == b).count();
            let what = if common == one.len().min(two.len()) {
                "overlap"
            } else if matches!(
                (&one[common], &two[common]),
                (Step::Name(_), Step::Index(_)) | (Step::Index(_), Step::Name(_))
            ) {
                "conflict"
            } else {
                continue;
            };
            return Err(validation(format!(
                "Invalid {expression}: Two document paths {what} with each other; must remove or rewrite one of these paths; path one: {}, path two: {}",
                show(one),
                show(two)
            )));
        }
    }
    Ok(())
}

/// The value at `path` in `item`, if any.
pub fn lookup<'a>(item: &'a Item, path: &Path) -> Option<&'a AttributeValue> {
    let (Step::Name(first), rest) = path.split_first()? else {
        return None;
    };
    let mut value = item.get(first)?;
    for step in rest {
        value = match step {
            Step::Name(n) => value.m.as_ref()?.get(n)?,
            Step::Index(i) => value.l.as_ref()?.get(*i)?,
        };
    }
    Some(value)
}

enum Node {
    Leaf(AttributeValue),
    Map(BTreeMap<String, Node>),
    List(BTreeMap<usize, Node>),
}

impl Node {
    fn insert(&mut self, steps: &[Step], value: AttributeValue) {
        let Some((step, rest)) = steps.split_first() else {
            *self = Node::Leaf(value);
            return;
        };
        let child = match (self, step) {
            (Node::Map(map), Step::Name(n)) => map.entry(n.clone()).or_insert_with(|| empty(rest)),
            (Node::List(list), Step::Index(i)) => list.entry(*i).or_insert_with(|| empty(rest)),
            // Disjoint, consistent paths (checked beforehand) never reach here.
            _ => return,
        };
        child.insert(rest, value);
    }

    fn into_value(self) -> AttributeValue {
        match self {
            Node::Leaf(v) => v,
            Node::Map(map) => AttributeValue {
                m: Some(map.into_iter().map(|(k, n)| (k, n.into_value())).collect()),
                ..Default::default()
            },
            // Projected list elements close up, in index order.
            Node::List(list) => AttributeValue {
                l: Some(list.into_values().map(Node::into_value).collect()),
                ..Default::default()
            },
        }
    }
}

fn empty(rest: &[Step]) -> Node {
    match rest.first() {
        Some(Step::Index(_)) => Node::List(BTreeMap::new()),
        _ => Node::Map(BTreeMap::new()),
    }
}

/// The parts of `item` that `paths` select, shaped as in the item.
pub fn project(item: &Item, paths: &[Path]) -> Item {
    let mut root = Node::Map(BTreeMap::new());
    for path in paths {
        if let Some(value) = lookup(item, path) {
            root.insert(path, value.clone());
        }
    }
    root.into_value().m.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_all(text: &str) -> Result<Vec<Path>, ServiceError> {
        let mut names = Names::new(None);
        text.split(',')
            .map(|p| parse(p, &mut names, "ProjectionExpression"))
            .collect()
    }

    #[test]
    fn projects_nested_documents() {
        let item: Item = serde_json::from_value(json!({
            "a": {"M": {"b": {"N": "1"}, "c": {"S": "x"}}},
            "l": {"L": [{"S": "0"}, {"S": "1"}, {"M": {"d": {"S": "2"}, "e": {"S": "3"}}}]},
            "top": {"S": "t"}
        }))
        .unwrap();
        let paths = parse_all("a.b, l[2].e, l[0], top, nothing.here").unwrap();
        check_disjoint(&paths, "ProjectionExpression").unwrap();
        assert_eq!(
            serde_json::to_value(project(&item, &paths)).unwrap(),
            json!({
                "a": {"M": {"b": {"N": "1"}}},
                "l": {"L": [{"S": "0"}, {"M": {"e": {"S": "3"}}}]},
                "top": {"S": "t"}
            })
        );
    }

    #[test]
    fn overlapping_and_conflicting_paths_are_refused() {
        let overlap = parse_all("a, a.b").unwrap();
        assert_eq!(
            check_disjoint(&overlap, "ProjectionExpression").unwrap_err().message,
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
        );
        let conflict = parse_all("a.b, a[1]").unwrap();
        assert_eq!(
            check_disjoint(&conflict, "ProjectionExpression").unwrap_err().message,
            "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"
        );
        assert!(parse_all("a..b").is_err());
        assert!(parse_all("a[x]").is_err());
        assert!(parse_all("a.").is_err());
    }
}
