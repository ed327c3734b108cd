"""CloudWatch Logs through boto3 against `nimbus serve`."""
import time

import pytest
from botocore.exceptions import ClientError

GROUP = "/aws/lambda/orders"


def now_ms():
    return int(time.time() * 1000)


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_groups_and_streams(client):
    logs = client("logs")
    logs.create_log_group(logGroupName=GROUP, tags={"team": "ops"})
    assert error_of(logs.create_log_group, logGroupName=GROUP) == (
        "ResourceAlreadyExistsException", "The specified log group already exists")
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=7)
    [group] = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda")["logGroups"]
    assert group["logGroupName"] == GROUP
    assert group["retentionInDays"] == 7
    assert group["arn"] == f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}:*"
    assert logs.list_tags_log_group(logGroupName=GROUP)["tags"] == {"team": "ops"}

    logs.create_log_stream(logGroupName=GROUP, logStreamName="2024/01/01/[$LATEST]abc")
    assert error_of(logs.create_log_stream, logGroupName="missing", logStreamName="s") == (
        "ResourceNotFoundException", "The specified log group does not exist.")
    [stream] = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert stream["logStreamName"] == "2024/01/01/[$LATEST]abc"

    logs.delete_log_group(logGroupName=GROUP)
    assert logs.describe_log_groups()["logGroups"] == []


def test_put_get_and_filter_events(client):
    logs = client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="a")
    logs.create_log_stream(logGroupName=GROUP, logStreamName="b")
    t = now_ms()
    put = logs.put_log_events(logGroupName=GROUP, logStreamName="a", logEvents=[
        {"timestamp": t - 3, "message": "START RequestId: 1"},
        {"timestamp": t - 2, "message": "ERROR Connection refused"},
        {"timestamp": t - 1, "message": "END RequestId: 1"},
    ])
    assert put["nextSequenceToken"]
    logs.put_log_events(logGroupName=GROUP, logStreamName="b",
                        logEvents=[{"timestamp": t, "message": "ERROR disk full"}])
    assert error_of(logs.put_log_events, logGroupName=GROUP, logStreamName="a", logEvents=[
        {"timestamp": t, "message": "late"}, {"timestamp": t - 1, "message": "early"}]) == (
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.")

    page = logs.get_log_events(logGroupName=GROUP, logStreamName="a", startFromHead=True, limit=2)
    assert [e["message"] for e in page["events"]] == ["START RequestId: 1", "ERROR Connection refused"]
    page = logs.get_log_events(logGroupName=GROUP, logStreamName="a", nextToken=page["nextForwardToken"])
    assert [e["message"] for e in page["events"]] == ["END RequestId: 1"]
    end = logs.get_log_events(logGroupName=GROUP, logStreamName="a", nextToken=page["nextForwardToken"])
    assert end["events"] == []
    assert end["nextForwardToken"] == page["nextForwardToken"]

    found = logs.filter_log_events(logGroupName=GROUP, filterPattern="ERROR")["events"]
    assert [(e["logStreamName"], e["message"]) for e in found] == [
        ("a", "ERROR Connection refused"), ("b", "ERROR disk full")]
    phrase = logs.filter_log_events(logGroupName=GROUP, filterPattern='"Connection refused"')
    assert [e["message"] for e in phrase["events"]] == ["ERROR Connection refused"]
    only_b = logs.filter_log_events(logGroupName=GROUP, logStreamNames=["b"])
    assert [e["message"] for e in only_b["events"]] == ["ERROR disk full"]

    [a, _] = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert a["firstEventTimestamp"] == t - 3
    assert a["lastEventTimestamp"] == t - 1
