//! S3 object versions: ListObjectVersions, bucket versioning, versioned reads, writes and deletes.

mod common;

use common::{b64, unb64, ACCOUNT};
use serde_json::{json, Value};

type World = common::World<(String, u16, String, serde_json::Map<String, Value>)>;

fn world_with(bucket: &str, keys: &[&str]) -> World {
    let mut w = World::new("s3", ACCOUNT);
    w.ok("CreateBucket", json!({"Bucket": bucket}));
    for key in keys {
        w.put(bucket, key, key.as_bytes());
    }
    w
}

trait S3World {
    fn put(&mut self, bucket: &str, key: &str, body: &[u8]) -> Value;
    fn versions(&mut self, input: Value) -> Value;
    fn body(&mut self, bucket: &str, key: &str, version: Option<&str>) -> String;
    fn code(&mut self, op: &str, input: Value) -> (String, u16, String);
}

impl S3World for World {
    fn put(&mut self, bucket: &str, key: &str, body: &[u8]) -> Value {
        self.ok(
            "PutObject",
            json!({"Bucket": bucket, "Key": key, "Body": b64(body)}),
        )
    }

    fn versions(&mut self, input: Value) -> Value {
        self.ok("ListObjectVersions", input)
    }

    fn body(&mut self, bucket: &str, key: &str, version: Option<&str>) -> String {
        let mut input = json!({"Bucket": bucket, "Key": key});
        if let Some(v) = version {
            input["VersionId"] = json!(v);
        }
        unb64(self.ok("GetObject", input)["Body"].as_str().unwrap())
    }

    fn code(&mut self, op: &str, input: Value) -> (String, u16, String) {
        let (code, status, message, _) = self.err(op, input);
        (code, status, message)
    }
}

/// (Key, VersionId, IsLatest) of each entry of a list.
fn entries(list: &Value) -> Vec<(String, String, bool)> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|v| {
                    (
                        v["Key"].as_str().unwrap().to_string(),
                        v["VersionId"].as_str().unwrap().to_string(),
                        v["IsLatest"].as_bool().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn null(key: &str) -> (String, String, bool) {
    (key.to_string(), "null".to_string(), true)
}

#[test]
fn a_never_versioned_bucket_lists_each_object_as_its_null_version() {
    let mut w = world_with("docs", &["a/1", "a/2", "b/1", "c"]);
    let all = w.versions(json!({"Bucket": "docs"}));
    assert_eq!(
        entries(&all["Versions"]),
        vec![null("a/1"), null("a/2"), null("b/1"), null("c")]
    );
    let first = &all["Versions"][0];
    assert_eq!(first["ETag"], "\"32a390517fcc6e43df5fc5f2c94699e1\"");
    assert_eq!(first["Size"], 3);
    assert_eq!(first["StorageClass"], "STANDARD");
    assert_eq!(first["Owner"]["ID"].as_str().unwrap().len(), 64);
    assert!(all.get("DeleteMarkers").is_none());
    assert_eq!(all["IsTruncated"], false);
    assert_eq!(
        (&all["KeyMarker"], &all["VersionIdMarker"]),
        (&json!(""), &json!(""))
    );
    assert_eq!(all["MaxKeys"], 1000);

    let rolled = w.versions(json!({"Bucket": "docs", "Delimiter": "/"}));
    assert_eq!(entries(&rolled["Versions"]), vec![null("c")]);
    assert_eq!(
        rolled["CommonPrefixes"],
        json!([{"Prefix": "a/"}, {"Prefix": "b/"}])
    );
    let under_a = w.versions(json!({"Bucket": "docs", "Prefix": "a/"}));
    assert_eq!(
        entries(&under_a["Versions"]),
        vec![null("a/1"), null("a/2")]
    );

    // A bucket that never had versioning answers an empty configuration.
    assert_eq!(
        w.ok("GetBucketVersioning", json!({"Bucket": "docs"})),
        json!({})
    );
}

#[test]
fn version_listings_page_with_key_and_version_markers() {
    let mut w = world_with("docs", &["a/1", "a/2", "b/1", "c"]);
    let page = w.versions(json!({"Bucket": "docs", "MaxKeys": 2}));
    assert_eq!(entries(&page["Versions"]), vec![null("a/1"), null("a/2")]);
    assert_eq!(page["IsTruncated"], true);
    assert_eq!(page["NextKeyMarker"], "a/2");
    assert_eq!(page["NextVersionIdMarker"], "null");
    let rest = w.versions(json!({
        "Bucket": "docs", "KeyMarker": "a/2", "VersionIdMarker": "null"
    }));
    assert_eq!(entries(&rest["Versions"]), vec![null("b/1"), null("c")]);
    assert_eq!(rest["IsTruncated"], false);
    assert!(rest.get("NextKeyMarker").is_none());
    // A key marker alone resumes after every version of that key.
    let after_b = w.versions(json!({"Bucket": "docs", "KeyMarker": "b/1"}));
    assert_eq!(entries(&after_b["Versions"]), vec![null("c")]);

    // Common prefixes count towards MaxKeys and are where the next page starts.
    let page = w.versions(json!({"Bucket": "docs", "Delimiter": "/", "MaxKeys": 1}));
    assert_eq!(page["CommonPrefixes"], json!([{"Prefix": "a/"}]));
    assert_eq!(page["NextKeyMarker"], "a/");
    assert!(page.get("NextVersionIdMarker").is_none());
    let next = w.versions(json!({"Bucket": "docs", "Delimiter": "/", "KeyMarker": "a/"}));
    assert_eq!(next["CommonPrefixes"], json!([{"Prefix": "b/"}]));
    assert_eq!(entries(&next["Versions"]), vec![null("c")]);

    assert_eq!(
        w.code(
            "ListObjectVersions",
            json!({"Bucket": "docs", "VersionIdMarker": "null"})
        ),
        (
            "InvalidArgument".into(),
            400,
            "A version-id marker cannot be specified without a key marker.".into()
        )
    );
    assert_eq!(
        w.code("ListObjectVersions", json!({"Bucket": "nowhere"})).0,
        "NoSuchBucket"
    );
}

#[test]
fn deleting_the_null_version_empties_a_never_versioned_bucket() {
    // moto's s3_aws_verified clean-up: list versions, delete each by VersionId, delete the bucket.
    let mut w = world_with("scratch", &["x", "y"]);
    assert_eq!(
        w.code("GetObjectLockConfiguration", json!({"Bucket": "scratch"})),
        (
            "ObjectLockConfigurationNotFoundError".into(),
            404,
            "Object Lock configuration does not exist for this bucket".into()
        )
    );
    let listed = w.versions(json!({"Bucket": "scratch"}));
    for (key, version, _) in entries(&listed["Versions"]) {
        let deleted = w.ok(
            "DeleteObject",
            json!({"Bucket": "scratch", "Key": key, "VersionId": version}),
        );
        assert_eq!(deleted["VersionId"], "null");
    }
    assert!(w
        .versions(json!({"Bucket": "scratch"}))
        .get("Versions")
        .is_none());
    w.ok("DeleteBucket", json!({"Bucket": "scratch"}));
}

#[test]
fn versioned_writes_keep_every_version_until_deleted_by_id() {
    let mut w = world_with("vault", &["doc"]);
    w.ok(
        "PutBucketVersioning",
        json!({"Bucket": "vault", "VersioningConfiguration": {"Status": "Enabled"}}),
    );
    assert_eq!(
        w.ok("GetBucketVersioning", json!({"Bucket": "vault"})),
        json!({"Status": "Enabled"})
    );
    let v1 = w.put("vault", "doc", b"one")["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    let v2 = w.put("vault", "doc", b"two")["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(v1.len(), 32);
    assert_ne!(v1, v2);
    assert_eq!(w.body("vault", "doc", None), "two");
    assert_eq!(w.body("vault", "doc", Some(&v1)), "one");
    // The object written before versioning was enabled stays as the "null" version.
    assert_eq!(w.body("vault", "doc", Some("null")), "doc");
    let head = w.ok("HeadObject", json!({"Bucket": "vault", "Key": "doc"}));
    assert_eq!(head["VersionId"], v2.as_str());
    assert_eq!(
        entries(&w.versions(json!({"Bucket": "vault"}))["Versions"]),
        vec![
            ("doc".into(), v2.clone(), true),
            ("doc".into(), v1.clone(), false),
            ("doc".into(), "null".into(), false),
        ]
    );

    // A delete without a version id hides the key behind a delete marker.
    let deleted = w.ok("DeleteObject", json!({"Bucket": "vault", "Key": "doc"}));
    assert_eq!(deleted["DeleteMarker"], true);
    let marker = deleted["VersionId"].as_str().unwrap().to_string();
    assert_eq!(
        w.code("GetObject", json!({"Bucket": "vault", "Key": "doc"}))
            .0,
        "NoSuchKey"
    );
    assert!(w
        .ok("ListObjectsV2", json!({"Bucket": "vault"}))
        .get("Contents")
        .is_none());
    let listed = w.versions(json!({"Bucket": "vault"}));
    assert_eq!(
        entries(&listed["DeleteMarkers"]),
        vec![("doc".into(), marker.clone(), true)]
    );
    assert_eq!(
        entries(&listed["Versions"])[0],
        ("doc".into(), v2.clone(), false)
    );
    assert_eq!(
        w.code(
            "GetObject",
            json!({"Bucket": "vault", "Key": "doc", "VersionId": marker})
        )
        .1,
        405
    );
    assert_eq!(
        w.code("DeleteBucket", json!({"Bucket": "vault"})).0,
        "BucketNotEmpty"
    );

    // Deleting the marker by its id brings the newest version back.
    let undone = w.ok(
        "DeleteObject",
        json!({"Bucket": "vault", "Key": "doc", "VersionId": marker}),
    );
    assert_eq!(
        (&undone["DeleteMarker"], &undone["VersionId"]),
        (&json!(true), &json!(marker))
    );
    assert_eq!(w.body("vault", "doc", None), "two");
    w.ok(
        "DeleteObject",
        json!({"Bucket": "vault", "Key": "doc", "VersionId": v2}),
    );
    assert_eq!(w.body("vault", "doc", None), "one");

    // Versions survive a restart.
    let mut again = w.restart();
    assert_eq!(again.body("vault", "doc", None), "one");
    assert_eq!(
        entries(&again.versions(json!({"Bucket": "vault"}))["Versions"]),
        vec![
            ("doc".into(), v1, true),
            ("doc".into(), "null".into(), false)
        ]
    );
}

#[test]
fn suspended_versioning_replaces_the_null_version_and_keeps_the_others() {
    let mut w = world_with("half", &[]);
    let enable =
        |status: &str| json!({"Bucket": "half", "VersioningConfiguration": {"Status": status}});
    w.ok("PutBucketVersioning", enable("Enabled"));
    let kept = w.put("half", "k", b"kept")["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    w.ok("PutBucketVersioning", enable("Suspended"));
    w.put("half", "k", b"first null");
    w.put("half", "k", b"second null");
    assert_eq!(
        entries(&w.versions(json!({"Bucket": "half"}))["Versions"]),
        vec![
            ("k".into(), "null".into(), true),
            ("k".into(), kept.clone(), false)
        ]
    );
    assert_eq!(w.body("half", "k", Some("null")), "second null");
    // A suspended bucket's delete marker is the "null" version.
    let deleted = w.ok("DeleteObject", json!({"Bucket": "half", "Key": "k"}));
    assert_eq!(
        (&deleted["DeleteMarker"], &deleted["VersionId"]),
        (&json!(true), &json!("null"))
    );
    let listed = w.versions(json!({"Bucket": "half"}));
    assert_eq!(entries(&listed["DeleteMarkers"]), vec![null("k")]);
    assert_eq!(
        entries(&listed["Versions"]),
        vec![("k".into(), kept, false)]
    );
}

#[test]
fn version_ids_are_checked_as_s3_checks_them() {
    let mut w = world_with("ids", &["k"]);
    let get = |version: &str| json!({"Bucket": "ids", "Key": "k", "VersionId": version});
    assert_eq!(
        w.code("GetObject", get("nonsense")),
        (
            "InvalidArgument".into(),
            400,
            "Invalid version id specified".into()
        )
    );
    assert_eq!(w.code("DeleteObject", get("nonsense")).0, "InvalidArgument");
    assert_eq!(
        w.code("HeadObject", get(&"A".repeat(32))),
        (
            "NoSuchVersion".into(),
            404,
            "The specified version does not exist.".into()
        )
    );
    assert_eq!(
        w.code(
            "PutBucketVersioning",
            json!({"Bucket": "ids", "VersioningConfiguration": {"Status": "On"}})
        )
        .0,
        "MalformedXML"
    );
}

#[test]
fn delete_objects_deletes_versions_and_reports_bad_ids() {
    let mut w = world_with("batch", &[]);
    w.ok(
        "PutBucketVersioning",
        json!({"Bucket": "batch", "VersioningConfiguration": {"Status": "Enabled"}}),
    );
    let v1 = w.put("batch", "a", b"1")["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = w.ok(
        "DeleteObjects",
        json!({"Bucket": "batch", "Delete": {"Objects": [
            {"Key": "a", "VersionId": v1},
            {"Key": "b"},
            {"Key": "c", "VersionId": "bad"}
        ]}}),
    );
    assert_eq!(answer["Deleted"][0], json!({"Key": "a", "VersionId": v1}));
    assert_eq!(answer["Deleted"][1]["DeleteMarker"], true);
    assert_eq!(
        answer["Deleted"][1]["DeleteMarkerVersionId"]
            .as_str()
            .unwrap()
            .len(),
        32
    );
    assert_eq!(
        answer["Errors"],
        json!([{"Key": "c", "VersionId": "bad", "Code": "InvalidArgument",
                "Message": "Invalid version id specified"}])
    );
    let listed = w.versions(json!({"Bucket": "batch"}));
    assert!(listed.get("Versions").is_none());
    assert_eq!(entries(&listed["DeleteMarkers"]).len(), 1);
}

#[test]
fn object_records_from_before_versioning_still_load() {
    let mut w = world_with("old", &["k"]);
    // Strip the versioning fields, as records written before versioning existed lack them.
    let records: Vec<(String, Vec<u8>)> = w
        .records()
        .into_iter()
        .map(|(key, value)| {
            let mut record: Value = serde_json::from_slice(&value).unwrap();
            for field in ["version_id", "sequence", "delete_marker", "versioning"] {
                record.as_object_mut().unwrap().remove(field);
            }
            (key, serde_json::to_vec(&record).unwrap())
        })
        .collect();
    let mut old = World::new("s3", ACCOUNT);
    old.emulator = common::restored(w.clock.clone(), records);
    assert_eq!(old.body("old", "k", None), "k");
    assert_eq!(
        entries(&old.versions(json!({"Bucket": "old"}))["Versions"]),
        vec![null("k")]
    );
    assert_eq!(w.body("old", "k", Some("null")), "k");
}

#[test]
fn copies_and_multipart_uploads_are_new_versions() {
    let mut w = world_with("copies", &[]);
    w.ok(
        "PutBucketVersioning",
        json!({"Bucket": "copies", "VersioningConfiguration": {"Status": "Enabled"}}),
    );
    let old = w.put("copies", "src", b"old")["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    w.put("copies", "src", b"new");
    // `?versionId=` in CopySource copies that version, which S3 reports back.
    let copied = w.ok(
        "CopyObject",
        json!({"Bucket": "copies", "Key": "dst", "CopySource": format!("copies/src?versionId={old}")}),
    );
    assert_eq!(copied["CopySourceVersionId"], old.as_str());
    let dst = copied["VersionId"].as_str().unwrap().to_string();
    assert_eq!(w.body("copies", "dst", Some(&dst)), "old");

    let upload = w.ok(
        "CreateMultipartUpload",
        json!({"Bucket": "copies", "Key": "dst"}),
    );
    let id = upload["UploadId"].as_str().unwrap();
    let part = w.ok(
        "UploadPart",
        json!({"Bucket": "copies", "Key": "dst", "UploadId": id, "PartNumber": 1, "Body": b64(b"parts")}),
    );
    let done = w.ok(
        "CompleteMultipartUpload",
        json!({"Bucket": "copies", "Key": "dst", "UploadId": id,
               "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}}),
    );
    let completed = done["VersionId"].as_str().unwrap();
    assert_ne!(completed, dst);
    assert_eq!(w.body("copies", "dst", None), "parts");
    assert_eq!(w.body("copies", "dst", Some(&dst)), "old");
}
