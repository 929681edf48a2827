//! The prices screen: customer price groups and sub-reseller plans, with
//! the live preview.

use crate::edit::{self, FieldError, Judged};
use crate::prices::{self, ACTIONS, GroupForm, MarkupKind};
use crate::{BackOffice, Failure, Staff, context, i18n, render, status_context};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub(crate) struct OverrideCell {
    field: String,
    value: String,
    label: String,
    bad: bool,
}

#[derive(Serialize)]
pub(crate) struct OverrideRow {
    name: String,
    cells: Vec<OverrideCell>,
}

/// Fill the prices page's context: the form (as typed, with its errors
/// marked), the groups, and the preview when there is one.
pub(crate) fn prices_context(
    c: &mut tera::Context,
    staff: &Staff,
    form: &GroupForm,
    groups: Vec<String>,
    sold: &[String],
    errors: &[FieldError],
) {
    let t = i18n::texts(staff.lang);
    let bad: BTreeMap<&str, bool> = errors.iter().map(|e| (e.field.as_str(), true)).collect();
    c.insert(
        "form",
        &json!({
            "group": form.group,
            "kind": if form.kind == MarkupKind::Fixed { "fixed" } else { "percent" },
            "markup": form.markup,
            "round_to": form.round_to,
            "ending": form.ending,
            "loaded": form.loaded.clone().unwrap_or_default(),
            "table": form.table(),
            "plans": form.plans,
        }),
    );
    c.insert("bad", &bad);
    let rows: Vec<OverrideRow> = sold
        .iter()
        .map(|ext| OverrideRow {
            name: format!(".{}", storefront_core::names::to_unicode(ext)),
            cells: ACTIONS
                .iter()
                .map(|a| {
                    let field = prices::override_field(ext, *a);
                    OverrideCell {
                        bad: bad.contains_key(field.as_str()),
                        value: form.override_value(ext, *a).to_string(),
                        label: t
                            .get(&format!(
                                "action_{}",
                                field.rsplit('.').next().unwrap_or("")
                            ))
                            .cloned()
                            .unwrap_or_default(),
                        field,
                    }
                })
                .collect(),
        })
        .collect();
    c.insert("override_rows", &rows);
    c.insert("groups", &groups);
    let messages: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| json!({"field": e.field, "message": i18n::fill(staff.lang, e.key, &[("value", &e.value)])}))
        .collect();
    c.insert("errors", &messages);
}

#[derive(serde::Deserialize)]
pub(crate) struct GroupQuery {
    #[serde(default)]
    group: Option<String>,
    /// A sub-reseller plan instead of a customer group.
    #[serde(default)]
    plan: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

pub(crate) async fn prices_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<GroupQuery>,
) -> Response {
    let super::Start {
        mut c,
        loaded,
        files,
        site,
    } = match super::start(&bo, &staff, "prices", "title_prices").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (group, form) = match q.plan {
        Some(plan) => {
            let rule = site.pricing.sub_resellers.get(&plan);
            let form = GroupForm::of(&plan, rule, loaded.clone(), true);
            (plan, form)
        }
        None => {
            let group = q.group.unwrap_or_else(|| "default".into());
            let rule = site.pricing.customers.get(&group);
            let form = GroupForm::of(&group, rule, loaded.clone(), false);
            (group, form)
        }
    };
    let mut errors = Vec::new();
    if !storefront_generator::content::valid_id(&group) {
        errors.push(FieldError {
            field: "group".into(),
            key: "error_group_name",
            value: group.clone(),
        });
    }
    let groups: Vec<String> = site.pricing.customers.keys().cloned().collect();
    c.insert(
        "plans",
        &site.pricing.sub_resellers.keys().collect::<Vec<_>>(),
    );
    prices_context(&mut c, &staff, &form, groups, &site.extensions(), &errors);
    c.insert(
        "notice",
        &q.saved.map(|_| i18n::text(staff.lang, "saved_draft")),
    );
    // The preview of what is saved, so the page opens with the table.
    let now = bo.clock.now();
    if !form.plans
        && let Ok(checkout) = bo.site.check_draft(&staff.reseller, files, now).await
        && let Some(candidate) = storefront_generator::snapshot::of(&checkout, &staff.reseller)
    {
        let today = checkout.checked[&staff.reseller].today;
        let rows = prices::preview(&candidate, Some(&staff.snapshot), &group, today);
        c.insert("preview", &rows);
    }
    render(&bo, "prices.html", &c, StatusCode::OK)
}

/// The prices form applied to the files it was filled from, and checked;
/// with the groups and extensions the form shows.
pub(crate) async fn judge_prices(
    bo: &BackOffice,
    staff: &Staff,
    form: &GroupForm,
) -> Result<(Judged, Vec<String>, Vec<String>), Failure> {
    let mut shown = (Vec::new(), Vec::new());
    let judged = edit::judge(bo, staff, form.loaded.as_deref(), |files, src, site| {
        let sold = site.extensions();
        let table = if form.plans {
            &site.pricing.sub_resellers
        } else {
            &site.pricing.customers
        };
        let mut groups: Vec<String> = table.keys().cloned().collect();
        if !groups.contains(&form.group) {
            groups.push(form.group.clone());
        }
        let sold_refs: Vec<&str> = sold.iter().map(String::as_str).collect();
        let applied = form.apply(src, site.currency, &sold_refs);
        shown = (groups, sold);
        files.insert("site.toml".into(), applied?.into_bytes());
        Ok(())
    })
    .await?;
    Ok((judged, shown.0, shown.1))
}

pub(crate) async fn preview_prices(
    State(bo): State<BackOffice>,
    staff: Staff,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = GroupForm::from_fields(&fields);
    let fragment = headers.contains_key("x-fragment");
    let mut c = context(&staff, "prices", "title_prices");
    if let Err(e) = status_context(&bo, &staff, &mut c).await {
        return e.answer(&bo, &staff);
    }
    c.insert("notice", &None::<String>);
    let (judged, groups, sold) = match judge_prices(&bo, &staff, &form).await {
        Ok(j) => j,
        Err(e) => return e.answer(&bo, &staff),
    };
    match judged {
        Judged::Good { checkout, .. } => {
            prices_context(&mut c, &staff, &form, groups, &sold, &[]);
            if !form.plans
                && let Some(candidate) =
                    storefront_generator::snapshot::of(&checkout, &staff.reseller)
            {
                let today = checkout.checked[&staff.reseller].today;
                let rows = prices::preview(&candidate, Some(&staff.snapshot), &form.group, today);
                c.insert("preview", &rows);
            }
            let page = if fragment {
                "_preview.html"
            } else {
                "prices.html"
            };
            render(&bo, page, &c, StatusCode::OK)
        }
        Judged::Fields(errors) => {
            prices_context(&mut c, &staff, &form, groups, &sold, &errors);
            render(&bo, "prices.html", &c, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Judged::Checks(list) => {
            prices_context(&mut c, &staff, &form, groups, &sold, &[]);
            c.insert("problems", &list);
            render(&bo, "prices.html", &c, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

pub(crate) async fn save_prices(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = GroupForm::from_fields(&fields);
    let (judged, groups, sold) = match judge_prices(&bo, &staff, &form).await {
        Ok(j) => j,
        Err(e) => return e.answer(&bo, &staff),
    };
    let files = match judged {
        Judged::Good { files, .. } => files,
        bad => {
            let mut c = context(&staff, "prices", "title_prices");
            if let Err(e) = status_context(&bo, &staff, &mut c).await {
                return e.answer(&bo, &staff);
            }
            c.insert("notice", &None::<String>);
            match bad {
                Judged::Fields(errors) => {
                    prices_context(&mut c, &staff, &form, groups, &sold, &errors)
                }
                Judged::Checks(list) => {
                    prices_context(&mut c, &staff, &form, groups, &sold, &[]);
                    c.insert("problems", &list);
                }
                Judged::Good { .. } => {}
            }
            return render(&bo, "prices.html", &c, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let (note, page) = if form.plans {
        (
            format!("sub-reseller prices, plan {}", form.group),
            format!("prices?plan={}", form.group),
        )
    } else {
        (
            format!("customer prices, group {}", form.group),
            format!("prices?group={}", form.group),
        )
    };
    edit::save(&bo, &staff, &files, form.loaded.as_deref(), &note, &page).await
}
