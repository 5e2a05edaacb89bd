//! A shop's returns settings, the `returns` section of its mapping entry
//! (issue 28 §4): the policy (absent by default: **a person decides every
//! return**, in the console queue, before TikTok's deadline), the returns
//! locations (good units to `sellable`, damaged ones to `damaged`), and how
//! long before a deadline the alarm fires.

use serde::{Deserialize, Serialize};

use super::policy::ReturnPolicy;
use super::receipt::ReturnLocations;

/// The alarm's default margin: half a day before TikTok's deadline.
pub const DEFAULT_ALARM_MARGIN_HOURS: u32 = 12;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnsSettings {
    /// `None` (the documented default): ask a person.
    #[serde(default)]
    pub policy: Option<ReturnPolicy>,
    /// Where graded units are received; without it, grading is refused.
    #[serde(default)]
    pub locations: Option<ReturnLocations>,
    #[serde(default = "default_margin")]
    pub alarm_margin_hours: u32,
}

fn default_margin() -> u32 {
    DEFAULT_ALARM_MARGIN_HOURS
}

impl Default for ReturnsSettings {
    fn default() -> Self {
        Self {
            policy: None,
            locations: None,
            alarm_margin_hours: DEFAULT_ALARM_MARGIN_HOURS,
        }
    }
}

impl ReturnsSettings {
    pub fn alarm_margin_secs(&self) -> i64 {
        i64::from(self.alarm_margin_hours) * 3600
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_asks_a_person() {
        let s: ReturnsSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, ReturnsSettings::default());
        assert!(s.policy.is_none());
        assert_eq!(s.alarm_margin_secs(), 12 * 3600);
    }
}
