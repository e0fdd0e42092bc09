"""Per-tenant webhooks: HMAC-signed JSON on each status change, retried with back-off.

- ``models``: ``WebhookEndpoint`` (where to send, which events, the sealed secret) and
  ``WebhookDelivery`` (one event for one endpoint: the outbox row and its attempts).
- ``services``: endpoint management and ``queue_for_event``, the in-transaction
  subscriber that writes deliveries in the transaction of the status change.
- ``delivery``: claiming due deliveries, sending them, back-off, the background loop
  started with the engine's worker.
- ``signing``: the ``X-DocuFlow-Signature`` header, and ``verify`` for receivers.
- ``urlcheck``: URL validation and the production-mode SSRF guard.
"""
