"""DynamoDB Streams through boto3's `dynamodbstreams` client against `nimbus serve`."""
import datetime

import boto3

import conftest
from conftest import NimbusServer, create_hash_table


def create_table(ddb, name="events", view="NEW_AND_OLD_IMAGES"):
    spec = {"StreamEnabled": True, "StreamViewType": view} if view else {"StreamEnabled": False}
    return create_hash_table(ddb, name, StreamSpecification=spec)


def error_of(call, **kwargs):
    return conftest.error_of(call, **kwargs)["Error"]


def read_all(streams, arn):
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return streams.get_records(ShardIterator=iterator)["Records"]


def test_create_table_with_a_stream_and_describe_it(client):
    ddb, streams = client("dynamodb"), client("dynamodbstreams")
    description = create_table(ddb)
    arn = description["LatestStreamArn"]
    label = description["LatestStreamLabel"]
    assert arn == f"arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/{label}"
    datetime.datetime.strptime(label, "%Y-%m-%dT%H:%M:%S.%f")
    assert ddb.describe_table(TableName="events")["Table"]["StreamSpecification"] == {
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}

    listed = streams.list_streams()["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": "events", "StreamLabel": label}]
    stream = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert stream["StreamStatus"] == "ENABLED"
    assert stream["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert stream["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert isinstance(stream["CreationRequestDateTime"], datetime.datetime)
    [shard] = stream["Shards"]
    assert shard["ShardId"].startswith("shardId-")
    assert len(shard["SequenceNumberRange"]["StartingSequenceNumber"]) >= 21


def test_records_of_puts_updates_and_deletes(client):
    ddb, streams = client("dynamodb"), client("dynamodbstreams")
    arn = create_table(ddb)["LatestStreamArn"]
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    ddb.update_item(TableName="events", Key={"pk": {"S": "a"}}, UpdateExpression="ADD n :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "n": {"N": "2"}})  # no change
    ddb.delete_item(TableName="events", Key={"pk": {"S": "a"}})
    ddb.delete_item(TableName="events", Key={"pk": {"S": "a"}})  # nothing to delete

    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = records
    assert insert["eventSource"] == "aws:dynamodb"
    assert insert["eventVersion"] == "1.1"
    assert insert["awsRegion"] == "us-east-1"
    assert insert["dynamodb"]["Keys"] == {"pk": {"S": "a"}}
    assert insert["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "n": {"N": "1"}}
    assert "OldImage" not in insert["dynamodb"]
    assert isinstance(insert["dynamodb"]["ApproximateCreationDateTime"], datetime.datetime)
    assert modify["dynamodb"]["OldImage"]["n"] == {"N": "1"}
    assert modify["dynamodb"]["NewImage"]["n"] == {"N": "2"}
    assert remove["dynamodb"]["OldImage"] == {"pk": {"S": "a"}, "n": {"N": "2"}}
    assert "NewImage" not in remove["dynamodb"]
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequence == sorted(sequence) and len(set(sequence)) == 3
    assert all(r["dynamodb"]["SizeBytes"] > 0 for r in records)
    assert len({r["eventID"] for r in records}) == 3


def test_keys_only_batches_and_transactions(client):
    ddb, streams = client("dynamodb"), client("dynamodbstreams")
    arn = create_table(ddb, view="KEYS_ONLY")["LatestStreamArn"]
    ddb.batch_write_item(RequestItems={"events": [
        {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "v": {"S": "x"}}}} for i in range(3)]})
    ddb.transact_write_items(TransactItems=[
        {"Delete": {"TableName": "events", "Key": {"pk": {"S": "k0"}}}},
        {"Put": {"TableName": "events", "Item": {"pk": {"S": "k9"}}}},
    ])
    records = read_all(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "k0"), ("INSERT", "k1"), ("INSERT", "k2"), ("REMOVE", "k0"), ("INSERT", "k9")]
    assert all("NewImage" not in r["dynamodb"] and "OldImage" not in r["dynamodb"] for r in records)
    assert {r["dynamodb"]["StreamViewType"] for r in records} == {"KEYS_ONLY"}


def test_iterator_types_and_paging(client):
    ddb, streams = client("dynamodb"), client("dynamodbstreams")
    arn = create_table(ddb, view="NEW_IMAGE")["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                        ShardIteratorType="LATEST")["ShardIterator"]
    for pk in "abc":
        ddb.put_item(TableName="events", Item={"pk": {"S": pk}})

    page = streams.get_records(ShardIterator=latest, Limit=2)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["a", "b"]
    page = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["c"]
    assert page["NextShardIterator"]

    first = read_all(streams, arn)[0]["dynamodb"]["SequenceNumber"]
    after = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                       ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       SequenceNumber=first)["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"]
            for r in streams.get_records(ShardIterator=after)["Records"]] == ["b", "c"]
    at = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=first)["ShardIterator"]
    assert len(streams.get_records(ShardIterator=at)["Records"]) == 3


def test_errors(client):
    ddb, streams = client("dynamodb"), client("dynamodbstreams")
    arn = create_table(ddb)["LatestStreamArn"]
    missing = arn.replace("table/events", "table/nothing")
    error = error_of(streams.describe_stream, StreamArn=missing)
    assert error == {"Code": "ResourceNotFoundException",
                     "Message": f"Requested resource not found: Stream: {missing} not found"}
    error = error_of(streams.get_records, ShardIterator="garbage")
    assert error["Code"] == "ValidationException"
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    error = error_of(streams.get_records, ShardIterator=iterator, Limit=1001)
    assert error["Code"] == "ValidationException"
    assert "less than or equal to 1000" in error["Message"]

    error = error_of(ddb.update_table, TableName="events",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert error == {"Code": "ValidationException",
                     "Message": "Table already has an enabled stream: TableName: events"}


def test_disable_and_reenable_gives_a_new_stream(client):
    ddb, streams = client("dynamodb"), client("dynamodbstreams")
    create_table(ddb, name="plain", view=None)
    error = error_of(ddb.update_table, TableName="plain", StreamSpecification={"StreamEnabled": False})
    assert error["Message"] == "Table has no stream to disable: TableName: plain"
    first = ddb.update_table(TableName="plain", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})["TableDescription"]["LatestStreamArn"]
    ddb.put_item(TableName="plain", Item={"pk": {"S": "a"}})
    ddb.update_table(TableName="plain", StreamSpecification={"StreamEnabled": False})
    assert streams.describe_stream(StreamArn=first)["StreamDescription"]["StreamStatus"] == "DISABLED"
    second = ddb.update_table(TableName="plain", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]["LatestStreamArn"]
    assert second != first
    listed = streams.list_streams(TableName="plain", Limit=1)
    assert [s["StreamArn"] for s in listed["Streams"]] == [first]
    assert listed["LastEvaluatedStreamArn"] == first
    rest = streams.list_streams(TableName="plain", ExclusiveStartStreamArn=first)
    assert [s["StreamArn"] for s in rest["Streams"]] == [second]
    assert [r["eventName"] for r in read_all(streams, first)] == ["INSERT"]


def test_records_survive_a_restart(tmp_path):
    def clients(endpoint):
        make = lambda service: boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                                            aws_access_key_id="test", aws_secret_access_key="test")
        return make("dynamodb"), make("dynamodbstreams")

    first = NimbusServer(data_dir=tmp_path)
    try:
        ddb, streams = clients(first.endpoint)
        arn = create_table(ddb)["LatestStreamArn"]
        ddb.put_item(TableName="events", Item={"pk": {"S": "a"}})
        ddb.put_item(TableName="events", Item={"pk": {"S": "b"}})
        before = read_all(streams, arn)
    finally:
        first.stop()
    second = NimbusServer(data_dir=tmp_path)
    try:
        _, streams = clients(second.endpoint)
        assert read_all(streams, arn) == before
    finally:
        second.stop()


def test_a_deleted_tables_stream_stays_readable(client):
    ddb, streams = client("dynamodb"), client("dynamodbstreams")
    arn = create_table(ddb, view="NEW_IMAGE")["LatestStreamArn"]
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}})
    ddb.delete_table(TableName="events")
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert [r["eventName"] for r in read_all(streams, arn)] == ["INSERT"]
    assert [s["StreamArn"] for s in streams.list_streams()["Streams"]] == [arn]


def test_create_table_refuses_an_unknown_view_type(client):
    ddb = client("dynamodb")
    error = error_of(ddb.create_table, TableName="bad",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGES"})
    assert error["Code"] == "ValidationException"
    assert "Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]" in error["Message"]
