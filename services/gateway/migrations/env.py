from services.common.env_template import run
from services.gateway.adapters.orm import metadata

run(metadata)
