from . import account_dunning_aging_report
from . import account_dunning_kpi
