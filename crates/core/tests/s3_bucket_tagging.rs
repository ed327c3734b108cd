//! S3 bucket tagging: PutBucketTagging, GetBucketTagging and DeleteBucketTagging.

mod common;

use common::ACCOUNT;
use serde_json::json;

type World = common::World<(String, u16, String)>;

fn world() -> World {
    let mut w = World::new("s3", ACCOUNT);
    w.ok("CreateBucket", json!({"Bucket": "tagged"}));
    w
}

fn tag_set(pairs: &[(&str, &str)]) -> serde_json::Value {
    json!(pairs
        .iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect::<Vec<_>>())
}

#[test]
fn a_tag_set_is_replaced_whole_and_reads_back_in_order() {
    let mut w = world();
    let put = |w: &mut World, pairs: &[(&str, &str)]| {
        w.ok(
            "PutBucketTagging",
            json!({"Bucket": "tagged", "Tagging": {"TagSet": tag_set(pairs)}}),
        )
    };
    put(&mut w, &[("environment", "moto_tests"), ("team", "a")]);
    assert_eq!(
        w.ok("GetBucketTagging", json!({"Bucket": "tagged"}))["TagSet"],
        tag_set(&[("environment", "moto_tests"), ("team", "a")])
    );
    put(&mut w, &[("team", "b")]);
    let mut w = w.restart();
    assert_eq!(
        w.ok("GetBucketTagging", json!({"Bucket": "tagged"}))["TagSet"],
        tag_set(&[("team", "b")])
    );
}

#[test]
fn an_untagged_bucket_has_no_tag_set() {
    let mut w = world();
    w.ok(
        "PutBucketTagging",
        json!({"Bucket": "tagged", "Tagging": {"TagSet": tag_set(&[("k", "v")])}}),
    );
    w.ok("DeleteBucketTagging", json!({"Bucket": "tagged"}));
    assert_eq!(
        w.err("GetBucketTagging", json!({"Bucket": "tagged"})),
        (
            "NoSuchTagSet".into(),
            404,
            "The TagSet does not exist".into()
        )
    );
    // Objects stay where they were.
    w.ok(
        "PutObject",
        json!({"Bucket": "tagged", "Key": "k", "Body": "eA=="}),
    );
    w.ok(
        "PutBucketTagging",
        json!({"Bucket": "tagged", "Tagging": {"TagSet": tag_set(&[("k", "v")])}}),
    );
    assert_eq!(
        w.ok("GetObject", json!({"Bucket": "tagged", "Key": "k"}))["Body"],
        "eA=="
    );
}

#[test]
fn duplicate_and_reserved_keys_are_invalid_tags() {
    let mut w = world();
    for pairs in [&[("a", "1"), ("a", "2")][..], &[("aws:x", "1")][..]] {
        let (code, status, _) = w.err(
            "PutBucketTagging",
            json!({"Bucket": "tagged", "Tagging": {"TagSet": tag_set(pairs)}}),
        );
        assert_eq!((code.as_str(), status), ("InvalidTag", 400));
    }
    assert_eq!(
        w.err("GetBucketTagging", json!({"Bucket": "missing"})).0,
        "NoSuchBucket"
    );
}
