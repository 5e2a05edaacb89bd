//! The order log as CSV: one row per order with its latest failure, for
//! spreadsheets and support tickets. No buyer data is in the log, so none is here.

use crate::store::OrderLogEntry;

pub const CSV_HEADER: &str = "shop_id,order_id,tiktok_status,sync_status,netsuite_id,external_id,attempts,first_seen,last_updated,code,level,retryable,reason,fix,http_status,system_code,system_call,failed_skus,order_type";

fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default()
}

/// The order log as CSV, one row per order (quoted and formula-defused by
/// [`crate::csv_file`]).
pub fn to_csv(entries: &[OrderLogEntry]) -> String {
    let header: Vec<&str> = CSV_HEADER.split(',').collect();
    let mut w = crate::csv_file::CsvWriter::new(&header, entries.len() * 256 + 256);
    for e in entries {
        let f = e.last_failure.as_ref();
        w.row([
            e.shop_id.to_string(),
            e.order_id.to_string(),
            e.tiktok_status.clone(),
            e.sync_status.as_str().to_string(),
            e.netsuite_id.clone().unwrap_or_default(),
            e.external_id.clone().unwrap_or_default(),
            e.attempts.to_string(),
            iso(e.first_seen),
            iso(e.last_updated),
            f.map(|f| f.code.as_str().to_string()).unwrap_or_default(),
            f.map(|f| format!("{:?}", f.level).to_lowercase())
                .unwrap_or_default(),
            f.map(|f| f.retryable.to_string()).unwrap_or_default(),
            f.map(|f| f.reason.clone()).unwrap_or_default(),
            f.map(|f| f.fix.clone()).unwrap_or_default(),
            f.and_then(|f| f.http_status)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            f.and_then(|f| f.system_code.clone()).unwrap_or_default(),
            f.and_then(|f| f.system_call.clone()).unwrap_or_default(),
            e.failed_skus.join(" "),
            e.order_type
                .as_ref()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
        ]);
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderId, ShopId};
    use crate::store::{Outcome, SyncStatus};
    use crate::taxonomy::{ErrorCode, Failure};

    #[test]
    fn csv_escapes_and_carries_the_failure() {
        let o = Outcome {
            shop_id: ShopId::new("s"),
            order_id: OrderId::new("o"),
            tiktok_status: "AWAITING_SHIPMENT".into(),
            sync_status: SyncStatus::Failed,
            netsuite_id: None,
            external_id: None,
            note: String::new(),
            failure: Some(Failure::new(
                ErrorCode::UnlinkedProduct,
                "SKU \"A,B\" unknown",
                "link it",
            )),
            failed_skus: vec!["=A,B".into()],
            order_type: None,
            retail_value: None,
            at: 0,
            event: None,
        };
        let csv = to_csv(&[OrderLogEntry::apply(None, &o)]);
        let row = csv.lines().nth(1).unwrap();
        assert!(row.starts_with("s,o,AWAITING_SHIPMENT,failed,"), "{row}");
        assert!(
            row.contains("UNLINKED_PRODUCT,error,false,\"SKU \"\"A,B\"\" unknown\",link it"),
            "{row}"
        );
        // The SKUs column, then the order type (last).
        assert!(row.contains(",\"'=A,B\","), "formula defused: {row}");
        assert_eq!(csv.lines().next().unwrap(), CSV_HEADER);
    }
}
