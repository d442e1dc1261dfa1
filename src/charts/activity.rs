//! Per steward: a small chart written by hand, cheap enough for tens of thousands of pages.

use std::fmt::Write as _;

use super::*;

/// A steward's households visited per month, as small bars with their values.
///
/// `keys` are the months (`YYYY-MM`), shared by every steward of a site, and `values` the
/// households visited in each.
pub fn activity(id: &str, title: &str, keys: &[String], values: &[u64]) -> String {
    pub(super) const W: f64 = WIDTH as f64;
    // Labels and values at the smallest size of the other charts (see `charts::TICK`).
    pub(super) const FS: f64 = TICK as f64;
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
    let show_values = text_width(&figure(max), FS) + 2.0 <= slot;
    let every = label_step(
        &labels,
        slot,
        FS,
        (left + slot / 2.0, W - right - slot / 2.0, W),
    );
    let mut t = Texts::new(f64::from(WIDTH));
    let line = wrap(title, 15.0 * 1.05, W - 16.0, 1).swap_remove(0);
    t.styled(8.0, 20.0, 15, Anchor::Start, INK, true, &line);
    t.put(
        left,
        40.0,
        TICK,
        Anchor::Start,
        MUTED,
        &format!("单位：户（最多{}户）", figure(max)),
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
                shown.push((cx, p1 - bh - 3.0, figure(*v)));
            }
        }
        if i % every == 0 {
            marks.push((cx, p1 + 14.0, labels[i].clone()));
        }
    }
    bars.push_str("</g>");
    t.group(TICK, Anchor::Middle, INK, &shown);
    t.group(TICK, Anchor::Middle, MUTED, &marks);
    let _ = write!(
        bars,
        "<line x1=\"{left}\" y1=\"{p1}\" x2=\"{}\" y2=\"{p1}\" stroke=\"#888\"/>",
        W - right
    );
    t.put(W / 2.0, p1 + 34.0, TICK, Anchor::Middle, MUTED, &x_title);
    let desc = format!(
        "{}至{}，共走访{}户。逐月数字见图下表格。",
        keys.first().map(String::as_str).unwrap_or(""),
        keys.last().map(String::as_str).unwrap_or(""),
        figure(total)
    );
    // Same frame as the plotters charts; the bars stand in for plotters' document.
    let doc = format!("<svg>{bars}</svg>");
    frame(id, (W as u32, h as u32), title, &desc, &doc, &t)
}
