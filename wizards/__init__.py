from . import account_dunning_send
from . import account_dunning_dispute
