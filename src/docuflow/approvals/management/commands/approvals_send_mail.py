"""``docuflow approvals_send_mail``: send the e-mails that could not be sent (SMTP down)."""

from django.core.management.base import BaseCommand

from docuflow.approvals import mail


class Command(BaseCommand):
    help = "Send queued approval e-mails that are still unsent (each is tried at most 5 times)."

    def handle(self, *args, **options):
        sent = mail.deliver_unsent()
        self.stdout.write(f"sent {sent} e-mail(s)")
