//! Import from and export to S3: ImportTable (with DescribeImport, ListImports) and
//! ExportTableToPointInTime (with DescribeExport, ListExports).
//!
//! AWS runs both as background jobs that answer IN_PROGRESS first. Nimbus has no background
//! and does the work within the call, so the first answer is already COMPLETED or FAILED (as
//! CreateTable answers ACTIVE); clients polling DescribeImport/DescribeExport see the same.
//!
//! ImportTable and ExportTableToPointInTime need S3's state besides DynamoDB's, so
//! `services::Services::call` routes them to [`call`] rather than the trait. They read and
//! write objects through S3's own handler, so S3's checks, records and event notifications
//! apply as for any client.
//!
//! Formats: imports read DYNAMODB_JSON (a stream of `{"Item": {...}}` objects, normally one
//! per line) and CSV (first line or HeaderList names the columns; key attributes take their
//! defined type, every other column is a String, as AWS imports CSV), uncompressed or GZIP.
//! ION and ZSTD are not implemented: such an import ends FAILED saying so. Exports write
//! DYNAMODB_JSON laid out as AWS lays it out: `<prefix>/AWSDynamoDB/<export id>/` holds
//! `_started`, `data/<file>.json.gz`, `manifest-files.json`, `manifest-summary.json` and
//! their `.md5` files; ION exports and incremental exports are refused as not implemented.
//!
//! Records: `import/<id>` and `export/<id>` hold the descriptions.

use std::collections::BTreeMap;

use base64::Engine as _;
use md5::{Digest, Md5};
use nimbus_shapes::{
    dynamodb::{
        errors::{
            EXPORT_CONFLICT_EXCEPTION, EXPORT_NOT_FOUND_EXCEPTION, IMPORT_CONFLICT_EXCEPTION,
            IMPORT_NOT_FOUND_EXCEPTION, INVALID_EXPORT_TIME_EXCEPTION,
            POINT_IN_TIME_RECOVERY_UNAVAILABLE_EXCEPTION, RESOURCE_IN_USE_EXCEPTION,
            TABLE_NOT_FOUND_EXCEPTION,
        },
        AttributeValue, CreateTableInput, DescribeExportInput, DescribeExportOutput,
        DescribeImportInput, DescribeImportOutput, DynamoDb, ExportDescription, ExportFormat,
        ExportStatus, ExportSummary, ExportTableToPointInTimeInput, ExportTableToPointInTimeOutput,
        ExportType, ImportStatus, ImportSummary, ImportTableDescription, ImportTableInput,
        ImportTableOutput, InputCompressionType, InputFormat, ListExportsInput, ListExportsOutput,
        ListImportsInput, ListImportsOutput, ScalarAttributeType, TableCreationParameters,
    },
    s3::{GetObjectRequest, ListObjectsV2Request, PutObjectRequest, S3},
    Blob, ServiceError, Timestamp,
};
use serde_json::{json, Value};

use super::{
    errors::{constraint_errors, validation},
    item_record, local_name, table,
    value::{item_size, normalise_item, Item},
    Handler, State, Tables, SERVICE,
};
use crate::{
    emulator::Ctx,
    services::{record_key, s3},
};

const MAX_PAGE: i32 = 25;

/// Imports and exports of a scope, by ARN.
#[derive(Default)]
pub(super) struct Transfers {
    imports: BTreeMap<String, ImportTableDescription>,
    exports: BTreeMap<String, ExportDescription>,
}

/// "A client token is valid for 8 hours after the first request that uses it is completed."
const CLIENT_TOKEN_MILLIS: i64 = 8 * 3600 * 1000;

fn token_live(token: Option<&String>, start: Option<Timestamp>, now: i64) -> bool {
    token.is_some() && start.is_some_and(|t| now - t.millis() < CLIENT_TOKEN_MILLIS)
}

impl Transfers {
    /// The earlier import with the request's ClientToken, while the token is valid: its
    /// description for the same request, ImportConflictException for a different one.
    fn same_import(
        &self,
        input: &ImportTableInput,
        now: i64,
    ) -> Option<Result<ImportTableDescription, ServiceError>> {
        input.client_token.as_ref()?;
        let earlier = self.imports.values().find(|d| {
            d.client_token == input.client_token
                && token_live(d.client_token.as_ref(), d.start_time, now)
        })?;
        let same = earlier.s3_bucket_source == input.s3_bucket_source
            && earlier.input_format == input.input_format
            && earlier.input_format_options == input.input_format_options
            && earlier.input_compression_type
                == Some(
                    input
                        .input_compression_type
                        .clone()
                        .unwrap_or(InputCompressionType::None),
                )
            && earlier.table_creation_parameters == input.table_creation_parameters;
        Some(if same {
            Ok(earlier.clone())
        } else {
            Err(IMPORT_CONFLICT_EXCEPTION.with_message(
                "There was a conflict when importing from the specified S3 source: a previous import used the same client token with different parameters",
            ))
        })
    }

    /// The earlier export with the request's ClientToken, while the token is valid: its
    /// description for the same request, ExportConflictException for a different one.
    fn same_export(
        &self,
        input: &ExportTableToPointInTimeInput,
        now: i64,
    ) -> Option<Result<ExportDescription, ServiceError>> {
        input.client_token.as_ref()?;
        let earlier = self.exports.values().find(|d| {
            d.client_token == input.client_token
                && token_live(d.client_token.as_ref(), d.start_time, now)
        })?;
        let same = earlier.table_arn == input.table_arn
            && earlier.s3_bucket == input.s3_bucket
            && earlier.s3_prefix == input.s3_prefix
            && input
                .export_time
                .is_none_or(|t| earlier.export_time == Some(t));
        Some(if same {
            Ok(earlier.clone())
        } else {
            Err(EXPORT_CONFLICT_EXCEPTION.with_message(
                "There was a conflict when writing to the specified S3 bucket: a previous export used the same client token with different parameters",
            ))
        })
    }
}

/// ImportTable or ExportTableToPointInTime: DynamoDB's work with S3's state at hand.
pub fn call(
    state: &mut State,
    s3: &mut s3::State,
    ctx: &mut Ctx,
    operation: &str,
    input: Value,
) -> Result<Value, ServiceError> {
    match operation {
        "ImportTable" => {
            nimbus_shapes::encode(import_table(state, s3, ctx, nimbus_shapes::decode(input)?)?)
        }
        "ExportTableToPointInTime" => {
            nimbus_shapes::encode(export_table(state, s3, ctx, nimbus_shapes::decode(input)?)?)
        }
        other => Err(ServiceError::unknown_operation(
            &nimbus_shapes::dynamodb::MODEL,
            other,
        )),
    }
}

/// `<14-digit millis>-<8 hex>`, the id form of AWS's import and export ARNs.
fn job_id(ctx: &mut Ctx) -> String {
    let suffix = ctx.ids.token(b"0123456789abcdef", 8);
    format!("{:014}-{suffix}", ctx.now_millis)
}

/// What went wrong with S3, as an import or export reports it: FailureCode and message.
fn s3_failure(error: &ServiceError) -> (String, String) {
    let code = match error.code.as_str() {
        "NoSuchBucket" => "S3NoSuchBucket",
        "AccessDenied" => "S3AccessDenied",
        _ => "UNKNOWN",
    };
    (
        code.to_string(),
        format!(
            "{} (Service: Amazon S3; Status Code: {}; Error Code: {})",
            error.message, error.status, error.code
        ),
    )
}

fn null_member(member: &str) -> String {
    format!("Value null at '{member}' failed to satisfy constraint: Member must not be null")
}

// ---------------------------------------------------------------------------------------
// Import

fn import_table(
    state: &mut State,
    s3: &mut s3::State,
    ctx: &mut Ctx,
    input: ImportTableInput,
) -> Result<ImportTableOutput, ServiceError> {
    let mut errors = Vec::new();
    let bucket = input
        .s3_bucket_source
        .as_ref()
        .and_then(|s| s.s3_bucket.clone());
    if input.s3_bucket_source.is_none() {
        errors.push(null_member("s3BucketSource"));
    } else if bucket.is_none() {
        errors.push(null_member("s3BucketSource.s3Bucket"));
    }
    match &input.input_format {
        None => errors.push(null_member("inputFormat")),
        Some(InputFormat::Unknown(v)) => errors.push(super::enum_error(
            "inputFormat",
            v,
            "DYNAMODB_JSON, ION, CSV",
        )),
        _ => {}
    }
    if let Some(InputCompressionType::Unknown(v)) = &input.input_compression_type {
        errors.push(super::enum_error(
            "inputCompressionType",
            v,
            "GZIP, ZSTD, NONE",
        ));
    }
    let Some(params) = input.table_creation_parameters.clone() else {
        errors.push(null_member("tableCreationParameters"));
        return Err(constraint_errors(&errors));
    };
    if !errors.is_empty() {
        return Err(constraint_errors(&errors));
    }
    let scope = ctx.scope();
    if let Some(earlier) = state
        .tables(&scope)
        .transfers
        .same_import(&input, ctx.now_millis)
    {
        return earlier.map(|description| ImportTableOutput {
            import_table_description: Some(description),
        });
    }
    let create = create_input(&params);
    // The table's parameters get CreateTable's checks before anything is read.
    table::validate_create(&create)?;
    let name = params.table_name.clone().unwrap_or_default();
    if state.tables(&scope).tables.contains_key(&name) {
        return Err(RESOURCE_IN_USE_EXCEPTION.with_message(format!("Table already exists: {name}")));
    }
    let id = job_id(ctx);
    let table_arn = format!(
        "arn:aws:dynamodb:{}:{}:table/{name}",
        scope.region, scope.account_id
    );
    let mut description = ImportTableDescription {
        import_arn: Some(format!("{table_arn}/import/{id}")),
        import_status: Some(ImportStatus::InProgress),
        table_arn: Some(table_arn),
        client_token: input.client_token.clone(),
        s3_bucket_source: input.s3_bucket_source.clone(),
        error_count: Some(0),
        cloud_watch_log_group_arn: Some(format!(
            "arn:aws:logs:{}:{}:log-group:/aws-dynamodb/imports:*",
            scope.region, scope.account_id
        )),
        input_format: input.input_format.clone(),
        input_format_options: input.input_format_options.clone(),
        input_compression_type: Some(
            input
                .input_compression_type
                .clone()
                .unwrap_or(InputCompressionType::None),
        ),
        table_creation_parameters: Some(params.clone()),
        start_time: Some(Timestamp::from_millis(ctx.now_millis)),
        end_time: Some(Timestamp::from_millis(ctx.now_millis)),
        processed_size_bytes: Some(0),
        processed_item_count: Some(0),
        imported_item_count: Some(0),
        ..Default::default()
    };
    let source = input.s3_bucket_source.clone().unwrap_or_default();
    match read_source(s3, ctx, &source, &input) {
        Err((code, message)) => {
            // Nothing was readable: AWS creates no table.
            description.import_status = Some(ImportStatus::Failed);
            description.failure_code = Some(code);
            description.failure_message = Some(message);
        }
        Ok(files) => {
            let mut handler = Handler { state, ctx };
            handler.create_table(create)?;
            let tally = handler.load_items(&name, &files, &input, &params);
            description.table_id = handler
                .scope_tables()
                .tables
                .get(&name)
                .map(|t| t.def.table_id.clone());
            description.processed_size_bytes = Some(tally.bytes as i64);
            description.processed_item_count = Some(tally.processed);
            description.imported_item_count = Some(tally.imported);
            description.error_count = Some(tally.errors);
            if let Some(message) = tally.failure {
                description.import_status = Some(ImportStatus::Failed);
                description.failure_code = Some("UNKNOWN".into());
                description.failure_message = Some(message);
            } else if tally.errors > 0 {
                // AWS keeps the valid items and ends the import FAILED.
                description.import_status = Some(ImportStatus::Failed);
                description.failure_code = Some("ItemValidationError".into());
                description.failure_message = Some("Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more details.".into());
            } else {
                description.import_status = Some(ImportStatus::Completed);
            }
        }
    }
    let arn = description.import_arn.clone().unwrap_or_default();
    ctx.persist(record_key(SERVICE, &scope, &["import", &id]), &description);
    state
        .tables(&scope)
        .transfers
        .imports
        .insert(arn, description.clone());
    // The import is done (or failed) at once; the answer shows it as AWS answers it, just
    // begun, and DescribeImport then tells how it ended.
    Ok(ImportTableOutput {
        import_table_description: Some(ImportTableDescription {
            import_status: Some(ImportStatus::InProgress),
            end_time: None,
            failure_code: None,
            failure_message: None,
            processed_size_bytes: Some(0),
            processed_item_count: Some(0),
            imported_item_count: Some(0),
            error_count: Some(0),
            ..description
        }),
    })
}

fn create_input(params: &TableCreationParameters) -> CreateTableInput {
    CreateTableInput {
        table_name: params.table_name.clone(),
        attribute_definitions: params.attribute_definitions.clone(),
        key_schema: params.key_schema.clone(),
        billing_mode: params.billing_mode.clone(),
        provisioned_throughput: params.provisioned_throughput.clone(),
        on_demand_throughput: params.on_demand_throughput.clone(),
        sse_specification: params.sse_specification.clone(),
        global_secondary_indexes: params.global_secondary_indexes.clone(),
        ..Default::default()
    }
}

/// The source objects under the key prefix, in key order, decompressed.
fn read_source(
    s3: &mut s3::State,
    ctx: &mut Ctx,
    source: &nimbus_shapes::dynamodb::S3BucketSource,
    input: &ImportTableInput,
) -> Result<Vec<Vec<u8>>, (String, String)> {
    if input.input_format == Some(InputFormat::Ion) {
        return Err((
            "UNKNOWN".into(),
            "ION input is not implemented by Nimbus; use DYNAMODB_JSON or CSV".into(),
        ));
    }
    if input.input_compression_type == Some(InputCompressionType::Zstd) {
        return Err((
            "UNKNOWN".into(),
            "ZSTD compression is not implemented by Nimbus; use GZIP or NONE".into(),
        ));
    }
    let gzip = input.input_compression_type == Some(InputCompressionType::Gzip);
    let mut s3 = s3::Handler { state: s3, ctx };
    let bucket = source.s3_bucket.clone();
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let page = s3
            .list_objects_v2(ListObjectsV2Request {
                bucket: bucket.clone(),
                prefix: source.s3_key_prefix.clone(),
                continuation_token: token,
                ..Default::default()
            })
            .map_err(|e| s3_failure(&e))?;
        keys.extend(
            page.contents
                .unwrap_or_default()
                .into_iter()
                .filter_map(|o| o.key),
        );
        token = page.next_continuation_token;
        if token.is_none() {
            break;
        }
    }
    let mut files = Vec::new();
    for key in keys {
        let object = s3
            .get_object(GetObjectRequest {
                bucket: bucket.clone(),
                key: Some(key.clone()),
                ..Default::default()
            })
            .map_err(|e| s3_failure(&e))?;
        let body = object.body.map(|b| b.0).unwrap_or_default();
        let body = if gzip {
            gunzip(&body).ok_or_else(|| {
                (
                    "UNKNOWN".to_string(),
                    format!("The file {key} is not a valid GZIP file"),
                )
            })?
        } else {
            body
        };
        files.push(body);
    }
    Ok(files)
}

/// What an import read.
#[derive(Default)]
struct Tally {
    bytes: usize,
    processed: i64,
    imported: i64,
    errors: i64,
    /// A failure of the whole import (not of single items).
    failure: Option<String>,
}

impl Handler<'_, '_> {
    /// Writes the source's valid items into the new table `name` (no capacity is consumed and
    /// no stream record written: the table is new and being filled, as in AWS).
    fn load_items(
        &mut self,
        name: &str,
        files: &[Vec<u8>],
        input: &ImportTableInput,
        params: &TableCreationParameters,
    ) -> Tally {
        let mut tally = Tally::default();
        let mut items = Vec::new();
        for file in files {
            tally.bytes += file.len();
            let parsed = match input.input_format {
                Some(InputFormat::Csv) => csv_items(file, input, params),
                _ => json_items(file),
            };
            for item in parsed {
                tally.processed += 1;
                match item {
                    Some(item) => items.push(item),
                    None => tally.errors += 1,
                }
            }
        }
        let scope = self.ctx.scope();
        let table = self
            .scope_tables()
            .tables
            .get_mut(name)
            .expect("created above");
        let mut records = Vec::new();
        for item in items {
            let valid = normalise_item(&item)
                .ok()
                .filter(|i| table.schema.check_item(i).is_ok() && item_size(i) <= 400 * 1024);
            let Some(item) = valid else {
                tally.errors += 1;
                continue;
            };
            let key = table.schema.encode(&item);
            // A later item with the same key replaces the earlier one, as in AWS.
            if table.insert(key.clone(), item.clone()).is_none() {
                tally.imported += 1;
            }
            records.push((item_record(&scope, name, &key), item));
        }
        for (record, item) in records {
            self.ctx.persist(record, &item);
        }
        tally
    }
}

/// DYNAMODB_JSON: a stream of `{"Item": {...}}` objects (one per line, or run together).
/// `None` stands for an entry that is not an item; a syntax error ends the file.
fn json_items(file: &[u8]) -> Vec<Option<Item>> {
    let mut items = Vec::new();
    for value in serde_json::Deserializer::from_slice(file).into_iter::<Value>() {
        match value {
            Ok(Value::Object(mut object)) if object.len() == 1 && object.contains_key("Item") => {
                let item = object.remove("Item").expect("checked");
                items.push(serde_json::from_value::<Item>(item).ok());
            }
            Ok(_) => items.push(None),
            Err(_) => {
                items.push(None);
                break;
            }
        }
    }
    items
}

/// CSV: the header (HeaderList, or the first line) names the columns; key attributes take
/// their defined type, others are Strings; empty cells are left out.
fn csv_items(
    file: &[u8],
    input: &ImportTableInput,
    params: &TableCreationParameters,
) -> Vec<Option<Item>> {
    let options = input
        .input_format_options
        .as_ref()
        .and_then(|o| o.csv.clone())
        .unwrap_or_default();
    let delimiter = options
        .delimiter
        .as_deref()
        .and_then(|d| d.chars().next())
        .unwrap_or(',');
    let text = String::from_utf8_lossy(file);
    let mut rows = csv_rows(&text, delimiter).into_iter();
    let header = match options.header_list {
        Some(list) => list,
        None => match rows.next() {
            Some(row) => row,
            None => return Vec::new(),
        },
    };
    let types: BTreeMap<String, ScalarAttributeType> = params
        .attribute_definitions
        .iter()
        .flatten()
        .filter_map(|d| Some((d.attribute_name.clone()?, d.attribute_type.clone()?)))
        .collect();
    rows.map(|row| {
        if row.len() > header.len() {
            return None;
        }
        let mut item = Item::new();
        for (name, cell) in header.iter().zip(row) {
            if cell.is_empty() {
                continue;
            }
            let value = match types.get(name) {
                Some(ScalarAttributeType::N) => AttributeValue {
                    n: Some(cell),
                    ..Default::default()
                },
                Some(ScalarAttributeType::B) => AttributeValue {
                    b: Some(Blob(
                        base64::engine::general_purpose::STANDARD
                            .decode(cell)
                            .ok()?,
                    )),
                    ..Default::default()
                },
                _ => AttributeValue {
                    s: Some(cell),
                    ..Default::default()
                },
            };
            item.insert(name.clone(), value);
        }
        Some(item)
    })
    .collect()
}

/// RFC 4180 rows: quoted cells may hold the delimiter, newlines and doubled quotes.
fn csv_rows(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if cell.is_empty() => quoted = true,
            c if c == delimiter && !quoted => row.push(std::mem::take(&mut cell)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            c => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

// ---------------------------------------------------------------------------------------
// Export

fn export_table(
    state: &mut State,
    s3: &mut s3::State,
    ctx: &mut Ctx,
    input: ExportTableToPointInTimeInput,
) -> Result<ExportTableToPointInTimeOutput, ServiceError> {
    let mut errors = Vec::new();
    if input.table_arn.is_none() {
        errors.push(null_member("tableArn"));
    }
    if input.s3_bucket.is_none() {
        errors.push(null_member("s3Bucket"));
    }
    if let Some(ExportFormat::Unknown(v)) = &input.export_format {
        errors.push(super::enum_error("exportFormat", v, "DYNAMODB_JSON, ION"));
    }
    if let Some(ExportType::Unknown(v)) = &input.export_type {
        errors.push(super::enum_error(
            "exportType",
            v,
            "FULL_EXPORT, INCREMENTAL_EXPORT",
        ));
    }
    if !errors.is_empty() {
        return Err(constraint_errors(&errors));
    }
    let table_arn = input.table_arn.clone().unwrap_or_default();
    if input.export_format == Some(ExportFormat::Ion)
        || input.export_type == Some(ExportType::IncrementalExport)
    {
        return Err(validation(
            "Nimbus implements only FULL_EXPORT in DYNAMODB_JSON format",
        ));
    }
    let scope = ctx.scope();
    let now = ctx.now_millis;
    if let Some(earlier) = state.tables(&scope).transfers.same_export(&input, now) {
        return earlier.map(|description| ExportTableToPointInTimeOutput {
            export_description: Some(description),
        });
    }
    let mut handler = Handler { state, ctx };
    let name = local_name(&scope, &table_arn)
        .filter(|_| table_arn.starts_with("arn:"))
        .filter(|n| handler.scope_tables().tables.contains_key(n))
        .ok_or_else(|| {
            TABLE_NOT_FOUND_EXCEPTION.with_message(format!("Table not found: {table_arn}"))
        })?;
    let table_id = handler.scope_tables().tables[&name].def.table_id.clone();
    let Some((earliest, latest)) = handler.pitr_window(&table_id, now) else {
        return Err(
            POINT_IN_TIME_RECOVERY_UNAVAILABLE_EXCEPTION.with_message(format!(
                "Point in time recovery is not enabled for table '{name}'"
            )),
        );
    };
    // ExportTime must lie in the point-in-time recovery window; the export holds the items
    // as they were then.
    let export_time = match input.export_time {
        Some(at) if !(earliest..=latest).contains(&at.millis()) => {
            return Err(INVALID_EXPORT_TIME_EXCEPTION
                .with_message("ExportTime must be within the point in time recovery window"))
        }
        Some(at) => at.millis(),
        None => now,
    };
    let items = handler.items_at(&name, export_time);
    let size = items.iter().map(item_size).sum::<usize>() as i64;
    let table = &handler.scope_tables().tables[&name];
    let full_arn = table.def.arn.clone();
    let id = job_id(handler.ctx);
    let prefix = input.s3_prefix.clone().unwrap_or_default();
    let base = if prefix.is_empty() {
        format!("AWSDynamoDB/{id}")
    } else {
        format!("{}/AWSDynamoDB/{id}", prefix.trim_end_matches('/'))
    };
    let export_arn = format!("{full_arn}/export/{id}");
    let mut description = ExportDescription {
        export_arn: Some(export_arn.clone()),
        export_status: Some(ExportStatus::Completed),
        start_time: Some(Timestamp::from_millis(now)),
        end_time: Some(Timestamp::from_millis(now)),
        export_manifest: Some(format!("{base}/manifest-summary.json")),
        table_arn: Some(full_arn.clone()),
        table_id: Some(table_id.clone()),
        export_time: Some(Timestamp::from_millis(export_time)),
        client_token: input.client_token.clone(),
        s3_bucket: input.s3_bucket.clone(),
        s3_bucket_owner: Some(
            input
                .s3_bucket_owner
                .clone()
                .unwrap_or_else(|| scope.account_id.clone()),
        ),
        s3_prefix: input.s3_prefix.clone(),
        s3_sse_algorithm: Some(
            input
                .s3_sse_algorithm
                .clone()
                .unwrap_or(nimbus_shapes::dynamodb::S3SseAlgorithm::Aes256),
        ),
        s3_sse_kms_key_id: input.s3_sse_kms_key_id.clone(),
        export_format: Some(ExportFormat::DynamodbJson),
        billed_size_bytes: Some(size),
        item_count: Some(items.len() as i64),
        export_type: Some(ExportType::FullExport),
        ..Default::default()
    };
    let files = export_files(&base, &id, &description, &items);
    let mut s3 = s3::Handler {
        state: s3,
        ctx: handler.ctx,
    };
    for (key, body) in files {
        let put = s3.put_object(PutObjectRequest {
            bucket: input.s3_bucket.clone(),
            key: Some(key),
            body: Some(Blob(body)),
            ..Default::default()
        });
        if let Err(error) = put {
            // AWS reports the failure on the export, whose call itself succeeded.
            let (code, message) = s3_failure(&error);
            description.export_status = Some(ExportStatus::Failed);
            description.failure_code = Some(code);
            description.failure_message = Some(message);
            description.export_manifest = None;
            description.billed_size_bytes = Some(0);
            description.item_count = Some(0);
            break;
        }
    }
    let ctx = s3.ctx;
    ctx.persist(record_key(SERVICE, &scope, &["export", &id]), &description);
    state
        .tables(&scope)
        .transfers
        .exports
        .insert(export_arn, description.clone());
    // As with imports: answered just begun; DescribeExport tells how it ended.
    Ok(ExportTableToPointInTimeOutput {
        export_description: Some(ExportDescription {
            export_status: Some(ExportStatus::InProgress),
            end_time: None,
            export_manifest: None,
            billed_size_bytes: None,
            item_count: None,
            failure_code: None,
            failure_message: None,
            ..description
        }),
    })
}

/// The objects of a DYNAMODB_JSON export, keys under `base`: `_started`, one gzipped data
/// file (JSON lines of `{"Item": ...}`; empty for an empty table), the files manifest, the
/// summary manifest and their MD5 files.
fn export_files(
    base: &str,
    id: &str,
    description: &ExportDescription,
    items: &[Item],
) -> Vec<(String, Vec<u8>)> {
    let mut lines = String::new();
    for item in items {
        lines.push_str(&json!({ "Item": item }).to_string());
        lines.push('\n');
    }
    let data = gzip(lines.as_bytes());
    let data_key = format!("{base}/data/{}.json.gz", id.replace('-', ""));
    let md5 = Md5::digest(&data);
    let files_manifest = format!(
        "{}\n",
        json!({
            "itemCount": items.len(),
            "md5Checksum": base64::engine::general_purpose::STANDARD.encode(md5),
            "etag": hex::encode(md5),
            "dataFileS3Key": data_key,
        })
    );
    let iso = |t: Option<Timestamp>| iso8601(t.map(Timestamp::millis).unwrap_or_default());
    let summary = json!({
        "version": "2020-06-30",
        "exportArn": description.export_arn,
        "startTime": iso(description.start_time),
        "endTime": iso(description.end_time),
        "tableArn": description.table_arn,
        "tableId": description.table_id,
        "exportTime": iso(description.export_time),
        "s3Bucket": description.s3_bucket,
        "s3Prefix": description.s3_prefix,
        "s3SseAlgorithm": description.s3_sse_algorithm.as_ref().map(|a| a.as_str().to_string()),
        "s3SseKmsKeyId": description.s3_sse_kms_key_id,
        "manifestFilesS3Key": format!("{base}/manifest-files.json"),
        "billedSizeBytes": description.billed_size_bytes,
        "itemCount": items.len(),
        "outputFormat": "DYNAMODB_JSON",
    })
    .to_string();
    let md5_hex = |bytes: &[u8]| hex::encode(Md5::digest(bytes)).into_bytes();
    vec![
        (format!("{base}/_started"), Vec::new()),
        (data_key, data),
        (
            format!("{base}/manifest-files.md5"),
            md5_hex(files_manifest.as_bytes()),
        ),
        (
            format!("{base}/manifest-files.json"),
            files_manifest.into_bytes(),
        ),
        (
            format!("{base}/manifest-summary.md5"),
            md5_hex(summary.as_bytes()),
        ),
        (
            format!("{base}/manifest-summary.json"),
            summary.into_bytes(),
        ),
    ]
}

/// `2020-11-04T07:28:34.028Z`, the manifests' time format.
fn iso8601(millis: i64) -> String {
    format!("{}Z", crate::clock::Civil::from_millis(millis).iso8601())
}

// ---------------------------------------------------------------------------------------
// gzip (RFC 1952) over raw deflate

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

/// The content of a gzip file (its first member), checked against its CRC.
fn gunzip(data: &[u8]) -> Option<Vec<u8>> {
    if data.len() < 18 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return None;
    }
    let flags = data[3];
    let mut at = 10;
    if flags & 4 != 0 {
        let extra = usize::from(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?]));
        at += 2 + extra;
    }
    for flag in [8, 16] {
        if flags & flag != 0 {
            at += data.get(at..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    let trailer = data.len() - 8;
    let body = miniz_oxide::inflate::decompress_to_vec(data.get(at..trailer)?).ok()?;
    let crc = u32::from_le_bytes(data[trailer..trailer + 4].try_into().ok()?);
    (crc == crc32(&body)).then_some(body)
}

// ---------------------------------------------------------------------------------------
// Describe and list

impl Handler<'_, '_> {
    pub(super) fn run_describe_import(
        &mut self,
        input: DescribeImportInput,
    ) -> Result<DescribeImportOutput, ServiceError> {
        let Some(arn) = input.import_arn else {
            return Err(constraint_errors(&[null_member("importArn")]));
        };
        let description = self
            .scope_tables()
            .transfers
            .imports
            .get(&arn)
            .cloned()
            .ok_or_else(|| {
                IMPORT_NOT_FOUND_EXCEPTION.with_message(format!("Import not found: {arn}"))
            })?;
        Ok(DescribeImportOutput {
            import_table_description: Some(description),
        })
    }

    pub(super) fn run_describe_export(
        &mut self,
        input: DescribeExportInput,
    ) -> Result<DescribeExportOutput, ServiceError> {
        let Some(arn) = input.export_arn else {
            return Err(constraint_errors(&[null_member("exportArn")]));
        };
        let description = self
            .scope_tables()
            .transfers
            .exports
            .get(&arn)
            .cloned()
            .ok_or_else(|| {
                EXPORT_NOT_FOUND_EXCEPTION.with_message(format!("Export not found: {arn}"))
            })?;
        Ok(DescribeExportOutput {
            export_description: Some(description),
        })
    }

    pub(super) fn run_list_imports(
        &mut self,
        input: ListImportsInput,
    ) -> Result<ListImportsOutput, ServiceError> {
        let size = page_size(input.page_size, "pageSize")?;
        let imports = &self.scope_tables().transfers.imports;
        let (page, next_token) = page_of(
            imports
                .iter()
                .filter(|(_, d)| input.table_arn.is_none() || d.table_arn == input.table_arn),
            input.next_token.as_deref(),
            size,
        );
        Ok(ListImportsOutput {
            import_summary_list: Some(
                page.into_iter()
                    .map(|d| ImportSummary {
                        import_arn: d.import_arn.clone(),
                        import_status: d.import_status.clone(),
                        table_arn: d.table_arn.clone(),
                        s3_bucket_source: d.s3_bucket_source.clone(),
                        cloud_watch_log_group_arn: d.cloud_watch_log_group_arn.clone(),
                        input_format: d.input_format.clone(),
                        start_time: d.start_time,
                        end_time: d.end_time,
                    })
                    .collect(),
            ),
            next_token,
        })
    }

    pub(super) fn run_list_exports(
        &mut self,
        input: ListExportsInput,
    ) -> Result<ListExportsOutput, ServiceError> {
        let size = page_size(input.max_results, "maxResults")?;
        let exports = &self.scope_tables().transfers.exports;
        let (page, next_token) = page_of(
            exports
                .iter()
                .filter(|(_, d)| input.table_arn.is_none() || d.table_arn == input.table_arn),
            input.next_token.as_deref(),
            size,
        );
        Ok(ListExportsOutput {
            export_summaries: Some(
                page.into_iter()
                    .map(|d| ExportSummary {
                        export_arn: d.export_arn.clone(),
                        export_status: d.export_status.clone(),
                        export_type: d.export_type.clone(),
                    })
                    .collect(),
            ),
            next_token,
        })
    }
}

fn page_size(size: Option<i32>, member: &str) -> Result<usize, ServiceError> {
    match size {
        Some(n) if n < 1 => Err(constraint_errors(&[format!("Value '{n}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to 1")])),
        Some(n) if n > MAX_PAGE => Err(constraint_errors(&[format!("Value '{n}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {MAX_PAGE}")])),
        Some(n) => Ok(n as usize),
        None => Ok(MAX_PAGE as usize),
    }
}

/// One page of ARN-ordered entries after the ARN `token` names; the token of the next page is
/// the last ARN given.
fn page_of<'a, T: 'a>(
    entries: impl Iterator<Item = (&'a String, &'a T)>,
    token: Option<&str>,
    size: usize,
) -> (Vec<&'a T>, Option<String>) {
    let mut rest = entries.skip_while(|(arn, _)| token.is_some_and(|t| arn.as_str() <= t));
    let page: Vec<(&String, &T)> = rest.by_ref().take(size).collect();
    let next = rest
        .next()
        .and_then(|_| page.last().map(|(arn, _)| (*arn).clone()));
    (page.into_iter().map(|(_, d)| d).collect(), next)
}

/// Restores `import/<id>` and `export/<id>` records.
pub(super) fn restore(tables: &mut Tables, kind: &str, value: &[u8]) -> Result<(), String> {
    if kind == "import" {
        let d: ImportTableDescription = serde_json::from_slice(value).map_err(|e| e.to_string())?;
        tables
            .transfers
            .imports
            .insert(d.import_arn.clone().unwrap_or_default(), d);
    } else {
        let d: ExportDescription = serde_json::from_slice(value).map_err(|e| e.to_string())?;
        tables
            .transfers
            .exports
            .insert(d.export_arn.clone().unwrap_or_default(), d);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trips_and_checks_its_crc() {
        let data = b"{\"Item\":{\"pk\":{\"S\":\"a\"}}}\n".repeat(50);
        let packed = gzip(&data);
        assert_eq!(gunzip(&packed).unwrap(), data);
        assert_eq!(gunzip(b"not gzip at all, not at all").as_deref(), None);
    }

    #[test]
    fn csv_rows_honour_quotes() {
        let rows = csv_rows("pk,note\r\n\"a,1\",\"say \"\"hi\"\"\"\nb,\n", ',');
        assert_eq!(
            rows,
            vec![
                vec!["pk".to_string(), "note".into()],
                vec!["a,1".into(), "say \"hi\"".into()],
                vec!["b".into(), "".into()],
            ]
        );
    }

    #[test]
    fn manifest_times_are_iso8601_utc() {
        assert_eq!(iso8601(1_604_474_914_028), "2020-11-04T07:28:34.028Z");
    }
}
