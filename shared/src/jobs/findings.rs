//! Prefixes of run findings another flow picks out: a job writes them, the
//! drift digest (`notify::drift`) reads them, and neither depends on the
//! other.

/// A difference the daily Fulfilled-by-TikTok stock check found
/// (`stock::fbt_check`).
pub const FBT_DIFFERENCE: &str = "FBT stock differs: ";
/// Why the daily FBT stock check did not run (a missing scope, a shop not
/// enrolled in FBT, no FBT location).
pub const FBT_CHECK_SKIPPED: &str = "FBT stock check skipped: ";
/// The count of an inventory run that did the FBT check (SKUs compared).
pub const FBT_CHECKED_COUNT: &str = "fbt_skus_compared";
