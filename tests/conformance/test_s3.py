import pytest
from botocore.exceptions import ClientError


def test_bucket_and_object_lifecycle(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="photos")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["photos"]
    put = s3.put_object(Bucket="photos", Key="cats/tom.txt", Body=b"meow", ContentType="text/plain",
                        Metadata={"owner": "ada"})
    assert put["ETag"] == '"4a4be40c96ac6314e91d93f38043a634"'
    got = s3.get_object(Bucket="photos", Key="cats/tom.txt")
    assert got["Body"].read() == b"meow"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"owner": "ada"}
    head = s3.head_object(Bucket="photos", Key="cats/tom.txt")
    assert head["ContentLength"] == 4
    assert head["ETag"] == put["ETag"]
    s3.delete_object(Bucket="photos", Key="cats/tom.txt")
    with pytest.raises(ClientError) as failure:
        s3.get_object(Bucket="photos", Key="cats/tom.txt")
    assert failure.value.response["Error"]["Code"] == "NoSuchKey"
    with pytest.raises(ClientError) as failure:
        s3.head_object(Bucket="photos", Key="cats/tom.txt")
    assert failure.value.response["Error"]["Code"] == "404"


def test_list_objects_v2_with_prefix_delimiter_and_pages(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="docs")
    for key in ["a/1", "a/2", "b/1", "c", "d"]:
        s3.put_object(Bucket="docs", Key=key, Body=key.encode())
    listing = s3.list_objects_v2(Bucket="docs", Delimiter="/")
    assert [o["Key"] for o in listing["Contents"]] == ["c", "d"]
    assert [p["Prefix"] for p in listing["CommonPrefixes"]] == ["a/", "b/"]
    page = s3.list_objects_v2(Bucket="docs", MaxKeys=2)
    assert page["IsTruncated"] is True and page["KeyCount"] == 2
    rest = s3.list_objects_v2(Bucket="docs", ContinuationToken=page["NextContinuationToken"])
    assert [o["Key"] for o in page["Contents"] + rest["Contents"]] == ["a/1", "a/2", "b/1", "c", "d"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="docs", Prefix="a/")["Contents"]] == ["a/1", "a/2"]


def test_missing_bucket_and_bad_names(client):
    s3 = client("s3")
    with pytest.raises(ClientError) as failure:
        s3.list_objects_v2(Bucket="nowhere")
    assert failure.value.response["Error"]["Code"] == "NoSuchBucket"
    with pytest.raises(ClientError) as failure:
        s3.create_bucket(Bucket="Bad_Name")
    assert failure.value.response["Error"]["Code"] == "InvalidBucketName"


def test_large_object_round_trips(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="big")
    body = bytes(range(256)) * 8192  # 2 MiB
    s3.put_object(Bucket="big", Key="blob.bin", Body=body)
    assert s3.get_object(Bucket="big", Key="blob.bin")["Body"].read() == body


def test_list_object_versions_of_a_never_versioned_bucket(client):
    # moto's s3_aws_verified clean-up: every version deleted by id, then the bucket.
    s3 = client("s3")
    s3.create_bucket(Bucket="plain")
    for key in ["a/1", "a/2", "b c"]:
        s3.put_object(Bucket="plain", Key=key, Body=b"x")
    assert s3.get_bucket_versioning(Bucket="plain").get("Status") is None
    listing = s3.list_object_versions(Bucket="plain")
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [
        ("a/1", "null", True), ("a/2", "null", True), ("b c", "null", True)]
    assert "DeleteMarkers" not in listing
    page = s3.list_object_versions(Bucket="plain", Delimiter="/", MaxKeys=1)
    assert page["IsTruncated"] is True and page["NextKeyMarker"] == "a/"
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/"]
    rest = s3.list_object_versions(Bucket="plain", Delimiter="/", KeyMarker="a/")
    assert [v["Key"] for v in rest["Versions"]] == ["b c"]
    with pytest.raises(ClientError) as failure:
        s3.get_object_lock_configuration(Bucket="plain")
    assert failure.value.response["Error"]["Code"] == "ObjectLockConfigurationNotFoundError"
    for version in listing["Versions"]:
        s3.delete_object(Bucket="plain", Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket="plain")


def test_versioned_bucket_keeps_versions_and_delete_markers(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="vault")
    s3.put_bucket_versioning(Bucket="vault", VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket="vault")["Status"] == "Enabled"
    v1 = s3.put_object(Bucket="vault", Key="doc", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket="vault", Key="doc", Body=b"two")["VersionId"]
    assert v1 != v2
    assert s3.get_object(Bucket="vault", Key="doc", VersionId=v1)["Body"].read() == b"one"
    got = s3.get_object(Bucket="vault", Key="doc")
    assert got["Body"].read() == b"two" and got["VersionId"] == v2
    assert s3.head_object(Bucket="vault", Key="doc", VersionId=v1)["ContentLength"] == 3
    deleted = s3.delete_object(Bucket="vault", Key="doc")
    assert deleted["DeleteMarker"] is True
    with pytest.raises(ClientError) as failure:
        s3.get_object(Bucket="vault", Key="doc")
    assert failure.value.response["Error"]["Code"] == "NoSuchKey"
    listing = s3.list_object_versions(Bucket="vault")
    assert [(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [(v2, False), (v1, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [
        (deleted["VersionId"], True)]
    with pytest.raises(ClientError) as failure:
        s3.get_object(Bucket="vault", Key="doc", VersionId="not-a-version")
    assert failure.value.response["Error"]["Code"] == "InvalidArgument"
    s3.delete_object(Bucket="vault", Key="doc", VersionId=deleted["VersionId"])
    assert s3.get_object(Bucket="vault", Key="doc")["Body"].read() == b"two"
