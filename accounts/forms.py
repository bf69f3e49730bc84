from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """One message for every failure, so responses never reveal whether an account exists."""

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "Enter a correct username and password",
    }
    summary_anchor = "id_username"
