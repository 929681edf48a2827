//! The brand screen: name, taglines, colours, logo and favicon.

use crate::brand;
use crate::edit::{self, FieldError, Judged};
use crate::{
    BackOffice, SavedQuery, Staff, context, errors_context, i18n, message, render, status_context,
};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

pub(crate) fn brand_context(
    c: &mut tera::Context,
    staff: &Staff,
    form: &brand::BrandForm,
    site: &storefront_generator::content::Site,
    errors: &[FieldError],
) {
    errors_context(c, staff, errors);
    let bad = |f: &str| errors.iter().any(|e| e.field == f);
    c.insert(
        "form",
        &json!({"name": form.name, "loaded": form.loaded.clone().unwrap_or_default()}),
    );
    let taglines: Vec<serde_json::Value> = form
        .tagline
        .iter()
        .map(|(l, v)| json!({"lang": l.code(), "value": v, "bad": bad(&format!("tagline_{}", l.code()))}))
        .collect();
    c.insert("taglines", &taglines);
    let colours: Vec<serde_json::Value> = brand::COLOURS
        .iter()
        .map(|name| {
            let typed = form.colours.get(*name).cloned().unwrap_or_default();
            // A colour input holds #rrggbb only: "#05f" is shown as "#0055ff".
            let value = storefront_generator::brand::parse_hex(&typed)
                .map_or(typed, storefront_generator::brand::hex);
            json!({
                "name": name,
                "label": i18n::text(staff.lang, &format!("colour_{name}")),
                "value": value,
                "bad": bad(&format!("colour_{name}")),
            })
        })
        .collect();
    c.insert("colours", &colours);
    c.insert("logo", &site.logo);
    c.insert("favicon", &site.favicon);
    let warnings: Vec<serde_json::Value> = form
        .warnings()
        .into_iter()
        .map(|(field, v)| json!({"field": field, "message": i18n::fill(staff.lang, "warning_contrast", &[("value", &v)])}))
        .collect();
    c.insert("warnings", &warnings);
}

pub(crate) async fn brand_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    let super::Start {
        mut c,
        loaded,
        files: _,
        site,
    } = match super::start(&bo, &staff, "brand", "title_brand").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let form = brand::BrandForm::of(&site, loaded);
    brand_context(&mut c, &staff, &form, &site, &[]);
    c.insert(
        "notice",
        &q.saved.map(|_| i18n::text(staff.lang, "saved_draft")),
    );
    render(&bo, "brand.html", &c, StatusCode::OK)
}

pub(crate) async fn save_brand(
    State(bo): State<BackOffice>,
    staff: Staff,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let mut form = brand::BrandForm::default();
    let mut unreadable = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(bytes) if name == "logo" || name == "favicon" => {
                        // A file input left empty still sends a part.
                        if !bytes.is_empty() {
                            if name == "logo" {
                                form.logo = Some(bytes.to_vec());
                            } else {
                                form.favicon = Some(bytes.to_vec());
                            }
                        }
                    }
                    Ok(bytes) => form.field(&name, String::from_utf8_lossy(&bytes).into_owned()),
                    Err(_) => {
                        unreadable = true;
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                unreadable = true;
                break;
            }
        }
    }
    if unreadable {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::PAYLOAD_TOO_LARGE,
            "title_brand",
            "error_upload",
            None,
        );
    }
    // The form leaves out languages whose tagline was never shown.
    let loaded = form.loaded.clone();
    let judged = edit::judge(&bo, &staff, loaded.as_deref(), |files, src, site| {
        let before = brand::BrandForm::of(site, None);
        for (l, t) in before.tagline {
            form.tagline.entry(l).or_insert(t);
        }
        for (c, v) in before.colours {
            form.colours.entry(c).or_insert(v);
        }
        form.apply(files, src, site)
    })
    .await;
    let files = match judged {
        Ok(Judged::Good { files, .. }) => files,
        Ok(bad) => {
            let mut c = context(&staff, "brand", "title_brand");
            if let Err(e) = status_context(&bo, &staff, &mut c).await {
                return e.answer(&bo, &staff);
            }
            c.insert("notice", &None::<String>);
            let site = match edit::working(&bo, &staff.reseller)
                .await
                .map(|(_, f)| edit::site_of(&f))
            {
                Ok(Some((_, s))) => s,
                Ok(None) => {
                    return message(
                        &bo,
                        staff.lang,
                        &staff.base,
                        StatusCode::CONFLICT,
                        "title_brand",
                        "error_site_unreadable",
                        None,
                    );
                }
                Err(e) => return e.answer(&bo, &staff),
            };
            match bad {
                Judged::Fields(errors) => brand_context(&mut c, &staff, &form, &site, &errors),
                Judged::Checks(list) => {
                    brand_context(&mut c, &staff, &form, &site, &[]);
                    c.insert("problems", &list);
                }
                Judged::Good { .. } => {}
            }
            return render(&bo, "brand.html", &c, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return e.answer(&bo, &staff),
    };
    edit::save(&bo, &staff, &files, loaded.as_deref(), "brand", "brand").await
}
