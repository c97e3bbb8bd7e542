"""Packaging beyond pyproject.toml: the checkout's ``checklists/`` folder ships inside the wheel as
the package data ``api/defaults/checklists`` (the defaults that ``patrol init`` copies into a data home)."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["api", "api.*", "console", "console.*"]) + ["api.defaults.checklists"],
    package_dir={"api.defaults.checklists": "checklists"},
)
