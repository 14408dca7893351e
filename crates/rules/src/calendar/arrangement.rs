//! Parsing of holiday arrangement files: one row per rest day and per make-up working day.

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

code_enum! {
    /// Kind of a day in the State Council's holiday arrangement.
    pub enum ArrangementKind in "安排类型" {
        /// An official rest day (放假), which may fall on a weekend.
        Holiday => ("holiday", "放假"),
        /// A Saturday or Sunday on which people work to make up for a bridged rest day (调休上班).
        MakeupWorkday => ("makeup_workday", "调休上班"),
    }
}

/// One day of a yearly holiday arrangement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrangementEntry {
    pub date: NaiveDate,
    pub kind: ArrangementKind,
    /// Holiday name (元旦, 春节, ...). A make-up working day carries the name of the holiday
    /// it makes up for, and may leave it empty.
    pub name: String,
}

/// A problem in one cell or line of an arrangement file.
///
/// `message` describes what is wrong and what is expected. It continues the sentence that
/// `Display` starts with the line, the column and the value, so show the `Display` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ArrangementError {
    /// Line number in the file, starting at 1 with the header line.
    pub line: usize,
    /// Chinese column name (日期, 类型, 名称), 表头 for the header, or empty for the whole line.
    pub column: String,
    /// The cell text, trimmed; empty when the cell is empty or the error concerns the line.
    pub value: String,
    /// Description of the problem and the expected value, continuing the sentence that `Display` starts.
    pub message: String,
}

impl fmt::Display for ArrangementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.line;
        let message = &self.message;
        if self.column.is_empty() {
            write!(f, "第{line}行{message}")
        } else if self.value.is_empty() {
            write!(f, "第{line}行“{}”列{message}", self.column)
        } else {
            write!(
                f,
                "第{line}行“{}”列的值“{}”{message}",
                self.column, self.value
            )
        }
    }
}

const COLUMN_DATE: &str = "日期";
const COLUMN_KIND: &str = "类型";
const COLUMN_NAME: &str = "名称";
const COLUMN_HEADER: &str = "表头";
const HEADERS: [[&str; 3]; 2] = [["date", "kind", "name"], ["日期", "类型", "名称"]];
const EXPECTED_COLUMNS: &str = "应为三列：日期,类型,名称";

/// Parses an uploaded arrangement file for one year.
///
/// The file is UTF-8 CSV (a byte order mark is allowed) whose header is `date,kind,name` or
/// `日期,类型,名称`, with one row per rest day and per make-up working day. Cells may be
/// quoted. The date is `YYYY-MM-DD`. The kind is `holiday`, `放假` or `休` for a rest day and
/// `makeup_workday`, `调休上班` or `班` for a make-up working day. A rest day needs a name, a
/// make-up working day must be a Saturday or Sunday, and no date may appear twice. All dates
/// belong to one year, except that rest days may start in December of the year before (a
/// New Year's Day break that begins on 31 December).
///
/// Returns every problem found, not only the first.
pub fn parse_arrangement(text: &str) -> Result<Vec<ArrangementEntry>, Vec<ArrangementError>> {
    let (rows, mut errors) = parse_rows(text);

    let entries: Vec<ArrangementEntry> = rows.iter().map(|(_, entry)| entry.clone()).collect();
    match arrangement_year(&entries) {
        Some(year) => {
            for (line, entry) in &rows {
                if !belongs_to_year(entry, year) {
                    errors.push(ArrangementError {
                        line: *line,
                        column: COLUMN_DATE.to_string(),
                        value: entry.date.to_string(),
                        message: format!(
                            "不属于{year}年的安排，应为{year}年内的日期（只有放假日可以在{}年12月）",
                            year - 1
                        ),
                    });
                }
            }
        }
        None if errors.is_empty() => errors.push(ArrangementError {
            line: 1,
            column: String::new(),
            value: String::new(),
            message: "之后没有数据行，应在表头下每行填写一个放假日或调休上班日".to_string(),
        }),
        None => {}
    }

    if errors.is_empty() {
        Ok(entries)
    } else {
        errors.sort_by_key(|error| error.line);
        Err(errors)
    }
}

/// Returns the year that most entries fall in, preferring the later year on a tie, or `None`
/// for an empty list.
///
/// A December rest day that starts the next year's New Year's Day break is outnumbered by
/// the next year's entries, so the arrangement of 2023 (which starts on 2022-12-31) gets 2023.
pub fn arrangement_year(entries: &[ArrangementEntry]) -> Option<i32> {
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for entry in entries {
        *counts.entry(entry.date.year()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(year, count)| (count, year))
        .map(|(year, _)| year)
}

/// Tells whether an entry may appear in the arrangement of `year`: it falls in that year, or it
/// is a rest day in December of the year before.
pub(crate) fn belongs_to_year(entry: &ArrangementEntry, year: i32) -> bool {
    let date = entry.date;
    date.year() == year
        || (date.year() == year - 1 && date.month() == 12 && entry.kind == ArrangementKind::Holiday)
}

/// Parses the header and every data row, checking each row on its own and dates for
/// duplicates, but not which year the rows belong to.
///
/// Returns the valid rows with their line numbers, and the errors.
pub(crate) fn parse_rows(text: &str) -> (Vec<(usize, ArrangementEntry)>, Vec<ArrangementError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line))
        .filter(|(_, line)| !line.trim().is_empty());

    let mut rows = Vec::new();
    let mut errors = Vec::new();

    match lines.next() {
        None => {
            errors.push(ArrangementError {
                line: 1,
                column: String::new(),
                value: String::new(),
                message: "为空，文件应以表头“date,kind,name”或“日期,类型,名称”开始".to_string(),
            });
            return (rows, errors);
        }
        Some((line_number, line)) => {
            if let Err(error) = check_header(line_number, line) {
                errors.push(error);
            }
        }
    }

    let mut first_line_of_date: HashMap<NaiveDate, usize> = HashMap::new();
    for (line_number, line) in lines {
        let Some(entry) = parse_row(line_number, line, &mut errors) else {
            continue;
        };

        if let Some(first_line) = first_line_of_date.get(&entry.date) {
            errors.push(ArrangementError {
                line: line_number,
                column: COLUMN_DATE.to_string(),
                value: entry.date.to_string(),
                message: format!("与第{first_line}行重复，每个日期只能出现一次"),
            });
            continue;
        }
        first_line_of_date.insert(entry.date, line_number);
        rows.push((line_number, entry));
    }

    (rows, errors)
}

fn check_header(line_number: usize, line: &str) -> Result<(), ArrangementError> {
    let cells = split_csv_line(line).unwrap_or_default();
    let cells: Vec<&str> = trim_trailing_empty(&cells);
    let matches = HEADERS.iter().any(|header| {
        cells.len() == header.len()
            && cells
                .iter()
                .zip(header)
                .all(|(cell, expected)| cell.eq_ignore_ascii_case(expected))
    });
    if matches {
        Ok(())
    } else {
        Err(ArrangementError {
            line: line_number,
            column: COLUMN_HEADER.to_string(),
            value: line.trim().to_string(),
            message: "无效，应为“date,kind,name”或“日期,类型,名称”".to_string(),
        })
    }
}

/// Parses one data row, pushing an error for each bad cell. Returns the entry only if the
/// whole row is valid.
fn parse_row(
    line_number: usize,
    line: &str,
    errors: &mut Vec<ArrangementError>,
) -> Option<ArrangementEntry> {
    let line_error = |message: String| ArrangementError {
        line: line_number,
        column: String::new(),
        value: String::new(),
        message,
    };
    let cell_error = |column: &str, value: &str, message: &str| ArrangementError {
        line: line_number,
        column: column.to_string(),
        value: value.to_string(),
        message: message.to_string(),
    };

    let Some(cells) = split_csv_line(line) else {
        errors.push(line_error(format!("的引号不成对，{EXPECTED_COLUMNS}")));
        return None;
    };
    let cells = trim_trailing_empty(&cells);
    if cells.len() != 3 {
        errors.push(line_error(format!(
            "有{}列，{EXPECTED_COLUMNS}",
            cells.len()
        )));
        return None;
    }
    let (date_text, kind_text, name) = (cells[0], cells[1], cells[2]);

    let date = if date_text.is_empty() {
        errors.push(cell_error(
            COLUMN_DATE,
            "",
            "为空，应为YYYY-MM-DD格式的日期",
        ));
        None
    } else {
        let date = parse_iso_date(date_text);
        if date.is_none() {
            errors.push(cell_error(
                COLUMN_DATE,
                date_text,
                "不是有效日期，应为YYYY-MM-DD格式的日期",
            ));
        }
        date
    };

    let kind = parse_kind_cell(kind_text);
    if kind.is_none() {
        let message = if kind_text.is_empty() {
            "为空，应为holiday（放假、休）或makeup_workday（调休上班、班）"
        } else {
            "无效，应为holiday（放假、休）或makeup_workday（调休上班、班）"
        };
        errors.push(cell_error(COLUMN_KIND, kind_text, message));
    }

    if kind == Some(ArrangementKind::Holiday) && name.is_empty() {
        errors.push(cell_error(
            COLUMN_NAME,
            "",
            "为空，放假日应填写节日名称，如春节",
        ));
        return None;
    }

    let (date, kind) = (date?, kind?);
    if kind == ArrangementKind::MakeupWorkday
        && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    {
        errors.push(cell_error(
            COLUMN_DATE,
            date_text,
            &format!(
                "是{}，调休上班日应为星期六或星期日",
                weekday_label(date.weekday())
            ),
        ));
        return None;
    }

    Some(ArrangementEntry {
        date,
        kind,
        name: name.to_string(),
    })
}

fn parse_kind_cell(text: &str) -> Option<ArrangementKind> {
    match text {
        "休" => Some(ArrangementKind::Holiday),
        "班" => Some(ArrangementKind::MakeupWorkday),
        _ => ArrangementKind::parse(text).ok(),
    }
}

/// Parses a date written exactly as `YYYY-MM-DD`, with zero-padded month and day.
pub(crate) fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let well_formed = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
    if !well_formed {
        return None;
    }
    let year = text[0..4].parse().ok()?;
    let month = text[5..7].parse().ok()?;
    let day = text[8..10].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

pub(crate) fn weekday_label(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

/// Splits one CSV line into cells, honouring double quotes (`""` inside quotes is a quote).
/// Returns `None` when a quote is not closed.
fn split_csv_line(line: &str) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();

    while let Some(character) = chars.next() {
        match (character, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => in_quotes = false,
            ('"', false) => in_quotes = true,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(character),
        }
    }
    if in_quotes {
        return None;
    }
    cells.push(cell);
    Some(cells)
}

/// Trims every cell and drops empty cells after the third, which spreadsheet programs often
/// add at the end of a line.
fn trim_trailing_empty(cells: &[String]) -> Vec<&str> {
    let mut trimmed: Vec<&str> = cells.iter().map(|cell| cell.trim()).collect();
    while trimmed.len() > 3 && trimmed.last() == Some(&"") {
        trimmed.pop();
    }
    trimmed
}
