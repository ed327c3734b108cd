//! The grammar of DynamoDB's PartiQL: SELECT, INSERT, UPDATE, DELETE and (in transactions)
//! EXISTS. `?` parameters are bound while parsing, so the trees hold values; conditions
//! become `expr::ast::Cond` and SET/REMOVE become an `expr::ast::Update`.

use nimbus_shapes::{dynamodb::AttributeValue, ServiceError};

use super::{
    super::{
        errors::validation,
        expr::ast::{CmpOp, Cond, Operand, SetOperand, SetValue, Update},
        number::Number,
        path::{Path, Step},
        value::{normalise_item, type_name, Item},
    },
    ast::{Returning, Select, Source, Statement},
    malformed,
    tokens::{tokenize, Tok},
};

/// PartiQL's reserved words (SQL-92's and PartiQL's own): a bare name cannot be one, as
/// DynamoDB refuses `WHERE pad = 'x'` and runs `WHERE "pad" = 'x'`. A reserved word
/// followed by `(` is a function call (`size(a)`).
#[rustfmt::skip]
const RESERVED: &[&str] = &[
    "ABSOLUTE", "ACTION", "ADD", "ALL", "ALLOCATE", "ALTER", "AND", "ANY", "ARE", "AS", "ASC",
    "ASSERTION", "AT", "AUTHORIZATION", "AVG", "BEGIN", "BETWEEN", "BIT", "BIT_LENGTH", "BY",
    "CASCADE", "CASCADED", "CASE", "CAST", "CATALOG", "CHAR", "CHARACTER", "CHARACTER_LENGTH",
    "CHAR_LENGTH", "CHECK", "CLOSE", "COALESCE", "COLLATE", "COLLATION", "COLUMN", "COMMIT",
    "CONNECT", "CONNECTION", "CONSTRAINT", "CONSTRAINTS", "CONTINUE", "CONVERT",
    "CORRESPONDING", "COUNT", "CREATE", "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME",
    "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATE", "DAY", "DEALLOCATE", "DEC",
    "DECIMAL", "DECLARE", "DEFAULT", "DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DESCRIBE",
    "DESCRIPTOR", "DIAGNOSTICS", "DISCONNECT", "DISTINCT", "DOMAIN", "DOUBLE", "DROP", "ELSE",
    "END", "ESCAPE", "EXCEPT", "EXCEPTION", "EXEC", "EXECUTE", "EXISTS", "EXTERNAL", "EXTRACT",
    "FALSE", "FETCH", "FIRST", "FLOAT", "FOR", "FOREIGN", "FOUND", "FROM", "FULL", "GET",
    "GLOBAL", "GO", "GOTO", "GRANT", "GROUP", "HAVING", "HOUR", "IDENTITY", "IMMEDIATE", "IN",
    "INDICATOR", "INITIALLY", "INNER", "INPUT", "INSENSITIVE", "INSERT", "INT", "INTEGER",
    "INTERSECT", "INTERVAL", "INTO", "IS", "ISOLATION", "JOIN", "KEY", "LANGUAGE", "LAST",
    "LEADING", "LEFT", "LEVEL", "LIKE", "LOCAL", "LOWER", "MATCH", "MAX", "MIN", "MINUTE",
    "MODULE", "MONTH", "NAMES", "NATIONAL", "NATURAL", "NCHAR", "NEXT", "NO", "NOT", "NULL",
    "NULLIF", "NUMERIC", "OCTET_LENGTH", "OF", "ON", "ONLY", "OPEN", "OPTION", "OR", "ORDER",
    "OUTER", "OUTPUT", "OVERLAPS", "PAD", "PARTIAL", "POSITION", "PRECISION", "PREPARE",
    "PRESERVE", "PRIMARY", "PRIOR", "PRIVILEGES", "PROCEDURE", "PUBLIC", "READ", "REAL",
    "REFERENCES", "RELATIVE", "RESTRICT", "REVOKE", "RIGHT", "ROLLBACK", "ROWS", "SCHEMA",
    "SCROLL", "SECOND", "SECTION", "SELECT", "SESSION", "SESSION_USER", "SET", "SIZE",
    "SMALLINT", "SOME", "SPACE", "SQL", "SQLCODE", "SQLERROR", "SQLSTATE", "SUBSTRING", "SUM",
    "SYSTEM_USER", "TABLE", "TEMPORARY", "THEN", "TIME", "TIMESTAMP", "TIMEZONE_HOUR",
    "TIMEZONE_MINUTE", "TO", "TRAILING", "TRANSACTION", "TRANSLATE", "TRIM", "TRUE", "UNION",
    "UNIQUE", "UNKNOWN", "UPDATE", "UPPER", "USAGE", "USER", "USING", "VALUE", "VALUES",
    "VARCHAR", "VARYING", "VIEW", "WHEN", "WHENEVER", "WHERE", "WITH", "WORK", "WRITE", "YEAR",
    "ZONE", "MISSING", "PIVOT", "UNPIVOT", "LIMIT", "REMOVE", "RETURNING",
];

/// Parses `text`, binding `?` to `params` in order. Too few parameters are refused; extra
/// ones are ignored, as DynamoDB does.
pub fn statement(text: &str, params: &[AttributeValue]) -> Result<Statement, ServiceError> {
    let toks = tokenize(text)?;
    let wanted = toks.iter().filter(|t| **t == Tok::Param).count();
    if wanted > params.len() {
        return Err(validation(
            "Number of parameters in request and statement don't match.",
        ));
    }
    let params = params
        .iter()
        .map(|p| {
            normalise_item(&[(String::new(), p.clone())].into())
                .map(|mut one| one.remove("").expect("one value"))
                .map_err(|e| validation(e.message))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut parser = Parser {
        toks,
        at: 0,
        params,
        next_param: 0,
        depth: 0,
    };
    let statement = parser.statement()?;
    if parser.peek().is_some() {
        return Err(malformed("Unexpected token after expression"));
    }
    Ok(statement)
}

/// An operand before it is shaped by where it stands.
#[derive(Clone, Debug)]
enum Term {
    Path(Path),
    Value(AttributeValue),
    Missing,
    Call(String, Vec<Term>),
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
    params: Vec<AttributeValue>,
    next_param: usize,
    /// Conditions, collections and calls open now, against [`MAX_NESTING`].
    depth: usize,
}

/// How deep conditions (parentheses, NOT), collections and calls may nest: the parser
/// recurses per level, and 8 KB of `(` would overflow its stack. Well past anything
/// DynamoDB stores (items nest 32 levels); past it, Nimbus's own refusal, as AWS's
/// answer is not known.
const MAX_NESTING: usize = 64;

fn value_of(build: impl FnOnce(&mut AttributeValue)) -> AttributeValue {
    let mut v = AttributeValue::default();
    build(&mut v);
    v
}

fn unexpected(tok: Option<&Tok>) -> ServiceError {
    match tok {
        Some(t) => malformed(&format!("Unexpected token: {}", t.text())),
        None => malformed("Unexpected end of statement"),
    }
}

impl Parser {
    /// Reads one nested level with `read`, refusing one past [`MAX_NESTING`].
    fn nested<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        if self.depth == MAX_NESTING {
            return Err(malformed(&format!(
                "Expression nests deeper than {MAX_NESTING} levels"
            )));
        }
        self.depth += 1;
        let read = read(self);
        self.depth -= 1;
        read
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Tok> {
        self.toks.get(self.at + ahead)
    }

    fn next(&mut self) -> Option<Tok> {
        let tok = self.toks.get(self.at).cloned();
        self.at += 1;
        tok
    }

    fn is_keyword(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(word))
    }

    fn eat_keyword(&mut self, word: &str) -> bool {
        let found = self.is_keyword(word);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect_keyword(&mut self, word: &str) -> Result<(), ServiceError> {
        if self.eat_keyword(word) {
            Ok(())
        } else {
            Err(unexpected(self.peek()))
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let found = self.is_punct(p);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), ServiceError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(unexpected(self.peek()))
        }
    }

    fn statement(&mut self) -> Result<Statement, ServiceError> {
        let Some(Tok::Word(first)) = self.peek().cloned() else {
            return Err(malformed("Expected data manipulation"));
        };
        self.at += 1;
        match first.to_ascii_uppercase().as_str() {
            "SELECT" => self.select().map(Statement::Select),
            "INSERT" => self.insert(),
            "UPDATE" => self.update(),
            "DELETE" => self.delete(),
            "FROM" => self.update_from_first(),
            "EXISTS" => {
                self.expect_punct("(")?;
                self.expect_keyword("SELECT")?;
                let select = self.select()?;
                self.expect_punct(")")?;
                Ok(Statement::Exists(select))
            }
            _ => Err(malformed("Expected data manipulation")),
        }
    }

    /// A table or attribute name: a bare word that is no keyword, or a quoted name.
    fn name(&mut self) -> Result<String, ServiceError> {
        match self.peek().cloned() {
            Some(Tok::Quoted(q)) => {
                self.at += 1;
                if q.is_empty() {
                    return Err(validation("Path component cannot be an empty string"));
                }
                Ok(q)
            }
            Some(Tok::Word(w)) if !RESERVED.iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                self.at += 1;
                Ok(w)
            }
            Some(Tok::Word(w)) if self.peek_at(1) != Some(&Tok::Punct("(")) => {
                Err(malformed(&format!("Unexpected keyword: {w}")))
            }
            other => Err(unexpected(other.as_ref())),
        }
    }

    /// The table a write names. An index qualifier is refused: UPDATE and DELETE parse it
    /// and refuse the operation, INSERT's grammar has no place for it (the conformance
    /// suite's capture of AWS).
    fn table(&mut self, qualifier_parses: bool) -> Result<String, ServiceError> {
        let table = self.name()?;
        if self.is_punct(".") && qualifier_parses {
            return Err(validation("This operation is not supported on an index"));
        }
        if self.is_punct(",") || self.is_punct(".") {
            return Err(validation(
                "FROM clause may only contain a single table name in data manipulation statements",
            ));
        }
        Ok(table)
    }

    fn source(&mut self) -> Result<Source, ServiceError> {
        let table = self.name()?;
        let index = if self.eat_punct(".") {
            Some(self.name()?)
        } else {
            None
        };
        if self.is_punct(".") {
            return Err(validation(
                "A path may contain at most 2 components in the FROM clause",
            ));
        }
        if self.is_punct(",") {
            return Err(validation(
                "Only select from a single table or index is supported.",
            ));
        }
        Ok(Source { table, index })
    }

    /// The steps after a first name: `.name` and `[index]`.
    fn path_from(&mut self, first: String) -> Result<Path, ServiceError> {
        let mut path = vec![Step::Name(first)];
        loop {
            if self.is_punct(".") {
                self.at += 1;
                if self.is_punct("*") {
                    return Err(validation(
                        "Unpivot path component like a.*.b are not supported",
                    ));
                }
                path.push(Step::Name(self.name()?));
            } else if self.eat_punct("[") {
                match self.next() {
                    Some(Tok::Num(n)) => {
                        let index = n.parse::<usize>().map_err(|_| {
                            validation(format!(
                                "List index is not within the allowable range; index: [{n}]"
                            ))
                        })?;
                        path.push(Step::Index(index));
                    }
                    Some(Tok::Punct("*")) => {
                        return Err(validation(
                            "Wildcard path component like a[*].b are not supported",
                        ))
                    }
                    other => return Err(unexpected(other.as_ref())),
                }
                self.expect_punct("]")?;
            } else {
                return Ok(path);
            }
        }
    }

    fn path(&mut self) -> Result<Path, ServiceError> {
        if self.is_punct("[") {
            return Err(validation("A path cannot start with a list index"));
        }
        let first = self.name()?;
        self.path_from(first)
    }

    fn select(&mut self) -> Result<Select, ServiceError> {
        let projection = if self.eat_punct("*") {
            if self.is_punct(",") {
                return Err(validation(
                    "Other attributes should not be present in the projection when '*' is used.",
                ));
            }
            None
        } else {
            let mut paths: Vec<Path> = Vec::new();
            loop {
                if self.is_punct("*") {
                    return Err(validation(
                        "Other attributes should not be present in the projection when '*' is used.",
                    ));
                }
                if matches!(self.peek(), Some(Tok::Word(_)))
                    && self.peek_at(1) == Some(&Tok::Punct("("))
                {
                    let name = self.peek().map(Tok::text).unwrap_or_default();
                    return Err(validation(format!("Unsupported operation: {name}")));
                }
                paths.push(self.path()?);
                if self.is_keyword("AS") {
                    return Err(validation("Aliasing is not supported"));
                }
                if !self.eat_punct(",") {
                    break;
                }
            }
            let mut seen = std::collections::BTreeSet::new();
            for path in &paths {
                let name = super::exec::column_name(path);
                if !seen.insert(name.clone()) {
                    return Err(validation(format!(
                        "Duplicate identifiers in select clause: {name}"
                    )));
                }
            }
            Some(paths)
        };
        self.expect_keyword("FROM")?;
        let source = self.source()?;
        if let Some(Tok::Word(w)) = self.peek() {
            if !["WHERE", "ORDER", "LIMIT"]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
            {
                return Err(validation("Aliasing is not supported"));
            }
        }
        let filter = if self.eat_keyword("WHERE") {
            Some(*self.or()?)
        } else {
            None
        };
        let (mut ordered, mut descending) = (None, false);
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            ordered = Some(self.name()?);
            if self.eat_keyword("DESC") {
                descending = true;
            } else {
                self.eat_keyword("ASC");
            }
            if filter.is_none() {
                return Err(validation(
                    "Must have WHERE clause in the statement when using ORDER BY clause.",
                ));
            }
        }
        if self.is_keyword("LIMIT") {
            return Err(validation("Unsupported clause: LIMIT"));
        }
        Ok(Select {
            source,
            projection,
            filter,
            descending,
            ordered,
        })
    }

    fn insert(&mut self) -> Result<Statement, ServiceError> {
        self.expect_keyword("INTO")?;
        let table = self.table(false)?;
        if self.is_keyword("VALUES") || self.is_punct("<<") {
            return Err(validation("Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead"));
        }
        self.expect_keyword("VALUE")?;
        let item = match self.term()? {
            Term::Value(v) if v.m.is_some() => v.m.unwrap_or_default(),
            _ => return Err(validation("Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.")),
        };
        if self.is_keyword("RETURNING") {
            return Err(validation("RETURNING is not supported in INSERT"));
        }
        if self.is_keyword("FROM") || self.is_keyword("WHERE") {
            return Err(validation(
                "Unsupported FROM ... WHERE ... clause in INSERT statement.",
            ));
        }
        Ok(Statement::Insert { table, item })
    }

    fn update(&mut self) -> Result<Statement, ServiceError> {
        let table = self.table(true)?;
        let update = self.update_clauses()?;
        let filter = self.mandatory_where()?;
        let returning = self.returning()?;
        Ok(Statement::Update {
            table,
            update,
            filter,
            returning,
        })
    }

    /// PartiQL's FROM-first form of UPDATE, `FROM t WHERE ... SET ... REMOVE ...`, which
    /// DynamoDB runs as the UPDATE it spells differently (the conformance suite's capture
    /// in four regions).
    fn update_from_first(&mut self) -> Result<Statement, ServiceError> {
        let table = self.table(true)?;
        let filter = self.mandatory_where()?;
        let update = self.update_clauses()?;
        let returning = self.returning()?;
        Ok(Statement::Update {
            table,
            update,
            filter,
            returning,
        })
    }

    /// An UPDATE's SET and REMOVE clauses, at least one, in any order.
    fn update_clauses(&mut self) -> Result<Update, ServiceError> {
        let mut update = Update::default();
        loop {
            if self.eat_keyword("SET") {
                loop {
                    self.assignment(&mut update)?;
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            } else if self.eat_keyword("REMOVE") {
                loop {
                    update.remove.push(self.path()?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        if update.targets().is_empty() {
            return Err(unexpected(self.peek()));
        }
        Ok(update)
    }

    /// The WHERE clause a write must have, to name its item.
    fn mandatory_where(&mut self) -> Result<Cond, ServiceError> {
        if !self.eat_keyword("WHERE") {
            return Err(validation(
                "Where clause does not contain a mandatory equality on all key attributes",
            ));
        }
        self.or().map(|cond| *cond)
    }

    fn delete(&mut self) -> Result<Statement, ServiceError> {
        self.expect_keyword("FROM")?;
        let table = self.table(true)?;
        let filter = self.mandatory_where()?;
        let returning = self.returning()?;
        if let Some(r) = returning.filter(|r| *r != Returning::AllOld) {
            let text = match r {
                Returning::ModifiedOld => "MODIFIED OLD",
                Returning::AllNew => "ALL NEW",
                _ => "MODIFIED NEW",
            };
            return Err(validation(format!("Invalid returning clause: RETURNING {text} *. Only RETURNING ALL OLD * is allowed in DELETE statements.")));
        }
        Ok(Statement::Delete {
            table,
            filter,
            returning,
        })
    }

    fn returning(&mut self) -> Result<Option<Returning>, ServiceError> {
        if !self.eat_keyword("RETURNING") {
            return Ok(None);
        }
        let bad = || {
            validation("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause")
        };
        let all = if self.eat_keyword("ALL") {
            true
        } else if self.eat_keyword("MODIFIED") {
            false
        } else {
            return Err(bad());
        };
        let old = if self.eat_keyword("OLD") {
            true
        } else if self.eat_keyword("NEW") {
            false
        } else {
            return Err(bad());
        };
        if !self.eat_punct("*") {
            return Err(bad());
        }
        if self.is_punct(",") {
            return Err(validation(
                "Invalid syntax with multiple returning elements in RETURNING clause",
            ));
        }
        Ok(Some(match (all, old) {
            (true, true) => Returning::AllOld,
            (false, true) => Returning::ModifiedOld,
            (true, false) => Returning::AllNew,
            (false, false) => Returning::ModifiedNew,
        }))
    }

    /// `path = value`, `path = path + value`, `list_append(...)`, `set_add(path, <<...>>)`,
    /// `set_delete(path, <<...>>)`, `if_not_exists(path, value)`.
    fn assignment(&mut self, update: &mut Update) -> Result<(), ServiceError> {
        let target = self.path()?;
        self.expect_punct("=")?;
        let first = self.term()?;
        if let Term::Call(name, args) = &first {
            let upper = name.to_ascii_uppercase();
            if upper == "SET_ADD" || upper == "SET_DELETE" {
                let op = &upper[4..];
                let [on, value] = args.as_slice() else {
                    return Err(validation(format!(
                        "SET_{op} must have exactly two arguments"
                    )));
                };
                if !matches!(on, Term::Path(p) if *p == target) {
                    return Err(validation(format!(
                        "The first argument to SET_{op} must equal the assignment value"
                    )));
                }
                let set = match value {
                    Term::Value(v) if v.ss.is_some() || v.ns.is_some() || v.bs.is_some() => {
                        v.clone()
                    }
                    _ => {
                        return Err(validation(format!(
                            "The second argument to SET_{op} must be a value with type SET"
                        )))
                    }
                };
                if op == "ADD" {
                    update.add.push((target, set));
                } else {
                    update.delete.push((target, set));
                }
                return Ok(());
            }
        }
        let first = set_operand(first)?;
        let value = if self.eat_punct("+") {
            SetValue::Plus(first, set_operand(self.term()?)?)
        } else if self.eat_punct("-") {
            SetValue::Minus(first, set_operand(self.term()?)?)
        } else {
            SetValue::Operand(first)
        };
        update.set.push((target, value));
        Ok(())
    }

    // `or`, `and` and `not` recurse once per nesting level and pass boxes
    // ([`Cond::boxed`]); the leaves are read by `predicate`, whose larger frame is never
    // part of the recursion.

    fn or(&mut self) -> Result<Box<Cond>, ServiceError> {
        let mut left = self.and()?;
        while self.eat_keyword("OR") {
            let right = self.and()?;
            left = Cond::boxed(move || Cond::Or(left, right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Box<Cond>, ServiceError> {
        let mut left = self.not()?;
        while self.eat_keyword("AND") {
            let right = self.not()?;
            left = Cond::boxed(move || Cond::And(left, right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Box<Cond>, ServiceError> {
        if self.eat_keyword("NOT") {
            let inner = self.nested(Self::not)?;
            return Ok(Cond::boxed(move || Cond::Not(inner)));
        }
        if self.eat_punct("(") {
            let inner = self.nested(Self::or)?;
            self.expect_punct(")")?;
            return Ok(inner);
        }
        self.leaf()
    }

    #[inline(never)]
    fn leaf(&mut self) -> Result<Box<Cond>, ServiceError> {
        self.predicate().map(Box::new)
    }

    /// A condition function may be compared with a boolean, `attribute_exists(a) = true`
    /// (the conformance suite's capture of AWS).
    fn compared_with_boolean(&mut self, cond: Cond) -> Cond {
        let truth = match self.peek_at(1) {
            Some(t) if t.is_keyword("TRUE") => true,
            Some(t) if t.is_keyword("FALSE") => false,
            _ => return cond,
        };
        if !self.eat_punct("=") {
            return cond;
        }
        self.at += 1;
        if truth {
            cond
        } else {
            Cond::Not(Box::new(cond))
        }
    }

    /// A comparison, BETWEEN, IN, IS or function call.
    fn predicate(&mut self) -> Result<Cond, ServiceError> {
        let left = self.term()?;
        if let Term::Call(name, args) = &left {
            if let Some(cond) = function_condition(name, args)? {
                return Ok(self.compared_with_boolean(cond));
            }
        }
        let negated = self.eat_keyword("NOT");
        let cond = if self.eat_keyword("BETWEEN") {
            let low = operand(self.term()?)?;
            self.expect_keyword("AND")?;
            let high = operand(self.term()?)?;
            let left = operand(left)?;
            check_ordered("BETWEEN", [&left, &low, &high])?;
            Cond::Between(left, low, high)
        } else if self.eat_keyword("IN") {
            if !matches!(left, Term::Path(_)) {
                return Err(in_error());
            }
            let close = if self.eat_punct("[") {
                "]"
            } else if self.eat_punct("(") {
                ")"
            } else {
                return Err(in_error());
            };
            let mut list = Vec::new();
            if !self.is_punct(close) {
                loop {
                    list.push(operand(self.term()?)?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            }
            self.expect_punct(close)?;
            if list.is_empty() {
                return Err(in_error());
            }
            Cond::In(operand(left)?, list)
        } else if negated {
            return Err(unexpected(self.peek()));
        } else if self.eat_keyword("IS") {
            let not = self.eat_keyword("NOT");
            let Term::Path(path) = left else {
                return Err(validation(
                    "The left hand side argument to IS must be a Variable Reference, Literal, or Path",
                ));
            };
            let Some(Tok::Word(kind)) = self.next() else {
                return Err(unexpected(self.toks.get(self.at - 1)));
            };
            let kind = kind.to_ascii_uppercase();
            let cond = if kind == "MISSING" {
                Cond::NotExists(path)
            } else {
                let type_name = match kind.as_str() {
                    "NULL" => "NULL",
                    "BOOLEAN" | "BOOL" => "BOOL",
                    "STRING" => "S",
                    "NUMERIC" | "NUMBER" => "N",
                    "BLOB" => "B",
                    "STRUCT" | "TUPLE" => "M",
                    "LIST" => "L",
                    _ => {
                        return Err(validation(format!("Unsupported data type for IS operator: {kind}. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]")))
                    }
                };
                Cond::Type(Operand::Path(path), type_name.into())
            };
            return Ok(if not { Cond::Not(Box::new(cond)) } else { cond });
        } else {
            let (op, written) = match self.peek() {
                Some(Tok::Punct("!=")) => (CmpOp::Ne, "!="),
                Some(Tok::Punct(p)) => match CmpOp::from_token(p) {
                    Some(op) => (op, *p),
                    None => return Err(where_not_boolean()),
                },
                _ => return Err(where_not_boolean()),
            };
            self.at += 1;
            let right = self.term()?;
            let (left, right) = (operand(left)?, operand(right)?);
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                check_ordered(written, [&left, &right])?;
            }
            Cond::Cmp(op, left, right)
        };
        Ok(if negated {
            Cond::Not(Box::new(cond))
        } else {
            cond
        })
    }

    /// A path, a literal, a parameter or a function call.
    fn term(&mut self) -> Result<Term, ServiceError> {
        let Some(tok) = self.peek().cloned() else {
            return Err(unexpected(None));
        };
        match tok {
            Tok::Param => {
                self.at += 1;
                let value = self.params[self.next_param].clone();
                self.next_param += 1;
                Ok(Term::Value(value))
            }
            Tok::Str(s) => {
                self.at += 1;
                Ok(Term::Value(value_of(|v| v.s = Some(s))))
            }
            Tok::Num(n) => {
                self.at += 1;
                number(&n)
            }
            Tok::Punct("-") => {
                self.at += 1;
                match self.next() {
                    Some(Tok::Num(n)) => number(&format!("-{n}")),
                    other => Err(unexpected(other.as_ref())),
                }
            }
            Tok::Punct("<<") => {
                self.at += 1;
                let params_before = self.next_param;
                let items = self.nested(|p| p.values_until(">>"))?;
                // DynamoDB takes a set as one parameter, never `<<?>>`.
                if self.next_param != params_before {
                    return Err(validation(BAG_TYPES));
                }
                bag(items).map(Term::Value)
            }
            Tok::Punct("[") => {
                self.at += 1;
                let items = self.nested(|p| p.values_until("]"))?;
                Ok(Term::Value(value_of(|v| v.l = Some(items))))
            }
            Tok::Punct("{") => {
                self.at += 1;
                self.nested(Self::map).map(Term::Value)
            }
            Tok::Word(w) => {
                let upper = w.to_ascii_uppercase();
                if self.peek_at(1) == Some(&Tok::Punct("(")) {
                    self.at += 2;
                    let args = self.nested(Self::arguments)?;
                    return Ok(Term::Call(w, args));
                }
                let literal = match upper.as_str() {
                    "TRUE" => Some(value_of(|v| v.bool = Some(true))),
                    "FALSE" => Some(value_of(|v| v.bool = Some(false))),
                    "NULL" => Some(value_of(|v| v.null = Some(true))),
                    _ => None,
                };
                if let Some(value) = literal {
                    self.at += 1;
                    return Ok(Term::Value(value));
                }
                if upper == "MISSING" {
                    self.at += 1;
                    return Ok(Term::Missing);
                }
                self.path().map(Term::Path)
            }
            Tok::Quoted(_) => self.path().map(Term::Path),
            other => Err(unexpected(Some(&other))),
        }
    }

    /// A `{...}` tuple, its `{` read.
    fn map(&mut self) -> Result<AttributeValue, ServiceError> {
        let mut map = Item::new();
        if !self.eat_punct("}") {
            loop {
                let key = match self.next() {
                    Some(Tok::Str(k) | Tok::Quoted(k)) => k,
                    Some(Tok::Param) => {
                        let value = self.params[self.next_param].clone();
                        self.next_param += 1;
                        value
                            .s
                            .ok_or_else(|| validation("Tuple keys must be of type String."))?
                    }
                    other => return Err(unexpected(other.as_ref())),
                };
                self.expect_punct(":")?;
                let value = self.literal()?;
                if map.insert(key.clone(), value).is_some() {
                    return Err(validation(format!("Duplicate keys in tuple. Key: {key}")));
                }
                if !self.eat_punct(",") {
                    break;
                }
            }
            self.expect_punct("}")?;
        }
        Ok(value_of(|v| v.m = Some(map)))
    }

    /// A call's arguments, its `(` read.
    fn arguments(&mut self) -> Result<Vec<Term>, ServiceError> {
        let mut args = Vec::new();
        if !self.eat_punct(")") {
            loop {
                args.push(self.term()?);
                if !self.eat_punct(",") {
                    break;
                }
            }
            self.expect_punct(")")?;
        }
        Ok(args)
    }

    /// A literal value (inside a list, map or bag).
    fn literal(&mut self) -> Result<AttributeValue, ServiceError> {
        match self.term()? {
            Term::Value(v) => Ok(v),
            Term::Missing => Err(validation("MISSING must be compared using IS operator")),
            _ => Err(validation(
                "Unsupported value: only literals and parameters may appear in a collection",
            )),
        }
    }

    fn values_until(&mut self, close: &str) -> Result<Vec<AttributeValue>, ServiceError> {
        let mut items = Vec::new();
        if self.eat_punct(close) {
            return Ok(items);
        }
        loop {
            items.push(self.literal()?);
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct(close)?;
        Ok(items)
    }
}

fn in_error() -> ServiceError {
    validation("IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member")
}

/// An ordering comparison (`<`, `<=`, `>`, `>=`, BETWEEN) with a value of a type that has
/// no order (BOOL, NULL, a list, map or set) is refused before the table is looked at (the
/// conformance suite's capture of AWS).
fn check_ordered<const N: usize>(
    written: &str,
    operands: [&Operand; N],
) -> Result<(), ServiceError> {
    for operand in operands {
        if let Operand::Value(value) = operand {
            let kind = type_name(value);
            if !matches!(kind, "S" | "N" | "B") {
                return Err(validation(format!(
                    "Incorrect operand type for operator or function; operator or function: {written}, operand type: {kind}"
                )));
            }
        }
    }
    Ok(())
}

fn where_not_boolean() -> ServiceError {
    validation("WHERE clause must contain an expression that resolves to a boolean")
}

fn number(text: &str) -> Result<Term, ServiceError> {
    let canonical = Number::parse(text)
        .map_err(|e| validation(e.message(text)))?
        .canonical();
    Ok(Term::Value(value_of(|v| v.n = Some(canonical))))
}

const BAG_TYPES: &str =
    "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags";

/// `<<...>>`: a string or number set.
fn bag(items: Vec<AttributeValue>) -> Result<AttributeValue, ServiceError> {
    if items.is_empty() {
        return Err(validation("Empty bags are not supported"));
    }
    let mixed = || validation(BAG_TYPES);
    let mut out = AttributeValue::default();
    if items.iter().all(|v| v.s.is_some()) {
        out.ss = Some(items.into_iter().filter_map(|v| v.s).collect());
    } else if items.iter().all(|v| v.n.is_some()) {
        out.ns = Some(items.into_iter().filter_map(|v| v.n).collect());
    } else {
        return Err(mixed());
    }
    // Duplicates get the same refusal as in any other request.
    normalise_item(&[(String::new(), out.clone())].into()).map_err(|e| validation(e.message))?;
    Ok(out)
}

fn operand(term: Term) -> Result<Operand, ServiceError> {
    match term {
        Term::Path(p) => Ok(Operand::Path(p)),
        Term::Value(v) => Ok(Operand::Value(v)),
        Term::Missing => Err(validation("MISSING must be compared using IS operator")),
        Term::Call(name, args) if name.eq_ignore_ascii_case("size") => match args.as_slice() {
            [Term::Path(p)] => Ok(Operand::Size(p.clone())),
            _ => Err(validation(format!("Unrecognized function: {name}"))),
        },
        Term::Call(name, _) => Err(validation(format!("Unrecognized function: {name}"))),
    }
}

fn set_operand(term: Term) -> Result<SetOperand, ServiceError> {
    match term {
        Term::Path(p) => Ok(SetOperand::Path(p)),
        Term::Value(v) => Ok(SetOperand::Value(v)),
        Term::Missing => Err(validation("MISSING must be compared using IS operator")),
        Term::Call(name, args) => {
            let upper = name.to_ascii_uppercase();
            let mut args = args.into_iter();
            match (upper.as_str(), args.next(), args.next(), args.next()) {
                ("LIST_APPEND", Some(a), Some(b), None) => Ok(SetOperand::ListAppend(
                    Box::new(set_operand(a)?),
                    Box::new(set_operand(b)?),
                )),
                ("IF_NOT_EXISTS", Some(Term::Path(p)), Some(b), None) => {
                    Ok(SetOperand::IfNotExists(p, Box::new(set_operand(b)?)))
                }
                _ => Err(validation(format!("Unrecognized function: {name}"))),
            }
        }
    }
}

/// The functions that are conditions by themselves; `None` for other calls (`size`).
fn function_condition(name: &str, args: &[Term]) -> Result<Option<Cond>, ServiceError> {
    let upper = name.to_ascii_uppercase();
    let wrong = || validation(format!("Incorrect number of arguments to function: {name}"));
    let cond = match upper.as_str() {
        "ATTRIBUTE_EXISTS" | "ATTRIBUTE_NOT_EXISTS" => {
            let [Term::Path(p)] = args else {
                return Err(wrong());
            };
            if upper == "ATTRIBUTE_EXISTS" {
                Cond::Exists(p.clone())
            } else {
                Cond::NotExists(p.clone())
            }
        }
        "BEGINS_WITH" | "CONTAINS" => {
            let [a, b] = args else { return Err(wrong()) };
            let (a, b) = (operand(a.clone())?, operand(b.clone())?);
            if upper == "CONTAINS" {
                Cond::Contains(a, b)
            } else {
                Cond::BeginsWith(a, b)
            }
        }
        "ATTRIBUTE_TYPE" => {
            let [a, Term::Value(kind)] = args else {
                return Err(wrong());
            };
            let kind = kind.s.clone().ok_or_else(wrong)?;
            const TYPES: [&str; 10] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];
            if !TYPES.contains(&kind.as_str()) {
                return Err(validation(format!(
                    "Invalid attribute type name found; type: {kind}, valid types: {{ S,SS,N,NS,B,BS,BOOL,NULL,L,M }}"
                )));
            }
            Cond::Type(operand(a.clone())?, kind)
        }
        "SIZE" => return Ok(None),
        _ => return Err(validation(format!("Unrecognized function: {name}"))),
    };
    Ok(Some(cond))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> AttributeValue {
        value_of(|v| v.s = Some(text.into()))
    }

    fn name(n: &str) -> Path {
        vec![Step::Name(n.into())]
    }

    #[test]
    fn parses_a_select_with_parameters_and_nested_paths() {
        let st = statement(
            "select a.b[2], \"c d\" FROM \"t\".\"i\" WHERE pk = ? AND x.y IS NOT MISSING",
            &[s("k")],
        )
        .unwrap();
        let Statement::Select(select) = st else {
            panic!("a select")
        };
        assert_eq!(
            select.projection,
            Some(vec![
                vec![
                    Step::Name("a".into()),
                    Step::Name("b".into()),
                    Step::Index(2)
                ],
                name("c d")
            ])
        );
        assert_eq!(select.source.index.as_deref(), Some("i"));
        assert_eq!(
            select.filter,
            Some(Cond::And(
                Box::new(Cond::Cmp(
                    CmpOp::Eq,
                    Operand::Path(name("pk")),
                    Operand::Value(s("k"))
                )),
                Box::new(Cond::Not(Box::new(Cond::NotExists(vec![
                    Step::Name("x".into()),
                    Step::Name("y".into())
                ]))))
            ))
        );
    }

    #[test]
    fn literals_become_attribute_values() {
        let Statement::Insert { item, .. } = statement(
            "INSERT INTO t VALUE {'pk': 'a', 'n': -1.50, 'ok': true, 'z': null, 'l': [1, 'x'], 'ss': <<'b', 'a'>>, 'm': {'k': 2}}",
            &[],
        )
        .unwrap() else {
            panic!("an insert")
        };
        let json = serde_json::to_value(&item).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "pk": {"S": "a"}, "n": {"N": "-1.5"}, "ok": {"BOOL": true}, "z": {"NULL": true},
                "l": {"L": [{"N": "1"}, {"S": "x"}]}, "ss": {"SS": ["b", "a"]},
                "m": {"M": {"k": {"N": "2"}}}
            })
        );
    }

    #[test]
    fn refusals_use_dynamodb_words() {
        let err = |text: &str| statement(text, &[]).unwrap_err().message;
        assert_eq!(
            err("SLECT * FROM t"),
            "Statement wasn't well formed, can't be processed: Expected data manipulation"
        );
        assert_eq!(
            err("SELECT * FROM t WHERE a = ?"),
            "Number of parameters in request and statement don't match."
        );
        assert_eq!(
            err("INSERT INTO t VALUE {'a': <<>>}"),
            "Empty bags are not supported"
        );
        assert_eq!(
            err("DELETE FROM t WHERE pk = 'a' RETURNING ALL NEW *"),
            "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements."
        );
        assert_eq!(
            err("SELECT a, a FROM t"),
            "Duplicate identifiers in select clause: a"
        );
        assert_eq!(err("SELECT * FROM t LIMIT 1"), "Unsupported clause: LIMIT");
    }
}
