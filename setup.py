"""Packaging for the mapback Python package.

The wheel holds one Python-independent native library (built here with cargo) and the
cffi ABI-mode bindings generated from the C header, so it is tagged
``py2.py3-none-<platform>``: the same wheel serves every CPython from 2.7 on, and PyPy.
"""

import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.dist import Distribution
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1 ships it in the wheel package
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.join(HERE, "python", "mapback")
LIBRARY_NAMES = {"linux": "libmapback.so", "darwin": "libmapback.dylib", "win32": "mapback.dll"}


def library_name():
    for prefix, name in LIBRARY_NAMES.items():
        if sys.platform.startswith(prefix):
            return name
    return "libmapback.so"


def build_native():
    """Build the release library (unless MAPBACK_PREBUILT_LIBRARY names a prebuilt one) and put
    it, with the generated bindings, into the package directory."""
    prebuilt = os.environ.get("MAPBACK_PREBUILT_LIBRARY")
    if prebuilt:
        built = prebuilt
    else:
        cargo = os.environ.get("CARGO", "cargo")
        subprocess.check_call([cargo, "build", "--release", "--lib"], cwd=HERE)
        target_dir = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "target"))
        built = os.path.join(target_dir, "release", library_name())
    shutil.copyfile(built, os.path.join(PACKAGE_DIR, library_name()))
    subprocess.check_call([sys.executable, os.path.join(HERE, "build.py"), PACKAGE_DIR])


class BuildPyWithNative(build_py):
    def run(self):
        build_native()
        build_py.run(self)


class BdistWheelAnyPython(bdist_wheel):
    def finalize_options(self):
        bdist_wheel.finalize_options(self)
        # The wheel carries a native library, so it is platform-specific...
        self.root_is_pure = False

    def get_tag(self):
        # ...but that library does not depend on the Python version or ABI.
        _, _, platform_tag = bdist_wheel.get_tag(self)
        return "py2.py3", "none", platform_tag


class BinaryDistribution(Distribution):
    """Marks the distribution as binary, so the package lands in platlib."""

    def has_ext_modules(self):
        return True


def read_version():
    with open(os.path.join(HERE, "Cargo.toml")) as manifest:
        for line in manifest:
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
    raise RuntimeError("no version in Cargo.toml")


with open(os.path.join(HERE, "README.md")) as readme:
    LONG_DESCRIPTION = readme.read()

setup(
    name="mapback",
    version=read_version(),
    description="A conformant ECMA-426 source map engine: one native library for every Python",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    license="MIT",
    packages=["mapback"],
    package_dir={"": "python"},
    package_data={"mapback": ["*.so", "*.dylib", "*.dll", "*.pyi", "py.typed"]},
    include_package_data=False,
    zip_safe=False,
    install_requires=["cffi>=1.12"],
    # The engines of mapback.spark and mapback.dask (docs/scale.md), never imported by
    # `import mapback`; tested with tests/scale/requirements.txt's pins.
    extras_require={
        "spark": ['pyspark[sql]>=3.4; python_version >= "3.8"'],
        "dask": ['dask[dataframe,distributed]>=2023.1; python_version >= "3.9"'],
    },
    python_requires=">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*",
    entry_points={"console_scripts": ["mapback = mapback.cli:main"]},
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithNative, "bdist_wheel": BdistWheelAnyPython},
    classifiers=[
        "Programming Language :: Python :: 2.7",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: Implementation :: CPython",
        "Programming Language :: Python :: Implementation :: PyPy",
        "Programming Language :: Rust",
        "Topic :: Software Development :: Debuggers",
    ],
)
