//! NetSuite: the credentials (TBA or OAuth 2.0 M2M), the REST host, and
//! the concurrency budget.

use super::{read_json_secret, ConfigError, Env};
use crate::netsuite::{NetSuiteAuth, NetSuiteBudget};
use crate::signing::netsuite_m2m::M2mCredentials;

/// Where NetSuite's credentials come from.
#[derive(Clone, PartialEq, Eq)]
pub enum NetSuiteSource {
    /// `NETSUITE_SECRET_ID`: JSON, see [`NetSuiteCredentials`].
    SecretsManager(String),
    Env(NetSuiteCredentials),
}

impl std::fmt::Debug for NetSuiteSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SecretsManager(id) => write!(f, "SecretsManager({id})"),
            Self::Env(c) => write!(f, "Env(account {})", c.account_id()),
        }
    }
}

/// The NetSuite secret: today's TBA set unchanged, or an M2M set tagged
/// `"auth": "m2m"`:
/// - TBA: `{"account_id","consumer_key","consumer_secret","token_id","token_secret"}`
///   (an `"auth": "tba"` tag is allowed);
/// - M2M: `{"auth":"m2m","account_id","client_id","certificate_id","private_key"}`
///   plus an optional `"algorithm": "PS256" | "ES256"` (else chosen from the key).
#[derive(Clone, PartialEq, Eq)]
pub enum NetSuiteCredentials {
    Tba(TbaKeys),
    M2m(M2mCredentials),
}

impl std::fmt::Debug for NetSuiteCredentials {
    // Names the mode and account only: no key or secret reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Tba(k) => write!(f, "Tba(account {})", k.account_id),
            Self::M2m(c) => write!(f, "{c:?}"),
        }
    }
}

/// The TBA part of the secret.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct TbaKeys {
    pub account_id: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token_id: String,
    pub token_secret: String,
}

impl<'de> serde::Deserialize<'de> for NetSuiteCredentials {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_json::Value::deserialize(d)?;
        // serde_json's own messages may quote a value; these never do.
        let shape = |mode: &str, e: serde_json::Error| {
            D::Error::custom(format!(
                "not a {mode} NetSuite secret ({})",
                field_error(&e)
            ))
        };
        match v.get("auth").map(|a| a.as_str()) {
            None | Some(Some("tba")) => serde_json::from_value(v)
                .map(Self::Tba)
                .map_err(|e| shape("TBA", e)),
            Some(Some("m2m")) => serde_json::from_value(v)
                .map(Self::M2m)
                .map_err(|e| shape("M2M", e)),
            _ => Err(D::Error::custom("\"auth\" must be \"tba\" or \"m2m\"")),
        }
    }
}

/// A serde error reduced to the field it names.
fn field_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.find('`') {
        Some(i) => msg[..msg[i + 1..].find('`').map_or(msg.len(), |j| i + j + 2)].to_string(),
        None => "unreadable".into(),
    }
}

impl NetSuiteCredentials {
    pub fn account_id(&self) -> &str {
        match self {
            Self::Tba(k) => &k.account_id,
            Self::M2m(c) => &c.account_id,
        }
    }

    /// What the client authenticates with.
    pub fn auth(&self) -> NetSuiteAuth {
        match self {
            Self::Tba(k) => NetSuiteAuth::Tba(crate::signing::netsuite::TbaCredentials {
                realm: k.account_id.clone(),
                consumer_key: k.consumer_key.clone(),
                consumer_secret: k.consumer_secret.clone(),
                token_id: k.token_id.clone(),
                token_secret: k.token_secret.clone(),
            }),
            Self::M2m(c) => NetSuiteAuth::M2m(c.clone()),
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
    /// `NETSUITE_CONCURRENCY_LIMIT` ÷ `WRITER_MAX_CONCURRENCY` (without a
    /// slot pool), or the whole share held in the pool.
    pub budget: NetSuiteBudget,
    /// `NETSUITE_SLOTS_TABLE`: the deployment's one NetSuite budget, a pool
    /// of `NETSUITE_CONCURRENCY_LIMIT` slots every function takes from.
    pub slots: Option<SlotPoolSettings>,
}

/// Where the shared NetSuite slot pool lives and how this function uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotPoolSettings {
    pub table: String,
    /// `NETSUITE_MAX_IN_FLIGHT`: most requests this process sends at once
    /// (a job sends one at a time); default: the whole share.
    pub max_in_flight: usize,
    /// `NETSUITE_LEASE_SECS` (default 50): a dead holder's slot comes back
    /// after at most this; requests are cut to fit inside it.
    pub lease: std::time::Duration,
}

impl NetSuiteSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        let hint = "set NETSUITE_SECRET_ID to a Secrets Manager secret, or for local runs NETSUITE_ACCOUNT_ID with NETSUITE_CONSUMER_KEY, NETSUITE_CONSUMER_SECRET, NETSUITE_TOKEN_ID and NETSUITE_TOKEN_SECRET (TBA) or with NETSUITE_CLIENT_ID, NETSUITE_CERTIFICATE_ID and NETSUITE_PRIVATE_KEY (OAuth 2.0 M2M)";
        let source = match env.get("NETSUITE_SECRET_ID") {
            Some(id) => NetSuiteSource::SecretsManager(id),
            None if env.get("NETSUITE_CLIENT_ID").is_some() => {
                NetSuiteSource::Env(NetSuiteCredentials::M2m(M2mCredentials {
                    account_id: env.required("NETSUITE_ACCOUNT_ID", hint)?,
                    client_id: env.required("NETSUITE_CLIENT_ID", hint)?,
                    certificate_id: env.required("NETSUITE_CERTIFICATE_ID", hint)?,
                    private_key: env.required("NETSUITE_PRIVATE_KEY", hint)?,
                    algorithm: None,
                }))
            }
            None => NetSuiteSource::Env(NetSuiteCredentials::Tba(TbaKeys {
                account_id: env.required("NETSUITE_ACCOUNT_ID", hint)?,
                consumer_key: env.required("NETSUITE_CONSUMER_KEY", hint)?,
                consumer_secret: env.required("NETSUITE_CONSUMER_SECRET", hint)?,
                token_id: env.required("NETSUITE_TOKEN_ID", hint)?,
                token_secret: env.required("NETSUITE_TOKEN_SECRET", hint)?,
            })),
        };
        let account_share = env.number("NETSUITE_CONCURRENCY_LIMIT", 5, 1, 1000)?;
        let concurrent_invocations = env.number("WRITER_MAX_CONCURRENCY", 2, 1, 1000)?;
        let slots = match env.get("NETSUITE_SLOTS_TABLE") {
            Some(table) => Some(SlotPoolSettings {
                table,
                max_in_flight: env.number(
                    "NETSUITE_MAX_IN_FLIGHT",
                    account_share,
                    1,
                    account_share,
                )?,
                lease: std::time::Duration::from_secs(env.number(
                    "NETSUITE_LEASE_SECS",
                    50,
                    3,
                    900,
                )?),
            }),
            None => None,
        };
        if slots.is_none() && concurrent_invocations > account_share {
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
            slots,
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
                    "with account_id, consumer_key, consumer_secret, token_id, token_secret (TBA) or auth \"m2m\", account_id, client_id, certificate_id, private_key (OAuth 2.0 M2M)",
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
                crate::netsuite::host_for_account(credentials.account_id())
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
        assert_eq!(s.slots, None);
        let env = pairs(&[
            ("NETSUITE_SECRET_ID", "x"),
            ("NETSUITE_SLOTS_TABLE", "runs"),
            ("NETSUITE_MAX_IN_FLIGHT", "1"),
        ]);
        let s = NetSuiteSettings::load(&Env::new(&env)).unwrap();
        assert_eq!(s.slots.unwrap().max_in_flight, 1);
        let env = pairs(&[
            ("NETSUITE_SECRET_ID", "x"),
            ("NETSUITE_SLOTS_TABLE", "runs"),
            ("NETSUITE_MAX_IN_FLIGHT", "6"),
        ]);
        assert!(NetSuiteSettings::load(&Env::new(&env)).is_err());
    }

    #[test]
    fn client_id_selects_m2m_from_the_environment() {
        let env = pairs(&[
            ("NETSUITE_ACCOUNT_ID", "123_SB1"),
            ("NETSUITE_CLIENT_ID", "cid"),
            ("NETSUITE_CERTIFICATE_ID", "kid"),
            ("NETSUITE_PRIVATE_KEY", "pem"),
        ]);
        let s = NetSuiteSettings::load(&Env::new(&env)).unwrap();
        let NetSuiteSource::Env(NetSuiteCredentials::M2m(c)) = &s.source else {
            panic!("{:?}", s.source)
        };
        assert_eq!(
            (c.client_id.as_str(), c.certificate_id.as_str()),
            ("cid", "kid")
        );
        let env = pairs(&[("NETSUITE_ACCOUNT_ID", "1"), ("NETSUITE_CLIENT_ID", "cid")]);
        let e = NetSuiteSettings::load(&Env::new(&env)).unwrap_err();
        assert!(e.to_string().contains("NETSUITE_CERTIFICATE_ID"), "{e}");
    }

    #[test]
    fn the_secret_is_tba_unchanged_or_tagged_m2m() {
        let tba = r#"{"account_id":"1","consumer_key":"ck","consumer_secret":"cs","token_id":"t","token_secret":"ts"}"#;
        let c: NetSuiteCredentials = serde_json::from_str(tba).unwrap();
        assert!(matches!(&c, NetSuiteCredentials::Tba(k) if k.token_secret == "ts"));
        let tagged = tba.replacen('{', r#"{"auth":"tba","#, 1);
        let c: NetSuiteCredentials = serde_json::from_str(&tagged).unwrap();
        assert!(matches!(c.auth(), NetSuiteAuth::Tba(t) if t.realm == "1"));
        let m2m = r#"{"auth":"m2m","account_id":"1_SB1","client_id":"cid","certificate_id":"kid","private_key":"-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----","algorithm":"PS256"}"#;
        let c: NetSuiteCredentials = serde_json::from_str(m2m).unwrap();
        let NetSuiteAuth::M2m(m) = c.auth() else {
            panic!("not m2m")
        };
        assert_eq!(
            m.algorithm,
            Some(crate::signing::netsuite_m2m::M2mAlgorithm::PS256)
        );
        assert_eq!(c.account_id(), "1_SB1");
        // RS256 is never accepted; an unknown mode is named; no value is echoed.
        let rs = m2m.replace("PS256", "RS256");
        let e = serde_json::from_str::<NetSuiteCredentials>(&rs).unwrap_err();
        assert!(!e.to_string().contains("secret\\n"), "{e}");
        let e = serde_json::from_str::<NetSuiteCredentials>(r#"{"auth":"oauth1"}"#).unwrap_err();
        assert!(e.to_string().contains("\"m2m\""), "{e}");
        let e = serde_json::from_str::<NetSuiteCredentials>(
            r#"{"auth":"m2m","account_id":"1","private_key":"k"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("client_id"), "{e}");
    }
}
