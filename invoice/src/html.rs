//! The invoice as one self-contained, printable HTML page.

use std::sync::LazyLock;

use storefront_core::Locale;
use tera::{Context, Tera};

use crate::Invoice;
use crate::view::View;

const TEMPLATE: &str = "invoice.html";

// Parsed once; read-only afterwards. Every field of an invoice is
// untrusted (a buyer names itself), so autoescaping is on and the template
// never uses `safe`.
static TERA: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.add_raw_template(TEMPLATE, include_str!("../templates/invoice.html"))
        .expect("the embedded invoice template parses");
    tera
});

/// The invoice as an HTML page in `locale`: inline CSS sized for A4, no
/// scripts and nothing loaded from elsewhere, so it can be mailed, stored
/// or printed as it is. Every field is escaped.
///
/// # Panics
/// Where [`Invoice::totals`] does: on an invalid hand-built tax or an
/// overflowing amount.
pub fn render_html(invoice: &Invoice, locale: Locale) -> String {
    let view = View::of(invoice, locale)
        .unwrap_or_else(|e| panic!("totals of invoice {}: {e}", invoice.number));
    render(&view)
}

/// The invoice as a duplicate issued on `issued` (see
/// [`render_pdf_duplicate`](crate::render_pdf_duplicate)).
///
/// # Panics
/// As [`render_html`].
pub fn render_html_duplicate(
    invoice: &Invoice,
    locale: Locale,
    issued: chrono::NaiveDate,
) -> String {
    let view = View::duplicate(invoice, locale, issued)
        .unwrap_or_else(|e| panic!("totals of invoice {}: {e}", invoice.number));
    render(&view)
}

fn render(view: &View) -> String {
    let context = Context::from_serialize(view).expect("the invoice view serialises");
    // The template and the view's shape are both fixed here and tested, so
    // a failure is a bug in this crate, never in the data.
    TERA.render(TEMPLATE, &context)
        .unwrap_or_else(|e| panic!("rendering the invoice template: {e:?}"))
}
