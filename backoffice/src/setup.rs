//! What a storefront still has from the scaffold it started as
//! (`storefront new`, or a sub-reseller created in the back office): the
//! setup checklist's brand and prices are done once they differ from what
//! the scaffold gives a storefront of the same name, plan and currency,
//! and its bank accounts once it has one. The scaffold itself is the
//! reference, so the checklist follows whatever it starts storefronts with.

use storefront_core::Locale;
use storefront_generator::content::Site;
use storefront_generator::scaffold::{self, Scaffold};
use storefront_revisions::Files;

/// How far a storefront's setup has come, item by item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Its own logo, or its own colours.
    pub brand: bool,
    /// Customers' prices other than the scaffold's.
    pub prices: bool,
    /// How many bank accounts customers can pay into (a storefront's
    /// accounts are in its own currency: the one its customers pay in).
    pub bank_accounts: usize,
}

/// Where `site` (with its `files`) stands against the scaffold.
pub fn progress(site: &Site, files: &Files) -> Progress {
    let start = scaffold_of(site);
    let own_logo = site
        .logo
        .as_ref()
        .and_then(|path| files.get(path.as_str()))
        .is_some_and(|bytes| !scaffold::is_placeholder_logo(bytes));
    Progress {
        brand: own_logo || start.as_ref().is_none_or(|s| s.colours != site.colours),
        prices: start
            .as_ref()
            .is_none_or(|s| s.pricing.customers != site.pricing.customers),
        bank_accounts: site.bank_accounts.len(),
    }
}

/// The `site.toml` the scaffold would write for this storefront now.
/// None only if the scaffold wrote something that does not parse, which
/// its own tests rule out; the checklist then counts the item as done
/// rather than nagging about a difference it cannot see.
fn scaffold_of(site: &Site) -> Option<Site> {
    let files = scaffold::files(&Scaffold {
        name: &site.name,
        domain: site.domains.first().map_or("localhost", String::as_str),
        language: site.languages.first().copied().unwrap_or(Locale::En),
        currency: site.currency,
        plan: &site.plan,
        parent: site.parent.as_deref(),
        extensions: &[],
    });
    let src = std::str::from_utf8(files.get("site.toml")?).ok()?;
    toml::from_str(src).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_core::Currency;

    fn fresh(currency: Currency) -> (Site, Files) {
        let files = scaffold::files(&Scaffold {
            name: "Toko Baru",
            domain: "baru.localhost",
            language: Locale::Id,
            currency,
            plan: "idr",
            parent: None,
            extensions: &["com".to_string()],
        });
        let site = toml::from_str(std::str::from_utf8(&files["site.toml"]).unwrap()).unwrap();
        (site, files)
    }

    #[test]
    fn a_fresh_storefront_has_everything_to_do() {
        for currency in [Currency::IDR, Currency::PLN] {
            let (site, files) = fresh(currency);
            assert_eq!(
                progress(&site, &files),
                Progress {
                    brand: false,
                    prices: false,
                    bank_accounts: 0
                },
                "{currency:?}"
            );
        }
    }

    #[test]
    fn a_renamed_storefront_keeps_the_placeholder_logo_to_do() {
        let (mut site, files) = fresh(Currency::IDR);
        site.name = "Toko Lain".into();
        assert!(!progress(&site, &files).brand);
    }

    #[test]
    fn its_own_colours_logo_prices_and_account_are_done() {
        let (site, files) = fresh(Currency::IDR);
        let mut coloured = site.clone();
        coloured.colours.primary = "#b3121f".into();
        assert!(progress(&coloured, &files).brand);

        let mut logo = files.clone();
        logo.insert(
            "logo.svg".into(),
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
        );
        assert!(progress(&site, &logo).brand);

        let (toko_src, toko) = crate::toko_site();
        let _ = toko_src;
        let mut priced = site.clone();
        priced.pricing.customers = toko.pricing.customers.clone();
        assert!(progress(&priced, &files).prices);

        let mut banked = site.clone();
        banked.bank_accounts = toko.bank_accounts.clone();
        assert!(!banked.bank_accounts.is_empty(), "the fixture has one");
        assert_eq!(
            progress(&banked, &files).bank_accounts,
            toko.bank_accounts.len()
        );
    }
}
