//! Pure business rules of etown.
