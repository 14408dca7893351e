//! SeaORM entities, one module per table. The schema itself is defined by the migrations.

pub mod api_token;
pub mod application;
pub mod application_certificate;
pub mod application_event;
pub mod application_file;
pub mod application_product;
pub mod audit_log;
pub mod brand;
pub mod calendar_day;
pub mod calendar_year;
pub mod division;
pub mod enterprise;
pub mod file;
pub mod job_lease;
pub mod license;
pub mod license_product;
pub mod login_log;
pub mod objection;
pub mod reapplication_ban;
pub mod sequence;
pub mod session;
pub mod setting;
pub mod user;
pub mod user_role;
