//! Benchmark (ignored by default; BENCHMARKS.md has the command and the
//! figures): the Orders page's server time with 100,000 order log entries
//! on moto. Entries are written with BatchWriteItem in the exact item form
//! the order log writes (`order_log::item_of`), then each Orders view is
//! requested 9 times (`TNS_BENCH_REPS`) over loopback and the median and worst are printed.
//! No assertion on time: the numbers are for BENCHMARKS.md.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use common::console::{add_user, console_over, serve, ConsoleHttp};
use common::Stack;
use futures::StreamExt;
use shared::domain::{OrderId, ShopId};
use shared::store::order_item::item_of;
use shared::store::{OrderLogEntry, Outcome, SyncStatus};
use shared::taxonomy::{ErrorCode, Failure};

const PW: &str = "a long enough passphrase";

fn entry(i: usize, now: i64) -> OrderLogEntry {
    let failed = i.is_multiple_of(10);
    let o = Outcome {
        shop_id: ShopId::new(if i.is_multiple_of(2) {
            "shop-a"
        } else {
            "shop-b"
        }),
        order_id: OrderId::new(format!("o{i:07}")),
        tiktok_status: "AWAITING_SHIPMENT".into(),
        sync_status: if failed {
            SyncStatus::Failed
        } else {
            SyncStatus::Created
        },
        netsuite_id: (!failed).then(|| i.to_string()),
        external_id: None,
        note: "Sales Order created".into(),
        failure: failed.then(|| {
            Failure::new(
                ErrorCode::UnlinkedProduct,
                format!("SKU-{} unknown", i % 50),
                "link it",
            )
        }),
        failed_skus: if failed {
            vec![format!("SKU-{}", i % 50)]
        } else {
            vec![]
        },
        order_type: None,
        retail_value: None,
        at: now - (i as i64 % (7 * 86_400)),
        event: None,
    };
    let mut e = OrderLogEntry::apply(None, &o);
    e.version = 1;
    e
}

#[tokio::test]
#[ignore = "benchmark: run explicitly (BENCHMARKS.md)"]
async fn orders_page_server_time_with_100k_entries() {
    let n: usize = std::env::var("TNS_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let stack = Stack::new(30, 5).await;
    let table = stack.names.order_log_table.clone();
    let now = common::now();
    let started = Instant::now();
    let batches: Vec<Vec<usize>> = (0..n)
        .collect::<Vec<_>>()
        .chunks(25)
        .map(<[usize]>::to_vec)
        .collect();
    let ddb = stack.ddb.clone();
    futures::stream::iter(batches)
        .map(|chunk| {
            let (ddb, table) = (ddb.clone(), table.clone());
            async move {
                let mut reqs: Vec<WriteRequest> = chunk
                    .iter()
                    .map(|i| {
                        let e = entry(*i, now);
                        let doc = serde_json::to_string(&e).unwrap();
                        WriteRequest::builder()
                            .put_request(
                                PutRequest::builder()
                                    .set_item(Some(item_of(&e, doc)))
                                    .build()
                                    .unwrap(),
                            )
                            .build()
                    })
                    .collect();
                while !reqs.is_empty() {
                    let out = ddb
                        .batch_write_item()
                        .request_items(table.clone(), reqs)
                        .send()
                        .await
                        .expect("batch write");
                    reqs = out
                        .unprocessed_items()
                        .and_then(|m: &HashMap<String, Vec<WriteRequest>>| m.get(&table).cloned())
                        .unwrap_or_default();
                }
            }
        })
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
    println!("wrote {n} entries in {:.1?}", started.elapsed());

    let console = console_over(&stack.sdk, &stack.names, stack.ddb.clone());
    add_user(&stack.sdk, &stack.names, "ana", "viewer", PW).await;
    let http = Arc::new(ConsoleHttp::new(&serve(console).await));
    assert_eq!(http.login("ana", PW).await.status, 303);
    for view in [
        "/orders",
        "/orders?status=failed",
        "/orders?shop=shop-a&status=failed",
        "/orders?code=UNLINKED_PRODUCT",
        "/orders?shop=shop-a&sku=SKU-10",
        "/orders?level=error",
    ] {
        let reps: usize = std::env::var("TNS_BENCH_REPS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(9);
        let mut ms: Vec<f64> = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let r = http.get(view).await;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(r.status, 200);
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{view:40} median {:7.1} ms  max {:7.1} ms  ({reps} requests, {n} entries)",
            ms[reps / 2],
            ms[reps - 1]
        );
    }
}
