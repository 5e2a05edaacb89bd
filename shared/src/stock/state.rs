//! What the inventory push keeps between runs for a shop, and how it is
//! stored: split into buckets by SKU so no DynamoDB item nears its 400 KB
//! limit, written only where it changed (`stock::job` uses it).
//!
//! Memory (issue 11: 100,000 SKUs within 256 MB): the state is held once.
//! Quantities per SKU are one small sorted slice ([`Quantities`]), not a
//! map per SKU; a save serialises one bucket at a time and remembers a hash
//! of each item's text, not the text.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::plan::Snapshot;
use crate::domain::{NetSuiteItemId, ShopId, SkuId, WarehouseId};
use crate::jobs::run::JobError;
use crate::store::JobRuns;
use crate::tiktok::products::SkuLocation;

/// One SKU's quantities per warehouse, sorted by warehouse, each warehouse
/// once. Stored (JSON) as a map, exactly as the `BTreeMap` it replaces, so
/// saved state reads back unchanged; in memory one allocation per SKU
/// instead of a B-tree node.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Quantities(Box<[(WarehouseId, i64)]>);

impl Quantities {
    pub fn get(&self, warehouse: &WarehouseId) -> Option<i64> {
        self.0
            .binary_search_by(|(w, _)| w.cmp(warehouse))
            .ok()
            .map(|i| self.0[i].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&WarehouseId, i64)> {
        self.0.iter().map(|(w, q)| (w, *q))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// As a map would be built: a warehouse given twice keeps its last quantity.
impl FromIterator<(WarehouseId, i64)> for Quantities {
    fn from_iter<I: IntoIterator<Item = (WarehouseId, i64)>>(iter: I) -> Self {
        let mut v: Vec<(WarehouseId, i64)> = iter.into_iter().collect();
        // Stable: equal warehouses keep their order, the last one wins.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(WarehouseId, i64)> = Vec::with_capacity(v.len());
        for (w, q) in v {
            match out.last_mut() {
                Some(last) if last.0 == w => last.1 = q,
                _ => out.push((w, q)),
            }
        }
        Self(out.into_boxed_slice())
    }
}

impl std::fmt::Debug for Quantities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Quantities {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (w, q) in self.iter() {
            m.serialize_entry(w, &q)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Quantities {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<WarehouseId, i64>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

/// The planner reads the last pushed quantities straight from the state.
impl Snapshot for BTreeMap<SkuId, Quantities> {
    fn quantity(&self, sku: &SkuId, warehouse: &WarehouseId) -> Option<i64> {
        self.get(sku).and_then(|q| q.get(warehouse))
    }
}

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
    pub pushed: BTreeMap<SkuId, Quantities>,
    /// SKUs TikTok refused, with the quantities that were refused: sent
    /// again when the wanted quantities change, or when their backoff in
    /// `refused` has passed, until TikTok accepts them.
    #[serde(default)]
    pub held: BTreeMap<SkuId, Quantities>,
    /// SKU links (seller SKU → NetSuite item), read with the SKU map.
    #[serde(default)]
    pub links: BTreeMap<String, NetSuiteItemId>,
    /// Why each held SKU was refused and when it is tried again
    /// ([`super::retry`]).
    #[serde(default)]
    pub refused: BTreeMap<SkuId, super::retry::Refusal>,
    /// SKUs the SKU map could not place (no or a shared seller SKU), from
    /// the last map refresh.
    #[serde(default)]
    pub map_unmanaged: super::unmanaged::Unmanaged,
    /// Every SKU the latest run did not manage, with why.
    #[serde(default)]
    pub unmanaged: super::unmanaged::Unmanaged,
}

/// The state is split into buckets by SKU, so that no DynamoDB item comes
/// near its 400 KB limit: 100,000 SKUs make about 15 MB of state, about
/// 120 KB a bucket. Only buckets whose content changed are written.
pub const STATE_BUCKETS: u64 = 128;

fn bucket_of(sku: &SkuId) -> usize {
    // FNV-1a: stable across versions and processes (not Rust's hasher).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sku.as_str().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % STATE_BUCKETS) as usize
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Meta {
    sku_map_at: i64,
    reconciled_at: i64,
    /// SKU links are few (most SKUs match an item by `itemid`).
    #[serde(default)]
    links: BTreeMap<String, NetSuiteItemId>,
    /// Refused SKUs are few (each named in the run log).
    #[serde(default)]
    refused: BTreeMap<SkuId, super::retry::Refusal>,
    #[serde(default)]
    map_unmanaged: super::unmanaged::Unmanaged,
    #[serde(default)]
    unmanaged: super::unmanaged::Unmanaged,
}

#[derive(Debug, Default, Deserialize)]
struct Bucket {
    #[serde(default)]
    sku_map: Vec<SkuLocation>,
    #[serde(default)]
    pushed: BTreeMap<SkuId, Quantities>,
    #[serde(default)]
    held: BTreeMap<SkuId, Quantities>,
}

/// One bucket as written: borrowed from the state, fields in [`Bucket`]'s
/// order, maps in SKU order (the text a `Bucket` would give).
#[derive(Serialize)]
struct BucketOut<'a> {
    sku_map: &'a [&'a SkuLocation],
    pushed: SortedMap<'a>,
    held: SortedMap<'a>,
}

struct SortedMap<'a>(&'a [(&'a SkuId, &'a Quantities)]);

impl Serialize for SortedMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (*k, *v)))
    }
}

/// What was last written, per state item: a hash of its text (not the
/// text, which would be a second copy of the state), so a save writes only
/// the items that changed. A changed item whose hash collides with its old
/// one (odds 2⁻⁶⁴) would be written at the next change.
pub type Saved = BTreeMap<String, u64>;

fn text_hash(text: &str) -> u64 {
    // Only compared within one process: std's hasher is fine here.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Reads a shop's inventory state (all its buckets); each item's text is
/// dropped once parsed.
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
            st.refused = m.refused;
            st.map_unmanaged = m.map_unmanaged;
            st.unmanaged = m.unmanaged;
        } else if name.starts_with('b') {
            let b: Bucket = serde_json::from_str(&text).map_err(|e| unreadable(&name, e))?;
            st.sku_map.extend(b.sku_map);
            st.pushed.extend(b.pushed);
            st.held.extend(b.held);
        }
        saved.insert(name, text_hash(&text));
    }
    Ok((st, saved))
}

/// Writes the state items whose content changed since `saved`; returns how
/// many were written. Buckets are serialised one at a time.
pub async fn save_state(
    runs: &dyn JobRuns,
    shop: &ShopId,
    st: &InventoryState,
    saved: &mut Saved,
) -> Result<usize, JobError> {
    let meta = Meta {
        sku_map_at: st.sku_map_at,
        reconciled_at: st.reconciled_at,
        links: st.links.clone(),
        refused: st.refused.clone(),
        map_unmanaged: st.map_unmanaged.clone(),
        unmanaged: st.unmanaged.clone(),
    };
    let mut written =
        usize::from(put_if_changed(runs, shop, "meta", to_text(&meta)?, saved).await?);
    let n = STATE_BUCKETS as usize;
    let mut sku_map: Vec<Vec<&SkuLocation>> = vec![Vec::new(); n];
    for l in &st.sku_map {
        sku_map[bucket_of(&l.sku_id)].push(l);
    }
    let (pushed, held) = (by_bucket(&st.pushed), by_bucket(&st.held));
    for i in 0..n {
        let text = to_text(&BucketOut {
            sku_map: &sku_map[i],
            pushed: SortedMap(&pushed[i]),
            held: SortedMap(&held[i]),
        })?;
        let name = format!("b{i:03}");
        written += usize::from(put_if_changed(runs, shop, &name, text, saved).await?);
    }
    Ok(written)
}

/// A map's entries per bucket, each list in SKU order.
fn by_bucket(m: &BTreeMap<SkuId, Quantities>) -> Vec<Vec<(&SkuId, &Quantities)>> {
    let mut out: Vec<Vec<(&SkuId, &Quantities)>> = vec![Vec::new(); STATE_BUCKETS as usize];
    for (sku, q) in m {
        out[bucket_of(sku)].push((sku, q));
    }
    out
}

async fn put_if_changed(
    runs: &dyn JobRuns,
    shop: &ShopId,
    name: &str,
    text: String,
    saved: &mut Saved,
) -> Result<bool, JobError> {
    let h = text_hash(&text);
    if saved.get(name) == Some(&h) {
        return Ok(false);
    }
    runs.put_state("inventory", shop, name, &text).await?;
    saved.insert(name.to_string(), h);
    Ok(true)
}

fn to_text<T: Serialize>(v: &T) -> Result<String, JobError> {
    serde_json::to_string(v).map_err(|e| JobError::Other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ProductId, Sku};
    use crate::tiktok::products::ProductStatus;

    fn q(pairs: &[(&str, i64)]) -> Quantities {
        pairs
            .iter()
            .map(|(w, n)| (WarehouseId::new(*w), *n))
            .collect()
    }

    #[test]
    fn quantities_read_and_write_as_the_map_they_replace() {
        let map = BTreeMap::from([(WarehouseId::new("W2"), 3), (WarehouseId::new("W1"), 5)]);
        let as_map = serde_json::to_string(&map).unwrap();
        let compact = q(&[("W2", 9), ("W1", 5), ("W2", 3)]);
        assert_eq!(serde_json::to_string(&compact).unwrap(), as_map);
        let back: Quantities = serde_json::from_str(&as_map).unwrap();
        assert_eq!(back, compact, "the last quantity of a warehouse wins");
        assert_eq!(back.get(&WarehouseId::new("W2")), Some(3));
        assert_eq!(back.get(&WarehouseId::new("W9")), None);
        assert_eq!(
            format!("{back:?}"),
            r#"{WarehouseId("W1"): 5, WarehouseId("W2"): 3}"#
        );
    }

    /// The text written for a bucket is the text the former `Bucket` of
    /// owned maps gave, so state saved before loads and is not rewritten.
    #[test]
    fn a_bucket_is_written_as_before() {
        #[derive(Serialize)]
        struct Former {
            sku_map: Vec<SkuLocation>,
            pushed: BTreeMap<SkuId, BTreeMap<WarehouseId, i64>>,
            held: BTreeMap<SkuId, BTreeMap<WarehouseId, i64>>,
        }
        let loc = SkuLocation {
            seller_sku: Sku::new("A"),
            product_id: ProductId::new("P"),
            sku_id: SkuId::new("s1"),
            product_status: ProductStatus::Activate,
            warehouses: vec![WarehouseId::new("W1")],
        };
        let former = Former {
            sku_map: vec![loc.clone()],
            pushed: BTreeMap::from([
                (
                    SkuId::new("s1"),
                    BTreeMap::from([(WarehouseId::new("W1"), 4)]),
                ),
                (SkuId::new("s2"), BTreeMap::new()),
            ]),
            held: BTreeMap::new(),
        };
        let (a, b) = (q(&[("W1", 4)]), q(&[]));
        let pushed = [(&SkuId::new("s1"), &a), (&SkuId::new("s2"), &b)];
        let ours = BucketOut {
            sku_map: &[&loc],
            pushed: SortedMap(&pushed),
            held: SortedMap(&[]),
        };
        let text = serde_json::to_string(&ours).unwrap();
        assert_eq!(text, serde_json::to_string(&former).unwrap());
        let read: Bucket = serde_json::from_str(&text).unwrap();
        assert_eq!(read.pushed[&SkuId::new("s1")], a);
    }
}
