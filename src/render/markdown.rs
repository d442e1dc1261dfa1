//! Markdown bodies of bulletins and pages: figures filled in by Tera, then Markdown with
//! tables, footnotes and strikethrough, then raw HTML sanitized unless the site opts out.

use pulldown_cmark::{Options, Parser, html};

/// Markdown to HTML. `pulldown-cmark` passes raw HTML through, so it is cleaned by
/// ammonia unless `allow_raw_html`.
pub(crate) fn to_html(markdown: &str, allow_raw_html: bool) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let parser = Parser::new_ext(markdown, options);
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    if allow_raw_html { out } else { sanitize(&out) }
}

fn sanitize(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id", "class"])
        .add_tags(["sup", "section"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    builder.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_footnotes_and_strikethrough() {
        let html = to_html(
            "|a|b|\n|-|-|\n|1|2|\n\n~~旧~~ 注[^1]\n\n[^1]: 说明\n",
            false,
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>旧</del>"), "{html}");
        assert!(html.contains("说明"), "{html}");
    }

    #[test]
    fn raw_html_is_sanitized() {
        let html = to_html(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
            false,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }
}
