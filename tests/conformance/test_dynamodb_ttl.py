"""DynamoDB Time to Live through boto3 against `nimbus serve`: UpdateTimeToLive /
DescribeTimeToLive, and the server's sweep deleting an expired item with a REMOVE stream
record made by the service."""
import time

import pytest
from botocore.exceptions import ClientError


def create_table(ddb, name="sessions"):
    ddb.create_table(TableName=name,
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as failure:
        call(**kwargs)
    return failure.value.response["Error"]


def test_update_and_describe_time_to_live(client):
    ddb = client("dynamodb")
    create_table(ddb)
    assert ddb.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    out = ddb.update_time_to_live(TableName="sessions", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    assert ddb.describe_time_to_live(TableName="sessions")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    error = error_of(ddb.update_time_to_live, TableName="sessions",
                     TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    assert error == {"Code": "ValidationException", "Message": "TimeToLive is already enabled"}
    ddb.update_time_to_live(TableName="sessions", TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "expires"})
    error = error_of(ddb.update_time_to_live, TableName="sessions",
                     TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
    assert error["Message"] == "TimeToLive is already disabled"
    error = error_of(ddb.describe_time_to_live, TableName="missing")
    assert error["Code"] == "ResourceNotFoundException"


def test_an_expired_item_disappears(client):
    ddb = client("dynamodb")
    create_table(ddb)
    ddb.update_time_to_live(TableName="sessions", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    now = int(time.time())
    ddb.put_item(TableName="sessions", Item={"pk": {"S": "old"}, "expires": {"N": str(now - 60)}})
    ddb.put_item(TableName="sessions", Item={"pk": {"S": "new"}, "expires": {"N": str(now + 3600)}})
    ddb.put_item(TableName="sessions", Item={"pk": {"S": "text"}, "expires": {"S": str(now - 60)}})
    deadline = time.time() + 10
    while "Item" in ddb.get_item(TableName="sessions", Key={"pk": {"S": "old"}}):
        assert time.time() < deadline, "the expired item was never deleted"
        time.sleep(0.2)
    keys = sorted(i["pk"]["S"] for i in ddb.scan(TableName="sessions")["Items"])
    assert keys == ["new", "text"]

    streams = client("dynamodbstreams")
    arn = ddb.describe_table(TableName="sessions")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    removes = [r for r in records if r["eventName"] == "REMOVE"]
    assert len(removes) == 1
    assert removes[0]["dynamodb"]["Keys"] == {"pk": {"S": "old"}}
    assert removes[0]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
