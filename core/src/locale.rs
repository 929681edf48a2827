//! The languages a storefront can speak.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A storefront language. Each has a string table per theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Id,
    Pl,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Id, Locale::Pl];

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Id => "id",
            Locale::Pl => "pl",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Locale::En),
            "id" => Ok(Locale::Id),
            "pl" => Ok(Locale::Pl),
            other => Err(format!("unknown language '{other}': use en, id or pl")),
        }
    }
}

/// A date as people in each language write it: 31 December 2026,
/// 31 Desember 2026, 31 grudnia 2026 (Polish uses the genitive). Pages,
/// mails and invoices all write dates this way.
pub fn long_date(d: chrono::NaiveDate, l: Locale) -> String {
    use chrono::Datelike;
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const ID: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    const PL: [&str; 12] = [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ];
    let months = match l {
        Locale::En => EN,
        Locale::Id => ID,
        Locale::Pl => PL,
    };
    format!("{} {} {}", d.day(), months[d.month0() as usize], d.year())
}
