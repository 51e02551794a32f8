"""``python -m corridor.api``: see :mod:`corridor.api.server`."""

from .server import main

main()
