//! Validation: the placeholders (ExpressionAttributeNames / ExpressionAttributeValues:
//! well formed, defined, used, no bare reserved words) and the checks AWS makes on a parsed
//! tree before it reads any item (operand types, BETWEEN bounds, overlapping update paths,
//! key attributes).

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{dynamodb::AttributeValue, ServiceError};

use super::{
    super::{
        errors::{invalid_parameter, validation, INVALID_VALUE},
        key_condition::encoded,
        path::{self, Path, Step},
        reserved,
        value::{
            attribute_name_fits, normalise_item, type_name, Family, Item, KeySchema,
            ATTRIBUTE_NAME_TOO_LARGE,
        },
    },
    ast::{CmpOp, Cond, Operand, SetOperand, SetValue, Update},
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
        if !map.values().all(|name| attribute_name_fits(name)) {
            return Err(validation(ATTRIBUTE_NAME_TOO_LARGE));
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

    /// One path element: a `#placeholder` or a plain name that is no reserved word.
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
        if reserved::is_reserved(token) {
            return Err(validation(format!(
                "Invalid {expression}: Attribute name is a reserved keyword; reserved keyword: {token}"
            )));
        }
        Ok(token.to_string())
    }

    /// AWS rejects placeholders the request defines but no expression uses.
    pub fn check_all_used(&self) -> Result<(), ServiceError> {
        let Some(map) = self.map else { return Ok(()) };
        unused("ExpressionAttributeNames", map.keys(), &self.used)
    }
}

fn unused<'k>(
    what: &str,
    keys: impl Iterator<Item = &'k String>,
    used: &BTreeSet<String>,
) -> Result<(), ServiceError> {
    let unused: Vec<&str> = keys
        .filter(|k| !used.contains(*k))
        .map(String::as_str)
        .collect();
    if unused.is_empty() {
        Ok(())
    } else {
        Err(validation(format!(
            "Value provided in {what} unused in expressions: keys: {{{}}}",
            unused.join(", ")
        )))
    }
}

/// A request's placeholders: the names, the values (checked and normalised), and which
/// values the expressions used.
pub struct Placeholders<'a> {
    pub names: Names<'a>,
    pub values: Item,
    pub used_values: BTreeSet<String>,
}

impl<'a> Placeholders<'a> {
    /// Checks the maps themselves, as AWS does before it reads any expression.
    pub fn new(
        names: Option<&'a BTreeMap<String, String>>,
        values: Option<&BTreeMap<String, AttributeValue>>,
    ) -> Result<Self, ServiceError> {
        let names = Names::new(names);
        names.check_keys()?;
        Ok(Placeholders {
            names,
            values: normalise_values(values)?.unwrap_or_default(),
            used_values: BTreeSet::new(),
        })
    }

    /// The value of an `:placeholder`, marked used.
    pub fn value(&mut self, name: &str, what: &str) -> Result<AttributeValue, ServiceError> {
        let value = self.values.get(name).cloned().ok_or_else(|| {
            validation(format!(
                "Invalid {what}: An expression attribute value used in expression is not defined; attribute value: {name}"
            ))
        })?;
        self.used_values.insert(name.to_string());
        Ok(value)
    }

    /// After every expression of the request is parsed: nothing defined may go unused.
    pub fn check_all_used(&self) -> Result<(), ServiceError> {
        self.names.check_all_used()?;
        unused(
            "ExpressionAttributeValues",
            self.values.keys(),
            &self.used_values,
        )
    }
}

/// Checks ExpressionAttributeValues as AWS does and answers them with numbers normalised.
pub fn normalise_values(
    values: Option<&BTreeMap<String, AttributeValue>>,
) -> Result<Option<Item>, ServiceError> {
    let Some(values) = values else {
        return Ok(None);
    };
    if values.is_empty() {
        return Err(validation("ExpressionAttributeValues must not be empty"));
    }
    let mut out = Item::new();
    for (key, value) in values {
        if key.len() < 2 || !key.starts_with(':') {
            return Err(validation(format!(
                "ExpressionAttributeValues contains invalid key: Syntax error; key: \"{key}\""
            )));
        }
        let single: Item = [(key.clone(), value.clone())].into();
        match normalise_item(&single) {
            Ok(normal) => out.extend(normal),
            Err(e) if e.family == Family::Name => return Err(validation(e.message)),
            Err(e) => {
                return Err(validation(format!(
                    "{INVALID_VALUE}{} for key {key}",
                    e.message
                )))
            }
        }
    }
    Ok(Some(out))
}

/// `{N:5}`, as AWS shows an operand in messages.
pub fn show_value(value: &AttributeValue) -> String {
    let text = value
        .s
        .clone()
        .or_else(|| value.n.clone())
        .or_else(|| value.b.as_ref().map(|b| format!("{:?}", b.0)))
        .unwrap_or_default();
    format!("{{{}:{text}}}", type_name(value))
}

fn operand_type(what: &str, function: &str, kind: &str) -> ServiceError {
    validation(format!(
        "Invalid {what}: Incorrect operand type for operator or function; operator or function: {function}, operand type: {kind}"
    ))
}

/// AWS refuses `a = a`: the first operand must differ from the others.
fn distinct(what: &str, op: &str, first: &Operand, rest: &[&Operand]) -> Result<(), ServiceError> {
    match first {
        Operand::Path(p) if rest.iter().any(|o| matches!(o, Operand::Path(q) if q == p)) => {
            Err(validation(format!(
                "Invalid {what}: The first operand must be distinct from the remaining operands for this operator or function; operator: {op}, first operand: {}",
                path::show(p)
            )))
        }
        _ => Ok(()),
    }
}

/// The checks AWS makes on a parsed condition: distinct operands and constant operands.
pub fn condition(cond: &Cond, what: &str) -> Result<(), ServiceError> {
    match cond {
        Cond::Cmp(op, a, b) => distinct(what, op.text(), a, &[b])?,
        Cond::Contains(a, b) => distinct(what, "contains", a, &[b])?,
        Cond::In(a, list) => distinct(what, "IN", a, &list.iter().collect::<Vec<_>>())?,
        _ => {}
    }
    if let Cond::Between(a, b, c) = cond {
        distinct(what, "BETWEEN", a, &[b, c])?;
    }
    // A constant that cannot be ordered makes an ordering comparison invalid (an item
    // attribute of such a type only makes it false).
    let ordered: Vec<&Operand> = match cond {
        Cond::Cmp(op, a, b) if !matches!(op, CmpOp::Eq | CmpOp::Ne) => vec![a, b],
        Cond::Between(a, b, c) => vec![a, b, c],
        _ => Vec::new(),
    };
    let op = match cond {
        Cond::Cmp(op, ..) => op.text(),
        _ => "BETWEEN",
    };
    for operand in ordered {
        if let Operand::Value(v) = operand {
            if !matches!(type_name(v), "N" | "S" | "B") {
                return Err(operand_type(what, op, type_name(v)));
            }
        }
    }
    match cond {
        Cond::Between(_, Operand::Value(low), Operand::Value(high)) => {
            let kind = type_name(low);
            if kind != type_name(high) {
                return Err(validation(format!(
                    "Invalid {what}: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                    show_value(low),
                    show_value(high)
                )));
            }
            if matches!(kind, "N" | "S" | "B") && encoded(low) > encoded(high) {
                return Err(validation(format!(
                    "Invalid {what}: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                    show_value(low),
                    show_value(high)
                )));
            }
        }
        Cond::Type(_, kind) => {
            const TYPES: [&str; 10] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];
            if !TYPES.contains(&kind.as_str()) {
                return Err(validation(format!(
                    "Invalid {what}: Invalid attribute type name found; type: {kind}, valid types: {{ B,NULL,SS,BOOL,L,BS,N,NS,S,M }}"
                )));
            }
        }
        Cond::BeginsWith(a, b) => {
            for operand in [a, b] {
                let kind = match operand {
                    Operand::Value(v) => type_name(v),
                    Operand::Size(_) => "N",
                    Operand::Path(_) => continue,
                };
                if !matches!(kind, "S" | "B") {
                    return Err(operand_type(what, "begins_with", kind));
                }
            }
            distinct(what, "begins_with", a, &[b])?;
        }
        Cond::And(a, b) | Cond::Or(a, b) => {
            condition(a, what)?;
            condition(b, what)?;
        }
        Cond::Not(a) => condition(a, what)?,
        _ => {}
    }
    Ok(())
}

/// AWS's long type names, used by the ADD and DELETE messages.
fn long_type(value: &AttributeValue) -> &'static str {
    match type_name(value) {
        "S" => "STRING",
        "N" => "NUMBER",
        "B" => "BINARY",
        "BOOL" => "BOOLEAN",
        "NULL" => "NULL",
        "M" => "MAP",
        "L" => "LIST",
        "SS" => "STRING_SET",
        "NS" => "NUMBER_SET",
        _ => "BINARY_SET",
    }
}

const WHAT: &str = "UpdateExpression";

fn set_operand(operand: &SetOperand, function: &str) -> Result<(), ServiceError> {
    match operand {
        SetOperand::Value(v) if function == "list_append" && type_name(v) != "L" => {
            Err(operand_type(WHAT, function, type_name(v)))
        }
        SetOperand::Value(v) if matches!(function, "+" | "-") && type_name(v) != "N" => {
            Err(operand_type(WHAT, function, type_name(v)))
        }
        SetOperand::IfNotExists(_, inner) => set_operand(inner, "if_not_exists"),
        SetOperand::ListAppend(a, b) => {
            set_operand(a, "list_append")?;
            set_operand(b, "list_append")
        }
        _ => Ok(()),
    }
}

/// The checks AWS makes on an update before reading the item.
pub fn update(update: &Update) -> Result<(), ServiceError> {
    for (_, value) in &update.set {
        match value {
            SetValue::Operand(o) => set_operand(o, "SET")?,
            SetValue::Plus(a, b) => [a, b].iter().try_for_each(|o| set_operand(o, "+"))?,
            SetValue::Minus(a, b) => [a, b].iter().try_for_each(|o| set_operand(o, "-"))?,
        }
    }
    for (_, value) in &update.add {
        if !matches!(type_name(value), "N" | "SS" | "NS" | "BS") {
            return Err(validation(format!(
                "Invalid {WHAT}: Incorrect operand type for operator or function; operator: ADD, operand type: {}, typeSet: ALLOWED_FOR_ADD_OPERAND",
                long_type(value)
            )));
        }
    }
    for (_, value) in &update.delete {
        if !matches!(type_name(value), "SS" | "NS" | "BS") {
            return Err(validation(format!(
                "Invalid {WHAT}: Incorrect operand type for operator or function; operator: DELETE, operand type: {}, typeSet: ALLOWED_FOR_DELETE_OPERAND",
                long_type(value)
            )));
        }
    }
    let targets: Vec<Path> = update.targets().into_iter().cloned().collect();
    path::check_disjoint(&targets, WHAT)
}

/// An update may not touch the primary key.
pub fn update_keys(update: &Update, schema: &KeySchema) -> Result<(), ServiceError> {
    for target in update.targets() {
        if let Some(Step::Name(first)) = target.first() {
            if schema.attrs().any(|a| &a.name == first) {
                return Err(invalid_parameter(format!(
                    "Cannot update attribute {first}. This attribute is part of the key"
                )));
            }
        }
    }
    Ok(())
}

/// DynamoDB refuses a request that mixes the legacy parameters with expressions. Each list
/// names the parameters of its kind with whether the request gave them, in AWS's order.
pub fn check_not_mixed(
    legacy: &[(&str, bool)],
    expressions: &[(&str, bool)],
) -> Result<(), ServiceError> {
    let given = |params: &[(&str, bool)]| -> Vec<String> {
        params
            .iter()
            .filter(|(_, given)| *given)
            .map(|(name, _)| name.to_string())
            .collect()
    };
    let (legacy, expressions) = (given(legacy), given(expressions));
    if !legacy.is_empty() && !expressions.is_empty() {
        return Err(validation(format!(
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
            legacy.join(", "),
            expressions.join(", ")
        )));
    }
    Ok(())
}
