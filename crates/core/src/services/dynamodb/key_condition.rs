//! KeyConditionExpression: `pk = :v`, optionally `AND` one sort key condition
//! (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN :a AND :b`, `begins_with(sk, :p)`), with AWS's
//! messages for what it refuses. A GSI with a multi-attribute key takes `=` on each
//! partition key attribute and sort key conditions from the left (see `match_multi`). It reads the tokens of `expr::tokens`; its grammar is
//! its own because a key condition is a restricted shape matched against the key schema.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{
    dynamodb::{AttributeValue, ComparisonOperator, Condition},
    ServiceError,
};

use super::{
    errors::{invalid_parameter, validation},
    expr::{
        ast::CmpOp as Op,
        eval, legacy,
        parse::{check_text, is_function},
        tokens::{self, tokenize, Spans, Tok},
        validate::show_value,
        Names,
    },
    path,
    value::{check_not_empty, encode_scalar, type_name, Item, KeyAttr, KeySchema},
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
/// With a multi-attribute key, `equal` holds the values of the other partition key
/// attributes, then of the leading sort key attributes given with `=`, in key order; `sort`
/// is then the condition on the sort key attribute after those.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyCondition {
    pub hash: AttributeValue,
    pub equal: Vec<AttributeValue>,
    pub sort: Option<SortCondition>,
}

impl SortCondition {
    /// Whether a sort key `value` meets the condition.
    pub fn admits(&self, value: &AttributeValue) -> bool {
        let holds = |op, bound| eval::compare(op, Some(value), Some(bound));
        match self {
            SortCondition::Cmp(op, bound) => holds(
                match op {
                    CmpOp::Eq => Op::Eq,
                    CmpOp::Lt => Op::Lt,
                    CmpOp::Le => Op::Le,
                    CmpOp::Gt => Op::Gt,
                    CmpOp::Ge => Op::Ge,
                },
                bound,
            ),
            SortCondition::Between(low, high) => holds(Op::Ge, low) && holds(Op::Le, high),
            SortCondition::BeginsWith(prefix) => eval::begins_with(value, prefix),
        }
    }
}

impl KeyCondition {
    /// Refuses an ExclusiveStartKey (of `schema`'s attributes) this condition could not have
    /// returned, in DynamoDB's words (ScyllaDB's Alternator tests, run against DynamoDB, quote
    /// both: a wrong partition beside a sort key given with `=` gets the second).
    pub fn check_start(&self, start: &Item, schema: &KeySchema) -> Result<(), ServiceError> {
        let attrs: Vec<&KeyAttr> = schema.hash_attrs().chain(schema.range_attrs()).collect();
        let value_of = |attr: &KeyAttr| start.get(&attr.name);
        let in_partition = attrs
            .iter()
            .zip(std::iter::once(&self.hash).chain(&self.equal))
            .all(|(attr, value)| eval::compare(Op::Eq, value_of(attr), Some(value)));
        let sort_attr = attrs.get(1 + self.equal.len());
        let in_sort_range = match (&self.sort, sort_attr) {
            (Some(sort), Some(attr)) => value_of(attr).is_some_and(|v| sort.admits(v)),
            _ => true,
        };
        match (in_partition, in_sort_range, &self.sort) {
            (true, true, _) => Ok(()),
            (false, true, Some(SortCondition::Cmp(CmpOp::Eq, _))) => Err(validation(
                "The query can return at most one row and cannot be restarted",
            )),
            _ => Err(validation(
                "The provided starting key is outside query boundaries based on provided conditions",
            )),
        }
    }
}

fn not_supported() -> ServiceError {
    validation("Query key condition not supported")
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
    spans: Spans,
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
        self.spans.syntax_at(WHAT, &self.toks, self.at)
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

    /// Parentheses recurse through here; a term, the larger part, is read out of line.
    fn primary(&mut self, terms: &mut Vec<Term>) -> Result<(), ServiceError> {
        if self.peek() != Some(&Tok::Open) {
            return self.term(terms);
        }
        let open = self.at;
        self.at += 1;
        self.and_list(terms)?;
        self.expect(Tok::Close)?;
        if tokens::wraps_a_pair(&self.toks, open, self.at - 1) {
            return Err(validation(format!(
                "Invalid {WHAT}: {}",
                tokens::REDUNDANT_PARENTHESES
            )));
        }
        Ok(())
    }

    #[inline(never)]
    fn term(&mut self, terms: &mut Vec<Term>) -> Result<(), ServiceError> {
        if self.is_keyword("NOT") {
            return Err(validation(format!("Invalid operator used in {WHAT}: NOT")));
        }
        if let Some(Tok::Word(w)) = self.peek() {
            if self.toks.get(self.at + 1) == Some(&Tok::Open) {
                let function = w.clone();
                if function != "begins_with" {
                    // Only `begins_with` has a place in a key condition; AWS tells the other
                    // functions apart from names that are no function at all (`BegIns_WiTh`).
                    let problem = if is_function(&function) {
                        "The function is not allowed in a key condition"
                    } else {
                        "Invalid function name"
                    };
                    return Err(validation(format!(
                        "Invalid {WHAT}: {problem}; function: {function}"
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
        // `:lo <= sk` reads as `sk >= :lo`: AWS takes the value on either side.
        if let (Some(Tok::Value(_)), Some(Tok::Op(op))) = (self.peek(), self.toks.get(self.at + 1))
        {
            if let Some(mirrored) = mirrored(op) {
                let value = self.value()?;
                self.at += 1;
                let attr = self.path()?;
                terms.push(Term {
                    attr,
                    kind: TermKind::Cmp(mirrored, value),
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
        // IN is a known operator that no key condition allows, as `<>` is (ScyllaDB's
        // Alternator tests, run against DynamoDB: no syntax error).
        if self.is_keyword("IN") {
            return Err(validation(format!("Invalid operator used in {WHAT}: IN")));
        }
        let op = match self.peek() {
            Some(Tok::Op(op)) if !matches!(*op, "+" | "-") => *op,
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
                // `:v BETWEEN ...`, `begins_with(:v, ...)`: no key attribute to match.
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
                "Invalid {WHAT}: KeyConditionExpressions cannot have conditions on nested attributes"
            )));
        }
        self.names.resolve(&word, WHAT)
    }

    fn value(&mut self) -> Result<AttributeValue, ServiceError> {
        let name = match self.peek().cloned() {
            Some(Tok::Value(name)) => name,
            // `#pk = x`: a document path where the value belongs, read as one (its
            // placeholders resolve and count as used) and refused for naming two
            // attributes.
            Some(Tok::Word(word))
                if !self.is_keyword("AND")
                    && !self.is_keyword("BETWEEN")
                    && self.toks.get(self.at + 1) != Some(&Tok::Open) =>
            {
                self.at += 1;
                path::parse(&word, self.names, WHAT)?;
                return Err(validation(format!(
                    "Invalid {WHAT}: Invalid condition in {WHAT}: Multiple attribute names used in one condition"
                )));
            }
            _ => return Err(self.error_here()),
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

/// The comparison `op` with its operands swapped, for those a key condition takes.
fn mirrored(op: &str) -> Option<&'static str> {
    Some(match op {
        "=" => "=",
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        _ => return None,
    })
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
    check_text(text, WHAT)?;
    let (toks, spans) = tokenize(text, WHAT)?;
    let mut parser = Parser {
        toks,
        spans,
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
    match_schema(terms, schema)
}

/// The legacy KeyConditions parameter, read into the same terms.
pub fn from_legacy(
    conditions: &BTreeMap<String, Condition>,
    schema: &KeySchema,
) -> Result<KeyCondition, ServiceError> {
    let mut terms = Vec::new();
    for (attr, condition) in conditions {
        let values = condition
            .attribute_value_list
            .iter()
            .flatten()
            .map(legacy::normalise)
            .collect::<Result<Vec<_>, _>>()?;
        let op = legacy::required_operator("KeyConditions", attr, condition)?;
        // An operator outside the enum is the model's refusal; one in it that cannot select
        // from a key is DynamoDB's; then the values are checked as every legacy condition's.
        let indexable = matches!(
            op,
            ComparisonOperator::Eq
                | ComparisonOperator::Le
                | ComparisonOperator::Lt
                | ComparisonOperator::Ge
                | ComparisonOperator::Gt
                | ComparisonOperator::BeginsWith
                | ComparisonOperator::Between
        );
        if !indexable && !matches!(op, ComparisonOperator::Unknown(_)) {
            return Err(validation(
                "Attempted conditional constraint is not an indexable operation",
            ));
        }
        legacy::check_values("KeyConditions", attr, op, &values)?;
        let mut values = values.into_iter();
        let mut next = || values.next().expect("counted above");
        let kind = match op {
            ComparisonOperator::Eq => TermKind::Cmp("=", next()),
            ComparisonOperator::Le => TermKind::Cmp("<=", next()),
            ComparisonOperator::Lt => TermKind::Cmp("<", next()),
            ComparisonOperator::Ge => TermKind::Cmp(">=", next()),
            ComparisonOperator::Gt => TermKind::Cmp(">", next()),
            ComparisonOperator::BeginsWith => TermKind::BeginsWith(next()),
            _ => {
                let low = next();
                TermKind::Between(low, next())
            }
        };
        terms.push(Term {
            attr: attr.clone(),
            kind,
        });
    }
    match_schema(terms, schema)
}

fn mismatch() -> ServiceError {
    invalid_parameter("Condition parameter type does not match schema type")
}

fn missed(name: &str) -> ServiceError {
    validation(format!("Query condition missed key schema element: {name}"))
}

/// The value of an equality condition on a key attribute, typed and not empty.
fn equality(term: &Term, attr: &KeyAttr) -> Result<Option<AttributeValue>, ServiceError> {
    let TermKind::Cmp("=", value) = &term.kind else {
        return Ok(None);
    };
    if type_name(value) != attr.kind.as_str() {
        return Err(mismatch());
    }
    check_not_empty(value, &attr.name).map_err(validation)?;
    Ok(Some(value.clone()))
}

/// Matches the terms of a key condition against the key schema.
fn match_schema(terms: Vec<Term>, schema: &KeySchema) -> Result<KeyCondition, ServiceError> {
    if !schema.more_hash.is_empty() || !schema.more_range.is_empty() {
        return match_multi(&terms, schema);
    }
    let range_name = schema.range.as_ref().map(|r| r.name.as_str());
    if terms
        .iter()
        .any(|t| t.attr != schema.hash.name && Some(t.attr.as_str()) != range_name)
    {
        // A condition on a non-key attribute reads as a missing key element; beside the
        // partition key of a schema with no sort key, as a condition Query cannot take
        // (ScyllaDB's Alternator tests, run against DynamoDB, quote it for a GSI).
        let has_hash = terms.iter().any(|t| t.attr == schema.hash.name);
        return Err(match (has_hash, range_name) {
            (false, _) => missed(&schema.hash.name),
            (true, Some(range)) => missed(range),
            (true, None) => not_supported(),
        });
    }
    let Some(hash_term) = terms.iter().find(|t| t.attr == schema.hash.name) else {
        return Err(missed(&schema.hash.name));
    };
    let hash = match &hash_term.kind {
        TermKind::Cmp("=", value) => value.clone(),
        _ => return Err(not_supported()),
    };
    if type_name(&hash) != schema.hash.kind.as_str() {
        return Err(mismatch());
    }
    check_not_empty(&hash, &schema.hash.name).map_err(validation)?;
    let sort = match (
        terms.iter().find(|t| t.attr != schema.hash.name),
        &schema.range,
    ) {
        (None, _) => None,
        (Some(_), None) => unreachable!("non-key attributes were refused above"),
        (Some(term), Some(range)) => Some(sort_condition(term, range)?),
    };
    Ok(KeyCondition {
        hash,
        equal: Vec::new(),
        sort,
    })
}

/// A multi-attribute key (GSIs, AWS November 2025): `=` on every partition key attribute;
/// the sort key attributes left to right, `=` on each but the last one given, which may
/// have any sort key condition.
fn match_multi(terms: &[Term], schema: &KeySchema) -> Result<KeyCondition, ServiceError> {
    let term_of = |name: &str| terms.iter().find(|t| t.attr == name);
    let mut equal = Vec::new();
    for attr in schema.hash_attrs() {
        let term = term_of(&attr.name).ok_or_else(|| missed(&attr.name))?;
        equal.push(equality(term, attr)?.ok_or_else(not_supported)?);
    }
    let ranges: Vec<&KeyAttr> = schema.range_attrs().collect();
    if let Some(other) = terms
        .iter()
        .find(|t| !schema.attrs().any(|a| a.name == t.attr))
    {
        // As with one sort key: a non-key attribute reads as the sort key left out.
        let missing = ranges.iter().find(|a| term_of(&a.name).is_none());
        return Err(missed(missing.map_or(&other.attr, |a| &a.name)));
    }
    let mut sort = None;
    if let Some(last) = ranges.iter().rposition(|a| term_of(&a.name).is_some()) {
        for attr in &ranges[..last] {
            let value = match term_of(&attr.name) {
                Some(term) => equality(term, attr)?,
                None => None,
            };
            let Some(value) = value else {
                return Err(validation(format!(
                    "RANGE key attributes {} must have equality conditions specified in the query because a condition is present on key attribute {}",
                    attr.name, ranges[last].name
                )));
            };
            equal.push(value);
        }
        let term = term_of(&ranges[last].name).expect("found above");
        sort = Some(sort_condition(term, ranges[last])?);
    }
    let hash = equal.remove(0);
    Ok(KeyCondition { hash, equal, sort })
}

/// The condition on a sort key attribute, checked against its type.
fn sort_condition(term: &Term, range: &KeyAttr) -> Result<SortCondition, ServiceError> {
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
                    show_value(low),
                    show_value(high)
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
    let values = match &condition {
        SortCondition::Cmp(_, v) | SortCondition::BeginsWith(v) => vec![v],
        SortCondition::Between(low, high) => vec![low, high],
    };
    for value in values {
        check_not_empty(value, &range.name).map_err(validation)?;
    }
    Ok(condition)
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let schema = KeySchema::simple(
            KeyAttr {
                name: "pk".into(),
                kind: ScalarAttributeType::S,
            },
            Some(KeyAttr {
                name: "sk".into(),
                kind: ScalarAttributeType::N,
            }),
        );
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
        // The value on the left, as AWS also takes it.
        assert_eq!(
            run(":p = pk AND :a <= #s").unwrap().sort,
            Some(SortCondition::Cmp(CmpOp::Ge, n("1")))
        );
        assert_eq!(
            run("pk = :p AND :b > sk").unwrap().sort,
            Some(SortCondition::Cmp(CmpOp::Lt, n("5")))
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
            run(":p > pk").unwrap_err(),
            "Query key condition not supported"
        );
        assert_eq!(
            run("pk = :p AND sk.x = :a").unwrap_err(),
            "Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on nested attributes"
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
            run("pk = :p AND sk IN (:a)").unwrap_err(),
            "Invalid operator used in KeyConditionExpression: IN"
        );
        assert_eq!(
            run("pk = :p AND sk = :p").unwrap_err(),
            "One or more parameter values were invalid: Condition parameter type does not match schema type"
        );
        // A pair that wraps exactly another; a pair around the AND and one inside it is not.
        for redundant in ["((pk = :p))", "((pk = :p)) AND (sk = :a)"] {
            assert_eq!(
                run(redundant).unwrap_err(),
                "Invalid KeyConditionExpression: The expression has redundant parentheses;"
            );
        }
        assert!(run("(pk = :p AND (sk = :a))").is_ok());
    }
}
