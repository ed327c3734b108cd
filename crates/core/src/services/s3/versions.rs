//! Object versions: where each version is recorded, which version a request names, and
//! ListObjectVersions, GetBucketVersioning and PutBucketVersioning.
//!
//! A bucket that never had versioning keeps one "null" version per key, exactly as before
//! versioning existed. With versioning Enabled every write adds a version with a generated id and
//! a delete without a version id adds a delete marker; Suspended writes replace the key's "null"
//! version (S3 user guide, "Working with objects in a versioning-suspended bucket").

use nimbus_shapes::{
    s3::{
        BucketVersioningStatus, CommonPrefix, DeleteMarkerEntry, GetBucketVersioningOutput,
        GetBucketVersioningRequest, ListObjectVersionsOutput, ListObjectVersionsRequest,
        ObjectVersion, ObjectVersionStorageClass, Owner, PutBucketVersioningRequest,
    },
    ServiceError,
};
use serde_json::json;

use super::{
    canonical_id, check_max_keys, invalid_argument, key_encoder, malformed_xml, no_such_key,
    record_key, seconds, Bucket, Handler, StoredObject,
};

/// S3's version ids are 32 URL-safe characters.
const VERSION_ID_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
const VERSION_ID_LEN: usize = 32;

/// S3 answers InvalidArgument for a version id it could never have issued, and NoSuchVersion (404)
/// only for a well-formed one it does not have.
pub(super) fn check_version_id(version_id: &str) -> Result<(), ServiceError> {
    if version_id.is_empty() {
        return Err(invalid_argument(
            "Version id cannot be the empty string",
            "versionId",
            "",
        ));
    }
    let well_formed = version_id.len() == VERSION_ID_LEN
        && version_id.bytes().all(|b| VERSION_ID_CHARS.contains(&b));
    if version_id != "null" && !well_formed {
        return Err(invalid_argument(
            "Invalid version id specified",
            "versionId",
            version_id,
        ));
    }
    Ok(())
}

fn no_such_version(key: &str, version_id: &str) -> ServiceError {
    ServiceError::new(
        "NoSuchVersion",
        404,
        "The specified version does not exist.",
    )
    .with_field("Key", json!(key))
    .with_field("VersionId", json!(version_id))
}

/// The record of one version: the "null" version keeps the layout objects had before versioning.
fn version_record(scope: &crate::emulator::Scope, bucket: &str, object: &StoredObject) -> String {
    if object.version_id == "null" {
        record_key("s3", scope, &["b", bucket, "o", &object.key])
    } else {
        record_key(
            "s3",
            scope,
            &["b", bucket, "v", &object.version_id, &object.key],
        )
    }
}

/// Takes back a version record, in its key's history by sequence (records load in key order).
pub(super) fn restore_version(bucket: &mut Bucket, object: StoredObject) {
    let versions = bucket.objects.entry(object.key.clone()).or_default();
    let at = versions.partition_point(|v| v.sequence < object.sequence);
    versions.insert(at, object);
}

impl Bucket {
    /// The version a request names: the current object without a version id, else that version.
    /// GET and HEAD on a delete marker's version id answer 405, as S3 does.
    pub(super) fn version(
        &self,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<&StoredObject, ServiceError> {
        let Some(version_id) = version_id else {
            return self.current(key).ok_or_else(|| no_such_key(key));
        };
        check_version_id(version_id)?;
        let found = self
            .objects
            .get(key)
            .and_then(|versions| versions.iter().find(|v| v.version_id == version_id))
            .ok_or_else(|| no_such_version(key, version_id))?;
        if found.delete_marker {
            return Err(ServiceError::new(
                "MethodNotAllowed",
                405,
                "The specified method is not allowed against this resource.",
            )
            .with_field("Method", json!("GET"))
            .with_field("ResourceType", json!("DeleteMarker")));
        }
        Ok(found)
    }

    /// The version id S3 reports in `x-amz-version-id`: only once a bucket has had versioning.
    pub(super) fn reported_version(&self, object: &StoredObject) -> Option<String> {
        self.versioning.is_some().then(|| object.version_id.clone())
    }
}

impl Handler<'_, '_> {
    /// Stores `object` as the newest version of its key in bucket `name` (which exists), records
    /// it, and answers the version id to report.
    pub(super) fn store_object(&mut self, name: &str, mut object: StoredObject) -> Option<String> {
        let bucket = self.state.buckets.get_mut(name).expect("bucket checked");
        let scope = Self::bucket_scope(bucket);
        let versions = bucket.objects.entry(object.key.clone()).or_default();
        object.sequence = versions.last().map_or(0, |v| v.sequence + 1);
        if bucket.versioning == Some(BucketVersioningStatus::Enabled) {
            object.version_id = self.ctx.ids.token(VERSION_ID_CHARS, VERSION_ID_LEN);
        } else {
            // One "null" version per key: a new one replaces it, wherever it is in the history.
            object.version_id = "null".to_string();
            versions.retain(|v| v.version_id != "null");
        }
        self.ctx
            .persist(version_record(&scope, name, &object), &object);
        let reported = bucket
            .versioning
            .is_some()
            .then(|| object.version_id.clone());
        versions.push(object);
        reported
    }

    /// Deletes one version (or delete marker) of `key` if it exists, and answers it.
    pub(super) fn remove_version(
        &mut self,
        name: &str,
        key: &str,
        version_id: &str,
    ) -> Option<StoredObject> {
        let bucket = self.state.buckets.get_mut(name).expect("bucket checked");
        let scope = Self::bucket_scope(bucket);
        let versions = bucket.objects.get_mut(key)?;
        let at = versions.iter().position(|v| v.version_id == version_id)?;
        let removed = versions.remove(at);
        if versions.is_empty() {
            bucket.objects.remove(key);
        }
        self.ctx
            .changes
            .delete(version_record(&scope, name, &removed));
        Some(removed)
    }

    /// A delete marker as the newest version of `key`: answers its version id.
    pub(super) fn add_delete_marker(&mut self, name: &str, key: &str) -> String {
        let now = self.ctx.now_millis;
        let marker = StoredObject {
            key: key.to_string(),
            body: Default::default(),
            etag: String::new(),
            content_type: String::new(),
            last_modified_millis: now - now.rem_euclid(1000),
            metadata: Default::default(),
            headers: Default::default(),
            version_id: String::new(),
            sequence: 0,
            delete_marker: true,
        };
        self.store_object(name, marker)
            .unwrap_or_else(|| "null".to_string())
    }

    pub(super) fn get_versioning(
        &self,
        input: GetBucketVersioningRequest,
    ) -> Result<GetBucketVersioningOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        // A bucket that never had versioning answers an empty VersioningConfiguration.
        Ok(GetBucketVersioningOutput {
            status: bucket.versioning.clone(),
            mfa_delete: None,
        })
    }

    pub(super) fn put_versioning(
        &mut self,
        input: PutBucketVersioningRequest,
    ) -> Result<(), ServiceError> {
        let name = self.bucket(input.bucket.as_deref())?.name.clone();
        let status = input
            .versioning_configuration
            .and_then(|c| c.status)
            .filter(|s| {
                matches!(
                    s,
                    BucketVersioningStatus::Enabled | BucketVersioningStatus::Suspended
                )
            })
            .ok_or_else(malformed_xml)?;
        let bucket = self.state.buckets.get_mut(&name).expect("bucket checked");
        bucket.versioning = Some(status);
        let record = record_key("s3", &Self::bucket_scope(bucket), &["b", &name]);
        self.ctx.persist(record, &*bucket);
        Ok(())
    }

    /// Every version and delete marker under a prefix, keys in order and each key's versions newest
    /// first; common prefixes, versions and markers all count towards MaxKeys.
    pub(super) fn list_versions(
        &self,
        input: ListObjectVersionsRequest,
    ) -> Result<ListObjectVersionsOutput, ServiceError> {
        let bucket = self.bucket(input.bucket.as_deref())?;
        let (max_keys, limit) = check_max_keys(input.max_keys)?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
        let key_marker = input.key_marker.clone().filter(|m| !m.is_empty());
        let version_marker = input.version_id_marker.clone().filter(|m| !m.is_empty());
        if let Some(marker) = &version_marker {
            if key_marker.is_none() {
                return Err(invalid_argument(
                    "A version-id marker cannot be specified without a key marker.",
                    "version-id-marker",
                    marker,
                ));
            }
            check_version_id(marker)?;
        }
        let encode = key_encoder(&input.encoding_type);
        let owner = Owner {
            display_name: None,
            id: Some(canonical_id(&bucket.account_id)),
        };

        let mut versions = Vec::new();
        let mut markers = Vec::new();
        let mut prefixes: Vec<String> = Vec::new();
        let mut count = 0;
        let mut truncated = false;
        // The last entry listed: where the next page starts after.
        let mut last: Option<(String, Option<String>)> = None;
        'keys: for (key, history) in bucket.objects.range(prefix.clone()..) {
            if !key.starts_with(&prefix) {
                break;
            }
            if key_marker.as_ref().is_some_and(|m| key < m) {
                continue;
            }
            let rolled_up = delimiter.as_deref().and_then(|d| {
                key[prefix.len()..]
                    .find(d)
                    .map(|at| key[..prefix.len() + at + d.len()].to_string())
            });
            if let Some(common) = rolled_up {
                if prefixes.last() == Some(&common) || key_marker.as_ref() == Some(&common) {
                    continue;
                }
                if count == limit {
                    truncated = limit > 0;
                    break;
                }
                count += 1;
                last = Some((common.clone(), None));
                prefixes.push(common);
                continue;
            }
            let newest_first = history.iter().rev().enumerate();
            // At the key marker, resume after the marker's version (or after the whole key).
            let skip = match (key_marker.as_ref() == Some(key), &version_marker) {
                (false, _) => 0,
                (true, None) => continue,
                (true, Some(marker)) => {
                    match history.iter().rev().position(|v| &v.version_id == marker) {
                        Some(at) => at + 1,
                        None => continue,
                    }
                }
            };
            for (index, version) in newest_first.skip(skip) {
                if count == limit {
                    truncated = limit > 0;
                    break 'keys;
                }
                count += 1;
                last = Some((key.clone(), Some(version.version_id.clone())));
                let is_latest = Some(index == 0);
                let last_modified = Some(seconds(version.last_modified_millis));
                if version.delete_marker {
                    markers.push(DeleteMarkerEntry {
                        owner: Some(owner.clone()),
                        key: Some(encode(key)),
                        version_id: Some(version.version_id.clone()),
                        is_latest,
                        last_modified,
                    });
                } else {
                    versions.push(ObjectVersion {
                        e_tag: Some(version.etag.clone()),
                        size: Some(version.body.0.len() as i64),
                        storage_class: Some(ObjectVersionStorageClass::Standard),
                        key: Some(encode(key)),
                        version_id: Some(version.version_id.clone()),
                        is_latest,
                        last_modified,
                        owner: Some(owner.clone()),
                        ..Default::default()
                    });
                }
            }
        }
        let (next_key_marker, next_version_id_marker) = match (truncated, last) {
            (true, Some((key, version))) => (Some(encode(&key)), version),
            _ => (None, None),
        };
        Ok(ListObjectVersionsOutput {
            is_truncated: Some(truncated),
            key_marker: Some(encode(key_marker.as_deref().unwrap_or(""))),
            version_id_marker: Some(version_marker.unwrap_or_default()),
            next_key_marker,
            next_version_id_marker,
            versions: (!versions.is_empty()).then_some(versions),
            delete_markers: (!markers.is_empty()).then_some(markers),
            name: Some(bucket.name.clone()),
            prefix: Some(encode(&prefix)),
            delimiter: delimiter.as_deref().map(&encode),
            max_keys: Some(max_keys),
            common_prefixes: (!prefixes.is_empty()).then(|| {
                prefixes
                    .iter()
                    .map(|p| CommonPrefix {
                        prefix: Some(encode(p)),
                    })
                    .collect()
            }),
            encoding_type: input.encoding_type.clone(),
            request_charged: None,
        })
    }
}
