"""The ``docuflow`` command: serve, worker, demo, tenants, local ASL runner, and Django's own.

Subcommands we own are parsed here; anything else passes through to Django's management
commands (``docuflow migrate``, ``docuflow createsuperuser``, ``docuflow shell`` …).
"""

from __future__ import annotations

import argparse
import os
import sys

OWN_COMMANDS = {"serve", "worker", "demo", "tenant"}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docuflow.settings")
    import django

    django.setup()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docuflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="ASGI server with an embedded worker")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--no-worker", action="store_true", help="do not run the embedded worker")
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("DOCUFLOW_HTTP_WORKERS", "1")),
        help="HTTP worker processes",
    )

    worker = commands.add_parser("worker", help="run a workflow worker")
    # Internal: the embedded worker of ``docuflow serve`` (docuflow.runtime), given the
    # descriptors of its event and wake-up pipes.
    worker.add_argument("--for-server", metavar="EVENTS_FD,WAKE_FD", help=argparse.SUPPRESS)
    demo = commands.add_parser(
        "demo", help="create the demo tenant, its users and sample documents (idempotent)"
    )
    demo.add_argument("--no-documents", action="store_true", help="only the tenant and users")
    demo.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="seconds to run the sample documents' workflows here before leaving them to the server",
    )

    tenant = commands.add_parser("tenant", help="create or update a tenant")
    tenant_commands = tenant.add_subparsers(dest="tenant_command", required=True)
    create = tenant_commands.add_parser("create")
    create.add_argument("slug")
    create.add_argument("--name", required=True)
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-password")
    create.add_argument("--documents-limit", type=int)
    create.add_argument("--plan")
    update = tenant_commands.add_parser("update")
    update.add_argument("slug")
    update.add_argument("--documents-limit", type=int)
    update.add_argument("--plan")
    return parser


def _print_error(error: Exception) -> int:
    detail = getattr(error, "detail", None)
    print(f"error: {detail if detail is not None else error}", file=sys.stderr)
    return 1


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    _setup_django()
    from django.core.management import call_command

    from docuflow.runtime import start_embedded_worker

    call_command("collectstatic", interactive=False, verbosity=0)
    # Step Functions API calls run in long-lived threads that keep their database
    # connection (docuflow.sfnapi.views); 0 runs each in its request's own thread.
    # SQLite takes one writer at a time: a second thread only queues on its lock and
    # contends for the GIL (measured: 8 threads cost ~40% more CPU per call than 1).
    from django.db import connection

    threads = "1" if connection.vendor == "sqlite" else "8"
    os.environ.setdefault("DOCUFLOW_SFN_DB_THREADS", threads)

    # The embedded worker runs in a child process of its own, tied to this one by pipes
    # (docuflow.runtime). With --workers N > 1, uvicorn serves from N processes of its
    # own; their commits wake the worker by its poll, and their sockets hear its events
    # only through Redis (REDIS_URL).
    worker = None if args.no_worker else start_embedded_worker()
    try:
        uvicorn.run(
            "docuflow.asgi:application",
            host=args.host,
            port=args.port,
            workers=max(1, args.workers),
            lifespan="off",
            log_level=os.environ.get("LOG_LEVEL", "info").lower(),
            proxy_headers=True,
        )
    finally:
        if worker is not None:
            worker.stop()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from docuflow import runtime

    if args.for_server:
        runtime.run_worker_for_server(args.for_server)
    else:
        runtime.run_worker_forever()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings

    from docuflow import demo
    from docuflow.accounts import services

    password = os.environ.get("DOCUFLOW_DEMO_PASSWORD") or None
    if settings.PRODUCTION and not password:
        print("error: set DOCUFLOW_DEMO_PASSWORD to create demo users in production mode", file=sys.stderr)
        return 1
    created, generated = services.create_demo(password)
    outcome = mail = None
    if not args.no_documents:
        with demo.mail_to_files() as mail:
            outcome = demo.seed(services.DEMO_TENANT, time_limit=args.time_limit)
    if not created:
        changed = outcome is not None and outcome.created
        print(f"Demo tenant {services.DEMO_TENANT!r} already exists"
              + ("." if changed else "; nothing changed."))  # fmt: skip
    else:
        print(f"Created demo tenant {services.DEMO_TENANT!r} with these accounts:")
        for email, role in services.DEMO_ACCOUNTS:
            print(f"  {role:<9} {email}")
    if outcome is not None and (created or outcome.created):
        print("Demo documents (uploaded by user@, decided by reviewer@):")
        for title, status in outcome.documents:
            print(f"  {status:<17} {title}")
        print(f"  {outcome.certification or '-':<17} certification request: {demo.CERTIFICATION['course']}")
        if not outcome.finished:
            print(f"  (still running after {args.time_limit:g} s: the server's worker finishes them)")
        if mail is not None:
            print(f"  E-mails the workflows sent are in {mail}/ (console mail backend).")
    if created:
        if generated:
            print(f"Their password (shown once): {generated}")
        else:
            print("Their password is DOCUFLOW_DEMO_PASSWORD.")
    return 0


def cmd_tenant(args: argparse.Namespace) -> int:
    _setup_django()
    from rest_framework.exceptions import APIException

    from docuflow.accounts import services
    from docuflow.accounts.models import Tenant

    try:
        if args.tenant_command == "create":
            tenant, admin, generated = services.create_tenant(
                args.slug,
                args.name,
                args.admin_email,
                admin_password=args.admin_password,
                documents_limit=args.documents_limit,
                plan=args.plan,
            )
            print(f"Created tenant {tenant.slug!r} with ADMIN {admin.email}.")
            if generated:
                print(f"Admin password (shown once): {generated}")
        else:
            tenant = services.update_tenant(
                args.slug, documents_limit=args.documents_limit, plan=args.plan
            )
            print(f"Tenant {tenant.slug!r}: plan {tenant.plan}, documents_limit {tenant.documents_limit}.")
    except Tenant.DoesNotExist:
        print(f"error: no tenant {args.slug!r}", file=sys.stderr)
        return 1
    except APIException as error:
        return _print_error(error)
    return 0


HANDLERS = {"serve": cmd_serve, "worker": cmd_worker, "demo": cmd_demo, "tenant": cmd_tenant}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sfn"]:
        # The local ASL runner is pure: no Django, no database.
        from docuflow.asl.local_runner import main as sfn_main

        return sfn_main(argv[1:])
    if argv[:1] == ["access-key"]:
        _setup_django()
        from docuflow.sfnapi.cli import main as access_key_main

        return access_key_main(argv[1:])
    if argv and argv[0] in OWN_COMMANDS:
        args = _parser().parse_args(argv)
        return HANDLERS[args.command](args)
    if not argv or argv[0] in ("-h", "--help"):
        _parser().print_help()
        print("\nAny other command is passed to Django (migrate, createsuperuser, shell, …).")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docuflow.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["docuflow", *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
