//! PutBucketNotificationConfiguration and GetBucketNotificationConfiguration: S3's wire
//! configuration (`CloudFunctionConfiguration`, `QueueConfiguration`, `TopicConfiguration`, each
//! with `Event`s and an `S3Key` filter) to and from lambkin's.

use lambkin_s3::notifications::{NotificationTarget, Notifications, TargetKind, filter_rules};
use s3s::dto::{
    Event, FilterRule, FilterRuleName, GetBucketNotificationConfigurationInput,
    GetBucketNotificationConfigurationOutput, LambdaFunctionConfiguration,
    NotificationConfigurationFilter, PutBucketNotificationConfigurationInput,
    PutBucketNotificationConfigurationOutput, QueueConfiguration, S3KeyFilter, TopicConfiguration,
};
use s3s::{S3Request, S3Response, S3Result, s3_error};

use super::Adapter;
use super::error::to_wire;

/// One wire configuration as lambkin keeps it; an id is made when the request has none, as S3
/// makes one.
fn target(
    kind: TargetKind,
    id: Option<String>,
    arn: String,
    events: Vec<Event>,
    filter: Option<NotificationConfigurationFilter>,
) -> S3Result<NotificationTarget> {
    let rules: Vec<(String, String)> = filter
        .and_then(|f| f.key)
        .and_then(|k| k.filter_rules)
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            (
                r.name.map(|n| n.as_str().to_string()).unwrap_or_default(),
                r.value.unwrap_or_default(),
            )
        })
        .collect();
    let (prefix, suffix) = filter_rules(&rules).map_err(to_wire)?;
    Ok(NotificationTarget {
        id: id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        kind,
        arn,
        events: events.into_iter().map(String::from).collect(),
        prefix,
        suffix,
    })
}

fn filter(t: &NotificationTarget) -> Option<NotificationConfigurationFilter> {
    let rules: Vec<FilterRule> = [
        (FilterRuleName::PREFIX, &t.prefix),
        (FilterRuleName::SUFFIX, &t.suffix),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        Some(FilterRule {
            name: Some(FilterRuleName::from_static(name)),
            value: Some(value.clone()?),
        })
    })
    .collect();
    some(rules).map(|rules| NotificationConfigurationFilter {
        key: Some(S3KeyFilter {
            filter_rules: Some(rules),
        }),
    })
}

/// S3 leaves a kind without configurations out.
fn some<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn events(t: &NotificationTarget) -> Vec<Event> {
    t.events.iter().cloned().map(Event::from).collect()
}

impl Adapter {
    pub(super) async fn put_bucket_notification_configuration_op(
        &self,
        req: S3Request<PutBucketNotificationConfigurationInput>,
    ) -> S3Result<S3Response<PutBucketNotificationConfigurationOutput>> {
        let input = req.input;
        let config = input.notification_configuration;
        if config.event_bridge_configuration.is_some() {
            return Err(s3_error!(
                NotImplemented,
                "lambkin does not send S3 events to EventBridge yet (see docs/api-compat.md)"
            ));
        }
        let mut targets = Vec::new();
        for c in config.lambda_function_configurations.unwrap_or_default() {
            targets.push(target(
                TargetKind::Lambda,
                c.id,
                c.lambda_function_arn,
                c.events,
                c.filter,
            )?);
        }
        for c in config.queue_configurations.unwrap_or_default() {
            targets.push(target(
                TargetKind::Queue,
                c.id,
                c.queue_arn,
                c.events,
                c.filter,
            )?);
        }
        for c in config.topic_configurations.unwrap_or_default() {
            targets.push(target(
                TargetKind::Topic,
                c.id,
                c.topic_arn,
                c.events,
                c.filter,
            )?);
        }
        self.s3
            .put_bucket_notifications(
                &input.bucket,
                Notifications { targets },
                input.skip_destination_validation.unwrap_or(false),
            )
            .await
            .map_err(to_wire)?;
        Ok(S3Response::new(PutBucketNotificationConfigurationOutput {}))
    }

    pub(super) async fn get_bucket_notification_configuration_op(
        &self,
        req: S3Request<GetBucketNotificationConfigurationInput>,
    ) -> S3Result<S3Response<GetBucketNotificationConfigurationOutput>> {
        let config = self
            .s3
            .bucket_notifications(&req.input.bucket)
            .await
            .map_err(to_wire)?;
        let of = |kind| config.targets.iter().filter(move |t| t.kind == kind);
        Ok(S3Response::new(GetBucketNotificationConfigurationOutput {
            lambda_function_configurations: some(
                of(TargetKind::Lambda)
                    .map(|t| LambdaFunctionConfiguration {
                        id: Some(t.id.clone()),
                        lambda_function_arn: t.arn.clone(),
                        events: events(t),
                        filter: filter(t),
                    })
                    .collect(),
            ),
            queue_configurations: some(
                of(TargetKind::Queue)
                    .map(|t| QueueConfiguration {
                        id: Some(t.id.clone()),
                        queue_arn: t.arn.clone(),
                        events: events(t),
                        filter: filter(t),
                    })
                    .collect(),
            ),
            topic_configurations: some(
                of(TargetKind::Topic)
                    .map(|t| TopicConfiguration {
                        id: Some(t.id.clone()),
                        topic_arn: t.arn.clone(),
                        events: events(t),
                        filter: filter(t),
                    })
                    .collect(),
            ),
            event_bridge_configuration: None,
        }))
    }
}
