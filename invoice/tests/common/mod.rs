//! Invoices as the three example storefronts would issue them.

#![allow(dead_code)]

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use storefront_core::money::{Currency, Tax, TaxDisplay, TaxRounding};
use storefront_invoice::{BankAccount, Invoice, Kind, Line, Party, PaymentInfo, number};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn line(description: &str, quantity: u32, unit: Decimal) -> Line {
    Line {
        description: description.to_owned(),
        quantity,
        unit,
        tax: None,
    }
}

pub fn tax(label: &str, percent: Decimal, rounding: TaxRounding) -> Tax {
    Tax {
        label: label.to_owned(),
        percent,
        rounding,
    }
}

/// Nusantara Domain: rupiah, PPN 11% included in the prices, a proforma
/// with two bank accounts.
pub fn nusantara() -> Invoice {
    Invoice {
        kind: Kind::Proforma,
        number: number("PRO", 2026, 45),
        issued: date(2026, 3, 2),
        due: Some(date(2026, 3, 9)),
        period: None,
        seller: Party {
            name: "Nusantara Domain".to_owned(),
            company: Some("PT Nusantara Domain Indonesia".to_owned()),
            tax_id: Some("01.234.567.8-901.000".to_owned()),
            address: vec![
                "Jl. Jend. Sudirman Kav. 52-53".to_owned(),
                "Jakarta Selatan 12190".to_owned(),
            ],
            email: Some("billing@nusantaradomain.co.id".to_owned()),
        },
        buyer: Party {
            name: "Budi Santoso".to_owned(),
            company: None,
            tax_id: None,
            address: vec!["Jl. Malioboro 1, Yogyakarta".to_owned()],
            email: Some("budi@example.id".to_owned()),
        },
        currency: Currency::IDR,
        tax: tax("PPN", dec!(11), TaxRounding::HalfEven),
        display: TaxDisplay::Inclusive,
        lines: vec![
            line("budi.id — pendaftaran 1 tahun", 1, dec!(150000)),
            line("budi.co.id — perpanjangan 1 tahun", 1, dec!(99000)),
        ],
        payment: Some(PaymentInfo {
            accounts: vec![
                BankAccount {
                    bank: "Bank Central Asia".to_owned(),
                    holder: "PT Nusantara Domain Indonesia".to_owned(),
                    number: "123 456 7890".to_owned(),
                },
                BankAccount {
                    bank: "Bank Mandiri".to_owned(),
                    holder: "PT Nusantara Domain Indonesia".to_owned(),
                    number: "137 000 1234 567".to_owned(),
                },
            ],
            reference: "PRO/2026/000045".to_owned(),
        }),
        notes: vec!["Terima kasih.".to_owned()],
        corrects: None,
    }
}

/// Sieciowo: złoty, VAT 23% on net prices, rounded half-up as Polish law
/// requires; a tax invoice to a company with Polish letters in its name.
pub fn sieciowo() -> Invoice {
    Invoice {
        kind: Kind::Tax,
        number: number("INV", 2026, 123),
        issued: date(2026, 9, 15),
        due: None,
        period: None,
        seller: Party {
            name: "Sieciowo".to_owned(),
            company: Some("Sieciowo sp. z o.o.".to_owned()),
            tax_id: Some("5252525252".to_owned()),
            address: vec![
                "ul. Marszałkowska 1".to_owned(),
                "00-001 Warszawa".to_owned(),
            ],
            email: None,
        },
        buyer: Party {
            name: "Łukasz Żółkiewski".to_owned(),
            company: Some("Zażółć Gęślą Jaźń sp. z o.o.".to_owned()),
            tax_id: Some("1234563218".to_owned()),
            address: vec!["ul. Źródlana 5".to_owned(), "80-001 Gdańsk".to_owned()],
            email: Some("ksiegowosc@example.pl".to_owned()),
        },
        currency: Currency::PLN,
        tax: tax("VAT", dec!(23), TaxRounding::HalfUp),
        display: TaxDisplay::Exclusive,
        // 49.50 zł net: 23% is 11.385, half a grosz.
        lines: vec![
            line("Domena łódź.pl — rejestracja na 1 rok", 1, dec!(39.00)),
            line("Przedłużenie domeny żółw.com.pl", 1, dec!(10.50)),
        ],
        payment: None,
        notes: Vec::new(),
        corrects: None,
    }
}

/// Northwind: dollars, no tax, a monthly invoice.
pub fn northwind() -> Invoice {
    Invoice {
        kind: Kind::MonthlyTax,
        number: number("INV", 2026, 7),
        issued: date(2026, 2, 1),
        due: Some(date(2026, 2, 15)),
        period: Some((date(2026, 1, 1), date(2026, 1, 31))),
        seller: Party {
            name: "Northwind Names".to_owned(),
            company: None,
            tax_id: None,
            address: vec!["1 Harbor Way".to_owned(), "Seattle, WA 98101".to_owned()],
            email: Some("billing@northwind.example".to_owned()),
        },
        buyer: Party {
            name: "Ada Lovelace".to_owned(),
            company: Some("Analytical Engines LLC".to_owned()),
            tax_id: Some("US-12-3456789".to_owned()),
            address: Vec::new(),
            email: None,
        },
        currency: Currency::USD,
        tax: Tax::none(),
        display: TaxDisplay::Exclusive,
        lines: vec![
            line("ada.dev — registration, 1 year", 2, dec!(12.99)),
            line("lovelace.app — renewal, 1 year", 1, dec!(8.50)),
        ],
        payment: None,
        notes: Vec::new(),
        corrects: None,
    }
}

/// Text with no-break spaces as plain ones, for comparing extracted text.
pub fn plain(s: &str) -> String {
    s.replace('\u{a0}', " ")
}
