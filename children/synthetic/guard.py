"""Synthetic data must never reach a live index: only settings that opt in may write it.

Three checks, any of which refuses: the settings module must be a development or test one, it must
set DEMO_DATA_ALLOWED = True (only config/settings/local.py and test.py do), and DEBUG must be off,
as it is in both (a DEBUG server would keep every query, personal data included, in memory).
"""

from django.conf import settings
from django.core.management.base import CommandError

ALLOWED_SETTINGS_MODULES = ("config.settings.local", "config.settings.test")


def demo_data_refusal() -> str | None:
    """Why synthetic data may not be written here, or None if it may."""
    module = getattr(settings, "SETTINGS_MODULE", "")
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
