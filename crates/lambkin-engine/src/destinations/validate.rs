//! Checks on the targets a function names: `DeadLetterConfig.TargetArn` and the
//! event-invoke config's destinations, with AWS's messages. A target must exist when it is
//! configured; one deleted later makes its deliveries fail and be counted, as on AWS.

use std::sync::Arc;

use lambkin_model::{Arn, DestinationConfig, FunctionName, Scope};

use super::Target;
use crate::EngineError;
use crate::registry::Registry;

/// The checks on configured targets, with what they look up: queues, topics, functions.
#[derive(Debug, Clone)]
pub(crate) struct Targets {
    pub(crate) scope: Scope,
    pub(crate) sqs: lambkin_sqs::Sqs,
    pub(crate) sns: lambkin_sns::Sns,
    pub(crate) s3: lambkin_s3::S3,
    pub(crate) events: lambkin_events::Events,
    pub(crate) registry: Arc<Registry>,
}

impl Targets {
    /// `DeadLetterConfig.TargetArn` on CreateFunction / UpdateFunctionConfiguration.
    pub(crate) async fn check_dead_letter(&self, arn: &str) -> Result<(), EngineError> {
        if !arn.starts_with("arn:") {
            return Err(EngineError::InvalidParameter(format!(
                "Invalid dead letter queue ARN: ARNs must start with 'arn:': {arn}"
            )));
        }
        // AWS cannot tell a missing target from one the role may not use, and says the latter.
        match Target::parse(arn, &self.scope) {
            Target::Queue(q) => {
                if !self.queue_exists(&q).await? {
                    return Err(EngineError::InvalidParameter(
                        "The provided execution role does not have permissions to call SendMessage on SQS".into(),
                    ));
                }
            }
            Target::Topic(t) => {
                if !self.topic_exists(&t).await? {
                    return Err(EngineError::InvalidParameter(
                        "The provided execution role does not have permissions to call Publish on SNS".into(),
                    ));
                }
            }
            _ => {
                return Err(EngineError::InvalidParameter(format!(
                    "Invalid dead letter queue ARN: {arn} is neither an SQS queue nor an SNS topic of this server"
                )));
            }
        }
        Ok(())
    }

    /// `DestinationConfig` on Put/UpdateFunctionEventInvokeConfig.
    pub(crate) async fn check_destinations(
        &self,
        function: &FunctionName,
        d: &DestinationConfig,
    ) -> Result<(), EngineError> {
        let own = self.scope.function_arn(function);
        for (kind, dest) in [("onSuccess", &d.on_success), ("onFailure", &d.on_failure)] {
            let Some(arn) = dest else { continue };
            if arn == &own || arn.starts_with(&format!("{own}:")) {
                return Err(EngineError::InvalidParameter(
                    "You can't specify the function as a destination for itself.".into(),
                ));
            }
            // Only a well-formed ARN of a service AWS accepts as a destination (S3 only on
            // failure) gets as far as the existence check.
            let parsed = Arn::parse(arn).ok().filter(|a| {
                matches!(a.service(), "sqs" | "sns" | "lambda" | "events")
                    || (a.service() == "s3" && kind == "onFailure")
            });
            let Some(parsed) = parsed else {
                let (s, f) = match kind {
                    "onSuccess" => (format!("OnSuccess(destination={arn})"), "null".to_string()),
                    _ => ("null".to_string(), format!("OnFailure(destination={arn})")),
                };
                return Err(EngineError::InvalidParameter(format!(
                    "The provided destination config DestinationConfig(onSuccess={s}, onFailure={f}) is invalid."
                )));
            };
            let exists = match Target::from_arn(&parsed, &self.scope) {
                Target::Queue(q) => self.queue_exists(&q).await?,
                Target::Topic(t) => self.topic_exists(&t).await?,
                Target::Function(f) => self.registry.get(&f.name).is_some(),
                Target::Bucket(b) => match self.s3.head_bucket(&b).await {
                    Ok(_) => true,
                    Err(lambkin_s3::S3Error::Store(e)) => return Err(EngineError::Store(e)),
                    Err(_) => false,
                },
                Target::Bus(bus) => self.events.describe_event_bus(Some(&bus)).is_ok(),
                Target::Invalid => false,
            };
            if !exists {
                return Err(EngineError::InvalidParameter(format!(
                    "The destination ARN {arn} is invalid."
                )));
            }
        }
        Ok(())
    }

    /// A storage failure is the server's (500), not a bad target (400).
    async fn queue_exists(&self, arn: &str) -> Result<bool, EngineError> {
        match self.sqs.queue_exists(arn).await {
            Ok(exists) => Ok(exists),
            Err(lambkin_sqs::SqsError::Store(e)) => Err(EngineError::Store(e)),
            Err(_) => Ok(false),
        }
    }

    async fn topic_exists(&self, arn: &str) -> Result<bool, EngineError> {
        match self.sns.topic_exists(arn).await {
            Ok(exists) => Ok(exists),
            Err(lambkin_sns::SnsError::Store(e)) => Err(EngineError::Store(e)),
            Err(_) => Ok(false),
        }
    }
}
