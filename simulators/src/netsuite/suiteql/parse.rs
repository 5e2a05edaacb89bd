//! Tokenizer and parser of the SuiteQL subset (grammar in the parent
//! module's doc). Anything outside it is 400 INVALID_PARAMETER on `q`.

pub(crate) use super::dates::{format_date, format_timestamp, parse_timestamp};
use super::unsupported;
use crate::netsuite::NsError;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Comma,
    LParen,
    RParen,
    Op(Op),
    Star,
    Dot,
}

/// Comparison operators. `!=` is Oracle's synonym of `<>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub(crate) fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => o == Equal,
            Op::Ne => o != Equal,
            Op::Gt => o == Greater,
            Op::Ge => o != Less,
            Op::Lt => o == Less,
            Op::Le => o != Greater,
        }
    }
}

/// A literal: `'text'`, a number, or `TO_TIMESTAMP('…', 'YYYY-MM-DD HH24:MI:SS')`
/// (unix seconds, read as UTC: the simulated account's time zone).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Num(String),
    Timestamp(i64),
}

/// The only date format mask the simulator reads and writes.
pub(crate) const TS_MASK: &str = "YYYY-MM-DD HH24:MI:SS";

fn tokenize(q: &str) -> Result<Vec<Tok>, NsError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let two = |i: usize| -> String { chars[i..(i + 2).min(chars.len())].iter().collect() };
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            ',' => (out.push(Tok::Comma), i += 1).1,
            '(' => (out.push(Tok::LParen), i += 1).1,
            ')' => (out.push(Tok::RParen), i += 1).1,
            '*' => (out.push(Tok::Star), i += 1).1,
            '.' => (out.push(Tok::Dot), i += 1).1,
            '=' => (out.push(Tok::Op(Op::Eq)), i += 1).1,
            '<' | '>' | '!' => {
                let (op, n) = match two(i).as_str() {
                    "<>" | "!=" => (Op::Ne, 2),
                    ">=" => (Op::Ge, 2),
                    "<=" => (Op::Le, 2),
                    _ if c == '>' => (Op::Gt, 1),
                    _ if c == '<' => (Op::Lt, 1),
                    _ => return Err(unsupported("Unexpected character '!'")),
                };
                out.push(Tok::Op(op));
                i += n;
            }
            ';' if chars[i + 1..].iter().all(|c| c.is_whitespace()) => i = chars.len(),
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(unsupported("Unterminated string literal")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                out.push(Tok::Num(chars[start..i].iter().collect()));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(unsupported(format!("Unexpected character '{other}'"))),
        }
    }
    Ok(out)
}

/// `name` or `qualifier.name`, as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColRef {
    pub(crate) qual: Option<String>,
    pub(crate) col: String,
}

#[derive(Debug)]
pub(crate) enum Cond {
    Cmp {
        col: ColRef,
        lower_col: bool,
        op: Op,
        value: Lit,
    },
    In {
        col: ColRef,
        values: Vec<Lit>,
    },
    /// `a op b` between two columns, e.g. the second equality of the
    /// `PreviousTransactionLineLink` join (`ifl.id = pl.nextline`, §4.2).
    Cols {
        a: ColRef,
        op: Op,
        b: ColRef,
    },
}

impl Cond {
    pub(crate) fn col(&self) -> &ColRef {
        match self {
            Cond::Cmp { col, .. } | Cond::In { col, .. } => col,
            Cond::Cols { a, .. } => a,
        }
    }
}

/// A select-list expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Col(ColRef),
    /// `ABS(col)` on a numeric column.
    Abs(ColRef),
    /// `BUILTIN.DF(col)`: the display value of a reference.
    Df(ColRef),
    /// `TO_CHAR(col, 'YYYY-MM-DD HH24:MI:SS')` on a date column.
    ToChar(ColRef),
}

impl Expr {
    pub(crate) fn col(&self) -> &ColRef {
        match self {
            Expr::Col(c) | Expr::Abs(c) | Expr::Df(c) | Expr::ToChar(c) => c,
        }
    }
}

#[derive(Debug)]
pub(crate) struct TableRef {
    pub(crate) name: String,
    pub(crate) alias: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Select {
    /// `None` = `*`; else (expression, output key).
    pub(crate) columns: Option<Vec<(Expr, String)>>,
    /// The FROM table, then each joined table.
    pub(crate) tables: Vec<TableRef>,
    /// `ON a = b` of each join, in order.
    pub(crate) ons: Vec<(ColRef, ColRef)>,
    /// WHERE conditions plus the extra `AND …` conditions of each ON.
    pub(crate) conds: Vec<Cond>,
    pub(crate) order: Vec<(ColRef, bool)>,
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "ORDER", "BY", "AS", "IN", "ASC", "DESC", "GROUP",
    "JOIN", "ON", "LIKE", "NOT", "IS", "NULL", "DISTINCT", "UNION", "HAVING", "LEFT", "INNER",
    "RIGHT", "FULL", "OUTER", "CROSS", "FETCH", "OFFSET", "LIMIT", "BETWEEN", "CASE",
];

fn reserved(s: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }

    /// `kw(` : a function call.
    fn is_call(&self, kw: &str) -> bool {
        self.is_kw(kw) && self.peek_at(1) == Some(&Tok::LParen)
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), NsError> {
        if self.is_kw(kw) {
            self.pos += 1;
            Ok(())
        } else {
            Err(unsupported(format!("Expected {kw} near {}", self.here())))
        }
    }

    fn expect(&mut self, t: Tok) -> Result<(), NsError> {
        if self.peek() == Some(&t) {
            self.pos += 1;
            Ok(())
        } else {
            Err(unsupported(format!("Expected {t:?} near {}", self.here())))
        }
    }

    fn here(&self) -> String {
        match self.peek() {
            Some(t) => format!("{t:?}"),
            None => "end of query".into(),
        }
    }

    fn ident(&mut self) -> Result<String, NsError> {
        match self.next() {
            Some(Tok::Ident(s)) if !reserved(&s) => Ok(s),
            other => Err(unsupported(format!(
                "Expected an identifier, found {other:?}"
            ))),
        }
    }

    fn column(&mut self) -> Result<ColRef, NsError> {
        let first = self.ident()?;
        if self.peek() == Some(&Tok::Dot) {
            self.pos += 1;
            return Ok(ColRef {
                qual: Some(first),
                col: self.ident()?.to_ascii_lowercase(),
            });
        }
        Ok(ColRef {
            qual: None,
            col: first.to_ascii_lowercase(),
        })
    }

    fn string(&mut self) -> Result<String, NsError> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(s),
            other => Err(unsupported(format!(
                "Expected a string literal, found {other:?}"
            ))),
        }
    }

    fn literal(&mut self) -> Result<Lit, NsError> {
        if self.is_call("TO_TIMESTAMP") {
            self.pos += 2;
            let text = self.string()?;
            self.expect(Tok::Comma)?;
            let mask = self.string()?;
            self.expect(Tok::RParen)?;
            if mask != TS_MASK {
                return Err(unsupported(format!(
                    "TO_TIMESTAMP is simulated only with the mask '{TS_MASK}'"
                )));
            }
            return parse_timestamp(&text)
                .map(Lit::Timestamp)
                .ok_or_else(|| unsupported(format!("'{text}' does not match '{TS_MASK}'")));
        }
        match self.next() {
            Some(Tok::Str(s)) => Ok(Lit::Str(s)),
            Some(Tok::Num(s)) => Ok(Lit::Num(s)),
            other => Err(unsupported(format!("Expected a literal, found {other:?}"))),
        }
    }

    fn table_ref(&mut self) -> Result<TableRef, NsError> {
        let name = self.ident()?.to_ascii_lowercase();
        let alias = if matches!(self.peek(), Some(Tok::Ident(s)) if !reserved(s)) {
            Some(self.ident()?)
        } else {
            None
        };
        Ok(TableRef { name, alias })
    }

    fn op(&mut self) -> Result<Op, NsError> {
        match self.next() {
            Some(Tok::Op(op)) => Ok(op),
            other => Err(unsupported(format!(
                "Expected a comparison operator, found {other:?}"
            ))),
        }
    }

    fn cond(&mut self) -> Result<Cond, NsError> {
        if self.is_call("LOWER") {
            self.pos += 2;
            let col = self.column()?;
            self.expect(Tok::RParen)?;
            self.expect(Tok::Op(Op::Eq))?;
            let value = if self.is_call("LOWER") {
                self.pos += 2;
                let v = self.string()?.to_lowercase();
                self.expect(Tok::RParen)?;
                v
            } else {
                self.string()?
            };
            return Ok(Cond::Cmp {
                col,
                lower_col: true,
                op: Op::Eq,
                value: Lit::Str(value),
            });
        }
        let col = self.column()?;
        if self.is_kw("IN") {
            self.pos += 1;
            self.expect(Tok::LParen)?;
            let mut values = vec![self.literal()?];
            while self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                values.push(self.literal()?);
            }
            self.expect(Tok::RParen)?;
            return Ok(Cond::In { col, values });
        }
        let op = self.op()?;
        if matches!(self.peek(), Some(Tok::Ident(_))) && !self.is_call("TO_TIMESTAMP") {
            return Ok(Cond::Cols {
                a: col,
                op,
                b: self.column()?,
            });
        }
        Ok(Cond::Cmp {
            col,
            lower_col: false,
            op,
            value: self.literal()?,
        })
    }

    fn expr(&mut self) -> Result<Expr, NsError> {
        if self.is_kw("BUILTIN") && self.peek_at(1) == Some(&Tok::Dot) {
            self.pos += 2;
            if !self.is_call("DF") {
                return Err(unsupported("Only BUILTIN.DF is simulated"));
            }
            self.pos += 2;
            let c = self.column()?;
            self.expect(Tok::RParen)?;
            return Ok(Expr::Df(c));
        }
        if self.is_call("ABS") {
            self.pos += 2;
            let c = self.column()?;
            self.expect(Tok::RParen)?;
            return Ok(Expr::Abs(c));
        }
        if self.is_call("TO_CHAR") {
            self.pos += 2;
            let c = self.column()?;
            self.expect(Tok::Comma)?;
            let mask = self.string()?;
            self.expect(Tok::RParen)?;
            if mask != TS_MASK {
                return Err(unsupported(format!(
                    "TO_CHAR is simulated only with the mask '{TS_MASK}'"
                )));
            }
            return Ok(Expr::ToChar(c));
        }
        if matches!(self.peek_at(1), Some(Tok::LParen)) {
            return Err(unsupported(format!(
                "Function {} is not simulated",
                self.here()
            )));
        }
        Ok(Expr::Col(self.column()?))
    }
}

pub(crate) fn parse(q: &str) -> Result<Select, NsError> {
    let mut p = Parser {
        toks: tokenize(q)?,
        pos: 0,
    };
    p.expect_kw("SELECT")?;
    let mut columns = None;
    if p.peek() == Some(&Tok::Star) {
        p.pos += 1;
    } else {
        let mut cols = Vec::new();
        loop {
            let e = p.expr()?;
            let key = if p.is_kw("AS") {
                p.pos += 1;
                Some(p.ident()?.to_ascii_lowercase())
            } else if matches!(p.peek(), Some(Tok::Ident(s)) if !s.eq_ignore_ascii_case("FROM")) {
                Some(p.ident()?.to_ascii_lowercase())
            } else {
                None
            };
            let key = match (key, &e) {
                (Some(k), _) => k,
                (None, Expr::Col(c)) => c.col.clone(),
                // Real SuiteQL names it `expr1`, … (unverified); the simulator asks for an alias.
                (None, _) => {
                    return Err(unsupported(
                        "A function in the select list needs an alias (AS name)",
                    ))
                }
            };
            cols.push((e, key));
            if p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
            } else {
                break;
            }
        }
        columns = Some(cols);
    }
    p.expect_kw("FROM")?;
    let mut tables = vec![p.table_ref()?];
    let mut ons = Vec::new();
    let mut conds = Vec::new();
    loop {
        if p.is_kw("INNER") {
            p.pos += 1;
            p.expect_kw("JOIN")?;
        } else if p.is_kw("JOIN") {
            p.pos += 1;
        } else {
            break;
        }
        tables.push(p.table_ref()?);
        p.expect_kw("ON")?;
        let a = p.column()?;
        p.expect(Tok::Op(Op::Eq))?;
        let b = p.column()?;
        ons.push((a, b));
        // Inner join: `ON a = b AND cond` is `ON a = b … WHERE cond`.
        while p.is_kw("AND") {
            p.pos += 1;
            conds.push(p.cond()?);
        }
    }
    if columns.is_none() && tables.len() > 1 {
        return Err(unsupported("SELECT * with a JOIN"));
    }
    if p.is_kw("WHERE") {
        p.pos += 1;
        conds.push(p.cond()?);
        while p.is_kw("AND") {
            p.pos += 1;
            conds.push(p.cond()?);
        }
    }
    let mut order = Vec::new();
    if p.is_kw("ORDER") {
        p.pos += 1;
        p.expect_kw("BY")?;
        loop {
            let c = p.column()?;
            let desc = if p.is_kw("DESC") {
                p.pos += 1;
                true
            } else {
                if p.is_kw("ASC") {
                    p.pos += 1;
                }
                false
            };
            order.push((c, desc));
            if p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
            } else {
                break;
            }
        }
    }
    if let Some(t) = p.peek() {
        return Err(unsupported(format!("Unsupported syntax near {t:?}")));
    }
    Ok(Select {
        columns,
        tables,
        ons,
        conds,
        order,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_subset() {
        let s = parse("SELECT i.id, i.itemid AS SKU FROM item i WHERE LOWER(i.itemid) = LOWER('Tent') AND id IN ('1', 2) ORDER BY id DESC").unwrap();
        assert_eq!(s.tables[0].name, "item");
        let cols = s.columns.unwrap();
        assert_eq!(cols[1].0.col().col, "itemid");
        assert_eq!(cols[1].1, "sku");
        assert_eq!(s.conds.len(), 2);
        assert!(s.order[0].1);
        assert!(parse("select * from customer where email = 'a''b@x.com'").is_ok());
        let j = parse("SELECT t.id, t.type FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE tl.createdfrom = '5' AND tl.mainline = 'T'").unwrap();
        assert_eq!(j.tables.len(), 2);
        assert_eq!(j.ons.len(), 1);
    }

    #[test]
    fn parses_comparisons_functions_and_join_conditions() {
        let s = parse("SELECT ABS(ifl.quantity) AS qty, BUILTIN.DF(t.shipmethod) AS m, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lm FROM transaction t JOIN transactionline ifl ON ifl.transaction = t.id AND ifl.mainline = 'F' WHERE t.lastmodifieddate > TO_TIMESTAMP('2026-01-02 03:04:05', 'YYYY-MM-DD HH24:MI:SS') AND ifl.itemtype <> 'ShipItem' AND ifl.id != 3 AND ifl.id >= 1 AND ifl.id <= 9 AND ifl.id < 10").unwrap();
        let cols = s.columns.unwrap();
        assert!(matches!(cols[0].0, Expr::Abs(_)));
        assert!(matches!(cols[1].0, Expr::Df(_)));
        assert!(matches!(cols[2].0, Expr::ToChar(_)));
        assert_eq!(s.conds.len(), 7, "the ON's AND joins the WHERE list");
        let l = parse("SELECT pl.nextdoc FROM previoustransactionlinelink pl JOIN transactionline ifl ON ifl.transaction = pl.nextdoc AND ifl.id = pl.nextline").unwrap();
        assert!(matches!(&l.conds[0], Cond::Cols { op: Op::Eq, b, .. } if b.col == "nextline"));
        let ops: Vec<Op> = s
            .conds
            .iter()
            .filter_map(|c| match c {
                Cond::Cmp { op, .. } => Some(*op),
                _ => None,
            })
            .collect();
        assert_eq!(
            ops,
            [Op::Eq, Op::Gt, Op::Ne, Op::Ne, Op::Ge, Op::Le, Op::Lt]
        );
        let Cond::Cmp { value, .. } = &s.conds[1] else {
            panic!()
        };
        assert_eq!(*value, Lit::Timestamp(1_767_323_045));
    }

    #[test]
    fn rejects_what_it_cannot_parse_faithfully() {
        for q in [
            "SELECT id FROM item WHERE itemid LIKE 'T%'",
            "SELECT id FROM item LEFT JOIN customer ON customer.id = item.id",
            "SELECT * FROM item i JOIN customer c ON c.id = i.id",
            "SELECT COUNT(*) FROM item",
            "SELECT id FROM item WHERE a = 1 OR b = 2",
            "DELETE FROM item",
            "SELECT ABS(quantity) FROM transactionline",
            "SELECT NVL(quantity, 0) AS q FROM transactionline",
            "SELECT id FROM transaction WHERE lastmodifieddate > TO_TIMESTAMP('2026-01-01', 'YYYY-MM-DD')",
            "SELECT TO_CHAR(lastmodifieddate, 'MM/DD/YYYY') AS d FROM transaction",
            "SELECT BUILTIN.CF(location) AS l FROM inventoryitemlocations",
            "SELECT id FROM item WHERE id BETWEEN 1 AND 2",
        ] {
            let e = parse(q).unwrap_err();
            assert_eq!(e.code, "INVALID_PARAMETER", "{q}");
            assert_eq!(e.extra("o:errorQueryParam"), Some("q"));
        }
    }

    #[test]
    fn timestamps_round_trip() {
        for s in [
            "1970-01-01 00:00:00",
            "2026-12-01 02:03:04",
            "2024-02-29 23:59:59",
        ] {
            assert_eq!(format_timestamp(parse_timestamp(s).unwrap()), s);
        }
        assert_eq!(
            parse_timestamp("2026-12-01T02:03:04Z"),
            parse_timestamp("2026-12-01 02:03:04")
        );
        assert_eq!(
            format_date(parse_timestamp("2026-03-05 10:00:00").unwrap()),
            "3/5/2026"
        );
        assert!(parse_timestamp("2026-13-01 00:00:00").is_none());
    }
}
