//! What to do about a failure, as the console shows it. A SKU with no
//! NetSuite item gets a button to the SKU form, filled in for that SKU
//! (one per SKU), instead of the CLI command in the failure's fix text;
//! any other failure shows its fix text (which carries no TikTok data).

use maud::{html, Markup};

use super::{enc, Ctx};
use crate::domain::ShopId;
use crate::store::Role;
use crate::taxonomy::{ErrorCode, Failure};

/// The SKU form of one SKU of a shop.
pub fn link_url(shop: &ShopId, sku: &str) -> String {
    format!(
        "/skus?shop={}&q={}&link={}#link",
        enc(shop.as_str()),
        enc(sku),
        enc(sku)
    )
}

/// Each SKU once, in order (an order may carry one SKU on several lines).
pub fn distinct(skus: &[String]) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    skus.iter()
        .map(String::as_str)
        .filter(|s| seen.insert(*s))
        .collect()
}

/// The fix of `f` on an order of `shop` blocked on `skus`.
pub fn fix(ctx: &Ctx, f: &Failure, shop: &ShopId, skus: &[String]) -> Markup {
    let skus = distinct(skus);
    if f.code != ErrorCode::UnlinkedProduct || skus.is_empty() {
        return html! { (f.fix) };
    }
    html! {
        @if ctx.can(&Role::Operator) {
            "Link " @if skus.len() > 1 { "each SKU" } @else { "the SKU" }
            " to a NetSuite item (or create an item named after it), then resubmit: "
            span.fixes {
                @for s in &skus {
                    a.button href=(link_url(shop, s)) { "Link SKU " code { (s) } "…" }
                    " "
                }
            }
        } @else {
            "An operator links "
            @if skus.len() > 1 { "each SKU" } @else { "the SKU" }
            " to a NetSuite item on the SKU links page, then resubmits: "
            @for (i, s) in skus.iter().enumerate() {
                @if i > 0 { ", " }
                a href=(link_url(shop, s)) { code { (s) } }
            }
        }
    }
}
