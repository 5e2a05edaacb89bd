//! NetSuite: TBA credentials, the REST host, and the concurrency budget.

use super::{read_json_secret, ConfigError, Env};
use crate::netsuite::NetSuiteBudget;

/// Where NetSuite's TBA credentials come from.
#[derive(Clone, PartialEq, Eq)]
pub enum NetSuiteSource {
    /// `NETSUITE_SECRET_ID`: JSON `{account_id, consumer_key, consumer_secret, token_id, token_secret}`.
    SecretsManager(String),
    Env(NetSuiteCredentials),
}

impl std::fmt::Debug for NetSuiteSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SecretsManager(id) => write!(f, "SecretsManager({id})"),
            Self::Env(c) => write!(f, "Env(account {})", c.account_id),
        }
    }
}

#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct NetSuiteCredentials {
    pub account_id: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token_id: String,
    pub token_secret: String,
}

impl NetSuiteCredentials {
    pub fn tba(&self) -> crate::signing::netsuite::TbaCredentials {
        crate::signing::netsuite::TbaCredentials {
            realm: self.account_id.clone(),
            consumer_key: self.consumer_key.clone(),
            consumer_secret: self.consumer_secret.clone(),
            token_id: self.token_id.clone(),
            token_secret: self.token_secret.clone(),
        }
    }
}

/// Everything a caller of NetSuite needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetSuiteSettings {
    pub source: NetSuiteSource,
    /// `NETSUITE_BASE_URL`: `https://<acct>.suitetalk.api.netsuite.com` unless
    /// overridden (the Company URLs page, or the simulator locally).
    pub base_url: Option<String>,
    /// `NETSUITE_CONCURRENCY_LIMIT` ÷ `WRITER_MAX_CONCURRENCY`.
    pub budget: NetSuiteBudget,
}

impl NetSuiteSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        let hint = "set NETSUITE_SECRET_ID to a Secrets Manager secret, or NETSUITE_ACCOUNT_ID, NETSUITE_CONSUMER_KEY, NETSUITE_CONSUMER_SECRET, NETSUITE_TOKEN_ID and NETSUITE_TOKEN_SECRET for local runs";
        let source = match env.get("NETSUITE_SECRET_ID") {
            Some(id) => NetSuiteSource::SecretsManager(id),
            None => NetSuiteSource::Env(NetSuiteCredentials {
                account_id: env.required("NETSUITE_ACCOUNT_ID", hint)?,
                consumer_key: env.required("NETSUITE_CONSUMER_KEY", hint)?,
                consumer_secret: env.required("NETSUITE_CONSUMER_SECRET", hint)?,
                token_id: env.required("NETSUITE_TOKEN_ID", hint)?,
                token_secret: env.required("NETSUITE_TOKEN_SECRET", hint)?,
            }),
        };
        let account_share = env.number("NETSUITE_CONCURRENCY_LIMIT", 5, 1, 1000)?;
        let concurrent_invocations = env.number("WRITER_MAX_CONCURRENCY", 2, 1, 1000)?;
        if concurrent_invocations > account_share {
            return Err(ConfigError::Invalid {
                var: "WRITER_MAX_CONCURRENCY",
                reason: format!(
                    "{concurrent_invocations} concurrent writers would each hold at least one of only {account_share} NetSuite slots (NETSUITE_CONCURRENCY_LIMIT); set it to at most {account_share}"
                ),
            });
        }
        Ok(Self {
            source,
            base_url: env.get("NETSUITE_BASE_URL"),
            budget: NetSuiteBudget {
                account_share,
                concurrent_invocations,
            },
        })
    }

    /// The credentials, reading Secrets Manager when configured.
    pub async fn resolve(
        &self,
        secrets: &aws_sdk_secretsmanager::Client,
    ) -> Result<NetSuiteCredentials, ConfigError> {
        match &self.source {
            NetSuiteSource::Env(c) => Ok(c.clone()),
            NetSuiteSource::SecretsManager(id) => {
                read_json_secret(
                    secrets,
                    id,
                    "with account_id, consumer_key, consumer_secret, token_id, token_secret",
                )
                .await
            }
        }
    }

    /// The REST host: the configured one, else the account's default host.
    pub fn base_url_for(&self, credentials: &NetSuiteCredentials) -> String {
        self.base_url.clone().unwrap_or_else(|| {
            format!(
                "https://{}",
                crate::netsuite::host_for_account(&credentials.account_id)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_env::pairs;
    use super::*;

    #[test]
    fn names_missing_and_invalid_variables() {
        let e = NetSuiteSettings::load(&Env::new(&pairs(&[]))).unwrap_err();
        assert!(e.to_string().contains("NETSUITE_ACCOUNT_ID"), "{e}");
        let env = pairs(&[
            ("NETSUITE_SECRET_ID", "x"),
            ("NETSUITE_CONCURRENCY_LIMIT", "2"),
            ("WRITER_MAX_CONCURRENCY", "3"),
        ]);
        let e = NetSuiteSettings::load(&Env::new(&env)).unwrap_err();
        assert!(e.to_string().contains("WRITER_MAX_CONCURRENCY"), "{e}");
        let env = pairs(&[("NETSUITE_SECRET_ID", "x")]);
        let s = NetSuiteSettings::load(&Env::new(&env)).unwrap();
        assert_eq!(s.budget.per_invocation(), 2);
    }
}
