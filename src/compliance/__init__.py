"""compliance: check Chinese school submissions against school-conduct policy.

Plugins import the hook marker from here::

    from compliance import hookimpl

The library can be driven from Python without the CLI::

    from compliance.host.engine import Engine, RunOptions
    report = Engine(RunOptions()).check(["samples/zhongshan"])
"""

from compliance.host.markers import hookimpl, hookspec

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl", "hookspec"]
