import pytest
from botocore.exceptions import ClientError


def test_queue_lifecycle(client):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    assert url.endswith("/123456789012/jobs")
    assert sqs.get_queue_url(QueueName="jobs")["QueueUrl"] == url
    sqs.create_queue(QueueName="jobs-dead")
    assert sorted(sqs.list_queues(QueueNamePrefix="jobs")["QueueUrls"]) == sorted(
        [url, url + "-dead"])
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as failure:
        sqs.get_queue_url(QueueName="jobs")
    # boto3 maps the awsQuery error code through the x-amzn-query-error header.
    assert failure.value.response["Error"]["Code"] in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def test_send_receive_delete_with_attributes(client):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    # boto3 checks MD5OfMessageBody and MD5OfMessageAttributes itself and raises on a mismatch.
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "greeting"},
        "count": {"DataType": "Number", "StringValue": "3"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x01\x02"},
    })
    assert sent["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
    received = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                   AttributeNames=["All"], MaxNumberOfMessages=10)["Messages"]
    assert len(received) == 1
    message = received[0]
    assert message["Body"] == "hello"
    assert message["MessageId"] == sent["MessageId"]
    assert message["MessageAttributes"]["kind"]["StringValue"] == "greeting"
    assert message["MessageAttributes"]["raw"]["BinaryValue"] == b"\x01\x02"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    # In flight: not visible again until the visibility timeout passes.
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_invalid_receipt_handle(client):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(ClientError) as failure:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert failure.value.response["Error"]["Code"] in ("ReceiptHandleIsInvalid",)


def test_queue_name_rules(client):
    with pytest.raises(ClientError) as failure:
        client("sqs").create_queue(QueueName="bad name!")
    assert failure.value.response["Error"]["Code"] in ("InvalidParameterValue", "InvalidParameterValueException")
