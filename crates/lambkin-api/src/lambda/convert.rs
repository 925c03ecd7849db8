//! Where wire shapes meet lambkin's own types.

use lambkin_engine::{CodeSource, FunctionPatch, MappingRequest, NewFunction};
use lambkin_model::{
    DestinationConfig as ModelDestinations, EventInvokeConfig, EventSourceMapping, FunctionConfig,
    Qualifier, Scope, Timestamp,
};

use super::error::AwsError;
use super::wire;

/// Numbers arrive as JSON integers of any size; out-of-range values fail the engine's range
/// checks with AWS's messages rather than a parse error.
pub(crate) fn to_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(if v < 0 { 0 } else { u32::MAX })
}

/// Where the code comes from: `ZipFile` (base64), or an object of lambkin's S3 (`S3Bucket` with
/// `S3Key`, as SAM and most deploy tools upload it). Container images are not run.
fn code_source(
    zip: Option<String>,
    s3_bucket: Option<String>,
    s3_key: Option<String>,
    image: Option<String>,
) -> Result<Option<CodeSource>, AwsError> {
    use base64::Engine as _;
    if image.is_some() {
        return Err(AwsError::invalid_parameter(
            "lambkin runs code from ZipFile or S3; container images are not supported.",
        ));
    }
    match (zip, s3_bucket, s3_key) {
        (Some(z), None, None) => base64::engine::general_purpose::STANDARD
            .decode(z.trim())
            .map(|bytes| Some(CodeSource::Zip(bytes)))
            .map_err(|_| AwsError::invalid_parameter("Could not unzip uploaded file. Please check your file, then try to upload again.")),
        (None, Some(bucket), Some(key)) => Ok(Some(CodeSource::S3 { bucket, key })),
        (None, None, None) => Ok(None),
        (Some(_), _, _) => Err(AwsError::invalid_parameter(
            "Please do not provide other FunctionCode properties when providing a ZipFile.",
        )),
        (None, _, _) => Err(AwsError::invalid_parameter(
            "Please provide both S3Bucket and S3Key for the function code.",
        )),
    }
}

pub(crate) fn new_function(req: wire::CreateFunctionRequest) -> Result<NewFunction, AwsError> {
    let code_given = req.code.is_some();
    let code = req.code.unwrap_or_default();
    Ok(NewFunction {
        code: code_source(code.zip_file, code.s3_bucket, code.s3_key, code.image_uri)?,
        code_given,
        name: req.function_name,
        runtime: req.runtime,
        handler: req.handler,
        role: req.role,
        description: req.description,
        timeout: req.timeout,
        memory: req.memory_size,
        environment: req.environment.map(|e| e.variables),
        dead_letter_target: req.dead_letter_config.and_then(|d| d.target_arn),
        architectures: req.architectures,
        ephemeral_storage_mb: req.ephemeral_storage.map(|e| e.size),
        tags: req.tags,
        package_type: req.package_type,
        publish: req.publish,
    })
}

/// The new code, the `RevisionId` the update is conditional on, and `Publish`.
pub(crate) fn code_update(
    req: wire::UpdateFunctionCodeRequest,
) -> Result<(Option<CodeSource>, Option<String>, bool), AwsError> {
    Ok((
        code_source(req.zip_file, req.s3_bucket, req.s3_key, req.image_uri)?,
        req.revision_id,
        req.publish,
    ))
}

pub(crate) fn patch(req: wire::UpdateFunctionConfigurationRequest) -> FunctionPatch {
    FunctionPatch {
        role: req.role,
        handler: req.handler,
        runtime: req.runtime,
        description: req.description,
        timeout: req.timeout,
        memory: req.memory_size,
        environment: req.environment.map(|e| e.variables),
        dead_letter_target: req
            .dead_letter_config
            .map(|d| d.target_arn.unwrap_or_default()),
        ephemeral_storage_mb: req.ephemeral_storage.map(|e| e.size),
        revision_id: req.revision_id,
    }
}

/// AWS's reason text while a function is set up, for creates and updates alike.
const BEING_CREATED: &str = "The function is being created.";

/// Which answer a configuration is part of: its state fields differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// ListFunctions: no state fields (observed).
    Listed,
    /// CreateFunction's answer: `Pending`, "The function is being created." AWS's function is
    /// Pending until its resources are ready; lambkin's are ready when it answers, so every
    /// later read says `Active` (waiters pass at once).
    Created,
    /// UpdateFunctionCode's and UpdateFunctionConfiguration's answers: `LastUpdateStatus`
    /// `InProgress`, with AWS's reason; `Successful` from the next read.
    Updated,
    /// Any read: `Active`, `Successful`.
    Settled,
}

pub(crate) fn configuration(
    c: &FunctionConfig,
    scope: &Scope,
    phase: Phase,
) -> wire::FunctionConfiguration {
    let with_state = phase != Phase::Listed;
    wire::FunctionConfiguration {
        function_name: c.name.to_string(),
        function_arn: scope.config_arn(c),
        runtime: c.runtime.to_string(),
        role: c.role.clone(),
        handler: c.handler.clone(),
        code_size: c.code_size,
        description: c.description.clone(),
        timeout: c.timeout_s,
        memory_size: c.memory_mb,
        last_modified: c.last_modified.to_lambda_last_modified(),
        code_sha256: c.code_sha256.clone(),
        version: c.version.clone(),
        environment: c
            .environment
            .clone()
            .map(|variables| wire::Environment { variables }),
        dead_letter_config: c
            .dead_letter_target
            .clone()
            .map(|t| wire::DeadLetterConfig {
                target_arn: Some(t),
            }),
        tracing_config: wire::TracingConfig {
            mode: "PassThrough",
        },
        revision_id: c.revision_id.clone(),
        state: match phase {
            Phase::Listed => None,
            Phase::Created => Some("Pending"),
            Phase::Updated | Phase::Settled => Some("Active"),
        },
        state_reason: (phase == Phase::Created).then_some(BEING_CREATED),
        state_reason_code: (phase == Phase::Created).then_some("Creating"),
        last_update_status: match phase {
            Phase::Listed | Phase::Created => None,
            Phase::Updated => Some("InProgress"),
            Phase::Settled => Some("Successful"),
        },
        last_update_status_reason: (phase == Phase::Updated).then_some(BEING_CREATED),
        last_update_status_reason_code: (phase == Phase::Updated).then_some("Creating"),
        package_type: "Zip",
        architectures: vec![c.architecture.clone()],
        ephemeral_storage: wire::EphemeralStorage {
            size: i64::from(c.ephemeral_storage_mb),
        },
        logging_config: wire::LoggingConfig {
            log_format: "Text",
            log_group: c.log_group(),
        },
        snap_start: wire::SnapStart {
            apply_on: "None",
            optimization_status: "Off",
        },
        runtime_version_config: with_state.then(|| wire::RuntimeVersionConfig {
            runtime_version_arn: format!(
                "arn:aws:lambda:{}::runtime:lambkin-{}",
                scope.region, c.runtime
            ),
        }),
    }
}

pub(crate) fn invoke_config_in(
    req: wire::EventInvokeConfigRequest,
) -> Result<EventInvokeConfig, AwsError> {
    lambkin_engine::invoke_config_ranges(
        req.maximum_retry_attempts,
        req.maximum_event_age_in_seconds,
    )?;
    let d = req.destination_config.unwrap_or_default();
    Ok(EventInvokeConfig {
        maximum_retry_attempts: req.maximum_retry_attempts.map(to_u32),
        maximum_event_age_s: req.maximum_event_age_in_seconds.map(to_u32),
        destinations: ModelDestinations {
            on_success: d.on_success.destination.filter(|s| !s.is_empty()),
            on_failure: d.on_failure.destination.filter(|s| !s.is_empty()),
        },
        last_modified: Timestamp::default(),
    })
}

pub(crate) fn invoke_config_out(
    name: &lambkin_model::FunctionName,
    q: &Qualifier,
    c: &EventInvokeConfig,
    scope: &Scope,
) -> wire::FunctionEventInvokeConfig {
    wire::FunctionEventInvokeConfig {
        last_modified: c.last_modified.to_epoch_seconds(),
        function_arn: scope.qualified_arn(name, q),
        maximum_retry_attempts: c.maximum_retry_attempts,
        maximum_event_age_in_seconds: c.maximum_event_age_s,
        destination_config: wire::DestinationConfig {
            on_success: wire::Destination {
                destination: c.destinations.on_success.clone(),
            },
            on_failure: wire::Destination {
                destination: c.destinations.on_failure.clone(),
            },
        },
    }
}

pub(crate) fn mapping_request(req: wire::EventSourceMappingRequest) -> MappingRequest {
    MappingRequest {
        event_source_arn: req.event_source_arn,
        function_name: req.function_name,
        enabled: req.enabled,
        batch_size: req.batch_size,
        filters: req.filter_criteria.map(|c| {
            c.filters
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.pattern)
                .collect()
        }),
        scaling: req.scaling_config.map(|s| s.maximum_concurrency),
        maximum_batching_window_s: req.maximum_batching_window_in_seconds,
        function_response_types: req.function_response_types,
    }
}

/// A mapping as AWS describes it; `FunctionArn` carries the qualifier it was given.
pub(crate) fn mapping_out(
    m: &EventSourceMapping,
    scope: &Scope,
) -> wire::EventSourceMappingConfiguration {
    let function_arn = match m
        .qualifier
        .as_deref()
        .and_then(|q| Qualifier::parse(q).ok())
    {
        Some(q) => scope.qualified_arn(&m.function, &q),
        None => scope.function_arn(&m.function),
    };
    wire::EventSourceMappingConfiguration {
        uuid: m.uuid.clone(),
        batch_size: m.batch_size,
        maximum_batching_window_in_seconds: m.maximum_batching_window_s,
        event_source_arn: m.event_source_arn.clone(),
        filter_criteria: (!m.filters.is_empty()).then(|| wire::FilterCriteria {
            filters: Some(
                m.filters
                    .iter()
                    .map(|p| wire::Filter {
                        pattern: Some(p.clone()),
                    })
                    .collect(),
            ),
        }),
        function_arn,
        last_modified: m.last_modified.to_epoch_seconds(),
        state: m.state.as_str(),
        // What AWS reports for states a caller's own call led to.
        state_transition_reason: "USER_INITIATED",
        function_response_types: if m.report_batch_item_failures {
            vec!["ReportBatchItemFailures"]
        } else {
            Vec::new()
        },
        scaling_config: m.maximum_concurrency.map(|n| wire::ScalingConfig {
            maximum_concurrency: Some(i64::from(n)),
        }),
        event_source_mapping_arn: format!(
            "arn:aws:lambda:{}:{}:event-source-mapping:{}",
            scope.region, scope.account, m.uuid
        ),
    }
}

/// An alias as AWS describes it; `RoutingConfig` only when it routes to a second version.
pub(crate) fn alias_out(
    name: &lambkin_model::FunctionName,
    a: &lambkin_model::Alias,
    scope: &Scope,
) -> wire::AliasConfiguration {
    wire::AliasConfiguration {
        alias_arn: format!("{}:{}", scope.function_arn(name), a.name),
        name: a.name.clone(),
        function_version: a.function_version.clone(),
        description: a.description.clone(),
        routing_config: (!a.additional_weights.is_empty()).then(|| {
            wire::AliasRoutingConfiguration {
                additional_version_weights: a.additional_weights.clone(),
            }
        }),
        revision_id: a.revision_id.clone(),
    }
}
