//! Evaluation of conditions against an item, with DynamoDB's comparison rules: values of
//! different types are never equal and never ordered, only N, S and B order (numbers
//! numerically, strings and binaries bytewise), sets compare as sets, and a missing
//! attribute makes every comparison false except `<>`.

use std::{cmp::Ordering, collections::BTreeSet};

use nimbus_shapes::dynamodb::AttributeValue;

use super::{
    super::{
        key_condition::encoded,
        path,
        value::{type_name, Item},
    },
    ast::{CmpOp, Cond, Operand},
};

/// `size()`: UTF-16 code units of a string (DynamoDB counts as Java's `String.length` does:
/// a character beyond the Basic Multilingual Plane is two), bytes of a binary, elements of a
/// set, list or map; other types have none.
pub fn size(value: &AttributeValue) -> Option<usize> {
    if let Some(s) = &value.s {
        Some(s.encode_utf16().count())
    } else if let Some(b) = &value.b {
        Some(b.0.len())
    } else if let Some(ss) = &value.ss {
        Some(ss.len())
    } else if let Some(ns) = &value.ns {
        Some(ns.len())
    } else if let Some(bs) = &value.bs {
        Some(bs.len())
    } else if let Some(l) = &value.l {
        Some(l.len())
    } else {
        value.m.as_ref().map(|m| m.len())
    }
}

fn number(n: usize) -> AttributeValue {
    AttributeValue {
        n: Some(n.to_string()),
        ..Default::default()
    }
}

fn resolve(operand: &Operand, item: &Item) -> Option<AttributeValue> {
    match operand {
        Operand::Path(p) => path::lookup(item, p).cloned(),
        Operand::Value(v) => Some(v.clone()),
        Operand::Size(p) => path::lookup(item, p).and_then(size).map(number),
    }
}

/// DynamoDB equality: sets compare as sets, documents element by element.
pub fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
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
pub fn order(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    let kind = type_name(a);
    (kind == type_name(b) && matches!(kind, "N" | "S" | "B")).then(|| encoded(a).cmp(&encoded(b)))
}

pub fn compare(op: CmpOp, a: Option<&AttributeValue>, b: Option<&AttributeValue>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        // A missing attribute equals nothing, so only `<>` holds.
        return op == CmpOp::Ne;
    };
    match op {
        CmpOp::Eq => equal(a, b),
        CmpOp::Ne => !equal(a, b),
        CmpOp::Lt => order(a, b) == Some(Ordering::Less),
        CmpOp::Le => matches!(order(a, b), Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => order(a, b) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order(a, b), Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// Whether a string or binary `value` starts with `prefix` of its type.
pub fn begins_with(value: &AttributeValue, prefix: &AttributeValue) -> bool {
    match (&value.s, &prefix.s, &value.b, &prefix.b) {
        (Some(v), Some(p), _, _) => v.starts_with(p.as_str()),
        (_, _, Some(v), Some(p)) => v.0.starts_with(&p.0),
        _ => false,
    }
}

fn contains(haystack: &AttributeValue, needle: &AttributeValue) -> bool {
    if let (Some(h), Some(n)) = (&haystack.s, &needle.s) {
        return h.contains(n.as_str());
    }
    if let (Some(h), Some(n)) = (&haystack.b, &needle.b) {
        return n.0.is_empty() || h.0.windows(n.0.len()).any(|w| w == n.0.as_slice());
    }
    if let (Some(set), Some(n)) = (&haystack.ss, &needle.s) {
        return set.contains(n);
    }
    if let (Some(set), Some(n)) = (&haystack.ns, &needle.n) {
        return set.contains(n);
    }
    if let (Some(set), Some(n)) = (&haystack.bs, &needle.b) {
        return set.contains(n);
    }
    if let Some(list) = &haystack.l {
        return list.iter().any(|e| equal(e, needle));
    }
    false
}

impl Cond {
    /// Whether the condition holds for `item` (`None`: no item, as for a write to a new key).
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let empty = Item::new();
        self.matches(item.unwrap_or(&empty))
    }

    pub fn matches(&self, item: &Item) -> bool {
        let get = |o: &Operand| resolve(o, item);
        match self {
            Cond::Cmp(op, a, b) => compare(*op, get(a).as_ref(), get(b).as_ref()),
            Cond::Between(v, low, high) => match (get(v), get(low), get(high)) {
                (Some(v), Some(l), Some(h)) => {
                    matches!(order(&v, &l), Some(Ordering::Greater | Ordering::Equal))
                        && matches!(order(&v, &h), Some(Ordering::Less | Ordering::Equal))
                }
                _ => false,
            },
            Cond::In(v, list) => {
                get(v).is_some_and(|v| list.iter().any(|o| get(o).is_some_and(|w| equal(&v, &w))))
            }
            Cond::Exists(p) => path::lookup(item, p).is_some(),
            Cond::NotExists(p) => path::lookup(item, p).is_none(),
            Cond::Type(o, kind) => get(o).is_some_and(|v| type_name(&v) == kind),
            Cond::BeginsWith(v, prefix) => match (get(v), get(prefix)) {
                (Some(v), Some(p)) => begins_with(&v, &p),
                _ => false,
            },
            Cond::Contains(h, n) => match (get(h), get(n)) {
                (Some(h), Some(n)) => contains(&h, &n),
                _ => false,
            },
            Cond::And(a, b) => a.matches(item) && b.matches(item),
            Cond::Or(a, b) => a.matches(item) || b.matches(item),
            Cond::Not(a) => !a.matches(item),
        }
    }
}
