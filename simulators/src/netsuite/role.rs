//! The integration role's permissions and list states a test can break, so
//! the doctor's checks can be seen failing (issue 19 item 4).
//!
//! - A record type denied to the role answers **403
//!   `INSUFFICIENT_PERMISSION`** on every `/record/v1/{type}` call
//!   (netsuite-rest-api.md §4 and §8: "Missing permissions surface as 403
//!   INSUFFICIENT_PERMISSION or as 400 USER_ERROR").
//! - A SuiteQL table denied to the role answers **400 `INVALID_PARAMETER`**
//!   "Search error occurred: Record 'x' was not found." — a table the role
//!   cannot see is reported as if it did not exist. The notes give no SuiteQL
//!   sample; this is the harsher reading (indistinguishable from a typo, so
//!   only probing each table one by one tells which is missing).
//! - A location can be made inactive at run time (`isinactive = 'T'` in
//!   SuiteQL), as an admin would in Lists → Accounting → Locations.
//! - `accountingperiod` (SuiteQL): one posting period per month 2020–2030,
//!   plus a non-posting year row each (harsher: a query that forgets
//!   `isposting = 'T'` gets overlapping rows). A month is `closed = 'T'`
//!   when it is in the closed periods (`set_period_closed`, the seed's
//!   `closed_periods`), which also refuse journal entries dated in them.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{NetSuiteSim, NsError};

#[derive(Debug, Default, Clone)]
pub(crate) struct Role {
    pub(crate) denied_tables: BTreeSet<String>,
    pub(crate) denied_records: BTreeSet<String>,
    pub(crate) inactive_locations: BTreeSet<String>,
}

/// 403 for a record type the role may not use.
pub(crate) fn check_record(role: &Role, path: &str) -> Result<(), NsError> {
    let rtype = path
        .strip_prefix("/services/rest/record/v1/")
        .and_then(|p| p.split('/').next());
    match rtype {
        Some(t) if role.denied_records.contains(t) => Err(NsError::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_PERMISSION",
            format!("Permission Violation: You need a higher level of the '{t}' permission to access this page. Please contact your account administrator."),
        )),
        _ => Ok(()),
    }
}

/// 400 for a SuiteQL table the role may not see (module doc).
pub(crate) fn check_table(role: &Role, table: &str) -> Result<(), NsError> {
    if role.denied_tables.contains(table) {
        return Err(NsError::bad_request(
            "INVALID_PARAMETER",
            format!("Invalid search query. Detailed unprocessed description follows. Search error occurred: Record '{table}' was not found."),
        )
        .query_param("q"));
    }
    Ok(())
}

#[derive(Deserialize)]
pub(crate) struct RoleControl {
    #[serde(default)]
    deny_tables: Vec<String>,
    #[serde(default)]
    deny_records: Vec<String>,
    #[serde(default)]
    inactive_locations: Vec<String>,
}

/// `POST /_sim/role {"deny_tables": [...], "deny_records": [...],
/// "inactive_locations": [...]}`: replaces all three lists.
pub(crate) async fn control(
    State(sim): State<NetSuiteSim>,
    Json(c): Json<RoleControl>,
) -> Json<Value> {
    let mut st = sim.state();
    st.role = Role {
        denied_tables: c.deny_tables.into_iter().collect(),
        denied_records: c.deny_records.into_iter().collect(),
        inactive_locations: c.inactive_locations.into_iter().collect(),
    };
    Json(json!({"ok": true}))
}

impl NetSuiteSim {
    /// Denies (or allows again) a SuiteQL table to the integration role.
    pub fn deny_table(&self, table: &str, denied: bool) {
        let mut st = self.state();
        if denied {
            st.role.denied_tables.insert(table.to_string());
        } else {
            st.role.denied_tables.remove(table);
        }
    }

    /// Denies (or allows again) a record type to the integration role.
    pub fn deny_record(&self, record_type: &str, denied: bool) {
        let mut st = self.state();
        if denied {
            st.role.denied_records.insert(record_type.to_string());
        } else {
            st.role.denied_records.remove(record_type);
        }
    }

    /// Makes a location inactive (or active again).
    pub fn set_location_inactive(&self, id: &str, inactive: bool) {
        let mut st = self.state();
        if inactive {
            st.role.inactive_locations.insert(id.to_string());
        } else {
            st.role.inactive_locations.remove(id);
        }
    }
}
