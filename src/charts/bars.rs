//! Horizontal bars: categories, resolution rates, membership.

use plotters::prelude::*;

use super::RED;
use super::*;

/// One row of a horizontal bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Shown left of the bar.
    pub label: String,
    /// The bar's length, on the chart's scale.
    pub value: f64,
    /// The value as shown at the bar's end.
    pub text: String,
    /// Drawn grey: the row that adds up the rest of a long list.
    pub rest: bool,
}

/// A horizontal bar chart; the axis runs from 0 to `top` with ticks every `step`.
pub(super) struct HBars<'a> {
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

pub(super) fn hbars(spec: HBars<'_>) -> String {
    pub(super) const FS: f64 = LABEL as f64;
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
    ranked(id, title, rows, ("类", "民情事项（件）", "件", "各类"))
}

/// Counts by member of a roll-up (or any named group), largest first as given: `rows` are
/// (name, count); `noun` names the groups (`个成员`), `axis` the count with its unit.
pub fn counts(
    id: &str,
    title: &str,
    rows: &[(String, u64)],
    noun: &str,
    axis: &str,
    unit: &str,
) -> String {
    ranked(id, title, rows, (noun, axis, unit, "各项"))
}

fn ranked(
    id: &str,
    title: &str,
    rows: &[(String, u64)],
    words: (&str, &str, &str, &str),
) -> String {
    let (noun, axis, unit, each) = words;
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
            text: figure(*n),
            rest: false,
        })
        .collect();
    if rows.len() > TOP {
        let rest: u64 = rows[TOP..].iter().map(|r| r.1).sum();
        // No bar: it would dwarf the others. Its total is written out instead.
        bars.push(Bar {
            label: format!("其余{}{noun}", rows.len() - TOP),
            value: 0.0,
            text: format!("合计{}{unit}", figure(rest)),
            rest: true,
        });
    }
    let max = bars.iter().map(|b| b.value as u64).max().unwrap_or(0);
    let (top, step) = nice_axis(max, 5);
    let listed: Vec<String> = rows
        .iter()
        .take(3)
        .map(|(c, n)| format!("{c}{}{unit}", figure(*n)))
        .collect();
    let desc = format!(
        "共{}{noun}{}{unit}，最多的是{}。{each}数字见图下表格。",
        rows.len(),
        total,
        listed.join("、")
    );
    hbars(HBars {
        id,
        title,
        desc,
        axis,
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
    /// The community's name.
    pub name: String,
    /// Cases raised.
    pub cases: u64,
    /// Of those, resolved.
    pub resolved: u64,
}

pub(super) fn rate_of(resolved: u64, cases: u64) -> f64 {
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
        figure(cases),
        figure(resolved),
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
            text: format!("{}名（{}）", figure(*n), percent(rate_of(*n, total))),
            rest: false,
        })
        .collect();
    let (top, step) = nice_axis(rows.iter().map(|r| r.1).max().unwrap_or(0), 5);
    let parts: Vec<String> = rows
        .iter()
        .map(|(l, n)| format!("{l}{}名", figure(*n)))
        .collect();
    let desc = format!("红管家{}名：{}。", figure(total), parts.join("、"));
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
