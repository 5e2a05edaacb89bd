//! Login throttling: after [`USER_LIMIT`] attempts for one user name (a
//! right password clears them), or [`SOURCE_LIMIT`] failed ones from one
//! source address, within [`WINDOW_SECS`], logins for it are refused until
//! the window ends, even with the right password. Each attempt is counted
//! before its password is checked. The counters live in DynamoDB
//! (`store::login_throttle`), so every Lambda instance sees them.

use crate::store::Failures;

pub const WINDOW_SECS: i64 = 15 * 60;
pub const USER_LIMIT: u32 = 5;
pub const SOURCE_LIMIT: u32 = 20;

/// Counter key of a user name.
pub fn user_key(name: &str) -> String {
    format!("user#{}", name.trim().to_lowercase())
}

/// Counter key of a source address.
pub fn source_key(addr: &str) -> String {
    format!("src#{addr}")
}

/// Seconds until logins are allowed again, or `None` when they are.
pub fn locked_for(f: &Failures, limit: u32, now: i64) -> Option<i64> {
    let ends = f.since + WINDOW_SECS;
    (f.count >= limit && ends > now).then_some(ends - now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_at_the_limit_until_the_window_ends() {
        let f = |count| Failures { count, since: 1000 };
        assert_eq!(locked_for(&f(4), USER_LIMIT, 1001), None);
        assert_eq!(locked_for(&f(5), USER_LIMIT, 1001), Some(WINDOW_SECS - 1));
        assert_eq!(locked_for(&f(5), USER_LIMIT, 1000 + WINDOW_SECS), None);
        assert_eq!(user_key(" Ana "), "user#ana");
    }
}
