//! The settings screens that edit one part of `site.toml` as one form:
//! contact details, the seller and bank accounts (owner only), offers,
//! extensions and languages.

use crate::edit::{self, FieldError, Saving};
use crate::{BackOffice, SavedQuery, Staff, errors_context, i18n, message, render};
use crate::{catalogue, details, offers};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use std::collections::BTreeMap;

/// Which of the details forms.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Details {
    Contact,
    Seller,
}

impl Details {
    fn page(self) -> &'static str {
        match self {
            Details::Contact => "details",
            Details::Seller => "seller",
        }
    }
}

/// What every settings form starts from: the page's context with the
/// revision it is filled from (the posted one when shown again), and the
/// working `site.toml`. Err is the answer already (the store did not
/// answer, or `site.toml` cannot be read).
async fn form_start(
    bo: &BackOffice,
    staff: &Staff,
    page: &str,
    title: &str,
    fields: Option<&[(String, String)]>,
) -> Result<(tera::Context, storefront_generator::content::Site), Response> {
    let super::Start {
        mut c,
        loaded,
        site,
        ..
    } = super::start(bo, staff, page, title).await?;
    let loaded = fields.and_then(edit::loaded_of).or(loaded);
    c.insert("loaded", &loaded.unwrap_or_default());
    Ok((c, site))
}

/// A settings form's page with what to fix: 422 when there is something.
fn form_end(
    bo: &BackOffice,
    staff: &Staff,
    mut c: tera::Context,
    template: &str,
    errors: &[FieldError],
    problems: &[String],
    notice: Option<String>,
) -> Response {
    errors_context(&mut c, staff, errors);
    c.insert("problems", problems);
    c.insert("notice", &notice);
    let status = if errors.is_empty() && problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(bo, template, &c, status)
}

pub(crate) fn owner_only(bo: &BackOffice, staff: &Staff) -> Option<Response> {
    (staff.profile.role != storefront_functions::accounts::Role::Owner).then(|| {
        message(
            bo,
            staff.lang,
            &staff.base,
            StatusCode::FORBIDDEN,
            "owner_only",
            "owner_only_text",
            None,
        )
    })
}

pub(crate) async fn details_form_page(
    bo: &BackOffice,
    staff: &Staff,
    which: Details,
    fields: Option<&[(String, String)]>,
    errors: &[FieldError],
    problems: &[String],
    notice: Option<String>,
) -> Response {
    let (title, template) = match which {
        Details::Contact => ("title_details", "details.html"),
        Details::Seller => ("title_seller", "seller.html"),
    };
    let (mut c, site) = match form_start(bo, staff, which.page(), title, fields).await {
        Ok(started) => started,
        Err(answer) => return answer,
    };
    match which {
        Details::Contact => {
            let form = match fields {
                Some(f) => details::ContactForm::from_fields(f, &site),
                None => details::ContactForm::of(&site),
            };
            c.insert(
                "form",
                &json!({"domains": form.domains, "email": form.email, "phone": form.phone, "whatsapp": form.whatsapp, "address": form.address}),
            );
            let hours: Vec<serde_json::Value> = form
                .hours
                .iter()
                .map(|(l, v)| json!({"lang": l.code(), "value": v}))
                .collect();
            c.insert("hours", &hours);
        }
        Details::Seller => {
            let form = match fields {
                Some(f) => details::SellerForm::from_fields(f),
                None => details::SellerForm::of(&site),
            };
            c.insert(
                "form",
                &json!({"legal_name": form.legal_name, "address": form.address, "tax_id": form.tax_id,
                        "email": form.email, "invoice_prefix": form.invoice_prefix}),
            );
            let mut rows: Vec<serde_json::Value> = form
                .accounts
                .iter()
                .map(
                    |a| json!({"id": a.id, "bank": a.bank, "holder": a.holder, "number": a.number}),
                )
                .collect();
            if rows.len() < details::MAX_ACCOUNTS {
                rows.push(json!({"id": "", "bank": "", "holder": "", "number": ""}));
            }
            c.insert("accounts", &rows);
        }
    }
    form_end(bo, staff, c, template, errors, problems, notice)
}

pub(crate) async fn details_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    details_form_page(&bo, &staff, Details::Contact, None, &[], &[], notice).await
}

pub(crate) async fn seller_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    if let Some(refused) = owner_only(&bo, &staff) {
        return refused;
    }
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    details_form_page(&bo, &staff, Details::Seller, None, &[], &[], notice).await
}

pub(crate) async fn save_details_of(
    bo: &BackOffice,
    staff: &Staff,
    which: Details,
    fields: Vec<(String, String)>,
) -> Response {
    let note = match which {
        Details::Contact => "contact details",
        Details::Seller => "seller and bank accounts",
    };
    let saving =
        edit::save_site_toml(
            bo,
            staff,
            &fields,
            note,
            which.page(),
            |doc, site| match which {
                Details::Contact => details::ContactForm::from_fields(&fields, site).apply(doc),
                Details::Seller => details::SellerForm::from_fields(&fields).apply(doc),
            },
        )
        .await;
    match saving {
        Saving::Answer(r) => r,
        Saving::Again(errors, problems) => {
            details_form_page(bo, staff, which, Some(&fields), &errors, &problems, None).await
        }
    }
}

pub(crate) async fn save_details(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    save_details_of(&bo, &staff, Details::Contact, fields).await
}

pub(crate) async fn save_seller(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refused) = owner_only(&bo, &staff) {
        return refused;
    }
    save_details_of(&bo, &staff, Details::Seller, fields).await
}

pub(crate) async fn offers_form_page(
    bo: &BackOffice,
    staff: &Staff,
    fields: Option<&[(String, String)]>,
    errors: &[FieldError],
    problems: &[String],
    notice: Option<String>,
) -> Response {
    let (mut c, site) = match form_start(bo, staff, "offers", "title_offers", fields).await {
        Ok(started) => started,
        Err(answer) => return answer,
    };
    let mut form = match fields {
        Some(f) => offers::OffersForm::from_fields(f),
        None => offers::OffersForm::of(&site.promotions, &site.discount_codes, &site.languages),
    };
    // Rows to add with.
    for _ in 0..offers::EMPTY_ROWS {
        if form.promotions.len() < offers::MAX_ROWS {
            form.promotions.push(offers::PromoRow::default());
        }
        if form.codes.len() < offers::MAX_ROWS {
            form.codes.push(offers::CodeRow::default());
        }
    }
    // Each row with the fields to mark, as `bad.<field>`.
    let with_bad = |prefix: &str, rows: Vec<serde_json::Value>| -> Vec<serde_json::Value> {
        rows.into_iter()
            .enumerate()
            .map(|(i, mut row)| {
                let start = format!("{prefix}_{i}_");
                let bad: BTreeMap<&str, bool> = errors
                    .iter()
                    .filter_map(|e| e.field.strip_prefix(&start).map(|f| (f, true)))
                    .collect();
                row["bad"] = json!(bad);
                row
            })
            .collect()
    };
    let promotions = form.promotions.iter().map(|p| json!(p)).collect();
    let codes = form.codes.iter().map(|c| json!(c)).collect();
    c.insert("promotions", &with_bad("promo", promotions));
    c.insert("codes", &with_bad("code", codes));
    let actions: Vec<serde_json::Value> = ["register", "renew", "transfer"]
        .iter()
        .map(|a| json!({"value": a, "label": i18n::text(staff.lang, &format!("action_{a}"))}))
        .collect();
    c.insert("actions", &actions);
    c.insert(
        "languages",
        &site.languages.iter().map(|l| l.code()).collect::<Vec<_>>(),
    );
    form_end(bo, staff, c, "offers.html", errors, problems, notice)
}

pub(crate) async fn offers_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    offers_form_page(&bo, &staff, None, &[], &[], notice).await
}

pub(crate) async fn save_offers(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = offers::OffersForm::from_fields(&fields);
    let note = "promotions and discount codes";
    let saving = edit::save_site_toml(&bo, &staff, &fields, note, "offers", |doc, site| {
        form.apply(doc, site.currency, &site.extensions(), &site.languages)
    })
    .await;
    match saving {
        Saving::Answer(r) => r,
        Saving::Again(errors, problems) => {
            offers_form_page(&bo, &staff, Some(&fields), &errors, &problems, None).await
        }
    }
}

pub(crate) async fn catalogue_form_page(
    bo: &BackOffice,
    staff: &Staff,
    fields: Option<&[(String, String)]>,
    errors: &[FieldError],
    problems: &[String],
    notice: Option<String>,
) -> Response {
    let (mut c, site) = match form_start(bo, staff, "catalogue", "title_catalogue", fields).await {
        Ok(started) => started,
        Err(answer) => return answer,
    };
    let mut form = match fields {
        Some(f) => catalogue::CatalogueForm::from_fields(f),
        None => catalogue::CatalogueForm::of(&site),
    };
    if form.groups.len() < catalogue::MAX_GROUPS {
        form.groups.push(catalogue::GroupRow::default());
    }
    let names = [
        ("en", "English"),
        ("id", "Bahasa Indonesia"),
        ("pl", "Polski"),
    ];
    let all: Vec<serde_json::Value> = names
        .iter()
        .map(|(code, name)| {
            json!({"code": code, "name": name,
                   "shown": form.languages.iter().any(|l| l == code),
                   "default": form.languages.first().map(String::as_str) == Some(*code)})
        })
        .collect();
    c.insert("all_languages", &all);
    c.insert("shown", &form.languages);
    let groups: Vec<serde_json::Value> = form
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let start = format!("group_{i}_");
            let bad: BTreeMap<&str, bool> = errors
                .iter()
                .filter_map(|e| e.field.strip_prefix(&start).map(|f| (f, true)))
                .collect();
            let mut v = json!(g);
            v["bad"] = json!(bad);
            v
        })
        .collect();
    c.insert("groups", &groups);
    // The extensions that ask for documents: those published, and any the
    // form already names.
    let mut asking: Vec<&String> = staff.snapshot.documents.keys().collect();
    for e in form.per_extension.keys() {
        if !asking.contains(&e) {
            asking.push(e);
        }
    }
    let provisioning: Vec<serde_json::Value> = asking
        .iter()
        .map(|e| json!({"ext": e, "choice": form.per_extension.get(*e).map_or("", String::as_str)}))
        .collect();
    c.insert("provisioning", &provisioning);
    c.insert("auto", &form.auto);
    c.insert("due_days", &form.due_days);
    form_end(bo, staff, c, "catalogue.html", errors, problems, notice)
}

pub(crate) async fn catalogue_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    catalogue_form_page(&bo, &staff, None, &[], &[], notice).await
}

pub(crate) async fn save_catalogue(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = catalogue::CatalogueForm::from_fields(&fields);
    let note = "extensions and languages";
    let saving = edit::save_site_toml(&bo, &staff, &fields, note, "catalogue", |doc, _| {
        form.apply(doc)
    })
    .await;
    match saving {
        Saving::Answer(r) => r,
        Saving::Again(errors, problems) => {
            catalogue_form_page(&bo, &staff, Some(&fields), &errors, &problems, None).await
        }
    }
}
