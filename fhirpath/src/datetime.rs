//! `System.Date`, `System.DateTime` and `System.Time` as partial values:
//! each component is present or not, so the precision is exactly what was
//! written. Comparison follows the FHIRPath rule that values of different
//! precision whose common components are equal compare as *unknown* (empty).

use std::cmp::Ordering;
use std::fmt;

use crate::decimal::Dec;

/// Which of the three temporal types a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemporalKind {
    Date,
    DateTime,
    Time,
}

/// A date, date-time or time with only the components that were given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Temporal {
    pub kind: TemporalKind,
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub day: Option<u32>,
    pub hour: Option<u32>,
    pub minute: Option<u32>,
    pub second: Option<u32>,
    /// Fraction-of-second digits as written (`"123"`).
    pub fraction: Option<String>,
    /// Time-zone offset in minutes.
    pub tz: Option<i32>,
}

fn num(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        i32::try_from(y).unwrap_or(0),
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

impl Temporal {
    fn empty(kind: TemporalKind) -> Temporal {
        Temporal {
            kind,
            year: None,
            month: None,
            day: None,
            hour: None,
            minute: None,
            second: None,
            fraction: None,
            tz: None,
        }
    }

    /// Parses `YYYY[-MM[-DD]]`.
    pub fn parse_date(s: &str) -> Option<Temporal> {
        let mut t = Temporal::empty(TemporalKind::Date);
        t.set_date(s)?;
        Some(t)
    }

    fn set_date(&mut self, s: &str) -> Option<()> {
        let mut parts = s.split('-');
        self.year = Some(i32::try_from(num(parts.next()?, 4)?).ok()?);
        if let Some(m) = parts.next() {
            let m = num(m, 2).filter(|m| (1..=12).contains(m))?;
            self.month = Some(m);
            if let Some(d) = parts.next() {
                let y = self.year?;
                let d = num(d, 2).filter(|d| *d >= 1 && *d <= days_in_month(y, m))?;
                self.day = Some(d);
            }
        }
        parts.next().is_none().then_some(())
    }

    /// Parses `HH[:MM[:SS[.fff]]]` (no time zone).
    pub fn parse_time(s: &str) -> Option<Temporal> {
        let mut t = Temporal::empty(TemporalKind::Time);
        t.set_time(s)?;
        Some(t)
    }

    fn set_time(&mut self, s: &str) -> Option<()> {
        let mut parts = s.split(':');
        self.hour = Some(num(parts.next()?, 2).filter(|h| *h < 24)?);
        if let Some(m) = parts.next() {
            self.minute = Some(num(m, 2).filter(|m| *m < 60)?);
            if let Some(sec) = parts.next() {
                let (sec, frac) = match sec.split_once('.') {
                    Some((s, f)) => (s, Some(f)),
                    None => (sec, None),
                };
                self.second = Some(num(sec, 2).filter(|s| *s < 60)?);
                if let Some(f) = frac {
                    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    self.fraction = Some(f.to_owned());
                }
            }
        }
        parts.next().is_none().then_some(())
    }

    /// Parses a date-time: `YYYY[-MM[-DD]][T[HH[:MM[:SS[.f]]]][Z|(+|-)hh:mm]]`.
    pub fn parse_datetime(s: &str) -> Option<Temporal> {
        let mut t = Temporal::empty(TemporalKind::DateTime);
        let (date, rest) = match s.split_once('T') {
            Some((d, r)) => (d, Some(r)),
            None => (s, None),
        };
        t.set_date(date)?;
        let Some(rest) = rest else { return Some(t) };
        if rest.is_empty() {
            return Some(t);
        }
        let (time, tz) = if let Some(time) = rest.strip_suffix('Z') {
            (time, Some(0))
        } else if let Some(i) = rest.rfind(['+', '-']) {
            let (time, off) = rest.split_at(i);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let (h, m) = off.get(1..)?.split_once(':')?;
            let (h, m) = (
                num(h, 2).filter(|h| *h <= 14)?,
                num(m, 2).filter(|m| *m < 60)?,
            );
            (time, Some(sign * i32::try_from(h * 60 + m).ok()?))
        } else {
            (rest, None)
        };
        t.set_time(time)?;
        t.tz = tz;
        Some(t)
    }

    /// Precision as a level: 1 year, 2 month, 3 day, 4 hour, 5 minute,
    /// 6 second, 7 millisecond (time levels start at 4).
    pub fn level(&self) -> u8 {
        if self.fraction.is_some() {
            7
        } else if self.second.is_some() {
            6
        } else if self.minute.is_some() {
            5
        } else if self.hour.is_some() {
            4
        } else if self.day.is_some() {
            3
        } else if self.month.is_some() {
            2
        } else {
            1
        }
    }

    /// The number of digits of precision, as `precision()` reports it.
    pub fn precision_digits(&self) -> i64 {
        let mut n = 0;
        if self.kind != TemporalKind::Time {
            n = 4;
            if self.month.is_some() {
                n += 2;
            }
            if self.day.is_some() {
                n += 2;
            }
        }
        if self.hour.is_some() {
            n += 2;
        }
        if self.minute.is_some() {
            n += 2;
        }
        if self.second.is_some() {
            n += 2;
        }
        if let Some(f) = &self.fraction {
            n += i64::try_from(f.len()).unwrap_or(0);
        }
        n
    }

    fn seconds_dec(&self) -> Option<Dec> {
        let s = self.second?;
        let text = match &self.fraction {
            Some(f) => format!("{s}.{f}"),
            None => s.to_string(),
        };
        Dec::parse(&text)
    }

    /// This value shifted to UTC when it has a time zone and a time.
    fn utc(&self) -> Temporal {
        let (Some(tz), Some(hour)) = (self.tz, self.hour) else {
            return self.clone();
        };
        if tz == 0 || self.kind == TemporalKind::Time {
            return self.clone();
        }
        let (y, mo, d) = (
            self.year.unwrap_or(1970),
            self.month.unwrap_or(1),
            self.day.unwrap_or(1),
        );
        let minutes = days_from_civil(y, mo, d) * 1440
            + i64::from(hour) * 60
            + i64::from(self.minute.unwrap_or(0))
            - i64::from(tz);
        let (y, mo, d) = civil_from_days(minutes.div_euclid(1440));
        let rem = minutes.rem_euclid(1440);
        let mut t = self.clone();
        t.year = Some(y);
        t.month = Some(mo);
        t.day = Some(d);
        t.hour = u32::try_from(rem / 60).ok();
        if self.minute.is_some() {
            t.minute = u32::try_from(rem % 60).ok();
        }
        t.tz = Some(0);
        t
    }

    /// FHIRPath ordering: `None` when the values differ in precision and are
    /// equal as far as both go.
    pub fn compare(&self, other: &Temporal) -> Option<Ordering> {
        // With a time, a value without time zone cannot be placed against one with.
        if self.hour.is_some() && other.hour.is_some() && self.tz.is_some() != other.tz.is_some() {
            return None;
        }
        let (a, b) = if self.tz.is_some() || other.tz.is_some() {
            (self.utc(), other.utc())
        } else {
            (self.clone(), other.clone())
        };
        let pairs = [
            (a.year.map(i64::from), b.year.map(i64::from)),
            (a.month.map(i64::from), b.month.map(i64::from)),
            (a.day.map(i64::from), b.day.map(i64::from)),
            (a.hour.map(i64::from), b.hour.map(i64::from)),
            (a.minute.map(i64::from), b.minute.map(i64::from)),
        ];
        for (x, y) in pairs {
            match (x, y) {
                (Some(x), Some(y)) if x != y => return Some(x.cmp(&y)),
                (Some(_), Some(_)) | (None, None) => {}
                _ => return None,
            }
        }
        match (a.seconds_dec(), b.seconds_dec()) {
            (Some(x), Some(y)) => Some(x.cmp(y)),
            (None, None) => Some(Ordering::Equal),
            _ => None,
        }
    }

    /// Adds a calendar duration; `unit` is a FHIRPath calendar keyword or
    /// the equivalent UCUM code. `None` for units that are not durations.
    pub fn add(&self, amount: Dec, unit: &str) -> Option<Temporal> {
        let unit = calendar_unit(unit)?;
        let whole = amount.truncate(0).to_integer()?;
        let mut t = self.clone();
        match unit {
            CalUnit::Year => t.add_months(whole.checked_mul(12)?)?,
            CalUnit::Month => t.add_months(whole)?,
            CalUnit::Week => t.add_seconds(Dec::new(whole.checked_mul(7 * 86_400)?, 0))?,
            CalUnit::Day => t.add_seconds(Dec::new(whole.checked_mul(86_400)?, 0))?,
            CalUnit::Hour => t.add_seconds(Dec::new(whole.checked_mul(3600)?, 0))?,
            CalUnit::Minute => t.add_seconds(Dec::new(whole.checked_mul(60)?, 0))?,
            CalUnit::Second => t.add_seconds(amount)?,
            CalUnit::Millisecond => t.add_seconds(amount.div(Dec::from_int(1000))?)?,
        }
        Some(t)
    }

    fn add_months(&mut self, months: i128) -> Option<()> {
        if self.kind == TemporalKind::Time {
            return None;
        }
        let y = i128::from(self.year?);
        match self.month {
            None => self.year = Some(i32::try_from(y + months / 12).ok()?),
            Some(m) => {
                let total = y * 12 + i128::from(m) - 1 + months;
                self.year = Some(i32::try_from(total.div_euclid(12)).ok()?);
                self.month = Some(u32::try_from(total.rem_euclid(12) + 1).ok()?);
                if let (Some(d), Some(y), Some(m)) = (self.day, self.year, self.month) {
                    self.day = Some(d.min(days_in_month(y, m)));
                }
            }
        }
        Some(())
    }

    /// Adds seconds, ignoring parts finer than the value's precision.
    fn add_seconds(&mut self, secs: Dec) -> Option<()> {
        let level = self.level();
        // Below the value's precision, the amount is truncated to it.
        let unit_secs: i128 = match level {
            1 | 2 => {
                let days = secs.div(Dec::from_int(86_400))?.truncate(0).to_integer()?;
                let years = if level == 1 { days / 365 } else { 0 };
                let months = if level == 2 { days / 30 } else { 0 };
                return self.add_months(years * 12 + months);
            }
            3 => 86_400,
            4 => 3600,
            5 => 60,
            _ => 1,
        };
        let whole = secs.truncate(0).to_integer()?;
        let whole = whole - whole % unit_secs;
        let mut total = (i128::from(self.hour.unwrap_or(0)) * 3600
            + i128::from(self.minute.unwrap_or(0)) * 60
            + i128::from(self.second.unwrap_or(0)))
        .checked_add(whole)?;
        if level == 7 {
            // Carry the fraction (milliseconds) part exactly.
            let frac = self.fraction.clone().unwrap_or_default();
            let cur = Dec::parse(&format!("0.{frac}"))?;
            let add_frac = secs.sub(Dec::new(secs.truncate(0).mantissa(), 0))?;
            let sum = cur.add(add_frac)?;
            let carry = sum.floor()?;
            total = total.checked_add(carry)?;
            let f = sum
                .sub(Dec::new(carry, 0))?
                .round(u32::try_from(frac.len()).ok()?);
            let s = f.to_string();
            self.fraction = Some(
                s.split_once('.')
                    .map_or(frac.clone(), |(_, f)| f.to_owned()),
            );
        }
        let day_shift = total.div_euclid(86_400);
        let rem = total.rem_euclid(86_400);
        if self.kind != TemporalKind::Time {
            let days = days_from_civil(self.year?, self.month?, self.day?)
                + i64::try_from(day_shift).ok()?;
            let (y, m, d) = civil_from_days(days);
            self.year = Some(y);
            self.month = Some(m);
            self.day = Some(d);
        }
        if self.hour.is_some() {
            self.hour = u32::try_from(rem / 3600).ok();
        }
        if self.minute.is_some() {
            self.minute = u32::try_from(rem / 60 % 60).ok();
        }
        if self.second.is_some() {
            self.second = u32::try_from(rem % 60).ok();
        }
        Some(())
    }

    /// The earliest (`high == false`) or latest value this one may stand
    /// for, at `digits` of precision (`lowBoundary`/`highBoundary`).
    pub fn boundary(&self, high: bool, digits: Option<i64>) -> Option<Temporal> {
        let mut t = self.clone();
        let digits = digits.unwrap_or(match self.kind {
            TemporalKind::Time => 9,
            _ => 17,
        });
        let y = self.year.unwrap_or(1970);
        if t.hour.is_some() && t.minute.is_none() {
            // An hour alone stands for its first minute (`T08` is `T08:00`).
            t.minute = Some(0);
        }
        let full = |t: &mut Temporal| {
            if t.kind != TemporalKind::Time {
                let m = *t.month.get_or_insert(if high { 12 } else { 1 });
                t.day
                    .get_or_insert(if high { days_in_month(y, m) } else { 1 });
            }
            t.hour.get_or_insert(if high { 23 } else { 0 });
            t.minute.get_or_insert(if high { 59 } else { 0 });
            t.second.get_or_insert(if high { 59 } else { 0 });
            t.fraction
                .get_or_insert(if high { "999".into() } else { "000".into() });
        };
        match (self.kind, digits) {
            (TemporalKind::Date, 4) => {
                t.month = None;
                t.day = None;
            }
            (TemporalKind::Date, 6) => {
                t.month.get_or_insert(if high { 12 } else { 1 });
                t.day = None;
            }
            (TemporalKind::Date, 8) => {
                let m = *t.month.get_or_insert(if high { 12 } else { 1 });
                t.day
                    .get_or_insert(if high { days_in_month(y, m) } else { 1 });
            }
            (TemporalKind::DateTime, 4 | 6 | 8 | 10 | 12 | 14 | 17)
            | (TemporalKind::Time, 2 | 4 | 6 | 9) => {
                full(&mut t);
                if t.tz.is_none() && self.kind == TemporalKind::DateTime {
                    t.tz = Some(if high { -12 * 60 } else { 14 * 60 });
                }
                let keep = if self.kind == TemporalKind::Time {
                    digits + 8
                } else {
                    digits
                };
                if keep < 17 {
                    t.fraction = None;
                }
                if keep < 14 {
                    t.second = None;
                }
                if keep < 12 {
                    t.minute = None;
                }
                if keep < 10 {
                    t.hour = None;
                    t.tz = None;
                }
                if keep < 8 {
                    t.day = None;
                }
                if keep < 6 {
                    t.month = None;
                }
            }
            _ => return None,
        }
        Some(t)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
}

/// Whether `w` is a FHIRPath calendar duration keyword (`day`, `weeks`...).
pub fn is_calendar_keyword(w: &str) -> bool {
    matches!(
        w,
        "year"
            | "years"
            | "month"
            | "months"
            | "week"
            | "weeks"
            | "day"
            | "days"
            | "hour"
            | "hours"
            | "minute"
            | "minutes"
            | "second"
            | "seconds"
            | "millisecond"
            | "milliseconds"
    )
}

/// Whether a quantity of this unit may be added to a date or time: calendar
/// keywords and the UCUM units of fixed length (not `a` or `mo`, whose
/// length varies).
pub fn is_date_arithmetic_unit(unit: &str) -> bool {
    is_calendar_keyword(unit) || matches!(unit, "wk" | "d" | "h" | "min" | "s" | "ms")
}

/// A FHIRPath calendar duration keyword or its UCUM code.
pub fn calendar_unit(unit: &str) -> Option<CalUnit> {
    Some(match unit {
        "year" | "years" | "a" => CalUnit::Year,
        "month" | "months" | "mo" => CalUnit::Month,
        "week" | "weeks" | "wk" => CalUnit::Week,
        "day" | "days" | "d" => CalUnit::Day,
        "hour" | "hours" | "h" => CalUnit::Hour,
        "minute" | "minutes" | "min" => CalUnit::Minute,
        "second" | "seconds" | "s" => CalUnit::Second,
        "millisecond" | "milliseconds" | "ms" => CalUnit::Millisecond,
        _ => return None,
    })
}

impl fmt::Display for Temporal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind != TemporalKind::Time {
            if let Some(y) = self.year {
                write!(f, "{y:04}")?;
            }
            if let Some(m) = self.month {
                write!(f, "-{m:02}")?;
            }
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
            if self.hour.is_some() {
                f.write_str("T")?;
            }
        }
        if let Some(h) = self.hour {
            write!(f, "{h:02}")?;
        }
        if let Some(m) = self.minute {
            write!(f, ":{m:02}")?;
        }
        if let Some(s) = self.second {
            write!(f, ":{s:02}")?;
        }
        if let Some(fr) = &self.fraction {
            write!(f, ".{fr}")?;
        }
        if self.hour.is_some() {
            match self.tz {
                Some(0) => f.write_str("Z")?,
                Some(tz) => {
                    let sign = if tz < 0 { '-' } else { '+' };
                    write!(f, "{sign}{:02}:{:02}", tz.abs() / 60, tz.abs() % 60)?;
                }
                None => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::Temporal;
    use crate::decimal::Dec;

    fn dt(s: &str) -> Temporal {
        Temporal::parse_datetime(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn precision_and_time_zones() {
        assert_eq!(dt("2012-04-15").compare(&dt("2012-04-15T10:00")), None);
        assert_eq!(
            dt("2012-04-14").compare(&dt("2012-04-15T10:00")),
            Some(Ordering::Less)
        );
        assert_eq!(
            dt("2012-04-15T15:00:00Z").compare(&dt("2012-04-15T17:00:00+02:00")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            dt("2012-04-15T10:00:00").compare(&dt("2012-04-15T10:00:00.000")),
            Some(Ordering::Equal)
        );
        assert!(Temporal::parse_date("2012-02-30").is_none());
        assert!(Temporal::parse_date("2012-13").is_none());
    }

    #[test]
    fn calendar_arithmetic() {
        let one = Dec::from_int(1);
        let add = |s: &str, unit: &str| dt(s).add(one, unit).map(|t| t.to_string());
        assert_eq!(add("2020-01-31", "month"), Some("2020-02-29".into()));
        assert_eq!(add("2020-02-29", "year"), Some("2021-02-28".into()));
        assert_eq!(
            add("2020-12-31T23:30:00Z", "hour"),
            Some("2021-01-01T00:30:00Z".into())
        );
        let t = Temporal::parse_time("23:30:00")
            .and_then(|t| t.add(one, "hour"))
            .map(|t| t.to_string());
        assert_eq!(t, Some("00:30:00".into()));
    }
}
