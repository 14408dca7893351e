//! Pure business rules of etown, the platform of a county's rural e-town program.
//!
//! Nothing here touches a database or the network: the web application loads records,
//! calls these functions and stores what they return. Every message meant for users is
//! Simplified Chinese and names the field, the value and what is expected.

#[macro_use]
mod code_enum;

pub mod admission;
pub mod calendar;
pub mod certno;
pub mod divisions;
pub mod id_card;
pub mod license;
pub mod mobile;
pub mod money;
pub mod subject;
pub mod uscc;
pub mod workflow;

pub use code_enum::UnknownCodeError;
