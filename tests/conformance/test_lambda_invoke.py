"""Lambda Invoke: `nimbus serve` runs Node.js functions with the machine's `node`."""
import base64
import io
import json
import time
import urllib.request
import zipfile

import pytest
from botocore.config import Config

ROLE = "arn:aws:iam::123456789012:role/lambda-role"

COMMONJS = """
let count = 0;
console.log('cold start');
exports.handler = async (event, context) => {
  count += 1;
  console.log('got', JSON.stringify(event));
  return {
    echo: event, count, requestId: context.awsRequestId, name: context.functionName,
    version: context.functionVersion, memory: context.memoryLimitInMB,
    remaining: context.getRemainingTimeInMillis(), stream: context.logStreamName,
    group: context.logGroupName, region: process.env.AWS_REGION, stage: process.env.STAGE,
    handlerEnv: process.env._HANDLER,
  };
};
"""

ESM = """
export const handler = async (event) => ({ esm: true, doubled: event.n * 2 });
"""

CALLBACK = """
exports.handler = (event, context, callback) => {
  setTimeout(() => callback(null, { viaCallback: event.x }), 10);
};
"""

THROWS = """
exports.handler = async () => { throw new TypeError('bad input'); };
"""

LOOPS = """
exports.handler = async () => { console.log('spinning'); while (true) {} };
"""

DYNAMO = """
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async (event) => {
  await client.send(new PutItemCommand({
    TableName: event.table,
    Item: { pk: { S: event.id }, from: { S: 'lambda' } },
  }));
  return { stored: event.id };
};
"""

DYNAMO_CJS = """
const { DynamoDBClient, GetItemCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  const out = await client.send(new GetItemCommand({ TableName: event.table, Key: { pk: { S: event.id } } }));
  return out.Item.from.S;
};
"""


def package(filename, source):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(filename, source)
    return buffer.getvalue()


def create(lam, name, filename, source, timeout=3, **extra):
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": package(filename, source)}, Timeout=timeout, **extra)


def invoke(lam, name, payload=None, **extra):
    args = {"FunctionName": name, **extra}
    if payload is not None:
        args["Payload"] = json.dumps(payload)
    response = lam.invoke(**args)
    response["Body"] = response["Payload"].read()
    return response


def tail(response):
    return base64.b64decode(response["LogResult"]).decode()


@pytest.fixture
def lam(client):
    return client("lambda")


def test_commonjs_handler_runs_with_context_env_and_tail_log(lam):
    create(lam, "cjs", "index.js", COMMONJS, Environment={"Variables": {"STAGE": "test"}}, MemorySize=256)
    first = invoke(lam, "cjs", {"a": 1}, LogType="Tail")
    assert first["StatusCode"] == 200
    assert first["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in first
    body = json.loads(first["Body"])
    request_id = first["ResponseMetadata"]["RequestId"]
    assert body["echo"] == {"a": 1}
    assert body["count"] == 1
    assert body["requestId"] == request_id
    assert (body["name"], body["version"], body["memory"]) == ("cjs", "$LATEST", "256")
    assert 0 < body["remaining"] <= 3000
    assert body["group"] == "/aws/lambda/cjs"
    assert body["stream"].startswith(time.strftime("%Y/%m/%d/", time.gmtime()) + "[$LATEST]")
    assert (body["region"], body["stage"], body["handlerEnv"]) == ("us-east-1", "test", "index.handler")

    log = tail(first)
    # What the module logs while loading comes before START, with no request id yet.
    before, start, after = log.partition(f"START RequestId: {request_id} Version: $LATEST\n")
    assert start
    assert before.endswith("Z\tundefined\tINFO\tcold start\n")
    assert f"\t{request_id}\tINFO\tgot {{\"a\":1}}\n" in after
    assert f"END RequestId: {request_id}\n" in log
    assert f"REPORT RequestId: {request_id}\tDuration: " in log
    assert "\tMemory Size: 256 MB\tMax Memory Used: " in log
    assert "Init Duration: " in log

    # A warm environment: module state survives, no Init Duration, same log stream.
    second = invoke(lam, "cjs", {"a": 2}, LogType="Tail")
    again = json.loads(second["Body"])
    assert again["count"] == 2
    assert again["stream"] == body["stream"]
    assert "Init Duration" not in tail(second)
    assert "cold start" not in tail(second)


def test_esm_and_callback_handlers(lam):
    create(lam, "esm", "index.mjs", ESM)
    response = invoke(lam, "esm", {"n": 21})
    assert json.loads(response["Body"]) == {"esm": True, "doubled": 42}
    create(lam, "cb", "index.js", CALLBACK)
    assert json.loads(invoke(lam, "cb", {"x": "y"})["Body"]) == {"viaCallback": "y"}


def test_thrown_error_is_an_unhandled_function_error(lam):
    create(lam, "throws", "index.js", THROWS)
    response = invoke(lam, "throws", {}, LogType="Tail")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Body"])
    assert body["errorType"] == "TypeError"
    assert body["errorMessage"] == "bad input"
    assert body["trace"][0] == "TypeError: bad input"
    assert "\tERROR\tInvoke Error \t" in tail(response)


CRASHES = """
let calls = 0;
exports.handler = async (event) => {
  calls += 1;
  if (event.crash === 'timer') setTimeout(() => { throw new TypeError('late boom'); }, 10);
  if (event.crash === 'rejection') Promise.reject(new RangeError('nobody waits'));
  if (event.crash === 'later') {
    setTimeout(() => { throw new TypeError('after the answer'); }, 50);
    return calls;
  }
  if (event.crash) await new Promise(() => {});
  return calls;
};
"""


def test_uncaught_exception_fails_the_call_and_ends_the_environment(lam):
    # Lambda's Node.js runtime logs an exception nobody catches, answers it as the call's error
    # and exits: the next call starts a new environment (its counter starts again).
    create(lam, "crashes", "index.js", CRASHES)
    assert json.loads(invoke(lam, "crashes", {})["Body"]) == 1
    response = invoke(lam, "crashes", {"crash": "timer"}, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Body"])
    assert (body["errorType"], body["errorMessage"]) == ("TypeError", "late boom")
    assert '\tERROR\tUncaught Exception \t{"errorType":"TypeError","errorMessage":"late boom"' in tail(response)
    assert json.loads(invoke(lam, "crashes", {})["Body"]) == 1

    response = invoke(lam, "crashes", {"crash": "rejection"}, LogType="Tail")
    body = json.loads(response["Body"])
    assert body["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert body["errorMessage"] == "RangeError: nobody waits"
    assert "\tERROR\tUnhandled Promise Rejection \t" in tail(response)
    assert json.loads(invoke(lam, "crashes", {})["Body"]) == 1


def test_uncaught_exception_between_calls_is_logged_as_it_ends_the_environment(client, lam):
    create(lam, "crashes-later", "index.js", CRASHES)
    assert json.loads(invoke(lam, "crashes-later", {})["Body"]) == 1
    crashing = invoke(lam, "crashes-later", {"crash": "later"})
    assert json.loads(crashing["Body"]) == 2
    logs = client("logs")
    group = "/aws/lambda/crashes-later"

    def messages_by_stream():
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        return [[e["message"] for e in logs.get_log_events(
            logGroupName=group, logStreamName=s["logStreamName"])["events"]] for s in streams]

    # The crash is logged as it ends the environment, with no further call: in the stream
    # of that environment, after its last call.
    deadline = time.monotonic() + 5
    while not any("Uncaught Exception" in m[-1] for m in messages_by_stream()):
        assert time.monotonic() < deadline, messages_by_stream()
        time.sleep(0.1)
    [ended] = messages_by_stream()
    assert sum(line.startswith("START RequestId") for line in ended) == 2
    # Under the id of the invocation that left the timer behind, as AWS's runtime logs it.
    request_id = crashing["ResponseMetadata"]["RequestId"]
    assert (f'\t{request_id}\tERROR\tUncaught Exception \t{{"errorType":"TypeError",'
            '"errorMessage":"after the answer"') in ended[-1]
    # The next call starts a new environment, whose stream has no crash in it.
    response = invoke(lam, "crashes-later", {}, LogType="Tail")
    assert json.loads(response["Body"]) == 1
    assert "Init Duration" in tail(response)
    streams = messages_by_stream()
    assert len(streams) == 2
    assert sum(any("Uncaught Exception" in line for line in m) for m in streams) == 1


def test_missing_handler_export_is_reported(lam):
    create(lam, "nohandler", "index.js", "exports.other = () => 1;")
    response = invoke(lam, "nohandler", {})
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Body"])
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "index.handler is undefined or not exported"


def test_timeout_stops_the_function(lam):
    create(lam, "loops", "index.js", LOOPS, timeout=1)
    started = time.monotonic()
    response = invoke(lam, "loops", {}, LogType="Tail")
    assert time.monotonic() - started < 10
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Body"])
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    log = tail(response)
    assert "Task timed out after 1.00 seconds" in log
    assert "\tINFO\tspinning\n" in log
    # The environment was discarded: the next call starts (and times out) afresh.
    assert "Init Duration" in tail(invoke(lam, "loops", {}, LogType="Tail"))


def test_function_uses_the_aws_sdk_against_nimbus(client, lam):
    ddb = client("dynamodb")
    ddb.create_table(TableName="items", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    create(lam, "writer", "index.mjs", DYNAMO, timeout=20)
    response = invoke(lam, "writer", {"table": "items", "id": "k1"})
    assert "FunctionError" not in response, response["Body"]
    assert json.loads(response["Body"]) == {"stored": "k1"}
    item = ddb.get_item(TableName="items", Key={"pk": {"S": "k1"}})["Item"]
    assert item == {"pk": {"S": "k1"}, "from": {"S": "lambda"}}

    create(lam, "reader", "index.js", DYNAMO_CJS, timeout=20)
    response = invoke(lam, "reader", {"table": "items", "id": "k1"})
    assert "FunctionError" not in response, response["Body"]
    assert json.loads(response["Body"]) == "lambda"


UNMARSHALL_CJS = """
const { unmarshall } = require('@aws-sdk/util-dynamodb');
const { createHash } = require('node:crypto');
exports.handler = async (event) => event.Records.map((r) => {
  const item = unmarshall(r.dynamodb.NewImage);
  return { ...item, digest: createHash('sha256').update(item.id).digest('hex').slice(0, 8) };
});
"""


def test_stream_handler_unmarshalls_with_util_dynamodb(lam):
    # The browser runtime runs the same handler (tests/e2e/runtime.test.mjs); here, real Node.js.
    create(lam, "unmarshal", "index.js", UNMARSHALL_CJS, timeout=20)
    record = {"dynamodb": {"NewImage": {"id": {"S": "abc"}, "n": {"N": "2.5"}}}}
    response = invoke(lam, "unmarshal", {"Records": [record]})
    assert "FunctionError" not in response, response["Body"]
    assert json.loads(response["Body"]) == [{"id": "abc", "n": 2.5, "digest": "ba7816bf"}]


def test_logs_land_in_cloudwatch(client, lam):
    create(lam, "logged", "index.js", COMMONJS)
    response = invoke(lam, "logged", {"hello": "logs"})
    request_id = response["ResponseMetadata"]["RequestId"]
    stream = json.loads(response["Body"])["stream"]
    logs = client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/logged")["logStreams"]
    assert [s["logStreamName"] for s in streams] == [stream]
    messages = [e["message"] for e in
                logs.get_log_events(logGroupName="/aws/lambda/logged", logStreamName=stream)["events"]]
    assert messages[0].endswith("\tundefined\tINFO\tcold start\n")
    assert messages[1] == f"START RequestId: {request_id} Version: $LATEST\n"
    assert any(m.endswith(f"\t{request_id}\tINFO\tgot {{\"hello\":\"logs\"}}\n") for m in messages)
    assert messages[-2] == f"END RequestId: {request_id}\n"
    assert messages[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")


def test_invocation_types_and_errors(client, lam):
    create(lam, "types", "index.js", COMMONJS)
    assert lam.invoke(FunctionName="types", InvocationType="DryRun")["StatusCode"] == 204
    assert lam.invoke(FunctionName="types", InvocationType="Event", Payload=b'{"async":true}')["StatusCode"] == 202
    # The Event run happens in the background and logs like any other.
    logs = client("logs")
    deadline = time.monotonic() + 10
    found = False
    while time.monotonic() < deadline and not found:
        try:
            events = logs.filter_log_events(logGroupName="/aws/lambda/types")["events"]
            found = any('got {"async":true}' in e["message"] for e in events)
        except logs.exceptions.ResourceNotFoundException:
            pass
        time.sleep(0.2)
    assert found

    with pytest.raises(lam.exceptions.InvalidRequestContentException) as bad:
        lam.invoke(FunctionName="types", Payload=b"not json")
    assert bad.value.response["Error"]["Message"].startswith("Could not parse request body into json")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="missing", Payload=b"{}")


def test_reserved_concurrency_zero_throttles(client, server):
    lam = client("lambda")
    create(lam, "throttled", "index.js", COMMONJS)
    lam.put_function_concurrency(FunctionName="throttled", ReservedConcurrentExecutions=0)
    import boto3
    no_retry = boto3.client("lambda", endpoint_url=server.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    with pytest.raises(no_retry.exceptions.TooManyRequestsException) as throttled:
        no_retry.invoke(FunctionName="throttled", Payload=b"{}")
    error = throttled.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_cli_invoke(aws, lam, tmp_path):
    create(lam, "clifn", "index.mjs", ESM)
    out = tmp_path / "out.json"
    args = ["lambda", "invoke", "--function-name", "clifn", "--payload", '{"n": 4}']
    result = aws(*args, "--cli-binary-format", "raw-in-base64-out", str(out), check=False)
    if "Unknown options: --cli-binary-format" in result.stderr:
        # AWS CLI v1 has no --cli-binary-format: it always sends --payload as is.
        result = aws(*args, str(out))
    assert result.returncode == 0, result.stderr
    meta = json.loads(result.stdout)
    assert meta["StatusCode"] == 200
    assert meta["ExecutedVersion"] == "$LATEST"
    assert json.loads(out.read_text()) == {"esm": True, "doubled": 8}


def test_process_exit_is_a_runtime_exit_error(lam):
    create(lam, "exits", "index.js", "exports.handler = async () => { process.exit(3); };")
    response = invoke(lam, "exits", {})
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Body"])
    assert body["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: exit status: 3" in body["errorMessage"]


def test_without_node_invoke_says_node_is_needed(tmp_path):
    import os
    import re
    import subprocess

    import boto3
    from conftest import NIMBUS_BIN

    process = subprocess.Popen([NIMBUS_BIN, "serve", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=dict(os.environ, PATH=str(tmp_path)))
    try:
        endpoint = re.search(r"http://[0-9.]+:\d+", process.stdout.readline()).group(0)
        lam = boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        create(lam, "nonode", "index.js", COMMONJS)
        with pytest.raises(lam.exceptions.ServiceException) as failed:
            lam.invoke(FunctionName="nonode", Payload=b"{}")
        assert "`node` was not found on PATH" in failed.value.response["Error"]["Message"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_code_from_s3_runs_and_code_location_serves_the_package(client, lam):
    s3 = client("s3")
    s3.create_bucket(Bucket="builds")
    zipped = package("index.js", COMMONJS)
    s3.put_object(Bucket="builds", Key="fn.zip", Body=zipped)
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as missing:
        lam.create_function(FunctionName="from-s3", Runtime="nodejs20.x", Role=ROLE,
                            Handler="index.handler", Code={"S3Bucket": "builds", "S3Key": "nope.zip"})
    assert "S3 Error Code: NoSuchKey" in str(missing.value)
    lam.create_function(FunctionName="from-s3", Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Code={"S3Bucket": "builds", "S3Key": "fn.zip"})
    response = invoke(lam, "from-s3", {"hello": "s3"})
    assert "FunctionError" not in response, response["Body"]

    location = lam.get_function(FunctionName="from-s3")["Code"]["Location"]
    with urllib.request.urlopen(location) as downloaded:
        assert downloaded.status == 200
        assert downloaded.read() == zipped
