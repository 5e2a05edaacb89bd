//! The AWS side of the doctor: SES may send from the sender, and each table
//! and queue the function uses answers.

use super::checks;
use super::Check;

pub struct AwsSide<'a> {
    pub ses: &'a aws_sdk_sesv2::Client,
    /// `ALERT_FROM`.
    pub from: Option<&'a str>,
    pub ddb: &'a aws_sdk_dynamodb::Client,
    /// (what, table name).
    pub tables: Vec<(&'static str, &'a str)>,
    pub sqs: &'a aws_sdk_sqs::Client,
    /// (what, queue URL).
    pub queues: Vec<(&'static str, &'a str)>,
}

impl AwsSide<'_> {
    pub async fn run(&self, out: &mut Vec<Check>) {
        let status = match self.from {
            None => Ok(false),
            Some(from) => self.identity(from).await,
        };
        out.push(checks::ses_sender(self.from, status));
        for (what, table) in &self.tables {
            let r = self
                .ddb
                .describe_table()
                .table_name(*table)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| crate::store::aws::describe(&e));
            out.push(checks::reachable("table", &format!("{what} ({table})"), r));
        }
        for (what, url) in &self.queues {
            let r = self
                .sqs
                .get_queue_attributes()
                .queue_url(*url)
                .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| crate::store::aws::describe(&e));
            out.push(checks::reachable("queue", what, r));
        }
    }

    /// SES v2 `GetEmailIdentity` for the address, else for its domain
    /// (what the mailer sends through: `notify::mailer`, SES v2).
    async fn identity(&self, from: &str) -> Result<bool, String> {
        let address = from
            .rsplit_once('<')
            .map(|(_, a)| a.trim_end_matches('>'))
            .unwrap_or(from)
            .trim();
        let mut last = String::new();
        let domain = address.rsplit_once('@').map(|(_, d)| d);
        for identity in std::iter::once(address).chain(domain) {
            match self
                .ses
                .get_email_identity()
                .email_identity(identity)
                .send()
                .await
            {
                // A verified identity has both `VerifiedForSendingStatus`
                // and `VerificationStatus = SUCCESS` (SES v2 API reference,
                // GetEmailIdentity); moto only ever sets the second, so
                // either one counts.
                Ok(o) => {
                    return Ok(o.verified_for_sending_status()
                        || o.verification_status()
                            == Some(&aws_sdk_sesv2::types::VerificationStatus::Success))
                }
                Err(e) => last = crate::store::aws::describe(&e),
            }
        }
        Err(last)
    }
}
