//! The words on an invoice, in each storefront language.
//!
//! Here rather than in a theme's string table: an invoice is a legal
//! document whose wording (Faktura VAT, NIP, NPWP) must not vary by theme.

use storefront_core::Locale;

pub(crate) struct Labels {
    pub proforma: &'static str,
    pub invoice: &'static str,
    pub issued: &'static str,
    pub due: &'static str,
    pub period: &'static str,
    pub seller: &'static str,
    pub buyer: &'static str,
    pub tax_id: &'static str,
    pub email: &'static str,
    pub position: &'static str,
    pub description: &'static str,
    pub quantity: &'static str,
    /// The unit price column when the invoice has no tax.
    pub unit: &'static str,
    pub unit_net: &'static str,
    pub unit_gross: &'static str,
    pub net: &'static str,
    /// Heads the tax column when the tax has no label of its own.
    pub tax: &'static str,
    pub gross: &'static str,
    pub total_net: &'static str,
    pub total: &'static str,
    pub pay_to: &'static str,
    pub bank: &'static str,
    pub holder: &'static str,
    pub account: &'static str,
    pub reference: &'static str,
    pub notes: &'static str,
    pub proforma_note: &'static str,
    /// With `{page}` and `{pages}`.
    pub page: &'static str,
}

const EN: Labels = Labels {
    proforma: "Proforma invoice",
    invoice: "Invoice",
    issued: "Issue date",
    due: "Due date",
    period: "Billing period",
    seller: "Seller",
    buyer: "Buyer",
    tax_id: "Tax ID",
    email: "Email",
    position: "#",
    description: "Description",
    quantity: "Qty",
    unit: "Unit price",
    unit_net: "Unit price (net)",
    unit_gross: "Unit price (gross)",
    net: "Net",
    tax: "Tax",
    gross: "Gross",
    total_net: "Total net",
    total: "Total",
    pay_to: "Pay to",
    bank: "Bank",
    holder: "Account holder",
    account: "Account number",
    reference: "Payment reference",
    notes: "Notes",
    proforma_note: "This proforma is a request for payment, not a tax invoice.",
    page: "Page {page} of {pages}",
};

const ID: Labels = Labels {
    proforma: "Faktur proforma",
    invoice: "Faktur",
    issued: "Tanggal",
    due: "Jatuh tempo",
    period: "Periode tagihan",
    seller: "Penjual",
    buyer: "Pembeli",
    tax_id: "NPWP",
    email: "Email",
    position: "No.",
    description: "Uraian",
    quantity: "Kuantitas",
    unit: "Harga satuan",
    unit_net: "Harga satuan (sebelum pajak)",
    unit_gross: "Harga satuan (termasuk pajak)",
    net: "DPP",
    tax: "Pajak",
    gross: "Jumlah",
    total_net: "Total DPP",
    total: "Total",
    pay_to: "Bayar ke",
    bank: "Bank",
    holder: "Atas nama",
    account: "Nomor rekening",
    reference: "Referensi pembayaran",
    notes: "Catatan",
    proforma_note: "Faktur proforma ini adalah permintaan pembayaran, bukan faktur pajak.",
    page: "Halaman {page} dari {pages}",
};

const PL: Labels = Labels {
    proforma: "Faktura proforma",
    invoice: "Faktura VAT",
    issued: "Data wystawienia",
    due: "Termin płatności",
    period: "Okres rozliczeniowy",
    seller: "Sprzedawca",
    buyer: "Nabywca",
    tax_id: "NIP",
    email: "E-mail",
    position: "Lp.",
    description: "Nazwa towaru lub usługi",
    quantity: "Ilość",
    unit: "Cena jedn.",
    unit_net: "Cena jedn. netto",
    unit_gross: "Cena jedn. brutto",
    net: "Wartość netto",
    tax: "Podatek",
    gross: "Wartość brutto",
    total_net: "Razem netto",
    total: "Razem brutto",
    pay_to: "Dane do przelewu",
    bank: "Bank",
    holder: "Odbiorca",
    account: "Numer rachunku",
    reference: "Tytuł przelewu",
    notes: "Uwagi",
    proforma_note: "Faktura proforma nie jest fakturą VAT ani dokumentem księgowym.",
    page: "Strona {page} z {pages}",
};

pub(crate) fn labels(locale: Locale) -> &'static Labels {
    match locale {
        Locale::En => &EN,
        Locale::Id => &ID,
        Locale::Pl => &PL,
    }
}

pub(crate) use storefront_core::locale::long_date;
