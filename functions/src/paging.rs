//! Lists a page at a time, newest first: every list a person pages
//! through (orders, top-ups, invoices) reads one page and says where the
//! next one starts, so no list is cut off and none is read whole.
//!
//! A cursor is the sort key of the last item a page showed. It only ever
//! bounds a query within the partition the request may read (the caller
//! picks the partition from who is signed in), so a forged cursor can
//! skip items of one's own but never reach another's.

use crate::store::{Item, Query, Store, StoreError};

/// What a page shows unless a caller asks for fewer.
pub const PER_PAGE: usize = 50;

/// The most a caller may ask for in one page.
pub const MAX_PER_PAGE: usize = 500;

/// One page of a list and the cursor of the next, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Items of `pk` whose sort key starts with `prefix`, newest (greatest
/// key) first, `per` of them from just below the cursor `before`.
pub async fn newest_first(
    store: &dyn Store,
    pk: &str,
    prefix: &str,
    before: Option<&str>,
    per: usize,
) -> Result<Page<Item>, StoreError> {
    let q = Query {
        sk_prefix: prefix,
        before: before.filter(|b| !b.is_empty()),
        descending: true,
        ..Default::default()
    };
    page(store, pk, q, per).await
}

/// Items of `pk` whose sort key starts with `prefix`, in key order, `per`
/// of them from just after the cursor `after`.
pub async fn in_order(
    store: &dyn Store,
    pk: &str,
    prefix: &str,
    after: Option<&str>,
    per: usize,
) -> Result<Page<Item>, StoreError> {
    let q = Query {
        sk_prefix: prefix,
        after: after.filter(|a| !a.is_empty()),
        ..Default::default()
    };
    page(store, pk, q, per).await
}

/// One page of `q`: one item more than shown is read, which tells whether
/// a next page exists without asking again.
async fn page(
    store: &dyn Store,
    pk: &str,
    q: Query<'_>,
    per: usize,
) -> Result<Page<Item>, StoreError> {
    let per = per.clamp(1, MAX_PER_PAGE);
    let mut items = store
        .query(
            pk,
            Query {
                limit: Some(per + 1),
                ..q
            },
        )
        .await?;
    let next = (items.len() > per).then(|| {
        items.truncate(per);
        items.last().map(|i| i.sk.clone()).unwrap_or_default()
    });
    Ok(Page { items, next })
}

/// The cursor a client sends back for the next page: `?before=`. Other
/// parameters are the list's own or the page's (`lang`), so none is
/// refused here.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct Before {
    /// The cursor of the next page, as the previous page's `Link` header
    /// (`rel="next"`) gave it.
    #[serde(default)]
    pub before: Option<String>,
}

impl Before {
    pub fn cursor(&self) -> Option<&str> {
        self.before.as_deref().filter(|b| !b.is_empty())
    }
}

impl Page<serde_json::Value> {
    /// The page as a JSON array, the next page's address in a `Link`
    /// header (RFC 8288, relative to the request's own path, so that it
    /// holds under a preview prefix too): arrays stay what they were for
    /// every client, and one that pages follows the link. `keep` are the
    /// query parameters the next page keeps (e.g. `state=all`).
    pub fn into_response(self, keep: &[(&str, &str)]) -> axum::response::Response {
        use axum::response::IntoResponse;
        let link = self.next.as_deref().map(|n| {
            let query: Vec<String> = keep
                .iter()
                .copied()
                .chain([("before", n)])
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
            format!("<?{}>; rel=\"next\"", query.join("&"))
        });
        let mut res = axum::Json(self.items).into_response();
        if let Some(l) = link.and_then(|l| axum::http::HeaderValue::from_str(&l).ok()) {
            res.headers_mut().insert(axum::http::header::LINK, l);
        }
        res
    }
}

/// Percent-encoding of a query value: unreserved characters (RFC 3986)
/// as they are, every other byte as `%XX`.
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_linked_with_its_cursor_encoded() {
        let page = Page {
            items: vec![serde_json::json!(1)],
            next: Some("ALL#2026-12-07#a/b c".to_string()),
        };
        let res = page.into_response(&[("state", "all")]);
        assert_eq!(
            res.headers()[axum::http::header::LINK],
            "<?state=all&before=ALL%232026-12-07%23a%2Fb%20c>; rel=\"next\""
        );
        let last = Page {
            items: vec![serde_json::json!(1)],
            next: None,
        };
        assert!(
            last.into_response(&[])
                .headers()
                .get(axum::http::header::LINK)
                .is_none()
        );
    }
}
