"""Which packages the wheel holds; everything else about the build is in pyproject.toml.

seed/ stays at the top of the repository, the source of truth for the demo data and the
shipped credential definitions, and is installed as the data-only package ``tracker.seed``
(``[tool.setuptools.package-dir]`` maps it), so an installed Tracker finds it next to its
code (``tracker.config.shipped_path``). ``[tool.setuptools.packages.find]`` cannot add a
package that lives outside ``tracker/``, hence this file.
"""

from setuptools import find_namespace_packages, setup

seed = ["tracker.seed", *(f"tracker.seed.{name}" for name in find_namespace_packages("seed"))]
setup(packages=[*find_namespace_packages(include=["tracker", "tracker.*"]), *seed])
