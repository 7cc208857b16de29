"""Generate ``python/mapback/_native.py``: the cffi out-of-line ABI-mode module.

The C declarations come straight from the committed header ``include/mapback.h``, so
they can never drift from the library (in ABI mode a wrong declaration would be a
crash, not a compile error). No C compiler is needed: preprocessor lines are handled
here, keeping only integer ``#define`` constants, which cffi understands.

After the ffi object, ``_native.py`` carries ``ERROR_CODES``: each ``MAPBACK_ERROR_*``
constant of the header with its value and its doc comment (the one wording src/error.rs
gives each code, the text ``mapback_error_code_description`` returns). mapback.exceptions
builds its classes from it: it runs before mapback._lowlevel has loaded the library.

Usage: ``python build.py [OUTPUT_DIR]`` (default: python/mapback).
"""

from __future__ import absolute_import, print_function

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "include", "mapback.h")
INTEGER_DEFINE = re.compile(r"^define\s+([A-Za-z_]\w*)\s+(-?(?:0x[0-9A-Fa-f]+|\d+)|[A-Z0-9_]+_MAX)\s*$")
# <stdint.h> limits that cbindgen writes by name; cffi's cdef needs their values.
STDINT_LIMITS = {"UINT32_MAX": "0xFFFFFFFF", "INT32_MAX": "0x7FFFFFFF", "UINT64_MAX": "0xFFFFFFFFFFFFFFFF"}


def cdef_from_header(text):
    """Return the header as cffi cdef source: C++ guards dropped, constants kept."""
    lines = []
    # One entry per open #if: True when its contents are skipped (C++ only blocks).
    skipping = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if not any(skipping):
                lines.append(line)
            continue
        directive = stripped[1:].strip()
        if directive.startswith("ifdef __cplusplus"):
            skipping.append(True)
        elif directive.startswith(("if", "ifdef", "ifndef")):
            skipping.append(False)
        elif directive.startswith("endif"):
            if skipping:
                skipping.pop()
        elif not any(skipping):
            match = INTEGER_DEFINE.match(directive)
            if match:
                name, value = match.groups()
                if value.endswith("_MAX"):
                    if value not in STDINT_LIMITS:
                        raise ValueError("build.py: no value known for %s (in %s)" % (value, name))
                    value = STDINT_LIMITS[value]
                lines.append("#define %s %s" % (name, value))
    return "\n".join(lines)


ERROR_DEFINE = re.compile(r"^#define\s+(MAPBACK_ERROR_\w+)\s+(\d+)\s*$")


def error_codes_from_header(text):
    """``(name, value, description)`` of each ``MAPBACK_ERROR_*`` define, in header order;
    the description is the ``/** ... */`` comment right above it."""
    codes = []
    comment = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "/**":
            comment = []
        elif stripped.startswith("*") and stripped != "*/":
            comment.append(stripped[1:].strip())
        elif stripped != "*/":
            match = ERROR_DEFINE.match(stripped)
            if match:
                description = " ".join(part for part in comment if part)
                codes.append((match.group(1), int(match.group(2)), description))
            if stripped:
                comment = []
    if len(codes) < 30:
        raise ValueError("build.py: found only %d MAPBACK_ERROR_* constants" % len(codes))
    return codes


def error_codes_source(codes):
    """Python source for the ``ERROR_CODES`` table."""
    lines = [
        "",
        "# (name, value, description) of each MAPBACK_ERROR_* constant, read from the header",
        "# by build.py; mapback.exceptions makes one class per entry.",
        "ERROR_CODES = (",
    ]
    for name, value, description in codes:
        lines.append("    (%r, %d, %r)," % (str(name), value, str(description)))
    lines.append(")")
    return "\n".join(lines) + "\n"


def make_ffi():
    from cffi import FFI

    with open(HEADER) as header:
        source = cdef_from_header(header.read())
    ffi = FFI()
    ffi.cdef(source)
    ffi.set_source("mapback._native", None)
    return ffi


def main(argv):
    output_dir = argv[1] if len(argv) > 1 else os.path.join(HERE, "python", "mapback")
    target = os.path.join(output_dir, "_native.py")
    make_ffi().emit_python_code(target)
    with open(HEADER) as header:
        table = error_codes_source(error_codes_from_header(header.read()))
    with open(target) as generated:
        source = generated.read()
    with open(target, "w") as generated:
        generated.write(source + table)
    print("wrote %s" % target)


if __name__ == "__main__":
    main(sys.argv)
