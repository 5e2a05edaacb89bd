//! TikTok Shipping labels driven from NetSuite (`shipping_type` TIKTOK:
//! the seller ships, on a label bought through TikTok, with TikTok's
//! carrier and tracking; tiktok-shipping.md).
//!
//! Data path: the warehouse sets the Item Fulfillment to Packed with the
//! package's weight and size ([`measure`]) → per package, [`step`] decides
//! the next call from the saved state and the order as TikTok shows it
//! (US: eligible services → Create Packages; UK/EU/SEA: Ship Package) →
//! the shipping document → TikTok's tracking and carrier on the Item
//! Fulfillment, the PDF in the File Cabinet attached to it. TikTok's
//! answers are sorted by [`refusal`] (already done / retry / refused with
//! a fix and a taxonomy code); combined and split packages by
//! [`packages`].
//!
//! The plain decisions have their unit tests; [`run`] is the I/O.

pub mod job;
pub mod measure;
pub mod packages;
pub mod refusal;
pub mod run;
pub mod step;

pub use measure::{tiktok_measures, Dimension, MissingMeasure, PackedMeasures, Weight};
pub use packages::{fulfilments_of, tracking_due, LabelledPackage, TrackingWrite};
pub use refusal::{classify, LabelOutcome, LabelRefusal};
pub use run::{label_one, mark_done, LabelError, LabelReady, PackedFulfilment};
pub use step::{next_step, LabelState, Market, OrderNow, Step, TikTokPackage};
