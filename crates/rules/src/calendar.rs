//! Working-day calendar that follows the State Council's yearly holiday arrangement.
//!
//! A working day is a Monday to Friday that is not an official rest day, or a Saturday or
//! Sunday that the arrangement declares a make-up working day (调休上班). A year without an
//! arrangement falls back to Monday to Friday.

mod arrangement;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

pub use arrangement::{
    ArrangementEntry, ArrangementError, ArrangementKind, arrangement_year, parse_arrangement,
};

/// The arrangements of 2023 to 2026 as published by the State Council, in the file format
/// that `parse_arrangement` reads, with rows of several years.
const SHIPPED_ARRANGEMENTS_CSV: &str = include_str!("../data/holidays.csv");

/// Name of the New Year's Day holiday. Its rest days in December belong to the arrangement of
/// the year that starts with it.
const NEW_YEAR_HOLIDAY: &str = "元旦";

static OFFICIAL: LazyLock<Calendar> =
    LazyLock::new(|| Calendar::new(Calendar::shipped_arrangements()));

code_enum! {
    /// Kind of a calendar day for the working-day rules.
    pub enum DayKind in "日期类型" {
        /// Monday to Friday with no rest day declared.
        Workday => ("workday", "工作日"),
        /// Saturday or Sunday with no make-up working day declared.
        Weekend => ("weekend", "周末"),
        /// Official rest day of the holiday arrangement, on any day of the week.
        Holiday => ("holiday", "法定节假日"),
        /// Saturday or Sunday declared a working day by the holiday arrangement.
        MakeupWorkday => ("makeup_workday", "调休上班"),
    }
}

impl DayKind {
    /// Tells whether people work on a day of this kind.
    pub fn is_working_day(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday)
    }
}

/// A date with its kind; `holiday_name` names the holiday of a rest day, or the holiday that a
/// make-up working day makes up for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub holiday_name: Option<String>,
}

/// Working-day calendar built from yearly holiday arrangements.
///
/// Dates listed in any arrangement take the listed kind. Every other date is a working day
/// from Monday to Friday and a weekend day on Saturday and Sunday. That fallback is also what
/// a year without an arrangement gets, so callers should warn when `has_arrangement` is false
/// for a year they compute deadlines in.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    listed_days: BTreeMap<NaiveDate, (ArrangementKind, String)>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// Builds a calendar from arrangements grouped by year.
    ///
    /// A year in the input has an arrangement even if its list is empty. When two years list
    /// the same date, the arrangement of the date's own year wins over a neighbouring year's.
    pub fn new(years: impl IntoIterator<Item = (i32, Vec<ArrangementEntry>)>) -> Calendar {
        let mut calendar = Calendar::default();
        let mut own_year_entries = Vec::new();
        let mut other_year_entries = Vec::new();

        for (year, entries) in years {
            calendar.years.insert(year);
            for entry in entries {
                if entry.date.year() == year {
                    own_year_entries.push(entry);
                } else {
                    other_year_entries.push(entry);
                }
            }
        }

        for entry in other_year_entries.into_iter().chain(own_year_entries) {
            calendar
                .listed_days
                .insert(entry.date, (entry.kind, entry.name));
        }
        calendar
    }

    /// Returns the calendar with the arrangements shipped with the program (2023 to 2026).
    pub fn official() -> Calendar {
        OFFICIAL.clone()
    }

    /// Returns the shipped arrangements grouped by year, sorted by year and date, for seeding a
    /// database.
    ///
    /// New Year's Day rest days in December are grouped with the following year, so
    /// 2022-12-31 is part of the 2023 arrangement.
    ///
    /// # Panics
    ///
    /// Panics if the shipped file is malformed, which is a build defect that the tests catch.
    pub fn shipped_arrangements() -> Vec<(i32, Vec<ArrangementEntry>)> {
        let (rows, errors) = arrangement::parse_rows(SHIPPED_ARRANGEMENTS_CSV);
        if !errors.is_empty() {
            let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!(
                "the shipped holiday arrangement file data/holidays.csv is invalid: {}",
                messages.join("; ")
            );
        }

        let mut by_year: BTreeMap<i32, Vec<ArrangementEntry>> = BTreeMap::new();
        for (_, entry) in rows {
            let starts_next_year = entry.kind == ArrangementKind::Holiday
                && entry.date.month() == 12
                && entry.name == NEW_YEAR_HOLIDAY;
            let year = entry.date.year() + i32::from(starts_next_year);
            by_year.entry(year).or_default().push(entry);
        }
        for entries in by_year.values_mut() {
            entries.sort_by_key(|entry| entry.date);
        }
        by_year.into_iter().collect()
    }

    /// Tells whether the holiday arrangement of `year` was loaded.
    pub fn has_arrangement(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Returns the years that have an arrangement, in ascending order.
    pub fn years(&self) -> Vec<i32> {
        self.years.iter().copied().collect()
    }

    /// Returns the kind of `date` and the name of its holiday.
    pub fn day(&self, date: NaiveDate) -> CalendarDay {
        let (kind, holiday_name) = match self.listed_days.get(&date) {
            Some((ArrangementKind::Holiday, name)) => (DayKind::Holiday, name.as_str()),
            Some((ArrangementKind::MakeupWorkday, name)) => (DayKind::MakeupWorkday, name.as_str()),
            None if is_weekend(date) => (DayKind::Weekend, ""),
            None => (DayKind::Workday, ""),
        };
        CalendarDay {
            date,
            kind,
            holiday_name: (!holiday_name.is_empty()).then(|| holiday_name.to_string()),
        }
    }

    /// Tells whether `date` is a working day: a weekday that is not a rest day, or a make-up
    /// working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.listed_days.get(&date) {
            Some((kind, _)) => *kind == ArrangementKind::MakeupWorkday,
            None => !is_weekend(date),
        }
    }

    /// Returns the end of the `n`-th working day after `from`, which is the deadline for
    /// something due "within `n` working days of `from`". `from` itself never counts, and
    /// `n = 0` returns `from`.
    ///
    /// # Panics
    ///
    /// Panics if the result lies beyond the last date chrono supports (year 262142).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut date = from;
        let mut remaining = n;
        while remaining > 0 {
            date = date
                .succ_opt()
                .expect("working-day arithmetic ran past the last date chrono supports");
            if self.is_working_day(date) {
                remaining -= 1;
            }
        }
        date
    }

    /// Counts the working days after `start` up to and including `end`.
    ///
    /// When `end` is before `start`, returns minus the number of working days after `end` up
    /// to and including `start`, so that swapping the arguments negates the result.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> i64 {
        if end < start {
            return -self.working_days_between(end, start);
        }
        let count = start
            .iter_days()
            .skip(1)
            .take_while(|date| *date <= end)
            .filter(|date| self.is_working_day(*date))
            .count();
        i64::try_from(count).expect("a day count fits in i64")
    }

    /// Returns the first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        self.add_working_days(date, 1)
    }

    /// Returns every day of `year` in order, or nothing for a year chrono cannot represent.
    pub fn year_days(&self, year: i32) -> Vec<CalendarDay> {
        let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            return Vec::new();
        };
        first
            .iter_days()
            .take_while(|date| date.year() == year)
            .map(|date| self.day(date))
            .collect()
    }

    /// Returns every day of a month in order, or nothing when `month` is not 1 to 12.
    pub fn month_days(&self, year: i32, month: u32) -> Vec<CalendarDay> {
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
            return Vec::new();
        };
        first
            .iter_days()
            .take_while(|date| date.month() == month)
            .map(|date| self.day(date))
            .collect()
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests;
