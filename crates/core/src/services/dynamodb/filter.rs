//! FilterExpression for Query and Scan: comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`),
//! `BETWEEN`, `IN`, `AND`/`OR`/`NOT`, parentheses, and the functions `attribute_exists`,
//! `attribute_not_exists`, `begins_with` and `contains`. Other functions are refused.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{dynamodb::AttributeValue, ServiceError};

use super::{
    errors::validation,
    expression::Names,
    key_condition::{encoded, syntax_in, tokenize, Tok},
    path::{self, Path},
    value::{type_name, Item},
};

const WHAT: &str = "FilterExpression";

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Path(Path),
    Value(AttributeValue),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    Cmp(&'static str, Operand, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

struct Parser<'a, 'n> {
    toks: Vec<Tok>,
    at: usize,
    names: &'a mut Names<'n>,
    values: &'a BTreeMap<String, AttributeValue>,
    used_values: &'a mut BTreeSet<String>,
    paths: Vec<Path>,
}

fn keyword(tok: Option<&Tok>, word: &str) -> bool {
    matches!(tok, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn error_here(&self) -> ServiceError {
        let prev = self
            .at
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map(Tok::text);
        match (self.peek().map(Tok::text), prev) {
            (Some(tok), Some(prev)) => syntax_in(WHAT, tok, &format!("{prev} {tok}")),
            (Some(tok), None) => syntax_in(WHAT, tok, tok),
            (None, Some(prev)) => syntax_in(WHAT, "<EOF>", prev),
            (None, None) => syntax_in(WHAT, "<EOF>", ""),
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

    fn or(&mut self) -> Result<Filter, ServiceError> {
        let mut left = self.and()?;
        while keyword(self.peek(), "OR") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, ServiceError> {
        let mut left = self.not()?;
        while keyword(self.peek(), "AND") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Filter, ServiceError> {
        if keyword(self.peek(), "NOT") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Filter, ServiceError> {
        if self.peek() == Some(&Tok::Open) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(Tok::Close)?;
            return Ok(inner);
        }
        if let Some(Tok::Word(function)) = self.peek().cloned() {
            if self.toks.get(self.at + 1) == Some(&Tok::Open) {
                self.at += 2;
                return self.function(&function);
            }
        }
        let left = self.operand()?;
        if keyword(self.peek(), "BETWEEN") {
            self.at += 1;
            let low = self.operand()?;
            if !keyword(self.peek(), "AND") {
                return Err(self.error_here());
            }
            self.at += 1;
            let high = self.operand()?;
            return Ok(Filter::Between(left, low, high));
        }
        if keyword(self.peek(), "IN") {
            self.at += 1;
            self.expect(Tok::Open)?;
            let mut list = vec![self.operand()?];
            while self.peek() == Some(&Tok::Comma) {
                self.at += 1;
                list.push(self.operand()?);
            }
            self.expect(Tok::Close)?;
            return Ok(Filter::In(left, list));
        }
        let Some(Tok::Op(op)) = self.peek().cloned() else {
            return Err(self.error_here());
        };
        self.at += 1;
        let right = self.operand()?;
        Ok(Filter::Cmp(op, left, right))
    }

    fn function(&mut self, name: &str) -> Result<Filter, ServiceError> {
        let filter = match name {
            "attribute_exists" | "attribute_not_exists" => {
                let Operand::Path(path) = self.operand()? else {
                    return Err(validation(format!(
                        "Invalid {WHAT}: Incorrect operand type for operator or function; operator or function: {name}, operand type: M"
                    )));
                };
                if name == "attribute_exists" {
                    Filter::Exists(path)
                } else {
                    Filter::NotExists(path)
                }
            }
            "begins_with" | "contains" => {
                let first = self.operand()?;
                self.expect(Tok::Comma)?;
                let second = self.operand()?;
                if name == "begins_with" {
                    for operand in [&first, &second] {
                        if let Operand::Value(v) = operand {
                            let kind = type_name(v);
                            if !matches!(kind, "S" | "B") {
                                return Err(validation(format!(
                                    "Invalid {WHAT}: Incorrect operand type for operator or function; operator or function: begins_with, operand type: {kind}"
                                )));
                            }
                        }
                    }
                    Filter::BeginsWith(first, second)
                } else {
                    Filter::Contains(first, second)
                }
            }
            "attribute_type" | "size" => {
                return Err(validation(format!(
                    "Nimbus does not support the {name} function in FilterExpression yet"
                )))
            }
            other => {
                return Err(validation(format!(
                    "Invalid {WHAT}: Invalid function name; function: {other}"
                )))
            }
        };
        self.expect(Tok::Close)?;
        Ok(filter)
    }

    fn operand(&mut self) -> Result<Operand, ServiceError> {
        match self.peek().cloned() {
            Some(Tok::Value(name)) => {
                self.at += 1;
                let value = self.values.get(&name).ok_or_else(|| {
                    validation(format!(
                        "Invalid {WHAT}: An expression attribute value used in expression is not defined; attribute value: {name}"
                    ))
                })?;
                self.used_values.insert(name);
                Ok(Operand::Value(value.clone()))
            }
            Some(Tok::Word(word))
                if !["AND", "OR", "NOT", "BETWEEN", "IN"]
                    .iter()
                    .any(|k| word.eq_ignore_ascii_case(k)) =>
            {
                self.at += 1;
                let path = path::parse(&word, self.names, WHAT)?;
                self.paths.push(path.clone());
                Ok(Operand::Path(path))
            }
            _ => Err(self.error_here()),
        }
    }
}

/// A parsed filter and the top-level attribute names it reads.
pub struct Parsed {
    pub filter: Filter,
    pub attributes: Vec<String>,
}

pub fn parse(
    text: &str,
    names: &mut Names,
    values: &BTreeMap<String, AttributeValue>,
    used_values: &mut BTreeSet<String>,
) -> Result<Parsed, ServiceError> {
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
        paths: Vec::new(),
    };
    let filter = parser.or()?;
    if parser.peek().is_some() {
        return Err(parser.error_here());
    }
    let attributes = parser
        .paths
        .iter()
        .filter_map(|p| match p.first() {
            Some(path::Step::Name(n)) => Some(n.clone()),
            _ => None,
        })
        .collect();
    Ok(Parsed { filter, attributes })
}

fn resolve<'a>(operand: &'a Operand, item: &'a Item) -> Option<&'a AttributeValue> {
    match operand {
        Operand::Path(p) => path::lookup(item, p),
        Operand::Value(v) => Some(v),
    }
}

/// DynamoDB equality: sets compare as sets, documents element by element.
fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    if type_name(a) != type_name(b) {
        return false;
    }
    fn as_set<T: Ord + Clone>(v: &Option<Vec<T>>) -> BTreeSet<T> {
        v.iter().flatten().cloned().collect()
    }
    match type_name(a) {
        "SS" => as_set(&a.ss) == as_set(&b.ss),
        "NS" => as_set(&a.ns) == as_set(&b.ns),
        "BS" => {
            let set = |v: &AttributeValue| -> BTreeSet<Vec<u8>> {
                v.bs.iter().flatten().map(|x| x.0.clone()).collect()
            };
            set(a) == set(b)
        }
        "M" => {
            let (x, y) = (a.m.as_ref().unwrap(), b.m.as_ref().unwrap());
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        "L" => {
            let (x, y) = (a.l.as_ref().unwrap(), b.l.as_ref().unwrap());
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| equal(v, w))
        }
        // Numbers are canonical after validation, so scalars compare as stored.
        _ => a == b,
    }
}

/// Orders two scalars of one type (N numerically, S and B bytewise); other pairs do not order.
fn order(a: &AttributeValue, b: &AttributeValue) -> Option<std::cmp::Ordering> {
    let kind = type_name(a);
    (kind == type_name(b) && matches!(kind, "N" | "S" | "B")).then(|| encoded(a).cmp(&encoded(b)))
}

impl Filter {
    pub fn matches(&self, item: &Item) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Filter::Cmp(op, left, right) => {
                let (Some(a), Some(b)) = (resolve(left, item), resolve(right, item)) else {
                    // A missing attribute equals nothing, so `<>` holds.
                    return *op == "<>";
                };
                match *op {
                    "=" => equal(a, b),
                    "<>" => !equal(a, b),
                    "<" => order(a, b) == Some(Less),
                    "<=" => matches!(order(a, b), Some(Less | Equal)),
                    ">" => order(a, b) == Some(Greater),
                    _ => matches!(order(a, b), Some(Greater | Equal)),
                }
            }
            Filter::Between(value, low, high) => {
                match (
                    resolve(value, item),
                    resolve(low, item),
                    resolve(high, item),
                ) {
                    (Some(v), Some(l), Some(h)) => {
                        matches!(order(v, l), Some(Greater | Equal))
                            && matches!(order(v, h), Some(Less | Equal))
                    }
                    _ => false,
                }
            }
            Filter::In(value, list) => resolve(value, item).is_some_and(|v| {
                list.iter()
                    .any(|o| resolve(o, item).is_some_and(|w| equal(v, w)))
            }),
            Filter::Exists(p) => path::lookup(item, p).is_some(),
            Filter::NotExists(p) => path::lookup(item, p).is_none(),
            Filter::BeginsWith(value, prefix) => {
                match (resolve(value, item), resolve(prefix, item)) {
                    (Some(v), Some(p)) => match (&v.s, &p.s, &v.b, &p.b) {
                        (Some(v), Some(p), _, _) => v.starts_with(p.as_str()),
                        (_, _, Some(v), Some(p)) => v.0.starts_with(&p.0),
                        _ => false,
                    },
                    _ => false,
                }
            }
            Filter::Contains(haystack, needle) => {
                let (Some(h), Some(n)) = (resolve(haystack, item), resolve(needle, item)) else {
                    return false;
                };
                if let (Some(h), Some(n)) = (&h.s, &n.s) {
                    return h.contains(n.as_str());
                }
                if let (Some(h), Some(n)) = (&h.b, &n.b) {
                    return n.0.is_empty() || h.0.windows(n.0.len()).any(|w| w == n.0.as_slice());
                }
                if let (Some(set), Some(n)) = (&h.ss, &n.s) {
                    return set.contains(n);
                }
                if let (Some(set), Some(n)) = (&h.ns, &n.n) {
                    return set.contains(n);
                }
                if let (Some(set), Some(n)) = (&h.bs, &n.b) {
                    return set.contains(n);
                }
                if let Some(list) = &h.l {
                    return list.iter().any(|e| equal(e, n));
                }
                false
            }
            Filter::And(a, b) => a.matches(item) && b.matches(item),
            Filter::Or(a, b) => a.matches(item) || b.matches(item),
            Filter::Not(a) => !a.matches(item),
        }
    }
}
