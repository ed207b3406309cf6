"""Only the optional C accelerator lives here; everything else is in pyproject.toml.

``optional=True``: on a machine without a C compiler or Python headers the build goes on
without it, and :mod:`shomeisho.wire.base45` uses its pure-Python decoder.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "shomeisho.wire._accel",
            ["src/shomeisho/wire/_accel.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
