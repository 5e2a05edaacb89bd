//! The doctor against moto and the simulators: all green on the seeded
//! set-up; then each check broken on purpose, one at a time, fails alone
//! with its fix; the scheduled run logs the failure and emits
//! `DoctorChecksFailed`; the Health page shows it.

mod common;

use common::*;
use shared::app::{JobRequest, JobsApp};
use shared::config::JobsConfig;
use shared::doctor::{Report, Status};
use shared::domain::ShopId;
use shared::store::{ShopCredentials, ShopTokenStore};

async fn doctor_with(env: &local_env::LocalEnv, cfg: JobsConfig) -> Report {
    let app = JobsApp::new(cfg, &env.sdk).await.expect("jobs app");
    doctor_of(&app).await
}

async fn doctor_of(app: &JobsApp) -> Report {
    app.doctor
        .doctor(
            &app.config,
            &app.shops,
            app.netsuite.as_ref(),
            app.clock.as_ref(),
        )
        .run(&app.config.jobs.shops())
        .await
}

async fn doctor(env: &local_env::LocalEnv) -> Report {
    doctor_of(&env.jobs).await
}

fn failed(r: &Report) -> Vec<String> {
    r.checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.name.clone())
        .collect()
}

/// Exactly `name` failed, and its fix says `fix`.
fn only(r: &Report, name: &str, fix: &str) {
    assert_eq!(
        failed(r),
        vec![name.to_string()],
        "{}",
        r.lines().join("\n")
    );
    let c = r.checks.iter().find(|c| c.name == name).unwrap();
    assert!(c.fix.contains(fix), "{name}: fix {:?} lacks {fix:?}", c.fix);
    println!("{}", c.line());
}

/// The local set-up after each shop's webhook was registered (as
/// `tiktok-netsuite webhooks register --yes` leaves it; the registration
/// itself is shown by `webhook_registration.rs`): TikTok starts a shop with
/// no subscriptions.
async fn registered_env() -> local_env::LocalEnv {
    let env = local_env(30, 5).await;
    for shop in env.jobs_config.jobs.shops() {
        for t in shared::doctor::webhooks::NEEDED_EVENTS {
            env.tiktok
                .state
                .set_webhook(shop.as_str(), t, "https://webhook.example.com/tiktok");
        }
    }
    env
}

fn this_month() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

#[tokio::test]
async fn green_then_each_check_broken_alone_fails_with_its_fix() {
    let env = registered_env().await;
    let green = doctor(&env).await;
    println!("{}", green.lines().join("\n"));
    assert!(!green.failed(), "{}", green.lines().join("\n"));
    for prefix in [
        "tiktok.app",
        "tiktok.token",
        "tiktok.scopes",
        "tiktok.webhooks",
        "netsuite.login",
        "netsuite.table",
        "netsuite.record",
        "netsuite.ids",
        "netsuite.period",
        "ses.sender",
        "aws.table",
        "aws.queue",
    ] {
        assert!(green.named(prefix).count() > 0, "no {prefix} check");
    }
    assert_eq!(green.named("netsuite.table").count(), 12);
    assert_eq!(green.named("netsuite.record").count(), 7);

    // TikTok: a wrong app secret.
    let mut cfg = env.jobs_config.clone();
    if let shared::config::TikTokAppSource::Env(app) = &mut cfg.app {
        app.app_secret = "not-the-secret".into();
    }
    only(&doctor_with(&env, cfg).await, "tiktok.app", "app secret");

    // TikTok: the US shop's tokens expired (access and refresh).
    let store = &env.jobs.doctor.tokens;
    let us = ShopId::new(US_SHOP);
    let kept = store.get(&us).await.unwrap().unwrap();
    let now = now();
    env.tiktok
        .state
        .set_token(US_SHOP, None, Some(now - 60))
        .unwrap();
    store
        .put(&ShopCredentials {
            access_token_expires_at: now - 60,
            refresh_token_expires_at: now - 30,
            ..kept.clone()
        })
        .await
        .unwrap();
    only(
        &doctor(&env).await,
        &format!("tiktok.token {US_SHOP}"),
        "re-authorize",
    );
    store.put(&kept).await.unwrap();
    env.tiktok
        .state
        .set_token(US_SHOP, None, Some(kept.access_token_expires_at))
        .unwrap();

    // TikTok: the shop was authorized before the Finance scope existed.
    let all: Vec<&str> = shared::tiktok::scopes::NEEDED
        .iter()
        .map(|s| s.name)
        .collect();
    let without: Vec<&str> = all
        .iter()
        .copied()
        .filter(|s| *s != "seller.finance.info")
        .collect();
    env.tiktok.state.set_granted_scopes(US_SHOP, &without);
    let r = doctor(&env).await;
    only(
        &r,
        &format!("tiktok.scopes {US_SHOP}"),
        "seller.finance.info",
    );
    assert!(r
        .named(&format!("tiktok.scopes {US_SHOP}"))
        .next()
        .unwrap()
        .fix
        .contains("re-authorize"));
    env.tiktok.state.set_granted_scopes(US_SHOP, &all);

    // TikTok: no webhook for return status changes.
    env.tiktok
        .state
        .set_webhook(US_SHOP, "RETURN_STATUS_CHANGE", "");
    let r = doctor(&env).await;
    only(&r, &format!("tiktok.webhooks {US_SHOP}"), "webhook URL");
    assert!(r
        .named("tiktok.webhooks")
        .any(|c| c.detail.contains("RETURN_STATUS_CHANGE")));
    env.tiktok.state.set_webhook(
        US_SHOP,
        "RETURN_STATUS_CHANGE",
        "https://webhook.example.com/tiktok",
    );

    // NetSuite: wrong TBA credentials.
    if let shared::config::NetSuiteSource::Env(shared::config::NetSuiteCredentials::Tba(_)) =
        &env.jobs_config.netsuite.as_ref().unwrap().source
    {
        let mut cfg = env.jobs_config.clone();
        if let Some(n) = &mut cfg.netsuite {
            if let shared::config::NetSuiteSource::Env(shared::config::NetSuiteCredentials::Tba(
                k,
            )) = &mut n.source
            {
                k.token_secret = "wrong".into();
            }
        }
        only(
            &doctor_with(&env, cfg).await,
            "netsuite.login",
            "Access Tokens",
        );
    }

    // NetSuite: the role may not read tracking numbers, or write journals.
    env.netsuite.state.deny_table("trackingnumber", true);
    only(
        &doctor(&env).await,
        "netsuite.table trackingnumber",
        "Item Fulfillment (View)",
    );
    env.netsuite.state.deny_table("trackingnumber", false);
    env.netsuite.state.deny_record("journalEntry", true);
    only(
        &doctor(&env).await,
        "netsuite.record journalEntry",
        "Make Journal Entry",
    );
    env.netsuite.state.deny_record("journalEntry", false);

    // NetSuite: a mapped location was made inactive. The local US shop uses
    // location 3 twice (its second warehouse in the stock table and its
    // returns' damaged-goods location), so both checks name it, each with
    // its own fix.
    env.netsuite.state.set_location_inactive("3", true);
    let r = doctor(&env).await;
    let us = "netsuite.returns.locations 7494049642642441621";
    assert_eq!(
        failed(&r),
        vec!["netsuite.ids location".to_string(), us.to_string()],
        "{}",
        r.lines().join("\n")
    );
    assert!(r
        .named("netsuite.ids location")
        .any(|c| c.detail.contains("location 3") && c.fix.contains("Reactivate")));
    assert!(r
        .named(us)
        .any(|c| c.detail.contains("damaged location 3 is inactive")
            && c.fix.contains("returns.locations.damaged")));
    env.netsuite.state.set_location_inactive("3", false);

    // NetSuite: this month's period is closed.
    env.netsuite.state.set_period_closed(&this_month(), true);
    only(
        &doctor(&env).await,
        "netsuite.period",
        "Manage Accounting Periods",
    );
    env.netsuite.state.set_period_closed(&this_month(), false);

    // SES: a sender with no identity.
    let mut cfg = env.jobs_config.clone();
    cfg.alerts.from = Some("nobody@unverified.invalid".into());
    only(
        &doctor_with(&env, cfg).await,
        "ses.sender",
        "verify the sender identity",
    );

    // AWS: a table and a queue that are not there.
    let mut cfg = env.jobs_config.clone();
    cfg.runs.table = "no-such-table".into();
    only(
        &doctor_with(&env, cfg).await,
        "aws.table job runs (no-such-table)",
        "template.yaml",
    );
    let mut cfg = env.jobs_config.clone();
    cfg.queue.url = format!("{}/123456789012/no-such-queue", endpoint());
    only(
        &doctor_with(&env, cfg).await,
        "aws.queue orders",
        "template.yaml",
    );

    assert!(!doctor(&env).await.failed(), "everything restored");
}

#[tokio::test]
async fn the_scheduled_run_logs_failures_emits_the_metric_and_the_health_page_shows_them() {
    let env = registered_env().await;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    env.netsuite.state.set_period_closed(&month, true);
    let runs = env
        .jobs
        .run(&JobRequest {
            job: "doctor".into(),
            shop: Some(US_SHOP.into()),
        })
        .await
        .expect("doctor run");
    let run = &runs[0];
    assert_eq!(run.job, "doctor");
    assert_eq!(
        run.counts.get("checks_failed"),
        Some(&1),
        "{:?}",
        run.findings
    );
    assert!(run
        .failures
        .iter()
        .any(|f| f.subject == "netsuite.period" && f.fix.contains("Reopen")));
    let metrics = shared::jobs::run::run_metrics(run);
    assert!(
        metrics.contains(&("DoctorChecksFailed".to_string(), 1)),
        "{metrics:?}"
    );
    assert!(run
        .findings
        .iter()
        .any(|l| l.starts_with("FAIL netsuite.period")));
}
