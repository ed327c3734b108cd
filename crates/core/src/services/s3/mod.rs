//! S3: buckets and objects.
//!
//! Bucket names are global across accounts and regions, so the state is one index by name; each
//! bucket remembers its owner account and region. Records: `s3/{account}/{region}/b/{bucket}`
//! for a bucket, `s3/{account}/{region}/b/{bucket}/o/{key}` for an object's "null" version (the
//! only version in a bucket that never had versioning) and `.../b/{bucket}/v/{version id}/{key}`
//! for every other version or delete marker; each with its bytes. `versions.rs` holds
//! ListObjectVersions and the versioning rules.

mod versions;

use std::collections::BTreeMap;

use base64::Engine as _;
use md5::{Digest, Md5};
use nimbus_shapes::{
    s3::{
        errors, AbortMultipartUploadOutput, AbortMultipartUploadRequest, Bucket as BucketEntry,
        BucketVersioningStatus, CommonPrefix, CompleteMultipartUploadOutput,
        CompleteMultipartUploadRequest, CopyObjectOutput, CopyObjectRequest, CopyObjectResult,
        CreateBucketOutput, CreateBucketRequest, CreateMultipartUploadOutput,
        CreateMultipartUploadRequest, DeleteBucketRequest, DeleteObjectOutput, DeleteObjectRequest,
        DeleteObjectsOutput, DeleteObjectsRequest, DeletedObject, EncodingType,
        GetBucketLocationOutput, GetBucketLocationRequest, GetBucketVersioningOutput,
        GetBucketVersioningRequest, GetObjectLockConfigurationOutput,
        GetObjectLockConfigurationRequest, GetObjectOutput, GetObjectRequest, HeadBucketOutput,
        HeadBucketRequest, HeadObjectOutput, HeadObjectRequest, ListBucketsOutput,
        ListBucketsRequest, ListObjectVersionsOutput, ListObjectVersionsRequest, ListObjectsOutput,
        ListObjectsRequest, ListObjectsV2Output, ListObjectsV2Request, MetadataDirective, Object,
        ObjectStorageClass, Owner, PutBucketVersioningRequest, PutObjectOutput, PutObjectRequest,
        UploadPartOutput, UploadPartRequest, S3,
    },
    Blob, ServiceError, Timestamp,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    emulator::{Ctx, Scope},
    services::record_key,
};

const MAX_KEY_BYTES: usize = 1024;
const MAX_LIST_KEYS: i32 = 1000;

/// All S3 state. Buckets are indexed by their globally unique name.
#[derive(Default)]
pub struct State {
    buckets: BTreeMap<String, Bucket>,
    /// Multipart uploads in progress, by upload id.
    uploads: BTreeMap<String, Upload>,
}

/// A multipart upload: what CreateMultipartUpload said about the object, and the parts so far.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Upload {
    upload_id: String,
    bucket: String,
    key: String,
    initiated_millis: i64,
    content_type: String,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    headers: StoredHeaders,
    #[serde(skip)]
    parts: BTreeMap<i32, Part>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Part {
    number: i32,
    body: Blob,
    etag: String,
}

/// S3's smallest part, except for the last one.
const MIN_PART_BYTES: usize = 5 * 1024 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Bucket {
    name: String,
    account_id: String,
    region: String,
    created_millis: i64,
    /// PutBucketTagging's tag set, in the order given; empty when the bucket has none.
    #[serde(default)]
    tags: Vec<(String, String)>,
    /// PutBucketVersioning's status; `None` for a bucket that never had versioning.
    #[serde(default)]
    versioning: Option<BucketVersioningStatus>,
    /// Every key's versions and delete markers, oldest first; a key is here only with at least one.
    #[serde(skip)]
    objects: BTreeMap<String, Vec<StoredObject>>,
}

impl Bucket {
    /// The object a request without a version id sees: the newest version unless it is a delete marker.
    fn current(&self, key: &str) -> Option<&StoredObject> {
        self.objects.get(key)?.last().filter(|o| !o.delete_marker)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredObject {
    key: String,
    body: Blob,
    /// Quoted hex MD5, as S3 sends it.
    etag: String,
    content_type: String,
    /// Whole seconds: S3's Last-Modified header has no fractions.
    last_modified_millis: i64,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    headers: StoredHeaders,
    /// "null" unless written while versioning was enabled (records from before versioning lack it).
    #[serde(default = "null_version")]
    version_id: String,
    /// The order of this version among its key's versions, newest highest.
    #[serde(default)]
    sequence: u64,
    #[serde(default)]
    delete_marker: bool,
}

fn null_version() -> String {
    "null".to_string()
}

impl StoredObject {
    /// The versioning fields of an object about to be written; `store_object` sets them.
    fn new_version() -> StoredObject {
        StoredObject {
            key: String::new(),
            body: Blob(Vec::new()),
            etag: String::new(),
            content_type: String::new(),
            last_modified_millis: 0,
            metadata: BTreeMap::new(),
            headers: StoredHeaders::default(),
            version_id: null_version(),
            sequence: 0,
            delete_marker: false,
        }
    }
}

/// The representation headers PutObject stores and GetObject/HeadObject return.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct StoredHeaders {
    cache_control: Option<String>,
    content_disposition: Option<String>,
    content_encoding: Option<String>,
    content_language: Option<String>,
    expires: Option<String>,
    website_redirect_location: Option<String>,
}

/// The content of an object, read on behalf of another service (Lambda's `Code.S3Bucket`) by
/// `account_id`, with the errors GetObject would give.
pub fn read_object<'s>(
    state: &'s State,
    account_id: &str,
    bucket: &str,
    key: &str,
) -> Result<&'s [u8], ServiceError> {
    let found = state
        .buckets
        .get(bucket)
        .ok_or_else(|| no_such_bucket(bucket))?;
    if found.account_id != account_id {
        return Err(errors::ACCESS_DENIED.with_message("Access Denied"));
    }
    let object = found.current(key).ok_or_else(|| no_such_key(key))?;
    Ok(&object.body.0)
}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

fn no_such_bucket(name: &str) -> ServiceError {
    errors::NO_SUCH_BUCKET
        .with_message("The specified bucket does not exist")
        .with_field("BucketName", json!(name))
}

fn no_such_key(key: &str) -> ServiceError {
    errors::NO_SUCH_KEY
        .with_message("The specified key does not exist.")
        .with_field("Key", json!(key))
}

fn invalid_argument(message: &str, name: &str, value: &str) -> ServiceError {
    ServiceError::new("InvalidArgument", 400, message)
        .with_field("ArgumentName", json!(name))
        .with_field("ArgumentValue", json!(value))
}

fn precondition_failed(condition: &str) -> ServiceError {
    ServiceError::new(
        "PreconditionFailed",
        412,
        "At least one of the pre-conditions you specified did not hold",
    )
    .with_field("Condition", json!(condition))
}

/// The general purpose bucket naming rules of the S3 user guide.
pub fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge_ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let looks_like_ip = name.split('.').count() == 4
        && name
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge_ok(bytes[0])
        && edge_ok(bytes[bytes.len() - 1])
        && !name.contains("..")
        && !looks_like_ip
        && !["xn--", "sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| name.starts_with(p))
        && !["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// HTTP headers are case-insensitive, so S3 keeps user metadata keys in lower case.
fn lower_case_keys(metadata: BTreeMap<String, String>) -> BTreeMap<String, String> {
    metadata
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode(Md5::digest(body)))
}

/// The canonical user ID S3 shows as Owner.ID: 64 hex characters, fixed per account.
fn canonical_id(account_id: &str) -> String {
    hex::encode(sha2::Sha256::digest(format!(
        "nimbus-canonical-user:{account_id}"
    )))
}

/// `EncodingType=url` as S3 applies it (and SDKs undo with unquote_plus): spaces become `+`.
fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// A `Range: bytes=...` header against an object of `size` bytes: `Ok(None)` means the whole
/// object (S3 ignores ranges it cannot parse), `Err` an unsatisfiable range.
fn parse_range(range: &str, size: usize) -> Result<Option<(usize, usize)>, ()> {
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (first, last) = (first.trim(), last.trim());
    let parsed = |s: &str| s.parse::<usize>().map_err(|_| ());
    let (start, end) = match (first.is_empty(), last.is_empty()) {
        (true, true) => return Ok(None),
        // bytes=-n: the last n bytes.
        (true, false) => {
            let Ok(n) = parsed(last) else { return Ok(None) };
            if n == 0 || size == 0 {
                return Err(());
            }
            (size.saturating_sub(n), size - 1)
        }
        (false, _) => {
            let Ok(start) = parsed(first) else {
                return Ok(None);
            };
            let end = if last.is_empty() {
                size.saturating_sub(1)
            } else {
                match parsed(last) {
                    Ok(end) if end >= start => end.min(size.saturating_sub(1)),
                    _ => return Ok(None),
                }
            };
            if start >= size {
                return Err(());
            }
            (start, end)
        }
    };
    Ok(Some((start, end)))
}

fn seconds(millis: i64) -> Timestamp {
    Timestamp::from_millis(millis - millis.rem_euclid(1000))
}

/// The conditional request headers GetObject and HeadObject honour, in S3's order of precedence.
fn check_conditions(
    object: &StoredObject,
    if_match: Option<&str>,
    if_none_match: Option<&str>,
    if_modified_since: Option<Timestamp>,
    if_unmodified_since: Option<Timestamp>,
) -> Result<(), ServiceError> {
    let etag_matches = |list: &str| {
        list.split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_matches('"') == object.etag.trim_matches('"'))
    };
    let modified = object.last_modified_millis;
    if let Some(tags) = if_match {
        if !etag_matches(tags) {
            return Err(precondition_failed("If-Match"));
        }
    } else if let Some(since) = if_unmodified_since {
        if modified > since.millis() {
            return Err(precondition_failed("If-Unmodified-Since"));
        }
    }
    let not_modified = || ServiceError::new("NotModified", 304, "Not Modified");
    if let Some(tags) = if_none_match {
        if etag_matches(tags) {
            return Err(not_modified());
        }
    } else if let Some(since) = if_modified_since {
        if modified <= since.millis() {
            return Err(not_modified());
        }
    }
    Ok(())
}

/// Percent-decoding for CopySource (`bucket/key`, URL-encoded by the SDKs).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn malformed_xml() -> ServiceError {
    ServiceError::new(
        "MalformedXML",
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

fn no_such_upload(upload_id: &str) -> ServiceError {
    errors::NO_SUCH_UPLOAD
        .with_message("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
        .with_field("UploadId", json!(upload_id))
}

fn check_key(key: &str) -> Result<(), ServiceError> {
    if key.is_empty() {
        return Err(invalid_argument("A key must be specified", "key", ""));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(
            ServiceError::new("KeyTooLongError", 400, "Your key is too long")
                .with_field("MaxSizeAllowed", json!(MAX_KEY_BYTES))
                .with_field("Size", json!(key.len())),
        );
    }
    Ok(())
}

/// One page of a bucket listing, shared by ListObjects and ListObjectsV2.
struct Listing<'a> {
    contents: Vec<&'a StoredObject>,
    prefixes: Vec<String>,
    truncated: bool,
    /// The last key or common prefix on the page: where the next page starts after.
    last: Option<String>,
}

/// Keys and prefixes as a listing returns them: URL-encoded when `EncodingType=url` was asked.
fn key_encoder(encoding: &Option<EncodingType>) -> impl Fn(&str) -> String {
    let url = *encoding == Some(EncodingType::Url);
    move |text: &str| {
        if url {
            url_encode(text)
        } else {
            text.to_string()
        }
    }
}

impl Listing<'_> {
    /// `Contents` and `CommonPrefixes` of both ListObjects versions; each is absent when empty.
    fn render(
        &self,
        encode: &impl Fn(&str) -> String,
        owner: Option<Owner>,
    ) -> (Option<Vec<Object>>, Option<Vec<CommonPrefix>>) {
        let contents = (!self.contents.is_empty()).then(|| {
            self.contents
                .iter()
                .map(|o| listed_object(o, encode(&o.key), owner.clone()))
                .collect()
        });
        let prefixes = (!self.prefixes.is_empty()).then(|| {
            self.prefixes
                .iter()
                .map(|p| CommonPrefix {
                    prefix: Some(encode(p)),
                })
                .collect()
        });
        (contents, prefixes)
    }
}

/// Keys under `prefix` after `marker` in lexicographic order, with keys that share a segment up
/// to `delimiter` rolled up into one common prefix; both count towards `limit`.
fn list_page<'a>(
    bucket: &'a Bucket,
    prefix: &str,
    delimiter: Option<&str>,
    marker: Option<&str>,
    limit: usize,
) -> Listing<'a> {
    let mut contents = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut last = None;
    let mut truncated = false;
    for (key, versions) in bucket.objects.range(prefix.to_string()..) {
        if !key.starts_with(prefix) {
            break;
        }
        // A key whose newest version is a delete marker is not listed.
        let Some(object) = versions.last().filter(|o| !o.delete_marker) else {
            continue;
        };
        if marker.is_some_and(|m| key.as_str() <= m) {
            continue;
        }
        let rolled_up = delimiter.and_then(|d| {
            key[prefix.len()..]
                .find(d)
                .map(|at| key[..prefix.len() + at + d.len()].to_string())
        });
        if let Some(common) = &rolled_up {
            if prefixes.last() == Some(common) || marker == Some(common.as_str()) {
                continue;
            }
        }
        if contents.len() + prefixes.len() == limit {
            truncated = limit > 0;
            break;
        }
        match rolled_up {
            Some(common) => {
                last = Some(common.clone());
                prefixes.push(common);
            }
            None => {
                last = Some(key.clone());
                contents.push(object);
            }
        }
    }
    Listing {
        contents,
        prefixes,
        truncated,
        last,
    }
}

fn check_max_keys(max_keys: Option<i32>) -> Result<(i32, usize), ServiceError> {
    let max_keys = max_keys.unwrap_or(MAX_LIST_KEYS);
    if max_keys < 0 {
        return Err(invalid_argument(
            "Argument maxKeys must be an integer between 0 and 2147483647",
            "maxKeys",
            &max_keys.to_string(),
        ));
    }
    Ok((max_keys, max_keys.min(MAX_LIST_KEYS) as usize))
}

fn listed_object(object: &StoredObject, key: String, owner: Option<Owner>) -> Object {
    Object {
        key: Some(key),
        last_modified: Some(seconds(object.last_modified_millis)),
        e_tag: Some(object.etag.clone()),
        size: Some(object.body.0.len() as i64),
        storage_class: Some(ObjectStorageClass::Standard),
        owner,
        ..Default::default()
    }
}

impl Handler<'_, '_> {
    /// The upload an id names, for the bucket and key the request names.
    fn upload(
        &self,
        bucket: &Bucket,
        key: Option<&str>,
        upload_id: Option<&str>,
    ) -> Result<&Upload, ServiceError> {
        let upload_id = upload_id.unwrap_or("");
        self.state
            .uploads
            .get(upload_id)
            .filter(|u| u.bucket == bucket.name && Some(u.key.as_str()) == key)
            .ok_or_else(|| no_such_upload(upload_id))
    }

    fn forget_upload(&mut self, upload_id: &str) {
        if let Some(upload) = self.state.uploads.remove(upload_id) {
            let scope = Self::bucket_scope(&self.state.buckets[&upload.bucket]);
            self.ctx
                .changes
                .delete(record_key("s3", &scope, &["u", upload_id]));
            self.ctx
                .changes
                .delete_prefix(record_key("s3", &scope, &["u", upload_id, ""]));
        }
    }

    /// The bucket a request names, if it exists and the caller's account owns it.
    fn bucket(&self, name: Option<&str>) -> Result<&Bucket, ServiceError> {
        let name = name.unwrap_or("");
        let bucket = self
            .state
            .buckets
            .get(name)
            .ok_or_else(|| no_such_bucket(name))?;
        if bucket.account_id != self.ctx.caller.account_id {
            return Err(errors::ACCESS_DENIED.with_message("Access Denied"));
        }
        Ok(bucket)
    }

    fn bucket_scope(bucket: &Bucket) -> Scope {
        Scope {
            account_id: bucket.account_id.clone(),
            region: bucket.region.clone(),
        }
    }
}

impl S3 for Handler<'_, '_> {
    fn create_bucket(
        &mut self,
        input: CreateBucketRequest,
    ) -> Result<CreateBucketOutput, ServiceError> {
        let name = input.bucket.unwrap_or_default();
        if !valid_bucket_name(&name) {
            return Err(ServiceError::new(
                "InvalidBucketName",
                400,
                "The specified bucket is not valid.",
            )
            .with_field("BucketName", json!(name)));
        }
        let caller_region = self.ctx.caller.region.clone();
        let constraint = input
            .create_bucket_configuration
            .and_then(|c| c.location_constraint)
            .map(|c| c.as_str().to_string())
            .filter(|c| !c.is_empty());
        let invalid_constraint = |c: &str| {
            ServiceError::new(
                "InvalidLocationConstraint",
                400,
                "The specified location-constraint is not valid",
            )
            .with_field("LocationConstraint", json!(c))
        };
        let region = match (caller_region.as_str(), constraint.as_deref()) {
            // The us-east-1 endpoint creates a bucket anywhere, but "us-east-1" itself is refused.
            ("us-east-1", None) => "us-east-1".to_string(),
            ("us-east-1", Some("us-east-1")) => return Err(invalid_constraint("us-east-1")),
            (_, Some(c)) if nimbus_shapes::s3::BucketLocationConstraint::VALUES.contains(&c) => {
                if caller_region != "us-east-1" && c != caller_region {
                    return Err(ServiceError::new(
                        "IllegalLocationConstraintException",
                        400,
                        format!("The {c} location constraint is incompatible for the region specific endpoint this request was sent to."),
                    ));
                }
                if c == "EU" { "eu-west-1".to_string() } else { c.to_string() }
            }
            (_, Some(c)) => return Err(invalid_constraint(c)),
            (_, None) => {
                return Err(ServiceError::new(
                    "IllegalLocationConstraintException",
                    400,
                    "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
                ))
            }
        };
        let location = if region == "us-east-1" {
            format!("/{name}")
        } else {
            format!("http://{name}.s3.{region}.amazonaws.com/")
        };
        let output = CreateBucketOutput {
            location: Some(location),
            bucket_arn: Some(format!("arn:aws:s3:::{name}")),
        };
        if let Some(existing) = self.state.buckets.get(&name) {
            if existing.account_id != self.ctx.caller.account_id {
                return Err(errors::BUCKET_ALREADY_EXISTS.with_message(
                    "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
                ).with_field("BucketName", json!(name)));
            }
            // Legacy us-east-1 behaviour: re-creating your own bucket there answers 200 OK.
            if existing.region == "us-east-1" && region == "us-east-1" {
                return Ok(output);
            }
            return Err(errors::BUCKET_ALREADY_OWNED_BY_YOU
                .with_message(
                    "Your previous request to create the named bucket succeeded and you already own it.",
                )
                .with_field("BucketName", json!(name)));
        }
        let bucket = Bucket {
            name: name.clone(),
            account_id: self.ctx.caller.account_id.clone(),
            region,
            created_millis: self.ctx.now_millis,
            tags: Vec::new(),
            versioning: None,
            objects: BTreeMap::new(),
        };
        self.ctx.persist(
            record_key("s3", &Self::bucket_scope(&bucket), &["b", &name]),
            &bucket,
        );
        self.state.buckets.insert(name, bucket);
        Ok(output)
    }

    fn head_bucket(&mut self, input: HeadBucketRequest) -> Result<HeadBucketOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        Ok(HeadBucketOutput {
            bucket_region: Some(bucket.region.clone()),
            ..Default::default()
        })
    }

    fn get_bucket_location(
        &mut self,
        input: GetBucketLocationRequest,
    ) -> Result<GetBucketLocationOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        // us-east-1 buckets have an empty LocationConstraint.
        Ok(GetBucketLocationOutput {
            location_constraint: (bucket.region != "us-east-1")
                .then(|| bucket.region.as_str().into()),
        })
    }

    fn delete_bucket(&mut self, input: DeleteBucketRequest) -> Result<(), ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        if !bucket.objects.is_empty() {
            return Err(ServiceError::new(
                "BucketNotEmpty",
                409,
                "The bucket you tried to delete is not empty",
            )
            .with_field("BucketName", json!(bucket.name)));
        }
        let scope = Self::bucket_scope(bucket);
        let name = bucket.name.clone();
        // Unfinished multipart uploads go with the bucket.
        let uploads: Vec<String> = self
            .state
            .uploads
            .values()
            .filter(|u| u.bucket == name)
            .map(|u| u.upload_id.clone())
            .collect();
        for upload_id in uploads {
            self.forget_upload(&upload_id);
        }
        self.ctx
            .changes
            .delete(record_key("s3", &scope, &["b", &name]));
        self.state.buckets.remove(&name);
        Ok(())
    }

    fn list_buckets(
        &mut self,
        input: ListBucketsRequest,
    ) -> Result<ListBucketsOutput, ServiceError> {
        let account = &self.ctx.caller.account_id;
        let prefix = input.prefix.clone().unwrap_or_default();
        let buckets: Vec<BucketEntry> = self
            .state
            .buckets
            .values()
            .filter(|b| &b.account_id == account && b.name.starts_with(&prefix))
            .filter(|b| input.bucket_region.as_ref().is_none_or(|r| &b.region == r))
            .map(|b| BucketEntry {
                name: Some(b.name.clone()),
                creation_date: Some(seconds(b.created_millis)),
                bucket_region: Some(b.region.clone()),
                bucket_arn: None,
            })
            .collect();
        Ok(ListBucketsOutput {
            buckets: Some(buckets),
            owner: Some(Owner {
                display_name: None,
                id: Some(canonical_id(account)),
            }),
            continuation_token: None,
            prefix: input.prefix,
        })
    }

    fn put_object(&mut self, input: PutObjectRequest) -> Result<PutObjectOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let key = input.key.unwrap_or_default();
        check_key(&key)?;
        let body = input.body.unwrap_or_default();
        let etag = etag_of(&body.0);
        if let Some(expected) = &input.content_md5 {
            let digest = base64::engine::general_purpose::STANDARD
                .decode(expected)
                .ok()
                .filter(|d| d.len() == 16)
                .ok_or_else(|| {
                    ServiceError::new(
                        "InvalidDigest",
                        400,
                        "The Content-MD5 you specified was invalid.",
                    )
                    .with_field("Content-MD5", json!(expected))
                })?;
            if hex::encode(digest) != etag.trim_matches('"') {
                return Err(ServiceError::new(
                    "BadDigest",
                    400,
                    "The Content-MD5 you specified did not match what we received.",
                )
                .with_field("ExpectedDigest", json!(expected))
                .with_field(
                    "CalculatedDigest",
                    json!(base64::engine::general_purpose::STANDARD.encode(Md5::digest(&body.0))),
                ));
            }
        }
        // Conditional writes: If-None-Match: * refuses to overwrite, If-Match needs the ETag.
        let existing = bucket.current(&key);
        if input.if_none_match.as_deref() == Some("*") && existing.is_some() {
            return Err(precondition_failed("If-None-Match"));
        }
        if let Some(expected) = &input.if_match {
            match existing {
                Some(object) if object.etag.trim_matches('"') == expected.trim_matches('"') => {}
                Some(_) => return Err(precondition_failed("If-Match")),
                None => return Err(no_such_key(&key)),
            }
        }
        let bucket_name = bucket.name.clone();
        let now = self.ctx.now_millis;
        let object = StoredObject {
            key: key.clone(),
            body,
            etag: etag.clone(),
            content_type: input
                .content_type
                .unwrap_or_else(|| "binary/octet-stream".to_string()),
            last_modified_millis: now - now.rem_euclid(1000),
            metadata: lower_case_keys(input.metadata.unwrap_or_default()),
            headers: StoredHeaders {
                cache_control: input.cache_control,
                content_disposition: input.content_disposition,
                content_encoding: input.content_encoding,
                content_language: input.content_language,
                expires: input.expires,
                website_redirect_location: input.website_redirect_location,
            },
            ..StoredObject::new_version()
        };
        let version_id = self.store_object(&bucket_name, object);
        Ok(PutObjectOutput {
            e_tag: Some(etag),
            version_id,
            ..Default::default()
        })
    }

    fn get_object(&mut self, input: GetObjectRequest) -> Result<GetObjectOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let object = bucket.version(
            input.key.as_deref().unwrap_or(""),
            input.version_id.as_deref(),
        )?;
        check_conditions(
            object,
            input.if_match.as_deref(),
            input.if_none_match.as_deref(),
            input.if_modified_since,
            input.if_unmodified_since,
        )?;
        let size = object.body.0.len();
        let range = match input.range.as_deref() {
            Some(range) => parse_range(range, size).map_err(|()| {
                ServiceError::new(
                    "InvalidRange",
                    416,
                    "The requested range is not satisfiable",
                )
                .with_field("RangeRequested", json!(range))
                .with_field("ActualObjectSize", json!(size.to_string()))
            })?,
            None => None,
        };
        let (body, content_range) = match range {
            Some((start, end)) => (
                object.body.0[start..=end].to_vec(),
                Some(format!("bytes {start}-{end}/{size}")),
            ),
            None => (object.body.0.clone(), None),
        };
        let headers = &object.headers;
        Ok(GetObjectOutput {
            content_length: Some(body.len() as i64),
            body: Some(Blob(body)),
            content_range,
            accept_ranges: Some("bytes".into()),
            last_modified: Some(seconds(object.last_modified_millis)),
            e_tag: Some(object.etag.clone()),
            content_type: Some(
                input
                    .response_content_type
                    .unwrap_or_else(|| object.content_type.clone()),
            ),
            cache_control: input
                .response_cache_control
                .or_else(|| headers.cache_control.clone()),
            content_disposition: input
                .response_content_disposition
                .or_else(|| headers.content_disposition.clone()),
            content_encoding: input
                .response_content_encoding
                .or_else(|| headers.content_encoding.clone()),
            content_language: input
                .response_content_language
                .or_else(|| headers.content_language.clone()),
            expires: headers.expires.clone(),
            website_redirect_location: headers.website_redirect_location.clone(),
            metadata: (!object.metadata.is_empty()).then(|| object.metadata.clone()),
            version_id: bucket.reported_version(object),
            ..Default::default()
        })
    }

    fn head_object(&mut self, input: HeadObjectRequest) -> Result<HeadObjectOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let object = bucket.version(
            input.key.as_deref().unwrap_or(""),
            input.version_id.as_deref(),
        )?;
        check_conditions(
            object,
            input.if_match.as_deref(),
            input.if_none_match.as_deref(),
            input.if_modified_since,
            input.if_unmodified_since,
        )?;
        let headers = &object.headers;
        Ok(HeadObjectOutput {
            accept_ranges: Some("bytes".into()),
            last_modified: Some(seconds(object.last_modified_millis)),
            content_length: Some(object.body.0.len() as i64),
            e_tag: Some(object.etag.clone()),
            content_type: Some(object.content_type.clone()),
            cache_control: headers.cache_control.clone(),
            content_disposition: headers.content_disposition.clone(),
            content_encoding: headers.content_encoding.clone(),
            content_language: headers.content_language.clone(),
            expires: headers.expires.clone(),
            website_redirect_location: headers.website_redirect_location.clone(),
            metadata: (!object.metadata.is_empty()).then(|| object.metadata.clone()),
            version_id: bucket.reported_version(object),
            ..Default::default()
        })
    }

    fn delete_object(
        &mut self,
        input: DeleteObjectRequest,
    ) -> Result<DeleteObjectOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let key = input.key.unwrap_or_default();
        let name = bucket.name.clone();
        // Deleting a key or version that does not exist succeeds (204), as in S3.
        if let Some(version_id) = input.version_id {
            versions::check_version_id(&version_id)?;
            let removed = self.remove_version(&name, &key, &version_id);
            return Ok(DeleteObjectOutput {
                delete_marker: removed.filter(|v| v.delete_marker).map(|_| true),
                version_id: Some(version_id),
                ..Default::default()
            });
        }
        if bucket.versioning.is_none() {
            self.remove_version(&name, &key, "null");
            return Ok(DeleteObjectOutput::default());
        }
        // With versioning (even suspended) a plain delete hides the key behind a delete marker.
        let version_id = self.add_delete_marker(&name, &key);
        Ok(DeleteObjectOutput {
            delete_marker: Some(true),
            version_id: Some(version_id),
            ..Default::default()
        })
    }

    fn delete_objects(
        &mut self,
        input: DeleteObjectsRequest,
    ) -> Result<DeleteObjectsOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let name = bucket.name.clone();
        let delete = input.delete.unwrap_or_default();
        let objects = delete.objects.unwrap_or_default();
        if objects.is_empty() || objects.len() > 1000 {
            return Err(malformed_xml());
        }
        let quiet = delete.quiet == Some(true);
        let mut deleted = Vec::new();
        let mut failed = Vec::new();
        for object in objects {
            let key = object.key.unwrap_or_default();
            let answer = self.delete_object(DeleteObjectRequest {
                bucket: Some(name.clone()),
                key: Some(key.clone()),
                version_id: object.version_id.clone(),
                ..Default::default()
            });
            // S3 reports a key it could not delete in Errors and goes on with the others.
            let done = match answer {
                Ok(done) => done,
                Err(error) => {
                    failed.push(nimbus_shapes::s3::Error {
                        key: Some(key),
                        version_id: object.version_id,
                        code: Some(error.code.to_string()),
                        message: Some(error.message.to_string()),
                    });
                    continue;
                }
            };
            // Quiet mode reports only errors.
            if !quiet {
                let marker = done.delete_marker == Some(true);
                deleted.push(DeletedObject {
                    key: Some(key),
                    version_id: object.version_id,
                    delete_marker: done.delete_marker,
                    delete_marker_version_id: marker.then_some(done.version_id).flatten(),
                });
            }
        }
        Ok(DeleteObjectsOutput {
            deleted: (!deleted.is_empty()).then_some(deleted),
            errors: (!failed.is_empty()).then_some(failed),
            ..Default::default()
        })
    }

    fn copy_object(&mut self, input: CopyObjectRequest) -> Result<CopyObjectOutput, ServiceError> {
        let source = input.copy_source.clone().unwrap_or_default();
        let (source_path, source_query) = source.split_once('?').unwrap_or((&source, ""));
        // `bucket/key?versionId=...` copies that version.
        let source_version = source_query
            .split('&')
            .find_map(|pair| pair.strip_prefix("versionId="))
            .map(percent_decode);
        let (source_bucket, source_key) = source_path
            .trim_start_matches('/')
            .split_once('/')
            .map(|(b, k)| (percent_decode(b), percent_decode(k)))
            .filter(|(b, k)| !b.is_empty() && !k.is_empty())
            .ok_or_else(|| {
                invalid_argument(
                    "Invalid copy source object key",
                    "x-amz-copy-source",
                    &source,
                )
            })?;
        let target = self.bucket(input.bucket.as_deref())?.name.clone();
        let key = input.key.clone().unwrap_or_default();
        check_key(&key)?;
        let source_holder = self.bucket(Some(&source_bucket))?;
        let source_object = source_holder
            .version(&source_key, source_version.as_deref())?
            .clone();
        let copy_source_version_id = source_holder.reported_version(&source_object);
        check_conditions(
            &source_object,
            input.copy_source_if_match.as_deref(),
            input.copy_source_if_none_match.as_deref(),
            input.copy_source_if_modified_since,
            input.copy_source_if_unmodified_since,
        )
        .map_err(|_| precondition_failed("x-amz-copy-source-If-Match"))?;
        let replace = input.metadata_directive == Some(MetadataDirective::Replace);
        let unchanged =
            !replace && input.storage_class.is_none() && input.website_redirect_location.is_none();
        if source_bucket == target && source_key == key && unchanged {
            return Err(errors::INVALID_REQUEST.with_message(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
            ));
        }
        let now = self.ctx.now_millis;
        let mut object = StoredObject {
            key,
            last_modified_millis: now - now.rem_euclid(1000),
            ..source_object
        };
        if replace {
            object.content_type = input
                .content_type
                .unwrap_or_else(|| "binary/octet-stream".to_string());
            object.metadata = lower_case_keys(input.metadata.unwrap_or_default());
            object.headers = StoredHeaders {
                cache_control: input.cache_control,
                content_disposition: input.content_disposition,
                content_encoding: input.content_encoding,
                content_language: input.content_language,
                expires: input.expires,
                website_redirect_location: input.website_redirect_location,
            };
        }
        let result = CopyObjectResult {
            e_tag: Some(object.etag.clone()),
            last_modified: Some(seconds(object.last_modified_millis)),
            ..Default::default()
        };
        let version_id = self.store_object(&target, object);
        Ok(CopyObjectOutput {
            copy_object_result: Some(result),
            version_id,
            copy_source_version_id,
            ..Default::default()
        })
    }

    fn create_multipart_upload(
        &mut self,
        input: CreateMultipartUploadRequest,
    ) -> Result<CreateMultipartUploadOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let scope = Self::bucket_scope(bucket);
        let bucket_name = bucket.name.clone();
        let key = input.key.unwrap_or_default();
        check_key(&key)?;
        let upload_id = self.ctx.ids.token(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-",
            64,
        );
        let upload = Upload {
            upload_id: upload_id.clone(),
            bucket: bucket_name.clone(),
            key: key.clone(),
            initiated_millis: self.ctx.now_millis,
            content_type: input
                .content_type
                .unwrap_or_else(|| "binary/octet-stream".to_string()),
            metadata: lower_case_keys(input.metadata.unwrap_or_default()),
            headers: StoredHeaders {
                cache_control: input.cache_control,
                content_disposition: input.content_disposition,
                content_encoding: input.content_encoding,
                content_language: input.content_language,
                expires: input.expires,
                website_redirect_location: input.website_redirect_location,
            },
            parts: BTreeMap::new(),
        };
        self.ctx
            .persist(record_key("s3", &scope, &["u", &upload_id]), &upload);
        self.state.uploads.insert(upload_id.clone(), upload);
        Ok(CreateMultipartUploadOutput {
            bucket: Some(bucket_name),
            key: Some(key),
            upload_id: Some(upload_id),
            ..Default::default()
        })
    }

    fn upload_part(&mut self, input: UploadPartRequest) -> Result<UploadPartOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let scope = Self::bucket_scope(bucket);
        let upload_id = self
            .upload(bucket, input.key.as_deref(), input.upload_id.as_deref())?
            .upload_id
            .clone();
        let number = input.part_number.unwrap_or(0);
        if !(1..=10_000).contains(&number) {
            return Err(invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive",
                "partNumber",
                &number.to_string(),
            ));
        }
        let body = input.body.unwrap_or_default();
        let etag = etag_of(&body.0);
        let part = Part {
            number,
            body,
            etag: etag.clone(),
        };
        let part_key = format!("{number:05}");
        self.ctx.persist(
            record_key("s3", &scope, &["u", &upload_id, "p", &part_key]),
            &part,
        );
        self.state
            .uploads
            .get_mut(&upload_id)
            .expect("upload checked")
            .parts
            .insert(number, part);
        Ok(UploadPartOutput {
            e_tag: Some(etag),
            ..Default::default()
        })
    }

    fn complete_multipart_upload(
        &mut self,
        input: CompleteMultipartUploadRequest,
    ) -> Result<CompleteMultipartUploadOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let upload = self.upload(bucket, input.key.as_deref(), input.upload_id.as_deref())?;
        let requested = input
            .multipart_upload
            .and_then(|m| m.parts)
            .unwrap_or_default();
        if requested.is_empty() {
            return Err(malformed_xml());
        }
        let numbers: Vec<i32> = requested
            .iter()
            .map(|p| p.part_number.unwrap_or(0))
            .collect();
        if numbers.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ServiceError::new(
                "InvalidPartOrder",
                400,
                "The list of parts was not in ascending order. Parts must be ordered by part number.",
            )
            .with_field("UploadId", json!(upload.upload_id)));
        }
        let mut parts = Vec::new();
        for wanted in &requested {
            let wanted_etag = wanted.e_tag.as_deref().map(|e| e.trim_matches('"'));
            let found = upload
                .parts
                .get(&wanted.part_number.unwrap_or(0))
                .filter(|p| wanted_etag == Some(p.etag.trim_matches('"')));
            let Some(part) = found else {
                return Err(ServiceError::new(
                    "InvalidPart",
                    400,
                    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                )
                .with_field("UploadId", json!(upload.upload_id))
                .with_field("PartNumber", json!(wanted.part_number))
                .with_field("ETag", json!(wanted.e_tag)));
            };
            parts.push(part);
        }
        let all_but_last = &parts[..parts.len() - 1];
        if let Some(small) = all_but_last
            .iter()
            .find(|p| p.body.0.len() < MIN_PART_BYTES)
        {
            return Err(ServiceError::new(
                "EntityTooSmall",
                400,
                "Your proposed upload is smaller than the minimum allowed size",
            )
            .with_field("ProposedSize", json!(small.body.0.len()))
            .with_field("MinSizeAllowed", json!(MIN_PART_BYTES))
            .with_field("PartNumber", json!(small.number)));
        }
        // A multipart ETag is the MD5 of the parts' binary MD5s, then "-" and the part count.
        let mut digests = Vec::new();
        let mut body = Vec::new();
        for part in &parts {
            digests.extend(Md5::digest(&part.body.0));
            body.extend_from_slice(&part.body.0);
        }
        let etag = format!("\"{}-{}\"", hex::encode(Md5::digest(&digests)), parts.len());
        let now = self.ctx.now_millis;
        let object = StoredObject {
            key: upload.key.clone(),
            body: Blob(body),
            etag: etag.clone(),
            content_type: upload.content_type.clone(),
            last_modified_millis: now - now.rem_euclid(1000),
            metadata: upload.metadata.clone(),
            headers: upload.headers.clone(),
            ..StoredObject::new_version()
        };
        let bucket_name = upload.bucket.clone();
        let upload_id = upload.upload_id.clone();
        let location = format!(
            "https://{bucket_name}.s3.{}.amazonaws.com/{}",
            bucket.region,
            url_encode(&object.key)
        );
        let key = object.key.clone();
        self.forget_upload(&upload_id);
        let version_id = self.store_object(&bucket_name, object);
        Ok(CompleteMultipartUploadOutput {
            version_id,
            location: Some(location),
            bucket: Some(bucket_name),
            key: Some(key),
            e_tag: Some(etag),
            ..Default::default()
        })
    }

    fn abort_multipart_upload(
        &mut self,
        input: AbortMultipartUploadRequest,
    ) -> Result<AbortMultipartUploadOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let upload_id = self
            .upload(bucket, input.key.as_deref(), input.upload_id.as_deref())?
            .upload_id
            .clone();
        self.forget_upload(&upload_id);
        Ok(AbortMultipartUploadOutput::default())
    }

    /// ListObjects (version 1), which boto3's `bucket.objects.all()` still uses.
    fn list_objects(
        &mut self,
        input: ListObjectsRequest,
    ) -> Result<ListObjectsOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let (max_keys, limit) = check_max_keys(input.max_keys)?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
        let marker = input.marker.clone().filter(|m| !m.is_empty());
        let page = list_page(
            bucket,
            &prefix,
            delimiter.as_deref(),
            marker.as_deref(),
            limit,
        );
        let encode = key_encoder(&input.encoding_type);
        // Version 1 lists each object's owner unasked.
        let owner = Owner {
            display_name: None,
            id: Some(canonical_id(&bucket.account_id)),
        };
        let (contents, common_prefixes) = page.render(&encode, Some(owner));
        Ok(ListObjectsOutput {
            is_truncated: Some(page.truncated),
            marker: Some(encode(marker.as_deref().unwrap_or(""))),
            // NextMarker comes only with a delimiter; otherwise clients continue from the last key.
            next_marker: (page.truncated && delimiter.is_some())
                .then(|| page.last.as_deref().map(&encode))
                .flatten(),
            contents,
            name: Some(bucket.name.clone()),
            prefix: Some(encode(&prefix)),
            delimiter: delimiter.as_deref().map(&encode),
            max_keys: Some(max_keys),
            common_prefixes,
            encoding_type: input.encoding_type.clone(),
            request_charged: None,
        })
    }

    fn list_objects_v2(
        &mut self,
        input: ListObjectsV2Request,
    ) -> Result<ListObjectsV2Output, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let (max_keys, limit) = check_max_keys(input.max_keys)?;
        let token_marker = match &input.continuation_token {
            Some(token) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(token)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        invalid_argument(
                            "The continuation token provided is incorrect",
                            "continuation-token",
                            token,
                        )
                    })?,
            ),
            None => None,
        };
        let prefix = input.prefix.clone().unwrap_or_default();
        let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
        // Listing resumes after the later of StartAfter and the token's last key or prefix.
        let marker = match (&token_marker, &input.start_after) {
            (Some(t), Some(s)) => Some(t.max(s).clone()),
            (Some(m), None) | (None, Some(m)) => Some(m.clone()),
            (None, None) => None,
        };
        let page = list_page(
            bucket,
            &prefix,
            delimiter.as_deref(),
            marker.as_deref(),
            limit,
        );
        let encode = key_encoder(&input.encoding_type);
        let owner = (input.fetch_owner == Some(true)).then(|| Owner {
            display_name: None,
            id: Some(canonical_id(&bucket.account_id)),
        });
        let key_count = (page.contents.len() + page.prefixes.len()) as i32;
        let (contents, common_prefixes) = page.render(&encode, owner);
        Ok(ListObjectsV2Output {
            is_truncated: Some(page.truncated),
            contents,
            name: Some(bucket.name.clone()),
            prefix: Some(encode(&prefix)),
            delimiter: delimiter.as_deref().map(&encode),
            max_keys: Some(max_keys),
            common_prefixes,
            encoding_type: input.encoding_type.clone(),
            key_count: Some(key_count),
            continuation_token: input.continuation_token.clone(),
            next_continuation_token: page
                .truncated
                .then(|| {
                    page.last
                        .map(|l| base64::engine::general_purpose::STANDARD.encode(l))
                })
                .flatten(),
            start_after: input.start_after.as_deref().map(&encode),
            request_charged: None,
        })
    }

    fn list_object_versions(
        &mut self,
        input: ListObjectVersionsRequest,
    ) -> Result<ListObjectVersionsOutput, ServiceError> {
        self.list_versions(input)
    }

    fn get_bucket_versioning(
        &mut self,
        input: GetBucketVersioningRequest,
    ) -> Result<GetBucketVersioningOutput, ServiceError> {
        self.get_versioning(input)
    }

    fn put_bucket_versioning(
        &mut self,
        input: PutBucketVersioningRequest,
    ) -> Result<(), ServiceError> {
        self.put_versioning(input)
    }

    /// Nimbus has no Object Lock; S3 answers this for a bucket without a configuration.
    fn get_object_lock_configuration(
        &mut self,
        input: GetObjectLockConfigurationRequest,
    ) -> Result<GetObjectLockConfigurationOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        Err(ServiceError::new(
            "ObjectLockConfigurationNotFoundError",
            404,
            "Object Lock configuration does not exist for this bucket",
        )
        .with_field("BucketName", json!(bucket.name)))
    }

    fn put_bucket_tagging(
        &mut self,
        input: nimbus_shapes::s3::PutBucketTaggingRequest,
    ) -> Result<(), ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let Some(tag_set) = input.tagging.and_then(|t| t.tag_set) else {
            return Err(malformed_xml());
        };
        let tags = check_bucket_tags(&tag_set)?;
        let name = bucket.name.clone();
        self.set_bucket_tags(&name, tags);
        Ok(())
    }

    fn get_bucket_tagging(
        &mut self,
        input: nimbus_shapes::s3::GetBucketTaggingRequest,
    ) -> Result<nimbus_shapes::s3::GetBucketTaggingOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        if bucket.tags.is_empty() {
            return Err(
                ServiceError::new("NoSuchTagSet", 404, "The TagSet does not exist")
                    .with_field("BucketName", json!(bucket.name)),
            );
        }
        Ok(nimbus_shapes::s3::GetBucketTaggingOutput {
            tag_set: Some(
                bucket
                    .tags
                    .iter()
                    .map(|(key, value)| nimbus_shapes::s3::Tag {
                        key: Some(key.clone()),
                        value: Some(value.clone()),
                    })
                    .collect(),
            ),
        })
    }

    fn delete_bucket_tagging(
        &mut self,
        input: nimbus_shapes::s3::DeleteBucketTaggingRequest,
    ) -> Result<(), ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        if !bucket.tags.is_empty() {
            let name = bucket.name.clone();
            self.set_bucket_tags(&name, Vec::new());
        }
        Ok(())
    }
}

/// A bucket's tag set as S3 accepts it: at most 50 tags, keys of 1-128 and values of at most
/// 256 characters, each key once, none with the reserved `aws:` prefix (InvalidTag otherwise).
fn check_bucket_tags(
    tag_set: &[nimbus_shapes::s3::Tag],
) -> Result<Vec<(String, String)>, ServiceError> {
    let invalid = |message: &str| ServiceError::new("InvalidTag", 400, message);
    if tag_set.len() > 50 {
        return Err(invalid("Bucket tag count cannot be greater than 50"));
    }
    let mut tags: Vec<(String, String)> = Vec::new();
    for tag in tag_set {
        let key = tag.key.clone().unwrap_or_default();
        let value = tag.value.clone().unwrap_or_default();
        if key.is_empty() || key.chars().count() > 128 {
            return Err(invalid("The TagKey you have provided is invalid"));
        }
        if value.chars().count() > 256 {
            return Err(invalid("The TagValue you have provided is invalid"));
        }
        if key.starts_with("aws:") {
            return Err(invalid("System tags cannot be added/updated by requester"));
        }
        if tags.iter().any(|(k, _)| *k == key) {
            return Err(invalid("Cannot provide multiple Tags with the same key"));
        }
        tags.push((key, value));
    }
    Ok(tags)
}

impl Handler<'_, '_> {
    /// Replaces the tags of bucket `name` (which exists) and records the bucket again.
    fn set_bucket_tags(&mut self, name: &str, tags: Vec<(String, String)>) {
        let bucket = self.state.buckets.get_mut(name).expect("bucket checked");
        bucket.tags = tags;
        let record = record_key("s3", &Self::bucket_scope(bucket), &["b", name]);
        self.ctx.persist(record, &*bucket);
    }
}

/// Takes back one record this service persisted (`rest` is the key after the scope).
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    let parts: Vec<&str> = rest.splitn(4, '/').collect();
    match parts[..] {
        ["b", name] => {
            let bucket: Bucket = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            if bucket.account_id != scope.account_id || bucket.name != name {
                return Err(format!("s3 bucket record {rest} does not match its key"));
            }
            state.buckets.insert(name.to_string(), bucket);
            Ok(())
        }
        ["b", name, "o" | "v", _] => {
            let object: StoredObject = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            let bucket = state
                .buckets
                .get_mut(name)
                .ok_or_else(|| format!("s3 object {rest} without its bucket"))?;
            versions::restore_version(bucket, object);
            Ok(())
        }
        ["u", upload_id] => {
            let upload: Upload = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            state.uploads.insert(upload_id.to_string(), upload);
            Ok(())
        }
        ["u", upload_id, "p", _] => {
            let part: Part = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            state
                .uploads
                .get_mut(upload_id)
                .ok_or_else(|| format!("s3 part {rest} without its upload"))?
                .parts
                .insert(part.number, part);
            Ok(())
        }
        _ => Err(format!("unexpected s3 record {rest}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-4", 10), Ok(Some((0, 4))));
        assert_eq!(parse_range("bytes=5-", 10), Ok(Some((5, 9))));
        assert_eq!(parse_range("bytes=-3", 10), Ok(Some((7, 9))));
        assert_eq!(parse_range("bytes=-30", 10), Ok(Some((0, 9))));
        assert_eq!(parse_range("bytes=8-100", 10), Ok(Some((8, 9))));
        assert_eq!(parse_range("bytes=10-", 10), Err(()));
        assert_eq!(parse_range("bytes=5-2", 10), Ok(None));
        assert_eq!(parse_range("items=0-1", 10), Ok(None));
    }

    #[test]
    fn bucket_names_follow_the_naming_rules() {
        for good in ["abc", "my-bucket.logs", "a1b2", &"a".repeat(63)] {
            assert!(valid_bucket_name(good), "{good}");
        }
        for bad in [
            "ab",
            "Upper",
            "-start",
            "end-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "under_score",
            "x-s3alias",
            &"a".repeat(64),
        ] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
    }
}
