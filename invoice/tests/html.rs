//! The HTML page: translated, formatted for the locale, and safe with any
//! data.

mod common;

use common::*;
use scraper::{Html, Selector};
use storefront_core::Locale;
use storefront_invoice::render_html;

fn texts(html: &str, selector: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel)
        .map(|e| plain(&e.text().collect::<String>()).trim().to_owned())
        .collect()
}

fn all_text(html: &str) -> String {
    plain(
        &Html::parse_document(html)
            .root_element()
            .text()
            .collect::<String>(),
    )
}

#[test]
fn hostile_fields_are_escaped() {
    let hostile = "<script>alert(1)</script>";
    let mut invoice = sieciowo();
    invoice.buyer.name = hostile.to_owned();
    invoice.buyer.company = Some(format!("<img src=x onerror=alert(2)>{hostile}"));
    invoice.buyer.address = vec![format!("\"><style>*{{display:none}}</style>{hostile}")];
    invoice.lines[0].description = format!("{hostile}</td></tr></table>");
    invoice.notes = vec![format!("<a href=\"https://evil.example\">{hostile}</a>")];
    invoice.number = format!("INV/{hostile}");
    for locale in Locale::ALL {
        let html = render_html(&invoice, locale);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<a "), "{html}");
        assert_eq!(html.matches("<style").count(), 1, "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
        // And it still reads as the buyer wrote it.
        assert_eq!(
            texts(&html, ".party .name")[1],
            invoice.buyer.company.clone().unwrap()
        );
        assert!(texts(&html, ".party p").contains(&hostile.to_owned()));
        assert!(all_text(&html).contains(&format!("{hostile}</td></tr></table>")));
    }
}

#[test]
fn self_contained() {
    for invoice in [nusantara(), sieciowo(), northwind()] {
        for locale in Locale::ALL {
            let html = render_html(&invoice, locale);
            assert!(html.starts_with("<!doctype html>"));
            assert!(html.contains(&format!("<html lang=\"{}\">", locale.code())));
            for outside in [
                "<script", "<link", "src=", "url(", "@import", "http:", "https:",
            ] {
                assert!(!html.contains(outside), "{outside} in {html}");
            }
        }
    }
}

#[test]
fn polish_vat_invoice() {
    let html = render_html(&sieciowo(), Locale::Pl);
    assert_eq!(texts(&html, "h1"), ["Faktura VAT"]);
    assert_eq!(texts(&html, ".number"), ["INV/2026/000123"]);
    assert_eq!(texts(&html, ".party h2"), ["Sprzedawca", "Nabywca"]);
    assert_eq!(
        texts(&html, ".party .name"),
        ["Sieciowo sp. z o.o.", "Zażółć Gęślą Jaźń sp. z o.o."]
    );
    let text = all_text(&html);
    for expected in [
        "NIP: 1234563218",
        "Łukasz Żółkiewski",
        "Data wystawienia",
        "15 września 2026",
        "Cena jedn. netto",
        "VAT 23%",
        "Domena łódź.pl — rejestracja na 1 rok",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    assert_eq!(
        texts(&html, "table.totals tr"),
        [
            "Razem netto49,50 zł",
            "VAT 23%11,39 zł",
            "Razem brutto60,89 zł"
        ]
    );
    let row = texts(&html, "table.lines tbody tr:nth-child(2) td");
    assert_eq!(
        row,
        [
            "2",
            "Przedłużenie domeny żółw.com.pl",
            "1",
            "10,50 zł",
            "10,50 zł",
            "2,42 zł",
            "12,92 zł"
        ]
    );
    // No due date, no payment block, not a proforma.
    assert!(!text.contains("Termin płatności"));
    assert!(texts(&html, ".payment").is_empty());
    assert!(texts(&html, ".proforma-note").is_empty());
}

#[test]
fn indonesian_proforma() {
    let html = render_html(&nusantara(), Locale::Id);
    assert_eq!(texts(&html, "h1"), ["Faktur proforma"]);
    assert_eq!(texts(&html, ".number"), ["PRO/2026/000045"]);
    let text = all_text(&html);
    for expected in [
        "NPWP: 01.234.567.8-901.000",
        "Jatuh tempo",
        "9 Maret 2026",
        "Harga satuan (termasuk pajak)",
        "Rp 150.000",
        "PPN 11%",
        "Rp 24.676",
        "Bayar ke",
        "Bank Central Asia",
        "137 000 1234 567",
        "bukan faktur pajak",
        "Terima kasih.",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    assert_eq!(texts(&html, "tr.total td"), ["Rp 249.000"]);
    assert_eq!(texts(&html, ".payment .reference dd"), ["PRO/2026/000045"]);
    assert_eq!(texts(&html, ".payment dl").len(), 3);
}

#[test]
fn english_monthly_invoice() {
    let html = render_html(&northwind(), Locale::En);
    assert_eq!(texts(&html, "h1"), ["Invoice"]);
    let text = all_text(&html);
    for expected in [
        "Billing period",
        "1 January 2026 – 31 January 2026",
        "Tax ID: US-12-3456789",
        "Unit price",
        "Tax 0%",
        "$12.99",
        "$25.98",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    assert!(!text.contains("(net)"));
    assert_eq!(texts(&html, "tr.total td"), ["$34.48"]);
    // The same invoice read in Polish and Indonesian.
    assert!(all_text(&render_html(&northwind(), Locale::Pl)).contains("34,48 USD"));
    assert!(all_text(&render_html(&northwind(), Locale::Id)).contains("US$ 34,48"));
    assert!(all_text(&render_html(&sieciowo(), Locale::En)).contains("PLN 60.89"));
}

#[test]
fn a_polish_duplicate_says_so_with_its_date() {
    let issued = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let html = storefront_invoice::render_html_duplicate(&sieciowo(), Locale::Pl, issued);
    assert_eq!(texts(&html, "h1"), ["Faktura VAT"]);
    assert_eq!(texts(&html, ".number"), ["INV/2026/000123", "DUPLIKAT"]);
    assert_eq!(
        texts(&html, ".meta dt"),
        ["Data wystawienia", "Data wystawienia duplikatu"]
    );
    assert_eq!(
        texts(&html, ".meta dd"),
        ["15 września 2026", "7 grudnia 2026"]
    );
    // The original says nothing of the kind.
    let original = render_html(&sieciowo(), Locale::Pl);
    assert!(!all_text(&original).contains("DUPLIKAT"));
}
