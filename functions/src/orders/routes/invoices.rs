//! The invoices function: one invoice as a document, HTML or PDF, for its
//! customer or its seller.

use super::*;

// ----- invoices -----

#[derive(Debug, Deserialize)]
pub(crate) struct InvoiceQuery {
    format: Option<String>,
    /// On the panel: one this storefront issued, not one it received.
    #[serde(default)]
    issued: bool,
}

/// An invoice as HTML (printable) or PDF. Numbers contain slashes, so the
/// path segment arrives percent-encoded (`INV%2F2026%2F000001`).
pub(super) fn invoice_response(
    stored: &crate::invoices::Stored,
    format: Option<&str>,
    lang: Locale,
) -> Response {
    invoice_copy(stored, format, lang, None)
}

/// The same, as a duplicate issued on `duplicate` when given.
pub fn invoice_copy(
    stored: &crate::invoices::Stored,
    format: Option<&str>,
    lang: Locale,
    duplicate: Option<chrono::NaiveDate>,
) -> Response {
    let inv = &stored.invoice;
    // Rendering computes the totals; an invoice whose totals cannot be
    // computed (it never should be stored) is reported, not panicked over.
    if let Err(e) = inv.try_totals() {
        return ApiError::unavailable(e).into_response();
    }
    match format {
        Some("pdf") => match match duplicate {
            Some(d) => storefront_invoice::render_pdf_duplicate(inv, lang, d),
            None => storefront_invoice::render_pdf(inv, lang),
        } {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "inline; filename=\"{}.pdf\"",
                            inv.number.replace(['/', '"'], "-")
                        ),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => ApiError::unavailable(e).into_response(),
        },
        _ => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                // Self-contained: no scripts, inline styles only.
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'".to_string(),
                ),
            ],
            match duplicate {
                Some(d) => storefront_invoice::render_html_duplicate(inv, lang, d),
                None => storefront_invoice::render_html(inv, lang),
            },
        )
            .into_response(),
    }
}

#[utoipa::path(
    get,
    path = "/api/invoices/{number}",
    tag = "invoices",
    summary = "An invoice as printable HTML, or PDF with `format=pdf`",
    params(("number" = String, Path, description = "The invoice number, percent-encoded"),("format" = Option<String>, Query, description = "`pdf` for the PDF")),
    responses((status = 200, description = "Done"), answers::SignedIn, answers::NotFound)
)]
pub(crate) async fn my_invoice(
    State(st): State<ShopState>,
    who: Signed,
    Path(number): Path<String>,
    Query(q): Query<InvoiceQuery>,
) -> Result<Response, AccountsError> {
    let seller = Party::reseller(who.reseller());
    match crate::invoices::load(st.orders.store.as_ref(), &seller, &number).await? {
        Some(inv) if inv.buyer == who.customer() => {
            Ok(invoice_response(&inv, q.format.as_deref(), who.visit.lang))
        }
        _ => Err(ApiError::NotFound.into()),
    }
}

/// An invoice the reseller's parent issued it, or with `issued=true` one it
/// issued (on a Polish storefront a copy, so marked as a duplicate).
#[utoipa::path(
    get,
    path = "/api/panel/invoices/{number}",
    tag = "panel",
    summary = "One of them, HTML or PDF",
    params(("number" = String, Path, description = "The invoice number, percent-encoded"),("format" = Option<String>, Query, description = "`pdf` for the PDF")),
    responses((status = 200, description = "Done"), answers::Staff, answers::NotFound)
)]
pub(crate) async fn panel_invoice(
    State(st): State<ShopState>,
    who: Staff,
    Path(number): Path<String>,
    Query(q): Query<InvoiceQuery>,
) -> Result<Response, AccountsError> {
    let s = &who.visit.tenant.snapshot;
    if q.issued {
        let seller = Party::reseller(who.reseller());
        let Some(inv) = crate::invoices::load(st.orders.store.as_ref(), &seller, &number).await?
        else {
            return Err(ApiError::NotFound.into());
        };
        let duplicate =
            crate::orders::paperwork::duplicates(s).then(|| s.today(st.orders.clock.now()));
        return Ok(invoice_copy(
            &inv,
            q.format.as_deref(),
            inv.language,
            duplicate,
        ));
    }
    let seller = match &s.parent.id {
        Some(p) => Party::reseller(p),
        None => Party::Platform,
    };
    match crate::invoices::load(st.orders.store.as_ref(), &seller, &number).await? {
        Some(inv) if inv.buyer == Party::reseller(who.reseller()) => {
            Ok(invoice_response(&inv, q.format.as_deref(), who.visit.lang))
        }
        _ => Err(ApiError::NotFound.into()),
    }
}
