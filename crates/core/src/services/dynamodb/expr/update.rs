//! Applying an UpdateExpression to an item. Every operand reads the item as it was before
//! the update (AWS evaluates `SET a = b, b = a` as a swap); the actions then write in
//! clause order. Errors carry AWS's messages.

use std::collections::BTreeSet;

use nimbus_shapes::{dynamodb::AttributeValue, Blob, ServiceError};

use super::{
    super::{
        errors::validation,
        number::Number,
        path::{self, Path, Step},
        value::{type_name, Item},
    },
    ast::{SetOperand, SetValue, Update},
};

fn wrong_type() -> ServiceError {
    validation("An operand in the update expression has an incorrect data type")
}

/// AttributeUpdates' ADD or DELETE on an attribute of another type (dynalite's record of
/// AWS's message; ScyllaDB's Alternator tests, run against DynamoDB, see "mismatch" too).
fn type_mismatch() -> ServiceError {
    validation("Type mismatch for attribute to update")
}

fn invalid_path() -> ServiceError {
    validation("The document path provided in the update expression is invalid for update")
}

fn missing_attribute() -> ServiceError {
    validation("The provided expression refers to an attribute that does not exist in the item")
}

fn number_of(value: &AttributeValue) -> Result<Number, ServiceError> {
    let text = value.n.as_ref().ok_or_else(wrong_type)?;
    Number::parse(text).map_err(|e| validation(e.message(text)))
}

fn number_value(n: Number) -> AttributeValue {
    AttributeValue {
        n: Some(n.canonical()),
        ..Default::default()
    }
}

fn operand(op: &SetOperand, old: &Item) -> Result<AttributeValue, ServiceError> {
    match op {
        SetOperand::Value(v) => Ok(v.clone()),
        SetOperand::Path(p) => path::lookup(old, p).cloned().ok_or_else(missing_attribute),
        SetOperand::IfNotExists(p, fallback) => match path::lookup(old, p) {
            Some(v) => Ok(v.clone()),
            None => operand(fallback, old),
        },
        SetOperand::ListAppend(a, b) => {
            let (a, b) = (operand(a, old)?, operand(b, old)?);
            match (a.l, b.l) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    Ok(AttributeValue {
                        l: Some(a),
                        ..Default::default()
                    })
                }
                _ => Err(wrong_type()),
            }
        }
    }
}

fn set_value(value: &SetValue, old: &Item) -> Result<AttributeValue, ServiceError> {
    let arithmetic = |a: &SetOperand, b: &SetOperand, minus: bool| {
        let a = number_of(&operand(a, old)?)?;
        let b = number_of(&operand(b, old)?)?;
        let b = if minus { b.negate() } else { b };
        a.add(&b)
            .map(number_value)
            .map_err(|e| validation(e.message("")))
    };
    match value {
        SetValue::Operand(o) => operand(o, old),
        SetValue::Plus(a, b) => arithmetic(a, b, false),
        SetValue::Minus(a, b) => arithmetic(a, b, true),
    }
}

/// The value `path` names, for writing; `None` when its parent is missing or of the wrong
/// type. The last step must be a map key or list index of an existing document.
fn parent_mut<'a>(item: &'a mut Item, path: &Path) -> Result<&'a mut AttributeValue, bool> {
    let Some((Step::Name(first), rest)) = path.split_first() else {
        return Err(false);
    };
    let mut value = item.get_mut(first).ok_or(false)?;
    for step in &rest[..rest.len() - 1] {
        value = match step {
            Step::Name(n) => value.m.as_mut().ok_or(true)?.get_mut(n).ok_or(false)?,
            Step::Index(i) => value.l.as_mut().ok_or(true)?.get_mut(*i).ok_or(false)?,
        };
    }
    Ok(value)
}

fn write(item: &mut Item, path: &Path, value: AttributeValue) -> Result<(), ServiceError> {
    if let [Step::Name(name)] = path.as_slice() {
        item.insert(name.clone(), value);
        return Ok(());
    }
    let parent = parent_mut(item, path).map_err(|_| invalid_path())?;
    match path.last() {
        Some(Step::Name(key)) => {
            parent
                .m
                .as_mut()
                .ok_or_else(invalid_path)?
                .insert(key.clone(), value);
        }
        Some(Step::Index(i)) => {
            let list = parent.l.as_mut().ok_or_else(invalid_path)?;
            // Past the end, SET appends.
            match list.get_mut(*i) {
                Some(slot) => *slot = value,
                None => list.push(value),
            }
        }
        None => return Err(invalid_path()),
    }
    Ok(())
}

/// REMOVE: a missing leaf (attribute, map key, list index past the end) is no error, a
/// missing or mistyped parent is.
fn remove(item: &mut Item, path: &Path) -> Result<(), ServiceError> {
    if let [Step::Name(name)] = path.as_slice() {
        item.remove(name);
        return Ok(());
    }
    let parent = parent_mut(item, path).map_err(|_| invalid_path())?;
    match path.last() {
        Some(Step::Name(key)) => {
            parent.m.as_mut().ok_or_else(invalid_path)?.remove(key);
        }
        Some(Step::Index(i)) => {
            let list = parent.l.as_mut().ok_or_else(invalid_path)?;
            if *i < list.len() {
                list.remove(*i);
            }
        }
        None => {}
    }
    Ok(())
}

/// Set union or difference on two sets of one type; `None` if the types differ.
fn set_op(a: &AttributeValue, b: &AttributeValue, union: bool) -> Option<AttributeValue> {
    fn combine<T: Ord + Clone>(a: &[T], b: &[T], union: bool) -> Vec<T> {
        let b: BTreeSet<&T> = b.iter().collect();
        if union {
            let mut out = a.to_vec();
            out.extend(b.into_iter().filter(|x| !a.contains(x)).cloned());
            out
        } else {
            a.iter().filter(|x| !b.contains(x)).cloned().collect()
        }
    }
    let mut out = AttributeValue::default();
    match (type_name(a), type_name(b)) {
        ("SS", "SS") => out.ss = Some(combine(a.ss.as_ref()?, b.ss.as_ref()?, union)),
        ("NS", "NS") => out.ns = Some(combine(a.ns.as_ref()?, b.ns.as_ref()?, union)),
        ("BS", "BS") => {
            let bytes = |v: &AttributeValue| -> Vec<Vec<u8>> {
                v.bs.iter().flatten().map(|b| b.0.clone()).collect()
            };
            out.bs = Some(
                combine(&bytes(a), &bytes(b), union)
                    .into_iter()
                    .map(Blob)
                    .collect(),
            );
        }
        _ => return None,
    }
    Some(out)
}

fn is_empty_set(value: &AttributeValue) -> bool {
    value.ss.as_ref().is_some_and(Vec::is_empty)
        || value.ns.as_ref().is_some_and(Vec::is_empty)
        || value.bs.as_ref().is_some_and(Vec::is_empty)
}

/// Orders paths so that, within one list, lower indexes come first.
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let key = |p: &Path| -> Vec<(u8, String, usize)> {
        p.iter()
            .map(|s| match s {
                Step::Name(n) => (0, n.clone(), 0),
                Step::Index(i) => (1, String::new(), *i),
            })
            .collect()
    };
    key(a).cmp(&key(b))
}

/// The item after `update`; `old` is the stored item or, when `exists` is false, the key
/// alone of an item about to be created.
pub fn apply(update: &Update, old: &Item, exists: bool) -> Result<Item, ServiceError> {
    // AttributeUpdates' only SET that can fail is an ADD of a list (a list_append) to
    // another type: refused as every legacy ADD of the wrong type is.
    let mut assigned = update
        .set
        .iter()
        .map(|(p, v)| {
            let value =
                set_value(v, old).map_err(|e| if update.legacy { type_mismatch() } else { e })?;
            Ok((p, value))
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    // Elements SET past a list's end are appended in index order (AWS: "the elements are
    // sorted in order by element number").
    assigned.sort_by(|(a, _), (b, _)| path_order(a, b));
    let mut item = old.clone();
    for (path, value) in assigned {
        write(&mut item, path, value)?;
    }
    // Higher indexes first, so that each index names the element it named before the
    // update. An absent item ignores REMOVE altogether, even of nested paths (as AWS does).
    let mut removals: Vec<&Path> = update.remove.iter().collect();
    removals.sort_by(|a, b| path_order(b, a));
    for path in removals.into_iter().filter(|_| exists) {
        remove(&mut item, path)?;
    }
    let mismatch = if update.legacy {
        type_mismatch
    } else {
        wrong_type
    };
    for (path, value) in &update.add {
        let new = match path::lookup(&item, path) {
            None => value.clone(),
            Some(current) if current.n.is_some() && value.n.is_some() => number_value(
                number_of(current)?
                    .add(&number_of(value)?)
                    .map_err(|e| validation(e.message("")))?,
            ),
            Some(current) => set_op(current, value, true).ok_or_else(mismatch)?,
        };
        write(&mut item, path, new)?;
    }
    for (path, value) in &update.delete {
        let Some(current) = path::lookup(&item, path) else {
            continue;
        };
        let rest = set_op(current, value, false).ok_or_else(mismatch)?;
        // A set never stays empty: deleting its last element removes the attribute.
        if is_empty_set(&rest) {
            remove(&mut item, path)?;
        } else {
            write(&mut item, path, rest)?;
        }
    }
    Ok(item)
}
