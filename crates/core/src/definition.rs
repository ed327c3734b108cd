//! A playground's definition: its functions (code and settings), resources and a little seed data,
//! as one versioned JSON document. It is what Share puts into a link and what Export writes to a
//! `.nimbus.json` file.
//!
//! A definition is read through the public API only ([`export_from`] makes the same read-only
//! calls an AWS client would) and recreated the same way ([`Definition::calls`]), so it never
//! depends on how a service keeps its state.

use std::{
    collections::BTreeMap,
    future::Future,
    pin::pin,
    task::{Context, Poll, Waker},
};

use base64::{engine::general_purpose, Engine as _};
use nimbus_shapes::ServiceError;
use serde::{Deserialize, Serialize};
use serde_json::{
    json,
    ser::{CompactFormatter, Formatter, PrettyFormatter},
    value::RawValue,
    Map, Value,
};

use crate::{
    services::{dynamodb::StreamArn, lambda::zip},
    Caller, Emulator,
};

/// The format this code writes; a definition with another number is refused, not guessed at.
pub const VERSION: u32 = 1;
/// Seed data kept per table: at most this many items...
pub const MAX_ITEMS: usize = 100;
/// ...and this many bytes of item JSON.
pub const MAX_TABLE_BYTES: usize = 64 * 1024;
/// Objects kept per bucket: at most this many, each at most [`MAX_OBJECT_BYTES`], together at
/// most [`MAX_BUCKET_BYTES`].
pub const MAX_OBJECTS: usize = 100;
pub const MAX_OBJECT_BYTES: usize = 16 * 1024;
pub const MAX_BUCKET_BYTES: usize = 64 * 1024;
/// A link holds at most this much JSON once inflated, so a crafted link cannot exhaust memory.
const MAX_INFLATED_BYTES: usize = 16 * 1024 * 1024;

/// The role a function gets when its definition names none (IAM is not enforced).
pub const DEFAULT_ROLE: &str = "arn:aws:iam::123456789012:role/lambda-role";
const DEFAULT_MEMORY: i64 = 128;
const DEFAULT_TIMEOUT: i64 = 3;
const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    /// The format version, [`VERSION`].
    pub nimbus: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<Queue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<Bucket>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<Topic>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_source_mappings: Vec<EventSourceMapping>,
}

/// A Lambda function's `$LATEST`: settings left at Lambda's defaults are left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Function {
    pub name: String,
    pub runtime: String,
    pub handler: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default = "default_memory", skip_serializing_if = "is_default_memory")]
    pub memory_size: i64,
    #[serde(
        default = "default_timeout",
        skip_serializing_if = "is_default_timeout"
    )]
    pub timeout: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_concurrency: Option<i64>,
    /// `arm64` when not x86_64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// The package's UTF-8 files, by path.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// The package's other files, base64.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub binary_files: BTreeMap<String, String>,
    /// Saved test events, as the host keeps them (the API has no such thing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_events: Vec<TestEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestEvent {
    pub name: String,
    pub event: EventJson,
}

/// A test event's JSON with its members in the order the person wrote them (a [`Value`] would
/// sort them), without the whitespace.
#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
pub struct EventJson(Box<RawValue>);

impl<'de> Deserialize<'de> for EventJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<EventJson, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        EventJson::parse(raw.get()).map_err(serde::de::Error::custom)
    }
}

impl EventJson {
    /// `text` compacted, or why it is not JSON.
    pub fn parse(text: &str) -> Result<EventJson, serde_json::Error> {
        RawValue::from_string(rewrite(text, CompactFormatter)?).map(EventJson)
    }

    /// The event indented as the editor shows it, its members still in their order.
    pub fn pretty(&self) -> String {
        rewrite(self.get(), PrettyFormatter::new()).expect("an EventJson is JSON")
    }

    pub fn get(&self) -> &str {
        self.0.get()
    }
}

/// JSON `text` written again with `formatter`, its members in the order they come.
fn rewrite(text: &str, formatter: impl Formatter) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    serde_transcode::transcode(
        &mut serde_json::Deserializer::from_str(text),
        &mut serde_json::Serializer::with_formatter(&mut out, formatter),
    )?;
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

impl PartialEq for EventJson {
    fn eq(&self, other: &EventJson) -> bool {
        self.get() == other.get()
    }
}

/// A DynamoDB table: its CreateTable input and the first items of a Scan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    pub name: String,
    /// The CreateTable input besides TableName (KeySchema, AttributeDefinitions, BillingMode,
    /// indexes, StreamSpecification...), in the canonical form.
    pub create: Map<String, Value>,
    /// Items in DynamoDB JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Value>,
    /// True when the table held more than [`MAX_ITEMS`] items or [`MAX_TABLE_BYTES`].
    #[serde(default, skip_serializing_if = "is_false")]
    pub items_truncated: bool,
}

/// A Lambda event source mapping on a table's stream. A recreated table's stream has a new ARN,
/// so the mapping names the table; [`Replay`] puts the new ARN in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSourceMapping {
    /// The function, with its qualifier if the mapping names a version or alias.
    pub function: String,
    pub table: String,
    /// The CreateEventSourceMapping input besides FunctionName and EventSourceArn, without the
    /// settings left at Lambda's defaults.
    pub settings: Map<String, Value>,
}

/// An SQS queue: its name and the CreateQueue attributes that differ from SQS's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    pub name: String,
    /// The bucket's region when not us-east-1 (CreateBucket's LocationConstraint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<Object>,
    /// True when objects were left out for the caps.
    #[serde(default, skip_serializing_if = "is_false")]
    pub objects_truncated: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Object {
    pub key: String,
    /// The body when it is UTF-8...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// ...or else base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// An SNS topic: its name and the attributes CreateTopic accepts that were set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

fn default_memory() -> i64 {
    DEFAULT_MEMORY
}
fn default_timeout() -> i64 {
    DEFAULT_TIMEOUT
}
fn is_default_memory(v: &i64) -> bool {
    *v == DEFAULT_MEMORY
}
fn is_default_timeout(v: &i64) -> bool {
    *v == DEFAULT_TIMEOUT
}
fn is_false(v: &bool) -> bool {
    !v
}

/// Where a definition is read from: a host's way to make read-only API calls (they may wait for
/// earlier commits, hence async) and to read a function's unzipped code.
pub trait Source {
    fn call(
        &self,
        service: &str,
        operation: &str,
        input: Value,
    ) -> impl Future<Output = Result<Value, ServiceError>>;

    fn function_code(&self, function_name: &str) -> Option<BTreeMap<String, Vec<u8>>>;
}

/// An emulator read directly, as one caller.
struct EmulatorSource<'a> {
    emulator: std::cell::RefCell<&'a mut Emulator>,
    caller: &'a Caller,
}

impl Source for EmulatorSource<'_> {
    fn call(
        &self,
        service: &str,
        operation: &str,
        input: Value,
    ) -> impl Future<Output = Result<Value, ServiceError>> {
        let outcome = self
            .emulator
            .borrow_mut()
            .call(self.caller, service, operation, input);
        std::future::ready(outcome.result)
    }

    fn function_code(&self, function_name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
        self.emulator
            .borrow()
            .function_code(&self.caller.scope(), function_name)
    }
}

/// The definition of what `caller`'s account and region hold in `emulator`. Only read-only
/// operations are called, so nothing needs committing.
pub fn export(emulator: &mut Emulator, caller: &Caller) -> Result<Definition, ServiceError> {
    let source = EmulatorSource {
        emulator: std::cell::RefCell::new(emulator),
        caller,
    };
    let mut future = pin!(export_from(&source));
    // Every call above is answered at once, so one poll completes the export.
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(result) => result,
        Poll::Pending => unreachable!("EmulatorSource answers synchronously"),
    }
}

/// The definition of what `source` holds (without test events, which the host adds).
pub async fn export_from(source: &impl Source) -> Result<Definition, ServiceError> {
    Ok(Definition {
        nimbus: VERSION,
        functions: export_functions(source).await?,
        tables: export_tables(source).await?,
        queues: export_queues(source).await?,
        buckets: export_buckets(source).await?,
        topics: export_topics(source).await?,
        event_source_mappings: export_event_source_mappings(source).await?,
    })
}

fn str_of<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str)
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

async fn export_functions(source: &impl Source) -> Result<Vec<Function>, ServiceError> {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut input = json!({});
        if let Some(marker) = &marker {
            input["Marker"] = json!(marker);
        }
        let page = source.call("lambda", "ListFunctions", input).await?;
        for config in page["Functions"].as_array().into_iter().flatten() {
            names.extend(str_of(config, "/FunctionName").map(str::to_string));
        }
        marker = str_of(&page, "/NextMarker").map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    let mut functions = Vec::new();
    for name in names {
        let answer = source
            .call("lambda", "GetFunction", json!({ "FunctionName": name }))
            .await?;
        let config = &answer["Configuration"];
        let number = |key: &str, default: i64| config[key].as_i64().unwrap_or(default);
        let mut files = BTreeMap::new();
        let mut binary_files = BTreeMap::new();
        for (path, bytes) in source.function_code(&name).unwrap_or_default() {
            match String::from_utf8(bytes) {
                Ok(text) => files.insert(path, text),
                Err(e) => binary_files.insert(path, general_purpose::STANDARD.encode(e.as_bytes())),
            };
        }
        functions.push(Function {
            runtime: str_of(config, "/Runtime").unwrap_or_default().to_string(),
            handler: str_of(config, "/Handler").unwrap_or_default().to_string(),
            role: str_of(config, "/Role")
                .filter(|role| *role != DEFAULT_ROLE)
                .map(str::to_string),
            memory_size: number("MemorySize", DEFAULT_MEMORY),
            timeout: number("Timeout", DEFAULT_TIMEOUT),
            description: str_of(config, "/Description")
                .unwrap_or_default()
                .to_string(),
            environment: string_map(config.pointer("/Environment/Variables")),
            reserved_concurrency: answer
                .pointer("/Concurrency/ReservedConcurrentExecutions")
                .and_then(Value::as_i64),
            architecture: str_of(config, "/Architectures/0")
                .filter(|a| *a != "x86_64")
                .map(str::to_string),
            files,
            binary_files,
            test_events: Vec::new(),
            name,
        });
    }
    Ok(functions)
}

/// The CreateTable input (besides TableName) that recreates a DescribeTable answer.
fn create_table_input(description: &Value) -> Map<String, Value> {
    let mut create = Map::new();
    for key in ["AttributeDefinitions", "KeySchema"] {
        create.insert(key.into(), description[key].clone());
    }
    let on_demand =
        str_of(description, "/BillingModeSummary/BillingMode") == Some("PAY_PER_REQUEST");
    let throughput = |value: &Value| {
        json!({
            "ReadCapacityUnits": value["ReadCapacityUnits"],
            "WriteCapacityUnits": value["WriteCapacityUnits"],
        })
    };
    if on_demand {
        create.insert("BillingMode".into(), json!("PAY_PER_REQUEST"));
    } else {
        create.insert(
            "ProvisionedThroughput".into(),
            throughput(&description["ProvisionedThroughput"]),
        );
    }
    let index = |i: &Value, provisioned: bool| {
        let mut index = json!({
            "IndexName": i["IndexName"],
            "KeySchema": i["KeySchema"],
            "Projection": i["Projection"],
        });
        if provisioned {
            index["ProvisionedThroughput"] = throughput(&i["ProvisionedThroughput"]);
        }
        index
    };
    if let Some(lsis) = description["LocalSecondaryIndexes"].as_array() {
        let lsis = lsis.iter().map(|i| index(i, false)).collect();
        create.insert("LocalSecondaryIndexes".into(), Value::Array(lsis));
    }
    if let Some(gsis) = description["GlobalSecondaryIndexes"].as_array() {
        let gsis = gsis.iter().map(|i| index(i, !on_demand)).collect();
        create.insert("GlobalSecondaryIndexes".into(), Value::Array(gsis));
    }
    if description["StreamSpecification"].is_object() {
        create.insert(
            "StreamSpecification".into(),
            description["StreamSpecification"].clone(),
        );
    }
    if let Some(class) = str_of(description, "/TableClassSummary/TableClass") {
        create.insert("TableClass".into(), json!(class));
    }
    create
}

async fn export_tables(source: &impl Source) -> Result<Vec<Table>, ServiceError> {
    let mut names = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let mut input = json!({});
        if let Some(start) = &start {
            input["ExclusiveStartTableName"] = json!(start);
        }
        let page = source.call("dynamodb", "ListTables", input).await?;
        for name in page["TableNames"].as_array().into_iter().flatten() {
            names.extend(name.as_str().map(str::to_string));
        }
        start = str_of(&page, "/LastEvaluatedTableName").map(str::to_string);
        if start.is_none() {
            break;
        }
    }
    let mut tables = Vec::new();
    for name in names {
        let described = source
            .call("dynamodb", "DescribeTable", json!({ "TableName": name }))
            .await?;
        // One page of at most MAX_ITEMS + 1 items tells whether there were more.
        let scanned = source
            .call(
                "dynamodb",
                "Scan",
                json!({ "TableName": name, "Limit": MAX_ITEMS + 1 }),
            )
            .await?;
        let all = scanned["Items"].as_array().cloned().unwrap_or_default();
        let mut items = Vec::new();
        let mut bytes = 0;
        let mut truncated = all.len() > MAX_ITEMS || scanned.get("LastEvaluatedKey").is_some();
        for item in all.into_iter().take(MAX_ITEMS) {
            bytes += item.to_string().len();
            if bytes > MAX_TABLE_BYTES {
                truncated = true;
                break;
            }
            items.push(item);
        }
        tables.push(Table {
            create: create_table_input(&described["Table"]),
            name,
            items,
            items_truncated: truncated,
        });
    }
    Ok(tables)
}

/// CreateQueue's settable attributes with SQS's defaults (the FIFO ones apply to FIFO queues).
const QUEUE_DEFAULTS: &[(&str, &str)] = &[
    ("DelaySeconds", "0"),
    ("MaximumMessageSize", "1048576"),
    ("MessageRetentionPeriod", "345600"),
    ("ReceiveMessageWaitTimeSeconds", "0"),
    ("VisibilityTimeout", "30"),
    ("KmsDataKeyReusePeriodSeconds", "300"),
    ("SqsManagedSseEnabled", "true"),
    ("ContentBasedDeduplication", "false"),
    ("DeduplicationScope", "queue"),
    ("FifoThroughputLimit", "perQueue"),
    ("FifoQueue", ""),
    ("Policy", ""),
    ("RedrivePolicy", ""),
    ("RedriveAllowPolicy", ""),
    ("KmsMasterKeyId", ""),
];

async fn export_queues(source: &impl Source) -> Result<Vec<Queue>, ServiceError> {
    let listed = source.call("sqs", "ListQueues", json!({})).await?;
    let mut queues = Vec::new();
    for url in listed["QueueUrls"].as_array().into_iter().flatten() {
        let Some(url) = url.as_str() else { continue };
        let name = url.rsplit('/').next().unwrap_or(url).to_string();
        let answer = source
            .call(
                "sqs",
                "GetQueueAttributes",
                json!({ "QueueUrl": url, "AttributeNames": ["All"] }),
            )
            .await?;
        let attributes = string_map(answer.get("Attributes"))
            .into_iter()
            .filter(|(attr, value)| {
                QUEUE_DEFAULTS
                    .iter()
                    .any(|(known, default)| known == attr && default != value)
            })
            .collect();
        queues.push(Queue { name, attributes });
    }
    Ok(queues)
}

async fn export_buckets(source: &impl Source) -> Result<Vec<Bucket>, ServiceError> {
    let listed = source.call("s3", "ListBuckets", json!({})).await?;
    let mut buckets = Vec::new();
    for entry in listed["Buckets"].as_array().into_iter().flatten() {
        let Some(name) = str_of(entry, "/Name") else {
            continue;
        };
        let page = source
            .call(
                "s3",
                "ListObjectsV2",
                json!({ "Bucket": name, "MaxKeys": MAX_OBJECTS + 1 }),
            )
            .await?;
        let contents = page["Contents"].as_array().cloned().unwrap_or_default();
        let mut truncated = contents.len() > MAX_OBJECTS || page["IsTruncated"] == json!(true);
        let mut objects = Vec::new();
        let mut bytes = 0;
        for listed in contents.iter().take(MAX_OBJECTS) {
            let key = str_of(listed, "/Key").unwrap_or_default();
            let size = listed["Size"].as_u64().unwrap_or(0) as usize;
            if size > MAX_OBJECT_BYTES || bytes + size > MAX_BUCKET_BYTES {
                truncated = true;
                continue;
            }
            bytes += size;
            let got = source
                .call("s3", "GetObject", json!({ "Bucket": name, "Key": key }))
                .await?;
            let body = general_purpose::STANDARD
                .decode(str_of(&got, "/Body").unwrap_or_default())
                .unwrap_or_default();
            let (text, base64) = match String::from_utf8(body) {
                Ok(text) => (Some(text), None),
                Err(e) => (None, Some(general_purpose::STANDARD.encode(e.as_bytes()))),
            };
            objects.push(Object {
                key: key.to_string(),
                text,
                base64,
                content_type: str_of(&got, "/ContentType")
                    .filter(|t| *t != DEFAULT_CONTENT_TYPE)
                    .map(str::to_string),
            });
        }
        buckets.push(Bucket {
            name: name.to_string(),
            region: str_of(entry, "/BucketRegion")
                .filter(|r| *r != "us-east-1")
                .map(str::to_string),
            objects,
            objects_truncated: truncated,
        });
    }
    Ok(buckets)
}

/// The topic attributes CreateTopic accepts; Policy is left out, as it names the account.
const TOPIC_ATTRIBUTES: &[&str] = &[
    "DisplayName",
    "DeliveryPolicy",
    "FifoTopic",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
    "ArchivePolicy",
    "DataProtectionPolicy",
];

async fn export_topics(source: &impl Source) -> Result<Vec<Topic>, ServiceError> {
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({});
        if let Some(token) = &token {
            input["NextToken"] = json!(token);
        }
        let page = source.call("sns", "ListTopics", input).await?;
        for topic in page["Topics"].as_array().into_iter().flatten() {
            arns.extend(str_of(topic, "/TopicArn").map(str::to_string));
        }
        token = str_of(&page, "/NextToken").map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut topics = Vec::new();
    for arn in arns {
        let answer = source
            .call("sns", "GetTopicAttributes", json!({ "TopicArn": arn }))
            .await?;
        let attributes = string_map(answer.get("Attributes"))
            .into_iter()
            .filter(|(attr, value)| TOPIC_ATTRIBUTES.contains(&attr.as_str()) && !value.is_empty())
            .collect();
        let name = arn.rsplit(':').next().unwrap_or(&arn).to_string();
        topics.push(Topic { name, attributes });
    }
    Ok(topics)
}

/// Lambda's defaults for a stream mapping's settings, which an export leaves out.
const MAPPING_DEFAULTS: &[(&str, &str)] = &[
    ("BatchSize", "100"),
    ("MaximumBatchingWindowInSeconds", "0"),
    ("ParallelizationFactor", "1"),
    ("MaximumRecordAgeInSeconds", "-1"),
    ("MaximumRetryAttempts", "-1"),
    ("BisectBatchOnFunctionError", "false"),
    ("TumblingWindowInSeconds", "0"),
    ("FunctionResponseTypes", "[]"),
    ("DestinationConfig", r#"{"OnFailure":{}}"#),
];

/// The mappings that read a DynamoDB table's stream (the sources a definition can recreate).
async fn export_event_source_mappings(
    source: &impl Source,
) -> Result<Vec<EventSourceMapping>, ServiceError> {
    let mut mappings = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut input = json!({});
        if let Some(marker) = &marker {
            input["Marker"] = json!(marker);
        }
        let page = source
            .call("lambda", "ListEventSourceMappings", input)
            .await?;
        for config in page["EventSourceMappings"].as_array().into_iter().flatten() {
            mappings.extend(mapping_of(config));
        }
        marker = str_of(&page, "/NextMarker").map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    // Listed by UUID, which a recreation changes: sorted, the same playground exports the same.
    mappings.sort_by(|a, b| (&a.table, &a.function).cmp(&(&b.table, &b.function)));
    Ok(mappings)
}

/// A mapping from its configuration, if it reads a table's stream
/// (`arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`).
fn mapping_of(config: &Value) -> Option<EventSourceMapping> {
    let table = StreamArn::parse(str_of(config, "/EventSourceArn")?)?.table;
    let function = str_of(config, "/FunctionArn")?.split_once(":function:")?.1;
    let mut settings = Map::new();
    for key in [
        "StartingPosition",
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "ParallelizationFactor",
        "FilterCriteria",
        "MaximumRecordAgeInSeconds",
        "MaximumRetryAttempts",
        "BisectBatchOnFunctionError",
        "TumblingWindowInSeconds",
        "FunctionResponseTypes",
        "DestinationConfig",
    ] {
        let Some(value) = config.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        let default = MAPPING_DEFAULTS.iter().find(|(k, _)| *k == key);
        if default
            .is_some_and(|(_, d)| serde_json::from_str::<Value>(d).ok().as_ref() == Some(value))
        {
            continue;
        }
        settings.insert(key.into(), value.clone());
    }
    if str_of(config, "/State") == Some("Disabled") {
        settings.insert("Enabled".into(), json!(false));
    }
    Some(EventSourceMapping {
        function: function.to_string(),
        table: table.to_string(),
        settings,
    })
}

/// One API call of a recreation: service, operation and canonical input.
pub type Call = (String, String, Value);

fn call(service: &str, operation: &str, input: Value) -> Call {
    (service.to_string(), operation.to_string(), input)
}

impl Definition {
    /// The API calls that recreate this definition in an empty account and region, in an order
    /// that works: tables and their items, queues (dead-letter targets before the queues that
    /// name them), topics, buckets and objects, then functions; the event source mappings
    /// follow in [`Replay`], once their streams' ARNs are known.
    fn calls(&self) -> Vec<Call> {
        let mut calls = Vec::new();
        for table in &self.tables {
            let mut create = table.create.clone();
            create.insert("TableName".into(), json!(table.name));
            calls.push(call("dynamodb", "CreateTable", Value::Object(create)));
            for item in &table.items {
                let input = json!({ "TableName": table.name, "Item": item });
                calls.push(call("dynamodb", "PutItem", input));
            }
        }
        for queue in redrive_order(&self.queues) {
            let mut input = json!({ "QueueName": queue.name });
            if !queue.attributes.is_empty() {
                input["Attributes"] = json!(queue.attributes);
            }
            calls.push(call("sqs", "CreateQueue", input));
        }
        for topic in &self.topics {
            let mut input = json!({ "Name": topic.name });
            if !topic.attributes.is_empty() {
                input["Attributes"] = json!(topic.attributes);
            }
            calls.push(call("sns", "CreateTopic", input));
        }
        for bucket in &self.buckets {
            let mut input = json!({ "Bucket": bucket.name });
            if let Some(region) = &bucket.region {
                input["CreateBucketConfiguration"] = json!({ "LocationConstraint": region });
            }
            calls.push(call("s3", "CreateBucket", input));
            for object in &bucket.objects {
                let body = match (&object.text, &object.base64) {
                    (Some(text), _) => general_purpose::STANDARD.encode(text),
                    (None, Some(base64)) => base64.clone(),
                    (None, None) => String::new(),
                };
                let mut input = json!({ "Bucket": bucket.name, "Key": object.key, "Body": body });
                if let Some(content_type) = &object.content_type {
                    input["ContentType"] = json!(content_type);
                }
                calls.push(call("s3", "PutObject", input));
            }
        }
        for function in &self.functions {
            calls.push(call("lambda", "CreateFunction", function.create_input()));
            if let Some(reserved) = function.reserved_concurrency {
                let input = json!({
                    "FunctionName": function.name,
                    "ReservedConcurrentExecutions": reserved,
                });
                calls.push(call("lambda", "PutFunctionConcurrency", input));
            }
        }
        calls
    }

    /// Recreating this definition, call by call (see [`Replay`]).
    pub fn replay(&self) -> Replay<'_> {
        Replay {
            calls: self.calls().into_iter(),
            mappings: self.event_source_mappings.iter(),
            stream_arns: BTreeMap::new(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a definition serialises")
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a definition serialises")
    }

    /// Reads a definition, refusing other format versions and anything that is not one.
    pub fn from_json(text: &str) -> Result<Definition, String> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| format!("This is not a Nimbus definition (invalid JSON: {e})."))?;
        match value.get("nimbus").and_then(Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "This definition has format version {v}; this version of Nimbus reads version {VERSION}."
                ))
            }
            None => {
                return Err(
                    "This is not a Nimbus definition (it has no \"nimbus\" version field).".into(),
                )
            }
        }
        // From the text, not `value`: test events keep their members' order (see EventJson).
        serde_json::from_str(text).map_err(|e| format!("This Nimbus definition is damaged: {e}."))
    }

    /// The link fragment: compact JSON, raw deflate, base64url without padding.
    pub fn to_link_fragment(&self) -> String {
        let compressed = miniz_oxide::deflate::compress_to_vec(self.to_json().as_bytes(), 10);
        general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    }

    /// Reads a link fragment written by [`to_link_fragment`](Self::to_link_fragment).
    pub fn from_link_fragment(fragment: &str) -> Result<Definition, String> {
        let fragment = fragment.trim().trim_end_matches('=');
        let compressed = general_purpose::URL_SAFE_NO_PAD
            .decode(fragment)
            .map_err(|_| "This share link is damaged: it is not valid base64url.".to_string())?;
        let json =
            miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_INFLATED_BYTES)
                .map_err(|_| {
                    "This share link is damaged or incomplete: its data does not decompress."
                        .to_string()
                })?;
        let text = String::from_utf8(json)
            .map_err(|_| "This share link is damaged: its data is not text.".to_string())?;
        Definition::from_json(&text)
    }
}

/// The calls that recreate a definition, made one at a time: a host makes each call
/// [`next_call`](Replay::next_call) gives and hands its answer to
/// [`answered`](Replay::answered), since an event source mapping needs the ARN of the stream
/// its table got when it was created.
pub struct Replay<'d> {
    calls: std::vec::IntoIter<Call>,
    mappings: std::slice::Iter<'d, EventSourceMapping>,
    /// Each created table's stream, by table name.
    stream_arns: BTreeMap<String, String>,
}

impl Replay<'_> {
    pub fn next_call(&mut self) -> Option<Call> {
        if let Some(call) = self.calls.next() {
            return Some(call);
        }
        let mapping = self.mappings.next()?;
        let mut input = Value::Object(mapping.settings.clone());
        input["FunctionName"] = json!(mapping.function);
        // A table without a stream leaves the ARN empty, and Lambda's error says what is wrong.
        let stream = self.stream_arns.get(&mapping.table).cloned();
        input["EventSourceArn"] = json!(stream.unwrap_or_default());
        Some(call("lambda", "CreateEventSourceMapping", input))
    }

    pub fn answered(&mut self, call: &Call, answer: &Value) {
        if call.1 != "CreateTable" {
            return;
        }
        let table = &answer["TableDescription"];
        if let (Some(name), Some(arn)) = (
            str_of(table, "/TableName"),
            str_of(table, "/LatestStreamArn"),
        ) {
            self.stream_arns.insert(name.to_string(), arn.to_string());
        }
    }
}

impl Function {
    /// The CreateFunction input, the package zipped as the editor deploys it.
    pub fn create_input(&self) -> Value {
        let mut files: Vec<(&str, Vec<u8>)> = self
            .files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_bytes().to_vec()))
            .collect();
        for (path, base64) in &self.binary_files {
            // A damaged entry becomes an empty file rather than failing the whole import.
            let bytes = general_purpose::STANDARD.decode(base64).unwrap_or_default();
            files.push((path.as_str(), bytes));
        }
        let package = zip::write(files.iter().map(|(p, b)| (*p, b.as_slice())), true);
        let mut input = json!({
            "FunctionName": self.name,
            "Runtime": self.runtime,
            "Handler": self.handler,
            "Role": self.role.as_deref().unwrap_or(DEFAULT_ROLE),
            "MemorySize": self.memory_size,
            "Timeout": self.timeout,
            "Code": { "ZipFile": general_purpose::STANDARD.encode(package) },
        });
        if !self.description.is_empty() {
            input["Description"] = json!(self.description);
        }
        if !self.environment.is_empty() {
            input["Environment"] = json!({ "Variables": self.environment });
        }
        if let Some(architecture) = &self.architecture {
            input["Architectures"] = json!([architecture]);
        }
        input
    }
}

/// Queues ordered so a queue's dead-letter target comes before it (CreateQueue refuses a
/// RedrivePolicy whose target does not exist yet).
fn redrive_order(queues: &[Queue]) -> Vec<&Queue> {
    let target = |queue: &Queue| -> Option<String> {
        let policy: Value = serde_json::from_str(queue.attributes.get("RedrivePolicy")?).ok()?;
        let arn = policy["deadLetterTargetArn"].as_str()?;
        Some(arn.rsplit(':').next()?.to_string())
    };
    let mut ordered: Vec<&Queue> = Vec::new();
    let mut pending: Vec<&Queue> = queues.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|queue| {
            let ready = target(queue).is_none_or(|t| {
                ordered.iter().any(|q| q.name == t) || !queues.iter().any(|q| q.name == t)
            });
            if ready {
                ordered.push(queue);
            }
            !ready
        });
        if pending.len() == before {
            // A cycle cannot be created through the API; keep the rest in their order.
            ordered.append(&mut pending);
        }
    }
    ordered
}
