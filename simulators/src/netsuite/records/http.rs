//! The HTTP side of `/record/v1/{type}`: POST create, GET read (and
//! `/{sublist}`), PUT `eid:` upsert, PATCH update and DELETE, with body
//! parsing, property-name validation (`X-NetSuite-PropertyNameValidation`)
//! and the 204 + `Location` answers of netsuite-rest-api.md §2
//! (section_1545141395, section_156335203191, section_1545141947). Errors
//! take the shapes of §4.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::store::check_eid;
use super::{kind, lines, scalar_string, NetSuiteSim, NsError, RecordKind, RecordStore};

pub(super) fn invalid_field_value(v: &str, field: &str) -> NsError {
    NsError::bad_request(
        "USER_ERROR",
        format!("Error while accessing a resource. You have entered an Invalid Field Value {v} for the following field: {field}"),
    )
}

/// `X-NetSuite-PropertyNameValidation` mode: `Error`, `Warning` (default) or `Ignore`.
fn name_validation(headers: &HeaderMap) -> String {
    headers
        .get("x-netsuite-propertynamevalidation")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("Warning")
        .to_ascii_lowercase()
}

/// First unknown field name in the body or its sublist lines. Field names are
/// matched case-insensitively (Oracle's own examples send `isclosed`). A
/// custom field is known only if the account defines it for this record
/// type: `custbody…` on the body, `custcol…` on item lines (NetSuite answers
/// "Unknown field name" for a field that does not exist on the record
/// instance, netsuite-rest-api.md §2; a field of the wrong level is taken as
/// unknown, the harsher reading).
fn unknown_field(
    k: &RecordKind,
    body: &Map<String, Value>,
    custom: &[crate::seed::CustomFieldSeed],
) -> Option<String> {
    let defined = |f: &str| {
        custom.iter().any(|c| {
            c.id.eq_ignore_ascii_case(f)
                && c.applies_to.iter().any(|t| t.eq_ignore_ascii_case(k.name))
        })
    };
    let known = |list: &[&str], custom_prefix: &str, f: &str| {
        (f.to_ascii_lowercase().starts_with(custom_prefix) && defined(f))
            || list.iter().any(|n| n.eq_ignore_ascii_case(f))
    };
    for f in body.keys() {
        if f == "id" || f == "links" {
            continue;
        }
        if let Some(sl) = k.sublists.iter().find(|s| s.name.eq_ignore_ascii_case(f)) {
            for line in lines(body, f) {
                if let Some(bad) = line
                    .as_object()
                    .and_then(|o| o.keys().find(|lf| !known(sl.line_fields, "custcol", lf)))
                {
                    return Some(bad.clone());
                }
            }
        } else if !known(k.body_fields, "custbody", f) {
            return Some(f.clone());
        }
    }
    None
}

/// Parses and checks a write body. Returns the body plus a warning for the
/// `X-NetSuite-PropertyValidation` response header, if any.
pub(super) fn parse_body(
    k: &RecordKind,
    headers: &HeaderMap,
    raw: &[u8],
    custom: &[crate::seed::CustomFieldSeed],
) -> Result<(Map<String, Value>, Option<String>), NsError> {
    let body: Value = if raw.is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(raw).map_err(|e| {
            // Sim-defined: NetSuite's exact text for malformed JSON is unverified.
            NsError::bad_request(
                "INVALID_CONTENT",
                format!("Invalid JSON in request body: {e}"),
            )
        })?
    };
    let Value::Object(mut body) = body else {
        return Err(NsError::bad_request(
            "INVALID_CONTENT",
            "The request body must be a JSON object.",
        ));
    };
    // Sublist names are canonicalised so later lookups are exact.
    for sl in k.sublists {
        if let Some(key) = body
            .keys()
            .find(|f| *f != sl.name && f.eq_ignore_ascii_case(sl.name))
            .cloned()
        {
            if let Some(v) = body.remove(&key) {
                body.insert(sl.name.into(), v);
            }
        }
    }
    let mut warning = None;
    if let Some(f) = unknown_field(k, &body, custom) {
        let msg =
            format!("Unknown field name {f}. The field does not exist on this record instance.");
        match name_validation(headers).as_str() {
            // Sim-defined error code; the recorded text is the Warning header's.
            "error" => {
                return Err(NsError::bad_request(
                    "USER_ERROR",
                    format!("Error while accessing a resource. {msg}"),
                ))
            }
            "ignore" => {}
            _ => warning = Some(msg),
        }
    }
    if let Some(eid) = body.get("externalId") {
        check_eid(&scalar_string(eid))?;
    }
    super::refs::normalize(k, &mut body);
    Ok((body, warning))
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

fn record_url(headers: &HeaderMap, k: &RecordKind, id: u64) -> String {
    format!(
        "http://{}/services/rest/record/v1/{}/{id}",
        host(headers),
        k.name.to_ascii_lowercase()
    )
}

/// 204 with `Location` (create, transform, upsert that created).
pub(super) fn no_content(
    headers: &HeaderMap,
    k: &RecordKind,
    id: u64,
    warning: Option<String>,
) -> Response {
    let mut resp = no_content_without_location(warning);
    if let Ok(loc) = HeaderValue::from_str(&record_url(headers, k, id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    resp
}

/// 204 without `Location` (upsert that updated; see module doc).
fn no_content_without_location(warning: Option<String>) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Some(w) = warning.and_then(|w| HeaderValue::from_str(&w).ok()) {
        resp.headers_mut()
            .insert("x-netsuite-propertyvalidation", w);
    }
    resp
}

fn unknown_type(rtype: &str) -> NsError {
    // Sim-defined: the real service's error for an unknown record type is unverified.
    NsError::new(
        StatusCode::NOT_FOUND,
        "NONEXISTENT_ID",
        format!("Record type '{rtype}' does not exist in the NetSuite simulator."),
    )
}

fn kind_or_404(rtype: &str) -> Result<&'static RecordKind, NsError> {
    kind(rtype).ok_or_else(|| unknown_type(rtype))
}

/// Renders a handler result; INVALID_ID errors carry the request path in
/// `o:errorUrl`, as NetSuite's do (§4).
pub(super) fn into_response(r: Result<Response, NsError>, uri: &Uri) -> Response {
    r.unwrap_or_else(|e| {
        let e = if e.code == "INVALID_ID" && e.extra("o:errorUrl").is_none() {
            e.url(uri.path())
        } else {
            e
        };
        e.into_response()
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct WriteParams {
    pub(crate) replace: Option<String>,
}

/// The sublists named by `?replace=`, checked against the record type.
pub(super) fn replace_list(k: &RecordKind, p: &WriteParams) -> Result<Vec<&'static str>, NsError> {
    let Some(raw) = p.replace.as_deref() else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            k.sublists
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(name))
                .map(|s| s.name)
                .ok_or_else(|| {
                    // Sim-defined wording (module doc).
                    NsError::bad_request(
                        "INVALID_PARAMETER",
                        format!("Invalid value for the query parameter replace: {name} is not a sublist of {}.", k.name),
                    )
                    .query_param("replace")
                })
        })
        .collect()
}

/// `POST /record/v1/{type}`; `?replace=` is accepted as on PATCH
/// (section_1545297048 shows it on POST).
pub(crate) async fn create(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path(rtype): Path<String>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            replace_list(k, &p)?;
            let (body, warning) = parse_body(k, &headers, &raw, &sim.seed().custom_fields)?;
            let mut st = sim.state();
            let id = st.records.create_from(k, body)?;
            tracing::debug!(rtype = k.name, id, "netsuite sim created record");
            Ok(no_content(&headers, k, id, warning))
        })(),
        &uri,
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct ReadParams {
    #[serde(rename = "expandSubResources")]
    expand: Option<String>,
}

fn render(
    store: &RecordStore,
    headers: &HeaderMap,
    k: &RecordKind,
    id: u64,
    rec: &Value,
    expand: bool,
) -> Value {
    let self_url = record_url(headers, k, id);
    let mut out = rec.as_object().cloned().unwrap_or_default();
    store.render_refs(&format!("http://{}", host(headers)), k, &mut out);
    out.insert("links".into(), json!([{"rel": "self", "href": self_url}]));
    for sl in k.sublists {
        let Some(items) = out
            .get(sl.name)
            .and_then(|s| s.get("items"))
            .and_then(Value::as_array)
            .cloned()
        else {
            continue;
        };
        let link = json!([{"rel": "self", "href": format!("{self_url}/{}", sl.name)}]);
        let v = if expand {
            sublist_collection(link, items)
        } else {
            json!({ "links": link })
        };
        out.insert(sl.name.into(), v);
    }
    Value::Object(out)
}

fn sublist_collection(link: Value, items: Vec<Value>) -> Value {
    let n = items.len();
    let items: Vec<Value> = items
        .into_iter()
        .map(|mut l| {
            if let Value::Object(o) = &mut l {
                o.insert("links".into(), json!([]));
            }
            l
        })
        .collect();
    json!({"links": link, "count": n, "hasMore": false, "items": items, "offset": 0, "totalResults": n})
}

fn json_response(v: Value) -> Response {
    let mut resp = (StatusCode::OK, v.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.oracle.resource+json; type=singular-resource; charset=UTF-8",
        ),
    );
    resp
}

/// `GET /record/v1/{type}/{id|eid:x}`.
pub(crate) async fn read(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
    Query(p): Query<ReadParams>,
    headers: HeaderMap,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            let rec = st
                .records
                .tables
                .get(k.name)
                .and_then(|t| t.rows.get(&id))
                .ok_or_else(NsError::not_found_record)?;
            let expand = p.expand.is_some_and(|v| v.eq_ignore_ascii_case("true"));
            Ok(json_response(render(
                &st.records,
                &headers,
                k,
                id,
                rec,
                expand,
            )))
        })(),
        &uri,
    )
}

/// `GET /record/v1/{type}/{id}/{sublist}`: the sublist as a collection.
pub(crate) async fn read_sublist(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key, sublist)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let sl = k
                .sublists
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&sublist))
                .ok_or_else(NsError::not_found_record)?;
            let st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            let rec = st
                .records
                .tables
                .get(k.name)
                .and_then(|t| t.rows.get(&id))
                .ok_or_else(NsError::not_found_record)?;
            let base = format!("http://{}", host(&headers));
            let items: Vec<Value> = rec
                .get(sl.name)
                .and_then(|s| s.get("items"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut l| {
                    if let Value::Object(o) = &mut l {
                        st.records.render_line_refs(&base, sl, o);
                    }
                    l
                })
                .collect();
            let link = json!([{"rel": "self", "href": format!("{}/{}", record_url(&headers, k, id), sl.name)}]);
            Ok(json_response(sublist_collection(link, items)))
        })(),
        &uri,
    )
}

/// `PUT /record/v1/{type}/eid:{externalId}[?replace=...]`: creates, or
/// updates exactly like PATCH (module doc: lines are appended unless
/// `replace` names the sublist). 204 with `Location` only when it created.
pub(crate) async fn upsert(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let Some(eid) = key.strip_prefix("eid:") else {
                // Sim-defined: upsert is documented only for eid: keys (§2).
                return Err(NsError::bad_request(
                    "INVALID_ID",
                    "PUT requires an external ID in the URL: eid:<externalId>.",
                ));
            };
            check_eid(eid)?;
            let replace = replace_list(k, &p)?;
            let (mut body, warning) = parse_body(k, &headers, &raw, &sim.seed().custom_fields)?;
            body.insert("externalId".into(), Value::String(eid.to_string()));
            let mut st = sim.state();
            match st.records.resolve(k, &key)? {
                Some(id) => {
                    st.records.update_from(k, id, body, &replace)?;
                    Ok(no_content_without_location(warning))
                }
                None => {
                    let id = st.records.create_from(k, body)?;
                    Ok(no_content(&headers, k, id, warning))
                }
            }
        })(),
        &uri,
    )
}

/// `PATCH /record/v1/{type}/{id|eid:x}[?replace=...]` (module doc).
pub(crate) async fn update(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let replace = replace_list(k, &p)?;
            let (body, warning) = parse_body(k, &headers, &raw, &sim.seed().custom_fields)?;
            let mut st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            st.records.update_from(k, id, body, &replace)?;
            // Unchanged from before: PATCH answers with Location (unverified).
            Ok(no_content(&headers, k, id, warning))
        })(),
        &uri,
    )
}

/// `DELETE /record/v1/{type}/{id|eid:x}`.
pub(crate) async fn remove(
    State(sim): State<NetSuiteSim>,
    uri: Uri,
    Path((rtype, key)): Path<(String, String)>,
) -> Response {
    into_response(
        (|| {
            let k = kind_or_404(&rtype)?;
            let mut st = sim.state();
            let id = st
                .records
                .resolve(k, &key)?
                .ok_or_else(NsError::not_found_record)?;
            st.records.remove(k, id);
            Ok(StatusCode::NO_CONTENT.into_response())
        })(),
        &uri,
    )
}
