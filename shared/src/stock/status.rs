//! What `tiktok-netsuite inventory status` prints for a shop: the state of
//! the push, the refused SKUs with their reason and next try, and every SKU
//! the push does not manage, with why (issue 27, item 5).

use super::state::InventoryState;

/// Refused SKUs printed one by one; the rest are counted.
const PRINTED_REFUSED: usize = 50;

/// The status lines of a shop's inventory state.
pub fn status_lines(st: &InventoryState) -> Vec<String> {
    let mut out = vec![
        format!(
            "SKU map: {} SKU(s), built at {}",
            st.sku_map.len(),
            st.sku_map_at
        ),
        format!("last reconcile with TikTok: {}", st.reconciled_at),
        format!("SKUs pushed: {}", st.pushed.len()),
        format!(
            "SKUs refused by TikTok, retried with backoff until TikTok takes them: {}",
            st.held.len()
        ),
    ];
    for (sku, ws) in st.held.iter().take(PRINTED_REFUSED) {
        match st.refused.get(sku) {
            Some(r) => out.push(format!(
                "  refused {sku}: {ws:?}: {} ({} time(s) in a row; next try at {}; fix: {})",
                r.reason, r.attempts, r.retry_at, r.fix
            )),
            None => out.push(format!(
                "  refused {sku}: {ws:?} (tried again at the next run; see `jobs list --job inventory` for the reason)"
            )),
        }
    }
    if st.held.len() > PRINTED_REFUSED {
        out.push(format!("  … and {} more", st.held.len() - PRINTED_REFUSED));
    }
    out.push(format!(
        "SKUs not managed by the push: {}",
        st.unmanaged.total()
    ));
    for line in st.unmanaged.lines() {
        out.push(format!("  {line}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ProductId, SkuId, WarehouseId};
    use crate::stock::unmanaged::{UnmanagedSku, UnmanagedWhy};

    #[test]
    fn refused_and_unmanaged_skus_are_listed_with_why() {
        let mut st = InventoryState::default();
        let s = SkuId::new("s1");
        st.held.insert(
            s.clone(),
            [(WarehouseId::new("W1"), 16)].into_iter().collect(),
        );
        crate::stock::retry::refuse(
            &mut st.refused,
            &s,
            100,
            900,
            "locked (12052393)".into(),
            "wait for the promotion".into(),
        );
        st.unmanaged.add(UnmanagedSku {
            sku_id: SkuId::new("s2"),
            product_id: ProductId::new("p2"),
            seller_sku: String::new(),
            why: UnmanagedWhy::NoSellerSku,
        });
        let text = status_lines(&st).join("\n");
        assert!(text.contains("refused s1") && text.contains("locked (12052393)"));
        assert!(text.contains("next try at 1000"), "{text}");
        assert!(text.contains("not managed by the push: 1"));
        assert!(text.contains("SKU s2 of product p2") && text.contains("no seller SKU"));
    }
}
