//! Scales: round axis steps and percentages.

use super::*;

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
pub(super) fn axis_with_room(max: u64, steps: u64, height: f64, room: f64) -> (u64, u64) {
    let mut want = max;
    loop {
        let (top, step) = nice_axis(want, steps);
        if (top - max) as f64 / top as f64 * height >= room || top >= u64::MAX / 20 {
            return (top, step);
        }
        want = top + 1;
    }
}

pub(super) fn ticks(top: u64, step: u64) -> impl Iterator<Item = u64> {
    (0..=top / step.max(1)).map(move |i| i * step)
}

/// `0.4473` → `44.7%`, as the pages show rates.
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// Month labels for `YYYY-MM` keys: `1` … `12` when all fall in one year (the axis title
/// says 月份 and the year: a phone has room for twelve numbers, not for twelve `10月`),
/// else the keys themselves.
pub(super) fn month_labels(keys: &[String]) -> (Vec<String>, String) {
    let year = |k: &str| k.get(..4).unwrap_or("").to_string();
    let first = keys.first().map(|k| year(k)).unwrap_or_default();
    if keys.iter().all(|k| year(k) == first) {
        let labels = keys
            .iter()
            .map(|k| {
                let m: u32 = k.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
                m.to_string()
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
pub(super) fn label_step(
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
