"""`dangvu import`: the command lives in import_ (`import` cannot be imported by name)."""

from dangvu.interchange.management.commands.import_ import Command

__all__ = ["Command"]
