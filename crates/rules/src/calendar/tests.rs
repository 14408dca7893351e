use super::*;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn entry(date_text: &str, kind: ArrangementKind, name: &str) -> ArrangementEntry {
    ArrangementEntry {
        date: date(date_text),
        kind,
        name: name.to_string(),
    }
}

#[test]
fn code_lists_are_consistent() {
    assert_code_enum_consistent!(DayKind);
    assert_code_enum_consistent!(ArrangementKind);
}

#[test]
fn day_kind_labels() {
    assert_eq!(DayKind::Workday.label(), "工作日");
    assert_eq!(DayKind::Weekend.label(), "周末");
    assert_eq!(DayKind::Holiday.label(), "法定节假日");
    assert_eq!(DayKind::MakeupWorkday.label(), "调休上班");
    assert_eq!(DayKind::MakeupWorkday.as_str(), "makeup_workday");
    assert_eq!(ArrangementKind::MakeupWorkday.as_str(), "makeup_workday");
}

#[test]
fn shipped_arrangements_parse_by_year() {
    let arrangements = Calendar::shipped_arrangements();
    let years: Vec<i32> = arrangements.iter().map(|(year, _)| *year).collect();
    assert_eq!(years, vec![2023, 2024, 2025, 2026]);

    for (year, entries) in &arrangements {
        assert!(!entries.is_empty(), "{year} has no entries");
        assert_eq!(arrangement_year(entries), Some(*year));
        for entry in entries {
            assert!(
                arrangement::belongs_to_year(entry, *year),
                "{} is outside the {year} arrangement",
                entry.date
            );
        }
        let mut sorted = entries.clone();
        sorted.sort_by_key(|entry| entry.date);
        assert_eq!(&sorted, entries);
    }

    let first_of_2023 = &arrangements[0].1[0];
    assert_eq!(
        first_of_2023,
        &entry("2022-12-31", ArrangementKind::Holiday, "元旦")
    );
}

#[test]
fn shipped_file_passes_the_upload_parser_per_year() {
    for (year, entries) in Calendar::shipped_arrangements() {
        let mut text = String::from("date,kind,name\n");
        for entry in &entries {
            text.push_str(&format!(
                "{},{},{}\n",
                entry.date,
                entry.kind.as_str(),
                entry.name
            ));
        }
        assert_eq!(parse_arrangement(&text), Ok(entries), "year {year}");
    }
}

#[test]
fn official_years_have_arrangements() {
    let calendar = Calendar::official();
    assert_eq!(calendar.years(), vec![2023, 2024, 2025, 2026]);
    assert!(calendar.has_arrangement(2026));
    assert!(!calendar.has_arrangement(2022));
    assert!(!calendar.has_arrangement(2027));
}

#[test]
fn working_days_per_year_match_official_counts() {
    let calendar = Calendar::official();
    for (year, expected) in [(2023, 249), (2024, 251), (2025, 248), (2026, 248)] {
        let count = calendar
            .year_days(year)
            .iter()
            .filter(|day| day.kind.is_working_day())
            .count();
        assert_eq!(count, expected, "working days in {year}");

        let last_of_previous_year = NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap();
        let last_of_year = NaiveDate::from_ymd_opt(year, 12, 31).unwrap();
        assert_eq!(
            calendar.working_days_between(last_of_previous_year, last_of_year),
            i64::try_from(expected).unwrap(),
            "working_days_between over {year}"
        );
    }
}

#[test]
fn add_working_days_skips_national_day() {
    let calendar = Calendar::official();
    assert_eq!(
        calendar.add_working_days(date("2023-09-27"), 3),
        date("2023-10-08")
    );
    assert_eq!(
        calendar.day(date("2023-10-07")).kind,
        DayKind::MakeupWorkday
    );
    assert_eq!(
        calendar.day(date("2023-10-08")).kind,
        DayKind::MakeupWorkday
    );
}

#[test]
fn add_zero_working_days_returns_start() {
    let calendar = Calendar::official();
    assert_eq!(
        calendar.add_working_days(date("2023-10-01"), 0),
        date("2023-10-01")
    );
}

#[test]
fn add_working_days_from_a_weekend() {
    let calendar = Calendar::official();
    // Saturday 2026-03-07: the first working day after it is Monday 03-09.
    assert_eq!(
        calendar.add_working_days(date("2026-03-07"), 1),
        date("2026-03-09")
    );
    assert_eq!(
        calendar.add_working_days(date("2026-03-07"), 10),
        date("2026-03-20")
    );
}

#[test]
fn new_years_eve_2024_is_a_working_day() {
    let calendar = Calendar::official();
    let eve = calendar.day(date("2024-02-09"));
    assert_eq!(eve.kind, DayKind::Workday);
    assert_eq!(eve.holiday_name, None);
    assert!(calendar.is_working_day(date("2024-02-09")));
}

#[test]
fn makeup_workday_on_sunday_2026_01_04() {
    let calendar = Calendar::official();
    let day = calendar.day(date("2026-01-04"));
    assert_eq!(day.date.weekday(), Weekday::Sun);
    assert_eq!(day.kind, DayKind::MakeupWorkday);
    assert_eq!(day.holiday_name.as_deref(), Some("元旦"));
    assert!(calendar.is_working_day(date("2026-01-04")));
}

#[test]
fn holiday_on_weekend_keeps_its_name() {
    let calendar = Calendar::official();
    let day = calendar.day(date("2026-01-03"));
    assert_eq!(day.date.weekday(), Weekday::Sat);
    assert_eq!(day.kind, DayKind::Holiday);
    assert_eq!(day.holiday_name.as_deref(), Some("元旦"));
}

#[test]
fn december_new_year_rest_day_counts_by_date() {
    let calendar = Calendar::official();
    let day = calendar.day(date("2022-12-31"));
    assert_eq!(day.kind, DayKind::Holiday);
    assert_eq!(day.holiday_name.as_deref(), Some("元旦"));
    assert!(!calendar.has_arrangement(2022));
}

#[test]
fn plain_days_have_no_holiday_name() {
    let calendar = Calendar::official();
    let saturday = calendar.day(date("2026-03-07"));
    assert_eq!(saturday.kind, DayKind::Weekend);
    assert_eq!(saturday.holiday_name, None);
    let monday = calendar.day(date("2026-03-09"));
    assert_eq!(monday.kind, DayKind::Workday);
    assert_eq!(monday.holiday_name, None);
}

#[test]
fn year_without_arrangement_falls_back_to_weekdays() {
    let calendar = Calendar::official();
    assert!(!calendar.has_arrangement(2027));

    // 2027-01-01 is a Friday: New Year's Day is not known without the arrangement.
    assert_eq!(calendar.day(date("2027-01-01")).kind, DayKind::Workday);
    assert_eq!(calendar.day(date("2027-01-02")).kind, DayKind::Weekend);
    assert_eq!(calendar.day(date("2027-01-03")).kind, DayKind::Weekend);

    let days = calendar.year_days(2027);
    assert_eq!(days.len(), 365);
    for day in &days {
        let weekend = matches!(day.date.weekday(), Weekday::Sat | Weekday::Sun);
        assert_eq!(day.kind.is_working_day(), !weekend, "{}", day.date);
    }
    let working = days.iter().filter(|day| day.kind.is_working_day()).count();
    assert_eq!(working, 261);

    assert_eq!(
        calendar.add_working_days(date("2027-01-01"), 1),
        date("2027-01-04")
    );
}

#[test]
fn empty_calendar_uses_fallback() {
    let calendar = Calendar::default();
    assert!(calendar.years().is_empty());
    assert!(calendar.is_working_day(date("2024-10-01")));
    assert!(!calendar.is_working_day(date("2024-10-05")));
}

#[test]
fn next_working_day_over_national_day() {
    let calendar = Calendar::official();
    assert_eq!(
        calendar.next_working_day(date("2024-09-30")),
        date("2024-10-08")
    );
    assert_eq!(
        calendar.next_working_day(date("2025-09-30")),
        date("2025-10-09")
    );
    assert_eq!(
        calendar.next_working_day(date("2026-10-03")),
        date("2026-10-08")
    );
    // The make-up Saturday 2024-10-12 follows Friday 10-11.
    assert_eq!(
        calendar.next_working_day(date("2024-10-11")),
        date("2024-10-12")
    );
}

#[test]
fn working_days_between_both_directions() {
    let calendar = Calendar::official();
    let start = date("2023-09-27");
    let end = date("2023-10-08");
    assert_eq!(calendar.working_days_between(start, end), 3);
    assert_eq!(calendar.working_days_between(end, start), -3);
    assert_eq!(calendar.working_days_between(start, start), 0);

    // Only holidays lie between the first and the last day of the 2024 National Day break.
    assert_eq!(
        calendar.working_days_between(date("2024-10-01"), date("2024-10-07")),
        0
    );
    assert_eq!(
        calendar.working_days_between(date("2024-09-30"), date("2024-10-08")),
        1
    );
    assert_eq!(
        calendar.working_days_between(date("2024-10-08"), date("2024-09-30")),
        -1
    );
}

#[test]
fn working_days_between_inverts_add_working_days() {
    let calendar = Calendar::official();
    let start = date("2025-12-20");
    for n in 0..40 {
        let end = calendar.add_working_days(start, n);
        assert_eq!(
            calendar.working_days_between(start, end),
            i64::from(n),
            "n = {n}"
        );
    }
}

#[test]
fn month_days_lists_the_month() {
    let calendar = Calendar::official();
    let february = calendar.month_days(2024, 2);
    assert_eq!(february.len(), 29);
    assert_eq!(february[0].date, date("2024-02-01"));
    assert_eq!(february[28].date, date("2024-02-29"));
    assert_eq!(february[9].kind, DayKind::Holiday);
    assert_eq!(february[9].holiday_name.as_deref(), Some("春节"));
    assert_eq!(february[3].kind, DayKind::MakeupWorkday);

    assert!(calendar.month_days(2024, 0).is_empty());
    assert!(calendar.month_days(2024, 13).is_empty());
}

#[test]
fn year_days_covers_leap_year() {
    let days = Calendar::official().year_days(2024);
    assert_eq!(days.len(), 366);
    assert_eq!(days[0].date, date("2024-01-01"));
    assert_eq!(days[365].date, date("2024-12-31"));
    assert!(days.windows(2).all(|pair| pair[0].date < pair[1].date));
}

#[test]
fn new_keeps_empty_year_as_arranged() {
    let calendar = Calendar::new([(2030, Vec::new())]);
    assert!(calendar.has_arrangement(2030));
    assert_eq!(calendar.years(), vec![2030]);
    assert!(calendar.is_working_day(date("2030-01-01")));
}

#[test]
fn own_year_entry_wins_over_neighbouring_year() {
    let calendar = Calendar::new([
        (
            2031,
            vec![entry("2030-12-31", ArrangementKind::Holiday, "元旦")],
        ),
        (
            2030,
            vec![entry("2030-12-31", ArrangementKind::MakeupWorkday, "")],
        ),
    ]);
    assert_eq!(
        calendar.day(date("2030-12-31")).kind,
        DayKind::MakeupWorkday
    );
    assert_eq!(calendar.day(date("2030-12-31")).holiday_name, None);
}

#[test]
fn parse_accepts_english_header() {
    let text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-09,makeup_workday,元旦\n";
    let entries = parse_arrangement(text).unwrap();
    assert_eq!(
        entries,
        vec![
            entry("2027-01-01", ArrangementKind::Holiday, "元旦"),
            entry("2027-01-02", ArrangementKind::Holiday, "元旦"),
            entry("2027-01-09", ArrangementKind::MakeupWorkday, "元旦"),
        ]
    );
    assert_eq!(arrangement_year(&entries), Some(2027));
}

#[test]
fn parse_accepts_chinese_header_bom_and_crlf() {
    let text = "\u{feff}日期,类型,名称\r\n2027-02-06,休,春节\r\n\r\n2027-02-07,放假,春节\r\n2027-02-13,班,\r\n2027-02-14,调休上班,春节\r\n";
    let entries = parse_arrangement(text).unwrap();
    assert_eq!(
        entries,
        vec![
            entry("2027-02-06", ArrangementKind::Holiday, "春节"),
            entry("2027-02-07", ArrangementKind::Holiday, "春节"),
            entry("2027-02-13", ArrangementKind::MakeupWorkday, ""),
            entry("2027-02-14", ArrangementKind::MakeupWorkday, "春节"),
        ]
    );
}

#[test]
fn parse_accepts_quotes_and_trailing_empty_cells() {
    let text = "\"date\",\"kind\",\"name\",,\n\"2027-10-01\",\"HOLIDAY\",\"国庆节\",,\n 2027-10-02 , holiday , 国庆节 \n";
    let entries = parse_arrangement(text).unwrap();
    assert_eq!(
        entries,
        vec![
            entry("2027-10-01", ArrangementKind::Holiday, "国庆节"),
            entry("2027-10-02", ArrangementKind::Holiday, "国庆节"),
        ]
    );
}

#[test]
fn parse_allows_december_rest_day_before_the_year() {
    let text = "date,kind,name\n2022-12-31,holiday,元旦\n2023-01-01,holiday,元旦\n2023-01-02,holiday,元旦\n";
    let entries = parse_arrangement(text).unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(arrangement_year(&entries), Some(2023));
}

#[test]
fn arrangement_year_picks_majority_then_later() {
    assert_eq!(arrangement_year(&[]), None);
    let tie = [
        entry("2022-12-31", ArrangementKind::Holiday, "元旦"),
        entry("2023-01-01", ArrangementKind::Holiday, "元旦"),
    ];
    assert_eq!(arrangement_year(&tie), Some(2023));
    let majority = [
        entry("2027-05-01", ArrangementKind::Holiday, "劳动节"),
        entry("2027-05-02", ArrangementKind::Holiday, "劳动节"),
        entry("2028-01-01", ArrangementKind::Holiday, "元旦"),
    ];
    assert_eq!(arrangement_year(&majority), Some(2027));
}

#[test]
fn parse_error_display_names_line_column_and_value() {
    let errors =
        parse_arrangement("date,kind,name\n2027-02-01,holiday,春节\n2027-02-30,holiday,春节\n")
            .unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "第3行“日期”列的值“2027-02-30”不是有效日期，应为YYYY-MM-DD格式的日期"
    );
}

#[test]
fn parse_errors_table() {
    struct Case {
        name: &'static str,
        text: &'static str,
        expected: &'static [&'static str],
    }
    let cases = [
        Case {
            name: "empty file",
            text: "",
            expected: &["第1行为空，文件应以表头“date,kind,name”或“日期,类型,名称”开始"],
        },
        Case {
            name: "only BOM and blank lines",
            text: "\u{feff}\n  \n",
            expected: &["第1行为空，文件应以表头“date,kind,name”或“日期,类型,名称”开始"],
        },
        Case {
            name: "header only",
            text: "date,kind,name\n",
            expected: &["第1行之后没有数据行，应在表头下每行填写一个放假日或调休上班日"],
        },
        Case {
            name: "wrong header",
            text: "day,type,title\n2027-01-01,holiday,元旦\n",
            expected: &[
                "第1行“表头”列的值“day,type,title”无效，应为“date,kind,name”或“日期,类型,名称”",
            ],
        },
        Case {
            name: "impossible date",
            text: "date,kind,name\n2027-02-30,holiday,春节\n",
            expected: &["第2行“日期”列的值“2027-02-30”不是有效日期，应为YYYY-MM-DD格式的日期"],
        },
        Case {
            name: "unpadded date",
            text: "date,kind,name\n2027-1-1,holiday,元旦\n",
            expected: &["第2行“日期”列的值“2027-1-1”不是有效日期，应为YYYY-MM-DD格式的日期"],
        },
        Case {
            name: "slashes in date",
            text: "date,kind,name\n2027/01/01,holiday,元旦\n",
            expected: &["第2行“日期”列的值“2027/01/01”不是有效日期，应为YYYY-MM-DD格式的日期"],
        },
        Case {
            name: "empty date",
            text: "date,kind,name\n,holiday,元旦\n",
            expected: &["第2行“日期”列为空，应为YYYY-MM-DD格式的日期"],
        },
        Case {
            name: "unknown kind",
            text: "date,kind,name\n2027-01-01,rest,元旦\n",
            expected: &[
                "第2行“类型”列的值“rest”无效，应为holiday（放假、休）或makeup_workday（调休上班、班）",
            ],
        },
        Case {
            name: "empty kind",
            text: "date,kind,name\n2027-01-01,,元旦\n",
            expected: &[
                "第2行“类型”列为空，应为holiday（放假、休）或makeup_workday（调休上班、班）",
            ],
        },
        Case {
            name: "holiday without name",
            text: "date,kind,name\n2027-01-01,holiday,\n",
            expected: &["第2行“名称”列为空，放假日应填写节日名称，如春节"],
        },
        Case {
            name: "holiday without name column",
            text: "date,kind,name\n2027-01-01,holiday\n",
            expected: &["第2行有2列，应为三列：日期,类型,名称"],
        },
        Case {
            name: "too many columns",
            text: "date,kind,name\n2027-01-01,holiday,元旦,备注\n",
            expected: &["第2行有4列，应为三列：日期,类型,名称"],
        },
        Case {
            name: "unclosed quote",
            text: "date,kind,name\n\"2027-01-01,holiday,元旦\n",
            expected: &["第2行的引号不成对，应为三列：日期,类型,名称"],
        },
        Case {
            name: "make-up day on a weekday",
            text: "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,makeup_workday,元旦\n",
            expected: &["第3行“日期”列的值“2027-01-04”是星期一，调休上班日应为星期六或星期日"],
        },
        Case {
            name: "duplicate date",
            text: "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-01,holiday,元旦\n",
            expected: &["第4行“日期”列的值“2027-01-01”与第2行重复，每个日期只能出现一次"],
        },
        Case {
            name: "date in a later year",
            text: "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2028-01-01,holiday,元旦\n",
            expected: &[
                "第4行“日期”列的值“2028-01-01”不属于2027年的安排，应为2027年内的日期（只有放假日可以在2026年12月）",
            ],
        },
        Case {
            name: "make-up day in previous December",
            text: "date,kind,name\n2026-12-26,makeup_workday,元旦\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n",
            expected: &[
                "第2行“日期”列的值“2026-12-26”不属于2027年的安排，应为2027年内的日期（只有放假日可以在2026年12月）",
            ],
        },
        Case {
            name: "rest day in previous November",
            text: "date,kind,name\n2026-11-30,holiday,元旦\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n",
            expected: &[
                "第2行“日期”列的值“2026-11-30”不属于2027年的安排，应为2027年内的日期（只有放假日可以在2026年12月）",
            ],
        },
        Case {
            name: "several errors at once",
            text: "日期,类型,名称\n2027-13-01,休,元旦\n2027-01-02,工作,元旦\n2027-01-03,休,\n",
            expected: &[
                "第2行“日期”列的值“2027-13-01”不是有效日期，应为YYYY-MM-DD格式的日期",
                "第3行“类型”列的值“工作”无效，应为holiday（放假、休）或makeup_workday（调休上班、班）",
                "第4行“名称”列为空，放假日应填写节日名称，如春节",
            ],
        },
    ];

    for case in cases {
        let errors = match parse_arrangement(case.text) {
            Ok(entries) => panic!("{}: expected errors, parsed {entries:?}", case.name),
            Err(errors) => errors,
        };
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages, case.expected, "{}", case.name);
    }
}

#[test]
fn parse_error_fields_are_structured() {
    let errors = parse_arrangement("date,kind,name\n2027-01-04,班,元旦\n").unwrap_err();
    assert_eq!(
        errors,
        vec![ArrangementError {
            line: 2,
            column: "日期".to_string(),
            value: "2027-01-04".to_string(),
            message: "是星期一，调休上班日应为星期六或星期日".to_string(),
        }]
    );
}
