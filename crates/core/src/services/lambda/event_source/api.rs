//! CreateEventSourceMapping, GetEventSourceMapping, ListEventSourceMappings,
//! UpdateEventSourceMapping and DeleteEventSourceMapping, for DynamoDB stream sources.
//!
//! Error texts follow AWS where known (from AWS's answers as LocalStack and Terraform users
//! record them); those marked "best guess" are not confirmed against AWS.

use nimbus_shapes::{
    lambda::{
        errors, CreateEventSourceMappingRequest, DeleteEventSourceMappingRequest,
        DestinationConfig, EventSourceMappingConfiguration, EventSourcePosition, Filter,
        FilterCriteria, FunctionResponseType, GetEventSourceMappingRequest,
        ListEventSourceMappingsRequest, ListEventSourceMappingsResponse, OnFailure,
        UpdateEventSourceMappingRequest,
    },
    ServiceError, Timestamp,
};

use super::{record, Checkpoint, Mapping, Source};
use crate::{
    emulator::Scope,
    event_pattern,
    services::{
        dynamodb::StreamArn,
        lambda::{
            function_arn, in_range, invalid, missing, not_found, page, parse_function_name,
            qualified_arn, resolve_config, validation, Handler,
        },
    },
};

const DEFAULT_BATCH_SIZE: i32 = 100;
/// Lambda's quota on filters per mapping.
const MAX_FILTERS: usize = 5;

fn unknown_mapping() -> ServiceError {
    errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message("The resource you requested does not exist.")
}

fn invalid_filter() -> ServiceError {
    invalid("Invalid filter pattern definition.")
}

/// The source an EventSourceArn names. Only DynamoDB streams are emulated so far.
fn source_of(arn: Option<&str>) -> Result<Source, ServiceError> {
    let arn = arn.ok_or_else(|| invalid("Unrecognized event source."))?;
    if StreamArn::parse(arn).is_some() {
        return Ok(Source::DynamoDbStream {
            stream_arn: arn.to_string(),
        });
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "sqs" | "kinesis" | "kafka" | "mq" | "rds" | "docdb", ..] => Err(invalid(format!(
            "Nimbus emulates event source mappings on DynamoDB streams only; {arn} is not supported yet."
        ))),
        _ => Err(invalid("Unrecognized event source.")),
    }
}

/// FilterCriteria: each pattern must parse; an empty criteria object means no filtering.
fn check_filters(criteria: &Option<FilterCriteria>) -> Result<Option<Vec<String>>, ServiceError> {
    let Some(criteria) = criteria else {
        return Ok(None);
    };
    let filters = criteria.filters.clone().unwrap_or_default();
    if filters.len() > MAX_FILTERS {
        // Best guess at AWS's text for the quota.
        return Err(invalid(format!(
            "The number of filters exceeds the maximum of {MAX_FILTERS}."
        )));
    }
    let mut patterns = Vec::new();
    for filter in filters {
        let pattern = filter.pattern.ok_or_else(invalid_filter)?;
        event_pattern::parse(&pattern).map_err(|_| invalid_filter())?;
        patterns.push(pattern);
    }
    Ok((!patterns.is_empty()).then_some(patterns))
}

/// DestinationConfig for a stream: OnFailure to an SQS queue or SNS topic; no OnSuccess.
fn check_destination(config: &Option<DestinationConfig>) -> Result<Option<String>, ServiceError> {
    let Some(config) = config else {
        return Ok(None);
    };
    if config
        .on_success
        .as_ref()
        .is_some_and(|s| s.destination.is_some())
    {
        return Err(invalid(
            "Unsupported DestinationConfig parameter for given event source mapping type.",
        ));
    }
    let Some(destination) = config
        .on_failure
        .as_ref()
        .and_then(|f| f.destination.clone())
    else {
        return Ok(None);
    };
    let service = destination.split(':').nth(2).unwrap_or("");
    if !destination.starts_with("arn:") || !matches!(service, "sqs" | "sns") {
        // Best guess at AWS's text.
        return Err(invalid(format!(
            "The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination={destination})) is invalid."
        )));
    }
    Ok(Some(destination))
}

fn check_record_age(age: Option<i32>) -> Result<(), ServiceError> {
    in_range("maximumRecordAgeInSeconds", age, -1, 604_800)?;
    if matches!(age, Some(0..=59)) {
        // Best guess at AWS's text: the model allows -1..604800, the service 60 and up or -1.
        return Err(invalid(
            "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800.",
        ));
    }
    Ok(())
}

fn check_response_types(
    types: &Option<Vec<FunctionResponseType>>,
) -> Result<Option<bool>, ServiceError> {
    let Some(types) = types else {
        return Ok(None);
    };
    for t in types {
        if let FunctionResponseType::Unknown(other) = t {
            return Err(validation(format!("1 validation error detected: Value '[{other}]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]")));
        }
    }
    Ok(Some(!types.is_empty()))
}

/// The limits shared by Create and Update.
struct Settings<'a> {
    batch_size: Option<i32>,
    window: Option<i32>,
    parallelization: Option<i32>,
    retries: Option<i32>,
    record_age: Option<i32>,
    tumbling_window: Option<i32>,
    filters: &'a Option<FilterCriteria>,
    destination: &'a Option<DestinationConfig>,
    response_types: &'a Option<Vec<FunctionResponseType>>,
}

struct Checked {
    filters: Option<Option<Vec<String>>>,
    on_failure: Option<Option<String>>,
    report: Option<bool>,
}

fn check_settings(s: &Settings) -> Result<Checked, ServiceError> {
    in_range("batchSize", s.batch_size, 1, 10_000)?;
    in_range("maximumBatchingWindowInSeconds", s.window, 0, 300)?;
    in_range("parallelizationFactor", s.parallelization, 1, 10)?;
    in_range("maximumRetryAttempts", s.retries, -1, 10_000)?;
    check_record_age(s.record_age)?;
    in_range("tumblingWindowInSeconds", s.tumbling_window, 0, 900)?;
    Ok(Checked {
        filters: s
            .filters
            .as_ref()
            .map(|_| check_filters(s.filters))
            .transpose()?,
        on_failure: s
            .destination
            .as_ref()
            .map(|_| check_destination(s.destination))
            .transpose()?,
        report: check_response_types(s.response_types)?,
    })
}

/// The configuration AWS answers for a stream mapping.
pub fn configuration(scope: &Scope, m: &Mapping, state: &str) -> EventSourceMappingConfiguration {
    EventSourceMappingConfiguration {
        uuid: Some(m.uuid.clone()),
        starting_position: Some(EventSourcePosition::from(m.starting_position.as_str())),
        batch_size: Some(m.batch_size),
        maximum_batching_window_in_seconds: Some(m.batching_window_secs),
        parallelization_factor: Some(m.parallelization_factor),
        event_source_arn: Some(m.source.arn().to_string()),
        filter_criteria: m.filters.as_ref().map(|patterns| FilterCriteria {
            filters: Some(
                patterns
                    .iter()
                    .map(|p| Filter {
                        pattern: Some(p.clone()),
                    })
                    .collect(),
            ),
        }),
        function_arn: Some(m.function_arn.clone()),
        last_modified: Some(Timestamp::from_millis(m.last_modified_millis)),
        last_processing_result: Some(m.last_processing_result.clone()),
        state: Some(state.to_string()),
        state_transition_reason: Some("USER_INITIATED".into()),
        destination_config: Some(DestinationConfig {
            on_success: None,
            on_failure: Some(OnFailure {
                destination: m.on_failure.clone(),
            }),
        }),
        maximum_record_age_in_seconds: Some(m.maximum_record_age_secs),
        bisect_batch_on_function_error: Some(m.bisect_on_error),
        maximum_retry_attempts: Some(m.maximum_retry_attempts),
        tumbling_window_in_seconds: Some(m.tumbling_window_secs),
        function_response_types: Some(if m.report_batch_item_failures {
            vec![FunctionResponseType::ReportBatchItemFailures]
        } else {
            Vec::new()
        }),
        event_source_mapping_arn: Some(m.arn(scope)),
        ..Default::default()
    }
}

fn steady_state(m: &Mapping) -> &'static str {
    if m.enabled {
        "Enabled"
    } else {
        "Disabled"
    }
}

impl Handler<'_, '_> {
    /// The function a mapping's FunctionName designates: (name, the ARN as given).
    fn mapping_function(
        &self,
        function_name: Option<&str>,
    ) -> Result<(String, String), ServiceError> {
        let input = function_name.ok_or_else(|| missing("functionName"))?;
        let (name, qualifier) = parse_function_name(input)?;
        let scope = self.scope();
        let function = self
            .state
            .functions
            .get(&scope)
            .and_then(|f| f.get(&name))
            .ok_or_else(|| not_found(&qualified_arn(&scope, &name, qualifier.as_deref())))?;
        resolve_config(&scope, function, qualifier.as_deref())?;
        let arn = match qualifier.as_deref() {
            Some(q) => qualified_arn(&scope, &name, Some(q)),
            None => function_arn(&scope, &name),
        };
        Ok((name, arn))
    }

    fn mapping(&self, uuid: Option<&str>) -> Result<Mapping, ServiceError> {
        let uuid = uuid.ok_or_else(|| missing("UUID"))?;
        self.event_sources
            .get(&self.scope(), uuid)
            .cloned()
            .ok_or_else(unknown_mapping)
    }

    fn save_mapping(&mut self, mapping: Mapping) {
        let scope = self.scope();
        self.ctx.persist(record(&scope, &mapping.uuid), &mapping);
        self.event_sources.put(&scope, mapping);
    }

    pub(crate) fn create_mapping(
        &mut self,
        input: CreateEventSourceMappingRequest,
    ) -> Result<EventSourceMappingConfiguration, ServiceError> {
        let scope = self.scope();
        let (function_name, function_arn) =
            self.mapping_function(input.function_name.as_deref())?;
        let source = source_of(input.event_source_arn.as_deref())?;
        let Source::DynamoDbStream { stream_arn } = &source;
        let starting_position = match &input.starting_position {
            None => return Err(invalid("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")),
            Some(EventSourcePosition::Unknown(other)) => return Err(validation(format!("1 validation error detected: Value '{other}' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"))),
            // AT_TIMESTAMP is for Kinesis and Kafka only.
            Some(EventSourcePosition::AtTimestamp) => return Err(invalid(format!("Unsupported starting position for arn type: {stream_arn}"))),
            Some(position) => position.as_str().to_string(),
        };
        let checked = check_settings(&Settings {
            batch_size: input.batch_size,
            window: input.maximum_batching_window_in_seconds,
            parallelization: input.parallelization_factor,
            retries: input.maximum_retry_attempts,
            record_age: input.maximum_record_age_in_seconds,
            tumbling_window: input.tumbling_window_in_seconds,
            filters: &input.filter_criteria,
            destination: &input.destination_config,
            response_types: &input.function_response_types,
        })?;
        if !self.dynamodb.has_stream(&scope, stream_arn) {
            return Err(invalid(format!("Stream not found: {stream_arn}")));
        }
        let duplicate = self
            .event_sources
            .mappings
            .get(&scope)
            .into_iter()
            .flat_map(|m| m.values())
            .find(|m| m.source == source && m.function_name == function_name);
        if let Some(existing) = duplicate {
            return Err(errors::RESOURCE_CONFLICT_EXCEPTION.with_message(format!(
                "The event source arn (\" {stream_arn} \") and function (\" {function_name} \") provided mapping already exists. Please update or delete the existing mapping with UUID {}",
                existing.uuid
            )));
        }
        let shard_id = self
            .dynamodb
            .stream_shard_id(&scope, stream_arn)
            .unwrap_or_default();
        // LATEST: only records written from now on.
        let after = match starting_position.as_str() {
            "LATEST" => self.dynamodb.stream_last_sequence(&scope, stream_arn),
            _ => None,
        };
        let mapping = Mapping {
            uuid: self.ctx.ids.uuid(),
            source: source.clone(),
            function_name,
            function_arn,
            enabled: input.enabled.unwrap_or(true),
            batch_size: input.batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
            batching_window_secs: input.maximum_batching_window_in_seconds.unwrap_or(0),
            starting_position,
            parallelization_factor: input.parallelization_factor.unwrap_or(1),
            maximum_retry_attempts: input.maximum_retry_attempts.unwrap_or(-1),
            maximum_record_age_secs: input.maximum_record_age_in_seconds.unwrap_or(-1),
            bisect_on_error: input.bisect_batch_on_function_error.unwrap_or(false),
            report_batch_item_failures: checked.report.unwrap_or(false),
            filters: checked.filters.flatten(),
            on_failure: checked.on_failure.flatten(),
            tumbling_window_secs: input.tumbling_window_in_seconds.unwrap_or(0),
            tags: input.tags.unwrap_or_default(),
            last_modified_millis: self.ctx.now_millis,
            last_processing_result: "No records processed".into(),
            access_key_id: self.ctx.caller.access_key_id.clone(),
            checkpoint: Checkpoint {
                shard_id,
                after,
                ..Default::default()
            },
        };
        let answer = configuration(&scope, &mapping, "Creating");
        self.save_mapping(mapping);
        Ok(answer)
    }

    pub(crate) fn get_mapping(
        &mut self,
        input: GetEventSourceMappingRequest,
    ) -> Result<EventSourceMappingConfiguration, ServiceError> {
        let mapping = self.mapping(input.uuid.as_deref())?;
        Ok(configuration(
            &self.scope(),
            &mapping,
            steady_state(&mapping),
        ))
    }

    pub(crate) fn list_mappings(
        &mut self,
        input: ListEventSourceMappingsRequest,
    ) -> Result<ListEventSourceMappingsResponse, ServiceError> {
        let scope = self.scope();
        let function = match input.function_name.as_deref() {
            Some(name) => Some(parse_function_name(name)?),
            None => None,
        };
        let items: Vec<(String, EventSourceMappingConfiguration)> = self
            .event_sources
            .mappings
            .get(&scope)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|m| {
                input
                    .event_source_arn
                    .as_deref()
                    .is_none_or(|arn| m.source.arn() == arn)
            })
            .filter(|m| match &function {
                None => true,
                Some((name, None)) => &m.function_name == name,
                Some((name, Some(q))) => m.function_arn == qualified_arn(&scope, name, Some(q)),
            })
            .map(|m| (m.uuid.clone(), configuration(&scope, m, steady_state(m))))
            .collect();
        let (mappings, next_marker) = page(items, input.marker.as_deref(), input.max_items)?;
        Ok(ListEventSourceMappingsResponse {
            next_marker,
            event_source_mappings: Some(mappings),
        })
    }

    pub(crate) fn update_mapping(
        &mut self,
        input: UpdateEventSourceMappingRequest,
    ) -> Result<EventSourceMappingConfiguration, ServiceError> {
        let mut mapping = self.mapping(input.uuid.as_deref())?;
        let checked = check_settings(&Settings {
            batch_size: input.batch_size,
            window: input.maximum_batching_window_in_seconds,
            parallelization: input.parallelization_factor,
            retries: input.maximum_retry_attempts,
            record_age: input.maximum_record_age_in_seconds,
            tumbling_window: input.tumbling_window_in_seconds,
            filters: &input.filter_criteria,
            destination: &input.destination_config,
            response_types: &input.function_response_types,
        })?;
        if input.function_name.is_some() {
            let (name, arn) = self.mapping_function(input.function_name.as_deref())?;
            mapping.function_name = name;
            mapping.function_arn = arn;
        }
        let was_enabled = mapping.enabled;
        if let Some(enabled) = input.enabled {
            mapping.enabled = enabled;
        }
        macro_rules! set {
            ($field:ident, $value:expr) => {
                if let Some(value) = $value {
                    mapping.$field = value;
                }
            };
        }
        set!(batch_size, input.batch_size);
        set!(
            batching_window_secs,
            input.maximum_batching_window_in_seconds
        );
        set!(parallelization_factor, input.parallelization_factor);
        set!(maximum_retry_attempts, input.maximum_retry_attempts);
        set!(maximum_record_age_secs, input.maximum_record_age_in_seconds);
        set!(bisect_on_error, input.bisect_batch_on_function_error);
        set!(report_batch_item_failures, checked.report);
        set!(filters, checked.filters);
        set!(on_failure, checked.on_failure);
        if let Some(secs) = input.tumbling_window_in_seconds {
            // A window of another length starts afresh, without the old window's state.
            if secs != mapping.tumbling_window_secs {
                mapping.checkpoint.window = None;
            }
            mapping.tumbling_window_secs = secs;
        }
        mapping.last_modified_millis = self.ctx.now_millis;
        let state = match (was_enabled, mapping.enabled) {
            (true, false) => "Disabling",
            (false, true) => "Enabling",
            _ => "Updating",
        };
        let answer = configuration(&self.scope(), &mapping, state);
        self.save_mapping(mapping);
        Ok(answer)
    }

    pub(crate) fn delete_mapping(
        &mut self,
        input: DeleteEventSourceMappingRequest,
    ) -> Result<EventSourceMappingConfiguration, ServiceError> {
        let mapping = self.mapping(input.uuid.as_deref())?;
        let scope = self.scope();
        if let Some(mappings) = self.event_sources.mappings.get_mut(&scope) {
            mappings.remove(&mapping.uuid);
        }
        self.ctx.changes.delete(record(&scope, &mapping.uuid));
        Ok(configuration(&scope, &mapping, "Deleting"))
    }
}
