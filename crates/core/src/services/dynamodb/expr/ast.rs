//! The parsed forms of the expression languages. Names and values are already resolved
//! (placeholders replaced) when a tree is built; see `parse.rs`.

use nimbus_shapes::dynamodb::AttributeValue;

use super::super::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn from_token(op: &str) -> Option<CmpOp> {
        Some(match op {
            "=" => CmpOp::Eq,
            "<>" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => return None,
        })
    }

    pub fn text(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// An operand of a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Path(Path),
    Value(AttributeValue),
    /// `size(path)`.
    Size(Path),
}

/// A ConditionExpression or FilterExpression.
// One small tree per request: boxing the values inside would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Cmp(CmpOp, Operand, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    /// `attribute_type(operand, :type)`, the type name checked at validation (AWS accepts a
    /// constant as the first operand too).
    Type(Operand, String),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    /// A node built out of line, for the recursive parsers: their frames then hold boxes,
    /// never a whole `Cond`, and nesting costs little stack per level.
    #[inline(never)]
    pub fn boxed(make: impl FnOnce() -> Cond) -> Box<Cond> {
        Box::new(make())
    }

    /// Every document path the condition reads.
    pub fn paths(&self) -> Vec<&Path> {
        fn operand<'a>(o: &'a Operand, out: &mut Vec<&'a Path>) {
            if let Operand::Path(p) | Operand::Size(p) = o {
                out.push(p);
            }
        }
        fn walk<'a>(c: &'a Cond, out: &mut Vec<&'a Path>) {
            match c {
                Cond::Cmp(_, a, b) | Cond::BeginsWith(a, b) | Cond::Contains(a, b) => {
                    operand(a, out);
                    operand(b, out);
                }
                Cond::Between(a, b, c) => [a, b, c].into_iter().for_each(|o| operand(o, out)),
                Cond::In(a, list) => std::iter::once(a).chain(list).for_each(|o| operand(o, out)),
                Cond::Exists(p) | Cond::NotExists(p) => out.push(p),
                Cond::Type(o, _) => operand(o, out),
                Cond::And(a, b) | Cond::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Cond::Not(a) => walk(a, out),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

/// An operand on the right of a SET action.
#[derive(Clone, Debug, PartialEq)]
pub enum SetOperand {
    Path(Path),
    Value(AttributeValue),
    IfNotExists(Path, Box<SetOperand>),
    ListAppend(Box<SetOperand>, Box<SetOperand>),
}

/// The value a SET action assigns.
#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    Operand(SetOperand),
    Plus(SetOperand, SetOperand),
    Minus(SetOperand, SetOperand),
}

/// An UpdateExpression: its four clauses, actions in the order written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(Path, SetValue)>,
    pub remove: Vec<Path>,
    pub add: Vec<(Path, AttributeValue)>,
    pub delete: Vec<(Path, AttributeValue)>,
    /// Built from the legacy AttributeUpdates, whose ADD and DELETE AWS refuses on a value
    /// of another type in other words than an UpdateExpression's.
    pub legacy: bool,
}

impl Update {
    /// The paths the update writes, in clause order (SET, REMOVE, ADD, DELETE).
    pub fn targets(&self) -> Vec<&Path> {
        self.set
            .iter()
            .map(|(p, _)| p)
            .chain(&self.remove)
            .chain(self.add.iter().map(|(p, _)| p))
            .chain(self.delete.iter().map(|(p, _)| p))
            .collect()
    }
}
