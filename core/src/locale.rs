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
