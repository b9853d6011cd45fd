from services.common.env_template import run
from services.roster.adapters.orm import metadata

run(metadata)
