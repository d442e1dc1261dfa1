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

use plotters::prelude::*;

pub use crate::aggregate::Counts;

mod activity;
mod bars;
mod columns;
mod frame;
mod scale;
mod text;
mod trend;

pub use activity::*;
pub use bars::*;
pub use columns::*;
pub use frame::*;
pub use scale::*;
pub use text::*;
pub use trend::*;

/// Fonts the browser should try for chart text, CJK first.
pub const FONT_STACK: &str = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

/// What a chart with nothing to show says.
pub const NO_DATA: &str = "暂无数据";

/// Long lists (categories, communities) show this many rows, then one row for the rest.
pub const TOP: usize = 20;

/// A chart's own width. A chart is drawn as wide as its column (style.css): about 358 px
/// on a 390 px phone, so 360 units keep every text at least as many pixels as its size
/// below minus a hair (13 → 12.9 px); two charts side by side on a desktop draw it about
/// 450 px wide (16 px labels).
const WIDTH: u32 = 360;
/// Text sizes in pixels at the chart's own width: none below 13, so that a phone shows
/// every label at 12 px or more.
const TITLE: u32 = 17;
const AXIS_FS: u32 = 13;
const LABEL: u32 = 13;
const TICK: u32 = 13;
const VALUE: u32 = 13;
const RED: RGBColor = RGBColor(0xb3, 0x12, 0x1b);
const GREY: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// The "其他" bar: lighter than the others, yet 3:1 against the page (WCAG 1.4.11).
const REST: RGBColor = RGBColor(0x76, 0x76, 0x76);
/// Gridlines only help the eye; the values are written on the bars and in the table.
const GRID: RGBColor = RGBColor(0xe4, 0xdc, 0xdc);
const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
const INK: &str = "#222";
const MUTED: &str = "#555";

/// An axis figure as pages write it: `2.5万`, not `25000`.
fn tick_label(value: u64) -> String {
    crate::numbers::compact(value as f64)
}

/// A value written on a bar or point, or in a description, as the tables write it:
/// `1070`, `12,345`.
fn figure(value: u64) -> String {
    crate::numbers::exact(value as f64)
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
        let bands = crate::aggregate::age_bands([1950, 1958, 1975, 2030], 2018).expect("bands");
        assert_eq!(
            bands,
            [
                ("40–49岁".to_string(), 1),
                ("50–59岁".to_string(), 0),
                ("60–69岁".to_string(), 2)
            ]
        );
        assert!(crate::aggregate::age_bands([], 2018).is_none());
    }
}
