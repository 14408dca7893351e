//! Shared application state handed to every handler.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use etown_rules::calendar::Calendar;
use sea_orm::DatabaseConnection;

use crate::{config::Config, web::ratelimit::RateLimiter};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: DatabaseConnection,
    pub config: Config,
    pub files: opendal::Operator,
    pub clock: Clock,
    pub limiter: RateLimiter,
    calendar: RwLock<Arc<Calendar>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        files: opendal::Operator,
        calendar: Calendar,
        clock: Clock,
    ) -> Self {
        AppState(Arc::new(Inner {
            db,
            config,
            files,
            clock,
            limiter: RateLimiter::default(),
            calendar: RwLock::new(Arc::new(calendar)),
        }))
    }

    /// Returns the working-day calendar as last loaded from the database.
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Replaces the cached calendar after an administrator changed an arrangement.
    pub fn set_calendar(&self, calendar: Calendar) {
        *self
            .calendar
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(calendar);
    }
}

/// Beijing time (UTC+8, no daylight saving), in which every business date is counted.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The source of "now". Production reads the system clock; tests pin a moment, and may move
/// it, so that deadlines and terms can be checked on chosen dates.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<RwLock<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock {
            fixed: Some(Arc::new(RwLock::new(at))),
        }
    }

    /// Moves a pinned clock to `at`; a system clock ignores the call.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(fixed) = &self.fixed {
            *fixed
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(fixed) => *fixed
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            None => Utc::now(),
        }
    }

    /// Returns today's date in Beijing time.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&beijing()).date_naive()
    }
}

/// Formats a moment as Beijing time for display, such as 2026-12-04 21:35.
pub fn format_beijing(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
