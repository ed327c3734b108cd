//! One module per service. Each keeps its state per [`Scope`](crate::emulator::Scope) and
//! implements the generated trait of its service on a short-lived handler that borrows the
//! state and the call's [`Ctx`].
//!
//! Persistence: a service writes its records under `{service}/{account}/{region}/...` with
//! [`record_key`], and [`Services::restore`] hands each record back to the service named by
//! its first segment.

pub mod cognito_idp;
pub mod dynamodb;
pub mod lambda;
pub mod logs;
pub mod s3;
pub mod sns;
pub mod sqs;
pub mod sts;

use nimbus_shapes::ServiceError;
use serde_json::Value;

use crate::emulator::{Ctx, Scope};

#[derive(Default)]
pub struct Services {
    pub dynamodb: dynamodb::State,
    pub sqs: sqs::State,
    pub s3: s3::State,
    pub sns: sns::State,
    pub lambda: lambda::State,
    /// Lambda's event source mappings (records under `lambda/.../esm/`).
    pub event_sources: lambda::event_source::State,
    pub cognito_idp: cognito_idp::State,
    pub logs: logs::State,
}

/// `{service}/{account}/{region}/{parts...}`. Parts must not contain `/` unless they are last.
pub fn record_key(service: &str, scope: &Scope, parts: &[&str]) -> String {
    let mut key = format!("{service}/{}/{}", scope.account_id, scope.region);
    for part in parts {
        key.push('/');
        key.push_str(part);
    }
    key
}

/// Splits a record key into its service, scope and the rest.
pub fn parse_record_key(key: &str) -> Option<(&str, Scope, &str)> {
    let mut parts = key.splitn(4, '/');
    let service = parts.next()?;
    let account_id = parts.next()?.to_string();
    let region = parts.next()?.to_string();
    Some((
        service,
        Scope { account_id, region },
        parts.next().unwrap_or(""),
    ))
}

impl Services {
    pub fn call(
        &mut self,
        ctx: &mut Ctx,
        service: &str,
        operation: &str,
        input: Value,
    ) -> Result<Value, ServiceError> {
        match service {
            // Import from and export to S3 read and write S3's objects.
            "dynamodb" if matches!(operation, "ImportTable" | "ExportTableToPointInTime") => {
                dynamodb::import_export::call(
                    &mut self.dynamodb,
                    &mut self.s3,
                    ctx,
                    operation,
                    input,
                )
            }
            "dynamodb" => {
                let mut handler = dynamodb::Handler {
                    state: &mut self.dynamodb,
                    ctx,
                };
                nimbus_shapes::dynamodb::dispatch(&mut handler, operation, input)
            }
            // DynamoDB Streams reads the streams DynamoDB's tables keep.
            "dynamodbstreams" => nimbus_shapes::dynamodbstreams::dispatch(
                &mut dynamodb::StreamsHandler {
                    state: &mut self.dynamodb,
                    ctx,
                },
                operation,
                input,
            ),
            "sqs" => nimbus_shapes::sqs::dispatch(
                &mut sqs::Handler {
                    state: &mut self.sqs,
                    ctx,
                },
                operation,
                input,
            ),
            "s3" => nimbus_shapes::s3::dispatch(
                &mut s3::Handler {
                    state: &mut self.s3,
                    ctx,
                },
                operation,
                input,
            ),
            "sns" => nimbus_shapes::sns::dispatch(
                &mut sns::Handler {
                    state: &mut self.sns,
                    ctx,
                },
                operation,
                input,
            ),
            "lambda" => {
                let mut handler = lambda::Handler {
                    state: &mut self.lambda,
                    s3: &self.s3,
                    dynamodb: &self.dynamodb,
                    event_sources: &mut self.event_sources,
                    ctx,
                };
                nimbus_shapes::lambda::dispatch(&mut handler, operation, input)
            }
            "cognito-idp" => {
                let mut handler = cognito_idp::Handler {
                    state: &mut self.cognito_idp,
                    ctx,
                };
                nimbus_shapes::cognito_idp::dispatch(&mut handler, operation, input)
            }
            "logs" => nimbus_shapes::logs::dispatch(
                &mut logs::Handler {
                    state: &mut self.logs,
                    ctx,
                },
                operation,
                input,
            ),
            "sts" => nimbus_shapes::sts::dispatch(&mut sts::Handler { ctx }, operation, input),
            other => Err(ServiceError::new(
                "UnknownService",
                400,
                format!("The service {other} is not emulated by Nimbus"),
            )),
        }
    }

    pub fn restore(&mut self, key: &str, value: &[u8]) -> Result<(), String> {
        let (service, scope, rest) =
            parse_record_key(key).ok_or_else(|| format!("malformed record key {key}"))?;
        match service {
            "dynamodb" => dynamodb::restore(&mut self.dynamodb, scope, rest, value),
            "sqs" => sqs::restore(&mut self.sqs, scope, rest, value),
            "s3" => s3::restore(&mut self.s3, scope, rest, value),
            "sns" => sns::restore(&mut self.sns, scope, rest, value),
            "lambda" => match rest.strip_prefix("esm/") {
                Some(uuid) => {
                    lambda::event_source::restore(&mut self.event_sources, scope, uuid, value)
                }
                None => lambda::restore(&mut self.lambda, scope, rest, value),
            },
            "cognito-idp" => cognito_idp::restore(&mut self.cognito_idp, scope, rest, value),
            "logs" => logs::restore(&mut self.logs, scope, rest, value),
            _ => Err(format!("record {key} belongs to unknown service {service}")),
        }
    }
}
