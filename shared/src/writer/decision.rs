//! What one attempt concluded, before it is written to the order log.

use crate::store::SyncStatus;
use crate::taxonomy::Failure;

/// Result of one attempt before it is logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: SyncStatus,
    pub tiktok_status: String,
    pub netsuite_id: Option<String>,
    pub external_id: Option<String>,
    pub note: String,
    pub failure: Option<Failure>,
    pub failed_skus: Vec<String>,
    /// The order's type, once the order was read (issue 26).
    pub order_type: Option<crate::domain::OrderType>,
    /// The retail value of its free units ($0 types, gift lines).
    pub retail_value: Option<crate::domain::Money>,
}

impl Decision {
    pub fn ok(status: SyncStatus, tiktok_status: &str, note: impl Into<String>) -> Self {
        Self {
            status,
            tiktok_status: tiktok_status.to_string(),
            netsuite_id: None,
            external_id: None,
            note: note.into(),
            failure: None,
            failed_skus: vec![],
            order_type: None,
            retail_value: None,
        }
    }

    pub fn failed(tiktok_status: &str, failure: Failure) -> Self {
        Self {
            failure: Some(failure),
            ..Self::ok(SyncStatus::Failed, tiktok_status, "")
        }
    }

    /// The same decision, naming the Sales Order it concerns.
    pub fn on(mut self, netsuite_id: &str) -> Self {
        self.netsuite_id = Some(netsuite_id.to_string());
        self
    }

    /// The same decision with another status (e.g. needs review).
    pub fn with_status(mut self, status: SyncStatus) -> Self {
        self.status = status;
        self
    }
}
