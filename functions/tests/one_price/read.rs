//! Reading amounts back out of what a visitor and a customer are shown: the
//! generated extension page, and the invoice as HTML. A small parse of the
//! theme's markup (classes the templates set), no browser.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use storefront_core::money::Currency;

/// An amount as printed ("Rp 1.234.000", "1 234,50 zł", "$12.99"): every
/// printed amount has exactly the currency's decimals, so its digits are
/// the amount in minor units.
pub fn printed_amount(text: &str, currency: Currency) -> Option<Decimal> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let units: i128 = digits.parse().ok()?;
    Some(Decimal::from_i128_with_scale(units, currency.minor_units()))
}

/// The text of an HTML fragment: tags dropped, text only screen readers
/// get (`visually-hidden`) dropped, the few entities tera writes decoded.
pub fn text(html: &str) -> String {
    let mut html = html.to_string();
    while let Some(start) = html.find("<span class=\"visually-hidden\">") {
        let Some(len) = html[start..].find("</span>") else {
            break;
        };
        html.replace_range(start..start + len + "</span>".len(), "");
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", "\u{a0}")
        .replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// The part of `html` from the first `open` after `from` to the `close`
/// after it.
fn between<'a>(html: &'a str, from: usize, open: &str, close: &str) -> Option<(usize, &'a str)> {
    let start = from + html[from..].find(open)?;
    let end = start + html[start..].find(close)?;
    Some((end + close.len(), &html[start + open.len()..end]))
}

/// A price cell as printed: the amount a visitor pays and, when a
/// promotion lowers it, the regular amount struck through beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub shown: String,
    pub regular: Option<String>,
}

/// A table cell holding a price (`register_price` in the theme's macros,
/// or a plain `<span class="price">`).
fn price_cell(cell: &str) -> Result<Cell, String> {
    match cell.find("<span class=\"price price--promo\">") {
        Some(start) => {
            let rest = &cell[start..];
            let shown = text(&rest[..rest.find("<del").unwrap_or(rest.len())]);
            let regular = between(rest, 0, "<del class=\"price price--regular\">", "</del>")
                .map(|(_, r)| text(r));
            Ok(Cell { shown, regular })
        }
        None => {
            let (_, price) = between(cell, 0, "<span class=\"price\">", "</span>")
                .ok_or_else(|| format!("a cell without a price: {cell:?}"))?;
            Ok(Cell {
                shown: text(price),
                regular: None,
            })
        }
    }
}

/// The `<td class="num">` cells of a table row, in order.
fn num_cells(row: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some((next, cell)) = between(row, at, "<td class=\"num\">", "</td>") {
        out.push(cell);
        at = next;
    }
    out
}

/// The periods table of an extension page: years -> (register, renew) as
/// printed. The one-year register cell shows the promotion's price when
/// one runs, the regular one struck through beside it.
pub fn page_periods(html: &str) -> Result<BTreeMap<u8, (Cell, Cell)>, String> {
    let caption = html
        .find("id=\"periods-caption\"")
        .ok_or("no periods table (id=\"periods-caption\") on the extension page")?;
    let (_, body) =
        between(html, caption, "<tbody>", "</tbody>").ok_or("the periods table has no <tbody>")?;
    let mut out = BTreeMap::new();
    for row in body.split("<tr").skip(1) {
        let (_, th) = between(row, 0, ">", "</th>").ok_or("a row without a <th>")?;
        let years: String = text(th).chars().take_while(char::is_ascii_digit).collect();
        let years: u8 = years
            .parse()
            .map_err(|_| format!("a period row that does not start with its years: {th:?}"))?;
        let cells = num_cells(row);
        let [register, renew] = cells.as_slice() else {
            return Err(format!(
                "a period row without register and renew cells: {row:?}"
            ));
        };
        out.insert(years, (price_cell(register)?, price_cell(renew)?));
    }
    if out.is_empty() {
        return Err("the periods table has no rows".into());
    }
    Ok(out)
}

/// The row of `ext` in the price tables (`prices/`): register (first
/// year, promotion included), renew, transfer, restore, as printed.
pub fn price_table_row(html: &str, ext: &str) -> Result<[Cell; 4], String> {
    let link = format!("domains/{ext}/\">");
    let mut at = 0;
    while let Some((next, href)) =
        between(html, at, "<a class=\"price-table__ext\" href=\"", "</a>")
    {
        at = next;
        // tera writes the slashes of the link as &#x2F;
        if !href.replace("&#x2F;", "/").contains(&link) {
            continue;
        }
        let end = html[at..].find("</tr>").map_or(html.len(), |i| at + i);
        let cells = num_cells(&html[at..end]);
        let [register, renew, transfer, restore] = cells.as_slice() else {
            return Err(format!(".{ext}: a price table row without four prices"));
        };
        return Ok([
            price_cell(register)?,
            price_cell(renew)?,
            price_cell(transfer)?,
            price_cell(restore)?,
        ]);
    }
    Err(format!("no row for .{ext} in the price tables"))
}

/// The total printed at the foot of an invoice (the `total` row).
pub fn invoice_total(html: &str) -> Option<String> {
    let row = html.find("<tr class=\"total\">")?;
    let (_, cell) = between(html, row, "<td>", "</td>")?;
    Some(text(cell))
}
