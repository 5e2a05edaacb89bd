//! Sending mail: the port the digests are written over, and SES behind it.

use async_trait::async_trait;

use super::digest::{render, AlertLine};
use crate::store::aws::describe;

#[async_trait]
pub trait AlertSink: Send + Sync {
    async fn send_digest(&self, lines: &[AlertLine]) -> Result<(), String>;
}

/// The admins' mailbox through SES (moto's SES locally).
pub struct SesAlerts {
    pub client: aws_sdk_sesv2::Client,
    pub from: String,
    pub to: Vec<String>,
}

#[async_trait]
impl AlertSink for SesAlerts {
    async fn send_digest(&self, lines: &[AlertLine]) -> Result<(), String> {
        if lines.is_empty() {
            return Ok(());
        }
        let (subject, text) = render(lines);
        self.send_text(&subject, &text).await
    }
}

impl SesAlerts {
    /// One plain-text email to the admins (nothing when there are none).
    pub async fn send_text(&self, subject: &str, text: &str) -> Result<(), String> {
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
        if self.to.is_empty() {
            return Ok(());
        }
        let content = |s: String| {
            Content::builder()
                .data(s)
                .charset("UTF-8")
                .build()
                .map_err(|e| e.to_string())
        };
        let message = Message::builder()
            .subject(content(subject.to_string())?)
            .body(Body::builder().text(content(text.to_string())?).build())
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .set_to_addresses(Some(self.to.clone()))
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| describe(&e))?;
        Ok(())
    }
}
