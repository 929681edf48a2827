//! The API's OpenAPI document, generated from the handlers' annotations and
//! the response types, served at `/api/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Storefront API", description = "Domain search, accounts orders, wallets, domains, invoices and the reseller's panel for resellers' storefronts. Every request belongs to the storefront its Host header names."),
    paths(
        crate::search::search,
        crate::edge::ask,
        crate::accounts::routes::signup,
        crate::accounts::routes::verify,
        crate::accounts::routes::resend,
        crate::accounts::routes::signin,
        crate::accounts::routes::signout,
        crate::accounts::routes::forgot,
        crate::accounts::routes::reset,
        crate::accounts::routes::me,
        crate::accounts::routes::update_me,
        crate::orders::routes::wallet,
        crate::orders::routes::my_topups,
        crate::orders::routes::request_topup,
        crate::orders::routes::upload_proof,
        crate::orders::routes::quote,
        crate::orders::routes::create_order,
        crate::orders::routes::my_orders,
        crate::orders::routes::my_order,
        crate::orders::routes::cancel_order,
        crate::orders::routes::order_documents,
        crate::orders::routes::send_document,
        crate::orders::routes::start_upload,
        crate::orders::routes::complete_upload,
        crate::orders::routes::reuse_documents,
        crate::orders::routes::linked_file,
        crate::orders::routes::my_domains,
        crate::orders::routes::my_domain,
        crate::orders::routes::update_domain,
        crate::orders::routes::my_invoices,
        crate::orders::routes::my_invoice,
        crate::orders::routes::panel_invoices,
        crate::orders::routes::panel_invoice,
        crate::orders::routes::panel_topups,
        crate::orders::routes::approve_topup,
        crate::orders::routes::reject_topup,
        crate::orders::routes::topup_proof,
        crate::orders::routes::panel_wallet,
        crate::orders::routes::panel_my_topups,
        crate::orders::routes::panel_request_topup,
        crate::orders::routes::panel_orders,
        crate::orders::routes::panel_order,
        crate::orders::routes::mark_paid,
        crate::orders::routes::refund,
        crate::orders::routes::panel_domains,
        crate::orders::routes::panel_customers,
        crate::orders::routes::set_credit_limit,
        crate::orders::routes::set_reseller_credit_limit,
    ),
    tags(
        (name = "search", description = "Availability and prices"),
        (name = "edge", description = "The edge for resellers' own domains: whether a host may get a certificate"),
        (name = "wallet", description = "A customer's prepaid wallet with its reseller, and top-ups"),
        (name = "orders", description = "Quotes and orders: register, renew, transfer; paid from the wallet or by bank transfer"),
        (name = "domains", description = "A customer's domains"),
        (name = "invoices", description = "Proformas and tax invoices"),
        (name = "panel", description = "The storefront's owner and admins: top-ups to decide, its own wallet, orders, domains, customers, credit limits"),
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
