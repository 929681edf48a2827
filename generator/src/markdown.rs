//! Reseller Markdown to HTML that is safe to publish.
//!
//! Terms and announcements are written by resellers: raw HTML in them is
//! allowed by Markdown, so the rendered HTML goes through ammonia's
//! allowlist. Scripts, event handlers, `javascript:` links, iframes and
//! styles never reach a page.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Markdown to sanitised HTML.
pub fn render(src: &str) -> String {
    let mut raw = String::with_capacity(src.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(src, options()));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

/// The first paragraph as plain text, for announcement lists.
pub fn summary(src: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ev in Parser::new_ext(src, options()) {
        match ev {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if inside => break,
            Event::Text(t) | Event::Code(t) if inside => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak if inside => out.push(' '),
            _ => {}
        }
    }
    if out.chars().count() > 240 {
        let cut: String = out.chars().take(239).collect();
        format!("{}…", cut.trim_end())
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_never_survive() {
        let html = render(
            "# Terms\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n<iframe src=//evil></iframe><a href=\"https://ok.example\">ok</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<iframe"), "{html}");
        assert!(html.contains("<h1>Terms</h1>"));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
    }

    #[test]
    fn summary_is_the_first_paragraph() {
        assert_eq!(
            summary("# T\n\nFirst *line*\nnext.\n\nSecond."),
            "First line next."
        );
    }
}
