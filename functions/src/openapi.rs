//! The API's OpenAPI document, generated from the handlers' annotations and
//! the response types, served at `/api/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Storefront API", description = "Domain search, accounts and (later) orders, wallets and documents for resellers' storefronts. Every request belongs to the storefront its Host header names."),
    paths(
        crate::search::search,
        crate::accounts::routes::signup,
        crate::accounts::routes::verify,
        crate::accounts::routes::resend,
        crate::accounts::routes::signin,
        crate::accounts::routes::signout,
        crate::accounts::routes::forgot,
        crate::accounts::routes::reset,
        crate::accounts::routes::me,
        crate::accounts::routes::update_me,
    ),
    tags(
        (name = "search", description = "Availability and prices"),
        (name = "accounts", description = "Customers and reseller users of a storefront: sign-up, confirmation, sessions, passwords. State-changing requests need JSON and a same-origin Origin header.")
    )
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
