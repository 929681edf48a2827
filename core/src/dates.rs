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

/// A storefront's time zone: what day it is for its promotions, its pages
/// and its checkout, which agree because both ask this. The zones a
/// wholesaler of this kind sells in, by their IANA names; each has a fixed
/// offset, and the European ones follow the EU's summer time (from 01:00
/// UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
/// October), which is the whole of their rule today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Zone {
    index: usize,
}

struct ZoneRule {
    name: &'static str,
    /// Minutes east of UTC in winter.
    offset: i64,
    eu_summer: bool,
}

const ZONES: &[ZoneRule] = &[
    ZoneRule {
        name: "UTC",
        offset: 0,
        eu_summer: false,
    },
    ZoneRule {
        name: "Asia/Jakarta",
        offset: 7 * 60,
        eu_summer: false,
    },
    ZoneRule {
        name: "Asia/Pontianak",
        offset: 7 * 60,
        eu_summer: false,
    },
    ZoneRule {
        name: "Asia/Makassar",
        offset: 8 * 60,
        eu_summer: false,
    },
    ZoneRule {
        name: "Asia/Jayapura",
        offset: 9 * 60,
        eu_summer: false,
    },
    ZoneRule {
        name: "Asia/Singapore",
        offset: 8 * 60,
        eu_summer: false,
    },
    ZoneRule {
        name: "Asia/Kuala_Lumpur",
        offset: 8 * 60,
        eu_summer: false,
    },
    ZoneRule {
        name: "Europe/London",
        offset: 0,
        eu_summer: true,
    },
    ZoneRule {
        name: "Europe/Warsaw",
        offset: 60,
        eu_summer: true,
    },
    ZoneRule {
        name: "Europe/Berlin",
        offset: 60,
        eu_summer: true,
    },
    ZoneRule {
        name: "Europe/Amsterdam",
        offset: 60,
        eu_summer: true,
    },
    ZoneRule {
        name: "Europe/Paris",
        offset: 60,
        eu_summer: true,
    },
    ZoneRule {
        name: "Europe/Prague",
        offset: 60,
        eu_summer: true,
    },
];

impl Zone {
    pub const UTC: Zone = Zone { index: 0 };

    /// The zone of an IANA name this product knows; the error lists them.
    pub fn named(name: &str) -> Result<Zone, String> {
        ZONES
            .iter()
            .position(|z| z.name == name)
            .map(|index| Zone { index })
            .ok_or_else(|| {
                let known: Vec<&str> = ZONES.iter().map(|z| z.name).collect();
                format!(
                    "time zone {name:?} is not one this platform knows: use one of {}",
                    known.join(", ")
                )
            })
    }

    /// Every zone this product knows.
    pub fn all() -> impl Iterator<Item = Zone> {
        (0..ZONES.len()).map(|index| Zone { index })
    }

    pub fn name(&self) -> &'static str {
        ZONES[self.index].name
    }

    /// The local date at the instant `now`.
    pub fn date_at(&self, now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
        self.local(now).date()
    }

    /// The local wall-clock time at the instant `now` (for showing when
    /// something happened).
    pub fn local(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
        let rule = &ZONES[self.index];
        let mut offset = rule.offset;
        if rule.eu_summer && eu_summer_time(now) {
            offset += 60;
        }
        (now + chrono::Duration::minutes(offset)).naive_utc()
    }
}

/// Whether `now` is within the EU's summer time.
fn eu_summer_time(now: chrono::DateTime<chrono::Utc>) -> bool {
    use chrono::{Datelike, TimeZone, Weekday};
    let last_sunday = |month: u32| {
        let mut d = NaiveDate::from_ymd_opt(now.year(), month, 31).unwrap_or_default();
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().unwrap_or(d);
        }
        chrono::Utc.from_utc_datetime(&d.and_hms_opt(1, 0, 0).unwrap_or_default())
    };
    now >= last_sunday(3) && now < last_sunday(10)
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let name = String::deserialize(d)?;
        Zone::named(&name).map_err(de::Error::custom)
    }
}

impl Zone {
    /// For `skip_serializing_if`: a snapshot without a zone is UTC, and
    /// serialises as it did before zones existed.
    pub fn is_utc(&self) -> bool {
        *self == Zone::UTC
    }
}

#[cfg(test)]
mod zone_tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_local_day_turns_at_local_midnight() {
        let jakarta = Zone::named("Asia/Jakarta").unwrap();
        // 16:59 UTC is 23:59 WIB; 17:00 UTC is midnight.
        assert_eq!(
            jakarta.date_at(at("2026-12-31T16:59:00Z")).to_string(),
            "2026-12-31"
        );
        assert_eq!(
            jakarta.date_at(at("2026-12-31T17:00:00Z")).to_string(),
            "2027-01-01"
        );
        assert_eq!(
            Zone::UTC.date_at(at("2026-12-31T17:00:00Z")).to_string(),
            "2026-12-31"
        );
    }

    #[test]
    fn warsaw_keeps_eu_summer_time() {
        let warsaw = Zone::named("Europe/Warsaw").unwrap();
        // Winter: UTC+1. 22:59 UTC on 31 Dec is 23:59 local.
        assert_eq!(
            warsaw.date_at(at("2026-12-31T22:59:00Z")).to_string(),
            "2026-12-31"
        );
        assert_eq!(
            warsaw.date_at(at("2026-12-31T23:00:00Z")).to_string(),
            "2027-01-01"
        );
        // Summer: UTC+2. 22:00 UTC on 30 June is midnight local.
        assert_eq!(
            warsaw.date_at(at("2026-06-30T21:59:00Z")).to_string(),
            "2026-06-30"
        );
        assert_eq!(
            warsaw.date_at(at("2026-06-30T22:00:00Z")).to_string(),
            "2026-07-01"
        );
        // Summer time in 2026 runs from 29 March 01:00 UTC to 25 October
        // 01:00 UTC.
        assert!(!eu_summer_time(at("2026-03-29T00:59:00Z")));
        assert!(eu_summer_time(at("2026-03-29T01:00:00Z")));
        assert!(eu_summer_time(at("2026-10-25T00:59:00Z")));
        assert!(!eu_summer_time(at("2026-10-25T01:00:00Z")));
    }

    #[test]
    fn unknown_names_are_refused_with_the_known_ones() {
        let e = Zone::named("Asia/Atlantis").unwrap_err();
        assert!(
            e.contains("Asia/Jakarta") && e.contains("Europe/Warsaw"),
            "{e}"
        );
        let z: Zone = serde_json::from_str("\"Europe/Warsaw\"").unwrap();
        assert_eq!(serde_json::to_string(&z).unwrap(), "\"Europe/Warsaw\"");
    }
}
