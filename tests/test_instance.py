"""Where Tracker keeps its files: the shipped data of seed/."""

from __future__ import annotations

from tracker import config
from tracker.config import PROJECT_ROOT, load_settings, shipped_path


def test_shipped_data_is_the_checkouts_seed_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_CREDENTIALS_DIR", raising=False)
    assert shipped_path("credentials") == PROJECT_ROOT / "seed" / "credentials"
    assert shipped_path("demo.yaml").is_file()
    assert load_settings(tmp_path)["CREDENTIALS_DIR"] == shipped_path("credentials")


def test_an_installed_package_reads_its_packaged_copy(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "tracker"
    (package / "seed" / "credentials").mkdir(parents=True)
    monkeypatch.setattr(config, "PACKAGE_DIR", package)
    assert shipped_path("credentials") == package / "seed" / "credentials"
    assert shipped_path("demo.yaml") == package / "seed" / "demo.yaml"
