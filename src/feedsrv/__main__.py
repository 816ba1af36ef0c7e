"""``python -m feedsrv`` runs the command line."""

from .cli import main

main()
