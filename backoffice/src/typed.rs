//! What resellers type into the back office's forms, read one way for
//! every editor: percentages, lists of extensions, actions, one-line texts.
//! (Amounts are read by `storefront_core::money::parse_typed`.)

use rust_decimal::Decimal;
use storefront_core::catalogue::Action;

/// The actions the forms offer, in the order they are shown.
pub const ACTIONS: [Action; 3] = [Action::Register, Action::Renew, Action::Transfer];

/// One of `ACTIONS` by its name ("register").
pub fn action(name: &str) -> Option<Action> {
    ACTIONS.into_iter().find(|a| a.as_str() == name)
}

/// A plain number as typed: "33", "12.5", "12,5" or "12%"; never negative.
pub fn percent(t: &str) -> Option<Decimal> {
    let t = t.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    t.parse::<Decimal>().ok()
}

/// "co.id, my.id" or ".co.id my.id" as a list: lowercase, without dots.
pub fn list(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .collect()
}

/// At most `max` characters on one line, with no control characters.
pub fn one_line(s: &str, max: usize) -> bool {
    !s.chars().any(char::is_control) && s.chars().count() <= max
}
