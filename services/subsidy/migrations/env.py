from services.subsidy.adapters.orm import metadata
from services.common.env_template import run

run(metadata)
