"""DynamoDB batches and transactions through boto3 (client and resource APIs) against `nimbus serve`."""
import re
from decimal import Decimal

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import create_hash_table, error_of


@pytest.fixture
def ddb(client):
    ddb = client("dynamodb")
    create_hash_table(ddb)
    return ddb


@pytest.fixture
def table(server, ddb):
    resource = boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
    return resource.Table("items")


def test_batch_writer_and_batch_get_item(ddb, table):
    # The batch writer sends BatchWriteItem calls of 25 and retries what comes back unprocessed.
    with table.batch_writer() as batch:
        for i in range(60):
            batch.put_item(Item={"pk": f"k{i:02}", "n": i})
        batch.delete_item(Key={"pk": "k00"})
    assert table.scan(Select="COUNT")["Count"] == 59

    answer = ddb.batch_get_item(RequestItems={
        "items": {"Keys": [{"pk": {"S": "k01"}}, {"pk": {"S": "k02"}}, {"pk": {"S": "k00"}}],
                  "ProjectionExpression": "pk, #n", "ExpressionAttributeNames": {"#n": "n"},
                  "ConsistentRead": True}},
        ReturnConsumedCapacity="TOTAL")
    got = sorted(answer["Responses"]["items"], key=lambda item: item["pk"]["S"])
    assert got == [{"pk": {"S": "k01"}, "n": {"N": "1"}}, {"pk": {"S": "k02"}, "n": {"N": "2"}}]
    assert answer["UnprocessedKeys"] == {}
    assert answer["ConsumedCapacity"] == [{"TableName": "items", "CapacityUnits": 3.0}]

    resource_answer = table.meta.client.batch_get_item(
        RequestItems={"items": {"Keys": [{"pk": "k05"}]}})
    assert resource_answer["Responses"]["items"] == [{"pk": "k05", "n": Decimal(5)}]


def test_batch_refusals(ddb):
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(26)]
    error = error_of(ddb.batch_write_item, RequestItems={"items": puts})["Error"]
    # Over 25 for one table: the model's map value constraint, the list printed as Java does.
    assert error["Code"] == "ValidationException"
    assert re.fullmatch(
        r"1 validation error detected: Value '\{items=\[(com\.amazonaws\.dynamodb\.v20120810\."
        r"WriteRequest@[0-9a-f]{8}(, )?){26}\]\}' at 'requestItems' failed to satisfy constraint: "
        r"Map value must satisfy constraint: \[Member must have length less than or equal to 25, "
        r"Member must have length greater than or equal to 1\]", error["Message"]), error["Message"]
    # Over 25 across tables.
    error = error_of(ddb.batch_write_item, RequestItems={"items": puts[:13], "other": puts[13:]})["Error"]
    assert error == {"Code": "ValidationException",
                     "Message": "Too many items requested for the BatchWriteItem call"}
    error = error_of(ddb.batch_get_item, RequestItems={"items": {
        "Keys": [{"pk": {"S": f"k{i}"}} for i in range(101)]}})["Error"]
    # Over 100 keys for one table break the model's KeyList constraint (AWS names the
    # member, not its value); over 100 spread across tables is "Too many items requested".
    assert error["Message"] == ("1 validation error detected: Value at 'requestItems.items.member.keys'"
                                " failed to satisfy constraint: Member must have length less than or equal to 100")
    error = error_of(ddb.batch_get_item, RequestItems={"items": {
        "Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}})["Error"]
    assert error["Message"] == "Provided list of item keys contains duplicates"
    error = error_of(ddb.batch_write_item, RequestItems={"items": [
        {"PutRequest": {"Item": {"pk": {"S": "a"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]})["Error"]
    assert error["Message"] == "Provided list of item keys contains duplicates"
    # A refused batch wrote nothing.
    assert "Item" not in ddb.get_item(TableName="items", Key={"pk": {"S": "a"}})


def test_transact_write_items_cancels_everything_on_a_failed_condition(ddb):
    ddb.put_item(TableName="items", Item={"pk": {"S": "alice"}, "balance": {"N": "5"}})
    ddb.put_item(TableName="items", Item={"pk": {"S": "bob"}, "balance": {"N": "0"}})
    moves = [
        {"Update": {"TableName": "items", "Key": {"pk": {"S": "bob"}},
                    "UpdateExpression": "SET balance = balance + :amount",
                    "ExpressionAttributeValues": {":amount": {"N": "10"}}}},
        {"Update": {"TableName": "items", "Key": {"pk": {"S": "alice"}},
                    "UpdateExpression": "SET balance = balance - :amount",
                    "ConditionExpression": "balance >= :amount",
                    "ExpressionAttributeValues": {":amount": {"N": "10"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    ]
    with pytest.raises(ClientError) as failure:
        ddb.transact_write_items(TransactItems=moves)
    e = failure.value
    assert e.response["Error"]["Code"] == "TransactionCanceledException"
    assert e.response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed]")
    assert e.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
         "Item": {"pk": {"S": "alice"}, "balance": {"N": "5"}}},
    ]
    assert isinstance(e, ddb.exceptions.TransactionCanceledException)
    bob = ddb.get_item(TableName="items", Key={"pk": {"S": "bob"}})["Item"]
    assert bob["balance"] == {"N": "0"}

    ddb.put_item(TableName="items", Item={"pk": {"S": "alice"}, "balance": {"N": "15"}})
    ddb.transact_write_items(TransactItems=moves, ClientRequestToken="move-1")
    # A retry with the same token does not move the money twice.
    ddb.transact_write_items(TransactItems=moves, ClientRequestToken="move-1")
    alice = ddb.get_item(TableName="items", Key={"pk": {"S": "alice"}})["Item"]
    assert alice["balance"] == {"N": "5"}
    error = error_of(ddb.transact_write_items, TransactItems=moves[:1],
                     ClientRequestToken="move-1")["Error"]
    assert error["Code"] == "IdempotentParameterMismatchException"

    error = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": "items", "Item": {"pk": {"S": "x"}}}},
        {"ConditionCheck": {"TableName": "items", "Key": {"pk": {"S": "x"}},
                            "ConditionExpression": "attribute_not_exists(pk)"}}])["Error"]
    assert error == {"Code": "ValidationException",
                     "Message": "Transaction request cannot include multiple operations on one item"}


def test_transact_get_items(ddb):
    ddb.put_item(TableName="items", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    answer = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": "items", "Key": {"pk": {"S": "missing"}}}},
        {"Get": {"TableName": "items", "Key": {"pk": {"S": "a"}}, "ProjectionExpression": "n"}},
    ])
    assert answer["Responses"] == [{}, {"Item": {"n": {"N": "1"}}}]


def test_transactions_report_capacity_per_table_in_request_order(ddb):
    # moto's test_valid_transact_get_items: a transaction's ConsumedCapacity lists the tables
    # as the request first names them, each with the read (or write) part apart.
    create_hash_table(ddb, name="zz_first")
    ddb.put_item(TableName="items", Item={"pk": {"S": "a"}})
    answer = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": "zz_first", "Key": {"pk": {"S": "a"}}}},
        {"Get": {"TableName": "items", "Key": {"pk": {"S": "a"}}}},
        {"Get": {"TableName": "items", "Key": {"pk": {"S": "b"}}}},
    ], ReturnConsumedCapacity="TOTAL")
    assert answer["ConsumedCapacity"] == [
        {"TableName": "zz_first", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0},
        {"TableName": "items", "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0},
    ]
    answer = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "items", "Item": {"pk": {"S": "c"}}}},
    ], ReturnConsumedCapacity="TOTAL")
    assert answer["ConsumedCapacity"] == [
        {"TableName": "items", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}]
