//! WHERE conditions compiled against a column's type and tested row by row,
//! as the "Comparisons" section of the `suiteql` module doc sets out: ids,
//! references, quantities and amounts compare numerically, dates as
//! instants, other columns as text (binary order); NULL satisfies no
//! condition; a literal that is not a number where a number is compared is
//! 400 "Invalid number" (Oracle's implicit conversion, ORA-01722; wording
//! sim-defined). On the catalogue and stock, which are sorted, conditions on
//! the sort column narrow the scan to a slice (`range`).

use std::cmp::Ordering;

use super::exec::Resolved;
use super::parse::{Cond, Lit, Op};
use super::tables::{Kind, Source};
use super::unsupported;
use crate::netsuite::NsError;

/// A condition compiled against its column's kind.
pub(super) enum Pred {
    Num(Op, f64),
    NumIn(Vec<f64>),
    Text(Op, String, bool),
    TextIn(Vec<String>),
}

pub(super) fn invalid_number(v: &str) -> NsError {
    // Oracle's ORA-01722 surfaces as a search error (wording sim-defined).
    NsError::bad_request(
        "INVALID_PARAMETER",
        format!("Invalid search query. Detailed unprocessed description follows. Search error occurred: Invalid number: '{v}'."),
    )
    .query_param("q")
}

pub(super) fn num_lit(kind: Kind, l: &Lit) -> Result<f64, NsError> {
    match (kind, l) {
        (Kind::Num, Lit::Str(s) | Lit::Num(s)) => s.trim().parse().map_err(|_| invalid_number(s)),
        (Kind::Date, Lit::Timestamp(t)) => Ok(*t as f64),
        (Kind::Date, _) => Err(unsupported(
            "A date column compares only with TO_TIMESTAMP('YYYY-MM-DD HH24:MI:SS', 'YYYY-MM-DD HH24:MI:SS'): \
             a bare string depends on the account's date format preference",
        )),
        _ => Err(unsupported("TO_TIMESTAMP compared with a column that is not a date")),
    }
}

pub(super) fn text_lit(l: &Lit) -> Result<String, NsError> {
    match l {
        Lit::Str(s) | Lit::Num(s) => Ok(s.clone()),
        Lit::Timestamp(_) => Err(unsupported(
            "TO_TIMESTAMP compared with a column that is not a date",
        )),
    }
}

pub(super) fn compile(c: &Cond, r: Resolved) -> Result<Pred, NsError> {
    Ok(match c {
        Cond::Cmp {
            lower_col,
            op,
            value,
            ..
        } => {
            if r.kind == Kind::Text {
                Pred::Text(*op, text_lit(value)?, *lower_col)
            } else if *lower_col {
                return Err(unsupported("LOWER() applies to text columns only"));
            } else {
                Pred::Num(*op, num_lit(r.kind, value)?)
            }
        }
        Cond::Cols { .. } => return Err(unsupported("column comparison in the wrong place")),
        Cond::In { values, .. } => {
            if r.kind == Kind::Text {
                Pred::TextIn(values.iter().map(text_lit).collect::<Result<_, _>>()?)
            } else {
                Pred::NumIn(
                    values
                        .iter()
                        .map(|v| num_lit(r.kind, v))
                        .collect::<Result<_, _>>()?,
                )
            }
        }
    })
}

pub(super) fn cmp_f64(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

/// SQL semantics: a NULL cell satisfies no condition.
pub(super) fn holds(src: &Source, row: usize, col: usize, p: &Pred) -> bool {
    match p {
        Pred::Num(op, v) => src.num(row, col).is_some_and(|x| op.holds(cmp_f64(x, *v))),
        Pred::NumIn(vs) => src.num(row, col).is_some_and(|x| vs.contains(&x)),
        Pred::Text(op, v, lower) => src.text(row, col).is_some_and(|x| {
            if *lower {
                op.holds(x.to_lowercase().as_str().cmp(v.as_str()))
            } else {
                op.holds(x.as_ref().cmp(v.as_str()))
            }
        }),
        Pred::TextIn(vs) => src
            .text(row, col)
            .is_some_and(|x| vs.iter().any(|v| v == x.as_ref())),
    }
}

/// The row range of a source sorted by its first column (the catalogue by
/// id, stock by item) that numeric conditions on that column allow: keyset
/// paging (`iil.item > '…'`) starts with a binary search.
pub(super) fn range(src: &Source, preds: &[(usize, Pred)]) -> (usize, usize) {
    let n = src.len();
    if !matches!(src, Source::Items(_) | Source::Levels(_)) {
        return (0, n);
    }
    let key = |i: usize| src.num(i, 0).unwrap_or(f64::NAN);
    let (mut lo, mut hi) = (0, n);
    for (c, p) in preds {
        if *c != 0 {
            continue;
        }
        let Pred::Num(op, v) = p else { continue };
        let pp = |f: &dyn Fn(f64) -> bool| -> usize {
            let (mut a, mut b) = (0usize, n);
            while a < b {
                let m = (a + b) / 2;
                if f(key(m)) {
                    a = m + 1;
                } else {
                    b = m;
                }
            }
            a
        };
        match op {
            Op::Gt => lo = lo.max(pp(&|k| k <= *v)),
            Op::Ge => lo = lo.max(pp(&|k| k < *v)),
            Op::Lt => hi = hi.min(pp(&|k| k < *v)),
            Op::Le => hi = hi.min(pp(&|k| k <= *v)),
            Op::Eq => {
                lo = lo.max(pp(&|k| k < *v));
                hi = hi.min(pp(&|k| k <= *v));
            }
            Op::Ne => {}
        }
    }
    (lo, hi.max(lo))
}
