//! The checks themselves: plain functions from what the runners fetched to
//! a [`Check`] with its fix. No I/O here.

use std::collections::BTreeMap;

use super::Check;
use crate::domain::shell_quote;
use crate::tiktok::error::{CODE_INVALID_SIGN, CODE_SCOPE_NOT_GRANTED};
use crate::tiktok::scopes::NeededScope;

/// A refresh token expiring within this many days is a warning (the daily
/// digest warns at the same distance; webhook 7 comes about as early).
pub const REFRESH_WARN_DAYS: i64 = 14;

/// What one call to TikTok came to, as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Ok,
    /// A TikTok envelope with a non-zero code.
    Api {
        call: String,
        code: i64,
        message: String,
    },
    /// The shop's token could not be read or refreshed.
    Token {
        reason: String,
    },
    /// No usable answer (network, 5xx, rate limit after retries, decode).
    Unreachable {
        reason: String,
    },
}

impl From<&crate::tiktok::TikTokError> for Probe {
    fn from(e: &crate::tiktok::TikTokError) -> Self {
        match (e.code(), e) {
            (_, crate::tiktok::TikTokError::TokenExpired { .. }) => Self::Token {
                reason: e.to_string(),
            },
            (Some(code), crate::tiktok::TikTokError::Api { call, message, .. }) => Self::Api {
                call: call.clone(),
                code,
                message: message.clone(),
            },
            _ => Self::Unreachable {
                reason: e.to_string(),
            },
        }
    }
}

impl From<&crate::tiktok::ShopCallError> for Probe {
    fn from(e: &crate::tiktok::ShopCallError) -> Self {
        match e {
            crate::tiktok::ShopCallError::Token(t) => Self::Token {
                reason: t.to_string(),
            },
            crate::tiktok::ShopCallError::TikTok(t) => Self::from(t),
        }
    }
}

fn day(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| unix.to_string())
}

const APP_SECRET_FIX: &str = "Copy the app key and app secret from TikTok Partner Center (the app's Basic information) into the TikTok app secret in Secrets Manager (TikTokAppSecret: app_key, app_secret), then restart the functions.";

/// The app key and secret sign: a signed call got past TikTok's sign check.
/// Any answer other than an invalid sign or unknown app key means the
/// signature was accepted (TikTok checks the sign before the token, §8).
pub fn app_signs(probe: Option<&Probe>) -> Check {
    let name = "tiktok.app";
    match probe {
        None => Check::warn(name, "no shop is connected, so no signed call could be made", "Connect a shop (console: Shops → Connect a shop), then run the doctor again."),
        Some(Probe::Ok) | Some(Probe::Token { .. }) => Check::pass(name, "the app key and secret sign requests TikTok accepts"),
        Some(Probe::Api { code, message, .. }) if *code == CODE_INVALID_SIGN => Check::fail(name, format!("TikTok refused the signature (code {code}: {message}): the app secret is wrong"), APP_SECRET_FIX),
        Some(Probe::Api { code, message, .. }) if message.to_ascii_lowercase().contains("app_key") => Check::fail(name, format!("TikTok does not know the app key (code {code}: {message})"), APP_SECRET_FIX),
        Some(Probe::Api { .. }) => Check::pass(name, "the app key and secret sign requests TikTok accepts"),
        Some(Probe::Unreachable { reason }) => Check::fail(name, format!("TikTok could not be reached: {reason}"), "Check the function's network access to TikTok (open-api.tiktokglobalshop.com) and TIKTOK_API_BASE_URL."),
    }
}

/// Stored token expiries (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub access: i64,
    pub refresh: i64,
}

/// The shop's token works (a live call), with when it and its refresh token expire.
pub fn shop_token(shop: &str, stored: Option<Expiry>, now: i64, live: &Probe) -> Check {
    let name = format!("tiktok.token {shop}");
    let reconnect = format!(
        "The seller must re-authorize the app for shop {}: console Shops → Connect a shop (headless: `tiktok-netsuite shops authorize-url`, then `tiktok-netsuite shops authorize --code … --state …`).",
        shell_quote(shop)
    );
    let Some(exp) = stored else {
        return Check::fail(name, "the shop has no stored tokens", reconnect);
    };
    let when = format!(
        "access token expires {}, refresh token {}",
        day(exp.access),
        day(exp.refresh)
    );
    if exp.refresh <= now {
        return Check::fail(
            name,
            format!("the refresh token expired on {}", day(exp.refresh)),
            reconnect,
        );
    }
    match live {
        Probe::Ok => {}
        Probe::Token { reason } => {
            return Check::fail(
                name,
                format!("the token could not be refreshed: {reason}"),
                reconnect,
            )
        }
        Probe::Api { code, message, .. } if *code == CODE_SCOPE_NOT_GRANTED => {
            return Check::fail(
                name,
                format!("TikTok refused Get Authorized Shops (code {code}: {message})"),
                crate::tiktok::scopes::missing_scope_fix("/authorization/"),
            )
        }
        Probe::Api { code, message, .. } => {
            return Check::fail(
                name,
                format!("TikTok refused the shop's token (code {code}: {message})"),
                reconnect,
            )
        }
        Probe::Unreachable { reason } => {
            return Check::fail(
                name,
                format!("TikTok could not be reached: {reason}"),
                "Check the function's network access to TikTok; the next run checks again.",
            )
        }
    }
    if exp.refresh - now < REFRESH_WARN_DAYS * 86_400 {
        return Check::warn(name, format!("the token works; {when}"), reconnect);
    }
    Check::pass(name, format!("the token works; {when}"))
}

/// The shop's grants cover what the product calls: each scope was probed
/// with a read call (`None`: a write-only scope, not probed).
pub fn shop_scopes(shop: &str, probes: &[(NeededScope, Option<Probe>)]) -> Check {
    let name = format!("tiktok.scopes {shop}");
    let missing: Vec<&NeededScope> = probes
        .iter()
        .filter(
            |(_, p)| matches!(p, Some(Probe::Api { code, .. }) if *code == CODE_SCOPE_NOT_GRANTED),
        )
        .map(|(s, _)| s)
        .collect();
    let unclear: Vec<String> = probes
        .iter()
        .filter_map(|(s, p)| match p {
            Some(Probe::Api { code, .. }) if *code != CODE_SCOPE_NOT_GRANTED => {
                Some(format!("{} (code {code})", s.name))
            }
            Some(Probe::Unreachable { .. }) | Some(Probe::Token { .. }) => {
                Some(format!("{} (no answer)", s.name))
            }
            _ => None,
        })
        .collect();
    let unprobed: Vec<&str> = probes
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(s, _)| s.name)
        .collect();
    let note = if unprobed.is_empty() {
        String::new()
    } else {
        format!(
            " ({} not probed: only a write would show them)",
            unprobed.join(", ")
        )
    };
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|s| format!("{} ({})", s.name, s.used_for))
            .collect();
        return Check::fail(
            name,
            format!("TikTok answered 105005 (scope not granted) for: {}", list.join("; ")),
            format!(
                "In TikTok Partner Center add {} to the app's scopes, then have the seller re-authorize the app for this shop: console Shops → Connect a shop (or `tiktok-netsuite shops connect --shop {}`).",
                missing.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
                shell_quote(shop)
            ),
        );
    }
    if !unclear.is_empty() {
        return Check::warn(
            name,
            format!("could not tell for: {}{note}", unclear.join(", ")),
            "Run the doctor again; if it repeats, read the code in TikTok's error list.",
        );
    }
    Check::pass(name, format!("granted: every scope probed{note}"))
}

/// The shop's webhook subscriptions cover the event types the product handles.
pub fn shop_webhooks(
    shop: &str,
    subscribed: Result<&[(String, String)], &Probe>,
    needed: &[&str],
) -> Check {
    let name = format!("tiktok.webhooks {shop}");
    let subs = match subscribed {
        Ok(s) => s,
        Err(p) => {
            let why = match p {
                Probe::Api { code, message, .. } => format!("code {code}: {message}"),
                Probe::Token { reason } | Probe::Unreachable { reason } => reason.clone(),
                Probe::Ok => String::new(),
            };
            return Check::fail(
                name,
                format!("the Event API could not list the shop's webhooks ({why})"),
                "Check the shop's token (tiktok.token) and run the doctor again.",
            );
        }
    };
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|t| !subs.iter().any(|(ty, addr)| ty == t && !addr.is_empty()))
        .collect();
    if missing.is_empty() {
        return Check::pass(name, format!("subscribed: {}", needed.join(", ")));
    }
    Check::fail(
        name,
        format!("no webhook address for: {}", missing.join(", ")),
        "Register the deployed webhook URL for these event types (console Shops → Register webhooks, which sends PUT /event/202309/webhooks), or set it in TikTok Partner Center.",
    )
}

/// A NetSuite answer, as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NsProbe {
    Ok,
    /// HTTP status, NetSuite's code and detail.
    Refused {
        status: u16,
        code: String,
        detail: String,
    },
    Unreachable {
        reason: String,
    },
}

impl From<&crate::netsuite::NsError> for NsProbe {
    fn from(e: &crate::netsuite::NsError) -> Self {
        match e.http_status() {
            Some(status) if status < 500 && status != 429 => Self::Refused {
                status,
                code: e.code().unwrap_or_default().to_string(),
                detail: e.detail().unwrap_or_default().to_string(),
            },
            _ => Self::Unreachable {
                reason: e.to_string(),
            },
        }
    }
}

/// The NetSuite credentials work (the first SuiteQL call went through).
pub fn netsuite_login(mode: &str, probe: &NsProbe) -> Check {
    let name = "netsuite.login";
    match probe {
        NsProbe::Ok => Check::pass(name, format!("signed in with {mode}")),
        NsProbe::Refused { status: 401, code, detail } => Check::fail(name, format!("NetSuite refused the {mode} credentials (401 {code}: {detail})"), if mode == "TBA" {
            "Check the NetSuite secret's account id, consumer key/secret and token id/secret (Setup → Users/Roles → Access Tokens), and that the integration record has Token-based Authentication enabled."
        } else {
            "Check the NetSuite secret's account id, client id and certificate id, and that the certificate is mapped to the integration user and role (Setup → Integration → OAuth 2.0 Client Credentials (M2M) Setup)."
        }),
        NsProbe::Refused { status, code, detail } => Check::fail(name, format!("NetSuite refused the first query ({status} {code}: {detail})"), "Give the role the REST Web Services and SuiteAnalytics Workbook permissions (Setup → Users/Roles → Manage Roles)."),
        NsProbe::Unreachable { reason } => Check::fail(name, format!("NetSuite could not be reached: {reason}"), "Check NETSUITE_ACCOUNT_ID (the account's REST host) and the function's network access."),
    }
}

/// The role can use one SuiteQL table or record type. A record type is
/// probed with a read of id 0: 404 means the role may see the type.
pub fn netsuite_access(kind: &str, what: &str, permission: &str, probe: &NsProbe) -> Check {
    let name = format!("netsuite.{kind} {what}");
    match probe {
        NsProbe::Ok | NsProbe::Refused { status: 404, .. } => Check::pass(name, "the role may use it"),
        NsProbe::Refused { status, code, detail } => Check::fail(
            name,
            format!("the role cannot use it ({status} {code}: {detail})"),
            format!("Give the integration role the permission {permission} (Setup → Users/Roles → Manage Roles → the role → Permissions)."),
        ),
        NsProbe::Unreachable { reason } => Check::fail(name, format!("no answer: {reason}"), "Run the doctor again; if it repeats, check NetSuite's status."),
    }
}

/// One id the mapping names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdRef {
    /// SuiteQL table: `subsidiary`, `location`, `customer`, `item`.
    pub table: &'static str,
    pub id: String,
    /// Where the mapping names it, e.g. `shops.7494….location`.
    pub field: String,
}

/// Every subsidiary, location, customer and item id the mapping names.
pub fn mapping_refs(cfg: &crate::mapping::config::MappingConfig) -> Vec<IdRef> {
    use crate::mapping::config::{SellerDiscount, Shipping, Tax};
    let mut entries: Vec<(String, &crate::mapping::config::ShopMapping)> =
        vec![("default".into(), &cfg.default)];
    let mut shops: Vec<_> = cfg.shops.iter().collect();
    shops.sort_by_key(|(k, _)| k.as_str());
    entries.extend(shops.into_iter().map(|(k, m)| (format!("shops.{k}"), m)));
    let mut out = Vec::new();
    let mut add = |table: &'static str, id: Option<&String>, field: String| {
        if let Some(id) = id.filter(|i| !i.is_empty()) {
            out.push(IdRef {
                table,
                id: id.clone(),
                field,
            });
        }
    };
    for (at, m) in entries {
        add(
            "subsidiary",
            m.subsidiary.as_ref(),
            format!("{at}.subsidiary"),
        );
        add("location", m.location.as_ref(), format!("{at}.location"));
        add(
            "customer",
            m.customer.customer_id.as_ref(),
            format!("{at}.customer.customer_id"),
        );
        if let Shipping::Item { item_id } = &m.shipping {
            add("item", Some(item_id), format!("{at}.shipping.item_id"));
        }
        if let Tax::Item { item_id } = &m.tax {
            add("item", Some(item_id), format!("{at}.tax.item_id"));
        }
        if let SellerDiscount::Item { item_id } = &m.seller_discount {
            add(
                "item",
                Some(item_id),
                format!("{at}.seller_discount.item_id"),
            );
        }
        if let Some(inv) = &m.inventory {
            for loc in inv.push.location_warehouses.keys() {
                add(
                    "location",
                    Some(&loc.as_str().to_string()),
                    format!("{at}.inventory.location_warehouses"),
                );
            }
        }
    }
    out
}

/// The ids of one table exist and are active. `found`: id → inactive, as
/// SuiteQL answered for exactly these ids.
pub fn ids_active(table: &str, refs: &[&IdRef], found: &BTreeMap<String, bool>) -> Check {
    let name = format!("netsuite.ids {table}");
    let mut problems = Vec::new();
    for r in refs {
        match found.get(&r.id) {
            None => problems.push(format!("{table} {} ({}) does not exist", r.id, r.field)),
            Some(true) => problems.push(format!("{table} {} ({}) is inactive", r.id, r.field)),
            Some(false) => {}
        }
    }
    problems.dedup();
    let mut ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    if problems.is_empty() {
        return Check::pass(name, format!("active: {}", ids.join(", ")));
    }
    Check::fail(
        name,
        problems.join("; "),
        format!("Reactivate the {table} in NetSuite, or change MappingConfig to an active one (then redeploy)."),
    )
}

/// The payout table's GL accounts, and the bank and clearing accounts,
/// exist, are active and take postings (`mapping::payouts::resolve_accounts`).
pub fn payout_accounts(shop: &str, result: Result<usize, String>) -> Check {
    let name = format!("netsuite.accounts {shop}");
    match result {
        Ok(n) => Check::pass(name, format!("{n} payout accounts exist and are active")),
        Err(problems) => Check::fail(name, problems, "Fix the account numbers in the shop's payouts mapping, or create/reactivate the accounts in NetSuite (Lists → Accounting → Accounts)."),
    }
}

/// One `accountingperiod` row (posting periods only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRow {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub start: String,
    pub end: String,
    pub closed: bool,
    /// All of A/R, A/P and the GL locked: no posting either.
    pub locked: bool,
}

/// The posting period holding `today` (`YYYY-MM-DD`) is open.
pub fn period_open(today: &str, rows: &[PeriodRow]) -> Check {
    let name = "netsuite.period";
    let fix = "Reopen or unlock the period in NetSuite (Setup → Accounting → Manage Accounting Periods), or set up the fiscal year if it is missing.";
    match rows
        .iter()
        .find(|p| p.start.as_str() <= today && today <= p.end.as_str())
    {
        None => Check::fail(name, format!("no posting period covers {today}"), fix),
        Some(p) if p.closed => Check::fail(
            name,
            format!("the current period {} is closed", p.name),
            fix,
        ),
        Some(p) if p.locked => Check::fail(
            name,
            format!("the current period {} is locked", p.name),
            fix,
        ),
        Some(p) => Check::pass(name, format!("the current period {} is open", p.name)),
    }
}

/// SES may send from the sender identity (`status`: SES v2
/// `VerifiedForSendingStatus`; `Err`: the identity is unknown or unreadable).
pub fn ses_sender(from: Option<&str>, status: Result<bool, String>) -> Check {
    let name = "ses.sender";
    let Some(from) = from else {
        return Check::warn(
            name,
            "ALERT_FROM is not set: no admin digest or finance email is sent",
            "Set SenderAddress (and SenderIdentity) in the stack's parameters.",
        );
    };
    match status {
        Ok(true) => Check::pass(name, format!("{from} is verified for sending")),
        Ok(false) => Check::fail(name, format!("{from} is not verified for sending yet"), "Finish the SES verification of the sender (the email link, or the domain's DKIM records), in the stack's region."),
        Err(e) => Check::fail(name, format!("SES has no identity for {from}: {e}"), "Create and verify the sender identity in SES (Verified identities → Create identity), in the stack's region."),
    }
}

/// A table or queue answered.
pub fn reachable(kind: &str, name: &str, result: Result<(), String>) -> Check {
    let check = format!("aws.{kind} {name}");
    match result {
        Ok(()) => Check::pass(check, "reachable"),
        Err(e) => Check::fail(check, format!("not reachable: {e}"), "Check that the stack deployed it and that the function's role may read it (see infra/template.yaml)."),
    }
}

#[cfg(test)]
#[path = "checks_tests.rs"]
mod tests;
