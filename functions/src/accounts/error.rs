//! How accounts answer when something is wrong: `ApiError` for what it
//! covers, and `Said` for answers it cannot carry, in the same JSON shape
//! `{error, message, field}`: messages in the person's language for 401,
//! 409 and 429, a 415, and field names that come from the request (an
//! unknown field is named as sent).

use super::fields::FieldError;
use super::messages::{self, Msg};
use crate::error::ApiError;
use crate::store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use storefront_core::Locale;

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("{code}: {message}")]
    Said {
        status: StatusCode,
        code: &'static str,
        message: String,
        field: Option<String>,
        retry_after_secs: Option<u64>,
    },
}

impl AccountsError {
    pub fn said(status: StatusCode, code: &'static str, lang: Locale, m: Msg<'_>) -> Self {
        AccountsError::Said {
            status,
            code,
            message: messages::text(lang, &m),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn field(lang: Locale, e: FieldError) -> Self {
        AccountsError::Api(ApiError::Invalid {
            code: e.problem.code(),
            message: messages::problem(lang, e.problem),
            field: Some(e.field),
        })
    }

    pub fn unauthorized(lang: Locale) -> Self {
        Self::said(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            lang,
            Msg::SignInFirst,
        )
    }

    pub fn bad_credentials(lang: Locale) -> Self {
        Self::said(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            lang,
            Msg::BadCredentials,
        )
    }

    pub fn invalid_token(lang: Locale) -> Self {
        AccountsError::Api(ApiError::Invalid {
            code: "invalid_token",
            message: messages::text(lang, &Msg::InvalidToken),
            field: Some("token"),
        })
    }

    pub fn too_many(lang: Locale, retry_after_secs: u64) -> Self {
        AccountsError::Said {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_requests",
            message: messages::text(lang, &Msg::TooManyAttempts { retry_after_secs }),
            field: None,
            retry_after_secs: Some(retry_after_secs),
        }
    }

    /// A dependency failed: logged, answered 503.
    pub fn unavailable(e: impl std::fmt::Display) -> Self {
        AccountsError::Api(ApiError::unavailable(e))
    }
}

impl From<StoreError> for AccountsError {
    fn from(e: StoreError) -> Self {
        AccountsError::unavailable(e)
    }
}

impl From<crate::blobs::BlobError> for AccountsError {
    fn from(e: crate::blobs::BlobError) -> Self {
        AccountsError::unavailable(e)
    }
}

impl IntoResponse for AccountsError {
    fn into_response(self) -> Response {
        match self {
            AccountsError::Api(e) => e.into_response(),
            AccountsError::Said {
                status,
                code,
                message,
                field,
                retry_after_secs,
            } => {
                let mut body = json!({"error": code, "message": message});
                if let Some(f) = field {
                    body["field"] = f.into();
                }
                let mut resp = (status, Json(body)).into_response();
                if let Some(secs) = retry_after_secs
                    && let Ok(v) = HeaderValue::from_str(&secs.to_string())
                {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
                resp
            }
        }
    }
}
