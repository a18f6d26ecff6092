"""Run the app under uvicorn: ``compliance serve``."""

from __future__ import annotations

import ipaddress
import sys

from compliance.web.app import ServeOptions, create_app


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def binding_warning(options: ServeOptions) -> str | None:
    """The warning to print when the page is reachable from other machines without tokens."""
    if is_loopback(options.host) or options.tokens:
        return None
    return (f"compliance serve: warning: listening on {options.host} without --tokens: anyone who can "
            "reach this address can upload and check files. 未设置 --tokens 且监听非本机地址，"
            "任何能访问此地址的人都可上传检查。See docs/serve.md.")


def serve(options: ServeOptions) -> None:
    """Build the app (a bad profile or tokens file raises ``ComplianceError``) and serve until stopped."""
    import uvicorn

    app = create_app(options)
    warning = binding_warning(options)
    if warning:
        print(warning, file=sys.stderr)
    shown = f"[{options.host}]" if ":" in options.host else options.host
    print(f"compliance serve: http://{shown}:{options.port}/  ({options.workers} worker(s), "
          f"{options.max_upload_mb} MB per upload; Ctrl+C stops)", file=sys.stderr)
    # The access log holds method, path and status only: tokens travel in a header, never a URL.
    uvicorn.run(app, host=options.host, port=options.port, log_level="info", server_header=False,
                proxy_headers=False, timeout_graceful_shutdown=10)
