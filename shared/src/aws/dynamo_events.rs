//! The events table: archive + de-duplication with one conditional put.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::describe;
use crate::events::{ArchivedEvent, Claim, EventArchive, EventStatus, RejectedEvent, StoreError};

pub struct DynamoEventArchive {
    client: Client,
    table: String,
}

impl DynamoEventArchive {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Reads one archived event's status (used by the writer, tests and the demo).
    pub async fn status(&self, key: &str) -> Result<Option<EventStatus>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::Archive(describe(&e)))?;
        Ok(out
            .item()
            .and_then(|i| i.get("status"))
            .and_then(|v| v.as_s().ok())
            .map(|v| EventStatus::parse(v)))
    }
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

#[async_trait]
impl EventArchive for DynamoEventArchive {
    async fn claim(&self, e: &ArchivedEvent) -> Result<Claim, StoreError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&e.key))
            .item("kind", s("event"))
            .item("shop_id", s(e.shop_id.as_str()))
            .item("notification_id", s(e.notification_id.as_str()))
            .item("type", n(e.type_code))
            .item("type_name", s(&e.type_name))
            .item("raw_body", s(&e.raw_body))
            .item("received_at", n(e.received_at))
            .item("expires_at", n(e.expires_at))
            .item("status", s(e.status.as_str()))
            .condition_expression("attribute_not_exists(pk)");
        if let Some(order) = &e.order_id {
            put = put.item("order_id", s(order.as_str()));
        }
        match put.send().await {
            Ok(_) => Ok(Claim::New),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                let status = self.status(&e.key).await?.unwrap_or(EventStatus::Received);
                Ok(Claim::Existing(status))
            }
            Err(err) => Err(StoreError::Archive(describe(&err))),
        }
    }

    async fn set_status(
        &self,
        key: &str,
        status: EventStatus,
        at: i64,
        only_from: Option<EventStatus>,
    ) -> Result<(), StoreError> {
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .update_expression("SET #st = :st, #at = :at")
            .expression_attribute_names("#st", "status")
            .expression_attribute_names("#at", format!("{}_at", status.as_str()))
            .expression_attribute_values(":st", s(status.as_str()))
            .expression_attribute_values(":at", n(at));
        req = match &only_from {
            Some(from) => req
                .condition_expression("attribute_exists(pk) AND #st = :from")
                .expression_attribute_values(":from", s(from.as_str())),
            None => req.condition_expression("attribute_exists(pk)"),
        };
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e)
                if only_from.is_some()
                    && e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(StoreError::Archive(describe(&e))),
        }
    }

    async fn archive_rejected(&self, e: &RejectedEvent) -> Result<(), StoreError> {
        // Same body twice is the same rejection; overwriting it is harmless.
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&e.key))
            .item("kind", s("rejected"))
            .item("raw_body", s(&e.raw_body))
            .item("reason", s(&e.reason))
            .item("received_at", n(e.received_at))
            .item("expires_at", n(e.expires_at))
            .item("status", s(EventStatus::Rejected.as_str()))
            .send()
            .await
            .map_err(|e| StoreError::Archive(describe(&e)))?;
        Ok(())
    }
}
