//! NetSuite OAuth 2.0 client credentials (machine to machine): the signed
//! JWT client assertion that buys an access token.
//!
//! Rules from the NetSuite REST reference notes §1b (Oracle help
//! section_162755359851 "OAuth 2.0 Client Credentials Flow",
//! section_162790605110 "OAuth 2.0 Client Credentials (M2M) Setup",
//! section_0312092247):
//! - `POST https://<account>.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token`,
//!   form-encoded `grant_type=client_credentials`,
//!   `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
//!   `client_assertion=<JWT>`;
//! - JWT header `typ: JWT`, `alg` one of PS256/384/512 or ES256/384/512 (RS256
//!   is not in Oracle's list), `kid` = the certificate id of the M2M mapping;
//! - JWT payload `iss` = the integration's client id, `scope`, `aud` = the
//!   token URL, `iat`, and `exp` at most 60 minutes after `iat`.
//!
//! This client signs with PS256 (RSA key) or ES256 (P-256 key) only.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

/// The token endpoint's path on the account's SuiteTalk REST host.
pub const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";
/// `grant_type` of the client credentials flow.
pub const GRANT_TYPE: &str = "client_credentials";
/// `client_assertion_type` for a JWT assertion (RFC 7523 §2.2).
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The only scope this product needs: record and SuiteQL calls.
pub const SCOPE: &str = "rest_webservices";
/// Oracle's limit on `exp - iat`.
pub const MAX_ASSERTION_SECS: i64 = 60 * 60;
/// How long this client's assertions live: one token request, so short.
pub const ASSERTION_SECS: i64 = 5 * 60;

/// The two signature algorithms this client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum M2mAlgorithm {
    /// RSASSA-PSS with SHA-256; needs an RSA private key.
    PS256,
    /// ECDSA P-256 with SHA-256; needs a P-256 private key.
    ES256,
}

impl M2mAlgorithm {
    fn jwt(self) -> Algorithm {
        match self {
            M2mAlgorithm::PS256 => Algorithm::PS256,
            M2mAlgorithm::ES256 => Algorithm::ES256,
        }
    }
}

/// The M2M set of one integration: what the NetSuite secret holds.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct M2mCredentials {
    /// Account id in NetSuite's own form, e.g. `1234567_SB1`.
    pub account_id: String,
    /// The integration record's client id (the JWT's `iss`).
    pub client_id: String,
    /// The certificate id from the M2M setup page (the JWT's `kid`).
    pub certificate_id: String,
    /// The PKCS#8 PEM private key whose certificate was uploaded.
    pub private_key: String,
    /// PS256 or ES256; when absent, chosen from the key (RSA → PS256, EC → ES256).
    #[serde(default)]
    pub algorithm: Option<M2mAlgorithm>,
}

impl std::fmt::Debug for M2mCredentials {
    // The private key never reaches a log line, even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("M2mCredentials")
            .field("account_id", &self.account_id)
            .field("certificate_id", &self.certificate_id)
            .field("private_key", &"<redacted>")
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

/// The JWT claims of a client assertion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssertionClaims {
    pub iss: String,
    pub scope: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Why an assertion cannot be made. Never carries key material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum M2mError {
    #[error("the private key is not a PKCS#8 PEM RSA or P-256 key ({0})")]
    Key(String),
    #[error("the private key cannot sign {alg:?}: {detail}")]
    Sign { alg: M2mAlgorithm, detail: String },
}

/// Signs client assertions with a key parsed once.
pub struct AssertionSigner {
    key: EncodingKey,
    alg: M2mAlgorithm,
    kid: String,
    iss: String,
}

impl std::fmt::Debug for AssertionSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssertionSigner")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish()
    }
}

impl AssertionSigner {
    /// Parses the key and proves it can sign with the chosen algorithm, so a
    /// wrong key fails at start-up rather than on the first order.
    pub fn new(creds: &M2mCredentials) -> Result<Self, M2mError> {
        let pem = creds.private_key.as_bytes();
        let (key, alg) = match creds.algorithm {
            Some(M2mAlgorithm::ES256) => (EncodingKey::from_ec_pem(pem), M2mAlgorithm::ES256),
            Some(M2mAlgorithm::PS256) => (EncodingKey::from_rsa_pem(pem), M2mAlgorithm::PS256),
            None => match EncodingKey::from_ec_pem(pem) {
                Ok(k) => (Ok(k), M2mAlgorithm::ES256),
                Err(_) => (EncodingKey::from_rsa_pem(pem), M2mAlgorithm::PS256),
            },
        };
        let key = key.map_err(|e| M2mError::Key(e.to_string()))?;
        let signer = Self {
            key,
            alg,
            kid: creds.certificate_id.clone(),
            iss: creds.client_id.clone(),
        };
        signer.assertion("https://probe.invalid/", 0)?;
        Ok(signer)
    }

    pub fn algorithm(&self) -> M2mAlgorithm {
        self.alg
    }

    /// A signed assertion for `token_url`, issued at `now` (unix seconds)
    /// and valid for [`ASSERTION_SECS`].
    pub fn assertion(&self, token_url: &str, now: i64) -> Result<String, M2mError> {
        let mut header = Header::new(self.alg.jwt());
        header.typ = Some("JWT".into());
        header.kid = Some(self.kid.clone());
        let claims = AssertionClaims {
            iss: self.iss.clone(),
            scope: SCOPE.into(),
            aud: token_url.into(),
            iat: now,
            exp: now + ASSERTION_SECS,
        };
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| M2mError::Sign {
            alg: self.alg,
            detail: e.to_string(),
        })
    }
}

/// The form body of a token request carrying `assertion`.
pub fn token_request_body(assertion: &str) -> String {
    format!(
        "grant_type={GRANT_TYPE}&client_assertion_type={}&client_assertion={}",
        super::netsuite::pct(CLIENT_ASSERTION_TYPE),
        super::netsuite::pct(assertion)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC_KEY: &str = include_str!("../../../local/fixtures/netsuite-m2m/ec-private.pem");
    const EC_CERT: &str = include_str!("../../../local/fixtures/netsuite-m2m/ec-cert.pem");
    const RSA_KEY: &str = include_str!("../../../local/fixtures/netsuite-m2m/rsa-private.pem");
    const RSA_CERT: &str = include_str!("../../../local/fixtures/netsuite-m2m/rsa-cert.pem");

    fn creds(key: &str, algorithm: Option<M2mAlgorithm>) -> M2mCredentials {
        M2mCredentials {
            account_id: "1234567_SB1".into(),
            client_id: "client-1".into(),
            certificate_id: "cert-1".into(),
            private_key: key.into(),
            algorithm,
        }
    }

    fn decode(jwt: &str, cert: &str, alg: Algorithm) -> (Header, AssertionClaims) {
        let key = match alg {
            Algorithm::ES256 => jsonwebtoken::DecodingKey::from_ec_pem(cert.as_bytes()),
            _ => jsonwebtoken::DecodingKey::from_rsa_pem(cert.as_bytes()),
        }
        .unwrap();
        let mut v = jsonwebtoken::Validation::new(alg);
        v.set_audience(&[
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token",
        ]);
        v.validate_exp = false;
        let data = jsonwebtoken::decode::<AssertionClaims>(jwt, &key, &v).unwrap();
        (data.header, data.claims)
    }

    #[test]
    fn picks_the_algorithm_from_the_key_and_fills_every_claim() {
        let url =
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token";
        for (key, cert, alg) in [
            (EC_KEY, EC_CERT, Algorithm::ES256),
            (RSA_KEY, RSA_CERT, Algorithm::PS256),
        ] {
            let s = AssertionSigner::new(&creds(key, None)).unwrap();
            let jwt = s.assertion(url, 1_700_000_000).unwrap();
            let (h, c) = decode(&jwt, cert, alg);
            assert_eq!(h.alg, alg);
            assert_eq!(h.typ.as_deref(), Some("JWT"));
            assert_eq!(h.kid.as_deref(), Some("cert-1"));
            assert_eq!(c.iss, "client-1");
            assert_eq!(c.scope, "rest_webservices");
            assert_eq!(c.aud, url);
            assert_eq!(c.iat, 1_700_000_000);
            assert!(c.exp > c.iat && c.exp - c.iat <= MAX_ASSERTION_SECS);
        }
    }

    #[test]
    fn a_key_that_does_not_fit_fails_at_start_without_echoing_it() {
        let e = AssertionSigner::new(&creds(RSA_KEY, Some(M2mAlgorithm::ES256))).unwrap_err();
        assert!(!e.to_string().contains("BEGIN"), "{e}");
        let e = AssertionSigner::new(&creds("not a key", None)).unwrap_err();
        assert!(matches!(e, M2mError::Key(_)), "{e}");
        let e = AssertionSigner::new(&creds(EC_KEY, Some(M2mAlgorithm::PS256))).unwrap_err();
        assert!(!e.to_string().contains(EC_KEY.lines().nth(1).unwrap()));
        let dbg = format!("{:?}", creds(EC_KEY, None));
        assert!(
            !dbg.contains("BEGIN") && dbg.contains("<redacted>"),
            "{dbg}"
        );
    }

    #[test]
    fn form_body_is_percent_encoded() {
        assert_eq!(
            token_request_body("a.b-c_d"),
            "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b-c_d"
        );
    }
}
