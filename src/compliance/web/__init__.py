"""The self-check web page: ``compliance serve``.

A school drops its files (or a zip of its folder) on one page and reads the same
report an inspector sees; a bureau serves the same page on its intranet.  Needs
the ``serve`` extra (``pip install "compliance[serve]"``: Starlette and uvicorn).

Modules: :mod:`~compliance.web.app` (routes and headers), :mod:`~compliance.web.uploads`
(multipart into a private folder), :mod:`~compliance.web.limits` (sizes, counts,
zip safety), :mod:`~compliance.web.tokens` (who may call), :mod:`~compliance.web.runner`
(bounded worker processes), :mod:`~compliance.web.zygote` (the warm parent that
forks them), :mod:`~compliance.web.worker` (one check in a child process),
:mod:`~compliance.web.page` (the page and its CSP), :mod:`~compliance.web.choices`
(the profiles and curriculum plans offered), :mod:`~compliance.web.history` (the rounds a
caller may see), :mod:`~compliance.web.refusals`
(every message a caller can get), :mod:`~compliance.web.server` (uvicorn).
"""
