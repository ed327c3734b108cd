"""Lambda event source mappings on DynamoDB streams: boto3 against `nimbus serve`, which polls
the stream and runs real Node.js functions with what they would receive on AWS."""
import io
import json
import time
import zipfile

import pytest

from conftest import create_hash_table, error_of

ROLE = "arn:aws:iam::123456789012:role/lambda-role"

# Stores every record it receives into the table `seen`, keyed by event name and key.
RECORDER = """
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async (event) => {
  for (const record of event.Records) {
    await client.send(new PutItemCommand({
      TableName: 'seen',
      Item: {
        pk: { S: `${record.eventName}:${record.dynamodb.Keys.pk.S}` },
        record: { S: JSON.stringify(record) },
        batch: { N: String(event.Records.length) },
      },
    }));
  }
};
"""

THROWS = """
exports.handler = async (event) => { throw new Error('cannot handle ' + event.Records.length); };
"""


# Counts a tumbling window's records in its state; the final invocation stores the total.
WINDOW_COUNTER = """
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async (event) => {
  const count = (event.state.count ?? 0) + event.Records.length;
  if (event.isFinalInvokeForWindow) {
    await client.send(new PutItemCommand({
      TableName: 'seen',
      Item: { pk: { S: event.window.start }, count: { N: String(count) } },
    }));
  }
  return { state: { count } };
};
"""


def package(source, filename="index.mjs"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(filename, source)
    return buffer.getvalue()


def streamed_table(ddb, name="orders"):
    table = create_hash_table(ddb, name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return table["LatestStreamArn"]


def wait_for(probe, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def lam(client):
    return client("lambda")


@pytest.fixture
def ddb(client):
    return client("dynamodb")


def test_a_function_receives_the_filtered_stream_records(lam, ddb):
    stream_arn = streamed_table(ddb)
    create_hash_table(ddb, "seen")
    lam.create_function(FunctionName="recorder", Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Code={"ZipFile": package(RECORDER)}, Timeout=10)
    pattern = {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"status": {"S": ["open"]}}}}
    mapping = lam.create_event_source_mapping(
        FunctionName="recorder", EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON",
        BatchSize=10, FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    assert mapping["State"] == "Creating"

    ddb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "status": {"S": "closed"}})
    ddb.put_item(TableName="orders", Item={"pk": {"S": "b"}, "status": {"S": "open"}})

    item = wait_for(lambda: ddb.get_item(TableName="seen", Key={"pk": {"S": "INSERT:b"}}).get("Item"))
    record = json.loads(item["record"]["S"])
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventVersion"] == "1.1"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"] == stream_arn
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "b"}}
    assert record["dynamodb"]["NewImage"] == {"pk": {"S": "b"}, "status": {"S": "open"}}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    # `a` came first in the stream and matched no filter: it was passed, never delivered.
    scanned = ddb.scan(TableName="seen")["Items"]
    assert [i["pk"]["S"] for i in scanned] == ["INSERT:b"]

    got = wait_for(lambda: (lambda m: m if m["LastProcessingResult"] == "OK" else None)(
        lam.get_event_source_mapping(UUID=mapping["UUID"])))
    assert got["State"] == "Enabled"


def test_a_failing_batch_goes_to_the_on_failure_queue(lam, ddb, client):
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="failures")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    stream_arn = streamed_table(ddb)
    lam.create_function(FunctionName="thrower", Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Code={"ZipFile": package(THROWS, "index.js")})
    lam.create_event_source_mapping(
        FunctionName="thrower", EventSourceArn=stream_arn, StartingPosition="LATEST",
        MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": queue_arn}})

    ddb.put_item(TableName="orders", Item={"pk": {"S": "x"}})

    def received():
        return sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages")

    body = json.loads(wait_for(received)[0]["Body"])
    assert body["version"] == "1.0"
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 2
    assert body["requestContext"]["functionArn"].endswith(":function:thrower")
    assert body["responseContext"]["functionError"] == "Unhandled"
    info = body["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert info["streamArn"] == stream_arn
    assert info["startSequenceNumber"] == info["endSequenceNumber"]


def test_the_mapping_api_speaks_lambda(lam, ddb):
    stream_arn = streamed_table(ddb)
    lam.create_function(FunctionName="fn", Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Code={"ZipFile": package(THROWS, "index.js")})
    created = lam.create_event_source_mapping(
        FunctionName="fn", EventSourceArn=stream_arn, StartingPosition="LATEST", Enabled=False)
    uuid = created["UUID"]
    assert created["BatchSize"] == 100
    assert created["MaximumRetryAttempts"] == -1
    assert created["FunctionArn"].endswith(":function:fn")
    assert created["EventSourceMappingArn"].endswith(f":event-source-mapping:{uuid}")

    error = error_of(lam.create_event_source_mapping, FunctionName="fn",
                     EventSourceArn=stream_arn, StartingPosition="LATEST")["Error"]
    assert error["Code"] == "ResourceConflictException"
    assert uuid in error["Message"]
    error = error_of(lam.create_event_source_mapping, FunctionName="fn",
                     EventSourceArn=stream_arn + "x", StartingPosition="LATEST")["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidParameterValueException", f"Stream not found: {stream_arn}x")

    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    listed = lam.list_event_source_mappings(EventSourceArn=stream_arn)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [uuid]
    updated = lam.update_event_source_mapping(UUID=uuid, BatchSize=7, Enabled=True)
    assert updated["BatchSize"] == 7
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    response = error_of(lam.get_event_source_mapping, UUID=uuid)
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_tumbling_window_hands_its_state_to_the_final_invocation(lam, ddb):
    stream_arn = streamed_table(ddb)
    create_hash_table(ddb, "seen")
    lam.create_function(FunctionName="counter", Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Code={"ZipFile": package(WINDOW_COUNTER)},
                        Timeout=10)
    mapping = lam.create_event_source_mapping(
        FunctionName="counter", EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON",
        BatchSize=1, TumblingWindowInSeconds=1)
    assert mapping["TumblingWindowInSeconds"] == 1
    for pk in ["a", "b", "c"]:
        ddb.put_item(TableName="orders", Item={"pk": {"S": pk}})

    def totals():
        items = ddb.scan(TableName="seen")["Items"]
        counted = sum(int(item["count"]["N"]) for item in items)
        return items if counted == 3 else None

    # The three records may fall in one window or two; each window's total arrives once.
    for item in wait_for(totals):
        assert item["pk"]["S"].endswith("Z")
