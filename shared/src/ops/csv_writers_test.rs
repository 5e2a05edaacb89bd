//! The cross-writer check: every CSV the product writes (the orders export
//! and both payout attachments) defuses formulas. It lives in `ops`, which
//! may depend on `payouts`; `csv_file` itself depends on nothing.

use crate::csv_file::defuse;
use crate::csv_file::testing::{assert_defused, HOSTILE};
use serde_json::json;

#[test]
fn every_csv_the_product_writes_defuses_formulas() {
    use crate::domain::{OrderId, ShopId};
    use crate::payouts::plan::{JournalLine, JournalPlan};
    use crate::payouts::report as payout_report;
    use crate::store::{OrderLogEntry, Outcome, SyncStatus};
    use crate::taxonomy::{ErrorCode, Failure};

    for p in HOSTILE {
        // The orders export (CLI `orders export`, console `/orders.csv`).
        let o = Outcome {
            shop_id: ShopId::new(*p),
            order_id: OrderId::new(*p),
            tiktok_status: p.to_string(),
            sync_status: SyncStatus::Failed,
            netsuite_id: None,
            external_id: Some(p.to_string()),
            note: String::new(),
            failure: Some(Failure::new(ErrorCode::UnlinkedProduct, *p, *p)),
            failed_skus: vec![p.to_string(), "B".into()],
            order_type: None,
            retail_value: None,
            at: 0,
            event: None,
        };
        let orders = super::to_csv(&[OrderLogEntry::apply(None, &o)]);
        assert_defused("orders export", &orders);
        assert!(orders.contains(&defuse(p).replace('"', "\"\"")), "{orders}");

        // The payout report's transactions attachment.
        let statement = json!({"transactions": [{
            "id": p, "type": p, "order_id": p, "adjustment_id": p,
            "settlement_amount": "-7.20", "revenue_amount": "45.00",
        }]});
        let rows = payout_report::rows(&statement, &|_| false);
        let report = payout_report::csv(&rows);
        assert_defused("payout transactions", &report);
        assert!(report.contains(",-7.20,45.00,"), "{report}");

        // The payout report's journal-lines attachment.
        let plan = JournalPlan {
            external_id: p.to_string(),
            statement_id: p.to_string(),
            currency: "USD".into(),
            lines: vec![JournalLine {
                account: p.to_string(),
                debit: Default::default(),
                credit: Default::default(),
                memo: p.to_string(),
            }],
            unknown_fee_keys: Default::default(),
            transactions_by_type: Default::default(),
            variances: vec![],
        };
        assert_defused("payout journal", &payout_report::journal_csv(&plan));
    }
}
