//! Creates the tables and queues of `shared::resources` on a local endpoint.
//!
//! Only for local runs and tests (moto), which is why it lives in this
//! crate. On AWS the SAM template creates them from the same specs, which a
//! test keeps in step.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;

use shared::resources::{
    local_name, ResourceNames, EVENTS_TABLE, JOB_RUNS_TABLE, ORDERS_DLQ, ORDERS_QUEUE,
    ORDER_LOG_TABLE, QUEUES, SHOP_TOKENS_TABLE, TABLES,
};
use shared::store::aws::describe;

/// Local overrides: tests want redelivery in seconds, not minutes.
#[derive(Debug, Clone)]
pub struct BootstrapOptions {
    pub prefix: String,
    pub visibility_timeout_secs: Option<u32>,
    pub max_receive_count: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
#[error("bootstrap of {resource} failed: {reason}")]
pub struct BootstrapError {
    pub resource: String,
    pub reason: String,
}

fn fail(resource: &str, e: impl std::error::Error) -> BootstrapError {
    BootstrapError {
        resource: resource.into(),
        reason: describe(&e),
    }
}

/// Creates everything (idempotently) and returns the concrete names.
pub async fn bootstrap(
    ddb: &aws_sdk_dynamodb::Client,
    sqs: &aws_sdk_sqs::Client,
    opts: &BootstrapOptions,
) -> Result<ResourceNames, BootstrapError> {
    for spec in TABLES {
        let name = local_name(&opts.prefix, spec.suffix);
        let mut req = ddb
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr(spec.partition_key))
            .key_schema(key(spec.partition_key, KeyType::Hash));
        if let Some(sk) = spec.sort_key {
            req = req
                .attribute_definitions(attr(sk))
                .key_schema(key(sk, KeyType::Range));
        }
        req = crate::indexes::with_indexes(req, spec.logical_id).map_err(|e| fail(&name, e))?;
        match req.send().await {
            Ok(_) => {}
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_in_use_exception()) => {}
            Err(e) => return Err(fail(&name, e)),
        }
        if let Some(ttl) = spec.ttl_attribute {
            let spec = TimeToLiveSpecification::builder()
                .attribute_name(ttl)
                .enabled(true)
                .build()
                .map_err(|e| fail(&name, e))?;
            // moto rejects enabling TTL twice; an already-enabled TTL is fine.
            let _ = ddb
                .update_time_to_live()
                .table_name(&name)
                .time_to_live_specification(spec)
                .send()
                .await;
        }
    }

    let mut urls: HashMap<&str, (String, String)> = HashMap::new();
    for spec in QUEUES {
        let name = local_name(&opts.prefix, spec.suffix);
        let mut attrs = HashMap::new();
        if spec.fifo {
            attrs.insert(QueueAttributeName::FifoQueue, "true".to_string());
        }
        let vis = opts
            .visibility_timeout_secs
            .unwrap_or(spec.visibility_timeout_secs);
        attrs.insert(QueueAttributeName::VisibilityTimeout, vis.to_string());
        attrs.insert(
            QueueAttributeName::MessageRetentionPeriod,
            "1209600".to_string(),
        );
        if let Some((dlq_id, count)) = spec.redrive {
            let (_, dlq_arn) = urls.get(dlq_id).ok_or_else(|| BootstrapError {
                resource: name.clone(),
                reason: format!("dead-letter queue {dlq_id} must be created first"),
            })?;
            let count = opts.max_receive_count.unwrap_or(count);
            attrs.insert(
                QueueAttributeName::RedrivePolicy,
                serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": count.to_string() }).to_string(),
            );
        }
        let out = sqs
            .create_queue()
            .queue_name(&name)
            .set_attributes(Some(attrs))
            .send()
            .await
            .map_err(|e| fail(&name, e))?;
        let url = out.queue_url().unwrap_or_default().to_string();
        let got = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| fail(&name, e))?;
        let arn = got
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .unwrap_or_default();
        urls.insert(spec.logical_id, (url, arn));
    }
    let url = |id: &str| urls.get(id).map(|(u, _)| u.clone()).unwrap_or_default();
    Ok(ResourceNames {
        events_table: local_name(&opts.prefix, EVENTS_TABLE.suffix),
        order_log_table: local_name(&opts.prefix, ORDER_LOG_TABLE.suffix),
        shop_tokens_table: local_name(&opts.prefix, SHOP_TOKENS_TABLE.suffix),
        job_runs_table: local_name(&opts.prefix, JOB_RUNS_TABLE.suffix),
        console_table: local_name(&opts.prefix, shared::resources::CONSOLE_TABLE.suffix),
        orders_queue_url: url(ORDERS_QUEUE.logical_id),
        orders_dlq_url: url(ORDERS_DLQ.logical_id),
        returns_table: local_name(&opts.prefix, shared::resources::RETURNS_TABLE.suffix),
    })
}

pub(crate) fn attr(name: &str) -> AttributeDefinition {
    match AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
    {
        Ok(a) => a,
        Err(_) => unreachable!("name and type are both set"),
    }
}

pub(crate) fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    match KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
    {
        Ok(k) => k,
        Err(_) => unreachable!("name and key type are both set"),
    }
}
