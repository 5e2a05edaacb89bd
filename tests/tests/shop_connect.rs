//! Connecting a TikTok shop, as a merchant does it: the console's "Connect
//! a shop", the TikTok simulator's authorization page (a consent redirect),
//! the callback, and then the writer writing the shop's orders; the
//! callback refusing forged, replayed and expired states and a denial; a
//! deauthorization (webhook 6) making the shop's orders wait until it is
//! connected again; the Shops page and the daily digest; the CLI path.
//! Moto through the endpoint override, the simulators and the console on
//! loopback, real HTTP.

mod common;

use std::collections::HashMap;

use common::console::{add_user, serve, ConsoleHttp};
use common::{local_env, now, order_event, US_SHOP};
use shared::domain::{OrderId, ShopId};
use shared::store::{
    ConnectStates, DynamoConnectStates, DynamoOrderLog, DynamoShopProfiles, DynamoShopTokenStore,
    OrderLog, PendingConnect, ShopProfiles, ShopTokenStore, SyncStatus,
};

const PW: &str = "a long enough passphrase";
const ORDER: &str = "576461413038785752";

struct World {
    env: local_env::LocalEnv,
    console: String,
    /// A client that never holds a console cookie: TikTok's redirect brings
    /// none back (SameSite=Strict).
    browser: reqwest::Client,
}

impl World {
    fn tokens(&self) -> DynamoShopTokenStore {
        DynamoShopTokenStore::new(
            aws_sdk_dynamodb::Client::new(&self.env.sdk),
            &self.env.names.shop_tokens_table,
        )
    }

    fn profiles(&self) -> DynamoShopProfiles {
        DynamoShopProfiles::new(
            aws_sdk_dynamodb::Client::new(&self.env.sdk),
            &self.env.names.shop_tokens_table,
        )
    }

    fn log(&self) -> DynamoOrderLog {
        DynamoOrderLog::new(
            aws_sdk_dynamodb::Client::new(&self.env.sdk),
            &self.env.names.order_log_table,
        )
    }

    async fn admin(&self) -> ConsoleHttp {
        let http = ConsoleHttp::new(&self.console);
        assert_eq!(http.login("ada", PW).await.status, 303);
        http
    }

    /// "Connect a shop" as an admin: the TikTok page's URL.
    async fn start(&self, http: &ConsoleHttp) -> String {
        let shops = http.get("/shops").await;
        assert!(shops.body.contains("Connect a shop"), "{}", shops.body);
        let csrf = common::console::csrf_in(&shops.body);
        let r = http.post("/shops/connect", &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        r.location.expect("a redirect to TikTok")
    }

    /// The seller on TikTok's page: where it sends them back to.
    async fn consent(&self, tiktok_page: &str) -> String {
        let r = self.browser.get(tiktok_page).send().await.expect("page");
        assert_eq!(r.status().as_u16(), 302, "{:?}", r.text().await);
        r.headers()["location"].to_str().unwrap().to_string()
    }

    /// TikTok's redirect arriving at the console: (status, page).
    async fn callback(&self, url: &str) -> (u16, String) {
        let r = self.browser.get(url).send().await.expect("callback");
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    /// The whole connect, as the admin and the seller do it.
    async fn connect(&self) -> String {
        let http = self.admin().await;
        let page = self.start(&http).await;
        let back = self.consent(&page).await;
        let (status, body) = self.callback(&back).await;
        assert_eq!(status, 200, "{body}");
        back
    }

    async fn push(&self, body: &[u8]) {
        let r = self
            .env
            .webhook
            .handle("POST", Some(&self.env.sign(body)), body)
            .await;
        assert_eq!(r.status, 200);
        local_env::runner::drain(&self.env).await.expect("drain");
    }

    async fn order_status(&self) -> Option<shared::store::OrderLogEntry> {
        self.log()
            .get(&ShopId::new(US_SHOP), &OrderId::new(ORDER))
            .await
            .expect("log")
    }
}

/// A local environment whose US shop is not connected (its seeded tokens
/// removed), the console on loopback with an admin and a viewer, and the
/// simulator's app registered with the console's callback as redirect URL.
async fn world() -> World {
    let env = local_env(1, 3).await;
    aws_sdk_dynamodb::Client::new(&env.sdk)
        .delete_item()
        .table_name(&env.names.shop_tokens_table)
        .key("pk", shared::store::aws::s(format!("SHOP#{US_SHOP}")))
        .key("sk", shared::store::aws::s("TOKEN"))
        .send()
        .await
        .expect("forget the seeded tokens");
    let console = local_env::console::local_console(&env)
        .await
        .expect("console");
    let base = serve(console).await;
    add_user(&env.sdk, &env.names, "ada", "admin", PW).await;
    add_user(&env.sdk, &env.names, "val", "viewer", PW).await;
    env.tiktok.state.configure_authorization(
        &format!("{base}{}", shared::connect::CALLBACK_PATH),
        local_env::console::LOCAL_SERVICE_ID,
    );
    env.tiktok.state.authorizing_shop(US_SHOP);
    World {
        env,
        console: base,
        browser: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

#[tokio::test]
async fn a_shop_connected_from_the_console_gets_its_orders_written() {
    let w = world().await;
    // Not connected: the order fails, naming how to connect.
    w.push(&order_event(
        "n-before",
        US_SHOP,
        ORDER,
        "AWAITING_SHIPMENT",
    ))
    .await;
    let before = w.order_status().await.expect("logged");
    assert_eq!(before.sync_status, SyncStatus::Failed);
    assert!(
        before
            .last_failure
            .unwrap()
            .reason
            .contains("Connect a shop"),
        "the failure says how to connect"
    );

    let http = w.admin().await;
    let page = w.start(&http).await;
    let tiktok = &w.env.tiktok.base_url;
    assert!(
        page.starts_with(&format!(
            "{tiktok}/open/authorize?service_id=sim-service-id&state="
        )),
        "{page}"
    );
    let back = w.consent(&page).await;
    assert!(back.starts_with(&format!("{}/shops/connect/callback?code=", w.console)));
    let (status, body) = w.callback(&back).await;
    assert_eq!(status, 200, "{body}");
    let seed = w
        .env
        .seed
        .tiktok
        .shops
        .iter()
        .find(|s| s.id == US_SHOP)
        .unwrap();
    assert!(body.contains(&seed.name) && body.contains("ada"), "{body}");

    // Stored through the writer's token store: the cipher from Get
    // Authorized Shops, the tokens the code was worth.
    let (creds, disconnected) = w
        .tokens()
        .get_with_status(&ShopId::new(US_SHOP))
        .await
        .unwrap()
        .expect("tokens stored");
    assert_eq!(creds.cipher, seed.cipher);
    assert_eq!(disconnected, None);
    let sim_shop = w
        .env
        .tiktok
        .state
        .shops()
        .into_iter()
        .find(|s| s.id == US_SHOP)
        .unwrap();
    assert_eq!(creds.access_token, sim_shop.access_token);
    assert_ne!(creds.access_token, seed.access_token, "new tokens");
    let profile = w
        .profiles()
        .get_many(&[ShopId::new(US_SHOP)])
        .await
        .unwrap()
        .remove(&ShopId::new(US_SHOP))
        .expect("profile");
    assert_eq!(
        (
            profile.name.as_str(),
            profile.region.as_str(),
            profile.connected_by.as_str()
        ),
        (seed.name.as_str(), seed.region.as_str(), "ada")
    );

    // The same redirect again: the state was used.
    let (status, body) = w.callback(&back).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("already used"), "{body}");

    // The writer now writes the shop's order (resubmitted).
    let entry = w.order_status().await.unwrap();
    shared::ops::resubmit(&w.env.webhook.queue, &[entry], now())
        .await
        .expect("resubmit");
    local_env::runner::drain(&w.env).await.expect("drain");
    let after = w.order_status().await.unwrap();
    assert_eq!(after.sync_status, SyncStatus::Created, "{after:?}");
}

#[tokio::test]
async fn the_callback_refuses_forged_replayed_expired_states_and_a_denial() {
    let w = world().await;
    let cb = format!("{}{}", w.console, shared::connect::CALLBACK_PATH);

    let (status, body) = w.callback(&format!("{cb}?code=abc&state=forged")).await;
    assert_eq!(status, 400);
    assert!(body.contains("unknown or was already used"), "{body}");
    let (status, body) = w.callback(&format!("{cb}?code=abc")).await;
    assert_eq!(status, 400);
    assert!(body.contains("no state"), "{body}");

    // Expired: a state started 31 minutes ago.
    let states = DynamoConnectStates::new(
        aws_sdk_dynamodb::Client::new(&w.env.sdk),
        &w.env.names.console_table,
    );
    states
        .put(
            "old-state",
            &PendingConnect {
                operator: "ada".into(),
                created_at: now() - 31 * 60,
                expires_at: now() - 60,
            },
        )
        .await
        .unwrap();
    let (status, body) = w.callback(&format!("{cb}?code=abc&state=old-state")).await;
    assert_eq!(status, 400);
    assert!(body.contains("expired"), "{body}");

    // Replayed: a real code and state, used twice.
    let back = w.connect().await;
    let (status, body) = w.callback(&back).await;
    assert_eq!(status, 400);
    assert!(body.contains("already used"), "{body}");

    // Denied on TikTok's page.
    w.env.tiktok.state.deny_next_authorization();
    let http = w.admin().await;
    let page = w.start(&http).await;
    let back = w.consent(&page).await;
    assert!(back.contains("error=auth_denied"), "{back}");
    let (status, body) = w.callback(&back).await;
    assert_eq!(status, 400);
    assert!(body.contains("did not authorize the app"), "{body}");

    // A forged code with a real state: TikTok refuses the exchange.
    let page = w.start(&http).await;
    let state = page.split("state=").nth(1).unwrap();
    let (status, body) = w
        .callback(&format!("{cb}?code=sim_code_forged&state={state}"))
        .await;
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("did not exchange"), "{body}");

    // A viewer may not start one; a POST without its CSRF token is refused.
    let viewer = ConsoleHttp::new(&w.console);
    assert_eq!(viewer.login("val", PW).await.status, 303);
    let csrf = common::console::csrf_in(&viewer.get("/shops").await.body);
    assert_eq!(
        viewer
            .post("/shops/connect", &[("csrf", &csrf)])
            .await
            .status,
        403
    );
    assert_eq!(http.post("/shops/connect", &[]).await.status, 403);
}

#[tokio::test]
async fn a_deauthorized_shop_s_orders_wait_until_it_is_connected_again() {
    let w = world().await;
    w.connect().await;
    let webhook = w.env.tiktok.state.deauthorize(US_SHOP).expect("a shop");
    w.push(&serde_json::to_vec(&webhook).unwrap()).await;
    let (_, since) = w
        .tokens()
        .get_with_status(&ShopId::new(US_SHOP))
        .await
        .unwrap()
        .expect("tokens kept, marked");
    assert!(since.is_some(), "marked disconnected");

    w.push(&order_event("n-dis", US_SHOP, ORDER, "AWAITING_SHIPMENT"))
        .await;
    let waiting = w.order_status().await.expect("logged");
    assert_eq!(waiting.sync_status, SyncStatus::Waiting, "{waiting:?}");
    let f = waiting.last_failure.clone().expect("a reason");
    assert_eq!(f.code.as_str(), "SHOP_DISCONNECTED");
    assert!(f.fix.contains("Connect a shop") && f.fix.contains("resubmit"));

    // The Shops page and the digest say so.
    let shops = w.admin().await.get("/shops").await.body;
    assert!(shops.contains("disconnected by the seller"), "{shops}");
    w.env
        .jobs
        .run(&shared::app::JobRequest {
            job: "digest".into(),
            shop: Some(US_SHOP.into()),
        })
        .await
        .expect("digest");
    let mail = common::captured_mail().await;
    assert!(
        mail.iter()
            .any(|(_, b)| b.contains(US_SHOP) && b.contains("the seller disconnected the app")),
        "no digest names the disconnection"
    );

    // Connected again and resubmitted: written.
    w.connect().await;
    let shops = w.admin().await.get("/shops").await.body;
    assert!(!shops.contains("disconnected by the seller"), "{shops}");
    shared::ops::resubmit(&w.env.webhook.queue, &[waiting], now())
        .await
        .unwrap();
    local_env::runner::drain(&w.env).await.unwrap();
    assert_eq!(
        w.order_status().await.unwrap().sync_status,
        SyncStatus::Created
    );
}

#[tokio::test]
async fn the_shops_page_shows_names_escaped_and_expiries_and_the_digest_warns() {
    let w = world().await;
    w.env
        .tiktok
        .state
        .set_shop_name(US_SHOP, "<script>alert(1)</script> & \"Co\"");
    w.connect().await;
    let http = w.admin().await;
    let page = http.get("/shops").await.body;
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains(">US<"), "region: {page}");
    let overview = http.get("/").await.body;
    assert!(
        overview.contains(&format!(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot; ({US_SHOP})"
        )),
        "the overview names the shop: {overview}"
    );
    assert!(page.contains("connected"), "{page}");
    let creds = w
        .tokens()
        .get(&ShopId::new(US_SHOP))
        .await
        .unwrap()
        .unwrap();
    assert!(
        page.contains(&date(creds.access_token_expires_at)),
        "{page}"
    );
    assert!(
        page.contains(&date(creds.refresh_token_expires_at)),
        "{page}"
    );

    // A refresh token 10 days from its end: the page and the digest warn.
    let mut soon = creds.clone();
    soon.refresh_token_expires_at = now() + 10 * 86_400 + 600;
    w.tokens().put(&soon).await.unwrap();
    let page = http.get("/shops").await.body;
    assert!(page.contains("expires within 14 days"), "{page}");
    // Webhook 7: the authorization ends in 5 days.
    let expiring = w.env.tiktok.state.expiring_webhook(US_SHOP, 5);
    w.push(&serde_json::to_vec(&expiring).unwrap()).await;
    let page = http.get("/shops").await.body;
    assert!(page.contains("authorization expires"), "{page}");
    w.env
        .jobs
        .run(&shared::app::JobRequest {
            job: "digest".into(),
            shop: Some(US_SHOP.into()),
        })
        .await
        .expect("digest");
    let mail = common::captured_mail().await;
    let digest = mail
        .iter()
        .find(|(_, b)| b.contains(US_SHOP) && b.contains("in 10 day(s)"))
        .expect("a digest warning of the refresh token");
    assert!(
        digest.1.contains("TikTok says the authorization ends"),
        "{}",
        digest.1
    );
    assert!(digest.0.contains("to connect again"), "{}", digest.0);
}

/// `YYYY-MM-DD` of epoch seconds (days since 1970, civil calendar).
fn date(t: i64) -> String {
    let days = t.div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[tokio::test]
async fn the_cli_connects_a_shop_without_the_console() {
    let w = world().await;
    // The CLI has no callback of its own: TikTok redirects to the app's
    // registered URL, whose code and state the operator pastes.
    w.env
        .tiktok
        .state
        .configure_authorization("https://example.invalid/cb", "svc-cli");
    let vars: HashMap<&str, String> = HashMap::from([
        ("TIKTOK_SERVICE_ID", "svc-cli".to_string()),
        ("TIKTOK_AUTHORIZE_BASE_URL", w.env.tiktok.base_url.clone()),
        ("TIKTOK_API_BASE_URL", w.env.tiktok.base_url.clone()),
        ("TIKTOK_AUTH_BASE_URL", w.env.tiktok.base_url.clone()),
        ("TIKTOK_APP_KEY", w.env.seed.tiktok.app_key.clone()),
        ("TIKTOK_APP_SECRET", w.env.seed.tiktok.app_secret.clone()),
        ("SHOP_TOKENS_TABLE", w.env.names.shop_tokens_table.clone()),
        ("CONSOLE_TABLE", w.env.names.console_table.clone()),
    ]);
    let lookup = |k: &str| vars.get(k).cloned();
    let env = shared::config::Env::new(&lookup);
    let c = cli::connect::connector_from(&env, &w.env.sdk)
        .await
        .expect("connector");
    let url = cli::connect::authorize_url(&c, "cli:ops").await.unwrap();
    assert!(url.contains("service_id=svc-cli&state="), "{url}");
    let back = w.consent(&url).await;
    let q: HashMap<String, String> = reqwest::Url::parse(&back)
        .expect("a URL")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let lines = cli::connect::authorize(&c, q["code"].clone(), q["state"].clone())
        .await
        .expect("authorized");
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains(US_SHOP), "{lines:?}");
    assert!(w
        .tokens()
        .get(&ShopId::new(US_SHOP))
        .await
        .unwrap()
        .is_some());
    // The same code and state again: refused.
    let again = cli::connect::authorize(&c, q["code"].clone(), q["state"].clone()).await;
    assert!(again.unwrap_err().to_string().contains("already used"));
}
