//! The frame around every back-office page: menu by role, breadcrumb, banners.

use chrono::Datelike;
use etown_rules::workflow::Role;

use crate::web::{auth::AuthUser, state::AppState};

pub struct MenuItem {
    pub key: &'static str,
    pub label: &'static str,
    pub href: &'static str,
}

pub struct MenuGroup {
    pub title: &'static str,
    pub items: Vec<MenuItem>,
}

/// Data every back-office template receives as `layout`.
pub struct Layout {
    pub title: String,
    pub site_title: String,
    pub user_name: String,
    pub role_labels: String,
    pub menu: Vec<MenuGroup>,
    pub active: &'static str,
    pub crumbs: Vec<(String, String)>,
    pub csrf: String,
    pub banners: Vec<String>,
    pub notice: Option<String>,
}

impl Layout {
    /// Builds the frame for `user`; `active` is the menu key to highlight.
    pub fn new(
        state: &AppState,
        user: &AuthUser,
        title: impl Into<String>,
        active: &'static str,
    ) -> Layout {
        Layout {
            title: title.into(),
            site_title: "乡村e镇综合服务平台".into(),
            user_name: user.display_name.clone(),
            role_labels: user.role_labels(),
            menu: menu_for(user),
            active,
            crumbs: Vec::new(),
            csrf: user.csrf_token().to_owned(),
            banners: calendar_banners(state, user),
            notice: None,
        }
    }

    /// Adds a breadcrumb step; an empty `href` marks the current page.
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push((label.into(), href.into()));
        self
    }

    pub fn notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }
}

/// Warns administrators about years whose holiday arrangement is missing: the current year
/// always, and the next year from November on, when deadlines start to reach into it.
fn calendar_banners(state: &AppState, user: &AuthUser) -> Vec<String> {
    if !user.has(Role::Admin) {
        return Vec::new();
    }
    let calendar = state.calendar();
    let today = state.clock.today();
    let mut years = vec![today.year()];
    if today.month() >= 11 {
        years.push(today.year() + 1);
    }
    years
        .into_iter()
        .filter(|year| !calendar.has_arrangement(*year))
        .map(|year| {
            format!("尚未录入 {year} 年法定节假日安排，该年的工作日暂按周一至周五计算，期限可能不准确。请在“系统管理 › 工作日历”中录入。")
        })
        .collect()
}

fn menu_for(user: &AuthUser) -> Vec<MenuGroup> {
    let mut groups = Vec::new();

    groups.push(MenuGroup {
        title: "工作台",
        items: vec![MenuItem {
            key: "dashboard",
            label: "我的待办",
            href: "/",
        }],
    });

    let mut brand_items = Vec::new();
    if user.has_any(&[
        Role::ServiceCenter,
        Role::Lgo,
        Role::Enterprise,
        Role::Bureau,
        Role::Supervisor,
    ]) {
        brand_items.push(MenuItem {
            key: "applications",
            label: "授权申请",
            href: "/applications",
        });
        brand_items.push(MenuItem {
            key: "licenses",
            label: "授权证书",
            href: "/licenses",
        });
    }
    if user.is_staff()
        && !user
            .roles
            .iter()
            .all(|role| matches!(role, Role::Admin | Role::Auditor))
    {
        brand_items.push(MenuItem {
            key: "brands",
            label: "品牌矩阵",
            href: "/brands",
        });
    }
    if !brand_items.is_empty() {
        groups.push(MenuGroup {
            title: "公用品牌",
            items: brand_items,
        });
    }

    if user.has_any(&[
        Role::ServiceCenter,
        Role::Lgo,
        Role::Admin,
        Role::Bureau,
        Role::Collector,
    ]) {
        groups.push(MenuGroup {
            title: "企业管理",
            items: vec![MenuItem {
                key: "enterprises",
                label: "企业信息",
                href: "/enterprises",
            }],
        });
    } else if user.has(Role::Enterprise) {
        groups.push(MenuGroup {
            title: "企业管理",
            items: vec![MenuItem {
                key: "enterprises",
                label: "本企业信息",
                href: "/enterprises/mine",
            }],
        });
    }

    if user.has(Role::Admin) {
        groups.push(MenuGroup {
            title: "系统管理",
            items: vec![
                MenuItem {
                    key: "users",
                    label: "用户管理",
                    href: "/admin/users",
                },
                MenuItem {
                    key: "calendar",
                    label: "工作日历",
                    href: "/admin/calendar",
                },
                MenuItem {
                    key: "settings",
                    label: "系统设置",
                    href: "/admin/settings",
                },
            ],
        });
    }

    if user.has(Role::Auditor) {
        groups.push(MenuGroup {
            title: "安全审计",
            items: vec![
                MenuItem {
                    key: "audit",
                    label: "操作日志",
                    href: "/audit/logs",
                },
                MenuItem {
                    key: "logins",
                    label: "登录日志",
                    href: "/audit/logins",
                },
            ],
        });
    }

    groups.push(MenuGroup {
        title: "个人设置",
        items: vec![
            MenuItem {
                key: "password",
                label: "修改密码",
                href: "/account/password",
            },
            MenuItem {
                key: "tokens",
                label: "接口令牌",
                href: "/account/tokens",
            },
        ],
    });

    groups
}

/// Links of a paged table: the current page, the page count and the neighbours' URLs.
/// Templates show it with `{% include "pager.html" %}` and a `pager` field.
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Builds the pager of the list at `path` whose filters are `params`. Parameters with an
    /// empty value are left out of the links.
    pub fn new(
        path: &str,
        params: &[(&str, String)],
        page: u64,
        per_page: u64,
        total: u64,
    ) -> Pager {
        let pages = total.div_ceil(per_page.max(1)).max(1);
        let link = |target: u64| {
            let mut pairs: Vec<(&str, String)> = params
                .iter()
                .filter(|(_, value)| !value.is_empty())
                .cloned()
                .collect();
            pairs.push(("page", target.to_string()));
            let query = serde_html_form::to_string(&pairs).unwrap_or_default();
            format!("{path}?{query}")
        };
        Pager {
            page,
            pages,
            total,
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}
