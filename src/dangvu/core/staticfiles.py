"""Static files under hashed names, compressed ahead (WhiteNoise): a browser keeps app.css for a
year and fetches it again only when it changed (its name changes), and a slow link receives
it gzipped."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

__all__ = ["Storage"]


class Storage(CompressedManifestStaticFilesStorage):
    """`dangvu serve` collects the files first (hashed and compressed). A file not collected
    yet (a development checkout, a file added since) keeps its plain name rather than failing
    the page."""

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
