//! Test controls for the doctor's TikTok checks: a shop's webhook
//! subscriptions (stored by the Event API in `events.rs`) and its granted
//! scopes. A test removes a subscription with an empty address to break the
//! doctor's webhook check.

use super::events::Subscription;
use super::TikTokSim;

impl TikTokSim {
    /// Sets (or, with an empty address, removes) a shop's subscription.
    pub fn set_webhook(&self, shop_id: &str, event_type: &str, address: &str) {
        let mut st = self.state();
        let subs = st.webhooks.entry(shop_id.to_string()).or_default();
        if address.is_empty() {
            subs.remove(event_type);
        } else {
            subs.insert(
                event_type.to_string(),
                Subscription {
                    event_type: event_type.to_string(),
                    address: address.to_string(),
                    create_time: 1_700_000_000,
                    update_time: 1_700_000_000,
                },
            );
        }
    }

    /// Replaces a shop's granted scopes (the next token refresh returns them).
    pub fn set_granted_scopes(&self, shop_id: &str, scopes: &[&str]) {
        let mut st = self.state();
        if let Some(s) = st.shops.iter_mut().find(|s| s.id == shop_id) {
            s.granted_scopes = scopes.iter().map(|s| s.to_string()).collect();
        }
    }
}
