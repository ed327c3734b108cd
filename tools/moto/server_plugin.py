"""pytest plugin: runs moto's server-mode tests against a server this plugin starts and watches.

Loaded by scripts/moto.sh with `-p server_plugin`. The server command comes from
MOTO_SUITE_SERVER_CMD (with `{port}` replaced by a free loopback port). The plugin

- starts the server before collection and points moto's server mode at it
  (TEST_SERVER_MODE_ENDPOINT, read by `mock_aws` each time a test starts);
- restarts it when a test leaves it dead (a crash) or deaf (a hang), and records which test did,
  in MOTO_SUITE_INCIDENTS (one JSON object per line), so one bad test cannot fail the rest;
- counts the AWS requests each test sends and records them as the junit property
  `server_requests`: a test with none exercised only moto's own Python code, not the server;
- records `aws_verified` for tests moto marks `@pytest.mark.aws_verified` (moto's maintainers
  ran them against real AWS, so their expectations are AWS's behaviour, not moto's guess).
Under pytest-xdist each worker starts its own server, because every test starts with
POST /moto-api/reset, which would wipe the state of tests running beside it.
"""
import json
import os
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

_server = None
_requests_sent = 0
_last_test = None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(endpoint, timeout):
    """True when the server answers an HTTP request (any status) within `timeout` seconds."""
    try:
        urllib.request.urlopen(endpoint + "/", timeout=timeout).read()
    except urllib.error.HTTPError:
        pass
    except OSError:
        return False
    return True


class Server:
    def __init__(self, command, log_path):
        self.command = command
        self.log_path = log_path
        self.start()

    def start(self):
        port = _free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        log = open(self.log_path, "a")
        log.write(f"\n=== starting {self.command.format(port=port)}\n")
        log.flush()
        self.process = subprocess.Popen(
            shlex.split(self.command.format(port=port)),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not _answers(self.endpoint, 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {self.command} (see {self.log_path})")
            time.sleep(0.2)
        os.environ["TEST_SERVER_MODE_ENDPOINT"] = self.endpoint

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _record_incident(kind, test):
    path = os.environ.get("MOTO_SUITE_INCIDENTS")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps({"kind": kind, "after_test": test}) + "\n")


def pytest_configure(config):
    global _server
    command = os.environ.get("MOTO_SUITE_SERVER_CMD")
    if not command:
        return
    if getattr(config.option, "numprocesses", None) and "PYTEST_XDIST_WORKER" not in os.environ:
        return  # the xdist controller runs no tests
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    log_path = os.environ.get("MOTO_SUITE_SERVER_LOG", "server.log").replace("{worker}", worker)
    _server = Server(command, log_path)
    _count_requests()


def pytest_unconfigure(config):
    if _server:
        _server.stop()


def _count_requests():
    """Counts the HTTP requests botocore sends (every boto3 call goes through this method)."""
    from botocore.httpsession import URLLib3Session

    send = URLLib3Session.send

    def counting_send(self, request):
        global _requests_sent
        _requests_sent += 1
        return send(self, request)

    URLLib3Session.send = counting_send


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures, which may already call the server
def pytest_runtest_setup(item):
    global _requests_sent, _last_test
    _requests_sent = 0
    if _server and not _answers(_server.endpoint, 10):
        kind = "crash" if _server.process.poll() is not None else "hang"
        _record_incident(kind, _last_test)
        _server.stop()
        _server.start()
    _last_test = item.nodeid


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Properties added before the teardown report is made reach the junit xml.
    if call.when == "teardown" and _server:
        item.user_properties.append(("server_requests", _requests_sent))
        if item.get_closest_marker("aws_verified"):
            item.user_properties.append(("aws_verified", "true"))
    yield
