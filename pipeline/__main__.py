"""`python -m pipeline` is the `vanban` command."""
from .cli.main import main

main()
