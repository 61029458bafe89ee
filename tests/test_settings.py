"""The settings model: one place for every rule, documented field by field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from console.settings import Settings, SettingsError, load_settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_every_field_is_documented_with_its_default() -> None:
    rows = dict(re.findall(r"^\| `(\w+)` \| `HOTLINE_\w+` \| `([^`]*)` \|", DOC.read_text(encoding="utf-8"), re.M))
    assert set(rows) == set(Settings.model_fields)
    defaults = Settings()
    for name, shown in rows.items():
        assert shown == repr(getattr(defaults, name)) or float(shown) == getattr(defaults, name), name


def test_unknown_zone_is_refused_in_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError, match="setting timezone: .*unknown time zone 'Mars/Olympus'"):
        load_settings()


def test_unknown_field_in_the_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text("sl_second = 20\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="sl_second"):
        load_settings(config)


def test_broken_toml_is_one_sentence(tmp_path: Path) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text("sl_seconds = = 3\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="cannot read the settings file"):
        load_settings(config)


def test_hotline_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "centre.toml"
    config.write_text('centre_name = "广州12333"\n[topic_alarm_lines]\n"失业保险" = 60\n', encoding="utf-8")
    monkeypatch.setenv("HOTLINE_CONFIG", str(config))
    loaded = load_settings()
    assert loaded.centre_name == "广州12333" and loaded.topic_alarm_lines == {"失业保险": 60}
    monkeypatch.setenv("HOTLINE_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(SettingsError, match="HOTLINE_CONFIG names .*gone.toml"):
        load_settings()
