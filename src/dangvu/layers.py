"""The order of Dangvu's apps, declared once: an app may import the apps of the layers before
its own, never one of its own layer or after it (docs/decisions/0010). A test reads every
import of the product code against it (core/tests/test_layers.py).

A new app takes its place here: admission, meetings, documents and news go beside `reports`,
above `stats`. `training` sits one layer above them: it hands a passed awareness class to the
admission case and prints its certificates with the reports' typefaces (docs/decisions/0022).
`interchange` sits above every app whose lists it exports or whose records it imports
(docs/decisions/0025)."""

__all__ = ["LAYERS", "BESIDE", "PROJECT"]

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("audit",),
    ("accounts",),
    ("organisations",),
    ("members",),
    ("stats",),
    ("reports", "admission", "meetings", "documents", "news"),
    ("training",),
    ("interchange",),
    # The audit trail's pages and API: the `audit` app's records through the gate, with the
    # members' history (docs/decisions/0028).
    ("audittrail",),
    ("api", "home"),
)

# Beside the order: they may use any app (through its services), and no app imports them.
BESIDE: tuple[str, ...] = ("dataset", "testing", "e2e")

# The project's own modules at the package root (settings, URLs, the CLI): they compose the
# apps, and no app imports them.
PROJECT: tuple[str, ...] = ("settings", "urls", "cli", "wsgi", "__main__", "conftest", "layers")
