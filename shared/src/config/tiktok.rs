//! The TikTok app's credentials and the TikTok hosts.

use super::{read_json_secret, ConfigError, Env};

pub const DEFAULT_TIKTOK_API_BASE_URL: &str = "https://open-api.tiktokglobalshop.com";
pub const DEFAULT_TIKTOK_AUTH_BASE_URL: &str = "https://auth.tiktok-shops.com";

pub use crate::tiktok::TikTokApp;

/// Where the TikTok app key and secret come from.
#[derive(Clone, PartialEq, Eq)]
pub enum TikTokAppSource {
    /// `TIKTOK_APP_SECRET_ID`: a Secrets Manager secret `{"app_key":…,"app_secret":…}`.
    SecretsManager(String),
    /// `TIKTOK_APP_KEY` + `TIKTOK_APP_SECRET` in the environment (local runs).
    Env(TikTokApp),
}

impl std::fmt::Debug for TikTokAppSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SecretsManager(id) => write!(f, "SecretsManager({id})"),
            Self::Env(app) => write!(f, "Env({app:?})"),
        }
    }
}

impl TikTokAppSource {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(match env.get("TIKTOK_APP_SECRET_ID") {
            Some(id) => Self::SecretsManager(id),
            None => {
                let hint = "set TIKTOK_APP_SECRET_ID to a Secrets Manager secret, or TIKTOK_APP_KEY and TIKTOK_APP_SECRET for local runs";
                Self::Env(TikTokApp {
                    app_key: env.required("TIKTOK_APP_KEY", hint)?,
                    app_secret: env.required("TIKTOK_APP_SECRET", hint)?,
                })
            }
        })
    }

    /// The credentials, reading Secrets Manager when configured.
    pub async fn resolve(
        &self,
        secrets: &aws_sdk_secretsmanager::Client,
    ) -> Result<TikTokApp, ConfigError> {
        match self {
            Self::Env(app) => Ok(app.clone()),
            Self::SecretsManager(id) => {
                read_json_secret(secrets, id, r#"{"app_key":…,"app_secret":…}"#).await
            }
        }
    }
}

/// The TikTok hosts a caller of the Open API needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TikTokApiSettings {
    /// `TIKTOK_API_BASE_URL`: the Open API host (https, or a loopback simulator).
    pub api_base_url: String,
    /// `TIKTOK_AUTH_BASE_URL`: the token refresh host.
    pub auth_base_url: String,
}

impl TikTokApiSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        let url = |var: &'static str, default: &str| -> Result<String, ConfigError> {
            let v = env.get(var).unwrap_or_else(|| default.into());
            if v.starts_with("https://") || v.starts_with("http://127.") {
                Ok(v)
            } else {
                Err(ConfigError::Invalid {
                    var,
                    reason: format!("{v} must be an https:// URL (or a loopback simulator)"),
                })
            }
        };
        Ok(Self {
            api_base_url: url("TIKTOK_API_BASE_URL", DEFAULT_TIKTOK_API_BASE_URL)?,
            auth_base_url: url("TIKTOK_AUTH_BASE_URL", DEFAULT_TIKTOK_AUTH_BASE_URL)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_env::pairs;
    use super::*;

    #[test]
    fn secret_id_wins_over_plain_keys() {
        let env = pairs(&[(
            "TIKTOK_APP_SECRET_ID",
            "arn:aws:secretsmanager:eu-west-1:1:secret:tt",
        )]);
        let s = TikTokAppSource::load(&Env::new(&env)).unwrap();
        assert!(matches!(s, TikTokAppSource::SecretsManager(_)));
        let e = TikTokAppSource::load(&Env::new(&pairs(&[]))).unwrap_err();
        assert!(e.to_string().contains("TIKTOK_APP_SECRET_ID"), "{e}");
    }

    #[test]
    fn hosts_must_be_https_or_loopback() {
        let ok = TikTokApiSettings::load(&Env::new(&pairs(&[]))).unwrap();
        assert_eq!(ok.api_base_url, DEFAULT_TIKTOK_API_BASE_URL);
        let env = pairs(&[("TIKTOK_API_BASE_URL", "http://example.com")]);
        let e = TikTokApiSettings::load(&Env::new(&env)).unwrap_err();
        assert!(e.to_string().contains("TIKTOK_API_BASE_URL"), "{e}");
    }
}
