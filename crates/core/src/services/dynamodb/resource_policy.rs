//! Resource-based policies: PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy on
//! a table or stream ARN.
//!
//! Nimbus stores the document in the form AWS rewrites it to (`policy_document`) and answers
//! it back; it does not evaluate it (every caller of a playground is its owner). AWS applies
//! a policy asynchronously; here it is in place when PutResourcePolicy answers, which a
//! client polling GetResourcePolicy cannot tell apart.
//!
//! A policy lives in memory by table id (and stream label), so a deleted and re-created table
//! starts without one, and persists as `table/<name>/policy` (or `.../policy/<label>` for a
//! stream), so DeleteTable's prefix delete takes it with the table.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{
    dynamodb::{
        errors::{POLICY_NOT_FOUND_EXCEPTION, RESOURCE_NOT_FOUND_EXCEPTION},
        DeleteResourcePolicyInput, DeleteResourcePolicyOutput, GetResourcePolicyInput,
        GetResourcePolicyOutput, PutResourcePolicyInput, PutResourcePolicyOutput,
    },
    ServiceError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    errors::{constraint_errors, invalid_parameter, validation},
    policy_document, table_record, Handler, Tables,
};

/// "The maximum size supported for a resource-based policy document is 20 KB. DynamoDB
/// counts whitespaces when calculating the size of a policy against this limit."
const MAX_POLICY_BYTES: usize = 20 * 1024;

/// PutResourcePolicy's ExpectedRevisionId for "only if the resource has no policy yet".
const NO_POLICY: &str = "NO_POLICY";

/// The policies of a scope, by table id and stream label (`None` for the table itself).
#[derive(Default)]
pub(super) struct Policies {
    by_resource: BTreeMap<(String, Option<String>), Policy>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Policy {
    /// As `policy_document::canonical` writes it.
    document: String,
    /// AWS's revision ids are millisecond timestamps, so a later revision compares greater.
    revision_id: String,
}

/// The resource a ResourceArn names, once found.
struct Resource {
    arn: String,
    table_name: String,
    table_id: String,
    stream: Option<String>,
}

impl Resource {
    fn key(&self) -> (String, Option<String>) {
        (self.table_id.clone(), self.stream.clone())
    }

    fn record(&self, scope: &crate::emulator::Scope) -> String {
        let base = format!("{}/policy", table_record(scope, &self.table_name));
        match &self.stream {
            Some(label) => format!("{base}/{label}"),
            None => base,
        }
    }

    /// How the revision-mismatch messages name the target: "table <name>" as AWS does
    /// (moto's AWS-verified tests quote it); "stream <arn>" for a stream is Nimbus's guess.
    fn target(&self) -> String {
        match self.stream {
            Some(_) => format!("stream {}", self.arn),
            None => format!("table {}", self.table_name),
        }
    }
}

fn not_found_for(arn: &str) -> ServiceError {
    POLICY_NOT_FOUND_EXCEPTION.with_message(format!(
        "Resource-based policy not found for the provided ResourceArn: {arn}"
    ))
}

/// AWS's answer when ExpectedRevisionId names another revision than the current one.
fn revision_mismatch(expected: &str, resource: &Resource, current: &str) -> ServiceError {
    POLICY_NOT_FOUND_EXCEPTION.with_message(format!(
        "Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id {expected}, but the policy associated to target {} has revision id {current}.",
        resource.target()
    ))
}

/// AWS's answer when ExpectedRevisionId names a revision but the resource has no policy
/// (measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-205); the recorded text
/// ends at "no associated", the rest is Nimbus's completion).
fn no_policy_for_revision(expected: &str, resource: &Resource) -> ServiceError {
    POLICY_NOT_FOUND_EXCEPTION.with_message(format!(
        "Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id {expected}, but {} has no associated policy.",
        resource.target()
    ))
}

fn invalid_document(detail: &str) -> ServiceError {
    invalid_parameter(format!("Invalid policy document: {detail}"))
}

/// The checks a policy document passes before it is stored, by PutResourcePolicy or by
/// CreateTable's ResourcePolicy parameter: size, then JSON, then the statements, with the
/// messages DynamoDB gives (measured against DynamoDB, 2026-10 (ack-api-quirks
/// DDB-TABLE-211, DDB-TABLE-352, DDB-TABLE-356, DDB-TABLE-457)).
pub(super) fn check_document(document: &str) -> Result<(), ServiceError> {
    if document.len() > MAX_POLICY_BYTES {
        return Err(invalid_parameter(format!(
            "Maximum policy size of {MAX_POLICY_BYTES} bytes exceeded"
        )));
    }
    let policy = match serde_json::from_str::<Value>(document) {
        Ok(Value::Object(policy)) => policy,
        Ok(Value::Null) => return Err(invalid_document("This text appears not to be a policy")),
        _ => return Err(invalid_document("This policy contains invalid Json")),
    };
    let statements = match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        // A single statement object stands for a one-element list (DDB-TABLE-355).
        Some(single) => vec![single],
        None => Vec::new(),
    };
    if policy.contains_key("Statement") && statements.is_empty() {
        return Err(invalid_document(
            "Could not parse the policy: Statement is empty!",
        ));
    }
    for statement in &statements {
        check_statement_fields(statement)?;
    }
    check_unique_sids(&statements)?;
    if statements.iter().any(|s| grants_unbounded_access(s)) {
        return Err(validation(
            "Resource-based policy grants unbounded access in one or more elements. Please revise the policy to ensure least-privilege form of access",
        ));
    }
    Ok(())
}

/// A statement names its Effect, and the resources it is about (Effect is checked first:
/// `[{}]` is answered "Missing required field Effect").
fn check_statement_fields(statement: &Value) -> Result<(), ServiceError> {
    if statement.get("Effect").is_none() {
        return Err(invalid_document("Missing required field Effect"));
    }
    if statement.get("Resource").is_none() && statement.get("NotResource").is_none() {
        return Err(invalid_document("Missing required field Resource"));
    }
    Ok(())
}

fn check_unique_sids(statements: &[&Value]) -> Result<(), ServiceError> {
    let mut seen = BTreeSet::new();
    let sids = statements.iter().filter_map(|s| s.get("Sid")?.as_str());
    for sid in sids {
        if !seen.insert(sid) {
            return Err(invalid_document(
                "The Statement Ids in the policy are not unique",
            ));
        }
    }
    Ok(())
}

/// An Allow to every principal (`"*"` or `{"AWS": "*"}`) that no Condition narrows: AWS's
/// block of public access refuses it. (AWS evaluates what a Condition allows; Nimbus takes
/// any Condition as narrowing.)
fn grants_unbounded_access(statement: &Value) -> bool {
    let allows = statement
        .get("Effect")
        .and_then(Value::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("Allow"));
    let everyone = |principal: &Value| match principal {
        Value::String(p) => p == "*",
        Value::Array(list) => list.iter().any(|p| p == "*"),
        _ => false,
    };
    let to_everyone = match statement.get("Principal") {
        Some(Value::Object(kinds)) => kinds.get("AWS").is_some_and(everyone),
        Some(principal) => everyone(principal),
        None => false,
    };
    allows && to_everyone && statement.get("Condition").is_none()
}

fn arn_required(arn: Option<&str>) -> Result<&str, ServiceError> {
    let Some(arn) = arn else {
        return Err(constraint_errors(&[
            "Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"
                .into(),
        ]));
    };
    if arn.is_empty() || arn.len() > 1283 {
        return Err(constraint_errors(&[format!(
            "Value '{arn}' at 'resourceArn' failed to satisfy constraint: Member must have length {}",
            if arn.is_empty() {
                "greater than or equal to 1"
            } else {
                "less than or equal to 1283"
            }
        )]));
    }
    Ok(arn)
}

impl Handler<'_, '_> {
    /// The table or stream `arn` names in the caller's scope. Each malformed or foreign form
    /// gets the answer DynamoDB gives it (measured in us-west-2, 2026-10: the ack-api-quirks
    /// finding DDB-TABLE-212).
    fn policy_resource(&mut self, arn: &str) -> Result<Resource, ServiceError> {
        let not_dynamodb = || {
            invalid_parameter(format!(
                "Provided Arn is not a DynamoDB resource arn: {arn}"
            ))
        };
        if !arn.starts_with("arn:") {
            return Err(invalid_parameter(format!(
                "ARNs must start with 'arn:': {arn}"
            )));
        }
        // arn:aws:dynamodb:<region>:<account>:table/<name>[/stream/<label>]; a stream label
        // holds colons, so the resource part is everything after the fifth.
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [_, partition, "dynamodb", region, account, resource] = parts.as_slice() else {
            return Err(not_dynamodb());
        };
        let scope = self.ctx.scope();
        if *account != scope.account_id {
            return Err(validation(
                "This action is only supported by accounts that match the resource owner\u{2019}s account.",
            ));
        }
        if *partition != "aws" || *region != scope.region {
            return Err(invalid_parameter(format!("Invalid resource Arn: {arn}")));
        }
        let path = resource.strip_prefix("table/").ok_or_else(not_dynamodb)?;
        let (name, stream) = match path.split_once("/stream/") {
            Some((name, label)) => (name, Some(label)),
            None => (path, None),
        };
        if name.contains("/index/") {
            return Err(invalid_parameter(format!("Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}")));
        }
        if name.contains('/') {
            return Err(not_dynamodb());
        }
        let table_missing = || {
            RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
                "Requested resource not found: Table: {name} not found"
            ))
        };
        let table = self
            .scope_tables()
            .tables
            .get(name)
            .ok_or_else(table_missing)?;
        if let Some(label) = stream {
            if !table.def.streams.iter().any(|s| s.label == label) {
                return Err(RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
                    "Requested resource not found: Stream: {label} not found for Table: {name}"
                )));
            }
        }
        Ok(Resource {
            arn: arn.to_string(),
            table_name: table.def.name.clone(),
            table_id: table.def.table_id.clone(),
            stream: stream.map(str::to_string),
        })
    }

    pub(super) fn run_put_resource_policy(
        &mut self,
        input: PutResourcePolicyInput,
    ) -> Result<PutResourcePolicyOutput, ServiceError> {
        let arn = arn_required(input.resource_arn.as_deref())?;
        let Some(document) = input.policy else {
            return Err(constraint_errors(&[
                "Value null at 'policy' failed to satisfy constraint: Member must not be null"
                    .into(),
            ]));
        };
        check_document(&document)?;
        let resource = self.policy_resource(arn)?;
        let now = self.ctx.now_millis;
        let policies = &mut self.scope_tables().policies.by_resource;
        let current = policies.get(&resource.key());
        match (input.expected_revision_id.as_deref(), current) {
            (Some(NO_POLICY), Some(current)) => {
                return Err(POLICY_NOT_FOUND_EXCEPTION.with_message(format!(
                    "Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none to be present for {}, but a policy exists with revision id {}.",
                    resource.target(),
                    current.revision_id
                )))
            }
            (Some(expected), Some(current)) if expected != current.revision_id => {
                return Err(revision_mismatch(expected, &resource, &current.revision_id))
            }
            (Some(expected), None) if expected != NO_POLICY => {
                return Err(no_policy_for_revision(expected, &resource))
            }
            _ => {}
        }
        // "Running it multiple times on the same resource using the same policy document
        // will return the same revision ID": the same once rewritten (DDB-TABLE-207).
        let document = policy_document::canonical(&document);
        if let Some(current) = current.filter(|c| c.document == document) {
            return Ok(PutResourcePolicyOutput {
                revision_id: Some(current.revision_id.clone()),
            });
        }
        let previous = current
            .and_then(|c| c.revision_id.parse::<i64>().ok())
            .unwrap_or(0);
        let policy = Policy {
            document,
            revision_id: now.max(previous + 1).to_string(),
        };
        policies.insert(resource.key(), policy.clone());
        let record = resource.record(&self.ctx.scope());
        self.ctx.persist(record, &policy);
        Ok(PutResourcePolicyOutput {
            revision_id: Some(policy.revision_id),
        })
    }

    /// CreateTable's ResourcePolicy: attached to the new table (`check_document` passed
    /// before the table was created), as a first revision.
    pub(super) fn attach_create_policy(
        &mut self,
        table_name: &str,
        table_id: &str,
        document: String,
    ) {
        let resource = Resource {
            arn: String::new(),
            table_name: table_name.to_string(),
            table_id: table_id.to_string(),
            stream: None,
        };
        let policy = Policy {
            document: policy_document::canonical(&document),
            revision_id: self.ctx.now_millis.to_string(),
        };
        let record = resource.record(&self.ctx.scope());
        self.ctx.persist(record, &policy);
        let policies = &mut self.scope_tables().policies.by_resource;
        policies.insert(resource.key(), policy);
    }

    pub(super) fn run_get_resource_policy(
        &mut self,
        input: GetResourcePolicyInput,
    ) -> Result<GetResourcePolicyOutput, ServiceError> {
        let arn = arn_required(input.resource_arn.as_deref())?;
        let resource = self.policy_resource(arn)?;
        let policy = self
            .scope_tables()
            .policies
            .by_resource
            .get(&resource.key())
            .ok_or_else(|| not_found_for(arn))?;
        Ok(GetResourcePolicyOutput {
            policy: Some(policy_document::as_answered(&policy.document)),
            revision_id: Some(policy.revision_id.clone()),
        })
    }

    pub(super) fn run_delete_resource_policy(
        &mut self,
        input: DeleteResourcePolicyInput,
    ) -> Result<DeleteResourcePolicyOutput, ServiceError> {
        let arn = arn_required(input.resource_arn.as_deref())?;
        let resource = self.policy_resource(arn)?;
        let policies = &mut self.scope_tables().policies.by_resource;
        let expected = input.expected_revision_id.as_deref();
        match (expected, policies.get(&resource.key())) {
            // Deleting no policy is idempotent: 200 with an empty body (measured against
            // DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-205)).
            (None, None) => return Ok(DeleteResourcePolicyOutput::default()),
            (Some(expected), None) => return Err(no_policy_for_revision(expected, &resource)),
            (Some(expected), Some(current)) if expected != current.revision_id => {
                return Err(revision_mismatch(expected, &resource, &current.revision_id))
            }
            _ => {}
        }
        let removed = policies.remove(&resource.key()).expect("found above");
        let record = resource.record(&self.ctx.scope());
        self.ctx.changes.delete(record);
        Ok(DeleteResourcePolicyOutput {
            revision_id: Some(removed.revision_id),
        })
    }
}

/// Restores `table/<name>/policy[/<label>]` (`stream` is the label) for a table restored
/// before it.
pub(super) fn restore(
    tables: &mut Tables,
    table_name: &str,
    stream: Option<&str>,
    value: &[u8],
) -> Result<(), String> {
    let policy: Policy = serde_json::from_slice(value).map_err(|e| e.to_string())?;
    let table_id = tables
        .tables
        .get(table_name)
        .ok_or("precedes its table")?
        .def
        .table_id
        .clone();
    tables
        .policies
        .by_resource
        .insert((table_id, stream.map(str::to_string)), policy);
    Ok(())
}
