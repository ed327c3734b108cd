//! A parsed PartiQL statement. Parameters are already bound and literals are attribute
//! values, so conditions and updates are the expression trees of `../expr/ast.rs`, which
//! the existing evaluator and updater run unchanged.

use super::super::{
    expr::ast::{Cond, Update},
    path::Path,
    value::Item,
};

/// `"table"` or `"table"."index"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub table: String,
    pub index: Option<String>,
}

/// `RETURNING ( ALL | MODIFIED ) ( OLD | NEW ) *`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returning {
    AllOld,
    ModifiedOld,
    AllNew,
    ModifiedNew,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    pub source: Source,
    /// `None` for `*`.
    pub projection: Option<Vec<Path>>,
    pub filter: Option<Cond>,
    /// `ORDER BY <key> [ASC | DESC]`: the key attribute named.
    pub ordered: Option<String>,
    pub descending: bool,
}

// One statement per request: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    Select(Select),
    Insert {
        table: String,
        item: Item,
    },
    Update {
        table: String,
        update: Update,
        filter: Cond,
        returning: Option<Returning>,
    },
    Delete {
        table: String,
        filter: Cond,
        returning: Option<Returning>,
    },
    /// `EXISTS(SELECT ...)`: a condition check, only in ExecuteTransaction.
    Exists(Select),
}

impl Statement {
    pub fn is_read(&self) -> bool {
        matches!(self, Statement::Select(_))
    }

    pub fn table(&self) -> &str {
        match self {
            Statement::Select(s) | Statement::Exists(s) => &s.source.table,
            Statement::Insert { table, .. }
            | Statement::Update { table, .. }
            | Statement::Delete { table, .. } => table,
        }
    }
}
