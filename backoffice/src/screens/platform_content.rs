//! The console's plans and catalogue: the platform's `plans.toml` and
//! `catalogue.toml`, edited as their text (checked exactly as `storefront
//! check` checks them, every storefront with them, problems naming the
//! line) and kept as revisions of `@platform`: save makes a draft,
//! publish moves the pointer and rebuilds every storefront in one build.
//!
//! The plans page shows beside the text what it means: each plan's prices
//! today, its scheduled changes, and the resellers on it. A scheduled
//! change (`[[changes.<plan>]] from = …`) takes effect in the build of its
//! day (the day-change rebuild); orders placed before keep their prices.

use crate::{BackOffice, Failure, Staff, context, i18n, render, when};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use storefront_core::catalogue::{Action, Plans};
use storefront_publish::PublishError;
use storefront_revisions::{Files, PLATFORM, Saved, Source};

/// Which of the platform's files a page edits.
#[derive(Debug, Clone, Copy)]
enum Part {
    Plans,
    Catalogue,
}

impl Part {
    fn file(self) -> &'static str {
        match self {
            Part::Plans => "content/platform/plans.toml",
            Part::Catalogue => "content/platform/catalogue.toml",
        }
    }

    fn page(self) -> &'static str {
        match self {
            Part::Plans => "plans",
            Part::Catalogue => "catalogue",
        }
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct PageQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    published: Option<String>,
}

#[derive(serde::Deserialize)]
pub(crate) struct SaveForm {
    text: String,
    #[serde(default)]
    loaded: Option<String>,
}

#[derive(serde::Deserialize)]
pub(crate) struct PublishForm {
    revision: String,
    #[serde(default)]
    expected: Option<String>,
    /// The page to come back to: plans or catalogue.
    #[serde(default)]
    back: String,
}

pub(crate) async fn plans_page(
    bo: State<BackOffice>,
    staff: Staff,
    q: Query<PageQuery>,
) -> Response {
    page(bo, staff, q, Part::Plans).await
}

pub(crate) async fn catalogue_page(
    bo: State<BackOffice>,
    staff: Staff,
    q: Query<PageQuery>,
) -> Response {
    page(bo, staff, q, Part::Catalogue).await
}

pub(crate) async fn save_plans(bo: State<BackOffice>, staff: Staff, f: Form<SaveForm>) -> Response {
    save(bo, staff, f, Part::Plans).await
}

pub(crate) async fn save_catalogue(
    bo: State<BackOffice>,
    staff: Staff,
    f: Form<SaveForm>,
) -> Response {
    save(bo, staff, f, Part::Catalogue).await
}

/// The draft if there is one, else the published revision, with its files.
async fn working(bo: &BackOffice) -> Result<(Option<String>, Files), Failure> {
    let revisions = bo.site.revisions();
    match revisions.working(PLATFORM).await? {
        Some(rev) => Ok((Some(rev.clone()), bo.site.files_of(PLATFORM, &rev).await?)),
        None => Ok((None, Files::new())),
    }
}

fn text_of(files: &Files, part: Part) -> String {
    files
        .get(part.file())
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

async fn page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<PageQuery>,
    part: Part,
) -> Response {
    let (loaded, files) = match working(&bo).await {
        Ok(w) => w,
        Err(e) => return e.answer(&bo, &staff),
    };
    let text = text_of(&files, part);
    answer(
        &bo,
        &staff,
        part,
        &q,
        loaded,
        &files,
        &text,
        &[],
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn answer(
    bo: &BackOffice,
    staff: &Staff,
    part: Part,
    q: &PageQuery,
    loaded: Option<String>,
    files: &Files,
    text: &str,
    problems: &[String],
    status: StatusCode,
) -> Response {
    let page = format!("console_{}", part.page());
    let title = format!("pc_{}_title", part.page());
    let mut c = context(staff, &page, &title);
    c.insert("console_page", &true);
    c.insert("part", part.page());
    c.insert("text", text);
    c.insert("loaded", &loaded.clone().unwrap_or_default());
    c.insert("problems", problems);
    let notice = if q.published.is_some() {
        Some(i18n::text(staff.lang, "pc_published"))
    } else if q.saved.is_some() {
        Some(i18n::text(staff.lang, "pc_saved"))
    } else {
        None
    };
    c.insert("notice", &notice);
    let revisions = bo.site.revisions();
    let (published, draft) = match (
        revisions.published(PLATFORM).await,
        revisions.draft(PLATFORM).await,
    ) {
        (Ok(p), Ok(d)) => (p, d),
        (Err(e), _) | (_, Err(e)) => return Failure::from(e).answer(bo, staff),
    };
    c.insert(
        "published",
        &published
            .as_ref()
            .map(|p| json!({"revision": p.revision, "by": p.by, "at": when(p.at, staff)})),
    );
    c.insert(
        "draft",
        &draft
            .filter(|d| Some(&d.revision) != published.as_ref().map(|p| &p.revision))
            .map(|d| json!({"revision": d.revision, "by": d.by, "at": when(d.at, staff)})),
    );
    if let Part::Plans = part {
        let resellers = match bo.site.published().await {
            Ok(all) => all,
            Err(e) => return Failure::from(e).answer(bo, staff),
        };
        c.insert(
            "plans",
            &plans_view(files, &resellers, bo.clock.now(), staff.lang),
        );
    }
    render(bo, "platform_content.html", &c, status)
}

/// Each plan as the page shows it: today's prices, the changes to come,
/// the top-level resellers on it.
fn plans_view(
    files: &Files,
    resellers: &std::collections::BTreeMap<String, Files>,
    now: chrono::DateTime<chrono::Utc>,
    lang: storefront_core::Locale,
) -> Vec<serde_json::Value> {
    let Some(plans) = files
        .get(Part::Plans.file())
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| toml::from_str::<Plans>(s).ok())
    else {
        return Vec::new();
    };
    // The platform's day: UTC (each storefront applies a change on its own
    // day, at most a few hours apart).
    let today = now.date_naive();
    let on_plan = |id: &str| -> Vec<String> {
        resellers
            .iter()
            .filter(|(_, f)| {
                crate::edit::site_of(f).is_some_and(|(_, s)| s.parent.is_none() && s.plan == id)
            })
            .map(|(r, _)| r.clone())
            .collect()
    };
    plans
        .plans
        .keys()
        .filter_map(|id| {
            let plan = plans.as_of(id, today)?;
            let currency = plan.currency;
            let money = |d: rust_decimal::Decimal| {
                storefront_core::money::format_amount(d, currency, lang)
            };
            let prices: Vec<_> = plan
                .extensions
                .iter()
                .map(|(ext, p)| {
                    json!({
                        "ext": ext,
                        "register": money(p.register),
                        "renew": money(p.renew),
                        "transfer": money(p.transfer),
                        "restore": money(p.restore),
                    })
                })
                .collect();
            let changes: Vec<_> = plans
                .changes
                .get(id)
                .into_iter()
                .flatten()
                .filter(|c| c.from > today)
                .flat_map(|c| {
                    c.extensions.iter().flat_map(move |(ext, new)| {
                        Action::ALL.into_iter().filter_map(move |a| {
                            new.get(a).map(|d| (c.from, ext.clone(), a, d))
                        })
                    })
                })
                .map(|(from, ext, a, d)| {
                    json!({"from": from.to_string(), "ext": ext, "action": a.as_str(), "price": money(d)})
                })
                .collect();
            Some(json!({
                "id": id,
                "name": plan.name,
                "deposit": plan.deposit.map(|d| money(d.0)),
                "prices": prices,
                "changes": changes,
                "resellers": on_plan(id),
            }))
        })
        .collect()
}

/// The check's problems of the platform's files: the file, the line, the
/// message (a reseller's own file named under `resellers/`).
fn problems(d: &storefront_generator::Diagnostics) -> Vec<String> {
    d.0.iter()
        .map(|p| {
            let parts: Vec<String> = p
                .file
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let from = parts
                .iter()
                .rposition(|c| c == "platform" || c == "resellers")
                .map_or(parts.len().saturating_sub(1), |i| {
                    if parts[i] == "platform" { i + 1 } else { i }
                });
            let file = parts[from..].join("/");
            match p.line {
                Some(l) => format!("{file}:{l}: {}", p.message),
                None => format!("{file}: {}", p.message),
            }
        })
        .collect()
}

/// The page again with the text as sent and what to fix: nothing kept.
async fn refuse(
    bo: &BackOffice,
    staff: &Staff,
    part: Part,
    loaded: Option<String>,
    files: &Files,
    text: &str,
    list: Vec<String>,
) -> Response {
    let q = PageQuery {
        saved: None,
        published: None,
    };
    answer(
        bo,
        staff,
        part,
        &q,
        loaded,
        files,
        text,
        &list,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn save(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(form): Form<SaveForm>,
    part: Part,
) -> Response {
    let now = bo.clock.now();
    let loaded = form.loaded.filter(|l| !l.is_empty());
    let base = match &loaded {
        Some(rev) => Some(rev.clone()),
        None => match bo.site.revisions().working(PLATFORM).await {
            Ok(w) => w,
            Err(e) => return Failure::from(e).answer(&bo, &staff),
        },
    };
    let mut files = match &base {
        Some(rev) => match bo.site.files_of(PLATFORM, rev).await {
            Ok(f) => f,
            Err(e) => return Failure::from(e).answer(&bo, &staff),
        },
        None => Files::new(),
    };
    let text = form.text.replace("\r\n", "\n");
    let before = text_of(&files, part);
    files.insert(part.file().to_string(), text.clone().into_bytes());
    // A new scheduled change starts after today: orders already placed
    // today were priced at the old prices.
    if let Part::Plans = part
        && let Ok(new) = toml::from_str::<Plans>(&text)
    {
        let old = toml::from_str::<Plans>(&before).unwrap_or(Plans {
            plans: Default::default(),
            changes: Default::default(),
        });
        let late = new.validate_new_changes(&old, now.date_naive());
        if !late.is_empty() {
            let list = late
                .iter()
                .map(|e| {
                    let path: Vec<storefront_generator::diagnostics::Key> = e
                        .path
                        .iter()
                        .enumerate()
                        .map(|(i, p)| match p.parse::<usize>() {
                            Ok(ix) if i == 2 => storefront_generator::diagnostics::Key::Index(ix),
                            _ => p.as_str().into(),
                        })
                        .collect();
                    match storefront_generator::diagnostics::locate(&text, &path) {
                        Some(l) => format!("plans.toml:{l}: {}", e.message),
                        None => format!("plans.toml: {}", e.message),
                    }
                })
                .collect();
            return refuse(&bo, &staff, part, loaded, &files, &text, list).await;
        }
    }
    match bo.site.check_platform_draft(&files, now).await {
        Ok(_) => {}
        Err(PublishError::Content(d)) => {
            return refuse(&bo, &staff, part, loaded, &files, &text, problems(&d)).await;
        }
        Err(e) => return Failure::from(e).answer(&bo, &staff),
    }
    let saved = bo
        .site
        .revisions()
        .save_draft(
            PLATFORM,
            &files,
            base.as_deref(),
            &staff.profile.email,
            part.page(),
            now,
        )
        .await;
    let rev = match saved {
        Ok(Saved::Draft(rev) | Saved::Aside { revision: rev, .. }) => rev,
        Err(e) => return Failure::from(e).answer(&bo, &staff),
    };
    crate::audit(
        &bo,
        &staff,
        &format!("platform.{}.save", part.page()),
        &format!("platform:{}", part.page()),
        json!({"revision": base}),
        json!({"revision": rev}),
    )
    .await;
    Redirect::to(&format!(
        "{}platform/{}?saved={rev}",
        staff.base,
        part.page()
    ))
    .into_response()
}

/// Publish the platform's draft: checked again against every storefront
/// as published now, the pointer moved if it is still what the operator
/// saw, then every storefront built (one build: the platform reaches
/// them all) and uploaded.
pub(crate) async fn publish(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(form): Form<PublishForm>,
) -> Response {
    let now = bo.clock.now();
    let part = if form.back == "catalogue" {
        Part::Catalogue
    } else {
        Part::Plans
    };
    let files = match bo.site.files_of(PLATFORM, &form.revision).await {
        Ok(f) => f,
        Err(e) => return Failure::from(e).answer(&bo, &staff),
    };
    let q = PageQuery {
        saved: None,
        published: None,
    };
    if let Err(e) = bo.site.check_platform_draft(&files, now).await {
        return match e {
            PublishError::Content(d) => {
                let text = text_of(&files, part);
                answer(
                    &bo,
                    &staff,
                    part,
                    &q,
                    Some(form.revision.clone()),
                    &files,
                    &text,
                    &problems(&d),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            e => Failure::from(e).answer(&bo, &staff),
        };
    }
    let expected = form.expected.as_deref().filter(|e| !e.is_empty());
    if let Err(e) = bo
        .site
        .revisions()
        .publish(
            PLATFORM,
            &form.revision,
            expected,
            &staff.profile.email,
            Source::Panel,
            now,
        )
        .await
    {
        return match e {
            storefront_revisions::RevisionError::Moved { now: Some(p) } => {
                let text = text_of(&files, part);
                let msg = i18n::fill(
                    staff.lang,
                    "moved",
                    &[("who", &p.by), ("at", &when(p.at, &staff))],
                );
                answer(
                    &bo,
                    &staff,
                    part,
                    &q,
                    Some(form.revision.clone()),
                    &files,
                    &text,
                    &[msg],
                    StatusCode::CONFLICT,
                )
                .await
            }
            e => Failure::from(e).answer(&bo, &staff),
        };
    }
    crate::audit(
        &bo,
        &staff,
        "platform.publish",
        "platform:published",
        json!({"published": expected}),
        json!({"published": form.revision}),
    )
    .await;
    match bo.site.build(now).await {
        Ok(built) => {
            if let Some(up) = &bo.upload {
                for id in &built.report.rendered {
                    if let Err(e) = up.upload(id, &bo.site.out().join(id)).await {
                        eprintln!("uploading storefront {id}: {e:#}");
                        return Failure::Publish(PublishError::Io(e)).answer(&bo, &staff);
                    }
                }
            }
        }
        Err(PublishError::Content(d)) => {
            let text = text_of(&files, part);
            return answer(
                &bo,
                &staff,
                part,
                &q,
                None,
                &files,
                &text,
                &problems(&d),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Failure::from(e).answer(&bo, &staff),
    }
    Redirect::to(&format!(
        "{}platform/{}?published={}",
        staff.base,
        part.page(),
        form.revision
    ))
    .into_response()
}
