//! Storefront configurations made from a seed, and the content folders
//! (platform + resellers, the format of `content/`) they are written as.
//!
//! Every configuration must pass `storefront check`: the rules chosen here
//! keep every level above what it pays (markups cover the tax a storefront
//! shows prices with; overrides and promotions are placed between the
//! least the seller may show, `price::floor`, and its regular price). A
//! configuration that fails check is a bug here, not in the generator.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use storefront_core::Locale;
use storefront_core::catalogue::{Action, PlanPrices, StrDecimal};
use storefront_core::money::{Currency, Money, Rounding, Tax, TaxDisplay, TaxRounding};
use storefront_core::pricing::PriceRule;

/// SplitMix64: small, fast, and the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0 to n - 1.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// lo to hi, both included.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The catalogue: extension, years allowed, shortest label.
pub const EXTENSIONS: [(&str, u8, u8, u8); 5] = [
    ("com", 1, 5, 1),
    ("net", 1, 3, 1),
    ("org", 1, 3, 2),
    ("io", 1, 3, 2),
    ("eu", 1, 2, 2),
];

/// One plan per currency: register, renew, transfer, restore per
/// extension, and where the registry prices three years of registration
/// below three times one.
fn plan_table(c: Currency) -> [(&'static str, [&'static str; 4], Option<&'static str>); 5] {
    match c {
        Currency::IDR => [
            ("com", ["152000", "152000", "152000", "1250000"], None),
            (
                "net",
                ["171000", "171000", "171000", "1250000"],
                Some("480000"),
            ),
            ("org", ["160000", "165000", "160000", "1250000"], None),
            ("io", ["650000", "650000", "650000", "2000000"], None),
            ("eu", ["120000", "125000", "120000", "900000"], None),
        ],
        Currency::PLN => [
            ("com", ["41.50", "41.50", "41.50", "320.00"], None),
            ("net", ["49.00", "52.00", "49.00", "320.00"], Some("139.99")),
            ("org", ["45.00", "47.50", "45.00", "300.00"], None),
            ("io", ["180.00", "180.00", "180.00", "500.00"], None),
            ("eu", ["29.00", "39.00", "29.00", "140.00"], None),
        ],
        Currency::EUR => [
            ("com", ["9.49", "9.49", "9.49", "75.00"], None),
            ("net", ["11.20", "11.20", "11.20", "75.00"], Some("31.17")),
            ("org", ["10.10", "10.60", "10.10", "70.00"], None),
            ("io", ["39.00", "39.00", "39.00", "120.00"], None),
            ("eu", ["6.50", "8.25", "6.50", "35.00"], None),
        ],
        Currency::USD => [
            ("com", ["10.99", "10.99", "10.99", "80.00"], None),
            ("net", ["12.49", "12.49", "12.49", "80.00"], Some("35.01")),
            ("org", ["11.50", "11.95", "11.50", "75.00"], None),
            ("io", ["42.00", "42.00", "42.00", "130.00"], None),
            ("eu", ["7.80", "9.10", "7.80", "40.00"], None),
        ],
    }
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn plan_prices(c: Currency, ext: &str) -> PlanPrices {
    let (_, p, three) = plan_table(c)
        .into_iter()
        .find(|(e, _, _)| *e == ext)
        .expect("extension in the plan");
    let mut multi_year = BTreeMap::new();
    if let Some(three) = three {
        multi_year.insert(
            Action::Register,
            BTreeMap::from([("3".to_string(), StrDecimal(d(three)))]),
        );
    }
    PlanPrices {
        register: d(p[0]),
        renew: d(p[1]),
        transfer: d(p[2]),
        restore: d(p[3]),
        multi_year,
    }
}

fn plan_id(c: Currency) -> String {
    c.code().to_ascii_lowercase()
}

pub fn years_of(ext: &str) -> (u8, u8) {
    EXTENSIONS
        .iter()
        .find(|e| e.0 == ext)
        .map(|e| (e.1, e.2))
        .expect("extension in the catalogue")
}

/// How a level derives a price from what it pays (a `[pricing.*]` table).
#[derive(Debug, Clone, Default)]
pub struct Rule {
    pub percent: Option<Decimal>,
    pub fixed: Option<Decimal>,
    pub round_to: Option<Decimal>,
    pub ending: Option<Decimal>,
    /// Fixed prices per year: extension, action, amount.
    pub overrides: Vec<(&'static str, Action, Decimal)>,
}

impl Rule {
    pub fn core(&self) -> PriceRule {
        let mut overrides: BTreeMap<String, BTreeMap<Action, StrDecimal>> = BTreeMap::new();
        for (ext, action, v) in &self.overrides {
            overrides
                .entry(ext.to_string())
                .or_default()
                .insert(*action, StrDecimal(*v));
        }
        PriceRule {
            markup_percent: self.percent.map(StrDecimal),
            markup_fixed: self.fixed.map(StrDecimal),
            round_to: self.round_to.map(StrDecimal),
            ending: self.ending.map(StrDecimal),
            overrides,
        }
    }

    fn toml(&self, table: &str, out: &mut String) {
        let _ = writeln!(out, "\n[{table}]");
        for (key, v) in [
            ("markup_percent", self.percent),
            ("markup_fixed", self.fixed),
            ("round_to", self.round_to),
            ("ending", self.ending),
        ] {
            if let Some(v) = v {
                let _ = writeln!(out, "{key} = \"{v}\"");
            }
        }
        let mut by_ext: BTreeMap<&str, Vec<(Action, Decimal)>> = BTreeMap::new();
        for (ext, action, v) in &self.overrides {
            by_ext.entry(ext).or_default().push((*action, *v));
        }
        for (ext, list) in by_ext {
            let _ = writeln!(out, "\n[{table}.overrides.{ext}]");
            for (action, v) in list {
                let _ = writeln!(out, "{action} = \"{v}\"");
            }
        }
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.percent {
            parts.push(format!("+{p}%"));
        }
        if let Some(f) = self.fixed {
            parts.push(format!("+{f}"));
        }
        if let Some(r) = self.round_to {
            parts.push(format!("round_to {r}"));
        }
        if let Some(e) = self.ending {
            parts.push(format!("ending {e}"));
        }
        for (ext, action, v) in &self.overrides {
            parts.push(format!(".{ext} {action}={v}"));
        }
        parts.join(" ")
    }
}

/// A time-limited first-year price of the seller.
#[derive(Debug, Clone)]
pub struct Promo {
    pub ext: &'static str,
    pub price: Option<Decimal>,
    pub percent_off: Option<Decimal>,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// One reseller of the chain.
#[derive(Debug, Clone)]
pub struct Level {
    pub id: String,
    pub host: String,
    /// The platform plan (top level) or the parent's sub-reseller plan.
    pub plan: String,
    pub languages: Vec<Locale>,
    pub tax: Decimal,
    pub display: TaxDisplay,
    pub rounding: TaxRounding,
    pub exts: Vec<&'static str>,
    pub groups: Vec<(String, Vec<&'static str>)>,
    pub customers: Rule,
    /// The sub-reseller plan it offers the level below: name, rule.
    pub offers: Option<(String, Rule)>,
    pub promotions: Vec<Promo>,
}

impl Level {
    pub fn tax(&self) -> Tax {
        Tax {
            label: "Tax".into(),
            percent: self.tax,
            rounding: self.rounding,
        }
    }
}

/// A name the test orders: extension, years, domain.
#[derive(Debug, Clone)]
pub struct Item {
    pub ext: &'static str,
    pub years: u8,
    pub domain: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub index: usize,
    pub seed: u64,
    pub currency: Currency,
    /// Top-level reseller first, the storefront under test last.
    pub levels: Vec<Level>,
    pub items: Vec<Item>,
    pub today: NaiveDate,
}

impl Config {
    pub fn seller(&self) -> &Level {
        self.levels.last().expect("a level")
    }

    /// Names the configuration in every assertion.
    pub fn label(&self) -> String {
        let s = self.seller();
        let chain: Vec<String> = self
            .levels
            .iter()
            .map(|l| match &l.offers {
                Some((_, r)) => format!(
                    "{} [customers {}; offers {}]",
                    l.id,
                    l.customers.describe(),
                    r.describe()
                ),
                None => format!("{} [customers {}]", l.id, l.customers.describe()),
            })
            .collect();
        let promos: Vec<String> = s
            .promotions
            .iter()
            .map(|p| {
                format!(
                    ".{} {} {}..{}",
                    p.ext,
                    p.price
                        .map(|v| format!("at {v}"))
                        .or(p.percent_off.map(|o| format!("-{o}%")))
                        .unwrap_or_default(),
                    p.from,
                    p.until
                )
            })
            .collect();
        format!(
            "config #{:02} (seed {:#x}): {} tax {}% {}{}, {} level{}, lang {}; chain: {}; promotions: [{}]",
            self.index,
            self.seed,
            self.currency.code(),
            s.tax,
            match s.display {
                TaxDisplay::Inclusive => "inclusive",
                TaxDisplay::Exclusive => "exclusive",
            },
            if s.rounding == TaxRounding::HalfUp {
                " (half-up)"
            } else {
                ""
            },
            self.levels.len(),
            if self.levels.len() == 1 { "" } else { "s" },
            s.languages
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
                .join("+"),
            chain.join(" -> "),
            promos.join(", ")
        )
    }
}

/// What level `ancestors.len()` pays for an action over `years`: the plan
/// price through every sub-reseller plan above it.
fn cost(c: Currency, ancestors: &[Level], ext: &str, action: Action, years: u8) -> Decimal {
    let mut cost = plan_prices(c, ext).total(action, years);
    for parent in ancestors {
        let (_, rule) = parent.offers.as_ref().expect("a parent offers a plan");
        cost = rule.core().apply(ext, action, years, cost, c);
    }
    cost
}

/// The most a level pays per year for an action, over every period.
fn cost_per_year(c: Currency, ancestors: &[Level], ext: &str, action: Action) -> Decimal {
    let (min, max) = years_of(ext);
    action
        .periods(storefront_core::catalogue::Years { min, max })
        .into_iter()
        .map(|y| {
            let periods = match action {
                Action::Register | Action::Renew => Decimal::from(y),
                _ => Decimal::ONE,
            };
            cost(c, ancestors, ext, action, y) / periods
        })
        .max()
        .unwrap_or_default()
}

/// `x` rounded up to a multiple of `step`.
fn up(x: Decimal, step: Decimal) -> Decimal {
    (x / step).ceil() * step
}

fn minor(c: Currency) -> Decimal {
    c.minor_unit()
}

/// A percentage such as "12" or "12.5".
fn percent(rng: &mut Rng, lo: i64, hi: i64) -> Decimal {
    let whole = Decimal::from(rng.range(lo, hi));
    if rng.chance(25) {
        whole + d("0.5")
    } else {
        whole
    }
}

fn fixed_markup(rng: &mut Rng, c: Currency) -> Decimal {
    if c == Currency::IDR {
        d(rng.pick(&["1000", "2500", "5000"]))
    } else {
        d(rng.pick(&["0.25", "0.50", "1.00", "1.99"]))
    }
}

/// Rounding of a rule: none, `round_to`, or (not for IDR) `ending`.
fn rounding(rng: &mut Rng, c: Currency, rule: &mut Rule) {
    match rng.below(3) {
        0 => {}
        1 => {
            rule.round_to = Some(if c == Currency::IDR {
                d(rng.pick(&["100", "500", "1000", "5000"]))
            } else {
                d(rng.pick(&["0.05", "0.10", "0.50", "1", "5"]))
            })
        }
        _ => {
            if c == Currency::IDR {
                rule.round_to = Some(d("1000"));
            } else {
                rule.ending = Some(d(rng.pick(&["0.99", "0.49", "0.95", "0.90", "0.00"])));
            }
        }
    }
}

/// A level's price for its customers: a markup that covers the tax when
/// prices are shown with it, sometimes a fixed part, a rounding, and
/// sometimes a fixed price for one extension.
fn customer_rule(
    rng: &mut Rng,
    c: Currency,
    ancestors: &[Level],
    exts: &[&'static str],
    tax: Decimal,
    display: TaxDisplay,
) -> Rule {
    let covers = if display == TaxDisplay::Inclusive {
        tax
    } else {
        Decimal::ZERO
    };
    let covers_i = i64::try_from(covers.trunc()).unwrap_or(0);
    let mut rule = Rule {
        percent: Some(percent(rng, covers_i + 3, covers_i + 45)),
        ..Rule::default()
    };
    if rng.chance(30) {
        rule.fixed = Some(fixed_markup(rng, c));
    }
    rounding(rng, c, &mut rule);
    if rng.chance(35) {
        let ext = rng.pick(exts);
        let actions: &[Action] = match rng.below(3) {
            0 => &[Action::Register],
            1 => &[Action::Renew],
            _ => &[Action::Register, Action::Renew],
        };
        for &action in actions {
            let per_year = cost_per_year(c, ancestors, ext, action);
            let factor = Decimal::ONE + Decimal::from(rng.range(15, 60)) / Decimal::ONE_HUNDRED;
            let gross = per_year * (Decimal::ONE + covers / Decimal::ONE_HUNDRED) * factor;
            let step = if c == Currency::IDR {
                d("500")
            } else {
                minor(c)
            };
            rule.overrides.push((ext, action, up(gross, step)));
        }
    }
    rule
}

/// What a level charges the sub-reseller below it: never below its cost.
fn sub_rule(rng: &mut Rng, c: Currency, ancestors: &[Level], exts: &[&'static str]) -> Rule {
    let mut rule = Rule {
        percent: Some(percent(rng, 0, 15)),
        ..Rule::default()
    };
    if rng.chance(25) {
        rule.fixed = Some(fixed_markup(rng, c));
    }
    if rng.chance(40) {
        rounding(rng, c, &mut rule);
    }
    if rng.chance(20) {
        let ext = rng.pick(exts);
        let action = rng.pick(&[Action::Register, Action::Renew]);
        let per_year = cost_per_year(c, ancestors, ext, action);
        let step = if c == Currency::IDR {
            d("500")
        } else {
            minor(c)
        };
        rule.overrides
            .push((ext, action, up(per_year * d("1.1"), step)));
    }
    rule
}

/// A subset of `from` (in its order) of at least `least` extensions.
fn subset(rng: &mut Rng, from: &[&'static str], least: usize) -> Vec<&'static str> {
    loop {
        let pick: Vec<&'static str> = from.iter().copied().filter(|_| rng.chance(70)).collect();
        if pick.len() >= least.min(from.len()) {
            return pick;
        }
    }
}

const TAXES: [&str; 4] = ["0", "11", "12", "23"];
const CURRENCIES: [Currency; 4] = [Currency::IDR, Currency::PLN, Currency::EUR, Currency::USD];

/// A promotion of the seller running on `today`, priced between the least
/// it may show and its regular price; None when there is no room.
fn active_promo(
    rng: &mut Rng,
    c: Currency,
    ancestors: &[Level],
    seller: &Level,
    ext: &'static str,
    today: NaiveDate,
) -> Option<Promo> {
    let paid = cost(c, ancestors, ext, Action::Register, 1);
    let regular = seller
        .customers
        .core()
        .apply(ext, Action::Register, 1, paid, c);
    let least = storefront_core::price::floor(&seller.tax(), seller.display, c, paid);
    if least >= regular {
        return None;
    }
    let from = today - chrono::Days::new(rng.range(0, 20) as u64);
    let until = today + chrono::Days::new(rng.range(0, 20) as u64);
    if rng.chance(50) {
        let share = Decimal::from(rng.range(5, 90)) / Decimal::ONE_HUNDRED;
        let mut price = up(least + (regular - least) * share, minor(c));
        if c == Currency::IDR && up(price, d("100")) < regular {
            price = up(price, d("100"));
        }
        (price < regular).then_some(Promo {
            ext,
            price: Some(price),
            percent_off: None,
            from,
            until,
        })
    } else {
        let mut off = rng.range(5, 40);
        while off > 0 {
            let price = Money::new(regular * Decimal::from(100 - off) / Decimal::ONE_HUNDRED, c)
                .round(Rounding::Up)
                .amount();
            if price >= least && price < regular {
                return Some(Promo {
                    ext,
                    price: None,
                    percent_off: Some(Decimal::from(off)),
                    from,
                    until,
                });
            }
            off -= 5;
        }
        None
    }
}

/// Configuration `index` of the series made from `seed`. The first 32
/// cover every currency with every tax rate, shown inclusive and
/// exclusive; the rest draw those too.
pub fn generate(seed: u64, index: usize, today: NaiveDate) -> Config {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let (currency, tax, display) = if index < 32 {
        (
            CURRENCIES[index % 4],
            d(TAXES[(index / 4) % 4]),
            if (index / 16).is_multiple_of(2) {
                TaxDisplay::Inclusive
            } else {
                TaxDisplay::Exclusive
            },
        )
    } else {
        (
            rng.pick(&CURRENCIES),
            d(rng.pick(&TAXES)),
            rng.pick(&[TaxDisplay::Inclusive, TaxDisplay::Exclusive]),
        )
    };
    let depth = rng.range(1, 3) as usize;
    let all: Vec<&'static str> = EXTENSIONS.iter().map(|e| e.0).collect();
    let mut levels: Vec<Level> = Vec::new();
    for k in 0..depth {
        let leaf = k + 1 == depth;
        let (ltax, ldisplay) = if leaf {
            (tax, display)
        } else {
            (
                d(rng.pick(&TAXES)),
                rng.pick(&[TaxDisplay::Inclusive, TaxDisplay::Exclusive]),
            )
        };
        let exts = match levels.last() {
            None if rng.chance(50) => all.clone(),
            None => subset(&mut rng, &all, 3),
            Some(parent) => subset(&mut rng, &parent.exts, 2),
        };
        let languages = if leaf {
            let first = rng.pick(&Locale::ALL);
            let mut l = vec![first];
            if rng.chance(40) {
                let second = rng.pick(&Locale::ALL);
                if second != first {
                    l.push(second);
                }
            }
            l
        } else {
            vec![Locale::En]
        };
        let groups = if exts.len() >= 3 && rng.chance(50) {
            let cut = rng.range(1, exts.len() as i64 - 1) as usize;
            vec![
                ("main".to_string(), exts[..cut].to_vec()),
                ("more".to_string(), exts[cut..].to_vec()),
            ]
        } else {
            vec![("all".to_string(), exts.clone())]
        };
        let customers = customer_rule(&mut rng, currency, &levels, &exts, ltax, ldisplay);
        let offers = (!leaf).then(|| {
            (
                format!("sub{k}"),
                sub_rule(&mut rng, currency, &levels, &exts),
            )
        });
        let plan = match levels.last() {
            None => plan_id(currency),
            Some(parent) => parent.offers.as_ref().expect("offers").0.clone(),
        };
        let rounding = if rng.chance(30) {
            TaxRounding::HalfUp
        } else {
            TaxRounding::HalfEven
        };
        levels.push(Level {
            id: format!("c{index:02}l{k}"),
            host: format!("c{index:02}l{k}.example"),
            plan,
            languages,
            tax: ltax,
            display: ldisplay,
            rounding,
            exts,
            groups,
            customers,
            offers,
            promotions: Vec::new(),
        });
    }

    // The seller's promotions: one running today (when there is room for
    // it), sometimes one that ended and one yet to start, both at the
    // least the seller may show, which a wrong date check would charge.
    let (ancestors, seller) = levels.split_at_mut(depth - 1);
    let seller = &mut seller[0];
    let mut running = None;
    if rng.chance(70) {
        let ext = rng.pick(&seller.exts);
        if let Some(p) = active_promo(&mut rng, currency, ancestors, seller, ext, today) {
            running = Some(ext);
            seller.promotions.push(p);
        }
    }
    for (chance, from, until) in [
        (
            30,
            today - chrono::Days::new(60),
            today - chrono::Days::new(rng.range(1, 30) as u64),
        ),
        (
            20,
            today + chrono::Days::new(rng.range(1, 10) as u64),
            today + chrono::Days::new(40),
        ),
    ] {
        if rng.chance(chance) {
            let ext = rng.pick(&seller.exts);
            let paid = cost(currency, ancestors, ext, Action::Register, 1);
            let least =
                storefront_core::price::floor(&seller.tax(), seller.display, currency, paid);
            seller.promotions.push(Promo {
                ext,
                price: Some(least),
                percent_off: None,
                from,
                until,
            });
        }
    }

    // What the test orders: the promoted extension for one year, and
    // another (or, without a promotion, one or two) for 1 to 3 years.
    let mut items = Vec::new();
    let years = |rng: &mut Rng, ext: &str| {
        let (min, max) = years_of(ext);
        rng.range(i64::from(min), i64::from(max.min(3))) as u8
    };
    let others: Vec<&'static str> = seller
        .exts
        .iter()
        .copied()
        .filter(|e| Some(*e) != running)
        .collect();
    if let Some(ext) = running {
        items.push((ext, 1));
    }
    let first = rng.pick(&others);
    let y = years(&mut rng, first);
    items.push((first, y));
    if running.is_none() && others.len() > 1 && rng.chance(50) {
        let second = rng.pick(&others);
        if second != first {
            let y = years(&mut rng, second);
            items.push((second, y));
        }
    }
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, (ext, years))| Item {
            ext,
            years,
            domain: format!("one{index:02}{}.{ext}", ["a", "b", "c"][i]),
        })
        .collect();

    Config {
        index,
        seed,
        currency,
        levels,
        items,
        today,
    }
}

const PLATFORM: &str = r##"country = "ID"

[seller]
legal_name = "PT Platform Satu Harga"
address = ["Jl. Platform No. 1", "Jakarta 12190"]
tax_id = "09.876.543.2-109.000"
email = "billing@platform.example"

[[bank_accounts]]
id = "idr"
currency = "IDR"
bank = "BCA"
holder = "PT Platform Satu Harga"
number = "000 111 2222"

[[bank_accounts]]
id = "pln"
currency = "PLN"
bank = "mBank"
holder = "PT Platform Satu Harga"
number = "PL92 1140 2004 0000 3512 0938 4471"

[[bank_accounts]]
id = "eur"
currency = "EUR"
bank = "ING"
holder = "PT Platform Satu Harga"
number = "NL91 INGB 0001 2345 67"

[[bank_accounts]]
id = "usd"
currency = "USD"
bank = "BCA (SWIFT CENAIDJA)"
holder = "PT Platform Satu Harga"
number = "006 302 4410"

[[taxes]]
currency = "IDR"
label = "PPN"
percent = "11"

[[taxes]]
currency = "PLN"
label = "VAT"
percent = "23"

[[taxes]]
currency = "EUR"
label = "VAT"
percent = "0"

[[taxes]]
currency = "USD"
label = "VAT"
percent = "0"
"##;

fn catalogue() -> String {
    let mut out = String::new();
    for (ext, min, max, label_min) in EXTENSIONS {
        let _ = write!(
            out,
            "[extensions.{ext}]\nregistry = \"Registry of .{ext}\"\nlabel_min = {label_min}\nlabel_max = 63\nyears = {{ min = {min}, max = {max} }}\ngrace = {{ add = 5, renew = 30, transfer = 5, redemption = 30 }}\n\n"
        );
    }
    out
}

fn plans() -> String {
    let mut out = String::new();
    for c in CURRENCIES {
        let id = plan_id(c);
        let _ = write!(
            out,
            "[plans.{id}]\nname = \"{}\"\ncurrency = \"{}\"\n\n",
            c.code(),
            c.code()
        );
        for (ext, p, three) in plan_table(c) {
            let _ = write!(
                out,
                "[plans.{id}.extensions.{ext}]\nregister = \"{}\"\nrenew = \"{}\"\ntransfer = \"{}\"\nrestore = \"{}\"\n",
                p[0], p[1], p[2], p[3]
            );
            if let Some(three) = three {
                let _ = writeln!(
                    out,
                    "multi_year = {{ register = {{ \"3\" = \"{three}\" }} }}"
                );
            }
            out.push('\n');
        }
    }
    out
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn site(level: &Level, parent: Option<&Level>, currency: Currency) -> String {
    let mut out = String::new();
    let langs: Vec<&str> = level.languages.iter().map(|l| l.code()).collect();
    let _ = writeln!(out, "name = \"Shop {}\"", level.id);
    let _ = writeln!(out, "domains = [\"{}\"]", level.host);
    let _ = writeln!(out, "languages = {}", list(&langs));
    let _ = writeln!(out, "currency = \"{}\"", currency.code());
    let _ = writeln!(out, "plan = \"{}\"", level.plan);
    if let Some(p) = parent {
        let _ = writeln!(out, "parent = \"{}\"", p.id);
    }
    let _ = write!(
        out,
        "\n[tax]\nlabel = \"Tax\"\npercent = \"{}\"\ndisplay = \"{}\"\n",
        level.tax,
        match level.display {
            TaxDisplay::Inclusive => "inclusive",
            TaxDisplay::Exclusive => "exclusive",
        }
    );
    if level.rounding == TaxRounding::HalfUp {
        let _ = writeln!(out, "rounding = \"half-up\"");
    }
    let _ = write!(
        out,
        "\n[colours]\nprimary = \"#0b5fff\"\naccent = \"#f2a900\"\n"
    );
    for (id, exts) in &level.groups {
        let _ = write!(
            out,
            "\n[[groups]]\nid = \"{id}\"\nname = \"Group {id}\"\nextensions = {}\nfeatured = {}\n",
            list(exts),
            list(&exts[..1])
        );
    }
    level.customers.toml("pricing.customers.default", &mut out);
    if let Some((plan, rule)) = &level.offers {
        rule.toml(&format!("pricing.sub_resellers.{plan}"), &mut out);
    }
    for p in &level.promotions {
        let _ = write!(
            out,
            "\n[[promotions]]\nextensions = [\"{}\"]\naction = \"register\"\n",
            p.ext
        );
        if let Some(v) = p.price {
            let _ = writeln!(out, "price = \"{v}\"");
        }
        if let Some(v) = p.percent_off {
            let _ = writeln!(out, "percent_off = \"{v}\"");
        }
        let _ = write!(
            out,
            "from = {}\nuntil = {}\nlabel = {{ en = \"Offer on .{ext}\", id = \"Promo .{ext}\", pl = \"Promocja .{ext}\" }}\n",
            p.from,
            p.until,
            ext = p.ext
        );
    }
    let _ = write!(
        out,
        "\n[seller]\nlegal_name = \"Shop {id} Ltd\"\naddress = [\"Street 1\", \"City 10110\"]\nemail = \"billing@{host}\"\n",
        id = level.id,
        host = level.host
    );
    let _ = write!(
        out,
        "\n[[bank_accounts]]\nid = \"main\"\nbank = \"Bank\"\nholder = \"Shop {} Ltd\"\nnumber = \"123 456 7890\"\n",
        level.id
    );
    out
}

/// Write the configuration as `<root>/content/`: the platform (catalogue,
/// plans, platform.toml) and one folder per reseller with its site.toml and
/// a terms page.
pub fn write(cfg: &Config, root: &Path) {
    let content = root.join("content");
    let platform = content.join("platform");
    std::fs::create_dir_all(&platform).expect("mkdir platform");
    std::fs::write(platform.join("platform.toml"), PLATFORM).expect("platform.toml");
    std::fs::write(platform.join("catalogue.toml"), catalogue()).expect("catalogue.toml");
    std::fs::write(platform.join("plans.toml"), plans()).expect("plans.toml");
    for (i, level) in cfg.levels.iter().enumerate() {
        let dir = content.join("resellers").join(&level.id);
        std::fs::create_dir_all(dir.join("pages")).expect("mkdir reseller");
        let parent = i.checked_sub(1).map(|p| &cfg.levels[p]);
        std::fs::write(dir.join("site.toml"), site(level, parent, cfg.currency))
            .expect("site.toml");
        std::fs::write(
            dir.join("pages").join("terms.md"),
            "+++\ntitle = \"Terms\"\n+++\n\nPrices are as shown.\n",
        )
        .expect("terms.md");
    }
}
