//! AWS errors classified by their code (never by HTTP status: some services and test servers
//! answer 400 where AWS answers 404).

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What kind of failure an AWS call had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsFailure {
    NotFound {
        message: String,
    },
    AccessDenied {
        message: String,
    },
    /// Expired or invalid credentials: re-resolve, do not retry as is.
    Credentials {
        message: String,
    },
    Throttled {
        message: String,
    },
    /// A condition on a write did not hold.
    ConditionFailed {
        message: String,
    },
    Validation {
        message: String,
    },
    /// Network failures, timeouts, 5xx.
    Unavailable {
        message: String,
    },
    Other {
        code: String,
        message: String,
    },
}

impl AwsFailure {
    pub fn message(&self) -> &str {
        match self {
            AwsFailure::NotFound { message }
            | AwsFailure::AccessDenied { message }
            | AwsFailure::Credentials { message }
            | AwsFailure::Throttled { message }
            | AwsFailure::ConditionFailed { message }
            | AwsFailure::Validation { message }
            | AwsFailure::Unavailable { message }
            | AwsFailure::Other { message, .. } => message,
        }
    }
}

/// Classifies an error code and message.
pub fn classify_code(code: Option<&str>, message: Option<&str>) -> AwsFailure {
    let message = message.unwrap_or_default().to_string();
    let code = code.unwrap_or_default();
    match code {
        "ResourceNotFoundException" | "ResourceNotFound" | "NoSuchEntity" => {
            AwsFailure::NotFound { message }
        }
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            AwsFailure::AccessDenied { message }
        }
        "ExpiredToken"
        | "ExpiredTokenException"
        | "RequestExpired"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "InvalidSignatureException" => AwsFailure::Credentials { message },
        "ThrottlingException"
        | "Throttling"
        | "ProvisionedThroughputExceededException"
        | "RequestLimitExceeded"
        | "TooManyRequestsException" => AwsFailure::Throttled { message },
        "ConditionalCheckFailedException" | "TransactionCanceledException" => {
            AwsFailure::ConditionFailed { message }
        }
        "ValidationException" | "ValidationError" => AwsFailure::Validation { message },
        "InternalServerException"
        | "InternalServerError"
        | "ServiceUnavailable"
        | "ServiceUnavailableException" => AwsFailure::Unavailable { message },
        other => AwsFailure::Other {
            code: other.to_string(),
            message,
        },
    }
}

/// Classifies any SDK error.
pub fn classify<E, R>(err: &SdkError<E, R>) -> AwsFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(se) => classify_code(se.err().code(), se.err().message()),
        SdkError::TimeoutError(_) => AwsFailure::Unavailable {
            message: "the request timed out".into(),
        },
        SdkError::DispatchFailure(df) => {
            let text = full_chain(err);
            if df.is_io() || df.is_timeout() {
                AwsFailure::Unavailable { message: text }
            } else if text.contains("credentials") || text.contains("Credentials") {
                AwsFailure::Credentials { message: text }
            } else {
                AwsFailure::Unavailable { message: text }
            }
        }
        SdkError::ResponseError(_) => AwsFailure::Unavailable {
            message: full_chain(err),
        },
        _ => AwsFailure::Other {
            code: String::new(),
            message: full_chain(err),
        },
    }
}

/// Classifies an error of an HTTP call, with the service's error code (empty when none) and the
/// HTTP status of a service error. An error without a known code (a proxy's 503 page) is judged
/// by its status.
pub fn classify_response<E>(
    err: &SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> (AwsFailure, String, Option<u16>)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, status) = match err {
        SdkError::ServiceError(se) => (
            se.err().code().unwrap_or_default().to_string(),
            Some(se.raw().status().as_u16()),
        ),
        _ => (String::new(), None),
    };
    let failure = match (classify(err), status) {
        (AwsFailure::Other { message, .. }, Some(429)) => AwsFailure::Throttled { message },
        (AwsFailure::Other { message, .. }, Some(500..=599)) => AwsFailure::Unavailable { message },
        (failure, _) => failure,
    };
    (failure, code, status)
}

/// An error and all its causes, joined.
pub fn full_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}
