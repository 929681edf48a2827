//! Who may use the back office: the storefront's owner or an admin, signed
//! in on this storefront's host. Every page takes a `Staff`, so nothing is
//! read for anyone else.

use crate::BackOffice;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use storefront_core::Locale;
use storefront_core::snapshot::Snapshot;
use storefront_functions::accounts::guard::Visit;
use storefront_functions::accounts::records::Profile;
use storefront_functions::accounts::{Role, signed_in};

pub struct Staff {
    pub reseller: String,
    pub profile: Profile,
    pub lang: Locale,
    /// Where the back office's pages are: `/panel/`, or the local
    /// preview's `/s/<reseller>/panel/`.
    pub base: String,
    /// The storefront's own root.
    pub shop: String,
    /// The storefront as published now (its name, time zone, prices).
    pub snapshot: Arc<Snapshot>,
}

impl FromRequestParts<BackOffice> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, bo: &BackOffice) -> Result<Self, Response> {
        let visit = Visit::from_request_parts(parts, &bo.shop.accounts)
            .await
            .map_err(IntoResponse::into_response)?;
        let shop = match &visit.preview {
            Some(id) => format!("/s/{id}/"),
            None => "/".to_string(),
        };
        let base = format!("{shop}panel/");
        let lang = visit.lang;
        let reseller = visit.tenant.reseller.clone();
        let who = signed_in(bo.shop.accounts.store.as_ref(), &reseller, &visit.sessions).await;
        match who {
            Err(e) => {
                eprintln!("back office of {reseller}: {e}");
                Err(crate::message(
                    bo,
                    lang,
                    &base,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "unavailable",
                    None,
                ))
            }
            Ok(None) => Err(crate::message(
                bo,
                lang,
                &base,
                StatusCode::UNAUTHORIZED,
                "sign_in_first",
                "sign_in_text",
                Some((&format!("{shop}account/"), "go_sign_in")),
            )),
            Ok(Some((_, profile, _, _))) if profile.role == Role::Customer => Err(crate::message(
                bo,
                lang,
                &base,
                StatusCode::FORBIDDEN,
                "not_staff",
                "not_staff_text",
                None,
            )),
            Ok(Some((_, profile, _, _))) => Ok(Staff {
                reseller,
                profile,
                lang,
                base,
                shop,
                snapshot: visit.tenant.snapshot.clone(),
            }),
        }
    }
}
