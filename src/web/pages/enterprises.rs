//! Back-office pages of enterprises: the searchable list, the detail page, and the new and
//! edit forms. Enterprise users reach only their own record, and every other id is not found.

mod registration;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use etown_rules::{subject::SubjectType, workflow::Role};
use serde::Deserialize;

use crate::{
    services::enterprises::{self, EDIT_ROLES, EnterpriseInput, ListQuery, VIEW_ROLES},
    web::{
        auth::AuthUser,
        error::{AppError, AppResult},
        forms::{CsrfForm, Errors},
        layout::Layout,
        state::{AppState, format_beijing},
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(list_page))
        .route("/enterprises/new", get(new_page).post(new_submit))
        .route("/enterprises/mine", get(mine))
        .route("/enterprises/{id}", get(detail_page))
        .route("/enterprises/{id}/edit", get(edit_page).post(edit_submit))
        .merge(registration::routes())
}

/// One option of a select.
struct Choice {
    value: String,
    label: String,
}

impl Choice {
    /// Returns whether a submitted value names this option by its value (in any case) or
    /// its label, as the service accepts both.
    fn matches(&self, submitted: &str) -> bool {
        let submitted = submitted.trim();
        self.value.eq_ignore_ascii_case(submitted) || self.label == submitted
    }
}

/// Data of `enterprises/fields.html`: the values to show, the errors beside them, and the
/// options of the selects.
struct FormView {
    form: EnterpriseInput,
    errors: Errors,
    divisions: Vec<Choice>,
    subject_types: Vec<Choice>,
    county: String,
    /// Administrators may accept a code that fails the check, with a reason.
    show_legacy: bool,
    /// False for the enterprise itself, which may read its code but not change it.
    uscc_editable: bool,
}

impl FormView {
    async fn new(
        state: &AppState,
        form: EnterpriseInput,
        errors: Errors,
        show_legacy: bool,
        uscc_editable: bool,
    ) -> AppResult<FormView> {
        Ok(FormView {
            form,
            errors,
            divisions: division_choices(state).await?,
            subject_types: subject_type_choices(),
            county: enterprises::county_name(&state.db).await?,
            show_legacy,
            uscc_editable,
        })
    }
}

impl FormView {
    /// Returns a submitted division that is not among the options, so that the select can
    /// show it next to the error.
    fn unknown_division(&self) -> Option<&str> {
        unknown_choice(&self.divisions, &self.form.division_code)
    }

    /// Returns a submitted subject type that is not among the options.
    fn unknown_subject_type(&self) -> Option<&str> {
        unknown_choice(&self.subject_types, &self.form.subject_type)
    }
}

fn unknown_choice<'a>(choices: &[Choice], value: &'a str) -> Option<&'a str> {
    let known = choices.iter().any(|choice| choice.matches(value));
    (!value.is_empty() && !known).then_some(value)
}

async fn division_choices(state: &AppState) -> AppResult<Vec<Choice>> {
    Ok(enterprises::divisions(&state.db)
        .await?
        .into_iter()
        .map(|row| Choice {
            value: row.code,
            label: row.name,
        })
        .collect())
}

fn subject_type_choices() -> Vec<Choice> {
    SubjectType::all()
        .iter()
        .map(|value| Choice {
            value: value.as_str().to_owned(),
            label: value.label().to_owned(),
        })
        .collect()
}

/// The enterprise fields as a browser posts them: checkboxes are present only when ticked.
#[derive(Deserialize, Default)]
#[serde(default)]
struct EnterpriseForm {
    name: String,
    uscc: String,
    legacy_reason: String,
    subject_type: String,
    registered_address: String,
    division_code: String,
    registered_in_houma: String,
    operates_via_branch: String,
    branch_name: String,
    production_base: String,
    is_agent: String,
    producer_name: String,
    contact_name: String,
    contact_mobile: String,
    description: String,
}

impl From<EnterpriseForm> for EnterpriseInput {
    fn from(form: EnterpriseForm) -> Self {
        EnterpriseInput {
            name: form.name,
            uscc: form.uscc,
            legacy_reason: form.legacy_reason,
            subject_type: form.subject_type,
            registered_address: form.registered_address,
            division_code: form.division_code,
            registered_in_houma: !form.registered_in_houma.is_empty(),
            operates_via_branch: !form.operates_via_branch.is_empty(),
            branch_name: form.branch_name,
            production_base: form.production_base,
            is_agent: !form.is_agent.is_empty(),
            producer_name: form.producer_name,
            contact_name: form.contact_name,
            contact_mobile: form.contact_mobile,
            description: form.description,
        }
    }
}

/// Builds the layout of an enterprise page. Its first crumb leads staff to the list and
/// enterprise users to their own record.
fn base_layout(state: &AppState, user: &AuthUser, title: &str) -> Layout {
    let layout = Layout::new(state, user, title, "enterprises");
    if user.has_any(VIEW_ROLES) {
        layout.crumb("企业信息", "/enterprises")
    } else {
        layout.crumb("本企业信息", "/enterprises/mine")
    }
}

struct ListRow {
    id: i64,
    name: String,
    uscc: String,
    subject_type: String,
    division: String,
    contact_name: String,
    contact_mobile: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprises/list.html")]
struct ListPage {
    layout: Layout,
    filter: ListQuery,
    rows: Vec<ListRow>,
    divisions: Vec<Choice>,
    subject_types: Vec<Choice>,
    may_edit: bool,
    total: u64,
    page: u64,
    pages: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<ListQuery>,
) -> AppResult<Response> {
    if !user.has_any(VIEW_ROLES) && user.has(Role::Enterprise) {
        return Ok(Redirect::to("/enterprises/mine").into_response());
    }
    user.require_any(VIEW_ROLES)?;

    let result = enterprises::list(&state.db, &user, &filter).await?;
    let division_names = enterprises::division_names(&state.db).await?;
    let rows = result
        .rows
        .into_iter()
        .map(|row| ListRow {
            id: row.id,
            subject_type: enterprises::subject_type_label(&row.subject_type),
            division: division_names
                .get(&row.division_code)
                .cloned()
                .unwrap_or_else(|| row.division_code.clone()),
            contact_mobile: enterprises::mask_mobile(&row.contact_mobile),
            name: row.name,
            uscc: row.uscc,
            contact_name: row.contact_name,
        })
        .collect();

    let page_href = |page: u64| {
        let query = ListQuery {
            page,
            ..filter.clone()
        };
        let encoded = serde_html_form::to_string(&query).unwrap_or_default();
        format!("/enterprises?{encoded}")
    };
    let prev_href = (result.page > 1).then(|| page_href(result.page - 1));
    let next_href = (result.page < result.pages).then(|| page_href(result.page + 1));

    let page = ListPage {
        layout: Layout::new(&state, &user, "企业信息", "enterprises").crumb("企业信息", ""),
        rows,
        divisions: division_choices(&state).await?,
        subject_types: subject_type_choices(),
        may_edit: user.has_any(EDIT_ROLES),
        total: result.total,
        page: result.page,
        pages: result.pages,
        prev_href,
        next_href,
        filter,
    };
    Ok(page.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprises/form.html")]
struct FormPage {
    layout: Layout,
    view: FormView,
    action: String,
    cancel_href: String,
}

async fn render_new(
    state: &AppState,
    user: &AuthUser,
    form: EnterpriseInput,
    errors: Errors,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        layout: base_layout(state, user, "新增企业").crumb("新增企业", ""),
        view: FormView::new(state, form, errors, user.has(Role::Admin), true).await?,
        action: "/enterprises/new".into(),
        cancel_href: "/enterprises".into(),
    };
    Ok((status, page).into_response())
}

async fn new_page(State(state): State<AppState>, user: AuthUser) -> AppResult<Response> {
    user.require_any(EDIT_ROLES)?;
    let form = EnterpriseInput {
        registered_in_houma: true,
        ..Default::default()
    };
    render_new(&state, &user, form, Errors::default()).await
}

async fn new_submit(
    State(state): State<AppState>,
    user: AuthUser,
    CsrfForm(form): CsrfForm<EnterpriseForm>,
) -> AppResult<Response> {
    let input = EnterpriseInput::from(form);
    match enterprises::create(&state, &user, &input).await {
        Ok(row) => {
            Ok(Redirect::to(&format!("/enterprises/{}?notice=created", row.id)).into_response())
        }
        Err(AppError::Invalid(fields)) => render_new(&state, &user, input, Errors(fields)).await,
        Err(other) => Err(other),
    }
}

/// Sends an enterprise user to its own record, and staff to the list.
async fn mine(user: AuthUser) -> AppResult<Response> {
    if user.has_any(VIEW_ROLES) {
        return Ok(Redirect::to("/enterprises").into_response());
    }
    user.require_any(&[Role::Enterprise])?;
    let id = user.enterprise_id.ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/enterprises/{id}")).into_response())
}

struct Prop {
    label: &'static str,
    value: String,
}

struct HistoryEntry {
    at: String,
    username: String,
    action: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprises/detail.html")]
struct DetailPage {
    layout: Layout,
    id: i64,
    name: String,
    props: Vec<Prop>,
    uscc_override_reason: Option<String>,
    history: Vec<HistoryEntry>,
    may_edit: bool,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

async fn detail_page(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    let row = enterprises::get(&state.db, &user, id).await?;
    let county = enterprises::county_name(&state.db).await?;
    let division_names = enterprises::division_names(&state.db).await?;

    let mobile = if enterprises::may_see_full_mobile(&user, id) {
        row.contact_mobile.clone()
    } else {
        enterprises::mask_mobile(&row.contact_mobile)
    };
    let registration = if row.registered_in_houma {
        format!("在{county}注册登记")
    } else {
        "在外地注册登记".to_owned()
    };
    let branch = match (&row.operates_via_branch, &row.branch_name) {
        (true, Some(branch)) => format!("通过“{branch}”在{county}经营"),
        _ => "—".to_owned(),
    };
    let agent = match (&row.is_agent, &row.producer_name) {
        (true, Some(producer)) => format!("是，代理“{producer}”的产品"),
        _ => "否".to_owned(),
    };
    let props = vec![
        Prop {
            label: "企业名称",
            value: row.name.clone(),
        },
        Prop {
            label: "统一社会信用代码",
            value: row.uscc.clone(),
        },
        Prop {
            label: "主体类型",
            value: enterprises::subject_type_label(&row.subject_type),
        },
        Prop {
            label: "所在乡镇（街道）",
            value: division_names
                .get(&row.division_code)
                .cloned()
                .unwrap_or_else(|| row.division_code.clone()),
        },
        Prop {
            label: "注册地址",
            value: row.registered_address.clone(),
        },
        Prop {
            label: "注册地",
            value: registration,
        },
        Prop {
            label: "分支机构",
            value: branch,
        },
        Prop {
            label: "生产基地或经营场所",
            value: row.production_base.clone(),
        },
        Prop {
            label: "代理商",
            value: agent,
        },
        Prop {
            label: "联系人",
            value: row.contact_name.clone(),
        },
        Prop {
            label: "联系电话",
            value: mobile,
        },
        Prop {
            label: "企业简介",
            value: row.description.clone().unwrap_or_else(|| "—".into()),
        },
        Prop {
            label: "登记时间",
            value: format_beijing(row.created_at),
        },
        Prop {
            label: "最近更新",
            value: format_beijing(row.updated_at),
        },
    ];

    let history = enterprises::history(&state.db, id)
        .await?
        .into_iter()
        .map(|entry| HistoryEntry {
            at: format_beijing(entry.occurred_at),
            action: match entry.action.as_str() {
                "create" => "登记",
                "update" => "修改",
                _ => "其他",
            },
            username: entry.username,
        })
        .collect();

    let notice = match query.notice.as_str() {
        "created" => Some("企业信息已登记。".to_owned()),
        "updated" => Some("企业信息已保存。".to_owned()),
        _ => None,
    };
    let page = DetailPage {
        layout: base_layout(&state, &user, "企业详情")
            .crumb(row.name.clone(), "")
            .notice(notice),
        id,
        name: row.name.clone(),
        props,
        uscc_override_reason: row.uscc_override_reason.clone(),
        history,
        may_edit: enterprises::may_edit(&user, id),
    };
    Ok(page.into_response())
}

async fn render_edit(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    form: EnterpriseInput,
    errors: Errors,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let detail_href = format!("/enterprises/{id}");
    let page = FormPage {
        layout: base_layout(state, user, "编辑企业信息")
            .crumb("企业详情", detail_href.clone())
            .crumb("编辑", ""),
        view: FormView::new(
            state,
            form,
            errors,
            user.has(Role::Admin),
            user.has_any(EDIT_ROLES),
        )
        .await?,
        action: format!("/enterprises/{id}/edit"),
        cancel_href: detail_href,
    };
    Ok((status, page).into_response())
}

/// Rejects users who may read the record but not edit it (商务局, 领导小组办公室).
fn require_edit(user: &AuthUser, id: i64) -> AppResult<()> {
    if enterprises::may_edit(user, id) {
        Ok(())
    } else {
        user.require_any(EDIT_ROLES)
    }
}

async fn edit_page(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = enterprises::get(&state.db, &user, id).await?;
    require_edit(&user, id)?;
    render_edit(
        &state,
        &user,
        id,
        EnterpriseInput::from_model(&row),
        Errors::default(),
    )
    .await
}

async fn edit_submit(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EnterpriseForm>,
) -> AppResult<Response> {
    let mut input = EnterpriseInput::from(form);
    match enterprises::update(&state, &user, id, &input).await {
        Ok(row) => {
            Ok(Redirect::to(&format!("/enterprises/{}?notice=updated", row.id)).into_response())
        }
        Err(AppError::Invalid(fields)) => {
            if !user.has_any(EDIT_ROLES) {
                // The enterprise's form shows the stored code, which it cannot change.
                let row = enterprises::get(&state.db, &user, id).await?;
                input.uscc = row.uscc;
            }
            render_edit(&state, &user, id, input, Errors(fields)).await
        }
        Err(other) => Err(other),
    }
}
