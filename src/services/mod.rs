//! Business operations shared by the pages and the JSON API: each loads what it needs,
//! applies the pure rules of `etown_rules`, and stores the result in one transaction.

pub mod accounts;
pub mod applications;
pub mod audit_logs;
pub mod brands;
pub mod calendar;
pub mod enterprises;
pub mod files;
pub mod jobs;
pub mod licenses;
pub mod notices;
pub mod paging;
pub mod sequences;
pub mod settings;
pub mod users;
