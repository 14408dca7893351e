//! Fixed-window rate limits for login and public forms, kept in memory per instance.
//!
//! NOTE: with several instances behind a proxy each keeps its own counters, so the
//! effective limit is the configured one times the number of instances.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Requests counted per limit name and client: when the window started and how many so far.
type Windows = HashMap<(&'static str, IpAddr), (Instant, u32)>;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<Windows>,
}

/// A named limit: at most `max` requests per `window` from one client address.
#[derive(Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: u32,
    pub window: Duration,
}

pub const LOGIN: Limit = Limit {
    name: "login",
    max: 20,
    window: Duration::from_secs(60),
};
pub const PUBLIC_FORM: Limit = Limit {
    name: "public_form",
    max: 5,
    window: Duration::from_secs(600),
};
pub const REGISTRATION: Limit = Limit {
    name: "registration",
    max: 5,
    window: Duration::from_secs(3600),
};

impl RateLimiter {
    /// Counts one request; returns the seconds to wait when the limit is already reached.
    pub fn check(&self, limit: Limit, client: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());

        // Drop finished windows now and then so that the map cannot grow without bound.
        if windows.len() > 10_000 {
            windows
                .retain(|_, (started, _)| now.duration_since(*started) < Duration::from_secs(3600));
        }

        let entry = windows.entry((limit.name, client)).or_insert((now, 0));
        if now.duration_since(entry.0) >= limit.window {
            *entry = (now, 0);
        }
        if entry.1 >= limit.max {
            let wait = limit.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_blocks_after_max() {
        let limiter = RateLimiter::default();
        let client: IpAddr = "127.0.0.1".parse().unwrap();
        let limit = Limit {
            name: "t",
            max: 2,
            window: Duration::from_secs(60),
        };
        assert!(limiter.check(limit, client).is_ok());
        assert!(limiter.check(limit, client).is_ok());
        assert!(limiter.check(limit, client).is_err());
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(limiter.check(limit, other).is_ok());
    }
}
