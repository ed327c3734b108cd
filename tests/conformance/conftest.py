"""Real AWS clients (boto3, the AWS CLI) against a real `nimbus serve` on a loopback port."""
import os
import sys
import re
import subprocess
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NIMBUS_BIN = os.environ.get("NIMBUS_BIN", os.path.join(ROOT, "target", "debug", "nimbus"))


class NimbusServer:
    """A `nimbus serve --port 0` child process; `endpoint` is where it listens."""

    def __init__(self, data_dir=None):
        args = [NIMBUS_BIN, "serve", "--port", "0"]
        if data_dir:
            args += ["--data-dir", str(data_dir)]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"http://[0-9.]+:\d+", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"nimbus did not start: {line}{self.process.stdout.read()}")
        self.endpoint = match.group(0)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def reset(self):
        urllib.request.urlopen(urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST")).read()


@pytest.fixture(scope="session")
def server():
    nimbus = NimbusServer()
    yield nimbus
    nimbus.stop()


@pytest.fixture(autouse=True)
def fresh_state(request):
    if "server" in request.fixturenames:
        request.getfixturevalue("server").reset()


@pytest.fixture
def client(server):
    """`client("dynamodb")`: a boto3 client for the running server."""

    def make(service, region="us-east-1", access_key="test"):
        return boto3.client(
            service,
            endpoint_url=server.endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key="test",
        )

    return make


@pytest.fixture
def aws(server, tmp_path):
    """Runs the AWS CLI against the server and returns its stdout; raises with stderr on failure."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    cli = os.path.join(sys.prefix, "bin", "aws")

    def run(*args, check=True):
        result = subprocess.run([cli, "--endpoint-url", server.endpoint, "--output", "json", *args],
                                capture_output=True, text=True, env=env, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    return run


def error_of(call, **kwargs):
    """The error response a boto3 call fails with (its `Error`, `CancellationReasons`, ...)."""
    with pytest.raises(ClientError) as failure:
        call(**kwargs)
    return failure.value.response


def create_hash_table(ddb, name="items", **extra):
    """An on-demand table keyed by the string `pk`."""
    return ddb.create_table(TableName=name,
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST", **extra)["TableDescription"]
