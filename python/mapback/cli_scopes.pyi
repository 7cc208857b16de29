import argparse
from typing import Any, TextIO, Tuple

COMMANDS: Tuple[str, ...]

def add_commands(commands: Any) -> None: ...
def run(args: argparse.Namespace, out: TextIO) -> int: ...
