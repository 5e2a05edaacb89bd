//! What the writer acts on: a queued event, parsed once into a
//! [`WriterEvent`] so no flow looks at raw webhook type codes again.

use crate::domain::{OrderId, WebhookType};
use crate::store::QueuedEvent;
use crate::tiktok::aftersales::CancelStatus;

/// One queued event, as the writer understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriterEvent {
    /// Type 1: the order's status changed. The writer re-reads the order; the
    /// webhook's own status is only kept for the log when TikTok cannot be read.
    OrderStatus { order: OrderId, status_hint: String },
    /// Type 11: a cancellation request changed.
    Cancellation {
        order: OrderId,
        cancel_status: CancelStatus,
    },
    /// Type 12: a return or refund changed.
    Return { order: OrderId, return_id: String },
    /// Every other type: archived by the webhook, acknowledged here.
    NotHandled { kind: WebhookType },
}

impl WriterEvent {
    /// Reads the event's type and the fields each flow needs.
    pub fn parse(event: &QueuedEvent) -> Self {
        let kind = WebhookType::from_code(event.type_code);
        let text = |k: &str| {
            event
                .data
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let Some(order) = event.order_id.clone() else {
            return Self::NotHandled { kind };
        };
        match kind {
            WebhookType::OrderStatusChange => Self::OrderStatus {
                order,
                status_hint: text("order_status"),
            },
            WebhookType::CancellationStatusChange => Self::Cancellation {
                order,
                cancel_status: CancelStatus::parse(&text("cancel_status")),
            },
            WebhookType::ReturnStatusChange => Self::Return {
                order,
                return_id: text("return_id"),
            },
            // Legacy type 2 (reverse order status): the same return flow.
            WebhookType::ReverseStatusUpdate
                if crate::returns::events::trigger(2, &event.data).is_some() =>
            {
                Self::Return {
                    order,
                    return_id: crate::returns::events::trigger(2, &event.data)
                        .map(|t| t.return_id)
                        .unwrap_or_default(),
                }
            }
            kind => Self::NotHandled { kind },
        }
    }

    /// Whether the writer acts on this event (not a pending, withdrawn or
    /// rejected cancellation request, nor an unhandled type).
    pub fn is_acted_on(&self) -> bool {
        match self {
            Self::OrderStatus { .. } | Self::Return { .. } => true,
            Self::Cancellation { cancel_status, .. } => cancel_status.is_effective(),
            Self::NotHandled { .. } => false,
        }
    }

    /// The order this event concerns, when the writer acts on it.
    pub fn order(&self) -> Option<&OrderId> {
        match self {
            Self::OrderStatus { order, .. }
            | Self::Cancellation { order, .. }
            | Self::Return { order, .. } => Some(order),
            Self::NotHandled { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NotificationId, ShopId};
    use serde_json::json;

    fn queued(type_code: i64, order: Option<&str>, data: serde_json::Value) -> QueuedEvent {
        QueuedEvent {
            v: 1,
            event_key: "k".into(),
            shop_id: ShopId::new("s"),
            notification_id: NotificationId::new("n"),
            type_code,
            order_id: order.map(OrderId::new),
            received_at: 0,
            data,
        }
    }

    #[test]
    fn parses_each_type_once() {
        let o = OrderId::new("o");
        assert_eq!(
            WriterEvent::parse(&queued(1, Some("o"), json!({"order_status": "UNPAID"}))),
            WriterEvent::OrderStatus {
                order: o.clone(),
                status_hint: "UNPAID".into()
            }
        );
        let c = WriterEvent::parse(&queued(
            11,
            Some("o"),
            json!({"cancel_status": "CANCELLATION_REQUEST_CANCEL"}),
        ));
        assert_eq!(
            c,
            WriterEvent::Cancellation {
                order: o.clone(),
                cancel_status: CancelStatus::Withdrawn
            }
        );
        assert_eq!(
            WriterEvent::parse(&queued(12, Some("o"), json!({"return_id": "r"}))),
            WriterEvent::Return {
                order: o,
                return_id: "r".into()
            }
        );
        assert_eq!(
            WriterEvent::parse(&queued(4, Some("o"), json!({}))),
            WriterEvent::NotHandled {
                kind: WebhookType::PackageUpdate
            }
        );
        assert!(WriterEvent::parse(&queued(1, None, json!({})))
            .order()
            .is_none());
    }
}
