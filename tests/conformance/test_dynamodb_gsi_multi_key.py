"""GSIs with multi-attribute keys and WarmThroughput, through boto3 (low-level client and the
resource layer, whose Key() conditions build the KeyConditionExpression)."""
import boto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError


def key(name, kind):
    return {"AttributeName": name, "KeyType": kind}


def create_orders(ddb):
    ddb.create_table(
        TableName="orders",
        KeySchema=[key("pk", "HASH")],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                              for n, t in [("pk", "S"), ("shop", "S"), ("customer", "S"),
                                           ("day", "S"), ("amount", "N")]],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[{
            "IndexName": "by_customer",
            "KeySchema": [key("shop", "HASH"), key("customer", "HASH"),
                          key("day", "RANGE"), key("amount", "RANGE")],
            "Projection": {"ProjectionType": "ALL"},
            "WarmThroughput": {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000},
        }],
    )


def test_a_multi_attribute_index_answers_queries_in_key_order(client, server):
    create_orders(client("dynamodb"))
    table = boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test").Table("orders")
    rows = [("1", "a", "ann", "mon", 100), ("2", "a", "ann", "mon", 9),
            ("3", "a", "ann", "tue", 1), ("4", "a", "bob", "mon", 5),
            ("5", "a", "ann", "wed", None)]
    for pk, shop, customer, day, amount in rows:
        item = {"pk": pk, "shop": shop, "customer": customer, "day": day}
        if amount is not None:
            item["amount"] = amount
        table.put_item(Item=item)

    def pks(condition, **kwargs):
        out = table.query(IndexName="by_customer", KeyConditionExpression=condition, **kwargs)
        return [item["pk"] for item in out["Items"]]

    ann = Key("shop").eq("a") & Key("customer").eq("ann")
    # Item 5 lacks `amount`: it is not in the index.
    assert pks(ann) == ["2", "1", "3"]
    assert pks(ann, ScanIndexForward=False) == ["3", "1", "2"]
    assert pks(ann & Key("day").eq("mon") & Key("amount").gt(9)) == ["1"]
    assert pks(ann & Key("day").between("mon", "tue")) == ["2", "1", "3"]

    page = table.query(IndexName="by_customer", KeyConditionExpression=ann, Limit=1)
    assert page["LastEvaluatedKey"] == {"pk": "2", "shop": "a", "customer": "ann",
                                        "day": "mon", "amount": 9}
    rest = table.query(IndexName="by_customer", KeyConditionExpression=ann,
                       ExclusiveStartKey=page["LastEvaluatedKey"])
    assert [item["pk"] for item in rest["Items"]] == ["1", "3"]

    with pytest.raises(ClientError) as failure:
        pks(ann & Key("amount").gt(1))
    assert failure.value.response["Error"]["Code"] == "ValidationException"
    assert "day" in failure.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as failure:
        pks(Key("shop").eq("a"))
    assert failure.value.response["Error"]["Message"] == \
        "Query condition missed key schema element: customer"


def test_describe_table_shows_key_schema_and_warm_throughput(client):
    ddb = client("dynamodb")
    create_orders(ddb)
    table = ddb.describe_table(TableName="orders")["Table"]
    index = table["GlobalSecondaryIndexes"][0]
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["shop", "customer", "day", "amount"]
    assert index["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000,
                                       "Status": "ACTIVE"}
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000,
                                       "Status": "ACTIVE"}
    ddb.update_table(TableName="orders",
                     WarmThroughput={"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 4000})
    table = ddb.describe_table(TableName="orders")["Table"]
    assert table["WarmThroughput"]["ReadUnitsPerSecond"] == 20000
    with pytest.raises(ClientError) as failure:
        ddb.update_table(TableName="orders", WarmThroughput={"WriteUnitsPerSecond": 10})
    assert failure.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Requested WriteUnitsPerSecond for "
        "WarmThroughput for table is lower than current WarmThroughput, decreasing "
        "WarmThroughput is not supported")
