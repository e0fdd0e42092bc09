"""Sealing access-key secrets at rest (``docuflow.sealing``; the key id is the owner).

Changing ``SECRET_KEY`` makes existing access keys unusable (their callers get
``UnrecognizedClientException``): create new ones.
"""

from docuflow.sealing import Sealer, SealError

_sealer = Sealer("docuflow.sfnapi.access-key-secret.v1")
seal, unseal = _sealer.seal, _sealer.unseal

__all__ = ["SealError", "seal", "unseal"]
