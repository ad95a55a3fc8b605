from . import account_dunning_aging_report
from . import account_dunning_kpi
from . import report_dunning_letter
