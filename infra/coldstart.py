#!/usr/bin/env python3
"""Local cold-start timing for a Lambda bootstrap binary.

Plays the Lambda Runtime API (the part a custom runtime talks to) on
127.0.0.1, starts the binary as Lambda would (AWS_LAMBDA_RUNTIME_API and the
usual AWS_LAMBDA_* variables), hands it one event, and records:

  init   process start -> the binary's first GET /runtime/invocation/next
  first  process start -> its first POST .../response      (the cold start)
  warm   the second invocation of the same process, /next -> response

AWS calls go to a moto_server started here (plain HTTP, so no TLS handshake:
these are lower bounds for what Lambda sees; see BENCHMARKS.md).

  python3 infra/coldstart.py --bin target/lambda-x86/webhook/bootstrap \
      --event events/invoke/webhook.json --runs 20

Needs python3 with moto[server] and boto3. The binary must be built for this
machine's architecture (the arm64 bootstraps do not run on x86_64).
"""

import argparse
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APP_KEY, APP_SECRET = "local_app_key", "local_app_secret"
PREFIX = "coldstart"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    proc = subprocess.Popen(
        ["moto_server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("moto_server did not start")


def create_resources(endpoint):
    """The resources of shared::resources, as the local bootstrap names them."""
    import boto3

    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="test", aws_secret_access_key="test")
    ddb, sqs = boto3.client("dynamodb", **kw), boto3.client("sqs", **kw)
    for suffix, keys in [("events", ["pk"]), ("order-log", ["pk", "sk"])]:
        ddb.create_table(
            TableName=f"{PREFIX}-{suffix}",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
            KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ["HASH", "RANGE"])],
        )
    dlq = sqs.create_queue(QueueName=f"{PREFIX}-orders-dlq.fifo", Attributes={"FifoQueue": "true"})
    arn = sqs.get_queue_attributes(QueueUrl=dlq["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    q = sqs.create_queue(
        QueueName=f"{PREFIX}-orders.fifo",
        Attributes={"FifoQueue": "true", "VisibilityTimeout": "360",
                    "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "5"})},
    )
    return {
        "EVENTS_TABLE": f"{PREFIX}-events",
        "ORDER_LOG_TABLE": f"{PREFIX}-order-log",
        "ORDERS_QUEUE_URL": q["QueueUrl"],
        "ORDERS_DLQ_URL": dlq["QueueUrl"],
    }


def seed_archive(endpoint, table, template):
    """For SQS events: store each queued event in the archive as the webhook
    would have, so the writer takes its success path."""
    import boto3

    ev = json.loads(template)
    if "Records" not in ev:
        return
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    for rec in ev["Records"]:
        key = json.loads(rec["body"])["event_key"]
        ddb.put_item(TableName=table, Item={"pk": {"S": key}, "status": {"S": "queued"}})


def fresh_event(template):
    """The fixture, with a new notification id (and signature) for webhook events,
    so every run takes the first-delivery path rather than the duplicate one."""
    ev = json.loads(template)
    if isinstance(ev.get("body"), str) and "headers" in ev:
        body = json.loads(ev["body"])
        body["tts_notification_id"] = str(uuid.uuid4().int)[:19]
        raw = json.dumps(body, separators=(",", ":"))
        ev["body"] = raw
        ev["headers"]["authorization"] = hmac.new(
            APP_SECRET.encode(), (APP_KEY + raw).encode(), hashlib.sha256).hexdigest()
        ev["headers"]["content-length"] = str(len(raw.encode()))
    return json.dumps(ev).encode()


class Run:
    def __init__(self, event, invocations):
        self.events = [event] * invocations
        self.next_at, self.resp_at, self.responses, self.errors = [], [], [], []
        self.done = threading.Event()


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            run = state["run"]
            if not self.path.endswith("/runtime/invocation/next"):
                return self.reply(404)
            run.next_at.append(time.perf_counter())
            if not run.events:
                run.done.set()
                time.sleep(3600)  # Lambda freezes here; the process is killed
                return
            body = run.events.pop(0)
            rid = str(uuid.uuid4())
            self.reply(200, body, [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", rid),
                ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 60000)),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:coldstart"),
                ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
            ])

        def do_POST(self):
            run = state["run"]
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            now = time.perf_counter()
            if self.path.endswith("/response"):
                run.resp_at.append(now)
                run.responses.append(data.decode(errors="replace"))
            else:  # /init/error or /invocation/<id>/error
                run.errors.append(f"{self.path}: {data.decode(errors='replace')}")
                run.resp_at.append(now)
                if "/init/error" in self.path:
                    run.done.set()
            self.reply(202, b"{}")

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--event", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--moto", help="use this moto_server instead of starting one")
    ap.add_argument("--env", action="append", default=[], help="extra KEY=VALUE for the function")
    args = ap.parse_args()

    moto = None
    endpoint = args.moto
    if not endpoint:
        moto, endpoint = start_moto()
    try:
        names = create_resources(endpoint)
        template = open(args.event).read()
        seed_archive(endpoint, names["EVENTS_TABLE"], template)
        state = {"run": None}
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        api = f"127.0.0.1:{server.server_address[1]}"

        env = {
            "PATH": os.environ.get("PATH", ""),
            "AWS_LAMBDA_RUNTIME_API": api,
            "AWS_LAMBDA_FUNCTION_NAME": "coldstart",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/coldstart",
            "AWS_LAMBDA_LOG_STREAM_NAME": "local",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_ENDPOINT_URL": endpoint,
            "TIKTOK_APP_KEY": APP_KEY,
            "TIKTOK_APP_SECRET": APP_SECRET,
            **names,
        }
        env.update(kv.split("=", 1) for kv in args.env)

        inits, firsts, warms = [], [], []
        last_responses, last_errors = [], []
        for i in range(args.runs):
            run = Run(fresh_event(template), invocations=2)
            state["run"] = run
            t0 = time.perf_counter()
            proc = subprocess.Popen([args.bin], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            finished = run.done.wait(timeout=60)
            proc.kill()
            _, stderr = proc.communicate()
            if not finished or run.errors or len(run.resp_at) < 2:
                sys.exit(f"run {i}: no clean response. errors={run.errors}\nstderr:\n{stderr.decode(errors='replace')[-3000:]}")
            inits.append((run.next_at[0] - t0) * 1000)
            firsts.append((run.resp_at[0] - t0) * 1000)
            warms.append((run.resp_at[1] - run.next_at[1]) * 1000)
            last_responses, last_errors = run.responses, run.errors
        server.shutdown()

        def summary(xs):
            xs = sorted(xs)
            return (f"median {statistics.median(xs):7.1f} ms  min {xs[0]:7.1f}  "
                    f"p90 {xs[int(0.9 * (len(xs) - 1))]:7.1f}  max {xs[-1]:7.1f}")

        print(f"binary   {args.bin} ({os.path.getsize(args.bin)} bytes), {args.runs} runs, event {args.event}")
        print(f"init     {summary(inits)}   (start -> first /next)")
        print(f"first    {summary(firsts)}   (start -> first response: cold start)")
        print(f"warm     {summary(warms)}   (second invocation, /next -> response)")
        print(f"response {last_responses[0][:200]}")
    finally:
        if moto:
            moto.kill()


if __name__ == "__main__":
    main()
