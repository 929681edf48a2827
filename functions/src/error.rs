//! Errors every function answers with: JSON `{ "error", "message", "field" }`
//! and the status code that says what went wrong. Internal details are logged,
//! never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request is wrong in a way the person can fix; `message` is in
    /// their language.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    #[error("not found")]
    NotFound,
    #[error("sign in first")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("{0}")]
    Conflict(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("temporarily unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

/// Every error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    /// A stable code, e.g. `hyphen_edge`, `not_found`, `too_many_requests`.
    pub error: &'a str,
    /// What went wrong, for a person, in their language where one is known.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Invalid { code, .. } => code,
            ApiError::NotFound => "not_found",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    /// A store or upstream failure: logged here, reported as unavailable.
    pub fn unavailable(e: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %e, "dependency failed");
        ApiError::Unavailable
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (message, field) = match &self {
            ApiError::Invalid { message, field, .. } => (message.clone(), *field),
            ApiError::NotFound => ("Nothing here.".to_string(), None),
            ApiError::Unauthorized => ("Please sign in.".to_string(), None),
            ApiError::Forbidden => ("You cannot do that.".to_string(), None),
            ApiError::Conflict(m) => (m.clone(), None),
            ApiError::TooManyRequests { .. } => (
                "Too many attempts. Please wait a moment and try again.".to_string(),
                None,
            ),
            ApiError::Unavailable => (
                "The service is busy. Please try again shortly.".to_string(),
                None,
            ),
            ApiError::Internal => ("Something went wrong on our side.".to_string(), None),
        };
        let mut resp = (
            self.status(),
            Json(ErrorBody {
                error: self.code(),
                message,
                field,
            }),
        )
            .into_response();
        if let ApiError::TooManyRequests { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// The error answers routes share, declared once for the OpenAPI document:
/// a route lists the sets it can answer with (`answers::Staff`,
/// `answers::NotFound`) beside its own.
pub mod answers {
    use super::ErrorBody;

    /// Routes for a signed-in person.
    #[derive(utoipa::IntoResponses)]
    pub enum SignedIn {
        #[response(status = 401, description = "Not signed in on this storefront")]
        NotSignedIn(ErrorBody<'static>),
    }

    /// Routes for the storefront's owner and admins (the panel).
    #[derive(utoipa::IntoResponses)]
    pub enum Staff {
        #[response(status = 401, description = "Not signed in on this storefront")]
        NotSignedIn(ErrorBody<'static>),
        #[response(status = 403, description = "Not the storefront's owner or an admin")]
        NotStaff(ErrorBody<'static>),
    }

    #[derive(utoipa::IntoResponses)]
    #[response(status = 404, description = "No such thing here (or not yours)")]
    pub struct NotFound(pub ErrorBody<'static>);

    #[derive(utoipa::IntoResponses)]
    #[response(status = 400, description = "A field is wrong; `field` names it")]
    pub struct BadField(pub ErrorBody<'static>);

    #[derive(utoipa::IntoResponses)]
    #[response(status = 409, description = "Not in a state that allows this")]
    pub struct WrongState(pub ErrorBody<'static>);

    #[derive(utoipa::IntoResponses)]
    #[response(status = 404, description = "No storefront is served on this host")]
    pub struct NoStorefront(pub ErrorBody<'static>);
}
