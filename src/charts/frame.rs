//! The SVG frame every chart shares: size, title, description, the drawing area.

use std::fmt::Write as _;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::*;

/// Wraps shapes and texts in the chart's `<svg>` with its accessible name and description.
pub(super) fn frame(
    id: &str,
    size: (u32, u32),
    title: &str,
    desc: &str,
    shapes: &str,
    texts: &Texts,
) -> String {
    let (w, h) = size;
    // Plotters' own document: keep what is between its opening and closing tags.
    let body = shapes
        .find('>')
        .map(|i| &shapes[i + 1..])
        .unwrap_or("")
        .trim_end();
    let body = body.strip_suffix("</svg>").unwrap_or(body).trim();
    let id = escape(id);
    let mut out = String::with_capacity(body.len() + texts.out.len() + 512);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"{FONT_STACK}\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
        out.push('\n');
    }
    out.push_str(&texts.out);
    out.push_str("</svg>");
    out
}

/// Draws with plotters on a `w` × `h` SVG and returns plotters' document.
pub(super) fn shapes(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Option<()>,
) -> String {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let _ = draw(&root);
        let _ = root.present();
    }
    buf
}

/// A chart that has nothing to show: its title and 暂无数据.
pub fn empty(id: &str, title: &str) -> String {
    let size = (WIDTH, 110);
    let mut t = Texts::new(f64::from(WIDTH));
    t.title(title);
    t.put(
        f64::from(WIDTH) / 2.0,
        72.0,
        15,
        Anchor::Middle,
        MUTED,
        NO_DATA,
    );
    let s = shapes(size, |root| {
        root.draw(&Rectangle::new(
            [(8, 36), (WIDTH as i32 - 8, 100)],
            GRID.stroke_width(1),
        ))
        .ok()
    });
    frame(id, size, title, &format!("{title}：{NO_DATA}。"), &s, &t)
}
