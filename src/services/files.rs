//! Uploaded files: checked by their content (never by name), stored through the object
//! store, and recorded in `files` with their SHA-256.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use sha2::{Digest, Sha256};

use crate::{
    entities::file,
    web::{
        auth::random_token,
        error::{AppError, AppResult},
        state::AppState,
    },
};

/// Kinds of content a file field accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    /// PNG, JPEG or WebP pictures.
    Image,
    /// Pictures or PDF documents (scans of certificates and agreements).
    ImageOrPdf,
}

impl Accept {
    fn allows(self, mime: &str) -> bool {
        let image = matches!(mime, "image/png" | "image/jpeg" | "image/webp");
        match self {
            Accept::Image => image,
            Accept::ImageOrPdf => image || mime == "application/pdf",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Accept::Image => "PNG、JPEG 或 WebP 图片",
            Accept::ImageOrPdf => "PNG、JPEG、WebP 图片或 PDF 文件",
        }
    }
}

/// A file as received from a form, not yet checked.
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Checks an upload's size and content type; returns the detected MIME type. `label` is the
/// Chinese name of the form field, used in the message.
pub fn check(
    upload: &Upload,
    label: &str,
    accept: Accept,
    max_bytes: usize,
) -> Result<&'static str, String> {
    if upload.bytes.is_empty() {
        return Err(format!("{label}“{}”是空文件，请重新选择", upload.file_name));
    }
    if upload.bytes.len() > max_bytes {
        return Err(format!(
            "{label}“{}”大小为 {:.1} MB，超过上限 {} MB",
            upload.file_name,
            upload.bytes.len() as f64 / 1_048_576.0,
            max_bytes / 1_048_576
        ));
    }
    let detected = infer::get(&upload.bytes).map(|kind| kind.mime_type());
    match detected {
        Some(mime) if accept.allows(mime) => Ok(mime),
        Some(mime) => Err(format!(
            "{label}“{}”的实际内容是 {mime}，应为{}",
            upload.file_name,
            accept.expected()
        )),
        None => Err(format!(
            "{label}“{}”的内容无法识别，应为{}",
            upload.file_name,
            accept.expected()
        )),
    }
}

/// Stores a checked upload and records it; returns the new row.
pub async fn store<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    upload: &Upload,
    mime: &str,
    uploaded_by: Option<i64>,
) -> AppResult<file::Model> {
    let digest = hex::encode(Sha256::digest(&upload.bytes));
    let now = Utc::now();
    let extension = match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        _ => "bin",
    };
    // The key never contains the user's file name, so no name can escape the folder.
    let key = format!(
        "{}/{}-{}.{extension}",
        now.format("%Y/%m"),
        &digest[..16],
        random_token(6)
    );
    state.files.write(&key, upload.bytes.clone()).await?;

    let row = file::ActiveModel {
        storage_key: Set(key),
        original_name: Set(crate::web::forms::truncate(&upload.file_name, 200)),
        content_type: Set(mime.to_owned()),
        size_bytes: Set(upload.bytes.len() as i64),
        sha256: Set(digest),
        uploaded_by: Set(uploaded_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row)
}

/// Reads a stored file's metadata and content.
pub async fn read(state: &AppState, id: i64) -> AppResult<(file::Model, Vec<u8>)> {
    let row = file::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = state.files.read(&row.storage_key).await?.to_vec();
    Ok((row, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    fn upload(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            field: "logo".into(),
            file_name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn png_accepted_as_image() {
        assert_eq!(
            check(&upload("logo.png", PNG), "标志", Accept::Image, 1024).unwrap(),
            "image/png"
        );
    }

    #[test]
    fn renamed_text_rejected() {
        let error = check(
            &upload("logo.png", b"<script>alert(1)</script>"),
            "标志",
            Accept::Image,
            1024,
        )
        .unwrap_err();
        assert!(error.contains("text/html"), "{error}");
        assert!(error.contains("应为PNG"), "{error}");
        assert!(error.contains("logo.png"), "{error}");
    }

    #[test]
    fn pdf_rejected_for_image_field() {
        let error = check(
            &upload("a.png", b"%PDF-1.4\n%\xe2\xe3"),
            "标志",
            Accept::Image,
            1024,
        )
        .unwrap_err();
        assert!(error.contains("application/pdf"), "{error}");
    }

    #[test]
    fn oversize_rejected() {
        let error = check(&upload("big.png", PNG), "标志", Accept::Image, 10).unwrap_err();
        assert!(error.contains("超过上限"), "{error}");
    }
}
