//! Figures as Chinese readers expect them: `2.6万`, `699.96万`, `1.2亿` in headings, cards
//! and chart axes; `6,999,642` where the exact number matters (tables). One function, so
//! that every page and chart writes the same figure the same way; templates reach it as
//! the filter `big_number`.
//!
//! Both forms write a whole number of up to four digits as it is (`6354`, never `6,354`)
//! and group longer ones by thousands with a comma: GB/T 15835-2011 lets four-digit
//! integers go ungrouped, and a tile's `6354` and a table's `1070` then read alike.
//! A figure is written straight against the Chinese around it, with no space: `648名`,
//! `4.7万人`, `共1263条` (GB/T 15835's examples; the tiles set the unit apart by style).

/// `26000` → `2.6万`, `6999642` → `699.96万`, `9876` → `9876`: below 10,000 as it is,
/// then 万 and 亿 with at most two decimals.
pub fn compact(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let abs = value.abs();
    if abs < 10_000.0 {
        return plain(value);
    }
    let wan = round2(value / 10_000.0);
    if wan.abs() < 10_000.0 {
        return format!("{}万", plain(wan));
    }
    format!("{}亿", plain(round2(value / 100_000_000.0)))
}

/// `6999642` → `6,999,642`: every digit, grouped by thousands from five digits on
/// (`1070` stays `1070`).
pub fn exact(value: f64) -> String {
    let text = plain(value);
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && int.len() > 4 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Whole numbers without `.0`; others with at most two decimals, no trailing zeros.
fn plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The Tera filter: `{{ n | big_number }}` for headings and cards,
/// `{{ n | big_number(exact=true) }}` in tables.
pub(crate) fn filter(
    value: f64,
    kwargs: tera::Kwargs,
    _: &tera::State,
) -> tera::TeraResult<String> {
    let exact_wanted = kwargs.get::<bool>("exact")?.unwrap_or(false);
    Ok(if exact_wanted {
        exact(value)
    } else {
        compact(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_figures_read_in_wan_and_yi() {
        assert_eq!(compact(26_000.0), "2.6万");
        assert_eq!(compact(6_999_642.0), "699.96万");
        assert_eq!(compact(10_000.0), "1万");
        assert_eq!(compact(9_999.0), "9999");
        assert_eq!(compact(1_122.0), "1122");
        assert_eq!(compact(3.55), "3.55");
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(123_456_789.0), "1.23亿");
        // Rounds up into 亿 rather than printing 10000万.
        assert_eq!(compact(99_999_999.0), "1亿");
    }

    #[test]
    fn exact_figures_group_thousands() {
        assert_eq!(exact(6_999_642.0), "6,999,642");
        assert_eq!(exact(999.0), "999");
        assert_eq!(exact(12_345.0), "12,345");
        assert_eq!(exact(-12_345.5), "-12,345.5");
    }

    #[test]
    fn four_digits_read_alike_in_tables_and_tiles() {
        for n in [1_000.0, 1_070.0, 6_354.0, 9_999.0] {
            assert_eq!(exact(n), compact(n), "{n}");
        }
        assert_eq!(exact(1_070.0), "1070");
        assert_eq!(exact(-1_070.5), "-1070.5");
    }
}
