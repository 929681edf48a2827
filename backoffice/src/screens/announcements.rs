//! The console's announcements: operators write one (a title and a body in
//! one language or more, whose dashboards, from which day to which), edit
//! it and withdraw it; every reseller's dashboard shows those in force
//! (`shown_on_dashboard`). What is valid and what is shown is decided in
//! `storefront_core::announcement`; each change is in the platform
//! storefront's audit log.

use crate::{BackOffice, Staff, context, i18n, render, unavailable, when};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use storefront_core::Locale;
use storefront_core::announcement::{
    self as core, Announcement, Audience, MAX_BODY_CHARS, MAX_TITLE_CHARS, Problem, Typed,
};
use storefront_functions::announcements::{self, AnnouncementFailure};

#[derive(Deserialize, Default)]
pub(crate) struct Shown {
    #[serde(default)]
    done: Option<String>,
    /// The announcement whose terms the form is filled with.
    #[serde(default)]
    edit: Option<String>,
}

/// The form as posted: `id` names the announcement edited, empty for a new
/// one.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct AnnouncementForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    body_en: String,
    #[serde(default)]
    title_id: String,
    #[serde(default)]
    body_id: String,
    #[serde(default)]
    title_pl: String,
    #[serde(default)]
    body_pl: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
}

impl AnnouncementForm {
    fn typed(&self) -> Typed {
        Typed {
            texts: vec![
                (Locale::En, self.title_en.clone(), self.body_en.clone()),
                (Locale::Id, self.title_id.clone(), self.body_id.clone()),
                (Locale::Pl, self.title_pl.clone(), self.body_pl.clone()),
            ],
            audience: self.audience.clone(),
            starts: self.starts.clone(),
            ends: self.ends.clone(),
        }
    }

    /// The form filled with an announcement's terms, to edit it.
    fn of(a: &Announcement) -> AnnouncementForm {
        let text = |l: Locale| a.terms.texts.get(&l).cloned();
        let title = |l| text(l).map(|t| t.title).unwrap_or_default();
        let body = |l| text(l).map(|t| t.body).unwrap_or_default();
        AnnouncementForm {
            id: a.id.clone(),
            title_en: title(Locale::En),
            body_en: body(Locale::En),
            title_id: title(Locale::Id),
            body_id: body(Locale::Id),
            title_pl: title(Locale::Pl),
            body_pl: body(Locale::Pl),
            audience: a.terms.audience.key().into(),
            starts: a.terms.starts.to_string(),
            ends: a.terms.ends.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

pub(crate) async fn page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    let notice = q
        .done
        .as_deref()
        .filter(|d| matches!(*d, "published" | "saved" | "withdrawn"))
        .map(|d| i18n::text(staff.lang, &format!("ann_done_{d}")));
    let mut typed = AnnouncementForm {
        starts: staff.snapshot.today(bo.clock.now()).to_string(),
        ..Default::default()
    };
    if let Some(id) = q.edit.as_deref().filter(|id| !id.is_empty()) {
        match announcements::get(bo.shop.accounts.store.as_ref(), id).await {
            Ok((a, _)) => typed = AnnouncementForm::of(&a),
            Err(e) => return failed(&bo, &staff, e, typed).await,
        }
    }
    shown(&bo, &staff, notice, &[], typed, StatusCode::OK).await
}

async fn shown(
    bo: &BackOffice,
    staff: &Staff,
    notice: Option<String>,
    problems: &[Problem],
    typed: AnnouncementForm,
    status: StatusCode,
) -> Response {
    let store = bo.shop.accounts.store.as_ref();
    let mut all = match announcements::all(store).await {
        Ok(all) => all,
        Err(e) => return unavailable(bo, staff, e),
    };
    let lang = staff.lang;
    let now = bo.clock.now();
    all.sort_by_key(|a| std::cmp::Reverse((a.terms.starts, a.at)));
    let list: Vec<Value> = all
        .iter()
        .map(|a| {
            let state = if a.in_force(now) {
                "in_force"
            } else if a.over(now) {
                "over"
            } else {
                "coming"
            };
            let (_, text) = a.text_in(lang).unzip();
            json!({
                "id": a.id,
                "title": text.map(|t| t.title.clone()).unwrap_or_default(),
                "languages": a.terms.texts.keys().map(|l| l.code()).collect::<Vec<_>>().join(", "),
                "audience": i18n::text(lang, &format!("ann_audience_{}", a.terms.audience.key())),
                "starts": a.terms.starts.to_string(),
                "ends": a.terms.ends.map(|d| d.to_string()).unwrap_or_else(|| i18n::text(lang, "ann_no_end")),
                "state": state,
                "state_text": i18n::text(lang, &format!("ann_state_{state}")),
                "by": a.by,
                "at": when(a.at, staff),
            })
        })
        .collect();
    let errors: Vec<Value> = problems
        .iter()
        .map(|p| json!({"field": p.field(), "message": problem_text(lang, *p)}))
        .collect();
    let bad: std::collections::BTreeMap<String, bool> =
        problems.iter().map(|p| (p.field(), true)).collect();
    let audiences: Vec<Value> = Audience::ALL
        .iter()
        .map(|a| json!({"key": a.key(), "label": i18n::text(lang, &format!("ann_audience_{}", a.key()))}))
        .collect();
    // One language's fields, marked when wrong.
    let text = |lang: &str, name: &str, title: &str, body: &str| {
        json!({
            "lang": lang, "name": name, "title": title, "body": body,
            "bad_title": bad.contains_key(&format!("title_{lang}")),
            "bad_body": bad.contains_key(&format!("body_{lang}")),
        })
    };
    let mut c = context(staff, "console_announcements", "ann_heading");
    c.insert("console_page", &true);
    c.insert("notice", &notice);
    c.insert("announcements", &list);
    c.insert("errors", &errors);
    c.insert("bad", &bad);
    c.insert("audiences", &audiences);
    c.insert(
        "typed",
        &json!({
            "id": typed.id,
            "texts": [
                text("en", "English", &typed.title_en, &typed.body_en),
                text("id", "Bahasa Indonesia", &typed.title_id, &typed.body_id),
                text("pl", "Polski", &typed.title_pl, &typed.body_pl),
            ],
            "audience": if typed.audience.is_empty() { "everyone" } else { typed.audience.as_str() },
            "starts": typed.starts,
            "ends": typed.ends,
        }),
    );
    c.insert("zone", staff.snapshot.time_zone.name());
    c.insert("max_title", &MAX_TITLE_CHARS);
    c.insert("max_body", &MAX_BODY_CHARS);
    render(bo, "announcements.html", &c, status)
}

/// What a problem says beside its field, in the operator's language.
fn problem_text(lang: Locale, p: Problem) -> String {
    match p {
        Problem::NoText => i18n::text(lang, "ann_error_no_text"),
        Problem::TitleMissing(l) => {
            i18n::fill(lang, "ann_error_title_missing", &[("lang", l.code())])
        }
        Problem::TitleTooLong(_) => i18n::fill(
            lang,
            "ann_error_title_long",
            &[("max", &MAX_TITLE_CHARS.to_string())],
        ),
        Problem::BodyTooLong(_) => i18n::fill(
            lang,
            "ann_error_body_long",
            &[("max", &MAX_BODY_CHARS.to_string())],
        ),
        Problem::NotADate(_) => i18n::text(lang, "ann_error_date"),
        Problem::EndsBeforeStarts => i18n::text(lang, "ann_error_ends_before"),
        Problem::Audience => i18n::text(lang, "ann_error_audience"),
    }
}

/// Publish a new announcement, or save the one the form names.
pub(crate) async fn save(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<AnnouncementForm>,
) -> Response {
    // The operators work on the platform's storefront: its days are the
    // platform's.
    let terms = match core::check(&f.typed(), staff.snapshot.time_zone) {
        Ok(t) => t,
        Err(problems) => {
            return shown(
                &bo,
                &staff,
                None,
                &problems,
                f,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let store = bo.shop.accounts.store.as_ref();
    let by = staff.profile.email.clone();
    let now = bo.clock.now();
    let id = f.id.trim();
    let (done, before, after) = if id.is_empty() {
        match announcements::publish(store, terms, &by, now).await {
            Ok(a) => ("published", None, a),
            Err(e) => return failed(&bo, &staff, e, f).await,
        }
    } else {
        match announcements::edit(store, id, terms, &by, now).await {
            Ok((before, after)) => ("saved", Some(before), after),
            Err(e) => return failed(&bo, &staff, e, f).await,
        }
    };
    crate::audit(
        &bo,
        &staff,
        "announcement.publish",
        &format!("announcement:{}", after.id),
        json!(before.map(|b| b.terms)),
        json!(after.terms),
    )
    .await;
    Redirect::to(&format!("{}platform/announcements?done={done}", staff.base)).into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    id: String,
}

pub(crate) async fn withdraw(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<WithdrawForm>,
) -> Response {
    let store = bo.shop.accounts.store.as_ref();
    match announcements::withdraw(store, f.id.trim()).await {
        Ok(a) => {
            crate::audit(
                &bo,
                &staff,
                "announcement.withdraw",
                &format!("announcement:{}", a.id),
                json!(a.terms),
                json!(null),
            )
            .await;
            Redirect::to(&format!(
                "{}platform/announcements?done=withdrawn",
                staff.base
            ))
            .into_response()
        }
        Err(e) => failed(&bo, &staff, e, AnnouncementForm::default()).await,
    }
}

/// An announcement that is not there (withdrawn or changed meanwhile):
/// 409 with the list as it is now; the store failing: 503.
async fn failed(
    bo: &BackOffice,
    staff: &Staff,
    e: AnnouncementFailure,
    typed: AnnouncementForm,
) -> Response {
    match e {
        AnnouncementFailure::Unknown(_) => {
            let said = i18n::text(staff.lang, "ann_gone");
            shown(bo, staff, Some(said), &[], typed, StatusCode::CONFLICT).await
        }
        AnnouncementFailure::Store(e) => unavailable(bo, staff, e),
    }
}

/// The announcements a reseller's dashboard shows now, in the staff
/// member's language (or another the announcement has), newest first:
/// one query. A store that fails leaves the dashboard without them.
pub(crate) async fn shown_on_dashboard(bo: &BackOffice, staff: &Staff) -> Vec<Value> {
    let all = match announcements::all(bo.shop.accounts.store.as_ref()).await {
        Ok(all) => all,
        Err(e) => {
            eprintln!("announcements on the dashboard of {}: {e}", staff.reseller);
            return Vec::new();
        }
    };
    let top_level = staff.snapshot.parent.id.is_none();
    core::shown(&all, bo.clock.now(), top_level)
        .into_iter()
        .filter_map(|a| {
            let (lang, text) = a.text_in(staff.lang)?;
            Some(json!({
                "id": a.id,
                "lang": lang.code(),
                "title": text.title,
                // Markdown as the storefront's pages render it: raw HTML
                // and scripts never survive.
                "body": storefront_generator::markdown::render(&text.body),
                "starts": a.terms.starts.to_string(),
            }))
        })
        .collect()
}
