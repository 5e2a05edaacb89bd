//! What NetSuite needs for returns (issue 28 §6; returns.md edge case 23),
//! checked after the other NetSuite checks:
//!
//! - `netsuite.returns.feature`: the Return Authorizations feature (the
//!   `returnAuthorization` record exists only with it, Oracle
//!   section_N3688557), probed with `GET returnAuthorization/0`.
//! - `netsuite.returns.receiving`: Advanced Receiving (the `itemReceipt` of
//!   returned goods needs it, section_N3681685), probed with `GET
//!   itemReceipt/0`.
//! - `netsuite.returns.approval`: the role may approve an RA (`orderStatus`
//!   B), probed with `PATCH returnAuthorization/0 {"orderStatus":{"id":"B"}}`:
//!   there is no RA 0, so nothing is written; a 404 says the approval got
//!   past the permission check. Unverified against a real account (returns.md
//!   §B1 marks the permission "[U]"); a real account may answer 404 before
//!   checking the permission, so a pass here is not proof.
//! - `netsuite.returns.locations <shop>`: each shop with a returns section
//!   names a sellable and a damaged location that exist and are active.
//!
//! A 404 on a probe of id 0 means the record type exists and the role may
//! use it (as `checks::netsuite_access` reads it).

use std::collections::BTreeMap;

use serde_json::json;

use super::checks::NsProbe;
use super::Check;
use crate::domain::shell_quote;
use crate::mapping::config::MappingConfig;
use crate::netsuite::{column_text, sql_quote, NetSuiteClient};
use crate::returns::receipt::ReturnLocations;

const FEATURES_PAGE: &str = "Setup → Company → Enable Features → Transactions";

fn feature_check(name: &str, feature: &str, fix: &str, permission: &str, p: &NsProbe) -> Check {
    match p {
        NsProbe::Ok | NsProbe::Refused { status: 404, .. } => {
            Check::pass(name, format!("{feature} is on and the role may use it"))
        }
        NsProbe::Refused { status: 403, code, detail } => Check::fail(
            name,
            format!("the role may not use it (403 {code}: {detail})"),
            format!("Give the integration role the {permission} permission (Setup → Users/Roles → Manage Roles)."),
        ),
        NsProbe::Refused { status, code, detail } => Check::fail(
            name,
            format!("{feature} is not available ({status} {code}: {detail})"),
            fix.to_string(),
        ),
        NsProbe::Unreachable { reason } => Check::fail(
            name,
            format!("no answer: {reason}"),
            "Run the doctor again; if it repeats, check NetSuite's status.",
        ),
    }
}

/// The Return Authorizations feature.
pub fn ra_feature(p: &NsProbe) -> Check {
    feature_check(
        "netsuite.returns.feature",
        "Return Authorizations",
        &format!("Turn on Return Authorizations ({FEATURES_PAGE}, Receivables), so returns get a Return Authorization."),
        "Return Authorization (Create/Edit)",
        p,
    )
}

/// Advanced Receiving (Item Receipts of returned goods).
pub fn advanced_receiving(p: &NsProbe) -> Check {
    feature_check(
        "netsuite.returns.receiving",
        "Advanced Receiving",
        &format!("Turn on Advanced Receiving ({FEATURES_PAGE}, Shipping & Receiving), so returned goods are received against their Return Authorization by condition."),
        "Item Receipt (Create)",
        p,
    )
}

/// The RA approval permission.
pub fn ra_approval(p: &NsProbe) -> Check {
    let name = "netsuite.returns.approval";
    match p {
        NsProbe::Ok | NsProbe::Refused { status: 404, .. } => {
            Check::pass(name, "the role may approve Return Authorizations")
        }
        NsProbe::Refused { status: 403, code, detail } => Check::fail(
            name,
            format!("the role may not approve a Return Authorization (403 {code}: {detail})"),
            "Give the integration role the Return Auth. Approval permission (Setup → Users/Roles → Manage Roles → Permissions → Transactions), so an approved return becomes Pending Receipt.",
        ),
        NsProbe::Refused { status, code, detail } => Check::fail(
            name,
            format!("approving a Return Authorization was refused ({status} {code}: {detail})"),
            format!("Turn on Return Authorizations ({FEATURES_PAGE}) and give the role the Return Auth. Approval permission."),
        ),
        NsProbe::Unreachable { reason } => Check::fail(
            name,
            format!("no answer: {reason}"),
            "Run the doctor again; if it repeats, check NetSuite's status.",
        ),
    }
}

/// A shop's returns locations exist and are active (`found`: id →
/// inactive, from the `location` table).
pub fn return_locations(
    shop: &str,
    cfg: &ReturnLocations,
    found: &BTreeMap<String, bool>,
) -> Check {
    let name = format!("netsuite.returns.locations {shop}");
    let mut bad = Vec::new();
    for (role, id) in [("sellable", &cfg.sellable), ("damaged", &cfg.damaged)] {
        match (id.trim().is_empty(), found.get(id.trim())) {
            (true, _) => bad.push(format!("no {role} location is set")),
            (false, None) => bad.push(format!("{role} location {id} does not exist")),
            (false, Some(true)) => bad.push(format!("{role} location {id} is inactive")),
            (false, Some(false)) => {}
        }
    }
    if bad.is_empty() {
        return Check::pass(
            name,
            format!(
                "good units go to location {}, damaged ones to {}",
                cfg.sellable, cfg.damaged
            ),
        );
    }
    Check::fail(
        name,
        bad.join("; "),
        format!(
            "Set the shop's returns.locations.sellable and returns.locations.damaged in the mapping (shop {}) to active NetSuite locations (Lists → Accounting → Locations; reactivate or create a damaged-goods location).",
            shell_quote(shop)
        ),
    )
}

fn probe<T>(r: &Result<T, crate::netsuite::NsError>) -> NsProbe {
    match r {
        Ok(_) => NsProbe::Ok,
        Err(e) => NsProbe::from(e),
    }
}

/// Runs the returns checks, appending them to `out`.
pub async fn run(client: &NetSuiteClient, mapping: &MappingConfig, out: &mut Vec<Check>) {
    out.push(ra_feature(&probe(
        &client.get("returnAuthorization", "0", false).await,
    )));
    out.push(advanced_receiving(&probe(
        &client.get("itemReceipt", "0", false).await,
    )));
    let approve = client
        .patch(
            "returnAuthorization",
            "0",
            &json!({"orderStatus": {"id": "B"}}),
        )
        .await;
    out.push(ra_approval(&probe(&approve)));
    let mut shops: Vec<(&str, &ReturnLocations)> = std::iter::once(("default", &mapping.default))
        .chain(mapping.shops.iter().map(|(k, v)| (k.as_str(), v)))
        .filter_map(|(k, m)| m.returns.locations.as_ref().map(|r| (k, r)))
        .collect();
    if shops.is_empty() {
        return;
    }
    shops.sort_by_key(|(k, _)| *k);
    let mut ids: Vec<String> = shops
        .iter()
        .flat_map(|(_, r)| [r.sellable.trim(), r.damaged.trim()])
        .filter(|i| !i.is_empty())
        .map(sql_quote)
        .collect();
    ids.sort();
    ids.dedup();
    let found: BTreeMap<String, bool> = if ids.is_empty() {
        BTreeMap::new()
    } else {
        let q = format!(
            "SELECT id, isinactive FROM location WHERE id IN ({})",
            ids.join(", ")
        );
        match client.suiteql(&q).await {
            Ok(rows) => rows
                .iter()
                .map(|r| (column_text(r, "id"), column_text(r, "isinactive") == "T"))
                .collect(),
            Err(e) => {
                out.push(super::checks::netsuite_access(
                    "ids",
                    "location (returns)",
                    "Locations (View)",
                    &NsProbe::from(&e),
                ));
                return;
            }
        }
    };
    for (shop, cfg) in shops {
        out.push(return_locations(shop, cfg, &found));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    fn refused(status: u16, code: &str) -> NsProbe {
        NsProbe::Refused {
            status,
            code: code.into(),
            detail: "x".into(),
        }
    }

    #[test]
    fn features_pass_on_404_and_fail_with_the_feature_page() {
        assert_eq!(
            ra_feature(&refused(404, "NONEXISTENT_ID")).status,
            Status::Pass
        );
        let c = ra_feature(&refused(400, "FEATURE_DISABLED"));
        assert_eq!(c.status, Status::Fail);
        assert!(c.fix.contains("Enable Features") && c.fix.contains("Return Authorizations"));
        let c = advanced_receiving(&refused(400, "FEATURE_DISABLED"));
        assert!(c.fix.contains("Advanced Receiving"));
        let c = advanced_receiving(&refused(403, "INSUFFICIENT_PERMISSION"));
        assert!(c.fix.contains("Item Receipt"));
    }

    #[test]
    fn approval_needs_the_permission() {
        assert_eq!(
            ra_approval(&refused(404, "NONEXISTENT_ID")).status,
            Status::Pass
        );
        let c = ra_approval(&refused(403, "INSUFFICIENT_PERMISSION"));
        assert_eq!(c.status, Status::Fail);
        assert!(c.fix.contains("Return Auth. Approval"));
    }

    #[test]
    fn locations_exist_and_are_active() {
        let cfg = ReturnLocations {
            sellable: "1".into(),
            damaged: "3".into(),
        };
        let mut found = BTreeMap::from([("1".to_string(), false), ("3".to_string(), false)]);
        assert_eq!(return_locations("s", &cfg, &found).status, Status::Pass);
        found.insert("3".into(), true);
        let c = return_locations("s", &cfg, &found);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.detail.contains("damaged location 3 is inactive"),
            "{}",
            c.detail
        );
        let none = ReturnLocations {
            sellable: String::new(),
            damaged: String::new(),
        };
        assert!(return_locations("s", &none, &found)
            .detail
            .contains("no sellable location"));
    }
}
