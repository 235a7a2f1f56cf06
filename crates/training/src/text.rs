//! Course text: Markdown as trainers write it, rendered to HTML that is safe to show. Raw HTML
//! in the source is shown as text, never passed through, and links keep only web and mail
//! addresses, so a course cannot carry a script.

use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag};

/// The longest module text, in bytes.
pub const MAX_MARKDOWN: usize = 200_000;

/// Renders Markdown (tables and strikethrough included) to safe HTML.
pub fn render(markdown: &str) -> String {
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id })
            }
            Event::Start(Tag::Image { dest_url, title, id, .. }) => {
                Event::Start(Tag::Image { link_type: LinkType::Inline, dest_url: safe_url(dest_url), title, id })
            }
            other => other,
        });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

fn safe_url(url: CowStr) -> CowStr {
    let lower = url.trim().to_ascii_lowercase();
    let ok = ["https://", "http://", "mailto:", "/", "#"].iter().any(|p| lower.starts_with(p)) || !lower.contains(':');
    if ok {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_without_scripts() {
        let html = render(
            "# Consent\n\nAsk **first**.<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://example.org)",
        );
        assert!(html.contains("<h1>Consent</h1>"));
        assert!(html.contains("<strong>first</strong>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains(r##"<a href="#">x</a>"##));
        assert!(html.contains(r#"<a href="https://example.org">y</a>"#));
    }
}
