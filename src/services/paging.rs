//! Paged query results and text search for the back-office tables and the list endpoints
//! of the API.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, Select,
    sea_query::{Expr, Func, LikeExpr},
};
use serde::Serialize;

use crate::web::{error::AppResult, forms::Errors};

/// One page of a longer result. `page` counts from 1.
#[derive(Debug, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Paged<T> {
    /// Returns the number of pages, at least 1 so that "第 1 / 1 页" reads right for no rows.
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    /// Converts every item, keeping the page numbers.
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(convert).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// Reads the `page` parameter. Empty means 1, and anything but a positive integer records
/// an error.
pub fn parse_page(errors: &mut Errors, raw: &str) -> u64 {
    let raw = raw.trim();
    if raw.is_empty() {
        return 1;
    }
    match raw.parse::<u64>() {
        Ok(page) if page >= 1 => page,
        _ => {
            errors.add("page", format!("页码“{raw}”无效，应为从 1 开始的整数"));
            1
        }
    }
}

/// Runs `query` for page `page` (from 1) with `per_page` rows, and counts all matching rows.
pub async fn fetch_page<C, E, M>(
    db: &C,
    query: Select<E>,
    page: u64,
    per_page: u64,
) -> AppResult<Paged<M>>
where
    C: ConnectionTrait,
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
{
    let paginator = query.paginate(db, per_page);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page - 1).await?;
    Ok(Paged {
        items,
        total,
        page,
        per_page,
    })
}

/// Returns the query string for page `page` of a list, keeping the other non-empty
/// parameters of `filter`.
pub fn page_query<F: Serialize>(filter: &F, page: u64) -> String {
    query_with(filter, "page", &page.to_string())
}

/// Returns the query string of `filter` without its page and empty parameters, with
/// `name=value` added, such as `format=csv` for the export of a list.
pub fn query_with<F: Serialize>(filter: &F, name: &str, value: &str) -> String {
    let encoded = serde_html_form::to_string(filter).unwrap_or_default();
    let mut pairs: Vec<(String, String)> = serde_html_form::from_str(&encoded).unwrap_or_default();
    pairs.retain(|(key, value)| key != "page" && !value.is_empty());
    pairs.push((name.to_owned(), value.to_owned()));
    serde_html_form::to_string(&pairs).unwrap_or_default()
}

/// Returns a LIKE pattern that matches `text` anywhere, lower-cased, with the wildcards of
/// `text` escaped by `\`.
pub fn contains_pattern(text: &str) -> LikeExpr {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}

/// Returns a condition that `column` contains `text`, ignoring the case of ASCII letters
/// on both SQLite and PostgreSQL.
pub fn column_contains(column: impl ColumnTrait, text: &str) -> Expr {
    // Imported here because its `max` makes calls of `Ord::max` in this module ambiguous.
    use sea_orm::sea_query::ExprTrait;

    Expr::expr(Func::lower(Expr::col(column.as_column_ref()))).like(contains_pattern(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paged(total: u64, page: u64) -> Paged<()> {
        Paged {
            items: Vec::new(),
            total,
            page,
            per_page: 20,
        }
    }

    #[test]
    fn pages_round_up() {
        assert_eq!(paged(0, 1).pages(), 1);
        assert_eq!(paged(20, 1).pages(), 1);
        assert_eq!(paged(21, 1).pages(), 2);
        assert!(paged(21, 1).has_next());
        assert!(!paged(21, 2).has_next());
        assert!(paged(21, 2).has_previous());
    }

    #[test]
    fn page_parameter_checked() {
        let mut errors = Errors::default();
        assert_eq!(parse_page(&mut errors, ""), 1);
        assert_eq!(parse_page(&mut errors, " 3 "), 3);
        assert!(errors.is_empty());
        assert_eq!(parse_page(&mut errors, "0"), 1);
        assert_eq!(parse_page(&mut errors, "abc"), 1);
        assert_eq!(errors.0.len(), 2);
        assert!(errors.msg("page").contains("“0”"));
    }

    #[derive(Serialize)]
    struct Filter {
        q: &'static str,
        role: &'static str,
        page: &'static str,
    }

    #[test]
    fn page_query_keeps_filters() {
        let filter = Filter {
            q: "张 三&",
            role: "",
            page: "4",
        };
        assert_eq!(page_query(&filter, 2), "q=%E5%BC%A0+%E4%B8%89%26&page=2");
    }

    #[test]
    fn pattern_escapes_wildcards() {
        use sea_orm::sea_query::ExprTrait;

        let expr =
            Expr::col(crate::entities::user::Column::Username).like(contains_pattern("A_b%c\\"));
        let sql = sea_orm::sea_query::Query::select()
            .and_where(expr)
            .to_string(sea_orm::sea_query::SqliteQueryBuilder);
        assert!(sql.contains(r"LIKE '%a\_b\%c\\%' ESCAPE '\'"), "{sql}");
    }
}
