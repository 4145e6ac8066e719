"""Gunicorn's own settings, read from ./gunicorn.conf.py by every deployment
(the image, docker compose, bench/panel.py); its command line adds the rest."""

import gc


def post_worker_init(worker) -> None:
    """Freeze what the worker has loaded (Django, the apps, their modules and
    URL patterns) out of the garbage collector's reach. A full collection then
    walks only the objects made since, not the whole framework: at 2,000
    proposals the manifest page paused about 100 ms every fourteenth request
    for one (see bench/README.md)."""
    gc.freeze()
