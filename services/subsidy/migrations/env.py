from services.common.migration_env import run
from services.subsidy.adapters.orm import metadata

run(metadata)
