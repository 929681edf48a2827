//! The functions composed into one app, as `storefront serve` runs them on
//! one machine. Each router can also run alone (a Lambda per function).

use crate::catalog::Catalogs;
use crate::registrar::Registrar;
use crate::registrar::sandbox::{Sandbox, SandboxConfig};
use crate::search::{self, SearchConfig, SearchState};
use crate::store::Store;
use crate::store::embedded::EmbeddedStore;
use axum::Router;
use std::path::Path;
use std::sync::Arc;

/// Everything the functions share, built once per process.
#[derive(Debug, Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub catalogs: Arc<Catalogs>,
    pub registrar: Arc<dyn Registrar>,
    pub search: SearchConfig,
}

impl Services {
    /// The local default: the embedded store in `path`, the sandbox registry.
    pub fn local(path: &Path) -> Result<Services, crate::store::StoreError> {
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(path)?);
        let registrar: Arc<dyn Registrar> =
            Arc::new(Sandbox::new(SandboxConfig::default(), store.clone()));
        Ok(Services::with(store, registrar))
    }

    pub fn with(store: Arc<dyn Store>, registrar: Arc<dyn Registrar>) -> Services {
        Services {
            catalogs: Arc::new(Catalogs::new(store.clone())),
            store,
            registrar,
            search: SearchConfig::default(),
        }
    }

    /// Every function's routes, under `/api`.
    pub fn router(&self) -> Router {
        search::router(SearchState::new(
            self.catalogs.clone(),
            self.registrar.clone(),
            self.search.clone(),
        ))
        .route(
            "/api/openapi.json",
            axum::routing::get(crate::openapi::serve),
        )
        .fallback(not_found)
    }
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::NotFound
}
