//! The PDF: valid, readable back as text (Polish letters included),
//! paginated and deterministic.

mod common;

use common::*;
use rust_decimal_macros::dec;
use storefront_core::Locale;
use storefront_invoice::{render_html, render_pdf};

fn pages(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf)
        .unwrap()
        .iter()
        .map(|p| plain(p))
        .collect()
}

/// Extracted text with all whitespace collapsed: a PDF has no spaces of
/// its own between separately placed runs.
fn squashed(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn polish_invoice_reads_back() {
    let pdf = render_pdf(&sieciowo(), Locale::Pl).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 1);
    let text = squashed(&pages[0]);
    for expected in [
        "Faktura VAT",
        "INV/2026/000123",
        "Zażółć Gęślą Jaźń sp. z o.o.",
        "Łukasz Żółkiewski",
        "ul. Źródlana 5",
        "NIP: 1234563218",
        "15 września 2026",
        "Domena łódź.pl",
        "60,89 zł",
        "11,39 zł",
        "Strona 1 z 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn indonesian_proforma_reads_back() {
    let pdf = render_pdf(&nusantara(), Locale::Id).unwrap();
    let text = squashed(&pages(&pdf).concat());
    for expected in [
        "Faktur proforma",
        "PRO/2026/000045",
        "NPWP: 01.234.567.8-901.000",
        "Rp 249.000",
        "Rp 24.676",
        "Bank Central Asia",
        "Halaman 1 dari 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn the_font_is_embedded_and_subset() {
    let pdf = render_pdf(&sieciowo(), Locale::Pl).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("FontFile2"), "TrueType font program embedded");
    assert!(text.contains("ToUnicode"));
    // Subset: far smaller than the two fonts (1.4 MB).
    assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
}

#[test]
fn many_lines_flow_onto_more_pages() {
    let mut invoice = sieciowo();
    invoice.lines = (1..=200)
        .map(|i| line(&format!("Domena nr {i} — rejestracja"), 1, dec!(10.00)))
        .collect();
    let pdf = render_pdf(&invoice, Locale::Pl).unwrap();
    let pages = pages(&pdf);
    assert!(pages.len() > 1, "{} pages", pages.len());
    let count = pages.len();
    for (i, page) in pages.iter().enumerate() {
        let page = squashed(page);
        assert!(
            page.contains(&format!("Strona {} z {count}", i + 1)),
            "{page}"
        );
        // The table header is repeated on every page with lines.
        if page.contains("Domena nr") {
            assert!(page.contains("Wartość brutto"), "{page}");
        }
    }
    let all = squashed(&pages.concat());
    for i in [1, 57, 200] {
        assert!(all.contains(&format!("Domena nr {i} — rejestracja")), "{i}");
    }
    // 2000.00 + 23% = 2460.00
    assert!(all.contains("2460,00 zł"), "{all}");
    assert!(squashed(pages.last().unwrap()).contains("Razem brutto"));
}

#[test]
fn long_descriptions_wrap() {
    let mut invoice = sieciowo();
    let words: Vec<String> = (1..=60).map(|i| format!("słowo{i}")).collect();
    invoice.lines[0].description = words.join(" ");
    // And a single word far wider than the column.
    invoice.lines[1].description = "ż".repeat(300);
    let pdf = render_pdf(&invoice, Locale::Pl).unwrap();
    let text = pages(&pdf).concat();
    // Nothing is lost in wrapping (that every line stays inside the page
    // is checked on the layout, in src/pdf.rs).
    for w in &words {
        assert!(text.contains(w.as_str()), "{w}");
    }
    // The buyer's "Zażółć" has the one more.
    assert_eq!(text.matches('ż').count(), 300 + 1, "{text}");
}

#[test]
fn deterministic() {
    for invoice in [nusantara(), sieciowo(), northwind()] {
        for locale in Locale::ALL {
            let a = render_pdf(&invoice, locale).unwrap();
            let b = render_pdf(&invoice, locale).unwrap();
            assert!(a == b, "{} {locale}", invoice.number);
            assert_eq!(render_html(&invoice, locale), render_html(&invoice, locale));
        }
    }
}

#[test]
fn hostile_text_is_just_text() {
    let mut invoice = sieciowo();
    invoice.buyer.name = "<script>alert(1)</script> (\\) %%EOF".to_owned();
    invoice.notes = vec![
        "line one\nline two\ttabbed\u{0}nul".to_owned(),
        String::new(),
    ];
    let pdf = render_pdf(&invoice, Locale::En).unwrap();
    let text = squashed(&pages(&pdf).concat());
    assert!(
        text.contains("<script>alert(1)</script> (\\) %%EOF"),
        "{text}"
    );
    // Controls are spaces; a newline starts a new line.
    assert!(text.contains("line one"), "{text}");
    assert!(text.contains("line two tabbed nul"), "{text}");
}

#[test]
fn a_polish_duplicate_reads_back_marked() {
    let issued = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let pdf = storefront_invoice::render_pdf_duplicate(&sieciowo(), Locale::Pl, issued).unwrap();
    let text = squashed(&pages(&pdf)[0]);
    for expected in [
        "Faktura VAT",
        "INV/2026/000123",
        "DUPLIKAT",
        "Data wystawienia duplikatu",
        "7 grudnia 2026",
        "60,89 zł",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    let original = squashed(&pages(&render_pdf(&sieciowo(), Locale::Pl).unwrap())[0]);
    assert!(!original.contains("DUPLIKAT"), "{original}");
}
