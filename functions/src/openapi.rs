//! The API's OpenAPI document, generated from the handlers' annotations and
//! the response types, served at `/api/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Storefront API", description = "Domain search, accounts and (later) orders, wallets and documents for resellers' storefronts. Every request belongs to the storefront its Host header names."),
    paths(crate::search::search),
    tags((name = "search", description = "Availability and prices"))
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
