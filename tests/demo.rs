//! `etown demo` loads applications in every reachable state, once.

mod common;

use common::TestApp;
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test]
async fn demo_covers_workflow_states() {
    let app = TestApp::spawn().await;
    etown::demo::load(&app.state.db, &app.state.config)
        .await
        .unwrap();

    let rows = etown::entities::application::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let mut states: Vec<&str> = rows.iter().map(|row| row.state.as_str()).collect();
    states.sort();
    states.dedup();
    for expected in [
        "submitted",
        "correction_required",
        "site_review",
        "public_notice",
        "agreement",
        "certification",
        "archiving",
        "filing",
        "completed",
        "returned",
        "withdrawn",
    ] {
        assert!(
            states.contains(&expected),
            "missing state {expected}: {states:?}"
        );
    }
    let licenses = etown::entities::license::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(licenses, 4);

    // Loading twice adds nothing.
    etown::demo::load(&app.state.db, &app.state.config)
        .await
        .unwrap();
    assert_eq!(
        etown::entities::application::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        rows.len() as u64
    );
}
