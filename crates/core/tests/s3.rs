//! S3 through the emulator's entry point, in the canonical JSON form (blobs are base64).

mod common;

use common::{b64, caller_in as caller, restore_state, with_ctx, ACCOUNT};
use nimbus_core::services::s3;
use serde_json::{json, Value};

const T0: i64 = 1_700_000_000_250;

type World = common::World<(String, u16, String, serde_json::Map<String, Value>)>;

type Answer = Result<Value, (String, u16, String, serde_json::Map<String, Value>)>;

fn world() -> World {
    World::new("s3", ACCOUNT).at(T0)
}

impl World {
    fn put(&mut self, bucket: &str, key: &str, body: &[u8]) -> Value {
        self.ok(
            "PutObject",
            json!({"Bucket": bucket, "Key": key, "Body": b64(body)}),
        )
    }
}

fn code(answer: Answer) -> (String, u16, String) {
    let (code, status, message, _) = answer.expect_err("expected an error");
    (code, status, message)
}

#[test]
fn create_bucket_follows_naming_and_location_rules() {
    let mut w = world();
    let created = w.ok("CreateBucket", json!({"Bucket": "photos"}));
    assert_eq!(created["Location"], "/photos");
    let (code_, status, message, fields) = w
        .call("CreateBucket", json!({"Bucket": "Bad_Name"}))
        .unwrap_err();
    assert_eq!(
        (code_.as_str(), status, message.as_str()),
        (
            "InvalidBucketName",
            400,
            "The specified bucket is not valid."
        )
    );
    assert_eq!(fields["BucketName"], "Bad_Name");
    // In us-east-1, re-creating your own bucket answers 200 for legacy compatibility.
    assert!(w.call("CreateBucket", json!({"Bucket": "photos"})).is_ok());
    assert_eq!(
        code(w.call(
            "CreateBucket",
            json!({"Bucket": "bucket-two", "CreateBucketConfiguration": {"LocationConstraint": "us-east-1"}})
        )),
        (
            "InvalidLocationConstraint".into(),
            400,
            "The specified location-constraint is not valid".into()
        )
    );

    let eu = caller("000000000000", "eu-west-1");
    assert_eq!(
        code(w.call_as(&eu, "CreateBucket", json!({"Bucket": "eu-bucket"}))),
        (
            "IllegalLocationConstraintException".into(),
            400,
            "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.".into()
        )
    );
    assert_eq!(
        code(w.call_as(
            &eu,
            "CreateBucket",
            json!({"Bucket": "eu-bucket", "CreateBucketConfiguration": {"LocationConstraint": "us-west-2"}})
        ))
        .2,
        "The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to."
    );
    let eu_input = json!({"Bucket": "eu-bucket", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}});
    w.call_as(&eu, "CreateBucket", eu_input.clone()).unwrap();
    assert_eq!(
        code(w.call_as(&eu, "CreateBucket", eu_input)),
        (
            "BucketAlreadyOwnedByYou".into(),
            409,
            "Your previous request to create the named bucket succeeded and you already own it."
                .into()
        )
    );
    assert_eq!(
        w.ok("GetBucketLocation", json!({"Bucket": "eu-bucket"})),
        json!({"LocationConstraint": "eu-west-1"})
    );
}

#[test]
fn bucket_names_are_global_across_accounts() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "shared-name"}));
    let other = caller("111111111111", "us-east-1");
    assert_eq!(
        code(w.call_as(&other, "CreateBucket", json!({"Bucket": "shared-name"}))),
        (
            "BucketAlreadyExists".into(),
            409,
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.".into()
        )
    );
    assert_eq!(
        code(w.call_as(
            &other,
            "GetObject",
            json!({"Bucket": "shared-name", "Key": "k"})
        ))
        .0,
        "AccessDenied"
    );
    // Each account lists only its own buckets.
    let listed = w.call_as(&other, "ListBuckets", json!({})).unwrap();
    assert_eq!(listed["Buckets"], json!([]));
}

#[test]
fn list_buckets_shows_owner_and_creation_dates() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "zeta"}));
    w.clock.advance(5_000);
    w.ok("CreateBucket", json!({"Bucket": "alpha"}));
    let listed = w.ok("ListBuckets", json!({}));
    assert_eq!(
        listed["Buckets"],
        json!([
            {"Name": "alpha", "CreationDate": 1_700_000_005.0, "BucketRegion": "us-east-1"},
            {"Name": "zeta", "CreationDate": 1_700_000_000.0, "BucketRegion": "us-east-1"},
        ])
    );
    let id = listed["Owner"]["ID"].as_str().unwrap();
    assert_eq!(id.len(), 64);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn objects_round_trip_with_etag_type_and_metadata() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "docs"}));
    let put = w.ok(
        "PutObject",
        json!({"Bucket": "docs", "Key": "a/b.txt", "Body": b64(b"hello world"),
               "ContentType": "text/plain", "Metadata": {"Owner": "me"},
               "ContentMD5": "XrY7u+Ae7tCTyyK7j1rNww=="}),
    );
    assert_eq!(put["ETag"], "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    let got = w.ok("GetObject", json!({"Bucket": "docs", "Key": "a/b.txt"}));
    assert_eq!(got["Body"], b64(b"hello world"));
    assert_eq!(got["ContentLength"], 11);
    assert_eq!(got["ContentType"], "text/plain");
    assert_eq!(got["ETag"], "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    assert_eq!(got["Metadata"], json!({"owner": "me"}));
    assert_eq!(got["LastModified"], 1_700_000_000.0);
    let head = w.ok("HeadObject", json!({"Bucket": "docs", "Key": "a/b.txt"}));
    assert_eq!(head["ContentLength"], 11);
    assert!(head.get("Body").is_none());

    w.put("docs", "raw", b"\x00\x01");
    let raw = w.ok("HeadObject", json!({"Bucket": "docs", "Key": "raw"}));
    assert_eq!(raw["ContentType"], "binary/octet-stream");

    assert_eq!(
        code(w.call(
            "PutObject",
            json!({"Bucket": "docs", "Key": "x", "Body": b64(b"abc"), "ContentMD5": "XrY7u+Ae7tCTyyK7j1rNww=="})
        ))
        .0,
        "BadDigest"
    );
}

#[test]
fn missing_keys_and_buckets_answer_404_with_details() {
    let mut w = world();
    let (code_, status, message, fields) = w
        .call("GetObject", json!({"Bucket": "nope", "Key": "k"}))
        .unwrap_err();
    assert_eq!(
        (code_.as_str(), status, message.as_str()),
        ("NoSuchBucket", 404, "The specified bucket does not exist")
    );
    assert_eq!(fields["BucketName"], "nope");
    w.ok("CreateBucket", json!({"Bucket": "docs"}));
    let (code_, status, message, fields) = w
        .call("GetObject", json!({"Bucket": "docs", "Key": "missing/key"}))
        .unwrap_err();
    assert_eq!(
        (code_.as_str(), status, message.as_str()),
        ("NoSuchKey", 404, "The specified key does not exist.")
    );
    assert_eq!(fields["Key"], "missing/key");
    assert_eq!(
        code(w.call("HeadObject", json!({"Bucket": "docs", "Key": "missing"}))).1,
        404
    );
}

#[test]
fn delete_object_is_idempotent() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "docs"}));
    w.put("docs", "k", b"v");
    assert_eq!(
        w.ok("DeleteObject", json!({"Bucket": "docs", "Key": "k"})),
        json!({})
    );
    assert_eq!(
        w.ok("DeleteObject", json!({"Bucket": "docs", "Key": "k"})),
        json!({})
    );
    assert_eq!(
        code(w.call("GetObject", json!({"Bucket": "docs", "Key": "k"}))).0,
        "NoSuchKey"
    );
    w.ok("DeleteBucket", json!({"Bucket": "docs"}));
    assert_eq!(
        code(w.call("HeadBucket", json!({"Bucket": "docs"}))).0,
        "NoSuchBucket"
    );
}

#[test]
fn delete_bucket_refuses_a_bucket_with_objects() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "docs"}));
    w.put("docs", "k", b"v");
    assert_eq!(
        code(w.call("DeleteBucket", json!({"Bucket": "docs"}))),
        (
            "BucketNotEmpty".into(),
            409,
            "The bucket you tried to delete is not empty".into()
        )
    );
}

#[test]
fn get_object_serves_byte_ranges() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "docs"}));
    w.put("docs", "k", b"0123456789");
    let got = w.ok(
        "GetObject",
        json!({"Bucket": "docs", "Key": "k", "Range": "bytes=2-5"}),
    );
    assert_eq!(got["Body"], b64(b"2345"));
    assert_eq!(got["ContentRange"], "bytes 2-5/10");
    assert_eq!(got["ContentLength"], 4);
    let tail = w.ok(
        "GetObject",
        json!({"Bucket": "docs", "Key": "k", "Range": "bytes=-3"}),
    );
    assert_eq!(tail["Body"], b64(b"789"));
    let (code_, status, message, fields) = w
        .call(
            "GetObject",
            json!({"Bucket": "docs", "Key": "k", "Range": "bytes=10-"}),
        )
        .unwrap_err();
    assert_eq!(
        (code_.as_str(), status, message.as_str()),
        (
            "InvalidRange",
            416,
            "The requested range is not satisfiable"
        )
    );
    assert_eq!(fields["ActualObjectSize"], "10");
}

#[test]
fn conditional_requests_compare_etags() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "docs"}));
    let etag = w.put("docs", "k", b"v")["ETag"].clone();
    assert_eq!(
        code(w.call(
            "GetObject",
            json!({"Bucket": "docs", "Key": "k", "IfNoneMatch": etag})
        ))
        .1,
        304
    );
    assert_eq!(
        code(w.call(
            "GetObject",
            json!({"Bucket": "docs", "Key": "k", "IfMatch": "\"other\""})
        ))
        .0,
        "PreconditionFailed"
    );
    assert_eq!(
        code(w.call(
            "PutObject",
            json!({"Bucket": "docs", "Key": "k", "Body": "", "IfNoneMatch": "*"})
        ))
        .1,
        412
    );
}

fn keys(listing: &Value) -> Vec<String> {
    listing["Contents"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|o| o["Key"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn prefixes(listing: &Value) -> Vec<String> {
    listing["CommonPrefixes"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|o| o["Prefix"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn photo_bucket() -> World {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "pics"}));
    for key in [
        "2024/jan/a.jpg",
        "2024/jan/b.jpg",
        "2024/feb/c.jpg",
        "2025/mar/d.jpg",
        "readme.txt",
        "z.txt",
    ] {
        w.put("pics", key, key.as_bytes());
    }
    w
}

#[test]
fn list_objects_v2_groups_by_delimiter_under_a_prefix() {
    let mut w = photo_bucket();
    let top = w.ok("ListObjectsV2", json!({"Bucket": "pics", "Delimiter": "/"}));
    assert_eq!(keys(&top), ["readme.txt", "z.txt"]);
    assert_eq!(prefixes(&top), ["2024/", "2025/"]);
    assert_eq!(top["KeyCount"], 4);
    assert_eq!(top["IsTruncated"], false);
    assert_eq!(top["Prefix"], "");
    assert_eq!(top["MaxKeys"], 1000);
    assert_eq!(top["Name"], "pics");

    let year = w.ok(
        "ListObjectsV2",
        json!({"Bucket": "pics", "Prefix": "2024/", "Delimiter": "/"}),
    );
    assert_eq!(prefixes(&year), ["2024/feb/", "2024/jan/"]);
    assert!(keys(&year).is_empty());

    let flat = w.ok(
        "ListObjectsV2",
        json!({"Bucket": "pics", "Prefix": "2024/"}),
    );
    assert_eq!(
        keys(&flat),
        ["2024/feb/c.jpg", "2024/jan/a.jpg", "2024/jan/b.jpg"]
    );
    assert_eq!(flat["Contents"][0]["Size"], 14);
    assert_eq!(flat["Contents"][0]["StorageClass"], "STANDARD");

    let after = w.ok(
        "ListObjectsV2",
        json!({"Bucket": "pics", "StartAfter": "2025/mar/d.jpg"}),
    );
    assert_eq!(keys(&after), ["readme.txt", "z.txt"]);
}

#[test]
fn list_objects_v2_pages_with_continuation_tokens() {
    let mut w = photo_bucket();
    let mut seen_keys = Vec::new();
    let mut seen_prefixes = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut input = json!({"Bucket": "pics", "Delimiter": "/", "MaxKeys": 1, "Prefix": ""});
        if let Some(t) = &token {
            input["ContinuationToken"] = json!(t);
        }
        let page = w.ok("ListObjectsV2", input);
        pages += 1;
        assert_eq!(page["KeyCount"], 1);
        seen_keys.extend(keys(&page));
        seen_prefixes.extend(prefixes(&page));
        if page["IsTruncated"] == false {
            assert!(page.get("NextContinuationToken").is_none());
            break;
        }
        token = Some(page["NextContinuationToken"].as_str().unwrap().to_string());
    }
    assert_eq!(pages, 4);
    assert_eq!(seen_prefixes, ["2024/", "2025/"]);
    assert_eq!(seen_keys, ["readme.txt", "z.txt"]);

    let page = w.ok("ListObjectsV2", json!({"Bucket": "pics", "MaxKeys": 4}));
    assert_eq!(page["IsTruncated"], true);
    assert_eq!(page["KeyCount"], 4);
    let rest = w.ok(
        "ListObjectsV2",
        json!({"Bucket": "pics", "MaxKeys": 4, "ContinuationToken": page["NextContinuationToken"]}),
    );
    assert_eq!(keys(&rest), ["readme.txt", "z.txt"]);
    assert_eq!(rest["ContinuationToken"], page["NextContinuationToken"]);

    assert_eq!(
        code(w.call(
            "ListObjectsV2",
            json!({"Bucket": "pics", "ContinuationToken": "%%%"})
        ))
        .2,
        "The continuation token provided is incorrect"
    );
    let empty = w.ok("ListObjectsV2", json!({"Bucket": "pics", "MaxKeys": 0}));
    assert_eq!(empty["KeyCount"], 0);
    assert_eq!(empty["IsTruncated"], false);
}

#[test]
fn list_objects_v2_url_encodes_keys_when_asked() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "docs"}));
    w.put("docs", "my file+1%.txt", b"x");
    let listed = w.ok(
        "ListObjectsV2",
        json!({"Bucket": "docs", "EncodingType": "url"}),
    );
    assert_eq!(keys(&listed), ["my+file%2B1%25.txt"]);
    assert_eq!(listed["EncodingType"], "url");
}

#[test]
fn state_comes_back_from_its_records() {
    let mut w = photo_bucket();
    w.ok("DeleteObject", json!({"Bucket": "pics", "Key": "z.txt"}));
    w.ok("CreateBucket", json!({"Bucket": "gone"}));
    w.ok("DeleteBucket", json!({"Bucket": "gone"}));
    let id = w.ok(
        "CreateMultipartUpload",
        json!({"Bucket": "pics", "Key": "multi"}),
    )["UploadId"]
        .clone();
    let etag = w.ok(
        "UploadPart",
        json!({"Bucket": "pics", "Key": "multi", "UploadId": id, "PartNumber": 1, "Body": b64(b"only")}),
    )["ETag"]
        .clone();
    let mut state = restore_state!(s3, w.records());
    let caller = w.caller.clone();
    let mut call = |op: &str, input: Value| {
        with_ctx(&caller, T0, 5, |ctx| {
            nimbus_shapes::s3::dispatch(
                &mut s3::Handler {
                    state: &mut state,
                    ctx,
                },
                op,
                input,
            )
            .unwrap()
        })
        .0
    };
    let buckets = call("ListBuckets", json!({}));
    assert_eq!(buckets["Buckets"].as_array().unwrap().len(), 1);
    let listed = call("ListObjectsV2", json!({"Bucket": "pics"}));
    assert_eq!(keys(&listed).len(), 5);
    let got = call(
        "GetObject",
        json!({"Bucket": "pics", "Key": "2024/jan/a.jpg"}),
    );
    assert_eq!(got["Body"], b64(b"2024/jan/a.jpg"));
    // The unfinished upload and its part survived too.
    call(
        "CompleteMultipartUpload",
        json!({"Bucket": "pics", "Key": "multi", "UploadId": id,
               "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": etag}]}}),
    );
    let got = call("GetObject", json!({"Bucket": "pics", "Key": "multi"}));
    assert_eq!(got["Body"], b64(b"only"));
}

#[test]
fn emulator_restores_buckets_and_objects() {
    let w = photo_bucket();
    let mut fresh = w.restart();
    let got = fresh.ok("GetObject", json!({"Bucket": "pics", "Key": "z.txt"}));
    assert_eq!(got["Body"], b64(b"z.txt"));
}

#[test]
fn copy_object_copies_or_replaces_metadata() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "src"}));
    w.ok("CreateBucket", json!({"Bucket": "dst"}));
    w.ok(
        "PutObject",
        json!({"Bucket": "src", "Key": "a b.txt", "Body": b64(b"hello world"),
               "ContentType": "text/plain", "Metadata": {"k": "v"}}),
    );
    w.clock.advance(3_000);
    let copied = w.ok(
        "CopyObject",
        json!({"Bucket": "dst", "Key": "copy.txt", "CopySource": "src/a%20b.txt"}),
    );
    assert_eq!(
        copied["CopyObjectResult"],
        json!({"ETag": "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"", "LastModified": 1_700_000_003.0})
    );
    let got = w.ok("GetObject", json!({"Bucket": "dst", "Key": "copy.txt"}));
    assert_eq!(got["ContentType"], "text/plain");
    assert_eq!(got["Metadata"], json!({"k": "v"}));
    w.ok(
        "CopyObject",
        json!({"Bucket": "src", "Key": "a b.txt", "CopySource": "/src/a%20b.txt",
               "MetadataDirective": "REPLACE", "Metadata": {"n": "2"}}),
    );
    let head = w.ok("HeadObject", json!({"Bucket": "src", "Key": "a b.txt"}));
    assert_eq!(head["Metadata"], json!({"n": "2"}));
    assert_eq!(head["ContentType"], "binary/octet-stream");
    assert_eq!(
        code(w.call(
            "CopyObject",
            json!({"Bucket": "src", "Key": "a b.txt", "CopySource": "src/a%20b.txt"})
        ))
        .0,
        "InvalidRequest"
    );
    assert_eq!(
        code(w.call(
            "CopyObject",
            json!({"Bucket": "dst", "Key": "x", "CopySource": "src/missing"})
        ))
        .0,
        "NoSuchKey"
    );
}

#[test]
fn delete_objects_reports_each_key() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "docs"}));
    w.put("docs", "a", b"1");
    w.put("docs", "b", b"2");
    let out = w.ok(
        "DeleteObjects",
        json!({"Bucket": "docs", "Delete": {"Objects": [{"Key": "a"}, {"Key": "never"}]}}),
    );
    assert_eq!(out["Deleted"], json!([{"Key": "a"}, {"Key": "never"}]));
    let quiet = w.ok(
        "DeleteObjects",
        json!({"Bucket": "docs", "Delete": {"Objects": [{"Key": "b"}], "Quiet": true}}),
    );
    assert_eq!(quiet, json!({}));
    assert!(keys(&w.ok("ListObjectsV2", json!({"Bucket": "docs"}))).is_empty());
}

#[test]
fn multipart_uploads_assemble_parts_with_an_s3_etag() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "big"}));
    let upload = w.ok(
        "CreateMultipartUpload",
        json!({"Bucket": "big", "Key": "file.bin", "ContentType": "application/zip"}),
    );
    let id = upload["UploadId"].as_str().unwrap().to_string();
    let first = vec![b'a'; 5 * 1024 * 1024];
    let second = b"tail".to_vec();
    let e1 = w.ok(
        "UploadPart",
        json!({"Bucket": "big", "Key": "file.bin", "UploadId": id, "PartNumber": 1, "Body": b64(&first)}),
    )["ETag"]
        .clone();
    let e2 = w.ok(
        "UploadPart",
        json!({"Bucket": "big", "Key": "file.bin", "UploadId": id, "PartNumber": 2, "Body": b64(&second)}),
    )["ETag"]
        .clone();
    assert_eq!(
        code(w.call(
            "CompleteMultipartUpload",
            json!({"Bucket": "big", "Key": "file.bin", "UploadId": id,
                   "MultipartUpload": {"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]}})
        ))
        .0,
        "InvalidPartOrder"
    );
    let done = w.ok(
        "CompleteMultipartUpload",
        json!({"Bucket": "big", "Key": "file.bin", "UploadId": id,
               "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]}}),
    );
    // Computed independently: md5(md5(part1) || md5(part2)) with Python's hashlib.
    assert_eq!(done["ETag"], "\"30dcfd3901d1c613b7fb532281748544-2\"");
    let head = w.ok("HeadObject", json!({"Bucket": "big", "Key": "file.bin"}));
    assert_eq!(head["ContentLength"], 5 * 1024 * 1024 + 4);
    assert_eq!(head["ContentType"], "application/zip");
    assert_eq!(
        code(w.call(
            "UploadPart",
            json!({"Bucket": "big", "Key": "file.bin", "UploadId": id, "PartNumber": 3, "Body": ""})
        ))
        .0,
        "NoSuchUpload"
    );
}

#[test]
fn multipart_parts_but_the_last_need_five_mebibytes() {
    let mut w = world();
    w.ok("CreateBucket", json!({"Bucket": "big"}));
    let id = w.ok(
        "CreateMultipartUpload",
        json!({"Bucket": "big", "Key": "k"}),
    )["UploadId"]
        .clone();
    let mut parts = Vec::new();
    for n in 1..=2 {
        let etag = w.ok(
            "UploadPart",
            json!({"Bucket": "big", "Key": "k", "UploadId": id, "PartNumber": n, "Body": b64(b"small")}),
        )["ETag"]
            .clone();
        parts.push(json!({"PartNumber": n, "ETag": etag}));
    }
    assert_eq!(
        code(w.call(
            "CompleteMultipartUpload",
            json!({"Bucket": "big", "Key": "k", "UploadId": id, "MultipartUpload": {"Parts": parts}})
        )),
        (
            "EntityTooSmall".into(),
            400,
            "Your proposed upload is smaller than the minimum allowed size".into()
        )
    );
    w.ok(
        "AbortMultipartUpload",
        json!({"Bucket": "big", "Key": "k", "UploadId": id}),
    );
    assert_eq!(
        code(w.call(
            "AbortMultipartUpload",
            json!({"Bucket": "big", "Key": "k", "UploadId": id})
        ))
        .0,
        "NoSuchUpload"
    );
}

#[test]
fn list_objects_v1_pages_with_markers() {
    let mut w = photo_bucket();
    let page = w.ok(
        "ListObjects",
        json!({"Bucket": "pics", "Delimiter": "/", "MaxKeys": 3}),
    );
    assert_eq!(prefixes(&page), ["2024/", "2025/"]);
    assert_eq!(keys(&page), ["readme.txt"]);
    assert_eq!(page["IsTruncated"], true);
    assert_eq!(page["NextMarker"], "readme.txt");
    assert_eq!(page["Marker"], "");
    assert_eq!(
        page["Contents"][0]["Owner"]["ID"].as_str().unwrap().len(),
        64
    );
    let rest = w.ok(
        "ListObjects",
        json!({"Bucket": "pics", "Delimiter": "/", "Marker": "readme.txt"}),
    );
    assert_eq!(keys(&rest), ["z.txt"]);
    assert_eq!(rest["IsTruncated"], false);
    assert!(rest.get("NextMarker").is_none());
    // Without a delimiter there is no NextMarker: clients continue after the last key.
    let flat = w.ok("ListObjects", json!({"Bucket": "pics", "MaxKeys": 2}));
    assert_eq!(flat["IsTruncated"], true);
    assert!(flat.get("NextMarker").is_none());
}
