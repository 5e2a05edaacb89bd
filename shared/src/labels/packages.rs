//! Split and combined packages (tiktok-shipping.md §4, order-types.md §7).
//!
//! - **One Item Fulfillment per TikTok package.** A split order has several
//!   packages; each ships (and gets its label) on its own, package by
//!   package ([`fulfilments_of`]).
//! - **A combined package** holds up to 20 orders under one tracking
//!   number (FOV, in-shipping consolidation "at most 20 orders"); each
//!   member order gets that tracking exactly once ([`tracking_due`]), keyed
//!   by (package id, order id), whatever the number of runs or duplicate
//!   webhooks. More than 20 member orders is refused (harsher: TikTok data
//!   is never trusted as a count).

use std::collections::BTreeSet;

/// TikTok's documented ceiling on orders in one combined package.
pub const MAX_ORDERS_PER_PACKAGE: usize = 20;

/// A package whose label TikTok holds, with its member orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledPackage {
    pub package_id: String,
    pub tracking_number: String,
    pub carrier: String,
    /// `order_id_list` (combined) or the one order.
    pub order_ids: Vec<String>,
}

/// One write of the package's tracking onto one order's fulfilment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrackingWrite {
    pub package_id: String,
    pub order_id: String,
    pub tracking_number: String,
    pub carrier: String,
}

/// The package lists more orders than TikTok allows in one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooManyOrders(pub usize);

/// The writes still due: each member order once, none already written
/// (`written` holds `(package id, order id)` pairs).
pub fn tracking_due(
    p: &LabelledPackage,
    written: &BTreeSet<(String, String)>,
) -> Result<Vec<TrackingWrite>, TooManyOrders> {
    let members: BTreeSet<&str> = p
        .order_ids
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    if members.len() > MAX_ORDERS_PER_PACKAGE {
        return Err(TooManyOrders(members.len()));
    }
    Ok(members
        .into_iter()
        .filter(|o| !written.contains(&(p.package_id.clone(), (*o).to_string())))
        .map(|o| TrackingWrite {
            package_id: p.package_id.clone(),
            order_id: o.to_string(),
            tracking_number: p.tracking_number.clone(),
            carrier: p.carrier.clone(),
        })
        .collect())
}

/// One order's packages → the Item Fulfillments to pack, one per package:
/// `(package id, line item ids)`, packages without lines dropped, a line in
/// two packages kept only in the first (TikTok data is not trusted).
pub fn fulfilments_of(packages: &[(String, Vec<String>)]) -> Vec<(String, Vec<String>)> {
    let mut seen = BTreeSet::new();
    packages
        .iter()
        .filter_map(|(id, lines)| {
            let own: Vec<String> = lines
                .iter()
                .filter(|l| seen.insert((*l).clone()))
                .cloned()
                .collect();
            (!own.is_empty()).then(|| (id.clone(), own))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn combined(n: usize) -> LabelledPackage {
        LabelledPackage {
            package_id: "PKG".into(),
            tracking_number: "TT1".into(),
            carrier: "USPS".into(),
            order_ids: (0..n).map(|i| format!("O{i}")).collect(),
        }
    }

    #[test]
    fn a_combined_package_of_three_writes_each_order_exactly_once() {
        let mut p = combined(3);
        p.order_ids.push("O1".into()); // a duplicate in TikTok's list
        let mut written = BTreeSet::new();
        let due = tracking_due(&p, &written).unwrap();
        assert_eq!(
            due.iter().map(|w| w.order_id.as_str()).collect::<Vec<_>>(),
            ["O0", "O1", "O2"]
        );
        assert!(due.iter().all(|w| w.tracking_number == "TT1"));
        // O0 and O1 written, then the run stopped: only O2 is left.
        written.insert(("PKG".into(), "O0".into()));
        written.insert(("PKG".into(), "O1".into()));
        let due = tracking_due(&p, &written).unwrap();
        assert_eq!(due.len(), 1);
        written.insert(("PKG".into(), "O2".into()));
        assert!(tracking_due(&p, &written).unwrap().is_empty());
    }

    #[test]
    fn more_than_twenty_orders_in_a_package_is_refused() {
        assert!(tracking_due(&combined(20), &BTreeSet::new()).is_ok());
        assert_eq!(
            tracking_due(&combined(21), &BTreeSet::new()),
            Err(TooManyOrders(21))
        );
    }

    #[test]
    fn a_split_order_ships_package_by_package() {
        let pk = |id: &str, l: &[&str]| (id.to_string(), l.iter().map(|s| s.to_string()).collect());
        let f = fulfilments_of(&[
            pk("P1", &["L1", "L2"]),
            pk("P2", &["L2", "L3"]),
            pk("P3", &[]),
        ]);
        assert_eq!(f, vec![pk("P1", &["L1", "L2"]), pk("P2", &["L3"])]);
    }
}
