from . import test_dunning_config
from . import test_dunning_engine
from . import test_dunning_figures
from . import test_dunning_reminder
from . import test_dunning_security
from . import test_dunning_history
from . import test_dunning_mail_states
