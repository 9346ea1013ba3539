//! FHIR `date`, `dateTime`, `instant` and `time`, kept as their exact text.
//!
//! FHIR date/time values carry meaning in their form: the precision that was
//! written (`2015` vs `2015-02-07`), the number of fraction digits, and the
//! time zone as written (`Z` and `+00:00` are both UTC, but a document that
//! said one must not come back saying the other). So each value keeps the text
//! it was read from and writes it back unchanged; the components are parsed
//! once, for reading, and nothing is ever converted or normalised.
//!
//! What is checked (beyond the FHIR regexes, which allow `2015-02-30`):
//! - the year is four digits and not `0000`; month `01`-`12`; day `01`-`31`
//!   and the day exists in that month (Feb 29 only in leap years);
//! - hour `00`-`23`, minute `00`-`59`, second `00`-`60` (`60` is a leap second,
//!   which the regexes allow at any minute since local offsets shift it);
//! - a fraction of seconds has at least one digit (any number of them);
//! - a time zone is `Z` or `+hh:mm` / `-hh:mm` between `-14:00` and `+14:00`;
//! - a `dateTime` with a time has seconds and a time zone; an `instant` has
//!   everything; a `date` and a `time` have no zone.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::{JsonKind, PrimitiveValue};

/// A time zone as written after a time.
///
/// `Z` and `+00:00` denote the same offset but are different text, so they are
/// kept apart. (`-00:00`, which the FHIR regex also allows, is reported as
/// `Offset(0)`; the value's own text still says `-00:00`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TzOffset {
    /// Written `Z`: UTC.
    Z,
    /// Written `+hh:mm` or `-hh:mm`: this many minutes east of UTC
    /// (`-05:00` is `-300`). Always within `-840..=840`.
    Offset(i16),
}

impl TzOffset {
    /// Largest offset FHIR allows, in minutes (`+14:00`).
    const MAX_MINUTES: i16 = 14 * 60;

    /// An explicit `±hh:mm` offset. Fails outside `-14:00..=+14:00`.
    pub fn from_minutes(minutes: i16) -> Result<Self, String> {
        if (-Self::MAX_MINUTES..=Self::MAX_MINUTES).contains(&minutes) {
            Ok(Self::Offset(minutes))
        } else {
            Err(format!(
                "time zone offset of {minutes} minutes is out of range (-14:00 to +14:00 is allowed)"
            ))
        }
    }

    /// The offset from UTC in minutes (`Z` is 0).
    pub fn minutes(self) -> i16 {
        match self {
            Self::Z => 0,
            Self::Offset(m) => m,
        }
    }

    /// Whether this is the `Z` designator (not `+00:00`).
    pub fn is_z(self) -> bool {
        self == Self::Z
    }
}

impl fmt::Display for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Z => f.write_str("Z"),
            Self::Offset(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                let abs = m.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)
            }
        }
    }
}

/// How much of a date/time was written. Orders from coarsest to finest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DateTimePrecision {
    /// `YYYY`
    Year,
    /// `YYYY-MM`
    Month,
    /// `YYYY-MM-DD`
    Day,
    /// A time with whole seconds (`hh:mm:ss`).
    Second,
    /// A time with a fraction of seconds of this many digits (`hh:mm:ss.fff` is 3).
    Fraction(usize),
}

// ---------------------------------------------------------------------------
// Parsing helpers. They work on bytes with `get`, so no input can make them
// panic, and return a reason; the callers add the type name and the text.

fn digit(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).filter(|c| c.is_ascii_digit()).map(|c| c - b'0')
}

fn two_digits(b: &[u8], i: usize) -> Option<u8> {
    Some(digit(b, i)? * 10 + digit(b, i + 1)?)
}

fn is_leap_year(year: u16) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Describes what is found at `i` (for "unexpected ..." messages).
fn found_at(s: &str, i: usize) -> String {
    match s.get(i..).and_then(|rest| rest.chars().next()) {
        Some(c) => format!("unexpected {c:?} at position {i}"),
        None => "unexpected end of text".to_owned(),
    }
}

/// `YYYY(-MM(-DD)?)?` at the start of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct DateParts {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

impl DateParts {
    /// Bytes of text the date takes up.
    fn len(self) -> usize {
        match (self.month, self.day) {
            (_, Some(_)) => 10,
            (Some(_), None) => 7,
            (None, _) => 4,
        }
    }

    fn precision(self) -> DateTimePrecision {
        match (self.month, self.day) {
            (_, Some(_)) => DateTimePrecision::Day,
            (Some(_), None) => DateTimePrecision::Month,
            (None, _) => DateTimePrecision::Year,
        }
    }
}

fn check_year(year: u16) -> Result<(), String> {
    match year {
        0 => Err("year 0000 does not exist".to_owned()),
        1..=9999 => Ok(()),
        _ => Err(format!("year {year} has more than four digits")),
    }
}

fn check_month(month: u8) -> Result<(), String> {
    if (1..=12).contains(&month) {
        Ok(())
    } else {
        Err(format!("month {month:02} is out of range (01-12)"))
    }
}

fn check_day(year: u16, month: u8, day: u8) -> Result<(), String> {
    if !(1..=31).contains(&day) {
        return Err(format!("day {day:02} is out of range (01-31)"));
    }
    if day > days_in_month(year, month) {
        return Err(if month == 2 && day == 29 {
            format!("day 29 does not exist in month 2 of {year} ({year} is not a leap year)")
        } else {
            format!("day {day} does not exist in month {month}")
        });
    }
    Ok(())
}

fn parse_date(s: &str) -> Result<DateParts, String> {
    let b = s.as_bytes();
    let year = match (two_digits(b, 0), two_digits(b, 2)) {
        (Some(hi), Some(lo)) => u16::from(hi) * 100 + u16::from(lo),
        _ => return Err("expected a 4-digit year (YYYY)".to_owned()),
    };
    check_year(year)?;
    if b.get(4) != Some(&b'-') {
        return Ok(DateParts {
            year,
            month: None,
            day: None,
        });
    }
    let month = two_digits(b, 5).ok_or("expected a 2-digit month (MM) after the year")?;
    check_month(month)?;
    if b.get(7) != Some(&b'-') {
        return Ok(DateParts {
            year,
            month: Some(month),
            day: None,
        });
    }
    let day = two_digits(b, 8).ok_or("expected a 2-digit day (DD) after the month")?;
    check_day(year, month, day)?;
    Ok(DateParts {
        year,
        month: Some(month),
        day: Some(day),
    })
}

/// `hh:mm:ss(.f+)?`: the parsed clock and where the fraction's digits are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Clock {
    hour: u8,
    minute: u8,
    second: u8,
    /// Number of fraction digits (0 when there is no fraction).
    frac_len: usize,
}

impl Clock {
    /// Bytes of text the clock takes up.
    fn len(self) -> usize {
        if self.frac_len == 0 {
            8
        } else {
            9 + self.frac_len
        }
    }

    fn precision(self) -> DateTimePrecision {
        if self.frac_len == 0 {
            DateTimePrecision::Second
        } else {
            DateTimePrecision::Fraction(self.frac_len)
        }
    }

    /// The fraction digits, from the text in which the clock starts at `start`.
    fn fraction(self, text: &str, start: usize) -> Option<&str> {
        if self.frac_len == 0 {
            return None;
        }
        let from = start + 9;
        text.get(from..from + self.frac_len)
    }
}

fn check_clock(hour: u8, minute: u8, second: u8) -> Result<(), String> {
    if hour > 23 {
        return Err(format!("hour {hour:02} is out of range (00-23)"));
    }
    if minute > 59 {
        return Err(format!("minute {minute:02} is out of range (00-59)"));
    }
    if second > 60 {
        return Err(format!(
            "second {second:02} is out of range (00-59, or 60 for a leap second)"
        ));
    }
    Ok(())
}

fn parse_clock(b: &[u8], start: usize) -> Result<Clock, String> {
    let hour = two_digits(b, start).ok_or("expected a 2-digit hour (hh)")?;
    if hour > 23 {
        return Err(format!("hour {hour:02} is out of range (00-23)"));
    }
    if b.get(start + 2) != Some(&b':') {
        return Err("expected ':' and minutes after the hour".to_owned());
    }
    let minute = two_digits(b, start + 3).ok_or("expected a 2-digit minute (mm)")?;
    if minute > 59 {
        return Err(format!("minute {minute:02} is out of range (00-59)"));
    }
    if b.get(start + 5) != Some(&b':') {
        return Err("expected ':' and seconds after the minutes (seconds are required)".to_owned());
    }
    let second = two_digits(b, start + 6).ok_or("expected 2-digit seconds (ss)")?;
    if second > 60 {
        return Err(format!(
            "second {second:02} is out of range (00-59, or 60 for a leap second)"
        ));
    }
    let mut frac_len = 0;
    if b.get(start + 8) == Some(&b'.') {
        let from = start + 9;
        while b.get(from + frac_len).is_some_and(u8::is_ascii_digit) {
            frac_len += 1;
        }
        if frac_len == 0 {
            return Err("expected digits after the '.' in the seconds".to_owned());
        }
    }
    Ok(Clock {
        hour,
        minute,
        second,
        frac_len,
    })
}

/// A time zone at `i`, if there is one: `Z` or `±hh:mm`. Returns it and its length.
fn parse_tz(b: &[u8], i: usize) -> Result<Option<(TzOffset, usize)>, String> {
    let negative = match b.get(i) {
        Some(b'Z') => return Ok(Some((TzOffset::Z, 1))),
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return Ok(None),
    };
    let shape = "expected a time zone of the form +hh:mm or -hh:mm";
    let hours = two_digits(b, i + 1).ok_or(shape)?;
    if b.get(i + 3) != Some(&b':') {
        return Err(shape.to_owned());
    }
    let minutes = two_digits(b, i + 4).ok_or(shape)?;
    if minutes > 59 {
        return Err(format!(
            "time zone minutes {minutes:02} are out of range (00-59)"
        ));
    }
    let total = i16::from(hours) * 60 + i16::from(minutes);
    if total > TzOffset::MAX_MINUTES {
        let sign = if negative { '-' } else { '+' };
        return Err(format!(
            "time zone {sign}{hours:02}:{minutes:02} is out of range (-14:00 to +14:00)"
        ));
    }
    Ok(Some((
        TzOffset::Offset(if negative { -total } else { total }),
        6,
    )))
}

/// Fails unless the text ends at `i`.
fn expect_end(s: &str, i: usize, what_may_follow: &str) -> Result<(), String> {
    if i == s.len() {
        Ok(())
    } else {
        Err(format!("{} ({what_may_follow})", found_at(s, i)))
    }
}

fn invalid(kind: &str, s: &str, reason: impl fmt::Display) -> String {
    format!("invalid {kind} {s:?}: {reason}")
}

const ZONE_REQUIRED: &str = "a time zone (Z, +hh:mm or -hh:mm) is required after the time";

/// The zone as the constructors write it: `Z` for 0, else `±hh:mm` (even when
/// out of range, so that error messages can show it).
fn offset_text(offset_minutes: i16) -> String {
    if offset_minutes == 0 {
        "Z".to_owned()
    } else {
        TzOffset::Offset(offset_minutes).to_string()
    }
}

fn join_date_time(date: &Date, time: &Time, offset_minutes: i16) -> String {
    format!(
        "{}T{}{}",
        date.as_str(),
        time.as_str(),
        offset_text(offset_minutes)
    )
}

fn check_date_time(date: &Date, offset_minutes: i16) -> Result<(), String> {
    if date.day().is_none() {
        return Err(format!(
            "a time needs a full date (YYYY-MM-DD), not {:?}",
            date.as_str()
        ));
    }
    TzOffset::from_minutes(offset_minutes).map(|_| ())
}

fn ymd_hms_text(date: (u16, u8, u8), time: (u8, u8, u8), offset_minutes: i16) -> String {
    let (year, month, day) = date;
    let (hour, minute, second) = time;
    format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{}",
        offset_text(offset_minutes)
    )
}

fn check_ymd_hms(
    date: (u16, u8, u8),
    time: (u8, u8, u8),
    offset_minutes: i16,
) -> Result<(), String> {
    let (year, month, day) = date;
    let (hour, minute, second) = time;
    check_year(year)?;
    check_month(month)?;
    check_day(year, month, day)?;
    check_clock(hour, minute, second)?;
    TzOffset::from_minutes(offset_minutes).map(|_| ())
}

// ---------------------------------------------------------------------------
// date

/// A FHIR `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with no time and no zone.
///
/// Keeps the exact text; equality (`==`, `Hash`) is by text, so `2015` and
/// `2015-01` differ.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Date {
    text: Box<str>,
    parts: DateParts,
}

impl Date {
    fn parse(s: &str) -> Result<Self, String> {
        let parts = parse_date(s)?;
        let end = parts.len();
        if parts.day.is_some() && s.as_bytes().get(end) == Some(&b'T') {
            return Err("a date has no time part (use dateTime or instant)".to_owned());
        }
        expect_end(s, end, "a date is YYYY, YYYY-MM or YYYY-MM-DD")?;
        Ok(Self {
            text: s.into(),
            parts,
        })
    }

    /// A full date `YYYY-MM-DD`. Fails if the day does not exist.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Result<Self, String> {
        let text = format!("{year:04}-{month:02}-{day:02}");
        check_year(year)
            .and_then(|()| check_month(month))
            .and_then(|()| check_day(year, month, day))
            .map_err(|e| invalid("date", &text, e))?;
        Self::from_lexical(&text)
    }

    /// A month `YYYY-MM`.
    pub fn from_ym(year: u16, month: u8) -> Result<Self, String> {
        let text = format!("{year:04}-{month:02}");
        check_year(year)
            .and_then(|()| check_month(month))
            .map_err(|e| invalid("date", &text, e))?;
        Self::from_lexical(&text)
    }

    /// A year `YYYY` (1 to 9999).
    pub fn from_year(year: u16) -> Result<Self, String> {
        let text = format!("{year:04}");
        check_year(year).map_err(|e| invalid("date", &text, e))?;
        Self::from_lexical(&text)
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The year (1 to 9999).
    pub fn year(&self) -> u16 {
        self.parts.year
    }

    /// The month (1 to 12), if written.
    pub fn month(&self) -> Option<u8> {
        self.parts.month
    }

    /// The day of the month, if written.
    pub fn day(&self) -> Option<u8> {
        self.parts.day
    }

    /// `Year`, `Month` or `Day`.
    pub fn precision(&self) -> DateTimePrecision {
        self.parts.precision()
    }
}

impl PrimitiveValue for Date {
    const JSON_KIND: JsonKind = JsonKind::String;
    fn from_lexical(s: &str) -> Result<Self, String> {
        Self::parse(s).map_err(|e| invalid("date", s, e))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.text)
    }
}

// ---------------------------------------------------------------------------
// dateTime

/// A FHIR `dateTime`: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or
/// `YYYY-MM-DDThh:mm:ss(.fraction)?` followed by `Z` or `±hh:mm`.
///
/// When a time is given, seconds and a time zone are required (FHIR R4/R5).
/// Keeps the exact text; equality (`==`, `Hash`) is by text, so the same
/// moment written with different zones or precision is unequal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    text: Box<str>,
    date: DateParts,
    time: Option<(Clock, TzOffset)>,
}

impl DateTime {
    fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let date = parse_date(s)?;
        let mut end = date.len();
        if b.get(end) != Some(&b'T') {
            expect_end(
                s,
                end,
                "expected 'T' and a time after a full date, or the end of the value",
            )?;
            return Ok(Self {
                text: s.into(),
                date,
                time: None,
            });
        }
        if date.day.is_none() {
            return Err("a time may only follow a full date (YYYY-MM-DD)".to_owned());
        }
        end += 1;
        let clock = parse_clock(b, end)?;
        end += clock.len();
        let (tz, tz_len) = parse_tz(b, end)?.ok_or_else(|| {
            if end == s.len() {
                ZONE_REQUIRED.to_owned()
            } else {
                format!("{} ({ZONE_REQUIRED})", found_at(s, end))
            }
        })?;
        end += tz_len;
        expect_end(s, end, "nothing may follow the time zone")?;
        Ok(Self {
            text: s.into(),
            date,
            time: Some((clock, tz)),
        })
    }

    /// A dateTime with only a date, of the date's precision.
    pub fn from_date(date: Date) -> Self {
        Self {
            text: date.text,
            date: date.parts,
            time: None,
        }
    }

    /// A dateTime at the time's precision (seconds, or its fraction), in the
    /// zone `offset_minutes` east of UTC; 0 is written `Z`.
    ///
    /// Fails if `date` is not a full `YYYY-MM-DD` or the offset is beyond ±14:00.
    pub fn from_date_time(date: &Date, time: &Time, offset_minutes: i16) -> Result<Self, String> {
        let text = join_date_time(date, time, offset_minutes);
        check_date_time(date, offset_minutes).map_err(|e| invalid("dateTime", &text, e))?;
        Self::from_lexical(&text)
    }

    /// A dateTime to the second, in the zone `offset_minutes` east of UTC
    /// (0 is written `Z`). Fails on any component out of range.
    pub fn from_ymd_hms(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Result<Self, String> {
        let text = ymd_hms_text((year, month, day), (hour, minute, second), offset_minutes);
        check_ymd_hms((year, month, day), (hour, minute, second), offset_minutes)
            .map_err(|e| invalid("dateTime", &text, e))?;
        Self::from_lexical(&text)
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The year (1 to 9999).
    pub fn year(&self) -> u16 {
        self.date.year
    }

    /// The month (1 to 12), if written.
    pub fn month(&self) -> Option<u8> {
        self.date.month
    }

    /// The day of the month, if written.
    pub fn day(&self) -> Option<u8> {
        self.date.day
    }

    /// The date part (same text up to the `T`).
    pub fn date(&self) -> Date {
        let len = self.date.len();
        Date {
            text: self.text.get(..len).unwrap_or_default().into(),
            parts: self.date,
        }
    }

    /// Whether a time (and so a zone) is present.
    pub fn has_time(&self) -> bool {
        self.time.is_some()
    }

    /// The hour (0 to 23), if a time is present.
    pub fn hour(&self) -> Option<u8> {
        self.time.map(|(c, _)| c.hour)
    }

    /// The minute (0 to 59), if a time is present.
    pub fn minute(&self) -> Option<u8> {
        self.time.map(|(c, _)| c.minute)
    }

    /// The second (0 to 60; 60 is a leap second), if a time is present.
    pub fn second(&self) -> Option<u8> {
        self.time.map(|(c, _)| c.second)
    }

    /// The digits of the fraction of seconds as written (`"239"` for `17.239`),
    /// if any. Kept as text: `.5` and `.500` differ in precision.
    pub fn fraction(&self) -> Option<&str> {
        self.time.and_then(|(c, _)| c.fraction(&self.text, 11))
    }

    /// The time zone as written, if a time is present.
    pub fn tz(&self) -> Option<TzOffset> {
        self.time.map(|(_, tz)| tz)
    }

    /// The time zone's offset from UTC in minutes, if a time is present.
    pub fn offset_minutes(&self) -> Option<i16> {
        self.tz().map(TzOffset::minutes)
    }

    /// How much was written: `Year`, `Month`, `Day`, `Second` or `Fraction(n)`.
    pub fn precision(&self) -> DateTimePrecision {
        match self.time {
            Some((c, _)) => c.precision(),
            None => self.date.precision(),
        }
    }
}

impl From<Date> for DateTime {
    fn from(date: Date) -> Self {
        Self::from_date(date)
    }
}

impl From<Instant> for DateTime {
    /// Every instant is also a valid dateTime, with the same text.
    fn from(i: Instant) -> Self {
        Self {
            text: i.text,
            date: i.date,
            time: Some((i.clock, i.tz)),
        }
    }
}

impl PrimitiveValue for DateTime {
    const JSON_KIND: JsonKind = JsonKind::String;
    fn from_lexical(s: &str) -> Result<Self, String> {
        Self::parse(s).map_err(|e| invalid("dateTime", s, e))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.text)
    }
}

// ---------------------------------------------------------------------------
// instant

/// A FHIR `instant`: `YYYY-MM-DDThh:mm:ss(.fraction)?` followed by `Z` or
/// `±hh:mm`; every part is required.
///
/// Keeps the exact text; equality (`==`, `Hash`) is by text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Instant {
    text: Box<str>,
    date: DateParts,
    clock: Clock,
    tz: TzOffset,
}

impl Instant {
    fn parse(s: &str) -> Result<Self, String> {
        const FULL: &str =
            "an instant needs a full date, time and zone (YYYY-MM-DDThh:mm:ss plus Z or ±hh:mm)";
        let b = s.as_bytes();
        let date = parse_date(s)?;
        if date.day.is_none() {
            return Err(FULL.to_owned());
        }
        let mut end = date.len();
        if b.get(end) != Some(&b'T') {
            return Err(if end == s.len() {
                FULL.to_owned()
            } else {
                format!("{} (expected 'T' and a time)", found_at(s, end))
            });
        }
        end += 1;
        let clock = parse_clock(b, end)?;
        end += clock.len();
        let (tz, tz_len) = parse_tz(b, end)?.ok_or_else(|| {
            if end == s.len() {
                ZONE_REQUIRED.to_owned()
            } else {
                format!("{} ({ZONE_REQUIRED})", found_at(s, end))
            }
        })?;
        end += tz_len;
        expect_end(s, end, "nothing may follow the time zone")?;
        Ok(Self {
            text: s.into(),
            date,
            clock,
            tz,
        })
    }

    /// An instant at the time's precision (seconds, or its fraction), in the
    /// zone `offset_minutes` east of UTC; 0 is written `Z`.
    ///
    /// Fails if `date` is not a full `YYYY-MM-DD` or the offset is beyond ±14:00.
    pub fn from_date_time(date: &Date, time: &Time, offset_minutes: i16) -> Result<Self, String> {
        let text = join_date_time(date, time, offset_minutes);
        check_date_time(date, offset_minutes).map_err(|e| invalid("instant", &text, e))?;
        Self::from_lexical(&text)
    }

    /// An instant to the second, in the zone `offset_minutes` east of UTC
    /// (0 is written `Z`). Fails on any component out of range.
    pub fn from_ymd_hms(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Result<Self, String> {
        let text = ymd_hms_text((year, month, day), (hour, minute, second), offset_minutes);
        check_ymd_hms((year, month, day), (hour, minute, second), offset_minutes)
            .map_err(|e| invalid("instant", &text, e))?;
        Self::from_lexical(&text)
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The year (1 to 9999).
    pub fn year(&self) -> u16 {
        self.date.year
    }

    /// The month (1 to 12).
    pub fn month(&self) -> u8 {
        self.date.month.unwrap_or(1)
    }

    /// The day of the month.
    pub fn day(&self) -> u8 {
        self.date.day.unwrap_or(1)
    }

    /// The hour (0 to 23).
    pub fn hour(&self) -> u8 {
        self.clock.hour
    }

    /// The minute (0 to 59).
    pub fn minute(&self) -> u8 {
        self.clock.minute
    }

    /// The second (0 to 60; 60 is a leap second).
    pub fn second(&self) -> u8 {
        self.clock.second
    }

    /// The digits of the fraction of seconds as written, if any.
    pub fn fraction(&self) -> Option<&str> {
        self.clock.fraction(&self.text, 11)
    }

    /// The time zone as written.
    pub fn tz(&self) -> TzOffset {
        self.tz
    }

    /// The time zone's offset from UTC in minutes.
    pub fn offset_minutes(&self) -> i16 {
        self.tz.minutes()
    }

    /// `Second` or `Fraction(n)`.
    pub fn precision(&self) -> DateTimePrecision {
        self.clock.precision()
    }

    /// The date part (same text up to the `T`).
    pub fn date(&self) -> Date {
        Date {
            text: self.text.get(..10).unwrap_or_default().into(),
            parts: self.date,
        }
    }

    /// The time part without the zone (same text).
    pub fn time(&self) -> Time {
        Time {
            text: self
                .text
                .get(11..11 + self.clock.len())
                .unwrap_or_default()
                .into(),
            clock: self.clock,
        }
    }
}

impl PrimitiveValue for Instant {
    const JSON_KIND: JsonKind = JsonKind::String;
    fn from_lexical(s: &str) -> Result<Self, String> {
        Self::parse(s).map_err(|e| invalid("instant", s, e))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.text)
    }
}

// ---------------------------------------------------------------------------
// time

/// A FHIR `time` of day: `hh:mm:ss(.fraction)?`, with no time zone.
///
/// Keeps the exact text; equality (`==`, `Hash`) is by text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Time {
    text: Box<str>,
    clock: Clock,
}

impl Time {
    fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let clock = parse_clock(b, 0)?;
        let end = clock.len();
        if matches!(b.get(end), Some(b'Z' | b'+' | b'-')) {
            return Err("a time must not have a time zone".to_owned());
        }
        expect_end(s, end, "a time is hh:mm:ss with an optional .fraction")?;
        Ok(Self {
            text: s.into(),
            clock,
        })
    }

    /// A time to the second. Fails on any component out of range.
    pub fn from_hms(hour: u8, minute: u8, second: u8) -> Result<Self, String> {
        let text = format!("{hour:02}:{minute:02}:{second:02}");
        check_clock(hour, minute, second).map_err(|e| invalid("time", &text, e))?;
        Self::from_lexical(&text)
    }

    /// A time with a fraction of seconds given as its digits (`"250"` gives
    /// `hh:mm:ss.250`). Fails on any component out of range or a fraction that
    /// is empty or not all ASCII digits.
    pub fn from_hms_fraction(
        hour: u8,
        minute: u8,
        second: u8,
        fraction: &str,
    ) -> Result<Self, String> {
        let text = format!("{hour:02}:{minute:02}:{second:02}.{fraction}");
        check_clock(hour, minute, second).map_err(|e| invalid("time", &text, e))?;
        Self::from_lexical(&text)
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The hour (0 to 23).
    pub fn hour(&self) -> u8 {
        self.clock.hour
    }

    /// The minute (0 to 59).
    pub fn minute(&self) -> u8 {
        self.clock.minute
    }

    /// The second (0 to 60; 60 is a leap second).
    pub fn second(&self) -> u8 {
        self.clock.second
    }

    /// The digits of the fraction of seconds as written, if any.
    pub fn fraction(&self) -> Option<&str> {
        self.clock.fraction(&self.text, 0)
    }

    /// `Second` or `Fraction(n)`.
    pub fn precision(&self) -> DateTimePrecision {
        self.clock.precision()
    }
}

impl PrimitiveValue for Time {
    const JSON_KIND: JsonKind = JsonKind::String;
    fn from_lexical(s: &str) -> Result<Self, String> {
        Self::parse(s).map_err(|e| invalid("time", s, e))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.text)
    }
}

// ---------------------------------------------------------------------------
// Shared trait impls

macro_rules! text_impls {
    ($($t:ty),*) => {$(
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                <Self as PrimitiveValue>::from_lexical(s)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.text)
            }
        }
    )*};
}

text_impls!(Date, DateTime, Instant, Time);

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::super::JsonScalar;
    use super::*;

    fn dt(s: &str) -> DateTime {
        DateTime::from_lexical(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn inst(s: &str) -> Instant {
        Instant::from_lexical(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err<T: PrimitiveValue>(s: &str) -> String {
        match T::from_lexical(s) {
            Ok(v) => panic!("{s:?} should be rejected, got {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn date_time_round_trip() {
        for s in [
            "2015",
            "2015-02",
            "2015-02-07",
            "2015-02-07T13:28:17Z",
            "2015-02-07T13:28:17.239+02:00",
            "2015-02-07T13:28:17+00:00",
            "2015-02-07T13:28:17-00:00",
            "2015-02-07T13:28:17.000000000001-05:30",
            "2016-12-31T23:59:60Z",
            "2015-06-30T01:59:60+02:00",
            "2015-02-07T13:28:17+14:00",
            "2015-02-07T13:28:17-14:00",
            "2015-02-07T13:28:17+13:59",
            "0001-01-01",
            "0999",
            "2000-02-29",
            "2024-02-29T00:00:00Z",
        ] {
            let v = dt(s);
            assert_eq!(v.to_lexical(), s);
            assert_eq!(v.to_string(), s);
            assert_eq!(v.as_str(), s);
            assert_eq!(s.parse::<DateTime>().as_ref(), Ok(&v));
        }
    }

    #[test]
    fn date_time_components() {
        let v = dt("2015-02-07T13:28:17.239+02:00");
        assert_eq!(v.year(), 2015);
        assert_eq!(v.month(), Some(2));
        assert_eq!(v.day(), Some(7));
        assert_eq!(v.hour(), Some(13));
        assert_eq!(v.minute(), Some(28));
        assert_eq!(v.second(), Some(17));
        assert_eq!(v.fraction(), Some("239"));
        assert_eq!(v.tz(), Some(TzOffset::Offset(120)));
        assert_eq!(v.offset_minutes(), Some(120));
        assert_eq!(v.precision(), DateTimePrecision::Fraction(3));
        assert_eq!(v.date().as_str(), "2015-02-07");
        assert!(v.has_time());

        let z = dt("2015-02-07T13:28:17Z");
        assert_eq!(z.tz(), Some(TzOffset::Z));
        assert!(z.tz().is_some_and(TzOffset::is_z));
        assert_eq!(z.fraction(), None);
        assert_eq!(z.precision(), DateTimePrecision::Second);
        let plus0 = dt("2015-02-07T13:28:17+00:00");
        assert_eq!(plus0.tz(), Some(TzOffset::Offset(0)));
        assert_ne!(z, plus0);
        assert_eq!(dt("2015-02-07T13:28:17-05:30").offset_minutes(), Some(-330));

        let y = dt("2015");
        assert_eq!(
            (y.year(), y.month(), y.day(), y.hour()),
            (2015, None, None, None)
        );
        assert_eq!(y.precision(), DateTimePrecision::Year);
        assert_eq!(y.tz(), None);
        assert_eq!(dt("2015-02").precision(), DateTimePrecision::Month);
        assert_eq!(dt("2015-02-07").precision(), DateTimePrecision::Day);
        assert!(DateTimePrecision::Year < DateTimePrecision::Day);
        assert!(DateTimePrecision::Second < DateTimePrecision::Fraction(1));
        assert_eq!(dt("2016-12-31T23:59:60Z").second(), Some(60));
    }

    #[test]
    fn date_time_rejects() {
        for s in [
            "",
            "15",
            "201",
            "20150",
            "0000",
            "0000-01-01",
            "2015-2-1",
            "2015-02-1",
            "2015-00",
            "2015-13",
            "2015-02-00",
            "2015-02-32",
            "2015-02-29",
            "1900-02-29",
            "2015-04-31",
            "2015-02-30",
            "2015-02-07T13:28",
            "2015-02-07T13:28:17",
            "2015-02-07T13:28:17.239",
            "2015-02-07T13:28:17.Z",
            "2015-02-07T24:00:00Z",
            "2015-02-07T13:60:00Z",
            "2015-02-07T13:28:61Z",
            "2015-02-07T13:28:17+14:30",
            "2015-02-07T13:28:17+15:00",
            "2015-02-07T13:28:17+02:60",
            "2015-02-07T13:28:17+0200",
            "2015-02-07T13:28:17+02",
            "2015-02-07T13:28:17z",
            "2015-02-07T13:28:17ZZ",
            "2015-02-07T13:28:17Z ",
            "2015-02-07 13:28:17Z",
            "2015-02T13:28:17Z",
            "2015T13:28:17Z",
            "2015-02-07T",
            " 2015",
            "2015-02-07T13:28:17\u{2212}05:00",
        ] {
            err::<DateTime>(s);
        }
        assert_eq!(
            err::<DateTime>("2015-02-30"),
            "invalid dateTime \"2015-02-30\": day 30 does not exist in month 2"
        );
        assert_eq!(
            err::<DateTime>("2015-02-29"),
            "invalid dateTime \"2015-02-29\": day 29 does not exist in month 2 of 2015 (2015 is not a leap year)"
        );
        assert_eq!(
            err::<DateTime>("2015-02-07T13:28"),
            "invalid dateTime \"2015-02-07T13:28\": expected ':' and seconds after the minutes (seconds are required)"
        );
        assert_eq!(
            err::<DateTime>("2015-02-07T13:28:17"),
            "invalid dateTime \"2015-02-07T13:28:17\": a time zone (Z, +hh:mm or -hh:mm) is required after the time"
        );
        assert_eq!(
            err::<DateTime>("2015-2-1"),
            "invalid dateTime \"2015-2-1\": expected a 2-digit month (MM) after the year"
        );
        assert_eq!(
            err::<DateTime>("0000"),
            "invalid dateTime \"0000\": year 0000 does not exist"
        );
        assert!(err::<DateTime>("2015-02-07T24:00:00Z").contains("hour 24 is out of range"));
        assert!(err::<DateTime>("2015-02-07T13:28:17+14:30")
            .contains("out of range (-14:00 to +14:00)"));
    }

    #[test]
    fn date() {
        for s in ["2015", "2015-02", "2015-02-07", "2000-02-29", "0001"] {
            let d = Date::from_lexical(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(d.to_lexical(), s);
            assert_eq!(d.to_string(), s);
        }
        let d = Date::from_lexical("2015-02-07").expect("date");
        assert_eq!((d.year(), d.month(), d.day()), (2015, Some(2), Some(7)));
        assert_eq!(d.precision(), DateTimePrecision::Day);
        for s in [
            "2015-02-07T13:28:17Z",
            "2015-02-29",
            "2015-2",
            "2015-02-07Z",
            "2015-02-07+02:00",
            "0000",
            "",
        ] {
            err::<Date>(s);
        }
        assert_eq!(
            err::<Date>("2015-02-07T13:28:17Z"),
            "invalid date \"2015-02-07T13:28:17Z\": a date has no time part (use dateTime or instant)"
        );
    }

    #[test]
    fn date_constructors() {
        assert_eq!(
            Date::from_ymd(2015, 2, 7).map(|d| d.to_string()),
            Ok("2015-02-07".to_owned())
        );
        assert_eq!(
            Date::from_ym(987, 12).map(|d| d.to_string()),
            Ok("0987-12".to_owned())
        );
        assert_eq!(
            Date::from_year(2015).map(|d| d.to_string()),
            Ok("2015".to_owned())
        );
        assert_eq!(
            Date::from_ymd(2015, 2, 30),
            Err("invalid date \"2015-02-30\": day 30 does not exist in month 2".to_owned())
        );
        assert!(Date::from_ymd(2024, 2, 29).is_ok());
        assert!(Date::from_ym(2015, 13).is_err());
        assert!(Date::from_year(0).is_err());
        assert!(Date::from_year(10000).is_err());
        let d = Date::from_ym(2015, 2).expect("month");
        let v = DateTime::from_date(d.clone());
        assert_eq!(v.as_str(), "2015-02");
        assert_eq!(v.precision(), DateTimePrecision::Month);
        assert_eq!(DateTime::from(d).date().as_str(), "2015-02");
    }

    #[test]
    fn date_time_constructors() {
        assert_eq!(
            DateTime::from_ymd_hms(2015, 2, 7, 13, 28, 17, 0).map(|v| v.to_string()),
            Ok("2015-02-07T13:28:17Z".to_owned())
        );
        assert_eq!(
            DateTime::from_ymd_hms(2015, 2, 7, 13, 28, 17, -330).map(|v| v.to_string()),
            Ok("2015-02-07T13:28:17-05:30".to_owned())
        );
        assert_eq!(
            Instant::from_ymd_hms(2015, 2, 7, 13, 28, 17, 840).map(|v| v.to_string()),
            Ok("2015-02-07T13:28:17+14:00".to_owned())
        );
        assert_eq!(
            DateTime::from_ymd_hms(2015, 2, 7, 13, 28, 17, 841),
            Err("invalid dateTime \"2015-02-07T13:28:17+14:01\": time zone offset of 841 minutes is out of range (-14:00 to +14:00 is allowed)".to_owned())
        );
        assert!(DateTime::from_ymd_hms(2015, 2, 29, 0, 0, 0, 0).is_err());
        assert!(Instant::from_ymd_hms(2015, 2, 7, 24, 0, 0, 0).is_err());
        assert!(Instant::from_ymd_hms(2015, 2, 7, 23, 59, 60, 0).is_ok());
        assert!(Instant::from_ymd_hms(2015, 2, 7, 255, 255, 255, i16::MIN).is_err());

        let date = Date::from_ymd(2015, 2, 7).expect("date");
        let time = Time::from_hms_fraction(13, 28, 17, "239").expect("time");
        assert_eq!(
            DateTime::from_date_time(&date, &time, 120).map(|v| v.to_string()),
            Ok("2015-02-07T13:28:17.239+02:00".to_owned())
        );
        assert_eq!(
            Instant::from_date_time(&date, &time, 0).map(|v| v.to_string()),
            Ok("2015-02-07T13:28:17.239Z".to_owned())
        );
        let month = Date::from_ym(2015, 2).expect("month");
        assert!(DateTime::from_date_time(&month, &time, 0).is_err());
        assert!(Instant::from_date_time(&month, &time, 0).is_err());
    }

    #[test]
    fn tz_offset() {
        assert_eq!(
            TzOffset::from_minutes(-840).map(|t| t.to_string()),
            Ok("-14:00".to_owned())
        );
        assert_eq!(
            TzOffset::from_minutes(0).map(|t| t.to_string()),
            Ok("+00:00".to_owned())
        );
        assert_eq!(TzOffset::Z.to_string(), "Z");
        assert_eq!(TzOffset::Z.minutes(), 0);
        assert!(TzOffset::from_minutes(841).is_err());
        assert!(!TzOffset::Offset(0).is_z());
    }

    #[test]
    fn instant() {
        for s in [
            "2015-02-07T13:28:17.239+02:00",
            "2015-02-07T13:28:17Z",
            "2015-02-07T13:28:17+00:00",
            "2016-12-31T23:59:60Z",
            "2015-02-07T13:28:17.1234567890123-14:00",
        ] {
            let v = inst(s);
            assert_eq!(v.to_lexical(), s);
            assert_eq!(DateTime::from(v.clone()).as_str(), s);
            assert_eq!(DateTime::from(v).to_lexical(), s);
        }
        let v = inst("2015-02-07T13:28:17.239+02:00");
        assert_eq!(
            (
                v.year(),
                v.month(),
                v.day(),
                v.hour(),
                v.minute(),
                v.second()
            ),
            (2015, 2, 7, 13, 28, 17)
        );
        assert_eq!(v.fraction(), Some("239"));
        assert_eq!(v.tz(), TzOffset::Offset(120));
        assert_eq!(v.offset_minutes(), 120);
        assert_eq!(v.precision(), DateTimePrecision::Fraction(3));
        assert_eq!(v.date().as_str(), "2015-02-07");
        assert_eq!(v.time().as_str(), "13:28:17.239");
        assert_eq!(v.time().fraction(), Some("239"));
        let dtv = DateTime::from(v);
        assert_eq!(dtv.fraction(), Some("239"));
        assert_eq!(dtv.tz(), Some(TzOffset::Offset(120)));

        for s in [
            "2015",
            "2015-02",
            "2015-02-07",
            "2015-02-07T13:28",
            "2015-02-07T13:28:17",
            "2015-02-07T13:28:17.5",
            "2015-02-30T13:28:17Z",
            "2015-02-07T13:28:17+14:30",
            "2015-02-07X13:28:17Z",
        ] {
            err::<Instant>(s);
        }
        assert_eq!(
            err::<Instant>("2015-02-07"),
            "invalid instant \"2015-02-07\": an instant needs a full date, time and zone (YYYY-MM-DDThh:mm:ss plus Z or ±hh:mm)"
        );
    }

    #[test]
    fn time() {
        for s in [
            "00:00:00",
            "13:28:17",
            "23:59:59.999",
            "23:59:60",
            "12:00:00.000000",
        ] {
            let t = Time::from_lexical(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(t.to_lexical(), s);
            assert_eq!(t.to_string(), s);
        }
        let t = Time::from_lexical("23:59:59.990").expect("time");
        assert_eq!((t.hour(), t.minute(), t.second()), (23, 59, 59));
        assert_eq!(t.fraction(), Some("990"));
        assert_eq!(t.precision(), DateTimePrecision::Fraction(3));
        assert_eq!(
            Time::from_lexical("01:02:03").map(|t| t.precision()),
            Ok(DateTimePrecision::Second)
        );
        for s in [
            "24:00:00",
            "12:60:00",
            "12:00:61",
            "12:00",
            "1:00:00",
            "12:00:00Z",
            "12:00:00+01:00",
            "12:00:00.",
            "12:00:00 ",
            "",
            "T12:00:00",
        ] {
            err::<Time>(s);
        }
        assert_eq!(
            err::<Time>("24:00:00"),
            "invalid time \"24:00:00\": hour 24 is out of range (00-23)"
        );
        assert_eq!(
            err::<Time>("12:00:00Z"),
            "invalid time \"12:00:00Z\": a time must not have a time zone"
        );
        assert_eq!(
            Time::from_hms(1, 2, 3).map(|t| t.to_string()),
            Ok("01:02:03".to_owned())
        );
        assert!(Time::from_hms(24, 0, 0).is_err());
        assert!(Time::from_hms_fraction(1, 2, 3, "").is_err());
        assert!(Time::from_hms_fraction(1, 2, 3, "5a").is_err());
        assert_eq!(
            Time::from_hms_fraction(1, 2, 3, "50").map(|t| t.to_string()),
            Ok("01:02:03.50".to_owned())
        );
    }

    #[test]
    fn json() {
        assert_eq!(DateTime::JSON_KIND, JsonKind::String);
        assert_eq!(Instant::JSON_KIND, JsonKind::String);
        assert_eq!(Date::JSON_KIND, JsonKind::String);
        assert_eq!(Time::JSON_KIND, JsonKind::String);
        assert_eq!(DateTime::from_json(JsonScalar::Str("2015")), Ok(dt("2015")));
        assert!(DateTime::from_json(JsonScalar::Int(2015)).is_err());
    }

    #[test]
    fn no_panic_on_odd_input() {
        // Multi-byte characters at every position the parsers look at.
        for s in [
            "é",
            "2015-é",
            "2015-02-é",
            "2015-02-07Té",
            "2015-02-07T13:28:17é",
            "2015-02-07T13:28:17+é",
            "2015-02-07T13:28:17.é",
            "13:é",
            "2015-02-07T13:28:17+02:0é",
            "\u{0}",
        ] {
            assert!(DateTime::from_lexical(s).is_err());
            assert!(Instant::from_lexical(s).is_err());
            assert!(Date::from_lexical(s).is_err());
            assert!(Time::from_lexical(s).is_err());
        }
    }
}
