//! How every editor saves: the edit is applied to the files the form was
//! filled from, the result is checked by the rules of `storefront check`
//! (with every other storefront as published), and only then kept as a
//! draft. Editors differ only in what they read from a form and write into
//! the files.

use crate::{BackOffice, Failure, Staff};
use axum::response::{IntoResponse, Redirect, Response};
use storefront_core::Locale;
use storefront_generator::content::Site;
use storefront_publish::PublishError;
use storefront_revisions::{Files, Saved};

/// A field the reseller must fix, and what to say: an i18n key and the
/// value it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub key: &'static str,
    pub value: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        key: &'static str,
        value: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field: field.into(),
            key,
            value: value.into(),
        }
    }
}

/// The working files (the draft, else what is published) and their
/// revision: what an editor's form is filled from.
pub(crate) async fn working(
    bo: &BackOffice,
    reseller: &str,
) -> Result<(Option<String>, Files), Failure> {
    match bo.site.revisions().working(reseller).await? {
        Some(rev) => {
            let files = bo.site.files_of(reseller, &rev).await?;
            Ok((Some(rev), files))
        }
        None => Ok((None, Files::new())),
    }
}

/// `site.toml` as text and parsed.
pub(crate) fn site_of(files: &Files) -> Option<(String, Site)> {
    let src = String::from_utf8(files.get("site.toml")?.clone()).ok()?;
    let site = toml::from_str(&src).ok()?;
    Some((src, site))
}

/// A posted form, judged.
pub(crate) enum Judged {
    Good {
        files: Files,
        checkout: Box<storefront_generator::Checkout>,
    },
    /// The form's own values are wrong: each field with what to fix.
    Fields(Vec<FieldError>),
    /// The values are well-formed but the storefront's checks refuse the
    /// result (a price below cost, a page without a title...).
    Checks(Vec<String>),
}

/// Apply `edit` to the files `loaded` names (or the working files), then
/// check. The edit gets the files, `site.toml`'s text and its parse.
pub(crate) async fn judge(
    bo: &BackOffice,
    staff: &Staff,
    loaded: Option<&str>,
    edit: impl FnOnce(&mut Files, &str, &Site) -> Result<(), Vec<FieldError>>,
) -> Result<Judged, Failure> {
    // The edit is applied to what the form was filled from: if another
    // admin saved meanwhile, it goes beside theirs, not over it.
    let base = match loaded {
        Some(rev) => Some(rev.to_string()),
        None => bo.site.revisions().working(&staff.reseller).await?,
    };
    let mut files = match &base {
        Some(rev) => bo.site.files_of(&staff.reseller, rev).await?,
        None => Files::new(),
    };
    let Some((src, site)) = site_of(&files) else {
        return Ok(Judged::Fields(vec![FieldError::new(
            "site.toml",
            "error_site_unreadable",
            "",
        )]));
    };
    if let Err(errors) = edit(&mut files, &src, &site) {
        return Ok(Judged::Fields(errors));
    }
    match bo
        .site
        .check_draft(&staff.reseller, files.clone(), bo.clock.now())
        .await
    {
        Ok(checkout) => Ok(Judged::Good {
            files,
            checkout: Box::new(checkout),
        }),
        Err(PublishError::Content(d)) => Ok(Judged::Checks(problems(&d, staff.lang))),
        Err(e) => Err(e.into()),
    }
}

/// Keep `files` as the draft and answer: back to `page` with the saved
/// notice, or, when another admin's draft came first, to the history where
/// both are listed.
pub(crate) async fn save(
    bo: &BackOffice,
    staff: &Staff,
    files: &Files,
    loaded: Option<&str>,
    note: &str,
    page: &str,
) -> Response {
    // A form posted without the revision it was filled from was judged
    // against the working revision (see `judge`): it is saved over that one.
    let working = match loaded {
        Some(l) => Some(l.to_string()),
        None => match bo.site.revisions().working(&staff.reseller).await {
            Ok(w) => w,
            Err(e) => return Failure::from(e).answer(bo, staff),
        },
    };
    let saved = bo
        .site
        .revisions()
        .save_draft(
            &staff.reseller,
            files,
            working.as_deref(),
            &staff.profile.email,
            note,
            bo.clock.now(),
        )
        .await;
    let sep = if page.contains('?') { '&' } else { '?' };
    if let Ok(Saved::Draft(rev) | Saved::Aside { revision: rev, .. }) = &saved {
        crate::audit(
            bo,
            staff,
            "content.save",
            &format!("content:{}", page.split('?').next().unwrap_or(page)),
            serde_json::json!({"revision": working}),
            serde_json::json!({"revision": rev, "note": note}),
        )
        .await;
    }
    match saved {
        Ok(Saved::Draft(rev)) => {
            Redirect::to(&format!("{}{page}{sep}saved={rev}", staff.base)).into_response()
        }
        Ok(Saved::Aside { revision, .. }) => {
            Redirect::to(&format!("{}history?aside={revision}", staff.base)).into_response()
        }
        Err(e) => Failure::from(e).answer(bo, staff),
    }
}

/// Diagnostics as the reseller reads them: the file inside its own folder,
/// the line, and the message.
/// The check's problems as the page lists them: the file and line, and
/// what to fix (a price below cost in the page's language).
pub(crate) fn problems(d: &storefront_generator::Diagnostics, lang: Locale) -> Vec<String> {
    d.0.iter()
        .map(|p| {
            let message = p
                .loss
                .as_ref()
                .map_or_else(|| p.message.clone(), |l| l.message(lang));
            let file = p
                .file
                .components()
                .rev()
                .take_while(|c| c.as_os_str() != "resellers")
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .skip(1)
                .collect::<std::path::PathBuf>();
            match p.line {
                Some(l) => format!("{}:{l}: {message}", file.display()),
                None => format!("{}: {message}", file.display()),
            }
        })
        .collect()
}

/// The revision a posted form was filled from (its `loaded` field).
pub(crate) fn loaded_of(fields: &[(String, String)]) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k == "loaded")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// What saving a form ended in.
pub(crate) enum Saving {
    /// Saved (a redirect), or the store did not answer.
    Answer(Response),
    /// Show the form again: fields to fix, or what the check refused.
    Again(Vec<FieldError>, Vec<String>),
}

/// Save a form that edits `site.toml` in place: `apply` changes the
/// document (the reseller's comments stay), the result is judged and kept
/// as a draft.
pub(crate) async fn save_site_toml(
    bo: &BackOffice,
    staff: &Staff,
    fields: &[(String, String)],
    note: &str,
    page: &str,
    apply: impl FnOnce(&mut toml_edit::DocumentMut, &Site) -> Result<(), Vec<FieldError>>,
) -> Saving {
    let loaded = loaded_of(fields);
    let judged = judge(bo, staff, loaded.as_deref(), |files, src, site| {
        let mut doc: toml_edit::DocumentMut = src
            .parse()
            .map_err(|_| vec![FieldError::new("site.toml", "error_site_unreadable", "")])?;
        apply(&mut doc, site)?;
        files.insert("site.toml".into(), doc.to_string().into_bytes());
        Ok(())
    })
    .await;
    match judged {
        Ok(Judged::Good { files, .. }) => {
            Saving::Answer(save(bo, staff, &files, loaded.as_deref(), note, page).await)
        }
        Ok(Judged::Fields(errors)) => Saving::Again(errors, Vec::new()),
        Ok(Judged::Checks(list)) => Saving::Again(Vec::new(), list),
        Err(e) => Saving::Answer(e.answer(bo, staff)),
    }
}
