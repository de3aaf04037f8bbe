"""Maps the repository's top-level folders onto the one import package.

DESIGN.md fixes the layout (core/, backends/, plugins/) and the import name
(`tensorweave`, `tensorweave.backends.<x>`, `tensorweave.plugins.<kind>`).
Declarative setuptools config cannot rename discovered packages, so this file
discovers every sub-package under each folder and maps it; a new backend or
plugin folder needs no edit here.
"""

from setuptools import find_packages, setup

ROOTS = {
    "tensorweave": "core",
    "tensorweave.backends": "backends",
    "tensorweave.plugins": "plugins",
}

packages = []
for name, folder in ROOTS.items():
    packages.append(name)
    packages.extend(f"{name}.{sub}" for sub in find_packages(folder))

setup(packages=packages, package_dir=ROOTS)
