"""Sealing webhook secrets at rest.

A webhook secret cannot be stored as a hash: the server needs the secret itself to
compute each delivery's HMAC (a receiver checks the signature with the same secret).
It is therefore sealed (``docuflow.sealing``, the endpoint's id as the owner), so a
database dump alone does not reveal it and a sealed value cannot be moved to another
endpoint's row.
Changing ``SECRET_KEY`` makes existing secrets unreadable: their deliveries fail with
"secret unreadable" until the secret is rotated.
"""

from docuflow.sealing import Sealer, SealError

_sealer = Sealer("docuflow.webhooks.endpoint-secret.v1")
seal, unseal = _sealer.seal, _sealer.unseal

__all__ = ["SealError", "seal", "unseal"]
