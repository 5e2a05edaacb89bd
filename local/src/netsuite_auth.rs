//! Which NetSuite authentication a local environment uses.
//!
//! `TNS_NETSUITE_AUTH` picks it for the whole local environment (demo,
//! benchmarks and every integration test), unless [`LocalOptions`] names a
//! mode:
//! - unset or `tba`: TBA with the seed's keys, as before;
//! - `m2m`: OAuth 2.0 client credentials with ES256 (the P-256 test key);
//! - `m2m-ps256`: the same with PS256 (the RSA test key).
//!
//! In an M2M mode the simulator gets the test certificates (as a merchant
//! uploads them on the M2M setup page) and the NetSuite secret is created in
//! Secrets Manager on moto in the `"auth": "m2m"` form, so the apps read it
//! exactly as on Lambda. The keys are test-only fixtures
//! (`local/fixtures/netsuite-m2m/README.md`).
//!
//! [`LocalOptions`]: crate::LocalOptions

use shared::config::{NetSuiteCredentials, NetSuiteSource, TbaKeys};
use shared::signing::netsuite_m2m::{M2mAlgorithm, M2mCredentials};
use simulators::netsuite::M2mClient;
use simulators::seed::NetSuiteSeed;
use simulators::NetSuiteSim;

/// The integration's client id registered in the simulator.
pub const CLIENT_ID: &str = "sim-m2m-client-0001";
/// Certificate id of the P-256 test certificate (ES256).
pub const EC_CERTIFICATE_ID: &str = "sim-cert-es256";
/// Certificate id of the RSA test certificate (PS256).
pub const RSA_CERTIFICATE_ID: &str = "sim-cert-ps256";

pub const EC_PRIVATE_KEY: &str = include_str!("../fixtures/netsuite-m2m/ec-private.pem");
pub const EC_CERTIFICATE: &str = include_str!("../fixtures/netsuite-m2m/ec-cert.pem");
pub const RSA_PRIVATE_KEY: &str = include_str!("../fixtures/netsuite-m2m/rsa-private.pem");
pub const RSA_CERTIFICATE: &str = include_str!("../fixtures/netsuite-m2m/rsa-cert.pem");
/// A P-256 key with no certificate anywhere: signatures by it must fail.
pub const OTHER_EC_PRIVATE_KEY: &str =
    include_str!("../fixtures/netsuite-m2m/other-ec-private.pem");

/// The environment variable that picks the mode.
pub const MODE_VAR: &str = "TNS_NETSUITE_AUTH";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetSuiteAuthMode {
    /// Read [`MODE_VAR`]; TBA when unset.
    #[default]
    FromEnv,
    Tba,
    /// OAuth 2.0 M2M signed with this algorithm.
    M2m(M2mAlgorithm),
}

impl NetSuiteAuthMode {
    /// Resolves [`NetSuiteAuthMode::FromEnv`]; an unknown value is an error,
    /// not a silent fallback to TBA.
    pub fn resolve(self) -> Result<Self, String> {
        if self != Self::FromEnv {
            return Ok(self);
        }
        match std::env::var(MODE_VAR).ok().as_deref().map(str::trim) {
            None | Some("") | Some("tba") => Ok(Self::Tba),
            Some("m2m") | Some("m2m-es256") => Ok(Self::M2m(M2mAlgorithm::ES256)),
            Some("m2m-ps256") => Ok(Self::M2m(M2mAlgorithm::PS256)),
            Some(other) => Err(format!(
                "{MODE_VAR}={other:?}: use tba, m2m (ES256) or m2m-ps256"
            )),
        }
    }
}

/// Registers both test certificates with the simulator.
pub fn register_test_certificates(sim: &NetSuiteSim) -> Result<(), String> {
    for (certificate_id, certificate) in [
        (EC_CERTIFICATE_ID, EC_CERTIFICATE),
        (RSA_CERTIFICATE_ID, RSA_CERTIFICATE),
    ] {
        sim.register_m2m_client(M2mClient {
            client_id: CLIENT_ID.into(),
            certificate_id: certificate_id.into(),
            certificate: certificate.into(),
        })?;
    }
    Ok(())
}

/// The M2M set for the simulator's account, signing with `alg`.
pub fn m2m_credentials(seed: &NetSuiteSeed, alg: M2mAlgorithm) -> M2mCredentials {
    let (certificate_id, key) = match alg {
        M2mAlgorithm::ES256 => (EC_CERTIFICATE_ID, EC_PRIVATE_KEY),
        M2mAlgorithm::PS256 => (RSA_CERTIFICATE_ID, RSA_PRIVATE_KEY),
    };
    M2mCredentials {
        account_id: seed.account_id.clone(),
        client_id: CLIENT_ID.into(),
        certificate_id: certificate_id.into(),
        private_key: key.into(),
        algorithm: Some(alg),
    }
}

/// The TBA keys of the simulator's account.
pub fn tba_keys(seed: &NetSuiteSeed) -> TbaKeys {
    TbaKeys {
        account_id: seed.account_id.clone(),
        consumer_key: seed.consumer_key.clone(),
        consumer_secret: seed.consumer_secret.clone(),
        token_id: seed.token_id.clone(),
        token_secret: seed.token_secret.clone(),
    }
}

/// Where the local apps read NetSuite's credentials from: the environment
/// for TBA (as before), a `{prefix}-netsuite` secret on moto for M2M.
pub async fn source(
    mode: NetSuiteAuthMode,
    seed: &NetSuiteSeed,
    secrets: &aws_sdk_secretsmanager::Client,
    prefix: &str,
) -> Result<NetSuiteSource, crate::LocalError> {
    let alg = match mode.resolve().map_err(crate::LocalError::NetSuiteAuth)? {
        NetSuiteAuthMode::M2m(alg) => alg,
        _ => {
            return Ok(NetSuiteSource::Env(NetSuiteCredentials::Tba(tba_keys(
                seed,
            ))))
        }
    };
    let mut secret = serde_json::to_value(m2m_credentials(seed, alg))
        .map_err(|e| crate::LocalError::NetSuiteAuth(e.to_string()))?;
    secret["auth"] = "m2m".into();
    let name = format!("{prefix}-netsuite");
    let out = secrets
        .create_secret()
        .name(&name)
        .secret_string(secret.to_string())
        .send()
        .await
        .map_err(|e| crate::bootstrap::BootstrapError {
            resource: name.clone(),
            reason: shared::store::aws::describe(&e),
        })?;
    Ok(NetSuiteSource::SecretsManager(
        out.arn().unwrap_or(&name).to_string(),
    ))
}
