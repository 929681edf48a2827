//! The platform's console: the back office of the platform's own
//! storefront, where its owner and admins (the platform's operators, with
//! `Capability::Console`) run the platform — resellers and their
//! applications, the top-ups they ask of the platform, announcements. This
//! module is its front page; each part has its own screen.

use crate::screens::money::console_desk;
use crate::{BackOffice, Staff, context, render};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// `/panel/platform/`: what waits for the operators.
pub(crate) async fn overview(State(bo): State<BackOffice>, staff: Staff) -> Response {
    let mut c = context(&staff, "console", "con_title");
    c.insert("console_page", &true);
    // One page of pending top-ups says whether there are more than a page.
    let topups = match console_desk(&bo, &staff).topups(true, None, 50).await {
        Ok(p) => (p.items.len(), p.next.is_some()),
        Err(e) => return crate::unavailable(&bo, &staff, e),
    };
    // Applications waiting for a decision (the list is read whole: there
    // are tens, not thousands).
    let pending = match super::join::applications(&bo).list().await {
        Ok(all) => all
            .iter()
            .filter(|a| a.state == storefront_core::application::State::Pending)
            .count(),
        Err(e) => {
            eprintln!("console of {}: {e}", staff.reseller);
            0
        }
    };
    c.insert("applications_waiting", &pending);
    c.insert("topups_waiting", &topups.0);
    c.insert("topups_more", &topups.1);
    render(&bo, "console.html", &c, StatusCode::OK)
}
