//! Charts: static SVG made at build time and inlined in the pages, no scripts.
//!
//! Shapes (bars, lines, markers, gridlines) are drawn with `plotters`' SVG backend. Its text
//! placement needs a font to measure with, and without its font features it counts bytes,
//! which puts Chinese labels in the wrong places; so every text element is measured and
//! placed here with [`text_width`] (CJK ideographs and full-width punctuation 1 em, ASCII
//! digits about 0.56 em) and written as SVG `<text>`, on top of plotters' shapes. The
//! build needs no font on the machine; the browser picks one from [`FONT_STACK`].
//!
//! Every chart is an `<svg role="img">` with a `<title>` and a `<desc>`, sits on its page
//! next to a table of the same numbers, reads in greyscale (series differ by dash and
//! marker, not by hue) and is byte-identical for the same input. A chart with nothing to
//! show says 暂无数据.

use std::fmt::Write as _;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::aggregate::Counts;

/// Fonts the browser should try for chart text, CJK first.
pub const FONT_STACK: &str = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

/// What a chart with nothing to show says.
pub const NO_DATA: &str = "暂无数据";

/// Long lists (categories, communities) show this many rows, then one row for the rest.
pub const TOP: usize = 20;

const WIDTH: u32 = 480;
/// Text sizes in pixels at the chart's own width.
const TITLE: u32 = 17;
const AXIS_FS: u32 = 13;
const LABEL: u32 = 13;
const TICK: u32 = 12;
const VALUE: u32 = 11;
const RED: RGBColor = RGBColor(0xb3, 0x12, 0x1b);
const GREY: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// The "其他" bar: lighter than the others, yet 3:1 against the page (WCAG 1.4.11).
const REST: RGBColor = RGBColor(0x76, 0x76, 0x76);
/// Gridlines only help the eye; the values are written on the bars and in the table.
const GRID: RGBColor = RGBColor(0xe4, 0xdc, 0xdc);
const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
const INK: &str = "#222";
const MUTED: &str = "#555";

// ---------------------------------------------------------------------------------------
// Text

/// Width of one character in em, as a CJK sans-serif font sets it (a little generous, so
/// that labels never run into each other).
fn em(c: char) -> f64 {
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
fn wide(c: char) -> bool {
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
enum Anchor {
    Start,
    Middle,
    End,
}

fn anchor_attr(anchor: Anchor) -> &'static str {
    match anchor {
        Anchor::Start => "",
        Anchor::Middle => " text-anchor=\"middle\"",
        Anchor::End => " text-anchor=\"end\"",
    }
}

/// The `<text>` elements of a chart, written after plotters' shapes so they sit on top.
struct Texts {
    out: String,
    /// The chart's width: text is kept inside it.
    width: f64,
}

impl Texts {
    fn new(width: f64) -> Self {
        Texts {
            out: String::new(),
            width,
        }
    }

    fn put(&mut self, x: f64, y: f64, size: u32, anchor: Anchor, fill: &str, text: &str) {
        self.styled(x, y, size, anchor, fill, false, text);
    }

    #[allow(clippy::too_many_arguments)]
    fn styled(
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
    fn inside(&self, x: f64, w: f64, anchor: Anchor) -> f64 {
        let (lo, hi) = match anchor {
            Anchor::Start => (2.0, self.width - 2.0 - w),
            Anchor::Middle => (2.0 + w / 2.0, self.width - 2.0 - w / 2.0),
            Anchor::End => (2.0 + w, self.width - 2.0),
        };
        if lo <= hi { x.clamp(lo, hi) } else { x }
    }

    /// Writes `items` (x, y, text) in one `<g>` carrying their shared size, colour and
    /// anchor: the compact form for the many small charts.
    fn group(&mut self, size: u32, anchor: Anchor, fill: &str, items: &[(f64, f64, String)]) {
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
    fn title(&mut self, text: &str) {
        let size = f64::from(TITLE) * 1.05;
        let line = wrap(text, size, self.width - 16.0, 1).swap_remove(0);
        self.styled(8.0, 24.0, TITLE, Anchor::Start, INK, true, &line);
    }
}

// ---------------------------------------------------------------------------------------
// Frame

/// Wraps shapes and texts in the chart's `<svg>` with its accessible name and description.
fn frame(
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
fn shapes(
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

// ---------------------------------------------------------------------------------------
// Scales

/// A round axis top and step (1, 2 or 5 times a power of ten) for counts up to `max`,
/// in about `steps` steps. Integer arithmetic, so the same on every machine.
pub fn nice_axis(max: u64, steps: u64) -> (u64, u64) {
    let max = max.max(1);
    let raw = max.div_ceil(steps.max(1)).max(1);
    let mut mag = 1u64;
    while mag.saturating_mul(10) <= raw {
        mag *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10 * mag);
    (max.div_ceil(step) * step, step)
}

/// A round axis for counts up to `max` on a plot `height` pixels tall that leaves at
/// least `room` pixels above `max`, for the value written over the highest mark.
fn axis_with_room(max: u64, steps: u64, height: f64, room: f64) -> (u64, u64) {
    let mut want = max;
    loop {
        let (top, step) = nice_axis(want, steps);
        if (top - max) as f64 / top as f64 * height >= room || top >= u64::MAX / 20 {
            return (top, step);
        }
        want = top + 1;
    }
}

fn ticks(top: u64, step: u64) -> impl Iterator<Item = u64> {
    (0..=top / step.max(1)).map(move |i| i * step)
}

/// `0.4473` → `44.7%`, as the pages show rates.
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// Month labels for `YYYY-MM` keys: `1月` … when all fall in one year (named in the axis
/// title), else the keys themselves.
fn month_labels(keys: &[String]) -> (Vec<String>, String) {
    let year = |k: &str| k.get(..4).unwrap_or("").to_string();
    let first = keys.first().map(|k| year(k)).unwrap_or_default();
    if keys.iter().all(|k| year(k) == first) {
        let labels = keys
            .iter()
            .map(|k| {
                let m: u32 = k.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
                format!("{m}月")
            })
            .collect();
        (labels, format!("月份（{first}年）"))
    } else {
        (keys.to_vec(), "月份".to_string())
    }
}

/// Show every n-th of `labels` so that none overlap in slots `slot` pixels wide, the
/// first centred at `first` and the last at `last` in a chart `width` wide (labels at
/// the edges are pushed inwards, which the spacing allows for).
fn label_step(
    labels: &[String],
    slot: f64,
    size: f64,
    (first, last, width): (f64, f64, f64),
) -> usize {
    let widest = labels
        .iter()
        .map(|l| text_width(l, size))
        .fold(0.0, f64::max);
    let pushed = (widest / 2.0 + 2.0 - first)
        .max(last + widest / 2.0 + 2.0 - width)
        .max(0.0);
    ((widest + 6.0 + pushed) / slot.max(1.0)).ceil().max(1.0) as usize
}

// ---------------------------------------------------------------------------------------
// Monthly trend: households visited (bars) over cases raised and resolved (lines)

/// One month of a trend chart.
#[derive(Debug, Clone)]
pub struct Month {
    /// `YYYY-MM`.
    pub key: String,
    pub counts: Counts,
}

/// An axis figure as pages write it: `2.5万`, not `25000`.
fn tick_label(value: u64) -> String {
    crate::render::numbers::compact(value as f64)
}

/// Writes a panel's y tick labels, right-aligned left of the plot.
fn y_grid(texts: &mut Texts, left: f64, px_y: impl Fn(f64) -> f64, top: u64, step: u64) {
    for t in ticks(top, step) {
        texts.put(
            left - 6.0,
            px_y(t as f64) + 4.0,
            TICK,
            Anchor::End,
            MUTED,
            &tick_label(t),
        );
    }
}

/// The site's or a community's monthly trend in two panels over one month axis: households
/// visited as bars (户) above, cases raised (solid, dots) and resolved (dashed, squares) as
/// lines (件) below.
pub fn trend(id: &str, title: &str, months: &[Month]) -> String {
    let total = months.iter().fold(Counts::default(), |mut a, m| {
        a.households_visited += m.counts.households_visited;
        a.cases += m.counts.cases;
        a.resolved += m.counts.resolved;
        a
    });
    if months.is_empty() || total.households_visited + total.cases + total.resolved == 0 {
        return empty(id, title);
    }
    let keys: Vec<String> = months.iter().map(|m| m.key.clone()).collect();
    let (labels, x_title) = month_labels(&keys);
    let n = months.len();
    let hh: Vec<u64> = months.iter().map(|m| m.counts.households_visited).collect();
    let cases: Vec<u64> = months.iter().map(|m| m.counts.cases).collect();
    let resolved: Vec<u64> = months.iter().map(|m| m.counts.resolved).collect();
    // Head room above the bars for their values, clear of the panel's title.
    let bar_max = hh.iter().copied().max().unwrap_or(0);
    let (top_a, step_a) = axis_with_room(bar_max, 4, 140.0, 9.0);
    let line_max = cases.iter().chain(&resolved).copied().max().unwrap_or(0);
    // Head room for the labels above the highest points.
    let (top_b, step_b) = axis_with_room(line_max, 4, 120.0, 10.0);

    let tick_w = [top_a, top_b]
        .iter()
        .map(|t| text_width(&tick_label(*t), f64::from(TICK)))
        .fold(0.0, f64::max);
    let left = (tick_w + 18.0).round();
    let right = 14.0;
    let (a0, a1) = (64.0, 204.0);
    let (b0, b1) = (250.0, 370.0);
    let h = 414u32;
    let w = f64::from(WIDTH);
    let slot = (w - left - right) / n as f64;
    let px_x = |i: f64| left + i * slot;
    let ya = |v: f64| a1 - v / top_a as f64 * (a1 - a0);
    let yb = |v: f64| b1 - v / top_b as f64 * (b1 - b0);

    let mut t = Texts::new(f64::from(WIDTH));
    t.title(title);
    t.put(
        left,
        a0 - 10.0,
        AXIS_FS,
        Anchor::Start,
        INK,
        "走访户数（户）",
    );
    y_grid(&mut t, left, ya, top_a, step_a);
    t.put(
        left,
        b0 - 10.0,
        AXIS_FS,
        Anchor::Start,
        INK,
        "民情事项（件）",
    );
    // Legend, after the panel title.
    let lx = left + text_width("民情事项（件）", f64::from(AXIS_FS)) + 20.0;
    t.put(lx + 30.0, b0 - 10.0, AXIS_FS, Anchor::Start, INK, "收集");
    let lx2 = lx + 30.0 + text_width("收集", f64::from(AXIS_FS)) + 16.0;
    t.put(lx2 + 30.0, b0 - 10.0, AXIS_FS, Anchor::Start, INK, "已解决");
    y_grid(&mut t, left, yb, top_b, step_b);

    let show_values = text_width(&top_a.to_string(), f64::from(VALUE)) + 2.0 <= slot;
    let step = label_step(
        &labels,
        slot,
        f64::from(TICK),
        (left + slot / 2.0, w - right - slot / 2.0, w),
    );
    for (i, label) in labels.iter().enumerate() {
        let cx = px_x(i as f64 + 0.5);
        if i % step == 0 {
            t.put(cx, b1 + 16.0, TICK, Anchor::Middle, MUTED, label);
        }
        if show_values && hh[i] > 0 {
            t.put(
                cx,
                ya(hh[i] as f64) - 4.0,
                VALUE,
                Anchor::Middle,
                INK,
                &hh[i].to_string(),
            );
        }
        if show_values {
            // The higher point's value above it, the lower one's below it when there is
            // room there, else above it when the points are far enough apart.
            let (c, r) = (yb(cases[i] as f64), yb(resolved[i] as f64));
            let (hi, lo, hi_v, lo_v) = if c <= r {
                (c, r, cases[i], resolved[i])
            } else {
                (r, c, resolved[i], cases[i])
            };
            t.put(cx, hi - 7.0, VALUE, Anchor::Middle, INK, &hi_v.to_string());
            if lo + 15.0 <= b1 - 2.0 {
                t.put(cx, lo + 15.0, VALUE, Anchor::Middle, INK, &lo_v.to_string());
            } else if lo - hi >= 26.0 {
                t.put(cx, lo - 7.0, VALUE, Anchor::Middle, INK, &lo_v.to_string());
            }
        }
    }
    t.put(
        (left + w - right) / 2.0,
        b1 + 36.0,
        AXIS_FS,
        Anchor::Middle,
        INK,
        &x_title,
    );

    let s = shapes((WIDTH, h), |root| {
        let ix = |v: f64| v.round() as i32;
        let grid = |y: f64| PathElement::new(vec![(ix(left), ix(y)), (ix(w - right), ix(y))], GRID);
        for tk in ticks(top_a, step_a) {
            root.draw(&grid(ya(tk as f64))).ok()?;
        }
        for tk in ticks(top_b, step_b) {
            root.draw(&grid(yb(tk as f64))).ok()?;
        }
        // Panel A: bars drawn in data coordinates by a plotters chart on the panel's area.
        let area = root.margin(a0 as i32, h as i32 - a1 as i32, left as i32, right as i32);
        let mut chart = ChartBuilder::on(&area)
            .build_cartesian_2d(0f64..n as f64, 0f64..top_a as f64)
            .ok()?;
        chart
            .draw_series(hh.iter().enumerate().map(|(i, v)| {
                let x = i as f64;
                Rectangle::new([(x + 0.18, 0.0), (x + 0.82, *v as f64)], RED.filled())
            }))
            .ok()?;
        // Panel B: lines.
        let area = root.margin(b0 as i32, h as i32 - b1 as i32, left as i32, right as i32);
        let mut chart = ChartBuilder::on(&area)
            .build_cartesian_2d(0f64..n as f64, 0f64..top_b as f64)
            .ok()?;
        let pts = |v: &[u64]| -> Vec<(f64, f64)> {
            v.iter()
                .enumerate()
                .map(|(i, v)| (i as f64 + 0.5, *v as f64))
                .collect()
        };
        chart
            .draw_series(LineSeries::new(pts(&cases), RED.stroke_width(2)))
            .ok()?;
        chart
            .draw_series(DashedLineSeries::new(
                pts(&resolved),
                6,
                4,
                GREY.stroke_width(2),
            ))
            .ok()?;
        if slot >= 8.0 {
            chart
                .draw_series(
                    pts(&cases)
                        .into_iter()
                        .map(|p| Circle::new(p, 3, RED.filled())),
                )
                .ok()?;
            for p in pts(&resolved) {
                let (x, y) = chart.backend_coord(&p);
                root.draw(&Rectangle::new(
                    [(x - 3, y - 3), (x + 3, y + 3)],
                    WHITE.filled(),
                ))
                .ok()?;
                root.draw(&Rectangle::new(
                    [(x - 3, y - 3), (x + 3, y + 3)],
                    GREY.stroke_width(2),
                ))
                .ok()?;
            }
        }
        // Axes.
        for y in [a1, b1] {
            root.draw(&PathElement::new(
                vec![(ix(left), ix(y)), (ix(w - right), ix(y))],
                AXIS,
            ))
            .ok()?;
        }
        // Legend marks.
        let ly = ix(b0 - 14.0);
        let lx = ix(lx);
        root.draw(&PathElement::new(
            vec![(lx, ly), (lx + 24, ly)],
            RED.stroke_width(2),
        ))
        .ok()?;
        root.draw(&Circle::new((lx + 12, ly), 3, RED.filled()))
            .ok()?;
        let lx2 = ix(lx2);
        root.draw(&PathElement::new(
            vec![(lx2, ly), (lx2 + 7, ly)],
            GREY.stroke_width(2),
        ))
        .ok()?;
        root.draw(&PathElement::new(
            vec![(lx2 + 17, ly), (lx2 + 24, ly)],
            GREY.stroke_width(2),
        ))
        .ok()?;
        root.draw(&Rectangle::new(
            [(lx2 + 9, ly - 3), (lx2 + 15, ly + 3)],
            GREY.stroke_width(2),
        ))
        .ok()?;
        Some(())
    });
    let desc = format!(
        "{}至{}，走访群众{}户，收集民情事项{}件，解决{}件。逐月数字见图下表格。",
        keys.first().map(String::as_str).unwrap_or(""),
        keys.last().map(String::as_str).unwrap_or(""),
        total.households_visited,
        total.cases,
        total.resolved
    );
    frame(id, (WIDTH, h), title, &desc, &s, &t)
}

// ---------------------------------------------------------------------------------------
// Horizontal bars

/// One row of a horizontal bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The value as shown at the bar's end.
    pub text: String,
    /// Drawn grey: the row that adds up the rest of a long list.
    pub rest: bool,
}

/// A horizontal bar chart; the axis runs from 0 to `top` with ticks every `step`.
struct HBars<'a> {
    id: &'a str,
    title: &'a str,
    desc: String,
    axis: &'a str,
    rows: Vec<Bar>,
    top: f64,
    step: f64,
    tick: &'a dyn Fn(f64) -> String,
    /// A reference value drawn as a dashed line across the rows, with its label.
    marker: Option<(f64, String)>,
    /// Values inside the bar's end, in white, where the bar is long enough: keeps them
    /// clear of the marker line.
    inside: bool,
}

fn hbars(spec: HBars<'_>) -> String {
    const FS: f64 = LABEL as f64;
    let max_label = 9.0 * FS;
    let wrapped: Vec<Vec<String>> = spec
        .rows
        .iter()
        .map(|r| wrap(&r.label, FS, max_label, 2))
        .collect();
    let label_w = wrapped
        .iter()
        .flatten()
        .map(|l| text_width(l, FS))
        .fold(0.0, f64::max);
    let two = wrapped.iter().any(|l| l.len() > 1);
    let row_h = if two { 38.0 } else { 26.0 };
    let n = spec.rows.len();
    let plot_top = if spec.marker.is_some() { 58.0 } else { 40.0 };
    let plot_bottom = plot_top + row_h * n as f64;
    let h = (plot_bottom + 46.0).round() as u32;
    let w = f64::from(WIDTH);
    let left = (8.0 + label_w + 10.0).round();
    let value_w = spec
        .rows
        .iter()
        .map(|r| text_width(&r.text, f64::from(VALUE)))
        .fold(0.0, f64::max);
    let right = (value_w + 14.0).max(20.0).round();
    let px = |v: f64| left + v / spec.top * (w - left - right);
    let row_y = |i: usize| plot_top + row_h * (i as f64 + 0.5);

    let mut t = Texts::new(f64::from(WIDTH));
    t.title(spec.title);
    for (i, lines) in wrapped.iter().enumerate() {
        let y = row_y(i) + 4.0 - (lines.len() as f64 - 1.0) * 7.0;
        for (k, line) in lines.iter().enumerate() {
            t.put(
                left - 8.0,
                y + 15.0 * k as f64,
                LABEL,
                Anchor::End,
                INK,
                line,
            );
        }
        let r = &spec.rows[i];
        let end = px(r.value.clamp(0.0, spec.top));
        let tw = text_width(&r.text, f64::from(VALUE));
        if spec.inside && !r.rest && end - left >= tw + 10.0 {
            // Right-aligned at the bar's end, or just left of the marker if it would cross.
            let mut x = end - 5.0;
            if let Some((m, _)) = &spec.marker {
                let mx = px(*m);
                if mx >= x - tw - 3.0 && mx <= x + 3.0 && mx - 5.0 - tw >= left + 3.0 {
                    x = mx - 5.0;
                }
            }
            t.put(x, row_y(i) + 4.0, VALUE, Anchor::End, "#fff", &r.text);
        } else {
            let mut x = end + 4.0;
            if let Some((m, _)) = &spec.marker {
                let mx = px(*m);
                if mx >= x - 3.0 && mx <= x + tw + 3.0 {
                    x = mx + 6.0;
                }
            }
            t.put(x, row_y(i) + 4.0, VALUE, Anchor::Start, INK, &r.text);
        }
    }
    let mut v = 0.0;
    while v <= spec.top + 1e-9 {
        t.put(
            px(v),
            plot_bottom + 16.0,
            TICK,
            Anchor::Middle,
            MUTED,
            &(spec.tick)(v),
        );
        v += spec.step;
    }
    t.put(
        (left + w - right) / 2.0,
        plot_bottom + 36.0,
        AXIS_FS,
        Anchor::Middle,
        INK,
        spec.axis,
    );
    if let Some((m, label)) = &spec.marker {
        let half = text_width(label, f64::from(VALUE)) / 2.0;
        let x = px(*m).clamp(half + 4.0, w - half - 4.0);
        t.put(x, plot_top - 8.0, VALUE, Anchor::Middle, INK, label);
    }

    let s = shapes((WIDTH, h), |root| {
        let area = root.margin(
            plot_top as i32,
            h as i32 - plot_bottom as i32,
            left as i32,
            right as i32,
        );
        let nf = n as f64;
        let mut chart = ChartBuilder::on(&area)
            .build_cartesian_2d(0f64..spec.top, 0f64..nf)
            .ok()?;
        let mut v = 0.0;
        let mut grid = Vec::new();
        while v <= spec.top + 1e-9 {
            grid.push(PathElement::new(vec![(v, 0.0), (v, nf)], GRID));
            v += spec.step;
        }
        chart.draw_series(grid).ok()?;
        // Row i from the top spans nf - i - 1 .. nf - i.
        chart
            .draw_series(spec.rows.iter().enumerate().map(|(i, r)| {
                let y = nf - i as f64;
                let color = if r.rest { REST } else { RED };
                Rectangle::new(
                    [(0.0, y - 0.8), (r.value.clamp(0.0, spec.top), y - 0.2)],
                    color.filled(),
                )
            }))
            .ok()?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, nf)],
                AXIS,
            )))
            .ok()?;
        if let Some((m, _)) = &spec.marker {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(*m, 0.0), (*m, nf)],
                    5,
                    3,
                    GREY.stroke_width(2),
                ))
                .ok()?;
            let (x, y) = chart.backend_coord(&(*m, nf));
            root.draw(&PathElement::new(
                vec![(x, y - 4), (x, y)],
                GREY.stroke_width(2),
            ))
            .ok()?;
        }
        Some(())
    });
    frame(spec.id, (WIDTH, h), spec.title, &spec.desc, &s, &t)
}

/// Cases by category, largest first: `rows` are (category, cases), already in that order.
/// Beyond [`TOP`] categories the rest are added up in one grey row.
pub fn categories(id: &str, title: &str, rows: &[(String, u64)]) -> String {
    let total: u64 = rows.iter().map(|r| r.1).sum();
    if total == 0 {
        return empty(id, title);
    }
    let mut bars: Vec<Bar> = rows
        .iter()
        .take(TOP)
        .map(|(name, n)| Bar {
            label: name.clone(),
            value: *n as f64,
            text: n.to_string(),
            rest: false,
        })
        .collect();
    if rows.len() > TOP {
        let rest: u64 = rows[TOP..].iter().map(|r| r.1).sum();
        // No bar: it would dwarf the others. Its total is written out instead.
        bars.push(Bar {
            label: format!("其余{}类", rows.len() - TOP),
            value: 0.0,
            text: format!("合计{rest}件"),
            rest: true,
        });
    }
    let max = bars.iter().map(|b| b.value as u64).max().unwrap_or(0);
    let (top, step) = nice_axis(max, 5);
    let listed: Vec<String> = rows
        .iter()
        .take(3)
        .map(|(c, n)| format!("{c}{n}件"))
        .collect();
    let desc = format!(
        "共{}类{}件，最多的是{}。各类数字见图下表格。",
        rows.len(),
        total,
        listed.join("、")
    );
    hbars(HBars {
        id,
        title,
        desc,
        axis: "民情事项（件）",
        rows: bars,
        top: top as f64,
        step: step as f64,
        tick: &|v| format!("{v:.0}"),
        marker: None,
        inside: false,
    })
}

/// One community's cases, for the resolution-rate chart.
#[derive(Debug, Clone)]
pub struct RateRow {
    pub name: String,
    pub cases: u64,
    pub resolved: u64,
}

fn rate_of(resolved: u64, cases: u64) -> f64 {
    crate::aggregate::rate(resolved, cases)
}

/// Resolution rate by community, with the overall rate marked. Beyond [`TOP`] communities
/// the ones with the most cases are shown and the rest added up in one grey row.
pub fn resolution(id: &str, title: &str, rows: &[RateRow], overall_label: &str) -> String {
    let cases: u64 = rows.iter().map(|r| r.cases).sum();
    let resolved: u64 = rows.iter().map(|r| r.resolved).sum();
    if cases == 0 {
        return empty(id, title);
    }
    let mut shown: Vec<&RateRow> = rows.iter().collect();
    let mut rest = None;
    if rows.len() > TOP {
        shown.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.name.cmp(&b.name)));
        let others = &shown[TOP..];
        rest = Some((
            others.len(),
            others.iter().map(|r| r.cases).sum::<u64>(),
            others.iter().map(|r| r.resolved).sum::<u64>(),
        ));
        shown.truncate(TOP);
    }
    let bar = |label: String, c: u64, r: u64, is_rest: bool| {
        let rate = rate_of(r, c);
        Bar {
            label,
            value: rate * 100.0,
            text: if c == 0 {
                "无事项".to_string()
            } else {
                percent(rate)
            },
            rest: is_rest,
        }
    };
    let mut bars: Vec<Bar> = shown
        .iter()
        .map(|r| bar(r.name.clone(), r.cases, r.resolved, false))
        .collect();
    if let Some((k, c, r)) = rest {
        bars.push(bar(format!("其余{k}个社区"), c, r, true));
    }
    let overall = rate_of(resolved, cases);
    let desc = format!(
        "{}办结率{}（{}件中解决{}件）。{}各社区数字见表格。",
        overall_label,
        percent(overall),
        cases,
        resolved,
        if rest.is_some() {
            format!("图中列出民情事项最多的{TOP}个社区。")
        } else {
            String::new()
        }
    );
    hbars(HBars {
        id,
        title,
        desc,
        axis: "办结率（%）",
        rows: bars,
        top: 100.0,
        step: 20.0,
        tick: &|v| format!("{v:.0}%"),
        marker: Some((
            overall * 100.0,
            format!("{overall_label} {}", percent(overall)),
        )),
        inside: true,
    })
}

/// Stewards by membership (在册 / 在职 / 两新), with each group's share.
pub fn membership(id: &str, title: &str, rows: &[(String, u64)]) -> String {
    let total: u64 = rows.iter().map(|r| r.1).sum();
    if total == 0 {
        return empty(id, title);
    }
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(label, n)| Bar {
            label: format!("{label}党员"),
            value: *n as f64,
            text: format!("{n}名（{}）", percent(rate_of(*n, total))),
            rest: false,
        })
        .collect();
    let (top, step) = nice_axis(rows.iter().map(|r| r.1).max().unwrap_or(0), 5);
    let parts: Vec<String> = rows.iter().map(|(l, n)| format!("{l}{n}名")).collect();
    let desc = format!("红管家{}名：{}。", total, parts.join("、"));
    hbars(HBars {
        id,
        title,
        desc,
        axis: "红管家（名）",
        rows: bars,
        top: top as f64,
        step: step as f64,
        tick: &|v| format!("{v:.0}"),
        marker: None,
        inside: false,
    })
}

// ---------------------------------------------------------------------------------------
// Columns

/// A vertical bar chart with the value over each bar.
fn columns(
    id: &str,
    title: &str,
    desc: &str,
    (y_title, x_title): (&str, &str),
    labels: &[String],
    values: &[u64],
) -> String {
    let n = values.len();
    let max = values.iter().copied().max().unwrap_or(0);
    let (top, step) = axis_with_room(max, 4, 150.0, 6.0);
    let w = f64::from(WIDTH);
    let left = (text_width(&tick_label(top), f64::from(TICK)) + 18.0).round();
    let right = 14.0;
    let (p0, p1) = (64.0, 214.0);
    let h = 258u32;
    let slot = (w - left - right) / n.max(1) as f64;
    let px = |i: f64| left + i * slot;
    let py = |v: f64| p1 - v / top as f64 * (p1 - p0);

    let mut t = Texts::new(f64::from(WIDTH));
    t.title(title);
    t.put(left, p0 - 12.0, AXIS_FS, Anchor::Start, INK, y_title);
    y_grid(&mut t, left, py, top, step);
    let show_values = values
        .iter()
        .all(|v| text_width(&v.to_string(), f64::from(VALUE)) + 2.0 <= slot);
    let every = label_step(
        labels,
        slot,
        f64::from(TICK),
        (left + slot / 2.0, w - right - slot / 2.0, w),
    );
    for (i, label) in labels.iter().enumerate() {
        let cx = px(i as f64 + 0.5);
        if i % every == 0 {
            t.put(cx, p1 + 16.0, TICK, Anchor::Middle, MUTED, label);
        }
        if show_values {
            t.put(
                cx,
                py(values[i] as f64) - 4.0,
                VALUE,
                Anchor::Middle,
                INK,
                &values[i].to_string(),
            );
        }
    }
    t.put(
        (left + w - right) / 2.0,
        p1 + 36.0,
        AXIS_FS,
        Anchor::Middle,
        INK,
        x_title,
    );

    let s =
        shapes((WIDTH, h), |root| {
            let area = root.margin(p0 as i32, h as i32 - p1 as i32, left as i32, right as i32);
            let mut chart = ChartBuilder::on(&area)
                .build_cartesian_2d(0f64..n as f64, 0f64..top as f64)
                .ok()?;
            chart
                .draw_series(ticks(top, step).map(|tk| {
                    PathElement::new(vec![(0.0, tk as f64), (n as f64, tk as f64)], GRID)
                }))
                .ok()?;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    let x = i as f64;
                    Rectangle::new([(x + 0.2, 0.0), (x + 0.8, *v as f64)], RED.filled())
                }))
                .ok()?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, 0.0), (n as f64, 0.0)],
                    AXIS,
                )))
                .ok()?;
            Some(())
        });
    frame(id, (WIDTH, h), title, desc, &s, &t)
}

/// Ten-year age bands, `(label, stewards)`, from birth years and the year the figures are
/// as of; bands between the youngest and the oldest are all listed, empty ones too. None
/// when no steward has a usable birth year.
pub fn age_bands(
    birth_years: impl IntoIterator<Item = u16>,
    as_of_year: u16,
) -> Option<Vec<(String, u64)>> {
    let mut counts: std::collections::BTreeMap<u16, u64> = std::collections::BTreeMap::new();
    for y in birth_years {
        let Some(age) = as_of_year.checked_sub(y) else {
            continue;
        };
        if !(10..=120).contains(&age) {
            continue;
        }
        *counts.entry(age / 10 * 10).or_default() += 1;
    }
    let (first, last) = (*counts.keys().next()?, *counts.keys().next_back()?);
    Some(
        (first..=last)
            .step_by(10)
            .map(|b| {
                (
                    format!("{}–{}岁", b, b + 9),
                    counts.get(&b).copied().unwrap_or(0),
                )
            })
            .collect(),
    )
}

/// Stewards by age band, from [`age_bands`].
pub fn ages(id: &str, title: &str, bands: &[(String, u64)], as_of_year: u16) -> String {
    let total: u64 = bands.iter().map(|b| b.1).sum();
    if total == 0 {
        return empty(id, title);
    }
    let labels: Vec<String> = bands.iter().map(|b| b.0.clone()).collect();
    let values: Vec<u64> = bands.iter().map(|b| b.1).collect();
    let parts: Vec<String> = bands.iter().map(|(l, n)| format!("{l}{n}名")).collect();
    let desc = format!(
        "填写了出生年份的红管家{}名，按{}年的年龄分：{}。",
        total,
        as_of_year,
        parts.join("、")
    );
    columns(
        id,
        title,
        &desc,
        ("红管家（名）", &format!("年龄（按{as_of_year}年计）")),
        &labels,
        &values,
    )
}

/// Households visited on door-knocking days (敲门日), per month.
pub fn door_knocking(id: &str, title: &str, months: &[Month]) -> String {
    let values: Vec<u64> = months
        .iter()
        .map(|m| m.counts.door_knocking_households)
        .collect();
    let total: u64 = values.iter().sum();
    if total == 0 {
        return empty(id, title);
    }
    let keys: Vec<String> = months.iter().map(|m| m.key.clone()).collect();
    let (labels, x_title) = month_labels(&keys);
    let desc = format!(
        "{}至{}，敲门日共走访{}户。逐月数字见图下表格。",
        keys.first().map(String::as_str).unwrap_or(""),
        keys.last().map(String::as_str).unwrap_or(""),
        total
    );
    columns(
        id,
        title,
        &desc,
        ("敲门日走访户数（户）", &x_title),
        &labels,
        &values,
    )
}

// ---------------------------------------------------------------------------------------
// Per steward: a small chart written by hand, cheap enough for tens of thousands of pages.

/// A steward's households visited per month, as small bars with their values.
///
/// `keys` are the months (`YYYY-MM`), shared by every steward of a site, and `values` the
/// households visited in each.
pub fn activity(id: &str, title: &str, keys: &[String], values: &[u64]) -> String {
    const W: f64 = 480.0;
    let n = keys.len().min(values.len());
    let (keys, values) = (&keys[..n], &values[..n]);
    let total: u64 = values.iter().sum();
    if total == 0 {
        return empty(id, title);
    }
    let (labels, x_title) = month_labels(keys);
    let max = values.iter().copied().max().unwrap_or(1).max(1);
    let (left, right, p0, p1) = (12.0, 12.0, 60.0, 122.0);
    let h = 160.0;
    let slot = (W - left - right) / n as f64;
    let show_values = text_width(&max.to_string(), 11.0) + 2.0 <= slot;
    let every = label_step(
        &labels,
        slot,
        11.0,
        (left + slot / 2.0, W - right - slot / 2.0, W),
    );
    let mut t = Texts::new(f64::from(WIDTH));
    let line = wrap(title, 15.0 * 1.05, W - 16.0, 1).swap_remove(0);
    t.styled(8.0, 20.0, 15, Anchor::Start, INK, true, &line);
    t.put(
        left,
        40.0,
        12,
        Anchor::Start,
        MUTED,
        &format!("单位：户（最多{max}户）"),
    );
    let mut bars = String::from("<g fill=\"#b3121b\">");
    let (mut shown, mut marks) = (Vec::new(), Vec::new());
    for (i, v) in values.iter().enumerate() {
        let x = left + slot * i as f64;
        let cx = x + slot / 2.0;
        let bh = (*v as f64 / max as f64 * (p1 - p0)).round();
        if *v > 0 {
            let _ = write!(
                bars,
                "<rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\"/>",
                x + slot * 0.2,
                p1 - bh,
                slot * 0.6,
                bh.max(1.0)
            );
            if show_values {
                shown.push((cx, p1 - bh - 3.0, v.to_string()));
            }
        }
        if i % every == 0 {
            marks.push((cx, p1 + 14.0, labels[i].clone()));
        }
    }
    bars.push_str("</g>");
    t.group(11, Anchor::Middle, INK, &shown);
    t.group(11, Anchor::Middle, MUTED, &marks);
    let _ = write!(
        bars,
        "<line x1=\"{left}\" y1=\"{p1}\" x2=\"{}\" y2=\"{p1}\" stroke=\"#888\"/>",
        W - right
    );
    t.put(W / 2.0, p1 + 32.0, 12, Anchor::Middle, MUTED, &x_title);
    let desc = format!(
        "{}至{}，共走访{}户。逐月数字见图下表格。",
        keys.first().map(String::as_str).unwrap_or(""),
        keys.last().map(String::as_str).unwrap_or(""),
        total
    );
    // Same frame as the plotters charts; the bars stand in for plotters' document.
    let doc = format!("<svg>{bars}</svg>");
    frame(id, (W as u32, h as u32), title, &desc, &doc, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2.1 contrast ratio of two sRGB colours.
    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        fn luminance(c: RGBColor) -> f64 {
            let lin = |v: u8| {
                let v = f64::from(v) / 255.0;
                if v <= 0.039_28 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
        }
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    fn hex(text: &str) -> RGBColor {
        let h = text.trim_start_matches('#');
        let full: String = if h.len() == 3 {
            h.chars().flat_map(|c| [c, c]).collect()
        } else {
            h.to_string()
        };
        let byte = |i: usize| u8::from_str_radix(&full[i..i + 2], 16).expect("hex colour");
        RGBColor(byte(0), byte(1), byte(2))
    }

    #[test]
    fn chart_colours_meet_wcag_aa_on_the_page() {
        let page = WHITE;
        assert!((contrast(WHITE, BLACK) - 21.0).abs() < 1e-9);
        // Text: 4.5:1 (1.4.3), including values written in white on a red bar.
        for (name, colour, on) in [
            ("INK", hex(INK), page),
            ("MUTED", hex(MUTED), page),
            ("values on bars", WHITE, RED),
        ] {
            let ratio = contrast(colour, on);
            assert!(ratio >= 4.5, "{name}: {ratio:.2}:1 is below 4.5:1");
        }
        // Bars, lines, markers and axes: 3:1 (1.4.11).
        for (name, colour) in [("RED", RED), ("GREY", GREY), ("REST", REST), ("AXIS", AXIS)] {
            let ratio = contrast(colour, page);
            assert!(ratio >= 3.0, "{name}: {ratio:.2}:1 is below 3:1");
        }
        // The rest bar still differs from the named ones in greyscale.
        assert!(contrast(REST, GREY) >= 1.5);
    }

    #[test]
    fn axis_figures_read_as_pages_write_them() {
        assert_eq!(tick_label(800), "800");
        assert_eq!(tick_label(25_000), "2.5万");
    }

    #[test]
    fn chinese_is_measured_by_characters_not_bytes() {
        assert_eq!(text_width("楼道堆物", 12.0), 48.0);
        assert!(text_width("2018", 12.0) < 30.0);
        assert!(text_width("（件）", 10.0) >= 30.0);
    }

    #[test]
    fn long_labels_wrap_and_end_in_an_ellipsis() {
        let lines = wrap(
            "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑",
            12.0,
            48.0,
            2,
        );
        assert_eq!(lines, ["一二三四", "五六七…"]);
        assert_eq!(wrap("停车", 12.0, 48.0, 2), ["停车"]);
        assert_eq!(wrap("", 12.0, 48.0, 2), [""]);
    }

    #[test]
    fn axes_are_round() {
        assert_eq!(nice_axis(0, 4), (1, 1));
        assert_eq!(nice_axis(233, 5), (250, 50));
        assert_eq!(nice_axis(612, 4), (800, 200));
        assert_eq!(nice_axis(7, 4), (8, 2));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn age_bands_count_from_the_figures_year() {
        let bands = age_bands([1950, 1958, 1975, 2030], 2018).expect("bands");
        assert_eq!(
            bands,
            [
                ("40–49岁".to_string(), 1),
                ("50–59岁".to_string(), 0),
                ("60–69岁".to_string(), 2)
            ]
        );
        assert!(age_bands([], 2018).is_none());
    }
}
