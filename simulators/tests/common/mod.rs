//! Signed-request helpers for the simulator tests, built on the shared
//! signing code exactly as the real clients use it.
#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::Value;
use shared::signing::{netsuite as tba, tiktok};

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A TikTok Open API caller with explicit control over each common parameter.
pub struct TikTok {
    pub base: String,
    pub app_key: String,
    pub app_secret: String,
    pub client: reqwest::Client,
}

pub struct TtCall<'a> {
    pub path: &'a str,
    pub params: Vec<(&'a str, String)>,
    pub token: Option<&'a str>,
    pub timestamp: i64,
    /// Replace the computed sign with this value.
    pub sign_override: Option<&'a str>,
}

impl TikTok {
    pub fn call<'a>(&self, path: &'a str, token: Option<&'a str>) -> TtCall<'a> {
        TtCall {
            path,
            params: Vec::new(),
            token,
            timestamp: now(),
            sign_override: None,
        }
    }

    pub async fn send(&self, c: TtCall<'_>) -> (StatusCode, Value) {
        let mut q: Vec<(String, String)> = vec![
            ("app_key".into(), self.app_key.clone()),
            ("timestamp".into(), c.timestamp.to_string()),
        ];
        q.extend(c.params.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let pairs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let sign = c
            .sign_override
            .map(str::to_string)
            .unwrap_or_else(|| tiktok::api_sign(&self.app_secret, c.path, &pairs, None));
        q.push(("sign".into(), sign));
        let mut req = self
            .client
            .get(format!("{}{}", self.base, c.path))
            .query(&q);
        if let Some(t) = c.token {
            req = req.header("x-tts-access-token", t);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }
}

impl TikTok {
    /// Sends a signed POST whose sign covers the exact JSON body bytes.
    pub async fn send_post(&self, c: TtCall<'_>, body: &Value) -> (StatusCode, Value) {
        let raw = body.to_string();
        let mut q: Vec<(String, String)> = vec![
            ("app_key".into(), self.app_key.clone()),
            ("timestamp".into(), c.timestamp.to_string()),
        ];
        q.extend(c.params.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let pairs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let sign = c.sign_override.map(str::to_string).unwrap_or_else(|| {
            tiktok::api_sign(&self.app_secret, c.path, &pairs, Some(raw.as_bytes()))
        });
        q.push(("sign".into(), sign));
        let mut req = self
            .client
            .post(format!("{}{}", self.base, c.path))
            .query(&q)
            .header("content-type", "application/json")
            .body(raw);
        if let Some(t) = c.token {
            req = req.header("x-tts-access-token", t);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }
}

/// A NetSuite REST caller signing every request with TBA.
pub struct NetSuite {
    pub base: String,
    pub creds: tba::TbaCredentials,
    pub client: reqwest::Client,
}

pub struct NsResponse {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl NetSuite {
    pub fn auth_header(&self, method: &Method, url: &str) -> String {
        tba::authorization_header(
            &self.creds,
            method.as_str(),
            url,
            &tba::new_nonce(),
            now() as u64,
        )
    }

    /// Sends `method path_and_query` with a fresh nonce. `headers` are extra.
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> NsResponse {
        let url = format!("{}{}", self.base, path_and_query);
        let auth = self.auth_header(&method, &url);
        self.send_with_auth(method, path_and_query, body, headers, &auth)
            .await
    }

    pub async fn send_with_auth(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
        auth: &str,
    ) -> NsResponse {
        let url = format!("{}{}", self.base, path_and_query);
        let mut req = self
            .client
            .request(method, &url)
            .header("authorization", auth);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        NsResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn suiteql(&self, q: &str, limit: usize, offset: usize) -> NsResponse {
        let body = serde_json::json!({ "q": q });
        self.send(
            Method::POST,
            &format!("/services/rest/query/v1/suiteql?limit={limit}&offset={offset}"),
            Some(&body),
            &[("prefer", "transient")],
        )
        .await
    }
}

pub fn error_code(body: &Value) -> &str {
    body["o:errorDetails"][0]["o:errorCode"]
        .as_str()
        .unwrap_or("")
}

pub fn location_id(headers: &reqwest::header::HeaderMap) -> String {
    let loc = headers.get("location").unwrap().to_str().unwrap();
    loc.rsplit('/').next().unwrap().to_string()
}
