from services.common.env_template import run
from services.subsidy.adapters.orm import metadata

run(metadata)
