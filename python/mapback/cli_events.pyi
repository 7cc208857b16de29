import argparse
from typing import Any, TextIO

CHUNK_EVENTS: int

def add_arguments(symbolicate: Any) -> None: ...
def run(args: argparse.Namespace, out: TextIO) -> int: ...
