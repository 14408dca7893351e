//! The initial schema: accounts and logs, the working-day calendar, the brand matrix,
//! enterprises, license applications with their history, and licenses.
//!
//! Applied migrations are never edited; a change to the schema is a new migration.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from_table: &str,
    from_col: &str,
    to_table: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{from_col}"))
        .from(Alias::new(from_table), Alias::new(from_col))
        .to(Alias::new(to_table), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

fn index(table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement
        .name(format!("ix_{table}_{}", columns.join("_")))
        .table(Alias::new(table));
    for column in columns {
        statement.col(Alias::new(*column));
    }
    if unique {
        statement.unique();
    }
    statement.to_owned()
}

fn table(name: &str) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(name))
        .if_not_exists()
        .to_owned()
}

fn tstz(name: &str) -> ColumnDef {
    timestamp_with_time_zone(Alias::new(name))
}

fn tstz_null(name: &str) -> ColumnDef {
    timestamp_with_time_zone_null(Alias::new(name))
}

fn id() -> ColumnDef {
    big_pk_auto(Alias::new("id"))
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let restrict = ForeignKeyAction::Restrict;
        let cascade = ForeignKeyAction::Cascade;
        let set_null = ForeignKeyAction::SetNull;

        // Files stored through the object store; rows keep the metadata and the content hash.
        manager
            .create_table(
                table("files")
                    .col(id())
                    .col(string_uniq(a("storage_key")))
                    .col(string(a("original_name")))
                    .col(string(a("content_type")))
                    .col(big_integer(a("size_bytes")))
                    .col(string(a("sha256")))
                    .col(big_integer_null(a("uploaded_by")))
                    .col(tstz("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("divisions")
                    .col(string(a("code")).primary_key())
                    .col(string(a("name")))
                    .col(string(a("kind")))
                    .col(integer(a("sort_order")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("enterprises")
                    .col(id())
                    .col(string(a("name")))
                    .col(string_uniq(a("uscc")))
                    .col(text_null(a("uscc_override_reason")))
                    .col(string(a("subject_type")))
                    .col(string(a("registered_address")))
                    .col(string(a("division_code")))
                    .col(boolean(a("registered_in_houma")))
                    .col(boolean(a("operates_via_branch")))
                    .col(string_null(a("branch_name")))
                    .col(text(a("production_base")))
                    .col(boolean(a("is_agent")))
                    .col(string_null(a("producer_name")))
                    .col(string(a("contact_name")))
                    .col(string(a("contact_mobile")))
                    .col(text_null(a("description")))
                    .col(tstz("created_at"))
                    .col(tstz("updated_at"))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_enterprises_division_code")
                            .from(a("enterprises"), a("division_code"))
                            .to(a("divisions"), a("code"))
                            .on_delete(restrict)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("enterprises", &["name"], false))
            .await?;
        manager
            .create_index(index("enterprises", &["division_code"], false))
            .await?;

        manager
            .create_table(
                table("users")
                    .col(id())
                    .col(string_uniq(a("username")))
                    .col(string(a("display_name")))
                    .col(string(a("password_hash")))
                    .col(big_integer_null(a("enterprise_id")))
                    .col(boolean(a("is_active")))
                    .col(boolean(a("must_change_password")))
                    .col(integer(a("failed_login_count")))
                    .col(tstz_null("locked_until"))
                    .col(tstz_null("last_login_at"))
                    .col(tstz("created_at"))
                    .col(tstz("updated_at"))
                    .foreign_key(&mut fk("users", "enterprise_id", "enterprises", restrict))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("user_roles")
                    .col(big_integer(a("user_id")))
                    .col(string(a("role")))
                    .primary_key(Index::create().col(a("user_id")).col(a("role")))
                    .foreign_key(&mut fk("user_roles", "user_id", "users", cascade))
                    .to_owned(),
            )
            .await?;

        // The session id column stores the SHA-256 of the cookie value, so a leaked table
        // does not hand out live sessions.
        manager
            .create_table(
                table("sessions")
                    .col(string(a("id")).primary_key())
                    .col(big_integer(a("user_id")))
                    .col(string(a("csrf_token")))
                    .col(tstz("created_at"))
                    .col(tstz("last_seen_at"))
                    .col(tstz("expires_at"))
                    .foreign_key(&mut fk("sessions", "user_id", "users", cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("sessions", &["user_id"], false))
            .await?;

        manager
            .create_table(
                table("api_tokens")
                    .col(id())
                    .col(big_integer(a("user_id")))
                    .col(string(a("name")))
                    .col(string_uniq(a("token_hash")))
                    .col(tstz("created_at"))
                    .col(tstz_null("last_used_at"))
                    .col(tstz_null("revoked_at"))
                    .foreign_key(&mut fk("api_tokens", "user_id", "users", cascade))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("audit_logs")
                    .col(id())
                    .col(tstz("occurred_at"))
                    .col(big_integer_null(a("user_id")))
                    .col(string(a("username")))
                    .col(string(a("action")))
                    .col(string(a("entity")))
                    .col(string_null(a("entity_id")))
                    .col(text_null(a("before_json")))
                    .col(text_null(a("after_json")))
                    .col(string_null(a("request_id")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("audit_logs", &["entity", "entity_id"], false))
            .await?;
        manager
            .create_index(index("audit_logs", &["occurred_at"], false))
            .await?;

        manager
            .create_table(
                table("login_logs")
                    .col(id())
                    .col(tstz("occurred_at"))
                    .col(string(a("username")))
                    .col(big_integer_null(a("user_id")))
                    .col(boolean(a("success")))
                    .col(string(a("reason")))
                    .col(string_null(a("ip")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("login_logs", &["occurred_at"], false))
            .await?;

        manager
            .create_table(
                table("calendar_years")
                    .col(integer(a("year")).primary_key())
                    .col(string(a("source")))
                    .col(big_integer_null(a("updated_by")))
                    .col(tstz("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("calendar_days")
                    .col(date(a("date")).primary_key())
                    .col(integer(a("year")))
                    .col(string(a("kind")))
                    .col(string(a("name")))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_calendar_days_year")
                            .from(a("calendar_days"), a("year"))
                            .to(a("calendar_years"), a("year"))
                            .on_delete(cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("calendar_days", &["year"], false))
            .await?;

        manager
            .create_table(
                table("settings")
                    .col(string(a("key")).primary_key())
                    .col(text(a("value")))
                    .col(tstz("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("sequences")
                    .col(string(a("name")))
                    .col(integer(a("year")))
                    .col(big_integer(a("value")))
                    .primary_key(Index::create().col(a("name")).col(a("year")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("job_leases")
                    .col(string(a("name")).primary_key())
                    .col(string(a("holder")))
                    .col(tstz("expires_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("brands")
                    .col(id())
                    .col(big_integer_null(a("parent_id")))
                    .col(string_uniq(a("name")))
                    .col(string(a("slogan")))
                    .col(text_null(a("description")))
                    .col(big_integer_null(a("logo_file_id")))
                    .col(integer_null(a("license_cap")))
                    .col(integer(a("sort_order")))
                    .col(boolean(a("is_active")))
                    .col(tstz("created_at"))
                    .col(tstz("updated_at"))
                    .foreign_key(&mut fk("brands", "parent_id", "brands", restrict))
                    .foreign_key(&mut fk("brands", "logo_file_id", "files", set_null))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                table("applications")
                    .col(id())
                    .col(string_uniq(a("application_no")))
                    .col(big_integer(a("enterprise_id")))
                    .col(big_integer(a("brand_id")))
                    .col(string(a("kind")))
                    .col(big_integer_null(a("renewal_of_license_id")))
                    .col(string(a("state")))
                    .col(tstz("state_entered_at"))
                    .col(date_null(a("due_on")))
                    .col(tstz("submitted_at"))
                    .col(boolean(a("declared_lawful_products")))
                    .col(boolean(a("declared_clean_environment")))
                    .col(boolean(a("declared_industry_standards")))
                    .col(boolean(a("declared_clean_record")))
                    .col(integer_null(a("houma_sales_share_percent")))
                    .col(boolean(a("own_brand_and_standards")))
                    .col(boolean(a("food_processing_entrusted")))
                    .col(text(a("production_capacity")))
                    .col(text_null(a("missing_items")))
                    .col(text_null(a("return_reason")))
                    .col(text_null(a("site_review_findings")))
                    .col(date_null(a("notice_starts_on")))
                    .col(date_null(a("notice_ends_on")))
                    .col(big_integer_null(a("license_id")))
                    .col(integer(a("version")))
                    .col(tstz("created_at"))
                    .col(tstz("updated_at"))
                    .foreign_key(&mut fk(
                        "applications",
                        "enterprise_id",
                        "enterprises",
                        restrict,
                    ))
                    .foreign_key(&mut fk("applications", "brand_id", "brands", restrict))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("applications", &["enterprise_id"], false))
            .await?;
        manager
            .create_index(index("applications", &["state", "due_on"], false))
            .await?;
        manager
            .create_index(index("applications", &["brand_id", "state"], false))
            .await?;
        manager
            .create_index(index("applications", &["submitted_at"], false))
            .await?;

        manager
            .create_table(
                table("application_products")
                    .col(id())
                    .col(big_integer(a("application_id")))
                    .col(string(a("name")))
                    .col(string(a("category")))
                    .col(text(a("introduction")))
                    .col(big_integer(a("cost_price_fen")))
                    .col(big_integer(a("market_price_fen")))
                    .col(text(a("brand_profile")))
                    .col(text(a("online_channels")))
                    .col(integer(a("sort_order")))
                    .foreign_key(&mut fk(
                        "application_products",
                        "application_id",
                        "applications",
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("application_products", &["application_id"], false))
            .await?;

        // Certificates attached to an application: for one product (honors, qualifications,
        // quality marks) or for the applicant (food production license, trademark titles,
        // intangible heritage or time-honored brand titles), each with its validity period.
        manager
            .create_table(
                table("application_certificates")
                    .col(id())
                    .col(big_integer(a("application_id")))
                    .col(big_integer_null(a("product_id")))
                    .col(string(a("kind")))
                    .col(string(a("name")))
                    .col(date_null(a("valid_from")))
                    .col(date_null(a("valid_until")))
                    .col(big_integer_null(a("file_id")))
                    .foreign_key(&mut fk(
                        "application_certificates",
                        "application_id",
                        "applications",
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        "application_certificates",
                        "product_id",
                        "application_products",
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        "application_certificates",
                        "file_id",
                        "files",
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "application_certificates",
                &["application_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                table("application_files")
                    .col(id())
                    .col(big_integer(a("application_id")))
                    .col(big_integer_null(a("product_id")))
                    .col(string(a("purpose")))
                    .col(big_integer(a("file_id")))
                    .col(tstz("created_at"))
                    .foreign_key(&mut fk(
                        "application_files",
                        "application_id",
                        "applications",
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        "application_files",
                        "product_id",
                        "application_products",
                        cascade,
                    ))
                    .foreign_key(&mut fk("application_files", "file_id", "files", restrict))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("application_files", &["application_id"], false))
            .await?;

        manager
            .create_table(
                table("application_events")
                    .col(id())
                    .col(big_integer(a("application_id")))
                    .col(tstz("occurred_at"))
                    .col(big_integer_null(a("actor_user_id")))
                    .col(string(a("actor_name")))
                    .col(string(a("action")))
                    .col(string_null(a("from_state")))
                    .col(string(a("to_state")))
                    .col(text_null(a("comment")))
                    .col(text_null(a("attachments")))
                    .foreign_key(&mut fk(
                        "application_events",
                        "application_id",
                        "applications",
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("application_events", &["application_id"], false))
            .await?;

        manager
            .create_table(
                table("objections")
                    .col(id())
                    .col(big_integer(a("application_id")))
                    .col(string(a("name")))
                    .col(string(a("contact")))
                    .col(text(a("content")))
                    .col(tstz("submitted_at"))
                    .col(string(a("status")))
                    .col(text_null(a("resolution")))
                    .col(big_integer_null(a("resolved_by")))
                    .col(tstz_null("resolved_at"))
                    .foreign_key(&mut fk(
                        "objections",
                        "application_id",
                        "applications",
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("objections", &["application_id"], false))
            .await?;

        manager
            .create_table(
                table("licenses")
                    .col(id())
                    .col(big_integer(a("enterprise_id")))
                    .col(big_integer(a("brand_id")))
                    .col(big_integer_uniq(a("application_id")))
                    .col(string_uniq(a("certificate_no")))
                    .col(date(a("certificate_date")))
                    .col(date(a("term_start")))
                    .col(date(a("term_end")))
                    .col(string_uniq(a("verify_code")))
                    .col(string(a("status")))
                    .col(date_null(a("archive_due_on")))
                    .col(tstz_null("archived_at"))
                    .col(tstz_null("filed_at"))
                    .col(tstz_null("revoked_at"))
                    .col(text_null(a("revocation_reason")))
                    .col(date_null(a("suspended_on")))
                    .col(big_integer_null(a("renewed_by_license_id")))
                    .col(big_integer_null(a("issued_by")))
                    .col(tstz("created_at"))
                    .col(tstz("updated_at"))
                    .foreign_key(&mut fk(
                        "licenses",
                        "enterprise_id",
                        "enterprises",
                        restrict,
                    ))
                    .foreign_key(&mut fk("licenses", "brand_id", "brands", restrict))
                    .foreign_key(&mut fk(
                        "licenses",
                        "application_id",
                        "applications",
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("licenses", &["enterprise_id"], false))
            .await?;
        manager
            .create_index(index("licenses", &["brand_id", "term_end"], false))
            .await?;

        manager
            .create_table(
                table("license_products")
                    .col(id())
                    .col(big_integer(a("license_id")))
                    .col(string(a("name")))
                    .col(string(a("category")))
                    .foreign_key(&mut fk(
                        "license_products",
                        "license_id",
                        "licenses",
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("license_products", &["license_id"], false))
            .await?;

        // A suspended licensee may not apply again for two years; each row is one such ban.
        manager
            .create_table(
                table("reapplication_bans")
                    .col(id())
                    .col(big_integer(a("enterprise_id")))
                    .col(big_integer_null(a("license_id")))
                    .col(text(a("reason")))
                    .col(date(a("starts_on")))
                    .col(date(a("ends_on")))
                    .col(big_integer_null(a("created_by")))
                    .col(tstz("created_at"))
                    .foreign_key(&mut fk(
                        "reapplication_bans",
                        "enterprise_id",
                        "enterprises",
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("reapplication_bans", &["enterprise_id"], false))
            .await?;

        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "reapplication_bans",
            "license_products",
            "licenses",
            "objections",
            "application_events",
            "application_files",
            "application_certificates",
            "application_products",
            "applications",
            "brands",
            "job_leases",
            "sequences",
            "settings",
            "calendar_days",
            "calendar_years",
            "login_logs",
            "audit_logs",
            "api_tokens",
            "sessions",
            "user_roles",
            "users",
            "enterprises",
            "divisions",
            "files",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
