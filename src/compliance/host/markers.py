"""The two pluggy markers, created once for the project name ``compliance``."""

import pluggy

PROJECT = "compliance"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
