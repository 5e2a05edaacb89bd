//! Who may use the console: password hashes, signed session cookies, CSRF
//! tokens and the failed-login throttle. Pure functions over bytes and
//! times; the router does the I/O.

pub mod csrf;
pub mod session;
pub mod throttle;

pub use crate::ops::password;
pub use session::{Session, SessionKey};
