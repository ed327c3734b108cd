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
