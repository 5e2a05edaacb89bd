//! Reading a statement's transaction pages for the payout job: quickly,
//! and without ever holding the statement whole.
//!
//! TikTok's Transactions by Statement answers at most 100 transactions a
//! page behind a cursor (finance notes §1.1), so the pages of a
//! 100,000-transaction statement are 1,000 calls made one after the other.
//! What each page needs besides TikTok does not depend on the next page:
//! keeping it as sent (the archive `payouts rebuild` plans from) and
//! reading the order-log entries of its orders (one `BatchGetItem` of at
//! most 100 keys). Done page by page those are two more round trips a page
//! in a row, which dominated the first end-to-end measurement (BENCHMARKS,
//! "Payouts"). So:
//! - pages are fetched one after the other as fast as TikTok answers;
//! - every [`PAGES_PER_GROUP`] pages are kept with one `BatchWriteItem`
//!   while their order-log reads go out together;
//! - at most [`GROUPS_AHEAD`] groups are in flight while the job folds
//!   the ones before, so memory stays bounded (about
//!   `(GROUPS_AHEAD + 1) × PAGES_PER_GROUP` pages).
//!
//! Groups come out in page order and a group comes out only once its
//! pages are kept, so the journal, the matches and the report rows are the
//! same as page by page, and the archive is never behind what was planned.

use std::collections::{HashMap, HashSet};

use futures::{future, stream, Stream, TryStreamExt};
use serde_json::{Map, Value};

use super::job::Payouts;
use super::matching::order_of;
use crate::domain::{OrderId, ShopId};
use crate::jobs::run::JobError;
use crate::store::OrderLogEntry;
use crate::tiktok::finance::{Statement, MAX_PAGES};

/// Pages kept by one `BatchWriteItem` (≤ 25, DynamoDB's limit; a page of
/// 100 transactions is about 100 KB, so a call carries about 1 MB, far
/// below the 16 MB a call may carry).
pub const PAGES_PER_GROUP: usize = 10;
/// Groups whose I/O runs while the job folds earlier pages: up to
/// `GROUPS_AHEAD × PAGES_PER_GROUP` order-log reads at once.
pub const GROUPS_AHEAD: usize = 2;

/// One page, ready to fold.
#[derive(Debug)]
pub struct ReadPage {
    /// Page number, from 1.
    pub n: usize,
    /// The page without its `transactions` (the statement's root fields:
    /// `total_count`, amounts).
    pub root: Map<String, Value>,
    pub txs: Vec<Value>,
    /// Order-log entries of the orders `txs` name, by order id.
    pub logged: HashMap<String, OrderLogEntry>,
}

impl Payouts<'_> {
    /// The statement's pages, in order, in groups (module doc).
    /// `from_archive` reads the kept copies instead of TikTok.
    pub(super) fn pages<'s>(
        &'s self,
        shop: &'s ShopId,
        st: &'s Statement,
        from_archive: bool,
    ) -> impl Stream<Item = Result<Vec<ReadPage>, JobError>> + 's {
        stream::try_unfold((1usize, None::<String>), move |(n, mut token)| async move {
            let page = self.page(shop, st, n, &mut token, from_archive).await?;
            Ok::<_, JobError>(page.map(|p| ((n, p), (n + 1, token))))
        })
        .try_chunks(PAGES_PER_GROUP)
        .map_err(|e| e.1)
        .map_ok(move |group| self.group(shop, st, group, from_archive))
        .try_buffered(GROUPS_AHEAD)
    }

    /// Page `n` (from 1): from TikTok or, `from_archive`, the kept copy.
    /// `None` after the last page.
    async fn page(
        &self,
        shop: &ShopId,
        st: &Statement,
        n: usize,
        token: &mut Option<String>,
        from_archive: bool,
    ) -> Result<Option<Map<String, Value>>, JobError> {
        let sid = st.id.as_str();
        let page = if from_archive {
            match self.store(shop).raw_page(sid, n).await? {
                Some(Value::Object(m)) => m,
                _ => return Ok(None),
            }
        } else {
            if n > 1 && token.is_none() {
                return Ok(None);
            }
            if n > MAX_PAGES {
                return Err(JobError::Other(format!(
                    "statement {sid}: TikTok returned more than {MAX_PAGES} pages; stopped"
                )));
            }
            let c = self.shops.client();
            let t = token.clone();
            let v = self
                .shops
                .call_with_refresh(shop, |auth| {
                    let t = t.clone();
                    async move {
                        c.statement_transactions_page(&auth, &st.id, t.as_deref())
                            .await
                    }
                })
                .await?;
            match v {
                Value::Object(m) if m.get("id") == Some(&Value::from(sid)) => m,
                other => {
                    return Err(JobError::Other(format!(
                        "statement {sid}: a page came for statement {}",
                        other["id"]
                    )))
                }
            }
        };
        *token = page
            .get("next_page_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        Ok(Some(page))
    }

    /// Keeps a group's pages (unless they came from the archive) and reads
    /// the order-log entries of their orders, all at once.
    async fn group(
        &self,
        shop: &ShopId,
        st: &Statement,
        group: Vec<(usize, Map<String, Value>)>,
        from_archive: bool,
    ) -> Result<Vec<ReadPage>, JobError> {
        let raw = if from_archive {
            Vec::new()
        } else {
            group
                .iter()
                .map(|(n, m)| serde_json::to_string(m).map(|t| (*n, t)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| JobError::Other(format!("statement {}: {e}", st.id)))?
        };
        let mut pages: Vec<ReadPage> = group
            .into_iter()
            .map(|(n, mut root)| ReadPage {
                n,
                txs: match root.remove("transactions") {
                    Some(Value::Array(txs)) => txs,
                    _ => Vec::new(),
                },
                root,
                logged: HashMap::new(),
            })
            .collect();
        let keep = async {
            if !raw.is_empty() {
                self.store(shop).put_raw_pages(st.id.as_str(), raw).await?;
            }
            Ok::<_, JobError>(())
        };
        let lookups = future::try_join_all(pages.iter().map(|p| self.logged(shop, &p.txs)));
        let ((), logged) = tokio::try_join!(keep, lookups)?;
        for (p, l) in pages.iter_mut().zip(logged) {
            p.logged = l;
        }
        Ok(pages)
    }

    /// Order-log entries of the orders a page's transactions name (one
    /// `BatchGetItem` per page of 100).
    async fn logged(
        &self,
        shop: &ShopId,
        txs: &[Value],
    ) -> Result<HashMap<String, OrderLogEntry>, JobError> {
        let orders: HashSet<&str> = txs
            .iter()
            .filter(|t| t.get("type").and_then(Value::as_str) == Some("ORDER"))
            .filter_map(order_of)
            .collect();
        let ids: Vec<OrderId> = orders.into_iter().map(OrderId::new).collect();
        Ok(self
            .log
            .get_many(shop, &ids)
            .await?
            .into_iter()
            .map(|e| (e.order_id.as_str().to_string(), e))
            .collect())
    }
}
