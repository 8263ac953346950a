from dangvu.settings.base import *  # noqa: F403
