//! What the inventory push keeps between runs for a shop, and how it is
//! stored: split into buckets by SKU so no DynamoDB item nears its 400 KB
//! limit, written only where it changed (`jobs::inventory` uses it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::run::JobError;
use crate::domain::{NetSuiteItemId, ShopId, SkuId, WarehouseId};
use crate::store::JobRuns;
use crate::tiktok::products::SkuLocation;

/// What the job keeps between runs for a shop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryState {
    #[serde(default)]
    pub sku_map_at: i64,
    #[serde(default)]
    pub sku_map: Vec<SkuLocation>,
    #[serde(default)]
    pub reconciled_at: i64,
    /// Last quantity TikTok accepted, per SKU and warehouse.
    #[serde(default)]
    pub pushed: BTreeMap<SkuId, BTreeMap<WarehouseId, i64>>,
    /// SKUs refused for a reason a retry cannot fix, with the quantities
    /// that were refused: not sent again while the wanted quantities stay.
    #[serde(default)]
    pub held: BTreeMap<SkuId, BTreeMap<WarehouseId, i64>>,
    /// SKU links (seller SKU → NetSuite item), read with the SKU map.
    #[serde(default)]
    pub links: BTreeMap<String, NetSuiteItemId>,
}

/// The state is split into buckets by SKU, so that no DynamoDB item comes
/// near its 400 KB limit: 100,000 SKUs make about 15 MB of state, about
/// 120 KB a bucket. Only buckets whose content changed are written.
pub const STATE_BUCKETS: u64 = 128;

fn bucket_of(sku: &SkuId) -> u64 {
    // FNV-1a: stable across versions and processes (not Rust's hasher).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sku.as_str().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % STATE_BUCKETS
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Meta {
    sku_map_at: i64,
    reconciled_at: i64,
    /// SKU links are few (most SKUs match an item by `itemid`).
    #[serde(default)]
    links: BTreeMap<String, NetSuiteItemId>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Bucket {
    #[serde(default)]
    sku_map: Vec<SkuLocation>,
    #[serde(default)]
    pushed: BTreeMap<SkuId, BTreeMap<WarehouseId, i64>>,
    #[serde(default)]
    held: BTreeMap<SkuId, BTreeMap<WarehouseId, i64>>,
}

/// What was last written, per state item, so a save writes only changes.
pub type Saved = BTreeMap<String, String>;

/// Reads a shop's inventory state (all its buckets).
pub async fn load_state(
    runs: &dyn JobRuns,
    shop: &ShopId,
) -> Result<(InventoryState, Saved), JobError> {
    let unreadable = |name: &str, e: serde_json::Error| {
        JobError::Other(format!(
            "inventory state {name} of shop {shop} is unreadable ({e}); delete it to rebuild from TikTok"
        ))
    };
    let mut st = InventoryState::default();
    let mut saved = Saved::new();
    for (name, text) in runs.list_state("inventory", shop, 10_000).await? {
        if name == "meta" {
            let m: Meta = serde_json::from_str(&text).map_err(|e| unreadable(&name, e))?;
            st.sku_map_at = m.sku_map_at;
            st.reconciled_at = m.reconciled_at;
            st.links = m.links;
        } else if name.starts_with('b') {
            let b: Bucket = serde_json::from_str(&text).map_err(|e| unreadable(&name, e))?;
            st.sku_map.extend(b.sku_map);
            st.pushed.extend(b.pushed);
            st.held.extend(b.held);
        }
        saved.insert(name, text);
    }
    Ok((st, saved))
}

/// Writes the state items whose content changed since `saved`.
pub async fn save_state(
    runs: &dyn JobRuns,
    shop: &ShopId,
    st: &InventoryState,
    saved: &mut Saved,
) -> Result<usize, JobError> {
    let mut items: BTreeMap<String, String> = BTreeMap::new();
    let meta = Meta {
        sku_map_at: st.sku_map_at,
        reconciled_at: st.reconciled_at,
        links: st.links.clone(),
    };
    items.insert("meta".into(), to_text(&meta)?);
    let mut buckets: BTreeMap<u64, Bucket> = BTreeMap::new();
    for l in &st.sku_map {
        buckets
            .entry(bucket_of(&l.sku_id))
            .or_default()
            .sku_map
            .push(l.clone());
    }
    for (sku, q) in &st.pushed {
        buckets
            .entry(bucket_of(sku))
            .or_default()
            .pushed
            .insert(sku.clone(), q.clone());
    }
    for (sku, q) in &st.held {
        buckets
            .entry(bucket_of(sku))
            .or_default()
            .held
            .insert(sku.clone(), q.clone());
    }
    for i in 0..STATE_BUCKETS {
        let b = buckets.remove(&i).unwrap_or_default();
        items.insert(format!("b{i:03}"), to_text(&b)?);
    }
    let mut written = 0;
    for (name, text) in items {
        if saved.get(&name) == Some(&text) {
            continue;
        }
        runs.put_state("inventory", shop, &name, &text).await?;
        saved.insert(name, text);
        written += 1;
    }
    Ok(written)
}

fn to_text<T: Serialize>(v: &T) -> Result<String, JobError> {
    serde_json::to_string(v).map_err(|e| JobError::Other(e.to_string()))
}
