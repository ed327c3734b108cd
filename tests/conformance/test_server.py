import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import NimbusServer


def test_health_lists_the_services(server):
    health = json.load(urllib.request.urlopen(server.endpoint + "/_nimbus/health"))
    assert health["status"] == "running"
    assert {"dynamodb", "sqs", "s3", "sns", "lambda", "cognito-idp", "sts"} <= set(health["services"])


def test_sts_reports_the_default_account(client):
    identity = client("sts").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"


def test_a_twelve_digit_access_key_selects_the_account(client):
    identity = client("sts", access_key="000000000042").get_caller_identity()
    assert identity["Account"] == "000000000042"


def test_unimplemented_operations_answer_an_error_naming_them(client):
    with pytest.raises(ClientError) as failure:
        client("dynamodb").describe_global_table(GlobalTableName="everywhere")
    assert failure.value.response["Error"]["Code"] == "NotImplemented"
    assert "DescribeGlobalTable" in failure.value.response["Error"]["Message"]


def test_moto_reset_path_wipes_all_state(server, client):
    sqs = client("sqs")
    sqs.create_queue(QueueName="before-reset")
    request = urllib.request.Request(server.endpoint + "/moto-api/reset", method="POST")
    assert urllib.request.urlopen(request).status == 200
    assert sqs.list_queues().get("QueueUrls", []) == []


def test_data_dir_keeps_state_across_restarts(tmp_path):
    import boto3

    def dynamodb(endpoint):
        return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    first = NimbusServer(data_dir=tmp_path)
    try:
        ddb = dynamodb(first.endpoint)
        ddb.create_table(TableName="kept", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="kept", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    finally:
        first.stop()
    second = NimbusServer(data_dir=tmp_path)
    try:
        item = dynamodb(second.endpoint).get_item(TableName="kept", Key={"pk": {"S": "a"}})["Item"]
        assert item == {"pk": {"S": "a"}, "n": {"N": "1"}}
    finally:
        second.stop()


def test_cors_lets_web_pages_call_the_endpoint(server):
    preflight = urllib.request.Request(server.endpoint + "/", method="OPTIONS", headers={
        "Origin": "http://127.0.0.1:8080", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-amz-target,content-type"})
    response = urllib.request.urlopen(preflight)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "x-amz-target,content-type"
    health = urllib.request.urlopen(server.endpoint + "/_nimbus/health")
    assert health.headers["Access-Control-Allow-Origin"] == "*"
