//! One price from the price list to the ledger, over generated price
//! configurations: currencies, taxes shown with and without tax, markups,
//! rounding, endings, overrides, promotions, discount codes, price groups,
//! chains of one to four levels, 1-10 years, carts of 1-10 lines with some
//! failing at the registry.
//!
//! For every line the amount shown (`price::price`), the quote's line (from
//! `quote::price_line`), the tax shared out over the cart (`Tax::allocate`),
//! the legs and the captures of the lines that succeeded agree to the minor
//! unit, and no level sells below what it pays. `PROPTEST_CASES` raises the
//! count (the default here is 2,000 configurations).

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use storefront_core::catalogue::{
    Action, Catalogue, Extension, GracePeriods, Plan, PlanPrices, StrDecimal, Translated, Years,
};
use storefront_core::ledger::Party;
use storefront_core::money::{Currency, Money, Rounding, Tax, TaxDisplay, TaxRounding};
use storefront_core::order::{Line, LineExtras};
use storefront_core::price::{self, Ask, net_of};
use storefront_core::pricing::{
    DiscountCode, Level, PriceRule, Promotion, ResellerPricing, Shown, price_list,
};
use storefront_core::quote::price_line;
use storefront_core::snapshot::{
    GroupView, LevelRule, NameRules, OrderSettings, Parent, Seller, Snapshot,
};
use storefront_core::{Locale, names};

const EXTS: [&str; 3] = ["com", "co.id", "pl"];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")
}

fn d(v: Decimal) -> StrDecimal {
    StrDecimal(v)
}

#[derive(Debug, Clone)]
struct Config {
    currency: Currency,
    tax: Tax,
    display: TaxDisplay,
    /// Per extension: register, renew, transfer per year (in minor units).
    wholesale: Vec<(i64, i64, i64)>,
    /// Top first; the last is the seller.
    levels: Vec<ResellerPricing>,
    promotion: Option<Promotion>,
    code: Option<DiscountCode>,
    /// (extension index, action index, years, fails at the registry)
    cart: Vec<(usize, usize, u8, bool)>,
    group: &'static str,
}

fn rule(currency: Currency) -> impl Strategy<Value = PriceRule> {
    let minor = currency.minor_units();
    (
        // Mostly margins a shop would set; some that the loss guard refuses.
        prop_oneof![1 => Just(None), 5 => (0i64..=80).prop_map(|p| Some(Decimal::from(p)))],
        prop_oneof![
            Just(None),
            (0i64..=500).prop_map(move |m| Some(Decimal::new(m * 10, minor)))
        ],
        0usize..3,
        prop::option::weighted(0.3, (0usize..EXTS.len(), 100i64..5_000_000)),
    )
        .prop_map(move |(percent, fixed, nice, overridden)| {
            let (round_to, ending) = match (nice, minor) {
                (1, 0) => (Some(dec!(1000)), None),
                (1, _) => (Some(dec!(0.05)), None),
                (2, 0) => (Some(dec!(500)), None),
                (2, _) => (None, Some(dec!(0.99))),
                _ => (None, None),
            };
            let mut overrides = BTreeMap::new();
            if let Some((ext, amount)) = overridden {
                overrides.insert(
                    EXTS[ext].to_string(),
                    [(Action::Register, d(Decimal::new(amount, minor)))].into(),
                );
            }
            PriceRule {
                markup_percent: percent.map(d),
                markup_fixed: fixed.map(d),
                round_to: round_to.map(d),
                ending: ending.map(d),
                overrides,
            }
        })
}

fn config() -> impl Strategy<Value = Config> {
    (
        prop::sample::select(vec![
            Currency::IDR,
            Currency::PLN,
            Currency::EUR,
            Currency::USD,
        ]),
        prop::sample::select(vec![dec!(0), dec!(11), dec!(12), dec!(23)]),
        any::<bool>(),
        any::<bool>(),
        1usize..=4,
    )
        .prop_flat_map(|(currency, percent, inclusive, half_up, depth)| {
            let tax = Tax {
                label: if percent.is_zero() {
                    String::new()
                } else {
                    "VAT".into()
                },
                percent,
                rounding: if half_up {
                    TaxRounding::HalfUp
                } else {
                    TaxRounding::HalfEven
                },
            };
            let display = if inclusive {
                TaxDisplay::Inclusive
            } else {
                TaxDisplay::Exclusive
            };
            let scale = if currency == Currency::IDR { 1000 } else { 1 };
            let level =
                (rule(currency), rule(currency), rule(currency)).prop_map(|(default, vip, sub)| {
                    ResellerPricing {
                        customers: [("default".into(), default), ("vip".into(), vip)].into(),
                        sub_resellers: [("sub".into(), sub)].into(),
                    }
                });
            (
                Just(currency),
                Just(tax),
                Just(display),
                prop::collection::vec(
                    (100i64..20_000, 100i64..20_000, 100i64..20_000)
                        .prop_map(move |(a, b, c)| (a * scale, b * scale, c * scale)),
                    EXTS.len(),
                ),
                prop::collection::vec(level, depth),
                prop::option::of((0usize..EXTS.len(), 1i64..90, any::<bool>())),
                prop::option::of((1i64..60, any::<bool>(), any::<bool>())),
                prop::collection::vec(
                    (
                        0usize..EXTS.len(),
                        0usize..3,
                        1u8..=10,
                        prop::bool::weighted(0.2),
                    ),
                    1..=10,
                ),
                prop::sample::select(vec!["default", "vip", "nobody"]),
            )
        })
        .prop_map(
            |(currency, tax, display, wholesale, levels, promo, code, cart, group)| Config {
                currency,
                tax,
                display,
                wholesale,
                levels,
                promotion: promo.map(|(ext, off, fixed)| Promotion {
                    extensions: vec![EXTS[ext].to_string()],
                    action: Action::Register,
                    price: fixed.then(|| Decimal::from(off * 1000)).map(d),
                    percent_off: (!fixed).then(|| Decimal::from(off)).map(d),
                    from: today(),
                    until: today(),
                    label: Translated {
                        en: "Offer".into(),
                        id: None,
                        pl: None,
                    },
                }),
                code: code.map(|(off, only_register, only_com)| DiscountCode {
                    code: "SAVE".into(),
                    percent_off: d(Decimal::from(off)),
                    extensions: if only_com { vec!["com".into()] } else { vec![] },
                    actions: if only_register {
                        vec![Action::Register]
                    } else {
                        vec![]
                    },
                    from: today(),
                    until: today(),
                    max_uses: None,
                    max_uses_per_customer: None,
                }),
                cart,
                group,
            },
        )
}

fn catalogue() -> Catalogue {
    let ext = |max| Extension {
        registry: "R".into(),
        description: None,
        label_min: 1,
        label_max: 63,
        idn: false,
        years: Years { min: 1, max },
        grace: GracePeriods {
            add: 5,
            renew: 30,
            transfer: 5,
            redemption: 30,
        },
        documents: vec![],
        review: Default::default(),
        eligibility: None,
    };
    Catalogue {
        documents: BTreeMap::new(),
        extensions: EXTS
            .iter()
            .map(|e| (e.to_string(), ext(if *e == "pl" { 5 } else { 10 })))
            .collect(),
        registration: Default::default(),
    }
}

fn seller(id: &str) -> Seller {
    Seller {
        legal_name: id.into(),
        address: vec![],
        tax_id: None,
        email: format!("billing@{id}.example"),
        invoice_prefix: "INV".into(),
    }
}

/// The published snapshot of the configuration, or None when its prices
/// are refused (a level would sell below cost), as `storefront check` does.
fn snapshot(c: &Config) -> Option<Snapshot> {
    let catalogue = catalogue();
    let minor = c.currency.minor_units();
    let plan = Plan {
        name: "plan".into(),
        currency: c.currency,
        deposit: None,
        extensions: EXTS
            .iter()
            .zip(&c.wholesale)
            .map(|(e, (reg, ren, tra))| {
                (
                    e.to_string(),
                    PlanPrices {
                        register: Decimal::new(*reg, minor),
                        renew: Decimal::new(*ren, minor),
                        transfer: Decimal::new(*tra, minor),
                        restore: Decimal::new(*reg * 5, minor),
                        multi_year: BTreeMap::new(),
                    },
                )
            })
            .collect(),
    };
    let ids: Vec<String> = (0..c.levels.len()).map(|i| format!("r{i}")).collect();
    let chain: Vec<Level<'_>> = c
        .levels
        .iter()
        .enumerate()
        .map(|(i, p)| Level {
            id: &ids[i],
            pricing: p,
            plan_at_parent: (i > 0).then_some("sub"),
        })
        .collect();
    let sold: Vec<String> = EXTS.iter().map(|e| e.to_string()).collect();
    let prices = price_list(
        &catalogue,
        &plan,
        &chain,
        &sold,
        c.promotion.as_slice(),
        c.code.as_slice(),
        Shown {
            tax: &c.tax,
            display: c.display,
        },
        today(),
        &|_| true,
    )
    .ok()?;
    let me = ids.last()?.clone();
    Some(Snapshot {
        reseller: me.clone(),
        name: me.clone(),
        levels: c
            .levels
            .iter()
            .enumerate()
            .map(|(i, _)| LevelRule {
                reseller: ids[i].clone(),
                buys_at: (i > 0).then(|| c.levels[i - 1].sub_resellers["sub"].clone()),
                // Every level here is in the seller's country: each parent
                // adds the same tax to what it sells a level below.
                pays_tax: c.tax.clone(),
            })
            .collect(),
        domains: vec![format!("{me}.example")],
        languages: vec![Locale::En],
        currency: c.currency,
        tax: c.tax.clone(),
        tax_display: c.display,
        groups: vec![GroupView {
            id: "all".into(),
            extensions: sold.clone(),
        }],
        rules: catalogue
            .extensions
            .iter()
            .map(|(e, x)| {
                (
                    e.clone(),
                    NameRules {
                        label_min: x.label_min,
                        label_max: x.label_max,
                        idn: x.idn,
                        years: x.years,
                    },
                )
            })
            .collect(),
        prices,
        documents: Default::default(),
        document_items: Default::default(),
        document_review: Default::default(),
        provisioning: Default::default(),
        customer_rules: c.levels.last()?.customers.clone(),
        discount_codes: c.code.iter().cloned().collect(),
        seller: seller(&me),
        contact_email: None,
        bank_accounts: vec![],
        parent: Parent {
            id: None,
            seller: seller("platform"),
            bank_accounts: vec![],
        },
        orders: OrderSettings {
            renewal_notice_days: 30,
            payment_due_days: 7,
        },
        retention: Default::default(),
        time_zone: Default::default(),
        platform: false,
        version: "v".into(),
    })
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn the_price_shown_is_the_price_charged(c in config()) {
        let Some(s) = snapshot(&c) else {
            // Refused by the loss guard: nothing is published.
            return Ok(());
        };
        let actions = [Action::Register, Action::Renew, Action::Transfer];
        let unit = c.currency.minor_unit();
        let customer = Party::customer(&s.reseller, "a1");
        let chain: Vec<String> = s.levels.iter().map(|l| l.reseller.clone()).collect();
        let code = c.code.as_ref().map(|_| "save");
        let mut lines = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (n, &(ext, action, years, fails)) in c.cart.iter().enumerate() {
            let (ext, action) = (EXTS[ext], actions[action]);
            let years = if action == Action::Transfer { 1 } else { years.min(s.rules[ext].years.max) };
            // One line per name, as a cart has.
            if !seen.insert((ext, action, years)) {
                continue;
            }
            let ask = Ask { ext, action, years, group: c.group, today: today(), premium: None, code };
            let p = price::price(&s, &ask).expect("every sold line is priced");
            // The amount is on the currency's grid.
            prop_assert_eq!(Money::new(p.shown, c.currency).round(Rounding::HalfEven).amount(), p.shown);
            // The seller never sells below what it pays: promotions and
            // codes included; and no level above it either.
            prop_assert!(net_of(&s.tax, s.tax_display, s.currency, p.shown) >= p.costs[0],
                "{ext} {action} {years}: shows {} (net {}) but pays {}", p.shown,
                net_of(&s.tax, s.tax_display, s.currency, p.shown), p.costs[0]);
            for pair in p.costs.windows(2) {
                prop_assert!(pair[0] >= pair[1], "a level pays {} and sells at {}", pair[1], pair[0]);
            }
            // A code never stacks on a promotion.
            prop_assert!(p.code.is_none() || p.promotion.is_none());
            // The quote's line is the same price.
            let name = format!("name{n}.{ext}");
            let q = price_line(&s, c.group, &name, action, years, None, code, today())
                .expect("the quote prices it");
            prop_assert_eq!(q.shown, p.shown);
            prop_assert_eq!(&q.costs, &p.costs);
            prop_assert_eq!(names::to_unicode(&q.domain), q.display.clone());
            lines.push((q, fails));
        }
        let shown: Vec<Decimal> = lines.iter().map(|(q, _)| q.shown).collect();
        let a = s.tax.allocate(s.tax_display, s.currency, &shown).expect("taxed");
        let mut captured = Decimal::ZERO;
        let mut invoiced = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        for ((q, fails), b) in lines.iter().zip(&a.lines) {
            let (net, tax, gross) = (b.net.amount(), b.tax.amount(), b.gross.amount());
            prop_assert_eq!(net + tax, gross);
            // The amount the page showed is the amount on the line.
            match s.tax_display {
                TaxDisplay::Inclusive => prop_assert_eq!(gross, q.shown),
                TaxDisplay::Exclusive => prop_assert_eq!(net, q.shown),
            }
            // Within one minor unit of the line taxed on its own.
            prop_assert!((tax - q.tax).abs() <= unit, "line tax {tax}, alone {}", q.tax);
            // The customer's leg pays the line's gross; each level pays its
            // cost, net, with its parent's tax on top.
            let mut charged = q.clone();
            (charged.net, charged.tax, charged.gross) = (net, tax, gross);
            let line = Line::new("o-1".into(), &charged, LineExtras::default(), &customer, &s.levels, s.currency)
                .expect("legs");
            let l = &line.legs;
            prop_assert_eq!((l[0].amount, l[0].tax), (gross, tax));
            prop_assert_eq!(l.len(), chain.len() + 1);
            for (leg, cost) in l[1..].iter().zip(&q.costs) {
                prop_assert_eq!(leg.amount - leg.tax, *cost);
                let parent_tax = s.tax.on_net(Money::new(*cost, s.currency)).tax.amount();
                prop_assert_eq!(leg.tax, parent_tax);
            }
            if !fails {
                captured += l[0].amount;
                invoiced.0 += net;
                invoiced.1 += tax;
                invoiced.2 += gross;
            }
        }
        // The cart adds up in every column.
        let sum = |f: fn(&storefront_core::money::TaxBreakdown) -> Money| {
            a.lines.iter().map(|b| f(b).amount()).sum::<Decimal>()
        };
        prop_assert_eq!(sum(|b| b.net), a.total.net.amount());
        prop_assert_eq!(sum(|b| b.tax), a.total.tax.amount());
        prop_assert_eq!(sum(|b| b.gross), a.total.gross.amount());
        // What the wallet paid for the lines that succeeded is what their
        // invoice (the lines as charged) totals.
        prop_assert_eq!(captured, invoiced.2);
        prop_assert_eq!(invoiced.0 + invoiced.1, invoiced.2);
    }
}

#[test]
fn a_tax_inclusive_storefront_charges_the_gross_it_shows() {
    // The example that went wrong: PPN 11% shown inclusive, .co.id bought at
    // 240,000, 20% markup rounded to 1,000: the page shows Rp 288.000 and
    // the checkout charges exactly that, of which 28.541 is PPN.
    let c = Config {
        currency: Currency::IDR,
        tax: Tax {
            label: "PPN".into(),
            percent: dec!(11),
            rounding: TaxRounding::HalfEven,
        },
        display: TaxDisplay::Inclusive,
        wholesale: vec![
            (152_000, 152_000, 152_000),
            (240_000, 240_000, 240_000),
            (50_000, 50_000, 50_000),
        ],
        levels: vec![ResellerPricing {
            customers: [(
                "default".into(),
                PriceRule {
                    markup_percent: Some(d(dec!(20))),
                    round_to: Some(d(dec!(1000))),
                    ..Default::default()
                },
            )]
            .into(),
            sub_resellers: BTreeMap::new(),
        }],
        promotion: None,
        code: None,
        cart: vec![],
        group: "default",
    };
    let s = snapshot(&c).expect("published");
    let q = price_line(
        &s,
        "default",
        "toko.co.id",
        Action::Register,
        1,
        None,
        None,
        today(),
    )
    .expect("priced");
    assert_eq!(
        (q.shown, q.net, q.tax, q.gross),
        (dec!(288000), dec!(259459), dec!(28541), dec!(288000))
    );
    assert_eq!(q.costs, vec![dec!(240000)]);
}
