//! The stores' errors, mapped once into the order log's taxonomy
//! ([`crate::taxonomy`]); each boundary maps its own error beside it.

use super::StoreError;
use crate::taxonomy::{ErrorCode, Failure};

impl From<&StoreError> for Failure {
    fn from(e: &StoreError) -> Self {
        match e {
            StoreError::Corrupt { .. } => Failure::new(
                ErrorCode::InsufficientData,
                e.to_string(),
                "An item in DynamoDB cannot be read; fix or delete it (see the key named), then resubmit.",
            )
            .retryable(false),
            _ => Failure::new(
                ErrorCode::ConnectionError,
                e.to_string(),
                "DynamoDB was unavailable; retried automatically.",
            )
            .retryable(true),
        }
    }
}
