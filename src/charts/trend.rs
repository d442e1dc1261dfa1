//! Monthly trend: households visited (bars) over cases raised and resolved (lines).

use plotters::prelude::*;

use super::RED;
use super::*;

/// One month of a trend chart.
#[derive(Debug, Clone)]
pub struct Month {
    /// `YYYY-MM`.
    pub key: String,
    /// The month's figures.
    pub counts: Counts,
}

/// Writes a panel's y tick labels, right-aligned left of the plot.
pub(super) fn y_grid(texts: &mut Texts, left: f64, px_y: impl Fn(f64) -> f64, top: u64, step: u64) {
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
    let h = 418u32;
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

    let show_values = text_width(&figure(bar_max.max(line_max)), f64::from(VALUE)) + 2.0 <= slot;
    let step = label_step(
        &labels,
        slot,
        f64::from(TICK),
        (left + slot / 2.0, w - right - slot / 2.0, w),
    );
    for (i, label) in labels.iter().enumerate() {
        let cx = px_x(i as f64 + 0.5);
        if i % step == 0 {
            t.put(cx, b1 + 18.0, TICK, Anchor::Middle, MUTED, label);
        }
        if show_values && hh[i] > 0 {
            t.put(
                cx,
                ya(hh[i] as f64) - 4.0,
                VALUE,
                Anchor::Middle,
                INK,
                &figure(hh[i]),
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
            t.put(cx, hi - 7.0, VALUE, Anchor::Middle, INK, &figure(hi_v));
            if lo + 15.0 <= b1 - 2.0 {
                t.put(cx, lo + 16.0, VALUE, Anchor::Middle, INK, &figure(lo_v));
            } else if lo - hi >= 26.0 {
                t.put(cx, lo - 7.0, VALUE, Anchor::Middle, INK, &figure(lo_v));
            }
        }
    }
    t.put(
        (left + w - right) / 2.0,
        b1 + 40.0,
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
        figure(total.households_visited),
        figure(total.cases),
        figure(total.resolved)
    );
    frame(id, (WIDTH, h), title, &desc, &s, &t)
}
