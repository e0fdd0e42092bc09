"""Static file storage: hashed, compressed names once collected, plain names before.

``docuflow serve`` collects static files on start, so a running server hands out
long-cacheable hashed URLs. Tests and one-off commands that never collected fall back
to the plain names, which WhiteNoise serves straight from the app directories.
"""

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def url(self, name, force=False):
        try:
            return super().url(name, force)
        except ValueError:  # not collected yet
            return FileSystemStorage.url(self, name)
