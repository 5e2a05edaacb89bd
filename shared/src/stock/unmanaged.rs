//! The TikTok SKUs the stock push does not manage, each with why (issue 27,
//! item 5): a SKU left alone silently keeps whatever number TikTok shows.
//!
//! Kept in the job's state (the `inventory status` command prints it) and
//! summed up in each run's findings. Only the first [`KEPT_EXAMPLES`] SKUs
//! are named (a catalogue with no seller SKUs at all would otherwise fill
//! the state item); every SKU is counted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{ProductId, SkuId};

/// SKUs named per run and in the state; the rest are counted.
pub const KEPT_EXAMPLES: usize = 200;

/// Why a TikTok SKU is not pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmanagedWhy {
    /// The SKU has no seller SKU in Seller Center: nothing links it to a
    /// NetSuite item.
    NoSellerSku,
    /// Its seller SKU is on several TikTok SKUs: which one to push is a guess.
    AmbiguousSellerSku,
    /// Its seller SKU matches no NetSuite item with stock in the mapped
    /// locations, no SKU link and no bundle.
    NoNetSuiteItem,
    /// TikTok lists no warehouse for it.
    NoWarehouse,
}

impl UnmanagedWhy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSellerSku => "no_seller_sku",
            Self::AmbiguousSellerSku => "ambiguous_seller_sku",
            Self::NoNetSuiteItem => "no_netsuite_item",
            Self::NoWarehouse => "no_warehouse",
        }
    }

    /// The sentence and the fix, for the run log and `inventory status`.
    pub fn explain(self) -> &'static str {
        match self {
            Self::NoSellerSku => "TikTok SKU(s) have no seller SKU, so nothing links them to a NetSuite item and TikTok keeps whatever it shows: type the seller SKU (the NetSuite item name) on the SKU in Seller Center",
            Self::AmbiguousSellerSku => "TikTok SKU(s) share a seller SKU with another TikTok SKU, so which one to push is a guess: make seller SKUs unique in Seller Center",
            Self::NoNetSuiteItem => "TikTok SKU(s) match no NetSuite item with stock in the mapped locations: link them (SKU links), or give a kit a `bundles` entry",
            Self::NoWarehouse => "TikTok SKU(s) have no TikTok warehouse: nothing can be pushed for them; refresh the SKU map or assign a warehouse in Seller Center",
        }
    }
}

/// One SKU not pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmanagedSku {
    pub sku_id: SkuId,
    pub product_id: ProductId,
    /// Empty when the SKU has none.
    #[serde(default)]
    pub seller_sku: String,
    pub why: UnmanagedWhy,
}

/// Every SKU not pushed, counted per reason, the first few named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmanaged {
    #[serde(default)]
    pub counts: BTreeMap<UnmanagedWhy, u64>,
    #[serde(default)]
    pub examples: Vec<UnmanagedSku>,
}

impl Unmanaged {
    pub fn add(&mut self, s: UnmanagedSku) {
        *self.counts.entry(s.why).or_default() += 1;
        if self.examples.len() < KEPT_EXAMPLES {
            self.examples.push(s);
        }
    }

    pub fn extend(&mut self, other: &Unmanaged) {
        for (why, n) in &other.counts {
            *self.counts.entry(*why).or_default() += n;
        }
        let room = KEPT_EXAMPLES.saturating_sub(self.examples.len());
        self.examples
            .extend(other.examples.iter().take(room).cloned());
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// One line per reason: the count, why, and up to five SKUs named.
    pub fn lines(&self) -> Vec<String> {
        self.counts
            .iter()
            .map(|(why, n)| {
                let named: Vec<String> = self
                    .examples
                    .iter()
                    .filter(|e| e.why == *why)
                    .take(5)
                    .map(|e| {
                        if e.seller_sku.is_empty() {
                            format!("SKU {} of product {}", e.sku_id, e.product_id)
                        } else {
                            format!("{} (SKU {})", e.seller_sku, e.sku_id)
                        }
                    })
                    .collect();
                format!(
                    "{n} {} ({}), e.g. {}",
                    why.explain(),
                    why.as_str(),
                    named.join(", ")
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_is_counted_and_named() {
        let mut u = Unmanaged::default();
        u.add(UnmanagedSku {
            sku_id: SkuId::new("s1"),
            product_id: ProductId::new("p1"),
            seller_sku: String::new(),
            why: UnmanagedWhy::NoSellerSku,
        });
        u.add(UnmanagedSku {
            sku_id: SkuId::new("s2"),
            product_id: ProductId::new("p1"),
            seller_sku: "LONG".into(),
            why: UnmanagedWhy::NoNetSuiteItem,
        });
        let lines = u.lines();
        assert_eq!(u.total(), 2);
        assert!(lines[0].contains("no seller SKU") && lines[0].contains("SKU s1 of product p1"));
        assert!(lines[1].contains("LONG (SKU s2)"), "{lines:?}");
    }
}
