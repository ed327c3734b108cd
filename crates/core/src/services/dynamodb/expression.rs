//! The expression subset this round supports: ProjectionExpression over document paths and a
//! ConditionExpression of one `attribute_exists(path)` / `attribute_not_exists(path)`.
//! Anything richer is answered `NotImplemented` (never silently ignored), until the full
//! tokens -> AST -> validate -> evaluate module lands.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::ServiceError;

use super::{
    errors::validation,
    path::{self, Path},
};

/// Tracks which `#name` placeholders an expression used, to report unused ones as AWS does.
pub struct Names<'a> {
    map: Option<&'a BTreeMap<String, String>>,
    used: BTreeSet<String>,
}

impl<'a> Names<'a> {
    pub fn new(map: Option<&'a BTreeMap<String, String>>) -> Self {
        Names {
            map,
            used: BTreeSet::new(),
        }
    }

    /// Checks the placeholders themselves, before any expression is read.
    pub fn check_keys(&self) -> Result<(), ServiceError> {
        let Some(map) = self.map else { return Ok(()) };
        if map.is_empty() {
            return Err(validation("ExpressionAttributeNames must not be empty"));
        }
        for key in map.keys() {
            let valid = key.len() > 1
                && key.starts_with('#')
                && key[1..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(validation(format!(
                    "ExpressionAttributeNames contains invalid key: Syntax error; key: \"{key}\""
                )));
            }
        }
        Ok(())
    }

    pub fn resolve(&mut self, token: &str, expression: &str) -> Result<String, ServiceError> {
        if token.starts_with('#') {
            let found = self.map.and_then(|m| m.get(token)).ok_or_else(|| {
                validation(format!("Invalid {expression}: An expression attribute name used in the document path is not defined; attribute name: {token}"))
            })?;
            self.used.insert(token.to_string());
            return Ok(found.clone());
        }
        let plain = token
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain {
            return Err(validation(format!(
                "Invalid {expression}: Syntax error; token: \"{token}\", near: \"{token}\""
            )));
        }
        if super::reserved::is_reserved(token) {
            return Err(validation(format!(
                "Invalid {expression}: Attribute name is a reserved keyword; reserved keyword: {token}"
            )));
        }
        Ok(token.to_string())
    }

    /// AWS rejects placeholders the request defines but no expression uses.
    pub fn check_all_used(&self) -> Result<(), ServiceError> {
        let Some(map) = self.map else { return Ok(()) };
        let unused: Vec<&str> = map
            .keys()
            .filter(|k| !self.used.contains(*k))
            .map(String::as_str)
            .collect();
        if unused.is_empty() {
            Ok(())
        } else {
            Err(validation(format!(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                unused.join(", ")
            )))
        }
    }
}

fn unsupported(expression: &str, text: &str) -> ServiceError {
    ServiceError::new(
        "NotImplemented",
        501,
        format!("Nimbus does not support this {expression} yet: {text}"),
    )
}

/// The paths a ProjectionExpression selects, in order.
pub fn projection(text: &str, names: &mut Names) -> Result<Vec<Path>, ServiceError> {
    const WHAT: &str = "ProjectionExpression";
    if text.trim().is_empty() {
        return Err(validation(
            "Invalid ProjectionExpression: The expression can not be empty;",
        ));
    }
    let paths = text
        .split(',')
        .map(|part| path::parse(part, names, WHAT))
        .collect::<Result<Vec<_>, _>>()?;
    path::check_disjoint(&paths, WHAT)?;
    Ok(paths)
}

/// A ConditionExpression of the supported subset.
#[derive(Debug, PartialEq, Eq)]
pub enum Condition {
    Exists(Path),
    NotExists(Path),
}

impl Condition {
    pub fn parse(text: &str, names: &mut Names) -> Result<Condition, ServiceError> {
        const WHAT: &str = "ConditionExpression";
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(validation(
                "Invalid ConditionExpression: The expression can not be empty;",
            ));
        }
        for (function, exists) in [("attribute_exists", true), ("attribute_not_exists", false)] {
            let Some(rest) = trimmed.strip_prefix(function) else {
                continue;
            };
            let Some(inner) = rest
                .trim_start()
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
            else {
                continue;
            };
            if inner.contains([',', '(', ')']) {
                break;
            }
            let name = path::parse(inner, names, WHAT)?;
            return Ok(if exists {
                Condition::Exists(name)
            } else {
                Condition::NotExists(name)
            });
        }
        Err(unsupported(WHAT, text))
    }

    pub fn holds(&self, item: Option<&super::value::Item>) -> bool {
        match self {
            Condition::Exists(path) => item.is_some_and(|i| path::lookup(i, path).is_some()),
            Condition::NotExists(path) => item.is_none_or(|i| path::lookup(i, path).is_none()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::dynamodb::path::Step;

    #[test]
    fn conditions_parse_with_placeholders() {
        let map: BTreeMap<String, String> = [("#k".to_string(), "pk".to_string())].into();
        let mut names = Names::new(Some(&map));
        assert_eq!(
            Condition::parse(" attribute_not_exists ( #k ) ", &mut names).unwrap(),
            Condition::NotExists(vec![Step::Name("pk".into())])
        );
        assert!(names.check_all_used().is_ok());
        let mut names = Names::new(None);
        assert_eq!(
            Condition::parse("attribute_exists(a)", &mut names).unwrap(),
            Condition::Exists(vec![Step::Name("a".into())])
        );
        assert_eq!(
            Condition::parse("a = :v", &mut names).unwrap_err().code,
            "NotImplemented"
        );
    }
}
