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


def test_a_secret_or_a_number_typed_as_the_zone_is_not_quoted_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value that is not shaped like a zone name may be a token pasted into the wrong setting: the
    sentence says what is wrong without it; a phone number in any sentence is masked."""
    monkeypatch.setenv("HOTLINE_TIMEZONE", "Geheim-Tök3n-4711")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "Geheim" not in str(refused.value)
    assert "unknown time zone: give an IANA name such as Asia/Shanghai" in str(refused.value)
    monkeypatch.setenv("HOTLINE_TIMEZONE", "Asia/Tel_13912345678")  # zone-shaped: quoted, masked
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "13912345678" not in str(refused.value) and "139****5678" in str(refused.value)
