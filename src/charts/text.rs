//! Text: measured and placed here, so the build needs no font.

use std::fmt::Write as _;

use super::*;

/// Width of one character in em, as a CJK sans-serif font sets it (a little generous, so
/// that labels never run into each other).
pub(super) fn em(c: char) -> f64 {
    match c {
        ' ' => 0.3,
        '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'i' | 'j' | 'l' | 'I' => 0.3,
        '(' | ')' | '[' | ']' | '/' | '-' | 'f' | 'r' | 't' => 0.38,
        '%' => 0.9,
        'm' | 'w' | 'M' | 'W' => 0.85,
        '0'..='9' => 0.56,
        'A'..='Z' => 0.68,
        c if c.is_ascii() => 0.56,
        '\u{2013}' | '\u{2014}' => 0.6,
        c if wide(c) => 1.0,
        _ => 0.62,
    }
}

/// East Asian wide and full-width characters, and the curly quotes CJK fonts set wide.
pub(super) fn wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2018..=0x201F
        | 0x2026
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE10..=0xFE19
        | 0xFE30..=0xFE6F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// The width of `text` set at `size` pixels.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(em).sum::<f64>() * size
}

/// Breaks `text` into at most `lines` lines no wider than `max` pixels; the last line
/// ends in `…` when the text does not fit. Chinese breaks between any two characters.
pub fn wrap(text: &str, size: f64, max: f64, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut width = 0.0;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let w = em(chars[i]) * size;
        if width + w > max && !line.is_empty() {
            if out.len() + 1 == lines {
                // Last line: make room for the ellipsis.
                let ell = em('…') * size;
                while width + ell > max {
                    match line.pop() {
                        Some(c) => width -= em(c) * size,
                        None => break,
                    }
                }
                line.push('…');
                out.push(line);
                return out;
            }
            out.push(std::mem::take(&mut line));
            width = 0.0;
        }
        line.push(chars[i]);
        width += w;
        i += 1;
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Escapes text for XML, dropping characters XML does not allow.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

pub(super) fn anchor_attr(anchor: Anchor) -> &'static str {
    match anchor {
        Anchor::Start => "",
        Anchor::Middle => " text-anchor=\"middle\"",
        Anchor::End => " text-anchor=\"end\"",
    }
}

/// The `<text>` elements of a chart, written after plotters' shapes so they sit on top.
pub(super) struct Texts {
    pub(super) out: String,
    /// The chart's width: text is kept inside it.
    width: f64,
}

impl Texts {
    pub(super) fn new(width: f64) -> Self {
        Texts {
            out: String::new(),
            width,
        }
    }

    pub(super) fn put(
        &mut self,
        x: f64,
        y: f64,
        size: u32,
        anchor: Anchor,
        fill: &str,
        text: &str,
    ) {
        self.styled(x, y, size, anchor, fill, false, text);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn styled(
        &mut self,
        x: f64,
        y: f64,
        size: u32,
        anchor: Anchor,
        fill: &str,
        bold: bool,
        text: &str,
    ) {
        let w = text_width(text, f64::from(size)) * if bold { 1.05 } else { 1.0 };
        let x = self.inside(x, w, anchor);
        let anchor = anchor_attr(anchor);
        let weight = if bold { " font-weight=\"700\"" } else { "" };

        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{size}\" fill=\"{fill}\"{anchor}{weight}>{}</text>",
            x.round() as i64,
            y.round() as i64,
            escape(text)
        );
    }

    /// Keeps text `w` wide inside the chart, whatever its anchor.
    pub(super) fn inside(&self, x: f64, w: f64, anchor: Anchor) -> f64 {
        let (lo, hi) = match anchor {
            Anchor::Start => (2.0, self.width - 2.0 - w),
            Anchor::Middle => (2.0 + w / 2.0, self.width - 2.0 - w / 2.0),
            Anchor::End => (2.0 + w, self.width - 2.0),
        };
        if lo <= hi { x.clamp(lo, hi) } else { x }
    }

    /// Writes `items` (x, y, text) in one `<g>` carrying their shared size, colour and
    /// anchor: the compact form for the many small charts.
    pub(super) fn group(
        &mut self,
        size: u32,
        anchor: Anchor,
        fill: &str,
        items: &[(f64, f64, String)],
    ) {
        if items.is_empty() {
            return;
        }
        let _ = write!(
            self.out,
            "<g font-size=\"{size}\" fill=\"{fill}\"{}>",
            anchor_attr(anchor)
        );
        for (x, y, text) in items {
            let x = self.inside(*x, text_width(text, f64::from(size)), anchor);
            let _ = write!(
                self.out,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                x.round() as i64,
                y.round() as i64,
                escape(text)
            );
        }
        self.out.push_str("</g>");
    }

    /// The visible title, cut to one line (the `<title>` element keeps it whole).
    pub(super) fn title(&mut self, text: &str) {
        let size = f64::from(TITLE) * 1.05;
        let line = wrap(text, size, self.width - 16.0, 1).swap_remove(0);
        self.styled(8.0, 24.0, TITLE, Anchor::Start, INK, true, &line);
    }
}
