//! The `tiktok-netsuite` command line: the local runner that wires the
//! functions' handlers exactly as Lambda would, the demo, and (later) the
//! operations commands. Kept as a library so integration tests drive the
//! same runner in-process.

pub mod demo;
pub mod local;
pub mod ops;
pub mod runner;
