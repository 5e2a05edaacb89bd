//! The File Cabinet from outside NetSuite, and a PATCH that replaces a
//! sublist (tiktok-shipping.md §8; netsuite-rest-api.md "Sublist lines are
//! added, not replaced, unless you say `replace`").
//!
//! - [`NetSuiteClient::upload_file`]: `POST /services/rest/document/v1/file`
//!   (the REST document service, Oracle help article_0909085903, 10 MB
//!   limit; the record service has no file upload). The content goes
//!   base64 (`file.File`: binary content must be base64). Not
//!   idempotent: a lost answer is found by [`NetSuiteClient::find_file`]
//!   (SuiteQL `file`, by name and folder), never posted again blindly.
//! - [`NetSuiteClient::attach_file`]: `POST …/record/v1/{type}/{id}/!attach/file/{fileId}`
//!   (REST attach, NetSuite 2026.1; Item Fulfillment accepts files, SOAP
//!   attach section_N3481947).
//! - [`NetSuiteClient::patch_replacing`]: PATCH with `?replace=`, so a
//!   retried write of the `package` sublist never appends a second line.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};

use super::error::NsError;
use super::transport::{check_id, check_record_type, Call, Kind, NetSuiteClient, RECORD_PREFIX};
use crate::signing::netsuite::pct;

const DOCUMENT_FILE_PATH: &str = "/services/rest/document/v1/file";

impl NetSuiteClient {
    /// Uploads `content` as `name` into `folder`; returns the file's id.
    pub async fn upload_file(
        &self,
        name: &str,
        folder: &str,
        content: &[u8],
    ) -> Result<String, NsError> {
        check_id(folder)?;
        let body = json!({
            "name": name,
            "folder": {"id": folder},
            "content": base64::engine::general_purpose::STANDARD.encode(content),
        });
        let reply = self
            .execute(Call {
                method: Method::POST,
                path: DOCUMENT_FILE_PATH.into(),
                query: Vec::new(),
                body: Some(&body),
                kind: Kind::NonIdempotentWrite,
            })
            .await?;
        reply
            .location_id()
            .ok_or_else(|| reply.decode("file upload succeeded but returned no Location id".into()))
    }

    /// The id of the file named `name` in `folder`, if there is one.
    pub async fn find_file(&self, name: &str, folder: &str) -> Result<Option<String>, NsError> {
        check_id(folder)?;
        let q = format!(
            "SELECT id FROM file WHERE folder = {} AND name = {}",
            super::sql_quote(folder),
            super::sql_quote(name)
        );
        let rows = self.suiteql(&q).await?;
        Ok(rows
            .first()
            .map(|r| super::column_text(r, "id"))
            .filter(|id| !id.is_empty()))
    }

    /// Attaches file `file` to record `record_type` `id`.
    pub async fn attach_file(
        &self,
        record_type: &str,
        id: &str,
        file: &str,
    ) -> Result<(), NsError> {
        check_record_type("record_type", record_type)?;
        check_id(id)?;
        check_id(file)?;
        let body = json!({});
        self.execute(Call {
            method: Method::POST,
            path: format!("{RECORD_PREFIX}/{record_type}/{id}/!attach/file/{file}"),
            query: Vec::new(),
            body: Some(&body),
            // Attaching an attached file again keeps one link.
            kind: Kind::IdempotentWrite,
        })
        .await
        .map(drop)
    }

    /// `PATCH /record/v1/{type}/{id}?replace=…`: the body's lines of those
    /// sublists become the whole sublist, so sending it twice is harmless.
    pub async fn patch_replacing(
        &self,
        record_type: &str,
        id: &str,
        body: &Value,
        replace: &[&str],
    ) -> Result<(), NsError> {
        check_record_type("record_type", record_type)?;
        check_id(id)?;
        for s in replace {
            check_record_type("replace", s)?;
        }
        let query = if replace.is_empty() {
            Vec::new()
        } else {
            vec![("replace", pct(&replace.join(",")))]
        };
        self.execute(Call {
            method: Method::PATCH,
            path: format!("{RECORD_PREFIX}/{record_type}/{id}"),
            query,
            body: Some(body),
            kind: Kind::IdempotentWrite,
        })
        .await
        .map(drop)
    }
}
