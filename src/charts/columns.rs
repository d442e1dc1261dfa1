//! Columns: age bands and door-knocking months.

use plotters::prelude::*;

use super::RED;
use super::*;

/// A vertical bar chart with the value over each bar.
pub(super) fn columns(
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
    let h = 262u32;
    let slot = (w - left - right) / n.max(1) as f64;
    let px = |i: f64| left + i * slot;
    let py = |v: f64| p1 - v / top as f64 * (p1 - p0);

    let mut t = Texts::new(f64::from(WIDTH));
    t.title(title);
    t.put(left, p0 - 12.0, AXIS_FS, Anchor::Start, INK, y_title);
    y_grid(&mut t, left, py, top, step);
    let show_values = values
        .iter()
        .all(|v| text_width(&figure(*v), f64::from(VALUE)) + 2.0 <= slot);
    let every = label_step(
        labels,
        slot,
        f64::from(TICK),
        (left + slot / 2.0, w - right - slot / 2.0, w),
    );
    for (i, label) in labels.iter().enumerate() {
        let cx = px(i as f64 + 0.5);
        if i % every == 0 {
            t.put(cx, p1 + 18.0, TICK, Anchor::Middle, MUTED, label);
        }
        if show_values {
            t.put(
                cx,
                py(values[i] as f64) - 4.0,
                VALUE,
                Anchor::Middle,
                INK,
                &figure(values[i]),
            );
        }
    }
    t.put(
        (left + w - right) / 2.0,
        p1 + 40.0,
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

/// Stewards by age band, from [`crate::aggregate::age_bands`].
pub fn ages(id: &str, title: &str, bands: &[(String, u64)], as_of_year: u16) -> String {
    let total: u64 = bands.iter().map(|b| b.1).sum();
    if total == 0 {
        return empty(id, title);
    }
    let labels: Vec<String> = bands.iter().map(|b| b.0.clone()).collect();
    let values: Vec<u64> = bands.iter().map(|b| b.1).collect();
    let parts: Vec<String> = bands
        .iter()
        .map(|(l, n)| format!("{l}{}名", figure(*n)))
        .collect();
    let desc = format!(
        "填写了出生年份的红管家{}名，按{}年的年龄分：{}。",
        figure(total),
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
        figure(total)
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
