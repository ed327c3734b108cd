"""DynamoDB UpdateItem and the expression languages through boto3 against `nimbus serve`."""
from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.conditions import Attr

from conftest import create_hash_table, error_of


@pytest.fixture
def ddb(client):
    ddb = client("dynamodb")
    create_hash_table(ddb)
    ddb.put_item(TableName="items", Item={
        "pk": {"S": "k"}, "n": {"N": "5"}, "s": {"S": "hello"},
        "tags": {"SS": ["a", "b"]}, "extras": {"SS": ["a", "z"]}, "l": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]},
        "m": {"M": {"a": {"N": "1"}}}})
    return ddb


def stored(ddb):
    return ddb.get_item(TableName="items", Key={"pk": {"S": "k"}})["Item"]


def test_every_action_in_one_update(ddb):
    answer = ddb.update_item(
        TableName="items", Key={"pk": {"S": "k"}},
        UpdateExpression="SET n = n + :one, m.b = :b, l2 = list_append(:more, :more), "
                         "c = if_not_exists(c, :zero) REMOVE s, l[0] ADD tags :t, visits :one "
                         "DELETE extras :gone",
        ExpressionAttributeValues={":one": {"N": "1"}, ":b": {"S": "bee"}, ":zero": {"N": "0"},
                                   ":more": {"L": [{"S": "w"}]}, ":t": {"SS": ["c"]},
                                   ":gone": {"SS": ["a"]}},
        ReturnValues="ALL_NEW")
    item = answer["Attributes"]
    assert item == stored(ddb)
    assert item["n"] == {"N": "6"}
    assert item["m"] == {"M": {"a": {"N": "1"}, "b": {"S": "bee"}}}
    assert item["l2"] == {"L": [{"S": "w"}, {"S": "w"}]}
    assert item["l"] == {"L": [{"S": "y"}, {"S": "z"}]}
    assert item["c"] == {"N": "0"}
    assert "s" not in item
    assert sorted(item["tags"]["SS"]) == ["a", "b", "c"]
    assert item["extras"] == {"SS": ["z"]}
    assert item["visits"] == {"N": "1"}


def test_a_path_and_its_parent_in_one_update_overlap(ddb):
    response = error_of(ddb.update_item, TableName="items", Key={"pk": {"S": "k"}},
                        UpdateExpression="SET l = list_append(l, :more) REMOVE l[0]",
                        ExpressionAttributeValues={":more": {"L": [{"S": "w"}]}})
    assert response["Error"]["Message"] == (
        "1 validation error detected: "
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
        "rewrite one of these paths; path one: [l], path two: [l, [0]]")


@pytest.mark.parametrize("mode,expected", [
    ("NONE", None),
    ("ALL_OLD", "old"),
    ("UPDATED_OLD", {"n": {"N": "5"}}),
    ("ALL_NEW", "new"),
    ("UPDATED_NEW", {"n": {"N": "7"}}),
])
def test_return_values(ddb, mode, expected):
    before = stored(ddb)
    answer = ddb.update_item(TableName="items", Key={"pk": {"S": "k"}},
                             UpdateExpression="SET n = n + :two",
                             ExpressionAttributeValues={":two": {"N": "2"}}, ReturnValues=mode)
    if expected == "old":
        expected = before
    elif expected == "new":
        expected = stored(ddb)
    assert answer.get("Attributes") == expected


def test_upsert_with_the_resource_api(client, server):
    ddb = client("dynamodb")
    create_hash_table(ddb)
    table = boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test").Table("items")
    for _ in range(3):
        table.update_item(Key={"pk": "counter"}, UpdateExpression="ADD hits :one",
                          ExpressionAttributeValues={":one": 1})
    assert table.get_item(Key={"pk": "counter"})["Item"] == {"pk": "counter", "hits": Decimal(3)}
    table.update_item(Key={"pk": "counter"}, UpdateExpression="SET #s = :s",
                      ConditionExpression=Attr("hits").gte(3),
                      ExpressionAttributeNames={"#s": "status"},
                      ExpressionAttributeValues={":s": "busy"})
    assert table.get_item(Key={"pk": "counter"})["Item"]["status"] == "busy"


def test_condition_failure_returns_the_old_item(ddb):
    response = error_of(ddb.update_item, TableName="items", Key={"pk": {"S": "k"}},
                        UpdateExpression="SET n = :v", ConditionExpression="n > :v",
                        ExpressionAttributeValues={":v": {"N": "10"}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert response["Error"]["Message"] == "The conditional request failed"
    assert response["Item"] == stored(ddb)
    assert stored(ddb)["n"] == {"N": "5"}
    response = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "k"}},
                        ConditionExpression="attribute_not_exists(pk)",
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert response["Item"]["s"] == {"S": "hello"}
    response = error_of(ddb.delete_item, TableName="items", Key={"pk": {"S": "k"}},
                        ConditionExpression="size(l) > :three",
                        ExpressionAttributeValues={":three": {"N": "3"}})
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert "Item" not in response


def test_conditions_that_hold(ddb):
    ddb.delete_item(TableName="items", Key={"pk": {"S": "k"}},
                    ConditionExpression="begins_with(s, :he) AND contains(tags, :a) "
                                        "AND n BETWEEN :lo AND :hi AND attribute_type(m, :M) "
                                        "AND NOT (n IN (:lo, :hi))",
                    ExpressionAttributeValues={":he": {"S": "he"}, ":a": {"S": "a"},
                                               ":lo": {"N": "1"}, ":hi": {"N": "10"},
                                               ":M": {"S": "M"}})
    assert "Item" not in ddb.get_item(TableName="items", Key={"pk": {"S": "k"}})


@pytest.mark.parametrize("kwargs,message", [
    (dict(UpdateExpression="SET pk = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
     "One or more parameter values were invalid: Cannot update attribute pk. "
     "This attribute is part of the key"),
    (dict(UpdateExpression="SET a = :v, a.b = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
     "1 validation error detected: "
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
     "rewrite one of these paths; path one: [a], path two: [a, b]"),
    (dict(UpdateExpression="SET status = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"S": "x"}, ":w": {"S": "y"}}),
     "1 validation error detected: "
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"),
    (dict(UpdateExpression="SET a = :v"),
     "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
     "attribute value: :v"),
    (dict(UpdateExpression="SET a = :v +", ExpressionAttributeValues={":v": {"N": "1"}}),
     "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"+\""),
    (dict(UpdateExpression="ADD n :v", ExpressionAttributeValues={":v": {"S": "x"}}),
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
     "operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    (dict(UpdateExpression="SET s = s + :v", ExpressionAttributeValues={":v": {"N": "1"}}),
     "An operand in the update expression has an incorrect data type"),
    (dict(UpdateExpression="SET x = nothing"),
     "The provided expression refers to an attribute that does not exist in the item"),
    (dict(UpdateExpression="SET s.deeper = :v", ExpressionAttributeValues={":v": {"N": "1"}}),
     "The document path provided in the update expression is invalid for update"),
    (dict(UpdateExpression="SET a = :v", ConditionExpression="a = a",
          ExpressionAttributeValues={":v": {"N": "1"}}),
     "Invalid ConditionExpression: The first operand must be distinct from the remaining "
     "operands for this operator or function; operator: =, first operand: [a]"),
    (dict(UpdateExpression="SET a = :v", ConditionExpression="size(a)",
          ExpressionAttributeValues={":v": {"N": "1"}}),
     "Invalid ConditionExpression: The function is not allowed to be used this way in an "
     "expression; function: size"),
])
def test_validation_errors(ddb, kwargs, message):
    response = error_of(ddb.update_item, TableName="items", Key={"pk": {"S": "k"}}, **kwargs)
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert stored(ddb)["n"] == {"N": "5"}


def test_filter_and_projection_on_scan(ddb):
    ddb.put_item(TableName="items", Item={"pk": {"S": "other"}, "n": {"N": "50"},
                                          "m": {"M": {"a": {"N": "2"}}}})
    answer = ddb.scan(TableName="items", FilterExpression="size(tags) = :two OR m.a > :one",
                      ProjectionExpression="pk, m.a",
                      ExpressionAttributeValues={":two": {"N": "2"}, ":one": {"N": "1"}})
    items = sorted(answer["Items"], key=lambda i: i["pk"]["S"])
    assert items == [{"pk": {"S": "k"}, "m": {"M": {"a": {"N": "1"}}}},
                     {"pk": {"S": "other"}, "m": {"M": {"a": {"N": "2"}}}}]
    answer = ddb.scan(TableName="items", FilterExpression="attribute_not_exists(tags)")
    assert [i["pk"]["S"] for i in answer["Items"]] == ["other"]


def test_legacy_parameters(ddb):
    ddb.update_item(TableName="items", Key={"pk": {"S": "k"}},
                    AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "10"}},
                                      "s": {"Action": "DELETE"},
                                      "l": {"Action": "ADD", "Value": {"L": [{"S": "w"}]}}},
                    Expected={"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "5"}]}})
    item = stored(ddb)
    assert item["n"] == {"N": "15"}
    assert "s" not in item
    assert item["l"]["L"][-1] == {"S": "w"}
    response = error_of(ddb.put_item, TableName="items", Item={"pk": {"S": "k"}},
                        Expected={"n": {"Exists": False}})
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    answer = ddb.query(TableName="items",
                       KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                             "AttributeValueList": [{"S": "k"}]}},
                       QueryFilter={"n": {"ComparisonOperator": "GT",
                                          "AttributeValueList": [{"N": "10"}]}},
                       AttributesToGet=["n"])
    assert answer["Items"] == [{"n": {"N": "15"}}]
    answer = ddb.scan(TableName="items",
                      ScanFilter={"tags": {"ComparisonOperator": "CONTAINS",
                                           "AttributeValueList": [{"S": "z"}]}})
    assert answer["Count"] == 0
