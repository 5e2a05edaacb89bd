//! A shop's returns section (issue 28 §2): where returned goods are
//! received. Good units go to `sellable_location`, damaged ones to
//! `damaged_location` (the shop's damaged-goods location); both are
//! NetSuite location internal ids, checked by the doctor
//! (`doctor/returns.rs`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReturnsConfig {
    pub sellable_location: String,
    pub damaged_location: String,
}
