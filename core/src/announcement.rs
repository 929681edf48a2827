//! Announcements from the platform to its resellers, shown on every
//! reseller's dashboard while they are in force. No I/O: the console sends
//! what an operator typed to `check`, the API keeps the result
//! (`storefront_functions::announcements`) and every dashboard asks
//! `shown` which to show, in which language.
//!
//! The dates are days in the platform's time zone, kept with the zone they
//! were typed in, so that "from the 1st" means the platform's 1st wherever
//! a reseller reads it.

use crate::Locale;
use crate::dates::Zone;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest title, in characters: a dashboard heading.
pub const MAX_TITLE_CHARS: usize = 120;

/// The longest body, in characters: every announcement in force is read by
/// every dashboard view, so each stays small.
pub const MAX_BODY_CHARS: usize = 4000;

/// One language's text: a title and a body (plain text or Markdown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub title: String,
    #[serde(default)]
    pub body: String,
}

/// Whose dashboards show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Every reseller, at every level.
    #[default]
    Everyone,
    /// Only resellers that buy from the platform itself.
    TopLevel,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::Everyone, Audience::TopLevel];

    pub fn key(self) -> &'static str {
        match self {
            Audience::Everyone => "everyone",
            Audience::TopLevel => "top_level",
        }
    }

    /// Whether a reseller is in it; `top_level`: it buys from the platform.
    pub fn includes(self, top_level: bool) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::TopLevel => top_level,
        }
    }
}

/// What an operator means to announce, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// At least one language.
    pub texts: BTreeMap<Locale, Text>,
    pub audience: Audience,
    /// The first day it is shown.
    pub starts: NaiveDate,
    /// The last day it is shown; None: until withdrawn.
    pub ends: Option<NaiveDate>,
    /// The platform's time zone, whose days these are.
    pub zone: Zone,
}

/// One announcement as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: String,
    #[serde(flatten)]
    pub terms: Terms,
    /// The operator who last wrote it, and when.
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What an operator typed, every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    /// (language, title, body), one per language the form offers.
    pub texts: Vec<(Locale, String, String)>,
    pub audience: String,
    pub starts: String,
    pub ends: String,
}

/// What is wrong with a field as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// No language has a title.
    NoText,
    /// A body without its title.
    TitleMissing(Locale),
    TitleTooLong(Locale),
    BodyTooLong(Locale),
    /// Not a date (YYYY-MM-DD), or (for `starts`) missing.
    NotADate(DateField),
    EndsBeforeStarts,
    Audience,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    Starts,
    Ends,
}

impl Problem {
    /// The form field it belongs beside.
    pub fn field(self) -> String {
        match self {
            Problem::NoText => "title_en".into(),
            Problem::TitleMissing(l) | Problem::TitleTooLong(l) => format!("title_{l}"),
            Problem::BodyTooLong(l) => format!("body_{l}"),
            Problem::NotADate(DateField::Starts) => "starts".into(),
            Problem::NotADate(DateField::Ends) | Problem::EndsBeforeStarts => "ends".into(),
            Problem::Audience => "audience".into(),
        }
    }
}

/// The announcement an operator typed, in the platform's `zone`, or every
/// problem with it.
pub fn check(typed: &Typed, zone: Zone) -> Result<Terms, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut texts = BTreeMap::new();
    for (lang, title, body) in &typed.texts {
        let (title, body) = (title.trim(), body.trim());
        if title.is_empty() {
            if !body.is_empty() {
                problems.push(Problem::TitleMissing(*lang));
            }
            continue;
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            problems.push(Problem::TitleTooLong(*lang));
        }
        if body.chars().count() > MAX_BODY_CHARS {
            problems.push(Problem::BodyTooLong(*lang));
        }
        texts.insert(
            *lang,
            Text {
                title: title.to_string(),
                body: body.to_string(),
            },
        );
    }
    if texts.is_empty() && problems.is_empty() {
        problems.push(Problem::NoText);
    }
    let audience = match typed.audience.trim() {
        "" | "everyone" => Some(Audience::Everyone),
        "top_level" => Some(Audience::TopLevel),
        _ => {
            problems.push(Problem::Audience);
            None
        }
    };
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let starts = day(&typed.starts);
    if starts.is_none() {
        problems.push(Problem::NotADate(DateField::Starts));
    }
    let ends = match typed.ends.trim() {
        "" => None,
        s => match day(s) {
            Some(d) => Some(d),
            None => {
                problems.push(Problem::NotADate(DateField::Ends));
                None
            }
        },
    };
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        problems.push(Problem::EndsBeforeStarts);
    }
    match (starts, audience) {
        (Some(starts), Some(audience)) if problems.is_empty() => Ok(Terms {
            texts,
            audience,
            starts,
            ends,
            zone,
        }),
        _ => Err(problems),
    }
}

impl Announcement {
    /// Whether it is shown at the instant `now`: from its first day to its
    /// last, both included, in the platform's days.
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        let today = self.terms.zone.date_at(now);
        self.terms.starts <= today && self.terms.ends.is_none_or(|e| today <= e)
    }

    /// Whether its day is over at `now` (it will never be shown again).
    pub fn over(&self, now: DateTime<Utc>) -> bool {
        self.terms
            .ends
            .is_some_and(|e| e < self.terms.zone.date_at(now))
    }

    /// Its text in `lang`, or else in the first language it has (English,
    /// Indonesian, Polish): the language answered and the text.
    pub fn text_in(&self, lang: Locale) -> Option<(Locale, &Text)> {
        self.terms
            .texts
            .get_key_value(&lang)
            .or_else(|| self.terms.texts.iter().next())
            .map(|(l, t)| (*l, t))
    }
}

/// The announcements a reseller's dashboard shows at `now`: in force, for
/// its audience (`top_level`: it buys from the platform), newest first (the
/// latest first day, then the latest written).
pub fn shown(all: &[Announcement], now: DateTime<Utc>, top_level: bool) -> Vec<&Announcement> {
    let mut shown: Vec<&Announcement> = all
        .iter()
        .filter(|a| a.in_force(now) && a.terms.audience.includes(top_level))
        .collect();
    shown.sort_by(|a, b| (b.terms.starts, b.at, &b.id).cmp(&(a.terms.starts, a.at, &a.id)));
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(en: (&str, &str), starts: &str, ends: &str) -> Typed {
        Typed {
            texts: vec![
                (Locale::En, en.0.into(), en.1.into()),
                (Locale::Id, String::new(), String::new()),
                (Locale::Pl, String::new(), String::new()),
            ],
            audience: "everyone".into(),
            starts: starts.into(),
            ends: ends.into(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("an instant")
    }

    fn announcement(id: &str, terms: Terms) -> Announcement {
        Announcement {
            id: id.into(),
            terms,
            by: "ops@platform".into(),
            at: at("2026-03-01T00:00:00Z"),
        }
    }

    #[test]
    fn typed_wrong_names_each_field() {
        let z = Zone::UTC;
        let wrong = |t: Typed| check(&t, z).expect_err("refused");
        assert_eq!(
            wrong(typed(("", ""), "2026-03-01", "")),
            vec![Problem::NoText]
        );
        assert_eq!(
            wrong(typed(("", "a body"), "2026-03-01", "")),
            vec![Problem::TitleMissing(Locale::En)]
        );
        assert_eq!(
            wrong(typed(("T", "b"), "2026-03-02", "2026-03-01")),
            vec![Problem::EndsBeforeStarts]
        );
        assert_eq!(
            wrong(typed(("T", "b"), "2026-02-30", "tomorrow")),
            vec![
                Problem::NotADate(DateField::Starts),
                Problem::NotADate(DateField::Ends)
            ]
        );
        let long = "x".repeat(MAX_BODY_CHARS + 1);
        assert_eq!(
            wrong(typed(("T", &long), "2026-03-01", "")),
            vec![Problem::BodyTooLong(Locale::En)]
        );
        assert_eq!(Problem::BodyTooLong(Locale::Pl).field(), "body_pl");
        assert_eq!(Problem::EndsBeforeStarts.field(), "ends");
        let mut t = typed(("T", "b"), "2026-03-01", "");
        t.audience = "martians".into();
        assert_eq!(wrong(t), vec![Problem::Audience]);
        // The same day twice is one day.
        let ok = check(&typed((" T ", " b "), "2026-03-01", "2026-03-01"), z).expect("one day");
        assert_eq!(ok.texts[&Locale::En].title, "T");
        assert_eq!(ok.texts[&Locale::En].body, "b");
        assert_eq!(ok.texts.len(), 1);
    }

    #[test]
    fn shown_from_the_first_day_to_the_last_in_the_platforms_days() {
        let jakarta = Zone::named("Asia/Jakarta").expect("zone");
        let a = announcement(
            "a",
            check(&typed(("T", ""), "2026-03-10", "2026-03-12"), jakarta).expect("ok"),
        );
        // Midnight in Jakarta is 17:00 UTC the day before.
        assert!(!a.in_force(at("2026-03-09T16:59:00Z")));
        assert!(a.in_force(at("2026-03-09T17:00:00Z")));
        assert!(a.in_force(at("2026-03-12T16:59:00Z")));
        assert!(!a.in_force(at("2026-03-12T17:00:00Z")));
        assert!(a.over(at("2026-03-12T17:00:00Z")));
        assert!(!a.over(at("2026-03-12T16:59:00Z")));
    }

    #[test]
    fn newest_first_for_its_audience_in_the_readers_language() {
        let z = Zone::UTC;
        let mut old = announcement(
            "old",
            check(&typed(("Old", ""), "2026-03-01", ""), z).unwrap(),
        );
        old.terms.texts.insert(
            Locale::Id,
            Text {
                title: "Lama".into(),
                body: String::new(),
            },
        );
        let mut new = announcement(
            "new",
            check(&typed(("New", ""), "2026-03-05", ""), z).unwrap(),
        );
        new.terms.audience = Audience::TopLevel;
        let later = announcement(
            "later",
            check(&typed(("Later", ""), "2026-04-01", ""), z).unwrap(),
        );
        let all = vec![old.clone(), new.clone(), later];
        let now = at("2026-03-06T12:00:00Z");
        let ids = |v: Vec<&Announcement>| v.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(shown(&all, now, true)), ["new", "old"]);
        assert_eq!(ids(shown(&all, now, false)), ["old"]);
        assert_eq!(
            old.text_in(Locale::Id).map(|(_, t)| t.title.as_str()),
            Some("Lama")
        );
        // No Polish text: the first it has.
        assert_eq!(old.text_in(Locale::Pl).map(|(l, _)| l), Some(Locale::En));
    }
}
