from services.common.migration_env import run
from services.gateway.adapters.orm import metadata

run(metadata)
