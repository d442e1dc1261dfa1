//! Markdown bodies of bulletins and pages: figures filled in by Tera, then Markdown with
//! tables, footnotes and strikethrough, then raw HTML sanitized unless the site opts out.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Markdown to HTML. `pulldown-cmark` passes raw HTML through, so it is cleaned by
/// ammonia unless `allow_raw_html`.
pub(crate) fn to_html(markdown: &str, allow_raw_html: bool) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut in_code = false;
    let parser = Parser::new_ext(markdown, options).flat_map(|event| match event {
        Event::Start(Tag::CodeBlock(_)) => {
            in_code = true;
            vec![event]
        }
        Event::End(TagEnd::CodeBlock) => {
            in_code = false;
            vec![event]
        }
        Event::Text(text) if !in_code => keep_numbers_with_units(text),
        other => vec![other],
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    if allow_raw_html { out } else { sanitize(&out) }
}

/// What people type between the digits of one number.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | ' ' | '-' | '\u{3000}' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{ff0d}'
    )
}

/// Words that come between a number and its measure word (1260余条, 4.7万人).
const BETWEEN: &[char] = &['余', '多', '万', '亿', '千', '百'];

/// A text with each number kept on one line with the character after it (606幢, 4名,
/// 2018年), as Chinese typesetting never ends a line between them: the pair becomes
/// `<span class="nb">`, which the theme's stylesheet keeps from breaking.
fn keep_numbers_with_units(text: CowStr<'_>) -> Vec<Event<'_>> {
    let is_han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut events = Vec::new();
    let mut plain = 0;
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let prev_digit = i > 0 && chars[i - 1].1.is_ascii_digit();
        if !c.is_ascii_digit() || prev_digit {
            i += 1;
            continue;
        }
        // The whole number, separators between its digits included (`0570-1234567`,
        // `139 0570 1111`, `6,354`): the span must never cut a number in two, or the leak
        // guard, which reads a number across its separators but not across a tag, would
        // see two short ones.
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            let inside = is_separator(c) && chars.get(j + 1).is_some_and(|n| n.1.is_ascii_digit());
            if c.is_ascii_digit() || inside {
                j += 1;
            } else {
                break;
            }
        }
        if j < chars.len() && is_han(chars[j].1) {
            let mut k = j + 1;
            if BETWEEN.contains(&chars[j].1) && k < chars.len() && is_han(chars[k].1) {
                k += 1;
            }
            let end = chars.get(k).map_or(text.len(), |(at, _)| *at);
            if plain < start {
                events.push(Event::Text(text[plain..start].to_string().into()));
            }
            let mut escaped = String::new();
            let _ = pulldown_cmark_escape::escape_html(&mut escaped, &text[start..end]);
            events.push(Event::InlineHtml(
                format!("<span class=\"nb\">{escaped}</span>").into(),
            ));
            plain = end;
            i = k;
        } else {
            i = j.max(i + 1);
        }
    }
    if events.is_empty() {
        return vec![Event::Text(text)];
    }
    if plain < text.len() {
        events.push(Event::Text(text[plain..].to_string().into()));
    }
    events
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
    fn numbers_stay_on_the_line_of_their_measure_word() {
        let html = to_html(
            "覆盖606幢，走访6,354户，收集1260余条。2018年。\n\n```\n606幢\n```\n",
            false,
        );
        assert!(
            html.contains(
                "覆盖<span class=\"nb\">606幢</span>，走访<span class=\"nb\">6,354户</span>，收集<span class=\"nb\">1260余条</span>。<span class=\"nb\">2018年</span>。"
            ),
            "{html}"
        );
        assert!(
            html.contains("<code>606幢\n</code>"),
            "code untouched: {html}"
        );
        assert_eq!(to_html("A4 纸 3.5 寸", false), "<p>A4 纸 3.5 寸</p>\n");
        // A number with separators stays whole inside the span, as the leak guard reads it.
        let html = to_html("电话0570-1234567号，手机139 0570 1111转", false);
        assert!(
            html.contains("电话<span class=\"nb\">0570-1234567号</span>，手机<span class=\"nb\">139 0570 1111转</span>"),
            "{html}"
        );
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
