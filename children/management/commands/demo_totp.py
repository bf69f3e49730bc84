"""Print the current second-factor code of a demo account (demo data only, never production)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from accounts.models import User
from accounts.services import confirmed_totp_device
from children.synthetic.demo_accounts import is_demo_account
from children.synthetic.guard import demo_data_require


class Command(BaseCommand):
    help = "Show the current TOTP code of a demo account, for trying the demo without a phone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        demo_data_require()
        user = User.objects.filter(username=options["username"]).select_related("organisation").first()
        if user is None or not is_demo_account(user):
            raise CommandError("not a demo account")
        device = confirmed_totp_device(user)
        if device is None:
            raise CommandError("this demo account has no authenticator; run `make demo`")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
