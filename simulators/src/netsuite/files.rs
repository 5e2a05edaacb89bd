//! The File Cabinet: files uploaded through the REST document service and
//! attached to records (the TikTok Shipping label PDF on its Item
//! Fulfillment, tiktok-shipping.md §8).
//!
//! - `POST /services/rest/document/v1/file` creates a file ("Working with
//!   File Cabinet Records in REST Web Services", Oracle help
//!   article_0909085903: the document service, synchronous, **10 MB**
//!   upload limit). The body is JSON `{name, folder: {id}, content}` with
//!   the content base64 (binary content must be base64, `file.File`,
//!   section_4247974825). Refused as NetSuite refuses: no folder →
//!   `USER_ERROR` "Please enter value(s) for: Folder" (`File.save()`,
//!   section_4229271179; Apideck's NetSuite attachments page); a folder
//!   that does not exist → `INVALID_KEY_OR_REF` (same page); over 10 MB
//!   → 400. The page does not spell out the create body nor what a second
//!   file of the same name in the folder does: harsher reading, the body is
//!   only the fields above (others refused) and a same-named file in the
//!   folder is refused (`USER_ERROR`), so a retry must look the file up
//!   (SuiteQL `file`, `name` + `folder`) rather than post it again.
//! - `POST /services/rest/record/v1/{type}/{id}/!attach/file/{fileId}`
//!   attaches it (REST attach/detach, NetSuite 2026.1, "only contact and
//!   file records"; Item Fulfillment accepts file attachments, SOAP
//!   attach/detach section_N3481947). A file or record that does not exist
//!   is a user error (same page). Attaching an attached file again keeps
//!   one link (the record's Files subtab lists a file once; the source is
//!   silent on a repeat).
//!
//! The account has one folder for the labels, [`LABEL_FOLDER_ID`] ("TikTok
//! Labels"), as the README's setup tells an administrator to create.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use super::{NetSuiteSim, NsError};

/// The seed account's label folder.
pub const LABEL_FOLDER_ID: &str = "1201";
/// The document service's upload limit (article_0909085903).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// One stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: u64,
    pub name: String,
    pub folder: String,
    pub content: Vec<u8>,
}

/// Files, folders and attachments.
#[derive(Debug, Clone)]
pub(crate) struct FileCabinet {
    next_id: u64,
    folders: BTreeMap<String, String>,
    pub(crate) files: BTreeMap<u64, StoredFile>,
    /// (record type lower-cased, record id, file id).
    attachments: BTreeSet<(String, String, u64)>,
    pub(crate) uploads: u64,
}

impl Default for FileCabinet {
    fn default() -> Self {
        Self {
            next_id: 9001,
            folders: BTreeMap::from([(LABEL_FOLDER_ID.to_string(), "TikTok Labels".to_string())]),
            files: BTreeMap::new(),
            attachments: BTreeSet::new(),
            uploads: 0,
        }
    }
}

fn user_error(detail: impl Into<String>) -> NsError {
    NsError::bad_request("USER_ERROR", detail)
}

impl FileCabinet {
    fn create(&mut self, body: &Value) -> Result<u64, NsError> {
        let o = body
            .as_object()
            .ok_or_else(|| user_error("The request body must be a JSON object."))?;
        if let Some(bad) = o.keys().find(|k| {
            !["name", "folder", "content", "fileType", "description"].contains(&k.as_str())
        }) {
            return Err(NsError::bad_request(
                "INVALID_CONTENT",
                format!("Unknown field name {bad}."),
            ));
        }
        let name = o.get("name").and_then(Value::as_str).unwrap_or("").trim();
        if name.is_empty() {
            return Err(user_error("Please enter value(s) for: Name").path("name"));
        }
        let folder = match o.get("folder").and_then(|f| f.get("id")) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(user_error("Please enter value(s) for: Folder").path("folder")),
        };
        if !self.folders.contains_key(&folder) {
            return Err(NsError::bad_request(
                "INVALID_KEY_OR_REF",
                format!("Invalid folder reference key {folder}."),
            )
            .path("folder"));
        }
        let content = o.get("content").and_then(Value::as_str).unwrap_or("");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content)
            .map_err(|_| user_error("The file content must be base64-encoded.").path("content"))?;
        if bytes.is_empty() {
            return Err(user_error("Please enter value(s) for: Content").path("content"));
        }
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(user_error(
                "The file exceeds the 10 MB upload limit of the document service.",
            ));
        }
        if self
            .files
            .values()
            .any(|f| f.folder == folder && f.name.eq_ignore_ascii_case(name))
        {
            return Err(user_error(format!(
                "A file named {name} already exists in this folder."
            )));
        }
        let id = self.next_id;
        self.next_id += 1;
        self.uploads += 1;
        self.files.insert(
            id,
            StoredFile {
                id,
                name: name.to_string(),
                folder,
                content: bytes,
            },
        );
        Ok(id)
    }

    /// SuiteQL `file` rows: id, name, folder.
    pub(crate) fn rows(&self) -> impl Iterator<Item = &StoredFile> {
        self.files.values()
    }
}

/// `POST /services/rest/document/v1/file`.
pub(crate) async fn upload(
    State(sim): State<NetSuiteSim>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let body: Value = match serde_json::from_slice(&raw) {
        Ok(v) => v,
        Err(e) => {
            return NsError::bad_request("INVALID_CONTENT", format!("Invalid JSON: {e}"))
                .into_response()
        }
    };
    let created = sim.state().files.create(&body);
    match created {
        Ok(id) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            let mut resp = StatusCode::NO_CONTENT.into_response();
            if let Ok(loc) = HeaderValue::from_str(&format!(
                "http://{host}/services/rest/document/v1/file/{id}"
            )) {
                resp.headers_mut().insert(header::LOCATION, loc);
            }
            resp
        }
        Err(e) => e.into_response(),
    }
}

/// `POST /services/rest/record/v1/{type}/{id}/!attach/{kind}/{target}`.
pub(crate) async fn attach(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, id, kind, target)): Path<(String, String, String, String)>,
) -> Response {
    let r = (|| {
        if kind != "file" {
            // Only contact and file records attach (2026.1); contacts are not simulated.
            return Err(NsError::bad_request(
                "INVALID_CONTENT",
                format!("Attaching a {kind} record is not supported."),
            ));
        }
        let mut st = sim.state();
        let k = super::records::kind(&rtype).ok_or_else(NsError::not_found_record)?;
        if st.records.get(k.name, &id).is_none() {
            return Err(user_error(format!(
                "The record {rtype} {id} to attach to does not exist."
            )));
        }
        let file = target
            .parse::<u64>()
            .ok()
            .filter(|f| st.files.files.contains_key(f))
            .ok_or_else(|| user_error(format!("The file {target} does not exist.")))?;
        st.files
            .attachments
            .insert((k.name.to_ascii_lowercase(), id.clone(), file));
        Ok(StatusCode::NO_CONTENT.into_response())
    })();
    r.unwrap_or_else(|e: NsError| e.url(uri.path()).into_response())
}

impl NetSuiteSim {
    /// The files attached to a record (test view).
    pub fn attached_files(&self, record_type: &str, id: &str) -> Vec<StoredFile> {
        let st = self.state();
        let t = record_type.to_ascii_lowercase();
        st.files
            .attachments
            .iter()
            .filter(|(rt, rid, _)| *rt == t && rid == id)
            .filter_map(|(_, _, f)| st.files.files.get(f).cloned())
            .collect()
    }

    /// Every file uploaded (test view).
    pub fn files(&self) -> Vec<StoredFile> {
        self.state().files.files.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(b: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    #[test]
    fn a_file_needs_a_known_folder_base64_content_and_a_free_name() {
        let mut c = FileCabinet::default();
        let ok =
            json!({"name": "l.pdf", "folder": {"id": LABEL_FOLDER_ID}, "content": b64(b"%PDF")});
        let id = c.create(&ok).unwrap();
        assert_eq!(c.files[&id].content, b"%PDF");
        let code = |c: &mut FileCabinet, v: Value| c.create(&v).unwrap_err().code;
        assert_eq!(
            code(&mut c, ok.clone()),
            "USER_ERROR",
            "same name in the folder"
        );
        assert_eq!(
            code(&mut c, json!({"name": "m.pdf", "content": b64(b"x")})),
            "USER_ERROR"
        );
        assert_eq!(
            code(
                &mut c,
                json!({"name": "m.pdf", "folder": {"id": "77"}, "content": b64(b"x")})
            ),
            "INVALID_KEY_OR_REF"
        );
        assert_eq!(
            code(
                &mut c,
                json!({"name": "m.pdf", "folder": {"id": LABEL_FOLDER_ID}, "content": "%%"})
            ),
            "USER_ERROR"
        );
        assert_eq!(
            code(
                &mut c,
                json!({"name": "m.pdf", "folder": {"id": LABEL_FOLDER_ID}, "content": b64(b"x"), "url": "u"})
            ),
            "INVALID_CONTENT"
        );
        let big = vec![0u8; MAX_UPLOAD_BYTES + 1];
        assert_eq!(
            code(
                &mut c,
                json!({"name": "m.pdf", "folder": {"id": LABEL_FOLDER_ID}, "content": b64(&big)})
            ),
            "USER_ERROR"
        );
        assert_eq!(c.uploads, 1);
    }
}
