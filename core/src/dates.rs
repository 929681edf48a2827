//! Calendar dates in content, written as TOML dates (`from = 2026-11-01`) or
//! as strings. TOML hands a date to serde as a one-entry map holding its
//! text, which chrono's own impl does not accept; this reads both forms.

use chrono::NaiveDate;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date such as 2026-11-01")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDate, E> {
        NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
            E::custom(format!(
                "'{v}' is not a date such as 2026-11-01 (a date only, no time)"
            ))
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NaiveDate, A::Error> {
        let Some((_, text)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom("expected a date such as 2026-11-01"));
        };
        self.visit_str(&text)
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_any(DateVisitor)
}

pub fn serialize<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date.format("%Y-%m-%d").to_string())
}

/// For `Option<NaiveDate>` fields with `#[serde(default, with = "dates::option")]`.
pub mod option {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        super::deserialize(d).map(Some)
    }

    pub fn serialize<S: serde::Serializer>(
        date: &Option<NaiveDate>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => super::serialize(d, s),
            None => s.serialize_none(),
        }
    }
}
