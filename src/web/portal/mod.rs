//! The public portal: no login. The brand matrix, the public notices with their objection
//! form, the directory of licensees and the certificate verification page.

mod notices;
mod verify;

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::State,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    entities::{brand, setting},
    services::licenses::{self, DirectoryFilter, DirectoryRow},
    web::{error::AppResult, forms::FilterQuery, layout::Pager, state::AppState},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/notices", get(notices::list))
        .route("/portal/notices/{id}", get(notices::show))
        .route("/portal/notices/{id}/objections", post(notices::object))
        .route("/portal/notices/{id}/objection-filed", get(notices::filed))
        .route("/portal/licensees", get(licensees))
        .route("/portal/verify", get(verify::form))
        .route("/portal/verify/{code}", get(verify::result))
}

/// Data every portal template receives as `portal`.
pub struct PortalLayout {
    pub title: String,
    pub site_title: String,
    pub county_name: String,
}

impl PortalLayout {
    /// Builds the frame of a portal page titled `title`, reading the site title
    /// (`portal_title`) and the county name (`county_name`) from the settings in one query.
    pub async fn load<C: ConnectionTrait>(db: &C, title: impl Into<String>) -> AppResult<Self> {
        let mut values: HashMap<String, String> = setting::Entity::find()
            .filter(setting::Column::Key.is_in(["portal_title", "county_name"]))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.key, row.value))
            .collect();
        Ok(PortalLayout {
            title: title.into(),
            site_title: values
                .remove("portal_title")
                .unwrap_or_else(|| "乡村e镇综合服务平台".to_owned()),
            county_name: values.remove("county_name").unwrap_or_default(),
        })
    }
}

/// A brand as the matrix shows it.
struct BrandCard {
    id: i64,
    name: String,
    slogan: String,
    description: String,
    logo: Option<String>,
    /// Licenses of this sub-brand in force today.
    licensees: u64,
}

impl BrandCard {
    fn new(row: brand::Model, licensees: u64) -> BrandCard {
        BrandCard {
            // The file id in the query changes with every upload, so a cached old logo is
            // never served under the new one's URL.
            logo: row
                .logo_file_id
                .map(|file_id| format!("/brand-logos/{}?v={file_id}", row.id)),
            id: row.id,
            name: row.name,
            slogan: row.slogan,
            description: row.description.unwrap_or_default(),
            licensees,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/home.html")]
struct HomePage {
    portal: PortalLayout,
    umbrella: Option<BrandCard>,
    sub_brands: Vec<BrandCard>,
}

/// Shows the brand matrix: the umbrella brand with its slogan, then each active sub-brand with its
/// slogan, logo and number of licensees. A deactivated sub-brand accepts no applications and
/// is left out of the public matrix.
async fn home(State(state): State<AppState>) -> AppResult<Response> {
    let portal = PortalLayout::load(&state.db, "品牌矩阵").await?;
    let brands = brand::Entity::find()
        .filter(brand::Column::IsActive.eq(true))
        .order_by_asc(brand::Column::SortOrder)
        .order_by_asc(brand::Column::Id)
        .all(&state.db)
        .await?;
    let counts = licenses::licensee_counts(&state.db, state.clock.today()).await?;

    let (umbrellas, children): (Vec<_>, Vec<_>) =
        brands.into_iter().partition(|row| row.parent_id.is_none());
    let umbrella = umbrellas.into_iter().next();
    let umbrella_id = umbrella.as_ref().map(|row| row.id);
    let sub_brands = children
        .into_iter()
        .filter(|row| umbrella_id.is_none() || row.parent_id == umbrella_id)
        .map(|row| {
            let count = counts.get(&row.id).copied().unwrap_or(0);
            BrandCard::new(row, count)
        })
        .collect();
    Ok(HomePage {
        portal,
        umbrella: umbrella.map(|row| BrandCard::new(row, 0)),
        sub_brands,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/licensees.html")]
struct LicenseesPage {
    portal: PortalLayout,
    rows: Vec<DirectoryRow>,
    pager: Pager,
    q: String,
    brand_id: i64,
    brands: Vec<(i64, String)>,
}

/// Shows the directory of licensees with licenses in force today, searchable by enterprise or
/// product name and filtered by sub-brand.
async fn licensees(
    State(state): State<AppState>,
    FilterQuery(filter): FilterQuery<DirectoryFilter>,
) -> AppResult<Response> {
    let portal = PortalLayout::load(&state.db, "授权企业名录").await?;
    let (rows, total) = licenses::directory(&state.db, &filter, state.clock.today()).await?;
    let brands = licenses::sub_brands(&state.db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect();
    let params = [
        ("q", filter.q.trim().to_owned()),
        (
            "brand_id",
            filter.brand_id.map(|id| id.to_string()).unwrap_or_default(),
        ),
    ];
    let page = filter.page.unwrap_or(1).max(1);
    Ok(LicenseesPage {
        portal,
        rows,
        pager: Pager::new(
            "/portal/licensees",
            &params,
            page,
            licenses::PAGE_SIZE,
            total,
        ),
        q: filter.q.trim().to_owned(),
        brand_id: filter.brand_id.unwrap_or(0),
        brands,
    }
    .into_response())
}
