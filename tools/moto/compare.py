"""Compares two junit-xml reports of moto's tests: one against moto's server, one against Nimbus.

usage: compare.py MOTO_XML NIMBUS_XML [--incidents FILE] [--details FILE] [--require PERCENT]
                  [--only-run]

Prints how many tests pass against moto, how many of those pass against Nimbus and the
percentage (issue 4 asks for at least 95%), the same for the tests that sent at least one request
to the server (the rest only exercise moto's own Python code and pass anywhere) and for the tests
moto marks aws_verified, then every test that passes against moto but not against Nimbus with the
first line of its failure ([aws] marks the aws_verified ones: there it is most likely Nimbus
that differs from AWS). --details writes the full failure text of each of those to FILE;
--require makes the exit status 1 when the share is below PERCENT; --only-run compares only the
tests that ran against Nimbus (after a run of a subset against Nimbus alone).
"""
import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET


class Result:
    def __init__(self, outcome, message, text, requests, verified):
        self.outcome = outcome  # passed, failed, error or skipped
        self.message = message
        self.text = text
        self.requests = requests
        self.verified = verified  # moto ran this test against real AWS


def load(path):
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        outcome, message, text = "passed", "", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                # A teardown error after a failure adds a second element; the first one tells.
                if outcome == "passed":
                    outcome = "failed" if child.tag == "failure" else child.tag
                    message, text = child.get("message") or "", child.text or ""
        properties = {prop.get("name"): prop.get("value") for prop in case.iter("property")}
        requests = properties.get("server_requests")
        requests = None if requests is None else int(requests)
        results[name] = Result(outcome, message, text, requests, "aws_verified" in properties)
    return results


def clip(line, width=220):
    return line if len(line) <= width else line[: width - 3] + "..."


def summary(result):
    """One line: the error, or for a string comparison pytest's full expected and actual text."""
    expected = re.search(r"^E\s+- (.*)$", result.text, re.M)
    actual = re.search(r"^E\s+\+ (?!\s*where )(.*)$", result.text, re.M)
    if expected and actual:
        return f"expected: {clip(expected.group(1), 150)}\n      got:      {clip(actual.group(1), 150)}"
    lines = [line.strip() for line in result.message.splitlines() if line.strip()]
    return clip(lines[0] if lines else "(no message)")


def share(part, whole):
    return f"{part}/{whole} = {100.0 * part / whole:.1f}%" if whole else f"{part}/0"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("moto_xml")
    parser.add_argument("nimbus_xml")
    parser.add_argument("--incidents", help="JSON lines of server crashes and hangs (server_plugin.py)")
    parser.add_argument("--details", help="write the full failure of each regression here")
    parser.add_argument("--require", type=float, help="exit 1 below this percentage")
    parser.add_argument("--only-run", action="store_true", help="ignore tests Nimbus did not run")
    args = parser.parse_args()

    moto, nimbus = load(args.moto_xml), load(args.nimbus_xml)
    if args.only_run:
        moto = {name: result for name, result in moto.items() if name in nimbus}
    passing = sorted(name for name, r in moto.items() if r.outcome == "passed")
    missing = Result("missing", "not run against Nimbus", "", None, False)
    regressions = [name for name in passing if nimbus.get(name, missing).outcome != "passed"]
    regressed = set(regressions)
    # A test that sent no request to moto's server only exercised moto's own Python code.
    served = [name for name in passing if moto[name].requests != 0]
    served_ok = [name for name in served if name not in regressed]
    verified = [name for name in passing if moto[name].verified]
    verified_ok = [name for name in verified if name not in regressed]
    moto_passing = set(passing)
    gained = sorted(n for n, r in nimbus.items() if r.outcome == "passed" and n not in moto_passing)

    print(f"moto {len(moto)} tests: {len(passing)} pass against moto's own server")
    print(f"of those, pass against Nimbus: {share(len(passing) - len(regressions), len(passing))}")
    print(f"  counting only tests that send requests to the server: {share(len(served_ok), len(served))}")
    print(f"  counting only tests moto verified against real AWS: {share(len(verified_ok), len(verified))}")
    if gained:
        print(f"({len(gained)} tests pass against Nimbus but not against moto)")

    if args.incidents:
        try:
            with open(args.incidents) as lines:
                incidents = [json.loads(line) for line in lines if line.strip()]
        except FileNotFoundError:
            incidents = []
        for incident in incidents:
            print(f"nimbus server {incident['kind']} after {incident['after_test']} (restarted)")

    print(f"\n{len(regressions)} tests pass against moto but not against Nimbus:")
    for name in regressions:
        result = nimbus.get(name, missing)
        tag = "[aws] " if moto[name].verified else ""
        print(f"  {tag}{name}\n      {result.outcome}: {summary(result)}")

    if args.details:
        with open(args.details, "w") as out:
            for name in regressions:
                result = nimbus.get(name, missing)
                out.write(f"==== {name} [{result.outcome}]\n{result.message}\n{result.text}\n\n")
        print(f"\nfull failures: {args.details}")
    if args.require is not None and passing:
        kept = 100.0 * (len(passing) - len(regressions)) / len(passing)
        if kept < args.require:
            print(f"\nbelow the required {args.require:g}%")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
