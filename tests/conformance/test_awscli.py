import json


def test_cli_dynamodb(aws):
    aws("dynamodb", "create-table", "--table-name", "cli", "--key-schema", "AttributeName=pk,KeyType=HASH",
        "--attribute-definitions", "AttributeName=pk,AttributeType=S", "--billing-mode", "PAY_PER_REQUEST")
    aws("dynamodb", "put-item", "--table-name", "cli", "--item", '{"pk": {"S": "a"}, "v": {"N": "1"}}')
    item = json.loads(aws("dynamodb", "get-item", "--table-name", "cli", "--key", '{"pk": {"S": "a"}}').stdout)
    assert item["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert json.loads(aws("dynamodb", "list-tables").stdout)["TableNames"] == ["cli"]


def test_cli_s3_copy_and_list(aws, tmp_path):
    source = tmp_path / "hello.txt"
    source.write_text("hello from the cli")
    aws("s3", "mb", "s3://cli-bucket")
    aws("s3", "cp", str(source), "s3://cli-bucket/greetings/hello.txt")
    listing = aws("s3", "ls", "s3://cli-bucket/greetings/").stdout
    assert "hello.txt" in listing
    target = tmp_path / "back.txt"
    aws("s3", "cp", "s3://cli-bucket/greetings/hello.txt", str(target))
    assert target.read_text() == "hello from the cli"


def test_cli_sqs(aws):
    url = json.loads(aws("sqs", "create-queue", "--queue-name", "cli-q").stdout)["QueueUrl"]
    aws("sqs", "send-message", "--queue-url", url, "--message-body", "ping")
    messages = json.loads(aws("sqs", "receive-message", "--queue-url", url).stdout)["Messages"]
    assert messages[0]["Body"] == "ping"


def test_cli_sts_and_errors(aws):
    assert json.loads(aws("sts", "get-caller-identity").stdout)["Account"] == "123456789012"
    failed = aws("dynamodb", "describe-table", "--table-name", "missing", check=False)
    # aws-cli v1 exits 255 on a service error (v2 uses 254).
    assert failed.returncode == 255
    assert "ResourceNotFoundException" in failed.stderr
