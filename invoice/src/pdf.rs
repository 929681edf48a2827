//! The invoice as an A4 PDF.
//!
//! Laid out in two steps: first into pages of positioned text and boxes
//! (wrapping, page breaks, the table header repeated on each page), then
//! drawn with krilla, once the page count for the footers is known.
//!
//! Text is set in DejaVu Sans, embedded in the binary: it covers Polish
//! and Indonesian (and Latin, Greek and Cyrillic in general). krilla embeds
//! only the glyphs used, with a ToUnicode map, so the text can be searched
//! and copied out of the PDF. Characters the font lacks (CJK, for one) are
//! drawn as its empty box.
//!
//! The output is a function of the invoice and the locale alone: krilla
//! writes no creation date unless given one, and none is given, so the
//! same invoice always gives the same bytes.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use std::sync::LazyLock;
use storefront_core::Locale;
use storefront_core::money::MoneyError;

use crate::Invoice;
use crate::view::{Pair, View};

// Deflated at build time (build.rs), inflated on first use: half the bytes
// in the binary, for about 6 ms once per process (examples/pdf_cost.rs).
static REGULAR: LazyLock<Vec<u8>> = LazyLock::new(|| {
    inflate(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/DejaVuSans.ttf.deflate"
    )))
});
static BOLD: LazyLock<Vec<u8>> = LazyLock::new(|| {
    inflate(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/DejaVuSans-Bold.ttf.deflate"
    )))
});

/// A font as build.rs deflated it. An error here means the build wrote a
/// broken file, so an empty font results and loading it reports it.
fn inflate(packed: &[u8]) -> Vec<u8> {
    miniz_oxide::inflate::decompress_to_vec(packed).unwrap_or_default()
}

/// Why an invoice could not be made into a PDF.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The totals could not be computed: an invalid hand-built tax, or an
    /// amount beyond `Decimal`.
    #[error("invoice amounts: {0}")]
    Amount(#[from] MoneyError),
    /// The PDF writer failed (for a bug here, not for any invoice data).
    #[error("writing the PDF: {0}")]
    Pdf(String),
}

/// The invoice as an A4 PDF in `locale`, with the same content as
/// [`render_html`](crate::render_html): long descriptions wrap, and lines
/// flow onto further pages under a repeated table header; every page has
/// the number and "page n of m" at its foot.
pub fn render_pdf(invoice: &Invoice, locale: Locale) -> Result<Vec<u8>, PdfError> {
    pdf_of(&View::of(invoice, locale)?)
}

/// The invoice as a duplicate: a copy issued again on `issued`, marked
/// "DUPLIKAT" (Polish: art. 106l of the VAT act) under its number, with the
/// copy's date beside the original's.
pub fn render_pdf_duplicate(
    invoice: &Invoice,
    locale: Locale,
    issued: chrono::NaiveDate,
) -> Result<Vec<u8>, PdfError> {
    pdf_of(&View::duplicate(invoice, locale, issued)?)
}

fn pdf_of(view: &View) -> Result<Vec<u8>, PdfError> {
    let metrics = Metrics::new()?;
    let pages = layout(view, &metrics);
    draw(view, &pages)
}

// A4 in points, with 15 mm margins.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.5;
const LEFT: f32 = MARGIN;
const RIGHT: f32 = PAGE_W - MARGIN;
const WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = MARGIN;
/// Content stops here; the footer sits below.
const BOTTOM: f32 = PAGE_H - MARGIN - 12.0;
const FOOTER: f32 = PAGE_H - 26.0;
/// Padding inside table cells.
const PAD: f32 = 4.5;

const INK: u8 = 0x1b;
const GREY: u8 = 0x5b;
const SHADE: u8 = 0xee;
const RULE: u8 = 0xc8;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Style {
    bold: bool,
    size: f32,
    grey: bool,
}

impl Style {
    const fn new(bold: bool, size: f32, grey: bool) -> Style {
        Style { bold, size, grey }
    }

    fn leading(self) -> f32 {
        self.size * 1.35
    }

    /// From the top of a line box to its baseline.
    fn ascent(self) -> f32 {
        self.size * 1.05
    }
}

const TITLE: Style = Style::new(true, 18.0, false);
const NUMBER: Style = Style::new(true, 11.0, false);
const BODY: Style = Style::new(false, 9.0, false);
const STRONG: Style = Style::new(true, 9.0, false);
const LABEL: Style = Style::new(false, 8.0, true);
const HEADING: Style = Style::new(true, 8.0, true);
const TOTAL: Style = Style::new(true, 11.0, false);

#[derive(Debug)]
enum Op {
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: u8,
    },
}

/// Measures text as krilla will set it: the same font, shaped by the
/// same rustybuzz, so widths (kerning included) match what is drawn.
struct Metrics {
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
}

impl Metrics {
    fn new() -> Result<Metrics, PdfError> {
        let face = |data: &'static [u8]| {
            rustybuzz::Face::from_slice(data, 0)
                .ok_or_else(|| PdfError::Pdf("the embedded font does not parse".to_owned()))
        };
        Ok(Metrics {
            regular: face(&REGULAR)?,
            bold: face(&BOLD)?,
        })
    }

    fn width(&self, text: &str, style: Style) -> f32 {
        let face = if style.bold {
            &self.bold
        } else {
            &self.regular
        };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 * style.size / face.units_per_em() as f32
    }

    /// Breaks `text` into lines no wider than `width`: at spaces, at each
    /// newline, and inside a word only when the word alone is too wide.
    /// No-break spaces stay unbroken, so an amount never splits.
    fn wrap(&self, text: &str, width: f32, style: Style) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let words = paragraph
                .split(|c: char| c == ' ' || c.is_control())
                .filter(|w| !w.is_empty());
            for word in words {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, style) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if self.width(word, style) <= width {
                    line = word.to_owned();
                    continue;
                }
                for ch in word.chars() {
                    let mut longer = line.clone();
                    longer.push(ch);
                    if !line.is_empty() && self.width(&longer, style) > width {
                        lines.push(std::mem::replace(&mut line, ch.to_string()));
                    } else {
                        line = longer;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Pages being filled, top to bottom.
struct Pages<'m> {
    metrics: &'m Metrics,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the last page.
    y: f32,
}

impl Pages<'_> {
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn fits(&self, height: f32) -> bool {
        self.y + height <= BOTTOM
    }

    /// Starts a new page unless `height` fits on this one.
    fn ensure(&mut self, height: f32) {
        if !self.fits(height) {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Text in a line box whose top is `top`.
    fn text(&mut self, x: f32, top: f32, style: Style, text: &str) {
        if !text.is_empty() {
            self.push(Op::Text {
                x,
                y: top + style.ascent(),
                style,
                text: text.to_owned(),
            });
        }
    }

    /// Text ending at `right`.
    fn text_right(&mut self, right: f32, top: f32, style: Style, text: &str) {
        let x = right - self.metrics.width(text, style);
        self.text(x, top, style, text);
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, grey: u8) {
        self.push(Op::Rect { x, y, w, h, grey });
    }

    /// A paragraph across the full width, breaking across pages.
    fn paragraph(&mut self, text: &str, style: Style) {
        for line in self.metrics.wrap(text, WIDTH, style) {
            self.ensure(style.leading());
            let y = self.y;
            self.text(LEFT, y, style, &line);
            self.y += style.leading();
        }
    }

    fn heading(&mut self, text: &str) {
        // Keep a heading with at least one line of what follows.
        self.ensure(HEADING.leading() + BODY.leading() * 2.0);
        let y = self.y;
        self.text(LEFT, y, HEADING, &text.to_uppercase());
        self.y += HEADING.leading() + 2.0;
    }

    /// The width of a label column that holds all of `pairs`' labels.
    fn label_width<'p>(&self, pairs: impl IntoIterator<Item = &'p Pair>) -> f32 {
        pairs
            .into_iter()
            .map(|p| self.metrics.width(&p.label, LABEL))
            .fold(0.0, f32::max)
            .min(WIDTH * 0.4)
    }

    /// Label and value rows: labels in a column `label_w` wide, values
    /// wrapped in the rest.
    fn pairs(&mut self, pairs: &[Pair], label_w: f32, value_style: Style) {
        let value_x = LEFT + label_w + 12.0;
        for pair in pairs {
            let labels = self.metrics.wrap(&pair.label, label_w, LABEL);
            let values = self.metrics.wrap(&pair.value, RIGHT - value_x, value_style);
            for i in 0..labels.len().max(values.len()) {
                self.ensure(BODY.leading());
                let y = self.y;
                if let Some(label) = labels.get(i) {
                    self.text(LEFT, y + 0.5, LABEL, label);
                }
                if let Some(value) = values.get(i) {
                    self.text(value_x, y, value_style, value);
                }
                self.y += BODY.leading();
            }
        }
    }
}

/// The lines table's columns: x and width of each, and the text size that
/// lets the amounts fit.
struct Table {
    x: [f32; 7],
    w: [f32; 7],
    body: Style,
    head: Style,
}

/// Which columns hold numbers, right-aligned: all but the description.
const NUMERIC: [bool; 7] = [true, false, true, true, true, true, true];
/// Below this the description column is too narrow to read.
const MIN_DESCRIPTION: f32 = 150.0;

impl Table {
    fn new(view: &View, metrics: &Metrics) -> Table {
        let headers = headers(view);
        // `header` is how wide a header may make its column before it
        // wraps between words; values never wrap.
        let widths_at = |(size, header): (f32, f32)| {
            let body = Style::new(false, size, false);
            let head = Style::new(true, size - 0.5, false);
            let mut w = [0.0f32; 7];
            for (col, width) in w.iter_mut().enumerate() {
                if !NUMERIC[col] {
                    continue;
                }
                let longest_word = headers[col]
                    .split(' ')
                    .map(|word| metrics.width(word, head))
                    .fold(0.0, f32::max);
                let head_w = longest_word.max(metrics.width(headers[col], head).min(header));
                let value_w = view
                    .lines
                    .iter()
                    .map(|line| metrics.width(cells(line)[col], body))
                    .fold(0.0, f32::max);
                *width = head_w.max(value_w) + 2.0 * PAD;
            }
            w[1] = WIDTH - w.iter().sum::<f32>();
            (w, body, head)
        };
        // Roomy headers at the usual size if the description keeps its
        // width, else tighter, else smaller.
        let (w, body, head) = [(8.5, 60.0), (8.5, 0.0), (7.5, 0.0), (6.5, 0.0)]
            .into_iter()
            .map(widths_at)
            .find(|(w, _, _)| w[1] >= MIN_DESCRIPTION)
            .unwrap_or_else(|| {
                // Amounts too wide even small: give the description its
                // minimum and let the other columns share the rest (their
                // text then wraps inside words).
                let (mut w, body, head) = widths_at((6.5, 0.0));
                let numeric: f32 = WIDTH - w[1];
                let scale = (WIDTH - MIN_DESCRIPTION) / numeric;
                for (col, width) in w.iter_mut().enumerate() {
                    *width = if NUMERIC[col] {
                        *width * scale
                    } else {
                        MIN_DESCRIPTION
                    };
                }
                (w, body, head)
            });
        let mut x = [LEFT; 7];
        for col in 1..7 {
            x[col] = x[col - 1] + w[col - 1];
        }
        Table { x, w, body, head }
    }

    /// Each cell's wrapped lines.
    fn wrap(&self, metrics: &Metrics, texts: &[&str; 7], style: Style) -> Vec<Vec<String>> {
        texts
            .iter()
            .zip(self.w)
            .map(|(text, w)| metrics.wrap(text, w - 2.0 * PAD, style))
            .collect()
    }

    fn draw_row(&self, pages: &mut Pages<'_>, cells: &[Vec<String>], line: usize, style: Style) {
        let y = pages.y;
        for (col, cell) in cells.iter().enumerate() {
            if let Some(text) = cell.get(line) {
                if NUMERIC[col] {
                    pages.text_right(self.x[col] + self.w[col] - PAD, y, style, text);
                } else {
                    pages.text(self.x[col] + PAD, y, style, text);
                }
            }
        }
    }

    fn header(&self, pages: &mut Pages<'_>, view: &View) {
        let cells = self.wrap(pages.metrics, &headers(view), self.head);
        let rows = cells.iter().map(Vec::len).max().unwrap_or(1);
        let height = rows as f32 * self.head.leading() + 2.0 * PAD;
        let top = pages.y;
        pages.rect(LEFT, top, WIDTH, height, SHADE);
        // Headers sit on the bottom of their cell, like the HTML's.
        for (col, cell) in cells.iter().enumerate() {
            let first = rows - cell.len();
            for (i, text) in cell.iter().enumerate() {
                let y = top + PAD + (first + i) as f32 * self.head.leading();
                if NUMERIC[col] {
                    pages.text_right(self.x[col] + self.w[col] - PAD, y, self.head, text);
                } else {
                    pages.text(self.x[col] + PAD, y, self.head, text);
                }
            }
        }
        pages.y = top + height;
    }

    fn header_height(&self, pages: &Pages<'_>, view: &View) -> f32 {
        let cells = self.wrap(pages.metrics, &headers(view), self.head);
        let rows = cells.iter().map(Vec::len).max().unwrap_or(1);
        rows as f32 * self.head.leading() + 2.0 * PAD
    }
}

fn headers(view: &View) -> [&str; 7] {
    let c = &view.columns;
    [
        c.position,
        c.description,
        c.quantity,
        c.unit,
        c.net,
        &c.tax,
        c.gross,
    ]
}

fn cells(line: &crate::view::LineView) -> [&str; 7] {
    [
        &line.position,
        &line.description,
        &line.quantity,
        &line.unit,
        &line.net,
        &line.tax,
        &line.gross,
    ]
}

fn layout(view: &View, metrics: &Metrics) -> Vec<Vec<Op>> {
    let mut pages = Pages {
        metrics,
        pages: Vec::new(),
        y: TOP,
    };
    pages.new_page();

    // Title and number on the left; dates on the right.
    pages.text(LEFT, TOP, TITLE, &view.title);
    let mut left_y = TOP + TITLE.leading();
    let half = WIDTH / 2.0;
    for line in metrics.wrap(&view.number, half - 12.0, NUMBER) {
        pages.text(LEFT, left_y, NUMBER, &line);
        left_y += NUMBER.leading();
    }
    if let Some(mark) = view.mark {
        pages.text(LEFT, left_y, NUMBER, mark);
        left_y += NUMBER.leading();
    }
    let meta_x = LEFT + half + 12.0;
    let mut right_y = TOP + 4.0;
    for pair in &view.meta {
        let label_w = metrics.width(&pair.label, LABEL);
        let value_w = metrics.width(&pair.value, BODY);
        pages.text(meta_x, right_y + 0.5, LABEL, &pair.label);
        if meta_x + label_w + 8.0 + value_w > RIGHT {
            right_y += BODY.leading();
        }
        for line in metrics.wrap(&pair.value, RIGHT - meta_x, BODY) {
            pages.text_right(RIGHT, right_y, BODY, &line);
            right_y += BODY.leading();
        }
    }
    pages.y = left_y.max(right_y) + 20.0;

    // Seller and buyer side by side, row by row so that a long address
    // still breaks across pages.
    let column_w = (WIDTH - 24.0) / 2.0;
    let columns: Vec<Vec<(Style, String)>> = view
        .parties
        .iter()
        .map(|p| {
            let mut rows = vec![(HEADING, p.heading.to_uppercase())];
            for line in metrics.wrap(&p.name, column_w, STRONG) {
                rows.push((STRONG, line));
            }
            for text in &p.lines {
                for line in metrics.wrap(text, column_w, BODY) {
                    rows.push((BODY, line));
                }
            }
            rows
        })
        .collect();
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    for row in 0..rows {
        pages.ensure(BODY.leading());
        let y = pages.y;
        for (i, column) in columns.iter().enumerate() {
            if let Some((style, text)) = column.get(row) {
                pages.text(LEFT + i as f32 * (column_w + 24.0), y, *style, text);
            }
        }
        pages.y += BODY.leading();
    }
    pages.y += 18.0;

    // The lines, the header repeated on every page they reach.
    let table = Table::new(view, metrics);
    let header_h = table.header_height(&pages, view);
    pages.ensure(header_h + table.body.leading() + 2.0 * PAD);
    table.header(&mut pages, view);
    for line in &view.lines {
        let cells = table.wrap(metrics, &cells(line), table.body);
        let rows = cells.iter().map(Vec::len).max().unwrap_or(1);
        let height = rows as f32 * table.body.leading() + 2.0 * PAD;
        // Keep a row together when it fits on a page at all.
        if !pages.fits(height) && height <= BOTTOM - TOP - header_h {
            pages.new_page();
            table.header(&mut pages, view);
        }
        pages.y += PAD;
        for row in 0..rows {
            if !pages.fits(table.body.leading() + PAD) {
                pages.new_page();
                table.header(&mut pages, view);
                pages.y += PAD;
            }
            table.draw_row(&mut pages, &cells, row, table.body);
            pages.y += table.body.leading();
        }
        pages.y += PAD;
        let y = pages.y;
        pages.rect(LEFT, y - 0.25, WIDTH, 0.5, RULE);
    }

    // Totals, kept together, right-aligned under the amounts.
    let value_w = view
        .totals
        .iter()
        .map(|t| metrics.width(&t.value, TOTAL))
        .fold(0.0, f32::max);
    let label_right = RIGHT - value_w - 16.0;
    let height = view.totals.len() as f32 * BODY.leading() + TOTAL.leading() + 12.0;
    pages.y += 8.0;
    pages.ensure(height);
    for (i, t) in view.totals.iter().enumerate() {
        let last = i + 1 == view.totals.len();
        let style = if last { TOTAL } else { BODY };
        if last {
            let y = pages.y + 2.0;
            let w = RIGHT - label_right + metrics.width(&t.label, TOTAL);
            pages.rect(RIGHT - w, y, w, 0.75, INK);
            pages.y += 6.0;
        }
        let y = pages.y;
        pages.text_right(label_right, y, style, &t.label);
        pages.text_right(RIGHT, y, style, &t.value);
        pages.y += style.leading();
    }

    if let Some(payment) = &view.payment {
        pages.y += 18.0;
        pages.heading(payment.heading);
        let label_w = pages.label_width(
            payment
                .accounts
                .iter()
                .flatten()
                .chain([&payment.reference]),
        );
        for account in &payment.accounts {
            // An account's lines together, where they fit on a page.
            pages.ensure(BODY.leading() * account.len() as f32);
            pages.pairs(account, label_w, BODY);
            pages.y += 6.0;
        }
        pages.pairs(std::slice::from_ref(&payment.reference), label_w, STRONG);
    }

    if let Some(note) = view.proforma_note {
        pages.y += 18.0;
        pages.paragraph(note, Style::new(false, 9.0, true));
    }

    if !view.notes.is_empty() {
        pages.y += 18.0;
        pages.heading(view.notes_heading);
        for note in &view.notes {
            pages.paragraph(note, BODY);
            pages.y += 3.0;
        }
    }

    // Footers, now that the count is known.
    let count = pages.pages.len();
    let footer_left = format!("{} {}", view.title, view.number);
    for page in 0..count {
        let text = view
            .page
            .replace("{page}", &(page + 1).to_string())
            .replace("{pages}", &count.to_string());
        let ops = &mut pages.pages[page];
        ops.push(Op::Text {
            x: LEFT,
            y: FOOTER,
            style: LABEL,
            text: footer_left.clone(),
        });
        ops.push(Op::Text {
            x: RIGHT - metrics.width(&text, LABEL),
            y: FOOTER,
            style: LABEL,
            text,
        });
    }
    pages.pages
}

fn fill(grey: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(grey, grey, grey).into(),
        ..Fill::default()
    }
}

fn draw(view: &View, pages: &[Vec<Op>]) -> Result<Vec<u8>, PdfError> {
    let font = |data: &'static [u8]| {
        Font::new(data.into(), 0)
            .ok_or_else(|| PdfError::Pdf("the embedded font does not load".to_owned()))
    };
    let (regular, bold) = (font(&REGULAR)?, font(&BOLD)?);
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| PdfError::Pdf("page size".to_owned()))?;

    let mut document = Document::new_with(SerializeSettings::default());
    // No creation date: the bytes depend on the invoice alone.
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {}", view.title, view.number))
            .language(view.lang.to_owned()),
    );
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw_op(&mut surface, op, &regular, &bold);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Pdf(e.to_string()))
}

fn draw_op(surface: &mut Surface<'_>, op: &Op, regular: &Font, bold: &Font) {
    match op {
        Op::Text { x, y, style, text } => {
            surface.set_fill(Some(fill(if style.grey { GREY } else { INK })));
            let font = if style.bold { bold } else { regular };
            surface.draw_text(
                Point::from_xy(*x, *y),
                font.clone(),
                style.size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rect { x, y, w, h, grey } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_fill(Some(fill(*grey)));
                surface.draw_path(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kind, Line, Party};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use storefront_core::money::{Currency, Tax, TaxDisplay};

    fn invoice(lines: Vec<Line>) -> Invoice {
        let party = |name: &str| Party {
            name: name.to_owned(),
            company: None,
            tax_id: None,
            address: vec!["x".repeat(400)],
            email: None,
        };
        Invoice {
            kind: Kind::Tax,
            number: "INV/2026/000001".to_owned(),
            issued: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            due: None,
            period: None,
            seller: party("Seller"),
            buyer: party(&"Zażółć gęślą jaźń ".repeat(20)),
            currency: Currency::IDR,
            tax: Tax::none(),
            display: TaxDisplay::Exclusive,
            lines,
            payment: None,
            notes: vec!["word ".repeat(300)],
            corrects: None,
        }
    }

    fn line(description: String, unit: i64) -> Line {
        Line {
            description,
            quantity: 1,
            unit: Decimal::from(unit),
            tax: None,
        }
    }

    /// Every text run is inside the page's margins, and every box too.
    fn assert_inside(pages: &[Vec<Op>], metrics: &Metrics) {
        for ops in pages {
            for op in ops {
                let (x, right, y) = match op {
                    Op::Text { x, y, style, text } => (*x, x + metrics.width(text, *style), *y),
                    Op::Rect { x, y, w, .. } => (*x, x + w, *y),
                };
                assert!(x >= LEFT - 0.01 && right <= RIGHT + 0.01, "{op:?}");
                assert!((TOP..=PAGE_H - 20.0).contains(&y), "{op:?}");
                if !matches!(op, Op::Text { y, .. } if *y == FOOTER) {
                    assert!(y <= BOTTOM, "{op:?}");
                }
            }
        }
    }

    #[test]
    fn everything_stays_inside_the_margins() {
        let metrics = Metrics::new().unwrap();
        let long = (1..=80).map(|i| format!("word{i}")).collect::<Vec<_>>();
        let cases = [
            vec![line(long.join(" "), 150_000), line("ż".repeat(500), 99_000)],
            // A description longer than a page breaks across pages.
            vec![line(long.join(" ").repeat(30), 1)],
            // Amounts so wide the columns must shrink.
            vec![line("x".to_owned(), 9_000_000_000_000_000)],
            (1..=200).map(|i| line(format!("line {i}"), i)).collect(),
        ];
        for lines in cases {
            let view = View::of(&invoice(lines), Locale::Pl).unwrap();
            let pages = layout(&view, &metrics);
            assert_inside(&pages, &metrics);
        }
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words_only() {
        let metrics = Metrics::new().unwrap();
        let lines = metrics.wrap("aaa bbb ccc", metrics.width("aaa bbb", BODY) + 0.1, BODY);
        assert_eq!(lines, ["aaa bbb", "ccc"]);
        let lines = metrics.wrap("one\ntwo\tthree", 1000.0, BODY);
        assert_eq!(lines, ["one", "two three"]);
        let word = "ż".repeat(100);
        let lines = metrics.wrap(&word, 100.0, BODY);
        assert!(lines.len() > 2);
        assert_eq!(lines.concat(), word);
        assert!(lines.iter().all(|l| metrics.width(l, BODY) <= 100.0));
        // A no-break space holds an amount together.
        let amount = "Rp\u{a0}150.000";
        let lines = metrics.wrap(
            &format!("ab {amount}"),
            metrics.width(amount, BODY) + 0.1,
            BODY,
        );
        assert_eq!(lines, ["ab", amount]);
        assert_eq!(metrics.wrap("", 100.0, BODY), [""]);
    }
}
