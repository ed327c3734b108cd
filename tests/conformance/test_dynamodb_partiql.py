"""DynamoDB PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) through boto3
against `nimbus serve`."""
import pytest

from conftest import create_hash_table, error_of


@pytest.fixture
def ddb(client):
    ddb = client("dynamodb")
    create_hash_table(ddb)
    ddb.create_table(TableName="orders",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     BillingMode="PAY_PER_REQUEST")
    return ddb


def test_insert_select_update_delete(ddb):
    ddb.execute_statement(Statement="INSERT INTO \"items\" VALUE {'pk': ?, 'n': 1, 'tags': <<'a'>>}",
                          Parameters=[{"S": "k"}])
    got = ddb.execute_statement(Statement="SELECT pk, n FROM items WHERE pk = 'k'", ConsistentRead=True)
    assert got["Items"] == [{"pk": {"S": "k"}, "n": {"N": "1"}}]

    updated = ddb.execute_statement(
        Statement="UPDATE items SET n = n + 1 SET tags = set_add(tags, <<'b'>>) WHERE pk = 'k' RETURNING ALL NEW *")
    assert updated["Items"][0]["n"] == {"N": "2"}
    assert sorted(updated["Items"][0]["tags"]["SS"]) == ["a", "b"]

    deleted = ddb.execute_statement(Statement="DELETE FROM items WHERE pk = 'k' RETURNING ALL OLD *")
    assert deleted["Items"][0]["n"] == {"N": "2"}
    assert "Item" not in ddb.get_item(TableName="items", Key={"pk": {"S": "k"}})
    # Deleting what is not there succeeds and answers no items.
    assert ddb.execute_statement(Statement="DELETE FROM items WHERE pk = 'k'")["Items"] == []


def test_errors_carry_aws_codes_and_messages(ddb):
    ddb.execute_statement(Statement="INSERT INTO items VALUE {'pk': 'k'}")
    duplicate = error_of(ddb.execute_statement, Statement="INSERT INTO items VALUE {'pk': 'k'}")
    assert duplicate["Error"] == {"Code": "DuplicateItemException",
                                  "Message": "Duplicate primary key exists in table"}

    missing = error_of(ddb.execute_statement, Statement="UPDATE items SET a = 1 WHERE pk = 'none'")
    assert missing["Error"]["Code"] == "ConditionalCheckFailedException"

    syntax = error_of(ddb.execute_statement, Statement="SELEC * FROM items")
    assert syntax["Error"] == {"Code": "ValidationException",
                               "Message": "Statement wasn't well formed, can't be processed: Expected data manipulation"}
    assert syntax["ResponseMetadata"]["HTTPStatusCode"] == 400

    unknown = error_of(ddb.execute_statement, Statement="SELECT * FROM nope")
    assert unknown["Error"]["Code"] == "ResourceNotFoundException"

    no_key = error_of(ddb.execute_statement, Statement="DELETE FROM orders WHERE pk = 'a'")
    assert no_key["Error"]["Message"] == "Where clause does not contain a mandatory equality on all key attributes"


def test_select_pages_with_next_token(ddb):
    for sk in range(7):
        ddb.execute_statement(Statement="INSERT INTO orders VALUE {'pk': 'a', 'sk': ?}",
                              Parameters=[{"N": str(sk)}])
    seen, kwargs = [], {}
    while True:
        page = ddb.execute_statement(Statement="SELECT sk FROM orders WHERE pk = 'a' ORDER BY sk DESC",
                                     Limit=3, **kwargs)
        seen += [int(item["sk"]["N"]) for item in page["Items"]]
        if "NextToken" not in page:
            break
        kwargs = {"NextToken": page["NextToken"]}
    assert seen == [6, 5, 4, 3, 2, 1, 0]

    # A WHERE without the partition key scans with the WHERE as a filter.
    found = ddb.execute_statement(Statement="SELECT sk FROM orders WHERE sk BETWEEN 2 AND 3")["Items"]
    assert sorted(int(item["sk"]["N"]) for item in found) == [2, 3]


def test_batch_execute_statement_answers_each_statement(ddb):
    answer = ddb.batch_execute_statement(Statements=[
        {"Statement": "INSERT INTO items VALUE {'pk': 'a'}"},
        {"Statement": "INSERT INTO items VALUE {'pk': 'a'}"},
        {"Statement": "INSERT INTO orders VALUE {'pk': 'a', 'sk': 1}"},
    ])
    responses = answer["Responses"]
    assert responses[0] == {"TableName": "items"}
    assert responses[1]["Error"] == {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}
    assert responses[2] == {"TableName": "orders"}

    reads = ddb.batch_execute_statement(Statements=[
        {"Statement": "SELECT * FROM items WHERE pk = ?", "Parameters": [{"S": "a"}]},
        {"Statement": "SELECT * FROM orders WHERE pk = 'a' AND sk = 2"},
    ])["Responses"]
    assert reads == [{"TableName": "items", "Item": {"pk": {"S": "a"}}}, {"TableName": "orders"}]


def test_execute_transaction_cancels_all(ddb):
    ddb.execute_statement(Statement="INSERT INTO items VALUE {'pk': 'taken'}")
    failure = error_of(ddb.execute_transaction, TransactStatements=[
        {"Statement": "INSERT INTO items VALUE {'pk': 'fresh'}"},
        {"Statement": "INSERT INTO items VALUE {'pk': 'taken'}"},
    ])
    assert failure["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in failure["CancellationReasons"]] == ["None", "DuplicateItem"]
    assert "Item" not in ddb.get_item(TableName="items", Key={"pk": {"S": "fresh"}})

    ddb.execute_transaction(TransactStatements=[
        {"Statement": "INSERT INTO items VALUE {'pk': 'fresh'}"},
        {"Statement": "EXISTS(SELECT * FROM items WHERE pk = 'taken' AND attribute_not_exists(n))"},
    ], ClientRequestToken="token-1")
    reads = ddb.execute_transaction(TransactStatements=[
        {"Statement": "SELECT pk FROM items WHERE pk = 'fresh'"},
        {"Statement": "SELECT pk FROM items WHERE pk = 'gone'"},
    ])
    assert reads["Responses"] == [{"Item": {"pk": {"S": "fresh"}}}, {}]

    mixed = error_of(ddb.execute_transaction, TransactStatements=[
        {"Statement": "SELECT pk FROM items WHERE pk = 'fresh'"},
        {"Statement": "DELETE FROM items WHERE pk = 'fresh'"},
    ])
    assert mixed["Error"]["Message"] == (
        "ExecuteTransaction API does not support both read and write operations in the same request.")


def test_failed_conditions_can_return_the_item(ddb):
    ddb.execute_statement(Statement="INSERT INTO items VALUE {'pk': 'k', 'n': 1}")
    failure = error_of(ddb.execute_statement, Statement="UPDATE items SET n = 2 WHERE pk = 'k' AND n = 5",
                       ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert failure["Error"]["Code"] == "ConditionalCheckFailedException"
    assert failure["Item"] == {"pk": {"S": "k"}, "n": {"N": "1"}}

    cancelled = error_of(ddb.execute_transaction, TransactStatements=[
        {"Statement": "DELETE FROM items WHERE pk = 'k' AND n = 5", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
    ])
    assert cancelled["CancellationReasons"] == [{
        "Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
        "Item": {"pk": {"S": "k"}, "n": {"N": "1"}}}]
