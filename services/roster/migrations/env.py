from services.common.migration_env import run
from services.roster.adapters.orm import metadata

run(metadata)
