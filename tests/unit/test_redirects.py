"""Login and language redirects stay on this site."""

from __future__ import annotations

import pytest

from portal.web.security import local_path


@pytest.mark.parametrize("target", ["/plan", "/staff/participants/3?x=1", "/"])
def test_local_paths_are_kept(target: str) -> None:
    assert local_path(target) == target


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "plan", "", None, "/a\nb"],
)
def test_anything_else_goes_home(target: str | None) -> None:
    assert local_path(target) == "/"
