//! The dashboard, publishing and the history with its roll back.

use crate::edit::{self};
use crate::{BackOffice, Failure, Staff, context, i18n, render, status_context, when};
use crate::{PublishError, RevisionError, Source};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use storefront_revisions::EventKind;

pub(crate) async fn dashboard(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(period): Query<super::dashboard::PeriodForm>,
) -> Response {
    let mut c = context(&staff, "dashboard", "title_dashboard");
    if let Err(e) = status_context(&bo, &staff, &mut c).await {
        return e.answer(&bo, &staff);
    }
    c.insert("notice", &None::<String>);
    // The period's sales, the domains, the wallet and what waits: each
    // block only for a role that may see it, read from the store's
    // counters. Beside them, what is left to set up (its domain check
    // waits on a resolver, so it runs meanwhile).
    let (setup, figures, announcements) = tokio::join!(
        super::setup::view(&bo, &staff),
        super::dashboard::fill(&bo, &staff, &mut c, &period),
        // The platform's announcements in force: one query.
        super::announcements::shown_on_dashboard(&bo, &staff)
    );
    c.insert("announcements", &announcements);
    match setup {
        Ok(setup) => c.insert("setup", &setup),
        Err(e) => return e.answer(&bo, &staff),
    }
    match figures {
        Ok(status) => render(&bo, "dashboard.html", &c, status),
        Err(e) => super::money::unreadable(&bo, &staff, e),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct PublishQuery {
    #[serde(default)]
    published: Option<String>,
}

pub(crate) async fn publish_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<PublishQuery>,
) -> Response {
    let mut c = context(&staff, "publish", "title_publish");
    let (published, draft) = match status_context(&bo, &staff, &mut c).await {
        Ok(s) => s,
        Err(e) => return e.answer(&bo, &staff),
    };
    c.insert(
        "notice",
        &q.published.map(|_| i18n::text(staff.lang, "published_ok")),
    );
    if let Some(d) = draft.filter(|d| Some(&d.revision) != published.as_ref()) {
        let revisions = bo.site.revisions();
        let changed = match (
            revisions.manifest(&staff.reseller, &d.revision).await,
            &published,
        ) {
            (Ok(m), Some(p)) => match revisions.manifest(&staff.reseller, p).await {
                Ok(before) => m.changed_since(Some(&before)),
                Err(e) => return Failure::from(e).answer(&bo, &staff),
            },
            (Ok(m), None) => m.changed_since(None),
            (Err(e), _) => return Failure::from(e).answer(&bo, &staff),
        };
        c.insert(
            "draft",
            &json!({
                "revision": d.revision,
                "changed": changed,
                "line": i18n::fill(staff.lang, "draft_by", &[("who", &d.by), ("at", &when(d.at, &staff))]),
            }),
        );
    } else {
        c.insert("draft", &false);
    }
    render(&bo, "publish.html", &c, StatusCode::OK)
}

#[derive(serde::Deserialize)]
pub(crate) struct PublishForm {
    revision: String,
    #[serde(default)]
    expected: Option<String>,
}

/// Move the pointer, then build: what the storefront serves is what the
/// pointer names once this answers.
pub(crate) async fn publish_revision(
    bo: &BackOffice,
    staff: &Staff,
    form: &PublishForm,
    source: Source,
) -> Result<(), Result<Vec<String>, Failure>> {
    let now = bo.clock.now();
    let files = bo
        .site
        .files_of(&staff.reseller, &form.revision)
        .await
        .map_err(|e| Err(e.into()))?;
    // Checked again against what is published now: a parent may have
    // changed its prices since the draft was saved.
    match bo.site.check_draft(&staff.reseller, files, now).await {
        Ok(_) => {}
        Err(PublishError::Content(d)) => return Err(Ok(edit::problems(&d, staff.lang))),
        Err(e) => return Err(Err(e.into())),
    }
    let expected = form.expected.as_deref().filter(|e| !e.is_empty());
    // What the audit log names as before: what the form expected, else
    // what is published as this runs.
    let was = match expected {
        Some(e) => Some(e.to_string()),
        None => bo
            .site
            .revisions()
            .published(&staff.reseller)
            .await
            .map_err(|e| Err(e.into()))?
            .map(|p| p.revision),
    };
    bo.site
        .revisions()
        .publish(
            &staff.reseller,
            &form.revision,
            expected,
            &staff.profile.email,
            source,
            now,
        )
        .await
        .map_err(|e| Err(e.into()))?;
    let action = match source {
        Source::Rollback => "content.rollback",
        _ => "content.publish",
    };
    crate::audit(
        bo,
        staff,
        action,
        "content:published",
        json!({"published": was}),
        json!({"published": form.revision}),
    )
    .await;
    match bo.site.build(now).await {
        Ok(built) => {
            if let Some(up) = &bo.upload {
                for id in &built.report.rendered {
                    let dir = bo.site.out().join(id);
                    if let Err(e) = up.upload(id, &dir).await {
                        eprintln!("uploading storefront {id}: {e:#}");
                        return Err(Err(Failure::Publish(PublishError::Io(e))));
                    }
                }
            }
            Ok(())
        }
        Err(PublishError::Content(d)) => Err(Ok(edit::problems(&d, staff.lang))),
        Err(e) => Err(Err(e.into())),
    }
}

pub(crate) async fn publish(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(form): Form<PublishForm>,
) -> Response {
    let done = format!("{}publish?published={}", staff.base, form.revision);
    publish_and_answer(&bo, &staff, &form, Source::Panel, &done).await
}

/// Publish (or roll back to) the form's revision and answer: to `done`, or
/// the publish page with what the check refused, or who moved it first.
async fn publish_and_answer(
    bo: &BackOffice,
    staff: &Staff,
    form: &PublishForm,
    source: Source,
    done: &str,
) -> Response {
    match publish_revision(bo, staff, form, source).await {
        Ok(()) => Redirect::to(done).into_response(),
        Err(Ok(list)) => {
            let mut c = context(staff, "publish", "title_publish");
            if let Err(e) = status_context(bo, staff, &mut c).await {
                return e.answer(bo, staff);
            }
            c.insert("notice", &None::<String>);
            c.insert("problems", &list);
            render(bo, "publish.html", &c, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(Err(Failure::Revision(RevisionError::Moved { now }))) => moved(bo, staff, now).await,
        Err(Err(e)) => e.answer(bo, staff),
    }
}

pub(crate) async fn moved(
    bo: &BackOffice,
    staff: &Staff,
    now: Option<storefront_revisions::Published>,
) -> Response {
    let mut c = context(staff, "publish", "title_publish");
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    let (who, at) = now.map_or((String::new(), String::new()), |p| {
        (p.by, when(p.at, staff))
    });
    c.insert(
        "notice",
        &i18n::fill(staff.lang, "moved", &[("who", &who), ("at", &at)]),
    );
    render(bo, "publish.html", &c, StatusCode::CONFLICT)
}

#[derive(serde::Deserialize)]
pub(crate) struct HistoryQuery {
    #[serde(default)]
    rolled_back: Option<String>,
    /// A save kept beside another admin's draft.
    #[serde(default)]
    aside: Option<String>,
}

pub(crate) async fn history_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let mut c = context(&staff, "history", "title_history");
    let (published, draft) = match status_context(&bo, &staff, &mut c).await {
        Ok(s) => s,
        Err(e) => return e.answer(&bo, &staff),
    };
    let events = match bo.site.revisions().history(&staff.reseller, 100).await {
        Ok(e) => e,
        Err(e) => return Failure::from(e).answer(&bo, &staff),
    };
    let rows: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            let kind = match e.kind {
                EventKind::Saved => "kind_saved",
                EventKind::SavedAside => "kind_saved_aside",
                EventKind::Published => "kind_published",
                EventKind::Imported => "kind_imported",
                EventKind::RolledBack => "kind_rolled_back",
            };
            json!({
                "at": when(e.at, &staff),
                "by": e.by,
                "what": i18n::text(staff.lang, kind),
                "note": e.note,
                "changed": e.changed,
                "revision": e.revision,
                "short": &e.revision[..8.min(e.revision.len())],
                "live": Some(&e.revision) == published.as_ref(),
            })
        })
        .collect();
    c.insert("events", &rows);
    let short = |r: &str| r[..8.min(r.len())].to_string();
    let notice = match (q.rolled_back, q.aside, draft) {
        (Some(r), _, _) => Some(i18n::fill(
            staff.lang,
            "rolled_back_ok",
            &[("value", &short(&r))],
        )),
        (None, Some(mine), Some(d)) => Some(i18n::fill(
            staff.lang,
            "saved_aside",
            &[
                ("who", &d.by),
                ("at", &when(d.at, &staff)),
                ("mine", &short(&mine)),
            ],
        )),
        _ => None,
    };
    c.insert("notice", &notice);
    render(&bo, "history.html", &c, StatusCode::OK)
}

pub(crate) async fn rollback(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(form): Form<PublishForm>,
) -> Response {
    let done = format!("{}history?rolled_back={}", staff.base, form.revision);
    publish_and_answer(&bo, &staff, &form, Source::Rollback, &done).await
}
