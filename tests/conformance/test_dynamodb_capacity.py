"""DynamoDB capacity through boto3 against `nimbus serve`: billing modes, UpdateTable's
capacity rules, throttling of a provisioned table on the server's clock, consumed capacity
and item collection metrics, DescribeLimits, DescribeEndpoints and tags."""
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import create_hash_table, error_of

TABLE_EXCEEDED = ("The level of configured provisioned throughput for the table was exceeded. "
                  "Consider increasing your provisioning level with the UpdateTable API.")


def create_provisioned(ddb, name="metered", read=5, write=5):
    return ddb.create_table(TableName=name,
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            ProvisionedThroughput={"ReadCapacityUnits": read,
                                                   "WriteCapacityUnits": write})["TableDescription"]


def test_describe_limits_and_endpoints(client):
    ddb = client("dynamodb", region="eu-west-1")
    limits = ddb.describe_limits()
    del limits["ResponseMetadata"]
    assert limits == {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                      "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}
    assert ddb.describe_endpoints()["Endpoints"] == [
        {"Address": "dynamodb.eu-west-1.amazonaws.com", "CachePeriodInMinutes": 1440}]


def test_billing_mode_switches(client):
    ddb = client("dynamodb")
    created = create_provisioned(ddb)
    assert "BillingModeSummary" not in created
    assert created["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    table = ddb.update_table(TableName="metered", BillingMode="PAY_PER_REQUEST")["TableDescription"]
    summary = table["BillingModeSummary"]
    assert summary["BillingMode"] == "PAY_PER_REQUEST"
    switched_at = summary["LastUpdateToPayPerRequestDateTime"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    error = error_of(ddb.update_table, TableName="metered", BillingMode="PROVISIONED")["Error"]
    assert error == {"Code": "ValidationException", "Message": (
        "One or more parameter values were invalid: ProvisionedThroughput must be specified "
        "when BillingMode is PROVISIONED")}
    ddb.update_table(TableName="metered", BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    table = ddb.describe_table(TableName="metered")["Table"]
    assert table["BillingModeSummary"] == {"BillingMode": "PROVISIONED",
                                           "LastUpdateToPayPerRequestDateTime": switched_at}
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 4


def test_capacity_errors(client):
    ddb = client("dynamodb")
    error = error_of(ddb.create_table, TableName="odd",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})["Error"]
    assert error == {"Code": "ValidationException", "Message": (
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
        "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")}
    error = error_of(create_provisioned, ddb=ddb, read=40001)["Error"]
    assert error == {"Code": "LimitExceededException", "Message": (
        "The requested ReadCapacityUnits, 40001, is above the per table maximum for the account "
        "in us-east-1. Per table maximum: 40000. Refer to the Amazon DynamoDB Developer Guide "
        "for current limits and how to request higher limits.")}
    create_provisioned(ddb)
    error = error_of(ddb.update_table, TableName="metered",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(
        "The provisioned throughput for the table will not change. The requested value equals "
        "the current value. Current ReadCapacityUnits provisioned for the table: 5.")
    out = ddb.update_table(TableName="metered",
                           ProvisionedThroughput={"ReadCapacityUnits": 4, "WriteCapacityUnits": 5})
    throughput = out["TableDescription"]["ProvisionedThroughput"]
    assert throughput["NumberOfDecreasesToday"] == 1
    assert "LastDecreaseDateTime" in throughput


def first_throttled(request, attempts):
    """How many of `attempts` calls of `request(i)` passed before one was refused, and the
    refusal's response."""
    for i in range(attempts):
        try:
            request(i)
        except ClientError as error:
            return i, error.response
    raise AssertionError(f"none of {attempts} requests was throttled")


def test_a_provisioned_table_throttles_beyond_its_burst(server):
    # No SDK retries: the throttling error itself is what is under test.
    ddb = boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"total_max_attempts": 1}))
    create_provisioned(ddb, read=1, write=1)
    # One unit a second with 300 seconds of burst: far fewer than 400 writes get through.
    written, response = first_throttled(
        lambda i: ddb.put_item(TableName="metered", Item={"pk": {"S": f"k{i}"}}), 400)
    assert written >= 300
    assert response["Error"] == {"Code": "ProvisionedThroughputExceededException",
                                 "Message": TABLE_EXCEEDED}
    # Why, and what: the ThrottlingReasons AWS added to every throttling error.
    arn = ddb.describe_table(TableName="metered")["Table"]["TableArn"]
    assert response["ThrottlingReasons"] == [
        {"reason": "TableWriteProvisionedThroughputExceeded", "resource": arn}]
    # The refused write changed nothing.
    assert "Item" not in ddb.get_item(TableName="metered", Key={"pk": {"S": f"k{written}"}})
    # A batch the table cannot pay for at all fails; on demand, nothing is throttled.
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"b{i}"}}}} for i in range(25)]
    try:
        out = ddb.batch_write_item(RequestItems={"metered": puts})
        assert len(out["UnprocessedItems"]["metered"]) >= 20
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    ddb.update_table(TableName="metered", BillingMode="PAY_PER_REQUEST")
    for start in range(0, 400, 25):
        puts = [{"PutRequest": {"Item": {"pk": {"S": f"c{i}"}}}} for i in range(start, start + 25)]
        assert ddb.batch_write_item(RequestItems={"metered": puts})["UnprocessedItems"] == {}


def test_an_on_demand_maximum_throttles(server):
    ddb = boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"total_max_attempts": 1}))
    arn = ddb.create_table(TableName="capped", BillingMode="PAY_PER_REQUEST",
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           OnDemandThroughput={"MaxReadRequestUnits": 1}
                           )["TableDescription"]["TableArn"]
    ddb.put_item(TableName="capped", Item={"pk": {"S": "a"}})
    # Half a unit per read, 300 seconds of burst: far fewer than 1,000 reads get through.
    read, response = first_throttled(
        lambda _: ddb.get_item(TableName="capped", Key={"pk": {"S": "a"}}), 1000)
    assert read >= 600
    assert response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Throughput exceeds the maximum OnDemandThroughput configured on table or index"}
    assert response["throttlingReasons"] == [
        {"reason": "TableReadMaxOnDemandThroughputExceeded", "resource": arn}]
    # Writes have no maximum.
    for i in range(50):
        ddb.put_item(TableName="capped", Item={"pk": {"S": f"w{i}"}})


def test_consumed_capacity_and_item_collection_metrics(client):
    ddb = client("dynamodb")
    ddb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"},
                                           {"AttributeName": "at", "AttributeType": "S"}],
                     LocalSecondaryIndexes=[{"IndexName": "by_at",
                                             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                           {"AttributeName": "at", "KeyType": "RANGE"}],
                                             "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    item = {"pk": {"S": "c1"}, "sk": {"S": "o1"}, "at": {"S": "2024"}}
    out = ddb.put_item(TableName="orders", Item=item, ReturnConsumedCapacity="INDEXES",
                       ReturnItemCollectionMetrics="SIZE")
    assert out["ConsumedCapacity"] == {"TableName": "orders", "CapacityUnits": 2.0,
                                       "Table": {"CapacityUnits": 1.0},
                                       "LocalSecondaryIndexes": {"by_at": {"CapacityUnits": 1.0}}}
    assert out["ItemCollectionMetrics"] == {"ItemCollectionKey": {"pk": {"S": "c1"}},
                                            "SizeEstimateRangeGB": [0.0, 1.0]}
    out = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "orders", "Item": {**item, "sk": {"S": "o2"}}}}],
        ReturnConsumedCapacity="TOTAL")
    # Transactions report their write (and read) parts apart too.
    assert out["ConsumedCapacity"] == [{"TableName": "orders", "CapacityUnits": 4.0,
                                        "WriteCapacityUnits": 4.0}]


def test_tags(client):
    ddb = client("dynamodb")
    arn = create_hash_table(ddb, "tagged", Tags=[{"Key": "env", "Value": "dev"}])["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i:02}", "Value": "v"} for i in range(15)]
                     + [{"Key": "env", "Value": "prod"}])
    # One answer holds every tag (ScyllaDB's Alternator tests, run against DynamoDB).
    listed = ddb.list_tags_of_resource(ResourceArn=arn)
    tags = listed["Tags"]
    assert "NextToken" not in listed
    assert len(tags) == 16
    assert {"Key": "env", "Value": "prod"} in tags
    ddb.untag_resource(ResourceArn=arn, TagKeys=[f"k{i:02}" for i in range(15)])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    error = error_of(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "y"}])
    assert error["Error"]["Code"] == "ValidationException"
    missing = arn.replace("tagged", "missing")
    error = error_of(ddb.list_tags_of_resource, ResourceArn=missing)["Error"]
    assert error == {"Code": "ResourceNotFoundException",
                     "Message": f"Requested resource not found: ResourceArn: {missing} not found"}
