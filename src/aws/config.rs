//! The one place the SDK configuration is built: `--profile`, `--region`, `--endpoint-url`, the
//! standard `AWS_*` variables and the default credential chain (SSO profiles included), with
//! standard retries. Every client comes from it.

#[cfg(feature = "aws")]
use aws_config::retry::RetryConfig;
#[cfg(feature = "aws")]
use aws_config::{BehaviorVersion, Region, SdkConfig};

/// The AWS settings of a run or of one source: as in the AWS CLI, each unset one left to the
/// standard `AWS_*` variables and the default chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Builds the base SDK configuration for a run.
#[cfg(feature = "aws")]
pub async fn sdk_config(args: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(5));
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &args.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    tracing::debug!(
        region = ?config.region(),
        endpoint = ?args.endpoint_url,
        profile = ?args.profile,
        "AWS configuration loaded"
    );
    config
}

/// The region in use, or a clear error when none is configured.
#[cfg(feature = "aws")]
pub fn region_of(config: &SdkConfig) -> Result<String, String> {
    config.region().map(|r| r.to_string()).ok_or_else(|| {
        "no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile".into()
    })
}
