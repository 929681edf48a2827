//! Who may use the back office: the storefront's staff, signed in on this
//! storefront's host, each page only for the roles `roles::allows` lets use
//! what the page needs (put on the request by the router, see
//! `crate::routes`). Every page takes a `Staff`, so nothing is read for
//! anyone else: a visitor gets 401, a customer and a role not allowed 403.

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
use storefront_functions::accounts::roles::{self, Capability};
use storefront_functions::accounts::signed_in;

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
    /// The request as the accounts saw it (links in mails, the client's
    /// address).
    pub visit: Visit,
}

impl Staff {
    /// Who this is, as the audit log names them.
    pub fn actor(&self) -> storefront_functions::audit::Actor {
        storefront_functions::audit::Actor::of(&self.profile, self.visit.ip)
    }

    /// Whether this staff member's role may do `what`.
    pub fn may(&self, what: Capability) -> bool {
        roles::allows_on(self.profile.role, what, self.snapshot.platform)
    }
}

impl FromRequestParts<BackOffice> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, bo: &BackOffice) -> Result<Self, Response> {
        let need = roles::needed(&parts.extensions);
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
            Ok(Some((_, profile, _, _))) if !profile.role.is_staff() => Err(crate::message(
                bo,
                lang,
                &base,
                StatusCode::FORBIDDEN,
                "not_staff",
                "not_staff_text",
                None,
            )),
            Ok(Some((_, profile, _, _)))
                if !need.is_some_and(|c| {
                    roles::allows_on(profile.role, c, visit.tenant.snapshot.platform)
                }) =>
            {
                // The seller and bank accounts say whose they are; other
                // pages say what this role is for.
                let (title, text) = match need {
                    Some(Capability::Seller) => ("owner_only", "owner_only_text".to_string()),
                    Some(Capability::Console) => ("console_only", "console_only_text".to_string()),
                    _ => (
                        "not_your_role",
                        format!("not_your_role_{}", profile.role.key()),
                    ),
                };
                Err(crate::message(
                    bo,
                    lang,
                    &base,
                    StatusCode::FORBIDDEN,
                    title,
                    &text,
                    Some((&base, "go_dashboard")),
                ))
            }
            Ok(Some((_, profile, _, _))) => Ok(Staff {
                reseller,
                profile,
                lang,
                base,
                shop,
                snapshot: visit.tenant.snapshot.clone(),
                visit,
            }),
        }
    }
}
