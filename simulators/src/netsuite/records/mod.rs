//! A generic record store behind `/record/v1/{type}`. Record types are
//! described by data (`KINDS`), not code, so adding creditMemo-style types
//! means adding a table row: body field names, sublists and which references
//! get validated.
//!
//! Behaviour taken from netsuite-rest-api.md §2/§6: create is 204 with an
//! empty body and a `Location` whose type segment is lower-cased
//! (section_1545141395); `PUT eid:{externalId}` creates or updates
//! (section_156335203191); GET returns sublists as links unless
//! `expandSubResources=true` (section_1545141947). References are validated
//! and rendered as described in `refs.rs`.
//!
//! Sublists (all writes: POST, PUT upsert, PATCH and `!transform`):
//! - Create: "lines of a keyed sublist are updated if the line contains
//!   matching keys, and the remaining lines from the request are added"
//!   ("Creating a Sublist", section_1545142420). A new record has no lines,
//!   so every line is added.
//! - Update (PATCH, and PUT upsert of an existing record): a request line
//!   whose `line` matches an existing line updates that line; every other
//!   request line is APPENDED to the lines already there ("Updating a
//!   Sublist", section_1545295601). The upsert endpoint takes the same
//!   `replace` parameter as PATCH and no other sublist rule is documented for
//!   it, so it behaves exactly like PATCH: a retried upsert without
//!   `?replace=item` doubles the lines (netsuite-rest-api.md §0).
//! - `?replace=a,b`: for each named sublist, existing lines whose `line`
//!   matches a request line are updated, all other existing lines are
//!   removed, and unmatched request lines are added ("Replacing a Sublist",
//!   section_1545297048; deleting a line this way, chapter_1545142407). A
//!   named sublist that is absent from the body is emptied (the source is
//!   silent; harsher reading). A name that is not a sublist of the record is
//!   400 INVALID_PARAMETER on `replace` (sim-defined wording). Removing a
//!   line that has been fulfilled or billed is refused (harsher reading).
//! - Line numbers (`line`) are never reused: new lines get numbers above
//!   every line the record had before the request.
//! - A line's `amount` is `quantity × rate` unless the request sets `amount`;
//!   changing `quantity` or `rate` of a stored line recomputes it. A
//!   transaction's `subtotal` (sum of item line amounts) and `total`
//!   (subtotal + `shippingCost` + `handlingCost`) are always recomputed from
//!   the resulting lines; values sent for them are ignored (they are
//!   read-only in the UI, whose validation REST runs, subsect_1544786455).
//!
//! Upsert response: the notes leave open whether PUT returns `Location`
//! ("Open items"). On create it does, like POST (section_1545141395; the
//! REST API Browser lists 204 for PUT). On update it does NOT (harsher
//! reading): a client must read the id with `GET .../eid:<externalId>`.
//! Sim-defined (unverified) details are marked where they occur.

//!
//! Files: `kinds.rs` holds the record-type table, one file per record type
//! declares its fields (`sales_order.rs`, `customer.rs`, `credit_memo.rs`,
//! `invoice.rs`, `cash_sale.rs`, `item_fulfillment.rs`, `cash_refund.rs`,
//! `journal_entry.rs`), `store.rs` keeps the records, `sublists.rs` applies
//! the line rules above, `refs.rs` checks and renders references,
//! `transform.rs` serves `!transform`, and `http.rs` the REST verbs. The
//! return records (`return_authorization.rs`, `item_receipt.rs`) have their
//! own transform rules in `return_transforms.rs`.

use super::{NetSuiteSim, NsError};

mod cash_refund;
mod cash_sale;
mod credit_memo;
mod customer;
mod http;
mod invoice;
mod item_fulfillment;
mod item_receipt;
mod journal_entry;
mod kinds;
mod refs;
mod return_authorization;
mod return_transforms;
mod sales_order;
mod store;
mod sublists;
mod transform;

pub(crate) use http::{create, read, read_sublist, remove, update, upsert, WriteParams};
use http::{into_response, invalid_field_value, no_content, parse_body, replace_list};
pub(crate) use kinds::{kind, RecordKind, Sublist, KINDS};
use store::{duplicate_eid, scalar_string};
pub(crate) use store::{get_ci, num, stamp, to_json_number, RecordStore};
use sublists::lines;
pub(crate) use sublists::{apply_lines, recompute_totals};
pub(crate) use transform::{transform, transform_record};

#[cfg(test)]
mod tests {
    use super::store::valid_external_id;
    use super::*;

    use serde_json::json;

    #[test]
    fn external_id_charset() {
        assert!(valid_external_id(
            "tts-7494049642642441621-576461413038785752"
        ));
        assert!(valid_external_id("A_b-9"));
        assert!(!valid_external_id(""));
        assert!(!valid_external_id("a|b"));
        assert!(!valid_external_id("a b"));
    }

    #[test]
    fn lines_merge_by_number_and_append_new() {
        let sl = &KINDS[0].sublists[0];
        let (first, _) = apply_lines(
            sl,
            Vec::new(),
            vec![
                json!({"item": {"id": "101"}, "quantity": 2, "rate": 1.5}),
                json!({"item": {"id": "103"}}),
            ],
            false,
        );
        assert_eq!(first[1]["line"], 2);
        assert_eq!(first[0]["isClosed"], false);
        assert_eq!(first[0]["amount"], 3);
        let (merged, removed) = apply_lines(
            sl,
            first.clone(),
            vec![
                json!({"line": 2, "isClosed": true}),
                json!({"item": {"id": "105"}}),
                json!({"line": 1, "quantity": 4}),
            ],
            false,
        );
        assert!(removed.is_empty());
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[1]["isClosed"], true);
        assert_eq!(merged[1]["item"]["id"], "103");
        assert_eq!(merged[2]["line"], 3);
        assert_eq!(merged[0]["amount"], 6, "quantity change reprices");

        // Replace: matched lines updated, others removed, new ones numbered
        // above every previous line.
        let (replaced, removed) = apply_lines(
            sl,
            merged,
            vec![
                json!({"line": 3, "quantity": 1}),
                json!({"item": {"id": "104"}}),
            ],
            true,
        );
        assert_eq!(removed.len(), 2);
        assert_eq!(replaced.len(), 2);
        assert_eq!(replaced[0]["item"]["id"], "105");
        assert_eq!(replaced[1]["line"], 4);
    }

    #[test]
    fn kinds_are_case_insensitive() {
        assert_eq!(kind("salesorder").map(|k| k.name), Some("salesOrder"));
        assert_eq!(kind("JOURNALENTRY").map(|k| k.name), Some("journalEntry"));
        assert!(kind("nope").is_none());
    }
}
