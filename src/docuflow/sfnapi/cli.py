"""``docuflow access-key create|list|revoke``: the credentials of the Step Functions API.

The secret is printed once, at creation; it cannot be shown again (create a new key).
"""

from __future__ import annotations

import argparse
import json
import sys

from docuflow.accounts.models import User
from docuflow.sfnapi import keys
from docuflow.sfnapi.models import AccessKey


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docuflow access-key",
        description="Access keys for the Step Functions API (boto3, the AWS CLI) at /sfn.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a key; its secret is shown once")
    create.add_argument("--user", required=True, metavar="EMAIL")
    create.add_argument("--json", action="store_true", help="print the key as JSON")
    listing = commands.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--user", metavar="EMAIL")
    listing.add_argument("--json", action="store_true", help="print the keys as JSON")
    revoke = commands.add_parser("revoke", help="deactivate a key at once")
    revoke.add_argument("id", metavar="ACCESS_KEY_ID")
    return parser


def _user(email: str) -> User | None:
    return User.objects.select_related("tenant").filter(email__iexact=email.strip()).first()


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _create(args: argparse.Namespace) -> int:
    user = _user(args.user)
    if user is None:
        return _fail(f"no user {args.user!r}")
    try:
        new = keys.create_access_key(user)
    except keys.AccessKeyError as exc:
        return _fail(str(exc))
    if user.tenant_id is None:
        print(
            f"warning: {user.email} belongs to no tenant; the Step Functions API will answer "
            "AccessDeniedException for this key",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps({"AccessKeyId": new.key.id, "SecretAccessKey": new.secret}))
    else:
        print(f"Access key for {user.email} (tenant {user.tenant_id or '-'}).")
        print(f"AccessKeyId:     {new.key.id}")
        print(f"SecretAccessKey: {new.secret}")
        print("The secret is shown only now: store it safely.")
    return 0


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _list(args: argparse.Namespace) -> int:
    user = None
    if args.user:
        user = _user(args.user)
        if user is None:
            return _fail(f"no user {args.user!r}")
    rows = list(keys.list_access_keys(user))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "AccessKeyId": key.id,
                        "User": key.user.email,
                        "Tenant": key.user.tenant_id,
                        "Status": "Active" if key.is_active else "Inactive",
                        "CreatedAt": _iso(key.created_at),
                        "LastUsedAt": _iso(key.last_used_at),
                    }
                    for key in rows
                ]
            )
        )
        return 0
    if not rows:
        print("No access keys.")
        return 0
    print(f"{'ACCESS KEY ID':<22}{'STATUS':<10}{'CREATED':<22}{'LAST USED':<22}USER")
    for key in rows:
        created = key.created_at.strftime("%Y-%m-%d %H:%M:%S")
        used = key.last_used_at.strftime("%Y-%m-%d %H:%M:%S") if key.last_used_at else "never"
        status = "active" if key.is_active else "revoked"
        print(f"{key.id:<22}{status:<10}{created:<22}{used:<22}{key.user.email}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    try:
        key = keys.revoke_access_key(args.id.strip())
    except AccessKey.DoesNotExist:
        return _fail(f"no access key {args.id!r}")
    print(f"Access key {key.id} of {key.user.email} is revoked.")
    return 0


def main(argv: list[str]) -> int:
    """Entry point of ``docuflow access-key …`` (Django is already set up)."""
    args = _parser().parse_args(argv)
    return {"create": _create, "list": _list, "revoke": _revoke}[args.command](args)
