//! The NetSuite side of the doctor: the login, each SuiteQL table and record
//! type the product uses (probed one by one), the mapping's ids, the payout
//! accounts and the current posting period.

use std::collections::BTreeMap;

use super::checks::{self, NsProbe, PeriodRow};
use super::Check;
use crate::mapping::config::MappingConfig;
use crate::mapping::payouts::{resolve_accounts, AccountRow, ACCOUNTS_QUERY};
use crate::netsuite::column_text;
use crate::netsuite::{sql_quote, NetSuiteAuth, NetSuiteClient};

/// Every SuiteQL table the product queries, a column to probe it with, and
/// the role permission it needs (netsuite-rest-api.md §8; SuiteQL itself
/// needs SuiteAnalytics Workbook).
pub const TABLES: [(&str, &str, &str); 12] = [
    ("transaction", "id", "Find Transaction (View)"),
    ("transactionline", "id", "Find Transaction (View)"),
    (
        "previoustransactionlinelink",
        "nextdoc",
        "Find Transaction (View)",
    ),
    ("item", "id", "Items (View)"),
    (
        "inventoryitemlocations",
        "item",
        "Items (View) and Locations (View)",
    ),
    ("customer", "id", "Customers (View)"),
    ("location", "id", "Locations (View)"),
    ("subsidiary", "id", "Subsidiaries (View)"),
    ("account", "id", "Accounts (View)"),
    (
        "trackingnumbermap",
        "trackingnumber",
        "Item Fulfillment (View)",
    ),
    ("trackingnumber", "id", "Item Fulfillment (View)"),
    ("accountingperiod", "id", "Manage Accounting Periods (View)"),
];

/// Every record type the product reads or writes, and the permission.
pub const RECORDS: [(&str, &str); 7] = [
    ("salesOrder", "Sales Order (Create/Edit)"),
    ("customer", "Customers (Create/Edit)"),
    ("invoice", "Invoice (View)"),
    ("cashSale", "Cash Sale (View)"),
    ("creditMemo", "Credit Memo (Create)"),
    ("cashRefund", "Cash Refund (Create)"),
    ("journalEntry", "Make Journal Entry (Create)"),
];

/// The posting periods, dates as `YYYY-MM-DD`.
pub const PERIODS_QUERY: &str = "SELECT periodname, TO_CHAR(startdate, 'YYYY-MM-DD HH24:MI:SS') AS startdate, TO_CHAR(enddate, 'YYYY-MM-DD HH24:MI:SS') AS enddate, closed, alllocked FROM accountingperiod WHERE isposting = 'T'";

fn probe<T>(r: &Result<T, crate::netsuite::NsError>) -> NsProbe {
    match r {
        Ok(_) => NsProbe::Ok,
        Err(e) => NsProbe::from(e),
    }
}

pub struct NetSuiteSide<'a> {
    pub client: &'a NetSuiteClient,
    pub mapping: &'a MappingConfig,
}

impl NetSuiteSide<'_> {
    pub async fn run(&self, today: &str, out: &mut Vec<Check>) {
        let mode = match &self.client.config().credentials {
            NetSuiteAuth::Tba(_) => "TBA",
            NetSuiteAuth::M2m(_) => "OAuth 2.0 M2M",
        };
        let mut table_probes = Vec::new();
        for (table, col, _) in TABLES {
            let q = format!("SELECT {col} FROM {table} WHERE {col} = '0'");
            table_probes.push(probe(&self.client.suiteql_page(&q, 1, 0).await));
        }
        let login = checks::netsuite_login(mode, &table_probes[0]);
        let signed_in = login.status == super::Status::Pass;
        out.push(login);
        if !signed_in {
            return;
        }
        for ((table, _, permission), p) in TABLES.iter().zip(&table_probes) {
            out.push(checks::netsuite_access("table", table, permission, p));
        }
        for (record, permission) in RECORDS {
            let p = probe(&self.client.get(record, "0", false).await);
            out.push(checks::netsuite_access("record", record, permission, &p));
        }
        self.ids(out).await;
        self.accounts(out).await;
        out.push(match self.client.suiteql(PERIODS_QUERY).await {
            Ok(rows) => {
                let rows: Vec<PeriodRow> = rows
                    .iter()
                    .map(|r| PeriodRow {
                        name: column_text(r, "periodname"),
                        start: column_text(r, "startdate").chars().take(10).collect(),
                        end: column_text(r, "enddate").chars().take(10).collect(),
                        closed: column_text(r, "closed") == "T",
                        locked: column_text(r, "alllocked") == "T",
                    })
                    .collect();
                checks::period_open(today, &rows)
            }
            Err(e) => checks::netsuite_access(
                "table",
                "accountingperiod (periods)",
                "Manage Accounting Periods (View)",
                &NsProbe::from(&e),
            ),
        });
        super::returns::run(self.client, self.mapping, out).await;
    }

    async fn ids(&self, out: &mut Vec<Check>) {
        let refs = checks::mapping_refs(self.mapping);
        for table in ["subsidiary", "location", "customer", "item"] {
            let of: Vec<&checks::IdRef> = refs.iter().filter(|r| r.table == table).collect();
            if of.is_empty() {
                continue;
            }
            let list: Vec<String> = of.iter().map(|r| sql_quote(&r.id)).collect();
            let q = format!(
                "SELECT id, isinactive FROM {table} WHERE id IN ({})",
                list.join(", ")
            );
            out.push(match self.client.suiteql(&q).await {
                Ok(rows) => {
                    let found: BTreeMap<String, bool> = rows
                        .iter()
                        .map(|r| (column_text(r, "id"), column_text(r, "isinactive") == "T"))
                        .collect();
                    checks::ids_active(table, &of, &found)
                }
                Err(e) => {
                    checks::netsuite_access("ids", table, "View on this list", &NsProbe::from(&e))
                }
            });
        }
    }

    async fn accounts(&self, out: &mut Vec<Check>) {
        let mut shops: Vec<_> = self
            .mapping
            .shops
            .iter()
            .filter_map(|(k, m)| m.payouts.as_ref().map(|p| (k, p)))
            .collect();
        if shops.is_empty() {
            return;
        }
        shops.sort_by_key(|(k, _)| k.as_str());
        let rows = match self.client.suiteql(ACCOUNTS_QUERY).await {
            Ok(rows) => rows
                .iter()
                .map(|r| AccountRow {
                    id: column_text(r, "id"),
                    number: column_text(r, "acctnumber"),
                    name: column_text(r, "acctname"),
                    inactive: column_text(r, "isinactive") == "T",
                    summary: column_text(r, "issummary") == "T",
                })
                .collect::<Vec<_>>(),
            Err(e) => {
                out.push(checks::netsuite_access(
                    "ids",
                    "account",
                    "Accounts (View)",
                    &NsProbe::from(&e),
                ));
                return;
            }
        };
        for (shop, cfg) in shops {
            out.push(checks::payout_accounts(
                shop,
                resolve_accounts(cfg, &rows).map(|ids| ids.len()),
            ));
        }
    }
}
