//! The legacy parameters (Expected, QueryFilter, ScanFilter, ConditionalOperator,
//! AttributeUpdates, AttributesToGet), converted into the expression trees so one evaluator
//! and one updater serve both forms. KeyConditions becomes a key condition in
//! `../key_condition.rs`, through [`comparison`].

use std::{cmp::Ordering, collections::BTreeMap};

use nimbus_shapes::{
    dynamodb::{
        AttributeAction, AttributeValue, AttributeValueUpdate, ComparisonOperator, Condition,
        ConditionalOperator, ExpectedAttributeValue,
    },
    ServiceError,
};

use super::{
    super::{
        errors::{invalid_parameter, validation},
        path::{Path, Step},
        value::{attribute_name_fits, normalise_item, type_name, ATTRIBUTE_NAME_TOO_LARGE},
    },
    ast::{CmpOp, Cond, Operand, SetOperand, SetValue, Update},
    eval::order,
};

/// One value of a legacy parameter, checked and normalised as an item's values are.
pub fn normalise(value: &AttributeValue) -> Result<AttributeValue, ServiceError> {
    let single = [(String::new(), value.clone())].into();
    normalise_item(&single)
        .map(|mut item| item.remove("").expect("one value in, one out"))
        .map_err(|e| validation(e.message))
}

/// A legacy parameter's attribute `name` as a path, within the attribute-name limit.
fn top(name: &str) -> Result<Path, ServiceError> {
    if !attribute_name_fits(name) {
        return Err(validation(ATTRIBUTE_NAME_TOO_LARGE));
    }
    Ok(vec![Step::Name(name.to_string())])
}

/// Where the model's checks place attribute `name`'s ComparisonOperator in `parameter`
/// (dynalite's record of AWS: `queryFilter.a.member.comparisonOperator`).
fn operator_path(parameter: &str, name: &str) -> String {
    let mut path = format!("{parameter}.{name}.member.comparisonOperator");
    path[..1].make_ascii_lowercase();
    path
}

/// A condition's ComparisonOperator, which KeyConditions, QueryFilter and ScanFilter require.
pub fn required_operator<'a>(
    parameter: &str,
    name: &str,
    condition: &'a Condition,
) -> Result<&'a ComparisonOperator, ServiceError> {
    condition.comparison_operator.as_ref().ok_or_else(|| {
        validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            operator_path(parameter, name)
        ))
    })
}

/// The checks a legacy condition on attribute `name` passes, in `parameter` (Expected,
/// KeyConditions, QueryFilter or ScanFilter), before it is evaluated, in AWS's words
/// (dynalite's record; ScyllaDB's Alternator tests, run against DynamoDB, ask for the same).
pub fn check_values(
    parameter: &str,
    name: &str,
    op: &ComparisonOperator,
    values: &[AttributeValue],
) -> Result<(), ServiceError> {
    use ComparisonOperator as C;
    let n = values.len();
    let count_ok = match op {
        C::Eq
        | C::Ne
        | C::Le
        | C::Lt
        | C::Ge
        | C::Gt
        | C::Contains
        | C::NotContains
        | C::BeginsWith => n == 1,
        C::NotNull | C::Null => n == 0,
        C::In => n > 0,
        C::Between => n == 2,
        C::Unknown(other) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{other}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
                operator_path(parameter, name)
            )));
        }
    };
    if !count_ok {
        return Err(invalid_parameter(format!(
            "Invalid number of argument(s) for the {} ComparisonOperator",
            op.as_str()
        )));
    }
    // Ordering, prefix and membership operators take scalars only (AWS's legacy rules).
    let allowed: &[&str] = match op {
        C::Le | C::Lt | C::Ge | C::Gt | C::Between | C::In | C::Contains | C::NotContains => {
            &["S", "N", "B"]
        }
        C::BeginsWith => &["S", "B"],
        _ => &[],
    };
    if let Some(v) = values
        .iter()
        .find(|v| !allowed.is_empty() && !allowed.contains(&type_name(v)))
    {
        return Err(invalid_parameter(format!(
            "ComparisonOperator {} is not valid for {} AttributeValue type",
            op.as_str(),
            type_name(v)
        )));
    }
    if matches!(op, C::Between | C::In)
        && values.iter().any(|v| type_name(v) != type_name(&values[0]))
    {
        return Err(invalid_parameter(
            "AttributeValues inside AttributeValueList must be of same type",
        ));
    }
    if let (C::Between, [low, high]) = (op, values) {
        if order(low, high) == Some(Ordering::Greater) {
            return Err(validation(
                "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
            ));
        }
    }
    Ok(())
}

/// One legacy comparison of attribute `name` in `parameter`, its values already normalised.
pub fn comparison(
    parameter: &str,
    name: &str,
    op: &ComparisonOperator,
    values: Vec<AttributeValue>,
) -> Result<Cond, ServiceError> {
    use ComparisonOperator as C;
    check_values(parameter, name, op, &values)?;
    let path = top(name)?;
    let attr = Operand::Path(path.clone());
    let mut values = values.into_iter().map(Operand::Value);
    let first = values.next();
    let value = || first.clone().expect("counted above");
    let cmp = |op| Cond::Cmp(op, attr.clone(), value());
    Ok(match op {
        C::Eq => cmp(CmpOp::Eq),
        C::Ne => cmp(CmpOp::Ne),
        C::Le => cmp(CmpOp::Le),
        C::Lt => cmp(CmpOp::Lt),
        C::Ge => cmp(CmpOp::Ge),
        C::Gt => cmp(CmpOp::Gt),
        C::NotNull => Cond::Exists(path),
        C::Null => Cond::NotExists(path),
        C::Contains => Cond::Contains(attr, value()),
        // Unlike the expression `NOT contains(...)`, a missing attribute fails NOT_CONTAINS
        // (ScyllaDB's Alternator tests, run against DynamoDB).
        C::NotContains => Cond::And(
            Box::new(Cond::Exists(path)),
            Box::new(Cond::Not(Box::new(Cond::Contains(attr, value())))),
        ),
        C::BeginsWith => Cond::BeginsWith(attr, value()),
        C::Between => Cond::Between(attr.clone(), value(), values.next().expect("counted above")),
        C::In => Cond::In(
            attr.clone(),
            std::iter::once(value()).chain(values).collect(),
        ),
        C::Unknown(_) => unreachable!("refused above"),
    })
}

/// Joins conditions with ConditionalOperator (AND unless OR is asked for).
fn join(
    conds: Vec<Cond>,
    operator: Option<&ConditionalOperator>,
) -> Result<Option<Cond>, ServiceError> {
    let or = match operator {
        None | Some(ConditionalOperator::And) => false,
        Some(ConditionalOperator::Or) => true,
        Some(ConditionalOperator::Unknown(other)) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{other}' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"
            )))
        }
    };
    // AWS's words (the conformance suite's capture): there is nothing to join otherwise.
    if operator.is_some() && conds.len() < 2 {
        return Err(validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        ));
    }
    Ok(conds.into_iter().reduce(|a, b| {
        if or {
            Cond::Or(Box::new(a), Box::new(b))
        } else {
            Cond::And(Box::new(a), Box::new(b))
        }
    }))
}

/// QueryFilter and ScanFilter.
pub fn filter(
    parameter: &str,
    conditions: &BTreeMap<String, Condition>,
    operator: Option<&ConditionalOperator>,
) -> Result<Option<Cond>, ServiceError> {
    let mut conds = Vec::new();
    for (name, condition) in conditions {
        let values = condition
            .attribute_value_list
            .iter()
            .flatten()
            .map(normalise)
            .collect::<Result<Vec<_>, _>>()?;
        let op = required_operator(parameter, name, condition)?;
        conds.push(comparison(parameter, name, op, values)?);
    }
    join(conds, operator)
}

/// Expected, with dynalite's record of AWS's messages for its inconsistent forms.
pub fn expected(
    expected: &BTreeMap<String, ExpectedAttributeValue>,
    operator: Option<&ConditionalOperator>,
) -> Result<Option<Cond>, ServiceError> {
    let mut conds = Vec::new();
    for (name, e) in expected {
        if let Some(op) = &e.comparison_operator {
            if e.exists.is_some() {
                return Err(invalid_parameter(format!(
                    "Exists and ComparisonOperator cannot be used together for Attribute: {name}"
                )));
            }
            if e.attribute_value_list.is_some() && e.value.is_some() {
                return Err(invalid_parameter(format!(
                    "Value and AttributeValueList cannot be used together for Attribute: {name}"
                )));
            }
            let values = e
                .attribute_value_list
                .iter()
                .flatten()
                .chain(&e.value)
                .map(normalise)
                .collect::<Result<Vec<_>, _>>()?;
            conds.push(comparison("Expected", name, op, values)?);
            continue;
        }
        if e.attribute_value_list.is_some() {
            return Err(invalid_parameter(format!(
                "AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
            )));
        }
        match (e.exists, &e.value) {
            (Some(false), None) => conds.push(Cond::NotExists(top(name)?)),
            (Some(false), Some(_)) => {
                return Err(invalid_parameter(format!(
                    "Value cannot be used when Exists is false for Attribute: {name}"
                )))
            }
            (exists, None) => {
                let shown = exists.map_or("null".to_string(), |b| b.to_string());
                return Err(invalid_parameter(format!(
                    "Value must be provided when Exists is {shown} for Attribute: {name}"
                )));
            }
            (_, Some(value)) => conds.push(Cond::Cmp(
                CmpOp::Eq,
                Operand::Path(top(name)?),
                Operand::Value(normalise(value)?),
            )),
        }
    }
    join(conds, operator)
}

/// AttributeUpdates: PUT sets, DELETE removes (or takes elements from a set), ADD adds to a
/// number or set, or appends to a list.
pub fn attribute_updates(
    updates: &BTreeMap<String, AttributeValueUpdate>,
) -> Result<Update, ServiceError> {
    let mut update = Update {
        legacy: true,
        ..Update::default()
    };
    for (name, u) in updates {
        let value = u.value.as_ref().map(normalise).transpose()?;
        let path = top(name)?;
        match (u.action.as_ref().unwrap_or(&AttributeAction::Put), value) {
            (AttributeAction::Put, Some(value)) => update
                .set
                .push((path, SetValue::Operand(SetOperand::Value(value)))),
            (AttributeAction::Delete, None) => update.remove.push(path),
            (AttributeAction::Delete, Some(value)) => {
                if !matches!(type_name(&value), "SS" | "NS" | "BS") {
                    return Err(invalid_parameter(format!(
                        "DELETE action with value is not supported for the type {}",
                        type_name(&value)
                    )));
                }
                update.delete.push((path, value))
            }
            (AttributeAction::Add, Some(value)) if value.l.is_some() => {
                // ADD appends to a list, creating it when absent.
                let empty = AttributeValue {
                    l: Some(Vec::new()),
                    ..Default::default()
                };
                let current = SetOperand::IfNotExists(path.clone(), Box::new(SetOperand::Value(empty)));
                update.set.push((
                    path,
                    SetValue::Operand(SetOperand::ListAppend(
                        Box::new(current),
                        Box::new(SetOperand::Value(value)),
                    )),
                ));
            }
            (AttributeAction::Add, Some(value)) => {
                if !matches!(type_name(&value), "N" | "SS" | "NS" | "BS") {
                    return Err(invalid_parameter(format!(
                        "ADD action is not supported for the type {}",
                        type_name(&value)
                    )));
                }
                update.add.push((path, value))
            }
            (AttributeAction::Unknown(other), _) => {
                return Err(validation(format!(
                    "1 validation error detected: Value '{other}' at 'attributeUpdates.{name}.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"
                )))
            }
            (_, None) => {
                return Err(invalid_parameter(
                    "Only DELETE action is allowed when no attribute value is specified"
                ))
            }
        }
    }
    Ok(update)
}

/// AttributesToGet: top-level names, no duplicates.
pub fn attributes_to_get(names: &[String]) -> Result<Vec<Path>, ServiceError> {
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(invalid_parameter(format!(
                "Duplicate value in attribute name: {name}"
            )));
        }
    }
    names.iter().map(|n| top(n)).collect()
}
