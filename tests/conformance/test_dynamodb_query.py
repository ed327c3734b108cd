"""DynamoDB Query and Scan through boto3 against `nimbus serve`."""
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError


def create_table(ddb, name="items"):
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST")


def test_query_with_between_and_descending_order(client):
    ddb = client("dynamodb")
    create_table(ddb)
    for n in ["-2.5", "-1", "0", "1.5", "3", "10", "100"]:
        ddb.put_item(TableName="items", Item={"pk": {"S": "a"}, "sk": {"N": n}})
        ddb.put_item(TableName="items", Item={"pk": {"S": "b"}, "sk": {"N": n}})

    answer = ddb.query(TableName="items",
                       KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
                       ExpressionAttributeValues={":p": {"S": "a"}, ":lo": {"N": "-1"},
                                                  ":hi": {"N": "10"}},
                       ScanIndexForward=False)
    assert [i["sk"]["N"] for i in answer["Items"]] == ["10", "3", "1.5", "0", "-1"]
    assert answer["Count"] == 5 and answer["ScannedCount"] == 5
    assert "LastEvaluatedKey" not in answer


def test_query_through_the_resource_api_and_its_condition_builder(client, server):
    import boto3
    resource = boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
    create_table(resource.meta.client)
    table = resource.Table("items")
    for n in range(5):
        table.put_item(Item={"pk": "x", "sk": n, "label": f"item {n}"})
    answer = table.query(KeyConditionExpression=Key("pk").eq("x") & Key("sk").gte(3))
    assert [(i["sk"], i["label"]) for i in answer["Items"]] == [(3, "item 3"), (4, "item 4")]


def test_scan_with_the_paginator_reads_every_item_once(client):
    ddb = client("dynamodb")
    create_table(ddb)
    for i in range(23):
        ddb.put_item(TableName="items", Item={"pk": {"S": f"p{i % 4}"}, "sk": {"N": str(i)}})
    pages = list(ddb.get_paginator("scan").paginate(TableName="items",
                                                    PaginationConfig={"PageSize": 5}))
    assert len(pages) == 5
    seen = sorted(int(item["sk"]["N"]) for page in pages for item in page["Items"])
    assert seen == list(range(23))

    pages = list(ddb.get_paginator("query").paginate(
        TableName="items", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p1"}}, PaginationConfig={"PageSize": 2}))
    assert [int(i["sk"]["N"]) for p in pages for i in p["Items"]] == [1, 5, 9, 13, 17, 21]


def test_query_errors_match_aws(client):
    ddb = client("dynamodb")
    create_table(ddb)
    with pytest.raises(ClientError) as failure:
        ddb.query(TableName="items", KeyConditionExpression="sk = :v",
                  ExpressionAttributeValues={":v": {"N": "1"}})
    assert failure.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Query condition missed key schema element: pk"}
    with pytest.raises(ClientError) as failure:
        ddb.query(TableName="missing", KeyConditionExpression="pk = :v",
                  ExpressionAttributeValues={":v": {"S": "1"}})
    assert failure.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as failure:
        ddb.scan(TableName="items", Segment=1, TotalSegments=1)
    assert failure.value.response["Error"]["Message"] == (
        "The Segment parameter is zero-based and must be less than parameter TotalSegments")


def test_scan_with_a_filter_built_by_boto3(client, server):
    import boto3
    from boto3.dynamodb.conditions import Attr
    resource = boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
    create_table(resource.meta.client)
    table = resource.Table("items")
    for n in range(6):
        table.put_item(Item={"pk": "x", "sk": n, "colour": "red" if n % 2 else "blue"})
    answer = table.scan(FilterExpression=Attr("colour").eq("red") & Attr("sk").gt(1))
    assert sorted(i["sk"] for i in answer["Items"]) == [3, 5]
    assert answer["Count"] == 2 and answer["ScannedCount"] == 6


def test_key_condition_refusals_match_aws(client, server):
    """moto's test_query_empty_key_exception, test_query_unused_attribute_name (AWS-verified)
    and test_conditions_ignorecase, through boto3's resource API and the low-level client."""
    import boto3
    resource = boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="strings",
        KeySchema=[{"AttributeName": "hk", "KeyType": "HASH"},
                   {"AttributeName": "rk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "hk", "AttributeType": "S"},
                              {"AttributeName": "rk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    table = resource.Table("strings")

    def refusal(**query):
        with pytest.raises(ClientError) as failure:
            table.query(**query)
        assert failure.value.response["Error"]["Code"] == "ValidationException"
        return failure.value.response["Error"]["Message"]

    empty = ("One or more parameter values are not valid. The AttributeValue for a key attribute "
             "cannot contain an empty string value. Key: ")
    assert refusal(KeyConditionExpression=Key("hk").eq("")) == empty + "hk"
    assert refusal(KeyConditionExpression=Key("hk").eq("a") & Key("rk").eq("")) == empty + "rk"
    assert refusal(KeyConditionExpression="(#0 = x)",
                   ExpressionAttributeNames={"#0": "hk"}) == (
        "Invalid KeyConditionExpression: Invalid condition in KeyConditionExpression: "
        "Multiple attribute names used in one condition")
    assert refusal(KeyConditionExpression="hk = :h and BegIns_WiTh(rk, :r)",
                   ExpressionAttributeValues={":h": "a", ":r": "1"}) == (
        "Invalid KeyConditionExpression: Invalid function name; function: BegIns_WiTh")


def test_keys_longer_than_aws_allows_are_refused_on_every_path(client):
    """moto's test_update_item_with_long_string_hash_key_exception (AWS-verified)."""
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="keys",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")

    def key(pk, sk):
        return {"pk": {"S": "x" * pk}, "sk": {"S": "y" * sk}}

    update = {"UpdateExpression": "SET body = :v", "ExpressionAttributeValues": {":v": {"S": "hi"}}}
    ddb.update_item(TableName="keys", Key=key(2048, 1024), **update)
    hash_error = ("One or more parameter values were invalid: Size of hashkey has exceeded the "
                  "maximum size limit of2048 bytes")
    range_error = ("One or more parameter values were invalid: Aggregated size of all range keys "
                   "has exceeded the size limit of 1024 bytes")
    for call, extra in [(ddb.update_item, update), (ddb.get_item, {}), (ddb.delete_item, {})]:
        for k, message in [(key(2049, 1), hash_error), (key(1, 1025), range_error)]:
            with pytest.raises(ClientError) as failure:
                call(TableName="keys", Key=k, **extra)
            assert failure.value.response["Error"]["Message"] == message
    assert ddb.get_item(TableName="keys", Key=key(2048, 1024))["Item"]["body"] == {"S": "hi"}
