//! The console's suspensions: an operator suspends a reseller (its
//! storefront and every storefront below it stop taking new orders;
//! renewals, wallets and domains go on — `storefront_functions::suspension`)
//! with a reason for the other operators, and reinstates it. Each change is
//! in the suspensions' own history and in the platform storefront's audit
//! log.

use crate::{BackOffice, Staff, context, i18n, render, when};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use storefront_core::suspension::SuspensionError;
use storefront_functions::suspension::{self, SuspensionFailure};

/// How many past changes the page shows.
const HISTORY: usize = 20;

#[derive(Deserialize, Default)]
pub(crate) struct Shown {
    #[serde(default)]
    done: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct ChangeForm {
    #[serde(default)]
    reseller: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    let notice = q
        .done
        .as_deref()
        .filter(|d| matches!(*d, "suspended" | "reinstated"))
        .map(|d| i18n::text(staff.lang, &format!("con_done_{d}")));
    shown(
        &bo,
        &staff,
        notice,
        None,
        ChangeForm::default(),
        StatusCode::OK,
    )
    .await
}

async fn shown(
    bo: &BackOffice,
    staff: &Staff,
    notice: Option<String>,
    problem: Option<(&str, String)>,
    typed: ChangeForm,
    status: StatusCode,
) -> Response {
    let store = bo.shop.accounts.store.as_ref();
    let (list, history) =
        match tokio::try_join!(suspension::list(store), suspension::history(store, HISTORY)) {
            Ok(both) => both,
            Err(e) => return crate::unavailable(bo, staff, e),
        };
    let suspended: Vec<Value> = list
        .resellers
        .values()
        .map(|s| json!({"reseller": s.reseller, "since": when(s.since, staff), "by": s.by, "reason": s.reason}))
        .collect();
    let history: Vec<Value> = history
        .iter()
        .map(|c| {
            json!({
                "action": i18n::text(staff.lang, &format!("con_action_{}", c.action)),
                "reseller": c.reseller,
                "at": when(c.at, staff),
                "by": c.by,
                "reason": c.suspension.reason,
            })
        })
        .collect();
    let mut c = context(staff, "console_suspensions", "con_suspensions_heading");
    c.insert("console_page", &true);
    c.insert("notice", &notice);
    c.insert("suspended", &suspended);
    c.insert("history", &history);
    c.insert("problem_field", &problem.as_ref().map(|p| p.0));
    c.insert("problem", &problem.as_ref().map(|p| p.1.clone()));
    c.insert("typed_reseller", &typed.reseller);
    c.insert("typed_reason", &typed.reason);
    render(bo, "suspensions.html", &c, status)
}

pub(crate) async fn suspend(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<ChangeForm>,
) -> Response {
    let id = f.reseller.trim().to_ascii_lowercase();
    if id == staff.reseller {
        // The platform's own storefront is where operators work: suspending
        // it would stop the platform's sales with nobody above to notice.
        let m = i18n::text(staff.lang, "con_not_the_platform");
        return shown(
            &bo,
            &staff,
            None,
            Some(("reseller", m)),
            f,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let store = bo.shop.accounts.store.as_ref();
    let by = staff.profile.email.clone();
    match suspension::suspend(store, &id, &f.reason, &by, bo.clock.now()).await {
        Ok(s) => {
            bo.shop.orders.catalogs.forget_suspensions();
            crate::audit(
                &bo,
                &staff,
                "reseller.suspend",
                &format!("reseller:{id}"),
                json!(null),
                json!({"since": s.since, "reason": s.reason}),
            )
            .await;
            Redirect::to(&format!(
                "{}platform/suspensions?done=suspended",
                staff.base
            ))
            .into_response()
        }
        Err(e) => failed(&bo, &staff, e, f).await,
    }
}

pub(crate) async fn reinstate(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<ChangeForm>,
) -> Response {
    let id = f.reseller.trim().to_ascii_lowercase();
    let store = bo.shop.accounts.store.as_ref();
    let by = staff.profile.email.clone();
    match suspension::reinstate(store, &id, &by, bo.clock.now()).await {
        Ok(s) => {
            bo.shop.orders.catalogs.forget_suspensions();
            crate::audit(
                &bo,
                &staff,
                "reseller.reinstate",
                &format!("reseller:{id}"),
                json!({"since": s.since, "reason": s.reason}),
                json!(null),
            )
            .await;
            Redirect::to(&format!(
                "{}platform/suspensions?done=reinstated",
                staff.base
            ))
            .into_response()
        }
        Err(e) => failed(&bo, &staff, e, ChangeForm::default()).await,
    }
}

/// A refused change, shown beside the form in the operator's language.
async fn failed(
    bo: &BackOffice,
    staff: &Staff,
    e: SuspensionFailure,
    typed: ChangeForm,
) -> Response {
    let lang = staff.lang;
    let (status, field, message) = match &e {
        SuspensionFailure::Refused(SuspensionError::AlreadySuspended { reseller, .. }) => (
            StatusCode::CONFLICT,
            "reseller",
            i18n::text(lang, "con_already_suspended").replace("{id}", reseller),
        ),
        SuspensionFailure::Refused(SuspensionError::NotSuspended(reseller)) => (
            StatusCode::CONFLICT,
            "reseller",
            i18n::text(lang, "con_not_suspended").replace("{id}", reseller),
        ),
        SuspensionFailure::Refused(SuspensionError::Reason) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason",
            i18n::text(lang, "con_reason_needed"),
        ),
        SuspensionFailure::Refused(SuspensionError::Missing)
        | SuspensionFailure::UnknownReseller(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "reseller",
            i18n::text(lang, "con_no_such_reseller").replace("{id}", typed.reseller.trim()),
        ),
        SuspensionFailure::Store(e) => return crate::unavailable(bo, staff, e),
    };
    shown(bo, staff, None, Some((field, message)), typed, status).await
}
