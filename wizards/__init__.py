from . import account_dunning_send
from . import account_dunning_dispute
from . import account_dunning_credit_override
