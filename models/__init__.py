from . import account_dunning_policy
from . import account_dunning_level
from . import account_dunning_reminder
from . import account_dunning_reminder_line
from . import account_move
from . import res_company
from . import res_partner
from . import res_config_settings
