//! What each scheduled job's code calls in DynamoDB, SQS and SES, so its
//! IAM role in `infra/template.yaml` can grant exactly that: every action
//! the code needs (else AccessDenied in production only, since moto does
//! not check IAM) and nothing more (least privilege).
//! `tests/tests/infra_template.rs` compares [`required_actions`] with each
//! `{Job}JobRole`.
//!
//! Two tables: the store calls each job makes ([`store_calls`]), and the
//! actions each store call sends ([`StoreCall::actions`], read off
//! `crate::store`). A job that starts calling another store method adds it
//! to its row here; the test then names the grant the template lacks.

use std::collections::{BTreeMap, BTreeSet};

use super::JobName;

/// Logical ids of the template's resources the jobs use.
pub const ORDER_LOG: &str = "OrderLogTable";
pub const JOB_RUNS: &str = "JobRunsTable";
pub const SHOP_TOKENS: &str = "ShopTokensTable";
pub const EVENTS: &str = "EventsTable";
pub const ORDERS_QUEUE: &str = "OrdersQueue";
/// SES sending identities (the grant names identities, not a resource id).
pub const EMAIL: &str = "SES";
/// The order log's `by-shop` index (`!Sub ${OrderLogTable.Arn}/index/by-shop`).
pub const ORDER_LOG_BY_SHOP: &str = "OrderLogTable/index/by-shop";

/// One store operation a job calls, as named in `crate::store`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreCall {
    /// `JobRuns::acquire` / `checkpoint` / `release` (`job_runs.rs`).
    Lease,
    /// `JobRuns::put_run`: the run log.
    PutRun,
    /// `JobRuns::list_runs`.
    ListRuns,
    /// `JobRuns::get_state`.
    GetState,
    /// `JobRuns::put_state`.
    PutState,
    /// `JobRuns::list_state`: a Query on the job's state partition.
    ListState,
    /// `JobRuns::delete_state`.
    DeleteState,
    /// `PushedFulfilments::get_many` (job runs table).
    PushedGetMany,
    /// `PushedFulfilments::put`.
    PushedPut,
    /// `OrderLog::get`.
    OrderLogGet,
    /// `OrderLog::get_many`.
    OrderLogGetMany,
    /// `OrderLog::record`: a conditional put.
    OrderLogRecord,
    /// `OrderLog::record_shipment`: read, then a versioned put.
    OrderLogRecordShipment,
    /// `SkuLinks::get_many` (order log table).
    SkuLinksGetMany,
    /// `OrderLog::list` with a shop and no status, SKU or code: a Query on
    /// the `by-shop` index (`store::order_index::plan`).
    OrderLogListByShop,
    /// Every TikTok call goes through the shop session: the token is read,
    /// claimed for refresh, and replaced (`tokens.rs`).
    ShopSession,
    /// `EventArchive::claim`: a conditional put, and on a duplicate a read
    /// of the archived status (`events.rs`).
    EventClaim,
    /// `ShopProfiles::get_many` and `token_standing`: a `BatchGetItem` of
    /// the profile and token items' token-free attributes (`shop_profiles.rs`;
    /// the role's grant is limited to those attributes).
    ShopProfilesRead,
    /// `EventArchive::set_status`.
    EventSetStatus,
    /// `EventQueue::enqueue`.
    Enqueue,
    /// An email through SES v2: `Content.Simple` is authorised as
    /// `ses:SendEmail`, `Content.Raw` (attachments) as `ses:SendRawEmail`;
    /// granted together as SES's own "send email" grant does.
    SendEmail,
    /// The doctor: `DescribeTable` on each table the jobs use.
    DescribeTables,
    /// The doctor: `GetQueueAttributes` on the orders queue.
    QueueAttributes,
    /// The doctor: SES v2 `GetEmailIdentity` on the sender identity.
    EmailIdentity,
    /// `OrderLog::note`: read, then a versioned put.
    OrderLogNote,
}

impl StoreCall {
    /// `(resource, action)` pairs this call needs.
    pub fn actions(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Lease => &[(JOB_RUNS, "dynamodb:UpdateItem")],
            Self::PutRun | Self::PutState | Self::PushedPut => &[(JOB_RUNS, "dynamodb:PutItem")],
            Self::ListRuns | Self::ListState => &[(JOB_RUNS, "dynamodb:Query")],
            Self::GetState => &[(JOB_RUNS, "dynamodb:GetItem")],
            Self::DeleteState => &[(JOB_RUNS, "dynamodb:DeleteItem")],
            Self::PushedGetMany => &[(JOB_RUNS, "dynamodb:BatchGetItem")],
            Self::OrderLogGet => &[(ORDER_LOG, "dynamodb:GetItem")],
            Self::OrderLogGetMany | Self::SkuLinksGetMany => {
                &[(ORDER_LOG, "dynamodb:BatchGetItem")]
            }
            Self::OrderLogListByShop => &[(ORDER_LOG_BY_SHOP, "dynamodb:Query")],
            Self::OrderLogRecord => &[(ORDER_LOG, "dynamodb:PutItem")],
            Self::OrderLogRecordShipment => &[
                (ORDER_LOG, "dynamodb:GetItem"),
                (ORDER_LOG, "dynamodb:PutItem"),
            ],
            Self::ShopSession => &[
                (SHOP_TOKENS, "dynamodb:GetItem"),
                (SHOP_TOKENS, "dynamodb:PutItem"),
                (SHOP_TOKENS, "dynamodb:UpdateItem"),
            ],
            Self::EventClaim => &[(EVENTS, "dynamodb:PutItem"), (EVENTS, "dynamodb:GetItem")],
            Self::EventSetStatus => &[(EVENTS, "dynamodb:UpdateItem")],
            Self::ShopProfilesRead => &[(SHOP_TOKENS, "dynamodb:BatchGetItem")],
            Self::Enqueue => &[(ORDERS_QUEUE, "sqs:SendMessage")],
            Self::SendEmail => &[(EMAIL, "ses:SendEmail"), (EMAIL, "ses:SendRawEmail")],
            Self::DescribeTables => &[
                (ORDER_LOG, "dynamodb:DescribeTable"),
                (EVENTS, "dynamodb:DescribeTable"),
                (SHOP_TOKENS, "dynamodb:DescribeTable"),
                (JOB_RUNS, "dynamodb:DescribeTable"),
            ],
            Self::QueueAttributes => &[(ORDERS_QUEUE, "sqs:GetQueueAttributes")],
            Self::EmailIdentity => &[(EMAIL, "ses:GetEmailIdentity")],
            Self::OrderLogNote => &[
                (ORDER_LOG, "dynamodb:GetItem"),
                (ORDER_LOG, "dynamodb:PutItem"),
            ],
        }
    }
}

/// The store calls each job's code makes (its module and `jobs::run`).
pub fn store_calls(job: &JobName) -> &'static [StoreCall] {
    use StoreCall::*;
    match job {
        // ingest/sweep.rs: order log lookups, then `ingest::store_and_enqueue`.
        JobName::Sweep => &[
            Lease,
            PutRun,
            ShopSession,
            OrderLogGet,
            EventClaim,
            EventSetStatus,
            Enqueue,
        ],
        // notify/drift.rs and the digest email in app.rs; the shop's
        // entries are a Query of the by-shop index (never a Scan).
        // The shops' authorization: `ShopProfiles` (never a token).
        JobName::Digest => &[
            Lease,
            PutRun,
            ListRuns,
            OrderLogListByShop,
            ShopProfilesRead,
            SendEmail,
        ],
        // stock/job.rs (SKU links 100 a call, pending orders' log entries)
        // and stock/state.rs (the snapshot: list_state, put_state).
        JobName::Inventory => &[
            Lease,
            PutRun,
            ShopSession,
            SkuLinksGetMany,
            OrderLogGet,
            ListState,
            PutState,
        ],
        // writer/readback.rs: batches in state, results in the order log.
        JobName::Verify => &[
            Lease,
            PutRun,
            ListState,
            DeleteState,
            OrderLogGet,
            OrderLogRecord,
        ],
        // tracking/*.rs; the sample-cost step reads the order types
        // (`OrderLog::get_many`, tracking/sample_cost_run.rs).
        JobName::Tracking => &[
            Lease,
            PutRun,
            ShopSession,
            SkuLinksGetMany,
            OrderLogRecordShipment,
            PushedGetMany,
            PushedPut,
            ListState,
            PutState,
            DeleteState,
            OrderLogGetMany,
        ],
        // payouts/job.rs, payouts/state.rs, payouts/email.rs; the $0
        // orders of a statement's day (`payouts::free_orders::period_filter`).
        JobName::Payouts => &[
            Lease,
            PutRun,
            ShopSession,
            OrderLogGetMany,
            GetState,
            PutState,
            SendEmail,
            OrderLogListByShop,
        ],
        // doctor/*.rs: the shop's token (read, refreshed through the
        // session like every call), and the AWS checks.
        JobName::Doctor => &[
            Lease,
            PutRun,
            ShopSession,
            DescribeTables,
            QueueAttributes,
            EmailIdentity,
        ],
        // labels/job.rs, store/label_states.rs: label states (consistent
        // read, put) and the order log's history line.
        JobName::Labels => &[Lease, PutRun, ShopSession, GetState, PutState, OrderLogNote],
        JobName::Unknown(_) => &[],
    }
}

/// Resource → actions the job needs.
pub fn required_actions(job: &JobName) -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for call in store_calls(job) {
        for (resource, action) in call.actions() {
            out.entry(resource).or_default().insert(action);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inventory_job_needs_query_for_its_state_and_batch_get_for_links() {
        let r = required_actions(&JobName::Inventory);
        assert!(r[JOB_RUNS].contains("dynamodb:Query"));
        assert!(!r[JOB_RUNS].contains("dynamodb:GetItem"));
        assert!(r[ORDER_LOG].contains("dynamodb:BatchGetItem"));
    }
}
