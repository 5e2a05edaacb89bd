//! The scheduled-jobs function's own settings.

use super::{ConfigError, Env};
use crate::mapping::config::MappingConfig;
use crate::resources::JOB_RUNS_TABLE;

/// The sweep's settings (`SWEEP_*` variables); the sweep is
/// `ingest::sweep`, which enqueues what it finds as a webhook would..
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepSettings {
    /// How far back the first run looks, and the most a later run catches up.
    pub lookback_secs: i64,
    /// How far before the last watermark each run starts again.
    pub overlap_secs: i64,
    /// Orders per Get Order List page (1–100).
    pub page_size: u32,
}

impl Default for SweepSettings {
    fn default() -> Self {
        Self {
            lookback_secs: 24 * 3600,
            overlap_secs: 10 * 60,
            page_size: 50,
        }
    }
}

/// The tracking job's settings (`TRACKING_*` variables); the job is
/// `tracking::job`..
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackingSettings {
    /// How far back the first run looks.
    pub lookback_secs: i64,
    /// How far before the watermark each run starts again: covers a
    /// fulfilment whose save committed a little after its timestamp.
    pub overlap_secs: i64,
    /// Ship/update calls a second (TikTok allows 50 per API, shop and app).
    pub ship_qps: u32,
    /// Get Order Detail calls a second.
    pub order_qps: u32,
    /// Orders shipped at once.
    pub concurrency: usize,
}

impl Default for TrackingSettings {
    fn default() -> Self {
        Self {
            lookback_secs: 24 * 3600,
            overlap_secs: 2 * 60,
            ship_qps: 40,
            order_qps: 20,
            concurrency: 8,
        }
    }
}

/// The job runs table (leases, checkpoints, run log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRunsSettings {
    pub table: String,
}

impl JobRunsSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            table: env.required(
                JOB_RUNS_TABLE.env_var,
                "set it to the job runs table name (the SAM template does this)",
            )?,
        })
    }
}

/// What every job reads: which shops, how long a lease lasts, the sweep's window.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSettings {
    /// `MAPPING_CONFIG`: its `shops` are the shops a job runs for when its
    /// input names none.
    pub mapping: MappingConfig,
    /// `JOB_LEASE_SECS`: a run's lease from each commit (default 300 s,
    /// shorter than every schedule's period and longer than one page of work).
    pub lease_secs: i64,
    /// `SWEEP_LOOKBACK_HOURS` (default 24), `SWEEP_OVERLAP_MINUTES` (default 10).
    pub sweep: SweepSettings,
    /// `TRACKING_LOOKBACK_HOURS` (default 24), `TRACKING_OVERLAP_MINUTES` (default 2).
    pub tracking: TrackingSettings,
}

impl JobSettings {
    pub fn load(env: &Env<'_>) -> Result<Self, ConfigError> {
        let mapping = super::writer::load_mapping(env)?;
        let d = SweepSettings::default();
        Ok(Self {
            mapping,
            lease_secs: env.number("JOB_LEASE_SECS", 300, 30, 3600)?,
            sweep: SweepSettings {
                lookback_secs: env.number(
                    "SWEEP_LOOKBACK_HOURS",
                    d.lookback_secs / 3600,
                    1,
                    24 * 15,
                )? * 3600,
                overlap_secs: env.number(
                    "SWEEP_OVERLAP_MINUTES",
                    d.overlap_secs / 60,
                    0,
                    24 * 60,
                )? * 60,
                page_size: d.page_size,
            },
            tracking: {
                let t = TrackingSettings::default();
                TrackingSettings {
                    lookback_secs: env.number(
                        "TRACKING_LOOKBACK_HOURS",
                        t.lookback_secs / 3600,
                        1,
                        24 * 30,
                    )? * 3600,
                    overlap_secs: env.number(
                        "TRACKING_OVERLAP_MINUTES",
                        t.overlap_secs / 60,
                        0,
                        24 * 60,
                    )? * 60,
                    ..t
                }
            },
        })
    }

    /// The shops listed in the mapping, sorted (the `default` entry is not a shop).
    pub fn shops(&self) -> Vec<crate::domain::ShopId> {
        let mut v: Vec<_> = self
            .mapping
            .shops
            .keys()
            .map(|k| crate::domain::ShopId::new(k.clone()))
            .collect();
        v.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        v
    }
}
