//! Calendar dates: records only ever need days, never times or zones.

use std::fmt;

use serde::Serialize;

/// A calendar date. Records only ever need days, never times or zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Four digits.
    pub year: u16,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
}

impl Date {
    /// A date that exists in the calendar, or none.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// `YYYY-MM`, the key of monthly figures.
    pub fn month_key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `2018年12月10日`, as Chinese documents write dates.
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01, for turning `SOURCE_DATE_EPOCH` into a date and back.
    pub fn from_unix_days(days: i64) -> Option<Date> {
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }
}

impl Date {
    /// `YYYY-MM-DD` in `buf`, as [`Display`](fmt::Display) writes it, without the
    /// formatting machinery: a city's pages show some three million dates. None for a
    /// year past 9999, which `Display` writes with five digits.
    pub(crate) fn iso<'b>(&self, buf: &'b mut [u8; 10]) -> Option<&'b str> {
        if self.year > 9999 || self.month > 99 || self.day > 99 {
            return None;
        }
        let digit = |n: u16| b'0' + (n % 10) as u8;
        let y = self.year;
        *buf = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(u16::from(self.month) / 10),
            digit(u16::from(self.month)),
            b'-',
            digit(u16::from(self.day) / 10),
            digit(u16::from(self.day)),
        ];
        std::str::from_utf8(buf).ok()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // As a string, without the temporary `collect_str` would make of it.
        match self.iso(&mut [0; 10]) {
            Some(text) => s.serialize_str(text),
            None => s.collect_str(self),
        }
    }
}

pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_iso_form_is_what_display_writes() {
        for (y, m, d) in [
            (2018, 1, 5),
            (999, 12, 31),
            (1, 1, 1),
            (9999, 12, 31),
            (2020, 2, 29),
        ] {
            let date = Date::new(y, m, d).expect("a real date");
            assert_eq!(date.iso(&mut [0; 10]), Some(date.to_string().as_str()));
        }
        let far = Date::new(10_000, 1, 1).expect("a real date");
        assert_eq!(far.iso(&mut [0; 10]), None, "Display writes five digits");
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::new(2018, 2, 29).is_none());
        assert!(Date::new(2020, 2, 29).is_some());
        assert!(Date::new(2018, 13, 1).is_none());
        assert!(Date::new(2018, 4, 31).is_none());
    }

    #[test]
    fn unix_days_round_trip_known_dates() {
        assert_eq!(Date::from_unix_days(0), Date::new(1970, 1, 1));
        // 2018-12-10 is day 17875 since the epoch.
        assert_eq!(Date::from_unix_days(17_875), Date::new(2018, 12, 10));
    }
}
