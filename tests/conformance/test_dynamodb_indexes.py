"""DynamoDB local and global secondary indexes through boto3 against `nimbus serve`."""
import pytest
from botocore.exceptions import ClientError


def create_table(ddb, name="orders"):
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "status", "AttributeType": "S"},
                              {"AttributeName": "total", "AttributeType": "N"}],
        LocalSecondaryIndexes=[{
            "IndexName": "by_total",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "total", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_status",
            "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                          {"AttributeName": "total", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["customer"]}}],
        BillingMode="PAY_PER_REQUEST")


def put(ddb, pk, sk, **attrs):
    item = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    for name, value in attrs.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    ddb.put_item(TableName="orders", Item=item)


def error(call):
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_gsi_query_pages_in_index_order_with_include_projection(client):
    ddb = client("dynamodb")
    create_table(ddb)
    for i in range(9):
        put(ddb, f"c{i}", i, status="open" if i % 3 else "shipped", total=100 - i * 10,
            customer=f"cust{i}", note="not projected")
    pages = list(ddb.get_paginator("query").paginate(
        TableName="orders", IndexName="by_status",
        KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "open"}}, PaginationConfig={"PageSize": 2}))
    items = [i for p in pages for i in p["Items"]]
    assert [int(i["total"]["N"]) for i in items] == [20, 30, 50, 60, 80, 90]
    # As AWS does, a page that Limit filled has a LastEvaluatedKey even at the end.
    assert [len(p["Items"]) for p in pages] == [2, 2, 2, 0]
    assert set(pages[0]["LastEvaluatedKey"]) == {"pk", "sk", "status", "total"}
    assert set(items[0]) == {"pk", "sk", "status", "total", "customer"}


def test_sparse_gsi_holds_only_items_with_its_keys(client):
    ddb = client("dynamodb")
    create_table(ddb)
    put(ddb, "a", 1, status="open", total=5)
    put(ddb, "b", 1, total=7)  # no status: not in by_status
    ddb.update_item(TableName="orders", Key={"pk": {"S": "b"}, "sk": {"N": "2"}},
                    UpdateExpression="SET #s = :s, #t = :t",
                    ExpressionAttributeNames={"#s": "status", "#t": "total"},
                    ExpressionAttributeValues={":s": {"S": "open"}, ":t": {"N": "1"}})
    ddb.delete_item(TableName="orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    scanned = ddb.scan(TableName="orders", IndexName="by_status")
    assert [(i["pk"]["S"], i["sk"]["N"]) for i in scanned["Items"]] == [("b", "2")]
    described = ddb.describe_table(TableName="orders")["Table"]
    gsi = described["GlobalSecondaryIndexes"][0]
    assert gsi["IndexStatus"] == "ACTIVE" and gsi["ItemCount"] == 1
    assert gsi["IndexArn"].endswith("table/orders/index/by_status")
    lsi = described["LocalSecondaryIndexes"][0]
    assert lsi["ItemCount"] == 2


def test_lsi_query_in_total_order_fetching_unprojected_attributes(client):
    ddb = client("dynamodb")
    create_table(ddb)
    for sk, total in [(1, 30), (2, 10), (3, 20)]:
        put(ddb, "p", sk, total=total, note=f"n{sk}")
    keys_only = ddb.query(TableName="orders", IndexName="by_total",
                          KeyConditionExpression="pk = :p AND #t >= :t",
                          ExpressionAttributeNames={"#t": "total"},
                          ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"N": "20"}})
    assert [i["sk"]["N"] for i in keys_only["Items"]] == ["3", "1"]
    assert "note" not in keys_only["Items"][0]
    fetched = ddb.query(TableName="orders", IndexName="by_total", Select="ALL_ATTRIBUTES",
                        ConsistentRead=True, ScanIndexForward=False,
                        KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["note"]["S"] for i in fetched["Items"]] == ["n1", "n3", "n2"]


def test_index_read_errors(client):
    ddb = client("dynamodb")
    create_table(ddb)
    code, message = error(lambda: ddb.query(
        TableName="orders", IndexName="missing", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}}))
    assert (code, message) == ("ValidationException",
                               "The table does not have the specified index: missing")
    code, message = error(lambda: ddb.scan(TableName="orders", IndexName="by_status",
                                           ConsistentRead=True))
    assert message == "Consistent reads are not supported on global secondary indexes"
    code, message = error(lambda: ddb.scan(TableName="orders", IndexName="by_status",
                                           Select="ALL_ATTRIBUTES"))
    assert message == ("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                       "not supported for global secondary index by_status because its "
                       "projection type is not ALL")
    code, message = error(lambda: put(ddb, "a", 1, status=3))
    assert message == ("One or more parameter values were invalid: Type mismatch for Index Key "
                       "status Expected: S Actual: N IndexName: by_status")


def test_update_table_creates_a_backfilled_gsi_and_deletes_it(client):
    ddb = client("dynamodb")
    create_table(ddb)
    for i in range(4):
        put(ddb, f"c{i}", i, region="eu" if i % 2 else "us", total=i)
    answer = ddb.update_table(
        TableName="orders",
        AttributeDefinitions=[{"AttributeName": "region", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by_region",
            "KeySchema": [{"AttributeName": "region", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}])
    names = [g["IndexName"] for g in answer["TableDescription"]["GlobalSecondaryIndexes"]]
    assert sorted(names) == ["by_region", "by_status"]
    got = ddb.query(TableName="orders", IndexName="by_region",
                    KeyConditionExpression="#r = :r", ExpressionAttributeNames={"#r": "region"},
                    ExpressionAttributeValues={":r": {"S": "eu"}})
    assert sorted(i["pk"]["S"] for i in got["Items"]) == ["c1", "c3"]

    code, message = error(lambda: ddb.update_table(
        TableName="orders",
        AttributeDefinitions=[{"AttributeName": "region", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by_region",
            "KeySchema": [{"AttributeName": "region", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}]))
    assert message == "Attempting to create an index which already exists"
    code, message = error(lambda: ddb.update_table(
        TableName="orders",
        AttributeDefinitions=[{"AttributeName": "region", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by_city",
            "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}]))
    assert code == "ValidationException"
    assert "Some index key attributes are not defined in AttributeDefinitions" in message

    ddb.update_table(TableName="orders",
                     GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_region"}}])
    described = ddb.describe_table(TableName="orders")["Table"]
    assert [g["IndexName"] for g in described["GlobalSecondaryIndexes"]] == ["by_status"]
    code, message = error(lambda: ddb.scan(TableName="orders", IndexName="by_region"))
    assert message == "The table does not have the specified index: by_region"
