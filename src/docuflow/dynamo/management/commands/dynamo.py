"""``docuflow dynamo …``: manage a tenant's DynamoDB tables.

docuflow dynamo create-table CertificationRequests --tenant acme-corp --partition-key requestId:S
docuflow dynamo list-tables --tenant acme-corp
docuflow dynamo scan CertificationRequests --tenant acme-corp [--plain]
docuflow dynamo delete-table CertificationRequests --tenant acme-corp
docuflow dynamo prune-applied-writes
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from docuflow.accounts.models import Tenant
from docuflow.dynamo import operations, selectors, services, types
from docuflow.dynamo.errors import DynamoError


class Command(BaseCommand):
    help = "Create, list, scan and delete a tenant's DynamoDB tables."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        create = commands.add_parser("create-table", help="create a table with its key schema")
        create.add_argument("name")
        create.add_argument("--tenant", required=True, help="tenant slug")
        create.add_argument("--partition-key", required=True, help="NAME[:S|N|B], S by default")
        create.add_argument("--sort-key", default="", help="NAME[:S|N|B]")
        listing = commands.add_parser("list-tables", help="list a tenant's tables")
        listing.add_argument("--tenant", required=True)
        scan = commands.add_parser("scan", help="print a table's items, one JSON per line")
        scan.add_argument("name")
        scan.add_argument("--tenant", required=True)
        scan.add_argument("--plain", action="store_true", help="plain JSON instead of typed")
        scan.add_argument("--limit", type=int)
        delete = commands.add_parser("delete-table", help="delete a table and its items")
        delete.add_argument("name")
        delete.add_argument("--tenant", required=True)
        commands.add_parser(
            "prune-applied-writes", help="forget idempotency records older than 7 days"
        )

    def handle(self, *args, **options) -> None:
        subcommand = options["subcommand"]
        try:
            if subcommand == "prune-applied-writes":
                count = services.prune_applied_writes()
                self.stdout.write(f"Pruned {count} applied-write records.")
                return
            tenant = options["tenant"]
            if not Tenant.objects.filter(slug=tenant).exists():
                raise CommandError(f"No tenant '{tenant}'")
            getattr(self, subcommand.replace("-", "_"))(tenant, options)
        except DynamoError as error:
            raise CommandError(f"{error.code}: {error.message}")

    def create_table(self, tenant: str, options: dict) -> None:
        partition = operations.parse_key_spec(options["partition_key"])
        sort = operations.parse_key_spec(options["sort_key"]) if options["sort_key"] else ("", "")
        table = services.create_table(tenant, options["name"], *partition, *sort)
        keys = f"{table.partition_key} ({table.partition_key_type})"
        if table.sort_key:
            keys += f", sort key {table.sort_key} ({table.sort_key_type})"
        self.stdout.write(f"Created table {table.name} for {tenant}: partition key {keys}")

    def list_tables(self, tenant: str, options: dict) -> None:
        for table in selectors.tables(tenant):
            sort = f" {table.sort_key}:{table.sort_key_type}" if table.sort_key else ""
            inferred = " (key inferred)" if table.inferred else ""
            self.stdout.write(
                f"{table.name}\t{table.partition_key}:{table.partition_key_type}{sort}"
                f"\t{table.items.count()} items{inferred}"
            )

    def scan(self, tenant: str, options: dict) -> None:
        for item in selectors.scan(tenant, options["name"], options["limit"]):
            shown = types.item_to_json(item) if options["plain"] else item
            self.stdout.write(json.dumps(shown, ensure_ascii=False, sort_keys=True))

    def delete_table(self, tenant: str, options: dict) -> None:
        services.delete_table(tenant, options["name"])
        self.stdout.write(f"Deleted table {options['name']} of {tenant}")
