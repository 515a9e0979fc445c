"""`python -m app` is the same as the `nn-playground` command."""

from app.web.cli import main

main()
