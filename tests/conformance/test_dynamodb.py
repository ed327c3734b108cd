import pytest
from botocore.exceptions import ClientError


def create_table(ddb, name="items", sort_key=False):
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
    return ddb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs,
                            BillingMode="PAY_PER_REQUEST")["TableDescription"]


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as failure:
        call(*args, **kwargs)
    return failure.value.response["Error"]


def test_create_describe_list_delete_table(client):
    ddb = client("dynamodb")
    created = create_table(ddb, sort_key=True)
    assert created["TableName"] == "items"
    assert created["TableStatus"] == "ACTIVE"
    assert created["TableArn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/items"
    assert created["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    described = ddb.describe_table(TableName="items")["Table"]
    assert described["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                      {"AttributeName": "sk", "KeyType": "RANGE"}]
    create_table(ddb, name="another")
    assert ddb.list_tables()["TableNames"] == ["another", "items"]
    ddb.delete_table(TableName="items")
    assert ddb.list_tables()["TableNames"] == ["another"]
    error = error_of(ddb.describe_table, TableName="items")
    assert error["Code"] == "ResourceNotFoundException"


def test_creating_a_table_twice_is_resource_in_use(client):
    ddb = client("dynamodb")
    create_table(ddb)
    error = error_of(create_table, ddb)
    assert error["Code"] == "ResourceInUseException"
    assert "items" in error["Message"]


def test_put_get_delete_item(client):
    ddb = client("dynamodb")
    create_table(ddb, sort_key=True)
    item = {"pk": {"S": "user#1"}, "sk": {"N": "7"}, "name": {"S": "Ada"}, "tags": {"SS": ["a", "b"]},
            "blob": {"B": b"\x00\x01"}, "nested": {"M": {"ok": {"BOOL": True}, "list": {"L": [{"NULL": True}]}}}}
    ddb.put_item(TableName="items", Item=item)
    got = ddb.get_item(TableName="items", Key={"pk": {"S": "user#1"}, "sk": {"N": "7"}})["Item"]
    assert got == item
    old = ddb.delete_item(TableName="items", Key={"pk": {"S": "user#1"}, "sk": {"N": "7"}},
                          ReturnValues="ALL_OLD")["Attributes"]
    assert old["name"] == {"S": "Ada"}
    assert "Item" not in ddb.get_item(TableName="items", Key={"pk": {"S": "user#1"}, "sk": {"N": "7"}})


def test_put_item_validation_errors(client):
    ddb = client("dynamodb")
    create_table(ddb)
    missing = error_of(ddb.put_item, TableName="items", Item={"other": {"S": "x"}})
    assert missing["Code"] == "ValidationException"
    assert missing["Message"] == "One or more parameter values were invalid: Missing the key pk in the item"
    wrong_type = error_of(ddb.put_item, TableName="items", Item={"pk": {"N": "1"}})
    assert wrong_type["Code"] == "ValidationException"
    assert "Type mismatch for key pk expected: S actual: N" in wrong_type["Message"]
    no_table = error_of(ddb.put_item, TableName="nope", Item={"pk": {"S": "x"}})
    assert no_table["Code"] == "ResourceNotFoundException"
    too_big = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "x"}, "big": {"S": "x" * 410_000}})
    assert too_big["Code"] == "ValidationException"
    assert "Item size has exceeded the maximum allowed size" in too_big["Message"]


def test_get_item_with_a_key_that_does_not_match_the_schema(client):
    ddb = client("dynamodb")
    create_table(ddb)
    error = error_of(ddb.get_item, TableName="items", Key={"pk": {"S": "a"}, "extra": {"S": "b"}})
    assert error["Code"] == "ValidationException"
    assert error["Message"] == "The provided key element does not match the schema"


def test_numbers_are_normalised(client):
    ddb = client("dynamodb")
    create_table(ddb)
    ddb.put_item(TableName="items", Item={"pk": {"S": "n"}, "v": {"N": "0010.500"}})
    assert ddb.get_item(TableName="items", Key={"pk": {"S": "n"}})["Item"]["v"] == {"N": "10.5"}
