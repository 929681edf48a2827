//! Published catalogues and which storefront a host belongs to.
//!
//! Access patterns (single table; see the store contract):
//!
//! | item | pk | sk | data |
//! |---|---|---|---|
//! | a published snapshot | `RESELLER#<id>` | `SNAPSHOT#<version>` | the `Snapshot` |
//! | the current snapshot | `RESELLER#<id>` | `CURRENT` | `{version}` |
//! | a host's storefront | `HOST#<host>` | `TENANT` | `{reseller}` |
//! | the hosts a reseller last published | `RESELLER#<id>` | `HOSTS` | `{hosts: [..]}` |
//! | every published reseller | `RESELLERS` | `<id>` | `{reseller}` |
//! | a reseller's sub-resellers | `SUBRESELLERS#<parent>` | `<id>` | `{reseller}` |
//!
//! Snapshots are content-addressed, so publishing the same build twice
//! writes the same items; the pointer moves only when prices change.

use crate::store::{Condition, Item, Store, StoreError, Write};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use storefront_core::snapshot::Snapshot;

/// How long a process trusts its cached pointer before asking the store.
const FRESH: Duration = Duration::from_secs(2);

fn reseller_pk(id: &str) -> String {
    format!("RESELLER#{id}")
}

fn host_pk(host: &str) -> String {
    format!("HOST#{host}")
}

/// Publish snapshots and point each reseller and its hosts at them.
/// `extra_hosts` adds hosts per reseller that are not in its content (the
/// local server's `<id>.localhost`). Returns how many pointers moved.
///
/// Items already as they should be are not written again, so publishing an
/// unchanged build costs reads only (a deploy with no change writes nothing).
///
/// A host the reseller published before but lists no more stops naming its
/// storefront (so the edge stops asking for its certificate), unless another
/// reseller has taken it meanwhile. The hosts last published are kept per
/// reseller for that comparison, so removing one costs no scan.
pub async fn publish(
    store: &dyn Store,
    snapshots: &[Snapshot],
    extra_hosts: impl Fn(&str) -> Vec<String>,
) -> Result<usize, StoreError> {
    let mut moved = 0;
    for s in snapshots {
        let current = store.get(&reseller_pk(&s.reseller), "CURRENT").await?;
        let mut writes = Vec::new();
        if current.as_ref().and_then(|c| c.data["version"].as_str()) != Some(s.version.as_str()) {
            // The snapshot first: a pointer never names a missing snapshot.
            let data = serde_json::to_value(s).map_err(|e| StoreError::Invalid(e.to_string()))?;
            store
                .put(
                    Item::new(
                        reseller_pk(&s.reseller),
                        format!("SNAPSHOT#{}", s.version),
                        data,
                    ),
                    Condition::None,
                )
                .await?;
            let item = match &current {
                Some(c) => c.next(json!({"version": s.version})),
                None => Item::new(
                    reseller_pk(&s.reseller),
                    "CURRENT",
                    json!({"version": s.version}),
                ),
            };
            let condition = current
                .as_ref()
                .map_or(Condition::NotExists, |c| Condition::Version(c.version));
            writes.push(Write::Put { item, condition });
            moved += 1;
        }
        // A host listed twice (its own domain is also a local one) is one item.
        let hosts: std::collections::BTreeSet<String> = s
            .domains
            .iter()
            .cloned()
            .chain(extra_hosts(&s.reseller))
            .collect();
        let wanted = json!({"reseller": s.reseller});
        for host in &hosts {
            let now = store.get(&host_pk(host), "TENANT").await?;
            if now.is_none_or(|i| i.data != wanted) {
                writes.push(Write::Put {
                    item: Item::new(host_pk(host), "TENANT", wanted.clone()),
                    condition: Condition::None,
                });
            }
        }
        let listed = store.get(&reseller_pk(&s.reseller), "HOSTS").await?;
        let before: std::collections::BTreeSet<String> = listed
            .as_ref()
            .and_then(|i| serde_json::from_value(i.data["hosts"].clone()).ok())
            .unwrap_or_default();
        for gone in before.difference(&hosts) {
            // Only while it is still ours: the condition on the version read
            // here loses to another reseller claiming it in between.
            if let Some(item) = store.get(&host_pk(gone), "TENANT").await?
                && item.data == wanted
            {
                writes.push(Write::Delete {
                    pk: item.pk,
                    sk: item.sk,
                    condition: Condition::Version(item.version),
                });
            }
        }
        if before != hosts {
            let data = json!({ "hosts": hosts });
            let (item, condition) = match &listed {
                Some(l) => (l.next(data), Condition::Version(l.version)),
                None => (
                    Item::new(reseller_pk(&s.reseller), "HOSTS", data),
                    Condition::NotExists,
                ),
            };
            writes.push(Write::Put { item, condition });
        }
        // Every published reseller, for work done for each (monthly invoices).
        if store.get("RESELLERS", &s.reseller).await?.is_none() {
            writes.push(Write::Put {
                item: Item::new("RESELLERS", s.reseller.clone(), wanted.clone()),
                condition: Condition::None,
            });
        }
        // Each sub-reseller under its parent, so the parent's back office
        // lists them without reading every storefront. One that changed
        // parents stays listed under the old one, whose list checks each
        // snapshot's parent (`sub_resellers`).
        if let Some(parent) = &s.parent.id
            && store
                .get(&sub_resellers_pk(parent), &s.reseller)
                .await?
                .is_none()
        {
            writes.push(Write::Put {
                item: Item::new(sub_resellers_pk(parent), s.reseller.clone(), wanted.clone()),
                condition: Condition::None,
            });
        }
        if !writes.is_empty() {
            store.transact(writes).await?;
        }
    }
    Ok(moved)
}

fn sub_resellers_pk(parent: &str) -> String {
    format!("SUBRESELLERS#{parent}")
}

/// Every sub-reseller published under `parent`, by id, each with its
/// current snapshot (see `sub_resellers_page`).
pub async fn sub_resellers(store: &dyn Store, parent: &str) -> Result<Vec<Snapshot>, StoreError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = sub_resellers_page(store, parent, after.as_deref(), crate::paging::MAX_PER_PAGE)
            .await?;
        out.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// The sub-resellers published under `parent`, by id, `per` a page from
/// just after the id `after`, each with its current snapshot, and the
/// cursor of the next page; one whose snapshot now names another parent is
/// left out (so a page may show fewer).
pub async fn sub_resellers_page(
    store: &dyn Store,
    parent: &str,
    after: Option<&str>,
    per: usize,
) -> Result<crate::paging::Page<Snapshot>, StoreError> {
    let page = crate::paging::in_order(store, &sub_resellers_pk(parent), "", after, per).await?;
    let next = page.next;
    let mut out = Vec::new();
    for item in page.items {
        if let Some(s) = current(store, &item.sk).await?
            && s.parent.id.as_deref() == Some(parent)
        {
            out.push(s);
        }
    }
    Ok(crate::paging::Page { items: out, next })
}

/// Every reseller ever published.
pub async fn resellers(store: &dyn Store) -> Result<Vec<String>, StoreError> {
    Ok(store
        .query("RESELLERS", crate::store::Query::default())
        .await?
        .into_iter()
        .map(|i| i.sk)
        .collect())
}

/// The version a reseller's `CURRENT` pointer names.
async fn current_version(store: &dyn Store, reseller: &str) -> Result<Option<String>, StoreError> {
    Ok(store
        .get(&reseller_pk(reseller), "CURRENT")
        .await?
        .and_then(|p| p.data["version"].as_str().map(String::from)))
}

async fn load(
    store: &dyn Store,
    reseller: &str,
    version: &str,
) -> Result<Option<Snapshot>, StoreError> {
    let Some(item) = store
        .get(&reseller_pk(reseller), &format!("SNAPSHOT#{version}"))
        .await?
    else {
        return Ok(None);
    };
    serde_json::from_value(item.data)
        .map(Some)
        .map_err(|e| StoreError::Unavailable(format!("snapshot of {reseller} unreadable: {e}")))
}

/// A reseller's current snapshot, read from the store without a cache (for
/// one-off work such as seeding; requests go through `Catalogs`).
pub async fn current(store: &dyn Store, reseller: &str) -> Result<Option<Snapshot>, StoreError> {
    match current_version(store, reseller).await? {
        Some(v) => load(store, reseller, &v).await,
        None => Ok(None),
    }
}

#[derive(Debug)]
pub struct Catalogs {
    store: Arc<dyn Store>,
    snapshots: RwLock<HashMap<String, (Instant, Arc<Snapshot>)>>,
    hosts: RwLock<HashMap<String, (Instant, Option<String>)>>,
    /// The suspensions as search last read them (see `suspensions`).
    suspended: RwLock<Option<(Instant, Arc<storefront_core::suspension::Suspended>)>>,
}

impl Catalogs {
    /// The store the snapshots are read from.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn new(store: Arc<dyn Store>) -> Catalogs {
        Catalogs {
            store,
            snapshots: RwLock::default(),
            hosts: RwLock::default(),
            suspended: RwLock::default(),
        }
    }

    /// Every suspension, as read at most `FRESH` ago: what search tells a
    /// shopper (whether a storefront takes new orders) without a read per
    /// search. Quotes and orders read the list fresh (`suspension::stopping`),
    /// so a stale answer here only delays the notice, never lets an order
    /// through.
    pub async fn suspensions(
        &self,
    ) -> Result<Arc<storefront_core::suspension::Suspended>, StoreError> {
        if let Ok(cache) = self.suspended.read()
            && let Some((at, list)) = cache.as_ref()
            && at.elapsed() < FRESH
        {
            return Ok(list.clone());
        }
        let list = Arc::new(crate::suspension::list(self.store.as_ref()).await?);
        if let Ok(mut cache) = self.suspended.write() {
            *cache = Some((Instant::now(), list.clone()));
        }
        Ok(list)
    }

    /// Forget the suspensions read, after this process changed them.
    pub fn forget_suspensions(&self) {
        if let Ok(mut cache) = self.suspended.write() {
            *cache = None;
        }
    }

    /// Drop what this process remembers of a reseller's catalogue, so the
    /// next request reads the pointer a publish just moved.
    pub fn forget(&self, reseller: &str) {
        if let Ok(mut cache) = self.snapshots.write() {
            cache.remove(reseller);
        }
        if let Ok(mut cache) = self.hosts.write() {
            cache.clear();
        }
    }

    /// The reseller a host belongs to.
    pub async fn reseller_for_host(&self, host: &str) -> Result<Option<String>, StoreError> {
        if let Ok(cache) = self.hosts.read()
            && let Some((at, id)) = cache.get(host)
            && at.elapsed() < FRESH
        {
            return Ok(id.clone());
        }
        let id = self
            .store
            .get(&host_pk(host), "TENANT")
            .await?
            .and_then(|i| i.data["reseller"].as_str().map(String::from));
        if let Ok(mut cache) = self.hosts.write() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(host.to_string(), (Instant::now(), id.clone()));
        }
        Ok(id)
    }

    /// The current snapshot of a reseller.
    pub async fn current(&self, reseller: &str) -> Result<Option<Arc<Snapshot>>, StoreError> {
        let cached = self
            .snapshots
            .read()
            .ok()
            .and_then(|c| c.get(reseller).cloned());
        if let Some((at, s)) = &cached
            && at.elapsed() < FRESH
        {
            return Ok(Some(s.clone()));
        }
        let Some(version) = current_version(self.store.as_ref(), reseller).await? else {
            return Ok(None);
        };
        let snapshot = match cached {
            Some((_, s)) if s.version == version => s,
            _ => match load(self.store.as_ref(), reseller, &version).await? {
                Some(s) => Arc::new(s),
                None => return Ok(None),
            },
        };
        if let Ok(mut cache) = self.snapshots.write() {
            cache.insert(reseller.to_string(), (Instant::now(), snapshot.clone()));
        }
        Ok(Some(snapshot))
    }
}

/// Every storefront below `root`, each right after its parent, with its
/// depth (1: a sub-reseller of `root`); at most `max` of them. One query
/// per storefront read, besides its snapshot.
pub async fn sub_reseller_tree(
    store: &dyn Store,
    root: &str,
    max: usize,
) -> Result<Vec<(Snapshot, usize)>, StoreError> {
    let mut out = Vec::new();
    let mut below: std::collections::VecDeque<(Snapshot, usize)> = sub_resellers(store, root)
        .await?
        .into_iter()
        .map(|s| (s, 1))
        .collect();
    while let Some((s, depth)) = below.pop_front() {
        if out.len() == max {
            break;
        }
        let next = sub_resellers(store, &s.reseller).await?;
        for (n, child) in next.into_iter().enumerate() {
            below.insert(n, (child, depth + 1));
        }
        out.push((s, depth));
    }
    Ok(out)
}
