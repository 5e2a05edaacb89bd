//! Receiving by condition (issue 28 §2; returns.md §B2 "Disposition"). Each
//! returned unit is graded; the Item Receipt transformed from the RA
//! (`returnAuthorization/<id>/!transform/itemReceipt?replace=item`, needs
//! Advanced Receiving, Oracle section_N3681685) receives good units into a
//! sellable location, damaged ones into the shop's damaged-goods location,
//! and missing or wrong ones not at all (`itemReceive: false`).
//! The grading then decides the received package: all good → approve;
//! anything else → reject with a reason (202309 decides per return; the
//! 202603 per-line decision is not used yet).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::status::Decision;
use crate::domain::Sku;

crate::string_enum! {
    /// A unit's condition on arrival.
    pub enum Grade {
        Good = "good",
        Damaged = "damaged",
        Missing = "missing",
        Wrong = "wrong",
    }
}

/// Where a shop's returns go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnLocations {
    pub sellable: String,
    pub damaged: String,
}

/// One Item Receipt line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub sku: Sku,
    pub quantity: u32,
    /// `None` with `receive == false`.
    pub location: Option<String>,
    pub receive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptPlan {
    pub lines: Vec<ReceiptLine>,
    pub decision: Decision,
    /// For a rejection: why, in the warehouse's words (the reason name sent
    /// to TikTok is picked from the fetched list by the caller).
    pub why: Option<String>,
}

/// Plans the receipt and the received-package decision from graded units.
/// An unknown grade is treated as damaged (harsher: never restocked as
/// sellable, never approved).
pub fn plan_receipt(graded: &[(Sku, Grade)], loc: &ReturnLocations) -> ReceiptPlan {
    let mut by: BTreeMap<(Sku, Option<String>, bool), u32> = BTreeMap::new();
    let mut bad = Vec::new();
    for (sku, g) in graded {
        let key = match g {
            Grade::Good => (sku.clone(), Some(loc.sellable.clone()), true),
            Grade::Missing | Grade::Wrong => {
                bad.push(format!("{sku}: {g}"));
                (sku.clone(), None, false)
            }
            Grade::Damaged | Grade::Unknown(_) => {
                bad.push(format!("{sku}: {g}"));
                (sku.clone(), Some(loc.damaged.clone()), true)
            }
        };
        *by.entry(key).or_insert(0) += 1;
    }
    let lines = by
        .into_iter()
        .map(|((sku, location, receive), quantity)| ReceiptLine {
            sku,
            quantity,
            location,
            receive,
        })
        .collect();
    if bad.is_empty() && !graded.is_empty() {
        ReceiptPlan {
            lines,
            decision: Decision::ApproveReceivedPackage,
            why: None,
        }
    } else {
        let why = if graded.is_empty() {
            "nothing graded".to_string()
        } else {
            bad.join(", ")
        };
        ReceiptPlan {
            lines,
            decision: Decision::RejectReceivedPackage,
            why: Some(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> ReturnLocations {
        ReturnLocations {
            sellable: "1".into(),
            damaged: "9".into(),
        }
    }

    /// Edge case 12: good → sellable, damaged → damaged location, missing → not received.
    #[test]
    fn edge_12_mixed_grading() {
        let s = Sku("MUG".into());
        let p = plan_receipt(
            &[
                (s.clone(), Grade::Good),
                (s.clone(), Grade::Damaged),
                (s.clone(), Grade::Missing),
            ],
            &loc(),
        );
        assert_eq!(p.decision, Decision::RejectReceivedPackage);
        assert!(p.lines.contains(&ReceiptLine {
            sku: s.clone(),
            quantity: 1,
            location: Some("1".into()),
            receive: true
        }));
        assert!(p.lines.contains(&ReceiptLine {
            sku: s.clone(),
            quantity: 1,
            location: Some("9".into()),
            receive: true
        }));
        assert!(p.lines.contains(&ReceiptLine {
            sku: s,
            quantity: 1,
            location: None,
            receive: false
        }));
    }

    #[test]
    fn all_good_approves() {
        let s = Sku("MUG".into());
        let p = plan_receipt(&[(s.clone(), Grade::Good), (s, Grade::Good)], &loc());
        assert_eq!(p.decision, Decision::ApproveReceivedPackage);
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].quantity, 2);
    }
}
