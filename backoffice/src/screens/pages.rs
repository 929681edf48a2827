//! The pages screens: the list, a page's editor with its preview, delete.

use crate::edit::{self, FieldError, Judged};
use crate::pages;
use crate::{BackOffice, Staff, context, errors_context, i18n, message, render, status_context};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use storefront_core::Locale;

pub(crate) async fn pages_list(
    bo: &BackOffice,
    staff: &Staff,
    errors: &[FieldError],
    status: StatusCode,
    notice: Option<String>,
) -> Response {
    let mut c = context(staff, "pages", "title_pages");
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    let (_, files) = match edit::working(bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(bo, staff),
    };
    let list: Vec<serde_json::Value> = pages::list(&files)
        .into_iter()
        .map(|(f, title)| json!({"path": f.path(), "title": title, "news": f.news}))
        .collect();
    c.insert("pages", &list);
    let languages: Vec<&str> = staff.snapshot.languages.iter().map(|l| l.code()).collect();
    c.insert("languages", &languages);
    errors_context(&mut c, staff, errors);
    c.insert("notice", &notice);
    render(bo, "pages.html", &c, status)
}

#[derive(serde::Deserialize)]
pub(crate) struct PagesQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    deleted: Option<String>,
}

pub(crate) async fn pages_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<PagesQuery>,
) -> Response {
    let notice = match (q.saved, q.deleted) {
        (_, Some(_)) => Some(i18n::text(staff.lang, "deleted")),
        (Some(_), None) => Some(i18n::text(staff.lang, "saved_draft")),
        _ => None,
    };
    pages_list(&bo, &staff, &[], StatusCode::OK, notice).await
}

#[derive(serde::Deserialize)]
pub(crate) struct NewPage {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    kind: String,
}

pub(crate) async fn new_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<NewPage>,
) -> Response {
    let lang = q
        .lang
        .parse::<Locale>()
        .ok()
        .filter(|l| staff.snapshot.languages.contains(l));
    let slug = q.slug.trim();
    match lang {
        Some(l) if storefront_generator::content::valid_id(slug) => {
            let file = pages::PageFile {
                slug: slug.to_string(),
                locale: (l != staff.snapshot.default_language()).then_some(l),
                news: q.kind == "news",
            };
            Redirect::to(&format!("{}pages/edit?file={}", staff.base, file.path())).into_response()
        }
        _ => {
            let e = FieldError::new("slug", "error_page_new", slug);
            pages_list(&bo, &staff, &[e], StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct PageQuery {
    #[serde(default)]
    file: String,
    #[serde(default)]
    saved: Option<String>,
}

/// How a page form is shown: with what errors, and whether the preview.
pub(crate) struct PageShown<'a> {
    exists: bool,
    errors: &'a [FieldError],
    problems: &'a [String],
    preview: bool,
    status: StatusCode,
    notice: Option<String>,
}

pub(crate) async fn page_form_page(
    bo: &BackOffice,
    staff: &Staff,
    form: &pages::PageForm,
    shown: PageShown<'_>,
) -> Response {
    let mut c = context(staff, "pages", "title_page_edit");
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    c.insert(
        "form",
        &json!({
            "file": form.file, "title": form.title, "description": form.description,
            "date": form.date, "footer": form.footer, "order": form.order, "body": form.body,
            "loaded": form.loaded.clone().unwrap_or_default(),
        }),
    );
    c.insert(
        "news",
        &pages::PageFile::parse(&form.file).is_some_and(|f| f.news),
    );
    c.insert("exists", &shown.exists);
    errors_context(&mut c, staff, shown.errors);
    c.insert("problems", shown.problems);
    // The storefront's own sanitiser: what the preview shows is what the
    // page will show, and script never survives it.
    let rendered = shown
        .preview
        .then(|| storefront_generator::markdown::render(&form.body));
    c.insert("rendered", &rendered);
    c.insert("notice", &shown.notice);
    render(bo, "page_edit.html", &c, shown.status)
}

pub(crate) async fn page_edit(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<PageQuery>,
) -> Response {
    let Some(file) = pages::PageFile::parse(&q.file) else {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::NOT_FOUND,
            "not_found",
            "not_found",
            None,
        );
    };
    let (loaded, files) = match edit::working(&bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(&bo, &staff),
    };
    let form = pages::PageForm::of(&file, &files, loaded);
    let exists = files.contains_key(&file.path());
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    page_form_page(
        &bo,
        &staff,
        &form,
        PageShown {
            exists,
            errors: &[],
            problems: &[],
            preview: exists,
            status: StatusCode::OK,
            notice,
        },
    )
    .await
}

pub(crate) async fn save_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = pages::PageForm::from_fields(&fields);
    let preview_only = fields.iter().any(|(k, v)| k == "action" && v == "preview");
    let languages = staff.snapshot.languages.clone();
    let exists = match edit::working(&bo, &staff.reseller).await {
        Ok((_, files)) => files.contains_key(&form.file),
        Err(e) => return e.answer(&bo, &staff),
    };
    if preview_only {
        let errors = form.render_file(&languages).err().unwrap_or_default();
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return page_form_page(
            &bo,
            &staff,
            &form,
            PageShown {
                exists,
                errors: &errors,
                problems: &[],
                preview: true,
                status,
                notice: None,
            },
        )
        .await;
    }
    let judged = edit::judge(&bo, &staff, form.loaded.as_deref(), |files, _, site| {
        let (path, text) = form.render_file(&site.languages)?;
        files.insert(path, text.into_bytes());
        Ok(())
    })
    .await;
    match judged {
        Ok(Judged::Good { files, .. }) => {
            let note = format!("page {}", form.file);
            edit::save(
                &bo,
                &staff,
                &files,
                form.loaded.as_deref(),
                &note,
                &format!("pages/edit?file={}", form.file),
            )
            .await
        }
        Ok(Judged::Fields(errors)) => {
            page_form_page(
                &bo,
                &staff,
                &form,
                PageShown {
                    exists,
                    errors: &errors,
                    problems: &[],
                    preview: true,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    notice: None,
                },
            )
            .await
        }
        Ok(Judged::Checks(list)) => {
            page_form_page(
                &bo,
                &staff,
                &form,
                PageShown {
                    exists,
                    errors: &[],
                    problems: &list,
                    preview: true,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    notice: None,
                },
            )
            .await
        }
        Err(e) => e.answer(&bo, &staff),
    }
}

pub(crate) async fn delete_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = pages::PageForm::from_fields(&fields);
    if pages::PageFile::parse(&form.file).is_none() {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::NOT_FOUND,
            "not_found",
            "not_found",
            None,
        );
    }
    let judged = edit::judge(&bo, &staff, form.loaded.as_deref(), |files, _, _| {
        files.remove(&form.file);
        Ok(())
    })
    .await;
    match judged {
        Ok(Judged::Good { files, .. }) => {
            let note = format!("deleted page {}", form.file);
            edit::save(
                &bo,
                &staff,
                &files,
                form.loaded.as_deref(),
                &note,
                "pages?deleted=1",
            )
            .await
        }
        Ok(Judged::Fields(errors)) => {
            pages_list(&bo, &staff, &errors, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Ok(Judged::Checks(list)) => {
            page_form_page(
                &bo,
                &staff,
                &form,
                PageShown {
                    exists: true,
                    errors: &[],
                    problems: &list,
                    preview: false,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    notice: None,
                },
            )
            .await
        }
        Err(e) => e.answer(&bo, &staff),
    }
}
