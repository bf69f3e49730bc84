"""Synthetic data must never reach a live index: only settings that opt in may write it.

Three checks, any of which refuses: the settings module must be a development or test one, it must
set DEMO_DATA_ALLOWED = True (only config/settings/local.py and test.py do), and DEBUG must be off,
as it is in both (a DEBUG server would keep every query, personal data included, in memory).
"""

from typing import Any

from django.conf import UserSettingsHolder, settings
from django.core.management.base import CommandError

ALLOWED_SETTINGS_MODULES = ("config.settings.local", "config.settings.test")


def settings_module() -> str:
    """The settings module in use, seen through any override_settings layers (which hide it as None)."""
    settings.DEBUG  # noqa: B018 - makes sure settings are loaded before looking underneath
    holder: Any = getattr(settings, "_wrapped")  # noqa: B009 - django-stubs hides the lazy wrapper
    while isinstance(holder, UserSettingsHolder):
        if "SETTINGS_MODULE" in holder.__dict__:
            return str(holder.__dict__["SETTINGS_MODULE"] or "")
        holder = holder.default_settings
    return str(getattr(holder, "SETTINGS_MODULE", "") or "")


def demo_data_refusal() -> str | None:
    """Why synthetic data may not be written here, or None if it may."""
    module = settings_module()
    if module not in ALLOWED_SETTINGS_MODULES:
        return f"synthetic data is only for {' or '.join(ALLOWED_SETTINGS_MODULES)}, not {module or 'unset'}"
    if getattr(settings, "DEMO_DATA_ALLOWED", False) is not True:
        return "DEMO_DATA_ALLOWED is not set to True in these settings"
    if settings.DEBUG:
        return "refusing with DEBUG on"
    return None


def demo_data_require() -> None:
    reason = demo_data_refusal()
    if reason:
        raise CommandError(f"Refusing to write synthetic data: {reason}.")
