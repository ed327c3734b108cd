//! KeyConditionExpression: `pk = :v`, optionally `AND` one sort key condition
//! (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN :a AND :b`, `begins_with(sk, :p)`), with AWS's
//! messages for what it refuses.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{dynamodb::AttributeValue, ServiceError};

use super::{
    errors::validation,
    expression::Names,
    value::{encode_scalar, type_name, KeySchema},
};

const WHAT: &str = "KeyConditionExpression";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

// One per Query, short-lived: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum SortCondition {
    Cmp(CmpOp, AttributeValue),
    Between(AttributeValue, AttributeValue),
    BeginsWith(AttributeValue),
}

/// A checked key condition: the partition's key value and maybe a sort key condition.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyCondition {
    pub hash: AttributeValue,
    pub sort: Option<SortCondition>,
}

/// A token of an expression (shared with FilterExpression).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Word(String),
    Value(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

impl Tok {
    pub(super) fn text(&self) -> &str {
        match self {
            Tok::Word(w) | Tok::Value(w) => w,
            Tok::Op(o) => o,
            Tok::Open => "(",
            Tok::Close => ")",
            Tok::Comma => ",",
        }
    }
}

pub(super) fn syntax_in(what: &str, token: &str, near: &str) -> ServiceError {
    validation(format!(
        "Invalid {what}: Syntax error; token: \"{token}\", near: \"{near}\""
    ))
}

fn syntax(token: &str, near: &str) -> ServiceError {
    syntax_in(WHAT, token, near)
}

fn not_supported() -> ServiceError {
    validation("Query key condition not supported")
}

pub(super) fn tokenize(text: &str, what: &str) -> Result<Vec<Tok>, ServiceError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '#' | '.' | '[' | ']');
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op = match two.as_str() {
            "<=" => Some("<="),
            ">=" => Some(">="),
            "<>" => Some("<>"),
            _ => match c {
                '=' => Some("="),
                '<' => Some("<"),
                '>' => Some(">"),
                _ => None,
            },
        };
        if let Some(op) = op {
            out.push(Tok::Op(op));
            i += op.len();
            continue;
        }
        match c {
            '(' => out.push(Tok::Open),
            ')' => out.push(Tok::Close),
            ',' => out.push(Tok::Comma),
            ':' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Value(chars[start..i].iter().collect()));
                continue;
            }
            c if word_char(c) => {
                let start = i;
                while i < chars.len() && word_char(chars[i]) {
                    i += 1;
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
                continue;
            }
            other => {
                let token = other.to_string();
                return Err(syntax_in(what, &token, &token));
            }
        }
        i += 1;
    }
    Ok(out)
}

/// One comparison as written, before it is matched against the key schema.
struct Term {
    attr: String,
    kind: TermKind,
}

enum TermKind {
    Cmp(&'static str, AttributeValue),
    Between(AttributeValue, AttributeValue),
    BeginsWith(AttributeValue),
}

struct Parser<'a, 'n> {
    toks: Vec<Tok>,
    at: usize,
    names: &'a mut Names<'n>,
    values: &'a BTreeMap<String, AttributeValue>,
    used_values: &'a mut BTreeSet<String>,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    /// AWS's syntax error at the current token (`<EOF>` at the end).
    fn error_here(&self) -> ServiceError {
        let prev = self
            .at
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map(Tok::text);
        match (self.peek().map(Tok::text), prev) {
            (Some(tok), Some(prev)) => syntax(tok, &format!("{prev} {tok}")),
            (Some(tok), None) => syntax(tok, tok),
            (None, Some(prev)) => syntax("<EOF>", prev),
            (None, None) => syntax("<EOF>", ""),
        }
    }

    fn expect(&mut self, tok: Tok) -> Result<(), ServiceError> {
        if self.peek() == Some(&tok) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn and_list(&mut self, terms: &mut Vec<Term>) -> Result<(), ServiceError> {
        self.primary(terms)?;
        loop {
            if self.is_keyword("AND") {
                self.at += 1;
                self.primary(terms)?;
            } else if self.is_keyword("OR") || self.is_keyword("NOT") {
                return Err(validation(format!(
                    "Invalid operator used in {WHAT}: {}",
                    self.peek()
                        .map(Tok::text)
                        .unwrap_or_default()
                        .to_uppercase()
                )));
            } else {
                return Ok(());
            }
        }
    }

    fn primary(&mut self, terms: &mut Vec<Term>) -> Result<(), ServiceError> {
        if self.peek() == Some(&Tok::Open) {
            self.at += 1;
            self.and_list(terms)?;
            return self.expect(Tok::Close);
        }
        if self.is_keyword("NOT") {
            return Err(validation(format!("Invalid operator used in {WHAT}: NOT")));
        }
        if let Some(Tok::Word(w)) = self.peek() {
            if self.toks.get(self.at + 1) == Some(&Tok::Open) {
                let function = w.clone();
                if function != "begins_with" {
                    return Err(validation(format!(
                        "Invalid {WHAT}: The function is not allowed in a key condition; function: {function}"
                    )));
                }
                self.at += 2;
                let attr = self.path()?;
                self.expect(Tok::Comma)?;
                let value = self.value()?;
                self.expect(Tok::Close)?;
                terms.push(Term {
                    attr,
                    kind: TermKind::BeginsWith(value),
                });
                return Ok(());
            }
        }
        let attr = self.path()?;
        if self.is_keyword("BETWEEN") {
            self.at += 1;
            let low = self.value()?;
            if !self.is_keyword("AND") {
                return Err(self.error_here());
            }
            self.at += 1;
            let high = self.value()?;
            terms.push(Term {
                attr,
                kind: TermKind::Between(low, high),
            });
            return Ok(());
        }
        let op = match self.peek() {
            Some(Tok::Op(op)) => *op,
            _ => return Err(self.error_here()),
        };
        self.at += 1;
        if op == "<>" {
            return Err(validation(format!("Invalid operator used in {WHAT}: <>")));
        }
        let value = self.value()?;
        terms.push(Term {
            attr,
            kind: TermKind::Cmp(op, value),
        });
        Ok(())
    }

    /// An attribute name; key conditions name top-level attributes only.
    fn path(&mut self) -> Result<String, ServiceError> {
        let Some(Tok::Word(word)) = self.peek().cloned() else {
            if matches!(self.peek(), Some(Tok::Value(_))) {
                // `:v = pk`: AWS wants the key attribute on the left.
                return Err(not_supported());
            }
            return Err(self.error_here());
        };
        if ["AND", "BETWEEN", "OR", "NOT"]
            .iter()
            .any(|k| word.eq_ignore_ascii_case(k))
        {
            return Err(self.error_here());
        }
        self.at += 1;
        if word.contains(['.', '[', ']']) {
            // Resolve the placeholders first, so undefined names are reported as such.
            for part in word.split(['.', '[', ']']).filter(|p| p.starts_with('#')) {
                self.names.resolve(part, WHAT)?;
            }
            return Err(validation(format!(
                "Invalid {WHAT}: Key condition expressions do not support nested attribute paths"
            )));
        }
        self.names.resolve(&word, WHAT)
    }

    fn value(&mut self) -> Result<AttributeValue, ServiceError> {
        let Some(Tok::Value(name)) = self.peek().cloned() else {
            return Err(self.error_here());
        };
        self.at += 1;
        let value = self.values.get(&name).ok_or_else(|| {
            validation(format!(
                "Invalid {WHAT}: An expression attribute value used in expression is not defined; attribute value: {name}"
            ))
        })?;
        self.used_values.insert(name);
        Ok(value.clone())
    }
}

/// `{S:abc}`, as AWS shows an operand in messages.
fn show(value: &AttributeValue) -> String {
    let text = value
        .s
        .clone()
        .or_else(|| value.n.clone())
        .or_else(|| value.b.as_ref().map(|b| format!("{:?}", b.0)))
        .unwrap_or_default();
    format!("{{{}:{text}}}", type_name(value))
}

pub(super) fn encoded(value: &AttributeValue) -> Vec<u8> {
    let mut out = Vec::new();
    encode_scalar(value, &mut out);
    out
}

/// Parses `text` against `schema`; the values it used are added to `used_values`.
pub fn parse(
    text: &str,
    schema: &KeySchema,
    names: &mut Names,
    values: &BTreeMap<String, AttributeValue>,
    used_values: &mut BTreeSet<String>,
) -> Result<KeyCondition, ServiceError> {
    if text.trim().is_empty() {
        return Err(validation(format!(
            "Invalid {WHAT}: The expression can not be empty;"
        )));
    }
    let mut parser = Parser {
        toks: tokenize(text, WHAT)?,
        at: 0,
        names,
        values,
        used_values,
    };
    let mut terms = Vec::new();
    parser.and_list(&mut terms)?;
    if parser.peek().is_some() {
        return Err(parser.error_here());
    }
    for (i, term) in terms.iter().enumerate() {
        if terms[..i].iter().any(|t| t.attr == term.attr) {
            return Err(validation(
                "KeyConditionExpressions must only contain one condition per key",
            ));
        }
    }
    let range_name = schema.range.as_ref().map(|r| r.name.as_str());
    if let Some(other) = terms
        .iter()
        .find(|t| t.attr != schema.hash.name && Some(t.attr.as_str()) != range_name)
    {
        // A condition on a non-key attribute reads as a missing key element.
        let missing = if terms.iter().any(|t| t.attr == schema.hash.name) {
            range_name.unwrap_or(&other.attr)
        } else {
            &schema.hash.name
        };
        return Err(validation(format!(
            "Query condition missed key schema element: {missing}"
        )));
    }
    let Some(hash_term) = terms.iter().find(|t| t.attr == schema.hash.name) else {
        return Err(validation(format!(
            "Query condition missed key schema element: {}",
            schema.hash.name
        )));
    };
    let mismatch = || {
        validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
    };
    let hash = match &hash_term.kind {
        TermKind::Cmp("=", value) => value.clone(),
        _ => return Err(not_supported()),
    };
    if type_name(&hash) != schema.hash.kind.as_str() {
        return Err(mismatch());
    }
    let sort = match (
        terms.iter().find(|t| t.attr != schema.hash.name),
        &schema.range,
    ) {
        (None, _) => None,
        (Some(_), None) => unreachable!("non-key attributes were refused above"),
        (Some(term), Some(range)) => {
            let kind = range.kind.as_str();
            let condition = match &term.kind {
                TermKind::Cmp(op, value) => {
                    let op = match *op {
                        "=" => CmpOp::Eq,
                        "<" => CmpOp::Lt,
                        "<=" => CmpOp::Le,
                        ">" => CmpOp::Gt,
                        _ => CmpOp::Ge,
                    };
                    SortCondition::Cmp(op, value.clone())
                }
                TermKind::Between(low, high) => {
                    if type_name(low) != kind || type_name(high) != kind {
                        return Err(mismatch());
                    }
                    if encoded(low) > encoded(high) {
                        return Err(validation(format!(
                            "Invalid {WHAT}: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                            show(low),
                            show(high)
                        )));
                    }
                    SortCondition::Between(low.clone(), high.clone())
                }
                TermKind::BeginsWith(prefix) => {
                    let operand = type_name(prefix);
                    if !matches!(operand, "S" | "B") {
                        return Err(validation(format!(
                            "Invalid {WHAT}: Incorrect operand type for operator or function; operator or function: begins_with, operand type: {operand}"
                        )));
                    }
                    SortCondition::BeginsWith(prefix.clone())
                }
            };
            let value_types_match = match &condition {
                SortCondition::Cmp(_, v) | SortCondition::BeginsWith(v) => type_name(v) == kind,
                SortCondition::Between(..) => true,
            };
            if !value_types_match {
                return Err(mismatch());
            }
            Some(condition)
        }
    };
    Ok(KeyCondition { hash, sort })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::dynamodb::value::KeyAttr;
    use nimbus_shapes::dynamodb::ScalarAttributeType;

    fn n(text: &str) -> AttributeValue {
        AttributeValue {
            n: Some(text.into()),
            ..Default::default()
        }
    }

    fn s(text: &str) -> AttributeValue {
        AttributeValue {
            s: Some(text.into()),
            ..Default::default()
        }
    }

    fn run(text: &str) -> Result<KeyCondition, String> {
        let schema = KeySchema {
            hash: KeyAttr {
                name: "pk".into(),
                kind: ScalarAttributeType::S,
            },
            range: Some(KeyAttr {
                name: "sk".into(),
                kind: ScalarAttributeType::N,
            }),
        };
        let values: BTreeMap<String, AttributeValue> = [
            (":p".to_string(), s("a")),
            (":a".to_string(), n("1")),
            (":b".to_string(), n("5")),
        ]
        .into();
        let map: BTreeMap<String, String> = [("#s".to_string(), "sk".to_string())].into();
        let mut names = Names::new(Some(&map));
        parse(text, &schema, &mut names, &values, &mut BTreeSet::new()).map_err(|e| e.message)
    }

    #[test]
    fn parses_the_supported_forms() {
        assert_eq!(run("pk = :p").unwrap().sort, None);
        assert_eq!(
            run("(pk=:p) and #s BETWEEN :a AND :b").unwrap().sort,
            Some(SortCondition::Between(n("1"), n("5")))
        );
        assert_eq!(
            run("#s <= :b AND pk = :p").unwrap().sort,
            Some(SortCondition::Cmp(CmpOp::Le, n("5")))
        );
    }

    #[test]
    fn refusals_use_aws_words() {
        assert_eq!(
            run("sk = :a").unwrap_err(),
            "Query condition missed key schema element: pk"
        );
        assert_eq!(
            run("pk < :p").unwrap_err(),
            "Query key condition not supported"
        );
        assert_eq!(
            run("pk = :p AND sk BETWEEN :b AND :a").unwrap_err(),
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"
        );
        assert_eq!(
            run("pk = :p AND").unwrap_err(),
            "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\""
        );
        assert_eq!(
            run("pk = :p OR sk = :a").unwrap_err(),
            "Invalid operator used in KeyConditionExpression: OR"
        );
        assert_eq!(
            run("pk = :p AND sk = :p").unwrap_err(),
            "One or more parameter values were invalid: Condition parameter type does not match schema type"
        );
    }
}
