"""The pure library imports and works with Django made unimportable."""

import subprocess
import sys
import textwrap

import tillit

BLOCK_DJANGO = textwrap.dedent(
    """
    import importlib, sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "django" or name.startswith("django."):
                raise ImportError("django is blocked in this test: " + name)
            return None
    sys.meta_path.insert(0, Block())
    for name in {packages!r}:
        importlib.import_module(name)
    assert not any(m == "django" or m.startswith("django.") for m in sys.modules), "django loaded"
    {extra}
    print("pure-ok")
    """
)


def _run(extra: str = "") -> subprocess.CompletedProcess:
    code = BLOCK_DJANGO.format(packages=list(tillit.PURE_PACKAGES), extra=extra)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_pure_packages_import_without_django():
    proc = _run()
    assert proc.returncode == 0, proc.stderr
    assert "pure-ok" in proc.stdout


def test_blocker_really_blocks_django():
    proc = _run("import django")
    assert proc.returncode != 0
    assert "django is blocked" in proc.stderr


def test_every_pure_package_is_listed():
    """A new top-level package is either Django-side or added to PURE_PACKAGES."""
    from pathlib import Path

    root = Path(tillit.__file__).parent
    django_side = {"web", "apps", "cli", "data"}
    found = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()} | {
        p.stem for p in root.glob("*.py") if p.stem not in {"__init__", "__main__"}
    }
    listed = {name.split(".")[1] for name in tillit.PURE_PACKAGES}
    assert found - django_side == listed
