//! Record API calls (NetSuite REST notes §2, §6): upsert by externalId,
//! get, create, patch and transform.

use reqwest::Method;
use serde_json::Value;

use super::error::NsError;
use super::transport::{
    check_external_id, check_id, check_record_type, Call, Kind, NetSuiteClient, RECORD_PREFIX,
};
use crate::signing::netsuite::pct;

/// `replace=a,b` (percent-encoded, and so signed), or nothing.
fn replace_query(sublists: &[&str]) -> Result<Vec<(&'static str, String)>, NsError> {
    if sublists.is_empty() {
        return Ok(Vec::new());
    }
    for s in sublists {
        check_record_type("replace", s)?;
    }
    Ok(vec![("replace", pct(&sublists.join(",")))])
}

impl NetSuiteClient {
    /// `PUT /record/v1/{type}/eid:{externalId}[?replace=…]`: creates or
    /// updates, so it is safe to retry (the idempotent way to write, §6).
    /// Returns the internal id from `Location` when NetSuite sends one (on
    /// create; an update may answer without it).
    ///
    /// `replace` names the sublists whose lines in `body` are the record's
    /// whole sublist. Without it NetSuite *adds* body lines that carry no
    /// `line` key to the lines already there (Oracle, "Updating a Sublist",
    /// section_1545295601; "Replacing a Sublist", section_1545297048), so a
    /// retried upsert of a committed order would double every line. Every
    /// write that sends lines must name their sublist here.
    pub async fn upsert_by_external_id(
        &self,
        record_type: &str,
        external_id: &str,
        body: &Value,
        replace: &[&str],
    ) -> Result<Option<String>, NsError> {
        check_record_type("record_type", record_type)?;
        check_external_id(external_id)?;
        let reply = self
            .execute(Call {
                method: Method::PUT,
                path: format!("{RECORD_PREFIX}/{record_type}/eid:{external_id}"),
                query: replace_query(replace)?,
                body: Some(body),
                kind: Kind::IdempotentWrite,
            })
            .await?;
        Ok(reply.location_id())
    }

    /// `GET /record/v1/{type}/eid:{externalId}`; `Ok(None)` on 404
    /// `NONEXISTENT_ID`. `expand_sub_resources` inlines sublists (§2).
    pub async fn get_by_external_id(
        &self,
        record_type: &str,
        external_id: &str,
        expand_sub_resources: bool,
    ) -> Result<Option<Value>, NsError> {
        check_external_id(external_id)?;
        self.get(
            record_type,
            &format!("eid:{external_id}"),
            expand_sub_resources,
        )
        .await
    }

    /// `GET /record/v1/{type}/{id}`; `Ok(None)` on 404 `NONEXISTENT_ID`.
    pub async fn get(
        &self,
        record_type: &str,
        id: &str,
        expand_sub_resources: bool,
    ) -> Result<Option<Value>, NsError> {
        check_record_type("record_type", record_type)?;
        check_id(id)?;
        let query = if expand_sub_resources {
            vec![("expandSubResources", "true".to_string())]
        } else {
            Vec::new()
        };
        let result = self
            .execute(Call {
                method: Method::GET,
                path: format!("{RECORD_PREFIX}/{record_type}/{id}"),
                query,
                body: None,
                kind: Kind::Read,
            })
            .await;
        match result {
            Ok(reply) => reply.json().map(Some),
            Err(NsError::Api {
                status: 404, code, ..
            }) if code == "NONEXISTENT_ID" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /record/v1/{type}`: returns the new internal id. Never retried
    /// once it may have reached NetSuite: on a timeout, 5xx or broken
    /// connection the error has `maybe_committed() == true` and the caller
    /// must look the record up (by externalId) instead of re-posting.
    pub async fn create(&self, record_type: &str, body: &Value) -> Result<String, NsError> {
        check_record_type("record_type", record_type)?;
        let reply = self
            .execute(Call {
                method: Method::POST,
                path: format!("{RECORD_PREFIX}/{record_type}"),
                query: Vec::new(),
                body: Some(body),
                kind: Kind::NonIdempotentWrite,
            })
            .await?;
        reply
            .location_id()
            .ok_or_else(|| reply.decode("create succeeded but returned no Location id".into()))
    }

    /// `PATCH /record/v1/{type}/{id}`. Retried: the same body applied twice
    /// yields the same record (do not use it to append sublist lines).
    pub async fn patch(&self, record_type: &str, id: &str, body: &Value) -> Result<(), NsError> {
        check_record_type("record_type", record_type)?;
        check_id(id)?;
        self.execute(Call {
            method: Method::PATCH,
            path: format!("{RECORD_PREFIX}/{record_type}/{id}"),
            query: Vec::new(),
            body: Some(body),
            kind: Kind::IdempotentWrite,
        })
        .await
        .map(drop)
    }

    /// `POST /record/v1/{src}/{id}/!transform/{target}` (e.g. salesOrder →
    /// itemFulfillment): returns the new record's id. Same no-blind-retry
    /// rule as [`NetSuiteClient::create`].
    ///
    /// A transform's new record starts with the source's lines (an invoice's
    /// credit memo: all of the invoice's lines); `replace` makes the body's
    /// lines of those sublists the result instead (section_1545297048).
    pub async fn transform(
        &self,
        src_type: &str,
        id: &str,
        target_type: &str,
        body: &Value,
        replace: &[&str],
    ) -> Result<String, NsError> {
        check_record_type("src_type", src_type)?;
        check_record_type("target_type", target_type)?;
        check_id(id)?;
        let reply = self
            .execute(Call {
                method: Method::POST,
                path: format!("{RECORD_PREFIX}/{src_type}/{id}/!transform/{target_type}"),
                query: replace_query(replace)?,
                body: Some(body),
                kind: Kind::NonIdempotentWrite,
            })
            .await?;
        reply
            .location_id()
            .ok_or_else(|| reply.decode("transform succeeded but returned no Location id".into()))
    }
}
