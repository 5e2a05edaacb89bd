//! [`Doctor`]: every check, in order, into one [`Report`]; and
//! [`DoctorJob`], the same as a scheduled job for one shop (its failures in
//! the run log, `DoctorChecksFailed` as an EMF metric the template alarms on).

use async_trait::async_trait;

use super::aws::AwsSide;
use super::netsuite::NetSuiteSide;
use super::tiktok::TikTokSide;
use super::{Report, Status};
use crate::clock::Clock;
use crate::domain::ShopId;
use crate::jobs::{JobError, JobName, Progress, ShopJob};
use crate::store::{JobRun, LeaseState, RunFailure};

/// Everything the checks read.
pub struct Doctor<'a> {
    pub tiktok: TikTokSide<'a>,
    /// `None`: NetSuite is not configured (reported as a failure).
    pub netsuite: Option<NetSuiteSide<'a>>,
    pub aws: AwsSide<'a>,
    pub clock: &'a dyn Clock,
    /// TikTok's warehouses (sales, return, FBT) beside the mapping table.
    pub warehouses: super::warehouses::WarehouseSide<'a>,
}

impl Doctor<'_> {
    /// Runs every check for `shops`.
    pub async fn run(&self, shops: &[ShopId]) -> Report {
        let now = self.clock.now();
        let mut checks = Vec::new();
        self.tiktok.run(shops, now, &mut checks).await;
        self.warehouses.run(shops, &mut checks).await;
        match &self.netsuite {
            Some(ns) => {
                let today = chrono::DateTime::from_timestamp(now, 0)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                ns.run(&today, &mut checks).await;
            }
            None => checks.push(super::Check::fail(
                "netsuite.login",
                "NetSuite is not configured",
                "Set NETSUITE_SECRET_ID (the stack does) to the secret holding the TBA or M2M credentials.",
            )),
        }
        self.aws.run(&mut checks).await;
        for c in &checks {
            match c.status {
                Status::Fail => {
                    tracing::warn!(check = %c.name, detail = %c.detail, "doctor: check failed")
                }
                _ => tracing::info!(check = %c.name, status = c.status.as_str(), "doctor: check"),
            }
        }
        Report { checks, at: now }
    }
}

/// The scheduled run: the doctor for one shop; every line in the run's
/// findings (the Health page reads them), each failure with its fix.
pub struct DoctorJob<'a> {
    pub doctor: Doctor<'a>,
}

#[async_trait]
impl ShopJob for DoctorJob<'_> {
    fn name(&self) -> JobName {
        JobName::Doctor
    }

    async fn run(
        &self,
        shop: &ShopId,
        _start: &LeaseState,
        _progress: &Progress<'_>,
        run: &mut JobRun,
    ) -> Result<String, JobError> {
        let report = self.doctor.run(std::slice::from_ref(shop)).await;
        run.count("checks_passed", report.count(&Status::Pass) as u64);
        run.count("checks_warned", report.count(&Status::Warn) as u64);
        run.count("checks_failed", report.count(&Status::Fail) as u64);
        run.findings = report.checks.iter().map(super::Check::line).collect();
        run.failures = report
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| RunFailure {
                subject: c.name.clone(),
                reason: c.detail.clone(),
                fix: c.fix.clone(),
            })
            .collect();
        run.note = report.summary();
        Ok(report.at.to_string())
    }
}

/// The AWS clients and the token store the doctor reads, built once with
/// the jobs function (`app::JobsApp`), the CLI and the console.
pub struct DoctorClients {
    pub ddb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub ses: aws_sdk_sesv2::Client,
    pub tokens: crate::store::DynamoShopTokenStore,
}

impl DoctorClients {
    pub fn new(sdk: &aws_config::SdkConfig, cfg: &crate::config::JobsConfig) -> Self {
        let ddb = aws_sdk_dynamodb::Client::new(sdk);
        Self {
            tokens: crate::store::DynamoShopTokenStore::new(ddb.clone(), &cfg.tokens.table),
            ddb,
            sqs: aws_sdk_sqs::Client::new(sdk),
            ses: aws_sdk_sesv2::Client::new(sdk),
        }
    }

    /// The doctor over the jobs function's configuration and clients.
    pub fn doctor<'a>(
        &'a self,
        cfg: &'a crate::config::JobsConfig,
        sessions: &'a crate::tiktok::ShopSessions,
        netsuite: Option<&'a crate::netsuite::NetSuiteClient>,
        clock: &'a dyn Clock,
    ) -> Doctor<'a> {
        Doctor {
            tiktok: TikTokSide {
                sessions,
                tokens: &self.tokens,
                webhooks: sessions,
            },
            netsuite: netsuite.map(|client| NetSuiteSide {
                client,
                mapping: &cfg.jobs.mapping,
            }),
            aws: AwsSide {
                ses: &self.ses,
                from: cfg.alerts.from.as_deref(),
                ddb: &self.ddb,
                tables: vec![
                    ("order log", cfg.order_log.table.as_str()),
                    ("events", cfg.events.table.as_str()),
                    ("shop tokens", cfg.tokens.table.as_str()),
                    ("job runs", cfg.runs.table.as_str()),
                ],
                sqs: &self.sqs,
                queues: vec![("orders", cfg.queue.url.as_str())],
            },
            clock,
            warehouses: super::warehouses::WarehouseSide {
                sessions,
                mapping: &cfg.jobs.mapping,
            },
        }
    }
}
