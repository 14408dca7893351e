//! Downloads of list pages as CSV files for spreadsheet programs.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};

use crate::web::{
    error::{AppError, AppResult},
    state::beijing,
};

/// Builds a CSV download with a Chinese header row. It starts with a UTF-8 byte order mark
/// so that spreadsheet programs on Chinese Windows decode the characters correctly.
pub fn csv_response(
    file_stem: &str,
    now: DateTime<Utc>,
    headers: &[&str],
    rows: Vec<Vec<String>>,
) -> AppResult<Response> {
    let mut writer = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    writer
        .write_record(headers)
        .map_err(|error| AppError::Internal(error.into()))?;
    for row in rows {
        writer
            .write_record(row.into_iter().map(spreadsheet_safe))
            .map_err(|error| AppError::Internal(error.into()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| AppError::Internal(anyhow::anyhow!("CSV export failed: {error}")))?;
    let file_name = format!(
        "{file_stem}-{}.csv",
        now.with_timezone(&beijing()).format("%Y%m%d-%H%M%S")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                // The plain name must be ASCII for old clients; filename* carries any name.
                format!(
                    "attachment; filename=\"{}\"; filename*=UTF-8''{}",
                    if file_name.is_ascii() {
                        file_name.clone()
                    } else {
                        "export.csv".to_owned()
                    },
                    percent_encode(&file_name)
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// Prefixes a cell that a spreadsheet would run as a formula with an apostrophe. Login
/// names in the login log are whatever was typed on the login form, so they are not trusted.
fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Percent-encodes a file name for the `filename*` parameter (RFC 8187).
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(1)".into()), "'=HYPERLINK(1)");
        assert_eq!(spreadsheet_safe("@sum".into()), "'@sum");
        assert_eq!(spreadsheet_safe("admin".into()), "admin");
    }
}
