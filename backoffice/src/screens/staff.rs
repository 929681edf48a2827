//! Staff (owner only): invite a user by email with a role, list the staff
//! with their roles, change a role, revoke. The rules are the accounts'
//! (`storefront_functions::accounts::staff`); this page reads the form,
//! calls them and shows the answer, a refusal as a field error.

use crate::edit::FieldError;
use crate::{BackOffice, Staff, context, errors_context, i18n, message, render, unavailable, when};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{TimeZone, Utc};
use serde::Deserialize;
use serde_json::json;
use storefront_functions::accounts::Role;
use storefront_functions::accounts::staff::{self, StaffError};

#[derive(Deserialize, Default)]
pub(crate) struct Shown {
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn staff_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    let notice = q
        .done
        .as_deref()
        .filter(|d| ["invited", "role", "revoked"].contains(d))
        .map(|d| i18n::text(staff.lang, &format!("staff_done_{d}")));
    page(&bo, &staff, &[], &InviteForm::default(), notice).await
}

async fn page(
    bo: &BackOffice,
    staff: &Staff,
    errors: &[FieldError],
    typed: &InviteForm,
    notice: Option<String>,
) -> Response {
    let list = match staff::list(bo.shop.accounts.store.as_ref(), &staff.reseller).await {
        Ok(l) => l,
        Err(e) => return unavailable(bo, staff, e.to_string()),
    };
    let roles: Vec<serde_json::Value> = Role::STAFF
        .iter()
        .map(|r| json!({"key": r.key(), "name": i18n::text(staff.lang, &format!("role_{}", r.key()))}))
        .collect();
    let members: Vec<serde_json::Value> = list
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "email": p.email,
                "role": p.role.key(),
                "role_name": i18n::text(staff.lang, &format!("role_{}", p.role.key())),
                "pending": !p.verified,
                "since": Utc.timestamp_opt(p.created_at, 0).single().map(|t| when(t, staff)),
                "me": p.id == staff.profile.id,
            })
        })
        .collect();
    let mut c = context(staff, "staff", "title_staff");
    c.insert("members", &members);
    c.insert("roles", &roles);
    c.insert("typed", &json!({"email": typed.email, "role": typed.role}));
    c.insert("notice", &notice);
    errors_context(&mut c, staff, errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(bo, "staff.html", &c, status)
}

/// A refusal as the page shows it: a field error, or a page of its own.
async fn refused(
    bo: &BackOffice,
    staff: &Staff,
    e: StaffError,
    typed: &InviteForm,
    value: &str,
) -> Response {
    let key = match &e {
        StaffError::UnknownRole => "staff_unknown_role",
        StaffError::Email(_) => "staff_bad_email",
        StaffError::AlreadyStaff => "staff_already",
        StaffError::Customer => "staff_customer",
        StaffError::Yourself => "staff_yourself",
        StaffError::Conflict => "staff_conflict",
        StaffError::NotFound => {
            return message(
                bo,
                staff.lang,
                &staff.base,
                StatusCode::NOT_FOUND,
                "not_found",
                "not_found",
                Some((&format!("{}staff", staff.base), "title_staff")),
            );
        }
        StaffError::Store(e) => return unavailable(bo, staff, e.to_string()),
        StaffError::Mail(e) => return unavailable(bo, staff, e),
    };
    let field = e.field().unwrap_or("member");
    page(
        bo,
        staff,
        &[FieldError::new(field, key, value)],
        typed,
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
pub(crate) struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub(crate) async fn invite(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<InviteForm>,
) -> Response {
    match staff::invite(
        &bo.shop.accounts,
        &staff.visit,
        &staff.actor(),
        &f.email,
        &f.role,
    )
    .await
    {
        Ok(_) => done(&staff, "invited"),
        Err(e) => {
            let value = if e.field() == Some("role") {
                f.role.clone()
            } else {
                f.email.clone()
            };
            refused(&bo, &staff, e, &f, &value).await
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct MemberForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    role: String,
}

pub(crate) async fn set_role(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<MemberForm>,
) -> Response {
    let store = bo.shop.accounts.store.clone();
    match staff::set_role(&*store, &staff.reseller, &staff.actor(), &f.id, &f.role).await {
        Ok(_) => done(&staff, "role"),
        Err(e) => refused(&bo, &staff, e, &InviteForm::default(), &f.role).await,
    }
}

pub(crate) async fn revoke(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<MemberForm>,
) -> Response {
    let store = bo.shop.accounts.store.clone();
    match staff::revoke(&*store, &staff.reseller, &staff.actor(), &f.id).await {
        Ok(_) => done(&staff, "revoked"),
        Err(e) => refused(&bo, &staff, e, &InviteForm::default(), "").await,
    }
}

fn done(staff: &Staff, what: &str) -> Response {
    Redirect::to(&format!("{}staff?done={what}", staff.base)).into_response()
}
