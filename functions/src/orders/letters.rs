//! The words of the money mails, one function per mail with its English,
//! Indonesian and Polish together, so a text is changed in one place for
//! every language. Amounts come in already formatted for the language.

use storefront_core::Locale;

/// A mail's subject and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub text: String,
}

fn letter(subject: String, text: String) -> Letter {
    Letter { subject, text }
}

/// A top-up was approved (`rejected` None) or rejected with a reason.
pub fn topup_decided(
    lang: Locale,
    amount: &str,
    reference: &str,
    rejected: Option<&str>,
) -> Letter {
    match (lang, rejected) {
        (Locale::En, None) => letter(
            format!("Top-up of {amount} approved"),
            format!("Your top-up ({reference}) was approved and {amount} is now in your wallet.\n"),
        ),
        (Locale::En, Some(reason)) => letter(
            format!("Top-up of {amount} not approved"),
            format!("Your top-up ({reference}) was not approved: {reason}\n"),
        ),
        (Locale::Id, None) => letter(
            format!("Isi saldo {amount} disetujui"),
            format!(
                "Isi saldo Anda ({reference}) sudah disetujui dan {amount} kini ada di dompet Anda.\n"
            ),
        ),
        (Locale::Id, Some(reason)) => letter(
            format!("Isi saldo {amount} tidak disetujui"),
            format!("Isi saldo Anda ({reference}) tidak disetujui: {reason}\n"),
        ),
        (Locale::Pl, None) => letter(
            format!("Doładowanie {amount} zatwierdzone"),
            format!(
                "Twoje doładowanie ({reference}) zostało zatwierdzone i {amount} jest już w Twoim portfelu.\n"
            ),
        ),
        (Locale::Pl, Some(reason)) => letter(
            format!("Doładowanie {amount} odrzucone"),
            format!("Twoje doładowanie ({reference}) nie zostało zatwierdzone: {reason}\n"),
        ),
    }
}

/// The proforma of an order to pay by transfer: how much, by when, where
/// (`accounts`, one printed line each) and with which reference.
pub fn proforma(
    lang: Locale,
    number: &str,
    order: &str,
    amount: &str,
    due: &str,
    accounts: &[String],
) -> Letter {
    let accounts = accounts
        .iter()
        .map(|a| format!("  {a}"))
        .collect::<Vec<_>>()
        .join("\n");
    match lang {
        Locale::En => letter(
            format!("Proforma {number} for order {order}"),
            format!(
                "Please pay {amount} by {due} into one of these accounts, with the reference {order}:\n\n{accounts}\n\nThe proforma is in your account under Invoices.\n"
            ),
        ),
        Locale::Id => letter(
            format!("Proforma {number} untuk pesanan {order}"),
            format!(
                "Mohon bayar {amount} paling lambat {due} ke salah satu rekening berikut, dengan berita {order}:\n\n{accounts}\n\nProforma ada di akun Anda, di bagian Faktur.\n"
            ),
        ),
        Locale::Pl => letter(
            format!("Faktura proforma {number} do zamówienia {order}"),
            format!(
                "Prosimy o wpłatę {amount} do {due} na jedno z tych kont, w tytule {order}:\n\n{accounts}\n\nFaktura proforma jest w Twoim koncie, w zakładce Faktury.\n"
            ),
        ),
    }
}

/// A reseller's wallet with its parent did not cover a customer's order.
pub fn wallet_short(lang: Locale, order: &str, amount: &str, shop: &str, parent: &str) -> Letter {
    match lang {
        Locale::En => letter(
            format!("Wallet too low for order {order}"),
            format!(
                "An order ({order}, {amount}) from a customer of {shop} could not be paid because your wallet with {parent} does not cover it. Top up your wallet, then ask the customer to try again.\n"
            ),
        ),
        Locale::Id => letter(
            format!("Saldo dompet tidak cukup untuk pesanan {order}"),
            format!(
                "Pesanan ({order}, {amount}) dari pelanggan {shop} tidak dapat dibayar karena saldo dompet Anda di {parent} tidak mencukupi. Isi saldo dompet Anda, lalu minta pelanggan mencoba lagi.\n"
            ),
        ),
        Locale::Pl => letter(
            format!("Za mało środków w portfelu na zamówienie {order}"),
            format!(
                "Zamówienie ({order}, {amount}) klienta {shop} nie mogło zostać opłacone, bo Twój portfel u {parent} go nie pokrywa. Doładuj portfel, a potem poproś klienta o ponowną próbę.\n"
            ),
        ),
    }
}

/// What kind of document an invoice mail carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Tax,
    Proforma,
    Correction,
}

/// An invoice issued to the recipient (or sent again: `copy`), for
/// `amount`, kept in their account.
pub fn invoice(lang: Locale, doc: Document, number: &str, amount: &str, copy: bool) -> Letter {
    let what = match (lang, doc) {
        (Locale::En, Document::Tax) => "Invoice",
        (Locale::En, Document::Proforma) => "Proforma",
        (Locale::En, Document::Correction) => "Corrective invoice",
        (Locale::Id, Document::Tax) => "Faktur",
        (Locale::Id, Document::Proforma) => "Proforma",
        (Locale::Id, Document::Correction) => "Faktur koreksi",
        (Locale::Pl, Document::Tax) => "Faktura",
        (Locale::Pl, Document::Proforma) => "Faktura proforma",
        (Locale::Pl, Document::Correction) => "Faktura korygująca",
    };
    match lang {
        Locale::En => letter(
            format!("{what} {number}{}", if copy { " (copy)" } else { "" }),
            format!(
                "{what} {number} for {amount} is in your account under Invoices, ready to download as a PDF.\n"
            ),
        ),
        Locale::Id => letter(
            format!("{what} {number}{}", if copy { " (salinan)" } else { "" }),
            format!(
                "{what} {number} sebesar {amount} ada di akun Anda, di bagian Faktur, siap diunduh sebagai PDF.\n"
            ),
        ),
        Locale::Pl => letter(
            format!("{what} {number}{}", if copy { " (duplikat)" } else { "" }),
            format!(
                "{what} {number} na kwotę {amount} jest w Twoim koncie, w zakładce Faktury, do pobrania jako PDF.\n"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_speaks_each_language() {
        for lang in [Locale::En, Locale::Id, Locale::Pl] {
            let a = topup_decided(lang, "Rp 1", "R", None);
            let b = topup_decided(lang, "Rp 1", "R", Some("x"));
            assert_ne!(a.subject, b.subject);
            assert!(b.text.contains(": x"));
        }
        assert_eq!(
            topup_decided(Locale::Pl, "10,00 zł", "R", None).subject,
            "Doładowanie 10,00 zł zatwierdzone"
        );
    }
}
