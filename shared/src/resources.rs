//! The one list of AWS resources the functions use.
//!
//! The local bootstrap creates exactly these (prefixed names on moto), and a
//! test compares them with `infra/template.yaml`, so the two cannot drift.

/// A DynamoDB table: string keys only, on-demand billing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSpec {
    /// CloudFormation logical id in `infra/template.yaml`.
    pub logical_id: &'static str,
    /// Local name suffix: the table is `{prefix}-{suffix}` on moto.
    pub suffix: &'static str,
    /// Environment variable carrying the table name to the functions.
    pub env_var: &'static str,
    pub partition_key: &'static str,
    pub sort_key: Option<&'static str>,
    /// Attribute holding the epoch-seconds expiry, when the table uses TTL.
    pub ttl_attribute: Option<&'static str>,
}

/// An SQS queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSpec {
    pub logical_id: &'static str,
    /// Local name; FIFO names end in `.fifo` as SQS requires.
    pub suffix: &'static str,
    pub env_var: &'static str,
    pub fifo: bool,
    /// Logical id of the dead-letter queue, with the receive count that sends a message there.
    pub redrive: Option<(&'static str, u32)>,
    /// Must be at least 6x the consumer's timeout (AWS guidance for SQS event sources).
    pub visibility_timeout_secs: u32,
}

/// Raw webhook archive and de-duplication: `pk` = `EVT#{shop}#{notification}`.
pub const EVENTS_TABLE: TableSpec = TableSpec {
    logical_id: "EventsTable",
    suffix: "events",
    env_var: "EVENTS_TABLE",
    partition_key: "pk",
    sort_key: None,
    ttl_attribute: Some("expires_at"),
};

/// Order log: one item per shop + order, with its attempt history.
pub const ORDER_LOG_TABLE: TableSpec = TableSpec {
    logical_id: "OrderLogTable",
    suffix: "order-log",
    env_var: "ORDER_LOG_TABLE",
    partition_key: "pk",
    sort_key: Some("sk"),
    ttl_attribute: None,
};

/// Shop credentials (TikTok tokens): their own table, so that only the
/// functions that call TikTok can read them, not whoever lists the order log.
pub const SHOP_TOKENS_TABLE: TableSpec = TableSpec {
    logical_id: "ShopTokensTable",
    suffix: "shop-tokens",
    env_var: "SHOP_TOKENS_TABLE",
    partition_key: "pk",
    sort_key: Some("sk"),
    ttl_attribute: None,
};

/// Scheduled jobs: one lease item per job + shop (who runs, until when, the
/// last committed point, the watermark) and one item per run (the run log).
pub const JOB_RUNS_TABLE: TableSpec = TableSpec {
    logical_id: "JobRunsTable",
    suffix: "job-runs",
    env_var: "JOB_RUNS_TABLE",
    partition_key: "pk",
    sort_key: Some("sk"),
    ttl_attribute: Some("expires_at"),
};

/// The operations console: its users (`USER#{name}`) and login throttles
/// (`THROTTLE#…`, expiring by TTL). Apart from the order log so that only
/// the console function may read password hashes.
pub const CONSOLE_TABLE: TableSpec = TableSpec {
    logical_id: "ConsoleTable",
    suffix: "console",
    env_var: "CONSOLE_TABLE",
    partition_key: "pk",
    sort_key: Some("sk"),
    ttl_attribute: Some("expires_at"),
};

/// Returns (issue 28): each TikTok return's state, decisions and history
/// (`RET#{shop}`), and the queue of returns a person decides (`QUEUE`,
/// sorted by TikTok's deadline). See `store::returns`.
pub const RETURNS_TABLE: TableSpec = TableSpec {
    logical_id: "ReturnsTable",
    suffix: "returns",
    env_var: "RETURNS_TABLE",
    partition_key: "pk",
    sort_key: Some("sk"),
    ttl_attribute: None,
};

pub const TABLES: &[TableSpec] = &[
    EVENTS_TABLE,
    ORDER_LOG_TABLE,
    SHOP_TOKENS_TABLE,
    JOB_RUNS_TABLE,
    CONSOLE_TABLE,
    RETURNS_TABLE,
];

/// A global secondary index (string keys, every attribute projected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSpec {
    /// The table's logical id.
    pub table: &'static str,
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    /// Attributes projected besides the keys; empty means every attribute.
    pub include: &'static [&'static str],
}

/// The order log's indexes, one per console filter, so no page scans the
/// log. Every sort key is `ts` (zero-padded `last_updated` seconds, then
/// the order id), so a date range is a key condition and pages come newest
/// first. See `store::order_index` for what each partition key holds.
pub const ORDER_LOG_INDEXES: &[IndexSpec] = &[
    // Every order (`kind = order`) and every SKU link (`kind = sku_link`, `ts` = the SKU).
    IndexSpec {
        table: "OrderLogTable",
        name: "by-kind",
        partition_key: "kind",
        sort_key: "ts",
        include: &[],
    },
    // One status across shops.
    IndexSpec {
        table: "OrderLogTable",
        name: "by-status",
        partition_key: "sync_status",
        sort_key: "ts",
        include: &[],
    },
    // One shop's orders.
    IndexSpec {
        table: "OrderLogTable",
        name: "by-shop",
        partition_key: "order_shop",
        sort_key: "ts",
        include: &[],
    },
    // One status of one shop (`{shop}#{status}`).
    IndexSpec {
        table: "OrderLogTable",
        name: "by-shop-status",
        partition_key: "shop_status",
        sort_key: "ts",
        include: &[],
    },
    // Orders with an open problem of one code.
    IndexSpec {
        table: "OrderLogTable",
        name: "by-code",
        partition_key: "fail_code",
        sort_key: "ts",
        include: &[],
    },
    // Orders blocked on one seller SKU (`{shop}#{sku}`).
    IndexSpec {
        table: "OrderLogTable",
        name: "by-sku",
        partition_key: "fail_sku",
        sort_key: "ts",
        include: &[],
    },
];

/// The shop tokens table's one index: which shops are connected and when
/// their tokens expire, projecting no token, so the console lists shops
/// through it and its role never reads the table itself.
pub const SHOP_TOKENS_INDEXES: &[IndexSpec] = &[IndexSpec {
    table: "ShopTokensTable",
    name: "shops",
    partition_key: "kind",
    sort_key: "shop_id",
    include: &[
        "access_token_expires_at",
        "refresh_token_expires_at",
        "updated_at",
    ],
}];

/// Every index of every table.
pub const INDEXES: &[&[IndexSpec]] = &[ORDER_LOG_INDEXES, SHOP_TOKENS_INDEXES];

/// The console's session-signing secret (Secrets Manager): its id or ARN.
pub const CONSOLE_SECRET_ENV: &str = "CONSOLE_SESSION_SECRET_ID";
/// The template's logical id of that secret.
pub const CONSOLE_SECRET_ID: &str = "ConsoleSessionSecret";

/// Writer timeout in seconds; the queue's visibility timeout is 6x this.
pub const WRITER_TIMEOUT_SECS: u32 = 60;

/// Messages per writer invocation (the event source's `BatchSize`).
///
/// Each invocation holds `limit / MaximumConcurrency` NetSuite slots (one at
/// the template's defaults), so a batch's messages share one slot whatever
/// its size: batching saves only Lambda's per-invocation overhead (a few
/// milliseconds against 300 ms or more per NetSuite call). A batch must be
/// big enough for one message's TikTok read, mapping and log writes to
/// overlap another's NetSuite call, and small enough that the last batch of
/// a burst does not leave one slot working while the others idle: a batch of
/// 10 holds its slot for 10 NetSuite calls (3 s at 300 ms) while its peers
/// may have nothing left. Five keeps the overlap and halves that tail; the
/// throughput benchmark (`scripts/bench --batch-size`) measures the choice.
pub const WRITER_BATCH_SIZE: u32 = 5;

pub const ORDERS_DLQ: QueueSpec = QueueSpec {
    logical_id: "OrdersDeadLetterQueue",
    suffix: "orders-dlq.fifo",
    env_var: "ORDERS_DLQ_URL",
    fifo: true,
    redrive: None,
    visibility_timeout_secs: 30,
};

pub const ORDERS_QUEUE: QueueSpec = QueueSpec {
    logical_id: "OrdersQueue",
    suffix: "orders.fifo",
    env_var: "ORDERS_QUEUE_URL",
    fifo: true,
    redrive: Some(("OrdersDeadLetterQueue", 5)),
    visibility_timeout_secs: 6 * WRITER_TIMEOUT_SECS,
};

/// Dead-letter queue first: the main queue's redrive policy needs its ARN.
pub const QUEUES: &[QueueSpec] = &[ORDERS_DLQ, ORDERS_QUEUE];

/// Concrete names of one deployment (CloudFormation-generated on AWS, prefixed locally).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceNames {
    pub events_table: String,
    pub order_log_table: String,
    pub shop_tokens_table: String,
    pub job_runs_table: String,
    pub console_table: String,
    pub orders_queue_url: String,
    pub orders_dlq_url: String,
    pub returns_table: String,
}

/// The local name of a resource under a prefix.
pub fn local_name(prefix: &str, suffix: &str) -> String {
    format!("{prefix}-{suffix}")
}
