//! Who of a storefront's staff may do what: one table, role × capability,
//! and the routers built from it.
//!
//! Every back-office page and form and every `/api/panel/*` route is
//! registered through `Routes` with the capability it needs, so a route
//! cannot be added without saying who may use it; the staff extractors
//! (here and in the back office) read that capability from the request and
//! ask `allows`. The role matrix tests list the routes from `Routes::table`.

use super::records::Role;
use axum::Extension;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use serde::Serialize;

/// What a staff member may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// The dashboard: every staff member.
    Dashboard,
    /// The storefront's content: brand, pages, contact details, offers,
    /// catalogue, prices, publish, history and roll back.
    Content,
    /// The seller its invoices name and its bank accounts.
    Seller,
    /// Staff: invite, change a role, revoke.
    Staff,
    /// The storefront's own wallet with its parent, and asking it for top-ups.
    Wallet,
    /// Top-ups asked of this storefront: read, decide, their proofs.
    TopUps,
    /// Invoices: read and download.
    Invoices,
    /// Reports.
    Reports,
    /// Customers: the list and what each holds.
    Customers,
    /// Customers' accounts: create one, its price group and newsletter
    /// consent, suspend and reinstate (reading them is `Customers`).
    CustomerAccounts,
    /// Credit limits of customers and sub-resellers.
    CreditLimits,
    /// Orders and domains, read only.
    Orders,
    /// Orders' money: mark paid, refund.
    OrderPayments,
    /// Documents: the waiting list, reading files, approving and rejecting.
    Documents,
    /// The audit log.
    Audit,
    /// Sub-resellers: create one (a storefront of its own, its owner
    /// invited). Reading them is `Customers`.
    SubResellers,
    /// The platform's console: resellers and their applications, their
    /// top-ups, announcements, the mail log. Only on the platform's own
    /// storefront (`allows_on`), whose owner and admins are the platform's
    /// operators.
    Console,
}

impl Capability {
    pub const ALL: [Capability; 17] = [
        Capability::Dashboard,
        Capability::Content,
        Capability::Seller,
        Capability::Staff,
        Capability::Wallet,
        Capability::TopUps,
        Capability::Invoices,
        Capability::Reports,
        Capability::Customers,
        Capability::CustomerAccounts,
        Capability::CreditLimits,
        Capability::Orders,
        Capability::OrderPayments,
        Capability::Documents,
        Capability::Audit,
        Capability::SubResellers,
        Capability::Console,
    ];

    /// Its name in templates and errors.
    pub fn key(self) -> &'static str {
        match self {
            Capability::Dashboard => "dashboard",
            Capability::Content => "content",
            Capability::Seller => "seller",
            Capability::Staff => "staff",
            Capability::Wallet => "wallet",
            Capability::TopUps => "topups",
            Capability::Invoices => "invoices",
            Capability::Reports => "reports",
            Capability::Customers => "customers",
            Capability::CustomerAccounts => "customer_accounts",
            Capability::CreditLimits => "credit_limits",
            Capability::Orders => "orders",
            Capability::OrderPayments => "order_payments",
            Capability::Documents => "documents",
            Capability::Audit => "audit",
            Capability::SubResellers => "sub_resellers",
            Capability::Console => "console",
        }
    }
}

/// Whether `role` may do `what`: the one table.
///
/// - owner: everything;
/// - admin: everything but staff and the seller's details and bank accounts;
/// - finance: the wallet, top-ups, invoices, reports (and, to do that work,
///   orders and customers read, orders' payments and credit limits);
/// - support: customers, orders and domains read only, document review;
/// - a customer: nothing here.
pub fn allows(role: Role, what: Capability) -> bool {
    use Capability as C;
    match role {
        Role::Owner => true,
        Role::Admin => !matches!(what, C::Staff | C::Seller),
        Role::Finance => matches!(
            what,
            C::Dashboard
                | C::Wallet
                | C::TopUps
                | C::Invoices
                | C::Reports
                | C::Customers
                | C::CreditLimits
                | C::Orders
                | C::OrderPayments
        ),
        Role::Support => matches!(what, C::Dashboard | C::Customers | C::Orders | C::Documents),
        Role::Customer => false,
    }
}

/// Whether `role` may do `what` on a storefront, `platform` saying whether
/// it is the platform's own: the console is nowhere else, so an owner of
/// any other storefront never reaches it.
pub fn allows_on(role: Role, what: Capability, platform: bool) -> bool {
    (platform || what != Capability::Console) && allows(role, what)
}

/// What a route needs: nothing (a public file), or a capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Public,
    Staff(Capability),
}

/// One route as registered: its method, its path and what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: &'static str,
    pub path: &'static str,
    pub need: Need,
}

/// A router built route by route, each with what it needs (put on the
/// request as an extension for the staff extractor), and the list of them.
pub struct Routes<S> {
    router: Router<S>,
    table: Vec<RouteEntry>,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self::default()
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        need: Need,
        m: MethodRouter<S>,
    ) -> Self {
        let m = match need {
            Need::Public => m,
            Need::Staff(c) => m.layer(Extension(c)),
        };
        self.router = self.router.route(path, m);
        self.table.push(RouteEntry { method, path, need });
        self
    }

    pub fn get<H: Handler<T, S>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.add("GET", path, need, get(h))
    }

    pub fn post<H: Handler<T, S>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.add("POST", path, need, post(h))
    }

    pub fn put<H: Handler<T, S>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.add("PUT", path, need, put(h))
    }

    pub fn patch<H: Handler<T, S>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.add("PATCH", path, need, patch(h))
    }

    pub fn delete<H: Handler<T, S>, T: 'static>(
        self,
        path: &'static str,
        need: Need,
        h: H,
    ) -> Self {
        self.add("DELETE", path, need, delete(h))
    }

    pub fn table(&self) -> &[RouteEntry] {
        &self.table
    }

    pub fn into_router(self) -> Router<S> {
        self.router
    }
}

/// What the route being answered needs, as `Routes` put it on the request.
/// None (a route registered some other way) refuses everyone.
pub fn needed(extensions: &axum::http::Extensions) -> Option<Capability> {
    extensions.get::<Capability>().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        use Capability as C;
        for c in Capability::ALL {
            assert!(allows(Role::Owner, c), "owner {c:?}");
            assert!(!allows(Role::Customer, c), "customer {c:?}");
            assert_eq!(
                allows(Role::Admin, c),
                !matches!(c, C::Staff | C::Seller),
                "admin {c:?}"
            );
        }
        let finance: Vec<C> = Capability::ALL
            .into_iter()
            .filter(|c| allows(Role::Finance, *c))
            .collect();
        assert_eq!(
            finance,
            [
                C::Dashboard,
                C::Wallet,
                C::TopUps,
                C::Invoices,
                C::Reports,
                C::Customers,
                C::CreditLimits,
                C::Orders,
                C::OrderPayments
            ]
        );
        let support: Vec<C> = Capability::ALL
            .into_iter()
            .filter(|c| allows(Role::Support, *c))
            .collect();
        assert_eq!(
            support,
            [C::Dashboard, C::Customers, C::Orders, C::Documents]
        );
    }

    #[test]
    fn the_console_is_the_platform_storefronts_owner_and_admins() {
        use Capability as C;
        for role in [Role::Owner, Role::Admin] {
            assert!(allows_on(role, C::Console, true), "{role:?}");
            assert!(!allows_on(role, C::Console, false), "{role:?}");
            assert!(allows_on(role, C::Dashboard, false), "{role:?}");
        }
        for role in [Role::Finance, Role::Support, Role::Customer] {
            assert!(!allows_on(role, C::Console, true), "{role:?}");
        }
    }

    #[test]
    fn every_capability_is_listed_once() {
        let mut keys: Vec<&str> = Capability::ALL.iter().map(|c| c.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Capability::ALL.len());
    }
}
