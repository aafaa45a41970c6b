"""moto's S3 server on loopback, the stand-in for S3 in tests (no real object store can run
here): started with its authentication on, after making one IAM user whose access key the
tests use, so a wrong key or secret is refused as S3 would refuse it."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3

ALLOW_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)
UNAUTHENTICATED_SETUP = 3
"""Requests moto serves before it checks credentials: making the user, its policy, its key."""


def _die_with_parent() -> None:
    """In the child: be killed when the test session's process dies, however it dies."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class S3Server:
    process: subprocess.Popen
    endpoint: str
    key_id: str = ""
    secret: str = ""

    def client(self):
        """A boto3 S3 client with the user's access key."""
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=self.key_id, aws_secret_access_key=self.secret,
        )  # fmt: skip

    def env(self) -> dict[str, str]:
        """The standard AWS variables a process reaching this server has."""
        return {
            "AWS_ACCESS_KEY_ID": self.key_id, "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": self.endpoint,
        }  # fmt: skip

    def keys(self, bucket: str, prefix: str = "") -> dict[str, int]:
        """The objects under ``prefix`` in ``bucket``, with their sizes."""
        listed = self.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return {item["Key"]: item["Size"] for item in listed.get("Contents", [])}

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def start_s3_server(port: int, timeout: float = 60) -> S3Server:
    """A started moto server on 127.0.0.1:``port`` with one IAM user allowed all of S3."""
    moto = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(UNAUTHENTICATED_SETUP)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
    )  # fmt: skip
    server = S3Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + timeout
    while True:  # until it listens (a connection is not a request: it uses none of the setup)
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"moto_server did not start on port {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    iam = boto3.client(
        "iam", endpoint_url=server.endpoint, region_name="us-east-1",
        aws_access_key_id="setup", aws_secret_access_key="setup",
    )  # fmt: skip
    iam.create_user(UserName="tailor")
    iam.put_user_policy(UserName="tailor", PolicyName="s3", PolicyDocument=ALLOW_S3)
    key = iam.create_access_key(UserName="tailor")["AccessKey"]
    server.key_id, server.secret = key["AccessKeyId"], key["SecretAccessKey"]
    return server
