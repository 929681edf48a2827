//! The functions composed into one app, as `storefront serve` runs them on
//! one machine. Each router can also run alone (a Lambda per function).

use crate::accounts::{self, AccountsConfig, AccountsState, Mailer, Outbox};
use crate::blobs::{Blobs, LocalBlobs};
use crate::catalog::Catalogs;
use crate::clock::{Clock, SystemClock};
use crate::ledger::Ledger;
use crate::orders::routes::ShopState;
use crate::orders::{Orders, OrdersConfig};
use crate::registrar::Registrar;
use crate::registrar::rdap::{Bootstrap, Rdap, RdapConfig};
use crate::registrar::sandbox::{Sandbox, SandboxConfig};
use crate::search::{self, SearchConfig, SearchState};
use crate::store::Store;
use crate::store::embedded::EmbeddedStore;
use axum::Router;
use std::path::Path;
use std::sync::Arc;

/// Where availability comes from.
#[derive(Debug, Clone)]
pub enum RegistrarChoice {
    /// The simulated registry (default): deterministic, offline.
    Sandbox,
    /// Real registries over RDAP, found through an RFC 9224 bootstrap file
    /// (IANA publishes one as dns.json).
    Rdap { bootstrap: std::path::PathBuf },
}

/// Everything the functions share, built once per process.
#[derive(Debug, Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub catalogs: Arc<Catalogs>,
    pub registrar: Arc<dyn Registrar>,
    pub search: SearchConfig,
    /// Where accounts' mail goes: an `Outbox` folder locally, SMTP deployed.
    pub mailer: Arc<dyn Mailer>,
    pub accounts: AccountsConfig,
    pub clock: Arc<dyn Clock>,
    /// Uploaded files: a folder locally, S3 deployed.
    pub blobs: Arc<dyn Blobs>,
    pub orders: OrdersConfig,
    /// Shared by every `Orders` made from these services.
    pub invoice_runs: Arc<crate::orders::engine::InvoiceRuns>,
    /// Deployed behind the edge: its shared secret (see `forwarded`).
    pub edge_secret: Option<crate::forwarded::EdgeSecret>,
    /// The key documents' short-lived links are made and checked with
    /// (`links`): kept beside the store locally, from the environment on
    /// AWS, and this process's own otherwise.
    pub document_links: crate::links::DocumentLinks,
}

impl Services {
    /// The local default: the embedded store in `path`, the sandbox registry.
    pub fn local(path: &Path, registrar: &RegistrarChoice) -> anyhow::Result<Services> {
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(path)?);
        let registrar: Arc<dyn Registrar> = match registrar {
            RegistrarChoice::Sandbox => {
                Arc::new(Sandbox::new(SandboxConfig::default(), store.clone()))
            }
            RegistrarChoice::Rdap { bootstrap } => {
                let json = std::fs::read_to_string(bootstrap).map_err(|e| {
                    anyhow::anyhow!(
                        "reading the RDAP bootstrap file {}: {e}",
                        bootstrap.display()
                    )
                })?;
                let bootstrap = Bootstrap::from_json(&json)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", bootstrap.display()))?;
                Arc::new(Rdap::new(RdapConfig::new(bootstrap))?)
            }
        };
        let mut services = Services::with(store, registrar);
        // Mail lands next to the store; the local server speaks plain http,
        // where browsers drop `Secure` cookies.
        let dir = path.parent().unwrap_or(Path::new("."));
        services.mailer = Arc::new(Outbox::new(dir.join("outbox")));
        services.blobs = Arc::new(LocalBlobs::new(dir.join("files")));
        services.document_links =
            crate::links::DocumentLinks::local(&dir.join("document-links.key"))?;
        services.accounts.secure_cookies = false;
        Ok(services)
    }

    pub fn with(store: Arc<dyn Store>, registrar: Arc<dyn Registrar>) -> Services {
        Services {
            catalogs: Arc::new(Catalogs::new(store.clone())),
            store,
            registrar,
            search: SearchConfig::default(),
            mailer: Arc::new(Outbox::new(".storefront/outbox")),
            accounts: AccountsConfig::default(),
            clock: Arc::new(SystemClock),
            blobs: Arc::new(LocalBlobs::new(".storefront/files")),
            orders: OrdersConfig::default(),
            invoice_runs: Arc::default(),
            edge_secret: None,
            document_links: crate::links::DocumentLinks::random(),
        }
    }

    /// What every sender is given: `mailer`, with each mail recorded in the
    /// mail log (`mail_log`), whichever mailer it is.
    pub fn mail_out(&self) -> Arc<dyn Mailer> {
        Arc::new(crate::mail_log::Logged::new(
            self.mailer.clone(),
            self.store.clone(),
            self.clock.clone(),
        ))
    }

    /// The order engine over these services (cheap: it shares them).
    pub fn orders(&self) -> Orders {
        let mut config = self.orders.clone();
        config.mail_from = self.accounts.mail_from.clone();
        Orders {
            store: self.store.clone(),
            catalogs: self.catalogs.clone(),
            registrar: self.registrar.clone(),
            ledger: Ledger::new(self.store.clone(), self.clock.clone()),
            clock: self.clock.clone(),
            mailer: self.mail_out(),
            config,
            invoice_runs: self.invoice_runs.clone(),
            blobs: self.blobs.clone(),
        }
    }

    pub fn accounts_state(&self) -> AccountsState {
        AccountsState::new(
            self.store.clone(),
            self.catalogs.clone(),
            self.mail_out(),
            self.accounts.clone(),
        )
    }

    /// What the shop's routes and the back office's money pages share.
    pub fn shop_state(&self) -> ShopState {
        ShopState {
            accounts: self.accounts_state(),
            orders: self.orders(),
            blobs: self.blobs.clone(),
            links: self.document_links.clone(),
        }
    }

    /// The search function: `/api/search` and `/api/openapi.json`.
    pub fn search_router(&self) -> Router {
        self.search_routes().fallback(not_found)
    }

    // The edge's `GET /api/edge/ask` (on-demand TLS) belongs to the search
    // function too: both only read published catalogues.
    fn search_routes(&self) -> Router {
        let mut state = SearchState::new(
            self.catalogs.clone(),
            self.registrar.clone(),
            self.search.clone(),
        );
        // The same day as quotes and orders: a promotion search shows is
        // one the checkout gives.
        state.clock = self.clock.clone();
        search::router(state)
            .route(
                "/api/openapi.json",
                axum::routing::get(crate::openapi::serve),
            )
            .merge(crate::edge::router(self.catalogs.clone()))
    }

    /// The accounts function: `/api/accounts/*`.
    pub fn accounts_router(&self) -> Router {
        accounts::router(self.accounts_state()).fallback(not_found)
    }

    /// The orders function: `/api/orders*`, `/api/domains*`, `/api/invoices`.
    pub fn orders_router(&self) -> Router {
        crate::orders::routes::orders_router(self.shop_state()).fallback(not_found)
    }

    /// The invoices function: `/api/invoices/{number}` and
    /// `/api/panel/invoices/{number}`, each invoice as HTML or PDF.
    pub fn invoices_router(&self) -> Router {
        crate::orders::routes::invoices_router(self.shop_state()).fallback(not_found)
    }

    /// The wallet function: `/api/wallet*`.
    pub fn wallet_router(&self) -> Router {
        crate::orders::routes::wallet_router(self.shop_state()).fallback(not_found)
    }

    /// The panel function: `/api/panel/*`.
    pub fn panel_router(&self) -> Router {
        crate::orders::routes::panel_router(self.shop_state()).fallback(not_found)
    }

    /// Every function's routes, under `/api`, as one router (the local
    /// server). Each function's router alone is what its Lambda serves.
    pub fn router(&self) -> Router {
        let shop = self.shop_state();
        self.search_routes()
            .merge(accounts::router(self.accounts_state()))
            .merge(crate::orders::routes::wallet_router(shop.clone()))
            .merge(crate::orders::routes::orders_router(shop.clone()))
            .merge(crate::orders::routes::panel_router(shop.clone()))
            .merge(crate::orders::routes::invoices_router(shop))
            .fallback(not_found)
    }
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::NotFound
}
