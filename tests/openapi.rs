//! The OpenAPI document is pinned: any change to the API's shape shows up as a diff of
//! `tests/snapshots/openapi.json`. After an intended change, regenerate the file with
//! `UPDATE_SNAPSHOTS=1 cargo test --test openapi` and review the diff.

mod common;

use common::TestApp;

#[tokio::test]
async fn openapi_document_matches_snapshot() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    let rendered = serde_json::to_string_pretty(&document).unwrap() + "\n";

    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &rendered).unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "read {}: {error}; create it with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert!(
        pinned == rendered,
        "the OpenAPI document changed; review it and run `UPDATE_SNAPSHOTS=1 cargo test --test openapi`"
    );
}

#[tokio::test]
async fn api_docs_page_served_offline() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/docs/")).await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    // Every script and stylesheet comes from this server, none from a CDN.
    assert!(!html.contains("https://"), "{html}");
}
