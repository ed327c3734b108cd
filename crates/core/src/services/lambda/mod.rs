//! Lambda, control plane: functions with zip deployment packages, published versions, aliases,
//! reserved concurrency and tags. Running code is the hosts' business; [`resolve_invocation`]
//! hands them what a version needs to run.
//!
//! Records: `lambda/{account}/{region}/fn/{name}` holds a function with its versions and aliases
//! (no code); `lambda/{account}/{region}/code/{sha256 hex}` holds one deployment package (base64),
//! shared by every version that uses it.

pub mod event_source;
pub mod invoke;
pub mod zip;

use std::collections::BTreeMap;

use base64::Engine as _;
use nimbus_shapes::{
    lambda::{
        self as shapes, errors, AccountLimit, AccountUsage, AliasConfiguration,
        AliasRoutingConfiguration, Architecture, Concurrency, CreateAliasRequest,
        CreateFunctionRequest, DeleteAliasRequest, DeleteFunctionConcurrencyRequest,
        DeleteFunctionRequest, DeleteFunctionResponse, EnvironmentResponse, EphemeralStorage,
        FunctionCodeLocation, FunctionConfiguration, FunctionVersion, GetAccountSettingsRequest,
        GetAccountSettingsResponse, GetAliasRequest, GetFunctionConcurrencyRequest,
        GetFunctionConcurrencyResponse, GetFunctionConfigurationRequest, GetFunctionRequest,
        GetFunctionResponse, Lambda, LastUpdateStatus, ListAliasesRequest, ListAliasesResponse,
        ListFunctionsRequest, ListFunctionsResponse, ListTagsRequest, ListTagsResponse,
        ListVersionsByFunctionRequest, ListVersionsByFunctionResponse, PackageType,
        PublishVersionRequest, PutFunctionConcurrencyRequest, Runtime, TagResourceRequest,
        UntagResourceRequest, UpdateAliasRequest, UpdateFunctionCodeRequest,
        UpdateFunctionConfigurationRequest,
    },
    ServiceError,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    emulator::{Ctx, Scope},
    services::record_key,
};

/// The runtimes Nimbus can run (its hosts execute JavaScript).
pub const SUPPORTED_RUNTIMES: &[&str] = &["nodejs18.x", "nodejs20.x", "nodejs22.x"];
/// Runtimes AWS no longer accepts for new or updated functions.
const DEPRECATED_RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "ruby2.5",
    "ruby2.7",
    "go1.x",
    "java8",
    "provided",
];
/// Account quotas GetAccountSettings reports (AWS defaults).
pub const CODE_SIZE_ZIPPED: i64 = 52_428_800;
pub const CODE_SIZE_UNZIPPED: i64 = 262_144_000;
pub const TOTAL_CODE_SIZE: i64 = 80_530_636_800;
pub const CONCURRENT_EXECUTIONS: i32 = 1000;
/// AWS keeps this many executions unreserved in every account.
pub const MIN_UNRESERVED: i32 = 100;
pub const ENV_LIMIT_BYTES: usize = 4096;
/// Environment keys Lambda sets itself and refuses from users.
const RESERVED_ENV_KEYS: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];
const LATEST: &str = "$LATEST";
const DEFAULT_PAGE: usize = 50;

/// All Lambda state, per account and region.
#[derive(Default)]
pub struct State {
    functions: BTreeMap<Scope, BTreeMap<String, Function>>,
    /// Deployment packages by the hex SHA-256 of the zip.
    code: BTreeMap<Scope, BTreeMap<String, Vec<u8>>>,
}

impl State {
    /// A stored deployment package by the hex SHA-256 of its zip (what `Code.Location` names).
    pub fn package(&self, scope: &Scope, sha256_hex: &str) -> Option<&[u8]> {
        self.code.get(scope)?.get(sha256_hex).map(Vec::as_slice)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Function {
    name: String,
    latest: Config,
    /// Published versions by number.
    versions: BTreeMap<u32, Config>,
    /// The last version number handed out (numbers are never reused).
    last_version: u32,
    aliases: BTreeMap<String, Alias>,
    tags: BTreeMap<String, String>,
    reserved_concurrency: Option<i32>,
}

/// One version's code and configuration ($LATEST or a published snapshot).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Config {
    version: String,
    runtime: String,
    role: String,
    handler: String,
    description: String,
    timeout: i32,
    memory_size: i32,
    environment: Option<BTreeMap<String, String>>,
    architecture: String,
    ephemeral_storage: i32,
    code_sha256_hex: String,
    code_size: i64,
    last_modified_millis: i64,
    revision_id: String,
}

impl Config {
    /// What a published version snapshots: equal settings mean nothing new to publish.
    fn same_deployment(&self, other: &Config) -> bool {
        let strip = |c: &Config| Config {
            version: String::new(),
            description: String::new(),
            last_modified_millis: 0,
            revision_id: String::new(),
            ..c.clone()
        };
        strip(self) == strip(other)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Alias {
    name: String,
    function_version: String,
    description: String,
    routing: Option<BTreeMap<String, f64>>,
    revision_id: String,
}

/// What a host needs to run one invocation of a function version.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    pub function_name: String,
    /// The ARN as the caller addressed it: qualified with the version or alias when one was given.
    pub function_arn: String,
    /// The version that runs (`$LATEST` or a number), also when an alias was given.
    pub version: String,
    pub handler: String,
    pub runtime: String,
    pub memory_size: i32,
    pub timeout: i32,
    pub environment: BTreeMap<String, String>,
    /// The unzipped deployment package, path -> content.
    pub files: BTreeMap<String, Vec<u8>>,
    pub code_sha256: String,
    pub reserved_concurrency: Option<i32>,
}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    /// Deployment packages may come from S3 (`Code.S3Bucket` / `S3Key`).
    pub s3: &'a crate::services::s3::State,
    /// Event source mappings read the DynamoDB streams they name.
    pub dynamodb: &'a crate::services::dynamodb::State,
    pub event_sources: &'a mut event_source::State,
    pub ctx: &'a mut Ctx<'b>,
}

// ---- errors, as Lambda words them ----

fn validation(message: String) -> ServiceError {
    ServiceError::new("ValidationException", 400, message)
}

/// Lambda's answer to a member outside the model's range.
fn out_of_range(member: &str, value: impl std::fmt::Display, constraint: &str) -> ServiceError {
    validation(format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value {constraint}"))
}

fn missing(member: &str) -> ServiceError {
    validation(format!("1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"))
}

fn bad_pattern(member: &str, value: &str, pattern: &str) -> ServiceError {
    validation(format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"))
}

fn invalid(message: impl Into<String>) -> ServiceError {
    errors::INVALID_PARAMETER_VALUE_EXCEPTION.with_message(message)
}

fn not_found(arn: &str) -> ServiceError {
    errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!("Function not found: {arn}"))
}

fn conflict(message: impl Into<String>) -> ServiceError {
    errors::RESOURCE_CONFLICT_EXCEPTION.with_message(message)
}

fn in_range(member: &str, value: Option<i32>, min: i32, max: i32) -> Result<(), ServiceError> {
    match value {
        Some(v) if v < min => Err(out_of_range(
            member,
            v,
            &format!("greater than or equal to {min}"),
        )),
        Some(v) if v > max => Err(out_of_range(
            member,
            v,
            &format!("less than or equal to {max}"),
        )),
        _ => Ok(()),
    }
}

/// MemorySize: 128 to 10,240 MB.
pub fn check_memory_size(memory_size: Option<i32>) -> Result<(), ServiceError> {
    in_range("memorySize", memory_size, 128, 10240)
}

/// Timeout: 1 to 900 seconds.
pub fn check_timeout(timeout: Option<i32>) -> Result<(), ServiceError> {
    in_range("timeout", timeout, 1, 900)
}

/// Reserved concurrency for one function, given what the account's other functions reserve.
pub fn check_reserved_concurrency(
    reserved: i32,
    reserved_by_others: i32,
) -> Result<(), ServiceError> {
    in_range("reservedConcurrentExecutions", Some(reserved), 0, i32::MAX)?;
    if CONCURRENT_EXECUTIONS - reserved_by_others - reserved < MIN_UNRESERVED {
        return Err(invalid(format!("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}].")));
    }
    Ok(())
}

// ---- names and ARNs ----

const FUNCTION_NAME_PATTERN: &str = r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?";
const ROLE_PATTERN: &str = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+";

fn name_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn digits(s: &str, len: Option<usize>) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && len.is_none_or(|l| s.len() == l)
}

/// Splits a function name, partial ARN (`ACCOUNT:function:NAME`) or ARN into the name and the
/// qualifier it carries, checking it against Lambda's FunctionName pattern.
fn parse_function_name(input: &str) -> Result<(String, Option<String>), ServiceError> {
    let refuse = || bad_pattern("functionName", input, FUNCTION_NAME_PATTERN);
    let parts: Vec<&str> = input.split(':').collect();
    let rest: &[&str] = match parts.as_slice() {
        ["arn", partition, "lambda", region, account, "function", rest @ ..]
            if partition.starts_with("aws") && !region.is_empty() && digits(account, Some(12)) =>
        {
            rest
        }
        [account, "function", rest @ ..] if digits(account, Some(12)) => rest,
        rest => rest,
    };
    let (name, qualifier) = match rest {
        [name] => (*name, None),
        [name, qualifier] => (*name, Some(*qualifier)),
        _ => return Err(refuse()),
    };
    if !name_chars(name) || name.len() > 64 {
        return Err(refuse());
    }
    if let Some(q) = qualifier {
        if q != LATEST && !name_chars(q) {
            return Err(refuse());
        }
    }
    Ok((name.to_string(), qualifier.map(str::to_string)))
}

fn valid_role(role: &str) -> bool {
    let Some(rest) = role.strip_prefix("arn:") else {
        return false;
    };
    let Some((partition, rest)) = rest.split_once(":iam::") else {
        return false;
    };
    let Some((account, path)) = rest.split_once(":role") else {
        return false;
    };
    let path = path.strip_prefix('/').unwrap_or(path);
    (partition.is_empty() || partition.starts_with("aws"))
        && digits(account, Some(12))
        && !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_/".contains(c))
}

/// An alias name: letters, digits, `-` and `_`, not all digits (that would be a version).
fn valid_alias_name(name: &str) -> bool {
    name_chars(name) && name.len() <= 128 && !digits(name, None)
}

fn function_arn(scope: &Scope, name: &str) -> String {
    format!(
        "arn:aws:lambda:{}:{}:function:{name}",
        scope.region, scope.account_id
    )
}

fn qualified_arn(scope: &Scope, name: &str, qualifier: Option<&str>) -> String {
    match qualifier {
        Some(q) => format!("{}:{q}", function_arn(scope, name)),
        None => function_arn(scope, name),
    }
}

/// Lambda's LastModified: `2024-01-01T00:00:00.000+0000`.
fn last_modified(millis: i64) -> String {
    format!(
        "{}+0000",
        crate::clock::Civil::from_millis(millis).iso8601()
    )
}

fn sha256_base64(hex_digest: &str) -> String {
    let bytes = hex::decode(hex_digest).unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// ---- validation of settings ----

fn check_runtime(runtime: &Runtime) -> Result<String, ServiceError> {
    let value = runtime.as_str();
    if let Runtime::Unknown(_) = runtime {
        return Err(validation(format!(
            "1 validation error detected: Value '{value}' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            Runtime::VALUES.join(", ")
        )));
    }
    if DEPRECATED_RUNTIMES.contains(&value) {
        return Err(invalid(format!("The runtime parameter of {value} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.")));
    }
    if !SUPPORTED_RUNTIMES.contains(&value) {
        return Err(invalid(format!(
            "Nimbus runs only the runtimes {}; {value} is not supported.",
            SUPPORTED_RUNTIMES.join(", ")
        )));
    }
    Ok(value.to_string())
}

fn check_role(role: &str) -> Result<(), ServiceError> {
    if valid_role(role) {
        Ok(())
    } else {
        Err(bad_pattern("role", role, ROLE_PATTERN))
    }
}

pub fn check_handler(handler: &str) -> Result<(), ServiceError> {
    if handler.len() > 128 {
        return Err(validation(format!("1 validation error detected: Value '{handler}' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128")));
    }
    if handler.is_empty() || handler.chars().any(char::is_whitespace) {
        return Err(bad_pattern("handler", handler, r"[^\s]+"));
    }
    Ok(())
}

fn check_description(description: &str) -> Result<(), ServiceError> {
    if description.chars().count() > 256 {
        return Err(validation(format!("1 validation error detected: Value '{description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256")));
    }
    Ok(())
}

pub fn check_environment(variables: &BTreeMap<String, String>) -> Result<(), ServiceError> {
    for key in variables.keys() {
        let mut chars = key.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && key.len() >= 2
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(validation("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]".into()));
        }
    }
    let reserved: Vec<&str> = variables
        .keys()
        .map(String::as_str)
        .filter(|k| RESERVED_ENV_KEYS.contains(k))
        .collect();
    if !reserved.is_empty() {
        return Err(invalid(format!("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}", reserved.join(", "))));
    }
    // Lambda measures the variables as a JSON object.
    let measured = serde_json::to_string(variables).expect("strings serialise");
    if measured.len() > ENV_LIMIT_BYTES {
        return Err(invalid(format!("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {measured}")));
    }
    Ok(())
}

fn check_architectures(architectures: &Option<Vec<Architecture>>) -> Result<String, ServiceError> {
    match architectures.as_deref() {
        None | Some([]) => Ok("x86_64".into()),
        Some([arch @ (Architecture::X8664 | Architecture::Arm64)]) => Ok(arch.as_str().into()),
        Some([other]) => Err(validation(format!("1 validation error detected: Value '[{}]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]", other.as_str()))),
        Some(_) => Err(validation("1 validation error detected: Value at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1".into())),
    }
}

fn check_ephemeral_storage(
    storage: &Option<EphemeralStorage>,
) -> Result<Option<i32>, ServiceError> {
    let size = storage.as_ref().and_then(|s| s.size);
    in_range("ephemeralStorage.size", size, 512, 10240)?;
    Ok(size)
}

/// The files a handler `path/module.function` can load its module from.
fn handler_files(handler: &str) -> Vec<String> {
    let module = handler.rsplit_once('.').map_or(handler, |(m, _)| m);
    ["js", "mjs", "cjs"]
        .iter()
        .map(|ext| format!("{module}.{ext}"))
        .collect()
}

/// Checks a deployment package's size limits as Lambda does, and that it is a zip.
fn check_package(zip_bytes: &[u8], operation: &str) -> Result<(), ServiceError> {
    // Lambda's limit for a direct upload: the base64 request body of a 50 MB package.
    if zip_bytes.len() as i64 > CODE_SIZE_ZIPPED {
        return Err(ServiceError::new(
            "RequestEntityTooLargeException",
            413,
            format!("Request must be smaller than 69905067 bytes for the {operation} operation"),
        ));
    }
    let entries = zip::entries(zip_bytes).ok_or_else(|| {
        invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
    })?;
    let unzipped: u64 = entries.iter().map(|e| e.uncompressed_size).sum();
    if unzipped > CODE_SIZE_UNZIPPED as u64 {
        return Err(invalid(format!(
            "Unzipped size must be smaller than {CODE_SIZE_UNZIPPED} bytes"
        )));
    }
    Ok(())
}

/// Nimbus runs the handler's file, so it must be in the package (AWS itself only fails at
/// invoke time, with Runtime.ImportModuleError).
fn check_handler_file(zip_bytes: &[u8], handler: &str) -> Result<(), ServiceError> {
    let wanted = handler_files(handler);
    let present = zip::entries(zip_bytes)
        .unwrap_or_default()
        .iter()
        .any(|e| wanted.contains(&e.name));
    if present {
        return Ok(());
    }
    Err(invalid(format!(
        "The deployment package has no file for the handler {handler}: expected one of {}.",
        wanted.join(", ")
    )))
}

/// Where a deployment package comes from: CreateFunction's `Code` and UpdateFunctionCode's
/// members name it the same way.
struct CodeSource<'a> {
    zip_file: Option<&'a nimbus_shapes::Blob>,
    s3_bucket: Option<&'a str>,
    s3_key: Option<&'a str>,
    s3_object_version: Option<&'a str>,
    image_uri: Option<&'a str>,
}

impl Handler<'_, '_> {
    /// The zip a code source names. A package in S3 is read from the caller's bucket; S3's
    /// errors come back wrapped as Lambda wraps them.
    fn zip_from_code(&self, source: CodeSource) -> Result<Vec<u8>, ServiceError> {
        if let Some(blob) = source.zip_file {
            return Ok(blob.0.clone());
        }
        if source.image_uri.is_some() {
            return Err(invalid(
                "Nimbus runs only Zip deployment packages; container images are not supported.",
            ));
        }
        match (source.s3_bucket, source.s3_key) {
            (Some(bucket), Some(key)) => {
                let read = crate::services::s3::read_object(
                    self.s3,
                    &self.ctx.caller.account_id,
                    bucket,
                    key,
                )
                .and_then(|bytes| match source.s3_object_version {
                    // Nimbus's buckets are unversioned: their objects' only version is "null".
                    Some(version) if version != "null" => Err(ServiceError::new(
                        "NoSuchVersion",
                        404,
                        "The specified version does not exist.",
                    )),
                    _ => Ok(bytes),
                });
                read.map(<[u8]>::to_vec).map_err(|e| {
                    invalid(format!(
                        "Error occurred while GetObject. S3 Error Code: {}. S3 Error Message: {}",
                        e.code, e.message
                    ))
                })
            }
            (None, None) => Err(invalid("Please provide a source for function code.")),
            _ => Err(invalid(
                "Please provide both S3Bucket and S3Key to read the deployment package from S3.",
            )),
        }
    }
}

// ---- paging ----

/// Pages `items` (already in order, each with its sort key) after an opaque marker.
fn page<T>(
    items: Vec<(String, T)>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    in_range("maxItems", max_items, 1, 10_000)?;
    let limit = max_items.map_or(DEFAULT_PAGE, |m| {
        (m as usize).min(DEFAULT_PAGE.max(m as usize))
    });
    let start = marker.map(|m| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(m)
            .ok()
            .and_then(|k| String::from_utf8(k).ok())
            .unwrap_or_else(|| m.to_string())
    });
    let mut rest = items
        .into_iter()
        .filter(|(key, _)| start.as_ref().is_none_or(|s| key >= s))
        .peekable();
    let page: Vec<T> = rest.by_ref().take(limit).map(|(_, item)| item).collect();
    let next = rest
        .peek()
        .map(|(key, _)| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key));
    Ok((page, next))
}

fn version_sort_key(name: &str, version: &str) -> String {
    // $LATEST first, then versions in numeric order.
    let number: u64 = version.parse().unwrap_or(0);
    format!("{name}\u{1}{number:010}")
}

// ---- the handler ----

impl Handler<'_, '_> {
    fn scope(&self) -> Scope {
        self.ctx.scope()
    }

    fn functions(&self) -> Option<&BTreeMap<String, Function>> {
        self.state.functions.get(&self.scope())
    }

    /// The function a FunctionName (and an optional separate Qualifier) designates.
    fn locate(
        &self,
        function_name: Option<&str>,
        qualifier: Option<&str>,
    ) -> Result<(Function, Option<String>), ServiceError> {
        let input = function_name.ok_or_else(|| missing("functionName"))?;
        let (name, derived) = parse_function_name(input)?;
        let qualifier = match (derived, qualifier) {
            (Some(d), Some(q)) if d != q => {
                return Err(invalid(
                    "The derived qualifier from the function name does not match the specified qualifier.",
                ))
            }
            (Some(d), _) => Some(d),
            (None, q) => q.map(str::to_string),
        };
        let function = self
            .functions()
            .and_then(|f| f.get(&name))
            .cloned()
            .ok_or_else(|| not_found(&qualified_arn(&self.scope(), &name, qualifier.as_deref())))?;
        Ok((function, qualifier))
    }

    /// The unqualified function a call names; a qualifier is refused.
    fn locate_unqualified(&self, function_name: Option<&str>) -> Result<Function, ServiceError> {
        let (function, qualifier) = self.locate(function_name, None)?;
        if qualifier.is_some() {
            return Err(invalid(
                "This operation does not support a qualified function ARN or name.",
            ));
        }
        Ok(function)
    }

    fn persist(&mut self, function: Function) {
        let scope = self.scope();
        self.ctx.persist(
            record_key("lambda", &scope, &["fn", &function.name]),
            &function,
        );
        self.state
            .functions
            .entry(scope)
            .or_default()
            .insert(function.name.clone(), function);
    }

    fn store_code(&mut self, zip_bytes: Vec<u8>) -> (String, i64) {
        let hex_digest = hex::encode(Sha256::digest(&zip_bytes));
        let size = zip_bytes.len() as i64;
        let scope = self.scope();
        let stored = self.state.code.entry(scope.clone()).or_default();
        if !stored.contains_key(&hex_digest) {
            let encoded = base64::engine::general_purpose::STANDARD.encode(&zip_bytes);
            self.ctx.persist(
                record_key("lambda", &scope, &["code", &hex_digest]),
                &encoded,
            );
            stored.insert(hex_digest.clone(), zip_bytes);
        }
        (hex_digest, size)
    }

    /// Forgets packages no version uses any more.
    fn drop_unused_code(&mut self) {
        let scope = self.scope();
        let used: std::collections::BTreeSet<String> = self
            .functions()
            .into_iter()
            .flat_map(|f| f.values())
            .flat_map(|f| std::iter::once(&f.latest).chain(f.versions.values()))
            .map(|c| c.code_sha256_hex.clone())
            .collect();
        if let Some(stored) = self.state.code.get_mut(&scope) {
            let unused: Vec<String> = stored
                .keys()
                .filter(|k| !used.contains(*k))
                .cloned()
                .collect();
            for key in unused {
                stored.remove(&key);
                self.ctx
                    .changes
                    .delete(record_key("lambda", &scope, &["code", &key]));
            }
        }
    }

    fn configuration(&self, function: &Function, config: &Config) -> FunctionConfiguration {
        let scope = self.scope();
        let qualifier = (config.version != LATEST).then_some(config.version.as_str());
        FunctionConfiguration {
            function_name: Some(function.name.clone()),
            function_arn: Some(qualified_arn(&scope, &function.name, qualifier)),
            runtime: Some(Runtime::from(config.runtime.as_str())),
            role: Some(config.role.clone()),
            handler: Some(config.handler.clone()),
            code_size: Some(config.code_size),
            description: Some(config.description.clone()),
            timeout: Some(config.timeout),
            memory_size: Some(config.memory_size),
            last_modified: Some(last_modified(config.last_modified_millis)),
            code_sha256: Some(sha256_base64(&config.code_sha256_hex)),
            version: Some(config.version.clone()),
            environment: config.environment.as_ref().map(|v| EnvironmentResponse {
                variables: Some(v.clone()),
                error: None,
            }),
            tracing_config: Some(shapes::TracingConfigResponse {
                mode: Some(shapes::TracingMode::PassThrough),
            }),
            revision_id: Some(config.revision_id.clone()),
            state: Some(shapes::State::Active),
            last_update_status: Some(LastUpdateStatus::Successful),
            package_type: Some(PackageType::Zip),
            architectures: Some(vec![Architecture::from(config.architecture.as_str())]),
            ephemeral_storage: Some(EphemeralStorage {
                size: Some(config.ephemeral_storage),
            }),
            snap_start: Some(shapes::SnapStartResponse {
                apply_on: Some(shapes::SnapStartApplyOn::None),
                optimization_status: Some(shapes::SnapStartOptimizationStatus::Off),
            }),
            logging_config: Some(shapes::LoggingConfig {
                log_format: Some(shapes::LogFormat::Text),
                log_group: Some(format!("/aws/lambda/{}", function.name)),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// The configuration a qualifier (none, `$LATEST`, a version or an alias) designates.
    fn config_for<'f>(
        &self,
        function: &'f Function,
        qualifier: Option<&str>,
    ) -> Result<&'f Config, ServiceError> {
        resolve_config(&self.scope(), function, qualifier)
    }

    /// Publishes $LATEST as a new version, or returns the newest version when nothing changed.
    fn publish(&mut self, function: &mut Function, description: Option<String>) -> Config {
        if let Some(newest) = function.versions.values().next_back() {
            if newest.same_deployment(&function.latest) {
                return newest.clone();
            }
        }
        function.last_version += 1;
        let version = Config {
            version: function.last_version.to_string(),
            description: description.unwrap_or_else(|| function.latest.description.clone()),
            last_modified_millis: self.ctx.now_millis,
            revision_id: self.ctx.ids.uuid(),
            ..function.latest.clone()
        };
        function
            .versions
            .insert(function.last_version, version.clone());
        version
    }

    fn alias_configuration(&self, function: &Function, alias: &Alias) -> AliasConfiguration {
        AliasConfiguration {
            alias_arn: Some(qualified_arn(
                &self.scope(),
                &function.name,
                Some(&alias.name),
            )),
            name: Some(alias.name.clone()),
            function_version: Some(alias.function_version.clone()),
            description: Some(alias.description.clone()),
            routing_config: alias
                .routing
                .as_ref()
                .map(|weights| AliasRoutingConfiguration {
                    additional_version_weights: Some(weights.clone()),
                }),
            revision_id: Some(alias.revision_id.clone()),
        }
    }

    fn check_alias_target(
        &self,
        function: &Function,
        version: &str,
        routing: Option<&AliasRoutingConfiguration>,
    ) -> Result<Option<BTreeMap<String, f64>>, ServiceError> {
        let exists = |v: &str| {
            v == LATEST
                || v.parse::<u32>()
                    .is_ok_and(|n| function.versions.contains_key(&n))
        };
        if !exists(version) {
            return Err(not_found(&qualified_arn(
                &self.scope(),
                &function.name,
                Some(version),
            )));
        }
        let Some(weights) = routing.and_then(|r| r.additional_version_weights.clone()) else {
            return Ok(None);
        };
        for (extra, weight) in &weights {
            if !(0.0..=1.0).contains(weight) {
                return Err(out_of_range(
                    "routingConfig.additionalVersionWeights",
                    weight,
                    "less than or equal to 1.0",
                ));
            }
            if !exists(extra) || extra == LATEST {
                return Err(invalid(format!(
                    "Function not found: {}",
                    qualified_arn(&self.scope(), &function.name, Some(extra))
                )));
            }
            if extra == version {
                return Err(invalid(
                    "Invalid function version specified in RoutingConfig: cannot be the same as the primary version.",
                ));
            }
        }
        Ok(Some(weights))
    }

    fn locate_alias(
        &self,
        function_name: Option<&str>,
        alias_name: Option<&str>,
    ) -> Result<(Function, Alias), ServiceError> {
        let function = self.locate_unqualified(function_name)?;
        let alias_name = alias_name.ok_or_else(|| missing("name"))?;
        let alias = function.aliases.get(alias_name).cloned().ok_or_else(|| {
            errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
                "Alias not found: {}",
                qualified_arn(&self.scope(), &function.name, Some(alias_name))
            ))
        })?;
        Ok((function, alias))
    }

    /// The function a tagging call's Resource ARN names.
    fn tagged_function(&self, resource: Option<&str>) -> Result<Function, ServiceError> {
        let resource = resource.ok_or_else(|| missing("resource"))?;
        if !resource.starts_with("arn:") {
            return Err(bad_pattern(
                "resource",
                resource,
                r"arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
            ));
        }
        self.locate_unqualified(Some(resource))
    }

    fn total_reserved_except(&self, name: &str) -> i32 {
        self.functions()
            .into_iter()
            .flat_map(|f| f.values())
            .filter(|f| f.name != name)
            .filter_map(|f| f.reserved_concurrency)
            .sum()
    }
}

/// The configuration a qualifier designates, or Lambda's not-found error for it.
fn resolve_config<'f>(
    scope: &Scope,
    function: &'f Function,
    qualifier: Option<&str>,
) -> Result<&'f Config, ServiceError> {
    let missing_version = || not_found(&qualified_arn(scope, &function.name, qualifier));
    match qualifier {
        None | Some(LATEST) => Ok(&function.latest),
        Some(q) if digits(q, None) => q
            .parse::<u32>()
            .ok()
            .and_then(|n| function.versions.get(&n))
            .ok_or_else(missing_version),
        Some(alias) => {
            let alias = function.aliases.get(alias).ok_or_else(missing_version)?;
            resolve_config(scope, function, Some(&alias.function_version))
        }
    }
}

impl Lambda for Handler<'_, '_> {
    fn create_event_source_mapping(
        &mut self,
        input: shapes::CreateEventSourceMappingRequest,
    ) -> Result<shapes::EventSourceMappingConfiguration, ServiceError> {
        self.create_mapping(input)
    }

    fn get_event_source_mapping(
        &mut self,
        input: shapes::GetEventSourceMappingRequest,
    ) -> Result<shapes::EventSourceMappingConfiguration, ServiceError> {
        self.get_mapping(input)
    }

    fn list_event_source_mappings(
        &mut self,
        input: shapes::ListEventSourceMappingsRequest,
    ) -> Result<shapes::ListEventSourceMappingsResponse, ServiceError> {
        self.list_mappings(input)
    }

    fn update_event_source_mapping(
        &mut self,
        input: shapes::UpdateEventSourceMappingRequest,
    ) -> Result<shapes::EventSourceMappingConfiguration, ServiceError> {
        self.update_mapping(input)
    }

    fn delete_event_source_mapping(
        &mut self,
        input: shapes::DeleteEventSourceMappingRequest,
    ) -> Result<shapes::EventSourceMappingConfiguration, ServiceError> {
        self.delete_mapping(input)
    }

    fn create_function(
        &mut self,
        input: CreateFunctionRequest,
    ) -> Result<FunctionConfiguration, ServiceError> {
        let input_name = input
            .function_name
            .as_deref()
            .ok_or_else(|| missing("functionName"))?;
        let role = input.role.as_deref().ok_or_else(|| missing("role"))?;
        let code = input.code.as_ref().ok_or_else(|| missing("code"))?;
        let (name, qualifier) = parse_function_name(input_name)?;
        if qualifier.is_some() {
            return Err(bad_pattern(
                "functionName",
                input_name,
                r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)",
            ));
        }
        check_role(role)?;
        check_memory_size(input.memory_size)?;
        check_timeout(input.timeout)?;
        check_description(input.description.as_deref().unwrap_or(""))?;
        if let Some(PackageType::Image) = input.package_type {
            return Err(invalid(
                "Nimbus runs only Zip deployment packages; container images are not supported.",
            ));
        }
        let (Some(runtime), Some(handler)) = (&input.runtime, &input.handler) else {
            return Err(invalid(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
            ));
        };
        let runtime = check_runtime(runtime)?;
        check_handler(handler)?;
        let architecture = check_architectures(&input.architectures)?;
        let ephemeral = check_ephemeral_storage(&input.ephemeral_storage)?;
        let environment = input.environment.and_then(|e| e.variables);
        if let Some(vars) = &environment {
            check_environment(vars)?;
        }
        let zip_bytes = self.zip_from_code(CodeSource {
            zip_file: code.zip_file.as_ref(),
            s3_bucket: code.s3_bucket.as_deref(),
            s3_key: code.s3_key.as_deref(),
            s3_object_version: code.s3_object_version.as_deref(),
            image_uri: code.image_uri.as_deref(),
        })?;
        check_package(&zip_bytes, "CreateFunction")?;
        check_handler_file(&zip_bytes, handler)?;
        if self.functions().is_some_and(|f| f.contains_key(&name)) {
            return Err(conflict(format!("Function already exist: {name}")));
        }

        let (code_sha256_hex, code_size) = self.store_code(zip_bytes);
        let mut function = Function {
            name: name.clone(),
            latest: Config {
                version: LATEST.into(),
                runtime,
                role: role.to_string(),
                handler: handler.clone(),
                description: input.description.unwrap_or_default(),
                timeout: input.timeout.unwrap_or(3),
                memory_size: input.memory_size.unwrap_or(128),
                environment,
                architecture,
                ephemeral_storage: ephemeral.unwrap_or(512),
                code_sha256_hex,
                code_size,
                last_modified_millis: self.ctx.now_millis,
                revision_id: self.ctx.ids.uuid(),
            },
            versions: BTreeMap::new(),
            last_version: 0,
            aliases: BTreeMap::new(),
            tags: input.tags.unwrap_or_default(),
            reserved_concurrency: None,
        };
        let answer = if input.publish == Some(true) {
            self.publish(&mut function, None)
        } else {
            function.latest.clone()
        };
        let configuration = self.configuration(&function, &answer);
        self.persist(function);
        Ok(configuration)
    }

    fn get_function(
        &mut self,
        input: GetFunctionRequest,
    ) -> Result<GetFunctionResponse, ServiceError> {
        let (function, qualifier) =
            self.locate(input.function_name.as_deref(), input.qualifier.as_deref())?;
        let config = self.config_for(&function, qualifier.as_deref())?;
        let scope = self.scope();
        // Where the package can be downloaded (a presigned S3 URL in AWS).
        let location = format!(
            "{}/_nimbus/lambda/{}/{}/{}/code/{}.zip",
            self.ctx.caller.endpoint,
            scope.account_id,
            scope.region,
            function.name,
            config.code_sha256_hex
        );
        Ok(GetFunctionResponse {
            configuration: Some(self.configuration(&function, config)),
            code: Some(FunctionCodeLocation {
                repository_type: Some("S3".into()),
                location: Some(location),
                ..Default::default()
            }),
            tags: Some(function.tags.clone()),
            concurrency: function.reserved_concurrency.map(|n| Concurrency {
                reserved_concurrent_executions: Some(n),
            }),
            ..Default::default()
        })
    }

    fn get_function_configuration(
        &mut self,
        input: GetFunctionConfigurationRequest,
    ) -> Result<FunctionConfiguration, ServiceError> {
        let (function, qualifier) =
            self.locate(input.function_name.as_deref(), input.qualifier.as_deref())?;
        let config = self.config_for(&function, qualifier.as_deref())?;
        Ok(self.configuration(&function, config))
    }

    fn list_functions(
        &mut self,
        input: ListFunctionsRequest,
    ) -> Result<ListFunctionsResponse, ServiceError> {
        let all = match &input.function_version {
            None => false,
            Some(FunctionVersion::All) => true,
            Some(other) => {
                return Err(validation(format!("1 validation error detected: Value '{}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]", other.as_str())))
            }
        };
        let mut items = Vec::new();
        for function in self.functions().into_iter().flat_map(|f| f.values()) {
            items.push((
                version_sort_key(&function.name, LATEST),
                self.configuration(function, &function.latest),
            ));
            if all {
                for config in function.versions.values() {
                    items.push((
                        version_sort_key(&function.name, &config.version),
                        self.configuration(function, config),
                    ));
                }
            }
        }
        let (functions, next_marker) = page(items, input.marker.as_deref(), input.max_items)?;
        Ok(ListFunctionsResponse {
            functions: Some(functions),
            next_marker,
        })
    }

    fn update_function_code(
        &mut self,
        input: UpdateFunctionCodeRequest,
    ) -> Result<FunctionConfiguration, ServiceError> {
        let mut function = self.locate_unqualified(input.function_name.as_deref())?;
        if let Some(revision) = &input.revision_id {
            if *revision != function.latest.revision_id {
                return Err(errors::PRECONDITION_FAILED_EXCEPTION.with_message("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"));
            }
        }
        let architecture = match &input.architectures {
            Some(_) => check_architectures(&input.architectures)?,
            None => function.latest.architecture.clone(),
        };
        let zip_bytes = self.zip_from_code(CodeSource {
            zip_file: input.zip_file.as_ref(),
            s3_bucket: input.s3_bucket.as_deref(),
            s3_key: input.s3_key.as_deref(),
            s3_object_version: input.s3_object_version.as_deref(),
            image_uri: input.image_uri.as_deref(),
        })?;
        check_package(&zip_bytes, "UpdateFunctionCode")?;
        check_handler_file(&zip_bytes, &function.latest.handler)?;
        if input.dry_run == Some(true) {
            let hex_digest = hex::encode(Sha256::digest(&zip_bytes));
            let preview = Config {
                code_sha256_hex: hex_digest,
                code_size: zip_bytes.len() as i64,
                architecture,
                ..function.latest.clone()
            };
            return Ok(self.configuration(&function, &preview));
        }
        let (code_sha256_hex, code_size) = self.store_code(zip_bytes);
        function.latest = Config {
            code_sha256_hex,
            code_size,
            architecture,
            last_modified_millis: self.ctx.now_millis,
            revision_id: self.ctx.ids.uuid(),
            ..function.latest
        };
        let answer = if input.publish == Some(true) {
            self.publish(&mut function, None)
        } else {
            function.latest.clone()
        };
        let configuration = self.configuration(&function, &answer);
        self.persist(function);
        self.drop_unused_code();
        Ok(configuration)
    }

    fn update_function_configuration(
        &mut self,
        input: UpdateFunctionConfigurationRequest,
    ) -> Result<FunctionConfiguration, ServiceError> {
        let mut function = self.locate_unqualified(input.function_name.as_deref())?;
        if let Some(revision) = &input.revision_id {
            if *revision != function.latest.revision_id {
                return Err(errors::PRECONDITION_FAILED_EXCEPTION.with_message("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"));
            }
        }
        if let Some(role) = &input.role {
            check_role(role)?;
        }
        check_memory_size(input.memory_size)?;
        check_timeout(input.timeout)?;
        if let Some(description) = &input.description {
            check_description(description)?;
        }
        let runtime = input.runtime.as_ref().map(check_runtime).transpose()?;
        if let Some(handler) = &input.handler {
            check_handler(handler)?;
            let zip_bytes = self
                .state
                .code
                .get(&self.scope())
                .and_then(|c| c.get(&function.latest.code_sha256_hex))
                .cloned()
                .unwrap_or_default();
            check_handler_file(&zip_bytes, handler)?;
        }
        let ephemeral = check_ephemeral_storage(&input.ephemeral_storage)?;
        let environment = input.environment.map(|e| e.variables.unwrap_or_default());
        if let Some(vars) = &environment {
            check_environment(vars)?;
        }

        let latest = &mut function.latest;
        if let Some(role) = input.role {
            latest.role = role;
        }
        if let Some(handler) = input.handler {
            latest.handler = handler;
        }
        if let Some(description) = input.description {
            latest.description = description;
        }
        if let Some(timeout) = input.timeout {
            latest.timeout = timeout;
        }
        if let Some(memory) = input.memory_size {
            latest.memory_size = memory;
        }
        if let Some(runtime) = runtime {
            latest.runtime = runtime;
        }
        if let Some(size) = ephemeral {
            latest.ephemeral_storage = size;
        }
        if let Some(vars) = environment {
            // An empty Environment clears the variables (AWS then omits Environment).
            latest.environment = (!vars.is_empty()).then_some(vars);
        }
        latest.last_modified_millis = self.ctx.now_millis;
        latest.revision_id = self.ctx.ids.uuid();
        let configuration = self.configuration(&function, &function.latest);
        self.persist(function);
        Ok(configuration)
    }

    fn delete_function(
        &mut self,
        input: DeleteFunctionRequest,
    ) -> Result<DeleteFunctionResponse, ServiceError> {
        let (mut function, qualifier) =
            self.locate(input.function_name.as_deref(), input.qualifier.as_deref())?;
        let scope = self.scope();
        match qualifier.as_deref() {
            None => {
                self.state
                    .functions
                    .get_mut(&scope)
                    .map(|f| f.remove(&function.name));
                self.ctx
                    .changes
                    .delete(record_key("lambda", &scope, &["fn", &function.name]));
            }
            Some(LATEST) => {
                return Err(invalid(
                    "$LATEST version cannot be deleted without deleting the function.",
                ))
            }
            Some(q) if digits(q, None) => {
                let number = q.parse::<u32>().ok();
                if number.is_none_or(|n| !function.versions.contains_key(&n)) {
                    return Err(not_found(&qualified_arn(&scope, &function.name, Some(q))));
                }
                let users: Vec<&str> = function
                    .aliases
                    .values()
                    .filter(|a| {
                        a.function_version == q
                            || a.routing.as_ref().is_some_and(|r| r.contains_key(q))
                    })
                    .map(|a| a.name.as_str())
                    .collect();
                if !users.is_empty() {
                    return Err(conflict(format!(
                        "Unable to delete version because the following aliases reference it: [{}]",
                        users.join(", ")
                    )));
                }
                function.versions.remove(&number.unwrap_or_default());
                self.persist(function);
            }
            Some(_) => {
                return Err(invalid(
                    "Deletion of aliases is not supported. Use the DeleteAlias API.",
                ))
            }
        }
        self.drop_unused_code();
        Ok(DeleteFunctionResponse::default())
    }

    fn publish_version(
        &mut self,
        input: PublishVersionRequest,
    ) -> Result<FunctionConfiguration, ServiceError> {
        let mut function = self.locate_unqualified(input.function_name.as_deref())?;
        if let Some(description) = &input.description {
            check_description(description)?;
        }
        let current = sha256_base64(&function.latest.code_sha256_hex);
        if let Some(expected) = &input.code_sha256 {
            if *expected != current {
                return Err(invalid(format!("CodeSHA256 ({expected}) is different from current CodeSHA256 in $LATEST ({current}). Please try again with the current CodeSHA256.")));
            }
        }
        if let Some(revision) = &input.revision_id {
            if *revision != function.latest.revision_id {
                return Err(errors::PRECONDITION_FAILED_EXCEPTION.with_message("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"));
            }
        }
        let version = self.publish(&mut function, input.description);
        let configuration = self.configuration(&function, &version);
        self.persist(function);
        Ok(configuration)
    }

    fn list_versions_by_function(
        &mut self,
        input: ListVersionsByFunctionRequest,
    ) -> Result<ListVersionsByFunctionResponse, ServiceError> {
        let function = self.locate_unqualified(input.function_name.as_deref())?;
        let items = std::iter::once(&function.latest)
            .chain(function.versions.values())
            .map(|c| {
                (
                    version_sort_key(&function.name, &c.version),
                    self.configuration(&function, c),
                )
            })
            .collect();
        let (versions, next_marker) = page(items, input.marker.as_deref(), input.max_items)?;
        Ok(ListVersionsByFunctionResponse {
            versions: Some(versions),
            next_marker,
        })
    }

    fn create_alias(
        &mut self,
        input: CreateAliasRequest,
    ) -> Result<AliasConfiguration, ServiceError> {
        let mut function = self.locate_unqualified(input.function_name.as_deref())?;
        let name = input.name.as_deref().ok_or_else(|| missing("name"))?;
        let version = input
            .function_version
            .as_deref()
            .ok_or_else(|| missing("functionVersion"))?;
        if !valid_alias_name(name) {
            return Err(bad_pattern("name", name, "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"));
        }
        check_description(input.description.as_deref().unwrap_or(""))?;
        let routing = self.check_alias_target(&function, version, input.routing_config.as_ref())?;
        if function.aliases.contains_key(name) {
            return Err(conflict(format!(
                "Alias already exists: {}",
                qualified_arn(&self.scope(), &function.name, Some(name))
            )));
        }
        let alias = Alias {
            name: name.to_string(),
            function_version: version.to_string(),
            description: input.description.unwrap_or_default(),
            routing,
            revision_id: self.ctx.ids.uuid(),
        };
        let answer = self.alias_configuration(&function, &alias);
        function.aliases.insert(alias.name.clone(), alias);
        self.persist(function);
        Ok(answer)
    }

    fn get_alias(&mut self, input: GetAliasRequest) -> Result<AliasConfiguration, ServiceError> {
        let (function, alias) =
            self.locate_alias(input.function_name.as_deref(), input.name.as_deref())?;
        Ok(self.alias_configuration(&function, &alias))
    }

    fn update_alias(
        &mut self,
        input: UpdateAliasRequest,
    ) -> Result<AliasConfiguration, ServiceError> {
        let (mut function, mut alias) =
            self.locate_alias(input.function_name.as_deref(), input.name.as_deref())?;
        if let Some(revision) = &input.revision_id {
            if *revision != alias.revision_id {
                return Err(errors::PRECONDITION_FAILED_EXCEPTION.with_message("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"));
            }
        }
        if let Some(description) = &input.description {
            check_description(description)?;
        }
        let version = input
            .function_version
            .clone()
            .unwrap_or_else(|| alias.function_version.clone());
        let routing = match &input.routing_config {
            Some(config) => self.check_alias_target(&function, &version, Some(config))?,
            None => {
                self.check_alias_target(&function, &version, None)?;
                alias.routing.clone()
            }
        };
        alias.function_version = version;
        alias.routing = routing.filter(|w| !w.is_empty());
        if let Some(description) = input.description {
            alias.description = description;
        }
        alias.revision_id = self.ctx.ids.uuid();
        let answer = self.alias_configuration(&function, &alias);
        function.aliases.insert(alias.name.clone(), alias);
        self.persist(function);
        Ok(answer)
    }

    fn delete_alias(&mut self, input: DeleteAliasRequest) -> Result<(), ServiceError> {
        let mut function = self.locate_unqualified(input.function_name.as_deref())?;
        let name = input.name.as_deref().ok_or_else(|| missing("name"))?;
        // Deleting an alias that does not exist succeeds, as in AWS.
        if function.aliases.remove(name).is_some() {
            self.persist(function);
        }
        Ok(())
    }

    fn list_aliases(
        &mut self,
        input: ListAliasesRequest,
    ) -> Result<ListAliasesResponse, ServiceError> {
        let function = self.locate_unqualified(input.function_name.as_deref())?;
        let items = function
            .aliases
            .values()
            .filter(|a| {
                input
                    .function_version
                    .as_ref()
                    .is_none_or(|v| *v == a.function_version)
            })
            .map(|a| (a.name.clone(), self.alias_configuration(&function, a)))
            .collect();
        let (aliases, next_marker) = page(items, input.marker.as_deref(), input.max_items)?;
        Ok(ListAliasesResponse {
            aliases: Some(aliases),
            next_marker,
        })
    }

    fn put_function_concurrency(
        &mut self,
        input: PutFunctionConcurrencyRequest,
    ) -> Result<Concurrency, ServiceError> {
        let mut function = self.locate_unqualified(input.function_name.as_deref())?;
        let reserved = input
            .reserved_concurrent_executions
            .ok_or_else(|| missing("reservedConcurrentExecutions"))?;
        check_reserved_concurrency(reserved, self.total_reserved_except(&function.name))?;
        function.reserved_concurrency = Some(reserved);
        self.persist(function);
        Ok(Concurrency {
            reserved_concurrent_executions: Some(reserved),
        })
    }

    fn get_function_concurrency(
        &mut self,
        input: GetFunctionConcurrencyRequest,
    ) -> Result<GetFunctionConcurrencyResponse, ServiceError> {
        let function = self.locate_unqualified(input.function_name.as_deref())?;
        Ok(GetFunctionConcurrencyResponse {
            reserved_concurrent_executions: function.reserved_concurrency,
        })
    }

    fn delete_function_concurrency(
        &mut self,
        input: DeleteFunctionConcurrencyRequest,
    ) -> Result<(), ServiceError> {
        let mut function = self.locate_unqualified(input.function_name.as_deref())?;
        if function.reserved_concurrency.take().is_some() {
            self.persist(function);
        }
        Ok(())
    }

    fn tag_resource(&mut self, input: TagResourceRequest) -> Result<(), ServiceError> {
        let mut function = self.tagged_function(input.resource.as_deref())?;
        let tags = input.tags.ok_or_else(|| missing("tags"))?;
        function.tags.extend(tags);
        self.persist(function);
        Ok(())
    }

    fn untag_resource(&mut self, input: UntagResourceRequest) -> Result<(), ServiceError> {
        let mut function = self.tagged_function(input.resource.as_deref())?;
        let keys = input.tag_keys.ok_or_else(|| missing("tagKeys"))?;
        for key in keys {
            function.tags.remove(&key);
        }
        self.persist(function);
        Ok(())
    }

    fn list_tags(&mut self, input: ListTagsRequest) -> Result<ListTagsResponse, ServiceError> {
        let function = self.tagged_function(input.resource.as_deref())?;
        Ok(ListTagsResponse {
            tags: Some(function.tags),
        })
    }

    fn get_account_settings(
        &mut self,
        _input: GetAccountSettingsRequest,
    ) -> Result<GetAccountSettingsResponse, ServiceError> {
        let functions: Vec<&Function> = self
            .functions()
            .into_iter()
            .flat_map(|f| f.values())
            .collect();
        let total_code_size = functions
            .iter()
            .flat_map(|f| std::iter::once(&f.latest).chain(f.versions.values()))
            .map(|c| c.code_size)
            .sum();
        let reserved: i32 = functions
            .iter()
            .filter_map(|f| f.reserved_concurrency)
            .sum();
        Ok(GetAccountSettingsResponse {
            account_limit: Some(AccountLimit {
                total_code_size: Some(TOTAL_CODE_SIZE),
                code_size_unzipped: Some(CODE_SIZE_UNZIPPED),
                code_size_zipped: Some(CODE_SIZE_ZIPPED),
                concurrent_executions: Some(CONCURRENT_EXECUTIONS),
                unreserved_concurrent_executions: Some(CONCURRENT_EXECUTIONS - reserved),
            }),
            account_usage: Some(AccountUsage {
                total_code_size: Some(total_code_size),
                function_count: Some(functions.len() as i64),
            }),
        })
    }
}

/// What a host needs to invoke `function_name` (a name, partial ARN or ARN, possibly qualified)
/// at `qualifier` ($LATEST when neither gives one): the version's code and settings.
pub fn resolve_invocation(
    state: &State,
    scope: &Scope,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<Invocation, ServiceError> {
    let (name, derived) = parse_function_name(function_name)?;
    let qualifier = match (derived.as_deref(), qualifier) {
        (Some(d), Some(q)) if d != q => return Err(invalid(
            "The derived qualifier from the function name does not match the specified qualifier.",
        )),
        (Some(d), _) => Some(d),
        (None, q) => q,
    };
    let function = state
        .functions
        .get(scope)
        .and_then(|f| f.get(&name))
        .ok_or_else(|| not_found(&qualified_arn(scope, &name, qualifier)))?;
    let config = resolve_config(scope, function, qualifier)?;
    let zip_bytes = state
        .code
        .get(scope)
        .and_then(|c| c.get(&config.code_sha256_hex))
        .ok_or_else(|| {
            errors::SERVICE_EXCEPTION.with_message("The function's deployment package is missing.")
        })?;
    let files = zip::unzip(zip_bytes).ok_or_else(|| {
        errors::INVALID_ZIP_FILE_EXCEPTION.with_message("Could not unzip the deployment package.")
    })?;
    Ok(Invocation {
        function_name: name.clone(),
        function_arn: qualified_arn(scope, &name, qualifier),
        version: config.version.clone(),
        handler: config.handler.clone(),
        runtime: config.runtime.clone(),
        memory_size: config.memory_size,
        timeout: config.timeout,
        environment: config.environment.clone().unwrap_or_default(),
        files,
        code_sha256: sha256_base64(&config.code_sha256_hex),
        reserved_concurrency: function.reserved_concurrency,
    })
}

/// Takes back one record this service persisted (`rest` is the key after the scope).
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    match rest.split_once('/') {
        Some(("fn", name)) => {
            let function: Function = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            state
                .functions
                .entry(scope)
                .or_default()
                .insert(name.to_string(), function);
            Ok(())
        }
        Some(("code", digest)) => {
            let encoded: String = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|e| e.to_string())?;
            state
                .code
                .entry(scope)
                .or_default()
                .insert(digest.to_string(), bytes);
            Ok(())
        }
        _ => Err(format!("unexpected lambda record {rest}")),
    }
}
