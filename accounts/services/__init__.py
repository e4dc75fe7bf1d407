"""Every state change of accounts and their users, called by pages, the API, commands and tasks.

``account_services`` holds accounts and support contacts; ``user_services`` users, their welcome
links and registration; ``password_reset_services`` the self-service forgotten password; ``sign_in_policy_services`` the
account's second-factor policy. Import from here: ``from accounts import services``.
"""

from accounts.services.account_services import *  # noqa: F403
from accounts.services.account_services import ACCOUNT_FIELDS, account_snapshot  # noqa: F401
from accounts.services.password_reset_services import *  # noqa: F403
from accounts.services.sign_in_policy_services import *  # noqa: F403
from accounts.services.user_services import *  # noqa: F403
